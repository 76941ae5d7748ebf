// APLIC (AIA 1.0 chapter 4): domaincfg, source modes and pending-bit rules
// in both delivery modes, enables, delegation to the supervisor domain, the
// IDCs of direct delivery, MSI addresses and data, genmsi, the locked MSI
// address configuration, reserved space, bad parameters and the DT nodes.
#include "models/irq/aplic.h"
#include "support/device_config.h"
#include "support/tlm_initiator.h"

#include <catch2/catch.hpp>
#include <functional>

using namespace nvsoc;
using nvsoc::test::TlmInitiator;

namespace {

using Overrides = std::map<std::string, std::string>;

constexpr uint64_t kBase = 0xC000000;
constexpr uint64_t kSBase = 0xD000000;

constexpr uint64_t sourcecfg(unsigned s) {
    return Aplic::kSourcecfg + 4ull * (s - 1);
}
constexpr uint64_t target(unsigned s) {
    return Aplic::kTarget + 4ull * (s - 1);
}
constexpr uint64_t setip(unsigned w) {
    return Aplic::kSetip + 4ull * w;
}
constexpr uint64_t in_clrip(unsigned w) {
    return Aplic::kInClrip + 4ull * w;
}
constexpr uint64_t setie(unsigned w) {
    return Aplic::kSetie + 4ull * w;
}
constexpr uint64_t clrie(unsigned w) {
    return Aplic::kClrie + 4ull * w;
}
constexpr uint64_t idc(unsigned k, uint64_t reg) {
    return Aplic::kIdc + Aplic::kIdcStride * k + reg;
}
constexpr uint32_t direct_target(unsigned hart, unsigned prio) {
    return (hart << 18) | prio;
}
constexpr uint32_t msi_target(unsigned hart, unsigned guest, unsigned eiid) {
    return (hart << 18) | (guest << 12) | eiid;
}

// Takes MSI writes the way an IMSIC page would, and records them.
class MsiSink : public sc_core::sc_module {
  public:
    struct Msi {
        uint64_t addr;
        uint32_t data;
    };
    tlm_utils::simple_target_socket<MsiSink> socket;
    std::vector<Msi> msis;
    bool accept = true;
    std::function<void(uint64_t addr, uint32_t data)> on_msi; // after recording

    explicit MsiSink(sc_core::sc_module_name name) : sc_core::sc_module(name), socket("socket") {
        socket.register_b_transport(this, &MsiSink::b_transport);
    }

  private:
    void b_transport(tlm::tlm_generic_payload& tx, sc_core::sc_time&) {
        if (!accept || !tx.is_write() || tx.get_data_length() != 4) {
            tx.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
            return;
        }
        const uint8_t* d = tx.get_data_ptr();
        msis.push_back({tx.get_address(), uint32_t(d[0]) | uint32_t(d[1]) << 8 |
                                              uint32_t(d[2]) << 16 | uint32_t(d[3]) << 24});
        tx.set_response_status(tlm::TLM_OK_RESPONSE);
        if (on_msi) on_msi(msis.back().addr, msis.back().data);
    }
};

// Claims the MSI controller role for the DT test.
class FakeImsic : public MsiController {
  public:
    std::string dt_msi_parent(bool machine_level) const override {
        return machine_level ? "imsic.m" : "imsic.s";
    }
};

// An APLIC for `harts` harts (direct delivery drives their pins), with an
// initiator on each domain's region and an MSI sink on its MSI socket.
// SystemC elaborates once per process: a test with two benches builds both
// with elaborate = false, under different names, then calls elaborate().
struct Bench {
    std::unique_ptr<Device> dev;
    Aplic* aplic = nullptr;
    TlmInitiator m;
    std::unique_ptr<TlmInitiator> s;
    MsiSink sink;
    std::vector<HartIrqPins> pins;

    explicit Bench(Overrides params = {}, unsigned harts = 2, const std::string& name = "aplic",
                   bool elaborate = true)
        : m((name + "_m").c_str()), sink((name + "_sink").c_str()), pins(harts) {
        DeviceConfig c = nvsoc::test::make_config("aplic", name, kBase, params, harts);
        c.msi_controller = "imsic";
        dev = ModelRegistry::instance().create_device(c);
        aplic = dynamic_cast<Aplic*>(dev.get());
        REQUIRE(aplic != nullptr);
        m.socket.bind(dev->target);
        if (aplic->s_target()) {
            s = std::make_unique<TlmInitiator>((name + "_s").c_str());
            s->socket.bind(*aplic->s_target());
        }
        aplic->msi.bind(sink.socket);
        std::vector<HartIrqPins*> p;
        for (auto& h : pins)
            p.push_back(&h);
        aplic->connect_harts(p);
        if (elaborate) nvsoc::test::elaborate();
    }

    uint32_t rd(uint64_t off) {
        uint32_t v = m.read32(off);
        REQUIRE(m.last_status == tlm::TLM_OK_RESPONSE);
        return v;
    }
    void wr(uint64_t off, uint32_t v) { REQUIRE(m.write(off, v, 4) == tlm::TLM_OK_RESPONSE); }
    uint32_t srd(uint64_t off) {
        REQUIRE(s);
        uint32_t v = s->read32(off);
        REQUIRE(s->last_status == tlm::TLM_OK_RESPONSE);
        return v;
    }
    void swr(uint64_t off, uint32_t v) {
        REQUIRE(s);
        REQUIRE(s->write(off, v, 4) == tlm::TLM_OK_RESPONSE);
    }
    void line(unsigned src, bool level) { aplic->irq_input().set_irq(src, level); }
    bool meip(unsigned h) const { return (pins[h].pending() >> HartIrqPins::kMeip) & 1; }
    bool seip(unsigned h) const { return (pins[h].pending() >> HartIrqPins::kSeip) & 1; }
    bool pending(unsigned src) { return (rd(setip(src / 32)) >> (src % 32)) & 1; }
    bool s_pending(unsigned src) { return (srd(setip(src / 32)) >> (src % 32)) & 1; }

    // Direct mode: source `src` in `mode`, enabled, to IDC `hart` with
    // priority `prio`; the IDC delivers and the domain is enabled.
    void direct_source(unsigned src, uint32_t mode, unsigned hart = 0, unsigned prio = 1) {
        wr(sourcecfg(src), mode);
        wr(target(src), direct_target(hart, prio));
        wr(Aplic::kSetienum, src);
        wr(idc(hart, Aplic::kIdelivery), 1);
        wr(Aplic::kDomaincfg, Aplic::kDomaincfgIe);
    }
    // MSI mode: flat IMSIC layout, M files at 0x24000000 + 4 KiB * hart
    // (LHXW 2: up to 4 harts).
    void msi_config() {
        wr(Aplic::kMmsiaddrcfg, 0x24000000 >> 12);
        wr(Aplic::kMmsiaddrcfgh, 2u << 12);
    }
    void msi_source(unsigned src, uint32_t mode, unsigned hart, unsigned eiid) {
        wr(sourcecfg(src), mode);
        wr(target(src), msi_target(hart, 0, eiid));
        wr(Aplic::kSetienum, src);
    }
    size_t msis() const { return sink.msis.size(); }
};

Overrides direct(Overrides o = {}) {
    o["delivery"] = "direct";
    return o;
}

} // namespace

