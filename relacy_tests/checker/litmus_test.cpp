// Litmus tests of the checker: small programs whose answers are known, each run under exhaustive
// DFS and DPOR. Every bug found also round-trips through its replay file.
#include "litmus.h"

using chk::failure_kind;
using chk::search_kind;
using chk::verdict;

namespace {

// n threads, each doing k times {lock; x++; unlock} with x a plain field.
struct mutex_counter {
  struct state {
    chk::mutex m{"m"};
    chk::plain<int> x{0, "x"};
  };
  std::unique_ptr<state> s;
  chk::program p;
  mutex_counter(int n, int k) {
    p.name = "mutex-counter-" + std::to_string(n) + "x" + std::to_string(k);
    p.threads = n;
    p.setup = [this] { s = std::make_unique<state>(); };
    p.thread = [this, k](int) {
      for (int i = 0; i < k; ++i) {
        s->m.lock();
        s->x = s->x + 1;
        s->m.unlock();
      }
    };
    p.finish = [this, n, k] { chk::check(s->x.peek() == n * k, "x counts every increment"); };
  }
};

std::uint64_t factorial(int n) { return n <= 1 ? 1 : static_cast<std::uint64_t>(n) * factorial(n - 1); }

// Blocked threads are not schedulable and plain accesses are not scheduling points, so once a
// thread holds the lock the only enabled step is its own unlock: the executions are exactly the
// orders of the n*k critical sections that respect each thread's order, (nk)! / (k!)^n.
std::uint64_t critical_section_orders(int n, int k) {
  std::uint64_t d = 1;
  for (int i = 0; i < n; ++i) d *= factorial(k);
  return factorial(n * k) / d;
}

}  // namespace

TEST_CASE("mutex counter, 2 threads x 2: verified, DFS explores exactly the 6 critical-section orders", "[litmus]") {
  mutex_counter mc(2, 2);
  auto [dfs, dpor] = litmus::both(mc.p, verdict::verified);
  CHECK(critical_section_orders(2, 2) == 6);
  CHECK(dfs.st.executions == 6);
  CHECK(dpor.st.executions == 6);  // every order is its own Mazurkiewicz trace
}

TEST_CASE("mutex counter, 3 threads x 2: verified, DFS explores exactly 6!/(2!2!2!) = 90", "[litmus]") {
  mutex_counter mc(3, 2);
  auto [dfs, dpor] = litmus::both(mc.p, verdict::verified);
  CHECK(dfs.st.executions == critical_section_orders(3, 2));
  CHECK(dfs.st.executions == 90);
  CHECK(dpor.st.executions == 90);
}

TEST_CASE("mutex counter, 3 threads x 3: verified, 9!/(3!3!3!) = 1680 executions", "[litmus]") {
  mutex_counter mc(3, 3);
  auto [dfs, dpor] = litmus::both(mc.p, verdict::verified);
  CHECK(dfs.st.executions == 1680);
  CHECK(dpor.st.executions == 1680);
}

TEST_CASE("independent writers: DFS explores every interleaving, DPOR exactly one", "[litmus][dpor]") {
  struct state {
    chk::atomic<int> v[3] = {chk::atomic<int>{0, "v0"}, chk::atomic<int>{0, "v1"}, chk::atomic<int>{0, "v2"}};
  };
  std::unique_ptr<state> s;
  chk::program p;
  p.name = "independent-writers";
  p.threads = 3;
  p.setup = [&] { s = std::make_unique<state>(); };
  p.thread = [&](int i) {
    s->v[i].store(1);
    s->v[i].store(2);
  };
  auto [dfs, dpor] = litmus::both(p, verdict::verified);
  CHECK(dfs.st.executions == 90);  // 6! / (2! 2! 2!)
  CHECK(dpor.st.executions == 1);
}

