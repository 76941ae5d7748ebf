// ISA strings and the extensions nvsoc's hart implements.
#include "models/cpu/rv_isa.h"

#include <algorithm>
#include <array>
#include <fmt/format.h>

namespace nvsoc::rv {

namespace {

struct ExtInfo {
    RvExt ext;
    const char* name;
};

// Every extension the parser accepts, in enum order.
constexpr std::array<ExtInfo, kRvExtCount> kExtensions = {{
    {.ext = RvExt::I, .name = "i"},
    {.ext = RvExt::M, .name = "m"},
    {.ext = RvExt::A, .name = "a"},
    {.ext = RvExt::F, .name = "f"},
    {.ext = RvExt::D, .name = "d"},
    {.ext = RvExt::C, .name = "c"},
    {.ext = RvExt::Zicsr, .name = "zicsr"},
    {.ext = RvExt::Zifencei, .name = "zifencei"},
    {.ext = RvExt::Zicntr, .name = "zicntr"},
    {.ext = RvExt::Zihpm, .name = "zihpm"},
    {.ext = RvExt::Zicbom, .name = "zicbom"},
    {.ext = RvExt::Zicboz, .name = "zicboz"},
    {.ext = RvExt::Zihintpause, .name = "zihintpause"},
    {.ext = RvExt::Sstc, .name = "sstc"},
}};

constexpr bool in_enum_order() {
    for (unsigned i = 0; i < kRvExtCount; ++i)
        if (static_cast<unsigned>(kExtensions[i].ext) != i) return false;
    return true;
}
static_assert(in_enum_order());

constexpr unsigned kSingleLetter = static_cast<unsigned>(RvExt::C) + 1;

} // namespace

const char* rv_ext_name(RvExt ext) {
    return kExtensions[static_cast<unsigned>(ext)].name;
}

RvIsa parse_rv_isa(const std::string& text, const Location& where) {
    std::vector<std::string> multi;
    for (unsigned i = kSingleLetter; i < kRvExtCount; ++i)
        multi.push_back(kExtensions[i].name);
    auto find = [](const std::string& name, unsigned from, unsigned to) -> const ExtInfo* {
        for (unsigned i = from; i < to; ++i)
            if (name == kExtensions[i].name) return &kExtensions[i];
        return nullptr;
    };

    std::string s = text;
    std::transform(s.begin(), s.end(), s.begin(), ::tolower);
    if (s.rfind("rv64", 0) != 0)
        throw InputError(where, fmt::format("ISA '{}' must start with rv64 (nvsoc harts are "
                                            "RV64)",
                                            text));
    RvIsa out;
    auto add = [&](RvExt e) {
        if (out.has(e)) return;
        out.extensions.add(e);
        out.names.push_back(rv_ext_name(e));
    };
    size_t us = s.find('_');
    std::string letters = s.substr(4, us == std::string::npos ? std::string::npos : us - 4);
    for (char c : letters) {
        std::string l(1, c);
        if (l == "g") {
            for (RvExt e :
                 {RvExt::I, RvExt::M, RvExt::A, RvExt::F, RvExt::D, RvExt::Zicsr, RvExt::Zifencei})
                add(e);
            continue;
        }
        const ExtInfo* ext = find(l, 0, kSingleLetter);
        if (!ext)
            throw InputError(where, fmt::format("ISA '{}': extension '{}' is not implemented by "
                                                "nvsoc's hart (it has: imafdc and {})",
                                                text, l, fmt::join(multi, ", ")));
        add(ext->ext);
    }
    if (out.names.empty() || out.names[0] != "i")
        throw InputError(where, fmt::format("ISA '{}' needs the base 'i' (or 'g') right after "
                                            "rv64",
                                            text));
    while (us != std::string::npos) {
        size_t next = s.find('_', us + 1);
        std::string name =
            s.substr(us + 1, next == std::string::npos ? std::string::npos : next - us - 1);
        us = next;
        if (name.empty()) continue;
        const ExtInfo* ext = find(name, kSingleLetter, kRvExtCount);
        if (!ext) {
            std::string hint = did_you_mean(name, multi);
            throw InputError(where,
                             fmt::format("ISA '{}': extension '{}' is not implemented by "
                                         "nvsoc's hart{}",
                                         text, name,
                                         hint.empty() ? "" : " (did you mean '" + hint + "'?)"));
        }
        add(ext->ext);
    }
    return out;
}

} // namespace nvsoc::rv
