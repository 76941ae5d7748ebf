// SPDX-License-Identifier: GPL-2.0-only
/*
 * nvsoc GPU accel driver: the platform front end, for a GPU on the native
 * NVLink fabric node (device tree compatible "nvsoc,gpu", a gpu@<slot>
 * child that nvsoc-nvlink-fabric.ko creates; binding in
 * docs/bindings/nvsoc,nvlink-fabric.yaml).
 *
 * The same core as the PCI front end; only finding the device differs:
 *
 *   registers    reg[0], the slot's 16 MiB register window (BAR0's bank)
 *   VRAM         reg[1], the driver's part of the VRAM window, mapped
 *                write-back: the fabric is coherent, so CPU loads and
 *                stores are plain cacheable ones (no write-combining, no
 *                cache maintenance). The rest of the VRAM, above it, is a
 *                memory node of its own ("nvsoc,numa-memory") that the
 *                kernel's page allocator owns as a CPU-less NUMA node: the
 *                driver's VRAM heap stops below it.
 *   interrupts   one wired line (the slot's), carrying every vector
 *   DMA          through the fabric, coherent ("dma-coherent" on the
 *                fabric node, inherited by of_dma_configure at probe); no
 *                IOMMU, no bus limit
 *
 * What the fabric knows (the slot's power state, a link failure) comes from
 * the parent's drvdata, struct nvsoc_nvfb_shared (nvsoc_nvlink_fabric.h):
 * the bus state reads the slot's SLOT_STATUS and the failure bit the
 * fabric's interrupt handler sets, with no symbol shared between the two
 * modules.
 *
 * Runtime PM: the GPU device's runtime PM status is bookkeeping only (it
 * has no callbacks: the slot's links are put to sleep by the fabric's
 * runtime suspend, which runs once every child is idle). A job holds a
 * reference from SUBMIT until it settles (nvsoc_gpu_channel.c), which keeps
 * the fabric, its parent, awake; the last put marks the fabric busy, so the
 * fabric's autosuspend delay counts from the end of the last job.
 *
 * Probe steps (dev_dbg each), unwound in reverse (devres for the bus part):
 *
 *   1  the fabric above, the slot
 *   2  registers (reg[0])
 *   3  IDENT and capabilities
 *   4  DMA masks
 *   5  VRAM window (reg[1]), write-back; the NUMA node above it
 *   6  the wired interrupt
 *   7  runtime PM (suspended, autosuspend)
 *   8  core init
 *   9  NVLink (GPU-GPU ports, as on PCIe)
 *   10 drm_dev_register
 */
#include <linux/bitfield.h>
#include <linux/io.h>
#include <linux/mod_devicetable.h>
#include <linux/module.h>
#include <linux/nodemask.h>
#include <linux/numa.h>
#include <linux/of.h>
#include <linux/platform_device.h>
#include <linux/pm_runtime.h>

#include <drm/drm_accel.h>
#include <drm/drm_drv.h>

#include "nvsoc_gpu_drv.h"
#include "nvsoc_gpu_trace.h"
#include "nvsoc_nvlink_fabric.h"

/* The front end's part of a GPU on the fabric (devres of the platform device). */
struct nvsoc_gpu_plat {
	struct nvsoc_nvfb_shared *fabric;	/* the parent's, valid while bound */
	unsigned int slot;
};

static struct nvsoc_gpu_plat *nvsoc_gpu_plat(struct nvsoc_gpu_device *gdev)
{
	return gdev->bus.priv;
}

/* --- Bus operations for the core ----------------------------------------------- */

/* Never OFFLINE: the fabric has no error recovery to wait for. */
static enum nvsoc_gpu_bus_state nvsoc_gpu_plat_state(struct nvsoc_gpu_device *gdev)
{
	struct nvsoc_gpu_plat *plat = nvsoc_gpu_plat(gdev);

	if (nvsoc_nvfb_slot_failed(plat->fabric, plat->slot))
		return NVSOC_GPU_BUS_GONE;
	return NVSOC_GPU_BUS_OK;
}

