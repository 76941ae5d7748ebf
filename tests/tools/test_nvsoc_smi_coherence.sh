#!/usr/bin/env bash
# nvsoc-smi coherence on the host: the tool is built with the host's gcc
# (warnings are errors, UBSan on) and run over fabricated sysfs trees (a
# PCIe GPU, and two platform GPUs on an NVLink fabric node) with
# tests/tools/nvsoc_gpu_fake.c LD_PRELOADed in place of the driver, its
# VRAM BOs mappable (FAKE_GPU_BAR1=1). What is checked: each step's line
# (the engine's fill seen by CPU loads; CPU stores seen by the engine's
# copy and its result by CPU loads; a copy from system memory over VRAM
# the CPU has just read; a fill), the summary, exit 0; a mapping that is
# not coherent (FAKE_GPU_BREAK=stale) fails with the first mismatching
# offset and exit 1; VRAM that cannot be mapped fails (exit 1); bad
# input (exit 2). Coherence itself is the simulator's to show, under
# Linux: here it is the tool's steps and its reports.
#
#   test_nvsoc_smi_coherence.sh [BUILD_DIR]     (default: a temporary directory)
set -u
# shellcheck source=SCRIPTDIR/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

host_build nvsoc-smi "-fsanitize=undefined -fno-sanitize-recover=all"
if ! gcc -O1 -g -Wall -Wextra -Werror -shared -fPIC -o "$build/nvsoc_gpu_fake.so" \
        -I"$repo/models/gpu" -I"$repo/sw/drivers/nvsoc-gpu/include/uapi/drm" \
        -idirafter /usr/riscv64-linux-gnu/include "$here/nvsoc_gpu_fake.c" -ldl \
        >"$work/make.log" 2>&1; then
    cat "$work/make.log"
    echo "FAIL: the fake driver does not build for the host"
    exit 1
fi
bin=$build/nvsoc-smi

# A PCIe GPU, accel0 at 0000:01:00.0.
pci_sys=$work/pci/sys
dev=$pci_sys/devices/pci0000:00/0000:00:01.0/0000:01:00.0
mkdir -p "$pci_sys/class/accel" "$pci_sys/bus/pci/devices" "$pci_sys/bus/pci/drivers/nvsoc-gpu" \
    "$dev/accel/accel0"
ln -s "$pci_sys/bus/pci/drivers/nvsoc-gpu" "$dev/driver"
ln -s "../../../0000:01:00.0" "$dev/accel/accel0/device"
ln -s "$dev/accel/accel0" "$pci_sys/class/accel/accel0"
ln -s "$dev" "$pci_sys/bus/pci/devices/0000:01:00.0"

# Two GPUs on a fabric node, platform devices 1001000000.gpu (accel0) and
# 1002000000.gpu (accel1).
fab_sys=$work/fabric/sys
fab=$fab_sys/devices/platform/soc/1000000000.nvlink-fabric
mkdir -p "$fab_sys/class/accel" "$fab_sys/bus/platform/devices" \
    "$fab_sys/bus/platform/drivers/nvsoc-gpu"
for i in 0 1; do
    name=100$((i + 1))000000.gpu
    mkdir -p "$fab/$name/accel/accel$i"
    ln -s "$fab_sys/bus/platform/drivers/nvsoc-gpu" "$fab/$name/driver"
    ln -s "$fab_sys/bus/platform" "$fab/$name/subsystem"
    ln -s "../../../$name" "$fab/$name/accel/accel$i/device"
    ln -s "$fab/$name/accel/accel$i" "$fab_sys/class/accel/accel$i"
    ln -s "$fab/$name" "$fab_sys/bus/platform/devices/$name"
done

