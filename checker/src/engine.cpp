#include "engine.h"

#include <algorithm>
#include <bit>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <sstream>

#include "util.h"

namespace chk {

thread_local runtime* current_runtime = nullptr;

namespace {
using clock_type = std::chrono::steady_clock;
}  // namespace

// ---------------------------------------------------------------------------------------------------

engine::engine(const program& prog, const options& opt) : prog_(prog), opt_(opt) {
  debug_ = std::getenv("CHK_DEBUG") != nullptr;
  if (opt_.shard_count > 1 && opt_.split_depth <= 0) opt_.split_depth = 6;
  strat_ = make_strategy(*this, opt_);
  stack_.reserve(64);
}

fiber_stacks& engine::stacks() {
  static thread_local fiber_stacks pool;
  return pool;
}

engine::~engine() {
  if (current_runtime == this) current_runtime = nullptr;
}

void engine::init_object(object& o) {
  o.epoch = epoch_;
  o.id = next_object_id_++;
  o.last_write = -1;
  o.last_access = -1;
  o.readers = 0;
  o.sync.clear();
}

void engine::init_plain(plain_meta& m) {
  plains_.push_back(&m);
  m.epoch = epoch_;
  m.w_thread = -1;
  m.w_clock = 0;
  m.r_thread = -1;
}

std::string engine::object_name(const char* name, std::int32_t instance) const {
  std::string s = name ? name : "?";
  if (instance >= 0) s += "#" + std::to_string(instance);
  return s;
}

// ---- the search loop --------------------------------------------------------------------------

std::string engine::bounds_text() const {
  std::ostringstream o;
  o << strat_->bounds();
  if (opt_.shard_count > 1 && !opt_.schedule) o << ", shard " << opt_.shard_index << "/" << opt_.shard_count;
  o << ", " << prog_.threads << " initial thread" << (prog_.threads == 1 ? "" : "s");
  o << " (" << st_.max_threads_seen << " at most)";
  if (opt_.timeouts)
    o << ", timeouts on (at most " << opt_.max_timeouts << " per execution)";
  else
    o << ", timeouts off";
  o << ", step bound " << opt_.max_steps;
  if (opt_.rcu != rcu_flavour::preemptible) o << ", rcu " << to_string(opt_.rcu);
  return o.str();
}

result engine::run() {
  runtime* saved = current_runtime;
  current_runtime = this;
  auto t0 = clock_type::now();
  auto last_progress = t0;
  const bool sampling = strat_->sampling();
  bool exhausted = false, out_of_budget = false;

  for (;;) {
    if (opt_.max_executions && st_.executions >= opt_.max_executions) {
      out_of_budget = true;
      break;
    }
    if (opt_.time_limit_seconds > 0 && (st_.executions & 63) == 0 &&
        std::chrono::duration<double>(clock_type::now() - t0).count() > opt_.time_limit_seconds) {
      out_of_budget = true;
      break;
    }
    run_execution();
    if (debug_) dump_execution();
    if (!foreign_) {
      ++st_.executions;
      if (pruned_) ++st_.pruned;
    }
    if (failure_) break;
    if (!strat_->next()) {
      exhausted = true;
      break;
    }
    if (opt_.on_progress && (st_.executions & 255) == 0) {
      auto now = clock_type::now();
      if (std::chrono::duration<double>(now - last_progress).count() >= opt_.progress_interval) {
        last_progress = now;
        opt_.on_progress(progress{st_.executions, st_.pruned, std::chrono::duration<double>(now - t0).count()});
      }
    }
  }

  result r;
  r.test_name = prog_.name;
  if (failure_) {
    failure f = std::move(*failure_);
    failure_.reset();
    f.execution = execs_;
    if (opt_.collect_trace && !tracing_) {
      // Run the failing schedule once more, recording every step.
      options o2 = opt_;
      o2.schedule = f.schedule;
      o2.collect_trace = false;
      o2.on_progress = nullptr;
      engine again(prog_, o2);
      again.tracing_ = true;
      result r2 = again.run();
      if (r2.fail && r2.fail->kind == f.kind && r2.fail->message == f.message) {
        f.trace = std::move(r2.fail->trace);
      } else {
        failure nd;
        nd.kind = failure_kind::nondeterminism;
        nd.message = "re-running the failing schedule did not reproduce the failure (" +
                     std::string(to_string(f.kind)) + ": " + f.message +
                     "); the program under test is not deterministic for a given schedule";
        nd.schedule = f.schedule;
        nd.execution = f.execution;
        if (r2.fail) nd.trace = std::move(r2.fail->trace);
        f = std::move(nd);
      }
    }
    r.fail = std::move(f);
    r.v = verdict::violated;
  } else if (out_of_budget) {
    r.v = verdict::inconclusive;
  } else if (sampling) {
    r.v = verdict::no_violation_found;
  } else {
    r.v = verdict::verified;
  }
  st_.complete = exhausted && !r.fail;
  st_.seconds = std::chrono::duration<double>(clock_type::now() - t0).count();
  r.st = st_;
  r.bounds = bounds_text();
  if (opt_.count_outcomes) {
    r.outcomes.assign(outcomes_seen_.begin(), outcomes_seen_.end());
    std::sort(r.outcomes.begin(), r.outcomes.end());
  }
  current_runtime = saved;
  return r;
}

// Epochs increase across the engines of one OS thread, so that an object that outlives an engine
// (a static, or memory reused by the next search) is never taken for one of the new execution.
namespace {
thread_local std::uint32_t g_last_epoch = 0;
}

void engine::reset_execution() {
  epoch_ = ++g_last_epoch;
  next_object_id_ = 0;
  for (int t = 0; t < nthreads_; ++t) {
    thread_rec& r = th_[t];
    r.started = r.finished = r.daemon = r.eager = false;
    r.body = nullptr;
    r.pending = nullptr;
  }
  nthreads_ = 0;
  cur_ = -1;
  pos_ = 0;
  branching_ = 0;
  owner_checked_ = false;
  steps_ = 0;
  pruned_ = false;
  foreign_ = false;
  trace_.clear();
  freed_.clear();
  rcu_pending_.clear();
  rcu_done_.clear();
  read_sets_.clear();
  plains_.clear();
  shown_addresses_.clear();
  timeout_budget_.epoch = 0;
  timeout_budget_.value = static_cast<std::uint64_t>(opt_.timeouts ? opt_.max_timeouts : 0);
  strat_->execution_starts();
}

int engine::new_thread(std::function<void()> body, const char* name, bool daemon, int parent) {
  int c = nthreads_++;
  thread_rec& r = th_[c];
  r.body = std::move(body);
  r.initial = -1;
  r.name = name;
  r.daemon = daemon;
  r.parent = parent;
  r.started = r.finished = r.eager = false;
  r.pending = nullptr;
  r.scheduled_at = -1;
  r.acq_pending.clear();
  r.rel_fence.clear();
  r.dclock.clear();
  r.nevents = 0;
  r.last_event = -1;
  r.spinlocks = 0;
  r.rcu_depth = 0;
  r.permit.epoch = 0;
  r.permit.value = 0;
  r.permit.instance = c;
  r.handle.epoch = 0;
  r.handle.value = 0;
  r.handle.instance = c;
  r.history =
      parent >= 0 ? mix(th_[parent].history, static_cast<std::uint64_t>(c) + 1) : static_cast<std::uint64_t>(c) + 1;
  if (opt_.count_outcomes) {
    if (parent >= 0)
      r.addresses = th_[parent].addresses;
    else
      r.addresses.clear();
  }
  if (parent >= 0) {
    r.hb = th_[parent].hb;
    th_[parent].hb[parent]++;
    r.dclock = th_[parent].dclock;
  } else {
    r.hb.clear();
  }
  r.hb[c] = 1;
  strat_->thread_created(c);
  st_.max_threads_seen = std::max(st_.max_threads_seen, nthreads_);
  return c;
}

void engine::run_execution() {
  reset_execution();
  ++execs_;
  set_phase(phase::setup);
  bool ok = true;
  try {
    if (prog_.setup) prog_.setup();
  } catch (abort_execution&) {
    ok = false;
  }
  if (ok) {
    for (int i = 0; i < prog_.threads; ++i) {
      bool daemon = false;
      for (int d : prog_.daemons) daemon |= d == i;
      th_[new_thread(nullptr, "thread", daemon, -1)].initial = i;
    }
    set_phase(phase::run);
    for (int i = 0; i < prog_.threads && !failure_; ++i) start_thread(i);
    if (!failure_) {
      cur_ = -1;
      int next = pick();
      if (next >= 0) {
        cur_ = next;
        switch_context(&main_ctx_, th_[next].ctx);
      }
    }
    cur_ = -1;
    if (!failure_ && !foreign_) strat_->threads_stopped();
    if (!failure_ && !pruned_ && !foreign_) {
      // Executions that ended above the split belong to the shard owning their whole schedule.
      if (opt_.shard_count > 1 && !owner_checked_ && !shard_owns_prefix()) foreign_ = true;
    }
    if (!failure_ && !pruned_ && !foreign_ && prog_.finish) {
      set_phase(phase::end);
      try {
        prog_.finish();
      } catch (abort_execution&) {
      }
    }
  }
  if (opt_.count_outcomes && !foreign_ && !pruned_) count_outcome();
  unwind_threads();
  set_phase(phase::idle);
  if (prog_.teardown) prog_.teardown();
  for (auto it = cleanups_.rbegin(); it != cleanups_.rend(); ++it) (*it)();
  cleanups_.clear();
  st_.steps += static_cast<std::uint64_t>(steps_);
  st_.max_depth = std::max(st_.max_depth, steps_);
  strat_->execution_ended(steps_);
  if (failure_ && failure_->schedule.empty()) {
    for (std::size_t i = 0; i < pos_ && i < stack_.size(); ++i) {
      const choice& c = stack_[i];
      failure_->schedule.push_back(c.kind == choice_kind::thread ? c.chosen : -1 - c.chosen);
    }
    if (tracing_) failure_->trace = trace_;
  }
}

void engine::start_thread(int t) {
  thread_rec& r = th_[t];
  r.started = true;
  r.eager = true;
  r.ctx = make_context(stacks().top(t), stacks().size());
  int prev = cur_;
  cur_ = t;
  start_context(prev < 0 ? &main_ctx_ : &th_[prev].ctx, r.ctx, &engine::thread_entry, this);
  cur_ = prev;
  // Resumed to unwind after the new thread failed during its start.
  if (prev >= 0 && phase_ != phase::run) throw abort_execution{};
}

void engine::thread_entry(void* arg) {
  auto* e = static_cast<engine*>(arg);
  int t = e->cur_;
  bool aborted = false;
  try {
    if (e->th_[t].initial >= 0)
      e->prog_.thread(e->th_[t].initial);
    else
      e->th_[t].body();
  } catch (abort_execution&) {
    aborted = true;
  } catch (std::exception& ex) {
    if (e->phase_ == phase::run && !e->failure_)
      e->record_failure(failure_kind::uncaught_exception, std::string("uncaught exception: ") + ex.what(), t,
                        &e->th_[t].last_loc, {});
    aborted = true;
  } catch (...) {
    if (e->phase_ == phase::run && !e->failure_)
      e->record_failure(failure_kind::uncaught_exception, "uncaught exception of unknown type", t, &e->th_[t].last_loc,
                        {});
    aborted = true;
  }
  if (!aborted) {
    try {
      e->finish_thread();
    } catch (abort_execution&) {
    }
  }
  // Aborted (failure or unwinding) or finished: never resumed again.
  e->th_[t].finished = true;
  e->th_[t].pending = nullptr;
  context dead = nullptr;
  if (e->phase_ == phase::run && e->th_[t].eager) {
    // Failed before its first visible operation while being started: return to the starter.
    int parent = e->th_[t].parent;
    e->th_[t].eager = false;
    e->cur_ = parent;
    switch_context(&dead, parent < 0 ? e->main_ctx_ : e->th_[parent].ctx);
  }
  e->cur_ = -1;
  switch_context(&dead, e->main_ctx_);
  __builtin_unreachable();
}

// Thread exit is an event (joiners depend on it) but not a scheduling point: it commutes with
// everything except join, and a joiner cannot tell an exit delayed by other steps from an
// immediate one, so the exit runs as part of the thread's last step.
void engine::finish_thread() {
  thread_rec& t = th_[cur_];
  if (t.spinlocks > 0)
    fail(failure_kind::lock_misuse, "thread exits holding " + std::to_string(t.spinlocks) + " spinlock(s)", t.last_loc);
  if (t.rcu_depth > 0)
    fail(failure_kind::lock_misuse, "thread exits inside an RCU read-side critical section", t.last_loc);
  if (opt_.rcu == rcu_flavour::non_preemptible) rcu_quiescent(t.last_loc);
  step_desc d;
  d.kind = step_kind::finish;
  d.label = "exit";
  d.loc = t.last_loc;
  d.n = 1;
  d.a[0] = {&t.handle, acc::write, until::none, nullptr, nullptr};
  touch(t.handle);
  t.pending = &d;
  if (t.eager && t.parent >= 0) t.scheduled_at = th_[t.parent].scheduled_at;
  values(0, 0, 1);
  t.handle.value = 1;
  hb_release(t.handle);
  end();
  t.finished = true;
  context dead = nullptr;
  if (t.eager) {
    t.eager = false;
    int parent = t.parent;
    cur_ = parent;
    switch_context(&dead, parent < 0 ? main_ctx_ : th_[parent].ctx);
  }
  int next = pick();
  if (next < 0) {
    cur_ = -1;
    switch_context(&dead, main_ctx_);
  } else {
    cur_ = next;
    switch_context(&dead, th_[next].ctx);
  }
  __builtin_unreachable();
}

void engine::unwind_threads() {
  set_phase(phase::unwind);
  for (int t = 0; t < nthreads_; ++t) {
    thread_rec& r = th_[t];
    if (!r.started || r.finished) continue;
    if (!opt_.unwind) {
      r.finished = true;
      continue;
    }
    cur_ = t;
    switch_context(&main_ctx_, r.ctx);
    cur_ = -1;
  }
}

void engine::switch_to(int next) {
  int me = cur_;
  cur_ = next;
  switch_context(&th_[me].ctx, th_[next].ctx);
}

void engine::back_to_main() {
  int me = cur_;
  cur_ = -1;
  switch_context(&th_[me].ctx, main_ctx_);
}

// ---- scheduling ---------------------------------------------------------------------------------

void engine::begin(step_desc& d) {
  thread_rec& t = th_[cur_];
  for (int i = 0; i < d.n; ++i) touch(*d.a[i].obj);
  if (d.may_block && (t.spinlocks > 0 || t.rcu_depth > 0))
    fail(failure_kind::blocking_in_atomic,
         std::string(d.label) + " may sleep, called " +
             (t.spinlocks > 0 ? "while holding a spinlock" : "inside an RCU read-side critical section"),
         d.loc);
  if (d.may_block && opt_.rcu == rcu_flavour::non_preemptible && phase_ == phase::run) rcu_quiescent(d.loc);
  t.pending = &d;
  if (d.loc.line()) t.last_loc = d.loc;
  if (t.eager) {
    // A thread being started runs up to its first visible operation, then returns to its starter.
    t.eager = false;
    int parent = t.parent;
    int me = cur_;
    cur_ = parent;
    switch_context(&th_[me].ctx, parent < 0 ? main_ctx_ : th_[parent].ctx);
  } else {
    int next = pick();
    if (next < 0) {
      back_to_main();
      throw abort_execution{};
    }
    if (next != cur_) switch_to(next);
  }
  if (phase_ != phase::run) throw abort_execution{};
  // Checked when the step runs: the object may have been freed while this thread waited.
  if (!freed_.empty())
    for (int i = 0; i < d.n; ++i) {
      const object* o = d.a[i].obj;
      check_freed(o->home ? o->home : o, o->name, d.loc);
    }
}

void engine::note_history() {
  thread_rec& t = th_[cur_];
  const step_desc& d = *t.pending;
  std::uint64_t h = mix(t.history, static_cast<std::uint64_t>(d.kind));
  h = mix(h, reinterpret_cast<std::uintptr_t>(d.label));
  // What the program is given back: the values its loads and read-modify-writes read (a store's
  // old value and an await's watched values are not returned); of a park, only whether it was
  // woken (the timeout budget it read is the checker's).
  const int n = d.kind == step_kind::park ? 1 : d.kind == step_kind::user_await ? 0 : d.n;
  for (int i = 0; i < n; ++i) {
    if (d.a[i].type == acc::write) continue;
    std::uint64_t v = vals_[i][0];
    if (d.a[i].obj->pointer && v) {
      // An address, by the order in which this thread first read it (addresses differ between
      // executions). Per thread, so that the outcome does not depend on how the threads' reads
      // interleave: two executions whose reads read from the same writes get the same outcome.
      auto it = std::find(t.addresses.begin(), t.addresses.end(), v);
      v = static_cast<std::uint64_t>(it - t.addresses.begin()) + 1;
      if (it == t.addresses.end()) t.addresses.push_back(vals_[i][0]);
    }
    h = mix(h, v);
  }
  t.history = h;
}

void engine::count_outcome() {
  std::uint64_t s = 0;
  for (int q = 0; q < nthreads_; ++q) s += mix(static_cast<std::uint64_t>(q) + 1, th_[q].history);
  if (outcomes_seen_.insert(s).second) ++st_.distinct_outcomes;
}

void engine::end() {
  if (opt_.count_outcomes) note_history();
  strat_->step_ended();
  if (tracing_) trace_step_end();
  th_[cur_].pending = nullptr;
}

bool engine::enabled(int t) {
  step_desc& d = *th_[t].pending;
  switch (d.kind) {
    case step_kind::park:
      if (th_[t].permit.value == 1) return true;
      return d.timed && opt_.timeouts && timeout_budget_.value > 0;
    case step_kind::user_await: {
      peek_allowed_ = &d;
      peeking_ = true;
      bool r = d.user_pred(d.user_ctx);
      peeking_ = false;
      peek_allowed_ = nullptr;
      if (peek_stray_ && !failure_) {
        record_failure(failure_kind::assertion,
                       std::string("the await predicate reads ") + peek_stray_->name +
                           ", which is not in its watch list: every object it may read must be listed",
                       t, &d.loc, {});
        peek_stray_ = nullptr;
      }
      return r;
    }
    default:
      for (int i = 0; i < d.n; ++i)
        if (!d.a[i].allows(d.a[i].obj->value)) return false;
      return true;
  }
}

std::uint64_t engine::peek_load(object& o) {
  if (std::uint64_t v; strat_->hypothetical_value(o, v)) return v;
  if (peek_allowed_) {
    bool listed = false;
    for (int i = 0; i < peek_allowed_->n; ++i) listed |= peek_allowed_->a[i].obj == &o;
    if (!listed) peek_stray_ = &o;
  }
  return o.value;
}

// The value `o` would have if the events after g that do not depend on g ran before g: the last
// write among them, or else the value just before g.
int engine::pick() {
  // Thread t takes the choice just made: one more step, and where it was scheduled (DPOR's events).
  auto scheduled = [this](int t) {
    ++steps_;
    th_[t].scheduled_at = static_cast<std::int32_t>(pos_) - 1;
    return t;
  };
  // A forced choice before the branch point: the schedule names the thread, and a deterministic
  // program (checked: the thread can run and its step has the recorded fingerprint) has the other
  // threads where they were when the choice was made, so their enabledness is not recomputed. The
  // whole enabled set is compared at the branch point, where the search uses it, and on any
  // mismatch here the full path below reports the nondeterminism. (A sharded search takes the full
  // path: decide() checks there whether the shard owns the prefix.)
  if (pos_ + 1 < replay_end_ && opt_.shard_count <= 1 && !failure_ && steps_ < opt_.max_steps) {
    const choice& c = stack_[pos_];
    const int t = c.chosen;
    if (c.kind == choice_kind::thread && t < nthreads_ && !th_[t].finished && th_[t].pending && enabled_fast(t) &&
        c.fingerprint == fingerprint(*th_[t].pending)) {
      ++pos_;
      if ((c.enabled & (c.enabled - 1)) != 0) ++branching_;
      return scheduled(t);
    }
  }
  thread_mask en = 0;
  for (int t = 0; t < nthreads_; ++t)
    if (!th_[t].finished && th_[t].pending && enabled_fast(t)) en |= bit(t);
  if (!en) {
    bool stuck = false;
    for (int t = 0; t < nthreads_; ++t) stuck |= !th_[t].finished && th_[t].pending && !th_[t].daemon;
    if (stuck && !failure_) {
      std::string property = prog_.deadlock_property ? prog_.deadlock_property() : std::string();
      if (property == program::ignore_deadlock) {
        pruned_ = true;  // a failure already reported for this program: not judged again
        return -1;
      }
      // Built only here: most executions end with daemon threads blocked, which is no deadlock.
      std::string blocked;
      for (int t = 0; t < nthreads_; ++t) {
        const thread_rec& r = th_[t];
        if (r.finished || !r.pending) continue;
        if (!blocked.empty()) blocked += "; ";
        blocked += "T" + std::to_string(t) + (r.daemon ? " (daemon)" : "") + " in " + r.pending->label;
        if (r.pending->n > 0) blocked += " " + object_name(r.pending->a[0].obj->name, r.pending->a[0].obj->instance);
        blocked += " at " + loc_text(r.pending->loc);
      }
      record_failure(failure_kind::deadlock, "every live thread is blocked: " + blocked, -1, nullptr, property);
    }
    return -1;
  }
  if (steps_ >= opt_.max_steps) {
    if (!failure_)
      record_failure(failure_kind::livelock,
                     "the execution exceeded the step bound of " + std::to_string(opt_.max_steps) + " visible steps",
                     cur_, cur_ >= 0 ? &th_[cur_].last_loc : nullptr, {});
    return -1;
  }
  if (failure_) return -1;  // found while evaluating await predicates
  const int c = decide(en);
  return c < 0 ? -1 : scheduled(c);
}

std::uint32_t engine::fingerprint(const step_desc& d) const {
  std::uint32_t h = static_cast<std::uint32_t>(d.kind) * 0x9e3779b1u;
  if (d.kind != step_kind::user_await)
    for (int i = 0; i < d.n; ++i) h = (h ^ (d.a[i].obj->id + 1)) * 0x85ebca6bu;
  return h;
}

bool engine::shard_owns_prefix() const {
  std::uint64_t h = 1469598103934665603ull;
  // The prefix up to the split (or the whole schedule of an execution that ended above it).
  for (std::size_t i = 0; i < pos_ && i < stack_.size(); ++i) {
    h ^= static_cast<std::uint64_t>(static_cast<std::uint8_t>(stack_[i].chosen)) +
         (static_cast<std::uint64_t>(stack_[i].kind) << 8);
    h *= 1099511628211ull;
  }
  return h % static_cast<std::uint64_t>(opt_.shard_count) == static_cast<std::uint64_t>(opt_.shard_index);
}

std::uint8_t engine::preemptions_before(std::size_t i) const {
  if (i == 0) return 0;
  const choice& p = stack_[i - 1];
  bool preempted = p.kind == choice_kind::thread && p.prev >= 0 && p.chosen != p.prev && (p.enabled & bit(p.prev));
  return static_cast<std::uint8_t>(p.preemptions + (preempted ? 1 : 0));
}

int engine::decide(thread_mask en) {
  // The split counts only branching choices: a choice with one enabled thread is no branch of the
  // tree, and io-wq scenarios start with many of them (the owner alone sets up the wq).
  const bool above = branching_ < opt_.split_depth;
  if (opt_.shard_count > 1 && !above && !owner_checked_) {
    owner_checked_ = true;
    if (!shard_owns_prefix()) {
      foreign_ = true;
      return -1;
    }
  }
  std::size_t i = pos_++;
  if ((en & (en - 1)) != 0) ++branching_;  // more than one enabled thread (no libgcc popcount call)
  if (i < replay_end_) {
    choice& c = stack_[i];
    if (c.kind != choice_kind::thread || c.enabled != en || !(en & bit(c.chosen)) ||
        (c.fingerprint != fingerprint(*th_[c.chosen].pending) && i + 1 < replay_end_)) {
      record_failure(failure_kind::nondeterminism,
                     "the program made different choices when its schedule was replayed (choice " + std::to_string(i) +
                         "): it must behave the same for the same schedule (no wall clock, randomness or "
                         "addresses steering it)",
                     cur_, nullptr, {});
      --pos_;
      return -1;
    }
    if (i + 1 == replay_end_) {
      c.fingerprint = fingerprint(*th_[c.chosen].pending);
      strat_->branched(c);
    }
    return c.chosen;
  }
  choice c;
  c.enabled = en;
  c.above_split = above;
  c.prev = static_cast<std::int8_t>(cur_);
  c.preemptions = preemptions_before(i);
  const int p = strat_->pick_thread(c, i);
  if (p < 0) {
    if (p == strategy::prune) pruned_ = true;
    --pos_;
    return -1;
  }
  c.chosen = static_cast<std::int8_t>(p);
  c.done = bit(p);
  c.fingerprint = fingerprint(*th_[p].pending);
  if (stack_.size() != i) stack_.resize(i);
  stack_.push_back(c);
  strat_->chose(stack_.back());
  return p;
}

int engine::decide_value(int n) {
  std::size_t i = pos_++;
  if (n > 1) ++branching_;
  if (i < replay_end_) {
    choice& c = stack_[i];
    if (c.kind != choice_kind::value || c.nvalues != n) {
      record_failure(
          failure_kind::nondeterminism,
          "the program made a different value choice when its schedule was replayed (choice " + std::to_string(i) + ")",
          cur_, &th_[cur_].last_loc, {});
      back_to_main();
      throw abort_execution{};
    }
    if (i + 1 == replay_end_) strat_->branched(c);
    return c.chosen;
  }
  choice c;
  c.kind = choice_kind::value;
  c.nvalues = static_cast<std::uint8_t>(n);
  c.preemptions = preemptions_before(i);
  const int v = strat_->pick_value(c, i);
  if (v < 0) {
    back_to_main();
    throw abort_execution{};
  }
  c.chosen = static_cast<std::int8_t>(v);
  if (stack_.size() != i) stack_.resize(i);
  stack_.push_back(c);
  return c.chosen;
}

// The next prefix of an exhaustive search: the deepest choice with an alternative left (the
// strategy says which), taken, everything below it dropped.
bool engine::next_prefix() {
  while (!stack_.empty()) {
    std::size_t i = stack_.size() - 1;
    choice& c = stack_[i];
    if (c.kind == choice_kind::value) {
      if (c.chosen + 1 < c.nvalues) {
        ++c.chosen;
        replay_end_ = i + 1;
        return true;
      }
      stack_.pop_back();
      continue;
    }
    if (thread_mask cand = strat_->alternatives(c)) {
      int p = lowest(cand);
      c.done |= bit(p);
      c.chosen = static_cast<std::int8_t>(p);
      replay_end_ = i + 1;
      return true;
    }
    stack_.pop_back();
  }
  return false;
}

void engine::dump_execution() const {
  std::fprintf(stderr, "execution %llu:%s%s%s\n", static_cast<unsigned long long>(execs_), pruned_ ? " pruned" : "",
               failure_ ? " FAILED: " : "", failure_ ? failure_->message.c_str() : "");
  for (std::size_t i = 0; i < stack_.size() && i < pos_; ++i) {
    const choice& c = stack_[i];
    std::fprintf(stderr, "  [%zu] %s %d en=%x done=%x bt=%x sleep=%x\n", i, c.kind == choice_kind::thread ? "T" : "V",
                 c.chosen, c.enabled, c.done, c.backtrack, c.sleep);
  }
  strat_->dump();
}

// ---- failures and traces ------------------------------------------------------------------------

void engine::record_failure(failure_kind k, std::string msg, int thread, const srcloc* loc, std::string property) {
  if (failure_) return;
  failure f;
  f.kind = k;
  f.message = std::move(msg);
  f.property = std::move(property);
  f.thread = thread;
  if (loc && loc->line()) f.location = loc_text(*loc);
  failure_ = std::move(f);
  if (tracing_) {
    trace_step s;
    s.step = steps_;
    s.thread = thread;
    s.visible = false;
    s.op = std::string("FAIL ") + to_string(k);
    s.detail = failure_->message;
    s.location = failure_->location;
    if (loc && loc->line()) s.function = short_function(loc->function_name());
    trace_.push_back(std::move(s));
  }
}

void engine::fail(failure_kind k, std::string msg, const srcloc& loc, std::string property) {
  if (phase_ == phase::run && cur_ >= 0) {
    record_failure(k, std::move(msg), cur_, &loc, std::move(property));
    back_to_main();
    throw abort_execution{};
  }
  if (phase_ == phase::end && k == failure_kind::assertion) k = failure_kind::end_check;
  record_failure(k, std::move(msg), -1, &loc, std::move(property));
  throw abort_execution{};
}

void engine::note(std::string text) {
  if (!tracing_) return;
  trace_step s;
  s.step = steps_;
  s.thread = cur_;
  s.visible = false;
  s.op = "note";
  s.detail = std::move(text);
  trace_.push_back(std::move(s));
}

std::string engine::show_value(const object& o, std::uint64_t v) {
  if (!o.pointer) return std::to_string(static_cast<std::int64_t>(v));
  if (v == 0) return "null";
  // Addresses differ from run to run; their order of appearance in the execution does not.
  for (std::size_t i = 0; i < shown_addresses_.size(); ++i)
    if (shown_addresses_[i] == v) return "@" + std::to_string(i + 1);
  shown_addresses_.push_back(v);
  return "@" + std::to_string(shown_addresses_.size());
}

void engine::trace_step_end() {
  const thread_rec& t = th_[cur_];
  const step_desc& d = *t.pending;
  trace_step s;
  s.step = steps_;
  s.thread = cur_;
  s.visible = d.kind != step_kind::finish;
  s.op = d.label;
  std::string detail;
  for (int i = 0; i < d.n; ++i) {
    const object* o = d.a[i].obj;
    if (o == &timeout_budget_) continue;
    if (!s.object.empty()) s.object += ",";
    s.object += object_name(o->name, o->instance);
    if (!detail.empty()) detail += " ";
    std::uint64_t ov = vals_[i][0], nv = vals_[i][1];
    if (d.a[i].type == acc::read)
      detail += show_value(*o, ov);
    else if (d.a[i].type == acc::write)
      detail += "= " + show_value(*o, nv);
    else
      detail += show_value(*o, ov) + "->" + show_value(*o, nv);
  }
  s.detail = detail;
  s.location = loc_text(d.loc);
  s.function = short_function(d.loc.function_name());
  trace_.push_back(std::move(s));
}

}  // namespace chk
