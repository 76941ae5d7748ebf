// Loading firmware, kernel and initrd images into guest memory. ELF files
// are loaded by their program headers at their physical addresses; anything
// else is a raw binary placed at a given address. Every byte must land in a
// RAM or ROM region, or the load is refused with the image's name; the one
// exception is the bytes of an ELF segment that belong to no section (the
// headers GNU ld puts below .text when there is no linker script), which are
// skipped with a note when they fall outside memory.
#pragma once

#include "models/core/error.h"

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace nvsoc {

struct LoadedImage {
    uint64_t entry = 0;
    uint64_t low = 0;  // lowest address written
    uint64_t high = 0; // one past the highest address written (including bss)
    bool elf = false;
    // What the loader chose to leave out, for the log (bytes of an ELF
    // segment that hold no section and lie outside memory).
    std::vector<std::string> notes;
};

// Where memory is: the loader asks whether [addr, addr+len) is backed, and
// writes through `write`.
struct GuestMemory {
    std::function<bool(uint64_t addr, uint64_t len)> backed;
    std::function<void(uint64_t addr, const uint8_t* data, uint64_t len)> write;
};

std::vector<uint8_t> read_file(const std::string& path, const Location& where);

// Loads an ELF (by headers) or raw binary (at raw_addr). For a raw RISC-V
// Linux Image the header's image_size is used as the extent, so the kernel's
// bss is checked to fit too.
LoadedImage load_image(const std::string& path, const Location& where, uint64_t raw_addr,
                       const GuestMemory& memory);

bool is_elf(const std::vector<uint8_t>& bytes);

} // namespace nvsoc
