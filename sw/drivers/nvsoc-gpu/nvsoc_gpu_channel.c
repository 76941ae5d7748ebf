// SPDX-License-Identifier: GPL-2.0-only
/*
 * nvsoc GPU accel driver: channels, jobs, submission and completion.
 *
 * A channel is an NVIDIA-style GPFIFO ring: the kernel writes methods into
 * the channel's pushbuffer (kernel memory the device reads), an 8-byte GP
 * entry pointing at them into the ring, the new GP_PUT into the channel's
 * USERD page and the channel id into the doorbell. Each job ends with the
 * kernel's own tail:
 *
 *   SEMAPHOREA-D   release (16 bytes: seqno and the device clock) into the
 *                  channel's slot of the kernel semaphore page; a release
 *                  waits for the channel to go idle first (no WFI_DIS), so
 *                  it follows the job's copies
 *   NON_STALL_INTERRUPT
 *
 * Completion is only ever noticed through that interrupt: the IRQ thread
 * (nvsoc_gpu_irq.c) acknowledges NONSTALL_PENDING first and reads the
 * semaphore after, then retires every job up to the value it read. WAIT
 * sleeps on the result and never polls the semaphore itself, so a lost
 * interrupt shows up as a timeout rather than hiding behind a poll.
 *
 * Locking: ch->lock (a mutex) covers the channel's software state and its
 * registers; it is never held while sleeping for the device, so the IRQ
 * thread can always take it. Lock order: gdev->state_lock, then ch->lock,
 * then gdev->bo_lock. BO references are dropped outside ch->lock.
 *
 * Runtime PM (a bus with runtime_get/runtime_put, the fabric's front end):
 * each job holds one bus reference from SUBMIT (taken in process context
 * before the job is pushed, outside ch->lock) until it settles, done or
 * failed (nvsoc_gpu_job_settle, under ch->lock: the put does not sleep).
 * Every job on ch->jobs settles exactly once, by retirement or by
 * nvsoc_gpu_channel_fail_jobs, so references cannot leak or be dropped
 * twice; zombies hold none.
 */
#include <linux/delay.h>
#include <linux/dma-mapping.h>
#include <linux/jiffies.h>
#include <linux/module.h>
#include <linux/nospec.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>

#include <drm/drm_drv.h>
#include <drm/drm_file.h>
#include <drm/drm_gem.h>
#include <drm/drm_managed.h>
#include <drm/drm_print.h>

#include "nvsoc_gpu_accel.h"
#include "nvsoc_gpu_drv.h"
#include "nvsoc_gpu_trace.h"

static unsigned int pushbuf_kib = 256;
module_param(pushbuf_kib, uint, 0444);
MODULE_PARM_DESC(pushbuf_kib, "Each channel's kernel pushbuffer in KiB, 16..4096 (default 256)");

/* The kernel's dwords around a job: SET_OBJECT before, the tail after. */
#define NVSOC_GPU_PROLOGUE_DWORDS	2
#define NVSOC_GPU_EPILOGUE_DWORDS	7

/* How long SUBMIT waits for ring space before giving up with -EBUSY. */
#define NVSOC_GPU_SPACE_TIMEOUT		(10 * HZ)

/* The 16-byte semaphore release (clc56f SEMAPHORED_RELEASE_SIZE_16BYTE). */
struct nvsoc_gpu_sem16 {
	__le32 payload;
	__le32 reserved;
	__le64 timestamp;
};

static struct nvsoc_gpu_sem16 *nvsoc_gpu_slot(struct nvsoc_gpu_channel *ch)
{
	return ch->gdev->sem + ch->id * NVSOC_GPU_SEM_SLOT;
}

static dma_addr_t nvsoc_gpu_slot_dma(struct nvsoc_gpu_channel *ch)
{
	return ch->gdev->sem_dma + ch->id * NVSOC_GPU_SEM_SLOT;
}

/* --- Set-up -------------------------------------------------------------------- */

