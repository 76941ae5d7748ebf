// The NVLink-to-PCIe bridge on the platform: a switch whose virtual
// downstream ports reach GPUs over NVLink. Identity and the management
// BAR0; links held OFF until CTRL.PORTS_ENABLE, then the slots' presence
// and hot-plug events; configuration and BAR requests over NVLink; the
// GPU's DMA through the bridge, its window and the FAULT ring; link
// errors as AER; the timing of a 1 MiB read against its formula.
#include "models/gpu/gpu.h"
#include "models/gpu/nvsoc_gpu_hw.h"
#include "models/nvlink/bridge.h"
#include "models/nvlink/nvlink_bridge_hw.h"
#include "models/nvlink/nvlink_port_hw.h"
#include "platforms/platform.h"
#include "platforms/platform_config.h"
#include "support/nvlink_rig.h"

#include <catch2/catch.hpp>
#include <cstring>

using namespace nvsoc;
using namespace nvsoc::pcie;

namespace {

constexpr uint64_t kNs = 1'000, kMs = 1'000'000'000;
constexpr uint64_t kRam = 0x80000000;

// rp0 (00:01.0) -> br0 (01:00.0 and .1) -> vDSPs 02:0p.0 -> gpu0 below
// vDSP 0 (bus 3), gpu1 below vDSP 2 (bus 5); each GPU has two gen-4 links
// to the bridge (ports 0-1 and 2-3).
struct Rig {
    Platform p;
    NvlinkPcieBridge& br;
    Gpu& g0;
    Gpu& g1;
    explicit Rig(const std::string& bridge_keys, const std::string& link_keys = "")
        : p("platform",
            build_platform_config(parse_config_text(yaml(bridge_keys, link_keys), "test.yaml"),
                                  "test.yaml"),
            nullptr),
          br(dynamic_cast<NvlinkPcieBridge&>(*p.model("br0"))),
          g0(dynamic_cast<Gpu&>(*p.model("gpu0"))), g1(dynamic_cast<Gpu&>(*p.model("gpu1"))) {
        sc_core::sc_start(sc_core::SC_ZERO_TIME);
        p.hart(0).halt();
    }
    static std::string yaml(const std::string& bridge_keys, const std::string& link_keys) {
        std::string y = test::pcie_soc_yaml(1);
        y += fmt::format("  br0: {{type: nvlink-pcie-bridge, bus: rp0, nvlink-ports: 4{}}}\n",
                         bridge_keys);
        y += "  gpu0: {type: gpu, bus: br0, device: 0, nvlink-ports: 2}\n"
             "  gpu1: {type: gpu, bus: br0, device: 2, nvlink-ports: 2}\n"
             "links:\n";
        y += fmt::format("  a0: {{ends: [br0.nvl0, gpu0.nvl0]{}}}\n", link_keys);
        y += "  a1: {ends: [br0.nvl1, gpu0.nvl1]}\n"
             "  b0: {ends: [br0.nvl2, gpu1.nvl0]}\n"
             "  b1: {ends: [br0.nvl3, gpu1.nvl1]}\n";
        return y;
    }
    uint32_t reg(unsigned offset) { return test::bank_read32(br.bar0(), offset); }
    void set_reg(unsigned offset, uint32_t v) { test::bank_write32(br.bar0(), offset, v); }
    uint64_t now() const { return sc_core::sc_time_stamp().value(); }