TEST_CASE("unsynchronised counter (atomic load then store): the lost update is found", "[litmus]") {
  struct state {
    chk::atomic<int> x{0, "x"};
  };
  std::unique_ptr<state> s;
  chk::program p;
  p.name = "lost-update";
  p.threads = 2;
  p.setup = [&] { s = std::make_unique<state>(); };
  p.thread = [&](int) {
    int v = s->x.load();
    s->x.store(v + 1);
  };
  p.finish = [&] { chk::check(s->x.peek() == 2, "both increments counted"); };
  auto [dfs, dpor] = litmus::both(p, verdict::violated);
  CHECK(dfs.fail->kind == failure_kind::end_check);
  CHECK(dpor.fail->kind == failure_kind::end_check);
  litmus::check_replays(p, litmus::with(search_kind::dfs), dfs);
  litmus::check_replays(p, litmus::with(search_kind::dpor), dpor);
}

TEST_CASE("unsynchronised counter on a plain field: the data race is found", "[litmus]") {
  struct state {
    chk::plain<int> x{0, "x"};
  };
  std::unique_ptr<state> s;
  chk::program p;
  p.name = "plain-counter";
  p.threads = 2;
  p.setup = [&] { s = std::make_unique<state>(); };
  p.thread = [&](int) { s->x = s->x + 1; };
  auto [dfs, dpor] = litmus::both(p, verdict::violated);
  CHECK(dfs.fail->kind == failure_kind::data_race);
  CHECK(dpor.fail->kind == failure_kind::data_race);
  CHECK(dpor.fail->message.find("data race on x") != std::string::npos);
  litmus::check_replays(p, litmus::with(search_kind::dpor), dpor);
}

TEST_CASE("ABBA lock order: the deadlock is found", "[litmus]") {
  struct state {
    chk::mutex a{"A"}, b{"B"};
  };
  std::unique_ptr<state> s;
  chk::program p;
  p.name = "abba";
  p.threads = 2;
  p.setup = [&] { s = std::make_unique<state>(); };
  p.thread = [&](int i) {
    chk::mutex& first = i == 0 ? s->a : s->b;
    chk::mutex& second = i == 0 ? s->b : s->a;
    first.lock();
    second.lock();
    second.unlock();
    first.unlock();
  };
  auto [dfs, dpor] = litmus::both(p, verdict::violated);
  CHECK(dfs.fail->kind == failure_kind::deadlock);
  CHECK(dpor.fail->kind == failure_kind::deadlock);
  litmus::check_replays(p, litmus::with(search_kind::dpor), dpor);

  // The same threads taking the locks in one order: verified.
  p.name = "ab-ab";
  p.thread = [&](int) {
    s->a.lock();
    s->b.lock();
    s->b.unlock();
    s->a.unlock();
  };
  litmus::both(p, verdict::verified);
}

namespace {
// Message passing: the writer fills a plain payload and raises a flag; the reader waits for the
// flag and reads the payload. Ordered only if the flag store releases and its load acquires.
chk::program message_passing(std::memory_order store_mo, std::memory_order load_mo, bool& reader_saw) {
  struct state {
    chk::plain<int> data{0, "data"};
    chk::atomic<int> flag{0, "flag"};
  };
  auto s = std::make_shared<std::unique_ptr<state>>();
  chk::program p;
  p.name = "message-passing";
  p.threads = 2;
  p.setup = [s] { *s = std::make_unique<state>(); };
  p.thread = [s, store_mo, load_mo, &reader_saw](int i) {
    state& st = **s;
    if (i == 0) {
      st.data = 42;
      st.flag.store(1, store_mo);
    } else if (st.flag.load(load_mo) == 1) {
      int d = st.data;
      reader_saw = true;
      chk::check(d == 42, "payload visible after the flag");
    }
  };
  return p;
}
}  // namespace

TEST_CASE("message passing: release/acquire verified, relaxed flag is a data race", "[litmus][race]") {
  bool saw = false;
  auto ok = message_passing(std::memory_order_release, std::memory_order_acquire, saw);
  litmus::both(ok, verdict::verified);
  CHECK(saw);  // the reader did reach the payload in some execution

  auto relaxed = message_passing(std::memory_order_relaxed, std::memory_order_relaxed, saw);
  auto [dfs, dpor] = litmus::both(relaxed, verdict::violated);
  CHECK(dpor.fail->kind == failure_kind::data_race);
  litmus::check_replays(relaxed, litmus::with(search_kind::dpor), dpor);

  auto release_only = message_passing(std::memory_order_release, std::memory_order_relaxed, saw);
  auto r = litmus::run(release_only, litmus::with(search_kind::dpor));
  REQUIRE(r.fail);
  CHECK(r.fail->kind == failure_kind::data_race);
}