int nvsoc_gpu_channels_init(struct nvsoc_gpu_device *gdev)
{
	struct device *dev = gdev->bus.dev;
	u32 pb_size = clamp(pushbuf_kib, 16u, 4096u) * SZ_1K;
	unsigned int c;
	int ret;

	for (c = 0; c < gdev->num_channels; c++) {
		struct nvsoc_gpu_channel *ch = &gdev->channels[c];

		ch->gdev = gdev;
		ch->id = c;
		ch->vector = nvsoc_gpu_channel_vector(gdev, c);
		ret = drmm_mutex_init(&gdev->drm, &ch->lock);
		if (ret)
			goto err_free;
		init_waitqueue_head(&ch->wq);
		INIT_LIST_HEAD(&ch->jobs);
		INIT_LIST_HEAD(&ch->zombies);
		ch->gpfifo = dma_alloc_attrs(dev, NVSOC_GPU_GPFIFO_ENTRIES * 8, &ch->gpfifo_dma,
					     GFP_KERNEL, 0);
		if (!ch->gpfifo) {
			ret = -ENOMEM;
			goto err_free;
		}
		ch->pushbuf = dma_alloc_attrs(dev, pb_size, &ch->pushbuf_dma, GFP_KERNEL, 0);
		if (!ch->pushbuf) {
			ret = -ENOMEM;
			goto err_free;
		}
		ch->pushbuf_size = pb_size;
	}
	dev_dbg(dev, "channels: %u rings of %lu GP entries, %u KiB pushbuffers\n",
		gdev->num_channels, NVSOC_GPU_GPFIFO_ENTRIES, pb_size / SZ_1K);
	return 0;

err_free:
	dev_err(dev, "channel %u: no DMA memory for its ring and pushbuffer\n", c);
	nvsoc_gpu_channels_fini(gdev);
	return ret;
}

/* Frees what the device reads; the channels must be stopped. */
void nvsoc_gpu_channels_fini(struct nvsoc_gpu_device *gdev)
{
	struct device *dev = gdev->bus.dev;
	unsigned int c;

	for (c = 0; c < gdev->num_channels; c++) {
		struct nvsoc_gpu_channel *ch = &gdev->channels[c];

		if (ch->pushbuf)
			dma_free_attrs(dev, ch->pushbuf_size, ch->pushbuf, ch->pushbuf_dma, 0);
		if (ch->gpfifo)
			dma_free_attrs(dev, NVSOC_GPU_GPFIFO_ENTRIES * 8, ch->gpfifo,
				       ch->gpfifo_dma, 0);
		ch->pushbuf = NULL;
		ch->gpfifo = NULL;
	}
}

/*
 * Resets the channel and programs it afresh: ring, apertures, engine,
 * interrupt vector, then enables it. The reset also clears GP_GET and
 * GP_PUT, so the kernel's ring pointers start over. ch->lock held.
 */
void nvsoc_gpu_channel_hw_setup(struct nvsoc_gpu_channel *ch)
{
	struct nvsoc_gpu_device *gdev = ch->gdev;
	unsigned int c = ch->id;
	u32 ap = NVSOC_GPU_APERTURE_SYSMEM_COHERENT;

	nvsoc_gpu_wr(gdev, NVSOC_GPU_CH(c, NVSOC_GPU_CH_CTRL), NVSOC_GPU_CH_CTRL_RESET);
	nvsoc_gpu_wr(gdev, NVSOC_GPU_CH(c, NVSOC_GPU_CH_GPFIFO_LO), lower_32_bits(ch->gpfifo_dma));
	nvsoc_gpu_wr(gdev, NVSOC_GPU_CH(c, NVSOC_GPU_CH_GPFIFO_HI), upper_32_bits(ch->gpfifo_dma));
	nvsoc_gpu_wr(gdev, NVSOC_GPU_CH(c, NVSOC_GPU_CH_GPFIFO_LOG2), NVSOC_GPU_GPFIFO_LOG2);
	nvsoc_gpu_wr(gdev, NVSOC_GPU_CH(c, NVSOC_GPU_CH_APERTURE),
		     ap << NVSOC_GPU_CH_APERTURE_GPFIFO_SHIFT |
		     ap << NVSOC_GPU_CH_APERTURE_PB_SHIFT |
		     ap << NVSOC_GPU_CH_APERTURE_SEM_SHIFT);
	nvsoc_gpu_wr(gdev, NVSOC_GPU_CH(c, NVSOC_GPU_CH_ENGINE), ch->engine);
	nvsoc_gpu_wr(gdev, NVSOC_GPU_CH(c, NVSOC_GPU_CH_INTR_VECTOR), ch->vector);
	/*
	 * A pending bit left from before would swallow the channel's next
	 * interrupt (a message is sent only when it goes from 0 to 1).
	 */
	if (c < 32)
		nvsoc_gpu_wr(gdev, NVSOC_GPU_NONSTALL_PENDING_LO, BIT(c));
	else
		nvsoc_gpu_wr(gdev, NVSOC_GPU_NONSTALL_PENDING_HI, BIT(c - 32));
	nvsoc_gpu_wr(gdev, NVSOC_GPU_CH(c, NVSOC_GPU_CH_CTRL), NVSOC_GPU_CH_CTRL_ENABLE);
	ch->gp_put = 0;
	ch->pb_put = 0;
}

