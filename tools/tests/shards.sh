#!/usr/bin/env bash
# --shard 0/2 + --shard 1/2 merged, and --jobs 2, give the verdicts of one unsharded run; runs that
# divide the searches the same way (by target, or by schedule prefix at the same cut) also give the
# same execution totals for every search that completes (a search that finds a counterexample stops
# there, so how many executions it took depends on the order the parts are explored in). An undivided
# DPOR search is not cut (plain DPOR): fewer executions than the divided one. Each shard does a real
# part of the work; merge refuses a missing or duplicated shard.
source "$(dirname "$0")/lib.sh" "$@"

sel=(--quick --scenario idle-then-eoi --scenario cancel-queued --variant baseline --variant upstream)
run one 1 check "${sel[@]}" --json one.json --out o1
run shard0 1 check "${sel[@]}" --shard 0/2 --json s0.json --out o2
run shard1 1 check "${sel[@]}" --shard 1/2 --json s1.json --out o3
run merge 0 merge s0.json s1.json --json merged.json
run jobs2 1 check "${sel[@]}" --jobs 2 --json jobs2.json --out o4
# One target, two jobs: split by schedule prefix rather than by target.
run single1 0 check --quick --scenario idle-then-eoi --variant upstream --json single1.json
run single2 0 check --quick --scenario idle-then-eoi --variant upstream --jobs 2 --json single2.json
# A shard run with jobs of its own.
run shard1_jobs2 1 check "${sel[@]}" --shard 1/2 --jobs 2 --json s1j.json --out o5
run merge_jobs 0 merge s0.json s1j.json --json merged_jobs.json
# A report split in two and merged.
run report_one 0 report --quick --scenario idle-then-eoi --variant baseline --variant v1 --out rep
run report_s0 0 report --quick --scenario idle-then-eoi --variant baseline --variant v1 --shard 0/2 --out rs0
run report_s1 0 report --quick --scenario idle-then-eoi --variant baseline --variant v1 --shard 1/2 --out rs1
run report_merge 0 merge rs0/results.json rs1/results.json --out rm

same() {  # same A B [verdicts]: identical verdicts row by row, and execution counts of completed searches
  python3 - "$1" "$2" "${3:-}" <<'PY'
import json, sys
counts = sys.argv[3] != "verdicts"
def rows(f):
    return [(r["id"], r["verdict"], r["violated"], r["executions"] if counts and r["verdict"] == "verified" else None,
             r["complete"]) for r in json.load(open(f))["rows"]]
a, b = rows(sys.argv[1]), rows(sys.argv[2])
assert a, "no rows"
if a != b:
    for x, y in zip(a, b):
        if x != y: print("  ", x, "\n  ", y)
    sys.exit(f"{sys.argv[1]} and {sys.argv[2]} differ ({len(a)} and {len(b)} rows)")
print(f"{len(a)} rows, {sum(r[3] or 0 for r in a)} executions in verified rows")
PY
}
# Both shards explored part of every verified search (the split is not degenerate).
python3 - s0.json s1.json <<'PY' && pass "both shards did part of every verified search" || fail "a shard did no work"
import json, sys
a, b = (json.load(open(f))["rows"] for f in sys.argv[1:3])
bad = [x["id"] for x, y in zip(a, b) if x["verdict"] == "verified" and (x["executions"] == 0 or y["executions"] == 0)]
n = sum(1 for x in a if x["verdict"] == "verified")
assert n > 0, "no verified rows"
sys.exit(f"empty shard in {bad}" if bad else 0)
PY
same one.json merged.json verdicts && pass "shards 0/2 + 1/2 merged = unsharded (verdicts)" || fail "merged shards differ"
same one.json jobs2.json && pass "--jobs 2 by target = --jobs 1 (verdicts and executions)" || fail "--jobs 2 differs"
same single1.json single2.json verdicts && pass "one target, --jobs 2 = --jobs 1 (verdicts)" || fail "one target --jobs 2 differs"
same merged.json merged_jobs.json && pass "shard with --jobs 2 merged = shards merged (verdicts and executions)" || fail "shard+jobs differs"
same one.json merged_jobs.json verdicts && pass "shard with --jobs 2 merged = unsharded (verdicts)" || fail "shard+jobs differs"
same rep/results.json rm/results.json verdicts && pass "report shards merged = report (verdicts)" || fail "report shards differ"
# The undivided DPOR search is plain DPOR (no cut); divided, it is cut at depth 4 and runs more.
run dpor1 0 check --scenario idle-then-eoi --variant upstream --search dpor --json dpor1.json
run dpor2 0 check --scenario idle-then-eoi --variant upstream --search dpor --jobs 2 --json dpor2.json
python3 - dpor1.json dpor2.json <<'PY' && pass "undivided DPOR is not cut, and explores fewer executions than the divided one" || fail "the undivided DPOR search is cut"
import json, sys
a, b = (json.load(open(f))["rows"] for f in sys.argv[1:3])
assert all(r["verdict"] == "verified" for r in a + b), "not verified"
assert "fully branched" not in a[0]["bounds"] and "fully branched" in b[0]["bounds"], (a[0]["bounds"], b[0]["bounds"])
assert a[0]["executions"] < b[0]["executions"], (a[0]["executions"], b[0]["executions"])
PY
for f in rm/report.html rm/junit.xml rm/report.md; do [ -s "$f" ] || fail "merge --out wrote no $f"; done
[ -n "$(ls rm/replays/*.replay.json 2>/dev/null)" ] && pass "merge --out wrote the replay files" || fail "no replays in rm/"

run missing 2 merge s0.json
one_line_error missing
run twice 2 merge s0.json s0.json s1.json
one_line_error twice
finish
