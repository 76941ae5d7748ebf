// The engine's insides (engine.h's Engine::Impl), shared by its sources:
// engine.cpp (time, channels, the Engine API), copy_engine.cpp (copy
// engines), engine_faults.cpp (memory accesses, faults, interrupts, resets)
// and engine_registers.cpp (the BAR0 registers). Not for use elsewhere.
//
// Everything that runs is an actor with a due time: a channel, or a copy
// engine with a launch. advance_to() runs the earliest-due actor, then the
// next, in time order (ties in the order they were scheduled, so equal
// times take turns). An actor does one thing that other actors or software
// can see (a memory access, an interrupt, a fault) per turn, at exactly its
// due time, so all memory accesses reach the MemoryPort in time order; work
// only the channel itself sees (decoding methods that set state) runs ahead
// within a turn, up to method_budget methods. docs/gpu.md, "Programming
// model", "Timing" and "Fault points", is the reference.
#pragma once

#include "models/gpu/copy_launch.h"
#include "models/gpu/engine.h"
#include "models/gpu/nvsoc_gpu_hw.h"
#include "models/gpu/pushbuffer.h"

#include <array>
#include <bitset>
#include <cstring>
#include <deque>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace nvsoc::gpu {

namespace engine_detail {

inline constexpr uint64_t kNs = 1'000, kUs = 1'000'000;
inline constexpr unsigned kGpBatch = 32;      // GP entries per ring read
inline constexpr uint64_t kPieceBytes = 4096; // pushbuffer bytes per read
inline constexpr unsigned kSubchannels = 8;
// Chunks a copy engine holds between its read and write sides.
inline constexpr unsigned kChunksInFlight = 8;
inline constexpr uint64_t kFirstBackoff = 1 * kUs, kMaxBackoff = 64 * kUs;
inline constexpr uint64_t kDefaultCeRate = 25'000'000'000ull; // bytes/s
inline constexpr uint64_t kMaxCeChunk = 4ull << 20;
inline constexpr uint32_t kMaxFaultEntries = 65536;
inline constexpr unsigned kUserdDwords = NVSOC_GPU_USERD_STRIDE / 4;
inline constexpr unsigned kMaxLog2 = 20;

inline Aperture aperture_field(uint32_t reg, unsigned shift) {
    return static_cast<Aperture>((reg >> shift) & 3);
}

inline void put_u32(uint8_t* p, uint32_t v) {
    for (unsigned i = 0; i < 4; ++i)
        p[i] = static_cast<uint8_t>(v >> (8 * i));
}

// A semaphore release: the payload, then for 16 bytes a zero word and the
// time in ns (clc56f's and clc6b5's four-word layout).
inline unsigned semaphore_bytes(uint8_t (&buf)[16], uint32_t payload, bool four_words, uint64_t t) {
    std::memset(buf, 0, sizeof buf);
    put_u32(buf, payload);
    if (!four_words) return 4;
    uint64_t ns = t / kNs;
    put_u32(buf + 8, static_cast<uint32_t>(ns));
    put_u32(buf + 12, static_cast<uint32_t>(ns >> 32));
    return 16;
}

// One fault, as its record will say it.
struct Fault {
    uint8_t type = 0;
    uint8_t access = 0; // NVSOC_GPU_ACCESS_*, 0 when `address` is not an address
    Aperture aperture = Aperture::Vram;
    uint8_t xid = 0;
    uint8_t engine = 0; // 0 host, 1 + n copy engine n
    uint64_t address = 0;
    uint32_t channel = NVSOC_GPU_FAULT_NO_CHANNEL;
    uint32_t detail = 0;
};

// Something that runs at a time.
struct Actor {
    std::optional<uint64_t> due;
    uint64_t seq = 0; // the order it was scheduled in, among equal due times
};

struct Subchannel {
    uint32_t object = 0; // the bound class, 0 for none
    CopyState copy;
};

// A decoded method whose visible effect waits for its time (or a header
// that is not one).
struct PendingMethod {
    Method method;
    uint64_t at = 0; // pushbuffer address of the dword that carried it
    bool bad_header = false;
    uint32_t dword = 0;
};

struct Acquire {
    bool active = false;
    unsigned op = 0;
    uint64_t address = 0;
    uint32_t payload = 0;
    uint64_t backoff = 0; // 0 before the first miss
    uint32_t detail = 0;  // the SEMAPHORED method word
    uint64_t at = 0;      // its pushbuffer address
};

struct Channel : Actor {
    unsigned id = 0;
    // What software programs.
    bool enabled = false;
    uint32_t gpfifo_lo = 0, gpfifo_hi = 0, gpfifo_log2 = 0, aperture = 0, engine = 0;
    uint32_t intr_vector = 0;
    uint32_t gp_put = 0;
    // What it shows.
    uint32_t gp_get = 0;
    uint64_t pb_get = 0; // USERD GET/GET_HI: the next pushbuffer byte to fetch
    uint64_t methods = 0;
    bool faulted = false;
    uint8_t xid = 0, fault_type = 0;
    uint32_t error_detail = 0;
    // Where it is.
    uint64_t t = 0;              // its own time: runs ahead of its turn for silent work
    uint32_t ring_entries = 0;   // ring size when the batch in hand was read
    std::vector<uint64_t> batch; // GP entries read, from gp_get on
    size_t batch_pos = 0;
    bool in_entry = false;
    uint64_t seg_address = 0, seg_dwords = 0; // the rest of the segment to fetch
    std::vector<uint32_t> piece;              // the fetched part being decoded
    size_t piece_pos = 0;
    uint64_t piece_address = 0;
    MethodDecoder decoder;
    std::optional<PendingMethod> pending;
    std::optional<Fault> deferred; // found by an access, raised at the access's end
    Acquire acquire;
    bool waiting_launch = false;
    uint32_t sem_hi = 0, sem_lo = 0, sem_payload = 0;
    std::array<Subchannel, kSubchannels> sub;
    std::bitset<256> logged; // fault types logged since the last reset

