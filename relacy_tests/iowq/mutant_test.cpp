// Every mutant of the port is killed by the property it names, in the scenario listed with it: the
// mutated run violates the property, the same search on the unmutated variant does not (so the kill
// is the mutant's, not a finding the variant already has), and the counterexample replays.
#include <algorithm>
#include <catch2/catch.hpp>
#include <fstream>
#include <map>
#include <sstream>

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
  INFO(k.name() << " in " << k.scenario << " (" << to_string(k.v) << ") by " << k.property());
  const scn::scenario* s = scn::find(k.scenario);
  REQUIRE(s);
  chk::options o = scn::options_for(*s, true);
  if (k.preemption_bound >= 0) o.preemption_bound = k.preemption_bound;
  config clean;
  clean.v = k.v;
  auto before = violated(*s, clean, o);
  CHECK(std::find(before.begin(), before.end(), k.property()) == before.end());

  config c = clean;
  c.with(k.mutant);
  std::vector<scn::property_verdict> verdicts;
  auto after = violated(*s, c, o, &verdicts);
  REQUIRE(std::find(after.begin(), after.end(), k.property()) != after.end());
  for (const auto& pv : verdicts)
    if (pv.property == k.property()) test::check_replays(*s, c, pv, o);
}

std::string read_source(const char* relative) {
  std::ifstream f(std::string(IOWQ_SOURCE_DIR) + "/" + relative);
  REQUIRE(f);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

}  // namespace

namespace {
// One test case per row of scn::mutant_kills(), named after the mutant.
const bool registered = [] {
  for (const kill& k : scn::mutant_kills()) {
    const M m = k.mutant;
    test::register_case(
        std::string("mutant ") + k.name() + " is killed by the property it names, and its counterexample replays",
        "[mutant]", [m] { check_kill(*scn::kill_of(m)); });
  }
  return true;
}();
}  // namespace

TEST_CASE("every mutant is either killed by one scenario or declared unkilled with a reason", "[mutant]") {
  std::map<M, int> rows;
  for (const kill& k : scn::mutant_kills()) {
    ++rows[k.mutant];
    CHECK(scn::find(k.scenario) != nullptr);
    // The kill variant's port places the mutant.
    CHECK((iowq::info(k.v).ops->unsupported_mutants & mutant_bit(k.mutant)) == 0);
  }
  for (const auto& u : scn::unkilled_mutants()) {
    ++rows[u.mutant];
    CHECK(std::string(u.reason).size() > 20);
  }
  for (const auto& m : all_mutants()) {
    INFO(m.name);
    CHECK(rows[m.id] == 1);
  }
  CHECK(rows.size() == all_mutants().size());
  CHECK(scn::mutant_kills().size() >= 12);
}

TEST_CASE("each port places every mutant it does not declare unsupported, and no unsupported one", "[mutant]") {
  // A mutant is placed where the source tests it: `mutant(M::name)` in the port, or in
  // configure() (model/config.cpp), which turns a facade fault on for every port.
  const std::string facade = read_source("model/config.cpp");
  struct port {
    const wq_ops& ops;
    const char* source;
  };
  const port ports[] = {{ops_6_14(), "model/io_wq.cpp"}, {ops_upstream(), "model/upstream/io_wq.cpp"}};
  for (const port& p : ports) {
    const std::string src = read_source(p.source);
    for (const auto& m : all_mutants()) {
      const std::string use = std::string("mutant(M::") + m.name + ")";
      const bool in_port = src.find(use) != std::string::npos;
      const bool in_facade = facade.find(use) != std::string::npos;
      const bool unsupported = (p.ops.unsupported_mutants & mutant_bit(m.id)) != 0;
      INFO(p.source << ": " << m.name);
      if (unsupported)
        CHECK_FALSE(in_facade);  // a facade mutant reaches every port
      else
        CHECK((in_port || in_facade));
    }
  }
  // The ports' declarations are the mutant table's columns.
  CHECK(ops_6_14().unsupported_mutants == mutants_not_in(in_6_14));
  CHECK(ops_upstream().unsupported_mutants == mutants_not_in(in_6_19));
}

TEST_CASE("a port refuses a mutant it declares unsupported", "[mutant]") {
  const scn::scenario* s = scn::find("idle-then-eoi");
  REQUIRE(s);
  config c;
  c.v = variant::upstream;
  c.with(M::eoi_no_dec);
  auto verdicts = scn::check_properties(*s, c, scn::options_for(*s, true));
  bool refused = false;
  for (const auto& pv : verdicts)
    if (pv.r.fail && pv.r.fail->message.find("not supported") != std::string::npos) refused = true;
  CHECK(refused);
}

TEST_CASE("every scenario (for the 6.14 and the 6.19 variants) and every mutant kill has its generated test case",
          "[mutant][scenario]") {
  CHECK(test::registered_cases() == static_cast<int>(2 * scn::all().size() + scn::mutant_kills().size()));
}
