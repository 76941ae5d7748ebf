#!/usr/bin/env bash
# NVLink under Linux: nvsoc's kernel with the nvsoc-gpu driver and nvsoc-smi
# (tests/linux/guest/gpu-nvlink.sh in the guest):
#   direct   configs/nvlink-direct.yaml: four GPUs, all-to-all, two NVLink 4
#            links a pair (ALI): the driver binds four GPUs, every GPU's six
#            ports read HS generation 4 x2 in <device>/nvlink/, gpu0's
#            link0 names 0000:02:00.0 as its remote, nvsoc-smi topo -m
#            shows NV2 between every pair and nvlink -s 26.562 GB/s; no
#            splat;
#   gen2     configs/nvlink-gen2.yaml: two GPUs, two NVLink 2 links that stay
#            OFF until the driver trains them (RXDET, SAFE, HS on both ends):
#            both links HS generation 2 x8;
#   gen3     the same at NVLink 3 (--set ...nvlink-gen=3): the driver's
#            generation-3 steps; 2 links HS generation 3 x4, ECC lane files;
#   down     nvlink-direct with links.nvl01a.link-down-at (after the guest's
#            script has started): one Xid 74 line per end (gpu0 link 0,
#            gpu1 link 0), the port reads FAULT and nvlink -s <inactive>;
#            no splat;
#   debug    nvlink-gen2 on the debug kernel (lockdep): training, then rmmod
#            (every nvlink/ directory goes) and insmod (the links are HS
#            again); no splat.
#
#   nvlink.sh NVSOC
#
# Logs of every boot are kept in NVSOC_LINUX_LOGS (default
# ./linux-nvlink-logs); the console of a boot with a failed check is printed
# in full at the end.
set -euo pipefail
nvsoc=$1
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
config=$here/../../configs/nvlink-direct.yaml
default_logs=$PWD/linux-nvlink-logs
max_time=120s
# shellcheck source=SCRIPTDIR/lib.sh
. "$here/lib.sh"

base="console=ttyS0 earlycon=sbi"
gpus=(0000:01:00.0 0000:02:00.0 0000:03:00.0 0000:04:00.0)

boot direct "$kernel" "$initrd" "$base nvsoc_test=/tests/gpu-nvlink.sh"
check "direct: /init loaded nvsoc-gpu.ko" has '^nvsoc: insmod /lib/modules/nvsoc-gpu.ko: ok$'
check "direct: the driver binds 4 GPUs" has '^gpu-nvlink: 4 GPUs bound$'
for g in "${gpus[@]}"; do
    check "direct: $g has 6 links" has "^gpu-nvlink: $g: links 6\$"
    check "direct: $g: 6 links HS generation 4 x2" \
        has_n 6 "^gpu-nvlink: $g link[0-5]: HS gen 4 x2 26562 MB/s remote GPU 0000:0[1-4]:00.0 link [0-5] ecc yes"
done
check "direct: gpu0 link0's remote_device is 0000:02:00.0, link 0" \
    has '^gpu-nvlink: 0000:01:00.0 link0: HS gen 4 x2 26562 MB/s remote GPU 0000:02:00.0 link 0 '
check "direct: one HS line per port (24)" has_n 24 'nvsoc-gpu 0000:0[1-4]:00.0: NVLink link [0-5]: HS, generation 4 x2, to 0000:0[1-4]:00.0 link [0-5]$'
for i in 0 1 2 3; do
    # The topo -m matrix: the GPU's row shows X once and NV2 three times.
    check "direct: topo -m: GPU$i has NV2 to the three others" \
        bash -c "grep -P '^topo: GPU$i\t' <<<\"\$1\" | grep -o NV2 | wc -l | grep -qx 3" _ "$out"
done
check "direct: nvlink -s shows 26.562 GB/s (24 links)" has_n 6 '^nvlink-s:[[:space:]]*Link [0-5]: 26.562 GB/s$'
check "direct: no port left untrained" has '^gpu-nvlink: ok: no port is left untrained$'
check "direct: 0 failed" has '^gpu-nvlink: 0 failed$'
check "direct: no kernel splat" no_splat
check "direct: status 0" [ "$status" -eq 0 ]

