// The GPU as a PCI Express endpoint (`gpu`): its configuration space, its
// BARs, its VRAM, and the transports that carry its engines' memory
// requests. The channels and copy engines themselves are gpu::Engine
// (engine.h), plain C++ that this model drives in simulated time.
//
// Configuration space (models/gpu/nvsoc_gpu_hw.h has the numbers): the
// project's own vendor/device IDs, class 0x120000 (processing accelerator),
// INTA, and the capabilities a GPU shows in `lspci -vv`: Power Management,
// MSI (32 vectors, 64-bit, maskable), PCI Express endpoint (Gen5 x16 by
// default, FLR), MSI-X (1 + channels vectors: vector 0 for the stall
// interrupts, 1 + c for channel c's non-stall interrupt), AER and a
// Resizable BAR capability for BAR1.
//
// BAR0 (32-bit, 16 MiB): one register bank with the identity registers,
// the MSI-X table and PBA and the engines' registers; reserved offsets read
// 0 and ignore writes. BAR1 (64-bit prefetchable): the VRAM aperture, BAR1
// offset x is VRAM offset x; Resizable BAR gives it any power of two from
// 64 MiB to the VRAM's size (`vram-bar` at reset).
//
// The transports (gpu::MemoryPort): VRAM with its bounds, its ECC fault
// points and its timing (VramTiming: `vram-bandwidth`, `vram-latency`);
// system memory by DMA upstream through the PCIe link (the function's
// Max_Payload_Size and Max_Read_Request_Size, No Snoop for the
// non-coherent aperture, addresses at or beyond 2^dma-bits refused); peers
// over NVLink (the platform's NvlinkFabric) or PCIe peer-to-peer, as
// the peer table says.
//
// On a native NVLink fabric node (`bus: <nvlink-fabric>`), the same GPU
// sits in a slot instead: the node maps its BAR0 register bank and its VRAM
// in the SoC's address space (models/nvlink/fabric_node.h) and becomes its
// gpu::Uplink: system-memory DMA goes over the slot's C2C links, coherent,
// and the engines' interrupt is the slot's wired line. Its PCI
// configuration space then exists but nothing reaches it. `numa-node` and
// `numa-memory` (the top part of VRAM the OS gets as a NUMA node) are for
// that case only.
//
// Partial, and said so: BAR1 accesses from the CPU reach VRAM without
// using the VRAM pipe (a read's completer takes the VRAM latency), and do
// not count towards the ECC fault points; no BAR2/3 instance aperture or
// I/O BAR.
#pragma once

#include "models/gpu/engine.h"
#include "models/gpu/memory_port.h"
#include "models/gpu/nvsoc_gpu_hw.h"
#include "models/gpu/uplink.h"
#include "models/gpu/vram.h"
#include "models/nvlink/fabric.h"
#include "models/nvlink/port.h"
#include "models/pcie/pcie_node.h"

#include <array>
#include <memory>
#include <optional>

