#!/usr/bin/env bash
# nvsoc-smi's peer commands, p2p-test, p2p-bw and p2p-lat, on the host:
# the tool is built with the host's gcc (warnings are errors, UBSan on) and
# run over a fabricated sysfs tree (NVSOC_SMI_SYSFS) with
# tests/tools/nvsoc_gpu_fake.c LD_PRELOADed in place of the driver. The fake
# follows the UAPI header (nvsoc_gpu_accel.h) and fails the run (exit 99)
# on anything the tool sends that the header does not allow; its clock
# makes the matrices exact. What is checked: the lines the Linux test greps
# (paths, no path, each case, the summary, the matrices), the exit
# statuses, and that broken peers are caught (a write past its end, a read
# that changes a byte, BO_PEER failing, PEER_INFO not naming the slot).
#
#   test_nvsoc_smi_p2p.sh [BUILD_DIR]     (default: a temporary directory)
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

# A sysfs tree of N GPUs bound to nvsoc-gpu, accelI at 0000:0(I+1):00.0.
tree() {
    local sys=$work/sys$1 i dev bdf
    rm -rf "$sys"
    mkdir -p "$sys/class/accel" "$sys/bus/pci/devices" "$sys/bus/pci/drivers/nvsoc-gpu"
    for ((i = 0; i < $1; i++)); do
        bdf=0000:0$((i + 1)):00.0
        dev=$sys/devices/pci0000:00/0000:00:0$((i + 1)).0/$bdf
        mkdir -p "$dev/accel/accel$i"
        ln -s "$sys/bus/pci/drivers/nvsoc-gpu" "$dev/driver"
        ln -s "../../../$bdf" "$dev/accel/accel$i/device"
        ln -s "$dev/accel/accel$i" "$sys/class/accel/accel$i"
        ln -s "$dev" "$sys/bus/pci/devices/$bdf"
    done
    echo "$sys"
}
sys4=$(tree 4)
sys1=$(tree 1)
# GPU0-GPU2 have no path, GPU1-GPU3 go over PCIe, GPU1-GPU2 one NVLink
# link, the other pairs two.
paths="x2-22x1p-1x22p2x"

# smi SYSFS [VAR=VALUE...] -- ARGS: the tool over SYSFS with the fake.
smi() {
    local sys=$1
    shift
    local vars=()
    while [ "$1" != -- ]; do vars+=("$1"); shift; done
    shift
    env NVSOC_SMI_SYSFS="$sys" LD_PRELOAD="$build/nvsoc_gpu_fake.so" \
        FAKE_GPU_PATHS="$paths" "${vars[@]}" "$bin" "$@"
}

