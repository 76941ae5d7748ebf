#!/usr/bin/env bash
# firmware/standalone/ttext.S linked with only -Ttext=0x80000000 (no linker
# script): its first segment starts with the ELF headers at 0x7ffff000,
# below RAM. On configs/minimal.yaml it must pass, and the platform's log
# must say which bytes it skipped.
#
#   check_ttext.sh NVSOC ELF
set -u
nvsoc=$1 elf=$2
out=$("$nvsoc" run configs/minimal.yaml --firmware "$elf" --log platform=info --max-time 10ms \
      </dev/null 2>&1)
status=$?
printf '%s\n' "$out"
ok=1
[ "$status" -eq 0 ] || { echo "FAIL: exit status $status, expected 0"; ok=0; }
grep -qx 'nvsoc-test: ttext PASS' <<<"$out" || { echo "FAIL: no pass line"; ok=0; }
grep -qF "platform: info: firmware '$elf': skipped [0x7ffff000, 0x80000000) of segment 1," <<<"$out" ||
    { echo "FAIL: no note about the skipped ELF headers"; ok=0; }
[ "$ok" -eq 1 ] && echo "ok: linked with only -Ttext, runs on configs/minimal.yaml; headers skipped with a note"
[ "$ok" -eq 1 ]
