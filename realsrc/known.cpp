// Known answers for trees we have checked, by the sha256 of their (patched) io-wq.c: what the
// report expects of each scenario, and why. A tree not listed here has no known answers: every
// violation found in it is reported as unexpected (exit 1), which is what a reviewer of a new
// patch wants to see. Measured with the test suite's bounds (iowq-verify check --quick).
#include "realsrc/known.h"

#include <algorithm>

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
    "then clears create_state but wakes nobody, so the pool reaches zero only at the idle timeout";

const std::vector<known_tree> table = {
    {"01edb04639e3b748ee83af02182cc81e3ab0b7185a0577e3314a83906d0caca5",
     "Debian linux-source-6.12 6.12.118-1~deb12u1",
     {{"idle-then-eoi", "pool-zero", purpose},
      {"eoi-during-work", "pool-zero", purpose},
      {"bound-and-unbound", "pool-zero", purpose},
      {"hashed-stall", "pool-zero", purpose},
      {"creation-fails", "pool-zero", purpose},
      {"blocking-work", "pool-zero", purpose},
      {"eoi-blocked-creation", "pool-zero", purpose},
      {"eoi-then-concurrent-work", "pool-zero", purpose},
      {"eoi-concurrent-two-workers", "pool-zero", purpose},
      {"cancel-queued", "pool-zero", purpose},
      {"eoi-and-exit", "exit-hang", f3},
      {"exit-while-blocked", "exit-hang", f3},
      {"enqueue-during-exit", "exit-hang", f3},
      {"linked-at-exit", "exit-hang", f3}}},
    {"26efc8506b863b50eb72177cd063afe1616a24dc0cef6a2d3f9924f786a65848",
     "Debian 6.12.118 + io-wq-exit-on-idle-v1.patch",
     {{"set-clear-enqueue", "lost-wakeup", f1}, {"eoi-then-concurrent-work", "lost-wakeup", f1}}},
    {"624cdacfb8b0a9c8cdd29fa46c8e60009a502dafb19543e195b42dba26919072",
     "Debian 6.12.118 + io-wq-exit-on-idle-v1.patch + merged-on-seed-6.12.patch",
     {{"eoi-blocked-creation", "pool-zero", n1},
      {"eoi-then-concurrent-work", "pool-zero", n1},
      {"eoi-concurrent-two-workers", "pool-zero", n1}}},
};

}  // namespace

const known_tree* known_answers(const std::string& io_wq_sha256) {
  auto it =
      std::find_if(table.begin(), table.end(), [&](const known_tree& k) { return k.io_wq_sha256 == io_wq_sha256; });
  return it == table.end() ? nullptr : &*it;
}

}  // namespace realsrc
