// Running targets: each target's search (its part, under --shard and --jobs) judged property by
// property into rows, the jobs of --jobs N in N processes, replay files and the printed verdicts.
#include "runner.h"

#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <stdexcept>
#include <tuple>

#include "chk/replay.h"
#include "errors.h"
#include "progress.h"

namespace iowq::tools {

namespace fs = std::filesystem;

namespace {

// The engine names the shard in its bounds; a merged row covers every shard.
std::string without_shard(std::string b) {
  auto at = b.find(", shard ");
  if (at != std::string::npos) {
    auto end = b.find(',', at + 2);
    b.erase(at, end == std::string::npos ? std::string::npos : end - at);
  }
  return b;
}

std::string replay_name(const std::string& id) { return slug(id) + ".replay.json"; }

// The part of the work one process does: shard `part` of `parts` of every exhaustive search (the
// engine's schedule-prefix sharding), and the whole of every sampling search it owns.
struct part_spec {
  int engine_index = 0, engine_count = 1;  // the engine's shard of exhaustive searches
  int row_index = 0, row_count = 1;        // what the rows record (merged with the other rows later)
  // Sampling searches cannot be split: target k runs here iff k % owner_mod == owner_is (after the
  // outer shard took its targets: k % outer_count == outer_index).
  int outer_index = 0, outer_count = 1, job = 0, jobs = 1;
  bool owns(std::size_t k) const {
    if (static_cast<int>(k % static_cast<std::size_t>(outer_count)) != outer_index) return false;
    return static_cast<int>((k / static_cast<std::size_t>(outer_count)) % static_cast<std::size_t>(jobs)) == job;
  }
};

row placeholder(const target& t, const part_spec& ps) {
  row r;
  r.group = t.mutant.empty() ? "scenario" : "mutant";
  r.target = target_key(t);
  r.id = r.target;
  r.scenario = t.s->name;
  r.variant = to_string(t.cfg.v);
  r.mutant = t.mutant;
  r.family = scn::to_string(scn::family_of(*t.s));
  r.verdict = "not-run";
  r.shard_index = ps.row_index;
  r.shard_count = ps.row_count;
  return r;
}

// A finished search of a scenario target and what it read of its variant. Another variant's
// target of the same scenario runs exactly this search, execution for execution, when the two
// variants are built-in variants of one implementation (same port, same exit-on-idle) that differ
// only in fixes the search never asked about (fix_on), the search never asked whether it runs either
// of them (variant_is) and never read the variant itself (active_variant): the port's code reads
// nothing else of the variant, and the scenario harness reads only its implementation and
// exit-on-idle. That target takes the verdicts over instead of
// searching again (relacy_tests/iowq/upstream_test.cpp tests what a search records;
// tools/tests/shared_searches.sh compares shared rows with the same searches run on their own).
struct finished_search {
  const target* t = nullptr;
  std::vector<scn::property_verdict> verdicts;
  variant_reads reads;
};

bool runs_as(const finished_search& f, const target& u) {
  const target& t = *f.t;
  if (!t.mutant.empty() || !u.mutant.empty() || t.s != u.s || f.reads.identity) return false;
  const variant a = t.cfg.v, b = u.cfg.v;
  if (a >= variant::first_registered_ || b >= variant::first_registered_) return false;
  const variant_info &x = info(a), &y = info(b);
  const std::uint64_t asked_either =
      f.reads.asked & ((std::uint64_t{1} << static_cast<unsigned>(a)) | (std::uint64_t{1} << static_cast<unsigned>(b)));
  return x.ops == y.ops && x.base == y.base && x.exit_on_idle == y.exit_on_idle &&
         ((x.fixes ^ y.fixes) & f.reads.fixes) == 0 && (a == b || asked_either == 0);
}

// Runs one target (its part), every property judged separately; returns its rows. With `done`,
// an undivided search is taken over from a finished one that runs_as it, and a search that runs
// is added to it.
std::vector<row> run_target(const target& t, std::size_t k, const search_request& sp, const part_spec& ps,
                            progress_board* board, int job, std::vector<finished_search>* done = nullptr) {
  chk::options o = options_for(t, sp);
  if (!chk::exhaustive(o.search) && !ps.owns(k)) return {placeholder(t, ps)};
  if (chk::exhaustive(o.search)) {
    o.split_depth = ps.engine_count > 1 ? split_depth : 0;
    o.shard_index = ps.engine_index;
    o.shard_count = ps.engine_count;
  }
  // A divided search is not shared, nor one the clock may cut short (where it stops is not
  // the same in another run).
  if (ps.engine_count > 1 || ps.outer_count > 1 || sp.time_limit > 0) done = nullptr;
  const finished_search* same = nullptr;
  if (done)
    for (const auto& f : *done)
      if (runs_as(f, t)) same = &f;
  if (board) {
    auto* slot = &board->at_job(job);
    slot->current.store(static_cast<std::uint32_t>(k));
    slot->busy.store(true);
    auto base = std::make_shared<std::pair<std::uint64_t, std::uint64_t>>(0, 0);  // earlier searches, last seen
    o.on_progress = [slot, base](const chk::progress& p) {
      if (p.executions < base->second) base->first += base->second;  // a new search of the same target
      base->second = p.executions;
      slot->executions.store(base->first + p.executions);
    };
  }
  // A mutant target judges only the property its mutant must break (when it is one of the
  // scenario's): the other properties' searches of a mutated program decide nothing.
  std::optional<scn::prop> only;
  if (!t.mutant.empty())
    for (scn::prop p : t.s->props)
      if (t.property == scn::to_string(p)) only = p;
  std::vector<scn::property_verdict> verdicts;
  if (same) {
    verdicts = same->verdicts;
  } else {
    reads_of_variant() = {};
    verdicts = scn::check_properties(*t.s, t.cfg, o, only);
    if (done && t.mutant.empty()) done->push_back({&t, verdicts, reads_of_variant()});
  }
  const std::string variant = to_string(t.cfg.v);
  const variant_info& vi = info(t.cfg.v);
  std::vector<std::string> expected = vi.expected ? vi.expected(t.s->name) : t.s->expected_violations(variant);
  std::vector<row> rows;
  for (const auto& pv : verdicts) {
    if (!t.mutant.empty() && pv.property != t.property) continue;
    row r;
    r.group = t.mutant.empty() ? "scenario" : "mutant";
    r.target = target_key(t);
    r.scenario = t.s->name;
    r.variant = variant;
    r.mutant = t.mutant;
    r.family = scn::to_string(scn::family_of(*t.s));
    r.property = pv.property;
    r.id = t.mutant.empty() ? t.s->name + "/" + variant + "/" + pv.property
                            : "mutant/" + t.mutant + " (" + t.s->name + ", " + variant + ")";
    if (t.mutant.empty()) {
      r.summary = t.s->summary;
      const bool known = std::find(expected.begin(), expected.end(), pv.property) != expected.end();
      r.expected = known ? "violated:" + pv.property : "verified";
      for (const auto& f : t.s->findings)
        if (known && f.variant == variant && f.property == pv.property) r.note = f.why;
      if (known && vi.note) r.note = vi.note(t.s->name, pv.property);
    } else {
      auto m = mutant_by_name(t.mutant);
      r.summary = std::string(info(*m).description) +
                  (info(*m).history[0] ? std::string(" [re-introduces ") + info(*m).history + "]" : "");
      r.expected = "violated:" + t.property;
    }
    for (auto q : pv.active) r.properties.push_back(scn::to_string(q));
    r.verdict = chk::to_string(pv.r.v);
    r.bounds = t.s->bounds() + "; " + without_shard(pv.r.bounds);
    r.search = chk::search_spec(o);
    r.executions = pv.r.st.executions;
    r.pruned = pv.r.st.pruned;
    r.max_depth = pv.r.st.max_depth;
    r.seconds = same ? 0 : pv.r.st.seconds;
    r.complete = pv.r.st.complete;
    if (same) r.shared_with = to_string(same->t->cfg.v);
    r.shard_index = ps.row_index;
    r.shard_count = ps.row_count;
    if (pv.r.fail) {
      r.violated = pv.property;
      r.failure_kind = chk::to_string(pv.r.fail->kind);
      r.failure_message = pv.r.fail->message;
      r.failure_location = pv.r.fail->location;
      r.trace = pv.r.fail->trace;
      r.replay = replay_record(t, o, *pv.r.fail, pv.active);
    }
    r.as_expected = matches_expectation(r);
    rows.push_back(std::move(r));
  }
  // In the order of the scenario's properties, whatever order the searches judged them in.
  auto rank = [&t](const row& r) {
    for (std::size_t i = 0; i < t.s->props.size(); ++i)
      if (r.property == scn::to_string(t.s->props[i])) return i;
    return t.s->props.size();
  };
  std::stable_sort(rows.begin(), rows.end(), [&rank](const row& a, const row& b) { return rank(a) < rank(b); });
  if (!t.mutant.empty() && rows.empty()) {
    // The search never judged the mutant's property (another failure ended it): not killed.
    row r = placeholder(t, ps);
    r.id = "mutant/" + t.mutant + " (" + t.s->name + ", " + variant + ")";
    r.property = t.property;
    r.expected = "violated:" + t.property;
    r.verdict = "inconclusive";
    r.bounds = t.s->bounds();
    r.search = chk::search_spec(o);
    for (const auto& pv : verdicts) {
      r.executions += pv.r.st.executions;
      r.seconds += pv.r.st.seconds;
      if (pv.r.fail)
        r.failure_message = "the mutant's property was not judged: a failure of " + pv.property + " (" +
                            pv.r.fail->message + ") ended the search";
    }
    rows.push_back(std::move(r));
  }
  return rows;
}

void report_done(progress_board* board, int job, std::size_t k, const std::vector<row>& rows) {
  if (!board) return;
  std::vector<const row*> ps;
  bool violated = false, inconclusive = false;
  for (const auto& r : rows) {
    if (r.verdict == "not-run") continue;
    ps.push_back(&r);
    violated |= r.verdict == "violated";
    inconclusive |= r.verdict == "inconclusive";
  }
  auto& slot = board->at_job(job);
  slot.done_executions += summarize(ps).executions;
  slot.executions.store(0);
  slot.busy.store(false);
  auto& g = board->at_target(k);
  if (violated) g.violated += 1;
  if (inconclusive) g.inconclusive += 1;
  g.jobs_done += 1;
}

}  // namespace

nlohmann::json replay_record(const target& t, const chk::options& o, const chk::failure& f,
                             const std::vector<scn::prop>& active) {
  const std::string variant = to_string(t.cfg.v);
  chk::replay_file rf = chk::make_replay(t.s->name + "/" + variant, o, f);
  rf.labels["scenario"] = t.s->name;
  rf.labels["variant"] = variant;
  rf.labels["mutant"] = t.mutant;
  std::string props;
  for (auto q : active) props += (props.empty() ? "" : ",") + std::string(scn::to_string(q));
  rf.labels["properties"] = props;
  for (const auto& [k, val] : info(t.cfg.v).replay_labels) rf.labels[k] = val;
  return nlohmann::json::parse(chk::to_json(rf));
}

void save_replays(std::vector<row>& rows, const std::string& dir, const std::string& prefix) {
  for (auto& r : rows) {
    if (r.verdict != "violated" || r.replay.is_null()) continue;
    fs::create_directories(dir);
    const std::string name = replay_name(r.id);
    chk::save_replay((fs::path(dir) / name).string(), chk::parse_replay(r.replay.dump()));
    r.replay_file = prefix + name;
  }
}

namespace {

std::string fmt_sec(double s) {
  char b[32];
  std::snprintf(b, sizeof b, "%.2f s", s);
  return b;
}

void print_rows(const std::vector<row>& rows) {
  std::string last;
  for (const auto& r : rows) {
    if (r.verdict == "not-run") continue;
    if (r.target != last) {
      last = r.target;
      std::printf("== %s%s%s (%s) [%s]\n", r.mutant.empty() ? "" : ("mutant " + r.mutant + " in ").c_str(),
                  r.scenario.c_str(), (" under " + r.variant).c_str(), family_text(r).c_str(), r.bounds.c_str());
    }
    std::string verdict = r.verdict + (r.violated.empty() || r.violated == r.property ? "" : " (" + r.violated + ")");
    const std::string took = r.shared_with.empty()
                                 ? fmt_count(r.executions) + " executions, " + fmt_sec(r.seconds)
                                 : fmt_count(r.executions) + " executions, the search of " + r.shared_with +
                                       " (nothing it asked of its variant tells them apart)";
    std::printf("   %-13s %-14s %s%s\n", r.property.c_str(), verdict.c_str(), took.c_str(),
                r.verdict == "inconclusive"                    ? "   (a budget ran out)"
                : !r.as_expected                               ? ("   UNEXPECTED: expected " + r.expected).c_str()
                : r.verdict == "violated" && !r.mutant.empty() ? "   (mutant killed)"
                : r.verdict == "violated"                      ? "   (a known finding)"
                                                               : "");
    if (r.verdict == "inconclusive" && !r.failure_message.empty()) std::printf("      %s\n", r.failure_message.c_str());
    if (r.verdict == "violated") {
      std::printf("      %s: %s%s\n", r.failure_kind.c_str(), r.failure_message.c_str(),
                  r.failure_location.empty() ? "" : (" at " + r.failure_location).c_str());
      if (!r.replay_file.empty()) std::printf("      replay: iowq-verify replay %s\n", r.replay_file.c_str());
      std::printf("\n%s\n", chk::format_trace_columns(r.trace, 38).c_str());
    }
  }
  std::fflush(stdout);
}

}  // namespace

void print_unexpected(const std::vector<row>& rows) {
  for (const auto& r : rows)
    if (!r.as_expected)
      std::printf("UNEXPECTED %s: expected %s, got %s%s [%s]\n", r.id.c_str(), r.expected.c_str(), r.verdict.c_str(),
                  r.violated.empty() ? "" : (" (" + r.violated + ")").c_str(), r.bounds.c_str());
}

std::vector<row> run_targets(const run_request& rq) {
  const auto& targets = rq.targets;
  const search_request& sp = rq.sp;
  std::vector<std::string> names;
  for (const auto& t : targets) names.push_back(target_label(t));
  const int jobs = std::max(1, rq.jobs);
  progress_board board(jobs, targets.size());
  progress_printer printer(board, names);

  if (jobs == 1) {
    part_spec ps;
    ps.engine_index = ps.row_index = ps.outer_index = sp.shard_index;
    ps.engine_count = ps.row_count = ps.outer_count = sp.shard_count;
    printer.start();
    std::vector<row> all;
    std::vector<finished_search> done;
    for (std::size_t k = 0; k < targets.size(); ++k) {
      auto rows = run_target(targets[k], k, sp, ps, &board, 0, rq.share ? &done : nullptr);
      report_done(&board, 0, k, rows);
      if (!rq.replay_dir.empty()) save_replays(rows, rq.replay_dir, rq.replay_prefix);
      if (rq.print) {
        auto hold = printer.hold();
        print_rows(rows);
      }
      all.insert(all.end(), rows.begin(), rows.end());
    }
    printer.stop();
    return all;
  }

  // Several targets: each job takes the next target not taken yet and runs it whole (its part of
  // the outer shard). Fewer targets than jobs: job j runs the engine's shard j of every target.
  const bool by_target = targets.size() >= static_cast<std::size_t>(jobs);
  board.runs_per_target = by_target ? 1 : static_cast<std::uint32_t>(jobs);
  // The order jobs take targets in: searches that raise the preemption bound above the scenario's
  // own (some mutants' kills) are the longest single targets, so they start first and no job waits
  // for one at the end.
  // A job takes a unit: one target, or a scenario's targets under the built-in variants of one
  // implementation (port and exit-on-idle), in their order, so that a search can be shared among
  // them (finished_search). With fewer units than jobs, every target is a unit of its own (no job
  // idles; nothing is shared then).
  std::vector<std::vector<std::size_t>> order;
  {
    std::map<std::tuple<const scn::scenario*, const wq_ops*, bool>, std::size_t> unit_of;
    for (int pass = 0; pass < 2; ++pass)
      for (std::size_t k = 0; k < targets.size(); ++k) {
        const target& t = targets[k];
        const chk::options o = options_for(t, sp);
        const chk::options own = scn::options_for(*t.s, sp.quick);
        const bool raised = o.search == chk::search_kind::bounded && own.search == chk::search_kind::bounded &&
                            o.preemption_bound > own.preemption_bound;
        if (raised != (pass == 0)) continue;
        if (rq.share && t.mutant.empty() && t.cfg.v < variant::first_registered_) {
          auto key = std::make_tuple(t.s, info(t.cfg.v).ops, info(t.cfg.v).exit_on_idle);
          auto it = unit_of.find(key);
          if (it != unit_of.end()) {
            order[it->second].push_back(k);
            continue;
          }
          unit_of[key] = order.size();
        }
        order.push_back({k});
      }
    if (order.size() < static_cast<std::size_t>(jobs)) {
      std::vector<std::vector<std::size_t>> singles;
      for (const auto& unit : order)
        for (std::size_t k : unit) singles.push_back({k});
      order = std::move(singles);
    }
  }
  std::string tmpl = (fs::temp_directory_path() / "iowq-verify-XXXXXX").string();
  if (!mkdtemp(tmpl.data())) throw std::runtime_error("cannot create a temporary directory");
  const fs::path tmp = tmpl;
  std::fflush(stdout);
  std::fflush(stderr);
  std::vector<pid_t> kids;
  for (int j = 0; j < jobs; ++j) {
    pid_t pid = fork();
    if (pid < 0) throw std::runtime_error("fork failed");
    if (pid == 0) {
      prctl(PR_SET_PDEATHSIG, SIGTERM);  // no orphaned searches when the parent is killed
      if (getppid() == 1) std::_Exit(4);
      int rc = 0;
      try {
        part_spec ps;
        ps.outer_index = sp.shard_index;
        ps.outer_count = sp.shard_count;
        std::vector<row> rows;
        if (by_target) {
          ps.engine_index = ps.row_index = sp.shard_index;
          ps.engine_count = ps.row_count = sp.shard_count;
          for (std::size_t n = board.take(); n < order.size(); n = board.take()) {
            std::vector<finished_search> done;
            for (std::size_t k : order[n]) {
              auto r = run_target(targets[k], k, sp, ps, &board, j, rq.share ? &done : nullptr);
              report_done(&board, j, k, r);
              rows.insert(rows.end(), r.begin(), r.end());
            }
          }
        } else {
          // Shard j of the outer shard I/N: the engine's shard I + N*j of N*jobs holds exactly the
          // prefixes of shard I/N that job j takes.
          ps.engine_index = sp.shard_index + sp.shard_count * j;
          ps.engine_count = sp.shard_count * jobs;
          ps.row_index = j;
          ps.row_count = jobs;
          ps.job = j;
          ps.jobs = jobs;
          for (std::size_t k = 0; k < targets.size(); ++k) {
            auto r = run_target(targets[k], k, sp, ps, &board, j);
            report_done(&board, j, k, r);
            rows.insert(rows.end(), r.begin(), r.end());
          }
        }
        std::ofstream f(tmp / ("job" + std::to_string(j) + ".json"));
        f << to_json(rows, {}).dump();
        f.close();
        if (!f) throw std::runtime_error("cannot write the results of job " + std::to_string(j));
      } catch (const std::exception& e) {
        std::fprintf(stderr, "iowq-verify: job %d: %s\n", j, one_line(e.what()).c_str());
        rc = 4;
      }
      std::fflush(stderr);
      std::_Exit(rc);
    }
    kids.push_back(pid);
  }
  printer.start();
  bool ok = true;
  for (pid_t k : kids) {
    int st = 0;
    while (waitpid(k, &st, 0) < 0 && errno == EINTR) {
    }
    ok &= WIFEXITED(st) && WEXITSTATUS(st) == 0;
  }
  printer.stop();
  std::vector<row> parts;
  if (ok) {
    for (int j = 0; j < jobs; ++j) {
      std::ifstream f(tmp / ("job" + std::to_string(j) + ".json"));
      auto rows = rows_from_json(nlohmann::json::parse(f));
      parts.insert(parts.end(), rows.begin(), rows.end());
    }
  }
  fs::remove_all(tmp);
  if (!ok) throw std::runtime_error("a job process failed");
  std::vector<row> merged;
  if (by_target) {
    // Back in the order of the targets.
    std::map<std::string, std::size_t> index;
    for (std::size_t k = 0; k < targets.size(); ++k) index[target_key(targets[k])] = k;
    std::set<std::string> seen;
    for (const auto& r : parts) seen.insert(r.target);
    if (seen.size() != targets.size()) throw std::runtime_error("a target was not run by any job");
    merged = std::move(parts);
    std::stable_sort(merged.begin(), merged.end(),
                     [&index](const row& a, const row& b) { return index.at(a.target) < index.at(b.target); });
  } else {
    std::string err;
    merged = merge_rows(parts, &err);
    if (!err.empty()) throw std::runtime_error(err);
    for (auto& r : merged) {
      r.shard_index = sp.shard_index;
      r.shard_count = sp.shard_count;
      r.merged_from = 1;
    }
  }
  if (!rq.replay_dir.empty()) save_replays(merged, rq.replay_dir, rq.replay_prefix);
  if (rq.print) print_rows(merged);
  return merged;
}

}  // namespace iowq::tools
