// Every mutant of the port is killed by the property it names, in the scenario listed with it: the
// mutated run violates the property, the same search on the unmutated variant does not (so the kill
// is the mutant's, not a finding the variant already has), and the counterexample replays.
#include <algorithm>
#include <catch2/catch.hpp>
#include <set>

#include "scenario.h"
#include "verdicts.h"

namespace {

using namespace iowq;

using kill = scn::mutant_kill;

std::vector<std::string> violated(const scn::scenario& s, const config& c, const chk::options& o,
                                  std::vector<scn::property_verdict>* out = nullptr) {
  std::vector<std::string> v;
  auto verdicts = scn::check_properties(s, c, o);
  for (const auto& pv : verdicts)
    if (pv.r.v == chk::verdict::violated) v.push_back(pv.property);
  if (out) *out = std::move(verdicts);
  return v;
}

void check_kill(const kill& k) {
  INFO(k.mutant << " in " << k.scenario << " (" << to_string(k.v) << ") by " << k.property);
  auto m = mutant_by_name(k.mutant);
  REQUIRE(m);
  CHECK(std::string(info(*m).property) == k.property);
  const scn::scenario* s = scn::find(k.scenario);
  REQUIRE(s);
  chk::options o = scn::options_for(*s, true);
  if (k.preemption_bound >= 0) o.preemption_bound = k.preemption_bound;
  config clean;
  clean.v = k.v;
  auto before = violated(*s, clean, o);
  CHECK(std::find(before.begin(), before.end(), k.property) == before.end());

  config c = clean;
  c.with(*m);
  std::vector<scn::property_verdict> verdicts;
  auto after = violated(*s, c, o, &verdicts);
  REQUIRE(std::find(after.begin(), after.end(), k.property) != after.end());
  for (const auto& pv : verdicts)
    if (pv.property == k.property) test::check_replays(*s, c, pv, o);
}

const kill& find_kill(const char* mutant) {
  for (const kill& k : scn::mutant_kills())
    if (std::string(k.mutant) == mutant) return k;
  FAIL("no kill listed for " << mutant);
  return scn::mutant_kills().front();
}

}  // namespace

TEST_CASE("mutant eoi_no_dec is killed by the property it names, and its counterexample replays", "[mutant]") {
  check_kill(find_kill("eoi_no_dec"));
}

TEST_CASE("mutant eoi_dec_unlocked is killed by the property it names, and its counterexample replays", "[mutant]") {
  check_kill(find_kill("eoi_dec_unlocked"));
}

TEST_CASE("mutant eoi_no_wake is killed by the property it names, and its counterexample replays", "[mutant]") {
  check_kill(find_kill("eoi_no_wake"));
}

TEST_CASE("mutant eoi_after_idle is killed by the property it names, and its counterexample replays", "[mutant]") {
  check_kill(find_kill("eoi_after_idle"));
}

TEST_CASE("mutant wake_no_running is killed by the property it names, and its counterexample replays", "[mutant]") {
  check_kill(find_kill("wake_no_running"));
}

TEST_CASE("mutant hist_nr_workers_unlocked is killed by the property it names, and its counterexample replays",
          "[mutant]") {
  check_kill(find_kill("hist_nr_workers_unlocked"));
}

TEST_CASE("mutant hist_state_after_check is killed by the property it names, and its counterexample replays",
          "[mutant]") {
  check_kill(find_kill("hist_state_after_check"));
}

TEST_CASE("mutant hist_stall_after_unlock is killed by the property it names, and its counterexample replays",
          "[mutant]") {
  check_kill(find_kill("hist_stall_after_unlock"));
}

TEST_CASE("mutant hist_enqueue_no_cancel_on_exit is killed by the property it names, and its counterexample replays",
          "[mutant]") {
  check_kill(find_kill("hist_enqueue_no_cancel_on_exit"));
}

TEST_CASE("mutant dec_running_no_recheck is killed by the property it names, and its counterexample replays",
          "[mutant]") {
  check_kill(find_kill("dec_running_no_recheck"));
}

TEST_CASE("mutant exit_no_ref_put is killed by the property it names, and its counterexample replays", "[mutant]") {
  check_kill(find_kill("exit_no_ref_put"));
}

TEST_CASE("mutant exit_kfree_no_rcu is killed by the property it names, and its counterexample replays", "[mutant]") {
  check_kill(find_kill("exit_kfree_no_rcu"));
}

TEST_CASE("mutant enqueue_no_rcu_lock is killed by the property it names, and its counterexample replays", "[mutant]") {
  check_kill(find_kill("enqueue_no_rcu_lock"));
}

TEST_CASE("mutant busy_unlocked_del is killed by the property it names, and its counterexample replays", "[mutant]") {
  check_kill(find_kill("busy_unlocked_del"));
}

TEST_CASE("the kill table covers at least twelve mutants, each once", "[mutant]") {
  std::set<std::string> names;
  for (const kill& k : scn::mutant_kills()) names.insert(k.mutant);
  CHECK(names.size() == scn::mutant_kills().size());
  CHECK(names.size() >= 12);
}
