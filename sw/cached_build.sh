# shellcheck shell=bash
# shellcheck disable=SC2154 # repo and files are the caller's (below)
# Sourced by sw/drivers/build-modules.sh and sw/tools/build-tools.sh: a build
# cached outside the clone under ${NVSOC_CACHE:-~/.cache/nvsoc}/KIND/KEY/,
# made in KEY.partial/ from a copy of the sources (the clone stays clean),
# published by one rename, with one builder per key (flock on fd 8; a
# second run waits, then finds the result). The caller defines say and die
# and sets repo and files (paths relative to $repo, one a line).
#   hash_files                 each file's path and SHA-256, for the key
#   cached_build_open KIND KEY OUT WHAT
#       sets final and partial; when KEY is built (already, or by the run
#       it waited for) prints final/OUT and exits 0; otherwise starts
#       partial/ afresh with OUT/ empty, build/ holding the files and
#       build.log ($log), and returns holding the lock
#   cached_build_publish       renames partial/ to final/

hash_files() {
    local f
    while IFS= read -r f; do
        printf '%s ' "$f"
        sha256sum <"$repo/$f"
    done <<<"$files"
}

cached_build_open() { # KIND KEY OUT WHAT
    local kind=$1 key=$2 out=$3 what=$4 cache
    cache=${NVSOC_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/nvsoc}/$kind
    final=$cache/$key
    partial=$cache/$key.partial
    if [ -d "$final/$out" ]; then
        say "cached build $key ($what): $final/$out"
        echo "$final/$out"
        exit 0
    fi
    mkdir -p "$cache"
    exec 8>"$cache/$key.lock"
    if ! flock -n 8; then
        say "another build of $key is running; waiting for it"
        flock 8
    fi
    if [ -d "$final/$out" ]; then
        say "built meanwhile by another run: $final/$out"
        echo "$final/$out"
        exit 0
    fi
    # A build takes seconds: a leftover partial one is started afresh.
    rm -rf "$partial"
    mkdir -p "$partial/build" "$partial/$out"
    (cd "$repo" && tar -cf - -T - <<<"$files") | tar -xf - -C "$partial/build" ||
        die "could not copy the sources into $partial/build"
    log=$partial/build.log
    : >"$log"
}

cached_build_publish() {
    rm -rf "$final"
    mv "$partial" "$final"
}
