/* SPDX-License-Identifier: MIT */
/*
 * nvsoc-smi: talking to nvsoc-gpu.ko (/dev/accel/accelN).
 *
 * Finding the GPUs in sysfs, buffer objects, channels, building
 * pushbuffers with relocations, submitting and waiting, and the device
 * clock read from the usermode page.
 */
#ifndef NVSOC_SMI_GPU_H
#define NVSOC_SMI_GPU_H

#include <stddef.h>
#include <stdint.h>

#include "nvsoc_gpu_accel.h"
#include "nvsoc_gpu_hw.h"

#define MAX_GPUS 16
/* Where the kernel binds the copy class (GET_INFO.copy_subchannel). */
#define COPY_SUBCH 4

/* The bus a GPU's device is on. */
enum gpu_bus {
	GPU_BUS_PCI,		/* a PCIe endpoint (direct, or behind an NVLink-to-PCIe bridge) */
	GPU_BUS_PLATFORM,	/* a platform device: a GPU on the native NVLink fabric node */
	GPU_BUS_OTHER,
};

/* A GPU as sysfs shows it. */
struct gpu_desc {
	int accel;		/* N of /dev/accel/accelN */
	enum gpu_bus bus;
	char name[32];		/* the device's name: 0000:01:00.0, 1001000000.gpu */
	char sysfs[1024];	/* the device's directory: the realpath of
				 * class/accel/accelN/device (under sysfs_root()) */
};

/*
 * Where sysfs is mounted: /sys, or $NVSOC_SMI_SYSFS when set, so that the
 * commands that only read sysfs run on the host over a fabricated tree
 * (tests/tools/test_nvsoc_smi_topo.sh).
 */
const char *sysfs_root(void);
/*
 * Finds every device bound to nvsoc-gpu, whatever its bus, from
 * class/accel/accelN/device; sorted by device name (PCI address order).
 */
int gpu_find(struct gpu_desc *out, int max);
/* "pci", "platform" or "other". */
const char *gpu_bus_name(enum gpu_bus bus);
/* 1 when s is a PCI address as Linux names it (0000:01:00.0). */
int is_pci_address(const char *s);
/* One sysfs attribute of the GPU's device ("" if missing). */
void gpu_sysfs(const struct gpu_desc *d, const char *attr, char *buf, size_t len);
uint64_t gpu_sysfs_u64(const struct gpu_desc *d, const char *attr);

struct gpu {
	struct gpu_desc desc;
	int fd;
	struct drm_nvsoc_gpu_get_info info;
	const volatile uint32_t *usermode;	/* read-only mapping, or NULL */
};

int gpu_open(struct gpu *g, const struct gpu_desc *d);
void gpu_close(struct gpu *g);
/* The device clock in ns (simulated time), or 0 without the mapping. */
uint64_t gpu_time(const struct gpu *g);

/* Memory the GPU reaches. USER memory is malloc'd; copies register it as
 * user-pointer BOs a window at a time. PEER memory is another GPU's VRAM
 * BO imported with BO_PEER (mem_peer): copies name it with the PEER
 * aperture and peer id 0, and the kernel fills in the peer table slot. */
enum mem_kind { MEM_VRAM, MEM_SYSMEM, MEM_USER, MEM_PEER };

struct mem {
	enum mem_kind kind;
	uint64_t size;
	uint32_t handle;	/* VRAM, SYSMEM and PEER */
	uint8_t *cpu;		/* SYSMEM: mmap; USER: malloc; VRAM: BAR1 mmap or NULL;
				 * PEER: NULL */
	size_t map_size;	/* bytes the kernel allocated (VRAM, SYSMEM, PEER) */
};

const char *mem_name(enum mem_kind kind);
/* VRAM, SYSMEM or USER: 0, or -errno (-ENOMEM: no such contiguous
 * sysmem, or VRAM full). */
int mem_alloc(struct gpu *g, struct mem *m, enum mem_kind kind, uint64_t size);
/*
 * BO_PEER: imports VRAM BO vram of GPU peer (open in this process) into g
 * as m (MEM_PEER). 0, or -errno (-EHOSTUNREACH: no path); *out gets the
 * ioctl's outputs (path, peer table slot, size).
 */
int mem_peer(struct gpu *g, struct mem *m, const struct gpu *peer, const struct mem *vram,
	     struct drm_nvsoc_gpu_bo_peer *out);
