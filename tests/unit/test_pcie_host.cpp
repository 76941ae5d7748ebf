// The PCIe host bridge on its own: ECAM decoding, configuration reads of
// empty slots, the forwarding windows' master aborts, the device-tree node
// and the checks on its parameters.
#include "models/pcie/pcie_host.h"
#include "support/device_config.h"
#include "support/tlm_initiator.h"

#include <catch2/catch.hpp>

using namespace nvsoc;
using namespace nvsoc::test;

namespace {
constexpr uint64_t kEcam = 0x30000000;

struct Bench {
    std::unique_ptr<Device> dev;
    TlmInitiator cpu;
    std::vector<std::unique_ptr<TlmInitiator>> window_cpus;
    std::vector<Device::Window> windows;
    explicit Bench(const std::map<std::string, std::string>& params = {}) {
        dev = make_device("pcie-host", "pcie", kEcam, params);
        cpu.socket.bind(dev->target);
        windows = dev->windows();
        for (auto& w : windows) {
            window_cpus.push_back(std::make_unique<TlmInitiator>());
            window_cpus.back()->socket.bind(*w.socket);
        }
        elaborate();
    }
};

uint64_t ecam(unsigned bus, unsigned dev, unsigned fn, unsigned reg) {
    return (uint64_t{bus} << 20) | (dev << 15) | (fn << 12) | reg;
}
} // namespace

TEST_CASE("pcie-host: ECAM offsets decode to bus, device, function and register") {
    auto a = PcieHost::decode_ecam(ecam(0x12, 0x1f, 5, 0x3fc));
    CHECK(a.bus == 0x12);
    CHECK(a.device == 0x1f);
    CHECK(a.function == 5);
    CHECK(a.reg == 0x3fc);
    auto z = PcieHost::decode_ecam(ecam(0, 0, 0, 0));
    CHECK((z.bus | z.device | z.function | z.reg) == 0);
}

TEST_CASE("pcie-host: configuration reads of empty slots return all ones") {
    Bench b;
    // Vendor/device ID of 00:00.0 and of the last function on the last bus.
    CHECK(b.cpu.read(ecam(0, 0, 0, 0), 4) == 0xffffffff);
    CHECK(b.cpu.last_status == tlm::TLM_OK_RESPONSE);
    CHECK(b.cpu.read(ecam(255, 31, 7, 0xffc), 4) == 0xffffffff);
    CHECK(b.cpu.read(ecam(0, 3, 0, 0xe), 2) == 0xffff);
    CHECK(b.cpu.read(ecam(0, 3, 0, 0xf), 1) == 0xff);
    // Writes to nothing complete and change nothing.
    CHECK(b.cpu.write(ecam(0, 0, 0, 0x10), 0x12345678, 4) == tlm::TLM_OK_RESPONSE);
    CHECK(b.cpu.read(ecam(0, 0, 0, 0x10), 4) == 0xffffffff);
}

TEST_CASE("pcie-host: misaligned and 8-byte configuration accesses are bus errors") {
    Bench b;
    b.cpu.read(ecam(0, 0, 0, 2), 4);
    CHECK(b.cpu.last_status == tlm::TLM_ADDRESS_ERROR_RESPONSE);
    b.cpu.read(ecam(0, 0, 0, 1), 2);
    CHECK(b.cpu.last_status == tlm::TLM_ADDRESS_ERROR_RESPONSE);
    b.cpu.read(ecam(0, 0, 0, 0), 8);
    CHECK(b.cpu.last_status == tlm::TLM_ADDRESS_ERROR_RESPONSE);
}

TEST_CASE("pcie-host: the ECAM size sets the number of buses") {
    auto c = make_config("pcie-host", "pcie", kEcam);
    c.size = 16ull << 20;
    auto dev = ModelRegistry::instance().create_device(c);
    CHECK(static_cast<PcieHost&>(*dev).buses() == 16);
    c.size = (16ull << 20) + 4096;
    CHECK_THROWS_WITH(ModelRegistry::instance().create_device(c),
                      Catch::Contains("whole number of MiB (1 MiB per bus)"));
    c.size = 512ull << 20;
    CHECK_THROWS_WITH(ModelRegistry::instance().create_device(c),
                      Catch::Contains("at most 256 MiB"));
}

