// The platform as a whole: built from YAML, wired, loaded, and driven through
// its bus the way a hart will drive it.
#include "models/memory/bootrom.h"
#include "platforms/platform.h"
#include "support/tlm_initiator.h"

#include <catch2/catch.hpp>
#include <cstdio>
#include <fstream>
#include <libfdt.h>

using namespace nvsoc;
using namespace nvsoc::test;

namespace {

const char* const kOpenSbi = "/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_dynamic.elf";

PlatformConfig config_from(const std::string& yaml) {
    ConfigNode root = parse_config_text(yaml, "test.yaml");
    return build_platform_config(root, "test.yaml");
}

PlatformConfig shipped(const std::string& name) {
    std::string path = std::string(NVSOC_SOURCE_DIR) + "/configs/" + name;
    return build_platform_config(load_config(path), path);
}

std::string write_file(const std::string& name, const std::vector<uint8_t>& bytes) {
    std::ofstream f(name, std::ios::binary);
    f.write(reinterpret_cast<const char*>(bytes.data()), static_cast<long>(bytes.size()));
    return name;
}

uint64_t read64(Platform& p, uint64_t addr) {
    uint64_t v = 0;
    REQUIRE(p.read_memory(addr, reinterpret_cast<uint8_t*>(&v), 8));
    return v;
}

const char* const kSmall = R"(
harts: {count: 2}
memory:
  dram: {base: 0x80000000, size: 64MiB}
devices:
  bootrom:  {type: bootrom, base: 0x1000}
  finisher: {type: sifive-test, base: 0x100000}
  clint:    {type: aclint, base: 0x2000000}
  plic:     {type: plic, base: 0xc000000, size: 0x400000}
  uart0:    {type: ns16550a, base: 0x10000000, irq: 10, backend: none}
)";

} // namespace

TEST_CASE("platform: OpenSBI, kernel, initrd and device tree land where the boot protocol says") {
    PlatformConfig cfg = shipped("default.yaml");
    std::vector<uint8_t> kernel(0x1000, 0x13); // a raw payload
    std::vector<uint8_t> initrd(0x3000, 0xab);
    cfg.boot.kernel = {write_file("test_kernel.bin", kernel), {"--kernel", 0, 0}};
    cfg.boot.initrd = {write_file("test_initrd.bin", initrd), {"--initrd", 0, 0}};
    cfg.boot.bootargs = "console=ttyS0 quiet";
    Platform p("platform", cfg, nullptr);
    elaborate();
    p.load();

    // OpenSBI's ELF is linked at the start of DRAM.
    uint32_t first_word = 0;
    REQUIRE(p.read_memory(0x80000000, reinterpret_cast<uint8_t*>(&first_word), 4));
    CHECK(first_word != 0);
    CHECK(read64(p, 0x80200000) == 0x1313131313131313);
    // QEMU's rule: the top of RAM (below 3 GiB), 2 MiB aligned.
    CHECK(p.dtb_address() == 0xbfe00000);
    std::vector<uint8_t> dtb(p.dtb().size());
    REQUIRE(p.read_memory(p.dtb_address(), dtb.data(), dtb.size()));
    REQUIRE(fdt_check_header(dtb.data()) == 0);
    int chosen = fdt_path_offset(dtb.data(), "/chosen");
    REQUIRE(chosen >= 0);
    CHECK(std::string(static_cast<const char*>(
              fdt_getprop(dtb.data(), chosen, "bootargs", nullptr))) == "console=ttyS0 quiet");
    auto* start =
        static_cast<const fdt64_t*>(fdt_getprop(dtb.data(), chosen, "linux,initrd-start", nullptr));
    auto* end =
        static_cast<const fdt64_t*>(fdt_getprop(dtb.data(), chosen, "linux,initrd-end", nullptr));
    REQUIRE((start && end));
    uint64_t initrd_start = fdt64_ld(start); // DT cells are only 4-byte aligned
    CHECK(fdt64_ld(end) - initrd_start == initrd.size());
    CHECK(initrd_start == 0x80200000 + (128u << 20)); // kernel + min(RAM/2, 128 MiB)
    CHECK(read64(p, initrd_start) == 0xabababababababab);

    // The boot ROM hands over to OpenSBI's entry with the tree and the next stage.
    CHECK(read64(p, 0x1000 + BootRom::kEntryOffset) == 0x80000000);
    CHECK(read64(p, 0x1000 + BootRom::kDtbOffset) == 0xbfe00000);
    CHECK(read64(p, 0x1000 + BootRom::kFwDynamicOffset + 16) == 0x80200000);
    std::remove("test_kernel.bin");
    std::remove("test_initrd.bin");
}

