// SPDX-License-Identifier: MIT
/*
 * nvsoc-smi: talking to nvsoc-gpu.ko. See gpu.h.
 */
#include "gpu.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

/* How much user memory one copy registers at a time: bounds the kernel's
 * rebuilt pushbuffer (one piece per DMA segment) and swiotlb's use. */
#define USER_WINDOW (4u << 20)

/* --- sysfs ------------------------------------------------------------------- */

const char *sysfs_root(void)
{
	const char *root = getenv("NVSOC_SMI_SYSFS");

	return root && *root ? root : "/sys";
}

static int gpu_cmp(const void *a, const void *b)
{
	return strcmp(((const struct gpu_desc *)a)->name, ((const struct gpu_desc *)b)->name);
}

int is_pci_address(const char *s)
{
	unsigned int dom, bus, dev, fn;
	int end = -1;

	return sscanf(s, "%x:%x:%x.%x%n", &dom, &bus, &dev, &fn, &end) == 4 &&
	       end == (int)strlen(s) && s[0] != ' ' && s[0] != '+' && s[0] != '-';
}

const char *gpu_bus_name(enum gpu_bus bus)
{
	return bus == GPU_BUS_PCI ? "pci" : bus == GPU_BUS_PLATFORM ? "platform" : "other";
}

/*
 * The bus of the device in directory dev named name: its subsystem link
 * (../bus/pci or ../bus/platform), or, where there is none, PCI for a
 * name that is a PCI address and platform for others.
 */
static enum gpu_bus bus_of(const char *dev, const char *name)
{
	char path[1100], link[512];
	const char *base;
	ssize_t len;

	snprintf(path, sizeof(path), "%s/subsystem", dev);
	len = readlink(path, link, sizeof(link) - 1);
	if (len <= 0)
		return is_pci_address(name) ? GPU_BUS_PCI : GPU_BUS_PLATFORM;
	link[len] = 0;
	base = strrchr(link, '/');
	base = base ? base + 1 : link;
	if (!strcmp(base, "pci"))
		return GPU_BUS_PCI;
	if (!strcmp(base, "platform"))
		return GPU_BUS_PLATFORM;
	return GPU_BUS_OTHER;
}

/*
 * The last component of the symlink /sys/class/accel/NAME/REL (the driver's
 * or the device's name), in buf; NULL when there is no such link.
 */
static const char *accel_link_name(const char *name, const char *rel, char *buf, size_t size)
{
	char path[512];
	const char *base;
	ssize_t len;

	snprintf(path, sizeof(path), "%s/class/accel/%s/%s", sysfs_root(), name, rel);
	len = readlink(path, buf, size - 1);
	if (len < 0)
		return NULL;
	buf[len] = 0;
	base = strrchr(buf, '/');
	return base ? base + 1 : buf;
}

int gpu_find(struct gpu_desc *out, int max)
{
	char path[512];
	struct dirent *e;
	int n = 0;
	DIR *dir;

	snprintf(path, sizeof(path), "%s/class/accel", sysfs_root());
	dir = opendir(path);
	if (!dir)
		return 0;
	while ((e = readdir(dir)) && n < max) {
		char link[300], real[PATH_MAX];
		const char *driver, *name;
		int accel;

		if (sscanf(e->d_name, "accel%d", &accel) != 1)
			continue;
		driver = accel_link_name(e->d_name, "device/driver", link, sizeof(link));
		if (!driver || strcmp(driver, "nvsoc-gpu"))
			continue;
		/* The device, on whatever bus: PCI, or the platform bus on the
		 * NVLink fabric node. */
		snprintf(path, sizeof(path), "%s/class/accel/%s/device", sysfs_root(), e->d_name);
		if (!realpath(path, real) || strlen(real) >= sizeof(out[n].sysfs))
			continue;
		name = strrchr(real, '/');
		name = name ? name + 1 : real;
		if (strlen(name) >= sizeof(out[n].name))
			continue;
		out[n].accel = accel;
		memcpy(out[n].name, name, strlen(name) + 1);
		memcpy(out[n].sysfs, real, strlen(real) + 1);
		out[n].bus = bus_of(out[n].sysfs, out[n].name);
		n++;
	}
	closedir(dir);
	qsort(out, n, sizeof(*out), gpu_cmp);
	return n;
}

