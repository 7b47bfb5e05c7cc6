// Source-set DPOR with sleep sets (Flanagan and Godefroid, POPL 2005; Abdulla et al., POPL 2014):
// one execution per Mazurkiewicz trace of the visible operations, give or take the redundant ones
// sleep sets cut short (counted as pruned).
//
// Every executed step is recorded as an event with its accesses and a dependence clock. When a step
// races with an earlier one of another thread (they conflict and are not ordered by dependence),
// the choice before the earlier one gets a backtrack point: an initial of the reversed order.
// Blocking steps (locks, parks, awaits, joins) race with the latest conflicting access before which
// they could have run, judged in the state where the events independent of that access moved
// ahead. Frees conflict with every access inside the freed memory, except, for a free at the end
// of a grace period, the accesses ordered before its kfree_rcu call (the free cannot precede
// them); the call itself is that free's race partner.
//
// Non-preemptible RCU (options::rcu): which threads a kfree_rcu waits for depends on which ones
// are at a sleep point when it is called, so the call conflicts with the steps that end a sleep
// or start a thread (a step that may block, a spawn): in one order the thread's next stretch is
// waited for, in the other it is not.
//
// With split_depth > 0, every alternative of the choices down to the split_depth-th branching
// choice is explored with no reduction (the subtrees below are independent, so shards add up).
#include <cstdio>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "engine.h"
#include "search/strategy.h"
#include "util.h"

namespace chk {

namespace {

// One executed visible operation. Constructed without zeroing: dpor_record fills every field it
// reads.
struct event {
  event() {}
  std::int8_t thread = 0;
  step_kind kind = step_kind::normal;
  std::uint8_t n = 0;
  std::uint32_t tindex = 0;  // 1-based index among its thread's events
  std::int32_t choice = -1;  // index of the scheduling choice that ran it
  struct acc_rec {
    object* obj;
    acc type;
    std::int32_t prev;  // previous event on the same object
    std::uint64_t old_v, new_v;
  } a[max_accesses];
  vclock clock;                // dependence clock
  std::int32_t freed_at = -1;  // regions freed by this step: event_regions_[freed_at, +nfreed)
  std::uint16_t nfreed = 0;
  // Non-preemptible RCU only: a kfree_rcu call / a step after which a non-sleeping stretch starts.
  bool gp_call = false;
  bool stretch = false;
  const char* label = "";  // the step's operation, for CHK_RACESTATS
  bool ran = true;         // false: a blocked thread's step, analysed as if it ran next
};

struct region {
  const char* begin;
  const char* end;
};

}  // namespace

class dpor_search final : public strategy {
 public:
  dpor_search(engine& e, const options& o)
      : strategy(e),
        split_depth_(o.split_depth),
        non_preemptible_(o.rcu == rcu_flavour::non_preemptible),
        frees_after_call_(o.dpor_frees_after_call) {
    const char* stats = std::getenv("CHK_RACESTATS");
    race_stats_ = stats != nullptr;
    race_stats_all_ = stats && std::string_view(stats) == "all";
    events_.reserve(256);
  }
  ~dpor_search() override {
    if (!race_stats_) return;
    std::vector<std::pair<std::uint64_t, std::string>> v;
    std::uint64_t added = 0;
    for (auto& [k, n] : race_counts_) {
      v.push_back({n, k});
      if (k.rfind("backtrack:", 0) == 0) added += n;
    }
    std::fprintf(stderr, "races %10llu  backtrack points added in all\n", static_cast<unsigned long long>(added));
    std::sort(v.rbegin(), v.rend());
    for (std::size_t i = 0; i < v.size() && (race_stats_all_ || i < 25); ++i)
      std::fprintf(stderr, "races %10llu  %s\n", static_cast<unsigned long long>(v[i].first), v[i].second.c_str());
  }

  std::string bounds() const override {
    std::string b = "dpor: all interleavings up to equivalence";
    if (split_depth_ > 0) b += " (the first " + std::to_string(split_depth_) + " branching choices fully branched)";
    return b;
  }

  int pick_thread(choice& c, std::size_t) override {
    c.sleep = c.above_split ? 0 : next_sleep_;
    const thread_mask eligible = c.enabled & ~c.sleep;
    if (!eligible) return prune;
    const int cur = e_.cur_;
    const int p = (cur >= 0 && (eligible & bit(cur))) ? cur : lowest(eligible);
    c.backtrack = c.above_split ? c.enabled : bit(p);
    return p;
  }
  int pick_value(choice& c, std::size_t) override {
    c.sleep = next_sleep_;
    return 0;
  }
  void chose(const choice& c) override { next_sleep_ = c.above_split ? 0 : filter_sleep(c.sleep, c.chosen); }
  void branched(const choice& c) override {
    if (c.kind == choice_kind::value)
      next_sleep_ = c.sleep;
    else
      next_sleep_ = c.above_split ? 0 : filter_sleep(c.sleep | (c.done & ~bit(c.chosen)), c.chosen);
  }
  thread_mask alternatives(const choice& c) const override {
    return (c.above_split ? c.enabled : c.backtrack) & c.enabled & ~c.done & ~c.sleep;
  }

