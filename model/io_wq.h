// The C++ port of io_uring/io-wq.c (Linux 6.14) and the parts of io-wq.h the io_uring side uses,
// written against the kernel facade (model/kernel/kernel.h) only. The variant (baseline, the seed
// v1, the upstream merge) and the seeded mutants are chosen at run time (model/config.h).
//
// The structures are defined here so that scenarios can hand io-wq their work items and a
// reviewer can compare the fields with io-wq.c; scenarios inspect a live io_wq through
// io_wq_peek(), which takes no steps.
#pragma once

#include <atomic>
#include <cstdint>

#include "model/config.h"
#include "model/kernel/kernel.h"
#include "model/slist.h"

namespace iowq {

using kern::task_struct;

// io-wq.h
enum {
  IO_WQ_WORK_CANCEL = 1,
  IO_WQ_WORK_HASHED = 2,
  IO_WQ_WORK_UNBOUND = 4,
  IO_WQ_WORK_CONCURRENT = 16,

  IO_WQ_HASH_SHIFT = 24, /* upper 8 bits are used for hash key */
};

enum io_wq_cancel {
  IO_WQ_CANCEL_OK,       /* cancelled before started */
  IO_WQ_CANCEL_RUNNING,  /* found, running, and attempted cancelled */
  IO_WQ_CANCEL_NOTFOUND, /* work not found */
};

struct io_wq_hash {
  kern::refcount_t refs;
  kern::bitmap map;
  kern::wait_queue_head wait;
};

using free_work_fn = io_wq_work*(io_wq_work*);
using io_wq_work_fn = void(io_wq_work*);
using work_cancel_fn = bool(io_wq_work*, void*);

// io_wq_data as in 6.14 (the io_uring side passes io_wq_submit_work/io_wq_free_work).
struct io_wq_data {
  io_wq_hash* hash = nullptr;
  task_struct* task = nullptr;
  free_work_fn* free_work = nullptr;
  io_wq_work_fn* do_work = nullptr;
};

// io-wq.c
inline constexpr unsigned IO_WQ_HASH_ORDER = 6;
inline constexpr unsigned IO_WQ_NR_HASH_BUCKETS = 1u << IO_WQ_HASH_ORDER;

enum {
  IO_WQ_ACCT_BOUND,
  IO_WQ_ACCT_UNBOUND,
  IO_WQ_ACCT_NR,
};

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

inline bool io_wq_is_hashed(io_wq_work* work, kern::srcloc loc = kern::srcloc::current()) {
  return kern::atomic_read(&work->flags, loc) & IO_WQ_WORK_HASHED;
}

io_wq_cancel io_wq_cancel_cb(io_wq* wq, work_cancel_fn* cancel, void* data, bool cancel_all);

void io_wq_worker_sleeping(task_struct* tsk);
void io_wq_worker_running(task_struct* tsk);

inline bool io_wq_current_is_worker() {
  return (kern::current()->flags & kern::PF_IO_WORKER) && kern::current()->worker_private.load() != nullptr;
}

// ---- io_uring-side helpers the scenarios need -----------------------------------------------------
// io_init_wq_offload's part: a hash with one reference and its wait queue (never fails here).
io_wq_hash* io_wq_hash_alloc();
// io-wq.h: drops a reference, frees on the last.
void io_wq_put_hash(io_wq_hash* hash);
// io_prep_async_work's part: list.next = NULL, flags = the given IO_WQ_WORK_* bits.
void io_wq_work_init(io_wq_work* work, unsigned flags, int instance = -1);

// ---- inspection (no steps: for end checks and invariants) ------------------------------------------
struct acct_view {
  unsigned nr_workers = 0;
  unsigned max_workers = 0;
  int nr_running = 0;
  int pending = 0;       // items on work_list
  int live_threads = 0;  // worker threads of this acct between start and exit
  bool stalled = false;
};
struct wq_view {
  bool exit = false;          // IO_WQ_BIT_EXIT
  bool exit_on_idle = false;  // IO_WQ_BIT_EXIT_ON_IDLE
  int worker_refs = 0;
  bool worker_done = false;   // complete(&wq->worker_done) has happened
  int threads_started = 0;
  int threads_exited = 0;
  int free_list_len = 0;
  int all_list_len = 0;
  acct_view acct[IO_WQ_ACCT_NR];
};
wq_view io_wq_peek(const io_wq* wq);

// Registers io_wq_worker_sleeping/io_wq_worker_running with the facade's scheduler (done by
// io_wq_create; exposed for scenarios that build tasks before any wq exists).
void register_sched_hooks();

}  // namespace iowq
