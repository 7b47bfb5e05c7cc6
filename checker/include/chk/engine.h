// The execution engine: runs one execution of the program under test with its threads as fibers,
// asks the search for a choice at every visible operation, and keeps the two happens-before
// relations the checker needs:
//  - the C++ happens-before of synchronising operations (release/acquire, locks, spawn/join,
//    unpark/park), against which plain<T> accesses are race-checked (FastTrack-style epochs);
//  - the dependence order of visible operations, from which DPOR finds reversible races.
//
// Plain accesses are not scheduling points. That is sound for reporting: the first data race of any
// execution happens in a prefix whose plain accesses are ordered by synchronisation, so exploring
// every order of the synchronising operations reaches it, and the vector clocks report it whatever
// order the two racing accesses ran in (the DRF-SC argument used by CHESS and loom).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "chk/fiber.h"
#include "chk/result.h"
#include "chk/srcloc.h"
#include "chk/vclock.h"

namespace chk {

// How a visible operation touches an object, for the dependence relation.
enum class acc : std::uint8_t { read, write, rmw };

// The value predicate of a blocking access: the thread may perform it only when pred(value) holds.
using value_pred = bool (*)(std::uint64_t value, const void* ctx);

// Every object that visible operations act on: atomics, locks, park permits, thread handles.
struct object {
  std::uint32_t epoch = 0;  // execution in which the metadata below was last initialised
  std::uint32_t id = 0;     // creation order within that execution
  const char* name = "object";
  std::int32_t instance = -1;  // printed as name#instance when >= 0
  std::uint64_t value = 0;     // current value (atomics hold their value here)
  bool pointer = false;        // value is an address: traces show it by order of appearance
  // The memory this object stands for, when it is a shadow kept elsewhere (chk/shadow.h: words of
  // instrumented C memory): frees of that memory conflict with it, and touching it after its
  // free is a use after free. nullptr: the object itself.
  const void* home = nullptr;

  // Dependence bookkeeping for DPOR (indices into the execution's event list).
  std::int32_t last_write = -1;
  std::int32_t last_access = -1;
  thread_mask readers = 0;  // threads with a read since last_write
  std::int32_t reads[max_threads];

  // Release clock for the C++ happens-before (release sequences, lock release, unpark).
  vclock sync;