static const char *const nvsoc_gpu_c2c_states[] = {
	[NVSOC_NVFB_STATE_L0] = "L0",
	[NVSOC_NVFB_STATE_ENTERING_L2] = "entering L2",
	[NVSOC_NVFB_STATE_L2] = "L2",
	[NVSOC_NVFB_STATE_WAKING] = "waking",
	[NVSOC_NVFB_STATE_FAILED] = "failed",
};

/* "C2C x<links> <GB/s> per direction (why): <state>", logged and traced. */
static void nvsoc_gpu_plat_report_link(struct nvsoc_gpu_device *gdev, const char *why)
{
	struct nvsoc_gpu_plat *plat = nvsoc_gpu_plat(gdev);
	struct device *dev = gdev->bus.dev;
	u32 status = nvsoc_nvfb_slot_rd(plat->fabric, plat->slot, NVSOC_NVFB_SLOT_STATUS);
	u32 mbps = nvsoc_nvfb_slot_rd(plat->fabric, plat->slot, NVSOC_NVFB_SLOT_BANDWIDTH_MBPS);
	u32 state = status & NVSOC_NVFB_SLOT_STATUS_STATE_MASK;
	unsigned int links = FIELD_GET(NVSOC_NVFB_SLOT_STATUS_LINKS_MASK, status);
	const char *name = state < ARRAY_SIZE(nvsoc_gpu_c2c_states) ?
			   nvsoc_gpu_c2c_states[state] : "unknown state";
	char speed[32];

	snprintf(speed, sizeof(speed), "C2C %u.%03u GB/s", mbps / 1000, mbps % 1000);
	dev_info(dev, "C2C x%u %u.%03u GB/s per direction (%s): slot %u %s\n", links,
		 mbps / 1000, mbps % 1000, why, plat->slot, name);
	trace_nvsoc_gpu_link(dev, why, speed, links, speed, gdev->bus.cpu_links);
}

/*
 * Peer access without NVLink: two GPUs on the same fabric node reach each
 * other's VRAM window at its physical address (vram_phys, which the core
 * maps with dma_map_resource: the identity without an IOMMU); the fabric
 * carries it over both slots' C2C links. GPUs on different fabric nodes
 * are not assumed to reach each other.
 */
static int nvsoc_gpu_plat_peer_p2p(struct nvsoc_gpu_device *gdev, struct nvsoc_gpu_device *peer,
				   const char **why)
{
	if (gdev->bus.dev->parent != peer->bus.dev->parent) {
		*why = "no NVLink is up to it, and it is on another NVLink fabric node";
		return -EXDEV;
	}
	return 0;
}

/* Process context: wakes the fabric (and the slot's links) if it sleeps. */
static int nvsoc_gpu_plat_runtime_get(struct nvsoc_gpu_device *gdev)
{
	int ret = pm_runtime_resume_and_get(gdev->bus.dev);

	if (ret)
		dev_err_ratelimited(gdev->bus.dev, "runtime resume failed: %d\n", ret);
	return ret;
}

/*
 * Any context, ch->lock held: both calls are atomic-safe (the suspend is
 * queued to pm_wq). The GPU has no autosuspend delay of its own; the
 * fabric's counts from here.
 */
static void nvsoc_gpu_plat_runtime_put(struct nvsoc_gpu_device *gdev)
{
	struct device *dev = gdev->bus.dev;

	pm_runtime_mark_last_busy(dev->parent);
	pm_runtime_mark_last_busy(dev);
	pm_runtime_put_autosuspend(dev);
}

static const struct nvsoc_gpu_bus_ops nvsoc_gpu_plat_ops = {
	.state = nvsoc_gpu_plat_state,
	.report_link = nvsoc_gpu_plat_report_link,
	.peer_p2p = nvsoc_gpu_plat_peer_p2p,
	.runtime_get = nvsoc_gpu_plat_runtime_get,
	.runtime_put = nvsoc_gpu_plat_runtime_put,
};

/* --- Probe steps --------------------------------------------------------------- */

