#include "generate.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <stdexcept>

namespace iowq::scn::gen {

namespace {

constexpr std::string_view prefix = "gen:";

enum class kind : std::uint8_t {
  punt,
  wait,
  release,
  cancel,
  cancel_all,
  ring_exit,
  ring_add,
  thread_exit,
  exit_group,
  exec
};

struct word {
  kind k;
  const char* text;
  bool numbered;  // releaseN, cancelN
  bool exits;     // an exit path: the program's last action
};
constexpr word words[] = {
    {kind::punt, "punt", false, false},
    {kind::wait, "wait", false, false},
    {kind::release, "release", true, false},
    {kind::cancel, "cancel", true, false},
    {kind::cancel_all, "cancel-all", false, false},
    {kind::ring_exit, "ring-exit", false, false},
    {kind::ring_add, "ring-add", false, false},
    {kind::thread_exit, "thread-exit", false, true},
    {kind::exit_group, "exit-group", false, true},
    {kind::exec, "exec", false, true},
};
const word& word_of(kind k) {
  for (const auto& w : words)
    if (w.k == k) return w;
  throw std::logic_error("generated action without a word");
}

struct gaction {
  kind k = kind::punt;
  std::string flags;  // punt: "u", "h1x", "l", ...
  int n = -1;         // release, cancel: the request
};

struct gprog {
  std::vector<gaction> acts;
  knobs env;
};

// The punt kinds the enumeration tries, in its order (h2 only once h1 is used).
const std::vector<std::string> punt_kinds = {"", "u", "h1", "h2", "x", "ux", "h1x", "c", "l"};

struct flag_set {
  bool unbound = false, blocks = false, concurrent = false, links = false;
  int hash = 0;
};

flag_set parse_flags(const std::string& f) {
  flag_set s;
  std::size_t i = 0;
  auto bad = [&f](const char* why) { return std::invalid_argument("bad punt flags \"" + f + "\": " + why); };
  if (i < f.size() && f[i] == 'u') s.unbound = true, ++i;
  if (i < f.size() && f[i] == 'h') {
    ++i;
    if (i >= f.size() || f[i] < '1' || f[i] > '9') throw bad("h needs a key 1..9");
    s.hash = f[i] - '0';
    ++i;
  }
  if (i < f.size() && f[i] == 'x') s.blocks = true, ++i;
  if (i < f.size() && f[i] == 'c') s.concurrent = true, ++i;
  if (i < f.size() && f[i] == 'l') s.links = true, ++i;
  if (i != f.size()) throw bad("expected u, hK, x, c, l in that order");
  return s;
}

std::string flags_text(const flag_set& s) {
  std::string f;
  if (s.unbound) f += 'u';
  if (s.hash) f += "h" + std::to_string(s.hash);
  if (s.blocks) f += 'x';
  if (s.concurrent) f += 'c';
  if (s.links) f += 'l';
  return f;
}

std::string text_of(const gprog& p) {
  std::string s(prefix);
  for (std::size_t i = 0; i < p.acts.size(); ++i) {
    const gaction& a = p.acts[i];
    if (i) s += '.';
    s += word_of(a.k).text;
    if (a.k == kind::punt && !a.flags.empty()) s += ":" + a.flags;
    if (word_of(a.k).numbered) s += std::to_string(a.n);
  }
  return s + p.env.suffix();
}

// The parts of `text` between `sep`s ("a.b" -> {"a", "b"}; "" -> {""}).
std::vector<std::string> split(const std::string& text, char sep) {
  std::vector<std::string> out;
  std::size_t at = 0;
  for (std::size_t end; (end = text.find(sep, at)) != std::string::npos; at = end + 1)
    out.push_back(text.substr(at, end - at));
  out.push_back(text.substr(at));
  return out;
}

gprog parse(const std::string& name) {
  if (!is_generated(name)) throw std::invalid_argument("a generated scenario's name starts with gen:");
  std::string body = name.substr(prefix.size());
  gprog p;
  const std::size_t plus = body.find('+');
  if (plus != std::string::npos) {
    p.env = parse_knobs(body.substr(plus + 1));
    body.resize(plus);
  }
  if (body.empty()) throw std::invalid_argument("no actions");
  for (const std::string& item : split(body, '.')) {
    gaction a;
    const word* found = nullptr;
    std::string rest;
    for (const auto& w : words) {
      const std::string t = w.text;
      if (item.compare(0, t.size(), t) != 0) continue;
      const std::string r = item.substr(t.size());
      // The longest word that fits ("cancel-all" before "cancel").
      if (w.numbered ? (!r.empty() && std::isdigit(static_cast<unsigned char>(r[0])))
                     : (r.empty() || (w.k == kind::punt && r[0] == ':'))) {
        if (!found || t.size() > std::string(found->text).size()) found = &w, rest = r;
      }
    }
    if (!found) throw std::invalid_argument("unknown action \"" + item + "\"");
    a.k = found->k;
    if (found->numbered) {
      auto [end, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), a.n);
      if (ec != std::errc() || end != rest.data() + rest.size())
        throw std::invalid_argument("bad number in \"" + item + "\"");
    } else if (a.k == kind::punt && !rest.empty()) {
      a.flags = rest.substr(1);
      if (a.flags.empty()) throw std::invalid_argument("empty punt flags in \"" + item + "\"");
      (void)parse_flags(a.flags);
    }
    p.acts.push_back(a);
  }
  return p;
}

// The program run step by step, with io_uring's rules; what it builds is the scenario's works and
// owner program.
struct sim {
  knobs env;
  int rings = 1;
  std::vector<work_spec> works;
  std::vector<bool> punted, unresolved, cancel_tried;  // per work
  int seen = 0;  // requests a wait (or a ring's exit) saw complete: works [0, seen)
  int max_hash = 0;
  bool exited = false, any_punt = false;
  owner_program owner;