void gpu_sysfs(const struct gpu_desc *d, const char *attr, char *buf, size_t len)
{
	char path[1280];
	size_t got;
	FILE *f;

	buf[0] = 0;
	snprintf(path, sizeof(path), "%s/%s", d->sysfs, attr);
	f = fopen(path, "r");
	if (!f)
		return;
	got = fread(buf, 1, len - 1, f);
	buf[got] = 0;
	while (got && (buf[got - 1] == '\n' || buf[got - 1] == ' '))
		buf[--got] = 0;
	fclose(f);
}

uint64_t gpu_sysfs_u64(const struct gpu_desc *d, const char *attr)
{
	char buf[64];

	gpu_sysfs(d, attr, buf, sizeof(buf));
	return strtoull(buf, NULL, 0);
}

/* --- The device ------------------------------------------------------------- */

int gpu_open(struct gpu *g, const struct gpu_desc *d)
{
	struct drm_nvsoc_gpu_usermode um = { 0 };
	char node[64];
	void *map;

	memset(g, 0, sizeof(*g));
	g->desc = *d;
	snprintf(node, sizeof(node), "/dev/accel/accel%d", d->accel);
	g->fd = open(node, O_RDWR | O_CLOEXEC);
	if (g->fd < 0) {
		fprintf(stderr, "nvsoc-smi: %s: %s\n", node, strerror(errno));
		return -errno;
	}
	if (ioctl(g->fd, DRM_IOCTL_NVSOC_GPU_GET_INFO, &g->info)) {
		fprintf(stderr, "nvsoc-smi: %s: GET_INFO: %s\n", node, strerror(errno));
		close(g->fd);
		return -errno;
	}
	if (g->info.copy_subchannel != COPY_SUBCH) {
		fprintf(stderr, "nvsoc-smi: %s: the copy class is on subchannel %u, not %u\n", node,
			g->info.copy_subchannel, COPY_SUBCH);
		close(g->fd);
		return -EPROTO;
	}
	if (!ioctl(g->fd, DRM_IOCTL_NVSOC_GPU_USERMODE, &um)) {
		map = mmap(NULL, um.size, PROT_READ, MAP_SHARED, g->fd, um.offset);
		if (map != MAP_FAILED)
			g->usermode = map;
	}
	return 0;
}

void gpu_close(struct gpu *g)
{
	if (g->usermode)
		munmap((void *)g->usermode, NVSOC_GPU_USERMODE_SIZE);
	close(g->fd);
}

uint64_t gpu_time(const struct gpu *g)
{
	uint32_t hi, lo, hi2;

	if (!g->usermode)
		return 0;
	do {
		hi = g->usermode[NVSOC_GPU_USERMODE_TIME_HI / 4];
		lo = g->usermode[NVSOC_GPU_USERMODE_TIME_LO / 4];
		hi2 = g->usermode[NVSOC_GPU_USERMODE_TIME_HI / 4];
	} while (hi != hi2);
	return (uint64_t)hi << 32 | lo;
}

/* --- Memory ------------------------------------------------------------------ */

const char *mem_name(enum mem_kind kind)
{
	switch (kind) {
	case MEM_VRAM:
		return "vram";
	case MEM_SYSMEM:
		return "sysmem";
	case MEM_USER:
		return "user";
	case MEM_PEER:
		return "peer";
	}
	return "?";
}

