// PLIC: register map, gateways (level and edge), claim/complete, priorities,
// thresholds, enables and the per-context outputs.
#include "models/irq/plic.h"
#include "support/device_config.h"
#include "support/tlm_initiator.h"

#include <catch2/catch.hpp>

using namespace nvsoc;
using nvsoc::test::IrqProbe;
using nvsoc::test::TlmInitiator;

namespace {

using Overrides = std::map<std::string, std::string>;

constexpr uint64_t prio(unsigned src) {
    return 4ull * src;
}
constexpr uint64_t pend(unsigned word) {
    return 0x1000 + 4ull * word;
}
constexpr uint64_t enable(unsigned ctx, unsigned word = 0) {
    return 0x2000 + 0x80ull * ctx + 4ull * word;
}
constexpr uint64_t threshold(unsigned ctx) {
    return 0x200000 + 0x1000ull * ctx;
}
constexpr uint64_t claim(unsigned ctx) {
    return 0x200004 + 0x1000ull * ctx;
}

// A PLIC for two harts (contexts 0..3) with an initiator on its socket and
// context i's output on probe line i.
struct Bench {
    std::unique_ptr<Device> dev;
    Plic* plic = nullptr;
    TlmInitiator init;
    IrqProbe probe;

    explicit Bench(Overrides params = {}) {
        if (!params.count("sources")) params["sources"] = "95";
        dev = nvsoc::test::make_device("plic", "plic", 0xC000000, params, 2);
        plic = dynamic_cast<Plic*>(dev.get());
        REQUIRE(plic != nullptr);
        init.socket.bind(dev->target);
        for (unsigned i = 0; i < plic->context_out.size(); ++i)
            plic->context_out[i].connect(probe, i);
        nvsoc::test::elaborate();
    }

    uint32_t rd(uint64_t off) {
        uint32_t v = init.read32(off);
        REQUIRE(init.last_status == tlm::TLM_OK_RESPONSE);
        return v;
    }
    void wr(uint64_t off, uint32_t v) { REQUIRE(init.write(off, v, 4) == tlm::TLM_OK_RESPONSE); }
    void line(unsigned src, bool level) { plic->irq_input().set_irq(src, level); }
    bool out(unsigned ctx) const { return probe.levels[ctx]; }
    bool pending_bit(unsigned src) { return (rd(pend(src / 32)) >> (src % 32)) & 1; }
};

} // namespace

TEST_CASE("plic: registration and reset values") {
    const ModelInfo* info = ModelRegistry::instance().find("plic");
    REQUIRE(info != nullptr);
    CHECK(info->default_size == 0x600000);
    CHECK(info->irq_outputs == 0);

    Bench b;
    CHECK(b.plic->num_sources() == 95);
    CHECK(b.plic->num_contexts() == 4);
    REQUIRE(b.plic->context_out.size() == 4);
    for (unsigned s = 0; s <= 95; ++s)
        CHECK(b.rd(prio(s)) == 0);
    for (unsigned w = 0; w < 3; ++w)
        CHECK(b.rd(pend(w)) == 0);
    for (unsigned c = 0; c < 4; ++c) {
        for (unsigned w = 0; w < 3; ++w)
            CHECK(b.rd(enable(c, w)) == 0);
        CHECK(b.rd(threshold(c)) == 0);
        CHECK_FALSE(b.out(c));
    }
    CHECK(b.rd(claim(0)) == 0);

    // Dirty everything, then reset: a level line that is still high pends
    // again, nothing stays in service, the outputs drop.
    b.wr(prio(5), 3);
    b.wr(prio(6), 2);
    b.wr(enable(0), (1u << 5) | (1u << 6));
    b.wr(threshold(1), 4);
    b.line(5, true);
    b.line(6, true);
    CHECK(b.out(0));
    CHECK(b.rd(claim(0)) == 5);
    b.line(6, false);
    b.plic->reset();
    CHECK_FALSE(b.out(0));
    CHECK(b.rd(prio(5)) == 0);
    CHECK(b.rd(enable(0)) == 0);
    CHECK(b.rd(threshold(1)) == 0);
    CHECK(b.rd(pend(0)) == (1u << 5));
    CHECK_FALSE(b.plic->in_service(5));
    // Source 5 is no longer in service: once enabled it can be claimed.
    b.wr(prio(5), 1);
    b.wr(enable(0), 1u << 5);
    CHECK(b.out(0));
    CHECK(b.rd(claim(0)) == 5);
}

