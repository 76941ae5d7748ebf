// The F/D floating-point unit: rounding modes, exception flags, NaN boxing,
// conversions, comparisons and encodings, driven mostly through
// RvCore::exec_fp with hand-built Insn values (independent of the decoder),
// plus a cross-check of the software arithmetic against the host FPU.
#include <catch2/catch.hpp>

#include "models/cpu/rv_core.h"
#include "models/cpu/rv_ops.h"
#include "models/cpu/softfloat_helpers.h"

#include <cfenv>
#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <vector>

using namespace nvsoc::rv;

namespace {

constexpr uint64_t kRamBase = 0x80000000;
constexpr uint64_t kBox = 0xffffffff00000000ull;
constexpr uint64_t kQnanS = 0xffffffff7fc00000ull; // boxed canonical single NaN
constexpr uint64_t kQnanD = 0x7ff8000000000000ull;

class FlatMem : public MemoryPort {
  public:
    std::vector<uint8_t> ram = std::vector<uint8_t>(64 * 1024);
    uint8_t* direct_page(uint64_t paddr, bool) override {
        if (paddr < kRamBase || paddr - kRamBase >= ram.size()) return nullptr;
        return ram.data() + ((paddr - kRamBase) & ~uint64_t{0xfff});
    }
    bool read(uint64_t paddr, void* data, unsigned len) override {
        if (paddr < kRamBase || paddr - kRamBase + len > ram.size()) return false;
        std::memcpy(data, ram.data() + (paddr - kRamBase), len);
        return true;
    }
    bool write(uint64_t paddr, const void* data, unsigned len) override {
        if (paddr < kRamBase || paddr - kRamBase + len > ram.size()) return false;
        std::memcpy(ram.data() + (paddr - kRamBase), data, len);
        return true;
    }
    uint64_t mtime() override { return 0; }
};

CoreConfig default_config() {
    return CoreConfig{};
}

struct Fx {
    FlatMem mem;
    ReservationSet resv;
    RvCore core;
    explicit Fx(const CoreConfig& cfg = default_config()) : core(cfg, mem, resv) {
        core.reset();
        REQUIRE(core.csr_write(0x300, 1ull << 13)); // mstatus.FS = Initial
    }
    unsigned flags() const { return core.fcsr & 31; }
};

uint64_t bits(float v) {
    uint32_t b;
    std::memcpy(&b, &v, 4);
    return b | kBox;
}
uint64_t bits(double v) {
    uint64_t b;
    std::memcpy(&b, &v, 8);
    return b;
}
// Instruction builders, filled as the decoder would.
Insn op_fp(unsigned funct7, unsigned rs2, unsigned rs1, unsigned funct3, unsigned rd) {
    Insn in;
    in.op = kFpOp;
    in.rd = static_cast<uint8_t>(rd);
    in.rs1 = static_cast<uint8_t>(rs1);
    in.rs2 = static_cast<uint8_t>(rs2);
    in.rm = static_cast<uint8_t>(funct3);
    in.raw = (funct7 << 25) | (rs2 << 20) | (rs1 << 15) | (funct3 << 12) | (rd << 7) | 0x53;
    return in;
}

Insn fused(Op op, unsigned fmt, unsigned rd, unsigned rs1, unsigned rs2, unsigned rs3,
           unsigned rm) {
    static const unsigned opcode[] = {0x43, 0x47, 0x4b, 0x4f};
    Insn in;
    in.op = op;
    in.rd = static_cast<uint8_t>(rd);
    in.rs1 = static_cast<uint8_t>(rs1);
    in.rs2 = static_cast<uint8_t>(rs2);
    in.rs3 = static_cast<uint8_t>(rs3);
    in.rm = static_cast<uint8_t>(rm);
    in.raw = (rs3 << 27) | (fmt << 25) | (rs2 << 20) | (rs1 << 15) | (rm << 12) | (rd << 7) |
             opcode[op - kFpMadd];
    return in;
}

Insn mem_op(Op op, unsigned width, unsigned freg, unsigned base, int64_t imm) {
    Insn in;
    in.op = op;
    in.rm = static_cast<uint8_t>(width);
    in.rs1 = static_cast<uint8_t>(base);
    in.imm = imm;
    if (op == kFpLoad)
        in.rd = static_cast<uint8_t>(freg);
    else
        in.rs2 = static_cast<uint8_t>(freg);
    return in;
}

// funct7 values (fmt S; | 1 for D).
enum : unsigned {
    kFadd = 0x00,
    kFsub = 0x04,
    kFmul = 0x08,
    kFdiv = 0x0c,
    kFsqrt = 0x2c,
    kFsgnj = 0x10,
    kFminmax = 0x14,
    kFcvtSD = 0x20,
    kFcvtDS = 0x21,
    kFcmp = 0x50,
    kFcvtIntF = 0x60,
    kFcvtFInt = 0x68,
    kFmvXF = 0x70,
    kFmvFX = 0x78,
};

enum : unsigned { RNE = 0, RTZ = 1, RDN = 2, RUP = 3, RMM = 4, DYN = 7 };

// f3 = f1 op f2 with fflags cleared first; returns f3.
uint64_t binop(Fx& t, unsigned funct7, uint64_t a, uint64_t b, unsigned rm) {
    t.core.f[1] = a;
    t.core.f[2] = b;
    t.core.fcsr = 0;
    REQUIRE(t.core.exec_fp(op_fp(funct7, 2, 1, rm, 3)));
    return t.core.f[3];
}

// f3 = op f1 (rs2 field = sel).
uint64_t unop(Fx& t, unsigned funct7, unsigned sel, uint64_t a, unsigned rm) {
    t.core.f[1] = a;
    t.core.fcsr = 0;
    REQUIRE(t.core.exec_fp(op_fp(funct7, sel, 1, rm, 3)));
    return t.core.f[3];
}

// x10 = op f1 (FCVT to int, FMV.X, FCLASS).
uint64_t to_x(Fx& t, unsigned funct7, unsigned sel, uint64_t a, unsigned funct3) {
    t.core.f[1] = a;
    t.core.x[10] = 0xdeadbeef;
    t.core.fcsr = 0;
    REQUIRE(t.core.exec_fp(op_fp(funct7, sel, 1, funct3, 10)));
    return t.core.x[10];
}

// f3 = op x11 (FCVT from int, FMV.F.X).
uint64_t from_x(Fx& t, unsigned funct7, unsigned sel, uint64_t v, unsigned rm) {
    t.core.x[11] = v;
    t.core.fcsr = 0;
    REQUIRE(t.core.exec_fp(op_fp(funct7, sel, 11, rm, 3)));
    return t.core.f[3];
}

// x10 = compare f1, f2.
uint64_t cmp(Fx& t, unsigned funct7, uint64_t a, uint64_t b, unsigned funct3) {
    t.core.f[1] = a;
    t.core.f[2] = b;
    t.core.fcsr = 0;
    REQUIRE(t.core.exec_fp(op_fp(funct7, 2, 1, funct3, 10)));
    return t.core.x[10];
}

uint64_t fma_op(Fx& t, Op op, unsigned fmt, uint64_t a, uint64_t b, uint64_t c, unsigned rm) {
    t.core.f[1] = a;
    t.core.f[2] = b;
    t.core.f[3] = c;
    t.core.fcsr = 0;
    REQUIRE(t.core.exec_fp(fused(op, fmt, 4, 1, 2, 3, rm)));
    return t.core.f[4];
}

constexpr unsigned NX = 1, UF = 2, OF = 4, DZ = 8, NV = 16;

} // namespace

// ---------------------------------------------------------------- rounding

TEST_CASE("fp: FADD.S in every rounding mode") {
    Fx t;
    const uint64_t one = bits(1.0f), next = bits(1.0f + 0x1p-23f), next2 = bits(1.0f + 0x1p-22f);
    // 1 + 2^-24: an exact tie between 1 (even) and 1 + 2^-23.
    const uint64_t half_ulp = bits(0x1p-24f);
    CHECK(binop(t, kFadd, one, half_ulp, RNE) == one);
    CHECK(t.flags() == NX);
    CHECK(binop(t, kFadd, one, half_ulp, RMM) == next);
    CHECK(t.flags() == NX);
    CHECK(binop(t, kFadd, one, half_ulp, RTZ) == one);
    CHECK(binop(t, kFadd, one, half_ulp, RDN) == one);
    CHECK(binop(t, kFadd, one, half_ulp, RUP) == next);
    // The same tie, negative.
    const uint64_t mone = bits(-1.0f), mhalf = bits(-0x1p-24f);
    CHECK(binop(t, kFadd, mone, mhalf, RNE) == bits(-1.0f));
    CHECK(binop(t, kFadd, mone, mhalf, RMM) == bits(-1.0f - 0x1p-23f));
    CHECK(binop(t, kFadd, mone, mhalf, RDN) == bits(-1.0f - 0x1p-23f));
    CHECK(binop(t, kFadd, mone, mhalf, RUP) == bits(-1.0f));
    CHECK(binop(t, kFadd, mone, mhalf, RTZ) == bits(-1.0f));
    // A tie whose even neighbour is above: RNE and RMM agree.
    CHECK(binop(t, kFadd, next, half_ulp, RNE) == next2);
    CHECK(binop(t, kFadd, next, half_ulp, RMM) == next2);
    CHECK(binop(t, kFadd, next, half_ulp, RTZ) == next);
    // Not a tie: 0.75 ulp.
    const uint64_t three_q = bits(0x3p-25f);
    CHECK(binop(t, kFadd, one, three_q, RNE) == next);
    CHECK(binop(t, kFadd, one, three_q, RMM) == next);
    CHECK(binop(t, kFadd, one, three_q, RTZ) == one);
    // DYN takes frm.
    t.core.f[1] = one;
    t.core.f[2] = half_ulp;
    t.core.fcsr = RUP << 5;
    REQUIRE(t.core.exec_fp(op_fp(kFadd, 2, 1, DYN, 3)));
    CHECK(t.core.f[3] == next);
    CHECK(t.core.fcsr == ((RUP << 5) | NX));
    // Exact: no flags. x + (-x) is +0, or -0 in RDN.
    CHECK(binop(t, kFadd, one, one, RNE) == bits(2.0f));
    CHECK(t.flags() == 0);
    CHECK(binop(t, kFadd, one, mone, RNE) == bits(0.0f));
    CHECK(binop(t, kFadd, one, mone, RDN) == bits(-0.0f));
    CHECK(binop(t, kFsub, one, one, RMM) == bits(0.0f));
    CHECK(binop(t, kFsub, one, one, RDN) == bits(-0.0f));
}