  void execution_starts() override {
    next_sleep_ = 0;
    events_.clear();
    freeing_.clear();
    event_regions_.clear();
    rcu_calls_.clear();
    for (int t = 0; t < max_threads; ++t) last_gp_call_[t] = last_stretch_[t] = -1;
  }
  void step_ended() override { dpor_record(); }
  void memory_freed(const char* begin, const char* end) override { freeing_.push_back({begin, end}); }
  void threads_stopped() override { dpor_blocked_threads(); }
  bool hypothetical_value(const object& o, std::uint64_t& v) override {
    if (hyp_g_ < 0) return false;
    v = value_before_reordering(o, hyp_g_);
    return true;
  }
  void dump() const override;

 private:
  bool dependent(int tx, const step_desc& x, int ty, const step_desc& y) const;
  bool frees_object_of(int tx, const step_desc& x, const step_desc& y) const;
  thread_mask filter_sleep(thread_mask s, int p) const;
  void dpor_record();
  int find_candidates(int p, const step_desc& d, const vclock& pre, int* cand);
  void dpor_blocked_threads();
  bool await_could_run_before(int g, int e_thread);
  std::uint64_t value_before_reordering(const object& o, int g);
  bool conflicts(const event& a, const event& b) const;
  // c joins event g's clock. A clock that already covers g covers everything g's clock does (an
  // event's clock is the join of its thread's previous clock and its dependences' clocks), so the
  // join is skipped then.
  void join_event(vclock& c, int g) const {
    const event& G = events_[g];
    if (!c.covers(G.thread, G.tindex)) c.join(G.clock);
  }
  bool starts_stretch(const step_desc& d) const {
    return non_preemptible_ && (d.may_block || d.kind == step_kind::spawn);
  }
  void race(int f, int e);

