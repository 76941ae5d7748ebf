// IMSIC: MSI writes into interrupt files, the indirect registers the harts'
// CSRs reach (eidelivery, eithreshold, eip/eie), *topei and its claim, the
// external interrupt each file drives, the two regions' layout, bad
// parameters and the device-tree nodes.
#include "models/irq/imsic.h"
#include "support/device_config.h"
#include "support/tlm_initiator.h"

#include <catch2/catch.hpp>

using namespace nvsoc;
using nvsoc::test::TlmInitiator;

namespace {

using Overrides = std::map<std::string, std::string>;

constexpr uint64_t kBase = 0x24000000, kSBase = 0x28000000;
constexpr unsigned kEidelivery = 0x70, kEithreshold = 0x72, kEip0 = 0x80, kEie0 = 0xc0;

// An IMSIC for `harts` harts with initiators on both regions and the harts'
// pins attached.
struct Bench {
    std::unique_ptr<Device> dev;
    Imsic* imsic = nullptr;
    TlmInitiator m{"m_init"};
    std::unique_ptr<TlmInitiator> s_init; // on the S-level region, if there is one
    std::vector<HartIrqPins> pins;

    explicit Bench(Overrides params = {}, unsigned harts = 2) : pins(harts) {
        if (!params.count("s-base")) params["s-base"] = "0x28000000";
        dev = nvsoc::test::make_device("imsic", "imsic", kBase, params, harts);
        imsic = dynamic_cast<Imsic*>(dev.get());
        REQUIRE(imsic != nullptr);
        m.socket.bind(dev->target);
        auto windows = dev->windows();
        if (!windows.empty()) {
            s_init = std::make_unique<TlmInitiator>("s_init");
            s_init->socket.bind(*windows.front().socket);
        }
        std::vector<HartIrqPins*> ptrs;
        for (auto& p : pins)
            ptrs.push_back(&p);
        imsic->connect_harts(ptrs);
        nvsoc::test::elaborate();
    }

    void msi(TlmInitiator& region, unsigned hart, uint32_t id, uint64_t stride = 0x1000) {
        REQUIRE(region.write(hart * stride, id, 4) == tlm::TLM_OK_RESPONSE);
    }
    static uint64_t get(const InterruptFile& f, unsigned select) {
        uint64_t v = ~0ull;
        REQUIRE(f.read_indirect(select, v));
        return v;
    }
    static void put(InterruptFile& f, unsigned select, uint64_t v) {
        REQUIRE(f.write_indirect(select, v));
    }
    TlmInitiator& s() { return *s_init; }
    bool meip(unsigned h) const { return (pins[h].pending() >> HartIrqPins::kMeip) & 1; }
    bool seip(unsigned h) const { return (pins[h].pending() >> HartIrqPins::kSeip) & 1; }
};

// Enables identity `id` in `f` and turns delivery on.
void enable(InterruptFile& f, unsigned id) {
    uint64_t v = 0;
    unsigned select = kEie0 + 2 * (id / 64);
    REQUIRE(f.read_indirect(select, v));
    REQUIRE(f.write_indirect(select, v | 1ull << (id % 64)));
    REQUIRE(f.write_indirect(kEidelivery, 1));
}

} // namespace

TEST_CASE("imsic: an MSI to a hart's machine-level page sets its pending bit, only there") {
    Bench b;
    b.msi(b.m, 1, 5);
    CHECK(b.imsic->machine_file(1).pending(5));
    CHECK_FALSE(b.imsic->machine_file(0).pending(5));
    CHECK_FALSE(b.imsic->supervisor_file(1).pending(5));
    CHECK(Bench::get(b.imsic->machine_file(1), kEip0) == 1u << 5);
}

TEST_CASE("imsic: supervisor-level pages sit at s-base, one per hart") {
    Bench b;
    b.msi(b.s(), 1, 70);
    CHECK(b.imsic->supervisor_file(1).pending(70));
    CHECK(Bench::get(b.imsic->supervisor_file(1), kEip0 + 2) == 1u << 6);
    CHECK_FALSE(b.imsic->machine_file(1).pending(70));
    CHECK(b.imsic->supervisor_base() == kSBase);
    CHECK(b.imsic->supervisor_size() == 0x2000);
}

