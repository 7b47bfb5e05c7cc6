// Fibers for the threads of the program under test: Boost.Context's fcontext switch on stacks that
// are allocated once (with a guard page) and reused by every execution.
#pragma once

#include <cstddef>
#include <vector>

namespace chk {

using fiber_entry = void (*)(void* arg);

class fiber_stacks {
 public:
  explicit fiber_stacks(std::size_t stack_size = 256 * 1024);
  ~fiber_stacks();
  fiber_stacks(const fiber_stacks&) = delete;
  fiber_stacks& operator=(const fiber_stacks&) = delete;

  // Stack number i (allocated on first use). Returns the top of the usable area.
  void* top(int i);
  std::size_t size() const { return size_; }

 private:
  struct region {
    void* base = nullptr;
    std::size_t len = 0;
  };
  std::size_t size_;
  std::vector<region> regions_;
};

// A suspended execution context (fcontext_t).
using context = void*;

// Prepares a context that, when started, runs entry(arg) on the given stack. entry must never
// return; it ends by switching away for good.
context make_context(void* stack_top, std::size_t size);

// Starts a fresh context made by make_context. `save` receives the caller's context.
void start_context(context* save, context fresh, fiber_entry entry, void* arg);

// Switches to a suspended context. `save` receives the caller's context, to be resumed later.
void switch_context(context* save, context to);

}  // namespace chk
