// The three NVLink topologies compared in simulated time (docs/performance.md,
// "Three topologies"): the same workloads on
//   direct: gpu0 and gpu1 on root ports rp0 and rp1 (Gen5 x16), joined by
//           two NVLink 4 links (configs/nvlink-direct.yaml's pair);
//   bridge: gpu0 and gpu1 behind one nvlink-pcie-bridge on rp0 (Gen5 x16),
//           two NVLink 4 links each to the bridge (configs/nvlink-bridge.yaml);
//   fabric: gpu0 and gpu1 in slots 0 and 1 of an nvlink-fabric node, 10 C2C
//           links each, joined by two NVLink 4 links (configs/nvlink-fabric.yaml).
// Workloads, each on a channel of gpu0 whose ring, pushbuffer and
// semaphores are in gpu0's VRAM, bracketed by two 16-byte semaphore
// releases whose timestamps give its time:
//   H2D   copy engine 0 reads 64 MiB of system memory (DRAM) into VRAM;
//   D2H   64 MiB of VRAM into system memory;
//   peer  64 MiB of gpu0's VRAM into gpu1's: over the GPU-GPU NVLink links
//         (direct, fabric), over PCIe peer-to-peer inside the bridge
//         (bridge), and on the fabric also through the C2C links (the
//         destination is gpu1's VRAM window in the node's aperture);
//   lat   a 4-byte copy from system memory into VRAM: from the CPU's
//         doorbell store (over the SoC bus, see CPU) to the release after
//         the copy, and the time between the two releases (the topology's
//         part: the copy's read);
//   CPU   a TLM initiator on the SoC bus ("the CPU": a hart's loads by DMI
//         are untimed) loads, then stores, 8 bytes 64 times, one after
//         the other, to gpu0's VRAM: through BAR1 (direct, bridge) or the
//         node's VRAM window (fabric); the figure is the mean per access.
// The copy engines and VRAM are set far faster than the links (ce-rate and
// vram-bandwidth 100 TB/s) so that only the links limit. Every expected
// value is computed below from the configured parameters; the formulas are
// in docs/performance.md.
//
//   nvsoc_bench_topology            all three, 64 MiB copies
//   nvsoc_bench_topology --quick    all three, 32 MiB copies (the ctest)
//   nvsoc_bench_topology direct|bridge|fabric [--quick]
// Each topology runs in its own process (a SystemC simulation runs once per
// process). Exit status 1 when a figure is more than 3 % from its expected
// value or a copy's data is wrong.
#include "models/gpu/gpu.h"
#include "models/gpu/nvsoc_gpu_hw.h"
#include "models/nvlink/bridge.h"
#include "models/nvlink/fabric_node.h"
#include "models/nvlink/link.h"
#include "models/nvlink/nvlink_port_hw.h"
#include "models/pcie/config_space.h"
#include "models/pcie/pcie_node.h"
#include "platforms/platform.h"
#include "support/gpu_bar0.h"
#include "support/tlm_initiator.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fmt/format.h>
#include <string>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

using namespace nvsoc;

