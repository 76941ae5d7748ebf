// The copy engines: one launch at a time per engine, in chunks that are
// read, pass the engine's own stage and are written (docs/gpu.md, "Copy
// engines" and "Timing").
#include "models/gpu/engine_impl.h"

#include <algorithm>

namespace nvsoc::gpu {

using namespace engine_detail;

namespace {

uint64_t duration_ps(uint64_t bytes, uint64_t rate) {
    unsigned __int128 p = static_cast<unsigned __int128>(bytes) * 1'000'000'000'000ull;
    return static_cast<uint64_t>((p + rate / 2) / rate);
}

} // namespace

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
    l.written += k.length;
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
    trace(EngineEvent::Kind::LaunchEnd, t, c.id, e.id, l.written);
    if (l.plan.interrupt) {
        set_nonstall(c.id, t);
        update_level();
    }
    c.waiting_launch = false;
    c.t = std::max(c.t, t);
    schedule(c, c.t);
    e.active.reset();
    start_next(e, t);
}

void Engine::Impl::fail_launch(CopyEngine& e, uint64_t t) {
    trace(EngineEvent::Kind::LaunchEnd, t, e.active->channel, e.id, e.active->written);
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
    trace(EngineEvent::Kind::LaunchBegin, start, l.channel, e.id, l.plan.bytes());
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
            trace(EngineEvent::Kind::LaunchEnd, host.now(), channel, e.id, e.active->written);
            e.active.reset();
            e.due.reset();
            start_next(e, host.now());
        }
    }
}

} // namespace nvsoc::gpu
