// The judgement both differential tests make of one generated program (checker/dpor_vs_dfs_test.cpp
// and iowq/facade_diff_test.cpp): exhaustive DFS and DPOR both verify it, reach the same outcomes
// (each test's own record of what the threads observed) and the same count of the checker's
// outcomes, and DPOR's complete executions are no more than DFS's. DIFF_DEBUG prints the figures
// and the outcomes one search reached and the other did not.
#pragma once

#include <catch2/catch.hpp>
#include <cstdio>
#include <cstdlib>
#include <set>
#include <string>

#include "chk/api.h"

namespace difftest {

inline void judge(std::uint64_t seed, const std::string& text, const chk::result& rd, const chk::result& rp,
                  const std::set<std::string>& dfs_outcomes, const std::set<std::string>& dpor_outcomes) {
  const bool debug = std::getenv("DIFF_DEBUG") != nullptr;
  if (debug)
    std::fprintf(stderr, "seed %llu: dfs %llu dpor %llu (%.3fs %.3fs) %s\n", (unsigned long long)seed,
                 (unsigned long long)rd.st.executions, (unsigned long long)rp.st.executions, rd.st.seconds,
                 rp.st.seconds, text.c_str());
  INFO(rd.summary());
  INFO(rp.summary());
  REQUIRE(rd.v == chk::verdict::verified);
  REQUIRE(rp.v == chk::verdict::verified);
  CHECK(dpor_outcomes == dfs_outcomes);
  // The checker's own outcome count (what every thread observed) agrees too.
  CHECK(rp.st.distinct_outcomes == rd.st.distinct_outcomes);
  CHECK(rd.st.distinct_outcomes >= 1);
  CHECK(rp.st.executions - rp.st.pruned <= rd.st.executions);
  if (debug && dpor_outcomes != dfs_outcomes) {
    for (auto& x : dfs_outcomes)
      if (!dpor_outcomes.count(x)) std::fprintf(stderr, "  missing in dpor: %s\n", x.c_str());
    for (auto& x : dpor_outcomes)
      if (!dfs_outcomes.count(x)) std::fprintf(stderr, "  extra in dpor: %s\n", x.c_str());
  }
}

}  // namespace difftest
