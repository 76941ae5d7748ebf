// The NVLink-to-PCIe bridge (`nvlink-pcie-bridge`): GPUs with NVLink ports
// reach a PCIe hierarchy through it. Software sees a PCI Express switch: an
// upstream port (function 0, on the link below a root port or a switch
// downstream port), a management function beside it (function 1, PCI
// 1e5c:0003, class 0x068000; models/nvlink/nvlink_bridge_hw.h has its BAR0),
// and on the switch's internal bus one virtual downstream port (vDSP) per
// NVLink port, at device p for port p. The vDSP's "link" to the GPU below
// it is NVLink port p's link, not a PCIe link.
//
// Below a vDSP (`bus: br0, device: p`) sits a GPU whose ports the YAML's
// `links` join to the bridge's: port p's link must go to that GPU; more
// links between the two add bandwidth (their vDSPs stay empty).
//
// What crosses: configuration requests reach the GPU only while port p's
// link is HS (otherwise no device: all-ones, and BR_ERR_CFG_TO_DOWN_PORT);
// BAR requests go down over NVLink (write packets, or a request packet and
// read-response packets back), plus the bridge's `latency` each way at the
// upstream port; the GPU's DMA and MSI-X writes come up over NVLink, then
// the upstream port and its PCIe link. Requests from below beyond the
// inbound window [0, 2^dma-window-bits) are Unsupported Requests at the
// vDSP (TLM address error), a FAULT record and the management interrupt.
// GPUs below one bridge are peers over PCIe inside the switch (the
// upstream port turns the request), as in any switch.
//
// vDSP slots are hot-plug capable: Presence Detect and DLL Link Active
// follow the link (HS), with Presence Detect Changed and DLL State Changed
// events on the port's MSI, so that pciehp adds and removes the GPU. With
// `hold-links: true` the ports' links stay OFF until software sets
// CTRL.PORTS_ENABLE. Link errors: replays and recoveries are Corrected
// Internal Errors of the GPU (AER); a link failure (FAULT) is a Surprise
// Down at its vDSP; both also show in the port blocks' and the bridge's
// error registers.
//
// Partial, and said so: no ACS capability on the vDSPs (no IOMMU to make it
// matter); configuration requests are untimed, as everywhere in the PCIe
// model; a hot reset of the upstream link resets configuration space, not
// the management registers or the NVLink links.
#pragma once

#include "models/nvlink/fabric.h"
#include "models/nvlink/nvlink_bridge_hw.h"
#include "models/nvlink/port.h"
#include "models/pcie/switch_port.h"

#include <array>
#include <memory>
#include <vector>

namespace nvsoc {

class NvlinkPcieBridge;

// One virtual downstream port: a type 1 function on the bridge's internal
// bus with a hot-plug slot, whose link is an NVLink port's.
class NvlinkVirtualPort : public PcieNode, public PcieUpstream, public PciBusOwner {
  public:
    NvlinkVirtualPort(const DeviceConfig& config, NvlinkPcieBridge& bridge, unsigned index);

    std::vector<pcie::ConfigSpace*> functions() override { return {&cs_}; }
    pcie::PciBus* secondary() override { return &bus_; }
    std::vector<Site> sites() const override { return {Site::SwitchBus}; }
    void downstream_request(const pcie::PciBus::Claim& claim, pcie::Space space, uint64_t address,
                            tlm::tlm_generic_payload& tx, sc_core::sc_time& delay) override;
    void link_reset() override;

    void upstream_request(tlm::tlm_generic_payload& tx, sc_core::sc_time& delay) override;
    void upstream_intx(unsigned device, unsigned pin, bool level) override;
    void upstream_error(ErrorSeverity severity, uint16_t source) override;
    unsigned secondary_bus_number() const override { return cs_.secondary_bus(); }

    void reset() override;
    void stats(nlohmann::json& out) const override;

    // The NVLink port's link changed (the bridge hands over its events).
    void link_event(const nvlink::Event& e);

    pcie::ConfigSpace& config_space() { return cs_; }
    pcie::MsiSignaller& msi() { return *msi_; }
    PcieNode* below() const { return below_; }
    bool up() const { return up_; }

  protected:
    const Model& owner_model() const override { return *this; }
    pcie::PciBus& child_bus() override { return bus_; }
    PcieUpstream& child_upstream() override { return *this; }
    Site child_site() const override { return Site::Link; }
    void attached(PcieNode& below) override;

