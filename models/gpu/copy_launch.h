// The copy class's state and its LAUNCH_DMA checks (clc6b5's
// AMPERE_DMA_COPY_A, the subset docs/gpu.md lists): what a subchannel bound
// to the copy class remembers between methods, and what one launch asks a
// copy engine to do. Plain C++ without time; engine.cpp runs the plan.
#pragma once

#include "models/gpu/memory_port.h"

#include <cstdint>
#include <optional>
#include <vector>

namespace nvsoc::gpu {

// The copy-class methods' data as last written (all 0 when the subchannel
// is bound).
struct CopyState {
    uint32_t semaphore_a = 0, semaphore_b = 0, semaphore_payload = 0;
    uint32_t src_phys_mode = 0, dst_phys_mode = 0;
    uint32_t offset_in_upper = 0, offset_in_lower = 0;
    uint32_t offset_out_upper = 0, offset_out_lower = 0;
    uint32_t pitch_in = 0, pitch_out = 0, line_length_in = 0, line_count = 0;
    uint32_t remap_const_a = 0, remap_const_b = 0, remap_components = 0;
};

// Stores a copy-class method's data; false for a method outside the subset
// (LAUNCH_DMA too: it is an action, not state).
bool set_copy_method(CopyState& s, uint32_t method, uint32_t data);

struct CopySide {
    Aperture aperture = Aperture::Vram;
    unsigned peer = 0; // Aperture::Peer: SET_*_PHYS_MODE's PEER_ID
    uint64_t offset = 0;
    uint64_t pitch = 0; // between lines (0 for a single line)
};

// What a valid launch does: `lines` lines of `line_bytes` bytes from src to
// dst (nothing when either is 0), then the semaphore, then the interrupt.
struct CopyPlan {
    bool fill = false;            // REMAP of constants: nothing is read
    std::vector<uint8_t> element; // fill: one element's bytes, repeated along each line
    CopySide src, dst;
    uint64_t lines = 0, line_bytes = 0;
    unsigned semaphore = 0; // NVSOC_GPU_CE_LAUNCH_SEM_*
    uint64_t semaphore_address = 0;
    uint32_t semaphore_payload = 0;
    bool interrupt = false; // blocking and non-blocking alike
    uint64_t bytes() const { return lines * line_bytes; }
};

// Why a launch is refused: a fault type (NVSOC_GPU_FAULT_*) and, for
// VA_LIMIT_VIOLATION and UNBOUND_INST_BLOCK, the side it concerns (its
// aperture and base offset).
struct LaunchError {
    uint8_t type = 0;
    bool has_address = false;
    bool write = false; // the destination side
    Aperture aperture = Aperture::Vram;
    uint64_t address = 0;
};

struct LaunchLimits {
    uint64_t max_copy_bytes = 0;
    uint64_t max_copy_lines = 0;
    unsigned dma_bits = 64; // sysmem addresses must stay below 2^dma_bits
};

// Checks LAUNCH_DMA's flags against the state; fills `plan` when the launch
// is valid.
std::optional<LaunchError> plan_launch(const CopyState& s, uint32_t launch,
                                       const LaunchLimits& limits, CopyPlan& plan);

} // namespace nvsoc::gpu
