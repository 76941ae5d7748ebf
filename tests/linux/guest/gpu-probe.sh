#!/bin/sh
# Guest test: nvsoc-gpu.ko binds the nvsoc GPU (1e5c:0001, class 0x1200)
# the normal way and comes up with what the platform promises:
#   - the probe's summary line, no fallback to a 32-bit DMA mask, the
#     PCIe link line;
#   - sysfs (<device>/nvsoc_gpu/): the DMA mask (the device's DMA_BITS,
#     in full), channels, engines,
#     VRAM, MSI-X with 1 + channels vectors, state "running";
#   - /dev/accel/accelN, one /proc/interrupts row per vector, debugfs;
#   - lspci -vv: LnkSta 32GT/s x16, MSI-X (or MSI) Enable+, the Resizable
#     BAR capability;
#   - the tracepoints dma_map, dma_unmap, submit and complete fire;
#   - nvsoc-smi lists it;
#   - rmmod and insmod again: removal undoes the probe and a second probe
#     works.
# Command line (all optional):
#   nvsoc_gpu_dma_bits=N   the device's DMA_BITS (default 64)
#   nvsoc_gpu_irq=KIND     msix (default), msi or intx: passed to the
#                          driver as irq_mode and expected in sysfs
# Exit status: the number of failed checks.
failures=0
check() { # DESCRIPTION COMMAND...
    what=$1; shift
    if "$@" >/dev/null 2>&1; then echo "gpu-probe: ok: $what"; else echo "gpu-probe: FAIL: $what"; failures=$((failures + 1)); fi
}
dma_bits=64
irq=msix
for arg in $(cat /proc/cmdline); do
    case $arg in
        nvsoc_gpu_dma_bits=*) dma_bits=${arg#nvsoc_gpu_dma_bits=} ;;
        nvsoc_gpu_irq=*) irq=${arg#nvsoc_gpu_irq=} ;;
    esac
done
mask=$dma_bits
case $irq in msix) kind=MSI-X ;; msi) kind=MSI ;; intx) kind=INTx ;; *) kind=$irq ;; esac

ko=$(find /lib/modules -name nvsoc-gpu.ko 2>/dev/null | head -n 1)
check "nvsoc-gpu.ko is in the initramfs" [ -n "$ko" ]
check "insmod nvsoc-gpu.ko irq_mode=$irq" insmod "$ko" irq_mode="$irq"
drv=/sys/bus/pci/drivers/nvsoc-gpu
gpus=$(ls -d "$drv"/0000:* 2>/dev/null)
check "a GPU is bound to nvsoc-gpu" [ -n "$gpus" ]
dmesg | grep -E 'nvsoc-gpu|nvsoc_gpu' | tail -n 40

