// The RV64GC ISA core: architectural state, decoder, executor, MMU, PMP and
// CSRs, in plain C++ with no SystemC. It talks to the rest of the system only
// through MemoryPort (physical memory) and a few hooks, so it can be tested
// on its own and wrapped by the SystemC Hart module.
#pragma once

#include "models/core/irq.h"
#include "models/cpu/rv_csr.h"
#include "models/cpu/rv_isa.h"
#include "models/cpu/rv_trigger.h"

#include <array>
#include <cstdint>
#include <cstring>
#include <functional>
#include <memory>
#include <string>

namespace nvsoc::rv {

// Exception causes (privileged spec, mcause with interrupt bit clear).
enum Cause : uint64_t {
    kInsnMisaligned = 0,
    kInsnAccessFault = 1,
    kIllegalInsn = 2,
    kBreakpoint = 3,
    kLoadMisaligned = 4,
    kLoadAccessFault = 5,
    kStoreMisaligned = 6,
    kStoreAccessFault = 7,
    kEcallU = 8,
    kEcallS = 9,
    kEcallM = 11,
    kInsnPageFault = 12,
    kLoadPageFault = 13,
    kStorePageFault = 15,
};

// Interrupt numbers (bit positions in mip/mie).
enum Irq : unsigned { kSsi = 1, kMsi = 3, kSti = 5, kMti = 7, kSei = 9, kMei = 11 };

enum class Access { Fetch, Load, Store };

// Physical memory as the core sees it.
class MemoryPort {
  public:
    virtual ~MemoryPort() = default;
    // Host pointer to the 4 KiB-aligned physical page holding `paddr` if it is
    // plain memory the core may access directly (DMI), else nullptr.
    // `write` asks for write access.
    virtual uint8_t* direct_page(uint64_t paddr, bool write) = 0;
    // A non-direct access (MMIO). Returns false on a bus error.
    virtual bool read(uint64_t paddr, void* data, unsigned len) = 0;
    virtual bool write(uint64_t paddr, const void* data, unsigned len) = 0;
    // Current value of the platform timer (mtime), for the time CSR.
    virtual uint64_t mtime() = 0;
    // Zicbom: clean/flush/inval of the 64-byte block at paddr. The default
    // does nothing (memory is coherent).
    virtual void cache_block_op(unsigned /*op*/, uint64_t /*paddr*/) {}
};

// Load-reserved/store-conditional reservations of every hart in a platform:
// a store by any hart to a reserved block breaks that reservation.
class ReservationSet {
  public:
    static constexpr unsigned kMaxHarts = 64;
    void reserve(unsigned hart, uint64_t paddr) {
        addr_[hart] = paddr & ~uint64_t{7};
        if (!valid_[hart]) ++active_;
        valid_[hart] = true;
    }
    bool holds(unsigned hart, uint64_t paddr) const {
        return valid_[hart] && addr_[hart] == (paddr & ~uint64_t{7});
    }
    void clear(unsigned hart) {
        if (valid_[hart]) --active_;
        valid_[hart] = false;
    }
    // Called for every store; cheap when nobody holds a reservation.
    void store(uint64_t paddr, unsigned len) {
        if (active_ == 0) return;
        for (unsigned h = 0; h < kMaxHarts; ++h)
            if (valid_[h] && addr_[h] < paddr + len && paddr < addr_[h] + 8) clear(h);
    }

