// SPDX-License-Identifier: GPL-2.0-only
/*
 * nvsoc GPU accel driver: checking a user pushbuffer, and rebuilding it.
 *
 * The device has no MMU: a copy engine writes wherever its OFFSET_OUT says,
 * in VRAM or in system memory. A pushbuffer from user space is therefore
 * treated like vc4's or etnaviv's command streams on hardware without an
 * MMU: the kernel decodes every method, keeps the copy engine's and the
 * host's state as the device would, and checks each operation that
 * touches memory (LAUNCH_DMA, semaphore acquire and release) against the
 * BOs the submission's relocations name.
 *
 * What the device then runs is not the user's dwords but the kernel's
 * rebuild of them: at each operation the kernel writes out the complete
 * state it checked (addresses from the relocations, pitches, lengths,
 * modes) followed by the operation. So the device never sees a method
 * packing, a stale register or an address the kernel did not produce; and
 * a copy whose extent crosses the DMA segments of a scattered (userptr) BO
 * can be split into one copy per piece, which a device without an MMU
 * needs.
 *
 * Rules (user-visible; include/uapi/drm/nvsoc_gpu_accel.h):
 * - an address is a pair of methods (UPPER/LOWER, A/B) whose first data
 *   dword carries a relocation and whose second method follows at once;
 * - every value an operation uses must be set earlier in the same
 *   submission (nothing is inherited from an earlier job);
 * - copies are physical, pitch layout, transfer type pipelined or
 *   non-pipelined, interrupt none or non-blocking; each side's PHYS_MODE
 *   fits its BO (VRAM, system memory, or PEER with peer id 0 for a peer
 *   BO, whose slot the rebuild fills in); a remap is a fill (every
 *   destination component CONST_A or CONST_B) whose LINE_LENGTH_IN counts
 *   pixels of component size x component count; the source is bounded too,
 *   by its own pixel size, though a fill does not read it;
 * - semaphores live in system memory (the kernel sets every channel's
 *   semaphore aperture to coherent system memory), 4-byte aligned, 16 for
 *   16-byte releases; host semaphores below 2^40.
 * Every refusal is -EINVAL with one dev_dbg line naming the dword.
 */
#include <linux/overflow.h>
#include <linux/slab.h>

#include <drm/drm_file.h>
#include <drm/drm_gem.h>
#include <drm/drm_print.h>

#include "nvsoc_gpu_accel.h"
#include "nvsoc_gpu_drv.h"

/* A relocated address: a BO and a byte offset in it. */
struct nvsoc_gpu_addr {
	struct nvsoc_gpu_bo *bo;	/* NULL: not set in this submission */
	u64 offset;
};

/* What has been set, so that an operation can insist on it. */
#define HAVE_SRC_MODE		BIT(0)
#define HAVE_DST_MODE		BIT(1)
#define HAVE_PITCH_IN		BIT(2)
#define HAVE_PITCH_OUT		BIT(3)
#define HAVE_LINE_LENGTH	BIT(4)
#define HAVE_LINE_COUNT		BIT(5)
#define HAVE_REMAP_COMP		BIT(6)
#define HAVE_CE_SEM_PAYLOAD	BIT(7)
#define HAVE_HOST_SEM_PAYLOAD	BIT(8)

struct nvsoc_gpu_vctx {
	struct nvsoc_gpu_device *gdev;
	struct drm_file *file;
	struct nvsoc_gpu_push *out;
	const struct drm_nvsoc_gpu_reloc *relocs;
	u32 nr_relocs;
	u32 next_reloc;
	u32 dword;			/* the data dword being decoded */

	/* The second half of an address pair, when one is due. */
	u32 expect_method;
	unsigned int expect_subch;
	struct nvsoc_gpu_addr *expect_target;
	struct nvsoc_gpu_addr expect_value;

	/* The copy engine's state (copy subchannel) and the host's. */
	u32 have;
	struct nvsoc_gpu_addr src, dst, ce_sem, host_sem;
	u32 src_mode, dst_mode;
	u32 pitch_in, pitch_out, line_length, line_count;
	u32 remap_const_a, remap_const_b, remap_comp;
	u32 ce_sem_payload, host_sem_payload;
};

/* Every refusal: -EINVAL, and why, at dev_dbg (dyndbg). */
static __printf(2, 3) int refuse(struct nvsoc_gpu_vctx *ctx, const char *fmt, ...)
{
	struct va_format vaf;
	va_list args;

	va_start(args, fmt);
	vaf.fmt = fmt;
	vaf.va = &args;
	dev_dbg(ctx->gdev->bus.dev, "submit refused at dword %u: %pV\n", ctx->dword, &vaf);
	va_end(args);
	return -EINVAL;
}

void nvsoc_gpu_emit(struct nvsoc_gpu_push *out, unsigned int subch, u32 method,
		    unsigned int count, const u32 *data)
{
	if (out->len + 1 + count > out->cap) {
		out->overflow = true;
		return;
	}
	out->dw[out->len++] = NVSOC_GPU_METHOD_HEADER(NVSOC_GPU_SECOP_INC, subch, method, count);
	memcpy(&out->dw[out->len], data, count * sizeof(u32));
	out->len += count;
}

/* --- BOs and addresses ----------------------------------------------------- */