int mem_alloc(struct gpu *g, struct mem *m, enum mem_kind kind, uint64_t size)
{
	struct drm_nvsoc_gpu_bo_create c = { 0 };
	struct drm_nvsoc_gpu_bo_mmap_offset o = { 0 };
	void *map;

	memset(m, 0, sizeof(*m));
	if (kind == MEM_PEER)
		return -EINVAL; /* mem_peer */
	m->kind = kind;
	m->size = size;
	if (kind == MEM_USER) {
		m->cpu = malloc(size ? size : 1);
		return m->cpu ? 0 : -ENOMEM;
	}
	c.size = size;
	c.placement = kind == MEM_VRAM ? NVSOC_GPU_BO_VRAM : NVSOC_GPU_BO_SYSMEM;
	if (ioctl(g->fd, DRM_IOCTL_NVSOC_GPU_BO_CREATE, &c))
		return -errno;
	m->handle = c.handle;
	m->map_size = c.size;
	o.handle = c.handle;
	/* VRAM outside BAR1 has no mapping; that is fine. */
	if (ioctl(g->fd, DRM_IOCTL_NVSOC_GPU_BO_MMAP_OFFSET, &o))
		return kind == MEM_VRAM ? 0 : -errno;
	map = mmap(NULL, c.size, PROT_READ | PROT_WRITE, MAP_SHARED, g->fd, o.offset);
	if (map == MAP_FAILED)
		return kind == MEM_VRAM ? 0 : -errno;
	m->cpu = map;
	return 0;
}

int mem_peer(struct gpu *g, struct mem *m, const struct gpu *peer, const struct mem *vram,
	     struct drm_nvsoc_gpu_bo_peer *out)
{
	struct drm_nvsoc_gpu_bo_peer b = {
		.peer_fd = peer->fd,
		.peer_handle = vram->handle,
	};

	memset(m, 0, sizeof(*m));
	if (ioctl(g->fd, DRM_IOCTL_NVSOC_GPU_BO_PEER, &b))
		return -errno;
	m->kind = MEM_PEER;
	m->size = b.size;
	m->map_size = b.size;
	m->handle = b.handle;
	*out = b;
	return 0;
}

int gpu_peer_info(struct gpu *g, const struct gpu *peer, struct drm_nvsoc_gpu_peer_info *info)
{
	memset(info, 0, sizeof(*info));
	info->peer_fd = peer->fd;
	if (ioctl(g->fd, DRM_IOCTL_NVSOC_GPU_PEER_INFO, info))
		return -errno;
	return 0;
}

void bo_close(struct gpu *g, uint32_t handle)
{
	struct drm_gem_close c = { .handle = handle };

	ioctl(g->fd, DRM_IOCTL_GEM_CLOSE, &c);
}

void mem_free(struct gpu *g, struct mem *m)
{
	if (m->kind == MEM_USER) {
		free(m->cpu);
	} else {
		if (m->cpu)
			munmap(m->cpu, m->map_size);
		if (m->handle)
			bo_close(g, m->handle);
	}
	memset(m, 0, sizeof(*m));
}

int bo_userptr(struct gpu *g, void *ptr, uint64_t size, uint32_t *handle)
{
	struct drm_nvsoc_gpu_bo_userptr u = {
		.address = (uintptr_t)ptr,
		.size = size,
	};

	if (ioctl(g->fd, DRM_IOCTL_NVSOC_GPU_BO_USERPTR, &u))
		return -errno;
	*handle = u.handle;
	return 0;
}

/* --- Channels and jobs --------------------------------------------------------- */

int channel_create(struct gpu *g, uint32_t engine, uint32_t *channel)
{
	struct drm_nvsoc_gpu_channel_create c = { .engine = engine };

	if (ioctl(g->fd, DRM_IOCTL_NVSOC_GPU_CHANNEL_CREATE, &c))
		return -errno;
	*channel = c.channel;
	return 0;
}

void channel_destroy(struct gpu *g, uint32_t channel)
{
	struct drm_nvsoc_gpu_channel_destroy d = { .channel = channel };

	ioctl(g->fd, DRM_IOCTL_NVSOC_GPU_CHANNEL_DESTROY, &d);
}

void push_init(struct push *p)
{
	p->n = 0;
	p->nrel = 0;
	p->overflow = 0;
}

