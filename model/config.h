// Run-time selection of what the port runs: the variant of io-wq (before the patch, the seed as
// posted, the upstream placement), the seeded mutants, and the environment the kernel facade
// simulates (creation failures, RLIMIT_NPROC, affinity changes).
//
// The configuration is per OS thread (the checker runs an exploration on one OS thread), set by
// the scenario before exploring; it must not change during an execution.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "model/kernel/kernel.h"

namespace iowq {

enum class variant : std::uint8_t {
  baseline,  // Linux 6.14 io-wq.c as released: no exit-on-idle
  v1,        // the seed "io-wq: add exit-on-idle mode" v1: a separate block before last_timeout
  merged,    // upstream 38aa434ab933: the EXIT_ON_IDLE test joins the last_timeout condition
  // The 6.19 port (model/upstream/): today's upstream io-wq.c with exit-on-idle merged, and the
  // fixes this suite proposes for it, one variant per fix and one with all of them.
  upstream,                 // as released
  upstream_fix_strand,      // F1: the last running worker out looks at the queue and starts a worker
  upstream_fix_wrap,        // F2: io_worker_cancel_cb() gives back nr_workers only for create_worker_cont
  upstream_fix_tw_uaf,      // F4: io_wq_cancel_tw_create() reads cb->func before dropping the worker ref
  upstream_fix_hash_defer,  // io_wq_hash_defer() defers only when all queued work is the running chain
  upstream_fixed,           // all four fixes
  // Variants registered at run time (register_variant) take the ids from here on: the real
  // io-wq.c of a kernel tree plus patches (realsrc/).
  first_registered_ = 64,
};

// The fixes of the 6.19 port, each switched on by the variants that carry it.
enum class fix : std::uint8_t { strand, wrap, tw_uaf, hash_defer };

struct wq_ops;

// Everything about a variant, in one table (model/variants.cpp) that to_string, all_variants,
// ops_for, has_fix, the command's summaries and the tests derive from.
struct variant_info {
  variant id = variant::baseline;
  std::string name;
  std::string summary;
  std::string base;                  // the io-wq it runs: "6.14", "6.19", or a tree ("linux-6.12.118")
  const wq_ops* ops = nullptr;       // the implementation
  bool exit_on_idle = false;         // io_wq_set_exit_on_idle exists (the io_uring side calls it)
  unsigned fixes = 0;                // bit (1 << fix) per fix this variant carries
  // The variant it is built on (itself for the variants without fixes): a fix variant has every
  // finding of that variant except the ones its fixes fix (scenarios/catalog.cpp).
  variant from = variant::baseline;
  std::vector<std::string> patches;  // applied to the tree (run-time variants)
  // Run-time variants: the labels a replay file records to re-create the variant, and the
  // properties each scenario is expected to violate (nullptr: the scenario catalog's findings).
  std::map<std::string, std::string> replay_labels;
  std::function<std::vector<std::string>(const std::string& scenario)> expected;
  // Run-time variants: why a scenario's property is expected to be violated (for the report).
  std::function<std::string(const std::string& scenario, const std::string& property)> note;
};

const variant_info& info(variant v);
const char* to_string(variant v);
std::optional<variant> variant_by_name(std::string_view name);
// Every variant: the built-in ones in declaration order, then those registered at run time.
std::vector<variant> all_variants();
// The built-in variants only.
std::vector<variant> builtin_variants();
// Adds a variant at run time (its id is assigned) and returns its id.
variant register_variant(variant_info i);
bool has_fix(variant v, fix f);

// Seeded bugs. Each is switched on at run time and changes exactly the line that says
// `if (mutant(M::name))`; `property` names what it must break.
enum class M : std::uint8_t {
  eoi_no_dec,
  eoi_dec_unlocked,
  eoi_no_wake,
  eoi_after_idle,
  wake_no_running,
  hist_nr_workers_unlocked,
  hist_state_after_check,
  hist_stall_after_unlock,
  hist_enqueue_no_cancel_on_exit,
  hist_no_exit_recheck,
  dec_running_no_recheck,
  exit_no_ref_put,
  exit_kfree_no_rcu,
  enqueue_no_rcu_lock,
  busy_unlocked_del,
  create_cb_no_clear_state,
  count_,
};

struct mutant_info {
  M id;
  const char* name;
  const char* description;
  const char* property;  // accounting | lost-wakeup | pool-zero | exit-hang | race | uaf
  const char* history;   // upstream fix it re-introduces the bug of, or "" for seeded ones
};

std::span<const mutant_info> all_mutants();
const mutant_info& info(M m);
std::optional<M> mutant_by_name(std::string_view name);

struct config {
  variant v = variant::baseline;
  std::uint64_t mutants = 0;  // bit (1 << M) per enabled mutant

  // task_rlimit(current, RLIMIT_NPROC): the unbound acct's max_workers at io_wq_create.
  unsigned rlimit_nproc = 2;
  // The worker's exit_mask after an idle timeout (cpumask_test_cpu on its affinity) is a
  // nondeterministic choice when true, false otherwise.
  bool nondet_exit_mask = true;

  kern::environment env;  // creation failures and the facade's fault switches

  config& with(M m) {
    mutants |= std::uint64_t{1} << static_cast<unsigned>(m);
    return *this;
  }
};

// Sets the configuration of this OS thread (and the kernel facade's environment from it).
void configure(const config& c);
const config& current_config();

inline variant active_variant() { return current_config().v; }
inline bool mutant(M m) { return (current_config().mutants >> static_cast<unsigned>(m)) & 1; }

}  // namespace iowq
