// The GPU engine's channels on their own (no SystemC): the pushbuffer's
// method formats, the GPFIFO ring and doorbells, host semaphores, fault
// records, interrupts, resets, the method budget, the fault points and the
// registers. Expected values come from docs/gpu.md and the register manual
// (nvsoc_gpu_hw.h); times from the documented timing with the fake memory's
// 1 us sysmem latency (tests/support/gpu_engine_rig.h).
#include "support/gpu_engine_rig.h"

#include "models/gpu/pushbuffer.h"

#include <stdexcept>

using namespace nvsoc;
using namespace nvsoc::gpu;
using namespace nvsoc::gpu::test;

namespace {

constexpr uint64_t kDoorbell = 500 * kNs, kMethod = 2 * kNs, kSysLatency = 1 * kUs;
constexpr uint32_t kRelease4 =
    NVSOC_GPU_SEMAPHORED_OP_RELEASE | NVSOC_GPU_SEMAPHORED_RELEASE_SIZE_4BYTE;

// Times of a submission rung at t0 whose first segment's methods start at
// methods_start(t0): doorbell latency, the GP read, the segment read.
uint64_t methods_start(uint64_t t0) {
    return t0 + kDoorbell + 2 * kSysLatency;
}

} // namespace

// --- Method formats ---------------------------------------------------------------

TEST_CASE("gpu-engine: the decoder takes INC, NON_INC, IMMD, ONE_INC, END_PB_SEGMENT and a "
          "zero header") {
    MethodDecoder d;
    Method m;
    using S = MethodDecoder::Step;
    CHECK(d.feed(0, m) == S::Nothing);
    CHECK(d.feed(header(NVSOC_GPU_SECOP_INC, 3, 0x400, 2), m) == S::Nothing);
    CHECK(d.in_method());
    REQUIRE(d.feed(11, m) == S::Method);
    CHECK((m.subchannel == 3 && m.address == 0x400 && m.data == 11 && m.sec_op == 1));
    REQUIRE(d.feed(12, m) == S::Method);
    CHECK((m.address == 0x404 && m.data == 12));
    CHECK(!d.in_method());
    CHECK(d.feed(header(NVSOC_GPU_SECOP_NON_INC, 1, 0x10, 2), m) == S::Nothing);
    REQUIRE(d.feed(21, m) == S::Method);
    CHECK((m.address == 0x10 && m.sec_op == 3));
    REQUIRE(d.feed(22, m) == S::Method);
    CHECK(m.address == 0x10);
    REQUIRE(d.feed(header(NVSOC_GPU_SECOP_IMMD, 7, 0x18, 0x1fff), m) == S::Method);
    CHECK((m.subchannel == 7 && m.address == 0x18 && m.data == 0x1fff && m.sec_op == 4));
    CHECK(d.feed(header(NVSOC_GPU_SECOP_ONE_INC, 0, 0x14, 3), m) == S::Nothing);
    REQUIRE(d.feed(31, m) == S::Method);
    CHECK(m.address == 0x14);
    REQUIRE(d.feed(32, m) == S::Method);
    CHECK(m.address == 0x18);
    REQUIRE(d.feed(33, m) == S::Method);
    CHECK(m.address == 0x18);
    CHECK(d.feed(header(NVSOC_GPU_SECOP_INC, 0, 0x8, 0), m) == S::Nothing); // count 0
    CHECK(!d.in_method());
    CHECK(d.feed(header(NVSOC_GPU_SECOP_END_PB_SEGMENT, 0, 0, 0), m) == S::EndSegment);
    for (unsigned op : {0u, 2u, 6u})
        CHECK(d.feed(header(op, 0, 0x8, 1), m) == S::BadHeader);
    // An incrementing method wraps within the 12-bit method space.
    d.reset();
    d.feed(header(NVSOC_GPU_SECOP_INC, 0, 0x3ffc, 2), m);
    d.feed(1, m);
    d.feed(2, m);
    CHECK(m.address == 0);
    CHECK(method_word(Method{5, 0x300, 0, 1}) == 0x200000c0 + (5u << 13));
}

TEST_CASE("gpu-engine: a channel executes every SEC_OP's methods in order") {
    Rig rig;
    rig.setup_channel(0);
    rig.at(10 * kUs);
    Pb pb;
    pb.raw(0) // a no-op header
        .inc(0, NVSOC_GPU_SEMAPHOREA, {0, kSemaphores, 111, kRelease4})
        .non_inc(0, NVSOC_GPU_SEMAPHOREC, {5, 6, 222})
        .inc(0, NVSOC_GPU_SEMAPHORED, {kRelease4}) // 222 at kSemaphores
        .one_inc(0, NVSOC_GPU_SEMAPHOREB, {kSemaphores + 0x10, 444, 333})
        .immd(0, NVSOC_GPU_SEMAPHORED, NVSOC_GPU_SEMAPHORED_OP_RELEASE) // 16 bytes
        .inc(0, NVSOC_GPU_SEMAPHOREB, {kSemaphores + 0x30})
        .immd(0, NVSOC_GPU_SEMAPHOREC, 0x1abc)
        .inc(0, NVSOC_GPU_SEMAPHORED, {kRelease4});
    rig.submit(0, pb);
    rig.run();
    CHECK(rig.mem.read32(kSys, kSemaphores) == 222);
    CHECK(rig.mem.read32(kSys, kSemaphores + 0x10) == 333);
    CHECK(rig.mem.read32(kSys, kSemaphores + 0x14) == 0);
    CHECK(rig.mem.read32(kSys, kSemaphores + 0x30) == 0x1abc);
    // The first release's 111 was overwritten: check the writes themselves.
    auto writes = rig.mem.at(kSemaphores);
    REQUIRE(writes.size() == 2);
    CHECK(rig.methods(0) == 4 + 3 + 1 + 3 + 1 + 1 + 1 + 1);
    CHECK(rig.gp_get(0) == 1);
    CHECK(rig.status(0) == 0);
    CHECK(rig.engine->stats().semaphore_releases == 4);
    CHECK(rig.engine->stats().methods == 15);
    CHECK(rig.engine->stats().faults == 0);
}

TEST_CASE("gpu-engine: END_PB_SEGMENT skips the rest of its segment only") {
    Rig rig;
    rig.setup_channel(0);
    rig.segment(0, Pb().release4(kSemaphores, 1).end_segment().release4(kSemaphores, 2));
    rig.segment(0, Pb().release4(kSemaphores + 4, 3));
    rig.publish(0);
    rig.doorbell(0);
    rig.run();
    CHECK(rig.mem.read32(kSys, kSemaphores) == 1);
    CHECK(rig.mem.read32(kSys, kSemaphores + 4) == 3);
    CHECK(rig.gp_get(0) == 2);
    CHECK(rig.methods(0) == 8);
}

