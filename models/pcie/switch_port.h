// A PCI Express switch, as software sees it: an upstream port
// (`pcie-switch-upstream-port`) on the link below a root port or another
// switch's downstream port, and on its internal bus the switch's downstream
// ports (`pcie-switch-downstream-port`), each the downstream end of a link
// to one device. Both are type 1 functions (PCI-to-PCI bridges) with bus
// numbers and forwarding windows that software programs.
//
// The upstream port routes requests from above to the downstream port
// whose window claims them, and requests from below (DMA) up its link only
// with Bus Master Enable, or across to a sibling downstream port when the
// address lies in its own window (peer-to-peer inside the switch). Crossing
// the switch costs `latency`. INTx messages are swizzled by device number
// at each port; error messages pass with SERR# Enable. A hot reset or
// DL_Down of the upstream link resets the switch and hot-resets every
// downstream link.
//
// Default IDs are TI XIO3130's (104c:8232 upstream, 104c:8233 downstream),
// the switch QEMU emulates, which Linux drives with no quirks.
#pragma once

#include "models/pcie/downstream_port.h"

#include <array>

namespace nvsoc {

class SwitchUpstreamPort : public PcieNode, public PcieUpstream, public PciBusOwner {
  public:
    // `multi_function`: the device has functions besides the port (the
    // NVLink-to-PCIe bridge's management function).
    explicit SwitchUpstreamPort(const DeviceConfig& config, bool multi_function = false);

    std::vector<pcie::ConfigSpace*> functions() override { return {&cs_}; }
    pcie::PciBus* secondary() override { return &bus_; }
    std::vector<Site> sites() const override { return {Site::Link}; }
    void downstream_request(const pcie::PciBus::Claim& claim, pcie::Space space, uint64_t address,
                            tlm::tlm_generic_payload& tx, sc_core::sc_time& delay) override;
    void link_reset() override;

    void upstream_request(tlm::tlm_generic_payload& tx, sc_core::sc_time& delay) override;
    void upstream_intx(unsigned device, unsigned pin, bool level) override;
    void upstream_error(ErrorSeverity severity, uint16_t source) override;
    unsigned secondary_bus_number() const override { return cs_.secondary_bus(); }

    void reset() override;
    void stats(nlohmann::json& out) const override;
    pcie::ConfigSpace& config_space() { return cs_; }

  protected:
    // The switch's internal bus, where its downstream ports sit.
    const Model& owner_model() const override { return *this; }
    pcie::PciBus& child_bus() override { return bus_; }
    PcieUpstream& child_upstream() override { return *this; }
    Site child_site() const override { return Site::SwitchBus; }

    pcie::ConfigSpace cs_;
    pcie::PciBus bus_;
    sc_core::sc_time latency_;

  private:
    uint64_t down_ = 0, up_ = 0, peer_ = 0, ambiguous_claims_ = 0;
};

class SwitchDownstreamPort : public DownstreamPort {
  public:
    explicit SwitchDownstreamPort(const DeviceConfig& config)
        : DownstreamPort(config, pcie::PortType::DownstreamPort) {}
    std::vector<Site> sites() const override { return {Site::SwitchBus}; }
    // Hot reset of the switch: the port's own state and a hot reset of its
    // link.
    void link_reset() override;
};

} // namespace nvsoc
