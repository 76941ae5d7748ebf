// The CSR table (models/cpu/rv_csr): every CSR the hart has, checked through
// the instructions software uses, for its privilege, its extension, its
// access conditions and whether it may be written.
#include "models/cpu/rv_core.h"

#include <catch2/catch.hpp>
#include <cstring>
#include <map>
#include <set>
#include <string>
#include <vector>

using namespace nvsoc::rv;

namespace {

constexpr uint64_t kBase = 0x80000000;
constexpr uint64_t kInsnAt = kBase + 0x100;
constexpr uint64_t kHandler = kBase + 0x800;

struct FlatMemory : MemoryPort {
    std::vector<uint8_t> ram = std::vector<uint8_t>(64 * 1024, 0);
    uint64_t time = 0;
    uint8_t* direct_page(uint64_t paddr, bool) override {
        if (paddr < kBase || paddr - kBase >= ram.size()) return nullptr;
        return ram.data() + ((paddr - kBase) & ~uint64_t{0xfff});
    }
    bool read(uint64_t, void*, unsigned) override { return false; }
    bool write(uint64_t, const void*, unsigned) override { return false; }
    uint64_t mtime() override { return time; }
};

// csrrs x1, csr, x0: a read and nothing else.
uint32_t csr_read_insn(unsigned csr) {
    return (csr << 20) | (2u << 12) | (1u << 7) | 0x73;
}
// csrrs x0, csr, x2 with x2 = 0: a write (rs1 is not x0) that keeps the value.
uint32_t csr_write_insn(unsigned csr) {
    return (csr << 20) | (2u << 15) | (2u << 12) | 0x73;
}

// An IMSIC interrupt file as the AIA CSRs reach it: eidelivery,
// eithreshold and the even eip/eie registers (RV64), a top identity the
// test sets, and the claims that writes to *topei make.
struct FakeFile : nvsoc::InterruptFile {
    std::map<unsigned, uint64_t> regs;
    uint32_t top = 0;
    unsigned claims = 0;
    FakeFile() {
        regs[0x70] = regs[0x72] = 0;
        for (unsigned s = 0x80; s <= 0xfe; s += 2)
            regs[s] = 0;
    }
    bool read_indirect(unsigned select, uint64_t& value) const override {
        auto it = regs.find(select);
        if (it == regs.end()) return false;
        value = it->second;
        return true;
    }
    bool write_indirect(unsigned select, uint64_t value) override {
        auto it = regs.find(select);
        if (it == regs.end()) return false;
        it->second = value;
        return true;
    }
    uint32_t topei() const override { return top; }
    void claim_topei() override {
        ++claims;
        top = 0;
    }
};

// The access conditions: all on, all off, or all on but scounteren.
enum class Enables { On, Off, NotScounteren };

struct Hart {
    FlatMemory mem;
    ReservationSet resv;
    RvCore core;
    FakeFile mfile, sfile;
    // With both interrupt files, and miselect/siselect on the iprio array,
    // so that every AIA CSR is accessible.
    explicit Hart(RvExtensions isa = RvExtensions::all()) : core(config(isa), mem, resv) {
        core.set_interrupt_files(&mfile, &sfile);
        core.csr_write(csr::kMiselect, 0x30); // false without Smaia
        core.csr_write(csr::kSiselect, 0x30);
    }
    static CoreConfig config(RvExtensions isa) {
        CoreConfig c;
        c.isa = isa;
        c.reset_pc = kBase;
        return c;
    }
    void put(uint64_t at, uint32_t insn) { std::memcpy(&mem.ram[at - kBase], &insn, 4); }
    uint64_t csr(unsigned n) {
        uint64_t v = 0;
        REQUIRE(core.csr_read(n, v));
        return v;
    }