TEST_CASE("gpu-engine: headers that carry no method cost method_time each") {
    Rig rig;
    rig.setup_channel(0);
    rig.at(10 * kUs);
    Pb pb;
    for (unsigned i = 0; i < 500; ++i)
        pb.raw(0).raw(header(NVSOC_GPU_SECOP_NON_INC, 0, NVSOC_GPU_NOP, 0));
    rig.submit(0, pb.release4(kSemaphores, 1));
    rig.run();
    auto release = rig.mem.at(kSemaphores);
    REQUIRE(release.size() == 1);
    CHECK(release[0].time == methods_start(10 * kUs) + (1000 + 3) * kMethod);
    CHECK(rig.methods(0) == 4);
}

TEST_CASE("gpu-engine: clearing ENABLE pauses a channel where it is, and a doorbell after "
          "enabling it again resumes there") {
    Rig rig;
    rig.setup_channel(0);
    rig.at(10 * kUs);
    rig.submit(0, Pb().acquire(kSemaphores, 1).release4(kSemaphores + 4, 2));
    rig.run_to(100 * kUs);
    CHECK(rig.status(0) == (NVSOC_GPU_CH_STATUS_BUSY | NVSOC_GPU_CH_STATUS_ACQUIRING));
    rig.wr(NVSOC_GPU_CH(0, NVSOC_GPU_CH_CTRL), 0);
    rig.run_to(300 * kUs);
    size_t reads = rig.mem.at(kSemaphores).size();
    CHECK(!rig.engine->next_event_time());
    rig.mem.write32(kSys, kSemaphores, 1);
    rig.run_to(400 * kUs);
    CHECK(rig.mem.at(kSemaphores).size() == reads);
    CHECK(rig.mem.read32(kSys, kSemaphores + 4) == 0);
    rig.wr(NVSOC_GPU_CH(0, NVSOC_GPU_CH_CTRL), NVSOC_GPU_CH_CTRL_ENABLE);
    rig.doorbell(0);
    rig.run();
    auto acquire = rig.mem.at(kSemaphores);
    REQUIRE(acquire.size() == reads + 1);
    CHECK(acquire.back().time == 400 * kUs + kDoorbell); // the acquire, resumed
    CHECK(rig.mem.read32(kSys, kSemaphores + 4) == 2);
    CHECK(rig.gp_get(0) == 1);
}

TEST_CASE("gpu-engine: a method's data continues into the next GP entry's segment, across a "
          "control entry") {
    Rig rig;
    rig.setup_channel(0);
    Pb first, second;
    first.raw(header(NVSOC_GPU_SECOP_INC, 0, NVSOC_GPU_SEMAPHOREA, 4)).raw(0).raw(kSemaphores);
    second.raw(777).raw(kRelease4);
    rig.segment(0, first);
    rig.gp_entry(0, 0, 0); // a control entry: nothing to fetch
    rig.segment(0, second);
    rig.publish(0);
    rig.doorbell(0);
    rig.run();
    CHECK(rig.mem.read32(kSys, kSemaphores) == 777);
    CHECK(rig.gp_get(0) == 3);
    CHECK(rig.methods(0) == 4);
    CHECK(rig.engine->stats().gp_entries == 3);
    // Two segments read, and nothing for the control entry.
    unsigned pb_reads = 0;
    for (auto& r : rig.mem.log)
        if (!r.write && r.address >= kPbBase && r.address < kPbBase + 0x100000) ++pb_reads;
    CHECK(pb_reads == 2);
}

TEST_CASE("gpu-engine: a header with an unknown SEC_OP is BAD_METHOD, with the header in DETAIL "
          "and its pushbuffer address") {
    for (unsigned op : {0u, 2u, 6u}) {
        CAPTURE(op);
        Rig rig;
        rig.fault_buffer(16);
        rig.setup_channel(1);
        uint32_t bad = header(op, 2, 0x1234 << 2 & 0x3ffc, 5);
        uint64_t at =
            rig.submit(1, Pb().release4(kSemaphores, 1).raw(bad).release4(kSemaphores, 2));
        rig.run();
        CHECK(rig.mem.read32(kSys, kSemaphores) == 1); // stopped at the header
        auto w = rig.record(0);
        CHECK(w[0] == uint32_t(at + 5 * 4));
        CHECK(w[1] == 0);
        CHECK(w[4] == info(NVSOC_GPU_FAULT_BAD_METHOD, NVSOC_GPU_ACCESS_READ, kSys,
                           NVSOC_GPU_XID_PBDMA_ERROR, 0));
        CHECK(w[5] == 1);
        CHECK(w[6] == bad);
        CHECK(w[7] == NVSOC_GPU_FAULT_VALID);
        CHECK(rig.status(1) == faulted(NVSOC_GPU_FAULT_BAD_METHOD, 32, true));
        CHECK(rig.rd(NVSOC_GPU_CH(1, NVSOC_GPU_CH_ERROR_DETAIL)) == bad);
        CHECK(rig.rd(NVSOC_GPU_CHANNEL_ERROR_LO) == 2);
        CHECK(rig.gp_get(1) == 0);
    }
}

// --- The GPFIFO ring ---------------------------------------------------------------

TEST_CASE("gpu-engine: the ring wraps, is read in batches up to GP_PUT or its end, and GP_GET "
          "follows each consumed entry") {
    Rig rig;
    rig.setup_channel(0, 2); // 4 entries
    for (uint32_t i = 0; i < 3; ++i)
        rig.segment(0, Pb().release4(kSemaphores + 4 * i, 10 + i));
    rig.publish(0);
    rig.doorbell(0);
    rig.run();
    CHECK(rig.gp_get(0) == 3);
    rig.at(rig.host.t + 10 * kUs);
    for (uint32_t i = 3; i < 6; ++i)
        rig.segment(0, Pb().release4(kSemaphores + 4 * i, 10 + i));
    CHECK(rig.put[0] == 2);
    rig.publish(0);
    rig.doorbell(0);
    rig.run();
    for (uint32_t i = 0; i < 6; ++i)
        CHECK(rig.mem.read32(kSys, kSemaphores + 4 * i) == 10 + i);
    CHECK(rig.gp_get(0) == 2);
    std::vector<std::pair<uint64_t, uint64_t>> ring_reads;
    for (auto& r : rig.mem.log)
        if (r.address >= rig.ring(0) && r.address < rig.ring(0) + 0x1000)
            ring_reads.emplace_back(r.address - rig.ring(0), r.length);
    using P = std::pair<uint64_t, uint64_t>;
    CHECK(ring_reads == std::vector<P>{P{0, 24}, P{24, 8}, P{0, 16}});
}

