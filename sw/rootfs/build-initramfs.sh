#!/usr/bin/env bash
# Builds nvsoc's initramfs: an uncompressed newc cpio archive with Debian's
# riscv64 busybox, sw/rootfs/init, the test programs of sw/rootfs/programs/,
# the kernel's pcitest tool, the tools of sw/tools/ (sw/tools/build-tools.sh),
# Debian's pciutils (lspci, setpci) and numactl, with their shared libraries, the dynamic
# loader and pci.ids), the guest test scripts of tests/linux/guest/ (as
# /tests/NAME.sh) and, with --modules, nvsoc's out-of-tree kernel modules
# (as /lib/modules/NAME.ko; /init loads them at boot). No root needed: the
# archive is written from a list by the kernel's own usr/gen_init_cpio,
# which also makes /dev/console.
#
#   sw/rootfs/build-initramfs.sh [--modules DIR] OUT.cpio
#
#   --modules DIR   the .ko files of DIR go to /lib/modules/; DIR is what
#                   sw/drivers/build-modules.sh [--variant V] prints, for the
#                   kernel the archive will boot (modules are built per kernel)
#
# Progress on stderr; the absolute path of OUT.cpio is the only stdout line.
# The output is deterministic: sorted entries, uid/gid 0, every mtime set to
# $SOURCE_DATE_EPOCH (default 0). It needs the extracted kernel source (for
# gen_init_cpio and pcitest.c) but not a built kernel (the modules, if any,
# come built).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
# shellcheck source=SCRIPTDIR/../linux/source.sh
. "$repo/sw/linux/source.sh"

say() { echo "build-initramfs: $*" >&2; }
die() { echo "build-initramfs: error: $*" >&2; exit 1; }

usage() {
    sed -n '2,22s/^# \{0,1\}//p' "$0" >&2
    exit 2
}
modules=
while [ $# -gt 1 ]; do
    case $1 in
        --modules) modules=$2; shift 2 ;;
        *) echo "build-initramfs.sh: error: unknown argument '$1'" >&2; usage ;;
    esac
done
if [ $# -ne 1 ] || [ "${1:0:1}" = - ]; then usage; fi
out=$1
if [ -n "$modules" ]; then
    [ -d "$modules" ] || die "--modules $modules: no such directory (sw/drivers/build-modules.sh prints it)"
    modules=$(cd "$modules" && pwd)
fi
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

# The tools of sw/tools/ (static riscv64 binaries, cached by their sources).
tooldir=$("$repo/sw/tools/build-tools.sh") || die "could not build the tools of sw/tools/ (sw/tools/build-tools.sh)"
tools=()
for t in "$tooldir"/*; do
    [ -f "$t" ] || continue
    name=${t##*/}
    for p in "${programs[@]}"; do
        [ "$p" != "$name" ] || die "sw/tools/$name and the program $name would both be /usr/bin/$name"
    done
    tools+=("$name")
done

# pciutils (lspci, setpci) and numactl from Debian stable's riscv64
# packages, with what they need at run time. fetch-debian-riscv64.sh does
# not follow dependencies, so they are named here (from the packages'
# Depends):
#   pciutils -> libpci3, libkmod2, libc6
#   libpci3  -> libudev1, zlib1g, pci.ids (the names database)
#   libudev1 -> libcap2;  libkmod2 -> libssl3t64 (libcrypto) -> libzstd1, zlib1g
#   numactl  -> libnuma1, libc6
# libc6 brings libc.so.6 and the dynamic loader. libc6's own Depends,
# libgcc-s1, is left out: glibc dlopens libgcc_s only to unwind a cancelled
# thread, which these programs never do. The shared objects actually
# copied are the closure of the programs' DT_NEEDED entries, found in these
# packages; a library that none of them holds (a new dependency in a
# later Debian release) stops the build with its name.
deb_packages=(pciutils libpci3 pci.ids libkmod2 libudev1 libcap2 zlib1g libssl3t64 libzstd1 libc6
              numactl libnuma1)
deb_out=$("$repo/scripts/fetch-debian-riscv64.sh" "${deb_packages[@]}") ||
    die "could not fetch Debian's riscv64 ${deb_packages[*]} (scripts/fetch-debian-riscv64.sh)"
mapfile -t deb_dirs <<<"$deb_out"
[ "${#deb_dirs[@]}" -eq "${#deb_packages[@]}" ] || die "scripts/fetch-debian-riscv64.sh printed ${#deb_dirs[@]} directories for ${#deb_packages[@]} packages"
multiarch=usr/lib/riscv64-linux-gnu
loader=ld-linux-riscv64-lp64d.so.1
pci_ids=${deb_dirs[2]}/usr/share/misc/pci.ids
deb_programs=("${deb_dirs[0]}/usr/bin/lspci" "${deb_dirs[0]}/usr/bin/setpci"
              "${deb_dirs[10]}/usr/bin/numactl")
