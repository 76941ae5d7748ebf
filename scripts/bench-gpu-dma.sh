#!/usr/bin/env bash
# The wall time of bulk GPU DMA: firmware/tests/gpu_bench.c on configs/gpu.yaml
# with 2 GiB of DRAM and of VRAM copies 1 GiB host to device and 1 GiB back
# over Gen5 x16, each checked against the link's bandwidth (3 %) in
# simulated time; this script prints the wall time they cost.
#
#   scripts/bench-gpu-dma.sh [RUNS]   (default 3; prints each run and the best)
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"
runs=${1:-3}
cmake -S . -B build -G Ninja >/dev/null
ninja -C build platforms/nvsoc firmware_gpu_bench >/dev/null
best=
for i in $(seq 1 "$runs"); do
    start=$(date +%s.%N)
    out=$(build/platforms/nvsoc run configs/gpu.yaml --firmware build/firmware/gpu_bench.elf \
          --max-time 10s --set memory.dram.size=2GiB --set devices.gpu0.vram=2GiB 2>&1)
    end=$(date +%s.%N)
    grep -q '^nvsoc-test: gpu_bench PASS' <<<"$out" || { printf '%s\n' "$out"; echo "bench-gpu-dma: the run failed" >&2; exit 1; }
    wall=$(echo "$end - $start" | bc)
    echo "run $i: $wall s wall for 2 GiB copied (1 GiB each way)"
    if [ -z "$best" ] || [ "$(echo "$wall < $best" | bc)" -eq 1 ]; then best=$wall; fi
done
grep '^gpu_dma:' <<<"$out"
echo "best: $best s wall, $(echo "scale=2; $best / 2" | bc) s per simulated GiB copied (nproc $(nproc), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'))"
