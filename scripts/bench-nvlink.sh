#!/usr/bin/env bash
# NVLink peer-copy bandwidth in simulated time: builds
# tests/bench/nvlink_bench.cpp and runs it. Two GPUs joined by 1, 2 and all
# (4, 6, 12, 18, 18) links of each generation 1-5; GPU 0's copy engine
# copies 64 MiB of its VRAM into GPU 1's over the peer path, and the table
# sets the bandwidth between two semaphore timestamps against what the
# links' flits imply (docs/nvlink.md: 256 bytes of a write in 18 flits of
# 16 bytes at lanes x lane rate / 8). Simulated time is deterministic: one
# run is enough, and the figures do not depend on the machine.
# --switch [N]: two senders through an NVSwitch. GPUs A and B copy 16 MiB
# each into GPU C (generation 4) through one switch whose route to C is a
# single port (N = 1) or a 2-port ganged group (N = 2; both without N),
# routes written by the bench into the switch's BAR0; A alone, B alone,
# then both at once. Expected: C's egress rate from the flits (N links x
# 256/288 of the raw rate) alone, half of it each when both send.
# Usage: scripts/bench-nvlink.sh [--quick | --switch [N] | GEN LINKS]
# Exits non-zero when a case is more than 3 % from its expected bandwidth
# (or two senders more than 3 % from each other).
set -euo pipefail
cd "$(dirname "$0")/.."
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j2 --target nvsoc_bench_nvlink >/dev/null
printf 'nvsoc %s, %s\n\n' "$(git rev-parse --short HEAD 2>/dev/null || echo "?")" "$(date -u +%Y-%m-%d)"
status=0
build/tests/nvsoc_bench_nvlink "$@" || status=$?
exit "$status"