TEST_CASE("aplic: registration and parameters", "[aplic]") {
    const ModelInfo* info = ModelRegistry::instance().find("aplic");
    REQUIRE(info != nullptr);
    CHECK(info->default_size == 0x8000);
    CHECK(info->irq_outputs == 0);
    CHECK(info->roles == kInterruptController);
    REQUIRE(info->hart_pins != nullptr);
    REQUIRE(info->uses_msi != nullptr);
    auto params = [](Overrides o) { return nvsoc::test::make_config("aplic", "a", 0, o).params; };
    CHECK(info->hart_pins(params({})).empty());
    CHECK(info->hart_pins(params({{"s-base", "0xd000000"}})).empty());
    CHECK(info->hart_pins(params(direct())) == std::vector<unsigned>{HartIrqPins::kMeip});
    CHECK(info->hart_pins(params(direct({{"s-base", "0xd000000"}}))) ==
          std::vector<unsigned>{HartIrqPins::kMeip, HartIrqPins::kSeip});
    CHECK(info->uses_msi(params({})) == MsiUse::Required);
    CHECK(info->uses_msi(params(direct())) == MsiUse::None);

    Bench b;
    CHECK(b.aplic->num_sources() == 96);
    CHECK(b.aplic->delivery() == Aplic::Delivery::Msi);
    CHECK_FALSE(b.aplic->has_s_domain());
    CHECK(b.aplic->windows().empty());
    CHECK(b.aplic->dt_interrupt_parent() == "aplic");
    CHECK(b.aplic->dt_specifier(10) == std::vector<uint32_t>{10, 4});
}

TEST_CASE("aplic: reset values in both delivery modes", "[aplic]") {
    Bench msi(Overrides{{"s-base", "0xd000000"}}, 2, "msi", false);
    Bench dir(direct({{"s-base", "0xe000000"}}), 2, "dir", false);
    nvsoc::test::elaborate();
    for (Bench* bp : {&msi, &dir}) {
        Bench& b = *bp;
        bool is_msi = bp == &msi;
        INFO("msi " << is_msi);
        // domaincfg: 0x80 in bits 31:24, IE 0, DM as the delivery mode.
        CHECK(b.rd(Aplic::kDomaincfg) == (is_msi ? 0x80000004u : 0x80000000u));
        CHECK(b.srd(Aplic::kDomaincfg) == (is_msi ? 0x80000004u : 0x80000000u));
        for (unsigned s = 1; s <= 96; ++s) {
            CHECK(b.rd(sourcecfg(s)) == 0);
            CHECK(b.rd(target(s)) == 0);
            CHECK(b.srd(sourcecfg(s)) == 0);
        }
        for (unsigned w = 0; w < 32; ++w) {
            CHECK(b.rd(setip(w)) == 0);
            CHECK(b.rd(setie(w)) == 0);
            CHECK(b.rd(in_clrip(w)) == 0);
        }
        CHECK(b.rd(Aplic::kGenmsi) == 0);
        if (is_msi) {
            CHECK(b.rd(Aplic::kMmsiaddrcfg) == 0);
            CHECK(b.rd(Aplic::kMmsiaddrcfgh) == 0);
            CHECK(b.rd(Aplic::kSmsiaddrcfg) == 0);
            CHECK(b.rd(Aplic::kSmsiaddrcfgh) == 0);
        } else {
            for (unsigned k = 0; k < 2; ++k) {
                CHECK(b.rd(idc(k, Aplic::kIdelivery)) == 0);
                CHECK(b.rd(idc(k, Aplic::kIforce)) == 0);
                CHECK(b.rd(idc(k, Aplic::kIthreshold)) == 0);
                CHECK(b.rd(idc(k, Aplic::kTopi)) == 0);
                CHECK(b.rd(idc(k, Aplic::kClaimi)) == 0);
            }
        }
    }
}

TEST_CASE("aplic: domaincfg IE is writable while DM and BE are read-only", "[aplic]") {
    Bench msi({}, 2, "msi", false);
    Bench dir(direct(), 2, "dir", false);
    nvsoc::test::elaborate();
    msi.wr(Aplic::kDomaincfg, 0xFFFFFFFF);
    CHECK(msi.rd(Aplic::kDomaincfg) == 0x80000104);
    msi.wr(Aplic::kDomaincfg, 0);
    CHECK(msi.rd(Aplic::kDomaincfg) == 0x80000004);
    dir.wr(Aplic::kDomaincfg, 0xFFFFFFFF);
    CHECK(dir.rd(Aplic::kDomaincfg) == 0x80000100);
}

TEST_CASE("aplic: sourcecfg takes every source mode and reads reserved modes as inactive",
          "[aplic]") {
    Bench b(direct());
    for (uint32_t m : {Aplic::kDetached, Aplic::kEdge1, Aplic::kEdge0, Aplic::kLevel1,
                       Aplic::kLevel0, Aplic::kInactive}) {
        b.wr(sourcecfg(7), m);
        CHECK(b.rd(sourcecfg(7)) == m);
    }
    b.wr(sourcecfg(7), 2);
    CHECK(b.rd(sourcecfg(7)) == 0);
    b.wr(sourcecfg(7), 3);
    CHECK(b.rd(sourcecfg(7)) == 0);
    // Reserved bits read zero.
    b.wr(sourcecfg(7), 0xFFFFF3FE);
    CHECK(b.rd(sourcecfg(7)) == 6);
    // Without a child domain D cannot be set: the register becomes zero.
    b.wr(sourcecfg(7), Aplic::kSourcecfgD | Aplic::kEdge1);
    CHECK(b.rd(sourcecfg(7)) == 0);
    // Sources beyond `sources` are not implemented.
    b.wr(sourcecfg(97), Aplic::kEdge1);
    CHECK(b.rd(sourcecfg(97)) == 0);
    b.wr(sourcecfg(1023), Aplic::kEdge1);
    CHECK(b.rd(sourcecfg(1023)) == 0);
    b.wr(sourcecfg(96), Aplic::kEdge1);
    CHECK(b.rd(sourcecfg(96)) == Aplic::kEdge1);
}

