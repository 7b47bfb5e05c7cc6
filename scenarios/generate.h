// Generated scenarios: every small owner program io_uring can produce, instead of hand-picked ones.
//
// A generated scenario is named by what it does, and the name is the whole definition:
//
//   gen:ACTION.ACTION...[+KNOB...]
//
//   punt[:FLAGS]   io_queue_iowq of a new request (works are numbered in punt order). FLAGS, in this
//                  order: u unbound, hK hashed on key K, x blocks until released, c
//                  IO_WQ_WORK_CONCURRENT, l links a plain bound request (the next number) that its
//                  completion punts
//   wait           io_cqring_wait for every request punted so far
//   releaseN       the device completes blocking request N's I/O
//   cancelN        IORING_OP_ASYNC_CANCEL of request N (io_wq_cancel_cb matching it)
//   cancel-all     IORING_OP_ASYNC_CANCEL with IORING_ASYNC_CANCEL_ANY
//   ring-exit      the task's ring is closed (io_ring_exit_work, then io_tctx_exit_cb: exit-on-idle)
//   ring-add       a new ring (exit-on-idle cleared)
//   thread-exit, exit-group, exec   the task-exit paths (scenario.h), last
//   KNOB           max2 (2 workers per acct), enomem / eagain (a worker creation may fail so),
//                  timeouts (one idle timeout may fire), rcu-np (non-preemptible RCU)
//
// e.g. gen:punt.wait.punt.wait, gen:punt:x.punt.thread-exit+max2. Only io_uring's orders are
// generated (and accepted): a request is punted or cancelled only while the task has a ring, a
// wait only when every request punted can complete (each blocking one released or cancelled), a
// ring is added only after the last one went, an exit path ends the program, and a program that
// does not exit leaves no blocking request unreleased.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "scenario.h"

namespace iowq::scn::gen {

// One environment of the enumeration: the knobs of a name (+max2, +eagain, ...).
struct knobs {
  unsigned max_workers = 1;  // bounded_max and RLIMIT_NPROC
  long create_error = 0;     // 0, -ENOMEM or -EAGAIN
  bool timeouts = false;
  bool rcu_non_preemptible = false;
  std::string suffix() const;  // "" or "+max2+eagain"
};
// "none", "max2", "max2+eagain", ... (a '+'-joined list of knobs, "none" for none); throws
// std::invalid_argument naming a bad knob.
knobs parse_knobs(const std::string& text);

struct params {
  int max_actions = 3;  // actions of the owner program, the exit path included
  int max_works = 2;    // requests, linked ones included
  std::vector<knobs> environments{knobs{}};
};

// The names of every canonical program within the bounds, for each environment: shorter programs
// first, then in the grammar's order. Pruned: a wait with no request punted since the last one, a
// cancel of a request a wait already saw complete, hash key K+1 before key K is used, and (by the
// rules above) everything io_uring cannot produce.
std::vector<std::string> enumerate(const params& p);

// The scenario a name describes. Throws std::invalid_argument with the reason when the name is
// not in the grammar or not an order io_uring produces.
scenario from_name(const std::string& name);

// The scenario for a name, made once and kept for the life of the process (so pointers to it,
// like those of the catalog, stay valid); nullptr for a name that is not a valid generated one.
const scenario* intern(const std::string& name);

// Whether a name is meant as a generated scenario ("gen:...").
bool is_generated(const std::string& name);

// The programs one step smaller than `name` that are still valid: one action dropped (a punt with
// everything that refers to its requests), one knob dropped, or one work flag dropped. Used to
// shrink a counterexample's program while its signature stays.
std::vector<std::string> smaller(const std::string& name);

// The size a shrink minimises: actions, then works, then knobs, then flags.
std::uint64_t size_of(const std::string& name);

}  // namespace iowq::scn::gen