namespace {

enum class Topo { Direct, Bridge, Fabric };
const char* name(Topo t) {
    return t == Topo::Direct ? "direct" : t == Topo::Bridge ? "bridge" : "fabric";
}

constexpr uint64_t kMs = 1'000'000'000;

// --- The configuration, and the parameters the expectations use ----------------------

constexpr uint64_t kDram = 0x80000000, kDramSize = 256u << 20;
constexpr uint64_t kSysSrc = kDram + (64u << 20), kSysDst = kDram + (128u << 20);
// gpu0's VRAM: channel k's ring, pushbuffer and semaphores at k x 1 MiB,
// the copies' source or destination at 16 MiB; gpu1's: a peer copy's
// destination at 0 (inside its 64 MiB BAR1).
constexpr uint64_t kChanStride = 1u << 20, kVramBuf = 16u << 20, kPeerDst = 0;
constexpr uint64_t kCpuOffset = 8u << 20; // the CPU's loads and stores in gpu0's VRAM
constexpr unsigned kCpuAccesses = 64;
// PCIe: each GPU's BAR0 (16 MiB) and BAR1 (64 MiB) in the 32-bit window.
constexpr uint64_t kBar0[2] = {0x40000000, 0x48000000}, kBar1[2] = {0x44000000, 0x4c000000};
// The fabric node's aperture; gpu<i>'s VRAM window follows from the layout.
constexpr uint64_t kFabBase = 0x1000000000;

// The parameters, as written into the YAML below.
constexpr unsigned kPcieGen = 5, kPcieLanes = 16, kMps = 256;
constexpr double kPcieGts = 32e9, kPcieEnc = 128.0 / 130; // Gen5: 32 GT/s, 128b/130b
constexpr uint64_t kRpReadLatency = 200'000;              // ps, `read-latency`
constexpr uint64_t kHostBridgeLatency = 10'000;           // ps, a SoC device's fixed access latency
constexpr unsigned kNvlGen = 4, kNvlLinks = 2;
constexpr uint64_t kBridgeLatency = 150'000; // ps, `latency`
constexpr unsigned kC2cLinks = 10;
constexpr double kC2cLinkBw = 45e9; // bytes/s per link per direction
constexpr uint64_t kC2cLatency = 120'000;
constexpr uint64_t kVramLatency = 250'000, kMethodTime = 2'000, kDoorbellLatency = 500'000; // ps

std::string soc_yaml(Topo t) {
    std::string y = fmt::format(R"(
harts: {{count: 1}}
memory:
  dram: {{base: 0x{:x}, size: {}MiB}}
devices:
  plic: {{type: plic, base: 0xc000000, size: 0x400000}}
)",
                                kDram, kDramSize >> 20);
    std::string gpu = fmt::format(
        "vram: 256MiB, vram-bar: 64MiB, nvlink-ports: {}, nvlink-gen: "
        "{}, ce-rate: 100TB/s, vram-bandwidth: 100TB/s, vram-latency: {}ns, "
        "method-time: {}ns, doorbell-latency: {}ns",
        kNvlLinks, kNvlGen, kVramLatency / 1000, kMethodTime / 1000, kDoorbellLatency / 1000);
    std::string rp = fmt::format("max-link-speed: gen{}, max-link-width: {}, read-latency: {}ns",
                                 kPcieGen, kPcieLanes, kRpReadLatency / 1000);
    if (t != Topo::Fabric)
        y += "  pcie: {type: pcie-host, base: 0x30000000, size: 16MiB, irq: [32, 33, 34, 35]}\n";
    switch (t) {
    case Topo::Direct:
        y += fmt::format("  rp0: {{type: pcie-root-port, bus: pcie, device: 1, {1}}}\n"
                         "  rp1: {{type: pcie-root-port, bus: pcie, device: 2, {1}}}\n"
                         "  gpu0: {{type: gpu, bus: rp0, {0}}}\n"
                         "  gpu1: {{type: gpu, bus: rp1, {0}}}\n",
                         gpu, rp);
        break;
    case Topo::Bridge:
        y += fmt::format("  rp0: {{type: pcie-root-port, bus: pcie, device: 1, {3}}}\n"
                         "  br0: {{type: nvlink-pcie-bridge, bus: rp0, nvlink-ports: 4, "
                         "nvlink-gen: {1}, hold-links: false, latency: {2}ns}}\n"
                         "  gpu0: {{type: gpu, bus: br0, device: 0, {0}}}\n"
                         "  gpu1: {{type: gpu, bus: br0, device: 2, {0}}}\n",
                         gpu, kNvlGen, kBridgeLatency / 1000, rp);
        break;
    case Topo::Fabric:
        y += fmt::format("  fab0: {{type: nvlink-fabric, base: 0x{0:x}, size: 64GiB, irq: [40, 41, "
                         "42], c2c-links: {1}, c2c-link-bandwidth: {2}GB/s, c2c-latency: {3}ns}}\n"
                         "  gpu0: {{type: gpu, bus: fab0, device: 0, numa-memory: 0, {4}}}\n"
                         "  gpu1: {{type: gpu, bus: fab0, device: 1, numa-memory: 0, {4}}}\n",
                         kFabBase, kC2cLinks, kC2cLinkBw / 1e9, kC2cLatency / 1000, gpu);
        break;
    }
    y += "links:\n";
    if (t == Topo::Bridge) {
        for (unsigned g = 0; g < 2; ++g)
            for (unsigned l = 0; l < kNvlLinks; ++l)
                y += fmt::format("  b{0}{1}: {{ends: [br0.nvl{2}, gpu{0}.nvl{1}]}}\n", g, l,
                                 2 * g + l);
    } else {
        for (unsigned l = 0; l < kNvlLinks; ++l)
            y += fmt::format("  p{0}: {{ends: [gpu0.nvl{0}, gpu1.nvl{0}]}}\n", l);
    }
    return y;
}

// --- Register access and the copies --------------------------------------------------------

using test::rd;
using test::run_for;
using test::wr;

