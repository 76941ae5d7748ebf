// SPDX-License-Identifier: GPL-2.0-only
/*
 * nvsoc GPU accel driver: interrupts, the fault buffer and Xid reports.
 *
 * Vector 0 carries the "stall" sources (fault buffer, channel errors, ECC,
 * NVLink port events);
 * each channel's non-stall interrupt (job completion) goes to the vector in
 * its CH_INTR_VECTOR. With MSI-X and 1 + channels vectors every channel
 * has its own; with fewer (MSI, INTx) channels share, and with one vector
 * everything arrives on vector 0.
 *
 * Every vector has a hard half and a thread (request_threaded_irq):
 *
 * - the hard half only touches registers: it acknowledges (W1C) the
 *   NONSTALL_PENDING bits of its channels, remembering them for the
 *   thread, and masks the stall sources it saw (INTR_EN_CLEAR), so a
 *   level-triggered shared INTx line drops before the thread runs. It
 *   never sleeps and takes no lock;
 * - the thread does the work that may sleep: it retires jobs (reading the
 *   semaphores after the acknowledge, so a completion that raced with it
 *   raises a new interrupt instead of being lost), drains the fault buffer,
 *   resets faulted channels, then unmasks the stall sources and looks once
 *   more, since an edge-triggered MSI raised while they were masked may
 *   never come.
 *
 * Fault reports follow NVIDIA's Xid lines (NVRM: Xid (PCI:...): 31, ...),
 * one line per fault, prefixed by the device as dev_err prints it:
 *
 *   nvsoc-gpu 0000:01:00.0: Xid 31: channel 3 engine CE0 MMU fault
 *     VA_LIMIT_VIOLATION read at 0x1000000000 (aperture SYSMEM, detail ...)
 */
#include <linux/bitops.h>
#include <linux/interrupt.h>

#include "nvsoc_gpu_drv.h"
#include "nvsoc_gpu_trace.h"

#define NVSOC_GPU_INTR_STALL \
	(NVSOC_GPU_INTR_FAULT | NVSOC_GPU_INTR_CHANNEL | NVSOC_GPU_INTR_ECC | \
	 NVSOC_GPU_INTR_NVLINK)
#define NVSOC_GPU_INTR_ALL (NVSOC_GPU_INTR_STALL | NVSOC_GPU_INTR_NONSTALL)

/* Which vector a channel's non-stall interrupt uses. */
unsigned int nvsoc_gpu_channel_vector(struct nvsoc_gpu_device *gdev, unsigned int ch)
{
	unsigned int n = gdev->bus.nr_irqs;

	return n > 1 ? 1 + ch % (n - 1) : 0;
}

/* --- Names for the log -------------------------------------------------------- */

