// NVLink in the platform config: the top-level `links` map, the ports that
// models declare (ModelInfo::nvlink_ports), and the generation each link
// trains to. The refusals of bad links are tests/configs/bad/94-106.
#include "platforms/platform_config.h"
#include "support/nvlink_rig.h"

#include <catch2/catch.hpp>

using namespace nvsoc;

namespace {

const std::string kBase = test::pcie_soc_yaml(3) + R"(
  gpu0: {type: gpu, bus: rp0, nvlink-ports: 4}
  gpu1: {type: gpu, bus: rp1, nvlink-ports: 4, nvlink-gen: 5}
  gpu2: {type: gpu, bus: rp2, nvlink-ports: 2, nvlink-gen: 3, nvlink-min-gen: 2}
)";

PlatformConfig config_with(const std::string& links,
                           const std::vector<std::string>& overrides = {}) {
    ConfigNode root = parse_config_text(kBase + links, "test.yaml");
    int n = 0;
    for (const auto& o : overrides)
        apply_override(root, o, ++n);
    return build_platform_config(root, "test.yaml");
}

} // namespace

TEST_CASE("nvlink config: links join ports and train to the newest generation both ends speak") {
    PlatformConfig cfg = config_with(R"(
links:
  l01a: {ends: [gpu0.nvl0, gpu1.nvl0]}
  l01b: {ends: [gpu1.nvl1, gpu0.nvl1], gen: 3}
  l02:  {ends: [gpu0.nvl2, gpu2.nvl1]}
)");
    REQUIRE(cfg.links.size() == 3);
    const NvlinkSpec& a = cfg.links[0];
    CHECK(a.name == "l01a");
    CHECK(a.ends[0].device == "gpu0");
    CHECK(a.ends[0].port == 0);
    CHECK(a.ends[1].device == "gpu1");
    CHECK(a.generation == 4); // gpu0 speaks 1-4 (the default), gpu1 1-5
    CHECK(cfg.links[1].ends[0].device == "gpu1");
    CHECK(cfg.links[1].ends[0].port == 1);
    CHECK(cfg.links[1].generation == 3); // capped by gen
    CHECK(cfg.links[2].generation == 3); // gpu2 speaks 2-3
    CHECK(cfg.links[2].ends[1].port == 1);
    // The keys' defaults: no faults, ALI where the generation has it.
    CHECK(a.params.flag("ali"));
    CHECK(a.params.str("train-fails-in") == "none");
    CHECK(a.params.str("crc-error-rate").empty());
    CHECK_FALSE(a.params.has("link-down-at"));
    CHECK(a.where.line > 0);
}

TEST_CASE("nvlink config: --set reaches a link's fault keys by its name") {
    PlatformConfig cfg = config_with(
        R"(
links:
  l01: {ends: [gpu0.nvl0, gpu1.nvl0]}
)",
        {"links.l01.link-down-at=2ms", "links.l01.crc-errors-at=5-6", "links.l01.ali=false"});
    REQUIRE(cfg.links.size() == 1);
    const Params& p = cfg.links[0].params;
    CHECK(p.time_ps("link-down-at") == 2'000'000'000ull);
    CHECK_FALSE(p.flag("ali"));
    REQUIRE(p.ranges("crc-errors-at").items.size() == 1);
    CHECK(p.ranges("crc-errors-at").items[0].lo == 5);
    CHECK(p.ranges("crc-errors-at").items[0].hi == 6);
}

TEST_CASE("nvlink config: a platform without links has none, and GPUs report their port count") {
    PlatformConfig cfg = config_with("");
    CHECK(cfg.links.empty());
    const auto& gpu = cfg.devices[5];
    REQUIRE(gpu.name == "gpu0");
    CHECK(gpu.params.u64("nvlink-ports") == 4);
    CHECK(gpu.params.u64("nvlink-gen") == 4);
}

TEST_CASE("nvlink config: a link and a device may not share a name") {
    CHECK_THROWS_WITH(config_with(R"(
links:
  gpu2: {ends: [gpu0.nvl0, gpu1.nvl0]}
)"),
                      Catch::Contains("link 'gpu2' has the name of a device"));
}

// --- The fabric at run time --------------------------------------------------------

#include "models/gpu/gpu.h"
#include "models/nvlink/nvlink_port_hw.h"
#include "platforms/platform.h"

#include <algorithm>
#include <cstring>

