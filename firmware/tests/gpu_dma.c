/* A bare-metal driver for the `gpu` endpoint (configs/gpu.yaml), on hart 0
 * in M-mode: the platform test of the GPU issue.
 *  1. enumeration by hand through ECAM: the root port's bus numbers and
 *     windows, the GPU's BARs, Bus Master Enable, Max_Payload_Size 256 and
 *     Max_Read_Request_Size 512 on both ends; waits for the link;
 *  2. MSI-X: vector 0 (faults) and vector 1 (channel 0's non-stall interrupt)
 *     into hart 0's machine-level IMSIC file;
 *  3. channel 0: a GPFIFO ring, pushbuffers and a fault buffer in DRAM, the
 *     copy class bound on subchannel 4, as nouveau binds it;
 *  4. copies: host to VRAM and back at several sizes with every word
 *     checked, a 2-D pitch copy, a constant fill, a host semaphore acquire
 *     released by the hart, a 16-byte semaphore release with its timestamp;
 *  5. bandwidth: host-to-device and device-to-host copies of 16 and 64 MiB,
 *     timed by the copy engine's own semaphore timestamp from the doorbell,
 *     must lie within 3 % of what the negotiated link gives for 256-byte
 *     TLPs (docs/pcie.md, "TLP timing"; the figures go in
 *     docs/performance.md);
 *  6. a bad method faults the channel: a fault record, vector 0, the
 *     channel reset, and the next copy passes.
 * The register layout is models/gpu/nvsoc_gpu_hw.h. */
#include "nvsoc_gpu_hw.h"
#include "nvsoc_test.h"

/* ---- the platform (configs/gpu.yaml) ---- */
#define ECAM 0x30000000UL
#define MMIO32 0x40000000UL  /* the host's 32-bit window: BAR0 */
#define MMIO64 0x400000000UL /* its 64-bit window: BAR1 */
#define IMSIC_M 0x24000000UL /* hart 0's machine-level file */
#define RP_DEV 1             /* the root port 00:01.0 */
#define GPU_BUS 1

/* ---- DRAM the test uses (the image lives in the first 128 MiB) ---- */
#define FAULT_BUF 0x88000000UL
#define RING 0x88010000UL
#define SEMA 0x88030000UL    /* semaphores */
#define PUSHBUF 0x88100000UL /* 64 KiB per ring entry: reused a ring later */
#define SRC 0x90000000UL
#define DST 0x94000000UL
#define MAX_COPY (64UL << 20)

#define RING_LOG2 6
#define SUBCH_COPY 4
#define MSI_FAULT 1 /* IMSIC identities */
#define MSI_CH0 2

/* ---- PCI configuration space ---- */
static unsigned long cfg_addr(unsigned bus, unsigned dev, unsigned off) {
    return ECAM + ((unsigned long)bus << 20) + ((unsigned long)dev << 15) + off;
}
static uint32_t cfg_read32(unsigned bus, unsigned dev, unsigned off) {
    return mmio_read32(cfg_addr(bus, dev, off));
}
static void cfg_write32(unsigned bus, unsigned dev, unsigned off, uint32_t v) {
    mmio_write32(cfg_addr(bus, dev, off), v);
}
static uint16_t cfg_read16(unsigned bus, unsigned dev, unsigned off) {
    return *(volatile uint16_t *)cfg_addr(bus, dev, off);
}
static void cfg_write16(unsigned bus, unsigned dev, unsigned off, uint16_t v) {
    *(volatile uint16_t *)cfg_addr(bus, dev, off) = v;
}
static unsigned find_cap(unsigned bus, unsigned dev, unsigned id) {
    unsigned p = cfg_read32(bus, dev, 0x34) & 0xfc;
    for (int n = 0; p && n < 48; ++n) {
        uint32_t h = cfg_read32(bus, dev, p);
        if ((h & 0xff) == id) return p;
        p = (h >> 8) & 0xfc;
    }
    return 0;
}
/* Device Control: Max_Payload_Size 256 (1), Max_Read_Request_Size 512 (2). */
static void set_payload_sizes(unsigned bus, unsigned dev) {
    unsigned pcie = find_cap(bus, dev, 0x10);
    CHECK(pcie != 0);
    uint16_t dc = cfg_read16(bus, dev, pcie + 8);
    dc = (uint16_t)((dc & ~(7u << 5) & ~(7u << 12)) | (1u << 5) | (2u << 12));
    cfg_write16(bus, dev, pcie + 8, dc);
}

