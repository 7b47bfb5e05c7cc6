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
// exit_signal (F6) has no single-fix variant: upstream-fixed carries it, like Debian's 6.12.118.
enum class fix : std::uint8_t { strand, wrap, tw_uaf, hash_defer, exit_signal, count_ };

struct wq_ops;

// Everything about a variant, in one table (model/variants.cpp) that to_string, all_variants,
// ops_for, has_fix, the command's summaries and the tests derive from.
struct variant_info {
  variant id = variant::baseline;
  std::string name;
  std::string summary;
  std::string base;             // the io-wq it runs: "6.14", "6.19", or a tree ("linux-6.12.118")
  const wq_ops* ops = nullptr;  // the implementation
  bool exit_on_idle = false;    // io_wq_set_exit_on_idle exists (the io_uring side calls it)
  unsigned fixes = 0;           // bit (1 << fix) per fix this variant carries
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

// The ports a mutant is placed in (the other port declares it unsupported and refuses it). The
// 6.19 port has no line for eoi_no_dec, eoi_dec_unlocked and eoi_after_idle: its exit-on-idle exit
// is the timeout exit, so "without the dec", "dec unlocked" and "test after going idle" would each
// need the condition split.
enum mutant_ports : unsigned { in_6_14 = 1, in_6_19 = 2, in_both = 3 };

// Seeded bugs, one row each: X(name, the ports that place it, the property it must break, what it
// changes, the upstream fix whose bug it re-introduces or "" for a seeded one). Each is switched on
// at run time and changes exactly the lines that say `if (mutant(M::name))` in each port that places
// it; scenarios/catalog.cpp says where it is killed. A new mutant is a row here, its line in the
// port(s), and its row in the kill table.
#define IOWQ_MUTANTS(X)                                                                                              \
  X(eoi_no_dec, in_6_14, "accounting", "the exit-on-idle exit path leaves without acct->nr_workers--", "")           \
  X(eoi_dec_unlocked, in_6_14, "race", "the exit-on-idle nr_workers-- is done after dropping wq->lock", "")          \
  X(eoi_no_wake, in_both, "pool-zero", "io_wq_set_exit_on_idle() sets the bit but does not wake the workers", "")    \
  X(eoi_after_idle, in_6_14, "lost-wakeup",                                                                          \
    "the exit-on-idle test sits after __io_worker_idle() has put the worker on the free list", "")                   \
  X(wake_no_running, in_both, "lost-wakeup",                                                                         \
    "the facade's try_to_wake_up() unparks the task without setting TASK_RUNNING", "")                               \
  X(hist_nr_workers_unlocked, in_both, "accounting",                                                                 \
    "io_wq_create_worker() checks nr_workers < max_workers without the lock (a data_race() read here, "              \
    "so that the symptom is what shows) and increments it under the lock afterwards",                                \
    "io-wq: fix no lock protection for acct->nr_worker (3d4e4face9c1)")                                              \
  X(state_after_check, in_both, "lost-wakeup",                                                                       \
    "the worker sets TASK_INTERRUPTIBLE only after it found the queue empty (seeded: no upstream commit "            \
    "had this)",                                                                                                     \
    "")                                                                                                              \
  X(hist_stall_after_unlock, in_both, "lost-wakeup",                                                                 \
    "io_get_next_work() sets IO_ACCT_STALLED_BIT only after the acct->lock was dropped for the hash "                \
    "wait",                                                                                                          \
    "io-wq: fix queue stalling race (0242f6426ea7)")                                                                 \
  X(hist_enqueue_no_cancel_on_exit, in_both, "lost-wakeup",                                                          \
    "io_wq_enqueue() no longer cancels work once IO_WQ_BIT_EXIT is set, and io_wq_destroy() no "                     \
    "longer cancels what is still queued (both halves of the fix)",                                                  \
    "io-wq: ensure all pending work is canceled on exit (f01272541d2c)")                                             \
  X(hist_no_exit_recheck, in_both, "exit-hang",                                                                      \
    "io_queue_worker_create() neither holds a worker_refs reference across task_work_add() nor "                     \
    "re-checks IO_WQ_BIT_EXIT after it",                                                                             \
    "io-wq: check for wq exit after adding new worker task_work (71a85387546e)")                                     \
  X(dec_running_no_recheck, in_both, "lost-wakeup",                                                                  \
    "io_wq_dec_running() does not look at the queue or queue a worker creation", "")                                 \
  X(exit_no_ref_put, in_both, "exit-hang", "io_worker_exit() skips its final io_worker_ref_put()", "")               \
  X(exit_kfree_no_rcu, in_both, "uaf", "io_worker_exit() frees the worker with kfree() instead of kfree_rcu()", "")  \
  X(enqueue_no_rcu_lock, in_both, "uaf", "io_wq_enqueue() walks the free list without rcu_read_lock()", "")          \
  X(busy_unlocked_del, in_both, "race", "__io_worker_busy() unlinks the worker from the free list without wq->lock", \
    "")                                                                                                              \
  X(cancel_no_notify, in_both, "lost-wakeup",                                                                        \
    "__io_wq_worker_cancel() marks the running work cancelled but does not signal its worker", "")                   \
  X(cancel_pending_notfound, in_both, "lost-wakeup",                                                                 \
    "io_wq_cancel_cb() answers IO_WQ_CANCEL_NOTFOUND for a work it took off the queue and cancelled", "")            \
  X(create_cb_no_clear_state, in_both, "lost-wakeup",                                                                \
    "create_worker_cb() does not release worker->create_state, so that worker never queues a "                       \
    "creation again",                                                                                                \
    "")

enum class M : std::uint8_t {
#define IOWQ_MUTANT_ENUM(name, ports, property, description, history) name,
  IOWQ_MUTANTS(IOWQ_MUTANT_ENUM)
#undef IOWQ_MUTANT_ENUM
      count_,
};

struct mutant_info {
  M id;
  const char* name;
  const char* description;
  const char* property;  // accounting | lost-wakeup | pool-zero | exit-hang | race | uaf
  const char* history;   // upstream fix it re-introduces the bug of, or "" for seeded ones
};

constexpr std::uint64_t mutant_bit(M m) { return std::uint64_t{1} << static_cast<unsigned>(m); }

// The mutants a port does not place (its wq_ops::unsupported_mutants), from the table.
constexpr std::uint64_t mutants_not_in(mutant_ports port) {
  std::uint64_t out = 0;
#define IOWQ_MUTANT_NOT_IN(name, ports, property, description, history) \
  if (((ports)&port) == 0) out |= mutant_bit(M::name);
  IOWQ_MUTANTS(IOWQ_MUTANT_NOT_IN)
#undef IOWQ_MUTANT_NOT_IN
  return out;
}

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
    mutants |= mutant_bit(m);
    return *this;
  }
};

