#!/usr/bin/env bash
# NVLink under Linux: nvsoc's kernel with the nvsoc-gpu driver and nvsoc-smi
# (tests/linux/guest/gpu-nvlink.sh in the guest):
#   direct   configs/nvlink-direct.yaml: four GPUs, all-to-all, two NVLink 4
#            links a pair (ALI): the driver binds four GPUs, every GPU's six
#            ports read HS generation 4 x2 in <device>/nvlink/, gpu0's
#            link0 names 0000:02:00.0 as its remote, nvsoc-smi topo -m
#            shows NV2 between every pair and PHB to the CPU, and
#            nvlink -s 26.562 GB/s; peer
#            access over NVLink (2 links) on every ordered pair, every
#            peer copy (write and read, 3 sizes) passing its CRC, and the
#            bandwidth and latency matrices with a figure in every cell;
#            no splat;
#   crc      nvlink-direct with CRC errors injected on links.nvl01a
#            (1e-3 per flit): the peer tests all pass, and the link's
#            replays and CRC flit errors show in sysfs and nvlink -e;
#   gen2     configs/nvlink-gen2.yaml: two GPUs, two NVLink 2 links that stay
#            OFF until the driver trains them (RXDET, SAFE, HS on both ends):
#            both links HS generation 2 x8;
#   gen3     the same at NVLink 3 (--set ...nvlink-gen=3): the driver's
#            generation-3 steps; 2 links HS generation 3 x4, ECC lane files;
#   aer      nvlink-direct, gpu0 taking a poisoned read during a round of
#            peer copies that holds gpu1's memory: Xid 31, AER recovery,
#            and the held import's next round passes over NVLink;
#   down     nvlink-direct with both links between gpu0 and gpu1 going down
#            (link-down-at, after the guest's script has started): one
#            Xid 74 line per port at each end, the ports read FAULT and
#            nvlink -s <inactive>; peer access of a held import moves to
#            PCIe (logged) and its copies pass, every pair's peer tests
#            pass (gpu0-gpu1 over PCIe); with peer_pcie=0 gpu0 and gpu1
#            have no path: peer access between them is refused
#            (EHOSTUNREACH, the reason logged); the driver retrains the links
#            (RESET) and they reach HS again, peer access returns to
#            NVLink (logged) and the copies pass over it (the links' TL
#            counters grow); no splat;
#   debug    nvlink-gen2 on the debug kernel (lockdep): training, peer
#            copies, both links going down (the held import over PCIe, the
#            driver's retraining by software, NVLink again), then rmmod
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

boot direct "$kernel" "$initrd" "$base nvsoc_test=/tests/gpu-nvlink.sh nvsoc_gpu_p2p=1"
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
check "direct: topo -m: every GPU's path to the CPU is PHB" \
    bash -c "grep -cP '^topo: GPU[0-3]\t(.*\t)?PHB\t0-3\tN/A\tN/A\$' <<<\"\$1\" | grep -qx 4" _ "$out"
check "direct: nvlink -s shows 26.562 GB/s (24 links)" has_n 6 '^nvlink-s:[[:space:]]*Link [0-5]: 26.562 GB/s$'
check "direct: no port left untrained" has '^gpu-nvlink: ok: no port is left untrained$'
check "direct: p2p-test: every ordered pair (12) over NVLink, 2 links" \
    has_n 12 '^p2p: p2p-test: GPU[0-3]->GPU[0-3]: path nvlink 2 links, peer table slot 0, peer NVLink ID [1-4]$'
check "direct: p2p-test: 72 copies pass their CRC, none fails" \
    has '^p2p: p2p-test: 72 passed, 0 failed, 0 pairs without a path$'
check "direct: p2p-bw: a write figure in every cell" \
    bash -c "grep -A5 '^p2p: p2p-bw: write' <<<\"\$1\" | grep -E '^p2p: p2p-bw: GPU[0-3]( +[0-9]+\.[0-9]+){4}\$' | wc -l | grep -qx 4" _ "$out"
check "direct: p2p-bw: a read figure in every cell" \
    bash -c "grep -A5 '^p2p: p2p-bw: read' <<<\"\$1\" | grep -E '^p2p: p2p-bw: GPU[0-3]( +[0-9]+\.[0-9]+){4}\$' | wc -l | grep -qx 4" _ "$out"
check "direct: p2p-lat: a figure in every cell" \
    bash -c "grep -E '^p2p: p2p-lat: GPU[0-3]( +[0-9]+\.[0-9]+){4}\$' <<<\"\$1\" | wc -l | grep -qx 4" _ "$out"
