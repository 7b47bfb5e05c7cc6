// The two ports as wq_ops (model/wq_ops.h): both take the io_uring side's io_wq_data with
// function pointers on io_wq_work, which this adapter maps to and from item indices. `Port` names
// the port's functions (a struct of static functions, see the end of model/io_wq.cpp).
#pragma once

#include <memory>
#include <vector>

#include "model/wq_ops.h"

namespace iowq::adapter {

struct instance;

// A work item of a port, with the index the io_uring side knows it by.
struct port_work {
  io_wq_work w;
  int index = -1;
  instance* owner = nullptr;
};

struct instance {
  void* wq = nullptr;
  io_wq_hash* hash = nullptr;
  bool own_hash = true;  // allocated by create, dropped by put_and_exit
  const wq_callbacks* cb = nullptr;
  std::vector<std::unique_ptr<port_work>> works;  // by index
};

inline port_work* of(io_wq_work* w) { return kern::container_of<port_work>(w, offsetof(port_work, w)); }

inline void do_work(io_wq_work* w) {
  port_work* pw = of(w);
  pw->owner->cb->do_work(pw->index);
}

inline io_wq_work* free_work(io_wq_work* w) {
  port_work* pw = of(w);
  const int linked = pw->owner->cb->free_work(pw->index);
  return linked >= 0 ? &pw->owner->works[static_cast<std::size_t>(linked)]->w : nullptr;
}

inline bool match_item(io_wq_work* work, void* data) { return work == data; }
inline bool match_any(io_wq_work*, void*) { return true; }

// `placed`: the port's column of model/config.h's mutant table; the port refuses the others.
template <class Port>
wq_ops make_ops(const char* base, const char* lock, mutant_ports placed) {
  wq_ops o{};
  o.base = base;
  o.nr_workers_lock = lock;
  o.unsupported_mutants = mutants_not_in(placed);
  o.create = [](unsigned bounded, const wq_callbacks* cb, void* hash) -> void* {
    if (current_config().mutants & ops_for(current_config().v).unsupported_mutants)
      kern::be::fail("unsupported", "mutant not supported by this port (model/config.h's mutant table)",
                     kern::srcloc::current());
    auto* in = new instance;
    kern::be::at_execution_end([in] { delete in; });
    in->cb = cb;
    in->own_hash = hash == nullptr;
    in->hash = hash ? static_cast<io_wq_hash*>(hash) : io_wq_hash_alloc();
    io_wq_data data;
    data.hash = in->hash;
    data.task = kern::current();
    data.do_work = &do_work;
    data.free_work = &free_work;
    in->wq = Port::create(bounded, &data);
    if (kern::IS_ERR(in->wq)) return nullptr;
    return in;
  };
  o.make_work = [](void* h, int index, unsigned flags, int hash_key) -> void* {
    auto* in = static_cast<instance*>(h);
    if (in->works.size() <= static_cast<std::size_t>(index)) in->works.resize(static_cast<std::size_t>(index) + 1);
    auto& pw = in->works[static_cast<std::size_t>(index)];
    pw = std::make_unique<port_work>();
    pw->index = index;
    pw->owner = in;
    io_wq_work_init(&pw->w, flags, index);
    if (hash_key > 0) Port::hash_work(&pw->w, reinterpret_cast<void*>(static_cast<std::uintptr_t>(hash_key)));
    return pw.get();
  };
  o.work_cancelled = [](void* w) -> bool {
    return kern::atomic_read(&static_cast<port_work*>(w)->w.flags) & IO_WQ_WORK_CANCEL;
  };
  o.enqueue = [](void* h, void* w) { Port::enqueue(static_cast<instance*>(h)->wq, &static_cast<port_work*>(w)->w); };
  o.exit_start = [](void* h) { Port::exit_start(static_cast<instance*>(h)->wq); };
  o.put_and_exit = [](void* h) {
    auto* in = static_cast<instance*>(h);
    Port::put_and_exit(in->wq);
    if (in->own_hash) io_wq_put_hash(in->hash);
  };
  o.hash_alloc = []() -> void* { return io_wq_hash_alloc(); };
  o.hash_put = [](void* hash) { io_wq_put_hash(static_cast<io_wq_hash*>(hash)); };
  o.set_exit_on_idle = [](void* h, bool enable) { Port::set_exit_on_idle(static_cast<instance*>(h)->wq, enable); };
  o.cancel = [](void* h, int index, bool cancel_all) {
    auto* in = static_cast<instance*>(h);
    if (index < 0) return Port::cancel_cb(in->wq, &match_any, nullptr, cancel_all);
    return Port::cancel_cb(in->wq, &match_item, &in->works[static_cast<std::size_t>(index)]->w, cancel_all);
  };
  o.peek = [](const void* h) { return Port::peek(static_cast<const instance*>(h)->wq); };
  o.accounting_locks = [](void* h, kern::raw_spinlock_t** locks) {
    return Port::accounting_locks(static_cast<instance*>(h)->wq, locks);
  };
  return o;
}

}  // namespace iowq::adapter
