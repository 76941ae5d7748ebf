#!/usr/bin/env bash
# The Linux tests on a fresh machine: both linux-labelled boot tests at
# ctest -j2, as scripts/test.sh runs them, from a package cache that holds
# only the kernel builds. Debian's packages (busybox-static, pciutils and
# its libraries, the stock kernel) are fetched again into a temporary
# NVSOC_CACHE, and nvsoc's modules and tools are built again there (seconds);
# the kernels (and their extracted source) are linked from the real cache,
# since rebuilding them would take many minutes and prove nothing about the
# packages.
#
#   tests/linux/fresh_cache.sh [--no-prefetch] [BUILD_DIR]   (default: build)
#
# By default the packages are prefetched first, as scripts/test.sh does
# (tests/linux/prefetch.sh). --no-prefetch leaves the empty cache to the two
# tests themselves, so that they fetch into it at the same time and only
# scripts/fetch-debian-riscv64.sh's lock keeps them apart.
#
# scripts/test.sh (and so CI) runs the Linux tests this way, in prefetch
# mode; the suite's "fetch:" test checks the concurrent fetch alone.
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
prefetch=1
if [ "${1:-}" = --no-prefetch ]; then
    prefetch=0
    shift
fi
build=$(cd "${1:-$repo/build}" && pwd)
[ -f "$build/CTestTestfile.cmake" ] || { echo "fresh_cache: $build is not a configured build tree" >&2; exit 2; }

real=${NVSOC_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/nvsoc}
# Builds the kernels into the real cache if they are not there yet.
"$repo/sw/linux/build-kernel.sh" >/dev/null
"$repo/sw/linux/build-kernel.sh" --variant debug >/dev/null
cache=$(mktemp -d)
trap 'rm -rf "$cache"' EXIT
ln -s "$real/linux" "$cache/linux"
export NVSOC_CACHE=$cache
echo "fresh_cache: NVSOC_CACHE=$cache, holding only $real/linux"
if [ "$prefetch" -eq 1 ]; then
    "$repo/tests/linux/prefetch.sh"
fi
# The boot tests only: the "fetch:" test has a cache of its own.
ctest --test-dir "$build" -j2 --output-on-failure -L linux
