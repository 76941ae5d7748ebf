// The PCIe fabric as software sees it: a host bridge, root ports and the
// pci-epf-test endpoint built from YAML, driven through the SoC bus the way
// Linux's enumeration and the pci_endpoint_test driver drive them, with
// simulated time running for link training and DMA.
#include "models/core/pcie_extension.h"
#include "models/pcie/epf_test.h"
#include "models/pcie/root_port.h"
#include "platforms/platform.h"
#include "support/soc_yaml.h"
#include "support/tlm_initiator.h"

#include <catch2/catch.hpp>

#include <cmath>
#include <vector>

using namespace nvsoc;
using namespace nvsoc::pcie;
using namespace nvsoc::test;

namespace {

constexpr uint64_t kEcam = 0x30000000, kMmio = 0x40000000, kRam = 0x80000000;
constexpr unsigned kPlicIntA = 32; // PLIC sources of INTA..INTD

// One hart, RAM, the PLIC and the host bridge: what every fabric test has.
const std::string kHostYaml = pcie_soc_yaml(0);

std::string fabric_yaml(const std::string& root_port_extra = "", const std::string& ep_extra = "") {
    return std::string(kHostYaml) + R"(  rp0:  {type: pcie-root-port, bus: pcie, device: 1)" +
           root_port_extra + R"(}
  epf0: {type: pci-epf-test, bus: rp0)" +
           ep_extra + "}\n";
}

uint64_t ecam(unsigned bus, unsigned dev, unsigned reg) {
    return kEcam + (uint64_t{bus} << 20 | dev << 15 | reg);
}

// Sizes the six BARs of `bus`:00.0 as Linux does (all ones written, the
// size mask read back) and packs them from `at` down from BAR5, each
// aligned to its size (at least a page), as Linux's assignment would.
void assign_bars(TlmInitiator& cpu, unsigned bus, uint64_t at) {
    for (int b = 5; b >= 0; --b) {
        uint64_t reg = ecam(bus, 0, cfg::kBar0 + 4 * b);
        cpu.write32(reg, 0xffffffff);
        uint64_t size = (~uint64_t{cpu.read32(reg) & ~0xfu} + 1) & 0xffffffff;
        size = std::max<uint64_t>(size, 0x1000);
        at = (at + size - 1) / size * size;
        cpu.write32(reg, static_cast<uint32_t>(at));
        at += size;
    }
}

struct Fabric {
    Platform p;
    TlmInitiator cpu;
    RootPort& rp;
    EpfTest& ep;
    explicit Fabric(const std::string& yaml)
        : p("platform", build_platform_config(parse_config_text(yaml, "test.yaml"), "test.yaml"),
            nullptr),
          rp(dynamic_cast<RootPort&>(*p.model("rp0"))),
          ep(dynamic_cast<EpfTest&>(*p.model("epf0"))) {
        cpu.socket.bind(p.router().target);
        elaborate();
        p.hart(0).halt();
    }
    void run(double ms) { sc_core::sc_start(sc_core::sc_time(ms, sc_core::SC_MS)); }
    unsigned rp_cap(unsigned reg) const { return rp.config_space().pcie_offset() + reg; }
    unsigned ep_cap(unsigned reg) const { return ep.config_space().pcie_offset() + reg; }
    unsigned rp_aer(unsigned reg) const { return rp.config_space().aer_offset() + reg; }
    unsigned ep_aer(unsigned reg) const { return ep.config_space().aer_offset() + reg; }
    // What Linux's enumeration leaves: bus 1 behind rp0, the endpoint's
    // BARs packed from the 32-bit window's start, the window covering them,
    // memory decoding and bus mastering on.
    void enumerate() {
        cpu.write(ecam(0, 1, cfg::kPrimaryBus), 0x010100,
                  4); // primary 0, secondary 1, subordinate 1
        // BAR5 (1 MiB) at kMmio + 1 MiB, the rest above it, all inside the
        // root port's 4 MiB window.
        assign_bars(cpu, 1, kMmio + 0x100000);
        cpu.write(ecam(0, 1, cfg::kMemoryBase), (kMmio >> 16) | ((kMmio + 0x3fffff) >> 16) << 16,
                  4);
        cpu.write(ecam(0, 1, cfg::kCommand), 0x6, 2);
        cpu.write(ecam(1, 0, cfg::kCommand), 0x6, 2);
    }
    uint64_t bar(unsigned b) const { return ep.config_space().bar_address(b); }
    uint32_t reg(unsigned offset) { return cpu.read32(bar(0) + offset); }
    void set_reg(unsigned offset, uint32_t v) { cpu.write32(bar(0) + offset, v); }
    bool plic_pending(unsigned source) {
        return (cpu.read32(0xc000000 + 0x1000 + 4 * (source / 32)) >> (source % 32)) & 1;
    }
    // Runs a command as pci_endpoint_test does and waits for its interrupt.
    uint32_t command(uint32_t cmd, uint64_t src, uint64_t dst, uint32_t size) {
        set_reg(epf_test::kSrcLow, static_cast<uint32_t>(src));
        set_reg(epf_test::kSrcHigh, static_cast<uint32_t>(src >> 32));
        set_reg(epf_test::kDstLow, static_cast<uint32_t>(dst));
        set_reg(epf_test::kDstHigh, static_cast<uint32_t>(dst >> 32));
        set_reg(epf_test::kSize, size);
        set_reg(epf_test::kIrqType, epf_test::kIrqTypeIntx);
        set_reg(epf_test::kIrqNumber, 1);
        set_reg(epf_test::kStatus, 0); // (the endpoint clears it too, a poll later)
        set_reg(epf_test::kCommand, cmd);
        for (int i = 0; i < 1000 && !(ep.reg(epf_test::kStatus) & epf_test::kIrqRaised); ++i)
            run(0.01);
        return reg(epf_test::kStatus);
    }
};

} // namespace

TEST_CASE("pcie fabric: enumeration sees the root port, then the endpoint behind it") {
    Fabric f(fabric_yaml());
    CHECK(f.cpu.read32(ecam(0, 1, 0)) == 0x000c1b36);
    CHECK(f.cpu.read32(ecam(0, 1, cfg::kRevisionId)) >> 8 == 0x060400);
    CHECK((f.cpu.read8(ecam(0, 1, cfg::kHeaderType)) & 0x7f) == 1);
    CHECK(f.cpu.read32(ecam(0, 0, 0)) == 0xffffffff); // no device 0 on the root bus
    // Until software numbers bus 1, nothing is forwarded there.
    f.run(25); // (and the link is up)
    CHECK(f.cpu.read32(ecam(1, 0, 0)) == 0xffffffff);
    f.cpu.write(ecam(0, 1, cfg::kPrimaryBus), 0x010100, 4);
    CHECK(f.cpu.read32(ecam(1, 0, 0)) == 0xb500104c);
    CHECK(f.cpu.read32(ecam(1, 0, cfg::kRevisionId)) >> 8 == 0xff0000);
    // A link carries device 0 only.
    CHECK(f.cpu.read32(ecam(1, 1, 0)) == 0xffffffff);
    // BAR sizing: all ones written, the size mask read back.
    f.cpu.write32(ecam(1, 0, cfg::kBar0 + 20), 0xffffffff);
    CHECK(f.cpu.read32(ecam(1, 0, cfg::kBar0 + 20)) == 0xfff00000); // 1 MiB, 32-bit memory
}

