/* F and D: the five static rounding modes (and dynamic frm) on fdiv/fcvt,
 * exception flags NX/UF/OF/DZ/NV from specific operations, canonical NaNs,
 * NaN-boxing of single-precision values, fused multiply-add (one rounding),
 * fcvt saturation, fmin/fmax with signed zeros and signalling NaNs, fclass.
 * Operands go in and out as bit patterns, so the compiler folds nothing. */
#include "nvsoc_test.h"

#define NX 0x01
#define UF 0x02
#define OF 0x04
#define DZ 0x08
#define NV 0x10

#define S_ONE 0x3f800000UL
#define S_MONE 0xbf800000UL
#define S_TWO 0x40000000UL
#define S_THREE 0x40400000UL
#define S_ZERO 0x00000000UL
#define S_MZERO 0x80000000UL
#define S_INF 0x7f800000UL
#define S_MINF 0xff800000UL
#define S_QNAN 0x7fc00000UL   /* canonical */
#define S_SNAN 0x7f800001UL
#define D_ONE 0x3ff0000000000000UL
#define D_MONE 0xbff0000000000000UL
#define D_TWO 0x4000000000000000UL
#define D_THREE 0x4008000000000000UL
#define D_QNAN 0x7ff8000000000000UL
#define D_SNAN 0x7ff0000000000001UL

/* binary op on singles: OP_S("fdiv.s", ", rtz", a, b) -> 32-bit result */
#define OP_S(op, rm, a, b) ({ unsigned long _r; \
    __asm__ volatile("fmv.w.x ft0, %1\n\tfmv.w.x ft1, %2\n\t" op " ft2, ft0, ft1" rm "\n\tfmv.x.w %0, ft2" \
                     : "=r"(_r) : "r"((unsigned long)(a)), "r"((unsigned long)(b)) : "ft0", "ft1", "ft2"); \
    _r & 0xffffffffUL; })
#define OP_D(op, rm, a, b) ({ unsigned long _r; \
    __asm__ volatile("fmv.d.x ft0, %1\n\tfmv.d.x ft1, %2\n\t" op " ft2, ft0, ft1" rm "\n\tfmv.x.d %0, ft2" \
                     : "=r"(_r) : "r"((unsigned long)(a)), "r"((unsigned long)(b)) : "ft0", "ft1", "ft2"); _r; })
#define OP3_S(op, a, b, c) ({ unsigned long _r; \
    __asm__ volatile("fmv.w.x ft0, %1\n\tfmv.w.x ft1, %2\n\tfmv.w.x ft2, %3\n\t" op " ft3, ft0, ft1, ft2\n\tfmv.x.w %0, ft3" \
                     : "=r"(_r) : "r"((unsigned long)(a)), "r"((unsigned long)(b)), "r"((unsigned long)(c)) \
                     : "ft0", "ft1", "ft2", "ft3"); _r & 0xffffffffUL; })
#define OP3_D(op, a, b, c) ({ unsigned long _r; \
    __asm__ volatile("fmv.d.x ft0, %1\n\tfmv.d.x ft1, %2\n\tfmv.d.x ft2, %3\n\t" op " ft3, ft0, ft1, ft2\n\tfmv.x.d %0, ft3" \
                     : "=r"(_r) : "r"((unsigned long)(a)), "r"((unsigned long)(b)), "r"((unsigned long)(c)) \
                     : "ft0", "ft1", "ft2", "ft3"); _r; })
/* float -> integer register: CVT_S("fcvt.w.s", ", rtz", a) */
#define CVT_S(op, rm, a) ({ unsigned long _r; \
    __asm__ volatile("fmv.w.x ft0, %1\n\t" op " %0, ft0" rm : "=r"(_r) : "r"((unsigned long)(a)) : "ft0"); _r; })
#define CVT_D(op, rm, a) ({ unsigned long _r; \
    __asm__ volatile("fmv.d.x ft0, %1\n\t" op " %0, ft0" rm : "=r"(_r) : "r"((unsigned long)(a)) : "ft0"); _r; })
