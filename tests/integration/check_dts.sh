#!/usr/bin/env bash
# `nvsoc dts CONFIG` must give a tree that dtc compiles. dtc's warnings are
# errors here too, except interrupt_provider on the harts' interrupt
# controllers, which QEMU's own virt tree shares (riscv,cpu-intc nodes carry
# no #address-cells in either).
set -u
nvsoc=$1 config=$2
dts=$(mktemp) log=$(mktemp)
trap 'rm -f "$dts" "$log"' EXIT
"$nvsoc" dts "$config" >"$dts" || { echo "nvsoc dts failed"; exit 1; }
dtc -I dts -O dtb -o /dev/null "$dts" 2>"$log" || { cat "$log"; echo "dtc failed"; exit 1; }
if grep -v 'Warning (interrupt_provider)' "$log" | grep -q .; then
    cat "$log"
    echo "dtc warnings"
    exit 1
fi
echo "ok: $config compiles ($(grep -c '{' "$dts") nodes)"
