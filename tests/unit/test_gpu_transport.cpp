// The `gpu` model's system-memory transport against a stand-in for the
// port above it: what each DMA request carries (requester ID, the
// function's Max_Payload_Size and Max_Read_Request_Size, No Snoop for the
// non-coherent aperture, as Device Control allows) and how the engines'
// picosecond times map to the annotated delay and back (the link's
// issued time is tested with the platform, tests/platform/test_gpu.cpp).
#include "models/core/pcie_extension.h"
#include "models/gpu/gpu.h"
#include "support/device_config.h"

#include <catch2/catch.hpp>

using namespace nvsoc;
using namespace nvsoc::pcie;
using namespace nvsoc::test;
using gpu::Aperture;
using gpu::MemAccess;
using gpu::MemStatus;

namespace {

// The port above: records each request and answers it `latency` later.
class FakeUpstream : public PcieUpstream {
  public:
    struct Seen {
        PcieExtension ext;
        bool has_ext = false;
        uint64_t address = 0, length = 0, issued_ps = 0;
        bool write = false;
    };
    std::vector<Seen> seen;
    uint64_t latency = 1000;
    bool refuse = false;

    void upstream_request(tlm::tlm_generic_payload& tx, sc_core::sc_time& delay) override {
        Seen s;
        PcieExtension* e = nullptr;
        tx.get_extension(e);
        if (e) s.ext = *e;
        s.has_ext = e != nullptr;
        s.address = tx.get_address();
        s.length = tx.get_data_length();
        s.write = tx.is_write();
        s.issued_ps = (sc_core::sc_time_stamp() + delay).value();
        seen.push_back(s);
        if (refuse) {
            tx.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
            return;
        }
        if (tx.is_read()) std::memset(tx.get_data_ptr(), 0xab, tx.get_data_length());
        delay += sc_core::sc_time::from_value(latency);
        tx.set_response_status(tlm::TLM_OK_RESPONSE);
    }
    void upstream_intx(unsigned, unsigned, bool) override {}
    void upstream_error(ErrorSeverity, uint16_t) override {}
    unsigned secondary_bus_number() const override { return 3; }
};

struct Rig {
    std::unique_ptr<Model> model;
    Gpu& gpu;
    FakeUpstream up;
    PciBus bus{true};
    explicit Rig(const std::map<std::string, std::string>& params = {})
        : model(ModelRegistry::instance().create(make_config("gpu", "gpu0", 0, params))),
          gpu(dynamic_cast<Gpu&>(*model)) {
        gpu.place(up, bus, 0);
        gpu.config_space().write(cfg::kCommand, cfg::command::kBusMaster, 2);
    }
    gpu::MemResult access(Aperture ap, bool write, uint64_t address, uint64_t length,
                          uint64_t time) {
        buffer.assign(length, 0x11);
        MemAccess a;
        a.aperture = ap;
        a.write = write;
        a.address = address;
        a.data = buffer.data();
        a.length = length;
        a.time = time;
        return gpu.access(a);
    }
    unsigned devctl() { return gpu.config_space().pcie_offset() + pcie_cap::kDeviceControl; }
    std::vector<uint8_t> buffer;
};

} // namespace

TEST_CASE("gpu transport: a DMA carries the requester ID, MPS, MRRS and No Snoop for the "
          "non-coherent aperture") {
    Rig r;
    auto res = r.access(Aperture::SysmemNoncoherent, false, 0x80001000, 8192, 5000);
    CHECK(res.status == MemStatus::Ok);
    REQUIRE(r.up.seen.size() == 1);
    const auto& s = r.up.seen[0];
    REQUIRE(s.has_ext);
    CHECK(s.ext.requester_id == make_requester_id(3, 0, 0));
    CHECK(s.ext.kind == TlpKind::MemoryRead);
    CHECK(s.ext.max_payload == 128);      // Device Control at reset
    CHECK(s.ext.max_read_request == 512); // likewise
    CHECK(s.ext.attributes == kAttrNoSnoop);
    CHECK(s.address == 0x80001000);
    CHECK(s.length == 8192);
    CHECK(r.buffer[0] == 0xab);
    // The engine's time went out as the annotated delay, and came back;
    // with no link to say otherwise the next request may go at once.
    CHECK(s.issued_ps == 5000);
    CHECK(res.done == 6000);
    CHECK(res.issued == 5000);
    // Coherent: no No Snoop.
    r.access(Aperture::SysmemCoherent, true, 0x80002000, 64, 7000);
    CHECK(r.up.seen.back().ext.attributes == 0);
    CHECK(r.up.seen.back().ext.kind == TlpKind::MemoryWrite);
    // Software's Device Control: MPS 256, MRRS 4096, Enable No Snoop off.
    ConfigSpace& cs = r.gpu.config_space();
    uint16_t ctl = cs.u16(r.devctl());
    ctl = static_cast<uint16_t>(
        (ctl & ~(pcie_cap::devctl::kMaxPayloadMask | pcie_cap::devctl::kMaxReadRequestMask |
                 pcie_cap::devctl::kNoSnoop)) |
        1u << pcie_cap::devctl::kMaxPayloadShift | 5u << pcie_cap::devctl::kMaxReadRequestShift);
    cs.write(r.devctl(), ctl, 2);
    r.access(Aperture::SysmemNoncoherent, false, 0x80003000, 64, 8000);
    CHECK(r.up.seen.back().ext.attributes == 0);
    CHECK(r.up.seen.back().ext.max_payload == 256);
    CHECK(r.up.seen.back().ext.max_read_request == 4096);
}

