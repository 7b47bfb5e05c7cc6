// Scenarios: small closed programs that drive the io-wq port the way io_uring does, with the
// properties each one checks and the bounds it is explored within. Shared by the Catch2 tests
// (relacy_tests/iowq) and the iowq-verify command.
//
// A scenario is the owner task's script (create the wq, enqueue work, wait for completions, drive
// exit-on-idle as io_uring's tctx code does, exit), the work items it uses (bound, unbound, hashed,
// blocking inside do_work), the io-wq limits, whether worker creation may fail and whether idle
// timeouts may fire. All three exit-on-idle calls run on the owner task: clear when a ring is
// added (__io_uring_add_tctx_node), set when its last ring goes away (io_uring_del_tctx_node) and,
// during task exit, set between io_wq_exit_start and io_wq_put_and_exit (io_uring_clean_tctx).
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "chk/api.h"
#include "chk/replay.h"
#include "model/config.h"
#include "model/io_wq_api.h"
#include "model/wq_ops.h"

namespace iowq::scn {

// The properties (docs: README "Properties").
enum class prop : std::uint8_t {
  accounting,   // nr_workers exact, never wraps, never above max; nr_running and worker_refs at rest
  lost_wakeup,  // every queued work runs or is cancelled exactly once; nothing stranded at the end
  pool_zero,    // once the task's last ring is gone (exit-on-idle set), no worker and nr_workers == 0
  exit_hang,    // io_wq_put_and_exit returns: every worker exits and worker_done completes
};
const char* to_string(prop p);

struct work_spec {
  bool unbound = false;     // IO_WQ_WORK_UNBOUND
  int hash_key = 0;         // > 0: io_wq_hash_work with this key
  bool blocks = false;      // do_work sleeps (interruptibly) until the owner releases it
  int linked = -1;          // free_work returns this item (index) as the linked request
  bool concurrent = false;  // IO_WQ_WORK_CONCURRENT: io_wq_enqueue creates a worker even if one runs
};

struct world;

// What the owner task does, one action at a time, in io_uring's order:
//   punt N          io_queue_iowq of work item N
//   wait N          io_cqring_wait until N completions in all, running task_work meanwhile
//   release N       the device completes blocking item N's I/O
//   cancel N        io_wq_cancel_cb matching item N
//   cancel-all      IORING_OP_ASYNC_CANCEL with IORING_ASYNC_CANCEL_ANY: io_wq_cancel_cb matching every
//                   work of the task, cancel_all (a running one is signalled)
//   ring-add        __io_uring_add_tctx_node: io_wq_set_exit_on_idle(wq, false)
//   ring-remove     io_ring_exit_work cancels the ring's work, then the last tctx node goes:
//                   io_wq_set_exit_on_idle(wq, true), at once (io_uring's order only when the
//                   ring's requests have completed: see outside_io_uring)
//   ring-exit       the ring is closed as io_uring does it: io_ring_exit_work runs on a kworker,
//                   cancels the ring's work, waits for every request of the ring (ref_comp), then
//                   queues io_tctx_exit_cb on the owner (task_work, TWA_SIGNAL); the owner runs it
//                   with its other task_work, in detached LIFO batches (task_work_run), and it
//                   deletes the ring's tctx node, setting exit-on-idle when it was the last
//   exit            task exit that cancels the task's work but does not wait for it: io_wq_exit_start,
//                   cancel, then io_uring_clean_tctx (io_uring's order only when no request is in
//                   flight: do_exit does not cancel untracked requests, exec waits for them)
//   thread-exit     do_exit: io_uring_files_cancel, io_uring_cancel_generic(cancel_all = false):
//                   io_wq_exit_start; no tracked request is in flight (punted requests are not
//                   REQ_F_INFLIGHT), so nothing is cancelled, waited for or run as task_work; then
//                   io_uring_clean_tctx (the nodes deleted, exit-on-idle with the last,
//                   io_wq_put_and_exit). The last thread's exit, a non-last thread's exit and the
//                   tail of exit_group all take this path
//   exit-group      exit_group(): zap_other_threads sends SIGKILL to the task's io workers (they are
//                   threads of its group), then the owner's do_exit (thread-exit)
//   exec            execve: io_uring_task_cancel, io_uring_cancel_generic(cancel_all = true) before
//                   de_thread: io_wq_exit_start, cancel the task's work, wait until none of its
//                   requests is in flight, running its task_work meanwhile, then io_uring_clean_tctx.
//                   An SQPOLL thread's teardown (io_uring_cancel_generic(true, sqd)) has the same
//                   order as far as its io-wq can tell
// and the io-wq API called directly, not in an order io_uring produces (the io-wq API family):
//   api:set-eoi     io_wq_set_exit_on_idle(wq, true) without the ring's cancellation
//   api:exit-start  io_wq_exit_start alone
//   api:put-and-exit  io_wq_put_and_exit alone
struct action {
  enum class op : std::uint8_t {
    punt,
    wait,
    release,
    cancel,
    cancel_all,
    ring_add,
    ring_remove,
    ring_exit,
    exit,
    thread_exit,
    exit_group,
    exec,
    set_eoi,
    exit_start,
    put_and_exit
  };
  op k = op::punt;
  int n = 0;  // the item (punt, release, cancel) or the number of completions (wait)
};
// An owner program: actions separated by ';' ("punt 0; wait 1; ring-remove").
struct owner_program {
  std::vector<action> actions;
  std::string text() const;  // as parse_owner reads it
  bool uses_api() const;     // calls the io-wq API directly (api:...)
};

// Who can produce a scenario's calls: io_uring, or only a caller of the io-wq API in an order
// io_uring does not produce (the io-wq API contract).
enum class family : std::uint8_t { io_uring, io_wq_api };
// "io_uring" or "io-wq API": the name in results and replay labels.
const char* to_string(family f);
// "reachable through io_uring" or "io-wq API contract": how the report and list say it.
const char* describe(family f);
// Throws std::invalid_argument naming the bad action.
owner_program parse_owner(std::string_view text);

struct scenario {
  std::string name;
  std::string summary;
  std::vector<prop> props;
  std::vector<work_spec> works;
  unsigned bounded_max = 1;   // io_wq_create(bounded)
  unsigned rlimit_nproc = 1;  // the unbound acct's max_workers
  long create_error = 0;      // create_io_thread may fail with this error (a choice each time)
  int create_failures = 1;    // at most this many times per execution
  bool timeouts = false;      // idle timeouts may fire (at most max_timeouts per execution)
  // The kernel's RCU: preemptible (CONFIG_PREEMPT_RCU: a grace period may end while a task outside
  // rcu_read_lock() is preempted anywhere) or not (no grace period ends while any task is in a
  // non-sleeping kernel stretch). iowq-verify --rcu overrides it.
  chk::rcu_flavour rcu = chk::rcu_flavour::preemptible;
  int max_timeouts = 1;
  int max_steps = 20000;
  // -1: explored exhaustively with DPOR. k >= 0: too big for that within minutes, explored with
  // every schedule of at most k preemptions (preemption-bounded DFS), and the verdict says so.
  int preemption_bound = -1;
  // The bound for the quick search of the test suite (CI): single-worker scenarios at most 3
  // preemptions, two-worker ones at most 2. Every listed finding is found within it.
  int test_preemption_bound = 3;
  owner_program owner;
  // The answer per variant, when it is not "verified": the property a counterexample breaks.
  struct finding {
    std::string variant;
    std::string property;
    std::string why;  // one line; the README's findings section explains it in full
  };
  std::vector<finding> findings;

