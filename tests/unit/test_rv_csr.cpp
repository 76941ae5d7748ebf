// The CSR table (models/cpu/rv_csr): every CSR the hart has, checked through
// the instructions software uses, for its privilege, its extension, its
// access conditions and whether it may be written.
#include "models/cpu/rv_core.h"

#include <catch2/catch.hpp>
#include <cstring>
#include <set>
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

// The access conditions: all on, all off, or all on but scounteren.
enum class Enables { On, Off, NotScounteren };

struct Hart {
    FlatMemory mem;
    ReservationSet resv;
    RvCore core;
    explicit Hart(RvExtensions isa = RvExtensions::all()) : core(config(isa), mem, resv) {}
    static CoreConfig config(RvExtensions isa) {
        CoreConfig c;
        c.isa = isa;
        c.reset_pc = kBase;
        return c;
    }
    void put(uint64_t at, uint32_t insn) { std::memcpy(&mem.ram[at - kBase], &insn, 4); }

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
    CHECK(gating == std::set<RvExt>{RvExt::F, RvExt::Zicntr, RvExt::Zihpm, RvExt::Sstc});
}

TEST_CASE("csr table: access conditions (counter enables, FS, STCE, TVM) trap when off") {
    Hart h;
    unsigned conditional = 0;
    for (const CsrSpec& s : csr_specs())
        for (unsigned n : numbers_of(s)) {
            INFO(s.name << " 0x" << std::hex << n);
            CHECK(h.run_at(s.priv, csr_read_insn(n), Enables::Off) == !s.allowed);
            conditional += s.allowed != nullptr;
        }
    // fflags, frm, fcsr, cycle, time, instret, hpmcounter3-31, stimecmp, satp
    CHECK(conditional == 3 + 3 + 29 + 2);
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
