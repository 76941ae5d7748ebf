#!/usr/bin/env bash
# Fetches riscv64 packages of Debian stable (the stock kernel and
# busybox-static) without touching the host's apt configuration: a private
# sources.list whose mirror is read from the host's own apt sources, and
# private lists and cache under the nvsoc cache directory. Prints the
# directory the packages were unpacked into. Packages are kept by version,
# so reruns and CI reuse them.
#   scripts/fetch-debian-riscv64.sh PACKAGE...
set -euo pipefail
cache=${NVSOC_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/nvsoc}/debian-riscv64
mkdir -p "$cache/lists/partial" "$cache/cache/archives/partial" "$cache/unpacked"
uri=$(grep -rhE '^(URIs:|deb )' /etc/apt/sources.list /etc/apt/sources.list.d/ 2>/dev/null |
      grep -oE 'https?://[^ ]*debian[^ ]*' | grep -v security | head -1 || true)
[ -n "$uri" ] || { echo "fetch-debian-riscv64: no Debian mirror in the host's apt sources" >&2; exit 1; }
echo "deb [arch=riscv64] $uri stable main" >"$cache/sources.list"
opts=(-oAPT::Architecture=riscv64 -oAPT::Architectures=riscv64
      -oDir::State::Lists="$cache/lists" -oDir::Etc::SourceList="$cache/sources.list"
      -oDir::Etc::SourceParts=/dev/null -oDir::Cache="$cache/cache"
      -oDebug::NoLocking=1 -oAPT::Sandbox::User=root)
# Refresh the package lists at most once a day.
if [ -z "$(find "$cache/lists" -maxdepth 1 -name '*Packages*' -mtime -1 2>/dev/null)" ]; then
    apt-get "${opts[@]}" -qq update >&2
fi
for pkg in "$@"; do
    # A meta-package (linux-image-riscv64) names the real one it depends on.
    real=$(apt-cache "${opts[@]}" depends "$pkg" 2>/dev/null | sed -n 's/^ *Depends: \(linux-image-[0-9][^ ]*\)$/\1/p' | head -1)
    [ -n "$real" ] || real=$pkg
    version=$(apt-cache "${opts[@]}" policy "$real" | sed -n 's/^ *Candidate: //p')
    dest="$cache/unpacked/$real-$version"
    if [ ! -d "$dest" ]; then
        (cd "$cache" && apt-get "${opts[@]}" -qq download "$real" >&2)
        deb=$(ls "$cache"/"${real}"_*riscv64.deb | head -1)
        mkdir -p "$dest.tmp" && dpkg-deb -x "$deb" "$dest.tmp" && mv "$dest.tmp" "$dest"
        rm -f "$deb"
    fi
    echo "$dest"
done
