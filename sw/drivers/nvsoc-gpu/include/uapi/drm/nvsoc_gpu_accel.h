/* SPDX-License-Identifier: MIT */
/*
 * The nvsoc GPU's accel driver (nvsoc-gpu.ko): its user-space interface.
 *
 * The device has no MMU: its copy engines take bus (DMA) addresses and VRAM
 * offsets. User space therefore never sees or supplies an address. It names
 * memory by buffer object (BO) handle and byte offset, and the kernel
 * checks every command it is given against the BOs it names before the
 * device sees it (see DRM_IOCTL_NVSOC_GPU_SUBMIT).
 *
 * Every structure is a multiple of 8 bytes with explicit padding; padding
 * and flags fields must be zero (the kernel refuses anything else with
 * -EINVAL, so that they can be given a meaning later).
 *
 * The device's registers, method numbers and LAUNCH_DMA bits are in
 * models/gpu/nvsoc_gpu_hw.h, which user space includes alongside this file.
 */
#ifndef _UAPI_DRM_NVSOC_GPU_ACCEL_H_
#define _UAPI_DRM_NVSOC_GPU_ACCEL_H_

#include <drm/drm.h>

#if defined(__cplusplus)
extern "C" {
#endif

#define DRM_NVSOC_GPU_GET_INFO		0x00
#define DRM_NVSOC_GPU_BO_CREATE		0x01
#define DRM_NVSOC_GPU_BO_USERPTR	0x02
#define DRM_NVSOC_GPU_BO_MMAP_OFFSET	0x03
#define DRM_NVSOC_GPU_CHANNEL_CREATE	0x04
#define DRM_NVSOC_GPU_CHANNEL_DESTROY	0x05
#define DRM_NVSOC_GPU_SUBMIT		0x06
#define DRM_NVSOC_GPU_WAIT		0x07
#define DRM_NVSOC_GPU_USERMODE		0x08
#define DRM_NVSOC_GPU_PEER_INFO		0x09
#define DRM_NVSOC_GPU_BO_PEER		0x0a

/**
 * struct drm_nvsoc_gpu_get_info - what the device and the driver offer
 *
 * All fields are outputs.
 */
struct drm_nvsoc_gpu_get_info {
	/** @version: the VERSION register: 31:16 major, 15:0 minor. */
	__u32 version;
	/** @classes: the CLASSES register: 15:0 host class, 31:16 copy class. */
	__u32 classes;
	/** @num_channels: channels the device has. */
	__u32 num_channels;
	/** @num_ces: copy engines the device has. */
	__u32 num_ces;
	/** @vram_size: bytes of VRAM. */
	__u64 vram_size;
	/** @vram_used: bytes of VRAM allocated to BOs. */
	__u64 vram_used;
	/** @vram_cpu_visible: bytes of VRAM the CPU reaches through BAR1. */
	__u64 vram_cpu_visible;
	/** @dma_bits: the streaming DMA mask the driver runs with. */
	__u32 dma_bits;
	/** @irq_vectors: interrupt vectors in use (1 + channels with MSI-X). */
	__u32 irq_vectors;
	/** @copy_subchannel: the subchannel the kernel binds the copy class to. */
	__u32 copy_subchannel;
	/** @max_push_dwords: the largest pushbuffer SUBMIT accepts. */
	__u32 max_push_dwords;
	/** @max_relocs: the most relocations SUBMIT accepts. */
	__u32 max_relocs;
	/** @pushbuf_bytes: a channel's kernel pushbuffer (bounds one job). */
	__u32 pushbuf_bytes;
};

#define NVSOC_GPU_BO_SYSMEM	1 /* coherent system memory (dma_alloc_attrs) */
#define NVSOC_GPU_BO_VRAM	2 /* device memory */

/**
 * struct drm_nvsoc_gpu_bo_create - allocate a BO
 *
 * System-memory BOs are one physically contiguous coherent DMA allocation
 * (no cache maintenance needed on either side); their size is bounded by
 * what the kernel's allocator can give contiguously. VRAM BOs come from the
 * driver's VRAM allocator and are CPU-mappable when they lie inside BAR1.
 */
struct drm_nvsoc_gpu_bo_create {
	/** @size: in: bytes; out: bytes allocated (rounded up to pages). */
	__u64 size;
	/** @placement: in: NVSOC_GPU_BO_SYSMEM or NVSOC_GPU_BO_VRAM. */
	__u32 placement;
	/** @flags: in: zero. */
	__u32 flags;
	/** @handle: out: the GEM handle. */
	__u32 handle;
	/** @pad: zero. */
	__u32 pad;
};

/*
 * The device only reads the BO: it may not be a copy destination or a
 * semaphore a release writes. The pages are pinned without write access.
 */
#define NVSOC_GPU_USERPTR_READ_ONLY	0x00000001u

/**
 * struct drm_nvsoc_gpu_bo_userptr - make a BO of user memory
 *
 * The pages of [address, address + size) are pinned and mapped for the
 * device until the BO is closed. Any alignment is allowed; the BO's offset
 * 0 is @address. The memory may be scattered: the kernel splits a copy at
 * the boundaries of its DMA segments. The CPU sees what the device wrote
 * (and the device sees what the CPU wrote) once no job using the BO is
 * outstanding: wait for the jobs before touching the memory.
 */
struct drm_nvsoc_gpu_bo_userptr {
	/** @address: in: the user virtual address. */
	__u64 address;
	/** @size: in: bytes. */
	__u64 size;
	/** @flags: in: NVSOC_GPU_USERPTR_*. */
	__u32 flags;
	/** @handle: out: the GEM handle. */
	__u32 handle;
};

/**
 * struct drm_nvsoc_gpu_bo_mmap_offset - where to mmap() a BO
 *
 * System-memory BOs and VRAM BOs inside BAR1 can be mapped (VRAM
 * write-combined); user-pointer BOs cannot (the memory is already mapped).
 */
struct drm_nvsoc_gpu_bo_mmap_offset {
	/** @handle: in: the GEM handle. */
	__u32 handle;
	/** @pad: zero. */
	__u32 pad;
	/** @offset: out: the offset to pass to mmap() on the device file. */
	__u64 offset;
};

/* CHANNEL_CREATE's engine: let the kernel choose the copy engine. */
#define NVSOC_GPU_ENGINE_ANY	0xffffffffu

/**
 * struct drm_nvsoc_gpu_channel_create - take a channel
 *
 * A channel is one of the device's GPFIFO channels, owned by the file
 * until CHANNEL_DESTROY or close. Its id is the hardware channel id, as
 * the kernel log, debugfs and the fault records name it.
 */
struct drm_nvsoc_gpu_channel_create {
	/** @engine: in: the copy engine serving it, or NVSOC_GPU_ENGINE_ANY. */
	__u32 engine;
	/** @channel: out: the channel id. */
	__u32 channel;
};

/**
 * struct drm_nvsoc_gpu_channel_destroy - give a channel back
 *
 * Work still queued on it is dropped (the channel is reset); its waiters
 * get -ECANCELED.
 */
struct drm_nvsoc_gpu_channel_destroy {
	/** @channel: in: the channel id. */
	__u32 channel;
	/** @pad: zero. */
	__u32 pad;
};

/**
 * struct drm_nvsoc_gpu_reloc - an address in a pushbuffer
 *
 * Names the data dword of the first method of an address pair, and the
 * BO and byte offset the address is to point at. The pairs are
 * OFFSET_IN_UPPER/LOWER, OFFSET_OUT_UPPER/LOWER and SET_SEMAPHORE_A/B of
 * the copy class, and SEMAPHOREA/B of the host class; the second method
 * of the pair must be the next method in the pushbuffer. The values user
 * space wrote into both data dwords are ignored.
 */
struct drm_nvsoc_gpu_reloc {
	/** @dword: index into the pushbuffer of the first method's data. */
	__u32 dword;
	/** @handle: the BO. */
	__u32 handle;
	/** @offset: byte offset into the BO. */
	__u64 offset;
};

/**
 * struct drm_nvsoc_gpu_submit - run a pushbuffer on a channel
 *
 * @push holds method headers and data as the device reads them
 * (nvsoc_gpu_hw.h: NVSOC_GPU_METHOD_HEADER). The kernel decodes it, checks
 * every method and rebuilds it in its own pushbuffer; the device never
 * reads user memory as commands. Allowed:
 *
 * - host methods (any subchannel): NOP, SEMAPHOREA-D (acquire, acquire
 *   >=, release of 4 or 16 bytes; the semaphore must lie in a
 *   system-memory or user-pointer BO, its bus address 4-byte aligned (16
 *   for a 16-byte release), below 2^40),
 *   NON_STALL_INTERRUPT, WFI, and SET_OBJECT of the copy class on
 *   @copy_subchannel (a no-op: the kernel binds it at the start of each job);
 * - copy-class methods on the copy subchannel (GET_INFO.copy_subchannel):
 *   NOP, OFFSET_IN/OUT, PITCH_IN/OUT, LINE_LENGTH_IN, LINE_COUNT,
 *   SET_SRC/DST_PHYS_MODE (VRAM for VRAM BOs, PEER with peer id 0 for
 *   peer BOs, coherent or non-coherent system memory for the others),
 *   SET_SEMAPHORE_A/B/PAYLOAD (the semaphore in system memory),
 *   SET_REMAP_CONST_A/B, SET_REMAP_COMPONENTS and LAUNCH_DMA in physical
 *   mode with pitch layout.
 *
 * Each LAUNCH_DMA must have its whole extent (every line, with pitches,
 * line count and the remap's pixel sizes) inside the BOs its addresses
 * point into, and everything it uses must have been set in the same
 * submission. The kernel then ends the job with a 16-byte semaphore
 * release of @seqno and a non-stall interrupt.
 *
 * Errors: -EINVAL for a pushbuffer the kernel refuses (the reason is a
 * dev_dbg line: enable with dyndbg), -E2BIG when the job would not fit in
 * the channel's pushbuffer (split it), -ENOENT for an unknown BO handle,
 * -EIO while the device is stopped (fault recovery, AER), -ENODEV once it
 * is gone.
 */
struct drm_nvsoc_gpu_submit {
	/** @push: in: pointer to __u32 pushbuffer dwords. */
	__u64 push;
	/** @relocs: in: pointer to struct drm_nvsoc_gpu_reloc[], by dword. */
	__u64 relocs;
	/** @push_dwords: in: dwords at @push. */
	__u32 push_dwords;
	/** @nr_relocs: in: entries at @relocs, in increasing @dword order. */
	__u32 nr_relocs;
	/** @channel: in: the channel id. */
	__u32 channel;
	/** @flags: in: zero. */
	__u32 flags;
	/** @seqno: out: the job's sequence number on the channel. */
	__u32 seqno;
	/** @pad: zero. */
	__u32 pad;
};

/**
 * struct drm_nvsoc_gpu_wait - wait for a job
 *
 * Returns 0 once the job's semaphore was released, -ETIMEDOUT when
 * @timeout_ns (relative, 0 to poll) passed first, -EIO if the job was lost
 * to a channel fault or a device error, -ECANCELED if the channel was
 * destroyed, -EINVAL for a sequence number not yet submitted.
 */
struct drm_nvsoc_gpu_wait {
	/** @channel: in: the channel id. */
	__u32 channel;
	/** @seqno: in: the job's sequence number. */
	__u32 seqno;
	/** @timeout_ns: in: how long to wait. */
	__s64 timeout_ns;
	/** @done_ns: out: device time of the job's release, 0 if not known. */
	__u64 done_ns;
};

/**
 * struct drm_nvsoc_gpu_usermode - map the usermode page
 *
 * Gives a BO standing for the device's 64 KiB usermode page, mappable
 * read-only: user space reads the device clock there
 * (NVSOC_GPU_USERMODE_TIME_LO/HI, simulated time in ns) without a system
 * call. Its doorbell stays the kernel's.
 */
struct drm_nvsoc_gpu_usermode {
	/** @handle: out: the GEM handle. */
	__u32 handle;
	/** @size: out: bytes to map. */
	__u32 size;
	/** @offset: out: the offset to pass to mmap() (PROT_READ only). */
	__u64 offset;
};

/* How this GPU reaches a peer's VRAM (the peer table's PATH). */
#define NVSOC_GPU_PEER_NONE	0 /* no path: peer access is refused */
#define NVSOC_GPU_PEER_NVLINK	1 /* over NVLink, directly or through NVSwitches */
#define NVSOC_GPU_PEER_PCIE	2 /* PCIe peer-to-peer through the root complex */

/**
 * struct drm_nvsoc_gpu_peer_info - how this GPU reaches another
 *
 * The path the kernel would use now for peer access to the GPU whose
 * device file is open as @peer_fd (the path of the peer's BOs already
 * imported with BO_PEER; it changes when NVLink goes down or comes back).
 * NVLink is taken whenever a link to the peer is up (HS), directly or
 * through NVSwitches whose fabric state is "ready" on both GPUs; else PCIe
 * when both GPUs are below the same host bridge, the peer's BAR1 covers
 * all its VRAM, and the module parameter peer_pcie allows it; else none.
 *
 * Errors: -EBADF when @peer_fd is not open, -EINVAL when it is not another
 * nvsoc-gpu device's file.
 */
struct drm_nvsoc_gpu_peer_info {
	/** @peer_fd: in: a file descriptor of the peer GPU's accel node. */
	__s32 peer_fd;
	/** @flags: in: zero. */
	__u32 flags;
	/** @path: out: NVSOC_GPU_PEER_*. */
	__u32 path;
	/** @nvlinks: out: this GPU's links at HS that lead to the peer. */
	__u32 nvlinks;
	/** @peer_nvlink_id: out: the peer's NVLink ID (0: it has no ports). */
	__u32 peer_nvlink_id;
	/** @peer_id: out: its peer table slot, or ~0 while none is held. */
	__u32 peer_id;
};

/**
 * struct drm_nvsoc_gpu_bo_peer - a BO standing for another GPU's VRAM BO
 *
 * Makes a BO on this device for VRAM BO @peer_handle of the file open as
 * @peer_fd (another nvsoc-gpu device). Copies name it like any other BO,
 * with SET_SRC/DST_PHYS_MODE target PEER (NVSOC_GPU_APERTURE_PEER) and
 * peer id 0: the kernel fills in the peer table slot it holds for that
 * GPU while any such BO exists (8 slots). It cannot be mmapped or hold a
 * semaphore. The peer's BO lives as long as this one.
 *
 * The path is chosen as PEER_INFO says, and kept up to date: when the
 * last NVLink to the peer goes down, the kernel moves the slot to PCIe (if
 * that path exists), and back to NVLink once a link is up again, each
 * move logged. A copy under way when its path fails is lost to a channel
 * fault (-EIO from WAIT), as on hardware.
 *
 * Errors: -EBADF, -EINVAL as PEER_INFO; -ENOENT for an unknown
 * @peer_handle; -EINVAL when that BO is not in VRAM; -EHOSTUNREACH when
 * there is no path (the reason is logged); -ENOSPC when all peer table
 * slots hold other GPUs.
 */
struct drm_nvsoc_gpu_bo_peer {
	/** @peer_fd: in: a file descriptor of the peer GPU's accel node. */
	__s32 peer_fd;
	/** @peer_handle: in: a VRAM BO's handle in that file. */
	__u32 peer_handle;
	/** @flags: in: zero. */
	__u32 flags;
	/** @handle: out: the new BO's handle on this device. */
	__u32 handle;
	/** @size: out: its bytes (the peer BO's). */
	__u64 size;
	/** @path: out: NVSOC_GPU_PEER_NVLINK or NVSOC_GPU_PEER_PCIE, now. */
	__u32 path;
	/** @peer_id: out: the peer table slot. */
	__u32 peer_id;
};

#define DRM_IOCTL_NVSOC_GPU_GET_INFO \
	DRM_IOR(DRM_COMMAND_BASE + DRM_NVSOC_GPU_GET_INFO, struct drm_nvsoc_gpu_get_info)
#define DRM_IOCTL_NVSOC_GPU_BO_CREATE \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_NVSOC_GPU_BO_CREATE, struct drm_nvsoc_gpu_bo_create)
#define DRM_IOCTL_NVSOC_GPU_BO_USERPTR \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_NVSOC_GPU_BO_USERPTR, struct drm_nvsoc_gpu_bo_userptr)
#define DRM_IOCTL_NVSOC_GPU_BO_MMAP_OFFSET \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_NVSOC_GPU_BO_MMAP_OFFSET, \
		 struct drm_nvsoc_gpu_bo_mmap_offset)
