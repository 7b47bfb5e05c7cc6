// Differential test of DPOR on programs written against the kernel facade (model/kernel), the
// layer the ports and the real-source mode run on: on generated programs, DPOR must reach exactly
// the outcomes exhaustive DFS reaches. The checker-level differential test
// (relacy_tests/checker/dpor_vs_dfs_test.cpp) covers the checker's own operations; this one covers
// what the facade builds from them: task state and the sleep protocol (set_current_state, a
// condition check, schedule or schedule_timeout, wake_up_process), task_work (task_work_add with
// TWA_SIGNAL and its notify flag, io_run_task_work, task_work_cancel_match, exit_task_work and the
// -ESRCH it causes), spinlocks and signal_pending.
//
// Every program is deadlock-free by construction: only the non-producer threads wait, each waits
// for a counter the producer increments at its end, and the producer then wakes every task.
#include <catch2/catch.hpp>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "chk/api.h"
#include "diff_checks.h"
#include "model/kernel/kernel.h"

namespace {

enum class fop {
  wait_cond,  // set_current_state(TASK_INTERRUPTIBLE); counter >= 1? else schedule[_timeout]; io_run_task_work
  signal,     // counter += 1; wake_up_process(target)
  tw_add,     // task_work_add(target, item, TWA_SIGNAL)
  tw_run,     // io_run_task_work()
  tw_cancel,  // task_work_cancel_match(target, that item)
  lock_inc,   // raw_spin_lock; counter = counter + 1 (load, store); raw_spin_unlock
  sigpend,    // signal_pending(current)
  exit_tw,    // exit_task_work() (a thread's last operation): later adds to it fail
};
constexpr int fop_count = 8;

struct fo {
  fop k;
  int var;     // counter (0 or 1)
  int target;  // task
  int item;    // task_work item
};

struct fprogram {
  int threads = 2;  // the last one is the producer
  std::vector<std::vector<fo>> code;
  int items = 0;  // task_work items, each added at most once
  bool timeouts = false;
  std::string text;
};

constexpr int nvars = 2;
constexpr int max_items = 3;

// The threads that wait (the producer wakes each at its end).
int waiters(const fprogram& g) {
  int n = 0;
  for (const auto& c : g.code)
    for (const fo& o : c)
      if (o.k == fop::wait_cond) {
        ++n;
        break;
      }
  return n;
}

// About how many steps an operation takes (a wait: when it does not sleep).
int steps_of(const fo& o) {
  switch (o.k) {
    case fop::wait_cond:
      return 5;
    case fop::tw_add:
      return 6;
    case fop::tw_run:
    case fop::tw_cancel:
      return 5;
    case fop::lock_inc:
    case fop::exit_tw:
      return 4;
    case fop::signal:
      return 3;
    case fop::sigpend:
      return 2;
  }
  return 1;
}

fprogram generate_one(std::mt19937_64& rng, std::uint64_t seed, bool timeouts) {
  auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<std::uint64_t>(n)); };
  fprogram g;
  g.timeouts = timeouts;
  g.threads = 2 + pick(2);
  g.code.resize(static_cast<std::size_t>(g.threads));
  const int producer = g.threads - 1;
  std::vector<int> added;  // items added so far (a cancel names one of them)
  for (int t = 0; t < g.threads; ++t) {
    const int n = 1 + pick(g.threads == 2 ? 3 : 2);
    for (int i = 0; i < n; ++i) {
      fo o{static_cast<fop>(pick(fop_count)), pick(nvars), pick(g.threads), 0};
      if (o.k == fop::wait_cond && t == producer) o.k = fop::signal;
      if (o.k == fop::wait_cond || o.k == fop::signal) o.var = 0;  // the producer ends x[0]'s waits
      if (o.k == fop::exit_tw && i != n - 1) o.k = fop::tw_run;
      if (o.k == fop::tw_add) {
        if (g.items == max_items)
          o.k = fop::sigpend;
        else
          o.item = g.items++, added.push_back(o.item);
      }
      if (o.k == fop::tw_cancel) {
        if (added.empty())
          o.k = fop::tw_run;
        else
          o.item = added[static_cast<std::size_t>(pick(static_cast<int>(added.size())))];
      }
      g.code[static_cast<std::size_t>(t)].push_back(o);
    }
  }
  // Half the time, a task_work item goes to a thread that waits (if there is one): the wait's loop
  // then runs what the add announced.
  std::vector<int> waiting;
  for (int t = 0; t < g.threads; ++t)
    for (const fo& o : g.code[static_cast<std::size_t>(t)])
      if (o.k == fop::wait_cond) waiting.push_back(t);
  for (auto& c : g.code)
    for (fo& o : c)
      if (o.k == fop::tw_add && !waiting.empty() && pick(2))
        o.target = waiting[static_cast<std::size_t>(pick(static_cast<int>(waiting.size())))];
  std::ostringstream os;
  os << "seed " << seed << (timeouts ? " timeouts" : "") << ":";
  for (std::size_t t = 0; t < g.code.size(); ++t) {
    os << " T" << t << "[";
    for (const fo& o : g.code[t]) os << static_cast<int>(o.k) << ":" << o.var << o.target << o.item << " ";
    os << "]";
  }
  g.text = os.str();
  return g;
}

