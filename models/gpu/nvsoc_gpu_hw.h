/* SPDX-License-Identifier: MIT */
/*
 * The nvsoc GPU's hardware interface: its register manual as a C header.
 *
 * One definition for everything that talks to the device: the model
 * (models/gpu), the bare-metal tests (firmware/), the Linux driver
 * (sw/drivers/nvsoc-gpu) and the tool (sw/tools). Plain C macros only, so
 * that C++, freestanding C and kernel code can all include it. docs/gpu.md
 * is the prose version; keep them together.
 *
 * Where the layout follows NVIDIA's published interface (open-gpu-doc:
 * the host class clc56f.h, the copy class clc6b5.h, dev_usermode.ref.txt,
 * dev_fault.ref.txt) the names say so with the NVIDIA name in a comment;
 * everything else is nvsoc's own and documented as such in docs/gpu.md.
 */
#ifndef NVSOC_GPU_HW_H
#define NVSOC_GPU_HW_H

/* --- PCI identity -------------------------------------------------------- */
/* A project-private vendor ID that no in-tree Linux driver claims (never
 * 0x10de: nouveau binds NVIDIA's display-class devices). */
#define NVSOC_GPU_PCI_VENDOR_ID 0x1e5c
#define NVSOC_GPU_PCI_DEVICE_ID 0x0001
#define NVSOC_GPU_PCI_CLASS 0x120000 /* processing accelerator */

/* --- BARs ------------------------------------------------------------------ */
#define NVSOC_GPU_BAR_REGS 0 /* 32-bit, non-prefetchable, 16 MiB */
#define NVSOC_GPU_BAR_VRAM 1 /* 64-bit prefetchable (BARs 1-2), Resizable BAR */
#define NVSOC_GPU_BAR0_SIZE 0x01000000

/* --- BAR0: identity and capabilities (read-only) -------------------------- */
#define NVSOC_GPU_IDENT 0x000000
#define NVSOC_GPU_IDENT_VALUE 0x4e564750 /* "NVGP" */
#define NVSOC_GPU_VERSION 0x000004 /* 31:16 major, 15:0 minor */
#define NVSOC_GPU_VERSION_VALUE 0x00010000
#define NVSOC_GPU_NUM_CHANNELS 0x000008 /* 1..64 */
#define NVSOC_GPU_NUM_CES 0x00000c      /* 1..10 */
#define NVSOC_GPU_VRAM_SIZE_LO 0x000010 /* bytes */
#define NVSOC_GPU_VRAM_SIZE_HI 0x000014
#define NVSOC_GPU_DMA_BITS 0x000018 /* address bits the device drives: 32..64 */
#define NVSOC_GPU_NUM_NVLINKS 0x00001c /* NVLink ports, 0..18 */
#define NVSOC_GPU_MAX_NVLINKS 18
#define NVSOC_GPU_CLASSES 0x000020 /* 15:0 host class, 31:16 copy class */
#define NVSOC_GPU_MSIX_VECTORS 0x000024 /* MSI-X table entries: 1 + channels */
/* The GPU's NVLink ID: who it is in discovery tokens (a remote port's
 * REMOTE_DEVICE) and in peer table entries; 0 without NVLink ports. */
#define NVSOC_GPU_NVLINK_ID 0x000028
/* Write 1: resets every channel and copy engine, the interrupt state and
 * the fault buffer registers (not the PCI configuration or VRAM). */
#define NVSOC_GPU_ENGINE_RESET 0x000040

/* --- BAR0: interrupts ------------------------------------------------------- */
/* INTR_STATUS is the level of each interrupt source (read-only): */
#define NVSOC_GPU_INTR_STATUS 0x000100
#define NVSOC_GPU_INTR_FAULT (1u << 0)    /* fault buffer GET != PUT, or overflow */
#define NVSOC_GPU_INTR_CHANNEL (1u << 1)  /* CHANNEL_ERROR_LO/HI != 0 */
#define NVSOC_GPU_INTR_NONSTALL (1u << 2) /* NONSTALL_PENDING_LO/HI != 0 */
#define NVSOC_GPU_INTR_ECC (1u << 3)      /* ECC_STATUS != 0 */
#define NVSOC_GPU_INTR_NVLINK (1u << 4)   /* NVLINK_INTR_PENDING != 0 */
/* The enable mask: write 1s to EN_SET to set bits, to EN_CLEAR to clear
 * them; both read the mask. Reset: all disabled. */