/* ---- the GPU's registers ---- */
#define BAR0 MMIO32
static uint32_t rd(unsigned off) { return mmio_read32(BAR0 + off); }
static void wr(unsigned off, uint32_t v) { mmio_write32(BAR0 + off, v); }
static uint64_t gpu_time_ns(void) {
    for (;;) {
        uint32_t hi = rd(NVSOC_GPU_USERMODE + NVSOC_GPU_USERMODE_TIME_HI);
        uint32_t lo = rd(NVSOC_GPU_USERMODE + NVSOC_GPU_USERMODE_TIME_LO);
        if (rd(NVSOC_GPU_USERMODE + NVSOC_GPU_USERMODE_TIME_HI) == hi)
            return (uint64_t)hi << 32 | lo;
    }
}

/* ---- the IMSIC file: the GPU's MSI-X messages ---- */
#define EIDELIVERY 0x70
#define EITHRESHOLD 0x72
#define EIE0 0xc0
static void imsic_setup(void) {
    csrw_n(CSR_MISELECT, EIDELIVERY);
    csrw_n(CSR_MIREG, 1);
    csrw_n(CSR_MISELECT, EITHRESHOLD);
    csrw_n(CSR_MIREG, 0);
    csrw_n(CSR_MISELECT, EIE0);
    csrw_n(CSR_MIREG, (1UL << MSI_FAULT) | (1UL << MSI_CH0));
    csr_set(mie, MIP_MEIP);
}
/* Waits (wfi with MIE clear: the pending bit wakes the hart) for the next
 * message and returns its identity, claimed. */
static unsigned wait_msi(void) {
    unsigned long deadline = nvsoc_deadline(NVSOC_US(200000));
    while (!(csr_read(mip) & MIP_MEIP)) {
        if (nvsoc_expired(deadline)) {
            uart_puts("gpu_dma: no MSI\n");
            fail(NVSOC_FAIL_TIMEOUT);
        }
        __asm__ volatile("wfi");
    }
    unsigned long topei;
    __asm__ volatile("csrrw %0, %1, zero" : "=r"(topei) : "i"(CSR_MTOPEI) : "memory");
    return (unsigned)(topei >> 16);
}

/* ---- a pushbuffer being written ---- */
static volatile uint32_t *pb;
static unsigned pb_len;
static unsigned gp_put;
static void method(unsigned subch, unsigned mthd, unsigned count, const uint32_t *data) {
    pb[pb_len++] = NVSOC_GPU_METHOD_HEADER(NVSOC_GPU_SECOP_INC, subch, mthd, count);
    for (unsigned i = 0; i < count; ++i)
        pb[pb_len++] = data[i];
}
static void method1(unsigned subch, unsigned mthd, uint32_t v) { method(subch, mthd, 1, &v); }

/* Hands the pushbuffer to channel 0: GP entry, GP_PUT, doorbell. Returns
 * the device time just before the doorbell. */
static uint64_t submit(void) {
    volatile uint32_t *entry = (volatile uint32_t *)(RING + 8UL * gp_put);
    uint64_t segment = (uint64_t)(uintptr_t)pb;
    entry[0] = (uint32_t)segment;
    entry[1] = (uint32_t)(segment >> 32) | ((uint32_t)pb_len << NVSOC_GPU_GP_ENTRY1_LENGTH_SHIFT);
    gp_put = (gp_put + 1) & ((1u << RING_LOG2) - 1);
    __asm__ volatile("fence w, o" ::: "memory");
    wr(NVSOC_GPU_USERD(0) + NVSOC_GPU_USERD_GP_PUT, gp_put);
    uint64_t t = gpu_time_ns();
    wr(NVSOC_GPU_USERMODE + NVSOC_GPU_USERMODE_DOORBELL, 0);
    return t;
}
static void pb_start(void) {
    pb = (volatile uint32_t *)(PUSHBUF + 0x10000UL * gp_put);
    pb_len = 0;
}