  private:
    std::array<uint64_t, kMaxHarts> addr_{};
    std::array<bool, kMaxHarts> valid_{};
    unsigned active_ = 0;
};

// One decoded instruction. The decoder expands compressed instructions to
// the same operations; `len` says how far the pc moves. Every RV64
// immediate (LUI/AUIPC's included, already shifted) fits in 32 signed bits;
// keeping the struct at 16 bytes keeps decoded blocks dense in the cache.
struct Insn {
    uint16_t op = 0;
    uint8_t rd = 0, rs1 = 0, rs2 = 0, rs3 = 0;
    uint8_t len = 4;
    uint8_t rm = 0; // FP rounding mode field / AMO aq-rl / fence bits
    int32_t imm = 0;
    uint32_t raw = 0;
};
static_assert(sizeof(Insn) == 16);

struct CoreConfig {
    unsigned hart_id = 0;
    // The extensions the hart implements: each one left out makes its
    // instructions and CSRs illegal (see rv_isa.cpp).
    RvExtensions isa = RvExtensions::all();
    bool sv48 = true, sv39 = true; // supported satp modes (bare always)
    unsigned pmp_entries = 16;
    uint64_t reset_pc = 0x1000;
};

class RvCore {
  public:
    RvCore(const CoreConfig& config, MemoryPort& memory, ReservationSet& reservations);

    void reset();
    // Where reset() starts execution (the boot ROM, or the firmware's entry).
    void set_reset_vector(uint64_t addr) { cfg_.reset_pc = addr; }

    // Executes up to `budget` instructions. Returns how many retired or trapped
    // (each counts as one step). Stops early on WFI with nothing pending, and
    // when something outside asked for attention (interrupt line change).
    uint64_t run(uint64_t budget);
    // One instruction (tests).
    void step() { run(1); }

    // Interrupt pins from the platform (MSIP/MTIP/SEIP/MEIP bits of mip).
    void set_external_pending(uint64_t pins);
    // The IMSIC interrupt files behind MEIP and SEIP (nullptr: none), which
    // the AIA CSRs (mireg/sireg selects 0x70-0xff, mtopei, stopei) reach.
    void set_interrupt_files(InterruptFile* machine, InterruptFile* supervisor) {
        m_file_ = machine;
        s_file_ = supervisor;
    }
    // True when an enabled-or-not interrupt is pending that WFI must wake for.
    bool wfi_wakeup_pending() const { return (mip() & mie_) != 0; }
    bool waiting_for_interrupt() const { return wfi_; }
    // Sstc: the mtime value at which STIP must rise (UINT64_MAX: never).
    uint64_t stimecmp_deadline() const;
    void timer_tick() { attention_ = true; } // re-evaluate time-based interrupts
    // Makes run() return at the next instruction boundary (reset, exit).
    void request_stop() {
        stop_ = true;
        attention_ = true;
    }
    // Forgets cached translations and host pages (DMI revoked, memory remapped).
    void flush_tlb();

    // Architectural state, public for tests and debuggers.
    uint64_t pc = 0;
    std::array<uint64_t, 32> x{};
    std::array<uint64_t, 32> f{}; // NaN-boxed for single precision
    Priv priv = M;
    uint64_t instret = 0;

    // CSR access as the hart performs it once an instruction has passed the
    // privilege checks (tests, debuggers): false when the hart has no such
    // CSR (or lacks its extension), or, for writes, when it is read-only.
    bool csr_read(unsigned csr, uint64_t& value) const;
    bool csr_write(unsigned csr, uint64_t value);

    // Instruction and trap tracing for debugging (--log hartN=trace). Off,
    // it costs one predictable branch per instruction.
    std::function<void(uint64_t pc, uint32_t raw)> trace_insn;
    std::function<void(uint64_t cause, uint64_t tval, uint64_t epc, Priv to)> trace_trap;

    const CoreConfig& config() const { return cfg_; }
    unsigned hart_id() const { return cfg_.hart_id; }

    // ---- used by the F/D implementation (rv_fp.cpp) ----
    bool fp_enabled() const { return (mstatus_ & mstatus::kFs) != 0; }
    void fp_dirty() { mstatus_ |= mstatus::kFs | mstatus::kSd; }
    uint32_t fcsr = 0; // frm [7:5], fflags [4:0]
    // Executes an F/D instruction (LOAD-FP, STORE-FP, OP-FP, FMADD..FNMADD);
    // false means illegal instruction.
    bool exec_fp(const Insn& in);
    // Memory accesses with translation, for FP loads/stores.
    bool load(uint64_t vaddr, void* out, unsigned len);
    bool store(uint64_t vaddr, const void* in, unsigned len);

