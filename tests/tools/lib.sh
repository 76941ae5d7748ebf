# shellcheck shell=bash
# Sourced by the host tests of sw/tools (tests/tools/test_*.sh), which take
# one optional argument, the build directory. Sets `here` (tests/tools),
# `repo`, `work` (a temporary directory, removed at exit), `build` (the
# argument, or a directory in work) and `failures=0`, and gives:
#   host_build TOOL SANITIZERS   builds sw/tools/TOOL with the host's gcc
#                                into $build (-O1 -g, warnings are errors,
#                                the sanitizer flags given); on failure
#                                prints the log and exits 1
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
build=${1:-$work/build}
# shellcheck disable=SC2034 # the sourcing scripts count their checks in it
failures=0

host_build() { # TOOL SANITIZERS
    if ! make -s -C "$repo/sw/tools/$1" O="$build" CC=gcc \
            CFLAGS="-O1 -g -Wall -Wextra -Werror $2" LDFLAGS="$2" >"$work/make.log" 2>&1; then
        cat "$work/make.log"
        echo "FAIL: $1 does not build for the host"
        exit 1
    fi
}
