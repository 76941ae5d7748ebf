// SPDX-License-Identifier: GPL-2.0-only
/*
 * nvsoc GPU accel driver: buffer objects.
 *
 * Every BO is a GEM object with the driver's own functions (this kernel has
 * no shmem or DMA GEM helper built in, and a device without an MMU wants
 * its own rules anyway). A BO gives the device one or more segments of
 * device addresses, which the pushbuffer validator resolves relocations
 * against; user space never sees them.
 *
 *   sysmem    one coherent allocation (dma_alloc_attrs), mmap with
 *             dma_mmap_attrs; contiguous, so one segment.
 *   vram      a range of VRAM from a drm_mm allocator; mmap through the
 *             BAR1 window, write-combined, when the range lies inside it.
 *   userptr   user pages pinned (pin_user_pages_fast, FOLL_LONGTERM), put
 *             in an sg_table and mapped with dma_map_sgtable: one segment
 *             per DMA segment (swiotlb bounce slots when the DMA mask does
 *             not reach the pages). Not mappable: the user has it mapped.
 *   usermode  the device's usermode register page, mappable read-only
 *             for the device clock.
 *   peer      another GPU's VRAM BO, reached through the peer table
 *             (nvsoc_gpu_peer.c): one segment of the peer's VRAM
 *             offsets; not mappable.
 *
 * Streaming mappings (userptr) follow the DMA API's ownership rule: the
 * CPU owns the memory while no job uses it, the device while one does.
 * bo->active counts the jobs; the first hands the BO to the device
 * (dma_sync_sgtable_for_device), the last one retiring hands it back
 * (dma_sync_sgtable_for_cpu), so swiotlb copies and cache maintenance
 * happen exactly at those edges.
 */
#include <linux/dma-mapping.h>
#include <linux/mm.h>
#include <linux/pagemap.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#include <drm/drm_drv.h>
#include <drm/drm_file.h>
#include <drm/drm_gem.h>
#include <drm/drm_managed.h>
#include <drm/drm_vma_manager.h>

#include "nvsoc_gpu_accel.h"
#include "nvsoc_gpu_drv.h"
#include "nvsoc_gpu_trace.h"

static const char *const nvsoc_gpu_bo_kind_names[] = {
	[NVSOC_GPU_BO_KIND_SYSMEM] = "sysmem",
	[NVSOC_GPU_BO_KIND_VRAM] = "vram",
	[NVSOC_GPU_BO_KIND_USERPTR] = "userptr",
	[NVSOC_GPU_BO_KIND_USERMODE] = "usermode",
	[NVSOC_GPU_BO_KIND_PEER] = "peer",
};

static void nvsoc_gpu_bo_free(struct drm_gem_object *obj)
{
	struct nvsoc_gpu_device *gdev = to_nvsoc_gpu(obj->dev);
	struct nvsoc_gpu_bo *bo = to_nvsoc_gpu_bo(obj);
	struct device *dev = gdev->bus.dev;

	switch (bo->kind) {
	case NVSOC_GPU_BO_KIND_SYSMEM:
		trace_nvsoc_gpu_dma_unmap(dev, "sysmem", bo->size, 1, bo->dma_addr,
					  DMA_BIDIRECTIONAL);
		dma_free_attrs(dev, bo->size, bo->vaddr, bo->dma_addr, 0);
		break;
	case NVSOC_GPU_BO_KIND_VRAM:
		mutex_lock(&gdev->vram_lock);
		drm_mm_remove_node(&bo->node);
		gdev->vram_used -= bo->node.size;
		mutex_unlock(&gdev->vram_lock);
		break;
	case NVSOC_GPU_BO_KIND_USERPTR:
		trace_nvsoc_gpu_dma_unmap(dev, "userptr", bo->size, bo->nr_segs,
					  bo->segs[0].addr, bo->dir);
		dma_unmap_sgtable(dev, &bo->sgt, bo->dir, 0);
		sg_free_table(&bo->sgt);
		unpin_user_pages_dirty_lock(bo->pages, bo->nr_pages, !bo->read_only);
		kvfree(bo->pages);
		kvfree(bo->segs);
		break;
	case NVSOC_GPU_BO_KIND_USERMODE:
		break;
	case NVSOC_GPU_BO_KIND_PEER:
		nvsoc_gpu_peer_bo_free(bo);
		break;
	}
	drm_gem_object_release(obj);
	kfree(bo);
}