static int nvsoc_gpu_push_bo(struct nvsoc_gpu_vctx *ctx, u32 handle, struct nvsoc_gpu_bo **bo)
{
	struct nvsoc_gpu_push *out = ctx->out;
	struct drm_gem_object *obj;
	unsigned int i;

	for (i = 0; i < out->nr_bos; i++) {
		if (out->handles[i] == handle) {
			*bo = out->bos[i];
			return 0;
		}
	}
	if (out->nr_bos == NVSOC_GPU_MAX_JOB_BOS)
		return refuse(ctx, "more than %u BOs", NVSOC_GPU_MAX_JOB_BOS);
	obj = drm_gem_object_lookup(ctx->file, handle);
	if (!obj) {
		dev_dbg(ctx->gdev->bus.dev, "submit refused: no BO with handle %u\n", handle);
		return -ENOENT;
	}
	/* The job keeps this reference until it retires. */
	out->handles[out->nr_bos] = handle;
	out->bos[out->nr_bos++] = to_nvsoc_gpu_bo(obj);
	*bo = to_nvsoc_gpu_bo(obj);
	return 0;
}

/* The relocation on the current data dword, if any. */
static int nvsoc_gpu_take_reloc(struct nvsoc_gpu_vctx *ctx, struct nvsoc_gpu_addr *addr)
{
	const struct drm_nvsoc_gpu_reloc *r;
	int ret;

	addr->bo = NULL;
	if (ctx->next_reloc == ctx->nr_relocs)
		return 0;
	r = &ctx->relocs[ctx->next_reloc];
	if (r->dword < ctx->dword)
		return refuse(ctx, "relocation %u (dword %u) names no address method's data",
			      ctx->next_reloc, r->dword);
	if (r->dword != ctx->dword)
		return 0;
	ctx->next_reloc++;
	ret = nvsoc_gpu_push_bo(ctx, r->handle, &addr->bo);
	if (ret)
		return ret;
	if (addr->bo->kind == NVSOC_GPU_BO_KIND_USERMODE)
		return refuse(ctx, "BO %u is a register page, not memory", r->handle);
	if (r->offset > addr->bo->size)
		return refuse(ctx, "offset 0x%llx beyond BO %u (%llu bytes)", r->offset,
			      r->handle, addr->bo->size);
	addr->offset = r->offset;
	return 0;
}

/* The segment holding BO byte @off (which is below bo->size). */
static const struct nvsoc_gpu_seg *nvsoc_gpu_seg_of(const struct nvsoc_gpu_bo *bo, u64 off)
{
	unsigned int lo = 0, hi = bo->nr_segs;

	while (hi - lo > 1) {
		unsigned int mid = lo + (hi - lo) / 2;

		if (bo->segs[mid].offset <= off)
			lo = mid;
		else
			hi = mid;
	}
	return &bo->segs[lo];
}

static u64 nvsoc_gpu_dev_addr(const struct nvsoc_gpu_bo *bo, u64 off)
{
	const struct nvsoc_gpu_seg *seg = nvsoc_gpu_seg_of(bo, off);

	return seg->addr + (off - seg->offset);
}

/*
 * Bytes from @off to the end of its segment; 0 past the BO's end. Pieces
 * of a copy never exceed it, which bounds them a second time.
 */
static u64 nvsoc_gpu_seg_room(const struct nvsoc_gpu_bo *bo, u64 off)
{
	const struct nvsoc_gpu_seg *seg = nvsoc_gpu_seg_of(bo, off);

	if (off >= seg->offset + seg->len)
		return 0;
	return seg->offset + seg->len - off;
}

static bool nvsoc_gpu_is_sysmem(const struct nvsoc_gpu_bo *bo)
{
	return bo->kind == NVSOC_GPU_BO_KIND_SYSMEM || bo->kind == NVSOC_GPU_BO_KIND_USERPTR;
}

/* [a, a + len) inside its BO, and writable if @write. */
static int nvsoc_gpu_check_range(struct nvsoc_gpu_vctx *ctx, const struct nvsoc_gpu_addr *a,
				 u64 len, bool write, const char *what)
{
	if (len > a->bo->size || a->offset > a->bo->size - len)
		return refuse(ctx, "%s: 0x%llx bytes at offset 0x%llx overrun its BO (%llu bytes)",
			      what, len, a->offset, a->bo->size);
	if (write && a->bo->read_only)
		return refuse(ctx, "%s: the BO is read-only", what);
	return 0;
}

/* A semaphore: system memory, aligned, one segment, within @addr_bits. */
static int nvsoc_gpu_check_sem(struct nvsoc_gpu_vctx *ctx, const struct nvsoc_gpu_addr *a,
			       u32 size, bool write, unsigned int addr_bits, const char *what)
{
	u64 addr;
	int ret;

	if (!a->bo)
		return refuse(ctx, "%s: no semaphore address set", what);
	if (!nvsoc_gpu_is_sysmem(a->bo))
		return refuse(ctx, "%s: semaphores must be in system memory", what);
	ret = nvsoc_gpu_check_range(ctx, a, size, write, what);
	if (ret)
		return ret;
	if (nvsoc_gpu_seg_room(a->bo, a->offset) < size)
		return refuse(ctx, "%s: crosses a DMA segment boundary", what);
	/*
	 * The device address, not the offset, must be aligned: a user
	 * pointer, or a swiotlb bounce slot, need not start aligned.
	 */
	addr = nvsoc_gpu_dev_addr(a->bo, a->offset);
	if (!IS_ALIGNED(addr, size))
		return refuse(ctx, "%s: offset 0x%llx is not %u-byte aligned on the bus", what,
			      a->offset, size);
	if (addr + size > BIT_ULL(addr_bits))
		return refuse(ctx, "%s: address beyond %u bits", what, addr_bits);
	return 0;
}

