// The native backend of the kernel facade: the same port compiled unchanged on real threads, for
// ThreadSanitizer stress runs (tsan_tests/). kernel.h lists the contract a backend provides; this
// file maps it to std::atomic, std::mutex and std::thread:
//
//   atomic_cell<T>  std::atomic<T> with the memory order the facade passes (relaxed bitops and
//                   atomic_inc, seq_cst value-returning RMWs, acquire/release *_lock/_unlock
//                   bitops), so TSan's happens-before is the kernel's; one exception: a pointer
//                   stored relaxed (WRITE_ONCE) is stored with release (see publish() below).
//   plain<T>        a plain T: an unsynchronised access pair is a real data race TSan reports.
//   lock_word       std::mutex (TSan sees acquire/release and checks lock order) + owner marker.
//   threads         std::thread per be::spawn; park/unpark is a per-thread permit under a mutex and
//                   condition variable, so an unpark that lands before the park is never lost.
//   await           re-evaluates its predicate on every unpark of the thread and, as a fallback
//                   for stores that come without an unpark (wake_up_new_task), every <= 1 ms.
//   timeouts        the only finite sleep of the port (the worker's idle schedule_timeout) waits
//                   for options::idle_timeout, which may be infinite: then a lost wakeup is never
//                   rescued and shows as stranded work.
//   smp_mb          a real seq_cst fence, invisible to TSan (which does not model fences).
//
// A "run" (run_begin .. run_end) plays the role of the checker's execution: at_execution_end
// callbacks (kzalloc'd memory, facade state) run at run_end, after every spawned thread ended.
// Freed objects (kfree, kfree_rcu) are kept until run_end, so io_wq_peek stays valid after exit;
// use after free is the model checker's job, not this backend's.
//
// The harness's own bookkeeping that every thread touches (an event counter, thread status words,
// per-thread lists) must not become happens-before edges between the threads under test, or it
// would hide the races TSan is looking for: the shared words are read and written inside TSan's
// "ignore synchronisation" annotation, the rest is per thread. The only edges the backend adds are
// the kernel's own: lock/unlock, and a successful wakeup (unpark) ordering the waker before the
// woken task.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <type_traits>
#include <utility>

#include "checker/include/chk/srcloc.h"
#include "model/kernel/tsan_annotations.h"

