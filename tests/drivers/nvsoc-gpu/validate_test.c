// SPDX-License-Identifier: GPL-2.0-only
/*
 * Host test of nvsoc-gpu.ko's pushbuffer validator (nvsoc_gpu_validate.c),
 * compiled against shim headers, fed with pushbuffers built by nvsoc-smi's
 * own push helpers (sw/tools/nvsoc-smi/gpu.c) and with hand-made bad ones.
 *
 * Every accepted submission is replayed by a small model of the device's
 * method decoder: each LAUNCH_DMA and semaphore it would perform must
 * touch only bytes inside the test's BOs (and write only writable ones),
 * and a copy must move exactly the bytes asked for.
 *
 * Usage: make -C tests/drivers/nvsoc-gpu check
 */
#include "nvsoc_gpu_drv.h"
#include "nvsoc_gpu_accel.h"

#include "gpu.h"

/* --- The shims' other half ---------------------------------------------------- */

#define MAX_BOS 16

static struct nvsoc_gpu_bo *bos[MAX_BOS];
static int refs_taken, refs_dropped;
static int verbose;
static char last_reason[512];

struct drm_gem_object *drm_gem_object_lookup(struct drm_file *file, u32 handle)
{
	if (handle >= MAX_BOS || !bos[handle])
		return NULL;
	refs_taken++;
	return &bos[handle]->base;
}

void drm_gem_object_put(struct drm_gem_object *obj)
{
	refs_dropped++;
}

/* printf with the kernel's %pV. */
void shim_dbg(const char *fmt, ...)
{
	char out[512], spec[32];
	size_t used = 0;
	va_list ap;

	va_start(ap, fmt);
	while (*fmt && used < sizeof(out) - 1) {
		const char *start = fmt;
		size_t n;

		if (*fmt != '%') {
			out[used++] = *fmt++;
			continue;
		}
		if (fmt[1] == 'p' && fmt[2] == 'V') {
			struct va_format *vaf = va_arg(ap, struct va_format *);
			va_list inner;

			va_copy(inner, *vaf->va);
			used += vsnprintf(out + used, sizeof(out) - used, vaf->fmt, inner);
			va_end(inner);
			fmt += 3;
			continue;
		}
		fmt++;
		while (*fmt && !strchr("diuxXscp%", *fmt))
			fmt++;
		n = fmt - start + 1;
		memcpy(spec, start, n);
		spec[n] = 0;
		fmt++;
		if (strstr(spec, "ll"))
			used += snprintf(out + used, sizeof(out) - used, spec,
					 va_arg(ap, unsigned long long));
		else if (spec[n - 1] == 's')
			used += snprintf(out + used, sizeof(out) - used, spec, va_arg(ap, char *));
		else if (spec[n - 1] == '%')
			out[used++] = '%';
		else
			used += snprintf(out + used, sizeof(out) - used, spec, va_arg(ap, unsigned int));
		if (used > sizeof(out) - 1)
			used = sizeof(out) - 1;
	}
	out[used] = 0;
	va_end(ap);
	if (used && out[used - 1] == '\n')
		out[used - 1] = 0;
	snprintf(last_reason, sizeof(last_reason), "%s", out);
	if (verbose)
		puts(out);
}

/* --- Test BOs ---------------------------------------------------------------------- */

enum {
	H_SYS = 1,	/* sysmem, 1 MiB at bus 0x80100000 */
	H_VRAM,		/* VRAM, 2 MiB at offset 0x200000 */
	H_VRAM2,	/* VRAM, 64 KiB at offset 0x400000 */
	H_USER,		/* userptr, 1 MiB + 3 in scattered 4 KiB pages, starts 1 byte into a page */
	H_USER_RO,	/* read-only userptr, 64 KiB, 2 segments */
	H_USER_AL,	/* userptr, 64 KiB page-aligned in 16 scattered pages */
	H_USERMODE,	/* the register page */
	H_SEM,		/* sysmem, 4 KiB at bus 0x80300000 */
	H_HIGH,		/* sysmem above 2^40 (a 64-bit mask) */
};

#define VRAM_SIZE (64ull << 20)

static struct nvsoc_gpu_device gdev;

static struct nvsoc_gpu_bo *new_bo(u32 handle, enum nvsoc_gpu_bo_kind kind, u64 size)
{
	struct nvsoc_gpu_bo *bo = calloc(1, sizeof(*bo));

	bo->kind = kind;
	bo->size = size;
	bo->segs = &bo->seg;
	bo->nr_segs = 1;
	bos[handle] = bo;
	return bo;
}

static void one_seg(struct nvsoc_gpu_bo *bo, u64 addr)
{
	bo->seg = (struct nvsoc_gpu_seg){ 0, addr, bo->size };
}

/* Scattered pages: the first segment is the rest of the first page. */
static void pages(struct nvsoc_gpu_bo *bo, u64 first_page_offset, u64 base, u64 stride)
{
	u64 at = 0, len = 4096 - first_page_offset;
	unsigned int n = 0;

	bo->segs = calloc(bo->size / 4096 + 2, sizeof(*bo->segs));
	while (at < bo->size) {
		if (len > bo->size - at)
			len = bo->size - at;
		bo->segs[n] = (struct nvsoc_gpu_seg){
			at, base + n * stride + (n ? 0 : first_page_offset), len };
		at += len;
		n++;
		len = 4096;
	}
	bo->nr_segs = n;
}