TEST_CASE("gpu-engine: GP_GET stays on an entry until its segment is consumed, GET shows the "
          "pushbuffer fetch address") {
    Rig rig;
    rig.setup_channel(0);
    rig.pb_next[0] = 0x12'3456'7000ull; // a 40-bit segment address
    rig.segment(0, Pb().release4(kSemaphores, 1));
    uint64_t blocked = rig.segment(0, Pb().acquire(kSemaphores + 4, 9));
    rig.segment(0, Pb().release4(kSemaphores + 8, 3));
    rig.publish(0);
    rig.doorbell(0);
    rig.run_to(200 * kUs);
    CHECK(rig.gp_get(0) == 1);
    CHECK(rig.status(0) == (NVSOC_GPU_CH_STATUS_BUSY | NVSOC_GPU_CH_STATUS_ACQUIRING));
    uint64_t fetched = blocked + 5 * 4;
    CHECK(rig.rd(NVSOC_GPU_USERD(0) + NVSOC_GPU_USERD_GET) == uint32_t(fetched));
    CHECK(rig.rd(NVSOC_GPU_USERD(0) + NVSOC_GPU_USERD_GET_HI) == 0x12);
    rig.mem.write32(kSys, kSemaphores + 4, 9);
    rig.run();
    CHECK(rig.gp_get(0) == 3);
    CHECK(rig.mem.read32(kSys, kSemaphores + 8) == 3);
    CHECK(rig.status(0) == 0);
}

TEST_CASE("gpu-engine: GP_PUT beyond the ring is BAD_GP_PUT") {
    Rig rig;
    rig.fault_buffer(16);
    rig.setup_channel(2, 2);
    rig.wr(NVSOC_GPU_USERD(2) + NVSOC_GPU_USERD_GP_PUT, 4);
    rig.at(10 * kUs);
    rig.doorbell(2);
    rig.run();
    auto w = rig.record(0);
    CHECK(w[0] == 0);
    CHECK(w[4] == info(NVSOC_GPU_FAULT_BAD_GP_PUT, 0, kVram, 32, 0));
    CHECK(w[5] == 2);
    CHECK(w[6] == 4);
    CHECK(w[2] == (10 * kUs + kDoorbell) / kNs); // found when the channel starts
    CHECK(rig.status(2) == faulted(NVSOC_GPU_FAULT_BAD_GP_PUT, 32, true));
}

TEST_CASE("gpu-engine: a LEVEL (subroutine) entry is BAD_GP_ENTRY at the entry's address") {
    Rig rig;
    rig.fault_buffer(16);
    rig.setup_channel(0);
    rig.submit(0, Pb().release4(kSemaphores, 1));
    rig.gp_entry(0, kPbBase, 4, NVSOC_GPU_GP_ENTRY1_LEVEL);
    rig.publish(0);
    rig.doorbell(0);
    rig.run();
    CHECK(rig.mem.read32(kSys, kSemaphores) == 1);
    auto w = rig.record(0);
    CHECK(w[0] == rig.ring(0) + 8);
    CHECK(w[4] == info(NVSOC_GPU_FAULT_BAD_GP_ENTRY, NVSOC_GPU_ACCESS_READ, kSys, 32, 0));
    CHECK(w[6] == 1);
    CHECK(rig.gp_get(0) == 1);
    CHECK(rig.status(0) == faulted(NVSOC_GPU_FAULT_BAD_GP_ENTRY, 32, true));
}

TEST_CASE("gpu-engine: invalid ring or aperture registers are BAD_CONFIG naming the register") {
    struct Case {
        uint32_t reg, value, detail;
    };
    for (Case k : {Case{NVSOC_GPU_CH_GPFIFO_LOG2, 0, NVSOC_GPU_CH_GPFIFO_LOG2},
                   Case{NVSOC_GPU_CH_GPFIFO_LOG2, 21, NVSOC_GPU_CH_GPFIFO_LOG2},
                   Case{NVSOC_GPU_CH_GPFIFO_LO, 0x10004, NVSOC_GPU_CH_GPFIFO_LO},
                   Case{NVSOC_GPU_CH_APERTURE, 0x3d, NVSOC_GPU_CH_APERTURE},
                   Case{NVSOC_GPU_CH_APERTURE, 0x1d, NVSOC_GPU_CH_APERTURE},
                   Case{NVSOC_GPU_CH_APERTURE, 0x37, NVSOC_GPU_CH_APERTURE}}) {
        CAPTURE(k.reg, k.value);
        Rig rig;
        rig.fault_buffer(16);
        rig.setup_channel(0);
        rig.segment(0, Pb().release4(kSemaphores, 1));
        rig.publish(0);
        rig.wr(NVSOC_GPU_CH(0, k.reg), k.value);
        rig.doorbell(0);
        rig.run();
        auto w = rig.record(0);
        CHECK(w[0] == k.value);
        CHECK(w[4] == info(NVSOC_GPU_FAULT_BAD_CONFIG, 0, kVram, 32, 0));
        CHECK(w[6] == k.detail);
        CHECK(rig.status(0) == faulted(NVSOC_GPU_FAULT_BAD_CONFIG, 32, true));
        CHECK(rig.mem.read32(kSys, kSemaphores) == 0);
    }
}

TEST_CASE("gpu-engine: the first GP read is doorbell_latency after the doorbell, doorbells "
          "while scheduled coalesce") {
    Rig rig;
    rig.setup_channel(0);
    rig.at(10 * kUs);
    rig.submit(0, Pb().release4(kSemaphores, 1));
    rig.at(10 * kUs + 100 * kNs);
    rig.doorbell(0);
    CHECK(rig.engine->next_event_time() == 10 * kUs + kDoorbell);
    CHECK(rig.host.wakes.back() == 10 * kUs + kDoorbell);
    rig.run();
    auto ring = rig.mem.at(rig.ring(0));
    REQUIRE(ring.size() == 1);
    CHECK(ring[0].time == 10 * kUs + kDoorbell);
    CHECK(rig.engine->stats().doorbells == 2);
    // The release: three silent methods, then SEMAPHORED at its own time.
    auto release = rig.mem.at(kSemaphores);
    REQUIRE(release.size() == 1);
    CHECK(release[0].time == methods_start(10 * kUs) + 3 * kMethod);
}

