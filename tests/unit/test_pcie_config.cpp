// One PCI Express function's configuration space on its own: the access
// semantics of each bit (RO, RW, RW1C, sticky), BAR sizing and decoding,
// the type 1 bridge registers, the capability lists and the standard
// capabilities, and the write hooks a port or endpoint model reacts to.
#include "models/pcie/config_space.h"

#include <catch2/catch.hpp>

#include <stdexcept>
#include <vector>

using namespace nvsoc::pcie;

namespace {

Identity endpoint_id() {
    Identity id;
    id.vendor_id = 0x1234;
    id.device_id = 0x5678;
    id.revision_id = 0x02;
    id.class_code = 0x020000; // Ethernet controller
    id.subsystem_vendor_id = 0x1af4;
    id.subsystem_id = 0x1100;
    id.interrupt_pin = 1;
    return id;
}

Identity bridge_id() {
    Identity id;
    id.vendor_id = 0x1234;
    id.device_id = 0x0001;
    id.class_code = 0x060400; // PCI-to-PCI bridge
    id.interrupt_pin = 1;
    return id;
}

uint32_t rd(const ConfigSpace& c, unsigned offset, unsigned len = 4) {
    auto v = c.read(offset, len);
    REQUIRE(v.has_value());
    return *v;
}

void wr(ConfigSpace& c, unsigned offset, uint32_t value, unsigned len = 4) {
    REQUIRE(c.write(offset, value, len));
}

ConfigSpace port(PortType type, PcieOptions o = {}) {
    ConfigSpace c(bridge_id(), BridgeOptions{});
    o.type = type;
    c.add_pcie_capability(o);
    return c;
}

ConfigSpace endpoint(PcieOptions o = {}) {
    ConfigSpace c(endpoint_id());
    o.type = PortType::Endpoint;
    c.add_pcie_capability(o);
    return c;
}

// Software's BAR sizing: save, write all ones, read the mask, restore.
uint64_t size_bar64(ConfigSpace& c, unsigned index) {
    unsigned off = cfg::kBar0 + 4 * index;
    wr(c, off, ~0u);
    wr(c, off + 4, ~0u);
    uint64_t mask = (uint64_t{rd(c, off + 4)} << 32) | (rd(c, off) & ~0xfu);
    return ~mask + 1;
}

} // namespace

// --- Header registers --------------------------------------------------------

TEST_CASE("pcie-config: Command keeps its RW bits and hardwires the others to 0") {
    ConfigSpace c(endpoint_id());
    CHECK(rd(c, cfg::kCommand, 2) == 0);
    wr(c, cfg::kCommand, 0xffff, 2);
    // I/O, Memory, Bus Master, Parity Error Response, SERR#, Interrupt Disable.
    CHECK(rd(c, cfg::kCommand, 2) == 0x0547);
    CHECK(c.memory_enabled());
    CHECK(c.io_enabled());
    CHECK(c.bus_master_enabled());
    wr(c, cfg::kCommand, cfg::command::kMemorySpace, 2);
    CHECK(rd(c, cfg::kCommand, 2) == 0x0002);
    CHECK_FALSE(c.io_enabled());
}

TEST_CASE("pcie-config: Status error bits are RW1C: a write clears exactly the ones written") {
    ConfigSpace c(endpoint_id());
    c.set_status_error(0xffff); // only the error bits exist
    CHECK(rd(c, cfg::kStatus, 2) == 0xf900);
    wr(c, cfg::kStatus, cfg::status::kReceivedMasterAbort, 2);
    CHECK(rd(c, cfg::kStatus, 2) == 0xd900);
    wr(c, cfg::kStatus, 0, 2); // writing 0 leaves them
    CHECK(rd(c, cfg::kStatus, 2) == 0xd900);
    // A dword write of Command also writes Status: the ones written there
    // clear, as on hardware.
    wr(c, cfg::kCommand, (uint32_t{cfg::status::kDetectedParityError} << 16) | 0x2);
    CHECK(rd(c, cfg::kStatus, 2) == 0x5900);
    CHECK(rd(c, cfg::kCommand, 2) == 0x2);
}

TEST_CASE("pcie-config: Status Capabilities List and Interrupt Status are read-only") {
    ConfigSpace c(endpoint_id());
    CHECK((rd(c, cfg::kStatus, 2) & cfg::status::kCapabilitiesList) == 0);
    c.add_pm_capability();
    CHECK(rd(c, cfg::kStatus, 2) == cfg::status::kCapabilitiesList);
    wr(c, cfg::kStatus, 0xffff, 2);
    CHECK(rd(c, cfg::kStatus, 2) == cfg::status::kCapabilitiesList);
    // Interrupt Status follows the model's INTx level; Interrupt Disable
    // masks the interrupt but not the status.
    c.set_intx(true);
    CHECK(rd(c, cfg::kStatus, 2) == (cfg::status::kCapabilitiesList | 0x8));
    CHECK(c.intx_asserted());
    wr(c, cfg::kStatus, 0x8, 2);
    CHECK((rd(c, cfg::kStatus, 2) & cfg::status::kInterruptStatus) != 0);
    wr(c, cfg::kCommand, cfg::command::kInterruptDisable, 2);
    CHECK_FALSE(c.intx_asserted());
    CHECK((rd(c, cfg::kStatus, 2) & cfg::status::kInterruptStatus) != 0);
    c.set_intx(false);
    CHECK(rd(c, cfg::kStatus, 2) == cfg::status::kCapabilitiesList);
}

TEST_CASE("pcie-config: identity registers are read-only") {
    Identity id = endpoint_id();
    id.multi_function = true;
    ConfigSpace c(id);
    for (unsigned off : {0x00u, 0x08u, 0x2cu})
        wr(c, off, 0xffffffff);
    CHECK(rd(c, 0x00) == 0x56781234);
    CHECK(rd(c, 0x08) == 0x02000002); // class 02 00 00, revision 2
    CHECK(rd(c, 0x2c) == 0x11001af4);
    // Cache Line Size is RW; Latency Timer and BIST read 0; Header Type is
    // type 0 with the multi-function bit.
    wr(c, 0x0c, 0xffffffff);
    CHECK(rd(c, 0x0c) == 0x008000ff);
    CHECK(rd(c, cfg::kHeaderType, 1) == 0x80);
    ConfigSpace b(bridge_id(), BridgeOptions{});
    CHECK(rd(b, cfg::kHeaderType, 1) == 0x01);
    CHECK(rd(b, 0x08) == 0x06040000);
}

TEST_CASE("pcie-config: reserved and unimplemented registers read 0 and ignore writes") {
    ConfigSpace c(endpoint_id());
    for (unsigned off = 0x10; off < 0x3c; off += 4)
        wr(c, off, 0xffffffff); // BARs, CardBus CIS, subsystem IDs, ROM, 0x34-0x3b
    for (unsigned off = 0x10; off < 0x2c; off += 4)
        CHECK(rd(c, off) == 0);
    CHECK(rd(c, 0x30) == 0); // no expansion ROM
    CHECK(rd(c, 0x34) == 0); // no capabilities
    CHECK(rd(c, 0x38) == 0);
    // Interrupt Line is RW, Interrupt Pin read-only, Min_Gnt/Max_Lat 0.
    wr(c, 0x3c, 0xffffffff);
    CHECK(rd(c, 0x3c) == 0x000001ff);
    for (unsigned off : {0x40u, 0x80u, 0xfcu, 0x100u, 0x800u, 0xffcu}) {
        wr(c, off, 0xffffffff);
        CHECK(rd(c, off) == 0);
    }
}

// --- BARs --------------------------------------------------------------------

TEST_CASE("pcie-config: a 32-bit memory BAR sizes like hardware") {
    ConfigSpace c(endpoint_id());
    c.set_bar(0, {4096, BarKind::Memory32});
    CHECK(rd(c, 0x10) == 0); // memory, 32-bit, not prefetchable
    wr(c, 0x10, 0xffffffff);
    CHECK(rd(c, 0x10) == 0xfffff000);
    wr(c, 0x10, 0x12345678); // only the address bits stick
    CHECK(rd(c, 0x10) == 0x12345000);
    CHECK(c.bar_address(0) == 0x12345000);
    // A sub-word write moves only its bytes.
    wr(c, 0x12, 0xabcd, 2);
    CHECK(c.bar_address(0) == 0xabcd5000);
}