TEST_CASE("plic: priority and threshold are WARL to priority-bits") {
    Bench b; // 3 bits
    b.wr(prio(1), 0xFFFFFFFF);
    CHECK(b.rd(prio(1)) == 7);
    b.wr(prio(95), 0x1D);
    CHECK(b.rd(prio(95)) == 5);
    b.wr(threshold(2), 0xFF);
    CHECK(b.rd(threshold(2)) == 7);
    // Source 0 is reserved, and so are sources beyond `sources`.
    b.wr(prio(0), 7);
    CHECK(b.rd(prio(0)) == 0);
    b.wr(prio(96), 7);
    CHECK(b.rd(prio(96)) == 0);
    b.wr(prio(1023), 7);
    CHECK(b.rd(prio(1023)) == 0);
}

TEST_CASE("plic: priority-bits parameter widens priorities") {
    Bench b(Overrides{{"priority-bits", "5"}});
    b.wr(prio(3), 0xFFFFFFFF);
    CHECK(b.rd(prio(3)) == 31);
    b.wr(threshold(0), 0x40);
    CHECK(b.rd(threshold(0)) == 0);
}

TEST_CASE("plic: level source pends and drives the output when enabled above threshold") {
    Bench b;
    b.line(10, true);
    CHECK(b.pending_bit(10));
    CHECK(b.plic->pending(10));
    CHECK_FALSE(b.out(0)); // not enabled, priority 0

    b.wr(enable(0), 1u << 10);
    CHECK_FALSE(b.out(0)); // priority 0 never interrupts
    b.wr(prio(10), 2);
    CHECK(b.out(0));
    CHECK_FALSE(b.out(1));

    b.wr(threshold(0), 2); // priority must exceed the threshold
    CHECK_FALSE(b.out(0));
    b.wr(threshold(0), 1);
    CHECK(b.out(0));

    b.wr(enable(0), 0);
    CHECK_FALSE(b.out(0));
    b.wr(enable(0), 1u << 10);
    CHECK(b.out(0));

    // A level source that drops before it is claimed is no longer pending.
    b.line(10, false);
    CHECK_FALSE(b.pending_bit(10));
    CHECK_FALSE(b.out(0));
}

TEST_CASE("plic: claim and complete of a level source") {
    Bench b;
    b.wr(prio(7), 1);
    b.wr(enable(0), 1u << 7);
    b.line(7, true);
    CHECK(b.out(0));

    CHECK(b.rd(claim(0)) == 7);
    CHECK_FALSE(b.pending_bit(7));
    CHECK(b.plic->in_service(7));
    CHECK_FALSE(b.out(0));

    // While in service the gateway forwards nothing, even with the line high
    // or toggling.
    b.line(7, false);
    b.line(7, true);
    CHECK_FALSE(b.pending_bit(7));
    CHECK_FALSE(b.out(0));
    CHECK(b.rd(claim(0)) == 0);

    // Completing with the line still high pends it again.
    b.wr(claim(0), 7);
    CHECK_FALSE(b.plic->in_service(7));
    CHECK(b.pending_bit(7));
    CHECK(b.out(0));
    CHECK(b.rd(claim(0)) == 7);

    // Completing after the line dropped leaves it idle.
    b.line(7, false);
    b.wr(claim(0), 7);
    CHECK_FALSE(b.pending_bit(7));
    CHECK_FALSE(b.out(0));
    CHECK(b.rd(claim(0)) == 0);
}

TEST_CASE("plic: claims come by priority, then lowest id") {
    Bench b;
    b.wr(enable(0, 0), 0xFFFFFFFE);
    b.wr(enable(0, 1), 0xFFFFFFFF);
    b.wr(prio(3), 2);
    b.wr(prio(40), 5);
    b.wr(prio(9), 2);
    b.wr(prio(33), 5);
    b.wr(prio(4), 1);
    for (unsigned s : {3u, 40u, 9u, 33u, 4u})
        b.line(s, true);
    CHECK(b.rd(pend(0)) == ((1u << 3) | (1u << 4) | (1u << 9)));
    CHECK(b.rd(pend(1)) == ((1u << 1) | (1u << 8)));

    CHECK(b.rd(claim(0)) == 33);
    CHECK(b.rd(claim(0)) == 40);
    CHECK(b.rd(claim(0)) == 3);
    CHECK(b.rd(claim(0)) == 9);
    CHECK(b.out(0));
    CHECK(b.rd(claim(0)) == 4);
    CHECK_FALSE(b.out(0));
    CHECK(b.rd(claim(0)) == 0);
}

