#!/usr/bin/env bash
# Linux boot benchmark: boots nvsoc's kernel and initramfs on the default
# platform (4 harts) and on QEMU 7.2 (`-M virt -smp 4 -m 1G`, the same
# OpenSBI, kernel, initramfs and command line), in one run, and prints for
# each: wall time from start to the guest's "user space ready" line, wall
# time to poweroff, and for nvsoc the simulated time and guest instructions.
# The guest runs tests/linux/guest/boot-only.sh in test mode, which powers
# off at once.
#
# Usage: scripts/bench-boot.sh [RUNS]   (best of RUNS, default 3)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-3}
marker='nvsoc: user space ready'
firmware=/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_dynamic.bin
append="console=ttyS0 earlycon=sbi nvsoc_test=/tests/boot-only.sh"

cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j2 --target nvsoc >/dev/null
kernel=$(sw/linux/build-kernel.sh)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
sw/rootfs/build-initramfs.sh "$work/initramfs.cpio" >/dev/null

now() { date +%s.%N; }

# Runs COMMAND..., echoing nothing; sets `ready` (seconds to the marker line,
# or "-") and `total` (seconds to exit). Fails if the guest did not pass.
timed_boot() {
    local t0 line status
    ready=-
    t0=$(now)
    while IFS= read -r line; do
        if [ "$ready" = - ] && [[ $line == *"$marker"* ]]; then
            ready=$(echo "$(now) - $t0" | bc -l)
        fi
        printf '%s\n' "$line" >>"$work/console.log"
    done < <("$@" </dev/null 2>&1; echo "exit-status $?")
    total=$(echo "$(now) - $t0" | bc -l)
    status=$(sed -n 's/^exit-status //p' "$work/console.log" | tail -1)
    if [ "$status" != 0 ] || [ "$ready" = - ]; then
        echo "bench-boot: the boot failed (status $status); console:" >&2
        tail -30 "$work/console.log" >&2
        exit 1
    fi
}

best() { sort -n | head -1; }

n_ready=() n_total=()
for _ in $(seq "$runs"); do
    : >"$work/console.log"
    timed_boot build/platforms/nvsoc run configs/default.yaml --kernel "$kernel" \
        --initrd "$work/initramfs.cpio" --append "$append" --stats "$work/stats.json" \
        --max-time 60s
    n_ready+=("$ready") n_total+=("$total")
done
insns=$(sed -n 's/^  "instructions": \([0-9]*\),*$/\1/p' "$work/stats.json")
sim_ps=$(sed -n 's/^  "simulated_time_ps": \([0-9]*\),*$/\1/p' "$work/stats.json")

q_ready=() q_total=()
for _ in $(seq "$runs"); do
    : >"$work/console.log"
    timed_boot qemu-system-riscv64 -M virt -smp 4 -m 1G -nographic -bios "$firmware" \
        -kernel "$kernel" -initrd "$work/initramfs.cpio" -append "$append"
    q_ready+=("$ready") q_total+=("$total")
done

nr=$(printf '%s\n' "${n_ready[@]}" | best)
nt=$(printf '%s\n' "${n_total[@]}" | best)
qr=$(printf '%s\n' "${q_ready[@]}" | best)
qt=$(printf '%s\n' "${q_total[@]}" | best)
printf 'kernel: %s\n' "$kernel"
printf 'best of %s runs; wall times in seconds\n' "$runs"
printf '%-10s %14s %14s %14s %14s\n' "" "to user space" "to poweroff" "simulated" "instructions"
printf '%-10s %14.2f %14.2f %14.3f %14s\n' "nvsoc" "$nr" "$nt" \
    "$(echo "$sim_ps / 10^12" | bc -l)" "$insns"
printf '%-10s %14.2f %14.2f %14s %14s\n' "qemu 7.2" "$qr" "$qt" "-" "-"
printf 'ratio nvsoc/qemu: %.2f to user space, %.2f to poweroff\n' \
    "$(echo "$nr / $qr" | bc -l)" "$(echo "$nt / $qt" | bc -l)"
