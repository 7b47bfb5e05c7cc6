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
    s.name = "eoi-with-queued-work";
    s.summary = "two works queued, the last ring goes away (cancelling them) while the worker is busy";
    s.props = {P::accounting, P::lost_wakeup, P::pool_zero};
    s.works = {work_spec{}, work_spec{}};
    s.owner = [](world& w) {
      w.enqueue(0);
      w.enqueue(1);
      w.ring_removed();
      w.wait_done(2);
    };
    v.push_back(std::move(s));
  }
  {
    scenario s;
    s.name = "set-clear-enqueue";
    s.summary = "the last ring goes away, a new ring arrives and punts work at once";
    s.props = {P::accounting, P::lost_wakeup};
    s.works = {work_spec{}, work_spec{}};
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
  return v;
}

}  // namespace

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