  private:
    void link_up();
    void link_down(bool failed);
    void publish_link();
    void update_interrupt();
    NvlinkDevice* gpu() const;
    uint64_t last_packet_ps(uint64_t len) const;

    NvlinkPcieBridge& bridge_;
    unsigned index_;
    pcie::ConfigSpace cs_;
    pcie::PciBus bus_{true};
    std::unique_ptr<pcie::MsiSignaller> msi_;
    PcieNode* below_ = nullptr;
    bool up_ = false;
    uint64_t down_ = 0, up_requests_ = 0, window_faults_ = 0, surprise_downs_ = 0, corrected_ = 0,
             link_ups_ = 0;
};

class NvlinkPcieBridge : public SwitchUpstreamPort, public NvlinkDevice, public nvlink::PortHost {
  public:
    explicit NvlinkPcieBridge(const DeviceConfig& config);
    ~NvlinkPcieBridge() override;

    std::vector<pcie::ConfigSpace*> functions() override { return {&cs_, &mgmt_}; }
    void downstream_request(const pcie::PciBus::Claim& claim, pcie::Space space, uint64_t address,
                            tlm::tlm_generic_payload& tx, sc_core::sc_time& delay) override;
    void attach(Model& child, const BusPlacement& at) override;
    void reset() override;
    void stats(nlohmann::json& out) const override;

    // --- NvlinkDevice ----------------------------------------------------------
    unsigned nvlink_port_count() const override { return static_cast<unsigned>(ports_.size()); }
    nvlink::Port& nvlink_port(unsigned index) override { return *ports_.at(index); }
    unsigned nvlink_device_type() const override;
    void attach_nvlink(NvlinkFabric& fabric, uint32_t nvlink_id) override;
    gpu::MemResult serve_nvlink(const gpu::MemAccess& a) override;
    void nvlink_links_built(NvlinkFabric& fabric) override;
    void nvlink_event(unsigned port, const nvlink::Event& e) override;

    // --- nvlink::PortHost ----------------------------------------------------
    uint64_t port_now() const override;
    void port_interrupt_changed() override;

    // --- For the vDSPs ------------------------------------------------------
    NvlinkFabric* fabric() const { return fabric_; }
    uint64_t window_bits() const { return window_bits_; }
    // A request from below at vDSP `port` reached beyond the window.
    void dma_fault(unsigned port, const tlm::tlm_generic_payload& tx);
    void surprise_down(unsigned port);
    void link_corrected(unsigned port);
    void config_to_down_port();
    void present_changed() { update_interrupt(); }

    RegisterBank& bar0() { return registers_; }
    pcie::ConfigSpace& mgmt_config_space() { return mgmt_; }
    pcie::MsiSignaller& mgmt_msi() { return *msi_; }
    NvlinkVirtualPort& vdsp(unsigned p) { return *vdsps_.at(p); }
    unsigned vdsp_count() const { return static_cast<unsigned>(vdsps_.size()); }

  private:
    struct Fault {
        uint64_t address = 0;
        uint32_t info = 0, length = 0;
    };
    void declare_registers();
    void set_ports_enabled(bool on);
    uint32_t intr_pending() const;
    uint32_t present() const;
    void update_interrupt();

    pcie::ConfigSpace mgmt_;
    std::unique_ptr<pcie::MsiSignaller> msi_;
    RegisterBank registers_; // the management function's BAR0
    std::vector<std::unique_ptr<nvlink::Port>> ports_;
    std::vector<std::unique_ptr<NvlinkVirtualPort>> vdsps_;
    NvlinkFabric* fabric_ = nullptr;
    uint32_t nvlink_id_ = 0;
    unsigned window_bits_;
    bool hold_links_;
    bool links_enabled_ = true; // the links' power as last set
    bool in_bar0_access_ = false;
    uint32_t ctrl_ = 0, br_err_status_ = 0, br_err_en_ = 0;
    uint32_t fault_put_ = 0, fault_get_ = 0;
    std::array<Fault, NVSOC_NVBR_FAULT_RECORDS> faults_{};
    uint64_t faults_lost_ = 0;
    bool fault_logged_ = false;
};

} // namespace nvsoc
