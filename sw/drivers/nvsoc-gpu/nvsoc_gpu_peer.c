// SPDX-License-Identifier: GPL-2.0-only
/*
 * nvsoc GPU accel driver: peer access, one GPU's copy engines reaching
 * another GPU's VRAM through the PEER aperture and the peer table
 * (docs/nvlink.md, "Peer access").
 *
 * User space imports a peer's VRAM BO with BO_PEER. While any such BO
 * exists, the importing GPU holds a peer table slot for the peer GPU (8
 * slots), and the validator writes the slot into every PHYS_MODE PEER of
 * a copy that names the BO.
 *
 * The path of a slot, chosen when it is taken and reviewed on every link
 * change:
 *
 *   NVLink  a port leads to the peer and is up (HS, or RECOVERY, which the
 *           link leaves by itself): directly, or to an NVSwitch when the
 *           fabric manager has marked both GPUs' fabric ready;
 *   PCIe    else peer-to-peer to the peer's BAR1 through the root complex,
 *           when the front end allows it (the same host bridge), the
 *           peer's BAR1 covers its VRAM and peer_pcie is on;
 *   none    else. BO_PEER is refused with -EHOSTUNREACH and the reason
 *           logged; a held slot whose last path went is invalidated, and
 *           copies over it fault (UNSUPPORTED_APERTURE).
 *
 * The NVLink code calls nvsoc_gpu_peers_changed() when a port comes up or
 * goes down and when the fabric state changes; a work item then reviews
 * every held slot and reprograms those whose path changed, with a log
 * line. So when the last link to a peer fails (Xid 74) its copies go over
 * PCIe until retraining brings a link back, then over NVLink again.
 *
 * Locking: nvsoc_gpu_peer_lock (a mutex) protects every GPU's peers[],
 * peer_node and peer_listed. It is taken after a device's state_lock
 * (nvsoc_gpu_restart reprograms the table) and before
 * nvsoc_gpu_nvlink_lock (which nvsoc_gpu_nvlink_links_to takes).
 */
#include <linux/dma-mapping.h>
#include <linux/file.h>
#include <linux/module.h>
#include <linux/seq_file.h>
#include <linux/workqueue.h>

#include <drm/drm_debugfs.h>
#include <drm/drm_drv.h>
#include <drm/drm_file.h>
#include <drm/drm_gem.h>

#include "nvsoc_gpu_accel.h"
#include "nvsoc_gpu_drv.h"

static DEFINE_MUTEX(nvsoc_gpu_peer_lock);
static LIST_HEAD(nvsoc_gpu_peer_devs);

static void nvsoc_gpu_peer_review(struct work_struct *work);
static DECLARE_WORK(nvsoc_gpu_peer_work, nvsoc_gpu_peer_review);

static bool peer_pcie = true;

/* A change at run time applies to held slots too: they are reviewed. */
static int nvsoc_gpu_peer_pcie_set(const char *val, const struct kernel_param *kp)
{
	int ret = param_set_bool(val, kp);

	/* Not while loading: the work must not outlive a failed load. */
	if (!ret && THIS_MODULE->state == MODULE_STATE_LIVE)
		nvsoc_gpu_peers_changed();
	return ret;
}

static const struct kernel_param_ops nvsoc_gpu_peer_pcie_ops = {
	.set = nvsoc_gpu_peer_pcie_set,
	.get = param_get_bool,
};
module_param_cb(peer_pcie, &nvsoc_gpu_peer_pcie_ops, &peer_pcie, 0644);
MODULE_PARM_DESC(peer_pcie,
		 "Allow peer access over PCIe peer-to-peer when no NVLink reaches the peer (default: on)");

static const char *nvsoc_gpu_path_name(u32 path)
{
	switch (path) {
	case NVSOC_GPU_PEER_NVLINK:
		return "NVLink";
	case NVSOC_GPU_PEER_PCIE:
		return "PCIe";
	}
	return "none";
}

/*
 * How @gdev reaches @peer now, and over how many links; *why says what
 * stands in the way when the answer is none.
 */
