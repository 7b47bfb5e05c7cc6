// The search modes other than DFS/DPOR, value choices, budgets, sharding, replay files and the
// nondeterminism check, each against a known answer; and the vector clock join.
#include <algorithm>
#include <nlohmann/json.hpp>
#include <set>
#include <stdexcept>

#include "catalog.h"
#include "chk/trace.h"
#include "chk/vclock.h"
#include "litmus.h"

using chk::failure_kind;
using chk::search_kind;
using chk::verdict;

namespace {
// Two threads each doing a load then a store of x (from the litmus catalog): the lost update needs
// a preemption between a thread's load and its store while that thread could go on.
std::unique_ptr<chk::litmus::instance> lost_update() { return chk::litmus::find("lost-update").make(); }
}  // namespace

TEST_CASE("preemption bounding: bound 0 misses the lost update, bound 1 finds it", "[search][bounded]") {
  auto lu = lost_update();
  chk::options o = litmus::with(search_kind::bounded);
  o.preemption_bound = 0;
  chk::result r0 = litmus::run(lu->p, o);
  CHECK(r0.v == verdict::verified);  // within its bound: every schedule without preemption
  // Without preemptions a thread runs until it ends: T0 then T1, or T1 then T0.
  CHECK(r0.st.executions == 2);
  CHECK(r0.bounds.find("at most 0 preemptions") != std::string::npos);

  o.preemption_bound = 1;
  chk::result r1 = litmus::run(lu->p, o);
  REQUIRE(r1.v == verdict::violated);
  CHECK(r1.fail->kind == failure_kind::end_check);
  litmus::check_replays(lu->p, o, r1);

  // With a bound as large as the program, bounded search is plain DFS.
  o.preemption_bound = 10;
  chk::options full = litmus::with(search_kind::dfs);
  struct state {
    chk::atomic<int> x{0, "x"};
  };
  std::unique_ptr<state> s;
  chk::program ok;
  ok.name = "two-adds";
  ok.threads = 2;
  ok.setup = [&] { s = std::make_unique<state>(); };
  ok.thread = [&](int) {
    s->x.fetch_add(1);
    s->x.fetch_add(1);
  };
  CHECK(litmus::run(ok, o).st.executions == litmus::run(ok, full).st.executions);
  CHECK(litmus::run(ok, full).st.executions == 6);  // 4! / (2! 2!)
}

TEST_CASE("random search with a fixed seed finds the lost update, and replays it", "[search][random]") {
  auto lu = lost_update();
  chk::options o = litmus::with(search_kind::random);
  o.seed = 7;
  o.iterations = 200;
  chk::result r = litmus::run(lu->p, o);
  REQUIRE(r.v == verdict::violated);
  CHECK(r.bounds.find("seed 7") != std::string::npos);
  litmus::check_replays(lu->p, o, r);
  // Same seed, same search: the same failing execution.
  chk::result again = litmus::run(lu->p, o);
  REQUIRE(again.fail);
  CHECK(again.fail->execution == r.fail->execution);
  CHECK(again.fail->schedule == r.fail->schedule);
}

TEST_CASE("random search of a correct program reports no violation, never 'verified'", "[search][random]") {
  struct state {
    chk::mutex m{"m"};
    chk::plain<int> x{0, "x"};
  };
  std::unique_ptr<state> s;
  chk::program p;
  p.name = "mutex-counter";
  p.threads = 2;
  p.setup = [&] { s = std::make_unique<state>(); };
  p.thread = [&](int) {
    s->m.lock();
    s->x = s->x + 1;
    s->m.unlock();
  };
  chk::options o = litmus::with(search_kind::random);
  o.iterations = 50;
  chk::result r = litmus::run(p, o);
  CHECK(r.v == verdict::no_violation_found);
  CHECK(r.st.executions == 50);
}

TEST_CASE("PCT with depth 2 finds the lost update from a fixed seed", "[search][pct]") {
  auto lu = lost_update();
  chk::options o = litmus::with(search_kind::pct);
  o.pct_depth = 2;
  o.seed = 3;
  o.iterations = 500;
  chk::result r = litmus::run(lu->p, o);
  REQUIRE(r.v == verdict::violated);
  CHECK(r.bounds.find("pct depth 2") != std::string::npos);
  litmus::check_replays(lu->p, o, r);
}

