// The ISA core on its own, without SystemC: a flat RAM behind MemoryPort,
// instruction words written by hand, one step at a time.
#include "models/cpu/rv_core.h"
#include "models/cpu/rv_ops.h"

#include <catch2/catch.hpp>
#include <vector>

using namespace nvsoc::rv;

namespace {

constexpr uint64_t kBase = 0x80000000;

struct FlatMemory : MemoryPort {
    std::vector<uint8_t> ram = std::vector<uint8_t>(1 << 20, 0);
    std::vector<uint64_t> mmio_writes;
    uint64_t time = 0;
    uint8_t* direct_page(uint64_t paddr, bool) override {
        if (paddr < kBase || paddr - kBase >= ram.size()) return nullptr;
        return ram.data() + ((paddr - kBase) & ~uint64_t{0xfff});
    }
    bool read(uint64_t paddr, void* data, unsigned len) override {
        if (paddr != 0x10000000) return false; // one MMIO register
        std::memset(data, 0x5a, len);
        return true;
    }
    bool write(uint64_t paddr, const void*, unsigned) override {
        if (paddr != 0x10000000) return false;
        mmio_writes.push_back(paddr);
        return true;
    }
    uint64_t mtime() override { return time; }
};

struct Bench {
    FlatMemory mem;
    ReservationSet resv;
    RvCore core;
    uint64_t at = kBase;
    explicit Bench(RvExtensions isa = RvExtensions::all()) : core(config(isa), mem, resv) {
        core.pc = kBase;
    }
    static CoreConfig config(RvExtensions isa = RvExtensions::all()) {
        CoreConfig c;
        c.isa = isa;
        c.reset_pc = kBase;
        return c;
    }
    void put32(uint32_t insn) {
        std::memcpy(&mem.ram[at - kBase], &insn, 4);
        at += 4;
    }
    void put16(uint16_t insn) {
        std::memcpy(&mem.ram[at - kBase], &insn, 2);
        at += 2;
    }
    // S and U may touch nothing until a PMP entry allows it (as firmware
    // sets up): one NAPOT entry over all of memory, RWX.
    void allow_all_pmp() {
        REQUIRE(core.csr_write(0x3b0, ~uint64_t{0} >> 10)); // pmpaddr0
        REQUIRE(core.csr_write(0x3a0, 0x1f));               // pmpcfg0: NAPOT, RWX
    }
    uint64_t csr(unsigned n) {
        uint64_t v = 0;
        REQUIRE(core.csr_read(n, v));
        return v;
    }
};

} // namespace

TEST_CASE("core: integer ALU, W-ops and sign extension") {
    Bench b;
    b.put32(0xfff00093); // addi x1, x0, -1
    b.put32(0x0010d113); // srli x2, x1, 1
    b.put32(0x4010d193); // srai x3, x1, 1
    b.put32(0x0000821b); // addiw x4, x1, 0    (x4 = sext(0xffffffff) = -1)
    b.put32(0x800002b7); // lui x5, 0x80000    (sign-extended)
    b.put32(0x0052833b); // addw x6, x5, x5    (0x80000000 * 2 wraps to 0)
    for (int i = 0; i < 6; ++i)
        b.core.step();
    CHECK(b.core.x[1] == ~uint64_t{0});
    CHECK(b.core.x[2] == 0x7fffffffffffffff);
    CHECK(b.core.x[3] == ~uint64_t{0});
    CHECK(b.core.x[4] == ~uint64_t{0});
    CHECK(b.core.x[5] == 0xffffffff80000000);
    CHECK(b.core.x[6] == 0);
    CHECK(b.core.pc == kBase + 24);
    CHECK(b.core.instret == 6);
}

TEST_CASE("core: M extension corner cases") {
    Bench b;
    b.core.x[1] = 0x8000000000000000;
    b.core.x[2] = ~uint64_t{0}; // -1
    b.put32(0x0220c1b3);        // div x3, x1, x2   overflow -> x1
    b.put32(0x0220e233);        // rem x4, x1, x2   overflow -> 0
    b.put32(0x0200c2b3);        // div x5, x1, x0   by zero -> -1
    b.put32(0x0200e333);        // rem x6, x1, x0   by zero -> dividend
    b.put32(0x022093b3);        // mulh x7, x1, x2  = 0 (high half of 2^63)
    for (int i = 0; i < 5; ++i)
        b.core.step();
    CHECK(b.core.x[3] == 0x8000000000000000);
    CHECK(b.core.x[4] == 0);
    CHECK(b.core.x[5] == ~uint64_t{0});
    CHECK(b.core.x[6] == 0x8000000000000000);
    CHECK(b.core.x[7] == 0);
}

