// A function's interrupt signalling on its own (pcie::MsiSignaller): MSI
// vectors and Multiple Message Enable, 32- and 64-bit addresses, per-vector
// masking with pending bits, the MSI-X table and PBA as BAR registers,
// per-vector and function masking, the INTx fallback, Bus Master Enable,
// and level conditions (a port's AER and PME interrupts).
#include "models/pcie/msi.h"

#include "models/core/pcie_extension.h"
#include "models/pcie/epf_test.h"
#include "models/pcie/pcie_host.h"
#include "support/device_config.h"
#include "support/tlm_initiator.h"

#include <catch2/catch.hpp>
#include <cstring>
#include <tlm_utils/simple_target_socket.h>
#include <vector>

using namespace nvsoc;
using namespace nvsoc::pcie;

namespace {

struct Message {
    uint64_t address;
    uint32_t data;
    bool operator==(const Message& o) const { return address == o.address && data == o.data; }
};

Identity endpoint_id() {
    Identity id;
    id.vendor_id = 0x1234;
    id.device_id = 0x5678;
    id.class_code = 0xff0000;
    id.interrupt_pin = 1;
    return id;
}

constexpr uint32_t kTable = 0x80, kPba = 0x880; // 128 entries in BAR0

// One function with MSI (and, optionally, MSI-X with its table in BAR0),
// the messages it sends and its INTx level.
struct Bench {
    ConfigSpace cs{endpoint_id()};
    Logger log{"ep", "test"};
    RegisterBank bar0;
    std::vector<Message> sent;
    bool intx = false;
    bool accept = true; // what the system answers the write
    std::unique_ptr<MsiSignaller> msi;

    explicit Bench(MsiOptions msi_options, unsigned msix_vectors = 0) {
        cs.set_bar(0, {0x1000, BarKind::Memory32, false});
        cs.add_msi_capability(msi_options);
        if (msix_vectors)
            cs.add_msix_capability({.table_size = msix_vectors,
                                    .table_bar = 0,
                                    .table_offset = kTable,
                                    .pba_bar = 0,
                                    .pba_offset = kPba});
        MsiSignaller::Wiring w;
        w.send = [this](uint64_t address, uint32_t data) {
            sent.push_back({address, data});
            return accept;
        };
        w.intx = [this](bool level) { intx = level; };
        msi = std::make_unique<MsiSignaller>(cs, log, w);
        if (msix_vectors) msi->declare_msix(bar0, bar0);
        cs.write(cfg::kCommand, cfg::command::kMemorySpace | cfg::command::kBusMaster, 2);
    }
    unsigned m() const { return cs.msi_offset(); }
    unsigned x() const { return cs.msix_offset(); }
    // Software's view: configuration writes and BAR accesses.
    void cfg_write(unsigned offset, uint32_t v, unsigned len = 4) {
        REQUIRE(cs.write(offset, v, len));
    }
    uint32_t cfg_read(unsigned offset, unsigned len = 4) { return *cs.read(offset, len); }
    void enable_msi(unsigned mme, uint64_t address, uint16_t data) {
        cfg_write(m() + msi::kAddressLow, static_cast<uint32_t>(address));
        if (cs.u16(m() + msi::kControl) & msi::kAddress64)
            cfg_write(m() + msi::kAddressHigh, static_cast<uint32_t>(address >> 32));
        cfg_write(cs.msi_layout().data, data, 2);
        cfg_write(m() + msi::kControl, msi::kEnable | mme << 4, 2);
    }
    void bar_write(uint64_t offset, uint64_t v, unsigned len) {
        REQUIRE(bar0.write(offset, reinterpret_cast<const uint8_t*>(&v), len) == AccessResult::Ok);
    }
    uint64_t bar_read(uint64_t offset, unsigned len) {
        uint64_t v = 0;
        REQUIRE(bar0.read(offset, reinterpret_cast<uint8_t*>(&v), len) == AccessResult::Ok);
        return v;
    }
    // Entry `i`: address, data, unmasked.
    void program_entry(unsigned i, uint64_t address, uint32_t data, bool masked = false) {
        bar_write(kTable + 16 * i, address, 8);
        bar_write(kTable + 16 * i + 8, data, 4);
        bar_write(kTable + 16 * i + 12, masked ? 1 : 0, 4);
    }
    void set_msix_control(uint16_t bits) { cfg_write(x() + msix::kControl, bits, 2); }
};

} // namespace

