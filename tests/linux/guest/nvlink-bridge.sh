#!/bin/sh
# Guest test: two GPUs behind an NVLink-to-PCIe bridge
# (configs/nvlink-bridge.yaml; tests/linux/nvlink_bridge.sh boots it). /init
# has loaded nvsoc-gpu.ko and nvsoc-nvlink-bridge.ko. The bridge driver
# lets the links train; pciehp adds each GPU when its vDSP's slot shows it.
# Waits for both GPUs to bind, then checks where they sit, their DMA masks
# against the bridge's 40-bit window, copies (the host test gives the guest
# RAM above the window too, so user buffers there are bounced), peer copies
# (PCIe peer-to-peer, turned by the bridge's upstream port) and topo.
# Command line:
#   nvsoc_bridge_mode=window   reload nvsoc-gpu with dma_ignore_bus_limit=1
#                              and copy from user memory above the window:
#                              the bridge refuses it (Unsupported Request,
#                              a fault record) and the copy fails cleanly
#   nvsoc_bridge_mode=reload   the default checks, then rmmod nvsoc-gpu and
#                              nvsoc-nvlink-bridge (the links go OFF, pciehp
#                              removes the GPUs), insmod both again: the
#                              GPUs come back and copies pass
#   nvsoc_bridge_reload=nohotplug  (window mode, booted with
#                              pcie_ports=compat and links trained at power-on)
#                              then reload both drivers without pciehp
#   nvsoc_bridge_mode=down     a GPU's link fails (the host sets
#                              link-down-at): pciehp removes the GPU, the
#                              bridge driver retrains, and it comes back
# Exit status: the number of failed checks.
failures=0
check() { # DESCRIPTION COMMAND...
    what=$1; shift
    if "$@" >/dev/null 2>&1; then echo "nvlink-bridge: ok: $what"; else echo "nvlink-bridge: FAIL: $what"; failures=$((failures + 1)); fi
}
mode=
reload=
read -r cmdline </proc/cmdline
for arg in $cmdline; do
    case $arg in
        nvsoc_bridge_mode=*) mode=${arg#nvsoc_bridge_mode=} ;;
        nvsoc_bridge_reload=*) reload=${arg#nvsoc_bridge_reload=} ;;
    esac
done
mgmt=0000:01:00.1
drv=/sys/bus/pci/drivers/nvsoc-gpu
bound() { ls -d "$drv"/0000:* 2>/dev/null | wc -l; }
wait_bound() { # N: wait up to 10 s for N GPUs bound
    tries=0
    while [ "$(bound)" -ne "$1" ] && [ $tries -lt 100 ]; do
        sleep 0.1
        tries=$((tries + 1))
    done
}

check "the bridge driver binds the management function" [ -e /sys/bus/pci/drivers/nvsoc-nvlink-bridge/$mgmt ]
wait_bound 2
echo "nvlink-bridge: $(bound) GPUs bound"
echo "nvlink-bridge: present $(cat /sys/bus/pci/devices/$mgmt/present)"
for p in 0 1 2 3; do
    echo "nvlink-bridge: port $p: $(cat /sys/bus/pci/devices/$mgmt/ports/$p/state) remote $(cat /sys/bus/pci/devices/$mgmt/ports/$p/remote)"
done
lspci -t | sed 's/^/nvlink-bridge: lspci -t: /'
for dev in "$drv"/0000:*; do
    bdf=${dev##*/}
    path=$(readlink -f "/sys/bus/pci/devices/$bdf")
    echo "nvlink-bridge: $bdf at ${path#/sys/devices/}"
    echo "nvlink-bridge: $bdf dma_mask_bits $(cat "/sys/bus/pci/devices/$bdf/dma_mask_bits")"
done

# rmmod nvsoc-gpu and nvsoc-nvlink-bridge, then insmod both again. The
# bridge's remove takes its links OFF, which resets the GPUs below: with
# pciehp (hotplug) the GPUs are removed and added back by it; without it
# (pcie_ports=compat) the script does what a user would, removing the GPUs
# through sysfs first and rescanning once the links are HS again.
reload_drivers() { # hotplug|nohotplug
    check "rmmod nvsoc-gpu" rmmod nvsoc_gpu
    if [ "$1" = nohotplug ]; then
        for bdf in 0000:03:00.0 0000:05:00.0; do
            check "remove $bdf through sysfs" sh -c "echo 1 > /sys/bus/pci/devices/$bdf/remove"
        done
    fi
    check "rmmod nvsoc-nvlink-bridge" rmmod nvsoc_nvlink_bridge
    if [ "$1" = hotplug ]; then
        tries=0
        while [ -n "$(ls -d /sys/bus/pci/devices/0000:0[35]:00.0 2>/dev/null)" ] && [ $tries -lt 100 ]; do
            sleep 0.1
            tries=$((tries + 1))
        done
        check "the GPUs are gone once the bridge's links are off" sh -c "! ls -d /sys/bus/pci/devices/0000:0[35]:00.0"
    fi
    for ko in nvsoc-nvlink-bridge nvsoc-gpu; do
        check "insmod $ko again" insmod "$(find /lib/modules -name $ko.ko | head -n 1)"
    done
    if [ "$1" = nohotplug ]; then
        # The links train by themselves (ALI) within a few ms.
        tries=0
        while [ "$(cat /sys/bus/pci/devices/$mgmt/present)" != 0x5 ] && [ $tries -lt 100 ]; do
            sleep 0.1
            tries=$((tries + 1))
        done
        check "rescan the PCI bus" sh -c "echo 1 > /sys/bus/pci/rescan"
    fi
    wait_bound 2
    echo "nvlink-bridge: after the reload: $(bound) GPUs bound"
    check "both GPUs come back after the reload" [ "$(bound)" -eq 2 ]
    check "copy-test --quick passes after the reload" nvsoc-smi copy-test --all --quick
}

case $mode in
window)
    check "rmmod nvsoc-gpu" rmmod nvsoc_gpu
    ko=$(find /lib/modules -name nvsoc-gpu.ko | head -n 1)
    check "insmod nvsoc-gpu dma_ignore_bus_limit=1" insmod "$ko" dma_ignore_bus_limit=1
    wait_bound 2
    echo "nvlink-bridge: $(bound) GPUs bound with dma_ignore_bus_limit"
    # User memory lies above the window (the host test's RAM at 1 TiB):
    # the copy from it must fail, and the bridge must record why.
    nvsoc-smi copy-test -d 0 --sizes 65536 >/tmp/window.log 2>&1
    status=$?
    sed 's/^/nvlink-bridge: window: /' /tmp/window.log
    check "a copy from memory beyond the window fails" [ "$status" -ne 0 ]
    sleep 0.2
    echo "nvlink-bridge: dma_faults $(cat /sys/bus/pci/devices/$mgmt/dma_faults)"
    check "the bridge counted DMA faults" [ "$(cat /sys/bus/pci/devices/$mgmt/dma_faults)" -gt 0 ]
    [ "$reload" = nohotplug ] && reload_drivers nohotplug
    ;;
down)
    # The host fails gpu0's first link a little after this script starts.
    tries=0
    while [ "$(bound)" -ne 1 ] && [ $tries -lt 100 ]; do
        sleep 0.1
        tries=$((tries + 1))
    done
    echo "nvlink-bridge: after the link failure: $(bound) GPU bound"
    check "the GPU behind the failed link is removed" [ "$(bound)" -eq 1 ]
    wait_bound 2
    echo "nvlink-bridge: after the retrain: $(bound) GPUs bound"
    check "it comes back after the retrain" [ "$(bound)" -eq 2 ]
    check "copy-test --quick passes on both GPUs" nvsoc-smi copy-test --all --quick
    ;;