TEST_CASE("value choices are explored exhaustively by dfs and dpor", "[search][choose]") {
  struct state {
    chk::atomic<int> x{0, "x"};
  };
  std::unique_ptr<state> s;
  std::set<int> seen;
  chk::program p;
  p.name = "choose";
  p.threads = 1;
  p.setup = [&] { s = std::make_unique<state>(); };
  p.thread = [&](int) { s->x.store(chk::choose(3)); };
  p.finish = [&] { seen.insert(s->x.peek()); };
  for (auto k : {search_kind::dfs, search_kind::dpor}) {
    seen.clear();
    chk::result r = litmus::run(p, litmus::with(k));
    CHECK(r.v == verdict::verified);
    CHECK(r.st.executions == 3);
    CHECK(seen == std::set<int>{0, 1, 2});
  }
}

TEST_CASE("timeouts: off, a lone timed park is a deadlock; on, it times out", "[search][timeouts]") {
  bool timed_out = false;
  chk::program p;
  p.name = "lone-park";
  p.threads = 1;
  p.thread = [&](int) { timed_out = !chk::park_for(); };
  chk::result off = litmus::run(p, litmus::with(search_kind::dpor));
  REQUIRE(off.v == verdict::violated);
  CHECK(off.fail->kind == failure_kind::deadlock);
  chk::options on = litmus::with(search_kind::dpor);
  on.timeouts = true;
  chk::result r = litmus::run(p, on);
  CHECK(r.v == verdict::verified);
  CHECK(timed_out);
  CHECK(r.bounds.find("timeouts on (at most 1 per execution)") != std::string::npos);
}

TEST_CASE("the timeout budget bounds an idle loop that sleeps with a timeout", "[search][timeouts]") {
  int rounds = 0;
  chk::program p;
  p.name = "idle-loop";
  p.threads = 1;
  p.daemons = {0};
  p.thread = [&](int) {
    rounds = 0;
    for (;;) {
      ++rounds;
      chk::park_for();
    }
  };
  chk::options o = litmus::with(search_kind::dfs);
  o.timeouts = true;
  o.max_timeouts = 3;
  chk::result r = litmus::run(p, o);
  CHECK(r.v == verdict::verified);  // the daemon ends blocked once the budget is spent
  CHECK(rounds == 4);
  CHECK(r.st.executions == 1);
}

TEST_CASE("budgets: a search cut short is inconclusive, with its counts", "[search][budget]") {
  struct state {
    chk::atomic<int> v[3] = {chk::atomic<int>{0, "v0"}, chk::atomic<int>{0, "v1"}, chk::atomic<int>{0, "v2"}};
  };
  std::unique_ptr<state> s;
  chk::program p;
  p.name = "writers";
  p.threads = 3;
  p.setup = [&] { s = std::make_unique<state>(); };
  p.thread = [&](int i) {
    for (int k = 0; k < 3; ++k) s->v[i].store(k);
  };
  chk::options o = litmus::with(search_kind::dfs);
  o.max_executions = 100;
  chk::result r = litmus::run(p, o);
  CHECK(r.v == verdict::inconclusive);
  CHECK(r.st.executions == 100);
  CHECK_FALSE(r.st.complete);
}

TEST_CASE("a program that behaves differently for the same schedule is reported as nondeterministic",
          "[search][determinism]") {
  static int generation = 0;
  struct state {
    chk::atomic<int> a{0, "a"}, b{0, "b"}, c{0, "c"};
  };
  std::unique_ptr<state> s;
  chk::program p;
  p.name = "wall-clock-like";
  p.threads = 2;
  p.setup = [&] { s = std::make_unique<state>(); };
  p.thread = [&](int i) {
    if (i == 0) {
      s->a.store(1);
      // Steered by something outside the schedule, like a clock or an address.
      if (++generation % 2)
        s->b.store(1);
      else
        s->c.store(1);
      s->a.store(2);
    } else {
      s->b.load();
      s->a.load();
    }
  };
  chk::result r = litmus::run(p, litmus::with(search_kind::dfs));
  REQUIRE(r.v == verdict::violated);
  CHECK(r.fail->kind == failure_kind::nondeterminism);
}

