// A downstream-facing PCI Express port: a root port or a switch downstream
// port. A type 1 function with the PCI Express capability of its port type
// (link and slot registers), Power Management and AER; and the link to the
// one device below it.
//
// The port owns that link (pcie::Link) and drives it in simulated time: it
// powers it on at the start, wakes at every planned LTSSM step, shows the
// state in both ends' Link Status, and turns the link's events into slot,
// bandwidth and AER status. Retrain Link, Link Disable and Secondary Bus
// Reset written by software go to the link.
//
// Requests: memory and I/O requests inside its windows go down the link
// (with the link's TLP timing) to the device below; requests from below go
// up only while the port's Bus Master Enable is set. Reads take their
// requester's tags and completion buffer on the requester's own link (the
// device right below; a root port's own reads down): there the port sets
// PcieExtension::issued_ps; reads from further below are passed on. INTx messages from
// below are swizzled by device number onto the port's four virtual wires.
// Error messages from below pass through only with Bridge Control's SERR#
// Enable; a switch port sends them on upstream, a root port collects them
// (root_port.h).
//
// The port's own interrupts (a root port's AER and PME interrupts) use one
// vector: an MSI capability with one vector (64-bit, maskable), so the
// Interrupt Message Numbers are 0; with MSI disabled they use INTA.
#pragma once

#include "models/pcie/pcie_node.h"

#include <array>
#include <memory>

namespace nvsoc {

class DownstreamPort : public PcieNode, public PcieUpstream, public PciBusOwner {
  public:
    // `type` is PortType::RootPort or PortType::DownstreamPort.
    DownstreamPort(const DeviceConfig& config, pcie::PortType type);

    std::vector<pcie::ConfigSpace*> functions() override { return {&cs_}; }
    pcie::PciBus* secondary() override { return &bus_; }
    void downstream_request(const pcie::PciBus::Claim& claim, pcie::Space space, uint64_t address,
                            tlm::tlm_generic_payload& tx, sc_core::sc_time& delay) override;

    void upstream_request(tlm::tlm_generic_payload& tx, sc_core::sc_time& delay) override;
    void upstream_intx(unsigned device, unsigned pin, bool level) override;
    void upstream_error(ErrorSeverity severity, uint16_t source) override;
    unsigned secondary_bus_number() const override { return cs_.secondary_bus(); }

    void reset() override;
    void stats(nlohmann::json& out) const override;

    pcie::ConfigSpace& config_space() { return cs_; }
    pcie::MsiSignaller& msi() { return *msi_; }
    pcie::Link& link() { return *link_; }
    const pcie::LinkConfig& link_config() const { return link_config_; }
    PcieNode* below() const { return below_; }

  protected:
    // The bus below is the link, carrying one device; attaching it gives
    // the link its upstream end.
    const Model& owner_model() const override { return *this; }
    pcie::PciBus& child_bus() override { return bus_; }
    PcieUpstream& child_upstream() override { return *this; }
    Site child_site() const override { return Site::Link; }
    void attached(PcieNode& below) override;

    // Wakes the link's thread after an input made outside it.
    void notify_link() { kick(); }
    // An error message from below that Bridge Control lets through.
    virtual void forward_error(ErrorSeverity severity, uint16_t source);

    pcie::ConfigSpace cs_;
    std::unique_ptr<pcie::MsiSignaller> msi_;

  private:
    void end_of_elaboration() override;
    void make_link();
    void link_thread();
    void fault_thread();
    void service_link();
    void handle(const pcie::LinkEvent& e);
    void kick() { kick_.notify(sc_core::SC_ZERO_TIME); }
    void wake_for_link_events();
    pcie::TransferTiming cross(pcie::Direction d, const tlm::tlm_generic_payload& tx, uint64_t t0,
                               const pcie::TransferOptions& o);
    pcie::TransferOptions dma_options(const tlm::tlm_generic_payload& tx) const;
    bool from_below(const tlm::tlm_generic_payload& tx) const;
    uint64_t completion_time(uint64_t len, unsigned max_payload) const;

    bool root_; // a root port, not a switch downstream port
    pcie::PciBus bus_{true};
    pcie::LinkConfig link_config_;
    uint64_t link_seed_ = 0;
    std::unique_ptr<pcie::Link> link_;
    PcieNode* below_ = nullptr;
    sc_core::sc_event kick_;
    uint64_t read_latency_ps_ = 0;
    std::optional<uint64_t> surprise_down_at_;

    struct Direction {
        uint64_t requests = 0, bytes = 0, replays = 0;
    };
    std::array<Direction, 2> traffic_{};
    uint64_t error_messages_ = 0;
    unsigned link_ups_ = 0;
};

// The parameters of a downstream port model (link, slot, fault points),
// with its default IDs.
std::vector<ParamSpec> downstream_port_params(const char* vendor_id, const char* device_id,
                                              const char* id_doc);

} // namespace nvsoc