/* Stops the channel: no more fetches, its work dropped. ch->lock held. */
static void nvsoc_gpu_channel_hw_stop(struct nvsoc_gpu_channel *ch)
{
	struct nvsoc_gpu_device *gdev = ch->gdev;

	nvsoc_gpu_wr(gdev, NVSOC_GPU_CH(ch->id, NVSOC_GPU_CH_CTRL), NVSOC_GPU_CH_CTRL_RESET);
	/*
	 * A read flushes the posted write: the channel is stopped when it
	 * returns, so its memory can be given back.
	 */
	nvsoc_gpu_rd(gdev, NVSOC_GPU_CH(ch->id, NVSOC_GPU_CH_STATUS));
}

/* --- Jobs ------------------------------------------------------------------------ */

void nvsoc_gpu_jobs_free(struct list_head *jobs)
{
	struct nvsoc_gpu_job *job, *tmp;
	unsigned int i;

	list_for_each_entry_safe(job, tmp, jobs, link) {
		list_del(&job->link);
		for (i = 0; i < job->nr_bos; i++)
			drm_gem_object_put(&job->bos[i]->base);
		kfree(job);
	}
}

/* The job is over: its BOs go back to the CPU and its result is kept. */
static void nvsoc_gpu_job_settle(struct nvsoc_gpu_channel *ch, struct nvsoc_gpu_job *job,
				 int status, u64 done_ns)
{
	struct nvsoc_gpu_device *gdev = ch->gdev;
	struct nvsoc_gpu_job_result *r = &ch->results[job->seqno % NVSOC_GPU_RESULTS];
	unsigned int i;

	for (i = 0; i < job->nr_bos; i++)
		nvsoc_gpu_bo_sync_for_cpu(gdev, job->bos[i]);
	if (job->pm_ref) {
		job->pm_ref = false;
		gdev->bus.ops->runtime_put(gdev);
	}
	r->seqno = job->seqno;
	r->status = status;
	r->done_ns = done_ns;
	/*
	 * Waiters read this without the lock; the results above are read
	 * under it.
	 */
	WRITE_ONCE(ch->settled_seqno, job->seqno);
	if (status)
		ch->failed++;
	else
		ch->completed++;
	trace_nvsoc_gpu_complete(gdev->bus.dev, ch->id, job->seqno, status, done_ns);
}

/* Retires what the semaphore says is done; called by the IRQ thread. */
void nvsoc_gpu_channel_retire(struct nvsoc_gpu_channel *ch)
{
	struct nvsoc_gpu_sem16 *slot = nvsoc_gpu_slot(ch);
	struct nvsoc_gpu_job *job, *tmp;
	LIST_HEAD(done);
	u32 payload;
	u64 ts;

	mutex_lock(&ch->lock);
	ch->interrupts++;
	payload = le32_to_cpu(READ_ONCE(slot->payload));
	dma_rmb();
	ts = le64_to_cpu(READ_ONCE(slot->timestamp));
	list_for_each_entry_safe(job, tmp, &ch->jobs, link) {
		if (!nvsoc_gpu_seq_ge(payload, job->seqno))
			break;
		/*
		 * The slot's clock is the newest job's; older ones in the
		 * same batch finished at some time before it.
		 */
		nvsoc_gpu_job_settle(ch, job, 0, job->seqno == payload ? ts : 0);
		list_move_tail(&job->link, &done);
	}
	mutex_unlock(&ch->lock);
	if (!list_empty(&done)) {
		wake_up_all(&ch->wq);
		nvsoc_gpu_jobs_free(&done);
	}
}