// A replayed choice before the branch point checks only the thread it names (it can run, and its
// step is the recorded one); another thread's enabledness that changes between runs is caught
// where the schedule reaches a choice the search made with the old enabled set.
TEST_CASE("a program whose other threads' enabledness differs for the same schedule is reported as nondeterministic",
          "[search][determinism]") {
  static int generation = 0;
  struct state {
    chk::atomic<int> a{0, "a"}, b{0, "b"};
  };
  std::unique_ptr<state> s;
  chk::program p;
  p.name = "enabledness-steered";
  p.threads = 2;
  p.setup = [&] { s = std::make_unique<state>(); };
  p.thread = [&](int i) {
    if (i == 0) {
      // The same steps every time; only the values steer whether thread 1 may run.
      s->a.store(++generation % 2 ? 1 : 0);
      s->b.store(1);
      s->b.store(2);
    } else {
      chk::await([&] { return s->a.load() == 1; }, {s->a});
      s->b.load();
    }
  };
  for (search_kind k : {search_kind::dfs, search_kind::dpor}) {
    generation = 0;
    chk::result r = litmus::run(p, litmus::with(k));
    INFO(r.summary());
    REQUIRE(r.v == verdict::violated);
    CHECK(r.fail->kind == failure_kind::nondeterminism);
  }
}

TEST_CASE("sharding: the shards' executions add up to the unsharded search, with the same verdict", "[search][shard]") {
  struct state {
    chk::mutex m{"m"};
    chk::plain<int> x{0, "x"};
    chk::atomic<int> y{0, "y"};
  };
  std::unique_ptr<state> s;
  chk::program p;
  p.name = "sharded";
  p.threads = 3;
  p.setup = [&] { s = std::make_unique<state>(); };
  p.thread = [&](int i) {
    s->m.lock();
    s->x = s->x + 1;
    s->m.unlock();
    s->y.fetch_add(i);
  };
  for (auto kind : {search_kind::dfs, search_kind::dpor}) {
    chk::options whole = litmus::with(kind);
    whole.split_depth = 4;
    chk::result all = litmus::run(p, whole);
    REQUIRE(all.v == verdict::verified);
    for (int n : {2, 3, 7}) {
      std::uint64_t sum = 0;
      for (int i = 0; i < n; ++i) {
        chk::options o = whole;
        o.shard_index = i;
        o.shard_count = n;
        chk::result part = litmus::run(p, o);
        CHECK(part.v == verdict::verified);
        sum += part.st.executions;
      }
      CHECK(sum == all.st.executions);
    }
  }
  // A bug is found by exactly the shards owning its schedules, and the union is "violated".
  p.thread = [&](int i) {
    int v = s->y.load();
    s->y.store(v + i + 1);
  };
  p.finish = [&] { chk::check(s->y.peek() == 6, "no lost update"); };
  chk::options whole = litmus::with(search_kind::dpor);
  whole.split_depth = 3;
  bool any = false;
  for (int i = 0; i < 4; ++i) {
    chk::options o = whole;
    o.shard_index = i;
    o.shard_count = 4;
    any |= litmus::run(p, o).v == verdict::violated;
  }
  CHECK(any);
}

TEST_CASE("sharding: a long single-threaded start does not put every execution in one shard", "[search][shard]") {
  // Thread 0 makes many steps alone before it spawns the others (as an io-wq owner sets up its
  // wq): the split counts only choices with alternatives, so the shards still divide the tree.
  struct state {
    chk::atomic<int> a{0, "a"};
    chk::atomic<int> b{0, "b"};
  };
  std::unique_ptr<state> s;
  chk::program p;
  p.name = "late-spawn";
  p.threads = 1;
  p.setup = [&] { s = std::make_unique<state>(); };
  p.thread = [&](int) {
    for (int k = 0; k < 8; ++k) s->a.fetch_add(1);
    std::vector<int> kids;
    for (int t = 0; t < 2; ++t)
      kids.push_back(chk::spawn([&] {
        s->b.fetch_add(1);
        s->b.fetch_add(1);
        s->a.fetch_add(1);
      }));
    s->b.fetch_add(1);
    for (int k : kids) chk::join(k);
  };
  for (auto kind : {search_kind::dfs, search_kind::dpor}) {
    chk::options whole = litmus::with(kind);
    whole.split_depth = 3;
    chk::result all = litmus::run(p, whole);
    REQUIRE(all.v == verdict::verified);
    REQUIRE(all.st.executions > 10);
    std::uint64_t sum = 0;
    int nonempty = 0;
    for (int i = 0; i < 2; ++i) {
      chk::options o = whole;
      o.shard_index = i;
      o.shard_count = 2;
      chk::result part = litmus::run(p, o);
      CHECK(part.v == verdict::verified);
      sum += part.st.executions;
      nonempty += part.st.executions > 0;
    }
    CHECK(sum == all.st.executions);
    CHECK(nonempty == 2);
  }
}

