#include "models/nvlink/nvswitch.h"

#include "models/core/error.h"
#include "models/core/model_registry.h"
#include "models/nvlink/nvlink_port_hw.h"

#include <stdexcept>

namespace nvsoc {

using namespace pcie;
using gpu::MemAccess;
using gpu::MemResult;
using gpu::MemStatus;

namespace {

// The switch of each generation's era: NVSwitch 1 (V100, NVLink 2) has
// 18 ports, NVSwitch 2 (A100, NVLink 3) 36, NVSwitch 3 (H100, NVLink 4)
// 64. NVLink 1 had no switch; it gets the first one's 18.
unsigned max_ports(unsigned gen) {
    return gen <= 2 ? 18 : gen == 3 ? 36 : NVSOC_NVSW_MAX_PORTS;
}

unsigned port_count(const Params& p) {
    unsigned gen = static_cast<unsigned>(p.u64("nvlink-gen"));
    return p.has("ports") ? static_cast<unsigned>(p.u64("ports")) : max_ports(gen);
}

NvlinkPorts nvswitch_nvlink_ports(const Params& p) {
    auto [lo, hi] = nvlink::generations(p);
    NvlinkPorts ports{port_count(p), lo, hi};
    if (ports.count > max_ports(ports.max_generation))
        throw InputError(p.where("ports"),
                         fmt::format("ports {}: an NVLink {} switch has at most {} ports",
                                     ports.count, ports.max_generation,
                                     max_ports(ports.max_generation)));
    try {
        parse_nvswitch_routes(p.str("routes"), ports.count);
    } catch (const std::invalid_argument& e) {
        throw InputError(p.where("routes"),
                         fmt::format("routes '{}': {}", p.str("routes"), e.what()));
    }
    return ports;
}

Identity nvswitch_identity() {
    Identity id;
    id.vendor_id = NVSOC_NVSW_VENDOR_ID;
    id.device_id = NVSOC_NVSW_DEVICE_ID;
    id.class_code = NVSOC_NVSW_PCI_CLASS;
    id.subsystem_vendor_id = id.vendor_id;
    id.subsystem_id = id.device_id;
    id.interrupt_pin = 1; // INTA: the ports' errors
    return id;
}

uint64_t number(const std::string& text, const std::string& item) {
    size_t used = 0;
    unsigned long long v = 0;
    try {
        v = std::stoull(text, &used, 10);
    } catch (const std::exception&) {
        used = 0;
    }
    if (text.empty() || used != text.size())
        throw std::invalid_argument(fmt::format("'{}' in '{}' is not a number", text, item));
    return v;
}

} // namespace

std::vector<std::pair<uint32_t, uint64_t>> parse_nvswitch_routes(const std::string& text,
                                                                 unsigned ports) {
    std::vector<std::pair<uint32_t, uint64_t>> out;
    size_t pos = 0;
    while (pos < text.size()) {
        size_t comma = text.find(',', pos);
        std::string item = text.substr(pos, comma == std::string::npos ? comma : comma - pos);
        pos = comma == std::string::npos ? text.size() : comma + 1;
        size_t colon = item.find(':');
        if (colon == std::string::npos)
            throw std::invalid_argument(fmt::format(
                "'{}' is not <NVLink ID>:<ports>, e.g. 2:0-1 (ID 2 leaves by ports 0 and 1)",
                item));
        uint64_t id = number(item.substr(0, colon), item);
        if (id < 1 || id >= NVSOC_NVSW_MAX_IDS)
            throw std::invalid_argument(
                fmt::format("NVLink ID {} in '{}' is not 1..{}", id, item, NVSOC_NVSW_MAX_IDS - 1));
        uint64_t mask = 0;
        std::string list = item.substr(colon + 1);
        size_t p = 0;
        do {
            size_t plus = list.find('+', p);
            std::string range = list.substr(p, plus == std::string::npos ? plus : plus - p);
            p = plus == std::string::npos ? list.size() : plus + 1;
            size_t dash = range.find('-');
            uint64_t lo = number(range.substr(0, dash), item);
            uint64_t hi = dash == std::string::npos ? lo : number(range.substr(dash + 1), item);
            if (lo > hi || hi >= ports)
                throw std::invalid_argument(
                    fmt::format("ports {} in '{}' are not among the switch's {} ports (0-{})",
                                range, item, ports, ports - 1));
            for (uint64_t q = lo; q <= hi; ++q)
                mask |= 1ull << q;
        } while (p < list.size());
        for (auto& [other, m] : out)
            if (other == id)
                throw std::invalid_argument(fmt::format("NVLink ID {} is routed twice", id));
        out.emplace_back(static_cast<uint32_t>(id), mask);
    }
    return out;
}

NvSwitch::NvSwitch(const DeviceConfig& config)
    : PcieNode(config), cs_(nvswitch_identity()),
      yaml_routes_(parse_nvswitch_routes(config.params.str("routes"), port_count(config.params))),
      routes_(NVSOC_NVSW_MAX_PORTS * NVSOC_NVSW_MAX_IDS, 0),
      crossbar_latency_(config.params.time_ps("crossbar-latency")) {
    cs_.set_bar(NVSOC_NVSW_BAR_REGS, {NVSOC_NVSW_BAR0_SIZE, BarKind::Memory32, false});
    cs_.add_pm_capability();
    PcieOptions o;
    o.type = PortType::Endpoint;
    o.max_payload_supported = 256;
    o.max_link_speed = port_.max_speed;
    o.max_link_width = port_.max_width;
    cs_.add_pcie_capability(o);
    cs_.add_aer_capability();
    unsigned n = port_count(config.params);
    for (unsigned p = 0; p < n; ++p)
        ports_.push_back(std::make_unique<nvlink::Port>(
            nvlink::PortIdentity{NVSOC_NVL_DEVICE_NVSWITCH, 0, p}, *this));
    declare_registers();
    map_bar(0, NVSOC_NVSW_BAR_REGS,
            {.registers = &registers_, .registers_size = NVSOC_NVSW_BAR0_SIZE});
    watch_interrupt_disable();
    load_routes();
}

NvSwitch::~NvSwitch() = default;

void NvSwitch::declare_registers() {
    auto ro = [this](const char* name, unsigned offset, std::function<uint64_t()> read) {
        registers_.add(
            {.name = name, .offset = offset, .write_mask = 0, .on_read = [read](unsigned) {
                 return read();
             }});
    };
    ro("IDENT", NVSOC_NVSW_IDENT, [] { return NVSOC_NVSW_IDENT_VALUE; });
    ro("VERSION", NVSOC_NVSW_VERSION, [] { return NVSOC_NVSW_VERSION_VALUE; });
    ro("NUM_PORTS", NVSOC_NVSW_NUM_PORTS, [this] { return ports_.size(); });
    ro("NVLINK_ID", NVSOC_NVSW_NVLINK_ID, [this] { return nvlink_id_; });
    auto pending = [this](unsigned from) {
        uint64_t bits = 0;
        for (unsigned p = from; p < ports_.size() && p < from + 32; ++p)
            if (ports_[p]->pending()) bits |= 1ull << (p - from);
        return bits;
    };
    ro("INTR_PENDING_LO", NVSOC_NVSW_INTR_PENDING_LO, [pending] { return pending(0); });
    ro("INTR_PENDING_HI", NVSOC_NVSW_INTR_PENDING_HI, [pending] { return pending(32); });
    ro("ROUTE_DROPS_LO", NVSOC_NVSW_ROUTE_DROPS_LO, [this] { return drops_ & 0xffffffffu; });
    ro("ROUTE_DROPS_HI", NVSOC_NVSW_ROUTE_DROPS_HI, [this] { return drops_ >> 32; });
    registers_.add({.name = "ROUTE_ERR_STATUS",
                    .offset = NVSOC_NVSW_ROUTE_ERR_STATUS,
                    // All bits reach on_write (it applies W1C to the model's
                    // state; on_read shows that state, not the stored value).
                    .on_read = [this](unsigned) -> uint64_t { return err_status_; },
                    .on_write =
                        [this](unsigned, uint64_t v, uint64_t) {
                            // W1C; with nothing left, the next drop records its place.
                            err_status_ &= ~static_cast<uint32_t>(v);
                            if (!err_status_) err_info_ = 0;
                        }});
    ro("ROUTE_ERR_INFO", NVSOC_NVSW_ROUTE_ERR_INFO, [this] { return err_info_; });
    for (unsigned p = 0; p < ports_.size(); ++p)
        ports_[p]->declare(registers_, NVSOC_NVSW_PORT(p, 0), fmt::format("nvl{}", p));
    // The routing table: one entry per (ingress port, destination ID), in
    // the order of the offsets, LO and HI halves of the egress mask.
    auto half = [this](const char* name, unsigned shift) {
        registers_.add({.name = name,
                        .offset = NVSOC_NVSW_ROUTE_LO(0, 0) + shift / 8,
                        .count = static_cast<unsigned>(ports_.size()) * NVSOC_NVSW_MAX_IDS,
                        .stride = 8,
                        .on_read = [this, shift](unsigned i) -> uint64_t {
                            return (routes_[i] >> shift) & 0xffffffffu;
                        },
                        .on_write =
                            [this, shift](unsigned i, uint64_t v, uint64_t) {
                                // Ports the switch lacks are not egress ports: their bits
                                // read back 0.
                                uint64_t valid =
                                    ports_.size() >= 64 ? ~0ull : (1ull << ports_.size()) - 1;
                                uint64_t keep = routes_[i] & ~(0xffffffffull << shift);
                                routes_[i] = (keep | (v & 0xffffffffu) << shift) & valid;
                            }});
    };
    half("ROUTE_LO", 0);
    half("ROUTE_HI", 32);
}

// The YAML's routes, the same for every ingress port.
void NvSwitch::load_routes() {
    std::fill(routes_.begin(), routes_.end(), 0);
    for (unsigned p = 0; p < ports_.size(); ++p)
        for (const auto& [id, mask] : yaml_routes_)
            routes_[p * NVSOC_NVSW_MAX_IDS + id] = mask;
}

void NvSwitch::downstream_request(const PciBus::Claim& claim, Space space, uint64_t address,
                                  tlm::tlm_generic_payload& tx, sc_core::sc_time& delay) {
    // The port registers read the link at the access's own time.
    in_bar0_access_ = true;
    PcieNode::downstream_request(claim, space, address, tx, delay);
    in_bar0_access_ = false;
}

uint64_t NvSwitch::port_now() const {
    return now_ps(in_bar0_access_ ? access_delay() : sc_core::SC_ZERO_TIME);
}

void NvSwitch::port_interrupt_changed() {
    bool any = false;
    for (auto& p : ports_)
        any = any || p->pending();
    set_intx(0, any);
}

unsigned NvSwitch::nvlink_device_type() const {
    return NVSOC_NVL_DEVICE_NVSWITCH;
}

void NvSwitch::attach_nvlink(NvlinkFabric&, uint32_t nvlink_id) {
    nvlink_id_ = nvlink_id;
    for (auto& p : ports_)
        p->set_device_id(nvlink_id);
}

MemResult NvSwitch::serve_nvlink(const MemAccess& a) {
    MemResult r;
    r.done = r.issued = a.time;
    r.fault_address = a.address;
    r.status = MemStatus::NoPath;
    return r;
}

// The ingress port's entry for the destination. An empty one, or one that
// sends the request back out of the port it came in by (it would bounce
// between two devices), drops it.
std::vector<unsigned> NvSwitch::route(unsigned ingress, uint32_t dest) {
    uint64_t mask = ingress < ports_.size() && dest >= 1 && dest < NVSOC_NVSW_MAX_IDS
                        ? routes_[ingress * NVSOC_NVSW_MAX_IDS + dest]
                        : 0;
    if (mask == 0) {
        route_dropped(ingress, dest, NVSOC_NVSW_ROUTE_ERR_NO_ROUTE);
        return {};
    }
    if (ingress < 64 && (mask >> ingress & 1)) {
        route_dropped(ingress, dest, NVSOC_NVSW_ROUTE_ERR_LOOP);
        return {};
    }
    std::vector<unsigned> out;
    for (unsigned q = 0; q < 64; ++q)
        if (mask >> q & 1) out.push_back(q);
    ++forwarded_;
    return out;
}

void NvSwitch::route_dropped(unsigned ingress, uint32_t dest, uint32_t why) {
    ++drops_;
    if (!err_status_)
        err_info_ = NVSOC_NVSW_ROUTE_ERR_INFO_VALID |
                    (dest & 0xff) << NVSOC_NVSW_ROUTE_ERR_INFO_DEST_SHIFT | (ingress & 0xff);
    err_status_ |= why;
    // Once: a misprogrammed table drops every request that uses it.
    if (!drop_logged_) {
        drop_logged_ = true;
        // The table is the same for requests and read responses: the
        // destination says which (a response's is its requester).
        log_.warn("packets for NVLink ID {} at port {} dropped ({}); further drops are only "
                  "counted (ROUTE_DROPS)",
                  dest, ingress,
                  why == NVSOC_NVSW_ROUTE_ERR_NO_ROUTE      ? "no route"
                  : why == NVSOC_NVSW_ROUTE_ERR_LOOP        ? "route back out of its ingress port"
                  : why == NVSOC_NVSW_ROUTE_ERR_HOP_LIMIT   ? "hop limit"
                  : why == NVSOC_NVSW_ROUTE_ERR_EGRESS_DOWN ? "no egress link up"
                                                            : "egress leads to another endpoint");
    }
}

void NvSwitch::link_reset() {
    PcieNode::link_reset();
    set_intx(0, false);
}

void NvSwitch::reset() {
    cs_.reset(ResetKind::PowerOn);
    registers_.reset();
    for (auto& p : ports_)
        p->reset();
    load_routes();
    err_status_ = err_info_ = 0;
    set_intx(0, false);
}

void NvSwitch::stats(nlohmann::json& out) const {
    out["nvlink_id"] = nvlink_id_;
    out["forwarded"] = forwarded_;
    out["route_drops"] = drops_;
    out["route_err_status"] = err_status_;
}

namespace {
std::vector<ParamSpec> nvswitch_params() {
    std::vector<ParamSpec> p = pcie_link_params("gen4", "4");
    std::vector<ParamSpec> more = {
        {"ports",
         ParamType::Integer,
         "",
         "NVLink ports (nvl0, nvl1, ...), 1 to the generation's switch: 18 (NVLink 1-2), 36 (3), "
         "64 (4-5), which is the default",
         false,
         {},
         1,
         NVSOC_NVSW_MAX_PORTS},
        {"crossbar-latency", ParamType::Time, "100ns",
         "From a packet's arrival at an ingress port to its start at the egress port"},
        {"routes", ParamType::String, "",
         "Routing table every ingress port starts with: <NVLink ID>:<ports>, comma separated; "
         "ports as 0-1 or 0+3 (a ganged group), e.g. \"2:0-1,3:2\"; routing registers in BAR0 "
         "change it"},
    };
    p.insert(p.end(), more.begin(), more.end());
    std::vector<ParamSpec> gens = nvlink::generation_params();
    p.insert(p.end(), gens.begin(), gens.end());
    return p;
}
} // namespace

NVSOC_REGISTER_MODEL(ModelInfo{
    .type = "nvswitch",
    .doc = "NVSwitch: NVLink ports joined by a crossbar that routes by destination NVLink ID "
           "(ganged egress groups), managed through a PCIe endpoint's BAR0 (docs/nvlink.md)",
    .params = nvswitch_params(),
    .create = [](const DeviceConfig& c) { return std::make_unique<NvSwitch>(c); },
    .on_bus = "PCI",
    .nvlink_ports = nvswitch_nvlink_ports,
});

} // namespace nvsoc
