// SPDX-License-Identifier: MIT
/*
 * nvsoc-smi: the nvsoc GPU's management and test tool, nvidia-smi in spirit.
 *
 *   nvsoc-smi [-d N]                  every GPU (or GPU N) in detail
 *   nvsoc-smi -L                      one line per GPU
 *   nvsoc-smi copy-test [-d N|--all] [--sizes LIST] [--quick]
 *   nvsoc-smi bw [-d N] [-s SIZE] [-n ITER] [-e ENGINE]
 *   nvsoc-smi lat [-d N] [-n ITER] [-e ENGINE]
 *   nvsoc-smi sem-test [-d N] [-n JOBS] [--burst B]
 *   nvsoc-smi fault-test [-d N] [-n JOBS]
 *   nvsoc-smi coherence [-d N] [--size BYTES]   CPU loads/stores vs. the copy engine
 *   nvsoc-smi p2p-test [--sizes LIST] [--quick] [--hold I,J]
 *                                                 peer copies, every pair
 *   nvsoc-smi p2p-bw [-s SIZE] [-n ITER]          peer bandwidth matrices
 *   nvsoc-smi p2p-lat [-n ITER]                   peer latency matrix
 *   nvsoc-smi topo [-m]                the GPU matrix (PCIe, NVLink), from sysfs
 *   nvsoc-smi nvlink [-s|-e|-ec|-R|-c|-r] [-d N] [-l L]   NVLink, from sysfs
 *
 * GPUs are the devices bound to nvsoc-gpu on any bus (PCI, or the platform
 * bus of the NVLink fabric node), numbered in device name order (PCI
 * address order on PCIe). Times come from the device's clock (simulated
 * time under nvsoc), never from the host's.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "gpu.h"
#include "p2p.h"
#include "topo.h"

#define MIB (1024u * 1024u)
/* copy-test --all stops here unless --sizes says otherwise. */
#define ALL_MAX_SIZE (16 * MIB)

static void usage(FILE *f)
{
	fputs("usage: nvsoc-smi [-L] [-d N]\n"
	      "       nvsoc-smi copy-test [-d N | --all] [--sizes S1,S2,...] [--quick]\n"
	      "       nvsoc-smi bw [-d N] [-s SIZE] [-n ITER] [-e ENGINE]\n"
	      "       nvsoc-smi lat [-d N] [-n ITER] [-e ENGINE]\n"
	      "       nvsoc-smi sem-test [-d N] [-n JOBS] [--burst B]\n"
	      "       nvsoc-smi fault-test [-d N] [-n JOBS]\n"
	      "       nvsoc-smi coherence [-d N] [--size BYTES]\n"
	      "       nvsoc-smi p2p-test [--sizes S1,S2,...] [--quick] [--hold I,J]\n"
	      "       nvsoc-smi p2p-bw [-s SIZE] [-n ITER]\n"
	      "       nvsoc-smi p2p-lat [-n ITER]\n"
	      "       nvsoc-smi topo [-m]\n"
	      "       nvsoc-smi nvlink [-s | -e | -ec | -R | -c | -r] [-d N] [-l L]\n"
	      "sizes take K and M suffixes (1024-based); topo and nvlink come first on\n"
	      "the line and read sysfs only (nvsoc-smi nvlink -h for its options)\n", f);
}

static uint64_t parse_size(const char *s)
{
	char *end;
	uint64_t v = strtoull(s, &end, 0);

	if (*end == 'K' || *end == 'k')
		v <<= 10;
	else if (*end == 'M' || *end == 'm')
		v <<= 20;
	return v;
}

/* --- Listing -------------------------------------------------------------------- */

static void describe_bars(const struct gpu_desc *d, char *out, size_t len)
{
	char res[1024], *line, *save = NULL;
	size_t used = 0;
	int bar = 0;

	out[0] = 0;
	gpu_sysfs(d, "resource", res, sizeof(res));
	for (line = strtok_r(res, "\n", &save); line && bar < 6;
	     line = strtok_r(NULL, "\n", &save), bar++) {
		unsigned long long start, end, flags;

		if (sscanf(line, "%llx %llx %llx", &start, &end, &flags) != 3 || !end)
			continue;
		used += snprintf(out + used, len - used, "%sBAR%d 0x%llx (%llu MiB%s%s)",
				 used ? ", " : "", bar, start, (end - start + 1) >> 20,
				 flags & 0x100000 ? ", 64-bit" : "",
				 flags & 0x2000 ? ", prefetchable" : "");
		if (used >= len)
			break;
	}
}

/*
 * The GPU's link to the CPU in buf: "Gen5 x16"-style PCIe speed and width
 * (with the maximum in max when not NULL), or, on the NVLink fabric node,
 * "C2C <n> links" from nvsoc_gpu/cpu_link.
 */
static void describe_link(const struct gpu_desc *d, char *buf, size_t len, char *max,
			  size_t max_len)
{
	char speed[64], width[16], cpu_link[32];
	unsigned int links;

	gpu_sysfs(d, "nvsoc_gpu/cpu_link", cpu_link, sizeof(cpu_link));
	if (sscanf(cpu_link, "C2C %u", &links) == 1) {
		snprintf(buf, len, "C2C %u link%s", links, links == 1 ? "" : "s");
		if (max)
			max[0] = 0;
		return;
	}
	gpu_sysfs(d, "current_link_speed", speed, sizeof(speed));
	gpu_sysfs(d, "current_link_width", width, sizeof(width));
	snprintf(buf, len, "%s x%s", speed, width);
	if (max) {
		gpu_sysfs(d, "max_link_speed", speed, sizeof(speed));
		gpu_sysfs(d, "max_link_width", width, sizeof(width));
		snprintf(max, max_len, " (max %s x%s)", speed, width);
	}
}

