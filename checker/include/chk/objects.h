// The objects that visible operations act on, and the description of one operation (a step), as
// the instrumented types (chk/api.h) hand them to the checker's runtime (chk/runtime.h); and the
// program under test as explore() runs it.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

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
  bool rcu_call = false;    // kfree_rcu: starts a grace period

  // A step with one access to o (atomics, locks, permits, thread handles).
  static step_desc on(object& o, acc type, const char* label, const srcloc& loc, until u = until::none) {
    step_desc d;
    d.label = label;
    d.loc = loc;
    d.n = 1;
    d.a[0] = {&o, type, u, nullptr, nullptr};
    return d;
  }
};

struct abort_execution {};

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

}  // namespace chk
