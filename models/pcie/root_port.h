// A PCI Express root port (`pcie-root-port`): a downstream port on the root
// bus of a host bridge, with the Root registers of the PCI Express
// capability and AER's Root Error Command, Root Error Status and Error
// Source ID.
//
// Error messages end here. Those from below (passed by SERR# Enable) and
// the port's own errors set Root Error Status and raise the port's AER
// interrupt while a class that Root Error Command enables is recorded. PME
// messages (receive_pme) set Root Status' PME Status and requester ID and
// raise the PME interrupt while Root Control's PME Interrupt Enable is set.
// Both interrupts are vector 0 of the port's MSI when software enabled it
// (a message each time a condition becomes true), else INTA (their OR).
#pragma once

#include "models/pcie/downstream_port.h"

namespace nvsoc {

class RootPort : public DownstreamPort {
  public:
    explicit RootPort(const DeviceConfig& config);

    std::vector<Site> sites() const override { return {Site::RootBus}; }
    void reset() override;

    // A PM_PME message from `requester` (PCIe Base Specification 6.1.6):
    // recorded in Root Status, or held as PME Pending while PME Status is
    // still set, and loaded when software clears it. (No function below
    // sends PM_PME yet: none has PME support.)
    void receive_pme(uint16_t requester);

  protected:
    void signal_error(ErrorSeverity severity, uint16_t source) override {
        collect(severity, source);
    }
    void forward_error(ErrorSeverity severity, uint16_t source) override {
        collect(severity, source);
    }

  private:
    // The port's level conditions (MsiSignaller::set_level sources).
    static constexpr unsigned kAerInterrupt = 0, kPmeInterrupt = 1;
    void collect(ErrorSeverity severity, uint16_t source);
    void root_status_written(const pcie::WriteEvent& w);
    void update_interrupt();

    std::optional<uint16_t> pme_waiting_;
};

} // namespace nvsoc