  std::string bounds() const;  // "bounded max 1, unbound max 1, 2 works (1 blocking), timeouts off"
  // The properties expected to be violated under `variant` (empty: every property verified).
  std::vector<std::string> expected_violations(const std::string& variant) const;
};

// Why the scenario's calls are not in an order io_uring produces, or empty when they are: it calls
// the io-wq API directly (api:...), or a ring goes away (ring-remove) or the task exits (exit) while
// requests it punted may still be in flight, where io_uring first waits for every request of the
// ring (io_ring_exit_work: ref_comp) or of the task (io_uring_cancel_generic: tctx_inflight).
std::string outside_io_uring(const scenario& s);
family family_of(const scenario& s);

const std::vector<scenario>& all();
const scenario* find(const std::string& name);

// The state of one execution, and the owner's actions.
struct world {
  struct item {
    void* work = nullptr;  // the implementation's own work object (wq_ops::make_work)
    int index = 0;
    work_spec spec;
    kern::atomic_cell<int> released{0, "work.released"};
    kern::atomic_cell<kern::task_struct*> sleeper{nullptr, "work.sleeper"};
    kern::plain<int> ran{0, "work.ran"};
    kern::plain<int> cancelled{0, "work.cancelled"};
    // A blocking work that stopped sleeping because its worker was signalled (not released).
    kern::plain<int> saw_signal{0, "work.saw_signal"};
    // What the owner's io_wq_cancel_cb for this item returned (cancel N), -1 when it made none.
    int cancel_result = -1;
    // The owner's io_wq_cancel_cb for this item cancelled it during the call (do_work ran with
    // the cancel flag on the owner, inside the call), whatever the call then answered.
    bool cancelled_by_its_call = false;
  };
  const scenario* sc = nullptr;
  variant v = variant::baseline;
  kern::task_struct* owner = nullptr;
  const wq_ops* ops = nullptr;  // the port the variant runs on
  void* wq = nullptr;           // the implementation's handle (wq_ops::create): its io_wq and hash
  std::vector<std::unique_ptr<item>> items;
  kern::atomic_t cqes;  // completions posted by do_work
  // What the owner is doing, for naming the property a deadlock breaks.
  const char* activity = "starting";
  bool destroyed = false;       // io_wq_put_and_exit returned
  bool last_ring_gone = false;  // ring_removed() with no ring_added() since
  int ring_nodes = 1;           // the owner's tctx nodes (rings it uses): ring-add and ring-exit
  std::vector<bool> punted;     // the items punted so far, and the linked items they punt
  std::vector<std::unique_ptr<kern::callback_head>> exit_works;  // io_tctx_exit_cb of each ring-exit
  // ctx->uring_lock, as far as the ring's exit and the task's exit contend for it: io_ring_exit_work
  // cancels the task's io-wq work only through the task's tctx node, under the lock
  // (io_uring_try_cancel_iowq walks ctx->tctx_list), and io_uring_clean_tctx deletes the nodes under
  // it before io_wq_put_and_exit. Taken only once a ring-exit's kworker exists.
  kern::raw_spinlock_t uring_lock;
  bool tctx_nodes_deleted = false;  // io_uring_clean_tctx deleted the task's nodes
  // tctx->in_cancel: the task is in io_uring_cancel_generic (every exit path), after which a ring's
  // io_tctx_exit_cb leaves the node to io_uring_clean_tctx (and after exec finds no tctx at all).
  bool in_cancel = false;
  bool checks_accounting = false;  // the accounting invariant runs at every release of wq->lock
  int cancelling = -1;             // the item the owner's cancel N is inside io_wq_cancel_cb for

