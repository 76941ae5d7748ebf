#!/usr/bin/env bash
# Holds a platform's device tree against QEMU's virt machine with the same
# harts and RAM, node by node and property by property, as a spec file lists
# them (tests/integration/*.dtspec; the format is described in dt_compare.cpp):
# the nodes, compatibles, reg and interrupt wiring that OpenSBI and Linux
# read must be the same, and every deliberate difference is listed with its
# reason.
#
#   compare_with_qemu_virt.sh NVSOC DT_COMPARE CONFIG SPEC QEMU MACHINE [QEMU_ARG...]
#
# QEMU is the qemu-system-riscv64 to run, or `reference` for QEMU 10.0 from
# bookworm-backports, fetched by scripts/fetch-reference-qemu.sh; MACHINE is
# its -M value (e.g. virt,aia=aplic-imsic), dumpdtb added. Exits 77 (a
# skip) only when QEMU is `reference`, it cannot be fetched because no
# Debian mirror is reachable, and CI is not set: in CI that is a failure.
set -euo pipefail
[ $# -ge 6 ] || { echo "usage: $0 NVSOC DT_COMPARE CONFIG SPEC QEMU MACHINE [QEMU_ARG...]" >&2; exit 2; }
nvsoc=$1 dt_compare=$2 config=$3 spec=$4 qemu=$5 machine=$6
shift 6
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
harts=4 # and 1 GiB of RAM: what the shipped configs have
if [ "$qemu" = reference ]; then
    status=0
    qemu=$("$repo/scripts/fetch-reference-qemu.sh") || status=$?
    if [ "$status" -eq 3 ] && [ -z "${CI:-}" ]; then
        echo "SKIP: QEMU 10 is not cached and no Debian mirror is reachable"
        exit 77
    fi
    [ "$status" -eq 0 ] || { echo "FAIL: scripts/fetch-reference-qemu.sh exited $status"; exit 1; }
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$nvsoc" dts "$config" >"$work/nvsoc.dts"
dtc -q -I dts -O dtb -o "$work/nvsoc.dtb" "$work/nvsoc.dts"
if ! "$qemu" -M "$machine,dumpdtb=$work/qemu.dtb" -smp "$harts" -m 1G "$@" \
        </dev/null >"$work/qemu.log" 2>&1; then
    cat "$work/qemu.log"
    echo "FAIL: $qemu -M $machine did not dump its device tree"
    exit 1
fi
echo "nvsoc: $config; reference: $("$qemu" --version | head -1) -M $machine"
"$dt_compare" "$work/nvsoc.dtb" "$work/qemu.dtb" "$spec" "$harts"
