// Differential test of the reduction: on hundreds of generated programs, DPOR must reach exactly
// the outcomes exhaustive DFS reaches (final values and every value each thread observed), since
// it explores one execution of every Mazurkiewicz trace and equivalent executions observe the same
// values. The programs mix loads, stores, RMWs, CAS, mutexes, awaits over two objects, value
// choices, park/unpark (timed and untimed) and spawn/join.
#include <cstdio>
#include <cstdlib>
#include <map>
#include <random>
#include <set>
#include <sstream>

#include "litmus.h"

namespace {

enum class op_kind { load, store, add, cas, locked_inc, await_any, choose, park, spawn_child };

struct op {
  op_kind k;
  int var, val, var2;
};

struct generated {
  int threads = 2;
  std::vector<std::vector<op>> code;  // per thread; code[threads] is the spawned child's code
  bool timeouts = false;
  std::string text;
};

constexpr int nvars = 3;

int steps_of(const op& o) {
  switch (o.k) {
    case op_kind::locked_inc:
      return 4;
    case op_kind::await_any:
      return 2;
    case op_kind::spawn_child:
      return 3;
    case op_kind::choose:
      return 3;  // doubles the executions: weigh it like extra steps
    default:
      return 1;
  }
}

generated generate_one(std::mt19937_64& rng, std::uint64_t seed, bool timeouts);

// Programs small enough for exhaustive DFS to finish quickly: at most 12 visible steps.
generated generate(std::uint64_t seed, bool timeouts) {
  std::mt19937_64 rng(seed);
  for (;;) {
    generated g = generate_one(rng, seed, timeouts);
    int steps = 0;
    for (const auto& c : g.code)
      for (const op& o : c) steps += steps_of(o);
    steps += g.threads - 1;  // the producer's unparks
    if (steps <= 12) return g;
  }
}

generated generate_one(std::mt19937_64& rng, std::uint64_t seed, bool timeouts) {
  auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<std::uint64_t>(n)); };
  generated g;
  g.timeouts = timeouts;
  g.threads = 2 + pick(2);
  const int max_ops = g.threads == 2 ? 4 : 3;
  g.code.resize(static_cast<std::size_t>(g.threads) + 1);
  const int producer = g.threads - 1;  // never waits, so every await and park is satisfiable
  bool spawned = false;
  for (int t = 0; t <= g.threads; ++t) {
    bool parked = false;  // one park per thread: the producer wakes each thread once
    bool child = t == g.threads;
    if (child && !spawned) break;
    int n = child ? 1 + pick(2) : 1 + pick(max_ops);
    for (int i = 0; i < n; ++i) {
      op o{op_kind::load, pick(nvars), 1 + pick(3), pick(nvars)};
      int r = pick(child || t == producer ? 6 : 10);
      if (r == 6) o.var = pick(2), o.var2 = pick(2);
      switch (r) {
        case 0:
          o.k = op_kind::load;
          break;
        case 1:
          o.k = op_kind::store;
          break;
        case 2:
          o.k = op_kind::add;
          break;
        case 3:
          o.k = op_kind::cas;
          break;
        case 4:
          o.k = op_kind::locked_inc;
          break;
        case 5:
          o.k = op_kind::choose;
          break;
        case 6:
          o.k = op_kind::await_any;
          break;
        case 7:
          o.k = parked ? op_kind::load : op_kind::park;
          parked = true;
          break;
        case 8:
          if (!spawned) {
            o.k = op_kind::spawn_child;
            spawned = true;
          } else {
            o.k = op_kind::load;
          }
          break;
        default:
          o.k = op_kind::add;
          break;
      }
      g.code[static_cast<std::size_t>(t)].push_back(o);
    }
  }
  // The producer ends by making every await true and waking every parked thread.
  for (int v = 0; v < 2; ++v) g.code[static_cast<std::size_t>(producer)].push_back({op_kind::add, v, 1, v});
  std::ostringstream os;
  os << "seed " << seed << (timeouts ? " timeouts" : "") << ":";
  for (std::size_t t = 0; t < g.code.size(); ++t) {
    os << " T" << t << "[";
    for (const op& o : g.code[t]) os << static_cast<int>(o.k) << ":" << o.var << o.var2 << o.val << " ";
    os << "]";
  }
  g.text = os.str();
  return g;
}

