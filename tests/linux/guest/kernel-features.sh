#!/bin/sh
# Guest test for nvsoc's own kernel (sw/linux/nvsoc.config): the debugging
# and PCIe features the later issues rely on are really there.
#   - the function tracer can be switched on and records entries,
#   - kmemleak exists (and scans) when booted with `kmemleak=on`,
#   - /dev/mem and the PCI bus exist,
#   - every module found under /lib/modules (append a cpio that holds them,
#     see sw/rootfs/README.md) loads and unloads.
# Exit status: the number of failed checks.
failures=0
check() { # DESCRIPTION COMMAND...
    what=$1; shift
    if "$@" >/dev/null 2>&1; then echo "kernel-features: ok: $what"; else echo "kernel-features: FAIL: $what"; failures=$((failures + 1)); fi
}
tracing=/sys/kernel/debug/tracing
check "function tracer available" grep -qw function "$tracing/available_tracers"
# Trace one function only (ksys_sync, called by sync(2)), and stop tracing
# before reading: tracing everything while formatting the buffer costs
# minutes of simulation.
if echo ksys_sync >"$tracing/set_ftrace_filter" 2>/dev/null &&
   echo function >"$tracing/current_tracer" 2>/dev/null; then
    sync
    sync
    echo 0 >"$tracing/tracing_on"
    # Read before switching back: changing current_tracer empties the buffer.
    entries=$(grep -c 'ksys_sync' "$tracing/trace")
    echo nop >"$tracing/current_tracer"
    echo >"$tracing/set_ftrace_filter"
    echo 1 >"$tracing/tracing_on"
    echo "kernel-features: function tracer recorded $entries calls of ksys_sync"
    check "function tracer records" [ "$entries" -ge 2 ]
else
    check "function tracer switches on for ksys_sync" false
fi
if grep -qw 'kmemleak=on' /proc/cmdline; then
    check "kmemleak scan" sh -c 'echo scan >/sys/kernel/debug/kmemleak'
else
    # Built in but off: the debugfs file is absent or refuses scans.
    echo "kernel-features: kmemleak off (boot with kmemleak=on to test it)"
fi
check "/dev/mem exists" [ -c /dev/mem ]
check "PCI bus registered" [ -d /sys/bus/pci ]
for ko in $(find /lib/modules -name '*.ko' 2>/dev/null | sort); do
    name=$(basename "$ko" .ko)
    check "insmod $name" insmod "$ko"
    check "$name listed" grep -q "^$(echo "$name" | tr - _) " /proc/modules
    check "rmmod $name" rmmod "$name"
done
echo "kernel-features: $failures failed"
exit "$failures"
