#!/usr/bin/env bash
# The NVLink-to-PCIe bridge under Linux: configs/nvlink-bridge.yaml (two
# GPUs behind one bridge on a Gen5 x16 root port, two NVLink 4 links each,
# a 40-bit inbound DMA window) with nvsoc's kernel, nvsoc-nvlink-bridge,
# nvsoc-gpu and nvsoc-smi (tests/linux/guest/nvlink-bridge.sh in the
# guest). Every boot adds 512 MiB of RAM at 1 TiB, beyond the window, so
# that the window matters: user memory lands there first.
#   bridge   the bridge driver binds the management function and its four
#            ports reach HS; pciehp adds both GPUs below vDSPs 0 and 2;
#            every device below the bridge gets the 40-bit DMA limit and
#            nvsoc-gpu lowers its 64-bit mask to it; copies (user memory
#            above the window bounced by swiotlb) and PCIe peer copies
#            pass; topo shows PIX; no splat;
#   window   nvsoc-gpu reloaded with dma_ignore_bus_limit=1: a copy from
#            user memory above the window gets Unsupported Request at the
#            bridge, which logs the fault record; the copy fails cleanly;
#   crc      CRC errors on gpu0's first link: replayed, and reported as
#            AER Bad TLPs by each receiving end, gpu0 (03:00.0) and its
#            vDSP (02:00.0), not by gpu1's; copies pass;
#   down     gpu0's first link fails 1.5 s into the boot: Surprise Down on
#            its vDSP, pciehp removes gpu0, the bridge driver retrains the
#            port after 1 s and pciehp adds gpu0 back; copies pass;
#   debug    the debug kernel (lockdep, sleep-in-atomic checks): the bridge
#            boot's checks, then rmmod of both drivers (the links go OFF,
#            pciehp removes the GPUs) and insmod again; no splat but
#            Linux's own pciehp lockdep report (below);
#   debug-nohp  the debug kernel without pciehp (pcie_ports=compat, links
#            trained at power-on): the window boot's checks, then both
#            drivers reloaded; no splat at all.
#
#   nvlink_bridge.sh NVSOC
#
# Logs of every boot are kept in NVSOC_LINUX_LOGS (default
# ./linux-nvlink-bridge-logs); the console of a boot with a failed check is
# printed in full at the end. Each boot's wall time is printed.
set -euo pipefail
nvsoc=$1
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
config=$here/../../configs/nvlink-bridge.yaml
default_logs=$PWD/linux-nvlink-bridge-logs
max_time=60s
# shellcheck source=SCRIPTDIR/lib.sh
. "$here/lib.sh"

base="console=ttyS0 earlycon=sbi pci=hpmmioprefsize=8G,hpmmiosize=64M"
high=(--set memory.dram_hi.base=0x10000000000 --set memory.dram_hi.size=512MiB)
gpu0=0000:03:00.0
gpu1=0000:05:00.0

timed_boot() { # NAME APPEND [NVSOC OPTION...]
    local name=$1 start
    start=$(date +%s)
    boot "$name" "$kernel" "$initrd" "${@:2}" "${high[@]}"
    echo "---- $name: $(($(date +%s) - start)) s wall time"
}

check_bound() { # NAME
    local n=$1
    check "$n: /init loaded nvsoc-nvlink-bridge.ko" has '^nvsoc: insmod /lib/modules/nvsoc-nvlink-bridge.ko: ok$'
    check "$n: the bridge driver binds 01:00.1" has '^nvlink-bridge: ok: the bridge driver binds the management function$'
    check "$n: the bridge's probe line" \
        has 'nvsoc-nvlink-bridge 0000:01:00.1: NVLink bridge: 4 ports, DMA window 40 bits, 150 ns per crossing, below 0000:01:00.0$'
    check "$n: 2 GPUs bound" has '^nvlink-bridge: 2 GPUs bound$'
    check "$n: gpu0 below vDSP 0" has "^nvlink-bridge: $gpu0 at .*/0000:01:00.0/0000:02:00.0/$gpu0\$"
    check "$n: gpu1 below vDSP 2" has "^nvlink-bridge: $gpu1 at .*/0000:01:00.0/0000:02:02.0/$gpu1\$"
}

