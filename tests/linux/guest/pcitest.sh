#!/bin/sh
# Guest test, on the PLIC platform (configs/plic.yaml plus the endpoint): the
# pci-epf-test endpoint
# (104c:b500 at 0000:01:00.0) through the kernel's pci_endpoint_test driver
# and its pcitest tool: BARs 0..5, the legacy (INTx) interrupt, and READ,
# WRITE and COPY transfers of 1, 1024, 1025, 1024000 and 1024001 bytes (the
# sizes of the kernel's tools/pci/pcitest.sh). Prints what sysfs says about
# the device first, like lspci. Needs the modules archive appended to the
# initramfs (/lib/modules/pci_endpoint_test.ko, see sw/rootfs/README.md).
# Exit status: the number of failed checks.
failures=0
# (A failing command's output, such as the shell's "write error: File
# exists" for a refused sysfs write, is printed under its FAIL line.)
check() { # DESCRIPTION COMMAND...
    what=$1; shift
    if said=$("$@" 2>&1); then
        echo "pcitest: ok: $what"
    else
        echo "pcitest: FAIL: $what"
        [ -z "$said" ] || printf '%s\n' "$said" | sed 's/^/pcitest:   /'
        failures=$((failures + 1))
    fi
}
dev=0000:01:00.0
sys=/sys/bus/pci/devices/$dev
drv=/sys/bus/pci/drivers/pci-endpoint-test
tab=$(printf '\t')

# What lspci -v would show, from sysfs.
size_text() { # BYTES: as lspci writes sizes
    if [ $(($1 % 1048576)) -eq 0 ]; then echo "$(($1 / 1048576))M"
    elif [ $(($1 % 1024)) -eq 0 ]; then echo "$(($1 / 1024))K"
    else echo "$1"; fi
}
if [ -d "$sys" ]; then
    echo "pcitest: $dev class $(cat "$sys/class"): $(cat "$sys/vendor"):$(cat "$sys/device")" \
        "(subsystem $(cat "$sys/subsystem_vendor"):$(cat "$sys/subsystem_device")," \
        "rev $(cat "$sys/revision"), irq $(cat "$sys/irq"))"
    # Lines 0..5 of `resource` are the BARs: start, end, flags (IORESOURCE_*).
    bar=0
    while read -r start end flags && [ "$bar" -le 5 ]; do
        if [ $((end)) -eq 0 ]; then
            echo "pcitest:   Region $bar: unused"
        elif [ $((flags & 0x100)) -ne 0 ]; then
            echo "pcitest:   Region $bar: I/O ports at $start [size=$(size_text $((end - start + 1)))]"
        else
            bits=32; [ $((flags & 0x100000)) -ne 0 ] && bits=64
            pf=non-prefetchable; [ $((flags & 0x2000)) -ne 0 ] && pf=prefetchable
            echo "pcitest:   Region $bar: Memory at $start ($bits-bit, $pf) [size=$(size_text $((end - start + 1)))]"
        fi
        bar=$((bar + 1))
    done <"$sys/resource"
    echo "pcitest:   Link: $(cat "$sys/current_link_speed") x$(cat "$sys/current_link_width")" \
        "(capable of $(cat "$sys/max_link_speed") x$(cat "$sys/max_link_width"))"
else
    echo "pcitest: no PCI device $dev"
    ls /sys/bus/pci/devices
fi
check "PCI device $dev present" [ -d "$sys" ]

# Binding. The driver's id table lists 104c:b500 (TI DRA74x) with driver
# data whose irq_type is MSI, and pci_endpoint_test_probe copies that into
# the driver's global irq_type (over the module parameter), so a probe
# through the table fails here with "Failed to get MSI interrupts": this
# platform has no MSI controller yet (no AIA/IMSIC). Worse, the global then
# stays MSI for every later probe. So the device is bound through a dynamic
# ID without driver data instead (drivers/pci/pci-driver.c, 6.12):
#   - autoprobe off first: registering the driver then does not attach it
#     to anything (bus_add_driver calls driver_attach only when
#     drivers_autoprobe is set, drivers/base/bus.c);
#   - insmod with irq_type=0 (INTx);
#   - new_id with all 7 fields: new_id_store refuses a short "104c b500"
#     with EEXIST because the id table already matches it. Subsystem any,
#     class 0 under mask 0 (any class), driver data 0, which new_id_store
#     accepts because other table entries carry 0 too. Adding the ID calls
#     driver_attach whatever drivers_autoprobe says, and pci_match_device
#     looks at the dynamic IDs before the id table, so the probe gets driver
#     data 0: registers in BAR0, no buffer alignment, irq_type stays 0;
#   - autoprobe back on.
# The driver's misc device /dev/pci-endpoint-test.0 appears during the probe.
check "autoprobe off" sh -c 'echo 0 >/sys/bus/pci/drivers_autoprobe'
check "insmod pci_endpoint_test irq_type=0" insmod /lib/modules/pci_endpoint_test.ko irq_type=0
not_probed_by_table() { [ -d "$drv" ] && ! dmesg | grep -q "Failed to get MSI"; }
check "driver registered without a probe through the id table" not_probed_by_table
check "new_id 104c:b500 without driver data" \
    sh -c "echo '104c b500 ffffffff ffffffff 0 0 0' >$drv/new_id"
check "autoprobe back on" sh -c 'echo 1 >/sys/bus/pci/drivers_autoprobe'
check "pci-endpoint-test bound to $dev" [ -e "$drv/$dev" ]
check "irq_type still 0 (INTx) after the probe" \
    [ "$(cat /sys/module/pci_endpoint_test/parameters/irq_type 2>/dev/null)" = 0 ]
check "/dev/pci-endpoint-test.0 exists" [ -c /dev/pci-endpoint-test.0 ]
dmesg | grep -E "pci-endpoint-test|pci_endpoint_test" | tail -n 10

# One pcitest run: it prints one line ending in a tab and OKAY (or NOT OKAY,
# TEST FAILED, FAILED) and exits 0 on success.
run() { # PCITEST-OPTION...
    out=$(pcitest "$@" 2>&1)
    status=$?
    printf '%s\n' "$out"
    case $out in
        *"${tab}OKAY") okay=yes ;;
        *) okay=no ;;
    esac
    if [ "$status" -ne 0 ]; then
        echo "pcitest: pcitest $* exited with status $status"
        okay=no
    fi
    check "pcitest $*" [ "$okay" = yes ]
}
for bar in 0 1 2 3 4 5; do
    run -b "$bar"
done
run -i 0
run -l
for op in -r -w -c; do
    for size in 1 1024 1025 1024000 1024001; do
        run "$op" -s "$size"
    done
done
# The interrupt every transfer waited for: its /proc/interrupts row.
grep pci-endpoint-test /proc/interrupts
irqs=$(grep pci-endpoint-test /proc/interrupts | awk -v n="$(nproc)" '{for (i = 2; i <= n + 1; i++) s += $i} END {print s + 0}')
echo "pcitest: INTx interrupts: $irqs"
check "the endpoint's INTx interrupts count" [ "$irqs" -gt 0 ]
echo "pcitest: $failures failed"
exit "$failures"
