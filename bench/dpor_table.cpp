// Issue 14's first measurement: how far each scenario's exhaustive search is from finishing. For
// every scenario under each variant given (default: baseline, v1, merged, upstream, upstream-fixed)
// it runs the full search, DPOR with no preemption bound, within a time limit per cell, and prints
// one Markdown row: executions, whether the search space was exhausted, seconds, and the verdict
// (a violation ends a search early: those rows count executions to the first counterexample).
//
// With --max-executions N each search stops after N executions, and --plain leaves the outcomes
// uncounted (for instruction counts per execution under callgrind: bench/run_bench.sh).
// --free-races-all searches with the DPOR free rule before 2026-12-04 (a free at the end of a grace
// period racing with every unordered access to the freed memory), for before/after figures.
//
//   dpor_table [--time-limit SECONDS] [--max-executions N] [--plain] [--free-races-all] [--variant V]...
//              [--scenario S]...
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "scenario.h"

int main(int argc, char** argv) {
  using namespace iowq;
  double limit = 20;
  unsigned long long max_executions = 0;
  bool plain = false;
  bool free_races_all = false;  // chk::options::dpor_frees_after_call off: the earlier rule
  std::vector<variant> vs;
  std::vector<const scn::scenario*> ss;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--plain") {
      plain = true;
      continue;
    }
    if (a == "--free-races-all") {
      free_races_all = true;
      continue;
    }
    if (i + 1 >= argc) {
      std::fprintf(stderr, "dpor_table: %s needs a value\n", a.c_str());
      return 2;
    }
    const std::string val = argv[++i];
    if (a == "--time-limit") {
      limit = std::atof(val.c_str());
    } else if (a == "--max-executions") {
      max_executions = std::strtoull(val.c_str(), nullptr, 10);
    } else if (a == "--variant") {
      auto v = variant_by_name(val);
      if (!v) {
        std::fprintf(stderr, "dpor_table: unknown variant %s\n", val.c_str());
        return 2;
      }
      vs.push_back(*v);
    } else if (a == "--scenario") {
      const scn::scenario* s = scn::find(val);
      if (!s) {
        std::fprintf(stderr, "dpor_table: unknown scenario %s\n", val.c_str());
        return 2;
      }
      ss.push_back(s);
    } else {
      std::fprintf(
          stderr,
          "usage: dpor_table [--time-limit SECONDS] [--max-executions N] [--plain] [--free-races-all] [--variant V]... "
          "[--scenario S]...\n");
      return 2;
    }
  }
  if (vs.empty()) vs = {variant::baseline, variant::v1, variant::merged, variant::upstream, variant::upstream_fixed};
  if (ss.empty())
    for (const auto& s : scn::all()) ss.push_back(&s);

  std::printf(
      "| scenario | variant | DPOR executions | pruned | outcomes | exhausted | seconds | verdict "
      "|\n|---|---|---:|---:|---:|---|---:|---|\n");
  for (const auto* s : ss)
    for (variant v : vs) {
      chk::options o = scn::options_for(*s, false);
      o.search = chk::search_kind::dpor;
      o.preemption_bound = -1;
      o.time_limit_seconds = limit;
      o.max_executions = max_executions;
      o.count_outcomes = !plain;
      o.dpor_frees_after_call = !free_races_all;
      config c;
      c.v = v;
      chk::result r = scn::check(*s, c, o);
      std::printf("| %s | %s | %llu | %llu | %llu | %s | %.1f | %s%s%s |\n", s->name.c_str(), to_string(v),
                  static_cast<unsigned long long>(r.st.executions), static_cast<unsigned long long>(r.st.pruned),
                  static_cast<unsigned long long>(r.st.distinct_outcomes), r.st.complete ? "yes" : "no", r.st.seconds,
                  chk::to_string(r.v), r.fail ? ": " : "", r.fail ? r.fail->property.c_str() : "");
      std::fflush(stdout);
    }
  return 0;
}
