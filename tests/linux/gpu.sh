#!/usr/bin/env bash
# The GPU under Linux: nvsoc's kernel with the nvsoc-gpu driver
# (sw/drivers/nvsoc-gpu) and nvsoc-smi (sw/tools) on configs/gpu.yaml, one
# GPU at 0000:01:00.0 behind the Gen5 x16 root port rp0:
#   probe      the driver binds with a 64-bit DMA mask and MSI-X (1 + 16
#              vectors), sysfs, debugfs, /dev/accel, lspci -vv (32GT/s x16,
#              MSI-X Enable+, Physical Resizable BAR), the tracepoints
#              firing, rmmod and insmod again (tests/linux/guest/gpu-probe.sh);
#   copy       nvsoc-smi copy-test at every size from 1 byte to 64 MiB,
#              host to device, device to host and device to device, system
#              memory and user-pointer buffers, unaligned, 2-D and fills,
#              each checked by CRC; bandwidth and latency in simulated time
#              (gpu-copy.sh);
#   semaphore  a thousand jobs waited on one by one, each with exactly one
#              non-stall interrupt on its channel's vector, then bursts: no
#              interrupt is lost (gpu-semaphore.sh);
#   fault      the model's channel-error fault point fails a method: one Xid
#              line, one channel reset (Xid 43), and the next copies pass
#              (gpu-fault.sh);
#   ecc        an uncorrectable VRAM ECC error under a copy: one Xid 48
#              line, the ECC unit's report, one channel reset, and the next
#              copies pass (gpu-fault.sh);
#   dma32      4 GiB of RAM (reaching above 4 GiB) and the GPU at 32 DMA
#              address bits: the driver takes a 32-bit mask, says that
#              buffers above it are bounced (swiotlb), and every copy of a
#              quick copy-test passes; dma64 the same RAM at 64 bits: no
#              bouncing;
#   aer        the GPU vanishes (surprise down) under a running copy-test:
#              the AER callbacks run, jobs fail with EIO, no oops, no hang;
#   lost       the same with AER off (pci=noaer): a timed-out wait finds the
#              GPU gone, one Xid 79 line;
#   aer-recover  a poisoned DMA read: AER recovers the GPU through the
#              driver's error_detected, slot_reset and resume, the
#              access's fault record is logged once, and copies pass again;
#   four       configs/gpu-4x.yaml: four GPUs enumerate, bind, and run
#              copy-test at once, each passing;
#   debug      the probe and a quick copy-test on the debug kernel (lockdep,
#              sleep-in-atomic checks): no splat.
#
#   gpu.sh NVSOC
#
# Logs of every boot are kept in NVSOC_LINUX_LOGS (default ./linux-gpu-logs);
# the console of a boot with a failed check is printed in full at the end.
set -euo pipefail
nvsoc=$1
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
config=$here/../../configs/gpu.yaml
default_logs=$PWD/linux-gpu-logs
max_time=120s
# shellcheck source=SCRIPTDIR/lib.sh
. "$here/lib.sh"

base="console=ttyS0 earlycon=sbi"

# gpu-probe.sh loads the driver itself, with irq_mode.
boot probe "$kernel" "$initrd" "$base nvsoc_modules=off nvsoc_test=/tests/gpu-probe.sh"
check "probe: 64-bit DMA mask and MSI-X x17 in the summary line" \
    has 'nvsoc-gpu 0000:01:00.0: nvsoc GPU 1.0: 16 channels, 2 copy engines, 256 MiB VRAM .*DMA mask 64 bits (device 64), MSI-X x17, accel0'
check "probe: the PCIe link at 32 GT/s x16" \
    has 'nvsoc-gpu 0000:01:00.0: PCIe link (probe): 32.0 GT/s x16'
check "probe: lspci -vv: LnkSta 32GT/s x16" has '^gpu-probe: ok: 0000:01:00.0: lspci: LnkSta 32GT/s x16$'
check "probe: lspci -vv: MSI-X Enable+" has 'Capabilities: \[9c\] MSI-X: Enable+ Count=17'
check "probe: lspci -vv: Physical Resizable BAR, BAR 1 at 256MB" has 'BAR 1: current size: 256MB, supported: 64MB 128MB 256MB'
for ev in dma_map dma_unmap submit complete; do
    check "probe: tracepoint nvsoc_gpu_$ev fired" has "^gpu-probe: ok: tracepoint nvsoc_gpu_$ev fired\$"
done
check "probe: 0 failed" has '^gpu-probe: 0 failed$'
check "probe: status 0" [ "$status" -eq 0 ]

