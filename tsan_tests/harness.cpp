#include "harness.h"

#include <algorithm>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <stdexcept>

#include "model/port_adapter.h"
#include "model/upstream/io_wq.h"

// ThreadSanitizer's annotations (weak: the harness also links without -fsanitize=thread).
extern "C" {
void AnnotateIgnoreSyncBegin(const char* file, int line) __attribute__((weak));
void AnnotateIgnoreSyncEnd(const char* file, int line) __attribute__((weak));
void AnnotateIgnoreReadsBegin(const char* file, int line) __attribute__((weak));
void AnnotateIgnoreReadsEnd(const char* file, int line) __attribute__((weak));
void AnnotateIgnoreWritesBegin(const char* file, int line) __attribute__((weak));
void AnnotateIgnoreWritesEnd(const char* file, int line) __attribute__((weak));
}

namespace tsan {

namespace native = kern::native;

// ---- settings -------------------------------------------------------------------------------------

settings& the_settings() {
  static settings s;
  return s;
}

void init_settings_from_env() {
  settings& s = the_settings();
  if (const char* e = std::getenv("IOWQ_TSAN_SEED"); e && *e)
    s.seed = std::strtoull(e, nullptr, 0);
  else
    s.seed = static_cast<std::uint64_t>(std::chrono::system_clock::now().time_since_epoch().count()) % 1000000007ULL;
  if (const char* e = std::getenv("IOWQ_TSAN_SOAK"); e && *e) s.soak_seconds = std::atof(e);
  if (const char* e = std::getenv("IOWQ_TSAN_VERBOSE"); e && *e) s.verbose = std::atoi(e) != 0;
}

std::uint64_t seed_for(const std::string& test_name) {
  std::uint64_t h = 1469598103934665603ULL;
  for (char c : test_name) h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ULL;
  return (h ^ the_settings().seed) % 1000000007ULL;
}

double budget(double seconds) { return the_settings().soak_seconds > 0 ? the_settings().soak_seconds : seconds; }

std::uint64_t now_us() {
  return static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now().time_since_epoch())
          .count());
}

const char* to_string(fail_kind k) {
  switch (k) {
    case fail_kind::none:
      return "none";
    case fail_kind::lost_wakeup:
      return "lost-wakeup";
    case fail_kind::accounting:
      return "accounting";
    case fail_kind::pool_zero:
      return "pool-zero";
    case fail_kind::exit_hang:
      return "exit-hang";
    case fail_kind::kernel:
      return "kernel (be::fail)";
    case fail_kind::exactly_once:
      return "exactly-once";
    case fail_kind::timeout:
      return "timeout";
    case fail_kind::harness:
      return "harness";
  }
  return "?";
}

const char* to_string(phase p) {
  switch (p) {
    case phase::setup:
      return "setup";
    case phase::meet:
      return "meet";
    case phase::submit:
      return "submit";
    case phase::wait_work:
      return "wait-work";
    case phase::quiesce:
      return "quiesce";
    case phase::drain:
      return "drain";
    case phase::exiting:
      return "exiting";
    case phase::done:
      return "done";
  }
  return "?";
}

std::string describe(const plan& p) {
  std::ostringstream s;
  s << "variant=" << iowq::to_string(p.v);
  for (const auto& m : iowq::all_mutants())
    if ((p.mutants >> static_cast<unsigned>(m.id)) & 1) s << " mutant=" << m.name;
  s << " owners=" << p.owners << " bounded=" << p.bounded << " rlimit=" << p.rlimit << " idle_timeout="
    << (p.idle_timeout.count() < 0 ? std::string("infinite") : std::to_string(p.idle_timeout.count()) + "us")
    << " seed=" << p.seed;
  return s.str();
}

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