timed_boot bridge "$base nvsoc_test=/tests/nvlink-bridge.sh"
check_bound bridge
check "bridge: all four ports HS" has_n 4 'nvsoc-nvlink-bridge 0000:01:00.1: port [0-3]: HS, NVLink 4 x'
check "bridge: PRESENT shows vDSPs 0 and 2" has '^nvlink-bridge: present 0x5$'
check "bridge: port 0 leads to gpu0's link 0" has '^nvlink-bridge: port 0: HS remote 2\.0$'
check "bridge: pciehp adds both GPUs" has_n 2 'pcieport 0000:02:0[02].0: pciehp: Slot([02]): Card present'
check "bridge: both GPUs get the bridge's 40-bit DMA limit" \
    has_n 2 "DMA limited to the NVLink bridge's 40-bit window (0000:01:00.1)"
check "bridge: nvsoc-gpu's 64-bit mask refused by the bus" \
    has_n 2 'nvsoc-gpu 0000:0[35]:00.0: DMA: 64-bit mask refused by the bus (limit 40 bits): using 40'
check "bridge: both GPUs' dma_mask_bits are 40" has_n 2 '^nvlink-bridge: 0000:0[35]:00.0 dma_mask_bits 40$'
check "bridge: copy-test passes on both GPUs" has '^nvlink-bridge: ok: copy-test --quick passes on both GPUs$'
check "bridge: p2p-test passes" has '^nvlink-bridge: ok: p2p-test passes$'
check "bridge: peers over PCIe" has '^nvlink-bridge: p2p-test: GPU0->GPU1: path pcie,'
check "bridge: topo shows PIX between the GPUs" has $'^nvlink-bridge: topo: GPU0\t X \tPIX'
check "bridge: the guest's checks all pass" lacks '^nvlink-bridge: FAIL'
check "bridge: no splat" no_splat

timed_boot window "$base nvsoc_test=/tests/nvlink-bridge.sh nvsoc_bridge_mode=window"
check "window: reloaded with dma_ignore_bus_limit" has '^nvlink-bridge: 2 GPUs bound with dma_ignore_bus_limit$'
check "window: the bridge logs the refused DMA" \
    has "nvsoc-nvlink-bridge 0000:01:00.1: DMA outside the window: $gpu0 read 0x1[0-9a-f]\{10\}+[0-9]* (window 40 bits, port 0): Unsupported Request"
check "window: the copy fails" has '^nvlink-bridge: ok: a copy from memory beyond the window fails$'
check "window: dma_faults counts it" has '^nvlink-bridge: ok: the bridge counted DMA faults$'
check "window: the guest's checks all pass" lacks '^nvlink-bridge: FAIL'
check "window: no splat" no_splat

timed_boot crc "$base nvsoc_test=/tests/nvlink-bridge.sh" --set links.br0g0a.crc-error-rate=1e-3
check_bound crc
check "crc: AER: gpu0 reports Bad TLPs (flits the bridge sent it)" \
    has "nvsoc-gpu $gpu0: *\\[ 6\\] BadTLP"
check "crc: AER: vDSP 0 reports Bad TLPs (flits gpu0 sent)" \
    has 'pcieport 0000:02:00.0: *\[ 6\] BadTLP'
check "crc: no AER from gpu1 or its vDSP" lacks "Correctable error message received from \\($gpu1\\|0000:02:02.0\\)"
check "crc: copies pass" has '^nvlink-bridge: ok: copy-test --quick passes on both GPUs$'
check "crc: the guest's checks all pass" lacks '^nvlink-bridge: FAIL'
check "crc: no splat" no_splat

timed_boot down "$base nvsoc_test=/tests/nvlink-bridge.sh nvsoc_bridge_mode=down" \
    --set links.br0g0a.link-down-at=1500ms
check "down: the bridge driver logs the link down" \
    has 'nvsoc-nvlink-bridge 0000:01:00.1: port 0: NVLink link down (FAULT): its GPU is gone'
