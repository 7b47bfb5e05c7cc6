// The subcommands of iowq-verify, once the command line is parsed (iowq_verify.cpp). Each returns
// the exit code documented in --help; usage and input errors are thrown as usage_error.
#pragma once

#include <string>
#include <vector>

#include "results.h"
#include "targets.h"

namespace iowq::tools {

// What check and report were asked to do.
struct run_command {
  selection sel;
  search_request sp;
  std::string shard = "0/1";  // --shard I/N
  int jobs = 1;
  std::string json_out;   // --json, or empty
  std::string out_dir;    // check: the replay files; report: the report
  bool separate = false;  // --separate-searches: no search shared among variants
};

int cmd_list();
int cmd_check(run_command rc, run_info info);
int cmd_report(run_command rc, run_info info);
int cmd_replay(const std::string& file, const std::string& trace_format);
int cmd_merge(const std::vector<std::string>& files, const std::string& out_dir, const std::string& json_out,
              run_info info);
int cmd_litmus(const std::string& json_out);
// Runs kernel/iowq-kernel in place of this process; returns only by throwing.
[[noreturn]] void cmd_kernel(const std::vector<std::string>& args);

// "iowq-verify ARGS..." and the time now, for run_info.
std::string command_line(int argc, char** argv);
std::string now_utc();

}  // namespace iowq::tools
