#include "scenario.h"

#include <algorithm>
#include <charconv>
#include <climits>
#include <iterator>
#include <sstream>
#include <stdexcept>
#include <string_view>
#include <utility>

namespace iowq::scn {

using kern::task_struct;

namespace {

thread_local world* W = nullptr;

world::item& item_at(int index) {
  chk::check(index >= 0 && static_cast<std::size_t>(index) < W->items.size(),
             "do_work/free_work called with a work item the scenario does not own");
  return *W->items[static_cast<std::size_t>(index)];
}

// io_wq_submit_work's part: a cancelled request fails, others are issued (a blocking one sleeps
// until the owner releases it); either way a completion is posted (io_req_complete_post). The
// owner waits for completions with one blocking step on the counter (see world::wait_done).
void do_work(int index) {
  world::item& it = item_at(index);
  if (W->ops->work_cancelled(it.work)) {
    it.cancelled += 1;
    if (W->cancelling == index && kern::current() == W->owner) it.cancelled_by_its_call = true;
  } else {
    it.ran += 1;
    if (it.spec.blocks) {
      // A blocking request sleeps interruptibly (like a read of an empty pipe): it ends when the
      // owner releases it, or early when the worker is signalled (io-wq's notify on exit,
      // exit-on-idle or cancellation), which the scheduler hooks see as a sleep in a work item.
      kern::task_struct* me = kern::current();
      it.sleeper.store(me);
      for (;;) {
        kern::set_current_state(kern::TASK_INTERRUPTIBLE);
        if (it.released.load()) break;
        if (kern::signal_pending(me)) {
          it.saw_signal = 1;
          break;
        }
        kern::schedule();
      }
      kern::__set_current_state(kern::TASK_RUNNING);
    }
  }
  kern::atomic_inc_return(&W->cqes);
}

// io_wq_free_work's part: the linked request, if the scenario links one.
int free_work(int index) { return item_at(index).spec.linked; }

const wq_callbacks callbacks = {&do_work, &free_work};

// Accounting "whenever the nr_workers lock is free" (wq->lock; 6.19: each acct's workers_lock):
// run just before every release of that lock, while it is still held, so the reads are ordered
// with every writer of the fields.
void accounting_at_release(void* ctx) {
  const world& w = *static_cast<world*>(ctx);
  if (!w.checks_accounting) return;
  const wq_view view = w.ops->peek(w.wq);
  const char* lock = w.ops->nr_workers_lock;
  for (int a = 0; a < IO_WQ_ACCT_NR; ++a) {
    const unsigned n = view.acct[a].nr_workers;
    const unsigned max = view.acct[a].max_workers;
    const char* name = a == IO_WQ_ACCT_BOUND ? "bound" : "unbound";
    if (n > static_cast<unsigned>(INT_MAX))
      chk::violated("accounting", std::string(name) + " acct->nr_workers wrapped below zero (" + std::to_string(n) +
                                      ") when " + lock + " was released");
    if (n > max)
      chk::violated("accounting", std::string(name) + " acct->nr_workers = " + std::to_string(n) +
                                      " exceeds max_workers = " + std::to_string(max) + " when " + lock +
                                      " was released");
  }
}

const char* acct_name(int a) { return a == IO_WQ_ACCT_BOUND ? "bound" : "unbound"; }

void end_check(world& w, const std::vector<prop>& active) {
  auto has = [&active](prop p) {
    for (prop q : active)
      if (q == p) return true;
    return false;
  };
  const wq_view v = w.ops->peek(w.wq);
  const int live = v.acct[0].live_threads + v.acct[1].live_threads;
  if (has(prop::accounting)) {
    for (int a = 0; a < IO_WQ_ACCT_NR; ++a) {
      const acct_view& av = v.acct[a];
      if (w.destroyed) continue;
      if (static_cast<int>(av.nr_workers) != av.live_threads)
        chk::violated("accounting", std::string(acct_name(a)) + " acct->nr_workers = " + std::to_string(av.nr_workers) +
                                        " but " + std::to_string(av.live_threads) +
                                        " worker thread(s) alive at the end");
      if (av.nr_running != 0)
        chk::violated("accounting", std::string(acct_name(a)) + " acct->nr_running = " + std::to_string(av.nr_running) +
                                        " at the end, with every worker asleep or gone");
    }
    if (!w.destroyed && v.worker_refs != 1 + live)
      chk::violated("accounting", "wq->worker_refs = " + std::to_string(v.worker_refs) + " at the end, expected 1 + " +
                                      std::to_string(live) + " live worker(s)");
    if (w.destroyed && v.worker_refs != 0)
      chk::violated("accounting", "wq->worker_refs = " + std::to_string(v.worker_refs) + " after io_wq_put_and_exit");
  }
  if (has(prop::exit_hang) && w.destroyed && (live != 0 || !v.worker_done))
    chk::violated("exit-hang", "io_wq_put_and_exit returned with " + std::to_string(live) +
                                   " worker thread(s) alive or worker_done not completed");
  if (has(prop::lost_wakeup)) {
    for (const auto& it : w.items) {
      const int ran = it->ran.peek(), cancelled = it->cancelled.peek();
      if (ran + cancelled == 0)
        chk::violated("lost-wakeup", "work #" + std::to_string(it->index) +
                                         " was neither run nor cancelled: stranded with every worker asleep or gone");
      if (ran + cancelled > 1)
        chk::violated("lost-wakeup", "work #" + std::to_string(it->index) + " ran " + std::to_string(ran) +
                                         " time(s) and was cancelled " + std::to_string(cancelled) + " time(s)");
    }
    // What io_wq_cancel_cb answered against what became of the work: OK means it never runs;
    // NOTFOUND means this call did not cancel it (another path may have: a ring's exit, the cancel
    // of the request linking it, a failed worker creation). RUNNING means its worker was told: a
    // blocking work is not released after it (world::cancel), so one whose worker was not
    // signalled leaves the owner waiting (a lost wakeup).
    for (const auto& it : w.items) {
      const int ran = it->ran.peek();
      const std::string name = "work #" + std::to_string(it->index);
      if (it->cancel_result == IO_WQ_CANCEL_OK && ran != 0)
        chk::violated("lost-wakeup", "io_wq_cancel_cb returned IO_WQ_CANCEL_OK for " + name + ", yet it ran");
      if (it->cancel_result == IO_WQ_CANCEL_NOTFOUND && it->cancelled_by_its_call)
        chk::violated("lost-wakeup",
                      "io_wq_cancel_cb returned IO_WQ_CANCEL_NOTFOUND for " + name + ", yet it cancelled it");
    }
    if (!w.destroyed)
      for (int a = 0; a < IO_WQ_ACCT_NR; ++a)
        if (v.acct[a].pending != 0)
          chk::violated("lost-wakeup", std::to_string(v.acct[a].pending) + " work item(s) still queued on the " +
                                           acct_name(a) + " acct at the end");
  }
  // Judged at the io_uring level: the task's last ring is gone (the owner called
  // io_uring_del_tctx_node for it and added none since), so every worker should have left. For
  // baseline, which has no exit-on-idle, this is the lingering worker the patch removes.
  if (has(prop::pool_zero) && w.last_ring_gone && !w.destroyed) {
    for (int a = 0; a < IO_WQ_ACCT_NR; ++a)
      if (v.acct[a].live_threads != 0 || v.acct[a].nr_workers != 0)
        chk::violated("pool-zero", std::string("the task's last ring is gone (exit-on-idle ") +
                                       (v.exit_on_idle ? "set" : "not set") + "), yet at the end the " + acct_name(a) +
                                       " acct has " + std::to_string(v.acct[a].live_threads) +
                                       " worker thread(s) and nr_workers = " + std::to_string(v.acct[a].nr_workers));
  }
}

}  // namespace

const char* to_string(prop p) {
  static constexpr const char* names[] = {"accounting", "lost-wakeup", "pool-zero", "exit-hang"};
  static_assert(std::size(names) == static_cast<std::size_t>(prop::exit_hang) + 1);
  const auto i = static_cast<std::size_t>(p);
  return i < std::size(names) ? names[i] : "?";
}

std::string scenario::bounds() const {
  std::ostringstream o;
  int blocking = 0, hashed = 0, unbound = 0, linked = 0;
  for (const auto& w : works) {
    blocking += w.blocks;
    hashed += w.hash_key > 0;
    unbound += w.unbound;
    linked += w.linked >= 0;
  }
  o << "bounded max " << bounded_max << ", unbound max " << rlimit_nproc << ", " << works.size() << " work"
    << (works.size() == 1 ? "" : "s");
  std::string kinds;
  auto add = [&kinds](int n, const char* what) {
    if (n) kinds += (kinds.empty() ? "" : ", ") + std::to_string(n) + " " + what;
  };
  add(unbound, "unbound");
  add(hashed, "hashed");
  add(blocking, "blocking");
  add(linked, "linking");
  if (!kinds.empty()) o << " (" << kinds << ")";
  if (create_error == 0) {
  } else if (create_failures == 1) {
    o << ", one worker creation may fail (" << create_error << ")";
  } else {
    o << ", worker creations may fail (" << create_error << ", up to " << create_failures << " times)";
  }
  if (timeouts)
    o << ", idle timeouts may fire (at most " << max_timeouts << ")";
  else
    o << ", timeouts off";
  if (rcu != chk::rcu_flavour::preemptible) o << ", " << chk::to_string(rcu) << " RCU";
  return o.str();
}

std::vector<std::string> scenario::expected_violations(const std::string& variant) const {
  std::vector<std::string> out;
  for (const auto& f : findings)
    if (f.variant == variant) out.push_back(f.property);
  return out;
}

// ---- the owner's actions ---------------------------------------------------------------------------

void world::create() {
  owner = kern::make_current_task("owner");
  kern::raw_spin_lock_init(&uring_lock, "ctx.uring_lock");
  wq = ops->create(sc->bounded_max, &callbacks, nullptr);
  chk::check(wq != nullptr, "io_wq_create failed");
  kern::raw_spinlock_t* locks[IO_WQ_ACCT_NR];
  const int nlocks = ops->accounting_locks(wq, locks);
  for (int i = 0; i < nlocks; ++i) kern::set_release_check(locks[i], &accounting_at_release, this);
  for (std::size_t i = 0; i < items.size(); ++i) {
    item& it = *items[i];
    unsigned flags = (it.spec.unbound ? IO_WQ_WORK_UNBOUND : 0) | (it.spec.concurrent ? IO_WQ_WORK_CONCURRENT : 0);
    it.work = ops->make_work(wq, static_cast<int>(i), flags, it.spec.hash_key);
    it.released.set_name("work.released", static_cast<int>(i));
    it.sleeper.set_name("work.sleeper", static_cast<int>(i));
  }
}

void world::enqueue(int i) {
  // The request and the linked requests its completion punts.
  for (int k = i; k >= 0 && !punted[static_cast<std::size_t>(k)]; k = items[static_cast<std::size_t>(k)]->spec.linked)
    punted[static_cast<std::size_t>(k)] = true;
  activity = "submitting";
  ops->enqueue(wq, items[static_cast<std::size_t>(i)]->work);
}

// io_cqring_wait, as far as io-wq can tell: the owner waits until n completions are posted,
// running the task_work io-wq queues on it (worker creation) meanwhile. The wait is one blocking
// step on the completion counter and the task_work list (not io_uring's own sleep/wake protocol,
// which is not under test and would multiply the interleavings).
void world::wait_done(int n) {
  activity = "waiting for completions";
  await_completions(n, "io_cqring_wait");
  activity = "running";
}

void world::await_completions(int n, const char* label) {
  for (;;) {
    task_struct* me = owner;
    chk::await([this, me, n] { return kern::atomic_read(&cqes) >= n || kern::task_work_pending(me); },
               {cqes.counter, me->task_works}, chk::srcloc::current(), label);
    if (!kern::task_work_pending(me)) break;
    kern::io_run_task_work();
  }
}

int world::requests_punted() const { return static_cast<int>(std::count(punted.begin(), punted.end(), true)); }

void world::release(int i) {
  item& it = *items[static_cast<std::size_t>(i)];
  it.released.store(1);
  if (kern::task_struct* t = it.sleeper.load()) kern::wake_up_process(t);
}

void world::ring_added() {
  ++ring_nodes;
  last_ring_gone = false;
  if (info(v).exit_on_idle) ops->set_exit_on_idle(wq, false);
}

// The ring's exit (io_ring_exit_work) first cancels its io-wq work (io_uring_try_cancel_iowq:
// io_wq_cancel_cb with cancel_all); only then is the task's node deleted, which sets exit-on-idle
// when it was the last (io_uring_del_tctx_node). Every work of a scenario belongs to its ring.
void world::ring_removed() {
  const char* was = activity;
  activity = "cancelling";
  ops->cancel(wq, -1, true);
  last_ring_gone = true;
  if (info(v).exit_on_idle) ops->set_exit_on_idle(wq, true);
  activity = was;
}

namespace {
// io_tctx_exit_cb, on the owner: io_uring_del_tctx_node; exit-on-idle when no node is left.
void tctx_exit_cb(kern::callback_head*) {
  world& w = *W;
  if (w.in_cancel) return;
  if (--w.ring_nodes > 0) return;
  w.last_ring_gone = true;
  if (info(w.v).exit_on_idle) w.ops->set_exit_on_idle(w.wq, true);
}
}  // namespace

void world::ring_exit() {
  const int requests = requests_punted();
  kern::callback_head* cb = exit_works.emplace_back(std::make_unique<kern::callback_head>()).get();
  kern::init_task_work(cb, tctx_exit_cb);
  // io_ring_exit_work on a kworker (a daemon: stuck waiting for a request that never completes is
  // that request's lost wakeup, which the end check names).
  chk::spawn_daemon(
      [this, requests, cb] {
        kern::make_current_task("kworker");
        // io_uring_try_cancel_iowq: the task's io-wq through its node in ctx->tctx_list, under
        // uring_lock; a task whose io_uring_clean_tctx already deleted the node is not visited.
        kern::raw_spin_lock(&uring_lock);
        if (!tctx_nodes_deleted) ops->cancel(wq, -1, true);
        kern::raw_spin_unlock(&uring_lock);
        chk::await([this, requests] { return kern::atomic_read(&cqes) >= requests; }, {cqes.counter},
                   chk::srcloc::current(), "wait_for_completion(ref_comp)");
        // io_tctx_exit_cb for each node still in ctx->tctx_list, under uring_lock: none once the
        // task's io_uring_clean_tctx deleted it.
        kern::raw_spin_lock(&uring_lock);
        if (!tctx_nodes_deleted) kern::task_work_add(owner, cb, kern::TWA_SIGNAL);
        kern::raw_spin_unlock(&uring_lock);
      },
      "io_ring_exit_work");
}

void world::exec() {
  activity = "exiting (io_wq_put_and_exit)";
  in_cancel = true;  // io_uring_cancel_generic
  ops->exit_start(wq);
  ops->cancel(wq, -1, true);  // io_uring_try_cancel_requests: the task's io-wq work
  // tctx_inflight: until every request punted (and the linked ones) completed, running task_work.
  await_completions(requests_punted(), "io_uring_cancel_generic");
  clean_tctx();
}

// io_uring_clean_tctx: every node deleted (exit-on-idle with the last), then io_wq_put_and_exit.
void world::clean_tctx() {
  activity = "exiting (io_wq_put_and_exit)";
  // io_uring_del_tctx_node of each node, under the ring's uring_lock (only a ring-exit's kworker
  // contends for it).
  if (!exit_works.empty()) kern::raw_spin_lock(&uring_lock);
  tctx_nodes_deleted = true;
  if (!exit_works.empty()) kern::raw_spin_unlock(&uring_lock);
  ring_nodes = 0;
  last_ring_gone = true;
  if (info(v).exit_on_idle) ops->set_exit_on_idle(wq, true);
  ops->put_and_exit(wq);
  destroyed = true;
  activity = "exited";
}

// do_exit's io_uring_files_cancel: io_uring_cancel_generic(false) starts the io-wq's exit and
// leaves its loop at once, as no tracked request is in flight; nothing is cancelled or waited for.
void world::thread_exit() {
  activity = "exiting (io_wq_put_and_exit)";
  in_cancel = true;  // io_uring_cancel_generic
  ops->exit_start(wq);
  clean_tctx();
}

// do_group_exit: zap_other_threads sends SIGKILL to every other thread of the group, the io
// workers included, before the caller's own do_exit.
void world::exit_group() {
  kern::kill_io_threads();
  thread_exit();
}

void world::task_exit() {
  activity = "exiting (io_wq_put_and_exit)";
  in_cancel = true;  // io_uring_cancel_generic
  ops->exit_start(wq);
  ring_removed();
  ops->put_and_exit(wq);
  destroyed = true;
  activity = "exited";
}

void world::set_exit_on_idle(bool enable) {
  last_ring_gone = enable;
  if (info(v).exit_on_idle) ops->set_exit_on_idle(wq, enable);
}

void world::exit_start() {
  activity = "exiting (io_wq_put_and_exit)";
  ops->exit_start(wq);
}

void world::put_and_exit() {
  activity = "exiting (io_wq_put_and_exit)";
  ops->put_and_exit(wq);
  destroyed = true;
  activity = "exited";
}

// io_uring's IORING_OP_ASYNC_CANCEL of item i: 0 (OK), -EALREADY (RUNNING) or -ENOENT (NOTFOUND).
// The user, told -ENOENT for a blocking request, completes its I/O (releases it); after
// -EALREADY it does not: the signalled request must end on its own.
void world::cancel(int i) {
  activity = "cancelling";
  item& it = *items[static_cast<std::size_t>(i)];
  cancelling = i;
  it.cancel_result = ops->cancel(wq, i, false);
  cancelling = -1;
  activity = "running";
  if (it.cancel_result == IO_WQ_CANCEL_NOTFOUND && it.spec.blocks) release(i);
}

// IORING_ASYNC_CANCEL_ANY: every work of the task, pending ones cancelled and running ones signalled
// (io_async_cancel_one with cancel_all).
void world::cancel_all() {
  activity = "cancelling";
  ops->cancel(wq, -1, true);
  activity = "running";
}

// Back in user space: the task runs the task_work io-wq queues on it when it arrives (TWA_SIGNAL
// makes it return to the kernel), and otherwise stays away; a daemon, so its waiting at the end is
// no deadlock.
void world::idle_forever() {
  activity = "idle in user space";
  chk::set_daemon(true);
  task_struct* me = owner;
  for (;;) {
    chk::await([me] { return kern::task_work_pending(me); }, {me->task_works}, chk::srcloc::current(), "user space");
    kern::io_run_task_work();
  }
}

void world::run(const action& a) {
  switch (a.k) {
    case action::op::punt:
      return enqueue(a.n);
    case action::op::wait:
      return wait_done(a.n);
    case action::op::release:
      return release(a.n);
    case action::op::cancel:
      return cancel(a.n);
    case action::op::cancel_all:
      return cancel_all();
    case action::op::ring_add:
      return ring_added();
    case action::op::ring_remove:
      return ring_removed();
    case action::op::ring_exit:
      return ring_exit();
    case action::op::exit:
      return task_exit();
    case action::op::thread_exit:
      return thread_exit();
    case action::op::exit_group:
      return exit_group();
    case action::op::exec:
      return exec();
    case action::op::set_eoi:
      return set_exit_on_idle(true);
    case action::op::exit_start:
      return exit_start();
    case action::op::put_and_exit:
      return put_and_exit();
  }
}

// ---- owner programs -------------------------------------------------------------------------------

namespace {
struct action_word {
  action::op k;
  const char* word;
  bool takes_n;
};
constexpr action_word action_words[] = {
    {action::op::punt, "punt", true},
    {action::op::wait, "wait", true},
    {action::op::release, "release", true},
    {action::op::cancel, "cancel", true},
    {action::op::cancel_all, "cancel-all", false},
    {action::op::ring_add, "ring-add", false},
    {action::op::ring_remove, "ring-remove", false},
    {action::op::ring_exit, "ring-exit", false},
    {action::op::exit, "exit", false},
    {action::op::thread_exit, "thread-exit", false},
    {action::op::exit_group, "exit-group", false},
    {action::op::exec, "exec", false},
    {action::op::set_eoi, "api:set-eoi", false},
    {action::op::exit_start, "api:exit-start", false},
    {action::op::put_and_exit, "api:put-and-exit", false},
};

std::string_view trim(std::string_view t) {
  while (!t.empty() && t.front() == ' ') t.remove_prefix(1);
  while (!t.empty() && t.back() == ' ') t.remove_suffix(1);
  return t;
}
}  // namespace

std::string owner_program::text() const {
  std::string out;
  for (const action& a : actions)
    for (const auto& w : action_words)
      if (w.k == a.k) {
        if (!out.empty()) out += "; ";
        out += w.word;
        if (w.takes_n) out += " " + std::to_string(a.n);
      }
  return out;
}

bool owner_program::uses_api() const {
  for (const action& a : actions)
    if (a.k == action::op::set_eoi || a.k == action::op::exit_start || a.k == action::op::put_and_exit) return true;
  return false;
}

std::string outside_io_uring(const scenario& s) {
  std::vector<bool> punted(s.works.size(), false);
  int waited = 0;
  for (const action& a : s.owner.actions) {
    std::string word;
    for (const auto& w : action_words)
      if (w.k == a.k) word = w.word;
    switch (a.k) {
      case action::op::punt:
        // The work and the linked works its completion punts.
        for (int i = a.n; i >= 0 && !punted[static_cast<std::size_t>(i)];
             i = s.works[static_cast<std::size_t>(i)].linked)
          punted[static_cast<std::size_t>(i)] = true;
        break;
      case action::op::wait:
        waited = std::max(waited, a.n);
        break;
      case action::op::set_eoi:
      case action::op::exit_start:
      case action::op::put_and_exit:
        return "it calls the io-wq API directly (" + word + ")";
      case action::op::ring_remove:
      case action::op::exit: {
        const int n = static_cast<int>(std::count(punted.begin(), punted.end(), true));
        if (waited < n)
          return word + " while " + std::to_string(n - waited) + " of its " + std::to_string(n) +
                 " requests may be in flight; " +
                 (a.k == action::op::exit
                      ? "io_uring either waits for them after cancelling (exec: io_uring_cancel_generic with "
                        "cancel_all) or neither cancels nor waits (do_exit: untracked requests)"
                      : "io_uring first waits for them all (io_ring_exit_work)");
        break;
      }
      default:
        break;
    }
  }
  return "";
}

family family_of(const scenario& s) { return outside_io_uring(s).empty() ? family::io_uring : family::io_wq_api; }

const char* to_string(family f) { return f == family::io_uring ? "io_uring" : "io-wq API"; }

const char* describe(family f) { return f == family::io_uring ? "reachable through io_uring" : "io-wq API contract"; }

owner_program parse_owner(std::string_view text) {
  owner_program p;
  while (!text.empty()) {
    const std::size_t semi = text.find(';');
    const std::string_view item = trim(text.substr(0, semi));
    text = semi == std::string_view::npos ? std::string_view() : text.substr(semi + 1);
    const std::size_t space = item.find(' ');
    const std::string_view word = item.substr(0, space);
    const std::string_view arg = space == std::string_view::npos ? std::string_view() : trim(item.substr(space));
    const action_word* found = nullptr;
    for (const auto& w : action_words)
      if (word == w.word) found = &w;
    if (!found) throw std::invalid_argument("unknown owner action \"" + std::string(item) + "\"");
    action a;
    a.k = found->k;
    if (found->takes_n) {
      auto [end, ec] = std::from_chars(arg.data(), arg.data() + arg.size(), a.n);
      if (arg.empty() || ec != std::errc() || end != arg.data() + arg.size() || a.n < 0)
        throw std::invalid_argument("owner action \"" + std::string(item) + "\" needs a number");
    } else if (!arg.empty()) {
      throw std::invalid_argument("owner action \"" + std::string(word) + "\" takes no argument");
    }
    p.actions.push_back(a);
  }
  if (p.actions.empty()) throw std::invalid_argument("empty owner program");
  return p;
}

// ---- programs -------------------------------------------------------------------------------------

std::unique_ptr<instance> make(const scenario& s, const config& c, std::vector<prop> active) {
  auto in = std::make_unique<instance>();
  in->cfg = c;
  in->active = active.empty() ? s.props : std::move(active);
  in->cfg.rlimit_nproc = s.rlimit_nproc;
  in->cfg.env.create_io_thread_error = s.create_error;
  in->cfg.env.create_io_thread_failures = s.create_error ? s.create_failures : 0;
  instance* self = in.get();
  chk::program& p = in->p;
  p.name = s.name + "/" + to_string(c.v);
  p.threads = 1;
  p.setup = [self, &s] {
    self->w = std::make_unique<world>();
    world& w = *self->w;
    w.sc = &s;
    w.v = self->cfg.v;
    w.ops = &ops_for(w.v);
    for (prop q : self->active) w.checks_accounting |= q == prop::accounting;
    kern::set_name(&w.cqes, "cqes");
    for (std::size_t i = 0; i < s.works.size(); ++i) {
      auto it = std::make_unique<world::item>();
      it->index = static_cast<int>(i);
      it->spec = s.works[i];
      it->ran.set_name("work.ran", static_cast<int>(i));
      it->cancelled.set_name("work.cancelled", static_cast<int>(i));
      w.items.push_back(std::move(it));
    }
    w.punted.assign(s.works.size(), false);
    W = &w;
  };
  p.thread = [self, &s](int) {
    world& w = *self->w;
    w.create();
    for (const action& a : s.owner.actions) w.run(a);
    w.idle_forever();
  };
  p.finish = [self] { end_check(*self->w, self->active); };
  p.teardown = [self] {
    W = nullptr;
    self->w.reset();
  };
  p.deadlock_property = [self]() -> std::string {
    if (!self->w) return {};
    auto active = [self](prop p) {
      for (prop q : self->active)
        if (q == p) return true;
      return false;
    };
    const std::string a = self->w->activity;
    // A waiter that waits forever is the property's failure; once that property is judged (and
    // no longer active), such executions are set aside so the others can be judged.
    if (a == "waiting for completions")
      return active(prop::lost_wakeup) ? "lost-wakeup" : chk::program::ignore_deadlock;
    if (a == "exiting (io_wq_put_and_exit)")
      return active(prop::exit_hang) ? "exit-hang" : chk::program::ignore_deadlock;
    return {};
  };
  return in;
}

chk::options options_for(const scenario& s, bool quick) {
  chk::options o;
  o.timeouts = s.timeouts;
  o.max_timeouts = s.max_timeouts;
  o.rcu = s.rcu;
  o.max_steps = s.max_steps;
  if (quick || s.preemption_bound >= 0) {
    o.search = chk::search_kind::bounded;
    o.preemption_bound = quick ? s.test_preemption_bound : s.preemption_bound;
  } else {
    o.search = chk::search_kind::dpor;
  }
  // The port keeps no heap-owning locals on its threads' stacks, so threads left blocked at the
  // end of an execution (idle workers, the owner in user space) are discarded without unwinding.
  o.unwind = false;
  return o;
}

chk::result check(const scenario& s, const config& c, chk::options o, std::vector<prop> active) {
  auto in = make(s, c, std::move(active));
  configure(in->cfg);
  chk::result r = chk::explore(in->p, o);
  configure(config{});
  return r;
}

std::vector<property_verdict> check_properties(const scenario& s, const config& c, chk::options o,
                                               std::optional<prop> only) {
  std::vector<property_verdict> out;
  std::vector<prop> active = only ? std::vector<prop>{*only} : s.props;
  while (!active.empty()) {
    chk::result r = check(s, c, o, active);
    if (r.v != chk::verdict::violated) {
      for (prop p : active) out.push_back({to_string(p), r, active});
      break;
    }
    const std::string broken = violated_property(*r.fail);
    const std::vector<prop> was = active;
    bool ours = false;
    for (std::size_t i = 0; i < active.size(); ++i)
      if (broken == to_string(active[i])) {
        active.erase(active.begin() + static_cast<std::ptrdiff_t>(i));
        ours = true;
        break;
      }
    out.push_back({broken, std::move(r), was});
    if (!ours) break;  // a failure outside the scenario's properties ends the judging
  }
  return out;
}

std::string violated_property(const chk::failure& f) {
  if (!f.property.empty()) return f.property;
  // The checker's own properties by their short names; the others (deadlock, livelock, ...) by
  // the failure kind's name.
  static constexpr std::pair<chk::failure_kind, const char*> short_names[] = {
      {chk::failure_kind::data_race, "race"},
      {chk::failure_kind::use_after_free, "uaf"},
      {chk::failure_kind::lock_misuse, "lock-misuse"},
      {chk::failure_kind::blocking_in_atomic, "atomic-sleep"},
  };
  for (const auto& [kind, name] : short_names)
    if (f.kind == kind) return name;
  return chk::to_string(f.kind);
}

chk::replay_outcome replay(const chk::replay_file& f) {
  auto need = [&f](const char* k) {
    auto it = f.labels.find(k);
    if (it == f.labels.end()) throw chk::replay_error(std::string("replay file has no \"") + k + "\" label");
    return it->second;
  };
  const scenario* s = find(need("scenario"));
  if (!s) throw chk::replay_error("replay file names unknown scenario \"" + need("scenario") + "\"");
  auto v = variant_by_name(need("variant"));
  if (!v) throw chk::replay_error("replay file names unknown variant \"" + need("variant") + "\"");
  config c;
  c.v = *v;
  auto m_it = f.labels.find("mutant");
  if (m_it != f.labels.end() && !m_it->second.empty()) {
    auto m = mutant_by_name(m_it->second);
    if (!m) throw chk::replay_error("replay file names unknown mutant \"" + m_it->second + "\"");
    c.with(*m);
  }
  std::vector<prop> active;
  std::stringstream ps(need("properties"));
  for (std::string p; std::getline(ps, p, ',');) {
    bool found = false;
    for (auto q : s->props)
      if (p == to_string(q)) active.push_back(q), found = true;
    if (!found) throw chk::replay_error("replay file names property \"" + p + "\" that scenario " + s->name + " lacks");
  }
  auto in = make(*s, c, active);
  configure(in->cfg);
  struct restore {
    ~restore() { configure(config{}); }
  } r;
  return chk::replay(in->p, f);
}

}  // namespace iowq::scn