TEST_CASE("fp: FDIV.D in every rounding mode") {
    Fx t;
    const uint64_t one = bits(1.0), three = bits(3.0), mone = bits(-1.0);
    CHECK(binop(t, kFdiv | 1, one, three, RNE) == 0x3fd5555555555555ull);
    CHECK(t.flags() == NX);
    CHECK(binop(t, kFdiv | 1, one, three, RTZ) == 0x3fd5555555555555ull);
    CHECK(binop(t, kFdiv | 1, one, three, RDN) == 0x3fd5555555555555ull);
    CHECK(binop(t, kFdiv | 1, one, three, RUP) == 0x3fd5555555555556ull);
    CHECK(binop(t, kFdiv | 1, one, three, RMM) == 0x3fd5555555555555ull);
    CHECK(binop(t, kFdiv | 1, mone, three, RDN) == 0xbfd5555555555556ull);
    CHECK(binop(t, kFdiv | 1, mone, three, RUP) == 0xbfd5555555555555ull);
    // 2/3 rounds up in RNE and RMM.
    CHECK(binop(t, kFdiv | 1, bits(2.0), three, RNE) == 0x3fe5555555555555ull);
    CHECK(binop(t, kFdiv | 1, bits(2.0), three, RUP) == 0x3fe5555555555556ull);
    // Division ties exist only among subnormals: 5 * 2^-1074 / 2 = 2.5 ulps.
    const uint64_t five_tiny = 5;
    CHECK(binop(t, kFdiv | 1, five_tiny, bits(2.0), RNE) == 2);
    CHECK(t.flags() == (NX | UF));
    CHECK(binop(t, kFdiv | 1, five_tiny, bits(2.0), RMM) == 3);
    CHECK(t.flags() == (NX | UF));
    CHECK(binop(t, kFdiv | 1, five_tiny, bits(2.0), RTZ) == 2);
    CHECK(binop(t, kFdiv | 1, five_tiny, bits(2.0), RDN) == 2);
    CHECK(binop(t, kFdiv | 1, five_tiny, bits(2.0), RUP) == 3);
    CHECK(binop(t, kFdiv | 1, five_tiny | (1ull << 63), bits(2.0), RMM) == (3 | (1ull << 63)));
    // Exact quotient: no flags.
    CHECK(binop(t, kFdiv | 1, bits(6.0), three, RNE) == bits(2.0));
    CHECK(t.flags() == 0);
}

TEST_CASE("fp: FSQRT in every rounding mode") {
    Fx t;
    // sqrt(2) as a double: 0x3ff6a09e667f3bcd lies above the true root.
    CHECK(unop(t, kFsqrt | 1, 0, bits(2.0), RNE) == 0x3ff6a09e667f3bcdull);
    CHECK(t.flags() == NX);
    CHECK(unop(t, kFsqrt | 1, 0, bits(2.0), RMM) == 0x3ff6a09e667f3bcdull);
    CHECK(unop(t, kFsqrt | 1, 0, bits(2.0), RUP) == 0x3ff6a09e667f3bcdull);
    CHECK(unop(t, kFsqrt | 1, 0, bits(2.0), RTZ) == 0x3ff6a09e667f3bccull);
    CHECK(unop(t, kFsqrt | 1, 0, bits(2.0), RDN) == 0x3ff6a09e667f3bccull);
    // As a single: 0x3fb504f3 lies below it.
    CHECK(unop(t, kFsqrt, 0, bits(2.0f), RNE) == (kBox | 0x3fb504f3));
    CHECK(unop(t, kFsqrt, 0, bits(2.0f), RMM) == (kBox | 0x3fb504f3));
    CHECK(unop(t, kFsqrt, 0, bits(2.0f), RTZ) == (kBox | 0x3fb504f3));
    CHECK(unop(t, kFsqrt, 0, bits(2.0f), RUP) == (kBox | 0x3fb504f4));
    CHECK(t.flags() == NX);
    // Exact roots, signed zeros, invalid.
    CHECK(unop(t, kFsqrt | 1, 0, bits(0.25), RMM) == bits(0.5));
    CHECK(t.flags() == 0);
    CHECK(unop(t, kFsqrt | 1, 0, bits(-0.0), RNE) == bits(-0.0));
    CHECK(t.flags() == 0);
    CHECK(unop(t, kFsqrt | 1, 0, bits(-1.0), RNE) == kQnanD);
    CHECK(t.flags() == NV);
    CHECK(unop(t, kFsqrt, 0, bits(-1.0f), RMM) == kQnanS);
    CHECK(t.flags() == NV);
    CHECK(unop(t, kFsqrt | 1, 0, bits(double(INFINITY)), RNE) == bits(double(INFINITY)));
    // Subnormal input: sqrt(2^-1074) = 2^-537.
    CHECK(unop(t, kFsqrt | 1, 0, 1, RMM) == bits(0x1p-537));
    CHECK(t.flags() == 0);
}

TEST_CASE("fp: FCVT.W.S in every rounding mode") {
    Fx t;
    struct Row {
        float in;
        int64_t out[5]; // RNE RTZ RDN RUP RMM
    };
    const Row rows[] = {
        {2.5f, {2, 2, 2, 3, 3}},       {-2.5f, {-2, -2, -3, -2, -3}}, {1.5f, {2, 1, 1, 2, 2}},
        {-1.5f, {-2, -1, -2, -1, -2}}, {0.3f, {0, 0, 0, 1, 0}},       {-0.7f, {-1, 0, -1, 0, -1}},
        {3.75f, {4, 3, 3, 4, 4}},      {0.5f, {0, 0, 0, 1, 1}},
    };
    for (const Row& r : rows) {
        for (unsigned rm = 0; rm < 5; ++rm) {
            INFO("in " << r.in << " rm " << rm);
            CHECK(to_x(t, kFcvtIntF, 0, bits(r.in), rm) == static_cast<uint64_t>(r.out[rm]));
            CHECK(t.flags() == NX);
        }
    }
    CHECK(to_x(t, kFcvtIntF, 0, bits(-7.0f), RUP) == static_cast<uint64_t>(-7));
    CHECK(t.flags() == 0);
    CHECK(to_x(t, kFcvtIntF, 0, bits(-0.0f), RDN) == 0);
    CHECK(t.flags() == 0);
    // FCVT.L.D with RMM on a large tie.
    CHECK(to_x(t, kFcvtIntF | 1, 2, bits(4503599627370495.5), RMM) == 4503599627370496ull);
    CHECK(to_x(t, kFcvtIntF | 1, 2, bits(4503599627370494.5), RNE) == 4503599627370494ull);
    CHECK(to_x(t, kFcvtIntF | 1, 2, bits(4503599627370494.5), RMM) == 4503599627370495ull);
}

TEST_CASE("fp: FCVT.S.D in every rounding mode") {
    Fx t;
    const double tie = 1.0 + 0x1p-24; // halfway between 1 and 1 + 2^-23
    CHECK(unop(t, kFcvtSD, 1, bits(tie), RNE) == bits(1.0f));
    CHECK(t.flags() == NX);
    CHECK(unop(t, kFcvtSD, 1, bits(tie), RMM) == bits(1.0f + 0x1p-23f));
    CHECK(unop(t, kFcvtSD, 1, bits(tie), RUP) == bits(1.0f + 0x1p-23f));
    CHECK(unop(t, kFcvtSD, 1, bits(tie), RDN) == bits(1.0f));
    CHECK(unop(t, kFcvtSD, 1, bits(tie), RTZ) == bits(1.0f));
    CHECK(unop(t, kFcvtSD, 1, bits(-tie), RDN) == bits(-1.0f - 0x1p-23f));
    CHECK(unop(t, kFcvtSD, 1, bits(-tie), RMM) == bits(-1.0f - 0x1p-23f));
    CHECK(unop(t, kFcvtSD, 1, bits(-tie), RUP) == bits(-1.0f));
    // Exact: no flags.
    CHECK(unop(t, kFcvtSD, 1, bits(0.375), RNE) == bits(0.375f));
    CHECK(t.flags() == 0);
    // Overflow.
    CHECK(unop(t, kFcvtSD, 1, bits(1e39), RNE) == bits(float(INFINITY)));
    CHECK(t.flags() == (OF | NX));
    CHECK(unop(t, kFcvtSD, 1, bits(1e39), RTZ) == (kBox | 0x7f7fffff));
    CHECK(t.flags() == (OF | NX));
    CHECK(unop(t, kFcvtSD, 1, bits(-1e39), RUP) == (kBox | 0xff7fffff));
    CHECK(unop(t, kFcvtSD, 1, bits(-1e39), RDN) == bits(-float(INFINITY)));
    // Half the smallest subnormal: a tie between 0 and 2^-149.
    CHECK(unop(t, kFcvtSD, 1, bits(0x1p-150), RNE) == bits(0.0f));
    CHECK(t.flags() == (UF | NX));
    CHECK(unop(t, kFcvtSD, 1, bits(0x1p-150), RMM) == (kBox | 1));
    CHECK(t.flags() == (UF | NX));
    CHECK(unop(t, kFcvtSD, 1, bits(0x1p-150), RUP) == (kBox | 1));
    CHECK(unop(t, kFcvtSD, 1, bits(-0x1p-150), RDN) == (kBox | 0x80000001));
    CHECK(unop(t, kFcvtSD, 1, bits(-0x1p-150), RTZ) == bits(-0.0f));
    // Widening is exact, including subnormals.
    CHECK(unop(t, kFcvtDS, 0, kBox | 1, RNE) == bits(0x1p-149));
    CHECK(t.flags() == 0);
}

