// SPDX-License-Identifier: MIT
/*
 * nvsoc-smi: p2p-test, p2p-bw and p2p-lat. See p2p.h.
 */
#include "p2p.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MIB (1024u * 1024u)
#define JOB_TIMEOUT_NS 5000000000LL
/* p2p-bw's iterations are kept for the median: at most this many. */
#define MAX_ITERS 64

/* p2p-test: guard bytes on each side of a destination, and their values. */
#define GUARD 8
#define GUARD_PEER 0x5a	 /* around a write's destination, in j's VRAM */
#define GUARD_LOCAL 0xa5 /* around a read's destination, in i's VRAM */
#define POISON 0xc3	 /* host memory before a read-back */

/* Every GPU open, each with a channel and a semaphore BO. */
struct p2p {
	int n;
	struct gpu g[MAX_GPUS];
	uint32_t ch[MAX_GPUS];
	struct mem sem[MAX_GPUS]; /* sysmem: 16-byte releases for p2p-bw */
};

static void p2p_close(struct p2p *p)
{
	int i;

	for (i = 0; i < p->n; i++) {
		mem_free(&p->g[i], &p->sem[i]);
		channel_destroy(&p->g[i], p->ch[i]);
		gpu_close(&p->g[i]);
	}
	p->n = 0;
}

/* Opens GPU i of d as p's next: 0, or -1 (said on stderr). */
static int p2p_open_one(struct p2p *p, const struct gpu_desc *d, const char *cmd)
{
	int i = p->n, ret;
	struct gpu *g = &p->g[i];

	if (gpu_open(g, d))
		return -1;
	ret = channel_create(g, NVSOC_GPU_ENGINE_ANY, &p->ch[i]);
	if (ret) {
		fprintf(stderr, "%s: GPU%d: CHANNEL_CREATE: %s\n", cmd, i, strerror(-ret));
		gpu_close(g);
		return -1;
	}
	ret = mem_alloc(g, &p->sem[i], MEM_SYSMEM, 4096);
	if (ret) {
		fprintf(stderr, "%s: GPU%d: semaphore BO: %s\n", cmd, i, strerror(-ret));
		mem_free(g, &p->sem[i]);
		channel_destroy(g, p->ch[i]);
		gpu_close(g);
		return -1;
	}
	p->n++;
	return 0;
}

static int p2p_open(struct p2p *p, const struct gpu_desc *d, int n, const char *cmd)
{
	int i;

	memset(p, 0, sizeof(*p));
	for (i = 0; i < n; i++) {
		if (p2p_open_one(p, &d[i], cmd)) {
			p2p_close(p);
			return -1;
		}
	}
	return 0;
}

/* A VRAM BO of GPU j and its import into GPU i. */
struct peer_buf {
	struct mem vram;		/* on j */
	struct mem peer;		/* on i, MEM_PEER */
	struct drm_nvsoc_gpu_bo_peer bo; /* BO_PEER's outputs */
};

static void peer_buf_put(struct p2p *p, int i, int j, struct peer_buf *b)
{
	mem_free(&p->g[i], &b->peer);
	mem_free(&p->g[j], &b->vram);
}

/*
 * Allocates size bytes of j's VRAM and imports them into i: 0, or -errno
 * with *what the call that failed ("BO_CREATE" or "BO_PEER"; -EHOSTUNREACH
 * from BO_PEER is no path). Nothing is left to free on failure.
 */
static int peer_buf_get(struct p2p *p, int i, int j, uint64_t size, struct peer_buf *b,
			const char **what)
{
	int ret;

	memset(b, 0, sizeof(*b));
	*what = "BO_CREATE";
	ret = mem_alloc(&p->g[j], &b->vram, MEM_VRAM, size);
	if (!ret) {
		*what = "BO_PEER";
		ret = mem_peer(&p->g[i], &b->peer, &p->g[j], &b->vram, &b->bo);
	}
	if (ret)
		peer_buf_put(p, i, j, b);
	return ret;
}

static struct side side_of(const struct mem *m, uint64_t off)
{
	return (struct side){ .handle = m->handle, .offset = off, .kind = m->kind };
}

