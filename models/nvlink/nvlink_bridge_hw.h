/*
 * The NVLink-to-PCIe bridge's management function (PCI 1e5c:0003, class
 * 0x068000, "bridge, other"; function 1 of the bridge's upstream port
 * device): BAR0's registers. The model is models/nvlink/bridge.*;
 * docs/nvlink.md, "NVLink-to-PCIe bridge", is the prose. C, so that the
 * drivers and the tools can share it.
 *
 * The bridge is a PCI Express switch: an upstream port (function 0), this
 * management function (function 1), and on its internal bus one virtual
 * downstream port (vDSP) per NVLink port, at device p for port p. A vDSP's
 * "link" to the GPU below it is NVLink port p's link: while it is not HS
 * the slot is empty (Presence Detect clear, config reads all-ones). vDSP
 * slots are hot-plug capable (pciehp adds the GPU on the DLLSC event).
 *
 * BAR0 (32-bit, 256 KiB):
 *   0x00000  identity, control, the error registers, the fault ring
 *   0x10000  port p's NVLink register block (nvlink_port_hw.h) at
 *            NVSOC_NVBR_PORT(p, reg), p = 0..NUM_PORTS-1
 * Reserved offsets read 0 and ignore writes.
 *
 * Interrupt: one MSI vector (INTA with MSI off), raised while
 * CTRL.INTR_EN is set and INTR_PENDING is not 0.
 */
#ifndef NVSOC_NVLINK_BRIDGE_HW_H
#define NVSOC_NVLINK_BRIDGE_HW_H

#define NVSOC_NVBR_VENDOR_ID 0x1e5c
#define NVSOC_NVBR_DEVICE_ID 0x0003
#define NVSOC_NVBR_PCI_CLASS 0x068000
#define NVSOC_NVBR_BAR_REGS 0
#define NVSOC_NVBR_BAR0_SIZE 0x40000

#define NVSOC_NVBR_MAX_PORTS 18

/* The type 1 functions' default IDs: the upstream port (function 0 beside
 * the management function) and every virtual downstream port. */
#define NVSOC_NVBR_USP_DEVICE_ID 0x0004
#define NVSOC_NVBR_DSP_DEVICE_ID 0x0005

/* RO: "NVBR". */
#define NVSOC_NVBR_IDENT 0x000
#define NVSOC_NVBR_IDENT_VALUE 0x4e564252u
/* RO: 15:8 major, 7:0 minor of this register layout. */
#define NVSOC_NVBR_VERSION 0x004
#define NVSOC_NVBR_VERSION_VALUE 0x0100u
/* RO: the NVLink ports (and vDSPs) this bridge has (`nvlink-ports`). */
#define NVSOC_NVBR_NUM_PORTS 0x008
/* RO: the bridge's own NVLink ID (the platform numbers NVLink devices from 1). */
#define NVSOC_NVBR_NVLINK_ID 0x00c

/* RW. PORTS_ENABLE: 0 -> 1 lets the NVLink ports' links train (ALI links
 * train by themselves; the others take the usual commands through the port
 * blocks); 1 -> 0 takes every link OFF. With `hold-links: false` it resets
 * to 1. INTR_EN: the management interrupt is raised while INTR_PENDING is
 * not 0. */
#define NVSOC_NVBR_CTRL 0x010
#define NVSOC_NVBR_CTRL_PORTS_ENABLE (1u << 0)
#define NVSOC_NVBR_CTRL_INTR_EN (1u << 1)

/* RO: bit p: vDSP p has a GPU below it and port p's link is HS (the slot's
 * Presence Detect State). */
#define NVSOC_NVBR_PRESENT 0x014
/* RO: the inbound DMA window is [0, 2^DMA_WINDOW_BITS): a request from
 * below that reaches beyond it is an Unsupported Request at its vDSP, a
 * FAULT record and BR_ERR_DMA_WINDOW. */
#define NVSOC_NVBR_DMA_WINDOW_BITS 0x018
/* RO: one crossing of the bridge, each direction, in ns (`latency`). */
#define NVSOC_NVBR_LATENCY_NS 0x01c

/* RO: bit p: port p's ERR_STATUS & ERR_EN (nvlink_port_hw.h) is not 0;
 * bit 31: BR_ERR_STATUS & BR_ERR_EN is not 0. */
