// SPDX-License-Identifier: MIT
/*
 * A fake of nvsoc-gpu.ko's user-space interface for host runs of nvsoc-smi
 * (test_nvsoc_smi_p2p.sh, test_nvsoc_smi_coherence.sh): LD_PRELOADed, it serves open() of
 * /dev/accel/accelN, the driver's ioctls and mmap() of its BOs, does the
 * copies with memcpy and keeps a device clock per GPU. It checks what the
 * tool sends against the UAPI (sw/drivers/nvsoc-gpu/include/uapi/drm/
 * nvsoc_gpu_accel.h) and counts every departure from it; at exit, any
 * makes the process exit 99 (and prints them on stderr).
 *
 * It is not the driver: it knows only what the tool's p2p and coherence
 * commands and their setup use (1-D copies, fills, 16-byte releases).
 *
 * Environment:
 *   FAKE_GPU_PATHS  n*n characters, row i column j: how GPU i reaches GPU
 *                   j: 'x' itself, '-' no path, 'p' PCIe, '1'-'9' NVLink
 *                   with that many links (default: all NVLink, 2 links)
 *   FAKE_GPU_BREAK  write-guard: a copy to a peer BO writes one byte more;
 *                   read-data: a copy from a peer BO flips its first byte;
 *                   enospc: BO_PEER on GPU 1 fails with ENOSPC;
 *                   slot: PEER_INFO never names the slot held;
 *                   stale: a VRAM BO's mapping is a copy of its bytes
 *                   taken at mmap() (a mapping that is not coherent:
 *                   the CPU's stores do not reach the engine, nor the
 *                   engine's writes the CPU)
 *   FAKE_GPU_BAR1   1: VRAM BOs can be mapped (BO_MMAP_OFFSET), as inside
 *                   BAR1 or the fabric's VRAM window; otherwise only
 *                   system-memory BOs can
 *
 * Time: a job starts 500 ns after SUBMIT; a launch takes len / rate ns
 * (rate in bytes/ns: 100 within VRAM, 25 per NVLink link, 16 over PCIe)
 * plus 500 ns over NVLink or 1500 ns over PCIe; releases take no time.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "nvsoc_gpu_accel.h"
#include "nvsoc_gpu_hw.h"

#define MAX_FDS 1024
#define MAX_BOS 4096
#define FAKE_GPUS 8
#define USERMODE_OFFSET 0x100000000ull /* mmap offset of the usermode page */
#define COPY_SUBCH 4

enum kind { K_FREE, K_VRAM, K_SYSMEM, K_USER, K_PEER };

struct bo {
	enum kind kind;
	int fd;			/* the file whose handle it is */
	uint8_t *mem;		/* VRAM, SYSMEM: malloc'd; USER: the user's */
	uint64_t size;
	int target;		/* PEER: the VRAM BO it stands for */
	int peer_refs;		/* VRAM: PEER BOs standing for it */
	int closed;		/* VRAM: closed, kept for its PEER BOs */
	uint8_t *shadow;	/* VRAM under FAKE_GPU_BREAK=stale: the mapping */
};

struct fake_gpu {
	uint64_t clock;
	uint32_t seqno;		/* the last submitted */
	uint64_t done[64];	/* release time by seqno % 64 */
	int slot_refs[FAKE_GPUS]; /* PEER BOs of GPU j on this GPU */
	int slot[FAKE_GPUS];	/* the peer table slot of GPU j, or -1 */
	uint32_t usermode[NVSOC_GPU_USERMODE_SIZE / 4];
};

static struct bo bos[MAX_BOS];
static struct fake_gpu gpus[FAKE_GPUS];
static int fd_gpu[MAX_FDS]; /* 1 + the GPU of a fake file, 0 for others */
static int violations;

static int (*real_open)(const char *, int, ...);
static int (*real_close)(int);
static int (*real_ioctl)(int, unsigned long, ...);
static void *(*real_mmap)(void *, size_t, int, int, int, off_t);
static int (*real_munmap)(void *, size_t);

