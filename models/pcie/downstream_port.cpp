#include "models/pcie/downstream_port.h"

#include "models/core/model_registry.h"
#include "models/core/pcie_extension.h"
#include "models/core/random.h"

#include <cstdlib>

namespace nvsoc {

using namespace pcie;

namespace {

// Every value of the ranges `key` with `label` (or no label, which means
// both directions of a link), as TLP ordinals.
std::vector<uint64_t> ordinals(const DeviceConfig& c, const std::string& key, const char* label) {
    const Ranges& r = c.params.ranges(key);
    if (r.count() > 1'000'000)
        throw InputError(c.params.where(key),
                         fmt::format("'{}': {} names {} TLP ordinals; name at most a million",
                                     c.name, key, r.count()));
    std::vector<uint64_t> out;
    for (const Range& item : r.items)
        if (item.label.empty() || item.label == label)
            for (uint64_t n = item.lo; n <= item.hi; ++n)
                out.push_back(n);
    return out;
}

Identity port_identity(const DeviceConfig& c) {
    Identity id;
    id.vendor_id = static_cast<uint16_t>(c.params.u64("vendor-id"));
    id.device_id = static_cast<uint16_t>(c.params.u64("device-id"));
    id.class_code = 0x060400; // PCI-to-PCI bridge, normal decode
    id.interrupt_pin = 1;     // INTA: AER and PME (and, later, hot-plug) interrupts
    return id;
}

} // namespace

DownstreamPort::DownstreamPort(const DeviceConfig& config, PortType type)
    : PcieNode(config), cs_(port_identity(config), BridgeOptions{}),
      root_(type == PortType::RootPort) {
    const Params& p = config.params;
    cs_.add_pm_capability();
    cs_.add_msi_capability(
        {.multiple_message_capable = 0, .address64 = true, .per_vector_masking = true});
    PcieOptions o;
    o.type = type;
    o.max_payload_supported = static_cast<unsigned>(p.u64("max-payload"));
    o.max_link_speed = port_.max_speed;
    o.max_link_width = port_.max_width;
    o.port_number = static_cast<uint8_t>(p.u64("port-number"));
    o.slot = SlotOptions{};
    o.slot->physical_slot_number = static_cast<uint16_t>(p.u64("slot"));
    try {
        cs_.add_pcie_capability(o);
    } catch (const std::logic_error& e) {
        throw InputError(p.where("max-payload"), fmt::format("'{}': {}", config.name, e.what()));
    }
    cs_.add_aer_capability();
    // One vector for everything the port signals.
    cs_.set_interrupt_message_number(0);
    msi_ = std::make_unique<MsiSignaller>(cs_, log_, msi_wiring(0));
    read_latency_ps_ = p.time_ps("read-latency");
    if (p.has("surprise-down-at")) surprise_down_at_ = p.time_ps("surprise-down-at");

    // The link's downstream end is this port; the upstream end is filled in
    // when a device is attached below.
    link_config_.downstream = port_;
    link_config_.upstream = port_;
    LinkFaults& f = link_config_.faults;
    for (const Range& r : p.ranges("failed-lanes").items)
        for (uint64_t lane = r.lo; lane <= r.hi; ++lane)
            f.failed_lanes.push_back(static_cast<unsigned>(lane));
    f.failing_speed = p.choice("failing-speed"); // "none" is 0, then gen1..gen6
    f.training_fails = p.flag("training-fails");
    uint64_t every = p.u64("lcrc-error-every");
    if (every == 1)
        throw InputError(p.where("lcrc-error-every"),
                         fmt::format("'{}': lcrc-error-every 1 would fail every transmission, "
                                     "replays included, so no TLP would ever arrive: use 0 (off) "
                                     "or 2 and more",
                                     config.name));
    for (auto& d : f.tlp)
        d.lcrc_every_nth = every;
    const std::string& rate_text = p.str("lcrc-error-rate");
    if (!rate_text.empty()) {
        char* end = nullptr;
        double rate = std::strtod(rate_text.c_str(), &end);
        if (end == rate_text.c_str() || *end != '\0' || !(rate >= 0 && rate < 1))
            throw InputError(p.where("lcrc-error-rate"),
                             fmt::format("'{}': lcrc-error-rate '{}' must be a probability of at "
                                         "least 0 and below 1, e.g. 1e-3",
                                         config.name, rate_text));
        for (auto& d : f.tlp)
            d.lcrc_error_rate = rate;
    }
    for (pcie::Direction d : {pcie::Direction::Upstream, pcie::Direction::Downstream}) {
        const char* label = d == pcie::Direction::Upstream ? "up" : "down";
        f.tlp[static_cast<unsigned>(d)].lcrc_at = ordinals(config, "lcrc-errors-at", label);
        f.tlp[static_cast<unsigned>(d)].ack_lost_at = ordinals(config, "acks-lost-at", label);
    }
    link_config_.lane_reversal = p.flag("lane-reversal");
    link_config_.device_present = false;
    // The link's random choices (the seeded LCRC error rate) have their
    // own stream, "<port>.link".
    link_seed_ = stream_seed(config.seed, config.name + ".link");

    // Software's hands on the link.
    unsigned pc = cs_.pcie_offset();
    cs_.add_write_hook(pc + pcie_cap::kLinkControl, 2, [this](const WriteEvent& w) {
        if (!link_) return;
        uint64_t t = now_ps();
        if (w.changed(pcie_cap::lnkctl::kLinkDisable))
            link_->set_link_disable(t, cs_.link_disabled());
        if (w.wrote_one(pcie_cap::lnkctl::kRetrainLink) && !cs_.link_disabled()) {
            link_->set_target_speed(t, cs_.target_link_speed());
            link_->retrain(t);
        }
        kick();
    });
    cs_.add_write_hook(cfg::kBridgeControl, 2, [this](const WriteEvent& w) {
        uint32_t sbr = uint32_t{cfg::bridge_control::kSecondaryBusReset} << 16;
        if (!link_ || !w.changed(sbr)) return;
        link_->set_hot_reset(now_ps(), cs_.secondary_bus_reset());
        kick();
    });
    watch_interrupt_disable();
    bus_.set_link_up_test([this] { return link_ && link_->dll_active(); });

    SC_HAS_PROCESS(DownstreamPort);
    SC_THREAD(link_thread);
    if (surprise_down_at_) SC_THREAD(fault_thread);
}

void DownstreamPort::attached(PcieNode& below) {
    below_ = &below;
    link_config_.upstream = below.upstream_port();
    link_config_.device_present = true;
    below.set_link_up(false);
    // A slot with a card in it.
    cs_.hw_set_bits(cs_.pcie_offset() + pcie_cap::kSlotStatus, pcie_cap::sltsta::kPresenceDetect);
    make_link();
}

void DownstreamPort::make_link() {
    if (std::string why = validate(link_config_); !why.empty())
        throw InputError(config().where, fmt::format("'{}': its link: {}", instance(), why));
    link_ = std::make_unique<Link>(link_config_, link_seed_);
    link_->set_trace([this](uint64_t t, LtssmState s) {
        log_.debug("link: {} at {:.3f} us", pcie::name(s), static_cast<double>(t) / ps::kUs);
    });
}

void DownstreamPort::end_of_elaboration() {
    if (!link_) make_link(); // an empty slot: Detect finds no receiver
}

// The LTSSM runs in simulated time: the port sleeps until the link's next
// planned step, or until software or a fault changes something.
void DownstreamPort::link_thread() {
    link_->power_on(now_ps());
    for (;;) {
        service_link();
        std::optional<uint64_t> next = link_->next_event_time();
        if (!next) {
            sc_core::wait(kick_);
            continue;
        }
        uint64_t now = now_ps();
        sc_core::wait(sc_core::sc_time::from_value(*next > now ? *next - now : 0), kick_);
    }
}

void DownstreamPort::fault_thread() {
    uint64_t now = now_ps();
    if (*surprise_down_at_ > now)
        sc_core::wait(sc_core::sc_time::from_value(*surprise_down_at_ - now));
    log_.info("fault {}.surprise_down: the device below is removed", instance());
    link_->set_device_present(now_ps(), false);
    kick();
}

void DownstreamPort::service_link() {
    uint64_t now = now_ps();
    // Everything due up to now, including steps that fall due on the way.
    link_->advance_to(now);
    for (const LinkEvent& e : link_->take_events())
        handle(e);
    link_->publish(cs_);
    if (below_)
        for (ConfigSpace* f : below_->functions())
            link_->publish(*f);
}

void DownstreamPort::handle(const LinkEvent& e) {
    switch (e.kind) {
    case LinkEventKind::LinkUp:
        ++link_ups_;
        log_.info("link up: {} GT/s x{}", transfer_rate_mts(e.speed) / 1000.0, e.width);
        Link::apply_event(e, cs_);
        if (below_) below_->set_link_up(true);
        break;
    case LinkEventKind::LinkDown:
        log_.info("link down");
        Link::apply_event(e, cs_);
        if (below_) {
            below_->set_link_up(false);
            // The device's port takes DL_Down as a hot reset.
            below_->link_reset();
        }
        break;
    case LinkEventKind::HotReset:
        if (below_) below_->link_reset();
        break;
    case LinkEventKind::BandwidthChange:
        log_.info("link bandwidth change: {} GT/s x{} ({})", transfer_rate_mts(e.speed) / 1000.0,
                  e.width, e.autonomous ? "autonomous" : "management");
        Link::apply_event(e, cs_);
        break;
    case LinkEventKind::TrainingFailed:
        log_.debug("link training failed");
        break;
    default:
        if (auto bit = aer_bit(e.kind)) {
            log_.debug("link error {} at the {} port", pcie::name(e.kind),
                       e.port == PortSide::Downstream ? "downstream" : "upstream");
            if (e.port == PortSide::Downstream)
                report_error(0, *bit);
            else if (below_)
                below_->report_error(0, *bit);
        }
        break;
    }
}

// One request across the link in direction `d` from time t0: split into
// TLPs (and completions, for reads), timed, counted.
TransferTiming DownstreamPort::cross(pcie::Direction d, const tlm::tlm_generic_payload& tx,
                                     uint64_t t0, const TransferOptions& o) {
    uint64_t address = tx.get_address(), len = tx.get_data_length();
    TransferTiming tt =
        tx.is_read() ? link_->read(d, address, len, t0, o) : link_->write(d, address, len, t0, o);
    if (!tt.delivered) return tt;
    wake_for_link_events();
    auto& t = traffic_[static_cast<unsigned>(d)];
    t.requests += tt.requests;
    t.bytes += len;
    t.replays += tt.replays;
    return tt;
}

// TLPs can leave errors (Bad TLP, replays) due later; the link thread,
// asleep while the link is stable, must wake for them.
void DownstreamPort::wake_for_link_events() {
    if (link_->next_event_time()) kick();
}

namespace {
sc_core::sc_time after(uint64_t t, uint64_t now) {
    return sc_core::sc_time::from_value(t > now ? t - now : 0);
}
} // namespace

// The last completion of a read of `len` bytes crossing this link: what a
// read waits for here after the hops beyond have answered.
uint64_t DownstreamPort::completion_time(uint64_t len, unsigned max_payload) const {
    uint64_t last = std::min<uint64_t>(len, max_payload);
    return tlp_time(static_cast<unsigned>(kHeader3Dw + (last + 3) / 4 * 4), link_->speed(),
                    std::max(link_->width(), 1u));
}

void DownstreamPort::downstream_request(const PciBus::Claim&, Space space, uint64_t address,
                                        tlm::tlm_generic_payload& tx, sc_core::sc_time& delay) {
    if (!link_->dll_active()) {
        // A root port answers requests for a link that is down itself.
        unsupported(tx, "the link below is down");
        return;
    }
    TransferOptions o;
    o.completion_latency = read_latency_ps_;
    // A root port's reads are the root complex's own, on its tags; a switch
    // port passes them on.
    o.forwarded = !root_;
    TransferTiming tt = cross(pcie::Direction::Downstream, tx, now_ps(delay), o);
    if (!tt.delivered) {
        unsupported(tx, "the link went down");
        return;
    }
    uint64_t sc_now = now_ps();
    auto claim = bus_.claim(space, address);
    // A posted write costs the requester only its wait for this link.
    uint64_t done = tt.start;
    if (!claim) {
        cs_.hw_set_bits(cfg::kSecondaryStatus, cfg::status::kReceivedMasterAbort);
        unsupported(tx, "no function below decodes it");
    } else {
        // The device sees the request when it arrives; what it returns is
        // when its answer is ready (reads: after the hops beyond, if any).
        sc_core::sc_time at = after(tx.is_read() ? tt.start : tt.end, sc_now);
        claim->owner->downstream_request(*claim, space, address, tx, at);
        // A read completes when its completion is back through this link.
        if (tx.is_read())
            done = std::max<uint64_t>(
                tt.end, sc_now + at.value() + completion_time(tx.get_data_length(), o.max_payload));
    }
    delay = after(done, sc_now);
}

TransferOptions DownstreamPort::dma_options(const tlm::tlm_generic_payload& tx) const {
    TransferOptions o;
    o.completion_latency = read_latency_ps_;
    PcieExtension* ext = nullptr;
    tx.get_extension(ext);
    if (ext && ext->max_payload) o.max_payload = ext->max_payload;
    if (ext && ext->max_read_request) o.max_read_request = ext->max_read_request;
    o.forwarded = !from_below(tx);
    return o;
}

// Whether the requester is the device right below, on this link: the
// link that carries its tags. Requests from further down (through a
// switch) were counted on their own link.
bool DownstreamPort::from_below(const tlm::tlm_generic_payload& tx) const {
    PcieExtension* ext = nullptr;
    tx.get_extension(ext);
    return !ext || (ext->requester_id >> 8) == cs_.secondary_bus();
}

void DownstreamPort::upstream_request(tlm::tlm_generic_payload& tx, sc_core::sc_time& delay) {
    uint64_t address = tx.get_address();
    if (!cs_.bus_master_enabled()) {
        // A bridge forwards requests upstream only with Bus Master Enable.
        report_unsupported_request(0, tx.is_read());
        unsupported(tx, "upstream through a port whose Bus Master Enable is clear");
        return;
    }
    if (cs_.forwards(Space::Memory, address)) {
        // Addressed to the port's own downstream window: peer-to-peer back
        // down the same link is not routed.
        report_unsupported_request(0, tx.is_read());
        unsupported(tx, "upstream request inside the port's own window");
        return;
    }
    TransferOptions o = dma_options(tx);
    TransferTiming tt = cross(pcie::Direction::Upstream, tx, now_ps(delay), o);
    if (!tt.delivered) {
        tx.set_response_status(tlm::TLM_GENERIC_ERROR_RESPONSE);
        return;
    }
    // The requester's pace is set by its own link (its tags).
    PcieExtension* ext = nullptr;
    tx.get_extension(ext);
    if (ext && !o.forwarded) ext->issued_ps = tt.issued;
    uint64_t sc_now = now_ps();
    sc_core::sc_time beyond = after(tx.is_read() ? tt.start : tt.end, sc_now);
    upstream_->upstream_request(tx, beyond);
    // Done when the hops above are, and (reads) their last completion has
    // come back down this link too.
    uint64_t above = sc_now + beyond.value();
    if (tx.is_read()) above += completion_time(tx.get_data_length(), o.max_payload);
    delay = after(std::max<uint64_t>(tt.end, above), sc_now);
}

void DownstreamPort::upstream_intx(unsigned device, unsigned pin, bool level) {
    bridge_intx(device, pin, level);
}

void DownstreamPort::upstream_error(ErrorSeverity severity, uint16_t source) {
    ++error_messages_;
    if (bridge_passes_error(severity)) forward_error(severity, source);
}

void DownstreamPort::forward_error(ErrorSeverity severity, uint16_t source) {
    signal_error(severity, source);
}

void DownstreamPort::reset() {
    cs_.reset(ResetKind::PowerOn);
    msi_->reset();
    if (below_)
        cs_.hw_set_bits(cs_.pcie_offset() + pcie_cap::kSlotStatus,
                        pcie_cap::sltsta::kPresenceDetect);
    clear_bridged_intx();
    if (link_) {
        // The link forgets what software had asked of it, as the
        // registers did.
        uint64_t t = now_ps();
        link_->power_off(t);
        link_->set_link_disable(t, false);
        link_->set_hot_reset(t, false);
        link_->set_target_speed(t, kMaxSpeed);
        link_->power_on(t);
        kick();
    }
}

void DownstreamPort::stats(nlohmann::json& out) const {
    if (!link_) return;
    auto& l = out["link"];
    l["state"] = pcie::name(link_->state());
    l["speed_gts"] = transfer_rate_mts(link_->speed()) / 1000.0;
    l["width"] = link_->width();
    l["link_ups"] = link_ups_;
    l["training_failures"] = link_->training_failures();
    const char* dir[2] = {"downstream", "upstream"};
    for (unsigned d = 0; d < 2; ++d) {
        l[dir[d]]["requests"] = traffic_[d].requests;
        l[dir[d]]["bytes"] = traffic_[d].bytes;
        l[dir[d]]["replays"] = traffic_[d].replays;
    }
    out["unsupported_requests"] = unsupported_requests_;
    out["error_messages_received"] = error_messages_;
    const MsiSignaller::Counters& m = msi_->counters();
    out["messages"] = {{"sent", m.sent},
                       {"pended", m.pended},
                       {"blocked", m.blocked},
                       {"refused", m.refused},
                       {"intx", m.intx}};
}

std::vector<ParamSpec> downstream_port_params(const char* vendor_id, const char* device_id,
                                              const char* id_doc) {
    std::vector<ParamSpec> p = pcie_link_params("gen5", "16");
    std::vector<ParamSpec> more = {
        {"vendor-id", ParamType::Integer, vendor_id, id_doc, false, {}, 0, 0xffff},
        {"device-id", ParamType::Integer, device_id, "Device ID", false, {}, 0, 0xffff},
        {"port-number",
         ParamType::Integer,
         "0",
         "Link Capabilities Port Number",
         false,
         {},
         0,
         255},
        {"slot",
         ParamType::Integer,
         "0",
         "Physical Slot Number of the port's slot",
         false,
         {},
         0,
         0x1fff},
        max_payload_param(),
        {"read-latency", ParamType::Time, "200ns",
         "From a read request's arrival at its completer to its first completion (both "
         "directions)"},
        {"lane-reversal", ParamType::Bool, "false",
         "The link may also form on its highest lanes, reversed"},
        {"failed-lanes",
         ParamType::Ranges,
         "",
         "Fault point <port>.link.lanes: lanes that do not train, e.g. \"8-15\" or \"0,3\" (the "
         "link downtrains to the widest working width)",
         false,
         {},
         0,
         kMaxWidth - 1},
        {"failing-speed",
         ParamType::Enum,
         "none",
         "Fault point <port>.link.speed: this generation and faster fail to train (the link "
         "settles at the next lower speed)",
         false,
         {"none", "gen1", "gen2", "gen3", "gen4", "gen5", "gen6"}},
        {"training-fails", ParamType::Bool, "false",
         "Fault point <port>.link.train_fail: Polling never completes; the link never comes up"},
        {"lcrc-error-every", ParamType::Integer, "0",
         "Fault point <port>.link.lcrc: every Nth TLP transmission in each direction has an "
         "LCRC error and is replayed (Bad TLP); 0 = off"},
        {"lcrc-error-rate", ParamType::String, "",
         "Fault point <port>.link.lcrc_rate: the probability (0 to below 1, e.g. 1e-3) that a "
         "TLP transmission in each direction has an LCRC error, from a PRNG seeded by the "
         "platform seed and the port's name"},
        {"lcrc-errors-at",
         ParamType::Ranges,
         "",
         "Fault point <port>.link.lcrc_at: TLP transmission ordinals (from 1, replays "
         "included) with LCRC errors, e.g. \"up:5-8,down:3\" (no prefix: both directions); "
         "four in a row roll REPLAY_NUM over",
         false,
         {"up", "down"},
         1},
        {"acks-lost-at",
         ParamType::Ranges,
         "",
         "Fault point <port>.link.ack_lost: TLP transmissions whose Ack is lost (Bad DLLP), so "
         "the replay timer fires (Replay Timer Timeout), same syntax",
         false,
         {"up", "down"},
         1},
        {"surprise-down-at", ParamType::Time, "",
         "Fault point <port>.link.surprise_down: the device below vanishes at this simulated "
         "time (Surprise Down)"},
    };
    p.insert(p.end(), more.begin(), more.end());
    return p;
}
} // namespace nvsoc
