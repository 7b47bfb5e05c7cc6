#!/usr/bin/env bash
# Real-source mode against known answers, on Debian's 6.12.118 io-wq.c:
#   realsrc_test.sh IOWQ_VERIFY TREE CASE
# CASE is one of:
#   errors     bad input, each exit 2 with one line: no tree, a tree without io-wq.c, a patch that
#              does not apply (with patch's message), --patch without --kernel-src, a symbol our
#              environment lacks (named)
#   verified   6.12.118 as shipped: set-clear-enqueue verified (exit 0)
#   f1         + the seed: set-clear-enqueue's lost wakeup (F1) found (exit 1); its replay file
#              reproduces it (exit 1); kernel/delay-patch turns the trace's step into the same delay
#              point as kernel/patches/debug/f1-eoi-exit.patch
#   matrix     6.12.118, + the seed, + the seed and our merged placement: every verdict of the
#              catalog at test bounds is its known answer (realsrc/known.cpp), on exactly the io-wq.c
#              those answers were asserted on (a new Debian point release fails with what to do)
#   race       + the seed + a patch that moves nr_workers-- out of wq->lock: the data race is
#              reported at that io-wq.c line; without that patch, no race
set -uo pipefail
iv=$1 tree=$2 case=$3
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
# The patch under review is an input: $IOWQ_SEED, or ../shared/seed/ next to the checkout.
seed=${IOWQ_SEED:-$(cd "$root/.." && pwd)/shared/seed/io-wq-exit-on-idle-v1.patch}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
# expect CODE TEXT -- CMD...: exit code and a line of output containing TEXT
expect() {
  local want=$1 text=$2; shift 3
  local out code
  out=$("$@" 2>&1); code=$?
  if [ "$code" -ne "$want" ]; then fail "'$*' exited $code, expected $want"; printf '%s\n' "$out" | tail -20; return; fi
  if ! grep -qF -- "$text" <<<"$out"; then fail "'$*': no output line contains '$text'"; printf '%s\n' "$out" | tail -20; return; fi
  echo "ok: exit $code, '$text': $*"
}

merged=$root/kernel/patches/merged-on-seed-6.12.patch

case $case in
matrix)
  # The tree must be the one the known answers were asserted on; a new Debian point release says so.
  want=01edb04639e3b748ee83af02182cc81e3ab0b7185a0577e3314a83906d0caca5
  got=$(sha256sum "$tree/io_uring/io-wq.c" | cut -d' ' -f1)
  if [ "$got" != "$want" ]; then
    echo "FAIL: $tree/io_uring/io-wq.c is not 6.12.118's (sha256 ${want:0:12}, this one ${got:0:12}): Debian's"
    echo "      linux-source-6.12 has moved on. Renew the known answers: run"
    echo "      iowq-verify check --kernel-src $tree [--patch ...] --quick for the three variants below, check"
    echo "      every violation, and enter the new sha256 and answers in realsrc/known.cpp and here."
    exit 1
  fi
  # Every verdict of the catalog at test bounds, for the three real-source variants, is its known
  # answer (report exits 0 only then).
  expect 0 "96 of 96 verdicts as expected" -- "$iv" report --kernel-src "$tree" --quick --jobs 2 --out "$tmp/r1"
  expect 0 "96 of 96 verdicts as expected" -- "$iv" report --kernel-src "$tree" --patch "$seed" --quick --jobs 2 --out "$tmp/r2"
  expect 0 "96 of 96 verdicts as expected" -- "$iv" report --kernel-src "$tree" --patch "$seed" --patch "$merged" \
    --quick --jobs 2 --out "$tmp/r3"
  grep -q "lost-wakeup" "$tmp/r2/report.md" || fail "the seed's report does not show F1"
  ;;
errors)
  expect 2 "no such directory" -- "$iv" check --kernel-src "$tmp/none" --quick
  mkdir -p "$tmp/empty"
  expect 2 "has no io_uring/io-wq.c" -- "$iv" check --kernel-src "$tmp/empty" --quick
  expect 2 "--patch needs --kernel-src" -- "$iv" check --patch "$seed" --quick
  expect 2 "no such file" -- "$iv" check --kernel-src "$tree" --patch "$tmp/missing.patch" --quick
  printf -- '--- a/io_uring/io-wq.c\n+++ b/io_uring/io-wq.c\n@@ -1,3 +1,3 @@\n not\n-in\n+the\n file\n' > "$tmp/bad.patch"
  expect 2 "bad.patch does not apply" -- "$iv" check --kernel-src "$tree" --patch "$tmp/bad.patch" --quick
  expect 2 "FAILED" -- "$iv" check --kernel-src "$tree" --patch "$tmp/bad.patch" --quick
  # A kernel function the environment does not have: named, never stubbed.
  mkdir -p "$tmp/a/io_uring" "$tmp/b/io_uring"
  cp "$tree/io_uring/io-wq.c" "$tmp/a/io_uring/"
  sed 's/^\tset_task_comm(current, buf);$/\tset_task_comm(current, buf);\n\tmsleep(1);/' "$tree/io_uring/io-wq.c" > "$tmp/b/io_uring/io-wq.c"
  (cd "$tmp" && diff -u a/io_uring/io-wq.c b/io_uring/io-wq.c > unknown.patch)
  grep -q "msleep" "$tmp/unknown.patch" || fail "could not make the msleep patch"
  expect 2 "lacks: msleep" -- "$iv" check --kernel-src "$tree" --patch "$tmp/unknown.patch" --quick
  ;;
