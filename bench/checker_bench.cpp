// Throughput of the checker on the mutex-counter litmus tests T1, T2, T3 under DFS and DPOR.
// Each benchmark iteration is one complete search; the counters report executions per search and
// executions per second. `--table` prints the summary table of bench/README.md instead.
#include <benchmark/benchmark.h>

#include <chrono>
#include <cstdio>
#include <cstring>

#include "litmus_programs.h"

namespace {

struct config {
  const char* name;
  int threads, iterations;
};
constexpr config programs[] = {{"T1", 2, 2}, {"T2", 3, 2}, {"T3", 3, 3}};

void run_search(benchmark::State& st, int prog, chk::search_kind kind) {
  const config& c = programs[prog];
  bench::mutex_counter mc(c.threads, c.iterations);
  chk::options o;
  o.search = kind;
  std::uint64_t execs = 0, per_search = 0;
  for (auto _ : st) {
    chk::result r = chk::explore(mc.p, o);
    if (r.v != chk::verdict::verified) st.SkipWithError("not verified");
    per_search = r.st.executions;
    execs += r.st.executions;
  }
  st.counters["executions"] = static_cast<double>(per_search);
  st.counters["exec/s"] = benchmark::Counter(static_cast<double>(execs), benchmark::Counter::kIsRate);
}

// Three threads, each storing three times to its own atomic: every interleaving is equivalent.
struct independent_writers {
  chk::atomic<int> v[3] = {chk::atomic<int>{0, "v0"}, chk::atomic<int>{0, "v1"}, chk::atomic<int>{0, "v2"}};
  chk::program p;
  independent_writers() {
    p.name = "W3";
    p.threads = 3;
    p.setup = [this] {
      for (auto& x : v) x.store(0);
    };
    p.thread = [this](int i) {
      for (int k = 1; k <= 3; ++k) v[i].store(k);
    };
  }
};

void table() {
  std::printf("%-4s %-6s %12s %14s %10s\n", "test", "search", "executions", "executions/s", "time");
  double t2_dfs_rate = 0, t3_dpor_secs = 0;
  std::uint64_t t2_dpor = 0, t3_dpor = 0;
  for (int i = 0; i < 4; ++i) {
    std::uint64_t e[2] = {0, 0};
    const char* name = i < 3 ? programs[i].name : "W3";
    for (int k = 0; k < 2; ++k) {
      auto kind = k == 0 ? chk::search_kind::dfs : chk::search_kind::dpor;
      bench::mutex_counter mc(i < 3 ? programs[i].threads : 1, i < 3 ? programs[i].iterations : 1);
      independent_writers w;
      const chk::program& prog = i < 3 ? mc.p : w.p;
      chk::options o;
      o.search = kind;
      // Repeat the search for at least half a second to measure throughput.
      std::uint64_t total = 0;
      int reps = 0;
      auto t0 = std::chrono::steady_clock::now();
      double secs = 0, one = 0;
      chk::result r;
      do {
        r = chk::explore(prog, o);
        total += r.st.executions;
        ++reps;
        secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        if (reps == 1) one = secs;
      } while (secs < 0.5);
      e[k] = r.st.executions;
      const double rate = static_cast<double>(total) / secs;
      std::printf("%-4s %-6s %12llu %14.0f %9.4fs  %s\n", name, chk::to_string(kind),
                  static_cast<unsigned long long>(r.st.executions), rate, one, chk::to_string(r.v));
      if (i == 1 && k == 0) t2_dfs_rate = rate;
      if (i == 1 && k == 1) t2_dpor = r.st.executions;
      if (i == 2 && k == 1) t3_dpor = r.st.executions, t3_dpor_secs = one;
    }
    std::printf("%-4s dfs/dpor ratio %.2f\n", name, static_cast<double>(e[0]) / static_cast<double>(e[1]));
  }
  std::printf("\ntargets (issue 2):\n");
  std::printf("  T2 DFS >= 600000 executions/s on one core: %.0f  %s\n", t2_dfs_rate,
              t2_dfs_rate >= 600000 ? "met" : "NOT met");
  std::printf("  T2 DPOR <= 1000 executions: %llu  %s\n", static_cast<unsigned long long>(t2_dpor),
              t2_dpor <= 1000 ? "met" : "NOT met");
  std::printf("  T3 DPOR <= 20000 executions within 5 s: %llu in %.4f s  %s\n",
              static_cast<unsigned long long>(t3_dpor), t3_dpor_secs,
              t3_dpor <= 20000 && t3_dpor_secs <= 5 ? "met" : "NOT met");
  std::printf("  (instructions per execution: bench/run_bench.sh measures them under callgrind)\n");
}

}  // namespace

BENCHMARK_CAPTURE(run_search, T1_dfs, 0, chk::search_kind::dfs);
BENCHMARK_CAPTURE(run_search, T1_dpor, 0, chk::search_kind::dpor);
BENCHMARK_CAPTURE(run_search, T2_dfs, 1, chk::search_kind::dfs);
BENCHMARK_CAPTURE(run_search, T2_dpor, 1, chk::search_kind::dpor);
BENCHMARK_CAPTURE(run_search, T3_dfs, 2, chk::search_kind::dfs);
BENCHMARK_CAPTURE(run_search, T3_dpor, 2, chk::search_kind::dpor);

int main(int argc, char** argv) {
  if (argc > 1 && std::strcmp(argv[1], "--table") == 0) {
    table();
    return 0;
  }
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
