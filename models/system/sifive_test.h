// The SiFive test finisher ("sifive,test0"): one register through which the
// guest ends the simulation (pass, fail with a code) or resets the SoC.
// Linux reaches it through syscon-poweroff/syscon-reboot, OpenSBI through
// its sifive-test reset driver, bare-metal tests directly.
#pragma once

#include "models/core/device.h"

namespace nvsoc {

class SifiveTest : public Device {
  public:
    static constexpr uint32_t kFail = 0x3333, kPass = 0x5555, kReset = 0x7777;

    explicit SifiveTest(const DeviceConfig& config);

    void describe_dt(DtContext& ctx) override;

    // The last request, for platforms without a SystemControl (unit tests).
    int last_status() const { return last_status_; }
    unsigned resets() const { return resets_; }

  private:
    void command(uint32_t value);

    size_t finisher_ = 0;
    int last_status_ = -1;
    unsigned resets_ = 0;
};

} // namespace nvsoc
