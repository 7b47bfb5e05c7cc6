// The kernel facade's semantics, written once over the backend contract (see kernel.h). Each
// function follows the kernel function it is named after; comments say where it departs.
#include "model/kernel/kernel.h"

#include <cstddef>
#include <string>
#include <vector>

namespace kern {

namespace {

thread_local environment g_env;

// State of the current execution, reset when it ends.
struct exec_state {
  bool dirty = false;
  int create_failures = 0;
  int kzalloc_failures = 0;
  int next_task_id = 0;
  std::vector<task_struct*> io_threads;  // created by create_io_thread, in creation order
};
thread_local exec_state g_exec;

exec_state& ex() {
  if (!g_exec.dirty) {
    g_exec.dirty = true;
    be::at_execution_end([] { g_exec = exec_state{}; });
  }
  return g_exec;
}

void (*g_sleeping_hook)(task_struct*) = nullptr;
void (*g_running_hook)(task_struct*) = nullptr;

// The marker task_work_run() installs on an exiting task (kernel/task_work.c: work_exited).
callback_head* work_exited() {
  thread_local callback_head marker;
  return &marker;
}

list_head* const LIST_POISON2 = reinterpret_cast<list_head*>(0x122);
atomic_cell<hlist_nulls_node*>* const HLIST_POISON2 = reinterpret_cast<atomic_cell<hlist_nulls_node*>*>(0x122);

void init_task(task_struct* t, const char* comm, unsigned flags) {
  t->comm = comm;
  t->flags = flags;
  t->id = ex().next_task_id++;
  t->__state.set_name("task.state", t->id);
  t->worker_private.set_name("task.worker_private", t->id);
  set_name(&t->thread_flags, "task.thread_flags", t->id);
  t->task_works.set_name("task.task_works", t->id);
  raw_spin_lock_init(&t->pi_lock, "task.pi_lock", t->id);
}

task_struct* alloc_task(unsigned initial_state) {
  auto* t = new task_struct(initial_state);
  be::at_execution_end([t] { delete t; });
  return t;
}

}  // namespace

void set_environment(const environment& e) { g_env = e; }
const environment& env() { return g_env; }

// ---- refcount_t -----------------------------------------------------------------------------------

bool refcount_inc_not_zero(refcount_t* r, srcloc loc) {
  int old = r->refs.rmw([](int v) { return v == 0 ? 0 : v + 1; }, memory_order_relaxed, loc, "refcount_inc_not_zero");
  if (old == INT_MAX) be::fail("refcount", "refcount_t: saturated; leaking memory", loc);
  return old != 0;
}

void refcount_inc(refcount_t* r, srcloc loc) {
  int old = r->refs.fetch_add(1, memory_order_relaxed, loc, "refcount_inc");
  if (old == 0) be::fail("refcount", "refcount_t: addition on 0; use-after-free", loc);
}

bool refcount_dec_and_test(refcount_t* r, srcloc loc) {
  int old = r->refs.fetch_sub(1, memory_order_acq_rel, loc, "refcount_dec_and_test");
  if (old <= 0) be::fail("refcount", "refcount_t: underflow; use-after-free", loc);
  return old == 1;
}

bool kzalloc_should_fail(srcloc loc) {
  if (!g_env.kzalloc_may_fail) return false;
  exec_state& s = ex();
  if (s.kzalloc_failures >= g_env.kzalloc_failures) return false;
  if (!be::choose(2, loc, "kzalloc fails?")) return false;
  ++s.kzalloc_failures;
  return true;
}

// ---- lists ----------------------------------------------------------------------------------------

void set_name(list_head* l, const char* name, int instance) {
  l->next.set_name(name, instance);
  l->prev.set_name(name, instance);
}

void INIT_LIST_HEAD(list_head* l, srcloc loc) {
  l->next.store(l, memory_order_relaxed, loc, "INIT_LIST_HEAD");
  l->prev.store(l, loc);
}

bool list_empty(const list_head* head, srcloc loc) {
  return head->next.load(memory_order_relaxed, loc, "list_empty") == head;
}

namespace {
void __list_add(list_head* entry, list_head* prev, list_head* next, srcloc loc) {
  next->prev.store(entry, loc);
  entry->next.store(next, memory_order_relaxed, loc, "list_add");
  entry->prev.store(prev, loc);
  prev->next.store(entry, memory_order_relaxed, loc, "list_add");
}
void __list_del(list_head* prev, list_head* next, srcloc loc) {
  next->prev.store(prev, loc);
  prev->next.store(next, memory_order_relaxed, loc, "list_del");
}
}  // namespace

void list_add(list_head* entry, list_head* head, srcloc loc) {
  __list_add(entry, head, head->next.load(memory_order_relaxed, loc, "list_add"), loc);
}

void list_del_init(list_head* entry, srcloc loc) {
  __list_del(entry->prev.load(loc), entry->next.load(memory_order_relaxed, loc, "list_del_init"), loc);
  INIT_LIST_HEAD(entry, loc);
}

void list_add_tail_rcu(list_head* entry, list_head* head, srcloc loc) {
  list_head* prev = head->prev.load(loc);
  list_head* next = head;
  entry->next.store(next, memory_order_relaxed, loc, "list_add_tail_rcu");
  entry->prev.store(prev, loc);
  prev->next.store(entry, memory_order_release, loc, "rcu_assign_pointer");
  next->prev.store(entry, loc);
}

void list_del_rcu(list_head* entry, srcloc loc) {
  __list_del(entry->prev.load(loc), entry->next.load(memory_order_relaxed, loc, "list_del_rcu"), loc);
  entry->prev.store(LIST_POISON2, loc);
}

void set_name(hlist_nulls_node* n, const char* name, int instance) {
  n->next.set_name(name, instance);
  n->pprev.set_name(name, instance);
}

void INIT_HLIST_NULLS_HEAD(hlist_nulls_head* h, unsigned long /*nulls*/, const char* name, srcloc loc) {
  h->first.set_name(name);
  h->first.store(nullptr, memory_order_relaxed, loc, "INIT_HLIST_NULLS_HEAD");
}

void hlist_nulls_add_head_rcu(hlist_nulls_node* n, hlist_nulls_head* h, srcloc loc) {
  hlist_nulls_node* first = h->first.load(memory_order_relaxed, loc, "hlist_nulls_add_head_rcu");
  n->next.store(first, memory_order_relaxed, loc, "hlist_nulls_add_head_rcu");
  n->pprev.store(&h->first, loc);
  h->first.store(n, memory_order_release, loc, "rcu_assign_pointer");
  if (!is_a_nulls(first)) first->pprev.store(&n->next, loc);
}

namespace {
void __hlist_nulls_del(hlist_nulls_node* n, srcloc loc) {
  hlist_nulls_node* next = n->next.load(memory_order_relaxed, loc, "hlist_nulls_del");
  atomic_cell<hlist_nulls_node*>* pprev = n->pprev.load(loc);
  pprev->store(next, memory_order_relaxed, loc, "hlist_nulls_del");
  if (!is_a_nulls(next)) next->pprev.store(pprev, loc);
}
}  // namespace

void hlist_nulls_del_rcu(hlist_nulls_node* n, srcloc loc) {
  __hlist_nulls_del(n, loc);
  n->pprev.store(HLIST_POISON2, loc);
}

void hlist_nulls_del_init_rcu(hlist_nulls_node* n, srcloc loc) {
  if (!hlist_nulls_unhashed(n)) {
    __hlist_nulls_del(n, loc);
    n->pprev.store(nullptr, loc);
  }
}

// ---- tasks and the scheduler ----------------------------------------------------------------------

task_struct* make_current_task(const char* comm, unsigned flags) {
  task_struct* t = alloc_task(TASK_RUNNING);
  init_task(t, comm, flags);
  t->thread = be::this_thread();
  t->started = true;
  be::current_slot() = t;
  be::note(std::string("task#") + std::to_string(t->id) + " is " + comm + " (T" + std::to_string(t->thread) + ")");
  return t;
}

void set_io_worker_sched_hooks(void (*sleeping)(task_struct*), void (*running)(task_struct*)) {
  g_sleeping_hook = sleeping;
  g_running_hook = running;
}

namespace {

// The state change of try_to_wake_up: TASK_RUNNING if the state matches (fully ordered RMW).
bool ttwu_state(task_struct* p, unsigned state, srcloc loc) {
  const bool keep_state = g_env.wake_no_running;
  unsigned old =
      p->__state.rmw([state, keep_state](unsigned s) { return (s & state) && !keep_state ? TASK_RUNNING : s; },
                     memory_order_seq_cst, loc, "try_to_wake_up");
  return old & state;
}

// signal_pending_state: an interruptible sleep is not entered with a signal or notify pending, a
// killable one not with a fatal signal.
bool signal_pending_state(unsigned state, const task_struct* p, srcloc loc) {
  if (!(state & (TASK_INTERRUPTIBLE | TASK_WAKEKILL))) return false;
  // signal_pending(): the notify flag, then the pending-signal flag (two bit tests, as the kernel).
  if (!signal_pending(p, loc)) return false;
  return (state & TASK_INTERRUPTIBLE) || test_bit(TIF_SIGPENDING, &p->thread_flags, loc);
}

// sched_submit_work: the io-wq hook of a worker about to sleep.
void sched_submit_work(task_struct* tsk) {
  if ((tsk->flags & PF_IO_WORKER) && g_sleeping_hook) g_sleeping_hook(tsk);
}

// sched_update_worker: the io-wq hook of a worker scheduled in again.
void sched_update_worker(task_struct* tsk) {
  if ((tsk->flags & PF_IO_WORKER) && g_running_hook) g_running_hook(tsk);
}

// __schedule(SM_NONE) for a voluntary switch: blocks while the state is not TASK_RUNNING. The
// kernel decides under the runqueue lock; here the state word and the park permit carry the
// protocol: a waker sets TASK_RUNNING and then unparks, so a permit can arrive before the park
// (it is consumed at once) or stay behind from an earlier wakeup (the loop parks again).
// Returns true when a timed sleep ended by its timer.
bool __schedule(task_struct* prev, bool timed, srcloc loc) {
  unsigned prev_state = prev->__state.load(memory_order_seq_cst, loc, "__schedule");
  if (prev_state == TASK_RUNNING) return false;
  if (signal_pending_state(prev_state, prev, loc)) {
    prev->__state.store(TASK_RUNNING, memory_order_relaxed, loc, "__schedule");
    return false;
  }
  if (!timed) {
    // An untimed sleep ends exactly when a waker has set TASK_RUNNING: one blocking step.
    be::await([prev] { return prev->__state.load(memory_order_seq_cst, srcloc::current(), "state") == TASK_RUNNING; },
              prev->__state, loc, "schedule");
    return false;
  }
  for (;;) {
    if (timed) {
      if (!be::park_timeout(loc, "schedule_timeout")) {
        // process_timeout(): the timer wakes the task (which is running again already, so no
        // permit is left behind).
        ttwu_state(prev, TASK_NORMAL, loc);
        return true;
      }
    } else {
      be::park(loc, "schedule");
    }
    if (prev->__state.load(memory_order_seq_cst, loc, "__schedule") == TASK_RUNNING) return false;
  }
}

bool schedule_common(bool timed, srcloc loc) {
  task_struct* tsk = current();
  if (!task_is_running(tsk, loc)) sched_submit_work(tsk);
  bool fired = __schedule(tsk, timed, loc);
  sched_update_worker(tsk);
  return fired;
}

}  // namespace

void schedule(srcloc loc) { schedule_common(false, loc); }

long schedule_timeout(long timeout, srcloc loc) {
  if (timeout == MAX_SCHEDULE_TIMEOUT) {
    schedule_common(false, loc);
    return timeout;
  }
  if (timeout < 0) {
    __set_current_state(TASK_RUNNING, loc);
    return 0;
  }
  // The remaining time is not modelled beyond "fired" (0) or "not fired" (> 0).
  return schedule_common(true, loc) ? 0 : (timeout > 0 ? timeout : 1);
}

bool wake_up_state(task_struct* p, unsigned state, srcloc loc) {
  if (!ttwu_state(p, state, loc)) return false;
  be::unpark(p->thread, loc, "wake");
  return true;
}

bool signal_pending(const task_struct* t, srcloc loc) {
  return test_bit(TIF_NOTIFY_SIGNAL, &t->thread_flags, loc) || test_bit(TIF_SIGPENDING, &t->thread_flags, loc);
}

unsigned long set_mask_bits(bitmap* b, unsigned long mask, unsigned long bits, srcloc loc) {
  const unsigned long all = mask | bits;
  const unsigned first = static_cast<unsigned>(__builtin_ctzl(all));
  for (unsigned long m = all; m; m &= m - 1)
    if (static_cast<unsigned>(__builtin_ctzl(m)) % b->cells != first % b->cells)
      be::fail("warn", "set_mask_bits on bits in different cells of a split bitmap", loc);
  return bit_cell(b, first).rmw([mask, bits](unsigned long w) { return (w & ~mask) | bits; }, memory_order_seq_cst, loc,
                                "set_mask_bits");
}

bool fatal_signal_pending(const task_struct* t, srcloc loc) { return test_bit(TIF_SIGPENDING, &t->thread_flags, loc); }

bool __set_notify_signal(task_struct* t, srcloc loc) {
  return !test_and_set_bit(TIF_NOTIFY_SIGNAL, &t->thread_flags, loc) && !wake_up_state(t, TASK_INTERRUPTIBLE, loc);
}

void clear_notify_signal(srcloc loc) {
  clear_bit(TIF_NOTIFY_SIGNAL, &current()->thread_flags, loc);
  smp_mb__after_atomic();
}

void send_sigkill(task_struct* t, srcloc loc) {
  set_bit(TIF_SIGPENDING, &t->thread_flags, loc);
  wake_up_state(t, TASK_INTERRUPTIBLE | TASK_WAKEKILL, loc);
}

void kill_io_threads(srcloc loc) {
  for (task_struct* t : ex().io_threads)
    if (!t->exited) send_sigkill(t, loc);
}

bool get_signal(ksignal* ksig, srcloc loc) {
  clear_notify_signal(loc);
  if (task_work_pending(current(), loc)) task_work_run(loc);
  if (!test_bit(TIF_SIGPENDING, &current()->thread_flags, loc)) return false;
  // A fatal signal: PF_IO_WORKER threads leave get_signal to exit on their own.
  ksig->sig = 9;
  return true;
}

// ---- task_work ------------------------------------------------------------------------------------

int task_work_add(task_struct* task, callback_head* work, task_work_notify_mode notify, srcloc loc) {
  callback_head* head = task->task_works.load(memory_order_relaxed, loc, "task_work_add");
  do {
    if (head == work_exited()) return -ESRCH;
    work->next.store(head, memory_order_relaxed, loc, "task_work_add");
  } while (!task->task_works.compare_exchange_strong(head, work, memory_order_seq_cst, loc, "task_work_add"));

  switch (notify) {
    case TWA_SIGNAL:
    case TWA_SIGNAL_NO_IPI:
      set_notify_signal(task, loc);
      break;
    case TWA_RESUME:  // set_notify_resume: not modelled (io-wq uses TWA_SIGNAL)
    case TWA_NONE:
      break;
  }
  return 0;
}

// The loads here are READ_ONCE of pointers that are then dereferenced (address dependencies):
// modelled as acquire loads.
callback_head* task_work_cancel_match(task_struct* task, bool (*match)(callback_head*, void*), void* data, srcloc loc) {
  atomic_cell<callback_head*>* pprev = &task->task_works;
  callback_head* work;

  if (!task_work_pending(task, loc)) return nullptr;
  raw_spin_lock(&task->pi_lock, loc);
  work = pprev->load(memory_order_acquire, loc, "task_work_cancel_match");
  while (work) {
    if (!match(work, data)) {
      pprev = &work->next;
      work = pprev->load(memory_order_acquire, loc, "task_work_cancel_match");
    } else if (pprev->compare_exchange_strong(work,
                                              work->next.load(memory_order_relaxed, loc, "task_work_cancel_match"),
                                              memory_order_seq_cst, loc, "task_work_cancel_match")) {
      break;
    }
  }
  raw_spin_unlock(&task->pi_lock, loc);
  return work;
}

bool task_work_pending(const task_struct* t, srcloc loc) {
  return t->task_works.load(memory_order_relaxed, loc, "task_work_pending") != nullptr;
}

void task_work_run(srcloc loc) {
  task_struct* task = current();
  callback_head *work, *head, *next;

  for (;;) {
    work = task->task_works.load(memory_order_relaxed, loc, "task_work_run");
    do {
      head = nullptr;
      if (!work) {
        if (task->flags & PF_EXITING)
          head = work_exited();
        else
          break;
      }
    } while (!task->task_works.compare_exchange_strong(work, head, memory_order_seq_cst, loc, "task_work_run"));

    if (!work) break;
    // Synchronise with task_work_cancel_match(), which may still be unlinking from this list.
    raw_spin_lock(&task->pi_lock, loc);
    raw_spin_unlock(&task->pi_lock, loc);

    do {
      next = work->next.load(memory_order_relaxed, loc, "task_work_run");
      task_work_func_t func = work->func.load(loc);
      func(work);
      work = next;
      cond_resched();
    } while (work);
  }
}

void exit_task_work(srcloc loc) {
  current()->flags |= PF_EXITING;
  task_work_run(loc);
}

bool io_run_task_work(srcloc loc) {
  bool ret = false;

  if (test_thread_flag(TIF_NOTIFY_SIGNAL, loc)) clear_notify_signal(loc);
  if (task_work_pending(current(), loc)) {
    __set_current_state(TASK_RUNNING, loc);
    task_work_run(loc);
    ret = true;
  }
  return ret;
}

// ---- completion -----------------------------------------------------------------------------------

void init_completion(completion* x, const char* name, int instance) {
  raw_spin_lock_init(&x->wait_lock, name, instance);
  x->done = 0;
  x->head = nullptr;
  x->ghost_completed = 0;
}

void complete(completion* x, srcloc loc) {
  raw_spin_lock(&x->wait_lock, loc);
  if (x->done != UINT_MAX) x->done++;
  x->ghost_completed++;
  // swake_up_locked: wake the first waiter and take it off the queue.
  if (swait_entry* curr = x->head) {
    wake_up_state(curr->task, TASK_NORMAL, loc);
    x->head = curr->next;
    curr->next = nullptr;
    curr->queued = false;
  }
  raw_spin_unlock(&x->wait_lock, loc);
}

void wait_for_completion(completion* x, srcloc loc) {
  raw_spin_lock(&x->wait_lock, loc);
  if (!x->done) {
    swait_entry wait;
    wait.task = current();
    do {
      // __prepare_to_swait: queue once, at the tail.
      if (!wait.queued) {
        swait_entry** tail = &x->head;
        while (*tail) tail = &(*tail)->next;
        *tail = &wait;
        wait.queued = true;
      }
      __set_current_state(TASK_UNINTERRUPTIBLE, loc);
      raw_spin_unlock(&x->wait_lock, loc);
      schedule_timeout(MAX_SCHEDULE_TIMEOUT, loc);
      raw_spin_lock(&x->wait_lock, loc);
    } while (!x->done);
    // __finish_swait
    __set_current_state(TASK_RUNNING, loc);
    if (wait.queued) {
      swait_entry** p = &x->head;
      while (*p != &wait) p = &(*p)->next;
      *p = wait.next;
      wait.queued = false;
    }
  }
  if (x->done != UINT_MAX) x->done--;
  raw_spin_unlock(&x->wait_lock, loc);
}

// ---- wait queues ----------------------------------------------------------------------------------

void init_waitqueue_head(wait_queue_head* wq_head, const char* name, srcloc loc) {
  raw_spin_lock_init(&wq_head->lock, name);
  set_name(&wq_head->head, name);
  INIT_LIST_HEAD(&wq_head->head, loc);
}

void __add_wait_queue(wait_queue_head* wq_head, wait_queue_entry* wq_entry, srcloc loc) {
  list_add(&wq_entry->entry, &wq_head->head, loc);
}

bool wq_has_sleeper(wait_queue_head* wq_head, srcloc loc) {
  smp_mb();
  return !list_empty(&wq_head->head, loc);
}

void wake_up(wait_queue_head* wq_head, srcloc loc) {
  constexpr unsigned WQ_FLAG_EXCLUSIVE = 0x01;
  int nr_exclusive = 1;
  spin_lock_irq(&wq_head->lock, loc);
  // __wake_up_common: each entry's func may unlink the entry, so the next one is read first.
  list_head* pos = wq_head->head.next.load(memory_order_relaxed, loc, "wake_up");
  while (pos != &wq_head->head) {
    list_head* nxt = pos->next.load(memory_order_relaxed, loc, "wake_up");
    auto* curr = container_of<wait_queue_entry>(pos, offsetof(wait_queue_entry, entry));
    unsigned flags = curr->flags;
    int ret = curr->func(curr, TASK_NORMAL, 0, nullptr);
    if (ret < 0) break;
    if (ret && (flags & WQ_FLAG_EXCLUSIVE) && !--nr_exclusive) break;
    pos = nxt;
  }
  spin_unlock_irq(&wq_head->lock, loc);
}

// ---- threads --------------------------------------------------------------------------------------

task_struct* create_io_thread(int (*fn)(void*), void* arg, int /*node*/, srcloc loc) {
  exec_state& s = ex();
  if (g_env.create_io_thread_error != 0 && s.create_failures < g_env.create_io_thread_failures &&
      be::choose(2, loc, "create_io_thread fails?")) {
    ++s.create_failures;
    return ERR_PTR<task_struct>(g_env.create_io_thread_error);
  }
  task_struct* tsk = alloc_task(TASK_NEW);
  init_task(tsk, "iou-wrk", PF_IO_WORKER);
  s.io_threads.push_back(tsk);
  tsk->thread = be::spawn(
      [tsk, fn, arg] {
        be::current_slot() = tsk;
        // The new task does not run before wake_up_new_task().
        be::await(
            [tsk] { return tsk->__state.load(memory_order_acquire, srcloc::current(), "task.state") != TASK_NEW; },
            tsk->__state, srcloc::current(), "wait for wake_up_new_task");
        tsk->started = true;
        try {
          fn(arg);
        } catch (task_exit&) {
          return;  // do_exit did what follows
        }
        tsk->leave();
      },
      "iou-wrk", true, loc);
  be::note(std::string("task#") + std::to_string(tsk->id) + " is iou-wrk (T" + std::to_string(tsk->thread) + ")");
  return tsk;
}

void wake_up_new_task(task_struct* tsk, srcloc loc) {
  tsk->__state.store(TASK_RUNNING, memory_order_seq_cst, loc, "wake_up_new_task");
}

void do_exit(long /*code*/, srcloc loc) {
  task_struct* tsk = current();
  tsk->flags |= PF_EXITING;
  task_work_run(loc);  // exit_task_work()
  tsk->leave();
  be::exit_thread();
}

bool schedule_work(work_struct* w, srcloc loc) {
  be::spawn(
      [w] {
        make_current_task("kworker", PF_WQ_WORKER | PF_KTHREAD);
        w->func(w);
      },
      "kworker", false, loc);
  return true;
}

}  // namespace kern