TEST_CASE("replay files: malformed, other versions and other programs are refused with a reason", "[replay]") {
  auto lu = lost_update();
  chk::options o = litmus::with(search_kind::dpor);
  chk::result r = litmus::run(lu->p, o);
  REQUIRE(r.fail);
  chk::replay_file f = chk::make_replay(lu->p.name, o, *r.fail);
  std::string good = chk::to_json(f);

  CHECK_THROWS_WITH(chk::parse_replay("{"), Catch::Contains("not valid JSON"));
  CHECK_THROWS_WITH(chk::parse_replay("[1,2]"), Catch::Contains("not a replay file"));
  std::string v2 = good;
  v2.replace(v2.find("\"format_version\": 1"), 19, "\"format_version\": 2");
  CHECK_THROWS_WITH(chk::parse_replay(v2), Catch::Contains("version 2 is not supported"));
  std::string other_engine = good;
  other_engine.replace(other_engine.find("chk-1"), 5, "chk-0");
  CHECK_THROWS_WITH(chk::parse_replay(other_engine), Catch::Contains("engine chk-0"));
  std::string no_schedule = good;
  no_schedule.replace(no_schedule.find("\"schedule\""), 10, "\"schedulX\"");
  CHECK_THROWS_WITH(chk::parse_replay(no_schedule), Catch::Contains("malformed"));
  // A step bound beyond what vector clocks hold (vclock::join compares entries as signed).
  for (const char* steps : {"0", "16777217", "1073741824"}) {
    std::string big = good;
    const std::size_t at = big.find("\"max_steps\": ");
    REQUIRE(at != std::string::npos);
    const std::size_t from = at + 13, to = big.find_first_of(",\n}", from);
    big.replace(from, to - from, steps);
    CHECK_THROWS_WITH(chk::parse_replay(big), Catch::Contains(std::string("step bound ") + steps + " is outside"));
  }
  {
    chk::options too_long = o;
    too_long.max_steps = chk::options::max_step_bound + 1;
    CHECK_THROWS_AS(litmus::run(lu->p, too_long), std::invalid_argument);
    too_long.max_steps = chk::options::max_step_bound;
    CHECK_NOTHROW(litmus::run(lu->p, too_long));
  }

  chk::program other = lu->p;
  other.name = "something-else";
  CHECK_THROWS_WITH(chk::replay(other, f), Catch::Contains("is for test \"lost-update\""));

  // A schedule that does not fit the program: a clear reason, not a crash.
  chk::replay_file bad = f;
  bad.schedule = {1, 1, 1, 1, 1, 1};
  chk::replay_outcome out = chk::replay(lu->p, bad);
  CHECK_FALSE(out.reproduced);
  CHECK(out.why.find("replay diverged") != std::string::npos);

  // The good file reproduces.
  chk::replay_outcome ok = chk::replay(lu->p, chk::parse_replay(good));
  CHECK(ok.reproduced);

  // The trace is compared by its visible steps: a non-atomic access recorded between them (whose
  // order inside a statement is the compiler's) may differ, a scheduling point may not.
  REQUIRE(!f.trace.empty());
  chk::replay_file annotated = chk::parse_replay(good);
  chk::trace_step note;
  note.thread = 0;
  note.visible = false;
  note.op = "read";
  note.object = "elsewhere";
  annotated.trace.insert(annotated.trace.begin(), note);
  CHECK(chk::replay(lu->p, annotated).reproduced);
  chk::replay_file moved = chk::parse_replay(good);
  for (auto& s : moved.trace)
    if (s.visible) {
      s.location = "moved.cpp:1";
      break;
    }
  chk::replay_outcome differs = chk::replay(lu->p, moved);
  CHECK_FALSE(differs.reproduced);
  CHECK(differs.why.find("trace differs") != std::string::npos);
  CHECK(differs.why.find("moved.cpp:1") != std::string::npos);
}

