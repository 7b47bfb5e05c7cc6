// Generated scenarios (scenarios/generate.h) and the triage of their violations (scenarios/triage.h):
// the grammar's rules and counts, names that round-trip, shrinking, and the known-signature table
// checked against every finding of the hand-written catalog.
#include "generate.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <map>
#include <regex>
#include <set>

#include "scenario.h"
#include "triage.h"

namespace {

using namespace iowq;
namespace gen = scn::gen;

// The signature of the first counterexample of `prop` in the scenario's quick search.
std::optional<scn::signature> first_signature(const scn::scenario& s, variant v, scn::prop prop) {
  config c;
  c.v = v;
  chk::result r = scn::check(s, c, scn::options_for(s, true), {prop});
  if (!r.fail || scn::violated_property(*r.fail) != scn::to_string(prop)) return std::nullopt;
  return scn::signature_of(scn::to_string(prop), r.fail->trace);
}

}  // namespace

TEST_CASE("generate: names round-trip and the grammar rejects what io_uring cannot do", "[generate]") {
  const scn::scenario s = gen::from_name("gen:punt:x.punt.release0.wait.ring-exit+max2+eagain");
  CHECK(s.works.size() == 2);
  CHECK(s.works[0].blocks);
  CHECK(s.bounded_max == 2);
  CHECK(s.create_error == -EAGAIN);
  CHECK(s.owner.text() == "punt 0; punt 1; release 0; wait 2; ring-exit");
  CHECK(scn::family_of(s) == scn::family::io_uring);
  CHECK(std::find(s.props.begin(), s.props.end(), scn::prop::pool_zero) != s.props.end());
  // Linked work: the head punts the next request.
  const scn::scenario l = gen::from_name("gen:punt:l.wait.thread-exit");
  REQUIRE(l.works.size() == 2);
  CHECK(l.works[0].linked == 1);
  CHECK(l.owner.text() == "punt 0; wait 2; thread-exit");
  CHECK(std::find(l.props.begin(), l.props.end(), scn::prop::exit_hang) != l.props.end());
  for (const char* bad : {
           "gen:wait",                   // nothing punted
           "gen:punt.wait.wait",         // nothing new to wait for
           "gen:punt:x.wait",            // waits for a blocking request never released
           "gen:punt:x",                 // never released, never exits
           "gen:punt.ring-exit.punt",    // a punt with no ring
           "gen:punt.ring-add",          // a ring added while the task has one
           "gen:punt.thread-exit.wait",  // exit is last
           "gen:punt:h2",                // hash key 2 before key 1
           "gen:punt.release0",          // request 0 does not block
           "gen:punt.wait.cancel0",      // a cancel of a request already seen complete
           "gen:punt+eagain+max2",       // knobs out of order
           "gen:punt:xu",                // flags out of order
           "gen:punt;wait",              // not the grammar
           "gen:punt.api:set-eoi",       // the io-wq API is not generated
       }) {
    INFO(bad);
    CHECK_THROWS_AS(gen::from_name(bad), std::invalid_argument);
    CHECK(scn::find(bad) == nullptr);
  }
  // find() makes a generated scenario once and keeps it.
  const scn::scenario* a = scn::find("gen:punt.wait.punt.wait");
  REQUIRE(a);
  CHECK(a == scn::find("gen:punt.wait.punt.wait"));
  CHECK(a->owner.text() == "punt 0; wait 1; punt 1; wait 2");
}

TEST_CASE("generate: enumeration by size, every program valid, canonical and distinct", "[generate]") {
  gen::params p;
  p.max_actions = 3;
  p.max_works = 2;
  const auto names = gen::enumerate(p);
  // Counted by hand for the smallest sizes: one action is a punt of each kind but the blocking
  // ones (never released), i.e. "", u, h1, c, l.
  gen::params one;
  one.max_actions = 1;
  one.max_works = 2;
  CHECK(gen::enumerate(one) ==
        std::vector<std::string>{"gen:punt", "gen:punt:u", "gen:punt:h1", "gen:punt:c", "gen:punt:l"});
  one.max_works = 1;
  CHECK(gen::enumerate(one).size() == 4);  // no room for a linked pair
  CHECK(names.size() == 707);
  std::set<std::string> seen;
  for (const auto& n : names) {
    INFO(n);
    CHECK(seen.insert(n).second);
    const scn::scenario s = gen::from_name(n);
    CHECK(s.works.size() <= 2);
    CHECK(s.owner.actions.size() <= 3);
    CHECK(scn::family_of(s) == scn::family::io_uring);
  }
  // The worker-reuse program the catalog lacked is there, and sizes come in order.
  CHECK(seen.count("gen:punt.wait.punt"));
  for (std::size_t i = 1; i < names.size(); ++i)
    CHECK(gen::size_of(names[i - 1]) / 1000000 <= gen::size_of(names[i]) / 1000000);
  // Knobs multiply the environments.
  p.environments = {gen::knobs{}, gen::parse_knobs("max2+eagain")};
  const auto both = gen::enumerate(p);
  CHECK(both.size() == 2 * names.size());
  CHECK(std::count_if(both.begin(), both.end(), [](const std::string& n) { return n.ends_with("+max2+eagain"); }) ==
        static_cast<long>(names.size()));
}

