#!/usr/bin/env bash
# tools/coverage on the instrumented iowq-verify of preset coverage (registered only in that build,
# ctest label "coverage": cmake --preset coverage && cmake --build --preset coverage --target
# iowq-verify && ctest --preset coverage). Known answers:
#   - variant v1 runs the 6.14 port: idle-then-eoi reaches io_wq_enqueue and io_wq_worker of
#     model/io_wq.cpp and no function of model/upstream/io_wq.cpp;
#   - variant upstream runs the 6.19 port: the same scenario reaches its io_wq_enqueue and
#     io_wq_worker, and of the 6.14 file only the io_uring-side helpers the adapter shares
#     (io_wq_hash_alloc, io_wq_work_init, io_wq_put_hash; the 6.19 file has none);
#   - creation-fails (create_io_thread() may return -ENOMEM) takes create_io_worker's error arm of
#     `if (!IS_ERR(tsk))` and the give-up arm of `else if (!io_should_retry_thread(...))`, and
#     enters io_should_retry_thread, which idle-then-eoi never does;
#   - --jobs N is run as --jobs 1 (forked jobs end in _Exit, which skips gcov's dump) and still
#     counts; a run that exits 2 (unknown scenario) makes the tool fail with 2.
source "$(dirname "$0")/lib.sh" "$@"
COVERAGE="$TESTS_DIR/../coverage"

"$COVERAGE" --no-build --quiet --iowq-verify "$IOWQ_VERIFY" \
  --run v1='check --quick --scenario idle-then-eoi --variant v1 --jobs 2' \
  --run upstream='check --quick --scenario idle-then-eoi --variant upstream' \
  --run creation-fails='check --quick --scenario creation-fails --variant v1' \
  --out cov.md --json cov.json >cov.log 2>&1
rc=$?
if [ "$rc" -eq 0 ]; then pass "tools/coverage: exit 0"; else
  fail "tools/coverage exited $rc"
  sed 's/^/    /' cov.log | tail -20
  finish
fi

python3 - cov.json cov.md <<'PY' || fail "coverage data"
import json, re, sys
data = json.load(open(sys.argv[1]))
md = open(sys.argv[2]).read()
p14, p19 = data["ports"]["6.14"], data["ports"]["6.19"]
assert p14["source"] == "model/io_wq.cpp" and p19["source"] == "model/upstream/io_wq.cpp"

def fn(port, name):
    hits = [f for f in port["functions"] if f["name"] == name]
    assert len(hits) == 1, (name, [f["name"] for f in port["functions"]][:80])
    return hits[0]

def entered(port, run):
    return {f["name"] for f in port["functions"] if f["runs"][run]["entered"]}

runs = {r["name"]: r for r in data["runs"]}
assert list(runs) == ["v1", "upstream", "creation-fails"], list(runs)
assert runs["v1"]["args"][-2:] == ["--jobs", "1"] and "2" not in runs["v1"]["args"], runs["v1"]["args"]
assert runs["upstream"]["args"][-2:] == ["--jobs", "1"], runs["upstream"]["args"]
assert all(r["exit_code"] == 0 for r in data["runs"]), [r["exit_code"] for r in data["runs"]]

# v1 runs the 6.14 port and nothing of the 6.19 one.
for name in ("io_wq_create", "io_wq_enqueue", "io_wq_worker", "io_worker_handle_work", "io_worker_exit",
             "io_wq_set_exit_on_idle", "create_io_worker"):
    assert fn(p14, name)["runs"]["v1"]["entered"], f"6.14 {name} not entered by v1"
    assert fn(p14, name)["runs"]["v1"]["count"] > 0
assert entered(p19, "v1") == set(), entered(p19, "v1")
assert p19["totals"]["runs"]["v1"]["arms_taken"] == 0
# upstream runs the 6.19 port; of the 6.14 file only the shared io_uring-side helpers.
for name in ("io_wq_create", "io_wq_enqueue", "io_wq_worker", "io_worker_handle_work", "io_worker_exit"):
    assert fn(p19, name)["runs"]["upstream"]["entered"], f"6.19 {name} not entered by upstream"
