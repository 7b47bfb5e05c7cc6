#!/usr/bin/env bash
# A mutant's counterexample replayed from its file: `replay --trace json` gives back the trace stored
# in the file, and the text replay prints the same swimlane as `check` printed.
source "$(dirname "$0")/lib.sh" "$@"

run check 1 check --quick --mutant eoi_no_wake --scenario idle-then-eoi --variant v1 --out cx
file=cx/mutant_eoi_no_wake_idle-then-eoi_v1.replay.json
[ -f "$file" ] || { fail "no replay file $file"; ls -R cx; finish; }
contains check.out "replay: iowq-verify replay $file"

run replay_json 1 replay "$file" --trace json
python3 - "$file" replay_json.out <<'PY' && pass "json trace equals the stored trace" || fail "json trace differs"
import json, sys
stored = json.load(open(sys.argv[1]))
again = json.load(open(sys.argv[2]))
assert stored["trace"], "the stored trace is empty"
assert again["trace"] == stored["trace"], "trace differs"
assert again == stored, "the replayed record differs from the file"
assert stored["labels"]["mutant"] == "eoi_no_wake" and stored["labels"]["scenario"] == "idle-then-eoi"
PY

run replay_text 1 replay "$file"
contains replay_text.out "reproduced: end-check [pool-zero]"
# The swimlane: from its header line ("step  T0 ...") to the blank line after it.
lanes() { awk '/^step  T0/{on=1} on&&/^$/{exit} on{print}' "$1"; }
lanes check.out >lanes_check.txt
lanes replay_text.out >lanes_replay.txt
if [ "$(wc -l <lanes_check.txt)" -gt 10 ] && cmp -s lanes_check.txt lanes_replay.txt; then
  pass "replay prints the same swimlane as check ($(wc -l <lanes_check.txt) lines)"
else
  fail "swimlanes differ or are empty"
  diff lanes_check.txt lanes_replay.txt | head -10
fi
finish
