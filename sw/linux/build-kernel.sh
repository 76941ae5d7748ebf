#!/usr/bin/env bash
# Builds nvsoc's riscv64 Linux kernel: Debian's linux-source-6.12, configured
# as `make tinyconfig` + sw/linux/nvsoc.config, cross-compiled out of tree.
#
#   sw/linux/build-kernel.sh              # prints the absolute path of arch/riscv/boot/Image
#   sw/linux/build-kernel.sh --print-dir  # prints the O= build directory (for modules: make -C DIR M=...)
#   sw/linux/build-kernel.sh --config-only  # configures and verifies only; prints the .config
#   sw/linux/build-kernel.sh --variant debug  # the same kernel plus sw/linux/debug.config
#                                             # (lockdep, sleep-in-atomic checks), cached apart
#
# stdout carries that one line and nothing else, so `img=$(sw/linux/build-kernel.sh)`
# works; progress goes to stderr, the full build output to a log file.
#
# Builds are cached outside the clone, under
#   ${NVSOC_CACHE:-$HOME/.cache/nvsoc}/linux/<key>/{build/,build.log,nvsoc.config}
# where <key> hashes everything that decides the result: the source package
# version, the fragment, this script and its helper, and the cross compiler's
# version. A warm cache answers at once. A build runs in <key>.partial/ and is
# renamed to <key>/ only when complete; an interrupted build is resumed (make
# is incremental) by the next run.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=SCRIPTDIR/source.sh
. "$here/source.sh"

fragment=$here/nvsoc.config
variant=
cross=riscv64-linux-gnu-
# Seconds between two progress lines during the compile.
progress_interval=${NVSOC_PROGRESS_INTERVAL:-30}

usage() {
    sed -n '2,10s/^# \{0,1\}//p' "$0" >&2
    exit "$1"
}

print=image
while [ $# -gt 0 ]; do
    case $1 in
        --print-dir) print=dir ;;
        --config-only) print=config ;;
        --variant)
            [ $# -ge 2 ] || { echo "build-kernel.sh: error: --variant needs a name (debug)" >&2; usage 2; }
            variant=$2
            [ -f "$here/$variant.config" ] ||
                { echo "build-kernel.sh: error: no variant '$variant' (no sw/linux/$variant.config)" >&2; exit 2; }
            shift ;;
        -h|--help) usage 0 ;;
        *) echo "build-kernel.sh: error: unknown argument '$1'" >&2; usage 2 ;;
    esac
    shift
done

say() { echo "build-kernel: $*" >&2; }

command -v "${cross}gcc" >/dev/null ||
    linux_die "${cross}gcc not found; run scripts/setup.sh (package gcc-riscv64-linux-gnu)"
for tool in make gcc flex bison bc flock; do
    command -v "$tool" >/dev/null || linux_die "'$tool' not found; run scripts/setup.sh"
done
[ -f "$fragment" ] || linux_die "config fragment $fragment is missing"
# The fragments merged on top of tinyconfig: nvsoc.config, then the
# variant's (its lines win; build-kernel verifies the merged list).
fragments=("$fragment")
[ -z "$variant" ] || fragments+=("$here/$variant.config")

# The cache key. Hashing this script and source.sh means a change to how the
# kernel is built never reuses a build made the old way.
key=$(
    {
        echo "$LINUX_SOURCE_PACKAGE $LINUX_SOURCE_VERSION"
        cat "${fragments[@]}" "${BASH_SOURCE[0]}" "$here/source.sh"
        "${cross}gcc" --version
    } | sha256sum | cut -c1-16
)
top=$NVSOC_CACHE_DIR/linux
final=$top/$key
partial=$top/$key.partial

result() {
    if [ "$print" = dir ]; then echo "$final/build"; else echo "$final/build/arch/riscv/boot/Image"; fi
}

if [ "$print" != config ] && [ -f "$final/build/arch/riscv/boot/Image" ]; then
    say "cached build $key (linux $LINUX_SOURCE_VERSION): $final/build/arch/riscv/boot/Image"
    result
    exit 0
fi

src=$(linux_source_tree)
mkdir -p "$top"

# One builder per key: a second concurrent run waits, then finds the result.
exec 8>"$top/$key.lock"
if ! flock -n 8; then
    say "another build of $key is running; waiting for it"
    flock 8
fi
if [ "$print" != config ] && [ -f "$final/build/arch/riscv/boot/Image" ]; then
    say "built meanwhile by another run: $final/build/arch/riscv/boot/Image"
    result
    exit 0
fi

if [ -d "$partial" ]; then
    say "continuing in $partial (left by an interrupted or --config-only run)"
else
    mkdir -p "$partial/build"
fi
# The variant's lines replace nvsoc.config's for the same option, so that
# the verification below checks one value per option.
{
    if [ -n "$variant" ]; then
        opts=$(sed -n -e 's/^\(CONFIG_[A-Za-z0-9_]*\)=.*/\1/p' \
                      -e 's/^# \(CONFIG_[A-Za-z0-9_]*\) is not set$/\1/p' "${fragments[1]}")
        grep -vE "^(# )?($(echo "$opts" | paste -sd'|'))[= ]" "$fragment" || true
        cat "${fragments[1]}"
    else
        cat "$fragment"
    fi
} >"$partial/nvsoc.config"
log=$partial/build.log
obj=$partial/build

# Fixed build identity so that two builds of the same key give the same
# Image (uname -v shows the source package's release date, not today).
# The timestamp must be a date that `date -d` parses (usr/Makefile uses it).
# (sed quits at the first match itself: `| head -1` would SIGPIPE zcat,
# which pipefail turns into a failure.)
release_date=$(zcat "/usr/share/doc/$LINUX_SOURCE_PACKAGE/changelog.Debian.gz" 2>/dev/null |
               sed -n '/^ -- .*>  /{s/^ -- .*>  //p;q}' || true)
