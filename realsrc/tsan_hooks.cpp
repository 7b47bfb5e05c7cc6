// The entry points that -fsanitize=thread makes a C file call on every plain memory access,
// implemented by the checker instead of ThreadSanitizer's runtime: each access of the loaded
// io-wq.c goes to chk::raw_access, which checks it for data races against the other threads'
// accesses (happens-before by vector clocks, as for chk::plain) and for use after free. The
// location is the io-wq.c line of the access, from the loaded object's line table.
//
// Only the compiled tree calls these (the suite itself is not built with -fsanitize=thread; the
// TSan preset, which is, does not link real-source mode). Outside an execution they do nothing.
#include <cstddef>

#include "chk/shadow.h"
#include "realsrc/loader.h"

namespace {

inline void access(const void* addr, unsigned size, bool write, const void* pc) {
  if (!chk::in_execution()) return;
  chk::raw_access(addr, size, write, realsrc::location_of(pc));
}

}  // namespace

#define KENV_TSAN_ACCESS(N)                                                                             \
  void __tsan_read##N(void* a) { access(a, N, false, __builtin_return_address(0)); }                    \
  void __tsan_write##N(void* a) { access(a, N, true, __builtin_return_address(0)); }                    \
  void __tsan_unaligned_read##N(void* a) { access(a, N, false, __builtin_return_address(0)); }          \
  void __tsan_unaligned_write##N(void* a) { access(a, N, true, __builtin_return_address(0)); }          \
  void __tsan_volatile_read##N(void* a) { access(a, N, false, __builtin_return_address(0)); }           \
  void __tsan_volatile_write##N(void* a) { access(a, N, true, __builtin_return_address(0)); }           \
  void __tsan_unaligned_volatile_read##N(void* a) { access(a, N, false, __builtin_return_address(0)); } \
  void __tsan_unaligned_volatile_write##N(void* a) { access(a, N, true, __builtin_return_address(0)); }

extern "C" {
KENV_TSAN_ACCESS(1)
KENV_TSAN_ACCESS(2)
KENV_TSAN_ACCESS(4)
KENV_TSAN_ACCESS(8)
KENV_TSAN_ACCESS(16)

void __tsan_read_range(void* a, unsigned long n) {
  access(a, static_cast<unsigned>(n), false, __builtin_return_address(0));
}
void __tsan_write_range(void* a, unsigned long n) {
  access(a, static_cast<unsigned>(n), true, __builtin_return_address(0));
}
// Function entry and exit are not instrumented (--param=tsan-instrument-func-entry-exit=0); the
// module constructor still calls __tsan_init.
void __tsan_init() {}
void __tsan_func_entry(void*) {}
void __tsan_func_exit() {}
}
