// Running targets and printing their verdicts (check and report), shared by the commands.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "chk/result.h"
#include "results.h"
#include "targets.h"

namespace iowq::tools {

struct run_request {
  std::vector<target> targets;
  search_request sp;
  int jobs = 1;
  std::string replay_dir, replay_prefix;  // empty dir: no replay files
  bool print = false;                     // print each target's verdicts and counterexamples
  // A scenario's search is shared among the variants it runs identically under (runner.cpp:
  // finished_search); false: every target searches on its own (--separate-searches).
  bool share = true;
};

// Runs the targets: with one job here, target after target (printing as it goes). With N jobs in N
// processes: when there are at least N targets each job takes the next unit nobody took yet (a
// target, or a scenario's targets under the built-in variants of one port, so that they can share
// a search) and runs it whole; with fewer, job j runs the engine's shard j (by schedule prefix) of every
// exhaustive search and its share of the sampling ones, and the parent merges their rows. Either
// way the rows are those of one process doing it all, in the same order, with the same verdicts and
// executions; which rows are shared (shared_with, and so seconds) can differ: nothing is shared
// across units, in a divided search, or under --time-limit. A progress line runs on stderr meanwhile.
std::vector<row> run_targets(const run_request& rq);

// The replay record of a failure of target t's search with options o, checking `active`: the
// engine's replay with the labels replay() needs (scenario, variant, mutant, properties, and the
// variant's own, e.g. a real tree's).
nlohmann::json replay_record(const target& t, const chk::options& o, const chk::failure& f,
                             const std::vector<scn::prop>& active);

// Writes the replay files of violated rows into `dir`; each row's replay_file becomes `prefix` +
// the file's name (a path relative to where the report or the user is).
void save_replays(std::vector<row>& rows, const std::string& dir, const std::string& prefix);

// One line per verdict that is not its expected answer, with the bounds it was reached within.
void print_unexpected(const std::vector<row>& rows);

}  // namespace iowq::tools
