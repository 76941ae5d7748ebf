// PCIe DMA bandwidth in simulated time: the pci-epf-test endpoint moves a
// buffer to and from RAM through its root port while this program plays the
// host driver on the SoC bus (a TlmInitiator; the harts are halted), and the
// simulated time each transfer takes is set against the bandwidth the link
// should give: the per-lane rate after line coding times the lanes, less the
// TLP overheads (docs/pcie.md, "TLP timing"). Simulated time is
// deterministic, so the figures are the same on every machine and every run.
//
// Every link case is its own platform in one simulation (SystemC cannot
// restart one): they train together, then take turns.
//
// Usage: nvsoc_bench_pcie_dma [--quick] [--mib N]
//   --quick   8 MiB transfers (the ctest); default 64 MiB, the endpoint's most
//   --mib N   N MiB transfers (1 .. 64)
// Exit status: 0 when every case is within 3 % of its expected bandwidth,
// 1 when one is not, 2 when a transfer fails (link down, bad status, data or
// interrupt wrong) or the arguments are wrong.
#include "models/pcie/config_space.h"
#include "models/pcie/epf_test.h"
#include "platforms/platform.h"
#include "support/tlm_initiator.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <functional>
#include <memory>
#include <string>
#include <vector>

using namespace nvsoc;
namespace cfg = nvsoc::pcie::cfg;
namespace pcie_cap = nvsoc::pcie::pcie_cap;

