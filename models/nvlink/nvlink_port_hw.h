/*
 * The register block of one NVLink port, shared by every device with NVLink
 * ports (the GPU at NVSOC_GPU_NVL(l, reg), the NVSwitch at its own base):
 * the model (models/nvlink/port.*), the Linux drivers and nvsoc-smi include
 * it. C, so that C and C++ share one manual. docs/nvlink.md, "Registers",
 * is its prose.
 *
 * The state codes are the NVIDIA open driver's (nvlink.h NVLINK_LINKSTATE_*);
 * the counters are those NVML and nvidia-smi name; the command set is
 * nvsoc's, named after the MINION DL commands it stands for.
 */
#ifndef NVSOC_NVLINK_PORT_HW_H
#define NVSOC_NVLINK_PORT_HW_H

#define NVSOC_NVL_BLOCK_SIZE 0x100

/* RO: 7:0 state (NVSOC_NVL_STATE_*), 11:8 generation (0 while untrained),
 * 19:16 lanes per direction (0 while untrained), 31 ACTIVE (state HS). */
#define NVSOC_NVL_STATUS 0x00
#define NVSOC_NVL_STATUS_STATE_MASK 0xffu
#define NVSOC_NVL_STATUS_GEN_SHIFT 8
#define NVSOC_NVL_STATUS_LANES_SHIFT 16
#define NVSOC_NVL_STATUS_ACTIVE (1u << 31)

#define NVSOC_NVL_STATE_OFF 0x00
#define NVSOC_NVL_STATE_HS 0x01
#define NVSOC_NVL_STATE_SAFE 0x02
#define NVSOC_NVL_STATE_FAULT 0x03
#define NVSOC_NVL_STATE_RECOVERY 0x04
#define NVSOC_NVL_STATE_FAIL 0x05
#define NVSOC_NVL_STATE_DETECT 0x06
#define NVSOC_NVL_STATE_RESET 0x07
#define NVSOC_NVL_STATE_SLEEP 0x0a
#define NVSOC_NVL_STATE_INITPHASE1 0x13
#define NVSOC_NVL_STATE_INITNEGOTIATE 0x14
#define NVSOC_NVL_STATE_INITOPTIMIZE 0x16
#define NVSOC_NVL_STATE_INITTL 0x1a

/* The name of a state code (the open driver's), "UNKNOWN" for any other:
 * one table for the drivers, the tools and their logs. */
static inline const char *nvsoc_nvl_state_name(unsigned int state)
{
	switch (state) {
	case NVSOC_NVL_STATE_OFF: return "OFF";
	case NVSOC_NVL_STATE_HS: return "HS";
	case NVSOC_NVL_STATE_SAFE: return "SAFE";
	case NVSOC_NVL_STATE_FAULT: return "FAULT";
	case NVSOC_NVL_STATE_RECOVERY: return "RECOVERY";
	case NVSOC_NVL_STATE_FAIL: return "FAIL";
	case NVSOC_NVL_STATE_DETECT: return "DETECT";
	case NVSOC_NVL_STATE_RESET: return "RESET";
	case NVSOC_NVL_STATE_SLEEP: return "SLEEP";
	case NVSOC_NVL_STATE_INITPHASE1: return "INITPHASE1";
	case NVSOC_NVL_STATE_INITNEGOTIATE: return "INITNEGOTIATE";
	case NVSOC_NVL_STATE_INITOPTIMIZE: return "INITOPTIMIZE";
	case NVSOC_NVL_STATE_INITTL: return "INITTL";
	}
	return "UNKNOWN";
}

/* WO: a training or state command (NVSOC_NVL_CMD_*), 7:0. Reads return the
 * last command written. The training steps need both ends' command (the
 * link moves when the second arrives); OFF, RESET, WAKE and SAFE from HS
 * need one. */