TEST_CASE("msi: 1 to 32 vectors put the vector in the data's low bits") {
    for (unsigned mme = 0; mme <= 5; ++mme) {
        Bench b({.multiple_message_capable = 5});
        unsigned vectors = 1u << mme;
        b.enable_msi(mme, 0x28000000, 0x4ff);
        CHECK(b.msi->mode() == InterruptMode::Msi);
        CHECK(b.msi->msi_vectors() == vectors);
        for (unsigned v = 0; v < vectors; ++v)
            CHECK(b.msi->raise(v) == InterruptMode::Msi);
        REQUIRE(b.sent.size() == vectors);
        for (unsigned v = 0; v < vectors; ++v)
            CHECK(b.sent[v] == Message{0x28000000, (0x4ffu & ~(vectors - 1)) | v});
        // A vector beyond those enabled is not sent.
        CHECK_FALSE(b.msi->raise_msi(vectors));
        CHECK(b.sent.size() == vectors);
        CHECK(b.msi->counters().invalid == 1);
    }
}

TEST_CASE("msi: Multiple Message Enable beyond Multiple Message Capable is held to it") {
    Bench b({.multiple_message_capable = 1}); // 2 vectors
    b.enable_msi(3, 0x28000000, 0x40);        // asks for 8
    CHECK(b.msi->msi_vectors() == 2);
    CHECK(b.msi->raise_msi(1));
    CHECK_FALSE(b.msi->raise_msi(2));
    REQUIRE(b.sent.size() == 1);
    CHECK(b.sent[0] == Message{0x28000000, 0x41});
}

TEST_CASE("msi: a 64-bit address is sent whole, a 32-bit capability sends 32 bits") {
    Bench b64({.address64 = true});
    b64.enable_msi(0, 0x12'2800'1000, 0x7);
    b64.msi->raise(0);
    REQUIRE(b64.sent.size() == 1);
    CHECK(b64.sent[0] == Message{0x12'2800'1000, 0x7});

    Bench b32({.address64 = false});
    CHECK(b32.cs.msi_layout().data == b32.m() + 8);
    b32.enable_msi(0, 0x28001000, 0x9);
    b32.msi->raise(0);
    REQUIRE(b32.sent.size() == 1);
    CHECK(b32.sent[0] == Message{0x28001000, 0x9});
}

TEST_CASE("msi: a masked vector sets its pending bit, unmasking sends it") {
    Bench b({.multiple_message_capable = 3, .per_vector_masking = true});
    auto layout = b.cs.msi_layout();
    b.enable_msi(3, 0x28000000, 0x20);
    b.cfg_write(layout.mask, 0x0a); // vectors 1 and 3 masked
    b.msi->raise(3);
    b.msi->raise(2);
    REQUIRE(b.sent.size() == 1);
    CHECK(b.sent[0] == Message{0x28000000, 0x22});
    CHECK(b.cfg_read(layout.pending) == 0x08);
    CHECK(b.msi->msi_pending(3));
    // The Pending register is read-only to software.
    b.cfg_write(layout.pending, 0);
    CHECK(b.cfg_read(layout.pending) == 0x08);
    // Unmasking vector 1 (nothing pending) sends nothing; unmasking 3 sends it.
    b.cfg_write(layout.mask, 0x08);
    CHECK(b.sent.size() == 1);
    b.cfg_write(layout.mask, 0x00);
    REQUIRE(b.sent.size() == 2);
    CHECK(b.sent[1] == Message{0x28000000, 0x23});
    CHECK(b.cfg_read(layout.pending) == 0);
    CHECK(b.msi->counters().pended == 1);
}

TEST_CASE("msi: with neither MSI nor MSI-X enabled the vector is raised on INTx") {
    Bench b({}, 4);
    CHECK(b.msi->mode() == InterruptMode::Intx);
    CHECK(b.msi->raise(0) == InterruptMode::Intx);
    CHECK(b.intx);
    CHECK(b.sent.empty());
    // Asking for a kind that is off does nothing.
    b.intx = false;
    CHECK_FALSE(b.msi->raise_msi(0));
    CHECK_FALSE(b.msi->raise_msix(0));
    CHECK_FALSE(b.intx);
    CHECK(b.sent.empty());
}