// ---------------------------------------------------------------- flags

TEST_CASE("fp: overflow result and flags per rounding mode") {
    Fx t;
    const uint64_t max = 0x7fefffffffffffffull, inf = 0x7ff0000000000000ull;
    const uint64_t s = 1ull << 63;
    const uint64_t expect_pos[5] = {inf, max, max, inf, inf};
    const uint64_t expect_neg[5] = {s | inf, s | max, s | inf, s | max, s | inf};
    for (unsigned rm = 0; rm < 5; ++rm) {
        INFO("rm " << rm);
        CHECK(binop(t, kFmul | 1, max, bits(2.0), rm) == expect_pos[rm]);
        CHECK(t.flags() == (OF | NX));
        CHECK(binop(t, kFmul | 1, max, bits(-2.0), rm) == expect_neg[rm]);
        CHECK(t.flags() == (OF | NX));
    }
    // Single: max + half an ulp of max rounds to infinity in RNE/RMM.
    CHECK(binop(t, kFadd, kBox | 0x7f7fffff, bits(0x1p103f), RNE) == bits(float(INFINITY)));
    CHECK(t.flags() == (OF | NX));
    CHECK(binop(t, kFadd, kBox | 0x7f7fffff, bits(0x1p103f), RMM) == bits(float(INFINITY)));
    // In RTZ it rounds (unbounded exponent) to max itself: no overflow.
    CHECK(binop(t, kFadd, kBox | 0x7f7fffff, bits(0x1p103f), RTZ) == (kBox | 0x7f7fffff));
    CHECK(t.flags() == NX);
    // 2^128 exactly overflows in RTZ too.
    CHECK(binop(t, kFadd, kBox | 0x7f7fffff, bits(0x1p104f), RTZ) == (kBox | 0x7f7fffff));
    CHECK(t.flags() == (OF | NX));
    CHECK(binop(t, kFadd, kBox | 0x7f7fffff, bits(0x1p104f), RMM) == bits(float(INFINITY)));
    CHECK(t.flags() == (OF | NX));
    // Just under half an ulp: no overflow in RNE.
    CHECK(binop(t, kFadd, kBox | 0x7f7fffff, bits(0x1p102f), RNE) == (kBox | 0x7f7fffff));
    CHECK(t.flags() == NX);
}

TEST_CASE("fp: underflow needs tiny and inexact, tininess after rounding") {
    Fx t;
    // Exact subnormal result: no flags at all.
    CHECK(binop(t, kFmul | 1, bits(0x1p-1000), bits(0x1p-60), RNE) == bits(0x1p-1060));
    CHECK(t.flags() == 0);
    // Inexact subnormal result: UF and NX.
    CHECK(binop(t, kFmul | 1, bits(1.0 + 0x1p-52), bits(0x1p-1030), RNE) == bits(0x1p-1030));
    CHECK(t.flags() == (UF | NX));
    // (1 - 2^-53) * 2^-1022 is exact at 53 bits but below 2^-1022 (tiny); in the
    // subnormal format it is a tie that RNE rounds up to the smallest normal.
    CHECK(binop(t, kFmul | 1, 0x3fefffffffffffffull, bits(0x1p-1022), RNE) == bits(0x1p-1022));
    CHECK(t.flags() == (UF | NX));
    CHECK(binop(t, kFmul | 1, 0x3fefffffffffffffull, bits(0x1p-1022), RTZ) ==
          0x000fffffffffffffull);
    CHECK(t.flags() == (UF | NX));
    // (1 - 2^-25) * 2^-126 rounds (at 24 bits, unbounded exponent) to 2^-126
    // in RNE: not tiny after rounding, so NX without UF.
    const double near_min = (1.0 - 0x1p-25) * 0x1p-126;
    CHECK(unop(t, kFcvtSD, 1, bits(near_min), RNE) == (kBox | 0x00800000));
    CHECK(t.flags() == NX);
    CHECK(unop(t, kFcvtSD, 1, bits(near_min), RMM) == (kBox | 0x00800000));
    CHECK(t.flags() == NX);
    CHECK(unop(t, kFcvtSD, 1, bits(near_min), RUP) == (kBox | 0x00800000));
    CHECK(t.flags() == NX);
    // RTZ keeps it below 2^-126: tiny, so UF.
    CHECK(unop(t, kFcvtSD, 1, bits(near_min), RTZ) == (kBox | 0x007fffff));
    CHECK(t.flags() == (UF | NX));
    // The same through the host-FPU path (FMUL.S, RNE) and the software path (RMM):
    // 0x3f7fffff * 0x00800001 = (1 + 2^-24 - 2^-47) * 2^-126 is normal.
    CHECK(binop(t, kFmul, kBox | 0x3f7fffff, kBox | 0x00800001, RNE) == (kBox | 0x00800000));
    CHECK(t.flags() == NX);
    CHECK(binop(t, kFmul, kBox | 0x3f7fffff, kBox | 0x00800001, RMM) == (kBox | 0x00800000));
    CHECK(t.flags() == NX);
    // 0x3f7fffff * 0x00800000 = (1 - 2^-24) * 2^-126: tiny; the subnormal
    // rounding is a tie (even: up) in RNE and RMM.
    CHECK(binop(t, kFmul, kBox | 0x3f7fffff, kBox | 0x00800000, RNE) == (kBox | 0x00800000));
    CHECK(t.flags() == (UF | NX));
    CHECK(binop(t, kFmul, kBox | 0x3f7fffff, kBox | 0x00800000, RMM) == (kBox | 0x00800000));
    CHECK(t.flags() == (UF | NX));
    // Adding subnormals is exact.
    CHECK(binop(t, kFadd | 1, 1, 2, RNE) == 3);
    CHECK(t.flags() == 0);
}

TEST_CASE("fp: divide by zero and invalid") {
    Fx t;
    CHECK(binop(t, kFdiv, bits(1.0f), bits(0.0f), RNE) == bits(float(INFINITY)));
    CHECK(t.flags() == DZ);
    CHECK(binop(t, kFdiv | 1, bits(-1.0), bits(0.0), RMM) == bits(-double(INFINITY)));
    CHECK(t.flags() == DZ);
    CHECK(binop(t, kFdiv | 1, bits(1.0), bits(-0.0), RNE) == bits(-double(INFINITY)));
    CHECK(binop(t, kFdiv | 1, bits(0.0), bits(0.0), RNE) == kQnanD);
    CHECK(t.flags() == NV);
    CHECK(binop(t, kFdiv, bits(float(INFINITY)), bits(float(INFINITY)), RMM) == kQnanS);
    CHECK(t.flags() == NV);
    CHECK(binop(t, kFsub | 1, bits(double(INFINITY)), bits(double(INFINITY)), RNE) == kQnanD);
    CHECK(t.flags() == NV);
    CHECK(binop(t, kFadd, bits(float(INFINITY)), bits(-float(INFINITY)), RMM) == kQnanS);
    CHECK(t.flags() == NV);
    CHECK(binop(t, kFmul | 1, bits(0.0), bits(double(INFINITY)), RNE) == kQnanD);
    CHECK(t.flags() == NV);
    CHECK(binop(t, kFmul, bits(float(INFINITY)), bits(-0.0f), RMM) == kQnanS);
    CHECK(t.flags() == NV);
    // Infinity arithmetic that is fine.
    CHECK(binop(t, kFdiv | 1, bits(1.0), bits(double(INFINITY)), RNE) == bits(0.0));
    CHECK(t.flags() == 0);
    CHECK(binop(t, kFdiv | 1, bits(-double(INFINITY)), bits(2.0), RNE) == bits(-double(INFINITY)));
    CHECK(t.flags() == 0);
}

TEST_CASE("fp: fflags accumulate and FP state becomes dirty") {
    Fx t;
    uint64_t ms = 0;
    REQUIRE(t.core.csr_read(0x300, ms));
    CHECK(((ms >> 13) & 3) == 1);
    t.core.f[1] = bits(1.0);
    t.core.f[2] = bits(0.0);
    t.core.f[4] = bits(3.0);
    REQUIRE(t.core.exec_fp(op_fp(kFdiv | 1, 2, 1, RNE, 3))); // DZ
    REQUIRE(t.core.exec_fp(op_fp(kFdiv | 1, 4, 1, RNE, 5))); // NX
    CHECK(t.core.fcsr == (DZ | NX));
    REQUIRE(t.core.csr_read(0x300, ms));
    CHECK(((ms >> 13) & 3) == 3);
    CHECK((ms >> 63) == 1);
}

