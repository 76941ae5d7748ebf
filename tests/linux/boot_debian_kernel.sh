#!/usr/bin/env bash
# Debian's stock riscv64 kernel (configured by Debian, not by nvsoc) boots on
# the default platform through Debian's OpenSBI to a busybox user space,
# which reports what it sees and powers off. Checks: user space is reached,
# 4 harts are online, every hart's timer interrupt counts, the UART's
# interrupt counts, and the guest's poweroff ends nvsoc with status 0.
#   boot_debian_kernel.sh NVSOC
set -u
nvsoc=$1
here=$(cd "$(dirname "$0")" && pwd)
dirs=$("$here/../../scripts/fetch-debian-riscv64.sh" linux-image-riscv64 busybox-static) ||
    { echo "could not fetch Debian's riscv64 packages"; exit 1; }
kdir=$(echo "$dirs" | sed -n 1p)
bbdir=$(echo "$dirs" | sed -n 2p)
kernel=$(ls "$kdir"/boot/vmlinux-* | head -1)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The initramfs: busybox and an init script; no device nodes are needed
# because init mounts devtmpfs itself.
mkdir -p "$work/root/bin" "$work/root/dev" "$work/root/proc" "$work/root/sys"
cp "$bbdir/usr/bin/busybox" "$work/root/bin/busybox"
cat >"$work/root/init" <<'INIT'
#!/bin/busybox sh
/bin/busybox mount -t devtmpfs dev /dev
exec 0</dev/console 1>/dev/console 2>&1
/bin/busybox mount -t proc proc /proc
/bin/busybox mount -t sysfs sys /sys
echo "nvsoc-linux: user space reached"
echo "nvsoc-linux: cpus $(/bin/busybox grep -c ^processor /proc/cpuinfo)"
/bin/busybox cat /proc/interrupts
/bin/busybox poweroff -f
INIT
chmod +x "$work/root/init"
(cd "$work/root" && find . | cpio -o -H newc -R 0:0 --quiet >"$work/initrd.cpio")

"$nvsoc" run configs/default.yaml --kernel "$kernel" --initrd "$work/initrd.cpio" \
    --append "console=ttyS0 earlycon=sbi" --max-time 20s </dev/null >"$work/console.log" 2>&1
status=$?
out=$(tr -d '\r' <"$work/console.log")
printf '%s\n' "$out" | tail -25
failures=0
check() {
    if eval "$2"; then echo "ok: $1"; else echo "FAIL: $1"; failures=$((failures + 1)); fi
}
check "user space reached" 'printf "%s\n" "$out" | grep -qx "nvsoc-linux: user space reached"'
check "4 harts online" 'printf "%s\n" "$out" | grep -qx "nvsoc-linux: cpus 4"'
timer=$(printf '%s\n' "$out" | grep 'riscv-timer' | head -1)
check "timer interrupts on every hart" \
    '[ -n "$timer" ] && printf "%s\n" "$timer" | awk "{exit !(\$2 > 0 && \$3 > 0 && \$4 > 0 && \$5 > 0)}"'
check "UART interrupts counted" \
    'printf "%s\n" "$out" | grep ttyS0 | awk "{s=\$2+\$3+\$4+\$5} END {exit !(s > 0)}"'
check "poweroff ends nvsoc with status 0" '[ "$status" -eq 0 ]'
echo "$((5 - failures)) passed, $failures failed"
[ "$failures" -eq 0 ]