/*
 * Fails every outstanding job with -EIO. If the engines are known to be
 * stopped, the jobs (and the BOs they hold) go to @to_free for the caller
 * to free after dropping ch->lock; otherwise the device may still touch
 * their memory, so they wait on ch->zombies for the next engine reset.
 * ch->lock held; the caller wakes ch->wq.
 */
void nvsoc_gpu_channel_fail_jobs(struct nvsoc_gpu_channel *ch, bool engine_stopped,
				 struct list_head *to_free)
{
	struct nvsoc_gpu_job *job, *tmp;

	list_for_each_entry_safe(job, tmp, &ch->jobs, link) {
		nvsoc_gpu_job_settle(ch, job, -EIO, 0);
		list_move_tail(&job->link, &ch->zombies);
	}
	if (engine_stopped)
		list_splice_tail_init(&ch->zombies, to_free);
}

/* After a channel fault: stop it, fail its jobs, start it again (Xid 43). */
void nvsoc_gpu_channel_reset(struct nvsoc_gpu_channel *ch, const char *why)
{
	struct nvsoc_gpu_device *gdev = ch->gdev;
	unsigned int lost = 0;
	struct nvsoc_gpu_job *job;
	LIST_HEAD(to_free);

	mutex_lock(&ch->lock);
	list_for_each_entry(job, &ch->jobs, link)
		lost++;
	nvsoc_gpu_channel_hw_stop(ch);
	nvsoc_gpu_channel_fail_jobs(ch, true, &to_free);
	if (ch->owner)
		nvsoc_gpu_channel_hw_setup(ch);
	else
		nvsoc_gpu_wr(gdev, NVSOC_GPU_CH(ch->id, NVSOC_GPU_CH_CTRL), 0);
	mutex_unlock(&ch->lock);
	dev_err_ratelimited(gdev->bus.dev,
			    "Xid %u: channel %u stopped (%s), %u job(s) failed; channel reset\n",
			    NVSOC_GPU_XID_CHANNEL_STOPPED, ch->id, why, lost);
	trace_nvsoc_gpu_fault(gdev->bus.dev, NVSOC_GPU_XID_CHANNEL_STOPPED, ch->id, 0, 0, 0, 0, 0,
			      lost);
	wake_up_all(&ch->wq);
	nvsoc_gpu_jobs_free(&to_free);
}

/* --- Channel ownership --------------------------------------------------------- */

static struct nvsoc_gpu_channel *nvsoc_gpu_channel_get(struct nvsoc_gpu_device *gdev, u32 id)
{
	if (id >= gdev->num_channels)
		return NULL;
	return &gdev->channels[array_index_nospec(id, gdev->num_channels)];
}

int nvsoc_gpu_ioctl_channel_create(struct drm_device *drm, void *data, struct drm_file *file)
{
	struct nvsoc_gpu_device *gdev = to_nvsoc_gpu(drm);
	struct drm_nvsoc_gpu_channel_create *args = data;
	unsigned int c;
	int idx, ret = -EBUSY;

	if (args->engine != NVSOC_GPU_ENGINE_ANY && args->engine >= gdev->num_ces)
		return -EINVAL;
	if (!drm_dev_enter(drm, &idx))
		return -ENODEV;
	for (c = 0; c < gdev->num_channels; c++) {
		struct nvsoc_gpu_channel *ch = &gdev->channels[c];

		mutex_lock(&ch->lock);
		if (READ_ONCE(gdev->state) != NVSOC_GPU_RUNNING) {
			mutex_unlock(&ch->lock);
			ret = -EIO;
			break;
		}
		if (!ch->owner) {
			ch->owner = file;
			ch->generation++;
			ch->engine = args->engine == NVSOC_GPU_ENGINE_ANY ? c % gdev->num_ces :
									     args->engine;
			nvsoc_gpu_channel_hw_setup(ch);
			mutex_unlock(&ch->lock);
			args->channel = c;
			drm_dbg(drm, "channel %u created on CE%u, vector %u\n", c, ch->engine,
				ch->vector);
			ret = 0;
			break;
		}
		mutex_unlock(&ch->lock);
	}
	drm_dev_exit(idx);
	return ret;
}

