// The io-wq API every port shares: what io_uring's io-wq.h gives the io_uring side (the work
// flags, io_wq_cancel, io_wq_hash, io_wq_data and its callbacks) and the step-free view of a live
// io_wq (wq_view) that end checks and invariants read. The ports are model/io_wq.h (6.14) and
// model/upstream/io_wq.h (6.19); real-source mode (realsrc/) maps the kernel's own structures onto
// wq_view.
#pragma once

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

inline bool io_wq_is_hashed(io_wq_work* work, kern::srcloc loc = kern::srcloc::current()) {
  return kern::atomic_read(&work->flags, loc) & IO_WQ_WORK_HASHED;
}

inline bool io_wq_current_is_worker() {
  return (kern::current()->flags & kern::PF_IO_WORKER) && kern::current()->worker_private.load() != nullptr;
}

// The two accts of io-wq.c (6.14 and 6.19 alike).
enum {
  IO_WQ_ACCT_BOUND,
  IO_WQ_ACCT_UNBOUND,
  IO_WQ_ACCT_NR,
};

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
  bool worker_done = false;  // complete(&wq->worker_done) has happened
  int threads_started = 0;
  int threads_exited = 0;
  int free_list_len = 0;
  int all_list_len = 0;
  acct_view acct[IO_WQ_ACCT_NR];
};

// ---- io_uring-side helpers the scenarios need (defined in model/io_wq.cpp) ---------------------------
// io_init_wq_offload's part: a hash with one reference and its wait queue (never fails here).
io_wq_hash* io_wq_hash_alloc();
// io-wq.h: drops a reference, frees on the last.
void io_wq_put_hash(io_wq_hash* hash);
// io_prep_async_work's part: list.next = NULL, flags = the given IO_WQ_WORK_* bits.
void io_wq_work_init(io_wq_work* work, unsigned flags, int instance = -1);

}  // namespace iowq