#define NVSOC_NVL_CMD 0x04
#define NVSOC_NVL_CMD_INITPHASE1 1    /* OFF -> INITPHASE1 (generation 3+) */
#define NVSOC_NVL_CMD_RXDET 2         /* -> DETECT: RX termination, receiver detect */
#define NVSOC_NVL_CMD_SAFE 3          /* DETECT -> SAFE (discovery tokens); HS -> SAFE */
#define NVSOC_NVL_CMD_INITNEGOTIATE 4 /* SAFE: generation and width (generation 3+) */
#define NVSOC_NVL_CMD_INITOPTIMIZE 5  /* SAFE: equalization (generation 3+) */
#define NVSOC_NVL_CMD_INITTL 6        /* after INITOPTIMIZE (generation 3+) */
#define NVSOC_NVL_CMD_HS 7            /* -> HS; on ALI links: train by yourself */
#define NVSOC_NVL_CMD_OFF 8           /* -> OFF from anywhere */
#define NVSOC_NVL_CMD_SLEEP 9         /* HS -> SLEEP (L2) */
#define NVSOC_NVL_CMD_WAKE 10         /* SLEEP -> HS */
#define NVSOC_NVL_CMD_RESET 11        /* RESET, then OFF (ALI links then train again) */
/* RO: 1:0 the last command's fate: 0 done, 1 in progress, 2 refused (out
 * of order for the link's state: nothing changed). */
#define NVSOC_NVL_CMD_STATUS 0x08
#define NVSOC_NVL_CMD_STATUS_DONE 0
#define NVSOC_NVL_CMD_STATUS_BUSY 1
#define NVSOC_NVL_CMD_STATUS_REFUSED 2

/* RO: bit 0 ALI: the link trains by itself (generations 4 and 5 with ALI
 * on in the platform config; software drives every step otherwise). */
#define NVSOC_NVL_CTRL 0x0c
#define NVSOC_NVL_CTRL_ALI (1u << 0)

/* RO, valid from SAFE on (discovery tokens): the remote end's device (its
 * NVLink ID register) and link number. REMOTE_LINK: 15:0 link, 19:16 device
 * type (NVSOC_NVL_DEVICE_*), 31 VALID. */
#define NVSOC_NVL_REMOTE_DEVICE 0x10
#define NVSOC_NVL_REMOTE_LINK 0x14
#define NVSOC_NVL_REMOTE_LINK_TYPE_SHIFT 16
#define NVSOC_NVL_REMOTE_VALID (1u << 31)
#define NVSOC_NVL_DEVICE_EBRIDGE 0 /* an NVLink-to-PCIe bridge (nvlink_bridge_hw.h) */
#define NVSOC_NVL_DEVICE_GPU 2     /* NVML's and the open driver's numbering */
#define NVSOC_NVL_DEVICE_NVSWITCH 3

/* RO: the link's data rate per direction in MB/s while HS, else 0. */
#define NVSOC_NVL_BANDWIDTH_MBPS 0x18

/* RO counters, 64-bit as LO at the offset and HI at +4. TL: what this end's
 * transaction layer sent and received; DL: what its data link layer saw. */
#define NVSOC_NVL_TL_TX_BYTES 0x20
#define NVSOC_NVL_TL_RX_BYTES 0x28
#define NVSOC_NVL_TL_TX_PACKETS 0x30
#define NVSOC_NVL_TL_RX_PACKETS 0x38
#define NVSOC_NVL_DL_REPLAY 0x40   /* flits this end sent again */
#define NVSOC_NVL_DL_RECOVERY 0x48 /* recoveries */
#define NVSOC_NVL_DL_CRC_FLIT 0x50 /* flits this end received with a bad CRC */
#define NVSOC_NVL_DL_CRC_DATA 0x58 /* of those, data flits */
/* RO 32-bit per-lane counters: CRC errors on lanes 0-7; ECC-corrected
 * symbols on lanes 0-3 (generation 3 and later, else 0). */
#define NVSOC_NVL_CRC_LANE(n) (0x60 + 4 * (n))
#define NVSOC_NVL_ECC_LANE(n) (0x80 + 4 * (n))
/* WO: write 1 to zero every counter of this port. */
#define NVSOC_NVL_COUNTER_RESET 0x90

/* W1C: what happened on the link; ERR_EN selects what interrupts. */
#define NVSOC_NVL_ERR_STATUS 0x94
#define NVSOC_NVL_ERR_EN 0x98
#define NVSOC_NVL_ERR_LINK_DOWN (1u << 0)   /* FAULT: the link failed (Xid 74) */
#define NVSOC_NVL_ERR_RECOVERY (1u << 1)    /* a recovery ran */
#define NVSOC_NVL_ERR_TRAIN_FAIL (1u << 2)  /* training timed out (FAIL) */
#define NVSOC_NVL_ERR_CMD_REFUSED (1u << 3) /* a command was out of order */
#define NVSOC_NVL_ERR_STATE (1u << 4)       /* the state changed (training steps, HS) */

#endif /* NVSOC_NVLINK_PORT_HW_H */
