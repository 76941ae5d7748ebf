/* Sv39 from S-mode: identity gigapages for DRAM and devices, a megapage
 * alias, 4 KiB pages with specific permissions.  Checks load/store/fetch
 * page faults (13/15/12) with mtval = the virtual address, execute-only
 * pages and MXR, U pages and SUM, reserved encodings (W without R,
 * non-leaf at level 0, misaligned superpage), sfence.vma after a remap, and
 * A/D handling: hardware update or page fault, whichever the platform does,
 * as long as it does it consistently. */
#include "nvsoc_test.h"

#define PTE_V 0x01UL
#define PTE_R 0x02UL
#define PTE_W 0x04UL
#define PTE_X 0x08UL
#define PTE_U 0x10UL
#define PTE_G 0x20UL
#define PTE_A 0x40UL
#define PTE_D 0x80UL
#define PTE(pa, flags) ((((unsigned long)(pa) >> 12) << 10) | (flags))

#define VBASE 0x100000000UL                 /* root[4]: l1 -> l0 */
#define VPAGE(i) (VBASE + (unsigned long)(i) * 4096)
#define VMEGA (VBASE + 0x200000)            /* l1[1]: 2 MiB alias of DRAM start */
#define VBADMEGA (VBASE + 0x400000)         /* l1[2]: misaligned megapage */

static uint64_t root[512] __attribute__((aligned(4096)));
static uint64_t l1[512] __attribute__((aligned(4096)));
static uint64_t l0[512] __attribute__((aligned(4096)));
static volatile uint64_t page_a[512] __attribute__((aligned(4096)));
static volatile uint64_t page_b[512] __attribute__((aligned(4096)));
static volatile uint64_t marker = 0x1234567887654321;

/* A page of code: returns 0x5a.  Position-independent, so it can run at any
 * virtual address mapping it. */
long xpage_fn(void);
__asm__(".pushsection .text.xpage, \"ax\", @progbits\n"
        ".balign 4096\n"
        ".globl xpage_fn\n"
        "xpage_fn:\n"
        "\tli a0, 0x5a\n"
        "\tret\n"
        ".balign 4096\n"
        ".popsection");

static volatile unsigned long t_cause, t_tval, t_epc, t_count;

static void handler(struct nvsoc_trap_frame *f)
{
    t_cause = f->cause;
    t_tval = f->tval;
    t_epc = f->epc;
    t_count++;
    if (f->cause == 12 || f->cause == 1)
        f->epc = f->x[1];                   /* fetch fault: back to the caller */
    else if (f->cause == 13 || f->cause == 15)
        nvsoc_skip_insn(f);
    else {
        uart_puts("unexpected trap ");
        uart_put_hex(f->cause);
        uart_puts(" at ");
        uart_put_hex(f->epc);
        uart_putc('\n');
        fail(NVSOC_FAIL_TRAP);
    }
}

static unsigned long ld_va(unsigned long va)
{
    unsigned long v = 0xbad;
    __asm__ volatile("ld %0, 0(%1)" : "+r"(v) : "r"(va) : "memory");
    return v;
}

static void sd_va(unsigned long va, unsigned long v)
{
    __asm__ volatile("sd %0, 0(%1)" :: "r"(v), "r"(va) : "memory");
}

static long call_va(unsigned long va)
{
    long r = -1;
    __asm__ volatile("mv a0, %1\n\tjalr ra, 0(%2)\n\tmv %0, a0"
                     : "=r"(r) : "r"(-1L), "r"(va)
                     : "ra", "a0", "a1", "a2", "a3", "a4", "a5", "a6", "a7",
                       "t0", "t1", "t2", "t3", "t4", "t5", "t6", "memory");
    return r;
}

static void sfence(void) { __asm__ volatile("sfence.vma" ::: "memory"); }

#define EXPECT_FAULT(expr, cause, va) do { \
    unsigned long _n = t_count; \
    (void)(expr); \
    CHECK_EQ(t_count, _n + 1); \
    CHECK_EQ(t_cause, cause); \
    CHECK_EQ(t_tval, va); \
} while (0)
#define EXPECT_NO_FAULT(expr) ({ unsigned long _n = t_count; \
    __typeof__(expr) _r = (expr); CHECK_EQ(t_count, _n); _r; })

