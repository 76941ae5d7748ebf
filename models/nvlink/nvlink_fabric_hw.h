/*
 * The native NVLink fabric node (`type: nvlink-fabric`): a device on the SoC
 * bus that holds up to 8 GPUs over NVLink-C2C-style coherent links, no PCIe
 * in between. The model is models/nvlink/fabric_node.*; docs/nvlink.md,
 * "Native fabric node", is the prose. C, so that the Linux drivers and the
 * tools can share it.
 *
 * Device tree (docs/bindings/nvsoc,nvlink-fabric.yaml):
 *   the node      compatible = "nvsoc,nvlink-fabric"  (NVSOC_NVFB_COMPATIBLE)
 *                 reg = the node registers (64 KiB at the aperture's base)
 *                 interrupts = the node line (INTR_STATUS != 0)
 *   gpu@<slot>    compatible = "nvsoc,gpu"            (NVSOC_NVFB_GPU_COMPATIBLE)
 *                 reg = <register window, 16 MiB> <driver VRAM window>
 *                 interrupts = the slot's wired line (the GPU's engines)
 *                 nvsoc,slot = <slot>
 *                 nvsoc,numa-memory = <phandle of the /memory node holding
 *                                      the top part of the VRAM>, if any
 *
 * The aperture (`base`, `size` in the YAML), offsets from its base:
 *   0x0000_0000  node registers (64 KiB): node part, then one block of
 *                0x100 per slot at NVSOC_NVFB_SLOT(s, reg)
 *   0x0100_0000  slot s's GPU register window (its BAR0 register bank as on
 *                PCIe, nvsoc_gpu_hw.h) at NVSOC_NVFB_REGS_OFFSET(s), 16 MiB
 *   VRAM windows, each naturally aligned to its GPU's VRAM size, in slot
 *                order (SLOT VRAM_BASE gives the physical address). VRAM is
 *                cacheable and coherent with the harts: plain loads, stores
 *                and AMOs work; GPU DMA to system memory is coherent too.
 *
 * Power: a slot's C2C links go L0 -> ENTERING_L2 -> L2 on SLOT_CTRL.SLEEP_REQ
 * (entry latency) and L2 -> WAKING -> L0 when it is cleared (exit latency).
 * An access to a sleeping slot's windows (CPU or peer/GPU DMA) wakes it when
 * AUTO_WAKE is set: it pays the exit latency, clears SLEEP_REQ, counts in
 * WAKE_COUNT and sets ERR_STATUS.WOKE_BY_ACCESS. An access to a FAILED slot
 * (or a sleeping one with AUTO_WAKE clear) ends in a bus error (the hart
 * takes an access fault) and sets ERR_STATUS.BUS_ERROR.
 *
 * Reserved offsets read 0 and ignore writes. 64-bit values are LO then HI.
 */
#ifndef NVSOC_NVLINK_FABRIC_HW_H
#define NVSOC_NVLINK_FABRIC_HW_H

#define NVSOC_NVFB_COMPATIBLE "nvsoc,nvlink-fabric"
#define NVSOC_NVFB_GPU_COMPATIBLE "nvsoc,gpu"

#define NVSOC_NVFB_MAX_SLOTS 8
#define NVSOC_NVFB_NODE_REGS_SIZE 0x10000 /* 64 KiB at offset 0 */

/* Slot s's GPU register window: offset from the aperture's base, size. */
#define NVSOC_NVFB_REGS_BASE 0x01000000
#define NVSOC_NVFB_REGS_STRIDE 0x01000000
#define NVSOC_NVFB_REGS_SIZE 0x01000000
#define NVSOC_NVFB_REGS_OFFSET(s) (NVSOC_NVFB_REGS_BASE + (s)*NVSOC_NVFB_REGS_STRIDE)

/* ---- node registers ---- */

/* RO: "NVFB". */
#define NVSOC_NVFB_IDENT 0x000
#define NVSOC_NVFB_IDENT_VALUE 0x4e564642u
/* RO: 15:8 major, 7:0 minor of this register layout. */
#define NVSOC_NVFB_VERSION 0x004
#define NVSOC_NVFB_VERSION_VALUE 0x0100u
/* RO: how many slots hold a GPU. */
#define NVSOC_NVFB_NUM_SLOTS 0x008
/* RO: what the fabric does. */
#define NVSOC_NVFB_CAPS 0x00c
#define NVSOC_NVFB_CAPS_COHERENT (1u << 0) /* VRAM windows and GPU DMA are coherent */
#define NVSOC_NVFB_CAPS_ATOMICS (1u << 1)  /* AMOs to VRAM windows work */
#define NVSOC_NVFB_CAPS_L2 (1u << 2)       /* slots can sleep (SLOT_CTRL.SLEEP_REQ) */
/* RW: 0 SLEEP: the whole node sleeps. Accepted only when every slot with a
 * GPU is in L2; refused otherwise (reads back 0). Cleared by hardware when a
 * slot leaves L2 (wake by access or SLEEP_REQ cleared). */
#define NVSOC_NVFB_NODE_CTRL 0x010
#define NVSOC_NVFB_NODE_CTRL_SLEEP (1u << 0)
/* RO: 0 ASLEEP (NODE_CTRL.SLEEP accepted and no slot has left L2 since). */
#define NVSOC_NVFB_NODE_STATUS 0x014
#define NVSOC_NVFB_NODE_STATUS_ASLEEP (1u << 0)
/* RO: bit s = slot s's ERR_STATUS & ERR_EN != 0; any bit raises the node
 * line. */
