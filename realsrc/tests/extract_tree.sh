#!/usr/bin/env bash
# extract_tree.sh OUT: unpacks what real-source mode reads from Debian's linux-source-6.12 (io_uring/
# and the Makefile, for the version) into OUT. Exits 77 (skipped) when the package is not installed.
set -euo pipefail
out=$1
tar=/usr/src/linux-source-6.12.tar.xz
if [ ! -f "$tar" ]; then
  echo "SKIP: $tar is not installed (apt-get install linux-source-6.12; ci/setup does)"
  exit 77
fi
if [ -f "$out/.extracted" ] && [ "$out/.extracted" -nt "$tar" ]; then
  echo "already extracted: $out"
  exit 0
fi
rm -rf "$out"
mkdir -p "$out"
tar -xJf "$tar" -C "$out" --strip-components=1 --wildcards '*/io_uring/*' 'linux-source-6.12/Makefile'
test -f "$out/io_uring/io-wq.c"
touch "$out/.extracted"
echo "extracted $(sed -n 's/^SUBLEVEL = //p' "$out/Makefile" | head -1) io_uring/ to $out"