TEST_CASE("pcie fabric: the link trains in simulated time to Gen5 x16 on both ends") {
    Fabric f(fabric_yaml());
    f.cpu.write(ecam(0, 1, cfg::kPrimaryBus), 0x010100, 4);
    f.run(10);
    // Before DL_Up, configuration requests below the port are UR.
    CHECK(f.cpu.read32(ecam(1, 0, 0)) == 0xffffffff);
    uint16_t lnksta = f.cpu.read(ecam(0, 1, f.rp_cap(pcie_cap::kLinkStatus)), 2);
    CHECK((lnksta & pcie_cap::lnksta::kDllLinkActive) == 0); // Detect.Quiet takes 12 ms
    f.run(15);
    lnksta = f.cpu.read(ecam(0, 1, f.rp_cap(pcie_cap::kLinkStatus)), 2);
    CHECK((lnksta & pcie_cap::lnksta::kSpeedMask) == 5);
    CHECK(((lnksta & pcie_cap::lnksta::kWidthMask) >> 4) == 16);
    CHECK((lnksta & pcie_cap::lnksta::kDllLinkActive) != 0);
    CHECK((lnksta & pcie_cap::lnksta::kLinkTraining) == 0);
    f.cpu.write(ecam(0, 1, cfg::kPrimaryBus), 0x010100, 4);
    uint16_t ep_lnksta = f.cpu.read(ecam(1, 0, f.ep_cap(pcie_cap::kLinkStatus)), 2);
    CHECK((ep_lnksta & 0x3ff) == (lnksta & 0x3ff));
    CHECK(f.rp.below() == &f.ep);
}

TEST_CASE("pcie fabric: failed lanes and a failing speed downtrain the link") {
    {
        Fabric f(fabric_yaml(", failed-lanes: \"8-15\", failing-speed: gen4"));
        f.run(60);
        CHECK(f.rp.link().width() == 8);
        CHECK(f.rp.link().speed() == 3);
        uint16_t lnksta = f.rp.config_space().u16(f.rp_cap(pcie_cap::kLinkStatus));
        CHECK((lnksta & 0x3ff) == (8u << 4 | 3));
    }
}

TEST_CASE("pcie fabric: a link that never trains keeps DLLLA clear and requests get UR") {
    Fabric f(fabric_yaml(", training-fails: true"));
    f.run(100);
    CHECK_FALSE(f.rp.link().dll_active());
    CHECK(f.rp.link().training_failures() >= 2); // 12 ms Detect + 24 ms timeout each
    // Enumeration finds nothing behind the dead link.
    f.cpu.write(ecam(0, 1, cfg::kPrimaryBus), 0x010100, 4);
    CHECK(f.cpu.read32(ecam(1, 0, 0)) == 0xffffffff);
    f.enumerate();
    CHECK(f.cpu.read32(kMmio + 0x3fe000) == 0xffffffff); // master abort through a dead link
}

TEST_CASE("pcie fabric: BAR accesses route through the root port's window") {
    Fabric f(fabric_yaml());
    f.run(25);
    f.enumerate();
    f.set_reg(epf_test::kMagic, 0xa0a0a0a0);
    CHECK(f.reg(epf_test::kMagic) == 0xa0a0a0a0);
    f.cpu.write(f.bar(5) + 0xffff8, 0x1122334455667788, 8);
    CHECK(f.cpu.read(f.bar(5) + 0xffff8, 8) == 0x1122334455667788);
    // The read took the link's round trip in simulated time.
    f.cpu.delay = sc_core::SC_ZERO_TIME;
    f.reg(epf_test::kMagic);
    CHECK(f.cpu.delay > sc_core::sc_time(200, sc_core::SC_NS));
    // Memory decoding off at the endpoint: master abort, all ones.
    f.cpu.write(ecam(1, 0, cfg::kCommand), 0x4, 2);
    CHECK(f.reg(epf_test::kMagic) == 0xffffffff);
    f.cpu.write(ecam(1, 0, cfg::kCommand), 0x6, 2);
    // Outside the bridge's window: not forwarded.
    f.cpu.write(ecam(0, 1, cfg::kMemoryBase), (kMmio >> 16) | (kMmio >> 16) << 16, 4);
    CHECK(f.cpu.read32(f.bar(0)) == 0xffffffff);
}

TEST_CASE("pcie fabric: pci-epf-test READ, WRITE and COPY move data by DMA with CRC32") {
    Fabric f(fabric_yaml());
    f.run(25);
    f.enumerate();
    std::vector<uint8_t> data(1025);
    for (size_t i = 0; i < data.size(); ++i)
        data[i] = static_cast<uint8_t>(i * 7 + 3);
    REQUIRE(f.p.write_memory(kRam + 0x1003, data.data(), data.size()));
    // READ: the endpoint checks the CRC32 the host put in CHECKSUM.
    f.set_reg(epf_test::kChecksum, epf_test::crc32_le(~0u, data.data(), data.size()));
    CHECK(f.command(epf_test::kRead, kRam + 0x1003, 0, 1025) ==
          (epf_test::kReadSuccess | epf_test::kIrqRaised));
    f.set_reg(epf_test::kChecksum, 0);
    CHECK((f.command(epf_test::kRead, kRam + 0x1003, 0, 1025) & epf_test::kReadFail) != 0);
    // WRITE: data lands in RAM and CHECKSUM holds its CRC32.
    CHECK(f.command(epf_test::kWrite, 0, kRam + 0x10000, 1024001) ==
          (epf_test::kWriteSuccess | epf_test::kIrqRaised));
    std::vector<uint8_t> got(1024001);
    REQUIRE(f.p.read_memory(kRam + 0x10000, got.data(), got.size()));
    CHECK(epf_test::crc32_le(~0u, got.data(), got.size()) == f.reg(epf_test::kChecksum));
    // COPY: host memory to host memory through the endpoint.
    CHECK(f.command(epf_test::kCopy, kRam + 0x1003, kRam + 0x200001, 1025) ==
          (epf_test::kCopySuccess | epf_test::kIrqRaised));
    std::vector<uint8_t> copy(1025);
    REQUIRE(f.p.read_memory(kRam + 0x200001, copy.data(), copy.size()));
    CHECK(copy == data);
    // The root port counted the upstream traffic.
    nlohmann::json s;
    f.rp.stats(s);
    CHECK(s["link"]["upstream"]["bytes"] == 1025u * 2 + 1024001 + 1025 + 1025);
}