static void list_gpu(int n, const struct gpu_desc *d, int one_line)
{
	char link[96], max_link[96], irq[32], state[32], node[32];
	char bars[512];
	uint64_t vram = gpu_sysfs_u64(d, "nvsoc_gpu/vram_size");
	uint64_t used = gpu_sysfs_u64(d, "nvsoc_gpu/vram_used");
	uint64_t visible = gpu_sysfs_u64(d, "nvsoc_gpu/vram_cpu_visible");
	int pci = d->bus == GPU_BUS_PCI;

	describe_link(d, link, sizeof(link), max_link, sizeof(max_link));
	gpu_sysfs(d, "nvsoc_gpu/interrupts", irq, sizeof(irq));
	gpu_sysfs(d, "nvsoc_gpu/state", state, sizeof(state));
	gpu_sysfs(d, "nvsoc_gpu/mem_numa_node", node, sizeof(node));
	if (one_line) {
		printf("GPU %d: %s accel%d, %s, VRAM %llu/%llu MiB, %llu CE, %llu channels, DMA %llu-bit, %s\n",
		       n, d->name, d->accel, link, (unsigned long long)used >> 20,
		       (unsigned long long)vram >> 20,
		       (unsigned long long)gpu_sysfs_u64(d, "nvsoc_gpu/engines"),
		       (unsigned long long)gpu_sysfs_u64(d, "nvsoc_gpu/channels"),
		       (unsigned long long)gpu_sysfs_u64(d, "nvsoc_gpu/dma_mask_bits"), state);
		return;
	}
	printf("GPU %d: %s (/dev/accel/accel%d), %s\n", n, d->name, d->accel, state);
	printf("    Bus         %s\n", gpu_bus_name(d->bus));
	printf("    Link        %s%s\n", link, max_link);
	if (pci) {
		describe_bars(d, bars, sizeof(bars));
		printf("    BARs        %s\n", bars);
	}
	printf("    VRAM        %llu MiB, %llu MiB used, %llu MiB %s\n",
	       (unsigned long long)vram >> 20, (unsigned long long)used >> 20,
	       (unsigned long long)visible >> 20, pci ? "through BAR1" : "in the driver's window");
	/* -1 (or no such file): no part of VRAM is a NUMA node. */
	if (node[0] && node[0] != '-')
		printf("    NUMA node   %s (the VRAM above the driver's window)\n", node);
	printf("    Engines     %llu copy engines, %llu channels\n",
	       (unsigned long long)gpu_sysfs_u64(d, "nvsoc_gpu/engines"),
	       (unsigned long long)gpu_sysfs_u64(d, "nvsoc_gpu/channels"));
	printf("    Interrupts  %s\n", irq);
	printf("    DMA mask    %llu bits (coherent %llu)\n",
	       (unsigned long long)gpu_sysfs_u64(d, "nvsoc_gpu/dma_mask_bits"),
	       (unsigned long long)gpu_sysfs_u64(d, "nvsoc_gpu/dma_coherent_bits"));
}

/* --- copy-test -------------------------------------------------------------------- */

struct tctx {
	struct gpu *g;
	uint32_t ch;
	char tag[16];
	int pass, fail, skip;
};

static void report(struct tctx *t, const char *result, const char *fmt, ...)
{
	va_list ap;

	printf("copy-test: %s: ", t->tag);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf(": %s\n", result);
	fflush(stdout);
	if (!strcmp(result, "ok"))
		t->pass++;
	else if (!strncmp(result, "skip", 4))
		t->skip++;
	else
		t->fail++;
}

/*
 * VRAM [off, off + len) as the CPU can read it: small ranges straight
 * through the BAR1 mapping when there is one (each read of it is a bus
 * access, slow under simulation), others copied into scratch by the
 * engine. NULL if the copy failed.
 */
#define BAR1_READ_MAX 65536

static const uint8_t *read_vram(struct tctx *t, struct mem *vram, uint64_t off, uint64_t len,
				uint8_t *scratch)
{
	struct mem user = { .kind = MEM_USER, .size = len, .cpu = scratch };

	if (vram->cpu && len <= BAR1_READ_MAX) {
		memcpy(scratch, vram->cpu + off, len);
		return scratch;
	}
	return copy_mem(t->g, t->ch, vram, off, &user, 0, len) ? NULL : scratch;
}

/* Fills VRAM [off, off + len) with a byte, on the copy engine. */
static int fill_vram(struct tctx *t, struct mem *vram, uint64_t off, uint64_t len, uint8_t v)
{
	return fill_mem(t->g, t->ch, vram, off, len, v);
}

/* Checks dst [0, total): guard bytes g around len bytes at off with crc. */
static const char *check(const uint8_t *dst, uint64_t total, uint64_t off, uint64_t len,
			 uint32_t crc, uint8_t guard)
{
	if (!all_bytes(dst, off, guard))
		return "FAIL (bytes before the destination changed)";
	if (!all_bytes(dst + off + len, total - off - len, guard))
		return "FAIL (bytes after the destination changed)";
	if (crc32_buf(0, dst + off, len) != crc)
		return "FAIL (CRC mismatch)";
	return "ok";
}

/*
 * One size, aligned or not: host -> VRAM A -> VRAM B -> host. The
 * destination of the last step doubles as the scratch for reading VRAM
 * back, so a size costs the guest twice its bytes (plus the sysmem BOs).
 */
