#include "targets.h"

#include <algorithm>
#include <cstdio>

#include "errors.h"
#include "generate.h"
#include "realsrc/loader.h"

namespace iowq::tools {

std::string target_key(const target& t) {
  return t.mutant.empty() ? "scenario/" + t.s->name + "/" + to_string(t.cfg.v)
                          : "mutant/" + t.mutant + "@" + t.s->name + "/" + to_string(t.cfg.v);
}

std::string target_label(const target& t) {
  return t.mutant.empty() ? t.s->name + " under " + to_string(t.cfg.v)
                          : "mutant " + t.mutant + " in " + t.s->name + " under " + to_string(t.cfg.v);
}

chk::options options_for(const target& t, const search_request& sp) {
  chk::options o = scn::options_for(*t.s, sp.quick);
  if (!sp.search.empty() && !chk::parse_search(sp.search, o))
    throw usage_error("bad --search " + sp.search + " (expected dfs, dpor, bounded:K, random:N or pct:D)");
  if (!sp.rcu.empty()) {
    auto f = chk::parse_rcu_flavour(sp.rcu);
    if (!f) throw usage_error("bad --rcu " + sp.rcu + " (expected preemptible or non-preemptible)");
    o.rcu = *f;
  }
  if (auto m = mutant_by_name(t.mutant); m && sp.search.empty()) {
    // A kill is a search for the mutant's counterexample, not a proof: the test suite's bounded
    // search (the kill's own bound in its kill scenario, else the scenario's test bound), the search
    // the mutant tests establish the kill with, whatever the scenario's report search is. DPOR's
    // order can meet a counterexample much later (hist_stall_after_unlock: none in 100 s of DPOR;
    // bounded:3 finds it).
    const scn::mutant_kill* k = scn::kill_of(*m);
    o.search = chk::search_kind::bounded;
    o.preemption_bound =
        k && k->preemption_bound >= 0 && t.s->name == k->scenario ? k->preemption_bound : t.s->test_preemption_bound;
  }
  o.seed = sp.seed;
  o.max_executions = sp.max_executions;
  o.time_limit_seconds = sp.time_limit;
  o.progress_interval = 0.25;
  return o;
}

std::pair<int, int> parse_shard(const std::string& s) {
  auto slash = s.find('/');
  try {
    if (slash == std::string::npos) throw 0;
    std::size_t a = 0, b = 0;
    int i = std::stoi(s.substr(0, slash), &a);
    int n = std::stoi(s.substr(slash + 1), &b);
    if (a != slash || b != s.size() - slash - 1 || n < 1 || n > 1024 || i < 0 || i >= n) throw 0;
    return {i, n};
  } catch (...) {
    throw usage_error("bad --shard " + s + " (expected I/N with 0 <= I < N)");
  }
}

std::vector<target> select_targets(const selection& sel) {
  std::vector<target> targets;
  std::vector<variant> vs;
  if (sel.kernel_src.empty() && !sel.kernel_patches.empty()) throw usage_error("--patch needs --kernel-src");
  if (!sel.kernel_src.empty()) vs.push_back(realsrc::register_tree(sel.kernel_src, sel.kernel_patches, stderr));
  for (const auto& n : sel.variants) {
    auto v = variant_by_name(n);
    if (!v) throw usage_error("unknown variant \"" + n + "\" (see iowq-verify list)");
    vs.push_back(*v);
  }
  if (vs.empty()) vs = builtin_variants();
  std::vector<const scn::scenario*> ss;
  for (const auto& n : sel.scenarios) {
    const scn::scenario* s = scn::find(n);
    if (!s && scn::gen::is_generated(n)) {
      try {
        (void)scn::gen::from_name(n);
      } catch (const std::invalid_argument& e) {
        throw usage_error("bad generated scenario \"" + n + "\": " + e.what() + " (see scenarios/generate.h)");
      }
    }
    if (!s) throw usage_error("unknown scenario \"" + n + "\" (see iowq-verify list)");
    ss.push_back(s);
  }
  if (!sel.mutant.empty()) {
    auto m = mutant_by_name(sel.mutant);
    if (!m) throw usage_error("unknown mutant \"" + sel.mutant + "\" (see iowq-verify list)");
    const scn::mutant_kill* kill = scn::kill_of(*m);
    std::vector<const scn::scenario*> ms = ss;
    std::vector<variant> mv = sel.variants.empty() ? std::vector<variant>{} : vs;
    if (ms.empty()) {
      if (!kill) throw usage_error("mutant " + sel.mutant + " has no kill scenario: give --scenario");
      ms.push_back(scn::find(kill->scenario));
    }
    if (mv.empty()) mv.push_back(kill ? kill->v : variant::v1);
    for (auto* s : ms)
      for (variant v : mv) {
        target t{s, {}, sel.mutant, info(*m).property};
        t.cfg.v = v;
        t.cfg.with(*m);
        targets.push_back(t);
      }
    return targets;
  }
  if (ss.empty())
    for (const auto& s : scn::all()) ss.push_back(&s);
  for (auto* s : ss)
    for (variant v : vs) {
      target t{s, {}, "", ""};
      t.cfg.v = v;
      targets.push_back(t);
    }
  if (sel.with_mutants)
    for (const auto& k : scn::mutant_kills()) {
      // The mutants killed within the selection.
      if (std::find(ss.begin(), ss.end(), scn::find(k.scenario)) == ss.end()) continue;
      if (std::find(vs.begin(), vs.end(), k.v) == vs.end()) continue;
      target t{scn::find(k.scenario), {}, k.name(), k.property()};
      t.cfg.v = k.v;
      t.cfg.with(k.mutant);
      targets.push_back(t);
    }
  return targets;
}

}  // namespace iowq::tools