__attribute__((format(printf, 1, 2))) static void violation(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "fake: UAPI violation: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	violations++;
}

static void init(void)
{
	if (real_open)
		return;
	real_open = dlsym(RTLD_NEXT, "open");
	real_close = dlsym(RTLD_NEXT, "close");
	real_ioctl = dlsym(RTLD_NEXT, "ioctl");
	real_mmap = dlsym(RTLD_NEXT, "mmap");
	real_munmap = dlsym(RTLD_NEXT, "munmap");
	for (int g = 0; g < FAKE_GPUS; g++)
		memset(gpus[g].slot, -1, sizeof(gpus[g].slot));
}

__attribute__((destructor)) static void fini(void)
{
	if (violations) {
		fprintf(stderr, "fake: %d UAPI violations\n", violations);
		_exit(99);
	}
}

static const char *env(const char *name, const char *dflt)
{
	const char *v = getenv(name);

	return v && *v ? v : dflt;
}

static int broken(const char *what)
{
	return !strcmp(env("FAKE_GPU_BREAK", ""), what);
}

/* NVSOC_GPU_PEER_* of i -> j, *links the NVLink count. */
static uint32_t path(int i, int j, uint32_t *links)
{
	const char *paths = getenv("FAKE_GPU_PATHS");
	size_t len = paths ? strlen(paths) : 0;
	size_t n = 1;
	char c;

	while (n * n < len)
		n++;
	c = paths && (size_t)i < n && (size_t)j < n && n * n == len ? paths[i * n + j] : '2';
	*links = c >= '1' && c <= '9' ? (uint32_t)(c - '0') : 0;
	if (*links)
		return NVSOC_GPU_PEER_NVLINK;
	return c == 'p' ? NVSOC_GPU_PEER_PCIE : NVSOC_GPU_PEER_NONE;
}

static int gpu_of(int fd)
{
	return fd >= 0 && fd < MAX_FDS ? fd_gpu[fd] - 1 : -1;
}

static void set_clock(int g, uint64_t t)
{
	gpus[g].clock = t;
	gpus[g].usermode[NVSOC_GPU_USERMODE_TIME_LO / 4] = (uint32_t)t;
	gpus[g].usermode[NVSOC_GPU_USERMODE_TIME_HI / 4] = (uint32_t)(t >> 32);
}

/* --- BOs -------------------------------------------------------------------- */

static uint32_t bo_new(int fd, enum kind kind, uint8_t *mem, uint64_t size)
{
	for (uint32_t h = 1; h < MAX_BOS; h++) {
		if (bos[h].kind == K_FREE) {
			bos[h] = (struct bo){ .kind = kind, .fd = fd, .mem = mem, .size = size };
			return h;
		}
	}
	return 0;
}

/* The BO of handle h in file fd, or NULL. */
static struct bo *bo_get(int fd, uint32_t h)
{
	if (h == 0 || h >= MAX_BOS || bos[h].kind == K_FREE || bos[h].closed ||
	    bos[h].fd != fd)
		return NULL;
	return &bos[h];
}

/* Where a BO's bytes are (a PEER BO's are its target's). */
static uint8_t *bo_mem(const struct bo *b)
{
	return b->kind == K_PEER ? bos[b->target].mem : b->mem;
}

static void vram_put(int h)
{
	if (bos[h].closed && !bos[h].peer_refs) {
		free(bos[h].mem);
		bos[h].kind = K_FREE;
	}
}

static int bo_close(int fd, uint32_t h)
{
	struct bo *b = bo_get(fd, h);
	int g = gpu_of(fd);

	if (!b)
		return -EINVAL;
	switch (b->kind) {
	case K_VRAM:
		b->closed = 1;
		vram_put(h);
		return 0;
	case K_PEER: {
		int pg = gpu_of(bos[b->target].fd);

		if (pg >= 0 && !--gpus[g].slot_refs[pg])
			gpus[g].slot[pg] = -1;
		bos[b->target].peer_refs--;
		vram_put(b->target);
		break;
	}
	case K_SYSMEM:
		free(b->mem);
		break;
	default:
		break;
	}
	b->kind = K_FREE;
	return 0;
}

