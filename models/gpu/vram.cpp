#include "models/gpu/vram.h"

#include <algorithm>
#include <stdexcept>
#include <string>
#include <sys/mman.h>

namespace nvsoc::gpu {

Vram::Vram(uint64_t size) : size_(size) {
    if (size == 0) throw std::runtime_error("VRAM of 0 bytes");
    // MAP_NORESERVE: address space only; the host allocates on first touch.
    void* p = mmap(nullptr, size, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED)
        throw std::runtime_error("cannot reserve " + std::to_string(size >> 20) +
                                 " MiB of host address space for VRAM");
    // Transparent huge pages where the host allows them for the asking
    // (the common "madvise" setting): a bulk copy into VRAM then takes a
    // page fault per 2 MiB instead of per 4 KiB. VRAM is touched by bulk
    // copies, not scattered like a kernel's RAM. Best effort.
    madvise(p, size, MADV_HUGEPAGE);
    mem_ = static_cast<uint8_t*>(p);
}

Vram::~Vram() {
    if (mem_) munmap(mem_, size_);
}

void Vram::clear() {
    // Fresh anonymous pages read as zero and cost nothing until touched.
    madvise(mem_, size_, MADV_DONTNEED);
}

VramTiming::VramTiming(uint64_t bandwidth, uint64_t latency)
    : bandwidth_(bandwidth), latency_(latency) {
    if (bandwidth == 0) throw std::invalid_argument("VRAM bandwidth of 0 bytes/s");
}

VramTiming::Slot VramTiming::access(uint64_t time, uint64_t bytes) {
    Slot s;
    s.start = std::max(time, busy_until_);
    // ps = bytes x 10^12 / bandwidth, exactly over a run of accesses.
    unsigned __int128 num =
        static_cast<unsigned __int128>(bytes) * 1'000'000'000'000ull + remainder_;
    auto ps = static_cast<uint64_t>(num / bandwidth_);
    remainder_ = static_cast<uint64_t>(num % bandwidth_);
    s.issued = busy_until_ = s.start + ps;
    s.done = s.issued + latency_;
    return s;
}

void VramTiming::reset() {
    busy_until_ = 0;
    remainder_ = 0;
}

} // namespace nvsoc::gpu
