// Stress tests: the io-wq port, compiled unchanged on the native backend, on real threads under
// ThreadSanitizer (halt_on_error: any data race fails the test). Each test runs for a time budget
// (--soak SECONDS / IOWQ_TSAN_SOAK to run longer) with a seed printed for reruns.
//
// Known findings the correct-code tests are designed around (see harness.h/cpp and README.md):
//   F1 (v1, merged) work queued while a worker leaves on exit-on-idle can be stranded: exit-on-idle
//      is set only at quiescent points, and no work is queued until the pool has drained to zero.
//   F2 (all) io_worker_cancel_cb() decrements nr_workers a counted exit already took: no counted
//      exit may happen with a create_worker_cb queued: exit-on-idle is set only after the owner ran
//      its task_work at a quiescent point, and idle timeouts are infinite where accounting is
//      checked.
//   F3 (baseline) the exit wake can be absorbed: with an infinite idle timeout the baseline exit
//      kills the io threads first (a group exit's SIGKILL); with a finite one it may wait it out.
#include <catch2/catch.hpp>

#include <cstdio>
#include <string>

#include "harness.h"

using namespace tsan;
using iowq::variant;

namespace {

plan base_plan(variant v, const std::string& test) {
  plan p;
  p.v = v;
  p.seed = seed_for(test);
  std::printf("%s: seed %llu\n", test.c_str(), static_cast<unsigned long long>(p.seed));
  return p;
}

void require_ok(const plan& p, fail_kind k, const std::string& msg) {
  INFO(describe(p));
  INFO(msg);
  REQUIRE(k == fail_kind::none);
}

// ---- the main stress: accounting at quiescent points, exactly once -----------------------------------

void stress_accounting(variant v) {
  plan p = base_plan(v, std::string("stress-accounting-") + iowq::to_string(v));
  p.owners = 2;
  p.seconds = budget(12);
  std::string msg;
  const fail_kind k = run_stress(p, &msg);
  require_ok(p, k, msg);
}

}  // namespace

TEST_CASE("stress baseline: two owners submit bound/unbound/hashed/linked/blocking work - accounting exact at every "
          "quiescent point and every request exactly once",
          "[stress][baseline]") {
  stress_accounting(variant::baseline);
}

TEST_CASE("stress v1: two owners submit mixed work through exit-on-idle cycles - accounting exact at every quiescent "
          "point and after every drain and every request exactly once",
          "[stress][v1]") {
  stress_accounting(variant::v1);
}

TEST_CASE("stress merged: two owners submit mixed work through exit-on-idle cycles - accounting exact at every "
          "quiescent point and after every drain and every request exactly once",
          "[stress][merged]") {
  stress_accounting(variant::merged);
}

// ---- exit-on-idle drains the pool ---------------------------------------------------------------------

namespace {

void stress_pool_zero(variant v) {
  plan p = base_plan(v, std::string("stress-pool-zero-") + iowq::to_string(v));
  p.owners = 1;
  p.eoi_percent = 100;  // every round: the last ring goes away, the pool must drain
  p.m.concurrent = 60;  // many workers to drain
  p.burst_min = 8;
  p.burst_max = 32;
  p.seconds = budget(6);
  std::string msg;
  const fail_kind k = run_stress(p, &msg);
  require_ok(p, k, msg);
}

}  // namespace

TEST_CASE("stress v1: with exit-on-idle set and submission stopped the pool reaches nr_workers == 0 and no worker "
          "thread with an infinite idle timeout",
          "[stress][pool-zero][v1]") {
  stress_pool_zero(variant::v1);
}

TEST_CASE("stress merged: with exit-on-idle set and submission stopped the pool reaches nr_workers == 0 and no "
          "worker thread with an infinite idle timeout",
          "[stress][pool-zero][merged]") {
  stress_pool_zero(variant::merged);
}

TEST_CASE("stress baseline: without exit-on-idle the last workers stay after the owner's last ring went away "
          "(the motivation of the patch)",
          "[stress][pool-zero][baseline]") {
  plan p = base_plan(variant::baseline, "stress-baseline-stays");
  p.seconds = 1;
  int alive_after = -1;
  world w(p);
  w.run([&](owner& o) {
    o.submit_burst(16);
    if (!o.wait_work() || !o.quiesce_and_check()) return;
    iowq::io_wq_set_exit_on_idle(o.wq, true);  // a no-op in 6.14
    // Quiescent again: every worker asleep for good (the idle timeout is infinite).
    if (!o.quiesce_and_check()) return;
    const iowq::wq_view v = view_locked(o.wq);
    alive_after = v.acct[0].live_threads + v.acct[1].live_threads;
    if (o.exit_wq()) o.check_items(true);
  });
  INFO(w.failure_message());
  REQUIRE(w.failure_kind() == fail_kind::none);
  CHECK(alive_after > 0);
}

