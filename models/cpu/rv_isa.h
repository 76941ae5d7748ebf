// The ISA of a hart: the extensions nvsoc's RV64 hart implements, the set a
// core is configured with, and the parser of ISA strings (riscv,isa) that
// refuses anything the hart does not implement. Plain C++, no SystemC.
#pragma once

#include "models/core/error.h"

#include <cstdint>
#include <initializer_list>
#include <string>
#include <vector>

namespace nvsoc::rv {

// Every extension the hart implements, in the canonical order of ISA
// strings (single letters first, then the multi-letter ones).
enum class RvExt : uint8_t {
    I,
    M,
    A,
    F,
    D,
    C,
    Zicsr,
    Zifencei,
    Zicntr,
    Zihpm,
    Zicbom,
    Zicboz,
    Zihintpause,
    Sdtrig,
    Smaia,
    Ssaia,
    Sstc,
};
inline constexpr unsigned kRvExtCount = static_cast<unsigned>(RvExt::Sstc) + 1;

// The lower-case name of an extension as written in ISA strings ("m", "zicsr").
const char* rv_ext_name(RvExt ext);

// A set of extensions: what a core implements and checks.
class RvExtensions {
  public:
    constexpr RvExtensions() = default;
    constexpr RvExtensions(std::initializer_list<RvExt> exts) {
        for (RvExt e : exts)
            add(e);
    }
    // Everything nvsoc's hart implements.
    static constexpr RvExtensions all() {
        RvExtensions s;
        s.bits_ = (1u << kRvExtCount) - 1;
        return s;
    }
    constexpr bool has(RvExt e) const { return (bits_ >> static_cast<unsigned>(e)) & 1; }
    constexpr RvExtensions& add(RvExt e) {
        bits_ |= 1u << static_cast<unsigned>(e);
        return *this;
    }
    constexpr RvExtensions& remove(RvExt e) {
        bits_ &= ~(1u << static_cast<unsigned>(e));
        return *this;
    }
    constexpr bool operator==(const RvExtensions&) const = default;

  private:
    uint32_t bits_ = 0;
};

// A parsed ISA string.
struct RvIsa {
    std::string base = "rv64i";     // riscv,isa-base
    std::vector<std::string> names; // in the string's order, 'g' expanded (riscv,isa-extensions)
    RvExtensions extensions;
    bool has(RvExt e) const { return extensions.has(e); }
};

// Parses an ISA string such as "rv64imafdc_zicsr_zifencei" (case-insensitive;
// 'g' stands for imafd_zicsr_zifencei). Every extension must be one the hart
// implements, and the set must make sense for it (the base 'i', 'zicsr',
// 'f' under 'd'). Throws InputError at `where`.
RvIsa parse_rv_isa(const std::string& text, const Location& where);

} // namespace nvsoc::rv