    // Runs `insn` at privilege `p` (reached through mret) with the access
    // conditions on (counter enables as `counters` says, FS, STCE; TVM
    // clear) or off. True when it ran, false when it raised illegal
    // instruction.
    bool run_at(Priv p, uint32_t insn, Enables enables = Enables::On,
                uint64_t counters = 0xffffffff) {
        bool on = enables != Enables::Off;
        REQUIRE(core.priv == M);
        REQUIRE(core.csr_write(csr::kMtvec, kHandler));
        REQUIRE(core.csr_write(csr::kPmpaddr0, ~uint64_t{0} >> 10)); // all of memory
        REQUIRE(core.csr_write(csr::kPmpcfg0, 0x1f));                // NAPOT, RWX
        REQUIRE(core.csr_write(csr::kMcounteren, on ? counters : 0));
        REQUIRE(core.csr_write(csr::kScounteren, enables == Enables::On ? counters : 0));
        REQUIRE(core.csr_write(csr::kMenvcfg, on ? menvcfg::kStce : 0));
        uint64_t ms = to_field(mstatus::kMpp, p);
        ms |= on ? to_field(mstatus::kFs, 1) : mstatus::kTvm;
        REQUIRE(core.csr_write(csr::kMstatus, ms));
        REQUIRE(core.csr_write(csr::kMepc, kInsnAt));
        put(kBase, 0x30200073); // mret
        put(kInsnAt, insn);
        core.x[2] = 0;
        core.pc = kBase;
        core.step();
        REQUIRE(core.priv == p);
        REQUIRE(core.pc == kInsnAt);
        core.step();
        if (core.pc == kInsnAt + 4) {
            if (core.priv != M) { // back to M: ecall
                put(kInsnAt + 4, 0x00000073);
                core.step();
            }
            REQUIRE(core.priv == M);
            return true;
        }
        REQUIRE(core.pc == kHandler);
        REQUIRE(core.priv == M);
        uint64_t cause = 0, tval = 0;
        REQUIRE(core.csr_read(csr::kMcause, cause));
        REQUIRE(core.csr_read(csr::kMtval, tval));
        CHECK(cause == kIllegalInsn);
        CHECK(tval == insn);
        return false;
    }
};

std::vector<unsigned> numbers_of(const CsrSpec& s) {
    std::vector<unsigned> out;
    for (unsigned i = 0; i < s.count; ++i)
        out.push_back(s.number + i * s.stride);
    return out;
}

} // namespace

TEST_CASE("csr table: numbers are unique and agree with their encoding") {
    std::set<unsigned> seen;
    for (const CsrSpec& s : csr_specs())
        for (unsigned n : numbers_of(s)) {
            INFO(s.name << " 0x" << std::hex << n);
            CHECK(seen.insert(n).second);
            // Bits 9:8 give the lowest privilege, 11:10 == 3 read-only.
            CHECK(static_cast<unsigned>(s.priv) == ((n >> 8) & 3));
            CHECK((s.write == nullptr) == ((n >> 10) == 3));
            CHECK(s.read != nullptr);
            unsigned index = 99;
            CHECK(find_csr(n, index) == &s);
            CHECK(n == s.number + index * s.stride);
        }
    CHECK(seen.size() > 150);
    unsigned index;
    CHECK(find_csr(0x3a1, index) == nullptr); // pmpcfg1: not on RV64
    CHECK(find_csr(0x7b0, index) == nullptr); // dcsr: no debug mode
    CHECK(find_csr(0x000, index) == nullptr);
}

TEST_CASE("csr table: each CSR is accessible from its privilege and traps from below") {
    Hart h;
    for (const CsrSpec& s : csr_specs())
        for (unsigned n : numbers_of(s)) {
            INFO(s.name << " 0x" << std::hex << n);
            CHECK(h.run_at(s.priv, csr_read_insn(n)));
            for (Priv below : {U, S})
                if (below < s.priv) CHECK_FALSE(h.run_at(below, csr_read_insn(n)));
        }
}

TEST_CASE("csr table: writing a read-only CSR traps, even from M") {
    Hart h;
    for (const CsrSpec& s : csr_specs())
        for (unsigned n : numbers_of(s)) {
            INFO(s.name << " 0x" << std::hex << n);
            if (s.write)
                CHECK(h.run_at(s.priv, csr_write_insn(n)));
            else
                CHECK_FALSE(h.run_at(M, csr_write_insn(n)));
        }
}

TEST_CASE("csr table: without its extension a CSR traps, even from M") {
    std::set<RvExt> gating;
    for (const CsrSpec& s : csr_specs()) {
        if (s.ext == RvExt::I) continue; // every hart has these
        gating.insert(s.ext);
        Hart h(RvExtensions::all().remove(s.ext));
        for (unsigned n : numbers_of(s)) {
            INFO(s.name << " 0x" << std::hex << n << " without " << rv_ext_name(s.ext));
            CHECK_FALSE(h.run_at(M, csr_read_insn(n)));
            uint64_t v;
            CHECK_FALSE(h.core.csr_read(n, v));
        }
    }
    CHECK(gating == std::set<RvExt>{RvExt::F, RvExt::Zicntr, RvExt::Zihpm, RvExt::Sstc,
                                    RvExt::Smaia, RvExt::Ssaia, RvExt::Sdtrig});
}

