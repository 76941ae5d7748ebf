#include "models/memory/bootrom.h"
#include "models/memory/ram.h"
#include "support/device_config.h"
#include "support/tlm_initiator.h"

#include <catch2/catch.hpp>
#include <cstdio>
#include <fstream>
#include <iterator>

using namespace nvsoc;
using namespace nvsoc::test;

namespace {
uint64_t resident_bytes() {
    std::ifstream statm("/proc/self/statm");
    uint64_t size = 0, resident = 0;
    statm >> size >> resident;
    return resident * 4096;
}
} // namespace

TEST_CASE("ram: reads back what was written, at every width") {
    DeviceConfig c = make_config("ram", "dram", 0);
    c.size = 1 << 20;
    auto ram = ModelRegistry::instance().create_device(c);
    TlmInitiator cpu;
    cpu.socket.bind(ram->target);
    elaborate();
    CHECK(cpu.read(0x100, 8) == 0); // fresh memory is zero
    cpu.write(0x100, 0x0123456789abcdef, 8);
    CHECK(cpu.read(0x100, 8) == 0x0123456789abcdef);
    CHECK(cpu.read(0x104, 4) == 0x01234567);
    CHECK(cpu.read(0x101, 1) == 0xcd);
    cpu.read(c.size - 2, 4); // runs off the end
    CHECK(cpu.last_status == tlm::TLM_ADDRESS_ERROR_RESPONSE);
}

TEST_CASE("ram: DMI grants the whole region read-write and reset zeroes it") {
    DeviceConfig c = make_config("ram", "dram", 0, {{"read-latency", "5ns"}});
    c.size = 1 << 16;
    auto ram = ModelRegistry::instance().create_device(c);
    TlmInitiator cpu;
    cpu.socket.bind(ram->target);
    elaborate();
    tlm::tlm_generic_payload tx;
    tx.set_address(0);
    tlm::tlm_dmi dmi;
    REQUIRE(cpu.socket->get_direct_mem_ptr(tx, dmi));
    CHECK(dmi.is_read_write_allowed());
    CHECK(dmi.get_end_address() == c.size - 1);
    CHECK(dmi.get_read_latency() == sc_core::sc_time(5, sc_core::SC_NS));
    dmi.get_dmi_ptr()[10] = 0x5a;
    CHECK(cpu.read8(10) == 0x5a);
    cpu.delay = sc_core::SC_ZERO_TIME;
    cpu.read8(10);
    CHECK(cpu.delay == sc_core::sc_time(5, sc_core::SC_NS));
    ram->reset();
    CHECK(cpu.read8(10) == 0);
}

TEST_CASE("ram: 64 GiB costs host memory only where it is touched") {
    DeviceConfig c = make_config("ram", "dram", 0);
    c.size = 64ull << 30;
    uint64_t before = resident_bytes();
    auto ram = ModelRegistry::instance().create_device(c);
    TlmInitiator cpu;
    cpu.socket.bind(ram->target);
    elaborate();
    for (uint64_t off : {0ull, 17ull << 30, (64ull << 30) - 8}) {
        cpu.write(off, off ^ 0xfeed, 8);
        CHECK(cpu.read(off, 8) == (off ^ 0xfeed));
    }
    CHECK(resident_bytes() - before < (8u << 20));
#ifndef __SANITIZE_ADDRESS__
    // (Under AddressSanitizer the process alone is about 100 MiB: its shadow
    // and allocator. The growth above is the check that holds there.)
    CHECK(resident_bytes() < (100u << 20));
#endif
}

TEST_CASE("rom: serves its image and refuses guest writes") {
    std::string path = "rom_test_image.bin";
    {
        std::ofstream f(path, std::ios::binary);
        f << "NVSOC-ROM";
    }
    DeviceConfig c = make_config("rom", "flash", 0, {{"image", path}});
    c.size = 0x1000;
    auto rom = ModelRegistry::instance().create_device(c);
    TlmInitiator cpu;
    cpu.socket.bind(rom->target);
    elaborate();
    CHECK(cpu.read8(0) == 'N');
    CHECK(cpu.read8(8) == 'M');
    CHECK(cpu.read8(9) == 0);
    cpu.write8(0, 'X');
    CHECK(cpu.last_status == tlm::TLM_COMMAND_ERROR_RESPONSE);
    CHECK(cpu.read8(0) == 'N');
    std::remove(path.c_str());
}

TEST_CASE("rom: an image larger than the ROM is refused") {
    std::string path = "rom_too_big.bin";
    {
        std::ofstream f(path, std::ios::binary);
        f << std::string(0x20, 'x');
    }
    DeviceConfig c = make_config("rom", "flash", 0, {{"image", path}});
    c.size = 0x10;
    CHECK_THROWS_WITH(ModelRegistry::instance().create_device(c),
                      Catch::Contains("holds only 16 B: give the ROM a larger size"));
    std::remove(path.c_str());
}

TEST_CASE("bootrom: reset code matches the assembler's encoding") {
    std::ifstream f(BOOTROM_REFERENCE_BIN, std::ios::binary);
    REQUIRE(f.good());
    std::vector<uint8_t> ref((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    auto code = BootRom::reset_code();
    REQUIRE(ref.size() == code.size() * 4);
    for (size_t i = 0; i < code.size(); ++i) {
        uint32_t word;
        std::memcpy(&word, ref.data() + 4 * i, 4);
        INFO("instruction " << i);
        CHECK(code[i] == word);
    }
}

TEST_CASE("bootrom: holds entry, device tree and the fw_dynamic block") {
    auto dev = make_device("bootrom", "bootrom", 0x1000);
    auto* rom = dynamic_cast<BootRom*>(dev.get());
    REQUIRE(rom);
    FwDynamicInfo info;
    info.next_addr = 0x80200000;
    rom->configure(0x80000000, 0xbfe00000, info);
    TlmInitiator cpu;
    cpu.socket.bind(rom->target);
    elaborate();
    CHECK(cpu.read32(0) == 0x00000297); // auipc t0, 0
    CHECK(cpu.read(BootRom::kEntryOffset, 8) == 0x80000000);
    CHECK(cpu.read(BootRom::kDtbOffset, 8) == 0xbfe00000);
    uint64_t dyn = BootRom::kFwDynamicOffset;
    CHECK(cpu.read(dyn, 8) == 0x4942534f);      // magic "OSBI"
    CHECK(cpu.read(dyn + 8, 8) == 2);           // version
    CHECK(cpu.read(dyn + 16, 8) == 0x80200000); // next_addr
    CHECK(cpu.read(dyn + 24, 8) == 1);          // next_mode: S
    CHECK(cpu.read(dyn + 40, 8) == 0);          // boot_hart
    CHECK(dev->size() == 0xf000);
}