namespace {

using gpu::Aperture;
using gpu::MemAccess;
using gpu::MemResult;
using gpu::MemStatus;

constexpr uint64_t kUs = 1'000'000, kMs = 1'000'000'000;

// Two GPUs on their own root ports, joined by `links` (YAML), and a CPU-less
// view of both: the tests drive BAR0 through each GPU's register bank.
struct Pair {
    Platform p;
    Gpu& g0;
    Gpu& g1;
    explicit Pair(const std::string& links, const std::string& gpu_extra = "")
        : p("platform",
            build_platform_config(parse_config_text(yaml(links, gpu_extra), "test.yaml"),
                                  "test.yaml"),
            nullptr),
          g0(dynamic_cast<Gpu&>(*p.model("gpu0"))), g1(dynamic_cast<Gpu&>(*p.model("gpu1"))) {
        p.hart(0).halt(); // no program: only the GPUs run
        sc_core::sc_start(sc_core::SC_ZERO_TIME);
    }
    static std::string yaml(const std::string& links, const std::string& gpu_extra) {
        return test::pcie_soc_yaml(2) + R"(
  gpu0: {type: gpu, bus: rp0, nvlink-ports: 4)" +
               gpu_extra + R"(}
  gpu1: {type: gpu, bus: rp1, nvlink-ports: 4)" +
               gpu_extra + "}\nlinks:\n" + links;
    }
    void run_until(uint64_t ps) { test::run_until(ps); }
    static uint32_t reg(Gpu& g, unsigned offset) { return test::bank_read32(g.bar0(), offset); }
    static void set_reg(Gpu& g, unsigned offset, uint32_t v) {
        test::bank_write32(g.bar0(), offset, v);
    }
    static unsigned state(Gpu& g, unsigned link) {
        return reg(g, NVSOC_GPU_NVL(link, NVSOC_NVL_STATUS)) & NVSOC_NVL_STATUS_STATE_MASK;
    }
    // gpu0's peer 0 is gpu1 over `path`.
    void peer(unsigned path) {
        set_reg(g0, NVSOC_GPU_PEER(0, NVSOC_GPU_PEER_TARGET), reg(g1, NVSOC_GPU_NVLINK_ID));
        set_reg(g0, NVSOC_GPU_PEER(0, NVSOC_GPU_PEER_CTRL),
                NVSOC_GPU_PEER_CTRL_VALID | path << NVSOC_GPU_PEER_CTRL_PATH_SHIFT);
    }
    MemResult peer_write(uint64_t offset, std::vector<uint8_t>& data) {
        MemAccess a;
        a.aperture = Aperture::Peer;
        a.peer = 0;
        a.write = true;
        a.address = offset;
        a.data = data.data();
        a.length = data.size();
        a.time = sc_core::sc_time_stamp().value();
        return g0.access(a);
    }
};

// Bytes per picosecond of one gen-4 link direction: 2 lanes x 106.25 Gb/s
// (docs/nvlink.md); a 256-byte write is 18 flits of 16 bytes.
constexpr double kGen4BytesPerPs = 2 * 106.25e9 / 8 / 1e12;

} // namespace

