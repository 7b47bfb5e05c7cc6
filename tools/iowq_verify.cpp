// iowq-verify: the command users run.
//   list      scenarios, variants and mutants, with what each checks and its bounds
//   check     runs a selection (scenarios x variants, or a mutant), prints counterexamples and
//             writes their replay files
//   replay    re-executes a replay file and confirms the recorded failure
//   report    the full matrix (every scenario x variant, every mutant) as Markdown, HTML, JUnit
//   merge     combines the results of shards (--shard I/N) into one verdict and report
//   litmus    the checker's own litmus catalog
// Exit codes: see exit_codes_help below (also printed by --help).
// The parts: commands.cpp (the subcommands), targets.cpp (what to check), runner.cpp (running it,
// --jobs and --shard), progress.cpp (the progress line), results.cpp (rows, JSON, merge, exit
// codes), report_*.cpp (the report formats), litmus_cmd.cpp.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <string>
#include <vector>

#include "commands.h"
#include "errors.h"
#include "explore.h"
#include "realsrc/loader.h"

using namespace iowq;

namespace {

constexpr const char* exit_codes_help =
    "Exit codes:\n"
    "  check   0 every property verified (a sampling search, random or pct, that found nothing counts as 0),\n"
    "          1 a property violated: a counterexample was found (known findings and mutants included),\n"
    "          3 inconclusive: a budget (--max-executions, --time-limit) ran out before a search finished\n"
    "          and nothing was violated.\n"
    "  report, merge\n"
    "          0 every verdict is its expected answer (the matrix holds known findings and mutants that must\n"
    "          be caught, so a clean run with them is 0), 1 a verdict differs from its expected answer (a new\n"
    "          violation, or an expected one missing), 3 a budget ran out and nothing else differs.\n"
    "          With --shard I/N a report judges only its part: 1 for an unexpected violation, 3 when\n"
    "          inconclusive, else 0; merge gives the final answer.\n"
    "  explore 0 every violation is a known finding's signature on a variant it is declared for, 1 a new\n"
    "          candidate finding (a signature no known finding has, or one on another variant), 3 a budget ran\n"
    "          out and nothing else differs.\n"
    "  replay  1 the recorded failure was reproduced (a property violated), 2 it was not.\n"
    "  kernel  1 the finding reproduced on the real kernel, 0 it did not, 3 the kernel did not build or\n"
    "          boot, the test program could not run, or the kernel printed a splat.\n"
    "  litmus  0 every litmus test gave its known answer, 1 otherwise.\n"
    "  all     2 usage or input error (bad flag, unknown scenario, variant or mutant, malformed or\n"
    "          mismatched file), with a one-line message on stderr.";

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"iowq-verify: model checking, replay and reports for io-wq's exit-on-idle patch"};
  app.require_subcommand(1, 1);
  app.footer(exit_codes_help);

  app.add_subcommand("list", "list scenarios, variants and mutants with what they check and their bounds");

  auto* check = app.add_subcommand("check", "check scenarios under variants (or a mutant), printing counterexamples");
  check->footer(exit_codes_help);
  tools::run_command rc;
  std::string check_out = "iowq-verify-out", json_out;
  check->add_option("--scenario", rc.sel.scenarios, "scenario to check (repeatable; default: all)");
  check->add_option("--variant", rc.sel.variants, "variant to check (repeatable; default: all)");
  check->add_option("--mutant", rc.sel.mutant, "run this mutant (in its kill scenario unless --scenario is given)");
  auto add_search_options = [&](CLI::App* sub) {
    sub->add_option("--search", rc.sp.search,
                    "dfs | dpor | bounded:K | random:N | pct:D (default: each scenario's own)");
    sub->add_option("--seed", rc.sp.seed, "seed of random and pct searches");
    sub->add_option("--rcu", rc.sp.rcu,
                    "preemptible | non-preemptible: the kernel's RCU flavour (default: each scenario's own, "
                    "preemptible unless it says)");
    sub->add_option("--max-executions", rc.sp.max_executions, "stop each search after this many executions");
    sub->add_option("--time-limit", rc.sp.time_limit, "stop each search after this many seconds");
    sub->add_option("--jobs", rc.jobs,
                    "processes to split the work over (by target; by schedule prefix when fewer targets than jobs)")
        ->check(CLI::Range(1, 64));
    sub->add_option("--shard", rc.shard,
                    "run part I of N (I/N) of every search, by schedule prefix, for a CI matrix; see merge");
    sub->add_option("--json", rc.json_out, "write the results as JSON to this file (the input of merge)");
    sub->add_flag("--quick", rc.sp.quick, "the test suite's preemption-bounded search instead of the full one");
    sub->add_flag("--separate-searches", rc.separate,
                  "search every variant on its own (by default a scenario's search is shared by the variants that "
                  "differ only in fixes it never reaches)");
    sub->add_option("--kernel-src", rc.sel.kernel_src,
                    "check the real io_uring/io-wq.c of this kernel tree (compiled unmodified), as variant "
                    "linux-VERSION[+PATCH...]; without --variant, only that variant");
    sub->add_option("--patch", rc.sel.kernel_patches,
                    "with --kernel-src: apply this patch first (repeatable, in order)");
  };
  add_search_options(check);
  check->add_option("--out", check_out, "directory for replay files (default iowq-verify-out)");

  auto* explore = app.add_subcommand(
      "explore", "check every generated owner program of up to N actions and W works under each variant, triaged");
  explore->footer(exit_codes_help);
  tools::explore_command ec;
  explore->add_option("--max-actions", ec.max_actions, "owner actions per program, the exit path included (default 3)");
  explore->add_option("--max-works", ec.max_works, "requests per program, linked ones included (default 2)");
  explore->add_option("--knobs", ec.knobs,
                      "environment: none, or knobs joined by '+' (max2, enomem|eagain, timeouts, rcu-np), or all "
                      "(repeatable; default none)");
  explore->add_option("--variant", rc.sel.variants, "variant to check (repeatable; default: all)");
  explore->add_option("--mutant", rc.sel.mutant, "run every program with this mutant (its violations are triaged)");
  explore->add_flag("--list", ec.list_only, "print the programs and their number, check nothing");
  explore->add_flag(
      "--no-shrink", [&ec](std::int64_t) { ec.shrink = false; }, "keep each signature's smallest program as found");
  explore->add_option("--out", rc.out_dir, "also write report.md, report.html, results.json and replays/ here");
  add_search_options(explore);

  auto* replay = app.add_subcommand("replay", "re-execute a replay file and confirm the recorded failure");
  replay->footer(exit_codes_help);
  std::string replay_file, trace_format = "text";
  replay->add_option("file", replay_file, "replay file")->required();
  replay->add_option("--trace", trace_format, "text | json")->check(CLI::IsMember({"text", "json"}));

  auto* report =
      app.add_subcommand("report", "run the full matrix and write report.md, report.html, junit.xml, results.json");
  report->footer(exit_codes_help);
  std::string report_dir = "report";
  report->add_option("--out", report_dir, "output directory (default report)");
  report->add_option("--scenario", rc.sel.scenarios,
                     "only this scenario (repeatable; default: all), with the mutants killed in it");
  report->add_option("--variant", rc.sel.variants, "only this variant (repeatable; default: all)");
  add_search_options(report);

  auto* merge = app.add_subcommand("merge", "combine shard results (--shard I/N --json) into one verdict and report");
  merge->footer(exit_codes_help);
  std::vector<std::string> merge_files;
  std::string merge_out;
  merge->add_option("files", merge_files, "results files of the shards (results.json or --json output)")->required();
  merge->add_option("--out", merge_out, "also write the report files (and replay files) to this directory");
  merge->add_option("--json", json_out, "write the merged results as JSON to this file");

  auto* kernel = app.add_subcommand(
      "kernel", "reproduce a finding on a real kernel under QEMU (kernel/iowq-kernel; `kernel --help` for options)");
  kernel->prefix_command();
  kernel->set_help_flag();

  auto* litmus = app.add_subcommand("litmus", "run the checker's litmus catalog under DFS and DPOR");
  std::string litmus_json;
  litmus->add_option("--json", litmus_json, "also write the results as JSON to this file");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e);
    std::fprintf(stderr, "iowq-verify: %s (see --help)\n", tools::one_line(e.what()).c_str());
    return tools::exit_usage;
  }

  try {
    tools::run_info info;
    info.command = tools::command_line(argc, argv);
    info.started = tools::now_utc();
    info.jobs = rc.jobs;
    if (kernel->parsed()) tools::cmd_kernel(kernel->remaining());
    if (app.got_subcommand("list")) return tools::cmd_list();
    if (replay->parsed()) return tools::cmd_replay(replay_file, trace_format);
    if (litmus->parsed()) return tools::cmd_litmus(litmus_json);
    if (merge->parsed()) return tools::cmd_merge(merge_files, merge_out, json_out, info);
    if (explore->parsed()) {
      ec.rc = rc;
      return tools::cmd_explore(ec, info);
    }
    if (report->parsed()) {
      rc.out_dir = report_dir;
      return tools::cmd_report(rc, info);
    }
    rc.out_dir = check_out;
    return tools::cmd_check(rc, info);
  } catch (const realsrc::tree_error& e) {
    std::fflush(stdout);
    std::fprintf(stderr, "iowq-verify: %s\n", e.what());
    return e.exit_code;
  } catch (const std::exception& e) {
    std::fflush(stdout);
    std::fprintf(stderr, "iowq-verify: %s\n", tools::one_line(e.what()).c_str());
    return tools::exit_usage;
  }
}
