// SPDX-License-Identifier: GPL-2.0-only
/*
 * nvsoc GPU accel driver: debugfs, under /sys/kernel/debug/accel/<device name>/.
 *
 *   channel<N>  one channel: owner, engine, vector, the device's GP_GET,
 *               GP_PUT and CH_STATUS beside the kernel's view, sequence
 *               numbers and the semaphore, counters, the last GP entries
 *   faults      the fault buffer's registers and the kernel's GET
 *   vram        the VRAM allocator's ranges
 *
 * Reads of registers are inside drm_dev_enter(): after removal the files
 * may still be open but the registers are gone.
 */
#include <linux/debugfs.h>
#include <linux/seq_file.h>

#include <drm/drm_debugfs.h>
#include <drm/drm_drv.h>
#include <drm/drm_managed.h>
#include <drm/drm_print.h>

#include "nvsoc_gpu_drv.h"

#define NVSOC_GPU_DEBUGFS_GP_ENTRIES	8

static struct nvsoc_gpu_device *nvsoc_gpu_seq_gdev(struct seq_file *m)
{
	struct drm_debugfs_entry *entry = m->private;

	return to_nvsoc_gpu(entry->dev);
}

static int nvsoc_gpu_channel_show(struct seq_file *m, void *unused)
{
	struct drm_debugfs_entry *entry = m->private;
	struct nvsoc_gpu_channel *ch = entry->file.data;
	struct nvsoc_gpu_device *gdev = ch->gdev;
	unsigned int c = ch->id, i, n, jobs = 0, zombies = 0;
	struct nvsoc_gpu_job *job;
	u32 gp_get, gp_put, status;
	int idx;

	if (!drm_dev_enter(&gdev->drm, &idx))
		return -ENODEV;
	mutex_lock(&ch->lock);
	gp_get = nvsoc_gpu_rd(gdev, NVSOC_GPU_USERD(c) + NVSOC_GPU_USERD_GP_GET);
	gp_put = nvsoc_gpu_rd(gdev, NVSOC_GPU_USERD(c) + NVSOC_GPU_USERD_GP_PUT);
	status = nvsoc_gpu_rd(gdev, NVSOC_GPU_CH(c, NVSOC_GPU_CH_STATUS));
	list_for_each_entry(job, &ch->jobs, link)
		jobs++;
	list_for_each_entry(job, &ch->zombies, link)
		zombies++;

	seq_printf(m, "channel %u: %s, engine CE%u, vector %u, generation %u\n", c,
		   ch->owner ? "in use" : "free", ch->engine, ch->vector, ch->generation);
	seq_printf(m, "device: GP_GET %u GP_PUT %u CH_STATUS 0x%08x%s%s%s methods %llu\n",
		   gp_get, gp_put, status, status & NVSOC_GPU_CH_STATUS_BUSY ? " BUSY" : "",
		   status & NVSOC_GPU_CH_STATUS_FAULTED ? " FAULTED" : "",
		   status & NVSOC_GPU_CH_STATUS_ACQUIRING ? " ACQUIRING" : "",
		   nvsoc_gpu_rd(gdev, NVSOC_GPU_CH(c, NVSOC_GPU_CH_METHODS_LO)) |
		   (u64)nvsoc_gpu_rd(gdev, NVSOC_GPU_CH(c, NVSOC_GPU_CH_METHODS_HI)) << 32);
	seq_printf(m, "kernel: gp_put %u pb_put 0x%x of 0x%x, ring at %pad, pushbuffer at %pad\n",
		   ch->gp_put, ch->pb_put, ch->pushbuf_size, &ch->gpfifo_dma, &ch->pushbuf_dma);
	seq_printf(m, "seqno: last %u settled %u semaphore %u\n", ch->last_seqno,
		   ch->settled_seqno,
		   le32_to_cpu(READ_ONCE(*(__le32 *)(gdev->sem + c * NVSOC_GPU_SEM_SLOT))));
	seq_printf(m, "jobs: %u outstanding, %u failed awaiting an engine reset\n", jobs,
		   zombies);
	seq_printf(m, "counters: submitted %llu completed %llu failed %llu interrupts %llu\n",
		   ch->submitted, ch->completed, ch->failed, ch->interrupts);
	n = min_t(u64, ch->submitted, NVSOC_GPU_DEBUGFS_GP_ENTRIES);
	seq_puts(m, "recent GP entries:\n");
	for (i = n; i > 0; i--) {
		u32 e = (ch->gp_put - i) & (NVSOC_GPU_GPFIFO_ENTRIES - 1);
		u32 w0 = le32_to_cpu(ch->gpfifo[2 * e]);
		u32 w1 = le32_to_cpu(ch->gpfifo[2 * e + 1]);
		u64 addr = (w0 & ~3u) | (u64)(w1 & NVSOC_GPU_GP_ENTRY1_GET_HI_MASK) << 32;

		u32 len = (w1 >> NVSOC_GPU_GP_ENTRY1_LENGTH_SHIFT) &
			  NVSOC_GPU_GP_ENTRY1_LENGTH_MASK;

		seq_printf(m, "  [%4u] %08x %08x  segment 0x%llx, %u dwords\n", e, w0, w1, addr,
			   len);
	}
	mutex_unlock(&ch->lock);
	drm_dev_exit(idx);
	return 0;
}