// ---------------------------------------------------------------- NaNs

TEST_CASE("fp: NaN boxing of single-precision operands") {
    Fx t;
    const uint64_t unboxed_one = 0x000000003f800000ull;
    CHECK(binop(t, kFadd, unboxed_one, bits(1.0f), RNE) == kQnanS);
    CHECK(t.flags() == 0);
    CHECK(binop(t, kFadd, 0xffffff7f3f800000ull, bits(1.0f), RMM) == kQnanS);
    // Sign injection reads the operands as canonical NaN too.
    CHECK(binop(t, kFsgnj, unboxed_one, bits(-1.0f), 0) == (kBox | 0xffc00000));
    CHECK(binop(t, kFsgnj, bits(2.0f), unboxed_one, 0) == bits(2.0f));
    // Results are boxed.
    CHECK(binop(t, kFmul, bits(2.0f), bits(3.0f), RNE) == bits(6.0f));
    // FCLASS of an unboxed value: quiet NaN.
    CHECK(to_x(t, kFmvXF, 0, unboxed_one, 1) == (1u << 9));
    // FMV.X.W and FSW move the raw low bits.
    CHECK(to_x(t, kFmvXF, 0, 0x12345678bf800000ull, 0) == 0xffffffffbf800000ull);
    // Double operations see all 64 bits.
    CHECK(binop(t, kFadd | 1, bits(1.0), bits(2.0), RNE) == bits(3.0));
    // FCVT.D.S of an unboxed value: canonical NaN, no NV.
    CHECK(unop(t, kFcvtDS, 0, unboxed_one, RNE) == kQnanD);
    CHECK(t.flags() == 0);
}

TEST_CASE("fp: NaN results are canonical") {
    Fx t;
    const uint64_t payload_s = kBox | 0xffc12345, snan_s = kBox | 0x7f800001;
    const uint64_t payload_d = 0xfff8000000abcdefull, snan_d = 0x7ff0000000000001ull;
    for (unsigned rm : {RNE, RMM}) {
        CHECK(binop(t, kFadd, payload_s, bits(1.0f), rm) == kQnanS);
        CHECK(t.flags() == 0);
        CHECK(binop(t, kFmul, bits(1.0f), snan_s, rm) == kQnanS);
        CHECK(t.flags() == NV);
        CHECK(binop(t, kFdiv | 1, payload_d, bits(1.0), rm) == kQnanD);
        CHECK(t.flags() == 0);
        CHECK(binop(t, kFsub | 1, snan_d, bits(1.0), rm) == kQnanD);
        CHECK(t.flags() == NV);
        CHECK(unop(t, kFsqrt | 1, 0, payload_d, rm) == kQnanD);
        CHECK(fma_op(t, kFpMadd, 1, bits(1.0), payload_d, bits(1.0), rm) == kQnanD);
        CHECK(t.flags() == 0);
        CHECK(fma_op(t, kFpNmadd, 0, bits(1.0f), bits(1.0f), snan_s, rm) == kQnanS);
        CHECK(t.flags() == NV);
    }
    CHECK(unop(t, kFcvtSD, 1, payload_d, RNE) == kQnanS);
    CHECK(t.flags() == 0);
    CHECK(unop(t, kFcvtSD, 1, snan_d, RNE) == kQnanS);
    CHECK(t.flags() == NV);
    CHECK(unop(t, kFcvtDS, 0, snan_s, RNE) == kQnanD);
    CHECK(t.flags() == NV);
    // Sign injection moves NaN bits unchanged.
    CHECK(binop(t, kFsgnj | 1, payload_d, bits(1.0), 0) == 0x7ff8000000abcdefull);
    CHECK(binop(t, kFsgnj | 1, bits(1.0), bits(1.0), 1) == bits(-1.0));
    CHECK(binop(t, kFsgnj | 1, bits(-3.0), bits(-1.0), 2) == bits(3.0));
    CHECK(t.flags() == 0);
}

// ---------------------------------------------------------------- FMA

TEST_CASE("fp: fused multiply-add rounds once") {
    Fx t;
    // (1 + 2^-30)(1 - 2^-30) - 1 = -2^-60 exactly; separately rounded it is 0.
    const uint64_t a = bits(1.0 + 0x1p-30), b = bits(1.0 - 0x1p-30);
    CHECK(fma_op(t, kFpMadd, 1, a, b, bits(-1.0), RNE) == bits(-0x1p-60));
    CHECK(t.flags() == 0);
    CHECK(fma_op(t, kFpMadd, 1, a, b, bits(-1.0), RMM) == bits(-0x1p-60));
    const uint64_t p = binop(t, kFmul | 1, a, b, RNE);
    CHECK(binop(t, kFadd | 1, p, bits(-1.0), RNE) == bits(0.0));
    // Single: (1 + 2^-12)^2 - 1 = 2^-11 + 2^-24.
    const uint64_t c = bits(1.0f + 0x1p-12f);
    CHECK(fma_op(t, kFpMsub, 0, c, c, bits(1.0f), RNE) == bits(0x1p-11f + 0x1p-24f));
    // The four variants.
    const uint64_t two = bits(2.0), three = bits(3.0), one = bits(1.0);
    CHECK(fma_op(t, kFpMadd, 1, two, three, one, RNE) == bits(7.0));
    CHECK(fma_op(t, kFpMsub, 1, two, three, one, RNE) == bits(5.0));
    CHECK(fma_op(t, kFpNmsub, 1, two, three, one, RNE) == bits(-5.0));
    CHECK(fma_op(t, kFpNmadd, 1, two, three, one, RNE) == bits(-7.0));
    CHECK(fma_op(t, kFpNmadd, 1, two, three, one, RMM) == bits(-7.0));
    // Rounding modes on a tie: 1 * 1 + 2^-53 (halfway between 1 and 1 + 2^-52).
    const uint64_t h = bits(0x1p-53);
    CHECK(fma_op(t, kFpMadd, 1, one, one, h, RNE) == one);
    CHECK(t.flags() == NX);
    CHECK(fma_op(t, kFpMadd, 1, one, one, h, RMM) == bits(1.0 + 0x1p-52));
    CHECK(fma_op(t, kFpMadd, 1, one, one, h, RUP) == bits(1.0 + 0x1p-52));
    CHECK(fma_op(t, kFpNmadd, 1, one, one, h, RMM) == bits(-1.0 - 0x1p-52));
    CHECK(fma_op(t, kFpNmadd, 1, one, one, h, RDN) == bits(-1.0 - 0x1p-52));
    CHECK(fma_op(t, kFpNmadd, 1, one, one, h, RUP) == bits(-1.0));
    // Zero results: exact cancellation is +0 (-0 in RDN); -(0 * x) - 0 = -0.
    CHECK(fma_op(t, kFpMsub, 1, two, three, bits(6.0), RNE) == bits(0.0));
    CHECK(fma_op(t, kFpMsub, 1, two, three, bits(6.0), RDN) == bits(-0.0));
    CHECK(fma_op(t, kFpNmadd, 1, bits(0.0), three, bits(0.0), RNE) == bits(-0.0));
    CHECK(fma_op(t, kFpMadd, 1, bits(-0.0), three, bits(0.0), RNE) == bits(0.0));
    CHECK(fma_op(t, kFpMadd, 1, bits(-0.0), three, bits(0.0), RDN) == bits(-0.0));
    // inf * 0 is invalid even with a quiet NaN addend.
    CHECK(fma_op(t, kFpMadd, 1, bits(double(INFINITY)), bits(0.0), kQnanD, RNE) == kQnanD);
    CHECK(t.flags() == NV);
    CHECK(fma_op(t, kFpMadd, 0, bits(0.0f), bits(float(INFINITY)), kQnanS, RMM) == kQnanS);
    CHECK(t.flags() == NV);
    // inf - inf.
    CHECK(fma_op(t, kFpMsub, 1, bits(double(INFINITY)), two, bits(double(INFINITY)), RNE) ==
          kQnanD);
    CHECK(t.flags() == NV);
    CHECK(fma_op(t, kFpMadd, 1, bits(double(INFINITY)), two, bits(double(INFINITY)), RMM) ==
          bits(double(INFINITY)));
    CHECK(t.flags() == 0);
}

// ---------------------------------------------------------------- conversions