  int requests() const { return static_cast<int>(works.size()); }

  // An error when the action is not one io_uring produces here (or not canonical).
  std::optional<std::string> apply(const gaction& a) {
    if (exited) return std::string("an exit path must be the last action");
    auto request = [this](int n) -> std::optional<std::string> {
      if (n < 0 || n >= requests()) return "request " + std::to_string(n) + " was not punted";
      return std::nullopt;
    };
    switch (a.k) {
      case kind::punt: {
        if (rings == 0) return std::string("a punt with no ring (ring-add first)");
        const flag_set f = parse_flags(a.flags);
        if (f.hash > max_hash + 1)
          return "hash key " + std::to_string(f.hash) + " before key " + std::to_string(max_hash + 1);
        max_hash = std::max(max_hash, f.hash);
        const int i = requests();
        work_spec w{
            .unbound = f.unbound, .hash_key = f.hash, .blocks = f.blocks, .linked = -1, .concurrent = f.concurrent};
        if (f.links) w.linked = i + 1;
        works.push_back(w);
        punted.push_back(true);
        unresolved.push_back(f.blocks);
        cancel_tried.push_back(false);
        if (f.links) {
          works.push_back(work_spec{});
          punted.push_back(true);
          unresolved.push_back(false);
          cancel_tried.push_back(false);
        }
        owner.actions.push_back({action::op::punt, i});
        any_punt = true;
        return std::nullopt;
      }
      case kind::wait:
        if (rings == 0) return std::string("a wait with no ring");
        if (seen == requests()) return std::string("a wait with no request punted since the last");
        for (int i = 0; i < requests(); ++i)
          if (unresolved[static_cast<std::size_t>(i)])
            return "a wait for blocking request " + std::to_string(i) + " before its release";
        seen = requests();
        owner.actions.push_back({action::op::wait, requests()});
        return std::nullopt;
      case kind::release:
        if (auto e = request(a.n)) return e;
        if (!works[static_cast<std::size_t>(a.n)].blocks) return "request " + std::to_string(a.n) + " does not block";
        if (!unresolved[static_cast<std::size_t>(a.n)])
          return "request " + std::to_string(a.n) + " was already released, cancelled or signalled";
        unresolved[static_cast<std::size_t>(a.n)] = false;
        owner.actions.push_back({action::op::release, a.n});
        return std::nullopt;
      case kind::cancel:
        if (rings == 0) return std::string("a cancel with no ring");
        if (auto e = request(a.n)) return e;
        if (a.n < seen) return "request " + std::to_string(a.n) + " already completed (a wait saw it)";
        if (cancel_tried[static_cast<std::size_t>(a.n)])
          return "request " + std::to_string(a.n) + " was already cancelled";
        cancel_tried[static_cast<std::size_t>(a.n)] = true;
        unresolved[static_cast<std::size_t>(a.n)] = false;  // released when not found, else cancelled or signalled
        owner.actions.push_back({action::op::cancel, a.n});
        return std::nullopt;
      case kind::cancel_all:
        if (rings == 0) return std::string("a cancel with no ring");
        if (seen == requests()) return std::string("cancel-all with nothing in flight");
        for (int i = seen; i < requests(); ++i) {
          cancel_tried[static_cast<std::size_t>(i)] = true;
          unresolved[static_cast<std::size_t>(i)] = false;
        }
        owner.actions.push_back({action::op::cancel_all, 0});
        return std::nullopt;
      case kind::ring_exit:
        if (rings == 0) return std::string("ring-exit with no ring");
        rings = 0;
        // io_ring_exit_work cancels every request of the ring (signalling a running one) and waits
        // for them all.
        std::fill(unresolved.begin(), unresolved.end(), false);
        seen = requests();
        owner.actions.push_back({action::op::ring_exit, 0});
        return std::nullopt;
      case kind::ring_add:
        if (rings != 0) return std::string("ring-add while the task has a ring (only after ring-exit)");
        rings = 1;
        owner.actions.push_back({action::op::ring_add, 0});
        return std::nullopt;
      case kind::thread_exit:
      case kind::exit_group:
      case kind::exec:
        exited = true;
        owner.actions.push_back({a.k == kind::thread_exit  ? action::op::thread_exit
                                 : a.k == kind::exit_group ? action::op::exit_group
                                                           : action::op::exec,
                                 0});
        return std::nullopt;
    }
    return std::string("unknown action");
  }