TEST_CASE("csr table: access conditions (counter enables, FS, STCE, TVM) trap when off") {
    Hart h;
    // Conditions on the AIA's interrupt files and selects, not on enables
    // (tested below).
    const std::set<std::string> aia = {"mireg", "mtopei", "sireg", "stopei"};
    unsigned conditional = 0;
    for (const CsrSpec& s : csr_specs())
        for (unsigned n : numbers_of(s)) {
            INFO(s.name << " 0x" << std::hex << n);
            bool on_enables = s.allowed && !aia.count(s.name);
            CHECK(h.run_at(s.priv, csr_read_insn(n), Enables::Off) == !on_enables);
            conditional += s.allowed != nullptr;
        }
    // fflags, frm, fcsr, cycle, time, instret, hpmcounter3-31, stimecmp,
    // satp, and the four AIA ones
    CHECK(conditional == 3 + 3 + 29 + 2 + 4);
}

TEST_CASE("csr: the counters need mcounteren below M, and scounteren too in U") {
    Hart h;
    for (unsigned n : {0xc00u, 0xc01u, 0xc02u, 0xc08u}) { // cycle, time, instret, hpmcounter8
        INFO("0x" << std::hex << n);
        CHECK(h.run_at(S, csr_read_insn(n), Enables::NotScounteren));
        CHECK_FALSE(h.run_at(U, csr_read_insn(n), Enables::NotScounteren));
        CHECK(h.run_at(U, csr_read_insn(n), Enables::On));
        CHECK_FALSE(h.run_at(S, csr_read_insn(n), Enables::Off));
        CHECK(h.run_at(M, csr_read_insn(n), Enables::Off));
    }
    // Each counter has its own bit.
    for (unsigned bit = 0; bit < 32; ++bit) {
        INFO("bit " << bit);
        CHECK(h.run_at(U, csr_read_insn(0xc00 + bit), Enables::On, 1ull << bit));
        CHECK_FALSE(h.run_at(U, csr_read_insn(0xc00 + bit), Enables::On, ~(1ull << bit)));
    }
}

TEST_CASE("csr table: CSR numbers the hart does not have trap") {
    Hart h;
    unsigned index;
    unsigned missing = 0;
    for (unsigned n = 0; n < 4096; ++n) {
        if (find_csr(n, index)) continue;
        ++missing;
        INFO("0x" << std::hex << n);
        CHECK_FALSE(h.run_at(M, csr_read_insn(n)));
    }
    CHECK(missing > 3800);
}

TEST_CASE("csr: without Zicntr, cycle, time and instret trap while mcycle and minstret stay") {
    Hart h(RvExtensions::all().remove(RvExt::Zicntr));
    for (unsigned n : {csr::kCycle, csr::kTime, csr::kInstret})
        for (Priv p : {U, S, M}) {
            INFO("0x" << std::hex << n << " priv " << p);
            CHECK_FALSE(h.run_at(p, csr_read_insn(n)));
        }
    CHECK(h.run_at(M, csr_read_insn(csr::kMcycle)));
    CHECK(h.run_at(M, csr_read_insn(csr::kMinstret)));
}

TEST_CASE("csr: with Zicntr, cycle, time and instret read the counters from every privilege") {
    Hart h;
    h.mem.time = 123456;
    for (Priv p : {U, S, M}) {
        INFO("priv " << p);
        REQUIRE(h.run_at(p, csr_read_insn(csr::kTime)));
        CHECK(h.core.x[1] == 123456);
        uint64_t before = h.core.instret;
        REQUIRE(h.run_at(p, csr_read_insn(csr::kInstret)));
        CHECK(h.core.x[1] == before + 1); // after the mret
        REQUIRE(h.run_at(p, csr_read_insn(csr::kCycle)));
        CHECK(h.core.x[1] >= before + 1);
    }
}

TEST_CASE("csr: without Zihpm the hpmcounters trap but the machine counters and events stay") {
    Hart h(RvExtensions::all().remove(RvExt::Zihpm));
    CHECK_FALSE(h.run_at(M, csr_read_insn(csr::kHpmcounter3)));
    CHECK_FALSE(h.run_at(M, csr_read_insn(csr::kHpmcounter3 + 28)));
    CHECK(h.run_at(M, csr_write_insn(csr::kMhpmcounter3)));
    CHECK(h.run_at(M, csr_write_insn(csr::kMhpmevent3 + 28)));
}