TEST_CASE("fp: FCVT to integer saturates") {
    Fx t;
    const uint64_t nan_s = kQnanS, inf_s = bits(float(INFINITY)), ninf_s = bits(-float(INFINITY));
    // W
    CHECK(to_x(t, kFcvtIntF, 0, nan_s, RNE) == 0x7fffffffull);
    CHECK(t.flags() == NV);
    CHECK(to_x(t, kFcvtIntF, 0, inf_s, RNE) == 0x7fffffffull);
    CHECK(t.flags() == NV);
    CHECK(to_x(t, kFcvtIntF, 0, ninf_s, RNE) == 0xffffffff80000000ull);
    CHECK(t.flags() == NV);
    CHECK(to_x(t, kFcvtIntF, 0, bits(0x1p31f), RNE) == 0x7fffffffull);
    CHECK(t.flags() == NV);
    CHECK(to_x(t, kFcvtIntF, 0, bits(-0x1p31f), RNE) == 0xffffffff80000000ull);
    CHECK(t.flags() == 0);
    CHECK(to_x(t, kFcvtIntF | 1, 0, bits(2147483647.5), RNE) == 0x7fffffffull); // rounds to 2^31
    CHECK(t.flags() == NV);
    CHECK(to_x(t, kFcvtIntF | 1, 0, bits(2147483647.5), RTZ) == 0x7fffffffull);
    CHECK(t.flags() == NX);
    CHECK(to_x(t, kFcvtIntF | 1, 0, bits(-2147483648.5), RNE) == 0xffffffff80000000ull);
    CHECK(t.flags() == NX);
    CHECK(to_x(t, kFcvtIntF | 1, 0, bits(-2147483648.5), RMM) == 0xffffffff80000000ull);
    CHECK(t.flags() == NV);
    // WU: results are sign-extended from 32 bits.
    CHECK(to_x(t, kFcvtIntF, 1, bits(-1.5f), RNE) == 0);
    CHECK(t.flags() == NV);
    CHECK(to_x(t, kFcvtIntF, 1, bits(-0.4f), RNE) == 0);
    CHECK(t.flags() == NX);
    CHECK(to_x(t, kFcvtIntF, 1, bits(-0.5f), RMM) == 0);
    CHECK(t.flags() == NV);
    CHECK(to_x(t, kFcvtIntF, 1, bits(3e9f), RNE) == 0xffffffffb2d05e00ull);
    CHECK(t.flags() == 0);
    CHECK(to_x(t, kFcvtIntF, 1, bits(0x1p32f), RNE) == ~0ull);
    CHECK(t.flags() == NV);
    CHECK(to_x(t, kFcvtIntF, 1, nan_s, RNE) == ~0ull);
    CHECK(to_x(t, kFcvtIntF, 1, ninf_s, RNE) == 0);
    CHECK(t.flags() == NV);
    // L / LU from double.
    CHECK(to_x(t, kFcvtIntF | 1, 2, bits(0x1p63), RNE) == 0x7fffffffffffffffull);
    CHECK(t.flags() == NV);
    CHECK(to_x(t, kFcvtIntF | 1, 2, bits(-0x1p63), RNE) == 0x8000000000000000ull);
    CHECK(t.flags() == 0);
    CHECK(to_x(t, kFcvtIntF | 1, 2, kQnanD, RNE) == 0x7fffffffffffffffull);
    CHECK(to_x(t, kFcvtIntF | 1, 2, bits(-1e300), RNE) == 0x8000000000000000ull);
    CHECK(t.flags() == NV);
    CHECK(to_x(t, kFcvtIntF | 1, 3, bits(-1.0), RNE) == 0);
    CHECK(t.flags() == NV);
    CHECK(to_x(t, kFcvtIntF | 1, 3, bits(0x1p64), RNE) == ~0ull);
    CHECK(t.flags() == NV);
    CHECK(to_x(t, kFcvtIntF | 1, 3, bits(18446744073709549568.0), RNE) == 0xfffffffffffff800ull);
    CHECK(t.flags() == 0);
    CHECK(to_x(t, kFcvtIntF | 1, 3, kQnanD, RNE) == ~0ull);
    CHECK(to_x(t, kFcvtIntF, 3, bits(1.25f), RUP) == 2);
    CHECK(t.flags() == NX);
    // Writes to x0 are dropped, flags still set.
    t.core.f[1] = kQnanS;
    t.core.fcsr = 0;
    REQUIRE(t.core.exec_fp(op_fp(kFcvtIntF, 0, 1, RNE, 0)));
    CHECK(t.core.x[0] == 0);
    CHECK(t.flags() == NV);
}

TEST_CASE("fp: FCVT from integer") {
    Fx t;
    // 2^24 + 1 is not a single.
    CHECK(from_x(t, kFcvtFInt, 0, 16777217, RNE) == bits(16777216.0f));
    CHECK(t.flags() == NX);
    CHECK(from_x(t, kFcvtFInt, 0, 16777217, RMM) == bits(16777218.0f));
    CHECK(from_x(t, kFcvtFInt, 0, 16777217, RTZ) == bits(16777216.0f));
    CHECK(from_x(t, kFcvtFInt, 0, 16777217, RUP) == bits(16777218.0f));
    CHECK(from_x(t, kFcvtFInt, 0, static_cast<uint64_t>(-16777217), RDN) == bits(-16777218.0f));
    CHECK(from_x(t, kFcvtFInt, 0, static_cast<uint64_t>(-16777217), RMM) == bits(-16777218.0f));
    CHECK(from_x(t, kFcvtFInt, 0, static_cast<uint64_t>(-16777217), RUP) == bits(-16777216.0f));
    // W takes the low 32 bits as signed, WU as unsigned.
    CHECK(from_x(t, kFcvtFInt | 1, 0, 0x12345678ffffffffull, RNE) == bits(-1.0));
    CHECK(t.flags() == 0);
    CHECK(from_x(t, kFcvtFInt | 1, 1, 0x12345678ffffffffull, RNE) == bits(4294967295.0));
    CHECK(from_x(t, kFcvtFInt, 1, 0xffffffffull, RNE) == bits(4294967296.0f));
    CHECK(t.flags() == NX);
    CHECK(from_x(t, kFcvtFInt | 1, 2, 0x8000000000000000ull, RNE) == bits(-0x1p63));
    CHECK(t.flags() == 0);
    CHECK(from_x(t, kFcvtFInt | 1, 3, ~0ull, RNE) == bits(0x1p64));
    CHECK(t.flags() == NX);
    CHECK(from_x(t, kFcvtFInt | 1, 3, ~0ull, RTZ) == bits(18446744073709549568.0));
    CHECK(from_x(t, kFcvtFInt | 1, 2, (1ull << 53) + 1, RMM) == bits(0x1p53 + 2));
    CHECK(from_x(t, kFcvtFInt | 1, 2, 0, RNE) == bits(0.0));
    CHECK(from_x(t, kFcvtFInt, 2, 0, RDN) == bits(0.0f));
    CHECK(t.flags() == 0);
}

// ---------------------------------------------------------------- min/max, compare, class

TEST_CASE("fp: FMIN and FMAX") {
    Fx t;
    const uint64_t pz = bits(0.0f), nz = bits(-0.0f), one = bits(1.0f), two = bits(2.0f);
    const uint64_t qnan = kBox | 0x7fc00001, snan = kBox | 0x7f800001;
    CHECK(binop(t, kFminmax, pz, nz, 0) == nz);
    CHECK(binop(t, kFminmax, nz, pz, 0) == nz);
    CHECK(binop(t, kFminmax, pz, nz, 1) == pz);
    CHECK(binop(t, kFminmax, nz, pz, 1) == pz);
    CHECK(binop(t, kFminmax, one, two, 0) == one);
    CHECK(binop(t, kFminmax, one, two, 1) == two);
    CHECK(binop(t, kFminmax, bits(-1.0f), bits(-2.0f), 0) == bits(-2.0f));
    CHECK(binop(t, kFminmax, bits(-1.0f), bits(-2.0f), 1) == bits(-1.0f));
    CHECK(t.flags() == 0);
    CHECK(binop(t, kFminmax, qnan, one, 0) == one);
    CHECK(t.flags() == 0);
    CHECK(binop(t, kFminmax, one, qnan, 1) == one);
    CHECK(t.flags() == 0);
    CHECK(binop(t, kFminmax, snan, one, 0) == one);
    CHECK(t.flags() == NV);
    CHECK(binop(t, kFminmax, one, snan, 1) == one);
    CHECK(t.flags() == NV);
    CHECK(binop(t, kFminmax, qnan, qnan, 0) == kQnanS);
    CHECK(t.flags() == 0);
    CHECK(binop(t, kFminmax, snan, qnan, 1) == kQnanS);
    CHECK(t.flags() == NV);
    // Double, with infinities and an unboxed-style NaN pattern.
    const uint64_t dq = 0x7ff8000000000123ull, ds = 0x7ff4000000000000ull;
    CHECK(binop(t, kFminmax | 1, bits(-double(INFINITY)), bits(5.0), 0) == bits(-double(INFINITY)));
    CHECK(binop(t, kFminmax | 1, bits(-0.0), bits(0.0), 1) == bits(0.0));
    CHECK(binop(t, kFminmax | 1, dq, bits(-3.0), 1) == bits(-3.0));
    CHECK(t.flags() == 0);
    CHECK(binop(t, kFminmax | 1, ds, dq, 0) == kQnanD);
    CHECK(t.flags() == NV);
}

