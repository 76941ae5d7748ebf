// Sdtrig (models/cpu/rv_trigger): the trigger CSRs' WARL behaviour, and
// execute, load and store triggers firing in the core before the
// instruction or access, only in the modes they select.
#include "models/cpu/rv_core.h"
#include "models/cpu/rv_trigger.h"

#include <catch2/catch.hpp>
#include <cstring>
#include <vector>

using namespace nvsoc::rv;

namespace {

constexpr uint64_t kBase = 0x80000000;
constexpr uint64_t kHandler = kBase + 0x800;
constexpr uint64_t kData = kBase + 0x2000;

constexpr uint64_t kType6 = 6ull << 60, kType2 = 2ull << 60, kType15 = 15ull << 60;
constexpr uint64_t kHit0 = 1ull << 22, kHit = 1ull << 20;
constexpr uint64_t kM = 1 << 6, kS = 1 << 4, kU = 1 << 3;
constexpr uint64_t kX = 4, kSt = 2, kLd = 1;
constexpr uint64_t match(unsigned m) {
    return uint64_t{m} << 7;
}

struct FlatMemory : MemoryPort {
    std::vector<uint8_t> ram = std::vector<uint8_t>(64 * 1024, 0);
    uint8_t* direct_page(uint64_t paddr, bool) override {
        if (paddr < kBase || paddr - kBase >= ram.size()) return nullptr;
        return ram.data() + ((paddr - kBase) & ~uint64_t{0xfff});
    }
    bool read(uint64_t, void*, unsigned) override { return false; }
    bool write(uint64_t, const void*, unsigned) override { return false; }
    uint64_t mtime() override { return 0; }
};

uint32_t addi(unsigned rd, unsigned rs1, int imm) {
    return (static_cast<uint32_t>(imm) << 20) | (rs1 << 15) | (rd << 7) | 0x13;
}
uint32_t ld(unsigned rd, unsigned rs1) {
    return (rs1 << 15) | (3u << 12) | (rd << 7) | 0x03;
}
uint32_t sd(unsigned rs2, unsigned rs1) {
    return (rs2 << 20) | (rs1 << 15) | (3u << 12) | 0x23;
}
uint32_t fld(unsigned rd, unsigned rs1) {
    return (rs1 << 15) | (3u << 12) | (rd << 7) | 0x07;
}
uint32_t amoadd_d(unsigned rd, unsigned rs2, unsigned rs1) {
    return (rs2 << 20) | (rs1 << 15) | (3u << 12) | (rd << 7) | 0x2f;
}
constexpr uint16_t kCldX9X8 = (3u << 13) | (0u << 7) | (1u << 2); // c.ld x9, 0(x8)
constexpr uint32_t kMret = 0x30200073;
constexpr uint32_t kLoop = 0x0000006f; // jal x0, 0

struct Bench {
    FlatMemory mem;
    ReservationSet resv;
    RvCore core;
    Bench() : core(config(), mem, resv) {
        REQUIRE(core.csr_write(csr::kMtvec, kHandler));
        REQUIRE(core.csr_write(csr::kPmpaddr0, ~uint64_t{0} >> 10));
        REQUIRE(core.csr_write(csr::kPmpcfg0, 0x1f));
        put32(kHandler, kLoop);
        set_mstatus(mstatus::kMie | to_field(mstatus::kFs, 1));
    }
    static CoreConfig config() {
        CoreConfig c;
        c.reset_pc = kBase;
        return c;
    }
    void put32(uint64_t at, uint32_t insn) { std::memcpy(&mem.ram[at - kBase], &insn, 4); }
    void put16(uint64_t at, uint16_t insn) { std::memcpy(&mem.ram[at - kBase], &insn, 2); }
    uint64_t& data(unsigned i) {
        return *reinterpret_cast<uint64_t*>(&mem.ram[kData - kBase + 8 * i]);
    }
    uint64_t csr(unsigned n) {
        uint64_t v = 0;
        REQUIRE(core.csr_read(n, v));
        return v;
    }
    // mstatus as run_from() starts with: mret restores MIE from MPIE.
    void set_mstatus(uint64_t bits) {
        REQUIRE(core.csr_write(csr::kMstatus, bits));
        m_ie = (bits & mstatus::kMie) != 0;
    }
    bool m_ie = true;
    void arm(unsigned index, uint64_t tdata1, uint64_t tdata2) {
        REQUIRE(core.csr_write(csr::kTselect, index));
        REQUIRE(core.csr_write(csr::kTdata1, 0));
        REQUIRE(core.csr_write(csr::kTdata2, tdata2));
        REQUIRE(core.csr_write(csr::kTdata1, tdata1));
        REQUIRE(csr(csr::kTdata1) == tdata1);
    }
    // Runs from `pc` at privilege `p` (reached through an mret at kBase) for
    // up to `budget` steps (decoded blocks included); a trap ends in the
    // handler's loop.
    void run_from(uint64_t pc, Priv p = M, uint64_t budget = 64) {
        if (core.priv != M) { // back to M through an ecall (not delegated)
            core.pc = kBase + 0x404;
            put32(core.pc, 0x00000073);
            core.step();
            REQUIRE(core.priv == M);
        }
        core.pc = kBase + 0x400;
        put32(core.pc, kMret);
        REQUIRE(core.csr_write(csr::kMepc, pc));
        uint64_t ms = csr(csr::kMstatus);
        ms = field_set(ms, mstatus::kMpie, m_ie);
        REQUIRE(core.csr_write(csr::kMstatus, field_set(ms, mstatus::kMpp, p)));
        core.step();
        REQUIRE(core.priv == p);
        core.run(budget);
    }
    bool trapped_at(uint64_t epc, uint64_t tval) {
        CHECK(core.pc == kHandler);
        CHECK(csr(csr::kMcause) == kBreakpoint);
        CHECK(csr(csr::kMepc) == epc);
        CHECK(csr(csr::kMtval) == tval);
        return core.pc == kHandler && csr(csr::kMcause) == kBreakpoint && csr(csr::kMepc) == epc &&
               csr(csr::kMtval) == tval;
    }
};

// Straight-line code at kBase + 0x100: x5 += 1 four times, then the loop.
constexpr uint64_t kCode = kBase + 0x100;
void put_adds(Bench& b) {
    for (unsigned i = 0; i < 4; ++i)
        b.put32(kCode + 4 * i, addi(5, 5, 1));
    b.put32(kCode + 16, kLoop);
}

} // namespace