TEST_CASE("platform: the DTB handed to the firmware is the tree `nvsoc dts` prints") {
    Platform p("platform", shipped("default.yaml"), nullptr);
    elaborate();
    p.load();
    std::string dts = p.device_tree().to_dts();
    std::ofstream("roundtrip.dts") << dts;
    REQUIRE(std::system("dtc -q -I dts -O dtb -o roundtrip.dtb roundtrip.dts") == 0);
    REQUIRE(std::system("dtc -q -I dtb -O dts -o from_dtc.dts roundtrip.dtb") == 0);
    write_file("ours.dtb", p.dtb());
    REQUIRE(std::system("dtc -q -I dtb -O dts -o from_ours.dts ours.dtb") == 0);
    // Both decompile to the same text: same nodes, properties and values.
    CHECK(std::system("cmp -s from_dtc.dts from_ours.dts") == 0);
}

TEST_CASE("platform: images that overlap or do not fit are refused") {
    PlatformConfig cfg = config_from(kSmall);
    cfg.boot.firmware = {write_file("fw.bin", std::vector<uint8_t>(0x300000, 1)),
                         {"--firmware", 0, 0}};
    cfg.boot.kernel = {write_file("k.bin", std::vector<uint8_t>(0x100, 2)), {"--kernel", 0, 0}};
    Platform p("platform", cfg, nullptr);
    // No elaborate(): the harts' SystemC threads must not have started when
    // the error is thrown (ASan cannot follow exceptions across coroutines).
    CHECK_THROWS_WITH(p.load(), "--kernel: error: the kernel [0x80200000, 0x80200100) overlaps "
                                "the firmware [0x80000000, 0x80300000): move one of them (e.g. "
                                "boot.kernel-addr)");
}

TEST_CASE("platform: a firmware larger than RAM is refused with its name") {
    PlatformConfig cfg = config_from(kSmall);
    cfg.boot.firmware = {write_file("huge.bin", std::vector<uint8_t>(65u << 20, 1)),
                         {"--firmware", 0, 0}};
    Platform p("platform", cfg, nullptr);
    // No elaborate(): the harts' SystemC threads must not have started when
    // the error is thrown (ASan cannot follow exceptions across coroutines).
    CHECK_THROWS_WITH(p.load(), Catch::Contains("--firmware: error: image 'huge.bin' needs "
                                                "[0x80000000, 0x84100000), which is not all RAM"));
    std::remove("huge.bin");
}

TEST_CASE("platform: --dtb replaces the tree but /chosen still gets bootargs") {
    PlatformConfig cfg = config_from(kSmall);
    DeviceTree user; // a hand-written tree: one serial port and nothing else
    user.root().set_u32("#address-cells", 2).set_u32("#size-cells", 2);
    user.root().child("soc").child("serial@10000000").set_string("compatible", "ns16550a");
    write_file("user.dtb", user.to_dtb());
    cfg.boot.dtb = {"user.dtb", {"--dtb", 0, 0}};
    cfg.boot.bootargs = "root=/dev/ram0";
    Platform p("platform", cfg, nullptr);
    elaborate();
    p.load();
    const void* fdt = p.dtb().data();
    int chosen = fdt_path_offset(fdt, "/chosen");
    REQUIRE(chosen >= 0);
    CHECK(std::string(static_cast<const char*>(fdt_getprop(fdt, chosen, "bootargs", nullptr))) ==
          "root=/dev/ram0");
    CHECK(fdt_path_offset(fdt, "/soc/serial@10000000") >= 0);
}

TEST_CASE("platform: a bad --dtb is refused") {
    PlatformConfig cfg = config_from(kSmall);
    cfg.boot.dtb = {write_file("bad.dtb", std::vector<uint8_t>(64, 0)), {"--dtb", 0, 0}};
    Platform p("platform", cfg, nullptr);
    // No elaborate(): the harts' SystemC threads must not have started when
    // the error is thrown (ASan cannot follow exceptions across coroutines).
    CHECK_THROWS_WITH(p.load(), "--dtb: error: 'bad.dtb' is not a device tree blob (compile a "
                                ".dts with dtc -O dtb)");
}