/*
 * Mappings of device memory and registers are zapped at removal
 * (nvsoc_gpu_unregister); this stops a new one racing with that.
 */
static int nvsoc_gpu_bo_mmap_io(struct nvsoc_gpu_bo *bo, struct vm_area_struct *vma,
				phys_addr_t phys, pgprot_t prot)
{
	struct drm_device *drm = bo->base.dev;
	int idx, ret;

	if (!drm_dev_enter(drm, &idx))
		return -ENODEV;
	vm_flags_set(vma, VM_IO | VM_PFNMAP | VM_DONTEXPAND | VM_DONTDUMP);
	ret = io_remap_pfn_range(vma, vma->vm_start, PHYS_PFN(phys),
				 vma->vm_end - vma->vm_start, prot);
	drm_dev_exit(idx);
	return ret;
}

static int nvsoc_gpu_bo_mmap(struct drm_gem_object *obj, struct vm_area_struct *vma)
{
	struct nvsoc_gpu_device *gdev = to_nvsoc_gpu(obj->dev);
	struct nvsoc_gpu_bo *bo = to_nvsoc_gpu_bo(obj);
	int ret;

	switch (bo->kind) {
	case NVSOC_GPU_BO_KIND_SYSMEM:
		/* dma_mmap_attrs takes vm_pgoff as an offset into the buffer. */
		vma->vm_pgoff -= drm_vma_node_start(&obj->vma_node);
		vm_flags_set(vma, VM_DONTEXPAND | VM_DONTDUMP);
		ret = dma_mmap_attrs(gdev->bus.dev, vma, bo->vaddr, bo->dma_addr,
				     vma->vm_end - vma->vm_start, 0);
		return ret;
	case NVSOC_GPU_BO_KIND_VRAM:
		/*
		 * As the kernel maps the window: write-back on a coherent
		 * fabric (vm_page_prot is already cacheable), else
		 * write-combined.
		 */
		return nvsoc_gpu_bo_mmap_io(bo, vma, gdev->bus.vram_phys + bo->node.start,
					    gdev->bus.vram_cached ? vma->vm_page_prot :
					    pgprot_writecombine(vma->vm_page_prot));
	case NVSOC_GPU_BO_KIND_USERMODE:
		/* Read-only: the doorbell on the same page is the kernel's. */
		if (vma->vm_flags & VM_WRITE)
			return -EPERM;
		vm_flags_clear(vma, VM_MAYWRITE);
		return nvsoc_gpu_bo_mmap_io(bo, vma,
					    gdev->bus.regs_phys + NVSOC_GPU_USERMODE,
					    pgprot_noncached(vma->vm_page_prot));
	case NVSOC_GPU_BO_KIND_USERPTR:
	case NVSOC_GPU_BO_KIND_PEER:
		break;
	}
	return -EINVAL;
}

/* No dma-buf export: the ownership rules above are the driver's own. */
static struct dma_buf *nvsoc_gpu_bo_export(struct drm_gem_object *obj, int flags)
{
	return ERR_PTR(-EOPNOTSUPP);
}

static void nvsoc_gpu_bo_print_info(struct drm_printer *p, unsigned int indent,
				    const struct drm_gem_object *obj)
{
	const struct nvsoc_gpu_bo *bo = container_of(obj, struct nvsoc_gpu_bo, base);

	drm_printf_indent(p, indent, "kind=%s size=%llu segments=%u active=%u\n",
			  nvsoc_gpu_bo_kind_names[bo->kind], bo->size, bo->nr_segs,
			  bo->active);
}

