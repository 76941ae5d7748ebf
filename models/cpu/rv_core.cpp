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

// M-extension results, with the spec's values for division by zero and
// overflow (no traps).
using i128 = __int128;
using u128 = unsigned __int128;
inline uint64_t mulh(uint64_t a, uint64_t b) {
    return static_cast<uint64_t>((static_cast<i128>(s64(a)) * s64(b)) >> 64);
}
inline uint64_t mulhsu(uint64_t a, uint64_t b) {
    return static_cast<uint64_t>((static_cast<i128>(s64(a)) * static_cast<i128>(b)) >> 64);
}
inline uint64_t mulhu(uint64_t a, uint64_t b) {
    return static_cast<uint64_t>((static_cast<u128>(a) * b) >> 64);
}
inline uint64_t div64(uint64_t a, uint64_t b) {
    if (b == 0) return ~uint64_t{0};
    if (s64(a) == INT64_MIN && s64(b) == -1) return a;
    return static_cast<uint64_t>(s64(a) / s64(b));
}
inline uint64_t rem64(uint64_t a, uint64_t b) {
    if (b == 0) return a;
    if (s64(a) == INT64_MIN && s64(b) == -1) return 0;
    return static_cast<uint64_t>(s64(a) % s64(b));
}
inline uint64_t div32(uint64_t a, uint64_t b) {
    int32_t x = static_cast<int32_t>(a), y = static_cast<int32_t>(b);
    if (y == 0) return ~uint64_t{0};
    if (x == INT32_MIN && y == -1) return sext32(static_cast<uint32_t>(x));
    return sext32(static_cast<uint32_t>(x / y));
}
inline uint64_t divu32(uint64_t a, uint64_t b) {
    uint32_t x = static_cast<uint32_t>(a), y = static_cast<uint32_t>(b);
    return y == 0 ? ~uint64_t{0} : sext32(x / y);
}
inline uint64_t rem32(uint64_t a, uint64_t b) {
    int32_t x = static_cast<int32_t>(a), y = static_cast<int32_t>(b);
    if (y == 0) return sext32(static_cast<uint32_t>(x));
    if (x == INT32_MIN && y == -1) return 0;
    return sext32(static_cast<uint32_t>(x % y));
}
inline uint64_t remu32(uint64_t a, uint64_t b) {
    uint32_t x = static_cast<uint32_t>(a), y = static_cast<uint32_t>(b);
    return sext32(y == 0 ? x : x % y);
}
} // namespace