void push_methods(struct push *p, unsigned int subch, uint32_t method, unsigned int count,
		  const uint32_t *data)
{
	if (p->n + 1 + count > PUSH_MAX_DWORDS) {
		p->overflow = 1;
		return;
	}
	p->dw[p->n++] = NVSOC_GPU_METHOD_HEADER(NVSOC_GPU_SECOP_INC, subch, method, count);
	memcpy(&p->dw[p->n], data, count * sizeof(uint32_t));
	p->n += count;
}

void push_method(struct push *p, unsigned int subch, uint32_t method, uint32_t data)
{
	push_methods(p, subch, method, 1, &data);
}

void push_address(struct push *p, unsigned int subch, uint32_t method, uint32_t handle,
		  uint64_t offset)
{
	static const uint32_t zero[2];

	if (p->nrel == PUSH_MAX_RELOCS) {
		p->overflow = 1;
		return;
	}
	/* The relocation names the first data dword: just after the header. */
	p->rel[p->nrel].dword = p->n + 1;
	p->rel[p->nrel].handle = handle;
	p->rel[p->nrel].offset = offset;
	p->nrel++;
	push_methods(p, subch, method, 2, zero);
}

void push_release16(struct push *p, uint32_t handle, uint64_t offset, uint32_t payload)
{
	uint32_t cd[2] = { payload, NVSOC_GPU_SEMAPHORED_OP_RELEASE };

	push_address(p, 0, NVSOC_GPU_SEMAPHOREA, handle, offset);
	push_methods(p, 0, NVSOC_GPU_SEMAPHOREC, 2, cd);
}

int submit(struct gpu *g, uint32_t channel, const struct push *p, uint32_t *seqno)
{
	struct drm_nvsoc_gpu_submit s = {
		.push = (uintptr_t)p->dw,
		.relocs = (uintptr_t)p->rel,
		.push_dwords = p->n,
		.nr_relocs = p->nrel,
		.channel = channel,
	};

	if (p->overflow)
		return -E2BIG;
	if (ioctl(g->fd, DRM_IOCTL_NVSOC_GPU_SUBMIT, &s))
		return -errno;
	*seqno = s.seqno;
	return 0;
}

int wait_job(struct gpu *g, uint32_t channel, uint32_t seqno, int64_t timeout_ns,
	     uint64_t *done_ns)
{
	struct drm_nvsoc_gpu_wait w = {
		.channel = channel,
		.seqno = seqno,
		.timeout_ns = timeout_ns,
	};
	int ret;

	do {
		ret = ioctl(g->fd, DRM_IOCTL_NVSOC_GPU_WAIT, &w);
	} while (ret && errno == EINTR);
	if (ret)
		return -errno;
	if (done_ns)
		*done_ns = w.done_ns;
	return 0;
}

int run(struct gpu *g, uint32_t channel, const struct push *p, uint64_t *done_ns,
	const char *what)
{
	uint32_t seqno;
	int ret;

	ret = submit(g, channel, p, &seqno);
	if (ret) {
		fprintf(stderr, "nvsoc-smi: %s: SUBMIT: %s\n", what, strerror(-ret));
		return ret;
	}
	ret = wait_job(g, channel, seqno, 5000000000LL, done_ns);
	if (ret)
		fprintf(stderr, "nvsoc-smi: %s: WAIT for job %u: %s\n", what, seqno,
			strerror(-ret));
	return ret;
}

/* --- Copy-engine pushes ------------------------------------------------------- */

/* The subchannel the kernel binds the copy class to (GET_INFO.copy_subchannel,
 * checked by gpu_open). */
#define SUB COPY_SUBCH
#define LAUNCH_BASE                                                                    \
	(NVSOC_GPU_CE_LAUNCH_SRC_PITCH | NVSOC_GPU_CE_LAUNCH_DST_PITCH |                \
	 NVSOC_GPU_CE_LAUNCH_SRC_PHYSICAL | NVSOC_GPU_CE_LAUNCH_DST_PHYSICAL | 2u /* non-pipelined */)