namespace {

constexpr double kTolerancePct = 3.0;

// --- The reference, written out from docs/pcie.md (not from pcie::Link) -----
// A generation's per-lane rate: GT/s x line-code efficiency, and Linux's
// PCIE_SPEED2MBS_ENC figure for it (integer Mb/s, truncated).
struct Generation {
    double mts;          // mega-transfers per second per lane
    unsigned data_bits;  // line coding: data bits ...
    unsigned line_bits;  // ... per line bits
    unsigned linux_mbps; // PCIE_SPEED2MBS_ENC
    bool flit;           // 256-byte flits carrying 236 bytes of TLPs
};
constexpr Generation kGenerations[7] = {
    {},
    {2500, 8, 10, 2000, false},      // Gen1, 8b/10b
    {5000, 8, 10, 4000, false},      // Gen2, 8b/10b
    {8000, 128, 130, 7876, false},   // Gen3, 128b/130b
    {16000, 128, 130, 15753, false}, // Gen4
    {32000, 128, 130, 31507, false}, // Gen5
    {64000, 1, 1, 64000, true},      // Gen6, PAM4, flit mode
};
constexpr unsigned kMps = 256;      // Max_Payload_Size the bench programs
constexpr unsigned kMrrs = 512;     // Max_Read_Request_Size
constexpr unsigned kHeader3Dw = 12; // memory writes below 4 GiB, completions
constexpr unsigned kFraming = 8;    // STP/sequence + LCRC (+ END), Gen1-5
constexpr double kFlitShare = 236.0 / 256.0;

// Mb/s per lane after line coding, exact.
double lane_mbps(unsigned gen) {
    const Generation& g = kGenerations[gen];
    return g.mts * g.data_bits / g.line_bits;
}

// The share of the wire that carries payload, for a stream of MPS-sized
// 3DW TLPs: memory writes upstream, or the completions of reads downstream.
double tlp_efficiency(unsigned gen) {
    if (kGenerations[gen].flit) return kFlitShare * kMps / (kMps + kHeader3Dw);
    return double(kMps) / (kMps + kHeader3Dw + kFraming);
}

// Payload bytes per second one direction of the link carries.
double expected_bytes_per_s(unsigned gen, unsigned width) {
    return lane_mbps(gen) * 1e6 * width / 8 * tlp_efficiency(gen);
}

// --- The platform ------------------------------------------------------------
constexpr uint64_t kEcam = 0x30000000, kPlic = 0xc000000, kBar0Address = 0x40000000;
constexpr uint64_t kRam = 0x80000000, kBuffer = kRam + (16u << 20);
constexpr unsigned kRootPortDevice = 1, kIrqBase = 32;

std::string platform_yaml(unsigned gen, unsigned width) {
    std::string link =
        "max-link-speed: gen" + std::to_string(gen) + ", max-link-width: " + std::to_string(width);
    return "seed: 1\n"
           "harts: {count: 1}\n"
           "memory:\n"
           "  dram: {base: 0x80000000, size: 256MiB}\n"
           "devices:\n"
           "  plic: {type: plic, base: 0xc000000, size: 0x600000, sources: 96}\n"
           "  pcie: {type: pcie-host, base: 0x30000000, size: 256MiB, irq: [32, 33, 34, 35]}\n"
           "  rp0:  {type: pcie-root-port, bus: pcie, device: 1, slot: 1, port-number: 1, " +
           link +
           "}\n"
           "  epf0: {type: pci-epf-test, bus: rp0, " +
           link + "}\n";
}

// ECAM offset of a function's register (bus [27:20], device [19:15],
// function [14:12]).
constexpr uint64_t ecam(unsigned bus, unsigned dev, unsigned reg) {
    return kEcam + (uint64_t{bus} << 20) + (uint64_t{dev} << 15) + reg;
}

struct Result {
    std::string direction;
    uint64_t bytes = 0;
    double seconds = 0;
};

struct Case {
    unsigned gen, width;
    std::unique_ptr<Platform> platform;
    std::unique_ptr<test::TlmInitiator> cpu;
    EpfTest* epf = nullptr;
    unsigned rp_pcie = 0; // the root port's PCI Express capability
    unsigned trained_gen = 0, trained_width = 0;
    std::vector<Result> results;
    std::string name() const { return "Gen" + std::to_string(gen) + " x" + std::to_string(width); }
};

struct Failure : std::runtime_error {
    using std::runtime_error::runtime_error;
};

void require(bool ok, const Case& c, const std::string& what) {
    if (!ok) throw Failure(c.name() + ": " + what);
}

// Runs the simulation one event at a time until `done()` holds; false when
// nothing is left to happen or simulated time would pass `limit`.
bool run_until(const std::function<bool()>& done, sc_core::sc_time limit) {
    while (!done()) {
        if (!sc_core::sc_pending_activity()) return false;
        sc_core::sc_time step = sc_core::sc_time_to_pending_activity();
        if (sc_core::sc_time_stamp() + step > limit) return false;
        sc_core::sc_start(step);
    }
    return true;
}

// Lets the annotated delays of the initiator's accesses pass, so the next
// access starts at the current simulated time.
void settle(test::TlmInitiator& cpu) {
    if (cpu.delay != sc_core::SC_ZERO_TIME) sc_core::sc_start(cpu.delay);
    cpu.delay = sc_core::SC_ZERO_TIME;
}

uint32_t crc_of(Platform& p, uint64_t addr, uint64_t len) {
    std::vector<uint8_t> data(len);
    if (!p.read_memory(addr, data.data(), len)) return 0;
    return epf_test::crc32_le(~0u, data.data(), len);
}

// The PCI Express capability of bus:dev.0, found as software finds it:
// along the capability list from 0x34. 0 when there is none.
unsigned find_pcie_capability(test::TlmInitiator& cpu, unsigned bus, unsigned dev) {
    unsigned at = cpu.read8(ecam(bus, dev, cfg::kCapabilitiesPointer));
    for (unsigned guard = 0; at && guard < 48; ++guard) {
        if (cpu.read8(ecam(bus, dev, at)) == cfg::kCapPciExpress) return at;
        at = cpu.read8(ecam(bus, dev, at + 1));
    }
    return 0;
}

uint16_t link_status(Case& c) {
    uint64_t at = ecam(0, kRootPortDevice, c.rp_pcie + pcie_cap::kLinkStatus);
    uint16_t v = static_cast<uint16_t>(c.cpu->read(at, 2));
    c.cpu->delay = sc_core::SC_ZERO_TIME; // configuration reads do not cross the link
    return v;
}

// What a host driver does: bus numbers, windows and Command on the root
// port, the BARs, Command and Device Control (MPS, MRRS) on the endpoint.
void enumerate(Case& c) {
    test::TlmInitiator& cpu = *c.cpu;
    const unsigned rp = kRootPortDevice;
    using namespace cfg;
    const uint64_t window = kBar0Address;
    cpu.write8(ecam(0, rp, kPrimaryBus), 0);
    cpu.write8(ecam(0, rp, kSecondaryBus), 1);
    cpu.write8(ecam(0, rp, kSubordinateBus), 1);
    // Memory window 0x40000000..0x401fffff (bits [31:20] in [15:4]); the
    // I/O and prefetchable windows closed (base above limit).
    cpu.write(ecam(0, rp, kMemoryBase), window >> 16, 2);
    cpu.write(ecam(0, rp, kMemoryLimit), (window + 0x100000) >> 16, 2);
    cpu.write8(ecam(0, rp, kIoBase), 0xf0);
    cpu.write8(ecam(0, rp, kIoLimit), 0x00);
    cpu.write(ecam(0, rp, kPrefetchableBase), 0xfff0, 2);
    cpu.write(ecam(0, rp, kPrefetchableLimit), 0x0000, 2);
    cpu.write(ecam(0, rp, kCommand), command::kMemorySpace | command::kBusMaster, 2);

    require(cpu.read32(ecam(1, 0, kVendorId)) == 0xb500104c, c,
            "no pci-epf-test endpoint (104c:b500) at 01:00.0");
    // The six BARs in order from the window's base, each aligned to its
    // size: BAR0 (64 KiB with the MSI-X table) at the base, BAR5 (1 MiB) at
    // base + 1 MiB.
    uint64_t at = window;
    for (unsigned b = 0; b < 6; ++b) {
        uint64_t size = c.epf->config_space().bar(b).size;
        at = (at + size - 1) / size * size;
        cpu.write32(ecam(1, 0, kBar0 + 4 * b), static_cast<uint32_t>(at));
        at += size;
    }
    require(cpu.read32(ecam(1, 0, kBar0)) == window, c, "BAR0 did not take its address");
    cpu.write(ecam(1, 0, kCommand), command::kMemorySpace | command::kBusMaster, 2);
    unsigned pc = find_pcie_capability(cpu, 1, 0);
    require(pc && pc == c.epf->config_space().pcie_offset(), c,
            "the PCI Express capability is not where the capability list says");
    uint64_t devctl_at = ecam(1, 0, pc + pcie_cap::kDeviceControl);
    uint16_t devctl = static_cast<uint16_t>(cpu.read(devctl_at, 2));
    devctl &= ~(pcie_cap::devctl::kMaxPayloadMask | pcie_cap::devctl::kMaxReadRequestMask);
    devctl |= (__builtin_ctz(kMps) - 7) << pcie_cap::devctl::kMaxPayloadShift;
    devctl |= (__builtin_ctz(kMrrs) - 7) << pcie_cap::devctl::kMaxReadRequestShift;
    cpu.write(devctl_at, devctl, 2);

    // The link as the root port's Link Status shows it.
    uint16_t lnksta = link_status(c);
    c.trained_gen = lnksta & pcie_cap::lnksta::kSpeedMask;
    c.trained_width = (lnksta & pcie_cap::lnksta::kWidthMask) >> pcie_cap::lnksta::kWidthShift;
    require(c.trained_gen == c.gen && c.trained_width == c.width, c,
            "the link trained at Gen" + std::to_string(c.trained_gen) + " x" +
                std::to_string(c.trained_width));
    settle(cpu);
}

// One pci-epf-test transfer, timed from the COMMAND write to the endpoint's
// STATUS showing the interrupt raised.
void transfer(Case& c, bool read, uint64_t bytes) {
    using namespace epf_test;
    test::TlmInitiator& cpu = *c.cpu;
    Platform& p = *c.platform;
    uint64_t bar0 = kBar0Address;
    if (read) {
        // The host's CRC32 of the data; the endpoint checks it.
        cpu.write32(bar0 + kChecksum, crc_of(p, kBuffer, bytes));
        cpu.write32(bar0 + kSrcLow, static_cast<uint32_t>(kBuffer));
        cpu.write32(bar0 + kSrcHigh, static_cast<uint32_t>(kBuffer >> 32));
    } else {
        cpu.write32(bar0 + kDstLow, static_cast<uint32_t>(kBuffer));
        cpu.write32(bar0 + kDstHigh, static_cast<uint32_t>(kBuffer >> 32));
    }
    cpu.write32(bar0 + kSize, static_cast<uint32_t>(bytes));
    cpu.write32(bar0 + kFlags, 0);
    cpu.write32(bar0 + kIrqType, kIrqTypeIntx);
    cpu.write32(bar0 + kIrqNumber, 1);
    // The last transfer's STATUS (and its IRQ_RAISED) is gone, and so is
    // its interrupt: reading STATUS acknowledged it.
    cpu.write32(bar0 + kStatus, 0);
    unsigned source = kIrqBase + (kRootPortDevice + 0) % 4;
    uint64_t pending_at = kPlic + 0x1000 + 4 * (source / 32);
    require((cpu.read32(pending_at) & (1u << (source % 32))) == 0, c,
            "INTx is still pending before the transfer");
    settle(cpu);

    sc_core::sc_time t0 = sc_core::sc_time_stamp();
    cpu.write32(bar0 + kCommand, read ? kRead : kWrite);
    bool done = run_until([&] { return (c.epf->reg(kStatus) & kIrqRaised) != 0; },
                          t0 + sc_core::sc_time(10, sc_core::SC_SEC));
    sc_core::sc_time t1 = sc_core::sc_time_stamp();
    const char* dir = read ? "read" : "write";
    require(done, c, std::string(dir) + ": the endpoint never raised its interrupt");

    // INTA of 01:00.0 reaches the host bridge as wire (0 + 0) mod 4 of the
    // root port, then line (1 + 0) mod 4 of the host bridge: PLIC source 33.
    require(cpu.read32(pending_at) & (1u << (source % 32)), c,
            std::string(dir) + ": INTx did not reach PLIC source " + std::to_string(source));
    uint32_t status = cpu.read32(bar0 + kStatus); // acknowledges INTx
    require(status & (read ? kReadSuccess : kWriteSuccess), c,
            std::string(dir) + ": STATUS 0x" + fmt::format("{:x}", status));
    if (!read)
        require(cpu.read32(bar0 + kChecksum) == crc_of(p, kBuffer, bytes), c,
                "write: RAM does not hold the data whose CRC32 the endpoint reported");
    settle(cpu);
    c.results.push_back({dir, bytes, (t1 - t0).to_seconds()});
}

void print_reference(const std::vector<Case>& cases) {
    std::printf("Reference (docs/pcie.md, TLP timing): payload share of the wire for %u-byte\n"
                "writes and completions with 3DW headers: %u/(%u+%u+%u) at Gen1-5, "
                "236/256 x %u/(%u+%u) at Gen6.\n\n",
                kMps, kMps, kMps, kHeader3Dw, kFraming, kMps, kMps, kHeader3Dw);
    std::printf("%-9s %10s %12s %12s %10s %12s\n", "link", "GT/s", "Linux Mb/s", "exact Mb/s",
                "TLP share", "expect GB/s");
    for (const Case& c : cases)
        std::printf("%-9s %10.1f %12u %12.2f %9.2f%% %12.3f\n", c.name().c_str(),
                    kGenerations[c.gen].mts / 1000, kGenerations[c.gen].linux_mbps,
                    lane_mbps(c.gen), 100 * tlp_efficiency(c.gen),
                    expected_bytes_per_s(c.gen, c.width) / 1e9);
    std::printf("(Linux Mb/s and exact Mb/s are per lane; GB/s = 1e9 bytes/s, one direction.)\n\n");
}

} // namespace

