#include "models/pcie/downstream_port.h"

#include "models/core/model_registry.h"
#include "models/core/pcie_extension.h"

#include <cstdlib>
#include <functional>

namespace nvsoc {

using namespace pcie;

namespace {

// The items of a comma-separated list, trimmed, empty ones dropped.
std::vector<std::string> list_items(const std::string& text) {
    std::vector<std::string> items;
    size_t pos = 0;
    while (pos < text.size()) {
        size_t comma = text.find(',', pos);
        std::string item = text.substr(pos, comma == std::string::npos ? comma : comma - pos);
        pos = comma == std::string::npos ? text.size() : comma + 1;
        item.erase(0, item.find_first_not_of(' '));
        item.erase(item.find_last_not_of(' ') + 1);
        if (!item.empty()) items.push_back(item);
    }
    return items;
}

// "7" or "5-8" -> [lo, hi].
bool parse_range(const std::string& text, uint64_t& lo, uint64_t& hi) {
    size_t dash = text.find('-');
    if (!parse_integer(text.substr(0, dash), lo)) return false;
    if (dash == std::string::npos) {
        hi = lo;
        return true;
    }
    return parse_integer(text.substr(dash + 1), hi) && hi >= lo;
}

// "3,5,8-15" -> lanes; empty text -> none.
std::vector<unsigned> parse_lanes(const DeviceConfig& c, const std::string& key) {
    std::vector<unsigned> lanes;
    for (const std::string& item : list_items(c.params.str(key))) {
        uint64_t lo = 0, hi = 0;
        if (!parse_range(item, lo, hi) || hi >= kMaxWidth)
            throw InputError(c.params.where(key),
                             fmt::format("'{}': {} '{}' is not a lane or a range of lanes 0-15 "
                                         "(write e.g. \"8-15\" or \"0,3\")",
                                         c.name, key, item));
        for (uint64_t l = lo; l <= hi; ++l)
            lanes.push_back(static_cast<unsigned>(l));
    }
    return lanes;
}

// "up:5-8,down:3,10": TLP transmission ordinals (from 1), per direction
// (up: device to root, down: root to device; no prefix: both).
void parse_ordinals(const DeviceConfig& c, const std::string& key,
                    const std::function<void(pcie::Direction, uint64_t)>& add) {
    for (const std::string& item : list_items(c.params.str(key))) {
        bool up = item.rfind("down:", 0) != 0, down = item.rfind("up:", 0) != 0;
        std::string range = item.substr(up && down ? 0 : up ? 3 : 5);
        uint64_t lo = 0, hi = 0;
        if (!parse_range(range, lo, hi) || lo == 0 || hi - lo > 1'000'000)
            throw InputError(c.params.where(key),
                             fmt::format("'{}': {} '{}' is not a TLP ordinal or range (from 1, "
                                         "optionally after up: or down:), e.g. \"up:5-8,down:3\"",
                                         c.name, key, item));
        for (uint64_t n = lo; n <= hi; ++n) {
            if (up) add(pcie::Direction::Upstream, n);
            if (down) add(pcie::Direction::Downstream, n);
        }
    }
}

uint64_t fnv1a(const std::string& s) {
    uint64_t h = 0xcbf29ce484222325ull;
    for (unsigned char ch : s)
        h = (h ^ ch) * 0x100000001b3ull;
    return h;
}

Identity port_identity(const DeviceConfig& c) {
    Identity id;
    id.vendor_id = static_cast<uint16_t>(c.params.u64("vendor-id"));
    id.device_id = static_cast<uint16_t>(c.params.u64("device-id"));
    id.class_code = 0x060400; // PCI-to-PCI bridge, normal decode
    id.interrupt_pin = 1;     // INTA: AER (and, later, PME and hot-plug) interrupts
    return id;
}

} // namespace

DownstreamPort::DownstreamPort(const DeviceConfig& config, PortType type)
    : PcieNode(config), cs_(port_identity(config), BridgeOptions{}) {
    const Params& p = config.params;
    cs_.add_pm_capability();
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
    read_latency_ps_ = p.time_ps("read-latency");
    if (p.has("surprise-down-at")) surprise_down_at_ = p.time_ps("surprise-down-at");

    // The link's downstream end is this port; the upstream end is filled in
    // when a device is attached below.
    link_config_.downstream = port_;
    link_config_.upstream = port_;
    LinkFaults& f = link_config_.faults;
    f.failed_lanes = parse_lanes(config, "failed-lanes");
    const std::string& failing = p.str("failing-speed");
    f.failing_speed = failing == "none" ? 0 : static_cast<unsigned>(failing.back() - '0');
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
    parse_ordinals(config, "lcrc-errors-at", [&](pcie::Direction d, uint64_t n) {
        f.tlp[static_cast<unsigned>(d)].lcrc_at.push_back(n);
    });
    parse_ordinals(config, "acks-lost-at", [&](pcie::Direction d, uint64_t n) {
        f.tlp[static_cast<unsigned>(d)].ack_lost_at.push_back(n);
    });
    link_config_.lane_reversal = p.flag("lane-reversal");
    link_config_.device_present = false;
    // One stream of random choices per fault point, from the platform seed
    // and the point's name.
    link_seed_ = config.seed ^ fnv1a(config.name + ".link");

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

void DownstreamPort::attach_below(PcieNode& below) {
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
    return o;
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
        {"failed-lanes", ParamType::String, "",
         "Fault point <port>.link.lanes: lanes that do not train, e.g. \"8-15\" (the link "
         "downtrains to the widest working width)"},
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
        {"lcrc-errors-at", ParamType::String, "",
         "Fault point <port>.link.lcrc_at: TLP transmission ordinals (from 1, replays "
         "included) with LCRC errors, e.g. \"up:5-8,down:3\" (no prefix: both directions); "
         "four in a row roll REPLAY_NUM over"},
        {"acks-lost-at", ParamType::String, "",
         "Fault point <port>.link.ack_lost: TLP transmissions whose Ack is lost (Bad DLLP), so "
         "the replay timer fires (Replay Timer Timeout), same syntax"},
        {"surprise-down-at", ParamType::Time, "",
         "Fault point <port>.link.surprise_down: the device below vanishes at this simulated "
         "time (Surprise Down)"},
    };
    p.insert(p.end(), more.begin(), more.end());
    return p;
}
} // namespace nvsoc
