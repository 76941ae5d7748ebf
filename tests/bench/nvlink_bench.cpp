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
// Switch contention: GPUs A and B each copy into GPU C through one NVSwitch
// (generation 4, ALI), each with N links to it, C with N; the bench writes
// the switch's route to C (N ports: a single port or a ganged group) into
// its BAR0 itself. A alone, B alone, then both at once: the egress link(s)
// to C set the pace, so alone a sender gets N links' write rate, and two
// share it, half each.
//
//   nvsoc_bench_nvlink                 the matrix: generations 1-5 x 1, 2 and all links
//   nvsoc_bench_nvlink --quick         generation 4 over 2 links, and both switch cases (the ctest)
//   nvsoc_bench_nvlink GEN LINKS       one case
//   nvsoc_bench_nvlink --switch [N]    switch contention, N = 1 and 2 or only N
// Each case runs in its own process (a SystemC simulation runs once per
// process). Exit status 1 when a case is off by more than 3 % (for two
// senders: either's rate, or the two from each other).
#include "models/gpu/gpu.h"
#include "models/gpu/nvsoc_gpu_hw.h"
#include "models/nvlink/link.h"
#include "models/nvlink/nvlink_port_hw.h"
#include "models/nvlink/nvswitch.h"
#include "platforms/platform.h"
#include "support/gpu_bar0.h"
#include "support/soc_yaml.h"

#include <array>
#include <bit>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fmt/format.h>
#include <string>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

using namespace nvsoc;
using nvsoc::test::pcie_soc_yaml;

namespace {

constexpr uint64_t kMs = 1'000'000'000;
// GPU 0's VRAM: the ring, the pushbuffer, the semaphores, the source; GPU
// 1's: the destination.
constexpr uint64_t kRing = 0x0, kPushbuf = 0x10000, kSema = 0x20000, kSrc = 1u << 24,
                   kDst = 1u << 24;
constexpr uint32_t kBytes = 64u << 20;
constexpr unsigned kAllLinks[6] = {0, 4, 6, 12, 18, 18}; // per GPU, hardware-facts section 5

std::string platform_yaml(unsigned gen, unsigned links) {
    std::string y =
        pcie_soc_yaml(2) +
        fmt::format(
            R"(  gpu0: {{type: gpu, bus: rp0, nvlink-ports: {0}, nvlink-gen: {1}, ce-rate: 100TB/s, vram-bandwidth: 100TB/s}}
  gpu1: {{type: gpu, bus: rp1, nvlink-ports: {0}, nvlink-gen: {1}, ce-rate: 100TB/s, vram-bandwidth: 100TB/s}}
links:
)",
            links, gen);
    for (unsigned l = 0; l < links; ++l)
        y += fmt::format("  l{0}: {{ends: [gpu0.nvl{0}, gpu1.nvl{0}]}}\n", l);
    return y;
}

using test::rd;
using test::run_for;
using test::wr;

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

