// Port of today's upstream io_uring/io-wq.c (6.19 stable with exit-on-idle merged; read from
// gregkh/linux, blob commit 2519003dd5fb) over the kernel facade, function by function and in the
// file's order, with its names, lock scopes and bit operations. Departures carry a comment naming
// the upstream function and the reason. The fixes this suite proposes are switched on by the
// upstream-fix-* variants at the line each changes (see has_fix()).
//
// Since the 6.14 port (model/io_wq.cpp), upstream changed, and this port follows:
//  - the worker lists, nr_workers and max_workers moved from wq->lock to a per-acct workers_lock
//    ("io_uring/io-wq: move worker lists to struct io_wq_acct", 6.15); worker->acct replaces
//    IO_WORKER_F_BOUND and worker->create_index;
//  - io_acct_activate_free_worker() walks only its acct's free list and reports success once it
//    has called wake_up_process(), whatever that returned;
//  - create_worker_cb() first tries to activate a free worker and creates only if none was found;
//  - io_wq_dec_running() returns early when the worker has no current work, and when the next
//    queued work is hashed to the same chain as the current one (io_wq_hash_defer);
//  - the exit-on-idle test joins the last_timeout exit condition under workers_lock
//    (38aa434ab933), toggled by io_wq_set_exit_on_idle() from io_uring/tctx.c (91214661489);
//  - io_should_retry_thread() limits only -EAGAIN retries to WORKER_INIT_LIMIT and always retries
//    the restart errors; io_worker_handle_work() reads IO_WQ_BIT_EXIT on every pass and computes
//    a hash only for hashed work; io_wq_remove_pending() checks that the previous work is hashed;
//  - cancellation of running work walks each acct under its workers_lock (no wq->lock);
//  - io_wq_exit_workers() waits for worker_done in hung-task sized slices.
#include "model/upstream/io_wq.h"

#include <algorithm>
#include <cstddef>

#include "model/port_adapter.h"