TEST_CASE("pcie-config: a prefetchable 64-bit BAR under 4 GiB has a fully writable upper dword") {
    ConfigSpace c(endpoint_id());
    c.set_bar(2, {1u << 20, BarKind::Memory64, true});
    CHECK(rd(c, 0x18) == 0x0000000c); // 64-bit, prefetchable
    wr(c, 0x18, 0xffffffff);
    wr(c, 0x1c, 0xffffffff);
    CHECK(rd(c, 0x18) == 0xfff0000c);
    CHECK(rd(c, 0x1c) == 0xffffffff);
    CHECK(size_bar64(c, 2) == (1u << 20));
    wr(c, 0x18, 0x12300000);
    wr(c, 0x1c, 0x8);
    CHECK(c.bar_address(2) == 0x812300000);
    CHECK(c.bar_address(3) == 0); // the upper half is not a BAR of its own
}

TEST_CASE("pcie-config: a 64-bit BAR of 4 GiB or more masks its upper dword's size bits") {
    ConfigSpace c(endpoint_id());
    c.set_bar(0, {uint64_t{16} << 30, BarKind::Memory64}); // 16 GiB
    c.set_bar(2, {uint64_t{4} << 30, BarKind::Memory64});  // 4 GiB
    wr(c, 0x10, 0xffffffff);
    wr(c, 0x14, 0xffffffff);
    CHECK(rd(c, 0x10) == 0x00000004); // no address bits in the low dword
    CHECK(rd(c, 0x14) == 0xfffffffc);
    CHECK(size_bar64(c, 0) == (uint64_t{16} << 30));
    CHECK(size_bar64(c, 2) == (uint64_t{4} << 30));
    wr(c, 0x14, 0x7); // address 0x4_0000_0000 after masking
    CHECK(c.bar_address(0) == 0x400000000);
}

TEST_CASE("pcie-config: an I/O BAR keeps its space bit and sizes in bytes") {
    ConfigSpace c(endpoint_id());
    c.set_bar(4, {32, BarKind::Io});
    CHECK(rd(c, 0x20) == 0x1);
    wr(c, 0x20, 0xffffffff);
    CHECK(rd(c, 0x20) == 0xffffffe1);
    wr(c, 0x20, 0x1000);
    CHECK(rd(c, 0x20) == 0x1001);
    CHECK(c.bar_address(4) == 0x1000);
}

TEST_CASE("pcie-config: unimplemented BARs and an absent expansion ROM read 0") {
    ConfigSpace c(endpoint_id());
    c.set_bar(0, {4096, BarKind::Memory32});
    wr(c, cfg::kCommand, 0x3, 2);
    for (unsigned i = 1; i < 6; ++i) {
        wr(c, 0x10 + 4 * i, 0xffffffff);
        CHECK(rd(c, 0x10 + 4 * i) == 0);
        CHECK(c.bar_address(i) == 0);
    }
    wr(c, 0x30, 0xffffffff);
    CHECK(rd(c, 0x30) == 0);
    CHECK_FALSE(c.bar_enabled(ConfigSpace::kRomBar));
    // Nothing but BAR0 (programmed to 0) claims anything.
    CHECK_FALSE(c.decode(Space::Memory, 0x10000).has_value());
    CHECK_FALSE(c.decode(Space::Io, 0).has_value());
}

TEST_CASE("pcie-config: the expansion ROM BAR sizes and decodes only when enabled") {
    ConfigSpace c(endpoint_id());
    c.set_expansion_rom(64 << 10);
    wr(c, 0x30, 0xffffffff);
    CHECK(rd(c, 0x30) == 0xffff0001);
    wr(c, 0x30, 0x80000000); // placed, enable bit clear
    wr(c, cfg::kCommand, cfg::command::kMemorySpace, 2);
    CHECK_FALSE(c.decode(Space::Memory, 0x80000010).has_value());
    wr(c, 0x30, 0x80000001);
    auto hit = c.decode(Space::Memory, 0x80000010);
    REQUIRE(hit.has_value());
    CHECK(hit->bar == ConfigSpace::kRomBar);
    CHECK(hit->offset == 0x10);
    CHECK(c.bar_address(ConfigSpace::kRomBar) == 0x80000000);
}

TEST_CASE("pcie-config: decode() claims requests only while Command enables the space") {
    ConfigSpace c(endpoint_id());
    c.set_bar(0, {4096, BarKind::Memory32});
    c.set_bar(1, {16, BarKind::Io});
    c.set_bar(2, {1u << 20, BarKind::Memory64, true});
    wr(c, 0x10, 0x40000000);
    wr(c, 0x14, 0x100);
    wr(c, 0x18, 0x00100000);
    wr(c, 0x1c, 0x4);
    CHECK_FALSE(c.decode(Space::Memory, 0x40000010).has_value());
    CHECK_FALSE(c.decode(Space::Io, 0x104).has_value());
    wr(c, cfg::kCommand, cfg::command::kMemorySpace, 2);
    auto m = c.decode(Space::Memory, 0x40000010);
    REQUIRE(m.has_value());
    CHECK(m->bar == 0);
    CHECK(m->offset == 0x10);
    auto m64 = c.decode(Space::Memory, 0x4001fffff);
    REQUIRE(m64.has_value());
    CHECK(m64->bar == 2);
    CHECK(m64->offset == 0xfffff);
    CHECK_FALSE(c.decode(Space::Memory, 0x40001000).has_value()); // just past BAR0
    CHECK_FALSE(c.decode(Space::Memory, 0x100).has_value());      // I/O BAR, memory request
    CHECK_FALSE(c.decode(Space::Io, 0x104).has_value());          // I/O still disabled
    wr(c, cfg::kCommand, cfg::command::kIoSpace, 2);
    auto io = c.decode(Space::Io, 0x10f);
    REQUIRE(io.has_value());
    CHECK(io->bar == 1);
    CHECK(io->offset == 0xf);
    CHECK_FALSE(c.decode(Space::Memory, 0x40000010).has_value()); // memory now disabled
}

TEST_CASE("pcie-config: impossible BAR declarations are refused") {
    ConfigSpace c(endpoint_id());
    CHECK_THROWS_AS(c.set_bar(0, {3000, BarKind::Memory32}), std::logic_error);
    CHECK_THROWS_AS(c.set_bar(0, {8, BarKind::Memory32}), std::logic_error);
    CHECK_THROWS_AS(c.set_bar(0, {uint64_t{4} << 30, BarKind::Memory32}), std::logic_error);
    CHECK_THROWS_AS(c.set_bar(0, {512, BarKind::Io}), std::logic_error);
    CHECK_THROWS_AS(c.set_bar(0, {16, BarKind::Io, true}), std::logic_error);
    CHECK_THROWS_AS(c.set_bar(5, {4096, BarKind::Memory64}), std::logic_error);
    CHECK_THROWS_AS(c.set_expansion_rom(1024), std::logic_error);
    c.set_bar(0, {4096, BarKind::Memory64});
    CHECK_THROWS_AS(c.set_bar(1, {4096, BarKind::Memory32}), std::logic_error); // upper half
    CHECK_THROWS_AS(c.set_bar(0, {4096, BarKind::Memory32}), std::logic_error); // twice
    ConfigSpace b(bridge_id(), BridgeOptions{});
    CHECK_THROWS_AS(b.set_bar(2, {4096, BarKind::Memory32}), std::logic_error);
    CHECK_THROWS_AS(b.set_bar(1, {4096, BarKind::Memory64}), std::logic_error);
}

// --- Capability lists ------------------------------------------------------