for f in "${deb_programs[@]}" "$pci_ids"; do
    [ -f "$f" ] || die "$f is missing from its Debian package"
done
readelf=riscv64-linux-gnu-readelf
command -v "$readelf" >/dev/null || die "$readelf not found; run scripts/setup.sh (binutils-riscv64-linux-gnu)"
interp=$("$readelf" -l "${deb_programs[0]}" | sed -n 's/.*Requesting program interpreter: \(.*\)\]$/\1/p')
[ "$interp" = "/lib/$loader" ] || die "lspci asks for the loader '$interp', not /lib/$loader"
needed() { "$readelf" -d "$1" | sed -n 's/.*(NEEDED).*\[\(.*\)\]$/\1/p'; }
# Breadth first from the programs; sonames in the order first needed.
deb_libs=()    # soname=path
queue=("${deb_programs[@]}")
while [ "${#queue[@]}" -gt 0 ]; do
    elf=${queue[0]}
    queue=("${queue[@]:1}")
    for soname in $(needed "$elf"); do
        case " ${deb_libs[*]} " in *" $soname="*) continue ;; esac
        found=
        for d in "${deb_dirs[@]}"; do
            if [ -e "$d/$multiarch/$soname" ]; then found=$(readlink -f "$d/$multiarch/$soname"); break; fi
        done
        [ -n "$found" ] || die "${elf##*/} needs $soname, which none of ${deb_packages[*]} holds; add its package to deb_packages"
        deb_libs+=("$soname=$found")
        queue+=("$found")
    done
done

case " ${deb_libs[*]} " in *" $loader="*) ;; *) die "lspci does not link $loader" ;; esac

# nvsoc's out-of-tree modules, for /lib/modules/ (init loads them at boot).
kos=()
if [ -n "$modules" ]; then
    for ko in "$modules"/*.ko; do
        [ -f "$ko" ] && kos+=("${ko##*/}")
    done
fi

# The archive's list (format: usr/gen_init_cpio.c). Source paths are
# whitespace-separated fields there, so refuse paths with blanks.
for p in "$busybox" "$here" "$repo/tests/linux/guest" "$work" "$tooldir" "${deb_dirs[@]}" ${modules:+"$modules"}; do
    case $p in *[[:space:]]*) die "path '$p' contains whitespace, which gen_init_cpio cannot read" ;; esac
done
list=$work/initramfs.list
{
    for d in /bin /dev /etc /lib /lib/modules /proc /root /sbin /sys /tests /usr /usr/bin \
             /usr/lib /usr/lib/riscv64-linux-gnu /usr/sbin /usr/share /usr/share/misc; do
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
    for name in "${tools[@]}"; do
        echo "file /usr/bin/$name $tooldir/$name 0755 0 0"
    done
    for p in "${deb_programs[@]}"; do
        echo "file /usr/bin/${p##*/} $p 0755 0 0"
    done
    # Every library under its soname, the loader also where PT_INTERP
    # looks (/lib); ld.so searches /usr/lib/riscv64-linux-gnu by default.
    for entry in $(printf '%s\n' "${deb_libs[@]}" | LC_ALL=C sort); do
        echo "file /$multiarch/${entry%%=*} ${entry#*=} 0755 0 0"
    done
    echo "slink /lib/$loader /$multiarch/$loader 0777 0 0"
    echo "file /usr/share/misc/pci.ids $pci_ids 0644 0 0"
    for ko in "${kos[@]}"; do
        echo "file /lib/modules/$ko $modules/$ko 0644 0 0"
    done
    for t in $(find "$repo/tests/linux/guest" -maxdepth 1 -name '*.sh' | LC_ALL=C sort); do
        echo "file /tests/$(basename "$t") $t 0755 0 0"
    done
} >"$list"

"$gen_init_cpio" -t "$mtime" "$list" >"$work/out.cpio" ||
    die "gen_init_cpio failed on $list"
mv -f "$work/out.cpio" "$out"
say "wrote $out ($(stat -c %s "$out") bytes: busybox, ${#programs[@]} programs, ${#tools[@]} tools, lspci, setpci and numactl with ${#deb_libs[@]} libraries, ${#kos[@]} modules, $(grep -c '^file /tests/' "$list") test scripts)"
echo "$out"
