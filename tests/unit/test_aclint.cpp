// ACLINT (CLINT layout): msip, mtimecmp and mtime registers, mtime derived
// from simulated time, and MTIP rising at exactly the compare time.
#include "models/irq/aclint.h"
#include "support/device_config.h"
#include "support/tlm_initiator.h"

#include <catch2/catch.hpp>

using namespace nvsoc;
using nvsoc::test::IrqProbe;
using nvsoc::test::TlmInitiator;
using sc_core::SC_MS;
using sc_core::SC_NS;
using sc_core::SC_PS;
using sc_core::sc_time;
using sc_core::SC_US;

namespace {

using Overrides = std::map<std::string, std::string>;

constexpr uint64_t kMsip = 0x0;
constexpr uint64_t kMtimecmp = 0x4000;
constexpr uint64_t kMtime = 0xBFF8;

// One ACLINT with an initiator on its socket and a probe on its lines:
// msip of hart h on probe line h, mtip of hart h on probe line 32 + h.
struct Bench {
    std::unique_ptr<Device> dev;
    Aclint* clint = nullptr;
    TlmInitiator init;
    IrqProbe probe;

    explicit Bench(const Overrides& params = {}, unsigned harts = 1) {
        dev = nvsoc::test::make_device("aclint", "clint", 0x2000000, params, harts);
        clint = dynamic_cast<Aclint*>(dev.get());
        REQUIRE(clint != nullptr);
        init.socket.bind(dev->target);
        for (unsigned h = 0; h < harts; ++h) {
            clint->msip_out[h].connect(probe, h);
            clint->mtip_out[h].connect(probe, 32 + h);
        }
        nvsoc::test::elaborate();
    }

    // The helpers access at the current simulated time (no annotated delay:
    // the initiator would otherwise accumulate 10 ns of latency per access).
    uint64_t read64(uint64_t off) {
        init.delay = sc_core::SC_ZERO_TIME;
        uint64_t v = init.read(off, 8);
        REQUIRE(init.last_status == tlm::TLM_OK_RESPONSE);
        return v;
    }
    uint32_t read32(uint64_t off) {
        init.delay = sc_core::SC_ZERO_TIME;
        uint32_t v = init.read32(off);
        REQUIRE(init.last_status == tlm::TLM_OK_RESPONSE);
        return v;
    }
    void write64(uint64_t off, uint64_t v) {
        init.delay = sc_core::SC_ZERO_TIME;
        REQUIRE(init.write(off, v, 8) == tlm::TLM_OK_RESPONSE);
    }
    void write32(uint64_t off, uint32_t v) {
        init.delay = sc_core::SC_ZERO_TIME;
        REQUIRE(init.write(off, v, 4) == tlm::TLM_OK_RESPONSE);
    }
    bool mtip(unsigned h) const { return probe.levels[32 + h]; }
};

// Advances simulated time by `t` and runs what is due at the new time:
// sc_start(t) stops before evaluating processes at t, a zero-time start then
// runs them.
void run(const sc_time& t) {
    sc_core::sc_start(t);
    sc_core::sc_start(sc_core::SC_ZERO_TIME);
}

} // namespace

TEST_CASE("aclint: registration and reset values") {
    const ModelInfo* info = ModelRegistry::instance().find("aclint");
    REQUIRE(info != nullptr);
    CHECK(info->default_size == 0x10000);
    CHECK(info->irq_outputs == 0);

    Bench b({}, 2);
    CHECK(b.clint->timebase() == 10'000'000);
    CHECK(b.clint->msip_out.size() == 2);
    CHECK(b.clint->mtip_out.size() == 2);
    for (unsigned h = 0; h < 2; ++h) {
        CHECK(b.read32(kMsip + 4 * h) == 0);
        CHECK(b.read64(kMtimecmp + 8 * h) == ~0ull);
        CHECK(b.read32(kMtimecmp + 8 * h) == 0xFFFFFFFFu);
        CHECK(b.read32(kMtimecmp + 8 * h + 4) == 0xFFFFFFFFu);
        CHECK_FALSE(b.probe.levels[h]);
        CHECK_FALSE(b.mtip(h));
    }
    CHECK(b.read64(kMtime) == 0);
    CHECK(b.clint->mtime() == 0);

    // An all-ones mtimecmp never fires, however long we wait.
    run(sc_time(10, SC_MS));
    CHECK_FALSE(b.mtip(0));
    CHECK_FALSE(b.mtip(1));

    // reset() brings everything back: msip 0, mtimecmp all-ones, mtime 0.
    b.write32(kMsip, 1);
    b.write64(kMtimecmp + 8, 5);
    CHECK(b.probe.levels[0]);
    CHECK(b.mtip(1));
    b.clint->reset();
    CHECK_FALSE(b.probe.levels[0]);
    CHECK_FALSE(b.mtip(1));
    CHECK(b.read32(kMsip) == 0);
    CHECK(b.read64(kMtimecmp + 8) == ~0ull);
    CHECK(b.clint->mtime() == 0);
    CHECK(b.read64(kMtime) == 0);
    run(sc_time(1, SC_US));
    CHECK(b.clint->mtime() == 10);
}