# run WHAT STATUS SYSFS [VAR=VALUE...] -- ARGS: exits STATUS; output in $work/out.
run() {
    local what=$1 want=$2 status
    shift 2
    smi "$@" >"$work/out" 2>"$work/err"
    status=$?
    if [ "$status" -eq "$want" ]; then
        echo "ok: $what (exit $status)"
    else
        echo "FAIL: $what: exit $status, not $want"
        cat "$work/err"
        failures=$((failures + 1))
    fi
}
has() { # DESCRIPTION LINE: $work/out has LINE exactly
    if grep -qxF -- "$2" "$work/out"; then
        echo "ok: $1"
    else
        echo "FAIL: $1: no line '$2'"
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
same() { # DESCRIPTION WANT: $work/out is WANT (printf %b) exactly
    if printf '%b' "$2" | diff -u - "$work/out" >"$work/diff"; then
        echo "ok: $1"
    else
        echo "FAIL: $1"
        cat "$work/diff"
        failures=$((failures + 1))
    fi
}

# --- p2p-test ---------------------------------------------------------------------

run "p2p-test --quick, 4 GPUs" 0 "$sys4" -- p2p-test --quick
has "summary: 10 pairs of 6 cases, 2 without a path" \
    "p2p-test: 60 passed, 0 failed, 2 pairs without a path"
count "60 cases ok" 60 '^p2p-test: GPU[0-9]->GPU[0-9] .* (write|read) [0-9]+ B: ok$'
has "GPU0->GPU2 has no path" "p2p-test: GPU0->GPU2: no path (peer access refused: EHOSTUNREACH)"
has "GPU2->GPU0 has no path" "p2p-test: GPU2->GPU0: no path (peer access refused: EHOSTUNREACH)"
has "GPU0->GPU1's path, slot and NVLink ID" \
    "p2p-test: GPU0->GPU1: path nvlink 2 links, peer table slot 0, peer NVLink ID 2"
has "GPU1->GPU2 over one link" \
    "p2p-test: GPU1->GPU2: path nvlink 1 link, peer table slot 0, peer NVLink ID 3"
has "GPU1->GPU3 over PCIe, a write" "p2p-test: GPU1->GPU3 pcie write 4097 B: ok"
has "GPU3->GPU1 over PCIe, a read" "p2p-test: GPU3->GPU1 pcie read 1048579 B: ok"
has "a case's line" "p2p-test: GPU2->GPU1 nvlink 1 link read 4 B: ok"
count "the quick sizes: 4097 B in 20 cases" 20 ' 4097 B: ok$'
count "nothing fails" 0 'FAIL'

run "p2p-test --sizes 1,3,64K,1M+1" 0 "$sys4" -- p2p-test --sizes 1,3,64K,1048577
has "summary" "p2p-test: 80 passed, 0 failed, 2 pairs without a path"
has "64K is 65536 B" "p2p-test: GPU3->GPU0 nvlink 2 links write 65536 B: ok"

run "p2p-test, the default sizes" 0 "$sys4" -- p2p-test
has "summary" "p2p-test: 220 passed, 0 failed, 2 pairs without a path"

run "p2p-test, every pair without a path" 0 "$sys4" FAKE_GPU_PATHS=x----x----x----x -- p2p-test --quick
has "summary" "p2p-test: 0 passed, 0 failed, 12 pairs without a path"

run "p2p-test, a peer write past its end" 1 "$sys4" FAKE_GPU_BREAK=write-guard -- p2p-test --quick
has "caught by the guard" "p2p-test: GPU0->GPU1 nvlink 2 links write 4 B: FAIL (bytes after the destination changed)"
has "reads still pass" "p2p-test: GPU0->GPU1 nvlink 2 links read 4 B: ok"
has "summary" "p2p-test: 30 passed, 30 failed, 2 pairs without a path"

run "p2p-test, a peer read that changes a byte" 1 "$sys4" FAKE_GPU_BREAK=read-data -- p2p-test --quick
has "caught by the CRC" "p2p-test: GPU3->GPU1 pcie read 4097 B: FAIL (CRC mismatch)"
has "writes still pass" "p2p-test: GPU3->GPU1 pcie write 4097 B: ok"

run "p2p-test, BO_PEER failing with ENOSPC on GPU1" 1 "$sys4" FAKE_GPU_BREAK=enospc -- p2p-test --quick
has "the pair fails with the errno" "p2p-test: GPU1->GPU3: FAIL (PEER_INFO said pcie; BO_PEER: ENOSPC)"
has "summary: GPU1's three pairs fail" "p2p-test: 42 passed, 3 failed, 2 pairs without a path"

run "p2p-test, PEER_INFO not naming the slot held" 1 "$sys4" FAKE_GPU_BREAK=slot -- p2p-test --quick
has "the pair fails" "p2p-test: GPU0->GPU1: FAIL (PEER_INFO after BO_PEER names slot 4294967295, BO_PEER slot 0)"
has "summary" "p2p-test: 0 passed, 10 failed, 2 pairs without a path"

run "p2p-test, one GPU" 0 "$sys1" -- p2p-test
same "no pairs" "p2p-test: 1 GPU, no pairs\np2p-test: 0 passed, 0 failed, 0 pairs without a path\n"

# --- p2p-bw and p2p-lat -----------------------------------------------------------------
# The fake's rates (bytes/ns): 100 in VRAM, 25 per NVLink link, 16 over PCIe,
# plus 500 ns a peer launch over NVLink and 1500 ns over PCIe: for 4 MiB
# 100.00, 49.70 (two links), 24.93 (one), 15.91 (PCIe).
hdr="p2p-bw: D\\\\D          GPU0      GPU1      GPU2      GPU3"
rows="p2p-bw: GPU0       100.00     49.70         -     49.70
p2p-bw: GPU1        49.70    100.00     24.93     15.91
p2p-bw: GPU2            -     24.93    100.00     49.70
p2p-bw: GPU3        49.70     15.91     49.70    100.00"
run "p2p-bw -n 3" 0 "$sys4" -- p2p-bw -n 3
same "the write and read matrices" \
"p2p-bw: write GB/s (row writes column's VRAM), 4194304 B, median of 3
$hdr
$rows
p2p-bw: read GB/s (row reads column's VRAM), 4194304 B, median of 3
$hdr
$rows
"
run "p2p-bw -s 1M -n 1" 0 "$sys4" -- p2p-bw -s 1M -n 1
has "the size in the title" "p2p-bw: write GB/s (row writes column's VRAM), 1048576 B, median of 1"
has "GPU1's row at 1 MiB" "p2p-bw: GPU1        48.84    100.01     24.71     15.64"
run "p2p-bw, BO_PEER failing on GPU1" 1 "$sys4" FAKE_GPU_BREAK=enospc -- p2p-bw -n 1
has "GPU1's peer cells FAIL" "p2p-bw: GPU1         FAIL    100.00      FAIL      FAIL"
run "p2p-bw -s 0 is bad input" 2 "$sys4" -- p2p-bw -s 0
run "p2p-bw, one GPU" 0 "$sys1" -- p2p-bw -n 1
has "a 1x1 matrix" "p2p-bw: GPU0       100.00"

run "p2p-lat -n 4" 0 "$sys4" -- p2p-lat -n 4
same "the latency matrix: 0.5 us a job, 0.5 more over NVLink, 1.5 over PCIe" \
"p2p-lat: write latency us (row writes column's VRAM), 4 B, submit to done, mean of 4
p2p-lat: D\\\\D          GPU0      GPU1      GPU2      GPU3
p2p-lat: GPU0         0.50      1.00         -      1.00
p2p-lat: GPU1         1.00      0.50      1.00      2.00
p2p-lat: GPU2            -      1.00      0.50      1.00
p2p-lat: GPU3         1.00      2.00      1.00      0.50
"

run "-h" 0 "$sys4" -- -h
count "-h lists the peer commands" 3 '^ +nvsoc-smi p2p-(test|bw|lat) '

if [ "$failures" -ne 0 ]; then
    echo "$failures check(s) failed"
    exit 1
fi
echo "all checks passed"
