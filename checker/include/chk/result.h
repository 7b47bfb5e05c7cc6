// What a run of the checker asks for (options) and what it answers (result), with the bounds that
// every verdict carries.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "chk/trace.h"

namespace chk {

enum class search_kind {
  dfs,      // every interleaving of visible operations
  dpor,     // source-set DPOR with sleep sets: one interleaving per Mazurkiewicz trace
  bounded,  // DFS restricted to schedules with at most `preemption_bound` preemptions
  random,   // `iterations` executions, uniformly random choices, from `seed`
  pct,      // `iterations` executions of PCT with depth `pct_depth`, from `seed`
};

const char* to_string(search_kind k);
// dfs, dpor and bounded cover a whole (bounded) space and can verify; random and pct sample it.
bool exhaustive(search_kind k);

// The RCU implementation whose grace periods free_object_rcu (kfree_rcu) waits for.
enum class rcu_flavour : std::uint8_t {
  preemptible,      // CONFIG_PREEMPT_RCU: readers are the explicit rcu_read_lock sections only
  non_preemptible,  // !CONFIG_PREEMPT_RCU: every stretch of a thread between two sleeps is a reader
};

const char* to_string(rcu_flavour f);  // "preemptible" / "non-preemptible"
// Exactly the spellings of to_string; nullopt for anything else.
std::optional<rcu_flavour> parse_rcu_flavour(std::string_view text);

struct options {
  search_kind search = search_kind::dpor;
  int preemption_bound = 2;
  std::uint64_t seed = 1;
  std::uint64_t iterations = 1000;  // random and pct
  int pct_depth = 3;

  // Budgets. 0 means none. When one runs out before the search finished, the verdict is
  // inconclusive rather than verified.
  std::uint64_t max_executions = 0;
  double time_limit_seconds = 0;

  // Livelock bound: an execution longer than this many visible steps is reported as a livelock.
  // At most max_step_bound (explore() refuses more): vector clock entries count a thread's steps
  // and its release operations, a few per step, and must stay below 2^31 (vclock::join).
  int max_steps = 20000;
  static constexpr int max_step_bound = 1 << 24;

  // Timeouts of timed parks are environment choices: off means a timed park waits like an untimed
  // one; on means it may also time out, at most max_timeouts times in one execution.
  bool timeouts = false;
  int max_timeouts = 1;

  // What a grace period waits for. preemptible: the memory is freed once every thread inside an
  // explicit rcu_read_lock() section at the time of the call has left it (a thread outside one may
  // lose the object at any step). non_preemptible: no grace period ends while a thread is in a
  // non-sleeping stretch, so it also waits for every started, unfinished thread that is not at a
  // sleep point (a step that may block: park, await, join, mutex) and for the caller; each leaves
  // at its next such step or at its exit, through a step "rcu quiescent state (schedule)" of its
  // own, which is where a grace period can end. rcu_read_unlock() ends nothing there.
  rcu_flavour rcu = rcu_flavour::preemptible;

  // Unwind the stacks of threads still alive at the end of an execution (runs their destructors).
  bool unwind = true;

  // Called about every progress_interval seconds during long searches.
  std::function<void(const struct progress&)> on_progress;
  double progress_interval = 1.0;

  // Replay: a fixed schedule instead of a search (see replay.h).
  std::optional<std::vector<std::int32_t>> schedule;
  // Collect the full trace of failing executions (re-runs the failing schedule once).
  bool collect_trace = true;

  // DPOR hybrid: every alternative of the choices down to the `split_depth`-th branching choice
  // (one with more than one alternative) is explored, with no reduction there; DPOR below.
  // Sharding needs it: the subtrees below the split are independent.
  int split_depth = 0;
  // Sharding of exhaustive searches by schedule prefix: run part `shard_index` of `shard_count`
  // (the prefixes that end at the split, split_depth 6 when not given, are divided among the
  // shards by a hash; an execution that ends above the split belongs to the hash of its schedule).
  int shard_index = 0;
  int shard_count = 1;