/* integer -> single */
#define CVT_TO_S(op, rm, a) ({ unsigned long _r; \
    __asm__ volatile(op " ft0, %1" rm "\n\tfmv.x.w %0, ft0" : "=r"(_r) : "r"((unsigned long)(a)) : "ft0"); \
    _r & 0xffffffffUL; })
/* compare / classify: integer result */
#define CMP_S(op, a, b) ({ unsigned long _r; \
    __asm__ volatile("fmv.w.x ft0, %1\n\tfmv.w.x ft1, %2\n\t" op " %0, ft0, ft1" \
                     : "=r"(_r) : "r"((unsigned long)(a)), "r"((unsigned long)(b)) : "ft0", "ft1"); _r; })

static unsigned long flags(void) { return csr_swap(fflags, 0); }

static void rounding_modes(void)
{
    /* 1/3 in single: 0x3eaaaaab (RNE) is above the exact value */
    flags();
    CHECK_EQ(OP_S("fdiv.s", ", rne", S_ONE, S_THREE), 0x3eaaaaab);
    CHECK_EQ(flags(), NX);
    CHECK_EQ(OP_S("fdiv.s", ", rtz", S_ONE, S_THREE), 0x3eaaaaaa);
    CHECK_EQ(OP_S("fdiv.s", ", rdn", S_ONE, S_THREE), 0x3eaaaaaa);
    CHECK_EQ(OP_S("fdiv.s", ", rup", S_ONE, S_THREE), 0x3eaaaaab);
    CHECK_EQ(OP_S("fdiv.s", ", rmm", S_ONE, S_THREE), 0x3eaaaaab);
    CHECK_EQ(OP_S("fdiv.s", ", rne", S_MONE, S_THREE), 0xbeaaaaab);
    CHECK_EQ(OP_S("fdiv.s", ", rtz", S_MONE, S_THREE), 0xbeaaaaaa);
    CHECK_EQ(OP_S("fdiv.s", ", rdn", S_MONE, S_THREE), 0xbeaaaaab);
    CHECK_EQ(OP_S("fdiv.s", ", rup", S_MONE, S_THREE), 0xbeaaaaaa);
    CHECK_EQ(OP_S("fdiv.s", ", rmm", S_MONE, S_THREE), 0xbeaaaaab);
    /* 1/3 in double: 0x3fd5555555555555 (RNE) is below the exact value */
    CHECK_EQ(OP_D("fdiv.d", ", rne", D_ONE, D_THREE), 0x3fd5555555555555);
    CHECK_EQ(OP_D("fdiv.d", ", rtz", D_ONE, D_THREE), 0x3fd5555555555555);
    CHECK_EQ(OP_D("fdiv.d", ", rdn", D_ONE, D_THREE), 0x3fd5555555555555);
    CHECK_EQ(OP_D("fdiv.d", ", rup", D_ONE, D_THREE), 0x3fd5555555555556);
    CHECK_EQ(OP_D("fdiv.d", ", rmm", D_ONE, D_THREE), 0x3fd5555555555555);
    CHECK_EQ(OP_D("fdiv.d", ", rdn", D_MONE, D_THREE), 0xbfd5555555555556);
    CHECK_EQ(OP_D("fdiv.d", ", rup", D_MONE, D_THREE), 0xbfd5555555555555);

    /* ties: 2.5 and -2.5 to integers */
    CHECK_EQ(CVT_S("fcvt.w.s", ", rne", 0x40200000), 2);
    CHECK_EQ(CVT_S("fcvt.w.s", ", rtz", 0x40200000), 2);
    CHECK_EQ(CVT_S("fcvt.w.s", ", rdn", 0x40200000), 2);
    CHECK_EQ(CVT_S("fcvt.w.s", ", rup", 0x40200000), 3);
    CHECK_EQ(CVT_S("fcvt.w.s", ", rmm", 0x40200000), 3);
    CHECK_EQ(CVT_S("fcvt.w.s", ", rne", 0xc0200000), -2L);
    CHECK_EQ(CVT_S("fcvt.w.s", ", rtz", 0xc0200000), -2L);
    CHECK_EQ(CVT_S("fcvt.w.s", ", rdn", 0xc0200000), -3L);
    CHECK_EQ(CVT_S("fcvt.w.s", ", rup", 0xc0200000), -2L);
    CHECK_EQ(CVT_S("fcvt.w.s", ", rmm", 0xc0200000), -3L);
    CHECK_EQ(CVT_S("fcvt.l.s", ", rne", 0x3fc00000), 2);          /* 1.5 */
    CHECK_EQ(CVT_S("fcvt.l.s", ", rne", 0x3f000000), 0);          /* 0.5 */
    CHECK_EQ(CVT_S("fcvt.l.s", ", rmm", 0x3f000000), 1);
    CHECK_EQ(CVT_D("fcvt.w.d", ", rmm", 0xc004000000000000), -3L); /* -2.5 */
    CHECK_EQ(CVT_D("fcvt.l.d", ", rup", 0xc004000000000000), -2L);
    CHECK_EQ(flags(), NX);
    /* integer to float: 2^24 + 1 is not representable in single */
    CHECK_EQ(CVT_TO_S("fcvt.s.w", ", rne", 16777217), 0x4b800000);
    CHECK_EQ(CVT_TO_S("fcvt.s.w", ", rup", 16777217), 0x4b800001);
    CHECK_EQ(CVT_TO_S("fcvt.s.l", ", rdn", -16777217L), 0xcb800001);
    CHECK_EQ(CVT_TO_S("fcvt.s.wu", ", rtz", 0xffffffff), 0x4f7fffff);
    CHECK_EQ(flags(), NX);
    CHECK_EQ(CVT_TO_S("fcvt.s.w", "", 16777216), 0x4b800000);
    CHECK_EQ(flags(), 0);

    /* dynamic rounding mode from frm */
    csr_write(frm, 3);                               /* RUP */
    CHECK_EQ(OP_S("fdiv.s", "", S_MONE, S_THREE), 0xbeaaaaaa);
    CHECK_EQ(OP_D("fdiv.d", ", dyn", D_ONE, D_THREE), 0x3fd5555555555556);
    csr_write(frm, 1);                               /* RTZ */
    CHECK_EQ(OP_S("fdiv.s", "", S_ONE, S_THREE), 0x3eaaaaaa);
    csr_write(frm, 0);
    flags();
}