// Starts `bytes` from `g`'s VRAM at kSrc to offset `dst` of the VRAM of
// the GPU with NVLink ID `target` by copy engine 0 (peer 0), on channel 0
// whose ring, pushbuffer and semaphores are in `g`'s VRAM, bracketed by two
// timestamped semaphore releases.
void launch_copy(Gpu& g, uint32_t target, uint64_t dst, uint32_t bytes) {
    wr(g, NVSOC_GPU_PEER(0, NVSOC_GPU_PEER_TARGET), target);
    wr(g, NVSOC_GPU_PEER(0, NVSOC_GPU_PEER_CTRL),
       NVSOC_GPU_PEER_CTRL_VALID | NVSOC_GPU_PEER_PATH_NVLINK << NVSOC_GPU_PEER_CTRL_PATH_SHIFT);
    constexpr uint32_t vram = NVSOC_GPU_APERTURE_VRAM;
    wr(g, NVSOC_GPU_CH(0, NVSOC_GPU_CH_GPFIFO_LO), kRing);
    wr(g, NVSOC_GPU_CH(0, NVSOC_GPU_CH_GPFIFO_HI), 0);
    wr(g, NVSOC_GPU_CH(0, NVSOC_GPU_CH_GPFIFO_LOG2), 4);
    wr(g, NVSOC_GPU_CH(0, NVSOC_GPU_CH_APERTURE),
       vram << NVSOC_GPU_CH_APERTURE_GPFIFO_SHIFT | vram << NVSOC_GPU_CH_APERTURE_PB_SHIFT |
           vram << NVSOC_GPU_CH_APERTURE_SEM_SHIFT);
    wr(g, NVSOC_GPU_CH(0, NVSOC_GPU_CH_ENGINE), 0);
    wr(g, NVSOC_GPU_CH(0, NVSOC_GPU_CH_CTRL), NVSOC_GPU_CH_CTRL_ENABLE);
    uint8_t* v = g.vram().data();
    for (uint64_t i = 0; i < bytes; i += 4096)
        v[kSrc + i] = static_cast<uint8_t>(i >> 12);
    Pushbuffer pb;
    pb.method(4, NVSOC_GPU_SET_OBJECT, {NVSOC_GPU_COPY_CLASS});
    pb.release16(kSema, 1);
    pb.method(4, NVSOC_GPU_CE_SET_SRC_PHYS_MODE, {vram});
    pb.method(4, NVSOC_GPU_CE_SET_DST_PHYS_MODE,
              {NVSOC_GPU_APERTURE_PEER | 0u << NVSOC_GPU_CE_PHYS_MODE_PEER_ID_SHIFT});
    pb.method(4, NVSOC_GPU_CE_OFFSET_IN_UPPER,
              {static_cast<uint32_t>(kSrc >> 32), static_cast<uint32_t>(kSrc),
               static_cast<uint32_t>(dst >> 32), static_cast<uint32_t>(dst), 0, 0, bytes, 1});
    pb.method(4, NVSOC_GPU_CE_LAUNCH_DMA,
              {2 /* non-pipelined */ | NVSOC_GPU_CE_LAUNCH_SRC_PITCH |
               NVSOC_GPU_CE_LAUNCH_DST_PITCH | NVSOC_GPU_CE_LAUNCH_SRC_PHYSICAL |
               NVSOC_GPU_CE_LAUNCH_DST_PHYSICAL});
    pb.release16(kSema + 16, 2);
    std::memcpy(v + kPushbuf, pb.words.data(), 4 * pb.words.size());
    uint32_t entry[2] = {static_cast<uint32_t>(kPushbuf), static_cast<uint32_t>(pb.words.size())
                                                              << NVSOC_GPU_GP_ENTRY1_LENGTH_SHIFT};
    std::memcpy(v + kRing, entry, 8);
    wr(g, NVSOC_GPU_USERD(0) + NVSOC_GPU_USERD_GP_PUT, 1);
    wr(g, NVSOC_GPU_USERMODE + NVSOC_GPU_USERMODE_DOORBELL, 0);
}

bool copy_done(Gpu& g) {
    uint32_t done = 0;
    std::memcpy(&done, g.vram().data() + kSema + 16, 4);
    return done == 2;
}

// The copy's rate between its two semaphore timestamps: bytes/ns = GB/s.
double copy_gbps(Gpu& g, uint32_t bytes) {
    uint64_t t0 = 0, t1 = 0;
    std::memcpy(&t0, g.vram().data() + kSema + 8, 8);
    std::memcpy(&t1, g.vram().data() + kSema + 24, 8);
    return t1 > t0 ? bytes / static_cast<double>(t1 - t0) : 0;
}