/* Waits for channel 0's non-stall message and acknowledges it. */
static void wait_nonstall(void) {
    CHECK_EQ(wait_msi(), MSI_CH0);
    CHECK_EQ(rd(NVSOC_GPU_NONSTALL_PENDING_LO) & 1, 1);
    wr(NVSOC_GPU_NONSTALL_PENDING_LO, 1);
}

struct copy {
    unsigned src_aperture, dst_aperture;
    uint64_t src, dst;
    uint32_t line, lines, pitch_in, pitch_out;
    int fill;
    uint32_t fill_value;
};
static uint32_t sem_payload = 0x1000;
/* One copy with a four-word semaphore release and a non-blocking interrupt;
 * returns its duration in device ns, doorbell to semaphore timestamp. */
static uint64_t run_copy(const struct copy *c) {
    volatile uint32_t *sem = (volatile uint32_t *)SEMA;
    uint32_t payload = ++sem_payload;
    pb_start();
    method1(SUBCH_COPY, NVSOC_GPU_CE_SET_SRC_PHYS_MODE, c->src_aperture);
    method1(SUBCH_COPY, NVSOC_GPU_CE_SET_DST_PHYS_MODE, c->dst_aperture);
    uint32_t offsets[8] = {(uint32_t)(c->src >> 32), (uint32_t)c->src, (uint32_t)(c->dst >> 32),
                           (uint32_t)c->dst, c->pitch_in, c->pitch_out, c->line, c->lines};
    method(SUBCH_COPY, NVSOC_GPU_CE_OFFSET_IN_UPPER, 8, offsets);
    uint32_t sema[3] = {(uint32_t)(SEMA >> 32), (uint32_t)SEMA, payload};
    method(SUBCH_COPY, NVSOC_GPU_CE_SET_SEMAPHORE_A, 3, sema);
    uint32_t launch = 2 /* NON_PIPELINED */ | NVSOC_GPU_CE_LAUNCH_SRC_PITCH |
                      NVSOC_GPU_CE_LAUNCH_DST_PITCH | NVSOC_GPU_CE_LAUNCH_SRC_PHYSICAL |
                      NVSOC_GPU_CE_LAUNCH_DST_PHYSICAL |
                      (NVSOC_GPU_CE_LAUNCH_SEM_FOUR_WORD << NVSOC_GPU_CE_LAUNCH_SEM_SHIFT) |
                      (NVSOC_GPU_CE_LAUNCH_INTR_NON_BLOCKING << NVSOC_GPU_CE_LAUNCH_INTR_SHIFT);
    if (c->lines > 1) launch |= NVSOC_GPU_CE_LAUNCH_MULTI_LINE;
    if (c->fill) {
        uint32_t remap[3] = {c->fill_value, 0,
                             NVSOC_GPU_CE_REMAP_CONST_A << NVSOC_GPU_CE_REMAP_DST_X_SHIFT |
                                 3u << NVSOC_GPU_CE_REMAP_COMPONENT_SIZE_SHIFT};
        method(SUBCH_COPY, NVSOC_GPU_CE_SET_REMAP_CONST_A, 3, remap);
        launch |= NVSOC_GPU_CE_LAUNCH_REMAP;
    }
    method1(SUBCH_COPY, NVSOC_GPU_CE_LAUNCH_DMA, launch);
    uint64_t start = submit();
    wait_nonstall();
    CHECK_EQ(sem[0], payload);
    uint64_t end = *(volatile uint64_t *)(SEMA + 8);
    CHECK(end > start);
    CHECK_EQ(rd(NVSOC_GPU_CH(0, NVSOC_GPU_CH_STATUS)) & NVSOC_GPU_CH_STATUS_FAULTED, 0);
    CHECK_EQ(rd(NVSOC_GPU_USERD(0) + NVSOC_GPU_USERD_GP_GET), gp_put);
    return end - start;
}
static uint64_t copy_1d(unsigned src_ap, uint64_t src, unsigned dst_ap, uint64_t dst,
                        uint32_t bytes) {
    struct copy c = {src_ap, dst_ap, src, dst, bytes, 1, 0, 0, 0, 0};
    return run_copy(&c);
}

