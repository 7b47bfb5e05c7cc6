// Port of io_uring/slist.h (the wq_list_* helpers io-wq uses) over the kernel facade.
//
// list->first is read without the lock by wq_list_empty (READ_ONCE) and written with WRITE_ONCE
// where the kernel does, so it is an atomic cell with relaxed accesses; the kernel's plain reads
// of `first` under the lock are relaxed loads too. `last` and node->next are plain fields guarded
// by the owning acct->lock.
#pragma once

#include "model/kernel/kernel.h"

namespace iowq {

struct io_wq_work_node {
  kern::plain<io_wq_work_node*> next;
};

struct io_wq_work_list {
  kern::atomic_cell<io_wq_work_node*> first;
  kern::plain<io_wq_work_node*> last;
};

// io_wq_work (include/linux/io_uring_types.h, 6.14): flags is an atomic_t since 6.11.
struct io_wq_work {
  io_wq_work_node list;
  kern::atomic_t flags;
  int cancel_seq = 0;
};

inline io_wq_work* work_of(io_wq_work_node* node) {
  return kern::container_of<io_wq_work>(node, offsetof(io_wq_work, list));
}

// wq_list_empty: READ_ONCE(list->first) == NULL.
inline bool wq_list_empty(const io_wq_work_list* list, kern::srcloc loc = kern::srcloc::current()) {
  return list->first.load(kern::memory_order_relaxed, loc, "wq_list_empty") == nullptr;
}

// The head read of wq_list_for_each (a plain read under the lock in the kernel).
inline io_wq_work_node* wq_list_first(const io_wq_work_list* list, kern::srcloc loc = kern::srcloc::current()) {
  return list->first.load(kern::memory_order_relaxed, loc, "wq_list_first");
}

inline void INIT_WQ_LIST(io_wq_work_list* list, kern::srcloc loc = kern::srcloc::current()) {
  list->first.store(nullptr, kern::memory_order_relaxed, loc, "INIT_WQ_LIST");
}

inline void wq_list_add_after(io_wq_work_node* node, io_wq_work_node* pos, io_wq_work_list* list,
                              kern::srcloc loc = kern::srcloc::current()) {
  io_wq_work_node* next = pos->next.load(loc);

  pos->next.store(node, loc);
  node->next.store(next, loc);
  if (!next) list->last.store(node, loc);
}

inline void wq_list_add_tail(io_wq_work_node* node, io_wq_work_list* list, kern::srcloc loc = kern::srcloc::current()) {
  node->next.store(nullptr, loc);
  if (!wq_list_first(list, loc)) {
    list->last.store(node, loc);
    list->first.store(node, kern::memory_order_relaxed, loc, "WRITE_ONCE");
  } else {
    list->last.load(loc)->next.store(node, loc);
    list->last.store(node, loc);
  }
}

inline void wq_list_cut(io_wq_work_list* list, io_wq_work_node* last, io_wq_work_node* prev,
                        kern::srcloc loc = kern::srcloc::current()) {
  // first in the list, if prev==NULL
  if (!prev)
    list->first.store(last->next.load(loc), kern::memory_order_relaxed, loc, "WRITE_ONCE");
  else
    prev->next.store(last->next.load(loc), loc);

  if (last == list->last.load(loc)) list->last.store(prev, loc);
  last->next.store(nullptr, loc);
}

inline void wq_list_del(io_wq_work_list* list, io_wq_work_node* node, io_wq_work_node* prev,
                        kern::srcloc loc = kern::srcloc::current()) {
  wq_list_cut(list, node, prev, loc);
}

inline io_wq_work* wq_next_work(io_wq_work* work, kern::srcloc loc = kern::srcloc::current()) {
  io_wq_work_node* next = work->list.next.load(loc);
  if (!next) return nullptr;
  return work_of(next);
}

}  // namespace iowq
