#include "models/pcie/root_port.h"

#include "models/core/model_registry.h"

namespace nvsoc {

using namespace pcie;

RootPort::RootPort(const DeviceConfig& config) : DownstreamPort(config, PortType::RootPort) {
    cs_.add_write_hook(cs_.aer_offset() + aer::kRootErrorCommand, 8,
                       [this](const WriteEvent&) { update_interrupt(); });
    unsigned pc = cs_.pcie_offset();
    cs_.add_write_hook(pc + pcie_cap::kRootControl, 2,
                       [this](const WriteEvent&) { update_interrupt(); });
    cs_.add_write_hook(pc + pcie_cap::kRootStatus, 4,
                       [this](const WriteEvent& w) { root_status_written(w); });
}

void RootPort::receive_pme(uint16_t requester) {
    unsigned rs = cs_.pcie_offset() + pcie_cap::kRootStatus;
    log_.debug("PM_PME from {:02x}:{:02x}.{}", requester >> 8, (requester >> 3) & 0x1f,
               requester & 7);
    if (cs_.u32(rs) & pcie_cap::rtsta::kPmeStatus) {
        // One more waits; later ones are lost (the requester retries).
        if (!pme_waiting_) pme_waiting_ = requester;
        cs_.hw_set_bits(rs, pcie_cap::rtsta::kPmePending);
        return;
    }
    cs_.hw_set(rs, pcie_cap::rtsta::kPmeRequesterMask | pcie_cap::rtsta::kPmeStatus,
               requester | pcie_cap::rtsta::kPmeStatus);
    update_interrupt();
}

// Clearing PME Status delivers the pending PME, as a new one: with MSI, a
// new message.
void RootPort::root_status_written(const WriteEvent& w) {
    unsigned rs = cs_.pcie_offset() + pcie_cap::kRootStatus;
    update_interrupt();
    if (!w.changed(pcie_cap::rtsta::kPmeStatus) || !pme_waiting_) return;
    uint16_t next = *pme_waiting_;
    pme_waiting_.reset();
    cs_.hw_clear_bits(rs, pcie_cap::rtsta::kPmePending);
    receive_pme(next);
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

// The AER and PME interrupt conditions (PCIe Base Specification 6.2.4.1.2
// and 6.1.6), each a level on INTx and an edge with MSI.
void RootPort::update_interrupt() {
    unsigned a = cs_.aer_offset();
    uint32_t cmd = cs_.u32(a + aer::kRootErrorCommand);
    uint32_t status = cs_.u32(a + aer::kRootErrorStatus);
    bool aer_irq =
        ((cmd & aer::kCorrectableReportingEnable) && (status & aer::kErrCorReceived)) ||
        ((cmd & aer::kNonFatalReportingEnable) && (status & aer::kNonFatalMessagesReceived)) ||
        ((cmd & aer::kFatalReportingEnable) && (status & aer::kFatalMessagesReceived));
    unsigned pc = cs_.pcie_offset();
    bool pme_irq = (cs_.u16(pc + pcie_cap::kRootControl) & pcie_cap::rtctl::kPmeInterruptEnable) &&
                   (cs_.u32(pc + pcie_cap::kRootStatus) & pcie_cap::rtsta::kPmeStatus);
    // Both on the vector the Interrupt Message Numbers name.
    msi_->set_level(kAerInterrupt, 0, aer_irq);
    msi_->set_level(kPmeInterrupt, 0, pme_irq);
}

void RootPort::reset() {
    DownstreamPort::reset();
    pme_waiting_.reset();
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
