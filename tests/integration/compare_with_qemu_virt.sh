#!/usr/bin/env bash
# Holds the default platform's device tree against QEMU's virt machine with
# the same harts and RAM: the nodes, compatibles, reg and interrupt wiring
# that OpenSBI's generic platform and Linux read must be the same.
set -eu
nvsoc=$1 dt_compare=$2 config=$3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
harts=4
"$nvsoc" dts "$config" >"$work/nvsoc.dts"
dtc -q -I dts -O dtb -o "$work/nvsoc.dtb" "$work/nvsoc.dts"
qemu-system-riscv64 -M "virt,dumpdtb=$work/qemu.dtb" -smp $harts -m 1G -nographic \
    -display none >/dev/null 2>&1 </dev/null
"$dt_compare" "$work/nvsoc.dtb" "$work/qemu.dtb" $harts