TEST_CASE("pcie fabric: DMA with bus mastering off goes nowhere") {
    Fabric f(fabric_yaml());
    f.run(25);
    f.enumerate();
    std::vector<uint8_t> zeros(64, 0);
    REQUIRE(f.p.write_memory(kRam + 0x4000, zeros.data(), zeros.size()));
    // The endpoint's own Bus Master Enable: the request is never sent.
    f.cpu.write(ecam(1, 0, cfg::kCommand), 0x2, 2);
    CHECK((f.command(epf_test::kWrite, 0, kRam + 0x4000, 64) & epf_test::kWriteFail) != 0);
    // The root port's: the bridge refuses to forward it (Unsupported Request).
    f.cpu.write(ecam(1, 0, cfg::kCommand), 0x6, 2);
    f.cpu.write(ecam(0, 1, cfg::kCommand), 0x2, 2);
    CHECK((f.command(epf_test::kWrite, 0, kRam + 0x4000, 64) & epf_test::kWriteFail) != 0);
    CHECK((f.rp.config_space().u32(f.rp_aer(aer::kUncorrectableStatus)) &
           aer::kUnsupportedRequest) != 0);
    std::vector<uint8_t> got(64);
    REQUIRE(f.p.read_memory(kRam + 0x4000, got.data(), got.size()));
    CHECK(got == zeros);
    // DMA to an address nothing decodes: UR, Received Master Abort.
    f.cpu.write(ecam(0, 1, cfg::kCommand), 0x6, 2);
    CHECK((f.command(epf_test::kWrite, 0, 0x20000000, 64) & epf_test::kWriteFail) != 0);
    CHECK((f.ep.config_space().status() & cfg::status::kReceivedMasterAbort) != 0);
}

namespace {
// Gen5 x16 (docs/pcie.md, TLP timing): 32 GT/s x 128/130 x 16 lanes, TLP
// bytes plus 8 of framing, rounded to the picosecond.
uint64_t gen5x16_tlp_ps(unsigned bytes) {
    return uint64_t(std::llround((bytes + 8) * 8.0 * 130 / 128 * 1000 / (32 * 16)));
}

// A DMA read of `length` bytes from RAM by requester `bus`:0.0, sent up
// through the root port as PcieNode::dma sends it; returns its extension.
PcieExtension dma_read(RootPort& rp, unsigned bus, uint64_t length, sc_core::sc_time& delay) {
    std::vector<uint8_t> data(length);
    tlm::tlm_generic_payload tx;
    tx.set_command(tlm::TLM_READ_COMMAND);
    tx.set_address(kRam);
    tx.set_data_ptr(data.data());
    tx.set_data_length(static_cast<unsigned>(length));
    tx.set_streaming_width(static_cast<unsigned>(length));
    PcieExtension ext;
    ext.requester_id = make_requester_id(bus, 0, 0);
    ext.max_payload = 256;
    ext.max_read_request = 512;
    ext.issued_ps = 1; // (what the requester's dma() starts it at)
    tx.set_extension(&ext);
    tx.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
    rp.upstream_request(tx, delay);
    tx.clear_extension(&ext);
    CHECK(tx.is_response_ok());
    return ext;
}
} // namespace

TEST_CASE("pcie fabric: a device's DMA reads take its read-tags on its own link and say when "
          "their last request left") {
    // 8 KiB in 16 reads of 512 bytes; with one tag each read waits for the
    // last one's completions: the request, the root port's 200 ns
    // read-latency and two 256-byte completions.
    const uint64_t request = gen5x16_tlp_ps(12), completion = gen5x16_tlp_ps(12 + 256);
    const uint64_t round_trip = request + 200'000 + 2 * completion;
    Fabric f(fabric_yaml("", ", read-tags: 1"));
    f.run(25);
    f.enumerate();
    uint64_t t0 = sc_core::sc_time_stamp().value();
    sc_core::sc_time delay = sc_core::SC_ZERO_TIME;
    PcieExtension ext = dma_read(f.rp, 1, 8192, delay);
    CHECK(ext.issued_ps == t0 + 15 * round_trip);
    CHECK(t0 + delay.value() >= t0 + 16 * round_trip);
    // A read from further down (through a switch, bus 2) is passed on: its
    // tags are counted on its own link, so its requests go back to back,
    // and issued_ps is left as it came.
    f.run(1);
    uint64_t t1 = sc_core::sc_time_stamp().value();
    delay = sc_core::SC_ZERO_TIME;
    PcieExtension passed = dma_read(f.rp, 2, 8192, delay);
    CHECK(passed.issued_ps == 1);
    CHECK(t1 + delay.value() < t1 + 2 * round_trip);
}

TEST_CASE("pcie fabric: INTx is swizzled to its PLIC line and drops when STATUS is read") {
    Fabric f(fabric_yaml());
    f.run(25);
    f.enumerate();
    f.set_reg(epf_test::kIrqType, epf_test::kIrqTypeIntx);
    f.set_reg(epf_test::kCommand, epf_test::kRaiseIntx);
    f.run(0.01);
    // 01:00.0's INTA is INTA at rp0 (pin 0 + device 0), and rp0 is device 1
    // on the root bus: line (1 + 0) mod 4, INTB, PLIC source 33.
    CHECK(f.plic_pending(kPlicIntA + 1));
    CHECK_FALSE(f.plic_pending(kPlicIntA));
    CHECK((f.ep.config_space().status() & cfg::status::kInterruptStatus) != 0);
    CHECK((f.reg(epf_test::kStatus) & epf_test::kIrqRaised) != 0);
    CHECK_FALSE(f.plic_pending(kPlicIntA + 1));
    // Interrupt Disable masks the message.
    f.set_reg(epf_test::kCommand, epf_test::kRaiseIntx);
    f.cpu.write(ecam(1, 0, cfg::kCommand), 0x6 | cfg::command::kInterruptDisable, 2);
    f.run(0.01);
    CHECK_FALSE(f.plic_pending(kPlicIntA + 1));
    f.cpu.write(ecam(1, 0, cfg::kCommand), 0x6, 2);
    CHECK(f.plic_pending(kPlicIntA + 1));
}

TEST_CASE("pcie fabric: Retrain Link sets LBMS, Link Disable and Secondary Bus Reset take the link "
          "down") {
    Fabric f(fabric_yaml());
    f.run(25);
    f.enumerate();
    unsigned lnkctl = f.rp_cap(pcie_cap::kLinkControl);
    f.cpu.write(ecam(0, 1, lnkctl), pcie_cap::lnkctl::kRetrainLink, 2);
    f.run(1);
    uint16_t lnksta = f.cpu.read(ecam(0, 1, f.rp_cap(pcie_cap::kLinkStatus)), 2);
    CHECK((lnksta & pcie_cap::lnksta::kBandwidthManagement) != 0);
    CHECK((lnksta & pcie_cap::lnksta::kDllLinkActive) != 0);
    f.cpu.write(ecam(0, 1, lnkctl), pcie_cap::lnkctl::kLinkDisable, 2);
    f.run(1);
    CHECK_FALSE(f.rp.link().dll_active());
    CHECK(f.rp.link().state() == LtssmState::Disabled);
    f.cpu.write(ecam(0, 1, lnkctl), 0, 2);
    f.run(25);
    CHECK(f.rp.link().dll_active());
    // The endpoint took the disabled link's DL_Down as a reset.
    CHECK(f.cpu.read(ecam(1, 0, cfg::kCommand), 2) == 0);
    // Secondary Bus Reset: the endpoint's configuration is reset.
    f.enumerate();
    CHECK(f.cpu.read(ecam(1, 0, cfg::kCommand), 2) == 0x6);
    f.cpu.write(ecam(0, 1, cfg::kBridgeControl), cfg::bridge_control::kSecondaryBusReset, 2);
    f.run(3);
    f.cpu.write(ecam(0, 1, cfg::kBridgeControl), 0, 2);
    f.run(25);
    CHECK(f.rp.link().dll_active());
    CHECK(f.cpu.read(ecam(1, 0, cfg::kCommand), 2) == 0);
    CHECK(f.bar(0) == 0);
}

