// The scenarios. Each is small enough to explore exhaustively with DPOR; its bounds are in
// scenario::bounds() and its known answers (where a variant is not verified) in `findings`,
// explained in README's findings section.
#include "generate.h"
#include "scenario.h"
#include "triage.h"

namespace iowq::scn {

namespace {

using P = prop;

std::vector<scenario> build() {
  std::vector<scenario> v;
  auto add = [&v](const char* name, const char* summary, std::vector<prop> props, std::vector<work_spec> works,
                  const char* owner) -> scenario& {
    scenario& s = v.emplace_back();
    s.name = name;
    s.summary = summary;
    s.props = std::move(props);
    s.works = std::move(works);
    s.owner = parse_owner(owner);
    return s;
  };
  // Room for two workers (two accts, or bounded_max 2): every schedule of at most 2 preemptions,
  // in the report and in the tests.
  auto two_workers = [](scenario& s, unsigned bounded_max) {
    s.bounded_max = bounded_max;
    s.preemption_bound = 2;
    s.test_preemption_bound = 2;
  };
  // The report searches these scenarios, whose full search does not finish in its time, with at
  // most 3 preemptions: every variant's search fits in under a minute of one core (bench/README.md,
  // "Report bounds"). The tests keep 2.
  auto three_in_report = [](scenario& s) { s.preemption_bound = 3; };
  const std::vector<prop> all = {P::accounting, P::lost_wakeup, P::pool_zero};
  const std::vector<prop> at_exit = {P::accounting, P::lost_wakeup, P::exit_hang};
  const work_spec plain{}, blocking{.blocks = true};

  add("idle-then-eoi", "one work runs, its worker goes idle, then the task's last ring goes away", all, {plain},
      "punt 0; wait 1; ring-remove");
  add("eoi-during-work", "io-wq API: the last ring goes away while the worker sleeps inside a long work item", all,
      {blocking}, "punt 0; ring-remove; release 0; wait 1");
  // DPOR over all interleavings in the report: 628,115 executions for upstream-fixed, 2,346,687
  // (about a minute and a half) for v1's accounting after its lost wakeup (bench/README.md).
  add("set-clear-enqueue", "the last ring goes away, a new ring arrives and punts work at once",
      {P::accounting, P::lost_wakeup}, {plain, plain}, "punt 0; wait 1; ring-remove; ring-add; punt 1; wait 2");
  two_workers(add("bound-and-unbound", "a bound and an unbound work, one worker each, then the last ring goes away",
                  all, {plain, work_spec{.unbound = true}}, "punt 0; punt 1; wait 2; ring-remove"),
              1);
  two_workers(
      add("hashed-stall",
          "io-wq API: two works on one hash, the first long: a second worker may stall on the hash; the ring goes away",
          all, {work_spec{.hash_key = 1, .blocks = true}, work_spec{.hash_key = 1}},
          "punt 0; punt 1; ring-remove; release 0; wait 2"),
      2);
  three_in_report(v.back());
  add("creation-fails", "creating the first worker may fail (-ENOMEM): the work is cancelled, accounting undone", all,
      {plain}, "punt 0; wait 1; ring-remove")
      .create_error = -ENOMEM;
  add("eoi-and-exit", "io-wq API: work queued, then the task exits: exit_start, exit-on-idle, put_and_exit", at_exit,
      {plain}, "punt 0; exit");
  two_workers(add("blocking-work",
                  "the worker blocks in a work item; the sleeping hook creates a second worker for queued work", all,
                  {blocking, plain}, "punt 0; punt 1; wait 1; release 0; wait 2; ring-remove"),
              2);
  two_workers(add("eoi-blocked-creation",
                  "io-wq API: the worker blocks in a work item with more work queued, then the last ring goes away",
                  all, {blocking, plain}, "punt 0; punt 1; ring-remove; release 0; wait 2"),
              2);
  three_in_report(v.back());
  two_workers(
      add("stall-then-enqueue",
          "a worker stalls on a busy hash, then unhashed work arrives that the hashed work waits for",
          {P::accounting, P::lost_wakeup}, {work_spec{.hash_key = 1, .blocks = true}, work_spec{.hash_key = 1}, plain},
          "punt 0; punt 1; punt 2; wait 1; release 0; wait 3"),
      2);
  two_workers(add("exit-while-blocked",
                  "io-wq API: the task exits while its worker sleeps in a work item with more work queued", at_exit,
                  {blocking, plain}, "punt 0; punt 1; exit"),
              2);
  three_in_report(v.back());
  // The report: DPOR over all interleavings (2,664,105 executions under upstream-fixed; under v1 the
  // expected lost wakeup comes at execution 3,053,834). Seven searches for the nine variants (merged
  // shares v1's, fix-tw-uaf and fix-hash-defer upstream's), about 350 CPU-seconds. The tests: at most
  // 3 preemptions.
  add("eoi-then-concurrent-work",
      "io-wq API: exit-on-idle set while a CONCURRENT work runs, then more CONCURRENT work queued", all,
      {work_spec{.blocks = true, .concurrent = true}, work_spec{.concurrent = true}},
      "punt 0; api:set-eoi; punt 1; release 0; wait 2")
      .test_preemption_bound = 3;
  two_workers(add("eoi-concurrent-two-workers",
                  "io-wq API: a CONCURRENT work runs until exit-on-idle is set, then another CONCURRENT work "
                  "arrives; room for two workers (SPIN's eoiconc)",
                  all, {work_spec{.blocks = true, .concurrent = true}, work_spec{.concurrent = true}},
                  "punt 0; api:set-eoi; release 0; punt 1; wait 2"),
              2);
  three_in_report(v.back());
  add("enqueue-during-exit", "io-wq API: a request punted after io_wq_exit_start (as task_work run during exit could)",
      at_exit, {plain, plain}, "punt 0; api:exit-start; punt 1; api:set-eoi; api:put-and-exit");
  add("linked-at-exit", "io-wq API: a work whose completion punts a linked work while the task exits", at_exit,
      {work_spec{.linked = 1}, plain}, "punt 0; exit");
  // io_uring's own ring exit (ring-exit): exit-on-idle only once the ring's requests completed,
  // from io_tctx_exit_cb in the owner's task_work. The faithful forms of eoi-during-work and
  // eoi-blocked-creation.
  {
    // All interleavings (DPOR): over 6.4 M executions, not finished in 100 s; at most 2 preemptions.
    scenario& s = add("ring-exit-during-work",
                      "the last ring is closed while the worker sleeps in a long work item; exit-on-idle once it "
                      "completed",
                      all, {blocking}, "punt 0; ring-exit; release 0; wait 1");
    s.preemption_bound = s.test_preemption_bound = 2;
  }
  two_workers(add("ring-exit-blocked-creation",
                  "the worker blocks in a work item with more work queued, the last ring is closed; exit-on-idle "
                  "once both completed",
                  all, {blocking, plain}, "punt 0; punt 1; ring-exit; release 0; wait 2"),
              2);
  // F2's candidate trigger through io_uring (issue 12): idle timeouts on, a worker exits on its
  // timeout while its own request for a second worker (create_worker_cb) waits in the owner's task_work.
  {
    scenario& s = add("timeout-pending-create",
                      "the worker blocks with more work queued and asks the owner for a second worker; it may "
                      "time out idle before the owner runs that request; then the last ring is closed",
                      all, {blocking, plain}, "punt 0; punt 1; release 0; wait 2; ring-exit");
    two_workers(s, 2);
    s.timeouts = true;
  }
  // Idle timeouts on while work arrives: the only worker may time out (as the last worker, through
  // the exit_mask path) just as the owner punts its second request.
  {
    scenario& s = add("timeout-while-work-arrives",
                      "the only worker may time out idle and exit just as a second request is punted; then the last "
                      "ring goes",
                      all, {plain, plain}, "punt 0; wait 1; punt 1; wait 2; ring-exit");
    s.timeouts = true;
    s.preemption_bound = s.test_preemption_bound = 2;
  }
  // The task's exits as io_uring does them (issue 12). do_exit (thread-exit) cancels nothing and
  // waits for no untracked request; exec waits for every request; exit_group first kills the io
  // workers. The faithful forms of eoi-and-exit, linked-at-exit and exit-while-blocked.
  add("exec-after-work",
      "work queued, then the task execs: exit_start, its work cancelled, its requests completed, exit-on-idle, "
      "put_and_exit",
      at_exit, {plain}, "punt 0; exec");
  add("exec-linked", "a work whose completion punts a linked work, then the task execs (waiting for both)", at_exit,
      {work_spec{.linked = 1}, plain}, "punt 0; exec");
  add("thread-exit-in-flight",
      "the thread exits (do_exit) with its request possibly in flight: exit_start, exit-on-idle, put_and_exit, "
      "nothing cancelled or waited for",
      at_exit, {plain}, "punt 0; thread-exit");
  add("thread-exit-linked",
      "the thread exits while a work whose completion punts a linked work may run: the link is punted during "
      "the exit",
      at_exit, {work_spec{.linked = 1}, plain}, "punt 0; thread-exit");
  // A request that blocks until something outside the task acts (a pipe read) is unbound
  // (io_prep_async_work: unbound_nonreg_file), and io-wq cancels unbound work it picks up once
  // IO_WQ_BIT_EXIT is set; bound work (regular files) completes on its own.
  auto exit_while_blocked = [&](const char* name, const char* summary, const char* owner) {
    scenario& s =
        add(name, summary, at_exit, {work_spec{.unbound = true, .blocks = true}, work_spec{.unbound = true}}, owner);
    s.rlimit_nproc = 2;
    s.preemption_bound = s.test_preemption_bound = 2;
    three_in_report(s);
  };
  exit_while_blocked("thread-exit-while-blocked",
                     "the thread exits while its worker sleeps in a pipe read (unbound) with more work queued",
                     "punt 0; punt 1; thread-exit");
  // F4 needs a grace period to end while the exiting task, holding no rcu_read_lock(), is between
  // two statements of io_wq_cancel_tw_create(): only preemptible RCU allows that.
  exit_while_blocked("thread-exit-while-blocked-rcu-nopreempt",
                     "thread-exit-while-blocked on a kernel without preemptible RCU (no grace period ends while a "
                     "task is in a non-sleeping kernel stretch)",
                     "punt 0; punt 1; thread-exit");
  v.back().rcu = chk::rcu_flavour::non_preemptible;
  // A bound request that blocks until another task acts (an IOSQE_ASYNC openat of a FIFO that no
  // writer has opened): io-wq never cancels bound work at exit, only signals its worker.
  {
    scenario& s = add("thread-exit-bound-blocked",
                      "the thread exits while its worker sleeps in a bound request (an openat of a FIFO) with more "
                      "work queued; non-preemptible RCU",
                      at_exit, {blocking, plain}, "punt 0; punt 1; thread-exit");
    two_workers(s, 2);
    three_in_report(s);
    s.rcu = chk::rcu_flavour::non_preemptible;
  }
  exit_while_blocked("exit-group-while-blocked",
                     "exit_group: the io workers are killed (SIGKILL) while one sleeps in a pipe read (unbound) with "
                     "more work queued, then the thread exits",
                     "punt 0; punt 1; exit-group");
  // Cancelling work that may be running (IORING_OP_ASYNC_CANCEL): the answer is checked against
  // what becomes of the work.
  add("cancel-running", "a blocking work is cancelled while it may be queued, starting or running",
      {P::accounting, P::lost_wakeup}, {blocking}, "punt 0; cancel 0; wait 1");
  // The creation retry path: create_io_thread fails with -EAGAIN; create_worker_cont retries from
  // a kworker (queue_create_worker_retry), up to init_retries.
  add("creation-retry", "creating the first worker may fail with -EAGAIN and be retried; then the last ring goes", all,
      {plain}, "punt 0; wait 1; ring-exit");
  // The report: DPOR over all interleavings (1,978,471 executions under upstream, 34 s; 2,214,246
  // under v1; six searches for the nine variants, fix-wrap, fix-tw-uaf and fix-hash-defer sharing
  // upstream's, about 190 CPU-seconds). The tests: at most 2 preemptions.
  v.back().create_error = -EAGAIN;
  v.back().test_preemption_bound = 2;
  add("creation-retry-at-exit",
      "the first worker's creation may fail with -EAGAIN while the thread exits: the retry is cancelled or runs",
      at_exit, {plain}, "punt 0; thread-exit")
      .create_error = -EAGAIN;
  // The retry limit: -EAGAIN on the first creation and on every retry; after WORKER_INIT_LIMIT
  // retries io_should_retry_thread() gives up, and create_worker_cont() undoes the accounting and
  // cancels the queued work (the request completes with an error).
  add("creation-retries-exhausted",
      "the first worker's creation fails with -EAGAIN on every try until io-wq stops retrying; then the last "
      "ring goes",
      all, {plain}, "punt 0; wait 1; ring-exit");
  v.back().create_error = -EAGAIN;
  v.back().create_failures = 4;
  v.back().preemption_bound = v.back().test_preemption_bound = 2;
  // Idle timeouts on for a single worker: it may exit on its timeout as the last worker (the
  // exit_mask path), then work arrives or the last ring goes.
  {
    scenario& s = add("timeout-last-worker",
                      "the only worker may time out idle and exit through the exit_mask path; then the last ring "
                      "goes",
                      all, {plain}, "punt 0; wait 1; ring-exit");
    s.timeouts = true;
    s.test_preemption_bound = 2;  // the report: DPOR over all interleavings (302,453 executions, upstream-fixed)
  }
  add("cancel-queued", "a queued work is cancelled while a worker may be picking it up", all, {plain},
      "punt 0; cancel 0; wait 1; ring-remove");

  // The known answers that are not "verified", each explained in README's findings: a finding is
  // present in the variants listed and in the variants built on them (variant_info::from), except
  // those that carry the fix that fixes it.
  auto finding = [&v](const char* scenario, std::vector<variant> present_in, std::optional<fix> fixed_by,
                      const char* property, const char* why) {
    auto has = [&](variant x) {
      for (variant p : present_in)
        if (x == p || info(x).from == p) return !(fixed_by && has_fix(x, *fixed_by));
      return false;
    };
    for (auto& s : v)
      if (s.name == scenario)
        for (variant x : builtin_variants())
          if (has(x)) s.findings.push_back({to_string(x), property, why});
  };
  const auto none = std::nullopt;
  const variant base = variant::baseline, v1 = variant::v1, merged = variant::merged, up = variant::upstream;
  const char* lingering =
      "baseline has no exit-on-idle: the idle worker stays after the last ring is gone (the patch's motivation)";
  for (const char* name :
       {"idle-then-eoi", "eoi-during-work", "bound-and-unbound", "hashed-stall", "creation-fails", "blocking-work",
        "eoi-blocked-creation", "cancel-queued", "eoi-then-concurrent-work", "eoi-concurrent-two-workers",
        "ring-exit-during-work", "ring-exit-blocked-creation", "timeout-pending-create", "creation-retry",
        "timeout-last-worker", "timeout-while-work-arrives", "creation-retries-exhausted"})
    finding(name, {base}, none, "pool-zero", lingering);
  const char* f3 = "F3: the exit wake is absorbed by io_run_task_work; without a timeout the worker sleeps on";
  for (const char* name : {"eoi-and-exit", "linked-at-exit", "enqueue-during-exit", "exec-after-work", "exec-linked",
                           "thread-exit-in-flight", "thread-exit-linked", "creation-retry-at-exit"})
    finding(name, {base}, none, "exit-hang", f3);

  // The 6.14 port.
  finding("set-clear-enqueue", {v1, merged}, none, "lost-wakeup",
          "F1: work punted by a new ring while the last worker is leaving on idle is stranded");
  finding("eoi-blocked-creation", {v1, merged}, none, "accounting",
          "F2: cancelling the exiting worker's own create_worker_cb decrements nr_workers it never incremented");
  finding("eoi-blocked-creation", {v1, merged}, none, "pool-zero",
          "F2's consequence: nr_workers wrapped to UINT_MAX with no worker left");
  finding("exit-while-blocked", {base, v1, merged}, none, "uaf",
          "F4: io_wq_cancel_tw_create reads cb->func after io_worker_cancel_cb dropped the worker's reference");
  finding("eoi-concurrent-two-workers", {v1, merged}, none, "accounting",
          "F2: the first worker's create_worker_cb, queued when its work slept, is cancelled as it leaves on idle");
  finding("eoi-concurrent-two-workers", {v1, merged}, none, "pool-zero", "F2's consequence: nr_workers wrapped");
  finding("eoi-then-concurrent-work", {v1, merged}, none, "accounting",
          "F2: the worker's pending create_worker_cb is cancelled as it leaves on idle");
  finding("eoi-then-concurrent-work", {v1, merged}, none, "pool-zero", "F2's consequence: nr_workers wrapped");
  finding("eoi-then-concurrent-work", {v1, merged}, none, "lost-wakeup",
          "F1: work queued while the worker leaves on idle is stranded");
  finding("exit-while-blocked", {v1, merged}, none, "accounting",
          "F2 during teardown: the exit cancels the worker's create_worker_cb, then the worker leaves on idle");

  // F2 through io_uring (timeout-pending-create): the worker's idle timeout fires while its own
  // create_worker_cb still waits in the owner's task_work (the owner has not run it for the idle
  // timeout: stopped, or starved of CPU). Pre-existing: baseline has it too.
  const char* f2_timeout =
      "F2 through io_uring: the worker times out idle while its own create_worker_cb waits in the owner's "
      "task_work; io_worker_exit() cancels it and gives back an nr_workers slot it never took";
  finding("timeout-pending-create", {base, v1, merged}, none, "accounting", f2_timeout);
  finding("timeout-pending-create", {v1, merged}, none, "pool-zero",
          "F2's consequence: nr_workers wrapped to UINT_MAX, so the pool never reaches zero");

  // The idle-timeout form of F1: the last worker leaves on its timeout through the exit_mask path
  // (its CPU is no longer in wq->cpu_mask, e.g. after IORING_REGISTER_IOWQ_AFF) while the owner punts
  // its next request; the leaving worker is still counted in nr_running, and its own
  // io_wq_dec_running() cannot (6.14: io_worker_get() on a zero ref) or does not (6.19: no cur_work)
  // queue a creation. Pre-existing: baseline has it. And F2 through the timeout, as in
  // timeout-pending-create, on the 6.14 port.
  const char* f1_timeout =
      "F1 on the idle-timeout path: work punted while the last worker leaves on its timeout (exit_mask) is "
      "stranded";
  finding("timeout-while-work-arrives", {base, v1, merged}, none, "lost-wakeup", f1_timeout);
  finding("timeout-while-work-arrives", {up}, fix::strand, "lost-wakeup", f1_timeout);
  finding("timeout-while-work-arrives", {base, v1, merged}, none, "accounting", f2_timeout);
  finding("timeout-while-work-arrives", {v1, merged}, none, "pool-zero",
          "F2's consequence: nr_workers wrapped to UINT_MAX, so the pool never reaches zero");

  // The task's exits as io_uring does them. F6: io_wq_exit_workers() signals each worker once; a
  // worker that took a request before it saw IO_WQ_BIT_EXIT consumes that signal in
  // io_assign_current_work()'s io_run_task_work(), then the request blocks with nothing to end it
  // and io_wq_put_and_exit() waits for it. exit_group's SIGKILL is not consumed that way.
  const char* f6 =
      "F6: the exit's wake is consumed by io_assign_current_work()'s io_run_task_work() after the worker took the "
      "request without seeing IO_WQ_BIT_EXIT; the request then blocks unsignalled and io_wq_put_and_exit() waits";
  const char* f2_exit =
      "F2 during the exit: io_wq_cancel_tw_create() cancels the worker's create_worker_cb, then the worker leaves "
      "and gives back an nr_workers slot that callback never took";
  const char* f4 =
      "F4: io_wq_cancel_tw_create() reads cb->func after io_worker_cancel_cb() dropped the worker's reference";
  finding("thread-exit-while-blocked", {base}, none, "exit-hang",
          "F6 (or F3): the exit's wake is consumed by io_run_task_work(), before a blocking request (F6) or at the "
          "top of the idle loop (F3)");
  finding("thread-exit-while-blocked", {v1, merged}, none, "accounting", f2_exit);
  finding("thread-exit-while-blocked", {v1, merged}, none, "uaf", f4);
  finding("thread-exit-while-blocked", {up}, fix::wrap, "accounting", f2_exit);
  finding("thread-exit-while-blocked", {up}, fix::tw_uaf, "uaf", f4);
  // Where F4 does not stop the judging first.
  finding("thread-exit-while-blocked", {variant::upstream_fix_tw_uaf}, fix::exit_signal, "exit-hang", f6);
  finding("thread-exit-while-blocked-rcu-nopreempt", {base, v1, merged}, none, "exit-hang", f6);
  finding("thread-exit-while-blocked-rcu-nopreempt", {up}, fix::exit_signal, "exit-hang", f6);
  finding("thread-exit-while-blocked-rcu-nopreempt", {v1, merged}, none, "accounting", f2_exit);
  finding("thread-exit-while-blocked-rcu-nopreempt", {up}, fix::wrap, "accounting", f2_exit);
  finding("thread-exit-bound-blocked", {base, v1, merged}, none, "exit-hang", f6);
  finding("thread-exit-bound-blocked", {up}, fix::exit_signal, "exit-hang", f6);
  finding("thread-exit-bound-blocked", {v1, merged}, none, "accounting", f2_exit);
  finding("thread-exit-bound-blocked", {up}, fix::wrap, "accounting", f2_exit);
  finding("exit-group-while-blocked", {base, v1, merged}, none, "uaf", f4);
  finding("exit-group-while-blocked", {v1, merged}, none, "accounting", f2_exit);
  finding("exit-group-while-blocked", {up}, fix::tw_uaf, "uaf", f4);
  finding("exit-group-while-blocked", {up}, fix::wrap, "accounting", f2_exit);

  // The 6.19 port (docs/findings.md): each fix variant clears its own finding and keeps the others.
  finding("timeout-pending-create", {up}, fix::wrap, "accounting", f2_timeout);
  finding("timeout-pending-create", {up}, fix::wrap, "pool-zero",
          "F2's consequence: nr_workers wrapped to UINT_MAX, so the pool never reaches zero");
  finding("set-clear-enqueue", {up}, fix::strand, "lost-wakeup",
          "F1: the leaving worker is still counted in nr_running when the new ring's work is queued, and its "
          "io_wq_dec_running() returns early (no cur_work)");
  finding("eoi-blocked-creation", {up}, fix::wrap, "accounting",
          "F2: io_worker_exit() cancels its own create_worker_cb through io_worker_cancel_cb(), which gives back an "
          "nr_workers slot that callback never took");
  finding("eoi-blocked-creation", {up}, fix::wrap, "pool-zero",
          "F2's consequence: nr_workers wrapped to UINT_MAX with no worker left");
  finding("stall-then-enqueue", {up}, fix::hash_defer, "lost-wakeup",
          "F5: io_wq_hash_defer() sees the running chain's hash at the head and creates no worker for the unhashed "
          "work queued behind it");
  finding("exit-while-blocked", {up}, fix::wrap, "accounting",
          "F2 during teardown: io_wq_cancel_tw_create() cancels the worker's create_worker_cb, then the worker leaves");
  finding("exit-while-blocked", {up}, fix::tw_uaf, "uaf",
          "F4: io_wq_cancel_tw_create() reads cb->func after io_worker_cancel_cb() dropped the worker's reference");
  finding("eoi-concurrent-two-workers", {up}, fix::wrap, "accounting",
          "F2: the first worker's create_worker_cb is cancelled as it leaves on idle");
  finding("eoi-concurrent-two-workers", {up}, fix::wrap, "pool-zero", "F2's consequence: nr_workers wrapped");
  finding("eoi-then-concurrent-work", {up}, fix::wrap, "accounting",
          "F2: the worker's pending create_worker_cb is cancelled as it leaves on idle");
  finding("eoi-then-concurrent-work", {up}, fix::wrap, "pool-zero", "F2's consequence: nr_workers wrapped");
  finding("eoi-then-concurrent-work", {up}, fix::strand, "lost-wakeup",
          "F1: io_wq_create_worker() finds the pool full, counting a worker that already left its last queue check");
  return v;
}

}  // namespace

const std::vector<mutant_kill>& mutant_kills() {
  static const std::vector<mutant_kill> k = {
      {M::eoi_no_dec, variant::v1, "idle-then-eoi"},
      {M::eoi_dec_unlocked, variant::v1, "blocking-work"},
      {M::eoi_no_wake, variant::v1, "idle-then-eoi"},
      {M::eoi_after_idle, variant::v1, "eoi-concurrent-two-workers"},
      {M::wake_no_running, variant::baseline, "blocking-work"},
      {M::hist_nr_workers_unlocked, variant::upstream_fixed, "set-clear-enqueue"},
      {M::state_after_check, variant::baseline, "set-clear-enqueue"},
      {M::hist_stall_after_unlock, variant::baseline, "stall-then-enqueue", 3},
      {M::hist_enqueue_no_cancel_on_exit, variant::baseline, "enqueue-during-exit"},
      {M::dec_running_no_recheck, variant::baseline, "blocking-work"},
      {M::exit_no_ref_put, variant::v1, "eoi-and-exit"},
      {M::exit_kfree_no_rcu, variant::baseline, "eoi-and-exit"},
      {M::enqueue_no_rcu_lock, variant::v1, "set-clear-enqueue"},
      {M::busy_unlocked_del, variant::baseline, "bound-and-unbound"},
      {M::cancel_no_notify, variant::upstream_fixed, "cancel-running"},
      {M::cancel_pending_notfound, variant::baseline, "cancel-running"},
      // 71a85387546e's bug shows on the creation retry path: the retry's create_worker_cont is
      // queued as task_work after io_wq_exit_start, and nothing re-checks the exit.
      {M::hist_no_exit_recheck, variant::upstream_fixed, "creation-retry-at-exit"},
  };
  return k;
}

const mutant_kill* kill_of(M m) {
  for (const auto& k : mutant_kills())
    if (k.mutant == m) return &k;
  return nullptr;
}

const std::vector<unkilled_mutant>& unkilled_mutants() {
  static const std::vector<unkilled_mutant> u = {
      {M::create_cb_no_clear_state,
       "it strands work only in scenarios where v1 already strands the same work through F1, so no verdict "
       "changes (tried in the 16 scenarios before ring-exit, and in the exit and retry scenarios under "
       "upstream-fixed)"},
  };
  return u;
}

// The signatures (triage.h) of the known findings' counterexamples, as the catalog's scenarios and
// the generated ones show them. The test "the catalog's findings have known signatures" checks
// every finding row of the catalog against this table.
const std::vector<known_signature>& known_signatures() {
  const std::vector<std::string> v614 = {"baseline", "v1", "merged"};
  auto with = [](std::vector<std::string> a, std::initializer_list<const char*> b) {
    a.insert(a.end(), b.begin(), b.end());
    return a;
  };
  static const std::vector<known_signature> k = {
      {"baseline",
       "pool-zero",
       "io_wq_worker",
       {"baseline"},
       "baseline has no exit-on-idle: the idle worker stays after the last ring is gone (the patch's motivation)"},
      {"F1", "lost-wakeup", "io_worker_exit/stranded",
       with(v614, {"upstream", "upstream-fix-wrap", "upstream-fix-tw-uaf", "upstream-fix-hash-defer"}),
       "a worker leaving (on idle, exit-on-idle or its timeout) strands work queued meanwhile"},
      {"F2", "accounting", "io_worker_cancel_cb",
       with(v614, {"upstream", "upstream-fix-strand", "upstream-fix-tw-uaf", "upstream-fix-hash-defer"}),
       "cancelling a worker's own create_worker_cb gives back an nr_workers slot it never took"},
      {"F2",
       "accounting",
       "io_wq_worker",
       {"v1", "merged", "upstream", "upstream-fix-strand", "upstream-fix-tw-uaf", "upstream-fix-hash-defer"},
       "the worker leaving on exit-on-idle decrements nr_workers after its create_worker_cb was cancelled"},
      {"F2",
       "pool-zero",
       "io_worker_exit",
       {"v1", "merged", "upstream", "upstream-fix-strand", "upstream-fix-tw-uaf", "upstream-fix-hash-defer"},
       "F2's consequence: nr_workers wrapped, so the pool never reaches zero"},
      {"F3",
       "exit-hang",
       "io_wq_worker",
       {"baseline"},
       "the exit wake is absorbed by io_run_task_work; without a timeout the worker sleeps on"},
      {"F4", "uaf", "io_worker_exit",
       with(v614, {"upstream", "upstream-fix-strand", "upstream-fix-wrap", "upstream-fix-hash-defer"}),
       "io_wq_cancel_tw_create() reads cb->func after io_worker_cancel_cb() dropped the worker's reference"},
      {"F5",
       "lost-wakeup",
       "do_work/stranded",
       {"upstream", "upstream-fix-strand", "upstream-fix-wrap", "upstream-fix-tw-uaf"},
       "io_wq_hash_defer() creates no worker for unhashed work queued behind the running hashed chain"},
      {"F6", "exit-hang", "do_work",
       with(v614,
            {"upstream", "upstream-fix-strand", "upstream-fix-wrap", "upstream-fix-tw-uaf", "upstream-fix-hash-defer"}),
       "the exit's wake is consumed by io_assign_current_work()'s io_run_task_work(); the request blocks "
       "unsignalled"},
      {"F6", "exit-hang", "do_work/stranded",
       with(v614,
            {"upstream", "upstream-fix-strand", "upstream-fix-wrap", "upstream-fix-tw-uaf", "upstream-fix-hash-defer"}),
       "the exit's wake is consumed by io_assign_current_work()'s io_run_task_work(); the request blocks "
       "unsignalled, with more work queued behind it"},
      // Found by the generated scenarios (gen:punt:h1x.punt:h1x.cancel-all.wait); Debian's 6.12.118
      // has the fix (its io_wq_worker_cancel() also marks the worker's next_work chain).
      {"F7", "lost-wakeup", "do_work",
       with(v614, {"upstream", "upstream-fix-strand", "upstream-fix-wrap", "upstream-fix-tw-uaf",
                   "upstream-fix-hash-defer", "upstream-fixed"}),
       "io_wq_cancel_cb() cannot see hashed work a worker took off the list with its chain: cancel-all signals the "
       "running request only, and the next one in the chain runs (and blocks) afterwards"},
  };
  return k;
}

const std::vector<scenario>& all() {
  static const std::vector<scenario> s = build();
  return s;
}

const scenario* find(const std::string& name) {
  if (gen::is_generated(name)) return gen::intern(name);
  for (const auto& s : all())
    if (s.name == name) return &s;
  return nullptr;
}

}  // namespace iowq::scn
