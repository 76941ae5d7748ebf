// SPDX-License-Identifier: GPL-2.0-only
/*
 * nvsoc GPU accel driver: the DRM device, the core's life cycle and sysfs.
 *
 * A front end (nvsoc_gpu_pci.c, nvsoc_gpu_platform.c) probes in this order, each step undone in
 * reverse on failure and at removal:
 *
 *   nvsoc_gpu_alloc           the drm_device, refcounted: it outlives
 *                             removal while files are open
 *   (bus) enable, claim and map the registers
 *   nvsoc_gpu_read_identity   IDENT, VERSION and the capabilities
 *   nvsoc_gpu_set_dma_masks   from DMA_BITS and the command formats
 *   (bus) VRAM window, bus mastering, interrupt vectors
 *   nvsoc_gpu_core_init       DMA memory, engine reset, fault buffer, IRQs
 *   nvsoc_gpu_register        /dev/accel/accelN, debugfs
 *
 * Removal: nvsoc_gpu_stop(REMOVED), nvsoc_gpu_unregister, nvsoc_gpu_core_fini,
 * then the bus undoes its part. Error recovery (AER): nvsoc_gpu_stop(
 * RECOVERING), nvsoc_gpu_restart after the reset, nvsoc_gpu_resume.
 */
#include <linux/dma-mapping.h>
#include <linux/module.h>
#include <linux/numa.h>
#include <linux/sysfs.h>

#include <drm/drm_accel.h>
#include <drm/drm_drv.h>
#include <drm/drm_file.h>
#include <drm/drm_gem.h>
#include <drm/drm_ioctl.h>
#include <drm/drm_managed.h>

#include "nvsoc_gpu_accel.h"
#include "nvsoc_gpu_drv.h"

static const char *const nvsoc_gpu_state_names[] = {
	[NVSOC_GPU_RUNNING] = "running",
	[NVSOC_GPU_RECOVERING] = "recovering",
	[NVSOC_GPU_LOST] = "lost",
	[NVSOC_GPU_REMOVED] = "removed",
};

/* --- ioctls ------------------------------------------------------------------ */

static int nvsoc_gpu_ioctl_get_info(struct drm_device *drm, void *data, struct drm_file *file)
{
	struct nvsoc_gpu_device *gdev = to_nvsoc_gpu(drm);
	struct drm_nvsoc_gpu_get_info *args = data;

	args->version = gdev->version;
	args->classes = gdev->classes;
	args->num_channels = gdev->num_channels;
	args->num_ces = gdev->num_ces;
	args->vram_size = gdev->vram_size;
	mutex_lock(&gdev->vram_lock);
	args->vram_used = gdev->vram_used;
	mutex_unlock(&gdev->vram_lock);
	args->vram_cpu_visible = gdev->bus.vram_window;
	args->dma_bits = gdev->dma_bits;
	args->irq_vectors = gdev->bus.nr_irqs;
	args->copy_subchannel = NVSOC_GPU_COPY_SUBCH;
	args->max_push_dwords = NVSOC_GPU_MAX_PUSH_DWORDS;
	args->max_relocs = NVSOC_GPU_MAX_RELOCS;
	args->pushbuf_bytes = gdev->channels[0].pushbuf_size;
	return 0;
}