static void map_pages(void)
{
    root[0] = PTE(0, PTE_V | PTE_R | PTE_W | PTE_A | PTE_D);             /* devices */
    root[2] = PTE(0x80000000, PTE_V | PTE_R | PTE_W | PTE_X | PTE_A | PTE_D);
    root[4] = PTE(l1, PTE_V);
    l1[0] = PTE(l0, PTE_V);
    l1[1] = PTE(0x80000000, PTE_V | PTE_R | PTE_A);                        /* read-only alias */
    l1[2] = PTE(0x80001000, PTE_V | PTE_R | PTE_A);                        /* misaligned */
    l0[0] = PTE(page_a, PTE_V | PTE_R | PTE_W | PTE_A | PTE_D);
    l0[1] = PTE(page_a, PTE_V | PTE_R | PTE_A);
    l0[2] = 0;
    l0[3] = PTE(xpage_fn, PTE_V | PTE_X | PTE_A);                          /* execute-only */
    l0[4] = PTE(xpage_fn, PTE_V | PTE_R | PTE_X | PTE_U | PTE_A);          /* user page */
    l0[5] = PTE(page_b, PTE_V | PTE_R | PTE_W);                            /* A = D = 0 */
    l0[6] = PTE(page_b, PTE_V | PTE_R | PTE_W | PTE_A);                    /* D = 0 */
    l0[7] = PTE(page_a, PTE_V | PTE_W | PTE_A | PTE_D);                    /* W without R */
    l0[8] = PTE(page_b, PTE_V | PTE_R | PTE_W);                            /* A = D = 0 */
    l0[9] = PTE(page_a, PTE_V);                                            /* non-leaf at level 0 */
    l0[10] = PTE(page_a, PTE_V | PTE_R | PTE_A);
}

static const char *ad_mode;