static void setup(void)
{
	struct nvsoc_gpu_bo *bo;

	one_seg(new_bo(H_SYS, NVSOC_GPU_BO_KIND_SYSMEM, 1 << 20), 0x80100000);
	one_seg(new_bo(H_VRAM, NVSOC_GPU_BO_KIND_VRAM, 2 << 20), 0x200000);
	one_seg(new_bo(H_VRAM2, NVSOC_GPU_BO_KIND_VRAM, 64 << 10), 0x400000);
	pages(new_bo(H_USER, NVSOC_GPU_BO_KIND_USERPTR, (1 << 20) + 3), 1, 0x90000000, 0x3000);
	bo = new_bo(H_USER_RO, NVSOC_GPU_BO_KIND_USERPTR, 64 << 10);
	bo->read_only = true;
	bo->segs = calloc(2, sizeof(*bo->segs));
	bo->segs[0] = (struct nvsoc_gpu_seg){ 0, 0xa0000000, 32 << 10 };
	bo->segs[1] = (struct nvsoc_gpu_seg){ 32 << 10, 0xa1000000, 32 << 10 };
	bo->nr_segs = 2;
	pages(new_bo(H_USER_AL, NVSOC_GPU_BO_KIND_USERPTR, 64 << 10), 0, 0xb0000000, 0x2000);
	bo = new_bo(H_USERMODE, NVSOC_GPU_BO_KIND_USERMODE, 64 << 10);
	bo->nr_segs = 0;
	one_seg(new_bo(H_SEM, NVSOC_GPU_BO_KIND_SYSMEM, 4096), 0x80300000);
	one_seg(new_bo(H_HIGH, NVSOC_GPU_BO_KIND_SYSMEM, 4096), 0x20000000000ull);
}

/* --- A model of the device's decoder, checking every access ---------------------------- */

struct replay {
	u32 ce[0x800 / 4];	/* copy-class methods 0x000-0x7ff, by index */
	u32 host[0x100 / 4];
	u64 bytes_written;	/* by copies */
	unsigned int launches, releases, acquires, problems;
	char problem[256];
};

/* Is [addr, addr + len) inside a BO of this aperture (writable if asked)? */
static bool inside(u32 aperture, u64 addr, u64 len, bool write)
{
	int h;
	unsigned int s;

	for (h = 1; h < MAX_BOS; h++) {
		struct nvsoc_gpu_bo *bo = bos[h];

		if (!bo || bo->kind == NVSOC_GPU_BO_KIND_USERMODE)
			continue;
		if ((bo->kind == NVSOC_GPU_BO_KIND_VRAM) != (aperture == NVSOC_GPU_APERTURE_VRAM))
			continue;
		if (write && bo->read_only)
			continue;
		for (s = 0; s < bo->nr_segs; s++)
			if (addr >= bo->segs[s].addr &&
			    addr + len <= bo->segs[s].addr + bo->segs[s].len)
				return true;
	}
	return false;
}

/* Byte contents of the BOs, for executing copies (NULL: not executing). */
static u8 *contents[MAX_BOS];

/* The byte at a device address: which BO, which offset. */
static u8 *byte_at(u32 aperture, u64 addr)
{
	int h;
	unsigned int s;

	for (h = 1; h < MAX_BOS; h++) {
		struct nvsoc_gpu_bo *bo = bos[h];

		if (!bo || !contents[h] || bo->kind == NVSOC_GPU_BO_KIND_USERMODE)
			continue;
		if ((bo->kind == NVSOC_GPU_BO_KIND_VRAM) != (aperture == NVSOC_GPU_APERTURE_VRAM))
			continue;
		for (s = 0; s < bo->nr_segs; s++)
			if (addr >= bo->segs[s].addr && addr < bo->segs[s].addr + bo->segs[s].len)
				return &contents[h][bo->segs[s].offset + addr - bo->segs[s].addr];
	}
	return NULL;
}

static void flag(struct replay *r, const char *what, u64 addr, u64 len)
{
	r->problems++;
	snprintf(r->problem, sizeof(r->problem), "%s: 0x%llx + 0x%llx outside the BOs", what,
		 (unsigned long long)addr, (unsigned long long)len);
}

/* Moves one line's bytes as the device would (fills: CONST_A into X). */
static void execute(struct replay *r, u32 flags, u64 s, u64 d, u32 pixels, u32 spx, u32 dpx)
{
	u32 sm = r->ce[NVSOC_GPU_CE_SET_SRC_PHYS_MODE / 4], dm = r->ce[NVSOC_GPU_CE_SET_DST_PHYS_MODE / 4];
	u32 k;

	if (!contents[1])
		return;
	for (k = 0; k < pixels * dpx; k++) {
		u8 *to = byte_at(dm, d + k), *from;

		if (flags & NVSOC_GPU_CE_LAUNCH_REMAP) {
			if (to)
				*to = (u8)(r->ce[NVSOC_GPU_CE_SET_REMAP_CONST_A / 4] >> (8 * (k % dpx)));
			continue;
		}
		from = byte_at(sm, s + k);
		if (to && from)
			*to = *from;
	}
}