static const struct drm_ioctl_desc nvsoc_gpu_ioctls[] = {
	DRM_IOCTL_DEF_DRV(NVSOC_GPU_GET_INFO, nvsoc_gpu_ioctl_get_info, 0),
	DRM_IOCTL_DEF_DRV(NVSOC_GPU_BO_CREATE, nvsoc_gpu_ioctl_bo_create, 0),
	DRM_IOCTL_DEF_DRV(NVSOC_GPU_BO_USERPTR, nvsoc_gpu_ioctl_bo_userptr, 0),
	DRM_IOCTL_DEF_DRV(NVSOC_GPU_BO_MMAP_OFFSET, nvsoc_gpu_ioctl_bo_mmap_offset, 0),
	DRM_IOCTL_DEF_DRV(NVSOC_GPU_CHANNEL_CREATE, nvsoc_gpu_ioctl_channel_create, 0),
	DRM_IOCTL_DEF_DRV(NVSOC_GPU_CHANNEL_DESTROY, nvsoc_gpu_ioctl_channel_destroy, 0),
	DRM_IOCTL_DEF_DRV(NVSOC_GPU_SUBMIT, nvsoc_gpu_ioctl_submit, 0),
	DRM_IOCTL_DEF_DRV(NVSOC_GPU_WAIT, nvsoc_gpu_ioctl_wait, 0),
	DRM_IOCTL_DEF_DRV(NVSOC_GPU_USERMODE, nvsoc_gpu_ioctl_usermode, 0),
	DRM_IOCTL_DEF_DRV(NVSOC_GPU_PEER_INFO, nvsoc_gpu_ioctl_peer_info, 0),
	DRM_IOCTL_DEF_DRV(NVSOC_GPU_BO_PEER, nvsoc_gpu_ioctl_bo_peer, 0),
};

static void nvsoc_gpu_postclose(struct drm_device *drm, struct drm_file *file)
{
	nvsoc_gpu_file_close(to_nvsoc_gpu(drm), file);
}

DEFINE_DRM_ACCEL_FOPS(nvsoc_gpu_fops);

/* The GPU whose accel node @filp is open on, or NULL for any other file. */
struct nvsoc_gpu_device *nvsoc_gpu_from_file(struct file *filp)
{
	struct drm_file *file;

	if (filp->f_op != &nvsoc_gpu_fops)
		return NULL;
	file = filp->private_data;
	return to_nvsoc_gpu(file->minor->dev);
}

static const struct drm_driver nvsoc_gpu_drm_driver = {
	.driver_features = DRIVER_GEM | DRIVER_COMPUTE_ACCEL,
	.postclose = nvsoc_gpu_postclose,
	.ioctls = nvsoc_gpu_ioctls,
	.num_ioctls = ARRAY_SIZE(nvsoc_gpu_ioctls),
	.fops = &nvsoc_gpu_fops,
	.name = NVSOC_GPU_DRIVER_NAME,
	.desc = "nvsoc GPU DMA endpoint",
	.major = 1,
	.minor = 0,
};

/* --- Probe steps ----------------------------------------------------------------- */

struct nvsoc_gpu_device *nvsoc_gpu_alloc(struct device *parent)
{
	struct nvsoc_gpu_device *gdev;
	int ret;

	gdev = devm_drm_dev_alloc(parent, &nvsoc_gpu_drm_driver, struct nvsoc_gpu_device, drm);
	if (IS_ERR(gdev))
		return gdev;
	ret = drmm_mutex_init(&gdev->drm, &gdev->state_lock);
	if (!ret)
		ret = drmm_mutex_init(&gdev->drm, &gdev->vram_lock);
	if (!ret)
		ret = drmm_mutex_init(&gdev->drm, &gdev->bo_lock);
	if (!ret)
		ret = drmm_mutex_init(&gdev->drm, &gdev->fault_lock);
	if (ret)
		return ERR_PTR(ret);
	gdev->state = NVSOC_GPU_RUNNING;
	gdev->bus.mem_node = NUMA_NO_NODE;
	return gdev;
}