# /init loads nvsoc-gpu.ko from /lib/modules from here on.
boot copy "$kernel" "$initrd" "$base nvsoc_test=/tests/gpu-copy.sh"
check "copy: /init loaded nvsoc-gpu.ko" has '^nvsoc: insmod /lib/modules/nvsoc-gpu.ko: ok$'
for size in 1 4096 1048579 16777216 67108864; do
    check "copy: host to device, $size bytes" has "^copy-test: GPU0: h2d .* size $size .*: ok\$"
    check "copy: device to host, $size bytes" has "^copy-test: GPU0: d2h .* size $size .*: ok\$"
done
check "copy: no case failed" lacks '^copy-test: .*FAIL'
check "copy: bandwidth in simulated time" has '^bw: GPU0 h2d sysmem->vram .* GB/s'
check "copy: 0 failed" has '^gpu-copy: 0 failed$'
check "copy: status 0" [ "$status" -eq 0 ]

boot semaphore "$kernel" "$initrd" "$base nvsoc_test=/tests/gpu-semaphore.sh"
check "semaphore: one interrupt per job, no lost wake-up" has '^gpu-semaphore: ok: one interrupt per serial job$'
check "semaphore: 0 failed" has '^gpu-semaphore: 0 failed$'
check "semaphore: status 0" [ "$status" -eq 0 ]

# The 40th method the GPU runs fails: a job of the test's, after the
# driver's own set-up.
boot fault "$kernel" "$initrd" "$base nvsoc_test=/tests/gpu-fault.sh" \
    --set devices.gpu0.channel-error-at-method=40
check "fault: one Xid 32 line naming the PCI address and channel" \
    has 'nvsoc-gpu 0000:01:00.0: Xid 32: channel [0-9]* engine HOST PBDMA error BAD_METHOD'
check "fault: the channel reset (Xid 43)" has 'nvsoc-gpu 0000:01:00.0: Xid 43: channel [0-9]* stopped'
check "fault: 0 failed" has '^gpu-fault: 0 failed$'
check "fault: status 0" [ "$status" -eq 0 ]

# An uncorrectable VRAM ECC error on the 5th VRAM read (the 5th job of
# fault-test, each a round trip): the access that read it is
# the one Xid 48 line (the ECC unit's report is not a second Xid), its
# channel resets and the next copy passes.
boot ecc "$kernel" "$initrd" "$base nvsoc_test=/tests/gpu-fault.sh" \
    --set devices.gpu0.ecc-uncorrectable-at=5
check "ecc: one Xid 48 line naming the channel and engine" \
    has_n 1 'nvsoc-gpu 0000:01:00.0: Xid 48: channel [0-9]* engine CE[0-9] .*POISONED'
check "ecc: the ECC unit's report" has 'nvsoc-gpu 0000:01:00.0: ECC: uncorrectable error in VRAM, last at 0x[0-9a-f]*, 1 so far'
check "ecc: the channel reset (Xid 43)" has 'nvsoc-gpu 0000:01:00.0: Xid 43: channel [0-9]* stopped'
check "ecc: 0 failed" has '^gpu-fault: 0 failed$'
check "ecc: status 0" [ "$status" -eq 0 ]

boot dma32 "$kernel" "$initrd" "$base nvsoc_test=/tests/gpu-copy.sh nvsoc_gpu_copy=quick" \
    --set memory.dram.size=4GiB --set devices.gpu0.dma-bits=32
check "dma32: a 32-bit mask" has 'nvsoc-gpu 0000:01:00.0: nvsoc GPU 1.0: .*DMA mask 32 bits (device 32)'
check "dma32: the driver says buffers above it are bounced" \
    has 'nvsoc-gpu 0000:01:00.0: DMA: memory reaches 33 address bits, the device 32: buffers above go through swiotlb bounce buffers'
check "dma32: every copy passes" has '^copy-test: GPU0: [0-9]* passed, 0 failed'
check "dma32: 0 failed" has '^gpu-copy: 0 failed$'
boot dma64 "$kernel" "$initrd" "$base nvsoc_test=/tests/gpu-copy.sh nvsoc_gpu_copy=quick" \
    --set memory.dram.size=4GiB
check "dma64: a 64-bit mask" has 'nvsoc-gpu 0000:01:00.0: nvsoc GPU 1.0: .*DMA mask 64 bits (device 64)'
check "dma64: no bouncing" lacks 'swiotlb bounce buffers'
check "dma64: 0 failed" has '^gpu-copy: 0 failed$'

# The GPU vanishes under a running copy-test (the root port's surprise-down
# fault point, tests/linux/guest/gpu-aer.sh): AER reports Surprise Down,
# the driver's error_detected stops the channels and fails the jobs, the
# copy-test ends, and nothing oopses or hangs.
boot aer "$kernel" "$initrd" "$base nvsoc_test=/tests/gpu-aer.sh" \
    --set devices.rp0.surprise-down-at=300ms
