#!/usr/bin/env bash
# The PCIe endpoint under Linux: nvsoc's kernel (sw/linux) and initramfs
# (sw/rootfs, plus the kernel's modules) on configs/pcie-epf-test.yaml, whose
# pci-epf-test endpoint (104c:b500 at 0000:01:00.0, below the root port rp0
# at 0000:00:01.0) the kernel's pci_endpoint_test driver and pcitest tool
# exercise on the AIA platform (BARs, MSI and MSI-X, READ/WRITE/COPY
# transfers) and on the PLIC platform with INTx; Debian's lspci -vv and
# setpci show it as Linux configured it. Then the
# link as Linux sees it: 32.0 GT/s x16, and downtrained by the root port's
# fault keys (lanes 8-15 failed: x8; gen4 and faster failing: 8.0 GT/s).
#
#   pcie_epf_test.sh NVSOC
#
# NVSOC_CONFIG overrides the platform (default: configs/pcie-epf-test.yaml).
# The kernel comes from the cache (sw/linux/build-kernel.sh builds it on the
# first run, which takes several minutes on 2 cores). The console log of
# every boot with a failed check is printed in full at the end, and all logs
# are kept in NVSOC_LINUX_LOGS (default: ./linux-pcie-logs under the current
# directory, which ctest sets to the build tree).
set -euo pipefail
nvsoc=$1
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
config=${NVSOC_CONFIG:-$here/../../configs/pcie-epf-test.yaml}
default_logs=$PWD/linux-pcie-logs
# The transfers of a megabyte (random fill, CRC32, DMA) take far longer
# than a plain boot.
max_time=120s
# shellcheck source=SCRIPTDIR/lib.sh
. "$here/lib.sh"

base="console=ttyS0 earlycon=sbi"
ep=0000:01:00.0
rp=0000:00:01.0

# The pcitest scripts insmod pci_endpoint_test themselves (nvsoc_modules=off:
# /init does not load it first).
#
# pcitest through pci_endpoint_test, bound through its id table (driver
# data: MSI) on the AIA platform: MSI, MSI-X vectors 1-32, and transfers
# that report by MSI-X (tests/linux/guest/pcitest-msi.sh). Each pcitest run
# prints one line ending in OKAY (or NOT OKAY / TEST FAILED) after tabs.
boot pcitest "$kernel" "$with_modules" "$base nvsoc_modules=off nvsoc_test=/tests/pcitest-msi.sh"
check "pcitest: pci-endpoint-test bound to $ep through its id table" \
    has "^pcitest-msi: ok: pci-endpoint-test bound to $ep\$"
for bar in 0 1 2 3 4 5; do
    check "pcitest: BAR$bar" has "^BAR$bar:[[:space:]]*OKAY\$"
done
check "pcitest: set IRQ type to MSI" has '^SET IRQ TYPE TO MSI:[[:space:]]*OKAY$'
check "pcitest: MSI 1" has '^MSI1:[[:space:]]*OKAY$'
check "pcitest: MSI 2 refused, as Linux 6.12 gives one MSI vector" \
    has '^pcitest-msi: ok: pcitest -m 2 is NOT OKAY'
check "pcitest: set IRQ type to MSI-X" has '^SET IRQ TYPE TO MSI-X:[[:space:]]*OKAY$'
for n in $(seq 1 32); do
    check "pcitest: MSI-X $n" has "^MSI-X$n:[[:space:]]*OKAY\$"
done
for op in READ WRITE COPY; do
    for size in 1 1024 1025 1024000 1024001; do
        check "pcitest: $op of $size bytes" has "^$op ( *$size bytes):[[:space:]]*OKAY\$"
    done
done
check "pcitest: every MSI-X vector fired" has '^pcitest-msi: ok: every MSI-X vector fired$'
check "pcitest: 0 failed" has '^pcitest-msi: 0 failed$'
check "pcitest: status 0" [ "$status" -eq 0 ]