static u32 nvsoc_gpu_peer_path(struct nvsoc_gpu_device *gdev, struct nvsoc_gpu_device *peer,
			       u32 *nvlinks, const char **why)
{
	const struct nvsoc_gpu_bus_ops *ops = gdev->bus.ops;

	lockdep_assert_held(&nvsoc_gpu_peer_lock);
	*nvlinks = 0;
	if (!peer->peer_listed) {
		*why = "it is gone";
		return NVSOC_GPU_PEER_NONE;
	}
	*nvlinks = nvsoc_gpu_nvlink_links_to(gdev, peer);
	if (*nvlinks)
		return NVSOC_GPU_PEER_NVLINK;
	if (!peer_pcie)
		*why = "no NVLink is up to it, and peer_pcie=0 forbids PCIe peer-to-peer";
	else if (!ops->peer_p2p || ops != peer->bus.ops)
		*why = "no NVLink is up to it, and the two are not on one PCIe hierarchy";
	else if (peer->bus.vram_window < nvsoc_gpu_vram_heap_size(peer))
		*why = "no NVLink is up to it, and its BAR1 does not cover its VRAM";
	else if (ops->peer_p2p(gdev, peer, why) == 0)
		return NVSOC_GPU_PEER_PCIE;
	return NVSOC_GPU_PEER_NONE;
}

/* The peer's BAR1 as @gdev's DMA addresses it (through any IOMMU). */
static int nvsoc_gpu_peer_map_bar1(struct nvsoc_gpu_device *gdev,
				   struct nvsoc_gpu_peer_slot *slot)
{
	struct nvsoc_gpu_device *peer = slot->peer;
	dma_addr_t addr;

	if (slot->bar1_mapped)
		return 0;
	addr = dma_map_resource(gdev->bus.dev, peer->bus.vram_phys, peer->bus.vram_window,
				DMA_BIDIRECTIONAL, 0);
	if (dma_mapping_error(gdev->bus.dev, addr))
		return -EIO;
	slot->bar1 = addr;
	slot->bar1_mapped = true;
	return 0;
}

static void nvsoc_gpu_peer_unmap_bar1(struct nvsoc_gpu_device *gdev,
				      struct nvsoc_gpu_peer_slot *slot)
{
	if (!slot->bar1_mapped)
		return;
	dma_unmap_resource(gdev->bus.dev, slot->bar1, slot->peer->bus.vram_window,
			   DMA_BIDIRECTIONAL, 0);
	slot->bar1_mapped = false;
}

/*
 * Writes slot i's entry from what the slot holds: invalid first, so the
 * engines never use a half-written entry.
 */
static void nvsoc_gpu_peer_program(struct nvsoc_gpu_device *gdev, unsigned int i)
{
	struct nvsoc_gpu_peer_slot *slot = &gdev->peers[i];
	u32 ctrl = 0, target = 0;
	u64 base = 0;
	int idx;

	lockdep_assert_held(&nvsoc_gpu_peer_lock);
	if (slot->peer && slot->path == NVSOC_GPU_PEER_PCIE &&
	    nvsoc_gpu_peer_map_bar1(gdev, slot)) {
		dev_err(gdev->bus.dev, "peer %s: its BAR1 cannot be mapped for DMA: no path\n",
			dev_name(slot->peer->bus.dev));
		slot->path = NVSOC_GPU_PEER_NONE;
	}
	if (slot->peer && slot->path == NVSOC_GPU_PEER_NVLINK) {
		ctrl = NVSOC_GPU_PEER_CTRL_VALID |
		       NVSOC_GPU_PEER_PATH_NVLINK << NVSOC_GPU_PEER_CTRL_PATH_SHIFT;
		target = slot->peer->nvlink_id;
	} else if (slot->peer && slot->path == NVSOC_GPU_PEER_PCIE) {
		ctrl = NVSOC_GPU_PEER_CTRL_VALID |
		       NVSOC_GPU_PEER_PATH_PCIE << NVSOC_GPU_PEER_CTRL_PATH_SHIFT;
		base = slot->bar1;
	}
	if (!drm_dev_enter(&gdev->drm, &idx))
		return;
	nvsoc_gpu_wr(gdev, NVSOC_GPU_PEER(i, NVSOC_GPU_PEER_CTRL), 0);
	nvsoc_gpu_wr(gdev, NVSOC_GPU_PEER(i, NVSOC_GPU_PEER_TARGET), target);
	nvsoc_gpu_wr(gdev, NVSOC_GPU_PEER(i, NVSOC_GPU_PEER_BASE_LO), lower_32_bits(base));
	nvsoc_gpu_wr(gdev, NVSOC_GPU_PEER(i, NVSOC_GPU_PEER_BASE_HI), upper_32_bits(base));
	nvsoc_gpu_wr(gdev, NVSOC_GPU_PEER(i, NVSOC_GPU_PEER_CTRL), ctrl);
	drm_dev_exit(idx);
}

/*
 * Slot i's path looked at again; logs and reprograms a change. Returns
 * what stands in the way when there is no path (else NULL).
 */