TEST_CASE("core: compressed instructions do what their expansions do") {
    Bench b;
    b.put16(0x4505); // c.li a0, 1
    b.put16(0x0505); // c.addi a0, 1
    b.put16(0x050a); // c.slli a0, 2
    b.put16(0x85aa); // c.mv a1, a0
    b.put16(0x95aa); // c.add a1, a0
    b.put16(0x2585); // c.addiw a1, 1
    for (int i = 0; i < 6; ++i)
        b.core.step();
    CHECK(b.core.x[10] == 8);
    CHECK(b.core.x[11] == 17);
    CHECK(b.core.pc == kBase + 12);
}

TEST_CASE("core: loads, stores and misaligned accesses inside RAM") {
    Bench b;
    b.core.x[1] = kBase + 0x1001; // misaligned
    b.core.x[2] = 0x1122334455667788;
    b.put32(0x0020b023); // sd x2, 0(x1)
    b.put32(0x0000b183); // ld x3, 0(x1)
    b.put32(0x00008203); // lb x4, 0(x1)   (0x88 sign-extends)
    for (int i = 0; i < 3; ++i)
        b.core.step();
    CHECK(b.core.x[3] == 0x1122334455667788);
    CHECK(b.core.x[4] == 0xffffffffffffff88);
}

TEST_CASE("core: illegal instruction and bus errors trap with the right cause and tval") {
    Bench b;
    b.core.csr_write(0x305, kBase + 0x800); // mtvec
    b.put32(0xffffffff);                    // illegal
    b.core.step();
    CHECK(b.core.pc == kBase + 0x800);
    CHECK(b.csr(0x342) == kIllegalInsn);
    CHECK(b.csr(0x343) == 0xffffffff);
    CHECK(b.csr(0x341) == kBase);
    // A load from an address nothing answers: load access fault, tval = address.
    b.core.pc = kBase + 0x100;
    b.at = kBase + 0x100;
    b.core.x[1] = 0x20000000;
    b.put32(0x0000b103); // ld x2, 0(x1)
    b.core.step();
    CHECK(b.csr(0x342) == kLoadAccessFault);
    CHECK(b.csr(0x343) == 0x20000000);
    CHECK(b.core.instret == 0); // neither instruction retired
}

TEST_CASE("core: ecall delegation and mret/sret privilege changes") {
    Bench b;
    b.core.csr_write(0x305, kBase + 0x800); // mtvec
    b.core.csr_write(0x105, kBase + 0x900); // stvec
    b.allow_all_pmp();
    b.core.csr_write(0x302, 1u << kEcallU); // medeleg: U ecalls to S
    b.core.csr_write(0x341, kBase + 0x100); // mepc
    b.core.csr_write(0x300, 0);             // MPP = U
    b.put32(0x30200073);                    // mret
    b.at = kBase + 0x100;
    b.put32(0x00000073); // ecall (from U)
    b.core.step();
    CHECK(b.core.priv == U);
    CHECK(b.core.pc == kBase + 0x100);
    b.core.step();
    CHECK(b.core.priv == S);
    CHECK(b.core.pc == kBase + 0x900);
    CHECK(b.csr(0x142) == kEcallU);
    CHECK(b.csr(0x141) == kBase + 0x100);
    CHECK((b.csr(0x100) & (1u << 8)) == 0); // SPP = U
}

TEST_CASE("core: without a PMP entry, S and U may not fetch") {
    Bench b;
    b.core.csr_write(0x305, kBase + 0x800);
    b.core.csr_write(0x341, kBase + 0x100); // mepc
    b.core.csr_write(0x300, 1ull << 11);    // MPP = S
    b.put32(0x30200073);                    // mret
    b.core.step();
    b.core.step(); // the fetch at kBase + 0x100 in S-mode
    CHECK(b.core.priv == M);
    CHECK(b.csr(0x342) == kInsnAccessFault);
    CHECK(b.csr(0x343) == kBase + 0x100);
}