TEST_CASE("trigger CSRs: tselect, tdata1-3 and tinfo are WARL", "[csr][trigger]") {
    Bench b;
    CHECK(b.csr(csr::kTselect) == 0);
    for (unsigned i = 0; i < TriggerModule::kCount; ++i) {
        REQUIRE(b.core.csr_write(csr::kTselect, i));
        CHECK(b.csr(csr::kTselect) == i);
        CHECK(b.csr(csr::kTdata1) == kType15); // reset: disabled
        CHECK(b.csr(csr::kTinfo) == ((1u << 24) | (1u << 2) | (1u << 6) | (1u << 15)));
    }
    // Past the last trigger: the selection stays valid.
    REQUIRE(b.core.csr_write(csr::kTselect, 1));
    REQUIRE(b.core.csr_write(csr::kTselect, TriggerModule::kCount));
    CHECK(b.csr(csr::kTselect) == 1);
    REQUIRE(b.core.csr_write(csr::kTselect, ~uint64_t{0}));
    CHECK(b.csr(csr::kTselect) == 1);

    // Everything implemented reads back as written.
    for (uint64_t v : {kType6 | kM | kS | kU | kX | kSt | kLd | match(2),
                       kType6 | kHit0 | kU | kLd | match(9), kType6 | kM | kX | match(1),
                       kType6 | kS | kSt | match(3), kType6 | kM | kLd | match(8)}) {
        REQUIRE(b.core.csr_write(csr::kTdata1, v));
        CHECK(b.csr(csr::kTdata1) == v);
    }
    // mcontrol: the same, but without NAPOT matches (maskmax reads 0).
    for (uint64_t v : {kType2 | kHit | kM | kX, kType2 | kS | kU | kLd | kSt | match(3),
                       kType2 | kM | kLd | match(8)}) {
        REQUIRE(b.core.csr_write(csr::kTdata1, v));
        CHECK(b.csr(csr::kTdata1) == v);
    }
    for (unsigned m : {1u, 9u}) {
        REQUIRE(b.core.csr_write(csr::kTdata1, kType2 | kM | kLd | match(m)));
        CHECK(b.csr(csr::kTdata1) == (kType2 | kM | kLd));
    }
    // Unimplemented fields read zero: dmode, uncertain, hit1, vs, vu, select,
    // size, action, chain, uncertainen; an unsupported match reads 0.
    uint64_t extras = (1ull << 59) | (1ull << 26) | (1ull << 25) | (1ull << 24) | (1ull << 23) |
                      (1ull << 21) | (5ull << 16) | (1ull << 12) | (1ull << 11) | (1ull << 5);
    REQUIRE(b.core.csr_write(csr::kTdata1, kType6 | extras | kM | kLd | match(4)));
    CHECK(b.csr(csr::kTdata1) == (kType6 | kM | kLd));
    REQUIRE(b.core.csr_write(csr::kTdata1, kType2 | (1ull << 19) | (1ull << 18) | kS | kSt));
    CHECK(b.csr(csr::kTdata1) == (kType2 | kS | kSt));
    // Writing 0, or a type it does not implement, disables the trigger.
    for (uint64_t type : {0ull, 1ull, 3ull, 4ull, 5ull, 7ull, 12ull, 15ull}) {
        REQUIRE(b.core.csr_write(csr::kTdata1, kType6 | kM | kX));
        REQUIRE(b.core.csr_write(csr::kTdata1, (type << 60) | kM | kX));
        CHECK(b.csr(csr::kTdata1) == kType15);
    }
    // tdata2 holds any value, also while disabled; tdata3 is zero.
    REQUIRE(b.core.csr_write(csr::kTdata2, 0x123456789abcdef0));
    CHECK(b.csr(csr::kTdata2) == 0x123456789abcdef0);
    REQUIRE(b.core.csr_write(csr::kTdata3, ~uint64_t{0}));
    CHECK(b.csr(csr::kTdata3) == 0);
    // Each trigger has its own registers.
    REQUIRE(b.core.csr_write(csr::kTselect, 0));
    CHECK(b.csr(csr::kTdata2) == 0);
    // tinfo ignores writes.
    REQUIRE(b.core.csr_write(csr::kTinfo, 0));
    CHECK(b.csr(csr::kTinfo) != 0);
    // Without Sdtrig the CSRs do not exist.
    FlatMemory mem;
    ReservationSet resv;
    CoreConfig c = Bench::config();
    c.isa.remove(RvExt::Sdtrig);
    RvCore bare(c, mem, resv);
    uint64_t v;
    CHECK_FALSE(bare.csr_read(csr::kTselect, v));
    CHECK_FALSE(bare.csr_write(csr::kTdata1, 0));
}

