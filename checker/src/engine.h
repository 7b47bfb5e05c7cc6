// The execution engine: runs one execution of the program under test with its threads as fibers,
// asks the search strategy (search/strategy.h) for a choice at every visible operation, and keeps
// the C++ happens-before of synchronising operations (release/acquire, locks, spawn/join,
// unpark/park), against which plain<T> accesses are race-checked (FastTrack-style epochs). The
// dependence order of visible operations, from which DPOR finds reversible races, is DPOR's
// (search/dpor.cpp).
//
// Plain accesses are not scheduling points. That is sound for reporting: the first data race of any
// execution happens in a prefix whose plain accesses are ordered by synchronisation, so exploring
// every order of the synchronising operations reaches it, and the vector clocks report it whatever
// order the two racing accesses ran in (the DRF-SC argument used by CHESS and loom).
//
// Private to the checker: programs under test see only chk/runtime.h.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_set>
#include <vector>

#include "chk/fiber.h"
#include "chk/objects.h"
#include "chk/result.h"
#include "chk/runtime.h"
#include "chk/srcloc.h"
#include "chk/vclock.h"
#include "search/strategy.h"

namespace chk {

struct read_set {
  thread_mask readers = 0;
  std::uint32_t clock[max_threads];
  srcloc loc[max_threads];
};

class engine final : public runtime {
 public:
  engine(const program& prog, const options& opt);
  ~engine() override;

  result run();
  // Record every step of the executions (used to replay a single schedule).
  void enable_tracing() { tracing_ = true; }

  // ---- the runtime interface (chk/runtime.h) ----------------------------------------------------
  void begin(step_desc& d) override;
  void end() override;
  void hb_acquire(const object& o) override;
  void hb_release(object& o) override;
  void hb_release_join(object& o) override;
  void hb_relaxed_store(object& o) override;
  void hb_relaxed_load(const object& o) override;
  void hb_fence(bool acquire, bool release) override;
  void plain_access(plain_meta& m, bool write, const srcloc& loc, const void* addr, value_formatter fmt,
                    const void* value) override {
    // Fast path: a field already seen in this execution, nothing freed, not tracing, no race, and
    // the reads since the last write still one ordered epoch.
    if (m.epoch == epoch_ && freed_.empty() && !tracing_) {
      const int t = cur_;
      thread_rec& r = th_[t];
      if (!(m.w_thread >= 0 && m.w_thread != t && m.w_clock > r.hb[m.w_thread])) {
        if (!write) {
          if (m.r_thread == -1 || m.r_thread == t || (m.r_thread >= 0 && m.r_clock <= r.hb[m.r_thread])) {
            m.r_thread = static_cast<std::int8_t>(t);
            m.r_clock = r.hb[t];
            m.r_loc = loc.line() ? loc : r.last_loc;
            return;
          }
        } else if (m.r_thread == -1 || m.r_thread == t) {
          m.w_thread = static_cast<std::int8_t>(t);
          m.w_clock = r.hb[t];
          m.w_loc = loc.line() ? loc : r.last_loc;
          m.r_thread = -1;
          return;
        }
      }
    }
    plain_access_slow(m, write, loc, addr, fmt, value);
  }
  int spawn(std::function<void()> body, const char* name, bool daemon, const srcloc& loc) override;
  void join(int thread, const srcloc& loc) override;
  void set_daemon(bool d) override;
  bool park(bool timed, const srcloc& loc, const char* label) override;
  bool unpark(int thread, const srcloc& loc, const char* label) override;
  int choose(int n, const srcloc& loc, const char* label) override;
  void await(bool (*pred)(void*), void* ctx, object* const* watched, int n, const srcloc& loc,
             const char* label) override;
  std::uint64_t peek_load(object& o) override;
  void rcu_read_lock() override;
  void rcu_read_unlock() override;
  void free_now(const void* p, std::size_t n, const srcloc& loc, const char* label) override;
  void free_after_grace_period(const void* p, std::size_t n, const srcloc& loc, const char* label) override;
  void at_execution_end(std::function<void()> f) override { cleanups_.push_back(std::move(f)); }
  [[noreturn]] void fail(failure_kind k, std::string msg, const srcloc& loc, std::string property = {}) override;
  [[noreturn]] void exit_thread() override {
    // finish_thread switches away for good (a failure it reports unwinds this thread as usual).
    finish_thread();
    __builtin_unreachable();
  }
  void note(std::string text) override;

