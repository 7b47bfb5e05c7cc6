#!/usr/bin/env bash
# expect_exit.sh CODE [--output TEXT] -- COMMAND...: runs COMMAND, shows its output, and passes only
# when it exits with CODE (and, with --output, prints a line containing TEXT).
set -uo pipefail
want=$1; shift
text=""
if [ "${1:-}" = "--output" ]; then text=$2; shift 2; fi
[ "${1:-}" = "--" ] && shift
out=$("$@" 2>&1); got=$?
printf '%s\n' "$out"
if [ "$got" -ne "$want" ]; then
  echo "expect_exit: '$*' exited $got, expected $want" >&2
  exit 1
fi
if [ -n "$text" ] && ! grep -qF -- "$text" <<<"$out"; then
  echo "expect_exit: the output has no line containing: $text" >&2
  exit 1
fi
exit 0