// Whether `dst` of `g`'s VRAM holds what launch_copy wrote (one byte a page).
bool copied(Gpu& g, uint64_t dst, uint32_t bytes) {
    for (uint64_t i = 0; i < bytes; i += 4096)
        if (g.vram().data()[dst + i] != static_cast<uint8_t>(i >> 12)) return false;
    return true;
}

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
    launch_copy(g0, rd(g1, NVSOC_GPU_NVLINK_ID), kDst, kBytes);
    for (int i = 0; i < 100'000 && !copy_done(g0); ++i)
        run_for(100'000'000); // 100 us
    bool ok_copy = copy_done(g0) && copied(g1, kDst, kBytes);
    double gbps = ok_copy ? copy_gbps(g0, kBytes) : 0;
    double expected = links * nvlink::generation_info(gen).lane_gbps * lanes / 8 * 256 / 288;
    double off = gbps / expected - 1;
    bool ok = ok_copy && std::fabs(off) <= 0.03;
    std::printf("gen %u x%-2u links (%u lanes): %8.3f GB/s, flits imply %8.3f GB/s (%+.2f %%)%s\n",
                gen, links, lanes, gbps, expected, 100 * off, ok ? "" : "  <-- off");
    std::fflush(stdout);
    return ok;
}

// --- Switch contention ------------------------------------------------------------

constexpr uint32_t kSwitchBytes = 16u << 20;

// GPUs A, B and C (gpu0-2), each with `n` generation-4 links to a 64-port
// switch: gpu<i>.nvl<l> to sw.nvl<i x n + l>. No `routes`: the bench
// writes the table.
std::string switch_yaml(unsigned n) {
    std::string y = pcie_soc_yaml(4);
    for (unsigned i = 0; i < 3; ++i)
        y += fmt::format("  gpu{0}: {{type: gpu, bus: rp{0}, nvlink-ports: {1}, nvlink-gen: 4, "
                         "ce-rate: 100TB/s, vram-bandwidth: 100TB/s}}\n",
                         i, n);
    y += "  sw: {type: nvswitch, bus: rp3, nvlink-gen: 4}\nlinks:\n";
    for (unsigned i = 0; i < 3; ++i)
        for (unsigned l = 0; l < n; ++l)
            y += fmt::format("  l{0}{1}: {{ends: [gpu{0}.nvl{1}, sw.nvl{2}]}}\n", i, l, i * n + l);
    return y;
}

