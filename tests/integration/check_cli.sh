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

# A raw "firmware": one instruction, a jump to itself (it runs until --max-time).
printf '\x6f\x00\x00\x00' >"$work/fw.bin"
# A short program, far less than one quantum (1 us = 1000 instructions at
# 1 GHz): a loop of 300, then the finisher's pass value, then a jump to itself.
#   addi t0,zero,300; 1: addi t0,t0,-1; bnez t0,1b; lui t1,0x100; lui t2,0x5;
#   addi t2,t2,0x555; sw t2,0(t1); 2: j 2b
printf '\x93\x02\xc0\x12\x93\x82\xf2\xff\xe3\x9e\x02\xfe\x37\x03\x10\x00' >"$work/short.bin"
printf '\xb7\x53\x00\x00\x93\x83\x53\x55\x23\x20\x73\x00\x6f\x00\x00\x00' >>"$work/short.bin"
json_u64() { sed -n "s/^  \"$1\": \([0-9]*\),*\$/\1/p" "$2"; } # a top-level number

check "models lists every model type" \
    test "$("$nvsoc" models | grep '^[a-z]' | tr '
' ' ')" = "aclint aplic bootrom gpu imsic ns16550a nvlink-fabric nvlink-pcie-bridge nvswitch pci-epf-test pcie-host pcie-root-port pcie-switch-downstream-port pcie-switch-upstream-port plic ram rom sifive-test "
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
# Simulated time counts the harts' local time, which runs ahead of SystemC
# time within a quantum: a program shorter than one quantum takes its
# instructions' time (CPI 1 at 1 GHz on configs/minimal.yaml), plus the
# latency of its one MMIO access (the finisher, 10 ns), not 0.
check "a short program passes" \
    test "$(status_of "$nvsoc" run configs/minimal.yaml --firmware "$work/short.bin" --stats "$work/c.json")" -eq 0
insns=$(json_u64 instructions "$work/c.json")
ps=$(json_u64 simulated_time_ps "$work/c.json")
check "a short program's simulated time is its instructions at 1 ns, plus at most 50 ns ($insns instructions, $ps ps)" \
    test "${insns:-0}" -gt 300 -a "${ps:-0}" -ge $((${insns:-0} * 1000)) -a "${ps:-0}" -le $((${insns:-0} * 1000 + 50000))
"$nvsoc" run configs/minimal.yaml --firmware "$work/short.bin" --stats "$work/d.json" >/dev/null 2>&1
check "two runs of the short program report the same stats" cmp -s "$work/c.json" "$work/d.json"
# A hart's log lines carry its local time: the trace of the last
# instruction (the store to the finisher, at 0x80000018) is stamped after
# all the others, insns - 1 ns in.
"$nvsoc" run configs/minimal.yaml --firmware "$work/short.bin" --log hart0=trace >/dev/null 2>"$work/trace"
last=$((${insns:-1} - 1))
check "a hart's trace is stamped with its local time (last instruction at $last ns)" \
    grep -q "^\[ *$((last / 1000))\.$(printf '%03d' $((last % 1000)))000 us\] hart0: trace: pc 0x0000000080000018 " "$work/trace"

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

echo "$((21 - failures)) passed, $failures failed"
[ "$failures" -eq 0 ]