#define DRM_IOCTL_NVSOC_GPU_CHANNEL_CREATE \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_NVSOC_GPU_CHANNEL_CREATE, \
		 struct drm_nvsoc_gpu_channel_create)
#define DRM_IOCTL_NVSOC_GPU_CHANNEL_DESTROY \
	DRM_IOW(DRM_COMMAND_BASE + DRM_NVSOC_GPU_CHANNEL_DESTROY, \
		struct drm_nvsoc_gpu_channel_destroy)
#define DRM_IOCTL_NVSOC_GPU_SUBMIT \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_NVSOC_GPU_SUBMIT, struct drm_nvsoc_gpu_submit)
#define DRM_IOCTL_NVSOC_GPU_WAIT \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_NVSOC_GPU_WAIT, struct drm_nvsoc_gpu_wait)
#define DRM_IOCTL_NVSOC_GPU_USERMODE \
	DRM_IOR(DRM_COMMAND_BASE + DRM_NVSOC_GPU_USERMODE, struct drm_nvsoc_gpu_usermode)
#define DRM_IOCTL_NVSOC_GPU_PEER_INFO \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_NVSOC_GPU_PEER_INFO, struct drm_nvsoc_gpu_peer_info)
#define DRM_IOCTL_NVSOC_GPU_BO_PEER \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_NVSOC_GPU_BO_PEER, struct drm_nvsoc_gpu_bo_peer)

#if defined(__cplusplus)
}
#endif

#endif /* _UAPI_DRM_NVSOC_GPU_ACCEL_H_ */
