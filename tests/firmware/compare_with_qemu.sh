#!/usr/bin/env bash
# Differential test: a bare-metal program prints the same console output on
# QEMU's virt machine (-bios) and on nvsoc's default platform (--firmware),
# which share the memory map, UART and test finisher; both exit the same way.
set -u
nvsoc=$1 qemu=$2 elf=$3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
timeout 20 "$qemu" -M virt -smp 4 -m 1G -nographic -bios "$elf" </dev/null >"$work/qemu.raw" 2>/dev/null
qemu_status=$?
"$nvsoc" run configs/default.yaml --firmware "$elf" --max-time 10s </dev/null \
    >"$work/nvsoc.raw" 2>"$work/nvsoc.err"
nvsoc_status=$?
tr -d '\r' <"$work/qemu.raw" >"$work/qemu.out"
tr -d '\r' <"$work/nvsoc.raw" >"$work/nvsoc.out"
ok=1
if ! diff -u --label qemu --label nvsoc "$work/qemu.out" "$work/nvsoc.out"; then ok=0; fi
if [ "$qemu_status" -ne "$nvsoc_status" ]; then
    echo "exit status: qemu $qemu_status, nvsoc $nvsoc_status"
    ok=0
fi
[ $ok -eq 1 ] && echo "ok: same output ($(wc -l <"$work/nvsoc.out") lines) and status $nvsoc_status"
[ $ok -eq 1 ]