/* Step 1: the fabric node above and this GPU's slot on it. */
static int nvsoc_gpu_plat_find_slot(struct platform_device *pdev, struct nvsoc_gpu_plat *plat)
{
	struct device *dev = &pdev->dev;
	u32 slot, status;
	int ret;

	plat->fabric = nvsoc_nvfb_shared_of(dev);
	if (!plat->fabric) {
		dev_err(dev, "not below a fabric node bound to %s\n", NVSOC_NVFB_DRIVER_NAME);
		return -ENODEV;
	}
	ret = of_property_read_u32(dev->of_node, "nvsoc,slot", &slot);
	if (ret || slot >= NVSOC_NVFB_MAX_SLOTS) {
		dev_err(dev, "nvsoc,slot is missing or not 0-%u (%d)\n",
			NVSOC_NVFB_MAX_SLOTS - 1, ret);
		return -EINVAL;
	}
	plat->slot = slot;
	status = nvsoc_nvfb_slot_rd(plat->fabric, slot, NVSOC_NVFB_SLOT_STATUS);
	if (!(status & NVSOC_NVFB_SLOT_STATUS_PRESENT)) {
		dev_err(dev, "slot %u holds no GPU (SLOT_STATUS 0x%08x)\n", slot, status);
		return -ENODEV;
	}
	if ((status & NVSOC_NVFB_SLOT_STATUS_STATE_MASK) == NVSOC_NVFB_STATE_FAILED) {
		dev_err(dev, "slot %u: its C2C links have failed\n", slot);
		return -EIO;
	}
	return 0;
}

static u64 nvsoc_gpu_plat_slot_rd64(struct nvsoc_gpu_plat *plat, u32 lo)
{
	return nvsoc_nvfb_slot_rd(plat->fabric, plat->slot, lo) |
	       (u64)nvsoc_nvfb_slot_rd(plat->fabric, plat->slot, lo + 4) << 32;
}

/*
 * The device tree's reg[1] against what the slot says (the driver's part
 * is [VRAM_BASE, VRAM_BASE + VRAM_SIZE - NUMA_SIZE)): a mismatch is a DT
 * or model bug, warned about; the device tree's window is used.
 */
static void nvsoc_gpu_plat_check_window(struct nvsoc_gpu_device *gdev, struct resource *res)
{
	struct nvsoc_gpu_plat *plat = nvsoc_gpu_plat(gdev);
	u64 base = nvsoc_gpu_plat_slot_rd64(plat, NVSOC_NVFB_SLOT_VRAM_BASE_LO);
	u64 size = nvsoc_gpu_plat_slot_rd64(plat, NVSOC_NVFB_SLOT_VRAM_SIZE_LO);
	u64 numa = nvsoc_gpu_plat_slot_rd64(plat, NVSOC_NVFB_SLOT_NUMA_SIZE_LO);

	if (res->start != base || numa > size || resource_size(res) != size - numa ||
	    size != gdev->vram_size)
		dev_warn(gdev->bus.dev, "reg[1] %pR is not the slot's driver window (VRAM 0x%llx + %llu MiB of %llu MiB, NUMA part %llu MiB); using reg[1]\n",
			 res, base, (size - numa) >> 20, size >> 20, numa >> 20);
}

/* Step 5: the driver's part of VRAM, and the NUMA node that holds the rest. */
static int nvsoc_gpu_plat_map_vram(struct platform_device *pdev, struct nvsoc_gpu_device *gdev)
{
	struct device *dev = &pdev->dev;
	struct nvsoc_gpu_bus *bus = &gdev->bus;
	struct device_node *mem;
	struct resource *res;
	u32 nid;

	res = platform_get_resource(pdev, IORESOURCE_MEM, 1);
	if (!res || !resource_size(res) || resource_size(res) > gdev->vram_size) {
		dev_err(dev, "reg[1], the VRAM window, is missing or larger than VRAM (%llu MiB): %pR\n",
			gdev->vram_size >> 20, res);
		return -EINVAL;
	}
	if (!devm_request_mem_region(dev, res->start, resource_size(res), dev_name(dev))) {
		dev_err(dev, "the VRAM window %pR is taken\n", res);
		return -EBUSY;
	}
	bus->vram_cached = devm_memremap(dev, res->start, resource_size(res), MEMREMAP_WB);
	if (IS_ERR(bus->vram_cached)) {
		dev_err(dev, "the VRAM window %pR could not be mapped write-back: %ld\n", res,
			PTR_ERR(bus->vram_cached));
		return PTR_ERR(bus->vram_cached);
	}
	bus->vram_phys = res->start;
	bus->vram_window = resource_size(res);
	bus->vram_heap_size = resource_size(res);
	nvsoc_gpu_plat_check_window(gdev, res);

	/* No phandle: all of VRAM is the driver's window (or unreachable). */
	mem = of_parse_phandle(dev->of_node, "nvsoc,numa-memory", 0);
	if (!mem)
		return 0;
	if (!of_property_read_u32(mem, "numa-node-id", &nid) && nid < MAX_NUMNODES &&
	    node_online(nid))
		bus->mem_node = nid;
	else
		dev_warn(dev, "%pOF: no online NUMA node (numa-node-id missing, or a kernel without NUMA): its VRAM is not the kernel's\n",
			 mem);
	of_node_put(mem);
	return 0;
}