TEST_CASE("core: an interrupt is taken only when enabled, with mcause's interrupt bit") {
    Bench b;
    b.core.csr_write(0x305, kBase + 0x800);
    for (int i = 0; i < 4; ++i)
        b.put32(0x00000013); // nops
    b.core.set_external_pending(1u << kMti);
    b.core.step();
    CHECK(b.core.pc == kBase + 4); // mie clear: not taken
    b.core.csr_write(0x304, 1u << kMti);
    b.core.step();
    CHECK(b.core.pc == kBase + 8); // mstatus.MIE clear in M-mode: not taken
    b.core.csr_write(0x300, 1u << 3);
    b.core.step();
    CHECK(b.core.pc == kBase + 0x800);
    CHECK(b.csr(0x342) == ((1ull << 63) | kMti));
    CHECK(b.csr(0x341) == kBase + 8);
}

TEST_CASE("core: WFI stops the run until an interrupt is pending") {
    Bench b;
    b.put32(0x10500073); // wfi
    b.put32(0x00000013); // nop
    CHECK(b.core.run(10) == 1);
    CHECK(b.core.waiting_for_interrupt());
    CHECK(b.core.run(10) == 0); // still asleep
    b.core.csr_write(0x304, 1u << kMsi);
    b.core.set_external_pending(1u << kMsi); // pending but globally disabled: wakes, no trap
    CHECK(b.core.run(1) == 1);
    CHECK(b.core.pc == kBase + 8);
}

TEST_CASE("core: Sv39 translation, A/D updates and page faults") {
    Bench b;
    // Root table at +0x10000, a 4 KiB leaf for VA 0x1000 -> PA kBase+0x20000.
    uint64_t root = kBase + 0x10000, l1 = kBase + 0x11000, l0 = kBase + 0x12000;
    auto pte = [&](uint64_t at, uint64_t pa, uint64_t flags) {
        uint64_t v = ((pa >> 12) << 10) | flags;
        std::memcpy(&b.mem.ram[at - kBase], &v, 8);
    };
    pte(root + 0, l1, 1);                    // VPN2 = 0 -> next level
    pte(l1 + 0, l0, 1);                      // VPN1 = 0 -> next level
    pte(l0 + 8, kBase + 0x20000, 1 | 2 | 4); // VPN0 = 1: R W, A/D clear
    pte(l0 + 16, kBase + 0x21000, 1 | 2);    // VPN0 = 2: read-only
    // Identity megapages are not needed: the code runs in M-mode with MPRV.
    b.allow_all_pmp();
    b.core.csr_write(0x180, (8ull << 60) | (root >> 12)); // satp Sv39
    b.core.csr_write(0x305, kBase + 0x800);
    b.core.csr_write(0x300, (1ull << 17) | (1ull << 11)); // MPRV, MPP = S
    b.core.x[1] = 0x1008;
    b.core.x[2] = 0xabcd;
    b.put32(0x0020b023); // sd x2, 0(x1)     VA 0x1008 -> PA +0x20008
    b.put32(0x0000b183); // ld x3, 0(x1)
    b.core.step();
    b.core.step();
    uint64_t stored;
    std::memcpy(&stored, &b.mem.ram[0x20008], 8);
    CHECK(stored == 0xabcd);
    CHECK(b.core.x[3] == 0xabcd);
    uint64_t leaf;
    std::memcpy(&leaf, &b.mem.ram[l0 + 8 - kBase], 8);
    CHECK((leaf & 0xc0) == 0xc0); // A and D set by the store
    b.core.x[1] = 0x2000;         // the read-only page
    b.put32(0x0020b023);          // sd x2, 0(x1)
    b.core.step();
    CHECK(b.csr(0x342) == kStorePageFault);
    CHECK(b.csr(0x343) == 0x2000);
}

