// The kernel facade: every kernel primitive the io-wq port touches, with the kernel's semantics,
// written once over a small backend contract. The backend is chosen at compile time:
//   checked.h  (default)            every operation is a step of the chk model checker
//   native.h   (IOWQ_BACKEND_NATIVE) std::atomic with the kernel's orderings and real threads
//
// Backend contract (namespace kern, provided by checked.h / native.h):
//   srcloc                         a call site with static current(), file_name(), line(),
//                                  function_name() (chk::srcloc; std::source_location does not
//                                  build with clang 14 + libstdc++ 12)
//   atomic_cell<T>                 T(v, name, instance); set_name(name, instance);
//                                  load(mo, loc, label) const; store(v, mo, loc, label);
//                                  rmw(f, mo, loc, label) -> old; compare_exchange_strong(exp&, des,
//                                  mo, loc, label); fetch_add/fetch_sub/fetch_or/fetch_and/exchange
//                                  (v, mo, loc, label); peek() const (no step)
//   plain<T>                       a shared non-atomic field with chk::plain's interface
//                                  (load(loc), store(v, loc), conversion, =, +=, -=, ++, --,
//                                  peek(), poke(v), set_name)
//   lock_word                      lock(loc, label), unlock(loc, label), held_by_me(), locked(),
//                                  set_name(name, instance)
//   be::this_thread, be::spawn(body, name, daemon, loc), be::park(loc, label),
//   be::park_timeout(loc, label) -> woken, be::unpark(thread, loc, label),
//   be::await(pred, atomic_cell&, loc, label), be::choose(n, loc, label),
//   be::fail(property, message, loc) [[noreturn]], be::fence(), be::rcu_read_lock/unlock(),
//   be::free_now(p, n, loc), be::free_rcu(p, n, loc), be::at_execution_end(f),
//   be::current_slot() -> task_struct*&, be::note(text)
//
// Every primitive below says in one line what it guarantees (kernel semantics) and what
// implements it. Operations take their call site as a defaulted srcloc so that traces name the
// line of the port.
#pragma once

#include <cerrno>
#include <climits>
#include <cstddef>
#include <cstdint>
#include <string>

#if defined(IOWQ_BACKEND_NATIVE)
#include "model/kernel/native.h"
#else
#include "model/kernel/checked.h"
#endif