TEST_CASE("gpu transport: a refused request is a bus error, a time already past goes out now") {
    Rig r;
    r.up.refuse = true;
    auto res = r.access(Aperture::SysmemCoherent, false, 0x1000, 4, 0);
    CHECK(res.status == MemStatus::BusError);
    CHECK(res.fault_address == 0x1000);
    CHECK((r.gpu.config_space().status() & cfg::status::kReceivedMasterAbort) != 0);
    r.up.refuse = false;
    sc_core::sc_start(sc_core::sc_time(10, sc_core::SC_NS));
    // An access stamped before SystemC's time leaves at once.
    res = r.access(Aperture::SysmemCoherent, false, 0x1000, 4, 2000);
    CHECK(r.up.seen.back().issued_ps == 10'000);
    CHECK(res.done == 11'000);
    // A zero-length access moves nothing.
    size_t n = r.up.seen.size();
    res = r.access(Aperture::SysmemCoherent, true, 0x1000, 0, 20'000);
    CHECK(res.status == MemStatus::Ok);
    CHECK(res.done == 20'000);
    CHECK(r.up.seen.size() == n);
}

TEST_CASE("gpu transport: the engines' configuration comes from the YAML") {
    Rig r({{"channels", "4"},
           {"copy-engines", "3"},
           {"ce-rate", "50GB/s"},
           {"vram", "128MiB"},
           {"dma-bits", "48"},
           {"doorbell-latency", "1us"},
           {"method-time", "3ns"},
           {"max-copy", "1GiB"},
           {"method-budget", "100"},
           {"channel-error-at-method", "7"},
           {"ce-hang-at-launch", "2"}});
    const gpu::EngineConfig& e = r.gpu.engine_config();
    CHECK(e.channels == 4);
    CHECK(e.copy_engines == 3);
    CHECK(e.ce_rate == std::vector<uint64_t>(3, 50'000'000'000));
    CHECK(e.vram_size == 128ull << 20);
    CHECK(e.dma_bits == 48);
    CHECK(e.doorbell_latency == 1'000'000);
    CHECK(e.method_time == 3000);
    CHECK(e.max_copy_bytes == 1ull << 30);
    CHECK(e.method_budget == 100);
    CHECK(e.channel_error_at_method == 7);
    CHECK(e.ce_hang_at_launch == 2);
    CHECK(r.gpu.vram().size() == 128ull << 20);
    auto x = r.gpu.config_space().msix();
    REQUIRE(x);
    CHECK(x->table_size == 5);
}

TEST_CASE("gpu transport: sizes the YAML table cannot check are refused with their place") {
    auto make = [](const std::map<std::string, std::string>& p) {
        return ModelRegistry::instance().create(make_config("gpu", "gpu0", 0, p));
    };
    CHECK_THROWS_WITH(make({{"vram", "96MiB"}}), Catch::Contains("must be a power of two"));
    CHECK_THROWS_WITH(make({{"vram", "1TiB"}}), Catch::Contains("larger than the aperture allows"));
    CHECK_THROWS_WITH(make({{"vram", "1GiB"}, {"vram-bar", "2GiB"}}),
                      Catch::Contains("up to vram (1 GiB)"));
    CHECK_THROWS_WITH(make({{"vram-bar", "16MiB"}}), Catch::Contains("from 64 MiB"));
    CHECK_THROWS_AS(make({{"vram", "3GiB"}}), InputError);
}
