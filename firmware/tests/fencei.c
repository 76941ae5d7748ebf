/* Zifencei: code written to memory runs after fence.i, including a
 * rewrite of code that has already been executed (and is cached). */
#include "nvsoc_test.h"

static volatile uint32_t code[8] __attribute__((aligned(64)));

#define ADDI_A0(imm) ((((uint32_t)(imm) & 0xfff) << 20) | 0x00000513)  /* addi a0, zero, imm */
#define RET 0x00008067                                                 /* jalr zero, 0(ra) */

typedef long (*fn_t)(void);

static long run(void)
{
    __asm__ volatile("fence.i" ::: "memory");
    return ((fn_t)(uintptr_t)code)();
}

int main(unsigned long hartid)
{
    (void)hartid;
    uart_puts("fencei: self-modifying code\n");
    code[0] = ADDI_A0(1);
    code[1] = RET;
    CHECK_EQ(run(), 1);
    /* rewrite the instruction just executed, many times */
    for (long k = -5; k <= 5; k++) {
        code[0] = ADDI_A0(k);
        CHECK_EQ(run(), k);
        CHECK_EQ(run(), k);
    }
    /* a loop in memory: a0 = 0; 10 times a0 += 3 */
    code[0] = ADDI_A0(0);
    code[1] = 0x00a00593;      /* addi a1, zero, 10 */
    code[2] = 0x00350513;      /* addi a0, a0, 3 */
    code[3] = 0xfff58593;      /* addi a1, a1, -1 */
    code[4] = 0xfe059ce3;      /* bnez a1, -8 */
    code[5] = RET;
    CHECK_EQ(run(), 30);
    code[2] = 0xffb50513;      /* addi a0, a0, -5 */
    CHECK_EQ(run(), -50);
    /* compressed code: c.li a0, 7; c.jr ra */
    code[0] = 0x8082451d;
    CHECK_EQ(run(), 7);
    code[0] = 0x80825579;      /* c.li a0, -2; c.jr ra */
    CHECK_EQ(run(), -2);
    return 0;
}