namespace kern {

struct task_struct;

// The call site of an operation (the checker's own srcloc: header-only, no dependency on chk).
using srcloc = chk::srcloc;
inline constexpr const char* backend_name = "native";

// ---- run-time options, hooks and inspection (used by tsan_tests/) ---------------------------------
namespace native {

struct options {
  // The idle sleep of a worker (schedule_timeout(WORKER_IDLE_TIMEOUT)): a real, scaled-down
  // timeout, or none (negative: infinite) so that only a wakeup ends it.
  std::chrono::microseconds idle_timeout{-1};
  // Seed of every random choice (be::choose, yields); printed by the tests.
  std::uint64_t seed = 1;
  // At every facade operation: yield with probability yield_permille/1000, and sleep
  // sleep_min_us..sleep_max_us with probability sleep_permille/1000, to widen race windows.
  unsigned yield_permille = 0;
  unsigned sleep_permille = 0;
  unsigned sleep_min_us = 5;
  unsigned sleep_max_us = 50;
  // be::note goes to stderr when true (tracing; it adds a global lock, so it orders threads).
  bool trace_notes = false;
  // Called in the parent at every be::spawn; the closure it returns runs first in the child.
  // tsan_tests use it to give worker threads the spawning thread's iowq::config (the port's
  // configuration and the facade's environment are per OS thread).
  std::function<std::function<void()>()> inherit;
};

// Starts a run: sets the options and an empty thread registry. Not reentrant.
void run_begin(const options& o);
// Ends the run: waits up to `join_deadline` for every spawned thread to end and joins them; runs
// the at_execution_end callbacks (in reverse order of registration) unless a thread could not be
// joined (then its memory is leaked on purpose). Returns false if a thread was left behind.
bool run_end(std::chrono::milliseconds join_deadline = std::chrono::milliseconds(10000));
const options& opts();
// Changes the idle timeout for the sleeps that start from now on.
void set_idle_timeout(std::chrono::microseconds t);

// The first failure reported through be::fail (WARN_ON_ONCE, refcount, lockdep), if any.
struct failure_info {
  std::string property;
  std::string message;
  std::string where;   // file:line (function)
  std::string thread;  // name of the thread that failed
};
bool failed();
failure_info first_failure();

// Thrown by be::fail on a thread the harness owns (spawned threads freeze instead: they may hold
// locks the rest of the run needs to report the failure).
struct failure_exception {
  failure_info info;
};

// A hook called before every facade operation, on the calling thread (nullptr: none). Tests use
// it as a breakpoint to force an interleaving; it must not itself call facade operations.
using step_hook_fn = void (*)(const srcloc& loc, const char* label);
void set_step_hook(step_hook_fn hook);

// Marks the calling thread as part of the harness (an owner task, a device): it takes part in
// stability scans through harness_wait(), never as "running".
void register_harness_thread(const char* name);
// The calling harness thread is done with this run (it no longer takes part in scans).
void harness_thread_done();
// A harness thread's bounded wait: consumes the thread's permit (the one wake_up_process /
// be::unpark give) or returns after `d`. During the wait the thread counts as idle.
void harness_wait(std::chrono::microseconds d);

// Stability: a moment at which no thread can make progress by itself. Every spawned thread has
// ended or is blocked in park/await with no pending permit and a false predicate (or in a timed
// park only when the idle timeout is infinite); every harness thread other than the caller is in
// harness_wait without a pending permit. Sound against concurrent transitions: every status
// change bumps a global event counter, which must not move during the scan.
struct scan_result {
  bool stable = false;
  int spawned_alive = 0;     // spawned threads not ended
  int spawned_blocked = 0;   // of those, blocked (stable)
  int io_threads_alive = 0;  // spawned threads named "iou-wrk" not ended
  std::string detail;        // the threads that are not stable, for messages
};
scan_result scan();
// Spawned threads (by name prefix, e.g. "iou-wrk") that have not ended.
int alive_threads(const char* name_prefix);
// Waits until no spawned thread is alive, or the deadline; returns whether none is.
bool wait_spawned_exited(std::chrono::milliseconds deadline);

// Per-thread random number in [0, n), from the run's seed and the thread's registry id.
std::uint64_t random_below(std::uint64_t n);

// The hot path of every facade operation: the step hook and random yields.
extern std::atomic<step_hook_fn> g_step_hook;
extern std::atomic<bool> g_perturb;
void perturb();
inline void step(const srcloc& loc, const char* label) {
  if (step_hook_fn h = g_step_hook.load(std::memory_order_relaxed)) h(loc, label);
  if (g_perturb.load(std::memory_order_relaxed)) perturb();
}

inline constexpr std::memory_order failure_order(std::memory_order mo) {
  switch (mo) {
    case std::memory_order_acq_rel:
      return std::memory_order_acquire;
    case std::memory_order_release:
      return std::memory_order_relaxed;
    default:
      return mo;
  }
}

}  // namespace native

// ---- atomic_cell, plain, lock_word ------------------------------------------------------------------

// A word accessed with atomics: std::atomic<T>; names are for the checked backend's traces only.
template <class T>
class atomic_cell {
  static_assert(std::is_integral_v<T> || std::is_enum_v<T> || std::is_pointer_v<T>,
                "atomic_cell holds integers, enums and pointers");

 public:
  explicit atomic_cell(T v = T{}, const char* /*name*/ = "atomic", int /*instance*/ = -1) : v_(v) {}
  atomic_cell(const atomic_cell&) = delete;
  atomic_cell& operator=(const atomic_cell&) = delete;
  void set_name(const char*, int = -1) {}

