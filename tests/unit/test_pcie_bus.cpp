// Configuration-request routing: functions on a bus, bridges forwarding by
// the bus numbers software programs, links carrying only device 0, and the
// host bridge's ECAM window reaching attached functions.
#include "models/pcie/pci_bus.h"
#include "models/pcie/pcie_host.h"
#include "support/device_config.h"
#include "support/tlm_initiator.h"

#include <catch2/catch.hpp>

using namespace nvsoc;
using namespace nvsoc::pcie;
using namespace nvsoc::test;

namespace {
Identity endpoint_id(uint16_t device) {
    Identity id;
    id.vendor_id = 0x104c;
    id.device_id = device;
    id.class_code = 0xff0000;
    return id;
}
Identity bridge_id() {
    Identity id;
    id.vendor_id = 0x1b36;
    id.device_id = 0x000c;
    id.class_code = 0x060400; // PCI-to-PCI bridge
    return id;
}
// Programs a bridge's Primary/Secondary/Subordinate Bus Numbers as
// enumeration software does (one dword at 0x18).
void set_buses(ConfigSpace& bridge, unsigned primary, unsigned secondary, unsigned subordinate) {
    REQUIRE(bridge.write(cfg::kPrimaryBus, primary | (secondary << 8) | (subordinate << 16), 4));
}
} // namespace

TEST_CASE("pci-bus: functions answer at their device and function only") {
    PciBus bus;
    ConfigSpace ep(endpoint_id(0xb500));
    bus.attach(2, 0, ep);
    CHECK(bus.route(0, 0, 2, 0) == &ep);
    CHECK(bus.route(0, 0, 2, 1) == nullptr);
    CHECK(bus.route(0, 0, 3, 0) == nullptr);
    CHECK(bus.route(0, 1, 2, 0) == nullptr); // no bridge forwards bus 1
}

TEST_CASE("pci-bus: a bridge forwards only the buses software gave it") {
    PciBus root, below(true);
    ConfigSpace port(bridge_id(), BridgeOptions{});
    ConfigSpace ep(endpoint_id(0xb500));
    root.attach(1, 0, port, &below);
    below.attach(0, 0, ep);
    // Before enumeration the bridge's bus numbers are 0: nothing passes.
    CHECK(root.route(0, 1, 0, 0) == nullptr);
    set_buses(port, 0, 1, 1);
    CHECK(root.route(0, 1, 0, 0) == &ep);
    CHECK(root.route(0, 2, 0, 0) == nullptr); // beyond the subordinate bus
    CHECK(root.route(0, 0, 1, 0) == &port);   // the bridge itself, on bus 0
}

TEST_CASE("pci-bus: below a downstream port only device 0 exists") {
    PciBus root, link(true);
    ConfigSpace port(bridge_id(), BridgeOptions{});
    ConfigSpace ep(endpoint_id(0xb500));
    root.attach(1, 0, port, &link);
    link.attach(0, 0, ep);
    set_buses(port, 0, 1, 1);
    CHECK(root.route(0, 1, 0, 0) == &ep);
    CHECK(root.route(0, 1, 1, 0) == nullptr);
    CHECK(root.route(0, 1, 31, 0) == nullptr);
    ConfigSpace other(endpoint_id(0xb501));
    CHECK_THROWS_WITH(link.attach(1, 0, other), Catch::Contains("only device 0"));
}

TEST_CASE("pci-bus: requests pass through a switch to the bus behind it") {
    // Root port (bus 0 dev 1) -> switch upstream port (bus 1) -> downstream
    // port (bus 2 dev 0) -> endpoint (bus 3).
    PciBus root, link1(true), internal, link2(true);
    ConfigSpace rp(bridge_id(), BridgeOptions{}), up(bridge_id(), BridgeOptions{}),
        down(bridge_id(), BridgeOptions{});
    ConfigSpace ep(endpoint_id(0xb500));
    root.attach(1, 0, rp, &link1);
    link1.attach(0, 0, up, &internal);
    internal.attach(0, 0, down, &link2);
    link2.attach(0, 0, ep);
    set_buses(rp, 0, 1, 3);
    set_buses(up, 1, 2, 3);
    set_buses(down, 2, 3, 3);
    CHECK(root.route(0, 1, 0, 0) == &up);
    CHECK(root.route(0, 2, 0, 0) == &down);
    CHECK(root.route(0, 3, 0, 0) == &ep);
    set_buses(down, 2, 3, 2); // a subordinate below the secondary forwards nothing
    CHECK(root.route(0, 3, 0, 0) == nullptr);
}

TEST_CASE("pci-bus: impossible topologies are refused") {
    PciBus bus;
    ConfigSpace a(endpoint_id(1)), b(endpoint_id(2));
    PciBus behind;
    bus.attach(0, 0, a);
    CHECK_THROWS_WITH(bus.attach(0, 0, b), Catch::Contains("already taken"));
    CHECK_THROWS_WITH(bus.attach(32, 0, b), Catch::Contains("out of range"));
    CHECK_THROWS_WITH(bus.attach(1, 0, b, &behind), Catch::Contains("only a type 1"));
}

TEST_CASE("pcie-host: ECAM reaches functions attached to the root bus") {
    // Windows left out: this test needs only the ECAM socket bound.
    auto dev = make_device("pcie-host", "pcie", 0x30000000,
                           {{"io-size", "0"}, {"mmio-size", "0"}, {"mmio64-size", "0"}});
    auto& host = static_cast<PcieHost&>(*dev);
    ConfigSpace ep(endpoint_id(0xb500));
    ep.set_bar(0, BarSpec{4096, BarKind::Memory32, false});
    host.root_bus().attach(3, 0, ep);
    TlmInitiator cpu;
    cpu.socket.bind(dev->target);
    elaborate();
    const uint64_t fn = (3u << 15);
    CHECK(cpu.read(fn + 0, 4) == 0xb500104c); // device ID : vendor ID
    CHECK(cpu.read(fn + 2, 2) == 0xb500);
    // BAR sizing through the ECAM window, as Linux does it.
    cpu.write(fn + 0x10, 0xffffffff, 4);
    CHECK(cpu.read(fn + 0x10, 4) == 0xfffff000);
    cpu.write(fn + 0x10, 0x40000000, 4);
    CHECK(ep.bar_address(0) == 0x40000000);
    CHECK(cpu.read((4u << 15), 4) == 0xffffffff); // the next slot is empty
}

TEST_CASE("pci-bus: a link carries nothing while its data link layer is down") {
    PciBus root, link(true);
    ConfigSpace port(bridge_id(), BridgeOptions{});
    ConfigSpace ep(endpoint_id(0xb500));
    ep.set_bar(0, {4096, BarKind::Memory32, false});
    root.attach(1, 0, port, &link);
    link.attach(0, 0, ep);
    set_buses(port, 0, 1, 1);
    ep.write(cfg::kBar0, 0x40000000, 4);
    ep.write(cfg::kCommand, cfg::command::kMemorySpace, 2);
    bool up = false;
    link.set_link_up_test([&] { return up; });
    CHECK(root.route(0, 1, 0, 0) == nullptr);
    CHECK_FALSE(link.claim(Space::Memory, 0x40000010).has_value());
    up = true;
    CHECK(root.route(0, 1, 0, 0) == &ep);
    auto c = link.claim(Space::Memory, 0x40000010);
    REQUIRE(c.has_value());
    CHECK(c->bar->bar == 0);
    CHECK(c->bar->offset == 0x10);
}