  object() { sync.clear(); }
  explicit object(const char* n, std::int32_t inst = -1) : name(n), instance(inst) { sync.clear(); }
  object(const object&) = delete;
  object& operator=(const object&) = delete;
};

// Metadata of a plain (non-atomic) shared field, FastTrack style: the last write as an epoch, the
// reads since as one epoch while they are ordered, or a read set (engine-owned) once two are not.
struct plain_meta {
  std::uint32_t epoch = 0;
  const char* name = "plain";
  const void* home = nullptr;  // the memory it describes when it is a shadow (as object::home)
  std::int32_t instance = -1;
  std::int8_t w_thread = -1;
  std::int8_t r_thread = -1;  // the reader since the last write; -1 none; -2 several (read set r_clock)
  std::uint32_t w_clock = 0;
  std::uint32_t r_clock = 0;
  srcloc w_loc;
  srcloc r_loc;
};

// The marked accesses of one raw memory location since the execution began (chk/shadow.h).
struct marked_meta {
  std::uint32_t epoch = 0;
  std::int8_t w_thread = -1;
  std::uint32_t w_clock = 0;
  srcloc w_loc;
  thread_mask readers = 0;
  std::uint32_t r_clock[max_threads];
  srcloc r_loc[max_threads];
};

struct read_set {
  thread_mask readers = 0;
  std::uint32_t clock[max_threads];
  srcloc loc[max_threads];
};

inline constexpr int max_accesses = 4;

// The condition a blocking access waits for, on the object's value.
enum class until : std::uint8_t { none, zero, one, positive, custom };

// Left uninitialised on purpose: a step fills only its first n accesses (this is the hot path).
struct access {
  object* obj;
  acc type;
  until u;            // blocking: enabled only when the object's value allows it
  value_pred custom;  // until::custom
  const void* ctx;
  bool blocks() const { return u != until::none; }
  bool allows(std::uint64_t v) const {
    switch (u) {
      case until::none:
        return true;
      case until::zero:
        return v == 0;
      case until::one:
        return v == 1;
      case until::positive:
        return v > 0;
      case until::custom:
        return custom(v, ctx);
    }
    return true;
  }
};

enum class step_kind : std::uint8_t {
  normal,      // loads, stores, RMWs, lock operations, unpark, ...
  park,        // consumes the thread's permit, or times out (when allowed)
  spawn,       // creates a thread
  finish,      // thread exit (joiners wait for it)
  choose,      // a nondeterministic value choice made by the thread
  user_await,  // blocks until a user predicate over atomics holds
};

// What a thread is about to do at a scheduling point.
struct step_desc {
  step_kind kind = step_kind::normal;
  std::uint8_t n = 0;
  bool may_block = false;  // sleeping operation (not allowed under a spinlock or RCU)
  bool timed = false;      // park: may time out
  access a[max_accesses];
  const char* label = "";
  srcloc loc;
  bool (*user_pred)(void* ctx) = nullptr;  // user_await
  void* user_ctx = nullptr;
  // A step that frees memory: dependent with every access to an object inside it.
  const char* free_begin = nullptr;
  const char* free_end = nullptr;
  bool rcu_unlock = false;  // may end RCU grace periods, freeing what waited for them
};

// One executed visible operation (kept when DPOR or tracing needs it). Constructed without
// zeroing: dpor_record fills every field it reads.
struct event {
  event() {}
  std::int8_t thread = 0;
  step_kind kind = step_kind::normal;
  std::uint8_t n = 0;
  std::uint32_t tindex = 0;  // 1-based index among its thread's events
  std::int32_t choice = -1;  // index of the scheduling choice that ran it
  struct acc_rec {
    object* obj;
    acc type;
    std::int32_t prev;  // previous event on the same object
    std::uint64_t old_v, new_v;
  } a[max_accesses];
  vclock clock;                // dependence clock
  std::int32_t freed_at = -1;  // regions freed by this step: event_regions_[freed_at, +nfreed)
  std::uint16_t nfreed = 0;
};

enum class choice_kind : std::uint8_t { thread, value };

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

struct abort_execution {};

class engine;
extern thread_local engine* current_engine;

// The program under test, as the engine runs it.
struct program {
  std::string name;
  int threads = 1;                  // initial threads, started together
  std::function<void()> setup;      // fresh state for each execution (not interleaved)
  std::function<void(int)> thread;  // body of initial thread i
  std::function<void()> finish;     // end-of-execution check (after every thread ended or
                                    // every remaining thread is a blocked daemon)
  std::function<void()> teardown;   // releases the state of the execution
  std::vector<int> daemons;         // initial threads that are daemons
  // Names the property a deadlock breaks (e.g. "lost-wakeup" when a waiter waits for work that no
  // thread will do), from the program's own state; empty or unset: just a deadlock. Returning
  // ignore_deadlock ends the execution without failure, counted as pruned (for judging other
  // properties once this one is known to fail).
  std::function<std::string()> deadlock_property;
  static constexpr const char* ignore_deadlock = "(ignore)";
};

class engine {
 public:
  engine(const program& prog, const options& opt);
  ~engine();
  engine(const engine&) = delete;
  engine& operator=(const engine&) = delete;

  result run();
  // Record every step of the executions (used to replay a single schedule).
  void enable_tracing() { tracing_ = true; }

  // ---- interface of the instrumented objects -------------------------------------------------
  bool in_thread() const { return phase_ == phase::run; }
  int current_thread() const { return cur_; }

  // Scheduling point before a visible operation; returns when this thread is chosen to run it.
  void begin(step_desc& d);
  // Records the value the i-th access read and wrote (before end()).
  void values(int i, std::uint64_t old_v, std::uint64_t new_v) {
    vals_[i][0] = old_v;
    vals_[i][1] = new_v;
  }
  // Marks the end of the visible operation started by begin().
  void end();

