// The C++ port of today's upstream io_uring/io-wq.c: the 6.19 stable tree with exit-on-idle merged
// (38aa434ab933 "io_uring/io-wq: add exit-on-idle state"), read from gregkh/linux at blob commit
// 2519003dd5fb. Variant `upstream` runs it as released; the `upstream-fix-*` variants switch on the
// fixes for the problems this suite found in it (model/config.h), each at the line it changes.
//
// What differs from the 6.14 port (model/io_wq.h) is the io-wq side only: the worker lists, their
// lock and nr_workers moved into each io_wq_acct (workers_lock, free_list, all_list), a worker
// points at its acct instead of carrying IO_WORKER_F_BOUND, and io_wq has no wq->lock. The types
// io-wq shares with io_uring (io_wq_work, io_wq_hash, io_wq_data, the work flags, wq_view) are
// model/io_wq_api.h's, in namespace iowq; everything here is in iowq::upstream.
#pragma once

#include <atomic>
#include <cstdint>

#include "model/config.h"
#include "model/io_wq_api.h"
#include "model/wq_ops.h"

namespace iowq::upstream {

using kern::task_struct;

inline constexpr unsigned IO_WQ_HASH_ORDER = 6;
inline constexpr unsigned IO_WQ_NR_HASH_BUCKETS = 1u << IO_WQ_HASH_ORDER;

struct io_wq;
struct io_wq_acct;

// A worker thread of the pool (or, until its thread exists, a pending creation).
struct io_worker {
  kern::refcount_t ref;
  kern::bitmap flags;  // IO_WORKER_F_UP, _RUNNING, _FREE (bit numbers)
  kern::hlist_nulls_node nulls_node;
  kern::list_head all_list;
  kern::plain<task_struct*> task;
  kern::plain<io_wq*> wq;
  kern::plain<io_wq_acct*> acct;  // replaces 6.14's IO_WORKER_F_BOUND and create_index

  kern::plain<io_wq_work*> cur_work;
  kern::raw_spinlock_t lock;

  kern::completion ref_done;

  kern::bitmap create_state;
  kern::callback_head create_work;
  kern::plain<int> init_retries;

  // union { struct rcu_head rcu; struct delayed_work work; }: kfree_rcu needs no head here.
  kern::delayed_work work;

  int id = -1;          // model only: creation ordinal in this execution, for trace names
  int ghost_acct = -1;  // model only: index of its acct, read without a step by ghost updates
};

struct io_wq_acct {
  // Guards nr_workers, max_workers and the two worker lists (list readers rely on RCU instead).
  kern::raw_spinlock_t workers_lock;

  kern::plain<unsigned> nr_workers;
  kern::plain<unsigned> max_workers;
  kern::atomic_t nr_running;

  kern::hlist_nulls_head free_list;  // workers_lock (write), RCU (read)
  kern::list_head all_list;          // workers_lock (write), RCU (read)

  kern::raw_spinlock_t lock;
  io_wq_work_list work_list;  // acct->lock
  kern::bitmap flags;         // IO_ACCT_STALLED_BIT

  int ghost_index = -1;  // model only: IO_WQ_ACCT_BOUND or IO_WQ_ACCT_UNBOUND, for names and peeks
};

// The pool of one task.
struct io_wq {
  kern::bitmap state;

  // Upstream calls io_wq_submit_work()/io_wq_free_work() directly (the do_work/free_work
  // indirection is gone); the port keeps the pointers from io_wq_data so that a scenario supplies
  // them, set by io_wq_create() before any other thread sees the wq and never changed.
  free_work_fn* free_work = nullptr;
  io_wq_work_fn* do_work = nullptr;

  io_wq_hash* hash = nullptr;

  kern::atomic_t worker_refs;
  kern::completion worker_done;

  // struct hlist_node cpuhp_node: CPU hotplug is not modelled.

  kern::plain<task_struct*> task;

  io_wq_acct acct[IO_WQ_ACCT_NR];

  kern::wait_queue_entry wait;

  kern::plain<io_wq_work*> hash_tail[IO_WQ_NR_HASH_BUCKETS];

  // cpumask_var_t cpu_mask: not modelled (see exit_mask in io_wq_worker).

  // Model only, no steps: worker threads alive per acct (from io_wq_worker's start to its
  // io_worker_exit), workers created, and a counter for worker names.
  // Relaxed atomics, as in the 6.14 port: on the native backend concurrent workers update them
  // (plain ints would be data races TSan reports on correct code), and relaxed RMWs add no
  // happens-before that could hide a real race. No steps in either backend.
  struct ghost_state {
    std::atomic<int> live_threads[IO_WQ_ACCT_NR] = {};
    std::atomic<int> threads_started{0};
    std::atomic<int> threads_exited{0};
    std::atomic<int> workers_allocated{0};
  } ghost;
};

// ---- the interface of io-wq.h -------------------------------------------------------------------
io_wq* io_wq_create(unsigned bounded, io_wq_data* data);
void io_wq_exit_start(io_wq* wq);
void io_wq_put_and_exit(io_wq* wq);
void io_wq_set_exit_on_idle(io_wq* wq, bool enable);

void io_wq_enqueue(io_wq* wq, io_wq_work* work);
// As in the 6.14 port, the bucket is (uintptr_t)val modulo IO_WQ_NR_HASH_BUCKETS (no hash_ptr).
void io_wq_hash_work(io_wq_work* work, void* val);

int io_wq_max_workers(io_wq* wq, int* new_count);
bool io_wq_worker_stopped();

io_wq_cancel io_wq_cancel_cb(io_wq* wq, work_cancel_fn* cancel, void* data, bool cancel_all);

void io_wq_worker_sleeping(task_struct* tsk);
void io_wq_worker_running(task_struct* tsk);

// Registers this port's io_wq_worker_sleeping/io_wq_worker_running with the facade's scheduler
// (io_wq_create does it, so whichever port created the wq gets the hooks).
void register_sched_hooks();

// ---- inspection (no steps) ---------------------------------------------------------------------------
wq_view io_wq_peek(const io_wq* wq);

}  // namespace iowq::upstream

namespace iowq {
// The upstream port as the scenarios drive it (model/wq_ops.h).
const wq_ops& ops_upstream();
}  // namespace iowq
