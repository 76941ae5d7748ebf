// Instruction decoding: 32-bit RV64GC encodings and the compressed (C)
// encodings, which decode to the same operations as their expansions.
// Field layouts follow the RISC-V unprivileged spec, chapters "RV32I",
// "RV64I", "M", "A", "Zicsr", "C" and the Zicbom/Zicboz specs.
#include "models/cpu/rv_core.h"
#include "models/cpu/rv_ops.h"

namespace nvsoc::rv {

namespace {

constexpr uint32_t bits(uint32_t v, unsigned hi, unsigned lo) {
    return (v >> lo) & ((1u << (hi - lo + 1)) - 1);
}
constexpr int64_t sext(uint64_t v, unsigned width) {
    return static_cast<int64_t>(v << (64 - width)) >> (64 - width);
}

int64_t imm_i(uint32_t r) {
    return sext(bits(r, 31, 20), 12);
}
int64_t imm_s(uint32_t r) {
    return sext((bits(r, 31, 25) << 5) | bits(r, 11, 7), 12);
}
int64_t imm_b(uint32_t r) {
    return sext((bits(r, 31, 31) << 12) | (bits(r, 7, 7) << 11) | (bits(r, 30, 25) << 5) |
                    (bits(r, 11, 8) << 1),
                13);
}
int64_t imm_u(uint32_t r) {
    return sext(r & 0xfffff000u, 32);
}
int64_t imm_j(uint32_t r) {
    return sext((bits(r, 31, 31) << 20) | (bits(r, 19, 12) << 12) | (bits(r, 20, 20) << 11) |
                    (bits(r, 30, 21) << 1),
                21);
}

Insn make(uint16_t op, uint32_t raw, unsigned rd, unsigned rs1, unsigned rs2, int64_t imm) {
    Insn in;
    in.op = op;
    in.raw = raw;
    in.rd = static_cast<uint8_t>(rd);
    in.rs1 = static_cast<uint8_t>(rs1);
    in.rs2 = static_cast<uint8_t>(rs2);
    in.imm = static_cast<int32_t>(imm); // every RV64 immediate fits (see Insn)
    in.len = 4;
    return in;
}

Insn decode32(uint32_t r) {
    unsigned rd = bits(r, 11, 7), rs1 = bits(r, 19, 15), rs2 = bits(r, 24, 20);
    unsigned f3 = bits(r, 14, 12), f7 = bits(r, 31, 25);
    auto I = [&](uint16_t op) { return make(op, r, rd, rs1, rs2, imm_i(r)); };
    auto R = [&](uint16_t op) { return make(op, r, rd, rs1, rs2, 0); };
    Insn bad = make(kIllegal, r, 0, 0, 0, 0);
    switch (bits(r, 6, 0)) {
    case 0x37:
        return make(kLui, r, rd, 0, 0, imm_u(r));
    case 0x17:
        return make(kAuipc, r, rd, 0, 0, imm_u(r));
    case 0x6f:
        return make(kJal, r, rd, 0, 0, imm_j(r));
    case 0x67:
        return f3 == 0 ? I(kJalr) : bad;
    case 0x63: {
        static const uint16_t ops[8] = {kBeq, kBne, kIllegal, kIllegal, kBlt, kBge, kBltu, kBgeu};
        return make(ops[f3], r, 0, rs1, rs2, imm_b(r));
    }
    case 0x03: {
        static const uint16_t ops[8] = {kLb, kLh, kLw, kLd, kLbu, kLhu, kLwu, kIllegal};
        return I(ops[f3]);
    }
    case 0x23: {
        static const uint16_t ops[8] = {kSb, kSh, kSw, kSd, kIllegal, kIllegal, kIllegal, kIllegal};
        return make(ops[f3], r, 0, rs1, rs2, imm_s(r));
    }
    case 0x13: {
        unsigned top6 = bits(r, 31, 26);
        switch (f3) {
        case 0:
            return I(kAddi);
        case 2:
            return I(kSlti);
        case 3:
            return I(kSltiu);
        case 4:
            return I(kXori);
        case 6:
            return I(kOri);
        case 7:
            return I(kAndi);
        case 1:
            return top6 == 0 ? make(kSlli, r, rd, rs1, 0, bits(r, 25, 20)) : bad;
        case 5:
            if (top6 == 0) return make(kSrli, r, rd, rs1, 0, bits(r, 25, 20));
            if (top6 == 0x10) return make(kSrai, r, rd, rs1, 0, bits(r, 25, 20));
            return bad;
        }
        return bad;
    }
    case 0x1b:
        if (f3 == 0) return I(kAddiw);
        if (f3 == 1 && f7 == 0) return make(kSlliw, r, rd, rs1, 0, rs2);
        if (f3 == 5 && f7 == 0) return make(kSrliw, r, rd, rs1, 0, rs2);
        if (f3 == 5 && f7 == 0x20) return make(kSraiw, r, rd, rs1, 0, rs2);
        return bad;
    case 0x33: {
        static const uint16_t base[8] = {kAdd, kSll, kSlt, kSltu, kXor, kSrl, kOr, kAnd};
        static const uint16_t mul[8] = {kMul, kMulh, kMulhsu, kMulhu, kDiv, kDivu, kRem, kRemu};
        if (f7 == 0) return R(base[f3]);
        if (f7 == 1) return R(mul[f3]);
        if (f7 == 0x20 && f3 == 0) return R(kSub);
        if (f7 == 0x20 && f3 == 5) return R(kSra);
        return bad;
    }
    case 0x3b:
        if (f7 == 0 && f3 == 0) return R(kAddw);
        if (f7 == 0 && f3 == 1) return R(kSllw);
        if (f7 == 0 && f3 == 5) return R(kSrlw);
        if (f7 == 0x20 && f3 == 0) return R(kSubw);
        if (f7 == 0x20 && f3 == 5) return R(kSraw);
        if (f7 == 1) {
            static const uint16_t ops[8] = {kMulw, kIllegal, kIllegal, kIllegal,
                                            kDivw, kDivuw,   kRemw,    kRemuw};
            return R(ops[f3]);
        }
        return bad;
    case 0x0f:
        if (f3 == 0) return make(kFence, r, 0, 0, 0, 0);
        if (f3 == 1) return make(kFenceI, r, 0, 0, 0, 0);
        if (f3 == 2 && rd == 0) {
            switch (bits(r, 31, 20)) {
            case 0:
                return make(kCboInval, r, 0, rs1, 0, 0);
            case 1:
                return make(kCboClean, r, 0, rs1, 0, 0);
            case 2:
                return make(kCboFlush, r, 0, rs1, 0, 0);
            case 4:
                return make(kCboZero, r, 0, rs1, 0, 0);
            }
        }
        return bad;
    case 0x73:
        if (f3 == 0) {
            if (f7 == 0x09 && rd == 0) return R(kSfenceVma);
            if (rd != 0 || rs1 != 0) return bad;
            switch (bits(r, 31, 20)) {
            case 0x000:
                return R(kEcall);
            case 0x001:
                return R(kEbreak);
            case 0x302:
                return R(kMret);
            case 0x102:
                return R(kSret);
            case 0x105:
                return R(kWfi);
            }
            return bad;
        } else {
            static const uint16_t ops[8] = {kIllegal, kCsrrw,  kCsrrs,  kCsrrc,
                                            kIllegal, kCsrrwi, kCsrrsi, kCsrrci};
            return make(ops[f3], r, rd, rs1, 0, bits(r, 31, 20));
        }
    case 0x2f: {
        if (f3 != 2 && f3 != 3) return bad;
        bool d = f3 == 3;
        uint16_t op;
        switch (bits(r, 31, 27)) {
        case 0x02:
            op = rs2 == 0 ? (d ? kLrD : kLrW) : kIllegal;
            break;
        case 0x03:
            op = d ? kScD : kScW;
            break;
        case 0x01:
            op = d ? kAmoswapD : kAmoswapW;
            break;
        case 0x00:
            op = d ? kAmoaddD : kAmoaddW;
            break;
        case 0x04:
            op = d ? kAmoxorD : kAmoxorW;
            break;
        case 0x0c:
            op = d ? kAmoandD : kAmoandW;
            break;
        case 0x08:
            op = d ? kAmoorD : kAmoorW;
            break;
        case 0x10:
            op = d ? kAmominD : kAmominW;
            break;
        case 0x14:
            op = d ? kAmomaxD : kAmomaxW;
            break;
        case 0x18:
            op = d ? kAmominuD : kAmominuW;
            break;
        case 0x1c:
            op = d ? kAmomaxuD : kAmomaxuW;
            break;
        default:
            return bad;
        }
        Insn in = R(op);
        in.rm = static_cast<uint8_t>(bits(r, 26, 25));
        return in;
    }
    case 0x07: {
        Insn in = I(kFpLoad);
        in.rm = static_cast<uint8_t>(f3);
        return in;
    }
    case 0x27: {
        Insn in = make(kFpStore, r, 0, rs1, rs2, imm_s(r));
        in.rm = static_cast<uint8_t>(f3);
        return in;
    }
    case 0x53: {
        Insn in = R(kFpOp);
        in.rm = static_cast<uint8_t>(f3);
        return in;
    }
    case 0x43:
    case 0x47:
    case 0x4b:
    case 0x4f: {
        static const uint16_t ops[4] = {kFpMadd, kFpMsub, kFpNmsub, kFpNmadd};
        Insn in = R(ops[bits(r, 3, 2)]);
        in.rs3 = static_cast<uint8_t>(bits(r, 31, 27));
        in.rm = static_cast<uint8_t>(f3);
        return in;
    }
    }
    return bad;
}

// Compressed register fields name x8..x15.
unsigned creg(uint32_t r, unsigned lo) {
    return 8 + bits(r, lo + 2, lo);
}

Insn decode16(uint32_t r) {
    Insn bad = make(kIllegal, r, 0, 0, 0, 0);
    bad.len = 2;
    auto C = [&](uint16_t op, unsigned rd, unsigned rs1, unsigned rs2, int64_t imm) {
        Insn in = make(op, r, rd, rs1, rs2, imm);
        in.len = 2;
        return in;
    };
    unsigned f3 = bits(r, 15, 13);
    unsigned rd = bits(r, 11, 7), rs2 = bits(r, 6, 2);
    int64_t imm6 = sext((bits(r, 12, 12) << 5) | bits(r, 6, 2), 6);
    switch (bits(r, 1, 0)) {
    case 0: {
        unsigned rdp = creg(r, 2), rs1p = creg(r, 7);
        uint32_t off_d = (bits(r, 12, 10) << 3) | (bits(r, 6, 5) << 6); // ld/sd/fld/fsd
        uint32_t off_w = (bits(r, 12, 10) << 3) | (bits(r, 6, 6) << 2) | (bits(r, 5, 5) << 6);
        switch (f3) {
        case 0: {
            uint32_t nzuimm = (bits(r, 12, 11) << 4) | (bits(r, 10, 7) << 6) |
                              (bits(r, 6, 6) << 2) | (bits(r, 5, 5) << 3);
            return nzuimm ? C(kAddi, rdp, 2, 0, nzuimm) : bad;
        }
        case 1: {
            Insn in = C(kFpLoad, rdp, rs1p, 0, off_d);
            in.rm = 3;
            return in;
        }
        case 2:
            return C(kLw, rdp, rs1p, 0, off_w);
        case 3:
            return C(kLd, rdp, rs1p, 0, off_d);
        case 5: {
            Insn in = C(kFpStore, 0, rs1p, rdp, off_d);
            in.rm = 3;
            return in;
        }
        case 6:
            return C(kSw, 0, rs1p, rdp, off_w);
        case 7:
            return C(kSd, 0, rs1p, rdp, off_d);
        }
        return bad;
    }
    case 1:
        switch (f3) {
        case 0:
            return C(kAddi, rd, rd, 0, imm6); // C.NOP when rd = 0
        case 1:
            return rd ? C(kAddiw, rd, rd, 0, imm6) : bad;
        case 2:
            return C(kAddi, rd, 0, 0, imm6); // C.LI
        case 3:
            if (rd == 2) {
                int64_t nz =
                    sext((bits(r, 12, 12) << 9) | (bits(r, 6, 6) << 4) | (bits(r, 5, 5) << 6) |
                             (bits(r, 4, 3) << 7) | (bits(r, 2, 2) << 5),
                         10);
                return nz ? C(kAddi, 2, 2, 0, nz) : bad; // C.ADDI16SP
            }
            return imm6 ? C(kLui, rd, 0, 0, imm6 << 12) : bad;
        case 4: {
            unsigned rdp = creg(r, 7), rs2p = creg(r, 2);
            unsigned shamt = (bits(r, 12, 12) << 5) | bits(r, 6, 2);
            switch (bits(r, 11, 10)) {
            case 0:
                return C(kSrli, rdp, rdp, 0, shamt);
            case 1:
                return C(kSrai, rdp, rdp, 0, shamt);
            case 2:
                return C(kAndi, rdp, rdp, 0, imm6);
            case 3: {
                static const uint16_t ops[8] = {kSub,  kXor,  kOr,      kAnd,
                                                kSubw, kAddw, kIllegal, kIllegal};
                uint16_t op = ops[(bits(r, 12, 12) << 2) | bits(r, 6, 5)];
                return op == kIllegal ? bad : C(op, rdp, rdp, rs2p, 0);
            }
            }
            return bad;
        }
        case 5: {
            int64_t off =
                sext((bits(r, 12, 12) << 11) | (bits(r, 11, 11) << 4) | (bits(r, 10, 9) << 8) |
                         (bits(r, 8, 8) << 10) | (bits(r, 7, 7) << 6) | (bits(r, 6, 6) << 7) |
                         (bits(r, 5, 3) << 1) | (bits(r, 2, 2) << 5),
                     12);
            return C(kJal, 0, 0, 0, off);
        }
        case 6:
        case 7: {
            int64_t off =
                sext((bits(r, 12, 12) << 8) | (bits(r, 11, 10) << 3) | (bits(r, 6, 5) << 6) |
                         (bits(r, 4, 3) << 1) | (bits(r, 2, 2) << 5),
                     9);
            return C(f3 == 6 ? kBeq : kBne, 0, creg(r, 7), 0, off);
        }
        }
        return bad;
    case 2:
        switch (f3) {
        case 0:
            return C(kSlli, rd, rd, 0, (bits(r, 12, 12) << 5) | bits(r, 6, 2));
        case 1: {
            Insn in = C(kFpLoad, rd, 2, 0,
                        (bits(r, 12, 12) << 5) | (bits(r, 6, 5) << 3) | (bits(r, 4, 2) << 6));
            in.rm = 3;
            return in;
        }
        case 2:
            return rd ? C(kLw, rd, 2, 0,
                          (bits(r, 12, 12) << 5) | (bits(r, 6, 4) << 2) | (bits(r, 3, 2) << 6))
                      : bad;
        case 3:
            return rd ? C(kLd, rd, 2, 0,
                          (bits(r, 12, 12) << 5) | (bits(r, 6, 5) << 3) | (bits(r, 4, 2) << 6))
                      : bad;
        case 4:
            if (bits(r, 12, 12) == 0) {
                if (rs2 == 0) return rd ? C(kJalr, 0, rd, 0, 0) : bad; // C.JR
                return C(kAdd, rd, 0, rs2, 0);                         // C.MV
            }
            if (rd == 0 && rs2 == 0) return C(kEbreak, 0, 0, 0, 0);
            if (rs2 == 0) return C(kJalr, 1, rd, 0, 0); // C.JALR
            return C(kAdd, rd, rd, rs2, 0);
        case 5: {
            Insn in = C(kFpStore, 0, 2, rs2, (bits(r, 12, 10) << 3) | (bits(r, 9, 7) << 6));
            in.rm = 3;
            return in;
        }
        case 6:
            return C(kSw, 0, 2, rs2, (bits(r, 12, 9) << 2) | (bits(r, 8, 7) << 6));
        case 7:
            return C(kSd, 0, 2, rs2, (bits(r, 12, 10) << 3) | (bits(r, 9, 7) << 6));
        }
        return bad;
    }
    return bad;
}

} // namespace

Insn RvCore::decode_rv64gc(uint32_t raw) {
    Insn in = (raw & 3) == 3 ? decode32(raw) : decode16(raw & 0xffff);
    // An integer operation that can only write x0 does nothing (these are
    // the HINT encodings, c.nop and canonical nop among them). Turning them
    // into kNop lets the interpreter write rd unconditionally everywhere else.
    bool pure = in.op == kLui || in.op == kAuipc || (in.op >= kAddi && in.op <= kSraw);
    if (pure && in.rd == 0) in.op = kNop;
    return in;
}

// Whether the hart has the extension an operation belongs to. F and D are
// checked when the FP unit decodes the rest (rv_fp.cpp).
static bool implemented(const Insn& in, const RvExtensions& isa) {
    if (in.len == 2 && !isa.has(RvExt::C)) return false;
    if (in.op >= kMul && in.op <= kRemuw) return isa.has(RvExt::M);
    if (in.op >= kLrW && in.op <= kAmomaxuD) return isa.has(RvExt::A);
    if (in.op >= kCsrrw && in.op <= kCsrrci) return isa.has(RvExt::Zicsr);
    if (in.op >= kCboInval && in.op <= kCboFlush) return isa.has(RvExt::Zicbom);
    if (in.op == kCboZero) return isa.has(RvExt::Zicboz);
    if (in.op == kFenceI) return isa.has(RvExt::Zifencei);
    return true;
}

Insn RvCore::decode(uint32_t raw) const {
    Insn in = decode_rv64gc(raw);
    if (!implemented(in, cfg_.isa)) {
        in.op = kIllegal; // raw and len stay: mtval is the instruction
        return in;
    }
    if (!cfg_.isa.has(RvExt::C)) {
        // Every pc is 4-byte aligned (mepc/sepc and the trap vectors keep
        // bit 1 clear), so a JAL's or branch's target is misaligned exactly
        // when its offset is; a JALR's target has to be checked.
        bool pc_relative = in.op == kJal || (in.op >= kBeq && in.op <= kBgeu);
        if (pc_relative && (in.imm & 2)) {
            static_assert(kBgeu <= 0xff, "the operation must fit in rs3");
            in.rs3 = static_cast<uint8_t>(in.op);
            in.op = kMisalignedJump;
        } else if (in.op == kJalr) {
            in.op = kJalrNoC;
        }
    }
    return in;
}

} // namespace nvsoc::rv
