// Control and status registers, and the SYSTEM instructions that change
// privilege (privileged spec 1.12, Zicntr, Zihpm, Sstc, Zicbom/Zicboz).
#include "models/cpu/rv_core.h"

#include "models/cpu/rv_ops.h"

namespace nvsoc::rv {

namespace {

enum Csr : unsigned {
    kFflags = 0x001,
    kFrm = 0x002,
    kFcsr = 0x003,
    kCycle = 0xc00,
    kTime = 0xc01,
    kInstret = 0xc02,
    kHpm3 = 0xc03,
    kHpm31 = 0xc1f,
    kSstatus = 0x100,
    kSie = 0x104,
    kStvec = 0x105,
    kScounteren = 0x106,
    kSenvcfg = 0x10a,
    kSscratch = 0x140,
    kSepc = 0x141,
    kScause = 0x142,
    kStval = 0x143,
    kSip = 0x144,
    kStimecmp = 0x14d,
    kSatp = 0x180,
    kMvendorid = 0xf11,
    kMarchid = 0xf12,
    kMimpid = 0xf13,
    kMhartid = 0xf14,
    kMconfigptr = 0xf15,
    kMstatus = 0x300,
    kMisa = 0x301,
    kMedeleg = 0x302,
    kMideleg = 0x303,
    kMie = 0x304,
    kMtvec = 0x305,
    kMcounteren = 0x306,
    kMenvcfg = 0x30a,
    kMcountinhibit = 0x320,
    kMhpmevent3 = 0x323,
    kMhpmevent31 = 0x33f,
    kMscratch = 0x340,
    kMepc = 0x341,
    kMcause = 0x342,
    kMtval = 0x343,
    kMip = 0x344,
    kPmpcfg0 = 0x3a0,
    kPmpcfg15 = 0x3af,
    kPmpaddr0 = 0x3b0,
    kPmpaddr63 = 0x3ef,
    kMcycle = 0xb00,
    kMinstret = 0xb02,
    kMhpm3 = 0xb03,
    kMhpm31 = 0xb1f,
};

constexpr uint64_t kSstatusMask = (1ull << 1) | (1ull << 5) | (1ull << 8) | (3ull << 13) |
                                  (1ull << 18) | (1ull << 19) | (3ull << 32) | (1ull << 63);
constexpr uint64_t kMstatusWritable = (1ull << 1) | (1ull << 3) | (1ull << 5) | (1ull << 7) |
                                      (1ull << 8) | (3ull << 11) | (3ull << 13) | (1ull << 17) |
                                      (1ull << 18) | (1ull << 19) | (1ull << 20) | (1ull << 21) |
                                      (1ull << 22);
// mstatus bits whose change alters how data addresses translate.
constexpr uint64_t kTranslationBits = (3ull << 11) | (1ull << 17) | (1ull << 18) | (1ull << 19);
constexpr uint64_t kSInterrupts = (1u << kSsi) | (1u << kSti) | (1u << kSei);
constexpr uint64_t kAllInterrupts = kSInterrupts | (1u << kMsi) | (1u << kMti) | (1u << kMei);

} // namespace

// Reads and writes as the hart itself performs them, after the privilege
// checks of exec_csr. Returns false for CSRs that do not exist.
bool RvCore::csr_read(unsigned csr, uint64_t& v) {
    switch (csr) {
    case kFflags:
        v = fcsr & 0x1f;
        return cfg_.isa.has(RvExt::F);
    case kFrm:
        v = (fcsr >> 5) & 7;
        return cfg_.isa.has(RvExt::F);
    case kFcsr:
        v = fcsr & 0xff;
        return cfg_.isa.has(RvExt::F);
    case kCycle:
    case kMcycle:
        v = instret + cycle_offset_;
        return true;
    case kInstret:
    case kMinstret:
        v = instret;
        return true;
    case kTime:
        v = mem_.mtime();
        return true;
    case kSstatus: {
        uint64_t m = mstatus_;
        if (((m >> 13) & 3) == 3) m |= 1ull << 63;
        v = m & kSstatusMask;
        return true;
    }
    case kSie:
        v = mie_ & mideleg_;
        return true;
    case kSip:
        v = mip() & mideleg_;
        return true;
    case kStvec:
        v = stvec_;
        return true;
    case kScounteren:
        v = scounteren_;
        return true;
    case kSenvcfg:
        v = senvcfg_;
        return true;
    case kSscratch:
        v = sscratch_;
        return true;
    case kSepc:
        v = sepc_;
        return true;
    case kScause:
        v = scause_;
        return true;
    case kStval:
        v = stval_;
        return true;
    case kStimecmp:
        v = stimecmp_;
        return cfg_.isa.has(RvExt::Sstc);
    case kSatp:
        v = satp_;
        return true;
    case kMvendorid:
    case kMarchid:
    case kMimpid:
    case kMconfigptr:
        v = 0;
        return true;
    case kMhartid:
        v = cfg_.hart_id;
        return true;
    case kMstatus:
        v = mstatus_;
        if (((v >> 13) & 3) == 3) v |= 1ull << 63;
        return true;
    case kMisa:
        v = misa_;
        return true;
    case kMedeleg:
        v = medeleg_;
        return true;
    case kMideleg:
        v = mideleg_;
        return true;
    case kMie:
        v = mie_;
        return true;
    case kMtvec:
        v = mtvec_;
        return true;
    case kMcounteren:
        v = mcounteren_;
        return true;
    case kMenvcfg:
        v = menvcfg_;
        return true;
    case kMcountinhibit:
        v = mcountinhibit_;
        return true;
    case kMscratch:
        v = mscratch_;
        return true;
    case kMepc:
        v = mepc_;
        return true;
    case kMcause:
        v = mcause_;
        return true;
    case kMtval:
        v = mtval_;
        return true;
    case kMip:
        v = mip();
        return true;
    }
    if ((csr >= kHpm3 && csr <= kHpm31) || (csr >= kMhpm3 && csr <= kMhpm31) ||
        (csr >= kMhpmevent3 && csr <= kMhpmevent31)) {
        v = 0; // Zihpm counters exist but count no events
        return cfg_.isa.has(RvExt::Zihpm) || csr >= kMhpm3;
    }
    if (csr >= kPmpcfg0 && csr <= kPmpcfg15) {
        if (csr & 1) return false; // RV64 has only the even pmpcfg registers
        unsigned first = (csr - kPmpcfg0) * 4;
        v = 0;
        for (unsigned i = 0; i < 8; ++i)
            v |= static_cast<uint64_t>(pmpcfg_[first + i]) << (8 * i);
        return true;
    }
    if (csr >= kPmpaddr0 && csr <= kPmpaddr63) {
        v = pmpaddr_[csr - kPmpaddr0];
        return true;
    }
    return false;
}

bool RvCore::csr_write(unsigned csr, uint64_t v) {
    switch (csr) {
    case kFflags:
        fcsr = (fcsr & ~0x1fu) | (v & 0x1f);
        fp_dirty();
        return cfg_.isa.has(RvExt::F);
    case kFrm:
        fcsr = (fcsr & 0x1f) | ((v & 7) << 5);
        fp_dirty();
        return cfg_.isa.has(RvExt::F);
    case kFcsr:
        fcsr = v & 0xff;
        fp_dirty();
        return cfg_.isa.has(RvExt::F);
    case kMcycle:
        cycle_offset_ = v - instret;
        return true;
    case kMinstret:
        instret = v - 1;
        return true; // this instruction's retirement adds 1
    case kSstatus:
        return csr_write(kMstatus, (mstatus_ & ~kSstatusMask) | (v & kSstatusMask));
    case kSie:
        mie_ = (mie_ & ~mideleg_) | (v & mideleg_);
        attention_ = true;
        return true;
    case kSip: {
        uint64_t w = (1u << kSsi) & mideleg_;
        mip_sw_ = (mip_sw_ & ~w) | (v & w);
        attention_ = true;
        return true;
    }
    case kStvec:
        stvec_ = (v & 3) >= 2 ? (v & ~uint64_t{3}) : v;
        return true;
    case kScounteren:
        scounteren_ = v & 0xffffffff;
        return true;
    case kSenvcfg:
        senvcfg_ = v & 0xf1;
        return true; // FIOM, CBIE, CBCFE, CBZE
    case kSscratch:
        sscratch_ = v;
        return true;
    case kSepc:
        sepc_ = v & ~uint64_t{1};
        return true;
    case kScause:
        scause_ = v;
        return true;
    case kStval:
        stval_ = v;
        return true;
    case kStimecmp:
        stimecmp_ = v;
        attention_ = true;
        return cfg_.isa.has(RvExt::Sstc);
    case kSatp: {
        uint64_t mode = v >> 60;
        if (mode != 0 && !(mode == 8 && cfg_.sv39) && !(mode == 9 && cfg_.sv48))
            return true; // an unsupported mode leaves satp unchanged (WARL)
        satp_ = v & ((0xfull << 60) | (0xffffull << 44) | ((1ull << 44) - 1));
        flush_tlb();
        return true;
    }
    case kMstatus: {
        uint64_t next = (mstatus_ & ~kMstatusWritable) | (v & kMstatusWritable);
        if (((next >> 11) & 3) == 2) next = (next & ~(3ull << 11)) | (mstatus_ & (3ull << 11));
        if (!cfg_.isa.has(RvExt::F)) next &= ~(3ull << 13);
        if ((next ^ mstatus_) & kTranslationBits) flush_tlb();
        mstatus_ = next;
        update_data_priv();
        attention_ = true;
        return true;
    }
    case kMisa:
        return true; // fixed
    case kMedeleg:
        medeleg_ = v & 0xb3ff;
        return true; // not ecall-from-M (11), 14, 10
    case kMideleg:
        mideleg_ = v & kSInterrupts;
        attention_ = true;
        return true;
    case kMie:
        mie_ = v & kAllInterrupts;
        attention_ = true;
        return true;
    case kMtvec:
        mtvec_ = (v & 3) >= 2 ? (v & ~uint64_t{3}) : v;
        return true;
    case kMcounteren:
        mcounteren_ = v & 0xffffffff;
        return true;
    case kMenvcfg:
        // FIOM, CBIE, CBCFE, CBZE, and STCE when Sstc is present.
        menvcfg_ = v & (0xf1 | (cfg_.isa.has(RvExt::Sstc) ? (1ull << 63) : 0));
        attention_ = true;
        return true;
    case kMcountinhibit:
        mcountinhibit_ = v & 0x5;
        instret_step_ = (mcountinhibit_ & 4) ? 0 : 1;
        return true;
    case kMscratch:
        mscratch_ = v;
        return true;
    case kMepc:
        mepc_ = v & ~uint64_t{1};
        return true;
    case kMcause:
        mcause_ = v;
        return true;
    case kMtval:
        mtval_ = v;
        return true;
    case kMip: {
        // SSIP, SEIP (software part) and STIP (unless Sstc drives it).
        uint64_t w = (1u << kSsi) | (1u << kSei);
        if (!(cfg_.isa.has(RvExt::Sstc) && (menvcfg_ >> 63) & 1)) w |= 1u << kSti;
        mip_sw_ = (mip_sw_ & ~w) | (v & w);
        attention_ = true;
        return true;
    }
    case kMvendorid:
    case kMarchid:
    case kMimpid:
    case kMhartid:
    case kMconfigptr:
    case kCycle:
    case kTime:
    case kInstret:
        return false;
    }
    if ((csr >= kMhpm3 && csr <= kMhpm31) || (csr >= kMhpmevent3 && csr <= kMhpmevent31))
        return true; // WARL zero
    if (csr >= kPmpcfg0 && csr <= kPmpcfg15) {
        if (csr & 1) return false;
        unsigned first = (csr - kPmpcfg0) * 4;
        for (unsigned i = 0; i < 8 && first + i < cfg_.pmp_entries; ++i) {
            if (pmpcfg_[first + i] & 0x80) continue; // locked
            uint8_t c = static_cast<uint8_t>(v >> (8 * i)) & 0x9f;
            if ((c & 3) == 2) c &= ~3; // W without R is reserved
            pmpcfg_[first + i] = c;
        }
        flush_tlb();
        return true;
    }
    if (csr >= kPmpaddr0 && csr <= kPmpaddr63) {
        unsigned i = csr - kPmpaddr0;
        if (i >= cfg_.pmp_entries) return true; // unimplemented entries read zero
        bool locked = pmpcfg_[i] & 0x80;
        bool next_tor_locked =
            i + 1 < cfg_.pmp_entries && (pmpcfg_[i + 1] & 0x80) && ((pmpcfg_[i + 1] >> 3) & 3) == 1;
        if (!locked && !next_tor_locked) pmpaddr_[i] = v & ((1ull << 54) - 1);
        flush_tlb();
        return true;
    }
    return false;
}

bool RvCore::exec_csr(const Insn& in) {
    unsigned csr = static_cast<unsigned>(in.imm) & 0xfff;
    bool imm_form = in.op >= kCsrrwi;
    uint64_t src = imm_form ? in.rs1 : x[in.rs1];
    bool is_write = in.op == kCsrrw || in.op == kCsrrwi || in.rs1 != 0;
    bool is_read = !((in.op == kCsrrw || in.op == kCsrrwi) && in.rd == 0);
    // Privilege: bits 9:8 name the lowest privilege; 11:10 == 3 is read-only.
    if (((csr >> 8) & 3) > priv) return false;
    if (is_write && (csr >> 10) == 3) return false;
    if (csr == kSatp && priv == S && ((mstatus_ >> 20) & 1)) return false; // TVM
    if (csr <= kFcsr && !fp_enabled()) return false;
    if (csr >= kCycle && csr <= kHpm31 && priv < M) {
        unsigned bit = csr - kCycle;
        if (!((mcounteren_ >> bit) & 1)) return false;
        if (priv == U && !((scounteren_ >> bit) & 1)) return false;
    }
    if (csr == kStimecmp && priv < M && (!((menvcfg_ >> 63) & 1) || !((mcounteren_ >> 1) & 1)))
        return false;
    uint64_t old = 0;
    if (!csr_read(csr, old)) return false;
    if (is_write) {
        uint64_t next = old;
        switch (in.op) {
        case kCsrrw:
        case kCsrrwi:
            next = src;
            break;
        case kCsrrs:
        case kCsrrsi:
            next = old | src;
            break;
        default:
            next = old & ~src;
            break;
        }
        if (!csr_write(csr, next)) return false;
    }
    if (is_read && in.rd != 0) x[in.rd] = old;
    pc += in.len;
    return true;
}

bool RvCore::exec_system(const Insn& in) {
    switch (in.op) {
    case kEcall:
        raise(priv == U ? kEcallU : priv == S ? kEcallS : kEcallM, 0);
        return true;
    case kEbreak:
        raise(kBreakpoint, pc);
        return true;
    case kMret: {
        if (priv != M) return false;
        Priv target = static_cast<Priv>((mstatus_ >> 11) & 3);
        uint64_t mpie = (mstatus_ >> 7) & 1;
        mstatus_ = (mstatus_ & ~((1ull << 3) | (3ull << 11))) | (mpie << 3) | (1ull << 7);
        if (target != M) mstatus_ &= ~(1ull << 17); // MPRV
        flush_tlb();
        pc = mepc_;
        set_priv(target);
        return true;
    }
    case kSret: {
        if (priv < S || (priv == S && ((mstatus_ >> 22) & 1))) return false; // TSR
        Priv target = ((mstatus_ >> 8) & 1) ? S : U;
        uint64_t spie = (mstatus_ >> 5) & 1;
        mstatus_ =
            (mstatus_ & ~((1ull << 1) | (1ull << 8) | (1ull << 17))) | (spie << 1) | (1ull << 5);
        flush_tlb();
        pc = sepc_;
        set_priv(target);
        return true;
    }
    case kWfi:
        if (priv == U || (priv == S && ((mstatus_ >> 21) & 1))) return false; // TW
        pc += in.len;
        wfi_ = true;
        attention_ = true;
        return true;
    case kSfenceVma:
        if (priv == U || (priv == S && ((mstatus_ >> 20) & 1))) return false; // TVM
        flush_tlb();
        pc += in.len;
        return true;
    default:
        break;
    }
    // Cache-block operations.
    bool zero = in.op == kCboZero;
    if (zero ? !cfg_.isa.has(RvExt::Zicboz) : !cfg_.isa.has(RvExt::Zicbom)) return false;
    auto enabled = [&](uint64_t envcfg) {
        if (zero) return ((envcfg >> 7) & 1) != 0;               // CBZE
        if (in.op == kCboInval) return ((envcfg >> 4) & 3) != 0; // CBIE
        return ((envcfg >> 6) & 1) != 0;                         // CBCFE
    };
    if (priv < M && !enabled(menvcfg_)) return false;
    if (priv == U && !enabled(senvcfg_)) return false;
    uint64_t block = x[in.rs1] & ~uint64_t{63};
    if (zero) {
        static const uint8_t zeros[64] = {};
        if (!store(block, zeros, 64)) return true;
    } else {
        uint64_t paddr;
        bool uniform;
        if (!translate(block, 1, Access::Load, data_priv(), paddr, &uniform)) {
            // Cache-block management faults are reported as store/AMO faults.
            if (trap_cause_ == kLoadPageFault) trap_cause_ = kStorePageFault;
            if (trap_cause_ == kLoadAccessFault) trap_cause_ = kStoreAccessFault;
            return true;
        }
        unsigned op = in.op == kCboInval ? 0 : in.op == kCboClean ? 1 : 2;
        mem_.cache_block_op(op, paddr);
    }
    pc += in.len;
    return true;
}

} // namespace nvsoc::rv