static void replay_launch(struct replay *r, u32 flags)
{
	u32 *ce = r->ce;
	u64 src = (u64)ce[NVSOC_GPU_CE_OFFSET_IN_UPPER / 4] << 32 | ce[NVSOC_GPU_CE_OFFSET_IN_LOWER / 4];
	u64 dst = (u64)ce[NVSOC_GPU_CE_OFFSET_OUT_UPPER / 4] << 32 |
		  ce[NVSOC_GPU_CE_OFFSET_OUT_LOWER / 4];
	u32 len = ce[NVSOC_GPU_CE_LINE_LENGTH_IN / 4];
	u32 lines = flags & NVSOC_GPU_CE_LAUNCH_MULTI_LINE ? ce[NVSOC_GPU_CE_LINE_COUNT / 4] : 1;
	u32 sem = (flags >> NVSOC_GPU_CE_LAUNCH_SEM_SHIFT) & 3;
	u32 spx = 1, dpx = 1, l;

	r->launches++;
	if (flags & NVSOC_GPU_CE_LAUNCH_REMAP) {
		u32 c = ce[NVSOC_GPU_CE_SET_REMAP_COMPONENTS / 4];
		u32 size = ((c >> 16) & 3) + 1;

		spx = size * (((c >> 20) & 3) + 1);
		dpx = size * (((c >> 24) & 3) + 1);
	}
	if (flags & 3) {
		for (l = 0; l < lines; l++) {
			u64 s = src + (u64)l * ce[NVSOC_GPU_CE_PITCH_IN / 4];
			u64 d = dst + (u64)l * ce[NVSOC_GPU_CE_PITCH_OUT / 4];

			if (!inside(ce[NVSOC_GPU_CE_SET_SRC_PHYS_MODE / 4], s, (u64)len * spx, false))
				flag(r, "copy source", s, (u64)len * spx);
			if (!inside(ce[NVSOC_GPU_CE_SET_DST_PHYS_MODE / 4], d, (u64)len * dpx, true))
				flag(r, "copy destination", d, (u64)len * dpx);
			r->bytes_written += (u64)len * dpx;
			execute(r, flags, s, d, len, spx, dpx);
		}
	}
	if (sem) {
		u64 a = (u64)ce[NVSOC_GPU_CE_SET_SEMAPHORE_A / 4] << 32 |
			ce[NVSOC_GPU_CE_SET_SEMAPHORE_B / 4];
		u32 n = sem == 1 ? 4 : 16;

		if (!inside(NVSOC_GPU_APERTURE_SYSMEM_COHERENT, a, n, true))
			flag(r, "copy semaphore", a, n);
	}
}

static void replay_semaphore(struct replay *r, u32 op)
{
	u64 a = (u64)(r->host[NVSOC_GPU_SEMAPHOREA / 4] & 0xff) << 32 |
		(r->host[NVSOC_GPU_SEMAPHOREB / 4] & ~3u);
	bool release = (op & 0x1f) == NVSOC_GPU_SEMAPHORED_OP_RELEASE;
	u32 n = release && !(op & NVSOC_GPU_SEMAPHORED_RELEASE_SIZE_4BYTE) ? 16 : 4;

	if (release)
		r->releases++;
	else
		r->acquires++;
	if (!inside(NVSOC_GPU_APERTURE_SYSMEM_COHERENT, a, n, release))
		flag(r, "host semaphore", a, n);
}

/* The rebuilt stream: INC headers only, copy class bound first on 4. */
static void replay(struct replay *r, const struct nvsoc_gpu_push *out)
{
	u32 i = 0, k;

	memset(r, 0, sizeof(*r));
	if (out->len < 2 || out->dw[0] != NVSOC_GPU_METHOD_HEADER(NVSOC_GPU_SECOP_INC, 4, 0, 1) ||
	    out->dw[1] != NVSOC_GPU_COPY_CLASS) {
		r->problems++;
		snprintf(r->problem, sizeof(r->problem), "no SET_OBJECT first");
	}
	while (i < out->len) {
		u32 hdr = out->dw[i++];
		u32 count = (hdr >> 16) & 0x1fff, method = (hdr & 0xfff) << 2;

		if (hdr >> 29 != NVSOC_GPU_SECOP_INC || i + count > out->len) {
			r->problems++;
			snprintf(r->problem, sizeof(r->problem), "bad header 0x%08x", hdr);
			return;
		}
		for (k = 0; k < count; k++, method += 4) {
			u32 data = out->dw[i + k];

			if (method < NVSOC_GPU_HOST_METHODS_END) {
				r->host[method / 4] = data;
				if (method == NVSOC_GPU_SEMAPHORED)
					replay_semaphore(r, data);
			} else {
				r->ce[method / 4] = data;
				if (method == NVSOC_GPU_CE_LAUNCH_DMA)
					replay_launch(r, data);
			}
		}
		i += count;
	}
}

/* --- Running cases ------------------------------------------------------------------ */

