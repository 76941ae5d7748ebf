# shellcheck shell=bash
# Sourced by the Linux integration tests (tests/linux/*.sh): nvsoc's kernel
# (sw/linux, from the cache outside the clone; the first run builds it, which
# takes several minutes on 2 cores), nvsoc's out-of-tree modules
# (sw/drivers, built against it) and initramfs (sw/rootfs), boots in test
# mode, checks on what the guest printed, and the closing summary.
#
# The caller sets `nvsoc` (the binary), `config` (the platform),
# `default_logs` (where logs go unless NVSOC_LINUX_LOGS says) and
# `max_time` (simulated time a boot may take), and `set -euo pipefail`.
# It gets `repo`, `work` (a temporary directory), the kernel of
# NVSOC_KERNEL_VARIANT (unset: the default kernel; `debug`: the debug
# variant, sw/linux/debug.config) set up as by `use_kernel`, and:
#   use_kernel [VARIANT]   switches to nvsoc's default kernel (no argument)
#                          or a variant (debug), setting `kernel` (its Image),
#                          `kbuild` (its O= directory), `modules` (nvsoc's
#                          modules built against it, sw/drivers/build-modules.sh),
#                          `initrd` (the initramfs with those modules, which
#                          /init loads at boot) and `with_modules` (initrd
#                          plus the kernel's own modules, pci_endpoint_test
#                          among them, also under /lib/modules: boots that
#                          insmod those by hand pass nvsoc_modules=off)
#   boot NAME KERNEL INITRD APPEND [NVSOC OPTION...]
#       runs nvsoc with stdin from $work/NAME.in if it exists (else
#       /dev/null); sets $status and $out (the console without CRs)
#   check DESCRIPTION COMMAND...   counts a check; remembers the boot it failed on
#   has PATTERN / lacks PATTERN    grep the last boot's console
#   no_splat                       the last boot's console shows no kernel
#                                  splat (lockdep, sleep in atomic, BUG, WARNING,
#                                  Oops, panic); prints the lines it found
#   finish                         prints failed boots' consoles and "N passed, N failed"
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
logs=${NVSOC_LINUX_LOGS:-$default_logs}
rm -rf "$logs"
mkdir -p "$logs"

use_kernel() { # [VARIANT]
    local variant=${1:-} opt=() dir
    [ -z "$variant" ] || opt=(--variant "$variant")
    dir=$work/kernel${variant:+-$variant}
    kernel=$("$repo/sw/linux/build-kernel.sh" "${opt[@]}")
    kbuild=$("$repo/sw/linux/build-kernel.sh" "${opt[@]}" --print-dir 2>/dev/null)
    modules=$("$repo/sw/drivers/build-modules.sh" "${opt[@]}")
    initrd=$dir/initramfs.cpio
    with_modules=$dir/with-modules.cpio
    [ ! -f "$with_modules" ] || return 0
    mkdir -p "$dir/extra/lib/modules"
    "$repo/sw/rootfs/build-initramfs.sh" --modules "$modules" "$initrd" >/dev/null
    # A second archive appended to the first (Linux unpacks concatenated
    # cpio archives in order): the kernel's own modules under /lib/modules.
    find "$kbuild" -name '*.ko' -exec cp {} "$dir/extra/lib/modules/" \;
    (cd "$dir/extra" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) >"$dir/modules.cpio"
    cat "$initrd" "$dir/modules.cpio" >"$with_modules"
}
use_kernel "${NVSOC_KERNEL_VARIANT:-}"

failures=0
passed=0
failed_boots=()
last_boot=
check() { # DESCRIPTION COMMAND...
    local what=$1
    shift
    if "$@"; then
        echo "ok: $what"
        passed=$((passed + 1))
    else
        echo "FAIL: $what"
        failures=$((failures + 1))
        case " ${failed_boots[*]} " in *" $last_boot "*) ;; *) failed_boots+=("$last_boot") ;; esac
    fi
}
out=
# (A here-string, not a pipe: grep -q stops reading at the first match, and
# under pipefail the writer's SIGPIPE would turn a match into a failure.)
has() { grep -q -- "$1" <<<"$out"; }
lacks() { ! has "$1"; }
# has_n N PATTERN: exactly N distinct lines of the last boot's output match
# (a guest script that prints dmesg repeats the console's kernel lines,
# timestamps and all; two real reports differ at least in their time).
has_n() { [ "$( (grep -- "$2" <<<"$out" || true) | sort -u | wc -l)" -eq "$1" ]; }

# What a kernel prints when it finds a bug in itself: lockdep's reports
# ("WARNING: possible circular locking dependency detected", "... recursive
# locking ...", "inconsistent lock state", "INFO: trying to register
# non-static key"), "BUG: sleeping function called from invalid context",
# every other BUG: and WARNING: (BUG_ON, WARN_ON, DEBUG_SPINLOCK's "BUG:
# spinlock ..."), oopses and panics. Lockdep reports only the first
# problem it finds and then switches itself off, saying so.
splat_re='WARNING:|BUG:|Oops|Unable to handle kernel|Kernel panic|INFO: trying to register non-static key|turning off the locking correctness validator'
no_splat() {
    local found
    found=$(grep -E -- "$splat_re" <<<"$out" || true)
    [ -z "$found" ] && return 0
    printf '%s\n' "$found" | sed 's/^/  splat: /'
    return 1
}

boot() {
    local name=$1 image=$2 cpio=$3 append=$4 input=/dev/null
    shift 4
    [ -f "$work/$name.in" ] && input=$work/$name.in
    status=0
    "$nvsoc" run "$config" --kernel "$image" --initrd "$cpio" --append "$append" \
        --max-time "$max_time" "$@" <"$input" >"$work/$name.log" 2>&1 || status=$?
    last_boot=$name
    cp "$work/$name.log" "$logs/$name.log"
    out=$(tr -d '\r' <"$work/$name.log")
    echo "---- $name: status $status, last lines:"
    printf '%s\n' "$out" | tail -8
}

finish() {
    local name
    for name in "${failed_boots[@]}"; do
        echo "==== full console of '$name' (a check failed; kept in $logs/$name.log)"
        tr -d '\r' <"$logs/$name.log"
    done
    echo "$passed passed, $failures failed"
    [ "$failures" -eq 0 ]
}
