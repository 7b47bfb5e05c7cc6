// iowq-verify: the command users run.
//   list      scenarios, variants and mutants, with what each checks and its bounds
//   check     runs a selection (scenarios x variants, or a mutant), prints counterexamples and
//             writes their replay files
//   replay    re-executes a replay file and confirms the recorded failure
//   report    the full matrix (every scenario x variant, every mutant) as Markdown, HTML, JUnit
//   merge     combines the results of shards (--shard I/N) into one verdict and report
//   litmus    the checker's own litmus catalog
// Exit codes: 0 all verified (or as expected), 1 a property violated (a counterexample found, or an
// expected one missing), 2 usage or input error, 3 inconclusive (a budget ran out first).
#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <sys/wait.h>
#include <unistd.h>

#include "chk/replay.h"
#include "chk/trace.h"
#include "litmus_cmd.h"
#include "results.h"
#include "scenario.h"

namespace fs = std::filesystem;
using namespace iowq;
using iowq::tools::row;

namespace {

constexpr int exit_usage = 2;
// Splits DPOR's search at this depth (every choice above it branched, DPOR below): the subtrees
// are independent, so shards and jobs add up to exactly the unsharded search, which uses the same
// split so that --jobs 1 and --jobs N explore the same executions.
constexpr int split_depth = 4;

struct usage_error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

const char* variant_summary(variant v) {
  switch (v) {
    case variant::baseline: return "Linux 6.14 io-wq, before the patch (no exit-on-idle)";
    case variant::v1: return "the seed as posted: its own exit-on-idle block before the last_timeout test";
    case variant::merged: return "the upstream placement on 6.14: the test folded into the last_timeout condition";
    default: break;
  }
  const std::string n = to_string(v);
  if (n == "upstream") return "today's io-wq (6.19 stable) with exit-on-idle merged";
  if (n == "upstream-fix-strand") return "upstream with the fix for F1 (work stranded by a leaving worker)";
  if (n == "upstream-fix-wrap") return "upstream with the fix for F2 (nr_workers wrapping below zero)";
  if (n == "upstream-fix-tw-uaf") return "upstream with the fix for F4 (io_wq_cancel_tw_create reading a freed worker)";
  if (n == "upstream-fix-hash-defer") return "upstream with io_wq_hash_defer deferring only for the running chain";
  if (n == "upstream-fixed") return "upstream with all its fixes";
  return "";
}

// One checkable unit: a scenario under a variant (every property), or a mutant in its scenario.
struct target {
  const scn::scenario* s = nullptr;
  config cfg;
  std::string mutant;    // empty for scenario targets
  std::string property;  // the mutant's property
};

std::string target_key(const target& t) {
  return t.mutant.empty() ? "scenario/" + t.s->name + "/" + to_string(t.cfg.v)
                          : "mutant/" + t.mutant + "@" + t.s->name + "/" + to_string(t.cfg.v);
}

struct search_spec {
  bool quick = false;
  std::string search;  // empty: the scenario's own
  std::uint64_t seed = 1;
  std::uint64_t max_executions = 0;
  double time_limit = 0;
  int shard_index = 0, shard_count = 1;
};

chk::options options_for(const target& t, const search_spec& sp) {
  chk::options o = scn::options_for(*t.s, sp.quick);
  if (!sp.search.empty()) {
    const std::string& s = sp.search;
    auto arg = [&s](const char* prefix) -> long {
      std::string rest = s.substr(std::string(prefix).size());
      try {
        std::size_t used = 0;
        long v = std::stol(rest, &used);
        if (used != rest.size() || v < 0) throw usage_error("");
        return v;
      } catch (...) {
        throw usage_error("bad --search " + s + " (expected dfs, dpor, bounded:K, random:N or pct:D)");
      }
    };
    if (s == "dfs")
      o.search = chk::search_kind::dfs;
    else if (s == "dpor")
      o.search = chk::search_kind::dpor;
    else if (s.rfind("bounded:", 0) == 0)
      o.search = chk::search_kind::bounded, o.preemption_bound = static_cast<int>(arg("bounded:"));
    else if (s.rfind("random:", 0) == 0)
      o.search = chk::search_kind::random, o.iterations = static_cast<std::uint64_t>(arg("random:"));
    else if (s.rfind("pct:", 0) == 0)
      o.search = chk::search_kind::pct, o.pct_depth = static_cast<int>(arg("pct:")), o.iterations = 10000;
    else
      throw usage_error("bad --search " + s + " (expected dfs, dpor, bounded:K, random:N or pct:D)");
  }
  if (!t.mutant.empty()) {
    for (const auto& k : scn::mutant_kills())
      if (t.mutant == k.mutant && k.preemption_bound >= 0 && sp.search.empty() && o.search == chk::search_kind::bounded)
        o.preemption_bound = k.preemption_bound;
  }
  o.seed = sp.seed;
  o.max_executions = sp.max_executions;
  o.time_limit_seconds = sp.time_limit;
  const bool exhaustive = o.search == chk::search_kind::dpor || o.search == chk::search_kind::dfs ||
                          o.search == chk::search_kind::bounded;
  if (exhaustive) o.split_depth = split_depth;
  o.shard_index = sp.shard_index;
  o.shard_count = exhaustive ? sp.shard_count : 1;
  return o;
}

std::string replay_name(const std::string& id) {
  std::string n = id;
  for (char& c : n)
    if (c == '/' || c == '@') c = '_';
  return n + ".replay.json";
}

// Progress on stderr, about once a second, for searches longer than a second.
struct progress_printer {
  std::string prefix;
  std::uint64_t done_targets = 0, total_targets = 0, violated = 0, verified = 0;
  bool printed = false;
  void operator()(const chk::progress& p, const std::string& what) {
    std::fprintf(stderr, "\r%s[%llu/%llu] %s: %llu executions, %.0f/s, %.0f s; so far %llu verified, %llu violated   ",
                 prefix.c_str(), static_cast<unsigned long long>(done_targets + 1),
                 static_cast<unsigned long long>(total_targets), what.c_str(),
                 static_cast<unsigned long long>(p.executions),
                 p.elapsed_seconds > 0 ? static_cast<double>(p.executions) / p.elapsed_seconds : 0.0,
                 p.elapsed_seconds, static_cast<unsigned long long>(verified), static_cast<unsigned long long>(violated));
    std::fflush(stderr);
    printed = true;
  }
  void clear() {
    if (printed) std::fprintf(stderr, "\r%*s\r", 150, "");
    printed = false;
  }
};

// Runs one target, every property judged separately; returns its rows.
std::vector<row> run_target(const target& t, const search_spec& sp, const std::string& replay_dir, bool print,
                            progress_printer* prog) {
  std::vector<row> rows;
  chk::options o = options_for(t, sp);
  const std::string key = target_key(t);
  if (prog) o.on_progress = [prog, key](const chk::progress& p) { (*prog)(p, key); };
  auto verdicts = scn::check_properties(*t.s, t.cfg, o);
  if (prog) prog->clear();
  const std::string variant = to_string(t.cfg.v);
  std::vector<std::string> expected = t.s->expected_violations(variant);
  for (const auto& pv : verdicts) {
    if (!t.mutant.empty() && pv.property != t.property) continue;
    row r;
    r.group = t.mutant.empty() ? "scenario" : "mutant";
    r.scenario = t.s->name;
    r.variant = variant;
    r.mutant = t.mutant;
    r.id = t.mutant.empty() ? t.s->name + "/" + variant + "/" + pv.property
                            : "mutant/" + t.mutant + " (" + t.s->name + ", " + variant + ")";
    if (t.mutant.empty()) {
      r.summary = t.s->summary;
      r.expected = std::find(expected.begin(), expected.end(), pv.property) != expected.end()
                       ? "violated:" + pv.property
                       : "verified";
    } else {
      auto m = mutant_by_name(t.mutant);
      r.summary = std::string(info(*m).description) + (info(*m).history[0] ? std::string(" [") + info(*m).history + "]" : "");
      r.expected = "violated:" + t.property;
    }
    for (auto q : pv.active) r.properties.push_back(scn::to_string(q));
    r.verdict = chk::to_string(pv.r.v);
    r.bounds = t.s->bounds() + "; " + pv.r.bounds;
    r.search = chk::to_string(o.search);
    r.executions = pv.r.st.executions;
    r.pruned = pv.r.st.pruned;
    r.max_depth = pv.r.st.max_depth;
    r.seconds = pv.r.st.seconds;
    r.complete = pv.r.st.complete;
    r.shard_index = o.shard_index;
    r.shard_count = o.shard_count;
    if (pv.r.fail) {
      r.violated = pv.property;
      r.failure_kind = chk::to_string(pv.r.fail->kind);
      r.failure_message = pv.r.fail->message;
      r.failure_location = pv.r.fail->location;
      r.trace = pv.r.fail->trace;
      if (!replay_dir.empty()) {
        chk::replay_file f = chk::make_replay(t.s->name + "/" + variant, o, *pv.r.fail);
        f.labels["scenario"] = t.s->name;
        f.labels["variant"] = variant;
        f.labels["mutant"] = t.mutant;
        std::string props;
        for (auto q : pv.active) props += (props.empty() ? "" : ",") + std::string(scn::to_string(q));
        f.labels["properties"] = props;
        fs::create_directories(replay_dir);
        const std::string file = replay_name(r.id);
        chk::save_replay((fs::path(replay_dir) / file).string(), f);
        r.replay_file = file;
      }
    }
    r.as_expected = tools::matches_expectation(r);
    if (prog) (r.verdict == "violated" ? prog->violated : prog->verified) += 1;
    if (print) {
      std::printf("%-10s %-44s %s%s [%s] %llu executions, %.2f s\n", r.group.c_str(), r.id.c_str(),
                  r.verdict.c_str(), r.violated.empty() ? "" : (" (" + r.violated + ")").c_str(), r.bounds.c_str(),
                  static_cast<unsigned long long>(r.executions), r.seconds);
      if (!r.as_expected) std::printf("           UNEXPECTED: expected %s\n", r.expected.c_str());
      if (r.verdict == "violated") {
        std::printf("           %s: %s%s\n", r.failure_kind.c_str(), r.failure_message.c_str(),
                    r.failure_location.empty() ? "" : (" at " + r.failure_location).c_str());
        if (!r.replay_file.empty())
          std::printf("           replay: iowq-verify replay %s\n", (fs::path(replay_dir) / r.replay_file).c_str());
        std::printf("%s\n", chk::format_trace_columns(r.trace, 38).c_str());
      }
      std::fflush(stdout);
    }
    rows.push_back(std::move(r));
  }
  if (!t.mutant.empty() && rows.empty()) {
    // The search never judged the mutant's property (stopped by another failure): not killed.
    row r;
    r.group = "mutant";
    r.id = "mutant/" + t.mutant + " (" + t.s->name + ", " + variant + ")";
    r.scenario = t.s->name;
    r.variant = variant;
    r.mutant = t.mutant;
    r.expected = "violated:" + t.property;
    r.verdict = "inconclusive";
    r.bounds = t.s->bounds();
    r.failure_message = "the mutant's property was not judged: another failure ended the search";
    rows.push_back(std::move(r));
  }
  return rows;
}

// Runs the targets with `jobs` processes: job i explores shard i of every target; the parent
// merges. With one job everything runs here (shard 0 of 1).
std::vector<row> run_targets(const std::vector<target>& targets, search_spec sp, int jobs, const std::string& replay_dir,
                             bool print) {
  if (jobs <= 1 || sp.shard_count > 1) {
    progress_printer prog;
    prog.total_targets = targets.size();
    std::vector<row> all;
    for (const auto& t : targets) {
      auto rows = run_target(t, sp, replay_dir, print, isatty(2) ? &prog : nullptr);
      prog.done_targets++;
      all.insert(all.end(), rows.begin(), rows.end());
    }
    return all;
  }
  const fs::path tmp = fs::temp_directory_path() / ("iowq-verify-" + std::to_string(getpid()));
  fs::create_directories(tmp);
  std::vector<pid_t> kids;
  for (int i = 0; i < jobs; ++i) {
    pid_t pid = fork();
    if (pid == 0) {
      search_spec mine = sp;
      mine.shard_index = i;
      mine.shard_count = jobs;
      progress_printer prog;
      prog.prefix = "[job " + std::to_string(i) + "] ";
      prog.total_targets = targets.size();
      std::vector<row> rows;
      for (const auto& t : targets) {
        auto r = run_target(t, mine, replay_dir, false, i == 0 && isatty(2) ? &prog : nullptr);
        prog.done_targets++;
        rows.insert(rows.end(), r.begin(), r.end());
      }
      std::ofstream f(tmp / ("job" + std::to_string(i) + ".json"));
      f << tools::to_json(rows, {}).dump();
      std::_Exit(f ? 0 : 4);
    }
    kids.push_back(pid);
  }
  bool ok = true;
  for (pid_t k : kids) {
    int st = 0;
    waitpid(k, &st, 0);
    ok &= WIFEXITED(st) && WEXITSTATUS(st) == 0;
  }
  if (!ok) throw std::runtime_error("a job process failed");
  std::vector<row> parts;
  for (int i = 0; i < jobs; ++i) {
    std::ifstream f(tmp / ("job" + std::to_string(i) + ".json"));
    auto rows = tools::rows_from_json(nlohmann::json::parse(f));
    parts.insert(parts.end(), rows.begin(), rows.end());
  }
  fs::remove_all(tmp);
  std::string err;
  auto merged = tools::merge_rows(parts, &err);
  if (!err.empty()) throw std::runtime_error(err);
  if (print)
    for (const auto& r : merged) {
      std::printf("%-10s %-44s %s%s [%s] %llu executions, %.2f s\n", r.group.c_str(), r.id.c_str(), r.verdict.c_str(),
                  r.violated.empty() ? "" : (" (" + r.violated + ")").c_str(), r.bounds.c_str(),
                  static_cast<unsigned long long>(r.executions), r.seconds);
      if (!r.as_expected) std::printf("           UNEXPECTED: expected %s\n", r.expected.c_str());
      if (r.verdict == "violated") {
        std::printf("           %s: %s\n", r.failure_kind.c_str(), r.failure_message.c_str());
        if (!r.replay_file.empty())
          std::printf("           replay: iowq-verify replay %s\n", (fs::path(replay_dir) / r.replay_file).c_str());
        std::printf("%s\n", chk::format_trace_columns(r.trace, 38).c_str());
      }
    }
  return merged;
}

std::string now_utc() {
  std::time_t t = std::time(nullptr);
  char buf[64];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S UTC", std::gmtime(&t));
  return buf;
}

std::string command_line(int argc, char** argv) {
  std::string s = "iowq-verify";
  for (int i = 1; i < argc; ++i) s += std::string(" ") + argv[i];
  return s;
}

void write_reports(const std::string& dir, const std::vector<row>& rows, const tools::run_info& info) {
  fs::create_directories(dir);
  tools::write_markdown((fs::path(dir) / "report.md").string(), rows, info);
  tools::write_html((fs::path(dir) / "report.html").string(), rows, info);
  tools::write_junit((fs::path(dir) / "junit.xml").string(), rows, info);
  std::ofstream f(fs::path(dir) / "results.json");
  f << tools::to_json(rows, info).dump(1) << "\n";
}

std::pair<int, int> parse_shard(const std::string& s) {
  auto slash = s.find('/');
  try {
    if (slash == std::string::npos) throw 0;
    std::size_t a = 0, b = 0;
    int i = std::stoi(s.substr(0, slash), &a);
    int n = std::stoi(s.substr(slash + 1), &b);
    if (a != slash || b != s.size() - slash - 1 || n < 1 || i < 0 || i >= n) throw 0;
    return {i, n};
  } catch (...) {
    throw usage_error("bad --shard " + s + " (expected I/N with 0 <= I < N)");
  }
}

int cmd_list() {
  std::printf("Scenarios (the properties each checks; its bounds):\n");
  for (const auto& s : scn::all()) {
    std::string props;
    for (auto p : s.props) props += (props.empty() ? "" : ", ") + std::string(scn::to_string(p));
    std::printf("  %-26s %s\n  %-26s checks: %s\n  %-26s bounds: %s; search: %s\n", s.name.c_str(), s.summary.c_str(),
                "", props.c_str(), "", s.bounds().c_str(),
                s.preemption_bound >= 0 ? ("at most " + std::to_string(s.preemption_bound) + " preemptions").c_str()
                                        : "all interleavings (DPOR)");
  }
  std::printf("\nVariants:\n");
  for (variant v : all_variants()) std::printf("  %-22s %s\n", to_string(v), variant_summary(v));
  std::printf("\nMutants (each killed by its property in the scenario named):\n");
  for (const auto& m : all_mutants()) {
    std::string where = "(no kill listed)";
    for (const auto& k : scn::mutant_kills())
      if (std::string(k.mutant) == m.name) where = std::string(k.scenario) + " under " + to_string(k.v);
    std::printf("  %-32s %s\n  %-32s property %s, killed in %s%s\n", m.name, m.description, "", m.property,
                where.c_str(), m.history[0] ? (std::string("; re-introduces the bug of ") + m.history).c_str() : "");
  }
  return 0;
}

int cmd_replay(const std::string& file, const std::string& trace_format) {
  chk::replay_file f = chk::load_replay(file);
  chk::replay_outcome out = scn::replay(f);
  if (out.r.fail) {
    if (trace_format == "json") {
      chk::replay_file again = f;
      again.trace = out.r.fail->trace;
      std::printf("%s\n", chk::to_json(again).c_str());
    } else {
      std::printf("%s\n", chk::format_trace_columns(out.r.fail->trace, 38).c_str());
    }
  }
  if (!out.reproduced) {
    std::fprintf(stderr, "iowq-verify: replay did not reproduce the recorded failure: %s\n", out.why.c_str());
    return exit_usage;
  }
  std::printf("reproduced: %s%s: %s\n", chk::to_string(out.r.fail->kind),
              out.r.fail->property.empty() ? "" : (" [" + out.r.fail->property + "]").c_str(),
              out.r.fail->message.c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"iowq-verify: model checking, replay and reports for io-wq's exit-on-idle patch"};
  app.require_subcommand(1, 1);
  app.footer(
      "Exit codes: 0 all verified (every verdict as expected), 1 a property violated (a counterexample was "
      "found, or an expected one was not), 2 usage or input error, 3 inconclusive (a budget ran out before the "
      "search finished).");

  app.add_subcommand("list", "list scenarios, variants and mutants with what they check and their bounds");

  auto* check = app.add_subcommand("check", "check scenarios under variants (or a mutant), printing counterexamples");
  std::vector<std::string> scenarios, variants;
  std::string mutant, search, json_out, shard = "0/1", out_dir = "iowq-verify-out";
  search_spec sp;
  int jobs = 1;
  for (CLI::App* sub : {check}) {
    sub->add_option("--scenario", scenarios, "scenario to check (repeatable; default: all)");
    sub->add_option("--variant", variants, "variant to check (repeatable; default: all)");
    sub->add_option("--mutant", mutant, "run this mutant (in its kill scenario unless --scenario is given)");
  }
  auto add_search_options = [&](CLI::App* sub) {
    sub->add_option("--search", search, "dfs | dpor | bounded:K | random:N | pct:D (default: each scenario's own)");
    sub->add_option("--seed", sp.seed, "seed of random and pct searches");
    sub->add_option("--max-executions", sp.max_executions, "stop each search after this many executions");
    sub->add_option("--time-limit", sp.time_limit, "stop each search after this many seconds");
    sub->add_option("--jobs", jobs, "processes to split the work over (by schedule prefix)")->check(CLI::Range(1, 64));
    sub->add_option("--shard", shard, "run part I of N of every search (I/N), for a CI matrix; see merge");
    sub->add_option("--json", json_out, "write the results as JSON to this file");
    sub->add_flag("--quick", sp.quick, "the test suite's preemption-bounded search instead of the full one");
  };
  add_search_options(check);
  check->add_option("--out", out_dir, "directory for replay files (default iowq-verify-out)");

  auto* replay = app.add_subcommand("replay", "re-execute a replay file and confirm the recorded failure");
  std::string replay_file, trace_format = "text";
  replay->add_option("file", replay_file, "replay file")->required();
  replay->add_option("--trace", trace_format, "text | json")->check(CLI::IsMember({"text", "json"}));

  auto* report = app.add_subcommand("report", "run the full matrix and write report.md, report.html, junit.xml");
  std::string report_dir = "report";
  report->add_option("--out", report_dir, "output directory (default report)");
  add_search_options(report);

  auto* merge = app.add_subcommand("merge", "combine shard results (--shard I/N --json) into one verdict and report");
  std::vector<std::string> merge_files;
  std::string merge_out;
  merge->add_option("files", merge_files, "results files of the shards")->required();
  merge->add_option("--out", merge_out, "also write the report files to this directory");
  merge->add_option("--json", json_out, "write the merged results as JSON to this file");

  auto* litmus = app.add_subcommand("litmus", "run the checker's litmus catalog under DFS and DPOR");
  std::string litmus_json;
  litmus->add_option("--json", litmus_json, "also write the results as JSON to this file");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e);
    std::fprintf(stderr, "iowq-verify: %s (see --help)\n", e.what());
    return exit_usage;
  }

  try {
    const auto t0 = std::chrono::steady_clock::now();
    tools::run_info info;
    info.command = command_line(argc, argv);
    info.started = now_utc();
    info.jobs = jobs;

    if (app.got_subcommand("list")) return cmd_list();

    if (replay->parsed()) return cmd_replay(replay_file, trace_format);

    if (litmus->parsed()) {
      auto rows = tools::run_litmus(isatty(2));
      tools::print_litmus_table(std::cout, rows);
      if (!litmus_json.empty()) {
        std::ofstream f(litmus_json);
        if (!f) throw usage_error("cannot write " + litmus_json);
        f << tools::litmus_json(rows).dump(2) << "\n";
      }
      for (const auto& r : rows)
        if (!r.matches) return 1;
      return 0;
    }

    std::vector<row> rows;
    if (merge->parsed()) {
      std::vector<row> parts;
      for (const auto& file : merge_files) {
        std::ifstream f(file);
        if (!f) throw usage_error("cannot read " + file);
        nlohmann::json j;
        try {
          j = nlohmann::json::parse(f);
        } catch (const nlohmann::json::exception& e) {
          throw usage_error(file + ": not valid JSON");
        }
        auto r = tools::rows_from_json(j);
        parts.insert(parts.end(), r.begin(), r.end());
      }
      std::string err;
      rows = tools::merge_rows(parts, &err);
      if (!err.empty()) throw usage_error(err);
      for (const auto& r : rows)
        std::printf("%-10s %-44s %s%s, %llu executions\n", r.group.c_str(), r.id.c_str(), r.verdict.c_str(),
                    r.as_expected ? "" : " UNEXPECTED", static_cast<unsigned long long>(r.executions));
      info.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      if (!merge_out.empty()) {
        write_reports(merge_out, rows, info);
        std::printf("report written to %s/report.html (and report.md, junit.xml)\n", merge_out.c_str());
      }
    } else {
      // check or report: the targets.
      std::tie(sp.shard_index, sp.shard_count) = parse_shard(shard);
      sp.search = search;
      std::vector<target> targets;
      std::vector<variant> vs;
      for (const auto& n : variants) {
        auto v = variant_by_name(n);
        if (!v) throw usage_error("unknown variant \"" + n + "\" (see iowq-verify list)");
        vs.push_back(*v);
      }
      if (vs.empty()) vs = all_variants();
      std::vector<const scn::scenario*> ss;
      for (const auto& n : scenarios) {
        const scn::scenario* s = scn::find(n);
        if (!s) throw usage_error("unknown scenario \"" + n + "\" (see iowq-verify list)");
        ss.push_back(s);
      }
      const bool is_report = report->parsed();
      if (!mutant.empty()) {
        auto m = mutant_by_name(mutant);
        if (!m) throw usage_error("unknown mutant \"" + mutant + "\" (see iowq-verify list)");
        const scn::mutant_kill* kill = nullptr;
        for (const auto& k : scn::mutant_kills())
          if (mutant == k.mutant) kill = &k;
        std::vector<const scn::scenario*> ms = ss;
        std::vector<variant> mv = variants.empty() ? std::vector<variant>{} : vs;
        if (ms.empty()) {
          if (!kill) throw usage_error("mutant " + mutant + " has no kill scenario: give --scenario");
          ms.push_back(scn::find(kill->scenario));
        }
        if (mv.empty()) mv.push_back(kill ? kill->v : variant::v1);
        for (auto* s : ms)
          for (variant v : mv) {
            target t{s, {}, mutant, iowq::info(*m).property};
            t.cfg.v = v;
            t.cfg.with(*m);
            targets.push_back(t);
          }
      } else {
        if (ss.empty())
          for (const auto& s : scn::all()) ss.push_back(&s);
        for (auto* s : ss)
          for (variant v : vs) {
            target t{s, {}, "", ""};
            t.cfg.v = v;
            targets.push_back(t);
          }
        if (is_report)
          for (const auto& k : scn::mutant_kills()) {
            target t{scn::find(k.scenario), {}, k.mutant, k.property};
            t.cfg.v = k.v;
            t.cfg.with(*mutant_by_name(k.mutant));
            targets.push_back(t);
          }
      }
      const std::string replays = is_report ? (fs::path(report_dir) / "replays").string() : out_dir;
      rows = run_targets(targets, sp, jobs, replays, !is_report);
      info.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      if (is_report) {
        write_reports(report_dir, rows, info);
        std::size_t ok = 0;
        for (const auto& r : rows) ok += r.as_expected;
        std::printf("%zu of %zu verdicts as expected, %.0f s\nreport written to %s/report.html (and report.md, "
                    "junit.xml, results.json, replays/)\n",
                    ok, rows.size(), info.seconds, report_dir.c_str());
      }
    }
    if (!json_out.empty()) {
      std::ofstream f(json_out);
      if (!f) throw usage_error("cannot write " + json_out);
      f << tools::to_json(rows, info).dump(1) << "\n";
    }
    return tools::exit_code(rows);
  } catch (const usage_error& e) {
    std::fprintf(stderr, "iowq-verify: %s\n", e.what());
    return exit_usage;
  } catch (const chk::replay_error& e) {
    std::fprintf(stderr, "iowq-verify: %s\n", e.what());
    return exit_usage;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "iowq-verify: %s\n", e.what());
    return exit_usage;
  }
}