/* IDENT first: all-ones means nothing answers at BAR0. */
int nvsoc_gpu_read_identity(struct nvsoc_gpu_device *gdev)
{
	struct device *dev = gdev->bus.dev;
	u32 ident = nvsoc_gpu_rd(gdev, NVSOC_GPU_IDENT);

	if (ident != NVSOC_GPU_IDENT_VALUE) {
		dev_err(dev, "IDENT reads 0x%08x, not 0x%08x (\"NVGP\")%s\n", ident,
			NVSOC_GPU_IDENT_VALUE,
			ident == ~0u ? ": nothing answers at BAR0" : "");
		return -ENODEV;
	}
	gdev->version = nvsoc_gpu_rd(gdev, NVSOC_GPU_VERSION);
	if (gdev->version >> 16 != NVSOC_GPU_VERSION_VALUE >> 16) {
		dev_err(dev, "register interface %u.%u; this driver knows %u.x\n",
			gdev->version >> 16, gdev->version & 0xffff, NVSOC_GPU_VERSION_VALUE >> 16);
		return -ENODEV;
	}
	gdev->num_channels = nvsoc_gpu_rd(gdev, NVSOC_GPU_NUM_CHANNELS);
	gdev->num_ces = nvsoc_gpu_rd(gdev, NVSOC_GPU_NUM_CES);
	gdev->vram_size = nvsoc_gpu_rd(gdev, NVSOC_GPU_VRAM_SIZE_LO) |
			  (u64)nvsoc_gpu_rd(gdev, NVSOC_GPU_VRAM_SIZE_HI) << 32;
	gdev->dma_bits_device = nvsoc_gpu_rd(gdev, NVSOC_GPU_DMA_BITS);
	gdev->num_nvlinks = min_t(u32, nvsoc_gpu_rd(gdev, NVSOC_GPU_NUM_NVLINKS),
				  NVSOC_GPU_MAX_NVLINKS);
	gdev->nvlink_id = nvsoc_gpu_rd(gdev, NVSOC_GPU_NVLINK_ID);
	gdev->classes = nvsoc_gpu_rd(gdev, NVSOC_GPU_CLASSES);
	if (!gdev->num_channels || gdev->num_channels > NVSOC_GPU_MAX_CHANNELS ||
	    !gdev->num_ces || gdev->num_ces > NVSOC_GPU_MAX_CES ||
	    gdev->dma_bits_device < 32 || gdev->dma_bits_device > 64) {
		dev_err(dev, "capabilities out of range: %u channels, %u copy engines, %u DMA bits\n",
			gdev->num_channels, gdev->num_ces, gdev->dma_bits_device);
		return -ENODEV;
	}
	if ((gdev->classes & 0xffff) != NVSOC_GPU_HOST_CLASS ||
	    gdev->classes >> 16 != NVSOC_GPU_COPY_CLASS) {
		dev_err(dev, "classes 0x%08x: not host 0x%x and copy 0x%x\n", gdev->classes,
			NVSOC_GPU_HOST_CLASS, NVSOC_GPU_COPY_CLASS);
		return -ENODEV;
	}
	dev_dbg(dev, "identity: version %u.%u, %u channels, %u copy engines, %llu MiB VRAM, %u DMA bits\n",
		gdev->version >> 16, gdev->version & 0xffff, gdev->num_channels, gdev->num_ces,
		gdev->vram_size >> 20, gdev->dma_bits_device);
	return 0;
}

static bool dma_ignore_bus_limit;
module_param(dma_ignore_bus_limit, bool, 0444);
MODULE_PARM_DESC(dma_ignore_bus_limit,
		 "Debug: keep the device's DMA mask even when the bus (an NVLink-PCIe bridge's inbound window) limits DMA to fewer bits (default: off)");

/*
 * The streaming mask: what the device drives (DMA_BITS); a copy engine's
 * OFFSET_*_UPPER carry all 64 bits. The coherent mask,
 * which the kernel's rings, pushbuffers and semaphores come from, no more
 * than a GP entry or a host semaphore carries (40 bits). If the platform
 * refuses the mask, 32 bits always work: memory above them then goes
 * through swiotlb's bounce buffers.
 *
 * A bus that reaches fewer address bits than the device drives (an
 * NVLink-PCIe bridge's inbound window sets dev->bus_dma_limit) refuses
 * the wider mask: the driver takes the bus's width instead and says so.
 * dma-direct would honour the limit anyway, but the driver's own mask,
 * which sysfs shows and the DMA API checks, then tells the truth.
 * dma_ignore_bus_limit keeps the wide mask and also lifts the limit from
 * the DMA API (dma-direct bounces what lies beyond bus_dma_limit whatever
 * the mask), so that the device is handed addresses beyond the window: the
 * bridge's Unsupported Request test. The limit comes back when the driver
 * unbinds (devres).
 */
