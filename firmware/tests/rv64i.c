/* RV64I: ALU, immediates, shifts (incl. amount masking), W-ops and their
 * sign extension, lui/auipc, loads with sign/zero extension, stores of every
 * width, all branches with signed/unsigned corners, jal/jalr. */
#include "nvsoc_test.h"

#define RR(op, a, b) ({ unsigned long _r; \
    __asm__ volatile(op " %0, %1, %2" : "=r"(_r) : "r"((unsigned long)(a)), "r"((unsigned long)(b))); _r; })
#define RI(op, a, imm) ({ unsigned long _r; \
    __asm__ volatile(op " %0, %1, %2" : "=r"(_r) : "r"((unsigned long)(a)), "i"(imm)); _r; })
#define LOAD(op, base, off) ({ unsigned long _r; \
    __asm__ volatile(op " %0, " #off "(%1)" : "=r"(_r) : "r"(base) : "memory"); _r; })
#define STORE(op, val, base, off) \
    __asm__ volatile(op " %0, " #off "(%1)" :: "r"((unsigned long)(val)), "r"(base) : "memory")
#define BR(op, a, b) ({ unsigned long _t; \
    __asm__ volatile(op " %1, %2, 1f\n\tli %0, 0\n\tj 2f\n1:\tli %0, 1\n2:" \
                     : "=&r"(_t) : "r"((unsigned long)(a)), "r"((unsigned long)(b))); _t; })

static void alu(void)
{
    CHECK_EQ(RR("add", 0x7fffffffffffffff, 1), 0x8000000000000000);
    CHECK_EQ(RR("add", -1L, 1), 0);
    CHECK_EQ(RR("sub", 0, 1), 0xffffffffffffffff);
    CHECK_EQ(RR("sub", 0x8000000000000000, 1), 0x7fffffffffffffff);
    CHECK_EQ(RI("addi", 5, -6), -1L);
    CHECK_EQ(RI("addi", 0, 2047), 2047);
    CHECK_EQ(RI("addi", 0, -2048), -2048L);
    CHECK_EQ(RR("and", 0xff00ff00ff00ff00, 0x0ff00ff00ff00ff0), 0x0f000f000f000f00);
    CHECK_EQ(RR("or", 0xff00ff00ff00ff00, 0x0ff00ff00ff00ff0), 0xfff0fff0fff0fff0);
    CHECK_EQ(RR("xor", 0xff00ff00ff00ff00, 0x0ff00ff00ff00ff0), 0xf0f0f0f0f0f0f0f0);
    CHECK_EQ(RI("andi", -1L, -16), 0xfffffffffffffff0);
    CHECK_EQ(RI("andi", 0x1234, 0xf0), 0x30);
    CHECK_EQ(RI("ori", 0, -1), -1L);
    CHECK_EQ(RI("ori", 0x1200, 0x34), 0x1234);
    CHECK_EQ(RI("xori", 0x1234, -1), 0xffffffffffffedcb);
    CHECK_EQ(RI("xori", 0xff, 0x0f), 0xf0);

    CHECK_EQ(RR("slt", -1L, 1), 1);
    CHECK_EQ(RR("slt", 1, -1L), 0);
    CHECK_EQ(RR("slt", 5, 5), 0);
    CHECK_EQ(RR("slt", 0x8000000000000000, 0x7fffffffffffffff), 1);
    CHECK_EQ(RR("sltu", -1L, 1), 0);
    CHECK_EQ(RR("sltu", 1, -1L), 1);
    CHECK_EQ(RI("slti", -5L, -4), 1);
    CHECK_EQ(RI("slti", -4L, -4), 0);
    CHECK_EQ(RI("sltiu", 5, -1), 1);       /* immediate sign-extends, then unsigned */
    CHECK_EQ(RI("sltiu", -1L, -1), 0);
    CHECK_EQ(RI("sltiu", 0, 1), 1);
    CHECK_EQ(RI("sltiu", 1, 1), 0);
}

static void shifts(void)
{
    CHECK_EQ(RR("sll", 1, 63), 0x8000000000000000);
    CHECK_EQ(RR("sll", 1, 64 + 3), 8);                 /* only rs2[5:0] */
    CHECK_EQ(RR("srl", 0x8000000000000000, 63), 1);
    CHECK_EQ(RR("srl", -1L, 0x40), -1L);                /* shift by 0 */
    CHECK_EQ(RR("sra", 0x8000000000000000, 63), -1L);
    CHECK_EQ(RR("sra", 0x8000000000000000, 4), 0xf800000000000000);
    CHECK_EQ(RR("sra", 0x4000000000000000, 62), 1);
    CHECK_EQ(RI("slli", 3, 62), 0xc000000000000000);
    CHECK_EQ(RI("srli", -1L, 60), 0xf);
    CHECK_EQ(RI("srai", 0x8000000000000000, 1), 0xc000000000000000);
    CHECK_EQ(RI("srai", 0x7000000000000000, 60), 7);
}

