// Test fixtures for the GPU engine (models/gpu/engine.h) without SystemC: a
// memory port with explicit, simple timing and injectable errors, a host that
// records what the engine asks of it, and a rig that drives the registers the
// way a driver does and runs the engine event by event the way the `gpu`
// device does.
#pragma once

#include "models/core/log.h"
#include "models/core/registers.h"
#include "models/gpu/engine.h"
#include "models/gpu/nvsoc_gpu_hw.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <array>
#include <cstring>
#include <map>
#include <memory>
#include <utility>
#include <vector>

namespace nvsoc::gpu::test {

constexpr uint64_t kNs = 1'000, kUs = 1'000'000, kMs = 1'000'000'000;

// One direction of one path: requests leave one after another at `rate`
// bytes/s (0: at once) and arrive `latency` ps later.
struct FakeLink {
    uint64_t rate = 0;
    uint64_t latency = 0;
    uint64_t busy = 0; // the last request has left
};

// Sysmem (sparse, any address) and VRAM (`vram_size` bytes) with a link per
// (sysmem or VRAM, read or write); peers have no path. Every access is logged.
class FakeMemory : public MemoryPort {
  public:
    struct Record {
        Aperture aperture;
        bool write;
        uint64_t address, length, time;
        unsigned requester;
        MemStatus status;
        uint64_t done, issued;
    };
    struct Injection {
        Aperture aperture;
        uint64_t begin, end; // [begin, end)
        bool write;
        MemStatus status;
    };

    explicit FakeMemory(uint64_t vram_size) : vram_size_(vram_size) {}

    FakeLink sysmem_read{0, 1 * kUs}, sysmem_write{0, 1 * kUs};
    FakeLink vram_read{0, 100 * kNs}, vram_write{0, 100 * kNs};
    bool discard = false; // timing only: copy engines' writes store nothing, reads give zeros
    std::vector<Injection> injections;
    std::vector<Record> log;

    MemResult access(const MemAccess& a) override {
        MemResult r;
        FakeLink& link = a.aperture == Aperture::Vram ? (a.write ? vram_write : vram_read)
                                                      : (a.write ? sysmem_write : sysmem_read);
        uint64_t start = std::max(a.time, link.busy);
        uint64_t serial =
            link.rate ? (a.length * 1'000'000'000'000ull + link.rate / 2) / link.rate : 0;
        r.issued = start + serial;
        link.busy = r.issued;
        r.done = r.issued + link.latency;
        r.status = check(a, r.fault_address);
        if (r.status == MemStatus::Ok && !(discard && a.requester != kHostRequester)) move(a);
        log.push_back(Record{a.aperture, a.write, a.address, a.length, a.time, a.requester,
                             r.status, r.done, r.issued});
        return r;
    }

    void write_bytes(Aperture ap, uint64_t address, const void* data, uint64_t length) {
        const uint8_t* p = static_cast<const uint8_t*>(data);
        for (uint64_t i = 0; i < length; ++i)
            *byte(ap, address + i) = p[i];
    }
    void read_bytes(Aperture ap, uint64_t address, void* data, uint64_t length) {
        uint8_t* p = static_cast<uint8_t*>(data);
        for (uint64_t i = 0; i < length; ++i)
            p[i] = *byte(ap, address + i);
    }
    void write32(Aperture ap, uint64_t address, uint32_t v) { write_bytes(ap, address, &v, 4); }
    uint32_t read32(Aperture ap, uint64_t address) {
        uint32_t v;
        read_bytes(ap, address, &v, 4);
        return v;
    }
    uint8_t read8(Aperture ap, uint64_t address) { return *byte(ap, address); }
    void fill(Aperture ap, uint64_t address, uint64_t length, uint8_t v) {
        for (uint64_t i = 0; i < length; ++i)
            *byte(ap, address + i) = v;
    }

    // The accesses of one requester, or to one address.
    std::vector<Record> by(unsigned requester) const {
        std::vector<Record> out;
        for (const Record& r : log)
            if (r.requester == requester) out.push_back(r);
        return out;
    }
    std::vector<Record> at(uint64_t address) const {
        std::vector<Record> out;
        for (const Record& r : log)
            if (r.address == address) out.push_back(r);
        return out;
    }

