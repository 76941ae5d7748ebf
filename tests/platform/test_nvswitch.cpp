// The NVSwitch on the platform: GPUs whose links go to one switch reach
// each other through it, as the routing table (YAML `routes` or BAR0)
// says; the hops' timing; two senders sharing an egress port; drops.
#include "models/gpu/gpu.h"
#include "models/nvlink/nvlink_port_hw.h"
#include "models/nvlink/nvswitch.h"
#include "platforms/platform.h"
#include "platforms/platform_config.h"
#include "support/nvlink_rig.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <cstring>

using namespace nvsoc;

namespace {

using gpu::Aperture;
using gpu::MemAccess;
using gpu::MemResult;
using gpu::MemStatus;

constexpr uint64_t kNs = 1'000, kMs = 1'000'000'000;
// One gen-4 link direction: 2 lanes x 106.25 Gb/s (docs/nvlink.md); a
// 256-byte write is 18 flits of 16 bytes.
constexpr double kGen4BytesPerPs = 2 * 106.25e9 / 8 / 1e12;
constexpr double kPacketPs = 18 * 16 / kGen4BytesPerPs;
// The link's default flight time and receiver check, the switch's default
// crossbar latency.
constexpr uint64_t kWirePs = 10 * kNs, kRxPs = 5 * kNs, kCrossbarPs = 100 * kNs;

// `gpus` GPUs, each with links nvl0 and nvl1 to switch ports 2i and 2i+1,
// and the switch on its own root port. NVLink IDs: gpu<i> is i + 1, the
// switch gpus + 1.
struct Star {
    Platform p;
    std::vector<Gpu*> g;
    NvSwitch& sw;
    Star(unsigned gpus, const std::string& routes)
        : p("platform",
            build_platform_config(parse_config_text(yaml(gpus, routes), "test.yaml"), "test.yaml"),
            nullptr),
          sw(dynamic_cast<NvSwitch&>(*p.model("sw"))) {
        for (unsigned i = 0; i < gpus; ++i)
            g.push_back(&dynamic_cast<Gpu&>(*p.model(fmt::format("gpu{}", i))));
        sc_core::sc_start(sc_core::SC_ZERO_TIME);
        p.hart(0).halt();
        run_until(20 * kMs); // the links train (ALI)
        for (unsigned i = 0; i < gpus; ++i)
            for (unsigned j = 0; j < gpus; ++j)
                set_reg(*g[i], NVSOC_GPU_PEER(j, NVSOC_GPU_PEER_TARGET), j + 1);
        for (unsigned i = 0; i < gpus; ++i)
            for (unsigned j = 0; j < gpus; ++j)
                set_reg(*g[i], NVSOC_GPU_PEER(j, NVSOC_GPU_PEER_CTRL),
                        NVSOC_GPU_PEER_CTRL_VALID | NVSOC_GPU_PEER_PATH_NVLINK
                                                        << NVSOC_GPU_PEER_CTRL_PATH_SHIFT);
    }
    static std::string yaml(unsigned gpus, const std::string& routes) {
        std::string y = test::pcie_soc_yaml(gpus + 1);
        for (unsigned i = 0; i < gpus; ++i)
            y += fmt::format("  gpu{}: {{type: gpu, bus: rp{}, nvlink-ports: 2}}\n", i, i);
        y += fmt::format("  sw: {{type: nvswitch, bus: rp{}, ports: 8{}}}\nlinks:\n", gpus,
                         routes.empty() ? "" : ", routes: \"" + routes + "\"");
        for (unsigned i = 0; i < gpus; ++i)
            for (unsigned l = 0; l < 2; ++l)
                y += fmt::format("  l{}{}: {{ends: [gpu{}.nvl{}, sw.nvl{}]}}\n", i, l, i, l,
                                 2 * i + l);
        return y;
    }
    void run_until(uint64_t ps) { test::run_until(ps); }
    static uint32_t reg(RegisterBank& b, unsigned offset) { return test::bank_read32(b, offset); }
    static void set_reg(RegisterBank& b, unsigned offset, uint32_t v) {
        test::bank_write32(b, offset, v);
    }
    static void set_reg(Gpu& g, unsigned offset, uint32_t v) { set_reg(g.bar0(), offset, v); }
    // gpu<from> writes `data` to gpu<to>'s VRAM at `offset`, at `time`.
    MemResult write(unsigned from, unsigned to, uint64_t offset, std::vector<uint8_t>& data,
                    uint64_t time) {
        MemAccess a;
        a.aperture = Aperture::Peer;
        a.peer = to;
        a.write = true;
        a.address = offset;
        a.data = data.data();
        a.length = data.size();
        a.time = time;
        return g[from]->access(a);
    }
    uint64_t now() const { return sc_core::sc_time_stamp().value(); }
};

} // namespace

