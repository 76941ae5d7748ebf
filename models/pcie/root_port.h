// A PCI Express root port (`pcie-root-port`): a downstream port on the root
// bus of a host bridge, with the Root registers of the PCI Express
// capability and AER's Root Error Command, Root Error Status and Error
// Source ID.
//
// Error messages end here. Those from below (passed by SERR# Enable) and
// the port's own errors set Root Error Status and raise the port's
// interrupt (INTA; no MSI yet) while a class that Root Error Command
// enables is recorded.
#pragma once

#include "models/pcie/downstream_port.h"

namespace nvsoc {

class RootPort : public DownstreamPort {
  public:
    explicit RootPort(const DeviceConfig& config);

    std::vector<Site> sites() const override { return {Site::RootBus}; }
    void reset() override;

  protected:
    void signal_error(ErrorSeverity severity, uint16_t source) override {
        collect(severity, source);
    }
    void forward_error(ErrorSeverity severity, uint16_t source) override {
        collect(severity, source);
    }

  private:
    void collect(ErrorSeverity severity, uint16_t source);
    void update_interrupt();
};

} // namespace nvsoc
