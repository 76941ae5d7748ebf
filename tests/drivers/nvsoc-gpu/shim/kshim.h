/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Just enough of the kernel's headers to compile the driver's pushbuffer
 * validator (nvsoc_gpu_validate.c) as a host program: types, a few
 * macros, and the calls it makes (BO lookup, dev_dbg) bound to the test.
 */
#ifndef KSHIM_H
#define KSHIM_H

#include <linux/types.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef unsigned long long u64;
typedef int32_t s32;
typedef long long s64;
typedef uint64_t dma_addr_t;
typedef uint64_t phys_addr_t;
typedef uint64_t resource_size_t;

#define __iomem
#define __counted_by(x)
#define __printf(a, b) __attribute__((format(printf, a, b)))
#define BIT(n) (1UL << (n))
#define BIT_ULL(n) (1ULL << (n))
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define container_of(p, t, m) ((t *)((char *)(p) - offsetof(t, m)))
#define IS_ALIGNED(x, a) (((x) & ((__typeof__(x))(a) - 1)) == 0)
#define upper_32_bits(n) ((u32)(((n) >> 16) >> 16))
#define lower_32_bits(n) ((u32)((n) & 0xffffffff))
#define min(a, b) ((a) < (b) ? (a) : (b))
#define min3(a, b, c) min(min(a, b), c)
#define check_add_overflow(a, b, d) __builtin_add_overflow(a, b, d)
#define GFP_KERNEL 0

static inline void *kzalloc(size_t n, int flags)
{
	return calloc(1, n);
}

#define kfree free

struct list_head {
	struct list_head *next, *prev;
};

struct mutex {
	int unused;
};

typedef struct {
	int unused;
} wait_queue_head_t;

typedef struct {
	long long counter;
} atomic64_t;

typedef struct {
	int counter;
} atomic_t;

struct sg_table {
	void *sgl;
	unsigned int nents, orig_nents;
};

struct drm_mm_node {
	u64 start, size;
};

struct drm_mm {
	int unused;
};

struct device {
	const char *name;
};

struct drm_device {
	struct device *dev;
};

struct drm_file {
	int unused;
};

struct drm_gem_object {
	struct drm_device *dev;
	int refs;
};

struct page;

enum dma_data_direction {
	DMA_BIDIRECTIONAL = 0,
	DMA_TO_DEVICE = 1,
	DMA_FROM_DEVICE = 2,
	DMA_NONE = 3,
};

static inline u32 readl(const volatile void *addr)
{
	return 0;
}

static inline void writel(u32 val, volatile void *addr)
{
}

struct va_format {
	const char *fmt;
	va_list *va;
};

/* The test's: */
struct drm_gem_object *drm_gem_object_lookup(struct drm_file *file, u32 handle);
void drm_gem_object_put(struct drm_gem_object *obj);
void shim_dbg(const char *fmt, ...);
#define dev_dbg(dev, fmt, ...) shim_dbg(fmt, ##__VA_ARGS__)

#endif /* KSHIM_H */