static void copy_size(struct tctx *t, uint64_t size, int unaligned)
{
	uint64_t so = unaligned ? 1 : 0, ao = unaligned ? 3 : 0, bo = unaligned ? 6 : 0;
	uint64_t ho = unaligned ? 5 : 0, span = size + 16;
	struct mem sys = { 0 }, user = { 0 }, a = { 0 }, b = { 0 }, dsys = { 0 }, duser = { 0 };
	const uint8_t *got;
	char what[96];
	uint32_t crc;
	int have_sys, ret;

	if (mem_alloc(t->g, &user, MEM_USER, span) || mem_alloc(t->g, &duser, MEM_USER, span)) {
		report(t, "FAIL (out of memory)", "size %llu", (unsigned long long)size);
		goto out;
	}
	ret = mem_alloc(t->g, &a, MEM_VRAM, span);
	if (!ret)
		ret = mem_alloc(t->g, &b, MEM_VRAM, span);
	if (ret) {
		report(t, "skip (VRAM)", "size %llu: VRAM BOs: %s", (unsigned long long)size,
		       strerror(-ret));
		goto out;
	}
	have_sys = !mem_alloc(t->g, &sys, MEM_SYSMEM, span) &&
		   !mem_alloc(t->g, &dsys, MEM_SYSMEM, span);
	pattern(user.cpu, span, (uint32_t)size);
	crc = crc32_buf(0, user.cpu + so, size);
	if (have_sys)
		memcpy(sys.cpu, user.cpu, span);

	for (int from_user = 0; from_user < 2; from_user++) {
		snprintf(what, sizeof(what), "h2d %s->vram size %llu offsets %llu/%llu",
			 from_user ? "user" : "sysmem", (unsigned long long)size,
			 (unsigned long long)so, (unsigned long long)ao);
		if (!from_user && !have_sys) {
			report(t, "skip (no contiguous sysmem BO this large)", "%s", what);
			continue;
		}
		if (fill_vram(t, &a, 0, span, 0xa5) ||
		    copy_mem(t->g, t->ch, from_user ? &user : &sys, so, &a, ao, size) ||
		    !(got = read_vram(t, &a, 0, span, duser.cpu))) {
			report(t, "FAIL (job failed)", "%s", what);
			continue;
		}
		report(t, check(got, span, ao, size, crc, 0xa5), "%s", what);
	}

	snprintf(what, sizeof(what), "d2d vram->vram size %llu offsets %llu/%llu",
		 (unsigned long long)size, (unsigned long long)ao, (unsigned long long)bo);
	if (fill_vram(t, &b, 0, span, 0x5a) || copy_mem(t->g, t->ch, &a, ao, &b, bo, size) ||
	    !(got = read_vram(t, &b, 0, span, duser.cpu)))
		report(t, "FAIL (job failed)", "%s", what);
	else
		report(t, check(got, span, bo, size, crc, 0x5a), "%s", what);

	for (int to_user = 0; to_user < 2; to_user++) {
		struct mem *dst = to_user ? &duser : &dsys;

		snprintf(what, sizeof(what), "d2h vram->%s size %llu offsets %llu/%llu",
			 to_user ? "user" : "sysmem", (unsigned long long)size,
			 (unsigned long long)bo, (unsigned long long)ho);
		if (!to_user && !have_sys) {
			report(t, "skip (no contiguous sysmem BO this large)", "%s", what);
			continue;
		}
		memset(dst->cpu, 0xc3, span);
		if (copy_mem(t->g, t->ch, &b, bo, dst, ho, size)) {
			report(t, "FAIL (job failed)", "%s", what);
			continue;
		}
		report(t, check(dst->cpu, span, ho, size, crc, 0xc3), "%s", what);
	}
out:
	mem_free(t->g, &sys);
	mem_free(t->g, &dsys);
	mem_free(t->g, &user);
	mem_free(t->g, &duser);
	mem_free(t->g, &a);
	mem_free(t->g, &b);
}

struct shape {
	uint32_t width, lines, src_pitch, dst_pitch;
};

/* A 2-D copy host -> VRAM and back, each line and each gap checked. */
static void copy_2d(struct tctx *t, const struct shape *s)
{
	uint64_t src_span = (uint64_t)(s->lines - 1) * s->src_pitch + s->width;
	uint64_t dst_span = (uint64_t)(s->lines - 1) * s->dst_pitch + s->width;
	struct mem src = { 0 }, vram = { 0 }, back = { 0 };
	uint8_t *expect = NULL, *buf = NULL;
	const uint8_t *got;
	static struct push p;
	struct side a, v, h;
	char what[96];
	uint32_t l;
	int bad;

	snprintf(what, sizeof(what), "2d %ux%u pitches %u/%u user->vram->user", s->width, s->lines,
		 s->src_pitch, s->dst_pitch);
	expect = malloc(dst_span);
	buf = malloc(dst_span);
	if (!expect || !buf || mem_alloc(t->g, &src, MEM_USER, src_span) ||
	    mem_alloc(t->g, &back, MEM_USER, src_span) ||
	    mem_alloc(t->g, &vram, MEM_VRAM, dst_span)) {
		report(t, "FAIL (out of memory)", "%s", what);
		goto out;
	}
	pattern(src.cpu, src_span, s->width * 31 + s->lines);
	memset(expect, 0xa5, dst_span);
	for (l = 0; l < s->lines; l++)
		memcpy(expect + (uint64_t)l * s->dst_pitch, src.cpu + (uint64_t)l * s->src_pitch,
		       s->width);

	/* Out: user (source pitch) -> VRAM (destination pitch). */
	if (fill_vram(t, &vram, 0, dst_span, 0xa5) || side_get(t->g, &src, 0, src_span, &a)) {
		report(t, "FAIL (job failed)", "%s", what);
		goto out;
	}
	v = (struct side){ .handle = vram.handle, .offset = 0, .kind = MEM_VRAM };
	push_init(&p);
	push_copy_2d(&p, &a, s->src_pitch, &v, s->dst_pitch, s->width, s->lines);
	bad = run(t->g, t->ch, &p, NULL, "2d copy");
	side_put(t->g, &a);
	got = bad ? NULL : read_vram(t, &vram, 0, dst_span, buf);
	bad = bad || !got;
	if (bad || memcmp(got, expect, dst_span)) {
		report(t, bad ? "FAIL (job failed)" : "FAIL (data mismatch)", "%s (out)", what);
		goto out;
	}
	/* Back: VRAM (destination pitch) -> user (source pitch). */
	memset(back.cpu, 0xc3, src_span);
	if (side_get(t->g, &back, 0, src_span, &h)) {
		report(t, "FAIL (BO_USERPTR)", "%s", what);
		goto out;
	}
	push_init(&p);
	push_copy_2d(&p, &v, s->dst_pitch, &h, s->src_pitch, s->width, s->lines);
	bad = run(t->g, t->ch, &p, NULL, "2d copy");
	side_put(t->g, &h);
	for (l = 0; !bad && l < s->lines; l++) {
		const uint8_t *line = back.cpu + (uint64_t)l * s->src_pitch;

		if (memcmp(line, src.cpu + (uint64_t)l * s->src_pitch, s->width) ||
		    (l + 1 < s->lines && !all_bytes(line + s->width, s->src_pitch - s->width, 0xc3)))
			bad = 2;
	}
	report(t, bad == 1 ? "FAIL (job failed)" : bad ? "FAIL (data mismatch)" : "ok", "%s",
	       what);
out:
	mem_free(t->g, &src);
	mem_free(t->g, &back);
	mem_free(t->g, &vram);
	free(expect);
	free(buf);
}