static void exception_flags(void)
{
    flags();
    CHECK_EQ(OP_S("fadd.s", "", 0x3fc00000, 0x3fc00000), 0x40400000);  /* 1.5 + 1.5: exact */
    CHECK_EQ(flags(), 0);
    CHECK_EQ(OP_S("fdiv.s", "", S_ONE, S_ZERO), S_INF);
    CHECK_EQ(flags(), DZ);
    CHECK_EQ(OP_S("fdiv.s", "", S_MONE, S_ZERO), S_MINF);
    CHECK_EQ(flags(), DZ);
    CHECK_EQ(OP_S("fdiv.s", "", S_ZERO, S_ZERO), S_QNAN);
    CHECK_EQ(flags(), NV);
    CHECK_EQ(OP_S("fsub.s", "", S_INF, S_INF), S_QNAN);
    CHECK_EQ(flags(), NV);
    CHECK_EQ(OP_S("fmul.s", "", S_INF, S_ZERO), S_QNAN);
    CHECK_EQ(flags(), NV);
    unsigned long r;
    __asm__ volatile("fmv.w.x ft0, %1\n\tfsqrt.s ft1, ft0\n\tfmv.x.w %0, ft1" : "=r"(r) : "r"(S_MONE) : "ft0", "ft1");
    CHECK_EQ(r & 0xffffffff, S_QNAN);
    CHECK_EQ(flags(), NV);
    /* overflow: 3e38 * 10 */
    CHECK_EQ(OP_S("fmul.s", "", 0x7f61b1e6, 0x41200000), S_INF);
    CHECK_EQ(flags(), OF | NX);
    CHECK_EQ(OP_S("fmul.s", ", rtz", 0x7f61b1e6, 0x41200000), 0x7f7fffff);
    CHECK_EQ(flags(), OF | NX);
    CHECK_EQ(OP_D("fmul.d", "", 0x7e37e43c8800759c, 0x7e37e43c8800759c), 0x7ff0000000000000);
    CHECK_EQ(flags(), OF | NX);
    /* underflow: 1e-30 * 1e-30 */
    CHECK_EQ(OP_S("fmul.s", "", 0x0da24260, 0x0da24260), 0);
    CHECK_EQ(flags(), UF | NX);
    /* an exact subnormal result is not an underflow: 2^-126 / 2 */
    CHECK_EQ(OP_S("fmul.s", "", 0x00800000, 0x3f000000), 0x00400000);
    CHECK_EQ(flags(), 0);
    /* comparisons: flt/fle signal on any NaN, feq only on signalling */
    CHECK_EQ(CMP_S("feq.s", S_QNAN, S_ONE), 0);
    CHECK_EQ(flags(), 0);
    CHECK_EQ(CMP_S("feq.s", S_SNAN, S_ONE), 0);
    CHECK_EQ(flags(), NV);
    CHECK_EQ(CMP_S("flt.s", S_QNAN, S_ONE), 0);
    CHECK_EQ(flags(), NV);
    CHECK_EQ(CMP_S("fle.s", S_ONE, S_QNAN), 0);
    CHECK_EQ(flags(), NV);
    CHECK_EQ(CMP_S("feq.s", S_ZERO, S_MZERO), 1);
    CHECK_EQ(CMP_S("flt.s", S_MZERO, S_ZERO), 0);
    CHECK_EQ(CMP_S("fle.s", S_MZERO, S_ZERO), 1);
    CHECK_EQ(flags(), 0);
    /* flags accumulate until cleared */
    (void)OP_S("fdiv.s", "", S_ONE, S_ZERO);
    (void)OP_S("fdiv.s", "", S_ONE, S_THREE);
    CHECK_EQ(flags(), DZ | NX);
}