  // C++ happens-before of the current thread against an object's release clock.
  void hb_acquire(const object& o);
  void hb_release(object& o);             // o.sync = my clock (starts a release sequence)
  void hb_release_join(object& o);        // o.sync |= my clock (continues a release sequence)
  void hb_relaxed_store(object& o);       // a relaxed store ends a release sequence
  void hb_relaxed_load(const object& o);  // pending, for a later acquire fence
  void hb_fence(bool acquire, bool release);

  using value_formatter = std::string (*)(const void* value);
  // A plain access by the current thread: race-checked, not a scheduling point. `value` (shown in
  // traces through `fmt`) is the value read or written.
  void plain_access(plain_meta& m, bool write, const srcloc& loc, const void* addr, value_formatter fmt,
                    const void* value) {
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
  void plain_access_slow(plain_meta& m, bool write, const srcloc& loc, const void* addr, value_formatter fmt,
                         const void* value);

  // Threads.
  int spawn(std::function<void()> body, const char* name, bool daemon, const srcloc& loc);
  void join(int thread, const srcloc& loc);
  void set_daemon(bool d);
  object& permit_of(int thread);
  // Park: returns true when woken by unpark, false when it timed out.
  bool park(bool timed, const srcloc& loc, const char* label);
  bool unpark(int thread, const srcloc& loc, const char* label);

  int choose(int n, const srcloc& loc, const char* label);
  // Blocks until pred() holds. pred reads only the `n` watched objects: the step reads them all,
  // whichever ones a given evaluation happens to look at.
  void await(bool (*pred)(void*), void* ctx, object* const* watched, int n, const srcloc& loc, const char* label);
  bool peeking() const { return peeking_; }
  // A load while a predicate is evaluated: the object's value, or, while DPOR asks whether an
  // await could have run earlier, its value in that hypothetical state.
  std::uint64_t peek_load(object& o);

  // Locks bookkeeping used by the lock objects (misuse detection).
  void note_spinlock(int delta) { th_[cur_].spinlocks += delta; }
  void rcu_read_lock();
  void rcu_read_unlock();
  bool in_rcu() const { return cur_ >= 0 && th_[cur_].rcu_depth > 0; }

  // Memory: objects in [p, p+n) become inaccessible (use after free is reported).
  // kfree: a step; later accesses to objects in [p, p+n) are reported, and so are plain accesses
  // of other threads not ordered before it.
  void free_now(const void* p, std::size_t n, const srcloc& loc, const char* label);
  // kfree_rcu: a step; the memory is freed once every thread now inside an RCU read-side section
  // has left it.
  void free_after_grace_period(const void* p, std::size_t n, const srcloc& loc, const char* label);
  void at_execution_end(std::function<void()> f) { cleanups_.push_back(std::move(f)); }

  [[noreturn]] void fail(failure_kind k, std::string msg, const srcloc& loc, std::string property = {});
  void fail_at_end(failure_kind k, std::string msg, std::string property = {});
  void note(std::string text);  // a line in the trace

  std::uint64_t execution_number() const { return execs_; }
  std::uint32_t epoch() const { return epoch_; }
  // A marked access (READ_ONCE/WRITE_ONCE, an atomic) to memory whose plain accesses are tracked in
  // `plain`: it races with a plain access that is not ordered with it and of which one side
  // writes (KCSAN's rule); marked accesses never race with each other (chk/shadow.h).
  void marked_access(plain_meta& plain, marked_meta& marked, bool write, const srcloc& loc);
  // A plain access to memory that marked accesses also reach: plain_access plus the check against
  // the marked accesses.
  void plain_access_beside_marked(plain_meta& plain, const marked_meta& marked, bool write, const srcloc& loc,
                                  const void* addr);
  void touch(object& o) {
    if (o.epoch != epoch_) init_object(o);
  }
  void touch(plain_meta& m) {
    if (m.epoch != epoch_) init_plain(m);
  }

 private:
  enum class phase { idle, setup, run, end, unwind };

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
    vclock dclock;
    std::uint32_t nevents = 0;
    int last_event = -1;
    int spinlocks = 0;
    int rcu_depth = 0;
    object permit{"permit"};
    object handle{"thread"};  // value 1 once finished
    srcloc last_loc;
  };

