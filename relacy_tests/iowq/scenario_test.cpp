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