struct runner {
  struct state {
    chk::atomic<int> v[nvars] = {chk::atomic<int>{0, "v", 0}, chk::atomic<int>{0, "v", 1}, chk::atomic<int>{0, "v", 2}};
    chk::mutex m{"m"};
    std::vector<std::vector<int>> seen;
  };
  const generated& g;
  std::unique_ptr<state> s;
  std::set<std::string> outcomes;
  chk::program p;

  explicit runner(const generated& gen) : g(gen) {
    p.name = "generated";
    p.threads = g.threads;
    p.setup = [this] {
      s = std::make_unique<state>();
      s->seen.assign(g.code.size(), {});
    };
    p.thread = [this](int t) {
      run_code(t);
      if (t == g.threads - 1)
        for (int u = 0; u < g.threads - 1; ++u) chk::unpark(u);
    };
    p.finish = [this] {
      std::ostringstream os;
      for (auto& v : s->v) os << v.peek() << ",";
      for (auto& obs : s->seen) {
        os << "|";
        for (int x : obs) os << x << ",";
      }
      outcomes.insert(os.str());
    };
  }

  void run_code(int t) {
    auto& seen = s->seen[static_cast<std::size_t>(t)];
    for (const op& o : g.code[static_cast<std::size_t>(t)]) {
      auto& x = s->v[o.var];
      switch (o.k) {
        case op_kind::load:
          seen.push_back(x.load());
          break;
        case op_kind::store:
          x.store(o.val);
          break;
        case op_kind::add:
          seen.push_back(x.fetch_add(1));
          break;
        case op_kind::cas: {
          int exp = o.val - 1;
          seen.push_back(x.compare_exchange_strong(exp, 9) ? 1 : 0);
          break;
        }
        case op_kind::locked_inc: {
          s->m.lock();
          int v = x.load();
          x.store(v + 1);
          s->m.unlock();
          break;
        }
        case op_kind::await_any: {
          auto& y = s->v[o.var2];
          chk::await([&] { return x.load() >= 1 || y.load() >= 2; }, {x, y});
          seen.push_back(x.load());
          break;
        }
        case op_kind::choose:
          seen.push_back(chk::choose(2));
          break;
        case op_kind::park:
          if (g.timeouts)
            seen.push_back(chk::park_for() ? 1 : 0);
          else
            chk::park();
          break;
        case op_kind::spawn_child: {
          int c = chk::spawn([this] { run_code(g.threads); });
          seen.push_back(x.load());
          chk::join(c);
          break;
        }
      }
    }
  }
};

struct tally {
  std::uint64_t programs = 0, dfs_execs = 0, dpor_execs = 0, dpor_pruned = 0;
};

void compare(std::uint64_t seed, bool timeouts, tally& t) {
  generated g = generate(seed, timeouts);
  INFO(g.text);
  chk::options o;
  o.timeouts = timeouts;
  o.max_timeouts = 1;
  o.max_executions = 300000;
  runner dfs(g), dpor(g);
  o.search = chk::search_kind::dfs;
  chk::result rd = chk::explore(dfs.p, o);
  o.search = chk::search_kind::dpor;
  chk::result rp = chk::explore(dpor.p, o);
  if (std::getenv("DIFF_DEBUG"))
    std::fprintf(stderr, "seed %llu: dfs %llu dpor %llu (%.3fs %.3fs) %s\n", (unsigned long long)seed,
                 (unsigned long long)rd.st.executions, (unsigned long long)rp.st.executions, rd.st.seconds,
                 rp.st.seconds, g.text.c_str());
  INFO(rd.summary());
  INFO(rp.summary());
  REQUIRE(rd.v == chk::verdict::verified);
  REQUIRE(rp.v == chk::verdict::verified);
  CHECK(dpor.outcomes == dfs.outcomes);
  if (std::getenv("DIFF_DEBUG") && dpor.outcomes != dfs.outcomes) {
    for (auto& x : dfs.outcomes)
      if (!dpor.outcomes.count(x)) std::fprintf(stderr, "  missing in dpor: %s\n", x.c_str());
    for (auto& x : dpor.outcomes)
      if (!dfs.outcomes.count(x)) std::fprintf(stderr, "  extra in dpor: %s\n", x.c_str());
  }
  CHECK(rp.st.executions - rp.st.pruned <= rd.st.executions);
  ++t.programs;
  t.dfs_execs += rd.st.executions;
  t.dpor_execs += rp.st.executions;
  t.dpor_pruned += rp.st.pruned;
}

}  // namespace