TEST_CASE("trigger: execute fires before the instruction, also inside a decoded block",
          "[trigger]") {
    Bench b;
    put_adds(b);
    // Unarmed, the code runs in decoded blocks; that must not hide the
    // trigger once armed.
    b.run_from(kCode);
    CHECK(b.core.x[5] == 4);
    b.core.x[5] = 0;
    b.arm(0, kType6 | kM | kX, kCode + 8);
    b.run_from(kCode);
    CHECK(b.trapped_at(kCode + 8, kCode + 8));
    CHECK(b.core.x[5] == 2); // the third add did not run
    CHECK((b.csr(csr::kTdata1) & kHit0) != 0);
    CHECK((b.csr(csr::kMstatus) & mstatus::kMpp) == mstatus::kMpp);
    // Type 2 works the same, with its own hit bit.
    b.arm(1, kType2 | kM | kX, kCode + 4);
    b.core.x[5] = 0;
    b.run_from(kCode);
    CHECK(b.trapped_at(kCode + 4, kCode + 4));
    CHECK(b.core.x[5] == 1);
    CHECK((b.csr(csr::kTdata1) & kHit) != 0);
    // Disarmed, nothing fires and the code runs through.
    REQUIRE(b.core.csr_write(csr::kTselect, 0));
    REQUIRE(b.core.csr_write(csr::kTdata1, 0));
    REQUIRE(b.core.csr_write(csr::kTselect, 1));
    REQUIRE(b.core.csr_write(csr::kTdata1, 0));
    b.core.x[5] = 0;
    b.run_from(kCode);
    CHECK(b.core.x[5] == 4);
    CHECK(b.core.pc == kCode + 16);
}