static const struct vm_operations_struct nvsoc_gpu_bo_vm_ops = {
	.open = drm_gem_vm_open,
	.close = drm_gem_vm_close,
};

static const struct drm_gem_object_funcs nvsoc_gpu_bo_funcs = {
	.free = nvsoc_gpu_bo_free,
	.mmap = nvsoc_gpu_bo_mmap,
	.export = nvsoc_gpu_bo_export,
	.print_info = nvsoc_gpu_bo_print_info,
	.vm_ops = &nvsoc_gpu_bo_vm_ops,
};

struct nvsoc_gpu_bo *nvsoc_gpu_bo_new(struct nvsoc_gpu_device *gdev, enum nvsoc_gpu_bo_kind kind,
				      u64 obj_size)
{
	struct nvsoc_gpu_bo *bo;

	bo = kzalloc(sizeof(*bo), GFP_KERNEL);
	if (!bo)
		return NULL;
	bo->kind = kind;
	bo->base.funcs = &nvsoc_gpu_bo_funcs;
	bo->segs = &bo->seg;
	drm_gem_private_object_init(&gdev->drm, &bo->base, obj_size);
	return bo;
}

/* For a BO whose init failed before it had anything to free. */
void nvsoc_gpu_bo_discard(struct nvsoc_gpu_bo *bo)
{
	drm_gem_private_object_fini(&bo->base);
	kfree(bo);
}

/* Gives the BO a handle in @file; the handle then holds the only reference. */
int nvsoc_gpu_bo_publish(struct nvsoc_gpu_bo *bo, struct drm_file *file, u32 *handle)
{
	int ret = drm_gem_handle_create(file, &bo->base, handle);

	drm_gem_object_put(&bo->base);
	return ret;
}

static int nvsoc_gpu_bo_sysmem_init(struct nvsoc_gpu_device *gdev, struct nvsoc_gpu_bo *bo)
{
	struct device *dev = gdev->bus.dev;

	/*
	 * Zeroed memory; no warning on failure: a large size may simply not
	 * exist contiguously, and user space is told -ENOMEM.
	 */
	bo->vaddr = dma_alloc_attrs(dev, bo->size, &bo->dma_addr, GFP_KERNEL | __GFP_NOWARN, 0);
	if (!bo->vaddr) {
		dev_dbg(dev, "sysmem BO of %llu bytes: no contiguous DMA memory\n", bo->size);
		return -ENOMEM;
	}
	bo->seg = (struct nvsoc_gpu_seg){ .offset = 0, .addr = bo->dma_addr, .len = bo->size };
	bo->nr_segs = 1;
	trace_nvsoc_gpu_dma_map(dev, "sysmem", bo->size, 1, bo->dma_addr, DMA_BIDIRECTIONAL);
	return 0;
}

static int nvsoc_gpu_bo_vram_alloc(struct nvsoc_gpu_device *gdev, struct nvsoc_gpu_bo *bo)
{
	int ret;

	/* Lowest first: the low end is the part the CPU sees through BAR1. */
	mutex_lock(&gdev->vram_lock);
	ret = drm_mm_insert_node_in_range(&gdev->vram_mm, &bo->node, bo->size, PAGE_SIZE, 0,
					  0, U64_MAX, DRM_MM_INSERT_LOW);
	if (!ret)
		gdev->vram_used += bo->node.size;
	mutex_unlock(&gdev->vram_lock);
	if (ret)
		return ret == -ENOSPC ? -ENOMEM : ret;
	bo->seg = (struct nvsoc_gpu_seg){ .offset = 0, .addr = bo->node.start, .len = bo->size };
	bo->nr_segs = 1;
	return 0;
}