/* --- Address pairs ------------------------------------------------------------ */

struct nvsoc_gpu_addr_pair {
	u32 first, second;
	const char *name;
};

static const struct nvsoc_gpu_addr_pair nvsoc_gpu_addr_pairs[] = {
	{ NVSOC_GPU_SEMAPHOREA, NVSOC_GPU_SEMAPHOREB, "SEMAPHOREA/B" },
	{ NVSOC_GPU_CE_OFFSET_IN_UPPER, NVSOC_GPU_CE_OFFSET_IN_LOWER, "OFFSET_IN" },
	{ NVSOC_GPU_CE_OFFSET_OUT_UPPER, NVSOC_GPU_CE_OFFSET_OUT_LOWER, "OFFSET_OUT" },
	{ NVSOC_GPU_CE_SET_SEMAPHORE_A, NVSOC_GPU_CE_SET_SEMAPHORE_B, "SET_SEMAPHORE" },
};

static struct nvsoc_gpu_addr *nvsoc_gpu_pair_target(struct nvsoc_gpu_vctx *ctx, u32 first)
{
	switch (first) {
	case NVSOC_GPU_SEMAPHOREA:
		return &ctx->host_sem;
	case NVSOC_GPU_CE_OFFSET_IN_UPPER:
		return &ctx->src;
	case NVSOC_GPU_CE_OFFSET_OUT_UPPER:
		return &ctx->dst;
	default:
		return &ctx->ce_sem;
	}
}

static const struct nvsoc_gpu_addr_pair *nvsoc_gpu_find_pair(u32 method)
{
	const struct nvsoc_gpu_addr_pair *p;

	for (p = nvsoc_gpu_addr_pairs; p < nvsoc_gpu_addr_pairs + ARRAY_SIZE(nvsoc_gpu_addr_pairs);
	     p++)
		if (method == p->first || method == p->second)
			return p;
	return NULL;
}

/* --- Host methods --------------------------------------------------------------- */

#define NVSOC_GPU_SEMAPHORED_KNOWN						\
	(NVSOC_GPU_SEMAPHORED_OP_MASK | NVSOC_GPU_SEMAPHORED_RELEASE_WFI_DIS |	\
	 NVSOC_GPU_SEMAPHORED_RELEASE_SIZE_4BYTE)

static int nvsoc_gpu_host_semaphore(struct nvsoc_gpu_vctx *ctx, u32 op)
{
	u64 addr;
	u32 size;
	int ret;

	if (op & ~NVSOC_GPU_SEMAPHORED_KNOWN)
		return refuse(ctx, "SEMAPHORED: unknown bits 0x%x",
			      op & ~NVSOC_GPU_SEMAPHORED_KNOWN);
	if (!(ctx->have & HAVE_HOST_SEM_PAYLOAD))
		return refuse(ctx, "SEMAPHORED: no SEMAPHOREC payload set");
	switch (op & NVSOC_GPU_SEMAPHORED_OP_MASK) {
	case NVSOC_GPU_SEMAPHORED_OP_ACQUIRE:
	case NVSOC_GPU_SEMAPHORED_OP_ACQ_GEQ:
		ret = nvsoc_gpu_check_sem(ctx, &ctx->host_sem, 4, false, NVSOC_GPU_HOST_ADDR_BITS,
					  "semaphore acquire");
		break;
	case NVSOC_GPU_SEMAPHORED_OP_RELEASE:
		size = op & NVSOC_GPU_SEMAPHORED_RELEASE_SIZE_4BYTE ? 4 : 16;
		ret = nvsoc_gpu_check_sem(ctx, &ctx->host_sem, size, true, NVSOC_GPU_HOST_ADDR_BITS,
					  "semaphore release");
		break;
	default:
		return refuse(ctx, "SEMAPHORED: operation %u not supported",
			      op & NVSOC_GPU_SEMAPHORED_OP_MASK);
	}
	if (ret)
		return ret;
	addr = nvsoc_gpu_dev_addr(ctx->host_sem.bo, ctx->host_sem.offset);
	nvsoc_gpu_emit(ctx->out, 0, NVSOC_GPU_SEMAPHOREA, 4,
		       (u32[]){ upper_32_bits(addr) & 0xff, lower_32_bits(addr) & ~3u,
				ctx->host_sem_payload, op });
	return 0;
}

