#!/usr/bin/env bash
# A scenario's search is shared by the variants that differ only in fixes it never reaches
# (tools/runner.cpp, finished_search): every shared row must equal the row of the same search run
# on its own (--separate-searches), field for field (verdict, executions, pruned, depth, the
# counterexample, its trace and replay record), save the time and the shared_with mark. A variant
# whose fix the search reaches searches on its own: fix-wrap and fix-tw-uaf in exit-while-blocked
# (F2 and F4, which they fix), fix-hash-defer in stall-then-enqueue. In the 6.14 port, merged takes
# v1's search when idle timeouts are off (both make the idle-exit test at the same point); baseline
# never shares (no exit-on-idle), and with timeouts (timeout-last-worker) v1 and merged search apart.
source "$(dirname "$0")/lib.sh" "$@"

sel=(--quick --scenario idle-then-eoi --scenario exit-while-blocked --scenario stall-then-enqueue
  --scenario timeout-last-worker)
run shared 1 check "${sel[@]}" --json shared.json --out o1
run separate 1 check "${sel[@]}" --separate-searches --json separate.json --out o2
run shared_jobs 1 check "${sel[@]}" --jobs 2 --json shared_jobs.json --out o3

python3 - shared.json separate.json shared_jobs.json <<'PY' && pass "shared rows equal the searches run on their own" || fail "a shared row differs"
import json, sys
shared, separate, jobs = (json.load(open(f))["rows"] for f in sys.argv[1:4])
assert [r["id"] for r in shared] == [r["id"] for r in separate], "different rows"
ignore = {"seconds", "shared_with", "replay_file"}
n = 0
for a, b in zip(shared, separate):
    assert b["shared_with"] == "", b["id"]
    for k in a:
        if k not in ignore:
            assert a[k] == b[k], (a["id"], k, a[k], b[k])
    if a["shared_with"]:
        n += 1
        assert a["seconds"] == 0, a["id"]
        if a["variant"] == "merged":
            assert a["shared_with"] == "v1", a["id"]
        else:
            assert a["variant"].startswith("upstream-fix-") or a["variant"] == "upstream-fixed", a["id"]
            assert a["shared_with"].startswith("upstream"), a["id"]
for a, b in zip(shared, jobs):  # --jobs 2 shares the same searches
    assert (a["id"], a["verdict"], a["executions"], a["shared_with"]) == (b["id"], b["verdict"], b["executions"], b["shared_with"]), a["id"]
by = {r["id"]: r for r in shared}
def sh(s, v, p):
    return by[f"{s}/{v}/{p}"]["shared_with"]
# Shared where the fixes are not reached (idle-then-eoi never cancels a creation, hashes or unwinds a pending create)...
assert sh("idle-then-eoi", "upstream-fix-wrap", "accounting") == "upstream"
assert sh("idle-then-eoi", "upstream-fix-hash-defer", "pool-zero") == "upstream"
# ...and not where they are.
assert sh("exit-while-blocked", "upstream-fix-wrap", "uaf") == ""
assert sh("exit-while-blocked", "upstream-fix-tw-uaf", "accounting") == ""
assert sh("stall-then-enqueue", "upstream-fix-hash-defer", "lost-wakeup") == ""
assert sh("idle-then-eoi", "merged", "pool-zero") == "v1"
assert sh("exit-while-blocked", "merged", "uaf") == "v1"
assert sh("timeout-last-worker", "merged", "lost-wakeup") == ""
for r in shared:
    if r["variant"] in ("baseline", "v1", "upstream"):
        assert r["shared_with"] == "", r["id"]
print(f"{n} of {len(shared)} rows shared")
assert n >= 6
PY
grep -q "the search of upstream (nothing it asked of its variant tells them apart)" shared.out && pass "check says which search a shared row is" || fail "check does not say a row is shared"
grep -q "the search of" separate.out && fail "--separate-searches shared a search" || pass "--separate-searches shares nothing"
# What sharing rests on: the model reads its variant only through fix_on and active_variant (both
# recorded), or for its implementation (ops_for, the same for variants that share).
root=$TESTS_DIR/../..
reads=$(grep -rn "current_config()\.v\b" "$root/model" "$root/scenarios" "$root/realsrc" | grep -v "/model/config.h:" |
  grep -v "ops_for(current_config()\.v)")
[ -z "$reads" ] && pass "the model reads its variant only through recorded reads" || fail "unrecorded variant reads: $reads"
# A search the clock may cut short is not shared (it could stop elsewhere in another run).
run timed 0 check --quick --scenario idle-then-eoi --variant upstream --variant upstream-fix-wrap --time-limit 100 --out o6
grep -q "the search of" timed.out && fail "a --time-limit search was shared" || pass "--time-limit searches are not shared"
# The report marks a shared cell and counts them in its search extent.
run rep 0 report --quick --scenario idle-then-eoi --variant upstream --variant upstream-fix-wrap --variant upstream-fix-strand --out rep
grep -q "^Search extent: .* 1 cell takes over the search of another variant of the same port" rep/report.md &&
  grep -q "ex, the search of upstream |" rep/report.md && grep -q "executions &middot; the search of upstream</div>" rep/report.html &&
  pass "the report marks the shared cell and counts it" || fail "the report does not say a cell is shared"
finish
