#!/bin/sh
# Guest test: two GPUs on a native NVLink fabric node (configs/nvlink-fabric.yaml;
# tests/linux/nvlink_fabric.sh boots it). /init has loaded
# nvsoc-nvlink-fabric.ko and nvsoc-gpu.ko.
# Checks: the fabric driver binds from the DT and both GPUs bind through
# the GPU driver's platform front end; the GPU memory nodes (sizes and
# distances in /sys/devices/system/node, numactl --hardware); copies; copies
# whose user buffers numactl places on node 1 (gpu0's own VRAM: the CPU
# writes and checks them with plain loads and stores, the copy engine reads
# and writes them, no cache maintenance); topo.
# Command line:
#   nvsoc_fabric_mode=reload  the default checks, then rmmod nvsoc-gpu and
#                          nvsoc-nvlink-fabric (the GPU devices go) and
#                          insmod both again: both GPUs bind, copies pass
#   nvsoc_fabric_mode=down   slot 1's C2C links fail (the host sets
#                          link-down-at): the fabric driver unbinds gpu1;
#                          gpu0 goes on working
#   nvsoc_fabric_mode=pm   the GPUs keep all their VRAM (no NUMA nodes, so
#                          the kernel's own use of node memory does not
#                          wake the links): 20 rounds of the fabric runtime
#                          suspending when idle and copies resuming it
# Exit status: the number of failed checks.
mode=
read -r cmdline </proc/cmdline
for arg in $cmdline; do
    case $arg in
        nvsoc_fabric_mode=*) mode=${arg#nvsoc_fabric_mode=} ;;
    esac
done
failures=0
check() { # DESCRIPTION COMMAND...
    what=$1; shift
    if "$@" >/dev/null 2>&1; then echo "nvlink-fabric: ok: $what"; else echo "nvlink-fabric: FAIL: $what"; failures=$((failures + 1)); fi
}
fdrv=/sys/bus/platform/drivers/nvsoc-nvlink-fabric
gdrv=/sys/bus/platform/drivers/nvsoc-gpu
ls $fdrv $gdrv 2>&1 | sed 's/^/nvlink-fabric: ls: /'
fab=$(ls -d $fdrv/*.nvlink-fabric 2>/dev/null | head -n 1)
check "the fabric driver binds" [ -n "$fab" ]
echo "nvlink-fabric: $(ls -d $gdrv/*gpu* 2>/dev/null | wc -l) GPUs bound"
for n in /sys/devices/system/node/node*; do
    echo "nvlink-fabric: ${n##*/}: cpus '$(cat "$n/cpulist")' distance '$(cat "$n/distance")' $(grep MemTotal "$n/meminfo" | sed 's/.*MemTotal: *//')"
done
numactl --hardware | sed 's/^/nvlink-fabric: numactl: /'
echo "nvlink-fabric: runtime_status $(cat "$fab/power/runtime_status" 2>/dev/null)"
nvsoc-smi copy-test --all --quick >/tmp/copy.log 2>&1
status=$?
grep -v ': ok' /tmp/copy.log | sed 's/^/nvlink-fabric: copy: /'
check "copy-test --quick passes on both GPUs" [ "$status" -eq 0 ]
if [ "$mode" != pm ]; then
    free1=$(grep MemFree /sys/devices/system/node/node1/meminfo | sed 's/.*MemFree: *//; s/ kB//')
    numactl --membind=1 nvsoc-smi copy-test -d 0 --quick >/tmp/copy1.log 2>&1
    status=$?
    grep -v ': ok' /tmp/copy1.log | sed 's/^/nvlink-fabric: node1 copy: /'
    check "copy-test from memory on node 1 (gpu0's memory) passes" [ "$status" -eq 0 ]
    echo "nvlink-fabric: node1 MemFree before $free1 kB"
fi
nvsoc-smi topo -m | sed 's/^/nvlink-fabric: topo: /'
# The CPU writes VRAM through the cacheable window with plain stores and
# reads what the copy engine wrote, with no cache maintenance.
for d in 0 1; do
    nvsoc-smi coherence -d $d --size 1048576 >/tmp/coh.log 2>&1
    status=$?
    sed 's/^/nvlink-fabric: /' /tmp/coh.log
    check "coherence on GPU$d" [ "$status" -eq 0 ]
done
# Runtime PM: idle, the fabric suspends (its links go to L2); copies
# resume it. Twenty rounds, each checked by the suspended time growing.
if [ "$mode" = down ]; then
    tries=0
    while [ -e $gdrv/1002000000.gpu ] && [ $tries -lt 100 ]; do
        sleep 0.1
        tries=$((tries + 1))
    done
    check "gpu1 is unbound after its slot's links fail" [ ! -e $gdrv/1002000000.gpu ]
    echo "nvlink-fabric: slot1 c2c_state $(cat $fab/slot1/c2c_state 2>/dev/null)"
    check "gpu0 still copies" nvsoc-smi copy-test -d 0 --quick
fi
if [ "$mode" = reload ]; then
    check "rmmod nvsoc-gpu" rmmod nvsoc_gpu
    check "rmmod nvsoc-nvlink-fabric" rmmod nvsoc_nvlink_fabric
    check "the GPU devices are gone with the fabric driver" sh -c "! ls -d /sys/bus/platform/devices/*.gpu"
    for ko in nvsoc-nvlink-fabric nvsoc-gpu; do
        check "insmod $ko again" insmod "$(find /lib/modules -name $ko.ko | head -n 1)"
    done
    echo "nvlink-fabric: after the reload: $(ls -d $gdrv/*gpu* 2>/dev/null | wc -l) GPUs bound"
    check "copy-test --quick passes after the reload" nvsoc-smi copy-test --all --quick
fi
pm=$fab/power
[ "$mode" = pm ] || { check "no kernel warning, lockdep report or oops" sh -c "! dmesg | grep -qE 'BUG:|WARNING:|possible circular locking|sleeping function called|Oops|Call Trace'"; exit $failures; }
ok_rounds=0
for i in $(seq 1 20); do
    before=$(cat $pm/runtime_suspended_time)
    sleep 0.5
    after=$(cat $pm/runtime_suspended_time)
    nvsoc-smi copy-test --all --sizes 65536 >/dev/null 2>&1 && [ "$after" -gt "$before" ] && ok_rounds=$((ok_rounds + 1))
done
echo "nvlink-fabric: runtime PM: $ok_rounds of 20 rounds suspended when idle and copied after; status $(cat $pm/runtime_status), suspended $(cat $pm/runtime_suspended_time) ms, active $(cat $pm/runtime_active_time) ms"
for s in /sys/bus/platform/devices/*.nvlink-fabric/slot*; do
    [ -d "$s" ] && echo "nvlink-fabric: ${s##*/}: $(cat "$s/c2c_state" 2>/dev/null) wake_count $(cat "$s/wake_count" 2>/dev/null)"
done
check "20 suspend/resume rounds" [ "$ok_rounds" -eq 20 ]
check "no kernel warning, lockdep report or oops" sh -c "! dmesg | grep -qE 'BUG:|WARNING:|possible circular locking|sleeping function called|Oops|Call Trace'"
exit $failures
