// The stress harness: io_uring-like owner tasks driving the io-wq port on real threads (native
// backend), a monitor that tells a stuck system from a slow one, and the checks.
//
// The harness drives io-wq only through the variant's wq_ops (model/wq_ops.h: ops_for(variant)),
// so every port runs here: the 6.14 port (baseline, v1, merged) and the 6.19 one (upstream and
// its fix variants).
//
// Roles (all real threads):
//   owner    an io_uring task: creates its io_wq, submits bursts of work (bound, unbound, hashed,
//            CONCURRENT, linked, blocking, pre-cancelled; io_wq_cancel_cb on random items), runs
//            its task_work (worker creation arrives there), plays the "device" that completes the
//            I/O of blocking work, toggles exit-on-idle as io_uring's tctx code does (clear when a
//            ring is added, set when its last ring goes away), and exits the wq. Only owners
//            submit: io_uring queues io-wq work from the task that owns the io_wq, and workers
//            queue the hashed links of the work they finish.
//   monitor  the test's main thread: deadlines, be::fail, and stuck detection. When every thread
//            is blocked (native::scan() is stable) and an owner waits for something only io-wq can
//            bring (its work to finish, its pool to drain, io_wq_put_and_exit to return), nothing
//            can ever happen again (idle timeouts are infinite in these runs): that is a lost
//            wakeup, a pool that does not reach zero, or an exit hang, reported at once instead of
//            at a deadline.
//
// Every failure is recorded once (world::fail) with its kind; tests assert there is none, the
// mutant children exit with the kind's code.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "model/config.h"
#include "model/io_wq.h"
#include "model/kernel/kernel.h"
#include "model/wq_ops.h"

