// The checker's public interface for programs under test: instrumented types (atomic<T>, plain<T>,
// spinlock, mutex), threads (spawn, join, park/unpark, daemons), nondeterministic choices,
// assertions, and explore() to run a search.
//
// Every operation takes its call site as a defaulted std::source_location, so traces name the line
// of the program under test. Outside an execution's threads (in setup and in the end check) the
// operations act directly on the values, with no scheduling and no checking.
#pragma once

#include <atomic>
#include <bit>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <type_traits>
#include <utility>

#include "chk/result.h"
#include "chk/runtime.h"

namespace chk {

result explore(const program& p, const options& o = {});

namespace detail {

inline bool acquires(std::memory_order mo) {
  return mo == std::memory_order_acquire || mo == std::memory_order_acq_rel || mo == std::memory_order_seq_cst ||
         mo == std::memory_order_consume;
}
inline bool releases(std::memory_order mo) {
  return mo == std::memory_order_release || mo == std::memory_order_acq_rel || mo == std::memory_order_seq_cst;
}

template <class T>
std::uint64_t encode(T v) {
  if constexpr (std::is_pointer_v<T>)
    return reinterpret_cast<std::uintptr_t>(v);
  else if constexpr (std::is_enum_v<T>)
    return static_cast<std::uint64_t>(static_cast<std::underlying_type_t<T>>(v));
  else
    return static_cast<std::uint64_t>(v);
}
template <class T>
T decode(std::uint64_t v) {
  if constexpr (std::is_pointer_v<T>)
    return reinterpret_cast<T>(static_cast<std::uintptr_t>(v));
  else if constexpr (std::is_enum_v<T>)
    return static_cast<T>(static_cast<std::underlying_type_t<T>>(v));
  else
    return static_cast<T>(v);
}

template <class T>
std::string format_value(const void* p) {
  const T& v = *static_cast<const T*>(p);
  if constexpr (std::is_same_v<T, bool>)
    return v ? "true" : "false";
  else if constexpr (std::is_pointer_v<T>)
    return v ? "ptr" : "null";
  else if constexpr (std::is_enum_v<T>)
    return std::to_string(static_cast<std::underlying_type_t<T>>(v));
  else if constexpr (std::is_arithmetic_v<T>)
    return std::to_string(v);
  else
    return "...";
}

inline runtime* running() {
  runtime* e = current_runtime;
  return e && e->in_thread() && !e->peeking() ? e : nullptr;
}

}  // namespace detail

// An atomic object. All orders are explored under sequential consistency; the orders decide the
// happens-before edges against which plain<T> accesses are race-checked.
template <class T>
class atomic {
  static_assert(std::is_integral_v<T> || std::is_enum_v<T> || std::is_pointer_v<T>,
                "chk::atomic holds integers, enums and pointers");

 public:
  explicit atomic(T v = T{}, const char* name = "atomic", int instance = -1) : o_(name, instance) {
    o_.value = detail::encode(v);
    o_.pointer = std::is_pointer_v<T>;
  }
  void set_name(const char* name, int instance = -1) {
    o_.name = name;
    o_.instance = instance;
  }

  T load(std::memory_order mo = std::memory_order_seq_cst, srcloc loc = srcloc::current(),
         const char* label = "load") const {
    // An atomic held in place in zeroed memory (real-source mode) never ran its constructor.
    if constexpr (std::is_pointer_v<T>) o_.pointer = true;
    runtime* e = current_runtime;
    if (e && e->peeking()) return detail::decode<T>(e->peek_load(o_));
    if (!e || !e->in_thread()) return detail::decode<T>(o_.value);
    step_desc d = step_desc::on(o_, acc::read, label, loc);
    e->begin(d);
    std::uint64_t v = o_.value;
    if (detail::acquires(mo))
      e->hb_acquire(o_);
    else
      e->hb_relaxed_load(o_);
    e->values(0, v, v);
    e->end();
    return detail::decode<T>(v);
  }