    // Bus numbers and Bus Master Enable, as enumeration leaves them.
    void enumerate() {
        auto bridge = [](ConfigSpace& cs, unsigned pri, unsigned sec, unsigned sub) {
            REQUIRE(cs.write(0x18, pri | sec << 8 | sub << 16, 4));
            REQUIRE(cs.write(cfg::kCommand, 0x6, 2)); // memory space, bus master
        };
        auto& rp0 = dynamic_cast<PcieNode&>(*p.model("rp0"));
        bridge(*rp0.functions()[0], 0, 1, 5);
        bridge(br.config_space(), 1, 2, 5);
        REQUIRE(br.mgmt_config_space().write(cfg::kCommand, 0x6, 2));
        for (unsigned v = 0; v < 4; ++v)
            bridge(br.vdsp(v).config_space(), 2, 3 + v, 3 + v);
        for (Gpu* g : {&g0, &g1})
            REQUIRE(g->config_space().write(cfg::kCommand, 0x6, 2));
    }
    void enable_ports() {
        set_reg(NVSOC_NVBR_CTRL, NVSOC_NVBR_CTRL_PORTS_ENABLE);
        test::run_until(now() + 20 * kMs); // ALI training
    }
    // A request from below vDSP `v` (the GPU's DMA), at the current time;
    // returns the delay.
    uint64_t dma(unsigned v, bool write, uint64_t address, std::vector<uint8_t>& data,
                 tlm::tlm_response_status& status) {
        tlm::tlm_generic_payload tx;
        tx.set_command(write ? tlm::TLM_WRITE_COMMAND : tlm::TLM_READ_COMMAND);
        tx.set_address(address);
        tx.set_data_ptr(data.data());
        tx.set_data_length(static_cast<unsigned>(data.size()));
        tx.set_streaming_width(static_cast<unsigned>(data.size()));
        tx.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
        sc_core::sc_time delay = sc_core::SC_ZERO_TIME;
        br.vdsp(v).upstream_request(tx, delay);
        status = tx.get_response_status();
        return delay.value();
    }
};

uint16_t slot_status(NvlinkVirtualPort& v) {
    return v.config_space().u16(v.config_space().pcie_offset() + pcie_cap::kSlotStatus);
}

} // namespace

TEST_CASE("nvlink bridge: a switch with a management function, links held OFF until "
          "PORTS_ENABLE, then the slots fill and signal hot-plug events") {
    Rig r("");
    ConfigSpace& usp = r.br.config_space();
    ConfigSpace& mgmt = r.br.mgmt_config_space();
    CHECK((usp.u8(cfg::kHeaderType) & cfg::header_type::kMultiFunction) != 0);
    CHECK(usp.u16(cfg::kDeviceId) == NVSOC_NVBR_USP_DEVICE_ID);
    CHECK(mgmt.u16(cfg::kVendorId) == NVSOC_NVBR_VENDOR_ID);
    CHECK(mgmt.u16(cfg::kDeviceId) == NVSOC_NVBR_DEVICE_ID);
    CHECK((mgmt.u32(0x08) >> 8) == NVSOC_NVBR_PCI_CLASS);
    CHECK(r.br.vdsp_count() == 4);
    CHECK(r.br.vdsp(1).config_space().u16(cfg::kDeviceId) == NVSOC_NVBR_DSP_DEVICE_ID);
    CHECK(r.reg(NVSOC_NVBR_IDENT) == NVSOC_NVBR_IDENT_VALUE);
    CHECK(r.reg(NVSOC_NVBR_NUM_PORTS) == 4);
    CHECK(r.reg(NVSOC_NVBR_NVLINK_ID) == 1); // the first device with NVLink ports
    CHECK(r.reg(NVSOC_NVBR_DMA_WINDOW_BITS) == 47);
    CHECK(r.reg(NVSOC_NVBR_LATENCY_NS) == 150);
    r.enumerate();

    // Every vDSP slot is hot-plug capable with DLL Link Active reporting.
    NvlinkVirtualPort& v0 = r.br.vdsp(0);
    unsigned pc = v0.config_space().pcie_offset();
    CHECK((v0.config_space().u32(pc + pcie_cap::kSlotCapabilities) &
           pcie_cap::sltcap::kHotPlugCapable) != 0);
    CHECK((v0.config_space().u32(pc + pcie_cap::kLinkCapabilities) &
           pcie_cap::lnkcap::kDllActiveReporting) != 0);
    // Software enables the hot-plug interrupt (INTx here: MSI is off).
    REQUIRE(v0.config_space().write(pc + pcie_cap::kSlotControl,
                                    pcie_cap::sltctl::kHotPlugInterruptEnable |
                                        pcie_cap::sltctl::kPresenceChangedEnable |
                                        pcie_cap::sltctl::kDllStateChangedEnable,
                                    2));

    // Held: the links stay OFF, the slots empty, configuration requests to
    // the GPU find no device.
    test::run_until(20 * kMs);
    CHECK((r.reg(NVSOC_NVBR_PORT(0, NVSOC_NVL_STATUS)) & NVSOC_NVL_STATUS_STATE_MASK) ==
          NVSOC_NVL_STATE_OFF);
    CHECK(r.reg(NVSOC_NVBR_PRESENT) == 0);
    CHECK((slot_status(v0) & pcie_cap::sltsta::kPresenceDetect) == 0);
    CHECK(v0.secondary()->route(3, 3, 0, 0) == nullptr);
    CHECK((r.reg(NVSOC_NVBR_BR_ERR_STATUS) & NVSOC_NVBR_BR_ERR_CFG_TO_DOWN_PORT) != 0);
    CHECK_FALSE(r.g0.link_up());

    r.enable_ports();
    CHECK((r.reg(NVSOC_NVBR_PORT(0, NVSOC_NVL_STATUS)) & NVSOC_NVL_STATUS_STATE_MASK) ==
          NVSOC_NVL_STATE_HS);
    CHECK(r.reg(NVSOC_NVBR_PORT(0, NVSOC_NVL_REMOTE_DEVICE)) == 2); // gpu0's NVLink ID
    CHECK(test::bank_read32(r.g0.bar0(), NVSOC_GPU_NVL(0, NVSOC_NVL_REMOTE_LINK)) ==
          (NVSOC_NVL_REMOTE_VALID | NVSOC_NVL_DEVICE_EBRIDGE << NVSOC_NVL_REMOTE_LINK_TYPE_SHIFT));
    CHECK(r.reg(NVSOC_NVBR_PRESENT) == 0x5); // vDSPs 0 and 2 have a GPU
    uint16_t sta = slot_status(v0);
    CHECK((sta & pcie_cap::sltsta::kPresenceDetect) != 0);
    CHECK((sta & pcie_cap::sltsta::kPresenceChanged) != 0);
    CHECK((sta & pcie_cap::sltsta::kDllStateChanged) != 0);
    CHECK((v0.config_space().u16(pc + pcie_cap::kLinkStatus) & pcie_cap::lnksta::kDllLinkActive) !=
          0);
    CHECK((v0.config_space().u16(cfg::kStatus) & cfg::status::kInterruptStatus) != 0);
    CHECK(r.g0.link_up());
    // Configuration requests now reach the GPU.
    ConfigSpace* g = v0.secondary()->route(3, 3, 0, 0);
    REQUIRE(g == &r.g0.config_space());
    // Software clears the events: the interrupt drops.
    REQUIRE(v0.config_space().write(
        pc + pcie_cap::kSlotStatus,
        pcie_cap::sltsta::kPresenceChanged | pcie_cap::sltsta::kDllStateChanged, 2));
    CHECK((v0.config_space().u16(cfg::kStatus) & cfg::status::kInterruptStatus) == 0);
    // vDSP 1 carries gpu0's second link: no device of its own.
    CHECK((slot_status(r.br.vdsp(1)) & pcie_cap::sltsta::kPresenceDetect) == 0);

    // Taking the ports away empties the slots again.
    r.set_reg(NVSOC_NVBR_CTRL, 0);
    test::run_until(r.now() + 1 * kMs);
    CHECK(r.reg(NVSOC_NVBR_PRESENT) == 0);
    CHECK((slot_status(v0) & pcie_cap::sltsta::kPresenceDetect) == 0);
    CHECK_FALSE(r.g0.link_up());
}

