#!/usr/bin/env bash
# kernel/build refuses a patch that does not apply with exit 2 and patch's own message, and builds
# nothing (the base kernel must already be built: the fixture kernel_base does that).
set -uo pipefail
k=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cat > "$tmp/bad.patch" <<'PATCH'
--- a/io_uring/io-wq.c
+++ b/io_uring/io-wq.c
@@ -1,3 +1,3 @@
 this line is not in io-wq.c
-nor is this one
+so the hunk cannot apply
 and neither is this
PATCH
out=$("$k/build" --patch "$tmp/bad.patch" 2>&1); code=$?
printf '%s\n' "$out"
[ "$code" -eq 2 ] || { echo "FAIL: exit $code, expected 2"; exit 1; }
grep -q "bad.patch does not apply: .*FAILED" <<<"$out" || { echo "FAIL: no patch message"; exit 1; }
echo "PASS"
