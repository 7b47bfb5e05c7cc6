// The operations of the runtime interface (chk/runtime.h) other than begin/end: happens-before,
// plain and marked accesses, threads, park/unpark, choices, awaits, RCU and frees.
#include <string>

#include "engine.h"
#include "util.h"

namespace chk {

namespace {

// Reports, through report(thread, wrote, loc), the accesses recorded in m by threads other than t
// that are not ordered before `clock`: the last write, and the reads too when `write`.
template <class Report>
void unordered_plain_accesses(const plain_meta& m, int t, const vclock& clock, bool write,
                              const std::vector<read_set>& read_sets, Report report) {
  if (m.w_thread >= 0 && m.w_thread != t && m.w_clock > clock[m.w_thread]) report(m.w_thread, true, m.w_loc);
  if (!write) return;
  if (m.r_thread >= 0 && m.r_thread != t && m.r_clock > clock[m.r_thread]) report(m.r_thread, false, m.r_loc);
  if (m.r_thread == -2) {
    const read_set& rs = read_sets[m.r_clock];
    for (thread_mask k = rs.readers & ~bit(t); k; k &= k - 1) {
      int u = lowest(k);
      if (rs.clock[u] > clock[u]) report(u, false, rs.loc[u]);
    }
  }
}

}  // namespace

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

void engine::race_on(const plain_meta& m, const race_side& mine, const race_side& theirs) {
  auto side = [](const race_side& x) {
    return std::string(x.kind) + (x.write ? "write" : "read") + " by T" + std::to_string(x.thread) + " at " +
           loc_text(x.loc);
  };
  fail(failure_kind::data_race,
       "data race on " + object_name(m.name, m.instance) + ": " + side(mine) + " and " + side(theirs) +
           " are not ordered by happens-before",
       mine.loc);
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
    race_on(m, {"", write, t, l}, {"", other_write, other, other_loc});
  };
  unordered_plain_accesses(m, t, r.hb, write, read_sets_, report);
  if (write) {
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
  step_desc d = step_desc::on(pm, acc::rmw, label, loc);
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
  if (opt_.count_outcomes) th_[cur_].history = mix(th_[cur_].history, static_cast<std::uint64_t>(v) + 7);
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
  // Non-preemptible: the thread is still in a non-sleeping stretch, which grace periods wait for
  // until its next quiescent state (rcu_quiescent); the unlock ends none of them.
  bool ends_grace_period = false;
  if (t.rcu_depth == 1 && opt_.rcu == rcu_flavour::preemptible)
    for (const auto& r : rcu_pending_) ends_grace_period |= (r.waiting & bit(cur_)) != 0;
  if (!ends_grace_period) {
    if (--t.rcu_depth == 0) {
      rcu_done_.join(t.hb);
      // What the thread does from here on is outside the section: a grace period that ends later
      // is not ordered after it.
      if (opt_.rcu == rcu_flavour::preemptible) t.hb[cur_]++;
    }
    return;
  }
  // This unlock may end grace periods that frees wait for: a step of its own.
  step_desc d;
  d.label = "rcu_read_unlock";
  d.loc = t.last_loc;
  d.rcu_unlock = true;
  begin(d);
  t.rcu_depth = 0;
  rcu_leave_grace_periods();
  t.hb[cur_]++;  // as above: what follows is outside the section
  end();
}

void engine::rcu_leave_grace_periods() {
  thread_rec& t = th_[cur_];
  const bool preemptible = opt_.rcu == rcu_flavour::preemptible;
  rcu_done_.join(t.hb);
  for (std::size_t i = 0; i < rcu_pending_.size();) {
    rcu_pending& r = rcu_pending_[i];
    if (!preemptible && (r.waiting & bit(cur_))) r.clock.join(t.hb);
    r.waiting &= ~bit(cur_);
    if (r.waiting == 0) {
      // Preemptible: ordered after every read-side section ended by now. Non-preemptible: after
      // what r.clock gathered, not after the stretches that began once the grace period had.
      vclock clk = r.clock;
      if (preemptible) clk.join(rcu_done_);
      rcu_pending done = r;
      rcu_pending_.erase(rcu_pending_.begin() + static_cast<std::ptrdiff_t>(i));
      effective_free(done.begin, done.end, done.loc, clk);
    } else {
      ++i;
    }
  }
}

// Non-preemptible RCU: the current thread is about to sleep (a step that may block) or to exit,
// a quiescent state. Its accesses so far are ordered before every grace period that ends from now
// on, and its later ones are not (its clock moves on). When a pending grace period waits for it,
// leaving it is a step of its own (it may end the grace period and free memory), like an
// rcu_read_unlock that ends one under preemptible RCU.
void engine::rcu_quiescent(const srcloc& loc) {
  thread_rec& t = th_[cur_];
  bool waited = false;
  for (const auto& r : rcu_pending_) waited |= (r.waiting & bit(cur_)) != 0;
  if (!waited) {
    rcu_done_.join(t.hb);
    t.hb[cur_]++;
    return;
  }
  step_desc d;
  d.label = "rcu quiescent state (schedule)";
  d.loc = loc;
  d.rcu_unlock = true;
  begin(d);
  rcu_leave_grace_periods();
  t.hb[cur_]++;
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
    unordered_plain_accesses(*m, cur_, clock, true, read_sets_, report);
  }
  freed_.push_back({b, e, loc});
  strat_->memory_freed(b, e);
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
  d.rcu_call = true;
  begin(d);
  check_freed(p, "object", loc);
  for (const auto& r : rcu_pending_)
    if (b < r.end && r.begin < b + n)
      fail(failure_kind::use_after_free, "kfree_rcu of an object already queued for it", loc);
  thread_mask readers = 0;
  for (int t = 0; t < nthreads_; ++t)
    if (!th_[t].finished && th_[t].rcu_depth > 0) readers |= bit(t);
  vclock clk = th_[cur_].hb;
  if (opt_.rcu == rcu_flavour::non_preemptible) {
    // Every thread in a non-sleeping stretch, the caller included: the ones not at a sleep point.
    readers |= bit(cur_);
    for (int t = 0; t < nthreads_; ++t) {
      const thread_rec& r = th_[t];
      if (r.started && !r.finished && !(r.pending && r.pending->may_block)) readers |= bit(t);
    }
    clk.join(rcu_done_);
  }
  if (!readers) {
    clk.join(rcu_done_);
    effective_free(b, b + n, loc, clk);
  } else {
    rcu_pending_.push_back({b, b + n, loc, readers, clk});
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
    race_on(m, {"marked ", write, t, l}, {"plain ", other_write, other, other_loc});
  };
  // Against the plain accesses only: a plain write always, plain reads when this one writes.
  unordered_plain_accesses(m, t, r.hb, write, read_sets_, report);
  if (write) {
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
    race_on(m, {"plain ", write, t, l}, {"marked ", other_write, other, other_loc});
  };
  if (k.w_thread >= 0 && k.w_thread != t && k.w_clock > r.hb[k.w_thread]) report(k.w_thread, true, k.w_loc);
  if (write)
    for (thread_mask q = k.readers & ~bit(t); q; q &= q - 1) {
      int u = lowest(q);
      if (k.r_clock[u] > r.hb[u]) report(u, false, k.r_loc[u]);
    }
}

}  // namespace chk
