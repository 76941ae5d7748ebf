#include "platforms/image_loader.h"

#include <cstring>
#include <elf.h>
#include <fmt/format.h>
#include <fstream>
#include <iterator>

namespace nvsoc {

std::vector<uint8_t> read_file(const std::string& path, const Location& where) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw InputError(where, fmt::format("cannot open image '{}'", path));
    std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)),
                               std::istreambuf_iterator<char>());
    if (in.bad()) throw InputError(where, fmt::format("cannot read image '{}'", path));
    return bytes;
}

bool is_elf(const std::vector<uint8_t>& bytes) {
    return bytes.size() >= 4 && std::memcmp(bytes.data(), ELFMAG, SELFMAG) == 0;
}

namespace {

void place(const std::string& path, const Location& where, const GuestMemory& memory, uint64_t addr,
           uint64_t extent, const uint8_t* data, uint64_t len, LoadedImage& out) {
    if (extent == 0) return;
    if (addr + extent < addr || !memory.backed(addr, extent))
        throw InputError(where, fmt::format("image '{}' needs [0x{:x}, 0x{:x}), which is not all "
                                            "RAM or ROM in this platform: link it for the "
                                            "platform's memory map or enlarge the memory",
                                            path, addr, addr + extent));
    memory.write(addr, data, len);
    if (extent > len) {
        std::vector<uint8_t> zeros(extent - len, 0);
        memory.write(addr + len, zeros.data(), zeros.size());
    }
    out.low = out.high == 0 ? addr : std::min(out.low, addr);
    out.high = std::max(out.high, addr + extent);
}

LoadedImage load_elf(const std::string& path, const Location& where,
                     const std::vector<uint8_t>& bytes, const GuestMemory& memory) {
    auto bad = [&](const std::string& why) {
        return InputError(where, fmt::format("'{}' is not a usable ELF image: {}", path, why));
    };
    if (bytes.size() < sizeof(Elf64_Ehdr)) throw bad("the file is truncated");
    Elf64_Ehdr eh;
    std::memcpy(&eh, bytes.data(), sizeof eh);
    if (eh.e_ident[EI_CLASS] != ELFCLASS64) throw bad("it is not 64-bit (build it for rv64)");
    if (eh.e_ident[EI_DATA] != ELFDATA2LSB) throw bad("it is not little-endian");
    if (eh.e_machine != EM_RISCV)
        throw bad(fmt::format("it is for machine {}, not RISC-V (build it with a riscv64 "
                              "toolchain)",
                              eh.e_machine));
    if (eh.e_phentsize != sizeof(Elf64_Phdr) ||
        eh.e_phoff + uint64_t(eh.e_phnum) * sizeof(Elf64_Phdr) > bytes.size())
        throw bad("its program headers are truncated");
    LoadedImage out;
    out.elf = true;
    out.entry = eh.e_entry;
    bool loaded = false;
    for (unsigned i = 0; i < eh.e_phnum; ++i) {
        Elf64_Phdr ph;
        std::memcpy(&ph, bytes.data() + eh.e_phoff + i * sizeof(Elf64_Phdr), sizeof ph);
        if (ph.p_type != PT_LOAD || ph.p_memsz == 0) continue;
        if (ph.p_filesz > ph.p_memsz || ph.p_offset + ph.p_filesz > bytes.size() ||
            ph.p_offset + ph.p_filesz < ph.p_offset)
            throw bad(fmt::format("segment {} lies outside the file", i));
        place(path, where, memory, ph.p_paddr, ph.p_memsz, bytes.data() + ph.p_offset, ph.p_filesz,
              out);
        loaded = true;
    }
    if (!loaded) throw bad("it has no loadable segment");
    return out;
}

// RISC-V Linux Image header (Documentation/arch/riscv/boot-image-header.rst):
// image_size at 0x10, magic "RISCV\0\0\0" at 0x30, "RSC\x05" at 0x38.
uint64_t linux_image_extent(const std::vector<uint8_t>& bytes) {
    if (bytes.size() < 0x40 || std::memcmp(bytes.data() + 0x30, "RISCV\0\0\0", 8) != 0) return 0;
    uint64_t image_size;
    std::memcpy(&image_size, bytes.data() + 0x10, 8);
    return image_size;
}

} // namespace

LoadedImage load_image(const std::string& path, const Location& where, uint64_t raw_addr,
                       const GuestMemory& memory) {
    std::vector<uint8_t> bytes = read_file(path, where);
    if (bytes.empty()) throw InputError(where, fmt::format("image '{}' is empty", path));
    if (is_elf(bytes)) return load_elf(path, where, bytes, memory);
    LoadedImage out;
    out.entry = raw_addr;
    uint64_t extent = std::max<uint64_t>(bytes.size(), linux_image_extent(bytes));
    place(path, where, memory, raw_addr, extent, bytes.data(), bytes.size(), out);
    return out;
}

} // namespace nvsoc
