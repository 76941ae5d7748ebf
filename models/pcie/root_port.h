// A PCI Express root port (`pcie-root-port`): a type 1 function on the root
// bus of a host bridge, with the PCI Express capability of a Root Port
// (link, slot and root registers), Power Management and AER with the Root
// Error registers; and the link to the one device below it.
//
// The port owns that link (pcie::Link) and drives it in simulated time: it
// powers it on at the start, wakes at every planned LTSSM step, shows the
// state in both ends' Link Status, and turns the link's events into slot,
// bandwidth and AER status. Retrain Link, Link Disable and Secondary Bus
// Reset written by software go to the link.
//
// Requests: memory and I/O requests inside its windows go down the link
// (with the link's TLP timing) to the device below; requests from below go
// up only while the port's Bus Master Enable is set. INTx messages from
// below are swizzled by device number onto the port's four virtual wires.
// Error messages from below, and the port's own errors, set Root Error
// Status and raise the port's interrupt (INTA; no MSI yet) when Root Error
// Command enables it.
#pragma once

#include "models/pcie/pcie_node.h"

#include <array>
#include <memory>

namespace nvsoc {

class RootPort : public PcieNode, public PcieUpstream {
  public:
    explicit RootPort(const DeviceConfig& config);

    std::vector<pcie::ConfigSpace*> functions() override { return {&cs_}; }
    pcie::PciBus* secondary() override { return &bus_; }
    PcieUpstream* as_upstream() override { return this; }
    void attach_below(PcieNode& below) override;
    bool root_bus_only() const override { return true; }
    void downstream_request(const pcie::PciBus::Claim& claim, pcie::Space space, uint64_t address,
                            tlm::tlm_generic_payload& tx, sc_core::sc_time& delay) override;

    void upstream_request(tlm::tlm_generic_payload& tx, sc_core::sc_time& delay) override;
    void upstream_intx(unsigned device, unsigned pin, bool level) override;
    void upstream_error(ErrorSeverity severity, uint16_t source) override;
    unsigned secondary_bus_number() const override { return cs_.secondary_bus(); }

    void reset() override;
    void stats(nlohmann::json& out) const override;

    pcie::ConfigSpace& config_space() { return cs_; }
    pcie::Link& link() { return *link_; }
    const pcie::LinkConfig& link_config() const { return link_config_; }
    PcieNode* below() const { return below_; }

  protected:
    void signal_error(ErrorSeverity severity, uint16_t source) override;

  private:
    void end_of_elaboration() override;
    void make_link();
    void link_thread();
    void fault_thread();
    void service_link();
    void handle(const pcie::LinkEvent& e);
    void update_interrupt();
    void kick() { kick_.notify(sc_core::SC_ZERO_TIME); }
    void wake_for_link_events();
    pcie::TransferOptions dma_options(const tlm::tlm_generic_payload& tx) const;
    void unsupported(tlm::tlm_generic_payload& tx, const char* why);

    pcie::ConfigSpace cs_;
    pcie::PciBus bus_{true};
    pcie::LinkConfig link_config_;
    uint64_t link_seed_ = 0;
    std::unique_ptr<pcie::Link> link_;
    PcieNode* below_ = nullptr;
    sc_core::sc_event kick_;
    std::array<unsigned, 4> intx_asserted_{}; // sources below asserting each virtual wire
    uint64_t read_latency_ps_ = 0;
    std::optional<uint64_t> surprise_down_at_;

    struct Direction {
        uint64_t requests = 0, bytes = 0, replays = 0;
    };
    std::array<Direction, 2> traffic_{};
    uint64_t unsupported_requests_ = 0, error_messages_ = 0;
    unsigned link_ups_ = 0;
};

} // namespace nvsoc
