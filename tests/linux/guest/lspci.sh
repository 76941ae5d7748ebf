#!/bin/sh
# Guest test, on configs/pcie-epf-test.yaml: Debian's lspci and setpci
# (pciutils, linked dynamically against the initramfs's libraries, the
# loader and pci.ids) on the pci-epf-test endpoint (104c:b500 at
# 0000:01:00.0) below the root port 0000:00:01.0:
#   - lspci runs (its loader and libraries resolve) and names both functions
#     from pci.ids, and without pci.ids (`-i` a missing file) still lists
#     them by number, with status 0;
#   - `lspci -vv` on the endpoint: the link at 32GT/s x16 (LnkSta), the
#     MSI-X capability, `Enable+` once pci_endpoint_test uses it (when the
#     driver is bound, from /lib/modules at boot, `pcitest -i 2` switches it
#     to MSI-X; unbound, only the capability line is checked, and the
#     script says so), and Advanced Error Reporting on both ends;
#   - setpci reads the IDs and the Link Status register, which says 32GT/s
#     x16 as lspci does.
# Exit status: the number of failed checks.
# (The helpers run through check, which shellcheck cannot follow.)
# shellcheck disable=SC2317
failures=0
check() { # DESCRIPTION COMMAND...
    what=$1; shift
    if said=$("$@" 2>&1); then
        echo "lspci: ok: $what"
    else
        echo "lspci: FAIL: $what"
        [ -z "$said" ] || printf '%s\n' "$said" | sed 's/^/lspci:   /'
        failures=$((failures + 1))
    fi
}
ep=01:00.0
rp=00:01.0
# has TEXT PATTERN: a line of TEXT matches the basic regular expression.
has() { printf '%s\n' "$1" | grep -q -- "$2"; }

check "lspci runs" lspci
echo "---- lspci"
lspci 2>&1
names_ep=$(lspci -s "$ep" 2>&1)
names_rp=$(lspci -s "$rp" 2>&1)
check "the endpoint's vendor named from pci.ids" has "$names_ep" "^$ep .*Texas Instruments"
check "the root port named from pci.ids" has "$names_rp" "^$rp .*QEMU PCIe Root port"

# Without the names database: numbers instead of names, nothing fails.
status=0
bare=$(lspci -i /nonexistent/pci.ids -s "$ep" 2>&1) || status=$?
echo "---- lspci -i /nonexistent/pci.ids -s $ep (status $status)"
printf '%s\n' "$bare"
check "without pci.ids: status 0" [ "$status" -eq 0 ]
check "without pci.ids: the endpoint listed by its IDs" has "$bare" "^$ep .*104c.*b500"

# MSI-X in use, if pci_endpoint_test drives the endpoint: pcitest asks it
# to switch from the MSI its probe set up to MSI-X.
msix=capability
if [ -e "/sys/bus/pci/drivers/pci-endpoint-test/0000:$ep" ]; then
    if pcitest -i 2 | grep -q 'OKAY$'; then
        msix=enabled
    else
        check "pcitest -i 2 switches the endpoint to MSI-X" false
    fi
else
    echo "lspci: note: pci_endpoint_test is not bound to 0000:$ep, so MSI-X is not enabled; checking the capability only"
fi

status=0
vv=$(lspci -vv -s "$ep" 2>&1) || status=$?
echo "---- lspci -vv -s $ep (status $status)"
printf '%s\n' "$vv"
check "lspci -vv: status 0" [ "$status" -eq 0 ]
check "lspci -vv: LnkSta at 32GT/s x16" has "$vv" 'LnkSta:[[:space:]]*Speed 32GT/s[^,]*, Width x16'
if [ "$msix" = enabled ]; then
    check "lspci -vv: MSI-X enabled (Enable+)" has "$vv" 'Capabilities: \[[0-9a-f]*\] MSI-X: Enable+ Count=32'
else
    check "lspci -vv: the MSI-X capability" has "$vv" 'Capabilities: \[[0-9a-f]*\] MSI-X: Enable[-+] Count=32'
fi
check "lspci -vv: Advanced Error Reporting" has "$vv" 'Capabilities: \[[0-9a-f]* v[0-9]*\] Advanced Error Reporting'
rpvv=$(lspci -vv -s "$rp" 2>&1)
check "lspci -vv: the root port's Advanced Error Reporting" has "$rpvv" 'Advanced Error Reporting'
check "lspci -vv: the root port's link at 32GT/s x16" has "$rpvv" 'LnkSta:[[:space:]]*Speed 32GT/s[^,]*, Width x16'
check "lspci -vv of the whole bus: status 0" sh -c 'lspci -vv >/dev/null'

# setpci reads registers: the IDs, and the PCI Express capability's Link
# Status (offset 0x12): speed in bits 3:0 (5: 32 GT/s), width in bits 9:4.
vendor=$(setpci -s "$ep" VENDOR_ID 2>&1)
device=$(setpci -s "$ep" DEVICE_ID 2>&1)
lnksta=$(setpci -s "$ep" CAP_EXP+0x12.w 2>&1)
echo "lspci: setpci: vendor $vendor, device $device, Link Status $lnksta"
check "setpci reads the vendor ID 104c" [ "$vendor" = 104c ]
check "setpci reads the device ID b500" [ "$device" = b500 ]
lnk_ok() { case $lnksta in [0-9a-f][0-9a-f][0-9a-f][0-9a-f]) [ $((0x$lnksta & 0x3ff)) -eq $((0x105)) ] ;; *) false ;; esac; }
check "setpci reads Link Status: 32 GT/s x16" lnk_ok

echo "lspci: $failures failed"
exit "$failures"
