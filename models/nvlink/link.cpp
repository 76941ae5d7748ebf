#include "models/nvlink/link.h"

#include <algorithm>
#include <limits>
#include <stdexcept>
#include <utility>

namespace nvsoc::nvlink {

namespace {

constexpr uint64_t kNever = std::numeric_limits<uint64_t>::max();

// docs/nvlink.md, "Generations and rates".
constexpr std::array<GenerationInfo, kMaxGeneration> kGenerations = {{
    {1, 8, 20.0, false, true, false},
    {2, 8, 25.78125, false, true, false},
    {3, 4, 51.5625, false, true, true},
    {4, 2, 106.25, true, false, true},
    {5, 2, 212.5, true, false, true},
}};
// The same lane rates in kb/s, exact integers, for the flit arithmetic.
constexpr std::array<uint64_t, kMaxGeneration + 1> kLaneKbps = {
    0, 20'000'000, 25'781'250, 51'562'500, 106'250'000, 212'500'000};

bool valid_generation(unsigned g) {
    return g >= kMinGeneration && g <= kMaxGeneration;
}

uint64_t div_round(unsigned __int128 num, unsigned __int128 den) {
    return static_cast<uint64_t>((num + den / 2) / den);
}

std::string end_name(unsigned i) {
    return i == 0 ? "ends[A]" : "ends[B]";
}

// The training states a step can hang in (LinkFaults::train_fails_in).
bool training_state(State s) {
    switch (s) {
    case State::InitPhase1:
    case State::Detect:
    case State::Safe:
    case State::InitNegotiate:
    case State::InitOptimize:
    case State::InitTl:
        return true;
    default:
        return false;
    }
}

// The lanes in `mask`, lowest first.
std::vector<unsigned> lanes_of(uint8_t mask) {
    std::vector<unsigned> out;
    for (unsigned l = 0; l < kMaxLanes; ++l)
        if (mask & (1u << l)) out.push_back(l);
    return out;
}

} // namespace

// --- Generations and packets ---------------------------------------------------------

const GenerationInfo& generation_info(unsigned gen) {
    if (!valid_generation(gen)) throw std::invalid_argument("nvlink: " + check_generation(gen));
    return kGenerations[gen - 1];
}

double link_bytes_per_ps(unsigned gen, unsigned lanes) {
    return generation_info(gen).lane_gbps * lanes / 8.0 / 1000.0;
}

std::string check_generation(unsigned gen) {
    if (valid_generation(gen)) return {};
    return "NVLink generation must be 1 (P100), 2 (V100), 3 (A100), 4 (H100) or 5 (B200), not " +
           std::to_string(gen);
}

unsigned packet_flits(unsigned payload, bool write) {
    if (payload > kMaxPayload)
        throw std::invalid_argument("nvlink: a packet carries at most 256 bytes, not " +
                                    std::to_string(payload));
    return 1 + (write ? 1 : 0) + (payload + kFlitBytes - 1) / kFlitBytes;
}

uint64_t flits_time(uint64_t flits, unsigned gen, unsigned lanes) {
    generation_info(gen);
    if (lanes == 0 || lanes > kMaxLanes)
        throw std::invalid_argument("nvlink: flit time needs 1 to 8 lanes");
    // bits x 1e12 ps/s / (kb/s x 1e3) = bits x 1e9 / kb/s.
    unsigned __int128 num = (unsigned __int128)flits * kFlitBytes * 8 * 1'000'000'000;
    return div_round(num, (unsigned __int128)kLaneKbps[gen] * lanes);
}

// --- Names ----------------------------------------------------------------------------

const char* name(State s) {
    switch (s) {
    case State::Off:
        return "OFF";
    case State::Hs:
        return "HS";
    case State::Safe:
        return "SAFE";
    case State::Fault:
        return "FAULT";
    case State::Recovery:
        return "RECOVERY";
    case State::Fail:
        return "FAIL";
    case State::Detect:
        return "DETECT";
    case State::Reset:
        return "RESET";
    case State::Sleep:
        return "SLEEP";
    case State::InitPhase1:
        return "INITPHASE1";
    case State::InitNegotiate:
        return "INITNEGOTIATE";
    case State::InitOptimize:
        return "INITOPTIMIZE";
    case State::InitTl:
        return "INITTL";
    }
    return "?";
}

const char* name(End e) {
    return e == End::A ? "A" : "B";
}

const char* name(Command c) {
    switch (c) {
    case Command::InitPhase1:
        return "INITPHASE1";
    case Command::RxDet:
        return "RXDET";
    case Command::Safe:
        return "SAFE";
    case Command::InitNegotiate:
        return "INITNEGOTIATE";
    case Command::InitOptimize:
        return "INITOPTIMIZE";
    case Command::InitTl:
        return "INITTL";
    case Command::Hs:
        return "HS";
    case Command::Off:
        return "OFF";
    case Command::Sleep:
        return "SLEEP";
    case Command::Wake:
        return "WAKE";
    case Command::Reset:
        return "RESET";
    }
    return "?";
}

const char* name(EventKind k) {
    switch (k) {
    case EventKind::StateChange:
        return "state change";
    case EventKind::TrainingComplete:
        return "training complete";
    case EventKind::TrainingFailed:
        return "training failed";
    case EventKind::Replay:
        return "replay";
    case EventKind::Recovery:
        return "recovery";
    case EventKind::LinkDown:
        return "link down (Xid 74)";
    case EventKind::CommandRejected:
        return "command rejected";
    }
    return "?";
}

// --- Configuration ------------------------------------------------------------------------

std::string validate(const LinkConfig& c) {
    for (unsigned i = 0; i < 2; ++i) {
        const EndConfig& e = c.ends[i];
        if (auto m = check_generation(e.max_generation); !m.empty())
            return end_name(i) + ".max_generation: " + m;
        if (e.lanes > kMaxLanes)
            return end_name(i) + ".lanes must be 0 (the generation's full count) or 1 to 8, not " +
                   std::to_string(e.lanes);
        for (unsigned l : e.failed_lanes)
            if (l >= kMaxLanes)
                return end_name(i) + ".failed_lanes: lane " + std::to_string(l) +
                       " does not exist: lanes are 0 to 7";
    }
    const LinkFaults& f = c.faults;
    for (auto [field, rate] :
         {std::pair{"crc_error_rate", f.crc_error_rate}, {"ecc_error_rate", f.ecc_error_rate}})
        if (!(rate >= 0 && rate < 1))
            return std::string("faults.") + field + " must be at least 0 and below 1, not " +
                   std::to_string(rate);
    for (uint64_t n : f.crc_error_at)
        if (n == 0) return "faults.crc_error_at: flit ordinals count from 1";
    if (f.train_fails_in && !training_state(*f.train_fails_in))
        return std::string("faults.train_fails_in must be INITPHASE1, DETECT, SAFE, "
                           "INITNEGOTIATE, INITOPTIMIZE or INITTL, not ") +
               name(*f.train_fails_in);
    if (c.replay_threshold < 1 || c.replay_threshold > 255)
        return "replay_threshold must be 1 to 255, not " + std::to_string(c.replay_threshold);
    if (c.recovery_threshold < 1 || c.recovery_threshold > 255)
        return "recovery_threshold must be 1 to 255, not " + std::to_string(c.recovery_threshold);
    if (c.rx_buffer_flits < kMaxFlits || c.rx_buffer_flits > 65'536)
        return "rx_buffer_flits must be 18 (the largest packet) to 65536, not " +
               std::to_string(c.rx_buffer_flits);
    const LinkTimes& t = c.times;
    for (auto [field, v] : {std::pair{"off_timeout", t.off_timeout},
                            {"safe_timeout", t.safe_timeout},
                            {"hs_timeout", t.hs_timeout},
                            {"post_hs_timeout", t.post_hs_timeout}})
        if (v == 0) return std::string("times.") + field + " must be above 0";
    return {};
}

// --- The link ------------------------------------------------------------------------------

Link::Link(const LinkConfig& config, uint64_t seed) : cfg_(config) {
    if (auto e = validate(cfg_); !e.empty()) throw std::invalid_argument("nvlink link: " + e);
    std::sort(cfg_.faults.crc_error_at.begin(), cfg_.faults.crc_error_at.end());
    // One stream per direction and kind, so that one direction's traffic (or
    // the ECC draws) never moves the other's CRC errors.
    crc_rng_[0] = RandomStream(seed, "crc.from_a");
    crc_rng_[1] = RandomStream(seed, "crc.from_b");
    ecc_rng_[0] = RandomStream(seed, "ecc.from_a");
    ecc_rng_[1] = RandomStream(seed, "ecc.from_b");
    const LinkFaults& f = cfg_.faults;
    if (f.link_down_at) timed_faults_.push_back({f.link_down_at, false});
    if (f.remote_unresponsive_at) timed_faults_.push_back({f.remote_unresponsive_at, true});
    std::stable_sort(timed_faults_.begin(), timed_faults_.end(),
                     [](const TimedFault& a, const TimedFault& b) { return a.time < b.time; });
}

unsigned Link::target_generation() const {
    return std::min(cfg_.ends[0].max_generation, cfg_.ends[1].max_generation);
}

bool Link::ali() const {
    return generation_info(target_generation()).ali && cfg_.ends[0].ali && cfg_.ends[1].ali;
}

std::optional<uint64_t> Link::remote_id(End e) const {
    if (!cur_.discovered) return std::nullopt;
    return cfg_.ends[idx(other(e))].id;
}

bool Link::lane_failed(unsigned lane) const {
    for (const EndConfig& e : cfg_.ends)
        if (std::find(e.failed_lanes.begin(), e.failed_lanes.end(), lane) != e.failed_lanes.end())
            return true;
    return false;
}

// All the generation's lanes when both ends have them wired and working;
// else, for generations that can, the lower or upper half; else none.
Link::Width Link::negotiate_width() const {
    const GenerationInfo& g = generation_info(target_generation());
    unsigned avail = g.lanes;
    for (const EndConfig& e : cfg_.ends)
        avail = std::min(avail, e.lanes ? e.lanes : g.lanes);
    auto works = [&](unsigned from, unsigned count) {
        for (unsigned l = from; l < from + count; ++l)
            if (l >= avail || lane_failed(l)) return false;
        return true;
    };
    auto mask = [](unsigned from, unsigned count) {
        return static_cast<uint8_t>(((1u << count) - 1) << from);
    };
    if (works(0, g.lanes)) return {g.lanes, mask(0, g.lanes)};
    if (g.narrow) {
        unsigned h = g.lanes / 2;
        if (works(0, h)) return {h, mask(0, h)};
        if (works(h, h)) return {h, mask(h, h)};
    }
    return {};
}

uint64_t Link::timeout_for(State s) const {
    const LinkTimes& t = cfg_.times;
    switch (s) {
    case State::InitPhase1:
        return t.off_timeout;
    case State::InitOptimize:
        return t.hs_timeout;
    case State::InitTl:
        return t.post_hs_timeout;
    default:
        return t.safe_timeout;
    }
}

uint64_t Link::replay_round_trip() const {
    const LinkTimes& t = cfg_.times;
    return t.replay_round_trip ? t.replay_round_trip : 2 * t.wire_latency + t.rx_processing;
}

// --- Time -----------------------------------------------------------------------------------

void Link::input(uint64_t& t) {
    t = std::max(t, now_);
    advance_to(t);
}

void Link::advance_to(uint64_t t) {
    if (t < now_) return;
    for (;;) {
        uint64_t ts = plan_.empty() ? kNever : plan_.front().time;
        uint64_t tf = timed_faults_.empty() ? kNever : timed_faults_.front().time;
        uint64_t te = pending_.empty() ? kNever : pending_.front().time;
        uint64_t m = std::min({ts, tf, te});
        if (m > t) break;
        now_ = m;
        if (ts == m) {
            Step s = std::move(plan_.front());
            plan_.pop_front();
            apply(s);
        } else if (tf == m) {
            TimedFault f = timed_faults_.front();
            timed_faults_.pop_front();
            std::vector<Step> steps = fault_steps(f, cur_);
            if (f.unresponsive && powered_) remote_dead_ = true;
            if (!steps.empty()) {
                plan_.clear();
                half_.reset();
                for (Step& s : steps)
                    plan_.push_back(std::move(s));
            }
        } else {
            Event e = pending_.front();
            pending_.pop_front();
            e.state = cur_.state;
            events_.push_back(e);
        }
    }
    now_ = t;
    // Counter updates: in order of their first time; a burst's packets
    // land one period apart.
    for (CounterUpdate& u : counter_q_) {
        if (u.key > t) break;
        if (u.count && u.time <= t) apply_counter(u, t);
    }
    while (!counter_q_.empty() && counter_q_.front().count == 0)
        counter_q_.pop_front();
}

std::optional<uint64_t> Link::next_event_time() const {
    uint64_t t = std::min({plan_.empty() ? kNever : plan_.front().time,
                           timed_faults_.empty() ? kNever : timed_faults_.front().time,
                           pending_.empty() ? kNever : pending_.front().time});
    if (t == kNever) return std::nullopt;
    return t;
}

std::vector<Event> Link::take_events() {
    std::vector<Event> out;
    out.swap(events_);
    return out;
}

void Link::apply(const Step& s) {
    bool changed = s.status.state != cur_.state;
    cur_ = s.status;
    auto event = [&](EventKind k, End e) {
        Event ev;
        ev.time = s.time;
        ev.kind = k;
        ev.end = e;
        ev.state = cur_.state;
        events_.push_back(ev);
    };
    if (changed) {
        half_.reset();
        event(EventKind::StateChange, End::A);
    }
    for (Event e : s.events) {
        e.state = cur_.state;
        events_.push_back(e);
    }
    for (unsigned i = 0; i < 2; ++i) {
        counters_[i].dl_recovery += s.recoveries[i];
        counters_[i].dl_replay += s.replays[i];
    }
    switch (s.effect) {
    case Effect::None:
        break;
    case Effect::Trained:
        event(EventKind::TrainingComplete, End::A);
        break;
    case Effect::Failed:
        event(EventKind::TrainingFailed, End::A);
        break;
    case Effect::Fault:
        // Each end's driver sees its own Xid 74.
        event(EventKind::LinkDown, End::A);
        event(EventKind::LinkDown, End::B);
        break;
    }
}

void Link::push_event(Event e) {
    auto at = std::upper_bound(pending_.begin(), pending_.end(), e.time,
                               [](uint64_t t, const Event& p) { return t < p.time; });
    pending_.insert(at, e);
}

void Link::push_counter(CounterUpdate u) {
    u.key = u.time;
    auto at = std::upper_bound(counter_q_.begin(), counter_q_.end(), u.key,
                               [](uint64_t t, const CounterUpdate& p) { return t < p.key; });
    counter_q_.insert(at, u);
}

void Link::apply_counter(CounterUpdate& u, uint64_t upto) {
    uint64_t due = u.period == 0 ? u.count : std::min(u.count, (upto - u.time) / u.period + 1);
    Counters& tx = counters_[idx(u.from)];
    Counters& rx = counters_[idx(other(u.from))];
    tx.tl_tx_packets += due * u.packets;
    tx.tl_tx_bytes += due * u.packets * u.payload;
    rx.tl_rx_packets += due * u.packets;
    rx.tl_rx_bytes += due * u.packets * u.payload;
    tx.dl_replay += due * u.replay;
    rx.dl_crc_flit += due * u.crc_flit;
    rx.dl_crc_data += due * u.crc_data;
    if (u.crc_lane >= 0) rx.crc_lane[u.crc_lane] += due;
    if (u.ecc_lane >= 0) rx.ecc_lane[u.ecc_lane] += due;
    u.count -= due;
    u.time += due * u.period;
}

void Link::reset_counters(uint64_t t, End e) {
    input(t);
    counters_[idx(e)] = Counters{};
}

// --- Plans ---------------------------------------------------------------------------------

Link::Status Link::tail_status() const {
    return plan_.empty() ? cur_ : plan_.back().status;
}

uint64_t Link::tail_time() const {
    return plan_.empty() ? now_ : plan_.back().time;
}

void Link::push(uint64_t t, const Status& s, Effect effect) {
    Step step;
    step.time = t;
    step.status = s;
    step.effect = effect;
    plan_.push_back(std::move(step));
}

namespace {
// What a link forgets when it goes down: its training results.
void untrain(auto& s) {
    s.busy = false;
    s.generation = 0;
    s.lanes = 0;
    s.lane_mask = 0;
    s.discovered = s.negotiated = s.optimized = false;
    s.dead = false;
}
} // namespace

std::optional<uint64_t> Link::plan_step(uint64_t t, Status& s, State into, uint64_t duration) {
    s.state = into;
    s.busy = true;
    push(t, s);
    // A remote that stopped answering lets this end initialise its own PHY
    // but nothing that needs the other end.
    bool hangs = cfg_.faults.train_fails_in == into || (remote_dead_ && into != State::InitPhase1);
    if (!hangs) return t + duration;
    Status f = s;
    f.state = State::Fail;
    untrain(f);
    push(t + timeout_for(into), f, Effect::Failed);
    return std::nullopt;
}

// The autonomous sequence from OFF (or from SAFE, after software took an
// ALI link there) to HS.
void Link::plan_ali(uint64_t t, Status s) {
    const LinkTimes& lt = cfg_.times;
    auto step = [&](State into, uint64_t duration) {
        auto end = plan_step(t, s, into, duration);
        if (end) t = *end;
        return end.has_value();
    };
    auto fail = [&] {
        s.state = State::Fail;
        untrain(s);
        push(t, s, Effect::Failed);
    };
    if (s.state != State::Safe || !s.negotiated) {
        if (!step(State::InitPhase1, lt.init_phase1) || !step(State::Detect, lt.rx_detect)) return;
        if (!negotiate_width().lanes) return fail();
        if (!step(State::Safe, lt.safe)) return;
        s.discovered = true;
        if (!step(State::InitNegotiate, lt.init_negotiate)) return;
        s.negotiated = true;
        s.generation = target_generation();
        s.state = State::Safe;
        push(t, s);
    }
    if (!step(State::InitOptimize, lt.init_optimize)) return;
    s.optimized = true;
    if (!step(State::InitTl, lt.init_tl)) return;
    t += lt.high_speed;
    Width w = negotiate_width();
    if (!w.lanes) return fail();
    s.state = State::Hs;
    s.busy = false;
    s.lanes = w.lanes;
    s.lane_mask = w.mask;
    push(t, s, Effect::Trained);
}

bool Link::both_needed(Command c) const {
    switch (c) {
    case Command::InitPhase1:
    case Command::RxDet:
    case Command::InitNegotiate:
    case Command::InitOptimize:
    case Command::InitTl:
    case Command::Sleep:
        return true;
    case Command::Safe:
        return cur_.state == State::Detect;
    case Command::Hs:
        return !ali();
    default:
        return false;
    }
}

bool Link::valid_now(Command c) const {
    if (!powered_) return false;
    if (c == Command::Off || c == Command::Reset) return true;
    const Status& s = cur_;
    if (s.busy) return false;
    bool al = ali();
    bool late = target_generation() >= 3; // INITPHASE1, INITNEGOTIATE, INITOPTIMIZE, INITTL
    switch (c) {
    case Command::InitPhase1:
        return !al && late && s.state == State::Off;
    case Command::RxDet:
        return !al && s.state == (late ? State::InitPhase1 : State::Off);
    case Command::Safe:
        return (!al && s.state == State::Detect) || s.state == State::Hs;
    case Command::InitNegotiate:
        return !al && late && s.state == State::Safe && !s.negotiated;
    case Command::InitOptimize:
        return !al && late && s.state == State::Safe && s.negotiated && !s.optimized;
    case Command::InitTl:
        return !al && late && s.state == State::Safe && s.optimized;
    case Command::Hs:
        if (al) return s.state == State::Off || s.state == State::Safe;
        return late ? s.state == State::InitTl : s.state == State::Safe && s.discovered;
    case Command::Sleep:
        return s.state == State::Hs;
    case Command::Wake:
        return s.state == State::Sleep;
    default:
        return false;
    }
}

void Link::reject(End e, Command c) {
    Event ev;
    ev.time = now_;
    ev.kind = EventKind::CommandRejected;
    ev.end = e;
    ev.state = cur_.state;
    ev.command = c;
    events_.push_back(ev);
}

bool Link::command(uint64_t t, End e, Command c) {
    input(t);
    if (!valid_now(c)) {
        reject(e, c);
        return false;
    }
    if (both_needed(c)) {
        if (!half_ || half_->second != c || half_->first == e) {
            half_ = std::pair{e, c};
            return true; // waits for the other end
        }
    }
    half_.reset();
    software_step(t, c);
    advance_to(t);
    return true;
}

// Plans the step command c starts at t (both ends have given it where it
// needs both).
void Link::software_step(uint64_t t, Command c) {
    const LinkTimes& lt = cfg_.times;
    plan_.clear();
    Status s = cur_;
    auto rest = [&](uint64_t end, State state) {
        s.state = state;
        s.busy = false;
        push(end, s);
    };
    auto fail = [&](uint64_t at) {
        s.state = State::Fail;
        untrain(s);
        push(at, s, Effect::Failed);
    };
    switch (c) {
    case Command::InitPhase1:
        if (auto end = plan_step(t, s, State::InitPhase1, lt.init_phase1))
            rest(*end, State::InitPhase1);
        break;
    case Command::RxDet:
        if (auto end = plan_step(t, s, State::Detect, lt.rx_detect)) {
            // Receiver detection finds the lanes that have no partner.
            if (!negotiate_width().lanes)
                fail(*end);
            else
                rest(*end, State::Detect);
        }
        break;
    case Command::Safe:
        if (s.state == State::Hs) {
            // Software takes a trained link back to SWCFG: it keeps what
            // discovery and negotiation found, and must optimize again.
            s.state = State::Safe;
            s.lanes = 0;
            s.lane_mask = 0;
            s.optimized = false;
            push(t, s);
        } else if (auto end = plan_step(t, s, State::Safe, lt.safe)) {
            s.discovered = true;
            // Before NVLink 3 there is no negotiation step: SAFE settles it.
            if (target_generation() <= 2) {
                s.negotiated = true;
                s.generation = target_generation();
            }
            rest(*end, State::Safe);
        }
        break;
    case Command::InitNegotiate:
        if (auto end = plan_step(t, s, State::InitNegotiate, lt.init_negotiate)) {
            s.negotiated = true;
            s.generation = target_generation();
            rest(*end, State::Safe);
        }
        break;
    case Command::InitOptimize:
        if (auto end = plan_step(t, s, State::InitOptimize, lt.init_optimize)) {
            s.optimized = true;
            rest(*end, State::Safe);
        }
        break;
    case Command::InitTl:
        if (auto end = plan_step(t, s, State::InitTl, lt.init_tl)) rest(*end, State::InitTl);
        break;
    case Command::Hs:
        if (ali()) {
            plan_ali(t, s);
        } else {
            // The TX sublinks, then the DL, go to HS; the state shows HS
            // only once data can flow.
            s.busy = true;
            push(t, s);
            Width w = negotiate_width();
            if (!w.lanes) {
                fail(t + lt.high_speed);
                break;
            }
            s.state = State::Hs;
            s.busy = false;
            s.lanes = w.lanes;
            s.lane_mask = w.mask;
            push(t + lt.high_speed, s, Effect::Trained);
        }
        break;
    case Command::Off:
        untrain(s);
        s.state = State::Off;
        push(t, s);
        break;
    case Command::Sleep:
        s.state = State::Sleep;
        s.busy = true;
        push(t, s);
        rest(t + lt.sleep_entry, State::Sleep);
        break;
    case Command::Wake:
        s.busy = true;
        push(t, s);
        rest(t + lt.sleep_exit, State::Hs);
        break;
    case Command::Reset:
        untrain(s);
        s.state = State::Reset;
        s.busy = true;
        push(t, s);
        s.state = State::Off;
        s.busy = false;
        push(t + lt.reset, s);
        if (ali()) plan_ali(t + lt.reset, s);
        break;
    }
}

void Link::power_on(uint64_t t) {
    input(t);
    if (powered_) return;
    powered_ = true;
    plan_.clear();
    cur_ = Status{};
    if (ali()) plan_ali(t, cur_);
    advance_to(t);
}

void Link::power_off(uint64_t t) {
    input(t);
    if (!powered_) return;
    powered_ = false;
    plan_.clear();
    half_.reset();
    Status s = cur_;
    untrain(s);
    s.state = State::Off;
    push(t, s);
    advance_to(t);
    remote_dead_ = false;
    for (auto& q : credit_back_)
        q.clear();
    replays_of_flit_ = {};
    failed_recoveries_ = {};
}

void Link::fail_lanes(uint64_t t, End e, const std::vector<unsigned>& lanes) {
    for (unsigned l : lanes)
        if (l >= kMaxLanes)
            throw std::invalid_argument("nvlink: lane " + std::to_string(l) +
                                        " does not exist: lanes are 0 to 7");
    input(t);
    auto& failed = cfg_.ends[idx(e)].failed_lanes;
    bool hit = false;
    for (unsigned l : lanes) {
        if (std::find(failed.begin(), failed.end(), l) == failed.end()) failed.push_back(l);
        hit = hit || (cur_.lane_mask & (1u << l));
    }
    // A link that is not up, or is changing, finds out at its next training.
    if (!hit || cur_.state != State::Hs || cur_.busy || !plan_.empty()) return;
    Status s = cur_;
    s.state = State::Recovery;
    s.busy = true;
    push(t, s);
    plan_.back().events.push_back(Event{t, EventKind::Recovery, e, State::Recovery});
    plan_.back().recoveries[idx(e)] = 1;
    Width w = negotiate_width();
    uint64_t end = t + cfg_.times.recovery;
    if (w.lanes) {
        s.state = State::Hs;
        s.busy = false;
        s.lanes = w.lanes;
        s.lane_mask = w.mask;
        push(end, s);
    } else {
        untrain(s);
        s.state = State::Fault;
        push(end, s, Effect::Fault);
    }
    advance_to(t);
}

// --- Timed faults ------------------------------------------------------------------------------

// What a timed fault does to a link whose status is `at` when it strikes.
std::vector<Link::Step> Link::fault_steps(const TimedFault& f, const Status& at) const {
    std::vector<Step> out;
    auto step = [&](uint64_t t, const Status& s, Effect effect = Effect::None) -> Step& {
        Step st;
        st.time = t;
        st.status = s;
        st.effect = effect;
        out.push_back(std::move(st));
        return out.back();
    };
    Status down = at;
    untrain(down);
    down.state = State::Fault;
    if (!f.unresponsive) {
        if (up(at.state)) step(f.time, down, Effect::Fault);
        return out;
    }
    Status dead = at;
    dead.dead = true;
    if (up(at.state)) {
        // The live end's DL replays what is never acknowledged, then tries
        // recovery, which cannot complete without its partner.
        End live = other(cfg_.faults.unresponsive_end);
        uint64_t t = f.time, rt = replay_round_trip();
        step(t, dead);
        for (unsigned k = 1; k <= cfg_.replay_threshold; ++k) {
            Step& s = step(t + k * rt, dead);
            s.events.push_back(Event{s.time, EventKind::Replay, live, dead.state});
            s.replays[idx(live)] = 1;
        }
        t += cfg_.replay_threshold * rt;
        dead.state = State::Recovery;
        dead.busy = true;
        for (unsigned i = 0; i < cfg_.recovery_threshold; ++i) {
            Step& s = step(t + i * cfg_.times.recovery, dead);
            s.events.push_back(Event{s.time, EventKind::Recovery, live, State::Recovery});
            s.recoveries[idx(live)] = 1;
        }
        step(t + cfg_.recovery_threshold * cfg_.times.recovery, down, Effect::Fault);
    } else if (at.busy && training_state(at.state)) {
        // Training waits for an answer that never comes.
        step(f.time, dead);
        Status fail = at;
        untrain(fail);
        fail.state = State::Fail;
        step(f.time + timeout_for(at.state), fail, Effect::Failed);
    }
    return out;
}

// The status at x >= now(): the plan, and the timed faults that will strike.
Link::Status Link::status_at(uint64_t x) const {
    if (timed_faults_.empty()) return plan_status_at(x);
    Status s = cur_;
    size_t i = 0;
    for (const TimedFault& f : timed_faults_) {
        if (f.time > x) break;
        for (; i < plan_.size() && plan_[i].time <= f.time; ++i)
            s = plan_[i].status;
        std::vector<Step> steps = fault_steps(f, s);
        if (!steps.empty()) {
            for (const Step& st : steps)
                if (st.time <= x) s = st.status;
            return s;
        }
    }
    for (; i < plan_.size() && plan_[i].time <= x; ++i)
        s = plan_[i].status;
    return s;
}

Link::Status Link::plan_status_at(uint64_t x) const {
    Status s = cur_;
    for (const Step& st : plan_) {
        if (st.time > x) break;
        s = st.status;
    }
    return s;
}

namespace {
bool usable(State state, bool dead) {
    return state == State::Hs && !dead;
}
} // namespace

// The times at which the planned status may change after x, in order.
// Candidates only: status_at() says what holds there.
std::optional<uint64_t> Link::usable_from(uint64_t x) const {
    Status s = status_at(x);
    if (usable(s.state, s.dead)) return x;
    std::vector<uint64_t> times;
    for (const Step& st : plan_)
        if (st.time > x) times.push_back(st.time);
    for (const TimedFault& f : timed_faults_)
        for (const Step& st : fault_steps(f, plan_status_at(f.time)))
            if (st.time > x) times.push_back(st.time);
    std::sort(times.begin(), times.end());
    for (uint64_t t : times) {
        Status n = status_at(t);
        if (usable(n.state, n.dead)) return t;
    }
    return std::nullopt;
}

// The first time after x at which the link stops being usable (kNever if
// it stays).
uint64_t Link::usable_until(uint64_t x) const {
    if (plan_.empty() && timed_faults_.empty()) return kNever;
    std::vector<uint64_t> times;
    for (const Step& st : plan_)
        if (st.time > x) times.push_back(st.time);
    for (const TimedFault& f : timed_faults_)
        if (f.time > x) {
            times.push_back(f.time);
            for (const Step& st : fault_steps(f, plan_status_at(f.time)))
                if (st.time > x) times.push_back(st.time);
        }
    std::sort(times.begin(), times.end());
    for (uint64_t t : times) {
        Status n = status_at(t);
        if (!usable(n.state, n.dead)) return t;
    }
    return kNever;
}

// Replays exhausted at t: the sender's DL retrains the link (RECOVERY), then
// HS again, unless something already planned takes over before that.
void Link::plan_recovery(uint64_t t, End by) {
    Status before = plan_status_at(t);
    auto at = std::upper_bound(plan_.begin(), plan_.end(), t,
                               [](uint64_t x, const Step& s) { return x < s.time; });
    Step rec;
    rec.time = t;
    rec.status = before;
    rec.status.state = State::Recovery;
    rec.status.busy = true;
    rec.events.push_back(Event{t, EventKind::Recovery, by, State::Recovery});
    rec.recoveries[idx(by)] = 1;
    at = plan_.insert(at, std::move(rec));
    uint64_t end = t + cfg_.times.recovery;
    auto next = std::next(at);
    if (next == plan_.end() || next->time > end) {
        Step hs;
        hs.time = end;
        hs.status = before;
        plan_.insert(next, std::move(hs));
    }
}

// Recovery gave up at t: FAULT, and nothing planned after it happens.
void Link::plan_fault(uint64_t t) {
    while (!plan_.empty() && plan_.back().time >= t)
        plan_.pop_back();
    Status s = tail_status();
    untrain(s);
    s.state = State::Fault;
    push(t, s, Effect::Fault);
}

// --- Data ------------------------------------------------------------------------------------

// The earliest time from t at which the receiver has room for `flits`
// more: each outstanding flit's credit comes back at its recorded time.
uint64_t Link::wait_credits(End from, uint64_t t, unsigned flits) {
    auto& q = credit_back_[idx(from)];
    while (!q.empty() && q.front() <= t)
        q.pop_front();
    size_t room = cfg_.rx_buffer_flits;
    if (q.size() + flits <= room) return t;
    return q[q.size() + flits - room - 1];
}

bool Link::crc_error(End from, uint64_t ordinal, uint64_t at) {
    const LinkFaults& f = cfg_.faults;
    bool err = false;
    if (f.crc_error_rate > 0) err = crc_rng_[idx(from)].uniform() < f.crc_error_rate;
    if (std::binary_search(f.crc_error_at.begin(), f.crc_error_at.end(), ordinal)) err = true;
    if (f.recovery_storm_at && !storm_over_ && at >= f.recovery_storm_at) err = true;
    return err;
}

PacketTiming Link::send(End from, unsigned payload, bool write, uint64_t earliest) {
    const unsigned n = packet_flits(payload, write);
    const unsigned d = idx(from);
    const LinkTimes& lt = cfg_.times;
    PacketTiming r;
    r.flits = n;
    uint64_t t = std::max(earliest, now_);
    unsigned k = 1; // the first flit not yet received good
    bool reserved = false, started = false, fault = false;
    std::array<uint64_t, kMaxFlits + 1> arrival{};
    for (;;) {
        t = std::max(t, pipe_free_[d]);
        auto ready = usable_from(t);
        if (!ready) break;
        t = *ready;
        if (!reserved) {
            // Credits for the whole packet before its header goes out; the
            // receiver keeps them through replays.
            uint64_t c = wait_credits(from, t, n);
            if (c > t) {
                t = c;
                continue;
            }
            reserved = true;
        }
        Status s = status_at(t);
        uint64_t until = usable_until(t);
        if (!started) r.start = t;
        started = true;
        bool again = false;
        for (unsigned j = k; j <= n && !again; ++j) {
            uint64_t flit_end = t + flits_time(j - k + 1, s.generation, s.lanes);
            if (flit_end > until) {
                // The link left HS under the packet: what arrived good is
                // kept, the rest goes again once it is back.
                pipe_free_[d] = until;
                t = until;
                k = j;
                again = true;
                break;
            }
            uint64_t ordinal = ++sent_[d];
            std::vector<unsigned> used = lanes_of(s.lane_mask);
            unsigned lane = used[ordinal % used.size()];
            if (cfg_.faults.ecc_error_rate > 0 && generation_info(s.generation).lane_ecc &&
                ecc_rng_[d].uniform() < cfg_.faults.ecc_error_rate && lane < kMaxEccLanes) {
                CounterUpdate u;
                u.time = flit_end + lt.wire_latency;
                u.from = from;
                u.ecc_lane = static_cast<int>(lane);
                push_counter(u);
            }
            if (!crc_error(from, ordinal, flit_end)) {
                arrival[j] = flit_end + lt.wire_latency;
                continue;
            }
            // The receiver drops it and everything after it and NAKs; the
            // sender goes back to it once the NAK is in.
            CounterUpdate rx;
            rx.time = flit_end + lt.wire_latency;
            rx.from = from;
            rx.crc_flit = 1;
            rx.crc_data = j > (write ? 2u : 1u) ? 1 : 0;
            rx.crc_lane = static_cast<int>(lane);
            push_counter(rx);
            uint64_t nak = flit_end + replay_round_trip();
            CounterUpdate tx;
            tx.time = nak;
            tx.from = from;
            tx.replay = 1;
            push_counter(tx);
            push_event(Event{nak, EventKind::Replay, from, State::Hs, Command::Off, ordinal});
            ++r.replays;
            pipe_free_[d] = nak;
            t = nak;
            k = j;
            again = true;
            if (++replays_of_flit_[d] >= cfg_.replay_threshold) {
                replays_of_flit_[d] = 0;
                if (failed_recoveries_[d] >= cfg_.recovery_threshold) {
                    failed_recoveries_[d] = 0;
                    storm_over_ = storm_over_ || (cfg_.faults.recovery_storm_at &&
                                                  nak >= cfg_.faults.recovery_storm_at);
                    plan_fault(nak);
                    fault = true;
                } else {
                    ++failed_recoveries_[d];
                    plan_recovery(nak, from);
                }
            }
        }
        if (fault) break;
        if (again) continue;
        // Delivered: every flit arrived good.
        uint64_t last = arrival[n] - lt.wire_latency;
        pipe_free_[d] = last;
        r.delivered = true;
        r.end = arrival[n];
        replays_of_flit_[d] = 0;
        failed_recoveries_[d] = 0;
        auto& q = credit_back_[d];
        for (unsigned j = 1; j <= n; ++j) {
            uint64_t back = arrival[j] + lt.rx_processing + lt.wire_latency;
            q.insert(std::upper_bound(q.begin(), q.end(), back), back);
        }
        CounterUpdate u;
        u.time = r.end;
        u.from = from;
        u.packets = 1;
        u.payload = payload;
        push_counter(u);
        break;
    }
    if (!started) r.start = t;
    if (!r.delivered) r.end = t; // when the sender gave up
    return r;
}

bool Link::stable() const {
    return !cfg_.force_per_packet && plan_.empty() && cur_.state == State::Hs && !cur_.busy &&
           !cur_.dead;
}

// Identical packets back to back through the pipe, when no wait, error or
// state change can come between them (docs/nvlink.md, "Serialization").
bool Link::closed_form(End from, uint64_t bytes, bool write, uint64_t earliest,
                       TransferTiming& tt) {
    const LinkFaults& f = cfg_.faults;
    if (!stable() || f.crc_error_rate > 0 || f.ecc_error_rate > 0) return false;
    const unsigned d = idx(from);
    const LinkTimes& lt = cfg_.times;
    uint64_t full = bytes / kMaxPayload, tail = bytes % kMaxPayload;
    uint64_t packets = full + (tail ? 1 : 0);
    unsigned nf = packet_flits(kMaxPayload, write);
    unsigned nt = tail ? packet_flits(static_cast<unsigned>(tail), write) : 0;
    unsigned gen = cur_.generation, lanes = cur_.lanes;
    uint64_t pf = flits_time(nf, gen, lanes), pt = tail ? flits_time(nt, gen, lanes) : 0;
    uint64_t flits = full * nf + nt;
    uint64_t first = sent_[d];
    auto hit = std::upper_bound(f.crc_error_at.begin(), f.crc_error_at.end(), first);
    if (hit != f.crc_error_at.end() && *hit <= first + flits) return false;
    uint64_t t0 = std::max({earliest, now_, pipe_free_[d]});
    uint64_t last_end = t0 + full * pf + pt;
    if (f.recovery_storm_at && !storm_over_ && f.recovery_storm_at <= last_end) return false;
    for (const TimedFault& tf : timed_faults_)
        if (tf.time <= last_end + lt.wire_latency) return false;
    // Credits never make a packet wait: a packet's credits are all back one
    // packet time plus the round trip after it started, so at most c
    // packets (this one included) hold credits when one starts.
    uint64_t credit_trip = 2 * lt.wire_latency + lt.rx_processing;
    uint64_t c = (pf + credit_trip + pf - 1) / pf;
    uint64_t room = cfg_.rx_buffer_flits;
    if (std::min(c, packets) * nf > room) return false;
    auto& q = credit_back_[d];
    while (!q.empty() && q.front() <= t0)
        q.pop_front();
    for (uint64_t p = 0; p < packets && !q.empty(); ++p) {
        uint64_t start = t0 + p * pf;
        auto out = static_cast<uint64_t>(q.end() - std::upper_bound(q.begin(), q.end(), start));
        if (out == 0) break;
        uint64_t mine = p < full ? nf : nt;
        if (out + std::min(p, c - 1) * nf + mine > room) return false;
    }
    tt.start = t0;
    tt.issued = t0 + (packets - 1) * pf;
    tt.end = last_end + lt.wire_latency;
    tt.packets = packets;
    tt.flits = flits;
    pipe_free_[d] = last_end;
    sent_[d] += flits;
    replays_of_flit_[d] = 0;
    failed_recoveries_[d] = 0;
    // The credits that may still be out when the burst ends: the last
    // packets'. Earlier ones are back before anything can wait on them.
    uint64_t from_packet = packets > c + 2 ? packets - c - 2 : 0;
    for (uint64_t p = from_packet; p < packets; ++p) {
        uint64_t start = t0 + p * pf;
        unsigned count = p < full ? nf : nt;
        for (unsigned j = 1; j <= count; ++j)
            q.push_back(start + flits_time(j, gen, lanes) + lt.wire_latency + lt.rx_processing +
                        lt.wire_latency);
    }
    if (full) {
        CounterUpdate u;
        u.time = t0 + pf + lt.wire_latency;
        u.period = pf;
        u.count = full;
        u.from = from;
        u.packets = 1;
        u.payload = kMaxPayload;
        push_counter(u);
    }
    if (tail) {
        CounterUpdate u;
        u.time = tt.end;
        u.from = from;
        u.packets = 1;
        u.payload = tail;
        push_counter(u);
    }
    return true;
}

TransferTiming Link::transfer(End from, uint64_t bytes, bool write, uint64_t earliest) {
    TransferTiming tt;
    tt.delivered = true;
    tt.start = tt.end = tt.issued = std::max(earliest, now_);
    if (bytes == 0 || closed_form(from, bytes, write, earliest, tt)) return tt;
    uint64_t packets = (bytes + kMaxPayload - 1) / kMaxPayload;
    for (uint64_t p = 0; p < packets; ++p) {
        auto payload =
            static_cast<unsigned>(std::min<uint64_t>(kMaxPayload, bytes - p * kMaxPayload));
        PacketTiming r = send(from, payload, write, earliest);
        if (p == 0) tt.start = r.start;
        tt.issued = r.start;
        tt.end = std::max(tt.end, r.end);
        tt.flits += r.flits;
        tt.replays += r.replays;
        if (!r.delivered) {
            // The link is down for good: the rest cannot go either.
            tt.delivered = false;
            break;
        }
    }
    tt.packets = packets;
    return tt;
}

} // namespace nvsoc::nvlink
