#!/usr/bin/env bash
# Benchmarks of the checker: builds the release preset, prints the table of bench/README.md, the
# Google Benchmark figures, and the instructions per execution of T2 under DFS measured with
# callgrind (two runs of different lengths; the difference cancels start-up costs).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
cmake --preset release >/dev/null
cmake --build --preset release --target checker_bench callgrind_driver >/dev/null
bin=build/release/bench
echo "== table (each search repeated for 0.5 s)"
"$bin/checker_bench" --table
echo
echo "== Google Benchmark"
"$bin/checker_bench" --benchmark_min_time=0.5
echo
if command -v valgrind >/dev/null; then
  echo "== instructions per execution under callgrind"
  for prog in T2 T3; do
    for search in dfs dpor; do
      count() {
        valgrind --tool=callgrind --callgrind-out-file=/dev/null "$bin/callgrind_driver" "$prog" "$search" "$1" 2>&1 >/dev/null |
          sed -n 's/.*Collected : \([0-9]*\).*/\1/p'
      }
      execs() { "$bin/callgrind_driver" "$prog" "$search" "$1"; }
      i1=$(count 20) i2=$(count 40) e1=$(execs 20) e2=$(execs 40)
      echo "$prog $search: $(( (i2 - i1) / (e2 - e1) )) instructions per execution"
    done
  done
else
  echo "valgrind not installed: skipping the instruction counts"
fi