TEST_CASE("nvlink fabric: ALI links between two GPUs train to HS and learn their remotes") {
    Pair b("  l0: {ends: [gpu0.nvl0, gpu1.nvl2]}\n  l1: {ends: [gpu0.nvl1, gpu1.nvl3]}\n");
    CHECK(Pair::reg(b.g0, NVSOC_GPU_NUM_NVLINKS) == 4);
    CHECK(Pair::reg(b.g0, NVSOC_GPU_NVLINK_ID) == 1);
    CHECK(Pair::reg(b.g1, NVSOC_GPU_NVLINK_ID) == 2);
    CHECK(Pair::state(b.g0, 0) != NVSOC_NVL_STATE_HS);
    b.run_until(20 * kMs);
    uint32_t st = Pair::reg(b.g0, NVSOC_GPU_NVL(0, NVSOC_NVL_STATUS));
    CHECK((st & NVSOC_NVL_STATUS_STATE_MASK) == NVSOC_NVL_STATE_HS);
    CHECK((st & NVSOC_NVL_STATUS_ACTIVE) != 0);
    CHECK((st >> NVSOC_NVL_STATUS_GEN_SHIFT & 0xf) == 4);
    CHECK((st >> NVSOC_NVL_STATUS_LANES_SHIFT & 0xf) == 2);
    CHECK(Pair::reg(b.g0, NVSOC_GPU_NVL(0, NVSOC_NVL_CTRL)) == NVSOC_NVL_CTRL_ALI);
    CHECK(Pair::reg(b.g0, NVSOC_GPU_NVL(0, NVSOC_NVL_BANDWIDTH_MBPS)) == 26562);
    // Discovery tokens: each end knows the other's device and link.
    CHECK(Pair::reg(b.g0, NVSOC_GPU_NVL(1, NVSOC_NVL_REMOTE_DEVICE)) == 2);
    CHECK(Pair::reg(b.g0, NVSOC_GPU_NVL(1, NVSOC_NVL_REMOTE_LINK)) ==
          (NVSOC_NVL_REMOTE_VALID | NVSOC_NVL_DEVICE_GPU << NVSOC_NVL_REMOTE_LINK_TYPE_SHIFT | 3));
    CHECK(Pair::reg(b.g1, NVSOC_GPU_NVL(2, NVSOC_NVL_REMOTE_DEVICE)) == 1);
    CHECK((Pair::reg(b.g1, NVSOC_GPU_NVL(2, NVSOC_NVL_REMOTE_LINK)) & 0xffff) == 0);
    // Unconnected ports stay OFF, with no remote.
    CHECK(Pair::state(b.g0, 2) == NVSOC_NVL_STATE_OFF);
    CHECK(Pair::reg(b.g0, NVSOC_GPU_NVL(2, NVSOC_NVL_REMOTE_LINK)) == 0);
    // The state changes were recorded; enabling them raises the NVLink
    // interrupt bit, and W1C clears it.
    CHECK((Pair::reg(b.g0, NVSOC_GPU_NVL(0, NVSOC_NVL_ERR_STATUS)) & NVSOC_NVL_ERR_STATE) != 0);
    CHECK((Pair::reg(b.g0, NVSOC_GPU_INTR_STATUS) & NVSOC_GPU_INTR_NVLINK) == 0);
    Pair::set_reg(b.g0, NVSOC_GPU_NVL(0, NVSOC_NVL_ERR_EN), NVSOC_NVL_ERR_STATE);
    CHECK((Pair::reg(b.g0, NVSOC_GPU_INTR_STATUS) & NVSOC_GPU_INTR_NVLINK) != 0);
    CHECK(Pair::reg(b.g0, NVSOC_GPU_NVLINK_INTR_PENDING) == 1);
    Pair::set_reg(b.g0, NVSOC_GPU_NVL(0, NVSOC_NVL_ERR_STATUS), NVSOC_NVL_ERR_STATE);
    CHECK((Pair::reg(b.g0, NVSOC_GPU_INTR_STATUS) & NVSOC_GPU_INTR_NVLINK) == 0);
}

TEST_CASE("nvlink fabric: a peer write crosses both links at the rate their flits allow") {
    Pair b("  l0: {ends: [gpu0.nvl0, gpu1.nvl0]}\n  l1: {ends: [gpu0.nvl1, gpu1.nvl1]}\n");
    b.run_until(20 * kMs);
    b.peer(NVSOC_GPU_PEER_PATH_NVLINK);
    std::vector<uint8_t> data(4 << 20);
    for (size_t i = 0; i < data.size(); ++i)
        data[i] = static_cast<uint8_t>(i * 7 + 3);
    uint64_t t0 = sc_core::sc_time_stamp().value();
    MemResult r = b.peer_write(0x10000, data);
    REQUIRE(r.status == MemStatus::Ok);
    CHECK(std::memcmp(b.g1.vram().data() + 0x10000, data.data(), data.size()) == 0);
    // 2 MiB per link, 8192 packets of 18 flits each: the serialization
    // dominates (latencies are nanoseconds).
    double expected = (data.size() / 2) / 256 * 18 * 16 / kGen4BytesPerPs;
    double took = static_cast<double>(r.done - t0);
    CHECK(took == Approx(expected).epsilon(0.01));
    // The counters saw it as the packets arrived: payload bytes and
    // packets per link.
    b.run_until(r.done + 1);
    CHECK(Pair::reg(b.g0, NVSOC_GPU_NVL(0, NVSOC_NVL_TL_TX_PACKETS)) == 8192);
    CHECK(Pair::reg(b.g1, NVSOC_GPU_NVL(1, NVSOC_NVL_TL_RX_BYTES)) == 2u << 20);
    // And software can zero them.
    Pair::set_reg(b.g0, NVSOC_GPU_NVL(0, NVSOC_NVL_COUNTER_RESET), 1);
    CHECK(Pair::reg(b.g0, NVSOC_GPU_NVL(0, NVSOC_NVL_TL_TX_PACKETS)) == 0);
}

