/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * nvsoc GPU accel driver: the bus-independent core.
 *
 * The driver is a core (this header and every nvsoc_gpu_*.c but the front
 * ends) and a bus front end that finds the device's registers, VRAM
 * window, interrupts and DMA device: nvsoc_gpu_pci.c for the PCIe
 * endpoint, nvsoc_gpu_platform.c for a GPU on the native NVLink fabric
 * node (device tree, "nvsoc,gpu"). What a front end hands over is struct
 * nvsoc_gpu_bus; the core never includes <linux/pci.h>.
 */
#ifndef NVSOC_GPU_DRV_H
#define NVSOC_GPU_DRV_H

#include <linux/atomic.h>
#include <linux/bits.h>
#include <linux/dma-direction.h>
#include <linux/interrupt.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/scatterlist.h>
#include <linux/types.h>
#include <linux/wait.h>

#include <drm/drm_device.h>
#include <drm/drm_gem.h>
#include <drm/drm_mm.h>

#include "nvsoc_gpu_hw.h"
#include "nvlink_port_hw.h"

#define NVSOC_GPU_DRIVER_NAME	"nvsoc-gpu"

/* The subchannel every job binds the copy class to (as nouveau does). */
#define NVSOC_GPU_COPY_SUBCH	4
/*
 * Host semaphores and GP entries carry 40-bit addresses (SEMAPHOREA 7:0,
 * GP_ENTRY1 7:0); the copy engine's SET_SEMAPHORE_A carries 49 (16:0) and
 * its OFFSET_*_UPPER all 64 (31:0).
 */
#define NVSOC_GPU_HOST_ADDR_BITS	40
#define NVSOC_GPU_CE_SEM_ADDR_BITS	49
#define NVSOC_GPU_CE_ADDR_BITS		64

/* A channel's GPFIFO ring: 2^10 GP entries of 8 bytes. */
#define NVSOC_GPU_GPFIFO_LOG2	10
#define NVSOC_GPU_GPFIFO_ENTRIES	BIT(NVSOC_GPU_GPFIFO_LOG2)
/* The kernel's semaphore page: one 16-byte release slot per channel. */
#define NVSOC_GPU_SEM_SLOT	16
/* Fault buffer entries (32 bytes each). */
#define NVSOC_GPU_FAULT_ENTRIES	256
#define NVSOC_GPU_FAULT_BUF_BYTES	(NVSOC_GPU_FAULT_ENTRIES * NVSOC_GPU_FAULT_RECORD_SIZE)
/* Results of a channel's last jobs, for WAIT after they retired. */
#define NVSOC_GPU_RESULTS	64

/* Limits on one SUBMIT. */
#define NVSOC_GPU_MAX_PUSH_DWORDS	65536
#define NVSOC_GPU_MAX_RELOCS		8192
#define NVSOC_GPU_MAX_JOB_BOS		256

struct file;
struct nvsoc_gpu_device;

/* Where the device stands; only RUNNING accepts work. */
enum nvsoc_gpu_state {
	NVSOC_GPU_RUNNING,
	NVSOC_GPU_RECOVERING,	/* AER: between error_detected and resume */
	NVSOC_GPU_LOST,		/* IDENT read all-ones: fallen off the bus */
	NVSOC_GPU_REMOVED,	/* remove() has started */
};

/* What the bus says about reaching the device. */
enum nvsoc_gpu_bus_state {
	NVSOC_GPU_BUS_OK,
	NVSOC_GPU_BUS_OFFLINE,	/* frozen for error recovery: wait for it */
	NVSOC_GPU_BUS_GONE,	/* removed or permanently failed */
};