TEST_CASE("pcie-config: the capability list from 0x34 visits PM, MSI, MSI-X, PCIe and ends") {
    ConfigSpace c(endpoint_id());
    c.set_bar(0, {16 << 10, BarKind::Memory64});
    c.add_pm_capability();
    c.add_msi_capability();
    c.add_msix_capability(
        {.table_size = 8, .table_bar = 0, .table_offset = 0, .pba_bar = 0, .pba_offset = 0x2000});
    c.add_pcie_capability({.type = PortType::Endpoint});
    REQUIRE((rd(c, cfg::kStatus, 2) & cfg::status::kCapabilitiesList) != 0);
    std::vector<unsigned> ids, offsets;
    unsigned off = rd(c, cfg::kCapabilitiesPointer, 1);
    while (off != 0 && ids.size() < 10) {
        CHECK(off >= 0x40);
        CHECK(off % 4 == 0);
        offsets.push_back(off);
        ids.push_back(rd(c, off, 1));
        off = rd(c, off + 1, 1);
    }
    CHECK(ids == std::vector<unsigned>{0x01, 0x05, 0x11, 0x10});
    CHECK(offsets[0] == 0x40);
    CHECK(offsets ==
          std::vector<unsigned>{c.pm_offset(), c.msi_offset(), c.msix_offset(), c.pcie_offset()});
    CHECK(c.find_capability(cfg::kCapMsix) == c.msix_offset());
    CHECK_FALSE(c.find_capability(0x09).has_value());
    // The list itself is read-only.
    wr(c, cfg::kCapabilitiesPointer, 0xff, 1);
    wr(c, c.pm_offset(), 0xffff, 2);
    CHECK(rd(c, cfg::kCapabilitiesPointer, 1) == 0x40);
    CHECK(rd(c, c.pm_offset(), 2) == (0x01 | (c.msi_offset() << 8)));
}

TEST_CASE("pcie-config: the extended capability chain from 0x100 reaches AER") {
    ConfigSpace c = endpoint();
    CHECK(rd(c, 0x100) == 0); // no extended capabilities yet
    unsigned vsec = c.add_extended_capability(0x000b, 1, 0x10);
    unsigned aer = c.add_aer_capability();
    CHECK(vsec == 0x100);
    CHECK(aer == 0x110);
    std::vector<uint32_t> headers;
    unsigned off = 0x100;
    while (off != 0 && headers.size() < 10) {
        uint32_t h = rd(c, off);
        headers.push_back(h);
        off = h >> 20;
    }
    REQUIRE(headers.size() == 2);
    CHECK(headers[0] == (0x000bu | (1u << 16) | (0x110u << 20)));
    CHECK(headers[1] == 0x00020001); // AER, version 2, last
    CHECK(c.find_extended_capability(cfg::kExtCapAer) == 0x110u);
    wr(c, 0x110, 0xffffffff);
    CHECK(rd(c, 0x110) == 0x00020001);
}

TEST_CASE("pcie-config: capability builders refuse impossible layouts") {
    ConfigSpace ep(endpoint_id());
    CHECK_THROWS_AS(ep.add_aer_capability(), std::logic_error); // needs PCIe first
    CHECK_THROWS_AS(ep.add_pcie_capability({.type = PortType::RootPort}), std::logic_error);
    CHECK_THROWS_AS(ep.add_pcie_capability({.type = PortType::Endpoint, .max_link_width = 3}),
                    std::logic_error);
    CHECK_THROWS_AS(ep.add_pcie_capability({.type = PortType::Endpoint, .slot = SlotOptions{}}),
                    std::logic_error);
    CHECK_THROWS_AS(ep.add_msi_capability({.multiple_message_capable = 6}), std::logic_error);
    ep.add_pm_capability();
    CHECK_THROWS_AS(ep.add_pm_capability(), std::logic_error);
    CHECK_THROWS_AS(ep.add_capability(0x09, 0xc0), std::logic_error); // past 0x100
    ConfigSpace br(bridge_id(), BridgeOptions{});
    CHECK_THROWS_AS(br.add_pcie_capability({.type = PortType::Endpoint}), std::logic_error);
    CHECK_THROWS_AS(br.add_pcie_capability({.type = PortType::UpstreamPort, .slot = SlotOptions{}}),
                    std::logic_error);
}

// --- Power Management, MSI, MSI-X ------------------------------------------

TEST_CASE("pcie-config: PM PowerState takes D0 and D3hot only, No_Soft_Reset is read-only") {
    ConfigSpace c(endpoint_id());
    unsigned pm = c.add_pm_capability();
    CHECK((rd(c, pm + 2, 2) & 0x7) == 3); // version 3
    unsigned csr = pm + 4;
    CHECK(rd(c, csr, 2) == 0x0008); // D0, No_Soft_Reset
    wr(c, csr, 3, 2);
    CHECK(c.power_state() == 3);
    wr(c, csr, 1, 2); // D1 is not supported: the write completes, nothing changes
    CHECK(c.power_state() == 3);
    wr(c, csr, 2, 2);
    CHECK(c.power_state() == 3);
    wr(c, csr, 0, 2);
    CHECK(c.power_state() == 0);
    wr(c, csr, 0xffff, 2);
    CHECK(rd(c, csr, 2) == 0x000b);
    wr(c, csr, 0, 2);
    CHECK(rd(c, csr, 2) == 0x0008);
    ConfigSpace d(endpoint_id());
    unsigned pm2 = d.add_pm_capability({.no_soft_reset = false});
    CHECK(rd(d, pm2 + 4, 2) == 0);
}

TEST_CASE("pcie-config: MSI Enable and Multiple Message Enable are RW, the rest read-only") {
    ConfigSpace c(endpoint_id());
    unsigned msi = c.add_msi_capability(
        {.multiple_message_capable = 3, .address64 = true, .per_vector_masking = true});
    CHECK(rd(c, msi + 2, 2) == 0x0186); // 8 vectors, 64-bit, per-vector masking
    wr(c, msi + 2, 0xffff, 2);
    CHECK(rd(c, msi + 2, 2) == 0x01f7);
    wr(c, msi + 2, 0x0031, 2); // enable with 8 vectors
    wr(c, msi + 4, 0xffffffff);
    CHECK(rd(c, msi + 4) == 0xfffffffc);
    wr(c, msi + 4, 0x24000000);
    wr(c, msi + 8, 0x1);
    wr(c, msi + 0xc, 0xffffffff); // data is 16 bits
    CHECK(rd(c, msi + 0xc) == 0x0000ffff);
    wr(c, msi + 0xc, 0x42, 2);
    wr(c, msi + 0x10, 0xffffffff); // mask bits for 8 vectors
    CHECK(rd(c, msi + 0x10) == 0xff);
    wr(c, msi + 0x14, 0xffffffff); // pending is set by the function
    CHECK(rd(c, msi + 0x14) == 0);
    c.hw_set_bits(msi + 0x14, 0x4);
    CHECK(rd(c, msi + 0x14) == 0x4);
    auto s = c.msi();
    REQUIRE(s.has_value());
    CHECK(s->enabled);
    CHECK(s->vectors == 8);
    CHECK(s->address == 0x124000000);
    CHECK(s->data == 0x42);
    CHECK(s->mask == 0xff);
}

TEST_CASE("pcie-config: a 32-bit MSI capability keeps Message Data at +8") {
    ConfigSpace c(endpoint_id());
    unsigned msi = c.add_msi_capability({.address64 = false});
    unsigned next = c.add_pm_capability();
    CHECK(rd(c, msi + 2, 2) == 0); // 1 vector, 32-bit, no masking
    CHECK(next == msi + 12);       // 10 bytes, dword aligned
    CHECK(c.msi_layout().data == msi + 8);
    CHECK(c.msi_layout().mask == 0u);
    wr(c, msi + 8, 0xffffffff);
    CHECK(rd(c, msi + 8) == 0xffff);
}

TEST_CASE("pcie-config: MSI-X Enable and Function Mask are RW, size, BIR and offsets are not") {
    ConfigSpace c(endpoint_id());
    c.set_bar(0, {16 << 10, BarKind::Memory32});
    c.set_bar(2, {4096, BarKind::Memory64});
    unsigned off = c.add_msix_capability({.table_size = 64,
                                          .table_bar = 0,
                                          .table_offset = 0x800,
                                          .pba_bar = 2,
                                          .pba_offset = 0x100});
    CHECK(rd(c, off + 2, 2) == 63);
    CHECK(rd(c, off + 4) == 0x800);
    CHECK(rd(c, off + 8) == 0x102);
    wr(c, off + 2, 0xffff, 2);
    CHECK(rd(c, off + 2, 2) == 0xc03f);
    wr(c, off + 4, 0xffffffff);
    wr(c, off + 8, 0);
    CHECK(rd(c, off + 4) == 0x800);
    CHECK(rd(c, off + 8) == 0x102);
    auto s = c.msix();
    REQUIRE(s.has_value());
    CHECK(s->enabled);
    CHECK(s->function_mask);
    CHECK(s->table_size == 64);
    CHECK(s->table_bar == 0);
    CHECK(s->table_offset == 0x800);
    CHECK(s->pba_bar == 2);
    CHECK(s->pba_offset == 0x100);
}

