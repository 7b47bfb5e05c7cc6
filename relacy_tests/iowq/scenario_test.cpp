// The scenarios under the checker: for every scenario and variant, each property's verdict is
// asserted (verified within the stated bounds, or the known counterexample, which must replay),
// and every mutant is killed by the property it names in the scenario listed with it.
//
// The test suite uses the quick search of each scenario (every schedule with at most 3
// preemptions, 2 for the two-worker scenarios); `iowq-verify report` runs the full search
// (all interleavings with DPOR where that finishes). Every finding below is found within the
// quick bound.
#include "scenario.h"

#include <catch2/catch.hpp>

#include "verdicts.h"

namespace {

using namespace iowq;

constexpr std::initializer_list<variant> seed_variants = {variant::baseline, variant::v1, variant::merged};

}  // namespace

TEST_CASE("idle-then-eoi: v1 and merged drain the pool; baseline keeps its idle worker", "[scenario]") {
  test::check_variants("idle-then-eoi", seed_variants);
}

TEST_CASE("eoi-during-work: exit-on-idle set during a long work item lets the worker finish and leave", "[scenario]") {
  test::check_variants("eoi-during-work", seed_variants);
}

TEST_CASE("set-clear-enqueue: v1 and merged strand a new ring's work while the old worker leaves (F1)",
          "[scenario][finding]") {
  test::check_variants("set-clear-enqueue", seed_variants);
}

TEST_CASE("bound-and-unbound: one worker per acct, both leave on exit-on-idle", "[scenario]") {
  test::check_variants("bound-and-unbound", seed_variants);
}

TEST_CASE("hashed-stall: hashed work stalled on a busy hash is run and the pool drains", "[scenario]") {
  test::check_variants("hashed-stall", seed_variants);
}

TEST_CASE("creation-fails: a failed worker creation cancels the work and undoes the accounting", "[scenario]") {
  test::check_variants("creation-fails", seed_variants);
}

TEST_CASE("eoi-and-exit: exit with exit-on-idle completes; the baseline exit can wait for the timeout (F3)",
          "[scenario][finding]") {
  test::check_variants("eoi-and-exit", seed_variants);
}

TEST_CASE("blocking-work: a worker sleeping in a work item gets a second worker through task_work", "[scenario]") {
  test::check_variants("blocking-work", seed_variants);
}

TEST_CASE("eoi-blocked-creation: v1 and merged wrap nr_workers below zero (F2)", "[scenario][finding]") {
  test::check_variants("eoi-blocked-creation", seed_variants);
}

TEST_CASE("stall-then-enqueue: unhashed work arriving while a worker is stalled on a hash is run", "[scenario]") {
  test::check_variants("stall-then-enqueue", seed_variants);
}

TEST_CASE("exit-while-blocked: cancelling a worker's create_worker_cb at exit reads freed memory (F4)",
          "[scenario][finding]") {
  test::check_variants("exit-while-blocked", seed_variants);
}

TEST_CASE("eoi-then-concurrent-work: io-wq API, exit-on-idle set with work still arriving (F1, F2)",
          "[scenario][finding]") {
  test::check_variants("eoi-then-concurrent-work", seed_variants);
}

TEST_CASE("eoi-concurrent-two-workers: exit-on-idle with room for a second worker (F2)", "[scenario][finding]") {
  test::check_variants("eoi-concurrent-two-workers", seed_variants);
}

TEST_CASE("enqueue-during-exit: work punted after io_wq_exit_start is run or cancelled", "[scenario]") {
  test::check_variants("enqueue-during-exit", seed_variants);
}

TEST_CASE("linked-at-exit: a linked request punted while the task exits", "[scenario]") {
  test::check_variants("linked-at-exit", seed_variants);
}

TEST_CASE("cancel-queued: cancelling queued work races with a worker picking it up", "[scenario]") {
  test::check_variants("cancel-queued", seed_variants);
}

TEST_CASE("the scenario catalogue covers the issue's situations, each with its bounds", "[scenario]") {
  for (const char* name : {"idle-then-eoi", "eoi-during-work", "set-clear-enqueue", "bound-and-unbound", "hashed-stall",
                           "creation-fails", "eoi-and-exit", "blocking-work", "exit-while-blocked"}) {
    const scn::scenario* s = scn::find(name);
    REQUIRE(s);
    CHECK(!s->bounds().empty());
    CHECK(!s->props.empty());
  }
  CHECK(scn::find("no-such-scenario") == nullptr);
}
