#include "catalog.h"

#include <cstring>
#include <stdexcept>

#include "chk/shadow.h"

namespace chk::litmus {

namespace {

// An instance whose state is rebuilt by setup for every execution.
template <class State>
struct with : instance {
  std::unique_ptr<State> s;
  explicit with(const char* name, int threads) {
    p.name = name;
    p.threads = threads;
    p.setup = [this] { s = std::make_unique<State>(); };
    p.teardown = [this] { s.reset(); };
  }
};

template <class State, class Build>
std::function<std::unique_ptr<instance>()> make(const char* name, int threads, Build build) {
  return [name, threads, build] {
    auto in = std::make_unique<with<State>>(name, threads);
    build(*in);
    return in;
  };
}

options steps(int n) {
  options o;
  o.max_steps = n;
  return o;
}

options non_preemptible_rcu() {
  options o;
  o.rcu = rcu_flavour::non_preemptible;
  return o;
}

options timeouts_on() {
  options o;
  o.timeouts = true;
  o.max_timeouts = 1;
  return o;
}

// ---- the programs ---------------------------------------------------------------------------

struct counter_state {
  mutex m{"m"};
  plain<int> x{0, "x"};
};

// n threads each doing k times {lock; x++; unlock}. Blocked threads are not schedulable and plain
// accesses are not scheduling points, so the only choices are which thread takes the free lock:
// the executions are the orders of the n*k critical sections, (nk)! / (k!)^n.
std::function<std::unique_ptr<instance>()> mutex_counter(const char* name, int n, int k) {
  return make<counter_state>(name, n, [n, k](with<counter_state>& in) {
    in.p.thread = [&in, k](int) {
      for (int i = 0; i < k; ++i) {
        in.s->m.lock();
        in.s->x = in.s->x + 1;
        in.s->m.unlock();
      }
    };
    in.p.finish = [&in, n, k] { check(in.s->x.peek() == n * k, "x counts every increment"); };
  });
}

struct writers_state {
  atomic<int> v[3] = {atomic<int>{0, "v", 0}, atomic<int>{0, "v", 1}, atomic<int>{0, "v", 2}};
};

struct x_state {
  atomic<int> x{0, "x"};
};

struct plain_x_state {
  plain<int> x{0, "x"};
};

struct ab_state {
  mutex a{"A"}, b{"B"};
};

std::function<std::unique_ptr<instance>()> lock_order(const char* name, bool abba) {
  return make<ab_state>(name, 2, [abba](with<ab_state>& in) {
    in.p.thread = [&in, abba](int i) {
      mutex& first = abba && i == 1 ? in.s->b : in.s->a;
      mutex& second = abba && i == 1 ? in.s->a : in.s->b;
      first.lock();
      second.lock();
      second.unlock();
      first.unlock();
    };
  });
}

struct mp_state {
  plain<int> data{0, "data"};
  atomic<int> flag{0, "flag"};
};

// The writer fills a plain payload and raises a flag; the reader reads the payload once it sees
// the flag. Ordered only when the flag's store releases and its load acquires.
std::function<std::unique_ptr<instance>()> message_passing(const char* name, std::memory_order st,
                                                           std::memory_order ld) {
  return make<mp_state>(name, 2, [st, ld](with<mp_state>& in) {
    in.p.thread = [&in, st, ld](int i) {
      if (i == 0) {
        in.s->data = 42;
        in.s->flag.store(1, st);
      } else if (in.s->flag.load(ld) == 1) {
        check(in.s->data == 42, "payload visible after the flag");
      }
    };
  });
}

struct mutex_state {
  atomic<int> flag[2] = {atomic<int>{0, "flag", 0}, atomic<int>{0, "flag", 1}};
  atomic<int> turn{0, "turn"};
  atomic<int> inside{0, "inside"};
  plain<int> data{0, "data"};
};

// Peterson's lock around a plain counter. Raising the flag before giving away the turn is the
// algorithm; the other order breaks mutual exclusion.
std::function<std::unique_ptr<instance>()> peterson(const char* name, bool flag_first, std::memory_order mo) {
  return make<mutex_state>(name, 2, [flag_first, mo](with<mutex_state>& in) {
    in.p.thread = [&in, flag_first, mo](int i) {
      mutex_state& s = *in.s;
      const int o = 1 - i;
      if (flag_first) {
        s.flag[i].store(1, mo);
        s.turn.store(o, mo);
      } else {
        s.turn.store(o, mo);
        s.flag[i].store(1, mo);
      }
      await([&] { return s.flag[o].load(mo) == 0 || s.turn.load(mo) == i; }, {s.flag[o], s.turn});
      check(s.inside.fetch_add(1, mo) == 0, "mutual exclusion");
      s.data = s.data + 1;
      s.inside.fetch_sub(1, mo);
      s.flag[i].store(0, mo);
    };
    in.p.finish = [&in] { check(in.s->data.peek() == 2, "both critical sections ran"); };
  });
}

// Dekker's algorithm, its busy waits written as awaits; without the check of the other's flag it
// is no lock at all.
std::function<std::unique_ptr<instance>()> dekker(const char* name, bool correct) {
  return make<mutex_state>(name, 2, [correct](with<mutex_state>& in) {
    in.p.thread = [&in, correct](int i) {
      mutex_state& s = *in.s;
      const int o = 1 - i;
      s.flag[i].store(1);
      if (correct) {
        for (;;) {
          await([&] { return s.flag[o].load() == 0 || s.turn.load() != i; }, {s.flag[o], s.turn});
          if (s.flag[o].load() == 0) break;
          if (s.turn.load() != i) {
            s.flag[i].store(0);
            await([&] { return s.turn.load() == i; }, {s.turn});
            s.flag[i].store(1);
          }
        }
      }
      check(s.inside.fetch_add(1) == 0, "mutual exclusion");
      s.data = s.data + 1;
      s.inside.fetch_sub(1);
      s.turn.store(o);
      s.flag[i].store(0);
    };
    in.p.finish = [&in] { check(in.s->data.peek() == 2, "both critical sections ran"); };
  });
}

struct sleep_state {
  atomic<int> flag{0, "flag"};
  atomic<int> task_state{0, "task_state"};
};

// The kernel's sleep/wake protocol: the waker sets the condition, then wakes the waiter only if it
// is sleeping (like wake_up_process). The waiter must publish that it sleeps before checking the
// condition; checking first loses the wakeup.
std::function<std::unique_ptr<instance>()> flag_then_sleep(const char* name, bool recheck) {
  enum { running = 0, sleeping = 1 };
  return make<sleep_state>(name, 2, [recheck](with<sleep_state>& in) {
    in.p.thread = [&in, recheck](int i) {
      sleep_state& s = *in.s;
      if (i == 0) {
        for (;;) {
          if (recheck) {
            s.task_state.store(sleeping);
            if (s.flag.load()) break;
          } else {
            if (s.flag.load()) break;
            s.task_state.store(sleeping);
          }
          park_for();
        }
        s.task_state.store(running);
      } else {
        s.flag.store(1);
        if (s.task_state.exchange(running) == sleeping) unpark(0);
      }
    };
  });
}

struct join_state {
  atomic<int> x{0, "x"};
  plain<int> out[2] = {plain<int>{0, "out", 0}, plain<int>{0, "out", 1}};
};

struct spin_state {
  spinlock l{"l"};
  mutex m{"m"};
};

struct node {
  atomic<int> val{7, "node.val"};
};

struct rcu_state {
  node* n = new node;
  atomic<node*> ptr{nullptr, "ptr"};
  ~rcu_state() { delete n; }
};

// Each execution starts with the node published in ptr.
template <class State>
void publish_node(with<State>& in) {
  auto setup = in.p.setup;
  in.p.setup = [&in, setup] {
    setup();
    in.s->ptr.store(in.s->n);
  };
}

std::function<std::unique_ptr<instance>()> rcu_reader(const char* name, bool deferred) {
  return make<rcu_state>(name, 2, [deferred](with<rcu_state>& in) {
    publish_node(in);
    in.p.thread = [&in, deferred](int i) {
      if (i == 0) {
        rcu_read_lock();
        if (node* n = in.s->ptr.load()) check(n->val.load() == 7, "node intact");
        rcu_read_unlock();
      } else {
        in.s->ptr.store(nullptr);
        if (deferred)
          free_object_rcu(in.s->n, sizeof(node));
        else
          free_object(in.s->n, sizeof(node));
      }
    };
  });
}

// The RCU flavours (options::rcu): T0 reads a node published in ptr without rcu_read_lock(), T1
// unpublishes it and frees it with kfree_rcu. The node holds an atomic and a plain field: a read of
// the atomic after the free is caught when it runs, a read of the plain field also when the free
// is not ordered after it. With `sleeps`, T0 waits between its load of ptr and its reads of the
// node until T1, after the kfree_rcu, raises `go`.
struct rcu_node {
  atomic<int> val{7, "node.val"};
  plain<int> data{7, "node.data"};
};

struct rcu_flavour_state {
  rcu_node* n = new rcu_node;
  atomic<rcu_node*> ptr{nullptr, "ptr"};
  atomic<int> go{0, "go"};
  ~rcu_flavour_state() { delete n; }
};

std::function<std::unique_ptr<instance>()> rcu_unmarked_reader(const char* name, bool sleeps) {
  return make<rcu_flavour_state>(name, 2, [sleeps](with<rcu_flavour_state>& in) {
    publish_node(in);
    in.p.thread = [&in, sleeps](int i) {
      rcu_flavour_state& s = *in.s;
      if (i == 0) {
        rcu_node* n = s.ptr.load();
        if (sleeps) await([&s] { return s.go.load() == 1; }, {s.go});
        if (n) {
          check(n->data == 7, "node intact (plain field)");
          check(n->val.load() == 7, "node intact (atomic field)");
        }
      } else {
        s.ptr.store(nullptr);
        free_object_rcu(s.n, sizeof(rcu_node));
        if (sleeps) s.go.store(1);
      }
    };
  });
}

// A reader that uses the node after its rcu_read_unlock(): T0 loads ptr inside the section and
// reads the node's plain field after leaving it, in the same step. A grace period may end between
// the two, so under preemptible RCU the free is not ordered after the read.
std::function<std::unique_ptr<instance>()> rcu_read_after_unlock(const char* name) {
  return make<rcu_flavour_state>(name, 2, [](with<rcu_flavour_state>& in) {
    publish_node(in);
    in.p.thread = [&in](int i) {
      rcu_flavour_state& s = *in.s;
      if (i == 0) {
        rcu_read_lock();
        rcu_node* n = s.ptr.load();
        rcu_read_unlock();
        if (n) check(n->data == 7, "node intact (plain field)");
      } else {
        s.ptr.store(nullptr);
        free_object_rcu(s.n, sizeof(rcu_node));
      }
    };
  });
}

// As the sleeping reader, but the writer too waits (parked) until a third thread, after raising
// `go`, wakes it; T0 reads only the plain field. In the failing order T0 is asleep when T1 calls
// kfree_rcu and wakes after it, so the grace period does not wait for it; in the order DPOR takes
// first T0 has read and finished before the call. Under non-preemptible RCU nothing else relates
// the two orders: DPOR finds the use after free only because the kfree_rcu call depends on the
// step that ends T0's sleep.
std::function<std::unique_ptr<instance>()> rcu_reader_wakes(const char* name) {
  return make<rcu_flavour_state>(name, 3, [](with<rcu_flavour_state>& in) {
    publish_node(in);
    in.p.thread = [&in](int i) {
      rcu_flavour_state& s = *in.s;
      if (i == 0) {
        rcu_node* n = s.ptr.load();
        await([&s] { return s.go.load() == 1; }, {s.go});
        if (n) check(n->data == 7, "node intact (plain field)");
      } else if (i == 1) {
        park();
        if (rcu_node* n = s.ptr.exchange(nullptr)) free_object_rcu(n, sizeof(rcu_node));
      } else {
        s.go.store(1);
        unpark(1);
      }
    };
  });
}

// Raw memory (chk/shadow.h), as instrumented C code reaches it: a heap block the program owns,
// plain accesses through raw_access, marked ones through raw_load/raw_store/raw_rmw.
struct raw_state {
  alignas(8) unsigned char block[64] = {};
  spinlock l{"l"};
  int* word() { return reinterpret_cast<int*>(block); }
  unsigned long* flags() { return reinterpret_cast<unsigned long*>(block + 8); }
};

// Two threads increment an int of the block with plain accesses, under the lock or not.
std::function<std::unique_ptr<instance>()> raw_counter(const char* name, bool locked) {
  return make<raw_state>(name, 2, [locked](with<raw_state>& in) {
    in.p.thread = [&in, locked](int) {
      if (locked) in.s->l.lock();
      raw_access(in.s->word(), 4, false, srcloc::current(), "word");
      const int v = *in.s->word();
      raw_access(in.s->word(), 4, true, srcloc::current(), "word");
      *in.s->word() = v + 1;
      if (locked) in.s->l.unlock();
    };
    in.p.finish = [&in, locked] {
      if (locked) check(*in.s->word() == 2, "both increments counted");
    };
  });
}

std::uint64_t or_bits(std::uint64_t old, std::uint64_t arg) { return old | arg; }

// Marked accesses: T0 sets bit 0 of a word with a release RMW after a plain write of `word`; T1
// tests the bit with an acquire load and reads `word` only when it saw the bit. Message passing
// through raw memory: verified, and both outcomes of the test are explored.
std::function<std::unique_ptr<instance>()> raw_message(const char* name, bool ordered) {
  return make<raw_state>(name, 2, [ordered](with<raw_state>& in) {
    in.p.thread = [&in, ordered](int i) {
      if (i == 0) {
        raw_access(in.s->word(), 4, true, srcloc::current(), "word");
        *in.s->word() = 42;
        raw_rmw(in.s->flags(), 8, &or_bits, 1, ordered ? std::memory_order_release : std::memory_order_relaxed,
                cell_of_bit(0), srcloc::current(), "set_bit", "flags");
      } else if (raw_load(in.s->flags(), 8, ordered ? std::memory_order_acquire : std::memory_order_relaxed,
                          cell_of_bit(0), srcloc::current(), "test_bit", "flags") &
                 1) {
        raw_access(in.s->word(), 4, false, srcloc::current(), "word");
        check(*in.s->word() == 42, "the message arrived");
      }
    };
  });
}

// T0 frees the block (kfree); T1 sets a bit of a word inside it with a marked RMW, or reads a
// field of it plainly. Either is a use after free in the order free-then-access, which DPOR must
// explore: the shadow object of the word stands for memory inside the freed block.
std::function<std::unique_ptr<instance>()> raw_after_free(const char* name, bool marked) {
  return make<raw_state>(name, 2, [marked](with<raw_state>& in) {
    in.p.thread = [&in, marked](int i) {
      if (i == 0) {
        free_object(in.s->block, sizeof(in.s->block));
      } else if (marked) {
        raw_rmw(in.s->flags(), 8, &or_bits, 2, std::memory_order_relaxed, cell_of_bit(1), srcloc::current(), "set_bit",
                "flags");
      } else {
        in.s->l.lock();  // a visible step first, so that the free may come before the read
        raw_access(in.s->word(), 4, false, srcloc::current(), "word");
        in.s->l.unlock();
      }
    };
  });
}

// Two bits of one word set by two threads: independent (different cells), one DPOR execution.
std::function<std::unique_ptr<instance>()> raw_two_bits(const char* name) {
  return make<raw_state>(name, 2, [](with<raw_state>& in) {
    in.p.thread = [&in](int i) {
      raw_rmw(in.s->flags(), 8, &or_bits, std::uint64_t{1} << i, std::memory_order_relaxed,
              cell_of_bit(static_cast<unsigned>(i)), srcloc::current(), "set_bit", "flags");
    };
    in.p.finish = [&in] { check(*in.s->flags() == 3, "both bits set"); };
  });
}

std::vector<entry> build() {
  std::vector<entry> c;
  auto add = [&c](entry e) { c.push_back(std::move(e)); };

  add({"mutex-counter-2x2",
       "verified; exactly 4!/(2!2!) = 6 critical-section orders",
       mutex_counter("mutex-counter-2x2", 2, 2),
       verdict::verified,
       {},
       {},
       6,
       6});
  add({"mutex-counter-3x2",
       "verified; exactly 6!/(2!2!2!) = 90 orders",
       mutex_counter("mutex-counter-3x2", 3, 2),
       verdict::verified,
       {},
       {},
       90,
       90});
  add({"mutex-counter-3x3",
       "verified; exactly 9!/(3!3!3!) = 1680 orders",
       mutex_counter("mutex-counter-3x3", 3, 3),
       verdict::verified,
       {},
       {},
       1680,
       1680});
  add({"independent-writers",
       "verified; DFS 6!/(2!2!2!) = 90 interleavings, all equivalent: DPOR 1",
       make<writers_state>("independent-writers", 3,
                           [](with<writers_state>& in) {
                             in.p.thread = [&in](int i) {
                               in.s->v[i].store(1);
                               in.s->v[i].store(2);
                             };
                           }),
       verdict::verified,
       {},
       {},
       90,
       1});
  add({"lost-update",
       "atomic load then store in two threads: an increment is lost",
       make<x_state>("lost-update", 2,
                     [](with<x_state>& in) {
                       in.p.thread = [&in](int) {
                         int v = in.s->x.load();
                         in.s->x.store(v + 1);
                       };
                       in.p.finish = [&in] { check(in.s->x.peek() == 2, "both increments counted"); };
                     }),
       verdict::violated,
       failure_kind::end_check,
       {},
       {},
       {}});
  add({"plain-counter",
       "x++ on a plain field in two threads: a data race",
       make<plain_x_state>("plain-counter", 2,
                           [](with<plain_x_state>& in) { in.p.thread = [&in](int) { in.s->x = in.s->x + 1; }; }),
       verdict::violated,
       failure_kind::data_race,
       {},
       {},
       {}});
  add({"abba",
       "two locks taken in opposite orders: a deadlock",
       lock_order("abba", true),
       verdict::violated,
       failure_kind::deadlock,
       {},
       {},
       {}});
  add({"ab-ab",
       "two locks taken in one order: verified",
       lock_order("ab-ab", false),
       verdict::verified,
       {},
       {},
       {},
       {}});
  add({"mp-release-acquire",
       "message passing through a release store and an acquire load: verified",
       message_passing("mp-release-acquire", std::memory_order_release, std::memory_order_acquire),
       verdict::verified,
       {},
       {},
       {},
       {}});
  add({"mp-relaxed",
       "message passing through a relaxed flag: the payload access is a data race",
       message_passing("mp-relaxed", std::memory_order_relaxed, std::memory_order_relaxed),
       verdict::violated,
       failure_kind::data_race,
       {},
       {},
       {}});
  add({"mp-release-only",
       "release store but relaxed load: still a data race",
       message_passing("mp-release-only", std::memory_order_release, std::memory_order_relaxed),
       verdict::violated,
       failure_kind::data_race,
       {},
       {},
       {}});
  add({"mp-fences",
       "relaxed flag between a release and an acquire fence: verified",
       make<mp_state>("mp-fences", 2,
                      [](with<mp_state>& in) {
                        in.p.thread = [&in](int i) {
                          if (i == 0) {
                            in.s->data = 1;
                            fence(std::memory_order_release);
                            in.s->flag.store(1, std::memory_order_relaxed);
                          } else if (in.s->flag.load(std::memory_order_relaxed)) {
                            fence(std::memory_order_acquire);
                            check(in.s->data == 1, "payload visible");
                          }
                        };
                      }),
       verdict::verified,
       {},
       {},
       {},
       {}});
  add({"peterson",
       "Peterson's lock with seq_cst atomics: verified",
       peterson("peterson", true, std::memory_order_seq_cst),
       verdict::verified,
       {},
       {},
       {},
       {}});
  add({"peterson-turn-first",
       "Peterson giving away the turn before raising its flag: mutual exclusion broken",
       peterson("peterson-turn-first", false, std::memory_order_seq_cst),
       verdict::violated,
       failure_kind::assertion,
       {},
       {},
       {}});
  add({"peterson-relaxed",
       "Peterson with relaxed atomics: the critical sections are not ordered (data race)",
       peterson("peterson-relaxed", true, std::memory_order_relaxed),
       verdict::violated,
       failure_kind::data_race,
       {},
       {},
       {}});
  add({"dekker",
       "Dekker's algorithm with seq_cst atomics: verified",
       dekker("dekker", true),
       verdict::verified,
       {},
       {},
       {},
       {}});
  add({"dekker-no-flag-check",
       "Dekker without checking the other's flag: mutual exclusion broken",
       dekker("dekker-no-flag-check", false),
       verdict::violated,
       failure_kind::assertion,
       {},
       {},
       {}});
  add({"flag-then-sleep",
       "sleep with the re-check after publishing the sleep: verified with timeouts off",
       flag_then_sleep("flag-then-sleep", true),
       verdict::verified,
       {},
       {},
       {},
       {}});
  add({"flag-then-sleep-no-recheck",
       "checking the flag before publishing the sleep: the wakeup is lost (deadlock)",
       flag_then_sleep("flag-then-sleep-no-recheck", false),
       verdict::violated,
       failure_kind::deadlock,
       {},
       {},
       {}});
  add({"flag-then-sleep-no-recheck-timeouts",
       "the same lost wakeup, rescued when a timeout may fire: verified",
       flag_then_sleep("flag-then-sleep-no-recheck-timeouts", false),
       verdict::verified,
       {},
       timeouts_on(),
       {},
       {}});
  add({"spawn-join",
       "two children counted and joined: verified; DFS 5 linearisations, DPOR 2 orders",
       make<join_state>("spawn-join", 1,
                        [](with<join_state>& in) {
                          in.p.thread = [&in](int) {
                            join_state& s = *in.s;
                            int a = spawn([&s] { s.out[0] = s.x.fetch_add(1); });
                            int b = spawn([&s] { s.out[1] = s.x.fetch_add(1); });
                            join(a);
                            join(b);
                            check(s.out[0] + s.out[1] == 1, "each child saw a different count");
                            check(s.x.load() == 2, "both children counted");
                          };
                        }),
       verdict::verified,
       {},
       {},
       5,
       2});
  add({"no-join",
       "reading a child's plain write without joining it: a data race",
       make<plain_x_state>("no-join", 1,
                           [](with<plain_x_state>& in) {
                             in.p.thread = [&in](int) {
                               spawn([&in] { in.s->x = 1; });
                               int seen = in.s->x;
                               (void)seen;
                             };
                           }),
       verdict::violated,
       failure_kind::data_race,
       {},
       {},
       {}});
  add({"spin-double-lock",
       "taking a spinlock twice: lock misuse",
       make<spin_state>("spin-double-lock", 1,
                        [](with<spin_state>& in) {
                          in.p.thread = [&in](int) {
                            in.s->l.lock();
                            in.s->l.lock();
                          };
                        }),
       verdict::violated,
       failure_kind::lock_misuse,
       {},
       {},
       {}});
  add({"spin-unlock-by-other",
       "unlocking a spinlock another thread holds (or nobody): lock misuse",
       make<spin_state>("spin-unlock-by-other", 2,
                        [](with<spin_state>& in) {
                          in.p.thread = [&in](int i) {
                            if (i == 0) {
                              in.s->l.lock();
                              in.s->l.unlock();
                            } else {
                              in.s->l.unlock();
                            }
                          };
                        }),
       verdict::violated,
       failure_kind::lock_misuse,
       {},
       {},
       {}});
  add({"spin-then-sleep",
       "taking a sleeping lock under a spinlock: blocking in atomic context",
       make<spin_state>("spin-then-sleep", 1,
                        [](with<spin_state>& in) {
                          in.p.thread = [&in](int) {
                            in.s->l.lock();
                            in.s->m.lock();
                            in.s->m.unlock();
                            in.s->l.unlock();
                          };
                        }),
       verdict::violated,
       failure_kind::blocking_in_atomic,
       {},
       {},
       {}});
  add({"spin-exit-held",
       "a thread ending with a spinlock held: lock misuse",
       make<spin_state>("spin-exit-held", 1,
                        [](with<spin_state>& in) { in.p.thread = [&in](int) { in.s->l.lock(); }; }),
       verdict::violated,
       failure_kind::lock_misuse,
       {},
       {},
       {}});
  add({"mutex-then-spin",
       "a spinlock nested in a mutex, in two threads: verified",
       make<spin_state>("mutex-then-spin", 2,
                        [](with<spin_state>& in) {
                          in.p.thread = [&in](int) {
                            in.s->m.lock();
                            in.s->l.lock();
                            in.s->l.unlock();
                            in.s->m.unlock();
                          };
                        }),
       verdict::verified,
       {},
       {},
       {},
       {}});
  add({"spin-forever",
       "a spin loop nobody ends: a livelock at the step bound (200)",
       make<x_state>("spin-forever", 1,
                     [](with<x_state>& in) {
                       in.p.thread = [&in](int) {
                         while (!in.s->x.load()) {
                         }
                       };
                     }),
       verdict::violated,
       failure_kind::livelock,
       steps(200),
       {},
       {}});
  add({"idle-daemon",
       "a daemon left parked when everything else ended: verified",
       make<x_state>("idle-daemon", 1,
                     [](with<x_state>& in) {
                       in.p.thread = [&in](int) {
                         spawn_daemon([&in] {
                           in.s->x.store(1);
                           park();
                         });
                       };
                       in.p.finish = [&in] { check(in.s->x.peek() == 1, "the daemon ran before the end"); };
                     }),
       verdict::verified,
       {},
       {},
       {},
       {}});
  add({"blocked-thread",
       "an ordinary thread left parked forever: a deadlock",
       make<x_state>("blocked-thread", 1,
                     [](with<x_state>& in) {
                       in.p.thread = [&in](int) {
                         spawn([&in] {
                           in.s->x.store(1);
                           park();
                         });
                       };
                     }),
       verdict::violated,
       failure_kind::deadlock,
       {},
       {},
       {}});
  add({"last-writer",
       "two writers, the end check insists on one order: violated",
       make<x_state>("last-writer", 2,
                     [](with<x_state>& in) {
                       in.p.thread = [&in](int i) { in.s->x.store(i + 1); };
                       in.p.finish = [&in] { check(in.s->x.peek() == 2, "thread 1 writes last"); };
                     }),
       verdict::violated,
       failure_kind::end_check,
       {},
       {},
       {}});
  add({"rcu-reader",
       "a reader in an RCU section, the writer frees with kfree_rcu: verified",
       rcu_reader("rcu-reader", true),
       verdict::verified,
       {},
       {},
       {},
       {}});
  add({"freed-under-reader",
       "the writer frees at once while a reader may still use the node: use after free",
       rcu_reader("freed-under-reader", false),
       verdict::violated,
       failure_kind::use_after_free,
       {},
       {},
       {}});
  // The RCU flavours: each program under both, with the answer of each. Under non-preemptible RCU
  // both readers run 9 executions under DFS: T1 stores, calls kfree_rcu and leaves through a
  // quiescent state at its exit (3 steps); T0 loads (and reads the node when it saw it) and needs
  // its own quiescent state when it had not finished by the kfree_rcu: 4 orders when T0 loads null,
  // 5 when it loads the node.
  add({"rcu-reader/non-preemptible",
       "the RCU section reader under non-preemptible RCU: verified",
       rcu_reader("rcu-reader/non-preemptible", true),
       verdict::verified,
       {},
       non_preemptible_rcu(),
       9,
       {}});
  add({"rcu-unmarked-reader",
       "a reader without rcu_read_lock, preemptible RCU: the grace period does not wait, use after free",
       rcu_unmarked_reader("rcu-unmarked-reader", false),
       verdict::violated,
       failure_kind::use_after_free,
       {},
       {},
       {}});
  add({"rcu-unmarked-reader/non-preemptible",
       "the same reader, non-preemptible RCU: it never sleeps, so the grace period waits for it: verified",
       rcu_unmarked_reader("rcu-unmarked-reader/non-preemptible", false),
       verdict::verified,
       {},
       non_preemptible_rcu(),
       9,
       {}});
  add({"rcu-reader-sleeps",
       "a reader that sleeps between loading the pointer and using it, preemptible RCU: use after free",
       rcu_unmarked_reader("rcu-reader-sleeps", true),
       verdict::violated,
       failure_kind::use_after_free,
       {},
       {},
       {}});
  add({"rcu-reader-sleeps/non-preemptible",
       "the same, non-preemptible RCU: its sleep is a quiescent state, use after free",
       rcu_unmarked_reader("rcu-reader-sleeps/non-preemptible", true),
       verdict::violated,
       failure_kind::use_after_free,
       non_preemptible_rcu(),
       {},
       {}});
  add({"rcu-read-after-unlock",
       "a reader uses the node after rcu_read_unlock, preemptible RCU: use after free",
       rcu_read_after_unlock("rcu-read-after-unlock"),
       verdict::violated,
       failure_kind::use_after_free,
       {},
       {},
       {}});
  add({"rcu-read-after-unlock/non-preemptible",
       "the same, non-preemptible RCU: the reader never sleeps, so the grace period waits for it: verified",
       rcu_read_after_unlock("rcu-read-after-unlock/non-preemptible"),
       verdict::verified,
       {},
       non_preemptible_rcu(),
       {},
       {}});
  add({"rcu-reader-wakes",
       "a reader asleep while a parked writer is woken to free the node with kfree_rcu: use after free",
       rcu_reader_wakes("rcu-reader-wakes"),
       verdict::violated,
       failure_kind::use_after_free,
       {},
       {},
       {}});
  add({"rcu-reader-wakes/non-preemptible",
       "the same, non-preemptible RCU: use after free (DPOR: the kfree_rcu depends on the reader's wake)",
       rcu_reader_wakes("rcu-reader-wakes/non-preemptible"),
       verdict::violated,
       failure_kind::use_after_free,
       non_preemptible_rcu(),
       {},
       {}});
  add({"raw-race",
       "two unlocked plain increments of raw memory: data race",
       raw_counter("raw-race", false),
       verdict::violated,
       failure_kind::data_race,
       {},
       {},
       {}});
  add({"raw-locked",
       "the same increments under a spinlock: verified, 2 lock orders",
       raw_counter("raw-locked", true),
       verdict::verified,
       {},
       {},
       2,
       2});
  add({"raw-message",
       "plain write, release set_bit / acquire test_bit, plain read: verified (both outcomes explored)",
       raw_message("raw-message", true),
       verdict::verified,
       {},
       {},
       2,
       2});
  add({"raw-message-relaxed",
       "the same with relaxed bit operations: the plain read races with the plain write",
       raw_message("raw-message-relaxed", false),
       verdict::violated,
       failure_kind::data_race,
       {},
       {},
       {}});
  add({"raw-marked-after-free",
       "a marked RMW on a word of a block another thread frees: use after free",
       raw_after_free("raw-marked-after-free", true),
       verdict::violated,
       failure_kind::use_after_free,
       {},
       {},
       {}});
  add({"raw-plain-after-free",
       "a plain read of a block another thread frees: use after free",
       raw_after_free("raw-plain-after-free", false),
       verdict::violated,
       failure_kind::use_after_free,
       {},
       {},
       {}});
  add({"raw-two-bits",
       "two threads set different bits of one word: verified, independent (DPOR 1 execution)",
       raw_two_bits("raw-two-bits"),
       verdict::verified,
       {},
       {},
       2,
       1});
  return c;
}

}  // namespace

const std::vector<entry>& catalog() {
  static const std::vector<entry> c = build();
  return c;
}

const entry& find(const std::string& name) {
  for (const entry& e : catalog())
    if (e.name == name) return e;
  throw std::out_of_range("no litmus test named " + name);
}

}  // namespace chk::litmus
