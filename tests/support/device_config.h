// Builds a DeviceConfig for a model as the platform would, from the model's
// registered parameter table plus overrides given as YAML-style text.
#pragma once

#include "models/core/model_registry.h"

#include <catch2/catch.hpp>
#include <map>
#include <string>

namespace nvsoc::test {

inline DeviceConfig make_config(const std::string& type, const std::string& name, uint64_t base,
                                const std::map<std::string, std::string>& overrides = {},
                                unsigned harts = 1) {
    const ModelInfo* info = ModelRegistry::instance().find(type);
    REQUIRE(info != nullptr);
    DeviceConfig c;
    c.name = name;
    c.type = type;
    c.base = base;
    c.size = info->default_size;
    c.harts = harts;
    c.where = Location{"test", 1, 1};
    for (const auto& [key, text] : overrides) {
        bool found = false;
        for (const auto& spec : info->params)
            if (spec.name == key) {
                c.params.put(key, convert_param(spec, text, c.where, ""));
                found = true;
            }
        REQUIRE(found);
    }
    apply_defaults(info->params, c.params, c.where, name);
    if (info->size_for) c.size = info->size_for(c.params, harts);
    return c;
}

inline std::unique_ptr<Device> make_device(const std::string& type, const std::string& name,
                                           uint64_t base,
                                           const std::map<std::string, std::string>& overrides = {},
                                           unsigned harts = 1) {
    DeviceConfig c = make_config(type, name, base, overrides, harts);
    return ModelRegistry::instance().create_device(c);
}

} // namespace nvsoc::test