TEST_CASE("pcie-host: windows answer unclaimed accesses with a master abort") {
    Bench b;
    REQUIRE(b.windows.size() == 3);
    CHECK(b.windows[0].name == "pcie.io");
    CHECK(b.windows[0].base == 0x3000000);
    CHECK(b.windows[0].size == 0x10000);
    CHECK(b.windows[1].name == "pcie.mmio");
    CHECK(b.windows[1].base == 0x40000000);
    CHECK(b.windows[1].size == 0x40000000);
    CHECK(b.windows[2].name == "pcie.mmio64");
    CHECK(b.windows[2].base == 0x400000000);
    CHECK(b.windows[2].size == 0x400000000);
    for (auto& cpu : b.window_cpus) {
        CHECK(cpu->read(0x100, 4) == 0xffffffff);
        CHECK(cpu->last_status == tlm::TLM_OK_RESPONSE);
        CHECK(cpu->read(0x100, 8) == ~uint64_t{0});
        CHECK(cpu->write(0x100, 0, 4) == tlm::TLM_OK_RESPONSE);
    }
    nlohmann::json stats;
    b.dev->stats(stats);
    CHECK(stats["master_aborts"]["mmio"] == 3);
    CHECK(stats["master_aborts"]["io"] == 3);
}

TEST_CASE("pcie-host: a window of size 0 is absent from the map and the ranges") {
    auto dev = make_device("pcie-host", "pcie", kEcam, {{"io-size", "0"}});
    auto windows = dev->windows();
    REQUIRE(windows.size() == 2);
    CHECK(windows[0].name == "pcie.mmio");
    DeviceTree tree;
    DtContext ctx(tree, {});
    dev->describe_dt(ctx);
    const DtNode* node = tree.root().find_child("soc")->find_child("pci@30000000");
    REQUIRE(node);
    CHECK(node->prop("ranges")->cells.size() == 14); // two 7-cell entries
    CHECK(node->prop("ranges")->cells[0] == 0x02000000);
}

TEST_CASE("pcie-host: the 32-bit window must end below 4 GiB") {
    auto c = make_config("pcie-host", "pcie", kEcam,
                         {{"mmio-base", "0xc0000000"}, {"mmio-size", "2GiB"}});
    CHECK_THROWS_WITH(ModelRegistry::instance().create_device(c),
                      Catch::Contains("must lie below 4 GiB"));
}

TEST_CASE("pcie-host: INTx lines come as four or not at all") {
    auto c = make_config("pcie-host", "pcie", kEcam);
    c.irqs = {IrqRef{"", 32, {}}, IrqRef{"", 33, {}}};
    CHECK_THROWS_WITH(ModelRegistry::instance().create_device(c),
                      Catch::Contains("four INTx lines"));
}

TEST_CASE("pcie-host: the interrupt-map swizzles INTx across device numbers") {
    auto c = make_config("pcie-host", "pcie", kEcam);
    c.irqs = {IrqRef{"plic", 32, {}}, IrqRef{"plic", 33, {}}, IrqRef{"plic", 34, {}},
              IrqRef{"plic", 35, {}}};
    auto dev = ModelRegistry::instance().create_device(c);
    DeviceTree tree;
    DtContext ctx(tree, {});
    uint32_t plic = ctx.phandle_of("plic");
    dev->describe_dt(ctx);
    const DtNode* node = tree.root().find_child("soc")->find_child("pci@30000000");
    REQUIRE(node);
    const auto& map = node->prop("interrupt-map")->cells;
    REQUIRE(map.size() == 16 * 6);
    // Entry for device d, pin p: {d << 11, 0, 0, p, plic, line}.
    auto line = [&](unsigned d, unsigned p) {
        const uint32_t* e = &map[(d * 4 + (p - 1)) * 6];
        CHECK(e[0] == d << 11);
        CHECK(e[3] == p);
        CHECK(e[4] == plic);
        return e[5];
    };
    CHECK(line(0, 1) == 32); // INTA of device 0
    CHECK(line(0, 4) == 35);
    CHECK(line(1, 1) == 33); // INTA of device 1 lands on the second line
    CHECK(line(3, 2) == 32);
    CHECK(node->prop("interrupt-map-mask")->cells == std::vector<uint32_t>{0x1800, 0, 0, 7});
    CHECK(node->prop("bus-range")->cells == std::vector<uint32_t>{0, 255});
}
