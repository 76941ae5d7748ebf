#include "models/nvlink/fabric.h"

#include "models/core/error.h"
#include "models/core/random.h"
#include "models/nvlink/nvlink_port_hw.h"
#include "models/nvlink/nvswitch_hw.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <fmt/format.h>

namespace nvsoc {

using gpu::MemAccess;
using gpu::MemResult;
using gpu::MemStatus;
using nvlink::End;

namespace {

nvlink::State train_state(const std::string& s) {
    using nvlink::State;
    if (s == "detect") return State::Detect;
    if (s == "safe") return State::Safe;
    if (s == "initphase1") return State::InitPhase1;
    if (s == "initnegotiate") return State::InitNegotiate;
    if (s == "initoptimize") return State::InitOptimize;
    return State::InitTl; // the Enum allows nothing else
}

// The link's configuration from its `links` entry (link_keys()).
nvlink::LinkConfig link_config(const NvlinkFabric::LinkSpec& spec) {
    const Params& p = spec.params;
    nvlink::LinkConfig c;
    for (nvlink::EndConfig& e : c.ends) {
        e.max_generation = spec.generation;
        e.ali = p.flag("ali");
    }
    for (const Range& r : p.ranges("failed-lanes").items)
        for (uint64_t lane = r.lo; lane <= r.hi; ++lane)
            c.ends[0].failed_lanes.push_back(static_cast<unsigned>(lane));
    if (p.str("train-fails-in") != "none")
        c.faults.train_fails_in = train_state(p.str("train-fails-in"));
    const std::string& rate = p.str("crc-error-rate");
    if (!rate.empty()) {
        char* end = nullptr;
        double r = std::strtod(rate.c_str(), &end);
        if (end == rate.c_str() || *end != '\0' || !(r >= 0 && r < 1))
            throw InputError(p.where("crc-error-rate"),
                             fmt::format("link '{}': crc-error-rate '{}' must be a probability of "
                                         "at least 0 and below 1, e.g. 1e-4",
                                         spec.name, rate));
        c.faults.crc_error_rate = r;
    }
    for (const Range& r : p.ranges("crc-errors-at").items)
        for (uint64_t n = r.lo; n <= r.hi && c.faults.crc_error_at.size() < 1'000'000; ++n)
            c.faults.crc_error_at.push_back(n);
    if (p.has("link-down-at"))
        c.faults.link_down_at = std::max<uint64_t>(1, p.time_ps("link-down-at"));
    if (p.has("recovery-storm-at"))
        c.faults.recovery_storm_at = std::max<uint64_t>(1, p.time_ps("recovery-storm-at"));
    if (p.has("remote-unresponsive-at")) {
        c.faults.remote_unresponsive_at =
            std::max<uint64_t>(1, p.time_ps("remote-unresponsive-at"));
        c.faults.unresponsive_end = End::B;
    }
    return c;
}

} // namespace

std::vector<uint64_t> NvlinkFabric::shares(uint64_t length, size_t links, size_t first) {
    constexpr uint64_t kPacket = nvlink::kMaxPayload;
    uint64_t packets = (length + kPacket - 1) / kPacket;
    std::vector<uint64_t> s(links);
    for (size_t i = 0; i < links; ++i)
        s[i] = (packets / links + ((i + links - first) % links < packets % links)) * kPacket;
    // The last packet may be short: one link carries that much less.
    uint64_t excess = packets * kPacket - length;
    for (size_t k = 0; excess && k < links; ++k) {
        size_t i = (first + links - 1 - k) % links; // the last link to carry an extra
        if (s[i] >= kPacket) {
            s[i] -= excess;
            break;
        }
    }
    return s;
}

NvlinkFabric::NvlinkFabric(sc_core::sc_module_name name, const std::vector<LinkSpec>& links,
                           std::vector<Member> members, uint64_t seed, const LogConfig* log)
    : sc_core::sc_module(name), members_(std::move(members)),
      log_(std::string(sc_core::sc_module::name()), "nvlink-fabric", log) {
    for (size_t m = 0; m < members_.size(); ++m)
        members_[m].device->attach_nvlink(*this, static_cast<uint32_t>(m + 1));
    for (const LinkSpec& spec : links) {
        nvlink::LinkConfig cfg = link_config(spec);
        for (unsigned e = 0; e < 2; ++e) {
            NvlinkDevice& d = *members_[spec.member[e]].device;
            cfg.ends[e].id = nvlink::token(d.nvlink_port(spec.port[e]).identity());
        }
        if (std::string why = nvlink::validate(cfg); !why.empty())
            throw InputError(spec.where, fmt::format("link '{}': {}", spec.name, why));
        LinkEntry l;
        l.name = spec.name;
        l.link = std::make_unique<nvlink::Link>(cfg, stream_seed(seed, spec.name));
        l.member = spec.member;
        l.port = spec.port;
        l.where = spec.where;
        links_.push_back(std::move(l));
    }
    member_links_.resize(members_.size());
    for (LinkEntry& l : links_)
        for (unsigned e = 0; e < 2; ++e)
            member_links_[l.member[e]].emplace_back(&l, static_cast<End>(e));
    for (LinkEntry& l : links_) {
        l.link->power_on(0);
        for (unsigned e = 0; e < 2; ++e)
            members_[l.member[e]].device->nvlink_port(l.port[e]).connect(
                l.link.get(), static_cast<End>(e), [this] { kick(); });
    }
    for (Member& m : members_)
        m.device->nvlink_links_built(*this);
    SC_HAS_PROCESS(NvlinkFabric);
    SC_THREAD(run);
}

NvlinkFabric::~NvlinkFabric() = default;

uint64_t NvlinkFabric::now_ps() const {
    return sc_core::sc_time_stamp().value();
}

void NvlinkFabric::dispatch(LinkEntry& l) {
    for (const nvlink::Event& e : l.link->take_events()) {
        if (e.kind == nvlink::EventKind::LinkDown && e.end == End::A)
            log_.warn("link {}: {} <-> {} failed (FAULT; Xid 74 at both ends)", l.name,
                      members_[l.member[0]].name, members_[l.member[1]].name);
        else if (e.kind == nvlink::EventKind::TrainingFailed)
            log_.warn("link {}: training failed (FAIL)", l.name);
        else if (e.kind == nvlink::EventKind::TrainingComplete)
            log_.info("link {}: HS at generation {} x{} lanes", l.name, l.link->generation(),
                      l.link->lanes());
        for (unsigned end = 0; end < 2; ++end)
            members_[l.member[end]].device->nvlink_port(l.port[end]).on_event(e);
        for (unsigned end = 0; end < 2; ++end)
            members_[l.member[end]].device->nvlink_event(l.port[end], e);
    }
}

// Each link's time: advanced to every planned change as it comes, its
// events handed to the ports at both ends.
void NvlinkFabric::run() {
    for (;;) {
        uint64_t now = now_ps();
        std::optional<uint64_t> next;
        for (LinkEntry& l : links_) {
            l.link->advance_to(now);
            dispatch(l);
            if (auto t = l.link->next_event_time()) next = next ? std::min(*next, *t) : *t;
        }
        if (next && *next > now)
            sc_core::wait(sc_core::sc_time::from_value(*next - now), kick_);
        else if (next)
            sc_core::wait(sc_core::SC_ZERO_TIME);
        else
            sc_core::wait(kick_);
    }
}

int NvlinkFabric::member_of(const NvlinkDevice& d) const {
    for (size_t m = 0; m < members_.size(); ++m)
        if (members_[m].device == &d) return static_cast<int>(m);
    return -1;
}

int NvlinkFabric::member_with_id(uint32_t id) const {
    return id >= 1 && id <= members_.size() ? static_cast<int>(id - 1) : -1;
}

// HS, or on its way back to HS by itself (recovery, ALI training, waking):
// packets wait for it.
bool NvlinkFabric::link_usable(nvlink::Link& link) {
    nvlink::State s = link.state();
    return s != nvlink::State::Fault && s != nvlink::State::Fail && s != nvlink::State::Off &&
           s != nvlink::State::Reset;
}

NvlinkFabric::LinkEntry* NvlinkFabric::link_at(unsigned member, unsigned port) {
    for (auto [l, e] : member_links_[member])
        if (l->port[static_cast<unsigned>(e)] == port) return l;
    return nullptr;
}

namespace {

// When the receiver at the far end of `link` has the first packet of a
// transfer that began at `start`: its serialization, the flight and the
// receiver's check. Before the link has trained, the transfer's own end
// bounds it.
uint64_t first_arrival(const nvlink::Link& link, const nvlink::TransferTiming& tt, uint64_t bytes,
                       bool write) {
    if (link.generation() == 0 || link.lanes() == 0 || bytes == 0) return tt.end;
    unsigned payload = static_cast<unsigned>(std::min<uint64_t>(bytes, nvlink::kMaxPayload));
    const nvlink::LinkTimes& t = link.config().times;
    uint64_t at =
        tt.start +
        nvlink::flits_time(nvlink::packet_flits(payload, write), link.generation(), link.lanes()) +
        t.wire_latency + t.rx_processing;
    return std::min(at, tt.end);
}

} // namespace

// One leg of a routed request: this hop's transfer, then, when the far end
// is a switch, its route's egress ports carry the bytes on (spread in whole
// packets across the ganged group), each from when this hop's first packet
// arrived plus the crossbar. Pipelined: the leg ends when its slowest hop
// does.
NvlinkFabric::Leg NvlinkFabric::forward(LinkEntry& l, End from, uint64_t bytes, bool write,
                                        uint64_t earliest, unsigned target, uint32_t to_id,
                                        unsigned hops) {
    Leg leg;
    nvlink::TransferTiming tt;
    if (bytes == 0) { // a read request: one header packet
        nvlink::PacketTiming pt = l.link->send(from, 0, write, earliest);
        tt.delivered = pt.delivered;
        tt.start = tt.issued = pt.start;
        tt.end = pt.end;
    } else {
        tt = l.link->transfer(from, bytes, write, earliest);
    }
    leg.issued = tt.issued;
    if (!tt.delivered) {
        leg.status = MemStatus::BusError;
        return leg;
    }
    unsigned far = 1 - static_cast<unsigned>(from);
    unsigned at = l.member[far], ingress = l.port[far];
    uint64_t arrived = first_arrival(*l.link, tt, bytes, write);
    leg.end = tt.end;
    if (at == target) {
        leg.first = arrived;
        return leg;
    }
    NvlinkDevice& sw = *members_[at].device;
    auto drop = [&](uint32_t why) {
        sw.route_dropped(ingress, to_id, why);
        leg.status = MemStatus::BusError;
        return leg;
    };
    if (sw.nvlink_device_type() != NVSOC_NVL_DEVICE_NVSWITCH)
        return drop(NVSOC_NVSW_ROUTE_ERR_NOT_TARGET); // an endpoint that is not the target
    if (hops >= kMaxSwitchHops) return drop(NVSOC_NVSW_ROUTE_ERR_HOP_LIMIT);
    std::vector<unsigned> egress = sw.route(ingress, to_id);
    if (egress.empty()) {
        leg.status = MemStatus::BusError; // the switch counted it
        return leg;
    }
    std::vector<LinkEntry*> out;
    for (unsigned port : egress)
        if (LinkEntry* e = link_at(at, port)) {
            e->link->advance_to(std::max(e->link->now(), std::min(earliest, now_ps())));
            if (link_usable(*e->link)) out.push_back(e);
        }
    if (out.empty()) return drop(NVSOC_NVSW_ROUTE_ERR_EGRESS_DOWN);
    std::vector<uint64_t> share = shares(bytes, out.size(), 0);
    uint64_t start = arrived + sw.forward_latency();
    for (size_t i = 0; i < out.size(); ++i) {
        if (share[i] == 0 && (bytes != 0 || i != 0)) continue; // a read request: one packet
        LinkEntry* e = out[i];
        End side = e->member[0] == at ? End::A : End::B;
        unsigned next_at = e->member[1 - static_cast<unsigned>(side)];
        if (next_at != target &&
            members_[next_at].device->nvlink_device_type() != NVSOC_NVL_DEVICE_NVSWITCH)
            return drop(NVSOC_NVSW_ROUTE_ERR_NOT_TARGET); // no endpoint forwards
        Leg next = forward(*e, side, share[i], write, start, target, to_id, hops + 1);
        if (next.status != MemStatus::Ok) leg.status = next.status;
        leg.first = std::min(leg.first, next.first);
        leg.end = std::max(leg.end, next.end);
    }
    return leg;
}

// `member`'s links to switches that are up or coming back by itself, each
// with that member's end; `any` says whether it has links to switches at all.
std::vector<std::pair<NvlinkFabric::LinkEntry*, End>>
NvlinkFabric::switch_links(unsigned member, uint64_t time, bool& any) {
    std::vector<std::pair<LinkEntry*, End>> usable;
    any = false;
    for (auto [l, e] : member_links_[member])
        if (members_[l->member[1 - static_cast<unsigned>(e)]].device->nvlink_device_type() ==
            NVSOC_NVL_DEVICE_NVSWITCH) {
            any = true;
            l->link->advance_to(std::max(l->link->now(), std::min(time, now_ps())));
            if (link_usable(*l->link)) usable.emplace_back(l, e);
        }
    return usable;
}

// `bytes` spread in equal shares of whole packets over `links` (a
// device's links to switches), each share routed on to member `target`
// (NVLink ID `to_id`). Write data and read responses both travel this way;
// only the packet format differs (`write`).
NvlinkFabric::Leg NvlinkFabric::spread(const std::vector<std::pair<LinkEntry*, End>>& links,
                                       uint64_t bytes, bool write, uint64_t time, unsigned target,
                                       uint32_t to_id) {
    Leg all;
    all.end = all.issued = time;
    std::vector<uint64_t> share = shares(bytes, links.size(), 0);
    for (size_t i = 0; i < links.size(); ++i) {
        if (share[i] == 0) continue;
        auto [l, end] = links[i];
        Leg leg = forward(*l, end, share[i], write, time, target, to_id, 0);
        // Every share is sent even when one is dropped: each switch that
        // drops one counts it, as a real fabric's would.
        if (leg.status != MemStatus::Ok) all.status = leg.status;
        all.first = std::min(all.first, leg.first);
        all.end = std::max(all.end, leg.end);
        all.issued = std::max(all.issued, leg.issued);
    }
    return all;
}

// A request between two devices no link joins: equal shares over the
// requester's links to switches, each share routed on from there.
MemResult NvlinkFabric::routed_access(unsigned from, unsigned to, uint32_t to_id,
                                      const MemAccess& a) {
    MemResult r;
    r.done = r.issued = a.time;
    r.fault_address = a.address;
    bool any = false;
    std::vector<std::pair<LinkEntry*, End>> usable = switch_links(from, a.time, any);
    if (!any) {
        r.status = MemStatus::NoPath;
        return r;
    }
    if (usable.empty() || a.length == 0) {
        if (usable.empty()) r.status = MemStatus::BusError;
        return r;
    }
    NvlinkDevice& target = *members_[to].device;
    MemAccess at_target = a;
    at_target.aperture = gpu::Aperture::Vram;
    if (a.write) {
        Leg w = spread(usable, a.length, true, a.time, to, to_id);
        if (w.status != MemStatus::Ok) {
            r.status = MemStatus::BusError;
            return r;
        }
        at_target.time = w.first;
        MemResult t = target.serve_nvlink(at_target);
        if (t.status != MemStatus::Ok) return t;
        r.done = std::max(w.end, t.done);
        r.issued = w.issued;
        return r;
    }
    // A read: a request packet routed to the target, its memory, then the
    // responses routed back as a request would be, from the target's links
    // to switches by each switch's entry for the requester's ID (its table
    // may send them by other ports and links than the request took).
    auto& [l0, e0] = usable.front();
    Leg req = forward(*l0, e0, 0, false, a.time, to, to_id, 0);
    if (req.status != MemStatus::Ok) {
        r.status = MemStatus::BusError;
        return r;
    }
    // The data reaches the requester only if the responses do: the target
    // reads into a staging buffer, copied out once they have arrived.
    std::vector<uint8_t> staged(a.length);
    at_target.data = staged.data();
    at_target.time = req.end;
    MemResult t = target.serve_nvlink(at_target);
    if (t.status != MemStatus::Ok) return t;
    // Member m has NVLink ID m + 1 (the constructor numbers them).
    std::vector<std::pair<LinkEntry*, End>> back = switch_links(to, t.done, any);
    Leg resp = back.empty() ? Leg{MemStatus::BusError}
                            : spread(back, a.length, false, t.done, from, from + 1);
    if (resp.status != MemStatus::Ok) {
        r.status = MemStatus::BusError;
        return r;
    }
    std::memcpy(a.data, staged.data(), a.length);
    r.done = std::max(t.done, resp.end);
    r.issued = a.time;
    return r;
}

MemResult NvlinkFabric::peer_access(NvlinkDevice& from_dev, uint32_t to_id, const MemAccess& a) {
    MemResult r;
    r.done = r.issued = a.time;
    r.fault_address = a.address;
    int from = member_of(from_dev), to = member_with_id(to_id);
    // The links between the two, each with the requester's end.
    std::vector<std::pair<nvlink::Link*, End>> path, usable;
    if (from >= 0 && to >= 0)
        for (auto [l, e] : member_links_[unsigned(from)])
            if (l->member[1 - static_cast<unsigned>(e)] == unsigned(to))
                path.emplace_back(l->link.get(), e);
    if (path.empty()) {
        // No direct link: through the switches, if any.
        if (from >= 0 && to >= 0 && from != to)
            return routed_access(unsigned(from), unsigned(to), to_id, a);
        r.status = MemStatus::NoPath;
        return r;
    }
    for (auto& [link, end] : path) {
        link->advance_to(std::max(link->now(), std::min(a.time, now_ps())));
        if (link_usable(*link)) usable.emplace_back(link, end);
    }
    if (usable.empty() || a.length == 0) {
        if (usable.empty()) r.status = MemStatus::BusError;
        return r;
    }
    NvlinkDevice& target = *members_[to].device;
    // Whole packets per link, as even as they go; the links that carry one
    // more take turns from one request to the next, so that over a burst
    // every link carries the same.
    size_t& turn = turns_[{from, to}];
    std::vector<uint64_t> share = shares(a.length, usable.size(), turn);
    turn = (turn + (a.length + nvlink::kMaxPayload - 1) / nvlink::kMaxPayload) % usable.size();
    MemAccess at_target = a;
    at_target.aperture = gpu::Aperture::Vram;
    bool delivered = true;
    if (a.write) {
        uint64_t first = UINT64_MAX, last = a.time, issued = a.time;
        for (size_t i = 0; i < usable.size(); ++i) {
            if (share[i] == 0) continue;
            auto [link, end] = usable[i];
            nvlink::TransferTiming tt = link->transfer(end, share[i], true, a.time);
            delivered = delivered && tt.delivered;
            first = std::min(first, tt.start);
            last = std::max(last, tt.end);
            issued = std::max(issued, tt.issued);
        }
        if (!delivered) {
            r.status = MemStatus::BusError;
            return r;
        }
        // The target's memory takes the data as it arrives.
        at_target.time = first;
        MemResult t = target.serve_nvlink(at_target);
        if (t.status != MemStatus::Ok) return t;
        r.done = std::max(last, t.done);
        r.issued = issued;
        return r;
    }
    // A read: the request, the target's memory, the responses back.
    nvlink::PacketTiming req = usable.front().first->send(usable.front().second, 0, false, a.time);
    if (!req.delivered) {
        r.status = MemStatus::BusError;
        return r;
    }
    at_target.time = req.end;
    MemResult t = target.serve_nvlink(at_target);
    if (t.status != MemStatus::Ok) return t;
    uint64_t last = t.done;
    for (size_t i = 0; i < usable.size(); ++i) {
        if (share[i] == 0) continue;
        auto [link, end] = usable[i];
        nvlink::TransferTiming tt = link->transfer(nvlink::other(end), share[i], false, t.done);
        delivered = delivered && tt.delivered;
        last = std::max(last, tt.end);
    }
    if (!delivered) {
        r.status = MemStatus::BusError;
        return r;
    }
    r.done = last;
    r.issued = req.start;
    return r;
}

NvlinkFabric::Carried NvlinkFabric::carry(NvlinkDevice& from_dev, NvlinkDevice& to_dev, bool write,
                                          uint64_t bytes, uint64_t earliest) {
    Carried c;
    c.first = c.end = c.issued = earliest;
    int from = member_of(from_dev), to = member_of(to_dev);
    std::vector<std::pair<nvlink::Link*, End>> usable;
    bool any = false;
    if (from >= 0 && to >= 0)
        for (auto [l, e] : member_links_[unsigned(from)])
            if (l->member[1 - static_cast<unsigned>(e)] == unsigned(to)) {
                any = true;
                nvlink::Link& link = *l->link;
                link.advance_to(std::max(link.now(), std::min(earliest, now_ps())));
                if (link_usable(link)) usable.emplace_back(&link, e);
            }
    if (!any) {
        c.status = MemStatus::NoPath;
        return c;
    }
    if (usable.empty()) {
        c.status = MemStatus::BusError;
        return c;
    }
    if (bytes == 0) { // a read request: one header packet on the first link
        nvlink::PacketTiming pt =
            usable.front().first->send(usable.front().second, 0, false, earliest);
        if (!pt.delivered) c.status = MemStatus::BusError;
        c.first = c.end = pt.end;
        c.issued = pt.start;
        wake_for(usable);
        return c;
    }
    size_t& turn = turns_[{from, to}];
    std::vector<uint64_t> share = shares(bytes, usable.size(), turn);
    turn = (turn + (bytes + nvlink::kMaxPayload - 1) / nvlink::kMaxPayload) % usable.size();
    c.first = UINT64_MAX;
    for (size_t i = 0; i < usable.size(); ++i) {
        if (share[i] == 0) continue;
        auto [link, end] = usable[i];
        nvlink::TransferTiming tt = link->transfer(end, share[i], write, earliest);
        if (!tt.delivered) c.status = MemStatus::BusError;
        c.first = std::min(c.first, first_arrival(*link, tt, share[i], write));
        c.end = std::max(c.end, tt.end);
        c.issued = std::max(c.issued, tt.issued);
    }
    wake_for(usable);
    return c;
}

// Packets can leave events due later (replays, recoveries): the fabric's
// thread, asleep while the links are stable, must wake for them.
void NvlinkFabric::wake_for(const std::vector<std::pair<nvlink::Link*, End>>& links) {
    for (auto& [link, end] : links)
        if (link->next_event_time()) {
            kick();
            return;
        }
}

NvlinkFabric::Remote NvlinkFabric::remote_of(const NvlinkDevice& device, unsigned port) const {
    Remote r;
    int m = member_of(device);
    if (m < 0) return r;
    for (auto [l, e] : member_links_[unsigned(m)]) {
        unsigned mine = static_cast<unsigned>(e);
        if (l->port[mine] != port) continue;
        const Member& other = members_[l->member[1 - mine]];
        r.device = other.device;
        r.name = other.name;
        r.port = l->port[1 - mine];
        r.link = l->name;
        r.where = l->where;
        return r;
    }
    return r;
}

void NvlinkFabric::stats(nlohmann::json& out) const {
    for (const LinkEntry& l : links_) {
        nlohmann::json& j = out[l.name];
        j["state"] = nvlink::name(l.link->state());
        j["generation"] = l.link->generation();
        j["lanes"] = l.link->lanes();
        for (unsigned e = 0; e < 2; ++e) {
            const nvlink::Counters& c = l.link->counters(static_cast<End>(e));
            nlohmann::json& k = j[fmt::format("{}.nvl{}", members_[l.member[e]].name, l.port[e])];
            k["tl_tx_bytes"] = c.tl_tx_bytes;
            k["tl_rx_bytes"] = c.tl_rx_bytes;
            k["tl_tx_packets"] = c.tl_tx_packets;
            k["tl_rx_packets"] = c.tl_rx_packets;
            k["dl_replay"] = c.dl_replay;
            k["dl_recovery"] = c.dl_recovery;
            k["dl_crc_flit"] = c.dl_crc_flit;
            k["dl_crc_data"] = c.dl_crc_data;
        }
    }
}

} // namespace nvsoc
