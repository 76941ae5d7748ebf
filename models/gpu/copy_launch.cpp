#include "models/gpu/copy_launch.h"

#include "models/gpu/nvsoc_gpu_hw.h"

namespace nvsoc::gpu {

namespace {

// SET_SEMAPHORE_A carries address bits 48:32, as clc6b5 has it. OFFSET_*_UPPER
// take all of 63:32 here (clc6b5: 16:0), so that a device with 64 DMA address
// bits can reach every bus address a 64-bit DMA mask lets Linux hand it.
constexpr uint32_t kSemaphoreUpperMask = 0x1ffff;

uint64_t join(uint32_t upper, uint32_t lower) {
    return (uint64_t(upper) << 32) | lower;
}

CopySide side(uint32_t phys_mode, uint64_t offset, uint64_t pitch) {
    return CopySide{
        .aperture = static_cast<Aperture>(phys_mode & NVSOC_GPU_CE_PHYS_MODE_TARGET_MASK),
        .peer = (phys_mode >> NVSOC_GPU_CE_PHYS_MODE_PEER_ID_SHIFT) & 7,
        .offset = offset,
        .pitch = pitch,
    };
}

LaunchError bad_launch() {
    return LaunchError{.type = NVSOC_GPU_FAULT_BAD_LAUNCH};
}

LaunchError at_side(uint8_t type, const CopySide& s, bool write) {
    return LaunchError{.type = type,
                       .has_address = true,
                       .write = write,
                       .aperture = s.aperture,
                       .address = s.offset};
}

bool sysmem(Aperture a) {
    return a == Aperture::SysmemCoherent || a == Aperture::SysmemNoncoherent;
}

// Whether every byte the side touches has an address: no 64-bit wrap, and
// below 2^dma_bits in system memory.
bool in_range(const CopySide& s, uint64_t lines, uint64_t line_bytes, unsigned dma_bits) {
    uint64_t span, end;
    if (__builtin_mul_overflow(lines - 1, s.pitch, &span) ||
        __builtin_add_overflow(span, line_bytes, &span) ||
        __builtin_add_overflow(s.offset, span, &end))
        return false;
    return !sysmem(s.aperture) || dma_bits >= 64 || end <= (uint64_t(1) << dma_bits);
}

// REMAP as a fill: every destination component a constant. Fills
// `element` with one element's bytes; false when the remap is not a fill.
bool fill_element(const CopyState& s, std::vector<uint8_t>& element) {
    uint32_t c = s.remap_components;
    unsigned size = ((c >> NVSOC_GPU_CE_REMAP_COMPONENT_SIZE_SHIFT) & 3) + 1;
    unsigned components = ((c >> NVSOC_GPU_CE_REMAP_NUM_DST_SHIFT) & 3) + 1;
    element.clear();
    for (unsigned i = 0; i < components; ++i) {
        unsigned select = (c >> (NVSOC_GPU_CE_REMAP_DST_X_SHIFT + 4 * i)) & 7;
        uint32_t value;
        if (select == NVSOC_GPU_CE_REMAP_CONST_A)
            value = s.remap_const_a;
        else if (select == NVSOC_GPU_CE_REMAP_CONST_B)
            value = s.remap_const_b;
        else
            return false; // a source component, NO_WRITE or reserved
        for (unsigned b = 0; b < size; ++b)
            element.push_back(static_cast<uint8_t>(value >> (8 * b)));
    }
    return true;
}

} // namespace

bool set_copy_method(CopyState& s, uint32_t method, uint32_t data) {
    switch (method) {
    case NVSOC_GPU_CE_NOP:
        return true;
    case NVSOC_GPU_CE_SET_SEMAPHORE_A:
        s.semaphore_a = data;
        return true;
    case NVSOC_GPU_CE_SET_SEMAPHORE_B:
        s.semaphore_b = data;
        return true;
    case NVSOC_GPU_CE_SET_SEMAPHORE_PAYLOAD:
        s.semaphore_payload = data;
        return true;
    case NVSOC_GPU_CE_SET_SRC_PHYS_MODE:
        s.src_phys_mode = data;
        return true;
    case NVSOC_GPU_CE_SET_DST_PHYS_MODE:
        s.dst_phys_mode = data;
        return true;
    case NVSOC_GPU_CE_OFFSET_IN_UPPER:
        s.offset_in_upper = data;
        return true;
    case NVSOC_GPU_CE_OFFSET_IN_LOWER:
        s.offset_in_lower = data;
        return true;
    case NVSOC_GPU_CE_OFFSET_OUT_UPPER:
        s.offset_out_upper = data;
        return true;
    case NVSOC_GPU_CE_OFFSET_OUT_LOWER:
        s.offset_out_lower = data;
        return true;
    case NVSOC_GPU_CE_PITCH_IN:
        s.pitch_in = data;
        return true;
    case NVSOC_GPU_CE_PITCH_OUT:
        s.pitch_out = data;
        return true;
    case NVSOC_GPU_CE_LINE_LENGTH_IN:
        s.line_length_in = data;
        return true;
    case NVSOC_GPU_CE_LINE_COUNT:
        s.line_count = data;
        return true;
    case NVSOC_GPU_CE_SET_REMAP_CONST_A:
        s.remap_const_a = data;
        return true;
    case NVSOC_GPU_CE_SET_REMAP_CONST_B:
        s.remap_const_b = data;
        return true;
    case NVSOC_GPU_CE_SET_REMAP_COMPONENTS:
        s.remap_components = data;
        return true;
    default:
        return false;
    }
}

std::optional<LaunchError> plan_launch(const CopyState& s, uint32_t launch,
                                       const LaunchLimits& limits, CopyPlan& plan) {
    unsigned transfer = launch & NVSOC_GPU_CE_LAUNCH_TRANSFER_MASK;
    unsigned semaphore = (launch >> NVSOC_GPU_CE_LAUNCH_SEM_SHIFT) & 3;
    unsigned interrupt = (launch >> NVSOC_GPU_CE_LAUNCH_INTR_SHIFT) & 3;
    // Transfer type 3, the conditional-interrupt semaphore and interrupt
    // type 3 are reserved or not modelled.
    if (transfer == 3 || semaphore == 3 || interrupt == 3) return bad_launch();

    plan = CopyPlan{};
    plan.semaphore = semaphore;
    plan.semaphore_address = join(s.semaphore_a & kSemaphoreUpperMask, s.semaphore_b);
    plan.semaphore_payload = s.semaphore_payload;
    plan.interrupt = interrupt != NVSOC_GPU_CE_LAUNCH_INTR_NONE;
    uint64_t alignment = semaphore == NVSOC_GPU_CE_LAUNCH_SEM_FOUR_WORD ? 16 : 4;
    if (semaphore != NVSOC_GPU_CE_LAUNCH_SEM_NONE && plan.semaphore_address % alignment != 0)
        return bad_launch();
    if (transfer == 0) return std::nullopt; // NONE: the semaphore and interrupt alone

    bool multi = (launch & NVSOC_GPU_CE_LAUNCH_MULTI_LINE) != 0;
    plan.fill = (launch & NVSOC_GPU_CE_LAUNCH_REMAP) != 0;
    plan.src =
        side(s.src_phys_mode, join(s.offset_in_upper, s.offset_in_lower), multi ? s.pitch_in : 0);
    plan.dst = side(s.dst_phys_mode, join(s.offset_out_upper, s.offset_out_lower),
                    multi ? s.pitch_out : 0);
    // There is no GPU virtual memory: a virtual side has no address space.
    if (!plan.fill && !(launch & NVSOC_GPU_CE_LAUNCH_SRC_PHYSICAL))
        return at_side(NVSOC_GPU_FAULT_UNBOUND_INST_BLOCK, plan.src, false);
    if (!(launch & NVSOC_GPU_CE_LAUNCH_DST_PHYSICAL))
        return at_side(NVSOC_GPU_FAULT_UNBOUND_INST_BLOCK, plan.dst, true);
    // Block-linear layouts are not modelled.
    if (!plan.fill && !(launch & NVSOC_GPU_CE_LAUNCH_SRC_PITCH)) return bad_launch();
    if (!(launch & NVSOC_GPU_CE_LAUNCH_DST_PITCH)) return bad_launch();
    uint64_t element = 1;
    if (plan.fill) {
        if (!fill_element(s, plan.element)) return bad_launch();
        element = plan.element.size();
    }

    plan.lines = multi ? s.line_count : 1;
    plan.line_bytes = uint64_t(s.line_length_in) * element;
    uint64_t total;
    if (__builtin_mul_overflow(plan.lines, plan.line_bytes, &total) ||
        total > limits.max_copy_bytes || plan.lines > limits.max_copy_lines)
        return bad_launch();
    if (total == 0) return std::nullopt;
    if (!plan.fill && !in_range(plan.src, plan.lines, plan.line_bytes, limits.dma_bits))
        return at_side(NVSOC_GPU_FAULT_VA_LIMIT_VIOLATION, plan.src, false);
    if (!in_range(plan.dst, plan.lines, plan.line_bytes, limits.dma_bits))
        return at_side(NVSOC_GPU_FAULT_VA_LIMIT_VIOLATION, plan.dst, true);
    return std::nullopt;
}

} // namespace nvsoc::gpu