*)
    nvsoc-smi copy-test --all --quick >/tmp/copy.log 2>&1
    status=$?
    grep -c ': ok' /tmp/copy.log | sed 's/^/nvlink-bridge: copies ok: /'
    grep -v ': ok' /tmp/copy.log | sed 's/^/nvlink-bridge: copy: /'
    check "copy-test --quick passes on both GPUs" [ "$status" -eq 0 ]
    nvsoc-smi p2p-test --quick >/tmp/p2p.log 2>&1
    status=$?
    sed 's/^/nvlink-bridge: /' /tmp/p2p.log
    check "p2p-test passes" [ "$status" -eq 0 ]
    nvsoc-smi topo -m | sed 's/^/nvlink-bridge: topo: /'
    [ "$mode" = reload ] && reload_drivers hotplug
    ;;
esac
# Each GPU link's traffic and link-level error counters (the GPU's end).
for l in /sys/bus/pci/devices/*/nvlink/link[0-9]*; do
    [ -d "$l" ] || continue
    dev=${l%/nvlink/*}
    echo "nvlink-bridge: ${dev##*/} ${l##*/}: $(cat "$l/state") tl_tx_bytes $(cat "$l/tl_tx_bytes") tl_rx_bytes $(cat "$l/tl_rx_bytes") dl_replay $(cat "$l/dl_replay") dl_crc_flit $(cat "$l/dl_crc_flit") dl_recovery $(cat "$l/dl_recovery")"
done
check "no kernel warning, lockdep report or oops" sh -c "! dmesg | grep -qE 'BUG:|WARNING:|possible circular locking|sleeping function called|Oops|Call Trace'"
exit $failures