TEST_CASE("trigger: in M-mode, action-0 triggers do not fire while mstatus.MIE is clear",
          "[trigger]") {
    Bench b;
    put_adds(b);
    b.arm(0, kType6 | kM | kX, kCode + 4);
    b.set_mstatus(0);
    b.run_from(kCode);
    CHECK(b.core.x[5] == 4);
    b.set_mstatus(mstatus::kMie);
    b.core.x[5] = 0;
    b.run_from(kCode);
    CHECK(b.trapped_at(kCode + 4, kCode + 4));
}

TEST_CASE("trigger: loads and stores fire before the access", "[trigger]") {
    Bench b;
    b.core.x[8] = kData + 8;
    b.core.x[7] = 0x77;
    b.core.x[9] = 0x99;
    b.data(1) = 0x1111;
    b.put32(kCode, ld(7, 8));
    b.put32(kCode + 4, sd(9, 8));
    b.put32(kCode + 8, kLoop);

    SECTION("a load trigger: rd keeps its value; stores do not fire it") {
        b.arm(0, kType6 | kM | kLd, kData + 8);
        b.run_from(kCode);
        CHECK(b.trapped_at(kCode, kData + 8));
        CHECK(b.core.x[7] == 0x77);
        b.run_from(kCode + 4);
        CHECK(b.core.pc == kCode + 8);
        CHECK(b.data(1) == 0x99);
    }
    SECTION("a store trigger: memory keeps its value; loads do not fire it") {
        b.arm(0, kType6 | kM | kSt, kData + 8);
        b.run_from(kCode);
        CHECK(b.trapped_at(kCode + 4, kData + 8));
        CHECK(b.core.x[7] == 0x1111);
        CHECK(b.data(1) == 0x1111);
    }
    SECTION("any byte of the access matches; tval is the byte that matched") {
        b.arm(0, kType6 | kM | kLd, kData + 13);
        b.run_from(kCode);
        CHECK(b.trapped_at(kCode, kData + 13));
        b.arm(0, kType6 | kM | kLd, kData + 16); // just past the doubleword
        b.run_from(kCode);
        CHECK(b.core.pc == kCode + 8);
    }
    SECTION("AMOs are loads and stores; FP and compressed loads are loads") {
        b.put32(kCode, amoadd_d(7, 9, 8));
        b.arm(0, kType6 | kM | kSt, kData + 8);
        b.run_from(kCode);
        CHECK(b.trapped_at(kCode, kData + 8));
        CHECK(b.data(1) == 0x1111);
        b.arm(0, kType6 | kM | kLd, kData + 8);
        b.put32(kCode, fld(1, 8));
        b.run_from(kCode);
        CHECK(b.trapped_at(kCode, kData + 8));
        b.put16(kCode, kCldX9X8);
        b.put16(kCode + 2, 0x0001); // c.nop
        b.run_from(kCode);
        CHECK(b.trapped_at(kCode, kData + 8));
        CHECK(b.core.x[9] == 0x99);
    }
    SECTION("ranges: ge, lt, napot and their complements") {
        struct Case {
            uint64_t tdata1, tdata2;
            bool fires;
            uint64_t tval;
        } cases[] = {
            {kType6 | kM | kLd | match(2), kData + 12, true, kData + 12},
            {kType6 | kM | kLd | match(2), kData + 16, false, 0},
            {kType6 | kM | kLd | match(3), kData + 9, true, kData + 8},
            {kType6 | kM | kLd | match(3), kData + 8, false, 0},
            {kType6 | kM | kLd | match(1), kData + 0x3f, true, kData + 8},  // 64 bytes
            {kType6 | kM | kLd | match(1), kData + 0x13, false, 0},         // 16..23
            {kType6 | kM | kLd | match(1), kData + 0x0d, true, kData + 12}, // 12..15
            {kType6 | kM | kLd | match(8), kData + 15, false, 0},
            {kType6 | kM | kLd | match(8), kData + 16, true, kData + 8},
            {kType6 | kM | kLd | match(9), kData + 0x0b, false, 0},
            {kType6 | kM | kLd | match(9), kData + 0x13, true, kData + 8},
        };
        for (const Case& c : cases) {
            INFO("tdata1 0x" << std::hex << c.tdata1 << " tdata2 0x" << c.tdata2);
            b.arm(0, c.tdata1, c.tdata2);
            b.run_from(kCode, M, 1);
            if (c.fires)
                CHECK(b.trapped_at(kCode, c.tval));
            else
                CHECK(b.core.pc == kCode + 4);
        }
    }
}

