/* Software interrupts between harts: a token passed around a ring of
 * NVSOC_TEST_HARTS harts with msip, each hart sleeping in wfi until its
 * handler runs; plus every hart interrupting hart 0 at once. */
#include "nvsoc_test.h"

NVSOC_ALL_HARTS

#define ROUNDS 10

static volatile unsigned long received[NVSOC_MAX_HARTS];

static void handler(struct nvsoc_trap_frame *f)
{
    unsigned long h = csr_read(mhartid);
    if (f->cause != (MCAUSE_INT | 3)) {
        uart_puts("unexpected cause ");
        uart_put_hex(f->cause);
        uart_putc('\n');
        fail(NVSOC_FAIL_TRAP);
    }
    msip_write(h, 0);
    __asm__ volatile("amoadd.d zero, %1, %0" : "+A"(received[h]) : "r"(1L) : "memory");
}

/* Sleeps until received[h] reaches want.  The check and the wfi run with
 * MIE clear: an interrupt taken between them would otherwise leave the hart
 * asleep with nothing pending (a lost wakeup, seen on QEMU's parallel
 * harts).  wfi still wakes on the pending bit; setting MIE takes it. */
static void wait_received(unsigned long h, unsigned long want)
{
    unsigned long dl = nvsoc_deadline(NVSOC_TIMEBASE_HZ);
    for (;;) {
        csr_clear(mstatus, MSTATUS_MIE);
        if (received[h] >= want)
            break;
        __asm__ volatile("wfi");
        csr_set(mstatus, MSTATUS_MIE);
        if (nvsoc_expired(dl)) {
            uart_puts("hart ");
            uart_put_dec((long)h);
            uart_puts(": no software interrupt\n");
            fail(NVSOC_FAIL_TIMEOUT);
        }
    }
    csr_set(mstatus, MSTATUS_MIE);
}

int main(unsigned long h)
{
    const unsigned n = NVSOC_TEST_HARTS;
    if (h >= n)
        return 0;
    if (h == 0) {
        nvsoc_mtrap_handler = handler;
        uart_puts("irq_smp: msip ring and fan-in\n");
    }
    msip_write(h, 0);
    nvsoc_barrier(n);
    csr_write(mie, MIP_MSIP);
    csr_set(mstatus, MSTATUS_MIE);
    nvsoc_barrier(n);

    /* the ring: 0 -> 1 -> ... -> n-1 -> 0, ROUNDS times */
    for (unsigned long r = 1; r <= ROUNDS; r++) {
        if (h == 0) {
            msip_write(1 % n, 1);
            wait_received(0, r);
        } else {
            wait_received(h, r);
            msip_write((h + 1) % n, 1);
        }
    }
    nvsoc_barrier(n);
    for (unsigned i = 0; i < n; i++)
        CHECK_EQ(received[i], ROUNDS);

    /* fan-in: the others interrupt hart 0 at once; it may see them merged,
     * so each waits for hart 0 to acknowledge before sending again */
    static volatile unsigned long acked;
    nvsoc_barrier(n);
    if (h != 0) {
        for (unsigned long k = 0; k < 3; k++) {
            unsigned long seen;
            do {
                seen = received[0];
                msip_write(0, 1);
                unsigned long dl = nvsoc_deadline(NVSOC_TIMEBASE_HZ);
                while (received[0] == seen)
                    if (nvsoc_expired(dl))
                        return NVSOC_FAIL_TIMEOUT;
            } while (0);
            __asm__ volatile("amoadd.d zero, %1, %0" : "+A"(acked) : "r"(1L) : "memory");
        }
    }
    nvsoc_barrier(n);
    if (h == 0) {
        CHECK_EQ(acked, 3 * (n - 1));
        CHECK(received[0] > ROUNDS);
        CHECK(received[0] <= ROUNDS + 3 * (n - 1));
    }
    csr_clear(mstatus, MSTATUS_MIE);
    csr_write(mie, 0);
    nvsoc_barrier(n);
    return 0;
}