struct nvsoc_gpu_bus_ops {
	/*
	 * Can the device be reached now? (PCI: pci_channel_offline() and
	 * pci_dev_is_disconnected()).
	 */
	enum nvsoc_gpu_bus_state (*state)(struct nvsoc_gpu_device *gdev);
	/* Log and trace the link (PCIe speed and width), with why: optional. */
	void (*report_link)(struct nvsoc_gpu_device *gdev, const char *why);
	/*
	 * Can @gdev reach @peer's BAR1 peer-to-peer on this bus? 0, or an
	 * errno with *why saying what stands in the way. Optional (no PCIe
	 * path). Both devices are the same front end's.
	 */
	int (*peer_p2p)(struct nvsoc_gpu_device *gdev, struct nvsoc_gpu_device *peer,
			const char **why);
	/*
	 * Runtime PM around work in flight, optional (NULL on PCI: no
	 * runtime PM there). The core calls runtime_get in process context
	 * before a job reaches the device (it may sleep: it wakes the bus)
	 * and runtime_put once per successful get when that job is over,
	 * from the IRQ thread or any other context, with ch->lock held:
	 * runtime_put must not sleep.
	 */
	int (*runtime_get)(struct nvsoc_gpu_device *gdev);
	void (*runtime_put)(struct nvsoc_gpu_device *gdev);
};

/* Everything bus-specific the core needs, filled in by the front end. */
struct nvsoc_gpu_bus {
	struct device *dev;		/* the device that does DMA */
	void __iomem *regs;		/* BAR0, NVSOC_GPU_BAR0_SIZE bytes */
	phys_addr_t regs_phys;		/* its CPU physical address (usermode mmap) */
	/*
	 * The CPU window on VRAM, mapped one of two ways (at most one set):
	 * vram, write-combined I/O memory (PCI BAR1), or vram_cached,
	 * write-back memory (a coherent fabric: plain cacheable loads and
	 * stores). User mappings of VRAM BOs follow the same choice.
	 */
	void __iomem *vram;
	void *vram_cached;
	phys_addr_t vram_phys;		/* its CPU physical address (VRAM mmap) */
	resource_size_t vram_window;	/* its size: may be less than VRAM */
	/*
	 * The driver's VRAM heap is [0, vram_heap_size) of VRAM; 0 means all
	 * of it. VRAM above it is not the driver's (on the fabric: a NUMA
	 * node of the kernel's page allocator, mem_node).
	 */
	u64 vram_heap_size;
	int mem_node;			/* that NUMA node, NUMA_NO_NODE: none */
	unsigned int cpu_links;		/* C2C links to the CPU; 0: PCIe */
	unsigned int nr_irqs;		/* interrupt vectors, at least 1 */
	int irqs[1 + NVSOC_GPU_MAX_CHANNELS];	/* Linux IRQ of each vector */
	bool irq_shared;		/* a legacy line another device may share */
	const char *irq_kind;		/* "MSI-X", "MSI", "INTx", ... */
	const struct nvsoc_gpu_bus_ops *ops;
	void *priv;			/* the front end's own, or NULL */
};

/* One interrupt vector and the sources it carries. */
struct nvsoc_gpu_vector {
	struct nvsoc_gpu_device *gdev;
	unsigned int index;		/* MSI-X table entry */
	int irq;
	u64 channels;			/* channels whose non-stall interrupt comes here */
	atomic64_t pending;		/* channels acknowledged by the hard half */
	atomic_t bad_read;		/* the hard half read all-ones */
	char name[48];
};

enum nvsoc_gpu_bo_kind {
	NVSOC_GPU_BO_KIND_SYSMEM,
	NVSOC_GPU_BO_KIND_VRAM,
	NVSOC_GPU_BO_KIND_USERPTR,
	NVSOC_GPU_BO_KIND_USERMODE,	/* the usermode register page */
	NVSOC_GPU_BO_KIND_PEER,		/* another GPU's VRAM BO (nvsoc_gpu_peer.c) */
};

/* A run of device addresses: BO bytes [offset, offset + len) are at addr. */
struct nvsoc_gpu_seg {
	u64 offset;
	u64 addr;
	u64 len;
};

struct nvsoc_gpu_bo {
	struct drm_gem_object base;
	enum nvsoc_gpu_bo_kind kind;
	u64 size;			/* usable bytes (userptr: exactly the user's) */
	bool read_only;			/* the device may not write it */
	/* The device's view: one segment, or one per DMA segment (userptr). */
	struct nvsoc_gpu_seg *segs;
	unsigned int nr_segs;
	struct nvsoc_gpu_seg seg;	/* storage when there is one */
	/* Jobs outstanding that use it (userptr: the DMA API's ownership). */
	unsigned int active;		/* under gdev->bo_lock */

