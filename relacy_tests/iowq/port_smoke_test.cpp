// Smoke tests of the io-wq port under the checker: for each variant, the smallest useful
// scenario (one owner task, a bounded wq with max 1 worker, one work item) explored exhaustively
// with DPOR and timeouts off must be verified, with the work run exactly once; seeded mutants
// must be caught in the scenario that exposes them. Tests tagged [finding] pin behaviour of the
// faithful port that the scenario layer should look at (they pass when the port behaves so).
#include <catch2/catch.hpp>
#include <cstdio>
#include <memory>
#include <string>

#include "chk/api.h"
#include "chk/trace.h"
#include "model/io_wq.h"

namespace {

using namespace iowq;

// The io_uring side of the scenario: the owner task, its wq, one work item and what happened to it.
struct scenario_state {
  io_wq_hash* hash = nullptr;
  io_wq* wq = nullptr;
  kern::task_struct* owner = nullptr;
  io_wq_work work;
  io_wq_work work2;
  chk::atomic<int> ran{0, "work.ran"};
  chk::atomic<int> cancelled{0, "work.cancelled"};
};

thread_local scenario_state* S = nullptr;

// io_wq_submit_work's part: run or cancel the item, then wake the owner waiting for it.
void do_work(io_wq_work* w) {
  if (kern::atomic_read(&w->flags) & IO_WQ_WORK_CANCEL)
    S->cancelled.fetch_add(1);
  else
    S->ran.fetch_add(1);
  kern::wake_up_process(S->owner);
}

// Linked work is not used: freeing a request never yields another.
io_wq_work* free_work(io_wq_work*) { return nullptr; }

// The owner waits like io_cqring_wait: announce the sleep, check, run task_work (worker
// creation arrives as task_work on the owner), sleep.
void owner_wait_for_work(int n = 1) {
  for (;;) {
    kern::set_current_state(kern::TASK_INTERRUPTIBLE);
    if (S->ran.load() + S->cancelled.load() >= n) break;
    if (kern::io_run_task_work()) continue;
    kern::schedule();
  }
  kern::__set_current_state(kern::TASK_RUNNING);
}

enum class ending {
  exit_wq,        // io_wq_exit_start + io_wq_put_and_exit, as when the task's io_uring goes away
  kill_exit_wq,   // the same after the SIGKILL a group exit or exec sends to the io threads
  leave_idle,     // the owner is done; with exit-on-idle set the pool must drain by itself
  enqueue_again,  // after exit-on-idle is set, one more work item is queued and waited for
};

const char* to_string(ending e) {
  switch (e) {
    case ending::exit_wq:
      return "exit";
    case ending::kill_exit_wq:
      return "kill-exit";
    case ending::leave_idle:
      return "idle";
    case ending::enqueue_again:
      return "enqueue-again";
  }
  return "?";
}

struct smoke {
  std::shared_ptr<std::unique_ptr<scenario_state>> st = std::make_shared<std::unique_ptr<scenario_state>>();
  chk::program p;

  smoke(variant v, ending e) {
    p.name = std::string("smoke-") + to_string(v) + "-" + to_string(e);
    p.threads = 1;
    auto st_ = st;
    p.setup = [st_] {
      *st_ = std::make_unique<scenario_state>();
      S = st_->get();
    };
    p.thread = [v, e](int) {
      S->owner = kern::make_current_task("owner");
      S->hash = io_wq_hash_alloc();
      io_wq_data data;
      data.hash = S->hash;
      data.task = S->owner;
      data.do_work = do_work;
      data.free_work = free_work;
      S->wq = io_wq_create(1, &data);
      io_wq_work_init(&S->work, 0, 0);
      io_wq_enqueue(S->wq, &S->work);
      owner_wait_for_work();
      if (v != variant::baseline) io_wq_set_exit_on_idle(S->wq, true);
      if (e == ending::enqueue_again) {
        io_wq_work_init(&S->work2, 0, 1);
        io_wq_enqueue(S->wq, &S->work2);
        owner_wait_for_work(2);
        return;
      }
      if (e == ending::kill_exit_wq) kern::kill_io_threads();
      if (e != ending::leave_idle) {
        io_wq_exit_start(S->wq);
        io_wq_put_and_exit(S->wq);
        io_wq_put_hash(S->hash);
      }
    };
    p.finish = [v, e] {
      if (e == ending::enqueue_again) {
        chk::check(S->ran.peek() == 2, "both works ran exactly once");
        return;
      }
      chk::check(S->ran.peek() == 1, "the work ran exactly once");
      chk::check(S->cancelled.peek() == 0, "the work was not cancelled");
      const wq_view w = io_wq_peek(S->wq);
      if (e != ending::leave_idle) {
        chk::check(w.worker_done, "io_wq_exit_workers saw worker_done complete");
        chk::check(w.acct[IO_WQ_ACCT_BOUND].live_threads == 0 && w.acct[IO_WQ_ACCT_UNBOUND].live_threads == 0,
                   "every worker thread exited");
      } else if (v != variant::baseline) {
        if (w.acct[IO_WQ_ACCT_BOUND].nr_workers != 0)
          chk::violated("pool-zero", "bound acct->nr_workers != 0 at the end");
        if (w.acct[IO_WQ_ACCT_BOUND].live_threads != 0)
          chk::violated("pool-zero", "a bound worker thread is still alive at the end");
        chk::check(w.acct[IO_WQ_ACCT_BOUND].pending == 0, "no work left pending");
      }
    };
    p.teardown = [st_] {
      st_->reset();
      S = nullptr;
    };
  }
};

chk::result run(const chk::program& p, const config& c, chk::options o = {}) {
  configure(c);
  o.search = chk::search_kind::dpor;
  chk::result r = chk::explore(p, o);
  configure(config{});
  UNSCOPED_INFO(r.summary());
  if (r.fail && !r.fail->trace.empty()) UNSCOPED_INFO(chk::format_trace_list(r.fail->trace));
  std::printf("%s\n", r.summary().c_str());
  return r;
}

config with_variant(variant v) {
  config c;
  c.v = v;
  return c;
}

// The smoke program of variant `v` ending as `e` (with `c`'s mutants) is verified, the search complete.
void check_verified(variant v, ending e, config c = {}) {
  c.v = v;
  smoke s(v, e);
  chk::result r = run(s.p, c);
  CHECK(r.v == chk::verdict::verified);
  CHECK(r.st.complete);
}

// The smoke program of variant `v` ending as `e` (with `c`'s mutants) is violated: the failure.
chk::failure check_violated(variant v, ending e, config c = {}, chk::options o = {}) {
  c.v = v;
  smoke s(v, e);
  chk::result r = run(s.p, c, o);
  REQUIRE(r.v == chk::verdict::violated);
  REQUIRE(r.fail);
  return *r.fail;
}

}  // namespace