# run WHAT STATUS SYSFS [VAR=VALUE...] -- ARGS: the tool over SYSFS with the
# fake exits STATUS; its output in $work/out.
run() {
    local what=$1 want=$2 sys=$3 status vars=()
    shift 3
    while [ "$1" != -- ]; do vars+=("$1"); shift; done
    shift
    env NVSOC_SMI_SYSFS="$sys" LD_PRELOAD="$build/nvsoc_gpu_fake.so" "${vars[@]}" \
        "$bin" "$@" >"$work/out" 2>"$work/err"
    status=$?
    if [ "$status" -eq "$want" ]; then
        echo "ok: $what (exit $status)"
    else
        echo "FAIL: $what: exit $status, not $want"
        cat "$work/out" "$work/err"
        failures=$((failures + 1))
    fi
}
same() { # DESCRIPTION WANT: $work/out is WANT exactly
    if printf '%s\n' "$2" | diff -u - "$work/out" >"$work/diff"; then
        echo "ok: $1"
    else
        echo "FAIL: $1"
        cat "$work/diff"
        failures=$((failures + 1))
    fi
}
has() { # DESCRIPTION LINE: $work/out has LINE exactly
    if grep -qxF -- "$2" "$work/out"; then
        echo "ok: $1"
    else
        echo "FAIL: $1: no line '$2'"
        cat "$work/out"
        failures=$((failures + 1))
    fi
}
count() { # DESCRIPTION N REGEX: N lines of $work/out match REGEX
    local n
    n=$(grep -cE -- "$3" "$work/out")
    if [ "$n" -eq "$2" ]; then
        echo "ok: $1"
    else
        echo "FAIL: $1: $n lines match '$3', not $2"
        failures=$((failures + 1))
    fi
}

run "coherence on a PCIe GPU, VRAM through BAR1" 0 "$pci_sys" FAKE_GPU_BAR1=1 -- coherence
same "each step ok, 64 KiB by default" \
"coherence: GPU0: 0000:01:00.0 (pci), channel 5, VRAM BOs mapped through BAR1, source sysmem
coherence: GPU0: ce fills vram B, cpu loads B, 65536 B: ok
coherence: GPU0: cpu stores vram A, ce copies A->B, cpu loads B, 65536 B: ok
coherence: GPU0: cpu loads vram A before the copy, 65536 B: ok
coherence: GPU0: cpu stores sysmem S, ce copies S->A, cpu loads A, 65536 B: ok
coherence: GPU0: ce fills vram A, cpu loads A, 65536 B: ok
coherence: GPU0: 5 passed, 0 failed"

run "coherence -d 1 --size 4097 on the fabric's second GPU" 0 "$fab_sys" FAKE_GPU_BAR1=1 -- \
    coherence -d 1 --size 4097
has "the platform GPU by its device name" \
    "coherence: GPU1: 1002000000.gpu (platform), channel 5, VRAM BOs mapped in the VRAM window, source sysmem"
has "an odd size" "coherence: GPU1: cpu stores vram A, ce copies A->B, cpu loads B, 4097 B: ok"
has "summary" "coherence: GPU1: 5 passed, 0 failed"

run "coherence --size 1M on the fabric's first GPU" 0 "$fab_sys" FAKE_GPU_BAR1=1 -- \
    coherence --size 1M
count "five steps ok" 5 '^coherence: GPU0: .*, 1048576 B: ok$'

run "a mapping that is not coherent fails" 1 "$fab_sys" FAKE_GPU_BAR1=1 FAKE_GPU_BREAK=stale -- \
    coherence
has "the engine's fill unseen: the first mismatching offset" \
    "coherence: GPU0: ce fills vram B, cpu loads B, 65536 B: FAIL (first mismatch at offset 0: 0x77, expected 0x5a)"
count "every step after the engine wrote fails" 4 '^coherence: GPU0: .*: FAIL \(first mismatch at offset [0-9]+: '
has "what the CPU stored it reads back" "coherence: GPU0: cpu loads vram A before the copy, 65536 B: ok"
has "summary" "coherence: GPU0: 1 passed, 4 failed"

run "VRAM that cannot be mapped fails" 1 "$pci_sys" -- coherence
same "why" "coherence: GPU0: FAIL (a VRAM BO cannot be mapped: outside BAR1)"

run "--size 0 is bad input" 2 "$pci_sys" FAKE_GPU_BAR1=1 -- coherence --size 0
run "-d 2 with two GPUs is bad input" 2 "$fab_sys" FAKE_GPU_BAR1=1 -- coherence -d 2
run "-h" 0 "$pci_sys" -- -h
count "-h lists coherence" 1 '^ +nvsoc-smi coherence \[-d N\] \[--size BYTES\]$'

if [ "$failures" -ne 0 ]; then
    echo "$failures check(s) failed"
    exit 1
fi
echo "all checks passed"
