// NVLink peer-copy bandwidth in simulated time (docs/performance.md, "NVLink
// peer bandwidth"): two GPUs joined by N links of generation G; GPU 0's copy
// engine copies from its VRAM into GPU 1's (the PEER target over the peer
// table) through a channel whose ring, pushbuffer and semaphores live in
// GPU 0's VRAM, bracketed by two 16-byte semaphore releases whose device
// timestamps give the copy's time. Generations 1-3 are trained the way a
// driver trains them, command by command on both ends; 4 and 5 by ALI.
//
// The expectation is what the flits imply: each link carries 256 bytes of a
// write in 18 flits of 16 bytes at lanes x lane rate / 8 (docs/nvlink.md),
// and the bytes are spread evenly over the links. The copy engines and VRAM
// are set far faster than the links so that only the links limit.
//
//   nvsoc_bench_nvlink                 the matrix: generations 1-5 x 1, 2 and all links
//   nvsoc_bench_nvlink --quick         generation 4 over 2 links (the ctest)
//   nvsoc_bench_nvlink GEN LINKS       one case
// Each case runs in its own process (a SystemC simulation runs once per
// process). Exit status 1 when a case is off by more than 3 %.
#include "models/gpu/gpu.h"
#include "models/gpu/nvsoc_gpu_hw.h"
#include "models/nvlink/link.h"
#include "models/nvlink/nvlink_port_hw.h"
#include "platforms/platform.h"

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

constexpr uint64_t kMs = 1'000'000'000;
// GPU 0's VRAM: the ring, the pushbuffer, the semaphores, the source; GPU
// 1's: the destination.
constexpr uint64_t kRing = 0x0, kPushbuf = 0x10000, kSema = 0x20000, kSrc = 1u << 24,
                   kDst = 1u << 24;
constexpr uint32_t kBytes = 64u << 20;
constexpr unsigned kAllLinks[6] = {0, 4, 6, 12, 18, 18}; // per GPU, hardware-facts section 5

std::string platform_yaml(unsigned gen, unsigned links) {
    std::string y = fmt::format(R"(
harts: {{count: 1}}
memory:
  dram: {{base: 0x80000000, size: 64MiB}}
devices:
  plic: {{type: plic, base: 0xc000000, size: 0x400000}}
  pcie: {{type: pcie-host, base: 0x30000000, size: 16MiB, irq: [32, 33, 34, 35]}}
  rp0:  {{type: pcie-root-port, bus: pcie, device: 1}}
  rp1:  {{type: pcie-root-port, bus: pcie, device: 2}}
  gpu0: {{type: gpu, bus: rp0, nvlink-ports: {0}, nvlink-gen: {1}, ce-rate: 100TB/s, vram-bandwidth: 100TB/s}}
  gpu1: {{type: gpu, bus: rp1, nvlink-ports: {0}, nvlink-gen: {1}, ce-rate: 100TB/s, vram-bandwidth: 100TB/s}}
links:
)",
                                links, gen);
    for (unsigned l = 0; l < links; ++l)
        y += fmt::format("  l{0}: {{ends: [gpu0.nvl{0}, gpu1.nvl{0}]}}\n", l);
    return y;
}

uint32_t rd(Gpu& g, unsigned off) {
    uint32_t v = 0;
    g.bar0().read(off, reinterpret_cast<uint8_t*>(&v), 4);
    return v;
}
void wr(Gpu& g, unsigned off, uint32_t v) {
    g.bar0().write(off, reinterpret_cast<const uint8_t*>(&v), 4);
}
void run_for(uint64_t ps) {
    sc_core::sc_start(sc_core::sc_time::from_value(ps));
}

bool all_hs(Gpu& g, unsigned links) {
    for (unsigned l = 0; l < links; ++l)
        if ((rd(g, NVSOC_GPU_NVL(l, NVSOC_NVL_STATUS)) & NVSOC_NVL_STATUS_STATE_MASK) !=
            NVSOC_NVL_STATE_HS)
            return false;
    return true;
}

