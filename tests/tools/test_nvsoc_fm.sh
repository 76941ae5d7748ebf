#!/usr/bin/env bash
# nvsoc-fm on the host: the fabric manager is built with the host's gcc
# (warnings are errors; ASan and UBSan on) and run over sysfs trees
# fabricated here (NVSOC_FM_SYSFS), where each switch's resource0 is a plain
# 256 KiB file standing for BAR0 (so what it writes reads back as written):
#   fabric   switch A (NVLink ID 10, 8 ports): GPU ID 1 on ports 0-1, ports
#            4-5 to switch B; switch B (ID 11, 64 ports): GPU ID 2 on ports
#            0-1, GPU ID 3 on port 40, ports 4-5 to switch A; a stale entry
#            on a port without a link. Checks the output line for line, the
#            routes (direct ganged groups, the next switch's parallel ports,
#            no route back out of the ingress port's device, a GPU's own
#            ports, the HI word), fabric_state, enable, and that a second
#            run changes nothing
#   degraded one of GPU 1's ports in SAFE: the bounded wait times out,
#            names the port, leaves it out of the routes, exit 1
#   bad      no switch; a switch whose IDENT is not "NVSW"
#
#   test_nvsoc_fm.sh [BUILD_DIR]     (default: a temporary directory)
set -u
# shellcheck source=SCRIPTDIR/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

host_build nvsoc-fm "-fsanitize=address,undefined -fno-sanitize-recover=all"
bin=$build/nvsoc-fm
export ASAN_OPTIONS=detect_leaks=0

check() { # DESCRIPTION COMMAND...: COMMAND succeeds
    local what=$1
    shift
    if "$@"; then echo "ok: $what"; else echo "FAIL: $what"; failures=$((failures + 1)); fi
}
# expect DESCRIPTION STATUS WANT: the last run exited STATUS and printed WANT.
expect() {
    local what=$1 want_status=$2 want=$3
    if [ "$status" -eq "$want_status" ] && printf '%s\n' "$want" | diff -u - "$work/out" >"$work/diff"; then
        echo "ok: $what"
    else
        echo "FAIL: $what (exit $status, want $want_status)"
        cat "$work/diff"
        failures=$((failures + 1))
    fi
}
sys=
fm() { status=0; NVSOC_FM_SYSFS=$sys "$bin" "$@" >"$work/out" 2>&1 || status=$?; }

# put FILE OFFSET VALUE: a 32-bit little-endian word.
put() {
    local v=$3
    # shellcheck disable=SC2059 # the format is the four bytes' escapes
    printf "$(printf '\\%03o\\%03o\\%03o\\%03o' $((v & 255)) $((v >> 8 & 255)) $((v >> 16 & 255)) $((v >> 24 & 255)))" |
        dd of="$1" bs=1 seek="$(($2))" conv=notrunc status=none
}
# get FILE OFFSET: a 32-bit little-endian word, in decimal.
get() { od -An -tu4 -j "$(($2))" -N4 "$1" | tr -d ' '; }
# route FILE PORT ID: the 64-bit entry, in hex.
route() {
    local off=$((0x20000 + ($2 * 64 + $3) * 8))
    printf '0x%x' $(($(get "$1" "$off") | $(get "$1" $((off + 4))) << 32))
}

# switch BDF ID NPORTS [IDENT]: a management function with its BAR0 file.
switch() {
    local d=$sys/bus/pci/devices/$1
    mkdir -p "$d"
    echo 0x1e5c >"$d/vendor"
    echo 0x0002 >"$d/device"
    echo 0 >"$d/enable"
    truncate -s $((0x40000)) "$d/resource0"
    put "$d/resource0" 0 "${4:-0x4e565357}"
    put "$d/resource0" 4 0x100
    put "$d/resource0" 8 "$3"
    put "$d/resource0" 12 "$2"
}
# port BDF PORT TYPE REMOTE_ID REMOTE_LINK [STATE]: an ALI port, HS unless
# STATE (a state code) says otherwise.
port() {
    local f=$sys/bus/pci/devices/$1/resource0 base=$((0x10000 + $2 * 0x100)) st=${6:-1}
    put "$f" "$base" $(( (st == 1 ? 0x80000000 : 0) | st | 4 << 8 | 2 << 16))
    put "$f" $((base + 0x0c)) 1
    put "$f" $((base + 0x10)) "$4"
    put "$f" $((base + 0x14)) $((0x80000000 | $3 << 16 | $5))
}
# gpu BDF STATE TYPE...: a GPU's nvlink/ directory (fabric_state holding
# STATE, or none if STATE is -), one link per TYPE.
gpu() {
    local d=$sys/bus/pci/devices/$1 l=0 t
    mkdir -p "$d/nvlink"
    [ "$2" = - ] || echo "$2" >"$d/nvlink/fabric_state"
    shift 2
    for t in "$@"; do
        mkdir -p "$d/nvlink/link$l"
        echo "$t" >"$d/nvlink/link$l/remote_type"
        l=$((l + 1))
    done
}

