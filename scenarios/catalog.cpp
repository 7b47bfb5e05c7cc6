// The scenarios. Each is small enough to explore exhaustively with DPOR; its bounds are in
// scenario::bounds() and its known answers (where a variant is not verified) in `findings`,
// explained in README's findings section.
#include "scenario.h"

namespace iowq::scn {

namespace {

using P = prop;

std::vector<scenario> build() {
  std::vector<scenario> v;

  {
    scenario s;
    s.name = "idle-then-eoi";
    s.summary = "one work runs, its worker goes idle, then the task's last ring goes away";
    s.props = {P::accounting, P::lost_wakeup, P::pool_zero};
    s.works = {work_spec{}};
    s.owner = [](world& w) {
      w.enqueue(0);
      w.wait_done(1);
      w.ring_removed();
    };
    v.push_back(std::move(s));
  }
  {
    scenario s;
    s.name = "eoi-during-work";
    s.summary = "the last ring goes away while the worker sleeps inside a long work item";
    s.props = {P::accounting, P::lost_wakeup, P::pool_zero};
    s.works = {work_spec{.blocks = true}};
    s.owner = [](world& w) {
      w.enqueue(0);
      w.ring_removed();
      w.release(0);
      w.wait_done(1);
    };
    v.push_back(std::move(s));
  }
  {
    scenario s;
    s.name = "set-clear-enqueue";
    s.summary = "the last ring goes away, a new ring arrives and punts work at once";
    s.props = {P::accounting, P::lost_wakeup};
    s.works = {work_spec{}, work_spec{}};
    // DPOR over all interleavings: 628,115 executions for upstream-fixed, over 40 million (and
    // minutes) for v1 after its lost wakeup; the report bounds it like the tests
    // (`iowq-verify check --scenario set-clear-enqueue --search dpor` for the full search).
    s.preemption_bound = 3;
    s.owner = [](world& w) {
      w.enqueue(0);
      w.wait_done(1);
      w.ring_removed();
      w.ring_added();
      w.enqueue(1);
      w.wait_done(2);
    };
    v.push_back(std::move(s));
  }
  {
    scenario s;
    s.name = "bound-and-unbound";
    s.summary = "a bound and an unbound work, one worker each, then the last ring goes away";
    s.props = {P::accounting, P::lost_wakeup, P::pool_zero};
    s.works = {work_spec{}, work_spec{.unbound = true}};
    s.preemption_bound = 2;
    s.test_preemption_bound = 2;
    s.owner = [](world& w) {
      w.enqueue(0);
      w.enqueue(1);
      w.wait_done(2);
      w.ring_removed();
    };
    v.push_back(std::move(s));
  }
  {
    scenario s;
    s.name = "hashed-stall";
    s.summary = "two works on one hash, the first long: a second worker may stall on the hash; the ring goes away";
    s.props = {P::accounting, P::lost_wakeup, P::pool_zero};
    s.bounded_max = 2;
    s.works = {work_spec{.hash_key = 1, .blocks = true}, work_spec{.hash_key = 1}};
    s.preemption_bound = 2;
    s.test_preemption_bound = 2;
    s.owner = [](world& w) {
      w.enqueue(0);
      w.enqueue(1);
      w.ring_removed();
      w.release(0);
      w.wait_done(2);
    };
    v.push_back(std::move(s));
  }
  {
    scenario s;
    s.name = "creation-fails";
    s.summary = "creating the first worker may fail (-ENOMEM): the work is cancelled, accounting undone";
    s.props = {P::accounting, P::lost_wakeup, P::pool_zero};
    s.create_error = -ENOMEM;
    s.works = {work_spec{}};
    s.owner = [](world& w) {
      w.enqueue(0);
      w.wait_done(1);
      w.ring_removed();
    };
    v.push_back(std::move(s));
  }
  {
    scenario s;
    s.name = "eoi-and-exit";
    s.summary = "work queued, then the task exits: exit_start, exit-on-idle, put_and_exit";
    s.props = {P::accounting, P::lost_wakeup, P::exit_hang};
    s.works = {work_spec{}};
    s.owner = [](world& w) {
      w.enqueue(0);
      w.task_exit();
    };
    v.push_back(std::move(s));
  }
  {
    scenario s;
    s.name = "blocking-work";
    s.summary = "the worker blocks in a work item; the sleeping hook creates a second worker for queued work";
    s.props = {P::accounting, P::lost_wakeup, P::pool_zero};
    s.bounded_max = 2;
    s.works = {work_spec{.blocks = true}, work_spec{}};
    s.preemption_bound = 2;
    s.test_preemption_bound = 2;
    s.owner = [](world& w) {
      w.enqueue(0);
      w.enqueue(1);
      w.wait_done(1);
      w.release(0);
      w.wait_done(2);
      w.ring_removed();
    };
    v.push_back(std::move(s));
  }
  {
    scenario s;
    s.name = "eoi-blocked-creation";
    s.summary = "the worker blocks in a work item with more work queued, then the last ring goes away";
    s.props = {P::accounting, P::lost_wakeup, P::pool_zero};
    s.bounded_max = 2;
    s.works = {work_spec{.blocks = true}, work_spec{}};
    s.preemption_bound = 2;
    s.test_preemption_bound = 2;
    s.owner = [](world& w) {
      w.enqueue(0);
      w.enqueue(1);
      w.ring_removed();
      w.release(0);
      w.wait_done(2);
    };
    v.push_back(std::move(s));
  }
  {
    scenario s;
    s.name = "stall-then-enqueue";
    s.summary = "a worker stalls on a busy hash, then unhashed work arrives that the hashed work waits for";
    s.props = {P::accounting, P::lost_wakeup};
    s.bounded_max = 2;
    s.preemption_bound = 2;
    s.test_preemption_bound = 2;
    s.works = {work_spec{.hash_key = 1, .blocks = true}, work_spec{.hash_key = 1}, work_spec{}};
    s.owner = [](world& w) {
      w.enqueue(0);
      w.enqueue(1);
      w.enqueue(2);
      w.wait_done(1);
      w.release(0);
      w.wait_done(3);
    };
    v.push_back(std::move(s));
  }
  {
    scenario s;
    s.name = "exit-while-blocked";
    s.summary = "the task exits while its worker sleeps in a work item with more work queued";
    s.props = {P::accounting, P::lost_wakeup, P::exit_hang};
    s.bounded_max = 2;
    s.preemption_bound = 2;
    s.test_preemption_bound = 2;
    s.works = {work_spec{.blocks = true}, work_spec{}};
    s.owner = [](world& w) {
      w.enqueue(0);
      w.enqueue(1);
      w.task_exit();
    };
    v.push_back(std::move(s));
  }
  {
    scenario s;
    s.name = "eoi-then-concurrent-work";
    s.summary = "io-wq API: exit-on-idle set while a CONCURRENT work runs, then more CONCURRENT work queued";
    s.props = {P::accounting, P::lost_wakeup, P::pool_zero};
    s.works = {work_spec{.blocks = true, .concurrent = true}, work_spec{.concurrent = true}};
    // DPOR over all interleavings takes about 2 min per variant (2.66 M executions for
    // upstream-fixed), 9x that for the report's matrix: the report bounds it like the tests, and
    // `iowq-verify check --scenario eoi-then-concurrent-work --search dpor` runs the full search.
    s.preemption_bound = 3;
    s.owner = [](world& w) {
      w.enqueue(0);
      w.set_exit_on_idle(true);
      w.enqueue(1);
      w.release(0);
      w.wait_done(2);
    };
    v.push_back(std::move(s));
  }
  {
    scenario s;
    s.name = "eoi-concurrent-two-workers";
    s.summary =
        "io-wq API: a CONCURRENT work runs until exit-on-idle is set, then another CONCURRENT work "
        "arrives; room for two workers (SPIN's eoiconc)";
    s.props = {P::accounting, P::lost_wakeup, P::pool_zero};
    s.works = {work_spec{.blocks = true, .concurrent = true}, work_spec{.concurrent = true}};
    s.bounded_max = 2;
    s.preemption_bound = 2;
    s.test_preemption_bound = 2;
    s.owner = [](world& w) {
      w.enqueue(0);
      w.set_exit_on_idle(true);
      w.release(0);
      w.enqueue(1);
      w.wait_done(2);
    };
    v.push_back(std::move(s));
  }
  {
    scenario s;
    s.name = "enqueue-during-exit";
    s.summary = "io-wq API: a request punted after io_wq_exit_start (as task_work run during exit could)";
    s.props = {P::accounting, P::lost_wakeup, P::exit_hang};
    s.works = {work_spec{}, work_spec{}};
    s.owner = [](world& w) {
      w.enqueue(0);
      w.exit_start();
      w.enqueue(1);
      w.set_exit_on_idle(true);
      w.put_and_exit();
    };
    v.push_back(std::move(s));
  }
  {
    scenario s;
    s.name = "linked-at-exit";
    s.summary = "a work whose completion punts a linked work while the task exits";
    s.props = {P::accounting, P::lost_wakeup, P::exit_hang};
    s.works = {work_spec{.linked = 1}, work_spec{}};
    s.owner = [](world& w) {
      w.enqueue(0);
      w.task_exit();
    };
    v.push_back(std::move(s));
  }
  {
    scenario s;
    s.name = "cancel-queued";
    s.summary = "a queued work is cancelled while a worker may be picking it up";
    s.props = {P::accounting, P::lost_wakeup, P::pool_zero};
    s.works = {work_spec{}};
    s.owner = [](world& w) {
      w.enqueue(0);
      w.cancel(0);
      w.wait_done(1);
      w.ring_removed();
    };
    v.push_back(std::move(s));
  }

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
        "eoi-blocked-creation", "cancel-queued", "eoi-then-concurrent-work", "eoi-concurrent-two-workers"})
    finding(name, {base}, none, "pool-zero", lingering);
  const char* f3 = "F3: the exit wake is absorbed by io_run_task_work; without a timeout the worker sleeps on";
  for (const char* name : {"eoi-and-exit", "linked-at-exit", "enqueue-during-exit"})
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