TEST_CASE("imsic: seteipnum_be takes the identity in big-endian byte order") {
    Bench b;
    REQUIRE(b.m.write(0x1004, __builtin_bswap32(9), 4) == tlm::TLM_OK_RESPONSE);
    CHECK(b.imsic->machine_file(1).pending(9));
}

TEST_CASE("imsic: identities 0 and above num-ids are ignored") {
    Bench b(Overrides{{"num-ids", "63"}});
    b.msi(b.m, 0, 0);
    b.msi(b.m, 0, 64);
    b.msi(b.m, 0, 0x10000 | 3); // not an identity either: the whole word counts
    CHECK(Bench::get(b.imsic->machine_file(0), kEip0) == 0);
    nlohmann::json stats;
    b.dev->stats(stats);
    CHECK(stats["ignored_msis"] == 3);
    CHECK(stats["msis"] == 0);
}

TEST_CASE("imsic: the page reads as zero, and takes only aligned 32-bit accesses") {
    Bench b;
    b.msi(b.m, 0, 3);
    CHECK(b.m.read32(0x0) == 0);
    CHECK(b.m.last_status == tlm::TLM_OK_RESPONSE);
    CHECK(b.m.read32(0x800) == 0); // reserved: read-only zero
    CHECK(b.m.last_status == tlm::TLM_OK_RESPONSE);
    CHECK(b.m.write(0x0, 3, 8) == tlm::TLM_ADDRESS_ERROR_RESPONSE);
    CHECK(b.m.write(0x2, 3, 2) == tlm::TLM_ADDRESS_ERROR_RESPONSE);
    CHECK(b.s().write(0x0, 3, 1) == tlm::TLM_ADDRESS_ERROR_RESPONSE);
}

TEST_CASE("imsic: writes to reserved words or to pages without a file are ignored and logged") {
    Bench b(Overrides{{"guests", "1"}});
    auto errors = [&] {
        nlohmann::json stats;
        b.dev->stats(stats);
        return stats["guest_errors"].get<uint64_t>();
    };
    REQUIRE(b.m.write(0x8, 3, 4) == tlm::TLM_OK_RESPONSE);      // reserved word
    REQUIRE(b.m.write(0x0, 3, 4) == tlm::TLM_OK_RESPONSE);      // seteipnum_le: fine
    REQUIRE(b.s().write(0x1000, 3, 4) == tlm::TLM_OK_RESPONSE); // hart 0's guest page
    CHECK(errors() == 2);
    CHECK(b.m.read32(0x8) == 0);
    CHECK(errors() == 2); // reads of reserved space are no error
    CHECK_FALSE(b.imsic->supervisor_file(0).pending(3));
}

TEST_CASE("imsic: topei reports the lowest pending and enabled identity, twice") {
    Bench b;
    ImsicFile& f = b.imsic->machine_file(0);
    b.msi(b.m, 0, 40);
    b.msi(b.m, 0, 7);
    CHECK(f.topei() == 0); // nothing enabled
    enable(f, 40);
    CHECK(f.topei() == (40u << 16 | 40));
    enable(f, 7);
    CHECK(f.topei() == (7u << 16 | 7));
}

TEST_CASE("imsic: a write to topei claims the identity it shows, and only that one") {
    Bench b;
    ImsicFile& f = b.imsic->machine_file(0);
    enable(f, 7);
    enable(f, 40);
    b.msi(b.m, 0, 7);
    b.msi(b.m, 0, 40);
    f.claim_topei();
    CHECK_FALSE(f.pending(7));
    CHECK(f.pending(40));
    CHECK(f.topei() == (40u << 16 | 40));
    f.claim_topei();
    CHECK(f.topei() == 0);
    f.claim_topei(); // nothing to claim: no effect
    CHECK(Bench::get(f, kEip0) == 0);
}

TEST_CASE("imsic: eithreshold hides identities at and above it") {
    Bench b;
    ImsicFile& f = b.imsic->machine_file(0);
    enable(f, 9);
    b.msi(b.m, 0, 9);
    Bench::put(f, kEithreshold, 9);
    CHECK(f.topei() == 0);
    CHECK_FALSE(b.meip(0));
    Bench::put(f, kEithreshold, 10);
    CHECK(f.topei() == (9u << 16 | 9));
    CHECK(b.meip(0));
    Bench::put(f, kEithreshold, 0); // 0: no threshold
    CHECK(b.meip(0));
    Bench::put(f, kEithreshold, 256); // above num-ids (255): WLRL, left as it was
    CHECK(Bench::get(f, kEithreshold) == 0);
}