TEST_CASE("nvlink bridge: hold-links false trains at power-on, and BAR requests cross NVLink to "
          "the GPU") {
    Rig r(", hold-links: false");
    test::run_until(20 * kMs);
    CHECK(r.reg(NVSOC_NVBR_CTRL) == NVSOC_NVBR_CTRL_PORTS_ENABLE);
    CHECK(r.reg(NVSOC_NVBR_PRESENT) == 0x5);
    r.enumerate();
    // gpu1's BAR0 at 0x40000000, in vDSP 2's window.
    ConfigSpace& cs = r.g1.config_space();
    REQUIRE(cs.write(cfg::kBar0, 0x40000000, 4));
    uint32_t ident = 0;
    tlm::tlm_generic_payload tx;
    tx.set_command(tlm::TLM_READ_COMMAND);
    tx.set_address(0x40000000 + NVSOC_GPU_IDENT);
    tx.set_data_ptr(reinterpret_cast<unsigned char*>(&ident));
    tx.set_data_length(4);
    tx.set_streaming_width(4);
    sc_core::sc_time delay = sc_core::SC_ZERO_TIME;
    r.br.vdsp(2).downstream_request({}, Space::Memory, 0x40000000 + NVSOC_GPU_IDENT, tx, delay);
    REQUIRE(tx.is_response_ok());
    CHECK(ident == NVSOC_GPU_IDENT_VALUE);
    // A request packet and a read-response packet, each a flit or two on a
    // gen-4 link plus the flight (10 ns).
    CHECK(delay.value() >= 2 * 10 * kNs);
    CHECK(delay.value() < 200 * kNs);
    // Nothing below vDSP 1: its window claims nothing.
    tx.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
    r.br.vdsp(1).downstream_request({}, Space::Memory, 0x40000000, tx, delay);
    CHECK(tx.get_response_status() == tlm::TLM_ADDRESS_ERROR_RESPONSE);
}