// Small enough for exhaustive DFS to finish quickly: the number of ways to interleave the
// threads' estimated steps (a multinomial coefficient) is at most 200,000.
fprogram generate(std::mt19937_64& rng, std::uint64_t seed, bool timeouts) {
  for (;;) {
    fprogram g = generate_one(rng, seed, timeouts);
    double orders = 1;
    int total = 0;
    for (int t = 0; t < g.threads; ++t) {
      int steps = t == g.threads - 1 ? 1 + 3 * waiters(g) : 0;  // the producer's ending
      for (const fo& o : g.code[static_cast<std::size_t>(t)]) steps += steps_of(o);
      for (int i = 1; i <= steps; ++i) orders = orders * (total + i) / i;
      total += steps;
    }
    if (orders <= 200000) return g;
  }
}

// Paths of the facade a search went through (at least once in one of its executions).
enum class path {
  woken_by_work,  // a wait's loop ran task_work that a TWA_SIGNAL add had announced
  timer_fired,    // schedule_timeout returned 0
  woke,           // wake_up_process found the task in TASK_INTERRUPTIBLE (about to sleep, or asleep)
  add_refused,    // task_work_add returned -ESRCH (the target had exited its task_work)
  cancelled,      // task_work_cancel_match removed the item
  ran_work,       // an item ran
  count_
};

struct frunner;
thread_local frunner* g_runner = nullptr;

struct frunner {
  struct state {
    std::vector<std::unique_ptr<kern::task_struct>> tasks;
    kern::atomic_t x[nvars];
    kern::raw_spinlock_t lock;
    kern::callback_head items[max_items];
    std::vector<std::vector<int>> seen;
    int ran[max_items] = {};  // task_work runs per item (the runs are on one OS thread: no race)
  };
  const fprogram& g;
  std::unique_ptr<state> s;
  std::set<std::string> outcomes;
  chk::program p;

  static void item_func(kern::callback_head* cb) {
    frunner* r = g_runner;
    const int i = static_cast<int>(cb - r->s->items);
    ++r->s->ran[i];
    r->paths.insert(path::ran_work);
    r->s->seen[static_cast<std::size_t>(chk::this_thread())].push_back(100 + i);
  }

  std::vector<bool> waits_;  // per thread: it has a wait
  std::set<path> paths;

