// The native NVLink fabric node (`nvlink-fabric`) on a platform built from
// YAML: its registers and windows, GPU registers over the slot's links,
// coherence between the harts' view of VRAM and the copy engines' view of
// system memory, the slots' power states (entry/exit latency, wake by
// access, DMI granted only in L0), a failed slot's bus error logged once,
// GPU DMA timing over the C2C links, the wired interrupt per slot, and the
// device tree it describes.
#include "models/gpu/gpu.h"
#include "models/gpu/nvsoc_gpu_hw.h"
#include "models/nvlink/fabric_node.h"
#include "models/nvlink/nvlink_fabric_hw.h"
#include "platforms/platform.h"
#include "platforms/platform_config.h"
#include "support/gpu_engine_rig.h"
#include "support/nvlink_rig.h"
#include "support/tlm_initiator.h"

#include <catch2/catch.hpp>
#include <cstdio>
#include <cstring>
#include <functional>
#include <iostream>
#include <unistd.h>

using namespace nvsoc;
using namespace nvsoc::test;
using gpu::Aperture;
using gpu::MemAccess;
using gpu::MemResult;
using gpu::MemStatus;
using gpu::test::Copy;
using gpu::test::kAllSysmem;
using gpu::test::Pb;

namespace {

constexpr uint64_t kNs = 1'000, kUs = 1'000'000;
constexpr uint64_t kMiB = 1ull << 20;
constexpr uint64_t kFab = 0x1000000000, kDram = 0x80000000;
constexpr unsigned kPlicSlot0 = 41;

// gpu0 (128 MiB, no NUMA part) in slot 0, gpu1 (256 MiB) in slot 2: the
// VRAM windows are at 256 MiB and 512 MiB into the aperture.
std::string fabric_yaml(const std::string& fab_extra = "", const std::string& gpu0_extra = "") {
    return R"(
harts: {count: 1}
memory:
  dram: {base: 0x80000000, size: 64MiB}
devices:
  plic: {type: plic, base: 0xc000000, size: 0x400000}
  fab0: {type: nvlink-fabric, base: 0x1000000000, size: 1GiB, irq: [40, 41, 42, 43])" +
           fab_extra + R"(}
  gpu0: {type: gpu, bus: fab0, device: 0, vram: 128MiB, numa-memory: 0)" +
           gpu0_extra + R"(}
  gpu1: {type: gpu, bus: fab0, device: 2, vram: 256MiB, numa-node: 3}
)";
}

struct Fab {
    Platform p;
    TlmInitiator cpu;
    NvlinkFabricNode& node;
    Gpu& g0;
    Gpu& g1;
    explicit Fab(const std::string& yaml = fabric_yaml())
        : p("platform", build_platform_config(parse_config_text(yaml, "test.yaml"), "test.yaml"),
            nullptr),
          node(dynamic_cast<NvlinkFabricNode&>(*p.model("fab0"))),
          g0(dynamic_cast<Gpu&>(*p.model("gpu0"))), g1(dynamic_cast<Gpu&>(*p.model("gpu1"))) {
        cpu.socket.bind(p.router().target);
        elaborate();
        p.hart(0).halt();
    }
    uint64_t now() const { return sc_core::sc_time_stamp().value(); }
    // Accesses at the present (the initiator's annotated delay cleared first).
    uint32_t rd(uint64_t address) {
        cpu.delay = sc_core::SC_ZERO_TIME;
        return cpu.read32(address);
    }
    void wr(uint64_t address, uint32_t v) {
        cpu.delay = sc_core::SC_ZERO_TIME;
        cpu.write32(address, v);
    }
    uint32_t node_reg(unsigned offset) { return rd(kFab + offset); }
    uint32_t slot_reg(unsigned s, unsigned reg) { return rd(kFab + NVSOC_NVFB_SLOT(s, reg)); }
    void set_slot_reg(unsigned s, unsigned reg, uint32_t v) {
        wr(kFab + NVSOC_NVFB_SLOT(s, reg), v);
    }
    uint64_t regs(unsigned s) { return kFab + NVSOC_NVFB_REGS_OFFSET(uint64_t{s}); }
    uint64_t vram(unsigned s) { return kFab + node.vram_offset(s); }
    unsigned state(unsigned s) {
        return slot_reg(s, NVSOC_NVFB_SLOT_STATUS) & NVSOC_NVFB_SLOT_STATUS_STATE_MASK;
    }
    // The hart's own memory port: a DMI page, or nullptr (through the bus).
    uint8_t* hart_page(uint64_t address, bool write) {
        return p.hart(0).direct_page(address, write);
    }
    bool plic_pending(unsigned source) {
        return (rd(0xc000000 + 0x1000 + 4 * (source / 32)) >> (source % 32)) & 1;
    }
    MemResult dma(Gpu& g, bool write, uint64_t address, void* data, uint64_t length,
                  uint64_t time) {
        MemAccess a;
        a.aperture = Aperture::SysmemCoherent;
        a.write = write;
        a.address = address;
        a.data = static_cast<uint8_t*>(data);
        a.length = length;
        a.time = time;
        return g.access(a);
    }
};