  int split_depth_;
  bool non_preemptible_;
  bool frees_after_call_;
  thread_mask next_sleep_ = 0;
  std::vector<event> events_;
  std::vector<region> freeing_;        // freed by the current step
  std::vector<region> event_regions_;  // regions freed by recorded events
  // kfree_rcu calls of this execution: the start of the region each queued, and its event.
  std::vector<std::pair<const char*, int>> rcu_calls_;
  std::vector<int> v_scratch_;
  // Per thread, its latest kfree_rcu call and its latest step that starts a stretch (events of
  // this execution, -1 none): non-preemptible RCU only.
  std::int32_t last_gp_call_[max_threads];
  std::int32_t last_stretch_[max_threads];
  int hyp_g_ = -1;               // >= 0 while evaluating an await in the state before event hyp_g_ (plus v)
  bool race_stats_ = false;      // CHK_RACESTATS: count race candidates per object and operation
  bool race_stats_all_ = false;  // CHK_RACESTATS=all: print every count, not the largest 25
  std::map<std::string, std::uint64_t> race_counts_;
};

std::unique_ptr<strategy> make_dpor(engine& e, const options& o) { return std::make_unique<dpor_search>(e, o); }

// The value `o` would have if the events after g that do not depend on g ran before g: the last
// write among them, or else the value just before g.
std::uint64_t dpor_search::value_before_reordering(const object& o, int g) {
  if (o.epoch != e_.epoch_) return o.value;
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

bool dpor_search::await_could_run_before(int g, int e_thread) {
  const step_desc& d = *e_.th_[e_thread].pending;
  hyp_g_ = g;
  e_.peeking_ = true;
  bool r = d.user_pred(d.user_ctx);
  e_.peeking_ = false;
  hyp_g_ = -1;
  return r;
}

bool dpor_search::frees_object_of(int tx, const step_desc& x, const step_desc& y) const {
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
    for (const auto& r : e_.rcu_pending_)
      if ((r.waiting & bit(tx)) && inside(r.begin, r.end)) return true;
  return false;
}

bool dpor_search::dependent(int tx, const step_desc& x, int ty, const step_desc& y) const {
  for (int i = 0; i < x.n; ++i)
    for (int j = 0; j < y.n; ++j)
      if (x.a[i].obj == y.a[j].obj && (x.a[i].type != acc::read || y.a[j].type != acc::read)) return true;
  if ((x.free_begin || x.rcu_unlock) && frees_object_of(tx, x, y)) return true;
  if ((y.free_begin || y.rcu_unlock) && frees_object_of(ty, y, x)) return true;
  if (non_preemptible_ && ((x.rcu_call && starts_stretch(y)) || (y.rcu_call && starts_stretch(x)))) return true;
  return false;
}

thread_mask dpor_search::filter_sleep(thread_mask s, int p) const {
  thread_mask out = s;
  for (thread_mask m = s; m; m &= m - 1) {
    int q = lowest(m);
    if (e_.th_[q].finished || !e_.th_[q].pending || dependent(q, *e_.th_[q].pending, p, *e_.th_[p].pending))
      out &= ~bit(q);
  }
  return out;
}

int dpor_search::find_candidates(int p, const step_desc& d, const vclock& pre, int* cand) {
  int ncand = 0;
  struct count_on_exit {
    dpor_search* e;
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
  auto& t = e_.th_[p];
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
        else if (d.kind == step_kind::park && d.timed && e_.opt_.timeouts)
          reversible = value_before_reordering(t.permit, g) == 1 || value_before_reordering(e_.timeout_budget_, g) > 0;
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

void dpor_search::dpor_record() {
  const int idx = static_cast<int>(events_.size());
  auto& t = e_.th_[e_.cur_];
  const step_desc& d = *t.pending;
  const int p = e_.cur_;
  event& ev = events_.emplace_back();
  ev.thread = static_cast<std::int8_t>(p);
  ev.kind = d.kind;
  ev.label = d.label;
  ev.n = d.n;
  ev.choice = t.scheduled_at;
  ev.tindex = ++t.nevents;
  const vclock pre = t.dclock;
  vclock c = pre;
  const bool analyse = ev.choice >= static_cast<int>(e_.replay_end_) - 1;
  for (int i = 0; i < d.n; ++i) {
    const access& a = d.a[i];
    ev.a[i] = {a.obj, a.type, a.obj->last_access, e_.vals_[i][0], e_.vals_[i][1]};
  }

  // Candidates for reversible races, found before this event joins its predecessors' clocks.
  int cand[max_accesses * max_threads];
  const int ncand = analyse ? find_candidates(p, d, pre, cand) : 0;

  // Non-preemptible RCU: a kfree_rcu call against the latest stretch start of every other thread,
  // and a stretch start against the latest call of every other thread.
  ev.gp_call = non_preemptible_ && d.rcu_call;
  ev.stretch = starts_stretch(d);
  int rcu_cand[max_threads];
  int nrcu = 0;
  if (ev.gp_call || ev.stretch) {
    const std::int32_t* other = ev.gp_call ? last_stretch_ : last_gp_call_;
    for (int q = 0; q < e_.nthreads_; ++q) {
      const int g = other[q];
      if (q == p || g < 0) continue;
      join_event(c, g);
      if (analyse && !pre.covers(events_[g].thread, events_[g].tindex)) rcu_cand[nrcu++] = g;
    }
    // A step that is both (none is today) would need both lists.
    (ev.gp_call ? last_gp_call_ : last_stretch_)[p] = idx;
  }

  for (int i = 0; i < d.n; ++i) {
    object& o = *d.a[i].obj;
    if (o.last_write >= 0) join_event(c, o.last_write);
    if (d.a[i].type == acc::read) {
      o.reads[p] = idx;
      o.readers |= bit(p);
    } else {
      for (thread_mask m = o.readers; m; m &= m - 1) join_event(c, o.reads[lowest(m)]);
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
  for (const region& r : freeing_) {
    // A free at the end of a grace period happens only after its kfree_rcu call K: an access
    // ordered before K can come after this free in no execution, so it is no race to reverse.
    // Whether this step frees depends on whether K came before it, so K itself is its race
    // partner (in the other order this thread's section ends before K, which then does not
    // wait for it). K is the latest call on this region (an address may be reused).
    vclock fpre = pre;
    for (auto it = rcu_calls_.rbegin(); it != rcu_calls_.rend(); ++it)
      if (it->first == r.begin) {
        const event& K = events_[it->second];
        join_event(fpre, it->second);
        if (analyse && K.thread != p && !pre.covers(K.thread, K.tindex) && nfrace < 64) frace[nfrace++] = it->second;
        break;
      }
    for (int g = 0; g < idx; ++g) {
      const event& G = events_[g];
      for (int k = 0; k < G.n; ++k) {
        const object* o = G.a[k].obj;
        auto* a = static_cast<const char*>(o->home ? o->home : static_cast<const void*>(o));
        if (a < r.begin || a >= r.end) continue;
        join_event(c, g);
        if (analyse && G.thread != p && !fpre.covers(G.thread, G.tindex) && nfrace < 64) frace[nfrace++] = g;
        break;
      }
    }
  }
  freeing_.clear();
  if (frees_after_call_ && d.rcu_call && d.free_begin) rcu_calls_.push_back({d.free_begin, idx});
  c[p] = ev.tindex;
  ev.clock = c;
  t.dclock = c;
  t.last_event = idx;
  for (int k = 0; k < ncand; ++k) race(cand[k], idx);
  for (int k = 0; k < nfrace; ++k) race(frace[k], idx);
  for (int k = 0; k < nrcu; ++k) race(rcu_cand[k], idx);
}

// At the end of an execution (or where it was cut short), a thread still waiting in a blocking
// step never produced an event, yet writes that came before it may have disabled it: it could have
// run before them. Each waiting step is analysed as if it ran next, without being recorded.
void dpor_search::dpor_blocked_threads() {
  for (int p = 0; p < e_.nthreads_; ++p) {
    auto& t = e_.th_[p];
    if (t.finished || !t.pending) continue;
    const step_desc& d = *t.pending;
    if (d.kind != step_kind::user_await && d.kind != step_kind::park) {
      bool blocking = false;
      for (int i = 0; i < d.n; ++i) blocking |= d.a[i].blocks();
      if (!blocking) continue;
    }
    if (e_.enabled(p)) continue;
    const int idx = static_cast<int>(events_.size());
    event& ev = events_.emplace_back();
    ev.thread = static_cast<std::int8_t>(p);
    ev.kind = d.kind;
    ev.label = d.label;
    ev.ran = false;
    ev.n = d.n;
    ev.choice = static_cast<std::int32_t>(e_.pos_);
    ev.tindex = t.nevents + 1;
    ev.stretch = starts_stretch(d);
    for (int i = 0; i < d.n; ++i)
      ev.a[i] = {d.a[i].obj, d.a[i].type, d.a[i].obj->last_access, d.a[i].obj->value, d.a[i].obj->value};
    ev.clock = t.dclock;
    int cand[max_accesses * max_threads];
    const int ncand = find_candidates(p, d, t.dclock, cand);
    for (int k = 0; k < ncand; ++k) race(cand[k], idx);
    events_.pop_back();
  }
}

bool dpor_search::conflicts(const event& a, const event& b) const {
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
  if ((a.gp_call && b.stretch) || (a.stretch && b.gp_call)) return true;
  return frees(a, b) || frees(b, a);
}

void dpor_search::race(int f, int e) {
  const event& F = events_[f];
  const event& E = events_[e];
  if (F.choice < 0 || e_.stack_[F.choice].above_split) return;  // every alternative is explored there anyway
  choice& c = e_.stack_[F.choice];
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
  if (e_.debug_)
    std::fprintf(stderr, "  race ev%d -> ev%d at [%d]: initials %x backtrack %x\n", f, e, F.choice, initials,
                 c.backtrack);
  if (initials & c.backtrack) return;
  if (!initials) return;
  if (race_stats_) {  // which races add backtrack points, by the objects and operations of the two events
    std::string k = "backtrack:";
    // A read-modify-write that left its object's value as it was is marked "(no change)": it
    // acted as a read there (a wake-up of a task already running, a failed cmpxchg).
    auto objects = [](const event& x) {
      std::string o;
      for (int i = 0; i < x.n; ++i) {
        o += std::string(" ") + x.a[i].obj->name;
        if (x.ran && x.a[i].type == acc::rmw && x.a[i].old_v == x.a[i].new_v) o += " (no change)";
      }
      return o;
    };
    k += objects(F);
    k += F.nfreed ? " (a free)" : "";
    k += std::string(" [") + F.label + "] ->";
    k += objects(E);
    k += E.nfreed ? " (a free)" : "";
    k += std::string(" [") + E.label + "]";
    // Two decrements of one counter that both stay above zero give the same answers in either
    // order: what an independence for counting decrements could save (bench/README.md).
    auto dec_test = [](const event& x) {
      const std::string_view l = x.label;
      return x.n == 1 && l.size() >= 12 && l.substr(l.size() - 12) == "dec_and_test";
    };
    if (dec_test(F) && dec_test(E) && F.a[0].obj == E.a[0].obj && static_cast<std::int32_t>(F.a[0].new_v) > 0 &&
        static_cast<std::int32_t>(E.a[0].new_v) > 0)
      k += " (neither reaches 0)";
    race_counts_[k]++;
  }
  int q = (initials & bit(E.thread)) ? E.thread : lowest(initials);
  if (c.enabled & bit(q))
    c.backtrack |= bit(q);
  else
    c.backtrack |= c.enabled;  // conservative fallback (Flanagan-Godefroid)
}

void dpor_search::dump() const {
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

}  // namespace chk