TEST_CASE("aplic: direct mode edge rising source pends on rising edges", "[aplic]") {
    Bench b(direct());
    b.direct_source(5, Aplic::kEdge1);
    CHECK_FALSE(b.meip(0));
    b.line(5, true);
    CHECK(b.pending(5));
    CHECK(b.meip(0));
    CHECK_FALSE(b.meip(1));
    CHECK(b.rd(idc(0, Aplic::kTopi)) == ((5u << 16) | 1));
    CHECK(b.rd(idc(0, Aplic::kClaimi)) == ((5u << 16) | 1));
    // The claim cleared the pending bit although the line is still high.
    CHECK_FALSE(b.pending(5));
    CHECK_FALSE(b.meip(0));
    CHECK(b.rd(in_clrip(0)) == (1u << 5));
    // A falling edge does nothing; the next rising edge pends again.
    b.line(5, false);
    CHECK_FALSE(b.pending(5));
    CHECK(b.rd(in_clrip(0)) == 0);
    b.line(5, true);
    CHECK(b.pending(5));
    CHECK(b.meip(0));
    // in_clrip clears an edge source's pending bit.
    b.wr(in_clrip(0), 1u << 5);
    CHECK_FALSE(b.pending(5));
    CHECK_FALSE(b.meip(0));
    // setipnum sets it.
    b.wr(Aplic::kSetipnum, 5);
    CHECK(b.pending(5));
    b.wr(Aplic::kClripnum, 5);
    CHECK_FALSE(b.pending(5));
}

TEST_CASE("aplic: direct mode edge falling source pends on falling edges", "[aplic]") {
    Bench b(direct());
    b.direct_source(6, Aplic::kEdge0);
    // A low wire is an asserted inverted input, but only an edge pends.
    CHECK_FALSE(b.pending(6));
    CHECK(b.rd(in_clrip(0)) == (1u << 6));
    b.line(6, true);
    CHECK_FALSE(b.pending(6));
    CHECK(b.rd(in_clrip(0)) == 0);
    b.line(6, false);
    CHECK(b.pending(6));
    CHECK(b.meip(0));
    CHECK(b.rd(idc(0, Aplic::kClaimi)) == ((6u << 16) | 1));
    CHECK_FALSE(b.pending(6));
}

TEST_CASE("aplic: direct mode level high source pending is its input", "[aplic]") {
    Bench b(direct());
    b.direct_source(8, Aplic::kLevel1);
    CHECK_FALSE(b.pending(8));
    b.line(8, true);
    CHECK(b.pending(8));
    CHECK(b.meip(0));
    // A claim does not clear it, nor do in_clrip and clripnum.
    CHECK(b.rd(idc(0, Aplic::kClaimi)) == ((8u << 16) | 1));
    CHECK(b.pending(8));
    b.wr(in_clrip(0), 1u << 8);
    b.wr(Aplic::kClripnum, 8);
    CHECK(b.pending(8));
    CHECK(b.meip(0));
    b.line(8, false);
    CHECK_FALSE(b.pending(8));
    CHECK_FALSE(b.meip(0));
    // Software cannot set it while the input is low.
    b.wr(Aplic::kSetipnum, 8);
    b.wr(setip(0), 1u << 8);
    CHECK_FALSE(b.pending(8));
    CHECK_FALSE(b.meip(0));
}

TEST_CASE("aplic: direct mode level low source pends while the wire is low", "[aplic]") {
    Bench b(direct());
    // Configured with the wire low: the rectified input is high at once.
    b.direct_source(9, Aplic::kLevel0);
    CHECK(b.pending(9));
    CHECK(b.meip(0));
    CHECK(b.rd(in_clrip(0)) == (1u << 9));
    b.line(9, true);
    CHECK_FALSE(b.pending(9));
    CHECK_FALSE(b.meip(0));
    b.line(9, false);
    CHECK(b.pending(9));
}

TEST_CASE("aplic: detached source ignores its wire", "[aplic]") {
    Bench b(direct());
    b.direct_source(3, Aplic::kDetached);
    b.line(3, true);
    CHECK_FALSE(b.pending(3));
    CHECK(b.rd(in_clrip(0)) == 0); // a detached input reads zero
    b.line(3, false);
    b.wr(setip(0), 1u << 3);
    CHECK(b.pending(3));
    CHECK(b.meip(0));
    CHECK(b.rd(idc(0, Aplic::kClaimi)) == ((3u << 16) | 1));
    CHECK_FALSE(b.pending(3));
    b.wr(Aplic::kSetipnum, 3);
    CHECK(b.pending(3));
    b.wr(Aplic::kClripnum, 3);
    CHECK_FALSE(b.pending(3));
}

TEST_CASE("aplic: an inactive source has read-only zero state", "[aplic]") {
    Bench b(direct());
    b.line(4, true);
    b.wr(Aplic::kSetipnum, 4);
    b.wr(setip(0), 1u << 4);
    b.wr(Aplic::kSetienum, 4);
    b.wr(setie(0), 1u << 4);
    b.wr(target(4), direct_target(1, 2));
    CHECK_FALSE(b.pending(4));
    CHECK(b.rd(setie(0)) == 0);
    CHECK(b.rd(target(4)) == 0);
    CHECK(b.rd(in_clrip(0)) == 0);
    // Becoming active, the source starts neither pending nor enabled (an
    // edge source does not pend on its configuration) with priority 1.
    b.wr(sourcecfg(4), Aplic::kEdge1);
    CHECK_FALSE(b.pending(4));
    CHECK(b.rd(setie(0)) == 0);
    CHECK(b.rd(target(4)) == 1);
    // Going inactive clears pending, enable and target.
    b.wr(Aplic::kSetienum, 4);
    b.wr(Aplic::kSetipnum, 4);
    b.wr(target(4), direct_target(1, 2));
    CHECK(b.pending(4));
    b.wr(sourcecfg(4), Aplic::kInactive);
    CHECK_FALSE(b.pending(4));
    CHECK(b.rd(setie(0)) == 0);
    CHECK(b.rd(target(4)) == 0);
}

TEST_CASE("aplic: setip and in_clrip and setie and clrie work on words", "[aplic]") {
    Bench b(direct(), 1);
    for (unsigned s : {1u, 31u, 32u, 33u, 64u, 96u})
        b.wr(sourcecfg(s), Aplic::kEdge1);
    b.wr(sourcecfg(2), Aplic::kLevel0); // inverted: its input is high
    for (unsigned w = 0; w < 4; ++w)
        b.wr(setip(w), 0xFFFFFFFF);
    CHECK(b.rd(setip(0)) == ((1u << 1) | (1u << 31) | (1u << 2)));
    CHECK(b.rd(setip(1)) == 0x3);
    CHECK(b.rd(setip(2)) == 0x1);
    CHECK(b.rd(setip(3)) == 0x1);
    CHECK(b.rd(in_clrip(0)) == (1u << 2));
    b.wr(in_clrip(0), 0xFFFFFFFF); // the level source stays pending
    CHECK(b.rd(setip(0)) == (1u << 2));
    b.wr(in_clrip(1), 0x2);
    CHECK(b.rd(setip(1)) == 0x1);

    b.wr(setie(0), 0xFFFFFFFF);
    CHECK(b.rd(setie(0)) == ((1u << 1) | (1u << 2) | (1u << 31)));
    b.wr(setie(3), 0xFFFFFFFF);
    CHECK(b.rd(setie(3)) == 0x1);
    CHECK(b.rd(clrie(0)) == 0);
    b.wr(clrie(0), 1u << 31);
    CHECK(b.rd(setie(0)) == ((1u << 1) | (1u << 2)));
    b.wr(Aplic::kClrienum, 1);
    CHECK(b.rd(setie(0)) == (1u << 2));
    b.wr(Aplic::kSetienum, 33);
    CHECK(b.rd(setie(1)) == 0x2);
    // Numbers that are not active sources are ignored.
    b.wr(Aplic::kSetienum, 0);
    b.wr(Aplic::kSetienum, 97);
    b.wr(Aplic::kSetienum, 50);
    CHECK(b.rd(setie(0)) == (1u << 2));
    CHECK(b.rd(setie(1)) == 0x2);
    // The by-number registers read zero.
    CHECK(b.rd(Aplic::kSetipnum) == 0);
    CHECK(b.rd(Aplic::kClripnum) == 0);
    CHECK(b.rd(Aplic::kSetienum) == 0);
    CHECK(b.rd(Aplic::kClrienum) == 0);
    CHECK(b.rd(Aplic::kSetipnumLe) == 0);
    CHECK(b.rd(Aplic::kSetipnumBe) == 0);
    // setipnum_be takes the number big-endian.
    b.wr(in_clrip(2), 1);
    CHECK(b.rd(setip(2)) == 0);
    b.wr(Aplic::kSetipnumBe, 64u << 24);
    CHECK(b.rd(setip(2)) == 0x1);
}