#define NVSOC_GPU_INTR_EN_SET 0x000104
#define NVSOC_GPU_INTR_EN_CLEAR 0x000108
/* Per channel (bit = channel id), write 1 to clear. A bit is set by a
 * NON_STALL_INTERRUPT method or a copy's non-blocking interrupt; an
 * interrupt message is sent when a bit goes from 0 to 1 while enabled. */
#define NVSOC_GPU_NONSTALL_PENDING_LO 0x000110
#define NVSOC_GPU_NONSTALL_PENDING_HI 0x000114
/* Per channel, write 1 to clear: the channel faulted (CH_STATUS says why). */
#define NVSOC_GPU_CHANNEL_ERROR_LO 0x000118
#define NVSOC_GPU_CHANNEL_ERROR_HI 0x00011c
/* VRAM ECC, write 1 to clear; the counters read the totals since reset and
 * are zeroed by writing 0. ECC_ADDR: the VRAM offset of the last
 * uncorrectable error. */
#define NVSOC_GPU_ECC_STATUS 0x000120
#define NVSOC_GPU_ECC_CORRECTED (1u << 0)
#define NVSOC_GPU_ECC_UNCORRECTED (1u << 1)
#define NVSOC_GPU_ECC_CORRECTED_COUNT 0x000124
#define NVSOC_GPU_ECC_UNCORRECTED_COUNT 0x000128
#define NVSOC_GPU_ECC_ADDR_LO 0x00012c
#define NVSOC_GPU_ECC_ADDR_HI 0x000130
/* RO: bit l set while NVLink port l has ERR_STATUS & ERR_EN != 0 (the
 * port's block, below, clears it). */
#define NVSOC_GPU_NVLINK_INTR_PENDING 0x000134
/*
 * MSI-X vectors: vector 0 carries FAULT, CHANNEL and ECC; a channel's
 * non-stall interrupt goes to its CH_INTR_VECTOR (1 + channel id at reset).
 * With MSI and n vectors, vector v is sent as v if v < n, else 0; with INTx
 * the pin is the OR of INTR_STATUS & enable.
 */
#define NVSOC_GPU_VECTOR_STALL 0

/* --- BAR0: fault buffer (like NV_PFB_PRI_MMU_FAULT_BUFFER) ----------------- */
#define NVSOC_GPU_FAULT_BUF_LO 0x000200 /* 31:5 address (32-byte aligned) */
#define NVSOC_GPU_FAULT_BUF_HI 0x000204
#define NVSOC_GPU_FAULT_BUF_SIZE 0x000208 /* entries, 1..65536 */
/* GET: software's index. Writing bit 31 set clears OVERFLOW. */
#define NVSOC_GPU_FAULT_BUF_GET 0x00020c
#define NVSOC_GPU_FAULT_BUF_GET_CLEAR_OVERFLOW (1u << 31)
/* PUT: the device's index (read-only); bit 31 OVERFLOW: a fault found the
 * buffer full (or disabled) and was only counted. */
#define NVSOC_GPU_FAULT_BUF_PUT 0x000210
#define NVSOC_GPU_FAULT_BUF_PUT_OVERFLOW (1u << 31)
#define NVSOC_GPU_FAULT_BUF_CTRL 0x000214
#define NVSOC_GPU_FAULT_BUF_CTRL_ENABLE (1u << 0)
#define NVSOC_GPU_FAULT_BUF_CTRL_APERTURE_SHIFT 1 /* 2:1, NVSOC_GPU_APERTURE_* */
#define NVSOC_GPU_FAULT_COUNT 0x000218 /* faults since reset, recorded or not */

/* --- BAR0: channels, 0x40 bytes each ------------------------------------------- */
#define NVSOC_GPU_CHANNEL_BASE 0x010000
#define NVSOC_GPU_CHANNEL_STRIDE 0x40
#define NVSOC_GPU_CH(c, reg) (NVSOC_GPU_CHANNEL_BASE + (c) * NVSOC_GPU_CHANNEL_STRIDE + (reg))
#define NVSOC_GPU_MAX_CHANNELS 64
/* CH_CTRL: ENABLE (RW). RESET (write 1, reads 0): stops the channel, drops
 * its work (a copy in flight on its behalf is abandoned), clears FAULTED,
 * GP_GET, GP_PUT and the subchannel bindings. */
