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

// Every extension the parser accepts, in enum order, and what leaving it
// out of a core's set changes in the core (RvCore and its CSR table):
constexpr std::array<ExtInfo, kRvExtCount> kExtensions = {{
    {.ext = RvExt::I, .name = "i"}, // the base: required
    {.ext = RvExt::M, .name = "m"}, // mul/div illegal
    {.ext = RvExt::A, .name = "a"}, // LR/SC and AMOs illegal
    {.ext = RvExt::F, .name = "f"}, // FP instructions and fflags/frm/fcsr illegal, mstatus.FS 0
    {.ext = RvExt::D, .name = "d"}, // double-precision FP illegal
    // Compressed encodings illegal, jumps and taken branches to targets that
    // are not 4-byte aligned raise instruction-address-misaligned, mepc/sepc
    // bit 1 is 0.
    {.ext = RvExt::C, .name = "c"},
    // The CSR instructions. Required: the hart has M, S and U modes, which
    // are driven through CSRs (the boot ROM starts by reading mhartid).
    {.ext = RvExt::Zicsr, .name = "zicsr"},
    {.ext = RvExt::Zifencei, .name = "zifencei"}, // fence.i illegal
    {.ext = RvExt::Zicntr, .name = "zicntr"},     // cycle, time, instret illegal
    {.ext = RvExt::Zihpm, .name = "zihpm"},       // hpmcounter3-31 illegal
    {.ext = RvExt::Zicbom, .name = "zicbom"},     // cbo.clean/flush/inval illegal
    {.ext = RvExt::Zicboz, .name = "zicboz"},     // cbo.zero illegal
    // Nothing in the core: PAUSE is a HINT encoding of FENCE, which every
    // hart executes as a fence whether or not it has Zihintpause (so must
    // ours). The extension only tells software, through the device tree,
    // that the hint is worth issuing in spin loops.
    {.ext = RvExt::Zihintpause, .name = "zihintpause"},
    // tselect, tdata1-3, tinfo illegal (no triggers; see rv_trigger.h).
    {.ext = RvExt::Sdtrig, .name = "sdtrig"},
    // The AIA's machine-level CSRs illegal: miselect, mireg, mtopei, mtopi,
    // mvien, mvip.
    {.ext = RvExt::Smaia, .name = "smaia"},
    // The AIA's supervisor-level CSRs illegal: siselect, sireg, stopei,
    // stopi. (Linux uses an IMSIC only on harts that name ssaia.)
    {.ext = RvExt::Ssaia, .name = "ssaia"},
    {.ext = RvExt::Sstc, .name = "sstc"}, // stimecmp illegal, menvcfg.STCE reads 0
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
        if (!ext)
            throw InputError(where, fmt::format("ISA '{}': extension '{}' is not implemented by "
                                                "nvsoc's hart{}",
                                                text, name, did_you_mean_note(name, multi)));
        add(ext->ext);
    }
    if (!out.has(RvExt::Zicsr))
        throw InputError(where, fmt::format("ISA '{}' lacks 'zicsr', which nvsoc's hart always "
                                            "has (its M, S and U modes are driven through CSRs): "
                                            "add _zicsr",
                                            text));
    // Smaia on a hart with S-mode brings the supervisor-level CSRs too.
    if (out.has(RvExt::Smaia) && !out.has(RvExt::Ssaia))
        throw InputError(where, fmt::format("ISA '{}' has 'smaia' without 'ssaia': a hart with "
                                            "S-mode and the machine-level AIA CSRs has the "
                                            "supervisor-level ones too (add _ssaia)",
                                            text));
    if (out.has(RvExt::D) && !out.has(RvExt::F))
        throw InputError(where,
                         fmt::format("ISA '{}' has 'd' without 'f', which it builds on", text));
    return out;
}

} // namespace nvsoc::rv
