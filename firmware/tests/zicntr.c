/* Zicntr: cycle/time/instret move forward, instret counts a known loop,
 * time matches the CLINT's mtime, minstret/mcycle are writable, and
 * mcounteren/scounteren gate U-mode access. */
#include "nvsoc_test.h"

#define RD(name) ({ unsigned long _v; __asm__ volatile("rd" #name " %0" : "=r"(_v) :: "memory"); _v; })

static volatile unsigned long t_cause, t_count;

static void handler(struct nvsoc_trap_frame *f)
{
    t_cause = f->cause;
    t_count++;
    nvsoc_skip_insn(f);
}

static long u_read_counters(long arg)
{
    unsigned long a = RD(time), b = RD(cycle), c = RD(instret);
    (void)a; (void)b; (void)c;
    return arg;
}

int main(unsigned long hartid)
{
    (void)hartid;
    uart_puts("zicntr: cycle, time, instret\n");

    unsigned long c1 = RD(cycle), i1 = RD(instret), t1 = RD(time);
    unsigned long loops = 1000;
    __asm__ volatile("1:\taddi %0, %0, -1\n\tbnez %0, 1b" : "+r"(loops));
    unsigned long i2 = RD(instret), c2 = RD(cycle);
    delay_ticks(10);
    unsigned long t2 = RD(time);
    CHECK(c2 > c1);
    CHECK(i2 > i1);
    CHECK(t2 > t1);
    unsigned long di = i2 - i1;
    uart_puts("instret for a 2000-instruction loop: ");
    uart_put_dec((long)di);
    uart_putc('\n');
    CHECK(di >= 2000);

    /* time is the CLINT's mtime */
    for (int k = 0; k < 10; k++) {
        unsigned long m1 = mtime_read();
        unsigned long t = RD(time);
        unsigned long m2 = mtime_read();
        CHECK(m1 <= t);
        CHECK(t <= m2);
    }
    /* a 1 ms delay on mtime is 1 ms of time */
    t1 = RD(time);
    delay_ticks(NVSOC_US(1000));
    t2 = RD(time);
    CHECK(t2 - t1 >= NVSOC_US(1000));

    /* the M-mode counters are the same counters, and writable */
    unsigned long m = csr_read(mcycle), c = RD(cycle), m2 = csr_read(mcycle);
    CHECK(m <= c && c <= m2);
    csr_write(minstret, 0x100000000);
    i1 = RD(instret);
    CHECK(i1 >= 0x100000000 && i1 < 0x100000000 + 0x10000000);   /* QEMU counts host ticks */
    csr_write(mcycle, 0x200000000);
    c1 = csr_read(mcycle);
    CHECK(c1 >= 0x200000000);

    /* U-mode needs mcounteren and scounteren */
    nvsoc_mtrap_handler = handler;
    csr_write(mcounteren, 0);
    csr_write(scounteren, 0);
    t_count = 0;
    CHECK_EQ(nvsoc_run_in_mode(PRV_U, u_read_counters, 4), 4);
    CHECK_EQ(t_count, 3);
    CHECK_EQ(t_cause, 2);
    csr_write(mcounteren, 7);
    csr_write(scounteren, 7);
    t_count = 0;
    CHECK_EQ(nvsoc_run_in_mode(PRV_U, u_read_counters, 5), 5);
    CHECK_EQ(t_count, 0);
    csr_write(mcounteren, 0);
    csr_write(scounteren, 0);
    nvsoc_mtrap_handler = 0;
    return 0;
}
