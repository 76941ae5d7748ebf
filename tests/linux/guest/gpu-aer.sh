#!/bin/sh
# Guest test of nvsoc-gpu's PCIe error handlers, with a fault point armed
# that hits during this script's copies:
#   - the root port's surprise down (rp0.link.surprise_down): the GPU
#     vanishes under a running copy-test; AER calls error_detected, the
#     copy-test fails rather than hangs;
#   - with nvsoc_gpu_aer=recover on the command line, a poisoned read
#     (gpu0.dma.poison): the GPU logs a Poisoned TLP, AER calls
#     error_detected, slot_reset and resume, and a copy-test on fresh
#     channels passes afterwards.
# Either way the driver logs what happened and the kernel shows no oops,
# lockdep report or warning.
# Exit status: the number of failed checks.
mode=
for arg in $(cat /proc/cmdline); do
    case $arg in nvsoc_gpu_aer=*) mode=${arg#nvsoc_gpu_aer=} ;; esac
done
failures=0
check() {
    what=$1
    shift
    if "$@"; then echo "gpu-aer: ok: $what"; else echo "gpu-aer: FAIL: $what"; failures=$((failures + 1)); fi
}
check "a GPU is bound" sh -c "ls -d /sys/bus/pci/drivers/nvsoc-gpu/0000:* >/dev/null 2>&1"
# Copies until the device is gone: the copy-test must end, passing or not.
i=0
while [ "$i" -lt 20 ]; do
    nvsoc-smi copy-test --quick >/tmp/copy.log 2>&1 || break
    i=$((i + 1))
done
echo "gpu-aer: copy-test passed $i time(s) before the error"
tail -n 3 /tmp/copy.log
check "copy-test failed when the error hit" [ "$i" -lt 20 ]
sleep 1
dmesg | grep -E 'nvsoc-gpu|pcieport|AER|Xid' | tail -n 30
check "the driver saw the error" sh -c "dmesg | grep -qE 'nvsoc-gpu .*(PCIe error|Xid 79|removed)'"
if [ "$mode" = recover ]; then
    check "error recovery completed" sh -c "dmesg | grep -q 'nvsoc-gpu .*PCIe error recovery complete'"
    check "a copy-test passes after the recovery" nvsoc-smi copy-test --quick
fi
check "no oops, lockdep report or warning" sh -c "! dmesg | grep -qE 'BUG:|WARNING:|possible circular locking|sleeping function called|Oops'"
echo "gpu-aer: $failures failed"
exit "$failures"
