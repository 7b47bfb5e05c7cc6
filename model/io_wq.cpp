// Port of io_uring/io-wq.c as in Linux 6.14, function by function and in the same order, over the
// kernel facade. Same locks guarding the same fields, same lock scopes, same bit operations in the
// same order. Departures carry a comment naming the upstream function and the reason; variant
// and mutant switches sit at the line they change.
//
// 6.14 in brief (what differs from older trees a reviewer may have at hand): worker->flags uses
// bitops (6.10), io_wq_work.flags is an atomic_t (6.11), the worker publishes its work in cur_work
// before dropping acct->lock and there is no next_work (6.10), io_acct_run_queue() returns with
// acct->lock held, creation retries are limited by init_retries (6.11) and go through a delayed
// work (6.14), and wq->lock still guards nr_workers and the worker lists (6.15 moved them).
#include "model/io_wq.h"

#include <algorithm>
#include <cstddef>

#include "model/port_adapter.h"

namespace iowq {

using namespace kern;

namespace {

constexpr long WORKER_IDLE_TIMEOUT = 5 * HZ;
constexpr int WORKER_INIT_LIMIT = 3;

enum {
  IO_WORKER_F_UP = 0,      /* up and active */
  IO_WORKER_F_RUNNING = 1, /* account as running */
  IO_WORKER_F_FREE = 2,    /* worker on free list */
  IO_WORKER_F_BOUND = 3,   /* is doing bounded work */
};

enum {
  IO_WQ_BIT_EXIT = 0,         /* wq exiting */
  IO_WQ_BIT_EXIT_ON_IDLE = 1, /* v1 and merged: allow all workers to exit on idle */
};

enum {
  IO_ACCT_STALLED_BIT = 0, /* stalled on hash */
};

struct io_cb_cancel_data {
  work_cancel_fn* fn;
  void* data;
  int nr_running;
  int nr_pending;
  bool cancel_all;
};

// container_of for the members io-wq links through.
io_worker* worker_of_nulls(hlist_nulls_node* n) { return container_of<io_worker>(n, offsetof(io_worker, nulls_node)); }
io_worker* worker_of_all_list(list_head* l) { return container_of<io_worker>(l, offsetof(io_worker, all_list)); }
io_worker* worker_of_create_work(callback_head* cb) {
  return container_of<io_worker>(cb, offsetof(io_worker, create_work));
}
io_worker* worker_of_work(work_struct* w) { return container_of<io_worker>(w, offsetof(io_worker, work.work)); }
io_wq* wq_of_wait(wait_queue_entry* wait) { return container_of<io_wq>(wait, offsetof(io_wq, wait)); }

bool is_eoi_variant() { return !variant_is(variant::baseline); }

}  // namespace

static bool create_io_worker(io_wq* wq, int index);
static void io_wq_dec_running(io_worker* worker);
static bool io_acct_cancel_pending_work(io_wq* wq, io_wq_acct* acct, io_cb_cancel_data* match);
static void create_worker_cb(callback_head* cb);
static void io_wq_cancel_tw_create(io_wq* wq);

static bool io_worker_get(io_worker* worker) { return refcount_inc_not_zero(&worker->ref); }

static void io_worker_release(io_worker* worker) {
  if (refcount_dec_and_test(&worker->ref)) complete(&worker->ref_done);
}

static io_wq_acct* io_get_acct(io_wq* wq, bool bound) {
  return &wq->acct[bound ? IO_WQ_ACCT_BOUND : IO_WQ_ACCT_UNBOUND];
}

static io_wq_acct* io_work_get_acct(io_wq* wq, io_wq_work* work) {
  return io_get_acct(wq, !(atomic_read(&work->flags) & IO_WQ_WORK_UNBOUND));
}

static io_wq_acct* io_wq_get_acct(io_worker* worker) {
  return io_get_acct(worker->wq, test_bit(IO_WORKER_F_BOUND, &worker->flags));
}

static void io_worker_ref_put(io_wq* wq) {
  if (atomic_dec_and_test(&wq->worker_refs)) complete(&wq->worker_done);
}

bool io_wq_worker_stopped() {
  auto* worker = static_cast<io_worker*>(current()->worker_private.load());

  if (WARN_ON_ONCE(!io_wq_current_is_worker())) return true;

  io_wq* wq = worker->wq;
  return test_bit(IO_WQ_BIT_EXIT, &wq->state);
}

static void io_worker_cancel_cb(io_worker* worker) {
  io_wq_acct* acct = io_wq_get_acct(worker);
  io_wq* wq = worker->wq;

  atomic_dec(&acct->nr_running);
  raw_spin_lock(&wq->lock);
  acct->nr_workers--;
  raw_spin_unlock(&wq->lock);
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

static void io_worker_exit(io_worker* worker) {
  io_wq* wq = worker->wq;

  while (true) {
    callback_head* cb = task_work_cancel_match(wq->task, io_task_worker_match, worker);

    if (!cb) break;
    io_worker_cancel_cb(worker);
  }

  io_worker_release(worker);
  wait_for_completion(&worker->ref_done);

  raw_spin_lock(&wq->lock);
  if (test_bit(IO_WORKER_F_FREE, &worker->flags)) hlist_nulls_del_rcu(&worker->nulls_node);
  list_del_rcu(&worker->all_list);
  raw_spin_unlock(&wq->lock);
  io_wq_dec_running(worker);
  // The worker is gone: inc/dec running calls during the rest of the exit must not touch it.
  current()->worker_private = nullptr;

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

// If there's work to do, returns true with acct->lock acquired. If not, returns false with no
// lock held.
static bool io_acct_run_queue(io_wq_acct* acct) {
  raw_spin_lock(&acct->lock);
  if (__io_acct_run_queue(acct)) return true;

  raw_spin_unlock(&acct->lock);
  return false;
}

// Check head of free list for an available worker. If one isn't available, caller must create
// one. Called under rcu_read_lock().
static bool io_wq_activate_free_worker(io_wq* wq, io_wq_acct* acct) {
  // hlist_nulls_for_each_entry_rcu(worker, n, &wq->free_list, nulls_node)
  for (hlist_nulls_node* n = hlist_nulls_first_rcu(&wq->free_list); !is_a_nulls(n); n = hlist_nulls_next_rcu(n)) {
    io_worker* worker = worker_of_nulls(n);

    if (!io_worker_get(worker)) continue;
    if (io_wq_get_acct(worker) != acct) {
      io_worker_release(worker);
      continue;
    }
    // A worker already running is starting or finishing work; if it goes to sleep, the
    // sleeping hook creates a new worker for this work anyway.
    wake_up_process(worker->task);
    io_worker_release(worker);
    return true;
  }

  return false;
}

// We need a worker. If we find a free one, we're good. If not, and we're below the max number of
// workers, create one.
static bool io_wq_create_worker(io_wq* wq, io_wq_acct* acct) {
  // The pr_warn_once() for !acct->max_workers is omitted: an unlocked read only for a message.

  if (mutant(M::hist_nr_workers_unlocked)) {
    // Before 3d4e4face9c1 "io-wq: fix no lock protection for acct->nr_worker": the check is made
    // without the lock (read as data_race() would, so that the checker shows the symptom, two
    // creators both passing it, rather than the race report), the increment under it.
    if (data_race_read(acct->nr_workers) >= data_race_read(acct->max_workers)) return true;
    raw_spin_lock(&wq->lock);
    acct->nr_workers++;
    raw_spin_unlock(&wq->lock);
  } else {
    raw_spin_lock(&wq->lock);
    if (acct->nr_workers >= acct->max_workers) {
      raw_spin_unlock(&wq->lock);
      return true;
    }
    acct->nr_workers++;
    raw_spin_unlock(&wq->lock);
  }
  atomic_inc(&acct->nr_running);
  atomic_inc(&wq->worker_refs);
  return create_io_worker(wq, acct->index);
}

static void io_wq_inc_running(io_worker* worker) {
  io_wq_acct* acct = io_wq_get_acct(worker);

  atomic_inc(&acct->nr_running);
}

static void create_worker_cb(callback_head* cb) {
  io_worker* worker;
  io_wq* wq;

  io_wq_acct* acct;
  bool do_create = false;

  worker = worker_of_create_work(cb);
  wq = worker->wq;
  acct = &wq->acct[worker->create_index];
  // The mutant: before 3d4e4face9c1 the creation this callback makes was checked against
  // max_workers without the lock (by the queuer), and counted here under it.
  const bool unlocked_check = mutant(M::hist_nr_workers_unlocked);
  if (unlocked_check) do_create = data_race_read(acct->nr_workers) < data_race_read(acct->max_workers);
  raw_spin_lock(&wq->lock);

  if (unlocked_check) {
    if (do_create) acct->nr_workers++;
  } else if (acct->nr_workers < acct->max_workers) {
    acct->nr_workers++;
    do_create = true;
  }
  raw_spin_unlock(&wq->lock);
  if (do_create) {
    create_io_worker(wq, worker->create_index);
  } else {
    atomic_dec(&acct->nr_running);
    io_worker_ref_put(wq);
  }
  if (!mutant(M::create_cb_no_clear_state)) clear_bit_unlock(0, &worker->create_state);
  io_worker_release(worker);
}

static bool io_queue_worker_create(io_worker* worker, io_wq_acct* acct, task_work_func_t func) {
  io_wq* wq = worker->wq;

  // raced with exit, just ignore create call
  if (test_bit(IO_WQ_BIT_EXIT, &wq->state)) goto fail;
  if (!io_worker_get(worker)) goto fail;
  // create_state owns create_work/create_index: one entry per worker, the worker going to sleep
  // triggers it and running the task_work releases it.
  if (test_bit(0, &worker->create_state) || test_and_set_bit_lock(0, &worker->create_state)) goto fail_release;

  if (mutant(M::hist_no_exit_recheck)) {
    // Before "io-wq: check for wq exit after adding new worker task_work".
    init_task_work(&worker->create_work, func);
    worker->create_index = acct->index;
    if (!task_work_add(wq->task, &worker->create_work, TWA_SIGNAL)) return true;
    clear_bit_unlock(0, &worker->create_state);
    goto fail_release;
  }

  atomic_inc(&wq->worker_refs);
  init_task_work(&worker->create_work, func);
  worker->create_index = acct->index;
  if (!task_work_add(wq->task, &worker->create_work, TWA_SIGNAL)) {
    // EXIT may have been set after the check above and after io_wq_exit_workers() cancelled the
    // queued creations: cancel again once the item is queued.
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

static void io_wq_dec_running(io_worker* worker) {
  io_wq_acct* acct = io_wq_get_acct(worker);
  io_wq* wq = worker->wq;

  if (!test_bit(IO_WORKER_F_UP, &worker->flags)) return;

  if (!atomic_dec_and_test(&acct->nr_running)) return;
  if (mutant(M::dec_running_no_recheck)) return;
  if (!io_acct_run_queue(acct)) return;

  raw_spin_unlock(&acct->lock);
  atomic_inc(&acct->nr_running);
  atomic_inc(&wq->worker_refs);
  io_queue_worker_create(worker, acct, create_worker_cb);
}

// Worker will start processing some work. Move it to the busy list, if it's currently on the
// freelist.
static void __io_worker_busy(io_wq* wq, io_worker* worker) {
  if (test_bit(IO_WORKER_F_FREE, &worker->flags)) {
    clear_bit(IO_WORKER_F_FREE, &worker->flags);
    if (mutant(M::busy_unlocked_del)) {
      hlist_nulls_del_init_rcu(&worker->nulls_node);
      return;
    }
    raw_spin_lock(&wq->lock);
    hlist_nulls_del_init_rcu(&worker->nulls_node);
    raw_spin_unlock(&wq->lock);
  }
}

// No work, worker going to sleep. Move to freelist. Called with wq->lock held.
static void __io_worker_idle(io_wq* wq, io_worker* worker) {
  if (!test_bit(IO_WORKER_F_FREE, &worker->flags)) {
    set_bit(IO_WORKER_F_FREE, &worker->flags);
    hlist_nulls_add_head_rcu(&worker->nulls_node, &wq->free_list);
  }
}

static unsigned io_get_work_hash(io_wq_work* work) {
  return static_cast<unsigned>(atomic_read(&work->flags)) >> IO_WQ_HASH_SHIFT;
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
static io_wq_work* io_get_next_work(io_wq_acct* acct, io_worker* worker) {
  io_wq_work_node *node, *prev;
  io_wq_work *work, *tail;
  unsigned stall_hash = -1U;
  io_wq* wq = worker->wq;

  // wq_list_for_each(node, prev, &acct->work_list)
  for (node = wq_list_first(&acct->work_list), prev = nullptr; node; prev = node, node = node->next) {
    unsigned hash;

    work = work_of(node);

    /* not hashed, can run anytime */
    if (!io_wq_is_hashed(work)) {
      wq_list_del(&acct->work_list, node, prev);
      return work;
    }

    hash = io_get_work_hash(work);
    /* all items with this hash lie in [work, tail] */
    tail = wq->hash_tail[hash];

    /* hashed, can run if not already running */
    if (!test_and_set_bit(hash, &wq->hash->map)) {
      wq->hash_tail[hash] = nullptr;
      wq_list_cut(&acct->work_list, &tail->list, prev);
      return work;
    }
    if (stall_hash == -1U) stall_hash = hash;
    /* fast forward to a next hash, for-each will fix up @prev */
    node = &tail->list;
  }

  if (stall_hash != -1U) {
    bool unstalled;

    // Set before dropping the lock, so that new work being added and clearing the bit cannot
    // race with it.
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

// Called with acct->lock held, drops it before returning.
static void io_worker_handle_work(io_wq_acct* acct, io_worker* worker) {
  io_wq* wq = worker->wq;
  bool do_kill = test_bit(IO_WQ_BIT_EXIT, &wq->state);

  do {
    io_wq_work* work;

    // No work with a non-empty list means we stalled on hashed work: io_get_next_work() marked
    // the acct stalled, and work completion or insertion clears it.
    work = io_get_next_work(acct, worker);
    if (work) {
      // Cancellation must find the work from the moment it left the work list.
      raw_spin_lock(&worker->lock);
      worker->cur_work = work;
      raw_spin_unlock(&worker->lock);
    }

    raw_spin_unlock(&acct->lock);

    if (!work) break;

    __io_worker_busy(wq, worker);

    io_assign_current_work(worker, work);
    __set_current_state(TASK_RUNNING);

    /* handle a whole dependent link */
    do {
      io_wq_work *next_hashed, *linked;
      // 6.14 computes the hash of unhashed work too (0 with IO_WQ_HASH_SHIFT 24), so the hash
      // clear below also runs for unhashed work; fixed in 6.15 by "io_uring/io-wq: do not use
      // bogus hash value". Kept as released.
      unsigned hash = io_get_work_hash(work);

      next_hashed = wq_next_work(work);

      if (do_kill && (atomic_read(&work->flags) & IO_WQ_WORK_UNBOUND)) atomic_or(IO_WQ_WORK_CANCEL, &work->flags);
      wq->do_work(work);
      io_assign_current_work(worker, nullptr);

      linked = wq->free_work(work);
      work = next_hashed;
      if (!work && linked && !io_wq_is_hashed(linked)) {
        work = linked;
        linked = nullptr;
      }
      io_assign_current_work(worker, work);
      if (linked) io_wq_enqueue(wq, linked);

      if (hash != -1U && !next_hashed) {
        /* serialize hash clear with wake_up() */
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

// The exit-on-idle exit: acct->nr_workers-- under wq->lock, then drop the lock. Called with
// wq->lock held; returns with it dropped.
static void io_worker_exit_on_idle_locked(io_wq* wq, io_wq_acct* acct) {
  if (mutant(M::eoi_no_dec)) {
    raw_spin_unlock(&wq->lock);
    return;
  }
  if (mutant(M::eoi_dec_unlocked)) {
    raw_spin_unlock(&wq->lock);
    acct->nr_workers--;
    return;
  }
  acct->nr_workers--;
  raw_spin_unlock(&wq->lock);
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

    // With work to do, io_acct_run_queue() returns with acct->lock held; otherwise it drops it.
    while (io_acct_run_queue(acct)) io_worker_handle_work(acct, worker);

    // The mutant announces the sleep only after it found the queue empty.
    if (mutant(M::state_after_check)) set_current_state(TASK_INTERRUPTIBLE);

    raw_spin_lock(&wq->lock);
    // v1 (the seed): exit as soon as idle when marked idle-exit. merged tests it here too if no timeout: see below.
    if ((last_timeout ? variant_is(variant::v1) : is_eoi_variant()) && !mutant(M::eoi_after_idle) &&
        test_bit(IO_WQ_BIT_EXIT_ON_IDLE, &wq->state)) {
      io_worker_exit_on_idle_locked(wq, acct);
      __set_current_state(TASK_RUNNING);
      break;
    }
    // merged (38aa434ab933) joins that test to the timeout exit, which takes no step unless the sleep timed out.
    const bool timeout_exit = last_timeout && (exit_mask || acct->nr_workers > 1);
    if (timeout_exit || (last_timeout && variant_is(variant::merged) && !mutant(M::eoi_after_idle) &&
                         test_bit(IO_WQ_BIT_EXIT_ON_IDLE, &wq->state))) {
      if (timeout_exit) {
        acct->nr_workers--;
        raw_spin_unlock(&wq->lock);
      } else {
        io_worker_exit_on_idle_locked(wq, acct);
      }
      __set_current_state(TASK_RUNNING);
      break;
    }
    last_timeout = false;
    __io_worker_idle(wq, worker);
    // Mutant eoi_after_idle: the exit-on-idle test placed after the worker joined the free list.
    if (is_eoi_variant() && mutant(M::eoi_after_idle) && test_bit(IO_WQ_BIT_EXIT_ON_IDLE, &wq->state)) {
      io_worker_exit_on_idle_locked(wq, acct);
      __set_current_state(TASK_RUNNING);
      break;
    }
    raw_spin_unlock(&wq->lock);
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

// Called when a worker is scheduled in. Mark us as currently running.
void io_wq_worker_running(task_struct* tsk) {
  auto* worker = static_cast<io_worker*>(tsk->worker_private.load());

  if (!worker) return;
  if (!test_bit(IO_WORKER_F_UP, &worker->flags)) return;
  if (test_bit(IO_WORKER_F_RUNNING, &worker->flags)) return;
  set_bit(IO_WORKER_F_RUNNING, &worker->flags);
  io_wq_inc_running(worker);
}

// Called when worker is going to sleep. If there are no workers currently running and we have
// work pending, wake up a free one or create a new one.
void io_wq_worker_sleeping(task_struct* tsk) {
  auto* worker = static_cast<io_worker*>(tsk->worker_private.load());

  if (!worker) return;
  if (!test_bit(IO_WORKER_F_UP, &worker->flags)) return;
  if (!test_bit(IO_WORKER_F_RUNNING, &worker->flags)) return;

  clear_bit(IO_WORKER_F_RUNNING, &worker->flags);
  io_wq_dec_running(worker);
}

static void io_init_new_worker(io_wq* wq, io_worker* worker, task_struct* tsk) {
  tsk->worker_private = worker;
  worker->task = tsk;
  // set_cpus_allowed_ptr(tsk, wq->cpu_mask): affinity is not modelled.

  raw_spin_lock(&wq->lock);
  hlist_nulls_add_head_rcu(&worker->nulls_node, &wq->free_list);
  list_add_tail_rcu(&worker->all_list, &wq->all_list);
  set_bit(IO_WORKER_F_FREE, &worker->flags);
  raw_spin_unlock(&wq->lock);
  wake_up_new_task(tsk);
}

static bool io_wq_work_match_all(io_wq_work*, void*) { return true; }

static bool io_should_retry_thread(io_worker* worker, long err) {
  // Prevent perpetual task_work retry, if the task (or its group) is exiting.
  if (fatal_signal_pending(current())) return false;
  if (worker->init_retries++ >= WORKER_INIT_LIMIT) return false;

  switch (err) {
    case -EAGAIN:
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

  worker = worker_of_create_work(cb);
  clear_bit_unlock(0, &worker->create_state);
  wq = worker->wq;
  tsk = create_io_thread(io_wq_worker, worker, NUMA_NO_NODE);
  if (!IS_ERR(tsk)) {
    io_init_new_worker(wq, worker, tsk);
    io_worker_release(worker);
    return;
  } else if (!io_should_retry_thread(worker, PTR_ERR(tsk))) {
    io_wq_acct* acct = io_wq_get_acct(worker);

    atomic_dec(&acct->nr_running);
    raw_spin_lock(&wq->lock);
    acct->nr_workers--;
    if (!acct->nr_workers) {
      io_cb_cancel_data match = {io_wq_work_match_all, nullptr, 0, 0, true};

      raw_spin_unlock(&wq->lock);
      while (io_acct_cancel_pending_work(wq, acct, &match))
        ;
    } else {
      raw_spin_unlock(&wq->lock);
    }
    io_worker_ref_put(wq);
    kfree(worker);
    return;
  }

  /* re-create attempts grab a new worker ref, drop the existing one */
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
  worker->create_index.set_name("worker.create_index", id);
  set_name(&worker->flags, "worker.flags", id);
  // io_wq_worker sets UP and RUNNING with one set_mask_bits: keep the flags in one cell.
  init_bitmap_one_word(&worker->flags);
  set_name(&worker->nulls_node, "worker.nulls_node", id);
  set_name(&worker->all_list, "worker.all_list", id);
  worker->task.set_name("worker.task", id);
  worker->wq.set_name("worker.wq", id);
  worker->cur_work.set_name("worker.cur_work", id);
  raw_spin_lock_init(&worker->lock, "worker.lock", id);
  set_name(&worker->create_state, "worker.create_state", id);
  worker->create_work.next.set_name("worker.create_work.next", id);
  worker->create_work.func.set_name("worker.create_work.func", id);
  worker->init_retries.set_name("worker.init_retries", id);
}

static bool create_io_worker(io_wq* wq, int index) {
  io_wq_acct* acct = &wq->acct[index];
  io_worker* worker;
  task_struct* tsk;

  __set_current_state(TASK_RUNNING);

  worker = kzalloc<io_worker>();
  if (!worker) {
  fail:
    atomic_dec(&acct->nr_running);
    raw_spin_lock(&wq->lock);
    acct->nr_workers--;
    raw_spin_unlock(&wq->lock);
    io_worker_ref_put(wq);
    return false;
  }
  name_worker(wq, worker);
  worker->ghost_acct = index;

  refcount_set(&worker->ref, 1);
  worker->wq = wq;
  raw_spin_lock_init(&worker->lock, "worker.lock", worker->id);
  init_completion(&worker->ref_done, "worker.ref_done", worker->id);

  if (index == IO_WQ_ACCT_BOUND) set_bit(IO_WORKER_F_BOUND, &worker->flags);

  tsk = create_io_thread(io_wq_worker, worker, NUMA_NO_NODE);
  if (!IS_ERR(tsk)) {
    io_init_new_worker(wq, worker, tsk);
  } else if (!io_should_retry_thread(worker, PTR_ERR(tsk))) {
    kfree(worker);
    goto fail;
  } else {
    INIT_DELAYED_WORK(&worker->work, io_workqueue_create);
    queue_create_worker_retry(worker);
  }

  return true;
}

// Iterate the passed in list and call the specific function for each worker that isn't exiting.
// Called under rcu_read_lock().
static bool io_wq_for_each_worker(io_wq* wq, bool (*func)(io_worker*, void*), void* data) {
  bool ret = false;

  // list_for_each_entry_rcu(worker, &wq->all_list, all_list)
  for (list_head* pos = list_next_rcu(&wq->all_list); pos != &wq->all_list; pos = list_next_rcu(pos)) {
    io_worker* worker = worker_of_all_list(pos);

    if (io_worker_get(worker)) {
      /* no task if node is/was offline */
      if (worker->task) ret = func(worker, data);
      io_worker_release(worker);
      if (ret) break;
    }
  }

  return ret;
}

static bool io_wq_worker_wake(io_worker* worker, void*) {
  __set_notify_signal(worker->task);
  wake_up_process(worker->task);
  return false;
}

// v1 and merged (identical in both): toggles IO_WQ_BIT_EXIT_ON_IDLE; enabling wakes every worker
// so that idle sleepers notice.
void io_wq_set_exit_on_idle(io_wq* wq, bool enable) {
  if (!is_eoi_variant()) return;

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

static void io_wq_insert_work(io_wq* wq, io_wq_work* work) {
  io_wq_acct* acct = io_work_get_acct(wq, work);
  unsigned hash;
  io_wq_work* tail;

  if (!io_wq_is_hashed(work)) {
  append:
    wq_list_add_tail(&work->list, &acct->work_list);
    return;
  }

  hash = io_get_work_hash(work);
  tail = wq->hash_tail[hash];
  wq->hash_tail[hash] = work;
  if (!tail) goto append;

  wq_list_add_after(&work->list, &tail->list, &acct->work_list);
}

static bool io_wq_work_match_item(io_wq_work* work, void* data) { return work == data; }

void io_wq_enqueue(io_wq* wq, io_wq_work* work) {
  io_wq_acct* acct = io_work_get_acct(wq, work);
  unsigned long work_flags = static_cast<unsigned>(atomic_read(&work->flags));
  io_cb_cancel_data match = {io_wq_work_match_item, work, 0, 0, false};
  bool do_create;

  // If io-wq is exiting for this task, or if the request has explicitly been marked as one that
  // should not get executed, cancel it here. (Mutant: before "io-wq: ensure all pending work is
  // canceled on exit" the EXIT bit was not checked.)
  if ((!mutant(M::hist_enqueue_no_cancel_on_exit) && test_bit(IO_WQ_BIT_EXIT, &wq->state)) ||
      (atomic_read(&work->flags) & IO_WQ_WORK_CANCEL)) {
    io_run_cancel(work, wq);
    return;
  }

  raw_spin_lock(&acct->lock);
  io_wq_insert_work(wq, work);
  clear_bit(IO_ACCT_STALLED_BIT, &acct->flags);
  raw_spin_unlock(&acct->lock);

  if (!mutant(M::enqueue_no_rcu_lock)) rcu_read_lock();
  do_create = !io_wq_activate_free_worker(wq, acct);
  if (!mutant(M::enqueue_no_rcu_lock)) rcu_read_unlock();

  if (do_create && ((work_flags & IO_WQ_WORK_CONCURRENT) || !atomic_read(&acct->nr_running))) {
    bool did_create;

    did_create = io_wq_create_worker(wq, acct);
    if (did_create) return;

    raw_spin_lock(&wq->lock);
    if (acct->nr_workers) {
      raw_spin_unlock(&wq->lock);
      return;
    }
    raw_spin_unlock(&wq->lock);

    /* fatal condition, failed to create the first worker */
    io_acct_cancel_pending_work(wq, acct, &match);
  }
}

// Work items that hash to the same value will not be done in parallel. Used to limit concurrent
// writes, generally hashed by inode.
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

  // Hold the lock to avoid ->cur_work going out of scope, caller may dereference the passed in
  // work.
  raw_spin_lock(&worker->lock);
  if (__io_wq_worker_cancel(worker, match, worker->cur_work)) match->nr_running++;
  raw_spin_unlock(&worker->lock);

  return match->nr_running && !match->cancel_all;
}

static void io_wq_remove_pending(io_wq* wq, io_wq_work* work, io_wq_work_node* prev) {
  io_wq_acct* acct = io_work_get_acct(wq, work);
  unsigned hash = io_get_work_hash(work);
  io_wq_work* prev_work = nullptr;

  if (io_wq_is_hashed(work) && work == wq->hash_tail[hash]) {
    if (prev) prev_work = work_of(prev);
    if (prev_work && io_get_work_hash(prev_work) == hash)
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
    io_wq_remove_pending(wq, work, prev);
    raw_spin_unlock(&acct->lock);
    io_run_cancel(work, wq);
    match->nr_pending++;
    /* not safe to continue after unlock */
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

static void io_wq_cancel_running_work(io_wq* wq, io_cb_cancel_data* match) {
  rcu_read_lock();
  io_wq_for_each_worker(wq, io_wq_worker_cancel, match);
  rcu_read_unlock();
}

io_wq_cancel io_wq_cancel_cb(io_wq* wq, work_cancel_fn* cancel, void* data, bool cancel_all) {
  io_cb_cancel_data match = {cancel, data, 0, 0, cancel_all};

  // First the pending list (CANCEL_OK: the work is returned as new, no completion is posted),
  // then a free (going busy) or busy worker's current work (CANCEL_RUNNING: cancellation is
  // signalled, the completion runs normally), the latter under wq->lock.
  io_wq_cancel_pending_work(wq, &match);
  if (match.nr_pending && !match.cancel_all)
    return mutant(M::cancel_pending_notfound) ? IO_WQ_CANCEL_NOTFOUND : IO_WQ_CANCEL_OK;

  raw_spin_lock(&wq->lock);
  io_wq_cancel_running_work(wq, &match);
  raw_spin_unlock(&wq->lock);
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

    if (test_and_clear_bit(IO_ACCT_STALLED_BIT, &acct->flags)) io_wq_activate_free_worker(wq, acct);
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
    acct->index.set_name("acct.index", i);
    set_name(&acct->nr_running, "acct.nr_running", i);
    acct->work_list.first.set_name("acct.work_list.first", i);
    acct->work_list.last.set_name("acct.work_list.last", i);
    set_name(&acct->flags, "acct.flags", i);
  }
  set_name(&wq->all_list, "wq.all_list");
  set_name(&wq->wait.entry, "wq.wait.entry");
  for (unsigned i = 0; i < IO_WQ_NR_HASH_BUCKETS; i++) wq->hash_tail[i].set_name("wq.hash_tail", static_cast<int>(i));
}

io_wq* io_wq_create(unsigned bounded, io_wq_data* data) {
  int i;
  io_wq* wq;

  if (WARN_ON_ONCE(!data->free_work || !data->do_work)) return ERR_PTR<io_wq>(-EINVAL);
  if (WARN_ON_ONCE(!bounded)) return ERR_PTR<io_wq>(-EINVAL);

  register_sched_hooks();

  wq = kzalloc<io_wq>();
  if (!wq) return ERR_PTR<io_wq>(-ENOMEM);
  name_wq(wq);

  refcount_inc(&data->hash->refs);
  wq->hash = data->hash;
  wq->free_work = data->free_work;
  wq->do_work = data->do_work;

  // alloc_cpumask_var/cpumask_copy and their -ENOMEM error path: not modelled.
  wq->acct[IO_WQ_ACCT_BOUND].max_workers = bounded;
  wq->acct[IO_WQ_ACCT_UNBOUND].max_workers = current_config().rlimit_nproc;  // task_rlimit(current, RLIMIT_NPROC)
  INIT_LIST_HEAD(&wq->wait.entry);
  wq->wait.func = io_wq_hash_wake;
  for (i = 0; i < IO_WQ_ACCT_NR; i++) {
    io_wq_acct* acct = &wq->acct[i];

    acct->index = i;
    atomic_set(&acct->nr_running, 0);
    INIT_WQ_LIST(&acct->work_list);
    raw_spin_lock_init(&acct->lock, "acct.lock", i);
  }

  raw_spin_lock_init(&wq->lock, "wq.lock");
  INIT_HLIST_NULLS_HEAD(&wq->free_list, 0, "wq.free_list");
  INIT_LIST_HEAD(&wq->all_list);

  wq->task = get_task_struct(data->task);
  atomic_set(&wq->worker_refs, 1);
  init_completion(&wq->worker_done, "wq.worker_done");
  // cpuhp_state_add_instance_nocalls: CPU hotplug is not modelled.
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

    worker = worker_of_create_work(cb);
    io_worker_cancel_cb(worker);
    // Only the worker continuation helper has worker allocated and hence needs freeing.
    if (cb->func == create_worker_cont) kfree(worker);
  }
}

static void io_wq_exit_workers(io_wq* wq) {
  if (!wq->task) return;

  io_wq_cancel_tw_create(wq);

  rcu_read_lock();
  io_wq_for_each_worker(wq, io_wq_worker_wake, nullptr);
  rcu_read_unlock();
  io_worker_ref_put(wq);
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
  // The mutant re-introduces the whole bug f01272541d2c fixed: before it, neither io_wq_enqueue
  // nor the teardown cancelled work queued after the workers were told to exit.
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

// Set max number of workers per acct, returns old values. A new count of 0 only reads.
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

  raw_spin_lock(&wq->lock);
  for (i = 0; i < IO_WQ_ACCT_NR; i++) {
    acct = &wq->acct[i];
    prev[i] = std::max(static_cast<int>(acct->max_workers), prev[i]);
    if (new_count[i]) acct->max_workers = static_cast<unsigned>(new_count[i]);
  }
  raw_spin_unlock(&wq->lock);
  rcu_read_unlock();

  for (i = 0; i < IO_WQ_ACCT_NR; i++) new_count[i] = prev[i];

  return 0;
}

// ---- io_uring-side helpers --------------------------------------------------------------------------

io_wq_hash* io_wq_hash_alloc() {
  auto* hash = kzalloc<io_wq_hash>(GFP_KERNEL | __GFP_NOFAIL);
  set_name(&hash->refs, "hash.refs");
  set_name(&hash->map, "hash.map");
  refcount_set(&hash->refs, 1);
  init_waitqueue_head(&hash->wait, "hash.wait");
  return hash;
}

void io_wq_put_hash(io_wq_hash* hash) {
  if (refcount_dec_and_test(&hash->refs)) kfree(hash);
}

void io_wq_work_init(io_wq_work* work, unsigned flags, int instance) {
  work->list.next.set_name("work.list.next", instance);
  set_name(&work->flags, "work.flags", instance);
  work->list.next = nullptr;
  atomic_set(&work->flags, static_cast<int>(flags));
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
  for (const hlist_nulls_node* n = wq->free_list.first.peek(); n; n = n->next.peek()) v.free_list_len++;
  for (const list_head* p = wq->all_list.next.peek(); p != &wq->all_list; p = p->next.peek()) v.all_list_len++;
  for (int i = 0; i < IO_WQ_ACCT_NR; i++) {
    const io_wq_acct& a = wq->acct[i];
    acct_view& av = v.acct[i];
    av.nr_workers = a.nr_workers.peek();
    av.max_workers = a.max_workers.peek();
    av.nr_running = a.nr_running.counter.peek();
    av.live_threads = wq->ghost.live_threads[i].load(std::memory_order_relaxed);
    av.stalled = bitmap_peek(&a.flags) & BIT(IO_ACCT_STALLED_BIT);
    for (const io_wq_work_node* n = a.work_list.first.peek(); n; n = n->next.peek()) av.pending++;
  }
  return v;
}

}  // namespace iowq

// ---- the 6.14 port as the scenarios drive it (model/wq_ops.h) ------------------------------------

namespace iowq {

namespace {
io_wq* as_wq(void* p) { return static_cast<io_wq*>(p); }

int accounting_locks_614(void* wq, raw_spinlock_t** locks) {
  locks[0] = &as_wq(wq)->lock;  // 6.14: wq->lock guards both accts' nr_workers
  return 1;
}
}  // namespace

struct port_6_14 {
  static void* create(unsigned bounded, io_wq_data* data) { return io_wq_create(bounded, data); }
  static void hash_work(io_wq_work* work, void* val) { io_wq_hash_work(work, val); }
  static void enqueue(void* wq, io_wq_work* work) { io_wq_enqueue(as_wq(wq), work); }
  static void exit_start(void* wq) { io_wq_exit_start(as_wq(wq)); }
  static void put_and_exit(void* wq) { io_wq_put_and_exit(as_wq(wq)); }
  static void set_exit_on_idle(void* wq, bool enable) { io_wq_set_exit_on_idle(as_wq(wq), enable); }
  static io_wq_cancel cancel_cb(void* wq, work_cancel_fn* fn, void* data, bool all) {
    return io_wq_cancel_cb(as_wq(wq), fn, data, all);
  }
  static wq_view peek(const void* wq) { return io_wq_peek(static_cast<const io_wq*>(wq)); }
  static int accounting_locks(void* wq, raw_spinlock_t** locks) { return accounting_locks_614(wq, locks); }
};

const wq_ops& ops_6_14() {
  static const wq_ops ops = adapter::make_ops<port_6_14>("6.14", "wq->lock", in_6_14);
  return ops;
}

}  // namespace iowq
