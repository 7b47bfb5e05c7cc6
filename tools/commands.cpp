// The subcommands of iowq-verify.
#include "commands.h"

#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <tuple>

#include "chk/replay.h"
#include "chk/trace.h"
#include "errors.h"
#include "litmus_cmd.h"
#include "realsrc/loader.h"
#include "reports.h"
#include "runner.h"
#include "scenario.h"

namespace iowq::tools {

namespace fs = std::filesystem;

namespace {

using clock = std::chrono::steady_clock;

double seconds_since(clock::time_point t0) { return std::chrono::duration<double>(clock::now() - t0).count(); }

void write_json(const std::string& path, const std::vector<row>& rows, const run_info& info) {
  std::ofstream f(path);
  if (!f) throw usage_error("cannot write " + path);
  f << to_json(rows, info).dump(1) << "\n";
  f.close();
  if (!f) throw std::runtime_error("cannot write " + path);
}

void write_reports(const std::string& dir, const std::vector<row>& rows, const run_info& info) {
  fs::create_directories(dir);
  write_markdown((fs::path(dir) / "report.md").string(), rows, info);
  write_html((fs::path(dir) / "report.html").string(), rows, info);
  write_junit((fs::path(dir) / "junit.xml").string(), rows, info);
  write_json((fs::path(dir) / "results.json").string(), rows, info);
}

std::vector<row> read_results(const std::string& file) {
  std::ifstream f(file);
  if (!f) throw usage_error("cannot read " + file);
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(f);
  } catch (const nlohmann::json::exception&) {
    throw usage_error(file + ": not valid JSON");
  }
  try {
    return rows_from_json(j);
  } catch (const std::runtime_error& e) {
    throw usage_error(file + ": " + e.what());
  }
}

// check and report: the targets of the selection, run with their search.
std::vector<row> run(const run_command& rc, search_request& sp, bool is_report) {
  std::tie(sp.shard_index, sp.shard_count) = parse_shard(rc.shard);
  {
    // Validate --search before any work.
    target probe{&scn::all().front(), {}, "", ""};
    (void)options_for(probe, sp);
  }
  run_request rq;
  rq.targets = select_targets(rc.sel);
  rq.sp = sp;
  rq.jobs = rc.jobs;
  rq.print = !is_report;
  rq.share = !rc.separate;
  if (is_report) {
    // A shard's report is only its results.json; merge writes the report.
    if (sp.shard_count == 1) rq.replay_dir = (fs::path(rc.out_dir) / "replays").string(), rq.replay_prefix = "replays/";
  } else {
    rq.replay_dir = rc.out_dir;
    rq.replay_prefix = (fs::path(rc.out_dir) / "").string();
  }
  return run_targets(rq);
}

}  // namespace

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