TEST_CASE("generate: smaller programs drop an action with what refers to it, a flag or a knob", "[generate]") {
  const auto s = gen::smaller("gen:punt:x.punt.release0.wait+max2");
  const std::set<std::string> got(s.begin(), s.end());
  // Dropping the blocking punt drops its release and renumbers; dropping the release leaves a wait
  // for a blocking request (invalid); dropping x drops the release.
  CHECK(got.count("gen:punt.wait+max2"));
  CHECK(got.count("gen:punt:x.punt.release0.wait"));
  CHECK(got.count("gen:punt.punt.wait+max2"));
  CHECK(!got.count("gen:punt:x.punt.wait+max2"));
  for (const auto& n : s) CHECK(gen::size_of(n) < gen::size_of("gen:punt:x.punt.release0.wait+max2"));
}

TEST_CASE("triage: the catalog's findings have known signatures, declared for their variants", "[generate]") {
  // Every finding row of the hand-written catalog: its first counterexample in the quick search has
  // a signature the table declares for that variant, under the finding the row names.
  const std::regex id(R"(^(F\d|N\d)\b)");
  std::size_t checked = 0;
  // What is missing, as the table's rows would declare it: finding, property, function -> variants.
  std::map<std::string, std::set<std::string>> missing;
  for (const auto& s : scn::all()) {
    for (variant v : builtin_variants()) {
      for (const auto& f : s.findings) {
        if (f.variant != to_string(v)) continue;
        scn::prop prop{};
        bool found = false;
        for (scn::prop q : s.props)
          if (f.property == scn::to_string(q)) prop = q, found = true;
        std::optional<scn::signature> sig;
        if (found) {
          sig = first_signature(s, v, prop);
        } else {
          // uaf, race: the checker's properties, judged with the scenario's.
          config c;
          c.v = v;
          for (const auto& pv : scn::check_properties(s, c, scn::options_for(s, true)))
            if (pv.property == f.property && pv.r.fail) sig = scn::signature_of(pv.property, pv.r.fail->trace);
        }
        INFO(s.name << " under " << to_string(v) << ": " << f.property);
        REQUIRE(sig);
        bool other = false;
        const scn::known_signature* k = scn::match_known(*sig, to_string(v), &other);
        INFO("signature " << sig->text() << " at " << sig->where);
        std::smatch m;
        const std::string why = f.why;
        const std::string expect = std::regex_search(why, m, id) ? m[1].str() : "baseline";
        if (!k) missing["{\"" + expect + "\", \"" + sig->property + "\", \"" + sig->key() + "\""].insert(to_string(v));
        CHECK(k);
        if (!k) continue;
        // "F6 (or F3)": either.
        CHECK((expect == k->finding || (why.rfind("F6 (or F3)", 0) == 0 && std::string(k->finding) == "F3")));
        ++checked;
      }
    }
  }
  std::string declare;
  for (const auto& [row, vs] : missing) {
    declare += row + ", {";
    for (const auto& v : vs) declare += "\"" + v + "\", ";
    declare += "}}\n";
  }
  INFO("signatures to declare in known_signatures() (scenarios/catalog.cpp):\n" << declare);
  CHECK(missing.empty());
  CHECK(checked > 100);
}

TEST_CASE("triage: a signature is the property and where the execution went wrong", "[generate]") {
  // F6: the worker sleeps in the blocking request with its exit wake consumed.
  const scn::scenario* f6 = scn::find("gen:punt:x.thread-exit");
  REQUIRE(f6);
  auto sig = first_signature(*f6, variant::upstream, scn::prop::exit_hang);
  REQUIRE(sig);
  CHECK(sig->text() == "exit-hang@do_work");
  // F2 on the 6.14 port: the decrement that wraps, in the worker's exit-on-idle block.
  const scn::scenario* f2 = scn::find("gen:punt:x.punt.thread-exit");
  REQUIRE(f2);
  sig = first_signature(*f2, variant::v1, scn::prop::accounting);
  REQUIRE(sig);
  CHECK(sig->property == "accounting");
  CHECK(scn::match_known(*sig, "v1"));
  CHECK(std::string(scn::match_known(*sig, "v1")->finding) == "F2");
  // A fixed variant has no such counterexample, and a known signature on a variant it is not
  // declared for is not matched.
  CHECK(!first_signature(*f6, variant::upstream_fixed, scn::prop::exit_hang));
  bool other = false;
  CHECK(scn::match_known(scn::signature{"exit-hang", "do_work", ""}, "upstream-fixed", &other) == nullptr);
  CHECK(other);
}

TEST_CASE("triage: F7, found by the enumeration: cancel-all misses hashed work in a worker's chain", "[generate]") {
  // Two blocking requests on one hash: the worker takes both off the list (a chain), runs the first;
  // IORING_ASYNC_CANCEL_ANY signals it, but the second is neither on the list nor the current work,
  // so it runs afterwards and blocks with nobody to release it. Both ports, every variant.
  const scn::scenario* s = scn::find("gen:punt:h1x.punt:h1x.cancel-all.wait");
  REQUIRE(s);
  for (variant v : {variant::v1, variant::upstream, variant::upstream_fixed}) {
    const auto sig = first_signature(*s, v, scn::prop::lost_wakeup);
    REQUIRE(sig);
    CHECK(sig->text() == "lost-wakeup@do_work");
    const scn::known_signature* k = scn::match_known(*sig, to_string(v));
    REQUIRE(k);
    CHECK(std::string(k->finding) == "F7");
  }
  // One hashed request, or two on different keys, or no cancel: no such chain, no violation.
  for (const char* ok : {"gen:punt:h1x.punt:h2x.cancel-all.wait", "gen:punt:h1x.punt:h1x.release0.release1.wait"}) {
    INFO(ok);
    const scn::scenario* t = scn::find(ok);
    REQUIRE(t);
    CHECK(!first_signature(*t, variant::upstream_fixed, scn::prop::lost_wakeup));
  }
}