static void word_ops(void)
{
    CHECK_EQ(RR("addw", 0x7fffffff, 1), 0xffffffff80000000);
    CHECK_EQ(RR("addw", 0xffffffff, 1), 0);
    CHECK_EQ(RR("addw", 0x123456789, 0), 0x23456789);
    CHECK_EQ(RR("addw", 0xfffffffe, 0), 0xfffffffffffffffe);
    CHECK_EQ(RR("subw", 0, 1), -1L);
    CHECK_EQ(RR("subw", 0x80000000, 1), 0x7fffffff);
    CHECK_EQ(RR("subw", 0x100000000, 0), 0);
    CHECK_EQ(RI("addiw", 0x7fffffff, 1), 0xffffffff80000000);
    CHECK_EQ(RI("addiw", 0xffffffff00000000, 0), 0);
    CHECK_EQ(RI("addiw", 0x80000000, 0), 0xffffffff80000000);   /* sext.w */
    CHECK_EQ(RI("addiw", 0, -1), -1L);
    CHECK_EQ(RR("sllw", 1, 31), 0xffffffff80000000);
    CHECK_EQ(RR("sllw", 1, 32), 1);                    /* only rs2[4:0] */
    CHECK_EQ(RR("sllw", 0xffffffff00000001, 4), 0x10);
    CHECK_EQ(RR("srlw", 0xffffffff80000000, 31), 1);
    CHECK_EQ(RR("srlw", 0x80000000, 0), 0xffffffff80000000);
    CHECK_EQ(RR("srlw", 0x80000000, 1), 0x40000000);
    CHECK_EQ(RR("srlw", 0xffffffffffffffff, 4), 0x0fffffff);
    CHECK_EQ(RR("sraw", 0x80000000, 4), 0xfffffffff8000000);
    CHECK_EQ(RR("sraw", 0x7fffffff, 35), 0x0fffffff);
    CHECK_EQ(RR("sraw", 0x0000000180000000, 0), 0xffffffff80000000);
    CHECK_EQ(RI("slliw", 1, 31), 0xffffffff80000000);
    CHECK_EQ(RI("slliw", 0x12345678, 4), 0x23456780);
    CHECK_EQ(RI("srliw", -1L, 1), 0x7fffffff);
    CHECK_EQ(RI("srliw", 0x80000000, 0), 0xffffffff80000000);
    CHECK_EQ(RI("sraiw", 0x80000000, 31), -1L);
    CHECK_EQ(RI("sraiw", 0x1234567840000000, 30), 1);
}

static void upper(void)
{
    unsigned long v, a, b;
    __asm__ volatile("lui %0, 0x80000" : "=r"(v));
    CHECK_EQ(v, 0xffffffff80000000);
    __asm__ volatile("lui %0, 0x7ffff" : "=r"(v));
    CHECK_EQ(v, 0x7ffff000);
    __asm__ volatile("1: auipc %0, 0\n\tla %1, 1b" : "=r"(a), "=r"(b));
    CHECK_EQ(a, b);
    __asm__ volatile("1: auipc %0, 1\n\tla %1, 1b" : "=r"(a), "=r"(b));
    CHECK_EQ(a, b + 0x1000);
    __asm__ volatile("1: auipc %0, 0xfffff\n\tla %1, 1b" : "=r"(a), "=r"(b));
    CHECK_EQ(a, b - 0x1000);
    __asm__ volatile("addi x0, x0, 5\n\tmv %0, x0" : "=r"(v));
    CHECK_EQ(v, 0);
}

static uint8_t lbuf[16] __attribute__((aligned(8))) = {
    0x81, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88,
    0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08,
};

static void loads(void)
{
    uint8_t *p = lbuf;
    uint8_t *q = lbuf + 8;
    CHECK_EQ(LOAD("lb", p, 0), 0xffffffffffffff81);
    CHECK_EQ(LOAD("lbu", p, 0), 0x81);
    CHECK_EQ(LOAD("lb", p, 8), 0x01);
    CHECK_EQ(LOAD("lb", q, -1), 0xffffffffffffff88);
    CHECK_EQ(LOAD("lh", p, 0), 0xffffffffffff8281);
    CHECK_EQ(LOAD("lhu", p, 0), 0x8281);
    CHECK_EQ(LOAD("lh", p, 2), 0xffffffffffff8483);
    CHECK_EQ(LOAD("lh", p, 8), 0x0201);
    CHECK_EQ(LOAD("lhu", q, -2), 0x8887);
    CHECK_EQ(LOAD("lw", p, 0), 0xffffffff84838281);
    CHECK_EQ(LOAD("lwu", p, 0), 0x84838281);
    CHECK_EQ(LOAD("lw", p, 4), 0xffffffff88878685);
    CHECK_EQ(LOAD("lw", p, 8), 0x04030201);
    CHECK_EQ(LOAD("lwu", q, 4), 0x08070605);
    CHECK_EQ(LOAD("ld", p, 0), 0x8887868584838281);
    CHECK_EQ(LOAD("ld", p, 8), 0x0807060504030201);
    CHECK_EQ(LOAD("ld", q, -8), 0x8887868584838281);
}