TEST_CASE("platform: the finisher ends the run with the guest's status") {
    Platform p("platform", config_from(kSmall), nullptr);
    TlmInitiator cpu;
    cpu.socket.bind(p.router().target);
    elaborate();
    p.load();
    cpu.write32(0x100000, (7u << 16) | 0x3333);
    REQUIRE(p.exit_status());
    CHECK(*p.exit_status() == 7);
    CHECK(p.stats()["exit_status"] == 7);
}

TEST_CASE("platform: a finisher reset restores devices and reloads images") {
    PlatformConfig cfg = config_from(kSmall);
    cfg.boot.firmware = {write_file("fw_reset.bin", std::vector<uint8_t>(0x100, 0x5a)),
                         {"--firmware", 0, 0}};
    Platform p("platform", cfg, nullptr);
    TlmInitiator cpu;
    cpu.socket.bind(p.router().target);
    elaborate();
    p.load();
    cpu.write(0x80000000, 0, 8);       // the guest scribbles over its firmware
    cpu.write32(0x10000000 + 7, 0x42); // and over the UART's scratch register
    cpu.write8(0x10000007, 0x42);
    cpu.write32(0x100000, 0x7777);
    CHECK(cpu.read(0x80000000, 8) == 0x5a5a5a5a5a5a5a5a);
    CHECK(cpu.read8(0x10000007) == 0);
    CHECK_FALSE(p.exit_status());
    CHECK(p.stats()["resets"] == 1);
}

TEST_CASE("platform: timer, software and external interrupts reach the right hart's pins") {
    Platform p("platform", config_from(kSmall), nullptr);
    TlmInitiator cpu;
    cpu.socket.bind(p.router().target);
    elaborate();
    p.load();
    cpu.write32(0x2000000 + 4, 1); // msip of hart 1
    CHECK(p.hart_pins(1).pending() == (1u << HartIrqPins::kMsip));
    CHECK(p.hart_pins(0).pending() == 0);
    cpu.write(0x2004000, 0, 8); // mtimecmp of hart 0 = 0: due now
    sc_core::sc_start(sc_core::sc_time(1, sc_core::SC_US));
    CHECK((p.hart_pins(0).pending() & (1u << HartIrqPins::kMtip)) != 0);

    // UART THR-empty interrupt -> PLIC source 10 -> hart 1's S-mode context (3).
    cpu.write32(0xc000000 + 4 * 10, 1);          // priority
    cpu.write32(0xc002000 + 0x80 * 3, 1u << 10); // enable in context 3
    cpu.write8(0x10000001, 0x02);                // UART IER: ETBEI
    CHECK((p.hart_pins(1).pending() & (1u << HartIrqPins::kSeip)) != 0);
    CHECK((p.hart_pins(0).pending() & (1u << HartIrqPins::kMeip)) == 0);
    CHECK(cpu.read32(0xc200000 + 0x1000 * 3 + 4) == 10); // claim
    CHECK((p.hart_pins(1).pending() & (1u << HartIrqPins::kSeip)) == 0);
}

TEST_CASE("platform: an APLIC in direct delivery serves a UART through its supervisor domain") {
    const char* const yaml = R"(
harts: {count: 2}
memory:
  dram: {base: 0x80000000, size: 64MiB}
devices:
  bootrom:  {type: bootrom, base: 0x1000}
  clint:    {type: aclint, base: 0x2000000}
  aplic:    {type: aplic, base: 0xc000000, s-base: 0xd000000, delivery: direct}
  uart0:    {type: ns16550a, base: 0x10000000, irq: 10, backend: none}
)";
    Platform p("platform", config_from(yaml), nullptr);
    TlmInitiator cpu;
    cpu.socket.bind(p.router().target);
    elaborate();
    p.load();
    constexpr uint64_t m = 0xc000000, s = 0xd000000;
    cpu.write32(m + 4 * 10, 0x400);                   // root: sourcecfg[10], delegate
    cpu.write32(s + 4 * 10, 6);                       // child: level high
    cpu.write32(s + 0x3004 + 4 * (10 - 1), 1u << 18); // to IDC 1 (hart 1), priority 1
    cpu.write32(s + 0x1EDC, 10);                      // setienum
    cpu.write32(s + 0x4000 + 0x20, 1);                // IDC 1 idelivery
    cpu.write32(s, 0x100);                            // domaincfg.IE
    cpu.write8(0x10000001, 0x02);                     // UART IER: ETBEI
    auto pin = [&](unsigned h, unsigned bit) { return (p.hart_pins(h).pending() >> bit) & 1; };
    CHECK(pin(1, HartIrqPins::kSeip));
    CHECK_FALSE(pin(0, HartIrqPins::kSeip));
    CHECK_FALSE(pin(1, HartIrqPins::kMeip));
    CHECK(cpu.read32(s + 0x4000 + 0x20 + 0x1C) == ((10u << 16) | 1)); // claimi
    CHECK(pin(1, HartIrqPins::kSeip)); // a level source stays pending
    cpu.write8(0x10000001, 0);
    CHECK_FALSE(pin(1, HartIrqPins::kSeip));

    // Devices point at the supervisor domain, with two-cell specifiers.
    const DtNode* soc = p.device_tree().root().find_child("soc");
    REQUIRE(soc);
    const DtNode* child = soc->find_child("aplic@d000000");
    const DtNode* uart = soc->find_child("serial@10000000");
    REQUIRE(child);
    REQUIRE(uart);
    CHECK(uart->prop("interrupt-parent")->cells == child->prop("phandle")->cells);
    CHECK(uart->prop("interrupts")->cells == std::vector<uint32_t>{10, 4});
}