check "direct: no peer path changed" lacks 'peer access falls back\|peer access over NVLink again'
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
boot crc "$kernel" "$initrd" "$base nvsoc_test=/tests/gpu-nvlink.sh nvsoc_gpu_p2p=1 nvsoc_gpu_nvlink_crc=0000:01:00.0:0" \
    --set links.nvl01a.crc-error-rate=1e-3
check "crc: p2p-test: 72 copies pass their CRC, none fails" \
    has '^p2p: p2p-test: 72 passed, 0 failed, 0 pairs without a path$'
check "crc: sysfs: gpu0 link0 has replays and CRC flit errors" \
    has '^gpu-nvlink: crc: 0000:01:00.0:0 dl_replay [1-9][0-9]* dl_crc_flit [1-9][0-9]* '
check "crc: nvlink -e: gpu0 link0's replay count is not 0" has '^nvlink-e: .*Replay Errors: [1-9]'
check "crc: nvlink -e: gpu0 link0's CRC flit count is not 0" has '^nvlink-e: .*CRC Errors: [1-9]'
check "crc: 0 failed" has '^gpu-nvlink: 0 failed$'
check "crc: no kernel splat" no_splat
check "crc: status 0" [ "$status" -eq 0 ]

# GPU0 takes a poisoned read (its 60th DMA read) during a round of peer
# copies that holds GPU1's memory: AER recovers it, and the held import's
# next round passes over NVLink.
boot aer "$kernel" "$initrd" "$base nvsoc_test=/tests/gpu-nvlink.sh nvsoc_gpu_p2p_aer=1" \
    --set devices.gpu0.poison-read-at=60
check "aer: one Xid 31 line for the poisoned read" \
    has_n 1 'nvsoc-gpu 0000:01:00.0: Xid 31: channel [0-9]* engine [A-Z0-9]* MMU fault POISONED read at'
check "aer: slot_reset" has 'nvsoc-gpu 0000:01:00.0: PCIe slot reset: restoring config space'
check "aer: recovery completed" has '^gpu-nvlink: ok: GPU0.s AER recovery completed$'
check "aer: the held import's round after the recovery passes over NVLink" \
    has '^p2p-hold: p2p-test: round 2: GPU0->GPU1 nvlink 2 links: ok$'
check "aer: 0 failed" has '^gpu-nvlink: 0 failed$'
check "aer: no kernel splat" no_splat
check "aer: status 0" [ "$status" -eq 0 ]

down_at=${NVSOC_NVLINK_DOWN_AT:-1500ms}
boot down "$kernel" "$initrd" "$base nvsoc_test=/tests/gpu-nvlink.sh nvsoc_gpu_p2p_down=0000:01:00.0:0,0000:01:00.0:1" \
    --set links.nvl01a.link-down-at="$down_at" --set links.nvl01b.link-down-at="$down_at"
for l in 0 1; do
    check "down: one Xid 74 line for gpu0 link $l" \
        has_n 1 "nvsoc-gpu 0000:01:00.0: Xid 74: NVLink link $l failed (FAULT), remote 0000:02:00.0 link $l\$"
    check "down: one Xid 74 line for gpu1 link $l" \
        has_n 1 "nvsoc-gpu 0000:02:00.0: Xid 74: NVLink link $l failed (FAULT), remote 0000:01:00.0 link $l\$"
    check "down: gpu0 link $l read FAULT" has "^gpu-nvlink: 0000:01:00.0 link$l: FAULT "
    check "down: nvlink -s: link $l <inactive>" has "^nvlink-s-down:[[:space:]]*Link $l: <inactive>\$"
    check "down: one retrain of link $l, from one end" \
        has_n 1 "nvsoc-gpu 0000:0[12]:00.0: NVLink link $l: retraining (RESET, attempt 1 of 3)\$"
    check "down: gpu0 link $l HS again after the retrain" \
        has_n 2 "nvsoc-gpu 0000:01:00.0: NVLink link $l: HS, generation 4 x2, to 0000:02:00.0 link $l\$"
done
check "down: no other Xid 74" has_n 4 'Xid 74:'
check "down: the held import's path falls back to PCIe (logged; again after peer_pcie=0 and 1)" \
    has_n 2 'nvsoc-gpu 0000:01:00.0: peer 0000:02:00.0: no NVLink is up to it: peer access falls back to PCIe$'
check "down: peer_pcie=0: the held import loses its path (logged)" \
    has_n 1 'nvsoc-gpu 0000:01:00.0: peer 0000:02:00.0: peer access has no path left (no NVLink is up to it, and peer_pcie=0 forbids PCIe peer-to-peer): its copies fault$'
check "down: peer_pcie=0: GPU0->GPU1 and GPU1->GPU0 are refused (EHOSTUNREACH)" \
    has_n 2 '^p2p-nopath: p2p-test: GPU[01]->GPU[01]: no path (peer access refused: EHOSTUNREACH)$'