static int failures, cases;

struct outcome {
	int ret;
	struct replay r;
};

static void validate(const struct push *p, u32 cap, struct outcome *o)
{
	static struct nvsoc_gpu_push out;
	static u32 dw[1 << 20];
	unsigned int i;

	memset(&out, 0, sizeof(out));
	out.dw = dw;
	out.cap = cap;
	nvsoc_gpu_emit(&out, 4, NVSOC_GPU_SET_OBJECT, 1, (u32[]){ NVSOC_GPU_COPY_CLASS });
	refs_taken = 0;
	refs_dropped = 0;
	last_reason[0] = 0;
	o->ret = nvsoc_gpu_validate(&gdev, NULL, p->dw, p->n, p->rel, p->nrel, &out);
	if (!o->ret)
		replay(&o->r, &out);
	for (i = 0; i < out.nr_bos; i++)
		drm_gem_object_put(&out.bos[i]->base);
}

static void expect(const char *name, const struct push *p, int want, u64 bytes)
{
	struct outcome o;
	bool ok;

	validate(p, 1 << 20, &o);
	cases++;
	ok = o.ret == want && refs_taken == refs_dropped;
	if (ok && !want)
		ok = !o.r.problems && (bytes == ~0ull || o.r.bytes_written == bytes);
	printf("%s: %s (ret %d%s%s)\n", ok ? "ok  " : "FAIL", name, o.ret,
	       last_reason[0] ? ", " : "", last_reason);
	if (!ok) {
		failures++;
		if (!o.ret)
			printf("      replay: %u problems (%s), %llu bytes written, %u launches\n",
			       o.r.problems, o.r.problem, (unsigned long long)o.r.bytes_written,
			       o.r.launches);
		if (refs_taken != refs_dropped)
			printf("      references: %d taken, %d dropped\n", refs_taken, refs_dropped);
	}
}

/*
 * Runs a copy through the validator and the device model with real bytes,
 * and compares the destination BO with the copy done on the CPU: the
 * split into DMA segments must move every byte to its place.
 */
static void expect_data(const char *name, const struct push *p, u32 sh, u64 so, u32 spitch,
			u32 dh, u64 doff, u32 dpitch, u32 width, u32 lines)
{
	u8 *want;
	struct outcome o;
	int h, ok;
	u32 l, k;

	for (h = 1; h < MAX_BOS; h++) {
		if (!bos[h] || bos[h]->kind == NVSOC_GPU_BO_KIND_USERMODE)
			continue;
		contents[h] = malloc(bos[h]->size);
		for (k = 0; k < bos[h]->size; k++)
			contents[h][k] = (u8)(k * 7 + h * 13 + (k >> 8));
	}
	want = malloc(bos[dh]->size);
	memcpy(want, contents[dh], bos[dh]->size);
	for (l = 0; l < lines; l++)
		memmove(want + doff + (u64)l * dpitch, contents[sh] + so + (u64)l * spitch, width);
	validate(p, 1 << 20, &o);
	ok = !o.ret && !o.r.problems && !memcmp(want, contents[dh], bos[dh]->size);
	cases++;
	printf("%s: %s, bytes checked (ret %d%s%s)\n", ok ? "ok  " : "FAIL", name, o.ret,
	       last_reason[0] ? ", " : "", last_reason);
	if (!ok)
		failures++;
	for (h = 1; h < MAX_BOS; h++) {
		free(contents[h]);
		contents[h] = NULL;
	}
	free(want);
}

static struct side sd(u32 handle, u64 offset)
{
	enum mem_kind kind = bos[handle]->kind == NVSOC_GPU_BO_KIND_VRAM ? MEM_VRAM : MEM_SYSMEM;

	return (struct side){ handle, offset, kind };
}

static void copy(struct push *p, u32 sh, u64 so, u32 dh, u64 doff, u32 len)
{
	struct side s = sd(sh, so), d = sd(dh, doff);

	push_init(p);
	push_copy(p, &s, &d, len, 0);
}

/* --- Random streams: whatever is accepted must stay inside the BOs -------------------- */

static u32 rng = 12345;

static u32 rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 17;
	rng ^= rng << 5;
	return rng;
}

/* Small numbers mostly, sometimes anything. */
static u32 rnd_value(void)
{
	switch (rnd() % 4) {
	case 0:
		return rnd() % 16;
	case 1:
		return rnd() % 5000;
	case 2:
		return rnd() % (3 << 20);
	}
	return rnd();
}