static int nvsoc_gpu_plat_probe(struct platform_device *pdev)
{
	struct device *dev = &pdev->dev;
	struct nvsoc_gpu_device *gdev;
	struct nvsoc_gpu_plat *plat;
	struct nvsoc_gpu_bus *bus;
	struct resource *res;
	char heap[64];
	int irq, ret;

	plat = devm_kzalloc(dev, sizeof(*plat), GFP_KERNEL);
	if (!plat)
		return -ENOMEM;
	/* The drm_device: refcounted, it outlives removal while files are open. */
	gdev = nvsoc_gpu_alloc(dev);
	if (IS_ERR(gdev))
		return PTR_ERR(gdev);
	bus = &gdev->bus;
	bus->dev = dev;
	bus->ops = &nvsoc_gpu_plat_ops;
	bus->priv = plat;
	platform_set_drvdata(pdev, gdev);

	dev_dbg(dev, "probe step 1: the fabric and the slot\n");
	ret = nvsoc_gpu_plat_find_slot(pdev, plat);
	if (ret)
		return ret;
	bus->cpu_links = FIELD_GET(NVSOC_NVFB_SLOT_STATUS_LINKS_MASK,
				   nvsoc_nvfb_slot_rd(plat->fabric, plat->slot,
						      NVSOC_NVFB_SLOT_STATUS));

	dev_dbg(dev, "probe step 2: map the registers\n");
	bus->regs = devm_platform_get_and_ioremap_resource(pdev, 0, &res);
	if (IS_ERR(bus->regs)) {
		dev_err(dev, "reg[0], the register window, could not be mapped: %ld\n",
			PTR_ERR(bus->regs));
		return PTR_ERR(bus->regs);
	}
	if (resource_size(res) < NVSOC_GPU_BAR0_SIZE) {
		dev_err(dev, "reg[0] is not a %u MiB register window: %pR\n",
			NVSOC_GPU_BAR0_SIZE >> 20, res);
		return -EINVAL;
	}
	bus->regs_phys = res->start;

	dev_dbg(dev, "probe step 3: identity and capabilities\n");
	ret = nvsoc_gpu_read_identity(gdev);
	if (ret)
		return ret;

	dev_dbg(dev, "probe step 4: DMA masks for %u address bits\n", gdev->dma_bits_device);
	ret = nvsoc_gpu_set_dma_masks(gdev);
	if (ret)
		return ret;

	dev_dbg(dev, "probe step 5: the VRAM window\n");
	ret = nvsoc_gpu_plat_map_vram(pdev, gdev);
	if (ret)
		return ret;

	dev_dbg(dev, "probe step 6: the wired interrupt\n");
	irq = platform_get_irq(pdev, 0);
	if (irq < 0)
		return irq;
	bus->nr_irqs = 1;
	bus->irqs[0] = irq;
	bus->irq_kind = "wired";
	bus->irq_shared = false;

	/*
	 * Step 7: suspended until a job takes a reference; no delay of its
	 * own (the fabric's autosuspend delay is the one that matters).
	 * devres undoes both (dont_use_autosuspend, then disable).
	 */
	dev_dbg(dev, "probe step 7: runtime PM\n");
	pm_runtime_set_autosuspend_delay(dev, 0);
	pm_runtime_use_autosuspend(dev);
	ret = devm_pm_runtime_enable(dev);
	if (ret)
		return ret;

	dev_dbg(dev, "probe step 8: core init\n");
	ret = nvsoc_gpu_core_init(gdev);
	if (ret)
		return ret;

	dev_dbg(dev, "probe step 9: %u NVLink ports\n", gdev->num_nvlinks);
	ret = nvsoc_gpu_nvlink_init(gdev);
	if (ret) {
		dev_err(dev, "NVLink sysfs could not be created: %d\n", ret);
		goto err_core_fini;
	}

	dev_dbg(dev, "probe step 10: register /dev/accel\n");
	ret = nvsoc_gpu_register(gdev);
	if (ret)
		goto err_nvlink_fini;

	nvsoc_gpu_plat_report_link(gdev, "probe");
	if (bus->mem_node >= 0)
		snprintf(heap, sizeof(heap), "%llu MiB driver heap, the rest NUMA node %d",
			 bus->vram_heap_size >> 20, bus->mem_node);
	else
		snprintf(heap, sizeof(heap), "all of it the driver heap");
	dev_info(dev, "nvsoc GPU %u.%u on fabric slot %u: %u channels, %u copy engines, %llu MiB VRAM (%s), DMA mask %u bits (device %u), wired IRQ %d, accel%d\n",
		 gdev->version >> 16, gdev->version & 0xffff, plat->slot, gdev->num_channels,
		 gdev->num_ces, gdev->vram_size >> 20, heap, gdev->dma_bits,
		 gdev->dma_bits_device, irq, gdev->drm.accel->index);
	return 0;

err_nvlink_fini:
	nvsoc_gpu_nvlink_fini(gdev, true);
err_core_fini:
	nvsoc_gpu_core_fini(gdev);
	return ret;
}