static void nvsoc_gpu_restore_bus_limit(void *arg)
{
	struct nvsoc_gpu_device *gdev = arg;

	gdev->bus.dev->bus_dma_limit = gdev->bus_dma_limit_lifted;
}

int nvsoc_gpu_set_dma_masks(struct nvsoc_gpu_device *gdev)
{
	struct device *dev = gdev->bus.dev;
	u32 bits = min_t(u32, gdev->dma_bits_device, NVSOC_GPU_CE_ADDR_BITS);
	u64 required;
	int ret;

	if (dev->bus_dma_limit && dev->bus_dma_limit < DMA_BIT_MASK(bits)) {
		/* The widest mask within the limit (a 2^n - 1 limit gives n). */
		u32 limit = fls64(dev->bus_dma_limit + 1) - 1;

		if (dma_ignore_bus_limit) {
			dev_warn(dev, "DMA: the bus limits DMA to %u bits; keeping the %u-bit mask and lifting the limit (dma_ignore_bus_limit)\n",
				 limit, bits);
			gdev->bus_dma_limit_lifted = dev->bus_dma_limit;
			dev->bus_dma_limit = 0;
			ret = devm_add_action_or_reset(dev, nvsoc_gpu_restore_bus_limit, gdev);
			if (ret)
				return ret;
		} else {
			dev_warn(dev, "DMA: %u-bit mask refused by the bus (limit %u bits): using %u\n",
				 bits, limit, limit);
			bits = limit;
		}
	}
	ret = dma_set_mask_and_coherent(dev, DMA_BIT_MASK(bits));
	if (ret) {
		dev_warn(dev, "DMA: a %u-bit mask is refused (%d); falling back to 32 bits\n",
			 bits, ret);
		bits = 32;
		ret = dma_set_mask_and_coherent(dev, DMA_BIT_MASK(32));
		if (ret) {
			dev_err(dev, "DMA: not even a 32-bit mask is possible: %d\n", ret);
			return ret;
		}
	}
	gdev->dma_bits = bits;
	gdev->dma_bits_coherent = min_t(u32, bits, NVSOC_GPU_HOST_ADDR_BITS);
	if (gdev->dma_bits_coherent < bits) {
		ret = dma_set_coherent_mask(dev, DMA_BIT_MASK(gdev->dma_bits_coherent));
		if (ret) {
			dev_err(dev, "DMA: %u-bit coherent mask refused: %d\n",
				gdev->dma_bits_coherent, ret);
			return ret;
		}
	}
	/* The device takes any segment length; the driver splits copies. */
	dma_set_max_seg_size(dev, UINT_MAX);
	required = dma_get_required_mask(dev);
	if (required > DMA_BIT_MASK(bits))
		dev_warn(dev, "DMA: memory reaches %u address bits, the device %u: buffers above go through swiotlb bounce buffers\n",
			 fls64(required), bits);
	dev_dbg(dev, "DMA masks: %u bits streaming, %u coherent (the device drives %u)\n",
		bits, gdev->dma_bits_coherent, gdev->dma_bits_device);
	return 0;
}

/* The engines from reset: ENGINE_RESET, the fault buffer, status cleared. */
void nvsoc_gpu_hw_init(struct nvsoc_gpu_device *gdev)
{
	nvsoc_gpu_wr(gdev, NVSOC_GPU_ENGINE_RESET, 1);
	nvsoc_gpu_rd(gdev, NVSOC_GPU_IDENT);
	nvsoc_gpu_fault_buf_setup(gdev);
	nvsoc_gpu_wr(gdev, NVSOC_GPU_NONSTALL_PENDING_LO, ~0u);
	nvsoc_gpu_wr(gdev, NVSOC_GPU_NONSTALL_PENDING_HI, ~0u);
	nvsoc_gpu_wr(gdev, NVSOC_GPU_CHANNEL_ERROR_LO, ~0u);
	nvsoc_gpu_wr(gdev, NVSOC_GPU_CHANNEL_ERROR_HI, ~0u);
	nvsoc_gpu_wr(gdev, NVSOC_GPU_ECC_STATUS, ~0u);
	nvsoc_gpu_nvlink_hw_init(gdev);
	nvsoc_gpu_peers_hw_init(gdev);
}