TEST_CASE("nvswitch: identity, ports and YAML routes in BAR0, and a peer write crosses two hops "
          "pipelined") {
    Star s(2, "1:0-1,2:2-3");
    RegisterBank& b = s.sw.bar0();
    CHECK(Star::reg(b, NVSOC_NVSW_IDENT) == NVSOC_NVSW_IDENT_VALUE);
    CHECK(Star::reg(b, NVSOC_NVSW_NUM_PORTS) == 8);
    CHECK(Star::reg(b, NVSOC_NVSW_NVLINK_ID) == 3);
    CHECK(s.sw.config_space().read(0, 4) == (NVSOC_NVSW_DEVICE_ID << 16 | NVSOC_NVSW_VENDOR_ID));
    // Every ingress port has the YAML's table.
    for (unsigned p = 0; p < 8; ++p) {
        CHECK(Star::reg(b, NVSOC_NVSW_ROUTE_LO(p, 1)) == 0x3);
        CHECK(Star::reg(b, NVSOC_NVSW_ROUTE_LO(p, 2)) == 0xc);
        CHECK(Star::reg(b, NVSOC_NVSW_ROUTE_HI(p, 2)) == 0);
    }
    // The switch's ports trained with the GPUs and know them.
    uint32_t st = Star::reg(b, NVSOC_NVSW_PORT(2, NVSOC_NVL_STATUS));
    CHECK((st & NVSOC_NVL_STATUS_STATE_MASK) == NVSOC_NVL_STATE_HS);
    CHECK(Star::reg(b, NVSOC_NVSW_PORT(2, NVSOC_NVL_REMOTE_DEVICE)) == 2);
    CHECK(Star::reg(s.g[0]->bar0(), NVSOC_GPU_NVL(1, NVSOC_NVL_REMOTE_LINK)) ==
          (NVSOC_NVL_REMOTE_VALID | NVSOC_NVL_DEVICE_NVSWITCH << NVSOC_NVL_REMOTE_LINK_TYPE_SHIFT |
           1));

    std::vector<uint8_t> data(1 << 20);
    for (size_t i = 0; i < data.size(); ++i)
        data[i] = static_cast<uint8_t>(i * 13 + 1);
    uint64_t t0 = s.now();
    MemResult r = s.write(0, 1, 0x2000, data, t0);
    REQUIRE(r.status == MemStatus::Ok);
    CHECK(std::memcmp(s.g[1]->vram().data() + 0x2000, data.data(), data.size()) == 0);
    // Each of gpu0's links carries 2048 packets to the switch; each egress
    // link of gpu1's group carries 2048 too (half of each ingress share).
    // Pipelined: the second hop starts when the first packet has arrived
    // plus the crossbar, so the write takes one hop's serialization plus
    // one packet, the crossbar and both hops' flight and receiver check.
    double one_hop = 2048 * kPacketPs;
    double expected = one_hop + kPacketPs + kCrossbarPs + 2 * (kWirePs + kRxPs);
    double took = static_cast<double>(r.done - t0);
    CHECK(took == Approx(expected).epsilon(0.001));
    CHECK(took > one_hop + kCrossbarPs);
    s.run_until(r.done + 1);
    CHECK(Star::reg(b, NVSOC_NVSW_PORT(2, NVSOC_NVL_TL_TX_PACKETS)) == 2048);
    CHECK(Star::reg(b, NVSOC_NVSW_ROUTE_DROPS_LO) == 0);
}