TEST_CASE("plic: threshold masks claims and the output") {
    Bench b;
    b.wr(enable(0), (1u << 1) | (1u << 2));
    b.wr(prio(1), 3);
    b.wr(prio(2), 6);
    b.line(1, true);
    b.line(2, true);
    b.wr(threshold(0), 6);
    CHECK_FALSE(b.out(0));
    CHECK(b.rd(claim(0)) == 0);
    CHECK(b.pending_bit(1));
    CHECK(b.pending_bit(2));

    b.wr(threshold(0), 3);
    CHECK(b.out(0));
    CHECK(b.rd(claim(0)) == 2);
    CHECK_FALSE(b.out(0)); // source 1 has priority 3, not above 3
    CHECK(b.rd(claim(0)) == 0);
    b.wr(threshold(0), 2);
    CHECK(b.out(0));
    CHECK(b.rd(claim(0)) == 1);
}

TEST_CASE("plic: contexts with different enables claim independently") {
    Bench b;
    const unsigned m0 = 0, s1 = 3; // hart 0 M-mode, hart 1 S-mode
    b.wr(prio(5), 1);
    b.wr(prio(6), 1);
    b.wr(enable(m0), 1u << 5);
    b.wr(enable(s1), 1u << 6);
    b.line(5, true);
    CHECK(b.out(m0));
    CHECK_FALSE(b.out(s1));
    b.line(6, true);
    CHECK(b.out(s1));
    CHECK_FALSE(b.out(1));
    CHECK_FALSE(b.out(2));

    CHECK(b.rd(claim(s1)) == 6);
    CHECK_FALSE(b.out(s1));
    CHECK(b.out(m0));
    CHECK(b.rd(claim(s1)) == 0);
    CHECK(b.rd(claim(m0)) == 5);
    CHECK_FALSE(b.out(m0));

    // A source enabled in both goes to whoever claims it first.
    b.wr(prio(8), 1);
    b.wr(enable(m0), (1u << 5) | (1u << 8));
    b.wr(enable(s1), (1u << 6) | (1u << 8));
    b.line(8, true);
    CHECK(b.out(m0));
    CHECK(b.out(s1));
    CHECK(b.rd(claim(s1)) == 8);
    CHECK_FALSE(b.out(m0));
    CHECK(b.rd(claim(m0)) == 0);

    // Each context completes its own claim.
    b.line(5, false);
    b.line(6, false);
    b.line(8, false);
    b.wr(claim(m0), 5);
    b.wr(claim(s1), 6);
    b.wr(claim(s1), 8);
    CHECK_FALSE(b.plic->in_service(5));
    CHECK_FALSE(b.plic->in_service(6));
    CHECK_FALSE(b.plic->in_service(8));
}

TEST_CASE("plic: edge source pends once per rising edge and remembers one in service") {
    Bench b(Overrides{{"edge-sources", "4, 20-22"}});
    b.wr(prio(4), 1);
    b.wr(prio(21), 1);
    b.wr(enable(0), (1u << 4) | (1u << 21));

    b.line(4, true);
    CHECK(b.pending_bit(4));
    CHECK(b.out(0));
    b.line(4, false); // an edge source stays pending after the pulse
    CHECK(b.pending_bit(4));
    b.line(4, true); // a second edge merges with the one already pending
    b.line(4, false);

    CHECK(b.rd(claim(0)) == 4);
    CHECK_FALSE(b.pending_bit(4));
    CHECK_FALSE(b.out(0));

    // A held-high line is not a new edge.
    b.line(4, true);
    CHECK_FALSE(b.pending_bit(4)); // in service: remembered, not pending
    b.wr(claim(0), 4);
    CHECK(b.pending_bit(4)); // the edge during service pends on completion
    CHECK(b.rd(claim(0)) == 4);
    b.wr(claim(0), 4);
    CHECK_FALSE(b.pending_bit(4)); // line still high, but no new edge
    CHECK(b.rd(claim(0)) == 0);
    b.line(4, false);
    b.line(4, true);
    CHECK(b.pending_bit(4));

    // Ranges are edge-triggered too.
    b.line(21, true);
    b.line(21, false);
    CHECK(b.pending_bit(21));
    // Source 23 is not in the list: level-triggered.
    b.line(23, true);
    b.line(23, false);
    CHECK_FALSE(b.pending_bit(23));
}

