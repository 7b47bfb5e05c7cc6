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
#include <set>
#include <sstream>

#include "chk/replay.h"
#include "chk/trace.h"

namespace {

using namespace iowq;

std::string join(const std::set<std::string>& s) {
  std::string out;
  for (const auto& x : s) out += (out.empty() ? "" : ", ") + x;
  return out.empty() ? "(none)" : out;
}

// The counterexample of a per-property search replays: same failure, same trace.
void check_replays(const scn::scenario& s, const config& c, const scn::property_verdict& pv) {
  REQUIRE(pv.r.fail);
  auto in = scn::make(s, c, pv.active);
  chk::options o = scn::options_for(s, true);
  chk::replay_file f = chk::make_replay(in->p.name, o, *pv.r.fail);
  chk::replay_file back = chk::parse_replay(chk::to_json(f));
  configure(in->cfg);
  chk::replay_outcome out = chk::replay(in->p, back);
  configure(config{});
  INFO("replaying " << pv.property << ": " << out.why);
  CHECK(out.reproduced);
}

// Every variant of `variants` gives the scenario's known answers, property by property.
void check_scenario(const std::string& name, std::initializer_list<variant> variants) {
  const scn::scenario* s = scn::find(name);
  REQUIRE(s);
  for (variant v : variants) {
    DYNAMIC_SECTION(name << " / " << to_string(v)) {
      config c;
      c.v = v;
      chk::options o = scn::options_for(*s, true);
      auto verdicts = scn::check_properties(*s, c, o);
      std::set<std::string> violated, verified;
      std::ostringstream log;
      for (const auto& pv : verdicts) {
        log << pv.property << ": " << pv.r.summary() << "\n";
        if (pv.r.v == chk::verdict::violated) {
          violated.insert(pv.property);
          check_replays(*s, c, pv);
        } else if (pv.r.v == chk::verdict::verified) {
          verified.insert(pv.property);
        }
      }
      INFO(log.str());
      std::set<std::string> expected;
      for (const auto& p : s->expected_violations(to_string(v))) expected.insert(p);
      INFO("expected violations: " << join(expected) << "; found: " << join(violated));
      CHECK(violated == expected);
      // Every other property is verified within the bound, unless a failure outside the
      // scenario's properties (an expected use after free, say) ended the judging.
      bool stopped = false;
      for (const auto& p : violated) {
        bool scenario_prop = false;
        for (auto q : s->props) scenario_prop |= p == scn::to_string(q);
        stopped |= !scenario_prop;
      }
      if (!stopped)
        for (auto q : s->props) {
          const std::string p = scn::to_string(q);
          if (!expected.count(p)) CHECK(verified.count(p) == 1);
        }
    }
  }
}

constexpr std::initializer_list<variant> seed_variants = {variant::baseline, variant::v1, variant::merged};

}  // namespace

TEST_CASE("idle-then-eoi: v1 and merged drain the pool; baseline keeps its idle worker", "[scenario]") {
  check_scenario("idle-then-eoi", seed_variants);
}

TEST_CASE("eoi-during-work: exit-on-idle set during a long work item lets the worker finish and leave", "[scenario]") {
  check_scenario("eoi-during-work", seed_variants);
}

TEST_CASE("set-clear-enqueue: v1 and merged strand a new ring's work while the old worker leaves (F1)",
          "[scenario][finding]") {
  check_scenario("set-clear-enqueue", seed_variants);
}

TEST_CASE("bound-and-unbound: one worker per acct, both leave on exit-on-idle", "[scenario]") {
  check_scenario("bound-and-unbound", seed_variants);
}

TEST_CASE("hashed-stall: hashed work stalled on a busy hash is run and the pool drains", "[scenario]") {
  check_scenario("hashed-stall", seed_variants);
}

TEST_CASE("creation-fails: a failed worker creation cancels the work and undoes the accounting", "[scenario]") {
  check_scenario("creation-fails", seed_variants);
}

TEST_CASE("eoi-and-exit: exit with exit-on-idle completes; the baseline exit can wait for the timeout (F3)",
          "[scenario][finding]") {
  check_scenario("eoi-and-exit", seed_variants);
}

TEST_CASE("blocking-work: a worker sleeping in a work item gets a second worker through task_work", "[scenario]") {
  check_scenario("blocking-work", seed_variants);
}

TEST_CASE("eoi-blocked-creation: v1 and merged wrap nr_workers below zero (F2)", "[scenario][finding]") {
  check_scenario("eoi-blocked-creation", seed_variants);
}

TEST_CASE("stall-then-enqueue: unhashed work arriving while a worker is stalled on a hash is run", "[scenario]") {
  check_scenario("stall-then-enqueue", seed_variants);
}

TEST_CASE("exit-while-blocked: cancelling a worker's create_worker_cb at exit reads freed memory (F4)",
          "[scenario][finding]") {
  check_scenario("exit-while-blocked", seed_variants);
}

TEST_CASE("eoi-then-concurrent-work: io-wq API, exit-on-idle set with work still arriving (F1, F2)",
          "[scenario][finding]") {
  check_scenario("eoi-then-concurrent-work", seed_variants);
}

TEST_CASE("eoi-concurrent-two-workers: exit-on-idle with room for a second worker (F2)", "[scenario][finding]") {
  check_scenario("eoi-concurrent-two-workers", seed_variants);
}

TEST_CASE("enqueue-during-exit: work punted after io_wq_exit_start is run or cancelled", "[scenario]") {
  check_scenario("enqueue-during-exit", seed_variants);
}

TEST_CASE("linked-at-exit: a linked request punted while the task exits", "[scenario]") {
  check_scenario("linked-at-exit", seed_variants);
}

TEST_CASE("cancel-queued: cancelling queued work races with a worker picking it up", "[scenario]") {
  check_scenario("cancel-queued", seed_variants);
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
