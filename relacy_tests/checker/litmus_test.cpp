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