/* --- SUBMIT ------------------------------------------------------------------ */

struct addr {
	uint32_t handle;
	uint64_t offset;
	int set;
};

struct job {
	int fd, g;
	uint32_t m[0x800];	/* method data by method / 4 */
	struct addr in, out, sem;
};

/* The bytes [a, a + len) of a copy side in aperture mode, or NULL. */
static uint8_t *side(struct job *j, const struct addr *a, uint32_t mode, uint64_t len,
		     const char *what, struct bo **bo)
{
	uint32_t target = mode & NVSOC_GPU_CE_PHYS_MODE_TARGET_MASK;
	uint32_t peer_id = mode >> NVSOC_GPU_CE_PHYS_MODE_PEER_ID_SHIFT;
	struct bo *b = a->set ? bo_get(j->fd, a->handle) : NULL;
	uint32_t want;

	if (!b) {
		violation("SUBMIT: %s: no BO (handle %u)", what, a->handle);
		return NULL;
	}
	want = b->kind == K_VRAM ? NVSOC_GPU_APERTURE_VRAM :
	       b->kind == K_PEER ? NVSOC_GPU_APERTURE_PEER : NVSOC_GPU_APERTURE_SYSMEM_COHERENT;
	if (target != want && !(want == NVSOC_GPU_APERTURE_SYSMEM_COHERENT &&
				target == NVSOC_GPU_APERTURE_SYSMEM_NONCOHERENT)) {
		violation("SUBMIT: %s: aperture %u for a BO that needs %u", what, target, want);
		return NULL;
	}
	if (peer_id) {
		violation("SUBMIT: %s: peer id %u (only 0 is allowed)", what, peer_id);
		return NULL;
	}
	if (a->offset > b->size || len > b->size - a->offset) {
		violation("SUBMIT: %s: %llu bytes at %llu outside the BO's %llu", what,
			  (unsigned long long)len, (unsigned long long)a->offset,
			  (unsigned long long)b->size);
		return NULL;
	}
	*bo = b;
	return bo_mem(b) + a->offset;
}

/* The time of a launch over the path of its peer side, if any. */
static uint64_t launch_ns(int g, const struct bo *s, const struct bo *d, uint64_t len)
{
	const struct bo *peer = s->kind == K_PEER ? s : d->kind == K_PEER ? d : NULL;
	uint32_t links, p;

	if (!peer)
		return len / 100;
	p = path(g, gpu_of(bos[peer->target].fd), &links);
	if (p == NVSOC_GPU_PEER_NVLINK)
		return len / (25 * links) + 500;
	return len / 16 + 1500;
}

static int launch(struct job *j, uint32_t flags)
{
	uint32_t len = j->m[NVSOC_GPU_CE_LINE_LENGTH_IN / 4];
	uint32_t need = NVSOC_GPU_CE_LAUNCH_SRC_PHYSICAL | NVSOC_GPU_CE_LAUNCH_DST_PHYSICAL |
			NVSOC_GPU_CE_LAUNCH_SRC_PITCH | NVSOC_GPU_CE_LAUNCH_DST_PITCH;
	struct bo *sb, *db;
	uint8_t *s, *d;

	if ((flags & need) != need || !(flags & NVSOC_GPU_CE_LAUNCH_TRANSFER_MASK) ||
	    (flags & NVSOC_GPU_CE_LAUNCH_MULTI_LINE)) {
		violation("SUBMIT: LAUNCH_DMA 0x%x (the fake does 1-D physical copies)", flags);
		return -EINVAL;
	}
	d = side(j, &j->out, j->m[NVSOC_GPU_CE_SET_DST_PHYS_MODE / 4], len, "destination", &db);
	s = side(j, &j->in, j->m[NVSOC_GPU_CE_SET_SRC_PHYS_MODE / 4],
		 flags & NVSOC_GPU_CE_LAUNCH_REMAP ? 0 : len, "source", &sb);
	if (!s || !d)
		return -EINVAL;
	if (flags & NVSOC_GPU_CE_LAUNCH_REMAP) {
		memset(d, (int)(j->m[NVSOC_GPU_CE_SET_REMAP_CONST_A / 4] & 0xff), len);
	} else {
		memmove(d, s, len);
		if (broken("write-guard") && db->kind == K_PEER &&
		    j->out.offset + len < db->size)
			d[len] ^= 0xff;
		if (broken("read-data") && sb->kind == K_PEER && len)
			d[0] ^= 1;
	}
	set_clock(j->g, gpus[j->g].clock + launch_ns(j->g, sb, db, len));
	return 0;
}