TEST_CASE("replay files record the RCU flavour, and a file without one is preemptible", "[replay][rcu]") {
  auto lu = lost_update();
  chk::options o = litmus::with(search_kind::dpor);
  chk::result r = litmus::run(lu->p, o);
  REQUIRE(r.fail);
  chk::replay_file f = chk::make_replay(lu->p.name, o, *r.fail);
  CHECK(f.rcu == chk::rcu_flavour::preemptible);
  std::string text = chk::to_json(f);
  CHECK(text.find("\"rcu\": \"preemptible\"") != std::string::npos);

  // A file written before the flavour existed: no "rcu" among its options.
  nlohmann::json j = nlohmann::json::parse(text);
  j["options"].erase("rcu");
  chk::replay_file back = chk::parse_replay(j.dump(1));
  CHECK(back.rcu == chk::rcu_flavour::preemptible);
  CHECK(chk::replay(lu->p, back).reproduced);

  f.rcu = chk::rcu_flavour::non_preemptible;
  CHECK(chk::parse_replay(chk::to_json(f)).rcu == chk::rcu_flavour::non_preemptible);
  std::string bad = chk::to_json(f);
  bad.replace(bad.find("non-preemptible"), 15, "cooperative");
  CHECK_THROWS_WITH(chk::parse_replay(bad), Catch::Contains("unknown rcu flavour \"cooperative\""));
}

TEST_CASE("RCU flavour spellings: each parses and prints back the same, and others are refused", "[rcu][spec]") {
  for (auto f : {chk::rcu_flavour::preemptible, chk::rcu_flavour::non_preemptible}) {
    INFO(chk::to_string(f));
    CHECK(chk::parse_rcu_flavour(chk::to_string(f)) == f);
  }
  CHECK(std::string(chk::to_string(chk::rcu_flavour::preemptible)) == "preemptible");
  CHECK(std::string(chk::to_string(chk::rcu_flavour::non_preemptible)) == "non-preemptible");
  for (const char* bad : {"", "Preemptible", "non_preemptible", "nonpreemptible", "non-preemptible ", "tree"}) {
    INFO(bad);
    CHECK_FALSE(chk::parse_rcu_flavour(bad));
  }
  CHECK(chk::options{}.rcu == chk::rcu_flavour::preemptible);
}

TEST_CASE("counterexamples render as per-thread columns with locations", "[trace]") {
  auto lu = lost_update();
  chk::result r = litmus::run(lu->p, litmus::with(search_kind::dpor));
  REQUIRE(r.fail);
  std::string cols = chk::format_trace_columns(r.fail->trace);
  CHECK(cols.find("T0") != std::string::npos);
  CHECK(cols.find("T1") != std::string::npos);
  CHECK(cols.find("litmus/catalog.cpp:") != std::string::npos);
  CHECK(cols.find("load x") != std::string::npos);
  CHECK(cols.find("store x") != std::string::npos);
  std::string list = chk::format_trace_list(r.fail->trace);
  CHECK(list.find("FAIL end-check") != std::string::npos);
}

TEST_CASE("search spellings of --search: each parses, prints back the same, and bad ones are refused",
          "[search][spec]") {
  for (const char* text : {"dfs", "dpor", "bounded:0", "bounded:3", "random:50", "pct:2"}) {
    chk::options o;
    INFO(text);
    REQUIRE(chk::parse_search(text, o));
    CHECK(chk::search_spec(o) == text);
  }
  chk::options o;
  REQUIRE(chk::parse_search("bounded:4", o));
  CHECK(o.search == search_kind::bounded);
  CHECK(o.preemption_bound == 4);
  REQUIRE(chk::parse_search("random:77", o));
  CHECK(o.search == search_kind::random);
  CHECK(o.iterations == 77);
  REQUIRE(chk::parse_search("pct:3", o));
  CHECK(o.search == search_kind::pct);
  CHECK(o.pct_depth == 3);
  CHECK(o.iterations == 10000);
  CHECK(chk::exhaustive(search_kind::bounded));
  CHECK_FALSE(chk::exhaustive(search_kind::pct));

  for (const char* bad : {"", "DFS", "dfs2", "bounded", "bounded:", "bounded:x", "bounded:-1", "random: 5", "pct:3x",
                          "bounded:99999999999999999999"}) {
    chk::options before;
    before.search = search_kind::dpor;
    INFO(bad);
    CHECK_FALSE(chk::parse_search(bad, before));
    CHECK(before.search == search_kind::dpor);
  }
}

