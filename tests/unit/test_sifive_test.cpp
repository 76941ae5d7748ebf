#include "models/system/sifive_test.h"
#include "support/device_config.h"
#include "support/tlm_initiator.h"

#include <catch2/catch.hpp>

using namespace nvsoc;
using namespace nvsoc::test;

namespace {
struct RecordingControl : SystemControl {
    std::vector<int> exits;
    unsigned resets = 0;
    void request_exit(int status, const std::string&) override { exits.push_back(status); }
    void request_reset(const std::string&) override { ++resets; }
};

struct Bench {
    RecordingControl control;
    std::unique_ptr<Device> dev;
    TlmInitiator cpu;
    Bench() {
        DeviceConfig c = make_config("sifive-test", "finisher", 0x100000);
        c.system = &control;
        dev = ModelRegistry::instance().create_device(c);
        cpu.socket.bind(dev->target);
        elaborate();
    }
};
} // namespace

TEST_CASE("sifive-test: pass ends the run with status 0") {
    Bench b;
    CHECK(b.cpu.read32(0) == 0);
    b.cpu.write32(0, 0x5555);
    CHECK(b.control.exits == std::vector<int>{0});
}

TEST_CASE("sifive-test: fail carries the guest's code") {
    Bench b;
    b.cpu.write32(0, (42u << 16) | 0x3333);
    b.cpu.write32(0, 0x3333);                  // code 0 must still read as failure
    b.cpu.write32(0, (0x100u << 16) | 0x3333); // truncated to 8 bits -> 0 -> 1
    CHECK(b.control.exits == std::vector<int>{42, 1, 1});
}

TEST_CASE("sifive-test: reset and unknown commands") {
    Bench b;
    b.cpu.write32(0, 0x7777);
    CHECK(b.control.resets == 1);
    b.cpu.write32(0, 0x1234);
    CHECK(b.control.exits.empty());
    CHECK(b.cpu.last_status == tlm::TLM_OK_RESPONSE);
    b.cpu.write(0, 0x5555, 2); // a 16-bit store works as well
    CHECK(b.control.exits == std::vector<int>{0});
    b.cpu.read32(0x10); // nothing else is mapped
    CHECK(b.cpu.last_status == tlm::TLM_ADDRESS_ERROR_RESPONSE);
}

TEST_CASE("sifive-test: device tree has the syscon poweroff and reboot nodes") {
    auto dev = make_device("sifive-test", "finisher", 0x100000);
    DeviceTree tree;
    DtContext ctx(tree, {});
    dev->describe_dt(ctx);
    const DtNode* node = tree.root().find_child("soc")->find_child("test@100000");
    REQUIRE(node);
    CHECK(node->prop("compatible")->strings ==
          std::vector<std::string>{"sifive,test1", "sifive,test0", "syscon"});
    uint32_t ph = node->prop("phandle")->cells.at(0);
    const DtNode* off = tree.root().find_child("poweroff");
    REQUIRE(off);
    CHECK(off->prop("regmap")->cells.at(0) == ph);
    CHECK(off->prop("value")->cells.at(0) == 0x5555);
    CHECK(tree.root().find_child("reboot")->prop("value")->cells.at(0) == 0x7777);
}