    Aperture gpfifo_aperture() const {
        return aperture_field(aperture, NVSOC_GPU_CH_APERTURE_GPFIFO_SHIFT);
    }
    Aperture pb_aperture() const {
        return aperture_field(aperture, NVSOC_GPU_CH_APERTURE_PB_SHIFT);
    }
    Aperture sem_aperture() const {
        return aperture_field(aperture, NVSOC_GPU_CH_APERTURE_SEM_SHIFT);
    }
    uint64_t gpfifo_base() const { return (uint64_t(gpfifo_hi) << 32) | gpfifo_lo; }
};

// A piece of a copy between its read and its write.
struct Chunk {
    unsigned slot = 0;
    uint64_t length = 0, dst = 0;
    uint64_t ready = 0; // the engine's stage is done with it
    const uint8_t* data = nullptr;
};

struct Launch {
    unsigned channel = 0;
    uint32_t detail = 0; // the LAUNCH_DMA method word
    Aperture sem_aperture = Aperture::Vram;
    CopyPlan plan;
    bool hang = false;  // the ce_hang fault point: never completes
    uint64_t ready = 0; // handed to the engine
    enum class Phase { Data, Semaphore, Interrupt, Failing } phase = Phase::Data;
    uint64_t line = 0, offset = 0; // the next chunk to read
    uint64_t chunks_read = 0;
    std::deque<Chunk> inflight;
    uint64_t read_ready = 0, write_ready = 0; // when each side may issue next
    uint64_t data_done = 0;                   // the last write is delivered
    uint64_t phase_time = 0;                  // Semaphore, Interrupt, Failing: when
    uint64_t written = 0;                     // bytes delivered
    std::vector<uint8_t> pattern;             // fill: the element repeated
    std::optional<Fault> fault;
};

struct CopyEngine : Actor {
    unsigned id = 0;
    uint64_t rate = 0;
    std::optional<Launch> active;
    std::deque<Launch> queue;
    uint64_t busy_until = 0; // its own stage
    uint64_t bytes = 0;
    uint32_t launches = 0;
    std::vector<std::vector<uint8_t>> slots;
    std::array<uint64_t, kChunksInFlight> slot_free{};
};

enum class Next { Continue, Stop };

} // namespace engine_detail

struct Engine::Impl {
    using Actor = engine_detail::Actor;
    using Channel = engine_detail::Channel;
    using CopyEngine = engine_detail::CopyEngine;
    using Fault = engine_detail::Fault;
    using Launch = engine_detail::Launch;
    using Next = engine_detail::Next;
    using Subchannel = engine_detail::Subchannel;

    Impl(const EngineConfig& c, MemoryPort& m, EngineHost& h, Logger& l);

    EngineConfig cfg;
    MemoryPort& mem;
    EngineHost& host;
    Logger& log;
    std::vector<Channel> ch;
    std::vector<CopyEngine> ce;
    Stats stats;