check "aer: the root port reports Surprise Down" has 'pcieport 0000:00:01.0: .*\] SDES'
check "aer: the driver's error_detected ran" \
    has 'nvsoc-gpu 0000:01:00.0: PCIe error (fatal): link frozen; channels stopped'
check "aer: the copy-test ended with failed jobs" has '^gpu-aer: ok: copy-test failed when the error hit$'
check "aer: 0 failed" has '^gpu-aer: 0 failed$'
check "aer: no kernel splat" no_splat
check "aer: status 0" [ "$status" -eq 0 ]

# The same surprise down with the kernel's AER service off (pci=noaer):
# nothing tells the driver, so a job's wait times out, the driver finds
# IDENT reading all ones and reports Xid 79 (fallen off the bus), once.
boot lost "$kernel" "$initrd" "$base nvsoc_test=/tests/gpu-aer.sh pci=noaer" \
    --set devices.rp0.surprise-down-at=300ms
check "lost: one Xid 79 line" has_n 1 'nvsoc-gpu 0000:01:00.0: Xid 79: GPU has fallen off the bus'
check "lost: the copy-test ended with failed jobs" has '^gpu-aer: ok: copy-test failed when the error hit$'
check "lost: 0 failed" has '^gpu-aer: 0 failed$'
check "lost: no kernel splat" no_splat
check "lost: status 0" [ "$status" -eq 0 ]

# A poisoned read (the GPU's gpu0.dma.poison fault point) during the
# copies: the GPU reports a Poisoned TLP, and AER recovers the device
# through the driver's error_detected, slot_reset and resume; copies pass
# again afterwards.
boot aer-recover "$kernel" "$initrd" "$base nvsoc_test=/tests/gpu-aer.sh nvsoc_gpu_aer=recover" \
    --set devices.gpu0.poison-read-at=60
check "aer-recover: the GPU reports a Poisoned TLP (non-fatal)" \
    has 'nvsoc-gpu 0000:01:00.0: PCIe Bus Error: severity=Uncorrectable (Non-Fatal), type=Transaction Layer'
# Error recovery began before the fault interrupt was taken, or after:
# either way the poisoned access's fault record is logged, once.
check "aer-recover: one Xid 31 line for the poisoned read" \
    has_n 1 'nvsoc-gpu 0000:01:00.0: Xid 31: channel [0-9]* engine [A-Z0-9]* MMU fault POISONED read at'
check "aer-recover: error_detected" has 'nvsoc-gpu 0000:01:00.0: PCIe error (non-fatal): stopping channels for a reset'
check "aer-recover: slot_reset" has 'nvsoc-gpu 0000:01:00.0: PCIe slot reset: restoring config space'
check "aer-recover: resume" has 'nvsoc-gpu 0000:01:00.0: PCIe error recovery complete: channels accept work again'
check "aer-recover: AER calls it a success" has 'pcieport 0000:00:01.0: AER: device recovery successful'
check "aer-recover: copies pass afterwards" has '^gpu-aer: ok: a copy-test passes after the recovery$'
check "aer-recover: 0 failed" has '^gpu-aer: 0 failed$'
check "aer-recover: no kernel splat" no_splat

config=$here/../../configs/gpu-4x.yaml
boot four "$kernel" "$initrd" "$base nvsoc_test=/tests/gpu-copy.sh nvsoc_gpu_copy=quick"
for n in 1 2 3 4; do
    check "four: GPU at 0000:0$n:00.0 bound (accel$((n - 1)))" \
        has "nvsoc-gpu 0000:0$n:00.0: nvsoc GPU 1.0: .*, accel$((n - 1))\$"
    check "four: GPU$((n - 1)) passed its copies" has "^copy-test: GPU$((n - 1)): [0-9]* passed, 0 failed"
done
check "four: all four at once" has '^copy-test: 4 GPUs: all passed$'
check "four: status 0" [ "$status" -eq 0 ]
config=$here/../../configs/gpu.yaml

use_kernel debug
boot debug "$kernel" "$initrd" "$base nvsoc_modules=off nvsoc_test=/tests/gpu-probe.sh"
check "debug: lockdep is on" has 'Lock dependency validator'
check "debug: probe, rmmod and insmod pass" has '^gpu-probe: 0 failed$'
check "debug: no kernel splat" no_splat
check "debug: status 0" [ "$status" -eq 0 ]
boot debug-copy "$kernel" "$initrd" "$base nvsoc_test=/tests/gpu-copy.sh nvsoc_gpu_copy=quick"
check "debug-copy: quick copy-test passes" has '^gpu-copy: 0 failed$'
check "debug-copy: no kernel splat" no_splat
check "debug-copy: status 0" [ "$status" -eq 0 ]

finish