int cmd_list() {
  std::printf("Scenarios (the properties each checks; its bounds):\n");
  for (const auto& s : scn::all()) {
    std::string props;
    for (auto p : s.props) props += (props.empty() ? "" : ", ") + std::string(scn::to_string(p));
    const std::string why = scn::outside_io_uring(s);
    std::printf("  %-26s %s\n  %-26s owner: %s (%s%s)\n  %-26s checks: %s\n  %-26s bounds: %s; search: %s\n",
                s.name.c_str(), s.summary.c_str(), "", s.owner.text().c_str(), scn::describe(scn::family_of(s)),
                why.empty() ? "" : (": " + why).c_str(), "", props.c_str(), "", s.bounds().c_str(),
                s.preemption_bound >= 0 ? ("at most " + std::to_string(s.preemption_bound) +
                                           " preemptions: NOT all interleavings (its full search does not finish "
                                           "in the report's time; bench/README.md)")
                                              .c_str()
                                        : "all interleavings (DPOR)");
  }
  std::size_t bounded = 0;
  for (const auto& s : scn::all()) bounded += s.preemption_bound >= 0;
  std::printf(
      "\n%zu of %zu scenarios are searched over all interleavings in the report; %zu with a preemption "
      "bound.\n",
      scn::all().size() - bounded, scn::all().size(), bounded);
  std::printf(
      "\nGenerated scenarios: gen:ACTION.ACTION...[+KNOB...], every owner program io_uring can produce, named by what "
      "it does\n  (e.g. gen:punt.wait.punt.wait; the grammar: scenarios/README.md; all of a size: iowq-verify explore "
      "--list)\n");
  std::printf("\nVariants:\n");
  for (variant v : all_variants()) std::printf("  %-24s %s\n", to_string(v), info(v).summary.c_str());
  std::printf("\nMutants (each killed by its property in the scenario named):\n");
  for (const auto& m : all_mutants()) {
    std::string where;
    if (const scn::mutant_kill* k = scn::kill_of(m.id))
      where = std::string("killed in ") + k->scenario + " under " + to_string(k->v);
    for (const auto& u : scn::unkilled_mutants())
      if (u.mutant == m.id) where = std::string("not killed: ") + u.reason;
    std::printf("  %-32s %s\n  %-32s property %s, %s%s\n", m.name, m.description, "", m.property, where.c_str(),
                m.history[0] ? (std::string("; re-introduces the bug of ") + m.history).c_str() : "");
  }
  return 0;
}

int cmd_replay(const std::string& file, const std::string& trace_format) {
  chk::replay_file f;
  chk::replay_outcome out;
  if (!std::ifstream(file)) throw usage_error("cannot read " + file);
  try {
    f = chk::load_replay(file);
    if (auto src = f.labels.find("kernel_src"); src != f.labels.end()) {
      // A real-source run: load the same tree with the same patches first.
      std::vector<std::string> patches;
      std::istringstream ps(f.labels["patches"]);
      for (std::string p; std::getline(ps, p);)
        if (!p.empty()) patches.push_back(p);
      const variant v = realsrc::register_tree(src->second, patches, stderr);
      const std::string now = info(v).replay_labels.at("io_wq_sha256"), then = f.labels["io_wq_sha256"];
      if (now != then)
        throw usage_error("the patched io-wq.c of " + src->second +
                          " is not the one this replay was recorded on (sha256 " + then.substr(0, 12) + ", now " +
                          now.substr(0, 12) + ")");
    }
    out = scn::replay(f);
  } catch (const chk::replay_error& e) {
    throw usage_error(file + ": " + e.what());
  }
  if (out.r.fail) {
    if (trace_format == "json") {
      chk::replay_file again = f;
      again.trace = out.r.fail->trace;
      std::printf("%s\n", chk::to_json(again).c_str());
    } else {
      auto label = [&f](const char* k) {
        auto it = f.labels.find(k);
        return it == f.labels.end() ? std::string() : it->second;
      };
      std::printf("== %s%s under %s\n\n%s\n",
                  label("mutant").empty() ? "" : ("mutant " + label("mutant") + " in ").c_str(),
                  label("scenario").c_str(), label("variant").c_str(),
                  chk::format_trace_columns(out.r.fail->trace, 38).c_str());
    }
  }
  std::fflush(stdout);
  if (!out.reproduced) throw usage_error(file + ": replay did not reproduce the recorded failure: " + out.why);
  std::fprintf(trace_format == "json" ? stderr : stdout, "reproduced: %s%s: %s\n", chk::to_string(out.r.fail->kind),
               out.r.fail->property.empty() ? "" : (" [" + out.r.fail->property + "]").c_str(),
               out.r.fail->message.c_str());
  return 1;
}

// The kernel harness is a script in the source tree (it drives make, gcc, cpio and QEMU); run it
// in place of this process, with the same arguments and exit codes.
[[noreturn]] void cmd_kernel(const std::vector<std::string>& args) {
  const std::string script = std::string(IOWQ_SOURCE_DIR) + "/kernel/iowq-kernel";
  if (access(script.c_str(), X_OK) != 0) throw usage_error("the kernel harness " + script + " is missing");
  std::vector<char*> argv{const_cast<char*>("python3"), const_cast<char*>(script.c_str())};
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  std::fflush(stdout);
  execvp("python3", argv.data());
  throw usage_error(std::string("cannot run python3: ") + std::strerror(errno));
}