# Debian's lspci and setpci on the endpoint (tests/linux/guest/lspci.sh),
# with pci_endpoint_test loaded by /init from /lib/modules and switched to
# MSI-X by the script: link status, MSI-X enabled, AER, names from pci.ids
# and without them, and setpci reading registers.
boot lspci "$kernel" "$with_modules" "$base nvsoc_test=/tests/lspci.sh"
check "lspci: /init loaded pci_endpoint_test from /lib/modules" \
    has '^nvsoc: insmod /lib/modules/pci_endpoint_test.ko: ok$'
check "lspci: names from pci.ids" has "^lspci: ok: the endpoint's vendor named from pci.ids\$"
check "lspci: numbers without pci.ids" has '^lspci: ok: without pci.ids: the endpoint listed by its IDs$'
check "lspci: LnkSta: Speed 32GT/s, Width x16" has 'LnkSta:[[:space:]]*Speed 32GT/s[^,]*, Width x16'
check "lspci: MSI-X: Enable+ (pci_endpoint_test set it up)" has '^lspci: ok: lspci -vv: MSI-X enabled (Enable+)$'
check "lspci: Advanced Error Reporting" has 'Capabilities: \[[0-9a-f]* v[0-9]*\] Advanced Error Reporting'
check "lspci: setpci reads the IDs and Link Status" has '^lspci: ok: setpci reads Link Status: 32 GT/s x16$'
check "lspci: 0 failed" has '^lspci: 0 failed$'
check "lspci: status 0" [ "$status" -eq 0 ]

# The same endpoint on the PLIC platform: INTx alone (pci_endpoint_test bound
# with irq_type=0 through a dynamic ID, see tests/linux/guest/pcitest.sh).
aia_config=$config
config=$work/pcie-epf-test-plic.yaml
cat >"$config" <<EOF
extends: $repo/configs/plic.yaml
devices:
  epf0: {type: pci-epf-test, bus: rp0, max-link-speed: gen5, max-link-width: 16}
EOF
boot pcitest-plic "$kernel" "$with_modules" "$base nvsoc_modules=off nvsoc_test=/tests/pcitest.sh"
check "pcitest (PLIC): pci-endpoint-test bound to $ep" has "^pcitest: ok: pci-endpoint-test bound to $ep\$"
check "pcitest (PLIC): legacy IRQ" has '^LEGACY IRQ:[[:space:]]*OKAY$'
for op in READ WRITE COPY; do
    check "pcitest (PLIC): $op of 1024000 bytes" has "^$op (1024000 bytes):[[:space:]]*OKAY\$"
done
check "pcitest (PLIC): INTx interrupts counted" has "^pcitest: ok: the endpoint's INTx interrupts count\$"
check "pcitest (PLIC): 0 failed" has '^pcitest: 0 failed$'
check "pcitest (PLIC): status 0" [ "$status" -eq 0 ]
config=$aia_config

# The link (tests/linux/guest/pcie-link.sh reads what to expect from the
# command line). Linux prints the bandwidth notice while scanning, on the
# console as well as in dmesg.
boot link "$kernel" "$initrd" "$base nvsoc_test=/tests/pcie-link.sh nvsoc_pcie_link=32.0,16"
check "link: 32.0 GT/s x16, BARs assigned" has '^pcie-link: 0 failed$'
check "link: status 0" [ "$status" -eq 0 ]
check "link: no bandwidth notice" lacks "$ep: .*available PCIe bandwidth"

boot link-x8 "$kernel" "$initrd" \
    "$base nvsoc_test=/tests/pcie-link.sh nvsoc_pcie_link=32.0,8 nvsoc_pcie_downtrained=1" \
    --set devices.rp0.failed-lanes=8-15
check "link, lanes 8-15 failed: 32.0 GT/s x8, bandwidth notice" has '^pcie-link: 0 failed$'
check "link, lanes 8-15 failed: status 0" [ "$status" -eq 0 ]
check "link, lanes 8-15 failed: notice on the console" \
    has "$ep: .*available PCIe bandwidth, limited by 32.0 GT/s PCIe x8 link at $rp"

