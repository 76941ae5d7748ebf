// The PCIe link on its own: configuration checks, speed and width
// negotiation with and without faults, the LTSSM's states and timing, the
// management inputs (retrain, disable, hot reset, removal), the bandwidth of
// TLP streams, request splitting, and LCRC errors with their replays.
// Expected times are computed here from the numbers docs/pcie.md documents,
// not from the model's own helpers.
#include "models/pcie/link.h"

#include "models/pcie/config_space.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <initializer_list>
#include <stdexcept>
#include <utility>
#include <vector>

using namespace nvsoc::pcie;

namespace {

constexpr uint64_t kNs = 1'000, kUs = 1'000'000, kMs = 1'000'000'000;

// Documented default durations (docs/pcie.md, "Links and timing").
constexpr uint64_t kDetectQuiet = 12 * kMs, kDetectActive = 10 * kUs, kPollingActive = 65'536 * kNs,
                   kPollingConfig = 1'536 * kNs, kConfiguration = 4'096 * kNs, kDlInit = 1 * kUs,
                   kSpeed = 1 * kUs, kSpeedFailed = 6 * kUs, kEqualization = 2 * kMs,
                   kTimeout24 = 24 * kMs, kHotReset = 2 * kMs;
// From power-on to the first L0 at 2.5 GT/s.
constexpr uint64_t kFirstL0 =
    kDetectQuiet + kDetectActive + kPollingActive + kPollingConfig + kConfiguration;

// One training set: 160 bits at 8b/10b, 130 at 128b/130b, 128 in flit mode.
double ts_ps(unsigned gen) {
    const double gts[] = {0, 2.5, 5, 8, 16, 32, 64};
    double bits = gen <= 2 ? 160 : gen <= 5 ? 130 : 128;
    return bits * 1000 / gts[gen];
}
// Recovery.RcvrLock (16 TS) + RcvrCfg (24) + Idle (1).
uint64_t recovery_ps(unsigned gen) {
    return uint64_t(std::llround(16 * ts_ps(gen))) + uint64_t(std::llround(24 * ts_ps(gen))) +
           uint64_t(std::llround(1 * ts_ps(gen)));
}
// Effective Mb/s per lane: GT/s x encoding (Linux's PCIE_SPEED2MBS_ENC).
double mbps(unsigned gen) {
    const double rates[] = {
        0, 2000, 4000, 8000.0 * 128 / 130, 16000.0 * 128 / 130, 32000.0 * 128 / 130, 64000};
    return rates[gen];
}

LinkConfig both(unsigned speed, unsigned width) {
    LinkConfig c;
    c.downstream = {speed, width};
    c.upstream = {speed, width};
    return c;
}

// Powers the link on at 0 and advances, event by event, until the data link
// layer is up; returns that time (now()).
uint64_t bring_up(Link& link) {
    link.power_on(0);
    while (!link.dll_active()) {
        auto next = link.next_event_time();
        if (!next || *next > 100 * kMs) FAIL("the link did not come up in 100 ms");
        link.advance_to(*next);
    }
    return link.now();
}

std::vector<LinkEvent> of_kind(const std::vector<LinkEvent>& events, LinkEventKind k) {
    std::vector<LinkEvent> out;
    for (const LinkEvent& e : events)
        if (e.kind == k) out.push_back(e);
    return out;
}

using Trace = std::vector<std::pair<uint64_t, LtssmState>>;
void record(Link& link, Trace& trace) {
    link.set_trace([&trace](uint64_t t, LtssmState s) { trace.emplace_back(t, s); });
}
bool visited(const Trace& trace, LtssmState s) {
    return std::any_of(trace.begin(), trace.end(), [s](const auto& p) { return p.second == s; });
}

ConfigSpace root_port(unsigned speed, unsigned width, bool slot = false) {
    Identity id;
    id.vendor_id = 0x1234;
    id.device_id = 0x0001;
    id.class_code = 0x060400;
    ConfigSpace c(id, BridgeOptions{});
    PcieOptions o;
    o.type = PortType::RootPort;
    o.max_link_speed = speed;
    o.max_link_width = width;
    if (slot) o.slot = SlotOptions{};
    c.add_pcie_capability(o);
    return c;
}

uint16_t link_status(const ConfigSpace& c) {
    return c.u16(c.pcie_offset() + pcie_cap::kLinkStatus);
}

} // namespace

// --- Configuration --------------------------------------------------------------

TEST_CASE("pcie-link: speeds and widths outside the allowed values are refused, naming them") {
    for (unsigned s = 1; s <= 6; ++s)
        CHECK(check_speed(s).empty());
    for (unsigned w : {1u, 2u, 4u, 8u, 16u})
        CHECK(check_width(w).empty());
    CHECK(check_speed(0) == "link speed must be a generation 1 (2.5 GT/s), 2 (5 GT/s), 3 (8 GT/s), "
                            "4 (16 GT/s), 5 (32 GT/s) or 6 (64 GT/s), not 0");
    CHECK(check_speed(7).find("not 7") != std::string::npos);
    for (unsigned w : {0u, 3u, 12u, 32u})
        CHECK(check_width(w) ==
              "link width must be x1, x2, x4, x8 or x16, not x" + std::to_string(w));

    LinkConfig c = both(3, 4);
    CHECK(validate(c).empty());
    c.upstream.max_width = 12;
    CHECK(validate(c) == "upstream port: link width must be x1, x2, x4, x8 or x16, not x12");
    CHECK_THROWS_WITH(Link{c}, "pcie link: " + validate(c));
    c = both(3, 4);
    c.downstream.max_speed = 7;
    CHECK(validate(c).rfind("downstream port: link speed must be", 0) == 0);
    c = both(3, 4);
    c.faults.failed_lanes = {16};
    CHECK(validate(c) == "failed lane 16 does not exist: lanes are 0 to 15");
    c = both(3, 4);
    c.faults.tlp[0].lcrc_error_rate = 1.0;
    CHECK(validate(c).rfind("downstream LCRC error rate must be at least 0 and below 1", 0) == 0);
    c = both(3, 4);
    c.faults.tlp[1].lcrc_every_nth = 1;
    CHECK(validate(c).rfind("upstream LCRC error period must be 0 (off) or at least 2", 0) == 0);
    c = both(3, 4);
    c.faults.tlp[1].lcrc_at = {0};
    CHECK(validate(c) == "upstream TLP error ordinals count from 1");
    c = both(3, 4);
    c.times.detect_quiet = 0;
    CHECK(validate(c) == "training time detect_quiet must be above 0");
}

// --- Negotiation -----------------------------------------------------------------

TEST_CASE("pcie-link: every pair of speeds and widths trains to the lower of each") {
    const unsigned widths[] = {1, 2, 4, 8, 16};
    unsigned pairs = 0;
    for (unsigned ds = 1; ds <= 6; ++ds)
        for (unsigned dw : widths)
            for (unsigned us = 1; us <= 6; ++us)
                for (unsigned uw : widths) {
                    LinkConfig c;
                    c.downstream = {ds, dw};
                    c.upstream = {us, uw};
                    Link link(c);
                    link.power_on(0);
                    link.advance_to(100 * kMs);
                    INFO("Gen" << ds << " x" << dw << " with Gen" << us << " x" << uw);
                    REQUIRE(link.state() == LtssmState::L0);
                    CHECK(link.dll_active());
                    CHECK(link.speed() == std::min(ds, us));
                    CHECK(link.width() == std::min(dw, uw));
                    ++pairs;
                }
    CHECK(pairs == 900);
}

