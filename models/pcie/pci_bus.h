// Request routing through a PCI hierarchy (PCIe Base Specification 7.3):
// functions on a bus by device and function number, and PCI-to-PCI bridges
// (root ports, switch ports) that pass requests on to the bus behind them.
// Configuration requests follow the Secondary..Subordinate Bus Numbers;
// memory and I/O requests follow the functions' BARs and the bridges'
// forwarding windows, as software has programmed them. Plain C++; the host
// bridge routes ECAM and window accesses through its root bus.
#pragma once

#include "models/pcie/config_space.h"

#include <functional>
#include <map>
#include <optional>

namespace nvsoc {
class PcieNode;
}

namespace nvsoc::pcie {

class PciBus {
  public:
    // A bus below a PCIe downstream port is a link: only device 0 exists on
    // it, and requests for other device numbers are Unsupported Requests.
    explicit PciBus(bool is_link = false) : is_link_(is_link) {}

    // A link bus carries requests only while its data link layer is up
    // (DL_Up): configuration requests to it are Unsupported Requests
    // before the link has trained and after it went down. The owning port
    // says how to tell.
    void set_link_up_test(std::function<bool()> up) { link_up_ = std::move(up); }
    bool carries_requests() const { return !link_up_ || link_up_(); }

    // Places a function at device/function. A type 1 function passes
    // requests on to `secondary`, the bus behind it. `owner` is the model
    // that answers the requests the function claims (may be null in tests
    // of the routing alone).
    void attach(unsigned device, unsigned function, ConfigSpace& function_space,
                PciBus* secondary = nullptr, PcieNode* owner = nullptr);

    // The function a configuration request for (bus, device, function)
    // reaches when this bus has number `number`, or nullptr for an
    // Unsupported Request (no such function; no bridge forwards the bus).
    ConfigSpace* route(unsigned number, unsigned bus, unsigned device, unsigned function) const;

    // Who on this bus claims a memory or I/O request for `address`: a
    // function whose enabled BAR holds it, or a bridge whose window
    // forwards it (then `bar` is empty and the request goes on to
    // `secondary`). Nothing for an Unsupported Request (master abort).
    // `ambiguous` is set when more than one function claimed it, which only
    // overlapping BARs or windows programmed by software cause; the first in
    // device/function order wins.
    struct Claim {
        unsigned device = 0, function = 0;
        ConfigSpace* space = nullptr;
        PcieNode* owner = nullptr;
        PciBus* secondary = nullptr;
        std::optional<BarHit> bar;
        bool ambiguous = false;
    };
    std::optional<Claim> claim(Space space, uint64_t address) const;

    // The functions at `device` (function number order).
    std::vector<ConfigSpace*> functions(unsigned device) const;

    // The model at `device` (function 0's owner), or nullptr.
    PcieNode* owner(unsigned device) const {
        auto it = slots_.find(device << 3);
        return it == slots_.end() ? nullptr : it->second.owner;
    }

    // Every function on the bus, in device/function order.
    struct Entry {
        unsigned device = 0, function = 0;
        ConfigSpace* space = nullptr;
        PciBus* secondary = nullptr;
        PcieNode* owner = nullptr;
    };
    std::vector<Entry> entries() const;

    bool is_link() const { return is_link_; }
    bool occupied(unsigned device, unsigned function) const {
        return slots_.count((device << 3) | function) != 0;
    }

  private:
    struct Slot {
        ConfigSpace* space = nullptr;
        PciBus* secondary = nullptr;
        PcieNode* owner = nullptr;
    };
    bool is_link_;
    std::function<bool()> link_up_;
    std::map<unsigned, Slot> slots_; // keyed by device << 3 | function
};

} // namespace nvsoc::pcie