// ---- exit racing with exit-on-idle -------------------------------------------------------------------

namespace {

void stress_exit_race(variant v) {
  const std::string name = std::string("stress-exit-race-") + iowq::to_string(v);
  plan p = base_plan(v, name);
  p.owners = 1;
  const double secs = budget(7);
  const auto t0 = std::chrono::steady_clock::now();
  int iterations = 0, threads = 0, requests = 0;
  fail_kind k = fail_kind::none;
  std::string msg;
  while (k == fail_kind::none &&
         (iterations < 5 || std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() < secs)) {
    p.seed = seed_for(name + "-" + std::to_string(iterations));
    world w(p);
    w.run([](owner& o) {
      o.submit_burst(4 + static_cast<int>(kern::native::random_below(28)));
      // Let some of it start, with task_work (worker creation) in between, then exit at once:
      // workers are busy, blocked in I/O, idle, or leaving on exit-on-idle.
      const auto until = std::chrono::steady_clock::now() + std::chrono::microseconds(kern::native::random_below(1500));
      if (!o.wait_until(phase::submit, [&] { return std::chrono::steady_clock::now() > until; }, false)) return;
      if (o.exit_wq()) o.check_items(false);
    });
    ++iterations;
    threads += w.owners[0]->stats.threads;
    requests += w.owners[0]->submitted;
    k = w.failure_kind();
    if (k != fail_kind::none) msg = "iteration " + std::to_string(iterations) + " (seed " + std::to_string(p.seed) +
                                    "): " + w.failure_message();
  }
  std::printf("exit race %s: %d exits, %d requests, %d worker threads\n", iowq::to_string(v), iterations, requests,
              threads);
  require_ok(p, k, msg);
}

}  // namespace

TEST_CASE("stress baseline: io_wq_exit_start and io_wq_put_and_exit with busy workers always complete and every "
          "request ran or was cancelled exactly once",
          "[stress][exit][baseline]") {
  stress_exit_race(variant::baseline);
}

TEST_CASE("stress v1: io_wq_exit_start and io_wq_put_and_exit racing with exit-on-idle always complete and every "
          "request ran or was cancelled exactly once",
          "[stress][exit][v1]") {
  stress_exit_race(variant::v1);
}

TEST_CASE("stress merged: io_wq_exit_start and io_wq_put_and_exit racing with exit-on-idle always complete and "
          "every request ran or was cancelled exactly once",
          "[stress][exit][merged]") {
  stress_exit_race(variant::merged);
}

// ---- real (scaled-down) idle timeouts ----------------------------------------------------------------

namespace {

void stress_timeout(variant v) {
  plan p = base_plan(v, std::string("stress-timeout-") + iowq::to_string(v));
  p.owners = 2;
  p.idle_timeout = std::chrono::microseconds(2000);
  p.nondet_exit_mask = true;
  // With timeouts, F2 can wrap nr_workers and F1 strand work until the exit cancels it: no
  // quiescent points and no exact waits here, only exactly-once and the exit.
  p.check_accounting = false;
  p.wait_each_burst = false;
  p.soft_wait = std::chrono::milliseconds(50);
  p.pause_max = std::chrono::microseconds(6000);
  p.eoi_anytime = true;
  p.eoi_percent = 30;
  p.seconds = budget(6);
  std::string msg;
  const fail_kind k = run_stress(p, &msg);
  require_ok(p, k, msg);
}

}  // namespace

TEST_CASE("stress baseline: with a real scaled-down idle timeout workers time out and come back - every request "
          "exactly once and the exit completes",
          "[stress][timeout][baseline]") {
  stress_timeout(variant::baseline);
}

TEST_CASE("stress v1: with a real scaled-down idle timeout and exit-on-idle toggled at any time - every request "
          "exactly once and the exit completes",
          "[stress][timeout][v1]") {
  stress_timeout(variant::v1);
}

TEST_CASE("stress merged: with a real scaled-down idle timeout and exit-on-idle toggled at any time - every request "
          "exactly once and the exit completes",
          "[stress][timeout][merged]") {
  stress_timeout(variant::merged);
}