/* Gives the channel back: stopped, its jobs failed. ch->lock held. */
static void nvsoc_gpu_channel_release(struct nvsoc_gpu_channel *ch, bool reachable,
				      struct list_head *to_free)
{
	struct nvsoc_gpu_device *gdev = ch->gdev;
	bool running = reachable && READ_ONCE(gdev->state) == NVSOC_GPU_RUNNING;

	if (running) {
		nvsoc_gpu_channel_hw_stop(ch);
		nvsoc_gpu_wr(gdev, NVSOC_GPU_CH(ch->id, NVSOC_GPU_CH_CTRL), 0);
	}
	nvsoc_gpu_channel_fail_jobs(ch, running, to_free);
	ch->owner = NULL;
	ch->generation++;
}

int nvsoc_gpu_ioctl_channel_destroy(struct drm_device *drm, void *data, struct drm_file *file)
{
	struct nvsoc_gpu_device *gdev = to_nvsoc_gpu(drm);
	struct drm_nvsoc_gpu_channel_destroy *args = data;
	struct nvsoc_gpu_channel *ch;
	LIST_HEAD(to_free);
	int idx, ret = 0;

	if (args->pad)
		return -EINVAL;
	ch = nvsoc_gpu_channel_get(gdev, args->channel);
	if (!ch)
		return -EINVAL;
	if (!drm_dev_enter(drm, &idx))
		return -ENODEV;
	mutex_lock(&ch->lock);
	if (ch->owner == file)
		nvsoc_gpu_channel_release(ch, true, &to_free);
	else
		ret = -EINVAL;
	mutex_unlock(&ch->lock);
	drm_dev_exit(idx);
	wake_up_all(&ch->wq);
	nvsoc_gpu_jobs_free(&to_free);
	return ret;
}

/* The file is closing: give back its channels. */
void nvsoc_gpu_file_close(struct nvsoc_gpu_device *gdev, struct drm_file *file)
{
	bool reachable;
	unsigned int c;
	int idx;

	/*
	 * After removal the registers are unmapped; the channels were
	 * stopped and their jobs freed by the removal already.
	 */
	reachable = drm_dev_enter(&gdev->drm, &idx);
	for (c = 0; c < gdev->num_channels; c++) {
		struct nvsoc_gpu_channel *ch = &gdev->channels[c];
		LIST_HEAD(to_free);

		mutex_lock(&ch->lock);
		if (ch->owner == file)
			nvsoc_gpu_channel_release(ch, reachable, &to_free);
		mutex_unlock(&ch->lock);
		wake_up_all(&ch->wq);
		nvsoc_gpu_jobs_free(&to_free);
	}
	if (reachable)
		drm_dev_exit(idx);
}

/* --- Submission ------------------------------------------------------------------ */

/*
 * Room for @bytes of pushbuffer and one GP entry. The pushbuffer is a ring
 * whose oldest byte in use is the oldest outstanding job's first; a job
 * never wraps (it starts over at 0 when the end has no room).
 */
static bool nvsoc_gpu_ring_space(struct nvsoc_gpu_channel *ch, u32 bytes, u32 *pb_off)
{
	struct nvsoc_gpu_job *oldest;
	u32 size = ch->pushbuf_size;
	u32 put = ch->pb_put;
	u32 tail;

	oldest = list_first_entry_or_null(&ch->jobs, struct nvsoc_gpu_job, link);
	if (!oldest) {
		/* Idle: everything the device was given has been read. */
		*pb_off = 0;
		return bytes <= size;
	}
	if (((ch->gp_put - oldest->gp_index) & (NVSOC_GPU_GPFIFO_ENTRIES - 1)) >=
	    NVSOC_GPU_GPFIFO_ENTRIES - 1)
		return false;
	tail = oldest->pb_start;
	if (put >= tail) {
		if (size - put >= bytes) {
			*pb_off = put;
			return true;
		}
		if (tail > bytes) {
			*pb_off = 0;
			return true;
		}
		return false;
	}
	if (tail - put > bytes) {
		*pb_off = put;
		return true;
	}
	return false;
}

static int nvsoc_gpu_channel_usable(struct nvsoc_gpu_channel *ch, struct drm_file *file)
{
	enum nvsoc_gpu_state state = READ_ONCE(ch->gdev->state);

	if (ch->owner != file)
		return -EINVAL;
	if (state == NVSOC_GPU_REMOVED)
		return -ENODEV;
	if (state != NVSOC_GPU_RUNNING)
		return -EIO;
	return 0;
}