TEST_CASE("pcie-link: failed lanes make the link train at the widest width left") {
    auto trained = [](LinkConfig c, std::vector<unsigned> failed) {
        c.faults.failed_lanes = std::move(failed);
        Link link(c);
        link.power_on(0);
        link.advance_to(100 * kMs);
        return link.state() == LtssmState::L0 ? link.width() : 0u;
    };
    LinkConfig x16 = both(4, 16);
    CHECK(trained(x16, {}) == 16);
    CHECK(trained(x16, {13, 14, 15}) == 8); // 13 lanes work: x8
    CHECK(trained(x16, {8}) == 8);
    CHECK(trained(x16, {5}) == 4);
    CHECK(trained(x16, {2, 3}) == 2);
    CHECK(trained(x16, {1}) == 1);
    CHECK(trained(x16, {0}) == 0); // lane 0 is needed without lane reversal
    LinkConfig reversal = x16;
    reversal.lane_reversal = true;
    CHECK(trained(reversal, {0}) == 8); // lanes 15..8, reversed
    CHECK(trained(reversal, {0, 4}) == 8);
    CHECK(trained(reversal, {0, 15}) == 0); // neither end can be logical lane 0
    // Lanes beyond the narrower end's width do not matter.
    LinkConfig narrow;
    narrow.downstream = {4, 16};
    narrow.upstream = {4, 4};
    CHECK(trained(narrow, {8, 9}) == 4);
    CHECK(trained(narrow, {3}) == 2);
}

TEST_CASE("pcie-link: a link whose lane 0 fails goes back to Detect and reports it") {
    LinkConfig c = both(3, 4);
    c.faults.failed_lanes = {0};
    Link link(c);
    Trace trace;
    record(link, trace);
    link.power_on(0);
    link.advance_to(60 * kMs);
    CHECK_FALSE(visited(trace, LtssmState::L0));
    auto failed = of_kind(link.events(), LinkEventKind::TrainingFailed);
    REQUIRE(failed.size() >= 1);
    // Configuration.Linkwidth.Start times out after 24 ms.
    CHECK(failed[0].time ==
          kDetectQuiet + kDetectActive + kPollingActive + kPollingConfig + kTimeout24);
}

TEST_CASE("pcie-link: a speed that fails to train leaves the link at the next lower one") {
    LinkConfig c = both(5, 8);
    Link good(c);
    uint64_t good_up = bring_up(good);
    CHECK(good.speed() == 5);

    c.faults.failing_speed = 5;
    Link link(c);
    uint64_t up = bring_up(link);
    CHECK(link.speed() == 4);
    CHECK(link.width() == 8);
    // The attempt at 32 GT/s cost a RcvrLock timeout, an unsuccessful
    // Recovery.Speed and a Recovery back at 16 GT/s; the 32 GT/s
    // equalization and the final Recovery at 32 GT/s did not happen.
    uint64_t expected =
        good_up + kTimeout24 + kSpeedFailed + recovery_ps(4) - kEqualization - recovery_ps(5);
    CHECK(up == expected);

    // With 8 GT/s failing, Gen4 ends try 8 GT/s, fall back, then take 5 GT/s.
    LinkConfig g4 = both(4, 4);
    g4.faults.failing_speed = 3;
    Link slow(g4);
    bring_up(slow);
    CHECK(slow.speed() == 2);
}

TEST_CASE("pcie-link: training that never completes stays out of L0 and reports each attempt") {
    LinkConfig c = both(4, 8);
    c.faults.training_fails = true;
    Link link(c);
    Trace trace;
    record(link, trace);
    link.power_on(0);
    link.advance_to(100 * kMs);
    CHECK_FALSE(visited(trace, LtssmState::L0));
    CHECK_FALSE(link.dll_active());
    auto failed = of_kind(link.events(), LinkEventKind::TrainingFailed);
    // Detect.Quiet 12 ms + Detect.Active + Polling.Active's 24 ms timeout,
    // over and over.
    uint64_t cycle = kDetectQuiet + kDetectActive + kTimeout24;
    REQUIRE(failed.size() == 100 * kMs / cycle);
    CHECK(failed[0].time == cycle);
    CHECK(failed[1].time == 2 * cycle);
    CHECK(link.training_failures() == failed.size());
    CHECK(of_kind(link.events(), LinkEventKind::LinkUp).empty());
    ConfigSpace rp = root_port(4, 8);
    link.publish(rp);
    CHECK((link_status(rp) & pcie_cap::lnksta::kWidthMask) == 0);
    CHECK((link_status(rp) & pcie_cap::lnksta::kDllLinkActive) == 0);
}

TEST_CASE("pcie-link: no device means Detect forever without a training failure") {
    LinkConfig c = both(3, 4);
    c.device_present = false;
    Link link(c);
    link.power_on(0);
    link.advance_to(100 * kMs);
    CHECK(major(link.state()) == LtssmMajor::Detect);
    CHECK(link.events().empty());
    // Inserting the device lets the next Detect find it.
    link.set_device_present(100 * kMs, true);
    link.advance_to(200 * kMs);
    CHECK(link.state() == LtssmState::L0);
    CHECK(of_kind(link.events(), LinkEventKind::LinkUp).size() == 1);
}

// --- LTSSM timing ----------------------------------------------------------------

TEST_CASE(
    "pcie-link: power-up walks Detect, Polling, Configuration to L0 at the documented times") {
    Link link(both(1, 1));
    Trace trace;
    record(link, trace);
    CHECK(link.state() == LtssmState::Off);
    CHECK_FALSE(link.next_event_time());
    link.power_on(0);
    CHECK(link.state() == LtssmState::DetectQuiet);
    CHECK(link.next_event_time() == kDetectQuiet);
    link.advance_to(kDetectQuiet - 1);
    CHECK(link.state() == LtssmState::DetectQuiet);
    link.advance_to(kDetectQuiet);
    CHECK(link.state() == LtssmState::DetectActive);
    link.advance_to(kDetectQuiet + kDetectActive + 5 * kUs);
    CHECK(link.state() == LtssmState::PollingActive);
    CHECK_FALSE(link.training());
    link.advance_to(kFirstL0 - 1);
    CHECK(link.state() == LtssmState::Configuration);
    CHECK(link.training());
    CHECK(link.width() == 0);
    link.advance_to(kFirstL0);
    CHECK(link.state() == LtssmState::L0);
    CHECK(link.width() == 1);
    CHECK_FALSE(link.dll_active()); // flow-control initialisation still runs
    CHECK(link.next_event_time() == kFirstL0 + kDlInit);
    link.advance_to(kFirstL0 + kDlInit);
    CHECK(link.dll_active());
    CHECK_FALSE(link.next_event_time());

    Trace expected = {
        {0, LtssmState::DetectQuiet},
        {kDetectQuiet, LtssmState::DetectActive},
        {kDetectQuiet + kDetectActive, LtssmState::PollingActive},
        {kDetectQuiet + kDetectActive + kPollingActive, LtssmState::PollingConfiguration},
        {kFirstL0 - kConfiguration, LtssmState::Configuration},
        {kFirstL0, LtssmState::L0}};
    CHECK(trace == expected);
    auto up = of_kind(link.events(), LinkEventKind::LinkUp);
    REQUIRE(up.size() == 1);
    CHECK(up[0].time == kFirstL0 + kDlInit);
    CHECK(up[0].speed == 1);
    CHECK(up[0].width == 1);
}