#define NVSOC_NVBR_INTR_PENDING 0x020
#define NVSOC_NVBR_INTR_PENDING_BRIDGE (1u << 31)

/* W1C: bridge-level errors (sticky); BR_ERR_EN selects what interrupts. */
#define NVSOC_NVBR_BR_ERR_STATUS 0x024
#define NVSOC_NVBR_BR_ERR_EN 0x028
#define NVSOC_NVBR_BR_ERR_DMA_WINDOW (1u << 0)     /* DMA beyond the window (FAULT record) */
#define NVSOC_NVBR_BR_ERR_FAULT_OVERFLOW (1u << 1) /* the fault ring was full: a record lost */
/* CFG_TO_DOWN_PORT: a config request to a vDSP whose link is not HS
 * (answered as no device: all-ones). */
#define NVSOC_NVBR_BR_ERR_CFG_TO_DOWN_PORT (1u << 2)
#define NVSOC_NVBR_BR_ERR_SURPRISE_DOWN (1u << 3) /* a GPU's link left HS unasked (FAULT) */
/* LINK_CORRECTED: a replay or recovery on a link to a GPU (AER: a Bad TLP
 * at the end that received the bad flit, the GPU or the vDSP; a Receiver
 * Error at both for a recovery; the port block's counters say which). */
#define NVSOC_NVBR_BR_ERR_LINK_CORRECTED (1u << 4)

/* The fault ring: NVSOC_NVBR_FAULT_RECORDS records at FAULT(i). FAULT_PUT
 * (RO) counts the records the bridge has written, free-running 32-bit; the
 * next one goes to FAULT(FAULT_PUT % NVSOC_NVBR_FAULT_RECORDS). FAULT_GET
 * (RW) is software's count of records consumed: the ring is empty when GET
 * == PUT and full when PUT - GET == NVSOC_NVBR_FAULT_RECORDS; a fault with
 * the ring full is not recorded and sets BR_ERR_FAULT_OVERFLOW. */
#define NVSOC_NVBR_FAULT_PUT 0x030
#define NVSOC_NVBR_FAULT_GET 0x034
#define NVSOC_NVBR_FAULT_RECORDS 8

/* Record i (RO): the request's address (LO, HI), INFO, and its length in
 * bytes (LEN). */
#define NVSOC_NVBR_FAULT_BASE 0x100
#define NVSOC_NVBR_FAULT(i, reg) (NVSOC_NVBR_FAULT_BASE + (i)*0x10 + (reg))
#define NVSOC_NVBR_FAULT_ADDR_LO 0x0
#define NVSOC_NVBR_FAULT_ADDR_HI 0x4
#define NVSOC_NVBR_FAULT_INFO 0x8
#define NVSOC_NVBR_FAULT_LEN 0xc
/* INFO: 15:0 requester ID (bus 15:8, device 7:3, function 2:0), 16 WRITE,
 * 24:20 the vDSP (NVLink port) it came in on, 27:25 KIND, 31 VALID. */
#define NVSOC_NVBR_FAULT_INFO_RID_MASK 0xffffu
#define NVSOC_NVBR_FAULT_INFO_WRITE (1u << 16)
#define NVSOC_NVBR_FAULT_INFO_PORT_SHIFT 20
#define NVSOC_NVBR_FAULT_INFO_PORT_MASK (0x1fu << 20)
#define NVSOC_NVBR_FAULT_INFO_KIND_SHIFT 25
#define NVSOC_NVBR_FAULT_INFO_KIND_MASK (0x7u << 25)
#define NVSOC_NVBR_FAULT_KIND_DMA_WINDOW 0 /* beyond [0, 2^DMA_WINDOW_BITS) */
#define NVSOC_NVBR_FAULT_INFO_VALID (1u << 31)

/* Port p's NVLink register block (nvlink_port_hw.h). */
#define NVSOC_NVBR_PORT_BASE 0x10000
#define NVSOC_NVBR_PORT(p, reg) (NVSOC_NVBR_PORT_BASE + (p)*0x100 + (reg))

#endif /* NVSOC_NVLINK_BRIDGE_HW_H */
