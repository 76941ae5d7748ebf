#!/usr/bin/env bash
# The main job, from a fresh clone: install what is missing, build nvsoc,
# nvsoc's Linux kernel (cached outside the clone; the first build takes
# several minutes) and its initramfs, then boot Linux on the default
# NVLink SoC, configs/nvlink-direct.yaml (4 harts, Debian's OpenSBI, four
# GPUs on PCIe root ports joined all-to-all by NVLink 4; the nvsoc-gpu
# driver loads at boot and nvsoc-smi is on the PATH), to an interactive
# shell on the console. Leave with `poweroff` in the guest, or Ctrl-A x.
# NVSOC_CONFIG=FILE boots another platform (configs/default.yaml: the SoC
# without GPUs).
#
# Arguments are passed on to `nvsoc run` (for example --append, --set,
# --log, --stats). NVSOC_KERNEL_VARIANT=debug boots the debug kernel
# (sw/linux/debug.config: lockdep and sleep-in-atomic checks) instead, with
# nvsoc's modules built against it.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j2 --target nvsoc
variant=()
[ -z "${NVSOC_KERNEL_VARIANT:-}" ] || variant=(--variant "$NVSOC_KERNEL_VARIANT")
kernel=$(sw/linux/build-kernel.sh "${variant[@]}")
# nvsoc's out-of-tree drivers, built against that kernel; /init loads them.
modules=$(sw/drivers/build-modules.sh "${variant[@]}")
sw/rootfs/build-initramfs.sh --modules "$modules" build/initramfs.cpio >/dev/null
config=${NVSOC_CONFIG:-configs/nvlink-direct.yaml}
echo "--- nvsoc run $config --kernel $kernel --initrd build/initramfs.cpio"
echo "--- try: nvsoc-smi topo -m; nvsoc-smi nvlink -s; nvsoc-smi p2p-test --quick"
echo "--- leave with 'poweroff' in the guest, or Ctrl-A x"
exec build/platforms/nvsoc run "$config" --kernel "$kernel" \
    --initrd build/initramfs.cpio "$@"
