// The GPU's engines: channels, copy engines, interrupts and the fault
// buffer (engine.h; docs/gpu.md, "Programming model", "Timing" and "Fault
// points", is the reference for everything below).
//
// Everything that runs is an actor with a due time: a channel, or a copy
// engine with a launch. advance_to() runs the earliest-due actor, then the
// next, in time order (ties in the order they were scheduled, so equal
// times take turns). An actor does one thing that other actors or software
// can see (a memory access, an interrupt, a fault) per turn, at exactly its
// due time, so all memory accesses reach the MemoryPort in time order; work
// only the channel itself sees (decoding methods that set state) runs ahead
// within a turn, up to method_budget methods.
#include "models/gpu/engine.h"

#include "models/gpu/copy_launch.h"
#include "models/gpu/nvsoc_gpu_hw.h"
#include "models/gpu/pushbuffer.h"

#include <algorithm>
#include <array>
#include <bitset>
#include <cstring>
#include <deque>
#include <functional>
#include <stdexcept>

namespace nvsoc::gpu {

namespace {

constexpr uint64_t kNs = 1'000, kUs = 1'000'000;
constexpr unsigned kGpBatch = 32;      // GP entries per ring read
constexpr uint64_t kPieceBytes = 4096; // pushbuffer bytes per read
constexpr unsigned kSubchannels = 8;
// Chunks a copy engine holds between its read and write sides.
constexpr unsigned kChunksInFlight = 8;
constexpr uint64_t kFirstBackoff = 1 * kUs, kMaxBackoff = 64 * kUs;
constexpr uint64_t kDefaultCeRate = 25'000'000'000ull; // bytes/s
constexpr uint64_t kMaxCeChunk = 4ull << 20;
constexpr uint32_t kMaxFaultEntries = 65536;
constexpr unsigned kUserdDwords = NVSOC_GPU_USERD_STRIDE / 4;
constexpr unsigned kMaxLog2 = 20;

uint64_t duration_ps(uint64_t bytes, uint64_t rate) {
    unsigned __int128 p = static_cast<unsigned __int128>(bytes) * 1'000'000'000'000ull;
    return static_cast<uint64_t>((p + rate / 2) / rate);
}

bool is_sysmem(Aperture a) {
    return a == Aperture::SysmemCoherent || a == Aperture::SysmemNoncoherent;
}

Aperture aperture_field(uint32_t reg, unsigned shift) {
    return static_cast<Aperture>((reg >> shift) & 3);
}

uint8_t fault_type_for(MemStatus s) {
    switch (s) {
    case MemStatus::OutOfRange:
        return NVSOC_GPU_FAULT_VA_LIMIT_VIOLATION;
    case MemStatus::BusError:
        return NVSOC_GPU_FAULT_BUS_ERROR;
    case MemStatus::Poisoned:
        return NVSOC_GPU_FAULT_POISONED;
    case MemStatus::NoPath:
    case MemStatus::Ok:
        break;
    }
    return NVSOC_GPU_FAULT_UNSUPPORTED_APERTURE;
}

const char* fault_name(unsigned type) {
    switch (type) {
    case NVSOC_GPU_FAULT_VA_LIMIT_VIOLATION:
        return "VA_LIMIT_VIOLATION";
    case NVSOC_GPU_FAULT_UNBOUND_INST_BLOCK:
        return "UNBOUND_INST_BLOCK";
    case NVSOC_GPU_FAULT_UNSUPPORTED_APERTURE:
        return "UNSUPPORTED_APERTURE";
    case NVSOC_GPU_FAULT_POISONED:
        return "POISONED";
    case NVSOC_GPU_FAULT_BUS_ERROR:
        return "BUS_ERROR";
    case NVSOC_GPU_FAULT_BAD_METHOD:
        return "BAD_METHOD";
    case NVSOC_GPU_FAULT_BAD_GP_ENTRY:
        return "BAD_GP_ENTRY";
    case NVSOC_GPU_FAULT_BAD_GP_PUT:
        return "BAD_GP_PUT";
    case NVSOC_GPU_FAULT_BAD_CLASS:
        return "BAD_CLASS";
    case NVSOC_GPU_FAULT_BAD_SUBCHANNEL:
        return "BAD_SUBCHANNEL";
    case NVSOC_GPU_FAULT_BAD_LAUNCH:
        return "BAD_LAUNCH";
    case NVSOC_GPU_FAULT_BAD_DOORBELL:
        return "BAD_DOORBELL";
    case NVSOC_GPU_FAULT_BAD_CONFIG:
        return "BAD_CONFIG";
    }
    return "fault";
}

void put_u32(uint8_t* p, uint32_t v) {
    for (unsigned i = 0; i < 4; ++i)
        p[i] = static_cast<uint8_t>(v >> (8 * i));
}

// A semaphore release: the payload, then for 16 bytes a zero word and the
// time in ns (clc56f's and clc6b5's four-word layout).
unsigned semaphore_bytes(uint8_t (&buf)[16], uint32_t payload, bool four_words, uint64_t t) {
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

} // namespace

std::string validate(const EngineConfig& c) {
    if (c.channels < 1 || c.channels > NVSOC_GPU_MAX_CHANNELS)
        return "channels must be 1.." + std::to_string(NVSOC_GPU_MAX_CHANNELS) + ", not " +
               std::to_string(c.channels);
    if (c.copy_engines < 1 || c.copy_engines > NVSOC_GPU_MAX_CES)
        return "copy_engines must be 1.." + std::to_string(NVSOC_GPU_MAX_CES) + ", not " +
               std::to_string(c.copy_engines);
    if (c.dma_bits < 32 || c.dma_bits > 64)
        return "dma_bits must be 32..64, not " + std::to_string(c.dma_bits);
    if (c.method_time == 0) return "method_time must be at least 1 ps";
    if (!c.ce_rate.empty() && c.ce_rate.size() != c.copy_engines)
        return "ce_rate must have one rate per copy engine (" + std::to_string(c.copy_engines) +
               "), not " + std::to_string(c.ce_rate.size());
    for (uint64_t r : c.ce_rate)
        if (r == 0) return "ce_rate must be at least 1 byte/s per copy engine";
    if (c.ce_chunk == 0 || c.ce_chunk > kMaxCeChunk)
        return "ce_chunk must be 1.." + std::to_string(kMaxCeChunk) + " bytes, not " +
               std::to_string(c.ce_chunk);
    if (c.method_budget == 0) return "method_budget must be at least 1";
    if (c.max_copy_bytes == 0) return "max_copy_bytes must be at least 1";
    return "";
}

struct Engine::Impl {
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
    uint64_t ecc_addr = 0;
    bool level = false;
    // The fault buffer.
    uint32_t fb_lo = 0, fb_hi = 0, fb_size = 0, fb_get = 0, fb_put = 0, fb_ctrl = 0;
    bool fb_overflow = false;
    uint32_t fault_count = 0;
    std::bitset<256> logged_unowned; // faults of no channel, logged since reset
    // Fault points count from the start of the run: each fires once.
    uint64_t methods_total = 0, launches_total = 0;

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
    void send(unsigned vector);
    void set_nonstall(unsigned channel);
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

Engine::Impl::Impl(const EngineConfig& c, MemoryPort& m, EngineHost& h, Logger& l)
    : cfg(c), mem(m), host(h), log(l) {
    ch.resize(cfg.channels);
    for (unsigned i = 0; i < cfg.channels; ++i) {
        ch[i].id = i;
        ch[i].intr_vector = 1 + i;
    }
    ce.resize(cfg.copy_engines);
    for (unsigned i = 0; i < cfg.copy_engines; ++i) {
        ce[i].id = i;
        ce[i].rate = cfg.ce_rate.empty() ? kDefaultCeRate : cfg.ce_rate[i];
    }
}

// --- Scheduling --------------------------------------------------------------------

void Engine::Impl::schedule(Actor& a, uint64_t t) {
    a.due = t;
    a.seq = seq++;
}

// The actor due first: channel i, or copy engine i - channels.
std::optional<size_t> Engine::Impl::earliest() const {
    std::optional<size_t> best;
    const Actor* b = nullptr;
    auto consider = [&](const Actor& a, size_t i) {
        if (a.due && (!b || *a.due < *b->due || (*a.due == *b->due && a.seq < b->seq))) {
            b = &a;
            best = i;
        }
    };
    for (size_t i = 0; i < ch.size(); ++i)
        consider(ch[i], i);
    for (size_t i = 0; i < ce.size(); ++i)
        consider(ce[i], ch.size() + i);
    return best;
}

std::optional<uint64_t> Engine::Impl::next_time() const {
    std::optional<uint64_t> t;
    auto consider = [&t](const Actor& a) {
        if (a.due && (!t || *a.due < *t)) t = a.due;
    };
    for (const Channel& c : ch)
        consider(c);
    for (const CopyEngine& e : ce)
        consider(e);
    return t;
}

void Engine::Impl::advance(uint64_t t) {
    if (advancing) return; // a register access from inside a turn
    advancing = true;
    while (std::optional<size_t> i = earliest()) {
        if (*i < ch.size()) {
            if (*ch[*i].due > t) break;
            run_channel(ch[*i]);
        } else {
            if (*ce[*i - ch.size()].due > t) break;
            run_engine(ce[*i - ch.size()]);
        }
    }
    advancing = false;
    if (wake_requested && *wake_requested <= t) wake_requested.reset();
    request_wake();
}

// Register accesses happen at host.now(): what was due before them happens
// first.
void Engine::Impl::catch_up() {
    advance(host.now());
}

void Engine::Impl::request_wake() {
    std::optional<uint64_t> next = next_time();
    if (!next || (wake_requested && *wake_requested <= *next)) return;
    wake_requested = next;
    host.wake_at(*next);
}

// --- Channels ------------------------------------------------------------------------

// One turn of a channel, from its due time: it works until it has to wait
// (for memory, its copy, an acquire, or its next visible action's time).
void Engine::Impl::run_channel(Channel& c) {
    const uint64_t start = *c.due;
    c.due.reset();
    c.t = std::max(c.t, start);
    uint64_t budget = cfg.method_budget;
    for (;;) {
        if (!c.enabled || c.faulted || c.waiting_launch) return;
        Next n;
        if (c.deferred) {
            if (!in_time(c, start)) return;
            Fault f = *c.deferred;
            c.deferred.reset();
            raise(f, c.t);
            return;
        } else if (c.acquire.active) {
            n = in_time(c, start) ? try_acquire(c) : Next::Stop;
        } else if (c.pending || c.piece_pos < c.piece.size()) {
            n = step_method(c, start, budget);
        } else if (c.seg_dwords > 0) {
            n = in_time(c, start) ? fetch_piece(c) : Next::Stop;
        } else if (c.in_entry) {
            finish_entry(c);
            n = Next::Continue;
        } else if (c.batch_pos < c.batch.size()) {
            n = start_entry(c, start);
        } else {
            n = in_time(c, start) ? fetch_gp(c) : Next::Stop;
        }
        if (n == Next::Stop) return;
    }
}

// Whether the channel's time is still its turn's: if not, it takes another
// turn then, so that what it does next is seen at its own time.
bool Engine::Impl::in_time(Channel& c, uint64_t start) {
    if (c.t <= start) return true;
    schedule(c, c.t);
    return false;
}

bool Engine::Impl::check_config(Channel& c) {
    auto bad = [&](uint32_t reg, uint32_t value) {
        raise(Fault{.type = NVSOC_GPU_FAULT_BAD_CONFIG,
                    .xid = NVSOC_GPU_XID_PBDMA_ERROR,
                    .address = value,
                    .channel = c.id,
                    .detail = reg},
              c.t);
        return false;
    };
    if (c.gpfifo_log2 < 1 || c.gpfifo_log2 > kMaxLog2)
        return bad(NVSOC_GPU_CH_GPFIFO_LOG2, c.gpfifo_log2);
    if (c.gpfifo_lo % 8 != 0) return bad(NVSOC_GPU_CH_GPFIFO_LO, c.gpfifo_lo);
    for (unsigned shift : {NVSOC_GPU_CH_APERTURE_GPFIFO_SHIFT, NVSOC_GPU_CH_APERTURE_PB_SHIFT,
                           NVSOC_GPU_CH_APERTURE_SEM_SHIFT})
        if (aperture_field(c.aperture, shift) == Aperture::Peer)
            return bad(NVSOC_GPU_CH_APERTURE, c.aperture);
    return true;
}

// Reads the next GP entries, [GP_GET, GP_PUT) up to the ring's end, a batch
// at a time; with none left the channel goes idle until a doorbell.
Next Engine::Impl::fetch_gp(Channel& c) {
    if (!check_config(c)) return Next::Stop;
    uint32_t entries = 1u << c.gpfifo_log2;
    if (c.gp_put >= entries) {
        raise(Fault{.type = NVSOC_GPU_FAULT_BAD_GP_PUT,
                    .xid = NVSOC_GPU_XID_PBDMA_ERROR,
                    .channel = c.id,
                    .detail = c.gp_put},
              c.t);
        return Next::Stop;
    }
    if (c.gp_get >= entries) c.gp_get &= entries - 1; // LOG2 shrank under it
    if (c.gp_get == c.gp_put) return Next::Stop;
    uint32_t n = (c.gp_put > c.gp_get ? c.gp_put : entries) - c.gp_get;
    n = std::min(n, kGpBatch);
    c.batch.assign(n, 0);
    c.batch_pos = 0;
    c.ring_entries = entries;
    uint64_t address = c.gpfifo_base() + uint64_t(c.gp_get) * 8;
    MemResult r =
        access(c.gpfifo_aperture(), 0, false, address, reinterpret_cast<uint8_t*>(c.batch.data()),
               uint64_t(n) * 8, c.t, kHostRequester);
    c.t = r.done;
    if (r.status != MemStatus::Ok) {
        c.batch.clear();
        c.deferred = memory_fault(c.gpfifo_aperture(), false, r, 0, c.id, c.gp_get);
    }
    return Next::Continue;
}

Next Engine::Impl::start_entry(Channel& c, uint64_t start) {
    uint64_t entry = c.batch[c.batch_pos];
    uint32_t w0 = static_cast<uint32_t>(entry), w1 = static_cast<uint32_t>(entry >> 32);
    if (w1 & NVSOC_GPU_GP_ENTRY1_LEVEL) { // subroutines are not modelled
        if (!in_time(c, start)) return Next::Stop;
        raise(Fault{.type = NVSOC_GPU_FAULT_BAD_GP_ENTRY,
                    .access = NVSOC_GPU_ACCESS_READ,
                    .aperture = c.gpfifo_aperture(),
                    .xid = NVSOC_GPU_XID_PBDMA_ERROR,
                    .address = c.gpfifo_base() + uint64_t(c.gp_get) * 8,
                    .channel = c.id,
                    .detail = c.gp_get},
              c.t);
        return Next::Stop;
    }
    ++c.batch_pos;
    c.in_entry = true;
    // LENGTH 0 is a control entry (any opcode): nothing to fetch.
    c.seg_dwords = (w1 >> NVSOC_GPU_GP_ENTRY1_LENGTH_SHIFT) & NVSOC_GPU_GP_ENTRY1_LENGTH_MASK;
    c.seg_address = (w0 & ~3u) | (uint64_t(w1 & NVSOC_GPU_GP_ENTRY1_GET_HI_MASK) << 32);
    if (c.seg_dwords) c.pb_get = c.seg_address;
    return Next::Continue;
}

void Engine::Impl::finish_entry(Channel& c) {
    c.in_entry = false;
    c.gp_get = (c.gp_get + 1) & (c.ring_entries - 1);
    ++stats.gp_entries;
}

Next Engine::Impl::fetch_piece(Channel& c) {
    uint64_t bytes = std::min(c.seg_dwords * 4, kPieceBytes);
    c.piece.assign(bytes / 4, 0);
    c.piece_pos = 0;
    c.piece_address = c.seg_address;
    MemResult r = access(c.pb_aperture(), 0, false, c.seg_address,
                         reinterpret_cast<uint8_t*>(c.piece.data()), bytes, c.t, kHostRequester);
    c.t = r.done;
    if (r.status != MemStatus::Ok) {
        c.piece.clear();
        c.deferred = memory_fault(c.pb_aperture(), false, r, 0, c.id, c.gp_get);
        return Next::Continue;
    }
    c.seg_address += bytes;
    c.seg_dwords -= bytes / 4;
    c.pb_get = c.seg_address;
    return Next::Continue;
}

Next Engine::Impl::step_method(Channel& c, uint64_t start, uint64_t& budget) {
    if (!c.pending) {
        uint32_t dword = c.piece[c.piece_pos];
        uint64_t at = c.piece_address + 4 * c.piece_pos;
        ++c.piece_pos;
        Method m;
        switch (c.decoder.feed(dword, m)) {
        case MethodDecoder::Step::Nothing:
            // A header that carries no method (zero, or a count of 0) costs
            // a method's time too: a pushbuffer of them must not be free.
            if (!c.decoder.in_method()) c.t += cfg.method_time;
            return Next::Continue;
        case MethodDecoder::Step::EndSegment:
            c.t += cfg.method_time;
            c.piece_pos = c.piece.size();
            c.seg_dwords = 0;
            return Next::Continue;
        case MethodDecoder::Step::BadHeader:
            c.pending = PendingMethod{.at = at, .bad_header = true, .dword = dword};
            break;
        case MethodDecoder::Step::Method:
            c.pending = PendingMethod{.method = m, .at = at};
            break;
        }
    }
    if (c.pending->bad_header) {
        if (!in_time(c, start)) return Next::Stop;
        PendingMethod p = *c.pending;
        c.pending.reset();
        raise(Fault{.type = NVSOC_GPU_FAULT_BAD_METHOD,
                    .access = NVSOC_GPU_ACCESS_READ,
                    .aperture = c.pb_aperture(),
                    .xid = NVSOC_GPU_XID_PBDMA_ERROR,
                    .address = p.at,
                    .channel = c.id,
                    .detail = p.dword},
              c.t);
        return Next::Stop;
    }
    if (!silent(c, c.pending->method) && !in_time(c, start)) return Next::Stop;
    if (budget == 0) { // the timeslice is over: others due by now go first
        schedule(c, c.t);
        return Next::Stop;
    }
    --budget;
    PendingMethod p = *c.pending;
    c.pending.reset();
    return execute(c, p.method, p.at);
}

// Methods whose effect only the channel sees may run ahead of simulated
// time; everything else waits for its turn.
bool Engine::Impl::silent(const Channel& c, const Method& m) const {
    if (cfg.channel_error_at_method && methods_total + 1 == cfg.channel_error_at_method)
        return false;
    if (m.address < NVSOC_GPU_HOST_METHODS_END)
        return m.address == NVSOC_GPU_NOP || m.address == NVSOC_GPU_WFI ||
               m.address == NVSOC_GPU_SEMAPHOREA || m.address == NVSOC_GPU_SEMAPHOREB ||
               m.address == NVSOC_GPU_SEMAPHOREC;
    const Subchannel& s = c.sub[m.subchannel];
    CopyState scratch;
    return s.object == NVSOC_GPU_COPY_CLASS && set_copy_method(scratch, m.address, 0);
}

Next Engine::Impl::execute(Channel& c, const Method& m, uint64_t at) {
    ++c.methods;
    ++stats.methods;
    ++methods_total;
    if (cfg.channel_error_at_method && methods_total == cfg.channel_error_at_method)
        return method_fault(c, m, at, NVSOC_GPU_FAULT_BAD_METHOD);
    if (m.address < NVSOC_GPU_HOST_METHODS_END) return host_method(c, m, at);
    Subchannel& s = c.sub[m.subchannel];
    if (s.object == 0) return method_fault(c, m, at, NVSOC_GPU_FAULT_BAD_SUBCHANNEL);
    if (s.object == NVSOC_GPU_COPY_CLASS) return copy_method(c, s, m, at);
    return method_fault(c, m, at, NVSOC_GPU_FAULT_BAD_METHOD); // the host class has none here
}

Next Engine::Impl::method_fault(Channel& c, const Method& m, uint64_t at, uint8_t type) {
    raise(Fault{.type = type,
                .access = NVSOC_GPU_ACCESS_READ,
                .aperture = c.pb_aperture(),
                .xid = NVSOC_GPU_XID_PBDMA_ERROR,
                .address = at,
                .channel = c.id,
                .detail = method_word(m)},
          c.t);
    return Next::Stop;
}

Next Engine::Impl::host_method(Channel& c, const Method& m, uint64_t at) {
    switch (m.address) {
    case NVSOC_GPU_SET_OBJECT: {
        uint32_t cls = m.data & 0xffff;
        if (cls != NVSOC_GPU_COPY_CLASS && cls != NVSOC_GPU_HOST_CLASS)
            return method_fault(c, m, at, NVSOC_GPU_FAULT_BAD_CLASS);
        c.sub[m.subchannel] = Subchannel{.object = cls};
        break;
    }
    case NVSOC_GPU_NOP:
    case NVSOC_GPU_WFI: // the channel is sequential: there is nothing to wait for
        break;
    case NVSOC_GPU_SEMAPHOREA:
        c.sem_hi = m.data & 0xff;
        break;
    case NVSOC_GPU_SEMAPHOREB:
        c.sem_lo = m.data & ~3u;
        break;
    case NVSOC_GPU_SEMAPHOREC:
        c.sem_payload = m.data;
        break;
    case NVSOC_GPU_SEMAPHORED:
        return semaphore(c, m, at);
    case NVSOC_GPU_NON_STALL_INTERRUPT:
        set_nonstall(c.id);
        update_level();
        break;
    default:
        return method_fault(c, m, at, NVSOC_GPU_FAULT_BAD_METHOD);
    }
    c.t += cfg.method_time;
    return Next::Continue;
}

Next Engine::Impl::semaphore(Channel& c, const Method& m, uint64_t at) {
    unsigned op = m.data & NVSOC_GPU_SEMAPHORED_OP_MASK;
    uint64_t address = (uint64_t(c.sem_hi) << 32) | c.sem_lo;
    if (op == NVSOC_GPU_SEMAPHORED_OP_ACQUIRE || op == NVSOC_GPU_SEMAPHORED_OP_ACQ_GEQ) {
        c.acquire = Acquire{.active = true,
                            .op = op,
                            .address = address,
                            .payload = c.sem_payload,
                            .detail = method_word(m),
                            .at = at};
        return try_acquire(c);
    }
    if (op != NVSOC_GPU_SEMAPHORED_OP_RELEASE)
        return method_fault(c, m, at, NVSOC_GPU_FAULT_BAD_METHOD);
    bool four_words = !(m.data & NVSOC_GPU_SEMAPHORED_RELEASE_SIZE_4BYTE);
    if (four_words && address % 16 != 0) return method_fault(c, m, at, NVSOC_GPU_FAULT_BAD_METHOD);
    uint8_t buf[16];
    unsigned length = semaphore_bytes(buf, c.sem_payload, four_words, c.t);
    MemResult r = access(c.sem_aperture(), 0, true, address, buf, length, c.t, kHostRequester);
    if (r.status != MemStatus::Ok) {
        c.t = r.done;
        c.deferred = memory_fault(c.sem_aperture(), true, r, 0, c.id, method_word(m));
        return Next::Continue;
    }
    ++stats.semaphore_releases;
    c.t = std::max(r.done, c.t + cfg.method_time);
    return Next::Continue;
}

// Reads the semaphore; if the condition does not hold, reads it again after
// a backoff that doubles from 1 us to 64 us.
Next Engine::Impl::try_acquire(Channel& c) {
    Acquire& a = c.acquire;
    uint8_t buf[4];
    MemResult r = access(c.sem_aperture(), 0, false, a.address, buf, 4, c.t, kHostRequester);
    if (r.status != MemStatus::Ok) {
        c.t = r.done;
        c.deferred = memory_fault(c.sem_aperture(), false, r, 0, c.id, a.detail);
        a = Acquire{};
        return Next::Continue;
    }
    uint32_t value =
        uint32_t(buf[0]) | uint32_t(buf[1]) << 8 | uint32_t(buf[2]) << 16 | uint32_t(buf[3]) << 24;
    bool ok = a.op == NVSOC_GPU_SEMAPHORED_OP_ACQUIRE
                  ? value == a.payload
                  : static_cast<int32_t>(value - a.payload) >= 0;
    if (ok) {
        a = Acquire{};
        ++stats.semaphore_acquires;
        c.t = std::max(r.done, c.t + cfg.method_time);
        return Next::Continue;
    }
    a.backoff = a.backoff ? std::min(2 * a.backoff, kMaxBackoff) : kFirstBackoff;
    c.t = r.done + a.backoff;
    schedule(c, c.t);
    return Next::Stop;
}

Next Engine::Impl::copy_method(Channel& c, Subchannel& s, const Method& m, uint64_t at) {
    if (m.address == NVSOC_GPU_CE_LAUNCH_DMA) return launch(c, s, m, at);
    if (!set_copy_method(s.copy, m.address, m.data))
        return method_fault(c, m, at, NVSOC_GPU_FAULT_BAD_METHOD);
    c.t += cfg.method_time;
    return Next::Continue;
}

// Checks the launch and hands it to the channel's copy engine; the channel
// waits for it to finish (as if every launch were followed by WFI).
Next Engine::Impl::launch(Channel& c, Subchannel& s, const Method& m, uint64_t at) {
    if (c.engine >= ce.size()) {
        raise(Fault{.type = NVSOC_GPU_FAULT_BAD_CONFIG,
                    .xid = NVSOC_GPU_XID_PBDMA_ERROR,
                    .address = c.engine,
                    .channel = c.id,
                    .detail = NVSOC_GPU_CH_ENGINE},
              c.t);
        return Next::Stop;
    }
    CopyEngine& e = ce[c.engine];
    Launch l;
    if (std::optional<LaunchError> err =
            plan_launch(s.copy, m.data, LaunchLimits{cfg.max_copy_bytes, cfg.dma_bits}, l.plan)) {
        bool own = err->type == NVSOC_GPU_FAULT_BAD_LAUNCH;
        raise(Fault{.type = err->type,
                    .access = static_cast<uint8_t>(!err->has_address ? NVSOC_GPU_ACCESS_READ
                                                   : err->write      ? NVSOC_GPU_ACCESS_WRITE
                                                                     : NVSOC_GPU_ACCESS_READ),
                    .aperture = err->has_address ? err->aperture : c.pb_aperture(),
                    .xid = static_cast<uint8_t>(own ? NVSOC_GPU_XID_CE(e.id)
                                                    : NVSOC_GPU_XID_MMU_FAULT),
                    .engine = static_cast<uint8_t>(1 + e.id),
                    .address = err->has_address ? err->address : at,
                    .channel = c.id,
                    .detail = method_word(m)},
              c.t);
        return Next::Stop;
    }
    ++launches_total;
    ++stats.launches;
    c.t += cfg.method_time;
    l.channel = c.id;
    l.detail = method_word(m);
    l.sem_aperture = c.sem_aperture();
    l.hang = cfg.ce_hang_at_launch && launches_total == cfg.ce_hang_at_launch;
    l.ready = c.t;
    c.waiting_launch = true;
    e.queue.push_back(std::move(l));
    start_next(e, c.t);
    return Next::Stop;
}

void Engine::Impl::doorbell(uint32_t id) {
    ++stats.doorbells;
    uint64_t now = host.now();
    if (id >= ch.size()) {
        raise(Fault{.type = NVSOC_GPU_FAULT_BAD_DOORBELL,
                    .xid = NVSOC_GPU_XID_PBDMA_ERROR,
                    .detail = id},
              now);
        return;
    }
    Channel& c = ch[id];
    // Disabled and faulted channels ignore it; a scheduled or busy one has
    // it already (it reads GP_PUT again before it idles).
    if (!c.enabled || c.faulted || c.due || c.waiting_launch) return;
    schedule(c, std::max(c.t, now + cfg.doorbell_latency));
}

void Engine::Impl::reset_channel(Channel& c, bool registers) {
    abandon_launches(c.id);
    Channel fresh;
    fresh.id = c.id;
    fresh.intr_vector = 1 + c.id;
    if (!registers) {
        fresh.enabled = c.enabled;
        fresh.gpfifo_lo = c.gpfifo_lo;
        fresh.gpfifo_hi = c.gpfifo_hi;
        fresh.gpfifo_log2 = c.gpfifo_log2;
        fresh.aperture = c.aperture;
        fresh.engine = c.engine;
        fresh.intr_vector = c.intr_vector;
    }
    c = std::move(fresh);
    if (bank) bank->set(userd_id, 0, c.id * kUserdDwords + NVSOC_GPU_USERD_GP_PUT / 4);
}

// --- Copy engines ----------------------------------------------------------------------

// Reads run ahead of writes by at most kChunksInFlight chunks, each read
// issued when the transport lets the previous one go; each chunk passes
// the engine's own stage; each write goes when its data is through the
// stage and the previous write has left.
std::optional<uint64_t> Engine::Impl::read_time(const CopyEngine& e, const Launch& l) const {
    if (l.line >= l.plan.lines || l.plan.line_bytes == 0) return std::nullopt;
    if (l.inflight.size() >= kChunksInFlight) return std::nullopt;
    return std::max(l.read_ready, e.slot_free[l.chunks_read % kChunksInFlight]);
}

std::optional<uint64_t> Engine::Impl::write_time(const Launch& l) {
    if (l.inflight.empty()) return std::nullopt;
    return std::max(l.inflight.front().ready, l.write_ready);
}

void Engine::Impl::plan_next(CopyEngine& e) {
    Launch& l = *e.active;
    if (l.hang) return;
    if (l.phase != Launch::Phase::Data) {
        schedule(e, l.phase_time);
        return;
    }
    std::optional<uint64_t> w = write_time(l), r = read_time(e, l);
    if (!w && !r) {
        l.phase = Launch::Phase::Semaphore;
        l.phase_time = l.data_done;
        schedule(e, l.phase_time);
        return;
    }
    schedule(e, std::min(w.value_or(UINT64_MAX), r.value_or(UINT64_MAX)));
}

void Engine::Impl::run_engine(CopyEngine& e) {
    const uint64_t t = *e.due;
    e.due.reset();
    Launch& l = *e.active;
    switch (l.phase) {
    case Launch::Phase::Data: {
        std::optional<uint64_t> w = write_time(l), r = read_time(e, l);
        if (w && (!r || *w <= *r))
            write_chunk(e, l, t);
        else
            read_chunk(e, l, t);
        break;
    }
    case Launch::Phase::Semaphore:
        copy_semaphore(e, l, t);
        break;
    case Launch::Phase::Interrupt:
        finish_launch(e, t);
        return;
    case Launch::Phase::Failing:
        fail_launch(e, t);
        return;
    }
    plan_next(e);
}

std::vector<uint8_t>& Engine::Impl::slot_buffer(CopyEngine& e, unsigned slot) {
    if (e.slots.empty()) e.slots.resize(kChunksInFlight);
    if (e.slots[slot].size() < cfg.ce_chunk) e.slots[slot].resize(cfg.ce_chunk);
    return e.slots[slot];
}

void Engine::Impl::read_chunk(CopyEngine& e, Launch& l, uint64_t t) {
    const CopyPlan& p = l.plan;
    uint64_t length = std::min(cfg.ce_chunk, p.line_bytes - l.offset);
    uint64_t src = p.src.offset + l.line * p.src.pitch + l.offset;
    uint64_t dst = p.dst.offset + l.line * p.dst.pitch + l.offset;
    unsigned slot = l.chunks_read % kChunksInFlight;
    const uint8_t* data;
    uint64_t data_at;
    if (p.fill) {
        data = l.pattern.data() + l.offset % p.element.size();
        data_at = t;
        l.read_ready = t;
    } else {
        std::vector<uint8_t>& buf = slot_buffer(e, slot);
        MemResult r = access(p.src.aperture, p.src.peer, false, src, buf.data(), length, t,
                             copy_engine_requester(e.id));
        if (r.status != MemStatus::Ok) {
            l.phase = Launch::Phase::Failing;
            l.phase_time = r.done;
            l.fault = memory_fault(p.src.aperture, false, r, 1 + e.id, l.channel, l.detail);
            return;
        }
        data = buf.data();
        data_at = r.done;
        l.read_ready = r.issued;
    }
    uint64_t begin = std::max(data_at, e.busy_until);
    e.busy_until = begin + duration_ps(length, e.rate);
    l.inflight.push_back(Chunk{slot, length, dst, e.busy_until, data});
    ++l.chunks_read;
    l.offset += length;
    if (l.offset == p.line_bytes) {
        l.offset = 0;
        ++l.line;
    }
}

void Engine::Impl::write_chunk(CopyEngine& e, Launch& l, uint64_t t) {
    Chunk k = l.inflight.front();
    l.inflight.pop_front();
    const CopySide& d = l.plan.dst;
    MemResult r = access(d.aperture, d.peer, true, k.dst, const_cast<uint8_t*>(k.data), k.length, t,
                         copy_engine_requester(e.id));
    if (r.status != MemStatus::Ok) {
        l.phase = Launch::Phase::Failing;
        l.phase_time = r.done;
        l.fault = memory_fault(d.aperture, true, r, 1 + e.id, l.channel, l.detail);
        return;
    }
    l.write_ready = r.issued;
    e.slot_free[k.slot] = r.issued;
    l.data_done = std::max(l.data_done, r.done);
    e.bytes += k.length;
    stats.bytes_copied += k.length;
}

void Engine::Impl::copy_semaphore(CopyEngine& e, Launch& l, uint64_t t) {
    l.phase = Launch::Phase::Interrupt;
    l.phase_time = t;
    if (l.plan.semaphore == NVSOC_GPU_CE_LAUNCH_SEM_NONE) return;
    uint8_t buf[16];
    unsigned length = semaphore_bytes(buf, l.plan.semaphore_payload,
                                      l.plan.semaphore == NVSOC_GPU_CE_LAUNCH_SEM_FOUR_WORD, t);
    MemResult r = access(l.sem_aperture, 0, true, l.plan.semaphore_address, buf, length, t,
                         copy_engine_requester(e.id));
    l.phase_time = r.done;
    if (r.status != MemStatus::Ok) {
        l.phase = Launch::Phase::Failing;
        l.fault = memory_fault(l.sem_aperture, true, r, 1 + e.id, l.channel, l.detail);
        return;
    }
    ++stats.semaphore_releases;
}

void Engine::Impl::finish_launch(CopyEngine& e, uint64_t t) {
    Launch& l = *e.active;
    Channel& c = ch[l.channel];
    if (l.plan.interrupt) {
        set_nonstall(c.id);
        update_level();
    }
    c.waiting_launch = false;
    c.t = std::max(c.t, t);
    schedule(c, c.t);
    e.active.reset();
    start_next(e, t);
}

void Engine::Impl::fail_launch(CopyEngine& e, uint64_t t) {
    Fault f = *e.active->fault;
    e.active.reset();
    raise(f, t);
    start_next(e, t);
}

void Engine::Impl::start_next(CopyEngine& e, uint64_t t) {
    if (e.active || e.queue.empty()) return;
    e.active = std::move(e.queue.front());
    e.queue.pop_front();
    Launch& l = *e.active;
    uint64_t start = std::max(t, l.ready);
    l.read_ready = l.write_ready = l.data_done = start;
    ++e.launches;
    if (l.plan.fill) { // one element pattern long enough for any chunk at any phase
        size_t n = l.plan.element.size();
        l.pattern.resize(cfg.ce_chunk + n);
        for (size_t i = 0; i < l.pattern.size(); ++i)
            l.pattern[i] = l.plan.element[i % n];
    }
    plan_next(e);
}

// Drops a channel's launches: the one running makes no further accesses.
void Engine::Impl::abandon_launches(unsigned channel) {
    for (CopyEngine& e : ce) {
        std::erase_if(e.queue, [channel](const Launch& l) { return l.channel == channel; });
        if (e.active && e.active->channel == channel) {
            e.active.reset();
            e.due.reset();
            start_next(e, host.now());
        }
    }
}

// --- Memory, faults and interrupts ---------------------------------------------------

MemResult Engine::Impl::access(Aperture ap, unsigned peer, bool write, uint64_t address,
                               uint8_t* data, uint64_t length, uint64_t t, unsigned requester) {
    uint64_t end;
    bool wraps = __builtin_add_overflow(address, length, &end);
    uint64_t limit = cfg.dma_bits >= 64 ? 0 : uint64_t(1) << cfg.dma_bits;
    if (wraps || (is_sysmem(ap) && limit && end > limit)) {
        MemResult r;
        r.status = MemStatus::OutOfRange;
        r.done = r.issued = t;
        r.fault_address = wraps ? address : std::max(address, limit);
        return r;
    }
    MemResult r = mem.access(MemAccess{.aperture = ap,
                                       .peer = peer,
                                       .write = write,
                                       .address = address,
                                       .data = data,
                                       .length = length,
                                       .time = t,
                                       .requester = requester});
    // A port that answers before it was asked would make time run backwards.
    r.done = std::max(r.done, t);
    r.issued = std::clamp(r.issued, t, r.done);
    return r;
}

Fault Engine::Impl::memory_fault(Aperture ap, bool write, const MemResult& r, unsigned engine,
                                 unsigned channel, uint32_t detail) const {
    bool ecc = r.status == MemStatus::Poisoned && ap == Aperture::Vram;
    return Fault{.type = fault_type_for(r.status),
                 .access =
                     static_cast<uint8_t>(write ? NVSOC_GPU_ACCESS_WRITE : NVSOC_GPU_ACCESS_READ),
                 .aperture = ap,
                 .xid = static_cast<uint8_t>(ecc ? NVSOC_GPU_XID_ECC_DBE : NVSOC_GPU_XID_MMU_FAULT),
                 .engine = static_cast<uint8_t>(engine),
                 .address = r.fault_address,
                 .channel = channel,
                 .detail = detail};
}

// Records the fault, stops its channel, logs it and interrupts: one
// message on vector 0 per fault whose record or channel-error bit is new
// while its source is enabled.
void Engine::Impl::raise(const Fault& f, uint64_t t) {
    ++stats.faults;
    ++fault_count;
    bool message = false;
    if (record(f, t)) {
        message = intr_enable & NVSOC_GPU_INTR_FAULT;
    } else {
        ++stats.faults_dropped;
        if (!fb_overflow) message = intr_enable & NVSOC_GPU_INTR_FAULT;
        fb_overflow = true;
    }
    if (f.channel != NVSOC_GPU_FAULT_NO_CHANNEL) {
        Channel& c = ch[f.channel];
        c.faulted = true;
        c.xid = f.xid;
        c.fault_type = f.type;
        c.error_detail = f.detail;
        c.due.reset();
        c.waiting_launch = false;
        c.pending.reset();
        c.deferred.reset();
        c.acquire = Acquire{};
        uint64_t bit = uint64_t(1) << f.channel;
        if (!(channel_error & bit)) message |= (intr_enable & NVSOC_GPU_INTR_CHANNEL) != 0;
        channel_error |= bit;
    }
    log_fault(f);
    if (message) send(NVSOC_GPU_VECTOR_STALL);
    update_level();
}

// Writes the record at PUT; false when it could not (buffer disabled, full,
// misconfigured, or the write failed).
bool Engine::Impl::record(const Fault& f, uint64_t t) {
    if (!(fb_ctrl & NVSOC_GPU_FAULT_BUF_CTRL_ENABLE)) return false;
    if (fb_size == 0 || fb_size > kMaxFaultEntries) return false;
    Aperture ap = aperture_field(fb_ctrl, NVSOC_GPU_FAULT_BUF_CTRL_APERTURE_SHIFT);
    if (ap == Aperture::Peer) return false;
    uint32_t put = fb_put % fb_size;
    if ((put + 1) % fb_size == fb_get) return false;
    uint32_t words[8] = {
        static_cast<uint32_t>(f.address),
        static_cast<uint32_t>(f.address >> 32),
        static_cast<uint32_t>(t / kNs),
        static_cast<uint32_t>(t / kNs >> 32),
        f.type | uint32_t(f.access) << NVSOC_GPU_FAULT_INFO_ACCESS_SHIFT |
            uint32_t(f.aperture) << NVSOC_GPU_FAULT_INFO_APERTURE_SHIFT |
            uint32_t(f.xid) << NVSOC_GPU_FAULT_INFO_XID_SHIFT |
            uint32_t(f.engine) << NVSOC_GPU_FAULT_INFO_ENGINE_SHIFT,
        f.channel,
        f.detail,
        NVSOC_GPU_FAULT_VALID,
    };
    uint8_t bytes[NVSOC_GPU_FAULT_RECORD_SIZE];
    for (unsigned i = 0; i < 8; ++i)
        put_u32(bytes + 4 * i, words[i]);
    uint64_t base = (uint64_t(fb_hi) << 32) | fb_lo;
    MemResult r = access(ap, 0, true, base + uint64_t(put) * NVSOC_GPU_FAULT_RECORD_SIZE, bytes,
                         sizeof bytes, t, kHostRequester);
    if (r.status != MemStatus::Ok) return false;
    fb_put = (put + 1) % fb_size;
    return true;
}

// Once per fault type per channel between resets: a hostile guest must not
// flood the log.
void Engine::Impl::log_fault(const Fault& f) {
    bool owned = f.channel != NVSOC_GPU_FAULT_NO_CHANNEL;
    std::bitset<256>& logged = owned ? ch[f.channel].logged : logged_unowned;
    if (logged.test(f.type)) {
        ++stats.faults_unlogged;
        return;
    }
    logged.set(f.type);
    if (!owned) {
        log.guest_error("{} fault: doorbell for channel {}, which does not exist (further ones "
                        "are counted, not logged)",
                        fault_name(f.type), f.detail);
        return;
    }
    log.guest_error("channel {}: {} fault (Xid {}, {}) at 0x{:x}, detail 0x{:08x}; the channel "
                    "stops until CH_CTRL.RESET (further {} faults on it are counted, not logged)",
                    f.channel, fault_name(f.type), f.xid,
                    f.engine ? "copy engine " + std::to_string(f.engine - 1) : std::string("host"),
                    f.address, f.detail, fault_name(f.type));
}

uint32_t Engine::Impl::intr_status() const {
    uint32_t s = 0;
    if (fb_get != fb_put || fb_overflow) s |= NVSOC_GPU_INTR_FAULT;
    if (channel_error) s |= NVSOC_GPU_INTR_CHANNEL;
    if (nonstall) s |= NVSOC_GPU_INTR_NONSTALL;
    if (ecc_status) s |= NVSOC_GPU_INTR_ECC;
    return s;
}

void Engine::Impl::update_level() {
    bool l = (intr_status() & intr_enable) != 0;
    if (l == level) return;
    level = l;
    host.set_level(l);
}

void Engine::Impl::send(unsigned vector) {
    ++stats.interrupts;
    host.signal(vector);
}

void Engine::Impl::set_nonstall(unsigned channel) {
    uint64_t bit = uint64_t(1) << channel;
    bool fresh = !(nonstall & bit);
    nonstall |= bit;
    if (fresh && (intr_enable & NVSOC_GPU_INTR_NONSTALL)) send(ch[channel].intr_vector);
}

// EN_SET: a source enabled while it is pending sends its message(s) now.
void Engine::Impl::enable_interrupts(uint32_t bits) {
    uint32_t fresh = bits & ~intr_enable & 0xf;
    intr_enable |= bits & 0xf;
    uint32_t pending = intr_status() & fresh;
    if (pending & (NVSOC_GPU_INTR_FAULT | NVSOC_GPU_INTR_CHANNEL | NVSOC_GPU_INTR_ECC))
        send(NVSOC_GPU_VECTOR_STALL);
    if (pending & NVSOC_GPU_INTR_NONSTALL)
        for (const Channel& c : ch)
            if (nonstall & (uint64_t(1) << c.id)) send(c.intr_vector);
    update_level();
}

void Engine::Impl::reset_all() {
    for (CopyEngine& e : ce) {
        e.active.reset();
        e.queue.clear();
        e.due.reset();
        e.busy_until = 0;
        e.bytes = 0;
        e.launches = 0;
        e.slot_free.fill(0);
    }
    for (Channel& c : ch)
        reset_channel(c, true);
    intr_enable = 0;
    nonstall = channel_error = 0;
    ecc_status = ecc_corrected = ecc_uncorrected = 0;
    ecc_addr = 0;
    fb_lo = fb_hi = fb_size = fb_get = fb_put = fb_ctrl = 0;
    fb_overflow = false;
    fault_count = 0;
    logged_unowned.reset();
    update_level();
    resync();
}

// --- Registers ------------------------------------------------------------------------

// Declares a register (array) whose value comes from `read`. After a write
// the bank keeps what a later partial write must merge with: the value for
// read-write registers, 0 for action registers (so that `write` sees
// exactly the bits written).
void Engine::Impl::declare(RegisterBank& b, std::string name, uint64_t offset, unsigned count,
                           uint64_t stride, Kind kind, std::function<uint64_t(unsigned)> read,
                           std::function<void(unsigned, uint32_t)> write) {
    size_t slot = declared.size();
    RegisterSpec spec{
        .name = std::move(name),
        .offset = offset,
        .count = count,
        .stride = stride,
        .write_mask = kind == Kind::ReadOnly ? 0 : ~0ull,
        .on_read = [this, read](unsigned i) -> uint64_t {
            catch_up();
            return read(i);
        },
    };
    if (kind != Kind::ReadOnly)
        spec.on_write = [this, slot, write](unsigned i, uint64_t v, uint64_t) {
            catch_up();
            write(i, static_cast<uint32_t>(v));
            const Declared& d = declared[slot];
            bank->set(d.id, d.kind == Kind::ReadWrite ? d.read(i) : 0, i);
            request_wake();
        };
    size_t id = b.add(std::move(spec));
    declared.push_back(Declared{id, kind, count, std::move(read)});
}

void Engine::Impl::resync() {
    if (!bank) return;
    for (const Declared& d : declared)
        for (unsigned i = 0; i < d.count; ++i)
            bank->set(d.id, d.kind == Kind::ReadWrite ? d.read(i) : 0, i);
}

void Engine::Impl::declare_registers(RegisterBank& b) {
    bank = &b;
    // The hottest first: the bank decodes in declaration order.
    declare(
        b, "usermode", NVSOC_GPU_USERMODE, NVSOC_GPU_USERMODE_SIZE / 4, 4, Kind::Action,
        [this](unsigned i) -> uint64_t {
            uint64_t ns = host.now() / kNs;
            if (i * 4 == NVSOC_GPU_USERMODE_TIME_LO) return static_cast<uint32_t>(ns);
            if (i * 4 == NVSOC_GPU_USERMODE_TIME_HI) return ns >> 32;
            return 0;
        },
        [this](unsigned i, uint32_t v) {
            if (i * 4 == NVSOC_GPU_USERMODE_DOORBELL) doorbell(v);
        });
    userd_id = b.entries().size();
    declare(
        b, "userd", NVSOC_GPU_USERD_BASE, unsigned(ch.size()) * kUserdDwords, 4, Kind::ReadWrite,
        [this](unsigned i) { return read_userd(i); },
        [this](unsigned i, uint32_t v) { write_userd(i, v); });
    declare_channel_registers(b);
    declare_interrupt_registers(b);
    declare_fault_buffer_registers(b);
    declare_engine_registers(b);
    declare(
        b, "engine_reset", NVSOC_GPU_ENGINE_RESET, 1, 4, Kind::Action,
        [](unsigned) -> uint64_t { return 0; },
        [this](unsigned, uint32_t v) {
            if (v & 1) reset_all();
        });
}

uint64_t Engine::Impl::read_userd(unsigned index) const {
    const Channel& c = ch[index / kUserdDwords];
    switch (index % kUserdDwords * 4) {
    case NVSOC_GPU_USERD_GP_PUT:
        return c.gp_put;
    case NVSOC_GPU_USERD_GP_GET:
        return c.gp_get;
    case NVSOC_GPU_USERD_GET:
        return static_cast<uint32_t>(c.pb_get);
    case NVSOC_GPU_USERD_GET_HI:
        return c.pb_get >> 32;
    default:
        return 0;
    }
}

void Engine::Impl::write_userd(unsigned index, uint32_t v) {
    if (index % kUserdDwords * 4 == NVSOC_GPU_USERD_GP_PUT) ch[index / kUserdDwords].gp_put = v;
}

uint32_t Engine::Impl::channel_status(const Channel& c) const {
    bool busy = c.gp_get != c.gp_put ||
                (!c.faulted && (c.due || c.in_entry || c.waiting_launch || c.acquire.active));
    uint32_t s = busy ? NVSOC_GPU_CH_STATUS_BUSY : 0;
    if (c.acquire.active) s |= NVSOC_GPU_CH_STATUS_ACQUIRING;
    if (c.faulted)
        s |= NVSOC_GPU_CH_STATUS_FAULTED | uint32_t(c.xid) << NVSOC_GPU_CH_STATUS_XID_SHIFT |
             uint32_t(c.fault_type) << NVSOC_GPU_CH_STATUS_FAULT_TYPE_SHIFT;
    return s;
}

void Engine::Impl::declare_channel_registers(RegisterBank& b) {
    const unsigned n = unsigned(ch.size());
    auto reg = [&](const char* name, uint64_t offset, Kind kind,
                   std::function<uint64_t(unsigned)> read,
                   std::function<void(unsigned, uint32_t)> write = {}) {
        declare(b, name, NVSOC_GPU_CH(0, offset), n, NVSOC_GPU_CHANNEL_STRIDE, kind,
                std::move(read), std::move(write));
    };
    // A plain read-write field of the channel.
    auto field = [&](const char* name, uint64_t offset, uint32_t Channel::*member, uint32_t mask) {
        reg(
            name, offset, Kind::ReadWrite, [this, member](unsigned i) { return ch[i].*member; },
            [this, member, mask](unsigned i, uint32_t v) { ch[i].*member = v & mask; });
    };
    reg(
        "ch_ctrl", NVSOC_GPU_CH_CTRL, Kind::ReadWrite,
        [this](unsigned i) -> uint64_t { return ch[i].enabled ? NVSOC_GPU_CH_CTRL_ENABLE : 0; },
        [this](unsigned i, uint32_t v) {
            if (v & NVSOC_GPU_CH_CTRL_RESET) reset_channel(ch[i], false);
            ch[i].enabled = v & NVSOC_GPU_CH_CTRL_ENABLE;
        });
    reg("ch_status", NVSOC_GPU_CH_STATUS, Kind::ReadOnly,
        [this](unsigned i) -> uint64_t { return channel_status(ch[i]); });
    field("ch_gpfifo_lo", NVSOC_GPU_CH_GPFIFO_LO, &Channel::gpfifo_lo, ~0u);
    field("ch_gpfifo_hi", NVSOC_GPU_CH_GPFIFO_HI, &Channel::gpfifo_hi, ~0u);
    field("ch_gpfifo_log2", NVSOC_GPU_CH_GPFIFO_LOG2, &Channel::gpfifo_log2, ~0u);
    field("ch_aperture", NVSOC_GPU_CH_APERTURE, &Channel::aperture, 0x3f);
    field("ch_engine", NVSOC_GPU_CH_ENGINE, &Channel::engine, ~0u);
    field("ch_intr_vector", NVSOC_GPU_CH_INTR_VECTOR, &Channel::intr_vector, 0x7ff);
    reg("ch_methods_lo", NVSOC_GPU_CH_METHODS_LO, Kind::ReadOnly,
        [this](unsigned i) -> uint64_t { return static_cast<uint32_t>(ch[i].methods); });
    reg("ch_methods_hi", NVSOC_GPU_CH_METHODS_HI, Kind::ReadOnly,
        [this](unsigned i) -> uint64_t { return ch[i].methods >> 32; });
    reg("ch_error_detail", NVSOC_GPU_CH_ERROR_DETAIL, Kind::ReadOnly,
        [this](unsigned i) -> uint64_t { return ch[i].error_detail; });
}

void Engine::Impl::declare_engine_registers(RegisterBank& b) {
    const unsigned n = unsigned(ce.size());
    auto reg = [&](const char* name, uint64_t offset, std::function<uint64_t(unsigned)> read) {
        declare(b, name, NVSOC_GPU_CE(0, offset), n, NVSOC_GPU_CE_STRIDE, Kind::ReadOnly,
                std::move(read));
    };
    reg("ce_status", NVSOC_GPU_CE_STATUS, [this](unsigned i) -> uint64_t {
        const CopyEngine& e = ce[i];
        if (!e.active) return 0;
        return NVSOC_GPU_CE_STATUS_BUSY | e.active->channel << NVSOC_GPU_CE_STATUS_CHANNEL_SHIFT;
    });
    reg("ce_rate_mbps", NVSOC_GPU_CE_RATE_MBPS,
        [this](unsigned i) -> uint64_t { return ce[i].rate / 1'000'000; });
    reg("ce_bytes_lo", NVSOC_GPU_CE_BYTES_LO,
        [this](unsigned i) -> uint64_t { return static_cast<uint32_t>(ce[i].bytes); });
    reg("ce_bytes_hi", NVSOC_GPU_CE_BYTES_HI,
        [this](unsigned i) -> uint64_t { return ce[i].bytes >> 32; });
    reg("ce_launches", NVSOC_GPU_CE_LAUNCHES,
        [this](unsigned i) -> uint64_t { return ce[i].launches; });
}

void Engine::Impl::declare_interrupt_registers(RegisterBank& b) {
    auto one = [&](const char* name, uint64_t offset, Kind kind,
                   std::function<uint64_t(unsigned)> read,
                   std::function<void(unsigned, uint32_t)> write = {}) {
        declare(b, name, offset, 1, 4, kind, std::move(read), std::move(write));
    };
    // A 64-bit per-channel mask as LO/HI, write 1 to clear.
    auto w1c64 = [&](const char* lo, const char* hi, uint64_t offset, uint64_t Impl::*mask) {
        for (unsigned half = 0; half < 2; ++half)
            one(
                half ? hi : lo, offset + 4 * half, Kind::Action,
                [this, mask, half](unsigned) -> uint64_t {
                    return static_cast<uint32_t>(this->*mask >> (32 * half));
                },
                [this, mask, half](unsigned, uint32_t v) {
                    this->*mask &= ~(uint64_t(v) << (32 * half));
                    update_level();
                });
    };
    one("intr_status", NVSOC_GPU_INTR_STATUS, Kind::ReadOnly,
        [this](unsigned) -> uint64_t { return intr_status(); });
    one(
        "intr_en_set", NVSOC_GPU_INTR_EN_SET, Kind::Action,
        [this](unsigned) -> uint64_t { return intr_enable; },
        [this](unsigned, uint32_t v) { enable_interrupts(v); });
    one(
        "intr_en_clear", NVSOC_GPU_INTR_EN_CLEAR, Kind::Action,
        [this](unsigned) -> uint64_t { return intr_enable; },
        [this](unsigned, uint32_t v) {
            intr_enable &= ~v;
            update_level();
        });
    w1c64("nonstall_pending_lo", "nonstall_pending_hi", NVSOC_GPU_NONSTALL_PENDING_LO,
          &Impl::nonstall);
    w1c64("channel_error_lo", "channel_error_hi", NVSOC_GPU_CHANNEL_ERROR_LO, &Impl::channel_error);
    one(
        "ecc_status", NVSOC_GPU_ECC_STATUS, Kind::Action,
        [this](unsigned) -> uint64_t { return ecc_status; },
        [this](unsigned, uint32_t v) {
            ecc_status &= ~v;
            update_level();
        });
    auto counter = [&](const char* name, uint64_t offset, uint32_t Impl::*count) {
        one(
            name, offset, Kind::Action,
            [this, count](unsigned) -> uint64_t { return this->*count; },
            [this, count](unsigned, uint32_t v) {
                if (v == 0) this->*count = 0;
            });
    };
    counter("ecc_corrected_count", NVSOC_GPU_ECC_CORRECTED_COUNT, &Impl::ecc_corrected);
    counter("ecc_uncorrected_count", NVSOC_GPU_ECC_UNCORRECTED_COUNT, &Impl::ecc_uncorrected);
    one("ecc_addr_lo", NVSOC_GPU_ECC_ADDR_LO, Kind::ReadOnly,
        [this](unsigned) -> uint64_t { return static_cast<uint32_t>(ecc_addr); });
    one("ecc_addr_hi", NVSOC_GPU_ECC_ADDR_HI, Kind::ReadOnly,
        [this](unsigned) -> uint64_t { return ecc_addr >> 32; });
}

void Engine::Impl::declare_fault_buffer_registers(RegisterBank& b) {
    auto field = [&](const char* name, uint64_t offset, uint32_t Impl::*member, uint32_t mask) {
        declare(
            b, name, offset, 1, 4, Kind::ReadWrite,
            [this, member](unsigned) -> uint64_t { return this->*member; },
            [this, member, mask](unsigned, uint32_t v) {
                this->*member = v & mask;
                update_level();
            });
    };
    field("fault_buf_lo", NVSOC_GPU_FAULT_BUF_LO, &Impl::fb_lo, ~31u);
    field("fault_buf_hi", NVSOC_GPU_FAULT_BUF_HI, &Impl::fb_hi, ~0u);
    field("fault_buf_size", NVSOC_GPU_FAULT_BUF_SIZE, &Impl::fb_size, 0x1ffff);
    field("fault_buf_ctrl", NVSOC_GPU_FAULT_BUF_CTRL, &Impl::fb_ctrl, 7);
    declare(
        b, "fault_buf_get", NVSOC_GPU_FAULT_BUF_GET, 1, 4, Kind::ReadWrite,
        [this](unsigned) -> uint64_t { return fb_get; },
        [this](unsigned, uint32_t v) {
            fb_get = v & 0xffff;
            if (v & NVSOC_GPU_FAULT_BUF_GET_CLEAR_OVERFLOW) fb_overflow = false;
            update_level();
        });
    declare(b, "fault_buf_put", NVSOC_GPU_FAULT_BUF_PUT, 1, 4, Kind::ReadOnly,
            [this](unsigned) -> uint64_t {
                return fb_put | (fb_overflow ? NVSOC_GPU_FAULT_BUF_PUT_OVERFLOW : 0);
            });
    declare(b, "fault_count", NVSOC_GPU_FAULT_COUNT, 1, 4, Kind::ReadOnly,
            [this](unsigned) -> uint64_t { return fault_count; });
}

// --- Engine --------------------------------------------------------------------------

Engine::Engine(const EngineConfig& config, MemoryPort& memory, EngineHost& host, Logger& log) {
    if (std::string problem = validate(config); !problem.empty())
        throw std::invalid_argument(problem);
    impl_ = std::make_unique<Impl>(config, memory, host, log);
}

Engine::~Engine() = default;

void Engine::declare_registers(RegisterBank& bank) {
    impl_->declare_registers(bank);
}

void Engine::advance_to(uint64_t t) {
    impl_->advance(t);
}

std::optional<uint64_t> Engine::next_event_time() const {
    return impl_->next_time();
}

void Engine::reset() {
    impl_->reset_all();
    impl_->wake_requested.reset(); // a device reset may have cancelled the host's wake-up
    impl_->request_wake();
}

void Engine::report_ecc(bool uncorrectable, uint64_t offset) {
    Impl& m = *impl_;
    m.catch_up();
    if (uncorrectable) {
        m.ecc_status |= NVSOC_GPU_ECC_UNCORRECTED;
        ++m.ecc_uncorrected;
        m.ecc_addr = offset;
    } else {
        m.ecc_status |= NVSOC_GPU_ECC_CORRECTED;
        ++m.ecc_corrected;
    }
    if (m.intr_enable & NVSOC_GPU_INTR_ECC) m.send(NVSOC_GPU_VECTOR_STALL);
    m.update_level();
}

const EngineConfig& Engine::config() const {
    return impl_->cfg;
}

const Engine::Stats& Engine::stats() const {
    return impl_->stats;
}

} // namespace nvsoc::gpu
