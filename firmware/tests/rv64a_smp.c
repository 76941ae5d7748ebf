/* RV64A across NVSOC_TEST_HARTS harts: an amoadd counter, an LR/SC spinlock
 * guarding a plain read-modify-write, and an SC that must fail because
 * another hart stored to the reserved word. */
#include "nvsoc_test.h"

NVSOC_ALL_HARTS

#define ITERS 1000

static volatile uint32_t amo_counter;
static volatile uint32_t lrsc_lock;
static volatile uint64_t plain_counter;
static volatile uint64_t reserved __attribute__((aligned(64)));
static volatile uint32_t go __attribute__((aligned(64)));
static volatile uint32_t stored __attribute__((aligned(64)));

static void lrsc_acquire(volatile uint32_t *l)
{
    unsigned long tmp, fail;
    __asm__ volatile("1:\tlr.w.aq %0, %2\n\t"
                     "bnez %0, 1b\n\t"
                     "sc.w %1, %3, %2\n\t"
                     "bnez %1, 1b"
                     : "=&r"(tmp), "=&r"(fail), "+A"(*l)
                     : "r"(1L)
                     : "memory");
}

static void lrsc_release(volatile uint32_t *l)
{
    __asm__ volatile("fence rw, w\n\tsw zero, %0" : "=m"(*l) :: "memory");
}

int main(unsigned long hartid)
{
    if (hartid >= NVSOC_TEST_HARTS)
        return 0;
    if (hartid == 0)
        uart_puts("rv64a_smp: amoadd counter, LR/SC spinlock, cross-hart reservation loss\n");
    nvsoc_barrier(NVSOC_TEST_HARTS);

    for (int i = 0; i < ITERS; i++)
        __asm__ volatile("amoadd.w zero, %1, %0" : "+A"(amo_counter) : "r"(1L) : "memory");
    for (int i = 0; i < ITERS; i++) {
        lrsc_acquire(&lrsc_lock);
        plain_counter = plain_counter + 1;
        lrsc_release(&lrsc_lock);
    }
    nvsoc_barrier(NVSOC_TEST_HARTS);
    if (hartid == 0) {
        CHECK_EQ(amo_counter, NVSOC_TEST_HARTS * ITERS);
        CHECK_EQ(plain_counter, NVSOC_TEST_HARTS * ITERS);
        CHECK_EQ(lrsc_lock, 0);
    }
    nvsoc_barrier(NVSOC_TEST_HARTS);

    /* Hart 0 reserves, hart 1 stores to the reserved word, hart 0's SC fails. */
    if (NVSOC_TEST_HARTS >= 2) {
        if (hartid == 0) {
            unsigned long v, r;
            reserved = 100;
            __asm__ volatile("fence rw, rw" ::: "memory");
            __asm__ volatile("lr.d %0, %1" : "=r"(v) : "A"(reserved) : "memory");
            go = 1;
            unsigned long dl = nvsoc_deadline(NVSOC_TIMEBASE_HZ);
            while (!stored)
                if (nvsoc_expired(dl))
                    return NVSOC_FAIL_TIMEOUT;
            __asm__ volatile("sc.d %0, %2, %1" : "=r"(r), "+A"(reserved) : "r"(v + 1) : "memory");
            CHECK(r != 0);
            CHECK_EQ(reserved, 200);
        } else if (hartid == 1) {
            unsigned long dl = nvsoc_deadline(NVSOC_TIMEBASE_HZ);
            while (!go)
                if (nvsoc_expired(dl))
                    return NVSOC_FAIL_TIMEOUT;
            reserved = 200;
            __asm__ volatile("fence rw, rw" ::: "memory");
            stored = 1;
        }
    }
    nvsoc_barrier(NVSOC_TEST_HARTS);
    return 0;
}