TEST_CASE("release and acquire fences order relaxed accesses", "[litmus][race]") {
  struct state {
    chk::plain<int> data{0, "data"};
    chk::atomic<int> flag{0, "flag"};
  };
  std::unique_ptr<state> s;
  chk::program p;
  p.name = "fenced-message-passing";
  p.threads = 2;
  p.setup = [&] { s = std::make_unique<state>(); };
  p.thread = [&](int i) {
    if (i == 0) {
      s->data = 1;
      chk::fence(std::memory_order_release);
      s->flag.store(1, std::memory_order_relaxed);
    } else if (s->flag.load(std::memory_order_relaxed)) {
      chk::fence(std::memory_order_acquire);
      chk::check(s->data == 1, "payload visible");
    }
  };
  litmus::both(p, verdict::verified);
}

namespace {
// Peterson's lock protecting a plain counter. `flag_first` is the correct order (raise the flag,
// then give away the turn); the other order breaks mutual exclusion.
chk::program peterson(bool flag_first, std::memory_order mo) {
  struct state {
    chk::atomic<int> flag[2] = {chk::atomic<int>{0, "flag", 0}, chk::atomic<int>{0, "flag", 1}};
    chk::atomic<int> turn{0, "turn"};
    chk::atomic<int> inside{0, "inside"};
    chk::plain<int> data{0, "data"};
  };
  auto s = std::make_shared<std::unique_ptr<state>>();
  chk::program p;
  p.name = std::string("peterson-") + (flag_first ? "correct" : "turn-first");
  p.threads = 2;
  p.setup = [s] { *s = std::make_unique<state>(); };
  p.thread = [s, flag_first, mo](int i) {
    state& st = **s;
    const int o = 1 - i;
    if (flag_first) {
      st.flag[i].store(1, mo);
      st.turn.store(o, mo);
    } else {
      st.turn.store(o, mo);
      st.flag[i].store(1, mo);
    }
    chk::await([&] { return st.flag[o].load(mo) == 0 || st.turn.load(mo) == i; }, {st.flag[o], st.turn});
    chk::check(st.inside.fetch_add(1, mo) == 0, "mutual exclusion");
    st.data = st.data + 1;
    st.inside.fetch_sub(1, mo);
    st.flag[i].store(0, mo);
  };
  p.finish = [s] { chk::check((*s)->data.peek() == 2, "both critical sections ran"); };
  return p;
}

// Dekker's algorithm, with the busy waits written as awaits.
chk::program dekker(bool correct) {
  struct state {
    chk::atomic<int> flag[2] = {chk::atomic<int>{0, "flag", 0}, chk::atomic<int>{0, "flag", 1}};
    chk::atomic<int> turn{0, "turn"};
    chk::atomic<int> inside{0, "inside"};
    chk::plain<int> data{0, "data"};
  };
  auto s = std::make_shared<std::unique_ptr<state>>();
  chk::program p;
  p.name = std::string("dekker-") + (correct ? "correct" : "no-flag-check");
  p.threads = 2;
  p.setup = [s] { *s = std::make_unique<state>(); };
  p.thread = [s, correct](int i) {
    state& st = **s;
    const int o = 1 - i;
    st.flag[i].store(1);
    if (correct) {
      for (;;) {
        chk::await([&] { return st.flag[o].load() == 0 || st.turn.load() != i; }, {st.flag[o], st.turn});
        if (st.flag[o].load() == 0) break;
        if (st.turn.load() != i) {
          st.flag[i].store(0);
          chk::await([&] { return st.turn.load() == i; }, {st.turn});
          st.flag[i].store(1);
        }
      }
    }
    chk::check(st.inside.fetch_add(1) == 0, "mutual exclusion");
    st.data = st.data + 1;
    st.inside.fetch_sub(1);
    st.turn.store(o);
    st.flag[i].store(0);
  };
  p.finish = [s] { chk::check((*s)->data.peek() == 2, "both critical sections ran"); };
  return p;
}
}  // namespace

