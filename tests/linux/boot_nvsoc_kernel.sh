#!/usr/bin/env bash
# nvsoc's own kernel (sw/linux) and initramfs (sw/rootfs) on the default
# platform, in test mode and interactively, plus the same initramfs under
# Debian's stock kernel (configured by Debian, not by sw/linux: kernels
# nvsoc did not configure must boot too).
#
#   boot_nvsoc_kernel.sh NVSOC
#
# NVSOC_CONFIG overrides the platform (default: configs/default.yaml, an AIA
# platform) and NVSOC_IRQCHIP what it has (aia, or plic). The PLIC platform
# (configs/plic.yaml) boots once too.
# One boot runs the debug kernel (lockdep) and fails on any kernel splat;
# NVSOC_KERNEL_VARIANT=debug runs every boot on it.
# The kernels come from the cache (sw/linux/build-kernel.sh builds them on
# the first run, which takes several minutes each on 2 cores). The console log of
# every boot with a failed check is printed in full at the end, and all logs
# are kept in NVSOC_LINUX_LOGS (default: ./linux-logs under the current
# directory, which ctest sets to the build tree).
set -euo pipefail
nvsoc=$1
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
config=${NVSOC_CONFIG:-$here/../../configs/default.yaml}
irqchip=${NVSOC_IRQCHIP:-aia}
default_logs=$PWD/linux-logs
max_time=60s
# shellcheck source=SCRIPTDIR/lib.sh
. "$here/lib.sh"

base="console=ttyS0 earlycon=sbi"

boot sanity "$kernel" "$initrd" "$base nvsoc_test=/tests/sanity.sh"
check "user space ready" has '^nvsoc: user space ready$'
check "sanity checks pass" has '^sanity: 0 failed$'
check "status 0 for a passing script" [ "$status" -eq 0 ]

boot platform "$kernel" "$initrd" "$base nvsoc_irqchip=$irqchip nvsoc_test=/tests/platform.sh"
check "4 harts, timer, UART ($irqchip) and IPI interrupts, PCI host probed" has '^platform: 0 failed$'
check "platform checks status 0" [ "$status" -eq 0 ]
if [ "$irqchip" = aia ]; then
    check "OpenSBI takes the IMSIC as its IPI device" has 'Platform IPI Device *: aia-imsic'
fi

if [ -z "${NVSOC_CONFIG:-}" ]; then
    config=$repo/configs/plic.yaml
    boot plic-platform "$kernel" "$initrd" "$base nvsoc_irqchip=plic nvsoc_test=/tests/platform.sh"
    check "configs/plic.yaml: 4 harts, timer and UART interrupts through the PLIC" \
        has '^platform: 0 failed$'
    config=$repo/configs/default.yaml
fi

boot exit3 "$kernel" "$initrd" "$base nvsoc_test=/tests/exit-status.sh nvsoc_exit=3"
check "a script's status 3 is nvsoc's status" [ "$status" -eq 3 ]

boot missing "$kernel" "$initrd" "$base nvsoc_test=/tests/no-such-test.sh"
check "a missing script gives status 127" [ "$status" -eq 127 ]

boot smp "$kernel" "$initrd" "$base nvsoc_test=/tests/smp-check.sh"
check "smp-check passes on every hart" has '^smp-check: PASS$'
check "smp-check status 0" [ "$status" -eq 0 ]

# kernel-features.sh loads and unloads every module itself.
boot features "$kernel" "$with_modules" "$base kmemleak=on nvsoc_modules=off nvsoc_test=/tests/kernel-features.sh"
check "ftrace, kmemleak, modules work" has '^kernel-features: 0 failed$'
check "kernel-features status 0" [ "$status" -eq 0 ]

# Interactive: commands through the UART from a file on stdin. The first
# bytes go into the UART FIFO before Linux opens the port, and the 8250
# driver clears the FIFO when it does, so the input starts with blank lines
# to lose. $((6*7)) shows the shell ran the command (its echo shows the text).
# `case $-` shows whether the shell has job control (a controlling tty).
pad() { printf '\n%.0s' $(seq 32); }
{ pad; printf 'echo nvsoc-$((6*7))\n'; printf 'case $- in *m*) echo job-control-$((1+1));; esac\npoweroff\n'; } >"$work/interactive.in"
boot interactive "$kernel" "$initrd" "$base" --set devices.uart0.input=stdin
# (Not anchored: the tty echoes the typed-ahead input as it arrives, which
# can be in the middle of what /init prints, e.g. while it loads modules.)
check "interactive: hint printed" has "nvsoc: interactive shell; leave with 'poweroff'"
check "interactive: prompt" has '^nvsoc:~# '
check "interactive: command ran" has '^nvsoc-42$'
check "interactive: job control" has '^job-control-2$'
check "interactive: poweroff gives status 0" [ "$status" -eq 0 ]
{ pad; printf 'exit\n'; } >"$work/interactive-exit.in"
boot interactive-exit "$kernel" "$initrd" "$base" --set devices.uart0.input=stdin
check "interactive: leaving the shell powers off with status 0" \
    eval '[ "$status" -eq 0 ] && has "Requesting system poweroff"'

# The debug kernel (sw/linux/debug.config: lockdep, sleep-in-atomic and
# spinlock checks) with its own build of nvsoc's modules, which /init loads:
# the platform checks pass and the console shows no lockdep report, BUG,
# WARNING or Oops. (The GPU driver's tests boot this kernel the same way.)
if [ "${NVSOC_KERNEL_VARIANT:-}" != debug ]; then
    use_kernel debug
    boot debug-platform "$kernel" "$initrd" "$base nvsoc_irqchip=$irqchip nvsoc_test=/tests/platform.sh"
    check "debug kernel: lockdep is on" has 'Lock dependency validator'
    check "debug kernel: 4 harts, timer, UART ($irqchip) and IPI interrupts, PCI host probed" \
        has '^platform: 0 failed$'
    check "debug kernel: every module in /lib/modules loaded" lacks '^nvsoc: insmod .* failed'
    check "debug kernel: no lockdep report, BUG, WARNING or Oops" no_splat
    check "debug kernel: status 0" [ "$status" -eq 0 ]
    use_kernel "${NVSOC_KERNEL_VARIANT:-}"
fi

# The same initramfs under Debian's stock kernel, without loading nvsoc's
# modules (built for nvsoc's kernel, they would not load into Debian's).
base="$base nvsoc_modules=off"
if kdir=$("$repo/scripts/fetch-debian-riscv64.sh" linux-image-riscv64); then
    debian=$(ls "$kdir"/boot/vmlinux-* | head -1)
    boot debian-sanity "$debian" "$initrd" "$base nvsoc_test=/tests/sanity.sh"
    check "Debian kernel: sanity checks pass" has '^sanity: 0 failed$'
    check "Debian kernel: status 0" [ "$status" -eq 0 ]
    boot debian-platform "$debian" "$initrd" "$base nvsoc_irqchip=$irqchip nvsoc_test=/tests/platform.sh"
    check "Debian kernel: 4 harts, timer, UART ($irqchip) and IPI interrupts, PCI host probed" \
        has '^platform: 0 failed$'
    boot debian-exit3 "$debian" "$initrd" "$base nvsoc_test=/tests/exit-status.sh nvsoc_exit=3"
    check "Debian kernel: status 3 reaches nvsoc" [ "$status" -eq 3 ]
else
    check "fetch Debian's stock kernel" false
fi

finish
