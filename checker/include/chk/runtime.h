// What the instrumented types (chk/api.h) call at every operation of the program under test: the
// runtime interface of the checker's engine. The engine itself (threads as fibers, the search, the
// happens-before relations, DPOR) is private to the checker (checker/src/engine.h); this header
// holds only the operations and the few fields their inline fast paths read.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>

#include "chk/objects.h"
#include "chk/result.h"
#include "chk/srcloc.h"

namespace chk {

class runtime {
 public:
  runtime(const runtime&) = delete;
  runtime& operator=(const runtime&) = delete;

  // Inside one of the execution's threads (not in setup, the end check or unwinding).
  bool in_thread() const { return in_thread_; }
  int current_thread() const { return cur_; }
  // An await predicate is being evaluated: loads read without steps (peek_load).
  bool peeking() const { return peeking_; }

  // ---- one visible operation: begin, the accesses' values, happens-before, end ----------------
  // Scheduling point before a visible operation; returns when this thread is chosen to run it.
  virtual void begin(step_desc& d) = 0;
  // Records the value the i-th access read and wrote (before end()).
  void values(int i, std::uint64_t old_v, std::uint64_t new_v) {
    vals_[i][0] = old_v;
    vals_[i][1] = new_v;
  }
  // Marks the end of the visible operation started by begin().
  virtual void end() = 0;

  // C++ happens-before of the current thread against an object's release clock.
  virtual void hb_acquire(const object& o) = 0;
  virtual void hb_release(object& o) = 0;             // o.sync = my clock (starts a release sequence)
  virtual void hb_release_join(object& o) = 0;        // o.sync |= my clock (continues a release sequence)
  virtual void hb_relaxed_store(object& o) = 0;       // a relaxed store ends a release sequence
  virtual void hb_relaxed_load(const object& o) = 0;  // pending, for a later acquire fence
  virtual void hb_fence(bool acquire, bool release) = 0;

  using value_formatter = std::string (*)(const void* value);
  // A plain access by the current thread: race-checked, not a scheduling point. `value` (shown in
  // traces through `fmt`) is the value read or written.
  virtual void plain_access(plain_meta& m, bool write, const srcloc& loc, const void* addr, value_formatter fmt,
                            const void* value) = 0;

  // ---- threads, choices, waiting ----------------------------------------------------------------
  virtual int spawn(std::function<void()> body, const char* name, bool daemon, const srcloc& loc) = 0;
  virtual void join(int thread, const srcloc& loc) = 0;
  virtual void set_daemon(bool d) = 0;
  // Park: returns true when woken by unpark, false when it timed out.
  virtual bool park(bool timed, const srcloc& loc, const char* label) = 0;
  virtual bool unpark(int thread, const srcloc& loc, const char* label) = 0;
  virtual int choose(int n, const srcloc& loc, const char* label) = 0;
  // Blocks until pred() holds. pred reads only the `n` watched objects: the step reads them all,
  // whichever ones a given evaluation happens to look at.
  virtual void await(bool (*pred)(void*), void* ctx, object* const* watched, int n, const srcloc& loc,
                     const char* label) = 0;
  // A load while a predicate is evaluated: the object's value, or, while DPOR asks whether an
  // await could have run earlier, its value in that hypothetical state.
  virtual std::uint64_t peek_load(object& o) = 0;

  // ---- RCU, memory, failures, traces --------------------------------------------------------------
  virtual void rcu_read_lock() = 0;
  virtual void rcu_read_unlock() = 0;
  // kfree: a step; later accesses to objects in [p, p+n) are reported, and so are plain accesses
  // of other threads not ordered before it.
  virtual void free_now(const void* p, std::size_t n, const srcloc& loc, const char* label) = 0;
  // kfree_rcu: a step; the memory is freed once every thread now inside an RCU read-side section
  // has left it (and, non-preemptible RCU, every thread now in a non-sleeping stretch: options::rcu).
  virtual void free_after_grace_period(const void* p, std::size_t n, const srcloc& loc, const char* label) = 0;
  // Runs f when the current execution ends (after its end check), in reverse order of registration.
  virtual void at_execution_end(std::function<void()> f) = 0;
  [[noreturn]] virtual void fail(failure_kind k, std::string msg, const srcloc& loc, std::string property = {}) = 0;
  // Ends the current thread now, as if its body had returned, without unwinding its stack: for
  // threads whose frames hold nothing a destructor must release (the kernel's do_exit). Unwinding
  // costs about 19,000 instructions per exit (callgrind, linked-at-exit), a tenth of an execution.
  [[noreturn]] virtual void exit_thread() = 0;
  virtual void note(std::string text) = 0;  // a line in the trace

 protected:
  runtime() = default;
  virtual ~runtime() = default;

  // Read by the inline functions above; the engine keeps them current.
  bool in_thread_ = false;
  bool peeking_ = false;
  int cur_ = -1;
  std::uint64_t vals_[max_accesses][2]{};
};

// The runtime of the search running on this OS thread, or nullptr outside explore().
extern thread_local runtime* current_runtime;
inline runtime* rt() { return current_runtime; }

}  // namespace chk