TEST_CASE("platform: unmapped addresses are bus errors, not crashes") {
    Platform p("platform", config_from(kSmall), nullptr);
    TlmInitiator cpu;
    cpu.socket.bind(p.router().target);
    elaborate();
    // (The harts themselves run into unmapped memory here: no firmware.)
    uint64_t before = p.stats()["bus"]["unmapped_accesses"];
    cpu.read32(0x50000000);
    CHECK(cpu.last_status == tlm::TLM_ADDRESS_ERROR_RESPONSE);
    cpu.write32(0xfffffffffffffff0ull, 1);
    CHECK(cpu.last_status == tlm::TLM_ADDRESS_ERROR_RESPONSE);
    CHECK(p.stats()["bus"]["unmapped_accesses"] == before + 2);
}

TEST_CASE("platform: a 64 GiB platform starts with well under 100 MiB resident") {
    PlatformConfig cfg = shipped("default.yaml");
    cfg.memory[0].size = 64ull << 30;
    // RAM that large reaches the 64-bit PCI window at 16 GiB (QEMU virt's
    // place for it); this test is about RAM, so it drops the PCIe host and
    // its ports.
    std::erase_if(cfg.devices,
                  [](const DeviceConfig& d) { return d.type == "pcie-host" || d.placement; });
    auto resident_mib = [] {
        std::ifstream statm("/proc/self/statm");
        uint64_t pages = 0, resident = 0;
        statm >> pages >> resident;
        return resident * 4096 / (1 << 20);
    };
    uint64_t before = resident_mib();
    Platform p("platform", cfg, nullptr);
    elaborate();
    p.load();
    uint64_t after = resident_mib();
    INFO("resident: " << before << " MiB before the platform, " << after << " MiB after");
    CHECK(after - before < 64);
#ifndef __SANITIZE_ADDRESS__
    // (Under AddressSanitizer the process alone is about 100 MiB.)
    CHECK(after < 100);
#endif
}

TEST_CASE("platform: --set style overrides and extends compose") {
    std::ofstream("base_cfg.yaml") << kSmall;
    std::ofstream("child_cfg.yaml")
        << "extends: base_cfg.yaml\nharts: {count: 3}\ndevices:\n  uart0: ~\n";
    ConfigNode root = load_config("child_cfg.yaml");
    apply_override(root, "memory.dram.size=128MiB", 1);
    apply_override(root, "devices.uart1={type: ns16550a, base: 0x10001000, backend: none}", 2);
    PlatformConfig cfg = build_platform_config(root, "child_cfg.yaml");
    CHECK(cfg.harts.count == 3);
    CHECK(cfg.memory.at(0).size == (128u << 20));
    std::vector<std::string> names;
    for (const auto& d : cfg.devices)
        names.push_back(d.name);
    CHECK(names == std::vector<std::string>{"bootrom", "finisher", "clint", "plic", "uart1"});
    // The device is located at its name in the --set path.
    CHECK(cfg.devices.back().where.str() == "<command-line>:2:9");
    CHECK(cfg.devices.back().params.where("backend").str() == "<command-line>:2:59");
}

// Two clusters, each with its own ACLINT and PLIC (as QEMU virt builds one
// per socket): every device names its controller, the harts name their
// timer, and each controller drives only its own harts.
const char* const kTwoClusters = R"(
harts: {count: 4, timer: clint0}
memory:
  dram: {base: 0x80000000, size: 64MiB}