uint32_t phys_mode(enum mem_kind kind)
{
	switch (kind) {
	case MEM_VRAM:
		return NVSOC_GPU_APERTURE_VRAM;
	case MEM_PEER:
		/* Peer id 0: the kernel puts in the slot it holds for the BO's GPU. */
		return NVSOC_GPU_APERTURE_PEER | 0u << NVSOC_GPU_CE_PHYS_MODE_PEER_ID_SHIFT;
	case MEM_SYSMEM:
	case MEM_USER:
		break;
	}
	return NVSOC_GPU_APERTURE_SYSMEM_COHERENT;
}

static void push_sides(struct push *p, const struct side *src, const struct side *dst)
{
	uint32_t modes[2] = { phys_mode(src->kind), phys_mode(dst->kind) };

	push_methods(p, SUB, NVSOC_GPU_CE_SET_SRC_PHYS_MODE, 2, modes);
	push_address(p, SUB, NVSOC_GPU_CE_OFFSET_IN_UPPER, src->handle, src->offset);
	push_address(p, SUB, NVSOC_GPU_CE_OFFSET_OUT_UPPER, dst->handle, dst->offset);
}

void push_copy(struct push *p, const struct side *src, const struct side *dst, uint32_t len,
	       uint32_t launch_extra)
{
	push_sides(p, src, dst);
	push_method(p, SUB, NVSOC_GPU_CE_LINE_LENGTH_IN, len);
	push_method(p, SUB, NVSOC_GPU_CE_LAUNCH_DMA, LAUNCH_BASE | launch_extra);
}

void push_copy_2d(struct push *p, const struct side *src, uint32_t src_pitch,
		  const struct side *dst, uint32_t dst_pitch, uint32_t width, uint32_t lines)
{
	uint32_t geometry[4] = { src_pitch, dst_pitch, width, lines };

	push_sides(p, src, dst);
	push_methods(p, SUB, NVSOC_GPU_CE_PITCH_IN, 4, geometry);
	push_method(p, SUB, NVSOC_GPU_CE_LAUNCH_DMA,
		    LAUNCH_BASE | NVSOC_GPU_CE_LAUNCH_MULTI_LINE);
}

void push_fill(struct push *p, const struct side *dst, uint64_t len, uint32_t value,
	       unsigned int comp_size)
{
	/* One component in, one out, taken from CONST_A: a fill. The source
	 * is named (the kernel bounds it too) but not read. */
	uint32_t remap[3] = {
		value, 0,
		NVSOC_GPU_CE_REMAP_CONST_A << NVSOC_GPU_CE_REMAP_DST_X_SHIFT |
			(comp_size - 1) << NVSOC_GPU_CE_REMAP_COMPONENT_SIZE_SHIFT,
	};

	push_sides(p, dst, dst);
	push_methods(p, SUB, NVSOC_GPU_CE_SET_REMAP_CONST_A, 3, remap);
	push_method(p, SUB, NVSOC_GPU_CE_LINE_LENGTH_IN, (uint32_t)(len / comp_size));
	push_method(p, SUB, NVSOC_GPU_CE_LAUNCH_DMA, LAUNCH_BASE | NVSOC_GPU_CE_LAUNCH_REMAP);
}

int side_get(struct gpu *g, struct mem *m, uint64_t off, uint64_t len, struct side *s)
{
	s->kind = m->kind;
	if (m->kind != MEM_USER) {
		s->handle = m->handle;
		s->offset = off;
		return 0;
	}
	s->offset = 0;
	return bo_userptr(g, m->cpu + off, len ? len : 1, &s->handle);
}

void side_put(struct gpu *g, struct side *s)
{
	if (s->kind == MEM_USER)
		bo_close(g, s->handle);
}

