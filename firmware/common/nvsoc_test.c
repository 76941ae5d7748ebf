/* nvsoc bare-metal test library. */
#include "nvsoc_test.h"

#ifndef NVSOC_PROG
#define NVSOC_PROG "unnamed"
#endif

volatile nvsoc_trap_fn nvsoc_mtrap_handler;
volatile nvsoc_trap_fn nvsoc_strap_handler;
volatile unsigned nvsoc_harts_started;
unsigned long nvsoc_dtb;

/* ---------------- console ---------------- */
#define UART_THR 0
#define UART_LSR 5
#define UART_LSR_THRE 0x20

void uart_putc(char c)
{
    volatile uint8_t *uart = (volatile uint8_t *)NVSOC_UART_BASE;
    if (c == '\n')
        uart_putc('\r');
    while (!(uart[UART_LSR] & UART_LSR_THRE))
        ;
    uart[UART_THR] = (uint8_t)c;
}

void uart_puts(const char *s)
{
    while (*s)
        uart_putc(*s++);
}

void uart_put_hex(unsigned long v)
{
    char buf[19];
    int i = 18;
    buf[i] = 0;
    do {
        buf[--i] = "0123456789abcdef"[v & 15];
        v >>= 4;
    } while (v);
    buf[--i] = 'x';
    buf[--i] = '0';
    uart_puts(&buf[i]);
}

void uart_put_dec(long v)
{
    char buf[22];
    int i = 21;
    unsigned long u = v < 0 ? -(unsigned long)v : (unsigned long)v;
    buf[i] = 0;
    do {
        buf[--i] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (v < 0)
        buf[--i] = '-';
    uart_puts(&buf[i]);
}

/* ---------------- finisher ---------------- */
void park(void)
{
    for (;;)
        __asm__ volatile("wfi");
}

void pass(void)
{
    uart_puts("nvsoc-test: " NVSOC_PROG " PASS\n");
    mmio_write32(NVSOC_TEST_FINISHER, 0x5555);
    park();
}

void fail(unsigned code)
{
    /* QEMU exits with the code, and an exit status is 8 bits: keep it nonzero. */
    code &= 0xff;
    if (code == 0)
        code = NVSOC_FAIL_GENERIC;
    uart_puts("nvsoc-test: " NVSOC_PROG " FAIL (code ");
    uart_put_dec(code);
    uart_puts(")\n");
    mmio_write32(NVSOC_TEST_FINISHER, 0x3333 | (code << 16));
    park();
}

void nvsoc_check_failed(const char *file, int line, const char *expr)
{
    uart_puts("CHECK failed: ");
    uart_puts(file);
    uart_putc(':');
    uart_put_dec(line);
    uart_puts(": ");
    uart_puts(expr);
    uart_putc('\n');
    fail(NVSOC_CHECK_CODE(line));
}

void nvsoc_check_eq_failed(const char *file, int line, const char *expr,
                           unsigned long got, unsigned long want)
{
    uart_puts("CHECK_EQ failed: ");
    uart_puts(file);
    uart_putc(':');
    uart_put_dec(line);
    uart_puts(": ");
    uart_puts(expr);
    uart_puts(": got ");
    uart_put_hex(got);
    uart_puts(", want ");
    uart_put_hex(want);
    uart_putc('\n');
    fail(NVSOC_CHECK_CODE(line));
}

void delay_ticks(unsigned long ticks)
{
    unsigned long end = mtime_read() + ticks;
    while ((long)(mtime_read() - end) < 0)
        ;
}

/* ---------------- traps ---------------- */
void nvsoc_skip_insn(struct nvsoc_trap_frame *f)
{
    f->epc += nvsoc_insn_len(f->epc);
}

static void report_trap(const char *mode, struct nvsoc_trap_frame *f)
{
    uart_puts("unexpected ");
    uart_puts(mode);
    uart_puts("-mode trap: cause=");
    uart_put_hex(f->cause);
    uart_puts(" epc=");
    uart_put_hex(f->epc);
    uart_puts(" tval=");
    uart_put_hex(f->tval);
    uart_putc('\n');
    fail(NVSOC_FAIL_TRAP);
}

void nvsoc_mtrap_dispatch(struct nvsoc_trap_frame *f);
void nvsoc_mtrap_dispatch(struct nvsoc_trap_frame *f)
{
    nvsoc_trap_fn h = nvsoc_mtrap_handler;
    if (h)
        h(f);
    else
        report_trap("M", f);
}

void nvsoc_strap_dispatch(struct nvsoc_trap_frame *f);
void nvsoc_strap_dispatch(struct nvsoc_trap_frame *f)
{
    nvsoc_trap_fn h = nvsoc_strap_handler;
    if (h)
        h(f);
    else
        report_trap("S", f);
}

/* ---------------- multi-hart ---------------- */
void nvsoc_lock(nvsoc_lock_t *l)
{
    int old;
    for (;;) {
        __asm__ volatile("amoswap.w.aq %0, %2, %1" : "=r"(old), "+A"(l->v) : "r"(1) : "memory");
        if (!old)
            return;
        while (l->v)
            ;
    }
}

void nvsoc_unlock(nvsoc_lock_t *l)
{
    __asm__ volatile("amoswap.w.rl zero, zero, %0" : "+A"(l->v) :: "memory");
}

static volatile unsigned barrier_count, barrier_gen;

void nvsoc_barrier(unsigned n)
{
    unsigned gen = barrier_gen;
    unsigned old;
    __asm__ volatile("fence rw, rw" ::: "memory");
    __asm__ volatile("amoadd.w.aqrl %0, %2, %1" : "=r"(old), "+A"(barrier_count) : "r"(1) : "memory");
    if (old + 1 == n) {
        barrier_count = 0;
        __asm__ volatile("fence rw, rw" ::: "memory");
        barrier_gen = gen + 1;
        return;
    }
    unsigned long dl = nvsoc_deadline(NVSOC_TIMEBASE_HZ);
    while (barrier_gen == gen) {
        if (nvsoc_expired(dl)) {
            uart_puts("barrier timeout: ");
            uart_put_dec(barrier_count);
            uart_puts(" of ");
            uart_put_dec(n);
            uart_puts(" harts arrived\n");
            fail(NVSOC_FAIL_TIMEOUT);
        }
    }
    __asm__ volatile("fence rw, rw" ::: "memory");
}

/* ---------------- entry from crt0 ---------------- */
__attribute__((weak)) int hart_main(unsigned long hartid)
{
    if (hartid != 0)
        park();
    return main(hartid);
}

void nvsoc_start(unsigned long hartid, unsigned long dtb);
__attribute__((noreturn)) void nvsoc_start(unsigned long hartid, unsigned long dtb)
{
    if (hartid == 0)
        nvsoc_dtb = dtb;
    __asm__ volatile("amoadd.w zero, %1, %0" : "+A"(nvsoc_harts_started) : "r"(1) : "memory");
    int r = hart_main(hartid);
    if (r != 0)
        fail((unsigned)r);
    if (hartid == 0)
        pass();
    park();
}