int nvsoc_gpu_core_init(struct nvsoc_gpu_device *gdev)
{
	struct device *dev = gdev->bus.dev;
	int ret;

	dev_dbg(dev, "core step 1: VRAM allocator over %llu MiB\n", gdev->vram_size >> 20);
	ret = nvsoc_gpu_bo_vram_init(gdev);
	if (ret)
		return ret;

	dev_dbg(dev, "core step 2: DMA memory for the fault buffer and the semaphore page\n");
	gdev->fault_buf = dma_alloc_attrs(dev, NVSOC_GPU_FAULT_BUF_BYTES, &gdev->fault_buf_dma,
					  GFP_KERNEL, 0);
	if (!gdev->fault_buf) {
		dev_err(dev, "no DMA memory for the fault buffer\n");
		return -ENOMEM;
	}
	gdev->sem = dma_alloc_attrs(dev, PAGE_SIZE, &gdev->sem_dma, GFP_KERNEL, 0);
	if (!gdev->sem) {
		dev_err(dev, "no DMA memory for the semaphore page\n");
		ret = -ENOMEM;
		goto err_free_fault_buf;
	}

	dev_dbg(dev, "core step 3: channel rings and pushbuffers\n");
	ret = nvsoc_gpu_channels_init(gdev);
	if (ret)
		goto err_free_sem;

	dev_dbg(dev, "core step 4: engine reset, fault buffer at %pad\n", &gdev->fault_buf_dma);
	nvsoc_gpu_hw_init(gdev);

	dev_dbg(dev, "core step 5: %u interrupt vectors (%s)\n", gdev->bus.nr_irqs,
		gdev->bus.irq_kind);
	ret = nvsoc_gpu_irq_init(gdev);
	if (ret)
		goto err_channels;
	nvsoc_gpu_irq_enable(gdev);
	return 0;

err_channels:
	nvsoc_gpu_channels_fini(gdev);
err_free_sem:
	dma_free_attrs(dev, PAGE_SIZE, gdev->sem, gdev->sem_dma, 0);
	gdev->sem = NULL;
err_free_fault_buf:
	dma_free_attrs(dev, NVSOC_GPU_FAULT_BUF_BYTES, gdev->fault_buf,
		       gdev->fault_buf_dma, 0);
	gdev->fault_buf = NULL;
	return ret;
}

/* Can the registers be touched? (No sleeping; no logging.) */
static bool nvsoc_gpu_reachable(struct nvsoc_gpu_device *gdev)
{
	return gdev->bus.ops->state(gdev) == NVSOC_GPU_BUS_OK &&
	       nvsoc_gpu_rd(gdev, NVSOC_GPU_IDENT) == NVSOC_GPU_IDENT_VALUE;
}

/* Everything the device could touch stops before its memory is freed. */
void nvsoc_gpu_core_fini(struct nvsoc_gpu_device *gdev)
{
	struct device *dev = gdev->bus.dev;
	unsigned int c;

	if (nvsoc_gpu_reachable(gdev)) {
		nvsoc_gpu_irq_disable(gdev);
		nvsoc_gpu_wr(gdev, NVSOC_GPU_ENGINE_RESET, 1);
		nvsoc_gpu_rd(gdev, NVSOC_GPU_IDENT);
	}
	nvsoc_gpu_irq_fini(gdev);
	for (c = 0; c < gdev->num_channels; c++) {
		struct nvsoc_gpu_channel *ch = &gdev->channels[c];
		LIST_HEAD(to_free);

		mutex_lock(&ch->lock);
		nvsoc_gpu_channel_fail_jobs(ch, true, &to_free);
		mutex_unlock(&ch->lock);
		wake_up_all(&ch->wq);
		nvsoc_gpu_jobs_free(&to_free);
	}
	nvsoc_gpu_channels_fini(gdev);
	dma_free_attrs(dev, PAGE_SIZE, gdev->sem, gdev->sem_dma, 0);
	dma_free_attrs(dev, NVSOC_GPU_FAULT_BUF_BYTES, gdev->fault_buf,
		       gdev->fault_buf_dma, 0);
}

