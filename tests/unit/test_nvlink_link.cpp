// The NVLink link on its own: generations and rates, flit framing, training
// on both paths (commands before NVLink 4, ALI after) with its timeouts,
// negotiation with failed lanes, the state requests, discovery, each
// direction's serialization and credits, CRC replay, recovery and FAULT, the
// counters, and the closed form against the packet-by-packet path.
// Expected times are computed here from the numbers docs/nvlink.md
// documents, not from the model's helpers.
#include "models/nvlink/link.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <tuple>
#include <vector>

using namespace nvsoc::nvlink;

namespace {

constexpr uint64_t kNs = 1'000, kUs = 1'000'000, kMs = 1'000'000'000;

// docs/nvlink.md, "Generations and rates".
constexpr unsigned kLanes[] = {0, 8, 8, 4, 2, 2};
constexpr double kGbps[] = {0, 20.0, 25.78125, 51.5625, 106.25, 212.5};
// docs/nvlink.md, "Durations and timeouts" (defaults).
constexpr uint64_t kInitPhase1 = 10 * kUs, kRxDetect = 50 * kUs, kSafe = 100 * kUs,
                   kInitNegotiate = 100 * kUs, kInitOptimize = 5 * kMs, kInitTl = 10 * kUs,
                   kHighSpeed = 10 * kUs, kSleepEntry = 10 * kUs, kSleepExit = 1 * kMs,
                   kReset = 10 * kUs, kRecovery = 10 * kUs, kOffTimeout = 1 * kMs,
                   kSafeTimeout = 300 * kMs, kHsTimeout = 8'000 * kMs, kPostHsTimeout = 70 * kMs,
                   kWire = 10 * kNs, kRxProcessing = 5 * kNs, kNakTrip = 2 * kWire + kRxProcessing;
// The whole sequence, OFF to HS, for NVLink 3 and later (ALI or commands).
constexpr uint64_t kTrainLate =
    kInitPhase1 + kRxDetect + kSafe + kInitNegotiate + kInitOptimize + kInitTl + kHighSpeed;
// ... and before NVLink 3: RXDET, SAFE, HS.
constexpr uint64_t kTrainEarly = kRxDetect + kSafe + kHighSpeed;

// Picoseconds `flits` 16-byte flits take on `lanes` lanes of `gen`.
uint64_t flit_ps(uint64_t flits, unsigned gen, unsigned lanes = 0) {
    if (!lanes) lanes = kLanes[gen];
    return uint64_t(std::llround(double(flits) * 128.0 * 1000.0 / (kGbps[gen] * lanes)));
}

LinkConfig both(unsigned gen, bool ali = true) {
    LinkConfig c;
    for (EndConfig& e : c.ends) {
        e.max_generation = gen;
        e.ali = ali;
    }
    c.ends[0].id = 0xa0;
    c.ends[1].id = 0xb0;
    return c;
}

// Advances event by event while a step is under way.
void settle(Link& link) {
    while (link.busy()) {
        auto next = link.next_event_time();
        REQUIRE(next);
        link.advance_to(*next);
    }
}

void command_both(Link& link, Command c) {
    REQUIRE(link.command(link.now(), End::A, c));
    REQUIRE(link.command(link.now(), End::B, c));
    settle(link);
}

// Powers the link on at 0 and trains it: by itself on ALI links, with the
// documented command sequence otherwise. Returns when it rests.
void train(Link& link) {
    link.power_on(0);
    if (link.ali()) return settle(link);
    if (link.target_generation() >= 3) command_both(link, Command::InitPhase1);
    if (link.state() == State::Fail) return;
    command_both(link, Command::RxDet);
    if (link.state() == State::Fail) return;
    command_both(link, Command::Safe);
    if (link.target_generation() >= 3) {
        command_both(link, Command::InitNegotiate);
        command_both(link, Command::InitOptimize);
        command_both(link, Command::InitTl);
    }
    if (link.state() == State::Fail) return;
    command_both(link, Command::Hs);
}

std::vector<Event> of_kind(const std::vector<Event>& events, EventKind k) {
    std::vector<Event> out;
    for (const Event& e : events)
        if (e.kind == k) out.push_back(e);
    return out;
}

std::vector<std::pair<uint64_t, State>> changes(const std::vector<Event>& events) {
    std::vector<std::pair<uint64_t, State>> out;
    for (const Event& e : of_kind(events, EventKind::StateChange))
        out.emplace_back(e.time, e.state);
    return out;
}

} // namespace

// --- Generations and framing --------------------------------------------------------------

TEST_CASE("nvlink link: generations, lane counts and rates are the documented ones") {
    const double gb_per_s[] = {0, 20.0, 25.78125, 25.78125, 26.5625, 53.125};
    for (unsigned g = 1; g <= 5; ++g) {
        const GenerationInfo& info = generation_info(g);
        CHECK(info.generation == g);
        CHECK(info.lanes == kLanes[g]);
        CHECK(info.lane_gbps == kGbps[g]);
        CHECK(info.ali == (g >= 4));
        CHECK(info.narrow == (g <= 3));
        CHECK(info.lane_ecc == (g >= 3));
        CHECK(link_bytes_per_ps(g, kLanes[g]) == Approx(gb_per_s[g] / 1000).epsilon(1e-12));
        CHECK(check_generation(g).empty());
    }
    CHECK(check_generation(0) == "NVLink generation must be 1 (P100), 2 (V100), 3 (A100), "
                                 "4 (H100) or 5 (B200), not 0");
    CHECK(check_generation(6).find("not 6") != std::string::npos);
    CHECK_THROWS_AS(generation_info(0), std::invalid_argument);
    CHECK_THROWS_AS(generation_info(6), std::invalid_argument);
}

