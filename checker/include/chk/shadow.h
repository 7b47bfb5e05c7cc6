// Raw memory under the checker: accesses made by C code that is not written against chk's types
// (the real io-wq.c compiled as C, realsrc/). Plain accesses reach the race detector through
// compiler instrumentation (-fsanitize=thread entry points call raw_access); marked accesses
// (READ_ONCE/WRITE_ONCE, bit operations, cmpxchg on plain words) are visible steps on shadow
// objects that stand for the word they touch.
//
// Shadows are kept per address for the current execution and forgotten when it ends. Each names
// the memory it stands for (object::home), so that freeing that memory conflicts with it (DPOR)
// and touching it afterwards is a use after free, exactly as for chk::atomic and chk::plain.
//
// Limits: a plain access is tracked at its start address with its size ignored, so two accesses
// of different sizes or offsets to overlapping bytes are not compared (kernel code accesses a
// field with one size); a marked access races only with plain ones (KCSAN's rule).
#pragma once

#include <atomic>
#include <cstdint>

#include "chk/srcloc.h"

namespace chk {

// True in a thread of an execution the checker is running (not in setup or the end check).
bool in_execution();

// A plain access of `size` bytes at `addr` by the current thread: race-checked against the
// accesses of other threads not ordered with it, and a use after free when addr was freed.
// `name` (static storage, may be null) names the memory in reports.
void raw_access(const void* addr, unsigned size, bool write, srcloc loc, const char* name = nullptr);

// Marked accesses to the word of `size` (1, 2, 4 or 8) bytes at addr, each a visible step that
// reads or writes the memory itself. A bit operation names the cells of the word it touches: bit
// nr lives in cell nr % 4, so that operations on different bits of one word are independent steps
// as in the kernel; whole-word accesses touch every cell (all_cells).
inline constexpr unsigned all_cells = 0xf;
inline constexpr unsigned cell_of_bit(unsigned nr) { return 1u << (nr % 4); }

std::uint64_t raw_load(const void* addr, unsigned size, std::memory_order mo, unsigned cells, srcloc loc,
                       const char* label, const char* name = nullptr);
void raw_store(void* addr, unsigned size, std::uint64_t v, std::memory_order mo, unsigned cells, srcloc loc,
               const char* label, const char* name = nullptr);
// new value = f(old, arg); returns the old value.
using raw_rmw_fn = std::uint64_t (*)(std::uint64_t old, std::uint64_t arg);
std::uint64_t raw_rmw(void* addr, unsigned size, raw_rmw_fn f, std::uint64_t arg, std::memory_order mo, unsigned cells,
                      srcloc loc, const char* label, const char* name = nullptr);

}  // namespace chk