int nvsoc_gpu_register(struct nvsoc_gpu_device *gdev)
{
	int ret;

	nvsoc_gpu_debugfs_init(gdev);
	nvsoc_gpu_peers_init(gdev);
	ret = drm_dev_register(&gdev->drm, 0);
	if (ret) {
		dev_err(gdev->bus.dev, "drm_dev_register failed: %d\n", ret);
		nvsoc_gpu_peers_fini(gdev);
	}
	return ret;
}

/*
 * After this no ioctl, mmap or debugfs read is inside the driver
 * (drm_dev_unplug waits for every drm_dev_enter section), and user
 * mappings of registers and VRAM are gone; open files keep the drm_device.
 */
void nvsoc_gpu_unregister(struct nvsoc_gpu_device *gdev)
{
	drm_dev_unplug(&gdev->drm);
	unmap_mapping_range(gdev->drm.anon_inode->i_mapping, 0, 0, 1);
	nvsoc_gpu_peers_fini(gdev);
}

/* --- Stopping and restarting ------------------------------------------------------ */

/*
 * Leaves RUNNING: new work is refused, every outstanding job fails with
 * -EIO and its waiters wake. Jobs keep their BOs until the engines are
 * reset (nvsoc_gpu_restart) or the device is removed: the device may
 * still be reading them.
 */
void nvsoc_gpu_stop(struct nvsoc_gpu_device *gdev, enum nvsoc_gpu_state state, const char *why)
{
	enum nvsoc_gpu_state old;
	unsigned int c;

	mutex_lock(&gdev->state_lock);
	old = gdev->state;
	if (old != NVSOC_GPU_REMOVED)
		WRITE_ONCE(gdev->state, state);
	mutex_unlock(&gdev->state_lock);
	if (old == NVSOC_GPU_REMOVED)
		return;
	if (old != state)
		dev_dbg(gdev->bus.dev, "state %s -> %s: %s\n", nvsoc_gpu_state_names[old],
			nvsoc_gpu_state_names[state], why);
	for (c = 0; c < gdev->num_channels; c++) {
		struct nvsoc_gpu_channel *ch = &gdev->channels[c];

		mutex_lock(&ch->lock);
		nvsoc_gpu_channel_fail_jobs(ch, false, NULL);
		mutex_unlock(&ch->lock);
		wake_up_all(&ch->wq);
	}
}

/* After a reset of the device: engines, fault buffer, interrupts, channels. */
int nvsoc_gpu_restart(struct nvsoc_gpu_device *gdev)
{
	struct device *dev = gdev->bus.dev;
	unsigned int c;
	u32 ident;

	mutex_lock(&gdev->state_lock);
	if (gdev->state == NVSOC_GPU_REMOVED) {
		mutex_unlock(&gdev->state_lock);
		return -ENODEV;
	}
	ident = nvsoc_gpu_rd(gdev, NVSOC_GPU_IDENT);
	if (ident != NVSOC_GPU_IDENT_VALUE) {
		mutex_unlock(&gdev->state_lock);
		dev_err(dev, "after the reset IDENT reads 0x%08x: the device did not come back\n",
			ident);
		return -EIO;
	}
	nvsoc_gpu_hw_init(gdev);
	for (c = 0; c < gdev->num_channels; c++) {
		struct nvsoc_gpu_channel *ch = &gdev->channels[c];
		LIST_HEAD(to_free);

		mutex_lock(&ch->lock);
		nvsoc_gpu_channel_fail_jobs(ch, true, &to_free);
		if (ch->owner)
			nvsoc_gpu_channel_hw_setup(ch);
		mutex_unlock(&ch->lock);
		nvsoc_gpu_jobs_free(&to_free);
	}
	nvsoc_gpu_irq_enable(gdev);
	gdev->lost_reported = false;
	mutex_unlock(&gdev->state_lock);
	return 0;
}

