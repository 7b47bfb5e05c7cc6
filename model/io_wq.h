// The C++ port of io_uring/io-wq.c (Linux 6.14), written against the kernel facade
// (model/kernel/kernel.h) only; what io-wq shares with io_uring and with the other ports is
// model/io_wq_api.h. The variant (baseline, the seed
// v1, the upstream merge) and the seeded mutants are chosen at run time (model/config.h).
//
// The structures are defined here so that scenarios can hand io-wq their work items and a
// reviewer can compare the fields with io-wq.c; scenarios inspect a live io_wq through
// io_wq_peek(), which takes no steps.
#pragma once

#include <atomic>
#include <cstdint>

#include "model/config.h"
#include "model/io_wq_api.h"
#include "model/kernel/kernel.h"
#include "model/slist.h"

namespace iowq {

using kern::task_struct;

// io-wq.c
inline constexpr unsigned IO_WQ_HASH_ORDER = 6;
inline constexpr unsigned IO_WQ_NR_HASH_BUCKETS = 1u << IO_WQ_HASH_ORDER;

struct io_wq;

// One for each thread in a wq pool.
struct io_worker {
  kern::refcount_t ref;
  kern::plain<int> create_index;
  kern::bitmap flags;  // IO_WORKER_F_* bit numbers, bitops since 6.10
  kern::hlist_nulls_node nulls_node;
  kern::list_head all_list;
  kern::plain<task_struct*> task;
  kern::plain<io_wq*> wq;

  kern::plain<io_wq_work*> cur_work;
  kern::raw_spinlock_t lock;

  kern::completion ref_done;

  kern::bitmap create_state;
  kern::callback_head create_work;
  kern::plain<int> init_retries;

  // union { struct rcu_head rcu; struct delayed_work work; } in the kernel: kfree_rcu needs no
  // head here, so only the delayed work is kept.
  kern::delayed_work work;

  int id = -1;          // model only: creation ordinal in this execution, for trace names
  int ghost_acct = -1;  // model only: index of its acct, read without a step by ghost updates
};

struct io_wq_acct {
  kern::plain<unsigned> nr_workers;   // wq->lock
  kern::plain<unsigned> max_workers;  // wq->lock
  kern::plain<int> index;
  kern::atomic_t nr_running;
  kern::raw_spinlock_t lock;
  io_wq_work_list work_list;  // acct->lock
  kern::bitmap flags;         // IO_ACCT_STALLED_BIT
};

// Per io_wq state.
struct io_wq {
  kern::bitmap state;

  // Set by io_wq_create() before any other thread can see the wq, never changed.
  free_work_fn* free_work = nullptr;
  io_wq_work_fn* do_work = nullptr;
  io_wq_hash* hash = nullptr;

  kern::atomic_t worker_refs;
  kern::completion worker_done;

  kern::plain<task_struct*> task;

  io_wq_acct acct[IO_WQ_ACCT_NR];

  // lock protects access to elements below (and acct->nr_workers, max_workers in 6.14)
  kern::raw_spinlock_t lock;

  kern::hlist_nulls_head free_list;
  kern::list_head all_list;

  kern::wait_queue_entry wait;

  kern::plain<io_wq_work*> hash_tail[IO_WQ_NR_HASH_BUCKETS];

  // cpumask_var_t cpu_mask and the cpuhp node are not modelled (see exit_mask in io_wq_worker).

  // Model only, no steps: worker threads alive per acct (from io_wq_worker's start to its
  // io_worker_exit), workers created, and a counter for worker names.
  // Relaxed atomics: on the native backend concurrent workers update them (plain ints would be
  // data races TSan reports on correct code), and relaxed RMWs add no happens-before that could
  // hide a real race. No steps in either backend.
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
// v1 and merged only: in the baseline variant the function does not exist upstream and does nothing.
void io_wq_set_exit_on_idle(io_wq* wq, bool enable);

void io_wq_enqueue(io_wq* wq, io_wq_work* work);
// The hash bucket is (uintptr_t)val modulo IO_WQ_NR_HASH_BUCKETS instead of hash_ptr(val), so that
// buckets do not depend on addresses: pass small integer keys, e.g. (void*)1. Note that 6.14
// computes a hash of 0 for unhashed work (io_worker_handle_work), so key 0 shares that bucket.
void io_wq_hash_work(io_wq_work* work, void* val);

int io_wq_max_workers(io_wq* wq, int* new_count);
bool io_wq_worker_stopped();

io_wq_cancel io_wq_cancel_cb(io_wq* wq, work_cancel_fn* cancel, void* data, bool cancel_all);

void io_wq_worker_sleeping(task_struct* tsk);
void io_wq_worker_running(task_struct* tsk);

// ---- inspection (no steps: for end checks and invariants; wq_view is io_wq_api.h's) ----------------
wq_view io_wq_peek(const io_wq* wq);

// Registers io_wq_worker_sleeping/io_wq_worker_running with the facade's scheduler (done by
// io_wq_create; exposed for scenarios that build tasks before any wq exists).
void register_sched_hooks();

}  // namespace iowq