TEST_CASE("pcie-link: reaching 16 GT/s equalizes at 8 and 16 GT/s through Recovery") {
    Link link(both(4, 4));
    Trace trace;
    record(link, trace);
    uint64_t up = bring_up(link);
    CHECK(link.speed() == 4);
    std::vector<LtssmState> states;
    for (auto& p : trace)
        states.push_back(p.second);
    using S = LtssmState;
    std::vector<S> hop = {
        S::RecoveryRcvrLock, S::RecoveryRcvrCfg, S::RecoverySpeed, S::RecoveryEqualization,
        S::RecoveryRcvrLock, S::RecoveryRcvrCfg, S::RecoveryIdle,  S::L0};
    std::vector<S> expected = {S::DetectQuiet,          S::DetectActive,  S::PollingActive,
                               S::PollingConfiguration, S::Configuration, S::L0};
    // Two hops, 2.5 -> 8 GT/s and 8 -> 16 GT/s. Appended one by one: GCC 12
    // at -O3 reports a false -Warray-bounds inside vector::insert(range).
    for (int change = 0; change < 2; ++change)
        for (S s : hop)
            expected.push_back(s);
    CHECK(states == expected);
    // Each change: RcvrLock and RcvrCfg at the old rate, Recovery.Speed,
    // equalization, RcvrLock, RcvrCfg and Idle at the new rate.
    auto lock_cfg = [](unsigned g) {
        return uint64_t(std::llround(16 * ts_ps(g))) + uint64_t(std::llround(24 * ts_ps(g)));
    };
    uint64_t to_gen3 = lock_cfg(1) + kSpeed + kEqualization + recovery_ps(3);
    uint64_t to_gen4 = lock_cfg(3) + kSpeed + kEqualization + recovery_ps(4);
    CHECK(up == kFirstL0 + to_gen3 + to_gen4 + kDlInit);
    CHECK(up < 20 * kMs);
}

TEST_CASE("pcie-link: even a Gen6 x16 link is up well within Linux's 100 ms") {
    Link link(both(6, 16));
    uint64_t up = bring_up(link);
    CHECK(link.speed() == 6);
    CHECK(link.width() == 16);
    // Four equalizations (8, 16, 32, 64 GT/s) after 12 ms of Detect.Quiet.
    CHECK(up > kDetectQuiet + 4 * kEqualization);
    CHECK(up < kDetectQuiet + 4 * kEqualization + 1 * kMs);
}

// --- Management inputs ------------------------------------------------------------

TEST_CASE("pcie-link: Retrain Link passes through Recovery, sets Link Training, then LBMS") {
    Link link(both(3, 4));
    uint64_t up = bring_up(link);
    link.take_events();
    ConfigSpace rp = root_port(3, 4);
    link.publish(rp);
    CHECK(link_status(rp) ==
          (3 | (4 << 4) | pcie_cap::lnksta::kSlotClock | pcie_cap::lnksta::kDllLinkActive));

    uint64_t t = up + 10 * kUs;
    link.retrain(t);
    CHECK(link.state() == LtssmState::RecoveryRcvrLock);
    link.publish(rp);
    CHECK(link_status(rp) & pcie_cap::lnksta::kLinkTraining);
    CHECK(link_status(rp) & pcie_cap::lnksta::kDllLinkActive); // DL stays up in Recovery
    REQUIRE(link.next_event_time());
    link.advance_to(t + recovery_ps(3) - 1);
    CHECK(link.state() == LtssmState::RecoveryIdle);
    link.advance_to(t + recovery_ps(3));
    CHECK(link.state() == LtssmState::L0);
    auto events = link.take_events();
    REQUIRE(events.size() == 1);
    CHECK(events[0].kind == LinkEventKind::BandwidthChange);
    CHECK_FALSE(events[0].autonomous);
    CHECK(events[0].time == t + recovery_ps(3));
    link.publish(rp);
    Link::apply_event(events[0], rp);
    CHECK_FALSE(link_status(rp) & pcie_cap::lnksta::kLinkTraining);
    CHECK(link_status(rp) & pcie_cap::lnksta::kBandwidthManagement);
    CHECK_FALSE(link_status(rp) & pcie_cap::lnksta::kAutonomousBandwidth);
}

TEST_CASE("pcie-link: Retrain Link moves to Link Control 2's Target Link Speed") {
    Link link(both(3, 4));
    Trace trace;
    record(link, trace);
    uint64_t up = bring_up(link);
    trace.clear();
    link.set_target_speed(up + 1 * kUs, 1);
    CHECK(link.speed() == 3); // nothing happens until the retrain
    link.retrain(up + 2 * kUs);
    link.advance_to(up + 1 * kMs);
    CHECK(link.speed() == 1);
    CHECK(link.state() == LtssmState::L0);
    CHECK(visited(trace, LtssmState::RecoverySpeed));
    // Back to 8 GT/s: already equalized since link-up, so no equalization.
    trace.clear();
    link.set_target_speed(up + 2 * kMs, 3);
    link.retrain(up + 2 * kMs);
    link.advance_to(up + 3 * kMs);
    CHECK(link.speed() == 3);
    CHECK_FALSE(visited(trace, LtssmState::RecoveryEqualization));
    CHECK(of_kind(link.events(), LinkEventKind::BandwidthChange).size() == 2);
}

TEST_CASE("pcie-link: an autonomous width change goes through Configuration and sets LABS") {
    Link link(both(3, 8));
    uint64_t up = bring_up(link);
    link.take_events();
    uint64_t t = up + 5 * kUs;
    REQUIRE(link.autonomous_bandwidth_change(t, 3, 4));
    link.advance_to(t + 16 * 16'250 + 24 * 16'250 + 1); // past RcvrLock and RcvrCfg
    CHECK(link.state() == LtssmState::Configuration);
    link.advance_to(t + 1 * kMs);
    CHECK(link.width() == 4);
    CHECK(link.speed() == 3);
    auto events = link.take_events();
    REQUIRE(events.size() == 1);
    CHECK(events[0].kind == LinkEventKind::BandwidthChange);
    CHECK(events[0].autonomous);
    CHECK(events[0].width == 4);
    CHECK(events[0].time == t + 16 * 16'250 + 24 * 16'250 + kConfiguration);
    ConfigSpace rp = root_port(3, 8);
    Link::apply_event(events[0], rp);
    CHECK(link_status(rp) & pcie_cap::lnksta::kAutonomousBandwidth);
    CHECK_FALSE(link_status(rp) & pcie_cap::lnksta::kBandwidthManagement);
    // Nothing to change: refused.
    CHECK_FALSE(link.autonomous_bandwidth_change(t + 2 * kMs, 3, 4));
}