static int nvsoc_gpu_faults_show(struct seq_file *m, void *unused)
{
	struct nvsoc_gpu_device *gdev = nvsoc_gpu_seq_gdev(m);
	u32 put;
	int idx;

	if (!drm_dev_enter(&gdev->drm, &idx))
		return -ENODEV;
	put = nvsoc_gpu_rd(gdev, NVSOC_GPU_FAULT_BUF_PUT);
	seq_printf(m, "buffer %pad, %u entries; GET %u (kernel %u) PUT %u%s; FAULT_COUNT %u\n",
		   &gdev->fault_buf_dma, NVSOC_GPU_FAULT_ENTRIES,
		   nvsoc_gpu_rd(gdev, NVSOC_GPU_FAULT_BUF_GET), gdev->fault_get,
		   put & ~NVSOC_GPU_FAULT_BUF_PUT_OVERFLOW,
		   put & NVSOC_GPU_FAULT_BUF_PUT_OVERFLOW ? " OVERFLOW" : "",
		   nvsoc_gpu_rd(gdev, NVSOC_GPU_FAULT_COUNT));
	seq_printf(m, "INTR_STATUS 0x%08x enabled 0x%08x CHANNEL_ERROR 0x%08x%08x ECC_STATUS 0x%x\n",
		   nvsoc_gpu_rd(gdev, NVSOC_GPU_INTR_STATUS),
		   nvsoc_gpu_rd(gdev, NVSOC_GPU_INTR_EN_SET),
		   nvsoc_gpu_rd(gdev, NVSOC_GPU_CHANNEL_ERROR_HI),
		   nvsoc_gpu_rd(gdev, NVSOC_GPU_CHANNEL_ERROR_LO),
		   nvsoc_gpu_rd(gdev, NVSOC_GPU_ECC_STATUS));
	drm_dev_exit(idx);
	return 0;
}

static int nvsoc_gpu_vram_show(struct seq_file *m, void *unused)
{
	struct nvsoc_gpu_device *gdev = nvsoc_gpu_seq_gdev(m);
	struct drm_printer p = drm_seq_file_printer(m);

	mutex_lock(&gdev->vram_lock);
	drm_printf(&p, "%llu of %llu bytes used; the CPU sees the first %llu\n", gdev->vram_used,
		   gdev->vram_size, (u64)gdev->bus.vram_window);
	drm_mm_print(&gdev->vram_mm, &p);
	mutex_unlock(&gdev->vram_lock);
	return 0;
}

/* Before drm_dev_register, which creates the files. */
void nvsoc_gpu_debugfs_init(struct nvsoc_gpu_device *gdev)
{
	unsigned int c;
	char name[24];

	drm_debugfs_add_file(&gdev->drm, "faults", nvsoc_gpu_faults_show, NULL);
	drm_debugfs_add_file(&gdev->drm, "vram", nvsoc_gpu_vram_show, NULL);
	drm_debugfs_add_file(&gdev->drm, "peers", nvsoc_gpu_peers_show, NULL);
	for (c = 0; c < gdev->num_channels; c++) {
		const char *managed;

		snprintf(name, sizeof(name), "channel%u", c);
		managed = drmm_kstrdup(&gdev->drm, name, GFP_KERNEL);
		if (managed)
			drm_debugfs_add_file(&gdev->drm, managed, nvsoc_gpu_channel_show,
					     &gdev->channels[c]);
	}
}