TEST_CASE("Peterson with seq_cst atomics: verified", "[litmus][peterson]") {
  litmus::both(peterson(true, std::memory_order_seq_cst), verdict::verified);
}

TEST_CASE("Peterson giving away the turn before raising the flag: mutual exclusion broken", "[litmus][peterson]") {
  auto p = peterson(false, std::memory_order_seq_cst);
  auto [dfs, dpor] = litmus::both(p, verdict::violated);
  CHECK(dpor.fail->kind == failure_kind::assertion);
  CHECK(dpor.fail->message == "mutual exclusion");
  litmus::check_replays(p, litmus::with(search_kind::dpor), dpor);
}

TEST_CASE("Peterson with relaxed atomics: the critical sections are not ordered (data race)", "[litmus][peterson]") {
  auto p = peterson(true, std::memory_order_relaxed);
  auto [dfs, dpor] = litmus::both(p, verdict::violated);
  CHECK(dpor.fail->kind == failure_kind::data_race);
}

TEST_CASE("Dekker with seq_cst atomics: verified; without the flag check: broken", "[litmus][dekker]") {
  litmus::both(dekker(true), verdict::verified);
  auto bad = dekker(false);
  auto [dfs, dpor] = litmus::both(bad, verdict::violated);
  CHECK(dpor.fail->kind == failure_kind::assertion);
  litmus::check_replays(bad, litmus::with(search_kind::dpor), dpor);
}

namespace {
// The sleep/wake protocol of the kernel's task state: the waker sets the condition and then wakes
// the waiter only if it is sleeping (like wake_up_process). The waiter must publish that it
// sleeps before checking the condition; checking first loses the wakeup.
chk::program flag_then_sleep(bool recheck) {
  enum { running = 0, sleeping = 1 };
  struct state {
    chk::atomic<int> flag{0, "flag"};
    chk::atomic<int> task_state{running, "task_state"};
  };
  auto s = std::make_shared<std::unique_ptr<state>>();
  chk::program p;
  p.name = std::string("flag-then-sleep-") + (recheck ? "recheck" : "no-recheck");
  p.threads = 2;
  p.setup = [s] { *s = std::make_unique<state>(); };
  p.thread = [s, recheck](int i) {
    state& st = **s;
    if (i == 0) {
      for (;;) {
        if (recheck) {
          st.task_state.store(sleeping);
          if (st.flag.load()) break;
        } else {
          if (st.flag.load()) break;
          st.task_state.store(sleeping);
        }
        chk::park_for();
      }
      st.task_state.store(running);
    } else {
      st.flag.store(1);
      if (st.task_state.exchange(running) == sleeping) chk::unpark(0);
    }
  };
  return p;
}
}  // namespace

TEST_CASE("flag then sleep without the re-check: lost wakeup is a deadlock with timeouts off", "[litmus][wakeup]") {
  auto p = flag_then_sleep(false);
  auto [dfs, dpor] = litmus::both(p, verdict::violated);
  CHECK(dfs.fail->kind == failure_kind::deadlock);
  CHECK(dpor.fail->kind == failure_kind::deadlock);
  litmus::check_replays(p, litmus::with(search_kind::dpor), dpor);
}

TEST_CASE("flag then sleep without the re-check: passes when a timeout may fire", "[litmus][wakeup]") {
  chk::options o;
  o.timeouts = true;
  o.max_timeouts = 1;
  litmus::both(flag_then_sleep(false), verdict::verified, o);
}

TEST_CASE("flag then sleep with the re-check: verified with timeouts off", "[litmus][wakeup]") {
  litmus::both(flag_then_sleep(true), verdict::verified);
}