#define NVSOC_NVFB_INTR_STATUS 0x020

/* ---- per-slot registers: NVSOC_NVFB_SLOT(s, reg) ---- */
#define NVSOC_NVFB_SLOT_BASE 0x1000
#define NVSOC_NVFB_SLOT_STRIDE 0x100
#define NVSOC_NVFB_SLOT(s, reg) (NVSOC_NVFB_SLOT_BASE + (s)*NVSOC_NVFB_SLOT_STRIDE + (reg))

/* RO: 3:0 the C2C links' power state (NVSOC_NVFB_STATE_*), 8 PRESENT (a
 * GPU sits in the slot), 15:12 links up (the slot's C2C links unless
 * FAILED: then 0). An empty slot reads 0. */
#define NVSOC_NVFB_SLOT_STATUS 0x00
#define NVSOC_NVFB_SLOT_STATUS_STATE_MASK 0xfu
#define NVSOC_NVFB_SLOT_STATUS_PRESENT (1u << 8)
#define NVSOC_NVFB_SLOT_STATUS_LINKS_SHIFT 12
#define NVSOC_NVFB_SLOT_STATUS_LINKS_MASK (0xfu << 12)

#define NVSOC_NVFB_STATE_L0 0
#define NVSOC_NVFB_STATE_ENTERING_L2 1
#define NVSOC_NVFB_STATE_L2 2
#define NVSOC_NVFB_STATE_WAKING 3
#define NVSOC_NVFB_STATE_FAILED 4

/* RW: 0 SLEEP_REQ (set: L0 -> ENTERING_L2 -> L2; clear: L2 -> WAKING -> L0;
 * a change during a transition takes effect when it ends; a wake by access
 * clears it), 1 AUTO_WAKE (reset 1: an access to a sleeping slot wakes it;
 * clear: such an access ends in a bus error). */
#define NVSOC_NVFB_SLOT_CTRL 0x04
#define NVSOC_NVFB_SLOT_CTRL_SLEEP_REQ (1u << 0)
#define NVSOC_NVFB_SLOT_CTRL_AUTO_WAKE (1u << 1)
/* RO: physical address of the GPU's register window (16 MiB). */
#define NVSOC_NVFB_SLOT_REGS_BASE_LO 0x08
#define NVSOC_NVFB_SLOT_REGS_BASE_HI 0x0c
/* RO: physical address and size of the GPU's whole VRAM window (the driver
 * part and the NUMA part, NUMA_SIZE, at its top). */
#define NVSOC_NVFB_SLOT_VRAM_BASE_LO 0x10
#define NVSOC_NVFB_SLOT_VRAM_BASE_HI 0x14
#define NVSOC_NVFB_SLOT_VRAM_SIZE_LO 0x18
#define NVSOC_NVFB_SLOT_VRAM_SIZE_HI 0x1c
/* RO: MB/s per direction over all the slot's links; one-way latency in ns;
 * the L2 exit latency in ns; wakes by access (32 bits, wraps). */
#define NVSOC_NVFB_SLOT_BANDWIDTH_MBPS 0x20
#define NVSOC_NVFB_SLOT_LATENCY_NS 0x24
#define NVSOC_NVFB_SLOT_L2_EXIT_NS 0x28
#define NVSOC_NVFB_SLOT_WAKE_COUNT 0x2c
/* W1C: sticky events. STATE_CHANGE: a transition ended (L2 or L0 reached)
 * or the links failed. */
#define NVSOC_NVFB_SLOT_ERR_STATUS 0x30
#define NVSOC_NVFB_SLOT_ERR_LINK_FAIL (1u << 0)
#define NVSOC_NVFB_SLOT_ERR_WOKE_BY_ACCESS (1u << 1)
#define NVSOC_NVFB_SLOT_ERR_BUS_ERROR (1u << 2)
#define NVSOC_NVFB_SLOT_ERR_STATE_CHANGE (1u << 3)
/* RW: which ERR_STATUS bits raise INTR_STATUS bit s (reset 0). */
#define NVSOC_NVFB_SLOT_ERR_EN 0x34
/* RO: size of the top part of VRAM handed to the OS as a NUMA node (0: none);
 * the driver's VRAM is [VRAM_BASE, VRAM_BASE + VRAM_SIZE - NUMA_SIZE). */
#define NVSOC_NVFB_SLOT_NUMA_SIZE_LO 0x38
#define NVSOC_NVFB_SLOT_NUMA_SIZE_HI 0x3c
/* RO, 64-bit counters: bytes carried node -> GPU (TX) and GPU -> node (RX)
 * over the slot's C2C links, headers included; ns spent in L2. */
#define NVSOC_NVFB_SLOT_TX_BYTES_LO 0x40
#define NVSOC_NVFB_SLOT_TX_BYTES_HI 0x44
#define NVSOC_NVFB_SLOT_RX_BYTES_LO 0x48
#define NVSOC_NVFB_SLOT_RX_BYTES_HI 0x4c
#define NVSOC_NVFB_SLOT_L2_TIME_NS_LO 0x50
#define NVSOC_NVFB_SLOT_L2_TIME_NS_HI 0x54

#endif /* NVSOC_NVLINK_FABRIC_HW_H */