/* "nvlink 2 links", "nvlink 1 link", "pcie" or "none", in buf. */
static const char *path_name(uint32_t path, uint32_t nvlinks, char *buf, size_t len)
{
	switch (path) {
	case NVSOC_GPU_PEER_NONE:
		snprintf(buf, len, "none");
		break;
	case NVSOC_GPU_PEER_NVLINK:
		snprintf(buf, len, "nvlink %u link%s", nvlinks, nvlinks == 1 ? "" : "s");
		break;
	case NVSOC_GPU_PEER_PCIE:
		snprintf(buf, len, "pcie");
		break;
	default:
		snprintf(buf, len, "path %u", path);
		break;
	}
	return buf;
}

/* --- p2p-test ---------------------------------------------------------------------- */

static const uint64_t test_sizes[] = {
	1, 3, 4, 4095, 4096, 4097, 65536, 65537, 1 * MIB, 1 * MIB + 3, 4 * MIB,
};
static const uint64_t test_quick_sizes[] = { 4, 4097, 1 * MIB + 3 };

struct ptest {
	struct p2p p;
	int pass, fail, nopath;
	uint8_t *host;		/* GUARD + the largest size + GUARD: the pattern and read-backs */
};

/* One ordered pair's buffers, at the largest size plus the guards. */
struct pair {
	int i, j;
	char path[32];		/* as the cases print it */
	struct mem a, b;	/* on i: the write's source, the read's destination */
	struct peer_buf pb;	/* j's VRAM, imported into i */
};

/* A failure of the pair as a whole: "p2p-test: GPU0->GPU1: FAIL (why)". */
__attribute__((format(printf, 3, 4)))
static void pair_fail(struct ptest *t, const struct pair *c, const char *fmt, ...)
{
	va_list ap;

	printf("p2p-test: GPU%d->GPU%d: FAIL (", c->i, c->j);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf(")\n");
	fflush(stdout);
	t->fail++;
}

static void case_report(struct ptest *t, const struct pair *c, const char *op, uint64_t size,
			const char *result)
{
	printf("p2p-test: GPU%d->GPU%d %s %s %llu B: %s\n", c->i, c->j, c->path, op,
	       (unsigned long long)size, result);
	fflush(stdout);
	if (!strcmp(result, "ok"))
		t->pass++;
	else
		t->fail++;
}

/* A pattern seed of its own for each pair, size and direction. */
static uint32_t case_seed(const struct pair *c, uint64_t size, int read)
{
	return (uint32_t)size * 1024u + (uint32_t)(c->i * MAX_GPUS + c->j) * 2u + (uint32_t)read;
}

/* The host buffer as user memory of span bytes. */
static struct mem host_mem(struct ptest *t, uint64_t span)
{
	return (struct mem){ .kind = MEM_USER, .size = span, .cpu = t->host };
}

/* Copies VRAM m [0, span) of GPU k into the host buffer and checks it:
 * guard bytes around size bytes at GUARD whose CRC-32 is crc. */
static const char *read_back(struct ptest *t, int k, struct mem *m, uint64_t size, uint32_t crc,
			     uint8_t guard)
{
	uint64_t span = size + 2 * GUARD;
	struct mem host = host_mem(t, span);

	memset(t->host, POISON, span);
	if (copy_mem(&t->p.g[k], t->p.ch[k], m, 0, &host, 0, span))
		return "FAIL (reading back)";
	if (!all_bytes(t->host, GUARD, guard))
		return "FAIL (bytes before the destination changed)";
	if (!all_bytes(t->host + GUARD + size, GUARD, guard))
		return "FAIL (bytes after the destination changed)";
	if (crc32_buf(0, t->host + GUARD, size) != crc)
		return "FAIL (CRC mismatch)";
	return "ok";
}

/* Host memory with a new pattern -> VRAM m of GPU k, [0, span); the
 * CRC-32 of the size bytes at GUARD in *crc. 0 or -errno. */
static int load(struct ptest *t, int k, struct mem *m, uint64_t size, uint32_t seed,
		uint32_t *crc)
{
	uint64_t span = size + 2 * GUARD;
	struct mem host = host_mem(t, span);

	pattern(t->host, span, seed);
	*crc = crc32_buf(0, t->host + GUARD, size);
	return copy_mem(&t->p.g[k], t->p.ch[k], &host, 0, m, 0, span);
}

