// The native backend of the kernel facade (see native.h): real threads, std::atomic, std::mutex.
#include "model/kernel/native.h"

#include <algorithm>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <memory>
#include <thread>
#include <vector>

#include "model/kernel/kernel.h"

namespace kern {
namespace native {

namespace {

// The harness's bookkeeping atomics (event counter, status words) must be seq_cst for the
// stability scan to be sound, but must not become happens-before edges between the threads under
// test: they run inside this scope (without -fsanitize=thread the atomics just synchronise).
using no_sync = tsan_ignore_sync;

enum status : int {
  st_starting,  // spawned, the thread has not run yet
  st_running,
  st_parked,        // be::park (or park_timeout with an infinite timeout), waiting for the permit
  st_parked_timed,  // park_timeout with a finite timeout
  st_awaiting,      // be::await, its predicate false for the value await_seen of the cell
  st_harness_wait,  // a harness thread in harness_wait
  st_ended,
  st_frozen,  // stopped by be::fail
};

const char* status_name(int s) {
  switch (s) {
    case st_starting:
      return "starting";
    case st_running:
      return "running";
    case st_parked:
      return "parked";
    case st_parked_timed:
      return "parked(timed)";
    case st_awaiting:
      return "awaiting";
    case st_harness_wait:
      return "harness-wait";
    case st_ended:
      return "ended";
    case st_frozen:
      return "frozen";
  }
  return "?";
}

// Every change of a bookkeeping word is bracketed by two increments of g_events (all seq_cst): a
// scan that reads the same count before and after reading the words saw no change in between,
// and no thread did anything between a visible effect and its next bookkeeping change.
std::atomic<std::uint64_t> g_events{0};

struct thread_rec {
  int id = -1;
  std::atomic<const char*> name{"thread"};  // a string literal
  bool spawned = false;
  std::atomic<bool> harness{false};

  std::mutex m;
  std::condition_variable cv;
  bool permit = false;                   // under m
  std::uint64_t wakes = 0;               // under m: unparks so far (await re-evaluates on each)
  std::atomic<bool> permit_seen{false};  // mirror of permit, for scans (bookkeeping)
  std::atomic<int> status{st_running};   // bookkeeping
  std::atomic<std::uint64_t (*)(const void*)> await_peek{nullptr};  // bookkeeping
  std::atomic<const void*> await_cell{nullptr};                     // bookkeeping
  std::atomic<std::uint64_t> await_seen{0};                         // bookkeeping

  // Owned by the thread itself (read by run_end after the thread was joined).
  task_struct* task = nullptr;
  std::vector<std::function<void()>> at_end;
  std::uint64_t rng = 0;
  int rcu_nesting = 0;