TEST_CASE("pcie fabric: LCRC errors replay, log Bad TLP and reach Root Error Status and INTx") {
    Fabric f(fabric_yaml(", lcrc-error-every: 3"));
    f.run(25);
    f.enumerate();
    // Error reporting on, as Linux's AER driver sets it up.
    unsigned devctl = pcie_cap::devctl::kCorrectableReporting |
                      pcie_cap::devctl::kNonFatalReporting | pcie_cap::devctl::kFatalReporting;
    f.cpu.write(ecam(1, 0, f.ep_cap(pcie_cap::kDeviceControl)), devctl, 2);
    f.cpu.write(ecam(0, 1, f.rp_cap(pcie_cap::kDeviceControl)), devctl, 2);
    f.cpu.write32(ecam(0, 1, f.rp_aer(aer::kRootErrorCommand)), 0x7);
    CHECK(f.command(epf_test::kWrite, 0, kRam + 0x10000, 4096) ==
          (epf_test::kWriteSuccess | epf_test::kIrqRaised));
    // Upstream TLPs with LCRC errors are caught at the root port's receiver;
    // downstream ones (BAR writes) at the endpoint's.
    CHECK((f.rp.config_space().u32(f.rp_aer(aer::kCorrectableStatus)) & aer::kBadTlp) != 0);
    CHECK((f.ep.config_space().u32(f.ep_aer(aer::kCorrectableStatus)) & aer::kBadTlp) != 0);
    uint32_t root_status = f.cpu.read32(ecam(0, 1, f.rp_aer(aer::kRootErrorStatus)));
    CHECK((root_status & aer::kErrCorReceived) != 0);
    CHECK((root_status & aer::kMultipleErrCorReceived) != 0);
    nlohmann::json s;
    f.rp.stats(s);
    CHECK(s["link"]["upstream"]["replays"].get<uint64_t>() > 0);
    // The root port's own INTA (device 1 -> INTB line) is up while the status is set.
    CHECK(f.plic_pending(kPlicIntA + 1));
    f.cpu.write32(ecam(0, 1, f.rp_aer(aer::kRootErrorStatus)), root_status);
    f.reg(epf_test::kStatus); // and the endpoint's INTx is acknowledged
    CHECK_FALSE(f.plic_pending(kPlicIntA + 1));
}

TEST_CASE("pcie fabric: a surprise down is logged at the root port and requests fail") {
    Fabric f(fabric_yaml(", surprise-down-at: 30ms"));
    f.run(25);
    f.enumerate();
    uint64_t bar0 = f.bar(0);
    CHECK(f.cpu.read32(bar0) == 0);
    f.run(40);
    CHECK_FALSE(f.rp.link().dll_active());
    CHECK((f.rp.config_space().u32(f.rp_aer(aer::kUncorrectableStatus)) & aer::kSurpriseDown) != 0);
    CHECK((f.rp.config_space().u16(f.rp_cap(pcie_cap::kSlotStatus)) &
           pcie_cap::sltsta::kDllStateChanged) != 0);
    CHECK(f.cpu.read32(bar0) == 0xffffffff);
    CHECK(f.bar(0) == 0); // DL_Down reset the endpoint
}

TEST_CASE("pcie fabric: an MSI is a memory write of the message data upstream") {
    Fabric f(fabric_yaml());
    f.run(25);
    f.enumerate();
    unsigned msi = f.ep.config_space().msi_offset();
    REQUIRE(msi != 0);
    auto layout = f.ep.config_space().msi_layout();
    f.cpu.write32(ecam(1, 0, msi + msi::kAddressLow), static_cast<uint32_t>(kRam + 0x8000));
    f.cpu.write32(ecam(1, 0, msi + msi::kAddressHigh), 0);
    f.cpu.write(ecam(1, 0, layout.data), 0x40, 2);
    // Enable with 4 vectors (Multiple Message Enable = 2).
    f.cpu.write(ecam(1, 0, msi + msi::kControl), msi::kEnable | 2u << 4, 2);
    f.set_reg(epf_test::kIrqType, epf_test::kIrqTypeMsi);
    f.set_reg(epf_test::kIrqNumber, 3);
    f.set_reg(epf_test::kCommand, epf_test::kRaiseMsi);
    f.run(0.01);
    uint32_t word = 0;
    REQUIRE(f.p.read_memory(kRam + 0x8000, reinterpret_cast<uint8_t*>(&word), 4));
    CHECK(word == 0x42); // vector 3: the data's low bits are 2
    CHECK((f.reg(epf_test::kStatus) & epf_test::kIrqRaised) != 0);
    CHECK_FALSE(f.plic_pending(kPlicIntA + 1)); // no INTx for an MSI
}

namespace {
// A RAM page where the IMSIC's S-level interrupt files will be (hart 0's at
// 0x28000000): MSI and MSI-X messages land there as the plain 4-byte
// writes they are, so a test reads what each one wrote.
constexpr uint64_t kImsic = 0x28000000;

std::string msi_yaml(const std::string& root_port_extra = "", const std::string& ep_extra = "") {
    std::string y = fabric_yaml(root_port_extra, ep_extra);
    std::string dram = "  dram: {base: 0x80000000, size: 64MiB}\n";
    return y.insert(y.find(dram) + dram.size(), "  imsic_s: {base: 0x28000000, size: 64KiB}\n");
}

uint32_t word_at(Fabric& f, uint64_t address) {
    uint32_t word = 0;
    REQUIRE(f.p.read_memory(address, reinterpret_cast<uint8_t*>(&word), 4));
    return word;
}

void clear_word(Fabric& f, uint64_t address) {
    uint32_t zero = 0;
    REQUIRE(f.p.write_memory(address, reinterpret_cast<uint8_t*>(&zero), 4));
}

// What pcitest -x N makes pci_endpoint_test do: IRQ_TYPE MSI-X, IRQ_NUMBER
// N, COMMAND RAISE_MSIX, then wait for the interrupt. Returns STATUS.
uint32_t raise_msix(Fabric& f, uint32_t n) {
    f.set_reg(epf_test::kIrqType, epf_test::kIrqTypeMsix);
    f.set_reg(epf_test::kIrqNumber, n);
    f.set_reg(epf_test::kCommand, epf_test::kRaiseMsix);
    f.run(0.01);
    return f.ep.reg(epf_test::kStatus);
}

// Root port 00:01.0's MSI as Linux's port driver sets it: one vector.
void enable_root_port_msi(Fabric& f, uint64_t address, uint16_t data) {
    unsigned m = f.rp.config_space().msi_offset();
    REQUIRE(m != 0);
    f.cpu.write32(ecam(0, 1, m + msi::kAddressLow), static_cast<uint32_t>(address));
    f.cpu.write32(ecam(0, 1, m + msi::kAddressHigh), static_cast<uint32_t>(address >> 32));
    f.cpu.write(ecam(0, 1, f.rp.config_space().msi_layout().data), data, 2);
    f.cpu.write(ecam(0, 1, m + msi::kControl), msi::kEnable, 2);
}
} // namespace

