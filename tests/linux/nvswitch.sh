#!/usr/bin/env bash
# NVSwitch under Linux: configs/nvlink-switch.yaml (an HGX H100-like board:
# eight GPUs, 18 NVLink 4 links each, spread 5/4/4/5 over four 64-port
# NVSwitches whose routing tables start empty) with nvsoc's kernel, the
# nvsoc-gpu driver, the nvsoc-fm fabric manager that /init starts, and
# nvsoc-smi (tests/linux/guest/gpu-nvswitch.sh in the guest):
#   fabric   the driver binds 8 GPUs; all 144 GPU ports read HS; nvsoc-fm
#            finds 4 switches, 144 GPU links and 8 GPUs, programs every
#            switch (40 or 32 linked ports x 8 routes) and reads every
#            entry back correct; a sample of each table read by devmem is
#            the board's; nvsoc-smi nvlink -R shows 144 NVSWITCH remotes;
#            topo -m shows NV18 between every pair; fabric_state reads
#            ready on all 8 GPUs; peer access over NVLink (18 links,
#            through the switches) on all 56 ordered pairs, every peer
#            copy passing its CRC, a figure in every cell of the write
#            bandwidth matrix, no request dropped by a switch; no splat;
#   nofm     nvsoc_fm=off: before any fabric manager every GPU's
#            fabric_state reads pending and every pair's peer access goes
#            over PCIe (copies pass); then the guest runs nvsoc-fm --once
#            and the fabric boot's peer checks hold;
#   down     the same with gpu0's link 0 (switch 0's port 0) failing after
#            the guest's script has started: the daemon logs the port's
#            change, reprograms, and switch 0 routes gpu0's ID to its
#            four other ports.
#
#   nvswitch.sh NVSOC
#
# Logs of every boot are kept in NVSOC_LINUX_LOGS (default
# ./linux-nvswitch-logs); the console of a boot with a failed check is
# printed in full at the end. Each boot's wall time is printed.
set -euo pipefail
nvsoc=$1
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
config=$here/../../configs/nvlink-switch.yaml
default_logs=$PWD/linux-nvswitch-logs
max_time=120s
# shellcheck source=SCRIPTDIR/lib.sh
. "$here/lib.sh"

base="console=ttyS0 earlycon=sbi"
gpus=(0000:01:00.0 0000:02:00.0 0000:03:00.0 0000:04:00.0 0000:05:00.0 0000:06:00.0 0000:07:00.0 0000:08:00.0)
# The switches' management functions, below the PCIe switch on root port 9.
sws=(0000:0b:00.0 0000:0c:00.0 0000:0d:00.0 0000:0e:00.0)

timed_boot() { # NAME APPEND [NVSOC OPTION...]
    local name=$1 start
    start=$(date +%s)
    boot "$name" "$kernel" "$initrd" "${@:2}"
    echo "---- $name: $(($(date +%s) - start)) s wall time"
}

# The checks both boots share: GPUs, ports, the fabric manager's first
# programming.
check_fabric() { # NAME
    local n=$1 i
    check "$n: /init loaded nvsoc-gpu.ko" has '^nvsoc: insmod /lib/modules/nvsoc-gpu.ko: ok$'
    check "$n: /init started nvsoc-fm" has '^nvsoc: nvsoc-fm started$'
    check "$n: the driver binds 8 GPUs" has '^gpu-nvswitch: 8 GPUs bound$'
    check "$n: all 144 GPU ports HS" has '^gpu-nvswitch: 144 of 144 GPU ports HS$'
    check "$n: 144 GPU ports lead to an NVSwitch" has '^gpu-nvswitch: 144 GPU ports lead to an NVSwitch$'
    check "$n: nvsoc-fm finds 4 switches, 144 GPU links, 8 GPUs" \
        has '^nvsoc-fm: 4 switches, 144 GPU links, 8 GPUs$'
    for i in 0 1 2 3; do
        check "$n: nvsoc-fm: switch $i: NVLink ID $((9 + i)), 64 ports" \
            has "^nvsoc-fm: switch ${sws[i]}: NVLink ID $((9 + i)), 64 ports, "
    done
    check "$n: nvsoc-fm programs switches 0 and 3: 40 ports x 8 routes, all read back correct" \
        has_n 2 '^nvsoc-fm: switch 0000:0[be]:00.0: programmed 40 ports x 8 routes (280 entries changed); read back 4032 entries: all correct$'
    check "$n: nvsoc-fm programs switches 1 and 2: 32 ports x 8 routes, all read back correct" \
        has_n 2 '^nvsoc-fm: switch 0000:0[cd]:00.0: programmed 32 ports x 8 routes (224 entries changed); read back 4032 entries: all correct$'
    check "$n: nvsoc-fm: no mismatch" lacks 'MISMATCH\|reads 0x.* after writing'
    check "$n: nvsoc-fm: fabric ready" has '^nvsoc-fm: fabric ready'
    check "$n: the daemon is watching" has '^nvsoc-fm: watching 4 switches every 500 ms$'
    check "$n: the sampled routes (96, devmem) are the board's" \
        has '^gpu-nvswitch: routes read by devmem: 96 entries, 0 wrong$'
}