static const char *nvsoc_gpu_peer_update(struct nvsoc_gpu_device *gdev, unsigned int i)
{
	struct nvsoc_gpu_peer_slot *slot = &gdev->peers[i];
	struct device *dev = gdev->bus.dev;
	const char *name = dev_name(slot->peer->bus.dev);
	const char *why = NULL;
	u32 nvlinks, path;

	path = nvsoc_gpu_peer_path(gdev, slot->peer, &nvlinks, &why);
	if (path == slot->path && nvlinks == slot->nvlinks)
		return why;
	if (path == slot->path)
		dev_dbg(dev, "peer %s: over NVLink, %u links up (was %u)\n", name, nvlinks,
			slot->nvlinks);
	else if (path == NVSOC_GPU_PEER_NVLINK)
		dev_info(dev, "peer %s: peer access over NVLink again (%u links up)\n", name,
			 nvlinks);
	else if (path == NVSOC_GPU_PEER_PCIE)
		dev_warn(dev, "peer %s: no NVLink is up to it: peer access falls back to PCIe\n",
			 name);
	else
		dev_err(dev, "peer %s: peer access has no path left (%s): its copies fault\n",
			name, why);
	slot->nvlinks = nvlinks;
	if (path != slot->path) {
		slot->path = path;
		nvsoc_gpu_peer_program(gdev, i);
	}
	return why;
}

static void nvsoc_gpu_peer_review(struct work_struct *work)
{
	struct nvsoc_gpu_device *gdev;
	unsigned int i;

	mutex_lock(&nvsoc_gpu_peer_lock);
	list_for_each_entry(gdev, &nvsoc_gpu_peer_devs, peer_node) {
		if (READ_ONCE(gdev->state) != NVSOC_GPU_RUNNING)
			continue;
		for (i = 0; i < NVSOC_GPU_PEERS; i++)
			if (gdev->peers[i].peer)
				nvsoc_gpu_peer_update(gdev, i);
	}
	mutex_unlock(&nvsoc_gpu_peer_lock);
}

/* A link came up or went down, or the fabric state moved: review the slots. */
void nvsoc_gpu_peers_changed(void)
{
	schedule_work(&nvsoc_gpu_peer_work);
}

/*
 * A slot for @peer, taken or shared; its path in *path. Refuses a peer
 * without a path (-EHOSTUNREACH) and a full table (-ENOSPC).
 */
static int nvsoc_gpu_peer_get(struct nvsoc_gpu_device *gdev, struct nvsoc_gpu_device *peer,
			      unsigned int *slot_out, u32 *path_out)
{
	struct device *dev = gdev->bus.dev;
	struct nvsoc_gpu_peer_slot *slot;
	const char *why = NULL;
	unsigned int i, free = NVSOC_GPU_PEERS;
	u32 nvlinks, path;
	int ret = 0;

	mutex_lock(&nvsoc_gpu_peer_lock);
	for (i = 0; i < NVSOC_GPU_PEERS; i++) {
		if (gdev->peers[i].peer == peer)
			break;
		if (!gdev->peers[i].peer && free == NVSOC_GPU_PEERS)
			free = i;
	}
	if (i < NVSOC_GPU_PEERS) {
		/* Held: its path as reviewed, unless it has none left. */
		slot = &gdev->peers[i];
		if (slot->path == NVSOC_GPU_PEER_NONE)
			why = nvsoc_gpu_peer_update(gdev, i);
		if (slot->path == NVSOC_GPU_PEER_NONE) {
			dev_info(dev, "peer %s: peer access refused: %s\n",
				 dev_name(peer->bus.dev), why);
			ret = -EHOSTUNREACH;
			goto out;
		}
		slot->users++;
		goto done;
	}
	path = nvsoc_gpu_peer_path(gdev, peer, &nvlinks, &why);
	if (path == NVSOC_GPU_PEER_NONE) {
		dev_info(dev, "peer %s: peer access refused: %s\n", dev_name(peer->bus.dev), why);
		ret = -EHOSTUNREACH;
		goto out;
	}
	if (free == NVSOC_GPU_PEERS) {
		dev_info(dev, "peer %s: peer access refused: all %u peer table slots hold other GPUs\n",
			 dev_name(peer->bus.dev), NVSOC_GPU_PEERS);
		ret = -ENOSPC;
		goto out;
	}
	i = free;
	slot = &gdev->peers[i];
	drm_dev_get(&peer->drm);
	*slot = (struct nvsoc_gpu_peer_slot){
		.peer = peer, .users = 1, .path = path, .nvlinks = nvlinks,
	};
	nvsoc_gpu_peer_program(gdev, i);
	if (slot->path == NVSOC_GPU_PEER_NONE) {
		/* The BAR1 mapping failed (logged). */
		ret = -EHOSTUNREACH;
		*slot = (struct nvsoc_gpu_peer_slot){};
		mutex_unlock(&nvsoc_gpu_peer_lock);
		drm_dev_put(&peer->drm);
		return ret;
	}
	if (path == NVSOC_GPU_PEER_NVLINK)
		dev_dbg(dev, "peer %s: peer access over NVLink (%u links up), peer id %u\n",
			dev_name(peer->bus.dev), nvlinks, i);
	else
		dev_dbg(dev, "peer %s: peer access over PCIe peer-to-peer, peer id %u\n",
			dev_name(peer->bus.dev), i);
done:
	*slot_out = i;
	*path_out = slot->path;
out:
	mutex_unlock(&nvsoc_gpu_peer_lock);
	return ret;
}

