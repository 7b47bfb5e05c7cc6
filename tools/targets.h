// What iowq-verify checks: targets (a scenario under a variant, or a mutant in its scenario), picked
// from the command line's names, and the search each target runs.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "chk/result.h"
#include "scenario.h"

namespace iowq::tools {

// A search divided by schedule prefix (--shard, or --jobs with fewer targets than jobs) is split at
// this depth: every choice above it is branched with no reduction, DPOR below, so the subtrees are
// independent and the shards add up to exactly the split search. The split costs executions (11x on
// idle-then-eoi, bench/README.md), so a search that is not divided runs plain DPOR: the same verdicts,
// fewer executions.
inline constexpr int split_depth = 4;

// One checkable unit: a scenario under a variant (every property), or a mutant in its scenario.
struct target {
  const scn::scenario* s = nullptr;
  config cfg;
  std::string mutant;    // empty for scenario targets
  std::string property;  // the mutant's property
};

// "scenario/S/V" or "mutant/M@S/V": the target's key in the rows.
std::string target_key(const target& t);
// "S under V" or "mutant M in S under V", for the progress line.
std::string target_label(const target& t);

// The search options of the command line.
struct search_request {
  bool quick = false;
  std::string search;  // empty: the scenario's own
  std::string rcu;     // --rcu: preemptible | non-preemptible; empty: the scenario's own
  std::uint64_t seed = 1;
  std::uint64_t max_executions = 0;
  double time_limit = 0;
  int shard_index = 0, shard_count = 1;
};

// The search of a target, without its shard (--search as chk::parse_search reads it). Throws
// usage_error for a bad --search or --rcu.
chk::options options_for(const target& t, const search_request& sp);

// --shard I/N; throws usage_error unless 0 <= I < N <= 1024.
std::pair<int, int> parse_shard(const std::string& s);

// The names on the command line.
struct selection {
  std::vector<std::string> scenarios, variants;  // empty: all
  std::string mutant;                            // run this mutant instead
  std::string kernel_src;                        // a real kernel tree to check, as one more variant
  std::vector<std::string> kernel_patches;       // applied to kernel_src first
  bool with_mutants = false;                     // also the mutants killed within the selection (report)
};

// The targets named, scenarios before variants; throws usage_error for an unknown name.
std::vector<target> select_targets(const selection& sel);

}  // namespace iowq::tools
