// The SoC interconnect: routes each transaction by address to the target
// that owns it, with target-relative addresses. Overlapping mappings are
// refused when the platform is built; an unmapped address is answered with
// TLM_ADDRESS_ERROR_RESPONSE (an access fault for a hart, UR for PCIe).
#pragma once

#include "models/core/error.h"
#include "models/core/log.h"

#include <string>
#include <systemc>
#include <tlm>
#include <tlm_utils/multi_passthrough_initiator_socket.h>
#include <tlm_utils/multi_passthrough_target_socket.h>
#include <vector>

namespace nvsoc {

class Router : public sc_core::sc_module {
  public:
    tlm_utils::multi_passthrough_target_socket<Router> target;
    tlm_utils::multi_passthrough_initiator_socket<Router> initiator;

    struct Mapping {
        std::string name;
        uint64_t base = 0;
        uint64_t size = 0;
        unsigned port = 0;
        Location where;
        uint64_t end() const { return base + size; } // exclusive; no wrap (checked)
    };

    explicit Router(sc_core::sc_module_name name, const LogConfig* log = nullptr);

    // Binds `socket` to a new initiator port and maps [base, base+size) to it.
    // Throws InputError at `where` if the range is empty, wraps, or overlaps
    // an existing mapping.
    void map(tlm::tlm_target_socket<>& socket, uint64_t base, uint64_t size,
             const std::string& name, const Location& where);

    // The mapping owning `address`, or nullptr.
    const Mapping* decode(uint64_t address) const;
    const std::vector<Mapping>& mappings() const { return maps_; }

    uint64_t unmapped_accesses() const { return unmapped_; }

  private:
    void b_transport(int id, tlm::tlm_generic_payload& tx, sc_core::sc_time& delay);
    unsigned transport_dbg(int id, tlm::tlm_generic_payload& tx);
    bool get_direct_mem_ptr(int id, tlm::tlm_generic_payload& tx, tlm::tlm_dmi& dmi);
    void invalidate_direct_mem_ptr(int port, sc_dt::uint64 start, sc_dt::uint64 end);

    std::vector<Mapping> maps_; // sorted by base
    std::vector<unsigned> port_to_map_;
    Logger log_;
    uint64_t unmapped_ = 0;
};

} // namespace nvsoc