TEST_CASE("plic: complete of a source not enabled for the context is ignored") {
    Bench b;
    b.wr(prio(12), 1);
    b.wr(enable(0), 1u << 12);
    b.line(12, true);
    CHECK(b.rd(claim(0)) == 12);
    CHECK(b.plic->in_service(12));

    b.wr(claim(1), 12); // context 1 does not enable source 12
    CHECK(b.plic->in_service(12));
    CHECK_FALSE(b.pending_bit(12));
    b.wr(claim(0), 0); // source 0 and nonexistent sources: ignored
    b.wr(claim(0), 200);
    CHECK(b.plic->in_service(12));

    // Disabling then completing is ignored too.
    b.wr(enable(0), 0);
    b.wr(claim(0), 12);
    CHECK(b.plic->in_service(12));
    b.wr(enable(0), 1u << 12);
    b.wr(claim(0), 12);
    CHECK_FALSE(b.plic->in_service(12));
    CHECK(b.pending_bit(12));
}

TEST_CASE("plic: claim with nothing pending returns 0") {
    Bench b;
    for (unsigned c = 0; c < 4; ++c)
        CHECK(b.rd(claim(c)) == 0);
    b.wr(prio(2), 1);
    b.wr(enable(0), 1u << 2);
    CHECK(b.rd(claim(0)) == 0);
    b.line(2, true);
    CHECK(b.rd(claim(1)) == 0); // pending but not enabled there
    CHECK(b.rd(claim(0)) == 2);
    CHECK(b.rd(claim(0)) == 0);
}

TEST_CASE("plic: pending is read-only and enables are hardwired where unimplemented") {
    Bench b;
    b.wr(pend(0), 0xFFFFFFFF);
    CHECK(b.rd(pend(0)) == 0);
    b.line(3, true);
    b.wr(pend(0), 0);
    CHECK(b.rd(pend(0)) == (1u << 3));

    b.wr(enable(1, 0), 0xFFFFFFFF);
    CHECK(b.rd(enable(1, 0)) == 0xFFFFFFFE); // source 0 does not exist
    b.wr(enable(1, 2), 0xFFFFFFFF);
    CHECK(b.rd(enable(1, 2)) == 0xFFFFFFFF); // sources 64..95
    b.wr(enable(1, 3), 0xFFFFFFFF);
    CHECK(b.rd(enable(1, 3)) == 0); // beyond 95
    b.wr(enable(1, 31), 0xFFFFFFFF);
    CHECK(b.rd(enable(1, 31)) == 0);
}

TEST_CASE("plic: enable bits stop at the last source") {
    Bench b(Overrides{{"sources", "40"}});
    CHECK(b.plic->num_sources() == 40);
    b.wr(enable(0, 1), 0xFFFFFFFF);
    CHECK(b.rd(enable(0, 1)) == 0x1FF); // sources 32..40
    b.wr(prio(40), 1);
    b.wr(prio(41), 1);
    CHECK(b.rd(prio(40)) == 1);
    CHECK(b.rd(prio(41)) == 0);
    b.line(40, true);
    CHECK(b.out(0));
    CHECK(b.rd(claim(0)) == 40);
}

TEST_CASE("plic: reserved offsets read 0 and ignore writes") {
    Bench b;
    for (uint64_t off : {0x1080ull, 0x1FFCull, 0x1F0000ull, 0x1FFFFCull, 0x200008ull, 0x200FFCull,
                         0x204000ull, 0x5FFFFCull, 0x2200ull}) {
        CHECK(b.init.write(off, 0xFFFFFFFF, 4) == tlm::TLM_OK_RESPONSE);
        CHECK(b.rd(off) == 0);
    }
    // Enables of contexts that do not exist (2 harts: 4 contexts).
    CHECK(b.rd(enable(4)) == 0);
    CHECK(b.rd(threshold(4)) == 0);
}

TEST_CASE("plic: accesses other than aligned 32-bit are address errors") {
    Bench b;
    b.wr(prio(1), 5);
    uint64_t v = 0;
    CHECK(b.init.access(tlm::TLM_READ_COMMAND, prio(1), &v, 1) == tlm::TLM_ADDRESS_ERROR_RESPONSE);
    CHECK(b.init.access(tlm::TLM_READ_COMMAND, prio(1), &v, 2) == tlm::TLM_ADDRESS_ERROR_RESPONSE);
    CHECK(b.init.access(tlm::TLM_READ_COMMAND, prio(1), &v, 8) == tlm::TLM_ADDRESS_ERROR_RESPONSE);
    CHECK(b.init.write(prio(1), 1, 1) == tlm::TLM_ADDRESS_ERROR_RESPONSE);
    CHECK(b.init.write(prio(1), 1, 8) == tlm::TLM_ADDRESS_ERROR_RESPONSE);
    CHECK(b.init.write(prio(1) + 2, 1, 4) == tlm::TLM_ADDRESS_ERROR_RESPONSE);
    CHECK(b.init.write(0x600000, 1, 4) == tlm::TLM_ADDRESS_ERROR_RESPONSE); // past the window
    CHECK(b.rd(prio(1)) == 5);

    // A claim through a bad access has no side effect.
    b.wr(enable(0), 1u << 1);
    b.line(1, true);
    CHECK(b.init.access(tlm::TLM_READ_COMMAND, claim(0), &v, 8) == tlm::TLM_ADDRESS_ERROR_RESPONSE);
    CHECK(b.pending_bit(1));
}

