/* Sdtrig: address-match triggers of type 6 (mcontrol6) with action 0, in
 * the spirit of riscv-tests' rv64mi breakpoint test. Execute, load and store
 * triggers in M, S and U mode: the breakpoint exception (cause 3) names the
 * instruction in epc and the matched address in tval, the instruction does
 * not execute (a trapped load leaves rd alone, a trapped store leaves memory
 * alone), a trigger fires only in the modes it selects and not once it is
 * disarmed, a delegated breakpoint goes to S, and tselect keeps a valid
 * index when written past the last trigger.
 *
 * M-mode triggers are armed with mstatus.MIE set: a hart may (nvsoc's does)
 * keep action-0 triggers from firing in M-mode while MIE is clear, so that a
 * trigger cannot fire inside the trap handler it would enter (Sdtrig, "Native
 * Triggers"). */
#include "nvsoc_test.h"

#define CSR_TSELECT 0x7a0
#define CSR_TDATA1 0x7a1
#define CSR_TDATA2 0x7a2
#define CSR_TINFO 0x7a4

#define TDATA1_TYPE_SHIFT 60
#define TYPE_MCONTROL6 6UL
#define MC6 (TYPE_MCONTROL6 << TDATA1_TYPE_SHIFT)
#define MC6_HIT0 (1UL << 22)
#define MC_MATCH(m) ((unsigned long)(m) << 7)
#define MC_M (1UL << 6)
#define MC_S (1UL << 4)
#define MC_U (1UL << 3)
#define MC_EXECUTE (1UL << 2)
#define MC_STORE (1UL << 1)
#define MC_LOAD (1UL << 0)
#define MATCH_NAPOT 1

#define CAUSE_BREAKPOINT 3


/* Each probe is one uncompressed instruction at a known label, inside a
 * small function: exec_probe returns 1 if its addi ran (0 if a trigger
 * skipped it); load_probe returns the doubleword at a0 (or -1 if the load
 * was skipped); store_probe stores a1 at a0. */
extern char exec_at[], load_at[], store_at[];
unsigned long exec_probe(void);
unsigned long load_probe(volatile unsigned long* p);
void store_probe(volatile unsigned long* p, unsigned long v);
__asm__(".text\n"
        ".option push\n"
        ".option norvc\n"
        ".globl exec_probe\n"
        "exec_probe:\n"
        "  li a0, 0\n"
        ".globl exec_at\n"
        "exec_at:\n"
        "  addi a0, a0, 1\n"
        "  ret\n"
        ".globl load_probe\n"
        "load_probe:\n"
        "  li a1, -1\n"
        ".globl load_at\n"
        "load_at:\n"
        "  ld a1, 0(a0)\n"
        "  mv a0, a1\n"
        "  ret\n"
        ".globl store_probe\n"
        "store_probe:\n"
        ".globl store_at\n"
        "store_at:\n"
        "  sd a1, 0(a0)\n"
        "  ret\n"
        ".option pop\n");

static volatile unsigned long data[5] __attribute__((aligned(32)));

static volatile unsigned long m_count, m_cause, m_epc, m_tval, m_status;
static volatile unsigned long s_count, s_cause, s_epc, s_tval;

static void mhandler(struct nvsoc_trap_frame* f) {
    m_count++;
    m_cause = f->cause;
    m_epc = f->epc;
    m_tval = f->tval;
    m_status = f->status;
    nvsoc_skip_insn(f);
}

static void shandler(struct nvsoc_trap_frame* f) {
    s_count++;
    s_cause = f->cause;
    s_epc = f->epc;
    s_tval = f->tval;
    nvsoc_skip_insn(f);
}

/* Arms trigger `index` (tdata2 first, so that it never matches a stale
 * address) and checks that the configuration reads back as written. */
static void arm(unsigned long index, unsigned long tdata1, unsigned long tdata2) {
    csrw_n(CSR_TSELECT, index);
    csrw_n(CSR_TDATA1, 0);
    csrw_n(CSR_TDATA2, tdata2);
    csrw_n(CSR_TDATA1, tdata1);
    CHECK_EQ(csrr_n(CSR_TSELECT), index);
    CHECK_EQ(csrr_n(CSR_TDATA1), tdata1);
    CHECK_EQ(csrr_n(CSR_TDATA2), tdata2);
}

static void disarm(unsigned long index) {
    csrw_n(CSR_TSELECT, index);
    csrw_n(CSR_TDATA1, 0);
}