TEST_CASE("nvlink link: packets are a header flit, an address flit for writes and data flits") {
    struct Case {
        unsigned payload;
        bool write;
        unsigned flits;
    };
    for (Case c : {Case{0, false, 1},
                   {0, true, 2},
                   {1, false, 2},
                   {1, true, 3},
                   {16, false, 2},
                   {16, true, 3},
                   {17, false, 3},
                   {17, true, 4},
                   {255, false, 17},
                   {255, true, 18},
                   {256, false, 17},
                   {256, true, 18}}) {
        INFO("payload " << c.payload << (c.write ? " write" : " read"));
        CHECK(packet_flits(c.payload, c.write) == c.flits);
    }
    CHECK_THROWS_AS(packet_flits(257, false), std::invalid_argument);
    Link link(both(4));
    train(link);
    CHECK_THROWS_AS(link.send(End::A, 257, false, 0), std::invalid_argument);
}

// --- Training ---------------------------------------------------------------------------------

TEST_CASE("nvlink link: NVLink 4 and 5 train by themselves (ALI) from power-on") {
    for (unsigned g : {4u, 5u}) {
        INFO("generation " << g);
        Link link(both(g));
        CHECK(link.ali());
        CHECK(link.state() == State::Off);
        link.power_on(0);
        CHECK(link.state() == State::InitPhase1);
        settle(link);
        const uint64_t t1 = kInitPhase1, t2 = t1 + kRxDetect, t3 = t2 + kSafe,
                       t4 = t3 + kInitNegotiate, t5 = t4 + kInitOptimize, t6 = t5 + kInitTl;
        std::vector<std::pair<uint64_t, State>> want = {
            {0, State::InitPhase1},     {t1, State::Detect},         {t2, State::Safe},
            {t3, State::InitNegotiate}, {t4, State::Safe},           {t4, State::InitOptimize},
            {t5, State::InitTl},        {t6 + kHighSpeed, State::Hs}};
        auto events = link.take_events();
        CHECK(changes(events) == want);
        auto done = of_kind(events, EventKind::TrainingComplete);
        REQUIRE(done.size() == 1);
        CHECK(done[0].time == kTrainLate);
        CHECK(link.active());
        CHECK(link.generation() == g);
        CHECK(link.lanes() == 2);
        CHECK(link.lane_mask() == 0x3);
        CHECK_FALSE(link.next_event_time());
    }
}

TEST_CASE("nvlink link: NVLink 1-3, and NVLink 4 without ALI, train by commands") {
    for (unsigned g : {1u, 2u, 3u, 4u}) {
        INFO("generation " << g);
        Link link(both(g, /*ali=*/false));
        CHECK_FALSE(link.ali());
        link.power_on(0);
        CHECK(link.state() == State::Off);
        CHECK_FALSE(link.next_event_time()); // nothing happens without software
        uint64_t t = 0;
        auto step = [&](Command c, State during, State after, uint64_t duration) {
            CHECK(link.command(link.now(), End::A, c));
            CHECK_FALSE(link.busy()); // one end alone does not start it
            CHECK(link.command(link.now(), End::B, c));
            CHECK(link.state() == during);
            settle(link);
            t += duration;
            CHECK(link.now() == t);
            CHECK(link.state() == after);
        };
        if (g >= 3) step(Command::InitPhase1, State::InitPhase1, State::InitPhase1, kInitPhase1);
        step(Command::RxDet, State::Detect, State::Detect, kRxDetect);
        step(Command::Safe, State::Safe, State::Safe, kSafe);
        CHECK(link.generation() == (g >= 3 ? 0u : g)); // settled in SAFE before NVLink 3
        if (g >= 3) {
            step(Command::InitNegotiate, State::InitNegotiate, State::Safe, kInitNegotiate);
            CHECK(link.generation() == g);
            step(Command::InitOptimize, State::InitOptimize, State::Safe, kInitOptimize);
            step(Command::InitTl, State::InitTl, State::InitTl, kInitTl);
        }
        // HS shows only once data can flow.
        step(Command::Hs, g >= 3 ? State::InitTl : State::Safe, State::Hs, kHighSpeed);
        CHECK(t == (g >= 3 ? kTrainLate : kTrainEarly));
        CHECK(link.lanes() == kLanes[g]);
        CHECK(of_kind(link.take_events(), EventKind::TrainingComplete).size() == 1);
    }
}

TEST_CASE("nvlink link: out-of-order commands are refused and logged, never hang") {
    Link link(both(3, false));
    // Unpowered: nothing is accepted.
    CHECK_FALSE(link.command(0, End::A, Command::InitPhase1));
    link.power_on(0);
    link.take_events();
    CHECK_FALSE(link.command(kUs, End::B, Command::RxDet)); // INITPHASE1 first on NVLink 3
    CHECK_FALSE(link.command(kUs, End::A, Command::Hs));
    CHECK_FALSE(link.command(kUs, End::A, Command::Wake));
    CHECK_FALSE(link.command(kUs, End::A, Command::Sleep));
    auto rejected = of_kind(link.take_events(), EventKind::CommandRejected);
    REQUIRE(rejected.size() == 4);
    CHECK(rejected[0] ==
          Event{kUs, EventKind::CommandRejected, End::B, State::Off, Command::RxDet, 0});
    CHECK(rejected[1].command == Command::Hs);
    CHECK(link.state() == State::Off);
    CHECK_FALSE(link.next_event_time());
    // While a step runs, only OFF and RESET are taken.
    CHECK(link.command(2 * kUs, End::A, Command::InitPhase1));
    CHECK(link.command(2 * kUs, End::B, Command::InitPhase1));
    CHECK(link.busy());
    CHECK_FALSE(link.command(3 * kUs, End::A, Command::RxDet));
    CHECK(link.state() == State::InitPhase1);
    settle(link);
    // Skipping a step: SAFE before RXDET.
    CHECK_FALSE(link.command(link.now(), End::A, Command::Safe));
    command_both(link, Command::RxDet);
    command_both(link, Command::Safe);
    CHECK_FALSE(link.command(link.now(), End::A, Command::InitOptimize)); // negotiate first
    CHECK_FALSE(link.command(link.now(), End::A, Command::InitTl));
    // An ALI link takes no training commands.
    Link ali(both(4));
    ali.power_on(0);
    settle(ali);
    ali.take_events();
    for (Command c : {Command::InitPhase1, Command::RxDet, Command::InitNegotiate,
                      Command::InitOptimize, Command::InitTl, Command::Hs, Command::Wake})
        CHECK_FALSE(ali.command(ali.now(), End::A, c));
    CHECK(of_kind(ali.take_events(), EventKind::CommandRejected).size() == 7);
    CHECK(ali.active());
}

