#!/usr/bin/env bash
# nvsoc-smi's sysfs-only commands, topo and nvlink, on the host: the tool is
# built with the host's gcc (warnings are errors; ASan and UBSan on) and run
# over sysfs trees fabricated here (NVSOC_SMI_SYSFS), each checked line for
# line:
#   phb      4 GPUs, each under its own root port; the driver has no NVLink
#   pcie     a switch with 2 GPUs and a second-level switch with 2 more,
#            a GPU under another root port, GPUs under two more host bridges
#            (NUMA nodes 1 and 0)
#   nv2      4 GPUs all-to-all, 2 links per pair, one link of GPU0-GPU1 in
#            FAULT, a few attributes missing, an unconnected port
#   nvswitch 8 GPUs with 18 links each to 4 NVSwitches (5+4+4+5), then two
#            of GPU7's links in FAULT
#   fabric   2 platform GPUs on a native NVLink fabric node (as a boot of
#            configs/nvlink-fabric.yaml shows them), 2 NVLink links
#            between them: -L and the listing, nvlink, topo -m (NV2, then
#            SYS without active links; the CPU column NV<C2C links>; GPU
#            NUMA ID from mem_numa_node)
#   bridge   2 GPUs behind an NVLink-to-PCIe bridge (PIX, PHB)
#   mixed    a fabric GPU and a PCIe GPU (SYS)
#
#   test_nvsoc_smi_topo.sh [BUILD_DIR]     (default: a temporary directory)
set -u
# shellcheck source=SCRIPTDIR/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

host_build nvsoc-smi "-fsanitize=address,undefined -fno-sanitize-recover=all"
bin=$build/nvsoc-smi
export ASAN_OPTIONS=detect_leaks=0

sys=
smi() { NVSOC_SMI_SYSFS=$sys "$bin" "$@"; }

# expect DESCRIPTION WANT COMMAND...: COMMAND exits 0 and prints WANT
# exactly (WANT takes printf %b escapes: \t is a tab).
expect() {
    local what=$1 want=$2 status
    shift 2
    "$@" >"$work/out" 2>"$work/err"
    status=$?
    if [ "$status" -eq 0 ] && printf '%b' "$want" | diff -u - "$work/out" >"$work/diff"; then
        echo "ok: $what"
    else
        echo "FAIL: $what (exit $status)"
        cat "$work/diff" "$work/err"
        failures=$((failures + 1))
    fi
}
check() { # DESCRIPTION COMMAND...: COMMAND succeeds
    local what=$1
    shift
    if "$@"; then echo "ok: $what"; else echo "FAIL: $what"; failures=$((failures + 1)); fi
}
# The matrix without the legend: the header and one row per GPU.
matrix() { smi topo -m | head -n "$(($1 + 1))"; }
# piped FILTER COMMAND...: COMMAND's output through the shell command FILTER.
piped() {
    local filter=$1
    shift
    "$@" | eval "$filter"
}

# --- Fabricating sysfs ----------------------------------------------------------

new_tree() {
    sys=$work/$1/sys
    mkdir -p "$sys/devices" "$sys/bus/pci/devices" "$sys/bus/pci/drivers/nvsoc-gpu" \
        "$sys/class/accel"
}

# pci PATH: the device directories of PATH (under devices/, a host bridge
# then PCI addresses) and their /sys/bus/pci/devices links, as the kernel
# makes them: bus/pci/devices/0000:01:00.0 -> ../../../devices/pci0000:00/...
pci() {
    local path=$1 sub=
    local IFS=/
    for c in $path; do
        sub=${sub:+$sub/}$c
        mkdir -p "$sys/devices/$sub"
        [[ $c == pci* ]] || [ -e "$sys/bus/pci/devices/$c" ] ||
            ln -s "../../../devices/$sub" "$sys/bus/pci/devices/$c"
    done
}

