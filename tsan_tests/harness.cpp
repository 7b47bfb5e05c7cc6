#include "harness.h"

#include <algorithm>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <stdexcept>

#include "model/port_adapter.h"
#include "model/upstream/io_wq.h"

namespace tsan {

namespace native = kern::native;

// ---- settings -------------------------------------------------------------------------------------

settings& the_settings() {
  static settings s;
  return s;
}

void init_settings_from_env() {
  settings& s = the_settings();
  if (const char* e = std::getenv("IOWQ_TSAN_SEED"); e && *e)
    s.seed = std::strtoull(e, nullptr, 0);
  else
    s.seed = static_cast<std::uint64_t>(std::chrono::system_clock::now().time_since_epoch().count()) % 1000000007ULL;
  if (const char* e = std::getenv("IOWQ_TSAN_SOAK"); e && *e) s.soak_seconds = std::atof(e);
  if (const char* e = std::getenv("IOWQ_TSAN_VERBOSE"); e && *e) s.verbose = std::atoi(e) != 0;
}

std::uint64_t seed_for(const std::string& test_name) {
  std::uint64_t h = 1469598103934665603ULL;
  for (char c : test_name) h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ULL;
  return (h ^ the_settings().seed) % 1000000007ULL;
}

double budget(double seconds) { return the_settings().soak_seconds > 0 ? the_settings().soak_seconds : seconds; }

std::uint64_t now_us() {
  return static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now().time_since_epoch())
          .count());
}

const char* to_string(fail_kind k) {
  switch (k) {
#define TSAN_FAIL_KIND_CASE(name, value, text) \
  case fail_kind::name:                        \
    return text;
    TSAN_FAIL_KINDS(TSAN_FAIL_KIND_CASE)
#undef TSAN_FAIL_KIND_CASE
  }
  return "?";
}

const char* to_string(phase p) {
  switch (p) {
#define TSAN_PHASE_CASE(name, text) \
  case phase::name:                 \
    return text;
    TSAN_PHASES(TSAN_PHASE_CASE)
#undef TSAN_PHASE_CASE
  }
  return "?";
}

std::string describe(const plan& p) {
  std::ostringstream s;
  s << "variant=" << iowq::to_string(p.v);
  for (const auto& m : iowq::all_mutants())
    if ((p.mutants >> static_cast<unsigned>(m.id)) & 1) s << " mutant=" << m.name;
  s << " owners=" << p.owners << " bounded=" << p.bounded << " rlimit=" << p.rlimit << " idle_timeout="
    << (p.idle_timeout.count() < 0 ? std::string("infinite") : std::to_string(p.idle_timeout.count()) + "us")
    << " seed=" << p.seed;
  return s.str();
}

int rnd(int n) { return static_cast<int>(native::random_below(static_cast<std::uint64_t>(n))); }
bool chance(int percent) { return rnd(100) < percent; }

namespace {

iowq::config config_for(const plan& p) {
  iowq::config c;
  c.v = p.v;
  c.mutants = p.mutants;
  c.rlimit_nproc = p.rlimit;
  c.nondet_exit_mask = p.nondet_exit_mask;
  return c;
}

}  // namespace

// ---- world ----------------------------------------------------------------------------------------

world::world(const plan& p) : plan_(p), items_(new item*[static_cast<std::size_t>(capacity())]()) {
  for (int i = 0; i < p.owners; ++i) owners.push_back(std::make_unique<owner>(*this, i));
  meet_parties_ = p.owners;
}

bool world::room_for_round() const {
  // A burst of burst_max requests, each with at most one link.
  for (const auto& up : owners)
    if (static_cast<int>(up->items_.size()) + 2 * plan_.burst_max > plan_.max_items) return false;
  return true;
}

world::~world() = default;

void world::fail(fail_kind k, std::string message) {
  {
    std::lock_guard<std::mutex> lk(fail_mutex_);
    if (kind_ == fail_kind::none) {
      kind_ = k;
      message_ = std::move(message);
      std::fprintf(stderr, "FAILURE (%s): %s\n", to_string(kind_), message_.c_str());
      if (plan_.exit_on_failure) {
        std::fflush(stderr);
        std::_Exit(static_cast<int>(k));
      }
    }
  }
  stop_.store(true);
}

fail_kind world::failure_kind() const {
  std::lock_guard<std::mutex> lk(fail_mutex_);
  return kind_;
}

std::string world::failure_message() const {
  std::lock_guard<std::mutex> lk(fail_mutex_);
  return message_;
}