/* Fills: VRAM with bytes or words, and user memory (split per page). */
static void fill_case(struct tctx *t, uint64_t size, unsigned int comp, int user)
{
	uint64_t span = size + 16, off = 8;
	struct mem m = { 0 };
	static struct push p;
	uint8_t *buf = malloc(span);
	const uint8_t *data;
	uint32_t value = comp == 4 ? 0xdeadbeefu : 0x3cu;
	struct side d;
	const char *result = "ok";
	char what[96];
	uint64_t i;

	snprintf(what, sizeof(what), "fill %s size %llu component %u", user ? "user" : "vram",
		 (unsigned long long)size, comp);
	if (!buf || mem_alloc(t->g, &m, user ? MEM_USER : MEM_VRAM, span)) {
		report(t, "FAIL (out of memory)", "%s", what);
		goto out;
	}
	if (user) {
		memset(m.cpu, 0x11, span);
	} else if (fill_vram(t, &m, 0, span, 0x11)) {
		report(t, "FAIL (job failed)", "%s", what);
		goto out;
	}
	if (side_get(t->g, &m, off, size, &d)) {
		report(t, "FAIL (BO_USERPTR)", "%s", what);
		goto out;
	}
	push_init(&p);
	push_fill(&p, &d, size, value, comp);
	if (run(t->g, t->ch, &p, NULL, "fill")) {
		side_put(t->g, &d);
		report(t, "FAIL (job failed)", "%s", what);
		goto out;
	}
	side_put(t->g, &d);
	data = m.cpu;
	if (!user) {
		data = read_vram(t, &m, 0, span, buf);
		if (!data) {
			report(t, "FAIL (read back)", "%s", what);
			goto out;
		}
	}
	if (!all_bytes(data, off, 0x11) || !all_bytes(data + off + size, span - off - size, 0x11))
		result = "FAIL (bytes around the fill changed)";
	for (i = 0; i < size && !strcmp(result, "ok"); i++)
		if (data[off + i] != (uint8_t)(value >> (8 * (i % comp))))
			result = "FAIL (wrong fill value)";
	report(t, result, "%s", what);
out:
	mem_free(t->g, &m);
	free(buf);
}

static const uint64_t default_sizes[] = {
	1, 2, 3, 4, 7, 8, 16, 31, 32, 64, 127, 128, 256, 512, 1023, 1024, 2048, 4095, 4096, 4097,
	8192, 16384, 32768, 65536, 65537, 131072, 262144, 524288, 1 * MIB, 1 * MIB + 3, 2 * MIB,
	4 * MIB, 8 * MIB, 16 * MIB - 1, 16 * MIB, 32 * MIB, 64 * MIB,
};

static const uint64_t quick_sizes[] = { 1, 3, 4096, 4097, 65537, 1 * MIB + 3, 4 * MIB };

static int copy_test_one(const struct gpu_desc *d, int index, const uint64_t *sizes, int nsizes)
{
	static const struct shape shapes[] = {
		{ 1000, 100, 1024, 1000 },
		{ 1, 4096, 7, 3 },
		{ 4096, 64, 8192, 4100 },
		{ 333, 333, 4096, 512 },
	};
	static const struct {
		uint64_t size;
		unsigned int comp;
		int user;
	} fills[] = {
		{ 1, 1, 0 }, { 3, 1, 0 }, { 4, 4, 0 }, { 4099, 1, 0 }, { 65536, 4, 0 },
		{ 1 * MIB, 4, 0 }, { 16 * MIB, 4, 0 }, { 4097, 1, 1 }, { 1 * MIB + 4, 4, 1 },
	};
	struct tctx t = { 0 };
	struct gpu g;
	int i, ret;

	snprintf(t.tag, sizeof(t.tag), "GPU%d", index);
	if (gpu_open(&g, d))
		return 1;
	t.g = &g;
	ret = channel_create(&g, NVSOC_GPU_ENGINE_ANY, &t.ch);
	if (ret) {
		fprintf(stderr, "copy-test: %s: CHANNEL_CREATE: %s\n", t.tag, strerror(-ret));
		gpu_close(&g);
		return 1;
	}
	printf("copy-test: %s: %s, channel %u\n", t.tag, d->name, t.ch);
	for (i = 0; i < nsizes; i++) {
		copy_size(&t, sizes[i], 0);
		copy_size(&t, sizes[i], 1);
	}
	for (i = 0; i < (int)(sizeof(shapes) / sizeof(shapes[0])); i++)
		copy_2d(&t, &shapes[i]);
	for (i = 0; i < (int)(sizeof(fills) / sizeof(fills[0])); i++)
		fill_case(&t, fills[i].size, fills[i].comp, fills[i].user);
	printf("copy-test: %s: %d passed, %d failed, %d skipped\n", t.tag, t.pass, t.fail, t.skip);
	channel_destroy(&g, t.ch);
	gpu_close(&g);
	return t.fail ? 1 : 0;
}