	/* NVSOC_GPU_BO_KIND_SYSMEM */
	void *vaddr;
	dma_addr_t dma_addr;
	/* NVSOC_GPU_BO_KIND_VRAM */
	struct drm_mm_node node;
	/* NVSOC_GPU_BO_KIND_USERPTR */
	struct page **pages;
	unsigned int nr_pages;
	struct sg_table sgt;
	enum dma_data_direction dir;
	/* NVSOC_GPU_BO_KIND_PEER: the peer's BO (referenced) and our slot */
	struct drm_gem_object *peer_obj;
	unsigned int peer_slot;
};

static inline struct nvsoc_gpu_bo *to_nvsoc_gpu_bo(struct drm_gem_object *obj)
{
	return container_of(obj, struct nvsoc_gpu_bo, base);
}

/* A submitted job: its place in the rings and the BOs it keeps alive. */
struct nvsoc_gpu_job {
	struct list_head link;		/* in its channel's jobs or zombies */
	u32 seqno;
	u32 gp_index;			/* its GP entry */
	u32 pb_start;			/* its bytes in the channel's pushbuffer */
	u32 pb_end;
	bool pm_ref;			/* holds a bus runtime PM reference */
	unsigned int nr_bos;
	struct nvsoc_gpu_bo *bos[] __counted_by(nr_bos);
};

struct nvsoc_gpu_job_result {
	u32 seqno;
	int status;			/* 0, or -EIO: lost to a fault */
	u64 done_ns;			/* device time of its release, 0: unknown */
};

struct nvsoc_gpu_channel {
	struct nvsoc_gpu_device *gdev;
	unsigned int id;
	unsigned int vector;		/* MSI-X entry of its non-stall interrupt */

	/*
	 * Owner, rings, jobs, sequence numbers; never held while waiting for
	 * the device, so the IRQ thread can always take it.
	 */
	struct mutex lock;
	struct drm_file *owner;		/* NULL: free */
	unsigned int engine;		/* the copy engine serving it */
	u32 generation;			/* bumped by create and destroy */

	/* Kernel-owned memory the device reads (dma_alloc_attrs at probe). */
	__le32 *gpfifo;
	dma_addr_t gpfifo_dma;
	u32 *pushbuf;
	dma_addr_t pushbuf_dma;
	u32 pushbuf_size;

	u32 gp_put;			/* next GP entry the kernel writes */
	u32 pb_put;			/* next pushbuffer byte the kernel writes */
	u32 last_seqno;			/* the newest job's */
	u32 settled_seqno;		/* every job up to here is done or failed */
	struct list_head jobs;		/* outstanding, oldest first */
	struct list_head zombies;	/* failed, kept until the engines stop */
	struct nvsoc_gpu_job_result results[NVSOC_GPU_RESULTS];

	/* Waiters for settled_seqno, for ring space, and for state changes. */
	wait_queue_head_t wq;

	/* Counters for debugfs. */
	u64 submitted, completed, failed, interrupts;
};

/* What the driver keeps of one NVLink port (nvsoc_gpu_nvlink.c's lock). */
struct nvsoc_gpu_nvl_port {
	u32 state;			/* the last state seen */
	u32 issued_state;		/* the state when the last command was issued */
	unsigned long since;		/* jiffies: when state last moved */
	u32 remote_id;			/* the remote's NVLINK_ID, kept through FAULT */
	int remote_link;		/* its port, -1 before discovery */
	bool ali;			/* trains by itself */
	bool legacy;			/* INITPHASE1 refused: NVLink 1 or 2 */
	bool gave_up;			/* training timed out */
	bool hs_reported;		/* the HS line is logged */
	bool retrain;			/* FAULT: a RESET is due at retrain_at */
	unsigned long retrain_at;	/* jiffies */
	unsigned int retrains;		/* RESETs issued since the GPU bound */
};

struct nvsoc_gpu_nvlink_link;

/*
 * A peer table entry (nvsoc_gpu_peer.c; under nvsoc_gpu_peer_lock): the
 * GPU it stands for while peer BOs use it, and the path programmed.
 */