static int release(struct job *j)
{
	struct bo *b = j->sem.set ? bo_get(j->fd, j->sem.handle) : NULL;
	uint32_t op = j->m[NVSOC_GPU_SEMAPHORED / 4];
	uint64_t t = gpus[j->g].clock;
	uint8_t *p;

	if ((op & NVSOC_GPU_SEMAPHORED_OP_MASK) != NVSOC_GPU_SEMAPHORED_OP_RELEASE ||
	    (op & NVSOC_GPU_SEMAPHORED_RELEASE_SIZE_4BYTE)) {
		violation("SUBMIT: SEMAPHORED 0x%x (the fake does 16-byte releases)", op);
		return -EINVAL;
	}
	if (!b || (b->kind != K_SYSMEM && b->kind != K_USER) || j->sem.offset % 16 ||
	    j->sem.offset + 16 > b->size) {
		violation("SUBMIT: a release outside a system-memory BO");
		return -EINVAL;
	}
	p = b->mem + j->sem.offset;
	memcpy(p, &j->m[NVSOC_GPU_SEMAPHOREC / 4], 4);
	memset(p + 4, 0, 4);
	memcpy(p + 8, &t, 8);
	return 0;
}

/* The address pair a method starts, or NULL. */
static struct addr *address_of(struct job *j, unsigned int subch, uint32_t method)
{
	if (method == NVSOC_GPU_SEMAPHOREA)
		return &j->sem;
	if (subch != COPY_SUBCH)
		return NULL;
	if (method == NVSOC_GPU_CE_OFFSET_IN_UPPER)
		return &j->in;
	if (method == NVSOC_GPU_CE_OFFSET_OUT_UPPER)
		return &j->out;
	return NULL;
}

static int method(struct job *j, unsigned int subch, uint32_t mth, uint32_t data)
{
	if (mth >= NVSOC_GPU_HOST_METHODS_END && subch != COPY_SUBCH) {
		violation("SUBMIT: copy method 0x%x on subchannel %u", mth, subch);
		return -EINVAL;
	}
	j->m[mth / 4] = data;
	if (mth == NVSOC_GPU_SEMAPHORED)
		return release(j);
	if (mth == NVSOC_GPU_CE_LAUNCH_DMA)
		return launch(j, data);
	return 0;
}

