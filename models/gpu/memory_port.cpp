#include "models/gpu/memory_port.h"

namespace nvsoc::gpu {

const char* name(Aperture a) {
    switch (a) {
    case Aperture::Vram:
        return "vram";
    case Aperture::SysmemCoherent:
        return "sysmem-coherent";
    case Aperture::SysmemNoncoherent:
        return "sysmem-noncoherent";
    case Aperture::Peer:
        return "peer";
    }
    return "unknown-aperture";
}

const char* name(MemStatus s) {
    switch (s) {
    case MemStatus::Ok:
        return "ok";
    case MemStatus::OutOfRange:
        return "out of range";
    case MemStatus::BusError:
        return "bus error";
    case MemStatus::Poisoned:
        return "poisoned";
    case MemStatus::NoPath:
        return "no path";
    }
    return "unknown-status";
}

} // namespace nvsoc::gpu
