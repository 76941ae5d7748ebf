#include "models/core/router.h"
#include "support/device_config.h"
#include "support/tlm_initiator.h"

#include <catch2/catch.hpp>

using namespace nvsoc;
using namespace nvsoc::test;

namespace {
DeviceConfig ram_config(const std::string& name, uint64_t size) {
    DeviceConfig c = make_config("ram", name, 0);
    c.size = size;
    return c;
}
} // namespace

TEST_CASE("router: routes by address with target-relative offsets") {
    Router bus("bus");
    auto a = ModelRegistry::instance().create_device(ram_config("a", 0x1000));
    auto b = ModelRegistry::instance().create_device(ram_config("b", 0x1000));
    bus.map(a->target, 0x10000, 0x1000, "a", {"cfg", 1, 1});
    bus.map(b->target, 0x20000, 0x1000, "b", {"cfg", 2, 1});
    TlmInitiator cpu;
    cpu.socket.bind(bus.target);
    elaborate();

    cpu.write32(0x10010, 0x11111111);
    cpu.write32(0x20010, 0x22222222);
    CHECK(cpu.read32(0x10010) == 0x11111111);
    CHECK(cpu.read32(0x20010) == 0x22222222);
    REQUIRE(bus.decode(0x10fff)->name == "a");
    CHECK(bus.decode(0x11000) == nullptr);
    CHECK(bus.decode(0x0) == nullptr);
}

TEST_CASE("router: unmapped addresses get an address error") {
    Router bus("bus");
    auto a = ModelRegistry::instance().create_device(ram_config("a", 0x1000));
    bus.map(a->target, 0x10000, 0x1000, "a", {"cfg", 1, 1});
    TlmInitiator cpu;
    cpu.socket.bind(bus.target);
    elaborate();
    cpu.read32(0x30000);
    CHECK(cpu.last_status == tlm::TLM_ADDRESS_ERROR_RESPONSE);
    cpu.read(0x10ffc, 8); // straddles the end of the mapping
    CHECK(cpu.last_status == tlm::TLM_ADDRESS_ERROR_RESPONSE);
    CHECK(bus.unmapped_accesses() == 2);
    cpu.read32(0x10ffc);
    CHECK(cpu.last_status == tlm::TLM_OK_RESPONSE);
}

TEST_CASE("router: overlapping mappings are refused with both places named") {
    Router bus("bus");
    auto a = ModelRegistry::instance().create_device(ram_config("a", 0x2000));
    auto b = ModelRegistry::instance().create_device(ram_config("b", 0x1000));
    bus.map(a->target, 0x10000, 0x2000, "a", {"cfg.yaml", 4, 3});
    CHECK_THROWS_WITH(bus.map(b->target, 0x11000, 0x1000, "b", {"cfg.yaml", 9, 3}),
                      "cfg.yaml:9:3: error: 'b' [0x11000, 0x12000) overlaps 'a' [0x10000, "
                      "0x12000) declared at cfg.yaml:4:3: move one of them or shrink its size");
}

TEST_CASE("router: empty and wrapping ranges are refused") {
    Router bus("bus");
    auto a = ModelRegistry::instance().create_device(ram_config("a", 0x1000));
    CHECK_THROWS_WITH(bus.map(a->target, 0x1000, 0, "a", {"c", 1, 1}),
                      Catch::Contains("has size 0"));
    CHECK_THROWS_WITH(bus.map(a->target, 0xfffffffffffff000ull, 0x2000, "a", {"c", 1, 1}),
                      Catch::Contains("runs past the end of the 64-bit address space"));
}

TEST_CASE("router: DMI ranges come back in system addresses") {
    Router bus("bus");
    auto a = ModelRegistry::instance().create_device(ram_config("a", 0x4000));
    bus.map(a->target, 0x80000000, 0x4000, "a", {"cfg", 1, 1});
    TlmInitiator cpu;
    cpu.socket.bind(bus.target);
    elaborate();
    tlm::tlm_generic_payload tx;
    tx.set_address(0x80001000);
    tx.set_command(tlm::TLM_READ_COMMAND);
    tlm::tlm_dmi dmi;
    REQUIRE(cpu.socket->get_direct_mem_ptr(tx, dmi));
    CHECK(dmi.get_start_address() == 0x80000000);
    CHECK(dmi.get_end_address() == 0x80003fff);
    cpu.write32(0x80000040, 0xcafef00d);
    uint32_t through_dmi;
    std::memcpy(&through_dmi, dmi.get_dmi_ptr() + 0x40, 4);
    CHECK(through_dmi == 0xcafef00d);
}
