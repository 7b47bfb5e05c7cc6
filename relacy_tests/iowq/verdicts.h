// Assertions shared by the port's tests (scenario_test.cpp for the 6.14 variants,
// upstream_test.cpp for the 6.19 ones, mutant_test.cpp): a scenario's verdicts per variant against
// its known answers, and the replay of every counterexample.
#pragma once

#include <catch2/catch.hpp>
#include <functional>
#include <initializer_list>
#include <set>
#include <sstream>
#include <string>

#include "chk/replay.h"
#include "generated_cases.h"
#include "scenario.h"

namespace iowq::test {

using testgen::register_case;
using testgen::registered_cases;

inline std::string join(const std::set<std::string>& s) {
  std::string out;
  for (const auto& x : s) out += (out.empty() ? "" : ", ") + x;
  return out.empty() ? "(none)" : out;
}

// One test case per scenario of the catalogue (scn::all()), so that a new scenario is asserted for
// `variants` without a new TEST_CASE: named "<prefix><scenario>: <summary><suffix>", tagged
// `tags` plus [finding] when the scenario has a finding under one of the variants.
inline bool register_scenarios(const std::string& prefix, const std::string& suffix, const std::string& tags,
                               const std::vector<variant>& variants, std::function<void(const std::string&)> check) {
  for (const auto& sc : scn::all()) {
    bool finding = false;
    for (const auto& f : sc.findings)
      for (variant v : variants) finding |= f.variant == to_string(v);
    const std::string name = sc.name;
    register_case(prefix + name + ": " + sc.summary + suffix, tags + (finding ? "[finding]" : ""),
                  [name, check] { check(name); });
  }
  return true;
}

// The counterexample of a per-property search (run with options `o`) survives a round trip through
// its replay file: same failure, same trace.
inline void check_replays(const scn::scenario& s, const config& c, const scn::property_verdict& pv,
                          const chk::options& o) {
  REQUIRE(pv.r.fail);
  auto in = scn::make(s, c, pv.active);
  chk::replay_file back = chk::parse_replay(chk::to_json(chk::make_replay(in->p.name, o, *pv.r.fail)));
  configure(in->cfg);
  chk::replay_outcome out = chk::replay(in->p, back);
  configure(config{});
  INFO("replaying " << pv.property << ": " << out.why);
  CHECK(out.reproduced);
}

// Every variant of `variants` gives the scenario's known answers, property by property, with the
// test suite's quick search; each counterexample replays.
// The built-in variants that run on the port with this base ("6.14", "6.19"), from the variant table.
inline std::vector<variant> variants_of_port(const std::string& base) {
  std::vector<variant> out;
  for (variant v : builtin_variants())
    if (info(v).base == base) out.push_back(v);
  return out;
}

inline void check_variants(const std::string& name, const std::vector<variant>& variants) {
  const scn::scenario* s = scn::find(name);
  REQUIRE(s);
  for (variant v : variants) {
    DYNAMIC_SECTION(name << " / " << to_string(v)) {
      config c;
      c.v = v;
      const chk::options o = scn::options_for(*s, true);
      auto verdicts = scn::check_properties(*s, c, o);
      std::set<std::string> violated, verified;
      std::ostringstream log;
      for (const auto& pv : verdicts) {
        log << pv.property << ": " << pv.r.summary() << "\n";
        if (pv.r.v == chk::verdict::violated) {
          violated.insert(pv.property);
          check_replays(*s, c, pv, o);
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

}  // namespace iowq::test