TEST_CASE("pcie-config: the MSI-X table and PBA must fit in declared memory BARs") {
    ConfigSpace c(endpoint_id());
    c.set_bar(0, {4096, BarKind::Memory32});
    c.set_bar(1, {16, BarKind::Io});
    auto opts = [](unsigned n, unsigned tbar, uint32_t toff, unsigned pbar, uint32_t poff) {
        return MsixOptions{n, tbar, toff, pbar, poff};
    };
    CHECK_THROWS_AS(c.add_msix_capability(opts(8, 2, 0, 0, 0x800)), std::logic_error);   // absent
    CHECK_THROWS_AS(c.add_msix_capability(opts(8, 1, 0, 0, 0x800)), std::logic_error);   // I/O
    CHECK_THROWS_AS(c.add_msix_capability(opts(512, 0, 0, 0, 0x800)), std::logic_error); // size
    CHECK_THROWS_AS(c.add_msix_capability(opts(8, 0, 4, 0, 0x800)), std::logic_error);   // align
    CHECK_THROWS_AS(c.add_msix_capability(opts(8, 0, 0, 0, 0x40)), std::logic_error);    // overlap
    CHECK_THROWS_AS(c.add_msix_capability(opts(0, 0, 0, 0, 0x800)), std::logic_error);
    CHECK(c.msix_offset() == 0);
    CHECK_NOTHROW(c.add_msix_capability(opts(8, 0, 0, 0, 0x800)));
}

// --- Type 1 ------------------------------------------------------------------

TEST_CASE("pcie-config: type 1 bus numbers are RW and the secondary latency timer reads 0") {
    ConfigSpace b(bridge_id(), BridgeOptions{});
    CHECK(rd(b, 0x18) == 0);
    wr(b, 0x18, 0xff050100);
    CHECK(rd(b, 0x18) == 0x00050100);
    CHECK(b.primary_bus() == 0);
    CHECK(b.secondary_bus() == 1);
    CHECK(b.subordinate_bus() == 5);
    wr(b, cfg::kSubordinateBus, 0x20, 1);
    CHECK(b.subordinate_bus() == 0x20);
    CHECK(b.secondary_bus() == 1);
}

TEST_CASE("pcie-config: type 1 I/O base and limit keep their 32-bit type bits") {
    ConfigSpace b(bridge_id(), BridgeOptions{});
    CHECK(rd(b, cfg::kIoBase, 1) == 0x01);
    CHECK(rd(b, cfg::kIoLimit, 1) == 0x01);
    wr(b, cfg::kIoBase, 0xff, 1);
    CHECK(rd(b, cfg::kIoBase, 1) == 0xf1);
    wr(b, cfg::kIoBase, 0x20, 1);
    wr(b, cfg::kIoLimit, 0x30, 1);
    wr(b, cfg::kIoBaseUpper, 0x00010001);
    CHECK(rd(b, cfg::kIoBase, 2) == 0x3121);
    auto w = b.io_window();
    REQUIRE(w.has_value());
    CHECK(w->base == 0x12000);
    CHECK(w->limit == 0x13fff);
    CHECK_FALSE(b.forwards(Space::Io, 0x12000)); // I/O Space Enable clear
    wr(b, cfg::kCommand, cfg::command::kIoSpace, 2);
    CHECK(b.forwards(Space::Io, 0x12000));
    CHECK(b.forwards(Space::Io, 0x13fff));
    CHECK_FALSE(b.forwards(Space::Io, 0x14000));
    // A 16-bit I/O window: type 0, no upper registers; no window: all 0.
    ConfigSpace b16(bridge_id(), BridgeOptions{.io_32bit = false});
    wr(b16, cfg::kIoBase, 0xffff, 2);
    wr(b16, cfg::kIoBaseUpper, 0xffffffff);
    CHECK(rd(b16, cfg::kIoBase, 2) == 0xf0f0);
    CHECK(rd(b16, cfg::kIoBaseUpper) == 0);
    ConfigSpace none(bridge_id(), BridgeOptions{.io_window = false});
    wr(none, cfg::kIoBase, 0xffff, 2);
    CHECK(rd(none, cfg::kIoBase, 2) == 0);
    CHECK_FALSE(none.io_window().has_value());
}

TEST_CASE("pcie-config: type 1 memory and 64-bit prefetchable windows have read-only low bits") {
    ConfigSpace b(bridge_id(), BridgeOptions{});
    CHECK(rd(b, cfg::kMemoryBase) == 0);
    CHECK(rd(b, cfg::kPrefetchableBase) == 0x00010001); // 64-bit type in both
    wr(b, cfg::kMemoryBase, 0xffffffff);
    wr(b, cfg::kPrefetchableBase, 0xffffffff);
    CHECK(rd(b, cfg::kMemoryBase) == 0xfff0fff0);
    CHECK(rd(b, cfg::kPrefetchableBase) == 0xfff1fff1);
    wr(b, cfg::kMemoryBase, 0x40104000); // [0x4000_0000, 0x401f_ffff]
    wr(b, cfg::kPrefetchableBase, 0x3ff00000);
    wr(b, cfg::kPrefetchableBaseUpper, 0x4);
    wr(b, cfg::kPrefetchableLimitUpper, 0x4);
    CHECK(rd(b, cfg::kPrefetchableBase) == 0x3ff10001);
    auto m = b.memory_window();
    REQUIRE(m.has_value());
    CHECK(m->base == 0x40000000);
    CHECK(m->limit == 0x401fffff);
    auto p = b.prefetchable_window();
    REQUIRE(p.has_value());
    CHECK(p->base == 0x400000000);
    CHECK(p->limit == 0x43fffffff);
    CHECK_FALSE(b.forwards(Space::Memory, 0x40000000));
    wr(b, cfg::kCommand, cfg::command::kMemorySpace, 2);
    CHECK(b.forwards(Space::Memory, 0x40000000));
    CHECK(b.forwards(Space::Memory, 0x43fffffff));
    CHECK_FALSE(b.forwards(Space::Memory, 0x40200000));
    // Limit below base: the window is closed.
    wr(b, cfg::kMemoryBase, 0x10002000);
    CHECK_FALSE(b.memory_window().has_value());
    // A 32-bit prefetchable window has no upper registers.
    ConfigSpace b32(bridge_id(), BridgeOptions{.prefetchable_64bit = false});
    CHECK(rd(b32, cfg::kPrefetchableBase) == 0);
    wr(b32, cfg::kPrefetchableBaseUpper, 0xffffffff);
    CHECK(rd(b32, cfg::kPrefetchableBaseUpper) == 0);
}

TEST_CASE("pcie-config: bridge control bits are RW and Secondary Bus Reset reaches the hook") {
    ConfigSpace b(bridge_id(), BridgeOptions{});
    std::vector<bool> resets;
    b.add_write_hook(cfg::kBridgeControl, 2, [&](const WriteEvent& ev) {
        CHECK(ev.covers(cfg::kBridgeControl));
        resets.push_back(ev.new_field(cfg::kBridgeControl, 2) &
                         cfg::bridge_control::kSecondaryBusReset);
    });
    wr(b, cfg::kBridgeControl, 0xffff, 2);
    // Parity Error Response, SERR#, ISA, VGA, VGA 16-bit, Secondary Bus Reset.
    CHECK(rd(b, cfg::kBridgeControl, 2) == 0x005f);
    CHECK(b.secondary_bus_reset());
    wr(b, cfg::kBridgeControl, 0x0003, 2);
    CHECK_FALSE(b.secondary_bus_reset());
    wr(b, cfg::kInterruptLine, 5, 1); // same dword, other register: not reported
    CHECK(resets == std::vector<bool>{true, false});
    ConfigSpace novga(bridge_id(), BridgeOptions{.io_window = false, .vga = false});
    wr(novga, cfg::kBridgeControl, 0xffff, 2);
    CHECK(rd(novga, cfg::kBridgeControl, 2) == 0x0043);
}

