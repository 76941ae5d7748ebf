#include "models/core/model_registry.h"

#include <algorithm>
#include <stdexcept>

namespace nvsoc {

ModelRegistry& ModelRegistry::instance() {
    static ModelRegistry registry;
    return registry;
}

bool ModelRegistry::add(ModelInfo info) {
    if (find(info.type)) throw std::logic_error("model type registered twice: " + info.type);
    models_.push_back(std::move(info));
    return true;
}

const ModelInfo* ModelRegistry::find(const std::string& type) const {
    for (const auto& m : models_)
        if (m.type == type) return &m;
    return nullptr;
}

std::vector<const ModelInfo*> ModelRegistry::all() const {
    std::vector<const ModelInfo*> out;
    for (const auto& m : models_)
        out.push_back(&m);
    std::sort(out.begin(), out.end(), [](auto* a, auto* b) { return a->type < b->type; });
    return out;
}

std::unique_ptr<Model> ModelRegistry::create(const DeviceConfig& config) const {
    const ModelInfo* info = find(config.type);
    if (!info) throw std::logic_error("no model type " + config.type);
    sc_core::sc_module_name name(config.name.c_str());
    std::unique_ptr<Model> model = info->create(config);
    // What the table declares, the model must be.
    Model* m = model.get();
    auto check = [&](bool ok, const char* what) {
        if (!ok) throw std::logic_error(config.type + " is declared " + what + " but is not");
    };
    check(info->on_bus.empty() == (dynamic_cast<Device*>(m) != nullptr),
          "on_bus (a Model, not a Device) or not");
    check(info->owns_bus.empty() || dynamic_cast<BusOwner*>(m), "owns_bus (a BusOwner)");
    check(!(info->roles & kInterruptController) || dynamic_cast<InterruptController*>(m),
          "an interrupt controller");
    check(!(info->roles & kTimeSource) || dynamic_cast<TimeSource*>(m), "a time source");
    check(!(info->roles & kMsiController) || dynamic_cast<MsiController*>(m), "an MSI controller");
    check(!info->hart_pins || dynamic_cast<HartInterruptSource*>(m), "a hart interrupt source");
    check(!info->uses_msi || std::any_of(info->params.begin(), info->params.end(),
                                         [](const ParamSpec& p) { return p.name == "msi-parent"; }),
          "an MSI user with an msi_parent_param()");
    check(!info->hart_pins || std::any_of(info->params.begin(), info->params.end(),
                                          [](const ParamSpec& p) { return p.name == "harts"; }),
          "a hart interrupt source with a harts_param()");
    return model;
}

std::unique_ptr<Device> ModelRegistry::create_device(const DeviceConfig& config) const {
    std::unique_ptr<Model> model = create(config);
    auto* device = dynamic_cast<Device*>(model.get());
    if (!device) throw std::logic_error(config.type + " is not a model on the SoC bus");
    model.release();
    return std::unique_ptr<Device>(device);
}

std::vector<std::string> ModelRegistry::types() const {
    std::vector<std::string> out;
    for (auto* m : all())
        out.push_back(m->type);
    return out;
}

} // namespace nvsoc