TEST_CASE("aplic: target priority is WARL and zero becomes one", "[aplic]") {
    Bench b(direct(), 2, "narrow", false); // iprio-bits 3
    Bench wide(direct({{"iprio-bits", "8"}}), 2, "wide", false);
    nvsoc::test::elaborate();
    b.wr(sourcecfg(1), Aplic::kEdge1);
    b.wr(target(1), direct_target(1, 0));
    CHECK(b.rd(target(1)) == direct_target(1, 1));
    b.wr(target(1), direct_target(1, 0xFF));
    CHECK(b.rd(target(1)) == direct_target(1, 7));
    b.wr(target(1), direct_target(0, 0x8)); // bits 2:0 are zero
    CHECK(b.rd(target(1)) == direct_target(0, 1));
    b.wr(target(1), 0xFFFFFFFF); // reserved bits 17:8 read zero
    CHECK(b.rd(target(1)) == 0xFFFC0007);
    b.wr(idc(0, Aplic::kIthreshold), 0xFF);
    CHECK(b.rd(idc(0, Aplic::kIthreshold)) == 7);

    wide.wr(sourcecfg(1), Aplic::kEdge1);
    wide.wr(target(1), 0xFF);
    CHECK(wide.rd(target(1)) == 0xFF);
}

TEST_CASE("aplic: IDC priorities and ties and threshold", "[aplic]") {
    Bench b(direct());
    b.direct_source(10, Aplic::kEdge1, 0, 5);
    b.direct_source(11, Aplic::kEdge1, 0, 3);
    b.direct_source(12, Aplic::kEdge1, 0, 3);
    b.direct_source(13, Aplic::kEdge1, 1, 7);
    for (unsigned s : {10u, 11u, 12u, 13u})
        b.wr(Aplic::kSetipnum, s);
    // Lowest priority number wins; the lower source on a tie.
    CHECK(b.rd(idc(0, Aplic::kTopi)) == ((11u << 16) | 3));
    CHECK(b.rd(idc(1, Aplic::kTopi)) == ((13u << 16) | 7));
    CHECK(b.meip(0));
    CHECK(b.meip(1));
    // A threshold P hides priorities P and above.
    b.wr(idc(0, Aplic::kIthreshold), 3);
    CHECK(b.rd(idc(0, Aplic::kTopi)) == 0);
    CHECK_FALSE(b.meip(0));
    b.wr(idc(0, Aplic::kIthreshold), 4);
    CHECK(b.rd(idc(0, Aplic::kTopi)) == ((11u << 16) | 3));
    CHECK(b.rd(idc(0, Aplic::kClaimi)) == ((11u << 16) | 3));
    CHECK(b.rd(idc(0, Aplic::kClaimi)) == ((12u << 16) | 3));
    CHECK(b.rd(idc(0, Aplic::kClaimi)) == 0); // 10 has priority 5 >= 4
    CHECK_FALSE(b.meip(0));
    b.wr(idc(0, Aplic::kIthreshold), 0);
    CHECK(b.meip(0));
    // A disabled source does not count.
    b.wr(Aplic::kClrienum, 10);
    CHECK(b.rd(idc(0, Aplic::kTopi)) == 0);
    CHECK_FALSE(b.meip(0));
    // topi and claimi ignore writes.
    b.wr(idc(1, Aplic::kTopi), 0);
    b.wr(idc(1, Aplic::kClaimi), 0);
    CHECK(b.rd(idc(1, Aplic::kTopi)) == ((13u << 16) | 7));
}

TEST_CASE("aplic: IDC delivery needs IE and idelivery while iforce forces it", "[aplic]") {
    Bench b(direct());
    b.direct_source(2, Aplic::kEdge1);
    b.wr(Aplic::kSetipnum, 2);
    CHECK(b.meip(0));
    b.wr(Aplic::kDomaincfg, 0);
    CHECK_FALSE(b.meip(0));
    // topi does not depend on IE or idelivery.
    CHECK(b.rd(idc(0, Aplic::kTopi)) == ((2u << 16) | 1));
    b.wr(Aplic::kDomaincfg, Aplic::kDomaincfgIe);
    CHECK(b.meip(0));
    b.wr(idc(0, Aplic::kIdelivery), 0xFFFFFFFE); // WARL 0/1: 0
    CHECK(b.rd(idc(0, Aplic::kIdelivery)) == 0);
    CHECK_FALSE(b.meip(0));
    b.wr(idc(0, Aplic::kIdelivery), 1);
    CHECK(b.rd(idc(0, Aplic::kClaimi)) == ((2u << 16) | 1));
    CHECK_FALSE(b.meip(0));
    // iforce asserts the pin with nothing pending: a spurious interrupt,
    // which a claim of zero ends.
    b.wr(idc(0, Aplic::kIforce), 3);
    CHECK(b.rd(idc(0, Aplic::kIforce)) == 1);
    CHECK(b.meip(0));
    b.wr(Aplic::kDomaincfg, 0);
    CHECK_FALSE(b.meip(0));
    b.wr(Aplic::kDomaincfg, Aplic::kDomaincfgIe);
    CHECK(b.meip(0));
    CHECK(b.rd(idc(0, Aplic::kClaimi)) == 0);
    CHECK(b.rd(idc(0, Aplic::kIforce)) == 0);
    CHECK_FALSE(b.meip(0));
}

