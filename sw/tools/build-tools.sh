#!/usr/bin/env bash
# Builds every user-space tool of sw/tools/*/ as a static riscv64 Linux
# binary (riscv64-linux-gnu-gcc -static), for the initramfs's /usr/bin.
#
#   sw/tools/build-tools.sh
#
# stdout carries one line, the directory holding the binaries (one per tool,
# named after it; empty when sw/tools/ has no tool); progress goes to stderr.
#
# A tool is a directory sw/tools/NAME/ with a Makefile that builds ./NAME and
# honours CC, CFLAGS and LDFLAGS, which are given on make's command line:
#   make CC=riscv64-linux-gnu-gcc CFLAGS="-O2 -Wall -Wextra -Werror" LDFLAGS=-static
# (so a Makefile adds its own include paths through CPPFLAGS, or with
# `override CFLAGS += ...`). It is built out of the clone, in a cache
# directory that mirrors the repository's layout: sw/tools/NAME/ plus the
# headers a tool may include by relative path, the drivers' include/
# directories (sw/drivers/*/include/, the uapi) and the shared register
# headers (models/gpu/nvsoc_gpu_hw.h, models/nvlink/*_hw.h).
#
# Cached outside the clone, under
#   ${NVSOC_CACHE:-$HOME/.cache/nvsoc}/tools/<key>/{bin/,build/,build.log}
# where <key> hashes those files, this script, the cross compiler's version
# and the riscv64 C library's. Concurrent runs for one key are serialised by
# a lock.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
# shellcheck source=SCRIPTDIR/../cached_build.sh
. "$repo/sw/cached_build.sh"
headers=(models/gpu/nvsoc_gpu_hw.h models/nvlink/nvlink_port_hw.h models/nvlink/nvswitch_hw.h)
cc=riscv64-linux-gnu-gcc
cflags="-O2 -Wall -Wextra -Werror"
ldflags=-static
libc_dev=libc6-dev-riscv64-cross

say() { echo "build-tools: $*" >&2; }
die() { echo "build-tools: error: $*" >&2; exit 1; }

usage() {
    sed -n '2,8s/^# \{0,1\}//p' "$0" >&2
    exit "$1"
}
case ${1:-} in
    '') ;;
    -h|--help) usage 0 ;;
    *) echo "build-tools.sh: error: unknown argument '$1'" >&2; usage 2 ;;
esac

for tool in make flock sha256sum tar "$cc" riscv64-linux-gnu-readelf; do
    command -v "$tool" >/dev/null || die "'$tool' not found; run scripts/setup.sh"
done
libc_version=$(dpkg-query -W -f='${Version}' "$libc_dev" 2>/dev/null || true)
[ -n "$libc_version" ] || die "$libc_dev is not installed; run scripts/setup.sh"

tools=()
for d in "$here"/*/; do
    [ -d "$d" ] || continue
    name=$(basename "$d")
    [ -f "$d/Makefile" ] || die "sw/tools/$name/ has no Makefile (a tool directory needs one)"
    case $name in *[!A-Za-z0-9_-]*) die "sw/tools/$name/: a tool's name may hold only letters, digits, '-' and '_'" ;; esac
    tools+=("$name")
done
# The tools' files (not what a build inside the clone left: objects, the
# binary itself, hidden files), the drivers' headers and the shared headers.
files=$(
    cd "$repo"
    for name in "${tools[@]}"; do
        find "sw/tools/$name" -type f ! -name '.*' ! -path '*/.*/*' \
            ! -name '*.o' ! -name '*.a' ! -name '*~' ! -path "sw/tools/$name/$name"
    done
    find sw/drivers -mindepth 3 -path 'sw/drivers/*/include/*' -type f ! -name '.*'
    printf '%s\n' "${headers[@]}"
)
files=$(LC_ALL=C sort <<<"$files")

key=$(
    {
        echo "nvsoc tools"
        cat "${BASH_SOURCE[0]}" "$repo/sw/cached_build.sh"
        "$cc" --version
        echo "$libc_dev $libc_version"
        hash_files
    } | sha256sum | cut -c1-16
)
cached_build_open tools "$key" bin "${#tools[@]} tool(s)"

for name in "${tools[@]}"; do
    dir=$partial/build/sw/tools/$name
    say "building $name (static riscv64)"
    if ! make -C "$dir" CC="$cc" CFLAGS="$cflags" LDFLAGS="$ldflags" \
            >"$partial/$name.log" 2>&1 8>&-; then
        cat "$partial/$name.log" >>"$log"
        tail -n 40 "$partial/$name.log" >&2
        die "building $name failed (full log: $log)"
    fi
    cat "$partial/$name.log" >>"$log"
    bin=$dir/$name
    [ -f "$bin" ] || die "make in sw/tools/$name/ did not build ./$name (full log: $log)"
    # The initramfs has a dynamic loader only for pciutils: a tool must be
    # a static riscv64 executable (a Makefile that drops LDFLAGS is caught).
    riscv64-linux-gnu-readelf -h "$bin" 2>/dev/null | grep -q 'Machine: *RISC-V' ||
        die "sw/tools/$name/$name is not a riscv64 executable (was CC=$cc used?)"
    ! riscv64-linux-gnu-readelf -l "$bin" | grep -q 'INTERP' ||
        die "sw/tools/$name/$name is dynamically linked (was LDFLAGS=$ldflags used?)"
    cp "$bin" "$partial/bin/$name"
done

cached_build_publish
say "done: ${#tools[@]} tool(s) in $final/bin"
echo "$final/bin"
