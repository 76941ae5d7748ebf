// Main memory. The whole region is reserved up front as host virtual address
// space and the host OS backs pages only when the guest touches them, so a
// 64 GiB RAM costs nothing until used. Harts reach it through DMI pointers.
#pragma once

#include "models/core/device.h"

namespace nvsoc {

class Ram : public Device {
  public:
    explicit Ram(const DeviceConfig& config);
    ~Ram() override;

    uint8_t* data() { return mem_; }
    // Zeroes the whole region (power-on state) by handing pages back to the OS.
    void reset() override;
    void describe_dt(DtContext& ctx) override;

  protected:
    void b_transport(tlm::tlm_generic_payload& tx, sc_core::sc_time& delay) override;
    unsigned transport_dbg(tlm::tlm_generic_payload& tx) override;
    bool get_direct_mem_ptr(tlm::tlm_generic_payload& tx, tlm::tlm_dmi& dmi) override;

  private:
    uint8_t* mem_ = nullptr;
    sc_core::sc_time read_latency_, write_latency_;
};

// Copies in or out of `mem` of `size` bytes for a target-relative payload;
// returns bytes moved (0 when the range is outside). Shared by RAM and ROM.
unsigned copy_payload(uint8_t* mem, uint64_t size, tlm::tlm_generic_payload& tx, bool allow_write);

} // namespace nvsoc