/* ---- data ---- */
static inline uint64_t pattern(uint64_t seed, uint64_t i) {
    uint64_t x = (seed + i) * 0x9e3779b97f4a7c15ULL;
    return x ^ (x >> 29);
}
static inline void fill_pattern(uint64_t addr, uint64_t bytes, uint64_t seed) {
    volatile uint64_t *p = (volatile uint64_t *)addr;
    for (uint64_t i = 0; i < bytes / 8; ++i)
        p[i] = pattern(seed, i);
}
static inline void check_pattern(uint64_t addr, uint64_t bytes, uint64_t seed) {
    volatile uint64_t *p = (volatile uint64_t *)addr;
    for (uint64_t i = 0; i < bytes / 8; ++i)
        if (p[i] != pattern(seed, i)) {
            uart_puts("gpu_dma: word ");
            uart_put_dec((long)i);
            uart_puts(" of ");
            uart_put_hex(addr);
            uart_puts(" differs\n");
            CHECK_EQ(p[i], pattern(seed, i));
        }
}

/* ---- the link ---- */
static unsigned link_speed, link_width;
/* What the negotiated link carries of 256-byte payloads per second: the
 * per-lane rate after line coding times the lanes, each TLP paying a 3DW
 * header (12 bytes: every address here is below 4 GiB, and completions
 * always have one) and 8 bytes of framing (docs/pcie.md). Both directions
 * move data in such TLPs: memory writes (device to host) and the
 * completions of 512-byte reads (host to device). In MB/s. */
static unsigned long expected_mbps(void) {
    static const double gts[] = {0, 2.5, 5.0, 8.0, 16.0, 32.0};
    double code = link_speed <= 2 ? 8.0 / 10.0 : 128.0 / 130.0;
    double bytes_per_s = gts[link_speed] * 1e9 * code * link_width / 8.0;
    return (unsigned long)(bytes_per_s * 256.0 / (256.0 + 12.0 + 8.0) / 1e6);
}
static void check_bandwidth(const char *what, uint64_t bytes, uint64_t ns) {
    unsigned long mbps = (unsigned long)(bytes * 1000 / ns);
    unsigned long want = expected_mbps();
    long diff_permille = ((long)mbps - (long)want) * 1000 / (long)want;
    uart_puts("gpu_dma: ");
    uart_puts(what);
    uart_puts(" ");
    uart_put_dec((long)(bytes >> 20));
    uart_puts(" MiB: ");
    uart_put_dec((long)ns);
    uart_puts(" ns, ");
    uart_put_dec((long)mbps);
    uart_puts(" MB/s; the link gives ");
    uart_put_dec((long)want);
    uart_puts(" MB/s (");
    uart_put_dec(diff_permille);
    uart_puts(" per mille)\n");
    CHECK(diff_permille >= -30 && diff_permille <= 30);
}

