#!/usr/bin/env bash
# T2 under Relacy and under chk, side by side in one run: executions of the full search and
# instructions per execution under callgrind (the difference between one and two whole searches,
# so start-up costs cancel), both built with the same g++ at -O2.
#
#   bench/relacy_t2.sh RELACY_CHECKOUT
#
# Relacy is not part of this project or of Debian: give the path of a checkout of
# https://github.com/dvyukov/relacy (a header-only library). The test below is ours.
set -euo pipefail
[ $# -eq 1 ] || { echo "usage: bench/relacy_t2.sh RELACY_CHECKOUT" >&2; exit 2; }
relacy=$1
[ -f "$relacy/relacy/relacy_std.hpp" ] || { echo "bench/relacy_t2.sh: no relacy/relacy_std.hpp under $relacy" >&2; exit 2; }
command -v valgrind >/dev/null || { echo "bench/relacy_t2.sh: valgrind is not installed" >&2; exit 2; }
top=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cat >"$work/t2.cpp" <<'CPP'
// T2: 3 threads, each doing {lock; x++; unlock} twice; Relacy's full search, REPS times.
#include "relacy/relacy_std.hpp"
#include <cstdio>
#include <cstdlib>
#include <sstream>

struct t2 : rl::test_suite<t2, 3> {
  std::mutex m;
  rl::var<int> x;
  void before() { x($) = 0; }
  void thread(unsigned) {
    for (int i = 0; i < 2; ++i) {
      m.lock($);
      x($) = x($) + 1;
      m.unlock($);
    }
  }
  void after() { RL_ASSERT(x($) == 6); }
};

int main(int argc, char** argv) {
  const int reps = argc > 1 ? std::atoi(argv[1]) : 1;
  unsigned long long total = 0;
  for (int i = 0; i < reps; ++i) {
    rl::test_params p;
    p.search_type = rl::sched_full;
    std::ostringstream out;
    p.output_stream = &out;
    p.progress_stream = &out;
    if (!rl::simulate<t2>(p)) return 1;
    total += p.stop_iteration;
  }
  std::printf("%llu\n", total);
  return 0;
}
CPP
g++ -O2 -std=c++17 -w -I "$relacy" "$work/t2.cpp" -o "$work/relacy_t2"
cmake --build --preset default --target callgrind_driver >/dev/null
chk="$top/build/default/bench/callgrind_driver"
instr() { valgrind --tool=callgrind --callgrind-out-file=/dev/null "$@" 2>&1 >/dev/null | sed -n 's/.*Collected : \([0-9]*\).*/\1/p'; }
printf '| checker | search | executions | instructions/execution |\n|---|---|---:|---:|\n'
e1=$("$work/relacy_t2" 1) e2=$("$work/relacy_t2" 2)
i1=$(instr "$work/relacy_t2" 1) i2=$(instr "$work/relacy_t2" 2)
echo "| Relacy | full search | $e1 | $(( (i2 - i1) / (e2 - e1) )) |"
for s in dfs dpor; do
  e1=$("$chk" T2 "$s" 200) e2=$("$chk" T2 "$s" 400)
  i1=$(instr "$chk" T2 "$s" 200) i2=$(instr "$chk" T2 "$s" 400)
  echo "| chk | $s | $(( e1 / 200 )) | $(( (i2 - i1) / (e2 - e1) )) |"
done