for dev in $gpus; do
    bdf=${dev##*/}
    sys=/sys/bus/pci/devices/$bdf/nvsoc_gpu
    attr() { cat "$sys/$1" 2>/dev/null; }
    channels=$(attr channels)
    echo "gpu-probe: $bdf: mask $(attr dma_mask_bits) coherent $(attr dma_coherent_bits), $channels channels, $(attr engines) engines, VRAM $(attr vram_size) ($(attr vram_cpu_visible) visible), $(attr interrupts), $(attr state)"
    check "$bdf: the probe's summary line" sh -c "dmesg | grep -q 'nvsoc-gpu $bdf: nvsoc GPU .*DMA mask $mask bits (device $dma_bits), $kind x'"
    check "$bdf: no fallback to a 32-bit mask" sh -c "! dmesg | grep -q 'nvsoc-gpu $bdf: DMA: .*falling back to 32 bits'"
    check "$bdf: the PCIe link was reported" sh -c "dmesg | grep -q 'nvsoc-gpu $bdf: PCIe link (probe): .* x[0-9]'"
    check "$bdf: dma_mask_bits is $mask" [ "$(attr dma_mask_bits)" = "$mask" ]
    check "$bdf: the PCI core's mask agrees" [ "$(cat "/sys/bus/pci/devices/$bdf/dma_mask_bits")" = "$mask" ]
    check "$bdf: channels 1..64" [ "${channels:-0}" -ge 1 -a "${channels:-0}" -le 64 ]
    engines=$(attr engines)
    check "$bdf: engines 1..10" [ "${engines:-0}" -ge 1 -a "${engines:-0}" -le 10 ]
    check "$bdf: VRAM size is not zero" [ "$(attr vram_size)" -gt 0 ]
    check "$bdf: no VRAM in use" [ "$(attr vram_used)" = 0 ]
    if [ "$irq" = intx ]; then
        want="INTx 1"
    elif [ "$irq" = msi ]; then
        want="MSI [0-9][0-9]*"
    else
        want="MSI-X $((channels + 1))"
    fi
    check "$bdf: interrupts: $want" sh -c "grep -qx '$want' $sys/interrupts"
    check "$bdf: state running" [ "$(attr state)" = running ]
    rows=$(grep -c "nvsoc-gpu@$bdf-" /proc/interrupts)
    echo "gpu-probe: $bdf: $rows /proc/interrupts rows"
    grep "nvsoc-gpu@$bdf-" /proc/interrupts | head -n 4
    [ "$irq" = msix ] && check "$bdf: one interrupt row per vector ($((channels + 1)))" [ "$rows" -eq $((channels + 1)) ]
    accel=$(ls "/sys/bus/pci/devices/$bdf/accel" 2>/dev/null | head -n 1)
    check "$bdf: /dev/accel/$accel exists" [ -n "$accel" -a -c "/dev/accel/$accel" ]
    check "$bdf: debugfs channel0 readable" sh -c "cat /sys/kernel/debug/accel/$bdf/channel0 | grep -q '^channel 0'"
    # What a bring-up engineer checks with Debian's lspci -vv: the link as
    # trained, the interrupt capability in use, and the Resizable BAR.
    lspci -vv -s "$bdf" >/tmp/lspci.txt 2>/dev/null
    sed -n '/LnkSta:/p;/MSI-X:/p;/MSI:/p;/Resizable BAR/,+2p' /tmp/lspci.txt
    check "$bdf: lspci: LnkSta 32GT/s x16" grep -qE 'LnkSta:[[:space:]]*Speed 32GT/s[^,]*, Width x16' /tmp/lspci.txt
    case $irq in
        msix) check "$bdf: lspci: MSI-X Enable+" grep -qE 'MSI-X: Enable\+' /tmp/lspci.txt ;;
        msi) check "$bdf: lspci: MSI Enable+" grep -qE 'MSI: Enable\+' /tmp/lspci.txt ;;
    esac
    check "$bdf: lspci: the Resizable BAR capability" grep -q 'Physical Resizable BAR' /tmp/lspci.txt
done
# The driver's tracepoints (events/nvsoc_gpu): a small copy-test with
# user-pointer buffers maps and unmaps them, submits and completes jobs.
t=/sys/kernel/debug/tracing
: >/tmp/trace.txt
if [ -d $t/events/nvsoc_gpu ]; then
    echo 1 >$t/events/nvsoc_gpu/enable
    nvsoc-smi copy-test --sizes 4096 >/dev/null 2>&1
    echo 0 >$t/events/nvsoc_gpu/enable
    cat $t/trace >/tmp/trace.txt
    echo >$t/trace
fi
grep -m 4 -E 'nvsoc_gpu_(dma_map|dma_unmap|submit|complete):' /tmp/trace.txt
for ev in dma_map dma_unmap submit complete; do
    check "tracepoint nvsoc_gpu_$ev fired" grep -q "nvsoc_gpu_$ev:" /tmp/trace.txt
done
check "nvsoc-smi -L lists every GPU" [ "$(nvsoc-smi -L | grep -c '^GPU ')" -eq "$(echo "$gpus" | wc -w)" ]
nvsoc-smi
check "rmmod nvsoc-gpu" rmmod nvsoc_gpu
check "nothing bound after rmmod" [ ! -d "$drv" ]
check "insmod again" insmod "$ko" irq_mode="$irq"
check "bound again" sh -c "ls -d $drv/0000:* >/dev/null"
splats() { dmesg | grep -qE 'BUG:|WARNING:|possible circular locking|sleeping function called|Oops|Call Trace'; }
check "no kernel warning, lockdep report or oops" sh -c "! dmesg | grep -qE 'BUG:|WARNING:|possible circular locking|sleeping function called|Oops|Call Trace'"
splats && dmesg | grep -E -A 20 'BUG:|WARNING:|possible circular|sleeping function|Oops' | head -n 60
echo "gpu-probe: $failures failed"
exit "$failures"
