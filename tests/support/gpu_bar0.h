// What the GPU benchmarks share (tests/bench/nvlink_bench.cpp,
// topology_bench.cpp): 32-bit accesses to a GPU's BAR0 bank without a CPU,
// and running the simulation for a while. No Catch2: benchmarks are plain
// programs (the platform tests use support/nvlink_rig.h).
#pragma once

#include "models/gpu/gpu.h"

#include <cstdint>
#include <systemc>

namespace nvsoc::test {

inline uint32_t rd(Gpu& g, unsigned off) {
    uint32_t v = 0;
    g.bar0().read(off, reinterpret_cast<uint8_t*>(&v), 4);
    return v;
}

inline void wr(Gpu& g, unsigned off, uint32_t v) {
    g.bar0().write(off, reinterpret_cast<const uint8_t*>(&v), 4);
}

inline void run_for(uint64_t ps) {
    sc_core::sc_start(sc_core::sc_time::from_value(ps));
}

} // namespace nvsoc::test