namespace nvsoc {

class Gpu : public PcieNode,
            public gpu::MemoryPort,
            public gpu::EngineHost,
            public NvlinkDevice,
            public nvlink::PortHost {
  public:
    explicit Gpu(const DeviceConfig& config);
    ~Gpu() override;

    std::vector<pcie::ConfigSpace*> functions() override { return {&cs_}; }
    void downstream_request(const pcie::PciBus::Claim& claim, pcie::Space space, uint64_t address,
                            tlm::tlm_generic_payload& tx, sc_core::sc_time& delay) override;
    void place(PcieUpstream& upstream, pcie::PciBus& bus, unsigned device) override;
    void link_reset() override;
    void reset() override;
    void stats(nlohmann::json& out) const override;

    // --- gpu::MemoryPort: the engines' requests ------------------------------
    gpu::MemResult access(const gpu::MemAccess& a) override;

    // --- gpu::EngineHost ---------------------------------------------------------
    uint64_t now() const override;
    void signal(unsigned vector) override;
    void set_level(bool level) override;
    void wake_at(uint64_t t) override;

    // --- NvlinkDevice: its ports (`nvlink-ports`) ----------------------------------
    unsigned nvlink_port_count() const override {
        return static_cast<unsigned>(nvlink_ports_.size());
    }
    nvlink::Port& nvlink_port(unsigned index) override { return *nvlink_ports_.at(index); }
    unsigned nvlink_device_type() const override;
    void attach_nvlink(NvlinkFabric& fabric, uint32_t nvlink_id) override;
    gpu::MemResult serve_nvlink(const gpu::MemAccess& a) override;

    // --- nvlink::PortHost ------------------------------------------------------------
    uint64_t port_now() const override { return now(); }
    void port_interrupt_changed() override;

    pcie::ConfigSpace& config_space() { return cs_; }
    pcie::MsiSignaller& msi() { return *msi_; }
    gpu::Engine& engine() { return *engine_; }
    gpu::Vram& vram() { return *vram_; }
    const gpu::EngineConfig& engine_config() const { return config_; }
    RegisterBank& bar0() { return registers_; }

    // --- Another uplink than PCIe (a fabric node's slot) ----------------------
    // System-memory DMA and the interrupt go to `uplink` from now on
    // (nullptr: back to PCIe). The caller owns it.
    void set_uplink(gpu::Uplink* uplink);
    bool on_pcie() const { return uplink_ == pcie_uplink_.get(); }
    // A BAR0 register access arriving by another path than PCIe (`tx`'s
    // address is the BAR0 offset), served as BAR0 accesses are: callbacks
    // see the access's time (sc_time_stamp() + delay).
    void register_access(tlm::tlm_generic_payload& tx, sc_core::sc_time& delay);
    // `numa-node` (unset: the fabric's default) and `numa-memory` (default
    // vram / 2; 0: none): the top part of VRAM the OS gets as a NUMA node.
    std::optional<unsigned> numa_node() const { return numa_node_; }
    uint64_t numa_memory() const { return numa_memory_; }

  private:
    void declare_identity();
    void function_level_reset();
    void update_intx();
    void run_engine();
    gpu::MemResult vram_access(const gpu::MemAccess& a);
    gpu::MemResult sysmem_access(const gpu::MemAccess& a);
    // The PCIe uplink (gpu.cpp): DMA through the function's link, INTx.
    class PcieUplink;
    gpu::MemResult pcie_sysmem(const gpu::MemAccess& a);
    gpu::MemResult peer_access(const gpu::MemAccess& a);
    void declare_nvlink();
    void reset_nvlink();

    gpu::EngineConfig config_;
    std::unique_ptr<gpu::Vram> vram_;
    gpu::VramTiming vram_timing_;
    pcie::ConfigSpace cs_;
    RegisterBank registers_; // BAR0
    std::unique_ptr<pcie::MsiSignaller> msi_;
    std::unique_ptr<gpu::Engine> engine_;
    sc_core::sc_event wake_;
    // While a BAR0 register callback runs: the access's delay (now() is the
    // access's time).
    const sc_core::sc_time* bar0_delay_ = nullptr;
    bool level_ = false; // the engines' legacy interrupt condition

    // Fault points: the Nth access (from 1, in the whole run: resets do not
    // re-arm them) of its kind; 0 = off.
    struct FaultPoints {
        uint64_t poison_read_at = 0;       // <gpu>.dma.poison: Nth system-memory DMA read
        uint64_t ecc_correctable_at = 0;   // <gpu>.vram.ecc_correctable: Nth VRAM read
        uint64_t ecc_uncorrectable_at = 0; // <gpu>.vram.ecc_uncorrectable
    } faults_;
    uint64_t vram_reads_ = 0, sysmem_reads_ = 0;

    // What each aperture carried.
    struct Traffic {
        uint64_t reads = 0, writes = 0, read_bytes = 0, write_bytes = 0;
    };
    Traffic vram_traffic_, coherent_traffic_, noncoherent_traffic_, bar1_traffic_;
    struct Errors {
        uint64_t out_of_range = 0, bus_errors = 0, poisoned = 0, no_path = 0;
        uint64_t ecc_corrected = 0, ecc_uncorrected = 0;
    } errors_;
    uint64_t signals_ = 0;

    // NVLink: the ports, the fabric the platform joined them to, this
    // GPU's NVLink ID, and the peer table (NVSOC_GPU_PEER_*).
    std::vector<std::unique_ptr<nvlink::Port>> nvlink_ports_;
    NvlinkFabric* fabric_ = nullptr;
    uint32_t nvlink_id_ = 0;
    struct Peer {
        uint32_t ctrl = 0, target = 0;
        uint64_t base = 0;
    };
    std::array<Peer, NVSOC_GPU_PEERS> peers_{};
    uint64_t peer_bytes_ = 0;

    std::unique_ptr<gpu::Uplink> pcie_uplink_;
    gpu::Uplink* uplink_ = nullptr;
    std::optional<unsigned> numa_node_;
    uint64_t numa_memory_ = 0;
};

} // namespace nvsoc
