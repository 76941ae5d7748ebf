#include "models/pcie/switch_port.h"

#include "models/core/model_registry.h"

namespace nvsoc {

using namespace pcie;

namespace {

Identity switch_identity(const DeviceConfig& c, bool multi_function) {
    Identity id;
    id.multi_function = multi_function;
    id.vendor_id = static_cast<uint16_t>(c.params.u64("vendor-id"));
    id.device_id = static_cast<uint16_t>(c.params.u64("device-id"));
    id.class_code = 0x060400; // PCI-to-PCI bridge, normal decode
    return id;
}

} // namespace

SwitchUpstreamPort::SwitchUpstreamPort(const DeviceConfig& config, bool multi_function)
    : PcieNode(config), cs_(switch_identity(config, multi_function), BridgeOptions{}),
      latency_(sc_core::sc_time::from_value(config.params.time_ps("latency"))) {
    cs_.add_pm_capability();
    PcieOptions o;
    o.type = PortType::UpstreamPort;
    o.max_payload_supported = static_cast<unsigned>(config.params.u64("max-payload"));
    o.max_link_speed = port_.max_speed;
    o.max_link_width = port_.max_width;
    try {
        cs_.add_pcie_capability(o);
    } catch (const std::logic_error& e) {
        throw InputError(config.params.where("max-payload"),
                         fmt::format("'{}': {}", config.name, e.what()));
    }
    cs_.add_aer_capability();
}

void SwitchUpstreamPort::downstream_request(const PciBus::Claim&, Space space, uint64_t address,
                                            tlm::tlm_generic_payload& tx, sc_core::sc_time& delay) {
    auto claim = bus_.claim(space, address);
    if (!claim) {
        cs_.hw_set_bits(cfg::kSecondaryStatus, cfg::status::kReceivedMasterAbort);
        unsupported(tx, "no downstream port of the switch decodes it");
        return;
    }
    if (claim->ambiguous && ambiguous_claims_++ == 0)
        log_.guest_error("bus address 0x{:x} is in the windows of more than one downstream port "
                         "(overlapping windows): device {} takes it",
                         address, claim->device);
    ++down_;
    delay += latency_;
    claim->owner->downstream_request(*claim, space, address, tx, delay);
    if (tx.is_read()) delay += latency_; // the completion crosses back
}

void SwitchUpstreamPort::upstream_request(tlm::tlm_generic_payload& tx, sc_core::sc_time& delay) {
    uint64_t address = tx.get_address();
    delay += latency_;
    if (cs_.forwards(Space::Memory, address)) {
        // Peer-to-peer: the address is below this switch. The request turns
        // at the upstream port's internal bus and goes down the port that
        // claims it.
        auto claim = bus_.claim(Space::Memory, address);
        if (!claim) {
            report_unsupported_request(0, tx.is_read());
            unsupported(tx, "peer request that no downstream port of the switch decodes");
            return;
        }
        ++peer_;
        claim->owner->downstream_request(*claim, Space::Memory, address, tx, delay);
        if (tx.is_read()) delay += latency_;
        return;
    }
    if (!cs_.bus_master_enabled()) {
        // A bridge forwards requests upstream only with Bus Master Enable.
        report_unsupported_request(0, tx.is_read());
        unsupported(tx, "upstream through a switch whose Bus Master Enable is clear");
        return;
    }
    if (!link_up()) {
        tx.set_response_status(tlm::TLM_GENERIC_ERROR_RESPONSE);
        return;
    }
    ++up_;
    upstream_->upstream_request(tx, delay);
    if (tx.is_read()) delay += latency_;
}

void SwitchUpstreamPort::upstream_intx(unsigned device, unsigned pin, bool level) {
    bridge_intx(device, pin, level);
}

void SwitchUpstreamPort::upstream_error(ErrorSeverity severity, uint16_t source) {
    if (bridge_passes_error(severity)) signal_error(severity, source);
}

// A hot reset (or DL_Down) reaching the upstream port resets the whole
// switch: its own function and, through each downstream port, every link
// below.
void SwitchUpstreamPort::link_reset() {
    PcieNode::link_reset();
    clear_bridged_intx();
    for (unsigned d = 0; d < 32; ++d)
        if (PcieNode* port = bus_.owner(d)) port->link_reset();
}

void SwitchUpstreamPort::reset() {
    cs_.reset(ResetKind::PowerOn);
    clear_bridged_intx();
}

void SwitchUpstreamPort::stats(nlohmann::json& out) const {
    out["requests_down"] = down_;
    out["requests_up"] = up_;
    out["peer_requests"] = peer_;
    out["unsupported_requests"] = unsupported_requests_;
    out["ambiguous_requests"] = ambiguous_claims_;
}

void SwitchDownstreamPort::link_reset() {
    PcieNode::link_reset();
    // A hot reset propagates down: Hot Reset on the link for its minimum
    // time, then training again, with the registers' reset values.
    link().set_link_disable(now_ps(), false);
    link().set_target_speed(now_ps(), pcie::kMaxSpeed);
    link().set_hot_reset(now_ps(), true);
    link().set_hot_reset(now_ps(), false);
    notify_link();
}

namespace {
std::vector<ParamSpec> upstream_port_params() {
    std::vector<ParamSpec> p = pcie_link_params("gen5", "16");
    std::vector<ParamSpec> more = {
        {"vendor-id",
         ParamType::Integer,
         "0x104c",
         "Vendor ID (default TI, as XIO3130)",
         false,
         {},
         0,
         0xffff},
        {"device-id", ParamType::Integer, "0x8232", "Device ID", false, {}, 0, 0xffff},
        max_payload_param(),
        {"latency", ParamType::Time, "150ns", "Time a request takes to cross the switch, each way"},
    };
    p.insert(p.end(), more.begin(), more.end());
    return p;
}
} // namespace

NVSOC_REGISTER_MODEL(ModelInfo{
    .type = "pcie-switch-upstream-port",
    .doc = "PCIe switch upstream port: type 1 bridge on a link, whose internal bus holds the "
           "switch's downstream ports",
    .params = upstream_port_params(),
    .create = [](const DeviceConfig& c) { return std::make_unique<SwitchUpstreamPort>(c); },
    .on_bus = "PCI",
    .owns_bus = "PCI",
});

NVSOC_REGISTER_MODEL(ModelInfo{
    .type = "pcie-switch-downstream-port",
    .doc = "PCIe switch downstream port on a switch's internal bus: type 1 bridge, link with "
           "LTSSM and TLP timing, slot, AER, link fault points",
    .params = downstream_port_params("0x104c", "0x8233", "Vendor ID (default TI, as XIO3130)"),
    .create = [](const DeviceConfig& c) { return std::make_unique<SwitchDownstreamPort>(c); },
    .on_bus = "PCI",
    .owns_bus = "PCI",
});

} // namespace nvsoc