// Sets the configuration of this OS thread (and the kernel facade's environment from it).
void configure(const config& c);
const config& current_config();

// What the running search has read of its variant: the fixes the port asked about (fix_on), the
// variants it asked whether it is (variant_is), and whether anything read the variant itself
// (active_variant). Two variants of one implementation that answer every question asked alike run
// that search identically, step for step (tools/runner.cpp shares it between them). Reset by the
// caller before a search; per OS thread.
struct variant_reads {
  unsigned fixes = 0;       // bit (1 << fix) per fix asked about
  std::uint64_t asked = 0;  // bit (1 << x) per built-in variant x asked about (variant_is)
  bool identity = false;    // active_variant() was read
};
variant_reads& reads_of_variant();

inline variant active_variant() {
  reads_of_variant().identity = true;
  return current_config().v;
}
// Whether the running variant is x (a built-in one): the 6.14 port's switches, recorded in
// reads_of_variant; variants whose answers to every question asked agree run the search alike.
inline bool variant_is(variant x) {
  reads_of_variant().asked |= std::uint64_t{1} << static_cast<unsigned>(x);
  return current_config().v == x;
}
// Whether the running variant carries fix f (the 6.19 port's switches): recorded in
// reads_of_variant, unlike has_fix(v, f), which only looks the table up.
inline bool fix_on(fix f) {
  reads_of_variant().fixes |= 1u << static_cast<unsigned>(f);
  return has_fix(current_config().v, f);
}
inline bool mutant(M m) { return (current_config().mutants & mutant_bit(m)) != 0; }

}  // namespace iowq