TEST_CASE("pcie-config: type 1 Secondary Status error bits are RW1C") {
    ConfigSpace b(bridge_id(), BridgeOptions{});
    wr(b, cfg::kSecondaryStatus, 0xffff, 2);
    CHECK(rd(b, cfg::kSecondaryStatus, 2) == 0);
    b.hw_set_bits(cfg::kSecondaryStatus,
                  cfg::status::kReceivedMasterAbort | cfg::status::kSystemError);
    wr(b, cfg::kSecondaryStatus, cfg::status::kSystemError, 2);
    CHECK(rd(b, cfg::kSecondaryStatus, 2) == cfg::status::kReceivedMasterAbort);
}

// --- PCI Express capability ------------------------------------------------

TEST_CASE("pcie-config: PCIe capability version, port type and Device Control/Status") {
    ConfigSpace ep = endpoint({.max_payload_supported = 512, .flr = true});
    unsigned e = ep.pcie_offset();
    CHECK(rd(ep, e + pcie_cap::kCapabilities, 2) == 0x0002); // version 2, endpoint
    uint32_t devcap = rd(ep, e + pcie_cap::kDeviceCapabilities);
    CHECK((devcap & 0x7) == 2); // 512 bytes
    CHECK((devcap & pcie_cap::devcap::kFlr) != 0);
    CHECK((devcap & pcie_cap::devcap::kRoleBasedErrorReporting) != 0);
    unsigned ctl = e + pcie_cap::kDeviceControl;
    CHECK(rd(ep, ctl, 2) == 0x2810); // relaxed ordering, no snoop, MRRS 512
    wr(ep, ctl, 0xffff, 2);
    CHECK(rd(ep, ctl, 2) == 0x79ff); // Initiate FLR reads 0
    wr(ep, ctl, (1u << 5) | (5u << 12), 2);
    CHECK(rd(ep, ctl, 2) == 0x5020); // MPS 256, MRRS 4096
    unsigned sta = e + pcie_cap::kDeviceStatus;
    ep.hw_set_bits(sta, pcie_cap::devsta::kCorrectableDetected |
                            pcie_cap::devsta::kUnsupportedRequestDetected |
                            pcie_cap::devsta::kTransactionsPending);
    wr(ep, sta, pcie_cap::devsta::kUnsupportedRequestDetected, 2);
    CHECK(rd(ep, sta, 2) == 0x21);
    wr(ep, sta, 0xffff, 2); // Transactions Pending is the function's
    CHECK(rd(ep, sta, 2) == 0x20);
    ConfigSpace rp = port(PortType::RootPort);
    CHECK(rd(rp, rp.pcie_offset() + pcie_cap::kCapabilities, 2) == 0x0042);
    ConfigSpace up = port(PortType::UpstreamPort);
    CHECK(rd(up, up.pcie_offset() + pcie_cap::kCapabilities, 2) == 0x0052);
}

TEST_CASE("pcie-config: Link Capabilities give speed, width, port number and reporting bits") {
    ConfigSpace rp =
        port(PortType::RootPort, {.max_link_speed = 4, .max_link_width = 16, .port_number = 3});
    unsigned r = rp.pcie_offset();
    CHECK(rd(rp, r + pcie_cap::kLinkCapabilities) == 0x03780104);
    CHECK(rd(rp, r + pcie_cap::kLinkCapabilities2) == 0x1e); // 2.5 to 16 GT/s
    CHECK(rd(rp, r + pcie_cap::kLinkControl2, 2) == 4);      // target: the maximum
    CHECK(rp.target_link_speed() == 4);
    wr(rp, r + pcie_cap::kLinkCapabilities, 0);
    CHECK(rd(rp, r + pcie_cap::kLinkCapabilities) == 0x03780104);
    // Upstream ports report neither DLL Link Active nor bandwidth changes.
    ConfigSpace up = port(PortType::UpstreamPort, {.max_link_speed = 4, .max_link_width = 16});
    CHECK(rd(up, up.pcie_offset() + pcie_cap::kLinkCapabilities) == 0x00400104);
}

TEST_CASE("pcie-config: Link Status is read-only to software and set by the link model") {
    ConfigSpace rp = port(PortType::RootPort, {.max_link_speed = 3, .max_link_width = 8});
    unsigned ls = rp.pcie_offset() + pcie_cap::kLinkStatus;
    CHECK(rd(rp, ls, 2) == 0x1001); // down: 2.5 GT/s, x0, slot clock
    wr(rp, ls, 0x3fff, 2);
    CHECK(rd(rp, ls, 2) == 0x1001);
    rp.set_link_status(3, 8, true, true);
    CHECK(rd(rp, ls, 2) == 0x3883); // 8 GT/s x8, training, DLL active
    rp.set_link_status(3, 8, true);
    CHECK(rd(rp, ls, 2) == 0x3083);
    CHECK(rp.link_speed() == 3);
    CHECK(rp.link_width() == 8);
    wr(rp, ls, 0, 2);
    CHECK(rd(rp, ls, 2) == 0x3083);
    // An endpoint has neither Link Training nor DLL Link Active.
    ConfigSpace ep = endpoint({.max_link_speed = 3, .max_link_width = 8});
    ep.set_link_status(2, 4, true, true);
    CHECK(rd(ep, ep.pcie_offset() + pcie_cap::kLinkStatus, 2) == 0x1042);
}

TEST_CASE("pcie-config: Link Bandwidth Management and Autonomous Bandwidth Status are RW1C") {
    ConfigSpace rp = port(PortType::DownstreamPort);
    unsigned ls = rp.pcie_offset() + pcie_cap::kLinkStatus;
    wr(rp, ls, 0xc000, 2); // software cannot set them
    CHECK((rd(rp, ls, 2) & 0xc000) == 0);
    rp.signal_bandwidth_change(false);
    CHECK((rd(rp, ls, 2) & 0xc000) == 0x4000);
    rp.signal_bandwidth_change(true);
    CHECK((rd(rp, ls, 2) & 0xc000) == 0xc000);
    wr(rp, ls, 0x4000, 2);
    CHECK((rd(rp, ls, 2) & 0xc000) == 0x8000);
    wr(rp, ls, 0x8000, 2);
    CHECK((rd(rp, ls, 2) & 0xc000) == 0);
    // Without Link Bandwidth Notification (endpoints) nothing is set.
    ConfigSpace ep = endpoint();
    ep.signal_bandwidth_change(false);
    CHECK((rd(ep, ep.pcie_offset() + pcie_cap::kLinkStatus, 2) & 0xc000) == 0);
}

TEST_CASE("pcie-config: Retrain Link reads 0 and the write hook reports it") {
    ConfigSpace rp = port(PortType::RootPort);
    unsigned lc = rp.pcie_offset() + pcie_cap::kLinkControl;
    std::vector<WriteEvent> events;
    rp.add_write_hook(lc, 2, [&](const WriteEvent& ev) { events.push_back(ev); });
    wr(rp, lc, pcie_cap::lnkctl::kRetrainLink | pcie_cap::lnkctl::kCommonClock, 2);
    CHECK(rd(rp, lc, 2) == pcie_cap::lnkctl::kCommonClock);
    wr(rp, lc, pcie_cap::lnkctl::kCommonClock, 2);
    wr(rp, cfg::kCommand, 0x6, 2); // elsewhere: not reported
    REQUIRE(events.size() == 2);
    CHECK(events[0].offset == lc);
    CHECK(events[0].wrote_one(pcie_cap::lnkctl::kRetrainLink));
    CHECK(events[0].changed(pcie_cap::lnkctl::kCommonClock));
    CHECK_FALSE(events[1].wrote_one(pcie_cap::lnkctl::kRetrainLink));
    CHECK_FALSE(events[1].changed(pcie_cap::lnkctl::kCommonClock));
}

TEST_CASE(
    "pcie-config: Link Disable and the bandwidth interrupt enables are downstream-port bits") {
    ConfigSpace rp = port(PortType::RootPort);
    unsigned lc = rp.pcie_offset() + pcie_cap::kLinkControl;
    wr(rp, lc, 0xffff, 2);
    // ASPM, Link Disable, Common Clock, Extended Synch, LBMIE, LABIE.
    CHECK(rd(rp, lc, 2) == 0x0cd3);
    CHECK(rp.link_disabled());
    ConfigSpace ep = endpoint();
    unsigned elc = ep.pcie_offset() + pcie_cap::kLinkControl;
    wr(ep, elc, 0xffff, 2);
    // ASPM, Read Completion Boundary, Common Clock, Extended Synch.
    CHECK(rd(ep, elc, 2) == 0x00cb);
    CHECK_FALSE(ep.link_disabled());
}

