// What connects a GPU to the system above it: the path its system-memory
// DMA takes and where its interrupt goes. On PCIe (the default) that is the
// function's link, MSI-X/MSI/INTx and AER; on a native NVLink fabric node
// (models/nvlink/fabric_node.h) it is the slot's C2C links, coherent, and a
// wired interrupt line. The GPU keeps everything else (its engines, VRAM,
// BAR0 registers, NVLink ports) whichever uplink it has.
#pragma once

#include "models/gpu/memory_port.h"

namespace nvsoc::gpu {

class Uplink {
  public:
    virtual ~Uplink() = default;
    // A system-memory access (Aperture SysmemCoherent or SysmemNoncoherent),
    // already checked against the GPU's dma-bits: moves the data and returns
    // its timing and status (MemStatus::BusError when the system refused it).
    virtual MemResult sysmem(const MemAccess& a) = 0;
    // The engines' interrupt condition changed (level-triggered).
    virtual void level(bool level) = 0;
};

} // namespace nvsoc::gpu