TEST_CASE("trigger: m, s and u select the modes a trigger fires in", "[trigger]") {
    Bench b;
    put_adds(b);
    SECTION("u only: fires in U (to M), not in S or M") {
        b.arm(0, kType6 | kU | kX, kCode + 4);
        b.run_from(kCode, U);
        CHECK(b.trapped_at(kCode + 4, kCode + 4));
        CHECK(field_get(b.csr(csr::kMstatus), mstatus::kMpp) == U);
        b.run_from(kCode, S);
        CHECK(b.core.pc == kCode + 16);
        b.run_from(kCode, M);
        CHECK(b.core.pc == kCode + 16);
    }
    SECTION("s only: fires in S, also with SIE clear while breakpoints go to M") {
        b.arm(0, kType6 | kS | kX, kCode + 4);
        b.run_from(kCode, U);
        CHECK(b.core.pc == kCode + 16);
        b.run_from(kCode, S);
        CHECK(b.trapped_at(kCode + 4, kCode + 4));
    }
    SECTION("delegated breakpoints go to S; S-mode triggers then need sstatus.SIE") {
        REQUIRE(b.core.csr_write(csr::kMedeleg, 1u << kBreakpoint));
        REQUIRE(b.core.csr_write(csr::kStvec, kHandler + 0x40));
        b.put32(kHandler + 0x40, kLoop);
        b.arm(0, kType6 | kS | kU | kX, kCode + 4);
        b.run_from(kCode, U);
        CHECK(b.core.pc == kHandler + 0x40);
        CHECK(b.core.priv == S);
        CHECK(b.csr(csr::kScause) == kBreakpoint);
        CHECK(b.csr(csr::kSepc) == kCode + 4);
        CHECK(b.csr(csr::kStval) == kCode + 4);
        b.set_mstatus(mstatus::kMie); // SIE clear
        b.run_from(kCode, S);
        CHECK(b.core.pc == kCode + 16);
        b.set_mstatus(mstatus::kMie | mstatus::kSie);
        b.run_from(kCode, S);
        CHECK(b.core.pc == kHandler + 0x40);
        CHECK(b.csr(csr::kSepc) == kCode + 4);
    }
}

TEST_CASE("trigger: type-2 configurations read back exactly, as riscv-tests' breakpoint test "
          "checks before relying on them",
          "[trigger]") {
    Bench b;
    // That test writes tcontrol.MTE under a temporary mtvec, since the
    // register is optional: this hart has none (it uses the MIE rule).
    unsigned index;
    CHECK(find_csr(0x7a5, index) == nullptr);
    for (uint64_t kind : {kX, kLd, kSt}) {
        REQUIRE(b.core.csr_write(csr::kTselect, 0));
        REQUIRE(b.core.csr_write(csr::kTdata1, kType2 | kM | kind));
        CHECK(b.csr(csr::kTdata1) == (kType2 | kM | kind));
    }
    REQUIRE(b.core.csr_write(csr::kTselect, 1));
    CHECK(b.csr(csr::kTselect) == 1);
    // Two triggers at once: a store trigger and a load trigger.
    b.arm(0, kType2 | kM | kSt, kData + 8);
    b.arm(1, kType2 | kM | kLd, kData + 16);
    b.put32(kCode, ld(7, 8));
    b.put32(kCode + 4, sd(9, 8));
    b.put32(kCode + 8, kLoop);
    b.core.x[8] = kData + 16;
    b.run_from(kCode);
    CHECK(b.trapped_at(kCode, kData + 16));
    b.core.x[8] = kData + 8;
    b.core.x[9] = 5;
    b.run_from(kCode + 4);
    CHECK(b.trapped_at(kCode + 4, kData + 8));
    CHECK(b.data(1) == 0);
}