TEST_CASE("aplic: delegation to the supervisor domain", "[aplic]") {
    Bench b(direct({{"s-base", "0xd000000"}}));
    CHECK(b.aplic->has_s_domain());
    CHECK(b.aplic->dt_interrupt_parent() == "aplic.s");
    // Not delegated: the child sees no source 20.
    b.swr(sourcecfg(20), Aplic::kEdge1);
    CHECK(b.srd(sourcecfg(20)) == 0);
    // Delegate: the child index has one legal value, 0.
    b.wr(sourcecfg(20), Aplic::kSourcecfgD | 0x3FF);
    CHECK(b.rd(sourcecfg(20)) == Aplic::kSourcecfgD);
    // Inactive in the root: its pending, enable and target are zero there.
    b.wr(Aplic::kSetienum, 20);
    b.wr(target(20), direct_target(0, 2));
    CHECK(b.rd(setie(0)) == 0);
    CHECK(b.rd(target(20)) == 0);
    // The child configures it; its sourcecfg stayed zero until written.
    CHECK(b.srd(sourcecfg(20)) == 0);
    b.swr(sourcecfg(20), Aplic::kLevel1);
    CHECK(b.srd(sourcecfg(20)) == Aplic::kLevel1);
    // The child is a leaf: D cannot be set there.
    b.swr(sourcecfg(21), Aplic::kSourcecfgD);
    CHECK(b.srd(sourcecfg(21)) == 0);
    b.swr(target(20), direct_target(1, 1));
    b.swr(Aplic::kSetienum, 20);
    b.swr(idc(1, Aplic::kIdelivery), 1);
    b.swr(Aplic::kDomaincfg, Aplic::kDomaincfgIe);
    b.wr(Aplic::kDomaincfg, Aplic::kDomaincfgIe);
    b.line(20, true);
    CHECK(b.s_pending(20));
    CHECK_FALSE(b.pending(20));
    CHECK(b.seip(1));
    CHECK_FALSE(b.meip(1));
    CHECK(b.srd(in_clrip(0)) == (1u << 20));
    CHECK(b.rd(in_clrip(0)) == 0);
    CHECK(b.srd(idc(1, Aplic::kClaimi)) == ((20u << 16) | 1));
    // Taking the delegation back resets the child's view.
    b.wr(sourcecfg(20), Aplic::kEdge1);
    CHECK_FALSE(b.seip(1));
    CHECK(b.srd(sourcecfg(20)) == 0);
    CHECK(b.srd(setie(0)) == 0);
    CHECK(b.srd(target(20)) == 0);
    CHECK_FALSE(b.s_pending(20));
    // Delegated again, it comes back inactive.
    b.wr(sourcecfg(20), Aplic::kSourcecfgD);
    CHECK(b.srd(sourcecfg(20)) == 0);
}

TEST_CASE("aplic: MSI mode forwards pending and enabled sources", "[aplic]") {
    Bench b;
    b.msi_config();
    CHECK(b.rd(Aplic::kMmsiaddrcfg) == 0x24000);
    b.msi_source(10, Aplic::kEdge1, 1, 33);
    b.line(10, true);
    // IE is 0: the source stays pending.
    CHECK(b.msis() == 0);
    CHECK(b.pending(10));
    b.wr(Aplic::kDomaincfg, Aplic::kDomaincfgIe);
    REQUIRE(b.msis() == 1);
    CHECK(b.sink.msis[0].addr == 0x24001000);
    CHECK(b.sink.msis[0].data == 33);
    CHECK_FALSE(b.pending(10));
    // Each rising edge sends one MSI.
    b.line(10, false);
    b.line(10, true);
    REQUIRE(b.msis() == 2);
    // Disabled: it pends; enabling sends.
    b.wr(Aplic::kClrienum, 10);
    b.line(10, false);
    b.line(10, true);
    CHECK(b.msis() == 2);
    CHECK(b.pending(10));
    b.wr(Aplic::kSetienum, 10);
    CHECK(b.msis() == 3);
    // Edge falling and detached sources in MSI mode.
    b.msi_source(11, Aplic::kEdge0, 0, 34);
    b.line(11, true);
    CHECK(b.msis() == 3);
    b.line(11, false);
    REQUIRE(b.msis() == 4);
    CHECK(b.sink.msis[3].addr == 0x24000000);
    CHECK(b.sink.msis[3].data == 34);
    b.msi_source(12, Aplic::kDetached, 0, 35);
    b.line(12, true);
    CHECK(b.msis() == 4);
    b.wr(Aplic::kSetipnumLe, 12);
    REQUIRE(b.msis() == 5);
    CHECK(b.sink.msis[4].data == 35);
    // The target register in MSI mode: hart index, EIID; guest index is
    // read-only zero at machine level; bit 11 reserved.
    b.wr(target(12), 0xFFFFFFFF);
    CHECK(b.rd(target(12)) == 0xFFFC07FF);
}

TEST_CASE("aplic: MSI mode level source re-pends only while its input is high", "[aplic]") {
    Bench b;
    b.msi_config();
    b.wr(Aplic::kDomaincfg, Aplic::kDomaincfgIe);
    b.msi_source(7, Aplic::kLevel1, 0, 40);
    b.line(7, true);
    REQUIRE(b.msis() == 1);
    CHECK_FALSE(b.pending(7));
    // The line stays high: no new MSI without software.
    b.line(7, true);
    CHECK(b.msis() == 1);
    // End of interrupt as Linux does it: setipnum_le with the line still
    // high re-pends the source and sends again.
    b.wr(Aplic::kSetipnumLe, 7);
    REQUIRE(b.msis() == 2);
    CHECK(b.sink.msis[1].data == 40);
    b.wr(Aplic::kSetipnum, 7);
    CHECK(b.msis() == 3);
    b.wr(setip(0), 1u << 7);
    CHECK(b.msis() == 4);
    // Line low: the same writes do nothing.
    b.line(7, false);
    b.wr(Aplic::kSetipnumLe, 7);
    b.wr(Aplic::kSetipnum, 7);
    b.wr(setip(0), 1u << 7);
    CHECK(b.msis() == 4);
    CHECK_FALSE(b.pending(7));
    // A rising edge sends.
    b.line(7, true);
    CHECK(b.msis() == 5);
    // While held pending (IE 0), the input going low clears it, and
    // in_clrip/clripnum clear it too.
    b.wr(Aplic::kDomaincfg, 0);
    b.line(7, false);
    b.line(7, true);
    CHECK(b.pending(7));
    b.line(7, false);
    CHECK_FALSE(b.pending(7));
    b.line(7, true);
    CHECK(b.pending(7));
    b.wr(Aplic::kClripnum, 7);
    CHECK_FALSE(b.pending(7));
    b.wr(Aplic::kSetipnumLe, 7);
    CHECK(b.pending(7));
    b.wr(in_clrip(0), 1u << 7);
    CHECK_FALSE(b.pending(7));
    CHECK(b.msis() == 5);

    // Level low is the same with the wire inverted.
    b.wr(Aplic::kDomaincfg, Aplic::kDomaincfgIe);
    b.line(8, true);
    b.msi_source(8, Aplic::kLevel0, 0, 41);
    CHECK(b.msis() == 5);
    b.wr(Aplic::kSetipnumLe, 8);
    CHECK(b.msis() == 5);
    b.line(8, false);
    REQUIRE(b.msis() == 6);
    CHECK(b.sink.msis[5].data == 41);
    b.wr(Aplic::kSetipnumLe, 8);
    CHECK(b.msis() == 7);
}