// `senders`: bit 0 A, bit 1 B. Prints a line per sender (and their ratio
// when both run); returns whether every figure is within 3 %.
bool run_switch_case(unsigned n, unsigned senders) {
    Platform p("platform",
               build_platform_config(parse_config_text(switch_yaml(n), "bench.yaml"), "bench.yaml"),
               nullptr);
    std::array<Gpu*, 3> g{};
    for (unsigned i = 0; i < 3; ++i)
        g[i] = &dynamic_cast<Gpu&>(*p.model(fmt::format("gpu{}", i)));
    NvSwitch& sw = dynamic_cast<NvSwitch&>(*p.model("sw"));
    p.hart(0).halt();
    sc_core::sc_start(sc_core::SC_ZERO_TIME);
    for (int i = 0; i < 200 && !(all_hs(*g[0], n) && all_hs(*g[1], n) && all_hs(*g[2], n)); ++i)
        run_for(1 * kMs); // ALI
    if (!(all_hs(*g[0], n) && all_hs(*g[1], n) && all_hs(*g[2], n))) {
        std::printf("switch x%u: the links did not train\n", n);
        return false;
    }
    // Every ingress port's route to each GPU: its n ports, a single port
    // or a ganged group. The writes only need C's; the others make the
    // table whole.
    for (unsigned dest = 0; dest < 3; ++dest) {
        uint32_t id = rd(*g[dest], NVSOC_GPU_NVLINK_ID);
        uint32_t mask = ((1u << n) - 1) << (dest * n);
        for (unsigned in = 0; in < 3 * n; ++in) {
            if (in / n == dest) continue; // a GPU's own ports never route to it
            uint32_t v = mask;
            sw.bar0().write(NVSOC_NVSW_ROUTE_LO(in, id), reinterpret_cast<const uint8_t*>(&v), 4);
        }
    }
    unsigned lanes =
        (rd(*g[0], NVSOC_GPU_NVL(0, NVSOC_NVL_STATUS)) >> NVSOC_NVL_STATUS_LANES_SHIFT) & 0xf;
    uint32_t c_id = rd(*g[2], NVSOC_GPU_NVLINK_ID);
    // Both are launched at the same simulated time, into separate halves
    // of C's VRAM.
    for (unsigned s = 0; s < 2; ++s)
        if (senders >> s & 1) launch_copy(*g[s], c_id, kDst + s * kSwitchBytes, kSwitchBytes);
    auto all_done = [&] {
        for (unsigned s = 0; s < 2; ++s)
            if ((senders >> s & 1) && !copy_done(*g[s])) return false;
        return true;
    };
    for (int i = 0; i < 100'000 && !all_done(); ++i)
        run_for(100'000'000); // 100 us
    // The egress to C: n links' write rate (18 flits per 256 bytes),
    // shared by the senders.
    unsigned count = std::popcount(senders);
    double link = nvlink::generation_info(4).lane_gbps * lanes / 8 * 256 / 288;
    double expected = n * link / count;
    bool ok = true;
    std::array<double, 2> gbps{};
    std::string route = fmt::format("{} port{} x{} lanes", n, n == 1 ? " " : "s", lanes);
    for (unsigned s = 0; s < 2; ++s) {
        if (!(senders >> s & 1)) continue;
        bool good = copy_done(*g[s]) && copied(*g[2], kDst + s * kSwitchBytes, kSwitchBytes);
        gbps[s] = good ? copy_gbps(*g[s], kSwitchBytes) : 0;
        double off = gbps[s] / expected - 1;
        bool within = good && std::fabs(off) <= 0.03;
        ok = ok && within;
        std::printf("switch, C by %s, %s: %c %8.3f GB/s, expected %8.3f GB/s (%+.2f %%)%s\n",
                    route.c_str(), count == 2 ? "both " : "alone", "AB"[s], gbps[s], expected,
                    100 * off, within ? "" : "  <-- off");
    }
    if (count == 2) {
        double ratio = gbps[1] > 0 ? gbps[0] / gbps[1] : 0;
        bool fair = std::fabs(ratio - 1) <= 0.03;
        ok = ok && fair;
        std::printf("switch, C by %s, both : A/B %.4f, expected 1 (%+.2f %%)%s\n", route.c_str(),
                    ratio, 100 * (ratio - 1), fair ? "" : "  <-- unfair");
    }
    std::fflush(stdout);
    return ok;
}

template <typename F>
int run_in_child(F run) {
    pid_t pid = fork();
    if (pid == 0) _exit(run() ? 0 : 1);
    int status = 0;
    waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}

int run_in_child(unsigned gen, unsigned links) {
    return run_in_child([=] { return run_case(gen, links); });
}

// A alone, B alone, both: each its own simulation.
int switch_cases(unsigned n) {
    int failures = 0;
    for (unsigned senders : {1u, 2u, 3u})
        failures += run_in_child([=] { return run_switch_case(n, senders); });
    return failures;
}

} // namespace

int sc_main(int argc, char** argv) {
    if (argc >= 2 && std::string(argv[1]) == "--switch") {
        if (argc == 3) return switch_cases(std::stoul(argv[2])) ? 1 : 0;
        return switch_cases(1) + switch_cases(2) ? 1 : 0;
    }
    if (argc == 3) return run_case(std::stoul(argv[1]), std::stoul(argv[2])) ? 0 : 1;
    int failures = 0;
    if (argc == 2 && std::string(argv[1]) == "--quick")
        return run_in_child(4, 2) + switch_cases(1) + switch_cases(2) ? 1 : 0;
    for (unsigned gen = 1; gen <= 5; ++gen)
        for (unsigned links : {1u, 2u, kAllLinks[gen]})
            failures += run_in_child(gen, links);
    return failures ? 1 : 0;
}

int main(int argc, char** argv) {
    setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 1);
    return sc_core::sc_elab_and_sim(argc, argv);
}