TEST_CASE("pcie-link: a speed that stops working in use downtrains and sets LBMS") {
    Link link(both(4, 4));
    uint64_t up = bring_up(link);
    link.take_events();
    uint64_t t = up + 1 * kUs;
    link.fail_speed(t, 4);
    link.advance_to(t + kTimeout24 - 1);
    CHECK(link.state() == LtssmState::RecoveryRcvrLock);
    link.advance_to(t + 30 * kMs);
    CHECK(link.speed() == 3);
    CHECK(link.dll_active());
    auto events = link.take_events();
    REQUIRE(events.size() == 1);
    CHECK(events[0].kind == LinkEventKind::BandwidthChange);
    CHECK_FALSE(events[0].autonomous); // to correct unreliable operation: LBMS
    CHECK(events[0].time == t + kTimeout24 + kSpeed + recovery_ps(3));
}

TEST_CASE("pcie-link: lanes that fail in use narrow the link through Configuration") {
    Link link(both(3, 16));
    uint64_t up = bring_up(link);
    link.take_events();
    link.fail_lanes(up + 1 * kUs, {12}); // x16 -> x8
    link.advance_to(up + 30 * kMs);
    CHECK(link.width() == 8);
    auto events = link.take_events();
    REQUIRE(events.size() == 1);
    CHECK(events[0].kind == LinkEventKind::BandwidthChange);
    CHECK(events[0].time == up + 1 * kUs + kTimeout24 + kConfiguration);
    link.fail_lanes(up + 40 * kMs, {12, 14}); // unused now: nothing happens
    CHECK_FALSE(link.next_event_time());
    link.fail_lanes(up + 41 * kMs, {0}); // nothing left: the link goes down
    link.advance_to(up + 70 * kMs);
    CHECK_FALSE(link.dll_active());
    CHECK(of_kind(link.events(), LinkEventKind::SurpriseDown).size() == 1);
}

TEST_CASE("pcie-link: Link Disable takes the link down until it is cleared") {
    Link link(both(3, 4));
    uint64_t up = bring_up(link);
    link.take_events();
    uint64_t t = up + 1 * kMs;
    link.set_link_disable(t, true);
    CHECK(link.state() == LtssmState::RecoveryRcvrLock);
    uint64_t disabled = t + 40 * 16'250; // 16 TS1 and 24 TS at 8 GT/s
    link.advance_to(disabled);
    CHECK(link.state() == LtssmState::Disabled);
    CHECK_FALSE(link.dll_active());
    CHECK(link.width() == 0);
    auto events = link.take_events();
    REQUIRE(events.size() == 1);
    CHECK(events[0].kind == LinkEventKind::LinkDown);
    CHECK(events[0].time == disabled);
    CHECK_FALSE(link.next_event_time()); // it stays disabled
    CHECK_FALSE(link.schedule(Direction::Downstream, 16, disabled + 1).delivered);
    link.advance_to(t + 50 * kMs);
    CHECK(link.state() == LtssmState::Disabled);

    uint64_t cleared = t + 50 * kMs;
    link.set_link_disable(cleared, false);
    CHECK(link.state() == LtssmState::DetectQuiet);
    link.advance_to(cleared + 30 * kMs);
    CHECK(link.state() == LtssmState::L0);
    CHECK(link.dll_active());
    auto again = link.take_events();
    REQUIRE(again.size() == 1);
    CHECK(again[0].kind == LinkEventKind::LinkUp);
    CHECK(again[0].time - cleared == up); // the same training as at power-on
}

TEST_CASE("pcie-link: a secondary bus reset holds Hot Reset for at least 2 ms, then retrains") {
    Link link(both(3, 4));
    uint64_t up = bring_up(link);
    link.take_events();
    uint64_t t = up + 1 * kMs;
    link.set_hot_reset(t, true);
    uint64_t entered = t + 40 * 16'250;
    link.advance_to(entered);
    CHECK(link.state() == LtssmState::HotReset);
    CHECK_FALSE(link.dll_active());
    auto events = link.take_events();
    REQUIRE(events.size() == 2);
    CHECK(events[0].kind == LinkEventKind::LinkDown);
    CHECK(events[1].kind == LinkEventKind::HotReset);
    CHECK(events[1].port == PortSide::Upstream);
    CHECK(events[1].time == entered);
    // Linux clears the bit after 2 ms; Hot Reset lasts 2 ms from its entry.
    link.set_hot_reset(t + 2 * kMs, false);
    CHECK(link.state() == LtssmState::HotReset);
    link.advance_to(entered + kHotReset - 1);
    CHECK(link.state() == LtssmState::HotReset);
    link.advance_to(entered + kHotReset);
    CHECK(link.state() == LtssmState::DetectQuiet);
    link.advance_to(entered + kHotReset + 30 * kMs);
    CHECK(link.state() == LtssmState::L0);
    CHECK(of_kind(link.take_events(), LinkEventKind::LinkUp).size() == 1);

    // Held longer than 2 ms, it stays until the bit clears.
    uint64_t t2 = link.now() + 1 * kMs;
    link.set_hot_reset(t2, true);
    link.advance_to(t2 + 10 * kMs);
    CHECK(link.state() == LtssmState::HotReset);
    CHECK_FALSE(link.next_event_time());
    link.set_hot_reset(t2 + 10 * kMs, false);
    CHECK(link.state() == LtssmState::DetectQuiet);
    CHECK(of_kind(link.events(), LinkEventKind::SurpriseDown).empty());
}

TEST_CASE("pcie-link: a surprise down clears DLLLA after the Recovery timeout and reports it") {
    Link link(both(3, 4));
    uint64_t up = bring_up(link);
    link.take_events();
    ConfigSpace rp = root_port(3, 4, true);
    link.publish(rp);
    unsigned slot_status = rp.pcie_offset() + pcie_cap::kSlotStatus;
    rp.write(slot_status, pcie_cap::sltsta::kDllStateChanged, 2); // clear from link-up
    uint64_t t = up + 1 * kMs;
    link.set_device_present(t, false);
    CHECK(link.state() == LtssmState::RecoveryRcvrLock);
    link.advance_to(t + kTimeout24 - 1);
    CHECK(link.dll_active());
    link.advance_to(t + kTimeout24);
    CHECK_FALSE(link.dll_active());
    CHECK(major(link.state()) == LtssmMajor::Detect);
    auto events = link.take_events();
    REQUIRE(events.size() == 2);
    CHECK(events[0].kind == LinkEventKind::LinkDown);
    CHECK(events[1].kind == LinkEventKind::SurpriseDown);
    CHECK(events[1].port == PortSide::Downstream);
    CHECK(events[1].time == t + kTimeout24);
    auto bit = aer_bit(events[1].kind);
    REQUIRE(bit);
    CHECK(bit->uncorrectable);
    CHECK(bit->mask == aer::kSurpriseDown);
    link.publish(rp);
    for (const LinkEvent& e : events)
        Link::apply_event(e, rp);
    CHECK_FALSE(link_status(rp) & pcie_cap::lnksta::kDllLinkActive);
    CHECK(rp.u16(slot_status) & pcie_cap::sltsta::kDllStateChanged);
    link.advance_to(t + 100 * kMs);
    CHECK(major(link.state()) == LtssmMajor::Detect);
    CHECK(link.events().empty());
}