namespace iowq::upstream {

using namespace kern;

namespace {

constexpr long WORKER_IDLE_TIMEOUT = 5 * HZ;
constexpr int WORKER_INIT_LIMIT = 3;

enum {
  IO_WORKER_F_UP = 0,       // the thread has started
  IO_WORKER_F_RUNNING = 1,  // counted in acct->nr_running
  IO_WORKER_F_FREE = 2,     // linked on acct->free_list
};

enum {
  IO_WQ_BIT_EXIT = 0,          // the wq is being torn down
  IO_WQ_BIT_EXIT_ON_IDLE = 1,  // workers leave as soon as they find nothing to do
};

enum {
  IO_ACCT_STALLED_BIT = 0,  // the acct's queue waits for a busy hash
};

struct io_cb_cancel_data {
  work_cancel_fn* fn;
  void* data;
  int nr_running;
  int nr_pending;
  bool cancel_all;
};

// The fixes proposed by this suite (README "Findings"), each switched on by its own variant and all
// of them by upstream-fixed (model/variants.cpp). What each changes:
//  - strand (F1): a worker that leaves on idle (exit-on-idle or idle timeout) while still findable
//    on the free list or still counted in nr_running strands work queued meanwhile;
//  - wrap (F2): io_worker_cancel_cb() gives back an nr_workers slot that a queued create_worker_cb
//    never took, so nr_workers wraps below zero when a worker exits before its creation request ran;
//  - tw_uaf (F4): io_wq_cancel_tw_create() reads cb->func after io_worker_cancel_cb() dropped the
//    reference that kept the worker (and the callback_head inside it) alive;
//  - hash_defer (F5): io_wq_hash_defer() looks only at the first queued work, so unhashed work
//    queued behind the running hash chain gets no worker while the running work blocks.
bool has_fix(fix f) { return fix_on(f); }

// container_of for the members io-wq links through.
io_worker* worker_of_nulls(hlist_nulls_node* n) { return container_of<io_worker>(n, offsetof(io_worker, nulls_node)); }
io_worker* worker_of_all_list(list_head* l) { return container_of<io_worker>(l, offsetof(io_worker, all_list)); }
io_worker* worker_of_create_work(callback_head* cb) {
  return container_of<io_worker>(cb, offsetof(io_worker, create_work));
}
io_worker* worker_of_work(work_struct* w) { return container_of<io_worker>(w, offsetof(io_worker, work.work)); }
io_wq* wq_of_wait(wait_queue_entry* wait) { return container_of<io_wq>(wait, offsetof(io_wq, wait)); }

// io-wq.h: __io_wq_is_hashed on a flags word read once.
bool __io_wq_is_hashed(unsigned work_flags) { return work_flags & IO_WQ_WORK_HASHED; }

}  // namespace

static bool create_io_worker(io_wq* wq, io_wq_acct* acct);
static void io_wq_dec_running(io_worker* worker);
static bool io_acct_cancel_pending_work(io_wq* wq, io_wq_acct* acct, io_cb_cancel_data* match);
static void create_worker_cb(callback_head* cb);
static void create_worker_cont(callback_head* cb);
static void io_wq_cancel_tw_create(io_wq* wq);
static bool io_wq_create_worker(io_wq* wq, io_wq_acct* acct);
static bool io_wq_work_match_all(io_wq_work*, void*);
static bool io_acct_run_queue(io_wq_acct* acct);

static unsigned __io_get_work_hash(unsigned work_flags) { return work_flags >> IO_WQ_HASH_SHIFT; }

static unsigned io_get_work_hash(io_wq_work* work) {
  return __io_get_work_hash(static_cast<unsigned>(atomic_read(&work->flags)));
}

static bool io_worker_get(io_worker* worker) { return refcount_inc_not_zero(&worker->ref); }

static void io_worker_release(io_worker* worker) {
  if (refcount_dec_and_test(&worker->ref)) complete(&worker->ref_done);
}

static io_wq_acct* io_get_acct(io_wq* wq, bool bound) {
  return &wq->acct[bound ? IO_WQ_ACCT_BOUND : IO_WQ_ACCT_UNBOUND];
}

static io_wq_acct* io_work_get_acct(io_wq* wq, unsigned work_flags) {
  return io_get_acct(wq, !(work_flags & IO_WQ_WORK_UNBOUND));
}

static io_wq_acct* io_wq_get_acct(io_worker* worker) { return worker->acct; }

static void io_worker_ref_put(io_wq* wq) {
  if (atomic_dec_and_test(&wq->worker_refs)) complete(&wq->worker_done);
}

bool io_wq_worker_stopped() {
  auto* worker = static_cast<io_worker*>(current()->worker_private.load());

  if (WARN_ON_ONCE(!io_wq_current_is_worker())) return true;

  return test_bit(IO_WQ_BIT_EXIT, &worker->wq.load()->state);
}

static void io_worker_cancel_cb(io_worker* worker) {
  io_wq_acct* acct = io_wq_get_acct(worker);
  io_wq* wq = worker->wq;

  atomic_dec(&acct->nr_running);
  raw_spin_lock(&acct->workers_lock);
  // Fix wrap: only create_worker_cont's request holds an nr_workers slot (io_wq_create_worker or
  // create_worker_cb took it before create_io_worker); create_worker_cb takes its slot only when
  // it runs, so cancelling it must not give one back.
  if (!has_fix(fix::wrap) || worker->create_work.func.load() == create_worker_cont) acct->nr_workers--;
  raw_spin_unlock(&acct->workers_lock);
  io_worker_ref_put(wq);
  clear_bit_unlock(0, &worker->create_state);
  io_worker_release(worker);
}

static bool io_task_worker_match(callback_head* cb, void* data) {
  io_worker* worker;

  if (cb->func != create_worker_cb) return false;
  worker = worker_of_create_work(cb);
  return worker == data;
}

// Fix strand (not in upstream): io_wq_enqueue()'s creation, for the work an exiting worker found
// queued after it stopped being findable and counted. As there, a first worker that cannot be
// created fails the queued work rather than leave it stranded (create_worker_cont cancels
// everything in that case; nothing else would ever run it).
static void io_worker_exit_create(io_wq* wq, io_wq_acct* acct) {
  io_cb_cancel_data match = {io_wq_work_match_all, nullptr, 0, 0, true};

  if (io_wq_create_worker(wq, acct)) return;

  raw_spin_lock(&acct->workers_lock);
  if (acct->nr_workers) {
    raw_spin_unlock(&acct->workers_lock);
    return;
  }
  raw_spin_unlock(&acct->workers_lock);
  while (io_acct_cancel_pending_work(wq, acct, &match))
    ;
}

static void io_worker_exit(io_worker* worker) {
  io_wq* wq = worker->wq;
  io_wq_acct* acct = io_wq_get_acct(worker);
  bool last_running = false;  // fix strand

  while (true) {
    callback_head* cb = task_work_cancel_match(wq->task, io_task_worker_match, worker);

    if (!cb) break;
    io_worker_cancel_cb(worker);
  }

  io_worker_release(worker);
  wait_for_completion(&worker->ref_done);

  raw_spin_lock(&acct->workers_lock);
  if (test_bit(IO_WORKER_F_FREE, &worker->flags)) hlist_nulls_del_rcu(&worker->nulls_node);
  list_del_rcu(&worker->all_list);
  raw_spin_unlock(&acct->workers_lock);
  // Fix strand: until here a submitter could count on this worker to look at the queue once
  // more: it found it on the free list (and "woke" it), or saw it counted in nr_running.
  // io_wq_dec_running() does not look when there is no cur_work, and could not use this worker's
  // create_work anyway (ref is 0). So the last running worker out drops its count itself and
  // looks below, once it is neither findable nor counted and every io_worker_get() holder is done.
  if (has_fix(fix::strand))
    last_running = atomic_dec_and_test(&acct->nr_running);
  else
    io_wq_dec_running(worker);
  // From here the scheduler hooks (do_exit still sleeps and wakes) must find no worker.
  current()->worker_private = nullptr;

  // Fix strand: start a worker for what was queued meanwhile, as io_wq_enqueue() would (the
  // worker_refs reference still held keeps the wq alive; with IO_WQ_BIT_EXIT set, the wq's exit
  // runs or cancels what is queued).
  if (last_running && !test_bit(IO_WQ_BIT_EXIT, &wq->state) && io_acct_run_queue(acct)) {
    raw_spin_unlock(&acct->lock);
    io_worker_exit_create(wq, acct);
  }

  if (mutant(M::exit_kfree_no_rcu))
    kfree(worker);
  else
    kfree_rcu(worker);
  // Model only: from here the thread no longer touches io-wq state.
  wq->ghost.live_threads[worker->ghost_acct].fetch_sub(1, std::memory_order_relaxed);
  wq->ghost.threads_exited.fetch_add(1, std::memory_order_relaxed);
  if (!mutant(M::exit_no_ref_put)) io_worker_ref_put(wq);
  do_exit(0);
}

static bool __io_acct_run_queue(io_wq_acct* acct) {
  return !test_bit(IO_ACCT_STALLED_BIT, &acct->flags) && !wq_list_empty(&acct->work_list);
}

// True with acct->lock still held when the queue has runnable work; false, lock dropped, otherwise.
static bool io_acct_run_queue(io_wq_acct* acct) {
  raw_spin_lock(&acct->lock);
  if (__io_acct_run_queue(acct)) return true;

  raw_spin_unlock(&acct->lock);
  return false;
}

// Wakes the first free worker that is not yet exiting; false means the caller has to create one.
// Called under rcu_read_lock().
static bool io_acct_activate_free_worker(io_wq_acct* acct) {
  // hlist_nulls_for_each_entry_rcu(worker, n, &acct->free_list, nulls_node): a worker on the
  // list that is exiting fails io_worker_get() and is skipped.
  for (hlist_nulls_node* n = hlist_nulls_first_rcu(&acct->free_list); !is_a_nulls(n); n = hlist_nulls_next_rcu(n)) {
    io_worker* worker = worker_of_nulls(n);

    if (!io_worker_get(worker)) continue;
    // Success whether or not wake_up_process() found the worker asleep: a busy worker that blocks
    // later is covered by the sleeping hook. (A worker that already decided to exit on idle is
    // covered by nothing: F1, see io_worker_exit.)
    wake_up_process(worker->task);
    io_worker_release(worker);
    return true;
  }

  return false;
}

// Reserves an nr_workers slot and creates a worker, unless the acct is already at max_workers
// (which counts as success: some worker exists).
static bool io_wq_create_worker(io_wq* wq, io_wq_acct* acct) {
  // The pr_warn_once() for !acct->max_workers is omitted: an unlocked read only for a message.

  if (mutant(M::hist_nr_workers_unlocked)) {
    // Before 3d4e4face9c1 "io-wq: fix no lock protection for acct->nr_worker": the check is made
    // without the lock (read as data_race() would, so that the checker shows the symptom, two
    // creators both passing it, rather than the race report), the increment under it.
    if (data_race_read(acct->nr_workers) >= data_race_read(acct->max_workers)) return true;
    raw_spin_lock(&acct->workers_lock);
    acct->nr_workers++;
    raw_spin_unlock(&acct->workers_lock);
  } else {
    raw_spin_lock(&acct->workers_lock);
    if (acct->nr_workers >= acct->max_workers) {
      raw_spin_unlock(&acct->workers_lock);
      return true;
    }
    acct->nr_workers++;
    raw_spin_unlock(&acct->workers_lock);
  }
  atomic_inc(&acct->nr_running);
  atomic_inc(&wq->worker_refs);
  return create_io_worker(wq, acct);
}

static void io_wq_inc_running(io_worker* worker) {
  io_wq_acct* acct = io_wq_get_acct(worker);

  atomic_inc(&acct->nr_running);
}

static void create_worker_cb(callback_head* cb) {
  io_worker* worker;
  io_wq* wq;

  io_wq_acct* acct;
  bool activated_free_worker, do_create = false;
  // The mutant: before 3d4e4face9c1 the creation this callback makes was checked against
  // max_workers without the lock (by the queuer), and counted here under it.
  const bool unlocked_check = mutant(M::hist_nr_workers_unlocked);

  worker = worker_of_create_work(cb);
  wq = worker->wq;
  acct = worker->acct;

  rcu_read_lock();
  activated_free_worker = io_acct_activate_free_worker(acct);
  rcu_read_unlock();
  if (activated_free_worker) goto no_need_create;

  if (unlocked_check) do_create = data_race_read(acct->nr_workers) < data_race_read(acct->max_workers);
  raw_spin_lock(&acct->workers_lock);

  if (unlocked_check) {
    if (do_create) acct->nr_workers++;
  } else if (acct->nr_workers < acct->max_workers) {
    acct->nr_workers++;
    do_create = true;
  }
  raw_spin_unlock(&acct->workers_lock);
  if (do_create) {
    create_io_worker(wq, acct);
  } else {
  no_need_create:
    atomic_dec(&acct->nr_running);
    io_worker_ref_put(wq);
  }
  if (!mutant(M::create_cb_no_clear_state)) clear_bit_unlock(0, &worker->create_state);
  io_worker_release(worker);
}

static bool io_queue_worker_create(io_worker* worker, io_wq_acct* acct, task_work_func_t func) {
  io_wq* wq = worker->wq;

  // The wq is going away: no new workers.
  if (test_bit(IO_WQ_BIT_EXIT, &wq->state)) goto fail;
  if (!io_worker_get(worker)) goto fail;
  // Bit 0 of create_state marks create_work as in use: at most one creation request per worker is
  // in flight, released when the task_work runs or is cancelled.
  if (test_bit(0, &worker->create_state) || test_and_set_bit_lock(0, &worker->create_state)) goto fail_release;

  if (mutant(M::hist_no_exit_recheck)) {
    // Before "io-wq: check for wq exit after adding new worker task_work".
    init_task_work(&worker->create_work, func);
    if (!task_work_add(wq->task, &worker->create_work, TWA_SIGNAL)) return true;
    clear_bit_unlock(0, &worker->create_state);
    goto fail_release;
  }

  atomic_inc(&wq->worker_refs);
  init_task_work(&worker->create_work, func);
  if (!task_work_add(wq->task, &worker->create_work, TWA_SIGNAL)) {
    // An exit that began after the test above may already have swept the owner's task_work list:
    // sweep it again now that this item is on it.
    if (test_bit(IO_WQ_BIT_EXIT, &wq->state)) io_wq_cancel_tw_create(wq);
    io_worker_ref_put(wq);
    return true;
  }
  io_worker_ref_put(wq);
  clear_bit_unlock(0, &worker->create_state);
fail_release:
  io_worker_release(worker);
fail:
  atomic_dec(&acct->nr_running);
  io_worker_ref_put(wq);
  return false;
}

// True when the worker's current work and the head of the queue share a hash: a new worker could
// only wait on that hash, so io_wq_dec_running() creates none.
static bool io_wq_hash_defer(io_wq_work* work, io_wq_acct* acct) {
  unsigned hash, work_flags;
  io_wq_work* next;

  lockdep_assert_held(&acct->lock);

  work_flags = static_cast<unsigned>(atomic_read(&work->flags));
  if (!__io_wq_is_hashed(work_flags)) return false;

  // Unreachable: the caller holds acct->lock and io_acct_run_queue() saw a non-empty queue.
  if (wq_list_empty(&acct->work_list)) return true;

  hash = __io_get_work_hash(work_flags);
  next = work_of(wq_list_first(&acct->work_list));
  work_flags = static_cast<unsigned>(atomic_read(&next->flags));
  if (!__io_wq_is_hashed(work_flags)) return false;
  // Fix hash-defer: a chain's works are contiguous on the list (io_wq_insert_work), so the queue
  // holds nothing but this chain only if its last work is of the chain too; otherwise a new worker
  // could run what follows the chain while this one blocks.
  if (has_fix(fix::hash_defer)) {
    unsigned last_flags = static_cast<unsigned>(atomic_read(&work_of(acct->work_list.last)->flags));

    if (!__io_wq_is_hashed(last_flags) || __io_get_work_hash(last_flags) != hash) return false;
  }
  return hash == __io_get_work_hash(work_flags);
}

static void io_wq_dec_running(io_worker* worker) {
  io_wq_acct* acct = io_wq_get_acct(worker);
  io_wq* wq = worker->wq;

  if (!test_bit(IO_WORKER_F_UP, &worker->flags)) return;

  if (!atomic_dec_and_test(&acct->nr_running)) return;
  if (!worker->cur_work) return;
  if (mutant(M::dec_running_no_recheck)) return;
  if (!io_acct_run_queue(acct)) return;
  if (io_wq_hash_defer(worker->cur_work, acct)) {
    raw_spin_unlock(&acct->lock);
    return;
  }

  raw_spin_unlock(&acct->lock);
  atomic_inc(&acct->nr_running);
  atomic_inc(&wq->worker_refs);
  io_queue_worker_create(worker, acct, create_worker_cb);
}

// The worker is about to run work: take it off the free list if it is on it.
static void __io_worker_busy(io_wq_acct* acct, io_worker* worker) {
  if (test_bit(IO_WORKER_F_FREE, &worker->flags)) {
    clear_bit(IO_WORKER_F_FREE, &worker->flags);
    if (mutant(M::busy_unlocked_del)) {
      hlist_nulls_del_init_rcu(&worker->nulls_node);
      return;
    }
    raw_spin_lock(&acct->workers_lock);
    hlist_nulls_del_init_rcu(&worker->nulls_node);
    raw_spin_unlock(&acct->workers_lock);
  }
}

// The worker found nothing to do and will sleep: put it on the free list. Caller holds
// acct->workers_lock.
static void __io_worker_idle(io_wq_acct* acct, io_worker* worker) {
  if (!test_bit(IO_WORKER_F_FREE, &worker->flags)) {
    set_bit(IO_WORKER_F_FREE, &worker->flags);
    hlist_nulls_add_head_rcu(&worker->nulls_node, &acct->free_list);
  }
}

static bool io_wait_on_hash(io_wq* wq, unsigned hash) {
  bool ret = false;

  spin_lock_irq(&wq->hash->wait.lock);
  if (list_empty(&wq->wait.entry)) {
    __add_wait_queue(&wq->hash->wait, &wq->wait);
    if (!test_bit(hash, &wq->hash->map)) {
      __set_current_state(TASK_RUNNING);
      list_del_init(&wq->wait.entry);
      ret = true;
    }
  }
  spin_unlock_irq(&wq->hash->wait.lock);
  return ret;
}

// Called with acct->lock held.
static io_wq_work* io_get_next_work(io_wq_acct* acct, io_wq* wq) {
  io_wq_work_node *node, *prev;
  io_wq_work *work, *tail;
  unsigned stall_hash = -1U;

  // wq_list_for_each(node, prev, &acct->work_list)
  for (node = wq_list_first(&acct->work_list), prev = nullptr; node; prev = node, node = node->next) {
    unsigned work_flags;
    unsigned hash;

    work = work_of(node);

    // Unhashed work never waits for another.
    work_flags = static_cast<unsigned>(atomic_read(&work->flags));
    if (!__io_wq_is_hashed(work_flags)) {
      wq_list_del(&acct->work_list, node, prev);
      return work;
    }

    hash = __io_get_work_hash(work_flags);
    // io_wq_insert_work keeps a hash's works contiguous, ending at hash_tail.
    tail = wq->hash_tail[hash];

    // A hashed chain runs only when no worker holds its hash bit.
    if (!test_and_set_bit(hash, &wq->hash->map)) {
      wq->hash_tail[hash] = nullptr;
      wq_list_cut(&acct->work_list, &tail->list, prev);
      return work;
    }
    if (stall_hash == -1U) stall_hash = hash;
    // Skip the rest of the busy chain; the loop step sets prev from node.
    node = &tail->list;
  }

  if (stall_hash != -1U) {
    bool unstalled;

    // Marked while acct->lock is still held: an io_wq_enqueue() after the unlock then clears it.
    if (!mutant(M::hist_stall_after_unlock)) set_bit(IO_ACCT_STALLED_BIT, &acct->flags);
    raw_spin_unlock(&acct->lock);
    unstalled = io_wait_on_hash(wq, stall_hash);
    raw_spin_lock(&acct->lock);
    // Before "io-wq: fix queue stalling race": marked stalled only after the lock was dropped.
    if (mutant(M::hist_stall_after_unlock)) set_bit(IO_ACCT_STALLED_BIT, &acct->flags);
    if (unstalled) {
      clear_bit(IO_ACCT_STALLED_BIT, &acct->flags);
      if (wq_has_sleeper(&wq->hash->wait)) wake_up(&wq->hash->wait);
    }
  }

  return nullptr;
}

static void io_assign_current_work(io_worker* worker, io_wq_work* work) {
  if (work) {
    io_run_task_work();
    cond_resched();
  }

  raw_spin_lock(&worker->lock);
  worker->cur_work = work;
  raw_spin_unlock(&worker->lock);
}

// Entered with acct->lock held (io_acct_run_queue() returned true); returns with it released.
static void io_worker_handle_work(io_wq_acct* acct, io_worker* worker) {
  io_wq* wq = worker->wq;

  do {
    bool do_kill = test_bit(IO_WQ_BIT_EXIT, &wq->state);
    io_wq_work* work;

    // No work with a non-empty list means we stalled on hashed work: io_get_next_work() marked
    // the acct stalled, and work completion or insertion clears it.
    work = io_get_next_work(acct, wq);
    if (work) {
      // Cancellation must find the work from the moment it left the work list.
      raw_spin_lock(&worker->lock);
      worker->cur_work = work;
      raw_spin_unlock(&worker->lock);
    }

    raw_spin_unlock(&acct->lock);

    if (!work) break;

    __io_worker_busy(acct, worker);

    io_assign_current_work(worker, work);
    __set_current_state(TASK_RUNNING);

    // Run the whole chain (hashed successors and linked work) before looking at the queue again.
    do {
      io_wq_work *next_hashed, *linked;
      unsigned work_flags = static_cast<unsigned>(atomic_read(&work->flags));
      unsigned hash = __io_wq_is_hashed(work_flags) ? __io_get_work_hash(work_flags) : -1U;

      next_hashed = wq_next_work(work);

      // F6's fix (as Debian's 6.12.118 has it): io_wq_exit_workers() signals once, and
      // io_assign_current_work() may have consumed that signal, so look at the exit bit again
      // now that the work is current, and signal ourselves for bound work.
      if (has_fix(fix::exit_signal)) do_kill = test_bit(IO_WQ_BIT_EXIT, &wq->state);
      if (do_kill && (work_flags & IO_WQ_WORK_UNBOUND))
        atomic_or(IO_WQ_WORK_CANCEL, &work->flags);
      else if (do_kill && has_fix(fix::exit_signal))
        set_notify_signal(current());
      wq->do_work(work);  // io_wq_submit_work(work)
      io_assign_current_work(worker, nullptr);

      linked = wq->free_work(work);  // io_wq_free_work(work)
      work = next_hashed;
      if (!work && linked && !io_wq_is_hashed(linked)) {
        work = linked;
        linked = nullptr;
      }
      io_assign_current_work(worker, work);
      if (linked) io_wq_enqueue(wq, linked);

      if (hash != -1U && !next_hashed) {
        // Clear the hash under the waitqueue lock so io_wait_on_hash() cannot miss the wake.
        spin_lock_irq(&wq->hash->wait.lock);
        clear_bit(hash, &wq->hash->map);
        clear_bit(IO_ACCT_STALLED_BIT, &acct->flags);
        spin_unlock_irq(&wq->hash->wait.lock);
        if (wq_has_sleeper(&wq->hash->wait)) wake_up(&wq->hash->wait);
      }
    } while (work);

    if (!__io_acct_run_queue(acct)) break;
    raw_spin_lock(&acct->lock);
  } while (true);
}

static int io_wq_worker(void* data) {
  auto* worker = static_cast<io_worker*>(data);
  io_wq_acct* acct = io_wq_get_acct(worker);
  io_wq* wq = worker->wq;
  bool exit_mask = false, last_timeout = false;

  wq->ghost.live_threads[worker->ghost_acct].fetch_add(1, std::memory_order_relaxed);
  wq->ghost.threads_started.fetch_add(1, std::memory_order_relaxed);

  set_mask_bits(&worker->flags, 0, BIT(IO_WORKER_F_UP) | BIT(IO_WORKER_F_RUNNING));

  // set_task_comm("iou-wrk-<pid>") is not modelled.

  while (!test_bit(IO_WQ_BIT_EXIT, &wq->state)) {
    long ret;

    if (!mutant(M::state_after_check)) set_current_state(TASK_INTERRUPTIBLE);

    // io_worker_handle_work() is entered with acct->lock held and releases it.
    while (io_acct_run_queue(acct)) io_worker_handle_work(acct, worker);

    // The mutant announces the sleep only after it found the queue empty.
    if (mutant(M::state_after_check)) set_current_state(TASK_INTERRUPTIBLE);

    raw_spin_lock(&acct->workers_lock);
    // Last sleep timed out: exit unless we're the last worker and our affinity is unchanged; and
    // exit whenever the wq is marked idle-exit (38aa434ab933).
    if ((last_timeout && (exit_mask || acct->nr_workers > 1)) || test_bit(IO_WQ_BIT_EXIT_ON_IDLE, &wq->state)) {
      acct->nr_workers--;
      raw_spin_unlock(&acct->workers_lock);
      __set_current_state(TASK_RUNNING);
      break;
    }
    last_timeout = false;
    __io_worker_idle(acct, worker);
    raw_spin_unlock(&acct->workers_lock);
    if (io_run_task_work()) continue;
    ret = schedule_timeout(WORKER_IDLE_TIMEOUT);
    if (signal_pending(current())) {
      ksignal ksig;

      if (!get_signal(&ksig)) continue;
      break;
    }
    if (!ret) {
      last_timeout = true;
      // !cpumask_test_cpu(raw_smp_processor_id(), wq->cpu_mask): the cpumask is not modelled;
      // whether the worker's CPU left the wq's mask is an environment choice.
      exit_mask = current_config().nondet_exit_mask && nondet(2) == 1;
    }
  }

  if (test_bit(IO_WQ_BIT_EXIT, &wq->state) && io_acct_run_queue(acct)) io_worker_handle_work(acct, worker);

  io_worker_exit(worker);
  return 0;
}

// Scheduler hook: the worker runs again, count it in nr_running.
void io_wq_worker_running(task_struct* tsk) {
  auto* worker = static_cast<io_worker*>(tsk->worker_private.load());

  if (!worker) return;
  if (!test_bit(IO_WORKER_F_UP, &worker->flags)) return;
  if (test_bit(IO_WORKER_F_RUNNING, &worker->flags)) return;
  set_bit(IO_WORKER_F_RUNNING, &worker->flags);
  io_wq_inc_running(worker);
}

// Scheduler hook: the worker is about to sleep; if it was the last one running, io_wq_dec_running()
// may arrange another worker for queued work.
void io_wq_worker_sleeping(task_struct* tsk) {
  auto* worker = static_cast<io_worker*>(tsk->worker_private.load());

  if (!worker) return;
  if (!test_bit(IO_WORKER_F_UP, &worker->flags)) return;
  if (!test_bit(IO_WORKER_F_RUNNING, &worker->flags)) return;

  clear_bit(IO_WORKER_F_RUNNING, &worker->flags);
  io_wq_dec_running(worker);
}

static void io_init_new_worker(io_wq* /*wq*/, io_wq_acct* acct, io_worker* worker, task_struct* tsk) {
  tsk->worker_private = worker;
  worker->task = tsk;
  // set_cpus_allowed_ptr(tsk, wq->cpu_mask): affinity is not modelled.

  raw_spin_lock(&acct->workers_lock);
  hlist_nulls_add_head_rcu(&worker->nulls_node, &acct->free_list);
  list_add_tail_rcu(&worker->all_list, &acct->all_list);
  set_bit(IO_WORKER_F_FREE, &worker->flags);
  raw_spin_unlock(&acct->workers_lock);
  wake_up_new_task(tsk);
}

static bool io_wq_work_match_all(io_wq_work*, void*) { return true; }

static bool io_should_retry_thread(io_worker* worker, long err) {
  // A dying task would retry forever.
  if (fatal_signal_pending(current())) return false;

  worker->init_retries++;
  switch (err) {
    case -EAGAIN:
      return worker->init_retries <= WORKER_INIT_LIMIT;
    // Restart errors say nothing about the task's state: retry them like fork() would, without limit.
    case -ERESTARTSYS:
    case -ERESTARTNOINTR:
    case -ERESTARTNOHAND:
      return true;
    default:
      return false;
  }
}

static void queue_create_worker_retry(io_worker* worker) {
  // The delay gives the forking task time to clear a temporary condition; any interleaving is
  // explored, so the delay itself is not modelled.
  schedule_delayed_work(&worker->work, msecs_to_jiffies(static_cast<unsigned long>(worker->init_retries * 5)));
}

static void create_worker_cont(callback_head* cb) {
  io_worker* worker;
  task_struct* tsk;
  io_wq* wq;
  io_wq_acct* acct;

  worker = worker_of_create_work(cb);
  clear_bit_unlock(0, &worker->create_state);
  wq = worker->wq;
  acct = io_wq_get_acct(worker);
  tsk = create_io_thread(io_wq_worker, worker, NUMA_NO_NODE);
  if (!IS_ERR(tsk)) {
    io_init_new_worker(wq, acct, worker, tsk);
    io_worker_release(worker);
    return;
  } else if (!io_should_retry_thread(worker, PTR_ERR(tsk))) {
    atomic_dec(&acct->nr_running);
    raw_spin_lock(&acct->workers_lock);
    acct->nr_workers--;
    if (!acct->nr_workers) {
      io_cb_cancel_data match = {io_wq_work_match_all, nullptr, 0, 0, true};

      raw_spin_unlock(&acct->workers_lock);
      while (io_acct_cancel_pending_work(wq, acct, &match))
        ;
    } else {
      raw_spin_unlock(&acct->workers_lock);
    }
    io_worker_ref_put(wq);
    kfree(worker);
    return;
  }

  // io_queue_worker_create() takes a fresh reference for the retry; give this one back.
  io_worker_release(worker);
  queue_create_worker_retry(worker);
}

static void io_workqueue_create(work_struct* work) {
  io_worker* worker = worker_of_work(work);
  io_wq_acct* acct = io_wq_get_acct(worker);

  if (!io_queue_worker_create(worker, acct, create_worker_cont)) kfree(worker);
}

// Model only: names the worker's objects in traces.
static void name_worker(io_wq* wq, io_worker* worker) {
  const int id = worker->id = wq->ghost.workers_allocated.fetch_add(1, std::memory_order_relaxed);
  set_name(&worker->ref, "worker.ref", id);
  set_name(&worker->flags, "worker.flags", id);
  // io_wq_worker sets UP and RUNNING with one set_mask_bits: keep the flags in one cell.
  init_bitmap_one_word(&worker->flags);
  set_name(&worker->nulls_node, "worker.nulls_node", id);
  set_name(&worker->all_list, "worker.all_list", id);
  worker->task.set_name("worker.task", id);
  worker->wq.set_name("worker.wq", id);
  worker->acct.set_name("worker.acct", id);
  worker->cur_work.set_name("worker.cur_work", id);
  set_name(&worker->create_state, "worker.create_state", id);
  worker->create_work.next.set_name("worker.create_work.next", id);
  worker->create_work.func.set_name("worker.create_work.func", id);
  worker->init_retries.set_name("worker.init_retries", id);
}

static bool create_io_worker(io_wq* wq, io_wq_acct* acct) {
  io_worker* worker;
  task_struct* tsk;

  __set_current_state(TASK_RUNNING);

  worker = kzalloc<io_worker>();
  if (!worker) {
  fail:
    atomic_dec(&acct->nr_running);
    raw_spin_lock(&acct->workers_lock);
    acct->nr_workers--;
    raw_spin_unlock(&acct->workers_lock);
    io_worker_ref_put(wq);
    return false;
  }
  name_worker(wq, worker);
  worker->ghost_acct = acct->ghost_index;

  refcount_set(&worker->ref, 1);
  worker->wq = wq;
  worker->acct = acct;
  raw_spin_lock_init(&worker->lock, "worker.lock", worker->id);
  init_completion(&worker->ref_done, "worker.ref_done", worker->id);

  tsk = create_io_thread(io_wq_worker, worker, NUMA_NO_NODE);
  if (!IS_ERR(tsk)) {
    io_init_new_worker(wq, acct, worker, tsk);
  } else if (!io_should_retry_thread(worker, PTR_ERR(tsk))) {
    kfree(worker);
    goto fail;
  } else {
    INIT_DELAYED_WORK(&worker->work, io_workqueue_create);
    queue_create_worker_retry(worker);
  }

  return true;
}

// Calls func on each worker of the acct that can still be referenced, until func returns true.
// Called under rcu_read_lock().
static bool io_acct_for_each_worker(io_wq_acct* acct, bool (*func)(io_worker*, void*), void* data) {
  bool ret = false;

  // list_for_each_entry_rcu(worker, &acct->all_list, all_list)
  for (list_head* pos = list_next_rcu(&acct->all_list); pos != &acct->all_list; pos = list_next_rcu(pos)) {
    io_worker* worker = worker_of_all_list(pos);

    if (io_worker_get(worker)) {
      // A worker whose thread was never created has no task.
      if (worker->task) ret = func(worker, data);
      io_worker_release(worker);
      if (ret) break;
    }
  }

  return ret;
}

static void io_wq_for_each_worker(io_wq* wq, bool (*func)(io_worker*, void*), void* data) {
  for (int i = 0; i < IO_WQ_ACCT_NR; i++)
    if (io_acct_for_each_worker(&wq->acct[i], func, data)) break;
}

static bool io_wq_worker_wake(io_worker* worker, void*) {
  __set_notify_signal(worker->task);
  wake_up_process(worker->task);
  return false;
}

void io_wq_set_exit_on_idle(io_wq* wq, bool enable) {
  if (!wq->task) return;

  if (!enable) {
    clear_bit(IO_WQ_BIT_EXIT_ON_IDLE, &wq->state);
    return;
  }

  if (test_and_set_bit(IO_WQ_BIT_EXIT_ON_IDLE, &wq->state)) return;

  if (mutant(M::eoi_no_wake)) return;

  rcu_read_lock();
  io_wq_for_each_worker(wq, io_wq_worker_wake, nullptr);
  rcu_read_unlock();
}

static void io_run_cancel(io_wq_work* work, io_wq* wq) {
  do {
    atomic_or(IO_WQ_WORK_CANCEL, &work->flags);
    wq->do_work(work);
    work = wq->free_work(work);
  } while (work);
}

static void io_wq_insert_work(io_wq* wq, io_wq_acct* acct, io_wq_work* work, unsigned work_flags) {
  unsigned hash;
  io_wq_work* tail;

  if (!__io_wq_is_hashed(work_flags)) {
  append:
    wq_list_add_tail(&work->list, &acct->work_list);
    return;
  }

  hash = __io_get_work_hash(work_flags);
  tail = wq->hash_tail[hash];
  wq->hash_tail[hash] = work;
  if (!tail) goto append;

  wq_list_add_after(&work->list, &tail->list, &acct->work_list);
}

static bool io_wq_work_match_item(io_wq_work* work, void* data) { return work == data; }

void io_wq_enqueue(io_wq* wq, io_wq_work* work) {
  unsigned work_flags = static_cast<unsigned>(atomic_read(&work->flags));
  io_wq_acct* acct = io_work_get_acct(wq, work_flags);
  io_cb_cancel_data match = {io_wq_work_match_item, work, 0, 0, false};
  bool do_create;

  // Work punted to a wq that is being torn down, or already flagged for cancellation, is failed
  // at once. (Mutant: before "io-wq: ensure all pending work is
  // canceled on exit" the EXIT bit was not checked.)
  if ((!mutant(M::hist_enqueue_no_cancel_on_exit) && test_bit(IO_WQ_BIT_EXIT, &wq->state)) ||
      (work_flags & IO_WQ_WORK_CANCEL)) {
    io_run_cancel(work, wq);
    return;
  }

  raw_spin_lock(&acct->lock);
  io_wq_insert_work(wq, acct, work, work_flags);
  clear_bit(IO_ACCT_STALLED_BIT, &acct->flags);
  raw_spin_unlock(&acct->lock);

  if (!mutant(M::enqueue_no_rcu_lock)) rcu_read_lock();
  do_create = !io_acct_activate_free_worker(acct);
  if (!mutant(M::enqueue_no_rcu_lock)) rcu_read_unlock();

  if (do_create && ((work_flags & IO_WQ_WORK_CONCURRENT) || !atomic_read(&acct->nr_running))) {
    bool did_create;

    did_create = io_wq_create_worker(wq, acct);
    if (did_create) return;

    raw_spin_lock(&acct->workers_lock);
    if (acct->nr_workers) {
      raw_spin_unlock(&acct->workers_lock);
      return;
    }
    raw_spin_unlock(&acct->workers_lock);

    // Not even one worker could be made: fail this work rather than leave it queued.
    io_acct_cancel_pending_work(wq, acct, &match);
  }
}

// Serialises works hashed to the same bucket (io_uring hashes regular-file writes by inode).
void io_wq_hash_work(io_wq_work* work, void* val) {
  unsigned bit;

  // hash_ptr(val, IO_WQ_HASH_ORDER) would make the bucket depend on addresses.
  bit = static_cast<unsigned>(reinterpret_cast<std::uintptr_t>(val) & (IO_WQ_NR_HASH_BUCKETS - 1));
  atomic_or(static_cast<int>(IO_WQ_WORK_HASHED | (bit << IO_WQ_HASH_SHIFT)), &work->flags);
}

static bool __io_wq_worker_cancel(io_worker* worker, io_cb_cancel_data* match, io_wq_work* work) {
  if (work && match->fn(work, match->data)) {
    atomic_or(IO_WQ_WORK_CANCEL, &work->flags);
    if (!mutant(M::cancel_no_notify)) __set_notify_signal(worker->task);
    return true;
  }

  return false;
}

static bool io_wq_worker_cancel(io_worker* worker, void* data) {
  auto* match = static_cast<io_cb_cancel_data*>(data);

  // worker->lock keeps cur_work from being finished and freed while the match callback looks at it.
  raw_spin_lock(&worker->lock);
  if (__io_wq_worker_cancel(worker, match, worker->cur_work)) match->nr_running++;
  raw_spin_unlock(&worker->lock);

  return match->nr_running && !match->cancel_all;
}

static void io_wq_remove_pending(io_wq* wq, io_wq_acct* acct, io_wq_work* work, io_wq_work_node* prev) {
  unsigned hash = io_get_work_hash(work);
  io_wq_work* prev_work = nullptr;

  if (io_wq_is_hashed(work) && work == wq->hash_tail[hash]) {
    if (prev) prev_work = work_of(prev);
    if (prev_work && io_wq_is_hashed(prev_work) && io_get_work_hash(prev_work) == hash)
      wq->hash_tail[hash] = prev_work;
    else
      wq->hash_tail[hash] = nullptr;
  }
  wq_list_del(&acct->work_list, &work->list, prev);
}

static bool io_acct_cancel_pending_work(io_wq* wq, io_wq_acct* acct, io_cb_cancel_data* match) {
  io_wq_work_node *node, *prev;
  io_wq_work* work;

  raw_spin_lock(&acct->lock);
  // wq_list_for_each(node, prev, &acct->work_list)
  for (node = wq_list_first(&acct->work_list), prev = nullptr; node; prev = node, node = node->next) {
    work = work_of(node);
    if (!match->fn(work, match->data)) continue;
    io_wq_remove_pending(wq, acct, work, prev);
    raw_spin_unlock(&acct->lock);
    io_run_cancel(work, wq);
    match->nr_pending++;
    // The list may have changed once acct->lock was dropped: the caller starts over.
    return true;
  }
  raw_spin_unlock(&acct->lock);

  return false;
}

static void io_wq_cancel_pending_work(io_wq* wq, io_cb_cancel_data* match) {
  int i;
retry:
  for (i = 0; i < IO_WQ_ACCT_NR; i++) {
    io_wq_acct* acct = io_get_acct(wq, i == 0);

    if (io_acct_cancel_pending_work(wq, acct, match)) {
      if (match->cancel_all) goto retry;
      break;
    }
  }
}

static void io_acct_cancel_running_work(io_wq_acct* acct, io_cb_cancel_data* match) {
  raw_spin_lock(&acct->workers_lock);
  io_acct_for_each_worker(acct, io_wq_worker_cancel, match);
  raw_spin_unlock(&acct->workers_lock);
}

static void io_wq_cancel_running_work(io_wq* wq, io_cb_cancel_data* match) {
  rcu_read_lock();

  for (int i = 0; i < IO_WQ_ACCT_NR; i++) io_acct_cancel_running_work(&wq->acct[i], match);

  rcu_read_unlock();
}

io_wq_cancel io_wq_cancel_cb(io_wq* wq, work_cancel_fn* cancel, void* data, bool cancel_all) {
  io_cb_cancel_data match = {cancel, data, 0, 0, cancel_all};

  // First the pending list (CANCEL_OK: the work is returned as new, no completion is posted),
  // then a free (going busy) or busy worker's current work (CANCEL_RUNNING: cancellation is
  // signalled, the completion runs normally), each acct's workers under its workers_lock.
  io_wq_cancel_pending_work(wq, &match);
  if (match.nr_pending && !match.cancel_all)
    return mutant(M::cancel_pending_notfound) ? IO_WQ_CANCEL_NOTFOUND : IO_WQ_CANCEL_OK;

  io_wq_cancel_running_work(wq, &match);
  if (match.nr_running && !match.cancel_all) return IO_WQ_CANCEL_RUNNING;

  if (match.nr_running) return IO_WQ_CANCEL_RUNNING;
  if (match.nr_pending) return IO_WQ_CANCEL_OK;
  return IO_WQ_CANCEL_NOTFOUND;
}

static int io_wq_hash_wake(wait_queue_entry* wait, unsigned /*mode*/, int /*sync*/, void* /*key*/) {
  io_wq* wq = wq_of_wait(wait);
  int i;

  list_del_init(&wait->entry);

  rcu_read_lock();
  for (i = 0; i < IO_WQ_ACCT_NR; i++) {
    io_wq_acct* acct = &wq->acct[i];

    if (test_and_clear_bit(IO_ACCT_STALLED_BIT, &acct->flags)) io_acct_activate_free_worker(acct);
  }
  rcu_read_unlock();
  return 1;
}

void register_sched_hooks() { set_io_worker_sched_hooks(io_wq_worker_sleeping, io_wq_worker_running); }

// Model only: names the wq's objects in traces.
static void name_wq(io_wq* wq) {
  set_name(&wq->state, "wq.state");
  set_name(&wq->worker_refs, "wq.worker_refs");
  wq->task.set_name("wq.task");
  for (int i = 0; i < IO_WQ_ACCT_NR; i++) {
    io_wq_acct* acct = &wq->acct[i];
    acct->nr_workers.set_name("acct.nr_workers", i);
    acct->max_workers.set_name("acct.max_workers", i);
    set_name(&acct->nr_running, "acct.nr_running", i);
    set_name(&acct->all_list, "acct.all_list", i);
    acct->work_list.first.set_name("acct.work_list.first", i);
    acct->work_list.last.set_name("acct.work_list.last", i);
    set_name(&acct->flags, "acct.flags", i);
  }
  set_name(&wq->wait.entry, "wq.wait.entry");
  for (unsigned i = 0; i < IO_WQ_NR_HASH_BUCKETS; i++) wq->hash_tail[i].set_name("wq.hash_tail", static_cast<int>(i));
}

io_wq* io_wq_create(unsigned bounded, io_wq_data* data) {
  int i;
  io_wq* wq;

  if (WARN_ON_ONCE(!bounded)) return ERR_PTR<io_wq>(-EINVAL);

  // Whichever port creates the wq runs the scheduler's io-worker hooks for this execution.
  register_sched_hooks();

  wq = kzalloc<io_wq>();
  if (!wq) return ERR_PTR<io_wq>(-ENOMEM);
  name_wq(wq);

  refcount_inc(&data->hash->refs);
  wq->hash = data->hash;
  wq->free_work = data->free_work;
  wq->do_work = data->do_work;

  // alloc_cpumask_var/cpuset_cpus_allowed and their -ENOMEM error path: not modelled.
  wq->acct[IO_WQ_ACCT_BOUND].max_workers = bounded;
  wq->acct[IO_WQ_ACCT_UNBOUND].max_workers = current_config().rlimit_nproc;  // task_rlimit(current, RLIMIT_NPROC)
  INIT_LIST_HEAD(&wq->wait.entry);
  wq->wait.func = io_wq_hash_wake;
  for (i = 0; i < IO_WQ_ACCT_NR; i++) {
    io_wq_acct* acct = &wq->acct[i];

    acct->ghost_index = i;
    atomic_set(&acct->nr_running, 0);

    raw_spin_lock_init(&acct->workers_lock, "acct.workers_lock", i);
    INIT_HLIST_NULLS_HEAD(&acct->free_list, 0,
                          i == IO_WQ_ACCT_BOUND ? "acct.free_list(bound)" : "acct.free_list(unbound)");
    INIT_LIST_HEAD(&acct->all_list);

    INIT_WQ_LIST(&acct->work_list);
    raw_spin_lock_init(&acct->lock, "acct.lock", i);
  }

  wq->task = get_task_struct(data->task);
  atomic_set(&wq->worker_refs, 1);
  init_completion(&wq->worker_done, "wq.worker_done");
  // cpuhp_state_add_instance_nocalls and its error path: CPU hotplug is not modelled.
  return wq;
}

static bool io_task_work_match(callback_head* cb, void* data) {
  io_worker* worker;

  if (cb->func != create_worker_cb && cb->func != create_worker_cont) return false;
  worker = worker_of_create_work(cb);
  return worker->wq == data;
}

void io_wq_exit_start(io_wq* wq) { set_bit(IO_WQ_BIT_EXIT, &wq->state); }

static void io_wq_cancel_tw_create(io_wq* wq) {
  callback_head* cb;

  while ((cb = task_work_cancel_match(wq->task, io_task_work_match, wq)) != nullptr) {
    io_worker* worker;
    // Fix tw-uaf: read while the queued item still holds its worker reference; after
    // io_worker_cancel_cb() a create_worker_cb's worker may have exited and been freed.
    const bool cont = has_fix(fix::tw_uaf) && cb->func == create_worker_cont;

    worker = worker_of_create_work(cb);
    io_worker_cancel_cb(worker);
    // A create_worker_cont item owns a worker that never got a thread: free it here.
    // create_worker_cb's worker belongs to a running thread.
    if (has_fix(fix::tw_uaf) ? cont : cb->func == create_worker_cont) kfree(worker);
  }
}

static void io_wq_exit_workers(io_wq* wq) {
  if (!wq->task) return;

  io_wq_cancel_tw_create(wq);

  rcu_read_lock();
  io_wq_for_each_worker(wq, io_wq_worker_wake, nullptr);
  rcu_read_unlock();
  io_worker_ref_put(wq);

  // Upstream waits with wait_for_completion_timeout() in slices of half the hung-task timeout,
  // looping until it completes and warning once IO_URING_EXIT_WAIT_MAX has passed; with time not
  // modelled that is one uninterruptible wait (a wait that never ends is the exit-hang property).
  wait_for_completion(&wq->worker_done);

  spin_lock_irq(&wq->hash->wait.lock);
  list_del_init(&wq->wait.entry);
  spin_unlock_irq(&wq->hash->wait.lock);

  put_task_struct(wq->task);
  wq->task = nullptr;
}

static void io_wq_destroy(io_wq* wq) {
  io_cb_cancel_data match = {io_wq_work_match_all, nullptr, 0, 0, true};

  // cpuhp_state_remove_instance_nocalls: not modelled.
  // The mutant re-introduces the whole bug f01272541d2c fixed (as in the 6.14 port): neither
  // io_wq_enqueue nor the teardown cancelled work queued after the workers were told to exit.
  if (!mutant(M::hist_enqueue_no_cancel_on_exit)) io_wq_cancel_pending_work(wq, &match);
  // free_cpumask_var: not modelled.
  io_wq_put_hash(wq->hash);
  kfree(wq);
}

void io_wq_put_and_exit(io_wq* wq) {
  WARN_ON_ONCE(!test_bit(IO_WQ_BIT_EXIT, &wq->state));

  io_wq_exit_workers(wq);
  io_wq_destroy(wq);
}

// io_wq_worker_affinity, __io_wq_cpu_online, io_wq_cpu_online/offline, io_wq_cpu_affinity:
// CPU hotplug and affinity are not modelled.

// Sets each acct's max_workers (a 0 leaves it) and hands back the previous values.
int io_wq_max_workers(io_wq* wq, int* new_count) {
  io_wq_acct* acct;
  int prev[IO_WQ_ACCT_NR];
  int i;
  const int rlimit = static_cast<int>(current_config().rlimit_nproc);

  for (i = 0; i < IO_WQ_ACCT_NR; i++) {
    if (new_count[i] > rlimit) new_count[i] = rlimit;
  }

  for (i = 0; i < IO_WQ_ACCT_NR; i++) prev[i] = 0;

  rcu_read_lock();

  for (i = 0; i < IO_WQ_ACCT_NR; i++) {
    acct = &wq->acct[i];
    raw_spin_lock(&acct->workers_lock);
    prev[i] = std::max(static_cast<int>(acct->max_workers), prev[i]);
    if (new_count[i]) acct->max_workers = static_cast<unsigned>(new_count[i]);
    raw_spin_unlock(&acct->workers_lock);
  }
  rcu_read_unlock();

  for (i = 0; i < IO_WQ_ACCT_NR; i++) new_count[i] = prev[i];

  return 0;
}

// ---- inspection -----------------------------------------------------------------------------------

wq_view io_wq_peek(const io_wq* wq) {
  wq_view v;
  const unsigned long state = bitmap_peek(&wq->state);
  v.exit = state & BIT(IO_WQ_BIT_EXIT);
  v.exit_on_idle = state & BIT(IO_WQ_BIT_EXIT_ON_IDLE);
  v.worker_refs = wq->worker_refs.counter.peek();
  v.worker_done = completion_done_peek(&wq->worker_done);
  v.threads_started = wq->ghost.threads_started.load(std::memory_order_relaxed);
  v.threads_exited = wq->ghost.threads_exited.load(std::memory_order_relaxed);
  for (int i = 0; i < IO_WQ_ACCT_NR; i++) {
    const io_wq_acct& a = wq->acct[i];
    acct_view& av = v.acct[i];
    for (const hlist_nulls_node* n = a.free_list.first.peek(); n; n = n->next.peek()) v.free_list_len++;
    for (const list_head* p = a.all_list.next.peek(); p != &a.all_list; p = p->next.peek()) v.all_list_len++;
    av.nr_workers = a.nr_workers.peek();
    av.max_workers = a.max_workers.peek();
    av.nr_running = a.nr_running.counter.peek();
    av.live_threads = wq->ghost.live_threads[i].load(std::memory_order_relaxed);
    av.stalled = bitmap_peek(&a.flags) & BIT(IO_ACCT_STALLED_BIT);
    for (const io_wq_work_node* n = a.work_list.first.peek(); n; n = n->next.peek()) av.pending++;
  }
  return v;
}

}  // namespace iowq::upstream