TEST_CASE("pcie fabric: pci-epf-test raises MSI-X vector N-1 for pcitest -x N: the entry's data "
          "to its address") {
    Fabric f(msi_yaml("", ", msix-vectors: 2048"));
    f.run(25);
    f.enumerate();
    ConfigSpace& cs = f.ep.config_space();
    unsigned x = cs.msix_offset();
    REQUIRE(x != 0);
    // As Linux reads the capability: 2048 entries, the table in BAR0 at
    // 0x80, the PBA after it; BAR0 is 64 KiB to hold them.
    CHECK(f.cpu.read(ecam(1, 0, x + msix::kControl), 2) == 2047);
    CHECK(f.cpu.read32(ecam(1, 0, x + msix::kTable)) == 0x80);
    CHECK(f.cpu.read32(ecam(1, 0, x + msix::kPba)) == 0x80 + 16 * 2048);
    CHECK(cs.bar(0).size == 65536);
    // pci_msix_setup: Enable with the Function Mask, program the entries,
    // unmask them, then clear the Function Mask.
    f.cpu.write(ecam(1, 0, x + msix::kControl), msix::kEnable | msix::kFunctionMask, 2);
    uint64_t table = f.bar(0) + epf_test::kMsixTableOffset;
    uint64_t pba = f.bar(0) + epf_test::msix_pba_offset(2048);
    CHECK(f.cpu.read32(table + 12) == 1); // entries reset masked
    auto program = [&](unsigned entry, uint32_t data) {
        f.cpu.write32(table + 16 * entry, static_cast<uint32_t>(kImsic));
        f.cpu.write32(table + 16 * entry + 4, 0);
        f.cpu.write32(table + 16 * entry + 8, data);
        f.cpu.write32(table + 16 * entry + 12, 0);
    };
    for (unsigned entry : {0u, 1u, 2u, 31u, 32u, 2047u})
        program(entry, 0x100 + entry);
    f.cpu.write(ecam(1, 0, x + msix::kControl), msix::kEnable, 2);
    for (unsigned n : {1u, 2u, 32u, 2048u}) {
        clear_word(f, kImsic);
        CHECK((raise_msix(f, n) & epf_test::kIrqRaised) != 0);
        CHECK(word_at(f, kImsic) == 0x100 + n - 1);
        f.reg(epf_test::kStatus);
    }
    // A transfer reports on vector IRQ_NUMBER - 1 of the IRQ_TYPE it names.
    clear_word(f, kImsic);
    f.set_reg(epf_test::kDstLow, static_cast<uint32_t>(kRam + 0x10000));
    f.set_reg(epf_test::kDstHigh, 0);
    f.set_reg(epf_test::kSize, 1024);
    f.set_reg(epf_test::kIrqType, epf_test::kIrqTypeMsix);
    f.set_reg(epf_test::kIrqNumber, 3);
    f.set_reg(epf_test::kCommand, epf_test::kWrite);
    f.run(0.05);
    CHECK(f.ep.reg(epf_test::kStatus) == (epf_test::kWriteSuccess | epf_test::kIrqRaised));
    CHECK(word_at(f, kImsic) == 0x102);
    // A masked entry: the PBA shows the vector pending, no write until the
    // host unmasks it.
    f.cpu.write32(table + 16 * 31 + 12, 1);
    clear_word(f, kImsic);
    raise_msix(f, 32);
    CHECK(word_at(f, kImsic) == 0);
    CHECK(f.cpu.read32(pba) == 1u << 31);
    f.cpu.write32(table + 16 * 31 + 12, 0);
    CHECK(word_at(f, kImsic) == 0x11f);
    CHECK(f.cpu.read32(pba) == 0);
    // A vector beyond the table: the function skips the command.
    clear_word(f, kImsic);
    f.reg(epf_test::kStatus);
    CHECK((raise_msix(f, 2049) & epf_test::kIrqRaised) == 0);
    CHECK(word_at(f, kImsic) == 0);
    // No INTx for any of it.
    CHECK_FALSE(f.plic_pending(kPlicIntA + 1));
    nlohmann::json s;
    f.ep.stats(s);
    CHECK(s["messages"]["sent"] == 6u);
    CHECK(s["messages"]["pended"] == 1u);
}

TEST_CASE("pcie fabric: MSI-X disabled: RAISE_MSIX is skipped, a transfer falls back to nothing, "
          "bus mastering off sends no message") {
    Fabric f(msi_yaml());
    f.run(25);
    f.enumerate();
    unsigned x = f.ep.config_space().msix_offset();
    uint64_t table = f.bar(0) + epf_test::kMsixTableOffset;
    f.cpu.write32(table, static_cast<uint32_t>(kImsic));
    f.cpu.write32(table + 8, 0x55);
    f.cpu.write32(table + 12, 0);
    // Not enabled: the function cannot raise it and skips the command.
    CHECK((raise_msix(f, 1) & epf_test::kIrqRaised) == 0);
    CHECK(word_at(f, kImsic) == 0);
    // Enabled, but the endpoint's Bus Master Enable clear: nothing is sent.
    f.cpu.write(ecam(1, 0, x + msix::kControl), msix::kEnable, 2);
    f.cpu.write(ecam(1, 0, cfg::kCommand), cfg::command::kMemorySpace, 2);
    raise_msix(f, 1);
    CHECK(word_at(f, kImsic) == 0);
    CHECK(f.ep.msi().counters().blocked == 1);
    f.cpu.write(ecam(1, 0, cfg::kCommand), 0x6, 2);
    raise_msix(f, 1);
    CHECK(word_at(f, kImsic) == 0x55);
}

