#!/usr/bin/env bash
# Fetches QEMU 10.0's riscv system emulator from Debian's bookworm-backports
# without installing it (installing it would replace the host's OpenSBI 1.1
# by 1.5.1, and Debian 12's QEMU 7.2 stays the reference of the other
# tests), and prints the path of its qemu-system-riscv64. It serves as the
# reference for the AIA device tree (-M virt,aia=aplic-imsic).
#   scripts/fetch-reference-qemu.sh
#
# Only the package that holds the binary, qemu-system-riscv, is unpacked:
# dumping a device tree (-M ...,dumpdtb=FILE -bios none) needs neither
# qemu-system-common nor qemu-system-data, nor its OpenSBI. The bookworm
# libraries it links are installed by scripts/setup.sh.
#
# The package is unpacked into a directory named by its SHA256 (as the
# Packages index gives it, checked against the downloaded .deb), so one
# cache can hold several versions and a directory, once it exists, never
# changes. Safe to run several times at once on one cache: one flock on the
# cache serialises the runs, and the package is unpacked into a temporary
# directory that is renamed into place only when complete.
#
# Exit status: 0 with the binary's path on stdout; 3 when no Debian mirror
# can be reached and nothing usable is cached (a test may skip on it, off
# line); 1 for any other failure.
set -euo pipefail
cache=${NVSOC_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/nvsoc}/qemu-reference
suite=bookworm-backports
package=qemu-system-riscv
version_glob='1:10.0.*' # the reference is QEMU 10.0; another version is a new reference
arch=$(dpkg --print-architecture)
mkdir -p "$cache/lists/partial" "$cache/cache/archives/partial" "$cache/unpacked" "$cache/tmp"
exec 9>"$cache/.lock"
flock 9
uri=$(grep -rhE '^(URIs:|deb )' /etc/apt/sources.list /etc/apt/sources.list.d/ 2>/dev/null |
      grep -oE 'https?://[^ ]*debian[^ ]*' | grep -v security | head -1 || true)
[ -n "$uri" ] || { echo "fetch-reference-qemu: no Debian mirror in the host's apt sources" >&2; exit 1; }
echo "deb [arch=$arch] $uri $suite main" >"$cache/sources.list"
opts=(-oAPT::Architecture="$arch" -oAPT::Architectures="$arch"
      -oDir::State::Lists="$cache/lists" -oDir::Etc::SourceList="$cache/sources.list"
      -oDir::Etc::SourceParts=/dev/null -oDir::Cache="$cache/cache"
      -oDebug::NoLocking=1 -oAPT::Sandbox::User=root)
rm -rf "${cache:?}/tmp/"*
have_lists() { [ -n "$(find "$cache/lists" -maxdepth 1 -name '*Packages*' 2>/dev/null)" ]; }
# Refresh the index at most once a day; off line, a cached index will do.
if [ -z "$(find "$cache/lists" -maxdepth 1 -name '*Packages*' -mtime -1 2>/dev/null)" ]; then
    if ! apt-get "${opts[@]}" -qq -oAPT::Update::Error-Mode=any update >&2; then
        have_lists || { echo "fetch-reference-qemu: cannot read $suite's index from $uri" >&2; exit 3; }
        echo "fetch-reference-qemu: $suite's index not refreshed; using the cached one" >&2
    fi
fi
have_lists || { echo "fetch-reference-qemu: no $suite index" >&2; exit 3; }
field() { apt-cache "${opts[@]}" show "$package=$version" | sed -n "s/^$1: //p" | head -1; }
version=$(apt-cache "${opts[@]}" policy "$package" | sed -n 's/^ *Candidate: //p')
if [ -z "$version" ] || [ "$version" = "(none)" ]; then
    echo "fetch-reference-qemu: no package '$package' in $suite" >&2
    exit 1
fi
# shellcheck disable=SC2053 # a glob match is meant
if [[ $version != $version_glob ]]; then
    echo "fetch-reference-qemu: $suite has $package $version, not QEMU 10.0: review the AIA reference (tests/integration/*.dtspec) before taking it" >&2
    exit 1
fi
sha=$(field SHA256)
[[ $sha =~ ^[0-9a-f]{64}$ ]] || { echo "fetch-reference-qemu: no SHA256 for $package $version" >&2; exit 1; }
dest="$cache/unpacked/$sha"
if [ ! -d "$dest" ]; then
    work=$(mktemp -d "$cache/tmp/$package.XXXXXX")
    if ! (cd "$work" && apt-get "${opts[@]}" -qq download "$package=$version" >&2); then
        echo "fetch-reference-qemu: cannot download $package $version" >&2
        exit 3
    fi
    debs=("$work/${package}"_*.deb)
    [ -f "${debs[0]}" ] || { echo "fetch-reference-qemu: apt-get download gave no .deb" >&2; exit 1; }
    got=$(sha256sum "${debs[0]}" | cut -d' ' -f1)
    [ "$got" = "$sha" ] || { echo "fetch-reference-qemu: ${debs[0]}: SHA256 $got, the index says $sha" >&2; exit 1; }
    mkdir "$work/root"
    dpkg-deb -x "${debs[0]}" "$work/root"
    echo "$package $version $sha" >"$work/root/PACKAGE"
    mv -T "$work/root" "$dest"
    rm -rf "$work"
fi
bin=$dest/usr/bin/qemu-system-riscv64
[ -x "$bin" ] || { echo "fetch-reference-qemu: $package $version has no usr/bin/qemu-system-riscv64" >&2; exit 1; }
missing=$(ldd "$bin" | sed -n 's/^\s*\(\S*\) => not found$/\1/p' | tr '\n' ' ')
if [ -n "$missing" ]; then
    echo "fetch-reference-qemu: $bin needs libraries that are not installed: $missing(scripts/setup.sh installs them)" >&2
    exit 1
fi
echo "$bin"