verified)
  expect 0 "lost-wakeup   verified" -- "$iv" check --kernel-src "$tree" --scenario set-clear-enqueue --quick
  expect 0 "under linux-6.12.118 " -- "$iv" check --kernel-src "$tree" --scenario set-clear-enqueue --quick
  ;;
f1)
  expect 1 "lost-wakeup   violated" -- "$iv" check --kernel-src "$tree" --patch "$seed" --scenario set-clear-enqueue --quick --out "$tmp/out"
  replay=$(ls "$tmp"/out/*lost-wakeup.replay.json 2>/dev/null | head -1)
  [ -n "$replay" ] || fail "no replay file written"
  expect 1 "reproduced: deadlock [lost-wakeup]" -- "$iv" replay "$replay"
  # The same replay file on an io-wq.c that changed since: refused with one line.
  python3 - "$replay" "$tmp/other.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
d["labels"]["io_wq_sha256"] = "0" * 64
json.dump(d, open(sys.argv[2], "w"))
PY
  expect 2 "is not the one this replay was recorded on" -- "$iv" replay "$tmp/other.json"
  # The step after which the leaving worker is preempted: its raw_spin_unlock(&wq->lock) in the
  # exit-on-idle exit of io_wq_worker(), the last one of that thread before the owner goes on.
  step=$(python3 - "$replay" <<'PY'
import json, sys
t = json.load(open(sys.argv[1]))["trace"]
steps = [s for s in t if s.get("visible") and s["op"] == "raw_spin_unlock" and s.get("function") == "io_wq_worker"]
print(steps[-1]["step"] if steps else "")
PY
)
  [ -n "$step" ] || fail "no raw_spin_unlock step of io_wq_worker in the trace"
  "$root/kernel/delay-patch" --tree "$tree" --patch "$seed" --patch "$root/kernel/patches/caller-6.12.patch" \
    --replay "$replay" --step "$step" --ms 500 --name x -o "$tmp/from-replay.patch" || fail "delay-patch --replay failed"
  if diff <(sed -n '/^@@/,$p' "$tmp/from-replay.patch" | sed 's/DEBUG x:/DEBUG:/') \
          <(sed -n '/^@@/,$p' "$root/kernel/patches/debug/f1-eoi-exit.patch" | sed 's/DEBUG F1:.*: widen/DEBUG: widen/'); then
    echo "ok: the replay's step $step gives the committed F1 delay point"
  else
    fail "the delay point from the replay differs from kernel/patches/debug/f1-eoi-exit.patch"
  fi
  ;;
race)
  expect 1 "data race" -- "$iv" check --kernel-src "$tree" --patch "$seed" --patch "$here/race-nr-workers-unlocked.patch" \
    --scenario eoi-blocked-creation --quick
  line=$(cd "$tmp" && mkdir -p t && cp -r "$tree/io_uring" t/ && cd t && patch -s -p1 < "$seed" &&
         patch -s -p1 < "$here/race-nr-workers-unlocked.patch" &&
         awk '/raw_spin_unlock\(&wq->lock\);/ { u = NR } /acct->nr_workers--;/ && u == NR - 1 { print NR; exit }' io_uring/io-wq.c)
  expect 1 "at io-wq.c:$line" -- "$iv" check --kernel-src "$tree" --patch "$seed" --patch "$here/race-nr-workers-unlocked.patch" \
    --scenario eoi-blocked-creation --quick
  out=$("$iv" check --kernel-src "$tree" --patch "$seed" --scenario eoi-blocked-creation --quick 2>&1)
  if grep -q "data race" <<<"$out"; then fail "a data race without the race patch"; printf '%s\n' "$out" | tail; else echo "ok: no race without the patch"; fi
  ;;
*) echo "unknown case $case"; exit 2 ;;
esac
[ "$fails" -eq 0 ] && echo PASS || { echo "$fails failure(s)"; exit 1; }