TEST_CASE("trace locations keep the path from the project's top folder, wherever the checkout is", "[trace]") {
  CHECK(chk::short_location("/check/work/main/model/io_wq.cpp", 12) == "model/io_wq.cpp:12");
  // A checkout whose folder name ends in a top folder's name is not that folder.
  CHECK(chk::short_location("/work/wt-tools/scenarios/catalog.cpp", 3) == "scenarios/catalog.cpp:3");
  CHECK(chk::short_location("/work/wt-tools/model/upstream/io_wq.cpp", 7) == "model/upstream/io_wq.cpp:7");
  CHECK(chk::short_location("/work/my-model/tools/results.cpp", 1) == "tools/results.cpp:1");
  // Files outside the project (a kernel tree's io-wq.c) keep their base name.
  CHECK(chk::short_location("/home/u/linux/io_uring/io-wq.c", 9) == "io-wq.c:9");
  CHECK(chk::short_location("model/io_wq.cpp", 5) == "model/io_wq.cpp:5");
  CHECK(chk::short_location(nullptr, 1) == "?:1");
}

namespace {
// The statistics of a search of p that must verify, counting outcomes.
chk::stats outcome_run(chk::program& p, search_kind k) {
  chk::options o = litmus::with(k);
  o.count_outcomes = true;
  chk::result r = litmus::run(p, o);
  REQUIRE(r.v == verdict::verified);
  return r.st;
}
}  // namespace

// options::count_outcomes (bench/dpor_table's measurement): an outcome is what every thread
// observed. Known answers, the same under DFS and DPOR.
TEST_CASE("outcome counting: distinct observations, the same under DFS and DPOR", "[search][outcomes]") {
  struct state {
    chk::atomic<int> x{0, "x"};
    chk::atomic<int> a{0, "a"}, b{0, "b"}, c{0, "c"};
    chk::atomic<int>& own(int t) { return t == 0 ? a : t == 1 ? b : c; }
  };
  std::unique_ptr<state> s;
  // Three threads each add 1 to x twice and see what was there: 90 interleavings of their adds; a
  // thread's two adds see two different values, so an outcome is who saw which of 0..5: 6!/(2!^3).
  chk::program adds;
  adds.name = "three-adders";
  adds.threads = 3;
  adds.setup = [&] { s = std::make_unique<state>(); };
  adds.thread = [&](int) {
    s->x.fetch_add(1);
    s->x.fetch_add(1);
  };
  for (search_kind k : {search_kind::dfs, search_kind::dpor}) {
    chk::stats st = outcome_run(adds, k);
    CHECK(st.executions == 90);
    CHECK(st.distinct_outcomes == 90);
  }
  // Three threads each store to their own object three times: 1,680 interleavings under DFS,
  // one under DPOR, one outcome.
  chk::program own;
  own.name = "own-objects";
  own.threads = 3;
  own.setup = [&] { s = std::make_unique<state>(); };
  own.thread = [&](int t) {
    for (int i = 1; i <= 3; ++i) s->own(t).store(i);
  };
  CHECK(outcome_run(own, search_kind::dfs).executions == 1680);
  CHECK(outcome_run(own, search_kind::dfs).distinct_outcomes == 1);
  CHECK(outcome_run(own, search_kind::dpor).executions == 1);
  CHECK(outcome_run(own, search_kind::dpor).distinct_outcomes == 1);
  // A store and a load of x: the load sees 0 or 1.
  chk::program mp;
  mp.name = "store-load";
  mp.threads = 2;
  mp.setup = [&] { s = std::make_unique<state>(); };
  mp.thread = [&](int t) {
    if (t == 0)
      s->x.store(1);
    else
      (void)s->x.load();
  };
  CHECK(outcome_run(mp, search_kind::dfs).distinct_outcomes == 2);
  CHECK(outcome_run(mp, search_kind::dpor).distinct_outcomes == 2);
  // Without the option nothing is counted.
  chk::options o = litmus::with(search_kind::dfs);
  CHECK(litmus::run(mp, o).st.distinct_outcomes == 0);
}

