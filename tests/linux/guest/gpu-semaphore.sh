#!/bin/sh
# Guest test: job completion is never lost. nvsoc-smi sem-test submits
# jobs one at a time on one channel, waiting for each: every one must
# complete within 5 s and raise exactly one non-stall interrupt on the
# channel's own MSI-X vector (counted in /proc/interrupts); then in bursts,
# where completions coalesce into fewer interrupts, and every wait must
# still return. The driver only learns of completions from the interrupt
# (it never polls the semaphore), so a lost interrupt is a timeout here.
# Command line (optional): nvsoc_gpu_jobs=N (default 1000).
# Exit status: the number of failed checks.
failures=0
check() { # DESCRIPTION COMMAND...
    what=$1; shift
    if "$@" >/dev/null 2>&1; then echo "gpu-semaphore: ok: $what"; else echo "gpu-semaphore: FAIL: $what"; failures=$((failures + 1)); fi
}
jobs=1000
for arg in $(cat /proc/cmdline); do
    case $arg in nvsoc_gpu_jobs=*) jobs=${arg#nvsoc_gpu_jobs=} ;; esac
done
if [ ! -d /sys/bus/pci/drivers/nvsoc-gpu ]; then
    ko=$(find /lib/modules -name nvsoc-gpu.ko 2>/dev/null | head -n 1)
    check "insmod nvsoc-gpu.ko" insmod "$ko"
fi
nvsoc-smi sem-test -n "$jobs" --burst 32 >/tmp/sem-test.log 2>&1
status=$?
cat /tmp/sem-test.log
check "sem-test exits 0" [ "$status" -eq 0 ]
check "every serial job completed" grep -q "serial: $jobs jobs, $jobs completed, 0 timed out, 0 errors" /tmp/sem-test.log
check "one interrupt per serial job" grep -q "serial: .* interrupts $jobs\$" /tmp/sem-test.log
check "every burst wait completed" grep -q "bursts of 32: $jobs waits completed" /tmp/sem-test.log
check "no timeouts or errors" grep -q ": 0 timed out, 0 errors\$" /tmp/sem-test.log
check "no Xid line" sh -c "! dmesg | grep -q 'nvsoc-gpu.*: Xid '"
check "no kernel warning, lockdep report or oops" sh -c "! dmesg | grep -qE 'BUG:|WARNING:|possible circular locking|sleeping function called|Oops|Call Trace'"
cat /sys/kernel/debug/accel/*/channel0 2>/dev/null | head -n 8
echo "gpu-semaphore: $failures failed"
exit "$failures"