TEST_CASE("fp: FEQ FLT FLE and their invalid flag") {
    Fx t;
    const uint64_t qnan = 0x7ff8000000000000ull, snan = 0x7ff0000000000001ull;
    const uint64_t one = bits(1.0), two = bits(2.0);
    enum : unsigned { kFle = 0, kFlt = 1, kFeq = 2 };
    CHECK(cmp(t, kFcmp | 1, one, one, kFeq) == 1);
    CHECK(cmp(t, kFcmp | 1, one, two, kFeq) == 0);
    CHECK(cmp(t, kFcmp | 1, one, two, kFlt) == 1);
    CHECK(cmp(t, kFcmp | 1, two, one, kFlt) == 0);
    CHECK(cmp(t, kFcmp | 1, one, one, kFle) == 1);
    CHECK(cmp(t, kFcmp | 1, two, one, kFle) == 0);
    CHECK(cmp(t, kFcmp | 1, bits(-2.0), bits(-1.0), kFlt) == 1);
    CHECK(t.flags() == 0);
    // Signed zeros compare equal.
    CHECK(cmp(t, kFcmp | 1, bits(-0.0), bits(0.0), kFeq) == 1);
    CHECK(cmp(t, kFcmp | 1, bits(-0.0), bits(0.0), kFlt) == 0);
    CHECK(cmp(t, kFcmp | 1, bits(0.0), bits(-0.0), kFle) == 1);
    CHECK(t.flags() == 0);
    // FEQ: NV only for a signalling NaN.
    CHECK(cmp(t, kFcmp | 1, qnan, one, kFeq) == 0);
    CHECK(t.flags() == 0);
    CHECK(cmp(t, kFcmp | 1, qnan, qnan, kFeq) == 0);
    CHECK(t.flags() == 0);
    CHECK(cmp(t, kFcmp | 1, one, snan, kFeq) == 0);
    CHECK(t.flags() == NV);
    // FLT / FLE: NV for any NaN.
    CHECK(cmp(t, kFcmp | 1, qnan, one, kFlt) == 0);
    CHECK(t.flags() == NV);
    CHECK(cmp(t, kFcmp | 1, one, qnan, kFle) == 0);
    CHECK(t.flags() == NV);
    CHECK(cmp(t, kFcmp, kBox | 0x7fc00000, bits(1.0f), kFle) == 0);
    CHECK(t.flags() == NV);
    // Singles, including an unboxed operand (canonical NaN).
    CHECK(cmp(t, kFcmp, bits(1.5f), bits(2.5f), kFlt) == 1);
    CHECK(cmp(t, kFcmp, 0x3f800000ull, 0x3f800000ull, kFeq) == 0);
    CHECK(t.flags() == 0);
}

TEST_CASE("fp: FCLASS of each class") {
    Fx t;
    struct Row {
        uint64_t v;
        unsigned bit;
    };
    const Row d[] = {
        {0xfff0000000000000ull, 0},
        {bits(-1.0), 1},
        {0x800fffffffffffffull, 2},
        {bits(-0.0), 3},
        {bits(0.0), 4},
        {0x0000000000000001ull, 5},
        {bits(1e300), 6},
        {0x7ff0000000000000ull, 7},
        {0x7ff0000000000001ull, 8},
        {0x7ff8000000000000ull, 9},
        {0xfff4000000000000ull, 8},
        {0xfff8000000000001ull, 9},
    };
    for (const Row& r : d) {
        INFO("d " << std::hex << r.v);
        CHECK(to_x(t, kFmvXF | 1, 0, r.v, 1) == (1ull << r.bit));
    }
    const Row s[] = {
        {kBox | 0xff800000, 0}, {bits(-3.0f), 1},       {kBox | 0x80000001, 2},
        {bits(-0.0f), 3},       {bits(0.0f), 4},        {kBox | 0x007fffff, 5},
        {bits(3.0f), 6},        {kBox | 0x7f800000, 7}, {kBox | 0x7fa00000, 8},
        {kBox | 0x7fc00000, 9}, {0x7f800001, 9}, // unboxed: canonical NaN
    };
    for (const Row& r : s) {
        INFO("s " << std::hex << r.v);
        CHECK(to_x(t, kFmvXF, 0, r.v, 1) == (1ull << r.bit));
    }
    CHECK(t.flags() == 0);
}

TEST_CASE("fp: FMV between integer and FP registers") {
    Fx t;
    CHECK(to_x(t, kFmvXF, 0, kBox | 0x80000000, 0) == 0xffffffff80000000ull);
    CHECK(to_x(t, kFmvXF, 0, kBox | 0x7fffffff, 0) == 0x7fffffffull);
    CHECK(to_x(t, kFmvXF | 1, 0, 0x8000000000000001ull, 0) == 0x8000000000000001ull);
    CHECK(from_x(t, kFmvFX, 0, 0x123456787f800001ull, 0) == 0xffffffff7f800001ull);
    CHECK(from_x(t, kFmvFX | 1, 0, 0x7ff0000000000001ull, 0) == 0x7ff0000000000001ull);
    CHECK(t.flags() == 0);
}

// ---------------------------------------------------------------- memory

TEST_CASE("fp: loads and stores move bits") {
    Fx t;
    t.core.x[5] = kRamBase + 0x100;
    const uint64_t dval = 0x7ff0000000000001ull; // a signalling NaN stays as it is
    const uint32_t sval = 0x7f800001;
    std::memcpy(t.mem.ram.data() + 0x108, &dval, 8);
    std::memcpy(t.mem.ram.data() + 0xf8, &sval, 4);
    REQUIRE(t.core.exec_fp(mem_op(kFpLoad, 3, 7, 5, 8)));
    CHECK(t.core.f[7] == dval);
    REQUIRE(t.core.exec_fp(mem_op(kFpLoad, 2, 8, 5, -8)));
    CHECK(t.core.f[8] == (kBox | sval));
    // FSW stores the low 32 bits even of an unboxed value.
    t.core.f[9] = 0x00000000deadbeefull;
    REQUIRE(t.core.exec_fp(mem_op(kFpStore, 2, 9, 5, 0x20)));
    uint32_t w = 0;
    std::memcpy(&w, t.mem.ram.data() + 0x120, 4);
    CHECK(w == 0xdeadbeef);
    REQUIRE(t.core.exec_fp(mem_op(kFpStore, 3, 7, 5, 0x28)));
    uint64_t d = 0;
    std::memcpy(&d, t.mem.ram.data() + 0x128, 8);
    CHECK(d == dval);
    CHECK(t.core.fcsr == 0);
    // A faulting load traps (exec_fp returns true) and leaves f alone.
    t.core.x[5] = 0x10;
    t.core.f[7] = 42;
    CHECK(t.core.exec_fp(mem_op(kFpLoad, 3, 7, 5, 0)));
    CHECK(t.core.f[7] == 42);
    // Other widths are reserved.
    CHECK_FALSE(t.core.exec_fp(mem_op(kFpLoad, 1, 7, 5, 0)));
    CHECK_FALSE(t.core.exec_fp(mem_op(kFpStore, 4, 7, 5, 0)));
}

TEST_CASE("fp: instructions through the decoder") {
    Fx t;
    uint32_t prog[] = {
        (0u << 20) | (10u << 15) | (3u << 12) | (1u << 7) | 0x07,                 // fld f1, 0(a0)
        (8u << 20) | (10u << 15) | (3u << 12) | (2u << 7) | 0x07,                 // fld f2, 8(a0)
        (0x01u << 25) | (2u << 20) | (1u << 15) | (7u << 12) | (3u << 7) | 0x53,  // fadd.d f3
        (3u << 20) | (10u << 15) | (3u << 12) | (16u << 7) | 0x27,                // fsd f3, 16(a0)
        (0x61u << 25) | (0u << 20) | (3u << 15) | (4u << 12) | (11u << 7) | 0x53, // fcvt.w.d
    };
    std::memcpy(t.mem.ram.data(), prog, sizeof prog);
    const double in[2] = {1.5, 2.25};
    std::memcpy(t.mem.ram.data() + 0x400, in, sizeof in);
    t.core.pc = kRamBase;
    t.core.x[10] = kRamBase + 0x400;
    for (int i = 0; i < 5; ++i)
        t.core.step();
    CHECK(t.core.pc == kRamBase + 20);
    double out = 0;
    std::memcpy(&out, t.mem.ram.data() + 0x410, 8);
    CHECK(out == 3.75);
    CHECK(t.core.x[11] == 4); // 3.75 RMM
    CHECK(t.flags() == NX);
}

// ---------------------------------------------------------------- illegal encodings

TEST_CASE("fp: FS off makes every FP instruction illegal") {
    Fx t;
    REQUIRE(t.core.csr_write(0x300, 0));
    REQUIRE_FALSE(t.core.fp_enabled());
    t.core.f[1] = bits(1.0);
    t.core.f[2] = bits(2.0);
    t.core.x[5] = kRamBase;
    CHECK_FALSE(t.core.exec_fp(op_fp(kFadd | 1, 2, 1, RNE, 3)));
    CHECK_FALSE(t.core.exec_fp(op_fp(kFmvXF, 0, 1, 0, 10)));
    CHECK_FALSE(t.core.exec_fp(op_fp(kFmvFX, 0, 5, 0, 3)));
    CHECK_FALSE(t.core.exec_fp(mem_op(kFpLoad, 3, 3, 5, 0)));
    CHECK_FALSE(t.core.exec_fp(mem_op(kFpStore, 2, 1, 5, 0)));
    CHECK_FALSE(t.core.exec_fp(fused(kFpMadd, 1, 3, 1, 2, 2, RNE)));
    CHECK(t.core.f[3] == 0);
    CHECK(t.core.x[10] == 0);
    CHECK(t.core.fcsr == 0);
}

