#!/usr/bin/env bash
# Builds nvsoc's initramfs: an uncompressed newc cpio archive with Debian's
# riscv64 busybox, sw/rootfs/init, the test programs of sw/rootfs/programs/,
# the kernel's pcitest tool, and the guest test scripts of tests/linux/guest/
# (as /tests/NAME.sh). No root needed: the archive is written from a list by
# the kernel's own usr/gen_init_cpio, which also makes /dev/console.
#
#   sw/rootfs/build-initramfs.sh OUT.cpio
#
# Progress on stderr; the absolute path of OUT.cpio is the only stdout line.
# The output is deterministic: sorted entries, uid/gid 0, every mtime set to
# $SOURCE_DATE_EPOCH (default 0). It needs the extracted kernel source (for
# gen_init_cpio and pcitest.c) but not a built kernel.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
# shellcheck source=SCRIPTDIR/../linux/source.sh
. "$repo/sw/linux/source.sh"

say() { echo "build-initramfs: $*" >&2; }
die() { echo "build-initramfs: error: $*" >&2; exit 1; }

if [ $# -ne 1 ] || [ "${1:0:1}" = - ]; then
    sed -n '2,13s/^# \{0,1\}//p' "$0" >&2
    exit 2
fi
out=$1
case $out in /*) ;; *) out=$PWD/$out ;; esac
[ -d "$(dirname "$out")" ] || die "directory of $out does not exist"

cc=riscv64-linux-gnu-gcc
command -v "$cc" >/dev/null || die "$cc not found; run scripts/setup.sh (gcc-riscv64-linux-gnu, libc6-dev-riscv64-cross)"
mtime=${SOURCE_DATE_EPOCH:-0}

src=$(linux_source_tree)
gen_init_cpio=$(linux_gen_init_cpio)

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/bin"

# Busybox: Debian's static riscv64 build, fetched (and cached) without
# touching the host's apt configuration.
bbdir=$("$repo/scripts/fetch-debian-riscv64.sh" busybox-static) ||
    die "could not fetch Debian's riscv64 busybox-static (scripts/fetch-debian-riscv64.sh)"
busybox=$bbdir/usr/bin/busybox
[ -f "$busybox" ] || die "$busybox is missing from the busybox-static package"

# The test programs: every sw/rootfs/programs/*.c is one static program.
cflags=(-O2 -std=gnu11 -Wall -Wextra -Werror -static -pthread)
programs=()
for c in "$here"/programs/*.c; do
    [ -e "$c" ] || continue
    name=$(basename "$c" .c)
    say "compiling $name"
    "$cc" "${cflags[@]}" -o "$work/bin/$name" "$c" -lm ||
        die "could not compile $c"
    programs+=("$name")
done

# pcitest, the user-space half of the kernel's pci_endpoint_test driver,
# built as tools/pci/Makefile does (-O2 -Wall -D_GNU_SOURCE) but statically,
# against this source's linux/pcitest.h (the cross libc's copy is older).
say "compiling pcitest from $LINUX_SOURCE_PACKAGE"
mkdir -p "$work/include/linux"
cp "$src/include/uapi/linux/pcitest.h" "$work/include/linux/"
"$cc" -O2 -Wall -D_GNU_SOURCE -static -I"$work/include" -o "$work/bin/pcitest" \
    "$src/tools/pci/pcitest.c" || die "could not compile $src/tools/pci/pcitest.c"
programs+=(pcitest)

# The archive's list (format: usr/gen_init_cpio.c). Source paths are
# whitespace-separated fields there, so refuse paths with blanks.
for p in "$busybox" "$here" "$repo/tests/linux/guest" "$work"; do
    case $p in *[[:space:]]*) die "path '$p' contains whitespace, which gen_init_cpio cannot read" ;; esac
done
list=$work/initramfs.list
{
    for d in /bin /dev /etc /proc /root /sbin /sys /tests /usr /usr/bin /usr/sbin; do
        echo "dir $d 0755 0 0"
    done
    echo "dir /tmp 1777 0 0"
    # The kernel opens /dev/console for init before devtmpfs is mounted.
    echo "nod /dev/console 0600 0 0 c 5 1"
    echo "file /init $here/init 0755 0 0"
    echo "file /etc/profile $here/etc/profile 0644 0 0"
    echo "file /etc/inittab $here/etc/inittab 0644 0 0"
    echo "file /etc/nvsoc-shell $here/etc/nvsoc-shell 0755 0 0"
    echo "file /bin/busybox $busybox 0755 0 0"
    # /init runs `busybox --install -s` for the other applets.
    echo "slink /bin/sh busybox 0777 0 0"
    for name in $(printf '%s\n' "${programs[@]}" | LC_ALL=C sort); do
        echo "file /usr/bin/$name $work/bin/$name 0755 0 0"
    done
    echo "file /usr/bin/pcitest.sh $src/tools/pci/pcitest.sh 0755 0 0"
    for t in $(find "$repo/tests/linux/guest" -maxdepth 1 -name '*.sh' | LC_ALL=C sort); do
        echo "file /tests/$(basename "$t") $t 0755 0 0"
    done
} >"$list"

"$gen_init_cpio" -t "$mtime" "$list" >"$work/out.cpio" ||
    die "gen_init_cpio failed on $list"
mv -f "$work/out.cpio" "$out"
say "wrote $out ($(stat -c %s "$out") bytes: busybox, ${#programs[@]} programs, $(grep -c '^file /tests/' "$list") test scripts)"
echo "$out"
