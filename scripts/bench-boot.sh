#!/usr/bin/env bash
# Linux boot benchmark: boots nvsoc's kernel and initramfs on the default
# platform (4 harts, the AIA: APLIC and IMSIC), on the same platform with a
# PLIC (configs/plic.yaml) and on QEMU 7.2 (`-M virt -smp 4 -m 1G`, a PLIC;
# the same OpenSBI, kernel, initramfs and command line), in one run, the
# three taking turns, and prints for each: wall time from start to the
# guest's "user space ready" line, wall time to poweroff, and for nvsoc the
# simulated time and guest instructions. (QEMU 7.2's AIA re-pends level
# interrupts after their EOI, so its aia=aplic-imsic machine is no
# reference.) The guest runs tests/linux/guest/boot-only.sh in test mode,
# which powers off at once.
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

declare -A ready_of total_of insns_of sim_of
for _ in $(seq "$runs"); do
    for cfg in default plic; do
        : >"$work/console.log"
        timed_boot build/platforms/nvsoc run "configs/$cfg.yaml" --kernel "$kernel" \
            --initrd "$work/initramfs.cpio" --append "$append" --stats "$work/stats.json" \
            --max-time 60s
        ready_of[$cfg]+="$ready " total_of[$cfg]+="$total "
        insns_of[$cfg]=$(sed -n 's/^  "instructions": \([0-9]*\),*$/\1/p' "$work/stats.json")
        sim_of[$cfg]=$(sed -n 's/^  "simulated_time_ps": \([0-9]*\),*$/\1/p' "$work/stats.json")
    done
    : >"$work/console.log"
    timed_boot qemu-system-riscv64 -M virt -smp 4 -m 1G -nographic -bios "$firmware" \
        -kernel "$kernel" -initrd "$work/initramfs.cpio" -append "$append"
    ready_of[qemu]+="$ready " total_of[qemu]+="$total "
done

best_of() { tr ' ' '\n' | grep . | best; }
for k in default plic qemu; do
    ready_of[$k]=$(echo "${ready_of[$k]}" | best_of)
    total_of[$k]=$(echo "${total_of[$k]}" | best_of)
done
printf 'kernel: %s\n' "$kernel"
printf 'best of %s runs; wall times in seconds\n' "$runs"
printf '%-16s %14s %14s %14s %14s\n' "" "to user space" "to poweroff" "simulated" "instructions"
for k in default plic; do
    printf '%-16s %14.2f %14.2f %14.3f %14s\n' "nvsoc $k" "${ready_of[$k]}" "${total_of[$k]}" \
        "$(echo "${sim_of[$k]} / 10^12" | bc -l)" "${insns_of[$k]}"
done
printf '%-16s %14.2f %14.2f %14s %14s\n' "qemu 7.2 (plic)" "${ready_of[qemu]}" \
    "${total_of[qemu]}" "-" "-"
printf 'ratio AIA/PLIC (nvsoc): %.2f to user space, %.2f to poweroff\n' \
    "$(echo "${ready_of[default]} / ${ready_of[plic]}" | bc -l)" \
    "$(echo "${total_of[default]} / ${total_of[plic]}" | bc -l)"
printf 'ratio nvsoc/qemu (PLIC): %.2f to user space, %.2f to poweroff\n' \
    "$(echo "${ready_of[plic]} / ${ready_of[qemu]}" | bc -l)" \
    "$(echo "${total_of[plic]} / ${total_of[qemu]}" | bc -l)"