  private:
    InterruptFile* m_file_ = nullptr;
    InterruptFile* s_file_ = nullptr;
    friend struct CsrTable; // the CSRs' read and write functions (rv_csr.cpp)
    struct TlbEntry {
        uint64_t vpn = ~uint64_t{0};
        uint8_t* host = nullptr; // host address of the page start
        uint64_t ppage = 0;      // physical address of the page start
    };
    static constexpr unsigned kTlbSize = 256;
    using Tlb = std::array<TlbEntry, kTlbSize>;

    // Decoding: every RV64GC encoding, then what this hart implements (an
    // instruction of an extension it lacks decodes as illegal).
    [[gnu::always_inline]] inline const Insn& decode_cached(uint32_t raw);
    static Insn decode_rv64gc(uint32_t raw);
    Insn decode(uint32_t raw) const;
    // Slots start as the decoding of 0 (illegal), so no valid flag is needed.
    struct DecodeSlot {
        uint32_t raw = 0;
        Insn insn;
    };
    std::array<DecodeSlot, 4096> decode_cache_{};

    // Decoded blocks (see run() in rv_core.cpp): straight-line code inside
    // one page, tagged by pc and validated against the code bytes they were
    // decoded from, kept as whole 8-byte words.
    static constexpr unsigned kBlockMax = 16;
    static constexpr unsigned kBlockWords = kBlockMax / 2 + 2;
    static constexpr unsigned kBlocks = 4096;
    struct Block {
        uint64_t pc = ~uint64_t{0};
        uint16_t word_off = 0; // page offset of words[0]
        uint8_t nwords = 0;
        uint8_t count = 0; // instructions, followed by a kBlockEnd sentinel
        std::array<uint64_t, kBlockWords> words{};
        std::array<Insn, kBlockMax + 1> insns{};
    };
    std::unique_ptr<std::array<Block, kBlocks>> blocks_;
    // The valid block at pc (decoding it if needed), or nullptr when the
    // code page is not in the fetch TLB or the instruction straddles pages.
    [[gnu::always_inline]] inline Block* find_block();
    bool build_block(Block& b, uint64_t start_pc, const uint8_t* page);

    // Execution
    [[gnu::always_inline]] inline bool fetch(uint32_t& raw);
    bool exec_amo(const Insn& in);
    bool exec_system(const Insn& in);
    bool exec_csr(const Insn& in);