static void nvsoc_gpu_plat_remove(struct platform_device *pdev)
{
	struct nvsoc_gpu_device *gdev = platform_get_drvdata(pdev);

	/* Waiters and submitters leave (their jobs drop their PM references). */
	nvsoc_gpu_stop(gdev, NVSOC_GPU_REMOVED, "removed");
	nvsoc_gpu_unregister(gdev);
	nvsoc_gpu_nvlink_fini(gdev, nvsoc_gpu_plat_state(gdev) == NVSOC_GPU_BUS_OK);
	nvsoc_gpu_core_fini(gdev);
	dev_info(&pdev->dev, "removed%s\n", nvsoc_gpu_plat_state(gdev) == NVSOC_GPU_BUS_OK ?
		 "" : " (its C2C links had failed)");
}

/* Reboot, kexec: no DMA may outlive the kernel that set it up. */
static void nvsoc_gpu_plat_shutdown(struct platform_device *pdev)
{
	struct nvsoc_gpu_device *gdev = platform_get_drvdata(pdev);

	nvsoc_gpu_stop(gdev, NVSOC_GPU_RECOVERING, "shutdown");
	if (nvsoc_gpu_plat_state(gdev) == NVSOC_GPU_BUS_OK) {
		nvsoc_gpu_irq_disable(gdev);
		nvsoc_gpu_wr(gdev, NVSOC_GPU_ENGINE_RESET, 1);
	}
}

static const struct of_device_id nvsoc_gpu_of_ids[] = {
	{ .compatible = NVSOC_NVFB_GPU_COMPATIBLE },
	{ }
};
MODULE_DEVICE_TABLE(of, nvsoc_gpu_of_ids);

static struct platform_driver nvsoc_gpu_platform_driver = {
	.probe = nvsoc_gpu_plat_probe,
	.remove = nvsoc_gpu_plat_remove,
	.shutdown = nvsoc_gpu_plat_shutdown,
	.driver = {
		.name = NVSOC_GPU_DRIVER_NAME,
		.of_match_table = nvsoc_gpu_of_ids,
		.dev_groups = nvsoc_gpu_groups,
	},
};

int nvsoc_gpu_platform_register(void)
{
	return platform_driver_register(&nvsoc_gpu_platform_driver);
}

void nvsoc_gpu_platform_unregister(void)
{
	platform_driver_unregister(&nvsoc_gpu_platform_driver);
}