  void store(T v, std::memory_order mo = std::memory_order_seq_cst, srcloc loc = srcloc::current(),
             const char* label = "store") {
    if constexpr (std::is_pointer_v<T>) o_.pointer = true;
    runtime* e = detail::running();
    if (!e) {
      o_.value = detail::encode(v);
      return;
    }
    step_desc d = step_desc::on(o_, acc::write, label, loc);
    e->begin(d);
    std::uint64_t old = o_.value;
    o_.value = detail::encode(v);
    if (detail::releases(mo))
      e->hb_release(o_);
    else
      e->hb_relaxed_store(o_);
    e->values(0, old, o_.value);
    e->end();
  }

  // Read-modify-write: new value f(old); returns the old value.
  template <class F>
  T rmw(F f, std::memory_order mo = std::memory_order_seq_cst, srcloc loc = srcloc::current(),
        const char* label = "rmw") {
    if constexpr (std::is_pointer_v<T>) o_.pointer = true;
    runtime* e = detail::running();
    if (!e) {
      T old = detail::decode<T>(o_.value);
      o_.value = detail::encode(static_cast<T>(f(old)));
      return old;
    }
    step_desc d = step_desc::on(o_, acc::rmw, label, loc);
    e->begin(d);
    std::uint64_t old = o_.value;
    o_.value = detail::encode(static_cast<T>(f(detail::decode<T>(old))));
    if (detail::acquires(mo))
      e->hb_acquire(o_);
    else
      e->hb_relaxed_load(o_);
    if (detail::releases(mo)) e->hb_release_join(o_);
    e->values(0, old, o_.value);
    e->end();
    return detail::decode<T>(old);
  }

  T exchange(T v, std::memory_order mo = std::memory_order_seq_cst, srcloc loc = srcloc::current(),
             const char* label = "exchange") {
    return rmw([v](T) { return v; }, mo, loc, label);
  }
  T fetch_add(T v, std::memory_order mo = std::memory_order_seq_cst, srcloc loc = srcloc::current(),
              const char* label = "fetch_add") {
    return rmw([v](T o) { return static_cast<T>(o + v); }, mo, loc, label);
  }
  T fetch_sub(T v, std::memory_order mo = std::memory_order_seq_cst, srcloc loc = srcloc::current(),
              const char* label = "fetch_sub") {
    return rmw([v](T o) { return static_cast<T>(o - v); }, mo, loc, label);
  }
  T fetch_or(T v, std::memory_order mo = std::memory_order_seq_cst, srcloc loc = srcloc::current(),
             const char* label = "fetch_or") {
    return rmw([v](T o) { return static_cast<T>(o | v); }, mo, loc, label);
  }
  T fetch_and(T v, std::memory_order mo = std::memory_order_seq_cst, srcloc loc = srcloc::current(),
              const char* label = "fetch_and") {
    return rmw([v](T o) { return static_cast<T>(o & v); }, mo, loc, label);
  }
  bool compare_exchange_strong(T& expected, T desired, std::memory_order mo = std::memory_order_seq_cst,
                               srcloc loc = srcloc::current(), const char* label = "cmpxchg") {
    T exp = expected;
    T old = rmw([exp, desired](T o) { return o == exp ? desired : o; }, mo, loc, label);
    if (old == exp) return true;
    expected = old;
    return false;
  }

  // The value, without a step: for setup, end checks and invariants evaluated by the environment.
  T peek() const { return detail::decode<T>(o_.value); }
  object& obj() { return o_; }
  // The memory this atomic stands for, when it shadows memory kept elsewhere (object::home).
  void set_home(const void* p) { o_.home = p; }

 private:
  mutable object o_;
};

inline void fence(std::memory_order mo = std::memory_order_seq_cst) {
  if (runtime* e = detail::running()) e->hb_fence(detail::acquires(mo), detail::releases(mo));
}

// A value with the location of the expression that produced it, so that assignments to plain<T>
// are traced and race-reported with their own line.
template <class T>
struct located {
  T v;
  srcloc loc;
  template <class U>
  requires std::is_convertible_v<U, T> located(U x, srcloc l = srcloc::current()) : v(static_cast<T>(x)), loc(l) {}
};

// A non-atomic shared field. Accesses are not scheduling points; they are race-checked against the
// happens-before of synchronising operations. Reads through the conversion operator and ++/--
// carry the location of the thread's latest visible operation; load/store and assignments carry
// their own.
template <class T>
class plain {
  static_assert(std::is_trivially_copyable_v<T>, "chk::plain holds trivially copyable values");