  T load(std::memory_order mo = std::memory_order_seq_cst, srcloc loc = srcloc::current(),
         const char* label = "load") const {
    native::step(loc, label);
    return v_.load(mo);
  }
  void store(T v, std::memory_order mo = std::memory_order_seq_cst, srcloc loc = srcloc::current(),
             const char* label = "store") {
    native::step(loc, label);
    v_.store(v, publish(mo));
  }
  // Read-modify-write: new value f(old), as one atomic step with order mo; returns the old value.
  template <class F>
  T rmw(F f, std::memory_order mo = std::memory_order_seq_cst, srcloc loc = srcloc::current(),
        const char* label = "rmw") {
    native::step(loc, label);
    T old = v_.load(std::memory_order_relaxed);
    while (!v_.compare_exchange_weak(old, static_cast<T>(f(old)), mo, std::memory_order_relaxed)) {
    }
    return old;
  }
  T exchange(T v, std::memory_order mo = std::memory_order_seq_cst, srcloc loc = srcloc::current(),
             const char* label = "exchange") {
    native::step(loc, label);
    return v_.exchange(v, mo);
  }
  T fetch_add(T v, std::memory_order mo = std::memory_order_seq_cst, srcloc loc = srcloc::current(),
              const char* label = "fetch_add") {
    native::step(loc, label);
    return v_.fetch_add(v, mo);
  }
  T fetch_sub(T v, std::memory_order mo = std::memory_order_seq_cst, srcloc loc = srcloc::current(),
              const char* label = "fetch_sub") {
    native::step(loc, label);
    return v_.fetch_sub(v, mo);
  }
  T fetch_or(T v, std::memory_order mo = std::memory_order_seq_cst, srcloc loc = srcloc::current(),
             const char* label = "fetch_or") {
    native::step(loc, label);
    return v_.fetch_or(v, mo);
  }
  T fetch_and(T v, std::memory_order mo = std::memory_order_seq_cst, srcloc loc = srcloc::current(),
              const char* label = "fetch_and") {
    native::step(loc, label);
    return v_.fetch_and(v, mo);
  }
  bool compare_exchange_strong(T& expected, T desired, std::memory_order mo = std::memory_order_seq_cst,
                               srcloc loc = srcloc::current(), const char* label = "cmpxchg") {
    native::step(loc, label);
    return v_.compare_exchange_strong(expected, desired, mo, native::failure_order(mo));
  }

  // The value without a facade step (relaxed: for end checks and the harness's scans).
  T peek() const { return v_.load(std::memory_order_relaxed); }
  // The raw value widened to 64 bits, for be::await's stability bookkeeping.
  std::uint64_t peek_bits() const {
    T v = peek();
    if constexpr (std::is_pointer_v<T>)
      return static_cast<std::uint64_t>(reinterpret_cast<std::uintptr_t>(v));
    else if constexpr (std::is_enum_v<T>)
      return static_cast<std::uint64_t>(static_cast<std::underlying_type_t<T>>(v));
    else
      return static_cast<std::uint64_t>(v);
  }

 private:
  // A pointer stored with WRITE_ONCE (relaxed) is stored with release here. In the kernel a
  // reader that follows a pointer with rcu_dereference sees the pointee as the pointer's writer
  // saw it, even when that writer did not publish it: list_del_rcu()'s WRITE_ONCE(prev->next,
  // next) hands readers a node another CPU published (the LKMM gets this from other-multicopy
  // atomicity plus the address dependency). C++ gives it only to a release store read by an
  // acquire load (rcu_dereference is one), so without this TSan reports the pointee's
  // initialisation as racing with the reader. Integers keep their relaxed stores.
  static constexpr std::memory_order publish(std::memory_order mo) {
    if constexpr (std::is_pointer_v<T>)
      return mo == std::memory_order_relaxed ? std::memory_order_release : mo;
    else
      return mo;
  }
  std::atomic<T> v_;
};

// A non-atomic shared field: a plain T, so that TSan reports every unsynchronised access pair.
template <class T>
class plain {
  static_assert(std::is_trivially_copyable_v<T>, "plain holds trivially copyable values");

 public:
  explicit plain(T v = T{}, const char* /*name*/ = "plain", int /*instance*/ = -1) : v_(v) {}
  plain(const plain&) = delete;
  void set_name(const char*, int = -1) {}

  T load(srcloc = srcloc::current()) const { return v_; }
  void store(T v, srcloc = srcloc::current()) { v_ = v; }
  operator T() const { return v_; }
  plain& operator=(T v) {
    v_ = v;
    return *this;
  }
  plain& operator=(const plain& o) {
    v_ = o.v_;
    return *this;
  }
  plain& operator+=(T x) {
    v_ = static_cast<T>(v_ + x);
    return *this;
  }
  plain& operator-=(T x) {
    v_ = static_cast<T>(v_ - x);
    return *this;
  }
  plain& operator|=(T x) {
    v_ = static_cast<T>(v_ | x);
    return *this;
  }
  plain& operator&=(T x) {
    v_ = static_cast<T>(v_ & x);
    return *this;
  }
  T operator++(int) {
    T o = v_;
    v_ = static_cast<T>(o + 1);
    return o;
  }
  T operator--(int) {
    T o = v_;
    v_ = static_cast<T>(o - 1);
    return o;
  }
  plain& operator++() {
    v_ = static_cast<T>(v_ + 1);
    return *this;
  }
  plain& operator--() {
    v_ = static_cast<T>(v_ - 1);
    return *this;
  }
  T peek() const { return v_; }
  void poke(T v) { v_ = v; }
  // The kernel's data_race(): a read TSan is told to ignore.
  T data_race_read() const {
    const native::tsan_ignore_reads ignore;
    return v_;
  }

