#!/bin/sh
# Guest test: nvsoc-smi copy-test passes at every size on every GPU: host
# to device, device to host and device to device, 1 byte to 64 MiB (powers
# of two and odd sizes), aligned and unaligned, system-memory and
# user-pointer BOs, 2-D pitch copies and fills, each checked by CRC and by
# the bytes around it. With several GPUs all run at once (--all; sizes up
# to 16 MiB then, to fit four in guest memory). Then the
# bandwidth and latency figures (printed, in simulated time), and no Xid
# line, kernel warning or lockdep report.
# Command line (optional): nvsoc_gpu_copy=quick  a short list of sizes.
# Exit status: the number of failed checks.
failures=0
check() { # DESCRIPTION COMMAND...
    what=$1; shift
    if "$@" >/dev/null 2>&1; then echo "gpu-copy: ok: $what"; else echo "gpu-copy: FAIL: $what"; failures=$((failures + 1)); fi
}
mode=full
for arg in $(cat /proc/cmdline); do
    case $arg in nvsoc_gpu_copy=*) mode=${arg#nvsoc_gpu_copy=} ;; esac
done
if [ ! -d /sys/bus/pci/drivers/nvsoc-gpu ]; then
    ko=$(find /lib/modules -name nvsoc-gpu.ko 2>/dev/null | head -n 1)
    check "insmod nvsoc-gpu.ko" insmod "$ko"
fi
nvsoc-smi -L
ngpus=$(nvsoc-smi -L | grep -c '^GPU ')
check "at least one GPU" [ "$ngpus" -ge 1 ]
opts=
[ "$mode" = quick ] && opts=--quick
[ "$ngpus" -gt 1 ] && opts="$opts --all"
# shellcheck disable=SC2086 # two words or none
nvsoc-smi copy-test $opts >/tmp/copy-test.log 2>&1
status=$?
cat /tmp/copy-test.log
check "copy-test $opts exits 0" [ "$status" -eq 0 ]
check "no FAIL line" sh -c "! grep -q ': FAIL' /tmp/copy-test.log"
i=0
while [ "$i" -lt "$ngpus" ]; do
    check "GPU$i: its summary says 0 failed" grep -q "copy-test: GPU$i: [0-9]* passed, 0 failed" /tmp/copy-test.log
    check "GPU$i: bw" nvsoc-smi bw -d "$i" -n 3
    nvsoc-smi bw -d "$i" -n 3
    check "GPU$i: lat" nvsoc-smi lat -d "$i" -n 10
    nvsoc-smi lat -d "$i" -n 10
    i=$((i + 1))
done
check "no Xid line" sh -c "! dmesg | grep -q 'nvsoc-gpu.*: Xid '"
check "no kernel warning, lockdep report or oops" sh -c "! dmesg | grep -qE 'BUG:|WARNING:|possible circular locking|sleeping function called|Oops|Call Trace'"
dmesg | grep -E 'nvsoc-gpu' | tail -n 20
echo "gpu-copy: $failures failed"
exit "$failures"
