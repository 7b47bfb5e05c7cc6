#!/usr/bin/env bash
# CHK_RACESTATS, the DPOR measurement bench/README.md quotes ("Where the backtrack points come from,
# by operation"): the total of backtrack points equals the sum of its per-pair counts; pairs are
# named by object and operation; two exiting workers' worker_refs decrements that stay above zero
# are marked (bound-and-unbound: 3 to 2 and 2 to 1), and pairs where one reaches zero are not
# (thread-exit-bound-blocked, whose owner drops the last reference); =all prints every count, any
# other value the largest 25; unset, nothing.
source "$(dirname "$0")/lib.sh" "$@"

sel=(check --variant upstream-fixed --search dpor --max-executions 3000)
CHK_RACESTATS=all run all 3 "${sel[@]}" --scenario bound-and-unbound --out o1
CHK_RACESTATS=1 run top 3 "${sel[@]}" --scenario bound-and-unbound --out o2
CHK_RACESTATS=all run zero 3 "${sel[@]}" --scenario thread-exit-bound-blocked --out o3
run none 3 "${sel[@]}" --scenario bound-and-unbound --out o4

total=$(awk '/backtrack points added in all/ {print $2}' all.err)
sum=$(awk '$3 == "backtrack:" {s += $2} END {print s + 0}' all.err)
if [ -n "$total" ] && [ "$total" -gt 0 ] && [ "$total" -eq "$sum" ]; then
  pass "total $total equals the sum of the per-pair counts"
else
  fail "total '$total' against the sum of the per-pair counts $sum"
fi
pair='backtrack: wq.worker_refs \[atomic_dec_and_test\] -> wq.worker_refs \[atomic_dec_and_test\]'
grep -qE "$pair \(neither reaches 0\)$" all.err && pass "bound-and-unbound: worker_refs pairs marked" ||
  fail "bound-and-unbound: no marked worker_refs pair"
grep -qE "$pair$" zero.err && pass "thread-exit-bound-blocked: pairs reaching zero unmarked" ||
  fail "thread-exit-bound-blocked: no unmarked worker_refs pair"
grep -qE "$pair \(neither" zero.err && fail "thread-exit-bound-blocked: a pair reaching zero is marked" ||
  pass "thread-exit-bound-blocked: no pair marked"
n_all=$(grep -c '^races' all.err)
n_top=$(grep -c '^races' top.err)
top_total=$(awk '/backtrack points added in all/ {print $2}' top.err)
if [ "$n_all" -gt 26 ] && [ "$n_top" -eq 26 ] && [ "$top_total" = "$total" ]; then
  pass "=all prints $n_all counts, =1 the total and the largest 25"
else
  fail "=all printed $n_all lines, =1 $n_top (total $top_total)"
fi
grep -q '^races' none.err && fail "unset, it still prints counts" || pass "unset, no counts"

[ "$failures" -eq 0 ] || exit 1
echo "all racestats checks passed"