TEST_CASE("aplic: MSI address from the address configuration", "[aplic]") {
    Bench b(Overrides{{"s-base", "0xd000000"}, {"geilen", "3"}}, 1);
    // Base 0x1_8000_0000 (PPN bits 43:32 in mmsiaddrcfgh), groups of
    // 2^LHXW harts: LHXW 2, HHXW 2, LHXS 1, HHXS 5 (group stride 2^(5+24)).
    uint32_t h = (5u << 24) | (1u << 20) | (2u << 16) | (2u << 12) | 0x1;
    b.wr(Aplic::kMmsiaddrcfg, 0x80000);
    b.wr(Aplic::kMmsiaddrcfgh, h | 0x60880000); // reserved bits read zero
    CHECK(b.rd(Aplic::kMmsiaddrcfgh) == h);
    // Supervisor files: base 0x2_8000_0000, LHXS 3 (8 pages per hart for
    // its guest files).
    b.wr(Aplic::kSmsiaddrcfg, 0x80000);
    b.wr(Aplic::kSmsiaddrcfgh, (3u << 20) | 0x2 | 0xFF0FF000);
    CHECK(b.rd(Aplic::kSmsiaddrcfgh) == ((3u << 20) | 0x2));
    b.wr(Aplic::kDomaincfg, Aplic::kDomaincfgIe);
    // Hart index 0b1110: group 3, hart 2 in the group.
    b.msi_source(1, Aplic::kDetached, 0xE, 5);
    b.wr(Aplic::kSetipnum, 1);
    REQUIRE(b.msis() == 1);
    uint64_t ppn = (1ull << 32) | 0x80000;
    CHECK(b.sink.msis[0].addr == ((ppn | (3ull << (5 + 12)) | (2ull << 1)) << 12));
    CHECK(b.sink.msis[0].data == 5);

    // The supervisor domain: its base and LHXS, the root's widths and HHXS,
    // and the guest index.
    b.wr(sourcecfg(2), Aplic::kSourcecfgD);
    b.swr(sourcecfg(2), Aplic::kDetached);
    b.swr(target(2), msi_target(0x5, 3, 0x7FF));
    CHECK(b.srd(target(2)) == msi_target(0x5, 3, 0x7FF));
    b.swr(Aplic::kSetienum, 2);
    b.swr(Aplic::kDomaincfg, Aplic::kDomaincfgIe);
    b.swr(Aplic::kSetipnum, 2);
    REQUIRE(b.msis() == 2);
    uint64_t sppn = (2ull << 32) | 0x80000;
    CHECK(b.sink.msis[1].addr == ((sppn | (1ull << (5 + 12)) | (1ull << 3) | 3) << 12));
    CHECK(b.sink.msis[1].data == 0x7FF);
    // The supervisor domain has no MSI address registers of its own.
    CHECK(b.srd(Aplic::kMmsiaddrcfg) == 0);
    b.swr(Aplic::kSmsiaddrcfg, 0x1234);
    CHECK(b.rd(Aplic::kSmsiaddrcfg) == 0x80000);
}

TEST_CASE("aplic: without geilen the guest index is read-only zero", "[aplic]") {
    Bench b(Overrides{{"s-base", "0xd000000"}});
    b.wr(sourcecfg(2), Aplic::kSourcecfgD);
    b.swr(sourcecfg(2), Aplic::kDetached);
    b.swr(target(2), msi_target(1, 3, 9));
    CHECK(b.srd(target(2)) == msi_target(1, 0, 9));
}

TEST_CASE("aplic: a locked MSI address configuration ignores writes", "[aplic]") {
    Bench b(Overrides{{"s-base", "0xd000000"}});
    b.wr(Aplic::kMmsiaddrcfg, 0x24000);
    b.wr(Aplic::kSmsiaddrcfg, 0x28000);
    // Setting L with other fields takes them and locks.
    b.wr(Aplic::kMmsiaddrcfgh, Aplic::kMsiaddrcfghL | (3u << 12));
    CHECK(b.rd(Aplic::kMmsiaddrcfgh) == (Aplic::kMsiaddrcfghL | (3u << 12)));
    b.wr(Aplic::kMmsiaddrcfg, 0x11111);
    b.wr(Aplic::kMmsiaddrcfgh, 0);
    b.wr(Aplic::kSmsiaddrcfg, 0x22222);
    b.wr(Aplic::kSmsiaddrcfgh, 0x7);
    CHECK(b.rd(Aplic::kMmsiaddrcfg) == 0x24000);
    CHECK(b.rd(Aplic::kMmsiaddrcfgh) == (Aplic::kMsiaddrcfghL | (3u << 12)));
    CHECK(b.rd(Aplic::kSmsiaddrcfg) == 0x28000);
    CHECK(b.rd(Aplic::kSmsiaddrcfgh) == 0);
    // The locked configuration still places MSIs.
    b.wr(Aplic::kDomaincfg, Aplic::kDomaincfgIe);
    b.msi_source(1, Aplic::kDetached, 2, 1);
    b.wr(Aplic::kSetipnum, 1);
    REQUIRE(b.msis() == 1);
    CHECK(b.sink.msis[0].addr == 0x24002000);
    // Only a reset unlocks.
    b.aplic->reset();
    CHECK(b.rd(Aplic::kMmsiaddrcfgh) == 0);
    b.wr(Aplic::kMmsiaddrcfg, 0x11111);
    CHECK(b.rd(Aplic::kMmsiaddrcfg) == 0x11111);
}

TEST_CASE("aplic: genmsi sends an extempore MSI even with IE clear", "[aplic]") {
    Bench b(Overrides{{"s-base", "0xd000000"}});
    b.msi_config();
    b.wr(Aplic::kSmsiaddrcfg, 0x28000000 >> 12);
    b.wr(Aplic::kGenmsi, (3u << 18) | (1u << 12) | 0x7FF | 0x800);
    REQUIRE(b.msis() == 1);
    CHECK(b.sink.msis[0].addr == 0x24003000);
    CHECK(b.sink.msis[0].data == 0x7FF);
    // Busy is never seen: the MSI has left by the time of the next read.
    CHECK(b.rd(Aplic::kGenmsi) == ((3u << 18) | 0x7FF));
    // The supervisor domain sends to supervisor level.
    b.swr(Aplic::kGenmsi, (1u << 18) | 12);
    REQUIRE(b.msis() == 2);
    CHECK(b.sink.msis[1].addr == 0x28001000);
    CHECK(b.sink.msis[1].data == 12);
    nlohmann::json st;
    b.aplic->stats(st);
    CHECK(st["genmsi"] == 2);
    CHECK(st["msis_sent"] == 2);
}

TEST_CASE("aplic: genmsi is read-only zero in direct mode", "[aplic]") {
    Bench d(direct());
    d.wr(Aplic::kGenmsi, (1u << 18) | 5);
    CHECK(d.rd(Aplic::kGenmsi) == 0);
    CHECK(d.msis() == 0);
}

