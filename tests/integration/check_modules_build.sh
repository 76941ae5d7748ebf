#!/usr/bin/env bash
# nvsoc's out-of-tree drivers (sw/drivers/*/) build against both of nvsoc's
# kernels, the default and the debug variant, with W=1 and not one warning
# (sw/drivers/build-modules.sh fails on any), and each gives NAME.ko whose
# vermagic is that kernel's release. With no driver yet, the builds must
# still succeed with an empty module directory.
#
#   check_modules_build.sh
#
# The kernels come from the cache (scripts/test.sh builds them first, in
# tests/linux/prefetch.sh); a module build takes seconds, and a cached one
# (only warning-free builds are cached) none.
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
failures=0
passed=0
check() { # DESCRIPTION COMMAND...
    local what=$1
    shift
    if "$@"; then
        echo "ok: $what"
        passed=$((passed + 1))
    else
        echo "FAIL: $what"
        failures=$((failures + 1))
    fi
}
# The vermagic string of a module (its .modinfo section, NUL-separated).
vermagic() { # KO
    riscv64-linux-gnu-objcopy -O binary --only-section=.modinfo "$1" /dev/stdout |
        tr '\0' '\n' | sed -n 's/^vermagic=//p'
}

one_directory() { # TEXT
    [ "$(wc -l <<<"$1")" -eq 1 ] && [ -d "$1" ]
}

drivers=()
for d in "$repo"/sw/drivers/*/; do
    [ -d "$d" ] && drivers+=("$(basename "$d")")
done
echo "drivers: ${drivers[*]:-(none yet)}"

for variant in default debug; do
    opt=()
    [ "$variant" = default ] || opt=(--variant "$variant")
    status=0
    out=$("$repo/sw/drivers/build-modules.sh" "${opt[@]}") || status=$?
    check "$variant kernel: build-modules.sh${opt[*]:+ ${opt[*]}} succeeds (W=1, no warning)" [ "$status" -eq 0 ]
    [ "$status" -eq 0 ] || continue
    check "$variant kernel: one line on stdout, a directory" one_directory "$out"
    release=$(cat "$("$repo/sw/linux/build-kernel.sh" "${opt[@]}" --print-dir 2>/dev/null)/include/config/kernel.release")
    for name in "${drivers[@]}"; do
        check "$variant kernel: $name.ko built" [ -f "$out/$name.ko" ]
        [ -f "$out/$name.ko" ] || continue
        magic=$(vermagic "$out/$name.ko")
        check "$variant kernel: $name.ko's vermagic '$magic' is for $release" [ "${magic%% *}" = "$release" ]
    done
    [ "${#drivers[@]}" -gt 0 ] ||
        check "$variant kernel: no driver, no module" [ -z "$(find "$out" -name '*.ko')" ]
done

echo "$passed passed, $failures failed"
[ "$failures" -eq 0 ]