TEST_CASE("spawn and join: verified; DFS explores the 5 linearisations, DPOR the 2 orders", "[litmus][threads]") {
  struct state {
    chk::atomic<int> x{0, "x"};
    chk::plain<int> out[2] = {chk::plain<int>{0, "out", 0}, chk::plain<int>{0, "out", 1}};
  };
  std::unique_ptr<state> s;
  chk::program p;
  p.name = "spawn-join";
  p.threads = 1;
  p.setup = [&] { s = std::make_unique<state>(); };
  p.thread = [&](int) {
    int a = chk::spawn([&] { s->out[0] = s->x.fetch_add(1); });
    int b = chk::spawn([&] { s->out[1] = s->x.fetch_add(1); });
    chk::join(a);
    chk::join(b);
    // Join orders the children's plain writes before these reads.
    chk::check(s->out[0] + s->out[1] == 1, "each child saw a different count");
    chk::check(s->x.load() == 2, "both children counted");
  };
  auto [dfs, dpor] = litmus::both(p, verdict::verified);
  // Orders of spawn1 < spawn2 < join1 < join2 with add1 between spawn1 and join1 and add2 between
  // spawn2 and join2: 5 linear extensions. Up to equivalence only the order of the two adds counts.
  CHECK(dfs.st.executions == 5);
  CHECK(dpor.st.executions == 2);
}

TEST_CASE("reading a child's plain write without join is a data race", "[litmus][threads][race]") {
  struct state {
    chk::plain<int> v{0, "v"};
  };
  std::unique_ptr<state> s;
  chk::program p;
  p.name = "no-join";
  p.threads = 1;
  p.setup = [&] { s = std::make_unique<state>(); };
  p.thread = [&](int) {
    chk::spawn([&] { s->v = 1; });
    int seen = s->v;
    (void)seen;
  };
  auto [dfs, dpor] = litmus::both(p, verdict::violated);
  CHECK(dpor.fail->kind == failure_kind::data_race);
  litmus::check_replays(p, litmus::with(search_kind::dpor), dpor);
}

TEST_CASE("spinlock misuse is reported", "[litmus][spinlock]") {
  struct state {
    chk::spinlock l{"l"};
    chk::mutex m{"m"};
  };
  std::unique_ptr<state> s;
  chk::program p;
  p.threads = 1;
  p.setup = [&] { s = std::make_unique<state>(); };

  SECTION("double lock") {
    p.name = "spin-double-lock";
    p.thread = [&](int) {
      s->l.lock();
      s->l.lock();
    };
    auto [dfs, dpor] = litmus::both(p, verdict::violated);
    CHECK(dpor.fail->kind == failure_kind::lock_misuse);
    CHECK(dpor.fail->message.find("already held") != std::string::npos);
    litmus::check_replays(p, litmus::with(search_kind::dpor), dpor);
  }
  SECTION("unlock by a thread that does not hold it") {
    p.name = "spin-unlock-by-other";
    p.threads = 2;
    p.thread = [&](int i) {
      if (i == 0) {
        s->l.lock();
        s->l.unlock();
      } else {
        s->l.unlock();
      }
    };
    auto [dfs, dpor] = litmus::both(p, verdict::violated);
    CHECK(dpor.fail->kind == failure_kind::lock_misuse);
    litmus::check_replays(p, litmus::with(search_kind::dpor), dpor);
  }
  SECTION("sleeping while holding a spinlock") {
    p.name = "spin-then-sleep";
    p.thread = [&](int) {
      s->l.lock();
      s->m.lock();
      s->m.unlock();
      s->l.unlock();
    };
    auto [dfs, dpor] = litmus::both(p, verdict::violated);
    CHECK(dpor.fail->kind == failure_kind::blocking_in_atomic);
    litmus::check_replays(p, litmus::with(search_kind::dpor), dpor);
  }
  SECTION("exit holding a spinlock") {
    p.name = "spin-exit-held";
    p.thread = [&](int) { s->l.lock(); };
    auto [dfs, dpor] = litmus::both(p, verdict::violated);
    CHECK(dpor.fail->kind == failure_kind::lock_misuse);
    litmus::check_replays(p, litmus::with(search_kind::dpor), dpor);
  }
  SECTION("correct nesting of a mutex around a spinlock: verified") {
    p.name = "mutex-then-spin";
    p.threads = 2;
    p.thread = [&](int) {
      s->m.lock();
      s->l.lock();
      s->l.unlock();
      s->m.unlock();
    };
    litmus::both(p, verdict::verified);
  }
}