TEST_CASE("core: LR/SC succeed alone and fail after another hart's store") {
    FlatMemory mem;
    ReservationSet resv;
    CoreConfig c0, c1;
    c0.reset_pc = c1.reset_pc = kBase;
    c1.hart_id = 1;
    RvCore h0(c0, mem, resv), h1(c1, mem, resv);
    uint32_t prog[] = {
        0x1000b1af, // lr.d x3, (x1)
        0x1820b22f, // sc.d x4, x2, (x1)
    };
    std::memcpy(&mem.ram[0], prog, sizeof prog);
    h0.x[1] = h1.x[1] = kBase + 0x1000;
    h0.x[2] = 7;
    h0.step();
    h0.step();
    CHECK(h0.x[4] == 0); // success
    uint64_t v;
    std::memcpy(&v, &mem.ram[0x1000], 8);
    CHECK(v == 7);
    h0.pc = kBase;
    h0.step(); // lr again
    h1.pc = kBase + 0x10;
    std::memcpy(&mem.ram[0x10], "\x23\xb0\x20\x00", 4); // sd x2, 0(x1) on hart 1
    h1.x[2] = 9;
    h1.step();
    h0.step(); // sc must fail
    CHECK(h0.x[4] == 1);
    std::memcpy(&v, &mem.ram[0x1000], 8);
    CHECK(v == 9);
}

// ---- decoded blocks ---------------------------------------------------------
// run() with a large budget executes decoded blocks; step() executes one
// instruction at a time. These tests pin down where the two could differ.

namespace {
// A loop of ALU, M, load/store and compressed instructions ending in a
// branch, then a jump to itself.
void put_loop_program(Bench& b) {
    b.put32(0x03200093); // addi x1, x0, 50
    b.put32(0x00310113); // l: addi x2, x2, 3
    b.put32(0x02208433); // mul x8, x1, x2
    b.put32(0x00853023); // sd x8, 0(x10)
    b.put32(0x00053483); // ld x9, 0(x10)
    b.put32(0x009585b3); // add x11, x11, x9
    b.put16(0x10fd);     // c.addi x1, -1
    b.put32(0xfe0095e3); // bne x1, x0, l
    b.put32(0x0000006f); // self: jal x0, self
    b.core.x[10] = kBase + 0x1000;
}
} // namespace

TEST_CASE("core: decoded blocks and single steps reach the same state") {
    Bench stepped, blocked;
    put_loop_program(stepped);
    put_loop_program(blocked);
    for (int i = 0; i < 1000; ++i)
        stepped.core.step();
    REQUIRE(blocked.core.run(1000) == 1000);
    CHECK(blocked.core.pc == kBase + 0x1e);
    CHECK(blocked.core.pc == stepped.core.pc);
    CHECK(blocked.core.x == stepped.core.x);
    CHECK(blocked.core.instret == 1000);
    CHECK(stepped.core.instret == 1000);
    CHECK(blocked.core.x[11] == stepped.core.x[11]);
    CHECK(blocked.core.x[11] != 0);
}

TEST_CASE("core: code rewritten in memory runs at the next block entry") {
    // Another hart or a DMA engine rewriting code: the block decoded from
    // the old bytes must not run again.
    Bench b;
    b.put32(0x00108093); // l: addi x1, x1, 1
    b.put32(0xffdff06f); // jal x0, l
    b.core.run(100);
    REQUIRE(b.core.x[1] == 50);
    uint32_t add2 = 0x00208093; // addi x1, x1, 2
    std::memcpy(&b.mem.ram[0], &add2, 4);
    b.core.run(100);
    CHECK(b.core.x[1] == 150);
}

TEST_CASE("core: a store then fence.i runs the stored instruction") {
    // The first instruction runs alone (it fills the fetch TLB); the block
    // after it is decoded before the sw changes its third instruction.
    Bench b;
    b.put32(0x00000013);      // nop
    b.put32(0x00532423);      // sw x5, 8(x6)
    b.put32(0x0000100f);      // fence.i
    b.put32(0x00100393);      // addi x7, x0, 1   (overwritten by the sw)
    b.put32(0x0000006f);      // self: jal x0, self
    b.core.x[5] = 0x00200393; // addi x7, x0, 2
    b.core.x[6] = kBase + 4;
    b.core.run(100);
    CHECK(b.core.x[7] == 2);
}

