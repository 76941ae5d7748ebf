/* Machine interrupts on one hart: timer via mtimecmp (MTIE + MIE), software
 * interrupt via msip to itself, mip pending bits, MSI-before-MTI priority,
 * and WFI waking on the timer (with MIE set and with it clear). */
#include "nvsoc_test.h"

#define IRQ_MSI (MCAUSE_INT | 3)
#define IRQ_MTI (MCAUSE_INT | 7)

static volatile unsigned long n_mti, n_msi, t_fired, last_epc;
static volatile unsigned long order[4];
static volatile unsigned n_order;

static void handler(struct nvsoc_trap_frame *f)
{
    if (n_order < 4)
        order[n_order++] = f->cause;
    last_epc = f->epc;
    if (f->cause == IRQ_MTI) {
        t_fired = mtime_read();
        n_mti++;
        mtimecmp_write(0, -1UL);
    } else if (f->cause == IRQ_MSI) {
        n_msi++;
        msip_write(0, 0);
    } else {
        uart_puts("unexpected cause ");
        uart_put_hex(f->cause);
        uart_putc('\n');
        fail(NVSOC_FAIL_TRAP);
    }
}

static void wait_for(volatile unsigned long *counter, unsigned long want)
{
    unsigned long dl = nvsoc_deadline(NVSOC_TIMEBASE_HZ);
    while (*counter < want)
        if (nvsoc_expired(dl)) {
            uart_puts("interrupt did not arrive\n");
            fail(NVSOC_FAIL_TIMEOUT);
        }
}

int main(unsigned long hartid)
{
    (void)hartid;
    uart_puts("irq: timer, software interrupt, priority, wfi\n");
    nvsoc_mtrap_handler = handler;
    mtimecmp_write(0, -1UL);
    msip_write(0, 0);

    /* timer: pending but masked by mstatus.MIE, then taken */
    csr_write(mie, MIP_MTIP);
    unsigned long cmp = mtime_read() + NVSOC_US(100);
    mtimecmp_write(0, cmp);
    CHECK_EQ(mtimecmp_read(0), cmp);
    unsigned long dl = nvsoc_deadline(NVSOC_TIMEBASE_HZ);
    while (!(csr_read(mip) & MIP_MTIP))
        CHECK(!nvsoc_expired(dl));
    CHECK(mtime_read() >= cmp);
    CHECK_EQ(n_mti, 0);
    csr_set(mstatus, MSTATUS_MIE);
    wait_for(&n_mti, 1);
    csr_clear(mstatus, MSTATUS_MIE);
    CHECK_EQ(n_mti, 1);
    CHECK(t_fired >= cmp);
    CHECK(!(csr_read(mip) & MIP_MTIP));          /* cleared by the new mtimecmp */

    /* timer in the future does not fire early */
    cmp = mtime_read() + NVSOC_US(2000);
    mtimecmp_write(0, cmp);
    csr_set(mstatus, MSTATUS_MIE);
    wait_for(&n_mti, 2);
    csr_clear(mstatus, MSTATUS_MIE);
    CHECK(t_fired >= cmp);

    /* software interrupt to self */
    csr_write(mie, MIP_MSIP);
    msip_write(0, 1);
    CHECK_EQ(msip_read(0), 1);
    CHECK(csr_read(mip) & MIP_MSIP);
    CHECK_EQ(n_msi, 0);
    csr_set(mstatus, MSTATUS_MIE);
    wait_for(&n_msi, 1);
    csr_clear(mstatus, MSTATUS_MIE);
    CHECK_EQ(msip_read(0), 0);
    CHECK(!(csr_read(mip) & MIP_MSIP));

    /* both pending: MSI has priority over MTI */
    n_order = 0;
    msip_write(0, 1);
    mtimecmp_write(0, 0);
    csr_write(mie, MIP_MSIP | MIP_MTIP);
    dl = nvsoc_deadline(NVSOC_TIMEBASE_HZ);
    while ((csr_read(mip) & (MIP_MSIP | MIP_MTIP)) != (MIP_MSIP | MIP_MTIP))
        CHECK(!nvsoc_expired(dl));
    csr_set(mstatus, MSTATUS_MIE);
    wait_for(&n_mti, 3);
    csr_clear(mstatus, MSTATUS_MIE);
    CHECK_EQ(n_order, 2);
    CHECK_EQ(order[0], IRQ_MSI);
    CHECK_EQ(order[1], IRQ_MTI);

    /* WFI with MIE = 1: wakes, the handler runs, execution continues after wfi */
    csr_write(mie, MIP_MTIP);
    unsigned long before = n_mti;
    cmp = mtime_read() + NVSOC_US(1000);
    mtimecmp_write(0, cmp);
    csr_set(mstatus, MSTATUS_MIE);
    dl = nvsoc_deadline(NVSOC_TIMEBASE_HZ);
    while (n_mti == before) {
        __asm__ volatile("wfi");
        CHECK(!nvsoc_expired(dl));
    }
    csr_clear(mstatus, MSTATUS_MIE);
    CHECK(t_fired >= cmp);

    /* WFI with MIE = 0: wakes on the pending, enabled MTIP; no trap taken */
    before = n_mti;
    cmp = mtime_read() + NVSOC_US(1000);
    mtimecmp_write(0, cmp);
    dl = nvsoc_deadline(NVSOC_TIMEBASE_HZ);
    while (!(csr_read(mip) & MIP_MTIP)) {
        __asm__ volatile("wfi");
        CHECK(!nvsoc_expired(dl));
    }
    CHECK(mtime_read() >= cmp);
    CHECK_EQ(n_mti, before);
    mtimecmp_write(0, -1UL);
    csr_write(mie, 0);

    nvsoc_mtrap_handler = 0;
    return 0;
}