TEST_CASE("pcie-link: power off brings the link down without a surprise down") {
    Link link(both(2, 2));
    uint64_t up = bring_up(link);
    link.take_events();
    link.power_off(up + 1 * kUs);
    CHECK(link.state() == LtssmState::Off);
    CHECK_FALSE(link.dll_active());
    auto events = link.take_events();
    REQUIRE(events.size() == 1);
    CHECK(events[0].kind == LinkEventKind::LinkDown);
    link.power_on(up + 2 * kUs);
    link.advance_to(up + 50 * kMs);
    CHECK(link.state() == LtssmState::L0);
}

TEST_CASE("pcie-link: a TLP in L1 or L0s waits for the exit latency") {
    Link link(both(3, 4));
    uint64_t up = bring_up(link);
    uint64_t t = up + 1 * kUs;
    REQUIRE(link.enter_l1(t));
    CHECK(link.state() == LtssmState::L1);
    TlpTiming r = link.schedule(Direction::Upstream, 16, t + 5 * kUs);
    CHECK(r.delivered);
    CHECK(r.start == t + 5 * kUs + 10 * kUs);
    link.advance_to(t + 6 * kUs);
    CHECK(major(link.state()) == LtssmMajor::Recovery);
    link.advance_to(r.start);
    CHECK(link.state() == LtssmState::L0);
    uint64_t t2 = r.end + 1 * kUs;
    REQUIRE(link.enter_l0s(t2));
    TlpTiming r2 = link.schedule(Direction::Downstream, 16, t2);
    CHECK(r2.start == t2 + 1 * kUs);
}

// --- TLP timing ------------------------------------------------------------------

