/* PMP: a NAPOT region without R/W and a TOR region with R only block S/U
 * accesses (load access fault 5, store/AMO access fault 7, mtval = address)
 * while M-mode is unaffected; MPRV makes M's loads use MPP's privilege; a
 * locked (L) entry applies to M-mode too and cannot be rewritten.  crt0's
 * catch-all RWX entry 7 stays in place. */
#include "nvsoc_test.h"

#define PMP_R 0x01UL
#define PMP_W 0x02UL
#define PMP_X 0x04UL
#define PMP_TOR 0x08UL
#define PMP_NAPOT 0x18UL
#define PMP_L 0x80UL
#define CATCH_ALL (0x1fUL << 56)

static volatile uint64_t blocked[512] __attribute__((aligned(4096)));
static volatile uint64_t readonly[512] __attribute__((aligned(4096)));
static volatile uint64_t locked[512] __attribute__((aligned(4096)));

static volatile unsigned long t_cause, t_tval, t_count;

static void handler(struct nvsoc_trap_frame *f)
{
    t_cause = f->cause;
    t_tval = f->tval;
    t_count++;
    if (f->cause != 5 && f->cause != 7) {
        uart_puts("unexpected trap ");
        uart_put_hex(f->cause);
        uart_putc('\n');
        fail(NVSOC_FAIL_TRAP);
    }
    nvsoc_skip_insn(f);
}

static unsigned long ld(volatile uint64_t *p)
{
    unsigned long v = 0xbad;
    __asm__ volatile("ld %0, 0(%1)" : "+r"(v) : "r"(p) : "memory");
    return v;
}

static void sd(volatile uint64_t *p, unsigned long v)
{
    __asm__ volatile("sd %0, 0(%1)" :: "r"(v), "r"(p) : "memory");
}

#define EXPECT_FAULT(expr, cause, addr) do { \
    unsigned long _n = t_count; \
    (void)(expr); \
    CHECK_EQ(t_count, _n + 1); \
    CHECK_EQ(t_cause, cause); \
    CHECK_EQ(t_tval, (uintptr_t)(addr)); \
} while (0)
#define EXPECT_OK(expr) ({ unsigned long _n = t_count; \
    __typeof__(expr) _r = (expr); CHECK_EQ(t_count, _n); _r; })

static long lower(long arg)
{
    EXPECT_FAULT(ld(&blocked[3]), 5, &blocked[3]);
    EXPECT_FAULT(sd(&blocked[4], 1), 7, &blocked[4]);
    unsigned long old = 0;
    __asm__ volatile("amoadd.d %0, %2, %1" : "+r"(old), "+A"(blocked[5]) : "r"(1L) : "memory");
    CHECK_EQ(t_cause, 7);
    CHECK_EQ(EXPECT_OK(ld(&readonly[1])), 0x4242);
    EXPECT_FAULT(sd(&readonly[2], 1), 7, &readonly[2]);
    /* just outside both regions */
    (void)EXPECT_OK(ld((volatile uint64_t *)((uintptr_t)blocked + 4096)));
    (void)EXPECT_OK(ld((volatile uint64_t *)((uintptr_t)blocked - 8)));
    sd(&locked[0], 7);
    CHECK_EQ(t_count, 4);
    return arg + 1;
}

int main(unsigned long hartid)
{
    (void)hartid;
    uart_puts("pmp: NAPOT/TOR regions, S/U access faults, MPRV, lock\n");
    nvsoc_mtrap_handler = handler;
    blocked[0] = 0x77;
    readonly[1] = 0x4242;

    /* entry 0: NAPOT 4 KiB, no permissions; entries 1-2: TOR, read-only */
    csr_write(pmpaddr0, ((uintptr_t)blocked >> 2) | 0x1ff);
    csr_write(pmpaddr1, (uintptr_t)readonly >> 2);
    csr_write(pmpaddr2, ((uintptr_t)readonly + 4096) >> 2);
    unsigned long cfg = CATCH_ALL | ((PMP_TOR | PMP_R) << 16) | (PMP_NAPOT << 0);
    csr_write(pmpcfg0, cfg);
    CHECK_EQ(csr_read(pmpcfg0), cfg);
    CHECK_EQ(csr_read(pmpaddr0), ((uintptr_t)blocked >> 2) | 0x1ff);

    /* M-mode is not restricted by unlocked entries */
    CHECK_EQ(EXPECT_OK(ld(&blocked[0])), 0x77);
    sd(&readonly[3], 3);
    CHECK_EQ(t_count, 0);

    t_count = 0;
    CHECK_EQ(nvsoc_run_in_mode(PRV_S, lower, 1), 2);
    t_count = 0;
    CHECK_EQ(nvsoc_run_in_mode(PRV_U, lower, 2), 3);

    /* MPRV: M-mode loads and stores checked with MPP's privilege */
    t_count = 0;
    csr_clear(mstatus, MSTATUS_MPP);
    csr_set(mstatus, 1UL << 11);                         /* MPP = S */
    csr_set(mstatus, MSTATUS_MPRV);
    unsigned long v = ld(&blocked[0]);
    csr_clear(mstatus, MSTATUS_MPRV);
    CHECK_EQ(t_count, 1);
    CHECK_EQ(t_cause, 5);
    CHECK_EQ(v, 0xbad);

    /* entry 3: locked NAPOT region without permissions stops M-mode too */
    t_count = 0;
    csr_write(pmpaddr3, ((uintptr_t)locked >> 2) | 0x1ff);
    cfg |= (PMP_L | PMP_NAPOT) << 24;
    csr_write(pmpcfg0, cfg);
    EXPECT_FAULT(ld(&locked[8]), 5, &locked[8]);
    EXPECT_FAULT(sd(&locked[9], 1), 7, &locked[9]);
    /* and can no longer be changed */
    csr_write(pmpaddr3, 0);
    CHECK_EQ(csr_read(pmpaddr3), ((uintptr_t)locked >> 2) | 0x1ff);
    csr_write(pmpcfg0, cfg & ~(0xffUL << 24));
    CHECK_EQ((csr_read(pmpcfg0) >> 24) & 0xff, PMP_L | PMP_NAPOT);
    EXPECT_FAULT(ld(&locked[8]), 5, &locked[8]);
    nvsoc_mtrap_handler = 0;
    return 0;
}
