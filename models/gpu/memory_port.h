// How the GPU's engines reach memory: one interface for every aperture, so
// that the channel and copy-engine core (engine.h) never knows what carries
// its requests. The `gpu` model implements it with local VRAM and PCIe
// (models/gpu/gpu.cpp); NVLink adds a transport for the peer aperture
// without touching the engine. Plain C++ with explicit time in picoseconds.
#pragma once

#include <cstdint>

namespace nvsoc::gpu {

// Where an address points (the copy class's SET_*_PHYS_MODE_TARGET values,
// nvsoc_gpu_hw.h NVSOC_GPU_APERTURE_*).
enum class Aperture : uint8_t {
    Vram = 0,              // an offset in this GPU's VRAM
    SysmemCoherent = 1,    // a bus address, over the device's transport
    SysmemNoncoherent = 2, // the same, with PCIe's No Snoop attribute
    Peer = 3,              // another GPU's VRAM (peer id), with NVLink
};
const char* name(Aperture a);

// How an access ended. Anything but Ok is a fault the engine records.
enum class MemStatus : uint8_t {
    Ok,
    OutOfRange, // outside VRAM, or beyond the device's DMA address bits
    BusError,   // the transport answered with UR, CA or a master abort
    Poisoned,   // read data came back poisoned (EP), or VRAM had an uncorrectable ECC error
    NoPath,     // no transport for the aperture (a peer without NVLink)
};
const char* name(MemStatus s);

// Who asks: the host (channel fetch, host semaphores, fault records) or a
// copy engine. Transports count per requester and may charge per engine.
inline constexpr unsigned kHostRequester = 0;
inline constexpr unsigned copy_engine_requester(unsigned ce) { return 1 + ce; }

struct MemAccess {
    Aperture aperture = Aperture::SysmemCoherent;
    unsigned peer = 0; // Aperture::Peer: the peer id
    bool write = false;
    uint64_t address = 0;
    uint8_t* data = nullptr; // length bytes, read into or written from
    uint64_t length = 0;
    uint64_t time = 0; // ps: when the request leaves the engine
    unsigned requester = kHostRequester;
};

struct MemResult {
    MemStatus status = MemStatus::Ok;
    uint64_t done = 0; // ps: the data is back (reads) or delivered (writes)
    // ps: when this requester may send its next request on the same path
    // (its last request of this one has left, tags and credits allowing);
    // time <= issued <= done. A pipelined engine paces itself by it.
    uint64_t issued = 0;
    uint64_t fault_address = 0; // where it went wrong (status != Ok)
};

class MemoryPort {
  public:
    virtual ~MemoryPort() = default;
    // Performs the access (data moves at once) and returns its timing. A
    // failed read leaves the data unspecified.
    virtual MemResult access(const MemAccess& a) = 0;
};

} // namespace nvsoc::gpu
