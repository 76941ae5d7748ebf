// The PCIe link model's own cost in wall time for bulk DMA: pcie::Link
// driven directly (no SystemC), Gen5 x16, MPS 256, MRRS 512, the root
// port's default 200 ns read latency and the default 256 tags. A device
// writes N GiB to the host (upstream writes) and reads N GiB from it
// (upstream read requests, completions downstream: a host-to-device copy),
// first in one call each, then in 64 KiB bursts paced as a copy engine
// would pace them (the next burst from the last one's `issued` time), and
// the same through the per-TLP path (LinkConfig::force_per_tlp) for
// comparison. Prints the wall seconds each simulated GiB costs.
//
// Usage: nvsoc_bench_pcie_link [--quick] [--gib N]
//   --quick   64 MiB per case (the ctest); default 1 GiB
//   --gib N   N GiB per case (1 .. 16)
// Exit status: 0 when the closed form and the per-TLP path agree on every
// simulated time and (full runs) the closed form costs at most 1 wall
// second per simulated GiB; 1 otherwise; 2 on bad arguments.
#include "models/pcie/link.h"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

using namespace nvsoc::pcie;

namespace {

constexpr uint64_t kBurst = 64 << 10;
constexpr uint64_t kHostBuffer = 0x8000'0000; // bus address of the host's buffer
constexpr double kTargetSecondsPerGib = 1.0;

struct Result {
    std::string name;
    uint64_t bytes = 0;
    uint64_t sim_ps = 0;   // first TLP to the last write or completion
    uint64_t end = 0;      // for the comparison of the two paths
    uint64_t requests = 0; // request TLPs
    double wall = 0;       // seconds
    bool per_tlp = false;
};

Link trained_link(bool per_tlp) {
    LinkConfig c;
    c.downstream = {5, 16};
    c.upstream = {5, 16};
    c.force_per_tlp = per_tlp;
    Link link(c);
    link.power_on(0);
    while (!link.dll_active())
        link.advance_to(*link.next_event_time());
    return link;
}

// One case: `bytes` written or read by the device, in one call or in
// paced bursts.
Result run(bool read, bool bursts, bool per_tlp, uint64_t bytes) {
    Result r;
    r.name = std::string(read ? "read  (H2D)" : "write (D2H)") +
             (bursts ? ", 64 KiB bursts" : ", one call");
    r.bytes = bytes;
    r.per_tlp = per_tlp;
    Link link = trained_link(per_tlp);
    TransferOptions o;
    o.completion_latency = 200 * ps::kNs;
    uint64_t t0 = link.now() + 1 * ps::kUs, t = t0, end = t0;
    auto begin = std::chrono::steady_clock::now();
    uint64_t step = bursts ? kBurst : bytes;
    for (uint64_t done = 0; done < bytes; done += step) {
        TransferTiming tt = read ? link.read(Direction::Upstream, kHostBuffer + done, step, t, o)
                                 : link.write(Direction::Upstream, kHostBuffer + done, step, t, o);
        t = tt.issued; // the next burst goes when the engine may send again
        end = std::max(end, tt.end);
        r.requests += tt.requests;
    }
    r.wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count();
    r.sim_ps = end - t0;
    r.end = end;
    return r;
}

} // namespace

int main(int argc, char** argv) {
    uint64_t bytes = uint64_t{1} << 30;
    bool full = true;
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        if (a == "--quick") {
            bytes = 64 << 20;
            full = false;
        } else if (a == "--gib" && i + 1 < argc) {
            uint64_t gib = std::strtoull(argv[++i], nullptr, 10);
            if (gib < 1 || gib > 16) {
                std::fprintf(stderr, "--gib takes 1 to 16\n");
                return 2;
            }
            bytes = gib << 30;
        } else {
            std::fprintf(stderr, "usage: %s [--quick] [--gib N]\n", argv[0]);
            return 2;
        }
    }
    std::printf("pcie::Link at Gen5 x16, MPS 256, MRRS 512, read latency 200 ns, 256 tags; "
                "%llu MiB per case.\n\n",
                (unsigned long long)(bytes >> 20));
    std::printf("%-28s %-9s %12s %10s %10s %12s\n", "case", "path", "requests", "sim us",
                "sim GB/s", "wall s/GiB");
    bool ok = true;
    for (bool read : {false, true})
        for (bool bursts : {false, true}) {
            Result closed = run(read, bursts, false, bytes);
            Result per_tlp = run(read, bursts, true, bytes);
            for (const Result& r : {closed, per_tlp})
                std::printf("%-28s %-9s %12llu %10.3f %10.3f %12.4f\n", r.name.c_str(),
                            r.per_tlp ? "per-TLP" : "closed", (unsigned long long)r.requests,
                            r.sim_ps / 1e6, r.bytes / (r.sim_ps / 1e12) / 1e9,
                            r.wall / (double(r.bytes) / (1 << 30)));
            if (closed.end != per_tlp.end || closed.requests != per_tlp.requests) {
                std::printf("  <-- the closed form and the per-TLP path disagree\n");
                ok = false;
            }
            double per_gib = closed.wall / (double(bytes) / (1 << 30));
            if (full && per_gib > kTargetSecondsPerGib) {
                std::printf("  <-- the closed form costs more than %.1f wall s per GiB\n",
                            kTargetSecondsPerGib);
                ok = false;
            }
        }
    std::printf("\n%s\n", ok ? "PASS" : "FAIL");
    return ok ? 0 : 1;
}