TEST_CASE("pcie fabric: a root port signals AER by MSI when enabled, by INTx otherwise") {
    Fabric f(msi_yaml(", lcrc-error-every: 3"));
    f.run(25);
    f.enumerate();
    unsigned devctl = pcie_cap::devctl::kCorrectableReporting |
                      pcie_cap::devctl::kNonFatalReporting | pcie_cap::devctl::kFatalReporting;
    f.cpu.write(ecam(1, 0, f.ep_cap(pcie_cap::kDeviceControl)), devctl, 2);
    f.cpu.write(ecam(0, 1, f.rp_cap(pcie_cap::kDeviceControl)), devctl, 2);
    // The Interrupt Message Numbers Linux's port driver reads: vector 0.
    CHECK((f.cpu.read(ecam(0, 1, f.rp_cap(pcie_cap::kCapabilities)), 2) >> 9 & 0x1f) == 0);
    CHECK(f.cpu.read32(ecam(0, 1, f.rp_aer(aer::kRootErrorStatus))) >> 27 == 0);
    enable_root_port_msi(f, kImsic + 0x40, 0x21);
    f.cpu.write32(ecam(0, 1, f.rp_aer(aer::kRootErrorCommand)), 0x7);
    CHECK(f.command(epf_test::kWrite, 0, kRam + 0x10000, 4096) ==
          (epf_test::kWriteSuccess | epf_test::kIrqRaised));
    uint32_t root_status = f.cpu.read32(ecam(0, 1, f.rp_aer(aer::kRootErrorStatus)));
    CHECK((root_status & aer::kErrCorReceived) != 0);
    // One message for the condition becoming true, from the root port
    // itself; no INTx.
    CHECK(word_at(f, kImsic + 0x40) == 0x21);
    CHECK(f.rp.msi().counters().sent == 1);
    CHECK((f.rp.config_space().status() & cfg::status::kInterruptStatus) == 0);
    CHECK_FALSE(f.plic_pending(kPlicIntA + 1));
    // The AER driver clears the status; the next errors send again.
    clear_word(f, kImsic + 0x40);
    f.cpu.write32(ecam(0, 1, f.rp_aer(aer::kRootErrorStatus)), root_status);
    CHECK(f.command(epf_test::kWrite, 0, kRam + 0x10000, 4096) ==
          (epf_test::kWriteSuccess | epf_test::kIrqRaised));
    CHECK(word_at(f, kImsic + 0x40) == 0x21);
    CHECK(f.rp.msi().counters().sent == 2);
    // MSI off: the status still set is INTA (the INTB line: device 1).
    f.cpu.write(ecam(0, 1, f.rp.config_space().msi_offset() + msi::kControl), 0, 2);
    CHECK((f.rp.config_space().status() & cfg::status::kInterruptStatus) != 0);
    CHECK(f.plic_pending(kPlicIntA + 1));
    root_status = f.cpu.read32(ecam(0, 1, f.rp_aer(aer::kRootErrorStatus)));
    f.cpu.write32(ecam(0, 1, f.rp_aer(aer::kRootErrorStatus)), root_status);
    CHECK_FALSE(f.plic_pending(kPlicIntA + 1));
}

TEST_CASE("pcie fabric: a root port signals PME by MSI, a second PME waits for PME Status") {
    Fabric f(msi_yaml());
    f.run(25);
    f.enumerate();
    enable_root_port_msi(f, kImsic + 0x80, 0x30);
    uint64_t rtsta = ecam(0, 1, f.rp_cap(pcie_cap::kRootStatus));
    f.cpu.write(ecam(0, 1, f.rp_cap(pcie_cap::kRootControl)), pcie_cap::rtctl::kPmeInterruptEnable,
                2);
    f.rp.receive_pme(0x0100);
    CHECK(f.cpu.read32(rtsta) == (pcie_cap::rtsta::kPmeStatus | 0x0100));
    CHECK(word_at(f, kImsic + 0x80) == 0x30);
    // While PME Status is set the next one is held as PME Pending.
    clear_word(f, kImsic + 0x80);
    f.rp.receive_pme(0x0200);
    CHECK(f.cpu.read32(rtsta) ==
          (pcie_cap::rtsta::kPmePending | pcie_cap::rtsta::kPmeStatus | 0x0100));
    CHECK(word_at(f, kImsic + 0x80) == 0);
    // Clearing PME Status delivers it: a new message.
    f.cpu.write32(rtsta, pcie_cap::rtsta::kPmeStatus);
    CHECK(f.cpu.read32(rtsta) == (pcie_cap::rtsta::kPmeStatus | 0x0200));
    CHECK(word_at(f, kImsic + 0x80) == 0x30);
    CHECK(f.rp.msi().counters().sent == 2);
    // Without MSI the same condition is INTx.
    f.cpu.write(ecam(0, 1, f.rp.config_space().msi_offset() + msi::kControl), 0, 2);
    CHECK(f.plic_pending(kPlicIntA + 1));
    f.cpu.write32(rtsta, pcie_cap::rtsta::kPmeStatus);
    CHECK_FALSE(f.plic_pending(kPlicIntA + 1));
}

namespace {
const std::string kSwitchYaml =
    std::string(kHostYaml) + R"(  rp0:   {type: pcie-root-port, bus: pcie, device: 1}
  sw0:   {type: pcie-switch-upstream-port, bus: rp0}
  sw0p0: {type: pcie-switch-downstream-port, bus: sw0, device: 0}
  sw0p1: {type: pcie-switch-downstream-port, bus: sw0, device: 1, max-link-width: 4}
  epf0:  {type: pci-epf-test, bus: sw0p0}
  epf1:  {type: pci-epf-test, bus: sw0p1}
)";

// Bus numbers and windows as Linux would leave them: rp0 -> bus 1 (sw0),
// sw0 -> bus 2 (its ports), sw0p0 -> bus 3 (epf0), sw0p1 -> bus 4 (epf1);
// epf0's BARs at kMmio, epf1's at kMmio + 4 MiB, each port's window 4 MiB.
void enumerate_switch(TlmInitiator& cpu) {
    cpu.write(ecam(0, 1, cfg::kPrimaryBus), 0x040100, 4);
    cpu.write(ecam(1, 0, cfg::kPrimaryBus), 0x040201, 4);
    cpu.write(ecam(2, 0, cfg::kPrimaryBus), 0x030302, 4);
    cpu.write(ecam(2, 1, cfg::kPrimaryBus), 0x040402, 4);
    auto window = [&](unsigned bus, unsigned dev, uint64_t base, uint64_t size) {
        cpu.write(ecam(bus, dev, cfg::kMemoryBase), (base >> 16) | ((base + size - 1) >> 16) << 16,
                  4);
        cpu.write(ecam(bus, dev, cfg::kCommand), 0x6, 2);
    };
    window(0, 1, kMmio, 8 << 20);
    window(1, 0, kMmio, 8 << 20);
    window(2, 0, kMmio, 4 << 20);
    window(2, 1, kMmio + (4 << 20), 4 << 20);
    for (unsigned bus : {3u, 4u}) {
        assign_bars(cpu, bus, kMmio + (bus == 4 ? 4 << 20 : 0));
        cpu.write(ecam(bus, 0, cfg::kCommand), 0x6, 2);
    }
}
// Runs a command on `ep` through its BAR0 with INTx, as pci_endpoint_test
// does, and waits for IRQ_RAISED; returns STATUS (read without acknowledging).
uint32_t run_command(TlmInitiator& cpu, EpfTest& ep, uint32_t cmd, uint64_t src, uint64_t dst,
                     uint32_t size) {
    uint64_t regs = ep.config_space().bar_address(0);
    cpu.write32(regs + epf_test::kSrcLow, static_cast<uint32_t>(src));
    cpu.write32(regs + epf_test::kSrcHigh, 0);
    cpu.write32(regs + epf_test::kDstLow, static_cast<uint32_t>(dst));
    cpu.write32(regs + epf_test::kDstHigh, 0);
    cpu.write32(regs + epf_test::kSize, size);
    cpu.write32(regs + epf_test::kIrqType, 0);
    cpu.write32(regs + epf_test::kStatus, 0);
    cpu.write32(regs + epf_test::kCommand, cmd);
    for (int i = 0; i < 1000 && !(ep.reg(epf_test::kStatus) & epf_test::kIrqRaised); ++i)
        sc_core::sc_start(sc_core::sc_time(10, sc_core::SC_US));
    return ep.reg(epf_test::kStatus);
}
} // namespace

