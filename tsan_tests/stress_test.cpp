// Stress tests: every variant's io-wq (through its wq_ops: the 6.14 port for baseline/v1/merged,
// the 6.19 port for upstream and its fixes), compiled unchanged on the native backend, on real
// threads under ThreadSanitizer (halt_on_error: any data race fails the test). Each test runs for
// a time budget (--soak SECONDS / IOWQ_TSAN_SOAK to run longer) with a seed printed for reruns.
//
// The tests are generated from one table, k_kinds (test kind x variant): a new variant in
// model/variants.cpp gets every kind that applies to it, and a new kind runs on every variant.
//
// Known findings the correct-code tests are designed around (see harness.h/cpp and README.md):
//   F1 (v1, merged, upstream and its fixes but fix-strand) work queued while a worker leaves on
//      exit-on-idle can be stranded: exit-on-idle is set only at quiescent points, and no work is
//      queued until the pool has drained to zero.
//   F2 (all but fix-wrap) io_worker_cancel_cb() decrements nr_workers a counted exit already took:
//      no counted exit may happen with a create_worker_cb queued: exit-on-idle is set only after
//      the owner ran its task_work at a quiescent point, and idle timeouts are infinite where
//      accounting is checked.
//   F3 (baseline) the exit wake can be absorbed: with an infinite idle timeout the baseline exit
//      kills the io threads first (a group exit's SIGKILL); with a finite one it may wait it out.
//   F4 (all but fix-tw-uaf) io_wq_cancel_tw_create() reads a freed worker at exit: the native
//      backend frees nothing before the run ends, so the read is harmless here (UAF is the
//      checker's job).
//   F5 (upstream and its fixes but fix-hash-defer) unhashed work waits behind a blocked hashed
//      chain: the owner completes blocking I/O by itself, never waiting for other work first, so
//      the wait always ends.
#include <catch2/catch.hpp>
#include <cstdio>
#include <string>

#include "cases.h"
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

void run_and_require(const plan& p) {
  std::string msg;
  const fail_kind k = run_stress(p, &msg);
  require_ok(p, k, msg);
}

// ---- the main stress: accounting at quiescent points, exactly once -----------------------------------

void stress_accounting(plan p) {
  p.owners = 2;
  run_and_require(p);
}

// ---- exit-on-idle drains the pool ---------------------------------------------------------------------

void stress_pool_zero(plan p) {
  p.owners = 1;
  p.eoi_percent = 100;  // every round: the last ring goes away, the pool must drain
  p.m.concurrent = 60;  // many workers to drain
  p.burst_min = 8;
  p.burst_max = 32;
  run_and_require(p);
}

// Without exit-on-idle the last workers stay after the owner's last ring went away.
void stress_stays(plan p) {
  int alive_after = -1;
  world w(p);
  w.run([&](owner& o) {
    o.submit_burst(16);
    if (!o.wait_work() || !o.quiesce_and_check()) return;
    o.set_exit_on_idle(true);  // a no-op without exit-on-idle
    // Quiescent again: every worker asleep for good (the idle timeout is infinite).
    if (!o.quiesce_and_check()) return;
    const iowq::wq_view v = view_locked(o.ops, o.wq);
    alive_after = v.acct[0].live_threads + v.acct[1].live_threads;
    if (o.exit_wq()) o.check_items(true);
  });
  INFO(w.failure_message());
  REQUIRE(w.failure_kind() == fail_kind::none);
  CHECK(alive_after > 0);
}

// ---- exit racing with busy workers and exit-on-idle ---------------------------------------------------

