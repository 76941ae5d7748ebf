// The PCIe root complex's host bridge as Linux's `pci-host-ecam-generic`
// driver sees it (QEMU virt's layout): an ECAM window for configuration
// space, and I/O, 32-bit and 64-bit memory windows that the bridge forwards
// to the PCI buses, with the four INTx lines wired to the platform's
// interrupt controller through the device tree's interrupt-map.
//
// Configuration requests are routed through the root bus (pcie::PciBus) to
// the functions attached there and, through bridges, below them; a request
// nothing claims is an Unsupported Request that software sees as all ones.
//
// Memory and I/O requests to the windows are routed the same way, by the
// BARs and bridge windows software programmed; what nothing claims is a
// master abort (reads all ones, writes dropped, logged once as a guest
// error).
//
// Upstream, the host bridge is where DMA from PCIe functions enters the
// system: every request passes through upstream_request(), the one point
// where the IOMMU will sit, and goes out on the `dma` initiator socket to
// the SoC bus with its PcieExtension (requester ID). INTx messages from the
// root bus are collected onto the four lines by device number (the same
// swizzle as the device tree's interrupt-map).
#pragma once

#include "models/core/device.h"
#include "models/pcie/pcie_node.h"

#include <array>
#include <memory>
#include <set>
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/simple_target_socket.h>

namespace nvsoc {

class PcieHost : public Device, public PcieUpstream, public PciBusOwner {
  public:
    explicit PcieHost(const DeviceConfig& config);

    // DMA out to the SoC bus (unbound in tests of the host alone: then DMA
    // has nowhere to go and fails).
    tlm_utils::simple_initiator_socket_optional<PcieHost> dma;
    void bind_bus_initiators(tlm::tlm_base_target_socket_b<>& bus) override { dma.bind(bus); }

    void upstream_request(tlm::tlm_generic_payload& tx, sc_core::sc_time& delay) override;
    void upstream_intx(unsigned device, unsigned pin, bool level) override;
    void upstream_error(ErrorSeverity severity, uint16_t source) override;
    unsigned secondary_bus_number() const override { return 0; }

    void describe_dt(DtContext& ctx) override;
    std::vector<IrqOut*> irq_outputs() override;
    std::vector<Window> windows() override;
    void stats(nlohmann::json& out) const override;
    void reset() override;

    // The memory BARs below must fit the windows: 64-bit prefetchable BARs
    // the 64-bit window (when there is one), the others the 32-bit window,
    // packed as Linux sizes them. The first device that does not fit is
    // refused, with the window's size named.
    void check_children() const override;

    unsigned buses() const { return buses_; }
    // Bus 0: attach root-complex functions (root ports, integrated endpoints).
    pcie::PciBus& root_bus() { return root_bus_; }

    // The parts of an ECAM offset (PCIe base spec 7.2.2): bus [27:20],
    // device [19:15], function [14:12], register [11:0].
    struct EcamAddress {
        unsigned bus, device, function, reg;
    };
    static EcamAddress decode_ecam(uint64_t offset);

  protected:
    // Root-complex functions (root ports, integrated endpoints) sit on the
    // root bus.
    const Model& owner_model() const override { return *this; }
    pcie::PciBus& child_bus() override { return root_bus_; }
    PcieUpstream& child_upstream() override { return *this; }
    PcieNode::Site child_site() const override { return PcieNode::Site::RootBus; }

    void b_transport(tlm::tlm_generic_payload& tx, sc_core::sc_time& delay) override;
    unsigned transport_dbg(tlm::tlm_generic_payload& tx) override;

  private:
    // A forwarding window: CPU addresses [base, base + size) map to bus
    // addresses starting at `bus_base`.
    struct Forward {
        const char* name;
        uint32_t space; // ranges flags: 0x01000000 I/O, 0x02000000 mem32, 0x03000000 mem64
        uint64_t base = 0, size = 0, bus_base = 0;
        Location where;
        std::unique_ptr<tlm_utils::simple_target_socket_tagged<PcieHost>> socket;
        uint64_t master_aborts = 0;
    };
    // ECAM takes naturally aligned 1, 2 and 4-byte accesses inside the window.
    bool config_access_ok(uint64_t offset, unsigned len) const;
    bool config_transfer(uint64_t offset, tlm::tlm_generic_payload& tx);
    void window_transport(int index, tlm::tlm_generic_payload& tx, sc_core::sc_time& delay);
    unsigned window_debug(int index, tlm::tlm_generic_payload& tx);

    void route_request(pcie::Space space, uint64_t bus_address, tlm::tlm_generic_payload& tx,
                       sc_core::sc_time& delay, Forward& w);

    unsigned buses_ = 0;
    pcie::PciBus root_bus_;
    std::array<Forward, 3> windows_;
    std::array<IrqOut, 4> intx_;      // INTA..INTD
    std::set<unsigned> intx_sources_; // asserted: device << 2 | pin
    uint64_t config_reads_ = 0, config_writes_ = 0;
    uint64_t dma_reads_ = 0, dma_writes_ = 0, dma_bytes_ = 0, dma_errors_ = 0;
    uint64_t ambiguous_claims_ = 0;
};

} // namespace nvsoc
