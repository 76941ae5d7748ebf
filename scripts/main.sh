#!/usr/bin/env bash
# The main job, from a fresh clone: install what is missing, build nvsoc, and
# run the default platform. Until the hart model lands this prints the
# default platform's device tree, the one `nvsoc run` hands the firmware.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j2 --target nvsoc
echo "--- nvsoc dts configs/default.yaml"
build/platforms/nvsoc dts configs/default.yaml
