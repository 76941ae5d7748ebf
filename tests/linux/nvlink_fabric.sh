#!/usr/bin/env bash
# The native NVLink fabric node under Linux: configs/nvlink-fabric.yaml (two
# GPUs in the slots of a C2C-style fabric node on the SoC bus, the top
# 1 GiB of each GPU's VRAM a CPU-less NUMA node) with nvsoc's kernel,
# nvsoc-nvlink-fabric, nvsoc-gpu's platform front end and nvsoc-smi
# (tests/linux/guest/nvlink-fabric.sh in the guest):
#   fabric   the fabric driver binds from the DT and both GPUs bind; the DT
#            gives Linux three NUMA nodes, 1 and 2 without CPUs and about
#            1 GiB each, with the configured distances (sysfs and numactl);
#            copies pass, also with user buffers placed on node 1 (gpu0's
#            VRAM); nvsoc-smi coherence (CPU stores and loads against
#            copy-engine writes, no cache maintenance) on both GPUs; topo
#            shows NV2 between the GPUs, NV10 (the C2C links) to the CPU and
#            the GPU NUMA IDs; no splat;
#   down     slot 1's C2C links fail (gpu1 without NUMA memory): the fabric
#            driver logs it and unbinds gpu1; gpu0 goes on copying;
#   pm       the GPUs keep all their VRAM (no NUMA memory: the kernel's own
#            per-node data would wake the links): 20 rounds of the fabric
#            suspending at idle (its runtime_suspended_time grows) and
#            copies resuming it;
#   debug    the debug kernel (lockdep, sleep-in-atomic checks): the fabric
#            boot's checks, then rmmod of both drivers and insmod again.
#
#   nvlink_fabric.sh NVSOC
set -euo pipefail
nvsoc=$1
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
config=$here/../../configs/nvlink-fabric.yaml
default_logs=$PWD/linux-nvlink-fabric-logs
max_time=60s
# shellcheck source=SCRIPTDIR/lib.sh
. "$here/lib.sh"

base="console=ttyS0 earlycon=sbi"

timed_boot() { # NAME APPEND [NVSOC OPTION...]
    local name=$1 start
    start=$(date +%s)
    boot "$name" "$kernel" "$initrd" "${@:2}"
    echo "---- $name: $(($(date +%s) - start)) s wall time"
}

timed_boot fabric "$base nvsoc_test=/tests/nvlink-fabric.sh"
check "fabric: /init loaded nvsoc-nvlink-fabric.ko" has '^nvsoc: insmod /lib/modules/nvsoc-nvlink-fabric.ko: ok$'
check "fabric: the fabric driver's probe line" \
    has 'nvsoc-nvlink-fabric 1000000000.nvlink-fabric: NVLink fabric node 1.0: 2 GPU slot(s) (0x03), coherent, atomics, L2'
check "fabric: the fabric driver binds" has '^nvlink-fabric: ok: the fabric driver binds$'
check "fabric: both GPUs bind, 3 GiB heap, the rest NUMA nodes 1 and 2" \
    has_n 2 'nvsoc-gpu 100[12]000000.gpu: nvsoc GPU 1.0 on fabric slot [01]: .*4096 MiB VRAM (3072 MiB driver heap, the rest NUMA node [12])'
check "fabric: Linux parses the distance map" has 'OF: NUMA: parsing numa-distance-map-v1'
check "fabric: node 0 has the CPUs, distances 10 40 40" has "^nvlink-fabric: node0: cpus '0-3' distance '10 40 40' "
check "fabric: node 1: no CPU, distances 40 10 80, about 1 GiB" \
    has "^nvlink-fabric: node1: cpus '' distance '40 10 80' 10[0-4][0-9]\{4\} kB$"
check "fabric: node 2: no CPU, distances 40 80 10, about 1 GiB" \
    has "^nvlink-fabric: node2: cpus '' distance '40 80 10' 10[0-4][0-9]\{4\} kB$"
check "fabric: numactl sees 3 nodes" has '^nvlink-fabric: numactl: available: 3 nodes (0-2)$'
check "fabric: copies pass" has '^nvlink-fabric: ok: copy-test --quick passes on both GPUs$'
check "fabric: copies through user buffers on node 1 pass" \
    has "^nvlink-fabric: ok: copy-test from memory on node 1 (gpu0's memory) passes$"
