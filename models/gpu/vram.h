// The GPU's local memory (VRAM) and its timing, as plain C++.
//
// Vram: `size` bytes of host address space reserved up front (MAP_NORESERVE,
// as models/memory/ram.cpp does for RAM): the host backs a page only when
// it is first written, so a 512 GiB GPU costs what its guest touches.
//
// VramTiming: the memory's bandwidth as one pipe that every requester's
// accesses (copy engines, the host's fetches and semaphores) pass through
// one after another, each holding it for bytes / bandwidth, plus a fixed
// latency until the data is back (reads) or written (writes). Times are
// picoseconds; the pipe keeps the sub-picosecond remainders, so a long
// stream of small accesses adds up to exactly bytes / bandwidth.
//
// Not modelled: banks, channels and page hits (one pipe stands for the
// whole memory system), refresh, read/write turnaround.
#pragma once

#include <cstdint>

namespace nvsoc::gpu {

class Vram {
  public:
    // Throws std::runtime_error when the host cannot reserve the space.
    explicit Vram(uint64_t size);
    ~Vram();
    Vram(const Vram&) = delete;
    Vram& operator=(const Vram&) = delete;

    uint64_t size() const { return size_; }
    uint8_t* data() { return mem_; }
    const uint8_t* data() const { return mem_; }
    // Whether [offset, offset + length) lies inside.
    bool contains(uint64_t offset, uint64_t length) const {
        return offset <= size_ && length <= size_ - offset;
    }
    // Zero again, the pages handed back to the host (power-on).
    void clear();

  private:
    uint64_t size_ = 0;
    uint8_t* mem_ = nullptr;
};

class VramTiming {
  public:
    // `bandwidth` in bytes/s (not 0), `latency` in ps.
    VramTiming(uint64_t bandwidth, uint64_t latency);

    struct Slot {
        uint64_t start = 0;  // the access gets the pipe
        uint64_t issued = 0; // it leaves the pipe: the next may start
        uint64_t done = 0;   // its data is back (read) or written (write)
    };
    // An access of `bytes` that arrives at `time`.
    Slot access(uint64_t time, uint64_t bytes);

    uint64_t bandwidth() const { return bandwidth_; }
    uint64_t latency() const { return latency_; }
    uint64_t busy_until() const { return busy_until_; }
    // Idle, as at power-on.
    void reset();

  private:
    uint64_t bandwidth_, latency_;
    uint64_t busy_until_ = 0;
    uint64_t remainder_ = 0; // of bytes x 10^12 / bandwidth, carried to the next access
};

} // namespace nvsoc::gpu