bool world::time_left() const {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count() < plan_.seconds;
}

bool world::meet(owner& o, const std::function<bool()>& decide) {
  long gen;
  {
    std::lock_guard<std::mutex> lk(meet_mutex_);
    gen = meet_gen_;
    if (++meet_arrived_ == meet_parties_) {
      meet_result_ = decide ? decide() : true;
      meet_arrived_ = 0;
      meet_gen_++;
      return meet_result_;
    }
  }
  if (!o.wait_until(
          phase::meet,
          [&] {
            std::lock_guard<std::mutex> lk(meet_mutex_);
            return meet_gen_ != gen;
          },
          true))
    return false;
  std::lock_guard<std::mutex> lk(meet_mutex_);
  return meet_result_;
}

bool world::run(const std::function<void(owner&)>& body) {
  const iowq::config cfg = config_for(plan_);
  iowq::configure(cfg);
  const native::options o{.idle_timeout = plan_.idle_timeout,
                          .seed = plan_.seed,
                          .yield_permille = plan_.yield_permille,
                          .sleep_permille = plan_.sleep_permille,
                          .sleep_min_us = plan_.sleep_min_us,
                          .sleep_max_us = plan_.sleep_max_us,
                          .trace_notes = false,
                          .inherit = [] {
                            const iowq::config c = iowq::current_config();
                            return std::function<void()>([c] { iowq::configure(c); });
                          }};
  set_current_world(this);
  native::run_begin(o);
  start_ = std::chrono::steady_clock::now();
  const iowq::wq_ops& ops = iowq::ops_for(plan_.v);
  hash_ = ops.hash_alloc();

  std::vector<std::thread> threads;
  std::atomic<int> done{0};
  for (auto& up : owners) {
    owner* ow = up.get();
    threads.emplace_back([this, ow, cfg, &done, &body] {
      iowq::configure(cfg);
      native::register_harness_thread("owner");
      try {
        {
          // io_wq_create writes the scheduler hooks (a plain global): create every wq before
          // any worker exists.
          std::lock_guard<std::mutex> lk(create_mutex_);
          ow->start();
        }
        if (ow->wq && meet(*ow, nullptr)) body(*ow);
        if (ow->wq && !ow->exited && stopped()) {
          // Best effort after a failure: let the workers go so that the run can end.
          ow->release_all();
          ow->set_exit_on_idle(true);
          kill_io_threads_of(ow->ops, ow->wq);
          ow->ops.exit_start(ow->wq);
          ow->put_and_exit();
        }
      } catch (const native::failure_exception& e) {
        fail(fail_kind::kernel, e.info.property + ": " + e.info.message + " at " + e.info.where);
      } catch (const std::exception& e) {
        fail(fail_kind::harness, e.what());
      }
      ow->ph.store(static_cast<int>(phase::done));
      native::harness_thread_done();
      done.fetch_add(1);
    });
  }

  monitor(done);

  bool all_done = done.load() == static_cast<int>(threads.size());
  for (auto& t : threads) {
    if (all_done)
      t.join();
    else
      t.detach();
  }
  bool ok_end = false;
  if (all_done) {
    bool all_exited = true;
    for (auto& up : owners) all_exited = all_exited && up->exited;
    // The ring's reference, once every wq has dropped its own (io_ring_ctx_free).
    if (all_exited) ops.hash_put(hash_);
    ok_end = native::run_end(std::chrono::milliseconds(20000));
    if (!ok_end && failure_kind() == fail_kind::none)
      fail(fail_kind::harness, "spawned threads still alive at the end of the run");
  } else {
    std::fprintf(stderr, "owner threads did not finish; threads and memory of this run are leaked\n");
  }
  return failure_kind() == fail_kind::none;
}

