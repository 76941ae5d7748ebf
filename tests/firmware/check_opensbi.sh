#!/usr/bin/env bash
# Debian's OpenSBI boots on a platform: its banner shows the platform's harts
# and devices (IPI_DEVICE: the one it found for IPIs), it jumps to an S-mode
# payload in S-mode, and the payload's SBI shutdown ends nvsoc with status 0.
#
#   check_opensbi.sh NVSOC FIRMWARE PAYLOAD CONFIG IPI_DEVICE
set -u
nvsoc=$1 firmware=$2 payload=$3 config=$4 ipi=$5
raw=$(mktemp)
trap 'rm -f "$raw"' EXIT
"$nvsoc" run "$config" --firmware "$firmware" --kernel "$payload" \
    --max-time 5s </dev/null >"$raw" 2>&1
status=$?
out=$(tr -d '\r' <"$raw") # OpenSBI ends its lines with CR LF
printf '%s\n' "$out"
failures=0
expect() {
    if printf '%s\n' "$out" | grep -Eq "$1"; then echo "ok: $1"; else
        echo "MISSING: $1"; failures=$((failures + 1)); fi
}
expect '^OpenSBI v1\.1'
expect '^Platform HART Count +: 4$'
expect "^Platform IPI Device +: $ipi\$"
expect '^Platform Timer Device +: aclint-mtimer @ 10000000Hz$'
expect '^Platform Console Device +: uart8250$'
expect '^Platform Shutdown Device +: sifive_test$'
expect '^Domain0 HARTs +: 0\*,1\*,2\*,3\*$'
expect '^Domain0 Next Address +: 0x0*80200000$'
expect '^Domain0 Next Mode +: S-mode$'
expect '^Boot HART Base ISA +: rv64imafdc$'
expect '^nvsoc: S-mode payload running, shutting down through SBI SRST$'
[ "$status" -eq 0 ] || { echo "exit status $status, expected 0"; failures=$((failures + 1)); }
echo "$((12 - failures)) passed, $failures failed"
[ "$failures" -eq 0 ]
