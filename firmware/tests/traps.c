/* Synchronous M-mode traps: ecall (11), ebreak and c.ebreak (3), illegal
 * instructions (2, mtval = the instruction bits), misaligned loads/stores
 * (trap with cause 4/6 and mtval = address, or done in hardware with the
 * right value), access faults outside DRAM (1/5/7), and the mstatus
 * MPP/MPIE bookkeeping on trap entry. */
#include "nvsoc_test.h"

static volatile unsigned long t_cause, t_epc, t_tval, t_status, t_count;

static void handler(struct nvsoc_trap_frame *f)
{
    t_cause = f->cause;
    t_epc = f->epc;
    t_tval = f->tval;
    t_status = f->status;
    t_count++;
    if (f->cause == 1)               /* fetch fault: return to the caller */
        f->epc = f->x[1];
    else
        nvsoc_skip_insn(f);
}

/* Executes `insn` at a known address; pc receives that address. */
#define AT(insn, pc) __asm__ volatile(".option push\n\t.option norvc\n\tla %0, 1f\n\t.option pop\n" \
                                      "1:\t" insn : "=&r"(pc) :: "memory")

static void ecall_ebreak(void)
{
    unsigned long pc;
    t_count = 0;
    AT("ecall", pc);
    CHECK_EQ(t_count, 1);
    CHECK_EQ(t_cause, 11);
    CHECK_EQ(t_epc, pc);
    CHECK_EQ(t_tval, 0);
    CHECK_EQ(t_status & MSTATUS_MPP, MSTATUS_MPP);      /* came from M */

    AT(".option push\n\t.option norvc\n\tebreak\n\t.option pop", pc);
    CHECK_EQ(t_count, 2);
    CHECK_EQ(t_cause, 3);
    CHECK_EQ(t_epc, pc);
    CHECK(t_tval == 0 || t_tval == pc);

    AT("c.ebreak", pc);                                 /* 2 bytes: skip must be 2 */
    CHECK_EQ(t_count, 3);
    CHECK_EQ(t_cause, 3);
    CHECK_EQ(t_epc, pc);
    CHECK_EQ(*(volatile uint16_t *)pc, 0x9002);
}

static void illegal(void)
{
    unsigned long pc;
    t_count = 0;
    AT(".word 0xfe000033", pc);                         /* OP with reserved funct7 */
    CHECK_EQ(t_count, 1);
    CHECK_EQ(t_cause, 2);
    CHECK_EQ(t_epc, pc);
    CHECK_EQ(t_tval, 0xfe000033);

    AT(".word 0xc0001073", pc);                         /* unimp: csrrw x0, cycle, x0 */
    CHECK_EQ(t_count, 2);
    CHECK_EQ(t_cause, 2);
    CHECK_EQ(t_tval, 0xc0001073);

    AT(".2byte 0", pc);                                 /* c.unimp: all zeros is illegal */
    CHECK_EQ(t_count, 3);
    CHECK_EQ(t_cause, 2);
    CHECK_EQ(t_epc, pc);
    CHECK_EQ(t_tval, 0);

    AT(".word 0x0000000b", pc);                         /* custom-0, not implemented */
    CHECK_EQ(t_count, 4);
    CHECK_EQ(t_cause, 2);
    CHECK_EQ(t_tval, 0x0000000b);
}

/* Misaligned accesses: either a trap (cause 4 load, 6 store; mtval = the
 * address; destination untouched) or the right value. */
static unsigned hw_misaligned, trapped_misaligned;

#define MIS_LOAD(op, addr, want) do { \
    unsigned long _v = 0xdeadbeef; \
    t_count = 0; \
    __asm__ volatile(op " %0, 0(%1)" : "+r"(_v) : "r"(addr) : "memory"); \
    if (t_count) { \
        CHECK_EQ(t_cause, 4); CHECK_EQ(t_tval, (uintptr_t)(addr)); CHECK_EQ(_v, 0xdeadbeef); \
        trapped_misaligned++; \
    } else { \
        CHECK_EQ(_v, want); hw_misaligned++; \
    } \
} while (0)

#define MIS_STORE(op, addr, val) ({ \
    t_count = 0; \
    __asm__ volatile(op " %0, 0(%1)" :: "r"((unsigned long)(val)), "r"(addr) : "memory"); \
    if (t_count) { \
        CHECK_EQ(t_cause, 6); CHECK_EQ(t_tval, (uintptr_t)(addr)); trapped_misaligned++; \
    } else { \
        hw_misaligned++; \
    } \
    t_count; })