static void enumerate(void) {
    /* The root port: bus 1 below it, the windows, memory and bus mastering. */
    CHECK((cfg_read32(0, RP_DEV, 0) & 0xffff) != 0xffff);
    cfg_write32(0, RP_DEV, 0x18, 0 | GPU_BUS << 8 | GPU_BUS << 16);
    cfg_write32(0, RP_DEV, 0x20, (uint32_t)((MMIO32 >> 16) | ((MMIO32 + 0xffffff) & 0xfff00000)));
    uint64_t pref_limit = MMIO64 + 0x3fffffffUL; /* 1 GiB: BAR1 at any ReBAR size used */
    cfg_write32(0, RP_DEV, 0x24,
                (uint32_t)(((MMIO64 >> 16) & 0xfff0) | 1 | (((pref_limit >> 16) & 0xfff0) | 1) << 16));
    cfg_write32(0, RP_DEV, 0x28, (uint32_t)(MMIO64 >> 32));
    cfg_write32(0, RP_DEV, 0x2c, (uint32_t)(pref_limit >> 32));
    cfg_write16(0, RP_DEV, 0x04, 0x6);
    set_payload_sizes(0, RP_DEV);

    /* The link trains on its own from reset; wait for Data Link Layer Link
     * Active (Link Status bit 13) on the root port. */
    unsigned rp_pcie = find_cap(0, RP_DEV, 0x10);
    CHECK(rp_pcie != 0);
    unsigned long deadline = nvsoc_deadline(NVSOC_US(500000));
    while (!(cfg_read16(0, RP_DEV, rp_pcie + 0x12) & (1u << 13))) {
        if (nvsoc_expired(deadline)) {
            uart_puts("gpu_dma: the link did not come up\n");
            fail(NVSOC_FAIL_TIMEOUT);
        }
        delay_ticks(NVSOC_US(100));
    }
    uint16_t lnksta = cfg_read16(0, RP_DEV, rp_pcie + 0x12);
    link_speed = lnksta & 0xf;
    link_width = (lnksta >> 4) & 0x3f;
    uart_puts("gpu_dma: link up at gen");
    uart_put_dec(link_speed);
    uart_puts(" x");
    uart_put_dec(link_width);
    uart_puts("\n");

    /* The GPU: its identity, BAR0 (16 MiB) and BAR1 (64-bit, prefetchable). */
    uint32_t id = cfg_read32(GPU_BUS, 0, 0);
    CHECK_EQ(id & 0xffff, NVSOC_GPU_PCI_VENDOR_ID);
    CHECK_EQ(id >> 16, NVSOC_GPU_PCI_DEVICE_ID);
    CHECK_EQ(cfg_read32(GPU_BUS, 0, 0x08) >> 8, NVSOC_GPU_PCI_CLASS);
    cfg_write32(GPU_BUS, 0, 0x10, 0xffffffff);
    CHECK_EQ(~(cfg_read32(GPU_BUS, 0, 0x10) & ~0xfu) + 1, NVSOC_GPU_BAR0_SIZE);
    cfg_write32(GPU_BUS, 0, 0x10, (uint32_t)MMIO32);
    CHECK_EQ(cfg_read32(GPU_BUS, 0, 0x14) & 0xf, 0xc); /* 64-bit, prefetchable */
    cfg_write32(GPU_BUS, 0, 0x14, (uint32_t)MMIO64);
    cfg_write32(GPU_BUS, 0, 0x18, (uint32_t)(MMIO64 >> 32));
    cfg_write16(GPU_BUS, 0, 0x04, 0x6);
    set_payload_sizes(GPU_BUS, 0);

    /* MSI-X: vector 0 and 1 into hart 0's machine-level file. */
    unsigned msix = find_cap(GPU_BUS, 0, 0x11);
    CHECK(msix != 0);
    uint32_t table = cfg_read32(GPU_BUS, 0, msix + 4);
    CHECK_EQ(table & 7, 0); /* in BAR0 */
    CHECK_EQ(table & ~7u, NVSOC_GPU_MSIX_TABLE);
    unsigned ids[2] = {MSI_FAULT, MSI_CH0};
    for (unsigned v = 0; v < 2; ++v) {
        unsigned long e = BAR0 + NVSOC_GPU_MSIX_TABLE + 16 * v;
        mmio_write32(e + 0, (uint32_t)IMSIC_M);
        mmio_write32(e + 4, (uint32_t)(IMSIC_M >> 32));
        mmio_write32(e + 8, ids[v]);
        mmio_write32(e + 12, 0);
    }
    uint16_t mc = cfg_read16(GPU_BUS, 0, msix + 2);
    CHECK_EQ((mc & 0x7ff) + 1, rd(NVSOC_GPU_MSIX_VECTORS));
    cfg_write16(GPU_BUS, 0, msix + 2, (uint16_t)((mc | 0x8000) & ~0x4000));
}

