// Configuration-request routing through a PCI hierarchy (PCIe Base
// Specification 7.3): functions on a bus by device and function number,
// and PCI-to-PCI bridges (root ports, switch ports) that pass requests on
// to the buses between their Secondary and Subordinate Bus Numbers, as
// software has programmed them. Plain C++; the host bridge routes ECAM
// accesses through its root bus.
#pragma once

#include "models/pcie/config_space.h"

#include <map>

namespace nvsoc::pcie {

class PciBus {
  public:
    // A bus below a PCIe downstream port is a link: only device 0 exists on
    // it, and requests for other device numbers are Unsupported Requests.
    explicit PciBus(bool is_link = false) : is_link_(is_link) {}

    // Places a function at device/function. A type 1 function passes
    // requests on to `secondary`, the bus behind it.
    void attach(unsigned device, unsigned function, ConfigSpace& function_space,
                PciBus* secondary = nullptr);

    // The function a configuration request for (bus, device, function)
    // reaches when this bus has number `number`, or nullptr for an
    // Unsupported Request (no such function; no bridge forwards the bus).
    ConfigSpace* route(unsigned number, unsigned bus, unsigned device, unsigned function) const;

    bool is_link() const { return is_link_; }

  private:
    struct Slot {
        ConfigSpace* space = nullptr;
        PciBus* secondary = nullptr;
    };
    bool is_link_;
    std::map<unsigned, Slot> slots_; // keyed by device << 3 | function
};

} // namespace nvsoc::pcie
