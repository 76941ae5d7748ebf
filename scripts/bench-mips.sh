#!/usr/bin/env bash
# MIPS benchmark: runs firmware/bench/mips.c (a fixed integer/memory/FP mix)
# on one hart of nvsoc and on QEMU 7.2 (-M virt -bios, one CPU), and prints
# instructions, wall time and MIPS for both. The instruction count comes from
# nvsoc's --stats; QEMU runs the same binary, so the same count applies.
# Usage: scripts/bench-mips.sh [RUNS] [BUILD_DIR]
#   (best of RUNS, default 3; BUILD_DIR relative to the source tree, default build)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-3}
build=${2:-build}
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build" -j2 --target nvsoc firmware_bench_mips >/dev/null
elf=$build/firmware/bench_mips.elf
stats=$(mktemp)
trap 'rm -f "$stats"' EXIT

best() { sort -n | head -1; }
now() { date +%s.%N; }

nvsoc_times=()
for _ in $(seq "$runs"); do
    t0=$(now)
    "$build"/platforms/nvsoc run configs/minimal.yaml --firmware "$elf" --stats "$stats" >/dev/null
    t1=$(now)
    nvsoc_times+=("$(echo "$t1 - $t0" | bc -l)")
done
insns=$(sed -n 's/^  "instructions": \([0-9]*\),*$/\1/p' "$stats")
qemu_times=()
for _ in $(seq "$runs"); do
    t0=$(now)
    qemu-system-riscv64 -M virt -smp 1 -m 128M -nographic -bios "$elf" </dev/null >/dev/null
    t1=$(now)
    qemu_times+=("$(echo "$t1 - $t0" | bc -l)")
done
nt=$(printf '%s\n' "${nvsoc_times[@]}" | best)
qt=$(printf '%s\n' "${qemu_times[@]}" | best)
printf 'workload: %s, %s instructions, best of %s runs\n' "$elf" "$insns" "$runs"
printf 'nvsoc %-8s %8.3f s  %8.1f MIPS\n' "$(git rev-parse --short HEAD)" "$nt" "$(echo "$insns / $nt / 1000000" | bc -l)"
printf 'qemu  %-8s %8.3f s  %8.1f MIPS\n' "7.2" "$qt" "$(echo "$insns / $qt / 1000000" | bc -l)"