  // Measurement only (bench/dpor_table): count the distinct outcomes of the complete executions
  // (stats::distinct_outcomes, and their hashes in result::outcomes). Changes nothing in the search.
  bool count_outcomes = false;

  // DPOR: a free at the end of a grace period races with its kfree_rcu call and with the accesses
  // to the freed memory not ordered before that call (it cannot precede those). false: it races
  // with every unordered access to the freed memory, the rule before 2026-12-04, kept so that the
  // two can be compared (tests and bench/dpor_table --free-races-all).
  bool dpor_frees_after_call = true;
};

// --search as the command line spells it: dfs | dpor | bounded:K | random:N | pct:D (pct runs 10000
// executions). Sets the search of `o` and its parameter; false, `o` unchanged, for anything else.
bool parse_search(std::string_view text, options& o);
// The search of `o` as --search spells it.
std::string search_spec(const options& o);
// Why `max_steps` is no step bound explore() takes (outside 1..options::max_step_bound), or empty.
std::string step_bound_error(int max_steps);

struct progress {
  std::uint64_t executions;
  std::uint64_t pruned;
  double elapsed_seconds;
};

enum class failure_kind {
  assertion,           // chk::check / kernel WARN in a thread
  end_check,           // the test's end-of-execution check
  deadlock,            // every live non-daemon thread blocked
  data_race,           // unordered conflicting accesses to a plain<T>
  lock_misuse,         // double lock, unlock by non-owner, exit holding a lock
  blocking_in_atomic,  // sleeping while holding a spinlock or inside an RCU read section
  use_after_free,      // access to an object freed by chk::free_object / after its RCU grace period
  livelock,            // step bound exceeded
  uncaught_exception,
  nondeterminism,  // the program did not replay the same choices for the same schedule
  too_many_threads,
};

const char* to_string(failure_kind k);

struct failure {
  failure_kind kind = failure_kind::assertion;
  std::string property;  // which property it breaks ("accounting", "lost-wakeup", ...), if given
  std::string message;
  int thread = -1;
  std::string location;                // file:line of the failing operation, if known
  std::vector<std::int32_t> schedule;  // replays the failing execution
  std::vector<trace_step> trace;       // the failing execution, step by step
  std::uint64_t execution = 0;         // which execution of the search found it (1-based)
};

enum class verdict {
  verified,            // the search covered every execution within the stated bounds, none failed
  violated,            // a failing execution was found
  inconclusive,        // a budget (executions or time) ran out before the search finished
  no_violation_found,  // a sampling search (random, pct) finished without failure (not a proof)
};

const char* to_string(verdict v);

struct stats {
  std::uint64_t executions = 0;  // complete executions run (including failing and pruned ones)
  std::uint64_t pruned = 0;      // executions cut short as redundant (sleep-set blocked)
  std::uint64_t steps = 0;       // visible steps over all executions
  int max_depth = 0;             // most visible steps in one execution
  int max_threads_seen = 0;
  // options::count_outcomes: distinct outcomes among the complete (not pruned) executions. An
  // outcome is what every thread was given back, in its own order: the kind and label of each of its
  // steps, the values its loads and read-modify-writes read (addresses by order of appearance),
  // whether each park was woken or timed out, its choices. Plain accesses are not counted. A search
  // that explores every distinct outcome (DPOR does, tested against DFS) needs at least this many
  // executions; the ratio of executions to outcomes bounds what any coarser equivalence could save.
  std::uint64_t distinct_outcomes = 0;
  double seconds = 0;
  bool complete = false;  // the search space was exhausted
};

struct result {
  verdict v = verdict::verified;
  std::optional<failure> fail;
  stats st;
  std::string test_name;
  std::string bounds;  // human-readable bounds of the search, always printed with the verdict
  // options::count_outcomes: the hash of every distinct outcome, sorted (comparable between
  // searches of one program in one process).
  std::vector<std::uint64_t> outcomes;
  std::string summary() const;
};

}  // namespace chk