static int nvsoc_gpu_host_method(struct nvsoc_gpu_vctx *ctx, unsigned int subch, u32 method,
				 u32 data)
{
	switch (method) {
	case NVSOC_GPU_SET_OBJECT:
		/*
		 * The kernel binds the copy class at the start of every job; a
		 * user stream that does so too (as nouveau's would) is let through.
		 */
		if (subch != NVSOC_GPU_COPY_SUBCH || (data & 0xffff) != NVSOC_GPU_COPY_CLASS)
			return refuse(ctx,
				      "SET_OBJECT 0x%x on subchannel %u: only the copy class on %u",
				      data, subch, NVSOC_GPU_COPY_SUBCH);
		return 0;
	case NVSOC_GPU_NOP:
		return 0;
	case NVSOC_GPU_SEMAPHOREC:
		ctx->host_sem_payload = data;
		ctx->have |= HAVE_HOST_SEM_PAYLOAD;
		return 0;
	case NVSOC_GPU_SEMAPHORED:
		return nvsoc_gpu_host_semaphore(ctx, data);
	case NVSOC_GPU_NON_STALL_INTERRUPT:
		nvsoc_gpu_emit(ctx->out, 0, NVSOC_GPU_NON_STALL_INTERRUPT, 1, (u32[]){ 0 });
		return 0;
	case NVSOC_GPU_WFI:
		if (data > 1)
			return refuse(ctx, "WFI 0x%x", data);
		nvsoc_gpu_emit(ctx->out, 0, NVSOC_GPU_WFI, 1, &data);
		return 0;
	}
	return refuse(ctx, "host method 0x%03x not allowed", method);
}

/* --- The copy engine ------------------------------------------------------------- */

#define NVSOC_GPU_LAUNCH_SEM_MASK	(3u << NVSOC_GPU_CE_LAUNCH_SEM_SHIFT)
#define NVSOC_GPU_LAUNCH_INTR_MASK	(3u << NVSOC_GPU_CE_LAUNCH_INTR_SHIFT)
#define NVSOC_GPU_LAUNCH_KNOWN							\
	(NVSOC_GPU_CE_LAUNCH_TRANSFER_MASK | NVSOC_GPU_CE_LAUNCH_FLUSH |	\
	 NVSOC_GPU_LAUNCH_SEM_MASK | NVSOC_GPU_LAUNCH_INTR_MASK |		\
	 NVSOC_GPU_CE_LAUNCH_SRC_PITCH | NVSOC_GPU_CE_LAUNCH_DST_PITCH |	\
	 NVSOC_GPU_CE_LAUNCH_MULTI_LINE | NVSOC_GPU_CE_LAUNCH_REMAP |		\
	 NVSOC_GPU_CE_LAUNCH_SRC_PHYSICAL | NVSOC_GPU_CE_LAUNCH_DST_PHYSICAL)
/* What must be set on a launch that copies: physical, pitch layout. */
#define NVSOC_GPU_LAUNCH_REQUIRED						\
	(NVSOC_GPU_CE_LAUNCH_SRC_PITCH | NVSOC_GPU_CE_LAUNCH_DST_PITCH |	\
	 NVSOC_GPU_CE_LAUNCH_SRC_PHYSICAL | NVSOC_GPU_CE_LAUNCH_DST_PHYSICAL)
/* The bits a piece of a split copy keeps only on the last piece. */
#define NVSOC_GPU_LAUNCH_ON_LAST						\
	(NVSOC_GPU_LAUNCH_SEM_MASK | NVSOC_GPU_LAUNCH_INTR_MASK | NVSOC_GPU_CE_LAUNCH_FLUSH)

#define NVSOC_GPU_REMAP_KNOWN	0x03337777u

/* Bytes per pixel on each side: 1 without remap. */
static int nvsoc_gpu_remap_pixels(struct nvsoc_gpu_vctx *ctx, u32 *src_px, u32 *dst_px)
{
	u32 c = ctx->remap_comp;
	u32 comp_size, num_src, num_dst, i;

	if (!(ctx->have & HAVE_REMAP_COMP))
		return refuse(ctx, "LAUNCH_DMA with REMAP: no SET_REMAP_COMPONENTS");
	if (c & ~NVSOC_GPU_REMAP_KNOWN)
		return refuse(ctx, "SET_REMAP_COMPONENTS: unknown bits 0x%x",
			      c & ~NVSOC_GPU_REMAP_KNOWN);
	comp_size = ((c >> NVSOC_GPU_CE_REMAP_COMPONENT_SIZE_SHIFT) & 3) + 1;
	num_src = ((c >> NVSOC_GPU_CE_REMAP_NUM_SRC_SHIFT) & 3) + 1;
	num_dst = ((c >> NVSOC_GPU_CE_REMAP_NUM_DST_SHIFT) & 3) + 1;
	/* The device takes a remap only as a fill (docs/gpu.md). */
	for (i = 0; i < num_dst; i++) {
		u32 sel = (c >> (NVSOC_GPU_CE_REMAP_DST_X_SHIFT + 4 * i)) & 7;

		if (sel != NVSOC_GPU_CE_REMAP_CONST_A && sel != NVSOC_GPU_CE_REMAP_CONST_B)
			return refuse(ctx,
				      "SET_REMAP_COMPONENTS: destination %u is %u, not CONST_A or CONST_B (only fills)",
				      i, sel);
	}
	*src_px = comp_size * num_src;
	*dst_px = comp_size * num_dst;
	return 0;
}