TEST_CASE("pcie-config: a hot-plug slot's capabilities, control and RW1C status") {
    SlotOptions slot{.physical_slot_number = 5,
                     .hot_plug_capable = true,
                     .attention_button = true,
                     .power_controller = true,
                     .attention_indicator = true,
                     .power_indicator = true,
                     .no_command_completed = false};
    ConfigSpace dp = port(PortType::DownstreamPort, {.slot = slot});
    unsigned x = dp.pcie_offset();
    CHECK((rd(dp, x + pcie_cap::kCapabilities, 2) & pcie_cap::kSlotImplemented) != 0);
    CHECK(rd(dp, x + pcie_cap::kSlotCapabilities) == 0x0028005b);
    unsigned ctl = x + pcie_cap::kSlotControl, sta = x + pcie_cap::kSlotStatus;
    CHECK(rd(dp, ctl, 2) == 0x01c0); // attention indicator off, power indicator on
    wr(dp, ctl, 0xffff, 2);
    CHECK(rd(dp, ctl, 2) == 0x17fb);
    CHECK(rd(dp, sta, 2) == pcie_cap::sltsta::kPresenceDetect);
    dp.hw_set_bits(sta, pcie_cap::sltsta::kPresenceChanged | pcie_cap::sltsta::kDllStateChanged |
                            pcie_cap::sltsta::kAttentionButtonPressed);
    wr(dp, sta, pcie_cap::sltsta::kPresenceChanged, 2);
    CHECK(rd(dp, sta, 2) == 0x0141);
    wr(dp, sta, 0xffff, 2); // Presence Detect State stays
    CHECK(rd(dp, sta, 2) == pcie_cap::sltsta::kPresenceDetect);
    // A root port without a slot: no slot registers, a card always present.
    ConfigSpace rp = port(PortType::RootPort);
    unsigned r = rp.pcie_offset();
    CHECK((rd(rp, r + pcie_cap::kCapabilities, 2) & pcie_cap::kSlotImplemented) == 0);
    wr(rp, r + pcie_cap::kSlotControl, 0xffffffff);
    CHECK(rd(rp, r + pcie_cap::kSlotControl) == 0x00400000);
    CHECK(rd(rp, r + pcie_cap::kSlotCapabilities) == 0);
}

TEST_CASE("pcie-config: root ports have Root Control, Capabilities and Status") {
    ConfigSpace rp = port(PortType::RootPort, {.crs_software_visibility = true});
    unsigned r = rp.pcie_offset();
    wr(rp, r + pcie_cap::kRootControl, 0xffff, 2);
    CHECK(rd(rp, r + pcie_cap::kRootControl) == 0x0001001f); // CRS visibility capable
    unsigned rs = r + pcie_cap::kRootStatus;
    rp.hw_set(rs, 0x1ffff, pcie_cap::rtsta::kPmeStatus | 0x0100);
    wr(rp, rs, 0xffff);
    CHECK(rd(rp, rs) == 0x00010100);
    wr(rp, rs, pcie_cap::rtsta::kPmeStatus);
    CHECK(rd(rp, rs) == 0x00000100);
    ConfigSpace ep = endpoint();
    unsigned e = ep.pcie_offset();
    wr(ep, e + pcie_cap::kRootControl, 0xffffffff);
    CHECK(rd(ep, e + pcie_cap::kRootControl) == 0);
}

TEST_CASE("pcie-config: version 2 registers: Device Control 2 enables and Link Control 2") {
    ConfigSpace dp = port(PortType::DownstreamPort, {.max_link_speed = 5, .ari_forwarding = true});
    unsigned x = dp.pcie_offset();
    CHECK(rd(dp, x + pcie_cap::kDeviceCapabilities2) == pcie_cap::devcap2::kAriForwarding);
    wr(dp, x + pcie_cap::kDeviceControl2, 0xffff, 2);
    CHECK(rd(dp, x + pcie_cap::kDeviceControl2, 2) == pcie_cap::devctl2::kAriForwarding);
    CHECK(rd(dp, x + pcie_cap::kLinkCapabilities2) == 0x3e);
    unsigned lc2 = x + pcie_cap::kLinkControl2;
    wr(dp, lc2, 0xffff, 2);
    CHECK(rd(dp, lc2, 2) == 0x003f); // Target Link Speed, Enter Compliance, HASD
    wr(dp, lc2, 2, 2);
    CHECK(dp.target_link_speed() == 2);
    wr(dp, x + pcie_cap::kLinkStatus2, 0xffff, 2);
    CHECK(rd(dp, x + pcie_cap::kLinkStatus2, 2) == 0);
    ConfigSpace ep = endpoint();
    CHECK(rd(ep, ep.pcie_offset() + pcie_cap::kDeviceCapabilities2) ==
          pcie_cap::devcap2::kCompletionTimeoutDisable);
}

// --- AER -----------------------------------------------------------------------

TEST_CASE("pcie-config: AER uncorrectable status is RW1C") {
    ConfigSpace ep = endpoint();
    unsigned a = ep.add_aer_capability();
    unsigned st = a + aer::kUncorrectableStatus;
    wr(ep, st, 0xffffffff); // software cannot set errors
    CHECK(rd(ep, st) == 0);
    ep.hw_set_bits(st, aer::kDataLinkProtocol | aer::kMalformedTlp | aer::kUnsupportedRequest);
    wr(ep, st, aer::kMalformedTlp);
    CHECK(rd(ep, st) == (aer::kDataLinkProtocol | aer::kUnsupportedRequest));
    wr(ep, st, 0);
    CHECK(rd(ep, st) == (aer::kDataLinkProtocol | aer::kUnsupportedRequest));
    wr(ep, st, 0xffffffff);
    CHECK(rd(ep, st) == 0);
}

TEST_CASE("pcie-config: AER default severity and masks are the specification's") {
    ConfigSpace ep = endpoint();
    unsigned a = ep.add_aer_capability();
    uint32_t sev = rd(ep, a + aer::kUncorrectableSeverity);
    // Fatal by default: Data Link Protocol, Surprise Down, Flow Control
    // Protocol, Receiver Overflow, Malformed TLP, Uncorrectable Internal.
    CHECK(sev == 0x00462030);
    CHECK((sev & aer::kSurpriseDown) != 0);
    CHECK((sev & aer::kFlowControlProtocol) != 0);
    CHECK((sev & (aer::kPoisonedTlp | aer::kCompletionTimeout | aer::kUnsupportedRequest |
                  aer::kEcrc)) == 0); // non-fatal by default
    CHECK(rd(ep, a + aer::kUncorrectableMask) == 0x00400000);
    CHECK(rd(ep, a + aer::kCorrectableMask) == 0x0000e000);
    wr(ep, a + aer::kUncorrectableSeverity, 0xffffffff);
    CHECK(rd(ep, a + aer::kUncorrectableSeverity) == 0x007ff030);
    wr(ep, a + aer::kUncorrectableSeverity, 0);
    CHECK(rd(ep, a + aer::kUncorrectableSeverity) == 0);
    ep.reset(ResetKind::PowerOn);
    CHECK(rd(ep, a + aer::kUncorrectableSeverity) == 0x00462030);
}

TEST_CASE("pcie-config: AER correctable status is RW1C and its mask RW") {
    ConfigSpace ep = endpoint();
    unsigned a = ep.add_aer_capability({.ecrc_generation = true});
    ep.hw_set_bits(a + aer::kCorrectableStatus, aer::kBadTlp | aer::kReceiverError);
    wr(ep, a + aer::kCorrectableStatus, aer::kBadTlp);
    CHECK(rd(ep, a + aer::kCorrectableStatus) == aer::kReceiverError);
    wr(ep, a + aer::kCorrectableMask, 0xffffffff);
    CHECK(rd(ep, a + aer::kCorrectableMask) == 0x0000f1c1);
    // ECRC generation capable: its enable is writable, check is not.
    wr(ep, a + aer::kCapabilitiesControl, 0xffffffff);
    CHECK(rd(ep, a + aer::kCapabilitiesControl) == 0x60);
    // The header log is the function's.
    wr(ep, a + aer::kHeaderLog, 0xffffffff);
    CHECK(rd(ep, a + aer::kHeaderLog) == 0);
    ep.hw_set(a + aer::kHeaderLog, ~0u, 0x4a000001);
    CHECK(rd(ep, a + aer::kHeaderLog) == 0x4a000001);
}