TEST_CASE("nvswitch: routes programmed through BAR0, and a missing route drops and counts") {
    Star s(2, "");
    RegisterBank& b = s.sw.bar0();
    std::vector<uint8_t> data(4096, 0x5a);
    MemResult r = s.write(0, 1, 0, data, s.now());
    CHECK(r.status == MemStatus::BusError);
    // Each ingress port's share of the request was dropped.
    CHECK(Star::reg(b, NVSOC_NVSW_ROUTE_DROPS_LO) == 2);
    CHECK(Star::reg(b, NVSOC_NVSW_ROUTE_ERR_STATUS) == NVSOC_NVSW_ROUTE_ERR_NO_ROUTE);
    uint32_t info = Star::reg(b, NVSOC_NVSW_ROUTE_ERR_INFO);
    CHECK((info & NVSOC_NVSW_ROUTE_ERR_INFO_VALID) != 0);
    CHECK((info >> NVSOC_NVSW_ROUTE_ERR_INFO_DEST_SHIFT & 0xff) == 2);
    CHECK(s.g[1]->vram().data()[0] == 0);
    Star::set_reg(b, NVSOC_NVSW_ROUTE_ERR_STATUS, NVSOC_NVSW_ROUTE_ERR_NO_ROUTE);
    CHECK(Star::reg(b, NVSOC_NVSW_ROUTE_ERR_STATUS) == 0);
    // Software programs gpu0's ingress ports: ID 2 leaves by ports 2-3.
    for (unsigned p : {0u, 1u})
        Star::set_reg(b, NVSOC_NVSW_ROUTE_LO(p, 2), 0xc);
    // Bits of ports the switch lacks read back 0.
    Star::set_reg(b, NVSOC_NVSW_ROUTE_HI(5, 2), 0xffffffff);
    CHECK(Star::reg(b, NVSOC_NVSW_ROUTE_HI(5, 2)) == 0);
    r = s.write(0, 1, 0, data, s.now());
    REQUIRE(r.status == MemStatus::Ok);
    CHECK(s.g[1]->vram().data()[4095] == 0x5a);
    CHECK(s.sw.route_drops() == 2);
    // The other way has no route yet.
    CHECK(s.write(1, 0, 0, data, s.now()).status == MemStatus::BusError);
    CHECK(s.sw.route_drops() == 4);
}

TEST_CASE("nvswitch: a route back out of the ingress port is a loop: dropped and counted") {
    Star s(2, "");
    RegisterBank& b = s.sw.bar0();
    // Port 0's route to ID 2 includes port 0 itself; port 1's sends it to
    // port 0, which leads back to gpu0 (not the target).
    Star::set_reg(b, NVSOC_NVSW_ROUTE_LO(0, 2), 0x1);
    Star::set_reg(b, NVSOC_NVSW_ROUTE_LO(1, 2), 0x1);
    std::vector<uint8_t> data(8192, 1);
    CHECK(s.write(0, 1, 0, data, s.now()).status == MemStatus::BusError);
    CHECK(s.sw.route_drops() == 2);
    uint32_t why = Star::reg(b, NVSOC_NVSW_ROUTE_ERR_STATUS);
    CHECK((why & NVSOC_NVSW_ROUTE_ERR_LOOP) != 0);
    CHECK((why & NVSOC_NVSW_ROUTE_ERR_NOT_TARGET) != 0);
    // The platform goes on: a good route afterwards works.
    Star::set_reg(b, NVSOC_NVSW_ROUTE_LO(0, 2), 0xc);
    Star::set_reg(b, NVSOC_NVSW_ROUTE_LO(1, 2), 0xc);
    CHECK(s.write(0, 1, 0, data, s.now()).status == MemStatus::Ok);
    s.run_until(s.now() + 1 * kMs);
}

