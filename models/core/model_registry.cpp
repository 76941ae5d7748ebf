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

std::unique_ptr<Device> ModelRegistry::create(const DeviceConfig& config) const {
    const ModelInfo* info = find(config.type);
    if (!info) throw std::logic_error("no model type " + config.type);
    sc_core::sc_module_name name(config.name.c_str());
    return info->create(config);
}

std::vector<std::string> ModelRegistry::types() const {
    std::vector<std::string> out;
    for (auto* m : all())
        out.push_back(m->type);
    return out;
}

} // namespace nvsoc