  std::optional<std::string> finish() const {
    if (!any_punt) return std::string("no request punted");
    if (!exited)
      for (int i = 0; i < requests(); ++i)
        if (unresolved[static_cast<std::size_t>(i)])
          return "blocking request " + std::to_string(i) + " is never released and no exit signals it";
    return std::nullopt;
  }
};

sim run(const gprog& p) {
  sim s;
  s.env = p.env;
  for (const auto& a : p.acts)
    if (auto e = s.apply(a)) throw std::invalid_argument(*e);
  if (auto e = s.finish()) throw std::invalid_argument(*e);
  return s;
}

std::string describe_env(const knobs& k) {
  std::string s;
  if (k.max_workers != 1) s += ", " + std::to_string(k.max_workers) + " workers per acct";
  if (k.create_error == -ENOMEM) s += ", a worker creation may fail with -ENOMEM";
  if (k.create_error == -EAGAIN) s += ", a worker creation may fail with -EAGAIN (retried)";
  if (k.timeouts) s += ", an idle timeout may fire";
  if (k.rcu_non_preemptible) s += ", non-preemptible RCU";
  return s;
}

}  // namespace

std::string knobs::suffix() const {
  std::string s;
  if (max_workers == 2) s += "+max2";
  if (create_error == -ENOMEM) s += "+enomem";
  if (create_error == -EAGAIN) s += "+eagain";
  if (timeouts) s += "+timeouts";
  if (rcu_non_preemptible) s += "+rcu-np";
  return s;
}

