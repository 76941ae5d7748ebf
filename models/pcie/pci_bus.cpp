#include "models/pcie/pci_bus.h"

#include <stdexcept>
#include <string>

namespace nvsoc::pcie {

void PciBus::attach(unsigned device, unsigned function, ConfigSpace& function_space,
                    PciBus* secondary, PcieNode* owner) {
    // Topology mistakes are the platform builder's, caught before any guest
    // runs; the YAML layer reports them with their file and line.
    if (device > 31 || function > 7)
        throw std::logic_error("PCI device " + std::to_string(device) + " function " +
                               std::to_string(function) + " is out of range (0-31, 0-7)");
    if (is_link_ && device != 0) throw std::logic_error("a PCIe link carries only device 0");
    if (secondary && function_space.header_type() != HeaderType::Type1)
        throw std::logic_error("only a type 1 (bridge) function has a bus behind it");
    if (!slots_.emplace((device << 3) | function, Slot{&function_space, secondary, owner}).second)
        throw std::logic_error("PCI device " + std::to_string(device) + " function " +
                               std::to_string(function) + " is already taken");
}

std::vector<PciBus::Entry> PciBus::entries() const {
    std::vector<Entry> out;
    for (const auto& [key, slot] : slots_)
        out.push_back({key >> 3, key & 7, slot.space, slot.secondary, slot.owner});
    return out;
}

ConfigSpace* PciBus::route(unsigned number, unsigned bus, unsigned device,
                           unsigned function) const {
    if (!carries_requests()) return nullptr;
    if (bus == number) {
        // Type 0 on this bus (attach() keeps links to device 0).
        auto it = slots_.find((device << 3) | function);
        return it == slots_.end() ? nullptr : it->second.space;
    }
    // Type 1: the bridge whose bus range holds the target passes it on.
    // Bus numbers a bridge has not been given (secondary 0, or not above
    // this bus) forward nothing.
    for (const auto& [key, slot] : slots_) {
        if (!slot.secondary) continue;
        unsigned secondary = slot.space->secondary_bus();
        unsigned subordinate = slot.space->subordinate_bus();
        if (secondary <= number || bus < secondary || bus > subordinate) continue;
        return slot.secondary->route(secondary, bus, device, function);
    }
    return nullptr;
}

std::optional<PciBus::Claim> PciBus::claim(Space space, uint64_t address) const {
    std::optional<Claim> found;
    if (!carries_requests()) return found;
    for (const auto& [key, slot] : slots_) {
        std::optional<BarHit> bar = slot.space->decode(space, address);
        // A bridge's own BARs come first; then its window.
        bool forwards = !bar && slot.secondary && slot.space->forwards(space, address);
        if (!bar && !forwards) continue;
        if (found) {
            found->ambiguous = true;
            break;
        }
        found = Claim{key >> 3, key & 7, slot.space, slot.owner, bar ? nullptr : slot.secondary,
                      bar,      false};
    }
    return found;
}

std::vector<ConfigSpace*> PciBus::functions(unsigned device) const {
    std::vector<ConfigSpace*> out;
    for (auto it = slots_.lower_bound(device << 3);
         it != slots_.end() && (it->first >> 3) == device; ++it)
        out.push_back(it->second.space);
    return out;
}

} // namespace nvsoc::pcie