#define NVSOC_GPU_CH_CTRL 0x00
#define NVSOC_GPU_CH_CTRL_ENABLE (1u << 0)
#define NVSOC_GPU_CH_CTRL_RESET (1u << 1)
/* CH_STATUS (read-only). */
#define NVSOC_GPU_CH_STATUS 0x04
#define NVSOC_GPU_CH_STATUS_BUSY (1u << 0)    /* GP_GET != GP_PUT or work in flight */
#define NVSOC_GPU_CH_STATUS_FAULTED (1u << 1) /* stopped until CH_CTRL.RESET */
#define NVSOC_GPU_CH_STATUS_ACQUIRING (1u << 2)
#define NVSOC_GPU_CH_STATUS_XID_SHIFT 8         /* 15:8 Xid of the fault */
#define NVSOC_GPU_CH_STATUS_FAULT_TYPE_SHIFT 16 /* 23:16 NVSOC_GPU_FAULT_* */
/* The GPFIFO ring: base (8-byte aligned) and log2 of its entry count
 * (1..20; like NVC56F's GP_BASE and LIMIT2). */
#define NVSOC_GPU_CH_GPFIFO_LO 0x08
#define NVSOC_GPU_CH_GPFIFO_HI 0x0c
#define NVSOC_GPU_CH_GPFIFO_LOG2 0x10
/* Where the channel's ring, pushbuffers and host semaphores live. */
#define NVSOC_GPU_CH_APERTURE 0x14
#define NVSOC_GPU_CH_APERTURE_GPFIFO_SHIFT 0 /* 1:0 */
#define NVSOC_GPU_CH_APERTURE_PB_SHIFT 2     /* 3:2 */
#define NVSOC_GPU_CH_APERTURE_SEM_SHIFT 4    /* 5:4 */
#define NVSOC_GPU_CH_ENGINE 0x18      /* the copy engine serving its copy subchannels */
#define NVSOC_GPU_CH_INTR_VECTOR 0x1c /* MSI-X vector of its non-stall interrupt */
#define NVSOC_GPU_CH_METHODS_LO 0x20  /* methods executed since reset (read-only) */
#define NVSOC_GPU_CH_METHODS_HI 0x24
#define NVSOC_GPU_CH_ERROR_DETAIL 0x28 /* the fault record's DETAIL word (read-only) */

/* Apertures (the copy class's SET_*_PHYS_MODE_TARGET values). */
#define NVSOC_GPU_APERTURE_VRAM 0
#define NVSOC_GPU_APERTURE_SYSMEM_COHERENT 1
#define NVSOC_GPU_APERTURE_SYSMEM_NONCOHERENT 2
#define NVSOC_GPU_APERTURE_PEER 3 /* copy engines only; peers arrive with NVLink */

/* --- BAR0: copy engines, 0x40 bytes each (read-only) ------------------------ */
#define NVSOC_GPU_CE_BASE 0x020000
#define NVSOC_GPU_CE_STRIDE 0x40
#define NVSOC_GPU_CE(e, reg) (NVSOC_GPU_CE_BASE + (e) * NVSOC_GPU_CE_STRIDE + (reg))
#define NVSOC_GPU_MAX_CES 10
#define NVSOC_GPU_CE_STATUS 0x00
#define NVSOC_GPU_CE_STATUS_BUSY (1u << 0)
#define NVSOC_GPU_CE_STATUS_CHANNEL_SHIFT 8 /* 15:8: the channel it serves */
#define NVSOC_GPU_CE_RATE_MBPS 0x04         /* its throughput, MB/s */
#define NVSOC_GPU_CE_BYTES_LO 0x08          /* bytes written since reset */
#define NVSOC_GPU_CE_BYTES_HI 0x0c
#define NVSOC_GPU_CE_LAUNCHES 0x10

