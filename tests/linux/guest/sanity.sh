#!/bin/sh
# Guest test: the basics of nvsoc's initramfs and kernel. Checks that the
# file systems /init mounts are there, that every hart of the device tree is
# online, that the console is the 8250 UART, and prints what it found.
# Exit status: the number of failed checks.
failures=0
check() { # DESCRIPTION COMMAND...
    what=$1; shift
    if "$@" >/dev/null 2>&1; then echo "sanity: ok: $what"; else echo "sanity: FAIL: $what"; failures=$((failures + 1)); fi
}
uname -a
check "proc mounted" grep -q ' /proc proc ' /proc/mounts
check "sysfs mounted" grep -q ' /sys sysfs ' /proc/mounts
check "devtmpfs on /dev" grep -q ' /dev devtmpfs ' /proc/mounts
check "tmpfs on /tmp" grep -q ' /tmp tmpfs ' /proc/mounts
check "debugfs mounted" grep -q ' /sys/kernel/debug debugfs ' /proc/mounts
check "hostname is nvsoc" [ "$(hostname)" = nvsoc ]
check "console is ttyS0" grep -q '^ttyS0' /proc/consoles
# Harts in the device tree whose status is okay (or absent), against Linux's count.
dt=0
for cpu in /proc/device-tree/cpus/cpu@*; do
    [ -d "$cpu" ] || continue
    status=$(tr -d '\0' <"$cpu/status" 2>/dev/null || echo okay)
    [ "$status" = okay ] && dt=$((dt + 1))
done
echo "sanity: $dt harts in the device tree, $(nproc) online"
check "every hart online" [ "$dt" -eq "$(nproc)" ]
echo "sanity: $failures failed"
exit "$failures"
