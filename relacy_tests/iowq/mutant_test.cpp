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

namespace {
// One test case per row of scn::mutant_kills(), named after the mutant.
const bool registered = [] {
  for (const kill& k : scn::mutant_kills()) {
    const std::string name = k.mutant;
    test::register_case("mutant " + name + " is killed by the property it names, and its counterexample replays",
                        "[mutant]", [name] { check_kill(find_kill(name.c_str())); });
  }
  return true;
}();
}  // namespace

TEST_CASE("the kill table covers at least twelve mutants, each once", "[mutant]") {
  std::set<std::string> names;
  for (const kill& k : scn::mutant_kills()) names.insert(k.mutant);
  CHECK(names.size() == scn::mutant_kills().size());
  CHECK(names.size() >= 12);
}

TEST_CASE("every scenario (for the 6.14 and the 6.19 variants) and every mutant kill has its generated test case",
          "[mutant][scenario]") {
  CHECK(test::registered_cases() == static_cast<int>(2 * scn::all().size() + scn::mutant_kills().size()));
}