TEST_CASE("imsic: eidelivery gates the external interrupt, not topei") {
    Bench b;
    ImsicFile& f = b.imsic->supervisor_file(1);
    enable(f, 3);
    Bench::put(f, kEidelivery, 0);
    b.msi(b.s(), 1, 3);
    CHECK(f.topei() == (3u << 16 | 3));
    CHECK_FALSE(b.seip(1));
    Bench::put(f, kEidelivery, 1);
    CHECK(b.seip(1));
    CHECK_FALSE(b.meip(1));
    CHECK_FALSE(b.seip(0));
    Bench::put(f, kEidelivery, 0x40000000); // no PLIC/APLIC delivery: WARL
    CHECK(Bench::get(f, kEidelivery) == 0);
    CHECK_FALSE(b.seip(1));
}

TEST_CASE("imsic: the interrupt falls when the last deliverable identity is claimed") {
    Bench b;
    ImsicFile& f = b.imsic->machine_file(0);
    enable(f, 1);
    b.msi(b.m, 0, 1);
    CHECK(b.meip(0));
    f.claim_topei();
    CHECK_FALSE(b.meip(0));
    Bench::put(f, kEip0, 1u << 1); // software sets it pending through eip
    CHECK(b.meip(0));
    Bench::put(f, kEie0, 0);
    CHECK_FALSE(b.meip(0));
}

TEST_CASE("imsic: eip and eie keep only implemented identities") {
    Bench b(Overrides{{"num-ids", "127"}});
    ImsicFile& f = b.imsic->machine_file(0);
    Bench::put(f, kEie0, ~0ull);
    CHECK(Bench::get(f, kEie0) == ~1ull); // identity 0 does not exist
    Bench::put(f, kEie0 + 2, ~0ull);
    CHECK(Bench::get(f, kEie0 + 2) == ~0ull); // 64..127
    Bench::put(f, kEie0 + 4, ~0ull);
    CHECK(Bench::get(f, kEie0 + 4) == 0); // 128.. not implemented
    Bench::put(f, kEip0 + 62, ~0ull);
    CHECK(Bench::get(f, kEip0 + 62) == 0);
}

TEST_CASE("imsic: odd eip and eie selects and selects outside 0x70-0xff do not exist") {
    Bench b;
    ImsicFile& f = b.imsic->machine_file(0);
    uint64_t v = 0;
    CHECK_FALSE(f.read_indirect(kEip0 + 1, v));
    CHECK_FALSE(f.write_indirect(kEie0 + 63, 1));
    CHECK_FALSE(f.read_indirect(0x6f, v));
    CHECK_FALSE(f.read_indirect(0x100, v));
    CHECK_FALSE(f.read_indirect(0x30, v)); // iprio belongs to the hart
}

TEST_CASE("imsic: the reserved selects 0x71 and 0x73-0x7f read zero and ignore writes") {
    Bench b;
    ImsicFile& f = b.imsic->machine_file(0);
    for (unsigned sel : {0x71u, 0x73u, 0x7fu}) {
        Bench::put(f, sel, ~0ull);
        CHECK(Bench::get(f, sel) == 0);
    }
    CHECK(Bench::get(f, kEidelivery) == 0);
    CHECK(Bench::get(f, kEithreshold) == 0);
}

TEST_CASE("imsic: reset empties the files and drops the interrupts") {
    Bench b;
    ImsicFile& f = b.imsic->machine_file(0);
    enable(f, 2);
    b.msi(b.m, 0, 2);
    REQUIRE(b.meip(0));
    b.dev->reset();
    CHECK_FALSE(b.meip(0));
    CHECK_FALSE(f.pending(2));
    CHECK(Bench::get(f, kEidelivery) == 0);
}

TEST_CASE("imsic: connect_harts hands each hart its files") {
    Bench b(Overrides{}, 3);
    for (unsigned h = 0; h < 3; ++h) {
        CHECK(b.pins[h].file(HartIrqPins::kMeip) == &b.imsic->machine_file(h));
        CHECK(b.pins[h].file(HartIrqPins::kSeip) == &b.imsic->supervisor_file(h));
    }
}