static void misaligned(void)
{
    static volatile uint8_t buf[32] __attribute__((aligned(16)));
    for (int i = 0; i < 32; i++)
        buf[i] = (uint8_t)(0x80 + i);
    uintptr_t b = (uintptr_t)buf;
    MIS_LOAD("lh", b + 1, 0xffffffffffff8281);
    MIS_LOAD("lhu", b + 7, 0x8887);
    MIS_LOAD("lw", b + 2, 0xffffffff85848382);
    MIS_LOAD("lwu", b + 13, 0x908f8e8d);
    MIS_LOAD("ld", b + 4, 0x8b8a898887868584);
    MIS_LOAD("ld", b + 15, 0x969594939291908f);         /* crosses the 16-byte line */

    if (!MIS_STORE("sh", b + 1, 0x1234))
        CHECK_EQ(buf[1] | buf[2] << 8, 0x1234);
    else
        CHECK_EQ(buf[1] | buf[2] << 8, 0x8281);
    if (!MIS_STORE("sw", b + 6, 0xa1b2c3d4)) {
        CHECK_EQ(*(volatile uint16_t *)(b + 6), 0xc3d4);
        CHECK_EQ(*(volatile uint16_t *)(b + 8), 0xa1b2);
    }
    if (!MIS_STORE("sd", b + 19, 0x0102030405060708)) {
        for (int i = 0; i < 8; i++)
            CHECK_EQ(buf[19 + i], 8 - i);
    } else {
        for (int i = 0; i < 8; i++)
            CHECK_EQ(buf[19 + i], 0x80 + 19 + i);
    }
    CHECK_EQ(buf[18], 0x80 + 18);
    CHECK_EQ(buf[27], 0x80 + 27);
    uart_puts("misaligned accesses: ");
    uart_put_dec(hw_misaligned);
    uart_puts(" in hardware, ");
    uart_put_dec(trapped_misaligned);
    uart_puts(" trapped\n");
}

/* Accesses where nothing is mapped (past 1 GiB of DRAM). */
#define HOLE 0xc0000000UL

static void access_faults(void)
{
    unsigned long v = 0x1111;
    t_count = 0;
    __asm__ volatile("ld %0, 0(%1)" : "+r"(v) : "r"(HOLE + 8) : "memory");
    CHECK_EQ(t_count, 1);
    CHECK_EQ(t_cause, 5);
    CHECK_EQ(t_tval, HOLE + 8);
    CHECK_EQ(v, 0x1111);
    __asm__ volatile("sw %0, 0(%1)" :: "r"(v), "r"(HOLE + 16) : "memory");
    CHECK_EQ(t_count, 2);
    CHECK_EQ(t_cause, 7);
    CHECK_EQ(t_tval, HOLE + 16);
    /* instruction fetch: jalr into the hole, the handler returns to ra */
    __asm__ volatile("jalr ra, 0(%0)" :: "r"(HOLE + 0x40) : "ra", "memory");
    CHECK_EQ(t_count, 3);
    CHECK_EQ(t_cause, 1);
    CHECK_EQ(t_epc, HOLE + 0x40);
    CHECK_EQ(t_tval, HOLE + 0x40);
}

static void status_bits(void)
{
    /* MPIE takes MIE at the trap (MIE on, but nothing enabled in mie) */
    t_count = 0;
    csr_write(mie, 0);
    csr_set(mstatus, MSTATUS_MIE);
    __asm__ volatile("ecall" ::: "memory");
    CHECK(csr_read(mstatus) & MSTATUS_MIE);             /* mret restored it */
    csr_clear(mstatus, MSTATUS_MIE);
    CHECK_EQ(t_count, 1);
    CHECK(t_status & MSTATUS_MPIE);
    CHECK(!(t_status & MSTATUS_MIE));
    __asm__ volatile("ecall" ::: "memory");
    CHECK(!(t_status & MSTATUS_MPIE));
    CHECK(!(csr_read(mstatus) & MSTATUS_MIE));
}

int main(unsigned long hartid)
{
    (void)hartid;
    uart_puts("traps: ecall, ebreak, illegal, misaligned, access faults\n");
    nvsoc_mtrap_handler = handler;
    ecall_ebreak();
    illegal();
    misaligned();
    access_faults();
    status_bits();
    nvsoc_mtrap_handler = 0;
    return 0;
}