TEST_CASE("port smoke: baseline, one work item then group exit (SIGKILL, io_wq exit) is verified, work run once",
          "[iowq][port][baseline]") {
  check_verified(variant::baseline, ending::kill_exit_wq);
}

TEST_CASE("port smoke: baseline, one work item, the owner leaves the worker idle: verified", "[iowq][port][baseline]") {
  check_verified(variant::baseline, ending::leave_idle);
}

TEST_CASE("port finding: baseline 6.14 exit can wait out the idle timeout (EXIT wake absorbed by io_run_task_work)",
          "[iowq][port][baseline][finding]") {
  CHECK(check_violated(variant::baseline, ending::exit_wq).kind == chk::failure_kind::deadlock);
}

TEST_CASE("port smoke: v1, one work item, exit-on-idle then exit, is verified with the work run once",
          "[iowq][port][v1]") {
  check_verified(variant::v1, ending::exit_wq);
}

TEST_CASE("port smoke: merged, one work item, exit-on-idle then exit, is verified with the work run once",
          "[iowq][port][merged]") {
  check_verified(variant::merged, ending::exit_wq);
}

TEST_CASE("port smoke: v1 and merged, exit-on-idle alone drains the pool to zero", "[iowq][port][v1][merged]") {
  for (variant v : {variant::v1, variant::merged}) {
    smoke s(v, ending::leave_idle);
    chk::result r = run(s.p, with_variant(v));
    CHECK(r.v == chk::verdict::verified);
  }
}

TEST_CASE("port smoke: mutant eoi_no_wake leaves an idle worker behind (pool-zero)", "[iowq][port][mutant]") {
  CHECK(check_violated(variant::v1, ending::leave_idle, config{}.with(M::eoi_no_wake)).property == "pool-zero");
}

TEST_CASE("port smoke: mutant exit_no_ref_put hangs io_wq_put_and_exit (exit-hang)", "[iowq][port][mutant]") {
  CHECK(check_violated(variant::baseline, ending::exit_wq, config{}.with(M::exit_no_ref_put)).kind ==
        chk::failure_kind::deadlock);
}

TEST_CASE("port finding: v1 and merged strand work queued while the last worker exits on idle",
          "[iowq][port][v1][merged][finding]") {
  // The exiting worker has already done nr_workers-- but still counts in nr_running (or still sits
  // on the free list, so io_wq_activate_free_worker "activates" it); io_wq_enqueue then creates no
  // worker, and the exit's io_wq_dec_running cannot queue one because io_worker_get() fails on the
  // exiting worker's zero refcount. Baseline, where exit-on-idle does not exist, runs both works.
  chk::options o;
  o.time_limit_seconds = 60;
  for (variant v : {variant::v1, variant::merged}) {
    CHECK(check_violated(v, ending::enqueue_again, {}, o).kind == chk::failure_kind::deadlock);
  }
  smoke s(variant::baseline, ending::enqueue_again);
  chk::result r = run(s.p, with_variant(variant::baseline), o);
  CHECK(r.v != chk::verdict::violated);
}