void stress_exit_race(plan p) {
  const std::string name = std::string("stress-exit-race-") + iowq::to_string(p.v);
  p.owners = 1;
  p.max_items = 64;  // one burst of at most 32 requests with their links
  const auto t0 = std::chrono::steady_clock::now();
  int iterations = 0, threads = 0, requests = 0;
  fail_kind k = fail_kind::none;
  std::string msg;
  while (k == fail_kind::none &&
         (iterations < 5 || std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() < p.seconds)) {
    p.seed = seed_for(name + "-" + std::to_string(iterations));
    world w(p);
    w.run([](owner& o) {
      o.submit_burst(4 + static_cast<int>(kern::native::random_below(28)));
      // Let some of it start, with task_work (worker creation) in between, then exit at once:
      // workers are busy, blocked in I/O, idle, or leaving on exit-on-idle.
      const auto until = std::chrono::steady_clock::now() + std::chrono::microseconds(kern::native::random_below(1500));
      if (!o.wait_until(
              phase::submit, [&] { return std::chrono::steady_clock::now() > until; }, false))
        return;
      if (o.exit_wq()) o.check_items(false);
    });
    ++iterations;
    threads += w.owners[0]->stats.threads;
    requests += w.owners[0]->submitted;
    k = w.failure_kind();
    if (k != fail_kind::none)
      msg =
          "iteration " + std::to_string(iterations) + " (seed " + std::to_string(p.seed) + "): " + w.failure_message();
  }
  std::printf("exit race %s: %d exits, %d requests, %d worker threads\n", iowq::to_string(p.v), iterations, requests,
              threads);
  require_ok(p, k, msg);
}

// ---- real (scaled-down) idle timeouts ----------------------------------------------------------------

void stress_timeout(plan p) {
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
  run_and_require(p);
}

// ---- the table ------------------------------------------------------------------------------------

bool any(variant) { return true; }
bool with_eoi(variant v) { return iowq::info(v).exit_on_idle; }
bool without_eoi(variant v) { return !iowq::info(v).exit_on_idle; }

struct kind {
  const char* id;  // the seed's name and the tag
  bool (*applies)(variant);
  // The test's name after "stress <variant> (<base>): ", by whether the variant has exit-on-idle.
  const char* what_eoi;
  const char* what_no_eoi;
  // Seconds per variant in CI (soak: --soak); the kinds with every variant share today's budget
  // of the three 6.14 variants among the nine.
  double seconds;
  void (*run)(plan);
};

const kind k_kinds[] = {
    {"accounting", any,
     "two owners submit mixed work through exit-on-idle cycles - accounting exact at every quiescent point and "
     "after every drain and every request exactly once",
     "two owners submit bound/unbound/hashed/linked/blocking work - accounting exact at every quiescent point and "
     "every request exactly once",
     3.5, stress_accounting},
    {"pool-zero", with_eoi,
     "with exit-on-idle set and submission stopped the pool reaches nr_workers == 0 and no worker thread with an "
     "infinite idle timeout",
     nullptr, 1.5, stress_pool_zero},
    {"stays", without_eoi, nullptr,
     "without exit-on-idle the last workers stay after the owner's last ring went away (the motivation of the "
     "patch)",
     1, stress_stays},
    {"exit", any,
     "io_wq_exit_start and io_wq_put_and_exit racing with exit-on-idle always complete and every request ran or "
     "was cancelled exactly once",
     "io_wq_exit_start and io_wq_put_and_exit with busy workers always complete and every request ran or was "
     "cancelled exactly once",
     2.2, stress_exit_race},
    {"timeout", any,
     "with a real scaled-down idle timeout and exit-on-idle toggled at any time - every request exactly once and "
     "the exit completes",
     "with a real scaled-down idle timeout workers time out and come back - every request exactly once and the "
     "exit completes",
     1.8, stress_timeout},
};

const bool k_registered = [] {
  for (const kind& k : k_kinds)
    for (variant v : iowq::builtin_variants()) {
      if (!k.applies(v)) continue;
      const iowq::variant_info& i = iowq::info(v);
      const std::string name =
          std::string("stress ") + i.name + " (" + i.base + "): " + (i.exit_on_idle ? k.what_eoi : k.what_no_eoi);
      const std::string tags = std::string("[stress][") + k.id + "][" + i.name + "][" + i.base + "]";
      register_case(name, tags, [&k, v] {
        plan p = base_plan(v, std::string("stress-") + k.id + "-" + iowq::to_string(v));
        p.seconds = k.run == stress_stays ? k.seconds : budget(k.seconds);
        k.run(p);
      });
    }
  return true;
}();

}  // namespace