# gpu PATH ACCEL NUMA CPUS: a device bound to nvsoc-gpu with its accel node
# (links as the driver core makes them: driver, the driver's <bdf>,
# class/accel/accelN, accelN/device).
gpu() {
    local path=$1 accel=accel$2 bdf=${1##*/}
    local dev=$sys/devices/$1
    pci "$path"
    echo "$3" >"$dev/numa_node"
    echo "$4" >"$dev/local_cpulist"
    mkdir -p "$dev/nvsoc_gpu" "$dev/accel/$accel"
    echo running >"$dev/nvsoc_gpu/state"
    echo PCIe >"$dev/nvsoc_gpu/cpu_link"
    echo -1 >"$dev/nvsoc_gpu/mem_numa_node"
    ln -sr "$sys/bus/pci/drivers/nvsoc-gpu" "$dev/driver"
    ln -sr "$dev" "$sys/bus/pci/drivers/nvsoc-gpu/$bdf"
    ln -s "../../../$bdf" "$dev/accel/$accel/device"
    ln -sr "$dev/accel/$accel" "$sys/class/accel/$accel"
}

# fabric NODE: a native NVLink fabric node (devices/platform/soc/NODE) and the
# platform bus's directories.
fabric() {
    mkdir -p "$sys/devices/platform/soc/$1" "$sys/bus/platform/devices" \
        "$sys/bus/platform/drivers/nvsoc-gpu"
}
# pgpu NODE NAME ACCEL NUMA CPU_LINK MEM_NODE: a GPU on fabric node NODE, a
# platform device bound to nvsoc-gpu, as a boot of configs/nvlink-fabric.yaml
# shows it: no local_cpulist (the CPU affinity comes from its NUMA node's
# cpulist), nvsoc_gpu/cpu_link and mem_numa_node.
pgpu() {
    local dev=$sys/devices/platform/soc/$1/$2 accel=accel$3
    mkdir -p "$dev/nvsoc_gpu" "$dev/accel/$accel"
    ln -sr "$dev" "$sys/bus/platform/devices/$2"
    ln -sr "$sys/bus/platform" "$dev/subsystem"
    ln -sr "$sys/bus/platform/drivers/nvsoc-gpu" "$dev/driver"
    ln -sr "$dev" "$sys/bus/platform/drivers/nvsoc-gpu/$2"
    ln -s "../../../$2" "$dev/accel/$accel/device"
    ln -sr "$dev/accel/$accel" "$sys/class/accel/$accel"
    echo "$4" >"$dev/numa_node"
    echo running >"$dev/nvsoc_gpu/state"
    echo "$5" >"$dev/nvsoc_gpu/cpu_link"
    echo "$6" >"$dev/nvsoc_gpu/mem_numa_node"
    echo $((4 << 30)) >"$dev/nvsoc_gpu/vram_size"
    echo $((3 << 30)) >"$dev/nvsoc_gpu/vram_cpu_visible"
    echo $((2 << 20)) >"$dev/nvsoc_gpu/vram_used"
    echo 2 >"$dev/nvsoc_gpu/engines"
    echo 16 >"$dev/nvsoc_gpu/channels"
    echo 64 >"$dev/nvsoc_gpu/dma_mask_bits"
    echo 40 >"$dev/nvsoc_gpu/dma_coherent_bits"
    echo "wired 1" >"$dev/nvsoc_gpu/interrupts"
}

# port BDF L STATE GEN REMOTE_TYPE REMOTE_DEVICE REMOTE_LINK: nvlink/link<L>
# and the port count. Counters are distinct per GPU and link: 1000 * the
# GPU's bus number + 10 * L + a counter's own digit.
port() {
    local bdf=$1 l=$2 state=$3 gen=$4 nv=$sys/bus/pci/devices/$1/nvlink
    local p=$nv/link$2 base bus c i
    if [[ $bdf == *.gpu ]]; then  # a platform device, 10NN000000.gpu: NN for the bus
        nv=$sys/bus/platform/devices/$1/nvlink
        p=$nv/link$2
        bus=$((16#${bdf:2:2}))
    else
        bus=${bdf#*:}
        bus=$((16#${bus%%:*}))
    fi
    base=$((1000 * bus + 10 * l))
    mkdir -p "$p"
    [ -f "$nv/links" ] && [ "$(cat "$nv/links")" -gt "$l" ] || echo $((l + 1)) >"$nv/links"
    echo "$state" >"$p/state"
    if [ "$state" = HS ]; then
        echo "$gen" >"$p/generation"; echo 2 >"$p/lanes"; echo 26562 >"$p/bandwidth_mbps"
    else
        echo 0 >"$p/generation"; echo 0 >"$p/lanes"; echo 0 >"$p/bandwidth_mbps"
    fi
    echo "$5" >"$p/remote_type"
    echo "$6" >"$p/remote_device"
    echo "$7" >"$p/remote_link"
    i=1
    for c in dl_replay dl_recovery dl_crc_flit dl_crc_data tl_tx_bytes tl_rx_bytes \
        tl_tx_packets tl_rx_packets; do
        echo $((base + i)) >"$p/$c"
        i=$((i + 1))
    done
    for i in 0 1 2 3 4 5 6 7; do echo $((base + 100 + i)) >"$p/crc_lane$i"; done
    if [ "$gen" -ge 3 ]; then
        for i in 0 1 2 3; do echo $((base + 200 + i)) >"$p/ecc_lane$i"; done
    fi
    : >"$p/reset_counters"
}

legend='
Legend:

  X    = Self
  CPU  = the GPU'"'"'s path to the CPU (PHB: through its PCIe host bridge; NV#: # C2C links of the NVLink fabric node)
  SYS  = PCIe, then the interconnect between NUMA nodes (different host bridges and nodes); or the SoC interconnect (a GPU on the NVLink fabric node, no NVLink between them)
  NODE = PCIe, then the interconnect between the host bridges of one NUMA node
  PHB  = PCIe through a host bridge (the CPU'"'"'s root complex)
  PXB  = PCIe through several bridges, not through a host bridge
  PIX  = PCIe through at most one bridge (one switch)
  NV#  = # active NVLink links, direct, or through NVSwitches (the fewer of the two GPUs'"'"' switch links)
  GPU NUMA ID = the NUMA node of the GPU'"'"'s memory (part of its VRAM as kernel memory; N/A: none)
'

# --- phb: four root ports, no NVLink -----------------------------------------------

new_tree phb
# accel numbers not in PCI order: GPU N is the Nth PCI address.
gpu pci0000:00/0000:00:04.0/0000:04:00.0 0 -1 0-3
gpu pci0000:00/0000:00:01.0/0000:01:00.0 1 -1 0-3
gpu pci0000:00/0000:00:03.0/0000:03:00.0 2 -1 0-3
gpu pci0000:00/0000:00:02.0/0000:02:00.0 3 -1 0-3
expect "phb: topo -m, every pair through the host bridge, no NUMA node" \
"\tGPU0\tGPU1\tGPU2\tGPU3\tCPU\tCPU Affinity\tNUMA Affinity\tGPU NUMA ID
GPU0\t X \tPHB\tPHB\tPHB\tPHB\t0-3\tN/A\tN/A
GPU1\tPHB\t X \tPHB\tPHB\tPHB\t0-3\tN/A\tN/A
GPU2\tPHB\tPHB\t X \tPHB\tPHB\t0-3\tN/A\tN/A
GPU3\tPHB\tPHB\tPHB\t X \tPHB\t0-3\tN/A\tN/A
$legend" smi topo -m
expect "phb: topo without -m is the same matrix" "$(smi topo -m)\n" smi topo
expect "phb: nvlink -s, a driver without NVLink" \
"GPU 0: 0000:01:00.0: no NVLink links
GPU 1: 0000:02:00.0: no NVLink links
GPU 2: 0000:03:00.0: no NVLink links
GPU 3: 0000:04:00.0: no NVLink links
" smi nvlink -s
expect "phb: nvlink -e -d 2" "GPU 2: 0000:03:00.0: no NVLink links\n" smi nvlink -e -d 2
expect "phb: nvlink -R -d 3" "GPU 3: 0000:04:00.0: no NVLink links\n" smi nvlink -R -d 3
check "phb: nvlink -d 4 is bad input (2)" \
    bash -c '"$@" >/dev/null 2>&1; [ $? -eq 2 ]' _ env NVSOC_SMI_SYSFS="$sys" "$bin" nvlink -d 4
check "phb: nvlink -s -e is bad input (2)" \
    bash -c '"$@" >/dev/null 2>&1; [ $? -eq 2 ]' _ env NVSOC_SMI_SYSFS="$sys" "$bin" nvlink -s -e
check "topo with no GPU exits 1" \
    bash -c '"$@" >/dev/null 2>&1; [ $? -eq 1 ]' _ env NVSOC_SMI_SYSFS="$work/none" "$bin" topo

# --- pcie: switches, root ports, host bridges ----------------------------------------

new_tree pcie
rp=pci0000:00/0000:00:01.0/0000:01:00.0     # root port, switch upstream port
gpu $rp/0000:02:00.0/0000:03:00.0 0 0 0-3
gpu $rp/0000:02:01.0/0000:04:00.0 1 0 0-3
sw2=$rp/0000:02:02.0/0000:05:00.0           # second-level switch
gpu $sw2/0000:06:00.0/0000:07:00.0 2 0 0-3
gpu $sw2/0000:06:01.0/0000:08:00.0 3 0 0-3
gpu pci0000:00/0000:00:02.0/0000:09:00.0 4 0 0-3
gpu pci0001:00/0001:00:01.0/0001:01:00.0 5 1 4-7
gpu pci0002:00/0002:00:01.0/0002:01:00.0 6 0 0-3
expect "pcie: topo -m, PIX under one switch, PXB across two, PHB, NODE, SYS" \
"\tGPU0\tGPU1\tGPU2\tGPU3\tGPU4\tGPU5\tGPU6\tCPU\tCPU Affinity\tNUMA Affinity\tGPU NUMA ID
GPU0\t X \tPIX\tPXB\tPXB\tPHB\tSYS\tNODE\tPHB\t0-3\t0\tN/A
GPU1\tPIX\t X \tPXB\tPXB\tPHB\tSYS\tNODE\tPHB\t0-3\t0\tN/A
GPU2\tPXB\tPXB\t X \tPIX\tPHB\tSYS\tNODE\tPHB\t0-3\t0\tN/A
GPU3\tPXB\tPXB\tPIX\t X \tPHB\tSYS\tNODE\tPHB\t0-3\t0\tN/A
GPU4\tPHB\tPHB\tPHB\tPHB\t X \tSYS\tNODE\tPHB\t0-3\t0\tN/A
GPU5\tSYS\tSYS\tSYS\tSYS\tSYS\t X \tSYS\tPHB\t4-7\t1\tN/A
GPU6\tNODE\tNODE\tNODE\tNODE\tNODE\tSYS\t X \tPHB\t0-3\t0\tN/A
" matrix 7
rm "$sys/bus/pci/devices/0000:09:00.0/local_cpulist" "$sys/bus/pci/devices/0000:09:00.0/numa_node"
# (and without its node, GPU4 is not known to be in another node than GPU5's)
expect "pcie: missing local_cpulist and numa_node are N/A" \
    "GPU4\tPHB\tPHB\tPHB\tPHB\t X \tNODE\tNODE\tPHB\tN/A\tN/A\tN/A\n" piped 'sed -n 6p' matrix 7

# --- nv2: all-to-all, two links a pair ---------------------------------------------

new_tree nv2
bdfs=(0000:01:00.0 0000:02:00.0 0000:03:00.0 0000:04:00.0)
for i in 0 1 2 3; do gpu "pci0000:00/0000:00:0$((i + 1)).0/${bdfs[i]}" $i -1 0-3; done
# GPU i's ports 2k and 2k+1 go to its kth peer (in GPU order), to the ports
# the peer has for i. Links of GPU3 are generation 2, the others 3.
for i in 0 1 2 3; do
    k=0
    for j in 0 1 2 3; do
        [ $i -eq $j ] && continue
        kj=$((i < j ? i : i - 1))     # i's place among j's peers
        gen=$((i == 3 || j == 3 ? 2 : 3))
        for t in 0 1; do
            state=HS
            [ $((i + j)) -eq 1 ] && [ $t -eq 1 ] && state=FAULT   # GPU0-GPU1, second link
            port "${bdfs[i]}" $((2 * k + t)) $state $gen GPU "${bdfs[j]}" $((2 * kj + t))
        done
        k=$((k + 1))
    done
done
port 0000:04:00.0 6 OFF 0 none unknown -1
rm "$sys/bus/pci/devices/0000:03:00.0/nvlink/link0/bandwidth_mbps" \
   "$sys/bus/pci/devices/0000:03:00.0/nvlink/link5/remote_link" \
   "$sys/bus/pci/devices/0000:03:00.0/nvlink/link1/dl_crc_data"
expect "nv2: topo -m, NV2 everywhere but NV1 for the faulted pair" \
"\tGPU0\tGPU1\tGPU2\tGPU3\tCPU\tCPU Affinity\tNUMA Affinity\tGPU NUMA ID
GPU0\t X \tNV1\tNV2\tNV2\tPHB\t0-3\tN/A\tN/A
GPU1\tNV1\t X \tNV2\tNV2\tPHB\t0-3\tN/A\tN/A
GPU2\tNV2\tNV2\t X \tNV2\tPHB\t0-3\tN/A\tN/A
GPU3\tNV2\tNV2\tNV2\t X \tPHB\t0-3\tN/A\tN/A
" matrix 4
expect "nv2: nvlink -s -d 0, the FAULT link inactive" \
"GPU 0: 0000:01:00.0
\t Link 0: 26.562 GB/s
\t Link 1: <inactive>
\t Link 2: 26.562 GB/s
\t Link 3: 26.562 GB/s
\t Link 4: 26.562 GB/s
\t Link 5: 26.562 GB/s
" smi nvlink -s -d 0
expect "nv2: nvlink --status -i 2 -l 0, bandwidth_mbps missing" \
    "GPU 2: 0000:03:00.0\n\t Link 0: N/A\n" smi nvlink --status -i 2 -l 0
expect "nv2: nvlink -s -d 3, an unconnected port" \
"GPU 3: 0000:04:00.0
\t Link 0: 26.562 GB/s
\t Link 1: 26.562 GB/s
\t Link 2: 26.562 GB/s
\t Link 3: 26.562 GB/s
\t Link 4: 26.562 GB/s
\t Link 5: 26.562 GB/s
\t Link 6: <inactive>
" smi nvlink -s -d 3
expect "nv2: nvlink -R -d 0" \
"GPU 0: 0000:01:00.0
\t Link 0: Remote Device 0000:02:00.0: Link 0 (GPU)
\t Link 1: Remote Device 0000:02:00.0: Link 1 (GPU)
\t Link 2: Remote Device 0000:03:00.0: Link 0 (GPU)
\t Link 3: Remote Device 0000:03:00.0: Link 1 (GPU)
\t Link 4: Remote Device 0000:04:00.0: Link 0 (GPU)
\t Link 5: Remote Device 0000:04:00.0: Link 1 (GPU)
" smi nvlink -R -d 0
expect "nv2: nvlink -R -d 2 -l 5, remote_link missing" \
    "GPU 2: 0000:03:00.0\n\t Link 5: Remote Device 0000:04:00.0: Link N/A (GPU)\n" \
    smi nvlink -R -d 2 -l 5
expect "nv2: nvlink -R -d 3 -l 6, a port with no remote" \
    "GPU 3: 0000:04:00.0\n\t Link 6: Remote Device none\n" smi nvlink -R -d 3 -l 6
expect "nv2: nvlink -e -d 0 -l 1, a generation 3 port (untrained: ECC files say gen 3)" \
"GPU 0: 0000:01:00.0
\t Link 1: Replay Errors: 1011
\t Link 1: Recovery Errors: 1012
\t Link 1: CRC Errors: 1013
\t Link 1: CRC Data Errors: 1014
\t Link 1: Lane 0 ECC Errors: 1210
\t Link 1: Lane 1 ECC Errors: 1211
\t Link 1: Lane 2 ECC Errors: 1212
\t Link 1: Lane 3 ECC Errors: 1213
" smi nvlink -e -d 0 -l 1
expect "nv2: nvlink -e -d 3, generation 2: no ECC; a blank line between links" \
"GPU 3: 0000:04:00.0
$(for l in 0 1 2 3 4 5 6; do
    [ $l -gt 0 ] && echo
    b=$((4000 + 10 * l))
    printf '\\t Link %d: Replay Errors: %d\n' $l $((b + 1))
    printf '\\t Link %d: Recovery Errors: %d\n' $l $((b + 2))
    printf '\\t Link %d: CRC Errors: %d\n' $l $((b + 3))
    printf '\\t Link %d: CRC Data Errors: %d\n' $l $((b + 4))
done)
" smi nvlink -e -d 3
expect "nv2: nvlink -e, a missing counter is N/A" \
    "\t Link 1: CRC Data Errors: N/A\n" piped 'grep "Link 1: CRC Data"' smi nvlink -e -d 2
expect "nv2: nvlink -ec -d 1 -l 4" \
"GPU 1: 0000:02:00.0
$(for i in 0 1 2 3 4 5 6 7; do printf '\\t Link 4: Lane %d CRC Errors: %d\n' $i $((2140 + i)); done)
" smi nvlink -ec -d 1 -l 4
expect "nv2: nvlink -c -d 2 -l 3" \
"GPU 2: 0000:03:00.0
\t Link 3: Data Tx: 3035 bytes, 3037 packets
\t Link 3: Data Rx: 3036 bytes, 3038 packets
" smi nvlink -c -d 2 -l 3
expect "nv2: nvlink --throughput is -c" "$(smi nvlink -c)\n" smi nvlink --throughput
nvdir=$sys/bus/pci/devices/0000:01:00.0/nvlink
expect "nv2: nvlink -r -d 0 -l 2" "GPU 0: 0000:01:00.0\n\t Link 2: counters reset\n" \
    smi nvlink -r -d 0 -l 2
check "nv2: -r -l 2 wrote 1 to link2/reset_counters" test "$(cat "$nvdir/link2/reset_counters")" = 1
check "nv2: ... and nothing to the other links" \
    test "$(cat "$nvdir"/link[01345]/reset_counters)" = ""
expect "nv2: nvlink --reset-counters -d 1" \
    "GPU 1: 0000:02:00.0\n$(for l in 0 1 2 3 4 5; do printf '\\t Link %d: counters reset\n' $l; done)\n" \
    smi nvlink --reset-counters -d 1
check "nv2: --reset-counters wrote 1 to each of GPU1's links" \
    test "$(cat "$sys"/bus/pci/devices/0000:02:00.0/nvlink/link*/reset_counters)" = 111111
rm "$nvdir/link3/reset_counters"
check "nv2: -r on a port without reset_counters fails (1)" \
    bash -c '"$@" >/dev/null 2>&1; [ $? -eq 1 ]' _ env NVSOC_SMI_SYSFS="$sys" "$bin" nvlink -r -d 0
check "nv2: ... without creating the file" test ! -e "$nvdir/link3/reset_counters"

# --- nvswitch: eight GPUs, 18 links each to four switches -------------------------------

new_tree nvswitch
switches=(0000:80:00.0 0000:81:00.0 0000:82:00.0 0000:83:00.0)
per_switch=(5 4 4 5)
for i in 0 1 2 3 4 5 6 7; do
    bdf=$(printf '0000:%02x:00.0' $((i + 1)))
    gpu "pci0000:00/0000:00:$(printf '%02x' $((i + 1))).0/$bdf" $i $((i / 4)) \
        "$([ $i -lt 4 ] && echo 0-51 || echo 52-103)"
    l=0
    for s in 0 1 2 3; do
        for ((t = 0; t < per_switch[s]; t++)); do
            port "$bdf" $l HS 4 NVSWITCH "${switches[s]}" $((i * per_switch[s] + t))
            l=$((l + 1))
        done
    done
done
# row I [NV]: GPU I's expected row, NV18 (or NV) to every other GPU, with its
# affinities; \t stays as two characters for expect's printf %b.
row() {
    local r="GPU$1" j
    for j in 0 1 2 3 4 5 6 7; do
        if [ "$j" -eq "$1" ]; then r+="\t X "; else r+="\t${2:-NV18}"; fi
    done
    # shellcheck disable=SC2028
    echo "$r\tPHB\t$([ "$1" -lt 4 ] && echo 0-51 || echo 52-103)\t$(($1 / 4))\tN/A"
}
expect "nvswitch: topo -m, NV18 between every pair" \
"\tGPU0\tGPU1\tGPU2\tGPU3\tGPU4\tGPU5\tGPU6\tGPU7\tCPU\tCPU Affinity\tNUMA Affinity\tGPU NUMA ID
$(for i in 0 1 2 3 4 5 6 7; do row $i; done)
" matrix 8
expect "nvswitch: nvlink -R -d 1 -l 5" \
    "GPU 1: 0000:02:00.0\n\t Link 5: Remote Device 0000:81:00.0: Link 4 (NVSWITCH)\n" \
    smi nvlink -R -d 1 -l 5
expect "nvswitch: nvlink -e -d 0 -l 17, generation 4 with ECC" \
"GPU 0: 0000:01:00.0
\t Link 17: Replay Errors: 1171
\t Link 17: Recovery Errors: 1172
\t Link 17: CRC Errors: 1173
\t Link 17: CRC Data Errors: 1174
\t Link 17: Lane 0 ECC Errors: 1370
\t Link 17: Lane 1 ECC Errors: 1371
\t Link 17: Lane 2 ECC Errors: 1372
\t Link 17: Lane 3 ECC Errors: 1373
" smi nvlink -e -d 0 -l 17
check "nvswitch: nvlink -s -d 7 shows 18 active links" \
    test "$(smi nvlink -s -d 7 | grep -c ': 26.562 GB/s$')" -eq 18
for l in 0 9; do
    echo FAULT >"$sys/bus/pci/devices/0000:08:00.0/nvlink/link$l/state"
done
expect "nvswitch: GPU7 with 16 switch links: NV16 with every other GPU" \
"\tGPU0\tGPU1\tGPU2\tGPU3\tGPU4\tGPU5\tGPU6\tGPU7\tCPU\tCPU Affinity\tNUMA Affinity\tGPU NUMA ID
$(for i in 0 1 2 3 4 5 6; do row $i | sed 's/NV18\\tPHB\\t[0-9]*-/NV16\\t&/; s/NV16\\tNV18\\t/NV16\\t/'; done)
$(row 7 NV16)
" matrix 8

# --- fabric: two GPUs on a native NVLink fabric node (platform devices) ----------------

new_tree fabric
fabric 1000000000.nvlink-fabric
mkdir -p "$sys/devices/system/node/node0"
echo 0-3 >"$sys/devices/system/node/node0/cpulist"
pgpu 1000000000.nvlink-fabric 1002000000.gpu 1 0 "C2C 10" 2
pgpu 1000000000.nvlink-fabric 1001000000.gpu 0 0 "C2C 10" 1
g0=1001000000.gpu g1=1002000000.gpu
for t in 0 1; do
    port $g0 $t HS 4 GPU $g1 $t
    port $g1 $t HS 4 GPU $g0 $t
done
expect "fabric: -L lists the platform GPUs by their device names" \
"GPU 0: 1001000000.gpu accel0, C2C 10 links, VRAM 2/4096 MiB, 2 CE, 16 channels, DMA 64-bit, running
GPU 1: 1002000000.gpu accel1, C2C 10 links, VRAM 2/4096 MiB, 2 CE, 16 channels, DMA 64-bit, running
" smi -L
expect "fabric: -d 1, the listing of a platform GPU" \
"GPU 1: 1002000000.gpu (/dev/accel/accel1), running
    Bus         platform
    Link        C2C 10 links
    VRAM        4096 MiB, 2 MiB used, 3072 MiB in the driver's window
    NUMA node   2 (the VRAM above the driver's window)
    Engines     2 copy engines, 16 channels
    Interrupts  wired 1
    DMA mask    64 bits (coherent 40)
" smi -d 1
expect "fabric: nvlink -R -d 0, the remote is the other platform GPU" \
"GPU 0: 1001000000.gpu
\t Link 0: Remote Device 1002000000.gpu: Link 0 (GPU)
\t Link 1: Remote Device 1002000000.gpu: Link 1 (GPU)
" smi nvlink -R -d 0
expect "fabric: nvlink -c -d 1 -l 1 reads the platform device's counters" \
"GPU 1: 1002000000.gpu
\t Link 1: Data Tx: 2015 bytes, 2017 packets
\t Link 1: Data Rx: 2016 bytes, 2018 packets
" smi nvlink -c -d 1 -l 1

expect "fabric: topo -m: NV2 between the GPUs, NV10 (C2C) to the CPU, GPU NUMA IDs 1 and 2" \
"\tGPU0\tGPU1\tCPU\tCPU Affinity\tNUMA Affinity\tGPU NUMA ID
GPU0\t X \tNV2\tNV10\t0-3\t0\t1
GPU1\tNV2\t X \tNV10\t0-3\t0\t2
" matrix 2
echo FAULT >"$sys/bus/platform/devices/$g0/nvlink/link1/state"
expect "fabric: one link in FAULT: NV1" "GPU0\t X \tNV1\tNV10\t0-3\t0\t1\n" \
    piped 'sed -n 2p' matrix 2
echo FAULT >"$sys/bus/platform/devices/$g0/nvlink/link0/state"
echo "C2C 4" >"$sys/bus/platform/devices/$g1/nvsoc_gpu/cpu_link"
echo -1 >"$sys/bus/platform/devices/$g1/numa_node"
echo -1 >"$sys/bus/platform/devices/$g1/nvsoc_gpu/mem_numa_node"
expect "fabric: no active NVLink link between them: SYS; 4 C2C links; no node: N/A" \
"\tGPU0\tGPU1\tCPU\tCPU Affinity\tNUMA Affinity\tGPU NUMA ID
GPU0\t X \tSYS\tNV10\t0-3\t0\t1
GPU1\tSYS\t X \tNV4\tN/A\tN/A\tN/A
" matrix 2
rm "$sys/bus/platform/devices/$g1/nvsoc_gpu/cpu_link" "$sys/bus/platform/devices/$g0/nvsoc_gpu/mem_numa_node"
expect "fabric: cpu_link and mem_numa_node missing: N/A" \
    "GPU0\t X \tSYS\tNV10\t0-3\t0\tN/A\nGPU1\tSYS\t X \tN/A\tN/A\tN/A\tN/A\n" \
    piped 'sed -n 2,3p' matrix 2

# --- bridge: two GPUs behind an NVLink-to-PCIe bridge -------------------------------------
# (configs/nvlink-bridge.yaml: the bridge's upstream port below root port
# 00:01.0, one virtual downstream port per GPU, each GPU on its own bus)

new_tree bridge
usp=pci0000:00/0000:00:01.0/0000:01:00.0
gpu $usp/0000:02:00.0/0000:03:00.0 0 -1 0-3
gpu $usp/0000:02:02.0/0000:04:00.0 1 -1 0-3
pci $usp/0000:02:04.0
expect "bridge: topo -m: PIX between the GPUs (one bridge), PHB to the CPU" \
"\tGPU0\tGPU1\tCPU\tCPU Affinity\tNUMA Affinity\tGPU NUMA ID
GPU0\t X \tPIX\tPHB\t0-3\tN/A\tN/A
GPU1\tPIX\t X \tPHB\t0-3\tN/A\tN/A
" matrix 2
expect "bridge: -L names the PCI GPUs" "GPU 0: 0000:03:00.0 accel0\nGPU 1: 0000:04:00.0 accel1\n" \
    piped "cut -d, -f1" smi -L

# --- a fabric GPU and a PCIe GPU ----------------------------------------------------------

new_tree mixed
fabric 1000000000.nvlink-fabric
pgpu 1000000000.nvlink-fabric 1001000000.gpu 1 -1 "C2C 2" 1
gpu pci0000:00/0000:00:01.0/0000:01:00.0 0 -1 0-3
expect "mixed: a PCIe GPU and a fabric GPU: SYS" \
"\tGPU0\tGPU1\tCPU\tCPU Affinity\tNUMA Affinity\tGPU NUMA ID
GPU0\t X \tSYS\tPHB\t0-3\tN/A\tN/A
GPU1\tSYS\t X \tNV2\tN/A\tN/A\t1
" matrix 2

if [ "$failures" -ne 0 ]; then
    echo "$failures check(s) failed"
    exit 1
fi
echo "all checks passed"