static void setup_engine(void) {
    CHECK_EQ(rd(NVSOC_GPU_IDENT), NVSOC_GPU_IDENT_VALUE);
    CHECK(rd(NVSOC_GPU_NUM_CHANNELS) >= 1);
    CHECK(rd(NVSOC_GPU_NUM_CES) >= 1);
    uint64_t vram = (uint64_t)rd(NVSOC_GPU_VRAM_SIZE_HI) << 32 | rd(NVSOC_GPU_VRAM_SIZE_LO);
    CHECK(vram >= 2 * MAX_COPY);
    wr(NVSOC_GPU_ENGINE_RESET, 1);
    wr(NVSOC_GPU_FAULT_BUF_LO, (uint32_t)FAULT_BUF);
    wr(NVSOC_GPU_FAULT_BUF_HI, (uint32_t)(FAULT_BUF >> 32));
    wr(NVSOC_GPU_FAULT_BUF_SIZE, 64);
    wr(NVSOC_GPU_FAULT_BUF_CTRL, NVSOC_GPU_FAULT_BUF_CTRL_ENABLE |
                                     NVSOC_GPU_APERTURE_SYSMEM_COHERENT
                                         << NVSOC_GPU_FAULT_BUF_CTRL_APERTURE_SHIFT);
    wr(NVSOC_GPU_INTR_EN_SET, NVSOC_GPU_INTR_FAULT | NVSOC_GPU_INTR_CHANNEL |
                                  NVSOC_GPU_INTR_NONSTALL | NVSOC_GPU_INTR_ECC);
    CHECK_EQ(rd(NVSOC_GPU_INTR_EN_CLEAR), 0xf);

    wr(NVSOC_GPU_CH(0, NVSOC_GPU_CH_GPFIFO_LO), (uint32_t)RING);
    wr(NVSOC_GPU_CH(0, NVSOC_GPU_CH_GPFIFO_HI), (uint32_t)(RING >> 32));
    wr(NVSOC_GPU_CH(0, NVSOC_GPU_CH_GPFIFO_LOG2), RING_LOG2);
    wr(NVSOC_GPU_CH(0, NVSOC_GPU_CH_APERTURE),
       NVSOC_GPU_APERTURE_SYSMEM_COHERENT << NVSOC_GPU_CH_APERTURE_GPFIFO_SHIFT |
           NVSOC_GPU_APERTURE_SYSMEM_COHERENT << NVSOC_GPU_CH_APERTURE_PB_SHIFT |
           NVSOC_GPU_APERTURE_SYSMEM_COHERENT << NVSOC_GPU_CH_APERTURE_SEM_SHIFT);
    wr(NVSOC_GPU_CH(0, NVSOC_GPU_CH_ENGINE), 0);
    CHECK_EQ(rd(NVSOC_GPU_CH(0, NVSOC_GPU_CH_INTR_VECTOR)), 1);
    wr(NVSOC_GPU_CH(0, NVSOC_GPU_CH_CTRL), NVSOC_GPU_CH_CTRL_ENABLE);
    gp_put = 0;

    /* Bind the copy class, then a NON_STALL_INTERRUPT of its own. */
    pb_start();
    method1(SUBCH_COPY, NVSOC_GPU_SET_OBJECT, NVSOC_GPU_COPY_CLASS);
    method1(0, NVSOC_GPU_NON_STALL_INTERRUPT, 0);
    submit();
    wait_nonstall();
}

#define VRAM_A 0x0UL
#define VRAM_B MAX_COPY
#define AP_VRAM NVSOC_GPU_APERTURE_VRAM
#define AP_SYS NVSOC_GPU_APERTURE_SYSMEM_COHERENT

#ifdef GPU_DMA_BENCH
/* gpu_bench (firmware/tests/gpu_bench.c, scripts/bench-gpu-dma.sh): one
 * 1 GiB copy each way, on a platform with 2 GiB of DRAM and VRAM. The
 * source is DRAM nobody wrote (zeros): the wall time is the device's and
 * the link's, not the guest's filling. */
