#include "models/core/router.h"

#include "models/core/params.h"

#include <algorithm>
#include <fmt/format.h>

namespace nvsoc {

Router::Router(sc_core::sc_module_name name, const LogConfig* log)
    : sc_core::sc_module(name), target("target"), initiator("initiator"),
      log_(std::string(this->name()), "router", log) {
    target.register_b_transport(this, &Router::b_transport);
    target.register_transport_dbg(this, &Router::transport_dbg);
    target.register_get_direct_mem_ptr(this, &Router::get_direct_mem_ptr);
    initiator.register_invalidate_direct_mem_ptr(this, &Router::invalidate_direct_mem_ptr);
}

void Router::map(tlm::tlm_target_socket<>& socket, uint64_t base, uint64_t size,
                 const std::string& name, const Location& where) {
    if (size == 0) throw InputError(where, fmt::format("'{}' has size 0: give it a size", name));
    if (base + size < base || base + size - 1 < base)
        throw InputError(where, fmt::format("'{}' at 0x{:x} with size {} runs past the end of the "
                                            "64-bit address space: lower its base or size",
                                            name, base, format_size(size)));
    for (const auto& m : maps_) {
        if (base < m.end() && m.base < base + size)
            throw InputError(where,
                             fmt::format("'{}' [0x{:x}, 0x{:x}) overlaps '{}' [0x{:x}, 0x{:x}) "
                                         "declared at {}: move one of them or shrink its size",
                                         name, base, base + size, m.name, m.base, m.end(),
                                         m.where.str()));
    }
    Mapping m{name, base, size, static_cast<unsigned>(port_to_map_.size()), where};
    initiator.bind(socket);
    maps_.push_back(m);
    std::sort(maps_.begin(), maps_.end(), [](auto& a, auto& b) { return a.base < b.base; });
    port_to_map_.assign(maps_.size(), 0);
    for (unsigned i = 0; i < maps_.size(); ++i)
        port_to_map_[maps_[i].port] = i;
}

const Router::Mapping* Router::decode(uint64_t address) const {
    auto it = std::upper_bound(maps_.begin(), maps_.end(), address,
                               [](uint64_t a, const Mapping& m) { return a < m.base; });
    if (it == maps_.begin()) return nullptr;
    --it;
    return address < it->end() ? &*it : nullptr;
}

void Router::b_transport(int, tlm::tlm_generic_payload& tx, sc_core::sc_time& delay) {
    uint64_t addr = tx.get_address();
    const Mapping* m = decode(addr);
    if (!m || addr + tx.get_data_length() > m->end()) {
        ++unmapped_;
        log_.guest_error("{} of {} bytes at unmapped address 0x{:x}",
                         tx.is_read() ? "read" : "write", tx.get_data_length(), addr);
        tx.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
        return;
    }
    tx.set_address(addr - m->base);
    initiator[m->port]->b_transport(tx, delay);
    tx.set_address(addr);
}

unsigned Router::transport_dbg(int, tlm::tlm_generic_payload& tx) {
    uint64_t addr = tx.get_address();
    const Mapping* m = decode(addr);
    if (!m || addr + tx.get_data_length() > m->end()) return 0;
    tx.set_address(addr - m->base);
    unsigned n = initiator[m->port]->transport_dbg(tx);
    tx.set_address(addr);
    return n;
}

bool Router::get_direct_mem_ptr(int, tlm::tlm_generic_payload& tx, tlm::tlm_dmi& dmi) {
    uint64_t addr = tx.get_address();
    const Mapping* m = decode(addr);
    if (!m) return false;
    tx.set_address(addr - m->base);
    bool ok = initiator[m->port]->get_direct_mem_ptr(tx, dmi);
    tx.set_address(addr);
    // Back to system addresses, never beyond this mapping.
    uint64_t start = dmi.get_start_address() + m->base;
    uint64_t end = std::min<uint64_t>(dmi.get_end_address() + m->base, m->end() - 1);
    dmi.set_start_address(std::max(start, m->base));
    dmi.set_end_address(end);
    return ok;
}

void Router::invalidate_direct_mem_ptr(int port, sc_dt::uint64 start, sc_dt::uint64 end) {
    const Mapping& m = maps_[port_to_map_[static_cast<unsigned>(port)]];
    uint64_t s = m.base + start;
    uint64_t e = end >= m.size ? m.end() - 1 : m.base + end;
    for (unsigned i = 0; i < target.size(); ++i)
        target[i]->invalidate_direct_mem_ptr(s, e);
}

} // namespace nvsoc