static int nvsoc_gpu_check_mode(struct nvsoc_gpu_vctx *ctx, u32 mode,
				const struct nvsoc_gpu_bo *bo, const char *what)
{
	bool vram = bo->kind == NVSOC_GPU_BO_KIND_VRAM;
	bool peer = bo->kind == NVSOC_GPU_BO_KIND_PEER;
	bool vram_mode = mode == NVSOC_GPU_APERTURE_VRAM;
	bool peer_mode = mode == NVSOC_GPU_APERTURE_PEER;

	if (vram != vram_mode || peer != peer_mode)
		return refuse(ctx, "%s: PHYS_MODE target %u does not fit a %s BO", what, mode,
			      vram ? "VRAM" : peer ? "peer" : "system-memory");
	return 0;
}

/* The PHYS_MODE the device gets: a peer BO's slot in the peer id field. */
static u32 nvsoc_gpu_hw_mode(u32 mode, const struct nvsoc_gpu_bo *bo)
{
	if (bo && bo->kind == NVSOC_GPU_BO_KIND_PEER)
		return mode | bo->peer_slot << NVSOC_GPU_CE_PHYS_MODE_PEER_ID_SHIFT;
	return mode;
}

/* Writes the state every launch of this LAUNCH_DMA shares. */
static void nvsoc_gpu_emit_launch_state(struct nvsoc_gpu_vctx *ctx, u32 flags)
{
	struct nvsoc_gpu_push *out = ctx->out;
	u32 sub = NVSOC_GPU_COPY_SUBCH;

	if ((flags & NVSOC_GPU_CE_LAUNCH_TRANSFER_MASK) != 0) {
		nvsoc_gpu_emit(out, sub, NVSOC_GPU_CE_SET_SRC_PHYS_MODE, 2,
			       (u32[]){ nvsoc_gpu_hw_mode(ctx->src_mode, ctx->src.bo),
					nvsoc_gpu_hw_mode(ctx->dst_mode, ctx->dst.bo) });
		if (flags & NVSOC_GPU_CE_LAUNCH_REMAP)
			nvsoc_gpu_emit(out, sub, NVSOC_GPU_CE_SET_REMAP_CONST_A, 3,
				       (u32[]){ ctx->remap_const_a, ctx->remap_const_b,
						ctx->remap_comp });
	}
	if (flags & NVSOC_GPU_LAUNCH_SEM_MASK) {
		u64 addr = nvsoc_gpu_dev_addr(ctx->ce_sem.bo, ctx->ce_sem.offset);

		nvsoc_gpu_emit(out, sub, NVSOC_GPU_CE_SET_SEMAPHORE_A, 3,
			       (u32[]){ upper_32_bits(addr) & 0x1ffff, lower_32_bits(addr),
					ctx->ce_sem_payload });
	}
}

static void nvsoc_gpu_emit_copy(struct nvsoc_gpu_vctx *ctx, u64 src, u64 dst, u32 pitch_in,
				u32 pitch_out, u32 line_length, u32 line_count, u32 flags)
{
	nvsoc_gpu_emit(ctx->out, NVSOC_GPU_COPY_SUBCH, NVSOC_GPU_CE_OFFSET_IN_UPPER, 8,
		       (u32[]){ upper_32_bits(src), lower_32_bits(src), upper_32_bits(dst),
				lower_32_bits(dst), pitch_in, pitch_out, line_length,
				line_count });
	nvsoc_gpu_emit(ctx->out, NVSOC_GPU_COPY_SUBCH, NVSOC_GPU_CE_LAUNCH_DMA, 1, &flags);
}

/*
 * A copy over scattered memory: every line, cut where either side reaches
 * the end of a DMA segment, each piece one single-line launch. A pixel
 * (remap) must not straddle a boundary.
 */
static int nvsoc_gpu_emit_split(struct nvsoc_gpu_vctx *ctx, u32 flags, u32 lines,
				u32 src_px, u32 dst_px)
{
	u32 piece_flags = flags & ~(NVSOC_GPU_CE_LAUNCH_MULTI_LINE | NVSOC_GPU_LAUNCH_ON_LAST);
	u32 line;

	for (line = 0; line < lines; line++) {
		u64 src = ctx->src.offset + (u64)line * ctx->pitch_in;
		u64 dst = ctx->dst.offset + (u64)line * ctx->pitch_out;
		u32 left = ctx->line_length;

		while (left) {
			u64 room_src = nvsoc_gpu_seg_room(ctx->src.bo, src) / src_px;
			u64 room_dst = nvsoc_gpu_seg_room(ctx->dst.bo, dst) / dst_px;
			u32 n = min3((u64)left, room_src, room_dst);
			bool last = line == lines - 1 && n == left;

			if (!n)
				return refuse(ctx,
					      "a %u/%u-byte pixel straddles a DMA segment boundary",
					      src_px, dst_px);
			nvsoc_gpu_emit_copy(ctx, nvsoc_gpu_dev_addr(ctx->src.bo, src),
					    nvsoc_gpu_dev_addr(ctx->dst.bo, dst), 0, 0, n, 1,
					    last ? flags & ~NVSOC_GPU_CE_LAUNCH_MULTI_LINE :
						   piece_flags);
			if (ctx->out->overflow)
				return -E2BIG;
			src += (u64)n * src_px;
			dst += (u64)n * dst_px;
			left -= n;
		}
	}
	return 0;
}

