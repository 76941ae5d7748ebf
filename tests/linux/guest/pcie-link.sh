#!/bin/sh
# Guest test: how Linux enumerated the pci-epf-test endpoint of
# configs/pcie-epf-test.yaml (104c:b500 at 0000:01:00.0, below the root port
# at 0000:00:01.0) and the link it found. The expected link comes from the
# kernel command line:
#   nvsoc_pcie_link=SPEED,WIDTH  e.g. 32.0,16: current_link_speed
#                                "32.0 GT/s PCIe" and current_link_width 16
#                                on both ends of the link
#   nvsoc_pcie_downtrained=1     the link is below what the endpoint can do,
#                                so Linux reported it while scanning
#                                (pcie_report_downtraining, drivers/pci)
# Either way the endpoint is capable of 32.0 GT/s x16, its six memory BARs
# (1K, 512, 1K, 16K, 128K, 1M: BAR0 holds the registers and the 32-entry
# MSI-X table and PBA) are assigned, no resource failed to be, and
# Linux's own retraining of the link at boot went through.
# Exit status: the number of failed checks.
failures=0
check() { # DESCRIPTION COMMAND...
    what=$1; shift
    if "$@" >/dev/null 2>&1; then echo "pcie-link: ok: $what"; else echo "pcie-link: FAIL: $what"; failures=$((failures + 1)); fi
}
ep=0000:01:00.0
rp=0000:00:01.0
sys=/sys/bus/pci/devices

link=
downtrained=0
for arg in $(cat /proc/cmdline); do
    case $arg in
        nvsoc_pcie_link=*) link=${arg#nvsoc_pcie_link=} ;;
        nvsoc_pcie_downtrained=*) downtrained=${arg#nvsoc_pcie_downtrained=} ;;
    esac
done
link_given() { case $link in ?*,?*) return 0 ;; esac; return 1; }
check "nvsoc_pcie_link=SPEED,WIDTH on the command line" link_given
speed=${link%,*}
width=${link#*,}
echo "pcie-link: expecting $speed GT/s PCIe x$width, downtrained=$downtrained"

# Enumeration: the root port bridges to bus 01, where the endpoint is.
for d in "$rp" "$ep"; do
    [ -d "$sys/$d" ] && echo "pcie-link: $d class $(cat "$sys/$d/class"): $(cat "$sys/$d/vendor"):$(cat "$sys/$d/device")"
done
check "root port $rp present" [ -d "$sys/$rp" ]
check "root port's secondary bus is 01" [ "$(cat "$sys/$rp/secondary_bus_number")" = 1 ]
check "endpoint $ep present" [ -d "$sys/$ep" ]
below_root_port() { case $(readlink -f "$sys/$ep") in */"$rp/$ep") return 0 ;; esac; return 1; }
check "endpoint below the root port" below_root_port
check "endpoint is 104c:b500" [ "$(cat "$sys/$ep/vendor"):$(cat "$sys/$ep/device")" = 0x104c:0xb500 ]
check "endpoint class ff0000" [ "$(cat "$sys/$ep/class")" = 0xff0000 ]
# Lines 0..5 of `resource` are the BARs: start, end, flags (0x200 is
# IORESOURCE_MEM).
bar=0
for size in 1024 512 1024 16384 131072 1048576; do
    read -r start end flags <<EOF
$(sed -n "$((bar + 1))p" "$sys/$ep/resource" 2>/dev/null)
EOF
    start=${start:-0} end=${end:-0} flags=${flags:-0}
    echo "pcie-link: BAR$bar: $start-$end flags $flags"
    good=no
    if [ $((flags & 0x200)) -ne 0 ] && [ $((end - start + 1)) -eq "$size" ] && [ $((start)) -ne 0 ]; then
        good=yes
    fi
    check "BAR$bar: memory, $size bytes, assigned" [ "$good" = yes ]
    bar=$((bar + 1))
done
# drivers/pci/setup-res.c: "BAR N [mem ...]: can't assign; no space",
# "... failed to assign" (older kernels: "no space for").
assign_failed="failed to assign|can't assign|no space for"
dmesg | grep -iE "$assign_failed"
no_assign_failure() { ! dmesg | grep -qiE "$assign_failed"; }
check "no resource failed to be assigned" no_assign_failure
# Linux retrains the link once while booting (ASPM's common clock setup,
# drivers/pci/pcie/aspm.c, when both ends report Slot Clock Configuration),
# and the link must come back as it was. Nor may the quirk for links that
# fail to train (pcie_failed_link_retrain, drivers/pci/quirks.c) step in.
retrain_trouble="Could not configure common clock|retraining failed|retraining non-functional|2.5GT/s downstream link speed restriction"
dmesg | grep -E "$retrain_trouble"
no_retrain_trouble() { ! dmesg | grep -qE "$retrain_trouble"; }
check "no failed or forced link retraining" no_retrain_trouble

# The link, as drivers/pci/pci-sysfs.c prints it (pci_speed_string).
for d in "$ep" "$rp"; do
    [ -d "$sys/$d" ] && echo "pcie-link: $d: $(cat "$sys/$d/current_link_speed") x$(cat "$sys/$d/current_link_width")" \
        "(capable of $(cat "$sys/$d/max_link_speed") x$(cat "$sys/$d/max_link_width"))"
    check "$d current_link_speed $speed GT/s PCIe" [ "$(cat "$sys/$d/current_link_speed")" = "$speed GT/s PCIe" ]
    check "$d current_link_width $width" [ "$(cat "$sys/$d/current_link_width")" = "$width" ]
    check "$d max_link_speed 32.0 GT/s PCIe" [ "$(cat "$sys/$d/max_link_speed")" = "32.0 GT/s PCIe" ]
    check "$d max_link_width 16" [ "$(cat "$sys/$d/max_link_width")" = 16 ]
done

# The bandwidth notice of __pcie_print_link_status (drivers/pci/pci.c),
# which the scan prints for the endpoint only when the link is below its
# capability. Figures in Mb/s as PCIE_SPEED2MBS_ENC has them (speed less
# the encoding overhead, rounded down), printed as Gb/s with 3 decimals.
mbps() { # SPEED: Mb/s of one lane
    case $1 in
        2.5) echo 2000 ;; 5.0) echo 4000 ;; 8.0) echo 7876 ;;
        16.0) echo 15753 ;; 32.0) echo 31507 ;; 64.0) echo 64000 ;; *) echo 0 ;;
    esac
}
gbps() { # MBPS
    printf '%u.%03u' $(($1 / 1000)) $(($1 % 1000))
}
notice=$(dmesg | grep "$ep: .*available PCIe bandwidth")
[ -n "$notice" ] && printf '%s\n' "$notice"
if [ "$downtrained" = 1 ]; then
    expected="$(gbps $(($(mbps "$speed") * width))) Gb/s available PCIe bandwidth, limited by $speed GT/s PCIe x$width link at $rp (capable of $(gbps $(($(mbps 32.0) * 16))) Gb/s with 32.0 GT/s PCIe x16 link)"
    echo "pcie-link: expected notice: $expected"
    check "bandwidth notice for $ep" [ -n "$notice" ]
    notice_is() { printf '%s\n' "$notice" | grep -qF "$ep: $1"; }
    check "bandwidth notice names the $speed GT/s x$width link at $rp" notice_is "$expected"
else
    check "no bandwidth notice for $ep" [ -z "$notice" ]
fi
echo "pcie-link: $failures failed"
exit "$failures"
