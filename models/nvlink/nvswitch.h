// The NVSwitch (`nvswitch`): NVLink ports joined by a crossbar, and a PCIe
// endpoint function through which software manages it (PCI 1e5c:0002,
// class 0x068000 "bridge, other"; models/nvlink/nvswitch_hw.h has the
// registers). A switch has no memory: requests pass through it, as the
// routing table in BAR0 says (per ingress port and destination NVLink ID,
// an egress port mask: a ganged-link group). The fabric (fabric.h) asks
// route() at each switch a request crosses and times the hops; the
// switch's ports are nvlink::Port blocks in BAR0, as a GPU's are.
//
// `routes` ("2:0-1,3:2": ID 2 leaves by ports 0 and 1, ID 3 by port 2) is
// written to every ingress port's table at reset. `ports` defaults to the
// generation's switch: 18 (NVLink 1-2, first NVSwitch), 36 (NVLink 3),
// 64 (NVLink 4+: the Hopper-era NVSwitch); more than that is refused.
//
// Read responses are routed by the same table, by their destination (the
// requester's NVLink ID). Partial, and said so: one table for every packet
// kind (no separate response, remap or LAN tables); no MSI/MSI-X, only INTA for the
// ports' errors; the ports' links keep training across resets.
#pragma once

#include "models/nvlink/fabric.h"
#include "models/nvlink/nvswitch_hw.h"
#include "models/nvlink/port.h"
#include "models/pcie/pcie_node.h"

#include <array>
#include <memory>

namespace nvsoc {

// "2:0-1,3:2" into (NVLink ID, egress mask) pairs; throws
// std::invalid_argument naming the problem when a port is not below
// `ports` or an ID is not 1..63.
std::vector<std::pair<uint32_t, uint64_t>> parse_nvswitch_routes(const std::string& text,
                                                                 unsigned ports);

class NvSwitch : public PcieNode, public NvlinkDevice, public nvlink::PortHost {
  public:
    explicit NvSwitch(const DeviceConfig& config);
    ~NvSwitch() override;

    std::vector<pcie::ConfigSpace*> functions() override { return {&cs_}; }
    void downstream_request(const pcie::PciBus::Claim& claim, pcie::Space space, uint64_t address,
                            tlm::tlm_generic_payload& tx, sc_core::sc_time& delay) override;
    void link_reset() override;
    void reset() override;
    void stats(nlohmann::json& out) const override;

    // --- NvlinkDevice ----------------------------------------------------------
    unsigned nvlink_port_count() const override { return static_cast<unsigned>(ports_.size()); }
    nvlink::Port& nvlink_port(unsigned index) override { return *ports_.at(index); }
    unsigned nvlink_device_type() const override;
    void attach_nvlink(NvlinkFabric& fabric, uint32_t nvlink_id) override;
    // A switch has no memory of its own.
    gpu::MemResult serve_nvlink(const gpu::MemAccess& a) override;
    std::vector<unsigned> route(unsigned ingress_port, uint32_t dest_id) override;
    void route_dropped(unsigned ingress_port, uint32_t dest_id, uint32_t why) override;
    uint64_t forward_latency() const override { return crossbar_latency_; }

    // --- nvlink::PortHost ----------------------------------------------------
    uint64_t port_now() const override;
    void port_interrupt_changed() override;

    RegisterBank& bar0() { return registers_; }
    pcie::ConfigSpace& config_space() { return cs_; }
    uint64_t route_mask(unsigned ingress, uint32_t dest) const {
        return routes_.at(ingress * NVSOC_NVSW_MAX_IDS + dest);
    }
    uint64_t route_drops() const { return drops_; }

  private:
    void declare_registers();
    void load_routes();

    pcie::ConfigSpace cs_;
    RegisterBank registers_; // BAR0
    std::vector<std::unique_ptr<nvlink::Port>> ports_;
    std::vector<std::pair<uint32_t, uint64_t>> yaml_routes_;
    std::vector<uint64_t> routes_; // [ingress * 64 + dest]: egress mask
    uint64_t crossbar_latency_ = 0;
    uint32_t nvlink_id_ = 0;
    bool in_bar0_access_ = false;
    uint64_t drops_ = 0, forwarded_ = 0;
    uint32_t err_status_ = 0, err_info_ = 0;
    bool drop_logged_ = false;
};

} // namespace nvsoc