TEST_CASE("gpu-engine: a missing channel's doorbell is BAD_DOORBELL with no channel, disabled "
          "and faulted channels ignore theirs") {
    Rig rig;
    rig.fault_buffer(16);
    rig.setup_channel(1);
    rig.setup_channel(2, 2);
    rig.wr(NVSOC_GPU_INTR_EN_SET, NVSOC_GPU_INTR_FAULT | NVSOC_GPU_INTR_CHANNEL);
    rig.at(5 * kUs);
    rig.doorbell(9);
    auto w = rig.record(0);
    CHECK(w[0] == 0);
    CHECK(w[2] == 5000);
    CHECK(w[4] == info(NVSOC_GPU_FAULT_BAD_DOORBELL, 0, kVram, 32, 0));
    CHECK(w[5] == NVSOC_GPU_FAULT_NO_CHANNEL);
    CHECK(w[6] == 9);
    CHECK(rig.rd(NVSOC_GPU_CHANNEL_ERROR_LO) == 0);
    CHECK(rig.rd(NVSOC_GPU_INTR_STATUS) == NVSOC_GPU_INTR_FAULT);
    CHECK(rig.host.vectors() == std::vector<unsigned>{0});

    // Disabled: nothing runs, and enabling does not start it either.
    rig.segment(1, Pb().release4(kSemaphores, 1));
    rig.publish(1);
    rig.wr(NVSOC_GPU_CH(1, NVSOC_GPU_CH_CTRL), 0);
    rig.doorbell(1);
    CHECK(!rig.engine->next_event_time());
    rig.wr(NVSOC_GPU_CH(1, NVSOC_GPU_CH_CTRL), NVSOC_GPU_CH_CTRL_ENABLE);
    CHECK(!rig.engine->next_event_time());
    rig.doorbell(1);
    rig.run();
    CHECK(rig.mem.read32(kSys, kSemaphores) == 1);

    // Faulted: stays stopped until CH_CTRL.RESET.
    rig.wr(NVSOC_GPU_USERD(2) + NVSOC_GPU_USERD_GP_PUT, 7);
    rig.doorbell(2);
    rig.run();
    CHECK(rig.status(2) == faulted(NVSOC_GPU_FAULT_BAD_GP_PUT, 32, true));
    rig.put[2] = 0;
    rig.segment(2, Pb().release4(kSemaphores + 4, 2));
    rig.publish(2);
    rig.doorbell(2);
    CHECK(!rig.engine->next_event_time());
    rig.wr(NVSOC_GPU_CH(2, NVSOC_GPU_CH_CTRL), NVSOC_GPU_CH_CTRL_RESET | NVSOC_GPU_CH_CTRL_ENABLE);
    CHECK(rig.status(2) == 0);
    CHECK(rig.rd(NVSOC_GPU_USERD(2) + NVSOC_GPU_USERD_GP_PUT) == 0);
    rig.publish(2);
    rig.doorbell(2);
    rig.run();
    CHECK(rig.mem.read32(kSys, kSemaphores + 4) == 2);
    CHECK(rig.engine->stats().faults == 2);
}

// --- Host semaphores --------------------------------------------------------------------

TEST_CASE("gpu-engine: a 4-byte release writes the payload, a 16-byte one the payload, 0 and "
          "the time in ns, a misaligned 16-byte one is BAD_METHOD") {
    Rig rig;
    rig.fault_buffer(16);
    rig.setup_channel(0);
    rig.mem.fill(kSys, kSemaphores, 64, 0xee);
    rig.at(10 * kUs);
    rig.submit(0, Pb().release16(kSemaphores + 0x10, 0xcafe).release4(kSemaphores, 0xbeef));
    rig.run();
    uint64_t t16 = methods_start(10 * kUs) + 3 * kMethod;
    CHECK(rig.mem.read32(kSys, kSemaphores + 0x10) == 0xcafe);
    CHECK(rig.mem.read32(kSys, kSemaphores + 0x14) == 0);
    CHECK(rig.mem.read32(kSys, kSemaphores + 0x18) == t16 / kNs);
    CHECK(rig.mem.read32(kSys, kSemaphores + 0x1c) == 0);
    CHECK(rig.mem.read32(kSys, kSemaphores) == 0xbeef);
    CHECK(rig.mem.read32(kSys, kSemaphores + 4) == 0xeeeeeeee); // 4 bytes only
    // The channel goes on once the release is delivered.
    auto second = rig.mem.at(kSemaphores);
    REQUIRE(second.size() == 1);
    CHECK(second[0].time == t16 + kSysLatency + 3 * kMethod);

    uint64_t at = rig.submit(0, Pb().release16(kSemaphores + 0x24, 1));
    rig.run();
    auto w = rig.record(0);
    CHECK(w[0] == uint32_t(at + 4 * 4));
    CHECK(w[4] == info(NVSOC_GPU_FAULT_BAD_METHOD, NVSOC_GPU_ACCESS_READ, kSys, 32, 0));
    CHECK(w[6] == detail(NVSOC_GPU_SECOP_INC, 0, NVSOC_GPU_SEMAPHORED));
    CHECK(rig.mem.read32(kSys, kSemaphores + 0x24) == 0xeeeeeeee);
}

TEST_CASE("gpu-engine: an unsatisfied acquire re-reads with a backoff doubling from 1 us to "
          "64 us, showing ACQUIRING, and goes on when memory has the value") {
    Rig rig;
    rig.setup_channel(0);
    rig.at(10 * kUs);
    rig.submit(0, Pb().acquire(kSemaphores, 5).release4(kSemaphores + 4, 1));
    uint64_t a0 = methods_start(10 * kUs) + 3 * kMethod;
    rig.run_to(a0 + 300 * kUs);
    std::vector<uint64_t> reads;
    for (auto& r : rig.mem.at(kSemaphores))
        reads.push_back(r.time - a0);
    // Each read takes 1 us; the waits are 1, 2, 4, ... 64, 64 us.
    CHECK(reads == std::vector<uint64_t>{0, 2 * kUs, 5 * kUs, 10 * kUs, 19 * kUs, 36 * kUs,
                                         69 * kUs, 134 * kUs, 199 * kUs, 264 * kUs});
    CHECK(rig.status(0) == (NVSOC_GPU_CH_STATUS_BUSY | NVSOC_GPU_CH_STATUS_ACQUIRING));
    CHECK(rig.gp_get(0) == 0);
    rig.mem.write32(kSys, kSemaphores, 5);
    rig.run();
    CHECK(rig.mem.at(kSemaphores).back().time == a0 + 329 * kUs);
    auto release = rig.mem.at(kSemaphores + 4);
    REQUIRE(release.size() == 1);
    CHECK(release[0].time == a0 + 330 * kUs + 3 * kMethod);
    CHECK(rig.status(0) == 0);
    CHECK(rig.engine->stats().semaphore_acquires == 1);
}

TEST_CASE("gpu-engine: ACQ_GEQ compares the signed difference, so it holds across wrap-around") {
    Rig rig;
    rig.setup_channel(0);
    rig.mem.write32(kSys, kSemaphores, 0x10);
    rig.submit(0, Pb().acquire(kSemaphores, 0xfffffff0, true).release4(kSemaphores + 4, 1));
    rig.run();
    CHECK(rig.mem.read32(kSys, kSemaphores + 4) == 1); // 0x10 - 0xfffffff0 = 0x20 >= 0
    CHECK(rig.mem.at(kSemaphores).size() == 1);

    rig.mem.write32(kSys, kSemaphores, 0xfffffff0);
    rig.submit(0, Pb().acquire(kSemaphores, 0x10, true).release4(kSemaphores + 4, 2));
    rig.run_to(rig.host.t + 50 * kUs);
    CHECK(rig.mem.read32(kSys, kSemaphores + 4) == 1); // -0x20: waits
    rig.mem.write32(kSys, kSemaphores, 0x11);
    rig.run();
    CHECK(rig.mem.read32(kSys, kSemaphores + 4) == 2);
    // ACQUIRE wants equality.
    rig.submit(0, Pb().acquire(kSemaphores, 0x10).release4(kSemaphores + 4, 3));
    rig.run_to(rig.host.t + 50 * kUs);
    CHECK(rig.mem.read32(kSys, kSemaphores + 4) == 2);
    rig.mem.write32(kSys, kSemaphores, 0x10);
    rig.run();
    CHECK(rig.mem.read32(kSys, kSemaphores + 4) == 3);
}