static int submit(int fd, struct drm_nvsoc_gpu_submit *s)
{
	const uint32_t *dw = (const uint32_t *)(uintptr_t)s->push;
	const struct drm_nvsoc_gpu_reloc *rel = (const void *)(uintptr_t)s->relocs;
	static struct job j;
	struct fake_gpu *g = &gpus[gpu_of(fd)];
	uint32_t i = 0, r = 0;
	int ret = 0;

	if (s->flags || s->pad) {
		violation("SUBMIT: flags or pad not zero");
		return -EINVAL;
	}
	memset(&j, 0, sizeof(j));
	j.fd = fd;
	j.g = gpu_of(fd);
	set_clock(j.g, g->clock + 500);
	while (i < s->push_dwords && !ret) {
		uint32_t h = dw[i++], mth = (h & NVSOC_GPU_METHOD_ADDRESS_MASK) * 4;
		uint32_t count = (h >> NVSOC_GPU_METHOD_COUNT_SHIFT) & NVSOC_GPU_METHOD_COUNT_MASK;
		unsigned int subch = (h >> NVSOC_GPU_METHOD_SUBCH_SHIFT) & 7;

		if (h >> NVSOC_GPU_METHOD_SECOP_SHIFT != NVSOC_GPU_SECOP_INC ||
		    i + count > s->push_dwords) {
			violation("SUBMIT: method header 0x%08x at dword %u", h, i - 1);
			return -EINVAL;
		}
		for (uint32_t k = 0; k < count && !ret; k++, i++, mth += 4) {
			struct addr *a = address_of(&j, subch, mth);

			if (a && (r >= s->nr_relocs || rel[r].dword != i || k + 1 >= count)) {
				violation("SUBMIT: method 0x%x at dword %u without its relocation "
					  "and pair", mth, i);
				return -EINVAL;
			}
			if (a) {
				*a = (struct addr){ rel[r].handle, rel[r].offset, 1 };
				r++;
			}
			ret = method(&j, subch, mth, dw[i]);
		}
	}
	if (!ret && r != s->nr_relocs) {
		violation("SUBMIT: %u relocations, %u used", s->nr_relocs, r);
		return -EINVAL;
	}
	if (ret)
		return ret;
	s->seqno = ++g->seqno;
	g->done[s->seqno % 64] = g->clock;
	return 0;
}

/* --- Peers ------------------------------------------------------------------- */

/* The GPU of a peer file, or -errno. */
static int peer_gpu(int g, int32_t peer_fd)
{
	int pg = gpu_of(peer_fd);

	if (peer_fd < 0 || peer_fd >= MAX_FDS || fcntl(peer_fd, F_GETFD) < 0)
		return -EBADF;
	if (pg < 0 || pg == g)
		return -EINVAL;
	return pg;
}

static int peer_info(int fd, struct drm_nvsoc_gpu_peer_info *p)
{
	int g = gpu_of(fd), pg = peer_gpu(g, p->peer_fd);

	if (p->flags) {
		violation("PEER_INFO: flags not zero");
		return -EINVAL;
	}
	if (pg < 0)
		return pg;
	p->path = path(g, pg, &p->nvlinks);
	p->peer_nvlink_id = (uint32_t)pg + 1;
	p->peer_id = gpus[g].slot[pg] < 0 || broken("slot") ? ~0u : (uint32_t)gpus[g].slot[pg];
	return 0;
}

static int slot_take(int g, int pg)
{
	int used = 0;

	if (gpus[g].slot[pg] >= 0)
		return gpus[g].slot[pg];
	for (int k = 0; k < FAKE_GPUS; k++)
		if (gpus[g].slot[k] >= 0)
			used |= 1 << gpus[g].slot[k];
	for (int s = 0; s < NVSOC_GPU_PEERS; s++)
		if (!(used & (1 << s)))
			return gpus[g].slot[pg] = s;
	return -ENOSPC;
}

static int bo_peer(int fd, struct drm_nvsoc_gpu_bo_peer *p)
{
	int g = gpu_of(fd), pg = peer_gpu(g, p->peer_fd), slot;
	struct bo *target;
	uint32_t links, h;

	if (p->flags) {
		violation("BO_PEER: flags not zero");
		return -EINVAL;
	}
	if (pg < 0)
		return pg;
	target = bo_get(p->peer_fd, p->peer_handle);
	if (!target)
		return -ENOENT;
	if (target->kind != K_VRAM)
		return -EINVAL;
	p->path = path(g, pg, &links);
	if (p->path == NVSOC_GPU_PEER_NONE)
		return -EHOSTUNREACH;
	slot = broken("enospc") && g == 1 ? -ENOSPC : slot_take(g, pg);
	if (slot < 0)
		return slot;
	h = bo_new(fd, K_PEER, NULL, target->size);
	if (!h)
		return -ENOMEM;
	bos[h].target = (int)(target - bos);
	target->peer_refs++;
	gpus[g].slot_refs[pg]++;
	p->handle = h;
	p->size = target->size;
	p->peer_id = (uint32_t)slot;
	return 0;
}