/* Bytes a multi-line side covers: (lines - 1) * pitch + bytes per line. */
static int nvsoc_gpu_extent(struct nvsoc_gpu_vctx *ctx, u32 lines, u32 pitch, u64 bpl, u64 *ext)
{
	u64 span = (u64)(lines - 1) * pitch;

	if (check_add_overflow(span, bpl, ext))
		return refuse(ctx, "LAUNCH_DMA extent overflows");
	return 0;
}

static int nvsoc_gpu_launch(struct nvsoc_gpu_vctx *ctx, u32 flags)
{
	u32 transfer = flags & NVSOC_GPU_CE_LAUNCH_TRANSFER_MASK;
	u32 sem = (flags & NVSOC_GPU_LAUNCH_SEM_MASK) >> NVSOC_GPU_CE_LAUNCH_SEM_SHIFT;
	u32 intr = (flags & NVSOC_GPU_LAUNCH_INTR_MASK) >> NVSOC_GPU_CE_LAUNCH_INTR_SHIFT;
	bool multi = flags & NVSOC_GPU_CE_LAUNCH_MULTI_LINE;
	u32 src_px = 1, dst_px = 1, lines = 1;
	u64 src_ext, dst_ext;
	int ret;

	if (flags & ~NVSOC_GPU_LAUNCH_KNOWN)
		return refuse(ctx, "LAUNCH_DMA: unknown bits 0x%x",
			      flags & ~NVSOC_GPU_LAUNCH_KNOWN);
	if (transfer == 3)
		return refuse(ctx, "LAUNCH_DMA: transfer type 3");
	if (sem > NVSOC_GPU_CE_LAUNCH_SEM_FOUR_WORD)
		return refuse(ctx, "LAUNCH_DMA: semaphore type 3");
	if (intr != NVSOC_GPU_CE_LAUNCH_INTR_NONE && intr != NVSOC_GPU_CE_LAUNCH_INTR_NON_BLOCKING)
		return refuse(ctx,
			      "LAUNCH_DMA: interrupt type %u (only none or non-blocking)",
			      intr);
	if (sem != NVSOC_GPU_CE_LAUNCH_SEM_NONE) {
		u32 size = sem == NVSOC_GPU_CE_LAUNCH_SEM_ONE_WORD ? 4 : 16;

		if (!(ctx->have & HAVE_CE_SEM_PAYLOAD))
			return refuse(ctx, "LAUNCH_DMA semaphore: no SET_SEMAPHORE_PAYLOAD");
		ret = nvsoc_gpu_check_sem(ctx, &ctx->ce_sem, size, true, NVSOC_GPU_CE_SEM_ADDR_BITS,
					  "LAUNCH_DMA semaphore");
		if (ret)
			return ret;
	}
	if (transfer == 0) {
		/* Only a semaphore and/or an interrupt. */
		nvsoc_gpu_emit_launch_state(ctx, flags);
		nvsoc_gpu_emit(ctx->out, NVSOC_GPU_COPY_SUBCH, NVSOC_GPU_CE_LAUNCH_DMA, 1, &flags);
		return 0;
	}

	if ((flags & NVSOC_GPU_LAUNCH_REQUIRED) != NVSOC_GPU_LAUNCH_REQUIRED)
		return refuse(ctx, "LAUNCH_DMA: copies must be physical with pitch layout");
	if (!ctx->src.bo || !ctx->dst.bo)
		return refuse(ctx, "LAUNCH_DMA: OFFSET_IN or OFFSET_OUT not set");
	if ((ctx->have & (HAVE_SRC_MODE | HAVE_DST_MODE)) != (HAVE_SRC_MODE | HAVE_DST_MODE))
		return refuse(ctx, "LAUNCH_DMA: SET_SRC/DST_PHYS_MODE not set");
	if (!(ctx->have & HAVE_LINE_LENGTH) || !ctx->line_length)
		return refuse(ctx, "LAUNCH_DMA: no LINE_LENGTH_IN");
	if (multi) {
		if ((ctx->have & (HAVE_LINE_COUNT | HAVE_PITCH_IN | HAVE_PITCH_OUT)) !=
		    (HAVE_LINE_COUNT | HAVE_PITCH_IN | HAVE_PITCH_OUT))
			return refuse(ctx, "LAUNCH_DMA multi-line: LINE_COUNT, PITCH_IN/OUT unset");
		if (!ctx->line_count)
			return refuse(ctx, "LAUNCH_DMA multi-line: LINE_COUNT 0");
		lines = ctx->line_count;
	}
	if (flags & NVSOC_GPU_CE_LAUNCH_REMAP) {
		ret = nvsoc_gpu_remap_pixels(ctx, &src_px, &dst_px);
		if (ret)
			return ret;
	}
	ret = nvsoc_gpu_check_mode(ctx, ctx->src_mode, ctx->src.bo, "source");
	if (!ret)
		ret = nvsoc_gpu_check_mode(ctx, ctx->dst_mode, ctx->dst.bo, "destination");
	if (!ret)
		ret = nvsoc_gpu_extent(ctx, lines, ctx->pitch_in, (u64)ctx->line_length * src_px,
				       &src_ext);
	if (!ret)
		ret = nvsoc_gpu_extent(ctx, lines, ctx->pitch_out, (u64)ctx->line_length * dst_px,
				       &dst_ext);
	if (!ret)
		ret = nvsoc_gpu_check_range(ctx, &ctx->src, src_ext, false, "LAUNCH_DMA source");
	if (!ret)
		ret = nvsoc_gpu_check_range(ctx, &ctx->dst, dst_ext, true,
					    "LAUNCH_DMA destination");
	if (ret)
		return ret;

	nvsoc_gpu_emit_launch_state(ctx, flags);
	/* Each side in one DMA segment: the launch as checked. */
	if (nvsoc_gpu_seg_room(ctx->src.bo, ctx->src.offset) >= src_ext &&
	    nvsoc_gpu_seg_room(ctx->dst.bo, ctx->dst.offset) >= dst_ext) {
		nvsoc_gpu_emit_copy(ctx, nvsoc_gpu_dev_addr(ctx->src.bo, ctx->src.offset),
				    nvsoc_gpu_dev_addr(ctx->dst.bo, ctx->dst.offset),
				    multi ? ctx->pitch_in : 0, multi ? ctx->pitch_out : 0,
				    ctx->line_length, lines, flags);
		return 0;
	}
	return nvsoc_gpu_emit_split(ctx, flags, lines, src_px, dst_px);
}

