/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * nvsoc native NVLink fabric node: what a GPU on the fabric (a gpu@<slot>
 * child, bound by nvsoc-gpu.ko's platform front end) may learn from its
 * parent, the fabric driver (nvsoc-nvlink-fabric.ko).
 *
 * The two modules share no symbol, so either loads without the other (the
 * initramfs's /init loads modules with busybox insmod, in name order, with
 * no dependency resolution). The fabric driver's drvdata is a struct
 * nvsoc_nvfb_shared, set before it creates the children and valid while
 * any child exists: the children are created by devm_of_platform_populate()
 * in the fabric's probe and destroyed, unbinding their driver first, before
 * the fabric's own devres (this structure) is released.
 */
#ifndef NVSOC_NVLINK_FABRIC_H
#define NVSOC_NVLINK_FABRIC_H

#include <linux/bitops.h>
#include <linux/device.h>
#include <linux/io.h>
#include <linux/of.h>
#include <linux/string.h>
#include <linux/types.h>

#include "nvlink_fabric_hw.h"

#define NVSOC_NVFB_DRIVER_NAME	"nvsoc-nvlink-fabric"
/* Bumped whenever struct nvsoc_nvfb_shared changes. */
#define NVSOC_NVFB_SHARED_VERSION	1

struct nvsoc_nvfb_shared {
	u32 version;			/* NVSOC_NVFB_SHARED_VERSION */
	void __iomem *regs;		/* the node registers, NODE_REGS_SIZE bytes */
	/*
	 * Bit s: slot s's C2C links failed (ERR_STATUS.LINK_FAIL seen by the
	 * fabric's interrupt handler). Set with set_bit(), never cleared
	 * while the fabric is bound; read with test_bit() from any context.
	 */
	unsigned long failed;
};

/*
 * The fabric above @dev, a gpu@ child, or NULL when @dev's parent is not a
 * fabric node bound to nvsoc-nvlink-fabric (of the same shared layout).
 */
static inline struct nvsoc_nvfb_shared *nvsoc_nvfb_shared_of(struct device *dev)
{
	struct device *fab = dev->parent;
	struct nvsoc_nvfb_shared *sh;

	if (!fab || !of_device_is_compatible(fab->of_node, NVSOC_NVFB_COMPATIBLE) ||
	    !fab->driver || strcmp(fab->driver->name, NVSOC_NVFB_DRIVER_NAME))
		return NULL;
	sh = dev_get_drvdata(fab);
	if (!sh || sh->version != NVSOC_NVFB_SHARED_VERSION)
		return NULL;
	return sh;
}

/* Slot @slot's per-slot register @reg (NVSOC_NVFB_SLOT_*). */
static inline u32 nvsoc_nvfb_slot_rd(struct nvsoc_nvfb_shared *sh, unsigned int slot, u32 reg)
{
	return readl(sh->regs + NVSOC_NVFB_SLOT(slot, reg));
}

/*
 * Has slot @slot failed, or lost its GPU? No sleeping, no logging: for a
 * GPU driver's bus state callback, from any context.
 */
static inline bool nvsoc_nvfb_slot_failed(struct nvsoc_nvfb_shared *sh, unsigned int slot)
{
	u32 status;

	if (test_bit(slot, &sh->failed))
		return true;
	status = nvsoc_nvfb_slot_rd(sh, slot, NVSOC_NVFB_SLOT_STATUS);
	return !(status & NVSOC_NVFB_SLOT_STATUS_PRESENT) ||
	       (status & NVSOC_NVFB_SLOT_STATUS_STATE_MASK) == NVSOC_NVFB_STATE_FAILED;
}

#endif /* NVSOC_NVLINK_FABRIC_H */
