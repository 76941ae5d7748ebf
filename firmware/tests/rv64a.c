/* RV64A on one hart: every AMO in .w and .d form (old value returned, .w
 * sign-extended, only 32 bits written), aq/rl variants, LR/SC success and
 * failure rules, misaligned atomics. */
#include "nvsoc_test.h"

#define AMO(op, p, v) ({ unsigned long _o; \
    __asm__ volatile(op " %0, %2, %1" : "=r"(_o), "+A"(*(p)) : "r"((unsigned long)(v)) : "memory"); _o; })
#define LR(op, p) ({ unsigned long _o; \
    __asm__ volatile(op " %0, %1" : "=r"(_o) : "A"(*(p)) : "memory"); _o; })
#define SC(op, p, v) ({ unsigned long _o; \
    __asm__ volatile(op " %0, %2, %1" : "=r"(_o), "+A"(*(p)) : "r"((unsigned long)(v)) : "memory"); _o; })

static volatile uint32_t w32[4] __attribute__((aligned(16)));
static volatile uint64_t d64[2] __attribute__((aligned(16)));
static volatile uint64_t far64[512 + 1] __attribute__((aligned(4096)));

#define W(v) (w32[1] = (v))
#define SENTINELS_OK() (w32[0] == 0xa5a5a5a5 && w32[2] == 0x5a5a5a5a)

static void amo_word(void)
{
    volatile uint32_t *p = &w32[1];
    w32[0] = 0xa5a5a5a5;
    w32[2] = 0x5a5a5a5a;

    W(0x80000001);
    CHECK_EQ(AMO("amoswap.w", p, 0x12345678), 0xffffffff80000001);
    CHECK_EQ(*p, 0x12345678);
    W(0x7fffffff);
    CHECK_EQ(AMO("amoadd.w", p, 1), 0x7fffffff);
    CHECK_EQ(*p, 0x80000000);
    CHECK_EQ(AMO("amoadd.w", p, 0xffffffff00000001), 0xffffffff80000000);  /* rs2[63:32] ignored */
    CHECK_EQ(*p, 0x80000001);
    W(0xffffffff);
    CHECK_EQ(AMO("amoadd.w", p, 1), -1L);
    CHECK_EQ(*p, 0);
    W(0xf0f0f0f0);
    CHECK_EQ(AMO("amoxor.w", p, 0xff00ff00), 0xfffffffff0f0f0f0);
    CHECK_EQ(*p, 0x0ff00ff0);
    W(0xf0f0f0f0);
    CHECK_EQ(AMO("amoand.w", p, 0x0ff00ff0), 0xfffffffff0f0f0f0);
    CHECK_EQ(*p, 0x00f000f0);
    W(0xf0f0f0f0);
    CHECK_EQ(AMO("amoor.w", p, 0x0f), 0xfffffffff0f0f0f0);
    CHECK_EQ(*p, 0xf0f0f0ff);
    /* signed / unsigned comparisons on 32 bits */
    W(0x80000000);
    CHECK_EQ(AMO("amomin.w", p, 1), 0xffffffff80000000);
    CHECK_EQ(*p, 0x80000000);
    W(5);
    CHECK_EQ(AMO("amomin.w", p, 0xffffffff), 5);         /* -1 as a word */
    CHECK_EQ(*p, 0xffffffff);
    W(0x80000000);
    CHECK_EQ(AMO("amomax.w", p, 1), 0xffffffff80000000);
    CHECK_EQ(*p, 1);
    W(0x80000000);
    CHECK_EQ(AMO("amominu.w", p, 1), 0xffffffff80000000);
    CHECK_EQ(*p, 1);
    W(5);
    CHECK_EQ(AMO("amominu.w", p, 0x100000003), 5);       /* compares 3, not 2^32+3 */
    CHECK_EQ(*p, 3);
    W(0x80000000);
    CHECK_EQ(AMO("amomaxu.w", p, 1), 0xffffffff80000000);
    CHECK_EQ(*p, 0x80000000);
    W(5);
    CHECK_EQ(AMO("amomaxu.w", p, 0xffffffff), 5);
    CHECK_EQ(*p, 0xffffffff);
    CHECK(SENTINELS_OK());

    /* ordering variants and rd = x0 */
    W(10);
    CHECK_EQ(AMO("amoadd.w.aq", p, 1), 10);
    CHECK_EQ(AMO("amoadd.w.rl", p, 1), 11);
    CHECK_EQ(AMO("amoadd.w.aqrl", p, 1), 12);
    __asm__ volatile("amoadd.w zero, %1, %0" : "+A"(*p) : "r"(100L) : "memory");
    CHECK_EQ(*p, 113);
    CHECK(SENTINELS_OK());
}

