// The litmus catalog (checker/litmus) under exhaustive DFS and DPOR: every known answer asserted,
// the hand-computed execution counts where there are some, and every bug found replayed from its
// file. A few answers get a closer look in the test cases after the loop.
#include "litmus.h"

#include "catalog.h"

using chk::failure_kind;
using chk::search_kind;
using chk::verdict;

TEST_CASE("every litmus test gives its known answer under DFS and DPOR, and its bug replays", "[litmus]") {
  for (const auto& e : chk::litmus::catalog()) {
    DYNAMIC_SECTION(e.name << ": " << e.claim) {
      auto in = e.make();
      auto [dfs, dpor] = litmus::both(in->p, e.expected, e.base);
      if (e.expected_kind) {
        REQUIRE(dfs.fail);
        REQUIRE(dpor.fail);
        CHECK(dfs.fail->kind == *e.expected_kind);
        CHECK(dpor.fail->kind == *e.expected_kind);
        chk::options o = e.base;
        o.search = search_kind::dpor;
        litmus::check_replays(in->p, o, dpor);
        o.search = search_kind::dfs;
        litmus::check_replays(in->p, o, dfs);
      }
      if (e.dfs_executions) CHECK(dfs.st.executions == *e.dfs_executions);
      if (e.dpor_executions) CHECK(dpor.st.executions == *e.dpor_executions);
    }
  }
}

TEST_CASE("the catalog's execution counts match the formulas they come from", "[litmus]") {
  auto fact = [](int n) {
    std::uint64_t f = 1;
    for (int i = 2; i <= n; ++i) f *= static_cast<std::uint64_t>(i);
    return f;
  };
  // n threads, k critical sections each: (nk)! / (k!)^n orders.
  CHECK(*chk::litmus::find("mutex-counter-2x2").dfs_executions == fact(4) / (fact(2) * fact(2)));
  CHECK(*chk::litmus::find("mutex-counter-3x2").dfs_executions == fact(6) / (fact(2) * fact(2) * fact(2)));
  CHECK(*chk::litmus::find("mutex-counter-3x3").dfs_executions == fact(9) / (fact(3) * fact(3) * fact(3)));
  // spawn1 < spawn2 < join1 < join2, add1 in (spawn1, join1), add2 in (spawn2, join2): 5 orders.
  CHECK(*chk::litmus::find("spawn-join").dfs_executions == 5);
}

TEST_CASE("the race report names the field and both accesses", "[litmus][race]") {
  auto in = chk::litmus::find("plain-counter").make();
  chk::result r = litmus::run(in->p, litmus::with(search_kind::dpor));
  REQUIRE(r.fail);
  CHECK(r.fail->message.find("data race on x") != std::string::npos);
  CHECK(r.fail->message.find("catalog.cpp:") != std::string::npos);
  CHECK(r.fail->message.find("by T0") != std::string::npos);
  CHECK(r.fail->message.find("by T1") != std::string::npos);
}

TEST_CASE("spinlock misuse messages say what went wrong", "[litmus][spinlock]") {
  auto run = [](const char* name) {
    auto in = chk::litmus::find(name).make();
    chk::result r = litmus::run(in->p, litmus::with(search_kind::dpor));
    REQUIRE(r.fail);
    return r.fail->message;
  };
  CHECK(run("spin-double-lock").find("already held by this thread") != std::string::npos);
  CHECK(run("spin-exit-held").find("exits holding 1 spinlock") != std::string::npos);
  CHECK(run("spin-then-sleep").find("while holding a spinlock") != std::string::npos);
  std::string other = run("spin-unlock-by-other");
  CHECK((other.find("not locked") != std::string::npos || other.find("held by T0") != std::string::npos));
}

TEST_CASE("a deadlock report lists every blocked thread and where it waits", "[litmus][deadlock]") {
  auto in = chk::litmus::find("abba").make();
  chk::result r = litmus::run(in->p, litmus::with(search_kind::dpor));
  REQUIRE(r.fail);
  CHECK(r.fail->message.find("T0 in mutex_lock") != std::string::npos);
  CHECK(r.fail->message.find("T1 in mutex_lock") != std::string::npos);
}

TEST_CASE("the lost wakeup's counterexample shows the waker skipping the wake", "[litmus][wakeup]") {
  auto in = chk::litmus::find("flag-then-sleep-no-recheck").make();
  chk::result r = litmus::run(in->p, litmus::with(search_kind::dpor));
  REQUIRE(r.fail);
  REQUIRE(r.fail->kind == failure_kind::deadlock);
  // The waker exchanged the task state while it was still "running" (0 -> 0) and never unparked.
  bool saw_exchange = false, saw_unpark = false;
  for (const auto& s : r.fail->trace) {
    if (s.op == "exchange" && s.detail == "0->0") saw_exchange = true;
    if (s.op == "unpark") saw_unpark = true;
  }
  CHECK(saw_exchange);
  CHECK_FALSE(saw_unpark);
}

