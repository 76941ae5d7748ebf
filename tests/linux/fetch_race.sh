#!/usr/bin/env bash
# Two copies of scripts/fetch-debian-riscv64.sh fetch busybox-static into
# one empty cache at the same time, as the two Linux tests do when ctest -j2
# starts them together on a fresh machine (each builds an initramfs). Both
# must succeed and print the same directory, complete (busybox in it), and
# the cache must hold nothing half-done. Needs the network (a Debian mirror).
#
#   fetch_race.sh
#
# tests/linux/fresh_cache.sh is the full version of this check: both Linux
# tests at -j2 from an empty package cache (it boots Linux, several minutes).
set -u
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0
check() { # DESCRIPTION COMMAND...
    local what=$1
    shift
    if "$@"; then echo "ok: $what"; else echo "FAIL: $what"; failures=$((failures + 1)); fi
}

export NVSOC_CACHE=$work/cache
pids=()
for i in 1 2; do
    "$repo/scripts/fetch-debian-riscv64.sh" busybox-static >"$work/out$i" 2>"$work/err$i" &
    pids+=($!)
done
for i in 1 2; do
    status=0
    wait "${pids[$((i - 1))]}" || status=$?
    check "fetch $i exits 0" [ "$status" -eq 0 ]
    [ "$status" -eq 0 ] || { echo "---- fetch $i's stderr:"; cat "$work/err$i"; }
done
dir=$(cat "$work/out1")
check "fetch 1 printed one directory" [ "$(wc -l <"$work/out1")" -eq 1 ]
check "both printed the same directory" cmp -s "$work/out1" "$work/out2"
check "it holds busybox" [ -f "${dir:-/none-printed}/usr/bin/busybox" ]
check "it is the only unpacked package" \
    [ "$(find "$NVSOC_CACHE/debian-riscv64/unpacked" -mindepth 1 -maxdepth 1 | wc -l)" -eq 1 ]
check "nothing left in the temporary area" \
    [ -z "$(find "$NVSOC_CACHE/debian-riscv64/tmp" -mindepth 1 -maxdepth 1)" ]

echo "$((5 + 2 - failures)) passed, $failures failed"
[ "$failures" -eq 0 ]
