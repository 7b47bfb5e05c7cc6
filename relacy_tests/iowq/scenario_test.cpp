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

TEST_CASE("owner programs: every scenario's program prints as it parses, and bad ones are refused with a reason",
          "[scenario]") {
  for (const auto& s : scn::all()) {
    INFO(s.name);
    const std::string text = s.owner.text();
    CHECK(scn::parse_owner(text).text() == text);
    // The io-wq API family is marked as such in its summary.
    CHECK(s.owner.uses_api() == (s.summary.rfind("io-wq API:", 0) == 0));
  }
  const scn::owner_program p = scn::parse_owner(" punt 0;wait 1 ; ring-remove;api:set-eoi");
  REQUIRE(p.actions.size() == 4);
  CHECK(p.actions[0].k == scn::action::op::punt);
  CHECK(p.actions[1].k == scn::action::op::wait);
  CHECK(p.actions[1].n == 1);
  CHECK(p.text() == "punt 0; wait 1; ring-remove; api:set-eoi");
  for (const char* bad : {"", "punt", "punt x", "punt -1", "ring-remove 2", "launch 0", "punt 0;; wait 1"}) {
    INFO(bad);
    CHECK_THROWS_AS(scn::parse_owner(bad), std::invalid_argument);
  }
}