int sc_main(int argc, char** argv) {
    uint64_t mib = 64;
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        if (a == "--quick") {
            mib = 8;
        } else if (a == "--mib" && i + 1 < argc) {
            mib = std::strtoull(argv[++i], nullptr, 10);
        } else {
            std::fprintf(stderr, "usage: %s [--quick] [--mib N]\n", argv[0]);
            return 2;
        }
    }
    uint64_t bytes = mib << 20;
    if (mib == 0 || bytes > epf_test::kMaxTransfer) {
        std::fprintf(stderr, "--mib takes 1 to %u (the endpoint's buffer)\n",
                     epf_test::kMaxTransfer >> 20);
        return 2;
    }

    std::vector<Case> cases;
    for (auto [gen, width] : {std::pair{1u, 1u}, {3u, 4u}, {5u, 16u}, {6u, 16u}})
        cases.push_back({gen, width});
    try {
        for (Case& c : cases) {
            std::string name = "gen" + std::to_string(c.gen) + "x" + std::to_string(c.width);
            ConfigNode root = parse_config_text(platform_yaml(c.gen, c.width), name + ".yaml");
            c.platform = std::make_unique<Platform>(name.c_str(), build_platform_config(root, name),
                                                    nullptr);
            c.cpu = std::make_unique<test::TlmInitiator>((name + "_cpu").c_str());
            c.cpu->socket.bind(c.platform->router().target);
            c.epf = dynamic_cast<EpfTest*>(c.platform->model("epf0"));
            require(c.epf, c, "epf0 is missing");
        }
        for (Case& c : cases) {
            for (unsigned h = 0; h < c.platform->hart_count(); ++h)
                c.platform->hart(h).halt(); // no firmware: the bus is ours
        }
        test::elaborate();
        for (Case& c : cases) {
            c.platform->load();
            require(c.cpu->read32(ecam(0, kRootPortDevice, cfg::kVendorId)) != 0xffffffff, c,
                    "no root port at 00:01.0");
            c.rp_pcie = find_pcie_capability(*c.cpu, 0, kRootPortDevice);
            require(c.rp_pcie != 0, c, "the root port has no PCI Express capability");
            c.cpu->delay = sc_core::SC_ZERO_TIME;
        }
        // Wait for the root ports' Data Link Layer Link Active, as Linux
        // does. Training takes about 12 ms (Detect.Quiet) plus 2 ms of
        // equalization per rate from 8 GT/s up: 20.1 ms at Gen6.
        auto link_up = [](Case& c) {
            return (link_status(c) & pcie_cap::lnksta::kDllLinkActive) != 0;
        };
        run_until(
            [&] {
                for (Case& c : cases)
                    if (!link_up(c)) return false;
                return true;
            },
            sc_core::sc_time(50, sc_core::SC_MS));
        for (Case& c : cases)
            require(link_up(c), c, "the link did not come up (DLLLA) within 50 ms");
        std::printf("Links up at %.3f ms of simulated time. Transfers of %llu bytes (%llu MiB) "
                    "between the pci-epf-test endpoint and RAM at 0x%llx; MPS %u, MRRS %u.\n\n",
                    sc_core::sc_time_stamp().to_seconds() * 1e3, (unsigned long long)bytes,
                    (unsigned long long)mib, (unsigned long long)kBuffer, kMps, kMrrs);
        for (Case& c : cases) {
            enumerate(c);
            transfer(c, false, bytes); // WRITE: the endpoint writes RAM
            transfer(c, true, bytes);  // READ: the endpoint reads it back
        }
    } catch (const Failure& e) {
        std::fprintf(stderr, "pcie dma bench: %s\n", e.what());
        return 2;
    } catch (const InputError& e) {
        std::fprintf(stderr, "pcie dma bench: %s\n", e.line().c_str());
        return 2;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "pcie dma bench: error: %s\n", e.what());
        return 2;
    }

    print_reference(cases);
    std::printf("%-9s %-6s %10s %14s %13s %13s %8s %10s\n", "link", "dir", "bytes", "sim time (us)",
                "measured GB/s", "expected GB/s", "dev %", "excess us");
    bool ok = true;
    for (const Case& c : cases) {
        double expected = expected_bytes_per_s(c.gen, c.width);
        for (const Result& r : c.results) {
            double measured = r.bytes / r.seconds;
            double dev = 100 * (measured - expected) / expected;
            double excess_us = (r.seconds - r.bytes / expected) * 1e6;
            bool within = dev <= kTolerancePct && dev >= -kTolerancePct;
            ok = ok && within;
            std::printf("%-9s %-6s %10llu %14.3f %13.3f %13.3f %+8.2f %10.3f%s\n", c.name().c_str(),
                        r.direction.c_str(), (unsigned long long)r.bytes, r.seconds * 1e6,
                        measured / 1e9, expected / 1e9, dev, excess_us,
                        within ? "" : "  <-- beyond 3 %");
        }
    }
    const Params& epf = cases.front().epf->config().params;
    const Params& rp = cases.front().platform->model("rp0")->config().params;
    std::printf("\nTime runs from the host's COMMAND write to STATUS showing the interrupt. "
                "'excess' is that time\nless bytes / expected: the COMMAND write's way to the "
                "endpoint (host bridge latency, the\nposted register writes still ahead of it on "
                "the link, its own TLP), the endpoint's\ncommand-latency (%.3f us) and, for reads, "
                "the first read request and the completer's\nread-latency (%.3f us). Reads are "
                "limited by their completions (%u-byte, 3DW: the same\nshare of the wire as "
                "writes); their requests (3DW, no data) take under 4 %% of the other\n"
                "direction, and the endpoint's 256 tags do not limit them at this read latency.\n",
                epf.time_ps("command-latency") / 1e6, rp.time_ps("read-latency") / 1e6, kMps);
    std::printf("%s\n", ok ? "PASS: every case within 3 % of the expected bandwidth"
                           : "FAIL: a case is more than 3 % from the expected bandwidth");
    return ok ? 0 : 1;
}

int main(int argc, char** argv) {
    setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 1);
    return sc_core::sc_elab_and_sim(argc, argv);
}
