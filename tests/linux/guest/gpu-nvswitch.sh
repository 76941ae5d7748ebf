#!/bin/sh
# Guest test: eight GPUs through four NVSwitches (configs/nvlink-switch.yaml;
# tests/linux/nvswitch.sh boots it). /init has loaded nvsoc-gpu.ko and
# started nvsoc-fm (sw/tools/nvsoc-fm), whose lines it tees to
# /tmp/nvsoc-fm.log; with nvsoc_fm=off this script runs `nvsoc-fm --once`
# itself. Waits for every GPU port to reach HS and for the fabric manager to
# say the fabric is ready, reads a sample of every switch's routing table
# through BAR0 (devmem) and checks it against the board's wiring, shows
# nvsoc-smi nvlink -R and topo -m, and checks each GPU's fabric_state.
# Command line:
#   nvsoc_nvswitch_down=BDF:L   a link of that GPU port fails (the
#                               platform's link-down-at): wait for the
#                               fabric manager to reprogram the switches
# Exit status: the number of failed checks.
failures=0
check() { # DESCRIPTION COMMAND...
    what=$1; shift
    if "$@" >/dev/null 2>&1; then echo "gpu-nvswitch: ok: $what"; else echo "gpu-nvswitch: FAIL: $what"; failures=$((failures + 1)); fi
}
down=
read -r cmdline </proc/cmdline
for arg in $cmdline; do
    case $arg in
        nvsoc_nvswitch_down=*) down=${arg#nvsoc_nvswitch_down=} ;;
    esac
done
log=/tmp/nvsoc-fm.log
drv=/sys/bus/pci/drivers/nvsoc-gpu
gpus=$(ls -d "$drv"/0000:* 2>/dev/null)
echo "gpu-nvswitch: $(echo "$gpus" | wc -w) GPUs bound"

# Every GPU port HS (or 100 tries of 0.1 s).
hs_ports() {
    n=0
    for dev in $gpus; do
        for l in "/sys/bus/pci/devices/${dev##*/}"/nvlink/link[0-9]*; do
            [ "$(cat "$l/state")" = HS ] && n=$((n + 1))
        done
    done
    echo $n
}
all_ports=0
for l in /sys/bus/pci/devices/*/nvlink/link[0-9]*; do
    [ -d "$l" ] && all_ports=$((all_ports + 1))
done
tries=0
while [ "$(hs_ports)" -lt "$all_ports" ] && [ $tries -lt 100 ]; do
    sleep 0.1
    tries=$((tries + 1))
done
echo "gpu-nvswitch: $(hs_ports) of $all_ports GPU ports HS"
to_switch=0
for dev in $gpus; do
    for l in "/sys/bus/pci/devices/${dev##*/}"/nvlink/link[0-9]*; do
        [ "$(cat "$l/remote_type")" = NVSWITCH ] && to_switch=$((to_switch + 1))
    done
done
echo "gpu-nvswitch: $to_switch GPU ports lead to an NVSwitch"

# The fabric manager: the daemon /init started, or a run of our own.
if [ -f $log ]; then
    tries=0
    while ! grep -q '^nvsoc-fm: fabric ready' $log && [ $tries -lt 300 ]; do
        sleep 0.1
        tries=$((tries + 1))
    done
    check "the nvsoc-fm daemon says the fabric is ready" grep -q '^nvsoc-fm: fabric ready' $log
