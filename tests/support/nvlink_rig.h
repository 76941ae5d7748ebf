// What the NVLink platform tests share (tests/platform/test_nvlink_platform.cpp,
// test_nvswitch.cpp): the SoC their YAML starts from, 32-bit accesses to a
// device's BAR0 bank without a CPU, and running the simulation to a time.
#pragma once

#include "models/core/registers.h"

#include <catch2/catch.hpp>
#include <fmt/format.h>
#include <string>
#include <systemc>

namespace nvsoc::test {

// One hart, 64 MiB of DRAM, a PLIC, the PCIe host and root ports rp0 ..
// rp<root_ports - 1> on its root bus; the `devices:` map is left open for
// the test's own entries.
inline std::string nvlink_soc_yaml(unsigned root_ports) {
    std::string y = R"(
harts: {count: 1}
memory:
  dram: {base: 0x80000000, size: 64MiB}
devices:
  plic: {type: plic, base: 0xc000000, size: 0x400000}
  pcie: {type: pcie-host, base: 0x30000000, size: 16MiB, irq: [32, 33, 34, 35]}
)";
    for (unsigned i = 0; i < root_ports; ++i)
        y += fmt::format("  rp{}: {{type: pcie-root-port, bus: pcie, device: {}}}\n", i, i + 1);
    return y;
}

inline uint32_t bank_read32(RegisterBank& b, unsigned offset) {
    uint32_t v = 0;
    REQUIRE(b.read(offset, reinterpret_cast<uint8_t*>(&v), 4) == AccessResult::Ok);
    return v;
}

inline void bank_write32(RegisterBank& b, unsigned offset, uint32_t v) {
    REQUIRE(b.write(offset, reinterpret_cast<const uint8_t*>(&v), 4) == AccessResult::Ok);
}

// Runs the simulation until `ps` (nothing when it is already there).
inline void run_until(uint64_t ps) {
    uint64_t now = sc_core::sc_time_stamp().value();
    if (ps > now) sc_core::sc_start(sc_core::sc_time::from_value(ps - now));
}

} // namespace nvsoc::test
