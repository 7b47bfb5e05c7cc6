#include "model/kernel/checked.h"

#include <cstdio>
#include <cstdlib>

namespace kern::be {

int spawn(std::function<void()> body, const char* name, bool daemon, srcloc loc) {
  return daemon ? chk::spawn_daemon(std::move(body), name, loc) : chk::spawn(std::move(body), name, loc);
}

void fail(const char* property, std::string message, srcloc loc) {
  chk::violated(property, std::move(message), loc);
  // Outside an execution there is nobody to report to.
  std::fprintf(stderr, "kern: %s violated outside an execution at %s:%u\n", property, loc.file_name(), loc.line());
  std::abort();
}

void at_execution_end(std::function<void()> f) {
  // Outside an execution nothing ends: the memory is kept (leaked) rather than released early.
  if (chk::runtime* e = chk::rt()) e->at_execution_end(std::move(f));
}

namespace {
// Threads are fibers of one OS thread, so `current` is a table indexed by the chk thread id.
thread_local task_struct* slots[chk::max_threads];
thread_local bool slots_dirty = false;
task_struct* outside_slot = nullptr;
}  // namespace

task_struct*& current_slot() {
  int t = chk::this_thread();
  if (t < 0 || t >= chk::max_threads) return outside_slot;
  if (!slots_dirty) {
    slots_dirty = true;
    at_execution_end([] {
      for (auto& s : slots) s = nullptr;
      slots_dirty = false;
    });
  }
  return slots[t];
}

void note(std::string text) {
  if (chk::runtime* e = chk::rt()) e->note(std::move(text));
}

}  // namespace kern::be