    // Memory
    Priv data_priv() const;
    bool access(uint64_t vaddr, void* data, unsigned len, Access kind);
    // Loads and stores of a fixed size: the TLB hit path inlined.
    template <typename T>
    bool load_fast(uint64_t vaddr, T& out) {
        uint64_t vpn = vaddr >> 12;
        const TlbEntry& e = tlb_for(Access::Load, data_priv_)[vpn % kTlbSize];
        if (e.vpn == vpn && (vaddr & 0xfff) <= 4096 - sizeof(T)) [[likely]] {
            std::memcpy(&out, e.host + (vaddr & 0xfff), sizeof(T));
            return true;
        }
        return access(vaddr, &out, sizeof(T), Access::Load);
    }
    template <typename T>
    bool store_fast(uint64_t vaddr, T value) {
        uint64_t vpn = vaddr >> 12;
        const TlbEntry& e = tlb_for(Access::Store, data_priv_)[vpn % kTlbSize];
        if (e.vpn == vpn && (vaddr & 0xfff) <= 4096 - sizeof(T)) [[likely]] {
            std::memcpy(e.host + (vaddr & 0xfff), &value, sizeof(T));
            resv_.store(e.ppage + (vaddr & 0xfff), sizeof(T));
            return true;
        }
        return access(vaddr, &value, sizeof(T), Access::Store);
    }
    // The code page the pc is in, cached apart from the TLB (cleared with it).
    // current_code_page() makes pc's page current if the fetch TLB holds it
    // and says whether fetch_host_ now maps pc's page.
    [[gnu::always_inline]] inline bool current_code_page();
    uint64_t fetch_vpn_ = ~uint64_t{0};
    uint8_t* fetch_host_ = nullptr;
    // The privilege data accesses use (MPRV), kept current by set_priv and
    // mstatus writes.
    Priv data_priv_ = M;
    void update_data_priv();
    bool access_page(uint64_t vaddr, void* data, unsigned len, Access kind);
    // Page-table walk (with A/D updates) and PMP check for `len` bytes inside
    // one page; raises the fault on failure. `uniform` tells whether the
    // result holds for the whole 4 KiB page (so it may be cached in the TLB).
    bool translate(uint64_t vaddr, unsigned len, Access kind, Priv p, uint64_t& paddr,
                   bool* uniform);
    bool pmp_check(uint64_t paddr, unsigned len, Access kind, Priv p, bool* uniform) const;
    bool walk(uint64_t vaddr, Access kind, Priv p, uint64_t& paddr);
    Tlb& tlb_for(Access kind, Priv p) { return tlb_[p][static_cast<unsigned>(kind)]; }
    std::array<std::array<Tlb, 3>, 4> tlb_{}; // [priv][kind]

    // Sdtrig. While a trigger is armed the fetch TLB caches no page (see
    // access_page), so run() executes one instruction at a time and asks
    // these before the fetch and before the access; each raises the
    // breakpoint exception when a trigger fires. Unarmed, triggers cost the
    // decoded-block path nothing.
    bool execute_trigger_fires();
    bool data_trigger_fires(const Insn& in);
    TriggerModule triggers_;

    // Traps and interrupts
    void raise(uint64_t cause, uint64_t tval) {
        trap_cause_ = cause;
        trap_tval_ = tval;
        trapped_ = true;
    }
    void take_trap(uint64_t cause, uint64_t tval, bool interrupt);
    bool check_interrupts();
    uint64_t mip() const;
    void set_priv(Priv p);
    // Bits of a pc that must be clear: bit 0, and bit 1 without C.
    uint64_t pc_low_bits() const { return cfg_.isa.has(RvExt::C) ? 1 : 3; }

    CoreConfig cfg_;
    MemoryPort& mem_;
    ReservationSet& resv_;

    // Trap state of the current instruction
    bool trapped_ = false;
    uint64_t trap_cause_ = 0, trap_tval_ = 0;
    bool attention_ = true; // re-check interrupts before the next instruction
    bool wfi_ = false;
    bool stop_ = false;
    uint64_t instret_step_ = 1; // 0 while mcountinhibit.IR is set

    // CSRs
    uint64_t mstatus_ = 0, misa_ = 0, medeleg_ = 0, mideleg_ = 0, mie_ = 0, mip_sw_ = 0;
    uint64_t mip_pins_ = 0; // MSIP/MTIP/SEIP/MEIP from the platform
    uint64_t mtvec_ = 0, mscratch_ = 0, mepc_ = 0, mcause_ = 0, mtval_ = 0;
    uint64_t mcounteren_ = 0, mcountinhibit_ = 0, menvcfg_ = 0;
    uint64_t stvec_ = 0, sscratch_ = 0, sepc_ = 0, scause_ = 0, stval_ = 0, satp_ = 0;
    uint64_t scounteren_ = 0, senvcfg_ = 0, stimecmp_ = ~uint64_t{0};
    uint64_t cycle_offset_ = 0;
    uint64_t miselect_ = 0, siselect_ = 0; // Smaia/Ssaia
    std::array<uint8_t, 64> pmpcfg_{};
    std::array<uint64_t, 64> pmpaddr_{};
};

} // namespace nvsoc::rv
