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

// What a search reads of its variant (config.h: reads_of_variant), the ground on which the runner
// shares one search among variants: the 6.19 port asks only about fixes, and only about those whose
// lines the search reaches; the 6.14 port asks which variant it is, where the answer matters.
TEST_CASE("upstream: a search records the fixes it reaches, and the 6.14 port the variants it asks about",
          "[upstream][sharing]") {
  const scn::scenario* s = scn::find("idle-then-eoi");
  REQUIRE(s);
  auto reads = [s](variant v) {
    config c;
    c.v = v;
    reads_of_variant() = {};
    (void)scn::check_properties(*s, c, scn::options_for(*s, true));
    return reads_of_variant();
  };
  const auto bit = [](fix f) { return 1u << static_cast<unsigned>(f); };
  // idle-then-eoi: a worker runs the work and exits on idle. It reaches the strand fix's line (the
  // exit) and exit_signal's (running work), not io_worker_cancel_cb, io_wq_hash_defer or
  // io_wq_cancel_tw_create.
  const variant_reads up = reads(variant::upstream);
  CHECK(!up.identity);
  CHECK((up.fixes & bit(fix::strand)) != 0);
  CHECK((up.fixes & bit(fix::exit_signal)) != 0);
  CHECK((up.fixes & (bit(fix::wrap) | bit(fix::hash_defer) | bit(fix::tw_uaf))) == 0);
  // A scenario that exits while a creation is pending reaches io_wq_cancel_tw_create (tw_uaf).
  const scn::scenario* e = scn::find("exit-while-blocked");
  REQUIRE(e);
  config c;
  c.v = variant::upstream;
  reads_of_variant() = {};
  (void)scn::check_properties(*e, c, scn::options_for(*e, true));
  CHECK((reads_of_variant().fixes & bit(fix::tw_uaf)) != 0);
  // The 6.14 port asks which variant it is only where the answer changes what it does: with idle
  // timeouts off, only whether it is the baseline (v1 and merged make the same idle-exit test at
  // the same point), so v1 and merged can share; with a timed-out sleep, whether it is v1 or merged.
  const auto vbit = [](variant v) { return std::uint64_t{1} << static_cast<unsigned>(v); };
  const variant_reads v1 = reads(variant::v1);
  CHECK(!v1.identity);
  CHECK((v1.asked & vbit(variant::baseline)) != 0);
  CHECK((v1.asked & (vbit(variant::v1) | vbit(variant::merged))) == 0);
  CHECK(!reads(variant::baseline).identity);
  const scn::scenario* t = scn::find("timeout-last-worker");
  REQUIRE(t);
  REQUIRE(t->timeouts);
  c.v = variant::merged;
  reads_of_variant() = {};
  (void)scn::check_properties(*t, c, scn::options_for(*t, true));
  CHECK((reads_of_variant().asked & vbit(variant::v1)) != 0);
  CHECK((reads_of_variant().asked & vbit(variant::merged)) != 0);
}