TEST_CASE("imsic: without s-base there are machine-level files alone") {
    Bench b(Overrides{{"s-base", "0"}});
    CHECK_FALSE(b.imsic->has_supervisor_files());
    CHECK(b.dev->windows().empty());
    CHECK(b.pins[0].file(HartIrqPins::kSeip) == nullptr);
    const ModelInfo* info = ModelRegistry::instance().find("imsic");
    CHECK(
        info->hart_pins(nvsoc::test::make_config("imsic", "i", kBase, {{"s-base", "0"}}).params) ==
        std::vector<unsigned>{HartIrqPins::kMeip});
}

TEST_CASE("imsic: regions span 2^hart-index-bits pages, guests widen the S stride") {
    Bench b(Overrides{{"guests", "3"}}, 3);
    CHECK(b.imsic->hart_index_bits() == 2);
    CHECK(b.imsic->guest_index_bits() == 2);
    CHECK(b.dev->size() == 0x4000);
    CHECK(b.imsic->supervisor_size() == 0x10000);
    b.msi(b.s(), 2, 11, 0x4000);
    CHECK(b.imsic->supervisor_file(2).pending(11));
    CHECK(b.s().read32(0x1000) == 0); // a guest page: read-only zero for now
    CHECK(b.s().last_status == tlm::TLM_OK_RESPONSE);
}

namespace {
std::string refusal(Overrides params, unsigned harts = 2, uint64_t base = kBase) {
    DeviceConfig c = nvsoc::test::make_config("imsic", "imsic", base, params, harts);
    try {
        ModelRegistry::instance().create_device(c);
    } catch (const InputError& e) {
        return e.message();
    }
    return "";
}
} // namespace

TEST_CASE("imsic: num-ids must be 64k-1") {
    CHECK_THAT(refusal({{"num-ids", "100"}}), Catch::Contains("64k-1") && Catch::Contains("127"));
    CHECK(refusal({{"num-ids", "2047"}}).empty());
}

TEST_CASE("imsic: hart-index-bits must number every hart") {
    CHECK_THAT(refusal({{"hart-index-bits", "1"}}, 3), Catch::Contains("at least 2"));
    CHECK(refusal({{"hart-index-bits", "3"}}, 3).empty());
}

TEST_CASE("imsic: bases must be page-aligned and the regions must not overlap") {
    CHECK_THAT(refusal({}, 2, kBase + 0x800), Catch::Contains("4 KiB-aligned"));
    CHECK_THAT(refusal({{"s-base", "0x24000010"}}), Catch::Contains("4 KiB-aligned"));
    CHECK_THAT(refusal({{"s-base", "0x24001000"}}), Catch::Contains("overlap"));
}

TEST_CASE("imsic: device tree nodes for both levels") {
    Bench b;
    DeviceTree tree;
    DtContext ctx(tree, {11, 22});
    b.dev->describe_dt(ctx);
    const DtNode* soc = tree.root().find_child("soc");
    REQUIRE(soc != nullptr);
    for (auto [name, pin, at, size] : {std::tuple{"imsics@24000000", 11u, kBase, 0x2000u},
                                       std::tuple{"imsics@28000000", 9u, kSBase, 0x2000u}}) {
        INFO(name);
        const DtNode* node = soc->find_child(name);
        REQUIRE(node != nullptr);
        auto cells = [&](const char* prop) {
            const DtProperty* p = node->prop(prop);
            REQUIRE(p != nullptr);
            return p->cells;
        };
        CHECK(node->prop("compatible")->strings == std::vector<std::string>{"riscv,imsics"});
        CHECK(cells("reg") == std::vector<uint32_t>{0, static_cast<uint32_t>(at), 0, size});
        CHECK(cells("#interrupt-cells") == std::vector<uint32_t>{0});
        CHECK(cells("#msi-cells") == std::vector<uint32_t>{0});
        CHECK(node->prop("msi-controller") != nullptr);
        CHECK(node->prop("interrupt-controller") != nullptr);
        CHECK(cells("interrupts-extended") == std::vector<uint32_t>{11, pin, 22, pin});
        CHECK(cells("riscv,num-ids") == std::vector<uint32_t>{255});
        CHECK(node->prop("riscv,hart-index-bits") == nullptr); // the default
    }
    CHECK(ctx.phandle_of(b.imsic->dt_msi_parent(false)) !=
          ctx.phandle_of(b.imsic->dt_msi_parent(true)));
}