TEST_CASE("nvlink fabric: a peer with no link has no path, and an invalid peer entry neither") {
    Pair b("  l0: {ends: [gpu0.nvl0, gpu1.nvl0]}\n");
    std::vector<uint8_t> data(256, 1);
    CHECK(b.peer_write(0, data).status == MemStatus::NoPath); // the entry is not valid
    b.run_until(20 * kMs);
    Pair::set_reg(b.g0, NVSOC_GPU_PEER(0, NVSOC_GPU_PEER_TARGET), 7); // no such NVLink ID
    Pair::set_reg(b.g0, NVSOC_GPU_PEER(0, NVSOC_GPU_PEER_CTRL),
                  NVSOC_GPU_PEER_CTRL_VALID | NVSOC_GPU_PEER_PATH_NVLINK
                                                  << NVSOC_GPU_PEER_CTRL_PATH_SHIFT);
    CHECK(b.peer_write(0, data).status == MemStatus::NoPath);
    b.peer(NVSOC_GPU_PEER_PATH_NVLINK);
    CHECK(b.peer_write(0, data).status == MemStatus::Ok);
}

TEST_CASE("nvlink fabric: a link that fails (link-down-at) reports Xid 74's FAULT and stops peer "
          "traffic") {
    Pair b("  l0: {ends: [gpu0.nvl0, gpu1.nvl0], link-down-at: 30ms}\n");
    b.run_until(20 * kMs);
    b.peer(NVSOC_GPU_PEER_PATH_NVLINK);
    Pair::set_reg(b.g0, NVSOC_GPU_NVL(0, NVSOC_NVL_ERR_EN), NVSOC_NVL_ERR_LINK_DOWN);
    Pair::set_reg(b.g0, NVSOC_GPU_INTR_EN_SET, NVSOC_GPU_INTR_NVLINK);
    CHECK(Pair::state(b.g0, 0) == NVSOC_NVL_STATE_HS);
    b.run_until(31 * kMs);
    CHECK(Pair::state(b.g0, 0) == NVSOC_NVL_STATE_FAULT);
    CHECK((Pair::reg(b.g0, NVSOC_GPU_NVL(0, NVSOC_NVL_ERR_STATUS)) & NVSOC_NVL_ERR_LINK_DOWN) != 0);
    CHECK((Pair::reg(b.g1, NVSOC_GPU_NVL(0, NVSOC_NVL_ERR_STATUS)) & NVSOC_NVL_ERR_LINK_DOWN) != 0);
    CHECK((Pair::reg(b.g0, NVSOC_GPU_INTR_STATUS) & NVSOC_GPU_INTR_NVLINK) != 0);
    std::vector<uint8_t> data(256, 1);
    CHECK(b.peer_write(0, data).status == MemStatus::BusError);
}

