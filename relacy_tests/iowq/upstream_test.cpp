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

constexpr std::initializer_list<variant> upstream_variants = {variant::upstream,
                                                              variant::upstream_fix_strand,
                                                              variant::upstream_fix_wrap,
                                                              variant::upstream_fix_tw_uaf,
                                                              variant::upstream_fix_hash_defer,
                                                              variant::upstream_fixed};

// Every 6.19 variant gives the scenario's known answers, property by property (verdicts.h), and
// the all-fixes variant is expected to verify everything.
void check_upstream(const std::string& name) {
  test::check_variants(name, upstream_variants);
  const scn::scenario* s = scn::find(name);
  REQUIRE(s);
  CHECK(s->expected_violations(to_string(variant::upstream_fixed)).empty());
}

}  // namespace

TEST_CASE("upstream: idle-then-eoi drains the pool", "[upstream][scenario]") { check_upstream("idle-then-eoi"); }

TEST_CASE("upstream: eoi-during-work lets the worker finish its long work item and leave", "[upstream][scenario]") {
  check_upstream("eoi-during-work");
}

TEST_CASE("upstream: set-clear-enqueue strands a new ring's work while the old worker leaves (F1)",
          "[upstream][scenario][finding]") {
  check_upstream("set-clear-enqueue");
}

TEST_CASE("upstream: bound-and-unbound, one worker per acct, both leave", "[upstream][scenario]") {
  check_upstream("bound-and-unbound");
}

TEST_CASE("upstream: hashed-stall runs stalled hashed work and drains the pool", "[upstream][scenario]") {
  check_upstream("hashed-stall");
}

TEST_CASE("upstream: creation-fails cancels the work and undoes the accounting", "[upstream][scenario]") {
  check_upstream("creation-fails");
}

TEST_CASE("upstream: eoi-and-exit completes", "[upstream][scenario]") { check_upstream("eoi-and-exit"); }

TEST_CASE("upstream: blocking-work gets a second worker through task_work", "[upstream][scenario]") {
  check_upstream("blocking-work");
}

TEST_CASE("upstream: eoi-blocked-creation wraps nr_workers below zero (F2)", "[upstream][scenario][finding]") {
  check_upstream("eoi-blocked-creation");
}

TEST_CASE("upstream: stall-then-enqueue leaves unhashed work behind a same-hash head without a worker (F5)",
          "[upstream][scenario][finding]") {
  check_upstream("stall-then-enqueue");
}

TEST_CASE("upstream: exit-while-blocked wraps nr_workers (F2) and reads a freed worker (F4)",
          "[upstream][scenario][finding]") {
  check_upstream("exit-while-blocked");
}

TEST_CASE("upstream: eoi-then-concurrent-work strands work (F1) and wraps nr_workers (F2)",
          "[upstream][scenario][finding]") {
  check_upstream("eoi-then-concurrent-work");
}

TEST_CASE("upstream: eoi-concurrent-two-workers wraps nr_workers (F2)", "[upstream][scenario][finding]") {
  check_upstream("eoi-concurrent-two-workers");
}

TEST_CASE("upstream: enqueue-during-exit runs or cancels work punted after exit_start", "[upstream][scenario]") {
  check_upstream("enqueue-during-exit");
}

TEST_CASE("upstream: linked-at-exit runs or cancels the linked request", "[upstream][scenario]") {
  check_upstream("linked-at-exit");
}

TEST_CASE("upstream: cancel-queued races cancellation with a worker picking the work up", "[upstream][scenario]") {
  check_upstream("cancel-queued");
}

TEST_CASE("upstream: every scenario of the catalogue is asserted for the 6.19 variants", "[upstream][scenario]") {
  // A scenario added to the catalogue needs its TEST_CASE above.
  const std::set<std::string> covered = {"idle-then-eoi",
                                         "eoi-during-work",
                                         "set-clear-enqueue",
                                         "bound-and-unbound",
                                         "hashed-stall",
                                         "creation-fails",
                                         "eoi-and-exit",
                                         "blocking-work",
                                         "eoi-blocked-creation",
                                         "stall-then-enqueue",
                                         "exit-while-blocked",
                                         "eoi-then-concurrent-work",
                                         "eoi-concurrent-two-workers",
                                         "enqueue-during-exit",
                                         "linked-at-exit",
                                         "cancel-queued"};
  for (const auto& s : scn::all()) {
    INFO(s.name);
    CHECK(covered.count(s.name) == 1);
  }
}

TEST_CASE("upstream: the committed counterexamples in findings/ reproduce their failures", "[upstream][finding]") {
  namespace fs = std::filesystem;
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(IOWQ_FINDINGS_DIR)) {
    const std::string n = e.path().filename().string();
    if (n.size() > 12 && n.ends_with(".replay.json")) files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  // Q1 (F1), Q2 (F2), F4 and F5, each on the released upstream.
  REQUIRE(files.size() >= 4);
  for (const auto& path : files) {
    DYNAMIC_SECTION(path.filename().string()) {
      chk::replay_file f = chk::load_replay(path.string());
      CHECK(f.labels["variant"] == "upstream");
      chk::replay_outcome out = scn::replay(f);
      INFO(out.why);
      // Replay files record source lines: after an edit that moved lines of the port or the
      // scenarios (same failure, different trace), renew them with findings/regenerate.
      INFO("if only source lines moved, run findings/regenerate");
      REQUIRE(out.reproduced);
    }
  }
}
