#include "chk/shadow.h"

#include <cstring>
#include <memory>
#include <string>

#include "chk/api.h"
#include "engine.h"

namespace chk {

namespace {

// Open addressing over a fixed array (stable addresses: the engine keeps pointers to the shadow
// objects in its events). An entry of an earlier execution counts as free; entries are never
// removed within one, so a probe may stop at the first free entry.
struct cell_entry {
  const void* key = nullptr;
  unsigned cell = 0;
  std::uint32_t epoch = 0;
  object obj;
};
struct meta_entry {
  const void* key = nullptr;
  std::uint32_t epoch = 0;
  plain_meta plain;
  marked_meta marked;
};

constexpr std::size_t cell_slots = 1 << 13;
constexpr std::size_t meta_slots = 1 << 14;

struct tables {
  std::unique_ptr<cell_entry[]> cells{new cell_entry[cell_slots]};
  std::unique_ptr<meta_entry[]> metas{new meta_entry[meta_slots]};
};

tables& tab() {
  static thread_local tables t;
  return t;
}

std::size_t hash(const void* p, unsigned salt) {
  auto v = static_cast<std::uint64_t>(reinterpret_cast<std::uintptr_t>(p)) ^ (std::uint64_t{salt} << 59);
  v *= 0x9e3779b97f4a7c15ull;
  return static_cast<std::size_t>(v >> 40);
}

const char* or_default(const char* name) { return name ? name : "memory"; }

meta_entry& meta_for(engine& e, const void* addr, const char* name) {
  meta_entry* m = tab().metas.get();
  for (std::size_t i = hash(addr, 0) % meta_slots, n = 0; n < meta_slots; i = (i + 1) % meta_slots, ++n) {
    meta_entry& x = m[i];
    if (x.epoch == e.epoch() && x.key == addr) {
      if (name && std::strcmp(x.plain.name, name) != 0 && std::strcmp(x.plain.name, "memory") == 0) x.plain.name = name;
      return x;
    }
    if (x.epoch != e.epoch()) {
      x.key = addr;
      x.epoch = e.epoch();
      x.plain.epoch = 0;
      x.plain.name = or_default(name);
      x.plain.instance = -1;
      x.plain.home = addr;
      x.marked.epoch = 0;
      return x;
    }
  }
  e.fail(failure_kind::assertion,
         "chk/shadow: more than " + std::to_string(meta_slots) + " distinct raw memory locations in one execution",
         srcloc{});
}

object& cell_for(engine& e, const void* addr, unsigned cell, const char* name) {
  cell_entry* c = tab().cells.get();
  for (std::size_t i = hash(addr, cell + 1) % cell_slots, n = 0; n < cell_slots; i = (i + 1) % cell_slots, ++n) {
    cell_entry& x = c[i];
    if (x.epoch == e.epoch() && x.key == addr && x.cell == cell) return x.obj;
    if (x.epoch != e.epoch()) {
      x.key = addr;
      x.cell = cell;
      x.epoch = e.epoch();
      x.obj.name = or_default(name);
      x.obj.instance = -1;
      x.obj.home = addr;
      x.obj.pointer = false;
      x.obj.epoch = 0;  // the engine initialises the rest on first touch
      return x.obj;
    }
  }
  e.fail(failure_kind::assertion,
         "chk/shadow: more than " + std::to_string(cell_slots) + " distinct raw memory words in one execution",
         srcloc{});
}

std::uint64_t read_mem(const void* addr, unsigned size) {
  switch (size) {
    case 1: {
      std::uint8_t v;
      std::memcpy(&v, addr, 1);
      return v;
    }
    case 2: {
      std::uint16_t v;
      std::memcpy(&v, addr, 2);
      return v;
    }
    case 4: {
      std::uint32_t v;
      std::memcpy(&v, addr, 4);
      return v;
    }
    default: {
      std::uint64_t v;
      std::memcpy(&v, addr, 8);
      return v;
    }
  }
}

void write_mem(void* addr, unsigned size, std::uint64_t v) {
  switch (size) {
    case 1: {
      auto x = static_cast<std::uint8_t>(v);
      std::memcpy(addr, &x, 1);
      break;
    }
    case 2: {
      auto x = static_cast<std::uint16_t>(v);
      std::memcpy(addr, &x, 2);
      break;
    }
    case 4: {
      auto x = static_cast<std::uint32_t>(v);
      std::memcpy(addr, &x, 4);
      break;
    }
    default:
      std::memcpy(addr, &v, 8);
  }
}

bool acquires(std::memory_order mo) {
  return mo == std::memory_order_acquire || mo == std::memory_order_acq_rel || mo == std::memory_order_seq_cst ||
         mo == std::memory_order_consume;
}
bool releases(std::memory_order mo) {
  return mo == std::memory_order_release || mo == std::memory_order_acq_rel || mo == std::memory_order_seq_cst;
}

engine* running() { return running_engine(); }

// One marked step on the cells of a word: the accesses, the scheduling point, then the memory.
struct marked_step {
  engine& e;
  step_desc d;
  object* objs[max_accesses];
  int n = 0;

