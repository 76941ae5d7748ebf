// The small SoC the platform tests and benchmarks build their YAML on:
// one hart, 64 MiB of DRAM, a PLIC, the PCIe host, and root ports rp0 ..
// rp<root_ports - 1> on its root bus (device i + 1). The `devices:` map is
// left open for the caller's own entries. No Catch2 here: the benchmarks
// use it too.
#pragma once

#include <fmt/format.h>
#include <string>

namespace nvsoc::test {

inline std::string pcie_soc_yaml(unsigned root_ports) {
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

} // namespace nvsoc::test