TEST_CASE("fp: reserved rounding modes and encodings are illegal") {
    Fx t;
    t.core.f[1] = bits(1.0);
    t.core.f[2] = bits(2.0);
    CHECK_FALSE(t.core.exec_fp(op_fp(kFadd | 1, 2, 1, 5, 3)));
    CHECK_FALSE(t.core.exec_fp(op_fp(kFadd | 1, 2, 1, 6, 3)));
    CHECK_FALSE(t.core.exec_fp(fused(kFpMadd, 1, 3, 1, 2, 2, 5)));
    CHECK_FALSE(t.core.exec_fp(op_fp(kFcvtIntF | 1, 0, 1, 6, 10)));
    CHECK_FALSE(t.core.exec_fp(op_fp(kFcvtDS, 0, 1, 5, 3))); // rm checked even when exact
    for (uint32_t frm : {5u, 6u, 7u}) {
        t.core.fcsr = frm << 5;
        CHECK_FALSE(t.core.exec_fp(op_fp(kFadd | 1, 2, 1, DYN, 3)));
        CHECK_FALSE(t.core.exec_fp(op_fp(kFsqrt, 0, 1, DYN, 3)));
        CHECK_FALSE(t.core.exec_fp(op_fp(kFcvtFInt, 0, 1, DYN, 3)));
    }
    // Instructions without a rounding mode ignore frm.
    t.core.fcsr = 5 << 5;
    CHECK(t.core.exec_fp(op_fp(kFsgnj | 1, 2, 1, 0, 3)));
    CHECK(t.core.exec_fp(op_fp(kFmvXF | 1, 0, 1, 0, 10)));
    // A valid frm with DYN works.
    t.core.fcsr = RTZ << 5;
    CHECK(t.core.exec_fp(op_fp(kFdiv | 1, 2, 1, DYN, 3)));
    CHECK(t.core.f[3] == bits(0.5));
    // Unused funct3 / rs2 / funct7 / fmt values.
    CHECK_FALSE(t.core.exec_fp(op_fp(kFsgnj, 2, 1, 3, 3)));
    CHECK_FALSE(t.core.exec_fp(op_fp(kFminmax, 2, 1, 2, 3)));
    CHECK_FALSE(t.core.exec_fp(op_fp(kFcmp, 2, 1, 3, 10)));
    CHECK_FALSE(t.core.exec_fp(op_fp(kFsqrt, 1, 1, RNE, 3)));
    CHECK_FALSE(t.core.exec_fp(op_fp(kFcvtSD, 0, 1, RNE, 3)));
    CHECK_FALSE(t.core.exec_fp(op_fp(kFcvtDS, 1, 1, RNE, 3)));
    CHECK_FALSE(t.core.exec_fp(op_fp(kFcvtIntF, 4, 1, RNE, 10)));
    CHECK_FALSE(t.core.exec_fp(op_fp(kFcvtFInt, 5, 1, RNE, 3)));
    CHECK_FALSE(t.core.exec_fp(op_fp(kFmvXF, 1, 1, 0, 10)));
    CHECK_FALSE(t.core.exec_fp(op_fp(kFmvXF, 0, 1, 2, 10)));
    CHECK_FALSE(t.core.exec_fp(op_fp(kFmvFX, 0, 1, 1, 3)));
    CHECK_FALSE(t.core.exec_fp(op_fp(0x7c, 0, 1, 0, 3)));   // unknown funct7
    CHECK_FALSE(t.core.exec_fp(op_fp(0x02, 2, 1, RNE, 3))); // fmt H
    CHECK_FALSE(t.core.exec_fp(op_fp(0x03, 2, 1, RNE, 3))); // fmt Q
    CHECK_FALSE(t.core.exec_fp(fused(kFpMadd, 2, 3, 1, 2, 2, RNE)));
    Insn other;
    other.op = kAdd;
    CHECK_FALSE(t.core.exec_fp(other));
}

TEST_CASE("fp: D instructions are illegal without the D extension") {
    CoreConfig cfg;
    cfg.isa.remove(RvExt::D);
    Fx t(cfg);
    t.core.f[1] = bits(1.0f);
    t.core.f[2] = bits(2.0f);
    t.core.x[5] = kRamBase;
    CHECK(t.core.exec_fp(op_fp(kFadd, 2, 1, RNE, 3)));
    CHECK_FALSE(t.core.exec_fp(op_fp(kFadd | 1, 2, 1, RNE, 3)));
    CHECK_FALSE(t.core.exec_fp(op_fp(kFcvtSD, 1, 1, RNE, 3)));
    CHECK_FALSE(t.core.exec_fp(op_fp(kFmvXF | 1, 0, 1, 0, 10)));
    CHECK_FALSE(t.core.exec_fp(mem_op(kFpLoad, 3, 3, 5, 0)));
    CHECK_FALSE(t.core.exec_fp(fused(kFpMadd, 1, 3, 1, 2, 2, RNE)));
    CHECK(t.core.exec_fp(mem_op(kFpLoad, 2, 3, 5, 0)));
}

TEST_CASE("fp: no F extension means no FP instructions") {
    CoreConfig cfg;
    cfg.isa.remove(RvExt::F).remove(RvExt::D);
    FlatMem mem;
    ReservationSet resv;
    RvCore core(cfg, mem, resv);
    core.csr_write(0x300, 1ull << 13);
    CHECK_FALSE(core.exec_fp(op_fp(kFadd, 2, 1, RNE, 3)));
}

// ---------------------------------------------------------------- cross-checks

namespace {

// The host FPU under fenv, as a reference for the software routines.
struct HostRef {
    uint32_t flags = 0;
    template <class F>
    auto run(int mode, F fn) {
        static const int modes[] = {FE_TONEAREST, FE_TOWARDZERO, FE_DOWNWARD, FE_UPWARD};
        std::feclearexcept(FE_ALL_EXCEPT);
        std::fesetround(modes[mode]);
        volatile decltype(fn()) r = fn();
        const int e = std::fetestexcept(FE_ALL_EXCEPT);
        std::fesetround(FE_TONEAREST);
        std::feclearexcept(FE_ALL_EXCEPT);
        flags = (e & FE_INEXACT ? NX : 0) | (e & FE_UNDERFLOW ? UF : 0) |
                (e & FE_OVERFLOW ? OF : 0) | (e & FE_DIVBYZERO ? DZ : 0) |
                (e & FE_INVALID ? NV : 0);
        return r;
    }
};

template <class T>
struct Gen {
    using Bits = std::conditional_t<sizeof(T) == 8, uint64_t, uint32_t>;
    static constexpr int kMant = sizeof(T) == 8 ? 52 : 23;
    static constexpr int kExpMax = sizeof(T) == 8 ? 2047 : 255;
    std::mt19937_64 rng{12345};
    Bits any() {
        const Bits sign = static_cast<Bits>(rng() & 1) << (sizeof(T) * 8 - 1);
        Bits mant = static_cast<Bits>(rng()) & ((Bits{1} << kMant) - 1);
        switch (rng() % 8) {
        case 0: // few mantissa bits
            mant &= static_cast<Bits>(Bits{0xff} << (kMant - 8)) | Bits{rng() % 2 ? 1u : 0u};
            break;
        case 1:
            mant = (Bits{1} << kMant) - 1 - (mant & 7);
            break;
        default:
            break;
        }
        Bits e;
        switch (rng() % 10) {
        case 0:
            e = 0;
            break;
        case 1:
            e = static_cast<Bits>(rng() % 4);
            break;
        case 2:
            e = static_cast<Bits>(kExpMax - 1 - rng() % 4);
            break;
        case 3:
            if (rng() % 8 == 0) return sign | (Bits{kExpMax} << kMant) | (rng() % 3 ? mant : 0);
            e = static_cast<Bits>(kExpMax / 2 + rng() % 8);
            break;
        default:
            e = static_cast<Bits>(kExpMax / 2 - 40 + rng() % 80);
            break;
        }
        return sign | (e << kMant) | mant;
    }
    // Near another value, to provoke cancellation and ties.
    Bits near(Bits v) {
        const Bits d = static_cast<Bits>(rng() % 5);
        Bits r = (rng() & 1) ? v + d : v - d;
        if (rng() & 1) r ^= Bits{1} << (sizeof(T) * 8 - 1);
        return r;
    }
    Bits shifted(Bits v) { // same mantissa, nearby exponent
        const int delta = static_cast<int>(rng() % (kMant + 6)) - 2;
        const Bits e = (v >> kMant) & kExpMax;
        if (e <= Bits(delta) + 1 || e >= kExpMax) return v;
        return v - (Bits(delta) << kMant);
    }
};

template <class T, class Bits>
T from_bits(Bits b) {
    T v;
    std::memcpy(&v, &b, sizeof v);
    return v;
}

// The same operation through the FP unit (host-FPU path for these modes).
uint64_t via_core(Fx& t, unsigned op, bool dbl, uint64_t a, uint64_t b, uint64_t c, unsigned rm,
                  uint32_t& flags) {
    static const unsigned funct7[] = {kFadd, kFsub, kFmul, kFdiv, kFsqrt};
    const uint64_t box = dbl ? 0 : kBox;
    t.core.f[1] = a | box;
    t.core.f[2] = b | box;
    t.core.f[3] = c | box;
    t.core.fcsr = 0;
    const bool ok = op == 5 ? t.core.exec_fp(fused(kFpMadd, dbl, 4, 1, 2, 3, rm))
                            : t.core.exec_fp(op_fp(funct7[op] | dbl, op == 4 ? 0 : 2, 1, rm, 4));
    flags = ok ? t.core.fcsr & 31 : 0xff;
    return dbl ? t.core.f[4] : t.core.f[4] ^ kBox;
}

template <class T>
void cross_check(int iterations) {
    Fx t;
    using G = Gen<T>;
    using Bits = typename G::Bits;
    const nvsoc::rv::sf::Fmt fmt = sizeof(T) == 8 ? nvsoc::rv::sf::kF64 : nvsoc::rv::sf::kF32;
    G g;
    HostRef host;
    auto canon = [&](T r) -> uint64_t {
        Bits b;
        std::memcpy(&b, &r, sizeof b);
        return std::isnan(r) ? fmt.canonical_nan() : b;
    };
    unsigned mismatches = 0;
    for (int i = 0; i < iterations && mismatches < 10; ++i) {
        const Bits a = g.any();
        Bits b;
        switch (g.rng() % 3) {
        case 0:
            b = g.any();
            break;
        case 1:
            b = g.near(a);
            break;
        default:
            b = g.shifted(g.near(a));
            break;
        }
        Bits c = g.any();
        const int mode = static_cast<int>(g.rng() % 4);
        const unsigned rm = static_cast<unsigned>(mode); // RNE RTZ RDN RUP
        volatile T va = from_bits<T>(a), vb = from_bits<T>(b), vc = from_bits<T>(c);
        const unsigned op = static_cast<unsigned>(g.rng() % 6);
        if (op == 5 && g.rng() % 2) {
            // Addend near -(a*b) for deep cancellation.
            const T p = va * vb;
            Bits pb;
            std::memcpy(&pb, &p, sizeof pb);
            c = g.near(pb ^ (Bits{1} << (sizeof(T) * 8 - 1)));
            vc = from_bits<T>(c);
        }
        uint64_t expect = 0, got = 0;
        uint32_t sflags = 0;
        switch (op) {
        case 0:
            expect = canon(host.run(mode, [&] { return T(va + vb); }));
            got = nvsoc::rv::sf::add(fmt, a, b, false, rm, sflags);
            break;
        case 1:
            expect = canon(host.run(mode, [&] { return T(va - vb); }));
            got = nvsoc::rv::sf::add(fmt, a, b, true, rm, sflags);
            break;
        case 2:
            expect = canon(host.run(mode, [&] { return T(va * vb); }));
            got = nvsoc::rv::sf::mul(fmt, a, b, rm, sflags);
            break;
        case 3:
            expect = canon(host.run(mode, [&] { return T(va / vb); }));
            got = nvsoc::rv::sf::div(fmt, a, b, rm, sflags);
            break;
        case 4:
            expect = canon(host.run(mode, [&] { return T(std::sqrt(T(va))); }));
            got = nvsoc::rv::sf::sqrt(fmt, a, rm, sflags);
            break;
        default: {
            expect = canon(host.run(mode, [&] { return T(std::fma(T(va), T(vb), T(vc))); }));
            got = nvsoc::rv::sf::fma(fmt, a, b, c, false, false, rm, sflags);
            const T fa = va, fb = vb;
            if ((std::isinf(fa) && fb == 0) || (fa == 0 && std::isinf(fb))) host.flags |= NV;
            break;
        }
        }
        uint32_t cflags = 0;
        const uint64_t cgot = via_core(t, op, sizeof(T) == 8, a, b, c, rm, cflags);
        if (got != expect || sflags != host.flags || cgot != got || cflags != sflags) {
            ++mismatches;
            UNSCOPED_INFO("core " << std::hex << cgot << " core flags " << cflags);
            UNSCOPED_INFO("op " << op << " rm " << rm << std::hex << " a " << uint64_t(a) << " b "
                                << uint64_t(b) << " c " << uint64_t(c) << " expect " << expect
                                << " got " << got << " host flags " << host.flags << " soft flags "
                                << sflags);
        }
    }
    CHECK(mismatches == 0);
}

} // namespace

