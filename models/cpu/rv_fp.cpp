// The F and D extensions: loads/stores, arithmetic, fused multiply-add,
// conversions, moves, comparisons and classification, bit-exact with the
// RISC-V spec in every rounding mode, with exact exception flags.
//
// Arithmetic in RNE/RTZ/RDN/RUP runs on the host FPU (x86-64 SSE is IEEE 754
// compliant and, like RISC-V, detects tininess after rounding) with its
// rounding mode and flags handled through MXCSR; RMM, conversions and all
// non-x86 hosts use the software routines of softfloat_helpers.h.
#include "models/cpu/rv_core.h"
#include "models/cpu/rv_ops.h"
#include "models/cpu/softfloat_helpers.h"

#include <cmath>
#include <cstring>

namespace nvsoc::rv {
namespace {

constexpr uint64_t kBoxMask = 0xffffffff00000000ull;

enum class Arith { Add, Sub, Mul, Div, Sqrt, Fma };

// One arithmetic operation. negp/nega negate the product / addend for FMA.
struct ArithArgs {
    Arith op;
    bool dbl;
    uint64_t a, b, c;
    bool negp, nega;
    unsigned rm;
};

uint64_t soft_arith(const ArithArgs& x, uint32_t& flags) {
    const sf::Fmt f = x.dbl ? sf::kF64 : sf::kF32;
    switch (x.op) {
    case Arith::Add:
        return sf::add(f, x.a, x.b, false, x.rm, flags);
    case Arith::Sub:
        return sf::add(f, x.a, x.b, true, x.rm, flags);
    case Arith::Mul:
        return sf::mul(f, x.a, x.b, x.rm, flags);
    case Arith::Div:
        return sf::div(f, x.a, x.b, x.rm, flags);
    case Arith::Sqrt:
        return sf::sqrt(f, x.a, x.rm, flags);
    default:
        return sf::fma(f, x.a, x.b, x.c, x.negp, x.nega, x.rm, flags);
    }
}

#if defined(__x86_64__)

inline uint32_t get_mxcsr() {
    uint32_t v;
    asm volatile("stmxcsr %0" : "=m"(v)::"memory");
    return v;
}
inline void set_mxcsr(uint32_t v) {
    asm volatile("ldmxcsr %0" ::"m"(v) : "memory");
}

template <class T>
T host_op(Arith op, T a, T b, T c) {
    // Every operation sits in a volatile asm (or between volatile accesses)
    // so nothing moves across the MXCSR updates around it.
    if constexpr (sizeof(T) == 8) {
        switch (op) {
        case Arith::Add:
            asm volatile("addsd %1, %0" : "+x"(a) : "x"(b));
            return a;
        case Arith::Sub:
            asm volatile("subsd %1, %0" : "+x"(a) : "x"(b));
            return a;
        case Arith::Mul:
            asm volatile("mulsd %1, %0" : "+x"(a) : "x"(b));
            return a;
        case Arith::Div:
            asm volatile("divsd %1, %0" : "+x"(a) : "x"(b));
            return a;
        case Arith::Sqrt:
            asm volatile("sqrtsd %1, %0" : "=x"(b) : "x"(a));
            return b;
        default:
            break;
        }
    } else {
        switch (op) {
        case Arith::Add:
            asm volatile("addss %1, %0" : "+x"(a) : "x"(b));
            return a;
        case Arith::Sub:
            asm volatile("subss %1, %0" : "+x"(a) : "x"(b));
            return a;
        case Arith::Mul:
            asm volatile("mulss %1, %0" : "+x"(a) : "x"(b));
            return a;
        case Arith::Div:
            asm volatile("divss %1, %0" : "+x"(a) : "x"(b));
            return a;
        case Arith::Sqrt:
            asm volatile("sqrtss %1, %0" : "=x"(b) : "x"(a));
            return b;
        default:
            break;
        }
    }
    volatile T va = a, vb = b, vc = c;
    volatile T r = std::fma(va, vb, vc); // libm's fma honours MXCSR (hardware FMA)
    return r;
}

template <class T, class Bits>
uint64_t host_arith_t(const ArithArgs& x, uint32_t& flags) {
    const sf::Fmt f = x.dbl ? sf::kF64 : sf::kF32;
    T a, b, c = 0;
    Bits ab = static_cast<Bits>(x.a), bb = static_cast<Bits>(x.b), cb = static_cast<Bits>(x.c);
    if (x.op == Arith::Fma) {
        if (x.negp) ab ^= static_cast<Bits>(f.sign_bit());
        if (x.nega) cb ^= static_cast<Bits>(f.sign_bit());
    }
    std::memcpy(&a, &ab, sizeof a);
    std::memcpy(&b, &bb, sizeof b);
    std::memcpy(&c, &cb, sizeof c);
    // MXCSR rounding control: 00 nearest, 01 down, 10 up, 11 toward zero.
    static constexpr uint32_t kRc[4] = {0x0000, 0x6000, 0x2000, 0x4000};
    const uint32_t saved = get_mxcsr() & ~0x603fu;
    set_mxcsr((saved & ~0x8040u) | kRc[x.rm]); // no FTZ/DAZ, flags clear
    const T r = host_op<T>(x.op, a, b, c);
    const uint32_t hf = get_mxcsr();
    set_mxcsr(saved);
    uint32_t fl = 0;
    if (hf & 0x01) fl |= sf::kNV;
    if (hf & 0x04) fl |= sf::kDZ;
    if (hf & 0x08) fl |= sf::kOF;
    if (hf & 0x10) fl |= sf::kUF;
    if (hf & 0x20) fl |= sf::kNX;
    if (x.op == Arith::Fma) {
        // RISC-V: inf * 0 is invalid even when the addend is a quiet NaN.
        const sf::Unpacked ua = sf::unpack(f, x.a), ub = sf::unpack(f, x.b);
        if ((ua.cls == sf::kInf && ub.cls == sf::kZero) ||
            (ua.cls == sf::kZero && ub.cls == sf::kInf))
            fl |= sf::kNV;
    }
    flags |= fl;
    Bits rb;
    std::memcpy(&rb, &r, sizeof rb);
    if (sf::is_nan(f, rb)) return f.canonical_nan();
    return rb;
}

uint64_t arith(const ArithArgs& x, uint32_t& flags) {
    if (x.rm == sf::kRmm) return soft_arith(x, flags);
    return x.dbl ? host_arith_t<double, uint64_t>(x, flags)
                 : host_arith_t<float, uint32_t>(x, flags);
}

#else

uint64_t arith(const ArithArgs& x, uint32_t& flags) {
    return soft_arith(x, flags);
}

#endif

} // namespace

bool RvCore::exec_fp(const Insn& in) {
    if (!cfg_.isa.has(RvExt::F) || !fp_enabled()) return false;

    const uint32_t raw = in.raw;
    uint32_t flags = 0;

    // Resolves a rounding-mode field; false if reserved.
    auto resolve_rm = [this](unsigned field, unsigned& rm) {
        rm = field == 7 ? (fcsr >> 5) & 7 : field;
        return rm <= 4;
    };
    // A single-precision operand: the canonical NaN unless properly boxed.
    auto rs = [this](unsigned r) -> uint64_t {
        const uint64_t v = f[r];
        return (v & kBoxMask) == kBoxMask ? v & 0xffffffffull : sf::kF32.canonical_nan();
    };
    auto read_f = [&](unsigned r, bool dbl) { return dbl ? f[r] : rs(r); };
    auto write_f = [this](unsigned r, uint64_t v, bool dbl) { f[r] = dbl ? v : (v | kBoxMask); };
    auto write_x = [this](unsigned r, uint64_t v) {
        if (r != 0) x[r] = v;
    };
    auto finish = [&]() {
        fcsr |= flags;
        fp_dirty();
        return true;
    };
    auto finish_x = [&]() { // wrote only an x register: dirty only if flags
        if (flags) {
            fcsr |= flags;
            fp_dirty();
        }
        return true;
    };

    switch (in.op) {
    case kFpLoad:
    case kFpStore: {
        if (in.rm != 2 && in.rm != 3) return false;
        const bool dbl = in.rm == 3;
        if (dbl && !cfg_.isa.has(RvExt::D)) return false;
        const uint64_t addr = x[in.rs1] + static_cast<uint64_t>(in.imm);
        const unsigned len = dbl ? 8 : 4;
        if (in.op == kFpLoad) {
            uint64_t v = 0;
            if (dbl) {
                if (!load(addr, &v, 8)) return true;
            } else {
                uint32_t w = 0;
                if (!load(addr, &w, 4)) return true;
                v = w;
            }
            write_f(in.rd, v, dbl);
            fp_dirty();
            return true;
        }
        if (dbl) {
            const uint64_t v = f[in.rs2];
            store(addr, &v, len);
        } else {
            const uint32_t v = static_cast<uint32_t>(f[in.rs2]);
            store(addr, &v, len);
        }
        return true;
    }

    case kFpMadd:
    case kFpMsub:
    case kFpNmsub:
    case kFpNmadd: {
        const unsigned fmt = (raw >> 25) & 3;
        if (fmt > 1 || (fmt == 1 && !cfg_.isa.has(RvExt::D))) return false;
        const bool dbl = fmt == 1;
        unsigned rm;
        if (!resolve_rm(in.rm, rm)) return false;
        ArithArgs a{Arith::Fma,
                    dbl,
                    read_f(in.rs1, dbl),
                    read_f(in.rs2, dbl),
                    read_f(in.rs3, dbl),
                    in.op == kFpNmsub || in.op == kFpNmadd,
                    in.op == kFpMsub || in.op == kFpNmadd,
                    rm};
        write_f(in.rd, arith(a, flags), dbl);
        return finish();
    }

    case kFpOp:
        break;
    default:
        return false;
    }

    // OP-FP
    const unsigned funct7 = raw >> 25, fmt = funct7 & 3, funct3 = (raw >> 12) & 7;
    const unsigned rs2f = (raw >> 20) & 31;
    const unsigned rd = (raw >> 7) & 31, r1 = (raw >> 15) & 31, r2 = rs2f;
    if (fmt > 1 || (fmt == 1 && !cfg_.isa.has(RvExt::D))) return false;
    const bool dbl = fmt == 1;
    const sf::Fmt F = dbl ? sf::kF64 : sf::kF32;
    unsigned rm = 0;

    switch (funct7 >> 2) {
    case 0x00:   // FADD
    case 0x01:   // FSUB
    case 0x02:   // FMUL
    case 0x03:   // FDIV
    case 0x0b: { // FSQRT
        if (!resolve_rm(funct3, rm)) return false;
        static constexpr Arith kOps[4] = {Arith::Add, Arith::Sub, Arith::Mul, Arith::Div};
        const bool is_sqrt = (funct7 >> 2) == 0x0b;
        if (is_sqrt && rs2f != 0) return false;
        ArithArgs a{is_sqrt ? Arith::Sqrt : kOps[funct7 >> 2],
                    dbl,
                    read_f(r1, dbl),
                    is_sqrt ? 0 : read_f(r2, dbl),
                    0,
                    false,
                    false,
                    rm};
        write_f(rd, arith(a, flags), dbl);
        return finish();
    }
    case 0x04: { // FSGNJ, FSGNJN, FSGNJX
        const uint64_t a = read_f(r1, dbl), b = read_f(r2, dbl), s = F.sign_bit();
        uint64_t v;
        switch (funct3) {
        case 0:
            v = (a & ~s) | (b & s);
            break;
        case 1:
            v = (a & ~s) | (~b & s);
            break;
        case 2:
            v = a ^ (b & s);
            break;
        default:
            return false;
        }
        write_f(rd, v, dbl);
        return finish();
    }
    case 0x05: { // FMIN, FMAX
        if (funct3 > 1) return false;
        write_f(rd, sf::fminmax(F, read_f(r1, dbl), read_f(r2, dbl), funct3 == 1, flags), dbl);
        return finish();
    }
    case 0x08: { // FCVT.S.D (fmt S, rs2 = 1), FCVT.D.S (fmt D, rs2 = 0)
        if (!resolve_rm(funct3, rm)) return false;
        if (rs2f != (dbl ? 0u : 1u) || !cfg_.isa.has(RvExt::D)) return false;
        const sf::Fmt from = dbl ? sf::kF32 : sf::kF64;
        write_f(rd, sf::convert(F, from, read_f(r1, !dbl), rm, flags), dbl);
        return finish();
    }
    case 0x14: { // FLE, FLT, FEQ
        const uint64_t a = read_f(r1, dbl), b = read_f(r2, dbl);
        bool v;
        switch (funct3) {
        case 0:
            v = sf::fle(F, a, b, flags);
            break;
        case 1:
            v = sf::flt(F, a, b, flags);
            break;
        case 2:
            v = sf::feq(F, a, b, flags);
            break;
        default:
            return false;
        }
        write_x(rd, v);
        return finish_x();
    }
    case 0x18: { // FCVT.{W,WU,L,LU}.{S,D}
        if (rs2f > 3 || !resolve_rm(funct3, rm)) return false;
        write_x(rd, sf::to_int(F, read_f(r1, dbl), rs2f, rm, flags));
        return finish_x();
    }
    case 0x1a: { // FCVT.{S,D}.{W,WU,L,LU}
        if (rs2f > 3 || !resolve_rm(funct3, rm)) return false;
        write_f(rd, sf::from_int(F, x[r1], rs2f, rm, flags), dbl);
        return finish();
    }
    case 0x1c: { // FMV.X.{W,D}, FCLASS
        if (rs2f != 0) return false;
        if (funct3 == 0) {
            const uint64_t v = f[r1];
            write_x(rd, dbl ? v : static_cast<uint64_t>(int64_t{static_cast<int32_t>(v)}));
            return true;
        }
        if (funct3 != 1) return false;
        write_x(rd, sf::fclass(F, read_f(r1, dbl)));
        return true;
    }
    case 0x1e: { // FMV.{W,D}.X
        if (rs2f != 0 || funct3 != 0) return false;
        write_f(rd, dbl ? x[r1] : (x[r1] & 0xffffffffull), dbl);
        return finish();
    }
    default:
        return false;
    }
}

} // namespace nvsoc::rv