  explicit frunner(const fprogram& gen) : g(gen) {
    for (const auto& c : g.code) {
      bool w = false;
      for (const fo& o : c) w |= o.k == fop::wait_cond;
      waits_.push_back(w);
    }
    p.name = "facade-generated";
    p.threads = g.threads;
    p.setup = [this] {
      g_runner = this;
      s = std::make_unique<state>();
      s->seen.assign(static_cast<std::size_t>(g.threads), {});
      for (int t = 0; t < g.threads; ++t) {
        auto task = std::make_unique<kern::task_struct>();
        task->thread = t;
        task->id = t;
        task->started = true;
        kern::set_name(&task->thread_flags, "task.thread_flags", t);
        task->task_works.set_name("task.task_works", t);
        kern::raw_spin_lock_init(&task->pi_lock, "task.pi_lock", t);
        s->tasks.push_back(std::move(task));
      }
      for (int v = 0; v < nvars; ++v) kern::set_name(&s->x[v], "x", v);
      kern::raw_spin_lock_init(&s->lock, "lock");
      for (auto& it : s->items) kern::init_task_work(&it, item_func);
    };
    p.thread = [this](int t) {
      kern::be::current_slot() = s->tasks[static_cast<std::size_t>(t)].get();
      run_code(t);
      if (t == g.threads - 1) {
        kern::atomic_inc(&s->x[0]);
        for (int u = 0; u < g.threads - 1; ++u)
          if (waits_[static_cast<std::size_t>(u)]) kern::wake_up_process(task(u));
      }
    };
    p.finish = [this] {
      std::ostringstream os;
      for (auto& v : s->x) os << v.counter.peek() << ",";
      for (int r : s->ran) os << r << ",";
      for (auto& t : s->tasks) os << (t->task_works.peek() != nullptr) << t->__state.peek() << ",";
      for (auto& obs : s->seen) {
        os << "|";
        for (int x : obs) os << x << ",";
      }
      outcomes.insert(os.str());
    };
  }

  kern::task_struct* task(int t) const { return s->tasks[static_cast<std::size_t>(t)].get(); }

  void run_code(int t) {
    auto& seen = s->seen[static_cast<std::size_t>(t)];
    for (const fo& o : g.code[static_cast<std::size_t>(t)]) {
      kern::atomic_t* x = &s->x[o.var];
      switch (o.k) {
        case fop::wait_cond:
          for (;;) {
            kern::set_current_state(kern::TASK_INTERRUPTIBLE);
            if (kern::atomic_read(x) >= 1) break;
            if (g.timeouts) {
              if (kern::schedule_timeout(10) == 0) {
                seen.push_back(-1);
                paths.insert(path::timer_fired);
              }
            } else {
              kern::schedule();
            }
            if (kern::io_run_task_work()) {
              seen.push_back(-2);
              paths.insert(path::woken_by_work);
            }
          }
          kern::__set_current_state(kern::TASK_RUNNING);
          seen.push_back(kern::atomic_read(x));
          break;
        case fop::signal:
          seen.push_back(kern::atomic_inc_return(x));
          if (kern::wake_up_process(task(o.target))) {
            seen.push_back(1);
            paths.insert(path::woke);
          } else {
            seen.push_back(0);
          }
          break;
        case fop::tw_add:
          seen.push_back(kern::task_work_add(task(o.target), &s->items[o.item], kern::TWA_SIGNAL));
          if (seen.back() != 0) paths.insert(path::add_refused);
          break;
        case fop::tw_run:
          seen.push_back(kern::io_run_task_work() ? 1 : 0);
          break;
        case fop::tw_cancel: {
          auto match = [](kern::callback_head* cb, void* data) { return cb == data; };
          seen.push_back(kern::task_work_cancel_match(task(o.target), match, &s->items[o.item]) ? 1 : 0);
          if (seen.back()) paths.insert(path::cancelled);
          break;
        }
        case fop::lock_inc:
          kern::raw_spin_lock(&s->lock);
          kern::atomic_set(x, kern::atomic_read(x) + 1);
          kern::raw_spin_unlock(&s->lock);
          break;
        case fop::sigpend:
          seen.push_back(kern::signal_pending(kern::current()) ? 1 : 0);
          break;
        case fop::exit_tw:
          kern::exit_task_work();
          break;
      }
    }
  }
};

struct ftally {
  std::uint64_t programs = 0, dfs_execs = 0, dpor_execs = 0;
  std::uint64_t too_big = 0;  // candidates replaced because DFS needed more than 30,000 executions
  std::set<path> paths;       // the facade paths DPOR's searches went through
  std::set<int> kinds_seen;
};

chk::options diff_options(bool timeouts) {
  chk::options o;
  o.timeouts = timeouts;
  o.max_timeouts = 1;
  o.count_outcomes = true;
  o.collect_trace = false;
  return o;
}