/* --- BAR0: NVLink ports, one block each (models/nvlink/nvlink_port_hw.h) ---- */
#define NVSOC_GPU_NVLINK_BASE 0x030000
#define NVSOC_GPU_NVL(l, reg) (NVSOC_GPU_NVLINK_BASE + (l) * 0x100 + (reg))

/* --- BAR0: the peer table: what a copy's PEER target with peer id i means -- */
#define NVSOC_GPU_PEER_BASE 0x038000
#define NVSOC_GPU_PEERS 8
#define NVSOC_GPU_PEER(i, reg) (NVSOC_GPU_PEER_BASE + (i) * 0x10 + (reg))
/* CTRL: bit 0 VALID, 2:1 PATH: 1 NVLink (TARGET is the peer's NVLINK_ID),
 * 2 PCIe peer-to-peer (BASE is the peer's BAR1 bus address: offset x of
 * its VRAM is BASE + x, within its BAR1). */
#define NVSOC_GPU_PEER_CTRL 0x0
#define NVSOC_GPU_PEER_CTRL_VALID (1u << 0)
#define NVSOC_GPU_PEER_CTRL_PATH_SHIFT 1
#define NVSOC_GPU_PEER_PATH_NVLINK 1
#define NVSOC_GPU_PEER_PATH_PCIE 2
#define NVSOC_GPU_PEER_TARGET 0x4
#define NVSOC_GPU_PEER_BASE_LO 0x8
#define NVSOC_GPU_PEER_BASE_HI 0xc

/* --- BAR0: MSI-X table and PBA ------------------------------------------------- */
#define NVSOC_GPU_MSIX_TABLE 0x100000
#define NVSOC_GPU_MSIX_PBA 0x108000

/* --- BAR0: usermode page, 64 KiB, mappable to user space alone -------------- */
#define NVSOC_GPU_USERMODE 0x810000 /* NV_USERMODE on Turing/Ampere */
#define NVSOC_GPU_USERMODE_SIZE 0x10000
/* The device's clock in ns (NV_USERMODE_TIME_0/1): read HI, LO, then HI
 * again and retry if HI changed. */
#define NVSOC_GPU_USERMODE_TIME_LO 0x80
#define NVSOC_GPU_USERMODE_TIME_HI 0x84
/* NV_USERMODE_NOTIFY_CHANNEL_PENDING: write a channel id to kick it. */
#define NVSOC_GPU_USERMODE_DOORBELL 0x90

/* --- BAR0: USERD pages, one 4 KiB page per channel ---------------------------- */
/* (On NVIDIA parts USERD lives in memory; here it is a register page, so a
 * channel's control page can be mapped to user space alone.) Offsets
 * within the page follow clc56f's Nvc56fControl. */
#define NVSOC_GPU_USERD_BASE 0xc00000
#define NVSOC_GPU_USERD_STRIDE 0x1000
#define NVSOC_GPU_USERD(c) (NVSOC_GPU_USERD_BASE + (c) * NVSOC_GPU_USERD_STRIDE)
#define NVSOC_GPU_USERD_GET 0x44    /* pushbuffer fetch address, low (read-only) */
#define NVSOC_GPU_USERD_GET_HI 0x60 /* and high */
#define NVSOC_GPU_USERD_GP_GET 0x88 /* next GP entry the device reads (read-only) */
#define NVSOC_GPU_USERD_GP_PUT 0x8c /* one past the last GP entry software wrote */

/* --- GPFIFO entries (8 bytes, NVC56F_GP_ENTRY0/1) ------------------------------ */
#define NVSOC_GPU_GP_ENTRY0_GET_SHIFT 2 /* 31:2: segment address bits 31:2 */
#define NVSOC_GPU_GP_ENTRY1_GET_HI_MASK 0xffu /* 7:0: address bits 39:32 */
#define NVSOC_GPU_GP_ENTRY1_LEVEL (1u << 9)   /* subroutine: not supported, an error */
#define NVSOC_GPU_GP_ENTRY1_LENGTH_SHIFT 10   /* 30:10: length in dwords; 0 = control entry */
#define NVSOC_GPU_GP_ENTRY1_LENGTH_MASK 0x1fffffu
#define NVSOC_GPU_GP_ENTRY1_SYNC (1u << 31)