knobs parse_knobs(const std::string& text) {
  knobs k;
  if (text == "none") return k;
  for (const std::string& t : split(text, '+')) {
    if (t == "max2" && k.max_workers == 1) {
      k.max_workers = 2;
    } else if ((t == "enomem" || t == "eagain") && k.create_error == 0) {
      k.create_error = t == "enomem" ? -ENOMEM : -EAGAIN;
    } else if (t == "timeouts" && !k.timeouts) {
      k.timeouts = true;
    } else if (t == "rcu-np" && !k.rcu_non_preemptible) {
      k.rcu_non_preemptible = true;
    } else {
      throw std::invalid_argument("bad knob \"" + t +
                                  "\" (expected max2, enomem or eagain, timeouts, rcu-np, each once, in that order)");
    }
  }
  if (k.suffix() != "+" + text)
    throw std::invalid_argument("knobs \"" + text + "\" out of order (write " + k.suffix().substr(1) + ")");
  return k;
}

bool is_generated(const std::string& name) { return name.compare(0, prefix.size(), prefix) == 0; }

scenario from_name(const std::string& name) {
  const gprog p = parse(name);
  if (text_of(p) != name) throw std::invalid_argument("not in canonical form (write " + text_of(p) + ")");
  const sim s = run(p);
  scenario sc;
  sc.name = name;
  sc.works = s.works;
  sc.owner = s.owner;
  sc.summary = "generated: " + s.owner.text() + describe_env(p.env);
  sc.props = {prop::accounting, prop::lost_wakeup};
  if (s.exited)
    sc.props.push_back(prop::exit_hang);
  else if (s.rings == 0)
    sc.props.push_back(prop::pool_zero);
  sc.bounded_max = p.env.max_workers;
  sc.rlimit_nproc = p.env.max_workers;
  sc.create_error = p.env.create_error;
  sc.create_failures = 1;
  sc.timeouts = p.env.timeouts;
  sc.rcu = p.env.rcu_non_preemptible ? chk::rcu_flavour::non_preemptible : chk::rcu_flavour::preemptible;
  // Every schedule of at most 2 preemptions, as the catalog's two-worker scenarios in the tests:
  // about 0.05 s a program where 3 preemptions take 1.5 s (gen:punt.wait.punt.wait under v1: 4,764
  // against 121,806 executions), which an enumeration of hundreds of programs cannot afford.
  sc.test_preemption_bound = 2;
  sc.preemption_bound = sc.test_preemption_bound;
  return sc;
}

const scenario* intern(const std::string& name) {
  static std::mutex m;
  static std::deque<scenario> made;
  static std::map<std::string, const scenario*> by_name;
  std::lock_guard<std::mutex> g(m);
  if (auto it = by_name.find(name); it != by_name.end()) return it->second;
  try {
    made.push_back(from_name(name));
  } catch (const std::invalid_argument&) {
    return nullptr;
  }
  return by_name[name] = &made.back();
}

std::vector<std::string> enumerate(const params& p) {
  std::vector<std::string> out;
  for (const knobs& env : p.environments) {
    for (int len = 1; len <= p.max_actions; ++len) {
      gprog prog;
      prog.env = env;
      // Depth-first over the actions io_uring can take next, keeping only the programs of length len.
      auto step = [&](auto&& self, const sim& s) -> void {
        if (static_cast<int>(prog.acts.size()) == len) {
          if (!s.finish()) out.push_back(text_of(prog));
          return;
        }
        std::vector<gaction> next;
        for (const auto& k : punt_kinds) {
          const int need = parse_flags(k).links ? 2 : 1;
          if (s.requests() + need <= p.max_works) next.push_back({kind::punt, k, -1});
        }
        next.push_back({kind::wait, "", -1});
        for (int i = 0; i < s.requests(); ++i) next.push_back({kind::release, "", i});
        for (int i = 0; i < s.requests(); ++i) next.push_back({kind::cancel, "", i});
        for (kind k :
             {kind::cancel_all, kind::ring_exit, kind::ring_add, kind::thread_exit, kind::exit_group, kind::exec})
          next.push_back({k, "", -1});
        for (const auto& a : next) {
          sim t = s;
          if (t.apply(a)) continue;
          prog.acts.push_back(a);
          self(self, t);
          prog.acts.pop_back();
        }
      };
      sim start;
      start.env = env;
      step(step, start);
    }
  }
  return out;
}