TEST_CASE("nvlink fabric: generation 2 trains only as software commands each step") {
    Pair b("  l0: {ends: [gpu0.nvl0, gpu1.nvl0]}\n", ", nvlink-gen: 2");
    b.run_until(20 * kMs);
    CHECK(Pair::state(b.g0, 0) == NVSOC_NVL_STATE_OFF);
    CHECK(Pair::reg(b.g0, NVSOC_GPU_NVL(0, NVSOC_NVL_CTRL)) == 0); // no ALI before gen 4
    // Out of order: HS from OFF is refused, and says so.
    Pair::set_reg(b.g0, NVSOC_GPU_NVL(0, NVSOC_NVL_CMD), NVSOC_NVL_CMD_HS);
    CHECK(Pair::reg(b.g0, NVSOC_GPU_NVL(0, NVSOC_NVL_CMD_STATUS)) == NVSOC_NVL_CMD_STATUS_REFUSED);
    b.run_until(20 * kMs + 1);
    CHECK((Pair::reg(b.g0, NVSOC_GPU_NVL(0, NVSOC_NVL_ERR_STATUS)) & NVSOC_NVL_ERR_CMD_REFUSED) !=
          0);
    uint64_t t = 21 * kMs;
    for (unsigned cmd : {NVSOC_NVL_CMD_RXDET, NVSOC_NVL_CMD_SAFE, NVSOC_NVL_CMD_HS}) {
        Pair::set_reg(b.g0, NVSOC_GPU_NVL(0, NVSOC_NVL_CMD), cmd);
        Pair::set_reg(b.g1, NVSOC_GPU_NVL(0, NVSOC_NVL_CMD), cmd);
        CHECK(Pair::reg(b.g0, NVSOC_GPU_NVL(0, NVSOC_NVL_CMD_STATUS)) !=
              NVSOC_NVL_CMD_STATUS_REFUSED);
        t += 1 * kMs;
        b.run_until(t);
        CHECK(Pair::reg(b.g0, NVSOC_GPU_NVL(0, NVSOC_NVL_CMD_STATUS)) == NVSOC_NVL_CMD_STATUS_DONE);
    }
    uint32_t st = Pair::reg(b.g0, NVSOC_GPU_NVL(0, NVSOC_NVL_STATUS));
    CHECK((st & NVSOC_NVL_STATUS_STATE_MASK) == NVSOC_NVL_STATE_HS);
    CHECK((st >> NVSOC_NVL_STATUS_GEN_SHIFT & 0xf) == 2);
    CHECK((st >> NVSOC_NVL_STATUS_LANES_SHIFT & 0xf) == 8);
    CHECK(Pair::reg(b.g1, NVSOC_GPU_NVL(0, NVSOC_NVL_REMOTE_DEVICE)) == 1);
}

TEST_CASE("nvlink fabric: a CRC error rate on a link shows in its replay and CRC counters") {
    auto run = [] {
        Pair b("  l0: {ends: [gpu0.nvl0, gpu1.nvl0], crc-error-rate: 1e-3}\n");
        b.run_until(20 * kMs);
        b.peer(NVSOC_GPU_PEER_PATH_NVLINK);
        std::vector<uint8_t> data(1 << 20, 5);
        REQUIRE(b.peer_write(0, data).status == MemStatus::Ok);
        b.run_until(21 * kMs);
        return std::pair{Pair::reg(b.g0, NVSOC_GPU_NVL(0, NVSOC_NVL_DL_REPLAY)),
                         Pair::reg(b.g1, NVSOC_GPU_NVL(0, NVSOC_NVL_DL_CRC_FLIT))};
    };
    auto [replays, crc] = run();
    // 4096 packets x 18 flits at 1e-3: about 74 bad flits.
    CHECK(crc > 30);
    CHECK(crc < 140);
    CHECK(replays >= crc);
    (void)kUs;
}

TEST_CASE("nvlink fabric: bytes spread over links in whole packets, as even as they go") {
    auto sum = [](const std::vector<uint64_t>& s) {
        uint64_t t = 0;
        for (uint64_t v : s)
            t += v;
        return t;
    };
    std::vector<uint64_t> s = NvlinkFabric::shares(64 * 1024, 18, 0);
    CHECK(sum(s) == 64 * 1024);
    CHECK(*std::max_element(s.begin(), s.end()) - *std::min_element(s.begin(), s.end()) == 256);
    // 256 packets over 18 links: 4 links carry 15, 14 carry 14, from `first`.
    CHECK(std::count(s.begin(), s.end(), 15 * 256u) == 4);
    CHECK(NvlinkFabric::shares(64 * 1024, 18, 5)[5] == 15 * 256u);
    CHECK(NvlinkFabric::shares(64 * 1024, 18, 5)[4] == 14 * 256u);
    // A short last packet: the total is exact, no link goes negative.
    std::vector<uint64_t> t = NvlinkFabric::shares(1000, 3, 1);
    CHECK(sum(t) == 1000);
    CHECK(NvlinkFabric::shares(100, 4, 2) == std::vector<uint64_t>{0, 0, 100, 0});
    CHECK(NvlinkFabric::shares(0, 2, 0) == std::vector<uint64_t>{0, 0});
}

// --- PCIe peer-to-peer: the other path of the peer table -------------------------

#include "support/tlm_initiator.h"

