// What the NVLink platform tests share (tests/platform/test_nvlink_platform.cpp,
// test_nvswitch.cpp): 32-bit accesses to a device's BAR0 bank without a
// CPU, and running the simulation to a time; their YAML starts from
// pcie_soc_yaml() (support/soc_yaml.h).
#pragma once

#include "models/core/registers.h"
#include "support/soc_yaml.h"

#include <catch2/catch.hpp>
#include <fmt/format.h>
#include <string>
#include <systemc>

namespace nvsoc::test {

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
