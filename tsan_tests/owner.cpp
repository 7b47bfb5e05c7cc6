// The owner side of the stress harness: the io_uring side's callbacks (submit and free a request)
// and the owner task's actions on its wq (submit, wait, cancel, quiesce, exit), each checked.
#include <algorithm>
#include <cstddef>
#include <cstdio>
#include <sstream>

#include "harness.h"
#include "model/port_adapter.h"
#include "model/upstream/io_wq.h"

namespace tsan {

namespace native = kern::native;

// ---- the io_uring side's callbacks ------------------------------------------------------------------

namespace {

// The world being run: the callbacks of wq_ops carry only an item index. Set before the run's
// first thread starts, never while one runs.
world* g_world = nullptr;

// io_wq_submit_work's part: a cancelled request completes with -ECANCELED; a blocking one waits
// for its I/O (the owner completes it), sleeping as TASK_UNINTERRUPTIBLE with the io-wq hooks.
void do_work(int index) {
  item* it = g_world->at(index);
  if (it->own->ops.work_cancelled(it->work)) {
    it->cancelled.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  if (it->blocks) kern::wait_for_completion(&it->io_done);
  it->ran.fetch_add(1, std::memory_order_relaxed);
}

// io_wq_free_work's part: the request is over; return its linked request, if any.
int free_work(int index) {
  item* it = g_world->at(index);
  it->freed.fetch_add(1, std::memory_order_relaxed);
  item* link = it->link;
  // Relaxed: the owner polls the count; the harness must not order the workers with each other.
  it->own->outstanding.fetch_sub(1, std::memory_order_relaxed);
  return link ? link->index : -1;
}

const iowq::wq_callbacks k_callbacks{do_work, free_work};

}  // namespace

void set_current_world(world* w) { g_world = w; }

// ---- owner ----------------------------------------------------------------------------------------

owner::owner(world& w, int i) : ops(iowq::ops_for(w.p().v)), index(i), w_(w) {}

void owner::start() {
  task = kern::make_current_task("owner");
  // io_uring_alloc_task_context + io_init_wq_offload: the wq on the ring's hash, shared by every
  // owner (the tasks of one ring share ctx->hash_map).
  wq = ops.create(w_.p().bounded, &k_callbacks, w_.hash_);
  if (!wq) {
    w_.fail(fail_kind::harness, "io_wq_create failed");
    return;
  }
  // Reserve every index this owner may use (the slot past the last): the implementation's table
  // of work items then never grows while workers look up linked work in it.
  ops.make_work(wq, w_.capacity(), 0, 0);
  task_pub.store(task, std::memory_order_release);
  wq_pub.store(wq, std::memory_order_release);
}

item* owner::new_item(unsigned flags, int hash_key) {
  const int id = static_cast<int>(items_.size());
  if (id >= w_.p().max_items) throw std::runtime_error("owner " + std::to_string(index) + " out of items");
  items_.push_back(std::make_unique<item>());
  item* it = items_.back().get();
  it->own = this;
  it->id = id;
  it->index = index + id * w_.p().owners;
  w_.items_[static_cast<std::size_t>(it->index)] = it;
  it->work = ops.make_work(wq, it->index, flags, hash_key);
  if (flags & iowq::IO_WQ_WORK_CANCEL) it->may_cancel = true;
  outstanding.fetch_add(1, std::memory_order_relaxed);
  return it;
}

void owner::enqueue(item* it) {
  ops.enqueue(wq, it->work);
  submitted++;
}

item* owner::new_random_item(bool allow_link) {
  const mix& m = w_.p().m;
  unsigned flags = 0;
  const bool unbound = chance(m.unbound);
  if (unbound) flags |= iowq::IO_WQ_WORK_UNBOUND;
  if (chance(m.concurrent)) flags |= iowq::IO_WQ_WORK_CONCURRENT;
  if (chance(m.precancel)) flags |= iowq::IO_WQ_WORK_CANCEL;
  if (unbound) stats.unbound++;
  // Hashed work is bound only: io_uring hashes regular-file writes, which are never unbound, and
  // 6.14's hash_tail[] is shared by both accts under two different locks.
  int hash_key = 0;
  if (!unbound && chance(m.hashed) && (allow_link || m.hashed_links)) {
    hash_key = 1 + rnd(m.hash_keys);
    stats.hashed++;
  }
  item* it = new_item(flags, hash_key);
  if (chance(m.blocking)) {
    stats.blocking++;
    it->blocks = true;
    kern::init_completion(&it->io_done, "io_done", it->id);
    blocking_.push_back(it);
    unreleased.fetch_add(1, std::memory_order_relaxed);
  }
  if (allow_link && chance(m.linked)) {
    stats.linked++;
    it->link = new_random_item(false);
    it->link->may_cancel = it->link->may_cancel || it->may_cancel;
  }
  return it;
}

void owner::maybe_release_some() {
  for (std::size_t i = 0; i < blocking_.size();) {
    if (chance(40)) {
      item* it = blocking_[i];
      kern::complete(&it->io_done);
      it->released = true;
      blocking_[i] = blocking_.back();
      blocking_.pop_back();
      unreleased.fetch_sub(1, std::memory_order_relaxed);
    } else {
      ++i;
    }
  }
}

void owner::release_all() {
  for (item* it : blocking_) {
    kern::complete(&it->io_done);
    it->released = true;
  }
  blocking_.clear();
  unreleased.store(0, std::memory_order_relaxed);
}

void owner::maybe_cancel() {
  if (items_.empty() || !chance(w_.p().m.cancel_cb)) return;
  const int n = static_cast<int>(items_.size());
  item* it = items_[static_cast<std::size_t>(n - 1 - rnd(std::min(n, 32)))].get();
  for (item* x = it; x; x = x->link) x->may_cancel = true;
  stats.cancel_calls++;
  ops.cancel(wq, it->index, false);
}

item* owner::submit_one(unsigned flags, int hash_key) {
  item* it = new_item(flags, hash_key);
  enqueue(it);
  return it;
}

void owner::submit_burst(int n) {
  ph.store(static_cast<int>(phase::submit));
  for (int k = 0; k < n && !w_.stopped(); ++k) {
    enqueue(new_random_item(true));
    // Between submissions: run task_work (io_uring returns to user space), be the device, cancel,
    // or pause so that workers go idle and get activated again.
    maybe_cancel();
    const int what = rnd(16);
    if (what == 0)
      kern::io_run_task_work();
    else if (what == 1)
      maybe_release_some();
    else if (what == 2)
      std::this_thread::sleep_for(std::chrono::microseconds(rnd(300)));
  }
}

bool owner::wait_until(phase p, const std::function<bool()>& pred, bool run_device) {
  ph.store(static_cast<int>(p));
  const auto deadline = std::chrono::steady_clock::now() + w_.p().deadline;
  bool ok = true;
  for (;;) {
    // As io_cqring_wait: announce the sleep, check, run task_work, sleep (bounded: the owner is
    // not under test, and it plays the device).
    kern::set_current_state(kern::TASK_INTERRUPTIBLE);
    if (pred()) break;
    if (kern::io_run_task_work()) continue;
    if (run_device && !blocking_.empty()) maybe_release_some();
    if (w_.stopped()) {
      ok = false;
      break;
    }
    if (std::chrono::steady_clock::now() > deadline) {
      w_.fail(fail_kind::timeout, std::string("owner ") + std::to_string(index) + " waited more than " +
                                      std::to_string(w_.p().deadline.count()) + " s in phase " + to_string(p));
      ok = false;
      break;
    }
    native::harness_wait(std::chrono::microseconds(run_device && !blocking_.empty() ? 200 : 1000));
  }
  kern::__set_current_state(kern::TASK_RUNNING);
  return ok;
}

bool owner::wait_work() {
  return wait_until(
      phase::wait_work, [this] { return outstanding.load(std::memory_order_relaxed) == 0; }, true);
}

bool owner::drained_peek() const {
  void* q = wq_pub.load(std::memory_order_acquire);
  if (!q) return true;
  const iowq::wq_view v = peek_quiet(ops, q);
  return v.acct[0].live_threads == 0 && v.acct[1].live_threads == 0 && v.worker_refs == 1;
}

iowq::wq_view owner::locked_view() { return view_locked(ops, wq); }

iowq::wq_view view_locked(const iowq::wq_ops& ops, void* wq) {
  kern::raw_spinlock_t* locks[iowq::IO_WQ_ACCT_NR];
  const int n = ops.accounting_locks(wq, locks);
  for (int i = 0; i < n; i++) kern::raw_spin_lock(locks[i]);
  iowq::wq_view v = ops.peek(wq);
  for (int i = n - 1; i >= 0; i--) kern::raw_spin_unlock(locks[i]);
  return v;
}

iowq::wq_view peek_quiet(const iowq::wq_ops& ops, void* wq) {
  const native::tsan_blind blind;
  return view_locked(ops, wq);
}

std::string format_view(const iowq::wq_view& v) {
  std::ostringstream s;
  s << "exit=" << v.exit << " eoi=" << v.exit_on_idle << " worker_refs=" << v.worker_refs
    << " threads started/exited=" << v.threads_started << "/" << v.threads_exited << " free_list=" << v.free_list_len
    << " all_list=" << v.all_list_len;
  for (int i = 0; i < iowq::IO_WQ_ACCT_NR; i++) {
    const auto& a = v.acct[i];
    s << (i == iowq::IO_WQ_ACCT_BOUND ? " | bound:" : " | unbound:") << " nr_workers=" << a.nr_workers << "/"
      << a.max_workers << " nr_running=" << a.nr_running << " live=" << a.live_threads << " pending=" << a.pending
      << (a.stalled ? " stalled" : "");
  }
  return s.str();
}

bool owner::quiesce_and_check() {
  const long seen = w_.quiet_epoch.load();
  quiet_seen.store(seen);
  if (!wait_until(
          phase::quiesce, [&] { return w_.quiet_epoch.load() != seen; }, true))
    return false;
  const iowq::wq_view v = locked_view();
  stats.quiescent++;
  std::string bad;
  int live = 0;
  for (int i = 0; i < iowq::IO_WQ_ACCT_NR; i++) {
    const auto& a = v.acct[i];
    live += a.live_threads;
    if (a.nr_workers != static_cast<unsigned>(a.live_threads)) bad += " nr_workers != live worker threads;";
    if (a.nr_workers > a.max_workers) bad += " nr_workers > max_workers;";
    if (a.nr_running != 0) bad += " nr_running != 0 with every worker asleep;";
    if (a.pending != 0) bad += " work pending at a quiescent point;";
  }
  if (v.worker_refs != 1 + live) bad += " worker_refs != 1 + live workers;";
  if (v.free_list_len != live) bad += " free_list != idle workers;";
  if (v.all_list_len != live) bad += " all_list != live workers;";
  if (!bad.empty()) {
    w_.fail(fail_kind::accounting,
            "owner " + std::to_string(index) + " at a quiescent point:" + bad + " [" + format_view(v) + "]");
    return false;
  }
  return true;
}

bool owner::set_eoi_and_drain() {
  ph.store(static_cast<int>(phase::drain));
  const iowq::wq_view before = locked_view();
  const int n = before.acct[0].live_threads + before.acct[1].live_threads;
  const std::uint64_t t0 = now_us();
  set_exit_on_idle(true);
  if (!wait_until(
          phase::drain, [this] { return drained_peek(); }, true))
    return false;
  if (n > 0) {
    stats.drains++;
    stats.drained_workers += n;
    stats.max_drain_us = std::max(stats.max_drain_us, static_cast<long>(now_us() - t0));
  }
  const iowq::wq_view v = locked_view();
  std::string bad;
  for (int i = 0; i < iowq::IO_WQ_ACCT_NR; i++) {
    const auto& a = v.acct[i];
    if (a.nr_workers != 0) bad += " nr_workers != 0 after the pool drained;";
    if (a.live_threads != 0) bad += " a worker thread is alive;";
    if (a.nr_running != 0) bad += " nr_running != 0;";
    if (a.pending != 0) bad += " work pending;";
  }
  if (v.worker_refs != 1) bad += " worker_refs != 1;";
  if (v.free_list_len != 0 || v.all_list_len != 0) bad += " worker lists not empty;";
  if (!bad.empty()) {
    w_.fail(fail_kind::accounting, "owner " + std::to_string(index) + " after exit-on-idle drained the pool:" + bad +
                                       " [" + format_view(v) + "]");
    return false;
  }
  return true;
}

void owner::clear_eoi() { set_exit_on_idle(false); }

void owner::set_exit_on_idle(bool enable) {
  if (ops.set_exit_on_idle && w_.p().eoi()) ops.set_exit_on_idle(wq, enable);
  eoi = enable;
}

namespace {

// SIGKILL to the task of every worker on all_list (held under `lock`).
template <class Worker>
void kill_all_list(kern::raw_spinlock_t* lock, kern::list_head* all_list) {
  kern::raw_spin_lock(lock);
  for (kern::list_head* pos = kern::list_next_rcu(all_list); pos != all_list; pos = kern::list_next_rcu(pos)) {
    auto* worker = kern::container_of<Worker>(pos, offsetof(Worker, all_list));
    if (kern::task_struct* t = worker->task) kern::send_sigkill(t);
  }
  kern::raw_spin_unlock(lock);
}

}  // namespace

void kill_io_threads_of(const iowq::wq_ops& ops, void* h) {
  // The SIGKILL a group exit sends to every thread of the task, io threads included
  // (zap_other_threads). kern::kill_io_threads() only knows the threads the calling OS thread
  // created (its list is thread_local on the native backend), so walk the wq's worker lists
  // instead: every worker is on one from before its thread runs (io_init_new_worker) until its
  // exit. The ports' wq_ops handles are adapter instances (model/port_adapter.h).
  void* q = static_cast<iowq::adapter::instance*>(h)->wq;
  kern::rcu_read_lock();
  if (&ops == &iowq::ops_6_14()) {
    auto* wq = static_cast<iowq::io_wq*>(q);
    kill_all_list<iowq::io_worker>(&wq->lock, &wq->all_list);
  } else if (&ops == &iowq::ops_upstream()) {
    auto* wq = static_cast<iowq::upstream::io_wq*>(q);
    for (auto& acct : wq->acct) kill_all_list<iowq::upstream::io_worker>(&acct.workers_lock, &acct.all_list);
  }
  kern::rcu_read_unlock();
}

bool owner::exit_wq() {
  ph.store(static_cast<int>(phase::exiting));
  if (!w_.p().eoi()) {
    // F3: in 6.14 the exit wake can be absorbed (io_run_task_work clears TIF_NOTIFY_SIGNAL) and the
    // worker then sleeps until its idle timeout; with an infinite timeout io_wq_put_and_exit would
    // hang by chance. A real exit is a group exit whose SIGKILL reaches the io threads first, and
    // no io thread can be created in a group with a fatal signal pending (copy_process fails),
    // which the facade does not model: the second kill, after EXIT is set, covers a worker that a
    // worker's enqueue was creating meanwhile (one added to all_list later takes wq->lock after
    // this kill, so it sees IO_WQ_BIT_EXIT at its first test).
    if (w_.p().idle_timeout.count() < 0) kill_io_threads_of(ops, wq);
    ops.exit_start(wq);
    if (w_.p().idle_timeout.count() < 0) kill_io_threads_of(ops, wq);
  } else if (chance(50)) {
    // The last ring went away (exit-on-idle set), then the task exits.
    set_exit_on_idle(true);
    ops.exit_start(wq);
  } else {
    // io_uring_clean_tctx: exit started, exit-on-idle set, then put_and_exit.
    ops.exit_start(wq);
    set_exit_on_idle(true);
  }
  release_all();
  put_and_exit();
  // Every worker has exited (put_and_exit waited for them): a plain peek is exact.
  const iowq::wq_view v = ops.peek(wq);
  stats.threads = v.threads_started;
  if (!v.worker_done) {
    w_.fail(fail_kind::exit_hang, "io_wq_put_and_exit returned without worker_done [" + format_view(v) + "]");
    return false;
  }
  return true;
}

void owner::put_and_exit() {
  in_put_and_exit.store(true);
  ops.put_and_exit(wq);
  in_put_and_exit.store(false);
  exited = true;
}

bool owner::check_items(bool all_ran) {
  int bad = 0;
  std::string first;
  for (const auto& up : items_) {
    const item& it = *up;
    const int r = it.ran.load(), c = it.cancelled.load(), f = it.freed.load();
    const bool once = r + c == 1 && f == 1;
    const bool cancel_ok = c == 0 || it.may_cancel || !all_ran;
    if (!once || !cancel_ok) {
      if (bad++ == 0)
        first = "item " + std::to_string(it.id) + ": ran=" + std::to_string(r) + " cancelled=" + std::to_string(c) +
                " freed=" + std::to_string(f) + (it.may_cancel ? " (may be cancelled)" : "");
    }
  }
  if (bad) {
    w_.fail(fail_kind::exactly_once, "owner " + std::to_string(index) + ": " + std::to_string(bad) + " of " +
                                         std::to_string(items_.size()) + " requests not exactly once; first: " + first);
    return false;
  }
  return true;
}

}  // namespace tsan