RvCore::RvCore(const CoreConfig& config, MemoryPort& memory, ReservationSet& reservations)
    : blocks_(std::make_unique<std::array<Block, kBlocks>>()), cfg_(config), mem_(memory),
      resv_(reservations) {
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
    for (RvExt e : {RvExt::M, RvExt::A, RvExt::F, RvExt::D, RvExt::C})
        if (cfg_.isa.has(e)) misa_ |= 1u << (rv_ext_name(e)[0] - 'a');
    mstatus_ = to_field(mstatus::kUxl, mstatus::kXl64) | to_field(mstatus::kSxl, mstatus::kXl64);
    medeleg_ = mideleg_ = mie_ = mip_sw_ = 0;
    mtvec_ = mscratch_ = mepc_ = mcause_ = mtval_ = 0;
    mcounteren_ = mcountinhibit_ = menvcfg_ = 0;
    stvec_ = sscratch_ = sepc_ = scause_ = stval_ = satp_ = 0;
    scounteren_ = senvcfg_ = 0;
    stimecmp_ = ~uint64_t{0};
    cycle_offset_ = 0;
    instret_step_ = 1;
    miselect_ = siselect_ = 0;
    pmpcfg_.fill(0);
    pmpaddr_.fill(0);
    triggers_.reset();
    resv_.clear(cfg_.hart_id);
    for (auto& slot : decode_cache_) {
        slot.raw = 0;
        slot.insn = decode(0);
    }
    for (auto& b : *blocks_)
        b.pc = ~uint64_t{0};
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

inline bool RvCore::current_code_page() {
    uint64_t vpn = pc >> 12;
    if (vpn == fetch_vpn_) [[likely]]
        return true;
    const TlbEntry& e = tlb_for(Access::Fetch, priv)[vpn % kTlbSize];
    if (e.vpn != vpn) return false;
    fetch_vpn_ = vpn;
    fetch_host_ = e.host;
    return true;
}

inline bool RvCore::fetch(uint32_t& raw) {
    // (pc is always even: with C, every way to change pc keeps bit 0 clear.)
    uint16_t lo;
    // Fast path: the whole 32-bit window is inside the current code page,
    // or inside a page the fetch TLB knows (which then becomes current).
    if (current_code_page() && (pc & 0xfff) <= 0xffc) [[likely]] {
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

// ---- the interpreter ---------------------------------------------------------
//
// Instructions run in decoded blocks: runs of up to kBlockMax consecutive
// instructions inside one code page, ending after the first jump, CSR or
// system instruction (a taken conditional branch leaves the block early). A block is found by its
// pc and is valid while the code bytes it was decoded from are unchanged: every entry compares them
// with memory (a few 8-byte words), so self-modifying code, fence.i, other
// harts' stores and remapped pages need no invalidation protocol. Within a
// block, handlers jump straight to the next handler (threaded dispatch); the
// bookkeeping (interrupts, instret, the budget) happens once per block.
// Stores into the running block itself take effect at the next block entry,
// which RISC-V allows: a hart only has to see its own code stores after a
// fence.i, and fence.i ends a block.

namespace {
// Operations after which a block ends: jumps, and instructions that change
// state that fetch, translation or interrupts depend on.
bool ends_block(uint16_t op) {
    return op == kJal || op == kJalr || op == kJalrNoC || op == kFenceI ||
           (op >= kCsrrw && op <= kCboZero) || op == kIllegal;
}
} // namespace

bool RvCore::build_block(Block& b, uint64_t start_pc, const uint8_t* page) {
    unsigned off = start_pc & 0xfff;
    unsigned count = 0;
    while (count < kBlockMax && off + 2 <= 4096) {
        uint16_t lo;
        std::memcpy(&lo, page + off, 2);
        uint32_t raw = lo;
        if ((lo & 3) == 3) {
            if (off + 4 > 4096) break; // straddles the page: executed on its own
            std::memcpy(&raw, page + off, 4);
        }
        b.insns[count] = decode(raw);
        off += b.insns[count].len;
        if (ends_block(b.insns[count++].op)) break;
    }
    if (count == 0) return false;
    b.insns[count] = Insn{};
    b.insns[count].op = kBlockEnd;
    b.count = static_cast<uint8_t>(count);
    // The code bytes, as whole aligned words (never past the page end).
    b.word_off = static_cast<uint16_t>((start_pc & 0xfff) & ~7u);
    b.nwords = static_cast<uint8_t>((((off + 7) & ~7u) - b.word_off) / 8);
    std::memcpy(b.words.data(), page + b.word_off, b.nwords * 8u);
    b.pc = start_pc;
    return true;
}

inline RvCore::Block* RvCore::find_block() {
    if (!current_code_page()) return nullptr; // the slow path walks and fills the TLB
    Block& b = (*blocks_)[(pc >> 1) % kBlocks];
    if (b.pc == pc) {
        const uint8_t* code = fetch_host_ + b.word_off;
        unsigned i = 0;
        for (; i < b.nwords; ++i) {
            uint64_t w;
            std::memcpy(&w, code + 8 * i, 8);
            if (w != b.words[i]) break;
        }
        if (i == b.nwords) [[likely]]
            return &b;
    }
    return build_block(b, pc, fetch_host_) ? &b : nullptr;
}

uint64_t RvCore::run(uint64_t budget) {
    // One handler per operation, in enum order (see rv_ops.h).
    static const void* const handlers[] = {
#define NVSOC_RV_OP_LABEL(name) &&op_##name,
        NVSOC_RV_OPS(NVSOC_RV_OP_LABEL)
#undef NVSOC_RV_OP_LABEL
    };
    static_assert(sizeof(handlers) / sizeof(handlers[0]) == kOpCount);

    uint64_t done = 0;
    Insn single[2]; // a one-instruction block for the step-by-step path
    single[1].op = kBlockEnd;
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
        trapped_ = false;
        const Insn* ip = nullptr;
        // (While a trigger is armed the fetch TLB stays empty, so find_block()
        // finds nothing and every instruction takes the path below.)
        if (budget - done >= kBlockMax && !trace_insn) [[likely]] {
            if (Block* b = find_block()) ip = b->insns.data();
        }
        if (!ip) {
            // One instruction at a time: tracing, armed triggers, the end of
            // the budget, and code the fetch TLB cannot hold
            // (page-straddling instructions, pages PMP splits, MMIO).
            if (triggers_.armed() && execute_trigger_fires()) [[unlikely]] {
                ++done;
                continue;
            }
            uint32_t raw;
            if (!fetch(raw)) {
                take_trap(trap_cause_, trap_tval_, false);
                ++done;
                continue;
            }
            if (trace_insn) [[unlikely]]
                trace_insn(pc, (raw & 3) == 3 ? raw : raw & 0xffff);
            single[0] = decode_cached(raw);
            ip = single;
            if (triggers_.armed() && data_trigger_fires(single[0])) [[unlikely]] {
                ++done;
                continue;
            }
        }

        const Insn* first = ip; // first instruction not yet counted
        uint64_t cpc = pc;      // the pc of *ip
        Tlb& load_tlb = tlb_for(Access::Load, data_priv_);
        Tlb& store_tlb = tlb_for(Access::Store, data_priv_);
        // Counts the instructions retired since `first` (they all retired).
        auto retire = [&] {
            uint64_t n = static_cast<uint64_t>(ip - first);
            instret += n * instret_step_;
            done += n;
            first = ip;
        };
        uint64_t rs1, rs2;

#define DISPATCH() goto* handlers[ip->op]
#define NEXT()                                                                                     \
    do {                                                                                           \
        cpc += ip->len;                                                                            \
        ++ip;                                                                                      \
        DISPATCH();                                                                                \
    } while (0)
#define OPERANDS() (rs1 = x[ip->rs1], rs2 = x[ip->rs2])
#define ALU(name, expr)                                                                            \
    op_##name : OPERANDS();                                                                        \
    x[ip->rd] = (expr);                                                                            \
    NEXT();
// M operations write rd themselves: rd may be x0, which must stay zero.
// (On a hart without M they decode as illegal.)
#define MULDIV(name, expr)                                                                         \
    op_##name : OPERANDS();                                                                        \
    x[ip->rd] = (expr);                                                                            \
    x[0] = 0;                                                                                      \
    NEXT();
// A taken branch leaves the block; a branch not taken falls through into
// the rest of it, so blocks span several basic blocks.
#define BRANCH(name, cond)                                                                         \
    op_##name : OPERANDS();                                                                        \
    if (!(cond)) NEXT();                                                                           \
    cpc += static_cast<uint64_t>(ip->imm);                                                         \
    ++ip;                                                                                          \
    goto block_end;
// A load or store that misses the TLB (or touches MMIO) goes the slow way;
// MMIO may have raised an interrupt line, so the block then ends.
#define LOAD(name, T)                                                                              \
    op_##name : {                                                                                  \
        uint64_t va = x[ip->rs1] + static_cast<uint64_t>(ip->imm);                                 \
        uint64_t vpn = va >> 12;                                                                   \
        const TlbEntry& e = load_tlb[vpn % kTlbSize];                                              \
        T v;                                                                                       \
        if (e.vpn == vpn && (va & 0xfff) <= 4096 - sizeof(T)) [[likely]] {                         \
            std::memcpy(&v, e.host + (va & 0xfff), sizeof(T));                                     \
            x[ip->rd] = static_cast<uint64_t>(v);                                                  \
            x[0] = 0;                                                                              \
            NEXT();                                                                                \
        }                                                                                          \
        pc = cpc;                                                                                  \
        if (!access(va, &v, sizeof(T), Access::Load)) goto trap;                                   \
        x[ip->rd] = static_cast<uint64_t>(v);                                                      \
        x[0] = 0;                                                                                  \
        goto slow_done;                                                                            \
    }
#define STORE(name, T)                                                                             \
    op_##name : {                                                                                  \
        uint64_t va = x[ip->rs1] + static_cast<uint64_t>(ip->imm);                                 \
        uint64_t vpn = va >> 12;                                                                   \
        const TlbEntry& e = store_tlb[vpn % kTlbSize];                                             \
        T v = static_cast<T>(x[ip->rs2]);                                                          \
        if (e.vpn == vpn && (va & 0xfff) <= 4096 - sizeof(T)) [[likely]] {                         \
            std::memcpy(e.host + (va & 0xfff), &v, sizeof(T));                                     \
            resv_.store(e.ppage + (va & 0xfff), sizeof(T));                                        \
            NEXT();                                                                                \
        }                                                                                          \
        pc = cpc;                                                                                  \
        if (!access(va, &v, sizeof(T), Access::Store)) goto trap;                                  \
        goto slow_done;                                                                            \
    }

        DISPATCH();

    op_Lui:
        x[ip->rd] = static_cast<uint64_t>(ip->imm);
        NEXT();
    op_Auipc:
        x[ip->rd] = cpc + static_cast<uint64_t>(ip->imm);
        NEXT();
    op_Jal:
        x[ip->rd] = cpc + ip->len;
        x[0] = 0;
        cpc += static_cast<uint64_t>(ip->imm);
        ++ip;
        goto block_end;
    op_Jalr : {
        uint64_t target = (x[ip->rs1] + static_cast<uint64_t>(ip->imm)) & ~uint64_t{1};
        x[ip->rd] = cpc + ip->len;
        x[0] = 0;
        cpc = target;
        ++ip;
        goto block_end;
    }
    // Without C, targets must be 4-byte aligned; the jump or taken branch
    // that misses raises the exception (nothing retires, rd is unchanged).
    op_JalrNoC : {
        uint64_t target = (x[ip->rs1] + static_cast<uint64_t>(ip->imm)) & ~uint64_t{1};
        if (!(target & 2)) goto op_Jalr;
        raise(kInsnMisaligned, target);
        goto trap;
    }
    op_MisalignedJump : {
        OPERANDS();
        bool taken = true; // kJal
        switch (ip->rs3) {
        case kBeq:
            taken = rs1 == rs2;
            break;
        case kBne:
            taken = rs1 != rs2;
            break;
        case kBlt:
            taken = s64(rs1) < s64(rs2);
            break;
        case kBge:
            taken = s64(rs1) >= s64(rs2);
            break;
        case kBltu:
            taken = rs1 < rs2;
            break;
        case kBgeu:
            taken = rs1 >= rs2;
            break;
        }
        if (!taken) NEXT();
        raise(kInsnMisaligned, cpc + static_cast<uint64_t>(ip->imm));
        goto trap;
    }
        BRANCH(Beq, rs1 == rs2)
        BRANCH(Bne, rs1 != rs2)
        BRANCH(Blt, s64(rs1) < s64(rs2))
        BRANCH(Bge, s64(rs1) >= s64(rs2))
        BRANCH(Bltu, rs1 < rs2)
        BRANCH(Bgeu, rs1 >= rs2)
        LOAD(Lb, int8_t)
        LOAD(Lh, int16_t)
        LOAD(Lw, int32_t)
        LOAD(Ld, uint64_t)
        LOAD(Lbu, uint8_t)
        LOAD(Lhu, uint16_t)
        LOAD(Lwu, uint32_t)
        STORE(Sb, uint8_t)
        STORE(Sh, uint16_t)
        STORE(Sw, uint32_t)
        STORE(Sd, uint64_t)
        ALU(Addi, rs1 + static_cast<uint64_t>(ip->imm))
        ALU(Slti, s64(rs1) < ip->imm)
        ALU(Sltiu, rs1 < static_cast<uint64_t>(ip->imm))
        ALU(Xori, rs1 ^ static_cast<uint64_t>(ip->imm))
        ALU(Ori, rs1 | static_cast<uint64_t>(ip->imm))
        ALU(Andi, rs1 & static_cast<uint64_t>(ip->imm))
        ALU(Slli, rs1 << ip->imm)
        ALU(Srli, rs1 >> ip->imm)
        ALU(Srai, static_cast<uint64_t>(s64(rs1) >> ip->imm))
        ALU(Add, rs1 + rs2)
        ALU(Sub, rs1 - rs2)
        ALU(Sll, rs1 << (rs2 & 63))
        ALU(Slt, s64(rs1) < s64(rs2))
        ALU(Sltu, rs1 < rs2)
        ALU(Xor, rs1 ^ rs2)
        ALU(Srl, rs1 >> (rs2 & 63))
        ALU(Sra, static_cast<uint64_t>(s64(rs1) >> (rs2 & 63)))
        ALU(Or, rs1 | rs2)
        ALU(And, rs1 & rs2)
        ALU(Addiw, sext32(rs1 + static_cast<uint64_t>(ip->imm)))
        ALU(Slliw, sext32(rs1 << ip->imm))
        ALU(Srliw, sext32(static_cast<uint32_t>(rs1) >> ip->imm))
        ALU(Sraiw, sext32(static_cast<uint64_t>(static_cast<int32_t>(rs1) >> ip->imm)))
        ALU(Addw, sext32(rs1 + rs2))
        ALU(Subw, sext32(rs1 - rs2))
        ALU(Sllw, sext32(rs1 << (rs2 & 31)))
        ALU(Srlw, sext32(static_cast<uint32_t>(rs1) >> (rs2 & 31)))
        ALU(Sraw, sext32(static_cast<uint64_t>(static_cast<int32_t>(rs1) >> (rs2 & 31))))
    op_Fence:
    op_Nop:
        NEXT();
    op_FenceI: // fetches always see memory as it is; ending the block is enough
        cpc += ip->len;
        ++ip;
        goto block_end;
        MULDIV(Mul, rs1 * rs2)
        MULDIV(Mulh, mulh(rs1, rs2))
        MULDIV(Mulhsu, mulhsu(rs1, rs2))
        MULDIV(Mulhu, mulhu(rs1, rs2))
        MULDIV(Div, div64(rs1, rs2))
        MULDIV(Divu, rs2 == 0 ? ~uint64_t{0} : rs1 / rs2)
        MULDIV(Rem, rem64(rs1, rs2))
        MULDIV(Remu, rs2 == 0 ? rs1 : rs1 % rs2)
        MULDIV(Mulw, sext32(rs1 * rs2))
        MULDIV(Divw, div32(rs1, rs2))
        MULDIV(Divuw, divu32(rs1, rs2))
        MULDIV(Remw, rem32(rs1, rs2))
        MULDIV(Remuw, remu32(rs1, rs2))

    // AMOs and FP go out of line; they keep the block going unless MMIO
    // raised something.
    op_LrW:
    op_ScW:
    op_AmoswapW:
    op_AmoaddW:
    op_AmoxorW:
    op_AmoandW:
    op_AmoorW:
    op_AmominW:
    op_AmomaxW:
    op_AmominuW:
    op_AmomaxuW:
    op_LrD:
    op_ScD:
    op_AmoswapD:
    op_AmoaddD:
    op_AmoxorD:
    op_AmoandD:
    op_AmoorD:
    op_AmominD:
    op_AmomaxD:
    op_AmominuD:
    op_AmomaxuD:
        pc = cpc;
        if (!exec_amo(*ip)) goto illegal; // advances pc on success
        if (trapped_) goto trap;
        goto slow_done;
    op_FpLoad:
    op_FpStore:
    op_FpOp:
    op_FpMadd:
    op_FpMsub:
    op_FpNmsub:
    op_FpNmadd:
        pc = cpc;
        if (!exec_fp(*ip)) goto illegal;
        if (trapped_) goto trap;
        goto slow_done;

    // CSR and system instructions see the architectural state as of their
    // own execution (instret included) and always end the block.
    op_Csrrw:
    op_Csrrs:
    op_Csrrc:
    op_Csrrwi:
    op_Csrrsi:
    op_Csrrci:
        retire();
        pc = cpc;
        if (!exec_csr(*ip)) goto illegal; // sets pc on success
        goto system_done;
    op_Ecall:
    op_Ebreak:
    op_Mret:
    op_Sret:
    op_Wfi:
    op_SfenceVma:
    op_CboInval:
    op_CboClean:
    op_CboFlush:
    op_CboZero:
        retire();
        pc = cpc;
        if (!exec_system(*ip)) goto illegal; // sets pc on success
    system_done:
        if (trapped_) goto trap;
        cpc = pc;
        ++ip;
        goto block_end;

    op_Illegal:
    illegal:
        if (!trapped_) raise(kIllegalInsn, ip->raw);
    trap: // *ip raised trap_cause_; the ones before it retired
        retire();
        pc = cpc;
        take_trap(trap_cause_, trap_tval_, false);
        ++done; // a trapping instruction counts as a step, not an instret
        continue;

    slow_done: // *ip finished on a slow path; pc is not yet past it
        cpc += ip->len;
        ++ip;
        if (!attention_) DISPATCH();
        goto block_end;

    op_BlockEnd:
    block_end:
        retire();
        pc = cpc;

#undef DISPATCH
#undef NEXT
#undef OPERANDS
#undef ALU
#undef MULDIV
#undef BRANCH
#undef LOAD
#undef STORE
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
    data_priv_ = (priv == M && (mstatus_ & mstatus::kMprv))
                     ? static_cast<Priv>(field_get(mstatus_, mstatus::kMpp))
                     : priv;
}

// ---- execution -------------------------------------------------------------

bool RvCore::exec_amo(const Insn& in) {
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

// ---- triggers (Sdtrig) -------------------------------------------------------

namespace {
// The bytes a load, store or AMO accesses, and whether it loads and/or
// stores; 0 for every other operation.
struct DataAccess {
    unsigned kinds = 0;
    unsigned len = 0;
};
DataAccess data_access(const Insn& in) {
    constexpr unsigned L = TriggerModule::kLoad, S = TriggerModule::kStore;
    switch (in.op) {
    case kLb:
    case kLbu:
        return {L, 1};
    case kLh:
    case kLhu:
        return {L, 2};
    case kLw:
    case kLwu:
        return {L, 4};
    case kLd:
        return {L, 8};
    case kSb:
        return {S, 1};
    case kSh:
        return {S, 2};
    case kSw:
        return {S, 4};
    case kSd:
        return {S, 8};
    case kLrW:
        return {L, 4};
    case kLrD:
        return {L, 8};
    case kScW:
        return {S, 4};
    case kScD:
        return {S, 8};
    case kFpLoad:
    case kFpStore:
        if (in.rm != 2 && in.rm != 3) return {}; // illegal
        return {in.op == kFpLoad ? L : S, in.rm == 3 ? 8u : 4u};
    default:
        if (in.op >= kAmoswapW && in.op <= kAmomaxuW) return {L | S, 4};
        if (in.op >= kAmoswapD && in.op <= kAmomaxuD) return {L | S, 8};
        return {};
    }
}

// Action-0 triggers may not fire where the breakpoint exception would
// re-enter the trap handler that is running (Sdtrig, "Native Triggers",
// the first of its two solutions): in M-mode while mstatus.MIE is clear,
// and in S-mode while sstatus.SIE is clear if breakpoints go to S.
bool trigger_mode_ok(Priv p, uint64_t status, uint64_t medeleg) {
    if (p == M) return (status & mstatus::kMie) != 0;
    if (p == S && ((medeleg >> kBreakpoint) & 1)) return (status & mstatus::kSie) != 0;
    return true;
}
} // namespace

bool RvCore::execute_trigger_fires() {
    uint64_t tval;
    if (!trigger_mode_ok(priv, mstatus_, medeleg_) ||
        !triggers_.fires(TriggerModule::kExecute, pc, 1, priv, tval))
        return false;
    take_trap(kBreakpoint, tval, false);
    return true;
}

bool RvCore::data_trigger_fires(const Insn& in) {
    DataAccess a = data_access(in);
    if (!a.kinds) return false;
    // An FP access with the FP unit off is an illegal instruction, which
    // comes before a data breakpoint.
    if ((in.op == kFpLoad || in.op == kFpStore) &&
        (!fp_enabled() || (in.rm == 3 && !cfg_.isa.has(RvExt::D))))
        return false;
    bool amo = in.op >= kLrW && in.op <= kAmomaxuD;
    uint64_t addr = x[in.rs1] + (amo ? 0 : static_cast<uint64_t>(in.imm));
    uint64_t tval;
    if (!trigger_mode_ok(priv, mstatus_, medeleg_) ||
        !triggers_.fires(a.kinds, addr, a.len, priv, tval))
        return false;
    take_trap(kBreakpoint, tval, false);
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
        uint64_t sie = field_get(mstatus_, mstatus::kSie);
        mstatus_ = field_set(mstatus_, mstatus::kSpie, sie) & ~mstatus::kSie;
        mstatus_ = field_set(mstatus_, mstatus::kSpp, priv & 1);
        uint64_t base = stvec_ & ~uint64_t{3};
        pc = (interrupt && (stvec_ & 3) == 1) ? base + 4 * code : base;
        set_priv(S);
    } else {
        mepc_ = pc;
        mcause_ = mcause;
        mtval_ = tval;
        // MPIE <- MIE, MIE <- 0, MPP <- priv
        uint64_t mie = field_get(mstatus_, mstatus::kMie);
        mstatus_ = field_set(mstatus_, mstatus::kMpie, mie) & ~mstatus::kMie;
        mstatus_ = field_set(mstatus_, mstatus::kMpp, priv);
        uint64_t base = mtvec_ & ~uint64_t{3};
        pc = (interrupt && (mtvec_ & 3) == 1) ? base + 4 * code : base;
        set_priv(M);
    }
    trapped_ = false;
}

uint64_t RvCore::mip() const {
    uint64_t v = mip_pins_ | mip_sw_;
    // Sstc: with menvcfg.STCE, STIP is the stimecmp comparison.
    if (cfg_.isa.has(RvExt::Sstc) && (menvcfg_ & menvcfg::kStce)) {
        v &= ~(1ull << kSti);
        if (mem_.mtime() >= stimecmp_) v |= 1ull << kSti;
    }
    return v;
}

uint64_t RvCore::stimecmp_deadline() const {
    if (!cfg_.isa.has(RvExt::Sstc) || !(menvcfg_ & menvcfg::kStce)) return ~uint64_t{0};
    return stimecmp_;
}

bool RvCore::check_interrupts() {
    uint64_t pending = mip() & mie_;
    if (!pending) return false;
    bool m_enabled = priv < M || (mstatus_ & mstatus::kMie);
    bool s_enabled = priv < S || (priv == S && (mstatus_ & mstatus::kSie));
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