static void nans(void)
{
    flags();
    /* results are canonical NaNs, payloads are not propagated */
    CHECK_EQ(OP_S("fadd.s", "", 0x7fc12345, S_ONE), S_QNAN);
    CHECK_EQ(OP_S("fmul.s", "", 0xffc00001, S_TWO), S_QNAN);
    CHECK_EQ(OP_D("fadd.d", "", 0x7ff8000000012345, D_ONE), D_QNAN);
    CHECK_EQ(flags(), 0);
    CHECK_EQ(OP_S("fadd.s", "", S_SNAN, S_ONE), S_QNAN);
    CHECK_EQ(flags(), NV);
    unsigned long r;
    __asm__ volatile("fmv.d.x ft0, %1\n\tfcvt.s.d ft1, ft0\n\tfmv.x.w %0, ft1" : "=r"(r) : "r"(0x7ff8000000012345UL) : "ft0", "ft1");
    CHECK_EQ(r & 0xffffffff, S_QNAN);
    __asm__ volatile("fmv.w.x ft0, %1\n\tfcvt.d.s ft1, ft0\n\tfmv.x.d %0, ft1" : "=r"(r) : "r"(0x7fc12345UL) : "ft0", "ft1");
    CHECK_EQ(r, D_QNAN);
    CHECK_EQ(flags(), 0);

    /* NaN-boxing: singles live in the low half with the upper 32 bits set */
    __asm__ volatile("fmv.w.x ft0, %1\n\tfmv.x.d %0, ft0" : "=r"(r) : "r"(S_ONE) : "ft0");
    CHECK_EQ(r, 0xffffffff00000000 | S_ONE);
    __asm__ volatile("fmv.w.x ft0, %1\n\tfmv.x.w %0, ft0" : "=r"(r) : "r"(S_MONE) : "ft0");
    CHECK_EQ(r, 0xffffffffbf800000);                 /* fmv.x.w sign-extends */
    /* an unboxed value used as a single is the canonical NaN (no NV) */
    __asm__ volatile("fmv.d.x ft0, %1\n\tfadd.s ft1, ft0, ft0\n\tfmv.x.w %0, ft1" : "=r"(r) : "r"(S_ONE) : "ft0", "ft1");
    CHECK_EQ(r & 0xffffffff, S_QNAN);
    CHECK_EQ(flags(), 0);
    __asm__ volatile("fmv.d.x ft0, %1\n\tfadd.s ft1, ft0, ft0\n\tfmv.x.d %0, ft1" : "=r"(r) : "r"(S_ONE) : "ft0", "ft1");
    CHECK_EQ(r, 0xffffffff7fc00000);                 /* and the result is boxed */
    __asm__ volatile("fmv.d.x ft0, %1\n\tfmv.w.x ft1, %2\n\tfsgnj.s ft2, ft0, ft1\n\tfmv.x.w %0, ft2"
                     : "=r"(r) : "r"(0x00000000bf800000UL), "r"(S_ONE) : "ft0", "ft1", "ft2");
    CHECK_EQ(r & 0xffffffff, S_QNAN);
    /* fmv.d.x of a properly boxed pattern is a normal single */
    __asm__ volatile("fmv.d.x ft0, %1\n\tfadd.s ft1, ft0, ft0\n\tfmv.x.w %0, ft1" : "=r"(r) : "r"(0xffffffff00000000UL | S_ONE) : "ft0", "ft1");
    CHECK_EQ(r & 0xffffffff, S_TWO);
    /* flw boxes; fsw stores the low 32 bits whatever the upper half holds */
    static volatile uint32_t mem[2];
    mem[0] = 0x40490fdb;
    mem[1] = 0;
    __asm__ volatile("flw ft0, 0(%1)\n\tfmv.x.d %0, ft0" : "=r"(r) : "r"(mem) : "ft0", "memory");
    CHECK_EQ(r, 0xffffffff40490fdb);
    __asm__ volatile("fmv.d.x ft0, %0\n\tfsw ft0, 4(%1)" :: "r"(0x12345678cafef00dUL), "r"(mem) : "ft0", "memory");
    CHECK_EQ(mem[1], 0xcafef00d);
    CHECK_EQ(flags(), 0);
}