// DIFF_SPEC="5013,1123;2201,1122,5102;3201,2001,2111": ops kind,var,var2,val per thread; the last
// thread is the producer (its final adds are not implied).
TEST_CASE("one program from DIFF_SPEC", "[.debug]") {
  const char* spec = std::getenv("DIFF_SPEC");
  if (!spec) return;
  generated g;
  std::string s = spec;
  std::vector<op> cur;
  std::string tok;
  auto flush_tok = [&] {
    if (tok.size() == 4) cur.push_back({static_cast<op_kind>(tok[0] - '0'), tok[1] - '0', tok[3] - '0', tok[2] - '0'});
    tok.clear();
  };
  for (char c : s) {
    if (c == ',')
      flush_tok();
    else if (c == ';') {
      flush_tok();
      g.code.push_back(cur);
      cur.clear();
    } else
      tok += c;
  }
  flush_tok();
  g.code.push_back(cur);
  g.threads = static_cast<int>(g.code.size());
  g.code.push_back({});
  g.text = s;
  g.timeouts = std::getenv("DIFF_TIMEOUTS") != nullptr;
  chk::options o;
  o.timeouts = g.timeouts;
  runner dfs(g), dpor(g);
  o.search = chk::search_kind::dfs;
  auto rd = chk::explore(dfs.p, o);
  o.search = chk::search_kind::dpor;
  auto rp = chk::explore(dpor.p, o);
  std::fprintf(stderr, "dfs %llu dpor %llu %s %s\n", (unsigned long long)rd.st.executions,
               (unsigned long long)rp.st.executions, chk::to_string(rd.v), chk::to_string(rp.v));
  for (auto& x : dfs.outcomes)
    if (!dpor.outcomes.count(x)) std::fprintf(stderr, "  missing in dpor: %s\n", x.c_str());
}

TEST_CASE("one generated program (DIFF_SEED)", "[.debug]") {
  tally t;
  const char* s = std::getenv("DIFF_SEED");
  std::uint64_t seed = s ? std::strtoull(s, nullptr, 10) : 1;
  compare(seed, seed > 1000000, t);
}

// DIFF_COUNT raises the number of programs for a longer campaign on a desk.
std::uint64_t program_count(std::uint64_t dflt) {
  const char* s = std::getenv("DIFF_COUNT");
  return s ? std::strtoull(s, nullptr, 10) : dflt;
}

TEST_CASE("DPOR reaches every outcome DFS reaches, on 2000 generated programs", "[dpor][differential]") {
  tally t;
  const std::uint64_t n = program_count(2000);
  for (std::uint64_t seed = 1; seed <= n; ++seed) compare(seed, false, t);
  // The reduction is real: far fewer executions than DFS over the same programs.
  CHECK(t.dpor_execs * 10 < t.dfs_execs);
}

TEST_CASE("DPOR reaches every outcome DFS reaches with timeouts as choices, on 1000 programs", "[dpor][differential]") {
  tally t;
  const std::uint64_t n = program_count(1000);
  for (std::uint64_t seed = 1000001; seed <= 1000000 + n; ++seed) compare(seed, true, t);
  CHECK(t.dpor_execs * 10 < t.dfs_execs);
}
