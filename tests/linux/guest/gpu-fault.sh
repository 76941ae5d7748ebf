#!/bin/sh
# Guest test, with one of the GPU model's fault points armed that fails an
# early job (<gpu>.channel_error: a method; <gpu>.vram.ecc_uncorrectable: a
# VRAM read): the driver reports the fault and recovers.
#   - nvsoc-smi fault-test copies until a job fails with EIO, then copies
#     again on the same channel, which must pass: the channel was reset;
#   - dmesg has exactly one Xid line for the fault (Xid 32 or whichever the
#     fault record carries) and exactly one "Xid 43: channel N stopped"
#     line for the reset;
#   - afterwards a copy-test passes and no further Xid line appears; no
#     kernel warning, lockdep report or oops.
# Exit status: the number of failed checks.
failures=0
check() { # DESCRIPTION COMMAND...
    what=$1; shift
    if "$@" >/dev/null 2>&1; then echo "gpu-fault: ok: $what"; else echo "gpu-fault: FAIL: $what"; failures=$((failures + 1)); fi
}
if [ ! -d /sys/bus/pci/drivers/nvsoc-gpu ]; then
    ko=$(find /lib/modules -name nvsoc-gpu.ko 2>/dev/null | head -n 1)
    check "insmod nvsoc-gpu.ko" insmod "$ko"
fi
nvsoc-smi fault-test -n 200 >/tmp/fault-test.log 2>&1
status=$?
cat /tmp/fault-test.log
check "fault-test exits 0" [ "$status" -eq 0 ]
check "a job failed with EIO" grep -q "failed with EIO" /tmp/fault-test.log
check "the copy after the fault passed" grep -q "the copy after the fault: ok" /tmp/fault-test.log
# Recovery runs in the IRQ thread; give the log a moment.
sleep 0.2
dmesg | grep 'nvsoc-gpu.*: Xid '
faults=$(dmesg | grep 'nvsoc-gpu.*: Xid ' | grep -vc ': Xid 43: ')
resets=$(dmesg | grep -c 'nvsoc-gpu.*: Xid 43: channel [0-9]* stopped')
echo "gpu-fault: $faults fault line(s), $resets channel reset line(s)"
check "exactly one Xid line for the fault" [ "$faults" -eq 1 ]
check "exactly one Xid 43 channel reset" [ "$resets" -eq 1 ]
check "the fault line names a channel and an engine" sh -c "dmesg | grep 'nvsoc-gpu.*: Xid ' | grep -v ': Xid 43: ' | grep -q 'channel [0-9]* engine [A-Z0-9]* '"
check "copy-test --quick passes after the fault" nvsoc-smi copy-test --quick
check "no further Xid line" [ "$(dmesg | grep -c 'nvsoc-gpu.*: Xid ')" -eq $((faults + resets)) ]
check "the GPU is running" sh -c "cat /sys/bus/pci/drivers/nvsoc-gpu/0000:*/nvsoc_gpu/state | grep -qx running"
check "no kernel warning, lockdep report or oops" sh -c "! dmesg | grep -qE 'BUG:|WARNING:|possible circular locking|sleeping function called|Oops|Call Trace'"
echo "gpu-fault: $failures failed"
exit "$failures"