int cmd_litmus(const std::string& json_out) {
  auto rows = run_litmus(isatty(2));
  print_litmus_table(std::cout, rows);
  if (!json_out.empty()) {
    std::ofstream f(json_out);
    if (!f) throw usage_error("cannot write " + json_out);
    f << litmus_json(rows).dump(2) << "\n";
  }
  for (const auto& r : rows)
    if (!r.matches) return 1;
  return 0;
}

int cmd_merge(const std::vector<std::string>& files, const std::string& out_dir, const std::string& json_out,
              run_info info) {
  const auto t0 = clock::now();
  std::vector<row> parts;
  for (const auto& file : files) {
    auto r = read_results(file);
    parts.insert(parts.end(), r.begin(), r.end());
  }
  std::string err;
  auto rows = merge_rows(parts, &err);
  if (!err.empty()) throw usage_error(err);
  for (const auto& r : rows)
    if (r.verdict == "not-run") throw usage_error("no shard ran " + r.target);
  info.seconds = seconds_since(t0);
  if (!out_dir.empty()) {
    save_replays(rows, (fs::path(out_dir) / "replays").string(), "replays/");
    write_reports(out_dir, rows, info);
  }
  std::size_t ok = 0;
  for (const auto& r : rows) ok += r.as_expected;
  print_unexpected(rows);
  std::printf("merged %zu files: %zu of %zu verdicts as expected\n", files.size(), ok, rows.size());
  if (!out_dir.empty())
    std::printf("report written to %s/report.html (and report.md, junit.xml, results.json, replays/)\n",
                out_dir.c_str());
  if (!json_out.empty()) write_json(json_out, rows, info);
  return report_exit_code(rows);
}

int cmd_check(run_command rc, run_info info) {
  const auto t0 = clock::now();
  std::vector<row> rows = run(rc, rc.sp, false);
  info.seconds = seconds_since(t0);
  if (!rc.json_out.empty()) write_json(rc.json_out, rows, info);
  return check_exit_code(rows);
}

int cmd_report(run_command rc, run_info info) {
  const auto t0 = clock::now();
  rc.sel.with_mutants = true;
  std::vector<row> rows = run(rc, rc.sp, true);
  info.seconds = seconds_since(t0);
  if (!rc.json_out.empty()) write_json(rc.json_out, rows, info);
  const search_request& sp = rc.sp;
  const std::string& report_dir = rc.out_dir;
  const bool sharded = sp.shard_count > 1;

  std::size_t ok = 0, judged = 0;
  for (const auto& r : rows)
    if (r.verdict != "not-run") ok += r.as_expected, ++judged;
  if (sharded) {
    fs::create_directories(report_dir);
    write_json((fs::path(report_dir) / "results.json").string(), rows, info);
    std::printf(
        "shard %d/%d: %zu of %zu verdicts as expected so far, %.0f s\npartial results written to "
        "%s/results.json; combine the shards with: iowq-verify merge --out DIR FILES...\n",
        sp.shard_index, sp.shard_count, ok, judged, info.seconds, report_dir.c_str());
    bool unexpected = false, inconclusive = false;
    for (const auto& r : rows) {
      unexpected |= r.verdict == "violated" && !r.as_expected;
      inconclusive |= r.verdict == "inconclusive";
    }
    return unexpected ? 1 : inconclusive ? 3 : 0;
  }
  write_reports(report_dir, rows, info);
  print_unexpected(rows);
  std::printf(
      "%zu of %zu verdicts as expected, %.0f s\nreport written to %s/report.html (and report.md, "
      "junit.xml, results.json, replays/)\n",
      ok, rows.size(), info.seconds, report_dir.c_str());
  return report_exit_code(rows);
}

}  // namespace iowq::tools