static void fused(void)
{
    flags();
    /* (1+2^-13)(1-2^-13) - 1 = -2^-26 exactly; unfused it rounds to 0 */
    CHECK_EQ(OP3_S("fmadd.s", 0x3f800400, 0x3f7ff800, S_MONE), 0xb2800000);
    CHECK_EQ(flags(), 0);
    unsigned long p = OP_S("fmul.s", "", 0x3f800400, 0x3f7ff800);
    CHECK_EQ(p, S_ONE);
    CHECK_EQ(flags(), NX);
    CHECK_EQ(OP_S("fadd.s", "", p, S_MONE), 0);
    CHECK_EQ(OP3_S("fmsub.s", 0x3f800400, 0x3f7ff800, S_ONE), 0xb2800000);
    CHECK_EQ(OP3_S("fnmadd.s", 0x3f800400, 0x3f7ff800, S_MONE), 0x32800000);
    CHECK_EQ(OP3_S("fnmsub.s", 0x3f800400, 0x3f7ff800, S_ONE), 0x32800000);
    /* double: (1+2^-27)(1-2^-27) - 1 = -2^-54 */
    flags();
    CHECK_EQ(OP3_D("fmadd.d", 0x3ff0000002000000, 0x3feffffffc000000, D_MONE), 0xbc90000000000000);
    CHECK_EQ(flags(), 0);
    CHECK_EQ(OP_D("fmul.d", "", 0x3ff0000002000000, 0x3feffffffc000000), D_ONE);
    /* signs of the four forms: 2*3 and 1 */
    CHECK_EQ(OP3_D("fmadd.d", D_TWO, D_THREE, D_ONE), 0x401c000000000000);   /*  7 */
    CHECK_EQ(OP3_D("fmsub.d", D_TWO, D_THREE, D_ONE), 0x4014000000000000);   /*  5 */
    CHECK_EQ(OP3_D("fnmadd.d", D_TWO, D_THREE, D_ONE), 0xc01c000000000000);  /* -7 */
    CHECK_EQ(OP3_D("fnmsub.d", D_TWO, D_THREE, D_ONE), 0xc014000000000000);  /* -5 */
    /* inf * 0 + qNaN is invalid */
    flags();
    CHECK_EQ(OP3_S("fmadd.s", S_INF, S_ZERO, S_QNAN), S_QNAN);
    CHECK_EQ(flags(), NV);
}

