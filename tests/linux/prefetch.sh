#!/usr/bin/env bash
# Everything the Linux tests take from outside the clone, made ready before
# ctest starts them side by side: nvsoc's kernels (sw/linux, the default and
# the debug variant, each built on the first run, several minutes on 2
# cores), nvsoc's modules built against each (sw/drivers), the tools
# (sw/tools) and Debian's riscv64 packages (busybox-static and pciutils with
# its libraries for the initramfs, the stock kernel for its boot test).
# With these in the cache, no test compiles or downloads beside another.
# scripts/fetch-debian-riscv64.sh is safe to run concurrently too, so this is
# for speed and clear failures (a mirror problem shows here, once), not for
# correctness. scripts/test.sh runs it; so does tests/linux/fresh_cache.sh.
#
#   tests/linux/prefetch.sh        (honours NVSOC_CACHE)
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
echo "prefetch: Linux kernels (sw/linux, the default and the debug variant, cached by content hash)"
"$repo/sw/linux/build-kernel.sh" >/dev/null
"$repo/sw/linux/build-kernel.sh" --variant debug >/dev/null
# A driver that does not build (or warns at W=1) is not this script's to
# judge: the suite goes on, and its `build:` test and the Linux tests fail
# saying why.
echo "prefetch: nvsoc's modules against each (sw/drivers/build-modules.sh)"
for variant in "" debug; do
    "$repo/sw/drivers/build-modules.sh" ${variant:+--variant "$variant"} >/dev/null ||
        echo "prefetch: the modules do not build against the ${variant:-default} kernel (above); going on"
done
# The initramfs fetches its Debian packages (busybox-static, pciutils and
# its libraries: the list is in sw/rootfs/build-initramfs.sh) and builds the
# tools (sw/tools/build-tools.sh) into the cache.
echo "prefetch: the initramfs's Debian riscv64 packages and tools"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$repo/sw/rootfs/build-initramfs.sh" "$tmp/initramfs.cpio" >/dev/null
echo "prefetch: Debian's riscv64 stock kernel (linux-image-riscv64)"
"$repo/scripts/fetch-debian-riscv64.sh" linux-image-riscv64 >/dev/null
