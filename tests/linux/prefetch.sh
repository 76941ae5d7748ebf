#!/usr/bin/env bash
# Everything the Linux tests take from outside the clone, made ready before
# ctest starts them side by side: nvsoc's kernel (sw/linux, built on the
# first run, several minutes on 2 cores) and Debian's riscv64 packages
# (busybox-static for the initramfs, the stock kernel for its boot test).
# With these in the cache, no test compiles or downloads beside another.
# scripts/fetch-debian-riscv64.sh is safe to run concurrently too, so this is
# for speed and clear failures (a mirror problem shows here, once), not for
# correctness. scripts/test.sh runs it; so does tests/linux/fresh_cache.sh.
#
#   tests/linux/prefetch.sh        (honours NVSOC_CACHE)
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
echo "prefetch: Linux kernel (sw/linux, cached by content hash)"
"$repo/sw/linux/build-kernel.sh" >/dev/null
echo "prefetch: Debian riscv64 packages (busybox-static, linux-image-riscv64)"
"$repo/scripts/fetch-debian-riscv64.sh" busybox-static linux-image-riscv64 >/dev/null
