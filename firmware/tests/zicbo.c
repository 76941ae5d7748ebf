/* Zicbom/Zicboz (nvsoc only: QEMU 7.2 implements neither).  cbo.zero zeroes
 * exactly the 64-byte block holding the address; cbo.clean/flush/inval run
 * in M-mode; in S-mode they need menvcfg.CBZE / CBCFE / CBIE, else illegal
 * instruction. */
#include "nvsoc_test.h"

#define BLOCK 64
#define MENVCFG_CBIE (3UL << 4)   /* 01 = flush, 11 = invalidate */
#define MENVCFG_CBIE_FLUSH (1UL << 4)
#define MENVCFG_CBCFE (1UL << 6)
#define MENVCFG_CBZE (1UL << 7)

static volatile uint8_t buf[4 * BLOCK] __attribute__((aligned(BLOCK)));
static volatile unsigned long t_cause, t_tval, t_count;

static void handler(struct nvsoc_trap_frame *f)
{
    t_cause = f->cause;
    t_tval = f->tval;
    t_count++;
    nvsoc_skip_insn(f);
}

static void fill(uint8_t v)
{
    for (unsigned i = 0; i < sizeof buf; i++)
        buf[i] = v;
}

static int block_is(unsigned blk, uint8_t v)
{
    for (unsigned i = 0; i < BLOCK; i++)
        if (buf[blk * BLOCK + i] != v)
            return 0;
    return 1;
}

static void cbo_zero(const volatile void *p) { __asm__ volatile("cbo.zero (%0)" :: "r"(p) : "memory"); }
static void cbo_clean(const volatile void *p) { __asm__ volatile("cbo.clean (%0)" :: "r"(p) : "memory"); }
static void cbo_flush(const volatile void *p) { __asm__ volatile("cbo.flush (%0)" :: "r"(p) : "memory"); }
static void cbo_inval(const volatile void *p) { __asm__ volatile("cbo.inval (%0)" :: "r"(p) : "memory"); }

static long s_zero(long arg)
{
    cbo_zero(&buf[2 * BLOCK + 5]);
    return arg;
}

static long s_clean(long arg)
{
    cbo_clean(&buf[0]);
    cbo_flush(&buf[BLOCK]);
    return arg;
}

int main(unsigned long hartid)
{
    (void)hartid;
    uart_puts("zicbo: cbo.zero/clean/flush/inval, menvcfg gating\n");
    nvsoc_mtrap_handler = handler;

    fill(0xaa);
    t_count = 0;
    cbo_zero(&buf[BLOCK + 8]);              /* any address inside the block */
    if (t_count) {
        uart_puts("cbo.zero trapped in M-mode: no Zicboz\n");
        return NVSOC_CHECK_CODE(__LINE__);
    }
    CHECK(block_is(0, 0xaa));
    CHECK(block_is(1, 0));
    CHECK(block_is(2, 0xaa));
    cbo_zero(&buf[3 * BLOCK + BLOCK - 1]);  /* last byte of a block */
    CHECK(block_is(3, 0));
    CHECK(block_is(2, 0xaa));

    /* management operations keep the data (no caches to lose it from) */
    buf[0] = 0x11;
    cbo_clean(&buf[0]);
    cbo_flush(&buf[0]);
    CHECK_EQ(t_count, 0);
    CHECK_EQ(buf[0], 0x11);
    cbo_inval(&buf[2 * BLOCK]);
    CHECK_EQ(t_count, 0);

    /* S-mode: disabled by menvcfg -> illegal instruction */
    csr_clear(menvcfg, MENVCFG_CBZE | MENVCFG_CBCFE | MENVCFG_CBIE);
    fill(0x55);
    CHECK_EQ(nvsoc_run_in_mode(PRV_S, s_zero, 1), 1);
    CHECK_EQ(t_count, 1);
    CHECK_EQ(t_cause, 2);
    CHECK(block_is(2, 0x55));
    CHECK_EQ(nvsoc_run_in_mode(PRV_S, s_clean, 2), 2);
    CHECK_EQ(t_count, 3);
    CHECK_EQ(t_cause, 2);
    /* enabled */
    csr_set(menvcfg, MENVCFG_CBZE | MENVCFG_CBCFE | MENVCFG_CBIE_FLUSH);
    t_count = 0;
    CHECK_EQ(nvsoc_run_in_mode(PRV_S, s_zero, 3), 3);
    CHECK_EQ(t_count, 0);
    CHECK(block_is(2, 0));
    CHECK(block_is(1, 0x55));
    CHECK_EQ(nvsoc_run_in_mode(PRV_S, s_clean, 4), 4);
    CHECK_EQ(t_count, 0);
    csr_clear(menvcfg, MENVCFG_CBZE | MENVCFG_CBCFE | MENVCFG_CBIE);
    nvsoc_mtrap_handler = 0;
    return 0;
}