static void saturation(void)
{
    flags();
    CHECK_EQ(CVT_S("fcvt.w.s", ", rtz", 0x4f32d05e), 0x7fffffff);          /* 3e9 */
    CHECK_EQ(flags(), NV);
    CHECK_EQ(CVT_S("fcvt.w.s", ", rtz", 0xcf32d05e), 0xffffffff80000000);  /* -3e9 */
    CHECK_EQ(flags(), NV);
    CHECK_EQ(CVT_S("fcvt.w.s", ", rtz", S_INF), 0x7fffffff);
    CHECK_EQ(flags(), NV);
    CHECK_EQ(CVT_S("fcvt.w.s", ", rtz", S_MINF), 0xffffffff80000000);
    CHECK_EQ(flags(), NV);
    CHECK_EQ(CVT_S("fcvt.w.s", ", rtz", S_QNAN), 0x7fffffff);
    CHECK_EQ(flags(), NV);
    CHECK_EQ(CVT_S("fcvt.w.s", ", rtz", 0xcf000000), 0xffffffff80000000);  /* -2^31 fits */
    CHECK_EQ(flags(), 0);
    CHECK_EQ(CVT_S("fcvt.wu.s", ", rtz", S_MONE), 0);
    CHECK_EQ(flags(), NV);
    CHECK_EQ(CVT_S("fcvt.wu.s", ", rtz", 0x4f9502f9), 0xffffffffffffffff); /* 5e9: 2^32-1, sign-extended */
    CHECK_EQ(flags(), NV);
    CHECK_EQ(CVT_S("fcvt.wu.s", ", rtz", S_QNAN), 0xffffffffffffffff);
    CHECK_EQ(flags(), NV);
    CHECK_EQ(CVT_S("fcvt.wu.s", ", rtz", 0xbf000000), 0);                  /* -0.5 rounds to 0: inexact only */
    CHECK_EQ(flags(), NX);
    CHECK_EQ(CVT_S("fcvt.wu.s", ", rtz", 0x4f000000), 0xffffffff80000000); /* 2^31 */
    CHECK_EQ(flags(), 0);
    CHECK_EQ(CVT_D("fcvt.l.d", ", rtz", 0x43e02207973f6440), 0x7fffffffffffffff);  /* 9.3e18 */
    CHECK_EQ(flags(), NV);
    CHECK_EQ(CVT_D("fcvt.l.d", ", rtz", 0xc3e02207973f6440), 0x8000000000000000);
    CHECK_EQ(flags(), NV);
    CHECK_EQ(CVT_D("fcvt.l.d", ", rtz", D_QNAN), 0x7fffffffffffffff);
    CHECK_EQ(flags(), NV);
    CHECK_EQ(CVT_D("fcvt.lu.d", ", rtz", D_MONE), 0);
    CHECK_EQ(flags(), NV);
    CHECK_EQ(CVT_D("fcvt.lu.d", ", rtz", 0x43f0000000000000), 0xffffffffffffffff); /* 2^64 */
    CHECK_EQ(flags(), NV);
    CHECK_EQ(CVT_D("fcvt.w.d", ", rtz", 0x41dfffffffd9999a), 0x7fffffff);  /* 2147483647.4 */
    CHECK_EQ(flags(), NX);
    CHECK_EQ(CVT_D("fcvt.w.d", ", rtz", 0x41e0000000000000), 0x7fffffff);  /* 2^31 */
    CHECK_EQ(flags(), NV);
}

