#include "models/memory/bootrom.h"

#include "models/core/model_registry.h"

#include <cstring>

namespace nvsoc {

namespace {

// RV64I encodings (unprivileged spec, chapter "RV32I Base Integer
// Instruction Set": U-type and I-type formats).
constexpr uint32_t kT0 = 5, kA0 = 10, kA1 = 11, kA2 = 12;

constexpr uint32_t u_type(uint32_t opcode, uint32_t rd, uint32_t imm20) {
    return (imm20 << 12) | (rd << 7) | opcode;
}
constexpr uint32_t i_type(uint32_t opcode, uint32_t funct3, uint32_t rd, uint32_t rs1,
                          uint32_t imm12) {
    return ((imm12 & 0xfff) << 20) | (rs1 << 15) | (funct3 << 12) | (rd << 7) | opcode;
}
constexpr uint32_t auipc(uint32_t rd, uint32_t imm20) {
    return u_type(0x17, rd, imm20);
}
constexpr uint32_t addi(uint32_t rd, uint32_t rs1, uint32_t imm) {
    return i_type(0x13, 0, rd, rs1, imm);
}
constexpr uint32_t ld(uint32_t rd, uint32_t rs1, uint32_t imm) {
    return i_type(0x03, 3, rd, rs1, imm);
}
constexpr uint32_t csrr(uint32_t rd, uint32_t csr) {
    return i_type(0x73, 2, rd, 0, csr);
}
constexpr uint32_t jr(uint32_t rs1) {
    return i_type(0x67, 0, 0, rs1, 0);
}
constexpr uint32_t kMhartid = 0xf14;

} // namespace

std::vector<uint32_t> BootRom::reset_code() {
    return {
        auipc(kT0, 0),                    // t0 = this ROM's base
        addi(kA2, kT0, kFwDynamicOffset), // a2 = &fw_dynamic_info
        csrr(kA0, kMhartid),              // a0 = hart ID
        ld(kA1, kT0, kDtbOffset),         // a1 = device tree
        ld(kT0, kT0, kEntryOffset),       // t0 = firmware entry
        jr(kT0),
    };
}

BootRom::BootRom(const DeviceConfig& config) : Rom(config) {
    if (config.size < kFwDynamicOffset + 6 * 8)
        throw InputError(config.where, fmt::format("'{}' is too small for the reset code: give it "
                                                   "a size of at least 0x{:x}",
                                                   config.name, kFwDynamicOffset + 6 * 8));
    configure(0, 0, FwDynamicInfo{});
}

void BootRom::configure(uint64_t firmware_entry, uint64_t dtb_address, const FwDynamicInfo& info) {
    std::vector<uint8_t> bytes(kFwDynamicOffset + 6 * 8, 0);
    auto code = reset_code();
    std::memcpy(bytes.data(), code.data(), code.size() * 4);
    auto put64 = [&](uint64_t off, uint64_t v) { std::memcpy(bytes.data() + off, &v, 8); };
    put64(kEntryOffset, firmware_entry);
    put64(kDtbOffset, dtb_address);
    uint64_t dyn[6] = {FwDynamicInfo::kMagic, FwDynamicInfo::kVersion,
                       info.next_addr,        info.next_mode,
                       info.options,          info.boot_hart};
    for (int i = 0; i < 6; ++i)
        put64(kFwDynamicOffset + 8 * i, dyn[i]);
    program(0, bytes);
}

NVSOC_REGISTER_MODEL(ModelInfo{
    .type = "bootrom",
    .doc = "Reset vector: a0=hartid, a1=device tree, a2=fw_dynamic info, jump to the firmware",
    .params = {},
    .default_size = 0xf000,
    .irq_outputs = 0,
    .create = [](const DeviceConfig& c) { return std::make_unique<BootRom>(c); },
    .roles = kBootRom,
});

} // namespace nvsoc