config=$here/../../configs/nvlink-gen2.yaml
boot gen2 "$kernel" "$initrd" "$base nvsoc_test=/tests/gpu-nvlink.sh"
check "gen2: the driver binds 2 GPUs" has '^gpu-nvlink: 2 GPUs bound$'
for g in 0000:01:00.0 0000:02:00.0; do
    check "gen2: $g: 2 links HS generation 2 x8 by software training" \
        has_n 2 "^gpu-nvlink: $g link[01]: HS gen 2 x8 .* remote GPU 0000:0[12]:00.0 link [01] ecc no"
done
check "gen2: the HS lines (4)" has_n 4 'nvsoc-gpu 0000:0[12]:00.0: NVLink link [01]: HS, generation 2 x8, to 0000:0[12]:00.0 link [01]$'
check "gen2: topo -m shows NV2" bash -c "grep -P '^topo: GPU0\t' <<<\"\$1\" | grep -q NV2" _ "$out"
check "gen2: 0 failed" has '^gpu-nvlink: 0 failed$'
check "gen2: no kernel splat" no_splat
check "gen2: status 0" [ "$status" -eq 0 ]

# The same two GPUs speaking NVLink 3: INITPHASE1, RXDET, SAFE,
# INITNEGOTIATE, INITOPTIMIZE, INITTL, HS, all by the driver.
boot gen3 "$kernel" "$initrd" "$base nvsoc_test=/tests/gpu-nvlink.sh" \
    --set devices.gpu0.nvlink-gen=3 --set devices.gpu1.nvlink-gen=3
for g in 0000:01:00.0 0000:02:00.0; do
    check "gen3: $g: 2 links HS generation 3 x4 by software training, with ECC lanes" \
        has_n 2 "^gpu-nvlink: $g link[01]: HS gen 3 x4 .* remote GPU 0000:0[12]:00.0 link [01] ecc yes"
done
check "gen3: 0 failed" has '^gpu-nvlink: 0 failed$'
check "gen3: no kernel splat" no_splat
check "gen3: status 0" [ "$status" -eq 0 ]

config=$here/../../configs/nvlink-direct.yaml
boot down "$kernel" "$initrd" "$base nvsoc_test=/tests/gpu-nvlink.sh nvsoc_gpu_nvlink_down=0000:01:00.0:0" \
    --set links.nvl01a.link-down-at="${NVSOC_NVLINK_DOWN_AT:-2s}"
check "down: one Xid 74 line for gpu0 link 0" \
    has_n 1 'nvsoc-gpu 0000:01:00.0: Xid 74: NVLink link 0 failed (FAULT), remote 0000:02:00.0 link 0$'
check "down: one Xid 74 line for gpu1 link 0" \
    has_n 1 'nvsoc-gpu 0000:02:00.0: Xid 74: NVLink link 0 failed (FAULT), remote 0000:01:00.0 link 0$'
check "down: no other Xid 74" has_n 2 'Xid 74:'
check "down: the port reads FAULT" has '^gpu-nvlink: ok: 0000:01:00.0 link 0 reads FAULT$'
check "down: sysfs after: gpu0 link0 FAULT" has '^gpu-nvlink: 0000:01:00.0 link0: FAULT '
check "down: nvlink -s: <inactive>" has '^nvlink-s-down:[[:space:]]*Link 0: <inactive>$'
check "down: 0 failed" has '^gpu-nvlink: 0 failed$'
check "down: no kernel splat" no_splat
check "down: status 0" [ "$status" -eq 0 ]

config=$here/../../configs/nvlink-gen2.yaml
use_kernel debug
boot debug "$kernel" "$initrd" "$base nvsoc_test=/tests/gpu-nvlink.sh nvsoc_gpu_nvlink_reload=1"
check "debug: lockdep is on" has 'Lock dependency validator'
check "debug: rmmod removed every nvlink/ directory" has '^gpu-nvlink: ok: rmmod removed every nvlink/ directory$'
check "debug: after insmod every port is HS again" has '^gpu-nvlink: ok: after insmod: every port HS again$'
check "debug: 0 failed" has '^gpu-nvlink: 0 failed$'
check "debug: no kernel splat" no_splat
check "debug: status 0" [ "$status" -eq 0 ]

finish