check "down: AER Surprise Down (SDES) on vDSP 0" has 'pcieport 0000:02:00.0: *\[ 5\] SDES'
check "down: pciehp removes gpu0" has '^nvlink-bridge: ok: the GPU behind the failed link is removed$'
check "down: the bridge driver retrains port 0" \
    has 'nvsoc-nvlink-bridge 0000:01:00.1: port 0: retraining (RESET 1 of 3)'
check "down: gpu0 comes back" has '^nvlink-bridge: ok: it comes back after the retrain$'
check "down: copies pass on both" has '^nvlink-bridge: ok: copy-test --quick passes on both GPUs$'
check "down: the guest's checks all pass" lacks '^nvlink-bridge: FAIL'
check "down: no splat" no_splat

# Linux 6.12's pciehp has a lock order lockdep reports on the first hot-plug
# event of any native hot-plug slot found when a DT host bridge probes:
# pci_host_probe() holds pci_rescan_remove_lock while pciehp_probe() takes
# ctrl->reset_lock (pciehp_check_presence), and pciehp_ist() takes them
# the other way round (reset_lock, then pciehp_configure_device's
# pci_lock_rescan_remove). It is the kernel's own, not the drivers', and
# lockdep turns itself off after it: so the debug boot that uses pciehp
# accepts exactly that report, and a second debug boot without pciehp
# (pcie_ports=compat, links trained at power-on) keeps lockdep on for the
# drivers' own paths: probe, the interrupt thread, the fault ring, remove.
pciehp_report() {
    has 'irq/[0-9]*-pciehp/[0-9]* is trying to acquire lock:' &&
        has '(pci_rescan_remove_lock){+.+.}-{3:3}, at: pciehp_configure_device' &&
        has '(&ctrl->reset_lock){.+.+}-{3:3}, at: pciehp_ist'
}
only_pciehp_report() {
    local found
    found=$(grep -E -- "$splat_re" <<<"$out" | grep -v 'WARNING: possible circular locking dependency detected$' || true)
    [ -z "$found" ] && [ "$(grep -c 'WARNING:' <<<"$out")" -le 1 ] && return 0
    printf '%s\n' "$found" | sed 's/^/  splat: /'
    return 1
}
use_kernel debug
timed_boot debug "$base nvsoc_test=/tests/nvlink-bridge.sh nvsoc_bridge_mode=reload"
check "debug: lockdep is on" has 'Lock dependency validator'
check_bound debug
check "debug: copies and peer copies pass" has '^nvlink-bridge: ok: p2p-test passes$'
check "debug: the GPUs go when the bridge driver is removed" \
    has '^nvlink-bridge: ok: the GPUs are gone once the bridge.s links are off$'
check "debug: both come back after insmod" has '^nvlink-bridge: ok: both GPUs come back after the reload$'
check "debug: copies pass after the reload" has '^nvlink-bridge: ok: copy-test --quick passes after the reload$'
# (The guest's own splat check sees the pciehp report too: judged here.)
check "debug: the guest's checks all pass (its splat check aside)" \
    lacks '^nvlink-bridge: FAIL: [^n]'
if has 'WARNING: possible circular locking dependency detected'; then
    check "debug: the one lockdep report is Linux's own pciehp lock order" pciehp_report
fi
check "debug: no other splat" only_pciehp_report

timed_boot debug-nohp "$base pcie_ports=compat nvsoc_test=/tests/nvlink-bridge.sh nvsoc_bridge_mode=window nvsoc_bridge_reload=nohotplug" \
    --set devices.br0.hold-links=false
check "debug-nohp: lockdep is on" has 'Lock dependency validator'
check "debug-nohp: no pciehp" lacks 'pciehp'
check "debug-nohp: the bridge logs the refused DMA" has 'nvsoc-nvlink-bridge 0000:01:00.1: DMA outside the window:'
check "debug-nohp: both GPUs back after reloading both drivers" has '^nvlink-bridge: ok: both GPUs come back after the reload$'
check "debug-nohp: copies pass after the reload" has '^nvlink-bridge: ok: copy-test --quick passes after the reload$'
check "debug-nohp: the guest's checks all pass" lacks '^nvlink-bridge: FAIL'
check "debug-nohp: no splat" no_splat

finish
