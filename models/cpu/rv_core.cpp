// The fetch-decode-execute loop, loads/stores/AMOs, traps and interrupts.
#include "models/cpu/rv_core.h"

#include "models/cpu/rv_ops.h"

namespace nvsoc::rv {

namespace {
constexpr uint64_t kInterruptBit = 1ull << 63;
inline int64_t s64(uint64_t v) {
    return static_cast<int64_t>(v);
}
inline uint64_t sext32(uint64_t v) {
    return static_cast<uint64_t>(static_cast<int64_t>(static_cast<int32_t>(v)));
}
} // namespace

RvCore::RvCore(const CoreConfig& config, MemoryPort& memory, ReservationSet& reservations)
    : cfg_(config), mem_(memory), resv_(reservations) {
    reset();
}

void RvCore::reset() {
    pc = cfg_.reset_pc;
    x.fill(0);
    f.fill(0);
    priv = M;
    data_priv_ = M;
    instret = 0;
    fcsr = 0;
    misa_ = (2ull << 62) | (1u << ('I' - 'A')) | (1u << ('S' - 'A')) | (1u << ('U' - 'A'));
    if (cfg_.ext_m) misa_ |= 1u << ('M' - 'A');
    if (cfg_.ext_a) misa_ |= 1u << ('A' - 'A');
    if (cfg_.ext_f) misa_ |= 1u << ('F' - 'A');
    if (cfg_.ext_d) misa_ |= 1u << ('D' - 'A');
    if (cfg_.ext_c) misa_ |= 1u << ('C' - 'A');
    mstatus_ = (2ull << 32) | (2ull << 34); // UXL = SXL = 64
    medeleg_ = mideleg_ = mie_ = mip_sw_ = 0;
    mtvec_ = mscratch_ = mepc_ = mcause_ = mtval_ = 0;
    mcounteren_ = mcountinhibit_ = menvcfg_ = 0;
    stvec_ = sscratch_ = sepc_ = scause_ = stval_ = satp_ = 0;
    scounteren_ = senvcfg_ = 0;
    stimecmp_ = ~uint64_t{0};
    cycle_offset_ = 0;
    instret_step_ = 1;
    pmpcfg_.fill(0);
    pmpaddr_.fill(0);
    resv_.clear(cfg_.hart_id);
    for (auto& slot : decode_cache_) {
        slot.raw = 0;
        slot.insn = decode(0);
    }
    flush_tlb();
    trapped_ = false;
    wfi_ = false;
    attention_ = true;
}

void RvCore::set_external_pending(uint64_t pins) {
    constexpr uint64_t mask = (1u << kMsi) | (1u << kMti) | (1u << kSei) | (1u << kMei);
    uint64_t next = pins & mask;
    if (next != mip_pins_) {
        mip_pins_ = next;
        attention_ = true;
    }
}

inline const Insn& RvCore::decode_cached(uint32_t raw) {
    // Indexed by pc (neighbouring instructions in neighbouring slots, for
    // the host's caches) but validated by the instruction bits themselves:
    // self-modifying code and remapped pages need no invalidation because
    // the bits are fetched anew every time; only their decoding is reused.
    DecodeSlot& slot = decode_cache_[(pc >> 1) & 4095];
    if (slot.raw != raw) [[unlikely]] {
        slot.insn = decode(raw);
        slot.raw = raw;
    }
    return slot.insn;
}

inline bool RvCore::fetch(uint32_t& raw) {
    // (pc is always even: with C, every way to change pc keeps bit 0 clear.)
    uint16_t lo;
    // Fast path: the whole 32-bit window is inside the current code page,
    // or inside a page the fetch TLB knows (which then becomes current).
    uint64_t vpn = pc >> 12;
    if (vpn != fetch_vpn_) {
        TlbEntry& e = tlb_for(Access::Fetch, priv)[vpn % kTlbSize];
        if (e.vpn == vpn) {
            fetch_vpn_ = vpn;
            fetch_host_ = e.host;
        }
    }
    if (vpn == fetch_vpn_ && (pc & 0xfff) <= 0xffc) [[likely]] {
        // For a compressed instruction the upper half is the next one; it is
        // kept in `raw` (the decode cache just sees a different key) and the
        // decoder ignores it.
        std::memcpy(&raw, fetch_host_ + (pc & 0xfff), 4);
        return true;
    }
    if (!access(pc, &lo, 2, Access::Fetch)) return false;
    if ((lo & 3) != 3) {
        raw = lo;
        return true;
    }
    uint16_t hi;
    if (!access(pc + 2, &hi, 2, Access::Fetch)) {
        // The fault is on the second half, but mtval reports that address
        // and the trap's epc is still the instruction's start.
        return false;
    }
    raw = static_cast<uint32_t>(lo) | (static_cast<uint32_t>(hi) << 16);
    return true;
}

inline bool RvCore::execute(const Insn& in) {
    uint64_t a = x[in.rs1], b = x[in.rs2];
    uint64_t next = pc + in.len;
    uint64_t r = 0;
    bool write_rd = true;
    switch (in.op) {
    case kLui:
        r = static_cast<uint64_t>(in.imm);
        break;
    case kAuipc:
        r = pc + static_cast<uint64_t>(in.imm);
        break;
    case kJal:
        r = next;
        next = pc + static_cast<uint64_t>(in.imm);
        break;
    case kJalr:
        r = next;
        next = (a + static_cast<uint64_t>(in.imm)) & ~uint64_t{1};
        break;
    case kBeq:
        write_rd = false, next = a == b ? pc + in.imm : next;
        break;
    case kBne:
        write_rd = false, next = a != b ? pc + in.imm : next;
        break;
    case kBlt:
        write_rd = false, next = s64(a) < s64(b) ? pc + in.imm : next;
        break;
    case kBge:
        write_rd = false, next = s64(a) >= s64(b) ? pc + in.imm : next;
        break;
    case kBltu:
        write_rd = false, next = a < b ? pc + in.imm : next;
        break;
    case kBgeu:
        write_rd = false, next = a >= b ? pc + in.imm : next;
        break;
    case kLb: {
        int8_t v;
        if (!load_fast(a + in.imm, v)) return true;
        r = static_cast<uint64_t>(v);
        break;
    }
    case kLh: {
        int16_t v;
        if (!load_fast(a + in.imm, v)) return true;
        r = static_cast<uint64_t>(v);
        break;
    }
    case kLw: {
        int32_t v;
        if (!load_fast(a + in.imm, v)) return true;
        r = static_cast<uint64_t>(v);
        break;
    }
    case kLd: {
        uint64_t v; // not r itself: taking r's address would keep it in memory
        if (!load_fast(a + in.imm, v)) return true;
        r = v;
        break;
    }
    case kLbu: {
        uint8_t v;
        if (!load_fast(a + in.imm, v)) return true;
        r = v;
        break;
    }
    case kLhu: {
        uint16_t v;
        if (!load_fast(a + in.imm, v)) return true;
        r = v;
        break;
    }
    case kLwu: {
        uint32_t v;
        if (!load_fast(a + in.imm, v)) return true;
        r = v;
        break;
    }
    case kSb:
        write_rd = false;
        if (!store_fast(a + in.imm, static_cast<uint8_t>(b))) return true;
        break;
    case kSh:
        write_rd = false;
        if (!store_fast(a + in.imm, static_cast<uint16_t>(b))) return true;
        break;
    case kSw:
        write_rd = false;
        if (!store_fast(a + in.imm, static_cast<uint32_t>(b))) return true;
        break;
    case kSd:
        write_rd = false;
        if (!store_fast(a + in.imm, b)) return true;
        break;
    case kAddi:
        r = a + in.imm;
        break;
    case kSlti:
        r = s64(a) < in.imm;
        break;
    case kSltiu:
        r = a < static_cast<uint64_t>(in.imm);
        break;
    case kXori:
        r = a ^ in.imm;
        break;
    case kOri:
        r = a | in.imm;
        break;
    case kAndi:
        r = a & in.imm;
        break;
    case kSlli:
        r = a << in.imm;
        break;
    case kSrli:
        r = a >> in.imm;
        break;
    case kSrai:
        r = static_cast<uint64_t>(s64(a) >> in.imm);
        break;
    case kAdd:
        r = a + b;
        break;
    case kSub:
        r = a - b;
        break;
    case kSll:
        r = a << (b & 63);
        break;
    case kSlt:
        r = s64(a) < s64(b);
        break;
    case kSltu:
        r = a < b;
        break;
    case kXor:
        r = a ^ b;
        break;
    case kSrl:
        r = a >> (b & 63);
        break;
    case kSra:
        r = static_cast<uint64_t>(s64(a) >> (b & 63));
        break;
    case kOr:
        r = a | b;
        break;
    case kAnd:
        r = a & b;
        break;
    case kAddiw:
        r = sext32(a + in.imm);
        break;
    case kSlliw:
        r = sext32(a << in.imm);
        break;
    case kSrliw:
        r = sext32(static_cast<uint32_t>(a) >> in.imm);
        break;
    case kSraiw:
        r = sext32(static_cast<uint64_t>(static_cast<int32_t>(a) >> in.imm));
        break;
    case kAddw:
        r = sext32(a + b);
        break;
    case kSubw:
        r = sext32(a - b);
        break;
    case kSllw:
        r = sext32(a << (b & 31));
        break;
    case kSrlw:
        r = sext32(static_cast<uint32_t>(a) >> (b & 31));
        break;
    case kSraw:
        r = sext32(static_cast<uint64_t>(static_cast<int32_t>(a) >> (b & 31)));
        break;
    case kFence:
        write_rd = false;
        break;
    case kFenceI:
        write_rd = false;
        break; // fetches always see memory as it is
    case kMul:
    case kMulh:
    case kMulhsu:
    case kMulhu:
    case kDiv:
    case kDivu:
    case kRem:
    case kRemu:
    case kMulw:
    case kDivw:
    case kDivuw:
    case kRemw:
    case kRemuw: {
        if (!cfg_.ext_m) return false;
        using i128 = __int128;
        using u128 = unsigned __int128;
        switch (in.op) {
        case kMul:
            r = a * b;
            break;
        case kMulh:
            r = static_cast<uint64_t>((static_cast<i128>(s64(a)) * s64(b)) >> 64);
            break;
        case kMulhsu:
            r = static_cast<uint64_t>((static_cast<i128>(s64(a)) * static_cast<i128>(b)) >> 64);
            break;
        case kMulhu:
            r = static_cast<uint64_t>((static_cast<u128>(a) * b) >> 64);
            break;
        case kDiv:
            r = b == 0                                  ? ~uint64_t{0}
                : (s64(a) == INT64_MIN && s64(b) == -1) ? a
                                                        : static_cast<uint64_t>(s64(a) / s64(b));
            break;
        case kDivu:
            r = b == 0 ? ~uint64_t{0} : a / b;
            break;
        case kRem:
            r = b == 0                                  ? a
                : (s64(a) == INT64_MIN && s64(b) == -1) ? 0
                                                        : static_cast<uint64_t>(s64(a) % s64(b));
            break;
        case kRemu:
            r = b == 0 ? a : a % b;
            break;
        case kMulw:
            r = sext32(a * b);
            break;
        case kDivw: {
            int32_t x1 = static_cast<int32_t>(a), y1 = static_cast<int32_t>(b);
            r = y1 == 0                         ? ~uint64_t{0}
                : (x1 == INT32_MIN && y1 == -1) ? sext32(static_cast<uint32_t>(x1))
                                                : sext32(static_cast<uint32_t>(x1 / y1));
            break;
        }
        case kDivuw: {
            uint32_t x1 = static_cast<uint32_t>(a), y1 = static_cast<uint32_t>(b);
            r = y1 == 0 ? ~uint64_t{0} : sext32(x1 / y1);
            break;
        }
        case kRemw: {
            int32_t x1 = static_cast<int32_t>(a), y1 = static_cast<int32_t>(b);
            r = y1 == 0                         ? sext32(static_cast<uint32_t>(x1))
                : (x1 == INT32_MIN && y1 == -1) ? 0
                                                : sext32(static_cast<uint32_t>(x1 % y1));
            break;
        }
        case kRemuw: {
            uint32_t x1 = static_cast<uint32_t>(a), y1 = static_cast<uint32_t>(b);
            r = sext32(y1 == 0 ? x1 : x1 % y1);
            break;
        }
        }
        break;
    }
    case kFpLoad:
    case kFpStore:
    case kFpOp:
    case kFpMadd:
    case kFpMsub:
    case kFpNmsub:
    case kFpNmadd:
        if (!exec_fp(in)) return false;
        if (trapped_) return true;
        pc = next;
        return true;
    case kCboInval:
    case kCboClean:
    case kCboFlush:
    case kCboZero:
    case kEcall:
    case kEbreak:
    case kMret:
    case kSret:
    case kWfi:
    case kSfenceVma:
        return exec_system(in);
    case kCsrrw:
    case kCsrrs:
    case kCsrrc:
    case kCsrrwi:
    case kCsrrsi:
    case kCsrrci:
        return exec_csr(in);
    case kIllegal:
        return false;
    default:
        if (in.op >= kLrW && in.op <= kAmomaxuD) return exec_amo(in);
        return false;
    }
    if (write_rd && in.rd != 0) x[in.rd] = r;
    pc = next;
    return true;
}

uint64_t RvCore::run(uint64_t budget) {
    uint64_t done = 0;
    while (done < budget) {
        if (attention_) {
            attention_ = false;
            if (stop_) {
                stop_ = false;
                return done;
            }
            if (check_interrupts()) {
                ++done;
                continue;
            }
            if (wfi_) {
                if (wfi_wakeup_pending())
                    wfi_ = false;
                else {
                    attention_ = true; // look again on the next run()
                    return done;       // asleep until an interrupt line changes
                }
            }
        }
        uint32_t raw;
        trapped_ = false;
        if (!fetch(raw)) {
            take_trap(trap_cause_, trap_tval_, false);
            ++done;
            continue;
        }
        if (trace_insn) [[unlikely]]
            trace_insn(pc, (raw & 3) == 3 ? raw : raw & 0xffff);
        const Insn& in = decode_cached(raw);
        if (!execute(in) && !trapped_) raise(kIllegalInsn, in.raw);
        if (trapped_) [[unlikely]]
            take_trap(trap_cause_, trap_tval_, false);
        else
            instret += instret_step_;
        ++done; // WFI sets attention_: the check above puts the hart to sleep
    }
    return done;
}

// ---- memory --------------------------------------------------------------

bool RvCore::load(uint64_t vaddr, void* out, unsigned len) {
    return access(vaddr, out, len, Access::Load);
}

bool RvCore::store(uint64_t vaddr, const void* in, unsigned len) {
    return access(vaddr, const_cast<void*>(in), len, Access::Store);
}

bool RvCore::access(uint64_t vaddr, void* data, unsigned len, Access kind) {
    uint64_t off = vaddr & 0xfff;
    if (off + len <= 4096) {
        uint64_t vpn = vaddr >> 12;
        Priv p = kind == Access::Fetch ? priv : data_priv();
        TlbEntry& e = tlb_for(kind, p)[vpn % kTlbSize];
        if (e.vpn == vpn) {
            if (kind == Access::Store) {
                std::memcpy(e.host + off, data, len);
                resv_.store(e.ppage + off, len);
            } else {
                std::memcpy(data, e.host + off, len);
            }
            return true;
        }
        return access_page(vaddr, data, len, kind);
    }
    // Misaligned across a page boundary: byte by byte, so that a fault names
    // the first byte that faults. (Misaligned accesses are done in hardware,
    // as the spec allows, rather than trapped.)
    auto* bytes = static_cast<uint8_t*>(data);
    for (unsigned i = 0; i < len; ++i)
        if (!access_page(vaddr + i, bytes + i, 1, kind)) return false;
    return true;
}

Priv RvCore::data_priv() const {
    return data_priv_;
}

void RvCore::update_data_priv() {
    data_priv_ =
        (priv == M && ((mstatus_ >> 17) & 1)) ? static_cast<Priv>((mstatus_ >> 11) & 3) : priv;
}

// ---- execution -------------------------------------------------------------

bool RvCore::exec_amo(const Insn& in) {
    if (!cfg_.ext_a) return false;
    bool d = in.op >= kLrD;
    unsigned n = d ? 8 : 4;
    unsigned op = in.op - (d ? kLrD : kLrW); // 0 LR, 1 SC, 2.. the AMOs in kAmoswap order
    uint64_t addr = x[in.rs1];
    if (addr & (n - 1)) {
        raise(op == 0 ? kLoadMisaligned : kStoreMisaligned, addr);
        return true;
    }
    uint64_t old = 0;
    if (op == 0) { // LR
        if (!load(addr, &old, n)) return true;
        uint64_t paddr;
        bool uniform;
        if (translate(addr, n, Access::Load, data_priv(), paddr, &uniform))
            resv_.reserve(cfg_.hart_id, paddr);
        if (in.rd) x[in.rd] = d ? old : sext32(old);
        pc += in.len;
        return true;
    }
    if (op == 1) { // SC
        uint64_t paddr;
        bool uniform;
        if (!translate(addr, n, Access::Store, data_priv(), paddr, &uniform)) return true;
        bool ok = resv_.holds(cfg_.hart_id, paddr);
        resv_.clear(cfg_.hart_id);
        if (ok) {
            uint64_t v = x[in.rs2];
            if (!store(addr, &v, n)) return true;
        }
        if (in.rd) x[in.rd] = ok ? 0 : 1;
        pc += in.len;
        return true;
    }
    // Read-modify-write: faults are store/AMO faults, so probe as a store.
    uint64_t paddr;
    bool uniform;
    if (!translate(addr, n, Access::Store, data_priv(), paddr, &uniform)) return true;
    if (!load(addr, &old, n)) return true;
    uint64_t src = x[in.rs2];
    uint64_t a = d ? old : sext32(old), b = d ? src : sext32(src);
    uint64_t v;
    switch (op) {
    case 2:
        v = b;
        break;
    case 3:
        v = a + b;
        break;
    case 4:
        v = a ^ b;
        break;
    case 5:
        v = a & b;
        break;
    case 6:
        v = a | b;
        break;
    case 7:
        v = s64(a) < s64(b) ? a : b;
        break;
    case 8:
        v = s64(a) > s64(b) ? a : b;
        break;
    case 9:
        v = a < b ? a : b;
        break;
    default:
        v = a > b ? a : b;
        break;
    }
    if (!store(addr, &v, n)) return true;
    if (in.rd) x[in.rd] = a;
    pc += in.len;
    return true;
}

// ---- traps -----------------------------------------------------------------

void RvCore::set_priv(Priv p) {
    priv = p;
    fetch_vpn_ = ~uint64_t{0};
    update_data_priv();
    attention_ = true;
}

void RvCore::take_trap(uint64_t cause, uint64_t tval, bool interrupt) {
    uint64_t code = cause & ~kInterruptBit;
    bool to_s = priv <= S && ((interrupt ? (mideleg_ >> code) : (medeleg_ >> code)) & 1);
    uint64_t mcause = interrupt ? (code | kInterruptBit) : code;
    if (trace_trap) trace_trap(mcause, tval, pc, to_s ? S : M);
    if (to_s) {
        sepc_ = pc;
        scause_ = mcause;
        stval_ = tval;
        // SPIE <- SIE, SIE <- 0, SPP <- priv
        uint64_t sie = (mstatus_ >> 1) & 1;
        mstatus_ = (mstatus_ & ~((1ull << 5) | (1ull << 1) | (1ull << 8))) | (sie << 5) |
                   (static_cast<uint64_t>(priv & 1) << 8);
        uint64_t base = stvec_ & ~uint64_t{3};
        pc = (interrupt && (stvec_ & 3) == 1) ? base + 4 * code : base;
        set_priv(S);
    } else {
        mepc_ = pc;
        mcause_ = mcause;
        mtval_ = tval;
        uint64_t mie = (mstatus_ >> 3) & 1;
        mstatus_ = (mstatus_ & ~((1ull << 7) | (1ull << 3) | (3ull << 11))) | (mie << 7) |
                   (static_cast<uint64_t>(priv) << 11);
        uint64_t base = mtvec_ & ~uint64_t{3};
        pc = (interrupt && (mtvec_ & 3) == 1) ? base + 4 * code : base;
        set_priv(M);
    }
    trapped_ = false;
}

uint64_t RvCore::mip() const {
    uint64_t v = mip_pins_ | mip_sw_;
    // Sstc: with menvcfg.STCE, STIP is the stimecmp comparison.
    if (cfg_.sstc && (menvcfg_ >> 63) & 1) {
        v &= ~(1ull << kSti);
        if (mem_.mtime() >= stimecmp_) v |= 1ull << kSti;
    }
    return v;
}

uint64_t RvCore::stimecmp_deadline() const {
    if (!cfg_.sstc || !((menvcfg_ >> 63) & 1)) return ~uint64_t{0};
    return stimecmp_;
}

bool RvCore::check_interrupts() {
    uint64_t pending = mip() & mie_;
    if (!pending) return false;
    bool m_enabled = priv < M || ((mstatus_ >> 3) & 1);
    bool s_enabled = priv < S || (priv == S && ((mstatus_ >> 1) & 1));
    uint64_t m_irqs = pending & ~mideleg_;
    uint64_t s_irqs = pending & mideleg_;
    uint64_t take = m_enabled ? m_irqs : 0;
    if (!take && priv <= S && s_enabled) take = s_irqs;
    if (!take) return false;
    // Priority: MEI, MSI, MTI, SEI, SSI, STI.
    static const unsigned order[] = {kMei, kMsi, kMti, kSei, kSsi, kSti};
    for (unsigned irq : order)
        if ((take >> irq) & 1) {
            wfi_ = false;
            take_trap(irq, 0, true);
            return true;
        }
    return false;
}

} // namespace nvsoc::rv