int nvsoc_gpu_ioctl_bo_create(struct drm_device *drm, void *data, struct drm_file *file)
{
	struct nvsoc_gpu_device *gdev = to_nvsoc_gpu(drm);
	struct drm_nvsoc_gpu_bo_create *args = data;
	enum nvsoc_gpu_bo_kind kind;
	struct nvsoc_gpu_bo *bo;
	u64 size;
	int idx, ret;

	if (args->flags || args->pad || !args->size)
		return -EINVAL;
	if (args->placement == NVSOC_GPU_BO_SYSMEM)
		kind = NVSOC_GPU_BO_KIND_SYSMEM;
	else if (args->placement == NVSOC_GPU_BO_VRAM)
		kind = NVSOC_GPU_BO_KIND_VRAM;
	else
		return -EINVAL;
	if (args->size > (kind == NVSOC_GPU_BO_KIND_VRAM ? nvsoc_gpu_vram_heap_size(gdev) : SZ_1G))
		return -E2BIG;
	size = PAGE_ALIGN(args->size);

	if (!drm_dev_enter(drm, &idx))
		return -ENODEV;
	bo = nvsoc_gpu_bo_new(gdev, kind, size);
	if (!bo) {
		ret = -ENOMEM;
		goto out;
	}
	bo->size = size;
	if (kind == NVSOC_GPU_BO_KIND_SYSMEM)
		ret = nvsoc_gpu_bo_sysmem_init(gdev, bo);
	else
		ret = nvsoc_gpu_bo_vram_alloc(gdev, bo);
	if (ret) {
		nvsoc_gpu_bo_discard(bo);
		goto out;
	}
	ret = nvsoc_gpu_bo_publish(bo, file, &args->handle);
	if (!ret)
		args->size = size;
out:
	drm_dev_exit(idx);
	return ret;
}

static int nvsoc_gpu_bo_userptr_init(struct nvsoc_gpu_device *gdev, struct nvsoc_gpu_bo *bo,
				     u64 address, bool read_only)
{
	struct device *dev = gdev->bus.dev;
	unsigned int offset = offset_in_page(address);
	unsigned int max_seg, i;
	struct scatterlist *sg;
	u64 at = 0;
	int pinned, ret;

	bo->read_only = read_only;
	bo->dir = read_only ? DMA_TO_DEVICE : DMA_BIDIRECTIONAL;
	bo->nr_pages = DIV_ROUND_UP(offset + bo->size, PAGE_SIZE);
	bo->pages = kvmalloc_array(bo->nr_pages, sizeof(*bo->pages), GFP_KERNEL);
	if (!bo->pages)
		return -ENOMEM;

	/* Step 1: pin the pages for as long as the BO lives. */
	pinned = pin_user_pages_fast(address & PAGE_MASK, bo->nr_pages,
				     FOLL_LONGTERM | (read_only ? 0 : FOLL_WRITE), bo->pages);
	if (pinned < 0) {
		ret = pinned;
		goto err_free_pages;
	}
	if (pinned != bo->nr_pages) {
		unpin_user_pages(bo->pages, pinned);
		ret = -EFAULT;
		goto err_free_pages;
	}

	/*
	 * Step 2: the scatter list. A segment may not exceed what one DMA
	 * mapping can take (a swiotlb slot when bouncing).
	 */
	max_seg = min_t(size_t, dma_max_mapping_size(dev), dma_get_max_seg_size(dev));
	max_seg = max_t(unsigned int, rounddown(min_t(size_t, max_seg, SZ_1G), PAGE_SIZE),
			PAGE_SIZE);
	ret = sg_alloc_table_from_pages_segment(&bo->sgt, bo->pages, bo->nr_pages, offset,
						bo->size, max_seg, GFP_KERNEL);
	if (ret)
		goto err_unpin;

	/*
	 * Step 3: map for the device. dma_map_sgtable returns an errno, not
	 * an address to test with dma_mapping_error(): -ENOMEM when swiotlb
	 * is full, -EIO when an address is beyond the mask.
	 */
	ret = dma_map_sgtable(dev, &bo->sgt, bo->dir, 0);
	if (ret) {
		dev_dbg(dev, "userptr BO of %llu bytes: dma_map_sgtable failed: %d\n",
			bo->size, ret);
		goto err_free_sgt;
	}
	/* Idle BOs belong to the CPU (see the top of this file). */
	dma_sync_sgtable_for_cpu(dev, &bo->sgt, bo->dir);

	/* Step 4: the device's view, one segment per DMA segment. */
	bo->nr_segs = bo->sgt.nents;
	bo->segs = kvmalloc_array(bo->nr_segs, sizeof(*bo->segs), GFP_KERNEL);
	if (!bo->segs) {
		ret = -ENOMEM;
		goto err_unmap;
	}
	for_each_sgtable_dma_sg(&bo->sgt, sg, i) {
		bo->segs[i] = (struct nvsoc_gpu_seg){
			.offset = at,
			.addr = sg_dma_address(sg),
			.len = sg_dma_len(sg),
		};
		at += sg_dma_len(sg);
	}
	if (WARN_ON(at != bo->size)) {
		ret = -EINVAL;
		goto err_free_segs;
	}
	trace_nvsoc_gpu_dma_map(dev, "userptr", bo->size, bo->nr_segs, bo->segs[0].addr,
				bo->dir);
	return 0;

err_free_segs:
	kvfree(bo->segs);
	bo->segs = &bo->seg;
err_unmap:
	dma_unmap_sgtable(dev, &bo->sgt, bo->dir, 0);
err_free_sgt:
	sg_free_table(&bo->sgt);
err_unpin:
	unpin_user_pages(bo->pages, bo->nr_pages);
err_free_pages:
	kvfree(bo->pages);
	bo->pages = NULL;
	return ret;
}

