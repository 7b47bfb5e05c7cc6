#!/usr/bin/env bash
# Each exit code of iowq-verify: 0 verified, 1 a property violated, 2 usage error, 3 inconclusive;
# and report/merge judging verdicts against their expected answers.
source "$(dirname "$0")/lib.sh" "$@"

run help 0 --help
contains help.out "Exit codes"
contains help.out "3 inconclusive"

# check: 0 when every property is verified.
run verified 0 check --quick --scenario idle-then-eoi --variant v1
grep -q "verified" verified.out && ! grep -q "violated" verified.out || fail "verified: expected only verified rows"

# check: 1 when a counterexample is found -- a mutant killed, and a known finding (expected, still 1).
run mutant 1 check --quick --mutant eoi_no_wake --out mut
contains mutant.out "violated"
run finding 1 check --quick --scenario idle-then-eoi --variant baseline --out fnd

# check: 3 when a budget runs out before the search finishes (DPOR needs far more than 10).
run budget 3 check --scenario idle-then-eoi --variant v1 --max-executions 10
contains budget.out "inconclusive"

# 2: usage errors.
run badflag 2 check --bogus-flag
one_line_error badflag

# report: 0 when every verdict is its expected answer, known findings included.
run report_ok 0 report --quick --scenario idle-then-eoi --variant baseline --out rep
contains report_ok.out "verdicts as expected"
contains report_ok.out "rep/report.html"

# report: 3 when a budget ran out and nothing else differs.
run report_budget 3 report --scenario idle-then-eoi --variant baseline --max-executions 10 --out rep3

# merge: 1 when a verdict differs from its expected answer (here: a finding whose expectation is
# edited away, as if the finding were new), 0 for the untouched results.
run merge_ok 0 merge rep/results.json
python3 - rep/results.json unexpected.json <<'PY' || fail "could not edit results.json"
import json, sys
d = json.load(open(sys.argv[1]))
n = 0
for r in d["rows"]:
    if r["verdict"] == "violated":
        r["expected"] = "verified"
        n += 1
assert n > 0, "no violation to edit"
json.dump(d, open(sys.argv[2], "w"))
PY
run merge_unexpected 1 merge unexpected.json --out rep_unexpected
contains merge_unexpected.out "UNEXPECTED"
contains merge_unexpected.out "timeouts off"  # the unexpected verdict is printed with its bounds
finish