TEST_CASE("plic: a window too small for the contexts is an input error") {
    DeviceConfig c = nvsoc::test::make_config("plic", "plic", 0, {}, 2);
    c.size = 0x200000 + 0x1000 * 3; // 2 harts need 4 contexts
    REQUIRE_THROWS_AS(ModelRegistry::instance().create_device(c), InputError);
    try {
        ModelRegistry::instance().create_device(c);
    } catch (const InputError& e) {
        CHECK_THAT(e.message(), Catch::Contains("0x204000"));
    }
}

TEST_CASE("plic: the smallest window that fits works") {
    DeviceConfig c = nvsoc::test::make_config("plic", "plic", 0, {}, 1);
    c.size = 0x202000;
    auto dev = ModelRegistry::instance().create_device(c);
    TlmInitiator init;
    init.socket.bind(dev->target);
    nvsoc::test::elaborate();
    init.write32(threshold(1), 2);
    CHECK(init.read32(threshold(1)) == 2);
}

TEST_CASE("plic: bad edge-sources is an input error") {
    auto make = [](const std::string& text) {
        DeviceConfig c = nvsoc::test::make_config("plic", "plic", 0,
                                                  {{"sources", "10"}, {"edge-sources", text}}, 1);
        return ModelRegistry::instance().create_device(c);
    };
    CHECK_THROWS_AS(make("3,abc"), InputError);
    CHECK_THROWS_AS(make("0"), InputError);
    CHECK_THROWS_AS(make("11"), InputError);
    CHECK_THROWS_AS(make("2,,3"), InputError);
    CHECK_THROWS_AS(make("5-3"), InputError);
    try {
        make("1,x");
        FAIL("no error");
    } catch (const InputError& e) {
        CHECK(e.where().file == "test");
        CHECK_THAT(e.message(), Catch::Contains("edge-sources"));
    }
}

TEST_CASE("plic: device tree node") {
    Bench b;
    DeviceTree tree;
    DtContext ctx(tree, {11, 22});
    b.dev->describe_dt(ctx);
    const DtNode* soc = tree.root().find_child("soc");
    REQUIRE(soc != nullptr);
    const DtNode* node = soc->find_child("plic@c000000");
    REQUIRE(node != nullptr);
    auto cells = [&](const char* name) {
        const DtProperty* p = node->prop(name);
        REQUIRE(p != nullptr);
        return p->cells;
    };
    const DtProperty* compat = node->prop("compatible");
    REQUIRE(compat != nullptr);
    CHECK(compat->strings == std::vector<std::string>{"sifive,plic-1.0.0", "riscv,plic0"});
    CHECK(cells("reg") == std::vector<uint32_t>{0, 0xC000000, 0, 0x600000});
    CHECK(cells("#address-cells") == std::vector<uint32_t>{0});
    CHECK(cells("#interrupt-cells") == std::vector<uint32_t>{1});
    REQUIRE(node->prop("interrupt-controller") != nullptr);
    CHECK(node->prop("interrupt-controller")->kind == DtProperty::Kind::Empty);
    CHECK(cells("riscv,ndev") == std::vector<uint32_t>{95});
    CHECK(cells("interrupts-extended") == std::vector<uint32_t>{11, 11, 11, 9, 22, 11, 22, 9});
    CHECK(cells("phandle") == std::vector<uint32_t>{ctx.phandle_of("plic")});
}

TEST_CASE("plic: connect_harts drives MEIP and SEIP") {
    Bench b;
    HartIrqPins h0, h1;
    b.plic->connect_harts({&h0, &h1});
    b.wr(prio(1), 1);
    b.wr(enable(3), 1u << 1); // hart 1 S-mode
    b.line(1, true);
    CHECK(h1.pending() == (1ull << HartIrqPins::kSeip));
    CHECK(h0.pending() == 0);
    b.wr(enable(0), 1u << 1); // hart 0 M-mode
    CHECK(h0.pending() == (1ull << HartIrqPins::kMeip));
}