// TSan ignores the calling thread's synchronisation and memory accesses in this scope.
struct tsan_blind {
  tsan_blind() {
    if (AnnotateIgnoreSyncBegin) AnnotateIgnoreSyncBegin(__FILE__, __LINE__);
    if (AnnotateIgnoreReadsBegin) AnnotateIgnoreReadsBegin(__FILE__, __LINE__);
    if (AnnotateIgnoreWritesBegin) AnnotateIgnoreWritesBegin(__FILE__, __LINE__);
  }
  ~tsan_blind() {
    if (AnnotateIgnoreWritesEnd) AnnotateIgnoreWritesEnd(__FILE__, __LINE__);
    if (AnnotateIgnoreReadsEnd) AnnotateIgnoreReadsEnd(__FILE__, __LINE__);
    if (AnnotateIgnoreSyncEnd) AnnotateIgnoreSyncEnd(__FILE__, __LINE__);
  }
  tsan_blind(const tsan_blind&) = delete;
  tsan_blind& operator=(const tsan_blind&) = delete;
};

iowq::config config_for(const plan& p) {
  iowq::config c;
  c.v = p.v;
  c.mutants = p.mutants;
  c.rlimit_nproc = p.rlimit;
  c.nondet_exit_mask = p.nondet_exit_mask;
  return c;
}

int rnd(int n) { return static_cast<int>(native::random_below(static_cast<std::uint64_t>(n))); }
bool chance(int percent) { return rnd(100) < percent; }

}  // namespace

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
  const tsan_blind blind;
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

// ---- world ----------------------------------------------------------------------------------------

world::world(const plan& p) : plan_(p), items_(new item*[static_cast<std::size_t>(capacity())]()) {
  for (int i = 0; i < p.owners; ++i) owners.push_back(std::make_unique<owner>(*this, i));
  meet_parties_ = p.owners;
}

bool world::room_for_round() const {
  // A burst of burst_max requests, each with at most one link.
  for (const auto& up : owners)
    if (static_cast<int>(up->items_.size()) + 2 * plan_.burst_max > plan_.max_items) return false;
  return true;
}

world::~world() = default;

void world::fail(fail_kind k, std::string message) {
  {
    std::lock_guard<std::mutex> lk(fail_mutex_);
    if (kind_ == fail_kind::none) {
      kind_ = k;
      message_ = std::move(message);
      std::fprintf(stderr, "FAILURE (%s): %s\n", to_string(kind_), message_.c_str());
      if (plan_.exit_on_failure) {
        std::fflush(stderr);
        std::_Exit(static_cast<int>(k));
      }
    }
  }
  stop_.store(true);
}

fail_kind world::failure_kind() const {
  std::lock_guard<std::mutex> lk(fail_mutex_);
  return kind_;
}

std::string world::failure_message() const {
  std::lock_guard<std::mutex> lk(fail_mutex_);
  return message_;
}

bool world::time_left() const {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count() < plan_.seconds;
}

bool world::meet(owner& o, const std::function<bool()>& decide) {
  long gen;
  {
    std::lock_guard<std::mutex> lk(meet_mutex_);
    gen = meet_gen_;
    if (++meet_arrived_ == meet_parties_) {
      meet_result_ = decide ? decide() : true;
      meet_arrived_ = 0;
      meet_gen_++;
      return meet_result_;
    }
  }
  if (!o.wait_until(
          phase::meet,
          [&] {
            std::lock_guard<std::mutex> lk(meet_mutex_);
            return meet_gen_ != gen;
          },
          true))
    return false;
  std::lock_guard<std::mutex> lk(meet_mutex_);
  return meet_result_;
}

