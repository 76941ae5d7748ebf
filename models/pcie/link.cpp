#include "models/pcie/link.h"

#include "models/pcie/config_space.h"

#include <algorithm>
#include <limits>
#include <stdexcept>
#include <tuple>

namespace nvsoc::pcie {

namespace {

constexpr uint64_t kNever = std::numeric_limits<uint64_t>::max();

// Mega-transfers per second per lane, by generation.
constexpr std::array<uint32_t, kMaxSpeed + 1> kRateMts = {0, 2500, 5000, 8000, 16000, 32000, 64000};
// One symbol time (one byte on one lane) for the data link timers, in ps:
// 10 UI at 8b/10b, 8 UI from 8 GT/s up (the 130/128 block overhead left out).
constexpr std::array<uint64_t, kMaxSpeed + 1> kSymbolPs = {0, 4000, 2000, 1000, 500, 250, 125};

bool valid_speed(unsigned s) {
    return s >= kMinSpeed && s <= kMaxSpeed;
}

bool valid_width(unsigned w) {
    return w == 1 || w == 2 || w == 4 || w == 8 || w == 16;
}

bool power_of_two(uint64_t v) {
    return v != 0 && (v & (v - 1)) == 0;
}

uint64_t div_round(unsigned __int128 num, unsigned __int128 den) {
    return static_cast<uint64_t>((num + den / 2) / den);
}

PortSide transmitter(Direction d) {
    return d == Direction::Downstream ? PortSide::Downstream : PortSide::Upstream;
}

PortSide receiver(Direction d) {
    return d == Direction::Downstream ? PortSide::Upstream : PortSide::Downstream;
}

void require(bool ok, const std::string& what) {
    if (!ok) throw std::invalid_argument("pcie link: " + what);
}

std::string check_transfer(const TransferOptions& o) {
    if (!power_of_two(o.max_payload) || o.max_payload < 128 || o.max_payload > 4096)
        return "Max_Payload_Size must be a power of two from 128 to 4096 bytes";
    if (!power_of_two(o.max_read_request) || o.max_read_request < 128 || o.max_read_request > 4096)
        return "Max_Read_Request_Size must be a power of two from 128 to 4096 bytes";
    if (o.read_completion_boundary != 64 && o.read_completion_boundary != 128)
        return "the Read Completion Boundary is 64 or 128 bytes";
    unsigned mc = o.max_completion ? o.max_completion : o.max_payload;
    if (mc % o.read_completion_boundary != 0 || mc > o.max_payload)
        return "the largest completion must be a multiple of the RCB, at most Max_Payload_Size";
    return {};
}

// The pieces of [address, address + length) cut at every multiple of
// `boundary`, in order: f(address, length) for each.
template <typename F>
void for_each_piece(uint64_t address, uint64_t length, uint64_t boundary, F&& f) {
    for (uint64_t a = address, end = address + length; a < end;) {
        uint64_t next = std::min(end, (a / boundary + 1) * boundary);
        f(a, next - a);
        a = next;
    }
}

// The completions of one read request, in order: each but the last ends on
// a multiple of the RCB, none carries more than `max_completion` bytes.
template <typename F>
void for_each_completion(uint64_t address, uint64_t length, uint64_t rcb, uint64_t max_completion,
                         F&& f) {
    for (uint64_t a = address, end = address + length; a < end;) {
        uint64_t limit = a + max_completion;
        uint64_t next = limit >= end ? end : limit / rcb * rcb;
        f(a, next - a);
        a = next;
    }
}

uint64_t align_down(uint64_t v, uint64_t a) {
    return v / a * a;
}

uint64_t align_up(uint64_t v, uint64_t a) {
    return (v + a - 1) / a * a;
}

Direction other(Direction d) {
    return d == Direction::Downstream ? Direction::Upstream : Direction::Downstream;
}

} // namespace

// --- Rates ---------------------------------------------------------------------

std::string check_speed(unsigned speed) {
    if (valid_speed(speed)) return {};
    return "link speed must be a generation 1 (2.5 GT/s), 2 (5 GT/s), 3 (8 GT/s), 4 (16 GT/s), "
           "5 (32 GT/s) or 6 (64 GT/s), not " +
           std::to_string(speed);
}

std::string check_width(unsigned width) {
    if (valid_width(width)) return {};
    return "link width must be x1, x2, x4, x8 or x16, not x" + std::to_string(width);
}

uint32_t transfer_rate_mts(unsigned speed) {
    require(valid_speed(speed), check_speed(speed));
    return kRateMts[speed];
}

Encoding encoding(unsigned speed) {
    require(valid_speed(speed), check_speed(speed));
    if (speed <= 2) return {8, 10};
    if (speed <= 5) return {128, 130};
    return {1, 1};
}

bool flit_mode(unsigned speed) {
    return speed >= 6;
}

double effective_rate_mbps(unsigned speed) {
    Encoding e = encoding(speed);
    return double(kRateMts[speed]) * e.data_bits / e.line_bits;
}

uint64_t tlp_time(unsigned tlp_bytes, unsigned speed, unsigned width) {
    require(valid_speed(speed), check_speed(speed));
    require(width >= 1 && width <= kMaxWidth, "a TLP needs a trained link (width 1..16)");
    // bits x 1e6 / (Mb/s x lanes) = ps.
    unsigned __int128 num, den;
    if (flit_mode(speed)) {
        num = (unsigned __int128)tlp_bytes * kFlitBytes * 8 * 1'000'000;
        den = (unsigned __int128)kFlitTlpBytes * kRateMts[speed] * width;
    } else {
        Encoding e = encoding(speed);
        num = (unsigned __int128)(tlp_bytes + kTlpFramingBytes) * 8 * 1'000'000 * e.line_bits;
        den = (unsigned __int128)kRateMts[speed] * e.data_bits * width;
    }
    return div_round(num, den);
}

// --- Splitting ---------------------------------------------------------------------

std::vector<Chunk> split_aligned(uint64_t address, uint64_t length, uint32_t boundary) {
    require(power_of_two(boundary), "a split boundary must be a power of two");
    std::vector<Chunk> out;
    for_each_piece(address, length, boundary, [&](uint64_t a, uint64_t n) {
        out.push_back({a, static_cast<uint32_t>(n)});
    });
    return out;
}

std::vector<Chunk> split_completions(uint64_t address, uint32_t length, uint32_t rcb,
                                     uint32_t max_completion) {
    require(power_of_two(rcb), "the Read Completion Boundary must be a power of two");
    require(max_completion >= rcb && max_completion % rcb == 0,
            "the largest completion must be a multiple of the RCB");
    std::vector<Chunk> out;
    for_each_completion(address, length, rcb, max_completion, [&](uint64_t a, uint64_t n) {
        out.push_back({a, static_cast<uint32_t>(n)});
    });
    return out;
}

// --- Configuration ------------------------------------------------------------------

std::string check_requester(const PortConfig& p) {
    if (p.tags < 1 || p.tags > kMaxTags)
        return "tags must be 1 to 768 (the outstanding reads 10-bit tags allow), not " +
               std::to_string(p.tags);
    auto credits = [](const char* field, unsigned v, unsigned lo, unsigned hi, const char* why) {
        if (v == 0 || (v >= lo && v <= hi)) return std::string();
        return std::string(field) + " must be 0 (unlimited) or " + std::to_string(lo) + " to " +
               std::to_string(hi) + " (" + why + "), not " + std::to_string(v);
    };
    if (auto e = credits("completion_header_credits", p.completion_header_credits,
                         kMinCompletionHeaderCredits, kMaxCompletionHeaderCredits,
                         "room for the completions of one 4096-byte read at least");
        !e.empty())
        return e;
    return credits("completion_data_credits", p.completion_data_credits, kMinCompletionDataCredits,
                   kMaxCompletionDataCredits,
                   "16-byte units: room for one 4096-byte read at least");
}

std::string validate(const LinkConfig& c) {
    for (auto [port, p] :
         {std::pair{"downstream port", &c.downstream}, std::pair{"upstream port", &c.upstream}}) {
        if (auto e = check_speed(p->max_speed); !e.empty()) return std::string(port) + ": " + e;
        if (auto e = check_width(p->max_width); !e.empty()) return std::string(port) + ": " + e;
        if (auto e = check_requester(*p); !e.empty()) return std::string(port) + ": " + e;
    }
    for (unsigned lane : c.faults.failed_lanes)
        if (lane >= kMaxWidth)
            return "failed lane " + std::to_string(lane) + " does not exist: lanes are 0 to 15";
    if (c.faults.failing_speed != 0 && !valid_speed(c.faults.failing_speed))
        return "failing speed: " + check_speed(c.faults.failing_speed) + " (or 0 for none)";
    for (unsigned d = 0; d < 2; ++d) {
        const TlpErrorInjection& t = c.faults.tlp[d];
        std::string dir = d == 0 ? "downstream" : "upstream";
        if (!(t.lcrc_error_rate >= 0 && t.lcrc_error_rate < 1))
            return dir + " LCRC error rate must be at least 0 and below 1, not " +
                   std::to_string(t.lcrc_error_rate);
        if (t.lcrc_every_nth == 1)
            return dir + " LCRC error period must be 0 (off) or at least 2: with 1 no TLP "
                         "would ever get through";
        for (const auto* list : {&t.lcrc_at, &t.ack_lost_at})
            for (uint64_t n : *list)
                if (n == 0) return dir + " TLP error ordinals count from 1";
    }
    const TrainingTimes& t = c.times;
    for (auto [what, v] :
         {std::pair{"detect_quiet", t.detect_quiet},
          std::pair{"polling_timeout", t.polling_timeout},
          std::pair{"configuration_timeout", t.configuration_timeout},
          std::pair{"recovery_timeout", t.recovery_timeout}, std::pair{"hot_reset", t.hot_reset}})
        if (v == 0) return std::string("training time ") + what + " must be above 0";
    unsigned mps = c.data_link.max_payload;
    if (!power_of_two(mps) || mps < 128 || mps > 4096)
        return "data link max_payload must be a power of two from 128 to 4096 bytes, not " +
               std::to_string(mps);
    return {};
}

// --- Names ---------------------------------------------------------------------------

LtssmMajor major(LtssmState s) {
    switch (s) {
    case LtssmState::Off:
        return LtssmMajor::Off;
    case LtssmState::DetectQuiet:
    case LtssmState::DetectActive:
        return LtssmMajor::Detect;
    case LtssmState::PollingActive:
    case LtssmState::PollingConfiguration:
        return LtssmMajor::Polling;
    case LtssmState::Configuration:
        return LtssmMajor::Configuration;
    case LtssmState::L0:
        return LtssmMajor::L0;
    case LtssmState::RecoveryRcvrLock:
    case LtssmState::RecoveryRcvrCfg:
    case LtssmState::RecoverySpeed:
    case LtssmState::RecoveryEqualization:
    case LtssmState::RecoveryIdle:
        return LtssmMajor::Recovery;
    case LtssmState::L0s:
        return LtssmMajor::L0s;
    case LtssmState::L1:
        return LtssmMajor::L1;
    case LtssmState::HotReset:
        return LtssmMajor::HotReset;
    case LtssmState::Disabled:
        return LtssmMajor::Disabled;
    }
    return LtssmMajor::Off;
}

const char* name(LtssmState s) {
    switch (s) {
    case LtssmState::Off:
        return "Off";
    case LtssmState::DetectQuiet:
        return "Detect.Quiet";
    case LtssmState::DetectActive:
        return "Detect.Active";
    case LtssmState::PollingActive:
        return "Polling.Active";
    case LtssmState::PollingConfiguration:
        return "Polling.Configuration";
    case LtssmState::Configuration:
        return "Configuration";
    case LtssmState::L0:
        return "L0";
    case LtssmState::RecoveryRcvrLock:
        return "Recovery.RcvrLock";
    case LtssmState::RecoveryRcvrCfg:
        return "Recovery.RcvrCfg";
    case LtssmState::RecoverySpeed:
        return "Recovery.Speed";
    case LtssmState::RecoveryEqualization:
        return "Recovery.Equalization";
    case LtssmState::RecoveryIdle:
        return "Recovery.Idle";
    case LtssmState::L0s:
        return "L0s";
    case LtssmState::L1:
        return "L1";
    case LtssmState::HotReset:
        return "Hot Reset";
    case LtssmState::Disabled:
        return "Disabled";
    }
    return "?";
}

const char* name(LinkEventKind k) {
    switch (k) {
    case LinkEventKind::LinkUp:
        return "link up";
    case LinkEventKind::LinkDown:
        return "link down";
    case LinkEventKind::HotReset:
        return "hot reset";
    case LinkEventKind::BandwidthChange:
        return "bandwidth change";
    case LinkEventKind::TrainingFailed:
        return "training failed";
    case LinkEventKind::ReceiverError:
        return "Receiver Error";
    case LinkEventKind::BadTlp:
        return "Bad TLP";
    case LinkEventKind::BadDllp:
        return "Bad DLLP";
    case LinkEventKind::ReplayNumRollover:
        return "REPLAY_NUM Rollover";
    case LinkEventKind::ReplayTimerTimeout:
        return "Replay Timer Timeout";
    case LinkEventKind::SurpriseDown:
        return "Surprise Down";
    }
    return "?";
}

std::optional<AerBit> aer_bit(LinkEventKind k) {
    switch (k) {
    case LinkEventKind::ReceiverError:
        return AerBit{false, aer::kReceiverError};
    case LinkEventKind::BadTlp:
        return AerBit{false, aer::kBadTlp};
    case LinkEventKind::BadDllp:
        return AerBit{false, aer::kBadDllp};
    case LinkEventKind::ReplayNumRollover:
        return AerBit{false, aer::kReplayNumRollover};
    case LinkEventKind::ReplayTimerTimeout:
        return AerBit{false, aer::kReplayTimerTimeout};
    case LinkEventKind::SurpriseDown:
        return AerBit{true, aer::kSurpriseDown};
    default:
        return std::nullopt;
    }
}

// --- The link --------------------------------------------------------------------------

Link::Link(const LinkConfig& config, uint64_t seed) : cfg_(config) {
    if (auto e = validate(cfg_); !e.empty()) throw std::invalid_argument("pcie link: " + e);
    target_speed_ = max_common_speed();
    present_ = cfg_.device_present;
    for (auto& t : cfg_.faults.tlp) {
        std::sort(t.lcrc_at.begin(), t.lcrc_at.end());
        std::sort(t.ack_lost_at.begin(), t.ack_lost_at.end());
    }
    // Each direction draws from its own stream, so one direction's traffic
    // does not change the other's errors.
    rng_[0] = RandomStream(seed, "downstream");
    rng_[1] = RandomStream(seed, "upstream");
}

unsigned Link::max_common_speed() const {
    return std::min(cfg_.downstream.max_speed, cfg_.upstream.max_speed);
}

unsigned Link::max_common_width() const {
    return std::min(cfg_.downstream.max_width, cfg_.upstream.max_width);
}

bool Link::training() const {
    LtssmMajor m = major(state_);
    return m == LtssmMajor::Configuration || m == LtssmMajor::Recovery;
}

unsigned Link::speed_limit() const {
    unsigned f = cfg_.faults.failing_speed;
    return f == 0 ? max_common_speed() : std::min(max_common_speed(), f - 1);
}

unsigned Link::clamp_target(unsigned speed) const {
    return std::clamp(speed, 1u, max_common_speed());
}

bool Link::lane_failed(unsigned lane) const {
    const auto& f = cfg_.faults.failed_lanes;
    return std::find(f.begin(), f.end(), lane) != f.end();
}

// The widest width the link supports (1, 2, 4, 8, 16, at most the common
// width and `cap`) whose lanes all work. A link forms on lanes 0..w-1; with
// lane reversal it may also form on the top w lanes of the common width.
Link::WidthChoice Link::negotiate_width(unsigned cap) const {
    unsigned all = max_common_width();
    for (unsigned w = kMaxWidth; w >= 1; w /= 2) {
        if (w > all || w > cap) continue;
        bool ok = true;
        for (unsigned l = 0; l < w; ++l)
            ok = ok && !lane_failed(l);
        if (ok) return {w, false};
        if (cfg_.lane_reversal) {
            ok = true;
            for (unsigned l = all - w; l < all; ++l)
                ok = ok && !lane_failed(l);
            if (ok) return {w, true};
        }
    }
    return {};
}

bool Link::uses_lane(unsigned lane) const {
    unsigned all = max_common_width();
    if (width_ == 0) return false;
    return reversed_ ? lane < all && lane >= all - width_ : lane < width_;
}

uint64_t Link::ts_time(unsigned speed, unsigned count) const {
    unsigned bits = flit_mode(speed) ? 128 : speed <= 2 ? 160 : 130;
    return div_round((unsigned __int128)count * bits * 1'000'000, kRateMts[speed]);
}

uint64_t Link::ack_latency(unsigned speed, unsigned width) const {
    if (cfg_.data_link.ack_latency) return cfg_.data_link.ack_latency;
    // ((MPS + 28) x 1.4 / width + 19) symbol times, in tenths of symbols.
    uint64_t w = std::max(width, 1u), mps = cfg_.data_link.max_payload;
    uint64_t sym = kSymbolPs[valid_speed(speed) ? speed : 1];
    return div_round((unsigned __int128)((mps + 28) * 14 + 190 * w) * sym, 10 * w);
}

uint64_t Link::replay_timeout(unsigned speed, unsigned width) const {
    if (cfg_.data_link.replay_timeout) return cfg_.data_link.replay_timeout;
    return 3 * ack_latency(speed, width);
}

// --- Time ------------------------------------------------------------------------------

void Link::advance_to(uint64_t t) {
    if (t < now_) return;
    for (;;) {
        uint64_t ts = plan_.empty() ? kNever : plan_.front().time;
        uint64_t te = pending_.empty() ? kNever : pending_.front().time;
        if (std::min(ts, te) > t) break;
        if (ts <= te) {
            Step s = std::move(plan_.front());
            plan_.pop_front();
            now_ = s.time;
            apply(std::move(s));
        } else {
            now_ = te;
            events_.push_back(pending_.front());
            pending_.pop_front();
        }
    }
    now_ = t;
}

std::optional<uint64_t> Link::next_event_time() const {
    uint64_t ts = plan_.empty() ? kNever : plan_.front().time;
    uint64_t te = pending_.empty() ? kNever : pending_.front().time;
    uint64_t t = std::min(ts, te);
    if (t == kNever) return std::nullopt;
    return t;
}

std::vector<LinkEvent> Link::take_events() {
    std::vector<LinkEvent> out;
    out.swap(events_);
    return out;
}

void Link::input(uint64_t& t) {
    t = std::max(t, now_);
    advance_to(t);
}

void Link::apply(Step s) {
    bool changed = s.state != state_;
    if (s.state == LtssmState::DetectQuiet) equalized_.fill(false);
    state_ = s.state;
    speed_ = s.speed;
    width_ = s.width;
    dl_active_ = s.dl;
    reversed_ = s.reversed;
    if (s.equalized) equalized_[s.equalized] = true;
    if (changed && trace_) trace_(s.time, s.state);
    for (const LinkEvent& e : s.events) {
        if (e.kind == LinkEventKind::TrainingFailed) ++training_failures_;
        events_.push_back(e);
    }
    switch (s.action) {
    case Action::None:
        break;
    case Action::Restart:
        plan_from_detect_active(s.time + cfg_.times.detect_quiet);
        break;
    case Action::HotResetTimeout:
        if (hot_reset_)
            hot_reset_expired_ = true;
        else
            restart(s.time);
        break;
    case Action::DisabledEntered:
        if (!link_disable_) restart(s.time);
        break;
    }
}

// --- Plans -------------------------------------------------------------------------------

Link::Cursor Link::cursor(uint64_t t) const {
    Cursor c;
    c.t = t;
    c.speed = speed_;
    c.width = width_;
    c.dl = dl_active_;
    c.reversed = reversed_;
    c.equalized = equalized_;
    return c;
}

void Link::push(Cursor& c, LtssmState s, uint64_t duration, Action a) {
    Step step;
    step.time = c.t;
    step.state = s;
    step.speed = c.speed;
    step.width = c.width;
    step.dl = c.dl;
    step.reversed = c.reversed;
    step.action = a;
    plan_.push_back(std::move(step));
    c.t += duration;
}

void Link::attach(LinkEventKind kind, PortSide port, bool autonomous) {
    Step& s = plan_.back();
    LinkEvent e;
    e.time = s.time;
    e.kind = kind;
    e.port = port;
    e.autonomous = autonomous;
    e.speed = s.speed;
    e.width = s.width;
    s.events.push_back(e);
}

void Link::cancel_plan() {
    plan_.clear();
}

void Link::restart(uint64_t t) {
    if (link_disable_)
        plan_hold(t, LtssmState::Disabled);
    else if (hot_reset_)
        plan_hold(t, LtssmState::HotReset);
    else
        plan_training(t);
}

void Link::plan_hold(uint64_t t, LtssmState s) {
    cancel_plan();
    Cursor c = cursor(t);
    c.dl = false;
    c.width = 0;
    if (s == LtssmState::Disabled) {
        push(c, LtssmState::Disabled, 0, Action::DisabledEntered);
    } else {
        hot_reset_expired_ = false;
        push(c, LtssmState::HotReset, cfg_.times.hot_reset);
        push(c, LtssmState::HotReset, 0, Action::HotResetTimeout);
    }
}

void Link::plan_training(uint64_t t) {
    cancel_plan();
    Cursor c;
    c.t = t;
    push(c, LtssmState::DetectQuiet, cfg_.times.detect_quiet);
    plan_from_detect_active(c.t);
}

// Detect.Active onwards, from Gen1 with no width. Ends in L0 with the data
// link layer up, or back in Detect.Quiet (Restart) after a failure.
void Link::plan_from_detect_active(uint64_t t) {
    const TrainingTimes& tt = cfg_.times;
    Cursor c;
    c.t = t;
    auto fail = [&] {
        push(c, LtssmState::DetectQuiet, 0, Action::Restart);
        attach(LinkEventKind::TrainingFailed);
    };
    push(c, LtssmState::DetectActive, tt.detect_active);
    bool receiver = false;
    for (unsigned l = 0; l < max_common_width(); ++l)
        receiver = receiver || !lane_failed(l);
    if (!present_ || !receiver) {
        // No receiver: back to Detect.Quiet; not a training failure.
        push(c, LtssmState::DetectQuiet, 0, Action::Restart);
        return;
    }
    bool polls = !cfg_.faults.training_fails && speed_limit() >= 1;
    push(c, LtssmState::PollingActive, polls ? tt.polling_active : tt.polling_timeout);
    if (!polls) return fail();
    push(c, LtssmState::PollingConfiguration, tt.polling_configuration);
    WidthChoice w = negotiate_width(kMaxWidth);
    push(c, LtssmState::Configuration, w.width ? tt.configuration : tt.configuration_timeout);
    if (!w.width) return fail();
    c.width = w.width;
    c.reversed = w.reversed;
    push(c, LtssmState::L0, 0);
    unsigned target = clamp_target(target_speed_);
    if (target != c.speed) change_speed(c, target);
    c.t += tt.dl_init;
    c.dl = true;
    push(c, LtssmState::L0, 0);
    attach(LinkEventKind::LinkUp);
}

// Recovery.RcvrLock and RcvrCfg at the cursor's speed: how every pass
// through Recovery starts.
void Link::recovery_entry(Cursor& c) {
    push(c, LtssmState::RecoveryRcvrLock, ts_time(c.speed, cfg_.times.recovery_rcvrlock_ts));
    push(c, LtssmState::RecoveryRcvrCfg, ts_time(c.speed, cfg_.times.recovery_rcvrcfg_ts));
}

// Recovery.RcvrLock, RcvrCfg, Idle at the cursor's speed, then L0.
void Link::recovery_to_l0(Cursor& c) {
    recovery_entry(c);
    push(c, LtssmState::RecoveryIdle, ts_time(c.speed, cfg_.times.recovery_idle_ts));
    push(c, LtssmState::L0, 0);
}

// From L0 to `target` through Recovery. Each rate from 8 GT/s up is
// equalized once per link-up, in order (8, 16, 32, 64 GT/s), so raising the
// speed may take several changes, each back through L0. A change to a speed
// that fails costs a RcvrLock timeout at the new rate and an unsuccessful
// Recovery.Speed back, and the next lower speed is tried.
void Link::change_speed(Cursor& c, unsigned target) {
    const TrainingTimes& tt = cfg_.times;
    unsigned limit = speed_limit();
    while (c.speed != target) {
        unsigned next;
        if (target < c.speed || target <= 2 || c.equalized[target])
            next = target;
        else
            next = c.speed < 3 ? 3 : c.speed + 1;
        recovery_entry(c);
        push(c, LtssmState::RecoverySpeed, tt.recovery_speed);
        if (next > limit) {
            unsigned old = c.speed;
            c.speed = next;
            push(c, LtssmState::RecoveryRcvrLock, tt.recovery_timeout);
            c.speed = old;
            push(c, LtssmState::RecoverySpeed, tt.recovery_speed_failed);
            recovery_to_l0(c);
            target = std::min(target, next - 1);
            continue;
        }
        c.speed = next;
        if (next >= 3 && !c.equalized[next]) {
            push(c, LtssmState::RecoveryEqualization, tt.equalization);
            plan_.back().equalized = next;
            c.equalized[next] = true;
        }
        recovery_to_l0(c);
    }
}

// An up link that loses its partner: Recovery.RcvrLock times out, the link
// goes down (DL_Down, Surprise Down) and Detect starts over.
void Link::plan_link_lost(Cursor& c) {
    push(c, LtssmState::RecoveryRcvrLock, cfg_.times.recovery_timeout);
    c.dl = false;
    c.width = 0;
    c.speed = 1;
    push(c, LtssmState::DetectQuiet, 0, Action::Restart);
    attach(LinkEventKind::LinkDown, PortSide::Upstream);
    attach(LinkEventKind::SurpriseDown, PortSide::Downstream);
}

// --- Inputs -------------------------------------------------------------------------------

void Link::power_on(uint64_t t) {
    input(t);
    if (state_ != LtssmState::Off) return;
    restart(t);
    advance_to(t);
}

void Link::power_off(uint64_t t) {
    input(t);
    if (state_ == LtssmState::Off) return;
    bool was_up = dl_active_;
    cancel_plan();
    Cursor c = cursor(t);
    c.dl = false;
    c.width = 0;
    c.speed = 1;
    push(c, LtssmState::Off, 0);
    if (was_up) attach(LinkEventKind::LinkDown, PortSide::Upstream);
    advance_to(t);
}

void Link::retrain(uint64_t t) {
    input(t);
    Snapshot tail = state_at(kNever);
    if (!dl_active_ || !tail.dl) return;
    LtssmMajor m = major(state_);
    if ((m == LtssmMajor::Recovery || m == LtssmMajor::Configuration) && !plan_.empty()) {
        // A change is under way: its completion answers the retrain too.
        Step& last = plan_.back();
        bool has = std::any_of(last.events.begin(), last.events.end(), [](const LinkEvent& e) {
            return e.kind == LinkEventKind::BandwidthChange && !e.autonomous;
        });
        if (last.state == LtssmState::L0 && !has) attach(LinkEventKind::BandwidthChange);
        return;
    }
    // After anything already planned (a replay's Recovery, an L1 exit).
    Cursor c = cursor(std::max(t, tail_time()));
    c.speed = tail.speed;
    c.width = tail.width;
    unsigned target = clamp_target(target_speed_);
    if (target != c.speed)
        change_speed(c, target);
    else
        recovery_to_l0(c);
    attach(LinkEventKind::BandwidthChange);
    advance_to(t);
}

void Link::set_target_speed(uint64_t t, unsigned speed) {
    input(t);
    target_speed_ = std::clamp(speed, kMinSpeed, kMaxSpeed);
}

void Link::set_link_disable(uint64_t t, bool disable) {
    input(t);
    if (disable == link_disable_) return;
    link_disable_ = disable;
    if (disable) {
        if (state_ == LtssmState::Off) return;
        if (dl_active_) {
            // Through Recovery, sending TS1 with Disable Link, to Disabled.
            cancel_plan();
            Cursor c = cursor(t);
            recovery_entry(c);
            c.dl = false;
            c.width = 0;
            push(c, LtssmState::Disabled, 0, Action::DisabledEntered);
            attach(LinkEventKind::LinkDown, PortSide::Upstream);
        } else {
            plan_hold(t, LtssmState::Disabled);
        }
    } else if (state_ == LtssmState::Disabled && plan_.empty()) {
        restart(t);
    }
    advance_to(t);
}

void Link::set_hot_reset(uint64_t t, bool asserted) {
    input(t);
    if (asserted == hot_reset_) return;
    hot_reset_ = asserted;
    if (asserted) {
        if (state_ == LtssmState::Off || link_disable_) return;
        if (dl_active_) {
            // Through Recovery, sending TS1 with Hot Reset, to Hot Reset.
            cancel_plan();
            Cursor c = cursor(t);
            recovery_entry(c);
            c.dl = false;
            c.width = 0;
            hot_reset_expired_ = false;
            push(c, LtssmState::HotReset, cfg_.times.hot_reset);
            attach(LinkEventKind::LinkDown, PortSide::Upstream);
            attach(LinkEventKind::HotReset, PortSide::Upstream);
            push(c, LtssmState::HotReset, 0, Action::HotResetTimeout);
        } else {
            plan_hold(t, LtssmState::HotReset);
        }
    } else if (state_ == LtssmState::HotReset && hot_reset_expired_ && plan_.empty()) {
        restart(t);
    }
    advance_to(t);
}

void Link::set_device_present(uint64_t t, bool present) {
    input(t);
    if (present == present_) return;
    present_ = present;
    LtssmMajor m = major(state_);
    if (!present) {
        if (dl_active_) {
            cancel_plan();
            Cursor c = cursor(t);
            plan_link_lost(c);
        } else if (m != LtssmMajor::Off && m != LtssmMajor::Disabled && m != LtssmMajor::HotReset) {
            plan_training(t); // training in progress loses its partner
        }
    } else if (m == LtssmMajor::Detect) {
        plan_training(t);
    }
    advance_to(t);
}

bool Link::autonomous_bandwidth_change(uint64_t t, unsigned speed, unsigned width) {
    require(valid_speed(speed), check_speed(speed));
    require(valid_width(width), check_width(width));
    input(t);
    if (!dl_active_ || !plan_.empty() || major(state_) == LtssmMajor::Recovery) return false;
    WidthChoice w = negotiate_width(width);
    unsigned s = clamp_target(speed);
    if (!w.width || (w.width == width_ && s == speed_)) return false;
    Cursor c = cursor(t);
    if (w.width != width_) {
        // Recovery.RcvrCfg hands over to Configuration to change the width.
        recovery_entry(c);
        push(c, LtssmState::Configuration, cfg_.times.configuration);
        c.width = w.width;
        c.reversed = w.reversed;
        push(c, LtssmState::L0, 0);
    }
    if (s != c.speed) change_speed(c, s);
    attach(LinkEventKind::BandwidthChange, PortSide::Downstream, true);
    advance_to(t);
    return true;
}

void Link::fail_lanes(uint64_t t, const std::vector<unsigned>& lanes) {
    for (unsigned l : lanes)
        require(l < kMaxWidth, "failed lane " + std::to_string(l) + " does not exist");
    input(t);
    bool hit = false;
    for (unsigned l : lanes) {
        if (!lane_failed(l)) cfg_.faults.failed_lanes.push_back(l);
        hit = hit || uses_lane(l);
    }
    if (!hit || !dl_active_ || !plan_.empty()) return;
    Cursor c = cursor(t);
    WidthChoice w = negotiate_width(width_);
    if (!w.width) {
        plan_link_lost(c);
    } else {
        // RcvrLock cannot lock every lane; on its timeout Configuration forms
        // the link on the lanes that remain.
        push(c, LtssmState::RecoveryRcvrLock, cfg_.times.recovery_timeout);
        push(c, LtssmState::Configuration, cfg_.times.configuration);
        c.width = w.width;
        c.reversed = w.reversed;
        push(c, LtssmState::L0, 0);
        attach(LinkEventKind::BandwidthChange);
    }
    advance_to(t);
}

void Link::fail_speed(uint64_t t, unsigned speed) {
    require(valid_speed(speed), check_speed(speed));
    input(t);
    unsigned& f = cfg_.faults.failing_speed;
    f = f == 0 ? speed : std::min(f, speed);
    if (!dl_active_ || !plan_.empty() || speed_ < f) return;
    Cursor c = cursor(t);
    unsigned s = speed_limit();
    if (s == 0) {
        plan_link_lost(c);
    } else {
        // RcvrLock times out at the failing rate; Recovery.Speed falls back.
        push(c, LtssmState::RecoveryRcvrLock, cfg_.times.recovery_timeout);
        push(c, LtssmState::RecoverySpeed, cfg_.times.recovery_speed);
        c.speed = s;
        if (s >= 3 && !c.equalized[s]) {
            push(c, LtssmState::RecoveryEqualization, cfg_.times.equalization);
            plan_.back().equalized = s;
            c.equalized[s] = true;
        }
        recovery_to_l0(c);
        attach(LinkEventKind::BandwidthChange);
    }
    advance_to(t);
}

bool Link::enter_low_power(uint64_t t, LtssmState state) {
    input(t);
    if (state_ != LtssmState::L0 || !dl_active_ || !plan_.empty()) return false;
    Cursor c = cursor(t);
    push(c, state, 0);
    advance_to(t);
    return true;
}

bool Link::enter_l0s(uint64_t t) {
    return enter_low_power(t, LtssmState::L0s);
}

bool Link::enter_l1(uint64_t t) {
    return enter_low_power(t, LtssmState::L1);
}

void Link::plan_exit(uint64_t t) {
    Cursor c = cursor(t);
    if (state_ == LtssmState::L0s) {
        c.t += cfg_.times.l0s_exit;
    } else {
        push(c, LtssmState::RecoveryRcvrLock, cfg_.times.l1_exit);
    }
    push(c, LtssmState::L0, 0);
}

void Link::exit_low_power(uint64_t t) {
    input(t);
    if ((state_ == LtssmState::L0s || state_ == LtssmState::L1) && plan_.empty()) plan_exit(t);
    advance_to(t);
}

void Link::inject_error(uint64_t t, LinkEventKind kind, PortSide port) {
    require(aer_bit(kind).has_value() && kind != LinkEventKind::SurpriseDown,
            "inject_error takes a correctable link error (a surprise down is "
            "set_device_present(false))");
    input(t);
    LinkEvent e;
    e.time = t;
    e.kind = kind;
    e.port = port;
    events_.push_back(e);
}

// --- Transactions -----------------------------------------------------------------------

Link::Snapshot Link::state_at(uint64_t x) const {
    Snapshot s{state_, speed_, width_, dl_active_};
    for (const Step& st : plan_) {
        if (st.time > x) break;
        s = {st.state, st.speed, st.width, st.dl};
    }
    return s;
}

uint64_t Link::tail_time() const {
    return plan_.empty() ? now_ : plan_.back().time;
}

// The first planned time after x at which the link is in L0 (the last of
// the steps at that time is what holds).
std::optional<uint64_t> Link::next_l0_after(uint64_t x) const {
    size_t n = plan_.size();
    for (size_t i = 0; i < n;) {
        if (plan_[i].time <= x) {
            ++i;
            continue;
        }
        size_t j = i;
        while (j + 1 < n && plan_[j + 1].time == plan_[i].time)
            ++j;
        if (plan_[j].state == LtssmState::L0) return plan_[i].time;
        i = j + 1;
    }
    return std::nullopt;
}

// The earliest time from x at which a TLP may start: in L0 with the data link
// layer up. Recovery is waited out; L0s and L1 are left (exit latency).
// Nothing when the data link layer is down at x or does not come back to L0.
std::optional<uint64_t> Link::l0_ready(uint64_t x) {
    for (size_t guard = 0; guard <= plan_.size() + 2; ++guard) {
        Snapshot s = state_at(x);
        if (!s.dl) return std::nullopt;
        if (s.state == LtssmState::L0) return x;
        if ((s.state == LtssmState::L0s || s.state == LtssmState::L1) && plan_.empty())
            plan_exit(x);
        auto y = next_l0_after(x);
        if (!y) return std::nullopt;
        x = *y;
    }
    return std::nullopt;
}

// A REPLAY_NUM rollover at t: the transmitter has the link retrain
// (Recovery at the current speed) after whatever is already planned.
void Link::append_recovery(uint64_t t) {
    Snapshot tail = state_at(kNever);
    LtssmMajor m = major(tail.state);
    if (!tail.dl || (m != LtssmMajor::L0 && m != LtssmMajor::L0s && m != LtssmMajor::L1)) return;
    Cursor c = cursor(std::max(t, tail_time()));
    c.speed = tail.speed;
    c.width = tail.width;
    c.dl = true;
    recovery_to_l0(c);
}

void Link::push_pending(LinkEvent e) {
    auto at = std::upper_bound(pending_.begin(), pending_.end(), e.time,
                               [](uint64_t t, const LinkEvent& p) { return t < p.time; });
    pending_.insert(at, e);
}

bool Link::lcrc_error(unsigned d, uint64_t n) {
    const TlpErrorInjection& inj = cfg_.faults.tlp[d];
    bool err = false;
    if (inj.lcrc_error_rate > 0) {
        double u = rng_[d].uniform();
        err = u < inj.lcrc_error_rate;
    }
    if (inj.lcrc_every_nth && n % inj.lcrc_every_nth == 0) err = true;
    if (std::binary_search(inj.lcrc_at.begin(), inj.lcrc_at.end(), n)) err = true;
    return err;
}

bool Link::ack_lost(unsigned d, uint64_t n) const {
    const auto& l = cfg_.faults.tlp[d].ack_lost_at;
    return std::binary_search(l.begin(), l.end(), n);
}

void Link::count_replay(Direction d, uint64_t t, uint64_t tlp, TlpTiming& r) {
    unsigned i = index(d);
    ++r.replays;
    if (replay_num_[i] == 3) {
        replay_num_[i] = 0;
        LinkEvent e;
        e.time = t;
        e.kind = LinkEventKind::ReplayNumRollover;
        e.port = transmitter(d);
        e.direction = d;
        e.tlp = tlp;
        push_pending(e);
        append_recovery(t);
    } else {
        ++replay_num_[i];
    }
}

TlpTiming Link::schedule(Direction d, unsigned tlp_bytes, uint64_t earliest) {
    require(tlp_bytes > 0, "a TLP has at least a header");
    unsigned i = index(d);
    TlpTiming r;
    uint64_t t = std::max(earliest, now_);
    bool started = false;
    auto error = [&](uint64_t time, LinkEventKind k, PortSide port, uint64_t n) {
        LinkEvent e;
        e.time = time;
        e.kind = k;
        e.port = port;
        e.direction = d;
        e.tlp = n;
        push_pending(e);
    };
    for (;;) {
        auto ready = l0_ready(std::max(t, pipe_free_[i]));
        if (!ready) break;
        Snapshot s = state_at(*ready);
        uint64_t start = *ready, end = start + tlp_time(tlp_bytes, s.speed, s.width);
        if (!started) r.start = start;
        started = true;
        uint64_t n = ++sent_[i];
        ++r.transmissions;
        pipe_free_[i] = end;
        if (lcrc_error(i, n)) {
            // The receiver drops it and sends a NAK; what the transmitter
            // sent until the NAK arrived is replayed too (go-back-N), so the
            // direction carries nothing useful until then.
            error(end, LinkEventKind::BadTlp, receiver(d), n);
            uint64_t nak = end + ack_latency(s.speed, s.width);
            pipe_free_[i] = nak;
            count_replay(d, nak, n, r);
            t = nak;
            continue;
        }
        if (!r.delivered) {
            r.delivered = true;
            r.end = end;
        }
        if (ack_lost(i, n)) {
            // Received, but its Ack arrives corrupted; the replay timer
            // expires and the transmitter replays (the receiver discards the
            // duplicate). The direction waits for the timer.
            error(end + ack_latency(s.speed, s.width), LinkEventKind::BadDllp, transmitter(d), n);
            uint64_t timeout = end + replay_timeout(s.speed, s.width);
            error(timeout, LinkEventKind::ReplayTimerTimeout, transmitter(d), n);
            pipe_free_[i] = timeout;
            count_replay(d, timeout, n, r);
            t = timeout;
            continue;
        }
        replay_num_[i] = 0;
        break;
    }
    if (!started) r.start = r.end = t;
    return r;
}

// --- Bursts ------------------------------------------------------------------------------
//
// write() and read() give the same results as sending every TLP through
// schedule(); where nothing can interfere they get there arithmetically.
// A burst is left to the per-TLP path when the link may change state (not
// L0 with the data link layer up, or a plan of steps ahead: a TLP would
// wait for them) or when an injected error may hit one of its
// transmissions (any LCRC error rate draws from the RNG per TLP). What the
// per-TLP path leaves behind is kept: pipe_free_, the ordinals in sent_,
// REPLAY_NUM (0 after an acknowledged TLP) and the reads' tags.

struct Link::Run {
    uint64_t address = 0; // the first piece
    uint64_t length = 0;  // of each piece
    uint64_t count = 0;
};

// A transfer cut as for_each_piece cuts it, in runs of equal pieces: a
// partial head, the full middle, a partial tail (each may be absent).
struct Link::Runs {
    std::array<Run, 3> run{};
    unsigned size = 0;

