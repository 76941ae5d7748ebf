#!/usr/bin/env bash
# The main job, from a fresh clone: install what is missing, build nvsoc and
# the firmware, and run the bare-metal demo on the default platform's four
# harts (every hart prints over the UART, then the demo ends through the
# test finisher). This grows into booting Linux once the Linux issue lands.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j2 --target nvsoc firmware_hello
echo "--- nvsoc run configs/default.yaml --firmware build/firmware/hello.elf"
exec build/platforms/nvsoc run configs/default.yaml --firmware build/firmware/hello.elf
