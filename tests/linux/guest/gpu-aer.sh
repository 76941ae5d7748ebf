#!/bin/sh
# Guest test, with the root port's surprise-down fault point armed
# (rp0.link.surprise_down at a time during this script's copies): the GPU
# vanishes under a running copy-test. The kernel's AER driver (or pciehp)
# calls nvsoc-gpu's error handlers; the copy-test fails rather than hangs,
# the driver logs the error and Xid 79 or its error-handler lines, and the
# kernel shows no oops, lockdep report or warning.
# Exit status: the number of failed checks.
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
echo "gpu-aer: copy-test ran $i time(s) before failing"
tail -n 3 /tmp/copy.log
check "copy-test failed once the GPU was gone" [ "$i" -lt 20 ]
sleep 1
dmesg | grep -E 'nvsoc-gpu|pcieport|AER|Xid' | tail -n 30
check "the driver saw the error" sh -c "dmesg | grep -qE 'nvsoc-gpu .*(PCIe error|Xid 79|removed)'"
check "no oops, lockdep report or warning" sh -c "! dmesg | grep -qE 'BUG:|WARNING:|possible circular locking|sleeping function called|Oops'"
echo "gpu-aer: $failures failed"
exit "$failures"
