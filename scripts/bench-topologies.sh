#!/usr/bin/env bash
# The three NVLink topologies compared in simulated time: builds
# tests/bench/topology_bench.cpp and runs it. The same workloads on each:
# direct (two GPUs on Gen5 x16 root ports, joined by two NVLink 4 links),
# bridge (two GPUs behind one nvlink-pcie-bridge on a Gen5 x16 root port,
# two NVLink 4 links each to it) and fabric (two GPUs on an nvlink-fabric
# node, 10 C2C links each, joined by two NVLink 4 links): host-to-device,
# device-to-host and peer copies of 64 MiB by gpu0's copy engine, a 4-byte
# copy's latency, and 8-byte CPU loads and stores to gpu0's VRAM from an
# initiator on the SoC bus. Each figure is printed beside the value the
# model's configured parameters imply and the formula's name
# (docs/performance.md, "Three topologies"). Simulated time is
# deterministic: one run is enough, and the figures do not depend on the
# machine.
# Usage: scripts/bench-topologies.sh [--quick] [direct|bridge|fabric ...]
# Exits non-zero when a figure is more than 3 % from its expected value.
set -euo pipefail
cd "$(dirname "$0")/.."
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j2 --target nvsoc_bench_topology >/dev/null
printf 'nvsoc %s, %s\n\n' "$(git rev-parse --short HEAD 2>/dev/null || echo "?")" "$(date -u +%Y-%m-%d)"
status=0
build/tests/nvsoc_bench_topology "$@" || status=$?
exit "$status"
