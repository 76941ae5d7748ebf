#!/usr/bin/env bash
# Builds every out-of-tree driver of sw/drivers/*/ against nvsoc's kernel
# (sw/linux/build-kernel.sh --print-dir), with W=1, and fails if the build
# prints a single warning: kernel code in nvsoc builds warning-free at W=1.
#
#   sw/drivers/build-modules.sh                   # against the default kernel
#   sw/drivers/build-modules.sh --variant debug   # against the debug kernel (lockdep)
#
# stdout carries one line, the directory holding the .ko files (all drivers'
# modules side by side; empty when sw/drivers/ has no driver); progress goes
# to stderr. The kernel is built first if it is not in the cache.
#
# A driver is a directory sw/drivers/NAME/ with a Kbuild file. It is built
# out of the clone: its files are copied into a cache build directory that
# mirrors the repository's layout (sw/drivers/NAME/ plus the shared register
# headers models/gpu/nvsoc_gpu_hw.h and models/nvlink/*_hw.h), so the clone stays clean and a Kbuild
# that reaches the header as $(src)/../../../models/gpu works in both places.
#
# Cached outside the clone, under
#   ${NVSOC_CACHE:-$HOME/.cache/nvsoc}/modules/<key>/{ko/,build/,build.log}
# where <key> hashes the drivers' files, the shared header, the kernel's
# build directory (itself named by the kernel's cache key) and this script.
# Only a build without warnings is published, so a cached key has passed.
# Concurrent runs for one key are serialised by a lock.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
# shellcheck source=SCRIPTDIR/../cached_build.sh
. "$repo/sw/cached_build.sh"
header=models/gpu/nvsoc_gpu_hw.h
# The NVLink port block the GPU header's NVL() blocks hold.
nvl_header=models/nvlink/nvlink_port_hw.h
# The native NVLink fabric node's registers (nvsoc-nvlink-fabric, and the
# GPU driver's platform front end).
fab_header=models/nvlink/nvlink_fabric_hw.h
cross=riscv64-linux-gnu-

say() { echo "build-modules: $*" >&2; }
die() { echo "build-modules: error: $*" >&2; exit 1; }
usage() {
    sed -n '2,11s/^# \{0,1\}//p' "$0" >&2
    exit "$1"
}

variant=()
while [ $# -gt 0 ]; do
    case $1 in
        --variant)
            [ $# -ge 2 ] || { echo "build-modules.sh: error: --variant needs a name (debug)" >&2; usage 2; }
            variant=(--variant "$2")
            shift ;;
        -h|--help) usage 0 ;;
        *) echo "build-modules.sh: error: unknown argument '$1'" >&2; usage 2 ;;
    esac
    shift
done

for tool in make flock sha256sum tar; do
    command -v "$tool" >/dev/null || die "'$tool' not found; run scripts/setup.sh"
done
[ -f "$repo/$header" ] || die "the shared register header $header is missing"
[ -f "$repo/$nvl_header" ] || die "the shared register header $nvl_header is missing"
[ -f "$repo/$fab_header" ] || die "the shared register header $fab_header is missing"

# The kernel (built now if it is not cached yet). Its path names its key.
kbuild=$("$repo/sw/linux/build-kernel.sh" "${variant[@]}" --print-dir) ||
    die "could not build the kernel (sw/linux/build-kernel.sh ${variant[*]} --print-dir)"
[ -f "$kbuild/Module.symvers" ] || die "$kbuild has no Module.symvers: not a complete kernel build"

# The drivers' files, as paths relative to the repository: everything under
# sw/drivers/*/ except kbuild's products (from a build inside the clone) and
# hidden files (editor swap files, .cmd files), which must neither change the
# key nor reach the copy.
drivers=()
for d in "$here"/*/; do
    [ -d "$d" ] || continue
    name=$(basename "$d")
    [ -f "$d/Kbuild" ] || die "sw/drivers/$name/ has no Kbuild file (a driver directory needs one)"
    case $name in *[!A-Za-z0-9_-]*) die "sw/drivers/$name/: a driver's name may hold only letters, digits, '-' and '_'" ;; esac
    drivers+=("$name")
done
files=$(
    cd "$repo"
    for name in "${drivers[@]}"; do
        find "sw/drivers/$name" -type f ! -name '.*' ! -path '*/.*/*' \
            ! -name '*.o' ! -name '*.ko' ! -name '*.mod' ! -name '*.mod.c' ! -name '*.a' \
            ! -name 'modules.order' ! -name 'Module.symvers' ! -name '*~'
    done | LC_ALL=C sort
    echo "$header"
    echo "$nvl_header"
    echo "$fab_header"
)

key=$(
    {
        echo "nvsoc modules"
        echo "kernel $kbuild"
        cat "${BASH_SOURCE[0]}" "$repo/sw/cached_build.sh"
        hash_files
    } | sha256sum | cut -c1-16
)
cached_build_open modules "$key" ko "${#drivers[@]} driver(s)"
# Messages name the copy; show them with the clone's paths (sw/drivers/...).
in_clone() { sed "s|$partial/build/||g"; }

for name in "${drivers[@]}"; do
    dir=$partial/build/sw/drivers/$name
    say "building $name against $kbuild (W=1)"
    # (8>&- : make must not inherit the lock.)
    if ! make -C "$kbuild" ARCH=riscv CROSS_COMPILE="$cross" M="$dir" W=1 -j2 modules \
            >"$partial/$name.log" 2>&1 8>&-; then
        cat "$partial/$name.log" >>"$log"
        tail -n 40 "$partial/$name.log" | in_clone >&2
        die "building $name failed (full log: $log)"
    fi
    cat "$partial/$name.log" >>"$log"
    # gcc and ld say "warning:", modpost "WARNING:"; either fails the build.
    if grep -qi 'warning:' "$partial/$name.log"; then
        grep -i -B2 -A4 'warning:' "$partial/$name.log" | in_clone >&2 || true
        die "$name builds with warnings at W=1 (above; full log: $log); kernel code must build warning-free"
    fi
    count=0
    while IFS= read -r -d '' ko; do
        [ ! -e "$partial/ko/${ko##*/}" ] || die "two drivers build a module named ${ko##*/}"
        cp "$ko" "$partial/ko/"
        count=$((count + 1))
    done < <(find "$dir" -name '*.ko' -print0)
    [ "$count" -gt 0 ] || die "building $name gave no .ko file (full log: $log)"
done

# The rename publishes the whole build at once.
cached_build_publish
say "done: ${#drivers[@]} driver(s), $(find "$final/ko" -name '*.ko' | wc -l) module(s) in $final/ko"
echo "$final/ko"