TEST_CASE("core: a trap inside a block retires exactly the instructions before it") {
    Bench b;
    b.put32(0x00700113); // addi x2, x0, 7
    b.put32(0x00002183); // lw x3, 0(x0)      (no memory at 0: access fault)
    b.put32(0x00900213); // addi x4, x0, 9     (never runs)
    b.at = kBase + 0x100;
    b.put32(0x0000006f);                             // handler: jal x0, handler
    REQUIRE(b.core.csr_write(0x305, kBase + 0x100)); // mtvec
    REQUIRE(b.core.run(50) == 50);
    CHECK(b.core.x[2] == 7);
    CHECK(b.core.x[4] == 0);
    CHECK(b.csr(0x342) == kLoadAccessFault); // mcause
    CHECK(b.csr(0x341) == kBase + 4);        // mepc: the lw
    // 50 steps: addi, the trapping lw (not retired), 48 jumps.
    CHECK(b.core.instret == 49);
}

TEST_CASE("core: HINT encodings writing x0 leave x0 zero inside blocks") {
    Bench b;
    b.put32(0x00500013); // addi x0, x0, 5 (a HINT)
    b.put32(0x02208033); // mul x0, x1, x2
    b.put32(0x00053003); // ld x0, 0(x10)
    b.put32(0x00000533); // add x10, x0, x0
    b.put32(0x0000006f); // self: jal x0, self
    b.core.x[1] = 3;
    b.core.x[2] = 5;
    b.core.x[10] = kBase;
    b.core.run(100);
    CHECK(b.core.x[0] == 0);
    CHECK(b.core.x[10] == 0);
}

// ---- extensions ---------------------------------------------------------------
// Every extension of the ISA string gates something: without it, its
// instructions are illegal (its CSRs are checked in test_rv_csr.cpp).

namespace {
uint32_t j_type(unsigned rd, int32_t imm) {
    auto i = static_cast<uint32_t>(imm);
    return (((i >> 20) & 1) << 31) | (((i >> 1) & 0x3ff) << 21) | (((i >> 11) & 1) << 20) |
           (((i >> 12) & 0xff) << 12) | (rd << 7) | 0x6f;
}
uint32_t b_type(unsigned f3, unsigned rs1, unsigned rs2, int32_t imm) {
    auto i = static_cast<uint32_t>(imm);
    return (((i >> 12) & 1) << 31) | (((i >> 5) & 0x3f) << 25) | (rs2 << 20) | (rs1 << 15) |
           (f3 << 12) | (((i >> 1) & 0xf) << 8) | (((i >> 11) & 1) << 7) | 0x63;
}
uint32_t jalr(unsigned rd, unsigned rs1, int32_t imm) {
    return (static_cast<uint32_t>(imm) << 20) | (rs1 << 15) | (rd << 7) | 0x67;
}
} // namespace

TEST_CASE("core: an instruction of an extension the hart lacks is illegal") {
    struct Case {
        RvExt ext;
        uint32_t insn;
        unsigned len = 4;
    };
    const Case cases[] = {
        {.ext = RvExt::M, .insn = 0x022081b3},        // mul x3, x1, x2
        {.ext = RvExt::A, .insn = 0x0020b1af},        // amoadd.d x3, x2, (x1)
        {.ext = RvExt::F, .insn = 0x002081d3},        // fadd.s f3, f1, f2
        {.ext = RvExt::D, .insn = 0x022081d3},        // fadd.d f3, f1, f2
        {.ext = RvExt::C, .insn = 0x0505, .len = 2},  // c.addi a0, 1
        {.ext = RvExt::Zicsr, .insn = 0x340020f3},    // csrr x1, mscratch
        {.ext = RvExt::Zifencei, .insn = 0x0000100f}, // fence.i
        {.ext = RvExt::Zicbom, .insn = 0x0010a00f},   // cbo.clean (x1)
        {.ext = RvExt::Zicboz, .insn = 0x0040a00f},   // cbo.zero (x1)
    };
    for (const Case& c : cases)
        for (bool present : {true, false}) {
            INFO(rv_ext_name(c.ext) << (present ? " present" : " absent"));
            RvExtensions isa = RvExtensions::all();
            if (!present) isa.remove(c.ext);
            // D needs F: without F, FP instructions are illegal whatever D says.
            Bench b(isa);
            REQUIRE(b.core.csr_write(0x305, kBase + 0x800)); // mtvec
            b.core.csr_write(0x300, 1ull << 13);             // mstatus.FS = Initial (if F)
            b.core.x[1] = kBase + 0x1000;
            if (c.len == 2)
                b.put16(static_cast<uint16_t>(c.insn));
            else
                b.put32(c.insn);
            b.core.step();
            if (present) {
                CHECK(b.core.pc == kBase + c.len);
                CHECK(b.core.instret == 1);
            } else {
                CHECK(b.core.pc == kBase + 0x800);
                CHECK(b.csr(0x342) == kIllegalInsn);
                CHECK(b.csr(0x343) == c.insn);
                CHECK(b.core.instret == 0);
            }
            if (c.ext <= RvExt::C) { // single letters: misa says so
                unsigned bit = rv_ext_name(c.ext)[0] - 'a';
                CHECK(((b.csr(0x301) >> bit) & 1) == present);
            }
        }
}