  // Search.
  int pick();
  int decide(thread_mask enabled);
  int decide_value(int n);
  bool next_prefix();
  bool enabled(int t);
  bool enabled_fast(int t) {
    const step_desc& d = *th_[t].pending;
    if (d.kind != step_kind::normal) return enabled(t);
    for (int i = 0; i < d.n; ++i)
      if (!d.a[i].allows(d.a[i].obj->value)) return false;
    return true;
  }
  bool dependent(int tx, const step_desc& x, int ty, const step_desc& y) const;
  bool frees_object_of(int tx, const step_desc& x, const step_desc& y) const;
  thread_mask filter_sleep(thread_mask s, int p) const;
  std::uint32_t fingerprint(const step_desc& d) const;
  bool shard_owns_prefix() const;

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

  // DPOR.
  void dpor_record();
  int find_candidates(int p, const step_desc& d, const vclock& pre, int* cand);
  void dpor_blocked_threads();
  bool await_could_run_before(int g, int e_thread);
  std::uint64_t value_before_reordering(const object& o, int g);
  int hyp_g_ = -1;  // >= 0 while evaluating an await in the state before event hyp_g_ (plus v)
  void dump_execution() const;
  bool debug_ = false;
  bool race_stats_ = false;  // CHK_RACESTATS: count race candidates per object and operation
  std::map<std::string, std::uint64_t> race_counts_;
  void race(int f, int e);

  // Tracing.
  void trace_step_end();
  std::string show_value(const object& o, std::uint64_t v);
  std::vector<std::uint64_t> shown_addresses_;
  std::string object_name(const char* name, std::int32_t instance) const;

  void record_failure(failure_kind k, std::string msg, int thread, const srcloc* loc, std::string property);
  std::string bounds_text() const;

  const program& prog_;
  options opt_;
  // Fiber stacks are shared by the engines of one OS thread (they never run at the same time), so
  // that a short search does not pay for mapping stacks.
  static fiber_stacks& stacks();
  phase phase_ = phase::idle;
  context main_ctx_ = nullptr;
  thread_rec th_[max_threads];
  int nthreads_ = 0;
  int cur_ = -1;

  std::vector<choice> stack_;
  std::size_t pos_ = 0;         // next choice index in this execution
  std::size_t replay_end_ = 0;  // choices [0, replay_end_) are forced; the last is the branch
  thread_mask next_sleep_ = 0;
  bool pruned_ = false;
  bool foreign_ = false;  // belongs to another shard
  // Branching choices (more than one alternative) made so far in this execution, and whether
  // this execution's shard ownership has been decided (at the first choice below the split).
  int branching_ = 0;
  bool owner_checked_ = false;
  bool tracing_ = false;
  bool keep_events_ = false;
  std::vector<event> events_;
  std::uint64_t vals_[max_accesses][2]{};
  int steps_ = 0;
  int timeouts_left_ = 0;
  object timeout_budget_{"timeout-budget"};
  std::uint32_t epoch_ = 0;
  std::uint32_t next_object_id_ = 0;
  bool peeking_ = false;
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
    vclock clock;  // of the kfree_rcu call
  };
  std::vector<rcu_pending> rcu_pending_;
  vclock rcu_done_;  // joined at every outermost rcu_read_unlock: what a grace period waits for
  struct region {
    const char* begin;
    const char* end;
  };
  std::vector<region> freeing_;        // freed by the current step (for the DPOR scan)
  std::vector<region> event_regions_;  // regions freed by recorded events
  std::vector<int> v_scratch_;
  bool conflicts(const event& a, const event& b) const;
  std::vector<plain_meta*> plains_;  // plain fields touched in this execution
  std::vector<read_set> read_sets_;  // concurrent reads of plain fields in this execution
  std::vector<std::function<void()>> cleanups_;

  std::optional<failure> failure_;
  std::vector<trace_step> trace_;
  bool user_exception_ = false;

  std::mt19937_64 rng_;
  // PCT.
  int pct_prio_[max_threads]{};
  std::vector<int> pct_change_;
  int pct_estimate_ = 64;

  std::uint64_t execs_ = 0;
  stats st_;
};

// ---- free functions used by tests and the instrumented types --------------------------------------

inline engine* eng() { return current_engine; }

}  // namespace chk