// Addresses differ between executions, so an outcome gives a read address as the order in which
// its thread first read it. Per thread: the order in which independent threads read addresses does
// not make two outcomes of one (an order shared by all threads did: DFS counted 2 here).
TEST_CASE("outcome counting: addresses read by independent threads give one outcome", "[search][outcomes]") {
  struct state {
    int objects[3] = {};
    chk::atomic<int*> pa{nullptr, "pa"}, pb{nullptr, "pb"};
  };
  std::unique_ptr<state> s;
  chk::program reads;
  reads.name = "two-address-readers";
  reads.threads = 2;
  reads.setup = [&] {
    s = std::make_unique<state>();
    s->pa.store(&s->objects[0]);
    s->pb.store(&s->objects[1]);
  };
  reads.thread = [&](int t) { (void)(t == 0 ? s->pa : s->pb).load(); };
  chk::stats dfs = outcome_run(reads, search_kind::dfs);
  CHECK(dfs.executions == 2);
  CHECK(dfs.distinct_outcomes == 1);
  CHECK(outcome_run(reads, search_kind::dpor).distinct_outcomes == 1);
  // A thread that reads one address twice is told apart from one that reads two. (It is not told
  // which object an address is: reading the old one twice and the new one twice are one outcome,
  // so the count never splits executions whose reads read from the same writes, and may merge
  // others: a lower bound on the reads-from classes.)
  chk::program moved;
  moved.name = "address-moved";
  moved.threads = 2;
  moved.setup = reads.setup;
  moved.thread = [&](int t) {
    if (t == 0) {
      (void)s->pa.load();
      (void)s->pa.load();
    } else {
      s->pa.store(&s->objects[2]);
    }
  };
  // T0 reads (old, old), (old, new) or (new, new): first-read indices 1,1 / 1,2 / 1,1; the writer
  // reads nothing. So 2 outcomes.
  CHECK(outcome_run(moved, search_kind::dfs).distinct_outcomes == 2);
  CHECK(outcome_run(moved, search_kind::dpor).distinct_outcomes == 2);
}

// chk::exit_thread ends a thread from deep in its stack without returning: what follows the call
// never runs, joiners see the thread finished, and every interleaving of the exit with the other
// threads' steps is explored as for a thread whose body returned.
TEST_CASE("exit_thread: the thread ends where it calls it, as if its body had returned", "[search][exit]") {
  struct state {
    chk::atomic<int> x{0, "x"}, y{0, "y"};
    int after_exit = 0;  // written only by code that must not run
  };
  std::unique_ptr<state> s;
  auto leave = [&] {
    s->x.store(1);
    chk::exit_thread();
  };
  chk::program p;
  p.name = "exit-thread";
  p.threads = 2;
  p.setup = [&] { s = std::make_unique<state>(); };
  p.thread = [&](int t) {
    if (t == 0) {
      const int child = chk::spawn([&] {
        leave();
        s->after_exit = 1;
        s->x.store(2);
      });
      chk::join(child);
      (void)s->y.load();
    } else {
      s->y.store(1);
    }
  };
  p.finish = [&] {
    if (s->x.peek() != 1 || s->after_exit != 0) chk::violated("end", "exit_thread returned");
  };
  for (search_kind k : {search_kind::dfs, search_kind::dpor}) {
    chk::options o = litmus::with(k);
    o.count_outcomes = true;
    chk::result r = litmus::run(p, o);
    INFO(r.summary());
    CHECK(r.v == verdict::verified);
    CHECK(r.st.distinct_outcomes == 2);  // T0's load of y sees 0 or 1
  }
}

TEST_CASE("vector clock join is the elementwise maximum, up to the largest step count", "[vclock]") {
  // join() compares four entries at a time as signed integers: entries count steps, at most
  // options::max_steps (an int). Every entry is checked, on both sides of each comparison, with
  // values at 0, around 2^16 and at INT_MAX.
  const std::uint32_t vals[] = {0, 1, 2, 65535, 65536, 0x7ffffffeu, 0x7fffffffu};
  for (int shift = 0; shift < chk::max_threads; ++shift) {
    chk::vclock a, b, want;
    for (int i = 0; i < chk::max_threads; ++i) {
      a[i] = vals[(i + shift) % 7];
      b[i] = vals[(3 * i + 2 * shift + 1) % 7];
      want[i] = std::max(a[i], b[i]);
    }
    a.join(b);
    for (int i = 0; i < chk::max_threads; ++i) CHECK(a[i] == want[i]);
  }
}