static void amo_double(void)
{
    volatile uint64_t *p = &d64[0];
    d64[1] = 0x1122334455667788;
    *p = 0x8000000000000001;
    CHECK_EQ(AMO("amoswap.d", p, 0x0123456789abcdef), 0x8000000000000001);
    CHECK_EQ(*p, 0x0123456789abcdef);
    *p = 0xffffffffffffffff;
    CHECK_EQ(AMO("amoadd.d", p, 2), 0xffffffffffffffff);
    CHECK_EQ(*p, 1);
    *p = 0xffffffff;
    CHECK_EQ(AMO("amoadd.d", p, 1), 0xffffffff);
    CHECK_EQ(*p, 0x100000000);                            /* carries into bit 32 */
    *p = 0xff00ff00ff00ff00;
    CHECK_EQ(AMO("amoxor.d", p, 0x0ff00ff00ff00ff0), 0xff00ff00ff00ff00);
    CHECK_EQ(*p, 0xf0f0f0f0f0f0f0f0);
    CHECK_EQ(AMO("amoand.d", p, 0x00ffff0000ffff00), 0xf0f0f0f0f0f0f0f0);
    CHECK_EQ(*p, 0x00f0f00000f0f000);
    CHECK_EQ(AMO("amoor.d", p, 0x8000000000000001), 0x00f0f00000f0f000);
    CHECK_EQ(*p, 0x80f0f00000f0f001);
    *p = 0x8000000000000000;
    CHECK_EQ(AMO("amomin.d", p, 1), 0x8000000000000000);
    CHECK_EQ(*p, 0x8000000000000000);
    CHECK_EQ(AMO("amomax.d", p, 1), 0x8000000000000000);
    CHECK_EQ(*p, 1);
    *p = 0x8000000000000000;
    CHECK_EQ(AMO("amominu.d", p, 1), 0x8000000000000000);
    CHECK_EQ(*p, 1);
    CHECK_EQ(AMO("amomaxu.d", p, 0x8000000000000000), 1);
    CHECK_EQ(*p, 0x8000000000000000);
    *p = (uint64_t)-7;
    CHECK_EQ(AMO("amomax.d", p, (uint64_t)-8), (uint64_t)-7);
    CHECK_EQ(*p, (uint64_t)-7);
    CHECK_EQ(AMO("amomin.d.aqrl", p, (uint64_t)-8), (uint64_t)-7);
    CHECK_EQ(*p, (uint64_t)-8);
    CHECK_EQ(d64[1], 0x1122334455667788);
}

