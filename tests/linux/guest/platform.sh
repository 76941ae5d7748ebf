#!/bin/sh
# Guest test: what Linux made of the platform's devices. Every hart's timer
# interrupt counts, the UART's interrupt counts, and the generic PCI host
# driver probed the ECAM host bridge and scanned its root bus.
# Exit status: the number of failed checks.
failures=0
check() { # DESCRIPTION COMMAND...
    what=$1; shift
    if "$@" >/dev/null 2>&1; then echo "platform: ok: $what"; else echo "platform: FAIL: $what"; failures=$((failures + 1)); fi
}
cat /proc/interrupts
cpus=$(nproc)
# A row of /proc/interrupts whose every per-CPU count (fields 2..cpus+1) is > 0.
all_counting() { # PATTERN
    grep "$1" /proc/interrupts | awk -v n="$cpus" '{for (i = 2; i <= n + 1; i++) if ($i + 0 == 0) exit 1; found = 1} END {exit !found}'
}
# The sum of a row's per-CPU counts.
total() { # PATTERN
    grep "$1" /proc/interrupts | awk -v n="$cpus" '{for (i = 2; i <= n + 1; i++) s += $i} END {print s + 0}'
}
check "4 harts online" [ "$cpus" -eq 4 ]
check "timer interrupts count on every hart" all_counting 'riscv-timer'
echo "platform: UART interrupts: $(total ttyS0)"
check "UART interrupts count" [ "$(total ttyS0)" -gt 0 ]
check "pci-host-generic bound to the host bridge" [ -e /sys/bus/platform/drivers/pci-host-generic/30000000.pci ]
check "PCI root bus 0000:00 scanned" [ -e /sys/class/pci_bus/0000:00 ]
dmesg | grep -E 'pci-host-generic|pci_bus 0000:00' | head -5
echo "platform: $failures failed"
exit "$failures"
