// Model types by name. Each model registers itself from its own source file
// (NVSOC_REGISTER_MODEL), so adding a device touches only its own files.
#pragma once

#include "models/core/device.h"

#include <algorithm>
#include <functional>
#include <initializer_list>
#include <memory>
#include <string>
#include <vector>

namespace nvsoc {

// Roles the platform assigns by name, never by looking for the first model
// that happens to implement an interface. A model declares the roles it can
// play; where a platform has one candidate for a role it is chosen, where it
// has several the YAML names the one meant (`irq: plic:10`, `harts.timer`,
// `boot.rom`), and a missing or ambiguous choice is refused.
enum Role : unsigned {
    kInterruptController = 1u << 0, // implements InterruptController; `irq` entries name it
    kTimeSource = 1u << 1,          // implements TimeSource: the harts' time CSR and Sstc
    kBootRom = 1u << 2,             // a BootRom: the harts start in it
    // An MsiController (an IMSIC): models that deliver MSIs (ModelInfo::
    // uses_msi) name it with `msi-parent`, or take the only one.
    kMsiController = 1u << 3,
};

// How a model, with its parameters, uses an MSI controller.
enum class MsiUse {
    None,      // it signals by wires alone
    IfPresent, // by MSI when the platform has an MSI controller, else by wires
    Required,  // by MSI: a platform without an MSI controller is refused
};

// The NVLink ports of a model with these parameters (ModelInfo::nvlink_ports):
// how many, and the generations they speak (min_generation..max_generation).
inline constexpr unsigned kMaxNvlinkGeneration = 5;
struct NvlinkPorts {
    unsigned count = 0;
    unsigned min_generation = 1, max_generation = 1;
};

// The kinds of bus a model may sit on (ModelInfo::on_bus): written as one
// kind (`"PCI"`) or a list (`{"PCI", "NVLINK-FABRIC"}`).
struct BusKinds {
    std::vector<std::string> kinds;
    BusKinds() = default;
    BusKinds(const char* kind) : kinds{kind} {}
    BusKinds(std::initializer_list<std::string> list) : kinds(list) {}
    bool empty() const { return kinds.empty(); }
    bool contains(const std::string& kind) const {
        return !kind.empty() && std::find(kinds.begin(), kinds.end(), kind) != kinds.end();
    }
    // "PCI" or "PCI or NVLINK-FABRIC", for messages and docs.
    std::string text() const {
        std::string out;
        for (size_t i = 0; i < kinds.size(); ++i)
            out += (i == 0 ? "" : i + 1 == kinds.size() ? " or " : ", ") + kinds[i];
        return out;
    }
};

struct ModelInfo {
    std::string type;
    std::string doc; // one line
    std::vector<ParamSpec> params;
    uint64_t default_size = 0; // 0: the config must give `size` (unless size_for)
    // The size when it depends on the parameters and the platform's hart
    // count (an IMSIC's pages); it replaces default_size.
    uint64_t (*size_for)(const Params&, unsigned harts) = nullptr;
    unsigned irq_outputs = 0; // how many `irq` entries the device takes
    std::function<std::unique_ptr<Model>(const DeviceConfig&)> create;
    // The kinds of bus ("PCI") a model that sits on another model's bus may
    // sit on: placed with `bus` and `device` instead of `base` and `size`,
    // attached by the owner of that bus (BusOwner), which describes it in
    // the device tree if it needs to be (PCI devices are found by
    // enumeration instead). It derives from Model, not Device. Empty: a
    // Device on the SoC bus.
    BusKinds on_bus;
    // The kind of bus a model owns, where models of that `on_bus` kind may
    // be placed; it implements BusOwner. Empty: none.
    std::string owns_bus;
    unsigned roles = 0; // Role bits
    // The harts' interrupt pins (mip bit numbers) the model drives with
    // these parameters (HartInterruptSource); nullptr: none. Such a model
    // takes a `harts` key: the harts it drives, all by default; no two
    // models may drive one hart's pin.
    std::vector<unsigned> (*hart_pins)(const Params&) = nullptr;
    // Whether the model, with these parameters, signals interrupts as MSI
    // writes to an MSI controller (kMsiController); such a model takes an
    // `msi-parent` key naming it. nullptr: MsiUse::None.
    MsiUse (*uses_msi)(const Params&) = nullptr;
    // ISA extensions (as written in harts.isa) that the harts it serves
    // must have to use it with these parameters: an IMSIC's files are
    // reached through the Smaia/Ssaia CSRs. nullptr: none.
    std::vector<std::string> (*hart_extensions)(const Params&) = nullptr;
    // The NVLink ports a model has with these parameters; entries of the
    // top-level `links` map join them. nullptr: none.
    NvlinkPorts (*nvlink_ports)(const Params&) = nullptr;
};

class ModelRegistry {
  public:
    static ModelRegistry& instance();
    bool add(ModelInfo info);
    const ModelInfo* find(const std::string& type) const;
    std::vector<const ModelInfo*> all() const; // sorted by type
    std::vector<std::string> types() const;

    // Instantiates a model. Always create devices through this: it provides
    // the SystemC module name for the duration of the construction.
    std::unique_ptr<Model> create(const DeviceConfig& config) const;
    // The same for a model on the SoC bus (unit tests drive its socket).
    std::unique_ptr<Device> create_device(const DeviceConfig& config) const;

  private:
    std::vector<ModelInfo> models_;
};

#define NVSOC_CONCAT2(a, b) a##b
#define NVSOC_CONCAT(a, b) NVSOC_CONCAT2(a, b)
#define NVSOC_REGISTER_MODEL(...)                                                                  \
    static const bool NVSOC_CONCAT(nvsoc_model_registered_, __LINE__) =                            \
        ::nvsoc::ModelRegistry::instance().add(__VA_ARGS__)

} // namespace nvsoc