// --- A copy engine on the fabric, driven through the GPU's register window ---
// Channel 0's ring, pushbuffers and semaphore live in DRAM.
constexpr uint64_t kRing = kDram + 0x10000, kPb = kDram + 0x100000, kSema = kDram + 0x9000;

struct Channel {
    Fab& f;
    unsigned slot;
    uint32_t put = 0;
    uint64_t pb_next = kPb;
    Channel(Fab& fab, unsigned s) : f(fab), slot(s) {
        reg(NVSOC_GPU_CH(0, NVSOC_GPU_CH_GPFIFO_LO), uint32_t(kRing));
        reg(NVSOC_GPU_CH(0, NVSOC_GPU_CH_GPFIFO_HI), uint32_t(kRing >> 32));
        reg(NVSOC_GPU_CH(0, NVSOC_GPU_CH_GPFIFO_LOG2), 4);
        reg(NVSOC_GPU_CH(0, NVSOC_GPU_CH_APERTURE), kAllSysmem);
        reg(NVSOC_GPU_CH(0, NVSOC_GPU_CH_ENGINE), 0);
        reg(NVSOC_GPU_CH(0, NVSOC_GPU_CH_CTRL), NVSOC_GPU_CH_CTRL_ENABLE);
        submit(Pb().bind_copy(1));
    }
    void reg(unsigned offset, uint32_t v) { f.wr(f.regs(slot) + offset, v); }
    void submit(const Pb& pb) {
        REQUIRE(f.p.write_memory(pb_next, reinterpret_cast<const uint8_t*>(pb.d.data()),
                                 4 * pb.d.size()));
        uint32_t entry[2] = {uint32_t(pb_next) & ~3u,
                             uint32_t(pb_next >> 32) | uint32_t(pb.d.size())
                                                           << NVSOC_GPU_GP_ENTRY1_LENGTH_SHIFT};
        REQUIRE(f.p.write_memory(kRing + 8 * put, reinterpret_cast<uint8_t*>(entry), 8));
        pb_next += (4 * pb.d.size() + 0xff) & ~0xffull;
        put = (put + 1) % 16;
        reg(NVSOC_GPU_USERD(0) + NVSOC_GPU_USERD_GP_PUT, put);
        reg(NVSOC_GPU_USERMODE + NVSOC_GPU_USERMODE_DOORBELL, 0);
    }
    // One copy, then a semaphore release; runs until the release lands.
    void copy(const Copy& c, uint32_t payload) {
        Pb pb;
        gpu::test::copy(pb, 1, c);
        pb.release4(kSema, payload);
        submit(pb);
        for (int i = 0; i < 1000 && sema() != payload; ++i)
            run_until(f.now() + 10 * kUs);
        REQUIRE(sema() == payload);
    }
    uint32_t sema() {
        uint32_t v = 0;
        REQUIRE(f.p.read_memory(kSema, reinterpret_cast<uint8_t*>(&v), 4));
        return v;
    }
};