void nvsoc_gpu_resume(struct nvsoc_gpu_device *gdev)
{
	mutex_lock(&gdev->state_lock);
	if (gdev->state != NVSOC_GPU_REMOVED)
		WRITE_ONCE(gdev->state, NVSOC_GPU_RUNNING);
	mutex_unlock(&gdev->state_lock);
}

/*
 * Is the device still there? All-ones from IDENT while the bus claims all
 * is well is a device that has fallen off the bus (Xid 79): stop, once,
 * and leave the rest to error recovery or removal. A bus that says it is
 * offline is recovering; not this function's business.
 */
bool nvsoc_gpu_check_alive(struct nvsoc_gpu_device *gdev)
{
	enum nvsoc_gpu_bus_state bus = gdev->bus.ops->state(gdev);
	bool report = false;
	u32 ident;

	if (bus == NVSOC_GPU_BUS_OFFLINE)
		return false;
	ident = bus == NVSOC_GPU_BUS_OK ? nvsoc_gpu_rd(gdev, NVSOC_GPU_IDENT) : ~0u;
	if (ident == NVSOC_GPU_IDENT_VALUE)
		return true;
	mutex_lock(&gdev->state_lock);
	if (!gdev->lost_reported && gdev->state != NVSOC_GPU_REMOVED) {
		gdev->lost_reported = true;
		report = true;
	}
	mutex_unlock(&gdev->state_lock);
	if (report) {
		dev_err(gdev->bus.dev, "Xid %u: GPU has fallen off the bus (IDENT reads 0x%08x%s)\n",
			NVSOC_GPU_XID_FALLEN_OFF_BUS, ident,
			bus == NVSOC_GPU_BUS_GONE ? ", link gone" : "");
		nvsoc_gpu_stop(gdev, NVSOC_GPU_LOST, "fallen off the bus");
	}
	return false;
}

/* --- sysfs: <device>/nvsoc_gpu/ (ABI in sysfs-driver-nvsoc-gpu) ---------------------- */

static struct nvsoc_gpu_device *nvsoc_gpu_from_dev(struct device *dev)
{
	return dev_get_drvdata(dev);
}

static ssize_t dma_mask_bits_show(struct device *dev, struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%u\n", nvsoc_gpu_from_dev(dev)->dma_bits);
}
static DEVICE_ATTR_RO(dma_mask_bits);

static ssize_t dma_coherent_bits_show(struct device *dev, struct device_attribute *attr,
				      char *buf)
{
	return sysfs_emit(buf, "%u\n", nvsoc_gpu_from_dev(dev)->dma_bits_coherent);
}
static DEVICE_ATTR_RO(dma_coherent_bits);

static ssize_t channels_show(struct device *dev, struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%u\n", nvsoc_gpu_from_dev(dev)->num_channels);
}
static DEVICE_ATTR_RO(channels);

static ssize_t engines_show(struct device *dev, struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%u\n", nvsoc_gpu_from_dev(dev)->num_ces);
}
static DEVICE_ATTR_RO(engines);

static ssize_t vram_size_show(struct device *dev, struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%llu\n", nvsoc_gpu_from_dev(dev)->vram_size);
}
static DEVICE_ATTR_RO(vram_size);

static ssize_t vram_used_show(struct device *dev, struct device_attribute *attr, char *buf)
{
	struct nvsoc_gpu_device *gdev = nvsoc_gpu_from_dev(dev);
	u64 used;

	mutex_lock(&gdev->vram_lock);
	used = gdev->vram_used;
	mutex_unlock(&gdev->vram_lock);
	return sysfs_emit(buf, "%llu\n", used);
}
static DEVICE_ATTR_RO(vram_used);

