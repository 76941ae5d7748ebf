/* RV64M: multiply (all high-part variants), divide/remainder incl. the
 * spec's division-by-zero and signed-overflow results, and the W forms. */
#include "nvsoc_test.h"

#define RR(op, a, b) ({ unsigned long _r; \
    __asm__ volatile(op " %0, %1, %2" : "=r"(_r) : "r"((unsigned long)(a)), "r"((unsigned long)(b))); _r; })

#define MIN64 0x8000000000000000UL
#define MIN32 0x80000000UL

int main(unsigned long hartid)
{
    (void)hartid;
    uart_puts("rv64m: mul/div/rem, division by zero, overflow\n");

    /* multiply */
    CHECK_EQ(RR("mul", 7, -3L), -21L);
    CHECK_EQ(RR("mul", 0x100000001, 0x100000001), 0x200000001);     /* low 64 of 2^64+2^33+1 */
    CHECK_EQ(RR("mul", MIN64, -1L), MIN64);
    CHECK_EQ(RR("mulh", -1L, -1L), 0);
    CHECK_EQ(RR("mulh", MIN64, MIN64), 0x4000000000000000);
    CHECK_EQ(RR("mulh", MIN64, 2), -1L);
    CHECK_EQ(RR("mulh", 0x7fffffffffffffff, 0x7fffffffffffffff), 0x3fffffffffffffff);
    CHECK_EQ(RR("mulhu", -1L, -1L), 0xfffffffffffffffe);
    CHECK_EQ(RR("mulhu", MIN64, 2), 1);
    CHECK_EQ(RR("mulhsu", -1L, -1L), -1L);   /* -1 * (2^64-1): high half all ones */
    CHECK_EQ(RR("mulhsu", 1, -1L), 0);
    CHECK_EQ(RR("mulhsu", -2L, 3), -1L);
    CHECK_EQ(RR("mulhsu", MIN64, MIN64), 0xc000000000000000);
    CHECK_EQ(RR("mulw", 0x7fffffff, 2), 0xfffffffffffffffe);
    CHECK_EQ(RR("mulw", 0x10000, 0x10000), 0);
    CHECK_EQ(RR("mulw", 0x100000003, 0x200000005), 15);            /* upper bits ignored */
    CHECK_EQ(RR("mulw", 0x8000, 0x10000), 0xffffffff80000000);

    /* divide, truncating toward zero */
    CHECK_EQ(RR("div", 20, 6), 3);
    CHECK_EQ(RR("div", -20L, 6), -3L);
    CHECK_EQ(RR("div", 20, -6L), -3L);
    CHECK_EQ(RR("div", -20L, -6L), 3);
    CHECK_EQ(RR("rem", 20, 6), 2);
    CHECK_EQ(RR("rem", -20L, 6), -2L);       /* sign of the dividend */
    CHECK_EQ(RR("rem", 20, -6L), 2);
    CHECK_EQ(RR("rem", -20L, -6L), -2L);
    CHECK_EQ(RR("divu", -20L, 6), 0x2aaaaaaaaaaaaaa7);  /* (2^64-20)/6 */
    CHECK_EQ(RR("remu", -20L, 6), 2);
    CHECK_EQ(RR("divu", MIN64, 2), 0x4000000000000000);

    /* division by zero: quotient all ones, remainder = dividend */
    CHECK_EQ(RR("div", 1234, 0), -1L);
    CHECK_EQ(RR("div", -1234L, 0), -1L);
    CHECK_EQ(RR("divu", 1234, 0), 0xffffffffffffffff);
    CHECK_EQ(RR("rem", -1234L, 0), -1234L);
    CHECK_EQ(RR("remu", 1234, 0), 1234);
    CHECK_EQ(RR("divw", 1234, 0), -1L);
    CHECK_EQ(RR("divuw", 1234, 0), 0xffffffffffffffff);   /* 32 ones, sign-extended */
    CHECK_EQ(RR("remw", 0x1fffffff6, 0), -10L);           /* sext(dividend[31:0]) */
    CHECK_EQ(RR("remuw", 0x180000000, 0), 0xffffffff80000000);
    CHECK_EQ(RR("remuw", 0x17fffffff, 0), 0x7fffffff);

    /* signed overflow: MIN / -1 = MIN, remainder 0 */
    CHECK_EQ(RR("div", MIN64, -1L), MIN64);
    CHECK_EQ(RR("rem", MIN64, -1L), 0);
    CHECK_EQ(RR("divw", MIN32, -1L), 0xffffffff80000000);
    CHECK_EQ(RR("remw", MIN32, -1L), 0);
    CHECK_EQ(RR("divw", 0xffffffff80000000, 0xffffffff), 0xffffffff80000000);

    /* W forms use only the low 32 bits and sign-extend the result */
    CHECK_EQ(RR("divw", 0x100000014, 0x1fffffffa), -3L);    /* 20 / -6 */
    CHECK_EQ(RR("remw", 0xfffffffffffffff1, 4), -3L);       /* -15 % 4 */
    CHECK_EQ(RR("divuw", 0xfffffffffffffff1, 4), 0x3ffffffc);
    CHECK_EQ(RR("remuw", 0xfffffffffffffff1, 4), 1);
    CHECK_EQ(RR("divuw", 0x80000000, 1), 0xffffffff80000000);
    return 0;
}