/* i's VRAM -> j's over the peer BO, on i's copy engine. */
static const char *write_case(struct ptest *t, struct pair *c, uint64_t size)
{
	struct p2p *p = &t->p;
	uint32_t crc;

	if (load(t, c->i, &c->a, size, case_seed(c, size, 0), &crc))
		return "FAIL (loading the source)";
	if (fill_mem(&p->g[c->j], p->ch[c->j], &c->pb.vram, 0, size + 2 * GUARD, GUARD_PEER))
		return "FAIL (filling the destination)";
	if (copy_mem(&p->g[c->i], p->ch[c->i], &c->a, GUARD, &c->pb.peer, GUARD, size))
		return "FAIL (the peer write failed)";
	return read_back(t, c->j, &c->pb.vram, size, crc, GUARD_PEER);
}

/* j's VRAM -> i's over the peer BO, on i's copy engine. */
static const char *read_case(struct ptest *t, struct pair *c, uint64_t size)
{
	struct p2p *p = &t->p;
	uint32_t crc;

	if (load(t, c->j, &c->pb.vram, size, case_seed(c, size, 1), &crc))
		return "FAIL (loading the source)";
	if (fill_mem(&p->g[c->i], p->ch[c->i], &c->b, 0, size + 2 * GUARD, GUARD_LOCAL))
		return "FAIL (filling the destination)";
	if (copy_mem(&p->g[c->i], p->ch[c->i], &c->pb.peer, GUARD, &c->b, GUARD, size))
		return "FAIL (the peer read failed)";
	return read_back(t, c->i, &c->b, size, crc, GUARD_LOCAL);
}

/*
 * The import's result against what PEER_INFO said before it: 1 when the
 * pair has a path and the import is sound (c->path set), else 0 with the
 * pair reported (no path, or a failure).
 */
static int pair_path(struct ptest *t, struct pair *c, const struct drm_nvsoc_gpu_peer_info *before,
		     int ret)
{
	struct drm_nvsoc_gpu_peer_info after;
	const struct drm_nvsoc_gpu_bo_peer *bo = &c->pb.bo;
	char said[32];

	path_name(before->path, before->nvlinks, said, sizeof(said));
	if (ret == -EHOSTUNREACH && before->path == NVSOC_GPU_PEER_NONE) {
		printf("p2p-test: GPU%d->GPU%d: no path (peer access refused: EHOSTUNREACH)\n",
		       c->i, c->j);
		t->nopath++;
		return 0;
	}
	if (ret) {
		pair_fail(t, c, "PEER_INFO said %s; BO_PEER: %s", said, errno_name(-ret));
		return 0;
	}
	if (before->path == NVSOC_GPU_PEER_NONE) {
		pair_fail(t, c, "PEER_INFO said none, BO_PEER succeeded");
		return 0;
	}
	if (bo->size != c->pb.vram.map_size || bo->peer_id >= NVSOC_GPU_PEERS ||
	    (bo->path != NVSOC_GPU_PEER_NVLINK && bo->path != NVSOC_GPU_PEER_PCIE)) {
		pair_fail(t, c, "BO_PEER gave size %llu (the BO's: %llu), path %u, slot %u",
			  (unsigned long long)bo->size, (unsigned long long)c->pb.vram.map_size,
			  bo->path, bo->peer_id);
		return 0;
	}
	ret = gpu_peer_info(&t->p.g[c->i], &t->p.g[c->j], &after);
	if (ret || after.peer_id != bo->peer_id) {
		if (ret)
			pair_fail(t, c, "PEER_INFO after BO_PEER: %s", errno_name(-ret));
		else
			pair_fail(t, c, "PEER_INFO after BO_PEER names slot %u, BO_PEER slot %u",
				  after.peer_id, bo->peer_id);
		return 0;
	}
	path_name(bo->path, after.nvlinks, c->path, sizeof(c->path));
	printf("p2p-test: GPU%d->GPU%d: path %s, peer table slot %u, peer NVLink ID %u\n", c->i,
	       c->j, c->path, bo->peer_id, after.peer_nvlink_id);
	return 1;
}

static void pair_free(struct ptest *t, struct pair *c)
{
	peer_buf_put(&t->p, c->i, c->j, &c->pb);
	mem_free(&t->p.g[c->i], &c->a);
	mem_free(&t->p.g[c->i], &c->b);
}