static int nvsoc_gpu_phys_mode(struct nvsoc_gpu_vctx *ctx, u32 data, u32 *mode, u32 have)
{
	/* A peer's id is the kernel's to fill in (from the peer BO's slot). */
	if (data > NVSOC_GPU_APERTURE_PEER)
		return refuse(ctx, "PHYS_MODE 0x%x: bits beyond the aperture (peer id 0)", data);
	*mode = data;
	ctx->have |= have;
	return 0;
}

static int nvsoc_gpu_copy_method(struct nvsoc_gpu_vctx *ctx, u32 method, u32 data)
{
	switch (method) {
	case NVSOC_GPU_CE_NOP:
		return 0;
	case NVSOC_GPU_CE_SET_SEMAPHORE_PAYLOAD:
		ctx->ce_sem_payload = data;
		ctx->have |= HAVE_CE_SEM_PAYLOAD;
		return 0;
	case NVSOC_GPU_CE_SET_SRC_PHYS_MODE:
		return nvsoc_gpu_phys_mode(ctx, data, &ctx->src_mode, HAVE_SRC_MODE);
	case NVSOC_GPU_CE_SET_DST_PHYS_MODE:
		return nvsoc_gpu_phys_mode(ctx, data, &ctx->dst_mode, HAVE_DST_MODE);
	case NVSOC_GPU_CE_LAUNCH_DMA:
		return nvsoc_gpu_launch(ctx, data);
	case NVSOC_GPU_CE_PITCH_IN:
		ctx->pitch_in = data;
		ctx->have |= HAVE_PITCH_IN;
		return 0;
	case NVSOC_GPU_CE_PITCH_OUT:
		ctx->pitch_out = data;
		ctx->have |= HAVE_PITCH_OUT;
		return 0;
	case NVSOC_GPU_CE_LINE_LENGTH_IN:
		ctx->line_length = data;
		ctx->have |= HAVE_LINE_LENGTH;
		return 0;
	case NVSOC_GPU_CE_LINE_COUNT:
		ctx->line_count = data;
		ctx->have |= HAVE_LINE_COUNT;
		return 0;
	case NVSOC_GPU_CE_SET_REMAP_CONST_A:
		ctx->remap_const_a = data;
		return 0;
	case NVSOC_GPU_CE_SET_REMAP_CONST_B:
		ctx->remap_const_b = data;
		return 0;
	case NVSOC_GPU_CE_SET_REMAP_COMPONENTS:
		ctx->remap_comp = data;
		ctx->have |= HAVE_REMAP_COMP;
		return 0;
	}
	return refuse(ctx, "copy method 0x%03x not allowed", method);
}

/* --- The decoder ------------------------------------------------------------------ */

static int nvsoc_gpu_method(struct nvsoc_gpu_vctx *ctx, unsigned int subch, u32 method,
			    u32 data, bool immediate)
{
	const struct nvsoc_gpu_addr_pair *pair;
	struct nvsoc_gpu_addr reloc = { };
	int ret;

	/* A relocation names a data dword, never an immediate's header. */
	if (!immediate) {
		ret = nvsoc_gpu_take_reloc(ctx, &reloc);
		if (ret)
			return ret;
	}

	/* The second half of an address pair is due now, and only now. */
	if (ctx->expect_target) {
		if (method != ctx->expect_method || subch != ctx->expect_subch)
			return refuse(ctx,
				      "method 0x%03x where 0x%03x (the address's lower half) is due",
				      method, ctx->expect_method);
		if (reloc.bo)
			return refuse(ctx, "relocation on an address's lower half");
		*ctx->expect_target = ctx->expect_value;
		ctx->expect_target = NULL;
		return 0;
	}

	if (method >= NVSOC_GPU_HOST_METHODS_END && subch != NVSOC_GPU_COPY_SUBCH)
		return refuse(ctx,
			      "method 0x%03x on subchannel %u: the copy class is on %u",
			      method, subch, NVSOC_GPU_COPY_SUBCH);

	pair = nvsoc_gpu_find_pair(method);
	if (pair) {
		if (method == pair->second)
			return refuse(ctx, "%s: the second method without the first just before",
				      pair->name);
		if (!reloc.bo)
			return refuse(ctx, "%s without a relocation", pair->name);
		ctx->expect_method = pair->second;
		ctx->expect_subch = subch;
		ctx->expect_target = nvsoc_gpu_pair_target(ctx, pair->first);
		ctx->expect_value = reloc;
		return 0;
	}
	if (reloc.bo)
		return refuse(ctx, "relocation on method 0x%03x, which holds no address", method);

	if (method < NVSOC_GPU_HOST_METHODS_END)
		return nvsoc_gpu_host_method(ctx, subch, method, data);
	return nvsoc_gpu_copy_method(ctx, method, data);
}