std::vector<std::string> smaller(const std::string& name) {
  const gprog p = parse(name);
  std::vector<std::string> out;
  auto keep_if_valid = [&out](const gprog& q) {
    const std::string t = text_of(q);
    try {
      (void)from_name(t);
      if (std::find(out.begin(), out.end(), t) == out.end()) out.push_back(t);
    } catch (const std::invalid_argument&) {
    }
  };
  // The requests each punt creates, to drop a punt with what refers to them.
  std::vector<int> first(p.acts.size(), -1), count(p.acts.size(), 0);
  int next = 0;
  for (std::size_t i = 0; i < p.acts.size(); ++i)
    if (p.acts[i].k == kind::punt) {
      first[i] = next;
      count[i] = parse_flags(p.acts[i].flags).links ? 2 : 1;
      next += count[i];
    }
  // Removes requests [lo, lo + n) from q (renumbering later ones; dropping actions about them) and
  // then waits left with nothing new to wait for.
  auto drop_requests = [](gprog q, int lo, int n) {
    std::vector<gaction> acts;
    for (auto a : q.acts) {
      if ((a.k == kind::release || a.k == kind::cancel) && a.n >= lo) {
        if (a.n < lo + n) continue;
        a.n -= n;
      }
      acts.push_back(a);
    }
    q.acts = std::move(acts);
    return q;
  };
  auto drop_empty_waits = [](gprog q) {
    sim s;
    s.env = q.env;
    std::vector<gaction> acts;
    for (const auto& a : q.acts) {
      sim t = s;
      if (a.k == kind::wait && t.apply(a)) continue;  // nothing to wait for any more
      (void)s.apply(a);
      acts.push_back(a);
    }
    q.acts = std::move(acts);
    return q;
  };
  for (std::size_t i = 0; i < p.acts.size(); ++i) {
    gprog q = p;
    q.acts.erase(q.acts.begin() + static_cast<std::ptrdiff_t>(i));
    if (p.acts[i].k == kind::punt) q = drop_requests(q, first[i], count[i]);
    keep_if_valid(drop_empty_waits(q));
  }
  for (std::size_t i = 0; i < p.acts.size(); ++i) {
    if (p.acts[i].k != kind::punt || p.acts[i].flags.empty()) continue;
    const flag_set f = parse_flags(p.acts[i].flags);
    for (int which = 0; which < 5; ++which) {
      flag_set g = f;
      bool* b[] = {&g.unbound, &g.blocks, &g.concurrent, &g.links};
      if (which < 4) {
        if (!*b[which]) continue;
        *b[which] = false;
      } else {
        if (!g.hash) continue;
        g.hash = 0;
      }
      gprog q = p;
      q.acts[i].flags = flags_text(g);
      if (f.links && !g.links) q = drop_requests(q, first[i] + 1, 1);
      if (f.blocks && !g.blocks) {
        std::vector<gaction> acts;
        for (const auto& a : q.acts)
          if (!(a.k == kind::release && a.n == first[i])) acts.push_back(a);
        q.acts = std::move(acts);
      }
      keep_if_valid(drop_empty_waits(q));
    }
  }
  knobs k = p.env;
  for (int which = 0; which < 4; ++which) {
    gprog q = p;
    if (which == 0 && k.max_workers != 1)
      q.env.max_workers = 1;
    else if (which == 1 && k.create_error)
      q.env.create_error = 0;
    else if (which == 2 && k.timeouts)
      q.env.timeouts = false;
    else if (which == 3 && k.rcu_non_preemptible)
      q.env.rcu_non_preemptible = false;
    else
      continue;
    keep_if_valid(q);
  }
  return out;
}

std::uint64_t size_of(const std::string& name) {
  const gprog p = parse(name);
  const sim s = run(p);
  std::uint64_t flags = 0;
  for (const auto& a : p.acts) flags += a.flags.size();
  const std::string suffix = p.env.suffix();
  const auto knobs_n = static_cast<std::uint64_t>(std::count(suffix.begin(), suffix.end(), '+'));
  return p.acts.size() * 1'000'000 + static_cast<std::uint64_t>(s.works.size()) * 10'000 + knobs_n * 100 + flags;
}

}  // namespace iowq::scn::gen