// Trains every link: by ALI (4, 5), or command by command on both ends.
bool train(Gpu& g0, Gpu& g1, unsigned gen, unsigned links) {
    if (gen < 4) {
        std::vector<unsigned> steps = {NVSOC_NVL_CMD_RXDET, NVSOC_NVL_CMD_SAFE};
        if (gen >= 3) {
            steps.insert(steps.begin(), NVSOC_NVL_CMD_INITPHASE1);
            steps.insert(steps.end(), {NVSOC_NVL_CMD_INITNEGOTIATE, NVSOC_NVL_CMD_INITOPTIMIZE,
                                       NVSOC_NVL_CMD_INITTL});
        }
        steps.push_back(NVSOC_NVL_CMD_HS);
        for (unsigned cmd : steps) {
            for (Gpu* g : {&g0, &g1})
                for (unsigned l = 0; l < links; ++l)
                    wr(*g, NVSOC_GPU_NVL(l, NVSOC_NVL_CMD), cmd);
            for (int i = 0; i < 1000; ++i) {
                bool done = true;
                for (unsigned l = 0; l < links; ++l)
                    done = done && rd(g0, NVSOC_GPU_NVL(l, NVSOC_NVL_CMD_STATUS)) ==
                                       NVSOC_NVL_CMD_STATUS_DONE;
                if (done) break;
                run_for(100'000'000); // 100 us
            }
        }
    }
    for (int i = 0; i < 200 && !all_hs(g0, links); ++i)
        run_for(1 * kMs);
    return all_hs(g0, links);
}

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

