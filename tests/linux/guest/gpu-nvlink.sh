#!/bin/sh
# Guest test: nvsoc-gpu's NVLink ports (tests/linux/nvlink.sh boots it).
# /init has loaded nvsoc-gpu.ko. Waits for every port of every bound GPU
# to reach HS (ALI, or the driver's software training), prints each port
# as <device>/nvlink/link<L>/ shows it, then nvsoc-smi topo -m and
# nvlink -s.
# Command line:
#   nvsoc_gpu_nvlink_reload=1     rmmod nvsoc-gpu: every <device>/nvlink/
#                                 goes; insmod again: it comes back, HS
#   nvsoc_gpu_p2p=1               peer tests: nvsoc-smi p2p-test --quick on
#                                 every pair, p2p-bw and p2p-lat
#   nvsoc_gpu_nvlink_crc=BDF:L    a link with CRC errors injected: after the
#                                 peer tests, its counters (sysfs and
#                                 nvlink -e)
#   nvsoc_gpu_p2p_down=BDF:L,...  the links to fail: every link between
#                                 GPU0 and GPU1. nvsoc-smi p2p-test --hold
#                                 0,1 keeps GPU1's memory imported into
#                                 GPU0 and runs a round of peer copies
#                                 before the links fail, once they read
#                                 FAULT (over PCIe) and once the driver
#                                 has retrained them (3 s later: over
#                                 NVLink again); the peer tests run while
#                                 they are down (with peer_pcie=0 too: no
#                                 path between GPU0 and GPU1) and after
#   nvsoc_gpu_p2p_aer=1           GPU0 is to take a poisoned read (the
#                                 platform's poison-read-at) in a round
#                                 of p2p-test --hold 0,1: after AER
#                                 recovery the next round must pass
# Exit status: the number of failed checks.
failures=0
check() { # DESCRIPTION COMMAND...
    what=$1; shift
    if "$@" >/dev/null 2>&1; then echo "gpu-nvlink: ok: $what"; else echo "gpu-nvlink: FAIL: $what"; failures=$((failures + 1)); fi
}
reload=
p2p=
crc=
p2p_down=
p2p_aer=
for arg in $(cat /proc/cmdline); do
    case $arg in
        nvsoc_gpu_nvlink_reload=*) reload=${arg#nvsoc_gpu_nvlink_reload=} ;;
        nvsoc_gpu_p2p=*) p2p=${arg#nvsoc_gpu_p2p=} ;;
        nvsoc_gpu_nvlink_crc=*) crc=${arg#nvsoc_gpu_nvlink_crc=} ;;
        nvsoc_gpu_p2p_down=*) p2p_down=${arg#nvsoc_gpu_p2p_down=} ;;
        nvsoc_gpu_p2p_aer=*) p2p_aer=${arg#nvsoc_gpu_p2p_aer=} ;;
    esac
done
# The links of p2p_down are retrained 3 s after they fail, time enough
# for the peer tests over PCIe.
if [ -n "$p2p_down" ]; then
    echo 3000 > /sys/module/nvsoc_gpu/parameters/nvlink_retrain_ms
fi
drv=/sys/bus/pci/drivers/nvsoc-gpu
gpus=$(ls -d "$drv"/0000:* 2>/dev/null)
check "a GPU is bound to nvsoc-gpu" [ -n "$gpus" ]
echo "gpu-nvlink: $(echo "$gpus" | wc -w) GPUs bound"

# Every port HS (or 100 tries of 0.1 s).
not_hs() {
    n=0
    for dev in $gpus; do
        nv=/sys/bus/pci/devices/${dev##*/}/nvlink
        for l in $nv/link[0-9]*; do
            [ "$(cat "$l/state")" = HS ] || n=$((n + 1))
        done
    done
    echo $n
}
tries=0
while [ "$(not_hs)" -gt 0 ] && [ $tries -lt 100 ]; do
    sleep 0.1
    tries=$((tries + 1))
done
echo "gpu-nvlink: ports not HS after $tries tries: $(not_hs)"

show_ports() {
    for dev in $gpus; do
        bdf=${dev##*/}
        nv=/sys/bus/pci/devices/$bdf/nvlink
        check "$bdf: nvlink/links exists" [ -f "$nv/links" ]
        echo "gpu-nvlink: $bdf: links $(cat "$nv/links")"
        for l in $nv/link[0-9]*; do
            ecc=no
            [ -f "$l/ecc_lane0" ] && ecc=yes
            echo "gpu-nvlink: $bdf ${l##*/}: $(cat "$l/state") gen $(cat "$l/generation") x$(cat "$l/lanes") $(cat "$l/bandwidth_mbps") MB/s remote $(cat "$l/remote_type") $(cat "$l/remote_device") link $(cat "$l/remote_link") ecc $ecc crc_lane7 $(cat "$l/crc_lane7") tl_tx_bytes $(cat "$l/tl_tx_bytes")"
        done
    done
}
show_ports
check "no port is left untrained" [ "$(not_hs)" -eq 0 ]
first=$(echo "$gpus" | head -n 1)
l0=/sys/bus/pci/devices/${first##*/}/nvlink/link0
check "reset_counters takes 1" sh -c "echo 1 > $l0/reset_counters"
check "reset_counters refuses 2" sh -c "! echo 2 > $l0/reset_counters"
check "reset_counters is write-only" sh -c "! cat $l0/reset_counters"
if [ -d /sys/kernel/tracing/events/nvsoc_gpu/nvsoc_gpu_nvlink_state ]; then
    echo "gpu-nvlink: tracepoint nvsoc_gpu_nvlink_state exists"
fi
nvsoc-smi topo -m | sed 's/^/topo: /'
nvsoc-smi nvlink -s | sed 's/^/nvlink-s: /'

# The peer tests, their lines prefixed with TAG (p2p, p2p-pcie, ...).
peer_tests() { # TAG
    nvsoc-smi p2p-test --quick | sed "s/^/$1: /"
    nvsoc-smi p2p-bw -s 1M -n 3 | sed "s/^/$1: /"
    nvsoc-smi p2p-lat -n 5 | sed "s/^/$1: /"
}
if [ -n "$p2p" ]; then
    peer_tests p2p
fi
if [ -n "$crc" ]; then
    l=/sys/bus/pci/devices/${crc%:*}/nvlink/link${crc##*:}
    echo "gpu-nvlink: crc: $crc dl_replay $(cat "$l/dl_replay") dl_crc_flit $(cat "$l/dl_crc_flit") dl_recovery $(cat "$l/dl_recovery") crc_lane_sum $(cat "$l"/crc_lane* | awk '{s += $1} END {print s}')"
    i=0
    for dev in $gpus; do
        [ "${dev##*/}" = "${crc%:*}" ] && break
        i=$((i + 1))
    done
    nvsoc-smi nvlink -e -d "$i" -l "${crc##*:}" | sed 's/^/nvlink-e: /'
fi
# nvsoc-smi p2p-test --hold 0,1: GPU1's memory imported into GPU0, a
# round of peer copies each time hold_round is called.
hold_start() {
    fifo=/tmp/p2p-hold
    mkfifo "$fifo"
    nvsoc-smi p2p-test --hold 0,1 <"$fifo" >/tmp/p2p-hold.out 2>&1 &
    hold=$!
    exec 3>"$fifo"
}
# Round N, then wait for its result line.
hold_round() { # N
    echo go >&3
    tries=0
    while ! grep -q "^p2p-test: round $1:" /tmp/p2p-hold.out && [ $tries -lt 600 ]; do
        sleep 0.05
        tries=$((tries + 1))
    done
}
hold_end() {
    exec 3>&-
    wait "$hold"
    echo "gpu-nvlink: p2p-test --hold exited with $?"
    sed 's/^/p2p-hold: /' /tmp/p2p-hold.out
}
if [ -n "$p2p_aer" ]; then
    # A poisoned read of GPU0 (the platform's poison-read-at) in round 1:
    # AER recovery (error_detected, slot_reset with an engine reset,
    # resume) must leave the held import working: round 2 passes over
    # NVLink. (A non-fatal error gets no bus reset from Linux, so the peer
    # table survives; a fatal one's secondary bus reset, after which the
    # driver writes the table again, is not exercised here.)
    hold_start
    hold_round 1
    tries=0
    while ! dmesg | grep -q 'PCIe error recovery complete' && [ $tries -lt 100 ]; do
        sleep 0.1
        tries=$((tries + 1))
    done
    check "GPU0's AER recovery completed" sh -c "dmesg | grep -q 'PCIe error recovery complete'"
    hold_round 2
    hold_end
fi
if [ -n "$p2p_down" ]; then
    hold_start
    hold_round 1
    # Wait for every named link to read FAULT.
    faulted() {
        n=0
        for bl in $(echo "$p2p_down" | tr , ' '); do
            [ "$(cat "/sys/bus/pci/devices/${bl%:*}/nvlink/link${bl##*:}/state")" = FAULT ] && n=$((n + 1))
        done
        echo $n
    }
    want=$(echo "$p2p_down" | tr , ' ' | wc -w)
    tries=0
    while [ "$(faulted)" -lt "$want" ] && [ $tries -lt 100 ]; do
        sleep 0.1
        tries=$((tries + 1))
    done
    check "every p2p_down link reads FAULT" [ "$(faulted)" -eq "$want" ]
    # The other ends' interrupts, and the peer review, a moment later.
    sleep 0.2
    echo "gpu-nvlink: down: $(faulted) links FAULT"
    show_ports
    nvsoc-smi nvlink -s | sed 's/^/nvlink-s-down: /'
    hold_round 2
    peer_tests p2p-pcie
    # No PCIe peer-to-peer either (peer_pcie=0, reviewed at once): GPU0 and
    # GPU1 have no path at all, and peer access between them is refused.
    echo 0 > /sys/module/nvsoc_gpu/parameters/peer_pcie
    sleep 0.2
    nvsoc-smi p2p-test --sizes 4 | sed 's/^/p2p-nopath: /'
    echo 1 > /sys/module/nvsoc_gpu/parameters/peer_pcie
    sleep 0.2
    for bl in $(echo "$p2p_down" | tr , ' '); do
        echo "gpu-nvlink: during: ${bl} tl_tx_bytes $(cat "/sys/bus/pci/devices/${bl%:*}/nvlink/link${bl##*:}/tl_tx_bytes")"
    done
    tries=0
    while [ "$(not_hs)" -gt 0 ] && [ $tries -lt 100 ]; do
        sleep 0.1
        tries=$((tries + 1))
    done
    check "after retraining every port is HS again" [ "$(not_hs)" -eq 0 ]
    sleep 0.2
    hold_round 3
    hold_end
    peer_tests p2p-back
    for bl in $(echo "$p2p_down" | tr , ' '); do
        echo "gpu-nvlink: after: ${bl} tl_tx_bytes $(cat "/sys/bus/pci/devices/${bl%:*}/nvlink/link${bl##*:}/tl_tx_bytes")"
    done
fi
if [ -n "$reload" ]; then
    ko=$(find /lib/modules -name nvsoc-gpu.ko 2>/dev/null | head -n 1)
    check "rmmod nvsoc-gpu" rmmod nvsoc_gpu
    left=0
    for dev in $gpus; do
        [ -d "/sys/bus/pci/devices/${dev##*/}/nvlink" ] && left=$((left + 1))
    done
    check "rmmod removed every nvlink/ directory" [ $left -eq 0 ]
    check "insmod nvsoc-gpu again" insmod "$ko"
    tries=0
    while [ "$(not_hs)" -gt 0 ] && [ $tries -lt 100 ]; do
        sleep 0.1
        tries=$((tries + 1))
    done
    show_ports
    check "after insmod: every port HS again" [ "$(not_hs)" -eq 0 ]
fi
echo "gpu-nvlink: $failures failed"
exit "$failures"