TEST_CASE("nvswitch: two senders sharing one egress port share its bandwidth fairly") {
    // gpu2 (ID 3) is reached by port 4 alone.
    Star s(3, "1:0-1,2:2-3,3:4");
    constexpr unsigned kChunks = 32;
    std::vector<uint8_t> chunk(64 << 10, 7);
    // A sender issues its next chunk when its last packet has left.
    auto alone = [&](uint64_t t0) {
        uint64_t t = t0, done = t0;
        for (unsigned k = 0; k < kChunks; ++k) {
            MemResult r = s.write(0, 2, k * chunk.size(), chunk, t);
            REQUIRE(r.status == MemStatus::Ok);
            t = r.issued;
            done = std::max(done, r.done);
        }
        return done - t0;
    };
    uint64_t t0 = s.now();
    double one = static_cast<double>(alone(t0));
    // 2 MiB through one egress link: its serialization sets the pace.
    CHECK(one == Approx(kChunks * 256 * kPacketPs).epsilon(0.01));
    s.run_until(t0 + static_cast<uint64_t>(one) + 1 * kMs);
    uint64_t t1 = s.now();
    std::array<uint64_t, 2> t{t1, t1}, done{t1, t1};
    for (unsigned k = 0; k < kChunks; ++k)
        for (unsigned from : {0u, 1u}) {
            MemResult r = s.write(from, 2, (from * kChunks + k) * chunk.size(), chunk, t[from]);
            REQUIRE(r.status == MemStatus::Ok);
            t[from] = r.issued;
            done[from] = std::max(done[from], r.done);
        }
    double both = static_cast<double>(std::max(done[0], done[1]) - t1);
    CHECK(both == Approx(2 * one).epsilon(0.05));
    // Each got about half: it finished in about twice its time alone.
    for (unsigned from : {0u, 1u})
        CHECK(static_cast<double>(done[from] - t1) == Approx(2 * one).epsilon(0.05));
    CHECK(static_cast<double>(done[0] - t1) ==
          Approx(static_cast<double>(done[1] - t1)).epsilon(0.05));
}

TEST_CASE("nvswitch: bad routes and port counts are refused at load") {
    auto load = [](const std::string& sw) {
        std::string y = test::pcie_soc_yaml(1) + R"(
  sw:   {type: nvswitch, bus: rp0)" +
                        sw + "}\n";
        return build_platform_config(parse_config_text(y, "test.yaml"), "test.yaml");
    };
    CHECK_NOTHROW(load(", ports: 4, routes: \"1:0-1,2:3\""));
    CHECK_THROWS_WITH(load(", ports: 4, routes: \"1:0-4\""),
                      Catch::Contains("are not among the switch's 4 ports"));
    CHECK_THROWS_WITH(load(", routes: \"64:0\""), Catch::Contains("is not 1..63"));
    CHECK_THROWS_WITH(load(", routes: \"2\""), Catch::Contains("is not <NVLink ID>:<ports>"));
    CHECK_THROWS_WITH(load(", nvlink-gen: 3, ports: 40"),
                      Catch::Contains("an NVLink 3 switch has at most 36 ports"));
    CHECK_NOTHROW(load(", nvlink-gen: 2, ports: 18"));
    CHECK_THROWS_WITH(load(", nvlink-gen: 2, ports: 19"), Catch::Contains("at most 18"));
}