bool world::stuck_check(std::string& why, fail_kind& kind, bool& quiet) {
  quiet = false;
  kind = fail_kind::none;
  bool all_quiesce = true;
  std::string owners_state;
  const long epoch = quiet_epoch.load();
  for (auto& up : owners) {
    owner& o = *up;
    const phase ph = static_cast<phase>(o.ph.load());
    kern::task_struct* t = o.task_pub.load(std::memory_order_acquire);
    const bool tw = t && t->task_works.peek() != nullptr;
    const int out = o.outstanding.load(std::memory_order_relaxed);
    const int unrel = o.unreleased.load(std::memory_order_relaxed);
    owners_state += " owner" + std::to_string(o.index) + "(" + to_string(ph) + " outstanding=" + std::to_string(out) +
                    (tw ? " task_work" : "") + ")";
    if (ph != phase::quiesce || o.quiet_seen.load() != epoch || out != 0 || unrel != 0 || tw) all_quiesce = false;
    if (ph == phase::wait_work && out > 0 && unrel == 0 && !tw && kind == fail_kind::none) {
      kind = fail_kind::lost_wakeup;
      why = "owner " + std::to_string(o.index) + ": " + std::to_string(out) +
            " request(s) outstanding and no thread can run: stranded";
    } else if (ph == phase::drain && !tw && !o.drained_peek() && kind == fail_kind::none) {
      kind = fail_kind::pool_zero;
      why = "owner " + std::to_string(o.index) + ": exit-on-idle set, nothing submitted, and the pool stays";
    } else if (ph == phase::exiting && o.in_put_and_exit.load() && kind == fail_kind::none) {
      kind = fail_kind::exit_hang;
      why = "owner " + std::to_string(o.index) + ": io_wq_put_and_exit waits and no thread can run";
    }
  }
  if (!all_quiesce && kind == fail_kind::none) return false;
  const native::scan_result sc = native::scan();
  if (!sc.stable) return false;
  if (all_quiesce) {
    int live = 0;
    for (auto& up : owners)
      if (void* q = up->wq_pub.load(std::memory_order_acquire)) {
        const iowq::wq_view v = peek_quiet(up->ops, q);
        live += v.acct[0].live_threads + v.acct[1].live_threads;
      }
    if (sc.io_threads_alive != live) {
      kind = fail_kind::accounting;
      why = "io threads alive " + std::to_string(sc.io_threads_alive) + " != live workers counted by the wqs " +
            std::to_string(live);
      return true;
    }
    quiet = true;
    kind = fail_kind::none;
  }
  why += " | threads: " + std::to_string(sc.spawned_alive) + " alive, all blocked;" + owners_state;
  return true;
}

void world::monitor(std::atomic<int>& done) {
  const int n = static_cast<int>(owners.size());
  std::chrono::steady_clock::time_point stop_seen{};
  for (;;) {
    if (done.load() == n) return;
    if (native::failed() && !stopped()) {
      const native::failure_info f = native::first_failure();
      fail(fail_kind::kernel, f.property + ": " + f.message + " at " + f.where + " [" + f.thread + "]");
    }
    if (stopped()) {
      if (stop_seen == std::chrono::steady_clock::time_point{}) stop_seen = std::chrono::steady_clock::now();
      if (std::chrono::steady_clock::now() - stop_seen > std::chrono::seconds(20)) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
      continue;
    }
    std::string why;
    fail_kind kind;
    bool quiet;
    if (stuck_check(why, kind, quiet)) {
      // Confirm: the same verdict on a second stable scan a little later.
      std::this_thread::sleep_for(std::chrono::milliseconds(quiet ? 1 : 20));
      std::string why2;
      fail_kind kind2;
      bool quiet2;
      if (stuck_check(why2, kind2, quiet2) && kind2 == kind && quiet2 == quiet) {
        if (quiet) {
          quiet_epoch.fetch_add(1);
        } else {
          std::string views;
          for (auto& up : owners)
            if (void* q = up->wq_pub.load(std::memory_order_acquire); q && !up->exited)
              views += " [owner" + std::to_string(up->index) + ": " + format_view(peek_quiet(up->ops, q)) + "]";
          fail(kind, why2 + views);
          // Let a hung exit finish, so that the run can end: the SIGKILL a group exit would send.
          if (kind == fail_kind::exit_hang)
            for (auto& up : owners)
              if (up->in_put_and_exit.load())
                if (void* q = up->wq_pub.load(std::memory_order_acquire)) kill_io_threads_of(up->ops, q);
        }
        continue;
      }
    }
    std::this_thread::sleep_for(std::chrono::microseconds(500));
  }
}

// ---- the stress round -------------------------------------------------------------------------------