int nvsoc_gpu_ioctl_bo_userptr(struct drm_device *drm, void *data, struct drm_file *file)
{
	struct nvsoc_gpu_device *gdev = to_nvsoc_gpu(drm);
	struct drm_nvsoc_gpu_bo_userptr *args = data;
	struct nvsoc_gpu_bo *bo;
	u64 obj_size, end;
	int idx, ret;

	if (args->flags & ~NVSOC_GPU_USERPTR_READ_ONLY)
		return -EINVAL;
	if (!args->size || args->size > SZ_1G ||
	    check_add_overflow(args->address, args->size, &end))
		return -EINVAL;
	obj_size = PAGE_ALIGN(offset_in_page(args->address) + args->size);

	if (!drm_dev_enter(drm, &idx))
		return -ENODEV;
	bo = nvsoc_gpu_bo_new(gdev, NVSOC_GPU_BO_KIND_USERPTR, obj_size);
	if (!bo) {
		ret = -ENOMEM;
		goto out;
	}
	bo->size = args->size;
	ret = nvsoc_gpu_bo_userptr_init(gdev, bo, args->address,
					args->flags & NVSOC_GPU_USERPTR_READ_ONLY);
	if (ret) {
		nvsoc_gpu_bo_discard(bo);
		goto out;
	}
	ret = nvsoc_gpu_bo_publish(bo, file, &args->handle);
out:
	drm_dev_exit(idx);
	return ret;
}