static long body(long arg)
{
    (void)arg;
    unsigned long v;

    /* plain read/write page */
    CHECK_EQ(EXPECT_NO_FAULT(ld_va(VPAGE(0))), 0x1111);
    sd_va(VPAGE(0) + 8, 0x2222);
    CHECK_EQ(page_a[1], 0x2222);

    /* read-only page */
    CHECK_EQ(EXPECT_NO_FAULT(ld_va(VPAGE(1) + 8)), 0x2222);
    EXPECT_FAULT(sd_va(VPAGE(1) + 16, 1), 15, VPAGE(1) + 16);
    CHECK_EQ(page_a[2], 0);

    /* invalid page: load, store and fetch faults */
    EXPECT_FAULT(ld_va(VPAGE(2) + 0x18), 13, VPAGE(2) + 0x18);
    EXPECT_FAULT(sd_va(VPAGE(2) + 0x20, 1), 15, VPAGE(2) + 0x20);
    EXPECT_FAULT(call_va(VPAGE(2)), 12, VPAGE(2));
    CHECK_EQ(t_epc, VPAGE(2));

    /* execute-only page: runs, cannot be read unless MXR */
    CHECK_EQ(EXPECT_NO_FAULT(call_va(VPAGE(3))), 0x5a);
    EXPECT_FAULT(ld_va(VPAGE(3)), 13, VPAGE(3));
    csr_set(sstatus, MSTATUS_MXR);
    v = EXPECT_NO_FAULT(ld_va(VPAGE(3)));
    csr_clear(sstatus, MSTATUS_MXR);
    CHECK_EQ(v, *(volatile uint64_t *)(uintptr_t)xpage_fn);

    /* data page is not executable */
    EXPECT_FAULT(call_va(VPAGE(0)), 12, VPAGE(0));

    /* user page from S: loads need SUM, fetches always fault */
    EXPECT_FAULT(ld_va(VPAGE(4)), 13, VPAGE(4));
    EXPECT_FAULT(call_va(VPAGE(4)), 12, VPAGE(4));
    csr_set(sstatus, MSTATUS_SUM);
    /* (fetch before load: QEMU 7.2 lets a fetch hit the TLB entry that a
     * SUM load filled, which the spec does not allow) */
    EXPECT_FAULT(call_va(VPAGE(4)), 12, VPAGE(4));
    v = EXPECT_NO_FAULT(ld_va(VPAGE(4)));
    CHECK_EQ(v, *(volatile uint64_t *)(uintptr_t)xpage_fn);
    csr_clear(sstatus, MSTATUS_SUM);
    EXPECT_FAULT(ld_va(VPAGE(4) + 8), 13, VPAGE(4) + 8);

    /* reserved encodings */
    EXPECT_FAULT(ld_va(VPAGE(7)), 13, VPAGE(7));
    EXPECT_FAULT(sd_va(VPAGE(7), 1), 15, VPAGE(7));
    EXPECT_FAULT(ld_va(VPAGE(9)), 13, VPAGE(9));

    /* megapages: a read-only alias works, a misaligned one faults */
    unsigned long alias = VMEGA + ((uintptr_t)&marker - 0x80000000UL);
    CHECK_EQ(EXPECT_NO_FAULT(ld_va(alias)), 0x1234567887654321);
    EXPECT_FAULT(sd_va(alias, 0), 15, alias);
    EXPECT_FAULT(ld_va(VBADMEGA + 8), 13, VBADMEGA + 8);

    /* A/D: hardware update or page fault, consistently */
    page_b[0] = 0x3333;
    unsigned long n = t_count;
    v = ld_va(VPAGE(5));
    int hw = t_count == n;
    ad_mode = hw ? "hardware A/D update" : "page fault on A/D clear";
    if (hw) {
        CHECK_EQ(v, 0x3333);
        CHECK(l0[5] & PTE_A);
        CHECK(!(l0[5] & PTE_D));                 /* a load never sets D */
        sd_va(VPAGE(6), 0x4444);
        CHECK_EQ(t_count, n);
        CHECK(l0[6] & PTE_D);
        sd_va(VPAGE(8) + 8, 0x5555);
        CHECK_EQ(t_count, n);
        CHECK_EQ(l0[8] & (PTE_A | PTE_D), PTE_A | PTE_D);
        CHECK_EQ(page_b[0], 0x4444);
        CHECK_EQ(page_b[1], 0x5555);
    } else {
        CHECK_EQ(t_cause, 13);
        CHECK_EQ(t_tval, VPAGE(5));
        CHECK(!(l0[5] & PTE_A));
        EXPECT_FAULT(sd_va(VPAGE(6), 0x4444), 15, VPAGE(6));
        CHECK(!(l0[6] & PTE_D));
        EXPECT_FAULT(sd_va(VPAGE(8) + 8, 0x5555), 15, VPAGE(8) + 8);
        CHECK_EQ(l0[8] & (PTE_A | PTE_D), 0);
        /* software sets the bits, then the accesses work */
        l0[5] |= PTE_A;
        l0[6] |= PTE_D;
        sfence();
        CHECK_EQ(EXPECT_NO_FAULT(ld_va(VPAGE(5))), 0x3333);
        sd_va(VPAGE(6), 0x4444);
        CHECK_EQ(t_count, n + 3);
        CHECK_EQ(page_b[0], 0x4444);
    }

    /* remap a page; after sfence.vma the new translation is used */
    CHECK_EQ(EXPECT_NO_FAULT(ld_va(VPAGE(10))), 0x1111);
    l0[10] = PTE(page_b, PTE_V | PTE_R | PTE_A);
    sfence();
    CHECK_EQ(EXPECT_NO_FAULT(ld_va(VPAGE(10))), 0x4444);
    return 0x600d;
}

int main(unsigned long hartid)
{
    (void)hartid;
    uart_puts("sv39: page permissions, faults, MXR, SUM, superpages, A/D\n");
    page_a[0] = 0x1111;
    map_pages();
    unsigned long satp = (8UL << 60) | ((uintptr_t)root >> 12);
    csr_write(satp, satp);
    CHECK_EQ(csr_read(satp), satp);
    __asm__ volatile("sfence.vma" ::: "memory");

    nvsoc_mtrap_handler = handler;
    CHECK_EQ(nvsoc_run_in_mode(PRV_S, body, 0), 0x600d);
    nvsoc_mtrap_handler = 0;
    csr_write(satp, 0);
    __asm__ volatile("sfence.vma" ::: "memory");
    uart_puts("A/D: ");
    uart_puts(ad_mode);
    uart_putc('\n');
    return 0;
}