/* The buffers of pair (i, j) and its import: 1, or 0 with the pair reported. */
static int pair_setup(struct ptest *t, struct pair *c, uint64_t max)
{
	struct drm_nvsoc_gpu_peer_info info;
	uint64_t span = max + 2 * GUARD;
	const char *what;
	int ret;

	ret = gpu_peer_info(&t->p.g[c->i], &t->p.g[c->j], &info);
	if (ret) {
		pair_fail(t, c, "PEER_INFO: %s", errno_name(-ret));
		return 0;
	}
	if (mem_alloc(&t->p.g[c->i], &c->a, MEM_VRAM, span) ||
	    mem_alloc(&t->p.g[c->i], &c->b, MEM_VRAM, span)) {
		pair_fail(t, c, "no VRAM BOs of %llu B on GPU%d", (unsigned long long)span, c->i);
		return 0;
	}
	ret = peer_buf_get(&t->p, c->i, c->j, span, &c->pb, &what);
	if (ret && !strcmp(what, "BO_CREATE")) {
		pair_fail(t, c, "no VRAM BO of %llu B on GPU%d: %s", (unsigned long long)span,
			  c->j, errno_name(-ret));
		return 0;
	}
	return pair_path(t, c, &info, ret);
}

static void pair_run(struct ptest *t, int i, int j, const uint64_t *sizes, int nsizes,
		     uint64_t max)
{
	struct pair c = { .i = i, .j = j };
	int k;

	if (pair_setup(t, &c, max)) {
		for (k = 0; k < nsizes; k++) {
			case_report(t, &c, "write", sizes[k], write_case(t, &c, sizes[k]));
			case_report(t, &c, "read", sizes[k], read_case(t, &c, sizes[k]));
		}
	}
	pair_free(t, &c);
}

/*
 * Every GPU opened into t, with a host buffer for the largest of the sizes
 * (*sizes, *nsizes: the defaults when none are given): that size, or 0
 * (said on stderr).
 */
static uint64_t ptest_begin(struct ptest *t, const struct gpu_desc *d, int n,
			    const uint64_t **sizes, int *nsizes, int quick)
{
	uint64_t max = 0;
	int i;

	if (!*nsizes) {
		*sizes = quick ? test_quick_sizes : test_sizes;
		*nsizes = quick ? sizeof(test_quick_sizes) / sizeof(test_quick_sizes[0]) :
				  sizeof(test_sizes) / sizeof(test_sizes[0]);
	}
	for (i = 0; i < *nsizes; i++)
		max = (*sizes)[i] > max ? (*sizes)[i] : max;
	memset(t, 0, sizeof(*t));
	t->host = malloc(max + 2 * GUARD);
	if (!t->host) {
		fprintf(stderr, "p2p-test: out of memory\n");
		return 0;
	}
	if (p2p_open(&t->p, d, n, "p2p-test")) {
		free(t->host);
		return 0;
	}
	return max;
}

static int ptest_end(struct ptest *t)
{
	printf("p2p-test: %d passed, %d failed, %d pairs without a path\n", t->pass, t->fail,
	       t->nopath);
	p2p_close(&t->p);
	free(t->host);
	return t->fail ? 1 : 0;
}

int p2p_test(const struct gpu_desc *d, int n, const uint64_t *sizes, int nsizes, int quick)
{
	static struct ptest t;
	uint64_t max = ptest_begin(&t, d, n, &sizes, &nsizes, quick);
	int i, j;

	if (!max)
		return 1;
	if (n < 2)
		printf("p2p-test: %d GPU, no pairs\n", n);
	for (i = 0; i < n; i++)
		for (j = 0; j < n; j++)
			if (i != j)
				pair_run(&t, i, j, sizes, nsizes, max);
	return ptest_end(&t);
}

int p2p_hold(const struct gpu_desc *d, int n, int i, int j, const uint64_t *sizes, int nsizes)
{
	static struct ptest t;
	struct pair c = { .i = i, .j = j };
	struct drm_nvsoc_gpu_peer_info info;
	char line[128];
	uint64_t max = ptest_begin(&t, d, n, &sizes, &nsizes, 1);
	int k, round = 0;

	if (!max)
		return 1;
	if (pair_setup(&t, &c, max)) {
		printf("p2p-test: GPU%d->GPU%d: held; a line on stdin runs a round\n", i, j);
		fflush(stdout);
		while (fgets(line, sizeof(line), stdin)) {
			int before = t.fail;

			round++;
			if (gpu_peer_info(&t.p.g[i], &t.p.g[j], &info)) {
				pair_fail(&t, &c, "PEER_INFO in round %d", round);
				continue;
			}
			path_name(info.path, info.nvlinks, c.path, sizeof(c.path));
			for (k = 0; k < nsizes; k++) {
				case_report(&t, &c, "write", sizes[k], write_case(&t, &c, sizes[k]));
				case_report(&t, &c, "read", sizes[k], read_case(&t, &c, sizes[k]));
			}
			printf("p2p-test: round %d: GPU%d->GPU%d %s: %s\n", round, i, j, c.path,
			       t.fail == before ? "ok" : "FAIL");
			fflush(stdout);
		}
	}
	pair_free(&t, &c);
	/* A pair without a path cannot be held: a failure here. */
	return ptest_end(&t) || t.nopath;
}

