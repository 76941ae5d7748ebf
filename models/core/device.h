// The base of every memory-mapped model: a SystemC module with one TLM-2.0
// target socket for its registers, a register bank, explicit reset, its own
// device-tree node and its own log. A model fills in the parts it needs.
#pragma once

#include "models/core/dt.h"
#include "models/core/irq.h"
#include "models/core/log.h"
#include "models/core/params.h"
#include "models/core/random.h"
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

// One interrupt input a device's output is wired to: "plic:10", or just 10
// when the platform has one interrupt controller (the platform config then
// fills in its name).
// Which accesses to a register window's reserved space are guest errors:
// none (a PCI BAR test writes whole BARs; the PLIC's holes), writes (the
// guest meant something by them: the IMSIC), or all (the APLIC).
enum class ReservedLog { None, Writes, All };

struct IrqRef {
    std::string controller;
    unsigned number = 0;
    Location where;
};

// Where a model on another model's bus sits (ModelInfo::on_bus): the bus
// owner's name and the device number on its bus (`bus` and `device`).
struct BusPlacement {
    std::string bus;
    unsigned device = 0;
    Location where; // the `bus` key
};

// Everything a model's constructor gets from the platform.
struct DeviceConfig {
    std::string name;
    std::string type;
    uint64_t base = 0;
    uint64_t size = 0;
    unsigned harts = 1; // number of harts in the platform
    // Models that drive harts' interrupt pins (ModelInfo::hart_pins): the
    // harts they drive, by hart ID, in order (their `harts` key; all by
    // default). The model's hart index i is hart hart_ids[i].
    std::vector<unsigned> hart_ids;
    // hart_ids, or every hart of the platform when it is empty (unit tests).
    std::vector<unsigned> driven_harts() const {
        if (!hart_ids.empty()) return hart_ids;
        std::vector<unsigned> all;
        for (unsigned h = 0; h < harts; ++h)
            all.push_back(h);
        return all;
    }
    Params params;
    std::vector<IrqRef> irqs;
    // Models that signal by MSI (ModelInfo::uses_msi): the MSI controller
    // (an IMSIC) their messages go to, settled by the platform config.
    std::string msi_controller;
    Location where;                        // the device's entry in the config
    std::optional<BusPlacement> placement; // models on a bus (ModelInfo::on_bus)
    uint64_t seed = 0;                     // the platform's seed, for models' random choices
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
    // The platform's interrupt and MSI controllers by name, so that their
    // users' nodes can point at them in the form they define.
    void add_controller(const std::string& name, const class InterruptController* c) {
        controllers_[name] = c;
    }
    void add_msi_controller(const std::string& name, const class MsiController* c) {
        msi_controllers_[name] = c;
    }
    // The interrupt-parent phandle and the specifier cells of `irq`.
    uint32_t interrupt_parent(const IrqRef& irq);
    std::vector<uint32_t> interrupt_specifier(const IrqRef& irq);
    // The msi-parent phandle for MSIs a supervisor-level user (a PCIe host,
    // an S-level APLIC domain) or the M level sends to MSI controller `name`.
    uint32_t msi_parent(const std::string& name, bool machine_level = false);
    unsigned harts() const { return static_cast<unsigned>(hart_intc_.size()); }

    // interrupt-parent + interrupts (one cell each), from the device's wiring
    // (every IrqRef names its controller once the platform config is built).
    void add_interrupts(DtNode& node, const std::vector<IrqRef>& irqs);

    // A node on the SoC bus named "<node_name>@<base>" with reg.
    DtNode& soc_node(const std::string& node_name, uint64_t base, uint64_t size);

    // Memory a device hands to the OS as a CPU-less NUMA node (a fabric
    // GPU's VRAM): a root "memory@<base>" node with numa-node-id, since
    // Linux looks for memory nodes only directly under the root. Returns
    // the node's phandle. The platform then adds numa-node-id 0 to the
    // harts and to DRAM, and the distance-map (Platform::describe_numa).
    struct NumaMemory {
        unsigned node;
        uint64_t base, size;
        std::string owner; // the device that added it, for messages
    };
    uint32_t add_numa_memory(unsigned node, uint64_t base, uint64_t size, const std::string& owner);
    const std::vector<NumaMemory>& numa_memory() const { return numa_memory_; }

  private:
    DeviceTree& tree_;
    std::vector<uint32_t> hart_intc_;
    std::map<std::string, uint32_t> phandles_;
    std::map<std::string, const InterruptController*> controllers_;
    std::map<std::string, const MsiController*> msi_controllers_;
    std::vector<NumaMemory> numa_memory_;
};

// The base of every model: a SystemC module with its configuration, its
// own log, explicit reset, its device-tree node, its stats, its interrupt
// outputs and its random streams. Models on the SoC bus derive from Device,
// which adds the target socket and the register bank; models on another
// bus (PCI functions) derive from Model and are reached through the model
// that owns their bus (BusOwner).
class Model : public sc_core::sc_module {
  public:
    explicit Model(const DeviceConfig& config);

    const std::string& instance() const { return config_.name; }
    const DeviceConfig& config() const { return config_; }