static int nvsoc_gpu_decode(struct nvsoc_gpu_vctx *ctx, const u32 *push, u32 n)
{
	u32 i = 0;
	int ret;

	while (i < n) {
		u32 hdr = push[i];
		u32 secop = hdr >> NVSOC_GPU_METHOD_SECOP_SHIFT;
		u32 count = (hdr >> NVSOC_GPU_METHOD_COUNT_SHIFT) & NVSOC_GPU_METHOD_COUNT_MASK;
		unsigned int subch = (hdr >> NVSOC_GPU_METHOD_SUBCH_SHIFT) & 7;
		u32 method = (hdr & NVSOC_GPU_METHOD_ADDRESS_MASK) << 2;
		u32 k;

		ctx->dword = i++;
		/* An all-zero header is a no-op for the device; so it is here. */
		if (!hdr)
			continue;
		if (hdr & BIT(12))
			return refuse(ctx, "header 0x%08x: bit 12 set", hdr);
		switch (secop) {
		case NVSOC_GPU_SECOP_IMMD:
			ret = nvsoc_gpu_method(ctx, subch, method, count, true);
			if (ret)
				return ret;
			continue;
		case NVSOC_GPU_SECOP_INC:
		case NVSOC_GPU_SECOP_NON_INC:
		case NVSOC_GPU_SECOP_ONE_INC:
			break;
		default:
			return refuse(ctx, "header 0x%08x: SEC_OP %u not supported", hdr, secop);
		}
		if (count > n - i)
			return refuse(ctx, "header 0x%08x: %u data dwords, %u left", hdr,
				      count, n - i);
		for (k = 0; k < count; k++) {
			u32 m = method;

			if (secop == NVSOC_GPU_SECOP_INC)
				m += 4 * k;
			else if (secop == NVSOC_GPU_SECOP_ONE_INC && k)
				m += 4;
			ctx->dword = i + k;
			ret = nvsoc_gpu_method(ctx, subch, m, push[i + k], false);
			if (ret)
				return ret;
			if (ctx->out->overflow)
				return -E2BIG;
		}
		i += count;
	}
	ctx->dword = n;
	if (ctx->expect_target)
		return refuse(ctx, "the pushbuffer ends inside an address pair");
	if (ctx->next_reloc != ctx->nr_relocs)
		return refuse(ctx, "relocation %u (dword %u) names no address method's data",
			      ctx->next_reloc, ctx->relocs[ctx->next_reloc].dword);
	return ctx->out->overflow ? -E2BIG : 0;
}

/**
 * nvsoc_gpu_validate - check a user pushbuffer and rebuild it
 * @gdev: the device
 * @file: whose BO handles the relocations name
 * @push: the user's method dwords (a kernel copy)
 * @nr_dwords: how many
 * @relocs: the relocations, by increasing dword (a kernel copy)
 * @nr_relocs: how many
 * @out: receives the rebuilt methods (out->dw, out->cap set by the caller)
 *       and the BOs they use, each with a reference the caller drops
 *
 * Return: 0, -EINVAL (refused, with a dev_dbg reason), -ENOENT (unknown
 * handle) or -E2BIG (the rebuilt job does not fit in out->cap).
 */
int nvsoc_gpu_validate(struct nvsoc_gpu_device *gdev, struct drm_file *file,
		       const u32 *push, u32 nr_dwords,
		       const struct drm_nvsoc_gpu_reloc *relocs, u32 nr_relocs,
		       struct nvsoc_gpu_push *out)
{
	struct nvsoc_gpu_vctx *ctx;
	u32 i;
	int ret;

	ctx = kzalloc(sizeof(*ctx), GFP_KERNEL);
	if (!ctx)
		return -ENOMEM;
	ctx->gdev = gdev;
	ctx->file = file;
	ctx->out = out;
	ctx->relocs = relocs;
	ctx->nr_relocs = nr_relocs;
	for (i = 1; i < nr_relocs; i++) {
		if (relocs[i].dword <= relocs[i - 1].dword) {
			ctx->dword = relocs[i].dword;
			ret = refuse(ctx, "relocations not in increasing dword order");
			goto out;
		}
	}
	ret = nvsoc_gpu_decode(ctx, push, nr_dwords);
	if (ret == -E2BIG)
		dev_dbg(gdev->bus.dev, "submit refused: more than %u dwords once rebuilt\n",
			out->cap);
out:
	kfree(ctx);
	return ret;
}