bool world::run(const std::function<void(owner&)>& body) {
  const iowq::config cfg = config_for(plan_);
  iowq::configure(cfg);
  native::options o;
  o.idle_timeout = plan_.idle_timeout;
  o.seed = plan_.seed;
  o.yield_permille = plan_.yield_permille;
  o.sleep_permille = plan_.sleep_permille;
  o.sleep_min_us = plan_.sleep_min_us;
  o.sleep_max_us = plan_.sleep_max_us;
  o.inherit = [] {
    const iowq::config c = iowq::current_config();
    return std::function<void()>([c] { iowq::configure(c); });
  };
  g_world = this;
  native::run_begin(o);
  start_ = std::chrono::steady_clock::now();
  const iowq::wq_ops& ops = iowq::ops_for(plan_.v);
  hash_ = ops.hash_alloc();

  std::vector<std::thread> threads;
  std::atomic<int> done{0};
  for (auto& up : owners) {
    owner* ow = up.get();
    threads.emplace_back([this, ow, cfg, &done, &body] {
      iowq::configure(cfg);
      native::register_harness_thread("owner");
      try {
        {
          // io_wq_create writes the scheduler hooks (a plain global): create every wq before
          // any worker exists.
          std::lock_guard<std::mutex> lk(create_mutex_);
          ow->start();
        }
        if (ow->wq && meet(*ow, nullptr)) body(*ow);
        if (ow->wq && !ow->exited && stopped()) {
          // Best effort after a failure: let the workers go so that the run can end.
          ow->release_all();
          ow->set_exit_on_idle(true);
          kill_io_threads_of(ow->ops, ow->wq);
          ow->ops.exit_start(ow->wq);
          ow->put_and_exit();
        }
      } catch (const native::failure_exception& e) {
        fail(fail_kind::kernel, e.info.property + ": " + e.info.message + " at " + e.info.where);
      } catch (const std::exception& e) {
        fail(fail_kind::harness, e.what());
      }
      ow->ph.store(static_cast<int>(phase::done));
      native::harness_thread_done();
      done.fetch_add(1);
    });
  }

  monitor(done);

  bool all_done = done.load() == static_cast<int>(threads.size());
  for (auto& t : threads) {
    if (all_done)
      t.join();
    else
      t.detach();
  }
  bool ok_end = false;
  if (all_done) {
    bool all_exited = true;
    for (auto& up : owners) all_exited = all_exited && up->exited;
    // The ring's reference, once every wq has dropped its own (io_ring_ctx_free).
    if (all_exited) ops.hash_put(hash_);
    ok_end = native::run_end(std::chrono::milliseconds(20000));
    if (!ok_end && failure_kind() == fail_kind::none)
      fail(fail_kind::harness, "spawned threads still alive at the end of the run");
  } else {
    std::fprintf(stderr, "owner threads did not finish; threads and memory of this run are leaked\n");
  }
  return failure_kind() == fail_kind::none;
}

bool world::stuck_check(std::string& why, fail_kind& kind, bool& quiet) {
  quiet = false;
  kind = fail_kind::none;
  bool all_quiesce = true;
  std::string owners_state;
  const long epoch = quiet_epoch.load();
  for (auto& up : owners) {
    owner& o = *up;
    const phase ph = static_cast<phase>(o.ph.load());
    kern::task_struct* t = o.task_pub.load(std::memory_order_acquire);
    const bool tw = t && t->task_works.peek() != nullptr;
    const int out = o.outstanding.load(std::memory_order_relaxed);
    const int unrel = o.unreleased.load(std::memory_order_relaxed);
    owners_state += " owner" + std::to_string(o.index) + "(" + to_string(ph) + " outstanding=" + std::to_string(out) +
                    (tw ? " task_work" : "") + ")";
    if (ph != phase::quiesce || o.quiet_seen.load() != epoch || out != 0 || unrel != 0 || tw) all_quiesce = false;
    if (ph == phase::wait_work && out > 0 && unrel == 0 && !tw && kind == fail_kind::none) {
      kind = fail_kind::lost_wakeup;
      why = "owner " + std::to_string(o.index) + ": " + std::to_string(out) +
            " request(s) outstanding and no thread can run: stranded";
    } else if (ph == phase::drain && !tw && !o.drained_peek() && kind == fail_kind::none) {
      kind = fail_kind::pool_zero;
      why = "owner " + std::to_string(o.index) + ": exit-on-idle set, nothing submitted, and the pool stays";
    } else if (ph == phase::exiting && o.in_put_and_exit.load() && kind == fail_kind::none) {
      kind = fail_kind::exit_hang;
      why = "owner " + std::to_string(o.index) + ": io_wq_put_and_exit waits and no thread can run";
    }
  }
  if (!all_quiesce && kind == fail_kind::none) return false;
  const native::scan_result sc = native::scan();
  if (!sc.stable) return false;
  if (all_quiesce) {
    int live = 0;
    for (auto& up : owners)
      if (void* q = up->wq_pub.load(std::memory_order_acquire)) {
        const iowq::wq_view v = peek_quiet(up->ops, q);
        live += v.acct[0].live_threads + v.acct[1].live_threads;
      }
    if (sc.io_threads_alive != live) {
      kind = fail_kind::accounting;
      why = "io threads alive " + std::to_string(sc.io_threads_alive) + " != live workers counted by the wqs " +
            std::to_string(live);
      return true;
    }
    quiet = true;
    kind = fail_kind::none;
  }
  why += " | threads: " + std::to_string(sc.spawned_alive) + " alive, all blocked;" + owners_state;
  return true;
}

