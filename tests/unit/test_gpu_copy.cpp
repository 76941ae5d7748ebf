// The GPU engine's copy engines on their own (no SystemC): LAUNCH_DMA's
// address arithmetic (1-D, 2-D, fills), its checks and the faults they
// raise, memory errors during a copy, the semaphore and interrupt after the
// data, queueing on an engine, channel and engine resets in the middle of a
// copy, the ce_hang fault point, and the copy's timing against the rates of
// the fake memory (tests/support/gpu_engine_rig.h).
#include "support/gpu_engine_rig.h"

#include <chrono>

using namespace nvsoc;
using namespace nvsoc::gpu;
using namespace nvsoc::gpu::test;

namespace {

constexpr unsigned kCe0 = 1, kCe1 = 2; // requesters

uint8_t pattern(uint64_t i) {
    return static_cast<uint8_t>(i * 7 + 3);
}

// A rig with channel 0 bound to the copy class on subchannel 1, its copies
// on copy engine `ce`.
struct CopyRig : Rig {
    explicit CopyRig(const EngineConfig& c = test_config(), unsigned ce = 0) : Rig(c) {
        fault_buffer(16);
        setup_channel(0, 4, kAllSysmem, ce);
        submit(0, Pb().bind_copy(1));
        run();
    }
    // Submits one copy on channel 0 and runs it; returns the address of
    // LAUNCH_DMA's data dword.
    uint64_t run_copy(const Copy& c, unsigned channel = 0) {
        Pb pb;
        copy(pb, 1, c);
        uint64_t at = submit(channel, pb);
        run();
        return at + 4 * (pb.d.size() - 1);
    }
    std::vector<FakeMemory::Record> data_accesses(unsigned requester) const {
        std::vector<FakeMemory::Record> out;
        for (auto& r : mem.by(requester))
            if (r.address >= kData || r.aperture == kVram) out.push_back(r);
        return out;
    }
};

void fill_source(FakeMemory& m, Aperture ap, uint64_t address, uint64_t length) {
    for (uint64_t i = 0; i < length; ++i)
        m.write_bytes(ap, address + i, std::array<uint8_t, 1>{pattern(i)}.data(), 1);
}

} // namespace

// --- Address arithmetic ---------------------------------------------------------