/* --- Method headers (NVC56F_DMA_*) -------------------------------------------- */
#define NVSOC_GPU_METHOD_ADDRESS_MASK 0xfffu /* 11:0: method offset / 4 */
#define NVSOC_GPU_METHOD_SUBCH_SHIFT 13      /* 15:13 */
#define NVSOC_GPU_METHOD_COUNT_SHIFT 16      /* 28:16: count, or IMMD data */
#define NVSOC_GPU_METHOD_COUNT_MASK 0x1fffu
#define NVSOC_GPU_METHOD_SECOP_SHIFT 29 /* 31:29 */
#define NVSOC_GPU_SECOP_INC 1
#define NVSOC_GPU_SECOP_NON_INC 3
#define NVSOC_GPU_SECOP_IMMD 4
#define NVSOC_GPU_SECOP_ONE_INC 5
#define NVSOC_GPU_SECOP_END_PB_SEGMENT 7
#define NVSOC_GPU_METHOD_HEADER(secop, subch, method, count)                                   \
    (((unsigned)(secop) << 29) | ((unsigned)(count) << 16) | ((unsigned)(subch) << 13) |       \
     ((unsigned)(method) >> 2))

/* --- Host methods (class 0xc56f, any subchannel) --------------------------------- */
#define NVSOC_GPU_HOST_CLASS 0xc56f /* AMPERE_CHANNEL_GPFIFO_A */
#define NVSOC_GPU_SET_OBJECT 0x0000 /* 15:0 class to bind to the subchannel */
#define NVSOC_GPU_NOP 0x0008
#define NVSOC_GPU_SEMAPHOREA 0x0010 /* 7:0 address bits 39:32 */
#define NVSOC_GPU_SEMAPHOREB 0x0014 /* 31:2 address bits 31:2 */
#define NVSOC_GPU_SEMAPHOREC 0x0018 /* payload */
#define NVSOC_GPU_SEMAPHORED 0x001c /* operation: executes */
#define NVSOC_GPU_SEMAPHORED_OP_MASK 0x1fu
#define NVSOC_GPU_SEMAPHORED_OP_ACQUIRE 1 /* wait for *addr == payload */
#define NVSOC_GPU_SEMAPHORED_OP_RELEASE 2 /* write payload */
#define NVSOC_GPU_SEMAPHORED_OP_ACQ_GEQ 4 /* wait for (s32)(*addr - payload) >= 0 */
#define NVSOC_GPU_SEMAPHORED_RELEASE_WFI_DIS (1u << 20)
#define NVSOC_GPU_SEMAPHORED_RELEASE_SIZE_4BYTE (1u << 24) /* else 16 bytes with timestamp */
#define NVSOC_GPU_NON_STALL_INTERRUPT 0x0020
#define NVSOC_GPU_WFI 0x0078
#define NVSOC_GPU_HOST_METHODS_END 0x0100 /* methods below are host methods */