TEST_CASE("pcie-config: a root port's AER has Root Error Command, Status and Source ID") {
    ConfigSpace rp = port(PortType::RootPort);
    unsigned a = rp.add_aer_capability();
    wr(rp, a + aer::kRootErrorCommand, 0xffffffff);
    CHECK(rd(rp, a + aer::kRootErrorCommand) == 0x7);
    unsigned rs = a + aer::kRootErrorStatus;
    rp.hw_set(rs, 0xf800007f,
              aer::kErrCorReceived | aer::kErrFatalNonFatalReceived | aer::kFatalMessagesReceived |
                  (3u << 27));
    wr(rp, rs, aer::kErrCorReceived);
    CHECK(rd(rp, rs) ==
          (aer::kErrFatalNonFatalReceived | aer::kFatalMessagesReceived | (3u << 27)));
    rp.hw_set(a + aer::kErrorSourceId, ~0u, 0x01000200);
    wr(rp, a + aer::kErrorSourceId, 0);
    CHECK(rd(rp, a + aer::kErrorSourceId) == 0x01000200);
    // An endpoint's AER ends at the header log.
    ConfigSpace ep = endpoint();
    unsigned e = ep.add_aer_capability();
    wr(ep, e + aer::kRootErrorCommand, 0xffffffff);
    CHECK(rd(ep, e + aer::kRootErrorCommand) == 0);
    CHECK(ep.add_extended_capability(0x000b, 1, 8) == e + 0x2c);
}

// --- Access rules, hooks, reset -------------------------------------------------

TEST_CASE("pcie-config: misaligned, 8-byte and out-of-range accesses are refused") {
    ConfigSpace c(endpoint_id());
    CHECK_FALSE(c.read(0x02, 4).has_value());
    CHECK_FALSE(c.read(0x01, 2).has_value());
    CHECK_FALSE(c.read(0x00, 8).has_value());
    CHECK_FALSE(c.read(0x00, 3).has_value());
    CHECK_FALSE(c.read(0x00, 0).has_value());
    CHECK_FALSE(c.read(0x1000, 1).has_value());
    CHECK(c.read(0xffc, 4).has_value());
    CHECK(c.read(0x03, 1).has_value());
    CHECK_FALSE(c.write(0x06, 0xffffffff, 4)); // would reach Command... refused
    CHECK_FALSE(c.write(0x05, 0xffff, 2));
    CHECK_FALSE(c.write(0x00, 0xffffffff, 8));
    CHECK_FALSE(c.write(0x1000, 0xff, 1));
    CHECK(rd(c, cfg::kCommand) == 0);
}

TEST_CASE("pcie-config: the write hook reports a BAR move with old and new values") {
    ConfigSpace c(endpoint_id());
    c.set_bar(0, {4096, BarKind::Memory32});
    std::vector<WriteEvent> events;
    c.add_write_hook(0x10, 24, [&](const WriteEvent& ev) { events.push_back(ev); });
    wr(c, 0x10, 0x12345000);
    wr(c, 0x12, 0x8000, 2);
    wr(c, 0x3c, 0x0b, 1); // outside the hook's range
    REQUIRE(events.size() == 2);
    CHECK(events[0].offset == 0x10);
    CHECK(events[0].old_value == 0);
    CHECK(events[0].new_value == 0x12345000);
    CHECK(events[1].lanes == 0xffff0000);
    CHECK(events[1].data == 0x80000000);
    CHECK(events[1].old_value == 0x12345000);
    CHECK(events[1].new_value == 0x80005000);
    CHECK(events[1].old_field(0x12, 2) == 0x1234);
    CHECK(events[1].changed(0xffff0000));
}

TEST_CASE("pcie-config: reset restores power-on values, a conventional reset keeps sticky bits") {
    ConfigSpace rp = port(PortType::RootPort, {.max_link_speed = 3});
    unsigned a = rp.add_aer_capability();
    unsigned x = rp.pcie_offset();
    wr(rp, cfg::kCommand, 0x7, 2);
    wr(rp, 0x18, 0x00020100);
    wr(rp, a + aer::kUncorrectableSeverity, 0);
    wr(rp, x + pcie_cap::kLinkControl2, 1, 2);
    wr(rp, x + pcie_cap::kLinkControl, pcie_cap::lnkctl::kLinkDisable, 2);
    rp.hw_set_bits(a + aer::kUncorrectableStatus, aer::kCompletionTimeout);
    rp.set_link_status(3, 1, true);
    rp.reset(ResetKind::Conventional);
    CHECK(rd(rp, cfg::kCommand, 2) == 0);
    CHECK(rd(rp, 0x18) == 0);
    CHECK_FALSE(rp.link_disabled());
    CHECK(rp.link_width() == 0);
    CHECK(rd(rp, a + aer::kUncorrectableStatus) == aer::kCompletionTimeout); // sticky
    CHECK(rd(rp, a + aer::kUncorrectableSeverity) == 0);                     // sticky
    CHECK(rp.target_link_speed() == 1);                                      // sticky
    CHECK((rd(rp, cfg::kStatus, 2) & cfg::status::kCapabilitiesList) != 0);
    rp.reset(ResetKind::PowerOn);
    CHECK(rd(rp, a + aer::kUncorrectableStatus) == 0);
    CHECK(rd(rp, a + aer::kUncorrectableSeverity) == aer::kDefaultSeverity);
    CHECK(rp.target_link_speed() == 3);
    CHECK(rd(rp, cfg::kIoBase, 1) == 0x01); // read-only values survive any reset
}

TEST_CASE("pcie-config: hw_set changes only the masked bits and ignores software masks") {
    ConfigSpace c(endpoint_id());
    c.hw_set(cfg::kVendorId, 0xff00, 0xab00); // a read-only register
    CHECK(rd(c, cfg::kVendorId, 2) == 0xab34);
    c.hw_set(0x0e, 0, 0xff); // empty mask: nothing
    CHECK(rd(c, 0x0e, 1) == 0);
    c.hw_clear_bits(cfg::kVendorId, 0xff);
    CHECK(rd(c, cfg::kVendorId, 2) == 0xab00);
    CHECK_THROWS_AS(c.hw_set(0xffe, 0xffffffff, 0), std::logic_error); // past the end
}

// --- Resizable BAR -------------------------------------------------------------

namespace {
constexpr uint64_t kMiB = 1ull << 20, kGiB = 1ull << 30;

// An endpoint with a 64-bit prefetchable BAR1 of 256 MiB, resizable from
// 64 MiB to 16 GiB, as the GPU declares it.
ConfigSpace resizable_endpoint() {
    ConfigSpace c = endpoint();
    c.set_bar(0, {16 * kMiB, BarKind::Memory32});
    c.set_bar(1, {256 * kMiB, BarKind::Memory64, true});
    c.add_aer_capability();
    c.add_resizable_bar(1, rebar::size_mask(64 * kMiB, 16 * kGiB), 256 * kMiB);
    return c;
}
} // namespace