TEST_CASE("msi: Bus Master Enable clear: no message") {
    Bench b({.per_vector_masking = true});
    b.enable_msi(0, 0x28000000, 0x5);
    b.cfg_write(cfg::kCommand, cfg::command::kMemorySpace, 2);
    b.msi->raise(0);
    CHECK(b.sent.empty());
    CHECK(b.msi->counters().blocked == 1);
    b.cfg_write(cfg::kCommand, cfg::command::kMemorySpace | cfg::command::kBusMaster, 2);
    b.msi->raise(0);
    CHECK(b.sent.size() == 1);
    // A write the system refuses is counted, not retried.
    b.accept = false;
    b.msi->raise(0);
    CHECK(b.sent.size() == 2);
    CHECK(b.msi->counters().refused == 1);
}

TEST_CASE("msix: the table and PBA are BAR registers, entries reset masked") {
    Bench b({}, 128);
    CHECK(b.msi->msix_vectors() == 128);
    // Reset: address and data 0, Vector Control's Mask Bit set.
    for (unsigned i : {0u, 1u, 127u}) {
        CHECK(b.bar_read(kTable + 16 * i, 8) == 0);
        CHECK(b.bar_read(kTable + 16 * i + 8, 4) == 0);
        CHECK(b.bar_read(kTable + 16 * i + 12, 4) == 1);
    }
    // DWORD and QWORD accesses.
    b.bar_write(kTable + 16 * 5, 0x28001000, 4);
    b.bar_write(kTable + 16 * 5 + 4, 0x12, 4);
    CHECK(b.bar_read(kTable + 16 * 5, 8) == 0x12'2800'1000);
    b.bar_write(kTable + 16 * 6, 0x0000'0034'2800'2003ull, 8); // address bits 1:0 read 0
    CHECK(b.bar_read(kTable + 16 * 6, 4) == 0x28002000);
    CHECK(b.bar_read(kTable + 16 * 6 + 4, 4) == 0x34);
    b.bar_write(kTable + 16 * 6 + 8, 0x0000'0000'0000'0777ull, 8); // data and unmask at once
    CHECK(b.bar_read(kTable + 16 * 6 + 8, 8) == 0x777);
    b.bar_write(kTable + 16 * 6 + 12, 0xffffffff, 4); // only the Mask Bit is writable
    CHECK(b.bar_read(kTable + 16 * 6 + 12, 4) == 1);
    auto e = b.msi->msix_entry(6);
    CHECK(e.address == 0x34'2800'2000);
    CHECK(e.data == 0x777);
    CHECK(e.masked);
    // The PBA: 2 QWORDs, read-only.
    CHECK(b.bar_read(kPba, 8) == 0);
    b.bar_write(kPba, ~0ull, 8);
    CHECK(b.bar_read(kPba, 8) == 0);
    CHECK(b.bar_read(kPba + 8, 8) == 0);
    // The function's reset masks the entries again.
    b.program_entry(7, 0x28000000, 7);
    CHECK_FALSE(b.msi->msix_entry(7).masked);
    b.msi->reset();
    CHECK(b.msi->msix_entry(7).masked);
}

TEST_CASE("msix: a masked entry sets its pending bit, unmasking sends it and clears the bit") {
    Bench b({}, 128);
    b.set_msix_control(msix::kEnable);
    CHECK(b.msi->mode() == InterruptMode::Msix);
    b.program_entry(0, 0x28000000, 1);
    b.program_entry(70, 0x28001000, 70, true);
    CHECK(b.msi->raise(0) == InterruptMode::Msix);
    REQUIRE(b.sent.size() == 1);
    CHECK(b.sent[0] == Message{0x28000000, 1});
    // Entry 70 is masked: PBA bit 70 (QWORD 1, bit 6).
    b.msi->raise(70);
    CHECK(b.sent.size() == 1);
    CHECK(b.msi->msix_pending(70));
    CHECK(b.bar_read(kPba + 8, 8) == 1ull << 6);
    CHECK(b.bar_read(kPba + 8, 4) == 1u << 6);
    // Unmasking sends it once, and the bit clears.
    b.bar_write(kTable + 16 * 70 + 12, 0, 4);
    REQUIRE(b.sent.size() == 2);
    CHECK(b.sent[1] == Message{0x28001000, 70});
    CHECK(b.bar_read(kPba + 8, 8) == 0);
    b.bar_write(kTable + 16 * 70 + 12, 1, 4);
    b.bar_write(kTable + 16 * 70 + 12, 0, 4);
    CHECK(b.sent.size() == 2);
    // A vector beyond the table is not sent.
    CHECK_FALSE(b.msi->raise_msix(128));
    CHECK(b.sent.size() == 2);
}

TEST_CASE("msix: the Function Mask holds every vector pending until it clears") {
    Bench b({}, 128);
    b.program_entry(2, 0x28000000, 2);
    b.program_entry(3, 0x28000000, 3, true);
    b.set_msix_control(msix::kEnable | msix::kFunctionMask);
    b.msi->raise(2);
    b.msi->raise(3);
    CHECK(b.sent.empty());
    CHECK(b.bar_read(kPba, 8) == 0xc);
    // Unmasking an entry under the Function Mask sends nothing yet.
    b.bar_write(kTable + 16 * 3 + 12, 0, 4);
    CHECK(b.sent.empty());
    b.bar_write(kTable + 16 * 3 + 12, 1, 4);
    // Clearing the Function Mask sends the unmasked entry's vector; the
    // masked one stays pending.
    b.set_msix_control(msix::kEnable);
    REQUIRE(b.sent.size() == 1);
    CHECK(b.sent[0] == Message{0x28000000, 2});
    CHECK(b.bar_read(kPba, 8) == 0x8);
}

TEST_CASE("msix: MSI-X Enable off falls back to MSI, then to INTx") {
    Bench b({.multiple_message_capable = 2}, 16);
    b.program_entry(1, 0x28002000, 0x101);
    b.enable_msi(2, 0x28000000, 0x40);
    b.set_msix_control(msix::kEnable);
    CHECK(b.msi->raise(1) == InterruptMode::Msix);
    b.set_msix_control(0);
    CHECK(b.msi->raise(1) == InterruptMode::Msi);
    b.cfg_write(b.m() + msi::kControl, 0, 2);
    CHECK(b.msi->raise(1) == InterruptMode::Intx);
    REQUIRE(b.sent.size() == 2);
    CHECK(b.sent[0] == Message{0x28002000, 0x101});
    CHECK(b.sent[1] == Message{0x28000000, 0x41});
    CHECK(b.intx);
}

TEST_CASE("msi: level conditions are INTx levels, or one message per rising edge") {
    Bench b({.per_vector_masking = true});
    // INTx: the OR of the conditions.
    b.msi->set_level(0, 0, true);
    CHECK(b.intx);
    b.msi->set_level(1, 0, true);
    b.msi->set_level(0, 0, false);
    CHECK(b.intx);
    b.msi->set_level(1, 0, false);
    CHECK_FALSE(b.intx);
    b.msi->set_level(1, 0, true);
    CHECK(b.intx);
    // Enabling MSI lowers INTx; a condition already true sends nothing.
    b.enable_msi(0, 0x28000000, 0x33);
    CHECK_FALSE(b.intx);
    CHECK(b.sent.empty());
    // Each rising edge is one message; staying true is not another.
    b.msi->set_level(0, 0, true);
    b.msi->set_level(0, 0, true);
    CHECK(b.sent.size() == 1);
    b.msi->set_level(0, 0, false);
    b.msi->set_level(0, 0, true);
    CHECK(b.sent.size() == 2);
    CHECK_FALSE(b.intx);
    // Back to INTx: the wire shows the conditions again.
    b.cfg_write(b.m() + msi::kControl, 0, 2);
    CHECK(b.intx);
}

TEST_CASE("msi: Interrupt Message Numbers of a root port") {
    Identity id = endpoint_id();
    id.class_code = 0x060400;
    ConfigSpace cs(id, BridgeOptions{});
    cs.add_msi_capability({.multiple_message_capable = 2});
    cs.add_pcie_capability({.type = PortType::RootPort});
    cs.add_aer_capability();
    cs.set_interrupt_message_number(3);
    CHECK(((cs.u16(cs.pcie_offset() + pcie_cap::kCapabilities) >> 9) & 0x1f) == 3);
    CHECK(cs.u32(cs.aer_offset() + aer::kRootErrorStatus) >> 27 == 3);
    // Both read-only to software; Root Error Status' status bits stay RW1C.
    cs.write(cs.pcie_offset() + pcie_cap::kCapabilities, 0, 2);
    cs.write(cs.aer_offset() + aer::kRootErrorStatus, 0xffffffff, 4);
    CHECK(((cs.u16(cs.pcie_offset() + pcie_cap::kCapabilities) >> 9) & 0x1f) == 3);
    CHECK(cs.u32(cs.aer_offset() + aer::kRootErrorStatus) >> 27 == 3);
    CHECK_THROWS_AS(cs.set_interrupt_message_number(32), std::logic_error);
}

namespace {
// Stands where the host bridge's upstream traffic meets the SoC bus: keeps
// every write with the requester ID its PcieExtension carries.
struct Capture : sc_core::sc_module {
    struct Write {
        uint64_t address;
        uint32_t data;
        unsigned length;
        uint16_t requester;
        bool has_extension;
    };
    tlm_utils::simple_target_socket<Capture> socket;
    std::vector<Write> writes;
    explicit Capture(sc_core::sc_module_name n) : sc_core::sc_module(n), socket("socket") {
        socket.register_b_transport(this, &Capture::b_transport);
    }
    void b_transport(tlm::tlm_generic_payload& tx, sc_core::sc_time&) {
        if (tx.is_write()) {
            PcieExtension* ext = nullptr;
            tx.get_extension(ext);
            uint32_t data = 0;
            std::memcpy(&data, tx.get_data_ptr(), std::min(4u, tx.get_data_length()));
            writes.push_back({tx.get_address(), data, tx.get_data_length(),
                              ext ? ext->requester_id : uint16_t{0}, ext != nullptr});
        }
        tx.set_response_status(tlm::TLM_OK_RESPONSE);
    }
};
} // namespace

TEST_CASE("msix: pci-epf-test on a root bus: the message leaves the host bridge as a 4-byte write "
          "with the function's requester ID") {
    using namespace nvsoc::test;
    auto host_dev = make_device("pcie-host", "pcie", 0x30000000);
    auto& host = dynamic_cast<PcieHost&>(*host_dev);
    std::unique_ptr<Model> ep_model = ModelRegistry::instance().create(
        make_config("pci-epf-test", "epf0", 0, {{"msix-vectors", "64"}}));
    auto& ep = dynamic_cast<EpfTest&>(*ep_model);
    host.attach(ep, BusPlacement{"pcie", 3, {}});
    Capture soc("soc");
    host.dma.bind(soc.socket);
    TlmInitiator cpu("cpu"), io("io"), mmio("mmio"), mmio64("mmio64");
    cpu.socket.bind(host.target);
    auto windows = host.windows();
    REQUIRE(windows.size() == 3);
    io.socket.bind(*windows[0].socket);
    mmio.socket.bind(*windows[1].socket);
    mmio64.socket.bind(*windows[2].socket);
    elaborate();

    auto ecam = [](unsigned reg) { return (0u << 20) | (3u << 15) | reg; };
    CHECK(ep.config_space().bar(0).size == 2048); // 0x80 + 64 entries + 8 bytes of PBA
    cpu.write32(ecam(cfg::kBar0), 0x40000000);
    cpu.write(ecam(cfg::kCommand), cfg::command::kMemorySpace | cfg::command::kBusMaster, 2);
    unsigned x = ep.config_space().msix_offset();
    cpu.write(ecam(x + msix::kControl), msix::kEnable, 2);
    uint64_t entry = epf_test::kMsixTableOffset + 16 * 9; // BAR0 at the window's start
    mmio.write(entry, 0x12'2800'3000ull, 8);
    mmio.write(entry + 8, 0x9a, 8); // data, and Vector Control with the Mask Bit clear
    mmio.write32(epf_test::kIrqType, epf_test::kIrqTypeMsix);
    mmio.write32(epf_test::kIrqNumber, 10);
    mmio.write32(epf_test::kCommand, epf_test::kRaiseMsix);
    sc_core::sc_start(sc_core::sc_time(10, sc_core::SC_US));
    REQUIRE(soc.writes.size() == 1);
    const Capture::Write& w = soc.writes[0];
    CHECK(w.address == 0x12'2800'3000ull);
    CHECK(w.data == 0x9a);
    CHECK(w.length == 4);
    CHECK(w.has_extension);
    CHECK(w.requester == make_requester_id(0, 3, 0));
}
