// `iowq-verify litmus`: the checker's litmus catalog run under DFS and DPOR, as a verdict table.
#pragma once

#include <nlohmann/json.hpp>
#include <ostream>
#include <string>
#include <vector>

namespace iowq::tools {

struct litmus_row {
  std::string name, claim, expected, dfs_verdict, dpor_verdict;
  unsigned long long dfs_executions = 0, dpor_executions = 0;
  double dfs_seconds = 0, dpor_seconds = 0;
  bool matches = false;  // both searches gave the known answer (verdict, failure kind, counts)
};

std::vector<litmus_row> run_litmus(bool progress);
void print_litmus_table(std::ostream& out, const std::vector<litmus_row>& rows);
nlohmann::json litmus_json(const std::vector<litmus_row>& rows);

}  // namespace iowq::tools