static void nvsoc_gpu_peer_put(struct nvsoc_gpu_device *gdev, unsigned int i)
{
	struct nvsoc_gpu_peer_slot *slot = &gdev->peers[i];
	struct nvsoc_gpu_device *peer = NULL;

	mutex_lock(&nvsoc_gpu_peer_lock);
	if (!WARN_ON(!slot->users) && !--slot->users) {
		peer = slot->peer;
		nvsoc_gpu_peer_unmap_bar1(gdev, slot);
		*slot = (struct nvsoc_gpu_peer_slot){};
		nvsoc_gpu_peer_program(gdev, i);
	}
	mutex_unlock(&nvsoc_gpu_peer_lock);
	/* The last reference may free the peer's drm_device: outside the lock. */
	if (peer)
		drm_dev_put(&peer->drm);
}

/* A peer BO's end (nvsoc_gpu_bo_free): its slot and the peer's BO go. */
void nvsoc_gpu_peer_bo_free(struct nvsoc_gpu_bo *bo)
{
	nvsoc_gpu_peer_put(to_nvsoc_gpu(bo->base.dev), bo->peer_slot);
	drm_gem_object_put(bo->peer_obj);
}

/* After an engine or function reset: the table as the slots hold it. */
void nvsoc_gpu_peers_hw_init(struct nvsoc_gpu_device *gdev)
{
	unsigned int i;

	mutex_lock(&nvsoc_gpu_peer_lock);
	for (i = 0; i < NVSOC_GPU_PEERS; i++)
		nvsoc_gpu_peer_program(gdev, i);
	mutex_unlock(&nvsoc_gpu_peer_lock);
	nvsoc_gpu_peers_changed();
}

/* At registration: the GPU can be a peer, and its slots are reviewed. */
void nvsoc_gpu_peers_init(struct nvsoc_gpu_device *gdev)
{
	mutex_lock(&nvsoc_gpu_peer_lock);
	list_add_tail(&gdev->peer_node, &nvsoc_gpu_peer_devs);
	gdev->peer_listed = true;
	mutex_unlock(&nvsoc_gpu_peer_lock);
}

/*
 * At removal, after drm_dev_unplug (no ioctl runs): no longer a peer, its
 * BAR1 mappings of others go. Slots stay held by their BOs until those
 * are freed; other GPUs' slots for this one lose their path.
 */
void nvsoc_gpu_peers_fini(struct nvsoc_gpu_device *gdev)
{
	unsigned int i;

	mutex_lock(&nvsoc_gpu_peer_lock);
	if (gdev->peer_listed) {
		list_del(&gdev->peer_node);
		gdev->peer_listed = false;
	}
	for (i = 0; i < NVSOC_GPU_PEERS; i++) {
		if (gdev->peers[i].peer) {
			nvsoc_gpu_peer_unmap_bar1(gdev, &gdev->peers[i]);
			gdev->peers[i].path = NVSOC_GPU_PEER_NONE;
		}
	}
	mutex_unlock(&nvsoc_gpu_peer_lock);
	nvsoc_gpu_peers_changed();
}

/* debugfs peers: one line per held slot, as programmed. */
int nvsoc_gpu_peers_show(struct seq_file *m, void *unused)
{
	struct drm_debugfs_entry *entry = m->private;
	struct nvsoc_gpu_device *gdev = to_nvsoc_gpu(entry->dev);
	unsigned int i;

	mutex_lock(&nvsoc_gpu_peer_lock);
	for (i = 0; i < NVSOC_GPU_PEERS; i++) {
		const struct nvsoc_gpu_peer_slot *slot = &gdev->peers[i];

		if (!slot->peer)
			continue;
		seq_printf(m, "peer %u: %s path %s nvlinks %u bos %u", i,
			   dev_name(slot->peer->bus.dev), nvsoc_gpu_path_name(slot->path),
			   slot->nvlinks, slot->users);
		if (slot->path == NVSOC_GPU_PEER_PCIE)
			seq_printf(m, " bar1 %pad", &slot->bar1);
		seq_puts(m, "\n");
	}
	mutex_unlock(&nvsoc_gpu_peer_lock);
	return 0;
}