 private:
  T v_;
};
template <class T>
T data_race_read(const plain<T>& p) {
  return p.data_race_read();
}

namespace native {
// A per-thread address, used as the owner mark of locks.
const void* thread_mark();
// A sequentially consistent fence, compiled without TSan instrumentation.
void full_fence();
}  // namespace native

// The word of a spinlock: a std::mutex, which TSan understands (acquire on lock, release on
// unlock, lock-order inversions reported), plus the owner for held_by_me().
class lock_word {
 public:
  lock_word() = default;
  lock_word(const lock_word&) = delete;
  lock_word& operator=(const lock_word&) = delete;
  void set_name(const char*, int = -1) {}

  void lock(srcloc loc = srcloc::current(), const char* label = "spin_lock") {
    native::step(loc, label);
    m_.lock();
    owner_.store(native::thread_mark(), std::memory_order_relaxed);
  }
  void unlock(srcloc loc = srcloc::current(), const char* label = "spin_unlock") {
    native::step(loc, label);
    owner_.store(nullptr, std::memory_order_relaxed);
    m_.unlock();
  }
  bool held_by_me() const { return owner_.load(std::memory_order_relaxed) == native::thread_mark(); }
  bool locked() const { return owner_.load(std::memory_order_relaxed) != nullptr; }

 private:
  std::mutex m_;
  std::atomic<const void*> owner_{nullptr};
};

namespace be {

// The registry id of the calling thread (registered on first use).
int this_thread();

// A new std::thread running body; the registry joins it at run_end (daemons included: every
// daemon of a correct run ends before run_end, since the tests always exit their io_wq).
int spawn(std::function<void()> body, const char* name, bool daemon, srcloc loc);

// Blocks until the thread's permit is available, then consumes it.
void park(srcloc loc, const char* label);
// As park, but gives up after options::idle_timeout (never when it is infinite); false when it did.
bool park_timeout(srcloc loc, const char* label);
// Gives thread t its permit and wakes it if it is parked or awaiting.
void unpark(int t, srcloc loc, const char* label);

namespace detail {
// Blocks the calling thread until pred() holds; peek(cell) reads the watched cell without a step
// (the stability scan compares it with the value pred last saw, so the cell must outlive the run,
// as task states do).
void await_slow(const std::function<bool()>& pred, std::uint64_t (*peek)(const void*), const void* cell);
}  // namespace detail

// Blocks until pred() holds; pred reads only `watched`.
template <class P, class T>
void await(P&& pred, atomic_cell<T>& watched, srcloc loc, const char* label) {
  native::step(loc, label);
  if (pred()) return;
  detail::await_slow(
      std::function<bool()>(std::ref(pred)),
      [](const void* c) { return static_cast<const atomic_cell<T>*>(c)->peek_bits(); }, &watched);
}

// A random value in [0, n) from the run's seed (the checked backend explores every value).
int choose(int n, srcloc loc, const char* label);

// Records the failure (the first one is kept), prints it, and never returns: a spawned thread
// freezes (it may hold locks), a harness thread throws native::failure_exception.
[[noreturn]] void fail(const char* property, std::string message, srcloc loc);

// smp_mb(): a real full fence, out of TSan's sight (TSan does not model fences, and g++ warns
// about them under -fsanitize=thread).
inline void fence() { native::full_fence(); }

// RCU read-side sections: nesting per thread, checked to be balanced when a thread ends. Memory is
// not reused before run_end, so the grace period has no effect to enforce here.
void rcu_read_lock();
void rcu_read_unlock();

// kfree / kfree_rcu: the object is counted as freed; its memory stays valid until run_end (the
// at_execution_end callback kzalloc registered deletes it).
void free_now(const void* p, std::size_t n, srcloc loc);
void free_rcu(const void* p, std::size_t n, srcloc loc);

// Runs f at run_end, after every thread of the run ended.
void at_execution_end(std::function<void()> f);

// Ends the calling thread now (do_exit): throws kern::task_exit, caught at the root of the thread.
[[noreturn]] void exit_thread();

// The task_struct the calling thread runs as (per OS thread).
task_struct*& current_slot();

// A line of the run's notes (kept per thread; printed when options::trace_notes).
void note(std::string text);

}  // namespace be
}  // namespace kern