TEST_CASE("gpu-engine: semaphore operations other than ACQUIRE, RELEASE and ACQ_GEQ, and "
          "unknown host methods, are BAD_METHOD") {
    for (uint32_t method : {uint32_t(NVSOC_GPU_SEMAPHORED), 0x24u, 0xfcu}) {
        CAPTURE(method);
        Rig rig;
        rig.fault_buffer(4);
        rig.setup_channel(0);
        rig.submit(0, Pb().inc(3, method, {8}));
        rig.run();
        auto w = rig.record(0);
        CHECK(w[4] == info(NVSOC_GPU_FAULT_BAD_METHOD, NVSOC_GPU_ACCESS_READ, kSys, 32, 0));
        CHECK(w[6] == detail(NVSOC_GPU_SECOP_INC, 3, method));
    }
}

TEST_CASE("gpu-engine: SET_OBJECT binds the copy and host classes, other classes are "
          "BAD_CLASS, class methods need a bound subchannel") {
    {
        Rig rig;
        rig.fault_buffer(4);
        rig.setup_channel(0);
        rig.submit(0, Pb().inc(1, NVSOC_GPU_SET_OBJECT, {0xc6b5})
                          .inc(1, NVSOC_GPU_CE_NOP, {0})
                          .inc(2, NVSOC_GPU_SET_OBJECT, {0x1234}));
        rig.run();
        auto w = rig.record(0);
        CHECK(w[4] == info(NVSOC_GPU_FAULT_BAD_CLASS, NVSOC_GPU_ACCESS_READ, kSys, 32, 0));
        CHECK(w[6] == detail(NVSOC_GPU_SECOP_INC, 2, NVSOC_GPU_SET_OBJECT));
        CHECK(rig.methods(0) == 3);
    }
    {
        Rig rig;
        rig.fault_buffer(4);
        rig.setup_channel(0);
        rig.submit(0, Pb().inc(4, NVSOC_GPU_CE_NOP, {0}));
        rig.run();
        CHECK(rig.record(0)[4] ==
              info(NVSOC_GPU_FAULT_BAD_SUBCHANNEL, NVSOC_GPU_ACCESS_READ, kSys, 32, 0));
    }
    {
        Rig rig; // the host class has no methods above 0x100; copy methods outside the subset
        rig.fault_buffer(4);
        rig.setup_channel(0);
        rig.setup_channel(1);
        rig.submit(0, Pb().inc(4, NVSOC_GPU_SET_OBJECT, {NVSOC_GPU_HOST_CLASS})
                          .inc(4, NVSOC_GPU_CE_NOP, {0}));
        rig.submit(1, Pb().bind_copy(0).inc(0, 0x140, {0})); // PM_TRIGGER
        rig.run();
        CHECK(rig.status(0) == faulted(NVSOC_GPU_FAULT_BAD_METHOD, 32, true));
        CHECK(rig.rd(NVSOC_GPU_CH(0, NVSOC_GPU_CH_ERROR_DETAIL)) ==
              detail(NVSOC_GPU_SECOP_INC, 4, NVSOC_GPU_CE_NOP));
        CHECK(rig.status(1) == faulted(NVSOC_GPU_FAULT_BAD_METHOD, 32, true));
        CHECK(rig.rd(NVSOC_GPU_CH(1, NVSOC_GPU_CH_ERROR_DETAIL)) ==
              detail(NVSOC_GPU_SECOP_INC, 0, 0x140));
    }
}

// --- Fault records ---------------------------------------------------------------------

