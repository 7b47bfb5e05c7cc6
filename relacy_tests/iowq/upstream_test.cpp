// The 6.19 port under the checker: for every scenario, each variant of the port (upstream as
// released, one variant per proposed fix, and all fixes together) gives the scenario's known
// answers property by property, using the quick search of the test suite (every schedule with at
// most 3 preemptions, 2 for the two-worker scenarios). scenario_test.cpp does the same for the 6.14
// variants (baseline, v1, merged); the two files split the variants so no search runs twice.
//
// The counterexamples docs/findings.md cites are committed under findings/ and must keep
// reproducing their recorded failure.
#include <algorithm>
#include <catch2/catch.hpp>
#include <filesystem>
#include <set>

#include "chk/replay.h"
#include "scenario.h"
#include "verdicts.h"

#ifndef IOWQ_FINDINGS_DIR
#error "IOWQ_FINDINGS_DIR must name the findings directory (relacy_tests/CMakeLists.txt)"
#endif

namespace {

using namespace iowq;

// upstream, each fix variant and upstream-fixed: every variant of the variant table on the 6.19 port.
const std::vector<variant> upstream_variants = test::variants_of_port("6.19");

// Every 6.19 variant gives the scenario's known answers, property by property (verdicts.h), and
// the all-fixes variant is expected to verify everything.
void check_upstream(const std::string& name) {
  REQUIRE(upstream_variants.size() >= 6);
  test::check_variants(name, upstream_variants);
  const scn::scenario* s = scn::find(name);
  REQUIRE(s);
  CHECK(s->expected_violations(to_string(variant::upstream_fixed)).empty());
}

// One test case per scenario, for the 6.19 variants.
const bool registered =
    test::register_scenarios("upstream: ", "", "[upstream][scenario]", upstream_variants, &check_upstream);

}  // namespace

TEST_CASE("upstream: the committed counterexamples in findings/ reproduce their failures", "[upstream][finding]") {
  namespace fs = std::filesystem;
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(IOWQ_FINDINGS_DIR)) {
    const std::string n = e.path().filename().string();
    if (n.size() > 12 && n.ends_with(".replay.json")) files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  // Q1 (F1), Q2 (F2), F2 through io_uring (idle timeout), F4 (API and exit_group), F5 on the
  // released upstream; F6 on upstream-fix-tw-uaf, where F4 does not stop the search before it.
  REQUIRE(files.size() >= 7);
  for (const auto& path : files) {
    DYNAMIC_SECTION(path.filename().string()) {
      chk::replay_file f = chk::load_replay(path.string());
      CHECK(f.labels["variant"].rfind("upstream", 0) == 0);
      chk::replay_outcome out = scn::replay(f);
      INFO(out.why);
      // Replay files record source lines: after an edit that moved lines of the port or the
      // scenarios (same failure, different trace), renew them with findings/regenerate.
      INFO("if only source lines moved, run findings/regenerate");
      REQUIRE(out.reproduced);
    }
  }
}