void stress_body(owner& o) {
  world& w = o.w_;
  const plan& p = w.p();
  for (;;) {
    const bool go = w.meet(o, [&w, &p] {
      const bool more =
          w.room_for_round() && (w.rounds_done < p.min_rounds || (w.time_left() && w.rounds_done < p.max_rounds));
      if (more) w.rounds_done++;
      if (the_settings().verbose && w.rounds_done % 50 == 0) std::fprintf(stderr, "round %d\n", w.rounds_done);
      return more;
    });
    if (!go || w.stopped()) break;
    // A ring is added: exit-on-idle is cleared (v1/merged; the pool drained before, so no worker
    // is on its way out: F1 cannot strand this round's work).
    if (o.eoi) o.clear_eoi();
    o.submit_burst(p.burst_min + rnd(p.burst_max - p.burst_min + 1));
    if (p.wait_each_burst) {
      if (!o.wait_work()) return;
    } else if (p.soft_wait.count() > 0) {
      const auto until = std::chrono::steady_clock::now() + p.soft_wait;
      if (!o.wait_until(
              phase::submit,
              [&] {
                return o.outstanding.load(std::memory_order_relaxed) == 0 || std::chrono::steady_clock::now() > until;
              },
              true))
        return;
    }
    if (p.pause_max.count() > 0) {
      const auto until =
          std::chrono::steady_clock::now() + std::chrono::microseconds(rnd(static_cast<int>(p.pause_max.count())));
      if (!o.wait_until(
              phase::submit, [&] { return std::chrono::steady_clock::now() > until; }, true))
        return;
    }
    if (p.eoi_anytime && p.eoi()) {
      if (!o.eoi && chance(p.eoi_percent)) o.set_exit_on_idle(true);
      continue;
    }
    if (p.check_accounting && !o.quiesce_and_check()) return;
    // The last ring goes away: exit-on-idle is set at a quiescent point (no work queued or
    // running, the owner's task_work drained), so that neither F1 (work queued while a worker
    // leaves) nor F2 (a queued create_worker_cb cancelled by a counted exit) can happen.
    if (p.eoi() && p.check_accounting && chance(p.eoi_percent) && !o.set_eoi_and_drain()) return;
  }
  if (w.stopped()) return;
  if (p.exit_at_end) {
    if (!o.exit_wq()) return;
    o.check_items(p.wait_each_burst);
  }
}

namespace {

// One world (a native run) of the stress; adds its counters to `t`.
fail_kind run_world(const plan& p, owner::counters& t, int& rounds, int& requests, std::string& message) {
  world w(p);
  w.run(stress_body);
  rounds += w.rounds_done;
  for (auto& up : w.owners) {
    requests += up->submitted;
    const owner::counters& c = up->stats;
    t.quiescent += c.quiescent;
    t.drains += c.drains;
    t.drained_workers += c.drained_workers;
    t.max_drain_us = std::max(t.max_drain_us, c.max_drain_us);
    t.threads += c.threads;
    t.blocking += c.blocking;
    t.linked += c.linked;
    t.hashed += c.hashed;
    t.unbound += c.unbound;
    t.cancel_calls += c.cancel_calls;
  }
  message = w.failure_message();
  return w.failure_kind();
}

}  // namespace

fail_kind run_stress(const plan& p, std::string* message) {
  // Long budgets (soak) run as a sequence of worlds of at most k_epoch seconds: memory freed by
  // the port is only released when a native run ends.
  constexpr double k_epoch = 30;
  const auto t0 = std::chrono::steady_clock::now();
  owner::counters t;
  int rounds = 0, requests = 0, epochs = 0;
  std::string msg;
  fail_kind k = fail_kind::none;
  for (;;) {
    const double spent = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    plan e = p;
    e.seconds = std::min(k_epoch, p.seconds - spent);
    if (epochs > 0) {
      if (e.seconds < 1) break;
      e.seed = p.seed + static_cast<std::uint64_t>(epochs);
      e.min_rounds = 1;
    }
    k = run_world(e, t, rounds, requests, msg);
    ++epochs;
    if (k != fail_kind::none) {
      msg = "seed " + std::to_string(e.seed) + ": " + msg;
      break;
    }
  }
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::fprintf(
      stderr,
      "[%s] %d rounds, %d requests (%d unbound, %d hashed, %d linked, %d blocking, %d cancel calls), "
      "%d worker threads, %d quiescent checks, %d exit-on-idle drains of %d workers (longest %.1f ms), %d run(s), "
      "%.1f s: %s\n",
      describe(p).c_str(), rounds, requests, t.unbound, t.hashed, t.linked, t.blocking, t.cancel_calls, t.threads,
      t.quiescent, t.drains, t.drained_workers, static_cast<double>(t.max_drain_us) / 1000, epochs, secs,
      k == fail_kind::none ? "ok" : to_string(k));
  if (message) *message = msg;
  return k;
}

}  // namespace tsan