TEST_CASE("gpu-copy: a 1-D copy moves exactly its bytes, at 1 byte, odd sizes, unaligned and "
          "64-bit addresses, in chunks of ce_chunk") {
    struct Case {
        Aperture src_ap;
        uint64_t src;
        Aperture dst_ap;
        uint64_t dst, length;
    };
    for (Case k : {Case{kSys, kData + 1, kVram, 3, 1}, Case{kSys, kData + 5, kVram, 0x101, 7},
                   Case{kSys, kData + 3, kVram, 0x10001, 100'000},
                   Case{kVram, 0x2003, Aperture::SysmemNoncoherent, kData + 0x20001, 5000},
                   // OFFSET_*_UPPER carry all of bits 63:32 (clc6b5: 48:32).
                   Case{kSys, 0xfedc'ba98'7654'3210ull, kVram, 0x40, 300}}) {
        CAPTURE(k.src, k.dst, k.length);
        EngineConfig cfg = test_config();
        cfg.ce_chunk = 4096;
        CopyRig rig(cfg);
        fill_source(rig.mem, k.src_ap, k.src, k.length);
        rig.mem.fill(k.dst_ap, k.dst - 1, k.length + 2, 0xee);
        rig.run_copy(Copy{.src_aperture = k.src_ap,
                          .dst_aperture = k.dst_ap,
                          .src = k.src,
                          .dst = k.dst,
                          .line_length = uint32_t(k.length)});
        bool same = true;
        for (uint64_t i = 0; i < k.length; ++i)
            same &= rig.mem.read8(k.dst_ap, k.dst + i) == pattern(i);
        CHECK(same);
        CHECK(rig.mem.read8(k.dst_ap, k.dst - 1) == 0xee);
        CHECK(rig.mem.read8(k.dst_ap, k.dst + k.length) == 0xee);
        auto writes = rig.data_accesses(kCe0);
        uint64_t chunks = (k.length + 4095) / 4096, written = 0;
        for (auto& r : writes)
            if (r.write) {
                CHECK(r.length == std::min<uint64_t>(4096, k.length - written));
                CHECK(r.address == k.dst + written);
                written += r.length;
            }
        CHECK(writes.size() == 2 * chunks);
        CHECK(rig.rd(NVSOC_GPU_CE(0, NVSOC_GPU_CE_BYTES_LO)) == k.length);
        CHECK(rig.rd(NVSOC_GPU_CE(0, NVSOC_GPU_CE_LAUNCHES)) == 1);
        CHECK(rig.rd(NVSOC_GPU_CE(0, NVSOC_GPU_CE_STATUS)) == 0);
        CHECK(rig.engine->stats().bytes_copied == k.length);
        CHECK(rig.engine->stats().launches == 1);
        CHECK(rig.status(0) == 0);
        CHECK(rig.engine->stats().faults == 0);
    }
}

TEST_CASE("gpu-copy: a 2-D copy moves each line at its pitch and leaves the gaps, chunks never "
          "cross a line") {
    EngineConfig cfg = test_config();
    cfg.ce_chunk = 4;
    CopyRig rig(cfg);
    fill_source(rig.mem, kSys, kData, 64);
    rig.mem.fill(kVram, 0x1000, 128, 0xee);
    rig.run_copy(Copy{.src = kData,
                      .dst = 0x1000,
                      .line_length = 10,
                      .line_count = 3,
                      .pitch_in = 16,
                      .pitch_out = 40});
    for (uint64_t line = 0; line < 3; ++line)
        for (uint64_t i = 0; i < 40; ++i) {
            CAPTURE(line, i);
            CHECK(rig.mem.read8(kVram, 0x1000 + 40 * line + i) ==
                  (i < 10 ? pattern(16 * line + i) : 0xee));
        }
    std::vector<uint64_t> lengths, addresses;
    for (auto& r : rig.data_accesses(kCe0))
        if (r.write) {
            lengths.push_back(r.length);
            addresses.push_back(r.address - 0x1000);
        }
    CHECK(lengths == std::vector<uint64_t>{4, 4, 2, 4, 4, 2, 4, 4, 2});
    CHECK(addresses == std::vector<uint64_t>{0, 4, 8, 40, 44, 48, 80, 84, 88});
    CHECK(rig.engine->stats().bytes_copied == 30);
}

TEST_CASE("gpu-copy: fills repeat one element of CONST_A and CONST_B components of the "
          "configured size and count") {
    constexpr uint32_t A = 0x44332211, B = 0xddccbbaa;
    struct Case {
        uint32_t components;
        std::vector<uint8_t> element;
        uint32_t elements, lines, pitch;
        uint64_t chunk;
    };
    auto comps = [](unsigned size, std::vector<unsigned> sel) {
        uint32_t c = (size - 1) << NVSOC_GPU_CE_REMAP_COMPONENT_SIZE_SHIFT |
                     uint32_t(sel.size() - 1) << NVSOC_GPU_CE_REMAP_NUM_DST_SHIFT;
        for (unsigned i = 0; i < sel.size(); ++i)
            c |= sel[i] << (4 * i);
        return c;
    };
    constexpr unsigned CA = NVSOC_GPU_CE_REMAP_CONST_A, CB = NVSOC_GPU_CE_REMAP_CONST_B;
    for (const Case& k : {
             Case{comps(1, {CA}), {0x11}, 10, 1, 0, 64 * 1024},
             Case{comps(4, {CA, CB}),
                  {0x11, 0x22, 0x33, 0x44, 0xaa, 0xbb, 0xcc, 0xdd},
                  3,
                  1,
                  0,
                  64 * 1024},
             Case{comps(3, {CB, CA, CB}),
                  {0xaa, 0xbb, 0xcc, 0x11, 0x22, 0x33, 0xaa, 0xbb, 0xcc},
                  5,
                  2,
                  64,
                  5},
             Case{comps(2, {CA, CB, CA, CB}),
                  {0x11, 0x22, 0xaa, 0xbb, 0x11, 0x22, 0xaa, 0xbb},
                  4,
                  1,
                  0,
                  3},
         }) {
        CAPTURE(k.components);
        EngineConfig cfg = test_config();
        cfg.ce_chunk = k.chunk;
        CopyRig rig(cfg);
        rig.mem.fill(kVram, 0x1000, 256, 0xee);
        rig.run_copy(Copy{.dst = 0x1000,
                          .line_length = k.elements,
                          .line_count = k.lines,
                          .pitch_out = k.pitch,
                          .launch = 2 | NVSOC_GPU_CE_LAUNCH_REMAP | NVSOC_GPU_CE_LAUNCH_DST_PITCH |
                                    NVSOC_GPU_CE_LAUNCH_DST_PHYSICAL,
                          .remap_a = A,
                          .remap_b = B,
                          .remap_components = k.components});
        uint64_t line_bytes = k.elements * k.element.size();
        for (uint64_t line = 0; line < k.lines; ++line)
            for (uint64_t i = 0; i < line_bytes + 1; ++i) {
                CAPTURE(line, i);
                uint8_t want = i < line_bytes ? k.element[i % k.element.size()] : 0xee;
                CHECK(rig.mem.read8(kVram, 0x1000 + line * k.pitch + i) == want);
            }
        for (auto& r : rig.mem.by(kCe0))
            CHECK(r.write); // a fill reads nothing
        CHECK(rig.engine->stats().bytes_copied == k.lines * line_bytes);
    }
}

// --- Launch checks -------------------------------------------------------------------

TEST_CASE("gpu-copy: a remap with a source component, NO_WRITE or a reserved selector is "
          "BAD_LAUNCH with the engine's Xid") {
    for (uint32_t components : {0x0u, 0x1000064u, 0x1000074u}) {
        CAPTURE(components);
        CopyRig rig(test_config(), 1);
        uint64_t at = rig.run_copy(Copy{.dst = 0x1000,
                                        .line_length = 4,
                                        .launch = 2 | NVSOC_GPU_CE_LAUNCH_REMAP |
                                                  NVSOC_GPU_CE_LAUNCH_DST_PITCH |
                                                  NVSOC_GPU_CE_LAUNCH_DST_PHYSICAL,
                                        .remap_components = components});
        auto w = rig.record(0);
        CHECK(w[0] == uint32_t(at));
        CHECK(w[4] == info(NVSOC_GPU_FAULT_BAD_LAUNCH, NVSOC_GPU_ACCESS_READ, kSys,
                           NVSOC_GPU_XID_CE(1), 2));
        CHECK(w[6] == detail(NVSOC_GPU_SECOP_INC, 1, NVSOC_GPU_CE_LAUNCH_DMA));
        CHECK(rig.status(0) == faulted(NVSOC_GPU_FAULT_BAD_LAUNCH, 40, true));
        CHECK(rig.mem.by(kCe1).empty());
    }
}

TEST_CASE("gpu-copy: address arithmetic that wraps 64 bits or leaves the DMA address bits is "
          "VA_LIMIT_VIOLATION, and nothing moves") {
    {
        EngineConfig cfg = test_config();
        cfg.max_copy_lines = 1ull << 32; // the wrap, not the line limit
        CopyRig rig(cfg);
        rig.run_copy(Copy{.src = 0x1'0000'0000'0000ull,
                          .dst = 0,
                          .line_length = 1,
                          .line_count = 0xffffffff,
                          .pitch_in = 0xffffffff});
        auto w = rig.record(0);
        CHECK(w[0] == 0);
        CHECK(w[1] == 0x10000);
        CHECK(w[4] == info(NVSOC_GPU_FAULT_VA_LIMIT_VIOLATION, NVSOC_GPU_ACCESS_READ, kSys, 31, 1));
        CHECK(rig.mem.by(kCe0).empty());
    }
    {
        EngineConfig cfg = test_config();
        cfg.dma_bits = 40;
        CopyRig rig(cfg);
        rig.run_copy(Copy{.src_aperture = kVram,
                          .dst_aperture = kSys,
                          .src = 0,
                          .dst = (1ull << 40) - 4,
                          .line_length = 8});
        auto w = rig.record(0);
        CHECK(w[0] == 0xfffffffc);
        CHECK(w[1] == 0xff);
        CHECK(w[4] ==
              info(NVSOC_GPU_FAULT_VA_LIMIT_VIOLATION, NVSOC_GPU_ACCESS_WRITE, kSys, 31, 1));
        CHECK(rig.mem.by(kCe0).empty());
        CHECK(rig.status(0) == faulted(NVSOC_GPU_FAULT_VA_LIMIT_VIOLATION, 31, true));
        // Exactly at the limit is fine.
        rig.wr(NVSOC_GPU_CH(0, NVSOC_GPU_CH_CTRL),
               NVSOC_GPU_CH_CTRL_RESET | NVSOC_GPU_CH_CTRL_ENABLE);
        rig.put[0] = 0;
        rig.submit(0, Pb().bind_copy(1));
        rig.run_copy(Copy{.src_aperture = kVram,
                          .dst_aperture = kSys,
                          .src = 0,
                          .dst = (1ull << 40) - 8,
                          .line_length = 8});
        CHECK(rig.status(0) == 0);
        CHECK(rig.engine->stats().bytes_copied == 8);
    }
}

TEST_CASE("gpu-copy: a launch of more than max_copy_lines lines is BAD_LAUNCH, even of few bytes") {
    EngineConfig cfg = test_config();
    cfg.max_copy_lines = 8;
    CopyRig rig(cfg, 1);
    rig.run_copy(Copy{
        .src = kData, .dst = 0, .line_length = 1, .line_count = 9, .pitch_in = 1, .pitch_out = 1});
    CHECK(rig.record(0)[4] == info(NVSOC_GPU_FAULT_BAD_LAUNCH, NVSOC_GPU_ACCESS_READ, kSys, 40, 2));
    CHECK(rig.mem.by(kCe1).empty());
    rig.wr(NVSOC_GPU_CH(0, NVSOC_GPU_CH_CTRL), NVSOC_GPU_CH_CTRL_RESET | NVSOC_GPU_CH_CTRL_ENABLE);
    rig.put[0] = 0;
    rig.submit(0, Pb().bind_copy(1));
    rig.run_copy(Copy{
        .src = kData, .dst = 0, .line_length = 1, .line_count = 8, .pitch_in = 1, .pitch_out = 1});
    CHECK(rig.status(0) == 0);
    CHECK(rig.engine->stats().bytes_copied == 8);
}

TEST_CASE("gpu-copy: a copy larger than max_copy_bytes is BAD_LAUNCH at LAUNCH_DMA") {
    EngineConfig cfg = test_config();
    cfg.max_copy_bytes = 4096;
    CopyRig rig(cfg, 1);
    uint64_t at = rig.run_copy(Copy{.src = kData,
                                    .dst = 0,
                                    .line_length = 2049,
                                    .line_count = 2,
                                    .pitch_in = 4096,
                                    .pitch_out = 4096});
    auto w = rig.record(0);
    CHECK(w[0] == uint32_t(at));
    CHECK(w[4] == info(NVSOC_GPU_FAULT_BAD_LAUNCH, NVSOC_GPU_ACCESS_READ, kSys, 40, 2));
    CHECK(rig.mem.by(kCe1).empty());
    rig.wr(NVSOC_GPU_CH(0, NVSOC_GPU_CH_CTRL), NVSOC_GPU_CH_CTRL_RESET | NVSOC_GPU_CH_CTRL_ENABLE);
    rig.put[0] = 0;
    rig.submit(0, Pb().bind_copy(1));
    rig.run_copy(Copy{.src = kData, .dst = 0, .line_length = 4096});
    CHECK(rig.status(0) == 0);
}

TEST_CASE("gpu-copy: a virtual source or destination is UNBOUND_INST_BLOCK (Xid 31)") {
    for (bool src : {true, false}) {
        CAPTURE(src);
        CopyRig rig;
        uint32_t launch = kLaunchCopy & ~(src ? NVSOC_GPU_CE_LAUNCH_SRC_PHYSICAL
                                              : NVSOC_GPU_CE_LAUNCH_DST_PHYSICAL);
        rig.run_copy(Copy{.src = kData + 0x40, .dst = 0x80, .line_length = 16, .launch = launch});
        auto w = rig.record(0);
        CHECK(w[0] == (src ? kData + 0x40 : 0x80));
        CHECK(w[4] == info(NVSOC_GPU_FAULT_UNBOUND_INST_BLOCK,
                           src ? NVSOC_GPU_ACCESS_READ : NVSOC_GPU_ACCESS_WRITE, src ? kSys : kVram,
                           31, 1));
        CHECK(rig.status(0) == faulted(NVSOC_GPU_FAULT_UNBOUND_INST_BLOCK, 31, true));
    }
}

TEST_CASE("gpu-copy: block-linear layouts, reserved launch fields and misaligned semaphores are "
          "BAD_LAUNCH") {
    constexpr uint32_t kSemOne = NVSOC_GPU_CE_LAUNCH_SEM_ONE_WORD << NVSOC_GPU_CE_LAUNCH_SEM_SHIFT;
    constexpr uint32_t kSemFour = NVSOC_GPU_CE_LAUNCH_SEM_FOUR_WORD
                                  << NVSOC_GPU_CE_LAUNCH_SEM_SHIFT;
    struct Case {
        uint32_t launch;
        uint64_t semaphore;
    };
    for (Case k : {Case{kLaunchCopy & ~NVSOC_GPU_CE_LAUNCH_SRC_PITCH, 0},
                   Case{kLaunchCopy & ~NVSOC_GPU_CE_LAUNCH_DST_PITCH, 0}, Case{kLaunchCopy | 3, 0},
                   Case{kLaunchCopy | 3u << 3, 0}, Case{kLaunchCopy | 3u << 5, 0},
                   Case{kLaunchCopy | kSemOne, kSemaphores + 2},
                   Case{kLaunchCopy | kSemFour, kSemaphores + 8}}) {
        CAPTURE(k.launch, k.semaphore);
        CopyRig rig;
        rig.run_copy(Copy{.src = kData,
                          .dst = 0,
                          .line_length = 16,
                          .launch = k.launch,
                          .semaphore = k.semaphore});
        CHECK(rig.record(0)[4] ==
              info(NVSOC_GPU_FAULT_BAD_LAUNCH, NVSOC_GPU_ACCESS_READ, kSys, 39, 1));
        CHECK(rig.mem.by(kCe0).empty());
    }
}

TEST_CASE("gpu-copy: an invalid CH_ENGINE is BAD_CONFIG at LAUNCH_DMA") {
    CopyRig rig;
    rig.wr(NVSOC_GPU_CH(0, NVSOC_GPU_CH_ENGINE), 5);
    rig.run_copy(Copy{.src = kData, .dst = 0, .line_length = 16});
    auto w = rig.record(0);
    CHECK(w[0] == 5);
    CHECK(w[4] == info(NVSOC_GPU_FAULT_BAD_CONFIG, 0, kVram, 32, 0));
    CHECK(w[6] == NVSOC_GPU_CH_ENGINE);
}

// --- Memory errors -------------------------------------------------------------------

TEST_CASE("gpu-copy: memory errors during a copy are faults: outside VRAM, bus error, poisoned "
          "(VRAM: Xid 48), no path to a peer") {
    struct Case {
        Aperture src_ap;
        uint64_t src;
        Aperture dst_ap;
        uint64_t dst;
        std::optional<FakeMemory::Injection> inject;
        uint32_t type, access, xid;
        Aperture ap;
        uint64_t address;
    };
    const uint64_t vram = test_config().vram_size;
    for (const Case& k : {
             Case{kSys, kData, kVram, vram - 10, std::nullopt, NVSOC_GPU_FAULT_VA_LIMIT_VIOLATION,
                  NVSOC_GPU_ACCESS_WRITE, 31, kVram, vram},
             Case{kSys, kData, kVram, 0,
                  FakeMemory::Injection{kSys, kData + 8, kData + 9, false, MemStatus::BusError},
                  NVSOC_GPU_FAULT_BUS_ERROR, NVSOC_GPU_ACCESS_READ, 31, kSys, kData + 8},
             Case{kVram, 0x100, kSys, kData,
                  FakeMemory::Injection{kVram, 0, 0x1000, false, MemStatus::Poisoned},
                  NVSOC_GPU_FAULT_POISONED, NVSOC_GPU_ACCESS_READ, 48, kVram, 0x100},
             Case{kSys, kData, kVram, 0,
                  FakeMemory::Injection{kSys, kData, kData + 1, false, MemStatus::Poisoned},
                  NVSOC_GPU_FAULT_POISONED, NVSOC_GPU_ACCESS_READ, 31, kSys, kData},
             Case{Aperture::Peer, 0x100, kVram, 0, std::nullopt,
                  NVSOC_GPU_FAULT_UNSUPPORTED_APERTURE, NVSOC_GPU_ACCESS_READ, 31, Aperture::Peer,
                  0x100},
         }) {
        CAPTURE(k.type, k.address);
        CopyRig rig;
        if (k.inject) rig.mem.injections.push_back(*k.inject);
        rig.wr(NVSOC_GPU_INTR_EN_SET, NVSOC_GPU_INTR_NONSTALL);
        rig.run_copy(Copy{.src_aperture = k.src_ap,
                          .dst_aperture = k.dst_ap,
                          .src = k.src,
                          .dst = k.dst,
                          .line_length = 20,
                          .launch = kLaunchCopy | NVSOC_GPU_CE_LAUNCH_SEM_ONE_WORD << 3 |
                                    NVSOC_GPU_CE_LAUNCH_INTR_NON_BLOCKING << 5,
                          .semaphore = kSemaphores,
                          .payload = 7});
        auto w = rig.record(0);
        CHECK(w[0] == uint32_t(k.address));
        CHECK(w[1] == uint32_t(k.address >> 32));
        CHECK(w[4] == info(k.type, k.access, k.ap, k.xid, 1));
        CHECK(w[5] == 0);
        CHECK(w[6] == detail(NVSOC_GPU_SECOP_INC, 1, NVSOC_GPU_CE_LAUNCH_DMA));
        auto failing = rig.mem.by(kCe0).back();
        CHECK(failing.status != MemStatus::Ok);
        CHECK(w[2] == failing.done / kNs); // when the access ends
        CHECK(rig.status(0) == faulted(k.type, k.xid, true));
        CHECK(rig.mem.read32(kSys, kSemaphores) == 0); // no semaphore, no interrupt
        CHECK(rig.rd(NVSOC_GPU_NONSTALL_PENDING_LO) == 0);
        CHECK(rig.rd(NVSOC_GPU_CE(0, NVSOC_GPU_CE_STATUS)) == 0);
    }
}

// --- After the data -------------------------------------------------------------------

TEST_CASE("gpu-copy: after its last write a launch releases its semaphore, then sets the "
          "channel's non-stall bit, the channel waits for it") {
    for (unsigned sem : {NVSOC_GPU_CE_LAUNCH_SEM_ONE_WORD, NVSOC_GPU_CE_LAUNCH_SEM_FOUR_WORD}) {
        CAPTURE(sem);
        CopyRig rig;
        rig.wr(NVSOC_GPU_INTR_EN_SET, NVSOC_GPU_INTR_NONSTALL);
        rig.mem.fill(kSys, kSemaphores, 16, 0xee);
        Pb pb;
        copy(pb, 1,
             Copy{.src = kData,
                  .dst = 0x1000,
                  .line_length = 4096,
                  .launch = kLaunchCopy | sem << NVSOC_GPU_CE_LAUNCH_SEM_SHIFT |
                            NVSOC_GPU_CE_LAUNCH_INTR_BLOCKING << NVSOC_GPU_CE_LAUNCH_INTR_SHIFT,
                  .semaphore = kSemaphores,
                  .payload = 0x600d});
        pb.release4(kSemaphores + 0x20, 1); // after the launch
        rig.submit(0, pb);
        rig.run();
        auto ce = rig.mem.by(kCe0);
        REQUIRE(ce.size() == 3);
        const auto &read = ce[0], &write = ce[1], &release = ce[2];
        CHECK(write.time == read.done + 4096); // 1 byte/ps through the engine
        CHECK(release.time == write.done);
        CHECK(release.address == kSemaphores);
        CHECK(release.length == (sem == 1 ? 4u : 16u));
        CHECK(rig.mem.read32(kSys, kSemaphores) == 0x600d);
        if (sem == 1) {
            CHECK(rig.mem.read32(kSys, kSemaphores + 4) == 0xeeeeeeee);
        } else {
            CHECK(rig.mem.read32(kSys, kSemaphores + 4) == 0);
            CHECK(rig.mem.read32(kSys, kSemaphores + 8) == release.time / kNs);
            CHECK(rig.mem.read32(kSys, kSemaphores + 12) == 0);
        }
        using S = std::vector<std::pair<uint64_t, unsigned>>;
        CHECK(rig.host.signals == S{{release.done, 1}});
        CHECK(rig.rd(NVSOC_GPU_NONSTALL_PENDING_LO) == 1);
        auto after = rig.mem.at(kSemaphores + 0x20);
        REQUIRE(after.size() == 1);
        CHECK(after[0].time == release.done + 3 * 2 * kNs);
        CHECK(rig.engine->stats().semaphore_releases == 2);
    }
}

TEST_CASE("gpu-copy: transfer type NONE moves nothing but releases and interrupts") {
    CopyRig rig;
    rig.run_copy(
        Copy{.src = kData,
             .dst = 0,
             .line_length = 4096,
             .launch = NVSOC_GPU_CE_LAUNCH_SEM_ONE_WORD << NVSOC_GPU_CE_LAUNCH_SEM_SHIFT |
                       NVSOC_GPU_CE_LAUNCH_INTR_NON_BLOCKING << NVSOC_GPU_CE_LAUNCH_INTR_SHIFT,
             .semaphore = kSemaphores,
             .payload = 42});
    auto ce = rig.mem.by(kCe0);
    REQUIRE(ce.size() == 1);
    CHECK(ce[0].address == kSemaphores);
    CHECK(rig.mem.read32(kSys, kSemaphores) == 42);
    CHECK(rig.rd(NVSOC_GPU_NONSTALL_PENDING_LO) == 1);
    CHECK(rig.engine->stats().bytes_copied == 0);
    CHECK(rig.engine->stats().launches == 1);
    CHECK(rig.status(0) == 0);
}

TEST_CASE("gpu-copy: one copy engine runs launches one at a time, in order, CE_STATUS names "
          "the channel it serves") {
    CopyRig rig;
    rig.setup_channel(1, 4, kAllSysmem, 0);
    rig.submit(1, Pb().bind_copy(1));
    rig.run();
    rig.mem.sysmem_read.rate = 1'000'000'000; // 1 byte/ns: a 64 KiB read takes 65.5 us
    Pb a, b;
    copy(a, 1, Copy{.src = kData, .dst = 0, .line_length = 65536});
    copy(b, 1, Copy{.src = kData, .dst = 0x10000, .line_length = 65536});
    rig.at(rig.host.t + kUs);
    rig.submit(0, a);
    rig.at(rig.host.t + 10 * kNs);
    rig.submit(1, b);
    rig.run_to(rig.host.t + 30 * kUs);
    CHECK(rig.rd(NVSOC_GPU_CE(0, NVSOC_GPU_CE_STATUS)) == NVSOC_GPU_CE_STATUS_BUSY);
    CHECK(rig.status(1) == NVSOC_GPU_CH_STATUS_BUSY);
    rig.run_to(rig.host.t + 100 * kUs);
    CHECK(rig.rd(NVSOC_GPU_CE(0, NVSOC_GPU_CE_STATUS)) ==
          (NVSOC_GPU_CE_STATUS_BUSY | 1u << NVSOC_GPU_CE_STATUS_CHANNEL_SHIFT));
    rig.run();
    auto ce = rig.mem.by(kCe0);
    REQUIRE(ce.size() == 4);
    CHECK((ce[0].address == kData && !ce[0].write && ce[1].address == 0 && ce[1].write));
    CHECK((ce[2].address == kData && !ce[2].write && ce[3].address == 0x10000 && ce[3].write));
    CHECK(ce[2].time == ce[1].done); // the second starts when the first is done
    CHECK(rig.rd(NVSOC_GPU_CE(0, NVSOC_GPU_CE_LAUNCHES)) == 2);
    CHECK(rig.rd(NVSOC_GPU_CE(0, NVSOC_GPU_CE_BYTES_LO)) == 2 * 65536);
}

TEST_CASE("gpu-copy: the trace hook sees doorbells, launches, interrupts and faults at their "
          "times") {
    CopyRig rig;
    std::vector<EngineEvent> events;
    rig.engine->set_trace([&events](const EngineEvent& e) { events.push_back(e); });
    rig.wr(NVSOC_GPU_INTR_EN_SET, NVSOC_GPU_INTR_NONSTALL);
    rig.run_copy(Copy{.src = kData,
                      .dst = 0,
                      .line_length = 100,
                      .launch = kLaunchCopy | NVSOC_GPU_CE_LAUNCH_INTR_NON_BLOCKING
                                                  << NVSOC_GPU_CE_LAUNCH_INTR_SHIFT});
    rig.doorbell(9);
    using K = EngineEvent::Kind;
    REQUIRE(events.size() == 6);
    auto ce = rig.mem.by(kCe0);
    CHECK((events[0].kind == K::Doorbell && events[0].channel == 0 && events[0].value == 0));
    CHECK((events[1].kind == K::LaunchBegin && events[1].time == ce[0].time &&
           events[1].channel == 0 && events[1].engine == 0 && events[1].value == 100));
    CHECK(
        (events[2].kind == K::LaunchEnd && events[2].time == ce[1].done && events[2].value == 100));
    CHECK((events[3].kind == K::Interrupt && events[3].time == ce[1].done && events[3].value == 1));
    CHECK((events[4].kind == K::Doorbell && events[4].channel == NVSOC_GPU_FAULT_NO_CHANNEL &&
           events[4].value == 9));
    CHECK((events[5].kind == K::Fault && events[5].channel == NVSOC_GPU_FAULT_NO_CHANNEL &&
           events[5].value == NVSOC_GPU_FAULT_BAD_DOORBELL));
}

// --- Resets and the hang fault point ----------------------------------------------------

TEST_CASE("gpu-copy: CH_CTRL.RESET in the middle of a copy abandons it, the engine goes on to "
          "the next channel's launch") {
    EngineConfig cfg = test_config();
    cfg.ce_chunk = 4096;
    CopyRig rig(cfg);
    rig.setup_channel(1, 4, kAllSysmem, 0);
    rig.submit(1, Pb().bind_copy(1));
    rig.run();
    rig.mem.sysmem_read.rate = 1'000'000'000; // 1 byte/ns
    fill_source(rig.mem, kSys, kData + 0x100000, 8192);
    Pb a, b;
    copy(a, 1, Copy{.src = kData, .dst = 0, .line_length = 256 * 1024});
    copy(b, 1, Copy{.src = kData + 0x100000, .dst = 0x80000, .line_length = 8192});
    rig.submit(0, a);
    rig.submit(1, b);
    rig.run_to(rig.host.t + 50 * kUs);
    uint64_t t_reset = rig.host.t;
    size_t before = rig.mem.by(kCe0).size();
    CHECK(before > 4);
    CHECK(rig.rd(NVSOC_GPU_CE(0, NVSOC_GPU_CE_STATUS)) == NVSOC_GPU_CE_STATUS_BUSY);
    rig.wr(NVSOC_GPU_CH(0, NVSOC_GPU_CH_CTRL), NVSOC_GPU_CH_CTRL_RESET | NVSOC_GPU_CH_CTRL_ENABLE);
    CHECK(rig.rd(NVSOC_GPU_CE(0, NVSOC_GPU_CE_STATUS)) ==
          (NVSOC_GPU_CE_STATUS_BUSY | 1u << NVSOC_GPU_CE_STATUS_CHANNEL_SHIFT));
    rig.run();
    for (auto& r : rig.mem.by(kCe0))
        if (r.time > t_reset) CHECK(r.address >= (r.write ? 0x80000 : kData + 0x100000));
    bool same = true;
    for (uint64_t i = 0; i < 8192; ++i)
        same &= rig.mem.read8(kVram, 0x80000 + i) == pattern(i);
    CHECK(same);
    CHECK(rig.status(1) == 0);
    CHECK(rig.status(0) == 0);
    CHECK(rig.gp_get(0) == 0);
    CHECK(rig.rd(NVSOC_GPU_USERD(0) + NVSOC_GPU_USERD_GP_PUT) == 0);
    CHECK(rig.methods(0) == 0);
    CHECK(rig.rd(NVSOC_GPU_CH(0, NVSOC_GPU_CH_GPFIFO_LO)) == rig.ring(0)); // kept
    // Its subchannels are unbound.
    rig.put[0] = 0;
    rig.submit(0, Pb().inc(1, NVSOC_GPU_CE_NOP, {0}));
    rig.run();
    CHECK(rig.status(0) == faulted(NVSOC_GPU_FAULT_BAD_SUBCHANNEL, 32, true));
}

TEST_CASE("gpu-copy: ENGINE_RESET in the middle of a copy abandons it and returns every "
          "register to its reset value") {
    EngineConfig cfg = test_config();
    cfg.ce_chunk = 4096;
    CopyRig rig(cfg);
    rig.wr(NVSOC_GPU_INTR_EN_SET, 0xf);
    rig.wr(NVSOC_GPU_CH(0, NVSOC_GPU_CH_INTR_VECTOR), 9);
    rig.mem.sysmem_read.rate = 1'000'000'000;
    rig.doorbell(7); // a fault, so that the fault registers have something to clear
    CHECK(rig.host.level);
    rig.run_copy(Copy{.src = kData, .dst = 0, .line_length = 16384}); // one whole copy first
    Pb a;
    copy(a, 1, Copy{.src = kData, .dst = 0, .line_length = 256 * 1024});
    rig.submit(0, a);
    rig.run_to(rig.host.t + 50 * kUs);
    CHECK(rig.rd(NVSOC_GPU_CE(0, NVSOC_GPU_CE_STATUS)) == NVSOC_GPU_CE_STATUS_BUSY);
    size_t before = rig.mem.log.size();
    rig.wr(NVSOC_GPU_ENGINE_RESET, 1);
    CHECK(!rig.engine->next_event_time());
    rig.run();
    CHECK(rig.mem.log.size() == before);
    CHECK(!rig.host.level);
    for (uint64_t reg :
         {NVSOC_GPU_INTR_STATUS, NVSOC_GPU_INTR_EN_SET, NVSOC_GPU_FAULT_BUF_LO,
          NVSOC_GPU_FAULT_BUF_SIZE, NVSOC_GPU_FAULT_BUF_PUT, NVSOC_GPU_FAULT_BUF_CTRL,
          NVSOC_GPU_FAULT_COUNT, NVSOC_GPU_CHANNEL_ERROR_LO, NVSOC_GPU_CE(0, NVSOC_GPU_CE_STATUS),
          NVSOC_GPU_CE(0, NVSOC_GPU_CE_BYTES_LO), NVSOC_GPU_CE(0, NVSOC_GPU_CE_LAUNCHES),
          NVSOC_GPU_CH(0, NVSOC_GPU_CH_CTRL), NVSOC_GPU_CH(0, NVSOC_GPU_CH_STATUS),
          NVSOC_GPU_CH(0, NVSOC_GPU_CH_GPFIFO_LO), NVSOC_GPU_CH(0, NVSOC_GPU_CH_GPFIFO_LOG2),
          NVSOC_GPU_CH(0, NVSOC_GPU_CH_APERTURE), NVSOC_GPU_CH(0, NVSOC_GPU_CH_METHODS_LO),
          NVSOC_GPU_USERD(0) + 0x8c, NVSOC_GPU_USERD(0) + 0x88}) {
        CAPTURE(reg);
        CHECK(rig.rd(reg) == 0);
    }
    CHECK(rig.rd(NVSOC_GPU_CH(0, NVSOC_GPU_CH_INTR_VECTOR)) == 1);
    // Partial writes merge with the reset values.
    uint8_t b = 0x12;
    REQUIRE(rig.bank.write(NVSOC_GPU_CH(0, NVSOC_GPU_CH_INTR_VECTOR) + 1, &b, 1) ==
            AccessResult::Ok);
    CHECK(rig.rd(NVSOC_GPU_CH(0, NVSOC_GPU_CH_INTR_VECTOR)) == 0x201);
}

TEST_CASE("gpu-copy: ce_hang_at_launch: the Nth launch never completes until its channel or "
          "the engine is reset") {
    EngineConfig cfg = test_config();
    cfg.ce_hang_at_launch = 1;
    {
        CopyRig rig(cfg);
        rig.setup_channel(1, 4, kAllSysmem, 0);
        rig.submit(1, Pb().bind_copy(1));
        rig.run();
        Pb a, b;
        copy(a, 1, Copy{.src = kData, .dst = 0, .line_length = 64});
        copy(b, 1, Copy{.src = kData, .dst = 0x100, .line_length = 64});
        rig.submit(0, a);
        rig.submit(1, b);
        rig.run();
        CHECK(!rig.engine->next_event_time());
        CHECK(rig.mem.by(kCe0).empty());
        CHECK(rig.rd(NVSOC_GPU_CE(0, NVSOC_GPU_CE_STATUS)) == NVSOC_GPU_CE_STATUS_BUSY);
        CHECK(rig.status(0) == NVSOC_GPU_CH_STATUS_BUSY);
        CHECK(rig.status(1) == NVSOC_GPU_CH_STATUS_BUSY);
        uint64_t t_reset = rig.host.t + kMs;
        rig.at(t_reset);
        rig.wr(NVSOC_GPU_CH(0, NVSOC_GPU_CH_CTRL),
               NVSOC_GPU_CH_CTRL_RESET | NVSOC_GPU_CH_CTRL_ENABLE);
        rig.run();
        auto ce = rig.mem.by(kCe0);
        REQUIRE(ce.size() == 2);
        CHECK(ce[1].address == 0x100);
        CHECK(ce[0].time == t_reset); // the next launch starts when the hung one is dropped
        CHECK(rig.status(1) == 0);
        CHECK(rig.status(0) == 0);
        CHECK(rig.rd(NVSOC_GPU_CE(0, NVSOC_GPU_CE_STATUS)) == 0);
        CHECK(rig.engine->stats().faults == 0);
    }
    {
        CopyRig rig(cfg);
        rig.run_copy(Copy{.src = kData, .dst = 0, .line_length = 64});
        CHECK(rig.rd(NVSOC_GPU_CE(0, NVSOC_GPU_CE_STATUS)) == NVSOC_GPU_CE_STATUS_BUSY);
        rig.wr(NVSOC_GPU_ENGINE_RESET, 1);
        CHECK(rig.rd(NVSOC_GPU_CE(0, NVSOC_GPU_CE_STATUS)) == 0);
        CHECK(rig.status(0) == 0);
        // The fault point fired once: the next launch completes.
        rig.setup_channel(0);
        rig.put[0] = 0;
        rig.submit(0, Pb().bind_copy(1));
        rig.run_copy(Copy{.src = kData, .dst = 0, .line_length = 64});
        CHECK(rig.rd(NVSOC_GPU_CE(0, NVSOC_GPU_CE_LAUNCHES)) == 1);
        CHECK(rig.engine->stats().bytes_copied == 64);
    }
}

// --- Timing ------------------------------------------------------------------------------

namespace {

struct Rates {
    uint64_t ce, read, write; // bytes/s
};

// Runs one copy of `bytes` sysmem -> VRAM (timing only) and returns the
// time from its first read to its last write's delivery.
uint64_t timed_copy(const Rates& r, uint64_t bytes, double& wall_seconds) {
    EngineConfig cfg = test_config();
    cfg.ce_rate = {r.ce, r.ce};
    cfg.vram_size = 2ull << 30;
    CopyRig rig(cfg);
    rig.mem.discard = true;
    rig.mem.sysmem_read = FakeLink{r.read, 1 * kUs};
    rig.mem.vram_write = FakeLink{r.write, 100 * kNs};
    auto start = std::chrono::steady_clock::now();
    rig.run_copy(Copy{.src = kData, .dst = 0, .line_length = uint32_t(bytes)});
    wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    REQUIRE(rig.status(0) == 0);
    REQUIRE(rig.engine->stats().bytes_copied == bytes);
    auto ce = rig.mem.by(kCe0);
    uint64_t done = 0;
    for (auto& a : ce)
        done = std::max(done, a.done);
    return done - ce.front().time;
}

uint64_t ps(uint64_t bytes, uint64_t rate) {
    return static_cast<uint64_t>(static_cast<unsigned __int128>(bytes) * 1'000'000'000'000ull /
                                 rate);
}

} // namespace

TEST_CASE("gpu-copy: a large copy takes bytes / min(engine, read, write rates), plus one chunk "
          "through the other stages") {
    constexpr uint64_t kBytes = 1ull << 30, kChunk = 64 * 1024, kChunks = kBytes / kChunk;
    for (Rates r : {Rates{12'500'000'000, 16'000'000'000, 200'000'000'000},
                    Rates{50'000'000'000, 10'000'000'000, 200'000'000'000},
                    Rates{50'000'000'000, 40'000'000'000, 8'000'000'000}}) {
        CAPTURE(r.ce, r.read, r.write);
        double wall;
        uint64_t t = timed_copy(r, kBytes, wall);
        uint64_t slowest = std::min({r.ce, r.read, r.write});
        uint64_t ideal = ps(kBytes, slowest);
        // The pipeline fills and drains: one chunk through each other stage
        // and the two latencies; per-chunk rounding is under 1 ps.
        uint64_t slack = ps(kChunk, r.ce) + ps(kChunk, r.read) + ps(kChunk, r.write) -
                         ps(kChunk, slowest) + 1 * kUs + 100 * kNs + kChunks;
        CHECK(t + kChunks >= ideal);
        CHECK(t <= ideal + slack);
        INFO("1 GiB copy: " << wall << " s of host time");
        CHECK(wall < 2.0);
    }
}

TEST_CASE("gpu-copy: two copy engines reading over one link share it, their reads interleave, "
          "and every access reaches the port in time order") {
    EngineConfig cfg = test_config();
    cfg.ce_rate = {50'000'000'000, 50'000'000'000};
    cfg.vram_size = 256ull << 20;
    Rig rig(cfg);
    rig.mem.discard = true;
    rig.mem.sysmem_read = FakeLink{10'000'000'000, 1 * kUs};
    rig.mem.vram_write = FakeLink{200'000'000'000, 100 * kNs};
    constexpr uint64_t kBytes = 64ull << 20;
    for (unsigned c = 0; c < 2; ++c) {
        rig.setup_channel(c, 4, kAllSysmem, c);
        Pb pb;
        pb.bind_copy(1);
        copy(pb, 1, Copy{.src = kData + c * kBytes, .dst = c * kBytes, .line_length = kBytes});
        rig.submit(c, pb);
    }
    rig.run();
    auto ce0 = rig.mem.by(kCe0), ce1 = rig.mem.by(kCe1);
    REQUIRE(!ce0.empty());
    REQUIRE(!ce1.empty());
    // Both start together (the second a pushbuffer read later: the link is shared).
    uint64_t start = std::min(ce0.front().time, ce1.front().time);
    CHECK(std::max(ce0.front().time, ce1.front().time) - start < 10 * kNs);
    uint64_t shared = ps(2 * kBytes, 10'000'000'000);
    uint64_t chunk = ps(64 * 1024, 10'000'000'000);
    for (auto* log : {&ce0, &ce1}) {
        uint64_t done = log->back().done - start;
        CHECK(done >= shared - chunk);
        CHECK(done <= shared + chunk + 2 * kUs);
    }
    unsigned reads = 0, switches = 0, last = 0;
    uint64_t previous = 0;
    bool ordered = true;
    for (auto& a : rig.mem.log) {
        ordered &= a.time >= previous;
        previous = a.time;
        if (a.write || a.aperture != kSys || a.requester == kHostRequester) continue;
        if (reads++ && a.requester != last) ++switches;
        last = a.requester;
    }
    CHECK(ordered);
    CHECK(reads == 2 * kBytes / (64 * 1024));
    CHECK(switches >= reads - 4);
}
