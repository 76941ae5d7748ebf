// Control and status registers as a table (number, lowest privilege,
// extension, access conditions, read and write functions), and the SYSTEM
// instructions that change privilege (privileged spec 1.12, Zicntr, Zihpm,
// Sstc, Zicbom/Zicboz, Smaia/Ssaia, Sdtrig).
#include "models/cpu/rv_core.h"

#include "models/cpu/rv_ops.h"

#include <algorithm>

namespace nvsoc::rv {

namespace mstatus {
namespace {
// The bits sstatus shows, the writable ones, and those whose change alters
// how data addresses translate.
constexpr uint64_t kSstatusView = kSie | kSpie | kSpp | kFs | kSum | kMxr | kUxl | kSd;
constexpr uint64_t kWritable =
    kSie | kMie | kSpie | kMpie | kSpp | kMpp | kFs | kMprv | kSum | kMxr | kTvm | kTw | kTsr;
constexpr uint64_t kTranslation = kMpp | kMprv | kSum | kMxr;
} // namespace
} // namespace mstatus

namespace {

constexpr uint64_t kEnvcfgLow = menvcfg::kFiom | menvcfg::kCbie | menvcfg::kCbcfe | menvcfg::kCbze;
constexpr uint64_t kSInterrupts = (1u << kSsi) | (1u << kSti) | (1u << kSei);
constexpr uint64_t kAllInterrupts = kSInterrupts | (1u << kMsi) | (1u << kMti) | (1u << kMei);

} // namespace

// The table's functions reach into RvCore's state as its friend.
struct CsrTable {
    static std::span<const CsrSpec> specs();

    // A CSR that is a plain member variable.
    template <uint64_t RvCore::*Field>
    static uint64_t get(const RvCore& c, unsigned) {
        return c.*Field;
    }
    template <uint64_t RvCore::*Field>
    static void put(RvCore& c, unsigned, uint64_t v) {
        c.*Field = v;
    }
    static uint64_t zero(const RvCore&, unsigned) { return 0; }
    static void ignore(RvCore&, unsigned, uint64_t) {}

    static bool fp_on(const RvCore& c, unsigned) { return c.fp_enabled(); }
    static bool not_tvm(const RvCore& c, unsigned) {
        return !(c.priv == S && (c.mstatus_ & mstatus::kTvm));
    }
    // Zicntr/Zihpm counter `bit + index` below M: mcounteren, and
    // scounteren for U.
    template <unsigned Bit>
    static bool counter_on(const RvCore& c, unsigned index) {
        unsigned bit = Bit + index;
        if (c.priv == M) return true;
        if (!((c.mcounteren_ >> bit) & 1)) return false;
        return c.priv == S || ((c.scounteren_ >> bit) & 1);
    }

    static uint64_t read_mstatus(const RvCore& c) {
        uint64_t v = c.mstatus_;
        if (field_get(v, mstatus::kFs) == mstatus::kFsDirty) v |= mstatus::kSd;
        return v;
    }
    static void write_mstatus(RvCore& c, uint64_t v) {
        uint64_t next = (c.mstatus_ & ~mstatus::kWritable) | (v & mstatus::kWritable);
        if (field_get(next, mstatus::kMpp) == 2) // reserved: MPP keeps its value
            next = field_set(next, mstatus::kMpp, field_get(c.mstatus_, mstatus::kMpp));
        if (!c.cfg_.isa.has(RvExt::F)) next &= ~mstatus::kFs;
        if ((next ^ c.mstatus_) & mstatus::kTranslation) c.flush_tlb();
        c.mstatus_ = next;
        c.update_data_priv();
        c.attention_ = true;
    }
    static uint64_t tvec(uint64_t v) { return (v & 3) >= 2 ? (v & ~uint64_t{3}) : v; }
    // The bits of mip that software writes (and mvip aliases): SSIP, the
    // software-writable SEIP, and STIP unless Sstc drives it.
    static uint64_t mip_writable(const RvCore& c) {
        uint64_t w = (1u << kSsi) | (1u << kSei);
        if (!(c.cfg_.isa.has(RvExt::Sstc) && (c.menvcfg_ & menvcfg::kStce))) w |= 1u << kSti;
        return w;
    }

