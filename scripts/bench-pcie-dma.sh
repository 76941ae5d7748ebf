#!/usr/bin/env bash
# PCIe DMA bandwidth benchmark in simulated time: builds
# tests/bench/pcie_dma_bench.cpp and runs it. The pci-epf-test endpoint
# writes, then reads, a 64 MiB buffer in RAM through its root port at Gen1 x1,
# Gen3 x4, Gen5 x16 and Gen6 x16; the table sets each transfer's bandwidth in
# simulated time against the link's rate after line coding and TLP overheads
# (docs/pcie.md, "TLP timing"). Simulated time is deterministic: one run is
# enough, and the figures do not depend on the machine.
# Usage: scripts/bench-pcie-dma.sh [--quick | --mib N]   (default 64 MiB)
# Exits non-zero when a case is more than 3 % from its expected bandwidth.
set -euo pipefail
cd "$(dirname "$0")/.."
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j2 --target nvsoc_bench_pcie_dma >/dev/null
printf 'nvsoc %s, %s\n\n' "$(git rev-parse --short HEAD 2>/dev/null || echo "?")" "$(date -u +%Y-%m-%d)"
t0=$(date +%s.%N)
status=0
build/tests/nvsoc_bench_pcie_dma "$@" || status=$?
t1=$(date +%s.%N)
printf '\nwall time: %.2f s (not a figure of the benchmark: it measures simulated time)\n' \
    "$(echo "$t1 - $t0" | bc -l)"
exit "$status"