/*
 * Puts the rebuilt job into the channel and rings the doorbell. Once
 * ch->lock is dropped the job belongs to the channel (the IRQ thread may
 * retire and free it at once), so its sequence number is handed back in
 * *seqno_out rather than read from the job by the caller.
 */
static int nvsoc_gpu_channel_push(struct nvsoc_gpu_channel *ch, struct drm_file *file,
				  struct nvsoc_gpu_push *out, struct nvsoc_gpu_job *job,
				  u32 *seqno_out)
{
	struct nvsoc_gpu_device *gdev = ch->gdev;
	u32 bytes = (out->len + NVSOC_GPU_EPILOGUE_DWORDS) * sizeof(u32);
	unsigned int c = ch->id;
	u32 pb_off, seqno, i;
	dma_addr_t seg, sem;
	long left;
	int ret;

	mutex_lock(&ch->lock);
	for (;;) {
		u32 settled = ch->settled_seqno, gen = ch->generation;

		ret = nvsoc_gpu_channel_usable(ch, file);
		if (ret)
			goto unlock;
		if (nvsoc_gpu_ring_space(ch, bytes, &pb_off))
			break;
		/* Full: wait, without the lock, for the IRQ thread to retire. */
		mutex_unlock(&ch->lock);
		left = wait_event_interruptible_timeout(ch->wq,
							READ_ONCE(ch->settled_seqno) != settled ||
							READ_ONCE(ch->generation) != gen ||
							READ_ONCE(gdev->state) != NVSOC_GPU_RUNNING,
							NVSOC_GPU_SPACE_TIMEOUT);
		if (left < 0)
			return left;
		if (!left) {
			dev_dbg(gdev->bus.dev, "channel %u: ring still full after %u s\n", c,
				NVSOC_GPU_SPACE_TIMEOUT / HZ);
			return -EBUSY;
		}
		mutex_lock(&ch->lock);
	}

	/* The tail: release seqno with the device clock, then interrupt. */
	seqno = ch->last_seqno + 1;
	sem = nvsoc_gpu_slot_dma(ch);
	nvsoc_gpu_emit(out, 0, NVSOC_GPU_SEMAPHOREA, 4,
		       (u32[]){ upper_32_bits(sem) & 0xff, lower_32_bits(sem), seqno,
				NVSOC_GPU_SEMAPHORED_OP_RELEASE });
	nvsoc_gpu_emit(out, 0, NVSOC_GPU_NON_STALL_INTERRUPT, 1, (u32[]){ 0 });
	if (WARN_ON(out->overflow || out->len * sizeof(u32) != bytes)) {
		ret = -EINVAL;
		goto unlock;
	}

	memcpy((u8 *)ch->pushbuf + pb_off, out->dw, bytes);
	seg = ch->pushbuf_dma + pb_off;
	ch->gpfifo[2 * ch->gp_put] = cpu_to_le32(lower_32_bits(seg) & ~3u);
	ch->gpfifo[2 * ch->gp_put + 1] =
		cpu_to_le32((upper_32_bits(seg) & NVSOC_GPU_GP_ENTRY1_GET_HI_MASK) |
			    (bytes / 4) << NVSOC_GPU_GP_ENTRY1_LENGTH_SHIFT);

	job->seqno = seqno;
	job->gp_index = ch->gp_put;
	job->pb_start = pb_off;
	job->pb_end = pb_off + bytes;
	/* Hand user-pointer BOs to the device before it can see the job. */
	for (i = 0; i < job->nr_bos; i++)
		nvsoc_gpu_bo_sync_for_device(gdev, job->bos[i]);
	list_add_tail(&job->link, &ch->jobs);
	ch->last_seqno = seqno;
	ch->pb_put = job->pb_end;
	ch->gp_put = (ch->gp_put + 1) & (NVSOC_GPU_GPFIFO_ENTRIES - 1);
	ch->submitted++;

	/*
	 * writel() orders the writes to coherent memory above before itself
	 * (Documentation/memory-barriers.txt), so the device reads the GP
	 * entry and the methods only after they are complete.
	 */
	nvsoc_gpu_wr(gdev, NVSOC_GPU_USERD(c) + NVSOC_GPU_USERD_GP_PUT, ch->gp_put);
	nvsoc_gpu_wr(gdev, NVSOC_GPU_USERMODE + NVSOC_GPU_USERMODE_DOORBELL, c);
	trace_nvsoc_gpu_submit(gdev->bus.dev, c, seqno, bytes / 4, ch->gp_put);
	*seqno_out = seqno;
unlock:
	mutex_unlock(&ch->lock);
	return ret;
}