#define NVSOC_GPU_FAULT_ENTRY(name) \
	[NVSOC_GPU_FAULT_##name] = #name,
static const char * const nvsoc_gpu_fault_names[] = {
	NVSOC_GPU_FAULT_TYPES(NVSOC_GPU_FAULT_ENTRY)
};

static const char *nvsoc_gpu_fault_type_name(u32 type)
{
	if (type < ARRAY_SIZE(nvsoc_gpu_fault_names) && nvsoc_gpu_fault_names[type])
		return nvsoc_gpu_fault_names[type];
	return "UNKNOWN_FAULT";
}

static const char *nvsoc_gpu_xid_name(u32 xid)
{
	switch (xid) {
	case NVSOC_GPU_XID_MMU_FAULT:
		return "MMU fault";
	case NVSOC_GPU_XID_PBDMA_ERROR:
		return "PBDMA error";
	case NVSOC_GPU_XID_CHANNEL_STOPPED:
		return "channel stopped";
	case NVSOC_GPU_XID_ECC_DBE:
		return "ECC double-bit error";
	case 39 ... 41:
	case 70 ... 72:
	case 75 ... 77:
	case 85:
		return "copy engine error";
	}
	return "error";
}

static const char *nvsoc_gpu_access_name(u32 access)
{
	/* With a leading space; none when ADDR is not a memory address. */
	switch (access) {
	case NVSOC_GPU_ACCESS_READ:
		return " read";
	case NVSOC_GPU_ACCESS_WRITE:
		return " write";
	case NVSOC_GPU_ACCESS_ATOMIC:
		return " atomic";
	}
	return "";
}

static const char *nvsoc_gpu_aperture_name(u32 aperture)
{
	static const char *const names[] = { "VRAM", "SYSMEM", "SYSMEM_NONCOHERENT", "PEER" };

	return names[aperture & 3];
}

/* --- The fault buffer ---------------------------------------------------------- */

/* Programs the fault buffer: where, how big, enabled; empties it. */
void nvsoc_gpu_fault_buf_setup(struct nvsoc_gpu_device *gdev)
{
	mutex_lock(&gdev->fault_lock);
	memset(gdev->fault_buf, 0, NVSOC_GPU_FAULT_BUF_BYTES);
	gdev->fault_get = 0;
	gdev->fault_count = 0;
	nvsoc_gpu_wr(gdev, NVSOC_GPU_FAULT_BUF_LO, lower_32_bits(gdev->fault_buf_dma));
	nvsoc_gpu_wr(gdev, NVSOC_GPU_FAULT_BUF_HI, upper_32_bits(gdev->fault_buf_dma));
	nvsoc_gpu_wr(gdev, NVSOC_GPU_FAULT_BUF_SIZE, NVSOC_GPU_FAULT_ENTRIES);
	nvsoc_gpu_wr(gdev, NVSOC_GPU_FAULT_BUF_GET, NVSOC_GPU_FAULT_BUF_GET_CLEAR_OVERFLOW);
	nvsoc_gpu_wr(gdev, NVSOC_GPU_FAULT_BUF_CTRL,
		     NVSOC_GPU_FAULT_BUF_CTRL_ENABLE |
		     NVSOC_GPU_APERTURE_SYSMEM_COHERENT << NVSOC_GPU_FAULT_BUF_CTRL_APERTURE_SHIFT);
	mutex_unlock(&gdev->fault_lock);
}

/* One fault record: one Xid line and one tracepoint. */
static void nvsoc_gpu_report_fault(struct nvsoc_gpu_device *gdev, const __le32 *rec)
{
	u64 addr = le32_to_cpu(rec[NVSOC_GPU_FAULT_W_ADDR_LO]) |
		   (u64)le32_to_cpu(rec[NVSOC_GPU_FAULT_W_ADDR_HI]) << 32;
	u64 time = le32_to_cpu(rec[NVSOC_GPU_FAULT_W_TIME_LO]) |
		   (u64)le32_to_cpu(rec[NVSOC_GPU_FAULT_W_TIME_HI]) << 32;
	u32 info = le32_to_cpu(rec[NVSOC_GPU_FAULT_W_INFO]);
	u32 channel = le32_to_cpu(rec[NVSOC_GPU_FAULT_W_CHANNEL]) & 0xffff;
	u32 detail = le32_to_cpu(rec[NVSOC_GPU_FAULT_W_DETAIL]);
	u32 type = info & NVSOC_GPU_FAULT_INFO_TYPE_MASK;
	u32 access = (info >> NVSOC_GPU_FAULT_INFO_ACCESS_SHIFT) & 0xf;
	u32 aperture = (info >> NVSOC_GPU_FAULT_INFO_APERTURE_SHIFT) & 0x3;
	u32 xid = (info >> NVSOC_GPU_FAULT_INFO_XID_SHIFT) & 0xff;
	u32 engine = info >> NVSOC_GPU_FAULT_INFO_ENGINE_SHIFT;
	char ch_name[8], engine_name[8];

	if (channel == NVSOC_GPU_FAULT_NO_CHANNEL)
		strscpy(ch_name, "none");
	else
		snprintf(ch_name, sizeof(ch_name), "%u", channel);
	if (engine)
		snprintf(engine_name, sizeof(engine_name), "CE%u", engine - 1);
	else
		strscpy(engine_name, "HOST");
	dev_err_ratelimited(gdev->bus.dev,
			    "Xid %u: channel %s engine %s %s %s%s at 0x%llx (aperture %s, detail 0x%08x, time %llu ns)\n",
			    xid, ch_name, engine_name, nvsoc_gpu_xid_name(xid),
			    nvsoc_gpu_fault_type_name(type), nvsoc_gpu_access_name(access), addr,
			    nvsoc_gpu_aperture_name(aperture), detail, time);
	trace_nvsoc_gpu_fault(gdev->bus.dev, xid, channel, engine, type, access, aperture, addr,
			      detail);
}

/*
 * Reads every record between GET and PUT, then gives the slots back. The
 * stall vector's thread and error recovery both drain: fault_lock keeps a
 * record from being reported twice.
 */
static void nvsoc_gpu_drain_faults(struct nvsoc_gpu_device *gdev)
{
	u32 put_reg, put, get, get_reg;

	mutex_lock(&gdev->fault_lock);
	put_reg = nvsoc_gpu_rd(gdev, NVSOC_GPU_FAULT_BUF_PUT);
	put = put_reg & ~NVSOC_GPU_FAULT_BUF_PUT_OVERFLOW;
	get = gdev->fault_get;
	if (put >= NVSOC_GPU_FAULT_ENTRIES) {
		dev_err_ratelimited(gdev->bus.dev, "fault buffer PUT 0x%x out of range\n", put_reg);
		goto out;
	}
	/* The records were written before PUT moved. */
	dma_rmb();
	while (get != put) {
		__le32 *rec = gdev->fault_buf + get * (NVSOC_GPU_FAULT_RECORD_SIZE / 4);

		if (le32_to_cpu(READ_ONCE(rec[NVSOC_GPU_FAULT_W_VALID])) & NVSOC_GPU_FAULT_VALID)
			nvsoc_gpu_report_fault(gdev, rec);
		else
			dev_err_ratelimited(gdev->bus.dev, "fault record %u is not valid\n", get);
		/* So a slot the device has not rewritten is seen as such. */
		WRITE_ONCE(rec[NVSOC_GPU_FAULT_W_VALID], 0);
		get = (get + 1) % NVSOC_GPU_FAULT_ENTRIES;
	}
	gdev->fault_get = get;
	get_reg = get;
	if (put_reg & NVSOC_GPU_FAULT_BUF_PUT_OVERFLOW) {
		u32 count = nvsoc_gpu_rd(gdev, NVSOC_GPU_FAULT_COUNT);

		dev_err_ratelimited(gdev->bus.dev,
				    "fault buffer overflowed: %u faults since the last drain, some not recorded\n",
				    count - gdev->fault_count);
		get_reg |= NVSOC_GPU_FAULT_BUF_GET_CLEAR_OVERFLOW;
	}
	gdev->fault_count = nvsoc_gpu_rd(gdev, NVSOC_GPU_FAULT_COUNT);
	nvsoc_gpu_wr(gdev, NVSOC_GPU_FAULT_BUF_GET, get_reg);
out:
	mutex_unlock(&gdev->fault_lock);
}

/* Channels that stopped on a fault: reset each (Xid 43). */
static void nvsoc_gpu_channel_errors(struct nvsoc_gpu_device *gdev)
{
	u64 bits = nvsoc_gpu_rd(gdev, NVSOC_GPU_CHANNEL_ERROR_LO) |
		   (u64)nvsoc_gpu_rd(gdev, NVSOC_GPU_CHANNEL_ERROR_HI) << 32;
	unsigned int c;

	if (gdev->num_channels < 64)
		bits &= BIT_ULL(gdev->num_channels) - 1;
	while (bits) {
		u32 status, detail, xid, type;
		char why[80];

		c = __ffs64(bits);
		bits &= bits - 1;
		status = nvsoc_gpu_rd(gdev, NVSOC_GPU_CH(c, NVSOC_GPU_CH_STATUS));
		detail = nvsoc_gpu_rd(gdev, NVSOC_GPU_CH(c, NVSOC_GPU_CH_ERROR_DETAIL));
		xid = (status >> NVSOC_GPU_CH_STATUS_XID_SHIFT) & 0xff;
		type = (status >> NVSOC_GPU_CH_STATUS_FAULT_TYPE_SHIFT) & 0xff;
		snprintf(why, sizeof(why), "after Xid %u %s, detail 0x%08x", xid,
			 nvsoc_gpu_fault_type_name(type), detail);
		nvsoc_gpu_channel_reset(&gdev->channels[c], why);
		/* Acknowledged after the reset, which cleared FAULTED. */
		if (c < 32)
			nvsoc_gpu_wr(gdev, NVSOC_GPU_CHANNEL_ERROR_LO, BIT(c));
		else
			nvsoc_gpu_wr(gdev, NVSOC_GPU_CHANNEL_ERROR_HI, BIT(c - 32));
	}
}

static void nvsoc_gpu_ecc(struct nvsoc_gpu_device *gdev)
{
	u32 status = nvsoc_gpu_rd(gdev, NVSOC_GPU_ECC_STATUS);

	/*
	 * An uncorrectable error is found by the engine access that read it,
	 * and that access's fault record is the one Xid 48 line (and
	 * tracepoint); this is the ECC unit's view of the same event.
	 */
	if (status & NVSOC_GPU_ECC_UNCORRECTED) {
		u64 addr = nvsoc_gpu_rd(gdev, NVSOC_GPU_ECC_ADDR_LO) |
			   (u64)nvsoc_gpu_rd(gdev, NVSOC_GPU_ECC_ADDR_HI) << 32;

		dev_err_ratelimited(gdev->bus.dev,
				    "ECC: uncorrectable error in VRAM, last at 0x%llx, %u so far\n",
				    addr, nvsoc_gpu_rd(gdev, NVSOC_GPU_ECC_UNCORRECTED_COUNT));
	}
	if (status & NVSOC_GPU_ECC_CORRECTED)
		dev_warn_ratelimited(gdev->bus.dev, "ECC: corrected error(s) in VRAM, %u so far\n",
				     nvsoc_gpu_rd(gdev, NVSOC_GPU_ECC_CORRECTED_COUNT));
	nvsoc_gpu_wr(gdev, NVSOC_GPU_ECC_STATUS, status);
}

/*
 * Error recovery, before a reset empties the fault buffer: reports the
 * records and ECC events the device wrote but whose interrupt the driver
 * no longer takes (it ignores interrupts once recovery has begun). The
 * faulted channels need nothing more: the reset restarts every channel.
 */
void nvsoc_gpu_report_faults(struct nvsoc_gpu_device *gdev)
{
	u32 status = nvsoc_gpu_rd(gdev, NVSOC_GPU_INTR_STATUS);

	if (status == ~0u)
		return;
	if (status & NVSOC_GPU_INTR_FAULT)
		nvsoc_gpu_drain_faults(gdev);
	if (status & NVSOC_GPU_INTR_ECC)
		nvsoc_gpu_ecc(gdev);
}

/* Vector 0's thread: the stall sources, then unmask them. */
static void nvsoc_gpu_service_stall(struct nvsoc_gpu_device *gdev)
{
	unsigned int round;
	u32 status;

	for (round = 0; round < 16; round++) {
		status = nvsoc_gpu_rd(gdev, NVSOC_GPU_INTR_STATUS);
		if (status == ~0u) {
			nvsoc_gpu_check_alive(gdev);
			return;
		}
		if (status & NVSOC_GPU_INTR_FAULT)
			nvsoc_gpu_drain_faults(gdev);
		if (status & NVSOC_GPU_INTR_CHANNEL)
			nvsoc_gpu_channel_errors(gdev);
		if (status & NVSOC_GPU_INTR_ECC)
			nvsoc_gpu_ecc(gdev);
		if (status & NVSOC_GPU_INTR_NVLINK)
			nvsoc_gpu_nvlink_intr(gdev);
		if (READ_ONCE(gdev->state) != NVSOC_GPU_RUNNING)
			return;
		nvsoc_gpu_wr(gdev, NVSOC_GPU_INTR_EN_SET, NVSOC_GPU_INTR_STALL);
		/* Raised while masked? Then no message may come: go again. */
		if (!(nvsoc_gpu_rd(gdev, NVSOC_GPU_INTR_STATUS) & NVSOC_GPU_INTR_STALL))
			return;
		nvsoc_gpu_wr(gdev, NVSOC_GPU_INTR_EN_CLEAR, NVSOC_GPU_INTR_STALL);
	}
	/* A storm: leave them enabled, the next interrupt brings us back. */
	nvsoc_gpu_wr(gdev, NVSOC_GPU_INTR_EN_SET, NVSOC_GPU_INTR_STALL);
	dev_warn_ratelimited(gdev->bus.dev, "interrupt storm: stall sources still pending\n");
}

/* --- Handlers ---------------------------------------------------------------------- */

static irqreturn_t nvsoc_gpu_hardirq(int irq, void *arg)
{
	struct nvsoc_gpu_vector *vec = arg;
	struct nvsoc_gpu_device *gdev = vec->gdev;
	bool wake = false;
	u32 status, stall;

	if (READ_ONCE(gdev->state) != NVSOC_GPU_RUNNING)
		return IRQ_NONE;
	status = nvsoc_gpu_rd(gdev, NVSOC_GPU_INTR_STATUS);
	if (status == ~0u) {
		/* Fallen off the bus, or frozen: the thread finds out which. */
		atomic_set(&vec->bad_read, 1);
		return IRQ_WAKE_THREAD;
	}
	if (vec->channels && (status & NVSOC_GPU_INTR_NONSTALL)) {
		u32 lo = nvsoc_gpu_rd(gdev, NVSOC_GPU_NONSTALL_PENDING_LO) &
			 lower_32_bits(vec->channels);
		u32 hi = nvsoc_gpu_rd(gdev, NVSOC_GPU_NONSTALL_PENDING_HI) &
			 upper_32_bits(vec->channels);

		/* Acknowledge first; the thread reads the semaphores after. */
		if (lo)
			nvsoc_gpu_wr(gdev, NVSOC_GPU_NONSTALL_PENDING_LO, lo);
		if (hi)
			nvsoc_gpu_wr(gdev, NVSOC_GPU_NONSTALL_PENDING_HI, hi);
		if (lo | hi) {
			atomic64_or((u64)hi << 32 | lo, &vec->pending);
			wake = true;
		}
	}
	if (vec->index == NVSOC_GPU_VECTOR_STALL) {
		stall = status & nvsoc_gpu_rd(gdev, NVSOC_GPU_INTR_EN_SET) & NVSOC_GPU_INTR_STALL;
		if (stall) {
			nvsoc_gpu_wr(gdev, NVSOC_GPU_INTR_EN_CLEAR, stall);
			wake = true;
		}
	}
	return wake ? IRQ_WAKE_THREAD : IRQ_NONE;
}

static irqreturn_t nvsoc_gpu_irq_thread(int irq, void *arg)
{
	struct nvsoc_gpu_vector *vec = arg;
	struct nvsoc_gpu_device *gdev = vec->gdev;
	u64 pending;

	if (atomic_xchg(&vec->bad_read, 0)) {
		nvsoc_gpu_check_alive(gdev);
		return IRQ_HANDLED;
	}
	if (vec->index == NVSOC_GPU_VECTOR_STALL)
		nvsoc_gpu_service_stall(gdev);
	pending = atomic64_xchg(&vec->pending, 0);
	while (pending) {
		unsigned int c = __ffs64(pending);

		pending &= pending - 1;
		nvsoc_gpu_channel_retire(&gdev->channels[c]);
	}
	return IRQ_HANDLED;
}

/* --- Set-up ------------------------------------------------------------------------ */

void nvsoc_gpu_irq_enable(struct nvsoc_gpu_device *gdev)
{
	nvsoc_gpu_wr(gdev, NVSOC_GPU_INTR_EN_SET, NVSOC_GPU_INTR_ALL);
}

void nvsoc_gpu_irq_disable(struct nvsoc_gpu_device *gdev)
{
	nvsoc_gpu_wr(gdev, NVSOC_GPU_INTR_EN_CLEAR, NVSOC_GPU_INTR_ALL);
	/* Flush, so no new message is on its way once this returns. */
	nvsoc_gpu_rd(gdev, NVSOC_GPU_INTR_EN_SET);
}

/* Requests every vector the front end found: its hard half and thread. */
int nvsoc_gpu_irq_init(struct nvsoc_gpu_device *gdev)
{
	struct nvsoc_gpu_bus *bus = &gdev->bus;
	unsigned int v, c;
	int ret;

	gdev->vectors = devm_kcalloc(bus->dev, bus->nr_irqs, sizeof(*gdev->vectors), GFP_KERNEL);
	if (!gdev->vectors)
		return -ENOMEM;
	for (c = 0; c < gdev->num_channels; c++)
		gdev->vectors[nvsoc_gpu_channel_vector(gdev, c)].channels |= BIT_ULL(c);

	for (v = 0; v < bus->nr_irqs; v++) {
		struct nvsoc_gpu_vector *vec = &gdev->vectors[v];

		vec->gdev = gdev;
		vec->index = v;
		vec->irq = bus->irqs[v];
		if (v == NVSOC_GPU_VECTOR_STALL)
			snprintf(vec->name, sizeof(vec->name), "nvsoc-gpu@%s-stall",
				 dev_name(bus->dev));
		else if (hweight64(vec->channels) == 1)
			snprintf(vec->name, sizeof(vec->name), "nvsoc-gpu@%s-ch%u",
				 dev_name(bus->dev), __ffs64(vec->channels));
		else
			snprintf(vec->name, sizeof(vec->name), "nvsoc-gpu@%s-v%u",
				 dev_name(bus->dev), v);
		ret = request_threaded_irq(vec->irq, nvsoc_gpu_hardirq, nvsoc_gpu_irq_thread,
					   bus->irq_shared ? IRQF_SHARED : 0, vec->name, vec);
		if (ret) {
			dev_err(bus->dev, "vector %u (IRQ %d): request_threaded_irq failed: %d\n",
				v, vec->irq, ret);
			goto err_free;
		}
		gdev->nr_vectors = v + 1;
	}
	dev_dbg(bus->dev, "interrupts: %u %s vectors requested\n", gdev->nr_vectors,
		bus->irq_kind);
	return 0;

err_free:
	nvsoc_gpu_irq_fini(gdev);
	return ret;
}

/* Frees the vectors; returns once no handler or thread is running. */
void nvsoc_gpu_irq_fini(struct nvsoc_gpu_device *gdev)
{
	while (gdev->nr_vectors) {
		struct nvsoc_gpu_vector *vec = &gdev->vectors[--gdev->nr_vectors];

		free_irq(vec->irq, vec);
	}
}