TEST_CASE("nvswitch: the nvlink-switch.yaml board with YAML routes: every GPU reaches every other "
          "through the four switches") {
    // The board with its routes in YAML (the board itself leaves them to
    // the fabric manager, sw/tools/nvsoc-fm).
    std::string path =
        std::string(NVSOC_SOURCE_DIR) + "/tests/platform/configs/nvlink-switch-routed.yaml";
    Platform p("platform", build_platform_config(load_config(path), path), nullptr);
    std::vector<Gpu*> g;
    for (unsigned i = 0; i < 8; ++i)
        g.push_back(&dynamic_cast<Gpu&>(*p.model(fmt::format("gpu{}", i))));
    sc_core::sc_start(sc_core::SC_ZERO_TIME);
    p.hart(0).halt();
    sc_core::sc_start(sc_core::sc_time::from_value(20 * kMs));
    for (unsigned i = 0; i < 8; ++i)
        for (unsigned j = 0; j < 8; ++j) {
            Star::set_reg(*g[i], NVSOC_GPU_PEER(j, NVSOC_GPU_PEER_TARGET), j + 1);
            Star::set_reg(*g[i], NVSOC_GPU_PEER(j, NVSOC_GPU_PEER_CTRL),
                          NVSOC_GPU_PEER_CTRL_VALID | NVSOC_GPU_PEER_PATH_NVLINK
                                                          << NVSOC_GPU_PEER_CTRL_PATH_SHIFT);
        }
    std::vector<uint8_t> data(18 * 4096);
    for (unsigned i = 0; i < 8; ++i)
        for (unsigned j = 0; j < 8; ++j) {
            if (i == j) continue;
            std::fill(data.begin(), data.end(), static_cast<uint8_t>(i * 8 + j + 1));
            MemAccess a;
            a.aperture = Aperture::Peer;
            a.peer = j;
            a.write = true;
            a.address = i * data.size();
            a.data = data.data();
            a.length = data.size();
            a.time = sc_core::sc_time_stamp().value();
            INFO("gpu" << i << " -> gpu" << j);
            REQUIRE(g[i]->access(a).status == MemStatus::Ok);
            CHECK(g[j]->vram().data()[i * data.size() + data.size() - 1] == i * 8 + j + 1);
        }
}

