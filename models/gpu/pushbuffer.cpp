#include "models/gpu/pushbuffer.h"

#include "models/gpu/nvsoc_gpu_hw.h"

namespace nvsoc::gpu {

namespace {
// Method offsets are 12-bit dword addresses: an incrementing method wraps.
constexpr uint32_t kAddressMask = NVSOC_GPU_METHOD_ADDRESS_MASK << 2;
} // namespace

uint32_t method_word(const Method& m) {
    return (m.sec_op << NVSOC_GPU_METHOD_SECOP_SHIFT) |
           (m.subchannel << NVSOC_GPU_METHOD_SUBCH_SHIFT) |
           ((m.address >> 2) & NVSOC_GPU_METHOD_ADDRESS_MASK);
}

MethodDecoder::Step MethodDecoder::feed(uint32_t dword, Method& out) {
    if (remaining_ == 0) return header(dword, out);
    out = Method{subchannel_, address_, dword, sec_op_};
    --remaining_;
    if (sec_op_ == NVSOC_GPU_SECOP_INC || (sec_op_ == NVSOC_GPU_SECOP_ONE_INC && first_))
        address_ = (address_ + 4) & kAddressMask;
    first_ = false;
    return Step::Method;
}

MethodDecoder::Step MethodDecoder::header(uint32_t dword, Method& out) {
    if (dword == 0) return Step::Nothing; // NVC56F_DMA_NOP
    unsigned op = dword >> NVSOC_GPU_METHOD_SECOP_SHIFT;
    unsigned subchannel = (dword >> NVSOC_GPU_METHOD_SUBCH_SHIFT) & 7;
    uint32_t address = (dword & NVSOC_GPU_METHOD_ADDRESS_MASK) << 2;
    uint32_t count = (dword >> NVSOC_GPU_METHOD_COUNT_SHIFT) & NVSOC_GPU_METHOD_COUNT_MASK;
    switch (op) {
    case NVSOC_GPU_SECOP_INC:
    case NVSOC_GPU_SECOP_NON_INC:
    case NVSOC_GPU_SECOP_ONE_INC:
        sec_op_ = op;
        subchannel_ = subchannel;
        address_ = address;
        remaining_ = count;
        first_ = true;
        return Step::Nothing;
    case NVSOC_GPU_SECOP_IMMD:
        out = Method{subchannel, address, count, op};
        return Step::Method;
    case NVSOC_GPU_SECOP_END_PB_SEGMENT:
        return Step::EndSegment;
    default:
        return Step::BadHeader;
    }
}

} // namespace nvsoc::gpu