/* --- p2p-bw and p2p-lat: matrices ----------------------------------------------------- */

/* A cell: a value >= 0, or one of these. */
#define CELL_NONE (-1.0) /* no path: "-" */
#define CELL_FAIL (-2.0) /* the measurement failed: "FAIL" */

struct measure;
/* One cell: copies s -> d on GPU i's copy engine. */
typedef double (*measure_fn)(struct p2p *p, int i, const struct side *s, const struct side *d,
			     const struct measure *m);

struct measure {
	const char *cmd;	/* p2p-bw, p2p-lat */
	uint64_t size;		/* bytes per copy (and per buffer) */
	int iters;
	measure_fn fn;
};

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* GB/s (bytes per ns): the median over the iterations of the time between
 * 16-byte releases just before and just after the copy. */
static double measure_bw(struct p2p *p, int i, const struct side *s, const struct side *d,
			 const struct measure *m)
{
	static struct push push;
	uint64_t times[MAX_ITERS];
	struct mem *sem = &p->sem[i];
	int k;

	for (k = 0; k < m->iters; k++) {
		push_init(&push);
		push_release16(&push, sem->handle, 0, 2 * k);
		push_copy(&push, s, d, (uint32_t)m->size, 0);
		push_release16(&push, sem->handle, 16, 2 * k + 1);
		if (run(&p->g[i], p->ch[i], &push, NULL, m->cmd))
			return CELL_FAIL;
		times[k] = sem_time(sem, 1) - sem_time(sem, 0);
	}
	qsort(times, m->iters, sizeof(times[0]), cmp_u64);
	return times[m->iters / 2] ? (double)m->size / times[m->iters / 2] : CELL_FAIL;
}

/* Microseconds from the device clock read just before SUBMIT to the job's
 * release (WAIT's done_ns; 0 is "not known", a failure), the mean over
 * the iterations. */
static double measure_lat(struct p2p *p, int i, const struct side *s, const struct side *d,
			  const struct measure *m)
{
	static struct push push;
	struct gpu *g = &p->g[i];
	uint64_t total = 0;
	uint32_t seqno;
	int k, ret;

	for (k = 0; k < m->iters; k++) {
		uint64_t t0, done = 0;

		push_init(&push);
		push_copy(&push, s, d, (uint32_t)m->size, 0);
		t0 = gpu_time(g);
		ret = submit(g, p->ch[i], &push, &seqno);
		if (!ret)
			ret = wait_job(g, p->ch[i], seqno, JOB_TIMEOUT_NS, &done);
		if (ret || !done || done < t0) {
			fprintf(stderr, "%s: GPU%d: %s\n", m->cmd, i,
				ret ? errno_name(-ret) : "no release time, or one before SUBMIT");
			return CELL_FAIL;
		}
		total += done - t0;
	}
	return total / 1000.0 / m->iters;
}

/* Cells (i, j) of the write and (when rd) read matrices for j != i: i's
 * buffers a (source) and b (destination), j's VRAM imported. */
static void measure_peer(struct p2p *p, int i, int j, struct mem *a, struct mem *b,
			 const struct measure *m, double *wr, double *rd)
{
	struct peer_buf pb;
	struct side sa = side_of(a, 0), sb = side_of(b, 0), sp;
	const char *what;
	int ret;

	ret = peer_buf_get(p, i, j, m->size, &pb, &what);
	if (ret) {
		*wr = ret == -EHOSTUNREACH && !strcmp(what, "BO_PEER") ? CELL_NONE : CELL_FAIL;
		if (*wr == CELL_FAIL)
			fprintf(stderr, "%s: GPU%d->GPU%d: %s: %s\n", m->cmd, i, j, what,
				errno_name(-ret));
		if (rd)
			*rd = *wr;
		return;
	}
	sp = side_of(&pb.peer, 0);
	*wr = m->fn(p, i, &sa, &sp, m);
	if (rd)
		*rd = m->fn(p, i, &sp, &sb, m);
	peer_buf_put(p, i, j, &pb);
}