// ---- the upstream port as the scenarios drive it (model/wq_ops.h) --------------------------------

namespace iowq {

namespace {
upstream::io_wq* as_up(void* p) { return static_cast<upstream::io_wq*>(p); }

int accounting_locks_upstream(void* wq, kern::raw_spinlock_t** locks) {
  // Each acct's workers_lock guards its own nr_workers.
  for (int i = 0; i < IO_WQ_ACCT_NR; i++) locks[i] = &as_up(wq)->acct[i].workers_lock;
  return IO_WQ_ACCT_NR;
}
}  // namespace

struct port_6_19 {
  static void* create(unsigned bounded, io_wq_data* data) { return upstream::io_wq_create(bounded, data); }
  static void hash_work(io_wq_work* work, void* val) { upstream::io_wq_hash_work(work, val); }
  static void enqueue(void* wq, io_wq_work* work) { upstream::io_wq_enqueue(as_up(wq), work); }
  static void exit_start(void* wq) { upstream::io_wq_exit_start(as_up(wq)); }
  static void put_and_exit(void* wq) { upstream::io_wq_put_and_exit(as_up(wq)); }
  static void set_exit_on_idle(void* wq, bool enable) { upstream::io_wq_set_exit_on_idle(as_up(wq), enable); }
  static io_wq_cancel cancel_cb(void* wq, work_cancel_fn* fn, void* data, bool all) {
    return upstream::io_wq_cancel_cb(as_up(wq), fn, data, all);
  }
  static wq_view peek(const void* wq) { return upstream::io_wq_peek(static_cast<const upstream::io_wq*>(wq)); }
  static int accounting_locks(void* wq, kern::raw_spinlock_t** locks) { return accounting_locks_upstream(wq, locks); }
};

const wq_ops& ops_upstream() {
  static const wq_ops ops = adapter::make_ops<port_6_19>("6.19", "acct->workers_lock", in_6_19);
  return ops;
}

}  // namespace iowq