  private:
    MemStatus check(const MemAccess& a, uint64_t& fault) const {
        for (const Injection& i : injections)
            if (i.aperture == a.aperture && i.write == a.write && a.address < i.end &&
                i.begin < a.address + a.length) {
                fault = std::max(a.address, i.begin);
                return i.status;
            }
        if (a.aperture == Aperture::Peer) {
            fault = a.address;
            return MemStatus::NoPath;
        }
        if (a.aperture == Aperture::Vram && a.address + a.length > vram_size_) {
            fault = std::max(a.address, vram_size_);
            return MemStatus::OutOfRange;
        }
        return MemStatus::Ok;
    }
    void move(const MemAccess& a) {
        for (uint64_t i = 0; i < a.length; ++i) {
            uint8_t* b = byte(a.aperture, a.address + i);
            if (a.write)
                *b = a.data[i];
            else
                a.data[i] = *b;
        }
    }
    // Both memories are sparse 4 KiB pages, allocated when touched.
    uint8_t* byte(Aperture ap, uint64_t address) {
        if (ap == Aperture::Vram) REQUIRE(address < vram_size_);
        auto& page = (ap == Aperture::Vram ? vram_ : sysmem_)[address >> 12];
        if (page.empty()) page.assign(4096, 0);
        return &page[address & 0xfff];
    }

    uint64_t vram_size_;
    std::map<uint64_t, std::vector<uint8_t>> vram_, sysmem_;
};

class FakeHost : public EngineHost {
  public:
    uint64_t t = 0;
    std::vector<std::pair<uint64_t, unsigned>> signals; // (time, vector)
    bool level = false;
    std::vector<bool> levels; // every set_level
    std::vector<uint64_t> wakes;

    uint64_t now() const override { return t; }
    void signal(unsigned vector) override { signals.emplace_back(t, vector); }
    void set_level(bool l) override {
        level = l;
        levels.push_back(l);
    }
    void wake_at(uint64_t w) override { wakes.push_back(w); }

    std::vector<unsigned> vectors() const {
        std::vector<unsigned> v;
        for (auto& s : signals)
            v.push_back(s.second);
        return v;
    }
};

// --- Pushbuffers ------------------------------------------------------------------

inline uint32_t header(unsigned secop, unsigned subch, uint32_t method, unsigned count) {
    return NVSOC_GPU_METHOD_HEADER(secop, subch, method, count);
}

// A pushbuffer under construction.
struct Pb {
    std::vector<uint32_t> d;

    Pb& raw(uint32_t dword) {
        d.push_back(dword);
        return *this;
    }
    Pb& inc(unsigned sub, uint32_t method, std::vector<uint32_t> data) {
        return group(NVSOC_GPU_SECOP_INC, sub, method, data);
    }
    Pb& non_inc(unsigned sub, uint32_t method, std::vector<uint32_t> data) {
        return group(NVSOC_GPU_SECOP_NON_INC, sub, method, data);
    }
    Pb& one_inc(unsigned sub, uint32_t method, std::vector<uint32_t> data) {
        return group(NVSOC_GPU_SECOP_ONE_INC, sub, method, data);
    }
    Pb& immd(unsigned sub, uint32_t method, uint32_t value) {
        return raw(header(NVSOC_GPU_SECOP_IMMD, sub, method, value));
    }
    Pb& end_segment() { return raw(header(NVSOC_GPU_SECOP_END_PB_SEGMENT, 0, 0, 0)); }
    // A host semaphore: 4-byte release, 16-byte release, acquires.
    Pb& release4(uint64_t address, uint32_t payload) {
        return inc(0, NVSOC_GPU_SEMAPHOREA,
                   {uint32_t(address >> 32), uint32_t(address), payload,
                    NVSOC_GPU_SEMAPHORED_OP_RELEASE | NVSOC_GPU_SEMAPHORED_RELEASE_SIZE_4BYTE});
    }
    Pb& release16(uint64_t address, uint32_t payload) {
        return inc(
            0, NVSOC_GPU_SEMAPHOREA,
            {uint32_t(address >> 32), uint32_t(address), payload, NVSOC_GPU_SEMAPHORED_OP_RELEASE});
    }
    Pb& acquire(uint64_t address, uint32_t payload, bool geq = false) {
        return inc(0, NVSOC_GPU_SEMAPHOREA,
                   {uint32_t(address >> 32), uint32_t(address), payload,
                    geq ? uint32_t(NVSOC_GPU_SEMAPHORED_OP_ACQ_GEQ)
                        : uint32_t(NVSOC_GPU_SEMAPHORED_OP_ACQUIRE)});
    }
    Pb& bind_copy(unsigned sub) { return inc(sub, NVSOC_GPU_SET_OBJECT, {NVSOC_GPU_COPY_CLASS}); }