/* --- bw and lat ---------------------------------------------------------------------- */

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static int bw(const struct gpu_desc *d, int index, uint64_t size, int iters, uint32_t engine)
{
	static const struct {
		const char *name;
		enum mem_kind src, dst;
	} dirs[] = {
		{ "h2d", MEM_SYSMEM, MEM_VRAM }, { "d2h", MEM_VRAM, MEM_SYSMEM },
		{ "d2d", MEM_VRAM, MEM_VRAM }, { "h2d", MEM_USER, MEM_VRAM },
		{ "d2h", MEM_VRAM, MEM_USER },
	};
	struct mem sem = { 0 };
	static struct push p;
	uint64_t times[64];
	uint32_t ch;
	struct gpu g;
	int i, k, failed = 0;

	if (iters > 64)
		iters = 64;
	if (gpu_open(&g, d))
		return 1;
	if (channel_create(&g, engine, &ch) || mem_alloc(&g, &sem, MEM_SYSMEM, 4096)) {
		fprintf(stderr, "bw: GPU%d: no channel or semaphore BO\n", index);
		gpu_close(&g);
		return 1;
	}
	for (i = 0; i < (int)(sizeof(dirs) / sizeof(dirs[0])); i++) {
		struct mem src = { 0 }, dst = { 0 };
		uint64_t n = size;
		struct side s, t;
		int ret = -1;

		/* Contiguous system memory may not come this large: halve. */
		while (n >= 65536) {
			ret = mem_alloc(&g, &src, dirs[i].src, n);
			if (!ret)
				ret = mem_alloc(&g, &dst, dirs[i].dst, n);
			if (!ret)
				break;
			mem_free(&g, &src);
			mem_free(&g, &dst);
			n /= 2;
		}
		if (ret || side_get(&g, &src, 0, n, &s)) {
			printf("bw: GPU%d %s %s->%s: no buffers\n", index, dirs[i].name,
			       mem_name(dirs[i].src), mem_name(dirs[i].dst));
			failed = 1;
			goto next;
		}
		if (side_get(&g, &dst, 0, n, &t)) {
			side_put(&g, &s);
			failed = 1;
			goto next;
		}
		for (k = 0; k < iters; k++) {
			push_init(&p);
			push_release16(&p, sem.handle, 0, 2 * k);
			push_copy(&p, &s, &t, (uint32_t)n, 0);
			push_release16(&p, sem.handle, 16, 2 * k + 1);
			if (run(&g, ch, &p, NULL, "bw")) {
				failed = 1;
				break;
			}
			times[k] = sem_time(&sem, 1) - sem_time(&sem, 0);
		}
		side_put(&g, &t);
		side_put(&g, &s);
		if (k == iters) {
			qsort(times, iters, sizeof(times[0]), cmp_u64);
			printf("bw: GPU%d %s %s->%s %llu B: %.2f GB/s (median of %d, %.1f us simulated)\n",
			       index, dirs[i].name, mem_name(dirs[i].src), mem_name(dirs[i].dst),
			       (unsigned long long)n,
			       times[iters / 2] ? (double)n / times[iters / 2] : 0.0, iters,
			       times[iters / 2] / 1000.0);
		}
next:
		mem_free(&g, &src);
		mem_free(&g, &dst);
	}
	mem_free(&g, &sem);
	channel_destroy(&g, ch);
	gpu_close(&g);
	return failed;
}

static int lat(const struct gpu_desc *d, int index, int iters, uint32_t engine)
{
	static const uint32_t sizes[] = { 4, 64, 4096 };
	struct mem sem = { 0 }, src = { 0 }, dst = { 0 };
	static struct push p;
	uint32_t ch, seqno;
	struct gpu g;
	int i, k, failed = 0;

	if (gpu_open(&g, d))
		return 1;
	if (!g.usermode)
		fprintf(stderr, "lat: GPU%d: no device clock mapping\n", index);
	if (channel_create(&g, engine, &ch) || mem_alloc(&g, &sem, MEM_SYSMEM, 4096) ||
	    mem_alloc(&g, &src, MEM_SYSMEM, 4096) || mem_alloc(&g, &dst, MEM_VRAM, 4096)) {
		fprintf(stderr, "lat: GPU%d: no channel or buffers\n", index);
		gpu_close(&g);
		return 1;
	}
	for (i = 0; i < 3; i++) {
		struct side s = { src.handle, 0, MEM_SYSMEM }, t = { dst.handle, 0, MEM_VRAM };
		uint64_t total = 0, lo = ~0ull, hi = 0, engine_total = 0;

		for (k = 0; k < iters; k++) {
			uint64_t t0, done = 0, e;

			push_init(&p);
			push_release16(&p, sem.handle, 0, k);
			push_copy(&p, &s, &t, sizes[i], 0);
			t0 = gpu_time(&g);
			if (submit(&g, ch, &p, &seqno) ||
			    wait_job(&g, ch, seqno, 5000000000LL, &done) || !done) {
				failed = 1;
				break;
			}
			e = done - sem_time(&sem, 0);
			total += done - t0;
			engine_total += e;
			lo = done - t0 < lo ? done - t0 : lo;
			hi = done - t0 > hi ? done - t0 : hi;
		}
		if (k < iters || !iters) {
			printf("lat: GPU%d h2d %u B: failed\n", index, sizes[i]);
			continue;
		}
		printf("lat: GPU%d h2d sysmem->vram %u B: submit->done %.2f us (min %.2f, max %.2f), engine %.2f us, %d runs (simulated)\n",
		       index, sizes[i], total / 1000.0 / iters, lo / 1000.0, hi / 1000.0,
		       engine_total / 1000.0 / iters, iters);
	}
	mem_free(&g, &sem);
	mem_free(&g, &src);
	mem_free(&g, &dst);
	channel_destroy(&g, ch);
	gpu_close(&g);
	return failed;
}

/* --- sem-test and fault-test ------------------------------------------------------------ */

/* The interrupts counted on the channel's own vector, or -1 if it shares one. */
static long long channel_interrupts(const struct gpu_desc *d, uint32_t ch)
{
	char name[96], line[4096];
	long long sum = -1;
	FILE *f = fopen("/proc/interrupts", "r");

	if (!f)
		return -1;
	snprintf(name, sizeof(name), "nvsoc-gpu@%s-ch%u", d->name, ch);
	while (fgets(line, sizeof(line), f)) {
		char *tok, *save = NULL;
		size_t len = strlen(name);
		char *at = strstr(line, name);

		if (!at || (at[len] != '\n' && at[len] != ' ' && at[len] != 0))
			continue;
		sum = 0;
		strtok_r(line, " ", &save); /* "IRQ:" */
		while ((tok = strtok_r(NULL, " ", &save)) && tok[0] >= '0' && tok[0] <= '9')
			sum += atoll(tok);
		break;
	}
	fclose(f);
	return sum;
}

