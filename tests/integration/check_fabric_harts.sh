#!/usr/bin/env bash
# A hart's stores, loads and AMOs to a fabric GPU's VRAM window, by DMI in
# L0 and through the bus once the slot sleeps (the access wakes it):
# tests/integration/fabric_harts.S on configs/minimal.yaml with an
# nvlink-fabric node and one GPU. The program ends at the finisher.
set -u
nvsoc=$1 as=$2 objcopy=$3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
here=$(dirname "$0")
"$as" -march=rv64ia_zicsr -o "$work/p.o" "$here/fabric_harts.S" || exit 1
"$objcopy" -O binary -j .text "$work/p.o" "$work/p.bin" || exit 1
cat >"$work/fabric.yaml" <<YAML
extends: $PWD/configs/minimal.yaml
devices:
  fab0: {type: nvlink-fabric, base: 0x1000000000, size: 1GiB, irq: [20, 21]}
  gpu0: {type: gpu, bus: fab0, device: 0, vram: 128MiB}
YAML
"$nvsoc" run "$work/fabric.yaml" --firmware "$work/p.bin" --max-time 10ms >"$work/out" 2>&1
status=$?
if [ "$status" -ne 0 ]; then
    cat "$work/out"
    echo "FAIL: exit status $status (the finisher's fail code: the step of fabric_harts.S that failed)"
    exit 1
fi
echo "ok: a hart's stores, loads and AMOs to fabric VRAM, in L0 and waking the slot"
