// The reset vector. Every hart starts here in M-mode; a few instructions put
// the hart ID in a0, the device-tree address in a1 and the address of an
// OpenSBI fw_dynamic information block in a2, then jump to the firmware.
// This is the boot protocol OpenSBI's generic platform expects (its
// fw_dynamic, fw_jump and fw_payload builds all read a0/a1).
#pragma once

#include "models/memory/rom.h"

namespace nvsoc {

// OpenSBI's struct fw_dynamic_info (include/sbi/fw_dynamic.h), version 2.
struct FwDynamicInfo {
    static constexpr uint64_t kMagic = 0x4942534f; // "OSBI"
    static constexpr uint64_t kVersion = 2;
    enum Mode : uint64_t { User = 0, Supervisor = 1, Machine = 3 };
    uint64_t next_addr = 0;
    uint64_t next_mode = Supervisor;
    uint64_t options = 0;
    uint64_t boot_hart = 0; // the hart that runs the cold boot path
};

class BootRom : public Rom {
  public:
    // Offsets inside the ROM (relative to its base).
    static constexpr uint64_t kEntryOffset = 0x18; // .dword firmware entry
    static constexpr uint64_t kDtbOffset = 0x20;   // .dword device-tree address
    static constexpr uint64_t kFwDynamicOffset = 0x28;

    explicit BootRom(const DeviceConfig& config);

    // Writes the reset code and its data; called by the platform once the
    // images are placed.
    void configure(uint64_t firmware_entry, uint64_t dtb_address, const FwDynamicInfo& info);

    // The instruction words of the reset code (tests compare them with the
    // assembler's encoding).
    static std::vector<uint32_t> reset_code();
};

} // namespace nvsoc