/* --- Copy engine methods (class 0xc6b5, a subchannel bound by SET_OBJECT) ---------- */
#define NVSOC_GPU_COPY_CLASS 0xc6b5 /* AMPERE_DMA_COPY_A */
#define NVSOC_GPU_CE_NOP 0x0100
#define NVSOC_GPU_CE_SET_SEMAPHORE_A 0x0240 /* 16:0 address bits 48:32 */
#define NVSOC_GPU_CE_SET_SEMAPHORE_B 0x0244
#define NVSOC_GPU_CE_SET_SEMAPHORE_PAYLOAD 0x0248
#define NVSOC_GPU_CE_SET_SRC_PHYS_MODE 0x0260 /* 1:0 aperture, 8:6 peer id */
#define NVSOC_GPU_CE_SET_DST_PHYS_MODE 0x0264
#define NVSOC_GPU_CE_PHYS_MODE_TARGET_MASK 0x3u
#define NVSOC_GPU_CE_PHYS_MODE_PEER_ID_SHIFT 6
#define NVSOC_GPU_CE_LAUNCH_DMA 0x0300
#define NVSOC_GPU_CE_LAUNCH_TRANSFER_MASK 0x3u /* 1:0: 0 none, 1 pipelined, 2 non-pipelined */
#define NVSOC_GPU_CE_LAUNCH_FLUSH (1u << 2)
#define NVSOC_GPU_CE_LAUNCH_SEM_SHIFT 3 /* 4:3 */
#define NVSOC_GPU_CE_LAUNCH_SEM_NONE 0
#define NVSOC_GPU_CE_LAUNCH_SEM_ONE_WORD 1
#define NVSOC_GPU_CE_LAUNCH_SEM_FOUR_WORD 2
#define NVSOC_GPU_CE_LAUNCH_INTR_SHIFT 5 /* 6:5 */
#define NVSOC_GPU_CE_LAUNCH_INTR_NONE 0
#define NVSOC_GPU_CE_LAUNCH_INTR_BLOCKING 1
#define NVSOC_GPU_CE_LAUNCH_INTR_NON_BLOCKING 2
#define NVSOC_GPU_CE_LAUNCH_SRC_PITCH (1u << 7)
#define NVSOC_GPU_CE_LAUNCH_DST_PITCH (1u << 8)
#define NVSOC_GPU_CE_LAUNCH_MULTI_LINE (1u << 9)
#define NVSOC_GPU_CE_LAUNCH_REMAP (1u << 10)
#define NVSOC_GPU_CE_LAUNCH_SRC_PHYSICAL (1u << 12)
#define NVSOC_GPU_CE_LAUNCH_DST_PHYSICAL (1u << 13)
#define NVSOC_GPU_CE_OFFSET_IN_UPPER 0x0400 /* 31:0: bits 63:32 (clc6b5: 16:0) */
#define NVSOC_GPU_CE_OFFSET_IN_LOWER 0x0404
#define NVSOC_GPU_CE_OFFSET_OUT_UPPER 0x0408
#define NVSOC_GPU_CE_OFFSET_OUT_LOWER 0x040c
#define NVSOC_GPU_CE_PITCH_IN 0x0410
#define NVSOC_GPU_CE_PITCH_OUT 0x0414
#define NVSOC_GPU_CE_LINE_LENGTH_IN 0x0418
#define NVSOC_GPU_CE_LINE_COUNT 0x041c
#define NVSOC_GPU_CE_SET_REMAP_CONST_A 0x0700
#define NVSOC_GPU_CE_SET_REMAP_CONST_B 0x0704
#define NVSOC_GPU_CE_SET_REMAP_COMPONENTS 0x0708
#define NVSOC_GPU_CE_REMAP_DST_X_SHIFT 0 /* 2:0, then Y 6:4, Z 10:8, W 14:12 */
#define NVSOC_GPU_CE_REMAP_CONST_A 4
#define NVSOC_GPU_CE_REMAP_CONST_B 5
#define NVSOC_GPU_CE_REMAP_NO_WRITE 6
#define NVSOC_GPU_CE_REMAP_COMPONENT_SIZE_SHIFT 16 /* 17:16: size - 1 bytes */
#define NVSOC_GPU_CE_REMAP_NUM_SRC_SHIFT 20        /* 21:20: count - 1 */
#define NVSOC_GPU_CE_REMAP_NUM_DST_SHIFT 24        /* 25:24: count - 1 */

/* --- Fault records: 32 bytes, little-endian words ------------------------------- */
#define NVSOC_GPU_FAULT_RECORD_SIZE 32
#define NVSOC_GPU_FAULT_W_ADDR_LO 0 /* word index: the faulting address */
#define NVSOC_GPU_FAULT_W_ADDR_HI 1
#define NVSOC_GPU_FAULT_W_TIME_LO 2 /* device clock, ns */
#define NVSOC_GPU_FAULT_W_TIME_HI 3
#define NVSOC_GPU_FAULT_W_INFO 4
#define NVSOC_GPU_FAULT_INFO_TYPE_MASK 0xffu      /* 7:0 NVSOC_GPU_FAULT_* */
#define NVSOC_GPU_FAULT_INFO_ACCESS_SHIFT 8       /* 11:8 NVSOC_GPU_ACCESS_* */
#define NVSOC_GPU_FAULT_INFO_APERTURE_SHIFT 12    /* 13:12 NVSOC_GPU_APERTURE_* */
#define NVSOC_GPU_FAULT_INFO_XID_SHIFT 16         /* 23:16 */
#define NVSOC_GPU_FAULT_INFO_ENGINE_SHIFT 24      /* 31:24: 0 host, 1 + n copy engine n */
#define NVSOC_GPU_FAULT_W_CHANNEL 5               /* 15:0 channel id (0xffff: none) */
#define NVSOC_GPU_FAULT_W_DETAIL 6                /* method header, GP entry index, ... */
#define NVSOC_GPU_FAULT_W_VALID 7                 /* bit 31: set by the device */
#define NVSOC_GPU_FAULT_VALID (1u << 31)
#define NVSOC_GPU_FAULT_NO_CHANNEL 0xffff

