// The GPU's engines (engine.h): validation, time and the channels, and the
// Engine API. engine_impl.h says how the pieces fit.
#include "models/gpu/engine_impl.h"

#include <algorithm>
#include <stdexcept>

namespace nvsoc::gpu {

using namespace engine_detail;

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
    if (c.max_copy_lines == 0) return "max_copy_lines must be at least 1";
    return "";
}

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
        set_nonstall(c.id, c.t);
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
    if (std::optional<LaunchError> err = plan_launch(
            s.copy, m.data, LaunchLimits{cfg.max_copy_bytes, cfg.max_copy_lines, cfg.dma_bits},
            l.plan)) {
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
    trace(EngineEvent::Kind::Doorbell, now, id < ch.size() ? id : NVSOC_GPU_FAULT_NO_CHANNEL, 0,
          id);
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

void Engine::set_trace(std::function<void(const EngineEvent&)> trace) {
    impl_->tracer = std::move(trace);
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
    if (m.intr_enable & NVSOC_GPU_INTR_ECC) m.send(NVSOC_GPU_VECTOR_STALL, m.host.now());
    m.update_level();
}

void Engine::set_unit_status(uint32_t bits) {
    Impl& m = *impl_;
    m.catch_up();
    uint32_t rising = bits & ~m.unit_status;
    m.unit_status = bits;
    if (rising & m.intr_enable) m.send(NVSOC_GPU_VECTOR_STALL, m.host.now());
    m.update_level();
}

const EngineConfig& Engine::config() const {
    return impl_->cfg;
}

const Engine::Stats& Engine::stats() const {
    return impl_->stats;
}

} // namespace nvsoc::gpu