TEST_CASE("gpu-engine: a memory fault's record has every field: address, time, type, access, "
          "aperture, Xid, engine, channel, detail, valid") {
    Rig rig;
    rig.fault_buffer(8);
    rig.setup_channel(3, 4, 0x05 | uint32_t(Aperture::SysmemNoncoherent) << 4);
    rig.mem.injections.push_back({Aperture::SysmemNoncoherent, 0x1'2345'6780ull, 0x1'2345'6790ull,
                                  true, MemStatus::BusError});
    rig.at(20 * kUs);
    rig.submit(3, Pb().release4(0x1'2345'6788ull, 1));
    rig.run();
    uint64_t issued = methods_start(20 * kUs) + 3 * kMethod;
    auto w = rig.record(0);
    CHECK(w[0] == 0x2345'6788u);
    CHECK(w[1] == 0x1);
    CHECK(w[2] == (issued + kSysLatency) / kNs); // found when the write completes
    CHECK(w[3] == 0);
    CHECK(w[4] == info(NVSOC_GPU_FAULT_BUS_ERROR, NVSOC_GPU_ACCESS_WRITE,
                       Aperture::SysmemNoncoherent, NVSOC_GPU_XID_MMU_FAULT, 0));
    CHECK(w[5] == 3);
    CHECK(w[6] == detail(NVSOC_GPU_SECOP_INC, 0, NVSOC_GPU_SEMAPHORED));
    CHECK(w[7] == NVSOC_GPU_FAULT_VALID);
    CHECK(rig.rd(NVSOC_GPU_FAULT_BUF_PUT) == 1);
    CHECK(rig.rd(NVSOC_GPU_FAULT_COUNT) == 1);
    CHECK(rig.rd(NVSOC_GPU_CHANNEL_ERROR_LO) == 8);
    CHECK(rig.status(3) == faulted(NVSOC_GPU_FAULT_BUS_ERROR, 31, true)); // GP_GET 0, GP_PUT 1
    // The record was written by the host at the fault's time.
    auto rec = rig.mem.at(kFaultBuf);
    REQUIRE(rec.size() == 1);
    CHECK((rec[0].write && rec[0].length == 32 && rec[0].time == issued + kSysLatency &&
           rec[0].requester == kHostRequester));
}

TEST_CASE("gpu-engine: records go at PUT, which wraps, a full buffer sets OVERFLOW and only "
          "counts, GET bit 31 clears it") {
    Rig rig;
    rig.fault_buffer(3); // holds 2: PUT + 1 == GET is full
    for (uint32_t i = 0; i < 3; ++i)
        rig.doorbell(10 + i);
    CHECK(rig.record(0)[6] == 10);
    CHECK(rig.record(1)[6] == 11);
    CHECK(rig.record(2)[7] == 0);
    CHECK(rig.rd(NVSOC_GPU_FAULT_BUF_PUT) == (2 | NVSOC_GPU_FAULT_BUF_PUT_OVERFLOW));
    CHECK(rig.rd(NVSOC_GPU_FAULT_COUNT) == 3);
    CHECK(rig.engine->stats().faults_dropped == 1);
    CHECK(rig.rd(NVSOC_GPU_INTR_STATUS) == NVSOC_GPU_INTR_FAULT);
    rig.wr(NVSOC_GPU_FAULT_BUF_GET, 2);
    CHECK(rig.rd(NVSOC_GPU_FAULT_BUF_GET) == 2);
    rig.doorbell(13);
    CHECK(rig.record(2)[6] == 13);
    CHECK(rig.rd(NVSOC_GPU_FAULT_BUF_PUT) == (0 | NVSOC_GPU_FAULT_BUF_PUT_OVERFLOW));
    rig.wr(NVSOC_GPU_FAULT_BUF_GET, 0 | NVSOC_GPU_FAULT_BUF_GET_CLEAR_OVERFLOW);
    CHECK(rig.rd(NVSOC_GPU_FAULT_BUF_PUT) == 0);
    CHECK(rig.rd(NVSOC_GPU_FAULT_BUF_GET) == 0);
    CHECK(rig.rd(NVSOC_GPU_INTR_STATUS) == 0); // GET == PUT and no overflow
    rig.doorbell(14);
    CHECK(rig.record(0)[6] == 14);
    CHECK(rig.rd(NVSOC_GPU_FAULT_BUF_PUT) == 1);
}

TEST_CASE("gpu-engine: with the buffer disabled a fault sets OVERFLOW and is counted, and the "
          "channel still faults") {
    Rig rig;
    rig.fault_buffer(8, false);
    rig.setup_channel(0);
    rig.submit(0, Pb().raw(header(6, 0, 0, 0)));
    rig.run();
    CHECK(rig.record(0)[7] == 0);
    CHECK(rig.rd(NVSOC_GPU_FAULT_BUF_PUT) == NVSOC_GPU_FAULT_BUF_PUT_OVERFLOW);
    CHECK(rig.rd(NVSOC_GPU_FAULT_COUNT) == 1);
    CHECK(rig.status(0) == faulted(NVSOC_GPU_FAULT_BAD_METHOD, 32, true));
    CHECK(rig.engine->stats().faults == 1);
    CHECK(rig.engine->stats().faults_dropped == 1);
    CHECK(rig.mem.at(kFaultBuf).empty());
}

TEST_CASE("gpu-engine: each fault type is logged once per channel until it is reset, the rest "
          "are counted") {
    Rig rig;
    rig.fault_buffer(64);
    for (uint32_t i = 0; i < 5; ++i)
        rig.doorbell(40 + i);
    CHECK(rig.log.guest_errors() == 1);
    CHECK(rig.engine->stats().faults_unlogged == 4);
    rig.setup_channel(0);
    rig.submit(0, Pb().raw(header(6, 0, 0, 0)));
    rig.run();
    CHECK(rig.log.guest_errors() == 2);
    rig.wr(NVSOC_GPU_CH(0, NVSOC_GPU_CH_CTRL), NVSOC_GPU_CH_CTRL_RESET | NVSOC_GPU_CH_CTRL_ENABLE);
    rig.put[0] = 0;
    rig.submit(0, Pb().raw(header(6, 0, 0, 0)));
    rig.run();
    CHECK(rig.log.guest_errors() == 3);
    CHECK(rig.engine->stats().faults == 7);
    CHECK(rig.rd(NVSOC_GPU_FAULT_COUNT) == 7);
}

// --- Interrupts ---------------------------------------------------------------------------

TEST_CASE("gpu-engine: NON_STALL_INTERRUPT sends the channel's vector on each 0->1 edge while "
          "enabled, W1C clears, the level follows") {
    Rig rig;
    rig.setup_channel(2);
    rig.wr(NVSOC_GPU_INTR_EN_SET, NVSOC_GPU_INTR_NONSTALL);
    rig.at(10 * kUs);
    rig.submit(2, Pb().non_inc(0, NVSOC_GPU_NON_STALL_INTERRUPT, {0, 0}));
    rig.run();
    using S = std::vector<std::pair<uint64_t, unsigned>>;
    CHECK(rig.host.signals == S{{methods_start(10 * kUs), 3}});
    CHECK(rig.rd(NVSOC_GPU_NONSTALL_PENDING_LO) == 4);
    CHECK(rig.rd(NVSOC_GPU_NONSTALL_PENDING_HI) == 0);
    CHECK(rig.rd(NVSOC_GPU_INTR_STATUS) == NVSOC_GPU_INTR_NONSTALL);
    CHECK(rig.host.level);
    rig.wr(NVSOC_GPU_NONSTALL_PENDING_LO, 2); // not its bit
    CHECK(rig.rd(NVSOC_GPU_NONSTALL_PENDING_LO) == 4);
    rig.wr(NVSOC_GPU_NONSTALL_PENDING_LO, 4);
    CHECK(rig.rd(NVSOC_GPU_NONSTALL_PENDING_LO) == 0);
    CHECK(!rig.host.level);
    CHECK(rig.host.levels == std::vector<bool>{true, false});
    rig.wr(NVSOC_GPU_CH(2, NVSOC_GPU_CH_INTR_VECTOR), 7);
    rig.submit(2, Pb().inc(0, NVSOC_GPU_NON_STALL_INTERRUPT, {0}));
    rig.run();
    CHECK(rig.host.vectors() == std::vector<unsigned>{3, 7});
    CHECK(rig.engine->stats().interrupts == 2);
}

TEST_CASE("gpu-engine: EN_SET of a pending source sends its vectors, EN_CLEAR masks, both "
          "read the mask") {
    Rig rig;
    rig.setup_channel(1);
    rig.setup_channel(3);
    rig.submit(1, Pb().inc(0, NVSOC_GPU_NON_STALL_INTERRUPT, {0}));
    rig.submit(3, Pb().inc(0, NVSOC_GPU_NON_STALL_INTERRUPT, {0}));
    rig.run();
    CHECK(rig.host.signals.empty());
    CHECK(!rig.host.level);
    CHECK(rig.rd(NVSOC_GPU_INTR_STATUS) == NVSOC_GPU_INTR_NONSTALL);
    rig.wr(NVSOC_GPU_INTR_EN_SET, NVSOC_GPU_INTR_NONSTALL | NVSOC_GPU_INTR_ECC);
    CHECK(rig.host.vectors() == std::vector<unsigned>{2, 4});
    CHECK(rig.host.level);
    CHECK(rig.rd(NVSOC_GPU_INTR_EN_SET) == (NVSOC_GPU_INTR_NONSTALL | NVSOC_GPU_INTR_ECC));
    rig.wr(NVSOC_GPU_INTR_EN_SET, NVSOC_GPU_INTR_NONSTALL); // already enabled: nothing new
    CHECK(rig.host.signals.size() == 2);
    rig.wr(NVSOC_GPU_INTR_EN_CLEAR, NVSOC_GPU_INTR_NONSTALL);
    CHECK(!rig.host.level);
    CHECK(rig.rd(NVSOC_GPU_INTR_EN_CLEAR) == NVSOC_GPU_INTR_ECC);
    CHECK(rig.rd(NVSOC_GPU_INTR_EN_SET) == NVSOC_GPU_INTR_ECC);
}

TEST_CASE("gpu-engine: faults, channel errors and ECC events send vector 0 while enabled, "
          "W1C and the ECC counters") {
    Rig rig;
    rig.fault_buffer(8);
    rig.setup_channel(0);
    rig.submit(0, Pb().raw(header(6, 0, 0, 0)));
    rig.run();
    CHECK(rig.host.signals.empty()); // nothing enabled
    CHECK(rig.rd(NVSOC_GPU_INTR_STATUS) == (NVSOC_GPU_INTR_FAULT | NVSOC_GPU_INTR_CHANNEL));
    rig.wr(NVSOC_GPU_INTR_EN_SET, NVSOC_GPU_INTR_CHANNEL);
    CHECK(rig.host.vectors() == std::vector<unsigned>{0});
    rig.wr(NVSOC_GPU_INTR_EN_SET,
           NVSOC_GPU_INTR_FAULT | NVSOC_GPU_INTR_CHANNEL | NVSOC_GPU_INTR_ECC);
    CHECK(rig.host.vectors() == std::vector<unsigned>{0, 0});
    rig.wr(NVSOC_GPU_FAULT_BUF_GET, 1); // the record is consumed
    rig.wr(NVSOC_GPU_CHANNEL_ERROR_LO, 1);
    CHECK(rig.rd(NVSOC_GPU_INTR_STATUS) == 0);
    CHECK(!rig.host.level);
    // A fault that adds a record and a channel-error bit: one message.
    rig.setup_channel(1);
    rig.submit(1, Pb().raw(header(6, 0, 0, 0)));
    rig.run();
    CHECK(rig.host.signals.size() == 3);
    CHECK(rig.host.level);
    rig.wr(NVSOC_GPU_FAULT_BUF_GET, 2);
    rig.wr(NVSOC_GPU_CHANNEL_ERROR_LO, 2);
    CHECK(!rig.host.level);

    rig.at(rig.host.t + kUs);
    rig.engine->report_ecc(false, 0x100);
    rig.engine->report_ecc(false, 0x200);
    rig.engine->report_ecc(true, 0x12'3456'7890ull);
    CHECK(rig.host.signals.size() == 6);
    CHECK(rig.rd(NVSOC_GPU_ECC_STATUS) == (NVSOC_GPU_ECC_CORRECTED | NVSOC_GPU_ECC_UNCORRECTED));
    CHECK(rig.rd(NVSOC_GPU_ECC_CORRECTED_COUNT) == 2);
    CHECK(rig.rd(NVSOC_GPU_ECC_UNCORRECTED_COUNT) == 1);
    CHECK(rig.rd(NVSOC_GPU_ECC_ADDR_LO) == 0x34567890);
    CHECK(rig.rd(NVSOC_GPU_ECC_ADDR_HI) == 0x12);
    CHECK(rig.rd(NVSOC_GPU_INTR_STATUS) == NVSOC_GPU_INTR_ECC);
    CHECK(rig.host.level);
    rig.wr(NVSOC_GPU_ECC_STATUS, NVSOC_GPU_ECC_CORRECTED);
    CHECK(rig.rd(NVSOC_GPU_ECC_STATUS) == NVSOC_GPU_ECC_UNCORRECTED);
    rig.wr(NVSOC_GPU_ECC_STATUS, NVSOC_GPU_ECC_UNCORRECTED);
    CHECK(!rig.host.level);
    rig.wr(NVSOC_GPU_ECC_CORRECTED_COUNT, 5); // only 0 zeroes
    CHECK(rig.rd(NVSOC_GPU_ECC_CORRECTED_COUNT) == 2);
    rig.wr(NVSOC_GPU_ECC_CORRECTED_COUNT, 0);
    rig.wr(NVSOC_GPU_ECC_UNCORRECTED_COUNT, 0);
    CHECK(rig.rd(NVSOC_GPU_ECC_CORRECTED_COUNT) == 0);
    CHECK(rig.rd(NVSOC_GPU_ECC_UNCORRECTED_COUNT) == 0);
    rig.wr(NVSOC_GPU_INTR_EN_CLEAR, NVSOC_GPU_INTR_ECC);
    rig.engine->report_ecc(true, 0);
    CHECK(rig.host.signals.size() == 6);
    CHECK(!rig.host.level);
    CHECK(rig.rd(NVSOC_GPU_INTR_STATUS) == NVSOC_GPU_INTR_ECC);
}

// --- Limits and fault points ---------------------------------------------------------------

TEST_CASE("gpu-engine: a NON_INC of 8191 methods runs in turns of method_budget methods while "
          "another channel works at its own times") {
    EngineConfig cfg = test_config();
    cfg.method_budget = 100;
    Rig rig(cfg);
    rig.setup_channel(0);
    rig.setup_channel(1);
    rig.at(10 * kUs);
    std::vector<uint32_t> data(8191, 0);
    rig.submit(0, Pb().bind_copy(1).non_inc(1, NVSOC_GPU_CE_NOP, data));
    rig.at(12 * kUs);
    rig.submit(1, Pb().release4(kSemaphores, 1));
    uint32_t last = 0, largest = 0;
    unsigned turns = 0;
    while (std::optional<uint64_t> next = rig.engine->next_event_time()) {
        rig.host.t = *next;
        rig.engine->advance_to(*next);
        uint32_t m = rig.methods(0);
        largest = std::max(largest, m - last);
        last = m;
        ++turns;
    }
    CHECK(largest == 100);
    CHECK(last == 8192);
    CHECK(turns >= 82);
    CHECK(rig.gp_get(0) == 1);
    // The other channel's release went at its own time, long before.
    auto release = rig.mem.at(kSemaphores);
    REQUIRE(release.size() == 1);
    CHECK(release[0].time == methods_start(12 * kUs) + 3 * kMethod);
    CHECK(rig.host.t > 10 * kUs + 8192 * kMethod);
}

TEST_CASE("gpu-engine: channel_error_at_method makes the Nth method fail as BAD_METHOD, once") {
    EngineConfig cfg = test_config();
    cfg.channel_error_at_method = 6;
    Rig rig(cfg);
    rig.fault_buffer(8);
    rig.setup_channel(0);
    uint64_t at = rig.submit(0, Pb().release4(kSemaphores, 1).release4(kSemaphores + 4, 2));
    rig.run();
    CHECK(rig.mem.read32(kSys, kSemaphores) == 1);
    CHECK(rig.mem.read32(kSys, kSemaphores + 4) == 0);
    auto w = rig.record(0);
    CHECK(w[0] == uint32_t(at + 7 * 4)); // the second group's SEMAPHOREB
    CHECK(w[4] == info(NVSOC_GPU_FAULT_BAD_METHOD, NVSOC_GPU_ACCESS_READ, kSys, 32, 0));
    CHECK(w[6] == detail(NVSOC_GPU_SECOP_INC, 0, NVSOC_GPU_SEMAPHOREB));
    CHECK(rig.status(0) == faulted(NVSOC_GPU_FAULT_BAD_METHOD, 32, true));
    rig.wr(NVSOC_GPU_CH(0, NVSOC_GPU_CH_CTRL), NVSOC_GPU_CH_CTRL_RESET | NVSOC_GPU_CH_CTRL_ENABLE);
    rig.put[0] = 0;
    rig.submit(0, Pb().release4(kSemaphores, 3).release4(kSemaphores + 4, 4));
    rig.run();
    CHECK(rig.mem.read32(kSys, kSemaphores + 4) == 4);
    CHECK(rig.engine->stats().faults == 1);
}

// --- Registers -------------------------------------------------------------------------------

TEST_CASE("gpu-engine: USERD and usermode pages: GP_PUT read-write, the rest read-only or "
          "reading 0, TIME is the clock in ns") {
    Rig rig;
    uint64_t userd = NVSOC_GPU_USERD(3);
    rig.wr(userd + NVSOC_GPU_USERD_GP_PUT, 0x1234);
    uint8_t b = 0x56;
    REQUIRE(rig.bank.write(userd + NVSOC_GPU_USERD_GP_PUT + 1, &b, 1) == AccessResult::Ok);
    CHECK(rig.rd(userd + NVSOC_GPU_USERD_GP_PUT) == 0x5634);
    rig.wr(userd + NVSOC_GPU_USERD_GP_GET, 7);
    CHECK(rig.rd(userd + NVSOC_GPU_USERD_GP_GET) == 0);
    rig.wr(userd + 0x40, 9);
    CHECK(rig.rd(userd + 0x40) == 0);
    CHECK(rig.rd(userd + 0xffc) == 0);
    rig.wr(NVSOC_GPU_CH(3, NVSOC_GPU_CH_CTRL), NVSOC_GPU_CH_CTRL_RESET);
    CHECK(rig.rd(userd + NVSOC_GPU_USERD_GP_PUT) == 0);
    REQUIRE(rig.bank.write(userd + NVSOC_GPU_USERD_GP_PUT + 1, &b, 1) == AccessResult::Ok);
    CHECK(rig.rd(userd + NVSOC_GPU_USERD_GP_PUT) == 0x5600); // merged with the reset value
    uint32_t v;
    CHECK(rig.bank.read(NVSOC_GPU_USERD(4), reinterpret_cast<uint8_t*>(&v), 4) ==
          AccessResult::Unmapped); // 4 channels
    rig.at(0x1234'5678'9abc'def0ull);
    uint64_t ns = 0x1234'5678'9abc'def0ull / 1000;
    CHECK(rig.rd(NVSOC_GPU_USERMODE + NVSOC_GPU_USERMODE_TIME_LO) == uint32_t(ns));
    CHECK(rig.rd(NVSOC_GPU_USERMODE + NVSOC_GPU_USERMODE_TIME_HI) == uint32_t(ns >> 32));
    CHECK(rig.rd(NVSOC_GPU_USERMODE + 0x100) == 0);
    CHECK(rig.rd(NVSOC_GPU_USERMODE + NVSOC_GPU_USERMODE_DOORBELL) == 0);
    // Reset values.
    CHECK(rig.rd(NVSOC_GPU_CH(2, NVSOC_GPU_CH_INTR_VECTOR)) == 3);
    CHECK(rig.rd(NVSOC_GPU_CH(0, NVSOC_GPU_CH_CTRL)) == 0);
    CHECK(rig.rd(NVSOC_GPU_CE(1, NVSOC_GPU_CE_RATE_MBPS)) == 1'000'000);
    CHECK(rig.rd(NVSOC_GPU_FAULT_BUF_SIZE) == 0);
    rig.wr(NVSOC_GPU_FAULT_BUF_LO, 0x1234'567f);
    CHECK(rig.rd(NVSOC_GPU_FAULT_BUF_LO) == 0x1234'5660);
    rig.wr(NVSOC_GPU_CH(1, NVSOC_GPU_CH_APERTURE), 0xffff);
    CHECK(rig.rd(NVSOC_GPU_CH(1, NVSOC_GPU_CH_APERTURE)) == 0x3f);
    CHECK(std::string(name(Aperture::Peer)) == "peer");
    CHECK(std::string(name(MemStatus::Poisoned)) == "poisoned");
}

TEST_CASE("gpu-engine: a configuration outside the limits is refused, naming the field") {
    auto refused = [](auto change) {
        EngineConfig c = test_config();
        change(c);
        return validate(c);
    };
    CHECK(validate(test_config()).empty());
    CHECK(validate(EngineConfig{}).empty()); // empty ce_rate: the default rate
    CHECK(refused([](EngineConfig& c) { c.channels = 65; }) == "channels must be 1..64, not 65");
    CHECK(refused([](EngineConfig& c) { c.channels = 0; }) == "channels must be 1..64, not 0");
    CHECK(refused([](EngineConfig& c) { c.copy_engines = 11; }).starts_with("copy_engines"));
    CHECK(refused([](EngineConfig& c) { c.dma_bits = 31; }).starts_with("dma_bits"));
    CHECK(refused([](EngineConfig& c) { c.method_time = 0; }).starts_with("method_time"));
    CHECK(refused([](EngineConfig& c) { c.ce_rate = {1}; }).starts_with("ce_rate"));
    CHECK(refused([](EngineConfig& c) { c.ce_rate = {1, 0}; }).starts_with("ce_rate"));
    CHECK(refused([](EngineConfig& c) { c.ce_chunk = 0; }).starts_with("ce_chunk"));
    CHECK(refused([](EngineConfig& c) { c.method_budget = 0; }).starts_with("method_budget"));
    CHECK(refused([](EngineConfig& c) { c.max_copy_bytes = 0; }).starts_with("max_copy_bytes"));
    CHECK(refused([](EngineConfig& c) { c.max_copy_lines = 0; }).starts_with("max_copy_lines"));
    EngineConfig bad = test_config();
    bad.channels = 100;
    FakeMemory mem(1024);
    FakeHost host;
    Logger log("gpu0", "gpu");
    CHECK_THROWS_AS(Engine(bad, mem, host, log), std::invalid_argument);
}