TEST_CASE("a spin loop that nobody ends is a livelock at the step bound", "[litmus][livelock]") {
  struct state {
    chk::atomic<int> flag{0, "flag"};
  };
  std::unique_ptr<state> s;
  chk::program p;
  p.name = "spin-forever";
  p.threads = 1;
  p.setup = [&] { s = std::make_unique<state>(); };
  p.thread = [&](int) {
    while (!s->flag.load()) {
    }
  };
  chk::options o;
  o.max_steps = 200;
  auto [dfs, dpor] = litmus::both(p, verdict::violated, o);
  CHECK(dpor.fail->kind == failure_kind::livelock);
  litmus::check_replays(p, o, dpor);
}

TEST_CASE("daemons may stay blocked at the end; other threads blocked forever deadlock", "[litmus][threads]") {
  struct state {
    chk::atomic<int> done{0, "done"};
  };
  std::unique_ptr<state> s;
  bool daemon = true;
  chk::program p;
  p.name = "idle-daemon";
  p.threads = 1;
  p.setup = [&] { s = std::make_unique<state>(); };
  p.thread = [&](int) {
    auto idle = [&] {
      s->done.store(1);
      chk::park();
    };
    if (daemon)
      chk::spawn_daemon(idle);
    else
      chk::spawn(idle);
  };
  p.finish = [&] { chk::check(s->done.peek() == 1, "the daemon ran before the end"); };
  litmus::both(p, verdict::verified);
  daemon = false;
  auto [dfs, dpor] = litmus::both(p, verdict::violated);
  CHECK(dpor.fail->kind == failure_kind::deadlock);
}

TEST_CASE("end-of-execution check judges the final state", "[litmus]") {
  struct state {
    chk::atomic<int> x{0, "x"};
  };
  std::unique_ptr<state> s;
  chk::program p;
  p.name = "last-writer";
  p.threads = 2;
  p.setup = [&] { s = std::make_unique<state>(); };
  p.thread = [&](int i) { s->x.store(i + 1); };
  p.finish = [&] { chk::check(s->x.peek() == 2, "thread 1 writes last"); };
  auto [dfs, dpor] = litmus::both(p, verdict::violated);
  CHECK(dpor.fail->kind == failure_kind::end_check);
  litmus::check_replays(p, litmus::with(search_kind::dpor), dpor);
}

TEST_CASE("use after free, and RCU's deferred free", "[litmus][memory]") {
  struct node {
    chk::atomic<int> val{7, "node.val"};
  };
  struct state {
    node* n = new node;
    chk::atomic<node*> ptr{nullptr, "ptr"};
    ~state() { delete n; }
  };
  std::unique_ptr<state> s;
  bool rcu = true;
  chk::program p;
  p.name = "rcu-reader";
  p.threads = 2;
  p.setup = [&] {
    s = std::make_unique<state>();
    s->ptr.store(s->n);
  };
  p.thread = [&](int i) {
    if (i == 0) {
      chk::rcu_read_lock();
      node* n = s->ptr.load();
      if (n) chk::check(n->val.load() == 7, "node intact");
      chk::rcu_read_unlock();
    } else {
      s->ptr.store(nullptr);
      if (rcu)
        chk::free_object_rcu(s->n, sizeof(node));
      else
        chk::free_object(s->n, sizeof(node));
    }
  };
  litmus::both(p, verdict::verified);
  rcu = false;
  p.name = "freed-under-reader";
  auto [dfs, dpor] = litmus::both(p, verdict::violated);
  CHECK(dpor.fail->kind == failure_kind::use_after_free);
  litmus::check_replays(p, litmus::with(search_kind::dpor), dpor);
}