GPU=2
SW=3
a=0000:0b:00.0
b=0000:0c:00.0
make_fabric() {
    sys=$work/$1
    mkdir -p "$sys/bus/pci/devices"
    switch $a 10 8
    port $a 0 $GPU 1 0 "${2:-1}"
    port $a 1 $GPU 1 1
    port $a 4 $SW 11 4
    port $a 5 $SW 11 5
    # A stale entry on a port without a link: cleared.
    put "$sys/bus/pci/devices/$a/resource0" $((0x20000 + (7 * 64 + 3) * 8)) 0xff
    switch $b 11 64
    port $b 0 $GPU 2 0
    port $b 1 $GPU 2 1
    port $b 40 $GPU 3 0
    port $b 4 $SW 10 4
    port $b 5 $SW 10 5
    gpu 0000:01:00.0 pending NVSWITCH NVSWITCH
    gpu 0000:02:00.0 pending NVSWITCH NVSWITCH
    gpu 0000:03:00.0 - NVSWITCH
    gpu 0000:04:00.0 none GPU
}

make_fabric fabric
fm --once
expect "fabric: --once programs both switches" 0 "nvsoc-fm: switch $a: NVLink ID 10, 8 ports, 4 with a link
nvsoc-fm: switch $b: NVLink ID 11, 64 ports, 5 with a link
nvsoc-fm: 2 switches, 5 GPU links, 3 GPUs, 4 switch-to-switch ports
nvsoc-fm: switch $a: programmed 4 ports x 3 routes (7 entries changed); read back 504 entries: all correct
nvsoc-fm: switch $b: programmed 5 ports x 3 routes (10 entries changed); read back 4032 entries: all correct
nvsoc-fm: warning: 0000:03:00.0 has no nvlink/fabric_state (a driver without it): GPUs are not told
nvsoc-fm: fabric ready (2 GPUs marked ready)"
A=$sys/bus/pci/devices/$a/resource0
B=$sys/bus/pci/devices/$b/resource0
check "fabric: A, from GPU 1: nothing back to GPU 1" [ "$(route "$A" 0 1)" = 0x0 ]
check "fabric: A, from GPU 1: IDs 2 and 3 over both ports to B" [ "$(route "$A" 0 2)$(route "$A" 1 3)" = 0x300x30 ]
check "fabric: A, from B: ID 1 to GPU 1's ports, IDs 2 and 3 not back to B" \
    [ "$(route "$A" 4 1) $(route "$A" 5 2) $(route "$A" 4 3)" = "0x3 0x0 0x0" ]
check "fabric: A: the stale entry of a port without a link is cleared" [ "$(route "$A" 7 3)" = 0x0 ]
check "fabric: A: a switch's ID has no route" [ "$(route "$A" 0 11)" = 0x0 ]
check "fabric: B, from GPU 2: ID 1 to A, ID 3 to port 40 (the HI word)" \
    [ "$(route "$B" 0 1) $(route "$B" 1 3) $(route "$B" 0 2)" = "0x30 0x10000000000 0x0" ]
check "fabric: B, from GPU 3 (port 40): IDs 1 and 2" [ "$(route "$B" 40 1) $(route "$B" 40 2)" = "0x30 0x3" ]
check "fabric: B, from A: IDs 2 and 3, not ID 1" \
    [ "$(route "$B" 5 2) $(route "$B" 4 3) $(route "$B" 4 1)" = "0x3 0x10000000000 0x0" ]
check "fabric: both switches enabled" [ "$(cat "$sys/bus/pci/devices/$a/enable")$(cat "$sys/bus/pci/devices/$b/enable")" = 11 ]
check "fabric: fabric_state ready on GPUs 1 and 2" \
    [ "$(cat "$sys/bus/pci/devices/0000:01:00.0/nvlink/fabric_state") $(cat "$sys/bus/pci/devices/0000:02:00.0/nvlink/fabric_state")" = "ready ready" ]
check "fabric: a GPU without switch ports is left alone" [ "$(cat "$sys/bus/pci/devices/0000:04:00.0/nvlink/fabric_state")" = none ]
fm --once
check "fabric: a second run changes nothing" \
    [ "$(grep -c '(0 entries changed); read back .* all correct$' "$work/out")" -eq 2 -a "$status" -eq 0 ]

# GPU 1's port 0 on A stuck in SAFE (0x02).
make_fabric degraded 2
fm --once --timeout 0.3
check "degraded: exit 1" [ "$status" -eq 1 ]
check "degraded: the port is named" grep -qx "nvsoc-fm: switch $a port 0: still SAFE after 0.3 s (not HS): left out of the routes" "$work/out"
check "degraded: the timeout is said" grep -qx 'nvsoc-fm: timed out after 0.3 s waiting for the links to reach HS' "$work/out"
check "degraded: the rest is programmed" grep -q "^nvsoc-fm: 2 switches, 4 GPU links, 3 GPUs" "$work/out"
A=$sys/bus/pci/devices/$a/resource0
check "degraded: A routes ID 1 to port 1 only" [ "$(route "$A" 4 1)" = 0x2 ]

sys=$work/empty
mkdir -p "$sys/bus/pci/devices"
fm --once
expect "bad: no switch: exit 1" 1 "nvsoc-fm: no usable NVSwitch (PCI 1e5c:0002) found"
sys=$work/ident
mkdir -p "$sys/bus/pci/devices"
switch $a 10 8 0x12345678
fm --once
expect "bad: IDENT is checked" 1 "nvsoc-fm: switch $a: IDENT reads 0x12345678, not \"NVSW\" (0x4e565357)
nvsoc-fm: no usable NVSwitch (PCI 1e5c:0002) found"
fm --bogus
check "bad: an unknown option is status 2" [ "$status" -eq 2 ]

echo "$((failures)) failed"
[ "$failures" -eq 0 ]