static void lrsc(void)
{
    volatile uint64_t *p = &d64[0];
    unsigned long v, r;
    int tries;

    /* An LR/SC pair with nothing in between succeeds (retry: SC may fail spuriously). */
    *p = 41;
    for (tries = 0; tries < 100; tries++) {
        v = LR("lr.d", p);
        r = SC("sc.d", p, v + 1);
        if (r == 0)
            break;
    }
    CHECK_EQ(r, 0);
    CHECK_EQ(*p, 42);

    /* A second SC without a new LR fails and does not write. */
    r = SC("sc.d", p, 99);
    CHECK(r != 0);
    CHECK_EQ(*p, 42);

    /* An SC after another SC (even one that failed) fails. */
    (void)LR("lr.d", p);
    (void)SC("sc.d", &far64[512], 7);   /* other address: must fail */
    CHECK_EQ(far64[512], 0);
    r = SC("sc.d", p, 98);
    CHECK(r != 0);
    CHECK_EQ(*p, 42);

    /* SC to an address outside the reservation set (another page) fails. */
    (void)LR("lr.d", p);
    r = SC("sc.d", &far64[0], 5);
    CHECK(r != 0);
    CHECK_EQ(far64[0], 0);

    /* lr.w sign-extends; sc.w writes only 32 bits. */
    w32[0] = 0xa5a5a5a5;
    w32[2] = 0x5a5a5a5a;
    w32[1] = 0x80000000;
    for (tries = 0; tries < 100; tries++) {
        v = LR("lr.w", &w32[1]);
        CHECK_EQ(v, 0xffffffff80000000);
        r = SC("sc.w", &w32[1], 0xffffffff00000007);
        if (r == 0)
            break;
    }
    CHECK_EQ(r, 0);
    CHECK_EQ(w32[1], 7);
    CHECK(SENTINELS_OK());

    /* The same hart storing to the reserved word between LR and SC: the spec
     * lets the SC succeed or fail, but memory must match the outcome. */
    *p = 1;
    (void)LR("lr.d", p);
    *p = 2;
    r = SC("sc.d", p, 3);
    CHECK_EQ(*p, r == 0 ? 3 : 2);
    uart_puts(r == 0 ? "sc after same-hart store: succeeded\n" : "sc after same-hart store: failed\n");

    /* aq/rl forms */
    *p = 5;
    for (tries = 0; tries < 100; tries++) {
        v = LR("lr.d.aq", p);
        r = SC("sc.d.rl", p, v * 2);
        if (r == 0)
            break;
    }
    CHECK_EQ(r, 0);
    CHECK_EQ(*p, 10);
}

static volatile unsigned long trap_cause, trap_tval, trap_count;

static void record_and_skip(struct nvsoc_trap_frame *f)
{
    trap_cause = f->cause;
    trap_tval = f->tval;
    trap_count++;
    nvsoc_skip_insn(f);
}

static void misaligned(void)
{
    static volatile uint64_t buf[2] __attribute__((aligned(16)));
    volatile uint64_t *q = (volatile uint64_t *)((uintptr_t)buf + 4);
    volatile uint32_t *q32 = (volatile uint32_t *)((uintptr_t)buf + 2);
    unsigned long old;

    nvsoc_mtrap_handler = record_and_skip;
    buf[0] = 0x0706050403020100;
    buf[1] = 0x0f0e0d0c0b0a0908;

    /* Misaligned AMO: address-misaligned (6) or access fault (7); an
     * implementation with misaligned atomics must get the value right. */
    trap_count = 0;
    old = 0;
    __asm__ volatile("amoadd.d %0, %2, %1" : "+r"(old), "+A"(*q) : "r"(1L) : "memory");
    if (trap_count) {
        CHECK(trap_cause == 6 || trap_cause == 7);
        CHECK_EQ(trap_tval, (uintptr_t)q);
        CHECK_EQ(buf[0], 0x0706050403020100);
        CHECK_EQ(buf[1], 0x0f0e0d0c0b0a0908);
    } else {
        CHECK_EQ(old, 0x0b0a090807060504);
        CHECK_EQ(*q, 0x0b0a090807060505);
    }
    trap_count = 0;
    old = 0;
    __asm__ volatile("amoswap.w %0, %2, %1" : "+r"(old), "+A"(*q32) : "r"(0L) : "memory");
    if (trap_count) {
        CHECK(trap_cause == 6 || trap_cause == 7);
        CHECK_EQ(trap_tval, (uintptr_t)q32);
    } else {
        CHECK_EQ(old, 0x05040302);
    }
    /* Misaligned LR: load address-misaligned (4) or load access fault (5). */
    trap_count = 0;
    old = 0;
    __asm__ volatile("lr.d %0, (%1)" : "+r"(old) : "r"(q) : "memory");
    if (trap_count) {
        CHECK(trap_cause == 4 || trap_cause == 5);
        CHECK_EQ(trap_tval, (uintptr_t)q);
    }
    nvsoc_mtrap_handler = 0;
}

int main(unsigned long hartid)
{
    (void)hartid;
    uart_puts("rv64a: AMOs, LR/SC, misaligned atomics\n");
    amo_word();
    amo_double();
    lrsc();
    misaligned();
    return 0;
}
