// The checked backend of the kernel facade: every primitive is an operation of the chk model
// checker (a visible, scheduled step for atomics, locks, park/unpark, choices and frees; a
// race-checked access for plain fields). kernel.h lists the contract a backend provides.
#pragma once

#include <cstddef>
#include <functional>
#include <string>

#include "chk/api.h"

namespace kern {

struct task_struct;

// The call site of an operation (chk::srcloc: std::source_location is unusable with clang 14 and
// libstdc++ 12).
using srcloc = chk::srcloc;
inline constexpr const char* backend_name = "checked";

// A word accessed with atomics: chk::atomic (explored under sequential consistency; the memory
// orders decide the happens-before edges against which plain fields are race-checked).
template <class T>
using atomic_cell = chk::atomic<T>;

// A non-atomic field shared between threads: chk::plain, race-checked with vector clocks.
template <class T>
using plain = chk::plain<T>;
// The kernel's data_race(): a read the race checks ignore (no step either).
template <class T>
T data_race_read(const plain<T>& p) {
  return p.peek();
}

// The word of a spinlock: chk::spinlock (acquire blocks; sleeping while holding it is reported).
using lock_word = chk::spinlock;

namespace be {

inline int this_thread() { return chk::this_thread(); }

// A new thread running body (a chk fiber); a daemon may stay blocked at the end of an execution.
int spawn(std::function<void()> body, const char* name, bool daemon, srcloc loc);

// Blocks until unparked (chk::park: consumes the thread's permit).
inline void park(srcloc loc, const char* label) { chk::park(loc, label); }
// As park, but may also time out when the exploration allows timeouts; false when it did.
inline bool park_timeout(srcloc loc, const char* label) { return chk::park_for(loc, label); }
// Gives thread t its permit (chk::unpark).
inline void unpark(int t, srcloc loc, const char* label) { chk::unpark(t, loc, label); }

// Blocks until pred() holds; pred reads only `watched` (chk::await).
template <class P, class T>
void await(P&& pred, atomic_cell<T>& watched, srcloc loc, const char* label) {
  chk::await(std::forward<P>(pred), {chk::watch(watched)}, loc, label);
}

// A nondeterministic value in [0, n) (chk::choose; every value is explored).
inline int choose(int n, srcloc loc, const char* label) { return chk::choose(n, loc, label); }

// Ends the execution as a violation of `property` (chk::violated).
[[noreturn]] void fail(const char* property, std::string message, srcloc loc);

inline void fence() { chk::fence(std::memory_order_seq_cst); }

// Ends the calling thread now (do_exit): chk::exit_thread, without unwinding its frames (the port
// and the real-source C frames hold nothing a destructor must release).
[[noreturn]] inline void exit_thread() { chk::exit_thread(); }

inline void rcu_read_lock() { chk::rcu_read_lock(); }
inline void rcu_read_unlock() { chk::rcu_read_unlock(); }

// The object is freed now / after a grace period; later accesses are reported as use after free.
// The memory itself stays valid until the end of the execution.
inline void free_now(const void* p, std::size_t n, srcloc loc) { chk::free_object(p, n, loc, "kfree"); }
inline void free_rcu(const void* p, std::size_t n, srcloc loc) { chk::free_object_rcu(p, n, loc, "kfree_rcu"); }

// Runs f when the current execution ends (after its end check): releases memory, resets state.
void at_execution_end(std::function<void()> f);

// The task_struct the current thread runs as (nullptr until the scenario or create_io_thread
// sets it).
task_struct*& current_slot();

// A line in the trace of the current execution (shown with failing traces).
void note(std::string text);

}  // namespace be
}  // namespace kern
