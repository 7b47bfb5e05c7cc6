#!/usr/bin/env bash
# iowq-verify explore: the enumeration of generated owner programs, triaged by signature.
# - the small enumeration (every program of at most 2 actions and 2 works, every variant) finds
#   only known findings, each where its signature is declared, and none in upstream-fixed;
# - its shards merge to the unsharded verdicts; the report has its section;
# - a seeded mutant makes violations no known finding has: new candidates, exit 1, replayable;
# - bad input is a one-line error with exit 2.
source "$(dirname "$0")/lib.sh" "$@"

run list 0 explore --list --max-actions 2 --max-works 2
contains list.out "79 programs (every program of at most 2 actions and 2 works, knobs none)"
contains list.out "gen:punt:x.thread-exit"

run small 0 explore --max-actions 2 --max-works 2 --jobs 2 --out ex --json ex.json
contains small.out "0 new candidates"
contains small.err "explore: 79 programs"
contains ex/report.md "## Generated scenarios (iowq-verify explore)"
contains ex/report.html 'id="generated"'
python3 - ex.json <<'PY' || fail "small: the triage of ex.json"
import json, sys
rows = json.load(open(sys.argv[1]))["rows"]
assert len({r["target"] for r in rows}) == 79 * 9, len({r["target"] for r in rows})
sigs = {}
for r in rows:
    assert r["scenario"].startswith("gen:"), r["id"]
    if r["verdict"] == "violated":
        assert r["signature"] and r["as_expected"], r["id"]
        sigs.setdefault((r["signature"], r["note"].split(":")[0]), set()).add(r["variant"])
    else:
        assert r["verdict"] == "verified" and r["as_expected"] and not r["signature"], r["id"]
found = {k[0]: (k[1], v) for k, v in sigs.items()}
# F3 and the lingering worker only in baseline; F6 everywhere but upstream-fixed (6.12.118's fix).
assert found["exit-hang@io_wq_worker"] == ("F3", {"baseline"}), found
assert found["pool-zero@io_wq_worker"] == ("baseline", {"baseline"}), found
assert found["exit-hang@do_work"][0] == "F6" and len(found["exit-hang@do_work"][1]) == 8, found
assert not any("upstream-fixed" in v for _, v in found.values()), found
print("signatures:", sorted(found))
PY

# Two shards merged: the same verdicts as one run.
run shard0 0 explore --max-actions 2 --max-works 2 --shard 0/2 --json s0.json
run shard1 0 explore --max-actions 2 --max-works 2 --shard 1/2 --json s1.json
run merge 0 merge s0.json s1.json --json merged.json --out mr
contains mr/report.md "## Generated scenarios (iowq-verify explore)"
python3 - ex.json merged.json <<'PY' || fail "shards: merged verdicts differ from the unsharded run"
import json, sys
def verdicts(f):
    return {(r["id"], r["verdict"], r["signature"], r["as_expected"]) for r in json.load(open(f))["rows"]}
a, b = verdicts(sys.argv[1]), verdicts(sys.argv[2])
assert a == b, (sorted(a - b)[:5], sorted(b - a)[:5])
print(len(a), "verdicts alike")
PY

# A seeded mutant (exit-on-idle no longer wakes the idle worker) under v1: its violations have
# signatures no known finding declares for v1, so they are new candidates, and the smallest one
# replays.
run mutant 1 explore --max-actions 2 --max-works 1 --variant v1 --mutant eoi_no_wake --out mx
contains mutant.out "NEW CANDIDATE"
replay=$(ls mx/replays/*.replay.json 2>/dev/null | head -1)
if [ -n "$replay" ]; then run mutant_replay 1 replay "$replay"; else fail "mutant: no replay file written"; fi

# Bad input.
run bad_knob 2 explore --knobs max3
one_line_error bad_knob
run bad_actions 2 explore --max-actions 0
one_line_error bad_actions
run bad_src 2 explore --kernel-src /nonexistent
one_line_error bad_src
run bad_gen 2 check --scenario gen:punt.wait.wait
one_line_error bad_gen
contains bad_gen.err "a wait with no request punted since the last"
run bad_gen_order 2 check --scenario gen:punt+eagain+max2
one_line_error bad_gen_order

finish