TEST_CASE("aplic: an MSI nobody takes is dropped and counted", "[aplic]") {
    Bench b;
    b.sink.accept = false;
    b.wr(Aplic::kDomaincfg, Aplic::kDomaincfgIe);
    b.msi_source(1, Aplic::kEdge1, 0, 1);
    for (int i = 0; i < 3; ++i) {
        b.line(1, true);
        b.line(1, false);
    }
    CHECK_FALSE(b.pending(1));
    nlohmann::json st;
    b.aplic->stats(st);
    CHECK(st["msis_dropped"] == 3);
    CHECK(st["msis_sent"] == 0);
}

TEST_CASE("aplic: MSIs that re-pend their own source do not hang", "[aplic]") {
    // The MSI lands in this APLIC's setipnum_le and re-pends the source
    // that sent it: a loop a guest can make, which must not hang.
    Bench b;
    b.sink.on_msi = [&](uint64_t addr, uint32_t data) { b.m.write32(addr - kBase, data); };
    b.wr(Aplic::kMmsiaddrcfg, (kBase + Aplic::kSetipnumLe) >> 12);
    b.wr(Aplic::kDomaincfg, Aplic::kDomaincfgIe);
    b.msi_source(1, Aplic::kDetached, 0, 1);
    b.wr(Aplic::kSetipnum, 1);
    CHECK(b.msis() == 64);
    CHECK(b.sink.msis.back().addr == kBase + Aplic::kSetipnumLe);
    CHECK(b.pending(1)); // left pending for the next change
    nlohmann::json st;
    b.aplic->stats(st);
    CHECK(st["guest_errors"] == 1);
    // The loop broken, the pending MSI goes out at the next change.
    b.sink.on_msi = nullptr;
    b.wr(Aplic::kClrienum, 1);
    b.wr(Aplic::kSetienum, 1);
    CHECK(b.msis() == 65);
    CHECK_FALSE(b.pending(1));
}

TEST_CASE("aplic: reserved offsets read zero and ignore writes while bad widths fail", "[aplic]") {
    Bench b(Overrides{{"s-base", "0xd000000"}});
    for (uint64_t off :
         {0x1000ull, 0x1BD0ull, 0x1C80ull, 0x1CD8ull, 0x2008ull, 0x4000ull, 0x401Cull, 0x7FFCull}) {
        INFO("offset " << off);
        b.wr(off, 0xFFFFFFFF);
        CHECK(b.rd(off) == 0);
    }
    // The supervisor domain has no MSI address registers.
    b.swr(Aplic::kMmsiaddrcfgh, Aplic::kMsiaddrcfghL);
    CHECK(b.srd(Aplic::kMmsiaddrcfgh) == 0);
    CHECK(b.rd(Aplic::kMmsiaddrcfgh) == 0);
    // Only aligned 32-bit accesses.
    CHECK(b.m.write(Aplic::kDomaincfg + 1, 1, 1) == tlm::TLM_ADDRESS_ERROR_RESPONSE);
    b.m.read(Aplic::kDomaincfg, 8);
    CHECK(b.m.last_status == tlm::TLM_ADDRESS_ERROR_RESPONSE);
    b.m.read(Aplic::kDomaincfg + 2, 4);
    CHECK(b.m.last_status == tlm::TLM_ADDRESS_ERROR_RESPONSE);
    b.s->read(Aplic::kDomaincfg, 2);
    CHECK(b.s->last_status == tlm::TLM_ADDRESS_ERROR_RESPONSE);
    CHECK(b.rd(Aplic::kDomaincfg) == 0x80000004);
    nlohmann::json st;
    b.aplic->stats(st);
    CHECK(st["guest_errors"] >= 20);
}

TEST_CASE("aplic: direct mode has no MSI address registers and IDCs only for its harts",
          "[aplic]") {
    Bench d(direct());
    d.wr(Aplic::kMmsiaddrcfg, 0x1234);
    CHECK(d.rd(Aplic::kMmsiaddrcfg) == 0);
    d.wr(idc(2, Aplic::kIdelivery), 1);
    CHECK(d.rd(idc(2, Aplic::kIdelivery)) == 0);
    d.wr(idc(1, Aplic::kIdelivery), 1);
    CHECK(d.rd(idc(1, Aplic::kIdelivery)) == 1);
    CHECK(d.rd(idc(0, 0x0C)) == 0); // a reserved word inside an IDC
}

TEST_CASE("aplic: a source out of range on the wire is logged and not fatal", "[aplic]") {
    Bench b(direct());
    b.line(0, true);
    b.line(97, true);
    b.line(5000, true);
    nlohmann::json st;
    b.aplic->stats(st);
    CHECK(st["guest_errors"] == 3);
}

TEST_CASE("aplic: reset returns every register to its reset value", "[aplic]") {
    Bench b(direct({{"s-base", "0xd000000"}}));
    b.direct_source(5, Aplic::kLevel1, 1, 2);
    b.wr(sourcecfg(6), Aplic::kSourcecfgD);
    b.swr(sourcecfg(6), Aplic::kEdge1);
    b.wr(idc(1, Aplic::kIthreshold), 5);
    b.wr(idc(0, Aplic::kIforce), 1);
    b.line(5, true);
    b.wr(idc(1, Aplic::kIthreshold), 0);
    CHECK(b.meip(1));
    b.aplic->reset();
    CHECK_FALSE(b.meip(0));
    CHECK_FALSE(b.meip(1));
    CHECK(b.rd(Aplic::kDomaincfg) == 0x80000000);
    CHECK(b.rd(sourcecfg(5)) == 0);
    CHECK(b.rd(sourcecfg(6)) == 0);
    CHECK(b.srd(sourcecfg(6)) == 0);
    CHECK(b.rd(target(5)) == 0);
    CHECK(b.rd(setip(0)) == 0);
    CHECK(b.rd(setie(0)) == 0);
    CHECK(b.rd(idc(0, Aplic::kIforce)) == 0);
    CHECK(b.rd(idc(1, Aplic::kIdelivery)) == 0);
    // The wire is still high: configured again, the level source pends.
    b.wr(sourcecfg(5), Aplic::kLevel1);
    CHECK(b.pending(5));
}

TEST_CASE("aplic: direct mode with both domains drives MEIP and SEIP", "[aplic]") {
    Bench b(direct({{"s-base", "0xd000000"}}));
    b.direct_source(1, Aplic::kEdge1, 0);
    b.wr(sourcecfg(2), Aplic::kSourcecfgD);
    b.swr(sourcecfg(2), Aplic::kEdge1);
    b.swr(target(2), direct_target(0, 1));
    b.swr(Aplic::kSetienum, 2);
    b.swr(idc(0, Aplic::kIdelivery), 1);
    b.swr(Aplic::kDomaincfg, Aplic::kDomaincfgIe);
    b.line(2, true);
    CHECK(b.seip(0));
    CHECK_FALSE(b.meip(0));
    b.line(1, true);
    CHECK(b.meip(0));
    CHECK(b.srd(idc(0, Aplic::kClaimi)) == ((2u << 16) | 1));
    CHECK_FALSE(b.seip(0));
    CHECK(b.meip(0));
    CHECK_FALSE(b.seip(1));
    CHECK_FALSE(b.meip(1));
    auto w = b.aplic->windows();
    REQUIRE(w.size() == 1);
    CHECK(w[0].name == "aplic.s");
    CHECK(w[0].base == kSBase);
    CHECK(w[0].size == 0x8000);
    CHECK(w[0].socket == b.aplic->s_target());
}