  // The owner's actions (all on the owner task).
  void create();          // io_uring_alloc_task_context: hash and wq
  void enqueue(int i);    // io_queue_iowq
  void wait_done(int n);  // io_cqring_wait until n completions, running task_work meanwhile
  // Blocks the owner until n completions, running its task_work as it arrives (label: the trace's).
  void await_completions(int n, const char* label);
  int requests_punted() const;  // the items punted so far, with the linked ones they punt
  void release(int i);          // lets a blocking work item finish
  void ring_added();            // __io_uring_add_tctx_node: io_wq_set_exit_on_idle(wq, false)
  void ring_removed();          // io_ring_exit_work: cancel the ring's work; then the last node is
                                // deleted: io_wq_set_exit_on_idle(wq, true)
  void ring_exit();             // io_ring_ctx_wait_and_kill: io_ring_exit_work on a kworker, then
                                // io_tctx_exit_cb on the owner (see ring-exit above)
  void exec();                  // exec: io_uring_cancel_generic waiting for in-flight requests, then
                                // io_uring_clean_tctx
  void thread_exit();           // thread-exit: do_exit's io_uring_files_cancel (see above)
  void exit_group();            // exit-group: SIGKILL to the io workers, then thread-exit
  void task_exit();             // exit: exit_start, cancel, io_uring_clean_tctx without waiting
  void clean_tctx();            // io_uring_clean_tctx: nodes deleted (exit-on-idle), io_wq_put_and_exit
  void cancel(int i);           // io_wq_cancel_cb matching item i
  void cancel_all();            // io_wq_cancel_cb matching every item, cancel_all
  // io-wq's API used directly, not in io_uring's order (for the io-wq-level contract):
  void set_exit_on_idle(bool enable);  // io_wq_set_exit_on_idle without the ring's cancellation
  void exit_start();                   // io_wq_exit_start alone
  void put_and_exit();                 // io_wq_put_and_exit alone
  void idle_forever();                 // back in user space: runs task_work when signalled (a daemon)
  void run(const action& a);           // one action of the owner program
};

// A scenario as a checker program under one configuration (variant and mutants), checking the
// properties in `active` (all the scenario's properties when empty).
struct instance {
  chk::program p;
  std::unique_ptr<world> w;
  config cfg;
  std::vector<prop> active;
};
std::unique_ptr<instance> make(const scenario& s, const config& c, std::vector<prop> active = {});

// Exploration options for a scenario: the full search of the report (DPOR, or bounded for the
// two-worker scenarios), or with quick = true the preemption-bounded search of the test suite.
chk::options options_for(const scenario& s, bool quick = false);

// Runs a search: configures the port for `c` on this OS thread, explores, restores.
chk::result check(const scenario& s, const config& c, chk::options o, std::vector<prop> active = {});

// Every property of the scenario judged separately: a search with all of them; when one is
// violated its counterexample is kept and the search runs again without it, until the rest is
// verified (or a failure that is none of the scenario's properties, a race say, stops it). With
// `only` set (the scenario property a mutant must break), only that property is judged.
struct property_verdict {
  std::string property;  // a scenario property, or the checker's (race, uaf, deadlock, ...)
  chk::result r;
  std::vector<prop> active;  // the properties checked in that search (to replay it)
};
std::vector<property_verdict> check_properties(const scenario& s, const config& c, chk::options o,
                                               std::optional<prop> only = std::nullopt);

// The property a failure breaks: the one the scenario named (chk::violated), else from its kind
// (data-race -> race, use-after-free -> uaf, ...).
std::string violated_property(const chk::failure& f);

// Where each mutant of the port is killed: the property it names, broken in this scenario under
// this variant, which verifies the property without the mutant.
// The scenario and variant whose search kills a mutant: the mutated run violates the mutant's
// property (info(mutant).property), and the same search without the mutant does not.
struct mutant_kill {
  M mutant;
  variant v;
  const char* scenario;
  int preemption_bound = -1;  // -1: the scenario's quick bound
  const char* property() const { return info(mutant).property; }
  const char* name() const { return info(mutant).name; }
};
const std::vector<mutant_kill>& mutant_kills();
// The kill row of a mutant, or nullptr when it is declared unkilled.
const mutant_kill* kill_of(M m);

// A mutant no scenario kills, and why (every mutant is in exactly one of the two tables).
struct unkilled_mutant {
  M mutant;
  const char* reason;
};
const std::vector<unkilled_mutant>& unkilled_mutants();

// A replay file written by iowq-verify (labels scenario, variant, mutant, properties) re-executed
// on the scenario it names. Throws chk::replay_error with a one-line reason when the file is
// malformed, of another engine version, or names a scenario, variant, mutant or property that
// does not exist.
chk::replay_outcome replay(const chk::replay_file& f);

}  // namespace iowq::scn