  marked_step(engine& en, const void* addr, unsigned cells, acc type, srcloc loc, const char* label, const char* name)
      : e(en) {
    d.label = label;
    d.loc = loc;
    for (unsigned c = 0; c < 4; ++c)
      if (cells & (1u << c)) {
        objs[n] = &cell_for(e, addr, c, name);
        d.a[n] = {objs[n], type, until::none, nullptr, nullptr};
        ++n;
      }
    d.n = static_cast<std::uint8_t>(n);
  }
};

// A word of 8 bytes whose value does not fit in 32 bits is taken for an address, so that traces show
// it by order of appearance (engine::show_value) and stay the same from run to run.
void mark_pointer(marked_step& s, unsigned size, std::uint64_t v) {
  if (size == 8 && (v >> 32) != 0)
    for (int i = 0; i < s.n; ++i) s.objs[i]->pointer = true;
}

}  // namespace

bool in_execution() { return running() != nullptr; }

void raw_access(const void* addr, unsigned size, bool write, srcloc loc, const char* name) {
  (void)size;
  engine* e = running();
  if (!e) return;
  meta_entry& m = meta_for(*e, addr, name);
  e->plain_access_beside_marked(m.plain, m.marked, write, loc, addr);
}

std::uint64_t raw_load(const void* addr, unsigned size, std::memory_order mo, unsigned cells, srcloc loc,
                       const char* label, const char* name) {
  engine* e = running();
  if (!e) return read_mem(addr, size);
  marked_step s(*e, addr, cells, acc::read, loc, label, name);
  e->begin(s.d);
  const std::uint64_t v = read_mem(addr, size);
  for (int i = 0; i < s.n; ++i) {
    s.objs[i]->value = v;
    if (acquires(mo))
      e->hb_acquire(*s.objs[i]);
    else
      e->hb_relaxed_load(*s.objs[i]);
  }
  mark_pointer(s, size, v);
  e->values(0, v, v);
  meta_entry& m = meta_for(*e, addr, name);
  e->marked_access(m.plain, m.marked, false, loc);
  e->end();
  return v;
}

void raw_store(void* addr, unsigned size, std::uint64_t v, std::memory_order mo, unsigned cells, srcloc loc,
               const char* label, const char* name) {
  engine* e = running();
  if (!e) {
    write_mem(addr, size, v);
    return;
  }
  marked_step s(*e, addr, cells, acc::write, loc, label, name);
  e->begin(s.d);
  const std::uint64_t old = read_mem(addr, size);
  write_mem(addr, size, v);
  for (int i = 0; i < s.n; ++i) {
    s.objs[i]->value = v;
    if (releases(mo))
      e->hb_release(*s.objs[i]);
    else
      e->hb_relaxed_store(*s.objs[i]);
  }
  mark_pointer(s, size, old | v);
  e->values(0, old, v);
  meta_entry& m = meta_for(*e, addr, name);
  e->marked_access(m.plain, m.marked, true, loc);
  e->end();
}

std::uint64_t raw_rmw(void* addr, unsigned size, raw_rmw_fn f, std::uint64_t arg, std::memory_order mo, unsigned cells,
                      srcloc loc, const char* label, const char* name) {
  engine* e = running();
  if (!e) {
    const std::uint64_t old = read_mem(addr, size);
    write_mem(addr, size, f(old, arg));
    return old;
  }
  marked_step s(*e, addr, cells, acc::rmw, loc, label, name);
  e->begin(s.d);
  const std::uint64_t old = read_mem(addr, size);
  const std::uint64_t nv = f(old, arg);
  write_mem(addr, size, nv);
  for (int i = 0; i < s.n; ++i) {
    s.objs[i]->value = nv;
    if (acquires(mo))
      e->hb_acquire(*s.objs[i]);
    else
      e->hb_relaxed_load(*s.objs[i]);
    if (releases(mo)) e->hb_release_join(*s.objs[i]);
  }
  mark_pointer(s, size, old | nv);
  e->values(0, old, nv);
  meta_entry& m = meta_for(*e, addr, name);
  e->marked_access(m.plain, m.marked, true, loc);
  e->end();
  return old;
}

}  // namespace chk
