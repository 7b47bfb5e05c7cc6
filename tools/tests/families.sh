#!/usr/bin/env bash
# Every verdict says its family: "reachable through io_uring" when the scenario's program uses
# io_uring's actions only, "io-wq API contract" when it calls the io-wq API in an order io_uring does
# not produce. The family is the one `list` gives the scenario, in results.json, in check's output
# and in every violated verdict of report.md and report.html.
source "$(dirname "$0")/lib.sh" "$@"

# idle-then-eoi is io_uring's (baseline: pool-zero, lingering); enqueue-during-exit is the API's
# (baseline: exit-hang, F3), and its mutant kill is labelled with it too.
run list 0 list
run report 0 report --quick --scenario idle-then-eoi --scenario enqueue-during-exit --variant baseline --out rep
run check 1 check --quick --scenario idle-then-eoi --scenario enqueue-during-exit --variant baseline --out cx

python3 - list.out rep/results.json rep/report.md rep/report.html check.out <<'PY' || fail "families"
import json, re, sys
from html.parser import HTMLParser
lst, results, md, html, check = sys.argv[1:]
text = {"io_uring": "reachable through io_uring", "io-wq API": "io-wq API contract"}
# list: "  NAME  summary" then "  owner: PROGRAM (FAMILY TEXT)"
listed, name = {}, None
for line in open(lst):
    m = re.match(r"^  (\S+)\s+\S", line)
    if m and not line.strip().startswith(("owner:", "checks:", "bounds:")): name = m.group(1)
    m = re.search(r"owner: .*\((reachable through io_uring|io-wq API contract)(: [^()]*(\([^()]*\))?[^()]*)?\)$", line.rstrip())
    if m and name: listed[name] = m.group(1)
assert listed.get("idle-then-eoi") == text["io_uring"], listed.get("idle-then-eoi")
assert listed.get("enqueue-during-exit") == text["io-wq API"], listed.get("enqueue-during-exit")
rows = json.load(open(results))["rows"]
assert rows and all(r["family"] in text for r in rows), "every row has a family"
for r in rows:
    assert text[r["family"]] == listed[r["scenario"]], (r["id"], r["family"])
violated = [r for r in rows if r["verdict"] == "violated"]
assert {r["family"] for r in violated} == {"io_uring", "io-wq API"}, "a violation of each family"
md_text = open(md).read()
for r in violated:
    title = (f"mutant {r['mutant']} in " if r["mutant"] else "") + f"{r['scenario']} / {r['variant']}"
    row = f"| {title} | {text[r['family']]} | {r['violated']} |"
    assert row in md_text, f"report.md findings row {row!r}"
    head = f"### {title}: {r['violated']} ({text[r['family']]})"
    assert head in md_text, f"report.md counterexample heading {head!r}"
assert md_text.index("### Reachable through io_uring") < md_text.index("| idle-then-eoi |") \
    < md_text.index("### io-wq API contract") < md_text.index("| enqueue-during-exit |"), "matrix grouped by family"
class P(HTMLParser):
    def __init__(self):
        super().__init__()
        self.in_findings, self.row, self.rows, self.cell = False, None, [], None
    def handle_starttag(self, tag, attrs):
        if tag == "table": self.in_findings = dict(attrs).get("id") == "findings"
        if self.in_findings and tag == "tr": self.row = []
        if self.in_findings and tag == "td" and self.row is not None: self.cell = ""
    def handle_data(self, d):
        if self.cell is not None: self.cell += d
    def handle_endtag(self, tag):
        if tag == "td" and self.cell is not None: self.row.append(self.cell); self.cell = None
        if tag == "tr" and self.row: self.rows.append(self.row); self.row = None
        if tag == "table": self.in_findings = False
p = P()
p.feed(open(html).read())
got = sorted((c[0], c[1]) for c in p.rows)
want = sorted(((f"mutant {r['mutant']} in " if r["mutant"] else "") + f"{r['scenario']} / {r['variant']}",
               text[r["family"]]) for r in violated)
assert got == want, f"report.html findings {got} != {want}"
out = open(check).read()
assert "== idle-then-eoi under baseline (reachable through io_uring) [" in out, "check names the family"
assert "== enqueue-during-exit under baseline (io-wq API contract) [" in out, "check names the family"
print(f"{len(rows)} rows, {len(violated)} violated, each labelled with its family")
PY
[ $failures -eq 0 ] && pass "families agree in list, results.json, report.md, report.html and check"

# list says which scenarios the report searches over all interleavings and which with a bound, and
# counts them.
python3 - list.out <<'PY' && pass "list marks every bounded scenario and counts them" || fail "list's search lines"
import re, sys
t = open(sys.argv[1]).read()
full = len(re.findall(r"; search: all interleavings \(DPOR\)$", t, re.M))
bounded = len(re.findall(r"; search: at most \d+ preemptions: NOT all interleavings", t))
m = re.search(r"^(\d+) of (\d+) scenarios are searched over all interleavings in the report; (\d+) with a preemption bound\.$", t, re.M)
assert m, "no summary line"
assert (int(m.group(1)), int(m.group(2)), int(m.group(3))) == (full, full + bounded, bounded), (m.groups(), full, bounded)
assert full > 0 and bounded >= 0
PY
# The search extent: how many cells are searched over all interleavings, and which are bounded.
grep -q "^Search extent: 0 of 2 scenario cells are searched over all interleavings (DPOR or DFS, no preemption bound); 2 are searched with a preemption bound, .*Bounded: idle-then-eoi (at most [0-9] preemptions), enqueue-during-exit (at most [0-9] preemptions)\. " rep/report.md &&
  grep -q '<p id="extent"><b>Search extent:</b> 0 of 2 scenario cells' rep/report.html &&
  pass "a --quick report says its 2 cells are bounded, and names them" || fail "search extent of the --quick report"
run full 0 report --scenario cancel-running --variant baseline --variant v1 --out full
grep -q "^Search extent: 2 of 2 scenario cells are searched over all interleavings (DPOR or DFS, no preemption bound)\.$" full/report.md &&
  pass "a report of full DPOR searches says all its cells cover all interleavings" || fail "search extent of the full report"
finish