// What is written to stderr (the log) while `f` runs.
std::string stderr_of(const std::function<void()>& f) {
    std::fflush(stderr);
    std::cerr.flush();
    int saved = dup(2);
    std::FILE* tmp = std::tmpfile();
    dup2(fileno(tmp), 2);
    f();
    std::fflush(stderr);
    std::cerr.flush();
    dup2(saved, 2);
    close(saved);
    std::rewind(tmp);
    std::string out;
    char buf[4096];
    for (size_t n; (n = std::fread(buf, 1, sizeof buf, tmp)) > 0;)
        out.append(buf, n);
    std::fclose(tmp);
    return out;
}

size_t count_of(const std::string& text, const std::string& what) {
    size_t n = 0;
    for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1))
        ++n;
    return n;
}

} // namespace

TEST_CASE("nvlink fabric node: identity and windows in its registers and GPU registers through the "
          "slot's window") {
    Fab f;
    CHECK(f.node_reg(NVSOC_NVFB_IDENT) == NVSOC_NVFB_IDENT_VALUE);
    CHECK(f.node_reg(NVSOC_NVFB_VERSION) == NVSOC_NVFB_VERSION_VALUE);
    CHECK(f.node_reg(NVSOC_NVFB_NUM_SLOTS) == 2);
    CHECK(f.node_reg(NVSOC_NVFB_CAPS) == 7);
    CHECK(f.slot_reg(0, NVSOC_NVFB_SLOT_STATUS) ==
          (NVSOC_NVFB_STATE_L0 | NVSOC_NVFB_SLOT_STATUS_PRESENT | 10u << 12));
    CHECK(f.slot_reg(1, NVSOC_NVFB_SLOT_STATUS) == 0); // empty
    CHECK(f.slot_reg(2, NVSOC_NVFB_SLOT_CTRL) == NVSOC_NVFB_SLOT_CTRL_AUTO_WAKE);
    CHECK(f.slot_reg(2, NVSOC_NVFB_SLOT_REGS_BASE_LO) == 0x03000000);
    CHECK(f.slot_reg(2, NVSOC_NVFB_SLOT_REGS_BASE_HI) == 0x10);
    // Windows after the register windows (0x0900_0000), each aligned to its size.
    CHECK(f.node.vram_offset(0) == 0x10000000);
    CHECK(f.node.vram_offset(2) == 0x20000000);
    CHECK(f.slot_reg(2, NVSOC_NVFB_SLOT_VRAM_BASE_LO) == 0x20000000);
    CHECK(f.slot_reg(2, NVSOC_NVFB_SLOT_VRAM_BASE_HI) == 0x10);
    CHECK(f.slot_reg(2, NVSOC_NVFB_SLOT_VRAM_SIZE_LO) == 256 * kMiB);
    CHECK(f.slot_reg(2, NVSOC_NVFB_SLOT_NUMA_SIZE_LO) == 128 * kMiB); // vram / 2
    CHECK(f.slot_reg(0, NVSOC_NVFB_SLOT_NUMA_SIZE_LO) == 0);
    CHECK(f.slot_reg(0, NVSOC_NVFB_SLOT_BANDWIDTH_MBPS) == 450'000);
    CHECK(f.slot_reg(0, NVSOC_NVFB_SLOT_LATENCY_NS) == 120);
    CHECK(f.slot_reg(0, NVSOC_NVFB_SLOT_L2_EXIT_NS) == 20'000);
    // The GPU's BAR0 bank, reached over the links: a read pays the
    // request down and the data back up.
    CHECK(f.rd(f.regs(2) + NVSOC_GPU_IDENT) == NVSOC_GPU_IDENT_VALUE);
    uint64_t one_way = 120 * kNs, header = 16 * 1000 / 450, line = 80 * 1000 / 450;
    CHECK(f.cpu.delay.value() == one_way + header + one_way + line);
    CHECK(f.rd(f.regs(0) + NVSOC_GPU_VRAM_SIZE_LO) == 128 * kMiB);
    // A register window without a GPU, and the gap between windows, are
    // address errors.
    f.rd(f.regs(1));
    CHECK(f.cpu.last_status == tlm::TLM_ADDRESS_ERROR_RESPONSE);
    f.rd(kFab + 0x0a000000);
    CHECK(f.cpu.last_status == tlm::TLM_ADDRESS_ERROR_RESPONSE);
    // Counters: the register reads' bytes crossed slot 2's links.
    CHECK(f.slot_reg(2, NVSOC_NVFB_SLOT_TX_BYTES_LO) == 16);
    CHECK(f.slot_reg(2, NVSOC_NVFB_SLOT_RX_BYTES_LO) == 80);
}

TEST_CASE("nvlink fabric node: coherence: a CPU store is what the copy engine reads and what it "
          "writes is what the CPU loads by DMI and through the bus") {
    Fab f;
    Channel ch(f, 2);
    // The CPU stores a pattern in DRAM; the copy engine moves it into VRAM.
    std::vector<uint8_t> pattern(4096);
    for (size_t i = 0; i < pattern.size(); ++i)
        pattern[i] = static_cast<uint8_t>(i * 13 + 7);
    uint64_t src = kDram + 0x200000;
    for (size_t i = 0; i < pattern.size(); i += 4) {
        uint32_t w;
        std::memcpy(&w, &pattern[i], 4);
        f.wr(src + i, w);
    }
    ch.copy({.src_aperture = Aperture::SysmemCoherent,
             .dst_aperture = Aperture::Vram,
             .src = src,
             .dst = 0x1000,
             .line_length = 4096},
            1);
    // The hart sees it at the VRAM window: DMI to the VRAM's bytes...
    uint8_t* page = f.hart_page(f.vram(2) + 0x1000, false);
    REQUIRE(page != nullptr);
    CHECK(page == f.g1.vram().data() + 0x1000);
    CHECK(std::memcmp(page, pattern.data(), pattern.size()) == 0);
    // ...and through the bus.
    CHECK(f.rd(f.vram(2) + 0x1000 + 8) == (uint32_t(pattern[8]) | pattern[9] << 8 |
                                           pattern[10] << 16 | uint32_t(pattern[11]) << 24));
    // A CPU store into VRAM through DMI (the same bytes an AMO works on),
    // then the copy engine writes VRAM back to DRAM: the CPU loads it.
    uint8_t* wpage = f.hart_page(f.vram(2) + 0x1000, true);
    REQUIRE(wpage == page);
    uint32_t before;
    std::memcpy(&before, wpage + 16, 4);
    // What the core does for amoadd.w: read-modify-write of the DMI bytes.
    uint32_t sum = before + 0x01010101;
    std::memcpy(wpage + 16, &sum, 4);
    uint64_t dst = kDram + 0x300000;
    ch.copy({.src_aperture = Aperture::Vram,
             .dst_aperture = Aperture::SysmemCoherent,
             .src = 0x1000,
             .dst = dst,
             .line_length = 4096},
            2);
    CHECK(f.rd(dst + 16) == sum);
    CHECK(f.rd(dst + 4092) == f.rd(f.vram(2) + 0x1000 + 4092));
    // The copies crossed slot 2's links (up: read requests and write data).
    CHECK(f.slot_reg(2, NVSOC_NVFB_SLOT_RX_BYTES_LO) > 4096);
    CHECK(f.slot_reg(0, NVSOC_NVFB_SLOT_RX_BYTES_LO) == 0);
}

TEST_CASE("nvlink fabric node: sleep and wake take their latencies with DMI only in L0 and an "
          "access wakes a sleeping slot and pays the exit latency") {
    Fab f;
    REQUIRE(f.hart_page(f.vram(0), false) != nullptr);
    f.set_slot_reg(0, NVSOC_NVFB_SLOT_ERR_EN, NVSOC_NVFB_SLOT_ERR_WOKE_BY_ACCESS);
    f.set_slot_reg(0, NVSOC_NVFB_SLOT_CTRL,
                   NVSOC_NVFB_SLOT_CTRL_SLEEP_REQ | NVSOC_NVFB_SLOT_CTRL_AUTO_WAKE);
    // The write lands after the node's access latency (10 ns); register
    // reads see the state then too, so exact times are checked on the link.
    uint64_t t0 = f.now() + 10 * kNs;
    c2c::Link& link0 = f.node.link(0);
    CHECK(f.state(0) == NVSOC_NVFB_STATE_ENTERING_L2);
    // DMI was revoked at once: the hart's next access goes through the bus.
    CHECK(f.hart_page(f.vram(0), false) == nullptr);
    // NODE_CTRL.SLEEP is refused until every slot is in L2.
    f.wr(kFab + NVSOC_NVFB_NODE_CTRL, NVSOC_NVFB_NODE_CTRL_SLEEP);
    CHECK(f.node_reg(NVSOC_NVFB_NODE_STATUS) == 0);
    run_until(t0 + 2 * kUs - 1);
    CHECK(link0.state(f.now()) == c2c::State::EnteringL2);
    run_until(t0 + 2 * kUs + 1);
    CHECK(link0.state(f.now()) == c2c::State::L2);
    CHECK(f.state(0) == NVSOC_NVFB_STATE_L2);
    CHECK(f.slot_reg(0, NVSOC_NVFB_SLOT_ERR_STATUS) == NVSOC_NVFB_SLOT_ERR_STATE_CHANGE);
    f.set_slot_reg(2, NVSOC_NVFB_SLOT_CTRL,
                   NVSOC_NVFB_SLOT_CTRL_SLEEP_REQ | NVSOC_NVFB_SLOT_CTRL_AUTO_WAKE);
    run_until(f.now() + 2 * kUs);
    f.wr(kFab + NVSOC_NVFB_NODE_CTRL, NVSOC_NVFB_NODE_CTRL_SLEEP);
    CHECK(f.node_reg(NVSOC_NVFB_NODE_STATUS) == NVSOC_NVFB_NODE_STATUS_ASLEEP);
    run_until(f.now() + 10 * kUs);
    CHECK(f.hart_page(f.vram(0), false) == nullptr);

    // A load from the sleeping slot: woken, data returned, the exit
    // latency in the access's time, counted, WOKE_BY_ACCESS raised.
    f.g0.vram().data()[0x40] = 0x5a;
    uint64_t t1 = f.now();
    CHECK(f.rd(f.vram(0) + 0x40) == 0x5a);
    CHECK(f.cpu.last_status == tlm::TLM_OK_RESPONSE);
    uint64_t header = 16 * 1000 / 450, line = 80 * 1000 / 450;
    CHECK(f.cpu.delay.value() == 20 * kUs + header + 120 * kNs + line + 120 * kNs);
    CHECK(f.slot_reg(0, NVSOC_NVFB_SLOT_WAKE_COUNT) == 1);
    CHECK(f.slot_reg(0, NVSOC_NVFB_SLOT_ERR_STATUS) & NVSOC_NVFB_SLOT_ERR_WOKE_BY_ACCESS);
    CHECK((f.slot_reg(0, NVSOC_NVFB_SLOT_CTRL) & NVSOC_NVFB_SLOT_CTRL_SLEEP_REQ) == 0);
    CHECK(f.node_reg(NVSOC_NVFB_NODE_STATUS) == 0);
    CHECK(f.node_reg(NVSOC_NVFB_INTR_STATUS) == 1);
    CHECK(f.plic_pending(40));
    CHECK(f.state(0) == NVSOC_NVFB_STATE_WAKING);
    CHECK(f.hart_page(f.vram(0), false) == nullptr);
    run_until(t1 + 20 * kUs - 1);
    CHECK(link0.state(f.now()) == c2c::State::Waking);
    run_until(t1 + 20 * kUs + 1);
    CHECK(link0.state(f.now()) == c2c::State::L0);
    // Back in L0, the harts were told to ask again: DMI is granted.
    CHECK(f.hart_page(f.vram(0), false) == f.g0.vram().data());
    CHECK(f.slot_reg(0, NVSOC_NVFB_SLOT_L2_TIME_NS_LO) == (t1 - (t0 + 2 * kUs)) / kNs);
    // W1C.
    f.set_slot_reg(0, NVSOC_NVFB_SLOT_ERR_STATUS, ~0u);
    CHECK(f.slot_reg(0, NVSOC_NVFB_SLOT_ERR_STATUS) == 0);
    CHECK_FALSE(f.plic_pending(40));

    // Clearing SLEEP_REQ wakes slot 2 in the exit latency, without a wake by access.
    uint64_t t2 = f.now();
    f.set_slot_reg(2, NVSOC_NVFB_SLOT_CTRL, NVSOC_NVFB_SLOT_CTRL_AUTO_WAKE);
    CHECK(f.state(2) == NVSOC_NVFB_STATE_WAKING);
    run_until(t2 + 20 * kUs);
    CHECK(f.state(2) == NVSOC_NVFB_STATE_L0);
    CHECK(f.slot_reg(2, NVSOC_NVFB_SLOT_WAKE_COUNT) == 0);

    // With AUTO_WAKE clear, an access to a sleeping slot is a bus error.
    f.set_slot_reg(2, NVSOC_NVFB_SLOT_CTRL, NVSOC_NVFB_SLOT_CTRL_SLEEP_REQ);
    run_until(f.now() + 3 * kUs);
    f.rd(f.vram(2));
    CHECK(f.cpu.last_status == tlm::TLM_ADDRESS_ERROR_RESPONSE);
    CHECK(f.slot_reg(2, NVSOC_NVFB_SLOT_ERR_STATUS) & NVSOC_NVFB_SLOT_ERR_BUS_ERROR);
    CHECK(f.state(2) == NVSOC_NVFB_STATE_L2);
}

TEST_CASE("nvlink fabric node: GPU DMA to a sleeping slot wakes it and DMA takes the C2C links' "
          "time") {
    Fab f;
    // 4 KiB written to DRAM: the data (64 lines of 80 wire bytes) up the
    // slot's links at 450 GB/s, the latency, then the bus (RAM: no latency).
    std::vector<uint8_t> buf(4096, 0x33);
    uint64_t t = f.now() + 1000;
    MemResult w = f.dma(f.g0, true, kDram + 0x1000, buf.data(), buf.size(), t);
    REQUIRE(w.status == MemStatus::Ok);
    CHECK(w.issued == t + 11377);
    CHECK(w.done == t + 11377 + 120 * kNs);
    uint32_t v = 0;
    REQUIRE(f.p.read_memory(kDram + 0x1000, reinterpret_cast<uint8_t*>(&v), 4));
    CHECK(v == 0x33333333);
    // A read: the request header up, the data back down.
    MemResult r = f.dma(f.g0, false, kDram + 0x1000, buf.data(), buf.size(), w.done);
    REQUIRE(r.status == MemStatus::Ok);
    // (16 bytes take 36 ps here: the write's remainder is carried.)
    CHECK(r.done == w.done + 36 + 120 * kNs + 11377 + 120 * kNs);
    // Its own VRAM window is local: the VRAM's timing only (no link bytes).
    uint64_t rx = f.node.link(0).counters().up_bytes;
    MemResult local = f.dma(f.g0, false, f.vram(0), buf.data(), 64, r.done);
    REQUIRE(local.status == MemStatus::Ok);
    CHECK(local.done == r.done + 71 + 250 * kNs); // 64 B at 900 GB/s, then vram-latency
    CHECK(f.node.link(0).counters().up_bytes == rx);

    // Asleep, the first DMA wakes the slot and waits for the exit latency.
    f.set_slot_reg(0, NVSOC_NVFB_SLOT_CTRL,
                   NVSOC_NVFB_SLOT_CTRL_SLEEP_REQ | NVSOC_NVFB_SLOT_CTRL_AUTO_WAKE);
    run_until(f.now() + 5 * kUs);
    CHECK(f.state(0) == NVSOC_NVFB_STATE_L2);
    uint64_t t1 = f.now() + 1 * kUs;
    MemResult woke = f.dma(f.g0, true, kDram + 0x2000, buf.data(), 64, t1);
    REQUIRE(woke.status == MemStatus::Ok);
    CHECK(woke.done == t1 + 20 * kUs + 178 + 120 * kNs); // 80 B, a remainder carried
    CHECK(f.slot_reg(0, NVSOC_NVFB_SLOT_WAKE_COUNT) == 1);
    CHECK(f.slot_reg(0, NVSOC_NVFB_SLOT_ERR_STATUS) & NVSOC_NVFB_SLOT_ERR_WOKE_BY_ACCESS);
    // Into another slot's window: both slots' links, no SoC bus.
    buf.assign(64, 0x77);
    MemResult peer = f.dma(f.g0, true, f.vram(2) + 0x80, buf.data(), 64, woke.done);
    REQUIRE(peer.status == MemStatus::Ok);
    CHECK(f.g1.vram().data()[0x80] == 0x77);
    CHECK(peer.done >= woke.done + 2 * 120 * kNs);
}

TEST_CASE("nvlink fabric node: a failed slot answers with a bus error logged once while DMI is "
          "revoked and LINK_FAIL raised") {
    Fab f(fabric_yaml(", link-down-at: \"2:10us\""));
    REQUIRE(f.hart_page(f.vram(2), false) != nullptr);
    f.set_slot_reg(2, NVSOC_NVFB_SLOT_ERR_EN, NVSOC_NVFB_SLOT_ERR_LINK_FAIL);
    run_until(10 * kUs + 1); // the fault point's time has passed
    CHECK(f.state(2) == NVSOC_NVFB_STATE_FAILED);
    CHECK((f.slot_reg(2, NVSOC_NVFB_SLOT_STATUS) & NVSOC_NVFB_SLOT_STATUS_LINKS_MASK) == 0);
    CHECK(f.slot_reg(2, NVSOC_NVFB_SLOT_ERR_STATUS) ==
          (NVSOC_NVFB_SLOT_ERR_LINK_FAIL | NVSOC_NVFB_SLOT_ERR_STATE_CHANGE));
    CHECK(f.plic_pending(40));
    CHECK(f.hart_page(f.vram(2), false) == nullptr);
    // Loads, stores and register reads fail; the hart counts bus errors.
    // One log line for all of them.
    std::string log = stderr_of([&] {
        uint32_t word = 0;
        CHECK(f.p.hart(0).read(f.vram(2), &word, 4) == false);
        f.rd(f.vram(2) + 8);
        CHECK(f.cpu.last_status == tlm::TLM_ADDRESS_ERROR_RESPONSE);
        f.wr(f.regs(2), 1);
        CHECK(f.cpu.last_status == tlm::TLM_ADDRESS_ERROR_RESPONSE);
        // GPU DMA from the failed slot too.
        uint8_t b[64] = {};
        CHECK(f.dma(f.g1, false, kDram, b, 64, f.now()).status == MemStatus::BusError);
    });
    CHECK(count_of(log, "bus error") == 1);
    CHECK(count_of(log, "slot 2 ('gpu1'): read at 0x1020000000: bus error, the C2C links are "
                        "FAILED (logged once)") == 1);
    CHECK(f.slot_reg(2, NVSOC_NVFB_SLOT_ERR_STATUS) & NVSOC_NVFB_SLOT_ERR_BUS_ERROR);
    nlohmann::json stats;
    f.node.stats(stats);
    CHECK(stats["slots"]["2"]["bus_errors"] == 4);
    CHECK(stats["slots"]["2"]["state"] == "FAILED");
    // Slot 0 is unaffected.
    CHECK(f.state(0) == NVSOC_NVFB_STATE_L0);
    CHECK(f.hart_page(f.vram(0), false) != nullptr);
}

TEST_CASE("nvlink fabric node: the engines' interrupt is the slot's wired line") {
    Fab f(fabric_yaml("", ", channel-error-at-method: 1"));
    f.wr(f.regs(0) + NVSOC_GPU_INTR_EN_SET, NVSOC_GPU_INTR_CHANNEL);
    CHECK_FALSE(f.plic_pending(kPlicSlot0));
    Channel ch(f, 0); // its first method fails
    run_until(f.now() + 100 * kUs);
    CHECK(f.rd(f.regs(0) + NVSOC_GPU_INTR_STATUS) & NVSOC_GPU_INTR_CHANNEL);
    CHECK(f.plic_pending(kPlicSlot0));
    CHECK_FALSE(f.plic_pending(kPlicSlot0 + 2)); // slot 2's line
}

TEST_CASE("nvlink fabric node: the device tree has the node and gpu children with the driver's "
          "VRAM and the NUMA part as a memory node") {
    Fab f;
    f.p.load();
    std::string dts = f.p.device_tree().to_dts();
    CHECK(dts.find("nvlink-fabric@1000000000 {") != std::string::npos);
    CHECK(dts.find("compatible = \"nvsoc,nvlink-fabric\";") != std::string::npos);
    CHECK(dts.find("dma-coherent;") != std::string::npos);
    // gpu1 in slot 2: registers, then the 128 MiB below its NUMA part.
    CHECK(dts.find("gpu@1003000000 {") != std::string::npos);
    CHECK(dts.find("reg = <0x10 0x3000000 0x0 0x1000000 0x10 0x20000000 0x0 0x8000000>;") !=
          std::string::npos);
    CHECK(dts.find("nvsoc,slot = <0x2>;") != std::string::npos);
    // The NUMA part: the top 128 MiB, node 3 (its numa-node).
    CHECK(dts.find("memory@1028000000 {") != std::string::npos);
    CHECK(dts.find("numa-node-id = <0x3>;") != std::string::npos);
    // gpu0 has no NUMA part: all of its VRAM is the driver's.
    CHECK(dts.find("reg = <0x10 0x1000000 0x0 0x1000000 0x10 0x10000000 0x0 0x8000000>;") !=
          std::string::npos);
    CHECK(dts.find("numa-node-id = <0x1>;") == std::string::npos);
}

TEST_CASE("nvlink fabric node: misplaced GPUs and bad parameters are refused with their place") {
    auto load = [](const std::string& yaml) {
        Platform p("platform",
                   build_platform_config(parse_config_text(yaml, "test.yaml"), "test.yaml"),
                   nullptr);
    };
    std::string y = fabric_yaml();
    auto with = [&](const std::string& from, const std::string& to) {
        std::string s = y;
        s.replace(s.find(from), from.size(), to);
        return s;
    };
    CHECK_THROWS_WITH(load(with("device: 2,", "device: 0,")),
                      Catch::Contains("slot 0 of 'fab0' already holds 'gpu0'"));
    CHECK_THROWS_WITH(load(with("device: 2,", "device: 8,")),
                      Catch::Contains("which has slots 0-7"));
    CHECK_THROWS_WITH(load(with("irq: [40, 41, 42, 43]", "irq: [40, 41, 42]")),
                      Catch::Contains("slot 2 holds 'gpu1' but irq gives no line for it"));
    CHECK_THROWS_WITH(load(with("size: 1GiB,", "size: 512MiB,")),
                      Catch::Contains("the GPU windows do not fit"));
    CHECK_THROWS_WITH(load(with("irq: [40", "vram-offset: 0x100000, irq: [40")),
                      Catch::Contains("vram-offset 0x100000 lies among the GPU register windows"));
    CHECK_THROWS_WITH(load(with("irq: [40", "link-down-at: \"9:1us\", irq: [40")),
                      Catch::Contains("link-down-at item '9:1us'"));
    CHECK_THROWS_WITH(load(with("numa-memory: 0", "numa-memory: 64MiB")),
                      Catch::Contains("must be a multiple of 128 MiB"));
}