int main(unsigned long hartid) {
    (void)hartid;
    imsic_setup();
    enumerate();
    setup_engine();
    uint64_t bytes = 1UL << 30;
    check_bandwidth("host to device", bytes, copy_1d(AP_SYS, SRC, AP_VRAM, VRAM_B, (uint32_t)bytes));
    check_bandwidth("device to host", bytes, copy_1d(AP_VRAM, VRAM_B, AP_SYS, SRC, (uint32_t)bytes));
    pass();
}
#else
/* Host to VRAM and back at one size, checked word by word. */
static void round_trip(uint32_t bytes, uint64_t seed) {
    fill_pattern(SRC, bytes, seed);
    fill_pattern(DST, bytes, ~seed); /* something else */
    copy_1d(AP_SYS, SRC, AP_VRAM, VRAM_A, bytes);
    copy_1d(AP_VRAM, VRAM_A, AP_SYS, DST, bytes);
    check_pattern(DST, bytes, seed);
}

static void pitch_copy_and_fill(void) {
    /* 2-D: 16 lines of 1000 bytes, source pitch 4096, destination pitch 1024. */
    fill_pattern(SRC, 16 * 4096, 7);
    volatile uint8_t *d = (volatile uint8_t *)DST;
    for (unsigned i = 0; i < 16 * 1024; ++i)
        d[i] = 0x5a;
    struct copy c = {AP_SYS, AP_SYS, SRC, DST, 1000, 16, 4096, 1024, 0, 0};
    run_copy(&c);
    volatile uint8_t *s = (volatile uint8_t *)SRC;
    for (unsigned line = 0; line < 16; ++line)
        for (unsigned i = 0; i < 1024; ++i)
            CHECK_EQ(d[line * 1024 + i], i < 1000 ? s[line * 4096 + i] : 0x5a);
    /* A fill: 1000 four-byte elements of a constant, and not one more. */
    volatile uint32_t *w = (volatile uint32_t *)DST;
    uint32_t beyond = w[1000];
    struct copy f = {AP_SYS, AP_SYS, 0, DST, 1000, 1, 0, 0, 1, 0xdeadbeef};
    run_copy(&f);
    for (unsigned i = 0; i < 1000; ++i)
        CHECK_EQ(w[i], 0xdeadbeef);
    CHECK_EQ(w[1000], beyond);
}

/* A host semaphore acquire holds the channel until the hart releases it. */
static void acquire(void) {
    volatile uint32_t *gate = (volatile uint32_t *)(SEMA + 0x100);
    volatile uint32_t *done = (volatile uint32_t *)(SEMA + 0x200);
    *gate = 0;
    *done = 0;
    pb_start();
    uint32_t acq[4] = {(uint32_t)((SEMA + 0x100) >> 32), (uint32_t)(SEMA + 0x100), 5,
                       NVSOC_GPU_SEMAPHORED_OP_ACQ_GEQ};
    method(0, NVSOC_GPU_SEMAPHOREA, 4, acq);
    uint32_t rel[4] = {(uint32_t)((SEMA + 0x200) >> 32), (uint32_t)(SEMA + 0x200), 77,
                       NVSOC_GPU_SEMAPHORED_OP_RELEASE | NVSOC_GPU_SEMAPHORED_RELEASE_SIZE_4BYTE};
    method(0, NVSOC_GPU_SEMAPHOREA, 4, rel);
    method1(0, NVSOC_GPU_NON_STALL_INTERRUPT, 0);
    submit();
    delay_ticks(NVSOC_US(50));
    CHECK_EQ(*done, 0);
    CHECK(rd(NVSOC_GPU_CH(0, NVSOC_GPU_CH_STATUS)) & NVSOC_GPU_CH_STATUS_ACQUIRING);
    *gate = 4; /* not yet: 4 - 5 < 0 */
    delay_ticks(NVSOC_US(300));
    CHECK_EQ(*done, 0);
    *gate = 6;
    wait_nonstall();
    CHECK_EQ(*done, 77);
}

