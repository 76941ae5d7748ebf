#include "models/pcie/root_port.h"

#include "models/core/model_registry.h"

namespace nvsoc {

using namespace pcie;

RootPort::RootPort(const DeviceConfig& config) : DownstreamPort(config, PortType::RootPort) {
    cs_.add_write_hook(cs_.aer_offset() + aer::kRootErrorCommand, 8,
                       [this](const WriteEvent&) { update_interrupt(); });
}

// Error messages end at the root port (PCIe Base Specification 6.2.4.1 and
// the AER capability's Root Error Status): the first of each class records
// its source, later ones set the Multiple bits.
void RootPort::collect(ErrorSeverity severity, uint16_t source) {
    unsigned a = cs_.aer_offset();
    uint32_t status = cs_.u32(a + aer::kRootErrorStatus);
    if (severity == ErrorSeverity::Correctable) {
        if (status & aer::kErrCorReceived) {
            cs_.hw_set_bits(a + aer::kRootErrorStatus, aer::kMultipleErrCorReceived);
        } else {
            cs_.hw_set_bits(a + aer::kRootErrorStatus, aer::kErrCorReceived);
            cs_.hw_set(a + aer::kErrorSourceId, 0xffff, source);
        }
    } else {
        bool fatal = severity == ErrorSeverity::Fatal;
        if (status & aer::kErrFatalNonFatalReceived) {
            cs_.hw_set_bits(a + aer::kRootErrorStatus, aer::kMultipleErrFatalNonFatalReceived);
        } else {
            cs_.hw_set_bits(a + aer::kRootErrorStatus,
                            aer::kErrFatalNonFatalReceived |
                                (fatal ? aer::kFirstUncorrectableFatal : 0u));
            cs_.hw_set(a + aer::kErrorSourceId, 0xffff0000u, uint32_t{source} << 16);
        }
        cs_.hw_set_bits(a + aer::kRootErrorStatus,
                        fatal ? aer::kFatalMessagesReceived : aer::kNonFatalMessagesReceived);
    }
    log_.debug("{} from {:02x}:{:02x}.{}", nvsoc::name(severity), source >> 8, (source >> 3) & 0x1f,
               source & 7);
    update_interrupt();
}

void RootPort::update_interrupt() {
    unsigned a = cs_.aer_offset();
    uint32_t cmd = cs_.u32(a + aer::kRootErrorCommand);
    uint32_t status = cs_.u32(a + aer::kRootErrorStatus);
    bool irq =
        ((cmd & aer::kCorrectableReportingEnable) && (status & aer::kErrCorReceived)) ||
        ((cmd & aer::kNonFatalReportingEnable) && (status & aer::kNonFatalMessagesReceived)) ||
        ((cmd & aer::kFatalReportingEnable) && (status & aer::kFatalMessagesReceived));
    set_intx(0, irq);
}

void RootPort::reset() {
    DownstreamPort::reset();
    update_interrupt();
}

NVSOC_REGISTER_MODEL(ModelInfo{
    .type = "pcie-root-port",
    .doc = "PCIe root port on a host bridge's root bus: type 1 bridge, link with LTSSM and TLP "
           "timing, slot, AER with Root Error registers, link fault points",
    .params = downstream_port_params("0x1b36", "0x000c",
                                     "Vendor ID (default: the ID of QEMU's generic root port, a "
                                     "virtual device)"),
    .create = [](const DeviceConfig& c) { return std::make_unique<RootPort>(c); },
    .on_bus = "PCI",
    .owns_bus = "PCI",
});

} // namespace nvsoc