export KBUILD_BUILD_TIMESTAMP=${release_date:-1970-01-01 00:00:00 UTC}
export KBUILD_BUILD_USER=nvsoc KBUILD_BUILD_HOST=nvsoc
kmake=(make -C "$src" O="$obj" ARCH=riscv CROSS_COMPILE="$cross")

fail() {
    say "error: $*"
    if [ -f "$log" ]; then
        echo "---- last 40 lines of $log ----" >&2
        tail -n 40 "$log" >&2
        echo "---- full log: $log ----" >&2
    fi
    exit 1
}

started=$(date +%s)
say "building linux $LINUX_SOURCE_VERSION, key $key, log $log"

# 1. Configure: tinyconfig, then the fragment on top. merge_config.sh -m only
#    concatenates (later values win, redefinitions are noted in the log);
#    olddefconfig then resolves dependencies. It writes temporary files into
#    the current directory, hence the cd.
say "configuring (tinyconfig + $(basename "$fragment"))"
{
    "${kmake[@]}" tinyconfig &&
    (cd "$obj" && ARCH=riscv "$src/scripts/kconfig/merge_config.sh" -m -O "$obj" "$obj/.config" "$partial/nvsoc.config") &&
    "${kmake[@]}" olddefconfig
} >"$log" 2>&1 || fail "configuration failed"

# 2. Verify: every line of the fragment must hold in the final .config.
#    kconfig silently drops a value whose dependencies are not met, so
#    without this an option could be missing with nothing said.
bad=0
# An option given twice would make the check below compare against only
# one of its values; refuse that outright.
dups=$(sed -n -e 's/^\(CONFIG_[A-Za-z0-9_]*\)=.*/\1/p' -e 's/^# \(CONFIG_[A-Za-z0-9_]*\) is not set$/\1/p' \
       "$partial/nvsoc.config" | sort | uniq -d | tr '\n' ' ')
[ -z "$dups" ] || fail "sw/linux/nvsoc.config sets these options more than once: $dups"
while IFS= read -r line; do
    case $line in
        CONFIG_*=*) opt=${line%%=*}; want=${line#*=} ;;
        "# CONFIG_"*" is not set") opt=${line#\# }; opt=${opt%% *}; want=n ;;
        *) continue ;;
    esac
    got=$(sed -n -e "/^$opt=/{s/^$opt=//p;q}" -e "/^# $opt is not set\$/{s/.*/n/p;q}" "$obj/.config")
    # An option that is absent from .config is off (its menu is hidden).
    [ -n "$got" ] || got=n
    if [ "$got" != "$want" ]; then
        # Where the option is defined: generic Kconfig files, then riscv's
        # (other architectures' definitions would only mislead).
        where=$({ grep -rnE --include='Kconfig*' --exclude-dir=arch "^(menu)?config ${opt#CONFIG_}\$" "$src"
                  grep -rnE "^(menu)?config ${opt#CONFIG_}\$" "$src/arch/riscv"; } 2>/dev/null |
                sed -n "s|^$src/||;s|:[^:]*\$||;p;q" || true)
        say "error: $opt: sw/linux/nvsoc.config asks for '$want' but the merged config has '$got'${where:+ (defined at $where; check its 'depends on' and what selects it)}"
        bad=$((bad + 1))
    fi
done <"$partial/nvsoc.config"
[ "$bad" -eq 0 ] || fail "$bad option(s) of the fragment did not survive the merge (see above); fix sw/linux/nvsoc.config"
say "config verified: all $(grep -cE '^(CONFIG_|# CONFIG_.* is not set)' "$partial/nvsoc.config") fragment options hold"
if [ "$print" = config ]; then
    # Left in <key>.partial/: a later full build resumes from it.
    echo "$obj/.config"
    exit 0
fi

# 3. Compile in the background, printing a progress line every
#    $progress_interval seconds: the number of compile steps so far (CC and
#    AS lines of the log) and the last one.
say "compiling Image and modules (make -j2; a cold build takes several minutes)"
# (8>&- : make must not inherit the lock, or a killed run would keep it.)
"${kmake[@]}" -j2 Image modules >>"$log" 2>&1 8>&- &
make_pid=$!
# Do not leave make running if this script is stopped.
trap 'kill "$make_pid" 2>/dev/null || true' EXIT
compile_start=$(date +%s)
next=$((compile_start + progress_interval))
while kill -0 "$make_pid" 2>/dev/null; do
    sleep 1
    now=$(date +%s)
    if [ "$now" -ge "$next" ]; then
        next=$((now + progress_interval))
        elapsed=$((now - compile_start))
        steps=$(grep -cE '^  (CC|AS) ' "$log" || true)
        last=$(grep -E '^  (CC|AS|LD|AR) ' "$log" | tail -n 1 | awk '{print $NF}' || true)
        say "$((elapsed / 60))m$((elapsed % 60))s: $steps files compiled${last:+, now at $last}"
    fi
done
if wait "$make_pid"; then status=0; else status=$?; fi
trap - EXIT
[ "$status" -eq 0 ] || fail "make Image modules failed (status $status)"
[ -f "$obj/arch/riscv/boot/Image" ] || fail "make succeeded but $obj/arch/riscv/boot/Image is missing"

# 4. Publish: the rename is atomic, so <key>/ exists only when complete.
rm -rf "$final"
mv "$partial" "$final"
say "done in $(( $(date +%s) - started ))s: $final/build/arch/riscv/boot/Image ($(stat -c %s "$final/build/arch/riscv/boot/Image") bytes)"
result