TEST_CASE("aclint: msip drives msip_out and keeps only bit 0") {
    Bench b({}, 2);
    b.write32(kMsip + 4, 0xFFFFFFFF);
    CHECK(b.read32(kMsip + 4) == 1);
    CHECK(b.probe.levels[1]);
    CHECK_FALSE(b.probe.levels[0]);
    CHECK(b.read32(kMsip) == 0);

    b.write32(kMsip + 4, 0xFFFFFFFE); // bit 0 clear: line drops
    CHECK(b.read32(kMsip + 4) == 0);
    CHECK_FALSE(b.probe.levels[1]);

    b.write32(kMsip, 1);
    CHECK(b.probe.levels[0]);
    CHECK(b.probe.rising[0] == 1);
    CHECK(b.probe.rising[1] == 1);
}

TEST_CASE("aclint: mtime counts at 10 MHz") {
    Bench b;
    run(sc_time(1, SC_MS));
    CHECK(b.clint->mtime() == 10000);
    CHECK(b.read64(kMtime) == 10000);
    // 99.999 ns more is still within the same tick, 100 ns is the next.
    run(sc_time(99'999, SC_PS));
    CHECK(b.clint->mtime() == 10000);
    run(sc_time(1, SC_PS));
    CHECK(b.clint->mtime() == 10001);
}

TEST_CASE("aclint: mtime counts at a configured timebase") {
    Bench b(Overrides{{"timebase", "3MHz"}});
    CHECK(b.clint->timebase() == 3'000'000);
    run(sc_time(1, SC_MS));
    CHECK(b.clint->mtime() == 3000);
    // Tick 3001 starts at ceil(3001 / 3 MHz) = 1000333334 ps.
    run(sc_time(333'333, SC_PS));
    CHECK(b.clint->mtime() == 3000);
    run(sc_time(1, SC_PS));
    CHECK(b.clint->mtime() == 3001);
}

TEST_CASE("aclint: mtime write reads back and keeps counting") {
    Bench b;
    run(sc_time(1, SC_MS));
    b.write64(kMtime, 0x123456789ull);
    CHECK(b.read64(kMtime) == 0x123456789ull);
    CHECK(b.clint->mtime() == 0x123456789ull);
    run(sc_time(10, SC_US));
    CHECK(b.clint->mtime() == 0x123456789ull + 100);

    // Writing a smaller value moves mtime back.
    b.write64(kMtime, 7);
    CHECK(b.clint->mtime() == 7);
    run(sc_time(1, SC_US));
    CHECK(b.read64(kMtime) == 17);
}

TEST_CASE("aclint: 32-bit halves of mtimecmp and mtime") {
    Bench b;
    b.write32(kMtimecmp, 0x89ABCDEF);
    CHECK(b.read64(kMtimecmp) == 0xFFFFFFFF89ABCDEFull);
    b.write32(kMtimecmp + 4, 0x01234567);
    CHECK(b.read64(kMtimecmp) == 0x0123456789ABCDEFull);
    CHECK(b.read32(kMtimecmp) == 0x89ABCDEFu);
    CHECK(b.read32(kMtimecmp + 4) == 0x01234567u);
    CHECK(b.clint->mtimecmp(0) == 0x0123456789ABCDEFull);

    // mtime halves: the other half keeps its current (counting) value.
    b.write32(kMtime + 4, 5);
    CHECK(b.read64(kMtime) == 0x500000000ull);
    b.write32(kMtime, 0xFFFFFFF0);
    CHECK(b.read64(kMtime) == 0x5FFFFFFF0ull);
    run(sc_time(2, SC_US)); // 20 ticks: the low half carries into the high half
    CHECK(b.read32(kMtime) == 0x4u);
    CHECK(b.read32(kMtime + 4) == 0x6u);
    b.write32(kMtime + 4, 0);
    CHECK(b.read64(kMtime) == 4);
}

TEST_CASE("aclint: MTIP rises exactly at the compare time") {
    Bench b;
    b.write64(kMtimecmp, 50); // 50 ticks of 100 ns: 5 us
    CHECK_FALSE(b.mtip(0));
    run(sc_time(5'000'000 - 1, SC_PS));
    CHECK(b.clint->mtime() == 49);
    CHECK_FALSE(b.mtip(0));
    run(sc_time(1, SC_PS));
    CHECK(b.clint->mtime() == 50);
    CHECK(b.mtip(0));
    CHECK(b.probe.rising[32] == 1);
    // It stays high while mtime >= mtimecmp.
    run(sc_time(1, SC_MS));
    CHECK(b.mtip(0));
    CHECK(b.probe.rising[32] == 1);
}

TEST_CASE("aclint: MTIP timing is exact at a timebase that does not divide a second") {
    Bench b(Overrides{{"timebase", "3MHz"}});
    b.write64(kMtimecmp, 10); // tick 10 starts at ceil(10 / 3 MHz) = 3333334 ps
    run(sc_time(3'333'333, SC_PS));
    CHECK(b.clint->mtime() == 9);
    CHECK_FALSE(b.mtip(0));
    run(sc_time(1, SC_PS));
    CHECK(b.clint->mtime() == 10);
    CHECK(b.mtip(0));
}

TEST_CASE("aclint: MTIP falls when mtimecmp moves into the future") {
    Bench b;
    b.write64(kMtimecmp, 10);
    run(sc_time(2, SC_US)); // mtime 20
    CHECK(b.mtip(0));
    b.write64(kMtimecmp, 30); // 3 us
    CHECK_FALSE(b.mtip(0));
    run(sc_time(1, SC_US) - sc_time(1, SC_PS));
    CHECK_FALSE(b.mtip(0));
    run(sc_time(1, SC_PS));
    CHECK(b.mtip(0));
    CHECK(b.probe.rising[32] == 2);

    // Moving it into the past raises it at once; all-ones lowers it for good.
    b.write64(kMtimecmp, ~0ull);
    CHECK_FALSE(b.mtip(0));
    b.write64(kMtimecmp, 0);
    CHECK(b.mtip(0));
    b.write64(kMtimecmp, ~0ull);
    run(sc_time(10, SC_MS));
    CHECK_FALSE(b.mtip(0));
}

TEST_CASE("aclint: a timer armed earlier is replaced by a later one") {
    Bench b;
    b.write64(kMtimecmp, 10);  // would fire at 1 us
    b.write64(kMtimecmp, 100); // now fires at 10 us
    run(sc_time(5, SC_US));
    CHECK_FALSE(b.mtip(0));
    run(sc_time(5, SC_US) - sc_time(1, SC_PS));
    CHECK_FALSE(b.mtip(0));
    run(sc_time(1, SC_PS));
    CHECK(b.mtip(0));
    CHECK(b.probe.rising[32] == 1);
}

TEST_CASE("aclint: writing mtime reschedules MTIP") {
    Bench b;
    b.write64(kMtimecmp, 1000);
    b.write64(kMtime, 990); // 10 ticks to go: 1 us
    run(sc_time(1, SC_US) - sc_time(1, SC_PS));
    CHECK_FALSE(b.mtip(0));
    run(sc_time(1, SC_PS));
    CHECK(b.mtip(0));
    // Moving mtime back below mtimecmp lowers the line.
    b.write64(kMtime, 0);
    CHECK_FALSE(b.mtip(0));
    // And moving it past mtimecmp raises it at once.
    b.write64(kMtime, 5000);
    CHECK(b.mtip(0));
}

TEST_CASE("aclint: per-hart timers and msip are independent") {
    Bench b({}, 3);
    b.write64(kMtimecmp + 0, 10);
    b.write64(kMtimecmp + 8, 20);
    b.write64(kMtimecmp + 16, 15);
    run(sc_time(1, SC_US));
    CHECK(b.mtip(0));
    CHECK_FALSE(b.mtip(1));
    CHECK_FALSE(b.mtip(2));
    run(sc_time(500, SC_NS));
    CHECK(b.mtip(0));
    CHECK_FALSE(b.mtip(1));
    CHECK(b.mtip(2));
    run(sc_time(500, SC_NS));
    CHECK(b.mtip(1));

    // Rearming one hart leaves the others alone.
    b.write64(kMtimecmp + 8, 100);
    CHECK(b.mtip(0));
    CHECK_FALSE(b.mtip(1));
    CHECK(b.mtip(2));

    b.write32(kMsip + 8, 1);
    CHECK(b.probe.levels[2]);
    CHECK_FALSE(b.probe.levels[0]);
    CHECK_FALSE(b.probe.levels[1]);
}

TEST_CASE("aclint: annotated delay counts towards mtime") {
    Bench b;
    TlmInitiator& init = b.init; // raw accesses: keep the delay we set
    init.delay = sc_time(1, SC_US);
    CHECK(init.read(kMtime, 8) == 10);
    CHECK(init.delay == sc_time(1010, SC_NS)); // plus the access latency
    CHECK(b.clint->mtime() == 0);              // simulated time has not moved
    init.delay = sc_time(250, SC_NS);
    CHECK(init.read32(kMtime) == 2);
    init.delay = sc_time(99'999, SC_PS);
    CHECK(init.read32(kMtime) == 0);

    // A write lands at its annotated time: mtime reads back the written
    // value at that moment.
    init.delay = sc_time(1, SC_US);
    CHECK(init.write(kMtime, 100, 8) == tlm::TLM_OK_RESPONSE);
    init.delay = sc_time(1, SC_US);
    CHECK(init.read(kMtime, 8) == 100);
    CHECK(b.clint->mtime() == 90);

    // mtimecmp is compared at the access's local time too.
    init.delay = sc_time(2, SC_US);
    CHECK(init.write(kMtimecmp, 110, 8) == tlm::TLM_OK_RESPONSE); // local mtime is 110
    CHECK(b.mtip(0));

    // A compare time beyond the local time is still met at its exact
    // simulated time: mtime 120 is reached at 3 us.
    init.delay = sc_time(2, SC_US);
    CHECK(init.write(kMtimecmp, 120, 8) == tlm::TLM_OK_RESPONSE);
    CHECK_FALSE(b.mtip(0));
    run(sc_time(3, SC_US) - sc_time(1, SC_PS));
    CHECK_FALSE(b.mtip(0));
    run(sc_time(1, SC_PS));
    CHECK(b.mtip(0));
}

TEST_CASE("aclint: bad accesses and a too-small window") {
    // Modules can only be created before the simulation starts.
    DeviceConfig c = nvsoc::test::make_config("aclint", "clint2", 0, {}, 1);
    c.size = 0x1000;
    REQUIRE_THROWS_AS(ModelRegistry::instance().create_device(c), InputError);

    Bench b;
    CHECK(b.init.write(0x8000, 1, 4) == tlm::TLM_ADDRESS_ERROR_RESPONSE);
    CHECK(b.init.write(kMtime + 2, 1, 8) == tlm::TLM_ADDRESS_ERROR_RESPONSE);
    CHECK(b.init.write(kMsip + 1, 1, 4) == tlm::TLM_ADDRESS_ERROR_RESPONSE);
}

TEST_CASE("aclint: device tree node") {
    Bench b(Overrides{{"timebase", "1MHz"}}, 2);
    DeviceTree tree;
    DtContext ctx(tree, {11, 22});
    b.dev->describe_dt(ctx);
    const DtNode* soc = tree.root().find_child("soc");
    REQUIRE(soc != nullptr);
    const DtNode* node = soc->find_child("clint@2000000");
    REQUIRE(node != nullptr);
    const DtProperty* compat = node->prop("compatible");
    REQUIRE(compat != nullptr);
    CHECK(compat->strings == std::vector<std::string>{"sifive,clint0", "riscv,clint0"});
    const DtProperty* reg = node->prop("reg");
    REQUIRE(reg != nullptr);
    CHECK(reg->cells == std::vector<uint32_t>{0, 0x2000000, 0, 0x10000});
    const DtProperty* ie = node->prop("interrupts-extended");
    REQUIRE(ie != nullptr);
    CHECK(ie->cells == std::vector<uint32_t>{11, 3, 11, 7, 22, 3, 22, 7});
    const DtNode* cpus = tree.root().find_child("cpus");
    REQUIRE(cpus != nullptr);
    const DtProperty* tb = cpus->prop("timebase-frequency");
    REQUIRE(tb != nullptr);
    CHECK(tb->cells == std::vector<uint32_t>{1'000'000});
}