static int sem_test(const struct gpu_desc *d, int index, int jobs, int burst)
{
	static struct push p;
	uint32_t ch, seqno, *seqs;
	long long before, after;
	int i, timeouts = 0, errors = 0, ok = 0;
	struct gpu g;

	if (gpu_open(&g, d))
		return 1;
	if (channel_create(&g, NVSOC_GPU_ENGINE_ANY, &ch)) {
		fprintf(stderr, "sem-test: GPU%d: no channel\n", index);
		gpu_close(&g);
		return 1;
	}
	seqs = calloc(burst > 0 ? burst : 1, sizeof(*seqs));
	push_init(&p);
	push_method(&p, 0, NVSOC_GPU_NOP, 0);

	/* One at a time: each job is one non-stall interrupt. */
	before = channel_interrupts(d, ch);
	for (i = 0; i < jobs; i++) {
		int ret = submit(&g, ch, &p, &seqno);

		if (!ret)
			ret = wait_job(&g, ch, seqno, 5000000000LL, NULL);
		if (ret == -ETIMEDOUT)
			timeouts++;
		else if (ret)
			errors++;
		else
			ok++;
	}
	after = channel_interrupts(d, ch);
	printf("sem-test: GPU%d channel %u serial: %d jobs, %d completed, %d timed out, %d errors, interrupts %lld\n",
	       index, ch, jobs, ok, timeouts, errors, before >= 0 ? after - before : -1);
	if (before >= 0 && after - before != jobs) {
		printf("sem-test: GPU%d: %lld interrupts for %d jobs\n", index, after - before, jobs);
		errors++;
	}

	/* Bursts: many jobs in flight, completions coalesce; none may be lost. */
	ok = 0;
	for (i = 0; i < jobs && burst > 0; i += burst) {
		int k, n = jobs - i < burst ? jobs - i : burst;

		for (k = 0; k < n; k++)
			if (submit(&g, ch, &p, &seqs[k]))
				errors++;
		for (k = n - 1; k >= 0; k--) {
			int ret = wait_job(&g, ch, seqs[k], 5000000000LL, NULL);

			if (ret == -ETIMEDOUT)
				timeouts++;
			else if (ret)
				errors++;
			else
				ok++;
		}
	}
	if (burst > 0)
		printf("sem-test: GPU%d channel %u bursts of %d: %d waits completed\n", index, ch,
		       burst, ok);
	printf("sem-test: GPU%d: %d timed out, %d errors\n", index, timeouts, errors);
	free(seqs);
	channel_destroy(&g, ch);
	gpu_close(&g);
	return timeouts || errors;
}

/* Jobs of a round trip each (system memory to VRAM and back, so that
 * fault points on reads and on writes of either side can fire) until one
 * fails with -EIO (an armed fault point), then one more copy on the same
 * channel, which must pass. */
static int fault_test(const struct gpu_desc *d, int index, int tries)
{
	struct mem src = { 0 }, vram = { 0 }, sback = { 0 }, back = { 0 };
	static struct push p;
	uint32_t ch, seqno, crc;
	struct side s, v, sb;
	struct gpu g;
	int i, ret = 0, faulted = -1;

	if (gpu_open(&g, d))
		return 1;
	if (channel_create(&g, NVSOC_GPU_ENGINE_ANY, &ch) ||
	    mem_alloc(&g, &src, MEM_SYSMEM, 4096) || mem_alloc(&g, &vram, MEM_VRAM, 4096) ||
	    mem_alloc(&g, &sback, MEM_SYSMEM, 4096) || mem_alloc(&g, &back, MEM_USER, 4096)) {
		fprintf(stderr, "fault-test: GPU%d: no channel or buffers\n", index);
		gpu_close(&g);
		return 1;
	}
	pattern(src.cpu, 4096, 77);
	crc = crc32_buf(0, src.cpu, 4096);
	s = (struct side){ src.handle, 0, MEM_SYSMEM };
	v = (struct side){ vram.handle, 0, MEM_VRAM };
	sb = (struct side){ sback.handle, 0, MEM_SYSMEM };
	for (i = 0; i < tries && faulted < 0; i++) {
		push_init(&p);
		push_copy(&p, &s, &v, 4096, 0);
		push_copy(&p, &v, &sb, 4096, 0);
		ret = submit(&g, ch, &p, &seqno);
		if (!ret)
			ret = wait_job(&g, ch, seqno, 5000000000LL, NULL);
		if (ret == -EIO)
			faulted = i;
		else if (ret)
			break;
	}
	if (faulted < 0) {
		printf("fault-test: GPU%d: %s after %d jobs (is the fault point armed?)\n", index,
		       ret ? strerror(-ret) : "no fault", i);
		ret = 1;
		goto out;
	}
	printf("fault-test: GPU%d channel %u: job %d failed with EIO (the fault)\n", index, ch,
	       faulted);
	memset(back.cpu, 0, 4096);
	ret = copy_mem(&g, ch, &src, 0, &vram, 0, 4096);
	if (!ret)
		ret = copy_mem(&g, ch, &vram, 0, &back, 0, 4096);
	if (ret || crc32_buf(0, back.cpu, 4096) != crc) {
		printf("fault-test: GPU%d channel %u: the copy after the fault: FAIL\n", index, ch);
		ret = 1;
	} else {
		printf("fault-test: GPU%d channel %u: the copy after the fault: ok\n", index, ch);
	}
out:
	mem_free(&g, &src);
	mem_free(&g, &vram);
	mem_free(&g, &sback);
	mem_free(&g, &back);
	channel_destroy(&g, ch);
	gpu_close(&g);
	return ret ? 1 : 0;
}

/* --- coherence ------------------------------------------------------------------------ */

/*
 * Plain loads and stores through the BO mappings, 8 bytes at a time where
 * aligned: volatile so that each is one access the compiler neither drops
 * nor merges into a library copy. No msync, no cache maintenance.
 */
static void cpu_store(uint8_t *dst, const uint8_t *src, uint64_t len)
{
	volatile uint8_t *d = dst;
	uint64_t i = 0;

	if (!((uintptr_t)dst & 7))
		for (; i + 8 <= len; i += 8) {
			uint64_t w;

			memcpy(&w, src + i, 8);
			*(volatile uint64_t *)(d + i) = w;
		}
	for (; i < len; i++)
		d[i] = src[i];
}

/* The first offset where the loads of src differ from want, or -1. */
static long long cpu_compare(const uint8_t *src, const uint8_t *want, uint64_t len,
			     uint8_t *got_byte)
{
	const volatile uint8_t *s = src;
	uint64_t i = 0, k;

	if (!((uintptr_t)src & 7))
		for (; i + 8 <= len; i += 8) {
			uint64_t w = *(const volatile uint64_t *)(s + i);

			if (!memcmp(&w, want + i, 8))
				continue;
			for (k = 0; k < 8; k++)
				if (((const uint8_t *)&w)[k] != want[i + k]) {
					*got_byte = ((const uint8_t *)&w)[k];
					return (long long)(i + k);
				}
		}
	for (; i < len; i++)
		if (s[i] != want[i]) {
			*got_byte = s[i];
			return (long long)i;
		}
	return -1;
}

struct coh {
	const char *tag;
	int pass, fail;
};