TEST_CASE("nvlink link: a hung training step fails after its driver timeout") {
    struct Case {
        State state;
        uint64_t entered; // on an ALI link from power-on at 0
        uint64_t timeout;
    };
    const uint64_t safe_at = kInitPhase1 + kRxDetect, neg_at = safe_at + kSafe,
                   opt_at = neg_at + kInitNegotiate, tl_at = opt_at + kInitOptimize;
    for (Case c : {Case{State::InitPhase1, 0, kOffTimeout},
                   {State::Detect, kInitPhase1, kSafeTimeout},
                   {State::Safe, safe_at, kSafeTimeout},
                   {State::InitNegotiate, neg_at, kSafeTimeout},
                   {State::InitOptimize, opt_at, kHsTimeout},
                   {State::InitTl, tl_at, kPostHsTimeout}}) {
        INFO(name(c.state));
        LinkConfig cfg = both(4);
        cfg.faults.train_fails_in = c.state;
        Link link(cfg);
        link.power_on(0);
        link.advance_to(c.entered + c.timeout - 1);
        CHECK(link.state() == c.state);
        CHECK(link.busy());
        link.advance_to(c.entered + c.timeout);
        CHECK(link.state() == State::Fail);
        CHECK_FALSE(link.busy());
        CHECK(link.lanes() == 0);
        auto failed = of_kind(link.take_events(), EventKind::TrainingFailed);
        REQUIRE(failed.size() == 1);
        CHECK(failed[0].time == c.entered + c.timeout);
        CHECK_FALSE(link.next_event_time());
        CHECK_FALSE(link.send(End::A, 64, true, link.now()).delivered);
        // RESET tries again (and hangs again: the fault is in the link).
        CHECK(link.command(link.now(), End::A, Command::Reset));
        CHECK(link.state() == State::Reset);
        settle(link);
        CHECK(link.state() == State::Fail);
    }
    // The same on the software path, from the command that enters it.
    LinkConfig cfg = both(2, false);
    cfg.faults.train_fails_in = State::Safe;
    Link sw(cfg);
    sw.power_on(0);
    command_both(sw, Command::RxDet);
    command_both(sw, Command::Safe);
    CHECK(sw.state() == State::Fail);
    CHECK(sw.now() == kRxDetect + kSafeTimeout);
    // A state the sequence does not visit changes nothing.
    cfg.faults.train_fails_in = State::InitPhase1;
    Link early(cfg);
    train(early);
    CHECK(early.active());
}

TEST_CASE("nvlink link: negotiation over generations, wired lanes and failed lanes") {
    const std::vector<std::vector<unsigned>> failures = {{}, {0}, {1}, {3}, {7}, {0, 7}, {1, 2}};
    for (unsigned ga = 1; ga <= 5; ++ga)
        for (unsigned gb = 1; gb <= 5; ++gb)
            for (unsigned wired : {0u, 1u, 2u, 4u})
                for (const auto& failed : failures)
                    for (bool at_b : {false, true}) {
                        LinkConfig cfg = both(1);
                        cfg.ends[0].max_generation = ga;
                        cfg.ends[1].max_generation = gb;
                        cfg.ends[0].lanes = wired;
                        cfg.ends[at_b ? 1 : 0].failed_lanes = failed;
                        Link link(cfg);
                        train(link);
                        // Expected from docs/nvlink.md, "Negotiation".
                        unsigned g = std::min(ga, gb), all = kLanes[g];
                        unsigned avail = std::min(all, wired ? wired : all);
                        auto works = [&](unsigned from, unsigned n) {
                            for (unsigned l = from; l < from + n; ++l)
                                if (l >= avail ||
                                    std::find(failed.begin(), failed.end(), l) != failed.end())
                                    return false;
                            return true;
                        };
                        unsigned lanes = 0, mask = 0;
                        if (works(0, all)) {
                            lanes = all;
                            mask = (1u << all) - 1;
                        } else if (g <= 3 && works(0, all / 2)) {
                            lanes = all / 2;
                            mask = (1u << lanes) - 1;
                        } else if (g <= 3 && works(all / 2, all / 2)) {
                            lanes = all / 2;
                            mask = ((1u << lanes) - 1) << lanes;
                        }
                        INFO("gen " << ga << "/" << gb << " wired " << wired << " failed "
                                    << failed.size() << (at_b ? " at B" : " at A"));
                        if (lanes) {
                            CHECK(link.state() == State::Hs);
                            CHECK(link.generation() == g);
                            CHECK(link.lanes() == lanes);
                            CHECK(link.lane_mask() == mask);
                        } else {
                            CHECK(link.state() == State::Fail);
                            CHECK(of_kind(link.take_events(), EventKind::TrainingFailed).size() ==
                                  1);
                        }
                    }
}

