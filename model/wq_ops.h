// One io-wq implementation as the scenarios drive it. Two ports implement it: model/io_wq.cpp
// (Linux 6.14, the seed's base: variants baseline, v1, merged) and model/upstream/ (the 6.19
// stable io-wq with exit-on-idle merged: variant upstream and the fixes found by this suite).
// Both share io_wq_work, io_wq_hash, io_wq_data and wq_view from model/io_wq.h; a handle is the
// implementation's own struct io_wq.
#pragma once

#include "model/io_wq.h"

namespace iowq {

struct wq_ops {
  const char* base;  // "6.14" or "6.19"
  void* (*create)(unsigned bounded, io_wq_data* data);
  void (*enqueue)(void* wq, io_wq_work* work);
  void (*hash_work)(io_wq_work* work, void* val);
  void (*exit_start)(void* wq);
  void (*put_and_exit)(void* wq);
  void (*set_exit_on_idle)(void* wq, bool enable);
  io_wq_cancel (*cancel_cb)(void* wq, work_cancel_fn* fn, void* data, bool cancel_all);
  wq_view (*peek)(const void* wq);
  // The locks that guard acct->nr_workers (wq->lock in 6.14, each acct's workers_lock in 6.19):
  // writes them to locks[0..n) and returns n (at most IO_WQ_ACCT_NR).
  int (*accounting_locks)(void* wq, kern::raw_spinlock_t** locks);
};

const wq_ops& ops_6_14();
// The port for a variant: 6.14 for baseline, v1 and merged; 6.19 for upstream and its fixes.
const wq_ops& ops_for(variant v);

}  // namespace iowq