int nvsoc_gpu_ioctl_bo_mmap_offset(struct drm_device *drm, void *data, struct drm_file *file)
{
	struct nvsoc_gpu_device *gdev = to_nvsoc_gpu(drm);
	struct drm_nvsoc_gpu_bo_mmap_offset *args = data;
	struct drm_gem_object *obj;
	struct nvsoc_gpu_bo *bo;
	int ret;

	if (args->pad)
		return -EINVAL;
	obj = drm_gem_object_lookup(file, args->handle);
	if (!obj)
		return -ENOENT;
	bo = to_nvsoc_gpu_bo(obj);
	ret = -EINVAL;
	if (bo->kind == NVSOC_GPU_BO_KIND_USERPTR) {
		drm_dbg(drm, "userptr BOs are mapped already\n");
		goto out;
	}
	if (bo->kind == NVSOC_GPU_BO_KIND_PEER) {
		drm_dbg(drm, "peer BOs are mapped through their own GPU\n");
		goto out;
	}
	if (bo->kind == NVSOC_GPU_BO_KIND_VRAM &&
	    bo->node.start + bo->node.size > gdev->bus.vram_window) {
		drm_dbg(drm, "VRAM BO at 0x%llx lies beyond the BAR1 window\n", bo->node.start);
		goto out;
	}
	ret = drm_gem_create_mmap_offset(obj);
	if (!ret)
		args->offset = drm_vma_node_offset_addr(&obj->vma_node);
out:
	drm_gem_object_put(obj);
	return ret;
}

int nvsoc_gpu_ioctl_usermode(struct drm_device *drm, void *data, struct drm_file *file)
{
	struct nvsoc_gpu_device *gdev = to_nvsoc_gpu(drm);
	struct drm_nvsoc_gpu_usermode *args = data;
	struct nvsoc_gpu_bo *bo;
	int ret;

	bo = nvsoc_gpu_bo_new(gdev, NVSOC_GPU_BO_KIND_USERMODE, NVSOC_GPU_USERMODE_SIZE);
	if (!bo)
		return -ENOMEM;
	bo->size = NVSOC_GPU_USERMODE_SIZE;
	ret = drm_gem_create_mmap_offset(&bo->base);
	if (ret) {
		drm_gem_object_put(&bo->base);
		return ret;
	}
	args->offset = drm_vma_node_offset_addr(&bo->base.vma_node);
	args->size = NVSOC_GPU_USERMODE_SIZE;
	return nvsoc_gpu_bo_publish(bo, file, &args->handle);
}

void nvsoc_gpu_bo_sync_for_device(struct nvsoc_gpu_device *gdev, struct nvsoc_gpu_bo *bo)
{
	if (bo->kind != NVSOC_GPU_BO_KIND_USERPTR)
		return;
	mutex_lock(&gdev->bo_lock);
	if (bo->active++ == 0)
		dma_sync_sgtable_for_device(gdev->bus.dev, &bo->sgt, bo->dir);
	mutex_unlock(&gdev->bo_lock);
}

void nvsoc_gpu_bo_sync_for_cpu(struct nvsoc_gpu_device *gdev, struct nvsoc_gpu_bo *bo)
{
	if (bo->kind != NVSOC_GPU_BO_KIND_USERPTR)
		return;
	mutex_lock(&gdev->bo_lock);
	if (!WARN_ON(!bo->active) && --bo->active == 0)
		dma_sync_sgtable_for_cpu(gdev->bus.dev, &bo->sgt, bo->dir);
	mutex_unlock(&gdev->bo_lock);
}

static void nvsoc_gpu_vram_fini(struct drm_device *drm, void *arg)
{
	struct nvsoc_gpu_device *gdev = to_nvsoc_gpu(drm);

	drm_mm_takedown(&gdev->vram_mm);
}

/*
 * The allocator outlives remove(): BOs held by open files are freed later.
 * It covers the driver's heap only: VRAM above it (a NUMA node on the
 * fabric) is the kernel's page allocator's, and the two never share bytes.
 */
int nvsoc_gpu_bo_vram_init(struct nvsoc_gpu_device *gdev)
{
	drm_mm_init(&gdev->vram_mm, 0, nvsoc_gpu_vram_heap_size(gdev));
	return drmm_add_action_or_reset(&gdev->drm, nvsoc_gpu_vram_fini, NULL);
}