 public:
  explicit plain(T v = T{}, const char* name = "plain", int instance = -1) : v_(v) {
    m_.name = name;
    m_.instance = instance;
  }
  plain(const plain&) = delete;
  void set_name(const char* name, int instance = -1) {
    m_.name = name;
    m_.instance = instance;
  }

  T load(srcloc loc = srcloc::current()) const {
    if (runtime* e = detail::running()) e->plain_access(m_, false, loc, this, &detail::format_value<T>, &v_);
    return v_;
  }
  void store(T v, srcloc loc = srcloc::current()) {
    if (runtime* e = detail::running()) e->plain_access(m_, true, loc, this, &detail::format_value<T>, &v);
    v_ = v;
  }
  operator T() const { return load(srcloc{}); }
  plain& operator=(located<T> x) {
    store(x.v, x.loc);
    return *this;
  }
  plain& operator=(const plain& o) {
    store(o.load(srcloc{}), srcloc{});
    return *this;
  }
  plain& operator+=(located<T> x) {
    store(static_cast<T>(load(x.loc) + x.v), x.loc);
    return *this;
  }
  plain& operator-=(located<T> x) {
    store(static_cast<T>(load(x.loc) - x.v), x.loc);
    return *this;
  }
  plain& operator|=(located<T> x) {
    store(static_cast<T>(load(x.loc) | x.v), x.loc);
    return *this;
  }
  plain& operator&=(located<T> x) {
    store(static_cast<T>(load(x.loc) & x.v), x.loc);
    return *this;
  }
  T operator++(int) {
    T o = load(srcloc{});
    store(static_cast<T>(o + 1), srcloc{});
    return o;
  }
  T operator--(int) {
    T o = load(srcloc{});
    store(static_cast<T>(o - 1), srcloc{});
    return o;
  }
  plain& operator++() {
    store(static_cast<T>(load(srcloc{}) + 1), srcloc{});
    return *this;
  }
  plain& operator--() {
    store(static_cast<T>(load(srcloc{}) - 1), srcloc{});
    return *this;
  }
  T peek() const { return v_; }
  void poke(T v) { v_ = v; }
  // The memory this field stands for, when it shadows memory kept elsewhere (plain_meta::home).
  void set_home(const void* p) { m_.home = p; }

 private:
  T v_;
  mutable plain_meta m_;
};

// A lock that spins: acquiring it blocks the thread until it is free, but holding it forbids
// sleeping operations (park, join, mutex, completion waits). Misuse is reported.
class spinlock {
 public:
  explicit spinlock(const char* name = "spinlock", int instance = -1) : o_(name, instance) {}
  void set_name(const char* name, int instance = -1) {
    o_.name = name;
    o_.instance = instance;
  }
  void lock(srcloc loc = srcloc::current(), const char* label = "spin_lock") { acquire(loc, label, false); }
  void unlock(srcloc loc = srcloc::current(), const char* label = "spin_unlock") { release(loc, label, false); }
  bool try_lock(srcloc loc = srcloc::current(), const char* label = "spin_trylock");
  bool held_by_me() const;
  bool locked() const { return o_.value != 0; }
  object& obj() { return o_; }

