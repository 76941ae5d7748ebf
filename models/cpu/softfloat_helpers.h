// Software IEEE 754 binary32/binary64 arithmetic for the RISC-V F and D
// extensions: every operation rounds correctly in all five RISC-V rounding
// modes (including RMM, which host FPUs lack) and reports the exception flags
// the way RISC-V does (tininess detected after rounding). Values travel as raw
// bit patterns in uint64_t; NaN results are always the canonical quiet NaN.
//
// The FP unit (rv_fp.cpp) uses the host FPU for the common arithmetic in the
// four IEEE directed/nearest modes and these routines for everything else;
// the unit tests check one against the other.
#pragma once

#include <bit>
#include <cstdint>
#include <utility>

namespace nvsoc::rv::sf {

__extension__ typedef unsigned __int128 u128;

// fflags bits.
enum : uint32_t { kNX = 1, kUF = 2, kOF = 4, kDZ = 8, kNV = 16 };
// Rounding modes (already resolved: never DYN here).
enum : unsigned { kRne = 0, kRtz = 1, kRdn = 2, kRup = 3, kRmm = 4 };

struct Fmt {
    int mbits; // stored fraction bits
    int ebits; // exponent bits
    constexpr int bias() const { return (1 << (ebits - 1)) - 1; }
    constexpr int emin() const { return 1 - bias(); }
    constexpr int emax() const { return bias(); }
    constexpr uint64_t sign_bit() const { return uint64_t{1} << (mbits + ebits); }
    constexpr uint64_t exp_mask() const { return ((uint64_t{1} << ebits) - 1) << mbits; }
    constexpr uint64_t frac_mask() const { return (uint64_t{1} << mbits) - 1; }
    constexpr uint64_t canonical_nan() const { return exp_mask() | (uint64_t{1} << (mbits - 1)); }
    constexpr uint64_t max_finite() const {
        return (exp_mask() - (uint64_t{1} << mbits)) | frac_mask();
    }
};
inline constexpr Fmt kF32{23, 8};
inline constexpr Fmt kF64{52, 11};

inline bool is_nan(Fmt f, uint64_t v) {
    return (v & f.exp_mask()) == f.exp_mask() && (v & f.frac_mask()) != 0;
}
inline bool is_snan(Fmt f, uint64_t v) {
    return is_nan(f, v) && !((v >> (f.mbits - 1)) & 1);
}
inline bool is_zero(Fmt f, uint64_t v) {
    return (v & ~f.sign_bit()) == 0;
}

enum Cls { kZero, kFinite, kInf, kQnan, kSnan };

// A finite nonzero value is (-1)^sign * sig * 2^exp.
struct Unpacked {
    bool sign = false;
    Cls cls = kZero;
    int exp = 0;
    uint64_t sig = 0;
    bool nan() const { return cls == kQnan || cls == kSnan; }
};

inline Unpacked unpack(Fmt f, uint64_t v) {
    Unpacked u;
    u.sign = (v & f.sign_bit()) != 0;
    const uint64_t e = (v & f.exp_mask()) >> f.mbits;
    const uint64_t m = v & f.frac_mask();
    if (e == (uint64_t{1} << f.ebits) - 1) {
        u.cls = m == 0 ? kInf : ((m >> (f.mbits - 1)) & 1) ? kQnan : kSnan;
    } else if (e == 0) {
        if (m != 0) {
            u.cls = kFinite;
            u.sig = m;
            u.exp = f.emin() - f.mbits;
        }
    } else {
        u.cls = kFinite;
        u.sig = m | (uint64_t{1} << f.mbits);
        u.exp = static_cast<int>(e) - f.bias() - f.mbits;
    }
    return u;
}

inline uint64_t make_inf(Fmt f, bool sign) {
    return (sign ? f.sign_bit() : 0) | f.exp_mask();
}
inline uint64_t make_zero(Fmt f, bool sign) {
    return sign ? f.sign_bit() : 0;
}

// Whether rounding increments the magnitude, given the kept part's lsb, the
// first discarded bit and whether anything below it is nonzero.
inline bool rounds_up(unsigned rm, bool sign, bool lsb, bool rbit, bool sticky) {
    switch (rm) {
    case kRne:
        return rbit && (sticky || lsb);
    case kRtz:
        return false;
    case kRdn:
        return (rbit || sticky) && sign;
    case kRup:
        return (rbit || sticky) && !sign;
    default: // kRmm
        return rbit;
    }
}

// v >> sh (sh >= 1), reporting the first shifted-out bit and the rest.
inline uint64_t shr_round(uint64_t v, int sh, bool& rbit, bool& sticky) {
    if (sh > 64) {
        rbit = false;
        sticky = v != 0;
        return 0;
    }
    if (sh == 64) {
        rbit = (v >> 63) != 0;
        sticky = (v << 1) != 0;
        return 0;
    }
    rbit = ((v >> (sh - 1)) & 1) != 0;
    sticky = (v & ((uint64_t{1} << (sh - 1)) - 1)) != 0;
    return v >> sh;
}

inline int clz128(u128 v) {
    const uint64_t hi = static_cast<uint64_t>(v >> 64);
    return hi ? std::countl_zero(hi) : 64 + std::countl_zero(static_cast<uint64_t>(v));
}

// Shifts right, ORing everything shifted out into bit 0.
inline u128 shr_jam128(u128 v, int sh) {
    if (sh <= 0) return v;
    if (sh >= 128) return v != 0;
    return (v >> sh) | ((v & ((u128{1} << sh) - 1)) != 0);
}

// Reduces a 128-bit significand to 64 bits (jamming), adjusting exp.
inline uint64_t narrow(u128 v, int& exp) {
    const int lz = clz128(v);
    if (lz >= 64) return static_cast<uint64_t>(v);
    const int sh = 64 - lz;
    exp += sh;
    return static_cast<uint64_t>(shr_jam128(v, sh));
}

// Rounds (-1)^sign * sig * 2^exp (sig != 0) to format f. Bit 0 of sig may be
// a jammed sticky bit: it lies far below any rounding position.
inline uint64_t round_pack(Fmt f, bool sign, int exp, uint64_t sig, unsigned rm, uint32_t& flags) {
    const int lz = std::countl_zero(sig);
    sig <<= lz;
    exp -= lz;
    int e = exp + 63; // exponent of the leading bit
    const int p = f.mbits + 1;
    const uint64_t sbit = sign ? f.sign_bit() : 0;
    bool rbit = false, sticky = false;
    if (e >= f.emin()) {
        uint64_t kept = shr_round(sig, 64 - p, rbit, sticky);
        if (rounds_up(rm, sign, kept & 1, rbit, sticky)) {
            if (++kept >> p) {
                kept >>= 1;
                ++e;
            }
        }
        if (e > f.emax()) {
            flags |= kOF | kNX;
            const bool to_inf =
                rm == kRne || rm == kRmm || (rm == kRup && !sign) || (rm == kRdn && sign);
            return to_inf ? make_inf(f, sign) : sbit | f.max_finite();
        }
        if (rbit || sticky) flags |= kNX;
        return sbit | (uint64_t(e + f.bias()) << f.mbits) | (kept & f.frac_mask());
    }
    // Below the normal range before rounding. Tiny unless rounding to p bits
    // with an unbounded exponent carries up to 2^emin.
    bool tiny = true;
    if (e == f.emin() - 1) {
        const uint64_t kept = shr_round(sig, 64 - p, rbit, sticky);
        if (kept == (uint64_t{1} << p) - 1 && rounds_up(rm, sign, true, rbit, sticky)) tiny = false;
    }
    uint64_t kept = shr_round(sig, 64 - p + (f.emin() - e), rbit, sticky);
    if (rounds_up(rm, sign, kept & 1, rbit, sticky)) ++kept; // may become the min normal
    if (rbit || sticky) {
        flags |= kNX;
        if (tiny) flags |= kUF;
    }
    return sbit | kept;
}

// ---- arithmetic ----

// (-1)^sa * a * 2^ea + (-1)^sb * b * 2^eb for nonzero a, b < 2^126 whose bit 0
// is clear after normalisation to bit 125 (true for products and significands).
inline uint64_t add_core(Fmt f, bool sa, int ea, u128 a, bool sb, int eb, u128 b, unsigned rm,
                         uint32_t& flags) {
    int la = clz128(a) - 2, lb = clz128(b) - 2;
    a <<= la;
    ea -= la;
    b <<= lb;
    eb -= lb;
    if (ea < eb || (ea == eb && a < b)) {
        std::swap(a, b);
        std::swap(ea, eb);
        std::swap(sa, sb);
    }
    b = shr_jam128(b, ea - eb);
    const u128 s = sa == sb ? a + b : a - b;
    if (s == 0) return make_zero(f, rm == kRdn);
    int e = ea;
    const uint64_t sig = narrow(s, e);
    return round_pack(f, sa, e, sig, rm, flags);
}

inline uint64_t add(Fmt f, uint64_t x, uint64_t y, bool subtract, unsigned rm, uint32_t& flags) {
    Unpacked a = unpack(f, x), b = unpack(f, y);
    b.sign ^= subtract;
    if (a.nan() || b.nan()) {
        if (a.cls == kSnan || b.cls == kSnan) flags |= kNV;
        return f.canonical_nan();
    }
    if (a.cls == kInf || b.cls == kInf) {
        if (a.cls == kInf && b.cls == kInf && a.sign != b.sign) {
            flags |= kNV;
            return f.canonical_nan();
        }
        return make_inf(f, a.cls == kInf ? a.sign : b.sign);
    }
    if (a.cls == kZero && b.cls == kZero)
        return make_zero(f, a.sign == b.sign ? a.sign : rm == kRdn);
    if (a.cls == kZero) return (y & ~f.sign_bit()) | (b.sign ? f.sign_bit() : 0);
    if (b.cls == kZero) return x;
    return add_core(f, a.sign, a.exp, a.sig, b.sign, b.exp, b.sig, rm, flags);
}

inline uint64_t mul(Fmt f, uint64_t x, uint64_t y, unsigned rm, uint32_t& flags) {
    const Unpacked a = unpack(f, x), b = unpack(f, y);
    const bool sign = a.sign != b.sign;
    if (a.nan() || b.nan()) {
        if (a.cls == kSnan || b.cls == kSnan) flags |= kNV;
        return f.canonical_nan();
    }
    if (a.cls == kInf || b.cls == kInf) {
        if (a.cls == kZero || b.cls == kZero) {
            flags |= kNV;
            return f.canonical_nan();
        }
        return make_inf(f, sign);
    }
    if (a.cls == kZero || b.cls == kZero) return make_zero(f, sign);
    int e = a.exp + b.exp;
    const uint64_t sig = narrow(u128{a.sig} * b.sig, e);
    return round_pack(f, sign, e, sig, rm, flags);
}

// negate_product/negate_addend give FMSUB, FNMSUB and FNMADD.
inline uint64_t fma(Fmt f, uint64_t x, uint64_t y, uint64_t z, bool negate_product,
                    bool negate_addend, unsigned rm, uint32_t& flags) {
    const Unpacked a = unpack(f, x), b = unpack(f, y);
    Unpacked c = unpack(f, z);
    const bool sp = (a.sign != b.sign) != negate_product;
    c.sign ^= negate_addend;
    const bool inf_times_zero =
        (a.cls == kInf && b.cls == kZero) || (a.cls == kZero && b.cls == kInf);
    if (a.nan() || b.nan() || c.nan()) {
        if (a.cls == kSnan || b.cls == kSnan || c.cls == kSnan || inf_times_zero) flags |= kNV;
        return f.canonical_nan();
    }
    if (inf_times_zero) {
        flags |= kNV;
        return f.canonical_nan();
    }
    if (a.cls == kInf || b.cls == kInf) {
        if (c.cls == kInf && c.sign != sp) {
            flags |= kNV;
            return f.canonical_nan();
        }
        return make_inf(f, sp);
    }
    if (c.cls == kInf) return make_inf(f, c.sign);
    if (a.cls == kZero || b.cls == kZero) {
        if (c.cls == kZero) return make_zero(f, sp == c.sign ? sp : rm == kRdn);
        return (z & ~f.sign_bit()) | (c.sign ? f.sign_bit() : 0);
    }
    const u128 prod = u128{a.sig} * b.sig;
    if (c.cls == kZero) {
        int e = a.exp + b.exp;
        const uint64_t sig = narrow(prod, e);
        return round_pack(f, sp, e, sig, rm, flags);
    }
    return add_core(f, sp, a.exp + b.exp, prod, c.sign, c.exp, c.sig, rm, flags);
}

inline uint64_t div(Fmt f, uint64_t x, uint64_t y, unsigned rm, uint32_t& flags) {
    Unpacked a = unpack(f, x), b = unpack(f, y);
    const bool sign = a.sign != b.sign;
    if (a.nan() || b.nan()) {
        if (a.cls == kSnan || b.cls == kSnan) flags |= kNV;
        return f.canonical_nan();
    }
    if ((a.cls == kInf && b.cls == kInf) || (a.cls == kZero && b.cls == kZero)) {
        flags |= kNV;
        return f.canonical_nan();
    }
    if (a.cls == kInf) return make_inf(f, sign);
    if (b.cls == kInf || a.cls == kZero) return make_zero(f, sign);
    if (b.cls == kZero) {
        flags |= kDZ;
        return make_inf(f, sign);
    }
    // Both significands to 53 bits, then a 75-ish-bit quotient with a sticky bit.
    const int sa = std::countl_zero(a.sig) - 11, sb = std::countl_zero(b.sig) - 11;
    a.sig <<= sa;
    a.exp -= sa;
    b.sig <<= sb;
    b.exp -= sb;
    const u128 num = u128{a.sig} << 74;
    u128 q = num / b.sig;
    if (num % b.sig) q |= 1;
    int e = a.exp - 74 - b.exp;
    const uint64_t sig = narrow(q, e);
    return round_pack(f, sign, e, sig, rm, flags);
}

inline uint64_t sqrt(Fmt f, uint64_t x, unsigned rm, uint32_t& flags) {
    Unpacked a = unpack(f, x);
    if (a.nan()) {
        if (a.cls == kSnan) flags |= kNV;
        return f.canonical_nan();
    }
    if (a.cls == kZero) return x;
    if (a.sign) {
        flags |= kNV;
        return f.canonical_nan();
    }
    if (a.cls == kInf) return x;
    const int s = std::countl_zero(a.sig) - 11;
    a.sig <<= s;
    a.exp -= s;
    u128 m = a.sig;
    if (a.exp & 1) {
        m <<= 1;
        a.exp -= 1;
    }
    m <<= 62; // < 2^116: the root has at least 57 bits
    a.exp -= 62;
    // Digit-by-digit integer square root.
    u128 rem = m, root = 0, bit = u128{1} << 116;
    while (bit > rem)
        bit >>= 2;
    while (bit != 0) {
        if (rem >= root + bit) {
            rem -= root + bit;
            root = (root >> 1) + bit;
        } else {
            root >>= 1;
        }
        bit >>= 2;
    }
    const uint64_t sig = static_cast<uint64_t>(root) | (rem != 0);
    return round_pack(f, false, a.exp / 2, sig, rm, flags);
}

// ---- conversions ----

// Between the two formats (widening is exact).
inline uint64_t convert(Fmt to, Fmt from, uint64_t v, unsigned rm, uint32_t& flags) {
    const Unpacked a = unpack(from, v);
    switch (a.cls) {
    case kSnan:
        flags |= kNV;
        [[fallthrough]];
    case kQnan:
        return to.canonical_nan();
    case kInf:
        return make_inf(to, a.sign);
    case kZero:
        return make_zero(to, a.sign);
    default:
        return round_pack(to, a.sign, a.exp, a.sig, rm, flags);
    }
}

// Integer kinds, as in the rs2 field of FCVT: W, WU, L, LU.
enum IntKind : unsigned { kW = 0, kWU = 1, kL = 2, kLU = 3 };

// Float to integer, saturating; the result as an x register holds it (32-bit
// results sign-extended).
inline uint64_t to_int(Fmt f, uint64_t v, unsigned kind, unsigned rm, uint32_t& flags) {
    const bool is_unsigned = kind & 1;
    const int n = kind >= kL ? 64 : 32;
    const u128 max_pos = is_unsigned ? (u128{1} << n) - 1 : (u128{1} << (n - 1)) - 1;
    const u128 max_neg = is_unsigned ? 0 : u128{1} << (n - 1); // magnitude
    auto result = [n](bool neg, u128 mag) {
        uint64_t r = static_cast<uint64_t>(mag);
        if (neg) r = 0 - r;
        if (n == 32) r = static_cast<uint64_t>(int64_t{static_cast<int32_t>(r)});
        return r;
    };
    const Unpacked a = unpack(f, v);
    switch (a.cls) {
    case kQnan:
    case kSnan:
        flags |= kNV;
        return result(false, max_pos);
    case kInf:
        flags |= kNV;
        return a.sign ? result(true, max_neg) : result(false, max_pos);
    case kZero:
        return 0;
    default:
        break;
    }
    u128 mag = 0;
    bool rbit = false, sticky = false;
    if (a.exp >= 0) {
        if (a.exp + 64 - std::countl_zero(a.sig) > 64) {
            mag = u128{1} << 64; // out of every range
        } else {
            mag = u128{a.sig} << a.exp;
        }
    } else {
        mag = shr_round(a.sig, -a.exp, rbit, sticky);
        if (rounds_up(rm, a.sign, mag & 1, rbit, sticky)) ++mag;
    }
    if (mag > (a.sign ? max_neg : max_pos)) {
        flags |= kNV;
        return a.sign ? result(true, max_neg) : result(false, max_pos);
    }
    if (rbit || sticky) flags |= kNX;
    return result(a.sign, mag);
}

// Integer (from an x register) to float.
inline uint64_t from_int(Fmt f, uint64_t x, unsigned kind, unsigned rm, uint32_t& flags) {
    bool neg = false;
    uint64_t mag = 0;
    switch (kind) {
    case kW: {
        const int64_t s = static_cast<int32_t>(static_cast<uint32_t>(x));
        neg = s < 0;
        mag = neg ? 0 - static_cast<uint64_t>(s) : static_cast<uint64_t>(s);
        break;
    }
    case kWU:
        mag = static_cast<uint32_t>(x);
        break;
    case kL:
        neg = static_cast<int64_t>(x) < 0;
        mag = neg ? 0 - x : x;
        break;
    default:
        mag = x;
        break;
    }
    if (mag == 0) return 0;
    return round_pack(f, neg, 0, mag, rm, flags);
}

// ---- comparisons, min/max, classification ----

// Total order on non-NaN values with -0 < +0.
inline bool lt_total(Fmt f, uint64_t a, uint64_t b) {
    const bool sa = (a & f.sign_bit()) != 0, sb = (b & f.sign_bit()) != 0;
    const uint64_t ma = a & ~f.sign_bit(), mb = b & ~f.sign_bit();
    if (sa != sb) return sa;
    return sa ? ma > mb : ma < mb;
}

inline bool feq(Fmt f, uint64_t a, uint64_t b, uint32_t& flags) {
    if (is_nan(f, a) || is_nan(f, b)) {
        if (is_snan(f, a) || is_snan(f, b)) flags |= kNV;
        return false;
    }
    return a == b || (is_zero(f, a) && is_zero(f, b));
}

inline bool flt(Fmt f, uint64_t a, uint64_t b, uint32_t& flags) {
    if (is_nan(f, a) || is_nan(f, b)) {
        flags |= kNV;
        return false;
    }
    if (is_zero(f, a) && is_zero(f, b)) return false;
    return lt_total(f, a, b);
}

inline bool fle(Fmt f, uint64_t a, uint64_t b, uint32_t& flags) {
    if (is_nan(f, a) || is_nan(f, b)) {
        flags |= kNV;
        return false;
    }
    return a == b || (is_zero(f, a) && is_zero(f, b)) || lt_total(f, a, b);
}

// IEEE 754-2019 minimumNumber / maximumNumber.
inline uint64_t fminmax(Fmt f, uint64_t a, uint64_t b, bool max, uint32_t& flags) {
    if (is_snan(f, a) || is_snan(f, b)) flags |= kNV;
    const bool an = is_nan(f, a), bn = is_nan(f, b);
    if (an && bn) return f.canonical_nan();
    if (an) return b;
    if (bn) return a;
    return lt_total(f, a, b) != max ? a : b;
}

inline uint64_t fclass(Fmt f, uint64_t v) {
    const Unpacked a = unpack(f, v);
    const bool sub = a.cls == kFinite && (v & f.exp_mask()) == 0;
    switch (a.cls) {
    case kInf:
        return a.sign ? 1u << 0 : 1u << 7;
    case kZero:
        return a.sign ? 1u << 3 : 1u << 4;
    case kSnan:
        return 1u << 8;
    case kQnan:
        return 1u << 9;
    default:
        if (a.sign) return sub ? 1u << 2 : 1u << 1;
        return sub ? 1u << 5 : 1u << 6;
    }
}

} // namespace nvsoc::rv::sf
