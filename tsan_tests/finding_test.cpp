// Known findings of the model checker and SPIN, reproduced deterministically on real threads: a
// step hook (native::set_step_hook, called before every facade operation) holds one thread at
// the line that opens the window, the owner acts, and the thread is let go. Each test passes when
// the finding reproduces (and the variants without it behave), like the [finding] tests of
// relacy_tests/.
#include <atomic>
#include <catch2/catch.hpp>
#include <cstdio>
#include <cstring>
#include <string>
#include <thread>

#include "harness.h"

using namespace tsan;
using iowq::variant;
namespace native = kern::native;

namespace {

// One breakpoint: the first operation whose call site is in function `fn` with label `label`
// (nullptr: any label), counted from when it is armed, the `nth` time.
struct breakpoint {
  std::atomic<const char*> fn{nullptr};
  std::atomic<const char*> label{nullptr};
  std::atomic<int> nth{1};
  std::atomic<int> seen{0};
  std::atomic<bool> hit{false};
  std::atomic<bool> go{false};
};
breakpoint g_hold;                               // holds the thread that reaches it
std::atomic<const char*> g_release_fn{nullptr};  // the thread reaching this function lets it go
std::atomic<const char*> g_release_label{nullptr};

bool at(const kern::srcloc& loc, const char* label, const char* fn, const char* lab) {
  return fn && std::strcmp(loc.function_name(), fn) == 0 && (!lab || std::strcmp(label, lab) == 0);
}

void hook(const kern::srcloc& loc, const char* label) {
  if (const char* rf = g_release_fn.load(); rf && at(loc, label, rf, g_release_label.load())) g_hold.go.store(true);
  if (g_hold.hit.load()) return;
  if (!at(loc, label, g_hold.fn.load(), g_hold.label.load())) return;
  if (g_hold.seen.fetch_add(1) + 1 != g_hold.nth.load()) return;
  g_hold.hit.store(true);
  while (!g_hold.go.load()) std::this_thread::sleep_for(std::chrono::microseconds(50));
}

void arm(const char* fn, const char* label, int nth, const char* release_fn = nullptr,
         const char* release_label = nullptr) {
  g_hold.seen.store(0);
  g_hold.hit.store(false);
  g_hold.go.store(false);
  g_hold.nth.store(nth);
  g_hold.label.store(label);
  g_release_fn.store(release_fn);
  g_release_label.store(release_label);
  g_hold.fn.store(fn);
  native::set_step_hook(hook);
}

void disarm() {
  g_hold.fn.store(nullptr);
  g_release_fn.store(nullptr);
  g_hold.go.store(true);
}

plan finding_plan(variant v, const std::string& name) {
  plan p;
  p.v = v;
  p.seed = seed_for(name);
  p.yield_permille = 0;  // no perturbation: the breakpoint decides the interleaving
  p.sleep_permille = 0;
  p.seconds = 1;
  p.max_items = 16;
  return p;
}

}  // namespace