int nvsoc_gpu_ioctl_submit(struct drm_device *drm, void *data, struct drm_file *file)
{
	struct nvsoc_gpu_device *gdev = to_nvsoc_gpu(drm);
	struct drm_nvsoc_gpu_submit *args = data;
	struct drm_nvsoc_gpu_reloc *relocs = NULL;
	struct nvsoc_gpu_channel *ch;
	struct nvsoc_gpu_push *out;
	struct nvsoc_gpu_job *job;
	u32 *push;
	unsigned int i;
	int idx, ret;

	if (args->flags || args->pad || !args->push_dwords ||
	    args->push_dwords > NVSOC_GPU_MAX_PUSH_DWORDS || args->nr_relocs > NVSOC_GPU_MAX_RELOCS)
		return -EINVAL;
	ch = nvsoc_gpu_channel_get(gdev, args->channel);
	if (!ch)
		return -EINVAL;

	/*
	 * One copy of everything from user space: what is checked is what
	 * is used (no second read to race with).
	 */
	push = vmemdup_array_user(u64_to_user_ptr(args->push), args->push_dwords, sizeof(u32));
	if (IS_ERR(push))
		return PTR_ERR(push);
	if (args->nr_relocs) {
		relocs = vmemdup_array_user(u64_to_user_ptr(args->relocs), args->nr_relocs,
					    sizeof(*relocs));
		if (IS_ERR(relocs)) {
			ret = PTR_ERR(relocs);
			relocs = NULL;
			goto free_push;
		}
	}
	out = kvzalloc(sizeof(*out), GFP_KERNEL);
	if (!out) {
		ret = -ENOMEM;
		goto free_relocs;
	}
	out->cap = ch->pushbuf_size / sizeof(u32);
	out->dw = kvmalloc_array(out->cap, sizeof(u32), GFP_KERNEL);
	if (!out->dw) {
		ret = -ENOMEM;
		goto free_out;
	}
	/* Room for the tail stays free until the channel adds it. */
	out->cap -= NVSOC_GPU_EPILOGUE_DWORDS;
	nvsoc_gpu_emit(out, NVSOC_GPU_COPY_SUBCH, NVSOC_GPU_SET_OBJECT, 1,
		       (u32[]){ NVSOC_GPU_COPY_CLASS });

	ret = nvsoc_gpu_validate(gdev, file, push, args->push_dwords, relocs, args->nr_relocs,
				 out);
	if (ret)
		goto put_bos;
	out->cap += NVSOC_GPU_EPILOGUE_DWORDS;

	job = kzalloc(struct_size(job, bos, out->nr_bos), GFP_KERNEL);
	if (!job) {
		ret = -ENOMEM;
		goto put_bos;
	}
	job->nr_bos = out->nr_bos;
	memcpy(job->bos, out->bos, out->nr_bos * sizeof(out->bos[0]));

	if (!drm_dev_enter(drm, &idx)) {
		ret = -ENODEV;
	} else {
		/* The bus stays awake until the job settles (above). */
		ret = 0;
		if (gdev->bus.ops->runtime_get) {
			ret = gdev->bus.ops->runtime_get(gdev);
			job->pm_ref = !ret;
		}
		if (!ret)
			ret = nvsoc_gpu_channel_push(ch, file, out, job, &args->seqno);
		/* Not pushed: no settle will drop the reference. */
		if (ret && job->pm_ref)
			gdev->bus.ops->runtime_put(gdev);
		drm_dev_exit(idx);
	}
	if (ret) {
		kfree(job);
		goto put_bos;
	}
	goto free_dw;

put_bos:
	for (i = 0; i < out->nr_bos; i++)
		drm_gem_object_put(&out->bos[i]->base);
free_dw:
	kvfree(out->dw);
free_out:
	kvfree(out);
free_relocs:
	kvfree(relocs);
free_push:
	kvfree(push);
	return ret;
}

