#!/bin/sh
# Guest test: smp-check (sw/rootfs/programs/smp-check.c) on every online CPU:
# atomics, LR/SC, a mutex and FP state under contention, all self-checked.
echo "smp-check: $(nproc) CPUs online: $(cat /sys/devices/system/cpu/online)"
exec smp-check
