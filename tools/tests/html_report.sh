#!/usr/bin/env bash
# The HTML report is self-contained and opens in headless Chromium without console errors, showing
# the verdict matrix (table#matrix with a row per scenario), findings and swimlanes.
source "$(dirname "$0")/lib.sh" "$@"

chromium=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$chromium" ]; then
  echo "SKIP: chromium is not installed (Debian package chromium; ci/setup installs it)"
  exit 77
fi

run report 0 report --quick --scenario idle-then-eoi --scenario cancel-queued --variant baseline --variant v1 --out rep
html=rep/report.html
[ -s "$html" ] || { fail "no $html"; finish; }

# Self-contained: nothing fetched from anywhere.
if grep -Eiq '<link|<img|<iframe|src=|@import|url\(|https?://' "$html"; then
  fail "$html refers to external resources:"
  grep -Eio '.{0,30}(<link|<img|<iframe|src=|@import|url\(|https?://).{0,30}' "$html" | head -3
else
  pass "$html is self-contained"
fi

timeout 120 "$chromium" --headless --no-sandbox --disable-gpu --disable-dev-shm-usage --no-first-run --user-data-dir="$WORK/profile" \
  --enable-logging=stderr --v=0 --dump-dom "file://$WORK/$html" >dom.html 2>chromium.err
rc=$?
[ "$rc" -eq 0 ] && pass "chromium exit 0" || fail "chromium exited $rc"
if grep -E 'CONSOLE|Uncaught' chromium.err; then
  fail "console messages while loading the report"
else
  pass "no console messages"
fi

python3 - dom.html <<'PY' && pass "the DOM shows the matrix" || fail "the DOM lacks the matrix"
import sys
from html.parser import HTMLParser
class P(HTMLParser):
    def __init__(self):
        super().__init__()
        self.stack, self.matrix_rows, self.cells, self.ready, self.lanes, self.found = [], 0, [], False, 0, 0
        self.in_matrix, self.family_rows = 0, 0
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "body" and a.get("data-ready") == "1": self.ready = True
        if tag == "table" and a.get("id") == "matrix": self.in_matrix = 1
        elif tag == "table" and self.in_matrix: self.in_matrix += 1
        if tag == "table" and a.get("class") == "lanes": self.lanes += 1
        if tag == "table" and a.get("id") == "findings": self.found = 1
        if self.in_matrix and tag == "tr" and a.get("class") == "family": self.family_rows += 1
        elif self.in_matrix and tag == "tr": self.matrix_rows += 1
        if self.in_matrix and tag == "td": self.cells.append(a.get("class", ""))
    def handle_endtag(self, tag):
        if tag == "table" and self.in_matrix: self.in_matrix -= 1
p = P()
p.feed(open(sys.argv[1]).read())
print(f"matrix rows {p.matrix_rows}, family rows {p.family_rows}, cells {p.cells}, swimlane tables {p.lanes}, script ran {p.ready}")
assert p.matrix_rows == 3, "expected a header row and two scenario rows"
assert p.family_rows == 1, "both scenarios under one family heading (reachable through io_uring)"
assert len(p.cells) == 4, "a cell per scenario and variant"
assert all(c in ("ok", "found") for c in p.cells), "every verdict coloured, none unexpected"
assert "found" in p.cells, "the known finding under baseline"
assert p.found and p.lanes >= 2, "findings table and swimlanes"
assert p.ready, "the page's script did not run to its end"
PY
finish
