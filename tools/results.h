// Results of iowq-verify runs: one row per checked target (a scenario under a variant, a mutant, a
// litmus test), their JSON form (for --json, shards and merge), and the report writers
// (Markdown, self-contained HTML, JUnit XML).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "chk/trace.h"

namespace iowq::tools {

struct row {
  std::string group;     // "scenario", "mutant", "finding"
  std::string id;        // unique, e.g. "idle-then-eoi/v1" or "mutant/eoi_no_wake@idle-then-eoi"
  std::string scenario;  // scenario name
  std::string variant;   // baseline | v1 | merged | upstream | ...
  std::string mutant;    // empty unless a mutant run
  std::string summary;   // what the target checks, in words
  std::vector<std::string> properties;  // the properties checked
  std::string expected;  // "verified", or "violated:<property>"
  std::string verdict;   // verified | violated | inconclusive | no violation found
  std::string violated;  // property broken, when violated
  std::string failure_kind, failure_message, failure_location;
  std::string bounds;    // the search's bounds, always shown with the verdict
  std::string search;    // dfs, dpor, ...
  std::uint64_t executions = 0, pruned = 0;
  int max_depth = 0;
  double seconds = 0;
  bool complete = false;  // the search space was exhausted
  bool as_expected = false;
  std::string replay_file;  // relative to the report directory
  std::vector<chk::trace_step> trace;
  int shard_index = 0, shard_count = 1;
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

// Combines shards of the same targets: executions and times add up, the verdict is violated if any
// shard found a violation (its counterexample kept), inconclusive if any shard was, verified only
// if every shard of a target is present and verified.
std::vector<row> merge_rows(const std::vector<row>& parts, std::string* error);

// Whether a row's verdict is its expected answer (and the violated property the expected one).
bool matches_expectation(const row& r);

// Exit code of a set of rows: 1 if any violation is unexpected (or an expected one is missing),
// 3 if any search was inconclusive, else 0.
int exit_code(const std::vector<row>& rows);

void write_markdown(const std::string& path, const std::vector<row>& rows, const run_info& info);
void write_html(const std::string& path, const std::vector<row>& rows, const run_info& info);
void write_junit(const std::string& path, const std::vector<row>& rows, const run_info& info);

}  // namespace iowq::tools
