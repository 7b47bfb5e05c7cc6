// Known answers for trees we have checked, by the sha256 of their (patched) io-wq.c: what the
// report expects of each scenario, and why. A tree not listed here has no known answers: every
// violation found in it is reported as unexpected (exit 1), which is what a reviewer of a new
// patch wants to see. Measured with the test suite's bounds (iowq-verify check --quick).
#include "realsrc/known.h"

#include <algorithm>
#include <initializer_list>

namespace realsrc {
namespace {

const char* const purpose =
    "no exit-on-idle in this io-wq: the last worker stays after the last ring is gone (the seed patch's "
    "purpose; on a real kernel: iowq-verify kernel --finding purpose --kernel baseline)";
const char* const f3 =
    "F3: io_wq_exit_workers() wakes the worker between its IO_WQ_BIT_EXIT test and set_current_state(); "
    "io_run_task_work() clears the notify signal and the worker sleeps out its idle timeout (on a real "
    "kernel: iowq-verify kernel --finding f3 --delay)";
const char* const f1 =
    "F1: work punted while the last worker leaves on exit-on-idle is stranded: the leaving worker is still "
    "on the free list and counted in nr_running (on a real kernel: iowq-verify kernel --finding f1 --delay)";

const char* const n1 =
    "N1 (new, the merged placement on 6.12.118): a worker that sees exit-on-idle while its own creation "
    "request is pending (create_state, 6.12.118's guard) goes idle instead; the owner's create_worker_cb "
    "then clears create_state but wakes nobody, so the pool reaches zero only at the idle timeout; reachable "
    "through io_uring (ring-exit-blocked-creation: the ring closed as io_uring does it)";

// One property violated in each of `scenarios`, for the same reason.
std::vector<known_violation> violations(const char* property, const char* why,
                                        std::initializer_list<const char*> scenarios) {
  std::vector<known_violation> out;
  for (const char* s : scenarios) out.push_back({s, property, why});
  return out;
}

std::vector<known_violation> operator+(std::vector<known_violation> a, const std::vector<known_violation>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

const std::vector<known_tree> table = {
    {"01edb04639e3b748ee83af02182cc81e3ab0b7185a0577e3314a83906d0caca5", "Debian linux-source-6.12 6.12.118-1~deb12u1",
     violations("pool-zero", purpose,
                {"idle-then-eoi", "eoi-during-work", "bound-and-unbound", "hashed-stall", "creation-fails",
                 "blocking-work", "eoi-blocked-creation", "eoi-then-concurrent-work", "eoi-concurrent-two-workers",
                 "cancel-queued", "ring-exit-during-work", "ring-exit-blocked-creation", "timeout-pending-create",
                 "creation-retry", "timeout-last-worker", "timeout-while-work-arrives", "creation-retries-exhausted"}) +
         violations("exit-hang", f3,
                    {"eoi-and-exit", "exit-while-blocked", "enqueue-during-exit", "linked-at-exit", "exec-after-work",
                     "exec-linked", "thread-exit-in-flight", "thread-exit-linked", "creation-retry-at-exit"})},
    {"26efc8506b863b50eb72177cd063afe1616a24dc0cef6a2d3f9924f786a65848",
     "Debian 6.12.118 + io-wq-exit-on-idle-v1.patch",
     violations("lost-wakeup", f1, {"set-clear-enqueue", "eoi-then-concurrent-work"})},
    {"624cdacfb8b0a9c8cdd29fa46c8e60009a502dafb19543e195b42dba26919072",
     "Debian 6.12.118 + io-wq-exit-on-idle-v1.patch + merged-on-seed-6.12.patch",
     violations("pool-zero", n1,
                {"eoi-blocked-creation", "eoi-then-concurrent-work", "eoi-concurrent-two-workers",
                 "ring-exit-blocked-creation"})},
};

}  // namespace

const known_tree* known_answers(const std::string& io_wq_sha256) {
  auto it =
      std::find_if(table.begin(), table.end(), [&](const known_tree& k) { return k.io_wq_sha256 == io_wq_sha256; });
  return it == table.end() ? nullptr : &*it;
}

}  // namespace realsrc
