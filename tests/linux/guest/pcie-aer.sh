#!/bin/sh
# Guest test: Linux's AER driver hears the errors the platform injects.
# Waits (up to nvsoc_aer_wait=SECONDS of guest time from the command line,
# default 3) for the AER driver's "error message received" line in dmesg,
# then prints every AER line and what sysfs says of the devices below the
# root port, and how the root port's interrupt reached Linux:
# `nvsoc_aer_irq=msi` on the command line asks that it came as an MSI (the
# AIA platform). The host side
# (tests/linux/pcie_epf_test.sh) checks which errors Linux decoded and how
# it recovered.
# Exit status: the number of failed checks.
failures=0
check() { # DESCRIPTION COMMAND...
    what=$1; shift
    if "$@" >/dev/null 2>&1; then echo "pcie-aer: ok: $what"; else echo "pcie-aer: FAIL: $what"; failures=$((failures + 1)); fi
}
wait=3
irq_kind=
for arg in $(cat /proc/cmdline); do
    case $arg in
        nvsoc_aer_wait=*) wait=${arg#nvsoc_aer_wait=} ;;
        nvsoc_aer_irq=*) irq_kind=${arg#nvsoc_aer_irq=} ;;
    esac
done
check "the AER service is bound to the root port" sh -c 'dmesg | grep -q "0000:00:01.0: AER: enabled with IRQ"'
heard() { dmesg | grep -q "AER: .*error message received from"; }
i=0
while ! heard && [ "$i" -lt $((wait * 10)) ]; do
    sleep 0.1
    i=$((i + 1))
done
check "an AER error message was received within ${wait}s" heard
# Recovery runs in a workqueue after the message: give it a moment.
sleep 0.5
# The root port's AER interrupt, when it must be an MSI: its row names the
# port's PCI-MSI domain, and it fired.
if [ "$irq_kind" = msi ]; then
    row=$(grep 'PCI-MSI-0000:00:01.0 .*aerdrv' /proc/interrupts)
    echo "pcie-aer: root port interrupt: $row"
    fired() { [ -n "$row" ] && echo "$row" | awk -v n="$(nproc)" '{for (i = 2; i <= n + 1; i++) s += $i} END {exit !(s > 0)}'; }
    check "the root port's AER interrupt is an MSI, and it fired" fired
fi
dmesg | grep -E 'AER|PCIe Bus Error|error status|\[ *[0-9]+\]|link|recover|pcieport' | tail -n 40
ls /sys/bus/pci/devices
echo "pcie-aer: $failures failed"
exit "$failures"
