#!/usr/bin/env bash
# The whole test suite, from a fresh clone: install what is missing, build,
# run every test, then build again with AddressSanitizer and
# UndefinedBehaviorSanitizer and run every test once more.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh

# Warnings are errors here (NVSOC_WERROR is off by default so that a user's
# newer or older compiler cannot break their build over a warning).
echo "=== build (RelWithDebInfo)"
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DNVSOC_WERROR=ON >/dev/null
cmake --build build -j2
# What the Linux tests take from outside the clone, first and on its own:
# the kernels, default and debug (the first build of each takes several
# minutes on 2 cores; later runs find them in the cache), so that no test
# runs beside the compile, nvsoc's modules and tools, and Debian's riscv64
# packages, so that the two Linux tests ctest starts together do not both
# download them into an empty cache.
echo "=== Linux kernels, modules, tools and Debian riscv64 packages (cached outside the clone)"
tests/linux/prefetch.sh
# QEMU 10, the AIA device tree's reference (the "qemu" tests skip without
# it off line; here a mirror problem fails the run, as it must in CI).
echo "=== QEMU 10 from bookworm-backports (unpacked in the cache, not installed)"
scripts/fetch-reference-qemu.sh
echo "=== tests"
ctest --test-dir build -j2 --output-on-failure -LE linux
# The Linux tests as a fresh machine runs them: at -j2, from a package
# cache that holds only the kernel build (the packages are fetched again
# into it, as above).
echo "=== Linux tests from an empty package cache (tests/linux/fresh_cache.sh)"
tests/linux/fresh_cache.sh build

echo "=== build (ASan + UBSan)"
cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DNVSOC_SANITIZE=ON -DNVSOC_WERROR=ON >/dev/null
cmake --build build-asan -j2
# Not the Linux boots (-O0 with sanitizers is ~10x slower), the Release
# build check (it builds without sanitizers; the first pass ran it) nor the
# checks of kernel code (lint: nothing of nvsoc's runs in them).
echo "=== tests under ASan + UBSan"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    ctest --test-dir build-asan -j2 --output-on-failure -LE 'linux|build|fetch|lint'