timed_boot fabric "$base nvsoc_test=/tests/gpu-nvswitch.sh"
check_fabric fabric
check "fabric: nvlink -R shows 144 NVSWITCH remotes" has '^gpu-nvswitch: nvlink -R: 144 links to NVSWITCH$'
for i in 0 1 2 3 4 5 6 7; do
    # The topo -m matrix: the GPU's row shows NV18 to the seven others.
    check "fabric: topo -m: GPU$i has NV18 to the seven others" \
        bash -c "grep -P '^topo: GPU$i\t' <<<\"\$1\" | grep -o NV18 | wc -l | grep -qx 7" _ "$out"
done
check "fabric: fabric_state reads ready on all 8 GPUs" has '^gpu-nvswitch: fabric_state ready on 8 GPUs$'
check "fabric: nvsoc-fm marked 8 GPUs ready" has '^nvsoc-fm: fabric ready (8 GPUs marked ready)$'
check_peers() { # NAME
    check "$1: p2p-test: every ordered pair (56) over NVLink through the switches, 18 links" \
        has_n 56 '^p2p: p2p-test: GPU[0-7]->GPU[0-7]: path nvlink 18 links, '
    check "$1: p2p-test: 224 peer copies pass their CRC, none fails" \
        has '^p2p: p2p-test: 224 passed, 0 failed, 0 pairs without a path$'
    check "$1: p2p-bw: a write figure in every cell" \
        bash -c "grep -A9 '^p2p: p2p-bw: write' <<<\"\$1\" | grep -E '^p2p: p2p-bw: GPU[0-7]( +[0-9]+\.[0-9]+){8}\$' | wc -l | grep -qx 8" _ "$out"
    check "$1: no switch dropped a request" lacks 'NVLink ID .* dropped'
}
check_peers fabric
check "fabric: 0 failed" has '^gpu-nvswitch: 0 failed$'
check "fabric: no kernel splat" no_splat
check "fabric: status 0" [ "$status" -eq 0 ]

# No fabric manager at boot: the switches route nothing, each GPU's
# fabric_state reads pending and the driver keeps peers on PCIe; then the
# guest runs nvsoc-fm --once and peers go over NVLink.
timed_boot nofm "$base nvsoc_test=/tests/gpu-nvswitch.sh nvsoc_fm=off"
check "nofm: /init did not start nvsoc-fm" has '^nvsoc: nvsoc_fm=off: not starting nvsoc-fm$'
check "nofm: before nvsoc-fm: fabric_state pending on 8 GPUs" \
    has_n 8 '^gpu-nvswitch: before nvsoc-fm: 0000:..:00.0 fabric_state pending$'
check "nofm: before nvsoc-fm: every pair (56) over PCIe" \
    has_n 56 '^p2p-pending: p2p-test: GPU[0-7]->GPU[0-7]: path pcie, '
check "nofm: before nvsoc-fm: 112 peer copies over PCIe pass" \
    has '^p2p-pending: p2p-test: 112 passed, 0 failed, 0 pairs without a path$'
check "nofm: nvsoc-fm --once exits 0" has '^gpu-nvswitch: ok: nvsoc-fm --once exits 0$'
check "nofm: fabric_state reads ready on all 8 GPUs" has '^gpu-nvswitch: fabric_state ready on 8 GPUs$'
check_peers nofm
check "nofm: 0 failed" has '^gpu-nvswitch: 0 failed$'
check "nofm: no kernel splat" no_splat
check "nofm: status 0" [ "$status" -eq 0 ]

timed_boot down "$base nvsoc_test=/tests/gpu-nvswitch.sh nvsoc_nvswitch_down=${gpus[0]}:0" \
    --set links.g0s0l0.link-down-at="${NVSOC_NVSWITCH_DOWN_AT:-3s}"
check_fabric down
check "down: nvsoc-fm logs switch 0's port 0 going down" \
    has "^nvsoc-fm: switch ${sws[0]} port 0: HS -> FAULT\$"
check "down: nvsoc-fm reprograms" has '^nvsoc-fm: the fabric changed: reprogramming$'
check "down: it now sees 143 GPU links" has '^nvsoc-fm: 4 switches, 143 GPU links, 8 GPUs$'
check "down: switch 0 reprogrammed, read back correct" \
    has "^nvsoc-fm: switch ${sws[0]}: programmed 40 ports x 8 routes ([0-9]* entries changed); read back 4032 entries: all correct\$"
check "down: switch 0 routes ID 1 to ports 1-4" has '^gpu-nvswitch: ok: switch 0 now routes ID 1 to ports 1-4 only$'
check "down: 0 failed" has '^gpu-nvswitch: 0 failed$'
check "down: no kernel splat" no_splat
check "down: status 0" [ "$status" -eq 0 ]

finish