static ssize_t vram_cpu_visible_show(struct device *dev, struct device_attribute *attr,
				     char *buf)
{
	return sysfs_emit(buf, "%llu\n", (u64)nvsoc_gpu_from_dev(dev)->bus.vram_window);
}
static DEVICE_ATTR_RO(vram_cpu_visible);

static ssize_t interrupts_show(struct device *dev, struct device_attribute *attr, char *buf)
{
	struct nvsoc_gpu_device *gdev = nvsoc_gpu_from_dev(dev);

	return sysfs_emit(buf, "%s %u\n", gdev->bus.irq_kind, gdev->bus.nr_irqs);
}
static DEVICE_ATTR_RO(interrupts);

static ssize_t state_show(struct device *dev, struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%s\n",
			  nvsoc_gpu_state_names[READ_ONCE(nvsoc_gpu_from_dev(dev)->state)]);
}
static DEVICE_ATTR_RO(state);

static ssize_t mem_numa_node_show(struct device *dev, struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%d\n", nvsoc_gpu_from_dev(dev)->bus.mem_node);
}
static DEVICE_ATTR_RO(mem_numa_node);

static ssize_t cpu_link_show(struct device *dev, struct device_attribute *attr, char *buf)
{
	unsigned int links = nvsoc_gpu_from_dev(dev)->bus.cpu_links;

	if (!links)
		return sysfs_emit(buf, "PCIe\n");
	return sysfs_emit(buf, "C2C %u\n", links);
}
static DEVICE_ATTR_RO(cpu_link);

static struct attribute *nvsoc_gpu_attrs[] = {
	&dev_attr_dma_mask_bits.attr,
	&dev_attr_dma_coherent_bits.attr,
	&dev_attr_channels.attr,
	&dev_attr_engines.attr,
	&dev_attr_vram_size.attr,
	&dev_attr_vram_used.attr,
	&dev_attr_vram_cpu_visible.attr,
	&dev_attr_interrupts.attr,
	&dev_attr_state.attr,
	&dev_attr_mem_numa_node.attr,
	&dev_attr_cpu_link.attr,
	NULL
};

/* A named group: the PCI core already has a dma_mask_bits of its own. */
static const struct attribute_group nvsoc_gpu_attr_group = {
	.name = "nvsoc_gpu",
	.attrs = nvsoc_gpu_attrs,
};

/*
 * For a front end's dev_groups (a pci_driver's own field: the PCI core
 * copies it over driver.dev_groups; a platform_driver's driver.dev_groups):
 * made after probe, gone before remove.
 */
const struct attribute_group *nvsoc_gpu_groups[] = {
	&nvsoc_gpu_attr_group,
	NULL
};

/* --- Module ------------------------------------------------------------------------- */

/* One core, two front ends: a PCIe endpoint and a GPU on the fabric node. */
static int __init nvsoc_gpu_init(void)
{
	int ret;

	ret = nvsoc_gpu_pci_register();
	if (ret)
		return ret;
	ret = nvsoc_gpu_platform_register();
	if (ret) {
		/* As nvsoc_gpu_exit, for the PCI GPUs bound meanwhile. */
		nvsoc_gpu_pci_unregister();
		nvsoc_gpu_nvlink_exit();
		nvsoc_gpu_peer_exit();
	}
	return ret;
}
module_init(nvsoc_gpu_init);

static void __exit nvsoc_gpu_exit(void)
{
	nvsoc_gpu_platform_unregister();
	nvsoc_gpu_pci_unregister();
	/* The training work can queue the peer work: it stops first. */
	nvsoc_gpu_nvlink_exit();
	nvsoc_gpu_peer_exit();
}
module_exit(nvsoc_gpu_exit);

MODULE_DESCRIPTION("nvsoc GPU DMA endpoint: DRM accel driver");
MODULE_LICENSE("GPL");