namespace tsan {

// ---- settings -------------------------------------------------------------------------------------
struct settings {
  std::uint64_t seed = 0;   // IOWQ_TSAN_SEED, or from the clock; each test derives its own
  double soak_seconds = 0;  // --soak SECONDS or IOWQ_TSAN_SOAK: each stress test runs this long
  bool verbose = false;     // IOWQ_TSAN_VERBOSE=1: per-round progress
};
settings& the_settings();
void init_settings_from_env();
// The seed of one test: from the base seed and the test's name (printed by the test).
std::uint64_t seed_for(const std::string& test_name);
// The time budget of a stress test: `seconds`, or the soak time in soak mode.
double budget(double seconds);

// ---- failures -------------------------------------------------------------------------------------
// name, value (the child's exit code in the mutant tests), how it prints.
#define TSAN_FAIL_KINDS(X)                                                                        \
  X(none, 0, "none")                                                                              \
  X(lost_wakeup, 10, "lost-wakeup")   /* queued work stranded: every thread blocked, work left */ \
  X(accounting, 11, "accounting")     /* an accounting invariant at a quiescent point */          \
  X(pool_zero, 12, "pool-zero")       /* exit-on-idle set, nothing submitted, no drain */         \
  X(exit_hang, 13, "exit-hang")       /* io_wq_put_and_exit does not return */                    \
  X(kernel, 14, "kernel (be::fail)")  /* be::fail: WARN_ON_ONCE, refcount, rcu */                 \
  X(exactly_once, 15, "exactly-once") /* a work item ran or was cancelled other than once */      \
  X(timeout, 16, "timeout")           /* a deadline passed without the system being stuck */      \
  X(harness, 20, "harness")
enum class fail_kind : int {
#define TSAN_FAIL_KIND_ENUM(name, value, text) name = value,
  TSAN_FAIL_KINDS(TSAN_FAIL_KIND_ENUM)
#undef TSAN_FAIL_KIND_ENUM
};
const char* to_string(fail_kind k);

// ---- the shape of a run ---------------------------------------------------------------------------
struct mix {
  int unbound = 30;  // percent of items with IO_WQ_WORK_UNBOUND
  int hashed = 20;   // percent of bound items hashed (keys 1..hash_keys)
  int hash_keys = 3;
  int concurrent = 30;       // percent with IO_WQ_WORK_CONCURRENT
  int linked = 15;           // percent with a linked request (free_work returns it)
  bool hashed_links = true;  // links may be hashed (then the worker re-enqueues them)
  int blocking = 10;         // percent whose do_work sleeps until the owner completes its I/O
  int precancel = 3;         // percent with IO_WQ_WORK_CANCEL set before enqueue
  int cancel_cb = 3;         // percent chance per submission of an io_wq_cancel_cb on a recent item
};

struct plan {
  iowq::variant v = iowq::variant::baseline;
  // The variant has io_wq_set_exit_on_idle (the io_uring side calls it).
  bool eoi() const { return iowq::info(v).exit_on_idle; }
  std::uint64_t mutants = 0;
  int owners = 1;
  unsigned bounded = 4;  // io_wq_create(bounded)
  unsigned rlimit = 3;   // the unbound acct's max_workers
  int burst_min = 4, burst_max = 24;
  mix m;
  // Per round, the chance (percent) that the owner's last ring goes away (v1/merged: exit-on-idle
  // set at the quiescent point, then the pool must drain before the next ring is added).
  int eoi_percent = 50;
  bool check_accounting = true;  // invariants at quiescent points (needs infinite timeouts)
  // Without quiescent points (finite timeouts): toggle exit-on-idle at any point, with work in
  // flight (F1/F2 may then strand work until exit cancels it: only exactly-once is asserted).
  bool eoi_anytime = false;
  // A pause of up to this long after each burst (so that idle workers time out).
  std::chrono::microseconds pause_max{0};
  bool wait_each_burst = true;  // wait for every burst (needs infinite timeouts to be exact)
  // Without wait_each_burst: wait at most this long for a burst (0: not at all).
  std::chrono::milliseconds soft_wait{0};
  // Idle timeout of the workers: negative is infinite.
  std::chrono::microseconds idle_timeout{-1};
  double seconds = 5;  // time budget (rounds run until it is spent)
  int max_rounds = 1 << 30;
  int min_rounds = 3;
  // Perturbation at every facade operation (native::options).
  unsigned yield_permille = 20, sleep_permille = 2;
  unsigned sleep_min_us = 5, sleep_max_us = 50;
  std::uint64_t seed = 1;
  // How long a wait may last before it is a `timeout` failure (never reached by a correct run
  // unless the machine stalls; stuck states are found at once by the monitor).
  std::chrono::seconds deadline{120};
  bool nondet_exit_mask = false;
  // A failure ends the process at once with the failure kind as exit code (mutant children).
  bool exit_on_failure = false;
  // Exit the wq at the end. Baseline kills the io threads (the SIGKILL of a group exit) unless
  // the idle timeout is finite: see owner::exit_wq.
  bool exit_at_end = true;
  // Requests (links included) an owner may make in one world: the work indices of wq_ops are
  // reserved up front, so that no table grows while workers read it. A stress world ends its
  // rounds before an owner runs out (run_stress then starts the next world).
  int max_items = 1 << 16;
};

std::string describe(const plan& p);

class world;

// A request: the implementation's io_wq_work (wq_ops::make_work) plus what the test needs to
// know about it.
struct item {
  void* work = nullptr;      // made by wq_ops::make_work with `index`
  kern::completion io_done;  // blocking work: completed by the owner ("the device")
  item* link = nullptr;      // the linked request free_work returns
  class owner* own = nullptr;
  int id = 0;     // the owner's count
  int index = 0;  // wq_ops' item index: unique in the world (world::at)
  bool blocks = false;
  bool may_cancel = false;  // pre-cancelled, targeted by io_wq_cancel_cb, or linked from such
  bool released = false;    // owner only: io_done completed
  std::atomic<int> ran{0};
  std::atomic<int> cancelled{0};
  std::atomic<int> freed{0};
};

// name, how it prints.
// clang-format off
#define TSAN_PHASES(X) \
  X(setup, "setup")         \
  X(meet, "meet")           \
  X(submit, "submit")       \
  X(wait_work, "wait-work") \
  X(quiesce, "quiesce")     \
  X(drain, "drain")         \
  X(exiting, "exiting")     \
  X(done, "done")
// clang-format on
enum class phase : int {
#define TSAN_PHASE_ENUM(name, text) name,
  TSAN_PHASES(TSAN_PHASE_ENUM)
#undef TSAN_PHASE_ENUM
};
const char* to_string(phase p);

class owner {
 public:
  owner(world& w, int index);
  owner(const owner&) = delete;
  owner& operator=(const owner&) = delete;

