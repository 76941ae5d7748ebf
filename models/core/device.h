// The base of every memory-mapped model: a SystemC module with one TLM-2.0
// target socket for its registers, a register bank, explicit reset, its own
// device-tree node and its own log. A model fills in the parts it needs.
#pragma once

#include "models/core/dt.h"
#include "models/core/irq.h"
#include "models/core/log.h"
#include "models/core/params.h"
#include "models/core/registers.h"

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <systemc>
#include <tlm>
#include <tlm_utils/simple_target_socket.h>
#include <vector>

namespace nvsoc {

// What the platform offers models that act on the whole system (the test
// finisher ends or resets the simulation through it).
class SystemControl {
  public:
    virtual ~SystemControl() = default;
    virtual void request_exit(int status, const std::string& reason) = 0;
    virtual void request_reset(const std::string& reason) = 0;
};

// One interrupt input a device's output is wired to: "plic:10" or just 10
// (the platform's default interrupt controller).
struct IrqRef {
    std::string controller;
    unsigned number = 0;
    Location where;
};

// Everything a model's constructor gets from the platform.
struct DeviceConfig {
    std::string name;
    std::string type;
    uint64_t base = 0;
    uint64_t size = 0;
    unsigned harts = 1; // number of harts in the platform
    Params params;
    std::vector<IrqRef> irqs;
    Location where; // the device's entry in the config
    // PCI devices (ModelInfo::pci): the node above (a host bridge or a
    // port) and the device number on its bus.
    struct PciPlacement {
        std::string bus;
        unsigned device = 0;
        Location where; // the `bus` key
    };
    std::optional<PciPlacement> pci;
    uint64_t seed = 0; // the platform's seed, for models' random choices
    const LogConfig* log = nullptr;
    SystemControl* system = nullptr;
};

// Helps models write their node: phandles by device name (allocated on first
// use, so order of description does not matter) and standard properties.
class DtContext {
  public:
    DtContext(DeviceTree& tree, std::vector<uint32_t> hart_intc_phandles);

    DeviceTree& tree() { return tree_; }
    DtNode& root() { return tree_.root(); }
    DtNode& soc() { return tree_.root().child("soc"); }
    uint32_t phandle_of(const std::string& device_name);
    uint32_t hart_intc(unsigned hart) const { return hart_intc_[hart]; }
    unsigned harts() const { return static_cast<unsigned>(hart_intc_.size()); }

    // interrupt-parent + interrupts (one cell each), from the device's wiring.
    void add_interrupts(DtNode& node, const std::vector<IrqRef>& irqs);
    void set_default_irq_controller(const std::string& name) { default_irq_ = name; }
    const std::string& default_irq_controller() const { return default_irq_; }

    // A node on the SoC bus named "<node_name>@<base>" with reg.
    DtNode& soc_node(const std::string& node_name, uint64_t base, uint64_t size);

  private:
    DeviceTree& tree_;
    std::vector<uint32_t> hart_intc_;
    std::map<std::string, uint32_t> phandles_;
    std::string default_irq_;
};

class Device : public sc_core::sc_module {
  public:
    tlm_utils::simple_target_socket<Device> target;

    Device(const DeviceConfig& config);

    const std::string& instance() const { return config_.name; }
    const DeviceConfig& config() const { return config_; }
    uint64_t base() const { return config_.base; }
    uint64_t size() const { return config_.size; }

    // Back to the power-on state. The default resets the register bank.
    virtual void reset() { regs_.reset(); }
    virtual void describe_dt(DtContext&) {}
    virtual void stats(nlohmann::json&) const {}
    // A debug access with a device-relative address, outside the bus (image
    // loaders before elaboration, debuggers). Returns bytes transferred.
    unsigned debug_transport(tlm::tlm_generic_payload& tx) { return transport_dbg(tx); }
    // Interrupt outputs, in the order the config's `irq` list wires them.
    virtual std::vector<IrqOut*> irq_outputs() { return {}; }

    // Further address ranges the device decodes besides base/size, each with
    // its own target socket (a PCIe host's I/O and memory windows). The
    // platform maps them on the system bus like the main range; `where`
    // names the config entry to blame for an overlap.
    struct Window {
        std::string name; // "<instance>.<window>" in bus errors and maps
        uint64_t base = 0;
        uint64_t size = 0;
        tlm::tlm_target_socket<>* socket = nullptr;
        Location where;
    };
    virtual std::vector<Window> windows() { return {}; }
    // DMA masters: bind the initiator sockets that reach the SoC bus.
    virtual void bind_bus_initiators(tlm::tlm_base_target_socket_b<>& /*bus*/) {}

  protected:
    // Default MMIO behaviour: decode through the register bank, answer
    // unmapped offsets with an address error (the hart turns that into an
    // access fault) and log the guest error once.
    virtual void b_transport(tlm::tlm_generic_payload& tx, sc_core::sc_time& delay);
    virtual unsigned transport_dbg(tlm::tlm_generic_payload& tx);
    virtual bool get_direct_mem_ptr(tlm::tlm_generic_payload& tx, tlm::tlm_dmi& dmi);

    RegisterBank regs_;
    Logger log_;
    sc_core::sc_time access_latency_{10, sc_core::SC_NS};
    // When non-zero, the one access width the model takes (naturally
    // aligned); other accesses get an address error.
    unsigned access_width_ = 0;
    // For windows whose undeclared offsets are architecturally reserved
    // (reads zero, writes ignored, as in the PLIC) rather than bus errors.
    bool unmapped_is_reserved_ = false;

  private:
    DeviceConfig config_;
};

// A controller that drives the harts' own interrupt pins (timer, software
// and external interrupts). The platform hands it every hart's pins.
class HartInterruptSource {
  public:
    virtual ~HartInterruptSource() = default;
    virtual void connect_harts(const std::vector<HartIrqPins*>& harts) = 0;
};

// The platform timer (ACLINT MTIMER) as the harts read it for the time CSR
// and for Sstc deadlines.
class TimeSource {
  public:
    virtual ~TimeSource() = default;
    // mtime at simulated time t (which may be ahead of sc_time_stamp()).
    virtual uint64_t mtime_at(const sc_core::sc_time& t) const = 0;
    // The earliest simulated time at which mtime >= value (SC_ZERO_TIME if
    // already; sc_max_time() if never).
    virtual sc_core::sc_time time_of(uint64_t value) const = 0;
};

// An interrupt controller that device outputs can be wired to.
class InterruptController {
  public:
    virtual ~InterruptController() = default;
    virtual IrqTarget& irq_input() = 0;
    virtual unsigned num_sources() const = 0; // valid source numbers are 1..num_sources
};

} // namespace nvsoc
