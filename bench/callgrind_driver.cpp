// Runs one search of a benchmark program `reps` times, for instruction counts under callgrind:
//   valgrind --tool=callgrind callgrind_driver T2 dfs 100
// bench/run_bench.sh runs it with two repetition counts and divides the difference in
// instructions by the difference in executions, so start-up costs cancel out.
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "litmus_programs.h"

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: %s T1|T2|T3 dfs|dpor REPETITIONS\n", argv[0]);
    return 2;
  }
  int threads = 0, iters = 0;
  if (!std::strcmp(argv[1], "T1"))
    threads = 2, iters = 2;
  else if (!std::strcmp(argv[1], "T2"))
    threads = 3, iters = 2;
  else if (!std::strcmp(argv[1], "T3"))
    threads = 3, iters = 3;
  else {
    std::fprintf(stderr, "unknown program %s\n", argv[1]);
    return 2;
  }
  chk::options o;
  o.search = !std::strcmp(argv[2], "dpor") ? chk::search_kind::dpor : chk::search_kind::dfs;
  int reps = std::atoi(argv[3]);
  bench::mutex_counter mc(threads, iters);
  unsigned long long execs = 0;
  for (int i = 0; i < reps; ++i) execs += chk::explore(mc.p, o).st.executions;
  std::printf("%llu\n", execs);
  return 0;
}