    // ---- Smaia/Ssaia (AIA 1.0, "CSRs" and "Interrupts for Machine and
    // Supervisor Levels") ----
    // What miselect/siselect name through mireg/sireg: the level's iprio
    // array, which this hart implements as read-only zeros (the default
    // priority order, which the AIA allows; RV64 has only the even
    // registers), or a register of the level's IMSIC interrupt file.
    // Everything else, and the file's selects without a file, is illegal.
    static bool iprio_select(uint64_t s) { return s >= 0x30 && s <= 0x3f; }
    static bool file_select(uint64_t s) { return s >= 0x70 && s <= 0xff; }
    static bool indirect_exists(uint64_t s, const InterruptFile* file) {
        if (iprio_select(s)) return (s & 1) == 0;
        uint64_t v;
        return file_select(s) && file && file->read_indirect(static_cast<unsigned>(s), v);
    }
    static uint64_t indirect_read(uint64_t s, const InterruptFile* file) {
        uint64_t v = 0;
        if (file_select(s) && file) file->read_indirect(static_cast<unsigned>(s), v);
        return v;
    }
    static void indirect_write(RvCore& c, uint64_t s, InterruptFile* file, uint64_t v) {
        if (file_select(s) && file) file->write_indirect(static_cast<unsigned>(s), v);
        c.attention_ = true;
    }
    // mtopi/stopi: the highest-priority interrupt in `pending` (the
    // level's pending and enabled ones) in the default order, its identity in
    // 27:16 and its IPRIO in 7:0. With the iprio array all zero, IPRIO is 0
    // for interrupts above the level's external interrupt in the default
    // order (none of those this hart has), 255 for those below it, and for
    // the external interrupt the priority its interrupt file supplies
    // (topei, 1-255, larger numbers 255); with no identity from a file (a
    // PLIC, or software-set SEIP) the number is 256, reported as 255.
    static uint64_t top_interrupt(uint64_t pending, unsigned external, const InterruptFile* file) {
        static constexpr unsigned order[] = {kMei, kMsi, kMti, kSei, kSsi, kSti};
        for (unsigned irq : order) {
            if (!((pending >> irq) & 1)) continue;
            uint64_t prio = 255;
            if (irq == external && file) {
                uint64_t id = file->topei() & 0x7ff;
                if (id) prio = std::min<uint64_t>(id, 255);
            }
            return (uint64_t{irq} << 16) | prio;
        }
        return 0;
    }
    // *topei (illegal without a file; csr_read/csr_write, which do not ask,
    // see 0 and claim nothing).
    static uint64_t topei(const InterruptFile* file) { return file ? file->topei() : 0; }
    static void claim_topei(RvCore& c, InterruptFile* file) {
        if (file) file->claim_topei();
        c.attention_ = true;
    }
    static bool has_m_file(const RvCore& c, unsigned) { return c.m_file_ != nullptr; }
    static bool has_s_file(const RvCore& c, unsigned) { return c.s_file_ != nullptr; }
};

std::span<const CsrSpec> CsrTable::specs() {
    using C = RvCore;
    static constexpr CsrSpec table[] = {
        // ---- unprivileged: F/D, Zicntr, Zihpm ----
        {.name = "fflags",
         .number = csr::kFflags,
         .priv = U,
         .ext = RvExt::F,
         .allowed = fp_on,
         .read = [](const C& c, unsigned) -> uint64_t { return c.fcsr & 0x1f; },
         .write =
             [](C& c, unsigned, uint64_t v) {
                 c.fcsr = (c.fcsr & ~0x1fu) | (v & 0x1f);
                 c.fp_dirty();
             }},
        {.name = "frm",
         .number = csr::kFrm,
         .priv = U,
         .ext = RvExt::F,
         .allowed = fp_on,
         .read = [](const C& c, unsigned) -> uint64_t { return (c.fcsr >> 5) & 7; },
         .write =
             [](C& c, unsigned, uint64_t v) {
                 c.fcsr = (c.fcsr & 0x1f) | ((v & 7) << 5);
                 c.fp_dirty();
             }},
        {.name = "fcsr",
         .number = csr::kFcsr,
         .priv = U,
         .ext = RvExt::F,
         .allowed = fp_on,
         .read = [](const C& c, unsigned) -> uint64_t { return c.fcsr & 0xff; },
         .write =
             [](C& c, unsigned, uint64_t v) {
                 c.fcsr = v & 0xff;
                 c.fp_dirty();
             }},
        {.name = "cycle",
         .number = csr::kCycle,
         .priv = U,
         .ext = RvExt::Zicntr,
         .allowed = counter_on<0>,
         .read = [](const C& c, unsigned) { return c.instret + c.cycle_offset_; }},
        {.name = "time",
         .number = csr::kTime,
         .priv = U,
         .ext = RvExt::Zicntr,
         .allowed = counter_on<1>,
         .read = [](const C& c, unsigned) { return c.mem_.mtime(); }},
        {.name = "instret",
         .number = csr::kInstret,
         .priv = U,
         .ext = RvExt::Zicntr,
         .allowed = counter_on<2>,
         .read = [](const C& c, unsigned) { return c.instret; }},
        // The counters exist but count no events.
        {.name = "hpmcounter3-31",
         .number = csr::kHpmcounter3,
         .count = 29,
         .priv = U,
         .ext = RvExt::Zihpm,
         .allowed = counter_on<3>,
         .read = zero},

        // ---- supervisor ----
        {.name = "sstatus",
         .number = csr::kSstatus,
         .priv = S,
         .read = [](const C& c, unsigned) { return read_mstatus(c) & mstatus::kSstatusView; },
         .write =
             [](C& c, unsigned, uint64_t v) {
                 write_mstatus(c,
                               (c.mstatus_ & ~mstatus::kSstatusView) | (v & mstatus::kSstatusView));
             }},
        {.name = "sie",
         .number = csr::kSie,
         .priv = S,
         .read = [](const C& c, unsigned) { return c.mie_ & c.mideleg_; },
         .write =
             [](C& c, unsigned, uint64_t v) {
                 c.mie_ = (c.mie_ & ~c.mideleg_) | (v & c.mideleg_);
                 c.attention_ = true;
             }},
        {.name = "stvec",
         .number = csr::kStvec,
         .priv = S,
         .read = get<&C::stvec_>,
         .write = [](C& c, unsigned, uint64_t v) { c.stvec_ = tvec(v); }},
        {.name = "scounteren",
         .number = csr::kScounteren,
         .priv = S,
         .read = get<&C::scounteren_>,
         .write = [](C& c, unsigned, uint64_t v) { c.scounteren_ = v & 0xffffffff; }},
        {.name = "senvcfg",
         .number = csr::kSenvcfg,
         .priv = S,
         .read = get<&C::senvcfg_>,
         .write = [](C& c, unsigned, uint64_t v) { c.senvcfg_ = v & kEnvcfgLow; }},
        {.name = "sscratch",
         .number = csr::kSscratch,
         .priv = S,
         .read = get<&C::sscratch_>,
         .write = put<&C::sscratch_>},
        {.name = "sepc",
         .number = csr::kSepc,
         .priv = S,
         .read = get<&C::sepc_>,
         .write = [](C& c, unsigned, uint64_t v) { c.sepc_ = v & ~c.pc_low_bits(); }},
        {.name = "scause",
         .number = csr::kScause,
         .priv = S,
         .read = get<&C::scause_>,
         .write = put<&C::scause_>},
        {.name = "stval",
         .number = csr::kStval,
         .priv = S,
         .read = get<&C::stval_>,
         .write = put<&C::stval_>},
        {.name = "sip",
         .number = csr::kSip,
         .priv = S,
         .read = [](const C& c, unsigned) { return c.mip() & c.mideleg_; },
         .write =
             [](C& c, unsigned, uint64_t v) {
                 uint64_t w = (1u << kSsi) & c.mideleg_;
                 c.mip_sw_ = (c.mip_sw_ & ~w) | (v & w);
                 c.attention_ = true;
             }},
        // Below M, only with menvcfg.STCE and mcounteren.TM.
        {.name = "stimecmp",
         .number = csr::kStimecmp,
         .priv = S,
         .ext = RvExt::Sstc,
         .allowed =
             [](const C& c, unsigned) {
                 return c.priv == M ||
                        ((c.menvcfg_ & menvcfg::kStce) && ((c.mcounteren_ >> 1) & 1));
             },
         .read = get<&C::stimecmp_>,
         .write =
             [](C& c, unsigned, uint64_t v) {
                 c.stimecmp_ = v;
                 c.attention_ = true;
             }},
        // ---- supervisor: AIA (Ssaia) ----
        {.name = "siselect",
         .number = csr::kSiselect,
         .priv = S,
         .ext = RvExt::Ssaia,
         .read = get<&C::siselect_>,
         .write = put<&C::siselect_>},
        {.name = "sireg",
         .number = csr::kSireg,
         .priv = S,
         .ext = RvExt::Ssaia,
         .allowed = [](const C& c, unsigned) { return indirect_exists(c.siselect_, c.s_file_); },
         .read = [](const C& c, unsigned) { return indirect_read(c.siselect_, c.s_file_); },
         .write = [](C& c, unsigned, uint64_t v) { indirect_write(c, c.siselect_, c.s_file_, v); }},
        {.name = "stopei",
         .number = csr::kStopei,
         .priv = S,
         .ext = RvExt::Ssaia,
         .allowed = has_s_file,
         .read = [](const C& c, unsigned) { return topei(c.s_file_); },
         .write = [](C& c, unsigned, uint64_t) { claim_topei(c, c.s_file_); }},
        // sip & sie: with mvien zero, the delegated interrupts.
        {.name = "stopi",
         .number = csr::kStopi,
         .priv = S,
         .ext = RvExt::Ssaia,
         .read =
             [](const C& c, unsigned) {
                 return top_interrupt(c.mip() & c.mie_ & c.mideleg_, kSei, c.s_file_);
             }},

        // Not from S with mstatus.TVM.
        {.name = "satp",
         .number = csr::kSatp,
         .priv = S,
         .allowed = not_tvm,
         .read = get<&C::satp_>,
         .write =
             [](C& c, unsigned, uint64_t v) {
                 uint64_t mode = v >> 60;
                 bool supported =
                     mode == 0 || (mode == 8 && c.cfg_.sv39) || (mode == 9 && c.cfg_.sv48);
                 if (!supported) return; // WARL: an unsupported mode leaves satp unchanged
                 c.satp_ = v & ((0xfull << 60) | (0xffffull << 44) | ((1ull << 44) - 1));
                 c.flush_tlb();
             }},

        // ---- machine: information ----
        {.name = "mvendorid", .number = csr::kMvendorid, .read = zero},
        {.name = "marchid", .number = csr::kMarchid, .read = zero},
        {.name = "mimpid", .number = csr::kMimpid, .read = zero},
        {.name = "mhartid",
         .number = csr::kMhartid,
         .read = [](const C& c, unsigned) -> uint64_t { return c.cfg_.hart_id; }},
        {.name = "mconfigptr", .number = csr::kMconfigptr, .read = zero},

        // ---- machine: trap setup and handling ----
        {.name = "mstatus",
         .number = csr::kMstatus,
         .read = [](const C& c, unsigned) { return read_mstatus(c); },
         .write = [](C& c, unsigned, uint64_t v) { write_mstatus(c, v); }},
        {.name = "misa", .number = csr::kMisa, .read = get<&C::misa_>, .write = ignore}, // fixed
        // Not ecall-from-M (11), nor the reserved 10 and 14.
        {.name = "medeleg",
         .number = csr::kMedeleg,
         .read = get<&C::medeleg_>,
         .write = [](C& c, unsigned, uint64_t v) { c.medeleg_ = v & 0xb3ff; }},
        {.name = "mideleg",
         .number = csr::kMideleg,
         .read = get<&C::mideleg_>,
         .write =
             [](C& c, unsigned, uint64_t v) {
                 c.mideleg_ = v & kSInterrupts;
                 c.attention_ = true;
             }},
        {.name = "mie",
         .number = csr::kMie,
         .read = get<&C::mie_>,
         .write =
             [](C& c, unsigned, uint64_t v) {
                 c.mie_ = v & kAllInterrupts;
                 c.attention_ = true;
             }},
        {.name = "mtvec",
         .number = csr::kMtvec,
         .read = get<&C::mtvec_>,
         .write = [](C& c, unsigned, uint64_t v) { c.mtvec_ = tvec(v); }},
        {.name = "mcounteren",
         .number = csr::kMcounteren,
         .read = get<&C::mcounteren_>,
         .write = [](C& c, unsigned, uint64_t v) { c.mcounteren_ = v & 0xffffffff; }},
        // STCE only with Sstc.
        {.name = "menvcfg",
         .number = csr::kMenvcfg,
         .read = get<&C::menvcfg_>,
         .write =
             [](C& c, unsigned, uint64_t v) {
                 uint64_t stce = c.cfg_.isa.has(RvExt::Sstc) ? menvcfg::kStce : 0;
                 c.menvcfg_ = v & (kEnvcfgLow | stce);
                 c.attention_ = true;
             }},
        // CY and IR.
        {.name = "mcountinhibit",
         .number = csr::kMcountinhibit,
         .read = get<&C::mcountinhibit_>,
         .write =
             [](C& c, unsigned, uint64_t v) {
                 c.mcountinhibit_ = v & 0x5;
                 c.instret_step_ = (c.mcountinhibit_ & 4) ? 0 : 1;
             }},
        {.name = "mscratch",
         .number = csr::kMscratch,
         .read = get<&C::mscratch_>,
         .write = put<&C::mscratch_>},
        {.name = "mepc",
         .number = csr::kMepc,
         .read = get<&C::mepc_>,
         .write = [](C& c, unsigned, uint64_t v) { c.mepc_ = v & ~c.pc_low_bits(); }},
        {.name = "mcause",
         .number = csr::kMcause,
         .read = get<&C::mcause_>,
         .write = put<&C::mcause_>},
        {.name = "mtval", .number = csr::kMtval, .read = get<&C::mtval_>, .write = put<&C::mtval_>},
        // SSIP, SEIP (the software part) and STIP (unless Sstc drives it).
        {.name = "mip",
         .number = csr::kMip,
         .read = [](const C& c, unsigned) { return c.mip(); },
         .write =
             [](C& c, unsigned, uint64_t v) {
                 uint64_t w = mip_writable(c);
                 c.mip_sw_ = (c.mip_sw_ & ~w) | (v & w);
                 c.attention_ = true;
             }},

        // ---- machine: AIA (Smaia) ----
        {.name = "miselect",
         .number = csr::kMiselect,
         .ext = RvExt::Smaia,
         .read = get<&C::miselect_>,
         .write = put<&C::miselect_>}, // WARL: holds any value
        {.name = "mireg",
         .number = csr::kMireg,
         .ext = RvExt::Smaia,
         .allowed = [](const C& c, unsigned) { return indirect_exists(c.miselect_, c.m_file_); },
         .read = [](const C& c, unsigned) { return indirect_read(c.miselect_, c.m_file_); },
         .write = [](C& c, unsigned, uint64_t v) { indirect_write(c, c.miselect_, c.m_file_, v); }},
        // Only with an IMSIC; any write claims the identity shown.
        {.name = "mtopei",
         .number = csr::kMtopei,
         .ext = RvExt::Smaia,
         .allowed = has_m_file,
         .read = [](const C& c, unsigned) { return topei(c.m_file_); },
         .write = [](C& c, unsigned, uint64_t) { claim_topei(c, c.m_file_); }},
        {.name = "mtopi",
         .number = csr::kMtopi,
         .ext = RvExt::Smaia,
         .read =
             [](const C& c, unsigned) {
                 return top_interrupt(c.mip() & c.mie_ & ~c.mideleg_, kMei, c.m_file_);
             }},
        // The minimal mvien and mvip (AIA §5.3): mvien is read-only zero (no
        // virtual supervisor interrupts, no filtering), so sip and sie stay
        // as the privileged spec has them; mvip's bits 1, 5 and 9 alias mip's
        // SSIP, STIP (while software may write it) and software-writable
        // SEIP, and the rest are zero.
        {.name = "mvien",
         .number = csr::kMvien,
         .ext = RvExt::Smaia,
         .read = zero,
         .write = ignore},
        {.name = "mvip",
         .number = csr::kMvip,
         .ext = RvExt::Smaia,
         .read = [](const C& c, unsigned) { return c.mip_sw_ & mip_writable(c); },
         .write =
             [](C& c, unsigned, uint64_t v) {
                 uint64_t w = mip_writable(c);
                 c.mip_sw_ = (c.mip_sw_ & ~w) | (v & w);
                 c.attention_ = true;
             }},

        // ---- machine: triggers (Sdtrig, without Debug Mode) ----
        {.name = "tselect",
         .number = csr::kTselect,
         .ext = RvExt::Sdtrig,
         .read = [](const C& c, unsigned) { return c.triggers_.tselect(); },
         .write = [](C& c, unsigned, uint64_t v) { c.triggers_.write_tselect(v); }},
        {.name = "tdata1",
         .number = csr::kTdata1,
         .ext = RvExt::Sdtrig,
         .read = [](const C& c, unsigned) { return c.triggers_.tdata1(); },
         .write =
             [](C& c, unsigned, uint64_t v) {
                 bool was_armed = c.triggers_.armed();
                 c.triggers_.write_tdata1(v);
                 // See access_page: from now on no code page may be cached.
                 if (c.triggers_.armed() && !was_armed) c.flush_tlb();
             }},
        {.name = "tdata2",
         .number = csr::kTdata2,
         .ext = RvExt::Sdtrig,
         .read = [](const C& c, unsigned) { return c.triggers_.tdata2(); },
         .write = [](C& c, unsigned, uint64_t v) { c.triggers_.write_tdata2(v); }},
        // No trigger uses tdata3 (textra): WARL zero.
        {.name = "tdata3",
         .number = csr::kTdata3,
         .ext = RvExt::Sdtrig,
         .read = zero,
         .write = ignore},
        // Read-only fields in a read-write CSR number: writes are ignored.
        {.name = "tinfo",
         .number = csr::kTinfo,
         .ext = RvExt::Sdtrig,
         .read = [](const C& c, unsigned) { return c.triggers_.tinfo(); },
         .write = ignore},

        // ---- machine: memory protection (RV64 has only the even pmpcfg) ----
        {.name = "pmpcfg0-14",
         .number = csr::kPmpcfg0,
         .count = 8,
         .stride = 2,
         .read =
             [](const C& c, unsigned index) {
                 uint64_t v = 0;
                 for (unsigned i = 0; i < 8; ++i)
                     v |= static_cast<uint64_t>(c.pmpcfg_[8 * index + i]) << (8 * i);
                 return v;
             },
         .write =
             [](C& c, unsigned index, uint64_t v) {
                 unsigned first = 8 * index;
                 for (unsigned i = 0; i < 8 && first + i < c.cfg_.pmp_entries; ++i) {
                     if (c.pmpcfg_[first + i] & 0x80) continue; // locked
                     uint8_t e = static_cast<uint8_t>(v >> (8 * i)) & 0x9f;
                     if ((e & 3) == 2) e &= ~3; // W without R is reserved
                     c.pmpcfg_[first + i] = e;
                 }
                 c.flush_tlb();
             }},
        // Unimplemented entries read zero.
        {.name = "pmpaddr0-63",
         .number = csr::kPmpaddr0,
         .count = 64,
         .read = [](const C& c, unsigned i) { return c.pmpaddr_[i]; },
         .write =
             [](C& c, unsigned i, uint64_t v) {
                 if (i >= c.cfg_.pmp_entries) return;
                 bool locked = c.pmpcfg_[i] & 0x80;
                 bool next_tor_locked = i + 1 < c.cfg_.pmp_entries && (c.pmpcfg_[i + 1] & 0x80) &&
                                        ((c.pmpcfg_[i + 1] >> 3) & 3) == 1;
                 if (!locked && !next_tor_locked) c.pmpaddr_[i] = v & ((1ull << 54) - 1);
                 c.flush_tlb();
             }},

        // ---- machine: counters (the hpm ones count nothing: WARL zero) ----
        {.name = "mcycle",
         .number = csr::kMcycle,
         .read = [](const C& c, unsigned) { return c.instret + c.cycle_offset_; },
         .write = [](C& c, unsigned, uint64_t v) { c.cycle_offset_ = v - c.instret; }},
        // This instruction's retirement then adds 1.
        {.name = "minstret",
         .number = csr::kMinstret,
         .read = [](const C& c, unsigned) { return c.instret; },
         .write = [](C& c, unsigned, uint64_t v) { c.instret = v - 1; }},
        {.name = "mhpmcounter3-31",
         .number = csr::kMhpmcounter3,
         .count = 29,
         .read = zero,
         .write = ignore},
        {.name = "mhpmevent3-31",
         .number = csr::kMhpmevent3,
         .count = 29,
         .read = zero,
         .write = ignore},
    };
    return table;
}

std::span<const CsrSpec> csr_specs() {
    return CsrTable::specs();
}

namespace {
// Every CSR number's spec, as a dense array: one indexed load per access.
struct CsrSlot {
    const CsrSpec* spec = nullptr;
    unsigned index = 0;
};
std::array<CsrSlot, 4096> index_csrs() {
    std::array<CsrSlot, 4096> slots{};
    for (const CsrSpec& s : csr_specs())
        for (unsigned i = 0; i < s.count; ++i)
            slots[s.number + i * s.stride] = CsrSlot{&s, i};
    return slots;
}
} // namespace

const CsrSpec* find_csr(unsigned number, unsigned& index) {
    static const std::array<CsrSlot, 4096> slots = index_csrs();
    const CsrSlot& slot = slots[number & 0xfff];
    index = slot.index;
    return slot.spec;
}

bool RvCore::csr_read(unsigned number, uint64_t& v) const {
    unsigned index;
    const CsrSpec* spec = find_csr(number, index);
    if (!spec || !cfg_.isa.has(spec->ext)) return false;
    v = spec->read(*this, index);
    return true;
}

bool RvCore::csr_write(unsigned number, uint64_t v) {
    unsigned index;
    const CsrSpec* spec = find_csr(number, index);
    if (!spec || !cfg_.isa.has(spec->ext) || !spec->write) return false;
    spec->write(*this, index, v);
    return true;
}

bool RvCore::exec_csr(const Insn& in) {
    unsigned number = static_cast<unsigned>(in.imm) & 0xfff;
    bool imm_form = in.op >= kCsrrwi;
    uint64_t src = imm_form ? in.rs1 : x[in.rs1];
    bool is_write = in.op == kCsrrw || in.op == kCsrrwi || in.rs1 != 0;
    bool is_read = !((in.op == kCsrrw || in.op == kCsrrwi) && in.rd == 0);
    unsigned index;
    const CsrSpec* spec = find_csr(number, index);
    if (!spec || priv < spec->priv || !cfg_.isa.has(spec->ext)) return false;
    if (is_write && !spec->write) return false;
    if (spec->allowed && !spec->allowed(*this, index)) return false;
    uint64_t old = spec->read(*this, index);
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
        spec->write(*this, index, next);
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
        // MIE <- MPIE, MPIE <- 1, MPP <- U; leaving M clears MPRV.
        Priv target = static_cast<Priv>(field_get(mstatus_, mstatus::kMpp));
        uint64_t mpie = field_get(mstatus_, mstatus::kMpie);
        mstatus_ = field_set(mstatus_, mstatus::kMie, mpie) | mstatus::kMpie;
        mstatus_ = field_set(mstatus_, mstatus::kMpp, U);
        if (target != M) mstatus_ &= ~mstatus::kMprv;
        flush_tlb();
        pc = mepc_;
        set_priv(target);
        return true;
    }
    case kSret: {
        if (priv < S || (priv == S && (mstatus_ & mstatus::kTsr))) return false;
        // SIE <- SPIE, SPIE <- 1, SPP <- U, MPRV <- 0.
        Priv target = (mstatus_ & mstatus::kSpp) ? S : U;
        uint64_t spie = field_get(mstatus_, mstatus::kSpie);
        mstatus_ = field_set(mstatus_, mstatus::kSie, spie) | mstatus::kSpie;
        mstatus_ &= ~(mstatus::kSpp | mstatus::kMprv);
        flush_tlb();
        pc = sepc_;
        set_priv(target);
        return true;
    }
    case kWfi:
        if (priv == U || (priv == S && (mstatus_ & mstatus::kTw))) return false;
        pc += in.len;
        wfi_ = true;
        attention_ = true;
        return true;
    case kSfenceVma:
        if (priv == U || (priv == S && (mstatus_ & mstatus::kTvm))) return false;
        flush_tlb();
        pc += in.len;
        return true;
    default:
        break;
    }
    // Cache-block operations (the decoder made them illegal on a hart
    // without Zicbom or Zicboz).
    bool zero = in.op == kCboZero;
    auto enabled = [&](uint64_t envcfg) {
        if (zero) return (envcfg & menvcfg::kCbze) != 0;
        if (in.op == kCboInval) return (envcfg & menvcfg::kCbie) != 0;
        return (envcfg & menvcfg::kCbcfe) != 0;
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
