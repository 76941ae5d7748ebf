// Model types by name. Each model registers itself from its own source file
// (NVSOC_REGISTER_MODEL), so adding a device touches only its own files.
#pragma once

#include "models/core/device.h"

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace nvsoc {

struct ModelInfo {
    std::string type;
    std::string doc; // one line
    std::vector<ParamSpec> params;
    uint64_t default_size = 0; // 0: the config must give `size`
    unsigned irq_outputs = 0;  // how many `irq` entries the device takes
    std::function<std::unique_ptr<Device>(const DeviceConfig&)> create;
    // A device on a PCI bus (a PcieNode): placed with `bus` and `device`
    // instead of `base` and `size`, and found by enumeration
    // rather than described in the device tree.
    bool pci = false;
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
    std::unique_ptr<Device> create(const DeviceConfig& config) const;

  private:
    std::vector<ModelInfo> models_;
};

#define NVSOC_CONCAT2(a, b) a##b
#define NVSOC_CONCAT(a, b) NVSOC_CONCAT2(a, b)
#define NVSOC_REGISTER_MODEL(...)                                                                  \
    static const bool NVSOC_CONCAT(nvsoc_model_registered_, __LINE__) =                            \
        ::nvsoc::ModelRegistry::instance().add(__VA_ARGS__)

} // namespace nvsoc