/* A method the copy class does not have faults the channel. */
static void bad_method(void) {
    volatile uint32_t *rec = (volatile uint32_t *)FAULT_BUF;
    pb_start();
    method1(SUBCH_COPY, 0x0ffc, 1);
    submit();
    CHECK_EQ(wait_msi(), MSI_FAULT);
    CHECK(rd(NVSOC_GPU_INTR_STATUS) & NVSOC_GPU_INTR_FAULT);
    CHECK_EQ(rd(NVSOC_GPU_FAULT_BUF_PUT), 1);
    CHECK(rec[NVSOC_GPU_FAULT_W_VALID] & NVSOC_GPU_FAULT_VALID);
    uint32_t info = rec[NVSOC_GPU_FAULT_W_INFO];
    CHECK_EQ(info & NVSOC_GPU_FAULT_INFO_TYPE_MASK, NVSOC_GPU_FAULT_BAD_METHOD);
    CHECK_EQ((info >> NVSOC_GPU_FAULT_INFO_XID_SHIFT) & 0xff, NVSOC_GPU_XID_PBDMA_ERROR);
    CHECK_EQ(rec[NVSOC_GPU_FAULT_W_CHANNEL] & 0xffff, 0);
    uint32_t st = rd(NVSOC_GPU_CH(0, NVSOC_GPU_CH_STATUS));
    CHECK(st & NVSOC_GPU_CH_STATUS_FAULTED);
    CHECK_EQ((st >> NVSOC_GPU_CH_STATUS_XID_SHIFT) & 0xff, NVSOC_GPU_XID_PBDMA_ERROR);
    CHECK_EQ(rd(NVSOC_GPU_CHANNEL_ERROR_LO) & 1, 1);
    /* Acknowledge: consume the record, clear the channel error, reset it. */
    rec[NVSOC_GPU_FAULT_W_VALID] = 0;
    wr(NVSOC_GPU_FAULT_BUF_GET, 1);
    wr(NVSOC_GPU_CHANNEL_ERROR_LO, 1);
    CHECK_EQ(rd(NVSOC_GPU_INTR_STATUS) & (NVSOC_GPU_INTR_FAULT | NVSOC_GPU_INTR_CHANNEL), 0);
    wr(NVSOC_GPU_CH(0, NVSOC_GPU_CH_CTRL), NVSOC_GPU_CH_CTRL_RESET | NVSOC_GPU_CH_CTRL_ENABLE);
    CHECK_EQ(rd(NVSOC_GPU_CH(0, NVSOC_GPU_CH_STATUS)) & NVSOC_GPU_CH_STATUS_FAULTED, 0);
    CHECK_EQ(rd(NVSOC_GPU_USERD(0) + NVSOC_GPU_USERD_GP_GET), 0);
    gp_put = 0;
    pb_start();
    method1(SUBCH_COPY, NVSOC_GPU_SET_OBJECT, NVSOC_GPU_COPY_CLASS);
    submit();
    round_trip(4096, 99);
}

int main(unsigned long hartid) {
    (void)hartid;
    uart_puts("gpu_dma: enumeration, channel setup, copies, semaphores, bandwidth, faults\n");
    imsic_setup();
    enumerate();
    setup_engine();

    static const uint32_t sizes[] = {8, 4096, 1000 * 1000, 16u << 20};
    for (unsigned i = 0; i < sizeof(sizes) / sizeof(sizes[0]); ++i)
        round_trip(sizes[i], i + 1);
    pitch_copy_and_fill();
    acquire();

    for (uint64_t mib = 16; mib <= 64; mib *= 4) {
        uint64_t bytes = mib << 20;
        fill_pattern(SRC, bytes, mib);
        uint64_t h2d = copy_1d(AP_SYS, SRC, AP_VRAM, VRAM_B, (uint32_t)bytes);
        check_bandwidth("host to device", bytes, h2d);
        uint64_t d2h = copy_1d(AP_VRAM, VRAM_B, AP_SYS, DST, (uint32_t)bytes);
        check_bandwidth("device to host", bytes, d2h);
        check_pattern(DST, bytes, mib);
    }

    bad_method();
    pass();
}
#endif