namespace kern {

using std::memory_order_acq_rel;
using std::memory_order_acquire;
using std::memory_order_relaxed;
using std::memory_order_release;
using std::memory_order_seq_cst;

// ---- errors and error pointers ----------------------------------------------------------------
// ENOMEM, EAGAIN, ESRCH, EINVAL come from <cerrno> (same values as the kernel's); these exist
// only inside the kernel.
inline constexpr long ERESTARTSYS = 512;
inline constexpr long ERESTARTNOINTR = 513;
inline constexpr long ERESTARTNOHAND = 514;
inline constexpr long MAX_ERRNO = 4095;

// ERR_PTR/IS_ERR/PTR_ERR: an error code encoded in the top page of pointer values, as the kernel.
template <class T>
T* ERR_PTR(long error) {
  return reinterpret_cast<T*>(static_cast<std::intptr_t>(error));
}
inline bool IS_ERR(const void* p) {
  return reinterpret_cast<std::uintptr_t>(p) >= static_cast<std::uintptr_t>(-MAX_ERRNO);
}
inline long PTR_ERR(const void* p) { return static_cast<long>(reinterpret_cast<std::intptr_t>(p)); }

// container_of for standard-layout types (every facade and port type is one): the enclosing
// object of a member, given the member's offset (offsetof at the call site).
template <class T, class M>
T* container_of(M* member, std::size_t offset) {
  return reinterpret_cast<T*>(reinterpret_cast<char*>(member) - offset);
}

// ---- checks -----------------------------------------------------------------------------------
// WARN_ON_ONCE(cond): a kernel warning is a failed execution (property "warn"); returns cond.
inline bool WARN_ON_ONCE(bool cond, srcloc loc = srcloc::current()) {
  if (cond) be::fail("warn", "WARN_ON_ONCE", loc);
  return cond;
}

// The environment the facade simulates; set per OS thread before exploring (iowq::configure).
struct environment {
  // create_io_thread() may fail with this error (0: never fails; -ENOMEM is final, -EAGAIN and
  // -ERESTART* make io-wq retry from a kworker), at most create_io_thread_failures times per
  // execution, each time as a nondeterministic choice.
  long create_io_thread_error = 0;
  int create_io_thread_failures = 1;
  // kzalloc() without __GFP_NOFAIL may return NULL, at most kzalloc_failures times per execution
  // (a choice each time): io-wq's io_wq_create (which then returns ERR_PTR(-ENOMEM)) and
  // create_io_worker.
  bool kzalloc_may_fail = false;
  int kzalloc_failures = 1;
  // Fault (mutant wake_no_running): try_to_wake_up() unparks the task but leaves its state.
  bool wake_no_running = false;
};
void set_environment(const environment& e);
const environment& env();

// A nondeterministic value in [0, n): an environment choice explored exhaustively (chk::choose).
inline int nondet(int n, srcloc loc = srcloc::current()) { return be::choose(n, loc, "nondet"); }

// ---- spinlocks --------------------------------------------------------------------------------
// raw_spinlock_t: mutual exclusion, acquire on lock and release on unlock, no sleeping while held
// (lock_word = chk::spinlock). A scenario may attach a check that runs just before every release,
// while the lock is still held (to assert invariants "whenever the lock is free").
struct raw_spinlock_t {
  lock_word l;
  void (*release_check)(void* ctx) = nullptr;
  void* release_ctx = nullptr;
};
using spinlock_t = raw_spinlock_t;

// Names the lock in traces.
inline void raw_spin_lock_init(raw_spinlock_t* lock, const char* name, int instance = -1) {
  lock->l.set_name(name, instance);
}
// raw_spin_lock: acquire; blocks while another thread holds it (chk::spinlock::lock).
inline void raw_spin_lock(raw_spinlock_t* lock, srcloc loc = srcloc::current()) { lock->l.lock(loc, "raw_spin_lock"); }
// raw_spin_unlock: runs the scenario's release check, then releases (chk::spinlock::unlock).
inline void raw_spin_unlock(raw_spinlock_t* lock, srcloc loc = srcloc::current()) {
  if (lock->release_check) lock->release_check(lock->release_ctx);
  lock->l.unlock(loc, "raw_spin_unlock");
}
// spin_lock_irq/spin_unlock_irq: as raw_spin_lock/unlock (interrupts are not modelled).
inline void spin_lock_irq(spinlock_t* lock, srcloc loc = srcloc::current()) { lock->l.lock(loc, "spin_lock_irq"); }
inline void spin_unlock_irq(spinlock_t* lock, srcloc loc = srcloc::current()) {
  if (lock->release_check) lock->release_check(lock->release_ctx);
  lock->l.unlock(loc, "spin_unlock_irq");
}
// lockdep_assert_held: WARN unless the current thread holds the lock (no step).
inline void lockdep_assert_held(const raw_spinlock_t* lock, srcloc loc = srcloc::current()) {
  if (!lock->l.held_by_me()) be::fail("warn", "lockdep_assert_held: lock not held", loc);
}
// Scenario hook: check(ctx) runs right before each release of `lock`, with the lock held.
inline void set_release_check(raw_spinlock_t* lock, void (*check)(void*), void* ctx) {
  lock->release_check = check;
  lock->release_ctx = ctx;
}

// ---- atomic_t -----------------------------------------------------------------------------------
// atomic_t: an int with the kernel's atomic_t orderings (atomic_cell<int>).
struct atomic_t {
  atomic_cell<int> counter;
};
inline void set_name(atomic_t* v, const char* name, int instance = -1) { v->counter.set_name(name, instance); }
// atomic_set: a plain (WRITE_ONCE) store, no ordering (relaxed store).
inline void atomic_set(atomic_t* v, int i, srcloc loc = srcloc::current()) {
  v->counter.store(i, memory_order_relaxed, loc, "atomic_set");
}
// atomic_read: a READ_ONCE load, no ordering (relaxed load).
inline int atomic_read(const atomic_t* v, srcloc loc = srcloc::current()) {
  return v->counter.load(memory_order_relaxed, loc, "atomic_read");
}
// atomic_inc/atomic_dec: atomic RMW without a return value, no ordering (relaxed RMW).
inline void atomic_inc(atomic_t* v, srcloc loc = srcloc::current()) {
  v->counter.fetch_add(1, memory_order_relaxed, loc, "atomic_inc");
}
inline void atomic_dec(atomic_t* v, srcloc loc = srcloc::current()) {
  v->counter.fetch_sub(1, memory_order_relaxed, loc, "atomic_dec");
}
// atomic_or: atomic RMW without a return value, no ordering (relaxed RMW).
inline void atomic_or(int i, atomic_t* v, srcloc loc = srcloc::current()) {
  v->counter.fetch_or(i, memory_order_relaxed, loc, "atomic_or");
}
// atomic_dec_and_test: fully ordered RMW; true when the new value is 0 (seq_cst RMW).
inline bool atomic_dec_and_test(atomic_t* v, srcloc loc = srcloc::current()) {
  return v->counter.fetch_sub(1, memory_order_seq_cst, loc, "atomic_dec_and_test") == 1;
}
// atomic_inc_return/atomic_dec_return: fully ordered RMW returning the new value (seq_cst RMW).
inline int atomic_inc_return(atomic_t* v, srcloc loc = srcloc::current()) {
  return v->counter.fetch_add(1, memory_order_seq_cst, loc, "atomic_inc_return") + 1;
}
inline int atomic_dec_return(atomic_t* v, srcloc loc = srcloc::current()) {
  return v->counter.fetch_sub(1, memory_order_seq_cst, loc, "atomic_dec_return") - 1;
}

// ---- bit operations on one unsigned long ----------------------------------------------------------
// bitmap: an `unsigned long` used with the kernel's bitops. The word is kept as `cells` atomic
// cells, bit nr living in cell nr % cells: operations on bits in different cells are different
// objects to the checker, so that (say) testing IO_WQ_BIT_EXIT and setting IO_WQ_BIT_EXIT_ON_IDLE
// are independent steps, as they are in the kernel (bitops act on their own bit). Bits that share
// a cell only add dependences, which is sound. set_mask_bits() needs its bits in one cell; a
// bitmap that uses it on several bits is made with one cell (init_bitmap).
struct bitmap {
  static constexpr unsigned max_cells = 4;
  atomic_cell<unsigned long> cell[max_cells];
  unsigned cells = max_cells;
};
inline void set_name(bitmap* b, const char* name, int instance = -1) {
  for (auto& c : b->cell) c.set_name(name, instance);
}
// One cell for the whole word (for set_mask_bits on several bits).
inline void init_bitmap_one_word(bitmap* b) { b->cells = 1; }
inline constexpr unsigned long BIT(unsigned nr) { return 1UL << nr; }
inline atomic_cell<unsigned long>& bit_cell(const bitmap* b, unsigned nr) {
  return const_cast<bitmap*>(b)->cell[nr % b->cells];
}
// The whole word, without a step (inspection).
inline unsigned long bitmap_peek(const bitmap* b) {
  unsigned long w = 0;
  for (unsigned i = 0; i < b->cells; ++i) w |= b->cell[i].peek();
  return w;
}
// test_bit: a READ_ONCE of the word, no ordering (relaxed load).
inline bool test_bit(unsigned nr, const bitmap* b, srcloc loc = srcloc::current()) {
  return (bit_cell(b, nr).load(memory_order_relaxed, loc, "test_bit") >> nr) & 1UL;
}
// set_bit/clear_bit: atomic RMW, no ordering (relaxed RMW).
inline void set_bit(unsigned nr, bitmap* b, srcloc loc = srcloc::current()) {
  bit_cell(b, nr).fetch_or(BIT(nr), memory_order_relaxed, loc, "set_bit");
}
inline void clear_bit(unsigned nr, bitmap* b, srcloc loc = srcloc::current()) {
  bit_cell(b, nr).fetch_and(~BIT(nr), memory_order_relaxed, loc, "clear_bit");
}
// test_and_set_bit/test_and_clear_bit: fully ordered RMW returning the old bit (seq_cst RMW).
inline bool test_and_set_bit(unsigned nr, bitmap* b, srcloc loc = srcloc::current()) {
  return (bit_cell(b, nr).fetch_or(BIT(nr), memory_order_seq_cst, loc, "test_and_set_bit") >> nr) & 1UL;
}
inline bool test_and_clear_bit(unsigned nr, bitmap* b, srcloc loc = srcloc::current()) {
  return (bit_cell(b, nr).fetch_and(~BIT(nr), memory_order_seq_cst, loc, "test_and_clear_bit") >> nr) & 1UL;
}
// test_and_set_bit_lock: RMW with acquire ordering, returning the old bit (acquire RMW).
inline bool test_and_set_bit_lock(unsigned nr, bitmap* b, srcloc loc = srcloc::current()) {
  return (bit_cell(b, nr).fetch_or(BIT(nr), memory_order_acquire, loc, "test_and_set_bit_lock") >> nr) & 1UL;
}
// clear_bit_unlock: RMW with release ordering (release RMW).
inline void clear_bit_unlock(unsigned nr, bitmap* b, srcloc loc = srcloc::current()) {
  bit_cell(b, nr).fetch_and(~BIT(nr), memory_order_release, loc, "clear_bit_unlock");
}
// set_mask_bits: word = (word & ~mask) | bits in one cmpxchg, fully ordered (seq_cst RMW). The
// bits must share a cell (a one-cell bitmap, or a single bit).
unsigned long set_mask_bits(bitmap* b, unsigned long mask, unsigned long bits, srcloc loc = srcloc::current());

// ---- refcount_t ---------------------------------------------------------------------------------
// refcount_t: a reference count that reports underflow, increment from zero and saturation as a
// violation of property "refcount" (atomic_cell<int>).
struct refcount_t {
  atomic_cell<int> refs;
};
inline void set_name(refcount_t* r, const char* name, int instance = -1) { r->refs.set_name(name, instance); }
// refcount_set: plain store (relaxed store).
inline void refcount_set(refcount_t* r, int n, srcloc loc = srcloc::current()) {
  r->refs.store(n, memory_order_relaxed, loc, "refcount_set");
}
inline int refcount_read(const refcount_t* r, srcloc loc = srcloc::current()) {
  return r->refs.load(memory_order_relaxed, loc, "refcount_read");
}
// refcount_inc_not_zero: increments unless 0; no ordering beyond the control dependency (relaxed
// RMW that writes back 0 when it was 0).
bool refcount_inc_not_zero(refcount_t* r, srcloc loc = srcloc::current());
// refcount_inc: increments; incrementing 0 is a use after free (relaxed RMW).
void refcount_inc(refcount_t* r, srcloc loc = srcloc::current());
// refcount_dec_and_test: release ordering, acquire on reaching 0 (acq_rel RMW, which is a little
// stronger on the non-zero path); true when it reached 0; below 0 is an underflow.
bool refcount_dec_and_test(refcount_t* r, srcloc loc = srcloc::current());

// ---- RCU and memory -------------------------------------------------------------------------------
// rcu_read_lock/rcu_read_unlock: a read-side critical section; kfree_rcu waits for every section
// that is open when it is called (chk::rcu_read_lock/unlock).
inline void rcu_read_lock() { be::rcu_read_lock(); }
inline void rcu_read_unlock() { be::rcu_read_unlock(); }

// kzalloc: a zeroed (value-initialised) object whose memory stays valid until the end of the
// execution, so that use after kfree is reported rather than crashing; returns nullptr when the
// environment lets allocations fail (a choice) unless gfp has __GFP_NOFAIL.
// gfp flags: __GFP_NOFAIL allocations never fail (used for io_uring-side objects of scenarios).
enum gfp_t : unsigned { GFP_KERNEL = 0x0cc0, __GFP_NOFAIL = 0x8000 };
inline constexpr gfp_t operator|(gfp_t a, gfp_t b) { return static_cast<gfp_t>(static_cast<unsigned>(a) | b); }
bool kzalloc_should_fail(srcloc loc);
template <class T>
T* kzalloc(gfp_t gfp = GFP_KERNEL, srcloc loc = srcloc::current()) {
  if (!(gfp & __GFP_NOFAIL) && kzalloc_should_fail(loc)) return nullptr;
  T* p = new T();
  be::at_execution_end([p] { delete p; });
  return p;
}
// kfree: the object is freed now (chk::free_object); later accesses are use after free.
template <class T>
void kfree(T* p, srcloc loc = srcloc::current()) {
  if (p) be::free_now(p, sizeof(T), loc);
}
// kfree_rcu: freed once every RCU reader open now has left (chk::free_object_rcu).
template <class T>
void kfree_rcu(T* p, srcloc loc = srcloc::current()) {
  be::free_rcu(p, sizeof(T), loc);
}
// smp_mb: a full barrier (seq_cst fence).
inline void smp_mb() { be::fence(); }
inline void smp_mb__after_atomic() { be::fence(); }

// ---- RCU lists ----------------------------------------------------------------------------------
// Next pointers are atomic cells: rcu_assign_pointer is a release store, rcu_dereference an acquire
// load, WRITE_ONCE/READ_ONCE relaxed; each hop of a reader is one step. Prev pointers are plain
// fields guarded by the writer's lock. Writers must hold the lock that serialises the list.

// list_head: a circular doubly linked list (the head is a list_head too).
struct list_head {
  atomic_cell<list_head*> next;
  plain<list_head*> prev;
};
void set_name(list_head* l, const char* name, int instance = -1);
// INIT_LIST_HEAD: next = prev = itself (WRITE_ONCE of next).
void INIT_LIST_HEAD(list_head* l, srcloc loc = srcloc::current());
// list_empty: READ_ONCE(head->next) == head.
bool list_empty(const list_head* head, srcloc loc = srcloc::current());
// list_add: insert after head (non-RCU).
void list_add(list_head* entry, list_head* head, srcloc loc = srcloc::current());
// list_del_init: unlink and reinitialise (non-RCU).
void list_del_init(list_head* entry, srcloc loc = srcloc::current());
// list_add_tail_rcu: publish at the tail with rcu_assign_pointer (release store of prev->next).
void list_add_tail_rcu(list_head* entry, list_head* head, srcloc loc = srcloc::current());
// list_del_rcu: unlink, leaving entry->next intact for readers; entry->prev is poisoned.
void list_del_rcu(list_head* entry, srcloc loc = srcloc::current());
// list_next_rcu: rcu_dereference(pos->next) (acquire load), the step of list_for_each_entry_rcu.
inline list_head* list_next_rcu(list_head* pos, srcloc loc = srcloc::current()) {
  return pos->next.load(memory_order_acquire, loc, "rcu_dereference");
}

// hlist_nulls: a singly linked list whose end marker is nullptr here (io-wq never reads the nulls
// value, it uses INIT_HLIST_NULLS_HEAD(&free_list, 0)).
struct hlist_nulls_node {
  atomic_cell<hlist_nulls_node*> next;
  plain<atomic_cell<hlist_nulls_node*>*> pprev;
};
struct hlist_nulls_head {
  atomic_cell<hlist_nulls_node*> first;
};
void set_name(hlist_nulls_node* n, const char* name, int instance = -1);
void INIT_HLIST_NULLS_HEAD(hlist_nulls_head* h, unsigned long nulls, const char* name, srcloc loc = srcloc::current());
inline bool is_a_nulls(const hlist_nulls_node* n) { return n == nullptr; }
// hlist_nulls_unhashed: !n->pprev (writer side, plain read).
inline bool hlist_nulls_unhashed(const hlist_nulls_node* n) { return n->pprev == nullptr; }
// hlist_nulls_add_head_rcu: publish at the head with rcu_assign_pointer (release store).
void hlist_nulls_add_head_rcu(hlist_nulls_node* n, hlist_nulls_head* h, srcloc loc = srcloc::current());
// hlist_nulls_del_rcu: unlink, leaving n->next for readers; n->pprev is poisoned.
void hlist_nulls_del_rcu(hlist_nulls_node* n, srcloc loc = srcloc::current());
// hlist_nulls_del_init_rcu: unlink if hashed, then n->pprev = NULL.
void hlist_nulls_del_init_rcu(hlist_nulls_node* n, srcloc loc = srcloc::current());
// The steps of hlist_nulls_for_each_entry_rcu: rcu_dereference of the head and of each next.
inline hlist_nulls_node* hlist_nulls_first_rcu(hlist_nulls_head* h, srcloc loc = srcloc::current()) {
  return h->first.load(memory_order_acquire, loc, "rcu_dereference");
}
inline hlist_nulls_node* hlist_nulls_next_rcu(hlist_nulls_node* n, srcloc loc = srcloc::current()) {
  return n->next.load(memory_order_acquire, loc, "rcu_dereference");
}

// ---- tasks --------------------------------------------------------------------------------------
inline constexpr unsigned TASK_RUNNING = 0x0000;
inline constexpr unsigned TASK_INTERRUPTIBLE = 0x0001;
inline constexpr unsigned TASK_UNINTERRUPTIBLE = 0x0002;
inline constexpr unsigned TASK_WAKEKILL = 0x0100;
inline constexpr unsigned TASK_NEW = 0x0800;
inline constexpr unsigned TASK_NORMAL = TASK_INTERRUPTIBLE | TASK_UNINTERRUPTIBLE;
inline constexpr long MAX_SCHEDULE_TIMEOUT = LONG_MAX;
inline constexpr long HZ = 1000;

inline constexpr unsigned PF_EXITING = 0x00000004;
inline constexpr unsigned PF_IO_WORKER = 0x00000010;
inline constexpr unsigned PF_WQ_WORKER = 0x00000020;
inline constexpr unsigned PF_KTHREAD = 0x00200000;

// Thread-info flag bits.
inline constexpr unsigned TIF_SIGPENDING = 2;
inline constexpr unsigned TIF_NOTIFY_SIGNAL = 17;

inline constexpr int NUMA_NO_NODE = -1;

struct callback_head;
using task_work_func_t = void (*)(callback_head*);

// callback_head: a task_work item. next is modified by task_work_cancel_match's cmpxchg.
struct callback_head {
  atomic_cell<callback_head*> next;
  plain<task_work_func_t> func;
};
// init_task_work: sets the function (plain store; ownership is the caller's business).
inline void init_task_work(callback_head* twork, task_work_func_t func, srcloc loc = srcloc::current()) {
  twork->func.store(func, loc);
}

enum task_work_notify_mode { TWA_NONE, TWA_RESUME, TWA_SIGNAL, TWA_SIGNAL_NO_IPI };

// task_struct: the fields io-wq and the scheduler hooks use. __state is written by the task
// (set_current_state) and by wakers (try_to_wake_up); flags only by the task itself.
struct task_struct {
  explicit task_struct(unsigned initial_state = TASK_RUNNING) : __state(initial_state, "task.state") {}
  task_struct(const task_struct&) = delete;
  task_struct& operator=(const task_struct&) = delete;