/* Row i of the matrices: the diagonal is a copy within i's VRAM. */
static void measure_row(struct p2p *p, int i, const struct measure *m, double *wr, double *rd)
{
	struct mem a = { 0 }, b = { 0 };
	int j, ret;

	ret = mem_alloc(&p->g[i], &a, MEM_VRAM, m->size);
	if (!ret)
		ret = mem_alloc(&p->g[i], &b, MEM_VRAM, m->size);
	for (j = 0; j < p->n; j++) {
		if (ret) {
			wr[j] = CELL_FAIL;
		} else if (j == i) {
			struct side sa = side_of(&a, 0), sb = side_of(&b, 0);

			wr[j] = m->fn(p, i, &sa, &sb, m);
		} else {
			measure_peer(p, i, j, &a, &b, m, &wr[j], rd ? &rd[j] : NULL);
			continue;
		}
		if (rd)
			rd[j] = wr[j];
	}
	if (ret)
		fprintf(stderr, "%s: GPU%d: VRAM BOs of %llu B: %s\n", m->cmd, i,
			(unsigned long long)m->size, errno_name(-ret));
	mem_free(&p->g[i], &a);
	mem_free(&p->g[i], &b);
}

static const char *cell_text(double v, char *buf, size_t len)
{
	if (v == CELL_NONE)
		return "-";
	if (v < 0)
		return "FAIL";
	snprintf(buf, len, "%.2f", v);
	return buf;
}

/*
 * "CMD: TITLE", a column header and one row per GPU, fixed-width:
 *   p2p-bw: D\D          GPU0      GPU1
 *   p2p-bw: GPU0       123.45     24.81
 * 1 if a cell is FAIL.
 */
static int print_matrix(const char *cmd, const char *title, int n, const double *cell)
{
	char name[16], buf[32];
	int i, j, failed = 0;

	printf("%s: %s\n", cmd, title);
	printf("%s: %-7s", cmd, "D\\D");
	for (j = 0; j < n; j++) {
		snprintf(name, sizeof(name), "GPU%d", j);
		printf(" %9s", name);
	}
	printf("\n");
	for (i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "GPU%d", i);
		printf("%s: %-7s", cmd, name);
		for (j = 0; j < n; j++) {
			printf(" %9s", cell_text(cell[i * n + j], buf, sizeof(buf)));
			failed |= cell[i * n + j] == CELL_FAIL;
		}
		printf("\n");
	}
	fflush(stdout);
	return failed;
}

int p2p_bw(const struct gpu_desc *d, int n, uint64_t size, int iters)
{
	static double wr[MAX_GPUS * MAX_GPUS], rd[MAX_GPUS * MAX_GPUS];
	struct measure m = { "p2p-bw", size, iters > MAX_ITERS ? MAX_ITERS : iters, measure_bw };
	static struct p2p p;
	char title[128];
	int i, failed;

	if (p2p_open(&p, d, n, m.cmd))
		return 1;
	for (i = 0; i < n; i++)
		measure_row(&p, i, &m, &wr[i * n], &rd[i * n]);
	snprintf(title, sizeof(title), "write GB/s (row writes column's VRAM), %llu B, median of %d",
		 (unsigned long long)size, m.iters);
	failed = print_matrix(m.cmd, title, n, wr);
	snprintf(title, sizeof(title), "read GB/s (row reads column's VRAM), %llu B, median of %d",
		 (unsigned long long)size, m.iters);
	failed |= print_matrix(m.cmd, title, n, rd);
	p2p_close(&p);
	return failed;
}

int p2p_lat(const struct gpu_desc *d, int n, int iters)
{
	static double lat[MAX_GPUS * MAX_GPUS];
	struct measure m = { "p2p-lat", 4, iters, measure_lat };
	static struct p2p p;
	char title[128];
	int i, failed;

	if (p2p_open(&p, d, n, m.cmd))
		return 1;
	for (i = 0; i < n; i++) {
		if (!p.g[i].usermode) {
			fprintf(stderr, "p2p-lat: GPU%d: no device clock mapping (USERMODE)\n", i);
			p2p_close(&p);
			return 1;
		}
	}
	for (i = 0; i < n; i++)
		measure_row(&p, i, &m, &lat[i * n], NULL);
	snprintf(title, sizeof(title),
		 "write latency us (row writes column's VRAM), 4 B, submit to done, mean of %d",
		 iters);
	failed = print_matrix(m.cmd, title, n, lat);
	p2p_close(&p);
	return failed;
}