static void expect_m_breakpoint(unsigned long count, unsigned long epc, unsigned long tval) {
    CHECK_EQ(m_count, count);
    CHECK_EQ(m_cause, CAUSE_BREAKPOINT);
    CHECK_EQ(m_epc, epc);
    CHECK_EQ(m_tval, tval);
}

/* Run in U or S through nvsoc_run_in_mode. */
static long run_exec(long arg) {
    (void)arg;
    return (long)exec_probe();
}
static long run_load(long arg) {
    return (long)load_probe((volatile unsigned long*)arg);
}
static long run_store(long arg) {
    store_probe((volatile unsigned long*)arg, 0x5555);
    return 0;
}

/* In S: runs run_exec in U with breakpoints delegated to S. */
static long s_runs_u_exec(long arg) {
    csr_write(stvec, (unsigned long)nvsoc_strap_entry);
    return nvsoc_srun_in_umode(run_exec, arg);
}

static unsigned count_triggers(void) {
    unsigned n = 0;
    for (; n < 64; ++n) {
        csrw_n(CSR_TSELECT, n);
        if (csrr_n(CSR_TSELECT) != n) break;
        if ((csrr_n(CSR_TDATA1) >> TDATA1_TYPE_SHIFT) == 0) break;
    }
    return n;
}