  private:
    Pb& group(unsigned secop, unsigned sub, uint32_t method, const std::vector<uint32_t>& data) {
        raw(header(secop, sub, method, unsigned(data.size())));
        d.insert(d.end(), data.begin(), data.end());
        return *this;
    }
};

// The usual LAUNCH_DMA: physical pitch-linear source and destination.
constexpr uint32_t kLaunchCopy = 2 | NVSOC_GPU_CE_LAUNCH_SRC_PITCH | NVSOC_GPU_CE_LAUNCH_DST_PITCH |
                                 NVSOC_GPU_CE_LAUNCH_SRC_PHYSICAL |
                                 NVSOC_GPU_CE_LAUNCH_DST_PHYSICAL;

struct Copy {
    Aperture src_aperture = Aperture::SysmemCoherent, dst_aperture = Aperture::Vram;
    uint64_t src = 0, dst = 0;
    uint32_t line_length = 0, line_count = 1, pitch_in = 0, pitch_out = 0;
    uint32_t launch = kLaunchCopy; // MULTI_LINE is added when line_count != 1
    uint32_t remap_a = 0, remap_b = 0, remap_components = 0;
    uint64_t semaphore = 0; // with SEM_* in launch
    uint32_t payload = 0;
};

// The methods of one copy on subchannel `sub` (bound to the copy class).
inline Pb& copy(Pb& pb, unsigned sub, const Copy& c) {
    uint32_t launch = c.launch;
    if (c.line_count != 1) launch |= NVSOC_GPU_CE_LAUNCH_MULTI_LINE;
    pb.inc(sub, NVSOC_GPU_CE_SET_SRC_PHYS_MODE,
           {uint32_t(c.src_aperture), uint32_t(c.dst_aperture)});
    pb.inc(sub, NVSOC_GPU_CE_OFFSET_IN_UPPER,
           {uint32_t(c.src >> 32), uint32_t(c.src), uint32_t(c.dst >> 32), uint32_t(c.dst),
            c.pitch_in, c.pitch_out, c.line_length, c.line_count});
    if (launch & NVSOC_GPU_CE_LAUNCH_REMAP)
        pb.inc(sub, NVSOC_GPU_CE_SET_REMAP_CONST_A, {c.remap_a, c.remap_b, c.remap_components});
    if ((launch >> NVSOC_GPU_CE_LAUNCH_SEM_SHIFT) & 3)
        pb.inc(sub, NVSOC_GPU_CE_SET_SEMAPHORE_A,
               {uint32_t(c.semaphore >> 32), uint32_t(c.semaphore), c.payload});
    pb.inc(sub, NVSOC_GPU_CE_LAUNCH_DMA, {launch});
    return pb;
}

// --- The rig ----------------------------------------------------------------------

constexpr Aperture kSys = Aperture::SysmemCoherent, kVram = Aperture::Vram;
constexpr uint32_t kAllSysmem = 0x15; // CH_APERTURE: GPFIFO, PB and semaphores in sysmem

// Where the rig puts things in sysmem.
constexpr uint64_t kRingBase = 0x10000;  // channel c's ring at kRingBase + c * 0x1000
constexpr uint64_t kPbBase = 0x100000;   // channel c's pushbuffers from kPbBase + c * 0x100000
constexpr uint64_t kFaultBuf = 0x8000;   // the fault buffer
constexpr uint64_t kSemaphores = 0x9000; // semaphores
constexpr uint64_t kData = 0x10000000;   // copy sources and destinations

inline EngineConfig test_config() {
    EngineConfig c;
    c.channels = 4;
    c.copy_engines = 2;
    c.ce_rate = {1'000'000'000'000ull, 1'000'000'000'000ull}; // 1 byte/ps
    c.vram_size = 1 << 20;
    return c;
}

struct Rig {
    EngineConfig cfg;
    FakeMemory mem;
    FakeHost host;
    Logger log{"gpu0", "gpu"};
    RegisterBank bank;
    std::unique_ptr<Engine> engine;
    std::array<uint32_t, NVSOC_GPU_MAX_CHANNELS> put{};     // GP_PUT as the rig wrote it
    std::array<uint64_t, NVSOC_GPU_MAX_CHANNELS> pb_next{}; // the next free pushbuffer byte