for pair in '0000:01:00.0: peer 0000:02:00.0' '0000:02:00.0: peer 0000:01:00.0'; do
    check "down: peer_pcie=0: the refusal is logged with its reason (nvsoc-gpu $pair)" \
        has_n 1 "nvsoc-gpu $pair: peer access refused: no NVLink is up to it, and peer_pcie=0 forbids PCIe peer-to-peer\$"
done
check "down: peer_pcie=0: the other pairs pass over NVLink" \
    has '^p2p-nopath: p2p-test: 20 passed, 0 failed, 2 pairs without a path$'
check "down: and returns to NVLink (logged)" \
    has_n 1 'nvsoc-gpu 0000:01:00.0: peer 0000:02:00.0: peer access over NVLink again (2 links up)$'
check "down: held import: round 1 over NVLink passes" has '^p2p-hold: p2p-test: round 1: GPU0->GPU1 nvlink 2 links: ok$'
check "down: held import: round 2, links down, over PCIe passes" has '^p2p-hold: p2p-test: round 2: GPU0->GPU1 pcie: ok$'
check "down: held import: round 3, retrained, over NVLink passes" has '^p2p-hold: p2p-test: round 3: GPU0->GPU1 nvlink 2 links: ok$'
check "down: held import: 18 copies, none failed" has '^p2p-hold: p2p-test: 18 passed, 0 failed, 0 pairs without a path$'
check "down: links down: GPU0->GPU1 and back over PCIe" \
    has_n 2 '^p2p-pcie: p2p-test: GPU[01]->GPU[01]: path pcie, '
check "down: links down: the other pairs over NVLink" \
    has_n 10 '^p2p-pcie: p2p-test: GPU[0-3]->GPU[0-3]: path nvlink 2 links, '
check "down: links down: every peer copy passes" has '^p2p-pcie: p2p-test: 72 passed, 0 failed, 0 pairs without a path$'
check "down: after: every pair over NVLink again" \
    has_n 12 '^p2p-back: p2p-test: GPU[0-3]->GPU[0-3]: path nvlink 2 links, '
check "down: after: every peer copy passes" has '^p2p-back: p2p-test: 72 passed, 0 failed, 0 pairs without a path$'
for l in 0 1; do
    # Nothing crossed the link while it was down; the copies after did.
    check "down: gpu0 link $l: its TL bytes grew after the retrain" bash -c '
        during=$(grep -o "^gpu-nvlink: during: 0000:01:00.0:'$l' tl_tx_bytes [0-9]*" <<<"$1" | grep -o "[0-9]*$")
        after=$(grep -o "^gpu-nvlink: after: 0000:01:00.0:'$l' tl_tx_bytes [0-9]*" <<<"$1" | grep -o "[0-9]*$")
        [ -n "$during" ] && [ -n "$after" ] && [ "$after" -gt "$during" ]' _ "$out"
done
check "down: 0 failed" has '^gpu-nvlink: 0 failed$'
check "down: no kernel splat" no_splat
check "down: status 0" [ "$status" -eq 0 ]

config=$here/../../configs/nvlink-gen2.yaml
use_kernel debug
boot debug "$kernel" "$initrd" "$base nvsoc_test=/tests/gpu-nvlink.sh nvsoc_gpu_p2p=1 nvsoc_gpu_p2p_down=0000:01:00.0:0,0000:01:00.0:1 nvsoc_gpu_nvlink_reload=1" \
    --set links.nvl01a.link-down-at=2s --set links.nvl01b.link-down-at=2s
check "debug: lockdep is on" has 'Lock dependency validator'
check "debug: peer copies over NVLink pass (2 pairs)" has '^p2p: p2p-test: 12 passed, 0 failed, 0 pairs without a path$'
check "debug: Xid 74 at both ends of both links" has_n 4 'Xid 74:'
check "debug: held import: over PCIe while down" has '^p2p-hold: p2p-test: round 2: GPU0->GPU1 pcie: ok$'
check "debug: the driver retrains both links by software (RESET, then its training)" \
    has_n 2 'nvsoc-gpu 0000:0[12]:00.0: NVLink link [01]: retraining (RESET, attempt 1 of 3)$'
check "debug: held import: over NVLink once retrained" has '^p2p-hold: p2p-test: round 3: GPU0->GPU1 nvlink 2 links: ok$'
check "debug: rmmod removed every nvlink/ directory" has '^gpu-nvlink: ok: rmmod removed every nvlink/ directory$'
check "debug: after insmod every port is HS again" has '^gpu-nvlink: ok: after insmod: every port HS again$'
check "debug: 0 failed" has '^gpu-nvlink: 0 failed$'
check "debug: no kernel splat" no_splat
check "debug: status 0" [ "$status" -eq 0 ]

finish
