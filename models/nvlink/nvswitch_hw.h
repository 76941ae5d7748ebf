/*
 * The NVSwitch's management function (PCI 1e5c:0002, class 0x068000,
 * "bridge, other"): BAR0's registers. The model is models/nvlink/nvswitch.*;
 * docs/nvlink.md, "NVSwitch", is the prose. C, so that the drivers and the
 * tools can share it.
 *
 * BAR0 (32-bit, 256 KiB):
 *   0x00000  identity, the routing drop counter and error status
 *   0x10000  port p's NVLink register block (nvlink_port_hw.h) at
 *            NVSOC_NVSW_PORT(p, reg), p = 0..NUM_PORTS-1
 *   0x20000  the routing table: per ingress port p and destination NVLink
 *            ID d (1..63), the egress port mask (bit q = port q), 64 bits
 *            as LO and HI. Several bits are a ganged-link group: a request
 *            is spread across them. ID 0 is no device: its entries are
 *            reserved (they hold what is written and are never used).
 * Reserved offsets read 0 and ignore writes.
 */
#ifndef NVSOC_NVSWITCH_HW_H
#define NVSOC_NVSWITCH_HW_H

#define NVSOC_NVSW_VENDOR_ID 0x1e5c
#define NVSOC_NVSW_DEVICE_ID 0x0002
#define NVSOC_NVSW_PCI_CLASS 0x068000
#define NVSOC_NVSW_BAR_REGS 0
#define NVSOC_NVSW_BAR0_SIZE 0x40000

#define NVSOC_NVSW_MAX_PORTS 64
#define NVSOC_NVSW_MAX_IDS 64 /* NVLink IDs 1..63 have routes */

/* RO: "NVSW". */
#define NVSOC_NVSW_IDENT 0x000
#define NVSOC_NVSW_IDENT_VALUE 0x4e565357u
/* RO: 15:8 major, 7:0 minor of this register layout. */
#define NVSOC_NVSW_VERSION 0x004
#define NVSOC_NVSW_VERSION_VALUE 0x0100u
/* RO: the ports this switch has (`ports`). */
#define NVSOC_NVSW_NUM_PORTS 0x008
/* RO: the switch's own NVLink ID (the platform numbers NVLink devices from 1). */
#define NVSOC_NVSW_NVLINK_ID 0x00c
/* RO: which ports' ERR_STATUS & ERR_EN are set, ports 0-31 and 32-63; any
 * bit raises INTA. */
#define NVSOC_NVSW_INTR_PENDING_LO 0x010
#define NVSOC_NVSW_INTR_PENDING_HI 0x014

/* RO, 64-bit as LO and HI: requests and read responses the switch dropped
 * for want of a route (each ingress port's share of one counts once). */
#define NVSOC_NVSW_ROUTE_DROPS_LO 0x020
#define NVSOC_NVSW_ROUTE_DROPS_HI 0x024
/* W1C: why requests or responses were dropped (sticky). The requester's
 * access fails with a bus error (a read returns no data); the first drop is
 * logged. */
#define NVSOC_NVSW_ROUTE_ERR_STATUS 0x028
#define NVSOC_NVSW_ROUTE_ERR_NO_ROUTE (1u << 0)    /* the entry was empty */
#define NVSOC_NVSW_ROUTE_ERR_LOOP (1u << 1)        /* it sends back out the ingress port */
#define NVSOC_NVSW_ROUTE_ERR_HOP_LIMIT (1u << 2)   /* more than 4 switch hops */
#define NVSOC_NVSW_ROUTE_ERR_EGRESS_DOWN (1u << 3) /* no egress port's link is up */
#define NVSOC_NVSW_ROUTE_ERR_NOT_TARGET (1u << 4)  /* the egress leads to another endpoint */
/* RO: the first drop since ROUTE_ERR_STATUS was last clear: 7:0 ingress
 * port, 15:8 destination NVLink ID, 31 VALID. */
#define NVSOC_NVSW_ROUTE_ERR_INFO 0x02c
#define NVSOC_NVSW_ROUTE_ERR_INFO_DEST_SHIFT 8
#define NVSOC_NVSW_ROUTE_ERR_INFO_VALID (1u << 31)

/* Port p's NVLink register block. */
#define NVSOC_NVSW_PORT_BASE 0x10000
#define NVSOC_NVSW_PORT(p, reg) (NVSOC_NVSW_PORT_BASE + (p)*0x100 + (reg))

/* RW: ingress port p's egress mask for destination NVLink ID d. */
#define NVSOC_NVSW_ROUTE_BASE 0x20000
#define NVSOC_NVSW_ROUTE_LO(p, d) (NVSOC_NVSW_ROUTE_BASE + ((p)*NVSOC_NVSW_MAX_IDS + (d)) * 8)
#define NVSOC_NVSW_ROUTE_HI(p, d) (NVSOC_NVSW_ROUTE_LO(p, d) + 4)

#endif /* NVSOC_NVSWITCH_HW_H */