  // On the owner's thread: become the task, create the wq (callers serialise creation).
  void start();
  // One burst of n requests (with io_run_task_work, releases and cancels in between).
  void submit_burst(int n);
  // Waits until every request submitted so far is over (the monitor reports a lost wakeup).
  bool wait_work();
  // Waits for the monitor's quiescent point, then checks the accounting invariants.
  bool quiesce_and_check();
  // v1/merged: the last ring goes away: exit-on-idle set, the pool must drain to zero.
  bool set_eoi_and_drain();
  // A ring is added: exit-on-idle cleared.
  void clear_eoi();
  // io_wq_set_exit_on_idle (a no-op for a variant without it, as 6.14 has none).
  void set_exit_on_idle(bool enable);
  // io_wq_exit_start + io_wq_put_and_exit in the order io_uring uses for the variant.
  bool exit_wq();
  // io_wq_put_and_exit (with in_put_and_exit set for the monitor while it waits).
  void put_and_exit();
  // Exactly once for every request; all_ran: no request was cancelled unless it may be.
  bool check_items(bool all_ran);
  // Completes the I/O of every blocking request still waiting for it.
  void release_all();
  // One request with these IO_WQ_WORK_* flags (hash_key > 0: hashed), queued now.
  item* submit_one(unsigned flags, int hash_key = 0);

  // Read by the monitor (relaxed: no ordering with the workers).
  std::atomic<int> ph{static_cast<int>(phase::setup)};
  std::atomic<int> outstanding{0};
  std::atomic<int> unreleased{0};
  std::atomic<long> quiet_seen{0};
  std::atomic<bool> in_put_and_exit{false};
  std::atomic<kern::task_struct*> task_pub{nullptr};  // task and wq, published for the monitor
  std::atomic<void*> wq_pub{nullptr};

  const iowq::wq_ops& ops;  // the variant's implementation
  kern::task_struct* task = nullptr;
  void* wq = nullptr;  // the wq_ops handle
  int index;
  bool eoi = false;     // owner only
  bool exited = false;  // io_wq_put_and_exit returned
  int submitted = 0;
  // What the run exercised (owner only; read after the owner's thread was joined).
  struct counters {
    int quiescent = 0;        // quiescent points checked
    int drains = 0;           // exit-on-idle drains that had workers to drain
    int drained_workers = 0;  // workers that left on exit-on-idle in those
    long max_drain_us = 0;    // the longest of those drains (set to zero threads)
    int threads = 0;          // worker threads started by the wq (at exit)
    int blocking = 0, linked = 0, hashed = 0, unbound = 0, cancel_calls = 0;
  } stats;

  // Drained: no worker thread left and every worker reference put (peek_quiet: the monitor
  // calls it too).
  bool drained_peek() const;

  // The owner's wait (as io_cqring_wait): until pred() holds, running task_work and, with
  // run_device, completing blocking I/O; false when the run stops or the deadline passes.
  bool wait_until(phase p, const std::function<bool()>& pred, bool run_device);

  world& w_;

 private:
  friend class world;
  item* new_item(unsigned flags, int hash_key);
  // A request of the plan's mix (and its linked request, with allow_link), not yet queued.
  item* new_random_item(bool allow_link);
  void enqueue(item* it);
  void maybe_release_some();
  void maybe_cancel();
  iowq::wq_view locked_view();

  std::deque<std::unique_ptr<item>> items_;
  std::vector<item*> blocking_;  // not yet released
};

// A run: the native backend's run, the owners on their threads, the monitor on the caller.
class world {
 public:
  explicit world(const plan& p);
  ~world();
  world(const world&) = delete;
  world& operator=(const world&) = delete;