  // ---- for the checker's own instrumented types (objects.cpp, shadow.cpp) ----------------------
  void plain_access_slow(plain_meta& m, bool write, const srcloc& loc, const void* addr, value_formatter fmt,
                         const void* value);
  // Locks bookkeeping used by the lock objects (misuse detection).
  void note_spinlock(int delta) { th_[cur_].spinlocks += delta; }
  std::uint32_t epoch() const { return epoch_; }
  // A marked access (READ_ONCE/WRITE_ONCE, an atomic) to memory whose plain accesses are tracked in
  // `plain`: it races with a plain access that is not ordered with it and of which one side
  // writes (KCSAN's rule); marked accesses never race with each other (chk/shadow.h).
  void marked_access(plain_meta& plain, marked_meta& marked, bool write, const srcloc& loc);
  // A plain access to memory that marked accesses also reach: plain_access plus the check against
  // the marked accesses.
  void plain_access_beside_marked(plain_meta& plain, const marked_meta& marked, bool write, const srcloc& loc,
                                  const void* addr);
  // Reports a data race on m between this thread's access and another's; kind is "", "plain " or
  // "marked ".
  struct race_side {
    const char* kind;
    bool write;
    int thread;
    const srcloc& loc;
  };
  [[noreturn]] void race_on(const plain_meta& m, const race_side& mine, const race_side& theirs);
  void touch(object& o) {
    if (o.epoch != epoch_) init_object(o);
  }
  void touch(plain_meta& m) {
    if (m.epoch != epoch_) init_plain(m);
  }

 private:
  // The search strategies read the execution's state and the path.
  friend class strategy;
  friend class sampling_search;
  friend class dfs_search;
  friend class dpor_search;
  friend class random_search;
  friend class pct_search;
  friend class replay_search;

  enum class phase { idle, setup, run, end, unwind };
  void set_phase(phase p) {
    phase_ = p;
    in_thread_ = p == phase::run;
  }

  struct thread_rec {
    context ctx = nullptr;
    bool started = false, finished = false, daemon = false, eager = false;
    int parent = -1;
    std::function<void()> body;
    int initial = -1;  // initial thread i runs prog_.thread(i) (no std::function per execution)
    const char* name = "";
    step_desc* pending = nullptr;
    std::int32_t scheduled_at = -1;  // choice index that scheduled the current step
    vclock hb, acq_pending, rel_fence;
    vclock dclock;  // dependence clock (DPOR)
    std::uint32_t nevents = 0;
    int last_event = -1;
    int spinlocks = 0;
    int rcu_depth = 0;
    object permit{"permit"};
    object handle{"thread"};  // value 1 once finished
    srcloc last_loc;
    std::uint64_t history = 0;  // options::count_outcomes: what the thread observed, hashed
    // options::count_outcomes: the addresses this thread (and its parent before it spawned it) read,
    // in the order it first read them.
    std::vector<std::uint64_t> addresses;
  };

  // The path: choices, their replay, and sharding.
  int pick();
  int decide(thread_mask enabled);
  int decide_value(int n);
  bool next_prefix();
  std::uint32_t fingerprint(const step_desc& d) const;
  bool shard_owns_prefix() const;
  std::uint8_t preemptions_before(std::size_t i) const;
  bool enabled(int t);
  bool enabled_fast(int t) {
    const step_desc& d = *th_[t].pending;
    if (d.kind != step_kind::normal) return enabled(t);
    for (int i = 0; i < d.n; ++i)
      if (!d.a[i].allows(d.a[i].obj->value)) return false;
    return true;
  }