    // Back to the power-on state.
    virtual void reset() {}
    virtual void describe_dt(DtContext&) {}
    virtual void stats(nlohmann::json&) const {}
    // Interrupt outputs, in the order the config's `irq` list wires them.
    virtual std::vector<IrqOut*> irq_outputs() { return {}; }
    // DMA masters: bind the initiator sockets that reach the SoC bus.
    virtual void bind_bus_initiators(tlm::tlm_base_target_socket_b<>& /*bus*/) {}

    // The random stream "<instance>.<name>", seeded from the platform seed:
    // each consumer of random choices takes its own (models/core/random.h).
    RandomStream random_stream(const std::string& name) const {
        return RandomStream(config_.seed, config_.name + "." + name);
    }

  protected:
    Logger log_;

  private:
    DeviceConfig config_;
};

// A model mapped on the SoC bus: one TLM-2.0 target socket for its
// registers (base/size in the config) and a register bank that decodes them.
class Device : public Model {
  public:
    tlm_utils::simple_target_socket<Device> target;

    explicit Device(const DeviceConfig& config);

    uint64_t base() const { return config().base; }
    uint64_t size() const { return config().size; }

    // The default resets the register bank.
    void reset() override { regs_.reset(); }
    // A debug access with a device-relative address, outside the bus (image
    // loaders before elaboration, debuggers). Returns bytes transferred.
    unsigned debug_transport(tlm::tlm_generic_payload& tx) { return transport_dbg(tx); }

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

  protected:
    // Default MMIO behaviour: decode through the register bank, answer
    // unmapped offsets with an address error (the hart turns that into an
    // access fault) and log the guest error once.
    virtual void b_transport(tlm::tlm_generic_payload& tx, sc_core::sc_time& delay);
    // The same path for any register window of the device (a second domain
    // or level at its own address): latency, access_width_, then
    // serve_registers() with `window_size` as the reserved space when
    // unmapped_is_reserved_.
    void serve_window(RegisterBank& bank, uint64_t window_size, tlm::tlm_generic_payload& tx,
                      sc_core::sc_time& delay);
    virtual unsigned transport_dbg(tlm::tlm_generic_payload& tx);
    virtual bool get_direct_mem_ptr(tlm::tlm_generic_payload& tx, tlm::tlm_dmi& dmi);

    RegisterBank regs_;
    sc_core::sc_time access_latency_{10, sc_core::SC_NS};
    // When non-zero, the one access width the model takes (naturally
    // aligned); other accesses get an address error.
    unsigned access_width_ = 0;
    // For windows whose undeclared offsets are architecturally reserved
    // (reads zero, writes ignored, as in the PLIC) rather than bus errors.
    bool unmapped_is_reserved_ = false;
    // Which accesses to that reserved space are logged as guest errors.
    ReservedLog reserved_log_ = ReservedLog::None;
};

// A model that owns a bus other models sit on (a PCIe host bridge's root
// bus, a port's link; NVLink ports, bridges and fabric nodes to come). The
// owner alone decides what may attach to its bus and how; the platform only
// reads the YAML and hands each child to the owner its `bus` names.
class BusOwner {
  public:
    virtual ~BusOwner() = default;
    // Attaches `child` at `at`. A child this bus cannot carry, or a place
    // already taken, is refused with an InputError at at.where that names
    // this owner and says what would fit.
    virtual void attach(Model& child, const BusPlacement& at) = 0;
    // Once every model is placed: whether the bus as a whole works (what
    // all its children need of the owner together, such as address
    // windows), refusing what cannot with an InputError.
    virtual void check_children() const {}
};

// Serves `tx` (its address relative to the bank) from `bank`: the data, the
// response status, and a rate-limited guest-error line. Offsets the bank
// does not declare below `reserved_below` are reserved space (reads zero,
// writes ignored; logged as `log_reserved` says); beyond it they are
// address errors. Every register window uses it: MMIO devices on the SoC
// bus and PCI functions' BARs.
void serve_registers(RegisterBank& bank, tlm::tlm_generic_payload& tx, Logger& log,
                     uint64_t reserved_below = 0, ReservedLog log_reserved = ReservedLog::None);

// The `harts` parameter of every model that drives harts' pins
// (ModelInfo::hart_pins): the hart IDs it drives, all by default.
ParamSpec harts_param();

// A controller that drives the harts' own interrupt pins (timer, software
// and external interrupts). The platform hands it the pins of the harts in
// its `harts` list (DeviceConfig::hart_ids), in that order.
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
    // How a device's node names source `source`: the node its
    // interrupt-parent points at (a phandle name for DtContext::phandle_of)
    // and the cells of its specifier (the controller's #interrupt-cells).
    virtual std::string dt_interrupt_parent() const = 0;
    virtual std::vector<uint32_t> dt_specifier(unsigned source) const { return {source}; }
};

// A controller that receives MSIs (an IMSIC): memory writes of an
// interrupt identity to its pages.
class MsiController {
  public:
    virtual ~MsiController() = default;
    // The phandle name (DtContext::phandle_of) of the node that users'
    // msi-parent points at: the supervisor-level or machine-level files.
    virtual std::string dt_msi_parent(bool machine_level) const = 0;
};

// The `msi-parent` parameter of every model that signals by MSI
// (ModelInfo::uses_msi).
ParamSpec msi_parent_param();

} // namespace nvsoc