TEST_CASE("nvlink link: ALI links go to SLEEP, SAFE and OFF and back on request") {
    Link link(both(4));
    train(link);
    uint64_t t = link.now();
    link.take_events();
    // SLEEP needs both ends.
    CHECK(link.command(t, End::A, Command::Sleep));
    CHECK(link.state() == State::Hs);
    CHECK(link.command(t, End::B, Command::Sleep));
    CHECK(link.state() == State::Sleep);
    CHECK_FALSE(link.active());
    settle(link);
    CHECK(link.now() == t + kSleepEntry);
    CHECK(link.lanes() == 2);
    CHECK_FALSE(link.send(End::A, 256, true, link.now()).delivered);
    // Either end wakes it.
    t = link.now();
    CHECK(link.command(t, End::B, Command::Wake));
    settle(link);
    CHECK(link.state() == State::Hs);
    CHECK(link.now() == t + kSleepExit);
    // SAFE from either end, at once; HS again through the end of ALI.
    t = link.now();
    CHECK(link.command(t, End::A, Command::Safe));
    CHECK(link.state() == State::Safe);
    CHECK(link.lanes() == 0);
    CHECK(link.remote_id(End::A) == 0xb0u);
    CHECK(link.command(t, End::B, Command::Hs));
    settle(link);
    CHECK(link.state() == State::Hs);
    CHECK(link.now() == t + kInitOptimize + kInitTl + kHighSpeed);
    // OFF, and the whole sequence again.
    t = link.now();
    CHECK(link.command(t, End::A, Command::Off));
    CHECK(link.state() == State::Off);
    CHECK_FALSE(link.remote_id(End::A));
    CHECK_FALSE(link.next_event_time()); // software took it off: it stays
    CHECK(link.command(t, End::A, Command::Hs));
    settle(link);
    CHECK(link.active());
    CHECK(link.now() == t + kTrainLate);
    // RESET retrains by itself.
    t = link.now();
    CHECK(link.command(t, End::B, Command::Reset));
    CHECK(link.state() == State::Reset);
    settle(link);
    CHECK(link.active());
    CHECK(link.now() == t + kReset + kTrainLate);
    auto complete = of_kind(link.take_events(), EventKind::TrainingComplete);
    CHECK(complete.size() == 3); // after SAFE, OFF and RESET; not after the wake
    // power off and on: trains again from OFF.
    link.power_off(link.now() + kUs);
    CHECK(link.state() == State::Off);
    CHECK(link.lanes() == 0);
    link.power_on(link.now());
    CHECK(link.state() == State::InitPhase1);
}