TEST_CASE("pcie fabric: a switch: enumeration, links, routing, DMA, peer-to-peer and INTx") {
    Fabric f(kSwitchYaml); // (its rp and ep are rp0 and epf0)
    Platform& p = f.p;
    TlmInitiator& cpu = f.cpu;
    f.run(25);
    auto& sw0p1 = dynamic_cast<DownstreamPort&>(*p.model("sw0p1"));
    auto& epf0 = dynamic_cast<EpfTest&>(*p.model("epf0"));
    auto& epf1 = dynamic_cast<EpfTest&>(*p.model("epf1"));
    CHECK(dynamic_cast<RootPort&>(*p.model("rp0")).link().width() == 16);
    CHECK(sw0p1.link().width() == 4); // epf1's port is x4
    enumerate_switch(cpu);
    // The port types software reads in the PCI Express capability.
    auto type_at = [&](unsigned bus, unsigned dev) {
        ConfigSpace* cs = dynamic_cast<PcieNode&>(*p.model(bus == 1   ? "sw0"
                                                           : bus == 3 ? "epf0"
                                                           : bus == 4 ? "epf1"
                                                           : dev == 0 ? "sw0p0"
                                                                      : "sw0p1"))
                              .functions()[0];
        return (cpu.read(ecam(bus, dev, cs->pcie_offset() + pcie_cap::kCapabilities), 2) >> 4) &
               0xf;
    };
    CHECK(cpu.read32(ecam(1, 0, 0)) == 0x8232104c);
    CHECK(type_at(1, 0) == 0x5); // upstream port
    CHECK(cpu.read32(ecam(2, 1, 0)) == 0x8233104c);
    CHECK(type_at(2, 1) == 0x6); // downstream port
    CHECK(cpu.read32(ecam(2, 2, 0)) == 0xffffffff);
    CHECK(cpu.read32(ecam(3, 0, 0)) == 0xb500104c);
    CHECK(cpu.read32(ecam(4, 0, 0)) == 0xb500104c);
    // BARs of both endpoints, through their own ports.
    uint64_t bar0_1 = epf1.config_space().bar_address(0);
    cpu.write32(bar0_1, 0x5a5a5a5a);
    CHECK(cpu.read32(bar0_1) == 0x5a5a5a5a);
    CHECK(epf1.reg(epf_test::kMagic) == 0x5a5a5a5a);
    CHECK(epf0.reg(epf_test::kMagic) == 0);

    // DMA from epf1 up through the switch into RAM.
    auto command = [&](EpfTest& ep, uint32_t cmd, uint64_t src, uint64_t dst, uint32_t size) {
        return run_command(cpu, ep, cmd, src, dst, size);
    };
    std::vector<uint8_t> data(4096);
    for (size_t i = 0; i < data.size(); ++i)
        data[i] = static_cast<uint8_t>(i ^ 0x5c);
    REQUIRE(p.write_memory(kRam + 0x3000, data.data(), data.size()));
    CHECK(command(epf1, epf_test::kCopy, kRam + 0x3000, kRam + 0x9000, 4096) ==
          (epf_test::kCopySuccess | epf_test::kIrqRaised));
    std::vector<uint8_t> got(4096);
    REQUIRE(p.read_memory(kRam + 0x9000, got.data(), got.size()));
    CHECK(got == data);

    // Peer-to-peer inside the switch: epf0 copies from RAM into epf1's BAR4.
    uint64_t bar4_1 = epf1.config_space().bar_address(4);
    CHECK(command(epf0, epf_test::kCopy, kRam + 0x3000, bar4_1, 4096) ==
          (epf_test::kCopySuccess | epf_test::kIrqRaised));
    CHECK(cpu.read32(bar4_1 + 4) ==
          (data[4] | data[5] << 8 | data[6] << 16 | uint32_t{data[7]} << 24));
    nlohmann::json s;
    p.model("sw0")->stats(s);
    CHECK(s["peer_requests"] == 1u);

    // INTx from epf1: INTA at sw0p1, INTB at sw0 (device 1 on bus 2), INTB
    // at rp0 (sw0 is device 0 on bus 1), and rp0 (device 1) puts INTB on
    // line (1 + 1) mod 4: INTC, PLIC source 34.
    command(epf1, epf_test::kRaiseIntx, 0, 0, 0);
    CHECK(((cpu.read32(0xc000000 + 0x1000 + 4) >> (kPlicIntA + 2 - 32)) & 1) == 1);
    cpu.read32(bar0_1 + epf_test::kStatus);
    CHECK(((cpu.read32(0xc000000 + 0x1000 + 4) >> (kPlicIntA + 2 - 32)) & 1) == 0);

    // A hot reset of the switch's upstream link resets everything below,
    // and an INTx held across it does not stay stuck on its line.
    command(epf1, epf_test::kRaiseIntx, 0, 0, 0);
    CHECK(((cpu.read32(0xc000000 + 0x1000 + 4) >> (kPlicIntA + 2 - 32)) & 1) == 1);
    cpu.write(ecam(0, 1, cfg::kBridgeControl), cfg::bridge_control::kSecondaryBusReset, 2);
    sc_core::sc_start(sc_core::sc_time(3, sc_core::SC_MS));
    cpu.write(ecam(0, 1, cfg::kBridgeControl), 0, 2);
    sc_core::sc_start(sc_core::sc_time(30, sc_core::SC_MS));
    CHECK(epf1.config_space().bar_address(0) == 0);
    CHECK(cpu.read(ecam(1, 0, cfg::kCommand), 2) == 0);
    CHECK(sw0p1.link().dll_active()); // retrained after the reset
    CHECK(((cpu.read32(0xc000000 + 0x1000 + 4) >> (kPlicIntA + 2 - 32)) & 1) == 0);
}