/* --- The rest of the ioctls ------------------------------------------------------ */

static int bo_create(int fd, struct drm_nvsoc_gpu_bo_create *c)
{
	uint64_t size = (c->size + 4095) & ~4095ull;
	uint8_t *mem;

	if (c->flags || c->pad || (c->placement != NVSOC_GPU_BO_VRAM &&
				   c->placement != NVSOC_GPU_BO_SYSMEM)) {
		violation("BO_CREATE: bad placement, flags or pad");
		return -EINVAL;
	}
	mem = malloc(size ? size : 1);
	if (!mem)
		return -ENOMEM;
	memset(mem, 0x77, size); /* what VRAM held before */
	c->handle = bo_new(fd, c->placement == NVSOC_GPU_BO_VRAM ? K_VRAM : K_SYSMEM, mem, size);
	c->size = size;
	return c->handle ? 0 : -ENOMEM;
}

static int gpu_ioctl(int fd, unsigned long req, void *arg)
{
	int g = gpu_of(fd);

	switch (req) {
	case DRM_IOCTL_NVSOC_GPU_GET_INFO: {
		struct drm_nvsoc_gpu_get_info *i = arg;

		memset(i, 0, sizeof(*i));
		i->num_channels = 8;
		i->num_ces = 2;
		i->vram_size = 1ull << 30;
		i->copy_subchannel = COPY_SUBCH;
		i->max_push_dwords = 4096;
		i->max_relocs = 256;
		return 0;
	}
	case DRM_IOCTL_NVSOC_GPU_USERMODE: {
		struct drm_nvsoc_gpu_usermode *u = arg;

		u->handle = 0;
		u->size = NVSOC_GPU_USERMODE_SIZE;
		u->offset = USERMODE_OFFSET;
		return 0;
	}
	case DRM_IOCTL_NVSOC_GPU_BO_CREATE:
		return bo_create(fd, arg);
	case DRM_IOCTL_NVSOC_GPU_BO_MMAP_OFFSET: {
		struct drm_nvsoc_gpu_bo_mmap_offset *o = arg;
		struct bo *b = bo_get(fd, o->handle);

		if (!b)
			return -ENOENT;
		if (b->kind != K_SYSMEM && !(b->kind == K_VRAM && !strcmp(env("FAKE_GPU_BAR1", ""), "1")))
			return -EINVAL; /* VRAM outside BAR1, as far as the tool knows */
		o->offset = (uint64_t)o->handle << 12;
		return 0;
	}
	case DRM_IOCTL_NVSOC_GPU_BO_USERPTR: {
		struct drm_nvsoc_gpu_bo_userptr *u = arg;

		u->handle = bo_new(fd, K_USER, (uint8_t *)(uintptr_t)u->address, u->size);
		return u->handle ? 0 : -ENOMEM;
	}
	case DRM_IOCTL_GEM_CLOSE:
		return bo_close(fd, ((struct drm_gem_close *)arg)->handle);
	case DRM_IOCTL_NVSOC_GPU_CHANNEL_CREATE:
		((struct drm_nvsoc_gpu_channel_create *)arg)->channel = 5;
		return 0;
	case DRM_IOCTL_NVSOC_GPU_CHANNEL_DESTROY:
		return 0;
	case DRM_IOCTL_NVSOC_GPU_SUBMIT:
		return submit(fd, arg);
	case DRM_IOCTL_NVSOC_GPU_WAIT: {
		struct drm_nvsoc_gpu_wait *w = arg;

		if (w->seqno == 0 || w->seqno > gpus[g].seqno)
			return -EINVAL;
		w->done_ns = gpus[g].done[w->seqno % 64];
		return 0;
	}
	case DRM_IOCTL_NVSOC_GPU_PEER_INFO:
		return peer_info(fd, arg);
	case DRM_IOCTL_NVSOC_GPU_BO_PEER:
		return bo_peer(fd, arg);
	}
	violation("unknown ioctl 0x%lx", req);
	return -ENOTTY;
}

