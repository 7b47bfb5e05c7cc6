// Results of iowq-verify runs: one row per judged property of a checked target (a scenario under a
// variant, a mutant in its kill scenario), their JSON form (for --json, shards and merge), merging
// and exit codes. The report writers are in reports.h.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "chk/trace.h"

namespace iowq::tools {

// The version of the results JSON (results.json, --json, the input of merge).
inline constexpr int results_format_version = 5;

struct row {
  std::string group;     // "scenario" or "mutant"
  std::string target;    // the checked unit: "scenario/idle-then-eoi/v1", "mutant/eoi_no_wake@idle-then-eoi/v1"
  std::string id;        // unique: "idle-then-eoi/v1/pool-zero", "mutant/eoi_no_wake (idle-then-eoi, v1)"
  std::string scenario;  // scenario name
  std::string variant;   // baseline | v1 | merged | upstream | ...
  std::string mutant;    // empty unless a mutant run
  // "io_uring": the scenario's calls are io_uring's, so a violation is reachable through io_uring;
  // "io-wq API": the scenario calls the io-wq API in an order io_uring does not produce.
  std::string family;
  std::string summary;                  // what the target checks, in words
  std::string note;                     // for a known finding: why the property breaks (one line)
  std::string property;                 // the property this row judges
  std::vector<std::string> properties;  // the properties checked by the search that judged it
  std::string expected;                 // "verified", or "violated:<property>"
  // verified | violated | inconclusive | no violation found (a sampling search) | not-run (a
  // placeholder: another shard owns this target)
  std::string verdict;
  std::string violated;  // property broken, when violated
  std::string failure_kind, failure_message, failure_location;
  // A violation's signature (scenarios/triage.h: "lost-wakeup@io_worker_exit") and its file:line;
  // set for generated scenarios, whose expected answer comes from it (explore.h: triage_rows).
  std::string signature, signature_where;
  std::string bounds;  // the search's bounds, always shown with the verdict
  std::string search;  // as --search spells it: dpor, dfs, bounded:K, random:N, pct:D
  std::uint64_t executions = 0, pruned = 0;
  int max_depth = 0;
  double seconds = 0;     // search time (summed over shards after a merge)
  bool complete = false;  // the search space was exhausted
  bool as_expected = false;
  std::string replay_file;  // where the replay file was written (relative to the report directory)
  nlohmann::json replay;    // the replay record (chk replay JSON), null when none
  std::vector<chk::trace_step> trace;
  int shard_index = 0, shard_count = 1;
  int merged_from = 1;  // shards combined into this row
  // Set when this row's search is another variant's (tools/runner.cpp): that variant's name. The
  // two differ only in fixes the search never asked about, so the search is the same execution for
  // execution; executions and bounds are that search's, seconds are 0 (nothing ran again).
  std::string shared_with;
};

struct run_info {
  std::string command;  // how the results were produced
  std::string started;  // UTC time
  double seconds = 0;
  int jobs = 1;
};

nlohmann::json to_json(const std::vector<row>& rows, const run_info& info);
// Throws std::runtime_error with a one-line reason on malformed input.
std::vector<row> rows_from_json(const nlohmann::json& j, run_info* info = nullptr);

// Combines shards of the same targets: executions and times add up; a row is violated if any shard
// found a violation (its counterexample kept), inconclusive if any shard was, verified only if every
// shard of its target is present and verified. Placeholder rows ("not-run") only count as present; a
// target with nothing but placeholders stays one placeholder row.
// On inconsistent input (a shard missing or given twice) returns {} and sets *error.
std::vector<row> merge_rows(const std::vector<row>& parts, std::string* error);

// Whether a row's verdict is its expected answer (and the violated property the expected one). A
// sampling search without a violation counts as the answer "verified".
bool matches_expectation(const row& r);

// "reachable through io_uring" or "io-wq API contract" for the row's family; empty if it has none.
std::string family_text(const row& r);

// 1234567 -> "1,234,567".
std::string fmt_count(std::uint64_t n);

// Exit codes (see iowq-verify --help):
// check: 1 if any counterexample was found, else 3 if a search was inconclusive, else 0.
int check_exit_code(const std::vector<row>& rows);
// report and merge: 1 if any verdict differs from its expected answer (an unexpected violation or a
// missing expected one), else 3 if a search was inconclusive, else 0.
int report_exit_code(const std::vector<row>& rows);

// The verdict of one target (a matrix cell): every property's row combined.
struct target_summary {
  std::string verdict;                // violated if any row is, else inconclusive, ... else verified
  std::vector<std::string> violated;  // the properties broken
  std::vector<const row*> unexpected;
  std::uint64_t executions = 0;  // over every search of the target
  double seconds = 0;
  std::string search, bounds;
  std::string shared_with;  // the variant whose search this cell's is (row::shared_with), or empty
};
target_summary summarize(const std::vector<const row*>& rows);

// The rows of each target, in order of first appearance.
std::vector<std::vector<const row*>> by_target(const std::vector<const row*>& rows);

// A name made of [A-Za-z0-9._-] only (for file names and HTML ids).
std::string slug(const std::string& s);

}  // namespace iowq::tools
