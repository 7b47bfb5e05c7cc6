#!/usr/bin/env bash
# report's junit.xml has the shape CI systems read: <testsuites> of <testsuite> of <testcase
# classname name time>, <failure> for each unexpected verdict, <skipped> for inconclusive ones, and
# counts that agree with the elements.
source "$(dirname "$0")/lib.sh" "$@"

run report 0 report --quick --scenario idle-then-eoi --variant baseline --variant v1 --out rep
[ -f rep/junit.xml ] || { fail "no rep/junit.xml"; finish; }

# An unexpected verdict (an expectation edited away) merged into a report of its own, and an
# inconclusive one.
python3 - rep/results.json unexpected.json <<'PY' || fail "could not edit results.json"
import json, sys
d = json.load(open(sys.argv[1]))
r = next(r for r in d["rows"] if r["verdict"] == "violated" and r["group"] == "scenario")
r["expected"] = "verified"
json.dump(d, open(sys.argv[2], "w"))
PY
run merged 1 merge unexpected.json --out rep_bad
run budget 3 report --scenario idle-then-eoi --variant v1 --max-executions 10 --out rep_budget

validate() {  # validate JUNIT_XML WANT_FAILURES WANT_SKIPPED
  python3 - "$@" <<'PY'
import re, sys
import xml.etree.ElementTree as ET
path, want_failures, want_skipped = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
root = ET.parse(path).getroot()
decimal = re.compile(r"^[0-9]+(\.[0-9]+)?$")
suites = [root] if root.tag == "testsuite" else list(root)
assert root.tag in ("testsuites", "testsuite"), f"root is <{root.tag}>"
assert suites and all(s.tag == "testsuite" for s in suites), "children of <testsuites> must be <testsuite>"
total = failures = skipped = 0
for s in suites:
    for a in ("name", "tests", "failures", "errors", "time"):
        assert a in s.attrib, f"testsuite lacks {a}"
    assert decimal.match(s.get("time")), f"suite time {s.get('time')!r} is not a decimal"
    cases = s.findall("testcase")
    assert cases, f"suite {s.get('name')} has no testcase"
    assert all(c.tag in ("testcase", "properties", "system-out", "system-err") for c in s), "unexpected child"
    f = sum(1 for c in cases if c.find("failure") is not None)
    k = sum(1 for c in cases if c.find("skipped") is not None)
    assert int(s.get("tests")) == len(cases), f"{s.get('name')}: tests={s.get('tests')} but {len(cases)} testcases"
    assert int(s.get("failures")) == f, f"{s.get('name')}: failures={s.get('failures')} but {f} <failure>"
    assert int(s.get("skipped", "0")) == k, f"{s.get('name')}: skipped={s.get('skipped')} but {k} <skipped>"
    names = set()
    for c in cases:
        for a in ("classname", "name", "time"):
            assert c.get(a), f"testcase lacks {a}"
        assert decimal.match(c.get("time")), f"testcase time {c.get('time')!r}"
        assert (c.get("classname"), c.get("name")) not in names, f"duplicate testcase {c.get('name')}"
        names.add((c.get("classname"), c.get("name")))
        for x in c.findall("failure"):
            assert x.get("message"), "failure without message"
    total += len(cases)
    failures += f
    skipped += k
if root.tag == "testsuites":
    assert int(root.get("tests")) == total, f"testsuites tests={root.get('tests')} but {total}"
    assert int(root.get("failures")) == failures, f"testsuites failures={root.get('failures')} but {failures}"
assert failures == want_failures, f"{failures} failures, expected {want_failures}"
assert skipped == want_skipped if want_skipped >= 0 else skipped > 0, f"{skipped} skipped"
print(f"{path}: {len(suites)} suites, {total} testcases, {failures} failures, {skipped} skipped")
PY
}
validate rep/junit.xml 0 0 && pass "clean report: valid, no failures" || fail "rep/junit.xml"
validate rep_bad/junit.xml 1 0 && pass "unexpected verdict: one <failure>" || fail "rep_bad/junit.xml"
validate rep_budget/junit.xml 0 -1 && pass "inconclusive verdicts: <skipped>" || fail "rep_budget/junit.xml"
finish