// F1: every variant with exit-on-idle but without the strand fix (v1, merged, upstream and its
// other single fixes) strands work queued while the last worker leaves on exit-on-idle. The worker has
// run w0 and sleeps on the free list; the owner's last ring goes away (exit-on-idle set, the
// worker is woken, takes the exit-on-idle exit) and the worker is held at the top of
// io_worker_exit(): still on free_list, still counted in nr_running, its nr_workers already
// dropped. A new ring is added (exit-on-idle cleared) and w1 queued: the enqueue "activates" the
// leaving worker and creates nobody; the worker is let go, its io_wq_dec_running() sees w1 but
// cannot take a reference on itself to queue a creation. w1 is stranded: no worker, no pending
// task_work, nothing that a timeout could rescue. The run's own exit then cancels it. With the
// strand fix (upstream-fix-strand, upstream-fixed) the leaving worker, once it is neither on the
// free list nor counted as running, sees w1 and starts a worker: w1 runs.
TEST_CASE(
    "finding F1 (v1, merged, upstream and its fixes but the strand fix): work queued while the last worker "
    "leaves on exit-on-idle is stranded - reproduced on real threads - and baseline and the strand fix run it",
    "[finding][f1]") {
  for (variant v : iowq::builtin_variants()) {
    DYNAMIC_SECTION(iowq::to_string(v)) {
      plan p = finding_plan(v, std::string("finding-f1-") + iowq::to_string(v));
      const bool has_f1 = p.eoi() && !iowq::has_fix(v, iowq::fix::strand);
      world w(p);
      item* w1 = nullptr;
      bool held = false;
      w.run([&](owner& o) {
        o.submit_one(0);
        if (!o.wait_work() || !o.quiesce_and_check()) return;
        arm("io_worker_exit", nullptr, 1);
        o.set_exit_on_idle(true);  // the task's last ring goes away
        if (p.eoi()) {
          if (!o.wait_until(
                  phase::submit, [] { return g_hold.hit.load(); }, false))
            return;
          held = true;
        }
        o.set_exit_on_idle(false);  // a new ring is added
        w1 = o.submit_one(0);
        disarm();                    // the worker goes on with its exit
        if (!o.wait_work()) return;  // the monitor reports the stranded w1 (has_f1)
        if (o.exit_wq()) o.check_items(true);
      });
      native::set_step_hook(nullptr);
      INFO(w.failure_message());
      CHECK(held == p.eoi());
      if (!has_f1) {
        CHECK(w.failure_kind() == fail_kind::none);
        REQUIRE(w1);
        CHECK(w1->ran.load() == 1);
      } else {
        CHECK(w.failure_kind() == fail_kind::lost_wakeup);
        REQUIRE(w1);
        // Stranded, then cancelled by io_wq_put_and_exit (the run's clean-up): exactly once.
        CHECK(w1->ran.load() == 0);
        CHECK(w1->cancelled.load() == 1);
      }
      std::printf("F1 %s: %s\n", iowq::to_string(v),
                  w.failure_kind() == fail_kind::none ? "w1 ran" : w.failure_message().c_str());
    }
  }
}

// F3: in 6.14 the exit wake can be absorbed. The worker finishes w1 and, back at the top of its
// loop, has found IO_WQ_BIT_EXIT clear; it is held before set_current_state(TASK_INTERRUPTIBLE).
// The owner starts the exit; io_wq_exit_workers() notifies and wakes the worker (a no-op: it is
// running) and, when it reaches wait_for_completion(), lets the worker go. The worker stores
// TASK_INTERRUPTIBLE, finds nothing to do, io_run_task_work() clears the notify flag, and it
// sleeps: io_wq_put_and_exit() waits for the idle timeout, which is infinite here (the monitor
// reports the hang and sends the SIGKILL a group exit would). Every variant with exit-on-idle
// (v1, merged, upstream and its fixes) sets it between io_wq_exit_start and io_wq_put_and_exit
// (io_uring_clean_tctx), and the worker's exit-on-idle test comes after its state store: their
// exit completes.
TEST_CASE(
    "finding F3 (baseline): the exit wake is absorbed and io_wq_put_and_exit waits for the idle timeout "
    "- reproduced on real threads - and every variant with exit-on-idle completes",
    "[finding][f3]") {
  for (variant v : iowq::builtin_variants()) {
    DYNAMIC_SECTION(iowq::to_string(v)) {
      plan p = finding_plan(v, std::string("finding-f3-") + iowq::to_string(v));
      world w(p);
      bool held = false;
      w.run([&](owner& o) {
        o.submit_one(0);
        if (!o.wait_work() || !o.quiesce_and_check()) return;
        // The worker wakes for w1 (first state store), runs it, loops once more without sleeping
        // (it is TASK_RUNNING after the work) and is held before its second state store.
        arm("io_wq_worker", "set_current_state", 2, "io_wq_exit_workers", "raw_spin_lock");
        o.submit_one(0);
        if (!o.wait_until(
                phase::submit, [] { return g_hold.hit.load(); }, false))
          return;
        held = true;
        o.ph.store(static_cast<int>(phase::exiting));
        o.ops.exit_start(o.wq);
        o.set_exit_on_idle(true);  // a no-op without exit-on-idle
        o.put_and_exit();          // lets the worker go once it waits
        disarm();
        o.check_items(true);
      });
      disarm();
      native::set_step_hook(nullptr);
      INFO(w.failure_message());
      CHECK(held);
      if (!p.eoi())
        CHECK(w.failure_kind() == fail_kind::exit_hang);
      else
        CHECK(w.failure_kind() == fail_kind::none);
      std::printf("F3 %s: %s\n", iowq::to_string(v),
                  w.failure_kind() == fail_kind::none ? "exit completed" : w.failure_message().c_str());
    }
  }
}