// ---- Smaia / Ssaia ---------------------------------------------------------

namespace {
// csrrwi x1, csr, imm: a write of a 5-bit value that also reads.
uint32_t csrrwi_insn(unsigned csr, unsigned imm) {
    return (csr << 20) | (imm << 15) | (5u << 12) | (1u << 7) | 0x73;
}
// csrrw x1, csr, x0: what Linux does to claim stopei.
uint32_t csrrw_zero_insn(unsigned csr) {
    return (csr << 20) | (1u << 12) | (1u << 7) | 0x73;
}
constexpr uint64_t topi(uint64_t iid, uint64_t prio) {
    return (iid << 16) | prio;
}
} // namespace

TEST_CASE("aia: miselect/mireg reach the iprio array and the M interrupt file", "[csr][aia]") {
    Hart h;
    h.mfile.regs[0x70] = 1;
    h.mfile.regs[0x84] = 0xf0;
    for (auto [sel, want] : {std::pair{0x70u, 1u}, {0x84u, 0xf0u}, {0x72u, 0u}, {0xfeu, 0u}}) {
        INFO("select 0x" << std::hex << sel);
        REQUIRE(h.core.csr_write(csr::kMiselect, sel));
        CHECK(h.run_at(M, csr_read_insn(csr::kMireg)));
        CHECK(h.core.x[1] == want);
    }
    REQUIRE(h.core.csr_write(csr::kMiselect, 0x72));
    CHECK(h.run_at(M, csrrwi_insn(csr::kMireg, 5)));
    CHECK(h.mfile.regs[0x72] == 5);
    // The iprio array: even selects read zero and ignore writes.
    for (unsigned sel = 0x30; sel <= 0x3e; sel += 2) {
        INFO("select 0x" << std::hex << sel);
        REQUIRE(h.core.csr_write(csr::kMiselect, sel));
        CHECK(h.run_at(M, csrrwi_insn(csr::kMireg, 31)));
        CHECK(h.run_at(M, csr_read_insn(csr::kMireg)));
        CHECK(h.core.x[1] == 0);
    }
    // Illegal: odd iprio selects (RV64), registers the file does not have
    // (odd eip/eie, holes), and selects outside the defined ranges.
    for (uint64_t sel : {0x31ull, 0x3full, 0x71ull, 0x81ull, 0xc1ull, 0xffull, 0x0ull, 0x2full,
                         0x40ull, 0x6full, 0x100ull, 0x170ull, ~0ull}) {
        INFO("select 0x" << std::hex << sel);
        REQUIRE(h.core.csr_write(csr::kMiselect, sel));
        CHECK(h.csr(csr::kMiselect) == sel); // WARL: it holds any value
        CHECK_FALSE(h.run_at(M, csr_read_insn(csr::kMireg)));
        CHECK_FALSE(h.run_at(M, csr_write_insn(csr::kMireg)));
    }
    // M only.
    REQUIRE(h.core.csr_write(csr::kMiselect, 0x70));
    CHECK_FALSE(h.run_at(S, csr_read_insn(csr::kMireg)));
    CHECK_FALSE(h.run_at(S, csr_read_insn(csr::kMiselect)));
    // Without an interrupt file, its selects are illegal; iprio stays.
    h.core.set_interrupt_files(nullptr, &h.sfile);
    CHECK_FALSE(h.run_at(M, csr_read_insn(csr::kMireg)));
    REQUIRE(h.core.csr_write(csr::kMiselect, 0x30));
    CHECK(h.run_at(M, csr_read_insn(csr::kMireg)));
}

