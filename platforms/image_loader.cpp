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

struct ElfSection {
    std::string name;
    uint64_t addr, size; // virtual address and size in memory
};

// The sections that occupy memory (SHF_ALLOC; .tbss only describes a
// template, it takes no space of its own). Empty when the file has no
// section headers, which the ELF format allows.
std::vector<ElfSection> alloc_sections(const std::vector<uint8_t>& bytes, const Elf64_Ehdr& eh) {
    std::vector<ElfSection> out;
    if (eh.e_shnum == 0 || eh.e_shentsize != sizeof(Elf64_Shdr) ||
        eh.e_shoff + uint64_t(eh.e_shnum) * sizeof(Elf64_Shdr) > bytes.size())
        return out;
    auto header = [&](unsigned i) {
        Elf64_Shdr sh;
        std::memcpy(&sh, bytes.data() + eh.e_shoff + i * sizeof(Elf64_Shdr), sizeof sh);
        return sh;
    };
    Elf64_Shdr names{};
    if (eh.e_shstrndx < eh.e_shnum) names = header(eh.e_shstrndx);
    auto name_of = [&](uint32_t at) -> std::string {
        if (names.sh_type != SHT_STRTAB || at >= names.sh_size ||
            names.sh_offset + names.sh_size > bytes.size())
            return "?";
        const char* p = reinterpret_cast<const char*>(bytes.data() + names.sh_offset + at);
        return std::string(p, strnlen(p, names.sh_size - at));
    };
    for (unsigned i = 0; i < eh.e_shnum; ++i) {
        Elf64_Shdr sh = header(i);
        if (!(sh.sh_flags & SHF_ALLOC) || sh.sh_size == 0) continue;
        if (sh.sh_type == SHT_NOBITS && (sh.sh_flags & SHF_TLS)) continue;
        out.push_back({name_of(sh.sh_name), sh.sh_addr, sh.sh_size});
    }
    return out;
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
    const std::vector<ElfSection> sections = alloc_sections(bytes, eh);
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
        loaded = true;
        if (ph.p_paddr + ph.p_memsz < ph.p_paddr || memory.backed(ph.p_paddr, ph.p_memsz) ||
            sections.empty()) {
            place(path, where, memory, ph.p_paddr, ph.p_memsz, bytes.data() + ph.p_offset,
                  ph.p_filesz, out);
            continue;
        }
        // Part of the segment lies outside memory. GNU ld without a linker
        // script (gcc -Ttext=0x80000000) starts the first segment with the
        // ELF and program headers, a page below .text and so below RAM;
        // nobody reads them at run time, and QEMU loads such files. What
        // the program needs is its sections: those must all be in memory,
        // and the segment is loaded from the first to the end of the last.
        uint64_t lo = ph.p_memsz, hi = 0; // offsets into the segment
        for (const auto& sec : sections) {
            if (sec.addr < ph.p_vaddr || sec.addr - ph.p_vaddr >= ph.p_memsz ||
                sec.size > ph.p_memsz - (sec.addr - ph.p_vaddr))
                continue; // another segment's
            uint64_t off = sec.addr - ph.p_vaddr;
            if (!memory.backed(ph.p_paddr + off, sec.size))
                throw InputError(where,
                                 fmt::format("image '{}' needs [0x{:x}, 0x{:x}) for its section "
                                             "{}, which is not all RAM or ROM in this platform: "
                                             "link it for the platform's memory map or enlarge "
                                             "the memory",
                                             path, ph.p_paddr + off, ph.p_paddr + off + sec.size,
                                             sec.name));
            lo = std::min(lo, off);
            hi = std::max(hi, off + sec.size);
        }
        if (lo >= hi) { // no section in it: refuse the whole segment, as before
            place(path, where, memory, ph.p_paddr, ph.p_memsz, bytes.data() + ph.p_offset,
                  ph.p_filesz, out);
            continue;
        }
        uint64_t filesz = ph.p_filesz > lo ? std::min(ph.p_filesz - lo, hi - lo) : 0;
        place(path, where, memory, ph.p_paddr + lo, hi - lo, bytes.data() + ph.p_offset + lo,
              filesz, out);
        auto skipped = [&](uint64_t from, uint64_t to) {
            if (from < to)
                out.notes.push_back(fmt::format(
                    "'{}': skipped [0x{:x}, 0x{:x}) of segment {}, which is not all RAM or "
                    "ROM and holds no section (such as the ELF headers GNU ld puts below .text "
                    "without a linker script)",
                    path, ph.p_paddr + from, ph.p_paddr + to, i));
        };
        skipped(0, lo);
        skipped(hi, ph.p_memsz);
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
