// iowq-verify explore: every generated owner program (scenarios/generate.h) of up to N actions and
// W works under every variant, each violation triaged by its signature (scenarios/triage.h)
// against the known findings, the smallest program of each signature shrunk further.
#pragma once

#include <set>
#include <string>
#include <vector>

#include "commands.h"
#include "results.h"

namespace iowq::tools {

struct explore_command {
  run_command rc;
  int max_actions = 3, max_works = 2;
  std::vector<std::string> knobs;  // environments: "none", "max2", "max2+eagain", "all"; empty: none
  bool list_only = false;          // print the programs, run nothing
  bool shrink = true;
};
int cmd_explore(explore_command ec, run_info info);

// Sets each violated generated row's signature and judges it: a known finding's signature for its
// variant is expected (note: the finding), anything else a new candidate (unexpected).
void triage_rows(std::vector<row>& rows);

// The violations of generated rows grouped by signature, for the report and the summary.
struct signature_group {
  std::string signature, where;
  std::string finding;  // the known finding, empty for a new candidate
  std::string why;      // the known finding's line, or why it is a candidate
  std::set<std::string> variants;
  std::set<std::string> programs;
  // The row of the smallest program showing it (then the first variant): after explore's shrinking,
  // a row of the shrunk program is among the rows.
  const row* smallest = nullptr;
};
std::vector<signature_group> group_signatures(const std::vector<row>& rows);

// Whether a row belongs to a generated scenario.
bool is_generated_row(const row& r);

}  // namespace iowq::tools
