#include "chk/fiber.h"

#include <sys/mman.h>
#include <unistd.h>

#include <boost/context/detail/fcontext.hpp>
#include <stdexcept>

namespace chk {

namespace bctx = boost::context::detail;

fiber_stacks::fiber_stacks(std::size_t stack_size) : size_(stack_size) {}

fiber_stacks::~fiber_stacks() {
  for (auto& r : regions_)
    if (r.base) munmap(r.base, r.len);
}

void* fiber_stacks::top(int i) {
  if (static_cast<std::size_t>(i) >= regions_.size()) regions_.resize(i + 1);
  region& r = regions_[i];
  if (!r.base) {
    const std::size_t page = static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
    r.len = size_ + page;
    r.base = mmap(nullptr, r.len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (r.base == MAP_FAILED) {
      r.base = nullptr;
      throw std::runtime_error("chk: cannot allocate a fiber stack");
    }
    // The lowest page is a guard: a stack overflow faults instead of corrupting a neighbour.
    mprotect(r.base, page, PROT_NONE);
  }
  return static_cast<char*>(r.base) + r.len;
}

namespace {
struct start_record {
  fiber_entry entry;
  void* arg;
  context* save;
};

void trampoline(bctx::transfer_t t) {
  auto* rec = static_cast<start_record*>(t.data);
  *rec->save = t.fctx;
  rec->entry(rec->arg);
  __builtin_unreachable();
}
}  // namespace

context make_context(void* stack_top, std::size_t size) { return bctx::make_fcontext(stack_top, size, &trampoline); }

void start_context(context* save, context fresh, fiber_entry entry, void* arg) {
  start_record rec{entry, arg, save};
  bctx::transfer_t t = bctx::jump_fcontext(fresh, &rec);
  *static_cast<context*>(t.data) = t.fctx;
}

// Every jump carries the address of the slot where the suspended side's context belongs; the side
// that resumes stores it there.
void switch_context(context* save, context to) {
  bctx::transfer_t t = bctx::jump_fcontext(to, save);
  *static_cast<context*>(t.data) = t.fctx;
}

}  // namespace chk