  // Execution.
  void run_execution();
  void reset_execution();
  int new_thread(std::function<void()> body, const char* name, bool daemon, int parent);
  void start_thread(int t);
  static void thread_entry(void* arg);
  void switch_to(int next);
  void back_to_main();
  void finish_thread();
  void unwind_threads();
  void init_object(object& o);
  void init_plain(plain_meta& m);
  void check_freed(const void* addr, const char* what, const srcloc& loc);
  void effective_free(const char* b, const char* e, const srcloc& loc, const vclock& clock);
  // Non-preemptible RCU: the current thread reaches a sleep point or its exit (options::rcu).
  void rcu_quiescent(const srcloc& loc);
  // Takes the current thread out of every pending grace period, freeing what no longer waits.
  void rcu_leave_grace_periods();
  void dump_execution() const;

  // Tracing and failures.
  void trace_step_end();
  std::string show_value(const object& o, std::uint64_t v);
  std::vector<std::uint64_t> shown_addresses_;
  std::string object_name(const char* name, std::int32_t instance) const;
  void record_failure(failure_kind k, std::string msg, int thread, const srcloc* loc, std::string property);
  std::string bounds_text() const;

  const program& prog_;
  options opt_;
  std::unique_ptr<strategy> strat_;
  bool debug_ = false;
  // Fiber stacks are shared by the engines of one OS thread (they never run at the same time), so
  // that a short search does not pay for mapping stacks.
  static fiber_stacks& stacks();
  phase phase_ = phase::idle;
  context main_ctx_ = nullptr;
  thread_rec th_[max_threads];
  int nthreads_ = 0;

  std::vector<choice> stack_;
  std::size_t pos_ = 0;         // next choice index in this execution
  std::size_t replay_end_ = 0;  // choices [0, replay_end_) are forced; the last is the branch
  bool pruned_ = false;
  bool foreign_ = false;  // belongs to another shard
  // Branching choices (more than one alternative) made so far in this execution, and whether
  // this execution's shard ownership has been decided (at the first choice below the split).
  int branching_ = 0;
  bool owner_checked_ = false;
  bool tracing_ = false;
  int steps_ = 0;
  object timeout_budget_{"timeout-budget"};
  std::uint32_t epoch_ = 0;
  std::uint32_t next_object_id_ = 0;
  const step_desc* peek_allowed_ = nullptr;
  object* peek_stray_ = nullptr;

  struct freed_region {
    const char* begin;
    const char* end;
    srcloc loc;
  };
  std::vector<freed_region> freed_;
  struct rcu_pending {
    const char* begin;
    const char* end;
    srcloc loc;
    thread_mask waiting;
    // Of the kfree_rcu call; non-preemptible: also rcu_done_ then, and each waited-for thread's
    // clock when it leaves (what this grace period orders before the free).
    vclock clock;
  };
  std::vector<rcu_pending> rcu_pending_;
  // Joined at every outermost rcu_read_unlock (and, non-preemptible, at every quiescent state):
  // what a grace period waits for.
  vclock rcu_done_;
  std::vector<plain_meta*> plains_;  // plain fields touched in this execution
  std::vector<read_set> read_sets_;  // concurrent reads of plain fields in this execution
  std::vector<std::function<void()>> cleanups_;

  std::optional<failure> failure_;
  std::vector<trace_step> trace_;

  std::uint64_t execs_ = 0;
  stats st_;

  // options::count_outcomes (measurement): every step adds what its thread observed to the
  // thread's history; an execution's outcome is its threads' histories.
  void note_history();
  void count_outcome();
  std::unordered_set<std::uint64_t> outcomes_seen_;
};

// The engine running on this OS thread (the checker's own files; programs use chk/runtime.h).
inline engine* current_engine() { return static_cast<engine*>(current_runtime); }
// ... when a thread of the execution runs an operation (not in setup, end checks or predicates).
inline engine* running_engine() {
  engine* e = current_engine();
  return e && e->in_thread() && !e->peeking() ? e : nullptr;
}

}  // namespace chk