TEST_CASE(
    "nvswitch: two switches in a row carry a request, and routes that circle between them stop "
    "at the hop limit") {
    // gpu0 (ID 1) on swa's ports 0-1, gpu1 (ID 2) on swb's ports 0-1, the
    // switches joined by their ports 4 and 5.
    std::string y = test::pcie_soc_yaml(4) + R"(
  gpu0: {type: gpu, bus: rp0, nvlink-ports: 2}
  gpu1: {type: gpu, bus: rp1, nvlink-ports: 2}
  swa:  {type: nvswitch, bus: rp2, ports: 8, routes: "1:0-1,2:4-5"}
  swb:  {type: nvswitch, bus: rp3, ports: 8, routes: "1:4-5,2:0-1"}
links:
  a0: {ends: [gpu0.nvl0, swa.nvl0]}
  a1: {ends: [gpu0.nvl1, swa.nvl1]}
  b0: {ends: [gpu1.nvl0, swb.nvl0]}
  b1: {ends: [gpu1.nvl1, swb.nvl1]}
  t4: {ends: [swa.nvl4, swb.nvl4]}
  t5: {ends: [swa.nvl5, swb.nvl5]}
)";
    Platform p("platform", build_platform_config(parse_config_text(y, "test.yaml"), "test.yaml"),
               nullptr);
    Gpu& g0 = dynamic_cast<Gpu&>(*p.model("gpu0"));
    Gpu& g1 = dynamic_cast<Gpu&>(*p.model("gpu1"));
    NvSwitch& swa = dynamic_cast<NvSwitch&>(*p.model("swa"));
    NvSwitch& swb = dynamic_cast<NvSwitch&>(*p.model("swb"));
    sc_core::sc_start(sc_core::SC_ZERO_TIME);
    p.hart(0).halt();
    sc_core::sc_start(sc_core::sc_time::from_value(20 * kMs));
    Star::set_reg(g0, NVSOC_GPU_PEER(0, NVSOC_GPU_PEER_TARGET), 2);
    Star::set_reg(g0, NVSOC_GPU_PEER(0, NVSOC_GPU_PEER_CTRL),
                  NVSOC_GPU_PEER_CTRL_VALID | NVSOC_GPU_PEER_PATH_NVLINK
                                                  << NVSOC_GPU_PEER_CTRL_PATH_SHIFT);
    std::vector<uint8_t> data(64 << 10, 0x3c);
    MemAccess a;
    a.aperture = Aperture::Peer;
    a.peer = 0;
    a.write = true;
    a.data = data.data();
    a.length = data.size();
    a.time = sc_core::sc_time_stamp().value();
    MemResult r = g0.access(a);
    REQUIRE(r.status == MemStatus::Ok);
    CHECK(g1.vram().data()[data.size() - 1] == 0x3c);
    // Three hops pipelined, each link of each hop carrying 128 packets:
    // at least one hop's serialization and two crossbars; at most that
    // plus the two first packets that start the later hops, a packet of
    // slack where the later shares of a hop wait for their own first
    // packet, and three flights.
    double took = static_cast<double>(r.done - a.time);
    CHECK(took > 128 * kPacketPs + 2 * kCrossbarPs);
    CHECK(took < 131 * kPacketPs + 2 * kCrossbarPs + 3 * (kWirePs + kRxPs));
    // swb sends ID 2 back to swa by its other trunk link, and swa to swb:
    // the request circles until the hop limit drops it.
    for (unsigned in = 0; in < 8; ++in)
        Star::set_reg(swb.bar0(), NVSOC_NVSW_ROUTE_LO(in, 2), 1u << 5);
    Star::set_reg(swa.bar0(), NVSOC_NVSW_ROUTE_LO(5, 2), 1u << 4);
    Star::set_reg(swa.bar0(), NVSOC_NVSW_ROUTE_LO(0, 2), 1u << 4);
    Star::set_reg(swa.bar0(), NVSOC_NVSW_ROUTE_LO(1, 2), 1u << 4);
    a.time = sc_core::sc_time_stamp().value();
    CHECK(g0.access(a).status == MemStatus::BusError);
    CHECK(swa.route_drops() + swb.route_drops() == 2);
    uint32_t why = Star::reg(swa.bar0(), NVSOC_NVSW_ROUTE_ERR_STATUS) |
                   Star::reg(swb.bar0(), NVSOC_NVSW_ROUTE_ERR_STATUS);
    CHECK(why == NVSOC_NVSW_ROUTE_ERR_HOP_LIMIT);
}

namespace {

// A 64 KiB read response: 256 packets of 17 flits (header and 16 data).
constexpr double kResponsePacketPs = 17 * 16 / kGen4BytesPerPs;

// gpu<from> reads `length` bytes of gpu<to>'s VRAM at `offset` into `got`.
MemResult peer_read(Star& s, unsigned from, unsigned to, uint64_t offset,
                    std::vector<uint8_t>& got) {
    MemAccess a;
    a.aperture = Aperture::Peer;
    a.peer = to;
    a.write = false;
    a.address = offset;
    a.data = got.data();
    a.length = got.size();
    a.time = s.now();
    return s.g[from]->access(a);
}

uint32_t sw_port(Star& s, unsigned port, unsigned reg) {
    return Star::reg(s.sw.bar0(), NVSOC_NVSW_PORT(port, reg));
}

uint32_t gpu_port(Star& s, unsigned gpu, unsigned port, unsigned reg) {
    return Star::reg(s.g[gpu]->bar0(), NVSOC_GPU_NVL(port, reg));
}

} // namespace

