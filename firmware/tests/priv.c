/* Privilege modes: U and S entered through mret, ecall causes 8/9 with MPP,
 * CSR privilege checks, medeleg delegation of U-mode traps to an S-mode
 * handler, the sret path into U-mode, and mstatus TW/TSR/TVM. */
#include "nvsoc_test.h"

static volatile unsigned long m_cause, m_epc, m_tval, m_status, m_count;
static volatile unsigned long s_cause, s_epc, s_tval, s_status, s_count;
static volatile unsigned long pc_u, pc_s;

static void mhandler(struct nvsoc_trap_frame *f)
{
    m_cause = f->cause;
    m_epc = f->epc;
    m_tval = f->tval;
    m_status = f->status;
    m_count++;
    nvsoc_skip_insn(f);
}

static void shandler(struct nvsoc_trap_frame *f)
{
    s_cause = f->cause;
    s_epc = f->epc;
    s_tval = f->tval;
    s_status = f->status;
    s_count++;
    nvsoc_skip_insn(f);
}

/* `insn` at a known address stored in *where (4-byte encodings only). */
#define AT(insn, where) do { unsigned long _pc; \
    __asm__ volatile(".option push\n\t.option norvc\n\tla %0, 1f\n1:\t" insn "\n\t.option pop" \
                     : "=&r"(_pc) :: "memory"); (where) = _pc; } while (0)

static long u_ecall(long arg)
{
    AT("ecall", pc_u);
    return arg + 1;
}

static long s_ecall(long arg)
{
    AT("ecall", pc_s);
    return arg * 3;
}

static long u_read_mstatus(long arg)
{
    AT("csrr t0, mstatus", pc_u);
    AT("csrr t0, sstatus", pc_s);
    return arg;
}

static long s_privileged(long arg)
{
    unsigned long v = csr_read(sstatus);          /* fine in S */
    (void)v;
    AT("csrr t0, mstatus", pc_s);                 /* M CSR: illegal */
    AT("mret", pc_u);                             /* illegal in S */
    return arg;
}

static long u_sret(long arg)
{
    AT("sret", pc_u);
    return arg;
}

static long u_delegated(long arg)
{
    AT("ecall", pc_u);                             /* to S (medeleg bit 8) */
    AT("csrr t0, mscratch", pc_s);                 /* illegal, to S (bit 2) */
    return arg * 2;
}

static long s_delegating(long arg)
{
    csr_write(stvec, (unsigned long)nvsoc_strap_entry);
    long r = nvsoc_srun_in_umode(u_delegated, arg);   /* sret into U */
    __asm__ volatile("ecall" ::: "memory");            /* cause 9: not delegated, to M */
    return r + 1;
}

static long s_trapped_by_m(long arg)
{
    AT("wfi", pc_s);                               /* TW = 1 */
    AT("sret", pc_u);                              /* TSR = 1 */
    unsigned long a;
    __asm__ volatile("csrr %0, satp" : "=r"(a));   /* TVM = 1 */
    return arg;
}

int main(unsigned long hartid)
{
    (void)hartid;
    uart_puts("priv: U/S via mret, ecall causes, delegation, sret, TW/TSR/TVM\n");
    nvsoc_mtrap_handler = mhandler;

    /* ecall from U: cause 8, MPP = U */
    m_count = 0;
    CHECK_EQ(nvsoc_run_in_mode(PRV_U, u_ecall, 41), 42);
    CHECK_EQ(m_count, 1);
    CHECK_EQ(m_cause, 8);
    CHECK_EQ(m_epc, pc_u);
    CHECK_EQ(m_status & MSTATUS_MPP, 0);

    /* ecall from S: cause 9, MPP = S */
    CHECK_EQ(nvsoc_run_in_mode(PRV_S, s_ecall, 7), 21);
    CHECK_EQ(m_count, 2);
    CHECK_EQ(m_cause, 9);
    CHECK_EQ(m_epc, pc_s);
    CHECK_EQ(m_status & MSTATUS_MPP, 1UL << 11);

    /* CSR and xRET privilege */
    m_count = 0;
    CHECK_EQ(nvsoc_run_in_mode(PRV_U, u_read_mstatus, 1), 1);
    CHECK_EQ(m_count, 2);
    CHECK_EQ(m_cause, 2);
    CHECK_EQ(m_epc, pc_s);                         /* the last one: csrr sstatus */
    CHECK_EQ(m_tval, *(volatile uint32_t *)pc_s);
    m_count = 0;
    CHECK_EQ(nvsoc_run_in_mode(PRV_S, s_privileged, 2), 2);
    CHECK_EQ(m_count, 2);
    CHECK_EQ(m_cause, 2);
    CHECK_EQ(m_epc, pc_u);
    CHECK_EQ(m_tval, 0x30200073);                  /* mret */
    m_count = 0;
    CHECK_EQ(nvsoc_run_in_mode(PRV_U, u_sret, 3), 3);
    CHECK_EQ(m_count, 1);
    CHECK_EQ(m_cause, 2);
    CHECK_EQ(m_epc, pc_u);
    CHECK_EQ(m_tval, 0x10200073);                  /* sret */

    /* delegation: U ecall and illegal instruction go to S */
    csr_write(medeleg, (1UL << 8) | (1UL << 2));
    CHECK_EQ(csr_read(medeleg) & ((1UL << 8) | (1UL << 2)), (1UL << 8) | (1UL << 2));
    nvsoc_strap_handler = shandler;
    m_count = 0;
    s_count = 0;
    CHECK_EQ(nvsoc_run_in_mode(PRV_S, s_delegating, 5), 11);
    CHECK_EQ(s_count, 2);
    CHECK_EQ(s_cause, 2);
    CHECK_EQ(s_epc, pc_s);
    CHECK_EQ(s_tval, *(volatile uint32_t *)pc_s);
    CHECK_EQ(s_status & MSTATUS_SPP, 0);           /* came from U */
    CHECK_EQ(m_count, 1);                          /* only the ecall from S */
    CHECK_EQ(m_cause, 9);
    /* the delegated ecall was seen by S with cause 8 at pc_u */
    s_count = 0;
    csr_write(medeleg, 1UL << 8);
    CHECK_EQ(nvsoc_run_in_mode(PRV_S, s_delegating, 1), 3);
    CHECK_EQ(s_count, 1);                          /* the illegal one now goes to M */
    CHECK_EQ(s_cause, 8);
    CHECK_EQ(s_epc, pc_u);
    CHECK_EQ(m_count, 3);
    CHECK_EQ(m_cause, 9);
    csr_write(medeleg, 0);
    nvsoc_strap_handler = 0;

    /* TW, TSR, TVM trap S-mode wfi, sret and satp accesses to M */
    csr_set(mstatus, (1UL << 21) | (1UL << 22) | (1UL << 20));
    m_count = 0;
    CHECK_EQ(nvsoc_run_in_mode(PRV_S, s_trapped_by_m, 9), 9);
    csr_clear(mstatus, (1UL << 21) | (1UL << 22) | (1UL << 20));
    CHECK_EQ(m_count, 3);
    CHECK_EQ(m_cause, 2);

    nvsoc_mtrap_handler = 0;
    return 0;
}