  // Runs `body(owner&)` on each owner's thread (after start()), monitors until all are done,
  // and ends the native run. Returns false on failure (see failure()).
  bool run(const std::function<void(owner&)>& body);

  // Records the first failure and stops the run.
  void fail(fail_kind k, std::string message);
  bool stopped() const { return stop_.load(); }
  fail_kind failure_kind() const;
  std::string failure_message() const;

  const plan& p() const { return plan_; }
  // Every owner arrives; the last one runs decide() (if any), whose result all of them get.
  // Owners wait as in wait_until (task_work runs meanwhile). False if the run stopped.
  bool meet(owner& o, const std::function<bool()>& decide);
  bool time_left() const;
  int rounds_done = 0;  // owner 0 counts rounds

  // Monitor -> owners: quiescent points granted so far.
  std::atomic<long> quiet_epoch{0};
  std::vector<std::unique_ptr<owner>> owners;

  // The item with wq_ops index `index` (the callbacks of wq_ops speak in indices). Owner i makes
  // indices i, i + owners, i + 2 * owners, ...: each slot is written once, by its owner, before
  // the item is enqueued; the table never grows.
  item* at(int index) const { return items_[static_cast<std::size_t>(index)]; }
  // Whether every owner has room for another round of the plan's bursts.
  bool room_for_round() const;
  int capacity() const { return plan_.owners * plan_.max_items; }

 private:
  void monitor(std::atomic<int>& done);
  bool stuck_check(std::string& why, fail_kind& kind, bool& quiet);
  plan plan_;
  std::atomic<bool> stop_{false};
  mutable std::mutex fail_mutex_;
  fail_kind kind_ = fail_kind::none;
  std::string message_;
  std::mutex meet_mutex_;
  int meet_parties_ = 0;
  int meet_arrived_ = 0;
  long meet_gen_ = 0;
  bool meet_result_ = true;
  std::mutex create_mutex_;
  void* hash_ = nullptr;  // the ring's ctx->hash_map, shared by the owners' wqs (wq_ops::hash_alloc)
  std::chrono::steady_clock::time_point start_;
  std::unique_ptr<item*[]> items_;  // by wq_ops index
  friend class owner;
};

// A snapshot of the wq (wq_ops::peek) under the locks that guard nr_workers and the worker lists
// (wq_ops::accounting_locks: 6.14's wq->lock, 6.19's two acct->workers_lock): exact, and ordered
// for TSan after the last writer (every worker takes one of them between its last touch of its
// acct's work list and its sleep or exit). For the owner's checks.
iowq::wq_view view_locked(const iowq::wq_ops& ops, void* wq);
// The same snapshot for the monitor: under the same locks (so exact), but with TSan told to
// ignore this thread's synchronisation and accesses meanwhile, so that the monitor adds no
// happens-before edge between the threads under test (none that could hide a race).
iowq::wq_view peek_quiet(const iowq::wq_ops& ops, void* wq);
std::string format_view(const iowq::wq_view& v);
// SIGKILL to every worker on the wq's worker lists (a group exit's zap_other_threads). The one
// place the harness knows the ports' structs: a new port adds its list walk here.
void kill_io_threads_of(const iowq::wq_ops& ops, void* wq);

// The standard stress round used by the stress tests and the mutant children: burst, wait,
// quiescent check, and (v1/merged, by chance) exit-on-idle with drain, then exit at the end.
void stress_body(owner& o);

// Runs the plan with stress_body; returns the failure kind (none on success) and prints a summary.
fail_kind run_stress(const plan& p, std::string* message = nullptr);

std::uint64_t now_us();

// A uniform choice in [0, n), and true with the given percent chance (the run's seeded random).
int rnd(int n);
bool chance(int percent);

// The world whose items the wq_ops callbacks (owner.cpp) look up: set by world::run before its
// first thread starts.
void set_current_world(world* w);

}  // namespace tsan