TEST_CASE("nvswitch: a peer read through the switch returns the target's data") {
    Star s(2, "1:0-1,2:2-3");
    std::vector<uint8_t> data(64 << 10);
    for (size_t i = 0; i < data.size(); ++i)
        data[i] = static_cast<uint8_t>(i * 5 + 9);
    std::memcpy(s.g[0]->vram().data() + 0x4000, data.data(), data.size());
    std::vector<uint8_t> got(data.size(), 0);
    uint64_t t0 = s.now();
    MemResult r = peer_read(s, 1, 0, 0x4000, got);
    REQUIRE(r.status == MemStatus::Ok);
    CHECK(got == data);
    // The responses are routed by the switch's entries for gpu1 (ID 2):
    // gpu0's two links carry 128 packets each, and each ingress port
    // spreads its share over ports 2-3, so each of gpu1's links carries
    // 128. That hop's serialization bounds the read from below; the
    // request (two one-flit hops), the 64 KiB from VRAM (250 ns and
    // 900 GB/s by default) and the pipeline's first packet and flights
    // add under a microsecond. Retracing the request's single links (256
    // packets on one) would take longer than the bound.
    double took = static_cast<double>(r.done - t0);
    double response_hop = 128 * kResponsePacketPs;
    CHECK(took > response_hop + kCrossbarPs + 2 * kWirePs);
    CHECK(took < response_hop + 1000 * kNs);
    CHECK(took < 256 * kResponsePacketPs);
}

TEST_CASE("nvswitch: a read's responses take the switch's routes for the requester, not the "
          "request's links back") {
    Star s(2, "1:0-1,2:2-3");
    std::vector<uint8_t> data(64 << 10);
    for (size_t i = 0; i < data.size(); ++i)
        data[i] = static_cast<uint8_t>(i * 3 + 1);
    std::memcpy(s.g[0]->vram().data(), data.data(), data.size());
    std::vector<uint8_t> got(data.size(), 0);
    // Symmetric first: the responses spread over ports 2-3.
    uint64_t ts = s.now();
    MemResult sym = peer_read(s, 1, 0, 0, got);
    REQUIRE(sym.status == MemStatus::Ok);
    CHECK(got == data);
    double took_sym = static_cast<double>(sym.done - ts);
    s.run_until(sym.done + 1 * kMs);
    // Asymmetric: requests from gpu1's ports (2, 3) for ID 1 leave by port
    // 0 alone; responses arriving from gpu0 (ports 0, 1) for ID 2 leave by
    // port 3 alone. The request crosses gpu1.nvl0 -> port 2 -> port 0 ->
    // gpu0.nvl0; the responses gpu0.nvl0/nvl1 -> ports 0/1 -> port 3 ->
    // gpu1.nvl1, a link the request never used.
    RegisterBank& b = s.sw.bar0();
    for (unsigned in : {2u, 3u})
        Star::set_reg(b, NVSOC_NVSW_ROUTE_LO(in, 1), 0x1);
    for (unsigned in : {0u, 1u})
        Star::set_reg(b, NVSOC_NVSW_ROUTE_LO(in, 2), 0x8);
    std::array<uint32_t, 4> tx{}, rx{};
    for (unsigned q = 0; q < 4; ++q) {
        tx[q] = sw_port(s, q, NVSOC_NVL_TL_TX_PACKETS);
        rx[q] = sw_port(s, q, NVSOC_NVL_TL_RX_PACKETS);
    }
    std::array<uint32_t, 2> g1rx{gpu_port(s, 1, 0, NVSOC_NVL_TL_RX_PACKETS),
                                 gpu_port(s, 1, 1, NVSOC_NVL_TL_RX_PACKETS)};
    std::fill(got.begin(), got.end(), 0);
    uint64_t t0 = s.now();
    MemResult asym = peer_read(s, 1, 0, 0, got);
    REQUIRE(asym.status == MemStatus::Ok);
    CHECK(got == data);
    s.run_until(asym.done + 1);
    auto dtx = [&](unsigned q) { return sw_port(s, q, NVSOC_NVL_TL_TX_PACKETS) - tx[q]; };
    auto drx = [&](unsigned q) { return sw_port(s, q, NVSOC_NVL_TL_RX_PACKETS) - rx[q]; };
    CHECK(drx(2) == 1); // the request
    CHECK(drx(3) == 0);
    CHECK(dtx(0) == 1);
    CHECK(dtx(1) == 0);
    CHECK(drx(0) == 128); // the responses, half on each of gpu0's links
    CHECK(drx(1) == 128);
    CHECK(dtx(2) == 0); // not back the way the request came
    CHECK(dtx(3) == 256);
    CHECK(gpu_port(s, 1, 0, NVSOC_NVL_TL_RX_PACKETS) - g1rx[0] == 0);
    CHECK(gpu_port(s, 1, 1, NVSOC_NVL_TL_RX_PACKETS) - g1rx[1] == 256);
    CHECK(Star::reg(b, NVSOC_NVSW_ROUTE_DROPS_LO) == 0);
    // The same request, memory and first hop back; port 3 now carries all
    // 256 response packets instead of 128, so the read takes 128 packets'
    // serialization longer.
    double took_asym = static_cast<double>(asym.done - t0);
    CHECK(took_asym - took_sym == Approx(128 * kResponsePacketPs).epsilon(0.01));
}

