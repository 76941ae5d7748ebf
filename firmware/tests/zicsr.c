/* Zicsr: csrrw/csrrs/csrrc and their immediate forms on mscratch, read-only
 * CSRs (reads fine, writes raise illegal instruction with mtval = the
 * instruction), fcsr/frm/fflags aliasing, misa. */
#include "nvsoc_test.h"

static volatile unsigned long trap_cause, trap_tval, trap_epc, trap_count;

static void record_and_skip(struct nvsoc_trap_frame *f)
{
    trap_cause = f->cause;
    trap_tval = f->tval;
    trap_epc = f->epc;
    trap_count++;
    nvsoc_skip_insn(f);
}

/* Runs `insn` (a single CSR instruction, may use %0 as a scratch register
 * holding `val`), expects an illegal-instruction trap at it. */
#define EXPECT_ILLEGAL(insn, val) do { \
    unsigned long _pc, _v = (val); \
    trap_count = 0; \
    __asm__ volatile(".option push\n\t.option norvc\n\tla %1, 1f\n1:\t" insn "\n\t.option pop" \
                     : "+r"(_v), "=&r"(_pc) :: "memory"); \
    CHECK_EQ(trap_count, 1); \
    CHECK_EQ(trap_cause, 2); \
    CHECK_EQ(trap_epc, _pc); \
    CHECK_EQ(trap_tval, *(volatile uint32_t *)_pc); \
} while (0)

int main(unsigned long hartid)
{
    (void)hartid;
    unsigned long old, v;
    uart_puts("zicsr: csrrw/s/c(i) on mscratch, read-only CSRs, fcsr\n");

    /* register forms */
    csr_write(mscratch, 0x0123456789abcdef);
    __asm__ volatile("csrrw %0, mscratch, %1" : "=r"(old) : "r"(0xfedcba9876543210UL));
    CHECK_EQ(old, 0x0123456789abcdef);
    CHECK_EQ(csr_read(mscratch), 0xfedcba9876543210);
    __asm__ volatile("csrrs %0, mscratch, %1" : "=r"(old) : "r"(0x0f0000000000000fUL));
    CHECK_EQ(old, 0xfedcba9876543210);
    CHECK_EQ(csr_read(mscratch), 0xffdcba987654321f);
    __asm__ volatile("csrrc %0, mscratch, %1" : "=r"(old) : "r"(0xff000000000000ffUL));
    CHECK_EQ(old, 0xffdcba987654321f);
    CHECK_EQ(csr_read(mscratch), 0x00dcba9876543200);
    /* rd = x0 still writes; rs1 = x0 for csrrs/csrrc does not */
    __asm__ volatile("csrrw zero, mscratch, %0" :: "r"(0x55UL));
    CHECK_EQ(csr_read(mscratch), 0x55);
    __asm__ volatile("csrrs %0, mscratch, zero" : "=r"(old));
    CHECK_EQ(old, 0x55);
    __asm__ volatile("csrrc %0, mscratch, zero" : "=r"(old));
    CHECK_EQ(csr_read(mscratch), 0x55);

    /* immediate forms: 5-bit zero-extended immediate */
    csr_write(mscratch, 0xffffffffffffff00);
    __asm__ volatile("csrrwi %0, mscratch, 31" : "=r"(old));
    CHECK_EQ(old, 0xffffffffffffff00);
    CHECK_EQ(csr_read(mscratch), 31);
    __asm__ volatile("csrrci %0, mscratch, 0x15" : "=r"(old));
    CHECK_EQ(old, 31);
    CHECK_EQ(csr_read(mscratch), 0x0a);
    __asm__ volatile("csrrsi %0, mscratch, 0x11" : "=r"(old));
    CHECK_EQ(old, 0x0a);
    CHECK_EQ(csr_read(mscratch), 0x1b);
    __asm__ volatile("csrrsi %0, mscratch, 0" : "=r"(old));
    CHECK_EQ(old, 0x1b);
    __asm__ volatile("csrrwi zero, mscratch, 0");
    CHECK_EQ(csr_read(mscratch), 0);

    /* read-only CSRs: reads, and csrrs/csrrsi with x0 / 0, do not trap */
    nvsoc_mtrap_handler = record_and_skip;
    trap_count = 0;
    CHECK_EQ(csr_read(mhartid), 0);
    (void)csr_read(mvendorid);
    (void)csr_read(marchid);
    (void)csr_read(mimpid);
    __asm__ volatile("csrrsi %0, mhartid, 0" : "=r"(v));
    __asm__ volatile("csrrci %0, mhartid, 0" : "=r"(v));
    CHECK_EQ(trap_count, 0);

    /* writes to read-only CSRs are illegal instructions */
    EXPECT_ILLEGAL("csrw mhartid, %0", 1);
    EXPECT_ILLEGAL("csrrw %0, mvendorid, %0", 0);
    EXPECT_ILLEGAL("csrrs %0, marchid, %0", 1);
    EXPECT_ILLEGAL("csrrc %0, mimpid, %0", 1);
    EXPECT_ILLEGAL("csrrwi %0, mhartid, 0", 0);
    EXPECT_ILLEGAL("csrrsi %0, mhartid, 1", 0);
    EXPECT_ILLEGAL("csrw cycle, %0", 1);
    EXPECT_ILLEGAL("csrw instret, %0", 1);
    /* an unallocated standard CSR number */
    EXPECT_ILLEGAL("csrr %0, 0x0ff", 0);
    CHECK_EQ(csr_read(mhartid), 0);
    nvsoc_mtrap_handler = 0;

    /* fcsr = frm[7:5] | fflags[4:0] */
    csr_write(fcsr, 0x83);
    CHECK_EQ(csr_read(frm), 4);
    CHECK_EQ(csr_read(fflags), 3);
    __asm__ volatile("csrwi fflags, 0x1f");
    CHECK_EQ(csr_read(fcsr), 0x9f);
    __asm__ volatile("csrwi frm, 1");
    CHECK_EQ(csr_read(fcsr), 0x3f);
    __asm__ volatile("csrrci %0, fflags, 0x5" : "=r"(old));
    CHECK_EQ(old, 0x1f);
    CHECK_EQ(csr_read(fcsr), 0x3a);
    csr_write(fcsr, 0);

    /* misa, when implemented: MXL = 64-bit and IMAFDCSU present */
    v = csr_read(misa);
    if (v) {
        CHECK_EQ(v >> 62, 2);
        unsigned long want = 0;
        for (const char *e = "IMAFDCSU"; *e; e++)
            want |= 1UL << (*e - 'A');
        CHECK_EQ(v & want, want);
    }
    return 0;
}