TEST_CASE("aia: siselect/sireg reach the S interrupt file from S", "[csr][aia]") {
    Hart h;
    h.sfile.regs[0xc2] = 0xabc;
    REQUIRE(h.core.csr_write(csr::kSiselect, 0xc2));
    CHECK(h.run_at(S, csr_read_insn(csr::kSireg)));
    CHECK(h.core.x[1] == 0xabc);
    CHECK(h.run_at(M, csr_read_insn(csr::kSireg)));
    CHECK_FALSE(h.run_at(U, csr_read_insn(csr::kSireg)));
    CHECK_FALSE(h.run_at(U, csr_read_insn(csr::kSiselect)));
    REQUIRE(h.core.csr_write(csr::kSiselect, 0x70));
    CHECK(h.run_at(S, csrrwi_insn(csr::kSireg, 1)));
    CHECK(h.sfile.regs[0x70] == 1);
    CHECK(h.mfile.regs[0x70] == 0);
    REQUIRE(h.core.csr_write(csr::kSiselect, 0x3c));
    CHECK(h.run_at(S, csr_read_insn(csr::kSireg)));
    CHECK(h.core.x[1] == 0);
    for (uint64_t sel : {0x3dull, 0xc3ull, 0x50ull}) {
        REQUIRE(h.core.csr_write(csr::kSiselect, sel));
        CHECK_FALSE(h.run_at(S, csr_read_insn(csr::kSireg)));
    }
    h.core.set_interrupt_files(&h.mfile, nullptr);
    REQUIRE(h.core.csr_write(csr::kSiselect, 0x70));
    CHECK_FALSE(h.run_at(S, csr_read_insn(csr::kSireg)));
    CHECK_FALSE(h.run_at(S, csr_read_insn(csr::kStopei)));
}

TEST_CASE("aia: *topei reads the file's top identity, and a write claims it", "[csr][aia]") {
    Hart h;
    h.mfile.top = (5u << 16) | 5u;
    CHECK(h.run_at(M, csr_read_insn(csr::kMtopei))); // csrrs x1, mtopei, x0: read only
    CHECK(h.core.x[1] == ((5u << 16) | 5u));
    CHECK(h.mfile.claims == 0);
    CHECK(h.run_at(M, csrrw_zero_insn(csr::kMtopei)));
    CHECK(h.core.x[1] == ((5u << 16) | 5u)); // the value before the claim
    CHECK(h.mfile.claims == 1);
    CHECK(h.mfile.top == 0);
    CHECK(h.run_at(M, csr_write_insn(csr::kMtopei))); // csrrs with rs1 != x0 writes too
    CHECK(h.mfile.claims == 2);
    CHECK_FALSE(h.run_at(S, csr_read_insn(csr::kMtopei)));

    h.sfile.top = (9u << 16) | 9u;
    CHECK(h.run_at(S, csrrw_zero_insn(csr::kStopei)));
    CHECK(h.core.x[1] == ((9u << 16) | 9u));
    CHECK(h.sfile.claims == 1);
    CHECK(h.mfile.claims == 2);
    CHECK_FALSE(h.run_at(U, csr_read_insn(csr::kStopei)));

    h.core.set_interrupt_files(nullptr, nullptr);
    CHECK_FALSE(h.run_at(M, csr_read_insn(csr::kMtopei)));
    CHECK_FALSE(h.run_at(M, csrrw_zero_insn(csr::kMtopei)));
    CHECK_FALSE(h.run_at(S, csr_read_insn(csr::kStopei)));
    // The debugger's access (no access conditions) sees 0 and claims nothing.
    uint64_t v = 1;
    CHECK(h.core.csr_read(csr::kMtopei, v));
    CHECK(v == 0);
    CHECK(h.core.csr_write(csr::kStopei, 0));
}

