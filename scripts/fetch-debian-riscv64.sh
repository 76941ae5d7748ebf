#!/usr/bin/env bash
# Fetches riscv64 packages of Debian stable (the stock kernel,
# busybox-static, pciutils and the libraries it links) without touching the
# host's apt configuration: a private
# sources.list whose mirror is read from the host's own apt sources, and
# private lists and cache under the nvsoc cache directory. Prints the
# directory the packages were unpacked into. Packages are kept by version,
# so reruns and CI reuse them.
#   scripts/fetch-debian-riscv64.sh PACKAGE...
# One line per PACKAGE on stdout, in order: its directory. Dependencies are
# not followed: the caller names every package it needs (sw/rootfs/
# build-initramfs.sh lists pciutils' libraries and checks that they cover
# every library the programs link). Architecture-independent packages
# (Architecture: all, such as pci.ids) come as they are.
#
# Safe to run several times at once on one cache (ctest -j2 starts both
# Linux tests together, and each builds an initramfs): apt runs with its own
# locking off (its lock files would be the host's, needing root), so one
# flock on the cache serialises the runs, and a package is unpacked into a
# temporary directory that is renamed into place only when complete, so
# its directory, once it exists, is always whole (an interrupted unpack
# leaves only a temporary directory, which the next run removes).
set -euo pipefail
cache=${NVSOC_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/nvsoc}/debian-riscv64
mkdir -p "$cache/lists/partial" "$cache/cache/archives/partial" "$cache/unpacked" "$cache/tmp"
# Held until this script exits: the list refresh, the version lookups (which
# read the lists another run may be rewriting) and the downloads.
exec 9>"$cache/.lock"
flock 9
uri=$(grep -rhE '^(URIs:|deb )' /etc/apt/sources.list /etc/apt/sources.list.d/ 2>/dev/null |
      grep -oE 'https?://[^ ]*debian[^ ]*' | grep -v security | head -1 || true)
[ -n "$uri" ] || { echo "fetch-debian-riscv64: no Debian mirror in the host's apt sources" >&2; exit 1; }
echo "deb [arch=riscv64] $uri stable main" >"$cache/sources.list"
opts=(-oAPT::Architecture=riscv64 -oAPT::Architectures=riscv64
      -oDir::State::Lists="$cache/lists" -oDir::Etc::SourceList="$cache/sources.list"
      -oDir::Etc::SourceParts=/dev/null -oDir::Cache="$cache/cache"
      -oDebug::NoLocking=1 -oAPT::Sandbox::User=root)
# Left by interrupted runs (we hold the lock: no other run is using them).
rm -rf "${cache:?}/tmp/"*
# Refresh the package lists at most once a day.
if [ -z "$(find "$cache/lists" -maxdepth 1 -name '*Packages*' -mtime -1 2>/dev/null)" ]; then
    apt-get "${opts[@]}" -qq update >&2
fi
# Versions are looked up with one apt-cache call for all the packages, not
# one per package: each call parses the whole package list (about 0.7 s).
# A meta-package (linux-image-riscv64) names the real one it depends on:
# `apt-cache depends` prints each package's name, then its relations indented.
declare -A real_of version_of
pkg=
while IFS= read -r line; do
    case $line in
        " "*) if [ -n "$pkg" ] && [ -z "${real_of[$pkg]:-}" ] &&
                  [[ $line =~ ^\ *Depends:\ (linux-image-[0-9][^ ]*)$ ]]; then
                  real_of[$pkg]=${BASH_REMATCH[1]}
              fi ;;
        *) pkg=$line ;;
    esac
done < <(apt-cache "${opts[@]}" depends "$@" 2>/dev/null || true)
reals=()
for pkg in "$@"; do
    reals+=("${real_of[$pkg]:-$pkg}")
done
# `apt-cache policy` prints "NAME:" and then "  Candidate: VERSION".
pkg=
while IFS= read -r line; do
    case $line in
        "  Candidate: "*) [ -z "$pkg" ] || version_of[$pkg]=${line#  Candidate: } ;;
        [!\ ]*:) pkg=${line%:} ;;
    esac
done < <(apt-cache "${opts[@]}" policy "${reals[@]}" 2>/dev/null || true)
for real in "${reals[@]}"; do
    version=${version_of[$real]:-}
    if [ -z "$version" ] || [ "$version" = "(none)" ]; then
        echo "fetch-debian-riscv64: no riscv64 package '$real' in Debian stable" >&2
        exit 1
    fi
    dest="$cache/unpacked/$real-$version"
    if [ ! -d "$dest" ]; then
        # Downloaded and unpacked in a directory of this run's own.
        work=$(mktemp -d "$cache/tmp/$real.XXXXXX")
        (cd "$work" && apt-get "${opts[@]}" -qq download "$real" >&2)
        # _riscv64.deb, or _all.deb for an architecture-independent package.
        shopt -s nullglob
        debs=("$work/${real}"_*.deb)
        shopt -u nullglob
        [ "${#debs[@]}" -eq 1 ] || { echo "fetch-debian-riscv64: apt-get download $real gave no .deb" >&2; exit 1; }
        mkdir "$work/root"
        dpkg-deb -x "${debs[0]}" "$work/root"
        # The rename publishes the whole tree at once.
        mv -T "$work/root" "$dest"
        rm -rf "$work"
    fi
    echo "$dest"
done
