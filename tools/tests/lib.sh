# Shared by the iowq-verify tests: the command under test, a scratch directory and assertions.
# Usage in a test: source "$(dirname "$0")/lib.sh" "$@"   (the first argument is the iowq-verify binary)
set -uo pipefail
IOWQ_VERIFY=${1:?usage: $0 path/to/iowq-verify}
[ -x "$IOWQ_VERIFY" ] || { echo "FAIL: $IOWQ_VERIFY is not executable"; exit 1; }
TESTS_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
WORK=$(mktemp -d "${TMPDIR:-/tmp}/iowq-verify-test.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
cd "$WORK" || exit 1
failures=0

fail() {
  echo "FAIL: $*"
  failures=$((failures + 1))
}
pass() { echo "ok: $*"; }

# run NAME EXPECTED_EXIT ARGS... : runs iowq-verify with stdout in NAME.out, stderr in NAME.err and
# checks its exit code.
run() {
  local name=$1 want=$2
  shift 2
  "$IOWQ_VERIFY" "$@" >"$name.out" 2>"$name.err"
  local rc=$?
  if [ "$rc" -ne "$want" ]; then
    fail "$name: iowq-verify $* exited $rc, expected $want"
    sed 's/^/    stderr: /' "$name.err" | head -5
    return 1
  fi
  pass "$name: exit $rc"
  return 0
}

# one_line_error NAME: stderr of NAME is exactly one line starting with "iowq-verify: ".
one_line_error() {
  local name=$1
  local n
  n=$(wc -l <"$name.err")
  if [ "$n" -ne 1 ] || ! grep -q '^iowq-verify: ' "$name.err"; then
    fail "$name: expected a one-line error on stderr, got $n lines:"
    sed 's/^/    /' "$name.err" | head -5
    return 1
  fi
  pass "$name: one-line error: $(cat "$name.err")"
}

# contains FILE STRING
contains() {
  if grep -qF -- "$2" "$1"; then pass "$1 contains '$2'"; else fail "$1 does not contain '$2'"; fi
}

finish() {
  if [ "$failures" -ne 0 ]; then
    echo "$failures check(s) failed"
    exit 1
  fi
  echo "all checks passed"
  exit 0
}