 protected:
  void acquire(const srcloc& loc, const char* label, bool sleeping);
  void release(const srcloc& loc, const char* label, bool sleeping);
  object o_;  // 0 when free, owner + 1 when held
};

// A sleeping lock: like spinlock, but a holder may block.
class mutex : private spinlock {
 public:
  explicit mutex(const char* name = "mutex", int instance = -1) : spinlock(name, instance) {}
  using spinlock::held_by_me;
  using spinlock::locked;
  using spinlock::obj;
  using spinlock::set_name;
  void lock(srcloc loc = srcloc::current(), const char* label = "mutex_lock") { acquire(loc, label, true); }
  void unlock(srcloc loc = srcloc::current(), const char* label = "mutex_unlock") { release(loc, label, true); }
};

// ---- threads ------------------------------------------------------------------------------------

// Starts a thread running f. Returns its id. A daemon may stay blocked forever: its being blocked
// when every other thread has ended ends the execution normally.
template <class F>
int spawn(F&& f, const char* name = "thread", srcloc loc = srcloc::current()) {
  return current_runtime->spawn(std::function<void()>(std::forward<F>(f)), name, false, loc);
}
template <class F>
int spawn_daemon(F&& f, const char* name = "daemon", srcloc loc = srcloc::current()) {
  return current_runtime->spawn(std::function<void()>(std::forward<F>(f)), name, true, loc);
}
inline void join(int thread, srcloc loc = srcloc::current()) { current_runtime->join(thread, loc); }
inline int this_thread() { return current_runtime ? current_runtime->current_thread() : -1; }

// Ends the calling thread of the execution now, without unwinding its stack (runtime::exit_thread):
// only for threads whose frames hold nothing a destructor must release.
[[noreturn]] inline void exit_thread() {
  current_runtime->exit_thread();
  __builtin_unreachable();
}
inline void set_daemon(bool d = true) { current_runtime->set_daemon(d); }

// Park/unpark with a permit (one pending unpark is remembered). park_for may also time out, when
// the options allow timeouts (and their budget is not spent); it returns false then.
inline void park(srcloc loc = srcloc::current(), const char* label = "park") {
  current_runtime->park(false, loc, label);
}
inline bool park_for(srcloc loc = srcloc::current(), const char* label = "park_timeout") {
  return current_runtime->park(true, loc, label);
}
inline bool unpark(int thread, srcloc loc = srcloc::current(), const char* label = "unpark") {
  return current_runtime->unpark(thread, loc, label);
}

// A nondeterministic choice among n values (0..n-1), explored exhaustively by dfs/dpor.
inline int choose(int n, srcloc loc = srcloc::current(), const char* label = "choose") {
  runtime* e = detail::running();
  return e ? e->choose(n, loc, label) : 0;
}

// An atomic object watched by an await.
struct watch {
  object* o;
  template <class T>
  watch(atomic<T>& a) : o(&a.obj()) {}
};

// Blocks until pred() holds. pred may read only the watched atomics (1 to 4 of them): the await is
// one step that reads all of them, so that the search sees every write that could have let it pass
// earlier, whichever objects one evaluation of pred happened to look at.
template <class P>
void await(P&& pred, std::initializer_list<watch> watched, srcloc loc = srcloc::current(),
           const char* label = "await") {
  auto thunk = +[](void* c) -> bool { return (*static_cast<std::remove_reference_t<P>*>(c))(); };
  object* objs[max_accesses];
  int n = 0;
  for (const watch& w : watched) {
    if (n < max_accesses) objs[n] = w.o;
    ++n;
  }
  current_runtime->await(thunk, &pred, objs, n, loc, label);
}

// ---- checks -------------------------------------------------------------------------------------

// An assertion in a thread (failure kind assertion) or in the end check (end_check).
inline void check(bool cond, const char* message, srcloc loc = srcloc::current()) {
  if (!cond && current_runtime) current_runtime->fail(failure_kind::assertion, message, loc);
}
// A property violation, with the property's name.
inline void violated(const char* property, std::string message, srcloc loc = srcloc::current()) {
  if (current_runtime) current_runtime->fail(failure_kind::assertion, std::move(message), loc, property);
}

// ---- RCU and memory -----------------------------------------------------------------------------

inline void rcu_read_lock() {
  if (runtime* e = detail::running()) e->rcu_read_lock();
}
inline void rcu_read_unlock() {
  if (runtime* e = detail::running()) e->rcu_read_unlock();
}
// The n bytes at p are freed (a step): later accesses to instrumented objects in them, and plain
// accesses by other threads not ordered before the free, are reported. The memory itself stays
// valid until the end of the execution; the caller releases it then (runtime::at_execution_end).
inline void free_object(const void* p, std::size_t n, srcloc loc = srcloc::current(), const char* label = "free") {
  if (runtime* e = detail::running()) e->free_now(p, n, loc, label);
}
// Freed after an RCU grace period (kfree_rcu): once every thread that is inside a read-side section
// now has left it; under non-preemptible RCU (options::rcu), once every thread not now at a sleep
// point, the caller included, has also reached one or exited.
inline void free_object_rcu(const void* p, std::size_t n, srcloc loc = srcloc::current(),
                            const char* label = "free_rcu") {
  if (runtime* e = detail::running()) e->free_after_grace_period(p, n, loc, label);
}

}  // namespace chk