TEST_CASE("nvlink link: each end learns its remote by discovery tokens in SAFE") {
    LinkConfig cfg = both(5);
    cfg.ends[0].id = 0x1234'0003;
    cfg.ends[1].id = 0x5678'0011;
    Link link(cfg);
    CHECK_FALSE(link.remote_id(End::A));
    link.power_on(0);
    const uint64_t safe_done = kInitPhase1 + kRxDetect + kSafe;
    link.advance_to(safe_done - 1);
    CHECK(link.state() == State::Safe);
    CHECK_FALSE(link.remote_id(End::A));
    link.advance_to(safe_done);
    CHECK(link.remote_id(End::A) == 0x5678'0011u);
    CHECK(link.remote_id(End::B) == 0x1234'0003u);
    settle(link);
    CHECK(link.remote_id(End::B) == 0x1234'0003u);
    // The software path learns them at the end of its SAFE step.
    Link sw(both(1, false));
    sw.power_on(0);
    command_both(sw, Command::RxDet);
    CHECK_FALSE(sw.remote_id(End::B));
    command_both(sw, Command::Safe);
    CHECK(sw.remote_id(End::B) == 0xa0u);
}

// --- Data ------------------------------------------------------------------------------------

TEST_CASE("nvlink link: a packet takes its flits' serialization plus the wire latency") {
    for (unsigned g = 1; g <= 5; ++g) {
        INFO("generation " << g);
        Link link(both(g));
        train(link);
        uint64_t t = link.now() + 100 * kNs;
        PacketTiming w = link.send(End::A, 256, true, t);
        CHECK(w.delivered);
        CHECK(w.start == t);
        CHECK(w.flits == 18);
        CHECK(w.replays == 0);
        CHECK(w.end == t + flit_ps(18, g) + kWire);
        // The pipe is busy until the last flit is out, not until it lands.
        PacketTiming r = link.send(End::A, 16, false, t);
        CHECK(r.start == t + flit_ps(18, g));
        CHECK(r.end == r.start + flit_ps(2, g) + kWire);
        // The other direction is independent.
        PacketTiming b = link.send(End::B, 0, false, t);
        CHECK(b.start == t);
        CHECK(b.end == t + flit_ps(1, g) + kWire);
    }
}

TEST_CASE("nvlink link: long streams reach the documented share of the link rate") {
    for (unsigned g = 1; g <= 5; ++g) {
        for (bool write : {true, false}) {
            INFO("generation " << g << (write ? " writes" : " reads"));
            Link link(both(g));
            train(link);
            const uint64_t bytes = 1 << 20;
            TransferTiming tt = link.transfer(End::A, bytes, write, link.now());
            CHECK(tt.delivered);
            CHECK(tt.packets == bytes / 256);
            CHECK(tt.flits == tt.packets * (write ? 18 : 17));
            double link_bytes_per_ps_doc = kLanes[g] * kGbps[g] / 8 / 1000;
            double achieved = double(bytes) / double(tt.end - kWire - tt.start);
            double expected = link_bytes_per_ps_doc * 256 / (write ? 288 : 272);
            CHECK(achieved == Approx(expected).epsilon(0.001));
            CHECK(tt.end == tt.start + tt.packets * flit_ps(write ? 18 : 17, g) + kWire);
        }
    }
}

TEST_CASE("nvlink link: a small receive buffer and a long wire limit bandwidth by credits") {
    LinkConfig cfg = both(4);
    cfg.rx_buffer_flits = 36; // two write packets
    cfg.times.wire_latency = 200 * kNs;
    Link link(cfg);
    train(link);
    const uint64_t t0 = link.now(), p = flit_ps(18, 4), trip = 2 * 200 * kNs + kRxProcessing;
    REQUIRE(2 * p < p + trip);
    // Two packets back to back, then each pair waits for the first one's
    // credits: its last flit, the receiver, and the wire back.
    const unsigned n = 40;
    std::vector<PacketTiming> sent;
    for (unsigned i = 0; i < n; ++i)
        sent.push_back(link.send(End::A, 256, true, t0));
    for (unsigned i = 0; i < n; ++i) {
        INFO("packet " << i);
        uint64_t start = t0 + (i / 2) * (p + trip) + (i % 2) * p;
        CHECK(sent[i].start == start);
        CHECK(sent[i].end == start + p + 200 * kNs);
    }
    double achieved = double(n * 256) / double(sent.back().end - 200 * kNs - t0);
    double link_rate = 2 * 106.25 / 8 / 1000;
    CHECK(achieved < 0.5 * link_rate * 256 / 288);
    // A transfer waits the same way (packet by packet: credits bind).
    Link again(cfg);
    train(again);
    TransferTiming tt = again.transfer(End::A, n * 256, true, t0);
    CHECK(tt.end == sent.back().end);
    CHECK(tt.issued == sent.back().start);
    // The default buffer does not bind at the default latencies.
    Link roomy(both(4));
    train(roomy);
    TransferTiming fast = roomy.transfer(End::A, n * 256, true, t0);
    CHECK(fast.end == t0 + n * p + kWire);
}

TEST_CASE("nvlink link: a CRC error replays from the bad flit after the NAK round trip") {
    LinkConfig cfg = both(4);
    cfg.faults.crc_error_at = {3, 20 + 1};
    Link link(cfg);
    train(link);
    link.take_events();
    const uint64_t t0 = link.now();
    // Flit 3 (the first data flit of a write) fails: flits 3..18 go again.
    PacketTiming w = link.send(End::A, 256, true, t0);
    const uint64_t bad_end = t0 + flit_ps(3, 4), nak = bad_end + kNakTrip;
    CHECK(w.delivered);
    CHECK(w.replays == 1);
    CHECK(w.start == t0);
    CHECK(w.end == nak + flit_ps(16, 4) + kWire);
    CHECK(link.flits_sent(End::A) == 19);
    // Ordinal 21 is the second flit of the next read: its header went good.
    PacketTiming r = link.send(End::A, 32, false, t0);
    const uint64_t r_start = w.end - kWire, r_nak = r_start + flit_ps(2, 4) + kNakTrip;
    CHECK(r.start == r_start);
    CHECK(r.end == r_nak + flit_ps(2, 4) + kWire);
    link.advance_to(r.end);
    const Counters& a = link.counters(End::A);
    const Counters& b = link.counters(End::B);
    CHECK(a.dl_replay == 2);
    CHECK(b.dl_replay == 0);
    CHECK(b.dl_crc_flit == 2);
    CHECK(b.dl_crc_data == 2); // flit 3 of a write, flit 2 of a read: both data
    // Each error is counted on lane (ordinal mod lanes) of those in use.
    CHECK(b.crc_lane[1] == 2);
    CHECK(b.crc_lane[0] == 0);
    CHECK(a.dl_crc_flit == 0);
    CHECK(b.tl_rx_packets == 2);
    CHECK(b.tl_rx_bytes == 288);
    auto replays = of_kind(link.take_events(), EventKind::Replay);
    REQUIRE(replays.size() == 2);
    CHECK(replays[0].time == nak);
    CHECK(replays[0].end == End::A);
    CHECK(replays[0].flit == 3);
    CHECK(replays[1].flit == 21);
    // A header flit is not a data flit.
    LinkConfig hc = both(3);
    hc.faults.crc_error_at = {1};
    Link h(hc);
    train(h);
    PacketTiming hp = h.send(End::B, 64, false, h.now());
    h.advance_to(hp.end);
    CHECK(h.counters(End::A).dl_crc_flit == 1);
    CHECK(h.counters(End::A).dl_crc_data == 0);
    CHECK(h.counters(End::A).crc_lane[1] == 1);
}

TEST_CASE("nvlink link: the replay threshold sends the link through RECOVERY") {
    LinkConfig cfg = both(5);
    cfg.faults.crc_error_at = {1, 2, 3, 4}; // the header flit fails four times
    Link link(cfg);
    train(link);
    link.take_events();
    const uint64_t t0 = link.now(), one = flit_ps(1, 5);
    PacketTiming p = link.send(End::B, 256, true, t0);
    const uint64_t rec = t0 + 4 * (one + kNakTrip);
    CHECK(p.delivered);
    CHECK(p.replays == 4);
    CHECK(p.end == rec + kRecovery + flit_ps(18, 5) + kWire);
    link.advance_to(p.end);
    CHECK(link.counters(End::B).dl_recovery == 1);
    CHECK(link.counters(End::B).dl_replay == 4);
    CHECK(link.counters(End::A).dl_crc_flit == 4);
    auto events = link.take_events();
    auto recovery = of_kind(events, EventKind::Recovery);
    REQUIRE(recovery.size() == 1);
    CHECK(recovery[0].time == rec);
    CHECK(recovery[0].end == End::B);
    std::vector<std::pair<uint64_t, State>> want = {{rec, State::Recovery},
                                                    {rec + kRecovery, State::Hs}};
    CHECK(changes(events) == want);
    CHECK(link.active());
}

TEST_CASE("nvlink link: a recovery storm ends in FAULT with Xid 74 on both ends") {
    LinkConfig cfg = both(4);
    Link probe(cfg);
    train(probe);
    const uint64_t t0 = probe.now();
    cfg.faults.recovery_storm_at = t0;
    Link link(cfg);
    train(link);
    link.take_events();
    PacketTiming p = link.send(End::A, 256, true, t0);
    CHECK_FALSE(p.delivered);
    // Four failed tries of the header flit, a recovery; three recoveries;
    // the fourth exhaustion gives up.
    const uint64_t cycle = flit_ps(1, 4) + kNakTrip;
    const uint64_t fault = t0 + 16 * cycle + 3 * kRecovery;
    CHECK(p.replays == 16);
    CHECK(p.end == fault);
    link.advance_to(fault);
    CHECK(link.state() == State::Fault);
    CHECK(link.lanes() == 0);
    CHECK(link.counters(End::A).dl_recovery == 3);
    CHECK(link.counters(End::A).dl_replay == 16);
    CHECK(link.counters(End::B).dl_crc_flit == 16);
    CHECK(link.counters(End::B).tl_rx_packets == 0);
    auto events = link.take_events();
    auto down = of_kind(events, EventKind::LinkDown);
    REQUIRE(down.size() == 2);
    CHECK(down[0].time == fault);
    CHECK(down[0].end == End::A);
    CHECK(down[1].end == End::B);
    CHECK(of_kind(events, EventKind::Recovery).size() == 3);
    // Nothing is delivered until software retrains; then the storm is over.
    CHECK_FALSE(link.send(End::B, 16, false, link.now()).delivered);
    CHECK(link.command(link.now(), End::B, Command::Reset));
    settle(link);
    CHECK(link.active());
    CHECK(link.send(End::A, 256, true, link.now()).delivered);
}

TEST_CASE("nvlink link: link_down_at takes an up link to FAULT at that time") {
    LinkConfig cfg = both(4);
    const uint64_t down = kTrainLate + 2 * kUs;
    cfg.faults.link_down_at = down;
    Link link(cfg);
    train(link);
    CHECK(link.next_event_time() == down);
    const uint64_t p = flit_ps(18, 4);
    PacketTiming before = link.send(End::A, 256, true, down - p);
    CHECK(before.delivered);
    PacketTiming across = link.send(End::A, 256, true, down - p / 2);
    CHECK_FALSE(across.delivered);
    link.advance_to(down);
    CHECK(link.state() == State::Fault);
    auto events = link.take_events();
    CHECK(of_kind(events, EventKind::LinkDown).size() == 2);
    CHECK(of_kind(events, EventKind::LinkDown)[0].time == down);
    CHECK_FALSE(link.send(End::A, 0, false, down).delivered);
    CHECK_FALSE(link.transfer(End::B, 4096, true, down).delivered);
    // Reset: RESET, then ALI from OFF.
    CHECK(link.command(down, End::A, Command::Reset));
    settle(link);
    CHECK(link.active());
    CHECK(link.now() == down + kReset + kTrainLate);
    // A link that is not up when the time comes is not affected.
    cfg.faults.link_down_at = kUs;
    Link training(cfg);
    train(training);
    CHECK(training.active());
}

TEST_CASE("nvlink link: an unresponsive remote is noticed by replays, recovery fails, FAULT") {
    LinkConfig cfg = both(5);
    const uint64_t u = kTrainLate + 1 * kUs;
    cfg.faults.remote_unresponsive_at = u;
    cfg.faults.unresponsive_end = End::B;
    Link link(cfg);
    train(link);
    link.take_events();
    // A packet sent after the remote went quiet is never delivered.
    PacketTiming p = link.send(End::A, 64, true, u);
    CHECK_FALSE(p.delivered);
    const uint64_t rec = u + 4 * kNakTrip, fault = rec + 3 * kRecovery;
    link.advance_to(fault);
    CHECK(link.state() == State::Fault);
    auto events = link.take_events();
    auto replays = of_kind(events, EventKind::Replay);
    REQUIRE(replays.size() == 4);
    CHECK(replays[0].time == u + kNakTrip);
    CHECK(replays[3].time == rec);
    CHECK(replays[0].end == End::A);
    auto recoveries = of_kind(events, EventKind::Recovery);
    REQUIRE(recoveries.size() == 3);
    CHECK(recoveries[0].time == rec);
    CHECK(recoveries[2].time == rec + 2 * kRecovery);
    CHECK(of_kind(events, EventKind::LinkDown).size() == 2);
    CHECK(of_kind(events, EventKind::LinkDown)[0].time == fault);
    CHECK(link.counters(End::A).dl_replay == 4);
    CHECK(link.counters(End::A).dl_recovery == 3);
    CHECK(link.counters(End::B).dl_recovery == 0);
    // Retraining cannot reach a silent remote: DETECT times out.
    CHECK(link.command(fault, End::A, Command::Reset));
    settle(link);
    CHECK(link.state() == State::Fail);
    CHECK(link.now() == fault + kReset + kInitPhase1 + kSafeTimeout);
    // Power cycling both ends brings the remote back.
    link.power_off(link.now());
    link.power_on(link.now());
    settle(link);
    CHECK(link.active());
}

TEST_CASE("nvlink link: a lane failing under traffic narrows the link or faults it") {
    // NVLink 3 runs on half its lanes: lane 1 lost leaves lanes 2-3.
    Link g3(both(3));
    train(g3);
    uint64_t t = g3.now();
    g3.take_events();
    g3.fail_lanes(t, End::A, {1});
    CHECK(g3.state() == State::Recovery);
    g3.advance_to(t + kRecovery);
    CHECK(g3.state() == State::Hs);
    CHECK(g3.lanes() == 2);
    CHECK(g3.lane_mask() == 0xc);
    CHECK(g3.counters(End::A).dl_recovery == 1);
    PacketTiming p = g3.send(End::A, 256, true, g3.now());
    CHECK(p.end == p.start + flit_ps(18, 3, 2) + kWire);
    // NVLink 4 cannot: FAULT.
    Link g4(both(4));
    train(g4);
    t = g4.now();
    g4.fail_lanes(t, End::B, {0});
    g4.advance_to(t + kRecovery);
    CHECK(g4.state() == State::Fault);
    CHECK(of_kind(g4.take_events(), EventKind::LinkDown).size() == 2);
    // A lane the link does not use changes nothing; a retrain sees them all.
    Link g1(both(1, false));
    train(g1);
    g1.fail_lanes(g1.now(), End::A, {5});
    CHECK(g1.state() == State::Recovery);
    g1.advance_to(g1.now() + kRecovery);
    CHECK(g1.lanes() == 4);
    CHECK(g1.lane_mask() == 0x0f);
    CHECK_THROWS_AS(g1.fail_lanes(g1.now(), End::A, {8}), std::invalid_argument);
}

// Errors are drawn per flit transmission; enough flits that 5% is more
// than three standard deviations of the count (sqrt(n) of n errors).
TEST_CASE("nvlink link: a seeded CRC error rate lands within 5% of rate x flits") {
    struct Case {
        double rate;
        uint64_t packets;
    };
    for (Case c : {Case{0.01, 30'000}, {0.002, 100'000}}) {
        LinkConfig cfg = both(4);
        cfg.faults.crc_error_rate = c.rate;
        Link link(cfg, 42);
        train(link);
        TransferTiming tt = link.transfer(End::A, 256 * c.packets, true, link.now());
        CHECK(tt.delivered);
        link.advance_to(tt.end + kUs);
        uint64_t flits = link.flits_sent(End::A);
        CHECK(flits >= 18 * c.packets);
        const Counters& b = link.counters(End::B);
        INFO("rate " << c.rate << " flits " << flits << " errors " << b.dl_crc_flit);
        CHECK(double(b.dl_crc_flit) == Approx(c.rate * double(flits)).epsilon(0.05));
        CHECK(link.counters(End::A).dl_replay == b.dl_crc_flit);
        CHECK(tt.replays == b.dl_crc_flit);
        CHECK(b.crc_lane[0] + b.crc_lane[1] == b.dl_crc_flit);
        CHECK(b.tl_rx_packets == c.packets);
    }
}

TEST_CASE("nvlink link: counters count what happened by now, and reset per end") {
    LinkConfig cfg = both(3);
    cfg.faults.ecc_error_rate = 0.05;
    Link link(cfg, 7);
    train(link);
    const uint64_t t0 = link.now(), p = flit_ps(17, 3);
    TransferTiming tt = link.transfer(End::B, 10 * 256, false, t0);
    // Five packets in: five counted, at both ends.
    link.advance_to(t0 + 5 * p + kWire);
    CHECK(link.counters(End::B).tl_tx_packets == 5);
    CHECK(link.counters(End::A).tl_rx_packets == 5);
    CHECK(link.counters(End::A).tl_rx_bytes == 5 * 256);
    link.advance_to(tt.end);
    CHECK(link.counters(End::A).tl_rx_packets == 10);
    CHECK(link.counters(End::B).tl_tx_bytes == 2560);
    CHECK(link.counters(End::B).tl_rx_bytes == 0);
    uint64_t ecc = 0;
    for (uint64_t c : link.counters(End::A).ecc_lane)
        ecc += c;
    CHECK(ecc > 0);                                // NVLink 3 counts corrected lane errors ...
    CHECK(link.counters(End::A).dl_crc_flit == 0); // ... which cost no replay
    link.reset_counters(tt.end, End::A);
    CHECK(link.counters(End::A) == Counters{});
    CHECK(link.counters(End::B).tl_tx_packets == 10);
    // Bursts in closed form land one packet at a time too.
    Link closed(both(5));
    train(closed);
    const uint64_t c0 = closed.now(), cp = flit_ps(18, 5);
    TransferTiming ct = closed.transfer(End::A, 1000 * 256, true, c0);
    closed.advance_to(c0 + 300 * cp + kWire - 1);
    CHECK(closed.counters(End::B).tl_rx_packets == 299);
    closed.advance_to(ct.end);
    CHECK(closed.counters(End::B).tl_rx_packets == 1000);
}

// Both paths, the same inputs: transfers of every size in both directions,
// overlapping and not, with errors and credits in play on some links.
TEST_CASE("nvlink link: bursts in closed form match the packet-by-packet path exactly") {
    nvsoc::RandomStream rng(2024);
    for (unsigned trial = 0; trial < 40; ++trial) {
        LinkConfig cfg = both(1 + trial % 5);
        if (trial % 3 == 1) {
            cfg.rx_buffer_flits = 18 + unsigned(rng.next() % 100);
            cfg.times.wire_latency = (rng.next() % 300) * kNs;
        }
        if (trial % 4 == 2) cfg.faults.crc_error_at = {5, 6, 700, 701, 702, 5000};
        if (trial % 7 == 3) cfg.faults.link_down_at = kTrainLate + 50 * kUs;
        LinkConfig forced = cfg;
        forced.force_per_packet = true;
        Link fast(cfg, trial), slow(forced, trial);
        train(fast);
        train(slow);
        uint64_t t = fast.now();
        for (unsigned i = 0; i < 40; ++i) {
            End from = rng.next() % 2 ? End::A : End::B;
            uint64_t bytes = rng.next() % 4 == 0 ? rng.next() % 300 : rng.next() % 300'000;
            bool write = rng.next() % 2;
            t += rng.next() % (20 * kUs);
            INFO("trial " << trial << " transfer " << i);
            TransferTiming a = fast.transfer(from, bytes, write, t);
            TransferTiming b = slow.transfer(from, bytes, write, t);
            REQUIRE(a == b);
            if (rng.next() % 5 == 0) {
                auto payload = unsigned(rng.next() % 257);
                REQUIRE(fast.send(from, payload, write, t) == slow.send(from, payload, write, t));
            }
        }
        uint64_t end = std::max(fast.pipe_free_at(End::A), fast.pipe_free_at(End::B)) + kMs;
        fast.advance_to(end);
        slow.advance_to(end);
        for (End e : {End::A, End::B}) {
            CHECK(fast.counters(e) == slow.counters(e));
            CHECK(fast.flits_sent(e) == slow.flits_sent(e));
            CHECK(fast.pipe_free_at(e) == slow.pipe_free_at(e));
        }
        CHECK(fast.take_events() == slow.take_events());
    }
}

TEST_CASE("nvlink link: the same seed and inputs give the same results") {
    auto run = [](uint64_t seed) {
        LinkConfig cfg = both(4);
        cfg.faults.crc_error_rate = 0.02;
        Link link(cfg, seed);
        train(link);
        std::vector<TransferTiming> out;
        for (unsigned i = 0; i < 20; ++i)
            out.push_back(link.transfer(i % 2 ? End::A : End::B, 4096 + i * 100, i % 3 == 0,
                                        link.now() + i * kUs));
        link.advance_to(link.now() + 10 * kMs);
        return std::tuple{out, link.counters(End::A), link.counters(End::B), link.take_events()};
    };
    CHECK(run(5) == run(5));
    CHECK(std::get<2>(run(5)) != std::get<2>(run(6)));
}

TEST_CASE("nvlink link: bad configurations are refused with the field and allowed values") {
    auto problem = [](auto change) {
        LinkConfig c = both(4);
        change(c);
        return validate(c);
    };
    CHECK(validate(both(4)).empty());
    CHECK(problem([](LinkConfig& c) { c.ends[1].max_generation = 6; }) ==
          "ends[B].max_generation: NVLink generation must be 1 (P100), 2 (V100), 3 (A100), "
          "4 (H100) or 5 (B200), not 6");
    CHECK(problem([](LinkConfig& c) { c.ends[0].lanes = 9; }) ==
          "ends[A].lanes must be 0 (the generation's full count) or 1 to 8, not 9");
    CHECK(problem([](LinkConfig& c) {
              c.ends[0].failed_lanes = {2, 8};
          }) == "ends[A].failed_lanes: lane 8 does not exist: lanes are 0 to 7");
    CHECK(problem([](LinkConfig& c) { c.faults.crc_error_rate = 1; }) ==
          "faults.crc_error_rate must be at least 0 and below 1, not 1.000000");
    CHECK(problem([](LinkConfig& c) {
              c.faults.ecc_error_rate = -0.5;
          }).rfind("faults.ecc_error_rate must be at least 0 and below 1", 0) == 0);
    CHECK(problem([](LinkConfig& c) {
              c.faults.crc_error_at = {3, 0};
          }) == "faults.crc_error_at: flit ordinals count from 1");
    CHECK(problem([](LinkConfig& c) { c.faults.train_fails_in = State::Hs; }) ==
          "faults.train_fails_in must be INITPHASE1, DETECT, SAFE, INITNEGOTIATE, INITOPTIMIZE "
          "or INITTL, not HS");
    CHECK(problem([](LinkConfig& c) { c.replay_threshold = 0; }) ==
          "replay_threshold must be 1 to 255, not 0");
    CHECK(problem([](LinkConfig& c) { c.recovery_threshold = 256; }) ==
          "recovery_threshold must be 1 to 255, not 256");
    CHECK(problem([](LinkConfig& c) { c.rx_buffer_flits = 17; }) ==
          "rx_buffer_flits must be 18 (the largest packet) to 65536, not 17");
    CHECK(problem([](LinkConfig& c) { c.times.safe_timeout = 0; }) ==
          "times.safe_timeout must be above 0");
    LinkConfig bad = both(4);
    bad.rx_buffer_flits = 4;
    CHECK_THROWS_WITH(Link(bad), "nvlink link: rx_buffer_flits must be 18 (the largest packet) "
                                 "to 65536, not 4");
}

TEST_CASE("nvlink link: names follow the open driver's") {
    CHECK(std::string(name(State::Hs)) == "HS");
    CHECK(std::string(name(State::InitNegotiate)) == "INITNEGOTIATE");
    CHECK(static_cast<unsigned>(State::Sleep) == 0x0a);
    CHECK(static_cast<unsigned>(State::InitTl) == 0x1a);
    CHECK(std::string(name(Command::RxDet)) == "RXDET");
    CHECK(std::string(name(EventKind::LinkDown)) == "link down (Xid 74)");
    CHECK(std::string(name(End::B)) == "B");
}