// DFS must finish within 30,000 executions: the estimate of generate() is rough, and a program
// that needs more is replaced by the seed's next one (counted in too_big).
void compare(std::uint64_t seed, bool timeouts, ftally& t) {
  std::mt19937_64 rng(seed);
  fprogram g;
  chk::result rd;
  std::unique_ptr<frunner> dfs;
  for (;;) {
    g = generate(rng, seed, timeouts);
    dfs = std::make_unique<frunner>(g);
    chk::options o = diff_options(timeouts);
    o.search = chk::search_kind::dfs;
    o.max_executions = 30000;
    rd = chk::explore(dfs->p, o);
    if (rd.v != chk::verdict::inconclusive) break;
    ++t.too_big;
  }
  INFO(g.text);
  frunner dpor(g);
  chk::options o = diff_options(timeouts);
  o.search = chk::search_kind::dpor;
  chk::result rp = chk::explore(dpor.p, o);
  difftest::judge(seed, g.text, rd, rp, dfs->outcomes, dpor.outcomes);
  CHECK(dpor.paths == dfs->paths);
  t.paths.insert(dpor.paths.begin(), dpor.paths.end());
  ++t.programs;
  t.dfs_execs += rd.st.executions;
  t.dpor_execs += rp.st.executions;
  for (const auto& c : g.code)
    for (const fo& op : c) t.kinds_seen.insert(static_cast<int>(op.k));
}

void print_tally(const char* what, const ftally& t) {
  if (!std::getenv("DIFF_DEBUG")) return;
  std::fprintf(stderr, "%s: %llu programs (%llu replaced), dfs %llu dpor %llu executions, paths", what,
               (unsigned long long)t.programs, (unsigned long long)t.too_big, (unsigned long long)t.dfs_execs,
               (unsigned long long)t.dpor_execs);
  for (path x : t.paths) std::fprintf(stderr, " %d", static_cast<int>(x));
  std::fprintf(stderr, "\n");
}

std::uint64_t program_count(std::uint64_t dflt) {
  const char* s = std::getenv("DIFF_COUNT");
  return s ? std::strtoull(s, nullptr, 10) : dflt;
}

}  // namespace

// DIFF_SEED: one program (seeds above 1000000, or DIFF_TIMEOUTS set, with timed sleeps), with
// DIFF_DEBUG for its figures.
TEST_CASE("facade: one generated program (DIFF_SEED)", "[.debug]") {
  ftally t;
  const char* s = std::getenv("DIFF_SEED");
  const std::uint64_t seed = s ? std::strtoull(s, nullptr, 10) : 1;
  compare(seed, seed > 1000000 || std::getenv("DIFF_TIMEOUTS"), t);
  print_tally("facade", t);
}

TEST_CASE("facade: DPOR reaches every outcome DFS reaches on 600 generated kernel-facade programs",
          "[dpor][differential][facade]") {
  ftally t;
  const std::uint64_t n = program_count(600);
  for (std::uint64_t seed = 1; seed <= n; ++seed) compare(seed, false, t);
  print_tally("facade", t);
  CHECK(t.kinds_seen.size() == fop_count);  // every operation was generated
  // The programs go through every path of the facade they can (timers are off here).
  CHECK(t.paths.size() == static_cast<std::size_t>(path::count_) - 1);
  CHECK(!t.paths.count(path::timer_fired));
  CHECK(t.dpor_execs * 3 < t.dfs_execs);  // and the reduction is real on them
}

TEST_CASE("facade: DPOR reaches every outcome DFS reaches with timed sleeps, on 400 programs",
          "[dpor][differential][facade]") {
  ftally t;
  const std::uint64_t n = program_count(400);
  for (std::uint64_t seed = 1000001; seed <= 1000000 + n; ++seed) compare(seed, true, t);
  print_tally("facade, timed sleeps", t);
  CHECK(t.kinds_seen.size() == fop_count);
  // Every path but the wait that runs announced task_work: with timers, the programs that reach it
  // are past DFS's 30,000 executions (the untimed test covers it).
  CHECK(t.paths.size() == static_cast<std::size_t>(path::count_) - 1);
  CHECK(t.paths.count(path::timer_fired));
  CHECK(t.dpor_execs * 3 < t.dfs_execs);
}