struct nvsoc_gpu_peer_slot {
	struct nvsoc_gpu_device *peer;	/* NULL: free; else referenced (drm_dev_get) */
	unsigned int users;		/* peer BOs naming this slot */
	u32 path;			/* NVSOC_GPU_PEER_* programmed */
	u32 nvlinks;			/* links at HS to the peer when last looked */
	dma_addr_t bar1;		/* the peer's BAR1 as this device addresses it */
	bool bar1_mapped;		/* dma_map_resource done */
};

struct nvsoc_gpu_device {
	struct drm_device drm;
	struct nvsoc_gpu_bus bus;

	/* Identity and capabilities, read at probe. */
	u32 version;
	u32 classes;
	u32 num_channels;
	u32 num_ces;
	u64 vram_size;
	u32 dma_bits_device;		/* DMA_BITS: what the device drives */
	u32 dma_bits;			/* the streaming mask set */
	u32 dma_bits_coherent;		/* the coherent mask set */
	u64 bus_dma_limit_lifted;	/* dma_ignore_bus_limit: the bus's, until unbind */

	/*
	 * Serialises state changes: faults' channel resets among themselves,
	 * AER recovery and removal.
	 */
	struct mutex state_lock;
	enum nvsoc_gpu_state state;	/* written under state_lock */
	bool lost_reported;		/* Xid 79 logged (under state_lock) */

	/* Interrupts. */
	unsigned int nr_vectors;
	struct nvsoc_gpu_vector *vectors;
	bool irqs_requested;

	/* The fault buffer and the kernel's semaphore page (coherent DMA). */
	__le32 *fault_buf;
	dma_addr_t fault_buf_dma;
	struct mutex fault_lock;	/* the drain: fault_get, fault_count, the slots */
	u32 fault_get;
	u32 fault_count;		/* FAULT_COUNT at the last drain */
	void *sem;
	dma_addr_t sem_dma;

	/* VRAM allocator. */
	struct mutex vram_lock;		/* protects vram_mm and vram_used */
	struct drm_mm vram_mm;
	u64 vram_used;

	/* Serialises the DMA API ownership hand-over of BOs (bo->active). */
	struct mutex bo_lock;

	struct nvsoc_gpu_channel channels[NVSOC_GPU_MAX_CHANNELS];

	/* NVLink (nvsoc_gpu_nvlink.c; nvl[] and nvl_listed under its lock). */
	u32 num_nvlinks;
	u32 nvlink_id;
	struct kobject *nvl_kobj;	/* <device>/nvlink */
	struct nvsoc_gpu_nvlink_link *nvl_links[NVSOC_GPU_MAX_NVLINKS];
	struct nvsoc_gpu_nvl_port nvl[NVSOC_GPU_MAX_NVLINKS];
	struct list_head nvl_node;	/* in the bound GPUs with ports */
	bool nvl_listed;
	u32 fabric_state;		/* NVSOC_GPU_FABRIC_*: set by the fabric manager */

	/* Peer access (nvsoc_gpu_peer.c; under nvsoc_gpu_peer_lock). */
	struct nvsoc_gpu_peer_slot peers[NVSOC_GPU_PEERS];
	struct list_head peer_node;	/* in the GPUs whose slots the work reviews */
	bool peer_listed;
};

/* What the fabric manager said about NVSwitch routing (nvlink/fabric_state). */
enum nvsoc_gpu_fabric_state {
	NVSOC_GPU_FABRIC_PENDING,	/* routes not (yet) programmed */
	NVSOC_GPU_FABRIC_READY,		/* every switch routes this GPU's peers */
};

static inline struct nvsoc_gpu_device *to_nvsoc_gpu(struct drm_device *drm)
{
	return container_of(drm, struct nvsoc_gpu_device, drm);
}

static inline u32 nvsoc_gpu_rd(struct nvsoc_gpu_device *gdev, u32 reg)
{
	return readl(gdev->bus.regs + reg);
}

static inline void nvsoc_gpu_wr(struct nvsoc_gpu_device *gdev, u32 reg, u32 val)
{
	writel(val, gdev->bus.regs + reg);
}

