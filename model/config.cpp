#include "model/config.h"

#include <array>

namespace iowq {

namespace {

constexpr std::array<mutant_info, static_cast<std::size_t>(M::count_)> k_mutants = {{
    {M::eoi_no_dec, "eoi_no_dec", "the exit-on-idle exit path leaves without acct->nr_workers--", "accounting", ""},
    {M::eoi_dec_unlocked, "eoi_dec_unlocked", "the exit-on-idle nr_workers-- is done after dropping wq->lock", "race",
     ""},
    {M::eoi_no_wake, "eoi_no_wake", "io_wq_set_exit_on_idle() sets the bit but does not wake the workers", "pool-zero",
     ""},
    {M::eoi_after_idle, "eoi_after_idle",
     "the exit-on-idle test sits after __io_worker_idle() has put the worker on the free list", "lost-wakeup", ""},
    {M::wake_no_running, "wake_no_running",
     "the facade's try_to_wake_up() unparks the task without setting TASK_RUNNING", "lost-wakeup", ""},
    {M::hist_nr_workers_unlocked, "hist_nr_workers_unlocked",
     "io_wq_create_worker() checks and increments acct->nr_workers without wq->lock", "race",
     "io-wq: fix no lock protection for acct->nr_worker (3d4e4face9c1)"},
    {M::hist_state_after_check, "hist_state_after_check",
     "the worker sets TASK_INTERRUPTIBLE only after it found the queue empty", "lost-wakeup",
     "io-wq: fix race between adding work and activating a free worker (94ffb0a28287)"},
    {M::hist_stall_after_unlock, "hist_stall_after_unlock",
     "io_get_next_work() sets IO_ACCT_STALLED_BIT only after the acct->lock was dropped for the hash wait",
     "lost-wakeup", "io-wq: fix queue stalling race (0242f6426ea7)"},
    {M::hist_enqueue_no_cancel_on_exit, "hist_enqueue_no_cancel_on_exit",
     "io_wq_enqueue() no longer cancels work once IO_WQ_BIT_EXIT is set, and io_wq_destroy() no longer "
     "cancels what is still queued (both halves of the fix)",
     "lost-wakeup", "io-wq: ensure all pending work is canceled on exit (f01272541d2c)"},
    {M::hist_no_exit_recheck, "hist_no_exit_recheck",
     "io_queue_worker_create() neither holds a worker_refs reference across task_work_add() nor re-checks "
     "IO_WQ_BIT_EXIT after it",
     "exit-hang", "io-wq: check for wq exit after adding new worker task_work (71a85387546e)"},
    {M::dec_running_no_recheck, "dec_running_no_recheck",
     "io_wq_dec_running() does not look at the queue or queue a worker creation", "lost-wakeup", ""},
    {M::exit_no_ref_put, "exit_no_ref_put", "io_worker_exit() skips its final io_worker_ref_put()", "exit-hang", ""},
    {M::exit_kfree_no_rcu, "exit_kfree_no_rcu", "io_worker_exit() frees the worker with kfree() instead of kfree_rcu()",
     "uaf", ""},
    {M::enqueue_no_rcu_lock, "enqueue_no_rcu_lock", "io_wq_enqueue() walks the free list without rcu_read_lock()",
     "uaf", ""},
    {M::busy_unlocked_del, "busy_unlocked_del",
     "__io_worker_busy() unlinks the worker from the free list without wq->lock", "race", ""},
    {M::create_cb_no_clear_state, "create_cb_no_clear_state",
     "create_worker_cb() does not release worker->create_state, so that worker never queues a creation again",
     "lost-wakeup", ""},
}};

constexpr bool in_enum_order() {
  for (std::size_t i = 0; i < k_mutants.size(); ++i)
    if (static_cast<std::size_t>(k_mutants[i].id) != i) return false;
  return true;
}
static_assert(in_enum_order(), "k_mutants lists the mutants in the order of enum M");

thread_local config g_config;

}  // namespace

std::span<const mutant_info> all_mutants() { return k_mutants; }

const mutant_info& info(M m) { return k_mutants[static_cast<std::size_t>(m)]; }

std::optional<M> mutant_by_name(std::string_view name) {
  for (const mutant_info& i : k_mutants)
    if (name == i.name) return i.id;
  return std::nullopt;
}

void configure(const config& c) {
  g_config = c;
  kern::environment e = c.env;
  if (mutant(M::wake_no_running)) e.wake_no_running = true;
  kern::set_environment(e);
}

const config& current_config() { return g_config; }

}  // namespace iowq