static void stores(void)
{
    static volatile uint64_t w[3];
    uint8_t *p = (uint8_t *)&w[1];
    w[0] = w[1] = w[2] = 0;
    STORE("sb", 0x1ab, p, 3);
    CHECK_EQ(w[1], 0xab000000);
    STORE("sh", 0xffffcdef, p, 6);
    CHECK_EQ(w[1], 0xcdef0000ab000000);
    STORE("sw", 0x1155667788, p, 0);
    CHECK_EQ(w[1], 0xcdef000055667788);
    STORE("sb", 0x5a, p, -1);
    CHECK_EQ(w[0], 0x5a00000000000000);
    STORE("sh", 0x1234, p, 8);
    CHECK_EQ(w[2], 0x1234);
    CHECK_EQ(w[1], 0xcdef000055667788);
    STORE("sd", 0x0123456789abcdef, p, 0);
    CHECK_EQ(w[1], 0x0123456789abcdef);
    CHECK_EQ(w[0], 0x5a00000000000000);
    CHECK_EQ(w[2], 0x1234);
    STORE("sw", 0xdeadbeef, p, 4);
    CHECK_EQ(w[1], 0xdeadbeef89abcdef);
}

static void branches(void)
{
    CHECK_EQ(BR("beq", 3, 3), 1);
    CHECK_EQ(BR("beq", 3, 4), 0);
    CHECK_EQ(BR("bne", 3, 4), 1);
    CHECK_EQ(BR("bne", -1L, -1L), 0);
    CHECK_EQ(BR("blt", -1L, 0), 1);
    CHECK_EQ(BR("blt", 0, -1L), 0);
    CHECK_EQ(BR("blt", 7, 7), 0);
    CHECK_EQ(BR("blt", 0x8000000000000000, 0x7fffffffffffffff), 1);
    CHECK_EQ(BR("bge", -1L, -1L), 1);
    CHECK_EQ(BR("bge", -2L, -1L), 0);
    CHECK_EQ(BR("bge", 0, -1L), 1);
    CHECK_EQ(BR("bltu", -1L, 0), 0);
    CHECK_EQ(BR("bltu", 0, -1L), 1);
    CHECK_EQ(BR("bltu", 1, 1), 0);
    CHECK_EQ(BR("bgeu", -1L, 0), 1);
    CHECK_EQ(BR("bgeu", 0, -1L), 0);
    CHECK_EQ(BR("bgeu", 1, 1), 1);
}

static void jumps(void)
{
    unsigned long link, tmp, where, ok;
    __asm__ volatile(".option push\n\t.option norvc\n\t"
                     "jal %0, 1f\n"
                     "1:\tla %1, 1b\n\t"
                     ".option pop"
                     : "=&r"(link), "=&r"(where));
    CHECK_EQ(link, where);
    /* jalr clears bit 0 of the target and links to the next instruction. */
    __asm__ volatile(".option push\n\t.option norvc\n\t"
                     "la %1, 2f\n\t"
                     "addi %1, %1, 1\n\t"
                     "jalr %0, 0(%1)\n"
                     "1:\tli %2, 0\n\t"
                     "j 3f\n"
                     "2:\tli %2, 1\n"
                     "3:\tla %3, 1b\n\t"
                     ".option pop"
                     : "=&r"(link), "=&r"(tmp), "=&r"(ok), "=&r"(where));
    CHECK_EQ(ok, 1);
    CHECK_EQ(link, where);
    /* jalr with a negative offset, rd = rs1. */
    __asm__ volatile(".option push\n\t.option norvc\n\t"
                     "la %0, 2f + 8\n\t"
                     "jalr %0, -8(%0)\n\t"
                     "li %1, 0\n\t"
                     "j 3f\n"
                     "2:\tli %1, 1\n"
                     "3:\n\t"
                     ".option pop"
                     : "=&r"(link), "=&r"(ok));
    CHECK_EQ(ok, 1);
}

int main(unsigned long hartid)
{
    (void)hartid;
    uart_puts("rv64i: integer ALU, shifts, W-ops, loads/stores, branches, jumps\n");
    alu();
    shifts();
    word_ops();
    upper();
    loads();
    stores();
    branches();
    jumps();
    return 0;
}