TEST_CASE("the RCU litmus programs run under both flavours, each with its own answer", "[litmus][rcu]") {
  struct answer {
    const char* name;
    verdict preemptible, non_preemptible;
  };
  // In an rcu_read_lock section: safe under both. Without one: only a reader that does not sleep
  // is safe, and only under non-preemptible RCU. Sleeping between the load and the use: unsafe
  // (rcu-reader-wakes: DPOR finds it under non-preemptible RCU only through the dependence of the
  // kfree_rcu call on the step that ends the reader's sleep).
  for (const answer& a : {answer{"rcu-reader", verdict::verified, verdict::verified},
                          answer{"rcu-unmarked-reader", verdict::violated, verdict::verified},
                          answer{"rcu-reader-sleeps", verdict::violated, verdict::violated},
                          answer{"rcu-reader-wakes", verdict::violated, verdict::violated}}) {
    INFO(a.name);
    const auto& pre = chk::litmus::find(a.name);
    const auto& non = chk::litmus::find(std::string(a.name) + "/non-preemptible");
    CHECK(pre.base.rcu == chk::rcu_flavour::preemptible);
    CHECK(non.base.rcu == chk::rcu_flavour::non_preemptible);
    CHECK(pre.expected == a.preemptible);
    CHECK(non.expected == a.non_preemptible);
    for (const auto* e : {&pre, &non})
      if (e->expected == verdict::violated) CHECK(e->expected_kind == failure_kind::use_after_free);
  }
  // The flavour is part of the bounds every verdict carries (preemptible, the default, is implied).
  auto in = chk::litmus::find("rcu-unmarked-reader/non-preemptible").make();
  chk::options o = chk::litmus::find("rcu-unmarked-reader/non-preemptible").base;
  chk::result r = litmus::run(in->p, o);
  CHECK(r.bounds.find("rcu non-preemptible") != std::string::npos);
  auto pre = chk::litmus::find("rcu-reader").make();
  CHECK(litmus::run(pre->p, {}).bounds.find("rcu") == std::string::npos);
}

TEST_CASE("the RCU flavours under bounded, random and PCT search too", "[litmus][rcu][search]") {
  for (const char* name :
       {"rcu-reader", "rcu-reader/non-preemptible", "rcu-unmarked-reader", "rcu-unmarked-reader/non-preemptible",
        "rcu-reader-sleeps", "rcu-reader-sleeps/non-preemptible", "rcu-reader-wakes",
        "rcu-reader-wakes/non-preemptible"}) {
    const auto& e = chk::litmus::find(name);
    for (const char* spec : {"bounded:1", "random:300", "pct:2"}) {
      DYNAMIC_SECTION(name << " under " << spec) {
        auto in = e.make();
        chk::options o = e.base;
        REQUIRE(chk::parse_search(spec, o));
        o.iterations = 300;
        chk::result r = litmus::run(in->p, o);
        if (e.expected == verdict::violated) {
          REQUIRE(r.v == verdict::violated);
          CHECK(r.fail->kind == failure_kind::use_after_free);
          litmus::check_replays(in->p, o, r);
        } else {
          CHECK(r.v == (chk::exhaustive(o.search) ? verdict::verified : verdict::no_violation_found));
        }
      }
    }
  }
}

TEST_CASE("non-preemptible RCU: the grace period ends at a quiescent state of its own", "[litmus][rcu][trace]") {
  const auto& e = chk::litmus::find("rcu-reader-sleeps/non-preemptible");
  auto in = e.make();
  chk::options o = e.base;
  o.search = search_kind::dpor;
  chk::result r = litmus::run(in->p, o);
  REQUIRE(r.fail);
  CHECK(r.fail->kind == failure_kind::use_after_free);
  // T1, the caller of kfree_rcu, is waited for until it leaves through the quiescent state of its
  // exit; T0 had gone to sleep before the call, so it is not waited for, and it reads the node
  // after the free.
  int quiescent = -1, free_call = -1;
  for (std::size_t i = 0; i < r.fail->trace.size(); ++i) {
    const auto& s = r.fail->trace[i];
    if (s.op == "free_rcu") free_call = static_cast<int>(i);
    if (s.op == "rcu quiescent state (schedule)") {
      CHECK(s.thread == 1);
      quiescent = static_cast<int>(i);
    }
  }
  CHECK(free_call >= 0);
  CHECK(quiescent > free_call);
  // Under preemptible RCU the same program has no such step: the free is at once.
  auto pre = chk::litmus::find("rcu-reader-sleeps").make();
  chk::result rp = litmus::run(pre->p, litmus::with(search_kind::dpor));
  REQUIRE(rp.fail);
  for (const auto& s : rp.fail->trace) CHECK(s.op != "rcu quiescent state (schedule)");

  // The replay file records the flavour, and the schedule needs it.
  chk::replay_file f = chk::make_replay(in->p.name, o, *r.fail);
  CHECK(f.rcu == chk::rcu_flavour::non_preemptible);
  chk::replay_file back = chk::parse_replay(chk::to_json(f));
  CHECK(back.rcu == chk::rcu_flavour::non_preemptible);
  CHECK(chk::replay(in->p, back).reproduced);
  back.rcu = chk::rcu_flavour::preemptible;
  CHECK_FALSE(chk::replay(in->p, back).reproduced);
}
