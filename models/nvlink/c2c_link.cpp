#include "models/nvlink/c2c_link.h"

#include <algorithm>
#include <fmt/format.h>

namespace nvsoc::c2c {

namespace {
constexpr uint64_t kNever = UINT64_MAX;
constexpr uint64_t kPsPerS = 1'000'000'000'000;
} // namespace

uint64_t wire_bytes(uint64_t payload) {
    if (payload == 0) return kHeaderBytes;
    uint64_t lines = (payload + kLineBytes - 1) / kLineBytes;
    return lines * (kLineBytes + kHeaderBytes);
}

const char* name(State s) {
    switch (s) {
    case State::L0:
        return "L0";
    case State::EnteringL2:
        return "ENTERING_L2";
    case State::L2:
        return "L2";
    case State::Waking:
        return "WAKING";
    case State::Failed:
        return "FAILED";
    }
    return "?";
}

std::string validate(const LinkConfig& c) {
    if (c.links < 1 || c.links > 15) return fmt::format("{} C2C links: 1 to 15", c.links);
    if (c.bandwidth == 0) return "C2C link bandwidth 0";
    return "";
}

Link::Link(const LinkConfig& config) : config_(config) {}

void Link::reset() {
    // The fault point is a time in the run: one that fired stays spent, so
    // the links come back after a reset and do not fail again.
    if (config_.down_at && config_.down_at <= now_) config_.down_at = 0;
    state_ = State::L0;
    until_ = l2_since_ = now_ = 0;
    want_sleep_ = false;
    busy_[0] = busy_[1] = 0;
    remainder_[0] = remainder_[1] = 0;
    counters_ = {};
}

// Transitions end in time order; the fault point interrupts whatever is
// going on when its time comes.
void Link::advance(uint64_t t) {
    t = std::max(t, now_);
    for (;;) {
        if (state_ == State::Failed) break;
        uint64_t fault = config_.down_at ? config_.down_at : kNever;
        uint64_t end = (state_ == State::EnteringL2 || state_ == State::Waking) ? until_ : kNever;
        if (state_ == State::L0 && want_sleep_) {
            // A request that waited for the end of a wake.
            state_ = State::EnteringL2;
            until_ = now_ + config_.l2_entry;
            continue;
        }
        if (state_ == State::L2 && !want_sleep_) {
            counters_.l2_time += now_ - l2_since_;
            state_ = State::Waking;
            until_ = now_ + config_.l2_exit;
            continue;
        }
        uint64_t next = std::min(fault, end);
        if (next > t) break;
        now_ = next;
        if (next == fault) {
            if (state_ == State::L2) counters_.l2_time += now_ - l2_since_;
            state_ = State::Failed;
            ++counters_.transitions;
            break;
        }
        ++counters_.transitions;
        if (state_ == State::EnteringL2) {
            state_ = State::L2;
            l2_since_ = now_;
        } else {
            state_ = State::L0;
        }
    }
    now_ = t;
}

State Link::state(uint64_t t) {
    advance(t);
    return state_;
}

void Link::request_sleep(uint64_t t, bool sleep) {
    advance(t);
    want_sleep_ = sleep;
    advance(t);
}

uint64_t Link::ready_for_access(uint64_t t, bool& woke) {
    woke = false;
    advance(t);
    switch (state_) {
    case State::L0:
        return now_;
    case State::Failed:
        return kNever;
    case State::Waking:
        want_sleep_ = false;
        return until_;
    case State::EnteringL2:
        // The entry completes, then the exit: the link cannot turn round
        // half-way.
        want_sleep_ = false;
        woke = true;
        ++counters_.wakes_by_access;
        return until_ + config_.l2_exit;
    case State::L2:
        want_sleep_ = false;
        woke = true;
        ++counters_.wakes_by_access;
        advance(t); // L2 -> WAKING now
        return until_;
    }
    return kNever;
}

uint64_t Link::next_change() const {
    if (state_ == State::Failed) return kNever;
    uint64_t fault = config_.down_at && config_.down_at >= now_ ? config_.down_at : kNever;
    uint64_t end = (state_ == State::EnteringL2 || state_ == State::Waking) ? until_ : kNever;
    return std::min(fault, end);
}

void Link::fail(uint64_t t) {
    advance(t);
    if (state_ == State::Failed) return;
    if (state_ == State::L2) counters_.l2_time += now_ - l2_since_;
    state_ = State::Failed;
    ++counters_.transitions;
}

Link::Transfer Link::send(Dir d, uint64_t payload, uint64_t t) {
    unsigned i = d == Dir::Down ? 0 : 1;
    uint64_t bytes = wire_bytes(payload);
    Transfer x;
    x.start = std::max(t, busy_[i]);
    // bytes x 10^12 / bandwidth ps, the remainder carried so that a stream of
    // transfers keeps the exact rate.
    unsigned __int128 num = static_cast<unsigned __int128>(bytes) * kPsPerS + remainder_[i];
    uint64_t bw = bandwidth();
    uint64_t ser = static_cast<uint64_t>(num / bw);
    remainder_[i] = static_cast<uint64_t>(num % bw);
    x.issued = busy_[i] = x.start + ser;
    x.done = x.issued + config_.latency;
    (d == Dir::Down ? counters_.down_bytes : counters_.up_bytes) += bytes;
    return x;
}

uint64_t Link::l2_time(uint64_t t) {
    advance(t);
    return counters_.l2_time + (state_ == State::L2 ? now_ - l2_since_ : 0);
}

} // namespace nvsoc::c2c