TEST_CASE("nvlink bridge: GPU DMA reaches memory through the bridge, and beyond the inbound window "
          "it is an Unsupported Request with a FAULT record and the management interrupt") {
    Rig r(", hold-links: false, dma-window-bits: 32");
    test::run_until(20 * kMs);
    r.enumerate();
    r.set_reg(NVSOC_NVBR_CTRL, NVSOC_NVBR_CTRL_PORTS_ENABLE | NVSOC_NVBR_CTRL_INTR_EN);
    r.set_reg(NVSOC_NVBR_BR_ERR_EN, NVSOC_NVBR_BR_ERR_DMA_WINDOW);
    r.set_reg(NVSOC_NVBR_BR_ERR_STATUS, 0xf); // the boot-time CFG_TO_DOWN_PORT, if any
    tlm::tlm_response_status st{};

    std::vector<uint8_t> data(4096);
    for (size_t i = 0; i < data.size(); ++i)
        data[i] = static_cast<uint8_t>(i * 7 + 3);
    r.dma(0, true, kRam + 0x1000, data, st);
    REQUIRE(st == tlm::TLM_OK_RESPONSE);
    std::vector<uint8_t> back(4096);
    r.dma(0, false, kRam + 0x1000, back, st);
    REQUIRE(st == tlm::TLM_OK_RESPONSE);
    CHECK(back == data);
    test::run_until(r.now() + 1 * kMs); // the counters catch up
    CHECK(r.reg(NVSOC_NVBR_PORT(0, NVSOC_NVL_TL_RX_BYTES)) +
              r.reg(NVSOC_NVBR_PORT(1, NVSOC_NVL_TL_RX_BYTES)) ==
          4096);

    // The last bytes of the window pass the bridge (nothing is there: the
    // SoC bus answers), the first byte beyond it does not.
    std::vector<uint8_t> small(64);
    r.dma(2, true, (1ull << 32) - 64, small, st);
    CHECK(r.reg(NVSOC_NVBR_FAULT_PUT) == 0);
    CHECK((r.br.mgmt_config_space().u16(cfg::kStatus) & cfg::status::kInterruptStatus) == 0);
    r.dma(2, true, (1ull << 32) - 32, small, st);
    CHECK(st == tlm::TLM_ADDRESS_ERROR_RESPONSE);
    REQUIRE(r.reg(NVSOC_NVBR_FAULT_PUT) == 1);
    CHECK(r.reg(NVSOC_NVBR_FAULT(0, NVSOC_NVBR_FAULT_ADDR_LO)) == 0xffffffe0u);
    CHECK(r.reg(NVSOC_NVBR_FAULT(0, NVSOC_NVBR_FAULT_ADDR_HI)) == 0);
    CHECK(r.reg(NVSOC_NVBR_FAULT(0, NVSOC_NVBR_FAULT_LEN)) == 64);
    uint32_t info = r.reg(NVSOC_NVBR_FAULT(0, NVSOC_NVBR_FAULT_INFO));
    CHECK((info & NVSOC_NVBR_FAULT_INFO_VALID) != 0);
    CHECK((info & NVSOC_NVBR_FAULT_INFO_WRITE) != 0);
    CHECK((info & NVSOC_NVBR_FAULT_INFO_PORT_MASK) >> NVSOC_NVBR_FAULT_INFO_PORT_SHIFT == 2);
    CHECK((r.reg(NVSOC_NVBR_BR_ERR_STATUS) & NVSOC_NVBR_BR_ERR_DMA_WINDOW) != 0);
    CHECK(r.reg(NVSOC_NVBR_INTR_PENDING) == NVSOC_NVBR_INTR_PENDING_BRIDGE);
    CHECK((r.br.mgmt_config_space().u16(cfg::kStatus) & cfg::status::kInterruptStatus) != 0);
    // The vDSP logged the Unsupported Request it answered.
    ConfigSpace& v2 = r.br.vdsp(2).config_space();
    CHECK((v2.u32(v2.aer_offset() + aer::kUncorrectableStatus) & aer::kUnsupportedRequest) != 0);
    // A read beyond it too; software drains the ring and clears the error.
    r.dma(0, false, 1ull << 33, small, st);
    CHECK(st == tlm::TLM_ADDRESS_ERROR_RESPONSE);
    CHECK(r.reg(NVSOC_NVBR_FAULT_PUT) == 2);
    CHECK((r.reg(NVSOC_NVBR_FAULT(1, NVSOC_NVBR_FAULT_INFO)) & NVSOC_NVBR_FAULT_INFO_WRITE) == 0);
    r.set_reg(NVSOC_NVBR_FAULT_GET, 2);
    r.set_reg(NVSOC_NVBR_BR_ERR_STATUS, NVSOC_NVBR_BR_ERR_DMA_WINDOW);
    CHECK(r.reg(NVSOC_NVBR_INTR_PENDING) == 0);
    CHECK((r.br.mgmt_config_space().u16(cfg::kStatus) & cfg::status::kInterruptStatus) == 0);
    // Eight more fill the ring; the ninth is lost and says so.
    for (unsigned i = 0; i < 9; ++i)
        r.dma(0, true, 1ull << 34, small, st);
    CHECK(r.reg(NVSOC_NVBR_FAULT_PUT) == 10);
    CHECK((r.reg(NVSOC_NVBR_BR_ERR_STATUS) & NVSOC_NVBR_BR_ERR_FAULT_OVERFLOW) != 0);
}