    explicit Rig(const EngineConfig& c = test_config()) : cfg(c), mem(c.vram_size) {
        engine = std::make_unique<Engine>(cfg, mem, host, log);
        engine->declare_registers(bank);
        for (unsigned i = 0; i < NVSOC_GPU_MAX_CHANNELS; ++i)
            pb_next[i] = kPbBase + i * 0x100000ull;
    }

    uint32_t rd(uint64_t offset) {
        uint32_t v = 0;
        REQUIRE(bank.read(offset, reinterpret_cast<uint8_t*>(&v), 4) == AccessResult::Ok);
        return v;
    }
    void wr(uint64_t offset, uint32_t v) {
        REQUIRE(bank.write(offset, reinterpret_cast<const uint8_t*>(&v), 4) == AccessResult::Ok);
    }
    // Register accesses from now on happen at t (ps).
    void at(uint64_t t) {
        REQUIRE(t >= host.t);
        host.t = t;
    }

    // Runs every event due up to `limit`, one advance_to per event time, as
    // the device's wake-up event does; host time ends at the last event.
    void run(uint64_t limit = UINT64_MAX) {
        for (uint64_t n = 0;; ++n) {
            std::optional<uint64_t> next = engine->next_event_time();
            if (!next || *next > limit) break;
            if (n > 20'000'000) FAIL("the engine did not go idle");
            REQUIRE(*next >= host.t);
            // The engine asked to be woken at or before this.
            REQUIRE(!host.wakes.empty());
            host.t = *next;
            engine->advance_to(*next);
        }
    }
    // Runs to `t` and leaves host time there.
    void run_to(uint64_t t) {
        run(t);
        at(t);
    }

    void setup_channel(unsigned c, unsigned log2 = 4, uint32_t aperture = kAllSysmem,
                       unsigned ce = 0) {
        wr(NVSOC_GPU_CH(c, NVSOC_GPU_CH_GPFIFO_LO), uint32_t(kRingBase + c * 0x1000));
        wr(NVSOC_GPU_CH(c, NVSOC_GPU_CH_GPFIFO_HI), 0);
        wr(NVSOC_GPU_CH(c, NVSOC_GPU_CH_GPFIFO_LOG2), log2);
        wr(NVSOC_GPU_CH(c, NVSOC_GPU_CH_APERTURE), aperture);
        wr(NVSOC_GPU_CH(c, NVSOC_GPU_CH_ENGINE), ce);
        wr(NVSOC_GPU_CH(c, NVSOC_GPU_CH_CTRL), NVSOC_GPU_CH_CTRL_ENABLE);
    }
    uint64_t ring(unsigned c) const { return kRingBase + c * 0x1000; }
    unsigned ring_entries(unsigned c) {
        return 1u << rd(NVSOC_GPU_CH(c, NVSOC_GPU_CH_GPFIFO_LOG2));
    }