  // The 6.19 port (docs/findings.md): each fix variant clears its own finding and keeps the others.
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
      {"eoi_no_dec", variant::v1, "idle-then-eoi", "accounting", -1},
      {"eoi_dec_unlocked", variant::v1, "blocking-work", "race", -1},
      {"eoi_no_wake", variant::v1, "idle-then-eoi", "pool-zero", -1},
      {"eoi_after_idle", variant::v1, "eoi-concurrent-two-workers", "lost-wakeup", -1},
      {"wake_no_running", variant::baseline, "blocking-work", "lost-wakeup", -1},
      {"hist_nr_workers_unlocked", variant::v1, "set-clear-enqueue", "race", -1},
      {"hist_state_after_check", variant::baseline, "set-clear-enqueue", "lost-wakeup", -1},
      {"hist_stall_after_unlock", variant::baseline, "stall-then-enqueue", "lost-wakeup", 3},
      {"hist_enqueue_no_cancel_on_exit", variant::baseline, "enqueue-during-exit", "lost-wakeup", -1},
      {"dec_running_no_recheck", variant::baseline, "blocking-work", "lost-wakeup", -1},
      {"exit_no_ref_put", variant::v1, "eoi-and-exit", "exit-hang", -1},
      {"exit_kfree_no_rcu", variant::baseline, "eoi-and-exit", "uaf", -1},
      {"enqueue_no_rcu_lock", variant::v1, "set-clear-enqueue", "uaf", -1},
      {"busy_unlocked_del", variant::baseline, "bound-and-unbound", "race", -1},
  };
  return k;
}

const std::vector<scenario>& all() {
  static const std::vector<scenario> s = build();
  return s;
}

const scenario* find(const std::string& name) {
  for (const auto& s : all())
    if (s.name == name) return &s;
  return nullptr;
}

}  // namespace iowq::scn