shared = {"io_wq_hash_alloc", "io_wq_work_init", "io_wq_put_hash"}  # io_uring's side, defined once in the 6.14 file
assert entered(p14, "upstream") <= shared, entered(p14, "upstream")
assert not fn(p14, "io_wq_worker")["runs"]["upstream"]["entered"]
assert all(a["function"] in shared for a in p14["arms"] if a["counts"]["upstream"] > 0)

# Every arm belongs to a function of its port, has 1 <= arm <= of, and the per-function totals add up.
for port in (p14, p19):
    names = {f["name"] for f in port["functions"]}
    for a in port["arms"]:
        assert a["function"] in names and 1 <= a["arm"] <= a["of"], a
        assert a["text"], a
    assert sum(f["arms_total"] for f in port["functions"]) == len(port["arms"]) == port["totals"]["arms"]
    for f in port["functions"]:
        for run, v in f["runs"].items():
            assert v["entered"] or v["arms_taken"] == 0, (f["name"], run)
            assert v["arms_taken"] <= f["all_runs"]["arms_taken"] <= f["arms_total"]

# creation-fails reaches arms idle-then-eoi does not: create_io_worker's error path.
def arms_on(port, func, text):
    found = [a for a in port["arms"] if a["function"] == func and text in a["text"]]
    assert found, (func, text)
    return found
is_err = arms_on(p14, "create_io_worker", "if (!IS_ERR(tsk))")
retry = arms_on(p14, "create_io_worker", "io_should_retry_thread(worker, PTR_ERR(tsk))")
for arms in (is_err, retry):
    assert len(arms) == 2, arms
    assert any(a["counts"]["creation-fails"] > 0 and a["counts"]["v1"] == 0 for a in arms), arms
assert sum(a["counts"]["v1"] > 0 for a in is_err) == 1, "without failures only the success arm"
assert all(a["counts"]["v1"] == 0 for a in retry), retry
assert fn(p14, "io_should_retry_thread")["runs"]["creation-fails"]["entered"]
assert not fn(p14, "io_should_retry_thread")["runs"]["v1"]["entered"]
assert fn(p14, "create_io_worker")["runs"]["creation-fails"]["arms_taken"] > fn(p14, "create_io_worker")["runs"]["v1"]["arms_taken"]

# The Markdown: the arm definition, a table per port with a column per run and "all runs", "—" for a
# function never entered, and the list of arms never reached in its format.
assert "What an arm is" in md and "exception edges" in md
assert "| function | line | v1 | upstream | creation-fails | all runs |" in md
row = next(l for l in md.splitlines() if l.startswith("| io_wq_worker |") and md.index(l) < md.index("## Port 6.19"))
cells = [c.strip() for c in row.strip("|").split("|")]
assert re.fullmatch(r"\d+/\d+", cells[2]) and cells[3] == "—" and re.fullmatch(r"\d+/\d+", cells[4]), row
assert "## Arms never reached by any run" in md
never = [l for l in md.splitlines() if l.startswith("- `model/")]
assert never and all(re.match(r"- `model/(upstream/)?io_wq\.cpp:\d+` \(\S+\): arm \d+ of \d+( \[switch\])?( \[line not run\])? — `.+`$", l) for l in never), never[:3]
n14 = sum(1 for a in p14["arms"] if not any(a["counts"].values()))
assert f"### Port 6.14: {n14} of {len(p14['arms'])} arms never reached" in md
print("ok: coverage data")
PY

# A failed run (exit 2: unknown scenario) makes the tool fail.
"$COVERAGE" --no-build --quiet --iowq-verify "$IOWQ_VERIFY" --run bad='check --quick --scenario no-such-scenario' \
  --out bad.md >bad.log 2>&1
rc=$?
if [ "$rc" -eq 2 ] && [ ! -e bad.md ]; then pass "a run exiting 2 fails the tool (2, no table)"; else
  fail "a run exiting 2: tool exited $rc"
  sed 's/^/    /' bad.log | tail -5
fi
finish