/* One step's line: ok, or the first mismatch. */
static void coh_check(struct coh *c, const char *what, const uint8_t *cpu, const uint8_t *want,
		      uint64_t len)
{
	uint8_t got = 0;
	long long off = cpu_compare(cpu, want, len, &got);

	if (off < 0) {
		printf("coherence: %s: %s, %llu B: ok\n", c->tag, what, (unsigned long long)len);
		c->pass++;
	} else {
		printf("coherence: %s: %s, %llu B: FAIL (first mismatch at offset %lld: 0x%02x, expected 0x%02x)\n",
		       c->tag, what, (unsigned long long)len, off, got, want[off]);
		c->fail++;
	}
	fflush(stdout);
}

static void coh_job_failed(struct coh *c, const char *what)
{
	printf("coherence: %s: %s: FAIL (job failed)\n", c->tag, what);
	fflush(stdout);
	c->fail++;
}

/*
 * The fabric check of issue 14: a user program writes GPU memory with
 * stores and reads back what a copy engine wrote, coherently, with no
 * cache maintenance. Two VRAM BOs A and B mapped (the fabric's write-back
 * window, or BAR1 on PCIe) and a system-memory source S:
 *   1. the engine fills B; the CPU loads B (B is now in the CPU's caches)
 *   2. the CPU stores a pattern into A; the engine copies A to B; the CPU
 *      loads B: the engine saw the stores, and the CPU does not see B's
 *      stale lines
 *   3. the CPU stores another pattern into S; the CPU loads A (cached);
 *      the engine copies S to A; the CPU loads A
 *   4. the engine fills A; the CPU loads A
 */
static int coherence(const struct gpu_desc *d, int index, uint64_t size)
{
	struct mem a = { 0 }, b = { 0 }, s = { 0 };
	uint8_t *p1 = malloc(size), *p2 = malloc(size), *fill = malloc(size);
	char tag[16], what[128];
	struct coh c = { tag, 0, 0 };
	uint32_t ch = 0;
	struct gpu g;
	int ret, opened = 0, have_ch = 0;

	snprintf(tag, sizeof(tag), "GPU%d", index);
	if (!p1 || !p2 || !fill) {
		printf("coherence: %s: FAIL (out of memory)\n", tag);
		c.fail++;
		goto out;
	}
	if (gpu_open(&g, d)) {
		c.fail++;
		goto out;
	}
	opened = 1;
	ret = channel_create(&g, NVSOC_GPU_ENGINE_ANY, &ch);
	if (ret) {
		printf("coherence: %s: FAIL (CHANNEL_CREATE: %s)\n", tag, errno_name(-ret));
		c.fail++;
		goto out;
	}
	have_ch = 1;
	ret = mem_alloc(&g, &a, MEM_VRAM, size);
	if (!ret)
		ret = mem_alloc(&g, &b, MEM_VRAM, size);
	if (ret) {
		printf("coherence: %s: FAIL (VRAM BOs: %s)\n", tag, errno_name(-ret));
		c.fail++;
		goto out;
	}
	if (!a.cpu || !b.cpu) {
		printf("coherence: %s: FAIL (a VRAM BO cannot be mapped: outside %s)\n", tag,
		       d->bus == GPU_BUS_PCI ? "BAR1" : "the VRAM window");
		c.fail++;
		goto out;
	}
	/* Contiguous system memory, or the same bytes as user memory. */
	if (mem_alloc(&g, &s, MEM_SYSMEM, size) || !s.cpu) {
		mem_free(&g, &s);
		if (mem_alloc(&g, &s, MEM_USER, size)) {
			printf("coherence: %s: FAIL (no system memory)\n", tag);
			c.fail++;
			goto out;
		}
	}
	printf("coherence: %s: %s (%s), channel %u, VRAM BOs mapped %s, source %s\n", tag,
	       d->name, gpu_bus_name(d->bus), ch,
	       d->bus == GPU_BUS_PCI ? "through BAR1" : "in the VRAM window", mem_name(s.kind));
	pattern(p1, size, 0xc0 + index);
	pattern(p2, size, 0x1c0 + index);

	snprintf(what, sizeof(what), "ce fills vram B, cpu loads B");
	memset(fill, 0x5a, size);
	if (fill_mem(&g, ch, &b, 0, size, 0x5a))
		coh_job_failed(&c, what);
	else
		coh_check(&c, what, b.cpu, fill, size);

	snprintf(what, sizeof(what), "cpu stores vram A, ce copies A->B, cpu loads B");
	cpu_store(a.cpu, p1, size);
	if (copy_mem(&g, ch, &a, 0, &b, 0, size))
		coh_job_failed(&c, what);
	else
		coh_check(&c, what, b.cpu, p1, size);

	snprintf(what, sizeof(what), "cpu stores %s S, ce copies S->A, cpu loads A",
		 mem_name(s.kind));
	cpu_store(s.cpu, p2, size);
	/* A's lines in the CPU's caches hold p1 now: they must not be seen. */
	coh_check(&c, "cpu loads vram A before the copy", a.cpu, p1, size);
	if (copy_mem(&g, ch, &s, 0, &a, 0, size))
		coh_job_failed(&c, what);
	else
		coh_check(&c, what, a.cpu, p2, size);

	snprintf(what, sizeof(what), "ce fills vram A, cpu loads A");
	memset(fill, 0xa5, size);
	if (fill_mem(&g, ch, &a, 0, size, 0xa5))
		coh_job_failed(&c, what);
	else
		coh_check(&c, what, a.cpu, fill, size);

	printf("coherence: %s: %d passed, %d failed\n", tag, c.pass, c.fail);
out:
	if (opened) {
		mem_free(&g, &a);
		mem_free(&g, &b);
		mem_free(&g, &s);
		if (have_ch)
			channel_destroy(&g, ch);
		gpu_close(&g);
	}
	free(p1);
	free(p2);
	free(fill);
	return c.fail ? 1 : 0;
}

/* --- main ------------------------------------------------------------------------------- */

