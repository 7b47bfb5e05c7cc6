// Real-source mode: a kernel tree's io_uring/io-wq.c, patched, compiled unmodified against our
// kernel environment (realsrc/include), loaded into this process, and registered as a variant
// that the scenario catalog runs like the ports.
#pragma once

#include <stdexcept>
#include <string>
#include <vector>

#include "chk/srcloc.h"
#include "model/config.h"
#include "realsrc/include/kenv_wrapper.h"

struct io_wq;
struct io_wq_hash;

namespace realsrc {

// A tree or patch that cannot be used: a missing io-wq.c, a patch that does not apply (with
// patch's own message), a symbol our environment lacks (named, in one line): exit_code 2; a
// compiler error that names nothing we lack, or a failing tool: exit_code 3.
struct tree_error : std::runtime_error {
  tree_error(const std::string& m, int code) : std::runtime_error(m), exit_code(code) {}
  int exit_code;
};

struct loaded_tree {
  std::string name;     // linux-6.12.118, linux-6.12.118+io-wq-exit-on-idle-v1
  std::string version;  // from the tree's Makefile, "unknown" without one
  std::string dir;
  std::vector<std::string> patches;
  std::string io_wq_sha256;  // of the patched io-wq.c
  std::string library;       // the compiled shared object
  kenv_features features{};
  bool cached = false;  // the compiled object came from the cache
  double compile_seconds = 0;

  // io-wq's API and the wrapper's accessors, from the loaded object.
  void (*enqueue)(io_wq*, io_wq_work*) = nullptr;
  void (*hash_work)(io_wq_work*, void*) = nullptr;
  void (*exit_start)(io_wq*) = nullptr;
  void (*put_and_exit)(io_wq*) = nullptr;
  int (*cancel_cb)(io_wq*, bool (*)(io_wq_work*, void*), void*, bool) = nullptr;
  void (*worker_sleeping)(task_struct*) = nullptr;
  void (*worker_running)(task_struct*) = nullptr;
  io_wq_hash* (*hash_alloc)() = nullptr;
  void (*put_hash)(io_wq_hash*) = nullptr;
  io_wq* (*create)(unsigned, io_wq_hash*) = nullptr;
  void (*work_init)(io_wq_work*, unsigned) = nullptr;
  bool (*work_cancelled)(io_wq_work*) = nullptr;
  void (*set_exit_on_idle)(io_wq*, bool) = nullptr;
  int (*accounting_locks)(io_wq*, raw_spinlock_t**) = nullptr;
  int (*worker_acct)(void*) = nullptr;
  void (*peek)(const io_wq*, kenv_wq_view*) = nullptr;
};

// Patches a scratch copy of DIR/io_uring, compiles io-wq.c with realsrc/c/wrapper.c (cached by the
// content of everything that goes in), loads it, and checks that every symbol it needs is ours.
// Prints what it does on `log` when not null. Throws tree_error.
const loaded_tree& load_tree(const std::string& dir, const std::vector<std::string>& patches, std::FILE* log);

// Loads the tree and registers it as a variant (named as loaded_tree::name); returns its id.
iowq::variant register_tree(const std::string& dir, const std::vector<std::string>& patches, std::FILE* log);

// The io-wq.c line of an instrumented access, from the loaded objects' line tables.
chk::srcloc location_of(const void* pc);

// Where the kernel environment's headers and wrapper are (set by the build).
std::string env_dir();

}  // namespace realsrc
