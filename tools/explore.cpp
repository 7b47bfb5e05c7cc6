// iowq-verify explore (explore.h).
#include "explore.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>

#include "chk/trace.h"
#include "errors.h"
#include "generate.h"
#include "report_common.h"
#include "reports.h"
#include "runner.h"
#include "triage.h"

namespace iowq::tools {

namespace fs = std::filesystem;

namespace {

std::vector<scn::gen::knobs> environments(const std::vector<std::string>& names) {
  std::vector<scn::gen::knobs> out;
  for (const auto& n : names.empty() ? std::vector<std::string>{"none"} : names) {
    if (n == "all") {
      for (unsigned m : {1u, 2u})
        for (long e : {0L, static_cast<long>(-ENOMEM), static_cast<long>(-EAGAIN)})
          for (bool t : {false, true})
            for (bool r : {false, true}) out.push_back({m, e, t, r});
      continue;
    }
    try {
      out.push_back(scn::gen::parse_knobs(n));
    } catch (const std::invalid_argument& e) {
      throw usage_error(std::string("bad --knobs: ") + e.what());
    }
  }
  return out;
}

std::string knobs_text(const std::vector<scn::gen::knobs>& envs) {
  std::vector<std::string> t;
  for (const auto& k : envs) t.push_back(k.suffix().empty() ? "none" : k.suffix().substr(1));
  return join(t, ", ");
}

// The row's search again, on a smaller program: its signature when it still breaks the property.
std::optional<row> recheck(const scn::scenario& s, const row& like, const search_request& sp) {
  std::vector<scn::prop> active;
  for (scn::prop p : s.props)
    if (std::find(like.properties.begin(), like.properties.end(), scn::to_string(p)) != like.properties.end())
      active.push_back(p);
  if (std::find_if(active.begin(), active.end(), [&like](scn::prop p) { return like.property == scn::to_string(p); }) ==
      active.end())
    return std::nullopt;
  auto v = variant_by_name(like.variant);
  target t{&s, {}, "", ""};
  t.cfg.v = *v;
  chk::options o = options_for(t, sp);
  o.progress_interval = 0;
  chk::result r = scn::check(s, t.cfg, o, active);
  if (!r.fail || scn::violated_property(*r.fail) != like.property) return std::nullopt;
  const scn::signature sig = scn::signature_of(like.property, r.fail->trace);
  if (sig.text() != like.signature) return std::nullopt;
  row n = like;
  n.target = target_key(t);
  n.scenario = s.name;
  n.summary = s.summary;
  n.family = scn::to_string(scn::family_of(s));
  n.id = s.name + "/" + like.variant + "/" + like.property;
  n.properties.clear();
  for (auto q : active) n.properties.push_back(scn::to_string(q));
  n.bounds = s.bounds() + "; " + r.bounds;
  n.search = chk::search_spec(o);
  n.executions = r.st.executions;
  n.seconds = r.st.seconds;
  n.complete = r.st.complete;
  n.failure_kind = chk::to_string(r.fail->kind);
  n.failure_message = r.fail->message;
  n.failure_location = r.fail->location;
  n.trace = r.fail->trace;
  n.signature_where = sig.where;
  n.replay = replay_record(t, o, *r.fail, active);
  n.replay_file.clear();
  return n;
}

// Shrinks the smallest program of each signature: drops an action, a work flag or a knob while the
// same search still breaks the same property with the same signature. Returns the rows of the
// programs it reached (none when nothing smaller keeps the signature).
std::vector<row> shrink(const std::vector<row>& rows, const search_request& sp) {
  std::vector<row> out;
  for (const auto& g : group_signatures(rows)) {
    const row* best = g.smallest;
    std::optional<row> now;
    for (bool progress = true; progress;) {
      progress = false;
      const row& cur = now ? *now : *best;
      for (const auto& name : scn::gen::smaller(cur.scenario)) {
        const scn::scenario* s = scn::find(name);
        if (!s) continue;
        if (auto r = recheck(*s, cur, sp)) {
          now = std::move(r);
          progress = true;
          break;
        }
      }
    }
    if (now) out.push_back(std::move(*now));
  }
  return out;
}

}  // namespace

bool is_generated_row(const row& r) { return scn::gen::is_generated(r.scenario); }

void triage_rows(std::vector<row>& rows) {
  for (auto& r : rows) {
    if (!is_generated_row(r)) continue;
    if (r.verdict != "violated") {
      r.signature.clear();
      r.expected = "verified";
      r.as_expected = matches_expectation(r);
      continue;
    }
    const scn::signature sig = scn::signature_of(r.violated, r.trace);
    r.signature = sig.text();
    r.signature_where = sig.where;
    bool elsewhere = false;
    if (const scn::known_signature* k = scn::match_known(sig, r.variant, &elsewhere)) {
      r.expected = "violated:" + r.violated;
      r.note = std::string(k->finding) + ": " + k->why;
    } else {
      r.expected = "verified";
      r.note = elsewhere ? "new candidate: a known finding's signature, on a variant it is not declared for"
                         : "new candidate: a signature no known finding has";
    }
    r.as_expected = matches_expectation(r);
  }
}

std::vector<signature_group> group_signatures(const std::vector<row>& rows) {
  std::vector<signature_group> out;
  std::map<std::string, std::size_t> at;
  for (const auto& r : rows) {
    if (!is_generated_row(r) || r.verdict != "violated" || r.signature.empty()) continue;
    // A known finding groups by its signature; a candidate also by variant when it is known elsewhere.
    auto it = at.find(r.signature + (r.as_expected ? "" : "!"));
    if (it == at.end()) {
      it = at.emplace(r.signature + (r.as_expected ? "" : "!"), out.size()).first;
      signature_group g;
      g.signature = r.signature;
      g.where = r.signature_where;
      if (r.as_expected) {
        g.finding = r.note.substr(0, r.note.find(':'));
        g.why = r.note.substr(r.note.find(':') + 2);
      } else {
        g.why = r.note;
      }
      out.push_back(g);
    }
    signature_group& g = out[it->second];
    g.variants.insert(r.variant);
    g.programs.insert(r.scenario);
    auto smaller = [](const row& a, const row& b) {
      const auto sa = scn::gen::size_of(a.scenario), sb = scn::gen::size_of(b.scenario);
      return sa != sb ? sa < sb : a.scenario < b.scenario;
    };
    if (!g.smallest || smaller(r, *g.smallest)) g.smallest = &r, g.where = r.signature_where;
  }
  std::stable_sort(out.begin(), out.end(), [](const signature_group& a, const signature_group& b) {
    return a.finding.empty() != b.finding.empty() ? a.finding.empty() : a.finding < b.finding;
  });
  return out;
}

int cmd_explore(explore_command ec, run_info info) {
  const auto t0 = std::chrono::steady_clock::now();
  if (ec.max_actions < 1 || ec.max_actions > 8) throw usage_error("--max-actions must be 1..8");
  if (ec.max_works < 1 || ec.max_works > 6) throw usage_error("--max-works must be 1..6");
  if (!ec.rc.sel.kernel_src.empty() || !ec.rc.sel.kernel_patches.empty())
    throw usage_error("explore runs the ports' variants (--kernel-src is for check and report)");
  scn::gen::params p;
  p.max_actions = ec.max_actions;
  p.max_works = ec.max_works;
  p.environments = environments(ec.knobs);
  const std::vector<std::string> programs = scn::gen::enumerate(p);
  const std::string what = "every program of at most " + std::to_string(p.max_actions) + " actions and " +
                           std::to_string(p.max_works) + " works, knobs " + knobs_text(p.environments);
  if (ec.list_only) {
    for (const auto& n : programs) std::printf("%s\n", n.c_str());
    std::printf("%zu programs (%s)\n", programs.size(), what.c_str());
    return 0;
  }
  search_request& sp = ec.rc.sp;
  std::tie(sp.shard_index, sp.shard_count) = parse_shard(ec.rc.shard);
  if (sp.search.empty()) sp.quick = true;  // the generated scenarios' test bounds
  selection sel = ec.rc.sel;
  sel.scenarios = {};
  std::vector<target> all;
  {
    selection one = sel;
    for (const auto& n : programs) {
      one.scenarios = {n};
      for (auto& t : select_targets(one)) {
        // With --mutant: the programs that check the mutant's property.
        const bool judged = t.mutant.empty() || std::any_of(t.s->props.begin(), t.s->props.end(), [&t](scn::prop q) {
                              return t.property == scn::to_string(q);
                            });
        if (judged) all.push_back(t);
      }
    }
  }
  if (!all.empty()) (void)options_for(all.front(), sp);  // a bad --search or --rcu before any work
  // --shard I/N: this part's programs (target k of the enumeration when k % N == I), each searched whole.
  run_request rq;
  for (std::size_t k = 0; k < all.size(); ++k)
    if (static_cast<int>(k % static_cast<std::size_t>(sp.shard_count)) == sp.shard_index) rq.targets.push_back(all[k]);
  rq.sp = sp;
  rq.sp.shard_index = 0;
  rq.sp.shard_count = 1;
  rq.jobs = ec.rc.jobs;
  rq.share = !ec.rc.separate;
  std::set<variant> variants;
  for (const auto& t : all) variants.insert(t.cfg.v);
  std::fprintf(
      stderr, "explore: %zu programs (%s) x %zu variant(s): %zu targets%s%s\n", programs.size(), what.c_str(),
      variants.size(), rq.targets.size(),
      ec.rc.sel.mutant.empty() ? "" : (" (the programs that check mutant " + ec.rc.sel.mutant + "'s property)").c_str(),
      sp.shard_count > 1 ? (", shard " + ec.rc.shard).c_str() : "");
  std::vector<row> rows = run_targets(rq);
  triage_rows(rows);
  if (ec.shrink && sp.shard_count == 1) {
    std::vector<row> more = shrink(rows, rq.sp);
    triage_rows(more);
    rows.insert(rows.end(), more.begin(), more.end());
  }
  // Each (signature, variant) keeps the trace and replay of its smallest program only: the report
  // and merge pick the smallest of those, and an enumeration's thousands of violations stay small.
  {
    std::map<std::string, row*> keep;
    for (auto& r : rows) {
      if (r.verdict != "violated" || r.signature.empty()) continue;
      row*& k = keep[r.signature + "/" + r.variant + (r.as_expected ? "" : "!")];
      const auto size = [](const row& x) { return std::make_pair(scn::gen::size_of(x.scenario), x.scenario); };
      if (!k || size(r) < size(*k)) k = &r;
    }
    for (auto& r : rows) {
      if (r.verdict != "violated" || r.signature.empty()) continue;
      if (keep[r.signature + "/" + r.variant + (r.as_expected ? "" : "!")] == &r) continue;
      r.trace.clear();
      r.replay = nullptr;
    }
  }
  info.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

  std::size_t verified = 0, known = 0, candidates = 0, inconclusive = 0;
  std::set<std::string> targets_seen;
  for (const auto& r : rows) {
    targets_seen.insert(r.target);
    if (r.verdict == "violated")
      (r.as_expected ? known : candidates) += 1;
    else if (r.verdict == "inconclusive")
      ++inconclusive;
    else
      ++verified;
  }
  const auto groups = group_signatures(rows);
  std::printf("explore: %s under %s: %zu targets, %s search\n", what.c_str(),
              join(ordered_unique(
                       [&rows] {
                         std::vector<const row*> v;
                         for (const auto& r : rows) v.push_back(&r);
                         return v;
                       }(),
                       &row::variant),
                   ", ")
                  .c_str(),
              targets_seen.size(), rows.empty() ? "no" : rows.front().search.c_str());
  std::printf("verdicts: %zu verified, %zu violated as known findings, %zu new candidates, %zu inconclusive; %.0f s\n",
              verified, known, candidates, inconclusive, info.seconds);
  for (const auto& g : groups) {
    std::printf("  %-44s %-9s %3zu program(s), %s; smallest: %s under %s\n", g.signature.c_str(),
                g.finding.empty() ? "CANDIDATE" : g.finding.c_str(), g.programs.size(),
                join({g.variants.begin(), g.variants.end()}, ", ").c_str(), g.smallest->scenario.c_str(),
                g.smallest->variant.c_str());
  }
  for (const auto& g : groups) {
    if (!g.finding.empty()) continue;
    const row& r = *g.smallest;
    std::printf("\nNEW CANDIDATE %s (%s) under %s: %s\n  %s: %s at %s\n\n%s\n", g.signature.c_str(), g.where.c_str(),
                r.variant.c_str(), r.scenario.c_str(), r.failure_kind.c_str(), r.failure_message.c_str(),
                r.failure_location.c_str(), chk::format_trace_columns(r.trace, 38).c_str());
  }
  if (!ec.rc.out_dir.empty()) {
    fs::create_directories(ec.rc.out_dir);
    if (sp.shard_count == 1) save_replays(rows, (fs::path(ec.rc.out_dir) / "replays").string(), "replays/");
    write_markdown((fs::path(ec.rc.out_dir) / "report.md").string(), rows, info);
    write_html((fs::path(ec.rc.out_dir) / "report.html").string(), rows, info);
    std::ofstream f(fs::path(ec.rc.out_dir) / "results.json");
    f << to_json(rows, info).dump(1) << "\n";
    if (!f) throw usage_error("cannot write " + ec.rc.out_dir + "/results.json");
    std::printf("explore: written to %s/report.md (report.html, results.json%s)\n", ec.rc.out_dir.c_str(),
                sp.shard_count == 1 ? ", replays/" : "");
  }
  if (!ec.rc.json_out.empty()) {
    std::ofstream f(ec.rc.json_out);
    f << to_json(rows, info).dump(1) << "\n";
    if (!f) throw usage_error("cannot write " + ec.rc.json_out);
  }
  return report_exit_code(rows);
}

}  // namespace iowq::tools
