// The search strategies behind one interface (one file each: dfs.cpp for DFS and preemption-bounded
// DFS, dpor.cpp, random.cpp, pct.cpp, replay.cpp).
//
// The engine owns the path of the current execution (its choice stack) and replays the prefix the
// search asked for; at every choice past that prefix it asks the strategy which thread (or value)
// to take, and after every execution it asks the strategy for the next prefix. A strategy sees
// the engine's state (it is the engine's friend) but changes only the choices it makes and its
// own bookkeeping.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "chk/result.h"
#include "chk/vclock.h"

namespace chk {

class engine;
struct object;

enum class choice_kind : std::uint8_t { thread, value };

// One choice of the path: which thread ran a step (or which value a choose() took), with what the
// search needs to backtrack there.
struct choice {
  choice_kind kind = choice_kind::thread;
  std::int8_t chosen = -1;
  std::uint8_t nvalues = 0;      // value choices
  std::int8_t prev = -1;         // thread that ran the step before (preemption bounding)
  std::uint8_t preemptions = 0;  // preemptions before this choice
  thread_mask enabled = 0;
  thread_mask done = 0;           // alternatives already explored (or being explored)
  thread_mask backtrack = 0;      // DPOR: alternatives that must be explored
  thread_mask sleep = 0;          // DPOR: sleep set on arrival
  std::uint32_t fingerprint = 0;  // kind and object of the chosen step, to detect nondeterminism
  // Above the split: fewer than split_depth branching choices (more than one alternative) come
  // before this one, so every alternative is explored here (and shards divide the tree below).
  bool above_split = false;
};

class strategy {
 public:
  // pick_thread / pick_value results other than a choice.
  static constexpr int prune = -1;     // the execution is redundant: cut it short (not a failure)
  static constexpr int diverged = -2;  // the strategy recorded a failure (a replay that diverged)

  explicit strategy(engine& e) : e_(e) {}
  virtual ~strategy() = default;
  strategy(const strategy&) = delete;
  strategy& operator=(const strategy&) = delete;

  // What a verdict of this search covers ("dfs: all interleavings", "random: 1000 executions, ...").
  virtual std::string bounds() const = 0;
  // Executions are independent samples: a search without failure ends "no violation found".
  virtual bool sampling() const { return false; }

  // A thread choice past the replayed prefix at path index i: c.enabled, c.prev, c.preemptions and
  // c.above_split are filled; returns one of c.enabled (and fills the strategy's fields of c), or
  // prune / diverged.
  virtual int pick_thread(choice& c, std::size_t i) = 0;
  // A value choice past the replayed prefix (c.nvalues values): the value, or diverged.
  virtual int pick_value(choice& c, std::size_t i);
  // The new thread choice c was pushed on the path / the last replayed choice (the branch the
  // search asked for) was taken.
  virtual void chose(const choice& c) { (void)c; }
  virtual void branched(const choice& c) { (void)c; }
  // After an execution: prepares the path for the next one; false when the search is over.
  virtual bool next();
  // The threads still to explore at thread choice c when an exhaustive search backtracks.
  virtual thread_mask alternatives(const choice& c) const { return c.enabled & ~c.done; }

  // Execution hooks, for strategies that look at the executions themselves (PCT, DPOR).
  virtual void execution_starts() {}
  virtual void thread_created(int t) { (void)t; }
  virtual void execution_ended(int steps) { (void)steps; }
  virtual void step_ended() {}  // after every visible step
  virtual void memory_freed(const char* begin, const char* end) { (void)begin, (void)end; }
  virtual void threads_stopped() {}  // the execution ran to its end (or deadlock): before the end check
  // A load inside an await predicate evaluated in a hypothetical state (DPOR): true and its value.
  virtual bool hypothetical_value(const object& o, std::uint64_t& v) {
    (void)o, (void)v;
    return false;
  }
  virtual void dump() const {}  // CHK_DEBUG

 protected:
  engine& e_;
};

// A sampling search: `iterations` independent executions, each from an empty path.
class sampling_search : public strategy {
 public:
  sampling_search(engine& e, std::uint64_t iterations) : strategy(e), iterations_(iterations) {}
  bool sampling() const override { return true; }
  bool next() override;

 protected:
  std::uint64_t iterations_;
};

// The strategy options `o` ask for (a replay when o.schedule is set).
std::unique_ptr<strategy> make_strategy(engine& e, const options& o);

// Factories, one per file.
std::unique_ptr<strategy> make_dfs(engine& e, const options& o);  // dfs and bounded
std::unique_ptr<strategy> make_dpor(engine& e, const options& o);
std::unique_ptr<strategy> make_random(engine& e, const options& o);
std::unique_ptr<strategy> make_pct(engine& e, const options& o);
std::unique_ptr<strategy> make_replay(engine& e, const options& o);

}  // namespace chk