void world::monitor(std::atomic<int>& done) {
  const int n = static_cast<int>(owners.size());
  std::chrono::steady_clock::time_point stop_seen{};
  for (;;) {
    if (done.load() == n) return;
    if (native::failed() && !stopped()) {
      const native::failure_info f = native::first_failure();
      fail(fail_kind::kernel, f.property + ": " + f.message + " at " + f.where + " [" + f.thread + "]");
    }
    if (stopped()) {
      if (stop_seen == std::chrono::steady_clock::time_point{}) stop_seen = std::chrono::steady_clock::now();
      if (std::chrono::steady_clock::now() - stop_seen > std::chrono::seconds(20)) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
      continue;
    }
    std::string why;
    fail_kind kind;
    bool quiet;
    if (stuck_check(why, kind, quiet)) {
      // Confirm: the same verdict on a second stable scan a little later.
      std::this_thread::sleep_for(std::chrono::milliseconds(quiet ? 1 : 20));
      std::string why2;
      fail_kind kind2;
      bool quiet2;
      if (stuck_check(why2, kind2, quiet2) && kind2 == kind && quiet2 == quiet) {
        if (quiet) {
          quiet_epoch.fetch_add(1);
        } else {
          std::string views;
          for (auto& up : owners)
            if (void* q = up->wq_pub.load(std::memory_order_acquire); q && !up->exited)
              views += " [owner" + std::to_string(up->index) + ": " + format_view(peek_quiet(up->ops, q)) + "]";
          fail(kind, why2 + views);
          // Let a hung exit finish, so that the run can end: the SIGKILL a group exit would send.
          if (kind == fail_kind::exit_hang)
            for (auto& up : owners)
              if (up->in_put_and_exit.load())
                if (void* q = up->wq_pub.load(std::memory_order_acquire)) kill_io_threads_of(up->ops, q);
        }
        continue;
      }
    }
    std::this_thread::sleep_for(std::chrono::microseconds(500));
  }
}

// ---- the stress round -------------------------------------------------------------------------------

