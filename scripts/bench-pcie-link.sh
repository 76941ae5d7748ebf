#!/usr/bin/env bash
# The PCIe link model's wall-time cost for bulk DMA: builds
# tests/bench/pcie_link_bench.cpp and runs it. pcie::Link alone (no
# SystemC) at Gen5 x16 moves 1 GiB each way, in one call and in 64 KiB
# bursts, through the closed form and through the per-TLP path, and prints
# the wall seconds per simulated GiB (docs/performance.md).
# Usage: scripts/bench-pcie-link.sh [--quick | --gib N] [build-dir]
# Exits non-zero when the two paths disagree or the closed form costs more
# than 1 wall second per simulated GiB.
set -euo pipefail
cd "$(dirname "$0")/.."
args=() build=build
for a in "$@"; do
    case $a in
    --quick | --gib | [0-9]*) args+=("$a") ;;
    *) build=$a ;;
    esac
done
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build" -j2 --target nvsoc_bench_pcie_link >/dev/null
printf 'nvsoc %s, %s, %s CPUs (%s)\n\n' "$(git rev-parse --short HEAD 2>/dev/null || echo "?")" \
    "$(date -u +%Y-%m-%d)" "$(nproc)" "$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)"
"$build"/tests/nvsoc_bench_pcie_link "${args[@]}"