    // Interrupts.
    uint32_t intr_enable = 0;
    uint64_t nonstall = 0, channel_error = 0;
    uint32_t ecc_status = 0, ecc_corrected = 0, ecc_uncorrected = 0;
    uint32_t unit_status = 0; // INTR_STATUS bits of units outside the engines
    uint64_t ecc_addr = 0;
    bool level = false;
    // The fault buffer.
    uint32_t fb_lo = 0, fb_hi = 0, fb_size = 0, fb_get = 0, fb_put = 0, fb_ctrl = 0;
    bool fb_overflow = false;
    uint32_t fault_count = 0;
    std::bitset<256> logged_unowned; // faults of no channel, logged since reset
    // Fault points count from the start of the run: each fires once.
    uint64_t methods_total = 0, launches_total = 0;

    std::function<void(const EngineEvent&)> tracer;

    uint64_t seq = 0;
    std::optional<uint64_t> wake_requested;
    bool advancing = false;

    // Registers: the bank stores what a partial write merges with.
    enum class Kind { ReadOnly, ReadWrite, Action };
    struct Declared {
        size_t id;
        Kind kind;
        unsigned count;
        std::function<uint64_t(unsigned)> read;
    };
    RegisterBank* bank = nullptr;
    std::vector<Declared> declared;
    size_t userd_id = 0;

    // Scheduling.
    void schedule(Actor& a, uint64_t t);
    std::optional<size_t> earliest() const;
    std::optional<uint64_t> next_time() const;
    void advance(uint64_t t);
    void catch_up();
    void request_wake();

    // Channels.
    void run_channel(Channel& c);
    bool in_time(Channel& c, uint64_t start);
    Next fetch_gp(Channel& c);
    bool check_config(Channel& c);
    Next start_entry(Channel& c, uint64_t start);
    void finish_entry(Channel& c);
    Next fetch_piece(Channel& c);
    Next step_method(Channel& c, uint64_t start, uint64_t& budget);
    bool silent(const Channel& c, const Method& m) const;
    Next execute(Channel& c, const Method& m, uint64_t at);
    Next host_method(Channel& c, const Method& m, uint64_t at);
    Next semaphore(Channel& c, const Method& m, uint64_t at);
    Next try_acquire(Channel& c);
    Next copy_method(Channel& c, Subchannel& s, const Method& m, uint64_t at);
    Next launch(Channel& c, Subchannel& s, const Method& m, uint64_t at);
    Next method_fault(Channel& c, const Method& m, uint64_t at, uint8_t type);
    void doorbell(uint32_t id);
    void reset_channel(Channel& c, bool registers);

    // Copy engines.
    void run_engine(CopyEngine& e);
    void plan_next(CopyEngine& e);
    std::optional<uint64_t> read_time(const CopyEngine& e, const Launch& l) const;
    static std::optional<uint64_t> write_time(const Launch& l);
    void read_chunk(CopyEngine& e, Launch& l, uint64_t t);
    void write_chunk(CopyEngine& e, Launch& l, uint64_t t);
    void copy_semaphore(CopyEngine& e, Launch& l, uint64_t t);
    void finish_launch(CopyEngine& e, uint64_t t);
    void fail_launch(CopyEngine& e, uint64_t t);
    void start_next(CopyEngine& e, uint64_t t);
    void abandon_launches(unsigned channel);
    std::vector<uint8_t>& slot_buffer(CopyEngine& e, unsigned slot);

    // Memory, faults and interrupts.
    MemResult access(Aperture ap, unsigned peer, bool write, uint64_t address, uint8_t* data,
                     uint64_t length, uint64_t t, unsigned requester);
    Fault memory_fault(Aperture ap, bool write, const MemResult& r, unsigned engine,
                       unsigned channel, uint32_t detail) const;
    void raise(const Fault& f, uint64_t t);
    bool record(const Fault& f, uint64_t t);
    void log_fault(const Fault& f);
    uint32_t intr_status() const;
    void update_level();
    void send(unsigned vector, uint64_t t);
    void set_nonstall(unsigned channel, uint64_t t);
    void trace(EngineEvent::Kind kind, uint64_t t, unsigned channel, unsigned engine,
               uint64_t value);
    void enable_interrupts(uint32_t bits);
    void reset_all();

    // Registers.
    void declare(RegisterBank& b, std::string name, uint64_t offset, unsigned count,
                 uint64_t stride, Kind kind, std::function<uint64_t(unsigned)> read,
                 std::function<void(unsigned, uint32_t)> write = {});
    void resync();
    void declare_registers(RegisterBank& b);
    void declare_channel_registers(RegisterBank& b);
    void declare_engine_registers(RegisterBank& b);
    void declare_interrupt_registers(RegisterBank& b);
    void declare_fault_buffer_registers(RegisterBank& b);
    uint64_t read_userd(unsigned index) const;
    void write_userd(unsigned index, uint32_t v);
    uint32_t channel_status(const Channel& c) const;
};

} // namespace nvsoc::gpu
