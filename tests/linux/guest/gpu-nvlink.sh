#!/bin/sh
# Guest test: nvsoc-gpu's NVLink ports (tests/linux/nvlink.sh boots it).
# /init has loaded nvsoc-gpu.ko. Waits for every port of every bound GPU
# to reach HS (ALI, or the driver's software training), prints each port
# as <device>/nvlink/link<L>/ shows it, then nvsoc-smi topo -m and
# nvlink -s.
# Command line:
#   nvsoc_gpu_nvlink_down=BDF:L   a link is to fail (the platform's
#                                 link-down-at): wait for that port to read
#                                 FAULT, then print the ports and nvlink -s
#                                 again
#   nvsoc_gpu_nvlink_reload=1     rmmod nvsoc-gpu: every <device>/nvlink/
#                                 goes; insmod again: it comes back, HS
# Exit status: the number of failed checks.
failures=0
check() { # DESCRIPTION COMMAND...
    what=$1; shift
    if "$@" >/dev/null 2>&1; then echo "gpu-nvlink: ok: $what"; else echo "gpu-nvlink: FAIL: $what"; failures=$((failures + 1)); fi
}
down=
reload=
for arg in $(cat /proc/cmdline); do
    case $arg in
        nvsoc_gpu_nvlink_down=*) down=${arg#nvsoc_gpu_nvlink_down=} ;;
        nvsoc_gpu_nvlink_reload=*) reload=${arg#nvsoc_gpu_nvlink_reload=} ;;
    esac
done
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

if [ -n "$down" ]; then
    bdf=${down%:*}
    l=${down##*:}
    st=/sys/bus/pci/devices/$bdf/nvlink/link$l/state
    tries=0
    while [ "$(cat "$st")" != FAULT ] && [ $tries -lt 100 ]; do
        sleep 0.1
        tries=$((tries + 1))
    done
    check "$bdf link $l reads FAULT" [ "$(cat "$st")" = FAULT ]
    # The other end's interrupt may come a moment later.
    sleep 0.2
    show_ports
    nvsoc-smi nvlink -s | sed 's/^/nvlink-s-down: /'
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
