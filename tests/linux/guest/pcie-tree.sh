#!/bin/sh
# Guest test: the PCI hierarchy as Linux enumerated it, one line per
# function from sysfs (what `lspci -tv` and `lspci -vv` would show): bus
# address, IDs, class, PCIe port type, the link it trained and the upstream
# bridge. The host side checks the lines it expects for the platform.
# Exit status: the number of failed checks (BAR or window assignment
# failures in dmesg, functions without a class).
failures=0
check() { # DESCRIPTION COMMAND...
    what=$1; shift
    if "$@" >/dev/null 2>&1; then echo "pcie-tree: ok: $what"; else echo "pcie-tree: FAIL: $what"; failures=$((failures + 1)); fi
}
for d in /sys/bus/pci/devices/*; do
    bdf=${d##*/}
    # The bridge above: the parent directory in the device hierarchy.
    parent=$(basename "$(dirname "$(readlink -f "$d")")")
    case $parent in pci*) parent=host ;; esac
    link=-
    [ -r "$d/current_link_speed" ] && link="$(cat "$d/current_link_speed") x$(cat "$d/current_link_width")"
    echo "pcie-tree: $bdf $(cat "$d/vendor" | cut -c3-):$(cat "$d/device" | cut -c3-) class $(cat "$d/class") link $link parent $parent"
done
check "no BAR or window assignment failures" sh -c '! dmesg | grep -iE "failed to assign|no space|can.t assign"'
dmesg | grep -E 'pci 0000:0[0-9]:0[0-9].0: (\[|PCI bridge|bridge window|BAR)' | head -n 40
echo "pcie-tree: $failures failed"
exit "$failures"