/* --- The interposed calls ------------------------------------------------------- */

static int fake_open(const char *path_name, int flags, mode_t mode)
{
	int n, fd;

	init();
	if (sscanf(path_name, "/dev/accel/accel%d", &n) != 1)
		return real_open(path_name, flags, mode);
	if (n < 0 || n >= FAKE_GPUS) {
		errno = ENOENT;
		return -1;
	}
	fd = real_open("/dev/null", O_RDWR | O_CLOEXEC, 0);
	if (fd >= 0 && fd < MAX_FDS)
		fd_gpu[fd] = n + 1;
	return fd;
}

int open(const char *p, int flags, ...)
{
	va_list ap;
	mode_t mode;

	va_start(ap, flags);
	mode = (flags & O_CREAT) ? va_arg(ap, mode_t) : 0;
	va_end(ap);
	return fake_open(p, flags, mode);
}

int open64(const char *p, int flags, ...) __attribute__((alias("open")));

int close(int fd)
{
	init();
	if (gpu_of(fd) >= 0) {
		for (uint32_t h = 1; h < MAX_BOS; h++)
			if (bos[h].kind != K_FREE && !bos[h].closed && bos[h].fd == fd &&
			    bos[h].kind == K_PEER)
				bo_close(fd, h);
		fd_gpu[fd] = 0;
	}
	return real_close(fd);
}

int ioctl(int fd, unsigned long req, ...)
{
	va_list ap;
	void *arg;
	int ret;

	va_start(ap, req);
	arg = va_arg(ap, void *);
	va_end(ap);
	init();
	if (gpu_of(fd) < 0)
		return real_ioctl(fd, req, arg);
	ret = gpu_ioctl(fd, req, arg);
	if (ret) {
		errno = -ret;
		return -1;
	}
	return 0;
}

void *mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	int g;

	init();
	g = gpu_of(fd);
	if (g < 0)
		return real_mmap(addr, len, prot, flags, fd, off);
	if ((uint64_t)off == USERMODE_OFFSET) {
		if (prot & PROT_WRITE)
			violation("the usermode page mapped writable");
		return gpus[g].usermode;
	}
	if (off & 4095 || !bo_get(fd, (uint32_t)(off >> 12))) {
		errno = EINVAL;
		return MAP_FAILED;
	}
	if (len > bos[off >> 12].size) {
		violation("mmap of %zu bytes of a %llu-byte BO", len,
			  (unsigned long long)bos[off >> 12].size);
		errno = EINVAL;
		return MAP_FAILED;
	}
	if (bos[off >> 12].kind == K_VRAM && broken("stale")) {
		struct bo *b = &bos[off >> 12];

		if (b->shadow) { /* one mapping at a time, as the tool makes */
			errno = EBUSY;
			return MAP_FAILED;
		}
		b->shadow = malloc(b->size);
		if (!b->shadow) {
			errno = ENOMEM;
			return MAP_FAILED;
		}
		memcpy(b->shadow, b->mem, b->size);
		return b->shadow;
	}
	return bos[off >> 12].mem;
}

void *mmap64(void *addr, size_t len, int prot, int flags, int fd, off_t off)
	__attribute__((alias("mmap")));

int munmap(void *addr, size_t len)
{
	init();
	for (int g = 0; g < FAKE_GPUS; g++)
		if (addr == gpus[g].usermode)
			return 0;
	for (uint32_t h = 1; h < MAX_BOS; h++) {
		if ((bos[h].kind == K_SYSMEM || bos[h].kind == K_VRAM) && bos[h].mem == addr)
			return 0;
		if (bos[h].kind == K_VRAM && bos[h].shadow && bos[h].shadow == addr) {
			free(bos[h].shadow);
			bos[h].shadow = NULL;
			return 0;
		}
	}
	return real_munmap(addr, len);
}