int copy_mem(struct gpu *g, uint32_t channel, struct mem *src, uint64_t soff, struct mem *dst,
	     uint64_t doff, uint64_t len)
{
	static struct push p;
	uint64_t done;

	for (done = 0; done < len;) {
		uint64_t n = len - done;
		struct side s, d;
		int ret;

		if (n > USER_WINDOW)
			n = USER_WINDOW;
		ret = side_get(g, src, soff + done, n, &s);
		if (ret) {
			fprintf(stderr, "nvsoc-smi: BO_USERPTR: %s\n", strerror(-ret));
			return ret;
		}
		ret = side_get(g, dst, doff + done, n, &d);
		if (ret) {
			fprintf(stderr, "nvsoc-smi: BO_USERPTR: %s\n", strerror(-ret));
			side_put(g, &s);
			return ret;
		}
		push_init(&p);
		push_copy(&p, &s, &d, (uint32_t)n, 0);
		ret = run(g, channel, &p, NULL, "copy");
		side_put(g, &d);
		side_put(g, &s);
		if (ret)
			return ret;
		done += n;
	}
	return 0;
}

int fill_mem(struct gpu *g, uint32_t channel, struct mem *m, uint64_t off, uint64_t len,
	     uint8_t v)
{
	static struct push p;
	struct side d = { .handle = m->handle, .offset = off, .kind = m->kind };

	push_init(&p);
	push_fill(&p, &d, len, v, 1);
	return run(g, channel, &p, NULL, "fill");
}

uint64_t sem_time(const struct mem *sem, unsigned int slot)
{
	uint64_t t;

	memcpy(&t, sem->cpu + 16 * slot + 8, 8);
	return t;
}

/* --- Data ---------------------------------------------------------------------------- */

void pattern(uint8_t *p, size_t len, uint32_t seed)
{
	uint32_t x = seed * 2654435761u + 1;
	size_t i;

	for (i = 0; i + 4 <= len; i += 4) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		memcpy(p + i, &x, 4);
	}
	for (; i < len; i++)
		p[i] = (uint8_t)(x >> (8 * (i & 3)));
}

int all_bytes(const uint8_t *p, size_t len, uint8_t v)
{
	while (len--)
		if (*p++ != v)
			return 0;
	return 1;
}

const char *errno_name(int err)
{
	static char buf[24];

	switch (err) {
#define E(x) case x: return #x;
	E(EHOSTUNREACH) E(EINVAL) E(EBADF) E(ENOENT) E(ENOSPC) E(ENOMEM) E(EIO) E(ETIMEDOUT)
	E(ENODEV) E(E2BIG) E(ECANCELED) E(ENOTTY) E(EPERM) E(EACCES) E(EFAULT) E(EBUSY)
#undef E
	}
	snprintf(buf, sizeof(buf), "errno %d", err);
	return buf;
}

/* --- CRC-32 (IEEE 802.3), slicing by 4 ------------------------------------------- */

static uint32_t crc_table[4][256];

static void crc_init(void)
{
	uint32_t i, j, c;

	for (i = 0; i < 256; i++) {
		c = i;
		for (j = 0; j < 8; j++)
			c = c & 1 ? 0xedb88320u ^ (c >> 1) : c >> 1;
		crc_table[0][i] = c;
	}
	for (i = 0; i < 256; i++)
		for (j = 1; j < 4; j++)
			crc_table[j][i] = (crc_table[j - 1][i] >> 8) ^
					  crc_table[0][crc_table[j - 1][i] & 0xff];
}

uint32_t crc32_buf(uint32_t crc, const void *buf, size_t len)
{
	const uint8_t *b = buf;

	if (!crc_table[0][1])
		crc_init();
	crc = ~crc;
	while (len && ((uintptr_t)b & 3)) {
		crc = crc_table[0][(crc ^ *b++) & 0xff] ^ (crc >> 8);
		len--;
	}
	while (len >= 4) {
		uint32_t w;

		memcpy(&w, b, 4);
		crc ^= w; /* little-endian */
		crc = crc_table[3][crc & 0xff] ^ crc_table[2][(crc >> 8) & 0xff] ^
		      crc_table[1][(crc >> 16) & 0xff] ^ crc_table[0][crc >> 24];
		b += 4;
		len -= 4;
	}
	while (len--)
		crc = crc_table[0][(crc ^ *b++) & 0xff] ^ (crc >> 8);
	return ~crc;
}