void nvsoc_gpu_peer_exit(void)
{
	cancel_work_sync(&nvsoc_gpu_peer_work);
}

/* The other GPU open as @fd: referenced file in *filp, or an error. */
static struct nvsoc_gpu_device *nvsoc_gpu_peer_of_fd(struct nvsoc_gpu_device *gdev, int fd,
						     struct file **filp)
{
	struct nvsoc_gpu_device *peer;

	*filp = fget(fd);
	if (!*filp)
		return ERR_PTR(-EBADF);
	peer = nvsoc_gpu_from_file(*filp);
	if (!peer || peer == gdev) {
		fput(*filp);
		return ERR_PTR(-EINVAL);
	}
	return peer;
}

int nvsoc_gpu_ioctl_peer_info(struct drm_device *drm, void *data, struct drm_file *file)
{
	struct nvsoc_gpu_device *gdev = to_nvsoc_gpu(drm);
	struct drm_nvsoc_gpu_peer_info *args = data;
	struct nvsoc_gpu_device *peer;
	const char *why = NULL;
	struct file *filp;
	unsigned int i;

	if (args->flags)
		return -EINVAL;
	peer = nvsoc_gpu_peer_of_fd(gdev, args->peer_fd, &filp);
	if (IS_ERR(peer))
		return PTR_ERR(peer);
	mutex_lock(&nvsoc_gpu_peer_lock);
	args->path = nvsoc_gpu_peer_path(gdev, peer, &args->nvlinks, &why);
	args->peer_nvlink_id = peer->nvlink_id;
	args->peer_id = ~0u;
	for (i = 0; i < NVSOC_GPU_PEERS; i++)
		if (gdev->peers[i].peer == peer)
			args->peer_id = i;
	mutex_unlock(&nvsoc_gpu_peer_lock);
	fput(filp);
	return 0;
}

int nvsoc_gpu_ioctl_bo_peer(struct drm_device *drm, void *data, struct drm_file *file)
{
	struct nvsoc_gpu_device *gdev = to_nvsoc_gpu(drm);
	struct drm_nvsoc_gpu_bo_peer *args = data;
	struct nvsoc_gpu_bo *pbo, *bo;
	struct nvsoc_gpu_device *peer;
	struct drm_gem_object *obj;
	struct file *filp;
	unsigned int slot;
	u32 path;
	int ret;

	if (args->flags)
		return -EINVAL;
	peer = nvsoc_gpu_peer_of_fd(gdev, args->peer_fd, &filp);
	if (IS_ERR(peer))
		return PTR_ERR(peer);
	obj = drm_gem_object_lookup(filp->private_data, args->peer_handle);
	fput(filp);
	if (!obj)
		return -ENOENT;
	pbo = to_nvsoc_gpu_bo(obj);
	if (pbo->kind != NVSOC_GPU_BO_KIND_VRAM) {
		drm_dbg(drm, "peer BO %u is not in VRAM\n", args->peer_handle);
		ret = -EINVAL;
		goto err_put_obj;
	}
	ret = nvsoc_gpu_peer_get(gdev, peer, &slot, &path);
	if (ret)
		goto err_put_obj;
	bo = nvsoc_gpu_bo_new(gdev, NVSOC_GPU_BO_KIND_PEER, obj->size);
	if (!bo) {
		ret = -ENOMEM;
		goto err_put_slot;
	}
	/* The peer's VRAM offsets: what the peer table's PEER target takes. */
	bo->size = pbo->size;
	bo->seg = (struct nvsoc_gpu_seg){ .offset = 0, .addr = pbo->node.start,
					  .len = pbo->size };
	bo->nr_segs = 1;
	bo->peer_obj = obj;
	bo->peer_slot = slot;
	args->size = bo->size;
	args->path = path;
	args->peer_id = slot;
	/* From here the BO owns the slot and the reference: freeing it drops both. */
	return nvsoc_gpu_bo_publish(bo, file, &args->handle);

err_put_slot:
	nvsoc_gpu_peer_put(gdev, slot);
err_put_obj:
	drm_gem_object_put(obj);
	return ret;
}