int main(int argc, char **argv)
{
	struct gpu_desc gpus[MAX_GPUS];
	const char *cmd = "list";
	uint64_t sizes[64], size = 4 * MIB, coh_size = 64 * 1024;
	int ngpus, nsizes = 0, quick = 0, all = 0, one_line = 0, status = 0;
	int dev = -1, iters = -1, burst = 16, hold_i = -1, hold_j = -1, i;
	uint32_t engine = NVSOC_GPU_ENGINE_ANY;

	/*
	 * Their options differ from the rest (nvlink -s and -e are not
	 * -s SIZE and -e ENGINE): they parse their own.
	 */
	if (argc > 1 && !strcmp(argv[1], "topo"))
		return cmd_topo(argc - 1, argv + 1);
	if (argc > 1 && !strcmp(argv[1], "nvlink"))
		return cmd_nvlink(argc - 1, argv + 1);

	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout);
			return 0;
		} else if (!strcmp(a, "-L")) {
			one_line = 1;
		} else if (!strcmp(a, "--all")) {
			all = 1;
		} else if (!strcmp(a, "--quick")) {
			quick = 1;
		} else if (!strcmp(a, "-d") && i + 1 < argc) {
			dev = atoi(argv[++i]);
		} else if (!strcmp(a, "-n") && i + 1 < argc) {
			iters = atoi(argv[++i]);
		} else if (!strcmp(a, "-s") && i + 1 < argc) {
			size = parse_size(argv[++i]);
		} else if (!strcmp(a, "--size") && i + 1 < argc) {
			coh_size = parse_size(argv[++i]);
		} else if (!strcmp(a, "-e") && i + 1 < argc) {
			engine = (uint32_t)atoi(argv[++i]);
		} else if (!strcmp(a, "--hold") && i + 1 < argc) {
			if (sscanf(argv[++i], "%d,%d", &hold_i, &hold_j) != 2 || hold_i < 0 ||
			    hold_j < 0 || hold_i == hold_j) {
				fprintf(stderr, "nvsoc-smi: --hold takes I,J: two different GPUs\n");
				return 2;
			}
		} else if (!strcmp(a, "--burst") && i + 1 < argc) {
			burst = atoi(argv[++i]);
		} else if (!strcmp(a, "--sizes") && i + 1 < argc) {
			char *list = argv[++i], *tok, *save = NULL;

			for (tok = strtok_r(list, ",", &save); tok && nsizes < 64;
			     tok = strtok_r(NULL, ",", &save))
				sizes[nsizes++] = parse_size(tok);
		} else if (a[0] != '-' && !strcmp(cmd, "list")) {
			cmd = a;
		} else {
			usage(stderr);
			return 2;
		}
	}

	ngpus = gpu_find(gpus, MAX_GPUS);
	if (!ngpus) {
		fprintf(stderr, "nvsoc-smi: no GPU bound to nvsoc-gpu (is the module loaded?)\n");
		return 1;
	}
	if (dev >= ngpus) {
		fprintf(stderr, "nvsoc-smi: no GPU %d (%d found)\n", dev, ngpus);
		return 2;
	}

	if (!strcmp(cmd, "list")) {
		for (i = 0; i < ngpus; i++)
			if (dev < 0 || dev == i)
				list_gpu(i, &gpus[i], one_line);
		return 0;
	}
	if (dev < 0)
		dev = 0;
	if (!strcmp(cmd, "copy-test")) {
		const uint64_t *list = sizes;

		if (!nsizes) {
			list = quick ? quick_sizes : default_sizes;
			nsizes = quick ? sizeof(quick_sizes) / sizeof(quick_sizes[0]) :
					 sizeof(default_sizes) / sizeof(default_sizes[0]);
			/* Every GPU at once: each process holds two buffers of the
			 * size in guest memory, so stop at 16 MiB. */
			while (all && ngpus > 1 && nsizes && list[nsizes - 1] > ALL_MAX_SIZE)
				nsizes--;
		}
		if (!all)
			return copy_test_one(&gpus[dev], dev, list, nsizes);
		/*
		 * One process per GPU, all at once. stdout may be a file (fully
		 * buffered): flush before forking so nothing is printed twice,
		 * and in each child before _exit, which does not flush.
		 */
		fflush(stdout);
		for (i = 0; i < ngpus; i++) {
			pid_t pid = fork();

			if (pid == 0) {
				int r = copy_test_one(&gpus[i], i, list, nsizes);

				fflush(stdout);
				_exit(r);
			}
			if (pid < 0) {
				perror("nvsoc-smi: fork");
				status = 1;
			}
		}
		for (;;) {
			int st;
			pid_t pid = wait(&st);

			if (pid < 0)
				break;
			if (!WIFEXITED(st) || WEXITSTATUS(st))
				status = 1;
		}
		printf("copy-test: %d GPUs: %s\n", ngpus, status ? "FAILED" : "all passed");
		return status;
	}
	if (!strcmp(cmd, "bw"))
		return bw(&gpus[dev], dev, size, iters > 0 ? iters : 5, engine);
	if (!strcmp(cmd, "lat"))
		return lat(&gpus[dev], dev, iters > 0 ? iters : 20, engine);
	if (!strcmp(cmd, "sem-test"))
		return sem_test(&gpus[dev], dev, iters > 0 ? iters : 1000, burst);
	if (!strcmp(cmd, "fault-test"))
		return fault_test(&gpus[dev], dev, iters > 0 ? iters : 100);
	if (!strcmp(cmd, "coherence")) {
		if (!coh_size || coh_size > 1024 * MIB) {
			fprintf(stderr, "nvsoc-smi: coherence: --size takes 1 B to 1 GiB\n");
			return 2;
		}
		return coherence(&gpus[dev], dev, coh_size);
	}
	if (!strcmp(cmd, "p2p-test") && hold_i >= 0) {
		if (hold_i >= ngpus || hold_j >= ngpus) {
			fprintf(stderr, "nvsoc-smi: --hold %d,%d: %d GPUs found\n", hold_i, hold_j,
				ngpus);
			return 2;
		}
		return p2p_hold(gpus, ngpus, hold_i, hold_j, sizes, nsizes);
	}
	if (!strcmp(cmd, "p2p-test"))
		return p2p_test(gpus, ngpus, sizes, nsizes, quick);
	if (!strcmp(cmd, "p2p-bw")) {
		if (!size || size > UINT32_MAX) {
			fprintf(stderr, "nvsoc-smi: p2p-bw: -s takes 1 B to 4 GiB - 1\n");
			return 2;
		}
		return p2p_bw(gpus, ngpus, size, iters > 0 ? iters : 5);
	}
	if (!strcmp(cmd, "p2p-lat"))
		return p2p_lat(gpus, ngpus, iters > 0 ? iters : 20);
	usage(stderr);
	return 2;
}
