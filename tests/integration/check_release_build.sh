#!/usr/bin/env bash
# Release (-O3) builds with warnings as errors. GCC warns differently at
# -O3 than at the -O2 of RelWithDebInfo (its inliner exposes false
# -Wrestrict and -Warray-bounds reports inside the standard library), so a
# Release build can break while the tested build is clean.
#
#   check_release_build.sh SOURCE_DIR BUILD_DIR GENERATOR C_COMPILER CXX_COMPILER
#
# The whole project is built, tests included (both of GCC 12's -O3 reports
# were in code the nvsoc binary alone would not have compiled: one in the
# models, one in a unit test). BUILD_DIR lives in the main build tree and is
# kept, so only the first run pays for a full build (several minutes on 2
# cores); later runs recompile what changed. It is its own directory rather
# than a benchmark build: the benchmarks (scripts/bench-*.sh) measure the
# RelWithDebInfo build that docs/performance.md reports.
set -euo pipefail
src=$1 dir=$2 generator=$3 cc=$4 cxx=$5
cmake -S "$src" -B "$dir" -G "$generator" -DCMAKE_BUILD_TYPE=Release -DNVSOC_WERROR=ON \
    -DCMAKE_C_COMPILER="$cc" -DCMAKE_CXX_COMPILER="$cxx" >/dev/null
cmake --build "$dir" -j2
echo "ok: a Release build with -Werror compiles"