/* PEER_INFO: how g reaches peer now. 0 or -errno. */
int gpu_peer_info(struct gpu *g, const struct gpu *peer, struct drm_nvsoc_gpu_peer_info *info);
void mem_free(struct gpu *g, struct mem *m);
int bo_userptr(struct gpu *g, void *ptr, uint64_t size, uint32_t *handle);
void bo_close(struct gpu *g, uint32_t handle);

int channel_create(struct gpu *g, uint32_t engine, uint32_t *channel);
void channel_destroy(struct gpu *g, uint32_t channel);

/* A pushbuffer under construction. */
#define PUSH_MAX_DWORDS 4096
#define PUSH_MAX_RELOCS 256

struct push {
	uint32_t dw[PUSH_MAX_DWORDS];
	uint32_t n;
	struct drm_nvsoc_gpu_reloc rel[PUSH_MAX_RELOCS];
	uint32_t nrel;
	int overflow;
};

void push_init(struct push *p);
/* An INC method group: count data dwords starting at method. */
void push_methods(struct push *p, unsigned int subch, uint32_t method, unsigned int count,
		  const uint32_t *data);
void push_method(struct push *p, unsigned int subch, uint32_t method, uint32_t data);
/* An address pair (method, method + 4) pointing at BO handle + offset. */
void push_address(struct push *p, unsigned int subch, uint32_t method, uint32_t handle,
		  uint64_t offset);
/* A 16-byte host semaphore release of payload at handle + offset. */
void push_release16(struct push *p, uint32_t handle, uint64_t offset, uint32_t payload);

/* 0 or -errno; *seqno set. */
int submit(struct gpu *g, uint32_t channel, const struct push *p, uint32_t *seqno);
/* 0 or -errno (-ETIMEDOUT, -EIO); *done_ns may be NULL. */
int wait_job(struct gpu *g, uint32_t channel, uint32_t seqno, int64_t timeout_ns,
	     uint64_t *done_ns);

/* Copy-engine pushes on the copy subchannel. */
struct side {			/* one end of a copy: a BO and an offset */
	uint32_t handle;
	uint64_t offset;
	enum mem_kind kind;
};

uint32_t phys_mode(enum mem_kind kind);
/* LAUNCH_DMA of len bytes, 1-D. */
void push_copy(struct push *p, const struct side *src, const struct side *dst, uint32_t len,
	       uint32_t launch_extra);
/* LAUNCH_DMA of lines x width bytes with pitches. */
void push_copy_2d(struct push *p, const struct side *src, uint32_t src_pitch,
		  const struct side *dst, uint32_t dst_pitch, uint32_t width, uint32_t lines);
/* A fill of len bytes with value, components of comp_size bytes (1 or 4). */
void push_fill(struct push *p, const struct side *dst, uint64_t len, uint32_t value,
	       unsigned int comp_size);

/* Submits and waits (5 s); prints the errno on failure with what. */
int run(struct gpu *g, uint32_t channel, const struct push *p, uint64_t *done_ns,
	const char *what);

/* A side for memory m at offset off, covering len bytes: USER memory is
 * registered now (release with side_put). */
int side_get(struct gpu *g, struct mem *m, uint64_t off, uint64_t len, struct side *s);
void side_put(struct gpu *g, struct side *s);

/* A 1-D copy of any length, in windows; 0 or -errno. */
int copy_mem(struct gpu *g, uint32_t channel, struct mem *src, uint64_t soff, struct mem *dst,
	     uint64_t doff, uint64_t len);

/* Fills m [off, off + len) with byte v on the copy engine; 0 or -errno. */
int fill_mem(struct gpu *g, uint32_t channel, struct mem *m, uint64_t off, uint64_t len,
	     uint8_t v);

/* The 16-byte releases in a semaphore BO: the clock (ns) of slot's. */
uint64_t sem_time(const struct mem *sem, unsigned int slot);

uint32_t crc32_buf(uint32_t crc, const void *buf, size_t len);
/* A pseudo-random pattern (xorshift32) that seed determines. */
void pattern(uint8_t *p, size_t len, uint32_t seed);
/* 1 when all len bytes at p are v. */
int all_bytes(const uint8_t *p, size_t len, uint8_t v);
/* "EHOSTUNREACH" for err = EHOSTUNREACH, ...; "errno N" for others. */
const char *errno_name(int err);

#endif /* NVSOC_SMI_GPU_H */
