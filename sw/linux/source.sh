# shellcheck shell=bash
# Sourced helper (bash) shared by sw/linux/build-kernel.sh and
# sw/rootfs/build-initramfs.sh: where nvsoc's kernel source comes from, and
# extracting it once per source version into the cache outside the clone.
# It defines functions and variables only; the caller owns `set -euo pipefail`.
#
#   . sw/linux/source.sh
#   linux_source_tree     # prints the extracted tree (extracts on first use)
#
# Variables it sets:
#   NVSOC_CACHE_DIR        the cache root (same rule as scripts/fetch-debian-riscv64.sh)
#   LINUX_SOURCE_PACKAGE   the Debian package that ships the tarball
#   LINUX_SOURCE_TARBALL   the tarball it installs under /usr/src
#   LINUX_SOURCE_VERSION   that package's installed version (part of every cache key)

NVSOC_CACHE_DIR=${NVSOC_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/nvsoc}
LINUX_SOURCE_PACKAGE=linux-source-6.12
LINUX_SOURCE_TARBALL=/usr/src/$LINUX_SOURCE_PACKAGE.tar.xz

# Print a message on stderr with the calling script's name and exit 1.
linux_die() {
    echo "${0##*/}: error: $*" >&2
    exit 1
}

# The version is read from dpkg rather than from the tarball so that a
# security update of the package (same file name, new contents) gives new
# cache keys instead of silently reusing builds of the old source.
LINUX_SOURCE_VERSION=$(dpkg-query -W -f='${Version}' "$LINUX_SOURCE_PACKAGE" 2>/dev/null || true)
if [ -z "$LINUX_SOURCE_VERSION" ] || [ ! -f "$LINUX_SOURCE_TARBALL" ]; then
    linux_die "$LINUX_SOURCE_PACKAGE is not installed ($LINUX_SOURCE_TARBALL missing); run scripts/setup.sh"
fi

# Print the directory of the extracted, never-modified source tree. All
# builds use O= out-of-tree directories, so one tree serves every config.
# Extraction goes into a temporary directory that is renamed when complete,
# under a lock, so an interrupted or concurrent extraction never leaves a
# half-extracted tree that looks complete.
linux_source_tree() {
    local base="$NVSOC_CACHE_DIR/linux/src-$LINUX_SOURCE_VERSION"
    local tree="$base/${LINUX_SOURCE_PACKAGE}"
    if [ ! -f "$tree/Makefile" ]; then
        mkdir -p "$base"
        (
            flock 9
            if [ ! -f "$tree/Makefile" ]; then
                echo "${0##*/}: extracting $LINUX_SOURCE_TARBALL ($LINUX_SOURCE_VERSION) into $base" >&2
                rm -rf "$base/tmp"
                mkdir "$base/tmp"
                tar -xJf "$LINUX_SOURCE_TARBALL" -C "$base/tmp" ||
                    linux_die "could not extract $LINUX_SOURCE_TARBALL"
                [ -f "$base/tmp/$LINUX_SOURCE_PACKAGE/Makefile" ] ||
                    linux_die "$LINUX_SOURCE_TARBALL has no top-level $LINUX_SOURCE_PACKAGE/ directory"
                rm -rf "$tree"
                mv "$base/tmp/$LINUX_SOURCE_PACKAGE" "$tree"
                rmdir "$base/tmp"
            fi
        ) 9>"$base/.lock" || exit 1
    fi
    echo "$tree"
}

# Print the path of the host build of the kernel's usr/gen_init_cpio (the
# tool that writes a cpio archive from a list file, no root needed). It is
# compiled once per source version and kept beside the tree.
linux_gen_init_cpio() {
    local tree bin
    tree=$(linux_source_tree) || exit 1
    bin="$NVSOC_CACHE_DIR/linux/src-$LINUX_SOURCE_VERSION/bin/gen_init_cpio"
    if [ ! -x "$bin" ]; then
        mkdir -p "${bin%/*}"
        gcc -O2 -o "$bin.tmp.$$" "$tree/usr/gen_init_cpio.c" ||
            linux_die "could not compile $tree/usr/gen_init_cpio.c with the host gcc"
        mv -f "$bin.tmp.$$" "$bin"
    fi
    echo "$bin"
}