  // Owned by the thread that spawned it (written right after std::thread starts it).
  std::thread th;
};

template <class T>
void set_word(std::atomic<T>& w, T v) {
  no_sync ns;
  g_events.fetch_add(1);
  w.store(v);
  g_events.fetch_add(1);
}

void set_status(thread_rec& r, status s) { set_word<int>(r.status, s); }

// ---- the registry: records by id, in chunks published with release/acquire -------------------------
constexpr int k_chunk = 1024;
constexpr int k_chunks = 4096;
struct chunk {
  std::atomic<thread_rec*> e[k_chunk];
};

std::mutex g_reg_mutex;  // allocation of chunks, run_begin/run_end
std::atomic<chunk*> g_chunks[k_chunks];
std::atomic<int> g_next_id{0};
std::atomic<std::uint64_t> g_generation{1};

thread_local thread_rec* tl_rec = nullptr;
thread_local std::uint64_t tl_generation = 0;

// The acquire orders the record's construction before its use by another thread (unpark, scans);
// it also orders the spawner's earlier actions before the unparker's later ones, an edge the
// kernel has as well (a waker finds the task through a pointer its creator published).
thread_rec* lookup(int id) {
  if (id < 0 || id >= k_chunk * k_chunks) return nullptr;
  chunk* c = g_chunks[id / k_chunk].load(std::memory_order_acquire);
  if (!c) return nullptr;
  return c->e[id % k_chunk].load(std::memory_order_acquire);
}

std::uint64_t splitmix(std::uint64_t& x) {
  std::uint64_t z = (x += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

options g_opts;
std::atomic<std::int64_t> g_idle_timeout_us{-1};

thread_rec* new_record(const char* name, bool spawned) {
  const int id = g_next_id.fetch_add(1, std::memory_order_relaxed);
  if (id >= k_chunk * k_chunks) {
    std::fprintf(stderr, "kern(native): more than %d threads in one run\n", k_chunk * k_chunks);
    std::abort();
  }
  auto* r = new thread_rec;
  r->id = id;
  r->name.store(name, std::memory_order_relaxed);
  r->spawned = spawned;
  r->rng = g_opts.seed ^ (0x9e3779b97f4a7c15ULL * static_cast<std::uint64_t>(id + 1));
  (void)splitmix(r->rng);
  std::atomic<chunk*>& slot = g_chunks[id / k_chunk];
  chunk* c = slot.load(std::memory_order_acquire);
  if (!c) {
    std::lock_guard<std::mutex> lk(g_reg_mutex);
    c = slot.load(std::memory_order_acquire);
    if (!c) {
      c = new chunk;
      for (auto& e : c->e) e.store(nullptr, std::memory_order_relaxed);
      slot.store(c, std::memory_order_release);
    }
  }
  if (spawned) r->status.store(st_starting);
  c->e[id % k_chunk].store(r, std::memory_order_release);
  return r;
}

thread_rec& self() {
  const std::uint64_t gen = g_generation.load(std::memory_order_relaxed);
  if (tl_rec && tl_generation == gen) return *tl_rec;
  tl_rec = new_record("thread", false);
  tl_generation = gen;
  return *tl_rec;
}

template <class F>
void for_each_record(F f) {
  const int n = g_next_id.load(std::memory_order_relaxed);
  for (int id = 0; id < n; ++id)
    if (thread_rec* r = lookup(id)) f(*r);
}

// ---- failures -------------------------------------------------------------------------------------
std::mutex g_fail_mutex;
bool g_failed_flag = false;  // under g_fail_mutex
failure_info g_failure;      // under g_fail_mutex
std::atomic<bool> g_failed{false};

std::mutex g_note_mutex;

// Records the run's first failure; later ones are only printed.
void record_failure(const failure_info& info) {
  std::lock_guard<std::mutex> lk(g_fail_mutex);
  if (g_failed_flag) return;
  g_failed_flag = true;
  g_failure = info;
  g_failed.store(true);
}

std::string where(const srcloc& loc) {
  return std::string(loc.file_name()) + ":" + std::to_string(loc.line()) + " (" + loc.function_name() + ")";
}

}  // namespace

std::atomic<step_hook_fn> g_step_hook{nullptr};
std::atomic<bool> g_perturb{false};

__attribute__((no_sanitize("thread"))) void full_fence() { __atomic_thread_fence(__ATOMIC_SEQ_CST); }

const void* thread_mark() {
  thread_local char mark;
  return &mark;
}

void run_begin(const options& o) {
  std::lock_guard<std::mutex> lk(g_reg_mutex);
  g_opts = o;
  g_idle_timeout_us.store(o.idle_timeout.count(), std::memory_order_relaxed);
  g_perturb.store(o.yield_permille > 0 || o.sleep_permille > 0, std::memory_order_relaxed);
  g_generation.fetch_add(1, std::memory_order_relaxed);
  {
    std::lock_guard<std::mutex> fl(g_fail_mutex);
    g_failed_flag = false;
    g_failure = failure_info{};
    g_failed.store(false);
  }
}

const options& opts() { return g_opts; }

void set_idle_timeout(std::chrono::microseconds t) { g_idle_timeout_us.store(t.count(), std::memory_order_relaxed); }

bool run_end(std::chrono::milliseconds join_deadline) {
  const auto deadline = std::chrono::steady_clock::now() + join_deadline;
  // Wait for every spawned thread to end.
  std::vector<thread_rec*> stuck;
  for (;;) {
    stuck.clear();
    for_each_record([&](thread_rec& r) {
      no_sync ns;
      if (r.spawned && r.status.load() != st_ended) stuck.push_back(&r);
    });
    if (stuck.empty() || std::chrono::steady_clock::now() > deadline) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  bool ok = stuck.empty();
  if (!ok) {
    std::fprintf(stderr, "kern(native): run_end: %zu thread(s) still alive after %lld ms:", stuck.size(),
                 static_cast<long long>(join_deadline.count()));
    for (thread_rec* r : stuck) {
      no_sync ns;
      std::fprintf(stderr, " %s#%d(%s)", r->name.load(), r->id, status_name(r->status.load()));
    }
    std::fprintf(stderr, "; their memory is leaked\n");
  }
  // Join in id order: a spawner has a smaller id than the threads it spawned, and joining it first
  // orders its write of their std::thread before our use of it.
  for_each_record([&](thread_rec& r) {
    if (!r.th.joinable()) return;
    bool ended;
    {
      no_sync ns;
      ended = r.status.load() == st_ended;
    }
    if (ended)
      r.th.join();
    else
      r.th.detach();
  });
  std::lock_guard<std::mutex> lk(g_reg_mutex);
  const int n = g_next_id.load(std::memory_order_relaxed);
  if (ok) {
    for (int id = n - 1; id >= 0; --id) {
      thread_rec* r = lookup(id);
      if (!r) continue;
      for (auto it = r->at_end.rbegin(); it != r->at_end.rend(); ++it) (*it)();
      r->at_end.clear();
    }
  }
  for (int id = 0; id < n; ++id) {
    chunk* c = g_chunks[id / k_chunk].load(std::memory_order_acquire);
    thread_rec* r = c->e[id % k_chunk].exchange(nullptr, std::memory_order_acq_rel);
    // A thread left behind may still use its record: leak it with the rest.
    if (r && ok) delete r;
  }
  g_next_id.store(0, std::memory_order_relaxed);
  g_generation.fetch_add(1, std::memory_order_relaxed);
  g_step_hook.store(nullptr);
  return ok;
}

bool failed() { return g_failed.load(); }

failure_info first_failure() {
  std::lock_guard<std::mutex> lk(g_fail_mutex);
  return g_failure;
}

void set_step_hook(step_hook_fn hook) { g_step_hook.store(hook); }

void register_harness_thread(const char* name) {
  thread_rec& r = self();
  r.name.store(name);
  r.harness.store(true);
}

void harness_thread_done() {
  thread_rec& r = self();
  set_status(r, st_ended);
  r.harness.store(false);
}

void harness_wait(std::chrono::microseconds d) {
  thread_rec& r = self();
  std::unique_lock<std::mutex> lk(r.m);
  if (!r.permit) {
    set_status(r, st_harness_wait);
    r.cv.wait_for(lk, d, [&] { return r.permit; });
    set_status(r, st_running);
  }
  if (r.permit) {
    r.permit = false;
    set_word(r.permit_seen, false);
  }
}

scan_result scan() {
  scan_result res;
  thread_rec* me = tl_rec && tl_generation == g_generation.load(std::memory_order_relaxed) ? tl_rec : nullptr;
  const bool infinite = g_idle_timeout_us.load(std::memory_order_relaxed) < 0;
  // The records are looked up with their publication ordered (their constant fields are read
  // below); only the bookkeeping words are read without synchronisation.
  std::vector<thread_rec*> recs;
  for_each_record([&](thread_rec& r) { recs.push_back(&r); });
  no_sync ns;
  const std::uint64_t e0 = g_events.load();
  bool all_ok = true;
  for (thread_rec* rp : recs) {
    thread_rec& r = *rp;
    if (&r == me) continue;
    const bool harness = r.harness.load();
    if (!r.spawned && !harness) continue;
    const int s = r.status.load();
    bool ok = false;
    switch (s) {
      case st_ended:
        ok = true;
        break;
      case st_parked:
        ok = !r.permit_seen.load();
        break;
      case st_parked_timed:
        ok = infinite && !r.permit_seen.load();
        break;
      case st_awaiting: {
        auto peek = r.await_peek.load();
        const void* cell = r.await_cell.load();
        ok = peek && cell && peek(cell) == r.await_seen.load();
        break;
      }
      case st_harness_wait:
        ok = harness && !r.permit_seen.load();
        break;
      default:
        ok = false;
        break;
    }
    const char* name = r.name.load();
    if (r.spawned && s != st_ended) {
      res.spawned_alive++;
      if (ok) res.spawned_blocked++;
      if (std::strncmp(name, "iou-wrk", 7) == 0) res.io_threads_alive++;
    }
    if (!ok) {
      all_ok = false;
      if (res.detail.size() < 400)
        res.detail += std::string(" ") + name + "#" + std::to_string(r.id) + "(" + status_name(s) + ")";
    }
  }
  const std::uint64_t e1 = g_events.load();
  res.stable = all_ok && e0 == e1;
  if (all_ok && e0 != e1) res.detail += " (events moved during the scan)";
  return res;
}

int alive_threads(const char* name_prefix) {
  int n = 0;
  for_each_record([&](thread_rec& r) {
    no_sync ns;
    if (r.spawned && r.status.load() != st_ended &&
        std::strncmp(r.name.load(), name_prefix, std::strlen(name_prefix)) == 0)
      n++;
  });
  return n;
}

bool wait_spawned_exited(std::chrono::milliseconds deadline) {
  const auto end = std::chrono::steady_clock::now() + deadline;
  for (;;) {
    bool any = false;
    for_each_record([&](thread_rec& r) {
      no_sync ns;
      if (r.spawned && r.status.load() != st_ended) any = true;
    });
    if (!any) return true;
    if (std::chrono::steady_clock::now() > end) return false;
    std::this_thread::sleep_for(std::chrono::microseconds(200));
  }
}

std::uint64_t random_below(std::uint64_t n) {
  if (n <= 1) return 0;
  return splitmix(self().rng) % n;
}

void perturb() {
  thread_rec& r = self();
  const std::uint64_t x = splitmix(r.rng);
  const unsigned a = static_cast<unsigned>(x % 1000);
  if (a < g_opts.sleep_permille) {
    const unsigned span = g_opts.sleep_max_us > g_opts.sleep_min_us ? g_opts.sleep_max_us - g_opts.sleep_min_us : 0;
    const unsigned us = g_opts.sleep_min_us + (span ? static_cast<unsigned>((x >> 20) % (span + 1)) : 0);
    std::this_thread::sleep_for(std::chrono::microseconds(us));
  } else if (a < g_opts.sleep_permille + g_opts.yield_permille) {
    std::this_thread::yield();
  }
}

}  // namespace native

namespace be {

using native::thread_rec;

int this_thread() { return native::self().id; }

int spawn(std::function<void()> body, const char* name, bool /*daemon*/, srcloc loc) {
  native::step(loc, "spawn");
  thread_rec* r = native::new_record(name, true);
  std::function<void()> init;
  if (native::g_opts.inherit) init = native::g_opts.inherit();
  const std::uint64_t gen = native::g_generation.load(std::memory_order_relaxed);
  r->th = std::thread([r, gen, body = std::move(body), init = std::move(init)] {
    native::tl_rec = r;
    native::tl_generation = gen;
    native::set_status(*r, native::st_running);
    if (init) init();
    try {
      body();
    } catch (const native::failure_exception&) {
      // Already recorded by be::fail.
    } catch (...) {
      std::fprintf(stderr, "kern(native): thread %s#%d ended with an exception\n", r->name.load(), r->id);
      native::record_failure({"exception", "uncaught exception", "", r->name.load()});
    }
    if (r->rcu_nesting != 0) {
      std::fprintf(stderr, "kern(native): thread %s#%d ended inside an RCU read section\n", r->name.load(), r->id);
      native::record_failure({"rcu", "thread ended inside rcu_read_lock()", "", r->name.load()});
    }
    native::set_status(*r, native::st_ended);
  });
  return r->id;
}

void park(srcloc loc, const char* label) {
  native::step(loc, label);
  thread_rec& r = native::self();
  std::unique_lock<std::mutex> lk(r.m);
  if (!r.permit) {
    native::set_status(r, native::st_parked);
    r.cv.wait(lk, [&] { return r.permit; });
    native::set_status(r, native::st_running);
  }
  r.permit = false;
  native::set_word(r.permit_seen, false);
}

bool park_timeout(srcloc loc, const char* label) {
  const std::int64_t us = native::g_idle_timeout_us.load(std::memory_order_relaxed);
  if (us < 0) {
    park(loc, label);
    return true;
  }
  native::step(loc, label);
  thread_rec& r = native::self();
  std::unique_lock<std::mutex> lk(r.m);
  if (!r.permit) {
    native::set_status(r, native::st_parked_timed);
    r.cv.wait_for(lk, std::chrono::microseconds(us), [&] { return r.permit; });
    native::set_status(r, native::st_running);
  }
  if (!r.permit) return false;
  r.permit = false;
  native::set_word(r.permit_seen, false);
  return true;
}

void unpark(int t, srcloc loc, const char* label) {
  native::step(loc, label);
  thread_rec* r = native::lookup(t);
  if (!r) return;
  std::lock_guard<std::mutex> lk(r->m);
  r->permit = true;
  r->wakes++;
  native::set_word(r->permit_seen, true);
  r->cv.notify_one();
}

namespace detail {

void await_slow(const std::function<bool()>& pred, std::uint64_t (*peek)(const void*), const void* cell) {
  thread_rec& r = native::self();
  std::unique_lock<std::mutex> lk(r.m);
  bool waiting = false;
  auto backoff = std::chrono::microseconds(50);
  for (;;) {
    const std::uint64_t wakes = r.wakes;
    const std::uint64_t seen = peek(cell);
    // pred runs facade loads (steps, perturbation): not under the record's lock.
    lk.unlock();
    const bool done = pred();
    lk.lock();
    if (done) break;
    if (!waiting) {
      native::set_word(r.await_peek, peek);
      native::set_word(r.await_cell, cell);
      native::set_word(r.await_seen, seen);
      native::set_status(r, native::st_awaiting);
      waiting = true;
    } else {
      native::no_sync ns;
      if (r.await_seen.load() != seen) native::set_word(r.await_seen, seen);
    }
    // Woken by an unpark of this thread at once; a store without an unpark (wake_up_new_task) is
    // noticed by the next poll.
    r.cv.wait_for(lk, backoff, [&] { return r.wakes != wakes; });
    backoff = std::min(backoff * 2, std::chrono::microseconds(1000));
  }
  if (waiting) native::set_status(r, native::st_running);
}

}  // namespace detail

int choose(int n, srcloc loc, const char* label) {
  native::step(loc, label);
  return static_cast<int>(native::random_below(static_cast<std::uint64_t>(n)));
}

void fail(const char* property, std::string message, srcloc loc) {
  thread_rec& r = native::self();
  native::failure_info info{property, std::move(message), native::where(loc),
                            std::string(r.name.load()) + "#" + std::to_string(r.id)};
  native::record_failure(info);
  std::fprintf(stderr, "kern(native): %s violated: %s at %s [%s]\n", info.property.c_str(), info.message.c_str(),
               info.where.c_str(), info.thread.c_str());
  if (!r.spawned) throw native::failure_exception{info};
  native::set_status(r, native::st_frozen);
  std::unique_lock<std::mutex> lk(r.m);
  for (;;) r.cv.wait(lk);
}

void rcu_read_lock() { native::self().rcu_nesting++; }

void rcu_read_unlock() {
  thread_rec& r = native::self();
  if (--r.rcu_nesting < 0) fail("rcu", "rcu_read_unlock() without rcu_read_lock()", srcloc::current());
}

namespace {
std::atomic<long> g_frees{0};
std::atomic<long> g_rcu_frees{0};
}  // namespace

void free_now(const void*, std::size_t, srcloc loc) {
  native::step(loc, "kfree");
  g_frees.fetch_add(1, std::memory_order_relaxed);
}

void free_rcu(const void*, std::size_t, srcloc loc) {
  native::step(loc, "kfree_rcu");
  g_rcu_frees.fetch_add(1, std::memory_order_relaxed);
}

void at_execution_end(std::function<void()> f) { native::self().at_end.push_back(std::move(f)); }

void exit_thread() { throw task_exit{}; }

task_struct*& current_slot() { return native::self().task; }

void note(std::string text) {
  if (!native::g_opts.trace_notes) return;
  std::lock_guard<std::mutex> lk(native::g_note_mutex);
  std::fprintf(stderr, "[note] %s\n", text.c_str());
}

}  // namespace be
}  // namespace kern