struct Pushbuffer {
    std::vector<uint32_t> words;
    void method(unsigned subch, unsigned mthd, std::vector<uint32_t> data) {
        words.push_back(NVSOC_GPU_METHOD_HEADER(NVSOC_GPU_SECOP_INC, subch, mthd, data.size()));
        words.insert(words.end(), data.begin(), data.end());
    }
    void release16(uint64_t at, uint32_t payload) {
        method(0, NVSOC_GPU_SEMAPHOREA,
               {static_cast<uint32_t>(at >> 32), static_cast<uint32_t>(at), payload,
                NVSOC_GPU_SEMAPHORED_OP_RELEASE});
    }
};

struct Side {
    uint32_t mode; // SET_*_PHYS_MODE: the aperture (and a peer id)
    uint64_t address;
};

// Copies `bytes` from `src` to `dst` by copy engine 0 on channel `ch` of
// `g`, bracketed by two timestamped releases; returns the two timestamps
// (0, 0 when the copy did not finish).
struct Timed {
    uint64_t t0 = 0, t1 = 0;                            // the releases' timestamps, ns
    uint64_t doorbell = 0;                              // when the doorbell was written, ps
    double seconds() const { return (t1 - t0) * 1e-9; } // the timestamps are in ns
};
// With `cpu`, the doorbell is the CPU's 4-byte store to `doorbell_at`
// (gpu0's register window as the SoC addresses it) over the bus; without,
// a write to the register bank.
Timed copy(Gpu& g, unsigned ch, Side src, Side dst, uint32_t bytes,
           test::TlmInitiator* cpu = nullptr, uint64_t doorbell_at = 0) {
    const uint64_t base = ch * kChanStride, ring = base, pushbuf = base + 0x1000,
                   sema = base + 0x2000;
    constexpr uint32_t vram = NVSOC_GPU_APERTURE_VRAM;
    wr(g, NVSOC_GPU_CH(ch, NVSOC_GPU_CH_GPFIFO_LO), static_cast<uint32_t>(ring));
    wr(g, NVSOC_GPU_CH(ch, NVSOC_GPU_CH_GPFIFO_HI), 0);
    wr(g, NVSOC_GPU_CH(ch, NVSOC_GPU_CH_GPFIFO_LOG2), 4);
    wr(g, NVSOC_GPU_CH(ch, NVSOC_GPU_CH_APERTURE),
       vram << NVSOC_GPU_CH_APERTURE_GPFIFO_SHIFT | vram << NVSOC_GPU_CH_APERTURE_PB_SHIFT |
           vram << NVSOC_GPU_CH_APERTURE_SEM_SHIFT);
    wr(g, NVSOC_GPU_CH(ch, NVSOC_GPU_CH_ENGINE), 0);
    wr(g, NVSOC_GPU_CH(ch, NVSOC_GPU_CH_CTRL), NVSOC_GPU_CH_CTRL_ENABLE);
    Pushbuffer pb;
    pb.method(4, NVSOC_GPU_SET_OBJECT, {NVSOC_GPU_COPY_CLASS});
    pb.release16(sema, 1);
    pb.method(4, NVSOC_GPU_CE_SET_SRC_PHYS_MODE, {src.mode});
    pb.method(4, NVSOC_GPU_CE_SET_DST_PHYS_MODE, {dst.mode});
    pb.method(4, NVSOC_GPU_CE_OFFSET_IN_UPPER,
              {static_cast<uint32_t>(src.address >> 32), static_cast<uint32_t>(src.address),
               static_cast<uint32_t>(dst.address >> 32), static_cast<uint32_t>(dst.address), 0, 0,
               bytes, 1});
    pb.method(4, NVSOC_GPU_CE_LAUNCH_DMA,
              {2 /* non-pipelined */ | NVSOC_GPU_CE_LAUNCH_SRC_PITCH |
               NVSOC_GPU_CE_LAUNCH_DST_PITCH | NVSOC_GPU_CE_LAUNCH_SRC_PHYSICAL |
               NVSOC_GPU_CE_LAUNCH_DST_PHYSICAL});
    pb.release16(sema + 16, 2);
    uint8_t* v = g.vram().data();
    std::memset(v + sema, 0, 32);
    std::memcpy(v + pushbuf, pb.words.data(), 4 * pb.words.size());
    uint32_t entry[2] = {static_cast<uint32_t>(pushbuf), static_cast<uint32_t>(pb.words.size())
                                                             << NVSOC_GPU_GP_ENTRY1_LENGTH_SHIFT};
    std::memcpy(v + ring, entry, 8);
    wr(g, NVSOC_GPU_USERD(ch) + NVSOC_GPU_USERD_GP_PUT, 1);
    uint64_t doorbell = sc_core::sc_time_stamp().value();
    if (cpu) {
        cpu->delay = sc_core::SC_ZERO_TIME;
        cpu->write32(doorbell_at + NVSOC_GPU_USERMODE + NVSOC_GPU_USERMODE_DOORBELL, ch);
        cpu->delay = sc_core::SC_ZERO_TIME;
    } else {
        wr(g, NVSOC_GPU_USERMODE + NVSOC_GPU_USERMODE_DOORBELL, ch);
    }
    auto done = [&] {
        uint32_t d = 0;
        std::memcpy(&d, v + sema + 16, 4);
        return d == 2;
    };
    for (int i = 0; i < 100'000 && !done(); ++i)
        run_for(10'000'000); // 10 us
    Timed t;
    if (!done()) return t;
    std::memcpy(&t.t0, v + sema + 8, 8);
    std::memcpy(&t.t1, v + sema + 24, 8);
    t.doorbell = doorbell;
    run_for(10'000'000); // the links drain before the next workload
    return t;
}

// One byte a page of a pattern that depends on the page and on `seed`.
void fill(uint8_t* p, uint64_t bytes, unsigned seed) {
    for (uint64_t i = 0; i < bytes; i += 4096)
        p[i] = static_cast<uint8_t>((i >> 12) * 7 + seed);
}
bool check(const uint8_t* p, uint64_t bytes, unsigned seed) {
    for (uint64_t i = 0; i < bytes; i += 4096)
        if (p[i] != static_cast<uint8_t>((i >> 12) * 7 + seed)) return false;
    return true;
}

// --- Expected values (docs/performance.md, "Three topologies") -----------------------------

// PCIe Gen5 x16, 256-byte TLPs with a 3DW header (addresses below 4 GiB)
// and 8 bytes of framing: bytes/s of payload, and one TLP's time in s.
double pcie_rate() {
    return kPcieGts * kPcieEnc * kPcieLanes / 8;
}
double pcie_payload_bw() {
    return pcie_rate() * kMps / (kMps + 12 + 8);
}
double pcie_tlp(double tlp_bytes) {
    return (tlp_bytes + 8) / pcie_rate();
}
// NVLink 4: lanes x lane rate / 8 bytes/s per link per direction; a
// 256-byte write is 18 flits of 16 bytes, a read response 17.
double nvl_link_rate(unsigned lanes) {
    return nvlink::generation_info(kNvlGen).lane_gbps * 1e9 * lanes / 8;
}
double nvl_flits(unsigned n, unsigned lanes) {
    return n * 16 / nvl_link_rate(lanes);
}
// C2C: links x bandwidth per direction; 64-byte lines with a 16-byte header.
double c2c_rate() {
    return kC2cLinks * kC2cLinkBw;
}
double c2c_data_bw() {
    return c2c_rate() * 64 / 80;
}

struct Row {
    std::string workload, unit;
    double measured, expected;
    std::string formula;
};

bool report(Topo t, const std::vector<Row>& rows) {
    bool ok = true;
    for (const Row& r : rows) {
        double off = r.expected ? r.measured / r.expected - 1 : 1;
        bool within = std::isfinite(off) && std::fabs(off) <= 0.03;
        ok = ok && within;
        std::printf("%-7s %-26s %10.3f %-5s expected %10.3f  (%+6.2f %%)  %s%s\n", name(t),
                    r.workload.c_str(), r.measured, r.unit.c_str(), r.expected, 100 * off,
                    r.formula.c_str(), within ? "" : "  <-- off");
    }
    std::fflush(stdout);
    return ok;
}

// --- Bring-up -------------------------------------------------------------------------------

// A type 1 function's bus numbers, memory window, and Memory Space and Bus
// Master Enable, as enumeration leaves them.
void bridge_fn(pcie::ConfigSpace& cs, unsigned pri, unsigned sec, unsigned sub, uint64_t base,
               uint64_t limit) {
    cs.write(0x18, pri | sec << 8 | sub << 16, 4);
    cs.write(pcie::cfg::kMemoryBase,
             static_cast<uint32_t>((base >> 16 & 0xfff0) | (limit >> 16 & 0xfff0) << 16), 4);
    cs.write(pcie::cfg::kCommand, 0x6, 2);
}
// MPS 256, MRRS 512 in Device Control.
void payload_sizes(pcie::ConfigSpace& cs) {
    if (unsigned pc = cs.pcie_offset()) {
        uint32_t dc = cs.u16(pc + pcie::pcie_cap::kDeviceControl);
        dc &= ~(pcie::pcie_cap::devctl::kMaxPayloadMask |
                pcie::pcie_cap::devctl::kMaxReadRequestMask);
        dc |= 1u << pcie::pcie_cap::devctl::kMaxPayloadShift |
              2u << pcie::pcie_cap::devctl::kMaxReadRequestShift;
        cs.write(pc + pcie::pcie_cap::kDeviceControl, dc, 2);
    }
}
void gpu_bars(Gpu& g, unsigned i) {
    pcie::ConfigSpace& cs = g.config_space();
    cs.write(pcie::cfg::kBar0, static_cast<uint32_t>(kBar0[i]), 4);
    cs.write(pcie::cfg::kBar0 + 4, static_cast<uint32_t>(kBar1[i]), 4);
    cs.write(pcie::cfg::kBar0 + 8, static_cast<uint32_t>(kBar1[i] >> 32), 4);
    cs.write(pcie::cfg::kCommand, 0x6, 2);
    payload_sizes(cs);
}

bool links_hs(Gpu& g) {
    for (unsigned l = 0; l < kNvlLinks; ++l)
        if ((rd(g, NVSOC_GPU_NVL(l, NVSOC_NVL_STATUS)) & NVSOC_NVL_STATUS_STATE_MASK) !=
            NVSOC_NVL_STATE_HS)
            return false;
    return true;
}

// --- One topology --------------------------------------------------------------------------

bool run(Topo topo, uint32_t bytes) {
    Platform p("platform",
               build_platform_config(parse_config_text(soc_yaml(topo), "bench.yaml"), "bench.yaml"),
               nullptr);
    Gpu& g0 = dynamic_cast<Gpu&>(*p.model("gpu0"));
    Gpu& g1 = dynamic_cast<Gpu&>(*p.model("gpu1"));
    test::TlmInitiator cpu("cpu");
    cpu.socket.bind(p.router().target);
    p.hart(0).halt(); // no program: the bench is the driver
    sc_core::sc_start(sc_core::SC_ZERO_TIME);

    // PCIe trains (Gen5 x16 is up at about 18 ms), NVLink trains by ALI.
    for (int i = 0; i < 100 && !(links_hs(g0) && links_hs(g1)); ++i)
        run_for(1 * kMs);
    run_for(30 * kMs);
    if (!links_hs(g0) || !links_hs(g1)) {
        std::printf("%s: the NVLink links did not train\n", name(topo));
        return false;
    }
    // The trained width of gpu0's links (NVLink 4: 2 lanes).
    unsigned lanes =
        (rd(g0, NVSOC_GPU_NVL(0, NVSOC_NVL_STATUS)) >> NVSOC_NVL_STATUS_LANES_SHIFT) & 0xf;
    uint64_t cpu_vram = 0; // gpu0's VRAM at kCpuOffset, as the CPU addresses it
    uint64_t regs0 = 0;    // gpu0's registers, as the CPU addresses them
    uint64_t peer_c2c = 0; // gpu1's VRAM at kPeerDst, as the fabric addresses it
    pcie::ConfigSpace* rp0 =
        topo == Topo::Fabric ? nullptr : dynamic_cast<PcieNode&>(*p.model("rp0")).functions()[0];
    switch (topo) {
    case Topo::Direct: {
        auto& rp1 = *dynamic_cast<PcieNode&>(*p.model("rp1")).functions()[0];
        bridge_fn(*rp0, 0, 1, 1, kBar0[0], kBar0[1] - 1);
        bridge_fn(rp1, 0, 2, 2, kBar0[1], kBar1[1] + (64u << 20) - 1);
        payload_sizes(*rp0);
        payload_sizes(rp1);
        break;
    }
    case Topo::Bridge: {
        auto& br = dynamic_cast<NvlinkPcieBridge&>(*p.model("br0"));
        uint64_t end = kBar1[1] + (64u << 20) - 1;
        bridge_fn(*rp0, 0, 1, 6, kBar0[0], end);
        bridge_fn(br.config_space(), 1, 2, 6, kBar0[0], end);
        br.mgmt_config_space().write(pcie::cfg::kCommand, 0x6, 2);
        payload_sizes(*rp0);
        payload_sizes(br.config_space());
        for (unsigned v = 0; v < br.vdsp_count(); ++v) {
            uint64_t lo = v == 0 ? kBar0[0] : v == 2 ? kBar0[1] : 0xfff00000;
            uint64_t hi = v == 0 ? kBar0[1] - 1 : v == 2 ? end : 0;
            bridge_fn(br.vdsp(v).config_space(), 2, 3 + v, 3 + v, lo, hi);
            payload_sizes(br.vdsp(v).config_space());
        }
        break;
    }
    case Topo::Fabric: {
        auto& fab = dynamic_cast<NvlinkFabricNode&>(*p.model("fab0"));
        cpu_vram = kFabBase + fab.vram_offset(0) + kCpuOffset;
        regs0 = kFabBase + fab.regs_offset(0);
        peer_c2c = kFabBase + fab.vram_offset(1) + kPeerDst;
        break;
    }
    }
    if (topo != Topo::Fabric) {
        // The formulas take Gen5 x16 from the YAML: the root ports' links
        // must have trained to it.
        std::vector<pcie::ConfigSpace*> ports = {rp0};
        if (topo == Topo::Direct)
            ports.push_back(dynamic_cast<PcieNode&>(*p.model("rp1")).functions()[0]);
        for (pcie::ConfigSpace* cs : ports) {
            uint16_t ls = cs->u16(cs->pcie_offset() + pcie::pcie_cap::kLinkStatus);
            if ((ls & 0xf) != kPcieGen || (ls >> 4 & 0x3f) != kPcieLanes) {
                std::printf("%s: a root port's link is Gen%u x%u, not Gen%u x%u\n", name(topo),
                            ls & 0xf, ls >> 4 & 0x3f, kPcieGen, kPcieLanes);
                return false;
            }
        }
        gpu_bars(g0, 0);
        gpu_bars(g1, 1);
        cpu_vram = kBar1[0] + kCpuOffset;
        regs0 = kBar0[0];
    }

    std::vector<Row> rows;
    bool data_ok = true;
    constexpr uint32_t vram = NVSOC_GPU_APERTURE_VRAM, sys = NVSOC_GPU_APERTURE_SYSMEM_COHERENT;
    uint8_t* v0 = g0.vram().data();
    uint8_t* v1 = g1.vram().data();
    std::vector<uint8_t> host(bytes);
    double mib = bytes / double(1u << 20);

    // Host to device.
    fill(host.data(), bytes, 1);
    p.write_memory(kSysSrc, host.data(), bytes);
    Timed h2d = copy(g0, 0, {sys, kSysSrc}, {vram, kVramBuf}, bytes);
    data_ok = data_ok && h2d.t1 && check(v0 + kVramBuf, bytes, 1);
    double nvl_r = kNvlLinks * nvl_link_rate(lanes) * 256 / 272,
           nvl_w = kNvlLinks * nvl_link_rate(lanes) * 256 / 288;
    double exp_h2d = topo == Topo::Direct   ? pcie_payload_bw()
                     : topo == Topo::Bridge ? std::min(pcie_payload_bw(), nvl_r)
                                            : c2c_data_bw();
    const char* f_h2d = topo == Topo::Direct ? "P" : topo == Topo::Bridge ? "min(P, N_r)" : "C";
    rows.push_back({fmt::format("H2D {:g} MiB", mib), "GB/s", bytes / h2d.seconds() / 1e9,
                    exp_h2d / 1e9, f_h2d});

    // Device to host.
    fill(v0 + kVramBuf, bytes, 2);
    Timed d2h = copy(g0, 1, {vram, kVramBuf}, {sys, kSysDst}, bytes);
    p.read_memory(kSysDst, host.data(), bytes);
    data_ok = data_ok && d2h.t1 && check(host.data(), bytes, 2);
    double exp_d2h = topo == Topo::Direct   ? pcie_payload_bw()
                     : topo == Topo::Bridge ? std::min(pcie_payload_bw(), nvl_w)
                                            : c2c_data_bw();
    const char* f_d2h = topo == Topo::Direct ? "P" : topo == Topo::Bridge ? "min(P, N_w)" : "C";
    rows.push_back({fmt::format("D2H {:g} MiB", mib), "GB/s", bytes / d2h.seconds() / 1e9,
                    exp_d2h / 1e9, f_d2h});

    // Peer: NVLink where linked, PCIe peer-to-peer inside the bridge.
    fill(v0 + kVramBuf, bytes, 3);
    uint32_t peer_mode = NVSOC_GPU_APERTURE_PEER | 0u << NVSOC_GPU_CE_PHYS_MODE_PEER_ID_SHIFT;
    if (topo == Topo::Bridge) {
        wr(g0, NVSOC_GPU_PEER(0, NVSOC_GPU_PEER_BASE_LO), static_cast<uint32_t>(kBar1[1]));
        wr(g0, NVSOC_GPU_PEER(0, NVSOC_GPU_PEER_BASE_HI), static_cast<uint32_t>(kBar1[1] >> 32));
        wr(g0, NVSOC_GPU_PEER(0, NVSOC_GPU_PEER_CTRL),
           NVSOC_GPU_PEER_CTRL_VALID | NVSOC_GPU_PEER_PATH_PCIE << NVSOC_GPU_PEER_CTRL_PATH_SHIFT);
    } else {
        wr(g0, NVSOC_GPU_PEER(0, NVSOC_GPU_PEER_TARGET), rd(g1, NVSOC_GPU_NVLINK_ID));
        wr(g0, NVSOC_GPU_PEER(0, NVSOC_GPU_PEER_CTRL),
           NVSOC_GPU_PEER_CTRL_VALID | NVSOC_GPU_PEER_PATH_NVLINK
                                           << NVSOC_GPU_PEER_CTRL_PATH_SHIFT);
    }
    Timed peer = copy(g0, 2, {vram, kVramBuf}, {peer_mode, kPeerDst}, bytes);
    data_ok = data_ok && peer.t1 && check(v1 + kPeerDst, bytes, 3);
    rows.push_back(
        {fmt::format("peer {:g} MiB ({})", mib, topo == Topo::Bridge ? "PCIe P2P" : "NVLink"),
         "GB/s", bytes / peer.seconds() / 1e9, nvl_w / 1e9, "N_w"});
    if (topo == Topo::Fabric) {
        // The same through the C2C links: gpu1's VRAM window, as system memory.
        fill(v0 + kVramBuf, bytes, 4);
        Timed c2c = copy(g0, 3, {vram, kVramBuf}, {sys, peer_c2c}, bytes);
        data_ok = data_ok && c2c.t1 && check(v1 + kPeerDst, bytes, 4);
        rows.push_back({fmt::format("peer {:g} MiB (C2C)", mib), "GB/s",
                        bytes / c2c.seconds() / 1e9, c2c_data_bw() / 1e9, "C"});
    }

    // A 4-byte copy from system memory into VRAM.
    Timed lat = copy(g0, 4, {sys, kSysSrc}, {vram, kVramBuf}, 4, &cpu, regs0);
    data_ok = data_ok && lat.t1;
    // Between the releases: the first's VRAM write (vram-latency), 11
    // methods to the launch, the 4-byte read's round trip, the VRAM write
    // (vram-latency), the second release's 3 methods before its timestamp.
    double t_fix = (2 * kVramLatency + 14 * kMethodTime) * 1e-12;
    double host_lat = kHostBridgeLatency * 1e-12;
    double rtt_pcie = pcie_tlp(12) + kRpReadLatency * 1e-12 + pcie_tlp(12 + 4);
    // An NVLink packet arrives its flits' time plus wire_latency after it
    // starts; the bridge waits rx_processing more for a read's last
    // response packet after the PCIe completion (the link's defaults).
    const nvlink::LinkTimes nvl_times;
    double wire = nvl_times.wire_latency * 1e-12, rx = nvl_times.rx_processing * 1e-12;
    double rtt = topo == Topo::Direct   ? rtt_pcie
                 : topo == Topo::Bridge ? nvl_flits(1, lanes) + wire + 2 * kBridgeLatency * 1e-12 +
                                              rtt_pcie + nvl_flits(2, lanes) + wire + rx
                                        : 2 * kC2cLatency * 1e-12 + (16.0 + 80) / c2c_rate();
    // From the CPU's doorbell store to the first release: the store's way
    // to the GPU (a posted write: the host bridge, then the TLP's end on
    // the link; through the bridge also its latency and a 3-flit write
    // packet; on the fabric a line down the C2C links), doorbell-latency,
    // the GP entry's and the pushbuffer's reads from VRAM (vram-latency
    // each), and SET_OBJECT and SEMAPHOREA-C.
    double t_db = topo == Topo::Direct   ? host_lat + pcie_tlp(12 + 4)
                  : topo == Topo::Bridge ? host_lat + pcie_tlp(12 + 4) + kBridgeLatency * 1e-12 +
                                               nvl_flits(3, lanes) + wire
                                         : kC2cLatency * 1e-12 + 80 / c2c_rate();
    double t_sub = (kDoorbellLatency + 2 * kVramLatency + 4 * kMethodTime) * 1e-12;
    rows.push_back({"4-byte H2D, doorbell to done", "ns", lat.t1 - lat.doorbell / 1e3,
                    (t_db + t_sub + t_fix + rtt) * 1e9, "t_db + t_sub + the next row's"});
    rows.push_back({"4-byte H2D, between releases", "ns", (lat.t1 - lat.t0) * 1.0,
                    (t_fix + rtt) * 1e9,
                    topo == Topo::Direct   ? "t_fix + RTT_pcie"
                    : topo == Topo::Bridge ? "t_fix + RTT_pcie + 2 lat_br + 3 flits + 2 wire + rx"
                                           : "t_fix + 2 lat_c2c + (16+80) B / C_raw"});

    // The CPU: 64 loads, then 64 stores, of 8 bytes, one after the other.
    auto cpu_mean = [&](bool write) {
        cpu.delay = sc_core::SC_ZERO_TIME;
        for (unsigned i = 0; i < kCpuAccesses; ++i) {
            uint64_t value = 0x0123456789abcdefull + i;
            if (write)
                cpu.write(cpu_vram + 8 * i, value, 8);
            else
                value = cpu.read(cpu_vram + 8 * i, 8);
            if (cpu.last_status != tlm::TLM_OK_RESPONSE) return -1.0;
        }
        double mean = cpu.delay.value() / 1e3 / kCpuAccesses;
        run_for(cpu.delay.value());
        cpu.delay = sc_core::SC_ZERO_TIME;
        return mean;
    };
    std::memset(v0 + kCpuOffset, 0x5a, 8 * kCpuAccesses);
    double load = cpu_mean(false);
    double store = cpu_mean(true);
    // Loads: the host bridge, the request down; BAR1 answers after
    // vram-latency; the 8-byte completion (3DW + 8) back. Stores are posted:
    // the requester waits only for the link to take them.
    double vlat = kVramLatency * 1e-12;
    double exp_load =
        topo == Topo::Direct
            ? host_lat + std::max(pcie_tlp(12) + kRpReadLatency * 1e-12, vlat) + pcie_tlp(12 + 8)
        : topo == Topo::Bridge ? host_lat + 2 * kBridgeLatency * 1e-12 + nvl_flits(1, lanes) +
                                     wire + vlat + nvl_flits(2, lanes) + wire + pcie_tlp(12 + 8)
                               : 2 * kC2cLatency * 1e-12 + (16.0 + 80) / c2c_rate();
    double exp_store = topo == Topo::Fabric ? kC2cLatency * 1e-12 + 80 / c2c_rate() : host_lat;
    rows.push_back({"CPU 8-byte load", "ns", load, exp_load * 1e9,
                    topo == Topo::Direct ? "host + max(TLP 12 + rd-lat, vram-lat) + TLP 20"
                    : topo == Topo::Bridge
                        ? "host + 2 lat_br + 3 flits + 2 wire + vram-lat + TLP 20"
                        : "2 lat_c2c + (16+80) B / C_raw"});
    rows.push_back({"CPU 8-byte store", "ns", store, exp_store * 1e9,
                    topo == Topo::Fabric ? "lat_c2c + 80 B / C_raw" : "host (posted)"});
    data_ok = data_ok && load > 0 && store > 0;
    uint64_t last = 0;
    std::memcpy(&last, v0 + kCpuOffset + 8 * (kCpuAccesses - 1), 8);
    data_ok = data_ok && last == 0x0123456789abcdefull + kCpuAccesses - 1;

    bool ok = report(topo, rows);
    if (!data_ok)
        std::printf("%s: a copy or a CPU access did not complete or moved wrong data\n",
                    name(topo));
    return ok && data_ok;
}

int run_in_child(Topo t, uint32_t bytes) {
    pid_t pid = fork();
    if (pid == 0) _exit(run(t, bytes) ? 0 : 1);
    int status = 0;
    waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}

} // namespace

int sc_main(int argc, char** argv) {
    uint32_t bytes = 64u << 20;
    std::vector<Topo> topos;
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        if (a == "--quick")
            bytes = 32u << 20;
        else if (a == "direct")
            topos.push_back(Topo::Direct);
        else if (a == "bridge")
            topos.push_back(Topo::Bridge);
        else if (a == "fabric")
            topos.push_back(Topo::Fabric);
        else {
            std::fprintf(stderr, "usage: %s [--quick] [direct|bridge|fabric ...]\n", argv[0]);
            return 2;
        }
    }
    if (topos.empty()) topos = {Topo::Direct, Topo::Bridge, Topo::Fabric};
    if (topos.size() == 1) return run(topos[0], bytes) ? 0 : 1;
    int failures = 0;
    for (Topo t : topos)
        failures += run_in_child(t, bytes);
    return failures ? 1 : 0;
}

int main(int argc, char** argv) {
    setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 1);
    return sc_core::sc_elab_and_sim(argc, argv);
}
