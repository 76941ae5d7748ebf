// The pushbuffer's method stream (clc56f's NVC56F_DMA_* formats, the subset
// docs/gpu.md lists): a decoder fed one dword at a time, so that a method's
// data may continue into the next GP entry's segment. Plain C++ without
// time; the channel (engine.cpp) feeds it and executes what comes out.
#pragma once

#include <cstdint>

namespace nvsoc::gpu {

struct Method {
    unsigned subchannel = 0;
    uint32_t address = 0; // byte offset: the header's bits 11:0, times 4
    uint32_t data = 0;
    unsigned sec_op = 0; // the header it came from: NVSOC_GPU_SECOP_*
};

// The method in the header's layout (bits 11:0 offset / 4, 15:13
// subchannel, 31:29 SEC_OP, count 0): the DETAIL word of its faults.
uint32_t method_word(const Method& m);

class MethodDecoder {
  public:
    enum class Step {
        Nothing,    // a header that only sets up data to come, a no-op header, or count 0
        Method,     // `out` is a method to execute
        EndSegment, // END_PB_SEGMENT: the rest of the segment is skipped
        BadHeader,  // a SEC_OP this model does not take
    };
    Step feed(uint32_t dword, Method& out);
    // Inside a method's data (the next dword is data, not a header).
    bool in_method() const { return remaining_ > 0; }
    void reset() { *this = MethodDecoder{}; }

  private:
    Step header(uint32_t dword, Method& out);

    unsigned sec_op_ = 0, subchannel_ = 0;
    uint32_t address_ = 0;
    uint32_t remaining_ = 0; // data dwords still to come
    bool first_ = false;     // ONE_INC: the next data is the first
};

} // namespace nvsoc::gpu