TEST_CASE("pcie-link: one TLP's time follows from its bytes, the encoding and the width") {
    // 256-byte write with a 4DW header: 256 + 16 + 8 = 280 bytes, 4 ns each
    // at 2.5 GT/s x1.
    CHECK(tlp_time(272, 1, 1) == 1'120'000);
    CHECK(tlp_time(272, 1, 4) == 280'000);
    CHECK(tlp_time(272, 2, 1) == 560'000);
    // 8 GT/s, 128b/130b: 280 x 8 x 130/128 bits at 8 Gb/s.
    CHECK(tlp_time(272, 3, 1) == 284'375);
    // 64 GT/s flit mode: 272 TLP bytes take 272 x 256/236 flit bytes.
    CHECK(tlp_time(272, 6, 1) == uint64_t(std::llround(272.0 * 256 / 236 * 8 * 1000 / 64)));
    CHECK(effective_rate_mbps(3) == Approx(7876.923).epsilon(1e-6));
    CHECK(encoding(2).data_bits == 8);
    CHECK(encoding(5).line_bits == 130);
    CHECK(flit_mode(6));
    CHECK_FALSE(flit_mode(5));
}

TEST_CASE("pcie-link: a 1 MiB write reaches payload/(payload+overhead) of the raw rate") {
    struct Case {
        unsigned gen, width;
    };
    for (Case k : {Case{5, 16}, Case{3, 4}, Case{1, 1}, Case{6, 16}}) {
        Link link(both(k.gen, k.width));
        uint64_t up = bring_up(link);
        const uint64_t bytes = 1 << 20;
        TransferTiming t =
            link.write(Direction::Downstream, 0x1'0000'0000, bytes, up + 1 * kUs, {});
        CHECK(t.delivered);
        CHECK(t.requests == 4096);
        // MPS 256, 4DW header (16 B), framing 8 B (none in flit mode, where
        // 236 of every 256 flit bytes carry TLPs).
        double efficiency = k.gen == 6 ? 256.0 / (256 + 16) * 236 / 256 : 256.0 / (256 + 16 + 8);
        double raw_bytes_per_ps = mbps(k.gen) * k.width / 8 / 1e6;
        double expected = efficiency * raw_bytes_per_ps;
        double achieved = double(bytes) / double(t.end - t.start);
        INFO("Gen" << k.gen << " x" << k.width);
        CHECK(std::abs(achieved / expected - 1) < 0.001);
        CHECK(t.start == up + 1 * kUs);
    }
}

TEST_CASE("pcie-link: writes split at MPS, reads at MRRS, completions at the RCB") {
    auto w = split_aligned(0x1010, 1000, 256);
    std::vector<Chunk> expected = {{0x1010, 240}, {0x1100, 256}, {0x1200, 256}, {0x1300, 248}};
    CHECK(w == expected);
    CHECK(split_aligned(0, 4096, 512).size() == 8);
    CHECK(split_aligned(0xfff, 2, 4096).size() == 2); // never across 4 KiB
    CHECK(split_aligned(0, 0, 256).empty());
    auto c = split_completions(0x10, 512, 64, 256);
    std::vector<Chunk> cpl = {{0x10, 240}, {0x100, 256}, {0x200, 16}};
    CHECK(c == cpl);
    auto small = split_completions(0x10, 512, 64, 64);
    REQUIRE(small.size() == 9);
    CHECK(small.front() == Chunk{0x10, 48});
    CHECK(small.back() == Chunk{0x200, 16});
    CHECK(split_completions(0, 512, 128, 512).size() == 1);

    Link link(both(3, 4));
    uint64_t up = bring_up(link);
    TransferOptions o;
    o.max_payload = 128;
    o.max_read_request = 512;
    TransferTiming r = link.read(Direction::Upstream, 0x8000'0000, 4096, up, o);
    CHECK(r.requests == 8);
    CHECK(r.completions == 32); // 512 bytes each in four 128-byte completions
    o.max_completion = 64;
    r = link.read(Direction::Upstream, 0x8000'0000, 4096, up, o);
    CHECK(r.completions == 64);
    TransferTiming wr = link.write(Direction::Downstream, 0x20, 1024, up, o);
    CHECK(wr.requests == 9); // 96 bytes to 0x80, seven of 128, the last 32
}

TEST_CASE("pcie-link: a read costs the request, the completion latency and the completions") {
    Link link(both(1, 1));
    uint64_t up = bring_up(link);
    TransferOptions o;
    o.completion_latency = 500 * kNs;
    uint64_t t = up + 1 * kUs;
    TransferTiming r = link.read(Direction::Upstream, 0x1000, 256, t, o);
    REQUIRE(r.delivered);
    // Request: 12-byte header + 8 framing = 20 bytes x 4 ns. Completion:
    // 12 + 256 + 8 = 276 bytes x 4 ns, the other way.
    CHECK(r.start == t);
    CHECK(r.end == t + 80 * kNs + 500 * kNs + 1'104 * kNs);
    CHECK(r.requests == 1);
    CHECK(r.completions == 1);
    CHECK(link.pipe_free_at(Direction::Upstream) == t + 80 * kNs);
    CHECK(link.pipe_free_at(Direction::Downstream) == r.end);
}

TEST_CASE("pcie-link: transfers in one direction queue, opposite directions overlap") {
    Link link(both(3, 4));
    uint64_t up = bring_up(link);
    uint64_t t = up + 1 * kUs;
    TransferTiming a = link.write(Direction::Downstream, 0x1000, 4096, t);
    TransferTiming b = link.write(Direction::Downstream, 0x9000, 4096, t);
    TransferTiming c = link.write(Direction::Upstream, 0x1000, 4096, t);
    CHECK(a.start == t);
    CHECK(b.start == a.end);
    CHECK(b.end - b.start == a.end - a.start);
    CHECK(c.start == t);
    CHECK(c.end == a.end);
    // 16 TLPs of 256 + 12 + 8 bytes at 8 GT/s x4.
    uint64_t one = uint64_t(std::llround(276 * 8 * 1e6 / (mbps(3) * 4)));
    CHECK(a.end - a.start == 16 * one);
    // A later start than the pipe's free time is kept.
    TlpTiming late = link.schedule(Direction::Downstream, 16, b.end + 5 * kUs);
    CHECK(late.start == b.end + 5 * kUs);
}

TEST_CASE("pcie-link: TLPs are not delivered while the data link layer is down") {
    Link link(both(3, 4));
    link.power_on(0);
    link.advance_to(kFirstL0 + 1); // trained, changing speed: DL not up yet
    CHECK_FALSE(link.schedule(Direction::Downstream, 16, link.now()).delivered);
    link.advance_to(100 * kMs);
    CHECK(link.schedule(Direction::Downstream, 16, link.now()).delivered);
}

// --- Errors and replay -----------------------------------------------------------------

TEST_CASE("pcie-link: an LCRC error costs the TLP again plus the NAK latency") {
    LinkConfig c = both(1, 1);
    c.faults.tlp[0].lcrc_at = {3};
    Link link(c);
    uint64_t up = bring_up(link);
    link.take_events();
    uint64_t t = up + 1 * kUs;
    TransferTiming w = link.write(Direction::Downstream, 0, 2048, t);
    const uint64_t tlp = 1'104'000; // 256 + 12 + 8 bytes at 4 ns
    // Ack latency at 2.5 GT/s x1, MPS 256: ((256 + 28) x 1.4 + 19) symbols of 4 ns.
    const uint64_t ack = uint64_t(std::llround(((256 + 28) * 1.4 + 19) * 4000));
    CHECK(ack == 1'666'400);
    CHECK(link.ack_latency() == ack);
    CHECK(link.replay_timeout() == 3 * ack);
    CHECK(w.requests == 8);
    CHECK(w.replays == 1);
    CHECK(w.end == t + 9 * tlp + ack);
    link.advance_to(w.end);
    auto events = link.take_events();
    REQUIRE(events.size() == 1);
    CHECK(events[0].kind == LinkEventKind::BadTlp);
    CHECK(events[0].port == PortSide::Upstream); // the receiver reports it
    CHECK(events[0].time == t + 3 * tlp);
    CHECK(events[0].tlp == 3);
    CHECK(events[0].direction == Direction::Downstream);
    CHECK(link.replay_num(Direction::Downstream) == 0);
    // The other direction has no errors.
    TransferTiming back = link.write(Direction::Upstream, 0, 2048, w.end);
    CHECK(back.replays == 0);
    CHECK(back.end == w.end + 8 * tlp);
}

TEST_CASE("pcie-link: LCRC errors from the seeded RNG repeat with the same seed") {
    LinkConfig c = both(3, 4);
    c.faults.tlp[0].lcrc_error_rate = 0.05;
    auto run = [&](uint64_t seed) {
        Link link(c, seed);
        uint64_t up = bring_up(link);
        link.take_events();
        TransferTiming w = link.write(Direction::Downstream, 0, 1 << 20, up);
        link.advance_to(w.end + 1 * kMs);
        return std::make_pair(w, link.take_events());
    };
    auto [w1, e1] = run(42);
    auto [w2, e2] = run(42);
    auto [w3, e3] = run(43);
    CHECK(e1 == e2);
    CHECK(w1.end == w2.end);
    CHECK(e1 != e3);
    auto bad = of_kind(e1, LinkEventKind::BadTlp);
    CHECK(bad.size() == w1.replays);
    // About 5 % of the 4096 TLPs' transmissions.
    CHECK(bad.size() > 4096 * 3 / 100);
    CHECK(bad.size() < 4096 * 8 / 100);
}

TEST_CASE("pcie-link: every Nth transmission fails when asked") {
    LinkConfig c = both(2, 1);
    c.faults.tlp[1].lcrc_every_nth = 4;
    Link link(c);
    uint64_t up = bring_up(link);
    link.take_events();
    TransferTiming w = link.write(Direction::Upstream, 0, 10 * 256, up);
    link.advance_to(w.end);
    auto bad = of_kind(link.events(), LinkEventKind::BadTlp);
    // Transmissions 4, 8 and 12 of 13 fail (10 TLPs + 3 replays).
    REQUIRE(bad.size() == 3);
    CHECK(bad[0].tlp == 4);
    CHECK(bad[2].tlp == 12);
    CHECK(bad[0].port == PortSide::Downstream);
    CHECK(w.replays == 3);
}

TEST_CASE("pcie-link: a fourth replay of one TLP rolls REPLAY_NUM over and retrains") {
    LinkConfig c = both(1, 1);
    c.faults.tlp[0].lcrc_at = {2, 3, 4, 5};
    Link link(c);
    Trace trace;
    uint64_t up = bring_up(link);
    link.take_events();
    record(link, trace);
    uint64_t t = up + 1 * kUs;
    const uint64_t d = 1'104'000, ack = 1'666'400;
    const uint64_t recovery = 41 * 64'000; // RcvrLock, RcvrCfg, Idle at 2.5 GT/s
    TransferTiming w = link.write(Direction::Downstream, 0, 512, t);
    CHECK(w.replays == 4);
    uint64_t rollover = t + 5 * d + 4 * ack;
    CHECK(w.end == rollover + recovery + d);
    link.advance_to(rollover);
    CHECK(link.state() == LtssmState::RecoveryRcvrLock);
    CHECK(link.training());
    link.advance_to(w.end);
    CHECK(link.state() == LtssmState::L0);
    REQUIRE(trace.size() >= 2);
    CHECK(trace.front() == std::make_pair(rollover, LtssmState::RecoveryRcvrLock));
    auto events = link.take_events();
    auto roll = of_kind(events, LinkEventKind::ReplayNumRollover);
    REQUIRE(roll.size() == 1);
    CHECK(roll[0].time == rollover);
    CHECK(roll[0].port == PortSide::Downstream); // the transmitter
    CHECK(of_kind(events, LinkEventKind::BadTlp).size() == 4);
    CHECK(link.replay_num(Direction::Downstream) == 0);
    // The retrain was for reliability, not software: no bandwidth event.
    CHECK(of_kind(events, LinkEventKind::BandwidthChange).empty());
}

TEST_CASE("pcie-link: a lost Ack shows as Bad DLLP, then the replay timer expires") {
    LinkConfig c = both(1, 1);
    c.faults.tlp[0].ack_lost_at = {1};
    Link link(c);
    uint64_t up = bring_up(link);
    link.take_events();
    uint64_t t = up + 1 * kUs;
    const uint64_t d = 1'104'000, ack = 1'666'400;
    TlpTiming r = link.schedule(Direction::Downstream, 268, t);
    CHECK(r.delivered);
    CHECK(r.end == t + d); // the data arrived the first time
    CHECK(r.transmissions == 2);
    CHECK(link.pipe_free_at(Direction::Downstream) == t + d + 3 * ack + d);
    link.advance_to(t + 10 * kUs);
    auto events = link.take_events();
    REQUIRE(events.size() == 2);
    CHECK(events[0].kind == LinkEventKind::BadDllp);
    CHECK(events[0].time == t + d + ack);
    CHECK(events[1].kind == LinkEventKind::ReplayTimerTimeout);
    CHECK(events[1].time == t + d + 3 * ack);
    CHECK(events[1].port == PortSide::Downstream);
    REQUIRE(aer_bit(events[1].kind));
    CHECK(aer_bit(events[1].kind)->mask == aer::kReplayTimerTimeout);
    CHECK_FALSE(aer_bit(LinkEventKind::LinkUp));
    link.inject_error(t + 20 * kUs, LinkEventKind::ReceiverError, PortSide::Upstream);
    REQUIRE(link.events().size() == 1);
    CHECK(aer_bit(link.events()[0].kind)->mask == aer::kReceiverError);
    CHECK_THROWS_AS(link.inject_error(t + 21 * kUs, LinkEventKind::LinkUp, PortSide::Upstream),
                    std::invalid_argument);
}

// --- Tags and completion credits ---------------------------------------------------------

TEST_CASE("pcie-link: tags and completion credits outside their ranges are refused, naming them") {
    PortConfig p;
    CHECK(p.tags == 256);
    CHECK(p.completion_header_credits == 0);
    CHECK(p.completion_data_credits == 0);
    CHECK(check_requester(p).empty());
    p.tags = 0;
    CHECK(check_requester(p) ==
          "tags must be 1 to 768 (the outstanding reads 10-bit tags allow), not 0");
    p.tags = 769;
    CHECK(check_requester(p).find("not 769") != std::string::npos);
    p.tags = 768;
    CHECK(check_requester(p).empty());
    p.completion_header_credits = 63;
    CHECK(check_requester(p) ==
          "completion_header_credits must be 0 (unlimited) or 64 to 65535 (room for the "
          "completions of one 4096-byte read at least), not 63");
    p.completion_header_credits = 64;
    p.completion_data_credits = 255;
    CHECK(check_requester(p) ==
          "completion_data_credits must be 0 (unlimited) or 256 to 1048575 (16-byte units: room "
          "for one 4096-byte read at least), not 255");
    p.completion_data_credits = 256;
    CHECK(check_requester(p).empty());

    LinkConfig c = both(5, 16);
    c.upstream.tags = 0;
    CHECK(validate(c).rfind("upstream port: tags must be 1 to 768", 0) == 0);
    CHECK_THROWS_WITH(Link{c}, "pcie link: " + validate(c));
    c = both(5, 16);
    c.downstream.completion_data_credits = 100;
    CHECK(validate(c).rfind("downstream port: completion_data_credits must be 0", 0) == 0);
}

TEST_CASE("pcie-link: with one tag each read waits for the last, with two the completions fill "
          "their direction") {
    // Gen1 x1: 4 ns a byte. A 512-byte read request at MRRS 512 and MPS 256:
    // the request 12 + 8 bytes (80 ns), two completions of 12 + 256 + 8
    // bytes (1104 ns each), 500 ns between the request's arrival and the
    // first completion.
    const uint64_t request = 80 * kNs, completions = 2 * 1'104 * kNs, latency = 500 * kNs;
    TransferOptions o;
    o.completion_latency = latency;
    const uint64_t n = 16;
    {
        LinkConfig c = both(1, 1);
        c.upstream.tags = 1;
        Link link(c);
        uint64_t t = bring_up(link) + 1 * kUs;
        TransferTiming r = link.read(Direction::Upstream, 0x8000'0000, n * 512, t, o);
        CHECK(r.requests == n);
        CHECK(r.start == t);
        // The round trip, one read after another.
        CHECK(r.end == t + n * (request + latency + completions));
        CHECK(r.issued == t + (n - 1) * (request + latency + completions));
        CHECK(link.reads_outstanding(Direction::Upstream, r.end - 1) == 1);
        CHECK(link.reads_outstanding(Direction::Upstream, r.end) == 0);
        // The root port's reads (downstream) have their own tags.
        // (Their requests queue behind the completions going down.)
        TransferTiming down = link.read(Direction::Downstream, 0x1000, 1024, t, o);
        CHECK(down.issued == r.end + request);
    }
    {
        LinkConfig c = both(1, 1);
        c.upstream.tags = 2;
        Link link(c);
        uint64_t t = bring_up(link) + 1 * kUs;
        TransferTiming r = link.read(Direction::Upstream, 0x8000'0000, n * 512, t, o);
        // The second request is out while the first one's completions come
        // back, so the completions follow each other without a gap.
        CHECK(r.end == t + request + latency + n * completions);
        // The third request waits for the first read's last completion.
        CHECK(r.issued == t + request + latency + (n - 2) * completions);
    }
    {
        // Forwarded reads (from below a switch) do not take this end's tags.
        LinkConfig c = both(1, 1);
        c.upstream.tags = 1;
        Link link(c);
        uint64_t t = bring_up(link) + 1 * kUs;
        TransferOptions f = o;
        f.forwarded = true;
        TransferTiming r = link.read(Direction::Upstream, 0x8000'0000, n * 512, t, f);
        CHECK(r.issued == t + (n - 1) * request);
        CHECK(r.end == t + request + latency + n * completions);
        CHECK(link.reads_outstanding(Direction::Upstream, t) == 0);
    }
}

TEST_CASE("pcie-link: a read reserves its completions' headers and data before it is sent") {
    // Gen1 x1 as above. A 512-byte aligned read takes 8 headers (64-byte
    // RCB blocks) and 32 data credits; reads stay outstanding across calls.
    const uint64_t request = 80 * kNs, completions = 2 * 1'104 * kNs, latency = 100 * kUs;
    TransferOptions o;
    o.completion_latency = latency;
    for (bool headers : {true, false}) {
        LinkConfig c = both(1, 1);
        if (headers)
            c.upstream.completion_header_credits = 64; // room for 8 reads
        else
            c.upstream.completion_data_credits = 256; // room for 8 reads
        Link link(c);
        uint64_t t = bring_up(link) + 1 * kUs;
        std::vector<TransferTiming> reads;
        for (unsigned k = 0; k < 10; ++k)
            reads.push_back(link.read(Direction::Upstream, 0x8000'0000 + 512 * k, 512, t, o));
        INFO((headers ? "header credits" : "data credits"));
        for (unsigned k = 0; k < 8; ++k)
            CHECK(reads[k].issued == t + k * request);
        // The ninth waits for the first read's completions, the tenth for
        // the second's.
        CHECK(reads[8].issued == reads[0].end);
        CHECK(reads[0].end == t + request + latency + completions);
        CHECK(reads[9].issued == reads[1].end);
        // A 4096-byte read covers 64 RCB blocks and 256 16-byte units: it
        // needs the whole buffer of the smallest size, so it waits until
        // every read before it is complete.
        TransferOptions one = o;
        one.max_read_request = 4096;
        TransferTiming big =
            link.read(Direction::Upstream, 0x8000'1000, 4096, reads[9].issued, one);
        CHECK(big.requests == 1);
        CHECK(big.issued == reads[9].end);
    }
}

TEST_CASE("pcie-link: a write's issued time is its last TLP's start") {
    Link link(both(1, 1));
    uint64_t t = bring_up(link) + 1 * kUs;
    TransferTiming w = link.write(Direction::Downstream, 0, 2048, t);
    CHECK(w.issued == t + 7 * 1'104 * kNs);
    CHECK(w.end == t + 8 * 1'104 * kNs);
    TransferTiming none = link.write(Direction::Downstream, 0, 0, t);
    CHECK(none.requests == 0);
    CHECK(none.issued == t);
}

// --- Bursts in closed form ------------------------------------------------------------------

namespace {

// A small deterministic generator for the comparison below (splitmix64).
struct Draw {
    uint64_t s;
    uint64_t next() {
        uint64_t z = (s += 0x9e3779b97f4a7c15);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9;
        z = (z ^ (z >> 27)) * 0x94d049bb133111eb;
        return z ^ (z >> 31);
    }
    uint64_t below(uint64_t n) { return next() % n; }
    bool chance(unsigned percent) { return below(100) < percent; }
    template <typename T>
    T pick(std::initializer_list<T> from) {
        return *(from.begin() + below(from.size()));
    }
};

void same_timing(const TransferTiming& a, const TransferTiming& b) {
    CHECK(a.delivered == b.delivered);
    CHECK(a.start == b.start);
    CHECK(a.end == b.end);
    CHECK(a.issued == b.issued);
    CHECK(a.requests == b.requests);
    CHECK(a.completions == b.completions);
    CHECK(a.replays == b.replays);
}

void same_state(const Link& a, const Link& b) {
    CHECK(a.now() == b.now());
    CHECK(a.state() == b.state());
    CHECK(a.next_event_time() == b.next_event_time());
    CHECK(a.events() == b.events());
    for (Direction d : {Direction::Downstream, Direction::Upstream}) {
        CHECK(a.pipe_free_at(d) == b.pipe_free_at(d));
        CHECK(a.transmissions(d) == b.transmissions(d));
        CHECK(a.replay_num(d) == b.replay_num(d));
        for (uint64_t t : {a.now(), a.pipe_free_at(d)})
            CHECK(a.reads_outstanding(d, t) == b.reads_outstanding(d, t));
    }
}

} // namespace

TEST_CASE("pcie-link: bursts in closed form take exactly the per-TLP path's times") {
    Draw draw{2024};
    const unsigned widths[] = {1, 2, 4, 8, 16};
    for (unsigned round = 0; round < 60; ++round) {
        LinkConfig c = both(1 + unsigned(draw.below(6)), widths[draw.below(5)]);
        for (PortConfig* p : {&c.downstream, &c.upstream}) {
            if (draw.chance(60)) p->tags = 1 + unsigned(draw.below(draw.chance(50) ? 8 : 768));
            if (draw.chance(30)) p->completion_header_credits = 64 + unsigned(draw.below(200));
            if (draw.chance(30)) p->completion_data_credits = 256 + unsigned(draw.below(800));
        }
        // Some links get injected errors: bursts that meet them take the
        // per-TLP path on both links, the others the closed form.
        unsigned faults = unsigned(draw.below(4));
        for (auto& inj : c.faults.tlp) {
            if (faults == 1) inj.lcrc_at = {20 + draw.below(500), 600 + draw.below(3000)};
            if (faults == 2) inj.ack_lost_at = {1 + draw.below(1000)};
            if (faults == 3 && draw.chance(50)) inj.lcrc_every_nth = 500 + draw.below(2000);
        }
        LinkConfig slow_config = c;
        slow_config.force_per_tlp = true;
        Link slow(slow_config, round), fast(c, round);
        uint64_t up = bring_up(slow);
        REQUIRE(bring_up(fast) == up);
        INFO("round " << round << ": Gen" << c.upstream.max_speed << " x" << c.upstream.max_width
                      << ", tags " << c.downstream.tags << "/" << c.upstream.tags);
        uint64_t t = up;
        for (unsigned op = 0; op < 40; ++op) {
            Direction d = draw.chance(50) ? Direction::Upstream : Direction::Downstream;
            uint64_t address = draw.pick<uint64_t>(
                {0, 0x8000'0000, 0xffff'f000, 0x1'0000'0000 - 4096 * 3, 0x12'3456'0000});
            address += draw.chance(50) ? draw.below(8192) : 64 * draw.below(64);
            uint64_t length = draw.pick<uint64_t>({1, 3, 4, 63, 64, 65, 255, 256, 257, 4096});
            if (draw.chance(40)) length = 1 + draw.below(draw.chance(70) ? 20'000 : 300'000);
            if (draw.chance(3)) length = 0;
            TransferOptions o;
            o.max_payload = 128u << draw.below(6);
            o.max_read_request = 128u << draw.below(6);
            o.read_completion_boundary = draw.chance(50) ? 64 : 128;
            if (draw.chance(30)) {
                unsigned rcbs = o.max_payload / o.read_completion_boundary;
                o.max_completion = o.read_completion_boundary * (1 + unsigned(draw.below(rcbs)));
            }
            o.completion_latency =
                draw.pick<uint64_t>({0, 200 * kNs, 1 * kUs, 1 + draw.below(kUs)});
            o.forwarded = draw.chance(20);
            // Back to back, overlapping the last burst, or later.
            uint64_t earliest = t + draw.below(3 * kUs);
            if (draw.chance(30)) earliest = t > kUs ? t - draw.below(kUs) : t;
            bool read = draw.chance(50);
            INFO("op " << op << (read ? " read " : " write ") << length << " at 0x" << std::hex
                       << address << std::dec);
            TransferTiming a = read ? slow.read(d, address, length, earliest, o)
                                    : slow.write(d, address, length, earliest, o);
            TransferTiming b = read ? fast.read(d, address, length, earliest, o)
                                    : fast.write(d, address, length, earliest, o);
            same_timing(a, b);
            same_state(slow, fast);
            // Now and then time passes, the link retrains or rests in L0s.
            if (draw.chance(20)) {
                uint64_t to = std::max(a.start, a.issued);
                slow.advance_to(to);
                fast.advance_to(to);
            }
            if (draw.chance(5)) {
                slow.retrain(slow.now());
                fast.retrain(fast.now());
            }
            if (draw.chance(5)) {
                slow.enter_l0s(slow.now());
                fast.enter_l0s(fast.now());
            }
            same_state(slow, fast);
            t = draw.chance(50) ? a.issued : a.end;
        }
        uint64_t last = std::max({slow.pipe_free_at(Direction::Downstream),
                                  slow.pipe_free_at(Direction::Upstream), slow.now()}) +
                        100 * kMs;
        slow.advance_to(last);
        fast.advance_to(last);
        same_state(slow, fast);
        CHECK(slow.take_events() == fast.take_events());
    }
}