int main(unsigned long hartid) {
    (void)hartid;
    uart_puts("triggers: Sdtrig mcontrol6 execute/load/store in M, S and U\n");
    nvsoc_mtrap_handler = mhandler;
    csr_clear(mie, ~0UL);
    csr_set(mstatus, MSTATUS_MIE); /* see the note at the top */

    /* At least two triggers, each of which supports type 6. */
    unsigned n = count_triggers();
    CHECK(n >= 2);
    for (unsigned i = 0; i < n; ++i) {
        csrw_n(CSR_TSELECT, i);
        CHECK(csrr_n(CSR_TINFO) & (1UL << TYPE_MCONTROL6));
    }
    /* tselect written past the last trigger keeps a valid index. */
    csrw_n(CSR_TSELECT, 1);
    csrw_n(CSR_TSELECT, n + 5);
    unsigned long sel = csrr_n(CSR_TSELECT);
    CHECK(sel < n);
    csrw_n(CSR_TSELECT, ~0UL);
    CHECK(csrr_n(CSR_TSELECT) < n);

    /* Execute in M: the addi does not run; epc and tval are its address. */
    CHECK_EQ(exec_probe(), 1);
    arm(0, MC6 | MC_M | MC_EXECUTE, (unsigned long)exec_at);
    m_count = 0;
    CHECK_EQ(exec_probe(), 0);
    expect_m_breakpoint(1, (unsigned long)exec_at, (unsigned long)exec_at);
    CHECK_EQ(m_status & MSTATUS_MPP, MSTATUS_MPP);
    CHECK(csrr_n(CSR_TDATA1) & MC6_HIT0);
    /* Loads and stores of that address do not fire an execute trigger. */
    CHECK_EQ(load_probe((volatile unsigned long*)exec_at) != ~0UL, 1);
    CHECK_EQ(m_count, 1);
    /* Disarmed, it no longer fires. */
    disarm(0);
    CHECK_EQ(exec_probe(), 1);
    CHECK_EQ(m_count, 1);

    /* Load in M: rd keeps its value; tval is the address loaded. */
    data[1] = 1234;
    arm(1, MC6 | MC_M | MC_LOAD, (unsigned long)&data[1]);
    m_count = 0;
    CHECK_EQ(load_probe(&data[1]), ~0UL);
    expect_m_breakpoint(1, (unsigned long)load_at, (unsigned long)&data[1]);
    /* A store there and a load elsewhere do not fire it. */
    store_probe(&data[1], 77);
    CHECK_EQ(load_probe(&data[2]), data[2]);
    CHECK_EQ(m_count, 1);
    /* A doubleword load that covers the matched address fires too, with
     * tval = the address that matched. */
    arm(1, MC6 | MC_M | MC_LOAD, (unsigned long)&data[1] + 4);
    CHECK_EQ(load_probe(&data[1]), ~0UL);
    expect_m_breakpoint(2, (unsigned long)load_at, (unsigned long)&data[1] + 4);
    disarm(1);
    CHECK_EQ(data[1], 77); /* (a load the trigger would have caught) */

    /* Store in M: memory is unchanged. */
    data[2] = 0xabcd;
    arm(0, MC6 | MC_M | MC_STORE, (unsigned long)&data[2]);
    m_count = 0;
    store_probe(&data[2], 0x1111);
    expect_m_breakpoint(1, (unsigned long)store_at, (unsigned long)&data[2]);
    CHECK_EQ(data[2], 0xabcd);
    CHECK_EQ(load_probe(&data[2]), 0xabcd); /* loads do not fire a store trigger */
    CHECK_EQ(m_count, 1);
    disarm(0);
    store_probe(&data[2], 0x2222);
    CHECK_EQ(data[2], 0x2222);
    CHECK_EQ(m_count, 1);

    /* Two triggers at once: each fires on its own address. */
    arm(0, MC6 | MC_M | MC_STORE, (unsigned long)&data[0]);
    arm(1, MC6 | MC_M | MC_LOAD, (unsigned long)&data[3]);
    m_count = 0;
    store_probe(&data[0], 9);
    expect_m_breakpoint(1, (unsigned long)store_at, (unsigned long)&data[0]);
    CHECK_EQ(load_probe(&data[3]), ~0UL);
    expect_m_breakpoint(2, (unsigned long)load_at, (unsigned long)&data[3]);
    disarm(0);
    disarm(1);

    /* A range: napot over the 32 bytes of data[] (ge and lt would catch
     * this program's own loads and stores around it). */
    data[3] = 3;
    arm(0, MC6 | MC_M | MC_STORE | MC_MATCH(MATCH_NAPOT), (unsigned long)&data[0] + 15);
    m_count = 0;
    store_probe(&data[3], 4);
    expect_m_breakpoint(1, (unsigned long)store_at, (unsigned long)&data[3]);
    CHECK_EQ(data[3], 3);
    store_probe(&data[4], 5); /* just past the range */
    CHECK_EQ(m_count, 1);
    disarm(0);

    /* U mode: a trigger with only u set fires there (to M, not delegated);
     * one with only s set does not. */
    arm(0, MC6 | MC_U | MC_EXECUTE, (unsigned long)exec_at);
    m_count = 0;
    CHECK_EQ(nvsoc_run_in_mode(PRV_U, run_exec, 0), 0);
    expect_m_breakpoint(1, (unsigned long)exec_at, (unsigned long)exec_at);
    CHECK_EQ(m_status & MSTATUS_MPP, 0);
    CHECK_EQ(nvsoc_run_in_mode(PRV_S, run_exec, 0), 1); /* u only: not in S */
    CHECK_EQ(exec_probe(), 1);                          /* nor in M */
    CHECK_EQ(m_count, 1);
    arm(0, MC6 | MC_S | MC_LOAD, (unsigned long)&data[1]);
    data[1] = 42;
    CHECK_EQ(nvsoc_run_in_mode(PRV_U, run_load, (long)&data[1]), 42);
    CHECK_EQ(m_count, 1);

    /* S mode: load and store triggers. */
    CHECK_EQ(nvsoc_run_in_mode(PRV_S, run_load, (long)&data[1]), -1);
    expect_m_breakpoint(2, (unsigned long)load_at, (unsigned long)&data[1]);
    CHECK_EQ(m_status & MSTATUS_MPP, 1UL << 11);
    arm(1, MC6 | MC_S | MC_U | MC_STORE, (unsigned long)&data[2]);
    data[2] = 6;
    nvsoc_run_in_mode(PRV_S, run_store, (long)&data[2]);
    expect_m_breakpoint(3, (unsigned long)store_at, (unsigned long)&data[2]);
    nvsoc_run_in_mode(PRV_U, run_store, (long)&data[2]);
    expect_m_breakpoint(4, (unsigned long)store_at, (unsigned long)&data[2]);
    CHECK_EQ(data[2], 6);
    disarm(0);
    disarm(1);

    /* Delegated: a breakpoint in U with medeleg[3] goes to S. */
    csr_write(medeleg, (1UL << CAUSE_BREAKPOINT) | (1UL << 8));
    nvsoc_strap_handler = shandler;
    arm(1, MC6 | MC_U | MC_EXECUTE, (unsigned long)exec_at);
    m_count = 0;
    s_count = 0;
    CHECK_EQ(nvsoc_run_in_mode(PRV_S, s_runs_u_exec, 0), 0);
    CHECK_EQ(m_count, 0);
    CHECK_EQ(s_count, 1);
    CHECK_EQ(s_cause, CAUSE_BREAKPOINT);
    CHECK_EQ(s_epc, (unsigned long)exec_at);
    CHECK_EQ(s_tval, (unsigned long)exec_at);
    disarm(1);
    csr_write(medeleg, 0);
    nvsoc_strap_handler = 0;

    nvsoc_mtrap_handler = 0;
    return 0;
}
