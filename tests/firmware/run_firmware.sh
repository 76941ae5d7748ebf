#!/usr/bin/env bash
# run_firmware.sh PROGRAM -- COMMAND...
# Runs a firmware program (COMMAND, e.g. QEMU or nvsoc) and passes only if it
# exits with status 0 and printed "nvsoc-test: PROGRAM PASS".
set -u
prog=$1
shift
[ "$1" = "--" ] && shift
out=$("$@" </dev/null 2>&1)
status=$?
printf '%s\n' "$out"
if [ $status -ne 0 ]; then
  echo "run_firmware: $prog: exit status $status" >&2
  exit 1
fi
if ! printf '%s\n' "$out" | tr -d '\r' | grep -qx "nvsoc-test: $prog PASS"; then
  echo "run_firmware: $prog: no pass line" >&2
  exit 1
fi