/* Fault types: 0x00-0x0f as NV_PFAULT_FAULT_TYPE (dev_fault.ref.txt), then
 * nvsoc's own host (PBDMA) and bus errors from 0x20. */
#define NVSOC_GPU_FAULT_VA_LIMIT_VIOLATION 0x03   /* outside VRAM or the DMA address bits */
#define NVSOC_GPU_FAULT_UNBOUND_INST_BLOCK 0x04   /* a virtual-mode copy: no address space */
#define NVSOC_GPU_FAULT_UNSUPPORTED_APERTURE 0x0a /* bad aperture, or a peer with no path */
#define NVSOC_GPU_FAULT_POISONED 0x0e             /* poisoned data, uncorrectable ECC */
#define NVSOC_GPU_FAULT_BUS_ERROR 0x20            /* DMA ended in UR, CA or master abort */
#define NVSOC_GPU_FAULT_BAD_METHOD 0x21           /* unknown method or bad argument */
#define NVSOC_GPU_FAULT_BAD_GP_ENTRY 0x22         /* LEVEL set, or a bad segment */
#define NVSOC_GPU_FAULT_BAD_GP_PUT 0x23           /* GP_PUT beyond the ring */
#define NVSOC_GPU_FAULT_BAD_CLASS 0x24            /* SET_OBJECT with an unknown class */
#define NVSOC_GPU_FAULT_BAD_SUBCHANNEL 0x25       /* a class method on an unbound subchannel */
#define NVSOC_GPU_FAULT_BAD_LAUNCH 0x26           /* a copy the engine cannot do */
#define NVSOC_GPU_FAULT_BAD_DOORBELL 0x27         /* a doorbell for a missing channel */
#define NVSOC_GPU_FAULT_BAD_CONFIG 0x28           /* channel ring or aperture registers invalid */
/* Every fault type, for names in logs: X(VA_LIMIT_VIOLATION) ... expands
 * with the suffix of each NVSOC_GPU_FAULT_* above. */
#define NVSOC_GPU_FAULT_TYPES(X)                                                                 \
    X(VA_LIMIT_VIOLATION) X(UNBOUND_INST_BLOCK) X(UNSUPPORTED_APERTURE) X(POISONED)              \
    X(BUS_ERROR) X(BAD_METHOD) X(BAD_GP_ENTRY) X(BAD_GP_PUT) X(BAD_CLASS) X(BAD_SUBCHANNEL)     \
    X(BAD_LAUNCH) X(BAD_DOORBELL) X(BAD_CONFIG)

/* Access types (NV_PFAULT_ACCESS_TYPE_PHYS_*). */
#define NVSOC_GPU_ACCESS_READ 8
#define NVSOC_GPU_ACCESS_WRITE 9
#define NVSOC_GPU_ACCESS_ATOMIC 10

/* Xid codes (NVIDIA's nverror.h numbering, where one fits). */
#define NVSOC_GPU_XID_MMU_FAULT 31
#define NVSOC_GPU_XID_PBDMA_ERROR 32
#define NVSOC_GPU_XID_CHANNEL_STOPPED 43 /* reported by the driver on reset */
#define NVSOC_GPU_XID_ECC_DBE 48
#define NVSOC_GPU_XID_FALLEN_OFF_BUS 79 /* reported by the driver */
/* A copy engine's own errors: CE0-2 39-41, CE3-5 70-72, CE6-8 75-77, CE9 85. */
#define NVSOC_GPU_XID_CE(n)                                                                      \
    ((n) < 3 ? 39 + (n) : (n) < 6 ? 70 + (n) - 3 : (n) < 9 ? 75 + (n) - 6 : 85)

#endif /* NVSOC_GPU_HW_H */
