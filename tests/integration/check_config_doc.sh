#!/usr/bin/env bash
# docs/configuration.md is generated from the parameter tables; this fails
# when someone changes a table without regenerating it
# (`ninja -C build docs-configuration`).
set -u
nvsoc=$1 doc=$2
if diff -u "$doc" <("$nvsoc" models --markdown); then
    echo "ok: $doc matches the code"
else
    echo "$doc is out of date: run 'ninja -C build docs-configuration'"
    exit 1
fi
