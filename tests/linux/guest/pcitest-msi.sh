#!/bin/sh
# Guest test, on the AIA platform (configs/pcie-epf-test.yaml): the pci-epf-test
# endpoint (104c:b500 at 0000:01:00.0) bound to pci_endpoint_test the normal
# way, through the driver's id table, whose driver data for 104c:b500 asks
# for MSI (registers in BAR0, 4 KiB buffer alignment); then pcitest with
# MSI and MSI-X: `-i 1` and `-m 1` (Linux 6.12's IMSIC gives plain MSI one
# vector, so -m 2 and up cannot pass), `-i 2` and `-x 1` .. `-x 32` (the
# endpoint's 32-entry MSI-X table, its `msix-vectors` default), and the
# READ/WRITE/COPY transfers, which report on MSI-X vector 0. Every MSI-X
# vector must have fired once, as /proc/interrupts counts it.
# Exit status: the number of failed checks.
failures=0
check() { # DESCRIPTION COMMAND...
    what=$1; shift
    if said=$("$@" 2>&1); then
        echo "pcitest-msi: ok: $what"
    else
        echo "pcitest-msi: FAIL: $what"
        [ -z "$said" ] || printf '%s\n' "$said" | sed 's/^/pcitest-msi:   /'
        failures=$((failures + 1))
    fi
}
dev=0000:01:00.0
drv=/sys/bus/pci/drivers/pci-endpoint-test
tab=$(printf '\t')
# nvsoc_msix_vectors=N on the command line: the endpoint's msix-vectors.
vectors=32
for arg in $(cat /proc/cmdline); do
    case $arg in nvsoc_msix_vectors=*) vectors=${arg#nvsoc_msix_vectors=} ;; esac
done

check "PCI device $dev present" [ -d "/sys/bus/pci/devices/$dev" ]
# The probe through the id table allocates MSI (driver data irq_type 1).
check "insmod pci_endpoint_test" insmod /lib/modules/pci_endpoint_test.ko
check "pci-endpoint-test bound to $dev" [ -e "$drv/$dev" ]
probe_ok() { ! dmesg | grep -qE "Failed to get (MSI|MSI-X) interrupts|Failed to request IRQ"; }
check "the probe got its MSI" probe_ok
check "/dev/pci-endpoint-test.0 exists" [ -c /dev/pci-endpoint-test.0 ]
lspci_msi() { # the endpoint's MSI and MSI-X capabilities, as sysfs shows them
    ls "/sys/bus/pci/devices/$dev/msi_irqs" 2>/dev/null | wc -l
}
echo "pcitest-msi: MSI vectors after the probe: $(lspci_msi)"
dmesg | grep -E "pci-endpoint-test|pci_endpoint_test" | tail -n 10

run() { # PCITEST-OPTION...: one line ending in a tab and OKAY
    out=$(pcitest "$@" 2>&1)
    status=$?
    printf '%s\n' "$out"
    case $out in
        *"${tab}OKAY") okay=yes ;;
        *) okay=no ;;
    esac
    [ "$status" -eq 0 ] || { echo "pcitest-msi: pcitest $* exited with status $status"; okay=no; }
    check "pcitest $*" [ "$okay" = yes ]
}
for bar in 0 1 2 3 4 5; do
    run -b "$bar"
done
run -i 1
run -m 1
# Linux 6.12's IMSIC domain gives plain MSI a single vector (no multi-MSI):
# vector 2 cannot be raised, and pcitest says so. If this starts to pass,
# the kernel changed and docs/interrupts.md must say so.
said=$(pcitest -m 2 2>&1)
printf '%s\n' "$said"
check "pcitest -m 2 is NOT OKAY: one MSI vector on the IMSIC" sh -c "echo '$said' | grep -q 'NOT OKAY'"
check "the probe allocated exactly one MSI vector" [ "$(lspci_msi)" -eq 1 ]
run -i 2
n=1
while [ "$n" -le "$vectors" ]; do
    run -x "$n"
    n=$((n + 1))
done
for op in -r -w -c; do
    for size in 1 1024 1025 1024000 1024001; do
        run "$op" -s "$size"
    done
done
# One row per MSI-X vector; each fired at least once (-x N fires N - 1).
grep pci-endpoint-test /proc/interrupts
rows=$(grep -c pci-endpoint-test /proc/interrupts)
silent=$(grep pci-endpoint-test /proc/interrupts |
    awk -v n="$(nproc)" '{s = 0; for (i = 2; i <= n + 1; i++) s += $i; if (s == 0) z++} END {print z + 0}')
echo "pcitest-msi: $rows MSI-X rows, $silent never fired"
check "$vectors MSI-X vectors requested" [ "$rows" -eq "$vectors" ]
check "every MSI-X vector fired" [ "$silent" -eq 0 ]
echo "pcitest-msi: $failures failed"
exit "$failures"