void stress_body(owner& o) {
  world& w = o.w_;
  const plan& p = w.p();
  for (;;) {
    const bool go = w.meet(o, [&w, &p] {
      const bool more =
          w.room_for_round() && (w.rounds_done < p.min_rounds || (w.time_left() && w.rounds_done < p.max_rounds));
      if (more) w.rounds_done++;
      if (the_settings().verbose && w.rounds_done % 50 == 0) std::fprintf(stderr, "round %d\n", w.rounds_done);
      return more;
    });
    if (!go || w.stopped()) break;
    // A ring is added: exit-on-idle is cleared (v1/merged; the pool drained before, so no worker
    // is on its way out: F1 cannot strand this round's work).
    if (o.eoi) o.clear_eoi();
    o.submit_burst(p.burst_min + rnd(p.burst_max - p.burst_min + 1));
    if (p.wait_each_burst) {
      if (!o.wait_work()) return;
    } else if (p.soft_wait.count() > 0) {
      const auto until = std::chrono::steady_clock::now() + p.soft_wait;
      if (!o.wait_until(
              phase::submit,
              [&] {
                return o.outstanding.load(std::memory_order_relaxed) == 0 || std::chrono::steady_clock::now() > until;
              },
              true))
        return;
    }
    if (p.pause_max.count() > 0) {
      const auto until =
          std::chrono::steady_clock::now() + std::chrono::microseconds(rnd(static_cast<int>(p.pause_max.count())));
      if (!o.wait_until(
              phase::submit, [&] { return std::chrono::steady_clock::now() > until; }, true))
        return;
    }
    if (p.eoi_anytime && p.eoi()) {
      if (!o.eoi && chance(p.eoi_percent)) o.set_exit_on_idle(true);
      continue;
    }
    if (p.check_accounting && !o.quiesce_and_check()) return;
    // The last ring goes away: exit-on-idle is set at a quiescent point (no work queued or
    // running, the owner's task_work drained), so that neither F1 (work queued while a worker
    // leaves) nor F2 (a queued create_worker_cb cancelled by a counted exit) can happen.
    if (p.eoi() && p.check_accounting && chance(p.eoi_percent) && !o.set_eoi_and_drain()) return;
  }
  if (w.stopped()) return;
  if (p.exit_at_end) {
    if (!o.exit_wq()) return;
    o.check_items(p.wait_each_burst);
  }
}

namespace {

// One world (a native run) of the stress; adds its counters to `t`.
fail_kind run_world(const plan& p, owner::counters& t, int& rounds, int& requests, std::string& message) {
  world w(p);
  w.run(stress_body);
  rounds += w.rounds_done;
  for (auto& up : w.owners) {
    requests += up->submitted;
    const owner::counters& c = up->stats;
    t.quiescent += c.quiescent;
    t.drains += c.drains;
    t.drained_workers += c.drained_workers;
    t.max_drain_us = std::max(t.max_drain_us, c.max_drain_us);
    t.threads += c.threads;
    t.blocking += c.blocking;
    t.linked += c.linked;
    t.hashed += c.hashed;
    t.unbound += c.unbound;
    t.cancel_calls += c.cancel_calls;
  }
  message = w.failure_message();
  return w.failure_kind();
}

}  // namespace

fail_kind run_stress(const plan& p, std::string* message) {
  // Long budgets (soak) run as a sequence of worlds of at most k_epoch seconds: memory freed by
  // the port is only released when a native run ends.
  constexpr double k_epoch = 30;
  const auto t0 = std::chrono::steady_clock::now();
  owner::counters t;
  int rounds = 0, requests = 0, epochs = 0;
  std::string msg;
  fail_kind k = fail_kind::none;
  for (;;) {
    const double spent = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    plan e = p;
    e.seconds = std::min(k_epoch, p.seconds - spent);
    if (epochs > 0) {
      if (e.seconds < 1) break;
      e.seed = p.seed + static_cast<std::uint64_t>(epochs);
      e.min_rounds = 1;
    }
    k = run_world(e, t, rounds, requests, msg);
    ++epochs;
    if (k != fail_kind::none) {
      msg = "seed " + std::to_string(e.seed) + ": " + msg;
      break;
    }
  }
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::fprintf(
      stderr,
      "[%s] %d rounds, %d requests (%d unbound, %d hashed, %d linked, %d blocking, %d cancel calls), "
      "%d worker threads, %d quiescent checks, %d exit-on-idle drains of %d workers (longest %.1f ms), %d run(s), "
      "%.1f s: %s\n",
      describe(p).c_str(), rounds, requests, t.unbound, t.hashed, t.linked, t.blocking, t.cancel_calls, t.threads,
      t.quiescent, t.drains, t.drained_workers, static_cast<double>(t.max_drain_us) / 1000, epochs, secs,
      k == fail_kind::none ? "ok" : to_string(k));
  if (message) *message = msg;
  return k;
}

}  // namespace tsan