TEST_CASE("nvlink fabric: a GPU without an NVLink path reaches its peer's VRAM by PCIe "
          "peer-to-peer through the root complex") {
    using namespace nvsoc::pcie;
    constexpr uint64_t kEcam = 0x30000000, kBar1 = 0x400000000;
    auto ecam = [](unsigned bus, unsigned dev, unsigned reg) {
        return kEcam + (uint64_t{bus} << 20 | dev << 15 | reg);
    };
    // No links: the GPUs have ports but nothing joins them.
    Platform p(
        "platform",
        build_platform_config(parse_config_text(Pair::yaml("", ""), "test.yaml"), "test.yaml"),
        nullptr);
    test::TlmInitiator cpu;
    cpu.socket.bind(p.router().target);
    Gpu& g0 = dynamic_cast<Gpu&>(*p.model("gpu0"));
    Gpu& g1 = dynamic_cast<Gpu&>(*p.model("gpu1"));
    p.hart(0).halt();
    sc_core::sc_start(sc_core::sc_time(25, sc_core::SC_MS)); // the PCIe links train
    // What enumeration leaves: gpu0 on bus 1 may master (rp0 forwards it
    // upstream); gpu1 on bus 2 decodes its BAR1 at kBar1, inside rp1's
    // prefetchable window.
    cpu.write(ecam(0, 1, cfg::kPrimaryBus), 0x010100, 4);
    cpu.write(ecam(0, 2, cfg::kPrimaryBus), 0x020200, 4);
    uint64_t size = g1.config_space().bar(NVSOC_GPU_BAR_VRAM).size, limit = kBar1 + size - 1;
    cpu.write(ecam(2, 0, cfg::kBar0 + 4), static_cast<uint32_t>(kBar1), 4);
    cpu.write(ecam(2, 0, cfg::kBar0 + 8), static_cast<uint32_t>(kBar1 >> 32), 4);
    cpu.write(ecam(0, 2, cfg::kPrefetchableBase),
              ((kBar1 >> 16) & 0xfff0) | ((limit >> 16) & 0xfff0) << 16, 4);
    cpu.write(ecam(0, 2, cfg::kPrefetchableBaseUpper), static_cast<uint32_t>(kBar1 >> 32), 4);
    cpu.write(ecam(0, 2, cfg::kPrefetchableLimitUpper), static_cast<uint32_t>(limit >> 32), 4);
    for (auto [bus, dev] : {std::pair{0u, 1u}, {1u, 0u}, {0u, 2u}, {2u, 0u}})
        cpu.write(ecam(bus, dev, cfg::kCommand), 0x6, 2);

    Pair::set_reg(g0, NVSOC_GPU_PEER(3, NVSOC_GPU_PEER_BASE_LO), static_cast<uint32_t>(kBar1));
    Pair::set_reg(g0, NVSOC_GPU_PEER(3, NVSOC_GPU_PEER_BASE_HI),
                  static_cast<uint32_t>(kBar1 >> 32));
    Pair::set_reg(g0, NVSOC_GPU_PEER(3, NVSOC_GPU_PEER_CTRL),
                  NVSOC_GPU_PEER_CTRL_VALID | NVSOC_GPU_PEER_PATH_PCIE
                                                  << NVSOC_GPU_PEER_CTRL_PATH_SHIFT);
    std::vector<uint8_t> data(64 * 1024);
    for (size_t i = 0; i < data.size(); ++i)
        data[i] = static_cast<uint8_t>(i * 13 + 1);
    MemAccess a;
    a.aperture = Aperture::Peer;
    a.peer = 3;
    a.write = true;
    a.address = 0x2000;
    a.data = data.data();
    a.length = data.size();
    a.time = sc_core::sc_time_stamp().value();
    MemResult r = g0.access(a);
    REQUIRE(r.status == MemStatus::Ok);
    CHECK(std::memcmp(g1.vram().data() + 0x2000, data.data(), data.size()) == 0);
    CHECK(r.done > a.time); // it crossed two PCIe links
    // And reads come back the same way.
    std::vector<uint8_t> back(data.size());
    a.write = false;
    a.data = back.data();
    a.time = r.done;
    REQUIRE(g0.access(a).status == MemStatus::Ok);
    CHECK(back == data);
    // Over NVLink, the same peer has no path: no link joins them.
    Pair::set_reg(g0, NVSOC_GPU_PEER(3, NVSOC_GPU_PEER_TARGET), 2);
    Pair::set_reg(g0, NVSOC_GPU_PEER(3, NVSOC_GPU_PEER_CTRL),
                  NVSOC_GPU_PEER_CTRL_VALID | NVSOC_GPU_PEER_PATH_NVLINK
                                                  << NVSOC_GPU_PEER_CTRL_PATH_SHIFT);
    CHECK(g0.access(a).status == MemStatus::NoPath);
}