TEST_CASE("nvswitch: a read whose responses have no route back is a bus error, counted at the "
          "switch, with no data") {
    // ID 1 (gpu0) is routed, ID 2 (gpu1) is not: gpu1's read request
    // reaches gpu0, whose responses find no entry at ports 0 and 1.
    Star s(2, "1:0-1");
    RegisterBank& b = s.sw.bar0();
    std::vector<uint8_t> data(16 << 10);
    for (size_t i = 0; i < data.size(); ++i)
        data[i] = static_cast<uint8_t>(i * 7 + 3);
    uint8_t* v0 = s.g[0]->vram().data();
    std::memcpy(v0 + 0x1000, data.data(), data.size());
    std::vector<uint8_t> got(data.size(), 0xee);
    uint64_t t0 = s.now();
    MemResult r = peer_read(s, 1, 0, 0x1000, got);
    CHECK(r.status == MemStatus::BusError);
    // The read did end, in simulated time, without data.
    CHECK(r.done >= t0);
    CHECK(r.done < t0 + 1 * kMs);
    CHECK(std::all_of(got.begin(), got.end(), [](uint8_t v) { return v == 0xee; }));
    CHECK(std::memcmp(v0 + 0x1000, data.data(), data.size()) == 0);
    // Each ingress port's share of the responses counts once; the first
    // drop is logged at gpu0's first link's port, for ID 2.
    CHECK(Star::reg(b, NVSOC_NVSW_ROUTE_DROPS_LO) == 2);
    CHECK(Star::reg(b, NVSOC_NVSW_ROUTE_ERR_STATUS) == NVSOC_NVSW_ROUTE_ERR_NO_ROUTE);
    uint32_t info = Star::reg(b, NVSOC_NVSW_ROUTE_ERR_INFO);
    CHECK((info & NVSOC_NVSW_ROUTE_ERR_INFO_VALID) != 0);
    CHECK((info >> NVSOC_NVSW_ROUTE_ERR_INFO_DEST_SHIFT & 0xff) == 2);
    CHECK((info & 0xff) == 0);
    // The platform goes on: once ID 2 has a route, the same read works.
    s.run_until(s.now() + 1 * kMs);
    for (unsigned in : {0u, 1u})
        Star::set_reg(b, NVSOC_NVSW_ROUTE_LO(in, 2), 0xc);
    r = peer_read(s, 1, 0, 0x1000, got);
    REQUIRE(r.status == MemStatus::Ok);
    CHECK(got == data);
    CHECK(s.sw.route_drops() == 2);
    s.run_until(r.done + 1 * kMs);
}