else
    # No fabric manager yet: the switches route nothing, so the driver
    # keeps peers on PCIe.
    for dev in $gpus; do
        echo "gpu-nvswitch: before nvsoc-fm: ${dev##*/} fabric_state $(cat "/sys/bus/pci/devices/${dev##*/}/nvlink/fabric_state")"
    done
    nvsoc-smi p2p-test --sizes 4097 | sed 's/^/p2p-pending: /'
    echo "gpu-nvswitch: no $log (nvsoc_fm=off?): running nvsoc-fm --once"
    check "nvsoc-fm --once exits 0" sh -c "nvsoc-fm --once > $log 2>&1"
    sed 's/^/gpu-nvswitch: once: /' $log
fi

# A sample of every switch's table, read through BAR0 by devmem: ingress
# port 0 (gpu0's link on every switch) and the last linked port (gpu7's),
# for every NVLink ID 1..12 (GPUs 1..8, switches 9..12). On this board gpu
# n-1 (ID n) has ports (n-1)*w .. (n-1)*w+w-1 on each switch, w = 5 on the
# first and last switch, 4 on the others; a GPU's own ports and the IDs of
# switches have no route.
sws=$(for d in /sys/bus/pci/devices/*; do
    [ "$(cat "$d/vendor")" = 0x1e5c ] && [ "$(cat "$d/device")" = 0x0002 ] && echo "${d##*/}"
done)
echo "gpu-nvswitch: $(echo "$sws" | wc -w) NVSwitch functions: $(echo "$sws" | tr "\n" " ")"
i=0
checked=0
wrong=0
for s in $sws; do
    bar=$(head -n 1 "/sys/bus/pci/devices/$s/resource" | cut -d' ' -f1)
    case $i in 0|3) w=5 ;; *) w=4 ;; esac
    for p in 0 $((8 * w - 1)); do
        own=$((p / w + 1))
        for d in 1 2 3 4 5 6 7 8 9 10 11 12; do
            off=$((0x20000 + (p * 64 + d) * 8))
            lo=$(devmem $((bar + off)) 32)
            hi=$(devmem $((bar + off + 4)) 32)
            got=$(((hi << 32) | lo))
            want=0
            if [ "$d" -le 8 ] && [ "$d" -ne "$own" ]; then
                want=$((((1 << w) - 1) << ((d - 1) * w)))
            fi
            checked=$((checked + 1))
            if [ "$got" -ne "$want" ]; then
                wrong=$((wrong + 1))
                printf 'gpu-nvswitch: route %s port %d ID %d: 0x%x, want 0x%x\n' "$s" "$p" "$d" "$got" "$want"
            fi
        done
    done
    i=$((i + 1))
done
echo "gpu-nvswitch: routes read by devmem: $checked entries, $wrong wrong"
check "every sampled route (96) is the board's" [ "$checked,$wrong" = 96,0 ]

nvsoc-smi nvlink -R | sed 's/^/nvlink-R: /'
echo "gpu-nvswitch: nvlink -R: $(nvsoc-smi nvlink -R | grep -c '(NVSWITCH)$') links to NVSWITCH"
nvsoc-smi topo -m | sed 's/^/topo: /'

# fabric_state (the driver's; absent from a driver without it).
first=$(echo "$gpus" | head -n 1)
if [ -f "/sys/bus/pci/devices/${first##*/}/nvlink/fabric_state" ]; then
    ready=0
    for dev in $gpus; do
        st=$(cat "/sys/bus/pci/devices/${dev##*/}/nvlink/fabric_state")
        echo "gpu-nvswitch: ${dev##*/} fabric_state $st"
        [ "$st" = ready ] && ready=$((ready + 1))
    done
    echo "gpu-nvswitch: fabric_state ready on $ready GPUs"
else
    echo "gpu-nvswitch: note: the driver has no nvlink/fabric_state: not checked"
fi

# Peer copies through the switches, every ordered pair, CRC-checked, and
# the bandwidth matrix (the fabric is ready: NVLink on every pair).
# Not while a link is about to fail (nvsoc_nvswitch_down).
if [ -z "$down" ]; then
    nvsoc-smi p2p-test --sizes 4097,1048579 | sed 's/^/p2p: /'
    nvsoc-smi p2p-bw -s 4M -n 1 | sed 's/^/p2p: /'
fi

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
    # The daemon polls every 500 ms and then reprograms.
    tries=0
    while [ "$(grep -c '^nvsoc-fm: fabric ready' $log)" -lt 2 ] && [ $tries -lt 100 ]; do
        sleep 0.1
        tries=$((tries + 1))
    done
    check "the daemon reprogrammed the fabric after the link went down" \
        [ "$(grep -c '^nvsoc-fm: fabric ready' $log)" -ge 2 ]
    # gpu0's link 0 is switch 0's port 0: its other ports to gpu0 (1-4)
    # carry ID 1 now, from gpu1's ingress port 5.
    s=$(echo "$sws" | head -n 1)
    bar=$(head -n 1 "/sys/bus/pci/devices/$s/resource" | cut -d' ' -f1)
    lo=$(devmem $((bar + 0x20000 + (5 * 64 + 1) * 8)) 32)
    echo "gpu-nvswitch: after the link went down: $s port 5 ID 1 routes to $lo"
    check "switch 0 now routes ID 1 to ports 1-4 only" [ $((lo)) -eq $((0x1e)) ]
fi

echo "gpu-nvswitch: $failures failed"
exit "$failures"