TEST_CASE("fp: software double arithmetic matches the host FPU") {
    cross_check<double>(400000);
}

TEST_CASE("fp: software single arithmetic matches the host FPU") {
    cross_check<float>(400000);
}

TEST_CASE("fp: software conversions match the host FPU") {
    using namespace nvsoc::rv;
    Gen<double> g;
    HostRef host;
    unsigned mismatches = 0;
    for (int i = 0; i < 200000 && mismatches < 10; ++i) {
        const uint64_t a = g.any();
        const int mode = static_cast<int>(g.rng() % 4);
        volatile double va = from_bits<double>(a);
        // D -> S
        uint32_t sflags = 0;
        const float r = host.run(mode, [&] { return float(va); });
        uint32_t rb;
        std::memcpy(&rb, &r, 4);
        const uint64_t expect = std::isnan(r) ? 0x7fc00000u : rb;
        const uint64_t got =
            sf::convert(sf::kF32, sf::kF64, a, static_cast<unsigned>(mode), sflags);
        if (got != expect || sflags != host.flags) {
            ++mismatches;
            UNSCOPED_INFO("cvt.s.d " << std::hex << a << " rm " << mode << " " << expect << " "
                                     << got);
        }
        // D -> L where the host conversion is in range.
        if (std::fabs(va) < 0x1p62) {
            sflags = 0;
            const long long e = host.run(mode, [&] { return std::llrint(va); });
            const uint64_t gi =
                sf::to_int(sf::kF64, a, sf::kL, static_cast<unsigned>(mode), sflags);
            if (gi != static_cast<uint64_t>(e) || sflags != (host.flags & NX)) {
                ++mismatches;
                UNSCOPED_INFO("cvt.l.d " << std::hex << a << " rm " << mode);
            }
        }
        // L -> D and L -> S
        const int64_t iv = static_cast<int64_t>(g.rng()) >> (g.rng() % 64);
        volatile int64_t viv = iv;
        sflags = 0;
        const double di = host.run(mode, [&] { return double(viv); });
        if (sf::from_int(sf::kF64, static_cast<uint64_t>(iv), sf::kL, static_cast<unsigned>(mode),
                         sflags) != bits(di) ||
            sflags != host.flags) {
            ++mismatches;
            UNSCOPED_INFO("cvt.d.l " << iv << " rm " << mode);
        }
        sflags = 0;
        const float fi = host.run(mode, [&] { return float(viv); });
        if ((sf::from_int(sf::kF32, static_cast<uint64_t>(iv), sf::kL, static_cast<unsigned>(mode),
                          sflags) |
             kBox) != bits(fi) ||
            sflags != host.flags) {
            ++mismatches;
            UNSCOPED_INFO("cvt.s.l " << iv << " rm " << mode);
        }
    }
    CHECK(mismatches == 0);
}

TEST_CASE("fp: RMM agrees with an exact reference for single mul and add") {
    // Single products and near sums are exact in double: round them to single
    // by hand (nearest, ties away) and compare with the FP unit's RMM path.
    Fx t;
    Gen<float> g;
    unsigned mismatches = 0, ties = 0;
    for (int i = 0; i < 100000 && mismatches < 10; ++i) {
        const uint32_t a = g.any();
        const uint32_t b = (i & 1) ? g.any() : g.shifted(g.near(a));
        const bool is_mul = (i >> 1) & 1;
        const double fa = from_bits<float>(a), fb = from_bits<float>(b);
        if (!std::isfinite(fa) || !std::isfinite(fb)) continue;
        const int ea = std::ilogb(fa), eb = std::ilogb(fb);
        if (!is_mul && fa != 0 && fb != 0 && std::abs(ea - eb) > 25)
            continue; // not exact in double
        const double exact = is_mul ? fa * fb : fa + fb;
        if (exact == 0 || std::fabs(exact) < 0x1p-126 || std::fabs(exact) >= 0x1p127) continue;
        // The candidates just below and just above in magnitude.
        const double m = std::fabs(exact);
        float lo = static_cast<float>(m);
        if (double(lo) > m) lo = std::nextafter(lo, 0.0f);
        float mag;
        if (double(lo) == m) {
            mag = lo;
        } else {
            const float hi = std::nextafter(lo, INFINITY);
            const double dlo = m - lo, dhi = double(hi) - m;
            ties += dlo == dhi;
            mag = dlo < dhi ? lo : hi;
        }
        const uint64_t expect = bits(exact < 0 ? -mag : mag);
        const uint64_t got = binop(t, is_mul ? kFmul : kFadd, kBox | a, kBox | b, RMM);
        if (got != expect) {
            ++mismatches;
            UNSCOPED_INFO(std::hex << "a " << a << " b " << b << " mul " << is_mul << " expect "
                                   << expect << " got " << got);
        }
    }
    CHECK(mismatches == 0);
    CHECK(ties > 100);
}

TEST_CASE("fp: RMM equals RNE for division and square root with normal results") {
    // A quotient or root of p-bit numbers is never exactly halfway between two
    // p-bit numbers, so outside the subnormal range RMM and RNE agree.
    Fx t;
    Gen<double> g;
    unsigned mismatches = 0;
    for (int i = 0; i < 100000 && mismatches < 10; ++i) {
        const bool dbl = i & 1, is_sqrt = i & 2;
        uint64_t a = g.any(), b = g.any();
        if (!dbl) {
            a = kBox | static_cast<uint32_t>(a >> 32);
            b = kBox | static_cast<uint32_t>(b >> 32);
        }
        const unsigned f7 = (is_sqrt ? kFsqrt : kFdiv) | (dbl ? 1 : 0);
        const uint64_t rne = is_sqrt ? unop(t, f7, 0, a, RNE) : binop(t, f7, a, b, RNE);
        const unsigned rne_flags = t.flags();
        if (rne_flags & UF) continue;
        const uint64_t rmm = is_sqrt ? unop(t, f7, 0, a, RMM) : binop(t, f7, a, b, RMM);
        if (rmm != rne || t.flags() != rne_flags) {
            ++mismatches;
            UNSCOPED_INFO(std::hex << "a " << a << " b " << b << " sqrt " << is_sqrt << " rne "
                                   << rne << " rmm " << rmm);
        }
    }
    CHECK(mismatches == 0);
}