check "fabric: coherence: CPU stores and copy-engine writes agree on GPU0 and GPU1" \
    has_n 2 '^nvlink-fabric: ok: coherence on GPU[01]$'
check "fabric: topo: NV2 between the GPUs, NV10 (C2C) to the CPU, NUMA IDs 1 and 2" \
    has $'^nvlink-fabric: topo: GPU0\t X \tNV2\tNV10\t.*\t1$'
check "fabric: topo: GPU1's row" has $'^nvlink-fabric: topo: GPU1\tNV2\t X \tNV10\t.*\t2$'
check "fabric: the guest's checks all pass" lacks '^nvlink-fabric: FAIL'
check "fabric: no splat" no_splat

# Slot 1's C2C links fail at 2.5 s. gpu1 gives no memory to the kernel
# here: a kernel whose own memory sits behind a failed link takes a bus
# error on its next use of it (the node's pglist_data lives there) and
# dies, as it would losing a DIMM; docs/topologies.md says so.
timed_boot down "$base nvsoc_test=/tests/nvlink-fabric.sh nvsoc_fabric_mode=down" \
    --set devices.fab0.link-down-at=1:2500ms --set devices.gpu1.numa-memory=0 \
    --set 'numa.distances={"0-1": 40}'
check "down: gpu1 keeps all its VRAM" \
    has 'nvsoc-gpu 1002000000.gpu: nvsoc GPU 1.0 on fabric slot 1: .*4096 MiB VRAM (all of it the driver heap)'
check "down: the fabric driver logs slot 1's failure" \
    has 'nvsoc-nvlink-fabric 1000000000.nvlink-fabric: slot 1: C2C links failed (LINK_FAIL)'
check "down: and unbinds gpu1" has 'nvsoc-nvlink-fabric 1000000000.nvlink-fabric: slot 1: unbinding 1002000000.gpu'
check "down: gpu1 is gone" has '^nvlink-fabric: ok: gpu1 is unbound after its slot.s links fail$'
check "down: the slot reads failed" has '^nvlink-fabric: slot1 c2c_state failed$'
check "down: gpu0 still copies" has '^nvlink-fabric: ok: gpu0 still copies$'
check "down: nothing touched slot 1 after it failed (no bus error)" has_n 0 'fab0: warning: slot 1'
check "down: the guest's checks all pass" lacks '^nvlink-fabric: FAIL'
check "down: no splat" no_splat

timed_boot pm "$base nvsoc_test=/tests/nvlink-fabric.sh nvsoc_fabric_mode=pm" \
    --set devices.gpu0.numa-memory=0 --set devices.gpu1.numa-memory=0 --set 'numa=~'
check "pm: no NUMA memory" has '^nvlink-fabric: numactl: available: 1 nodes (0)$'
check "pm: 20 rounds of runtime suspend at idle and resume for copies" \
    has '^nvlink-fabric: runtime PM: 20 of 20 rounds suspended when idle and copied after'
check "pm: the guest's checks all pass" lacks '^nvlink-fabric: FAIL'
check "pm: no splat" no_splat

use_kernel debug
timed_boot debug "$base nvsoc_test=/tests/nvlink-fabric.sh nvsoc_fabric_mode=reload"
check "debug: lockdep is on" has 'Lock dependency validator'
check "debug: numactl sees 3 nodes" has '^nvlink-fabric: numactl: available: 3 nodes (0-2)$'
check "debug: copies through user buffers on node 1 pass" \
    has "^nvlink-fabric: ok: copy-test from memory on node 1 (gpu0's memory) passes$"
check "debug: the GPU devices go with the fabric driver" \
    has '^nvlink-fabric: ok: the GPU devices are gone with the fabric driver$'
check "debug: both GPUs bind after insmod" has '^nvlink-fabric: after the reload: 2 GPUs bound$'
check "debug: copies pass after the reload" has '^nvlink-fabric: ok: copy-test --quick passes after the reload$'
check "debug: the guest's checks all pass" lacks '^nvlink-fabric: FAIL'
check "debug: no splat" no_splat

finish
