// One io-wq implementation as the scenarios drive it: the two ports (model/io_wq.cpp for 6.14,
// model/upstream/ for 6.19) and the real io-wq.c of a kernel tree (realsrc/). The interface speaks
// in work item indices, so that an implementation with its own `struct io_wq_work` (the kernel's
// C struct) fits: each implementation makes and owns its work objects, and calls back into the
// io_uring side (the scenario) with the index of the item.
#pragma once

#include "model/config.h"
#include "model/io_wq_api.h"

namespace iowq {

// What io-wq calls on the io_uring side (io_wq_data's functions / io_wq_submit_work and
// io_wq_free_work), by item index.
struct wq_callbacks {
  void (*do_work)(int index);   // io_wq_submit_work: runs (or fails, when cancelled) the request
  int (*free_work)(int index);  // io_wq_free_work: the request's linked request, or -1
};

struct wq_ops {
  const char* base;             // "6.14", "6.19", or the tree's version
  const char* nr_workers_lock;  // the lock that guards acct->nr_workers, for messages
  // Bit (1 << M) per mutant this implementation does not place (its code has no counterpart of
  // the mutated line); creating a wq with one of them enabled fails the execution.
  std::uint64_t unsupported_mutants;
  // io_uring_alloc_task_context and io_init_wq_offload, on the current task: a wq on `hash` (the
  // ring's ctx->hash_map, shared by the tasks of one ring; see hash_alloc), or, when hash is
  // nullptr, on a hash of its own with one reference that put_and_exit drops. The handle is freed
  // when the execution ends.
  void* (*create)(unsigned bounded, const wq_callbacks* cb, void* hash);
  // A ring's ctx->hash_map: a hash with one reference (the ring's), dropped by hash_put.
  void* (*hash_alloc)();
  void (*hash_put)(void* hash);
  // io_prep_async_work's part: item `index`'s work with IO_WQ_WORK_* flags, hashed on hash_key
  // when it is > 0 (io_wq_hash_work).
  void* (*make_work)(void* wq, int index, unsigned flags, int hash_key);
  // atomic_read(&work->flags) & IO_WQ_WORK_CANCEL, as io_wq_submit_work reads it (a step).
  bool (*work_cancelled)(void* work);
  void (*enqueue)(void* wq, void* work);
  void (*exit_start)(void* wq);
  // io_wq_put_and_exit, then the io_uring side's io_wq_put_hash.
  void (*put_and_exit)(void* wq);
  // io_wq_set_exit_on_idle; nullptr when this io-wq has none.
  void (*set_exit_on_idle)(void* wq, bool enable);
  // io_wq_cancel_cb matching item `index`, or every item when index < 0.
  io_wq_cancel (*cancel)(void* wq, int index, bool cancel_all);
  // Inspection without steps (end checks, invariants).
  wq_view (*peek)(const void* wq);
  // The locks that guard acct->nr_workers: writes them to locks[0..n) and returns n (at most
  // IO_WQ_ACCT_NR).
  int (*accounting_locks)(void* wq, kern::raw_spinlock_t** locks);
};

const wq_ops& ops_6_14();
const wq_ops& ops_upstream();
// The implementation a variant runs on (variant_info::ops).
const wq_ops& ops_for(variant v);

}  // namespace iowq