/* --- Waiting ------------------------------------------------------------------------ */

static bool nvsoc_gpu_wait_over(struct nvsoc_gpu_channel *ch, u32 seqno, u32 gen)
{
	return nvsoc_gpu_seq_ge(READ_ONCE(ch->settled_seqno), seqno) ||
	       READ_ONCE(ch->generation) != gen;
}

/* A timed-out wait: say what the device shows (dyndbg), check it is there. */
static void nvsoc_gpu_wait_timed_out(struct nvsoc_gpu_channel *ch, u32 seqno)
{
	struct nvsoc_gpu_device *gdev = ch->gdev;
	unsigned int c = ch->id;
	int idx;

	if (!drm_dev_enter(&gdev->drm, &idx))
		return;
	if (nvsoc_gpu_check_alive(gdev))
		dev_dbg(gdev->bus.dev,
			"channel %u: seqno %u not done: settled %u, semaphore %u, GP_GET %u, GP_PUT %u, CH_STATUS 0x%x, NONSTALL_PENDING 0x%08x%08x\n",
			c, seqno, READ_ONCE(ch->settled_seqno),
			le32_to_cpu(READ_ONCE(nvsoc_gpu_slot(ch)->payload)),
			nvsoc_gpu_rd(gdev, NVSOC_GPU_USERD(c) + NVSOC_GPU_USERD_GP_GET),
			nvsoc_gpu_rd(gdev, NVSOC_GPU_USERD(c) + NVSOC_GPU_USERD_GP_PUT),
			nvsoc_gpu_rd(gdev, NVSOC_GPU_CH(c, NVSOC_GPU_CH_STATUS)),
			nvsoc_gpu_rd(gdev, NVSOC_GPU_NONSTALL_PENDING_HI),
			nvsoc_gpu_rd(gdev, NVSOC_GPU_NONSTALL_PENDING_LO));
	drm_dev_exit(idx);
}

int nvsoc_gpu_ioctl_wait(struct drm_device *drm, void *data, struct drm_file *file)
{
	struct nvsoc_gpu_device *gdev = to_nvsoc_gpu(drm);
	struct drm_nvsoc_gpu_wait *args = data;
	struct nvsoc_gpu_job_result *r;
	struct nvsoc_gpu_channel *ch;
	u32 seqno = args->seqno;
	unsigned long timeout;
	long left;
	u32 gen;
	int ret;

	if (args->timeout_ns < 0)
		return -EINVAL;
	ch = nvsoc_gpu_channel_get(gdev, args->channel);
	if (!ch)
		return -EINVAL;
	mutex_lock(&ch->lock);
	ret = ch->owner == file ? 0 : -EINVAL;
	if (!ret && !nvsoc_gpu_seq_ge(ch->last_seqno, seqno))
		ret = -EINVAL;
	gen = ch->generation;
	mutex_unlock(&ch->lock);
	if (ret)
		return ret;

	timeout = min_t(u64, nsecs_to_jiffies64(args->timeout_ns), MAX_SCHEDULE_TIMEOUT - 1);
	if (args->timeout_ns && !timeout)
		timeout = 1;
	left = wait_event_interruptible_timeout(ch->wq, nvsoc_gpu_wait_over(ch, seqno, gen),
						timeout);
	if (left < 0)
		return left;
	if (!left && !nvsoc_gpu_wait_over(ch, seqno, gen)) {
		nvsoc_gpu_wait_timed_out(ch, seqno);
		return -ETIMEDOUT;
	}

	mutex_lock(&ch->lock);
	r = &ch->results[seqno % NVSOC_GPU_RESULTS];
	if (ch->generation != gen) {
		ret = -ECANCELED;
	} else if (r->seqno == seqno) {
		ret = r->status;
		args->done_ns = r->done_ns;
	} else {
		/*
		 * Retired too long ago to remember: it did complete or fail,
		 * and failures were reported when they happened.
		 */
		args->done_ns = 0;
	}
	mutex_unlock(&ch->lock);
	if (ret == -EIO && READ_ONCE(gdev->state) == NVSOC_GPU_REMOVED)
		ret = -ENODEV;
	return ret;
}
