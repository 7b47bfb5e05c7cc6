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

// baseline, v1 and merged: every variant of the variant table on the 6.14 port.
const std::vector<variant> seed_variants = test::variants_of_port("6.14");

// One test case per scenario, for the seed's variants.
const bool registered =
    test::register_scenarios("", " (baseline, v1, merged)", "[scenario]", seed_variants, [](const std::string& name) {
      REQUIRE(seed_variants.size() == 3);
      test::check_variants(name, seed_variants);
    });

}  // namespace

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

TEST_CASE("families: a program is in io_uring's order only if rings go and tasks exit after their requests finished",
          "[scenario]") {
  auto judge = [](const char* program, std::vector<scn::work_spec> works) {
    scn::scenario s;
    s.works = std::move(works);
    s.owner = scn::parse_owner(program);
    CHECK(scn::family_of(s) == (scn::outside_io_uring(s).empty() ? scn::family::io_uring : scn::family::io_wq_api));
    return scn::outside_io_uring(s);
  };
  const scn::work_spec plain{}, linking{.linked = 1};
  // io_uring's order: every punted request (and the linked one it punts) completed before the ring
  // goes or the task exits; a cancelled request completes too.
  CHECK(judge("punt 0; wait 1; ring-remove", {plain}).empty());
  CHECK(judge("punt 0; wait 1; ring-remove; ring-add; punt 1; wait 2", {plain, plain}).empty());
  CHECK(judge("punt 0; cancel 0; wait 1; ring-remove", {plain}).empty());
  CHECK(judge("punt 0; wait 2; exit", {linking, plain}).empty());
  CHECK(judge("punt 0; punt 1; punt 2; wait 1; release 0; wait 3", {plain, plain, plain}).empty());
  // ring-exit and exec wait for the requests themselves, as io_uring does; do_exit (thread-exit,
  // exit-group) neither cancels nor waits for untracked requests, as io_uring does.
  CHECK(judge("punt 0; exec", {linking, plain}).empty());
  CHECK(judge("punt 0; thread-exit", {linking, plain}).empty());
  CHECK(judge("punt 0; punt 1; exit-group", {plain, plain}).empty());
  // ring-exit waits for the ring's requests itself (io_ring_exit_work), as io_uring does.
  CHECK(judge("punt 0; punt 1; ring-exit; release 0; wait 2", {plain, plain}).empty());
  // Not io_uring's order: the ring goes or the task exits with requests in flight, or the io-wq API
  // is called directly.
  CHECK(judge("punt 0; ring-remove; release 0; wait 1", {plain}) ==
        "ring-remove while 1 of its 1 requests may be in flight; io_uring first waits for them all "
        "(io_ring_exit_work)");
  CHECK(judge("punt 0; wait 1; exit", {linking, plain}) ==
        "exit while 1 of its 2 requests may be in flight; io_uring either waits for them after cancelling (exec: "
        "io_uring_cancel_generic with cancel_all) or neither cancels nor waits (do_exit: untracked requests)");
  CHECK(judge("punt 0; wait 1; ring-remove; ring-add; punt 1; ring-remove", {plain, plain})
            .find("ring-remove while 1 of its 2") == 0);
  CHECK(judge("punt 0; api:set-eoi; wait 1", {plain}) == "it calls the io-wq API directly (api:set-eoi)");
  CHECK(judge("punt 0; wait 1; api:exit-start; api:put-and-exit", {plain}) ==
        "it calls the io-wq API directly (api:exit-start)");
  // The catalogue: which of its scenarios io_uring can produce.
  std::vector<std::string> io_uring;
  for (const auto& s : scn::all())
    if (scn::family_of(s) == scn::family::io_uring) io_uring.push_back(s.name);
  CHECK(io_uring == std::vector<std::string>{"idle-then-eoi",
                                             "set-clear-enqueue",
                                             "bound-and-unbound",
                                             "creation-fails",
                                             "blocking-work",
                                             "stall-then-enqueue",
                                             "ring-exit-during-work",
                                             "ring-exit-blocked-creation",
                                             "timeout-pending-create",
                                             "timeout-while-work-arrives",
                                             "exec-after-work",
                                             "exec-linked",
                                             "thread-exit-in-flight",
                                             "thread-exit-linked",
                                             "thread-exit-while-blocked",
                                             "thread-exit-while-blocked-rcu-nopreempt",
                                             "thread-exit-bound-blocked",
                                             "exit-group-while-blocked",
                                             "cancel-running",
                                             "creation-retry",
                                             "creation-retry-at-exit",
                                             "creation-retries-exhausted",
                                             "timeout-last-worker",
                                             "cancel-queued"});
}

TEST_CASE("owner programs: every scenario's program prints as it parses, and bad ones are refused with a reason",
          "[scenario]") {
  for (const auto& s : scn::all()) {
    INFO(s.name);
    const std::string text = s.owner.text();
    CHECK(scn::parse_owner(text).text() == text);
    // The io-wq API family is marked as such in its summary.
    CHECK((scn::family_of(s) == scn::family::io_wq_api) == (s.summary.rfind("io-wq API:", 0) == 0));
    if (s.owner.uses_api()) CHECK(scn::family_of(s) == scn::family::io_wq_api);
  }
  const scn::owner_program p = scn::parse_owner(" punt 0;wait 1 ; ring-remove;api:set-eoi");
  REQUIRE(p.actions.size() == 4);
  CHECK(p.actions[0].k == scn::action::op::punt);
  CHECK(p.actions[1].k == scn::action::op::wait);
  CHECK(p.actions[1].n == 1);
  CHECK(p.text() == "punt 0; wait 1; ring-remove; api:set-eoi");
  for (const char* bad :
       {"", "punt", "punt x", "punt -1", "ring-remove 2", "launch 0", "punt 0;; wait 1", "task-exit", "exit-group 1"}) {
    INFO(bad);
    CHECK_THROWS_AS(scn::parse_owner(bad), std::invalid_argument);
  }
}
