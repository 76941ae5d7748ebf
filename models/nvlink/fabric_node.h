// The native NVLink fabric node (`nvlink-fabric`): a device on the SoC bus
// with up to 8 GPU slots, NVLink-C2C style (Grace-Hopper, NVLink Fusion).
// It owns a bus of kind NVLINK-FABRIC: `gpu` models sit on it with
// `bus: <node>, device: <slot>`. nvlink_fabric_hw.h is the register manual
// and the aperture's map; docs/nvlink.md, "Native fabric node", the prose.
//
// The node decodes its whole aperture itself:
// - the node registers (offset 0, 64 KiB);
// - slot s's GPU register window (0x0100_0000 + s x 16 MiB): the GPU's BAR0
//   register bank, reached over the slot's C2C links;
// - each GPU's VRAM window: cacheable and coherent. Harts get DMI to the
//   VRAM's host bytes while the slot is in L0 (loads, stores and AMOs are
//   then as untimed as DRAM); DMI is revoked when the slot leaves L0, and
//   accesses then come through b_transport, which wakes a sleeping slot
//   (the exit latency is added to the access) or answers a failed one with
//   an address error (the hart's access fault), logged once per slot.
// The node is also each GPU's gpu::Uplink: system-memory DMA crosses the
// slot's C2C links (c2c_link.h) and then goes onto the SoC bus through the
// node's initiator socket, coherent (no No Snoop, no PCIe); DMA into the
// GPU's own VRAM window stays in the GPU; into another slot's window it
// crosses both slots' links. The engines' interrupt is the slot's wired
// line (`irq: [node, slot0, slot1, ...]`).
//
// Partial, and said so: CPU loads and stores by DMI are untimed (the harts
// ignore DMI latency); CPU accesses to VRAM by b_transport pay the C2C
// links but not the GPU's VRAM pipe; the coherence protocol's snoops and
// the links' credits are not modelled; NODE_CTRL.SLEEP is a status bit only.
#pragma once

#include "models/core/device.h"
#include "models/gpu/uplink.h"
#include "models/nvlink/c2c_link.h"

#include <array>
#include <memory>
#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>

namespace nvsoc {

class Gpu;

class NvlinkFabricNode : public Device, public BusOwner {
  public:
    static constexpr unsigned kSlots = 8;

    // GPU DMA onto the SoC bus.
    tlm_utils::simple_initiator_socket_optional<NvlinkFabricNode> dma;

    explicit NvlinkFabricNode(const DeviceConfig& config);
    ~NvlinkFabricNode() override;

    void bind_bus_initiators(tlm::tlm_base_target_socket_b<>& bus) override { dma.bind(bus); }
    void attach(Model& child, const BusPlacement& at) override;
    void check_children() const override;
    void reset() override;
    void describe_dt(DtContext& dt) override;
    void stats(nlohmann::json& out) const override;
    std::vector<IrqOut*> irq_outputs() override;

    // The GPU in `slot` (nullptr: empty), its windows' offsets from the
    // node's base, and its C2C links.
    Gpu* gpu(unsigned slot) const { return slots_.at(slot).gpu; }
    uint64_t regs_offset(unsigned slot) const;
    uint64_t vram_offset(unsigned slot) const { return slots_.at(slot).vram_offset; }
    c2c::Link& link(unsigned slot) { return *slots_.at(slot).link; }

  protected:
    void b_transport(tlm::tlm_generic_payload& tx, sc_core::sc_time& delay) override;
    unsigned transport_dbg(tlm::tlm_generic_payload& tx) override;
    bool get_direct_mem_ptr(tlm::tlm_generic_payload& tx, tlm::tlm_dmi& dmi) override;

  private:
    class SlotUplink;
    struct Slot {
        unsigned index = 0;
        Gpu* gpu = nullptr;
        std::unique_ptr<c2c::Link> link;
        std::unique_ptr<SlotUplink> uplink;
        uint64_t vram_offset = 0, vram_size = 0, numa_size = 0;
        unsigned numa_node = 0;
        uint32_t ctrl = 0, err_status = 0, err_en = 0, wakes = 0;
        c2c::State seen = c2c::State::L0; // the state STATE_CHANGE last saw
        bool failure_logged = false;
        uint64_t bus_errors = 0;
        IrqOut irq; // the GPU's engines
    };

    void declare_registers();
    void layout();
    Slot* slot_of_vram(uint64_t offset, uint64_t length);
    // The slot is ready for an access at `t`: returns when (t, or after a
    // wake), or UINT64_MAX when the access must fail (FAILED, or asleep
    // with AUTO_WAKE clear): then BUS_ERROR is set and the first is logged.
    uint64_t gate(Slot& s, uint64_t t, const char* what, uint64_t address);
    void invalidate_vram(const Slot& s);
    void set_slot_sleep(Slot& s, uint64_t t, bool sleep);
    void raise(Slot& s, uint32_t bits);
    void update_irq();
    void watch(); // SC_METHOD: state changes in time
    void schedule();
    uint64_t now() const;
    uint64_t access_time() const;
    gpu::MemResult gpu_dma(Slot& s, const gpu::MemAccess& a);
    void vram_transport(Slot& s, uint64_t offset, tlm::tlm_generic_payload& tx,
                        sc_core::sc_time& delay);
    void regs_transport(Slot& s, uint64_t offset, tlm::tlm_generic_payload& tx,
                        sc_core::sc_time& delay);

    c2c::LinkConfig link_config_;
    uint64_t vram_base_offset_ = 0; // `vram-offset`, 0: after the register windows
    std::array<Slot, kSlots> slots_;
    IrqOut node_irq_;
    bool node_asleep_ = false;
    const sc_core::sc_time* access_delay_ = nullptr; // while a register access runs
    sc_core::sc_event change_;
};

} // namespace nvsoc