TEST_CASE("nvlink bridge: a 1 MiB DMA read takes the NVLink responses' time, composed with "
          "the upstream port's PCIe path, within 1%") {
    Rig r(", hold-links: false, latency: 150ns");
    test::run_until(20 * kMs);
    r.enumerate();
    tlm::tlm_response_status st{};
    constexpr uint64_t kLen = 1 << 20;
    std::vector<uint8_t> buf(kLen);
    // The PCIe part alone: the bridge's upstream port and rp0's link.
    tlm::tlm_generic_payload tx;
    tx.set_command(tlm::TLM_READ_COMMAND);
    tx.set_address(kRam);
    tx.set_data_ptr(buf.data());
    tx.set_data_length(kLen);
    tx.set_streaming_width(kLen);
    sc_core::sc_time d = sc_core::SC_ZERO_TIME;
    static_cast<PcieUpstream&>(r.br).upstream_request(tx, d);
    REQUIRE(tx.is_response_ok());
    double pcie = static_cast<double>(d.value());
    CHECK(pcie > 2 * 150 * kNs);
    test::run_until(r.now() + 1 * kMs); // the links are idle again

    uint64_t took = r.dma(0, false, kRam, buf, st);
    REQUIRE(st == tlm::TLM_OK_RESPONSE);
    // NVLink 4: 2 lanes x 106.25 Gb/s per direction; a full read-response
    // packet is 17 flits of 16 bytes for 256 bytes. The 4096 packets are
    // split over the GPU's two links. The request is one flit, then the
    // flight and receiver check each way.
    constexpr double kLinkBytesPerPs = 2 * 106.25e9 / 8 / 1e12;
    constexpr double kHop = 15 * kNs;
    double request = 16 / kLinkBytesPerPs + kHop;
    double nvlink = 2048 * 17 * 16 / kLinkBytesPerPs + kHop;
    double last = 17 * 16 / kLinkBytesPerPs + kHop;
    double expected = std::max(request + nvlink, request + pcie + last);
    CHECK(static_cast<double>(took) == Approx(expected).epsilon(0.01));
    // Here NVLink bounds it (two gen-4 links, 50 GB/s, below Gen5 x16).
    CHECK(request + nvlink > request + pcie + last);
}