static void fuzz_one(struct push *p)
{
	static const u32 plain[] = {
		NVSOC_GPU_CE_PITCH_IN, NVSOC_GPU_CE_PITCH_OUT, NVSOC_GPU_CE_LINE_LENGTH_IN,
		NVSOC_GPU_CE_LINE_COUNT, NVSOC_GPU_CE_SET_SRC_PHYS_MODE,
		NVSOC_GPU_CE_SET_DST_PHYS_MODE, NVSOC_GPU_CE_SET_REMAP_CONST_A,
		NVSOC_GPU_CE_SET_REMAP_COMPONENTS, NVSOC_GPU_CE_SET_SEMAPHORE_PAYLOAD,
		NVSOC_GPU_SEMAPHOREC, NVSOC_GPU_CE_LAUNCH_DMA, NVSOC_GPU_SEMAPHORED,
	};
	static const u32 pairs[] = {
		NVSOC_GPU_CE_OFFSET_IN_UPPER, NVSOC_GPU_CE_OFFSET_OUT_UPPER,
		NVSOC_GPU_CE_SET_SEMAPHORE_A, NVSOC_GPU_SEMAPHOREA,
	};
	int n = 1 + rnd() % 24, i;

	push_init(p);
	if (rnd() % 2) {
		/* Start from a plausible copy, then disturb it. */
		struct side a = sd(1 + rnd() % 9, rnd() % 2 ? rnd() % 8192 : rnd_value());
		struct side b = sd(1 + rnd() % 9, rnd() % 2 ? rnd() % 8192 : rnd_value());

		if (rnd() % 2)
			push_copy_2d(p, &a, rnd() % 8192, &b, rnd() % 8192, 1 + rnd() % 5000,
				     1 + rnd() % 300);
		else
			push_copy(p, &a, &b, 1 + rnd_value() % (1 << 20), 0);
	}
	for (i = 0; i < n; i++) {
		u32 r = rnd() % 10;

		if (r < 3) {
			u32 m = pairs[rnd() % 4];

			push_address(p, m == NVSOC_GPU_SEMAPHOREA ? 0 : 4, m, 1 + rnd() % 9,
				     rnd() % 2 ? rnd() % 64 : rnd_value());
		} else if (r < 9) {
			u32 m = plain[rnd() % ARRAY_SIZE(plain)];
			u32 v = rnd_value();

			if (m == NVSOC_GPU_CE_LAUNCH_DMA)
				v = rnd() & 0x3fff;
			else if (m == NVSOC_GPU_CE_SET_SRC_PHYS_MODE ||
				 m == NVSOC_GPU_CE_SET_DST_PHYS_MODE)
				v = rnd() % 3;
			else if (m == NVSOC_GPU_CE_SET_REMAP_COMPONENTS)
				v = rnd() & 0x03337777;
			else if (m == NVSOC_GPU_SEMAPHORED)
				v = (rnd() % 5) | (rnd() % 2 ? NVSOC_GPU_SEMAPHORED_RELEASE_SIZE_4BYTE : 0);
			push_method(p, m < NVSOC_GPU_HOST_METHODS_END ? 0 : 4, m, v);
		} else {
			/* A launch that is likely valid: physical, pitch layout. */
			push_method(p, 4, NVSOC_GPU_CE_LAUNCH_DMA,
				    (rnd() & 0x27f) | NVSOC_GPU_CE_LAUNCH_SRC_PITCH |
				    NVSOC_GPU_CE_LAUNCH_DST_PITCH |
				    NVSOC_GPU_CE_LAUNCH_SRC_PHYSICAL |
				    NVSOC_GPU_CE_LAUNCH_DST_PHYSICAL);
		}
	}
}

static void fuzz(int iterations)
{
	static struct push p;
	int i, accepted = 0, launches = 0, bad = 0;

	for (i = 0; i < iterations; i++) {
		struct outcome o;

		fuzz_one(&p);
		validate(&p, 1 << 18, &o);
		if (refs_taken != refs_dropped)
			bad++;
		if (o.ret)
			continue;
		accepted++;
		launches += o.r.launches;
		if (o.r.problems) {
			if (bad++ < 5)
				printf("FAIL: fuzz %d accepted a stream that %s\n", i, o.r.problem);
		}
	}
	cases++;
	printf("%s: %d random streams, %d accepted with %d launches, %d unsafe\n",
	       bad ? "FAIL" : "ok  ", iterations, accepted, launches, bad);
	if (bad)
		failures++;
}