/* The size of the driver's VRAM heap (struct nvsoc_gpu_bus). */
static inline u64 nvsoc_gpu_vram_heap_size(struct nvsoc_gpu_device *gdev)
{
	return gdev->bus.vram_heap_size ?: gdev->vram_size;
}

/* Sequence numbers wrap: a is at or after b. */
static inline bool nvsoc_gpu_seq_ge(u32 a, u32 b)
{
	return (s32)(a - b) >= 0;
}

/* nvsoc_gpu_drv.c: the core's life cycle, called by a front end. */
struct nvsoc_gpu_device *nvsoc_gpu_alloc(struct device *parent);
int nvsoc_gpu_read_identity(struct nvsoc_gpu_device *gdev);
int nvsoc_gpu_set_dma_masks(struct nvsoc_gpu_device *gdev);
int nvsoc_gpu_core_init(struct nvsoc_gpu_device *gdev);
void nvsoc_gpu_core_fini(struct nvsoc_gpu_device *gdev);
int nvsoc_gpu_register(struct nvsoc_gpu_device *gdev);
void nvsoc_gpu_unregister(struct nvsoc_gpu_device *gdev);
void nvsoc_gpu_stop(struct nvsoc_gpu_device *gdev, enum nvsoc_gpu_state state,
		    const char *why);
int nvsoc_gpu_restart(struct nvsoc_gpu_device *gdev);
void nvsoc_gpu_resume(struct nvsoc_gpu_device *gdev);
bool nvsoc_gpu_check_alive(struct nvsoc_gpu_device *gdev);
void nvsoc_gpu_hw_init(struct nvsoc_gpu_device *gdev);
extern const struct attribute_group *nvsoc_gpu_groups[];
struct nvsoc_gpu_device *nvsoc_gpu_from_file(struct file *filp);

/* nvsoc_gpu_gem.c */
int nvsoc_gpu_ioctl_bo_create(struct drm_device *drm, void *data, struct drm_file *file);
int nvsoc_gpu_ioctl_bo_userptr(struct drm_device *drm, void *data, struct drm_file *file);
int nvsoc_gpu_ioctl_bo_mmap_offset(struct drm_device *drm, void *data, struct drm_file *file);
int nvsoc_gpu_ioctl_usermode(struct drm_device *drm, void *data, struct drm_file *file);
int nvsoc_gpu_bo_vram_init(struct nvsoc_gpu_device *gdev);
void nvsoc_gpu_bo_sync_for_device(struct nvsoc_gpu_device *gdev, struct nvsoc_gpu_bo *bo);
void nvsoc_gpu_bo_sync_for_cpu(struct nvsoc_gpu_device *gdev, struct nvsoc_gpu_bo *bo);
struct nvsoc_gpu_bo *nvsoc_gpu_bo_new(struct nvsoc_gpu_device *gdev, enum nvsoc_gpu_bo_kind kind,
				      u64 obj_size);
void nvsoc_gpu_bo_discard(struct nvsoc_gpu_bo *bo);
int nvsoc_gpu_bo_publish(struct nvsoc_gpu_bo *bo, struct drm_file *file, u32 *handle);

/* nvsoc_gpu_channel.c */
int nvsoc_gpu_channels_init(struct nvsoc_gpu_device *gdev);
void nvsoc_gpu_channels_fini(struct nvsoc_gpu_device *gdev);
void nvsoc_gpu_channel_hw_setup(struct nvsoc_gpu_channel *ch);
void nvsoc_gpu_channel_retire(struct nvsoc_gpu_channel *ch);
void nvsoc_gpu_channel_fail_jobs(struct nvsoc_gpu_channel *ch, bool engine_stopped,
				 struct list_head *to_free);
void nvsoc_gpu_channel_reset(struct nvsoc_gpu_channel *ch, const char *why);
void nvsoc_gpu_jobs_free(struct list_head *jobs);
void nvsoc_gpu_file_close(struct nvsoc_gpu_device *gdev, struct drm_file *file);
int nvsoc_gpu_ioctl_channel_create(struct drm_device *drm, void *data, struct drm_file *file);
int nvsoc_gpu_ioctl_channel_destroy(struct drm_device *drm, void *data, struct drm_file *file);
int nvsoc_gpu_ioctl_submit(struct drm_device *drm, void *data, struct drm_file *file);
int nvsoc_gpu_ioctl_wait(struct drm_device *drm, void *data, struct drm_file *file);