devices:
  clint0: {type: aclint, base: 0x2000000, harts: 0-1}
  clint1: {type: aclint, base: 0x2010000, harts: 2-3}
  plic0:  {type: plic, base: 0xc000000, size: 0x400000, harts: 0-1}
  plic1:  {type: plic, base: 0x10000000, size: 0x400000, harts: "2,3"}
  uart0:  {type: ns16550a, base: 0x20000000, irq: plic0:10, backend: none}
  uart1:  {type: ns16550a, base: 0x20001000, irq: plic1:10, backend: none}
)";

TEST_CASE("platform: two interrupt controllers each drive their own harts") {
    PlatformConfig cfg = config_from(kTwoClusters);
    CHECK(cfg.harts.timer == "clint0");
    Platform p("platform", cfg, nullptr);
    TlmInitiator cpu;
    cpu.socket.bind(p.router().target);
    elaborate();
    p.load();

    // clint1's hart index 1 is hart 3.
    cpu.write32(0x2010000 + 4, 1);
    CHECK(p.hart_pins(3).pending() == (1u << HartIrqPins::kMsip));
    for (unsigned h : {0u, 1u, 2u})
        CHECK(p.hart_pins(h).pending() == 0);

    // uart1 -> plic1 source 10 -> context 1 (S-mode of its hart index 0):
    // hart 2, and nobody in the other cluster.
    cpu.write32(0x10000000 + 4 * 10, 1);
    cpu.write32(0x10002000 + 0x80 * 1, 1u << 10);
    cpu.write8(0x20001001, 0x02); // uart1 IER: ETBEI
    CHECK((p.hart_pins(2).pending() & (1u << HartIrqPins::kSeip)) != 0);
    CHECK((p.hart_pins(0).pending() & (1u << HartIrqPins::kSeip)) == 0);
    // uart0 is plic0's source 10: enabled in plic0's context 2 (hart 1, M).
    cpu.write32(0xc000000 + 4 * 10, 1);
    cpu.write32(0xc002000 + 0x80 * 2, 1u << 10);
    cpu.write8(0x20000001, 0x02);
    CHECK((p.hart_pins(1).pending() & (1u << HartIrqPins::kMeip)) != 0);
    CHECK((p.hart_pins(3).pending() & (1u << HartIrqPins::kMeip)) == 0);

    // The device tree says the same: plic1's contexts are harts 2 and 3's,
    // and each UART's interrupt-parent is its own PLIC.
    const DtNode* soc = p.device_tree().root().find_child("soc");
    REQUIRE(soc);
    const DtNode* plic1 = soc->find_child("plic@10000000");
    REQUIRE(plic1);
    const DtNode* cpus = p.device_tree().root().find_child("cpus");
    auto intc = [&](unsigned h) {
        return cpus->find_child(fmt::format("cpu@{:x}", h))
            ->find_child("interrupt-controller")
            ->prop("phandle")
            ->cells[0];
    };
    CHECK(plic1->prop("interrupts-extended")->cells ==
          std::vector<uint32_t>{intc(2), HartIrqPins::kMeip, intc(2), HartIrqPins::kSeip, intc(3),
                                HartIrqPins::kMeip, intc(3), HartIrqPins::kSeip});
    const DtNode* uart1 = soc->find_child("serial@20001000");
    REQUIRE(uart1);
    CHECK(uart1->prop("interrupt-parent")->cells == plic1->prop("phandle")->cells);
}

TEST_CASE("platform: each hart's core gets the extension set of the ISA string") {
    std::string yaml = kSmall;
    yaml.replace(yaml.find("{count: 2}"), 10, "{count: 2, isa: rv64imac_zicsr_zicbom}");
    Platform p("platform", config_from(yaml), nullptr);
    using rv::RvExt;
    const rv::RvExtensions expected{RvExt::I, RvExt::M,     RvExt::A,
                                    RvExt::C, RvExt::Zicsr, RvExt::Zicbom};
    REQUIRE(p.hart_count() == 2);
    for (unsigned h = 0; h < 2; ++h) {
        CHECK(p.hart(h).core().config().isa == expected);
        uint64_t misa = 0;
        REQUIRE(p.hart(h).core().csr_read(rv::csr::kMisa, misa));
        CHECK(((misa >> ('f' - 'a')) & 1) == 0);
        uint64_t cycle;
        CHECK_FALSE(p.hart(h).core().csr_read(rv::csr::kCycle, cycle)); // no zicntr
    }
}