TEST_CASE("aplic: bad parameters are input errors", "[aplic]") {
    auto make = [](Overrides o, unsigned harts = 1, uint64_t size = 0) {
        DeviceConfig c = nvsoc::test::make_config("aplic", "aplic", kBase, o, harts);
        if (size) c.size = size;
        return ModelRegistry::instance().create_device(c);
    };
    CHECK_THROWS_AS(make({{"sources", "0"}}), InputError);
    CHECK_THROWS_AS(make({{"sources", "1024"}}), InputError);
    CHECK_THROWS_AS(make({{"iprio-bits", "9"}}), InputError);
    CHECK_THROWS_AS(make({{"delivery", "wires"}}), InputError);
    try {
        make({{"s-base", "0xc004000"}});
        FAIL("no error");
    } catch (const InputError& e) {
        CHECK(e.where().file == "test");
        CHECK_THAT(e.message(), Catch::Contains("overlaps"));
    }
    CHECK_THROWS_AS(make({{"s-base", "0xbffc000"}}), InputError);
    CHECK_NOTHROW(make({{"s-base", "0xc008000"}}));
    CHECK_THROWS_AS(make({{"s-base", "0xd000800"}}), InputError);
    CHECK_THROWS_AS(make({}, 1, 0x3000), InputError);
    CHECK_THROWS_AS(make({}, 1, 0x4800), InputError);
    // Direct delivery needs room for an IDC per hart.
    try {
        make(direct(), 4, 0x4000);
        FAIL("no error");
    } catch (const InputError& e) {
        CHECK_THAT(e.message(), Catch::Contains("0x5000"));
    }
    CHECK_NOTHROW(make(direct(), 4, 0x5000));
}

TEST_CASE("aplic: device tree nodes in MSI mode", "[aplic]") {
    Bench b(Overrides{{"s-base", "0xd000000"}});
    DeviceTree tree;
    DtContext ctx(tree, {11, 22});
    FakeImsic imsic;
    ctx.add_msi_controller("imsic", &imsic);
    b.dev->describe_dt(ctx);
    const DtNode* soc = tree.root().find_child("soc");
    REQUIRE(soc != nullptr);
    const DtNode* m = soc->find_child("aplic@c000000");
    const DtNode* s = soc->find_child("aplic@d000000");
    REQUIRE(m != nullptr);
    REQUIRE(s != nullptr);
    auto cells = [](const DtNode* node, const char* name) {
        const DtProperty* p = node->prop(name);
        REQUIRE(p != nullptr);
        return p->cells;
    };
    using V = std::vector<uint32_t>;
    uint32_t sph = ctx.phandle_of("aplic.s");
    for (const DtNode* n : {m, s}) {
        const DtProperty* compat = n->prop("compatible");
        REQUIRE(compat != nullptr);
        CHECK(compat->strings == std::vector<std::string>{"riscv,aplic"});
        REQUIRE(n->prop("interrupt-controller") != nullptr);
        CHECK(n->prop("interrupt-controller")->kind == DtProperty::Kind::Empty);
        CHECK(cells(n, "#interrupt-cells") == V{2});
        CHECK(cells(n, "#address-cells") == V{0});
        CHECK(cells(n, "riscv,num-sources") == V{96});
        CHECK(n->prop("interrupts-extended") == nullptr);
    }
    CHECK(cells(m, "reg") == V{0, 0xC000000, 0, 0x8000});
    CHECK(cells(s, "reg") == V{0, 0xD000000, 0, 0x8000});
    CHECK(cells(m, "msi-parent") == V{ctx.phandle_of("imsic.m")});
    CHECK(cells(s, "msi-parent") == V{ctx.phandle_of("imsic.s")});
    CHECK(cells(m, "phandle") == V{ctx.phandle_of("aplic")});
    CHECK(cells(s, "phandle") == V{sph});
    CHECK(cells(m, "riscv,children") == V{sph});
    CHECK(cells(m, "riscv,delegate") == V{sph, 1, 96});
    CHECK(cells(m, "riscv,delegation") == V{sph, 1, 96});
    CHECK(s->prop("riscv,children") == nullptr);
    CHECK(s->prop("riscv,delegate") == nullptr);
    // Devices point at the supervisor domain.
    ctx.add_controller("aplic", b.aplic);
    CHECK(ctx.interrupt_parent(IrqRef{"aplic", 10, {}}) == sph);
    CHECK(ctx.interrupt_specifier(IrqRef{"aplic", 10, {}}) == V{10, 4});
}

TEST_CASE("aplic: device tree nodes in direct mode", "[aplic]") {
    Bench b(direct({{"s-base", "0xd000000"}, {"sources", "63"}}));
    DeviceTree tree;
    DtContext ctx(tree, {11, 22});
    b.dev->describe_dt(ctx);
    const DtNode* soc = tree.root().find_child("soc");
    REQUIRE(soc != nullptr);
    const DtNode* m = soc->find_child("aplic@c000000");
    const DtNode* s = soc->find_child("aplic@d000000");
    REQUIRE(m != nullptr);
    REQUIRE(s != nullptr);
    using V = std::vector<uint32_t>;
    REQUIRE(m->prop("interrupts-extended") != nullptr);
    REQUIRE(s->prop("interrupts-extended") != nullptr);
    CHECK(m->prop("interrupts-extended")->cells == V{11, 11, 22, 11});
    CHECK(s->prop("interrupts-extended")->cells == V{11, 9, 22, 9});
    CHECK(m->prop("msi-parent") == nullptr);
    CHECK(s->prop("msi-parent") == nullptr);
    REQUIRE(m->prop("riscv,num-sources") != nullptr);
    CHECK(m->prop("riscv,num-sources")->cells == V{63});
    uint32_t sph = ctx.phandle_of("aplic.s");
    REQUIRE(m->prop("riscv,delegation") != nullptr);
    CHECK(m->prop("riscv,delegation")->cells == V{sph, 1, 63});
}

TEST_CASE("aplic: device tree node without a supervisor domain", "[aplic]") {
    // One node, no children; devices point at it.
    Bench one(direct());
    DeviceTree tree2;
    DtContext ctx2(tree2, {11, 22});
    one.dev->describe_dt(ctx2);
    const DtNode* soc2 = tree2.root().find_child("soc");
    REQUIRE(soc2 != nullptr);
    const DtNode* only = soc2->find_child("aplic@c000000");
    REQUIRE(only != nullptr);
    CHECK(only->prop("riscv,children") == nullptr);
    CHECK(only->prop("riscv,delegate") == nullptr);
    CHECK(only->prop("riscv,delegation") == nullptr);
    CHECK(one.aplic->dt_interrupt_parent() == "aplic");
}