int main(int argc, char **argv)
{
	static struct push p;
	struct side s, d;
	u32 hdr;

	verbose = argc > 1 && !strcmp(argv[1], "-v");
	setup();

	/* The tool's own pushbuffers. */
	copy(&p, H_SYS, 0, H_VRAM, 0, 4096);
	expect("nvsoc-smi copy sysmem->vram 4 KiB", &p, 0, 4096);
	copy(&p, H_SYS, 0, H_VRAM, 0, 1 << 20);
	expect("copy of a whole BO", &p, 0, 1 << 20);
	copy(&p, H_SYS, 1, H_VRAM, 0, 1 << 20);
	expect("copy one byte past the source", &p, -EINVAL, 0);
	copy(&p, H_SYS, 0, H_VRAM, (1 << 20) + 3, 1 << 20);
	expect("copy 3 bytes past the destination", &p, -EINVAL, 0);
	copy(&p, H_SYS, 1 << 20, H_VRAM, 0, 1);
	expect("copy from offset == size", &p, -EINVAL, 0);
	copy(&p, H_USER, 0, H_VRAM, 0, (1 << 20) + 3);
	expect("copy of a scattered userptr BO (split per page)", &p, 0, (1 << 20) + 3);
	copy(&p, H_VRAM, 5, H_USER, 7, (1 << 20) - 4);
	expect("copy vram->scattered userptr, unaligned", &p, 0, (1 << 20) - 4);
	copy(&p, H_USER, 4000, H_USER_AL, 10, 20000);
	expect("copy scattered->scattered", &p, 0, 20000);
	copy(&p, H_VRAM, 0, H_USER_RO, 0, 16);
	expect("copy into a read-only userptr BO", &p, -EINVAL, 0);
	copy(&p, H_USER_RO, 0, H_VRAM, 0, 64 << 10);
	expect("copy from a read-only userptr BO (2 segments)", &p, 0, 64 << 10);
	copy(&p, H_USERMODE, 0, H_VRAM, 0, 16);
	expect("copy from the usermode page", &p, -EINVAL, 0);

	s = sd(H_SYS, 0);
	d = sd(H_VRAM, 0);
	s.kind = MEM_VRAM;
	push_init(&p);
	push_copy(&p, &s, &d, 16, 0);
	expect("sysmem BO with a VRAM phys mode", &p, -EINVAL, 0);

	/* The bytes of split copies land where they belong. */
	copy(&p, H_USER, 0, H_VRAM, 0, (1 << 20) + 3);
	expect_data("scattered userptr -> vram", &p, H_USER, 0, 0, H_VRAM, 0, 0, (1 << 20) + 3,
		    1);
	copy(&p, H_VRAM, 5, H_USER, 7, (1 << 20) - 4);
	expect_data("vram -> scattered userptr, unaligned", &p, H_VRAM, 5, 0, H_USER, 7, 0,
		    (1 << 20) - 4, 1);
	copy(&p, H_USER, 4000, H_USER_AL, 10, 20000);
	expect_data("scattered -> scattered", &p, H_USER, 4000, 0, H_USER_AL, 10, 0, 20000, 1);
	s = sd(H_USER, 3);
	d = sd(H_VRAM, 64);
	push_init(&p);
	push_copy_2d(&p, &s, 4096, &d, 300, 300, 200);
	expect_data("2-D scattered userptr -> vram", &p, H_USER, 3, 4096, H_VRAM, 64, 300, 300,
		    200);
	s = sd(H_VRAM, 1);
	d = sd(H_USER, 2);
	push_init(&p);
	push_copy_2d(&p, &s, 5000, &d, 6001, 5000, 100);
	expect_data("2-D vram -> scattered userptr, lines across pages", &p, H_VRAM, 1, 5000,
		    H_USER, 2, 6001, 5000, 100);

	/* 2-D. */
	s = sd(H_SYS, 0);
	d = sd(H_VRAM, 0);
	push_init(&p);
	push_copy_2d(&p, &s, 1024, &d, 1000, 1000, 1024);
	expect("2-D 1000x1024, pitches 1024/1000", &p, 0, 1000 * 1024);
	push_init(&p);
	push_copy_2d(&p, &s, 1025, &d, 1000, 1000, 1024);
	expect("2-D whose last source line overruns", &p, -EINVAL, 0);
	s = sd(H_USER, 3);
	push_init(&p);
	push_copy_2d(&p, &s, 4096, &d, 300, 300, 200);
	expect("2-D from a scattered userptr (split per line and page)", &p, 0, 300 * 200);
	push_init(&p);
	push_copy_2d(&p, &s, 7, &d, 3, 1, 4096);
	expect("2-D 1x4096 pitches 7/3", &p, 0, 4096);

	/* Fills. */
	d = sd(H_VRAM, 8);
	push_init(&p);
	push_fill(&p, &d, 4096, 0xdeadbeef, 4);
	expect("fill VRAM, 4-byte components", &p, 0, 4096);
	d = sd(H_USER_AL, 0);
	push_init(&p);
	push_fill(&p, &d, 64 << 10, 0xdeadbeef, 4);
	expect("fill a scattered page-aligned userptr, 4-byte pixels", &p, 0, 64 << 10);
	d = sd(H_USER, 0);
	push_init(&p);
	push_fill(&p, &d, 8192, 0xdeadbeef, 4);
	expect("fill with 4-byte pixels straddling a page of an unaligned userptr", &p, -EINVAL,
	       0);
	push_init(&p);
	push_fill(&p, &d, 8193, 0x3c, 1);
	expect("byte fill of an unaligned userptr", &p, 0, 8193);

	s = sd(H_VRAM, 0);
	d = sd(H_VRAM, 4096);
	push_init(&p);
	/* Components 0: destination X takes source X, a remap that reads. */
	push_method(&p, 4, NVSOC_GPU_CE_SET_REMAP_COMPONENTS, 0);
	push_copy(&p, &s, &d, 64, NVSOC_GPU_CE_LAUNCH_REMAP);
	expect("a remap that reads the source (the device fills only)", &p, -EINVAL, 0);
	push_init(&p);
	p.dw[p.n++] = 0;
	p.dw[p.n++] = 0;
	expect("all-zero headers are no-ops", &p, 0, 0);

	/* Semaphores. */
	push_init(&p);
	push_release16(&p, H_SEM, 16, 7);
	expect("16-byte host release in sysmem", &p, 0, 0);
	push_init(&p);
	push_release16(&p, H_SEM, 8, 7);
	expect("16-byte host release 8-byte aligned", &p, -EINVAL, 0);
	push_init(&p);
	push_release16(&p, H_VRAM, 0, 7);
	expect("host release into VRAM", &p, -EINVAL, 0);
	push_init(&p);
	push_release16(&p, H_SEM, 4096 - 8, 7);
	expect("host release overrunning its BO", &p, -EINVAL, 0);
	push_init(&p);
	push_release16(&p, H_HIGH, 0, 7);
	expect("host release above 2^40", &p, -EINVAL, 0);
	push_init(&p);
	push_release16(&p, H_USER_RO, 0, 7);
	expect("host release into a read-only BO", &p, -EINVAL, 0);
	push_init(&p);
	push_address(&p, 0, NVSOC_GPU_SEMAPHOREA, H_USER_RO, 0);
	push_methods(&p, 0, NVSOC_GPU_SEMAPHOREC, 2,
		     (u32[]){ 1, NVSOC_GPU_SEMAPHORED_OP_ACQ_GEQ });
	expect("host acquire from a read-only BO", &p, 0, 0);
	push_init(&p);
	push_address(&p, 0, NVSOC_GPU_SEMAPHOREA, H_SEM, 0);
	push_method(&p, 0, NVSOC_GPU_SEMAPHORED, NVSOC_GPU_SEMAPHORED_OP_RELEASE);
	expect("release without a payload", &p, -EINVAL, 0);
	push_init(&p);
	push_address(&p, 0, NVSOC_GPU_SEMAPHOREA, H_SEM, 0);
	push_methods(&p, 0, NVSOC_GPU_SEMAPHOREC, 2, (u32[]){ 1, 3 });
	expect("semaphore operation 3", &p, -EINVAL, 0);
	s = sd(H_SYS, 0);
	d = sd(H_VRAM, 0);
	push_init(&p);
	push_address(&p, 4, NVSOC_GPU_CE_SET_SEMAPHORE_A, H_SEM, 32);
	push_method(&p, 4, NVSOC_GPU_CE_SET_SEMAPHORE_PAYLOAD, 9);
	push_copy(&p, &s, &d, 64, 2u << NVSOC_GPU_CE_LAUNCH_SEM_SHIFT |
		  2u << NVSOC_GPU_CE_LAUNCH_INTR_SHIFT);
	expect("copy with a four-word semaphore and a non-blocking interrupt", &p, 0, 64);
	push_init(&p);
	push_address(&p, 4, NVSOC_GPU_CE_SET_SEMAPHORE_A, H_SEM, 32);
	push_copy(&p, &s, &d, 64, 1u << NVSOC_GPU_CE_LAUNCH_SEM_SHIFT);
	expect("copy semaphore without a payload", &p, -EINVAL, 0);
	push_init(&p);
	push_copy(&p, &s, &d, 64, 1u << NVSOC_GPU_CE_LAUNCH_INTR_SHIFT);
	expect("blocking interrupt", &p, -EINVAL, 0);

	/* Malformed streams. */
	push_init(&p);
	push_method(&p, 4, NVSOC_GPU_CE_OFFSET_IN_UPPER, 0);
	push_method(&p, 4, NVSOC_GPU_CE_OFFSET_IN_LOWER, 0x1000);
	expect("OFFSET_IN without a relocation", &p, -EINVAL, 0);
	push_init(&p);
	push_method(&p, 4, NVSOC_GPU_CE_OFFSET_IN_LOWER, 0x1000);
	expect("OFFSET_IN_LOWER alone", &p, -EINVAL, 0);
	push_init(&p);
	push_address(&p, 4, NVSOC_GPU_CE_OFFSET_IN_UPPER, H_SYS, 0);
	p.rel[0].dword++;
	expect("relocation on the lower half", &p, -EINVAL, 0);
	push_init(&p);
	push_method(&p, 4, NVSOC_GPU_CE_LINE_LENGTH_IN, 4);
	p.rel[0] = (struct drm_nvsoc_gpu_reloc){ 1, H_SYS, 0 };
	p.nrel = 1;
	expect("relocation on LINE_LENGTH_IN", &p, -EINVAL, 0);
	push_init(&p);
	push_method(&p, 4, NVSOC_GPU_CE_LINE_LENGTH_IN, 4);
	p.rel[0] = (struct drm_nvsoc_gpu_reloc){ 0, H_SYS, 0 };
	p.nrel = 1;
	expect("relocation on a header", &p, -EINVAL, 0);
	push_init(&p);
	hdr = NVSOC_GPU_METHOD_HEADER(NVSOC_GPU_SECOP_NON_INC, 4, NVSOC_GPU_CE_OFFSET_IN_UPPER, 2);
	p.dw[p.n++] = hdr;
	p.dw[p.n++] = 0;
	p.dw[p.n++] = 0;
	p.rel[0] = (struct drm_nvsoc_gpu_reloc){ 1, H_SYS, 0 };
	p.rel[1] = (struct drm_nvsoc_gpu_reloc){ 2, H_SYS, 0 };
	p.nrel = 2;
	expect("NON_INC OFFSET_IN_UPPER twice", &p, -EINVAL, 0);
	push_init(&p);
	p.dw[p.n++] = NVSOC_GPU_METHOD_HEADER(NVSOC_GPU_SECOP_INC, 4, NVSOC_GPU_CE_LINE_COUNT, 3);
	p.dw[p.n++] = 1;
	expect("truncated method group", &p, -EINVAL, 0);
	push_init(&p);
	p.dw[p.n++] = NVSOC_GPU_METHOD_HEADER(0, 0, 0, 0) | 1;
	expect("SEC_OP 0", &p, -EINVAL, 0);
	push_init(&p);
	p.dw[p.n++] = NVSOC_GPU_METHOD_HEADER(NVSOC_GPU_SECOP_END_PB_SEGMENT, 0, 0, 0);
	expect("END_PB_SEGMENT", &p, -EINVAL, 0);
	push_init(&p);
	p.dw[p.n++] = NVSOC_GPU_METHOD_HEADER(NVSOC_GPU_SECOP_IMMD, 0, NVSOC_GPU_NOP, 0);
	p.dw[p.n++] = NVSOC_GPU_METHOD_HEADER(NVSOC_GPU_SECOP_IMMD, 0,
					      NVSOC_GPU_NON_STALL_INTERRUPT, 0);
	expect("IMMD NOP and NON_STALL_INTERRUPT", &p, 0, 0);
	push_init(&p);
	p.dw[p.n++] = NVSOC_GPU_METHOD_HEADER(NVSOC_GPU_SECOP_IMMD, 4,
					      NVSOC_GPU_CE_OFFSET_IN_UPPER, 0);
	expect("an address method as an immediate", &p, -EINVAL, 0);
	push_init(&p);
	push_method(&p, 2, NVSOC_GPU_CE_LINE_LENGTH_IN, 4);
	expect("copy method on subchannel 2", &p, -EINVAL, 0);
	push_init(&p);
	push_method(&p, 4, NVSOC_GPU_SET_OBJECT, NVSOC_GPU_COPY_CLASS);
	expect("SET_OBJECT copy class on 4", &p, 0, 0);
	push_init(&p);
	push_method(&p, 3, NVSOC_GPU_SET_OBJECT, 0xc7b5);
	expect("SET_OBJECT another class", &p, -EINVAL, 0);
	push_init(&p);
	push_method(&p, 4, 0x0500, 0);
	expect("an unknown copy method", &p, -EINVAL, 0);

	/* Launch rules. */
	copy(&p, H_SYS, 0, H_VRAM, 0, 64);
	p.dw[p.n - 1] &= ~NVSOC_GPU_CE_LAUNCH_SRC_PHYSICAL;
	expect("virtual source", &p, -EINVAL, 0);
	copy(&p, H_SYS, 0, H_VRAM, 0, 64);
	p.dw[p.n - 1] |= 1u << 11;
	expect("unknown LAUNCH_DMA bit 11", &p, -EINVAL, 0);
	copy(&p, H_SYS, 0, H_VRAM, 0, 64);
	p.dw[p.n - 1] |= NVSOC_GPU_CE_LAUNCH_MULTI_LINE;
	expect("multi-line without LINE_COUNT or pitches", &p, -EINVAL, 0);
	push_init(&p);
	push_method(&p, 4, NVSOC_GPU_CE_LAUNCH_DMA,
		    NVSOC_GPU_CE_LAUNCH_SRC_PITCH | NVSOC_GPU_CE_LAUNCH_DST_PITCH | 2);
	expect("a launch with nothing set", &p, -EINVAL, 0);
	s = sd(H_SYS, 0);
	d = sd(H_VRAM, 0);
	push_init(&p);
	push_copy(&p, &s, &d, 64, 0);
	push_method(&p, 4, NVSOC_GPU_CE_LINE_LENGTH_IN, 128);
	push_method(&p, 4, NVSOC_GPU_CE_LAUNCH_DMA, p.dw[p.n - 3]);
	expect("a second launch reusing the addresses", &p, 0, 64 + 128);
	push_init(&p);
	push_copy(&p, &s, &d, 64, 0);
	p.rel[0].handle = 99;
	expect("an unknown handle", &p, -ENOENT, 0);
	push_init(&p);
	push_copy(&p, &s, &d, 64, 0);
	p.rel[0].offset = (1 << 20) + 1;
	expect("a relocation offset past the BO", &p, -EINVAL, 0);
	push_init(&p);
	push_copy(&p, &s, &d, 64, 0);
	p.rel[1].dword = p.rel[0].dword;
	expect("relocations out of order", &p, -EINVAL, 0);

	/* A job too big for the channel's pushbuffer. */
	{
		struct outcome o;

		copy(&p, H_USER, 0, H_VRAM, 0, (1 << 20) + 3);
		validate(&p, 1024, &o);
		cases++;
		printf("%s: a split copy beyond the pushbuffer gives -E2BIG (ret %d)\n",
		       o.ret == -E2BIG ? "ok  " : "FAIL", o.ret);
		if (o.ret != -E2BIG)
			failures++;
	}

	fuzz(argc > 2 ? atoi(argv[2]) : 20000);

	printf("%d cases, %d failed\n", cases, failures);
	return failures ? 1 : 0;
}
