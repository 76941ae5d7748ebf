#!/usr/bin/env bash
# The kernel's own style checker, scripts/checkpatch.pl of the kernel source
# nvsoc builds (sw/linux: Debian's linux-source-6.12), over every .c and .h
# of the out-of-tree drivers: any ERROR, WARNING or CHECK fails.
#
#   check_checkpatch.sh [DIR]     (default: sw/drivers of this clone)
#
# The options are those a new DRM accel driver is held to:
#   --strict       the CHECK-level tests as well. The DRM maintainers' tool
#                  (dim) runs checkpatch --strict on what is merged through
#                  drm-misc, which is where drivers/accel/ drivers go; new
#                  code can meet it from its first line.
#   -f --no-tree   whole source files, outside a kernel tree: the files are
#                  not in the tree, and the checks that need one (a DT
#                  compatible must have an in-tree binding, ...) do not
#                  apply to an out-of-tree driver documented here.
#   --show-types   each message names its type (to fix it, or if it must
#                  ever be ignored, to add `--ignore TYPE` here with the
#                  reason in this comment; none is ignored today).
# The line length limit is checkpatch's default, 100 columns. codespell is
# not used (checkpatch's own spelling.txt is).
#
# First two canaries in a temporary directory, so that a checkpatch that
# cannot run, or options that pass everything, fail this test instead of
# hiding problems: a clean file must pass and a file whose only finding is a
# CHECK must fail. Exit 77 (ctest: skipped) when DIR has no .c or .h file.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
dir=${1:-$repo/sw/drivers}
# shellcheck source=SCRIPTDIR/../../sw/linux/source.sh
. "$repo/sw/linux/source.sh"
src=$(linux_source_tree)
checkpatch=$src/scripts/checkpatch.pl
[ -f "$checkpatch" ] || { echo "check_checkpatch: error: $checkpatch is missing" >&2; exit 1; }
options=(--strict -f --no-tree --show-types --no-summary --color=never)

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cat >"$work/clean.c" <<'EOF'
// SPDX-License-Identifier: GPL-2.0-only
#include <linux/module.h>

static int __init canary_init(void)
{
	return 0;
}
module_init(canary_init);

MODULE_DESCRIPTION("checkpatch canary");
MODULE_LICENSE("GPL");
EOF
# `p == NULL` draws only "CHECK:COMPARISON_TO_NULL" (under --strict).
sed 's/return 0;/return THIS_MODULE == NULL;/' "$work/clean.c" >"$work/check.c"
if ! out=$(perl "$checkpatch" "${options[@]}" "$work/clean.c" 2>&1); then
    printf '%s\n' "$out"
    echo "check_checkpatch: FAIL: checkpatch rejects a clean file: it cannot run, or the options are wrong"
    exit 1
fi
if out=$(perl "$checkpatch" "${options[@]}" "$work/check.c" 2>&1) || ! grep -q '^CHECK:COMPARISON_TO_NULL' <<<"$out"; then
    printf '%s\n' "$out"
    echo "check_checkpatch: FAIL: checkpatch passes a file with a CHECK finding (is --strict in effect?)"
    exit 1
fi
echo "check_checkpatch: ok: the canaries (a clean file passes, a CHECK fails)"

# Paths relative to the clone in the messages, when DIR is in it.
dir=$(cd "$dir" && pwd)
case $dir/ in "$repo"/*) cd "$repo" && dir=${dir#"$repo"/} ;; esac
mapfile -t files < <(find "$dir" -type f \( -name '*.c' -o -name '*.h' \) ! -name '*.mod.c' | LC_ALL=C sort)
if [ "${#files[@]}" -eq 0 ]; then
    echo "check_checkpatch: no .c or .h file under $dir yet: nothing to check"
    exit 77
fi
echo "check_checkpatch: checkpatch.pl ${options[*]} on ${#files[@]} file(s) under $dir"
if out=$(perl "$checkpatch" "${options[@]}" "${files[@]}" 2>&1); then
    echo "check_checkpatch: ok: no ERROR, WARNING or CHECK"
    exit 0
fi
printf '%s\n' "$out"
echo "check_checkpatch: FAIL: $(grep -cE '^(ERROR|WARNING|CHECK):' <<<"$out") finding(s) (above); fix them (Documentation/process/coding-style.rst)"
exit 1