TEST_CASE("aia: mtopi shows M-level interrupts, stopi delegated ones, in default order",
          "[csr][aia]") {
    Hart h;
    auto mtopi = [&] { return h.csr(csr::kMtopi); };
    auto stopi = [&] { return h.csr(csr::kStopi); };
    const uint64_t all =
        (1u << kMei) | (1u << kMsi) | (1u << kMti) | (1u << kSei) | (1u << kSsi) | (1u << kSti);
    REQUIRE(h.core.csr_write(csr::kMstatus, 0)); // MIE/SIE do not matter
    CHECK(mtopi() == 0);
    CHECK(stopi() == 0);
    h.core.set_external_pending(1u << kMti);
    CHECK(mtopi() == 0); // not enabled
    REQUIRE(h.core.csr_write(csr::kMie, all));
    CHECK(mtopi() == topi(kMti, 255));
    h.core.set_external_pending((1u << kMti) | (1u << kMsi));
    CHECK(mtopi() == topi(kMsi, 255));
    // MEI: the priority its interrupt file reports (1..255), or 255.
    h.core.set_external_pending((1u << kMti) | (1u << kMsi) | (1u << kMei));
    h.mfile.top = (20u << 16) | 20u;
    CHECK(mtopi() == topi(kMei, 20));
    h.mfile.top = (300u << 16) | 300u;
    CHECK(mtopi() == topi(kMei, 255));
    h.core.set_interrupt_files(nullptr, &h.sfile);
    CHECK(mtopi() == topi(kMei, 255));
    REQUIRE(h.core.csr_write(csr::kMie, all & ~(1u << kMei)));
    CHECK(mtopi() == topi(kMsi, 255));
    REQUIRE(h.core.csr_write(csr::kMie, all));
    // S-level interrupts: at M level until delegated.
    h.core.set_external_pending(1u << kSei);
    REQUIRE(h.core.csr_write(csr::kMip, (1u << kSsi) | (1u << kSti)));
    CHECK(mtopi() == topi(kSei, 255));
    CHECK(stopi() == 0);
    REQUIRE(h.core.csr_write(csr::kMideleg, (1u << kSsi) | (1u << kSti)));
    CHECK(mtopi() == topi(kSei, 255));
    CHECK(stopi() == topi(kSsi, 255));
    REQUIRE(h.core.csr_write(csr::kMideleg, (1u << kSei) | (1u << kSsi) | (1u << kSti)));
    CHECK(mtopi() == 0);
    h.sfile.top = (7u << 16) | 7u;
    CHECK(stopi() == topi(kSei, 7));
    h.sfile.top = 0; // SEIP without an identity from the file: 256 -> 255
    CHECK(stopi() == topi(kSei, 255));
    REQUIRE(h.core.csr_write(csr::kSie, 1u << kSti));
    CHECK(stopi() == topi(kSti, 255));
    // An M-level interrupt does not show in stopi.
    h.core.set_external_pending((1u << kSei) | (1u << kMti));
    CHECK(mtopi() == topi(kMti, 255));
    CHECK(stopi() == topi(kSti, 255));
    // From the instructions: mtopi is M-only, stopi S and up, both
    // read-only. (Nothing pending at M level, so that no interrupt is
    // taken; the delegated STI is not taken in S with SIE clear.)
    h.core.set_external_pending(0);
    CHECK(h.run_at(M, csr_read_insn(csr::kMtopi)));
    CHECK(h.core.x[1] == 0);
    CHECK_FALSE(h.run_at(S, csr_read_insn(csr::kMtopi)));
    // (run_at turns on Sstc's STCE, which drives STIP: use SSIP.)
    REQUIRE(h.core.csr_write(csr::kMip, 1u << kSsi));
    REQUIRE(h.core.csr_write(csr::kSie, 1u << kSsi));
    CHECK(h.run_at(S, csr_read_insn(csr::kStopi)));
    CHECK(h.core.x[1] == topi(kSsi, 255));
    REQUIRE(h.core.csr_write(csr::kMip, 0));
    CHECK_FALSE(h.run_at(U, csr_read_insn(csr::kStopi)));
    CHECK_FALSE(h.run_at(M, csr_write_insn(csr::kStopi)));
}

TEST_CASE("aia: mvien is zero, mvip aliases mip's SSIP, STIP and software SEIP", "[csr][aia]") {
    Hart h;
    REQUIRE(h.core.csr_write(csr::kMvien, ~uint64_t{0}));
    CHECK(h.csr(csr::kMvien) == 0);
    const uint64_t aliases = (1u << kSsi) | (1u << kSti) | (1u << kSei);
    REQUIRE(h.core.csr_write(csr::kMvip, ~uint64_t{0}));
    CHECK(h.csr(csr::kMvip) == aliases);
    CHECK((h.csr(csr::kMip) & aliases) == aliases);
    REQUIRE(h.core.csr_write(csr::kMip, 1u << kSsi));
    CHECK(h.csr(csr::kMvip) == (1u << kSsi));
    // The SEIP pin shows in mip, not in mvip (the software-writable bit).
    h.core.set_external_pending(1u << kSei);
    REQUIRE(h.core.csr_write(csr::kMvip, 0));
    CHECK(h.csr(csr::kMvip) == 0);
    CHECK((h.csr(csr::kMip) & aliases) == (1u << kSei));
    // With Sstc's STCE, STIP is not writable in mip: mvip bit 5 reads zero.
    REQUIRE(h.core.csr_write(csr::kMenvcfg, menvcfg::kStce));
    REQUIRE(h.core.csr_write(csr::kMvip, 1u << kSti));
    CHECK(h.csr(csr::kMvip) == 0);
    CHECK(h.run_at(M, csr_read_insn(csr::kMvip)));
    CHECK_FALSE(h.run_at(S, csr_read_insn(csr::kMvien)));
}
