#include "chk/engine.h"

#include <algorithm>
#include <bit>
#include <cassert>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <sstream>

namespace chk {

thread_local engine* current_engine = nullptr;

namespace {

int lowest(thread_mask m) { return std::countr_zero(m); }

int nth_member(thread_mask m, unsigned n) {
  for (;;) {
    int t = std::countr_zero(m);
    if (n == 0) return t;
    --n;
    m &= m - 1;
  }
}

std::string loc_text(const srcloc& l) {
  if (!l.file_name() || !*l.file_name()) return "?";
  return short_location(l.file_name(), l.line());
}

using clock_type = std::chrono::steady_clock;

}  // namespace

const char* to_string(search_kind k) {
  switch (k) {
    case search_kind::dfs:
      return "dfs";
    case search_kind::dpor:
      return "dpor";
    case search_kind::bounded:
      return "bounded";
    case search_kind::random:
      return "random";
    case search_kind::pct:
      return "pct";
  }
  return "?";
}

const char* to_string(failure_kind k) {
  switch (k) {
    case failure_kind::assertion:
      return "assertion";
    case failure_kind::end_check:
      return "end-check";
    case failure_kind::deadlock:
      return "deadlock";
    case failure_kind::data_race:
      return "data-race";
    case failure_kind::lock_misuse:
      return "lock-misuse";
    case failure_kind::blocking_in_atomic:
      return "blocking-in-atomic";
    case failure_kind::use_after_free:
      return "use-after-free";
    case failure_kind::livelock:
      return "livelock";
    case failure_kind::uncaught_exception:
      return "uncaught-exception";
    case failure_kind::nondeterminism:
      return "nondeterminism";
    case failure_kind::too_many_threads:
      return "too-many-threads";
  }
  return "?";
}

const char* to_string(verdict v) {
  switch (v) {
    case verdict::verified:
      return "verified";
    case verdict::violated:
      return "violated";
    case verdict::inconclusive:
      return "inconclusive";
    case verdict::no_violation_found:
      return "no violation found";
  }
  return "?";
}

std::string result::summary() const {
  std::ostringstream o;
  o << to_string(v) << ": " << test_name << " [" << bounds << "]; " << st.executions << " executions";
  if (st.pruned) o << " (" << st.pruned << " pruned)";
  o << ", max depth " << st.max_depth << " steps, " << st.seconds << " s";
  if (fail) {
    o << "\n  " << to_string(fail->kind);
    if (!fail->property.empty()) o << " [" << fail->property << "]";
    o << ": " << fail->message;
    if (fail->thread >= 0) o << " (thread T" << fail->thread << ")";
    if (!fail->location.empty()) o << " at " << fail->location;
    o << " in execution " << fail->execution;
  }
  return o.str();
}

// ---------------------------------------------------------------------------------------------------

engine::engine(const program& prog, const options& opt) : prog_(prog), opt_(opt), rng_(opt.seed) {
  debug_ = std::getenv("CHK_DEBUG") != nullptr;
  race_stats_ = std::getenv("CHK_RACESTATS") != nullptr;
  if (opt_.shard_count > 1 && opt_.split_depth <= 0) opt_.split_depth = 6;
  keep_events_ = opt_.search == search_kind::dpor && !opt_.schedule;
  if (keep_events_) events_.reserve(256);
  stack_.reserve(64);
}

fiber_stacks& engine::stacks() {
  static thread_local fiber_stacks pool;
  return pool;
}

engine::~engine() {
  if (current_engine == this) current_engine = nullptr;
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
  if (opt_.schedule) {
    o << "replay of one schedule";
  } else {
    switch (opt_.search) {
      case search_kind::dfs:
        o << "dfs: all interleavings";
        break;
      case search_kind::dpor:
        o << "dpor: all interleavings up to equivalence";
        break;
      case search_kind::bounded:
        o << "dfs with at most " << opt_.preemption_bound << " preemptions";
        break;
      case search_kind::random:
        o << "random: " << opt_.iterations << " executions, seed " << opt_.seed;
        break;
      case search_kind::pct:
        o << "pct depth " << opt_.pct_depth << ": " << opt_.iterations << " executions, seed " << opt_.seed;
        break;
    }
    if (opt_.split_depth > 0 && (opt_.search == search_kind::dpor))
      o << " (the first " << opt_.split_depth << " branching choices fully branched)";
    if (opt_.shard_count > 1) o << ", shard " << opt_.shard_index << "/" << opt_.shard_count;
  }
  o << ", " << prog_.threads << " initial thread" << (prog_.threads == 1 ? "" : "s");
  o << " (" << st_.max_threads_seen << " at most)";
  if (opt_.timeouts)
    o << ", timeouts on (at most " << opt_.max_timeouts << " per execution)";
  else
    o << ", timeouts off";
  o << ", step bound " << opt_.max_steps;
  return o.str();
}

result engine::run() {
  engine* saved = current_engine;
  current_engine = this;
  auto t0 = clock_type::now();
  auto last_progress = t0;
  bool sampling = opt_.search == search_kind::random || opt_.search == search_kind::pct;
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
    if (opt_.schedule) {
      exhausted = true;
      break;
    }
    if (sampling) {
      if (st_.executions >= opt_.iterations) {
        exhausted = true;
        break;
      }
      stack_.clear();
      replay_end_ = 0;
    } else if (!next_prefix()) {
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

  if (race_stats_) {
    std::vector<std::pair<std::uint64_t, std::string>> v;
    for (auto& [k, n] : race_counts_) v.push_back({n, k});
    std::sort(v.rbegin(), v.rend());
    for (std::size_t i = 0; i < v.size() && i < 25; ++i)
      std::fprintf(stderr, "races %10llu  %s\n", static_cast<unsigned long long>(v[i].first), v[i].second.c_str());
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
  current_engine = saved;
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
  next_sleep_ = 0;
  events_.clear();
  trace_.clear();
  freed_.clear();
  rcu_pending_.clear();
  rcu_done_.clear();
  freeing_.clear();
  event_regions_.clear();
  read_sets_.clear();
  plains_.clear();
  shown_addresses_.clear();
  timeout_budget_.epoch = 0;
  timeout_budget_.value = static_cast<std::uint64_t>(opt_.timeouts ? opt_.max_timeouts : 0);
  if (opt_.search == search_kind::pct) {
    pct_change_.clear();
    for (int i = 1; i < opt_.pct_depth; ++i)
      pct_change_.push_back(1 + static_cast<int>(rng_() % static_cast<std::uint64_t>(std::max(1, pct_estimate_))));
  }
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
  if (parent >= 0) {
    r.hb = th_[parent].hb;
    th_[parent].hb[parent]++;
    r.dclock = th_[parent].dclock;
  } else {
    r.hb.clear();
  }
  r.hb[c] = 1;
  if (opt_.search == search_kind::pct)
    pct_prio_[c] = opt_.pct_depth + static_cast<int>(rng_() % 100000) * max_threads + c;
  st_.max_threads_seen = std::max(st_.max_threads_seen, nthreads_);
  return c;
}

void engine::run_execution() {
  reset_execution();
  ++execs_;
  phase_ = phase::setup;
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
    phase_ = phase::run;
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
    if (keep_events_ && !failure_ && !foreign_) dpor_blocked_threads();
    if (!failure_ && !pruned_ && !foreign_) {
      // Executions that ended above the split belong to the shard owning their whole schedule.
      if (opt_.shard_count > 1 && !owner_checked_ && !shard_owns_prefix()) foreign_ = true;
    }
    if (!failure_ && !pruned_ && !foreign_ && prog_.finish) {
      phase_ = phase::end;
      try {
        prog_.finish();
      } catch (abort_execution&) {
      }
    }
  }
  unwind_threads();
  phase_ = phase::idle;
  if (prog_.teardown) prog_.teardown();
  for (auto it = cleanups_.rbegin(); it != cleanups_.rend(); ++it) (*it)();
  cleanups_.clear();
  st_.steps += static_cast<std::uint64_t>(steps_);
  st_.max_depth = std::max(st_.max_depth, steps_);
  if (opt_.search == search_kind::pct) pct_estimate_ = std::max(pct_estimate_, steps_);
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
  phase_ = phase::unwind;
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

void engine::end() {
  if (keep_events_) dpor_record();
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
  if (hyp_g_ >= 0) return value_before_reordering(o, hyp_g_);
  if (peek_allowed_) {
    bool listed = false;
    for (int i = 0; i < peek_allowed_->n; ++i) listed |= peek_allowed_->a[i].obj == &o;
    if (!listed) peek_stray_ = &o;
  }
  return o.value;
}

// The value `o` would have if the events after g that do not depend on g ran before g: the last
// write among them, or else the value just before g.
std::uint64_t engine::value_before_reordering(const object& o, int g) {
  if (o.epoch != epoch_) return o.value;
  const event& G = events_[g];
  // The event being recorded is the last of events_; its own accesses are not part of the state.
  const int current = static_cast<int>(events_.size()) - 1;
  auto rec = [&](int x) -> const event::acc_rec* {
    for (int k = 0; k < events_[x].n; ++k)
      if (events_[x].a[k].obj == &o) return &events_[x].a[k];
    return nullptr;
  };
  int earliest = -1;
  for (int w = o.last_access; w >= 0;) {
    const event::acc_rec* r = rec(w);
    if (!r) break;
    if (w < current) {
      earliest = w;
      if (r->type != acc::read) {
        if (w > g) {
          if (!events_[w].clock.covers(G.thread, G.tindex)) return r->new_v;
        } else {
          return w == g ? r->old_v : r->new_v;
        }
      }
    }
    w = r->prev;
  }
  // No write at or before g: the value the execution started with.
  if (earliest >= 0) return rec(earliest)->old_v;
  if (const event::acc_rec* r = rec(current)) return r->old_v;
  return o.value;
}

bool engine::await_could_run_before(int g, int e_thread) {
  const step_desc& d = *th_[e_thread].pending;
  hyp_g_ = g;
  peeking_ = true;
  bool r = d.user_pred(d.user_ctx);
  peeking_ = false;
  hyp_g_ = -1;
  return r;
}

int engine::pick() {
  thread_mask en = 0;
  for (int t = 0; t < nthreads_; ++t)
    if (!th_[t].finished && th_[t].pending && enabled_fast(t)) en |= bit(t);
  if (!en) {
    std::string blocked;
    bool stuck = false;
    for (int t = 0; t < nthreads_; ++t) {
      const thread_rec& r = th_[t];
      if (r.finished || !r.pending) continue;
      if (!r.daemon) stuck = true;
      if (!blocked.empty()) blocked += "; ";
      blocked += "T" + std::to_string(t) + (r.daemon ? " (daemon)" : "") + " in " + r.pending->label;
      if (r.pending->n > 0) blocked += " " + object_name(r.pending->a[0].obj->name, r.pending->a[0].obj->instance);
      blocked += " at " + loc_text(r.pending->loc);
    }
    if (stuck && !failure_) {
      std::string property = prog_.deadlock_property ? prog_.deadlock_property() : std::string();
      if (property == program::ignore_deadlock) {
        pruned_ = true;  // a failure already reported for this program: not judged again
        return -1;
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
  int c = decide(en);
  if (c < 0) return -1;
  ++steps_;
  th_[c].scheduled_at = static_cast<std::int32_t>(pos_) - 1;
  return c;
}

std::uint32_t engine::fingerprint(const step_desc& d) const {
  std::uint32_t h = static_cast<std::uint32_t>(d.kind) * 0x9e3779b1u;
  if (d.kind != step_kind::user_await)
    for (int i = 0; i < d.n; ++i) h = (h ^ (d.a[i].obj->id + 1)) * 0x85ebca6bu;
  return h;
}

bool engine::frees_object_of(int tx, const step_desc& x, const step_desc& y) const {
  auto inside = [&](const char* b, const char* e) {
    for (int j = 0; j < y.n; ++j) {
      const object* o = y.a[j].obj;
      auto* a = static_cast<const char*>(o->home ? o->home : static_cast<const void*>(o));
      if (a >= b && a < e) return true;
    }
    return false;
  };
  if (x.free_begin && inside(x.free_begin, x.free_end)) return true;
  if (x.rcu_unlock)
    for (const auto& r : rcu_pending_)
      if ((r.waiting & bit(tx)) && inside(r.begin, r.end)) return true;
  return false;
}

bool engine::dependent(int tx, const step_desc& x, int ty, const step_desc& y) const {
  for (int i = 0; i < x.n; ++i)
    for (int j = 0; j < y.n; ++j)
      if (x.a[i].obj == y.a[j].obj && (x.a[i].type != acc::read || y.a[j].type != acc::read)) return true;
  if ((x.free_begin || x.rcu_unlock) && frees_object_of(tx, x, y)) return true;
  if ((y.free_begin || y.rcu_unlock) && frees_object_of(ty, y, x)) return true;
  return false;
}

thread_mask engine::filter_sleep(thread_mask s, int p) const {
  thread_mask out = s;
  for (thread_mask m = s; m; m &= m - 1) {
    int q = lowest(m);
    if (th_[q].finished || !th_[q].pending || dependent(q, *th_[q].pending, p, *th_[p].pending)) out &= ~bit(q);
  }
  return out;
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
  if (std::popcount(en) > 1) ++branching_;
  if (opt_.schedule) {
    const auto& s = *opt_.schedule;
    if (i >= s.size() || s[i] < 0 || !(en & bit(s[i]))) {
      std::string why = i >= s.size() ? "the schedule ended but the program goes on"
                        : s[i] < 0    ? "the schedule has a value choice where the program schedules a thread"
                                      : "thread T" + std::to_string(s[i]) + " is not enabled there";
      std::string ens;
      for (thread_mask m = en; m; m &= m - 1) ens += (ens.empty() ? "T" : ", T") + std::to_string(lowest(m));
      record_failure(failure_kind::nondeterminism,
                     "replay diverged at choice " + std::to_string(i) + ": " + why + " (enabled: " + ens + ")", cur_,
                     nullptr, {});
      --pos_;
      return -1;
    }
    choice c;
    c.enabled = en;
    c.chosen = static_cast<std::int8_t>(s[i]);
    if (stack_.size() <= i) stack_.resize(i + 1);
    stack_[i] = c;
    return c.chosen;
  }
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
      if (keep_events_) next_sleep_ = above ? 0 : filter_sleep(c.sleep | (c.done & ~bit(c.chosen)), c.chosen);
    }
    return c.chosen;
  }
  choice c;
  c.enabled = en;
  c.above_split = above;
  c.prev = static_cast<std::int8_t>(cur_);
  if (i > 0) {
    const choice& p = stack_[i - 1];
    bool preempted = p.kind == choice_kind::thread && p.prev >= 0 && p.chosen != p.prev && (p.enabled & bit(p.prev));
    c.preemptions = static_cast<std::uint8_t>(p.preemptions + (preempted ? 1 : 0));
  }
  int p = -1;
  switch (opt_.search) {
    case search_kind::dfs:
    case search_kind::bounded:
      p = (cur_ >= 0 && (en & bit(cur_))) ? cur_ : lowest(en);
      break;
    case search_kind::dpor: {
      c.sleep = above ? 0 : next_sleep_;
      thread_mask eligible = en & ~c.sleep;
      if (!eligible) {
        pruned_ = true;
        --pos_;
        return -1;
      }
      p = (cur_ >= 0 && (eligible & bit(cur_))) ? cur_ : lowest(eligible);
      c.backtrack = above ? en : bit(p);
      break;
    }
    case search_kind::random:
      p = nth_member(en, static_cast<unsigned>(rng_() % static_cast<std::uint64_t>(std::popcount(en))));
      break;
    case search_kind::pct: {
      for (std::size_t k = 0; k < pct_change_.size(); ++k)
        if (pct_change_[k] == static_cast<int>(i) && cur_ >= 0) pct_prio_[cur_] = static_cast<int>(k) - 1000;
      int best = -1;
      for (thread_mask m = en; m; m &= m - 1) {
        int t = lowest(m);
        if (best < 0 || pct_prio_[t] > pct_prio_[best]) best = t;
      }
      p = best;
      break;
    }
  }
  c.chosen = static_cast<std::int8_t>(p);
  c.done = bit(p);
  c.fingerprint = fingerprint(*th_[p].pending);
  if (stack_.size() != i) stack_.resize(i);
  stack_.push_back(c);
  if (keep_events_) next_sleep_ = above ? 0 : filter_sleep(c.sleep, p);
  return p;
}

int engine::decide_value(int n) {
  std::size_t i = pos_++;
  if (n > 1) ++branching_;
  if (opt_.schedule) {
    const auto& s = *opt_.schedule;
    if (i >= s.size() || s[i] >= 0 || -1 - s[i] >= n) {
      record_failure(failure_kind::nondeterminism,
                     "replay diverged at choice " + std::to_string(i) + ": expected a value choice of " +
                         std::to_string(n) + " values",
                     cur_, &th_[cur_].last_loc, {});
      back_to_main();
      throw abort_execution{};
    }
    choice c;
    c.kind = choice_kind::value;
    c.nvalues = static_cast<std::uint8_t>(n);
    c.chosen = static_cast<std::int8_t>(-1 - s[i]);
    if (stack_.size() <= i) stack_.resize(i + 1);
    stack_[i] = c;
    return c.chosen;
  }
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
    if (i + 1 == replay_end_ && keep_events_) next_sleep_ = c.sleep;
    return c.chosen;
  }
  choice c;
  c.kind = choice_kind::value;
  c.nvalues = static_cast<std::uint8_t>(n);
  c.sleep = next_sleep_;
  if (i > 0) {
    const choice& p = stack_[i - 1];
    bool preempted = p.kind == choice_kind::thread && p.prev >= 0 && p.chosen != p.prev && (p.enabled & bit(p.prev));
    c.preemptions = static_cast<std::uint8_t>(p.preemptions + (preempted ? 1 : 0));
  }
  bool sampling = opt_.search == search_kind::random || opt_.search == search_kind::pct;
  c.chosen = static_cast<std::int8_t>(sampling ? static_cast<int>(rng_() % static_cast<std::uint64_t>(n)) : 0);
  if (stack_.size() != i) stack_.resize(i);
  stack_.push_back(c);
  return c.chosen;
}

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
    thread_mask cand = 0;
    switch (opt_.search) {
      case search_kind::dfs:
        cand = c.enabled & ~c.done;
        break;
      case search_kind::dpor:
        cand = (c.above_split ? c.enabled : c.backtrack) & c.enabled & ~c.done & ~c.sleep;
        break;
      case search_kind::bounded:
        for (thread_mask m = c.enabled & ~c.done; m; m &= m - 1) {
          int q = lowest(m);
          bool preempt = c.prev >= 0 && q != c.prev && (c.enabled & bit(c.prev));
          if (c.preemptions + (preempt ? 1 : 0) <= opt_.preemption_bound) cand |= bit(q);
        }
        break;
      default:
        break;
    }
    if (cand) {
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

// ---- DPOR ---------------------------------------------------------------------------------------

int engine::find_candidates(int p, const step_desc& d, const vclock& pre, int* cand) {
  int ncand = 0;
  struct count_on_exit {
    engine* e;
    const step_desc& d;
    int& n;
    int before;
    ~count_on_exit() {
      if (e->race_stats_ && n > before)
        for (int i = 0; i < d.n; ++i) e->race_counts_[std::string(d.a[i].obj->name) + " / " + d.label] += n - before;
    }
  } counter{this, d, ncand, 0};
  auto unordered = [&](int f) {
    return f >= 0 && events_[f].thread != p && !pre.covers(events_[f].thread, events_[f].tindex);
  };
  auto rec_on = [&](int g, const object* o) -> const event::acc_rec* {
    const event& G = events_[g];
    for (int k = 0; k < G.n; ++k)
      if (G.a[k].obj == o) return &G.a[k];
    return nullptr;
  };
  thread_rec& t = th_[p];
  for (int i = 0; i < d.n; ++i) {
    const access& a = d.a[i];
    object& o = *a.obj;
    if (a.blocks() || d.kind == step_kind::user_await || d.kind == step_kind::park) {
      // A blocking step (lock acquire, park, completion wait, join, await): its race partner is
      // the latest unordered conflicting access of another thread before which it could have
      // run. The accesses that merely enabled it cannot be reversed, so the walk goes past them.
      // "Could have run" is judged in the state before that access with the events that do not
      // depend on it moved ahead: by the value predicate, by the await's own predicate, or, for
      // a timed park, by a permit to consume or a timeout left to fire.
      const bool is_read = a.type == acc::read;
      for (int g = is_read ? o.last_write : o.last_access; g >= 0;) {
        if (!unordered(g)) break;
        bool reversible;
        if (d.kind == step_kind::user_await)
          reversible = await_could_run_before(g, p);
        else if (d.kind == step_kind::park && d.timed && opt_.timeouts)
          reversible = value_before_reordering(t.permit, g) == 1 || value_before_reordering(timeout_budget_, g) > 0;
        else
          reversible = a.allows(value_before_reordering(o, g));
        if (reversible) {
          cand[ncand++] = g;
          break;
        }
        const event::acc_rec* r = rec_on(g, &o);
        g = r ? r->prev : -1;
        if (is_read)
          while (g >= 0 && rec_on(g, &o) && rec_on(g, &o)->type == acc::read) g = rec_on(g, &o)->prev;
      }
    } else if (a.type == acc::read) {
      if (unordered(o.last_write)) cand[ncand++] = o.last_write;
    } else if (o.readers & ~bit(p)) {
      for (thread_mask m = o.readers & ~bit(p); m; m &= m - 1) {
        int r = o.reads[lowest(m)];
        if (unordered(r)) cand[ncand++] = r;
      }
    } else if (!o.readers && unordered(o.last_write)) {
      cand[ncand++] = o.last_write;
    }
  }
  return ncand;
}

void engine::dpor_record() {
  const int idx = static_cast<int>(events_.size());
  thread_rec& t = th_[cur_];
  const step_desc& d = *t.pending;
  const int p = cur_;
  event& ev = events_.emplace_back();
  ev.thread = static_cast<std::int8_t>(p);
  ev.kind = d.kind;
  ev.n = d.n;
  ev.choice = t.scheduled_at;
  ev.tindex = ++t.nevents;
  const vclock pre = t.dclock;
  vclock c = pre;
  const bool analyse = ev.choice >= static_cast<int>(replay_end_) - 1;
  for (int i = 0; i < d.n; ++i) {
    const access& a = d.a[i];
    ev.a[i] = {a.obj, a.type, a.obj->last_access, vals_[i][0], vals_[i][1]};
  }

  // Candidates for reversible races, found before this event joins its predecessors' clocks.
  int cand[max_accesses * max_threads];
  const int ncand = analyse ? find_candidates(p, d, pre, cand) : 0;

  for (int i = 0; i < d.n; ++i) {
    object& o = *d.a[i].obj;
    if (o.last_write >= 0) c.join(events_[o.last_write].clock);
    if (d.a[i].type == acc::read) {
      o.reads[p] = idx;
      o.readers |= bit(p);
    } else {
      for (thread_mask m = o.readers; m; m &= m - 1) c.join(events_[o.reads[lowest(m)]].clock);
      o.last_write = idx;
      o.readers = 0;
    }
    o.last_access = idx;
  }
  // A step that freed memory depends on every earlier access to an object inside it; those of
  // other threads not already ordered before it are races to reverse (access before free versus
  // free before access).
  int frace[64];
  int nfrace = 0;
  if (!freeing_.empty()) {
    ev.freed_at = static_cast<std::int32_t>(event_regions_.size());
    ev.nfreed = static_cast<std::uint16_t>(freeing_.size());
    event_regions_.insert(event_regions_.end(), freeing_.begin(), freeing_.end());
  }
  for (const region& r : freeing_)
    for (int g = 0; g < idx; ++g) {
      const event& G = events_[g];
      for (int k = 0; k < G.n; ++k) {
        const object* o = G.a[k].obj;
        auto* a = static_cast<const char*>(o->home ? o->home : static_cast<const void*>(o));
        if (a < r.begin || a >= r.end) continue;
        c.join(G.clock);
        if (analyse && G.thread != p && !pre.covers(G.thread, G.tindex) && nfrace < 64) frace[nfrace++] = g;
        break;
      }
    }
  freeing_.clear();
  c[p] = ev.tindex;
  ev.clock = c;
  t.dclock = c;
  t.last_event = idx;
  for (int k = 0; k < ncand; ++k) race(cand[k], idx);
  for (int k = 0; k < nfrace; ++k) race(frace[k], idx);
}

// At the end of an execution (or where it was cut short), a thread still waiting in a blocking
// step never produced an event, yet writes that came before it may have disabled it: it could have
// run before them. Each waiting step is analysed as if it ran next, without being recorded.
void engine::dpor_blocked_threads() {
  for (int p = 0; p < nthreads_; ++p) {
    thread_rec& t = th_[p];
    if (t.finished || !t.pending) continue;
    const step_desc& d = *t.pending;
    if (d.kind != step_kind::user_await && d.kind != step_kind::park) {
      bool blocking = false;
      for (int i = 0; i < d.n; ++i) blocking |= d.a[i].blocks();
      if (!blocking) continue;
    }
    if (enabled(p)) continue;
    const int idx = static_cast<int>(events_.size());
    event& ev = events_.emplace_back();
    ev.thread = static_cast<std::int8_t>(p);
    ev.kind = d.kind;
    ev.n = d.n;
    ev.choice = static_cast<std::int32_t>(pos_);
    ev.tindex = t.nevents + 1;
    for (int i = 0; i < d.n; ++i)
      ev.a[i] = {d.a[i].obj, d.a[i].type, d.a[i].obj->last_access, d.a[i].obj->value, d.a[i].obj->value};
    ev.clock = t.dclock;
    int cand[max_accesses * max_threads];
    const int ncand = find_candidates(p, d, t.dclock, cand);
    for (int k = 0; k < ncand; ++k) race(cand[k], idx);
    events_.pop_back();
  }
}

bool engine::conflicts(const event& a, const event& b) const {
  for (int i = 0; i < a.n; ++i)
    for (int j = 0; j < b.n; ++j)
      if (a.a[i].obj == b.a[j].obj && (a.a[i].type != acc::read || b.a[j].type != acc::read)) return true;
  auto frees = [this](const event& x, const event& y) {
    for (int k = 0; k < x.nfreed; ++k) {
      const region& r = event_regions_[static_cast<std::size_t>(x.freed_at + k)];
      for (int j = 0; j < y.n; ++j) {
        const object* o = y.a[j].obj;
        auto* p = static_cast<const char*>(o->home ? o->home : static_cast<const void*>(o));
        if (p >= r.begin && p < r.end) return true;
      }
    }
    return false;
  };
  return frees(a, b) || frees(b, a);
}

void engine::race(int f, int e) {
  const event& F = events_[f];
  const event& E = events_[e];
  if (F.choice < 0 || stack_[F.choice].above_split) return;  // every alternative is explored there anyway
  choice& c = stack_[F.choice];
  // v = the events after F not ordered after it, then E: the threads that can start v from the
  // state before F are its initials.
  std::uint32_t first[max_threads];
  thread_mask seen = 0, initials = 0;
  v_scratch_.clear();
  for (int g = f + 1; g < e; ++g) {
    const event& G = events_[g];
    if (G.clock.covers(F.thread, F.tindex)) continue;
    v_scratch_.push_back(g);
    const int q = G.thread;
    if (seen & bit(q)) continue;
    bool initial = true;
    for (thread_mask m = seen; m; m &= m - 1) {
      int r = lowest(m);
      if (G.clock[r] >= first[r]) {
        initial = false;
        break;
      }
    }
    seen |= bit(q);
    first[q] = G.tindex;
    if (initial) initials |= bit(q);
  }
  if (!(seen & bit(E.thread))) {
    // E moved before F need not be the event it was: a timed park may time out there, a lock or
    // await may be enabled by other writes. So E's place in v is judged by its direct conflicts
    // with the other threads' events of v, not by its clock (which holds what enabled it in this
    // execution, possibly after F).
    bool initial = true;
    for (int g : v_scratch_)
      if (events_[g].thread != E.thread && conflicts(E, events_[g])) {
        initial = false;
        break;
      }
    if (initial) initials |= bit(E.thread);
  }
  if (debug_)
    std::fprintf(stderr, "  race ev%d -> ev%d at [%d]: initials %x backtrack %x\n", f, e, F.choice, initials,
                 c.backtrack);
  if (initials & c.backtrack) return;
  if (!initials) return;
  int q = (initials & bit(E.thread)) ? E.thread : lowest(initials);
  if (c.enabled & bit(q))
    c.backtrack |= bit(q);
  else
    c.backtrack |= c.enabled;  // conservative fallback (Flanagan-Godefroid)
}

// ---- operations ---------------------------------------------------------------------------------

void engine::hb_acquire(const object& o) { th_[cur_].hb.join(o.sync); }

void engine::hb_release(object& o) {
  thread_rec& t = th_[cur_];
  o.sync = t.hb;
  t.hb[cur_]++;
}

void engine::hb_release_join(object& o) {
  thread_rec& t = th_[cur_];
  o.sync.join(t.hb);
  t.hb[cur_]++;
}

void engine::hb_relaxed_store(object& o) { o.sync = th_[cur_].rel_fence; }

void engine::hb_relaxed_load(const object& o) { th_[cur_].acq_pending.join(o.sync); }

void engine::hb_fence(bool acquire, bool release) {
  thread_rec& t = th_[cur_];
  if (acquire) t.hb.join(t.acq_pending);
  if (release) {
    t.rel_fence = t.hb;
    t.hb[cur_]++;
  }
}

void engine::plain_access_slow(plain_meta& m, bool write, const srcloc& loc, const void* addr, value_formatter fmt,
                               const void* value) {
  touch(m);
  if (!freed_.empty()) check_freed(addr, m.name, loc);
  const int t = cur_;
  thread_rec& r = th_[t];
  const srcloc& l = loc.line() ? loc : r.last_loc;
  if (tracing_) {
    trace_step s;
    s.step = steps_;
    s.thread = t;
    s.visible = false;
    s.op = write ? "write" : "read";
    s.object = object_name(m.name, m.instance);
    s.detail = fmt ? (write ? "= " : "") + fmt(value) : std::string();
    s.location = loc_text(l);
    s.function = short_function(l.function_name());
    trace_.push_back(std::move(s));
  }
  auto report = [&](int other, bool other_write, const srcloc& other_loc) {
    fail(failure_kind::data_race,
         "data race on " + object_name(m.name, m.instance) + ": " + (write ? "write" : "read") + " by T" +
             std::to_string(t) + " at " + loc_text(l) + " and " + (other_write ? "write" : "read") + " by T" +
             std::to_string(other) + " at " + loc_text(other_loc) + " are not ordered by happens-before",
         l);
  };
  if (m.w_thread >= 0 && m.w_thread != t && m.w_clock > r.hb[m.w_thread]) report(m.w_thread, true, m.w_loc);
  if (write) {
    if (m.r_thread >= 0 && m.r_thread != t && m.r_clock > r.hb[m.r_thread]) report(m.r_thread, false, m.r_loc);
    if (m.r_thread == -2) {
      const read_set& rs = read_sets_[m.r_clock];
      for (thread_mask k = rs.readers & ~bit(t); k; k &= k - 1) {
        int u = lowest(k);
        if (rs.clock[u] > r.hb[u]) report(u, false, rs.loc[u]);
      }
    }
    m.w_thread = static_cast<std::int8_t>(t);
    m.w_clock = r.hb[t];
    m.w_loc = l;
    m.r_thread = -1;
  } else if (m.r_thread == -2) {
    read_set& rs = read_sets_[m.r_clock];
    rs.clock[t] = r.hb[t];
    rs.loc[t] = l;
    rs.readers |= bit(t);
  } else if (m.r_thread == -1 || m.r_thread == t || m.r_clock <= r.hb[m.r_thread]) {
    m.r_thread = static_cast<std::int8_t>(t);
    m.r_clock = r.hb[t];
    m.r_loc = l;
  } else {
    // A second reader not ordered after the first: keep both in a read set.
    read_set& rs = read_sets_.emplace_back();
    const int u = m.r_thread;
    rs.readers = bit(u) | bit(t);
    rs.clock[u] = m.r_clock;
    rs.loc[u] = m.r_loc;
    rs.clock[t] = r.hb[t];
    rs.loc[t] = l;
    m.r_thread = -2;
    m.r_clock = static_cast<std::uint32_t>(read_sets_.size() - 1);
  }
}

int engine::spawn(std::function<void()> body, const char* name, bool daemon, const srcloc& loc) {
  if (nthreads_ >= max_threads)
    fail(failure_kind::too_many_threads, "more than " + std::to_string(max_threads) + " threads in one execution", loc);
  step_desc d;
  d.kind = step_kind::spawn;
  d.label = "spawn";
  d.loc = loc;
  begin(d);
  int parent = cur_;
  end();
  int c = new_thread(std::move(body), name, daemon, parent);
  if (tracing_) trace_.back().detail = "T" + std::to_string(c) + (daemon ? " (daemon)" : "");
  start_thread(c);
  return c;
}

void engine::join(int thread, const srcloc& loc) {
  step_desc d;
  d.label = "join";
  d.loc = loc;
  d.may_block = true;
  d.n = 1;
  d.a[0] = {&th_[thread].handle, acc::read, until::one, nullptr, nullptr};
  begin(d);
  values(0, 1, 1);
  hb_acquire(th_[thread].handle);
  end();
}

void engine::set_daemon(bool d) {
  if (cur_ >= 0) th_[cur_].daemon = d;
}

object& engine::permit_of(int thread) { return th_[thread].permit; }

bool engine::park(bool timed, const srcloc& loc, const char* label) {
  thread_rec& t = th_[cur_];
  step_desc d;
  d.kind = step_kind::park;
  d.label = label;
  d.loc = loc;
  d.may_block = true;
  d.timed = timed;
  d.n = 1;
  d.a[0] = {&t.permit, acc::rmw, until::one, nullptr, nullptr};
  if (timed && opt_.timeouts) {
    d.n = 2;
    d.a[1] = {&timeout_budget_, acc::rmw, until::positive, nullptr, nullptr};
  }
  begin(d);
  bool woken = t.permit.value == 1;
  if (woken) {
    // With timeouts on, the wakeup also read the budget: had a timeout been left and fired
    // first, this park would have ended differently.
    if (d.n == 2) {
      d.a[1] = {&timeout_budget_, acc::read, until::positive, nullptr, nullptr};
      values(1, timeout_budget_.value, timeout_budget_.value);
    }
    t.permit.value = 0;
    values(0, 1, 0);
    hb_acquire(t.permit);
  } else {
    std::uint64_t b = timeout_budget_.value;
    timeout_budget_.value = b - 1;
    d.n = 2;
    d.a[0] = {&t.permit, acc::read, until::zero, nullptr, nullptr};
    values(0, 0, 0);
    values(1, b, b - 1);
  }
  end();
  if (tracing_) trace_.back().detail = woken ? "woken" : "timed out";
  return woken;
}

bool engine::unpark(int thread, const srcloc& loc, const char* label) {
  object& pm = th_[thread].permit;
  step_desc d;
  d.label = label;
  d.loc = loc;
  d.n = 1;
  d.a[0] = {&pm, acc::rmw, until::none, nullptr, nullptr};
  begin(d);
  std::uint64_t old = pm.value;
  pm.value = 1;
  values(0, old, 1);
  hb_release_join(pm);
  end();
  return old == 0;
}

int engine::choose(int n, const srcloc& loc, const char* label) {
  step_desc d;
  d.kind = step_kind::choose;
  d.label = label;
  d.loc = loc;
  begin(d);
  int v = decide_value(n);
  end();
  if (tracing_) trace_.back().detail = "-> " + std::to_string(v) + " of " + std::to_string(n);
  return v;
}

void engine::await(bool (*pred)(void*), void* ctx, object* const* watched, int n, const srcloc& loc,
                   const char* label) {
  if (n < 1 || n > max_accesses)
    fail(failure_kind::assertion, "an await watches 1 to " + std::to_string(max_accesses) + " objects", loc);
  step_desc d;
  d.kind = step_kind::user_await;
  d.n = static_cast<std::uint8_t>(n);
  for (int i = 0; i < n; ++i) d.a[i] = {watched[i], acc::read, until::none, nullptr, nullptr};
  d.label = label;
  d.loc = loc;
  d.may_block = true;
  d.user_pred = pred;
  d.user_ctx = ctx;
  begin(d);
  for (int i = 0; i < d.n; ++i) {
    values(i, d.a[i].obj->value, d.a[i].obj->value);
    hb_acquire(*d.a[i].obj);
  }
  end();
}

void engine::rcu_read_lock() { th_[cur_].rcu_depth++; }

void engine::rcu_read_unlock() {
  thread_rec& t = th_[cur_];
  if (t.rcu_depth <= 0) fail(failure_kind::lock_misuse, "rcu_read_unlock without rcu_read_lock", t.last_loc);
  bool ends_grace_period = false;
  if (t.rcu_depth == 1)
    for (const auto& r : rcu_pending_) ends_grace_period |= (r.waiting & bit(cur_)) != 0;
  if (!ends_grace_period) {
    if (--t.rcu_depth == 0) rcu_done_.join(t.hb);
    return;
  }
  // This unlock may end grace periods that frees wait for: a step of its own.
  step_desc d;
  d.label = "rcu_read_unlock";
  d.loc = t.last_loc;
  d.rcu_unlock = true;
  begin(d);
  t.rcu_depth = 0;
  rcu_done_.join(t.hb);
  for (std::size_t i = 0; i < rcu_pending_.size();) {
    rcu_pending& r = rcu_pending_[i];
    r.waiting &= ~bit(cur_);
    if (r.waiting == 0) {
      vclock clk = r.clock;
      clk.join(rcu_done_);
      rcu_pending done = r;
      rcu_pending_.erase(rcu_pending_.begin() + static_cast<std::ptrdiff_t>(i));
      effective_free(done.begin, done.end, done.loc, clk);
    } else {
      ++i;
    }
  }
  end();
}

void engine::effective_free(const char* b, const char* e, const srcloc& loc, const vclock& clock) {
  // Plain fields inside: every access of another thread must happen before the free.
  for (plain_meta* m : plains_) {
    auto* a = static_cast<const char*>(m->home ? m->home : static_cast<const void*>(m));
    if (a < b || a >= e || m->epoch != epoch_) continue;
    auto report = [&](int other, bool wrote, const srcloc& ol) {
      fail(failure_kind::use_after_free,
           "free of " + object_name(m->name, m->instance) + " at " + loc_text(loc) + " is not ordered after the " +
               (wrote ? "write" : "read") + " by T" + std::to_string(other) + " at " + loc_text(ol),
           loc);
    };
    if (m->w_thread >= 0 && m->w_thread != cur_ && m->w_clock > clock[m->w_thread]) report(m->w_thread, true, m->w_loc);
    if (m->r_thread >= 0 && m->r_thread != cur_ && m->r_clock > clock[m->r_thread])
      report(m->r_thread, false, m->r_loc);
    if (m->r_thread == -2) {
      const read_set& rs = read_sets_[m->r_clock];
      for (thread_mask k = rs.readers & ~bit(cur_); k; k &= k - 1) {
        int u = lowest(k);
        if (rs.clock[u] > clock[u]) report(u, false, rs.loc[u]);
      }
    }
  }
  freed_.push_back({b, e, loc});
  if (keep_events_) freeing_.push_back({b, e});
}

void engine::free_now(const void* p, std::size_t n, const srcloc& loc, const char* label) {
  auto* b = static_cast<const char*>(p);
  step_desc d;
  d.label = label;
  d.loc = loc;
  d.free_begin = b;
  d.free_end = b + n;
  begin(d);
  check_freed(p, "object", loc);  // double free
  effective_free(b, b + n, loc, th_[cur_].hb);
  end();
}

void engine::free_after_grace_period(const void* p, std::size_t n, const srcloc& loc, const char* label) {
  auto* b = static_cast<const char*>(p);
  step_desc d;
  d.label = label;
  d.loc = loc;
  d.free_begin = b;
  d.free_end = b + n;
  begin(d);
  check_freed(p, "object", loc);
  for (const auto& r : rcu_pending_)
    if (b < r.end && r.begin < b + n)
      fail(failure_kind::use_after_free, "kfree_rcu of an object already queued for it", loc);
  thread_mask readers = 0;
  for (int t = 0; t < nthreads_; ++t)
    if (!th_[t].finished && th_[t].rcu_depth > 0) readers |= bit(t);
  if (!readers) {
    vclock clk = th_[cur_].hb;
    clk.join(rcu_done_);
    effective_free(b, b + n, loc, clk);
  } else {
    rcu_pending_.push_back({b, b + n, loc, readers, th_[cur_].hb});
  }
  end();
}

void engine::check_freed(const void* addr, const char* what, const srcloc& loc) {
  auto* a = static_cast<const char*>(addr);
  for (const auto& r : freed_)
    if (a >= r.begin && a < r.end)
      fail(failure_kind::use_after_free,
           std::string("access to ") + (what ? what : "object") + " after it was freed at " + loc_text(r.loc), loc);
}

void engine::dump_execution() const {
  std::fprintf(stderr, "execution %llu:%s%s%s\n", static_cast<unsigned long long>(execs_), pruned_ ? " pruned" : "",
               failure_ ? " FAILED: " : "", failure_ ? failure_->message.c_str() : "");
  for (std::size_t i = 0; i < stack_.size() && i < pos_; ++i) {
    const choice& c = stack_[i];
    std::fprintf(stderr, "  [%zu] %s %d en=%x done=%x bt=%x sleep=%x\n", i, c.kind == choice_kind::thread ? "T" : "V",
                 c.chosen, c.enabled, c.done, c.backtrack, c.sleep);
  }
  for (std::size_t i = 0; i < events_.size(); ++i) {
    const event& ev = events_[i];
    std::fprintf(stderr, "  ev%zu T%d@%d", i, ev.thread, ev.choice);
    for (int k = 0; k < ev.n; ++k)
      std::fprintf(stderr, " %s%s:%llu->%llu", ev.a[k].obj->name,
                   ev.a[k].type == acc::read    ? "(r)"
                   : ev.a[k].type == acc::write ? "(w)"
                                                : "(rw)",
                   static_cast<unsigned long long>(ev.a[k].old_v), static_cast<unsigned long long>(ev.a[k].new_v));
    std::fprintf(stderr, "\n");
  }
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

// ---- marked accesses to raw memory (chk/shadow.h) -------------------------------------------------

void engine::marked_access(plain_meta& m, marked_meta& k, bool write, const srcloc& loc) {
  touch(m);
  if (k.epoch != epoch_) {
    k.epoch = epoch_;
    k.w_thread = -1;
    k.readers = 0;
  }
  const int t = cur_;
  thread_rec& r = th_[t];
  const srcloc& l = loc.line() ? loc : r.last_loc;
  auto report = [&](int other, bool other_write, const srcloc& other_loc) {
    fail(failure_kind::data_race,
         "data race on " + object_name(m.name, m.instance) + ": marked " + (write ? "write" : "read") + " by T" +
             std::to_string(t) + " at " + loc_text(l) + " and plain " + (other_write ? "write" : "read") + " by T" +
             std::to_string(other) + " at " + loc_text(other_loc) + " are not ordered by happens-before",
         l);
  };
  // Against the plain accesses only: a plain write always, plain reads when this one writes.
  if (m.w_thread >= 0 && m.w_thread != t && m.w_clock > r.hb[m.w_thread]) report(m.w_thread, true, m.w_loc);
  if (write) {
    if (m.r_thread >= 0 && m.r_thread != t && m.r_clock > r.hb[m.r_thread]) report(m.r_thread, false, m.r_loc);
    if (m.r_thread == -2) {
      const read_set& rs = read_sets_[m.r_clock];
      for (thread_mask q = rs.readers & ~bit(t); q; q &= q - 1) {
        int u = lowest(q);
        if (rs.clock[u] > r.hb[u]) report(u, false, rs.loc[u]);
      }
    }
    k.w_thread = static_cast<std::int8_t>(t);
    k.w_clock = r.hb[t];
    k.w_loc = l;
  } else {
    k.readers |= bit(t);
    k.r_clock[t] = r.hb[t];
    k.r_loc[t] = l;
  }
}

void engine::plain_access_beside_marked(plain_meta& m, const marked_meta& k, bool write, const srcloc& loc,
                                        const void* addr) {
  plain_access_slow(m, write, loc, addr, nullptr, nullptr);
  if (k.epoch != epoch_) return;
  const int t = cur_;
  thread_rec& r = th_[t];
  const srcloc& l = loc.line() ? loc : r.last_loc;
  auto report = [&](int other, bool other_write, const srcloc& other_loc) {
    fail(failure_kind::data_race,
         "data race on " + object_name(m.name, m.instance) + ": plain " + (write ? "write" : "read") + " by T" +
             std::to_string(t) + " at " + loc_text(l) + " and marked " + (other_write ? "write" : "read") + " by T" +
             std::to_string(other) + " at " + loc_text(other_loc) + " are not ordered by happens-before",
         l);
  };
  if (k.w_thread >= 0 && k.w_thread != t && k.w_clock > r.hb[k.w_thread]) report(k.w_thread, true, k.w_loc);
  if (write)
    for (thread_mask q = k.readers & ~bit(t); q; q &= q - 1) {
      int u = lowest(q);
      if (k.r_clock[u] > r.hb[u]) report(u, false, k.r_loc[u]);
    }
}

}  // namespace chk
