// The hart's ISA string parser (models/cpu/rv_isa): the extension set it
// gives the core, the names it gives the device tree, and the one-line
// errors for what the hart does not implement.
#include "models/cpu/rv_isa.h"

#include <catch2/catch.hpp>

using namespace nvsoc;
using namespace nvsoc::rv;

namespace {

const Location kWhere{"platform.yaml", 3, 8};

// The error line parse_rv_isa gives for `isa`, or "" if it accepts it.
std::string error_of(const std::string& isa) {
    try {
        parse_rv_isa(isa, kWhere);
    } catch (const InputError& e) {
        return e.line();
    }
    return "";
}

} // namespace

TEST_CASE("isa: single letters and multi-letter extensions, in the string's order") {
    RvIsa isa = parse_rv_isa("rv64imafdc_zicsr_zifencei_zicntr_sstc", kWhere);
    CHECK(isa.base == "rv64i");
    CHECK(isa.names == std::vector<std::string>{"i", "m", "a", "f", "d", "c", "zicsr", "zifencei",
                                                "zicntr", "sstc"});
    CHECK(isa.extensions == RvExtensions{RvExt::I, RvExt::M, RvExt::A, RvExt::F, RvExt::D, RvExt::C,
                                         RvExt::Zicsr, RvExt::Zifencei, RvExt::Zicntr,
                                         RvExt::Sstc});
    CHECK_FALSE(isa.has(RvExt::Zihpm));
    CHECK_FALSE(isa.has(RvExt::Zicbom));
}

TEST_CASE("isa: g is imafd_zicsr_zifencei, repeats and empty parts are ignored, any case") {
    RvIsa isa = parse_rv_isa("RV64GC_Zicntr__zicsr_zicntr", kWhere);
    CHECK(isa.names ==
          std::vector<std::string>{"i", "m", "a", "f", "d", "zicsr", "zifencei", "c", "zicntr"});
    CHECK(isa.extensions == RvExtensions{RvExt::I, RvExt::M, RvExt::A, RvExt::F, RvExt::D,
                                         RvExt::Zicsr, RvExt::Zifencei, RvExt::C, RvExt::Zicntr});
}

TEST_CASE("isa: every extension the hart implements is accepted and named") {
    RvIsa isa = parse_rv_isa(
        "rv64imafdc_zicsr_zifencei_zicntr_zihpm_zicbom_zicboz_zihintpause_sdtrig_smaia_ssaia_sstc",
        kWhere);
    CHECK(isa.extensions == RvExtensions::all());
    REQUIRE(isa.names.size() == kRvExtCount);
    for (unsigned i = 0; i < kRvExtCount; ++i)
        CHECK(isa.names[i] == rv_ext_name(static_cast<RvExt>(i)));
}

TEST_CASE("isa: errors name the place, the string and what to change") {
    CHECK(error_of("rv32imac_zicsr") ==
          "platform.yaml:3:8: error: ISA 'rv32imac_zicsr' must start with rv64 (nvsoc harts are "
          "RV64)");
    CHECK(error_of("rv64imafdch_zicsr") ==
          "platform.yaml:3:8: error: ISA 'rv64imafdch_zicsr': extension 'h' is not implemented by "
          "nvsoc's hart (it has: imafdc and zicsr, zifencei, zicntr, zihpm, zicbom, zicboz, "
          "zihintpause, sdtrig, smaia, ssaia, sstc)");
    CHECK(error_of("rv64mac_zicsr") ==
          "platform.yaml:3:8: error: ISA 'rv64mac_zicsr' needs the base 'i' (or 'g') right after "
          "rv64");
    CHECK(error_of("rv64imac_zicsr_zicntx") ==
          "platform.yaml:3:8: error: ISA 'rv64imac_zicsr_zicntx': extension 'zicntx' is not "
          "implemented by nvsoc's hart (did you mean 'zicntr'?)");
    CHECK(error_of("rv64imac_zicsr_svnapot") ==
          "platform.yaml:3:8: error: ISA 'rv64imac_zicsr_svnapot': extension 'svnapot' is not "
          "implemented by nvsoc's hart");
}

TEST_CASE("isa: zicsr is required and d needs f") {
    CHECK(error_of("rv64imac") ==
          "platform.yaml:3:8: error: ISA 'rv64imac' lacks 'zicsr', which nvsoc's hart always has "
          "(its M, S and U modes are driven through CSRs): add _zicsr");
    CHECK(
        error_of("rv64imadc_zicsr") ==
        "platform.yaml:3:8: error: ISA 'rv64imadc_zicsr' has 'd' without 'f', which it builds on");
    CHECK(error_of("rv64i_zicsr").empty());
    CHECK(error_of("rv64g").empty());
}

TEST_CASE("isa: smaia needs ssaia") {
    CHECK(error_of("rv64imac_zicsr_smaia") ==
          "platform.yaml:3:8: error: ISA 'rv64imac_zicsr_smaia' has 'smaia' without 'ssaia': a "
          "hart with S-mode and the machine-level AIA CSRs has the supervisor-level ones too (add "
          "_ssaia)");
    CHECK(error_of("rv64imac_zicsr_ssaia_smaia").empty());
    CHECK(error_of("rv64imac_zicsr_ssaia").empty());
    RvIsa isa = parse_rv_isa("rv64gc_smaia_ssaia_sdtrig", kWhere);
    CHECK(isa.names == std::vector<std::string>{"i", "m", "a", "f", "d", "zicsr", "zifencei", "c",
                                                "smaia", "ssaia", "sdtrig"});
    CHECK(isa.has(RvExt::Smaia));
    CHECK(isa.has(RvExt::Ssaia));
    CHECK(isa.has(RvExt::Sdtrig));
}

TEST_CASE("isa: an extension set adds and removes members") {
    RvExtensions s{RvExt::I, RvExt::Zicsr};
    CHECK(s.has(RvExt::I));
    CHECK_FALSE(s.has(RvExt::M));
    s.add(RvExt::M).remove(RvExt::I);
    CHECK(s == RvExtensions{RvExt::M, RvExt::Zicsr});
    CHECK(RvExtensions::all().has(RvExt::Sstc));
    CHECK_FALSE(RvExtensions::all().remove(RvExt::C).has(RvExt::C));
}