boot link-gen3 "$kernel" "$initrd" \
    "$base nvsoc_test=/tests/pcie-link.sh nvsoc_pcie_link=8.0,16 nvsoc_pcie_downtrained=1" \
    --set devices.rp0.failing-speed=gen4
check "link, gen4 and faster failing: 8.0 GT/s x16, bandwidth notice" has '^pcie-link: 0 failed$'
check "link, gen4 and faster failing: status 0" [ "$status" -eq 0 ]
check "link, gen4 and faster failing: notice on the console" \
    has "$ep: .*available PCIe bandwidth, limited by 8.0 GT/s PCIe x16 link at $rp"

# Errors Linux must hear. LCRC errors on every 97th TLP in each
# direction: the data link layer replays them, so every transfer (and every
# MSI) still passes, and AER reports Bad TLP as correctable errors.
boot lcrc "$kernel" "$with_modules" "$base nvsoc_modules=off nvsoc_test=/tests/pcitest-msi.sh" \
    --set devices.rp0.lcrc-error-every=97
check "LCRC errors: every pcitest still OKAY (replayed)" has '^pcitest-msi: 0 failed$'
check "LCRC errors: status 0" [ "$status" -eq 0 ]
check "LCRC errors: AER hears correctable errors" \
    has 'AER: \(Multiple \)\{0,1\}Correctable error message received from'
check "LCRC errors: decoded as Bad TLP" has '\[ *6\] BadTLP'

# A surprise down half a second into the run: the root port logs Surprise
# Down (fatal), its interrupt reaches the AER driver as an MSI, and Linux's
# recovery resets the link, which cannot come back without its device.
boot surprise "$kernel" "$initrd" \
    "$base nvsoc_test=/tests/pcie-aer.sh nvsoc_aer_wait=3 nvsoc_aer_irq=msi" \
    --set devices.rp0.surprise-down-at=500ms
check "surprise down: AER hears a fatal error from the root port" \
    has "AER: \(Multiple \)\{0,1\}Uncorrectable (Fatal) error message received from $rp"
check "surprise down: decoded as Surprise Down" has '\[ *5\] SDES'
check "surprise down: the root port's AER interrupt came as an MSI" \
    has "^pcie-aer: ok: the root port's AER interrupt is an MSI, and it fired\$"
check "surprise down: the guest script passed" has '^pcie-aer: 0 failed$'
check "surprise down: status 0" [ "$status" -eq 0 ]

# A switch (configs/pcie-switch.yaml): root port -> upstream port -> two
# downstream ports -> two endpoints, every BAR and window assigned, each
# link as trained (the second endpoint's x4).
config=$repo/configs/pcie-switch.yaml
boot switch "$kernel" "$initrd" "$base nvsoc_test=/tests/pcie-tree.sh"
tree_has() { # BDF VENDOR:DEVICE CLASS LINK PARENT
    has "^pcie-tree: 0000:$1 $2 class $3 link $4 parent $5\$"
}
check "switch: root port 00:01.0" tree_has 00:01.0 1b36:000c 0x060400 "32.0 GT/s PCIe x16" host
check "switch: upstream port 01:00.0 below it" \
    tree_has 01:00.0 104c:8232 0x060400 "32.0 GT/s PCIe x16" 0000:00:01.0
check "switch: downstream port 02:00.0" tree_has 02:00.0 104c:8233 0x060400 "32.0 GT/s PCIe x16" 0000:01:00.0
check "switch: downstream port 02:01.0" tree_has 02:01.0 104c:8233 0x060400 "32.0 GT/s PCIe x4" 0000:01:00.0
check "switch: endpoint 03:00.0" tree_has 03:00.0 104c:b500 0xff0000 "32.0 GT/s PCIe x16" 0000:02:00.0
check "switch: endpoint 04:00.0 (x4)" tree_has 04:00.0 104c:b500 0xff0000 "32.0 GT/s PCIe x4" 0000:02:01.0
check "switch: everything assigned" has '^pcie-tree: 0 failed$'
check "switch: status 0" [ "$status" -eq 0 ]

finish
