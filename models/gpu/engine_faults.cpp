// Memory accesses, faults and their records, interrupts, and the engine's
// reset (docs/gpu.md, "Interrupts", "Faults" and "Resets").
#include "models/gpu/engine_impl.h"

#include <algorithm>

namespace nvsoc::gpu {

using namespace engine_detail;

namespace {

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
#define NVSOC_GPU_FAULT_NAME(name)                                                                 \
    case NVSOC_GPU_FAULT_##name:                                                                   \
        return #name;
        NVSOC_GPU_FAULT_TYPES(NVSOC_GPU_FAULT_NAME)
#undef NVSOC_GPU_FAULT_NAME
    }
    return "fault";
}

} // namespace

// --- Memory, faults and interrupts ---------------------------------------------------

MemResult Engine::Impl::access(Aperture ap, unsigned peer, bool write, uint64_t address,
                               uint8_t* data, uint64_t length, uint64_t t, unsigned requester) {
    // An access that wraps 64 bits is out of range on any port; the DMA
    // address bits are the transport's to enforce (MemStatus::OutOfRange).
    uint64_t end;
    if (__builtin_add_overflow(address, length, &end)) {
        MemResult r;
        r.status = MemStatus::OutOfRange;
        r.done = r.issued = t;
        r.fault_address = address;
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
    trace(EngineEvent::Kind::Fault, t, f.channel, f.engine ? f.engine - 1u : 0u, f.type);
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
    if (message) send(NVSOC_GPU_VECTOR_STALL, t);
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
    return s | unit_status;
}

void Engine::Impl::update_level() {
    bool l = (intr_status() & intr_enable) != 0;
    if (l == level) return;
    level = l;
    host.set_level(l);
}

void Engine::Impl::send(unsigned vector, uint64_t t) {
    ++stats.interrupts;
    trace(EngineEvent::Kind::Interrupt, t, NVSOC_GPU_FAULT_NO_CHANNEL, 0, vector);
    host.signal(vector);
}

void Engine::Impl::trace(EngineEvent::Kind kind, uint64_t t, unsigned channel, unsigned engine,
                         uint64_t value) {
    if (tracer) tracer(EngineEvent{kind, t, channel, engine, value});
}

void Engine::Impl::set_nonstall(unsigned channel, uint64_t t) {
    uint64_t bit = uint64_t(1) << channel;
    bool fresh = !(nonstall & bit);
    nonstall |= bit;
    if (fresh && (intr_enable & NVSOC_GPU_INTR_NONSTALL)) send(ch[channel].intr_vector, t);
}

// EN_SET: a source enabled while it is pending sends its message(s) now.
void Engine::Impl::enable_interrupts(uint32_t bits) {
    uint32_t fresh = bits & ~intr_enable & 0x1f;
    intr_enable |= bits & 0x1f; // FAULT, CHANNEL, NONSTALL, ECC, NVLINK
    uint32_t pending = intr_status() & fresh;
    if (pending & (NVSOC_GPU_INTR_FAULT | NVSOC_GPU_INTR_CHANNEL | NVSOC_GPU_INTR_ECC |
                   NVSOC_GPU_INTR_NVLINK))
        send(NVSOC_GPU_VECTOR_STALL, host.now());
    if (pending & NVSOC_GPU_INTR_NONSTALL)
        for (const Channel& c : ch)
            if (nonstall & (uint64_t(1) << c.id)) send(c.intr_vector, host.now());
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

} // namespace nvsoc::gpu