static void minmax_class(void)
{
    flags();
    CHECK_EQ(OP_S("fmin.s", "", S_MZERO, S_ZERO), S_MZERO);
    CHECK_EQ(OP_S("fmin.s", "", S_ZERO, S_MZERO), S_MZERO);
    CHECK_EQ(OP_S("fmax.s", "", S_MZERO, S_ZERO), S_ZERO);
    CHECK_EQ(OP_S("fmax.s", "", S_ZERO, S_MZERO), S_ZERO);
    CHECK_EQ(OP_S("fmin.s", "", S_QNAN, S_ONE), S_ONE);
    CHECK_EQ(OP_S("fmax.s", "", S_MONE, S_QNAN), S_MONE);
    CHECK_EQ(flags(), 0);
    CHECK_EQ(OP_S("fmin.s", "", S_SNAN, S_ONE), S_ONE);
    CHECK_EQ(flags(), NV);
    CHECK_EQ(OP_S("fmax.s", "", S_SNAN, S_QNAN), S_QNAN);
    CHECK_EQ(flags(), NV);
    CHECK_EQ(OP_S("fmax.s", "", 0x7fc12345, 0xffc00001), S_QNAN);       /* both NaN: canonical */
    CHECK_EQ(flags(), 0);
    CHECK_EQ(OP_D("fmin.d", "", D_SNAN, D_TWO), D_TWO);
    CHECK_EQ(flags(), NV);
    CHECK_EQ(OP_D("fmin.d", "", 0x8000000000000000, 0), 0x8000000000000000);
    CHECK_EQ(OP_D("fmax.d", "", 0x8000000000000000, 0), 0);
    CHECK_EQ(OP_D("fmax.d", "", D_QNAN, D_QNAN), D_QNAN);
    CHECK_EQ(flags(), 0);

    /* fclass */
    CHECK_EQ(CVT_S("fclass.s", "", S_MINF), 1 << 0);
    CHECK_EQ(CVT_S("fclass.s", "", S_MONE), 1 << 1);
    CHECK_EQ(CVT_S("fclass.s", "", 0x80000001), 1 << 2);
    CHECK_EQ(CVT_S("fclass.s", "", S_MZERO), 1 << 3);
    CHECK_EQ(CVT_S("fclass.s", "", S_ZERO), 1 << 4);
    CHECK_EQ(CVT_S("fclass.s", "", 0x00000001), 1 << 5);
    CHECK_EQ(CVT_S("fclass.s", "", S_ONE), 1 << 6);
    CHECK_EQ(CVT_S("fclass.s", "", S_INF), 1 << 7);
    CHECK_EQ(CVT_S("fclass.s", "", S_SNAN), 1 << 8);
    CHECK_EQ(CVT_S("fclass.s", "", S_QNAN), 1 << 9);
    CHECK_EQ(CVT_D("fclass.d", "", D_SNAN), 1 << 8);
    CHECK_EQ(CVT_D("fclass.d", "", 0x800fffffffffffff), 1 << 2);
    unsigned long r;
    __asm__ volatile("fmv.d.x ft0, %1\n\tfclass.s %0, ft0" : "=r"(r) : "r"(S_MONE) : "ft0");
    CHECK_EQ(r, 1 << 9);                                 /* unboxed: canonical NaN */
    CHECK_EQ(flags(), 0);

    /* sign injection */
    CHECK_EQ(OP_S("fsgnj.s", "", S_ONE, S_MZERO), S_MONE);
    CHECK_EQ(OP_S("fsgnjn.s", "", S_MONE, S_MONE), S_ONE);
    CHECK_EQ(OP_S("fsgnjx.s", "", S_MONE, S_MONE), S_ONE);
    CHECK_EQ(OP_D("fsgnjx.d", "", D_ONE, D_MONE), D_MONE);
    CHECK_EQ(OP_S("fsgnj.s", "", S_SNAN, S_MZERO), 0xff800001);        /* no canonicalisation */
    CHECK_EQ(flags(), 0);
}

int main(unsigned long hartid)
{
    (void)hartid;
    uart_puts("fp: rounding modes, fflags, NaNs, NaN-boxing, fma, saturation, fmin/fmax\n");
    CHECK(csr_read(mstatus) & MSTATUS_FS);
    csr_write(fcsr, 0);
    rounding_modes();
    exception_flags();
    nans();
    fused();
    saturation();
    minmax_class();
    CHECK_EQ(csr_read(mstatus) & MSTATUS_FS, MSTATUS_FS);        /* dirty */
    return 0;
}