    Runs(uint64_t address, uint64_t length, uint64_t boundary) {
        uint64_t a = address, end = address + length;
        if (a % boundary && a < end) {
            uint64_t next = std::min(end, (a / boundary + 1) * boundary);
            run[size++] = {a, next - a, 1};
            a = next;
        }
        if (uint64_t full = (end - a) / boundary) {
            run[size++] = {a, boundary, full};
            a += full * boundary;
        }
        if (a < end) run[size++] = {a, end - a, 1};
    }
    const Run* begin() const { return run.data(); }
    const Run* end() const { return run.data() + size; }
};

bool Link::stable() const {
    return !cfg_.force_per_tlp && plan_.empty() && state_ == LtssmState::L0 && dl_active_;
}

// No injected error can hit the next `tlps` transmissions in direction d.
bool Link::error_free(Direction d, uint64_t tlps) const {
    unsigned i = index(d);
    const TlpErrorInjection& inj = cfg_.faults.tlp[i];
    uint64_t before = sent_[i], last = sent_[i] + tlps;
    auto hits = [&](const std::vector<uint64_t>& at) {
        auto it = std::upper_bound(at.begin(), at.end(), before);
        return it != at.end() && *it <= last;
    };
    if (inj.lcrc_error_rate > 0) return false;
    if (inj.lcrc_every_nth && last / inj.lcrc_every_nth != before / inj.lcrc_every_nth)
        return false;
    return !hits(inj.lcrc_at) && !hits(inj.ack_lost_at);
}

// The TLPs follow one another through the pipe: the first starts when the
// pipe is free, and each one's time is rounded to the picosecond as
// tlp_time() does for one TLP.
bool Link::write_closed_form(Direction d, uint64_t address, uint64_t length, uint64_t earliest,
                             const TransferOptions& o, TransferTiming& tt) {
    if (!stable()) return false;
    uint64_t tlps = 0, time = 0, last = 0;
    // 3DW headers below 4 GiB, 4DW above; 4 GiB is a multiple of MPS.
    constexpr uint64_t k4G = uint64_t{1} << 32;
    uint64_t end = address + length, split = std::clamp(k4G, address, end);
    for (auto [from, to, header] :
         {std::tuple{address, split, kHeader3Dw}, std::tuple{split, end, kHeader4Dw}})
        for (const Run& r : Runs(from, to - from, o.max_payload)) {
            uint64_t one = tlp_time(static_cast<unsigned>(header + r.length), speed_, width_);
            tlps += r.count;
            time += r.count * one;
            last = one;
        }
    if (!error_free(d, tlps)) return false;
    unsigned i = index(d);
    tt.start = std::max({earliest, now_, pipe_free_[i]});
    tt.end = tt.start + time;
    tt.issued = tt.end - last;
    tt.requests = static_cast<unsigned>(tlps);
    pipe_free_[i] = tt.end;
    sent_[i] += tlps;
    replay_num_[i] = 0;
    return true;
}

TransferTiming Link::write(Direction d, uint64_t address, uint64_t length, uint64_t earliest,
                           const TransferOptions& o) {
    if (auto e = check_transfer(o); !e.empty()) require(false, e);
    TransferTiming tt;
    tt.delivered = true;
    tt.start = tt.end = tt.issued = std::max(earliest, now_);
    if (length == 0 || write_closed_form(d, address, length, earliest, o, tt)) return tt;
    for_each_piece(address, length, o.max_payload, [&](uint64_t a, uint64_t n) {
        unsigned header = (a >> 32) ? kHeader4Dw : kHeader3Dw;
        TlpTiming r = schedule(d, header + static_cast<unsigned>(n), earliest);
        if (tt.requests == 0) tt.start = r.start;
        tt.issued = r.start;
        tt.end = std::max(tt.end, r.end);
        tt.delivered = tt.delivered && r.delivered;
        tt.replays += r.replays;
        ++tt.requests;
    });
    return tt;
}

// --- Tags and completion credits -------------------------------------------------------

namespace {
// What one read request reserves in its requester's completion buffer: a
// header for each RCB-aligned block it touches (the most completions a
// completer may split it into: PCIe Base Specification 2.3.1.1) and its
// data in 16-byte credits. Completions carry whole DWORDs and, split on
// RCB boundaries, only the first and last start or end off a 16-byte
// boundary, so the data credits are the 16-byte blocks the request
// touches.
unsigned header_credits(uint64_t address, uint64_t length, unsigned rcb) {
    return static_cast<unsigned>((align_up(address + length, rcb) - align_down(address, rcb)) /
                                 rcb);
}
unsigned data_credits(uint64_t address, uint64_t length) {
    return static_cast<unsigned>((align_up(address + length, 16) - align_down(address, 16)) / 16);
}
} // namespace

const PortConfig& Link::requester(Direction d) const {
    return d == Direction::Upstream ? cfg_.upstream : cfg_.downstream;
}

// The earliest time from t at which the end sending reads in direction d
// has a free tag and room for `need`. Reads whose completions are in by
// then give their tags and space back; if that is not enough the request
// waits for the next release, and the next. (validate() makes room for
// one request in an empty buffer.)
uint64_t Link::wait_for_room(Direction d, uint64_t t, Credits need) {
    Requester& q = requesters_[index(d)];
    const PortConfig& p = requester(d);
    auto room = [&] {
        unsigned h = p.completion_header_credits, c = p.completion_data_credits;
        return q.held.size() < p.tags && (h == 0 || q.headers + need.headers <= h) &&
               (c == 0 || q.data + need.data <= c);
    };
    while (!q.held.empty() && (q.held.front().release <= t || !room())) {
        const Held& h = q.held.front();
        t = std::max(t, h.release);
        q.headers -= h.credits.headers;
        q.data -= h.credits.data;
        q.held.pop_front();
    }
    return t;
}

unsigned Link::reads_outstanding(Direction d, uint64_t t) const {
    const auto& held = requesters_[index(d)].held;
    return static_cast<unsigned>(
        std::count_if(held.begin(), held.end(), [t](const Held& h) { return h.release > t; }));
}

void Link::hold(Direction d, uint64_t release, Credits credits) {
    Requester& q = requesters_[index(d)];
    // Completions come back in order through their pipe, so this is nearly
    // always the latest release.
    if (q.held.empty() || q.held.back().release <= release) {
        q.held.push_back(Held{release, credits});
    } else {
        auto at = std::upper_bound(q.held.begin(), q.held.end(), release,
                                   [](uint64_t t, const Held& h) { return t < h.release; });
        q.held.insert(at, Held{release, credits});
    }
    q.headers += credits.headers;
    q.data += credits.data;
}

// --- Reads --------------------------------------------------------------------------------

// One read request through schedule(): after its tag and completion space,
// the request, then its completions the other way.
void Link::read_per_tlp(Direction d, uint64_t address, uint64_t length, uint64_t earliest,
                        const TransferOptions& o, TransferTiming& tt) {
    unsigned rcb = o.read_completion_boundary;
    Credits need{header_credits(address, length, rcb), data_credits(address, length)};
    uint64_t t = std::max(earliest, now_);
    if (!o.forwarded) t = wait_for_room(d, t, need);
    TlpTiming r = schedule(d, (address >> 32) ? kHeader4Dw : kHeader3Dw, t);
    if (tt.requests == 0) tt.start = r.start;
    tt.issued = r.start;
    ++tt.requests;
    tt.replays += r.replays;
    if (!r.delivered) {
        tt.delivered = false;
        return;
    }
    uint64_t ready = r.end + o.completion_latency, release = ready;
    unsigned max_completion = o.max_completion ? o.max_completion : o.max_payload;
    for_each_completion(address, length, rcb, max_completion, [&](uint64_t, uint64_t n) {
        TlpTiming c = schedule(other(d), kHeader3Dw + static_cast<unsigned>(n), ready);
        tt.end = std::max(tt.end, c.end);
        tt.delivered = tt.delivered && c.delivered;
        tt.replays += c.replays;
        ++tt.completions;
        release = std::max(release, c.end);
    });
    if (!o.forwarded) hold(d, release, need);
}

// Request by request (each may wait for a tag or completion space), with
// no TLP loop: a request is one TLP, and its completions follow each other
// through the other pipe from the later of their ready time and the pipe's
// free time. All requests of a run cost the same: its pieces start at
// multiples of MRRS, so the completer cuts each alike.
bool Link::read_closed_form(Direction d, const Runs& requests, uint64_t earliest,
                            const TransferOptions& o, TransferTiming& tt) {
    if (!stable()) return false;
    struct Cost {
        Credits need;
        uint64_t completions = 0, time = 0;
    };
    std::array<Cost, 3> cost{};
    unsigned rcb = o.read_completion_boundary;
    unsigned max_completion = o.max_completion ? o.max_completion : o.max_payload;
    uint64_t request_tlps = 0, completion_tlps = 0;
    for (unsigned k = 0; k < requests.size; ++k) {
        const Run& r = requests.run[k];
        Cost& c = cost[k];
        c.need = {header_credits(r.address, r.length, rcb), data_credits(r.address, r.length)};
        for_each_completion(r.address, r.length, rcb, max_completion, [&](uint64_t, uint64_t n) {
            c.time += tlp_time(kHeader3Dw + static_cast<unsigned>(n), speed_, width_);
            ++c.completions;
        });
        request_tlps += r.count;
        completion_tlps += r.count * c.completions;
    }
    Direction back = other(d);
    if (!error_free(d, request_tlps) || !error_free(back, completion_tlps)) return false;
    unsigned i = index(d), b = index(back);
    const uint64_t request_time[2] = {tlp_time(kHeader3Dw, speed_, width_),
                                      tlp_time(kHeader4Dw, speed_, width_)};
    uint64_t t0 = std::max(earliest, now_);
    for (unsigned k = 0; k < requests.size; ++k) {
        const Run& r = requests.run[k];
        const Cost& c = cost[k];
        for (uint64_t j = 0; j < r.count; ++j) {
            uint64_t address = r.address + j * r.length;
            uint64_t t = o.forwarded ? t0 : wait_for_room(d, t0, c.need);
            uint64_t start = std::max(t, pipe_free_[i]);
            uint64_t arrived = start + request_time[(address >> 32) != 0];
            uint64_t done = std::max(arrived + o.completion_latency, pipe_free_[b]) + c.time;
            pipe_free_[i] = arrived;
            pipe_free_[b] = done;
            if (tt.requests == 0) tt.start = start;
            tt.issued = start;
            ++tt.requests;
            tt.completions += static_cast<unsigned>(c.completions);
            tt.end = std::max(tt.end, done);
            if (!o.forwarded) hold(d, done, c.need);
        }
    }
    sent_[i] += request_tlps;
    sent_[b] += completion_tlps;
    replay_num_[i] = replay_num_[b] = 0;
    return true;
}

TransferTiming Link::read(Direction d, uint64_t address, uint64_t length, uint64_t earliest,
                          const TransferOptions& o) {
    if (auto e = check_transfer(o); !e.empty()) require(false, e);
    TransferTiming tt;
    tt.delivered = true;
    tt.start = tt.end = tt.issued = std::max(earliest, now_);
    if (length == 0) return tt;
    if (read_closed_form(d, Runs(address, length, o.max_read_request), earliest, o, tt)) return tt;
    for_each_piece(address, length, o.max_read_request,
                   [&](uint64_t a, uint64_t n) { read_per_tlp(d, a, n, earliest, o, tt); });
    return tt;
}

// --- Configuration space ------------------------------------------------------------------

void Link::publish(ConfigSpace& cs) const {
    cs.set_link_status(speed_, width_, dl_active_, training());
}

void Link::apply_event(const LinkEvent& e, ConfigSpace& cs) {
    using namespace pcie_cap;
    switch (e.kind) {
    case LinkEventKind::BandwidthChange:
        cs.signal_bandwidth_change(e.autonomous);
        break;
    case LinkEventKind::LinkUp:
    case LinkEventKind::LinkDown: {
        if (!cs.downstream_facing()) break;
        unsigned off = cs.pcie_offset();
        if ((cs.u16(off + kCapabilities) & kSlotImplemented) &&
            (cs.u32(off + kLinkCapabilities) & lnkcap::kDllActiveReporting))
            cs.hw_set_bits(off + kSlotStatus, sltsta::kDllStateChanged);
        break;
    }
    default:
        break;
    }
}

} // namespace nvsoc::pcie
