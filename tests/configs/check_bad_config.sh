#!/usr/bin/env bash
# Runs nvsoc on one broken config and checks that it fails the way a user
# should see: exit status 2 and exactly the one expected line on stderr
# (nothing else: no crash, no sanitizer report). The expected line is the
# file's last line, "# expect: ..."; an optional first line "# args: ..."
# gives the command (default: dts). In both, @FIRMWARE_DIR@ stands for the
# build's firmware directory (the optional third argument), where images
# built for these tests are.
set -u
nvsoc=$1 config=$2 firmware_dir=${3:-}
expected=$(sed -n 's/^# expect: //p' "$config")
args=$(sed -n '1s/^# args: //p' "$config")
expected=${expected//@FIRMWARE_DIR@/$firmware_dir}
args=${args//@FIRMWARE_DIR@/$firmware_dir}
[ -n "$expected" ] || { echo "no '# expect:' line in $config"; exit 1; }
stderr=$(mktemp)
# shellcheck disable=SC2086
"$nvsoc" ${args:-dts} "$config" >/dev/null 2>"$stderr" </dev/null
status=$?
actual=$(cat "$stderr")
rm -f "$stderr"
ok=1
[ "$status" -eq 2 ] || { echo "exit status $status, expected 2"; ok=0; }
[ "$actual" = "$expected" ] || { printf 'stderr:\n%s\nexpected:\n%s\n' "$actual" "$expected"; ok=0; }
[ $ok -eq 1 ] && echo "ok: $expected"
[ $ok -eq 1 ]