TEST_CASE("core: without C, jumps and taken branches off a 4-byte boundary raise misaligned") {
    Bench b(RvExtensions::all().remove(RvExt::C));
    REQUIRE(b.core.csr_write(0x305, kBase + 0x800)); // mtvec
    auto expect_misaligned = [&](uint64_t epc, uint64_t target) {
        CHECK(b.core.pc == kBase + 0x800);
        CHECK(b.csr(0x342) == kInsnMisaligned);
        CHECK(b.csr(0x341) == epc);
        CHECK(b.csr(0x343) == target);
        CHECK(b.core.x[1] == 0); // rd not written
    };
    b.put32(j_type(1, 6)); // jal x1, +6
    b.core.step();
    expect_misaligned(kBase, kBase + 6);

    b.core.pc = b.at = kBase + 0x100;
    b.put32(b_type(1, 0, 0, 6)); // bne x0, x0, +6: not taken, no trap
    b.put32(b_type(0, 0, 0, 6)); // beq x0, x0, +6: taken
    b.core.step();
    CHECK(b.core.pc == kBase + 0x104);
    b.core.step();
    expect_misaligned(kBase + 0x104, kBase + 0x10a);

    b.core.pc = b.at = kBase + 0x200;
    b.core.x[5] = kBase + 0x300;
    b.put32(jalr(1, 5, 2)); // jalr x1, 2(x5)
    b.core.step();
    expect_misaligned(kBase + 0x200, kBase + 0x302);

    // Aligned targets jump as usual.
    b.core.pc = b.at = kBase + 0x400;
    b.put32(jalr(1, 5, 4)); // jalr x1, 4(x5)
    b.core.step();
    CHECK(b.core.pc == kBase + 0x304);
    CHECK(b.core.x[1] == kBase + 0x404);

    // mepc and sepc keep bit 1 clear.
    REQUIRE(b.core.csr_write(0x341, kBase + 6));
    CHECK(b.csr(0x341) == kBase + 4);
    REQUIRE(b.core.csr_write(0x141, kBase + 6));
    CHECK(b.csr(0x141) == kBase + 4);
}

TEST_CASE("core: without C, a misaligned branch inside a decoded block retires what came before") {
    Bench b(RvExtensions::all().remove(RvExt::C));
    REQUIRE(b.core.csr_write(0x305, kBase + 0x800)); // mtvec
    b.put32(0x00100113);                             // addi x2, x0, 1
    b.put32(b_type(1, 0, 0, 6));                     // bne x0, x0, +6: not taken
    b.put32(0x00110113);                             // addi x2, x2, 1
    b.put32(b_type(0, 0, 0, 6));                     // beq x0, x0, +6: taken, misaligned
    b.at = kBase + 0x800;
    b.put32(0x0000006f); // handler: jal x0, handler
    REQUIRE(b.core.run(50) == 50);
    CHECK(b.core.x[2] == 2);
    CHECK(b.csr(0x342) == kInsnMisaligned);
    CHECK(b.csr(0x341) == kBase + 12);
    CHECK(b.csr(0x343) == kBase + 18);
    CHECK(b.core.instret == 49); // 3 before the beq, 46 jumps
}

TEST_CASE("core: with C, the same jumps land on 2-byte boundaries") {
    Bench b;
    b.put32(j_type(1, 6)); // jal x1, +6
    b.core.step();
    CHECK(b.core.pc == kBase + 6);
    CHECK(b.core.x[1] == kBase + 4);
    REQUIRE(b.core.csr_write(0x341, kBase + 6));
    CHECK(b.csr(0x341) == kBase + 6);
}