// One case, in this process: prints a line; returns whether it is within 3 %.
bool run_case(unsigned gen, unsigned links) {
    Platform p("platform",
               build_platform_config(parse_config_text(platform_yaml(gen, links), "bench.yaml"),
                                     "bench.yaml"),
               nullptr);
    Gpu& g0 = dynamic_cast<Gpu&>(*p.model("gpu0"));
    Gpu& g1 = dynamic_cast<Gpu&>(*p.model("gpu1"));
    p.hart(0).halt(); // no program: only the GPUs run
    sc_core::sc_start(sc_core::SC_ZERO_TIME);
    if (!train(g0, g1, gen, links)) {
        std::printf("gen %u x%u links: the links did not train\n", gen, links);
        return false;
    }
    unsigned lanes =
        (rd(g0, NVSOC_GPU_NVL(0, NVSOC_NVL_STATUS)) >> NVSOC_NVL_STATUS_LANES_SHIFT) & 0xf;
    // Peer 0 is GPU 1 over NVLink.
    wr(g0, NVSOC_GPU_PEER(0, NVSOC_GPU_PEER_TARGET), rd(g1, NVSOC_GPU_NVLINK_ID));
    wr(g0, NVSOC_GPU_PEER(0, NVSOC_GPU_PEER_CTRL),
       NVSOC_GPU_PEER_CTRL_VALID | NVSOC_GPU_PEER_PATH_NVLINK << NVSOC_GPU_PEER_CTRL_PATH_SHIFT);
    // Channel 0 on copy engine 0, everything in GPU 0's VRAM.
    constexpr uint32_t vram = NVSOC_GPU_APERTURE_VRAM;
    wr(g0, NVSOC_GPU_CH(0, NVSOC_GPU_CH_GPFIFO_LO), kRing);
    wr(g0, NVSOC_GPU_CH(0, NVSOC_GPU_CH_GPFIFO_HI), 0);
    wr(g0, NVSOC_GPU_CH(0, NVSOC_GPU_CH_GPFIFO_LOG2), 4);
    wr(g0, NVSOC_GPU_CH(0, NVSOC_GPU_CH_APERTURE),
       vram << NVSOC_GPU_CH_APERTURE_GPFIFO_SHIFT | vram << NVSOC_GPU_CH_APERTURE_PB_SHIFT |
           vram << NVSOC_GPU_CH_APERTURE_SEM_SHIFT);
    wr(g0, NVSOC_GPU_CH(0, NVSOC_GPU_CH_ENGINE), 0);
    wr(g0, NVSOC_GPU_CH(0, NVSOC_GPU_CH_CTRL), NVSOC_GPU_CH_CTRL_ENABLE);
    uint8_t* v0 = g0.vram().data();
    for (uint64_t i = 0; i < kBytes; i += 4096)
        v0[kSrc + i] = static_cast<uint8_t>(i >> 12);
    Pushbuffer pb;
    pb.method(4, NVSOC_GPU_SET_OBJECT, {NVSOC_GPU_COPY_CLASS});
    pb.release16(kSema, 1);
    pb.method(4, NVSOC_GPU_CE_SET_SRC_PHYS_MODE, {vram});
    pb.method(4, NVSOC_GPU_CE_SET_DST_PHYS_MODE,
              {NVSOC_GPU_APERTURE_PEER | 0u << NVSOC_GPU_CE_PHYS_MODE_PEER_ID_SHIFT});
    pb.method(4, NVSOC_GPU_CE_OFFSET_IN_UPPER,
              {static_cast<uint32_t>(kSrc >> 32), static_cast<uint32_t>(kSrc),
               static_cast<uint32_t>(kDst >> 32), static_cast<uint32_t>(kDst), 0, 0, kBytes, 1});
    pb.method(4, NVSOC_GPU_CE_LAUNCH_DMA,
              {2 /* non-pipelined */ | NVSOC_GPU_CE_LAUNCH_SRC_PITCH |
               NVSOC_GPU_CE_LAUNCH_DST_PITCH | NVSOC_GPU_CE_LAUNCH_SRC_PHYSICAL |
               NVSOC_GPU_CE_LAUNCH_DST_PHYSICAL});
    pb.release16(kSema + 16, 2);
    std::memcpy(v0 + kPushbuf, pb.words.data(), 4 * pb.words.size());
    uint32_t entry[2] = {static_cast<uint32_t>(kPushbuf), static_cast<uint32_t>(pb.words.size())
                                                              << NVSOC_GPU_GP_ENTRY1_LENGTH_SHIFT};
    std::memcpy(v0 + kRing, entry, 8);
    wr(g0, NVSOC_GPU_USERD(0) + NVSOC_GPU_USERD_GP_PUT, 1);
    wr(g0, NVSOC_GPU_USERMODE + NVSOC_GPU_USERMODE_DOORBELL, 0);
    uint32_t done = 0;
    for (int i = 0; i < 100'000 && done != 2; ++i) {
        run_for(100'000'000); // 100 us
        std::memcpy(&done, v0 + kSema + 16, 4);
    }
    uint64_t t0 = 0, t1 = 0;
    std::memcpy(&t0, v0 + kSema + 8, 8);
    std::memcpy(&t1, v0 + kSema + 24, 8);
    bool copied = done == 2 && g1.vram().data()[kDst + kBytes - 4096] ==
                                   static_cast<uint8_t>((kBytes - 4096) >> 12);
    double gbps = copied ? kBytes / static_cast<double>(t1 - t0) : 0; // bytes/ns = GB/s
    double expected = links * nvlink::generation_info(gen).lane_gbps * lanes / 8 * 256 / 288;
    double off = gbps / expected - 1;
    bool ok = copied && std::fabs(off) <= 0.03;
    std::printf("gen %u x%-2u links (%u lanes): %8.3f GB/s, flits imply %8.3f GB/s (%+.2f %%)%s\n",
                gen, links, lanes, gbps, expected, 100 * off, ok ? "" : "  <-- off");
    std::fflush(stdout);
    return ok;
}

int run_in_child(unsigned gen, unsigned links) {
    pid_t pid = fork();
    if (pid == 0) _exit(run_case(gen, links) ? 0 : 1);
    int status = 0;
    waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}

} // namespace

int sc_main(int argc, char** argv) {
    if (argc == 3) return run_case(std::stoul(argv[1]), std::stoul(argv[2])) ? 0 : 1;
    int failures = 0;
    if (argc == 2 && std::string(argv[1]) == "--quick") return run_in_child(4, 2);
    for (unsigned gen = 1; gen <= 5; ++gen)
        for (unsigned links : {1u, 2u, kAllLinks[gen]})
            failures += run_in_child(gen, links);
    return failures ? 1 : 0;
}

int main(int argc, char** argv) {
    setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 1);
    return sc_core::sc_elab_and_sim(argc, argv);
}