/* nvsoc_gpu_validate.c: a SUBMIT's pushbuffer, checked and rebuilt. */
struct nvsoc_gpu_push {
	u32 *dw;			/* the rebuilt methods */
	u32 len;			/* dwords in dw */
	u32 cap;			/* room in dw */
	bool overflow;			/* more than cap was needed */
	unsigned int nr_bos;
	struct nvsoc_gpu_bo *bos[NVSOC_GPU_MAX_JOB_BOS];	/* referenced */
	u32 handles[NVSOC_GPU_MAX_JOB_BOS];	/* their handles */
};

struct drm_nvsoc_gpu_reloc;
int nvsoc_gpu_validate(struct nvsoc_gpu_device *gdev, struct drm_file *file,
		       const u32 *push, u32 nr_dwords,
		       const struct drm_nvsoc_gpu_reloc *relocs, u32 nr_relocs,
		       struct nvsoc_gpu_push *out);
void nvsoc_gpu_emit(struct nvsoc_gpu_push *out, unsigned int subch, u32 method,
		    unsigned int count, const u32 *data);

/* nvsoc_gpu_irq.c */
int nvsoc_gpu_irq_init(struct nvsoc_gpu_device *gdev);
void nvsoc_gpu_irq_fini(struct nvsoc_gpu_device *gdev);
void nvsoc_gpu_irq_enable(struct nvsoc_gpu_device *gdev);
void nvsoc_gpu_irq_disable(struct nvsoc_gpu_device *gdev);
void nvsoc_gpu_fault_buf_setup(struct nvsoc_gpu_device *gdev);
void nvsoc_gpu_report_faults(struct nvsoc_gpu_device *gdev);
unsigned int nvsoc_gpu_channel_vector(struct nvsoc_gpu_device *gdev, unsigned int ch);

/* nvsoc_gpu_nvlink.c */
u32 nvsoc_gpu_nvlink_links_to(struct nvsoc_gpu_device *gdev, struct nvsoc_gpu_device *peer);
int nvsoc_gpu_nvlink_init(struct nvsoc_gpu_device *gdev);
void nvsoc_gpu_nvlink_fini(struct nvsoc_gpu_device *gdev, bool reachable);
void nvsoc_gpu_nvlink_hw_init(struct nvsoc_gpu_device *gdev);
void nvsoc_gpu_nvlink_intr(struct nvsoc_gpu_device *gdev);
void nvsoc_gpu_nvlink_exit(void);

/* nvsoc_gpu_peer.c */
int nvsoc_gpu_ioctl_peer_info(struct drm_device *drm, void *data, struct drm_file *file);
int nvsoc_gpu_ioctl_bo_peer(struct drm_device *drm, void *data, struct drm_file *file);
void nvsoc_gpu_peer_bo_free(struct nvsoc_gpu_bo *bo);
void nvsoc_gpu_peers_init(struct nvsoc_gpu_device *gdev);
void nvsoc_gpu_peers_hw_init(struct nvsoc_gpu_device *gdev);
void nvsoc_gpu_peers_changed(void);
void nvsoc_gpu_peers_fini(struct nvsoc_gpu_device *gdev);
void nvsoc_gpu_peer_exit(void);
struct seq_file;
int nvsoc_gpu_peers_show(struct seq_file *m, void *unused);

/* nvsoc_gpu_pci.c: the PCI front end */
int nvsoc_gpu_pci_register(void);
void nvsoc_gpu_pci_unregister(void);

/* nvsoc_gpu_platform.c: the native NVLink fabric's (device tree) front end */
int nvsoc_gpu_platform_register(void);
void nvsoc_gpu_platform_unregister(void);

/* nvsoc_gpu_debugfs.c */
void nvsoc_gpu_debugfs_init(struct nvsoc_gpu_device *gdev);

#endif /* NVSOC_GPU_DRV_H */