  atomic_cell<unsigned> __state;
  unsigned flags = 0;           // PF_*
  plain<void*> worker_private;  // io-wq: the io_worker of a PF_IO_WORKER task
  bitmap thread_flags;          // TIF_*
  atomic_cell<callback_head*> task_works;
  raw_spinlock_t pi_lock;
  // Model only (no steps): the backend thread, a name and ordinal for traces, lifetime ghosts.
  int thread = -1;
  int id = -1;
  const char* comm = "task";
  bool started = false;
  bool exited = false;
  // Called by do_exit as the task leaves, and by its thread's root when its function returns
  // (real-source mode counts its live workers with it).
  void (*on_exit)(task_struct*) = nullptr;
  int on_exit_arg = 0;
  void leave() {  // the task is gone: do_exit, or its thread function returned
    exited = true;
    if (on_exit) on_exit(this);
  }
  void* user = nullptr;  // real-source mode: the C struct task_struct of this task (realsrc/shim.cpp)
};

// current: the task the calling thread runs as (be::current_slot).
inline task_struct* current() { return be::current_slot(); }

// Scenario: makes the calling thread a task (state TASK_RUNNING) and returns it.
task_struct* make_current_task(const char* comm, unsigned flags = 0);

// get_task_struct/put_task_struct: task memory lives until the end of the execution, so the
// reference count is not modelled.
inline task_struct* get_task_struct(task_struct* t) { return t; }
inline void put_task_struct(task_struct*) {}

// set_current_state: state store followed by a full barrier (seq_cst store).
inline void set_current_state(unsigned state, srcloc loc = srcloc::current()) {
  current()->__state.store(state, memory_order_seq_cst, loc, "set_current_state");
}
// __set_current_state: state store without a barrier (relaxed store).
inline void __set_current_state(unsigned state, srcloc loc = srcloc::current()) {
  current()->__state.store(state, memory_order_relaxed, loc, "__set_current_state");
}
// task_is_running: READ_ONCE(t->__state) == TASK_RUNNING (relaxed load).
inline bool task_is_running(const task_struct* t, srcloc loc = srcloc::current()) {
  return t->__state.load(memory_order_relaxed, loc, "task_is_running") == TASK_RUNNING;
}

// The scheduler's io-wq hooks: schedule() calls sleeping(tsk) before sleeping when tsk is a
// PF_IO_WORKER whose state is not TASK_RUNNING (sched_submit_work), and running(tsk) after every
// return from __schedule (sched_update_worker). The port registers io_wq_worker_sleeping/running.
void set_io_worker_sched_hooks(void (*sleeping)(task_struct*), void (*running)(task_struct*));

// schedule(): as the kernel's: hooks as above; sleeps only while the state is not TASK_RUNNING and,
// for TASK_INTERRUPTIBLE, no signal or notify is pending (then the state is set back to
// TASK_RUNNING instead); a sleep ends when a waker sets TASK_RUNNING (spurious permits loop).
// Built on be::park.
void schedule(srcloc loc = srcloc::current());
// schedule_timeout: as schedule(); a finite timeout sleeps with be::park_timeout, whose expiry is
// an environment choice (only when the exploration enables timeouts); on expiry the timer wakes
// the task. Returns 0 iff the timeout fired, else the remaining time (> 0).
long schedule_timeout(long timeout, srcloc loc = srcloc::current());
inline void cond_resched() {}

// try_to_wake_up/wake_up_state: if t->__state & state, set TASK_RUNNING (fully ordered RMW of the
// state) and unpark t; returns whether it woke. wake_up_process is wake_up_state(t, TASK_NORMAL).
bool wake_up_state(task_struct* t, unsigned state, srcloc loc = srcloc::current());
inline bool wake_up_process(task_struct* t, srcloc loc = srcloc::current()) {
  return wake_up_state(t, TASK_NORMAL, loc);
}

// signal_pending: TIF_SIGPENDING or TIF_NOTIFY_SIGNAL set (one relaxed load of the flags word).
bool signal_pending(const task_struct* t, srcloc loc = srcloc::current());
// fatal_signal_pending: the only signal modelled is SIGKILL (TIF_SIGPENDING).
bool fatal_signal_pending(const task_struct* t, srcloc loc = srcloc::current());
// __set_notify_signal: test_and_set TIF_NOTIFY_SIGNAL; if newly set, wake_up_state(t,
// TASK_INTERRUPTIBLE); returns true when the kernel would kick the task (no effect here).
bool __set_notify_signal(task_struct* t, srcloc loc = srcloc::current());
inline void set_notify_signal(task_struct* t, srcloc loc = srcloc::current()) { (void)__set_notify_signal(t, loc); }
// clear_notify_signal: clear TIF_NOTIFY_SIGNAL of current, then a full barrier.
void clear_notify_signal(srcloc loc = srcloc::current());
inline bool test_thread_flag(unsigned flag, srcloc loc = srcloc::current()) {
  return test_bit(flag, &current()->thread_flags, loc);
}
// Scenario: sends SIGKILL (sets TIF_SIGPENDING, wakes interruptible and killable sleeps).
void send_sigkill(task_struct* t, srcloc loc = srcloc::current());
// Scenario: the SIGKILL a group exit or exec (zap_other_threads) sends to the task's io threads:
// send_sigkill to every task made by create_io_thread in this execution that has not exited.
void kill_io_threads(srcloc loc = srcloc::current());

struct ksignal {
  int sig = 0;
};
// get_signal for io threads: clears the notify flag, runs pending task_work, and returns true
// only when a fatal signal is pending (PF_IO_WORKER threads handle their own exit).
bool get_signal(ksignal* ksig, srcloc loc = srcloc::current());

// ---- task_work ----------------------------------------------------------------------------------
// task_work_add: push twork on t's LIFO list with a cmpxchg loop (fails with -ESRCH once t has run
// its exit_task_work), then notify (TWA_SIGNAL: set_notify_signal). Returns 0 or -ESRCH.
int task_work_add(task_struct* t, callback_head* twork, task_work_notify_mode notify, srcloc loc = srcloc::current());
// task_work_cancel_match: under t->pi_lock, remove and return the first queued item for which
// match(cb, data) holds (cmpxchg of the predecessor's link), or nullptr.
callback_head* task_work_cancel_match(task_struct* t, bool (*match)(callback_head*, void*), void* data,
                                      srcloc loc = srcloc::current());
// task_work_pending: READ_ONCE(t->task_works) != NULL.
bool task_work_pending(const task_struct* t, srcloc loc = srcloc::current());
// task_work_run: on current, take the whole list (xchg), synchronise with cancel through
// pi_lock, run the items, repeat until empty; an exiting task installs the "exited" marker.
void task_work_run(srcloc loc = srcloc::current());
// Scenario: the task exits its task_work (PF_EXITING + task_work_run): later adds fail.
void exit_task_work(srcloc loc = srcloc::current());
// io_run_task_work (io_uring.h, 6.14): clear TIF_NOTIFY_SIGNAL if set; if task_work is pending,
// set TASK_RUNNING and run it; returns whether it ran any. (The PF_IO_WORKER branches for
// TIF_NOTIFY_RESUME and current->io_uring are not modelled: io-wq workers have neither.)
bool io_run_task_work(srcloc loc = srcloc::current());

// ---- completion ---------------------------------------------------------------------------------
// completion: a counter of completions with a FIFO of sleeping waiters under its own spinlock.
struct swait_entry {
  task_struct* task = nullptr;
  swait_entry* next = nullptr;
  bool queued = false;
};
struct completion {
  raw_spinlock_t wait_lock;
  unsigned done = 0;             // guarded by wait_lock
  swait_entry* head = nullptr;   // guarded by wait_lock
  unsigned ghost_completed = 0;  // model only: complete() calls so far
};
void init_completion(completion* x, const char* name = "completion", int instance = -1);
// complete: done++ and wake the first waiter, under the completion's lock.
void complete(completion* x, srcloc loc = srcloc::current());
// wait_for_completion: TASK_UNINTERRUPTIBLE wait until done > 0, then done--; sleeps through
// schedule_timeout(MAX_SCHEDULE_TIMEOUT), so the io-worker sched hooks run as in the kernel.
void wait_for_completion(completion* x, srcloc loc = srcloc::current());
inline bool completion_done_peek(const completion* x) { return x->ghost_completed > 0; }

// ---- wait queues --------------------------------------------------------------------------------
struct wait_queue_entry;
using wait_queue_func_t = int (*)(wait_queue_entry* wq_entry, unsigned mode, int flags, void* key);
struct wait_queue_entry {
  unsigned flags = 0;
  void* priv = nullptr;
  wait_queue_func_t func = nullptr;
  list_head entry;
};
struct wait_queue_head {
  spinlock_t lock;
  list_head head;
};
void init_waitqueue_head(wait_queue_head* wq_head, const char* name, srcloc loc = srcloc::current());
// __add_wait_queue: add at the head of the list (caller holds wq_head->lock; no priority entries).
void __add_wait_queue(wait_queue_head* wq_head, wait_queue_entry* wq_entry, srcloc loc = srcloc::current());
// wq_has_sleeper: full barrier, then !list_empty(&wq_head->head) without the lock.
bool wq_has_sleeper(wait_queue_head* wq_head, srcloc loc = srcloc::current());
// wake_up: under wq_head->lock, call each entry's func (which may unlink itself).
void wake_up(wait_queue_head* wq_head, srcloc loc = srcloc::current());

// ---- threads ------------------------------------------------------------------------------------
// task_exit: thrown by do_exit to leave the thread function (caught by create_io_thread's thread).
struct task_exit {};

// create_io_thread: a new PF_IO_WORKER task running fn(arg) on its own daemon thread, which does
// not run fn until wake_up_new_task(tsk). Returns the task, or ERR_PTR(error) when the
// environment lets this creation fail (a choice).
task_struct* create_io_thread(int (*fn)(void*), void* arg, int node, srcloc loc = srcloc::current());
// wake_up_new_task: the new task becomes TASK_RUNNING and starts (seq_cst store of its state).
void wake_up_new_task(task_struct* tsk, srcloc loc = srcloc::current());
// do_exit: the current task exits: PF_EXITING, its task_work is closed, the thread ends.
[[noreturn]] void do_exit(long code, srcloc loc = srcloc::current());

// Workqueues: schedule_work runs work->func(work) on a short-lived kworker thread (a new thread
// per call); a delayed work's delay is not modelled (any interleaving is explored anyway).
struct work_struct;
using work_func_t = void (*)(work_struct*);
struct work_struct {
  work_func_t func = nullptr;
};
struct delayed_work {
  work_struct work;
};
inline void INIT_WORK(work_struct* w, work_func_t f) { w->func = f; }
inline void INIT_DELAYED_WORK(delayed_work* dw, work_func_t f) { dw->work.func = f; }
bool schedule_work(work_struct* w, srcloc loc = srcloc::current());
inline bool schedule_delayed_work(delayed_work* dw, unsigned long /*delay*/, srcloc loc = srcloc::current()) {
  return schedule_work(&dw->work, loc);
}
inline unsigned long msecs_to_jiffies(unsigned long ms) { return ms; }

// ---- model-only inspection ----------------------------------------------------------------------
// A line in the trace (shown with counterexamples).
inline void note(std::string text) { be::note(std::move(text)); }

}  // namespace kern
