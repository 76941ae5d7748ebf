// Read-only memory: contents from an image file (or generated, for the boot
// ROM). Guest writes are refused with a command error, which a hart turns
// into a store access fault.
#pragma once

#include "models/core/device.h"

#include <vector>

namespace nvsoc {

class Rom : public Device {
  public:
    explicit Rom(const DeviceConfig& config);

    const std::vector<uint8_t>& contents() const { return data_; }
    // Replaces the contents from `offset` (used by loaders, never by guests).
    void program(uint64_t offset, const std::vector<uint8_t>& bytes);
    void reset() override {}

  protected:
    void b_transport(tlm::tlm_generic_payload& tx, sc_core::sc_time& delay) override;
    unsigned transport_dbg(tlm::tlm_generic_payload& tx) override;
    bool get_direct_mem_ptr(tlm::tlm_generic_payload& tx, tlm::tlm_dmi& dmi) override;

    std::vector<uint8_t> data_;
};

} // namespace nvsoc
