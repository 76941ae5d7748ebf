#!/usr/bin/env bash
# The fixed command-line interface: subcommands, exit statuses, --stats,
# --max-time, and determinism of what a run reports.
set -u
nvsoc=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0
check() { # description, then a command that must succeed
    local what=$1
    shift
    if "$@"; then echo "ok: $what"; else echo "FAIL: $what"; failures=$((failures + 1)); fi
}
status_of() { "$@" >"$work/out" 2>"$work/err" </dev/null; echo $?; }

# A raw "firmware": any bytes; no hart executes it yet.
printf '\x6f\x00\x00\x00' >"$work/fw.bin"

check "models lists every model type" \
    test "$("$nvsoc" models | grep '^[a-z]' | tr '\n' ' ')" = "aclint bootrom ns16550a pci-epf-test pcie-host pcie-root-port pcie-switch-downstream-port pcie-switch-upstream-port plic ram rom sifive-test "
check "models exits 0" test "$(status_of "$nvsoc" models)" -eq 0
check "--help exits 0" test "$(status_of "$nvsoc" --help)" -eq 0
check "no subcommand is bad input (2)" test "$(status_of "$nvsoc")" -eq 2
check "an unknown option is bad input (2)" test "$(status_of "$nvsoc" run configs/minimal.yaml --frimware x)" -eq 2
check "a missing config is bad input (2)" test "$(status_of "$nvsoc" dts no/such.yaml)" -eq 2
check "the missing config's error names it" grep -qx "no/such.yaml: error: cannot open config 'no/such.yaml': no such file" "$work/err"

check "--max-time ends the run with 124" \
    test "$(status_of "$nvsoc" run configs/minimal.yaml --firmware "$work/fw.bin" --max-time 1ms --stats "$work/a.json")" -eq 124
check "--max-time says why it stopped" grep -q "simulated time limit 1ms reached" "$work/err"
check "--stats records the simulated time" grep -q '"simulated_time_ps": 1000000000' "$work/a.json"
"$nvsoc" run configs/minimal.yaml --firmware "$work/fw.bin" --max-time 1ms --stats "$work/b.json" >/dev/null 2>&1
check "two runs with the same inputs report the same stats" cmp -s "$work/a.json" "$work/b.json"
check "--stats to an unwritable place is bad input (2)" \
    test "$(status_of "$nvsoc" run configs/minimal.yaml --firmware "$work/fw.bin" --stats /no/such/dir/s.json)" -eq 2

check "--set changes the tree" bash -c "'$nvsoc' dts configs/default.yaml --set harts.count=2 | grep -c 'device_type = \"cpu\"' | grep -qx 2"
check "--append sets bootargs (via --dtb-less run)" \
    test "$(status_of "$nvsoc" run configs/minimal.yaml --firmware "$work/fw.bin" --append 'console=ttyS0 x=1' --max-time 1us)" -eq 124
check "--seed changes the rng-seed only" bash -c "diff <('$nvsoc' dts configs/default.yaml) <('$nvsoc' dts configs/default.yaml --set seed=2) | grep -c '^[<>]' | grep -qx 2"
check "--log takes a device and a level" \
    test "$(status_of "$nvsoc" run configs/minimal.yaml --firmware "$work/fw.bin" --log uart0=debug --log plic=info --max-time 1us)" -eq 124
check "--log with a bad level is bad input (2)" \
    test "$(status_of "$nvsoc" run configs/minimal.yaml --firmware "$work/fw.bin" --log uart0=loud)" -eq 2

echo "$((17 - failures)) passed, $failures failed"
[ "$failures" -eq 0 ]