TEST_CASE("pcie-config: Resizable BAR: capability, supported sizes and control as the spec lays "
          "them out") {
    ConfigSpace c = resizable_endpoint();
    auto off = c.find_extended_capability(cfg::kExtCapResizableBar);
    REQUIRE(off.has_value());
    CHECK(*off == c.resizable_bar_offset());
    CHECK(rd(c, *off) == (0x0015u | 1u << 16)); // ID 0x15, version 1, last in the chain
    // Sizes 64 MiB (code 6) .. 16 GiB (code 14): Capability bits 10..18.
    CHECK(rd(c, *off + rebar::kCapability) == 0x0007fc00);
    CHECK((rd(c, *off + rebar::kCapability) & rebar::kCapSizesMask) >> 4 == 0x7fc0);
    // Control: BAR index 1, one resizable BAR, BAR Size 8 (256 MiB).
    uint32_t ctrl = rd(c, *off + rebar::kControl);
    CHECK((ctrl & rebar::kCtrlBarIndexMask) == 1);
    CHECK((ctrl & rebar::kCtrlNumBarsMask) >> rebar::kCtrlNumBarsShift == 1);
    CHECK((ctrl & rebar::kCtrlBarSizeMask) >> rebar::kCtrlBarSizeShift == 8);
    CHECK((ctrl & rebar::kCtrlSizesMask) == 0); // nothing from 256 TB up
    CHECK(c.resizable_bar_sizes(1) == rebar::size_mask(64 * kMiB, 16 * kGiB));
    CHECK(c.resizable_bar_sizes(0) == 0);
    // The index, the count and the size bits are read-only.
    wr(c, *off + rebar::kCapability, 0xffffffff);
    CHECK(rd(c, *off + rebar::kCapability) == 0x0007fc00);
    wr(c, *off + rebar::kControl, 0xffff00e6 | (8u << 8));
    CHECK(rd(c, *off + rebar::kControl) == ctrl);
}

TEST_CASE("pcie-config: Resizable BAR: writing BAR Size resizes the BAR, unsupported sizes are "
          "ignored") {
    ConfigSpace c = resizable_endpoint();
    unsigned ctrl = c.resizable_bar_offset() + rebar::kControl;
    CHECK(size_bar64(c, 1) == 256 * kMiB);
    // As Linux's pci_resize_resource: memory decoding off, the size
    // written, the BAR assigned again.
    wr(c, 0x14, 0x40000000);
    wr(c, 0x18, 0x4);
    wr(c, ctrl, (rd(c, ctrl) & ~rebar::kCtrlBarSizeMask) | 13u << 8, 4); // 8 GiB
    CHECK(c.bar(1).size == 8 * kGiB);
    CHECK(rd(c, 0x14) == 0x0000000c); // address bits below 8 GiB read 0 now
    CHECK(rd(c, 0x18) == 0x4);
    CHECK(size_bar64(c, 1) == 8 * kGiB);
    wr(c, 0x14, 0);
    wr(c, 0x18, 0x6); // 0x6_0000_0000: aligned to 8 GiB
    wr(c, cfg::kCommand, cfg::command::kMemorySpace, 2);
    CHECK(c.bar_address(1) == 0x600000000);
    auto hit = c.decode(Space::Memory, 0x600000000 + 5 * kGiB);
    REQUIRE(hit.has_value());
    CHECK(hit->bar == 1);
    CHECK(hit->offset == 5 * kGiB);
    CHECK_FALSE(c.decode(Space::Memory, 0x600000000 + 8 * kGiB).has_value());
    // Smaller again: 64 MiB (code 6), a byte write of the size field.
    wr(c, ctrl + 1, 6, 1);
    CHECK(c.bar(1).size == 64 * kMiB);
    CHECK(size_bar64(c, 1) == 64 * kMiB);
    // Unsupported: 32 MiB (below) and 32 GiB (above) leave the size alone.
    wr(c, ctrl + 1, 5, 1);
    wr(c, ctrl + 1, 15, 1);
    CHECK((rd(c, ctrl) & rebar::kCtrlBarSizeMask) >> rebar::kCtrlBarSizeShift == 6);
    CHECK(c.bar(1).size == 64 * kMiB);
}

TEST_CASE("pcie-config: Resizable BAR: a reset brings back the initial size") {
    ConfigSpace c = resizable_endpoint();
    unsigned ctrl = c.resizable_bar_offset() + rebar::kControl;
    wr(c, ctrl + 1, 10, 1); // 1 GiB
    CHECK(c.bar(1).size == kGiB);
    c.reset(ResetKind::Conventional); // an FLR
    CHECK((rd(c, ctrl) & rebar::kCtrlBarSizeMask) >> rebar::kCtrlBarSizeShift == 8);
    CHECK(c.bar(1).size == 256 * kMiB);
    CHECK(size_bar64(c, 1) == 256 * kMiB);
    wr(c, ctrl + 1, 14, 1); // 16 GiB
    c.reset(ResetKind::PowerOn);
    CHECK(size_bar64(c, 1) == 256 * kMiB);
}

TEST_CASE(
    "pcie-config: Resizable BAR: several BARs, sizes from 256 TB up in the Control register") {
    ConfigSpace c = endpoint();
    c.set_bar(0, {kMiB, BarKind::Memory32});
    c.set_bar(2, {kMiB, BarKind::Memory64, true});
    // BAR0: 1 MB .. 2 GiB. BAR2: 1 MB, 512 GiB and 1 PB (code 30), 8 EB (43).
    uint64_t big = 1ull | 1ull << 19 | 1ull << 30 | 1ull << 43;
    unsigned off = c.add_resizable_bar_capability(
        {{0, rebar::size_mask(kMiB, 2 * kGiB), kMiB}, {2, big, kMiB}});
    CHECK(rd(c, off) == (0x0015u | 1u << 16));
    CHECK(rd(c, off + 4) == 0x0000fff0);
    CHECK(rd(c, off + 8) == (0u | 2u << 5)); // BAR0, two resizable BARs, 1 MB
    CHECK(rd(c, off + 12) == (1u << 4 | 1u << 23));
    // The second Control register: index 2, no count, 1 PB and 8 EB above bit 16.
    CHECK(rd(c, off + 16) == (2u | 1u << (16 + 30 - 28) | 1u << 31));
    wr(c, off + 16, 2u | 30u << 8); // 1 PB
    CHECK(c.bar(2).size == (1ull << 50));
    CHECK(size_bar64(c, 2) == (1ull << 50));
    wr(c, off + 8, 11u << 8); // BAR0 to 2 GiB
    CHECK(rd(c, 0x10) == 0);
    wr(c, 0x10, 0xffffffff);
    CHECK(rd(c, 0x10) == 0x80000000);
}

TEST_CASE("pcie-config: Resizable BAR declarations that cannot work are refused") {
    ConfigSpace c = endpoint();
    c.set_bar(0, {16 * kMiB, BarKind::Memory32});
    c.set_bar(1, {256 * kMiB, BarKind::Memory64, true});
    c.set_bar(4, {256, BarKind::Io});
    uint64_t sizes = rebar::size_mask(64 * kMiB, kGiB);
    CHECK_THROWS_AS(c.add_resizable_bar(2, sizes, 256 * kMiB), std::logic_error); // upper half
    CHECK_THROWS_AS(c.add_resizable_bar(3, sizes, 256 * kMiB), std::logic_error); // not declared
    CHECK_THROWS_AS(c.add_resizable_bar(4, sizes, 256 * kMiB), std::logic_error); // I/O
    CHECK_THROWS_AS(c.add_resizable_bar(1, 0, 256 * kMiB), std::logic_error);
    CHECK_THROWS_AS(c.add_resizable_bar(1, 1ull << 44, 256 * kMiB), std::logic_error);
    CHECK_THROWS_AS(c.add_resizable_bar(1, sizes, 32 * kMiB), std::logic_error);  // unsupported
    CHECK_THROWS_AS(c.add_resizable_bar(1, sizes, 512 * kMiB), std::logic_error); // not declared so
    CHECK_THROWS_AS(c.add_resizable_bar(0, rebar::size_mask(16 * kMiB, 4 * kGiB), 16 * kMiB),
                    std::logic_error); // a 32-bit BAR above 2 GiB
    CHECK_THROWS_AS(c.add_resizable_bar_capability({}), std::logic_error);
    CHECK_THROWS_AS(
        c.add_resizable_bar_capability({{1, sizes, 256 * kMiB}, {1, sizes, 256 * kMiB}}),
        std::logic_error);
    CHECK_THROWS_AS(rebar::size_mask(kMiB / 2, kGiB), std::logic_error);
    CHECK_THROWS_AS(rebar::size_mask(kGiB, 64 * kMiB), std::logic_error);
    CHECK(rebar::size_mask(kMiB, kMiB) == 1);
    c.add_resizable_bar(1, sizes, 256 * kMiB);
    CHECK_THROWS_AS(c.add_resizable_bar(0, rebar::size_mask(16 * kMiB, 16 * kMiB), 16 * kMiB),
                    std::logic_error); // once per function
}
