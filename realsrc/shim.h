// The C++ side of the kernel environment (realsrc/include/kenv.h): what the adapter that drives a
// loaded io-wq.c (real_ops.cpp) needs from the shim beyond the kenv_* functions the C code calls.
#pragma once

#include <cstddef>

#include "model/kernel/kernel.h"
#include "realsrc/include/kenv_types.h"

namespace realsrc {

// The C task_struct that stands for a facade task (made on first use) and back.
task_struct* c_task(kern::task_struct* t);
kern::task_struct* k_task(task_struct* t);

// What the loaded io-wq calls on the io_uring side (io_wq_submit_work / io_wq_free_work, directly
// or through io_wq_data), and the acct a worker belongs to (for counting live worker threads).
struct request_side {
  void (*submit)(void* ctx, io_wq_work* work) = nullptr;
  io_wq_work* (*free)(void* ctx, io_wq_work* work) = nullptr;
  int (*worker_acct)(void* ctx, void* worker) = nullptr;  // the io_worker's acct index
  void* ctx = nullptr;
};
// Set for the current execution by the adapter (forgotten when the execution ends).
void set_request_side(const request_side& r);

// The facade's lock held in place in a C raw_spinlock_t (the accounting locks of the invariants).
kern::raw_spinlock_t* facade_lock(raw_spinlock_t* l);

}  // namespace realsrc
