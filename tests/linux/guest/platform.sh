#!/bin/sh
# Guest test: what Linux made of the platform's devices. Every hart's timer
# interrupt counts, the UART's interrupt counts (and stays in proportion to
# the characters it moved: a level interrupt that re-pends after its EOI
# would flood), and the generic PCI host driver probed the ECAM host bridge
# and scanned its root bus. `nvsoc_irqchip=aia` or `=plic` on the kernel
# command line says which interrupt controllers the platform has: with the
# AIA, the UART's line comes through the APLIC as an MSI to the IMSIC, and
# the IMSIC carries the IPIs of every hart.
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
irqchip=
for arg in $(cat /proc/cmdline); do
    case $arg in nvsoc_irqchip=*) irqchip=${arg#nvsoc_irqchip=} ;; esac
done
# Every hart received IPIs of some kind (the IPI* rows, summed per CPU).
ipis_on_every_hart() {
    grep '^ *IPI[0-9]*:' /proc/interrupts | awk -v n="$cpus" '{for (i = 2; i <= n + 1; i++) s[i] += $i} END {for (i = 2; i <= n + 1; i++) if (s[i] == 0) exit 1}'
}
check "4 harts online" [ "$cpus" -eq 4 ]
check "timer interrupts count on every hart" all_counting 'riscv-timer'
echo "platform: UART interrupts: $(total ttyS0)"
check "UART interrupts count" [ "$(total ttyS0)" -gt 0 ]
# The 8250 driver's own count of characters moved, against its interrupts:
# each interrupt moves at least one character, bar a few spurious ones.
serial=$(grep '^0:' /proc/tty/driver/serial)
echo "platform: UART 0: $serial"
tx=$(echo "$serial" | sed -n 's/.* tx:\([0-9]*\).*/\1/p')
rx=$(echo "$serial" | sed -n 's/.* rx:\([0-9]*\).*/\1/p')
check "UART interrupts ($(total ttyS0)) at most the characters moved (${tx:-?} + ${rx:-?}) + 64" \
    [ "$(total ttyS0)" -le $((${tx:-0} + ${rx:-0} + 64)) ]
case $irqchip in
aia)
    check "the UART's interrupt comes through the APLIC as an MSI" grep -q 'APLIC-MSI.*ttyS0' /proc/interrupts
    check "the IMSIC provides the IPIs" sh -c "dmesg | grep -q 'riscv-imsic: .*providing IPIs'"
    check "IPIs count on every hart" ipis_on_every_hart
    check "no PLIC" sh -c "! grep -q 'SiFive PLIC' /proc/interrupts"
    ;;
plic)
    check "the UART's interrupt comes through the PLIC" grep -q 'SiFive PLIC.*ttyS0' /proc/interrupts
    check "no IMSIC" sh -c "! grep -q -e IMSIC -e APLIC /proc/interrupts"
    ;;
*)
    check "nvsoc_irqchip=aia or plic on the command line (got '$irqchip')" false
    ;;
esac
check "pci-host-generic bound to the host bridge" [ -e /sys/bus/platform/drivers/pci-host-generic/30000000.pci ]
check "PCI root bus 0000:00 scanned" [ -e /sys/class/pci_bus/0000:00 ]
dmesg | grep -E 'pci-host-generic|pci_bus 0000:00' | head -5
echo "platform: $failures failed"
exit "$failures"