    // Writes a GP entry at GP_PUT without publishing it; returns its index.
    unsigned gp_entry(unsigned c, uint64_t address, uint32_t dwords, uint32_t extra = 0) {
        unsigned i = put[c];
        uint32_t w0 = uint32_t(address) & ~3u;
        uint32_t w1 = uint32_t(address >> 32) & 0xff;
        w1 |= dwords << NVSOC_GPU_GP_ENTRY1_LENGTH_SHIFT | extra;
        mem.write32(kSys, ring(c) + 8 * i, w0);
        mem.write32(kSys, ring(c) + 8 * i + 4, w1);
        put[c] = (i + 1) % ring_entries(c);
        return i;
    }
    // Writes a pushbuffer segment and its GP entry; returns the segment's address.
    uint64_t segment(unsigned c, const Pb& pb) {
        uint64_t address = pb_next[c];
        mem.write_bytes(kSys, address, pb.d.data(), 4 * pb.d.size());
        pb_next[c] += (4 * pb.d.size() + 0xff) & ~0xffull;
        gp_entry(c, address, uint32_t(pb.d.size()));
        return address;
    }
    void publish(unsigned c) { wr(NVSOC_GPU_USERD(c) + NVSOC_GPU_USERD_GP_PUT, put[c]); }
    void doorbell(uint32_t c) { wr(NVSOC_GPU_USERMODE + NVSOC_GPU_USERMODE_DOORBELL, c); }
    // One segment, published and rung; returns the segment's address.
    uint64_t submit(unsigned c, const Pb& pb) {
        uint64_t address = segment(c, pb);
        publish(c);
        doorbell(c);
        return address;
    }

    uint32_t gp_get(unsigned c) { return rd(NVSOC_GPU_USERD(c) + NVSOC_GPU_USERD_GP_GET); }
    uint32_t status(unsigned c) { return rd(NVSOC_GPU_CH(c, NVSOC_GPU_CH_STATUS)); }
    uint32_t methods(unsigned c) { return rd(NVSOC_GPU_CH(c, NVSOC_GPU_CH_METHODS_LO)); }

    // The fault buffer in sysmem at kFaultBuf, `entries` records.
    void fault_buffer(uint32_t entries, bool enable = true) {
        wr(NVSOC_GPU_FAULT_BUF_LO, uint32_t(kFaultBuf));
        wr(NVSOC_GPU_FAULT_BUF_HI, 0);
        wr(NVSOC_GPU_FAULT_BUF_SIZE, entries);
        wr(NVSOC_GPU_FAULT_BUF_CTRL, (enable ? NVSOC_GPU_FAULT_BUF_CTRL_ENABLE : 0) |
                                         uint32_t(kSys) << NVSOC_GPU_FAULT_BUF_CTRL_APERTURE_SHIFT);
    }
    std::array<uint32_t, 8> record(unsigned i) {
        std::array<uint32_t, 8> w;
        for (unsigned k = 0; k < 8; ++k)
            w[k] = mem.read32(kSys, kFaultBuf + 32 * i + 4 * k);
        return w;
    }
};

// A fault record's INFO word.
inline uint32_t info(unsigned type, unsigned access, Aperture ap, unsigned xid, unsigned engine) {
    return type | access << NVSOC_GPU_FAULT_INFO_ACCESS_SHIFT |
           unsigned(ap) << NVSOC_GPU_FAULT_INFO_APERTURE_SHIFT |
           xid << NVSOC_GPU_FAULT_INFO_XID_SHIFT | engine << NVSOC_GPU_FAULT_INFO_ENGINE_SHIFT;
}
// CH_STATUS of a faulted channel.
inline uint32_t faulted(unsigned type, unsigned xid, bool busy) {
    return NVSOC_GPU_CH_STATUS_FAULTED | xid << NVSOC_GPU_CH_STATUS_XID_SHIFT |
           type << NVSOC_GPU_CH_STATUS_FAULT_TYPE_SHIFT | (busy ? NVSOC_GPU_CH_STATUS_BUSY : 0);
}
// A method's DETAIL word.
inline uint32_t detail(unsigned secop, unsigned sub, uint32_t method) {
    return header(secop, sub, method, 0);
}

} // namespace nvsoc::gpu::test