TEST_CASE("nvlink bridge: CRC errors on a GPU's link are Bad TLPs at the receiving end, and a link "
          "failure is a Surprise Down at the vDSP and in the bridge's error registers") {
    Rig r(", hold-links: false", ", crc-errors-at: \"1-2\", link-down-at: 30ms");
    test::run_until(20 * kMs);
    r.enumerate();
    r.set_reg(NVSOC_NVBR_BR_ERR_STATUS, 0xf);
    tlm::tlm_response_status st{};
    std::vector<uint8_t> data(8192, 0x33);
    r.dma(0, true, kRam, data, st);
    REQUIRE(st == tlm::TLM_OK_RESPONSE);
    test::run_until(r.now() + 1 * kMs);
    // The GPU's DMA write goes GPU -> bridge: the bridge's receiver (the
    // vDSP) drops the bad flits, the GPU's receives nothing of it.
    ConfigSpace& g = r.g0.config_space();
    ConfigSpace& vc = r.br.vdsp(0).config_space();
    CHECK((vc.u32(vc.aer_offset() + aer::kCorrectableStatus) & aer::kBadTlp) != 0);
    CHECK((g.u32(g.aer_offset() + aer::kCorrectableStatus) & aer::kBadTlp) == 0);
    CHECK((r.reg(NVSOC_NVBR_BR_ERR_STATUS) & NVSOC_NVBR_BR_ERR_LINK_CORRECTED) != 0);
    CHECK((r.reg(NVSOC_NVBR_BR_ERR_STATUS) & NVSOC_NVBR_BR_ERR_SURPRISE_DOWN) == 0);
    CHECK(r.reg(NVSOC_NVBR_PORT(0, NVSOC_NVL_DL_REPLAY)) +
              test::bank_read32(r.g0.bar0(), NVSOC_GPU_NVL(0, NVSOC_NVL_DL_REPLAY)) >
          0);

    NvlinkVirtualPort& v0 = r.br.vdsp(0);
    test::run_until(31 * kMs);
    CHECK((r.reg(NVSOC_NVBR_PORT(0, NVSOC_NVL_STATUS)) & NVSOC_NVL_STATUS_STATE_MASK) ==
          NVSOC_NVL_STATE_FAULT);
    CHECK((r.reg(NVSOC_NVBR_PORT(0, NVSOC_NVL_ERR_STATUS)) & NVSOC_NVL_ERR_LINK_DOWN) != 0);
    CHECK(r.reg(NVSOC_NVBR_PRESENT) == 0x4);
    ConfigSpace& v = v0.config_space();
    CHECK((v.u32(v.aer_offset() + aer::kUncorrectableStatus) & aer::kSurpriseDown) != 0);
    uint16_t sta = slot_status(v0);
    CHECK((sta & pcie_cap::sltsta::kPresenceDetect) == 0);
    CHECK((sta & pcie_cap::sltsta::kDllStateChanged) != 0);
    CHECK((r.reg(NVSOC_NVBR_BR_ERR_STATUS) & NVSOC_NVBR_BR_ERR_SURPRISE_DOWN) != 0);
    CHECK_FALSE(r.g0.link_up());
    // The DMA of a GPU whose link failed does not get through.
    r.dma(0, true, kRam, data, st);
    CHECK(st != tlm::TLM_OK_RESPONSE);
    // gpu1 is unaffected.
    r.dma(2, true, kRam, data, st);
    CHECK(st == tlm::TLM_OK_RESPONSE);
}

TEST_CASE("nvlink bridge: GPUs behind one bridge are PCIe peers: the upstream port turns gpu0's "
          "request down vDSP 2 and over gpu1's NVLink links") {
    Rig r(", hold-links: false");
    test::run_until(20 * kMs);
    r.enumerate();
    // gpu1's BAR0 at 0x40000000; the windows of the upstream port and of
    // vDSP 2 hold it (Memory Base/Limit: address bits 31:20).
    REQUIRE(r.g1.config_space().write(cfg::kBar0, 0x40000000, 4));
    REQUIRE(r.br.config_space().write(cfg::kMemoryBase, 0x40f04000, 4));
    REQUIRE(r.br.vdsp(2).config_space().write(cfg::kMemoryBase, 0x40f04000, 4));
    std::vector<uint8_t> ident(4);
    tlm::tlm_response_status st{};
    uint64_t took = r.dma(0, false, 0x40000000 + NVSOC_GPU_IDENT, ident, st);
    REQUIRE(st == tlm::TLM_OK_RESPONSE);
    uint32_t v = 0;
    std::memcpy(&v, ident.data(), 4);
    CHECK(v == NVSOC_GPU_IDENT_VALUE);
    nlohmann::json j;
    r.br.stats(j);
    CHECK(j["peer_requests"] == 1);
    CHECK(j["requests_up"] == 0); // it never left the bridge
    // Up gpu0's link and down gpu1's (a request packet and a response
    // each, 10 ns of flight at least), and the bridge's latency each way.
    CHECK(took >= 2 * 150 * kNs + 4 * 10 * kNs);
    CHECK(took < 2 * 150 * kNs + 200 * kNs);
}
