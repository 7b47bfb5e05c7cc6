#include "litmus_cmd.h"

#include <cstdio>
#include <iomanip>

#include "catalog.h"

namespace iowq::tools {

namespace {
std::string answer(const chk::result& r) {
  std::string s = chk::to_string(r.v);
  if (r.fail) s += std::string(" (") + chk::to_string(r.fail->kind) + ")";
  return s;
}
}  // namespace

std::vector<litmus_row> run_litmus(bool progress) {
  std::vector<litmus_row> rows;
  for (const auto& e : chk::litmus::catalog()) {
    litmus_row row;
    row.name = e.name;
    row.claim = e.claim;
    row.expected = chk::to_string(e.expected);
    if (e.expected_kind) row.expected += std::string(" (") + chk::to_string(*e.expected_kind) + ")";
    bool ok = true;
    for (auto kind : {chk::search_kind::dfs, chk::search_kind::dpor}) {
      auto in = e.make();
      chk::options o = e.base;
      o.search = kind;
      o.collect_trace = false;
      chk::result r = chk::explore(in->p, o);
      bool good = r.v == e.expected && (!e.expected_kind || (r.fail && r.fail->kind == *e.expected_kind));
      if (kind == chk::search_kind::dfs) {
        row.dfs_verdict = answer(r);
        row.dfs_executions = r.st.executions;
        row.dfs_seconds = r.st.seconds;
        if (e.dfs_executions) good &= r.st.executions == *e.dfs_executions;
      } else {
        row.dpor_verdict = answer(r);
        row.dpor_executions = r.st.executions;
        row.dpor_seconds = r.st.seconds;
        if (e.dpor_executions) good &= r.st.executions == *e.dpor_executions;
      }
      ok &= good;
    }
    row.matches = ok;
    if (progress) std::fprintf(stderr, "litmus %-38s %s\n", e.name.c_str(), ok ? "as known" : "DIFFERS");
    rows.push_back(std::move(row));
  }
  return rows;
}

void print_litmus_table(std::ostream& out, const std::vector<litmus_row>& rows) {
  out << std::left << std::setw(36) << "litmus test" << std::setw(32) << "known answer" << std::setw(32) << "dfs"
      << std::setw(10) << "dfs execs" << std::setw(32) << "dpor" << std::setw(12) << "dpor execs"
      << "agrees\n";
  std::size_t good = 0;
  for (const auto& r : rows) {
    out << std::setw(36) << r.name << std::setw(32) << r.expected << std::setw(32) << r.dfs_verdict << std::setw(10)
        << r.dfs_executions << std::setw(32) << r.dpor_verdict << std::setw(10) << r.dpor_executions
        << (r.matches ? "yes" : "NO") << "\n";
    good += r.matches;
  }
  out << good << " of " << rows.size() << " litmus tests give their known answer under both searches"
      << " (exhaustive: every interleaving, or one per equivalence class for dpor; bounds per test: step bound "
         "20000 unless stated, timeouts off unless stated)\n";
}

nlohmann::json litmus_json(const std::vector<litmus_row>& rows) {
  nlohmann::json j = nlohmann::json::array();
  for (const auto& r : rows)
    j.push_back(
        {{"name", r.name},
         {"claim", r.claim},
         {"expected", r.expected},
         {"dfs", {{"verdict", r.dfs_verdict}, {"executions", r.dfs_executions}, {"seconds", r.dfs_seconds}}},
         {"dpor", {{"verdict", r.dpor_verdict}, {"executions", r.dpor_executions}, {"seconds", r.dpor_seconds}}},
         {"matches", r.matches}});
  return j;
}

}  // namespace iowq::tools