TEST_CASE("pcie fabric: four LCRC errors in a row roll REPLAY_NUM over, a lost Ack fires the "
          "replay timer") {
    Fabric f(fabric_yaml(", lcrc-errors-at: \"up:3-6\", acks-lost-at: \"up:12\""));
    f.run(25);
    f.enumerate();
    f.cpu.write(ecam(1, 0, f.ep_cap(pcie_cap::kDeviceControl)), 1u << 5, 2); // MPS 256
    CHECK(f.command(epf_test::kWrite, 0, kRam + 0x10000, 4096) ==
          (epf_test::kWriteSuccess | epf_test::kIrqRaised));
    // The endpoint transmits upstream: the rollover and the timeout are its
    // own (transmitter) errors, Bad TLP the root port's (receiver).
    uint32_t ep_cor = f.ep.config_space().u32(f.ep_aer(aer::kCorrectableStatus));
    CHECK((ep_cor & aer::kReplayNumRollover) != 0);
    CHECK((ep_cor & aer::kReplayTimerTimeout) != 0);
    CHECK((ep_cor & aer::kBadDllp) != 0);
    CHECK((f.rp.config_space().u32(f.rp_aer(aer::kCorrectableStatus)) & aer::kBadTlp) != 0);
    // The data arrived intact all the same.
    std::vector<uint8_t> got(4096);
    REQUIRE(f.p.read_memory(kRam + 0x10000, got.data(), got.size()));
    CHECK(epf_test::crc32_le(~0u, got.data(), got.size()) == f.reg(epf_test::kChecksum));
}

TEST_CASE("pcie fabric: a seeded LCRC error rate replays TLPs") {
    Fabric f(fabric_yaml(", lcrc-error-rate: \"0.05\""));
    f.run(25);
    f.enumerate();
    CHECK(f.command(epf_test::kWrite, 0, kRam + 0x10000, 65536) ==
          (epf_test::kWriteSuccess | epf_test::kIrqRaised));
    nlohmann::json s;
    f.rp.stats(s);
    uint64_t replays = s["link"]["upstream"]["replays"].get<uint64_t>();
    // 512 TLPs of 128 bytes at 5 %: about 26 replays.
    CHECK(replays > 5);
    CHECK(replays < 80);
    // (Bad rates: tests/configs/bad/60-lcrc-error-rate-above-1.yaml.)
}

TEST_CASE("pcie fabric: overlapping windows and BARs programmed by software: the first claims, no "
          "crash") {
    Fabric f(kSwitchYaml); // (its rp and ep are rp0 and epf0)
    Platform& p = f.p;
    TlmInitiator& cpu = f.cpu;
    f.run(25);
    enumerate_switch(cpu);
    auto& epf0 = dynamic_cast<EpfTest&>(*p.model("epf0"));
    auto& epf1 = dynamic_cast<EpfTest&>(*p.model("epf1"));
    // Both downstream ports' windows on the same 4 MiB, both endpoints'
    // BAR0 at the same address.
    uint64_t bar0 = epf0.config_space().bar_address(0);
    cpu.write(ecam(2, 1, cfg::kMemoryBase), (kMmio >> 16) | ((kMmio + 0x3fffff) >> 16) << 16, 4);
    cpu.write32(ecam(4, 0, cfg::kBar0), static_cast<uint32_t>(bar0));
    cpu.write32(bar0, 0x12345678);
    CHECK(cpu.read32(bar0) == 0x12345678);
    CHECK(epf0.reg(epf_test::kMagic) == 0x12345678); // device 0's port came first
    CHECK(epf1.reg(epf_test::kMagic) == 0);
    nlohmann::json s;
    p.model("sw0")->stats(s);
    CHECK(s["ambiguous_requests"].get<uint64_t>() >= 2);
}

TEST_CASE("pcie fabric: error messages from below pass a bridge only with SERR# Enable") {
    Fabric f(fabric_yaml(", lcrc-errors-at: \"down:1,3\""));
    f.run(25);
    f.enumerate();
    f.cpu.write(ecam(1, 0, f.ep_cap(pcie_cap::kDeviceControl)),
                pcie_cap::devctl::kCorrectableReporting, 2);
    f.cpu.write32(ecam(0, 1, f.rp_aer(aer::kRootErrorCommand)), 0x7);
    // The first MMIO write is downstream transmission 1: the endpoint's
    // receiver sees a bad LCRC and signals ERR_COR, which rp0 drops.
    f.set_reg(epf_test::kMagic, 1);
    f.run(0.1);
    CHECK((f.ep.config_space().u32(f.ep_aer(aer::kCorrectableStatus)) & aer::kBadTlp) != 0);
    CHECK(f.rp.config_space().u32(f.rp_aer(aer::kRootErrorStatus)) == 0);
    // With SERR# Enable the next one (transmission 3, after the replay)
    // reaches Root Error Status with the endpoint as its source.
    f.cpu.write(ecam(0, 1, cfg::kBridgeControl), cfg::bridge_control::kSerrEnable, 2);
    f.set_reg(epf_test::kMagic, 2);
    f.run(0.1);
    CHECK((f.rp.config_space().u32(f.rp_aer(aer::kRootErrorStatus)) & aer::kErrCorReceived) != 0);
    CHECK((f.rp.config_space().u32(f.rp_aer(aer::kErrorSourceId)) & 0xffff) == 0x0100);
    CHECK(f.reg(epf_test::kMagic) == 2);
}

TEST_CASE("pcie fabric: two endpoints with one config write different data, a reset replays it") {
    Fabric f(kSwitchYaml);
    Platform& p = f.p;
    TlmInitiator& cpu = f.cpu;
    f.run(25);
    enumerate_switch(cpu);
    auto& epf0 = dynamic_cast<EpfTest&>(*p.model("epf0"));
    auto& epf1 = dynamic_cast<EpfTest&>(*p.model("epf1"));
    // WRITE: the endpoint fills host memory from its random stream
    // ("<instance>.data") and reports the data's CRC32.
    auto write = [&](EpfTest& ep, uint64_t dst) {
        uint64_t regs = ep.config_space().bar_address(0);
        run_command(cpu, ep, epf_test::kWrite, 0, dst, 256);
        REQUIRE(cpu.read32(regs + epf_test::kStatus) ==
                (epf_test::kWriteSuccess | epf_test::kIrqRaised));
        return cpu.read32(regs + epf_test::kChecksum);
    };
    uint32_t first0 = write(epf0, kRam + 0x1000);
    uint32_t first1 = write(epf1, kRam + 0x2000);
    CHECK(first0 != first1); // same parameters, own streams
    uint32_t second0 = write(epf0, kRam + 0x1000);
    CHECK(second0 != first0); // the stream goes on
    // A reset of the endpoint (its power-on state) replays its stream.
    epf0.reset();
    enumerate_switch(cpu);
    CHECK(write(epf0, kRam + 0x1000) == first0);
    CHECK(write(epf0, kRam + 0x1000) == second0);
}

TEST_CASE("pcie fabric: a host bridge refuses a device whose BARs do not fit its window") {
    // pci-epf-test's six BARs (1.2 MiB) need a 2 MiB window behind rp0.
    std::string yaml = fabric_yaml();
    yaml.replace(yaml.find("irq: [32, 33, 34, 35]"), 21, "irq: [32, 33, 34, 35], mmio-size: 1MiB");
    CHECK_THROWS_WITH(
        Platform("platform",
                 build_platform_config(parse_config_text(yaml, "test.yaml"), "test.yaml"), nullptr),
        Catch::Contains("'epf0' does not fit in the 32-bit memory window of 'pcie': with it, the "
                        "32-bit and non-prefetchable memory BARs below 'pcie' need 2 MiB, but "
                        "mmio-size is 1 MiB"));
}
