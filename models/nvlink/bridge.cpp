#include "models/nvlink/bridge.h"

#include "models/core/error.h"
#include "models/core/model_registry.h"
#include "models/core/pcie_extension.h"
#include "models/nvlink/nvlink_port_hw.h"

namespace nvsoc {

using namespace pcie;
using gpu::MemAccess;
using gpu::MemResult;
using gpu::MemStatus;

namespace {

sc_core::sc_time after(uint64_t t, uint64_t now) {
    return sc_core::sc_time::from_value(t > now ? t - now : 0);
}

Identity vdsp_identity(const DeviceConfig& c) {
    Identity id;
    id.vendor_id = static_cast<uint16_t>(c.params.u64("vendor-id"));
    id.device_id = NVSOC_NVBR_DSP_DEVICE_ID;
    id.class_code = 0x060400; // PCI-to-PCI bridge, normal decode
    id.interrupt_pin = 1;     // INTA: hot-plug events with MSI off
    return id;
}

Identity mgmt_identity() {
    Identity id;
    id.vendor_id = NVSOC_NVBR_VENDOR_ID;
    id.device_id = NVSOC_NVBR_DEVICE_ID;
    id.class_code = NVSOC_NVBR_PCI_CLASS;
    id.subsystem_vendor_id = id.vendor_id;
    id.subsystem_id = id.device_id;
    id.multi_function = true;
    id.interrupt_pin = 1; // INTA with MSI off
    return id;
}

// A vDSP's own configuration: the bridge's, under the name "<bridge>.p<N>".
DeviceConfig vdsp_config(const DeviceConfig& bridge, unsigned index) {
    DeviceConfig c = bridge;
    c.name = fmt::format("{}.p{}", bridge.name, index);
    c.placement.reset();
    return c;
}

// Link state that keeps the slot occupied: HS, and the states a link
// passes through by itself without losing the device (recovery, sleep).
bool keeps_up(nvlink::State s) {
    return s == nvlink::State::Hs || s == nvlink::State::Recovery || s == nvlink::State::Sleep;
}

} // namespace

// --- The virtual downstream port ------------------------------------------------------

NvlinkVirtualPort::NvlinkVirtualPort(const DeviceConfig& config, NvlinkPcieBridge& bridge,
                                     unsigned index)
    : PcieNode(config), bridge_(bridge), index_(index),
      cs_(vdsp_identity(config), BridgeOptions{}) {
    cs_.add_pm_capability();
    cs_.add_msi_capability(
        {.multiple_message_capable = 0, .address64 = true, .per_vector_masking = true});
    PcieOptions o;
    o.type = PortType::DownstreamPort;
    o.max_payload_supported = static_cast<unsigned>(config.params.u64("max-payload"));
    o.max_link_speed = port_.max_speed;
    o.max_link_width = port_.max_width;
    o.port_number = static_cast<uint8_t>(index);
    o.slot = SlotOptions{};
    o.slot->physical_slot_number = static_cast<uint16_t>(index);
    o.slot->hot_plug_capable = true;
    o.slot->hot_plug_surprise = true; // the link can vanish without notice
    o.dll_link_active_reporting = true;
    cs_.add_pcie_capability(o);
    cs_.add_aer_capability();
    cs_.set_interrupt_message_number(0);
    msi_ = std::make_unique<MsiSignaller>(cs_, log_, msi_wiring(0));
    // Empty until the link is HS.
    unsigned pc = cs_.pcie_offset();
    cs_.hw_clear_bits(pc + pcie_cap::kSlotStatus, pcie_cap::sltsta::kPresenceDetect);
    cs_.add_write_hook(pc + pcie_cap::kSlotControl, 4,
                       [this](const WriteEvent&) { update_interrupt(); });
    cs_.add_write_hook(cfg::kBridgeControl, 2, [this](const WriteEvent& w) {
        uint32_t sbr = uint32_t{cfg::bridge_control::kSecondaryBusReset} << 16;
        if (below_ && w.wrote_one(sbr)) below_->link_reset();
    });
    watch_interrupt_disable();
    // Configuration requests reach the GPU only over an HS link.
    bus_.set_link_up_test([this] {
        if (!up_ && below_) bridge_.config_to_down_port();
        return up_;
    });
}

void NvlinkVirtualPort::attached(PcieNode& below) {
    below_ = &below;
    below.set_link_up(false);
}

NvlinkDevice* NvlinkVirtualPort::gpu() const {
    return dynamic_cast<NvlinkDevice*>(below_);
}

// Link Status of both ends: the port's widest and fastest, narrowed to the
// GPU's, while the link is up (the NVLink link's own rate is in the port
// block; these fields only tell software that the slot's link is active).
void NvlinkVirtualPort::publish_link() {
    unsigned speed = up_ ? port_.max_speed : 0, width = up_ ? port_.max_width : 0;
    if (up_ && below_) {
        speed = std::min(speed, below_->upstream_port().max_speed);
        width = std::min(width, below_->upstream_port().max_width);
    }
    cs_.set_link_status(speed, width, up_);
    if (below_)
        for (ConfigSpace* f : below_->functions())
            f->set_link_status(speed, width, up_);
}

void NvlinkVirtualPort::link_event(const nvlink::Event& e) {
    using nvlink::EventKind;
    if (e.kind == EventKind::StateChange) {
        if (!up_ && e.state == nvlink::State::Hs)
            link_up();
        else if (up_ && !keeps_up(e.state))
            link_down(e.state == nvlink::State::Fault);
        return;
    }
    if ((e.kind == EventKind::Replay || e.kind == EventKind::Recovery) && below_ && up_) {
        // Corrected on the link. A replay means the receiver dropped a flit
        // for a bad CRC: PCIe's counterpart is Bad TLP (an LCRC error),
        // reported by the receiving end, as a PCIe link's ends would: the
        // GPU for flits the bridge sent it, this vDSP for flits the GPU
        // sent. A recovery (replays exhausted, the link retrained) is a
        // Receiver Error at both ends. Both are unmasked at power-on
        // (Corrected Internal Error is masked and Linux leaves it so).
        ++corrected_;
        const bool bridge_sent = e.end == bridge_.nvlink_port(index_).end();
        if (e.kind == EventKind::Recovery) {
            below_->report_error(0, AerBit{false, aer::kReceiverError});
            report_error(0, AerBit{false, aer::kReceiverError});
        } else if (bridge_sent) {
            below_->report_error(0, AerBit{false, aer::kBadTlp});
        } else {
            report_error(0, AerBit{false, aer::kBadTlp});
        }
        bridge_.link_corrected(index_);
    }
}

void NvlinkVirtualPort::link_up() {
    up_ = true;
    ++link_ups_;
    unsigned pc = cs_.pcie_offset();
    if (below_)
        cs_.hw_set_bits(pc + pcie_cap::kSlotStatus, pcie_cap::sltsta::kPresenceDetect |
                                                        pcie_cap::sltsta::kPresenceChanged |
                                                        pcie_cap::sltsta::kDllStateChanged);
    else
        cs_.hw_set_bits(pc + pcie_cap::kSlotStatus, pcie_cap::sltsta::kDllStateChanged);
    publish_link();
    if (below_) {
        log_.info("NVLink port {} HS: '{}' present", index_, below_->instance());
        below_->set_link_up(true);
    }
    update_interrupt();
    bridge_.present_changed();
}

void NvlinkVirtualPort::link_down(bool failed) {
    up_ = false;
    unsigned pc = cs_.pcie_offset();
    cs_.hw_clear_bits(pc + pcie_cap::kSlotStatus, pcie_cap::sltsta::kPresenceDetect);
    cs_.hw_set_bits(pc + pcie_cap::kSlotStatus, (below_ ? pcie_cap::sltsta::kPresenceChanged : 0u) |
                                                    pcie_cap::sltsta::kDllStateChanged);
    publish_link();
    if (below_) {
        below_->set_link_up(false);
        // The GPU's port takes the loss of its link as DL_Down: a hot reset.
        below_->link_reset();
        if (failed) {
            // The device vanished under the port: Surprise Down, logged and
            // signalled by the port (PCIe Base Specification 6.2.2.2.1).
            ++surprise_downs_;
            log_.warn("NVLink port {} failed: '{}' is gone (Surprise Down)", index_,
                      below_->instance());
            report_error(0, AerBit{true, aer::kSurpriseDown});
            bridge_.surprise_down(index_);
        }
    }
    update_interrupt();
    bridge_.present_changed();
}

// The hot-plug interrupt (PCIe Base Specification 6.7.3.4): Hot-Plug
// Interrupt Enable and an enabled event's status, on the port's vector.
void NvlinkVirtualPort::update_interrupt() {
    using namespace pcie_cap;
    unsigned pc = cs_.pcie_offset();
    uint16_t ctl = cs_.u16(pc + kSlotControl), sta = cs_.u16(pc + kSlotStatus);
    bool irq = (ctl & sltctl::kHotPlugInterruptEnable) &&
               (((ctl & sltctl::kPresenceChangedEnable) && (sta & sltsta::kPresenceChanged)) ||
                ((ctl & sltctl::kDllStateChangedEnable) && (sta & sltsta::kDllStateChanged)));
    msi_->set_level(0, 0, irq);
}

// The last read-response packet's time on the link: what a read waits for
// here after the hops above have answered.
uint64_t NvlinkVirtualPort::last_packet_ps(uint64_t len) const {
    nvlink::Link* link = bridge_.nvlink_port(index_).link();
    if (!link || link->generation() == 0 || link->lanes() == 0) return 0;
    unsigned payload = static_cast<unsigned>(std::min<uint64_t>(len, nvlink::kMaxPayload));
    const nvlink::LinkTimes& t = link->config().times;
    return nvlink::flits_time(nvlink::packet_flits(payload, false), link->generation(),
                              link->lanes()) +
           t.wire_latency + t.rx_processing;
}

// A request from above inside the port's windows: over NVLink to the GPU.
void NvlinkVirtualPort::downstream_request(const PciBus::Claim&, Space space, uint64_t address,
                                           tlm::tlm_generic_payload& tx, sc_core::sc_time& delay) {
    NvlinkFabric* fabric = bridge_.fabric();
    NvlinkDevice* g = gpu();
    if (!up_ || !below_ || !fabric || !g) {
        unsupported(tx, "the NVLink link below is not up");
        return;
    }
    auto claim = bus_.claim(space, address);
    if (!claim) {
        cs_.hw_set_bits(cfg::kSecondaryStatus, cfg::status::kReceivedMasterAbort);
        unsupported(tx, "no function below decodes it");
        return;
    }
    ++down_;
    uint64_t len = tx.get_data_length(), sc_now = now_ps();
    bool read = tx.is_read();
    // A write's data in write packets; a read's request packet.
    NvlinkFabric::Carried req = fabric->carry(bridge_, *g, !read, read ? 0 : len, now_ps(delay));
    if (req.status != MemStatus::Ok) {
        unsupported(tx, "the NVLink link went down");
        return;
    }
    // The GPU sees a read when its request has arrived, a write when its
    // data has; a posted write costs the requester its wait for the link.
    sc_core::sc_time at = after(req.end, sc_now);
    claim->owner->downstream_request(*claim, space, address, tx, at);
    uint64_t done = req.issued;
    if (read && tx.is_response_ok()) {
        NvlinkFabric::Carried resp = fabric->carry(*g, bridge_, false, len, sc_now + at.value());
        if (resp.status != MemStatus::Ok) {
            unsupported(tx, "the NVLink link went down");
            return;
        }
        done = resp.end;
    } else if (read) {
        done = sc_now + at.value();
    }
    delay = after(done, sc_now);
}

// A request from the GPU (DMA, MSI-X writes): the window, then over NVLink
// to the bridge, then the upstream port and its link.
void NvlinkVirtualPort::upstream_request(tlm::tlm_generic_payload& tx, sc_core::sc_time& delay) {
    uint64_t address = tx.get_address(), len = tx.get_data_length();
    bool read = tx.is_read();
    if (!cs_.bus_master_enabled()) {
        report_unsupported_request(0, read);
        unsupported(tx, "upstream through a port whose Bus Master Enable is clear");
        return;
    }
    unsigned bits = static_cast<unsigned>(bridge_.window_bits());
    uint64_t limit = bits >= 64 ? UINT64_MAX : (uint64_t{1} << bits);
    bool beyond = bits < 64 && (address >= limit || len > limit - address);
    if (beyond) {
        ++window_faults_;
        report_unsupported_request(0, read);
        bridge_.dma_fault(index_, tx);
        unsupported(tx, "beyond the bridge's inbound DMA window");
        return;
    }
    if (cs_.forwards(Space::Memory, address)) {
        report_unsupported_request(0, read);
        unsupported(tx, "upstream request inside the port's own window");
        return;
    }
    NvlinkFabric* fabric = bridge_.fabric();
    NvlinkDevice* g = gpu();
    if (!up_ || !fabric || !g) {
        tx.set_response_status(tlm::TLM_GENERIC_ERROR_RESPONSE);
        return;
    }
    ++up_requests_;
    uint64_t sc_now = now_ps();
    // Writes: the data in write packets; reads: a request packet.
    NvlinkFabric::Carried c = fabric->carry(*g, bridge_, !read, read ? 0 : len, now_ps(delay));
    if (c.status != MemStatus::Ok) {
        tx.set_response_status(tlm::TLM_GENERIC_ERROR_RESPONSE);
        return;
    }
    // The requester's pace is set by its own link.
    PcieExtension* ext = nullptr;
    tx.get_extension(ext);
    if (ext) ext->issued_ps = c.issued;
    sc_core::sc_time above = after(c.end, sc_now);
    upstream_->upstream_request(tx, above);
    uint64_t done = std::max<uint64_t>(c.end, sc_now + above.value());
    if (read && tx.is_response_ok()) {
        // The responses stream back over NVLink as the completions arrive:
        // bounded by the link's rate from when the request got here, and
        // by the last completion plus its packet's time on the link.
        NvlinkFabric::Carried resp = fabric->carry(bridge_, *g, false, len, c.end);
        if (resp.status != MemStatus::Ok) {
            tx.set_response_status(tlm::TLM_GENERIC_ERROR_RESPONSE);
            return;
        }
        done = std::max<uint64_t>(resp.end, sc_now + above.value() + last_packet_ps(len));
    }
    delay = after(done, sc_now);
}

void NvlinkVirtualPort::upstream_intx(unsigned device, unsigned pin, bool level) {
    bridge_intx(device, pin, level);
}

void NvlinkVirtualPort::upstream_error(ErrorSeverity severity, uint16_t source) {
    if (bridge_passes_error(severity)) signal_error(severity, source);
}

void NvlinkVirtualPort::link_reset() {
    PcieNode::link_reset();
    clear_bridged_intx();
    if (below_) below_->link_reset();
    unsigned pc = cs_.pcie_offset();
    if (up_)
        cs_.hw_set_bits(pc + pcie_cap::kSlotStatus, pcie_cap::sltsta::kPresenceDetect);
    else
        cs_.hw_clear_bits(pc + pcie_cap::kSlotStatus, pcie_cap::sltsta::kPresenceDetect);
    publish_link();
}

void NvlinkVirtualPort::reset() {
    cs_.reset(ResetKind::PowerOn);
    msi_->reset();
    clear_bridged_intx();
    unsigned pc = cs_.pcie_offset();
    if (up_)
        cs_.hw_set_bits(pc + pcie_cap::kSlotStatus, pcie_cap::sltsta::kPresenceDetect);
    else
        cs_.hw_clear_bits(pc + pcie_cap::kSlotStatus, pcie_cap::sltsta::kPresenceDetect);
    publish_link();
}

void NvlinkVirtualPort::stats(nlohmann::json& out) const {
    out["up"] = up_;
    out["link_ups"] = link_ups_;
    out["requests_down"] = down_;
    out["requests_up"] = up_requests_;
    out["dma_window_faults"] = window_faults_;
    out["surprise_downs"] = surprise_downs_;
    out["corrected_errors"] = corrected_;
    out["unsupported_requests"] = unsupported_requests_;
}

// --- The bridge -------------------------------------------------------------------------

NvlinkPcieBridge::NvlinkPcieBridge(const DeviceConfig& config)
    : SwitchUpstreamPort(config, true), mgmt_(mgmt_identity()),
      window_bits_(static_cast<unsigned>(config.params.u64("dma-window-bits"))),
      hold_links_(config.params.flag("hold-links")) {
    mgmt_.set_bar(NVSOC_NVBR_BAR_REGS, {NVSOC_NVBR_BAR0_SIZE, BarKind::Memory32, false});
    mgmt_.add_pm_capability();
    mgmt_.add_msi_capability(
        {.multiple_message_capable = 0, .address64 = true, .per_vector_masking = true});
    PcieOptions o;
    o.type = PortType::Endpoint;
    o.max_payload_supported = 256;
    o.max_link_speed = port_.max_speed;
    o.max_link_width = port_.max_width;
    mgmt_.add_pcie_capability(o);
    mgmt_.add_aer_capability();
    msi_ = std::make_unique<MsiSignaller>(mgmt_, log_, msi_wiring(1));
    unsigned n = static_cast<unsigned>(config.params.u64("nvlink-ports"));
    for (unsigned p = 0; p < n; ++p)
        ports_.push_back(std::make_unique<nvlink::Port>(
            nvlink::PortIdentity{NVSOC_NVL_DEVICE_EBRIDGE, 0, p}, *this));
    declare_registers();
    map_bar(1, NVSOC_NVBR_BAR_REGS,
            {.registers = &registers_, .registers_size = NVSOC_NVBR_BAR0_SIZE});
    watch_interrupt_disable();
    ctrl_ = hold_links_ ? 0 : NVSOC_NVBR_CTRL_PORTS_ENABLE;
    // The vDSPs, at device p of the internal bus for port p.
    for (unsigned p = 0; p < n; ++p) {
        std::string basename = fmt::format("p{}", p); // sc_module_name keeps the pointer
        sc_core::sc_module_name name(basename.c_str());
        vdsps_.push_back(std::make_unique<NvlinkVirtualPort>(vdsp_config(config, p), *this, p));
        vdsps_.back()->place(*this, bus_, p);
    }
}

NvlinkPcieBridge::~NvlinkPcieBridge() = default;

void NvlinkPcieBridge::declare_registers() {
    auto ro = [this](const char* name, unsigned offset, std::function<uint64_t()> read) {
        registers_.add(
            {.name = name, .offset = offset, .write_mask = 0, .on_read = [read](unsigned) {
                 return read();
             }});
    };
    ro("IDENT", NVSOC_NVBR_IDENT, [] { return NVSOC_NVBR_IDENT_VALUE; });
    ro("VERSION", NVSOC_NVBR_VERSION, [] { return NVSOC_NVBR_VERSION_VALUE; });
    ro("NUM_PORTS", NVSOC_NVBR_NUM_PORTS, [this] { return ports_.size(); });
    ro("NVLINK_ID", NVSOC_NVBR_NVLINK_ID, [this] { return nvlink_id_; });
    registers_.add({.name = "CTRL",
                    .offset = NVSOC_NVBR_CTRL,
                    .on_read = [this](unsigned) -> uint64_t { return ctrl_; },
                    .on_write =
                        [this](unsigned, uint64_t v, uint64_t) {
                            ctrl_ = static_cast<uint32_t>(v) &
                                    (NVSOC_NVBR_CTRL_PORTS_ENABLE | NVSOC_NVBR_CTRL_INTR_EN);
                            set_ports_enabled(ctrl_ & NVSOC_NVBR_CTRL_PORTS_ENABLE);
                            update_interrupt();
                        }});
    ro("PRESENT", NVSOC_NVBR_PRESENT, [this] { return present(); });
    ro("DMA_WINDOW_BITS", NVSOC_NVBR_DMA_WINDOW_BITS, [this] { return window_bits_; });
    ro("LATENCY_NS", NVSOC_NVBR_LATENCY_NS,
       [this] { return latency_.value() / 1000; }); // sc_time in ps
    ro("INTR_PENDING", NVSOC_NVBR_INTR_PENDING, [this] { return intr_pending(); });
    registers_.add({.name = "BR_ERR_STATUS",
                    .offset = NVSOC_NVBR_BR_ERR_STATUS,
                    .on_read = [this](unsigned) -> uint64_t { return br_err_status_; },
                    .on_write =
                        [this](unsigned, uint64_t v, uint64_t) {
                            br_err_status_ &= ~static_cast<uint32_t>(v);
                            update_interrupt();
                        }});
    registers_.add({.name = "BR_ERR_EN",
                    .offset = NVSOC_NVBR_BR_ERR_EN,
                    .on_read = [this](unsigned) -> uint64_t { return br_err_en_; },
                    .on_write =
                        [this](unsigned, uint64_t v, uint64_t) {
                            br_err_en_ = static_cast<uint32_t>(v) & 0x1f;
                            update_interrupt();
                        }});
    ro("FAULT_PUT", NVSOC_NVBR_FAULT_PUT, [this] { return fault_put_; });
    registers_.add({.name = "FAULT_GET",
                    .offset = NVSOC_NVBR_FAULT_GET,
                    .on_read = [this](unsigned) -> uint64_t { return fault_get_; },
                    .on_write =
                        [this](unsigned, uint64_t v, uint64_t) {
                            // Software can consume only records that exist.
                            uint32_t get = static_cast<uint32_t>(v);
                            if (get - fault_get_ <= fault_put_ - fault_get_) fault_get_ = get;
                        }});
    auto field = [this](const char* name, unsigned reg, std::function<uint64_t(const Fault&)> f) {
        registers_.add({.name = name,
                        .offset = NVSOC_NVBR_FAULT(0, reg),
                        .count = NVSOC_NVBR_FAULT_RECORDS,
                        .stride = 0x10,
                        .write_mask = 0,
                        .on_read = [this, f](unsigned i) { return f(faults_[i]); }});
    };
    field("FAULT_ADDR_LO", NVSOC_NVBR_FAULT_ADDR_LO,
          [](const Fault& r) { return r.address & 0xffffffffu; });
    field("FAULT_ADDR_HI", NVSOC_NVBR_FAULT_ADDR_HI,
          [](const Fault& r) { return r.address >> 32; });
    field("FAULT_INFO", NVSOC_NVBR_FAULT_INFO, [](const Fault& r) { return r.info; });
    field("FAULT_LEN", NVSOC_NVBR_FAULT_LEN, [](const Fault& r) { return r.length; });
    for (unsigned p = 0; p < ports_.size(); ++p)
        ports_[p]->declare(registers_, NVSOC_NVBR_PORT(p, 0), fmt::format("nvl{}", p));
}

uint32_t NvlinkPcieBridge::present() const {
    uint32_t bits = 0;
    for (unsigned p = 0; p < vdsps_.size(); ++p)
        if (vdsps_[p]->below() && vdsps_[p]->up()) bits |= 1u << p;
    return bits;
}

uint32_t NvlinkPcieBridge::intr_pending() const {
    uint32_t bits = 0;
    for (unsigned p = 0; p < ports_.size(); ++p)
        if (ports_[p]->pending()) bits |= 1u << p;
    if (br_err_status_ & br_err_en_) bits |= NVSOC_NVBR_INTR_PENDING_BRIDGE;
    return bits;
}

// One MSI vector (INTA with MSI off): raised while enabled and pending.
void NvlinkPcieBridge::update_interrupt() {
    msi_->set_level(0, 0, (ctrl_ & NVSOC_NVBR_CTRL_INTR_EN) && intr_pending() != 0);
}

// CTRL.PORTS_ENABLE: the ports' links power on (ALI links then train by
// themselves) or go OFF.
void NvlinkPcieBridge::set_ports_enabled(bool on) {
    if (!fabric_ || on == links_enabled_) return;
    links_enabled_ = on;
    uint64_t t = port_now();
    for (auto& p : ports_)
        if (nvlink::Link* l = p->link()) {
            if (on)
                l->power_on(std::max(t, l->now()));
            else
                l->power_off(std::max(t, l->now()));
        }
    fabric_->kick();
}

void NvlinkPcieBridge::downstream_request(const PciBus::Claim& claim, Space space, uint64_t address,
                                          tlm::tlm_generic_payload& tx, sc_core::sc_time& delay) {
    if (claim.function != 1) {
        SwitchUpstreamPort::downstream_request(claim, space, address, tx, delay);
        return;
    }
    // The management function's BAR0; the port registers read the link at
    // the access's own time.
    in_bar0_access_ = true;
    PcieNode::downstream_request(claim, space, address, tx, delay);
    in_bar0_access_ = false;
}

// A device below the bridge (`bus: br0, device: p`) goes below vDSP p,
// the only place a device can sit here.
void NvlinkPcieBridge::attach(Model& child, const BusPlacement& at) {
    if (at.device >= vdsps_.size())
        throw InputError(at.where,
                         fmt::format("'{}' is device {} below '{}', but '{}' has {} NVLink ports "
                                     "(devices 0-{}, one virtual downstream port each): pick one "
                                     "of those or raise nvlink-ports",
                                     child.instance(), at.device, at.bus, instance(), vdsps_.size(),
                                     vdsps_.size() - 1));
    BusPlacement link = at;
    link.device = 0;
    vdsps_[at.device]->attach(child, link);
}

unsigned NvlinkPcieBridge::nvlink_device_type() const {
    return NVSOC_NVL_DEVICE_EBRIDGE;
}

void NvlinkPcieBridge::attach_nvlink(NvlinkFabric& fabric, uint32_t nvlink_id) {
    fabric_ = &fabric;
    nvlink_id_ = nvlink_id;
    for (auto& p : ports_)
        p->set_device_id(nvlink_id);
}

// Port p's link must join the GPU below vDSP p; a GPU linked to the bridge
// must sit below it (a GPU is in one topology). Then the links are held
// OFF until software enables them, with hold-links.
void NvlinkPcieBridge::nvlink_links_built(NvlinkFabric& fabric) {
    for (unsigned p = 0; p < vdsps_.size(); ++p) {
        NvlinkFabric::Remote r = fabric.remote_of(*this, p);
        PcieNode* below = vdsps_[p]->below();
        if (below) {
            auto* dev = dynamic_cast<NvlinkDevice*>(below);
            if (!r.device || r.device != dev) {
                const Location& where = below->config().placement ? below->config().placement->where
                                                                  : below->config().where;
                throw InputError(
                    where, fmt::format("'{}' is device {} below '{}', but {}.nvl{} is {}: link it "
                                       "to one of {}'s NVLink ports (a `links` entry "
                                       "{{ends: [{}.nvl{}, {}.nvl0]}})",
                                       below->instance(), p, instance(), instance(), p,
                                       r.device ? fmt::format("linked to '{}'", r.name)
                                                : std::string("not linked"),
                                       below->instance(), instance(), p, below->instance()));
            }
        }
        if (!r.device) continue;
        bool below_me = false;
        for (auto& v : vdsps_)
            below_me =
                below_me || (v->below() && dynamic_cast<NvlinkDevice*>(v->below()) == r.device);
        if (!below_me) {
            auto* node = dynamic_cast<PcieNode*>(r.device);
            std::string place =
                node && node->config().placement
                    ? fmt::format("is placed below '{}'", node->config().placement->bus)
                    : std::string("is not below it");
            throw InputError(r.where,
                             fmt::format("link '{}' joins {}.nvl{} to '{}', which {}: a device "
                                         "linked to a bridge's port must sit below that bridge "
                                         "(bus: {}), not in two topologies",
                                         r.link, instance(), p, r.name, place, instance()));
        }
    }
    links_enabled_ = true; // the fabric powered them on
    set_ports_enabled(ctrl_ & NVSOC_NVBR_CTRL_PORTS_ENABLE);
}

void NvlinkPcieBridge::nvlink_event(unsigned port, const nvlink::Event& e) {
    if (port < vdsps_.size()) vdsps_[port]->link_event(e);
}

// The bridge has no memory of its own: NVLink peers do not address it.
MemResult NvlinkPcieBridge::serve_nvlink(const MemAccess& a) {
    MemResult r;
    r.done = r.issued = a.time;
    r.fault_address = a.address;
    r.status = MemStatus::NoPath;
    return r;
}

uint64_t NvlinkPcieBridge::port_now() const {
    return now_ps(in_bar0_access_ ? access_delay() : sc_core::SC_ZERO_TIME);
}

void NvlinkPcieBridge::port_interrupt_changed() {
    update_interrupt();
}

void NvlinkPcieBridge::dma_fault(unsigned port, const tlm::tlm_generic_payload& tx) {
    br_err_status_ |= NVSOC_NVBR_BR_ERR_DMA_WINDOW;
    PcieExtension* ext = nullptr;
    tx.get_extension(ext);
    uint16_t rid = ext ? ext->requester_id : 0;
    if (!fault_logged_) {
        fault_logged_ = true;
        log_.guest_error("DMA {} of {} bytes at 0x{:x} from {:02x}:{:02x}.{} (port {}) is beyond "
                         "the inbound window of {} bits: Unsupported Request, FAULT record; "
                         "further ones are only recorded",
                         tx.is_read() ? "read" : "write", tx.get_data_length(), tx.get_address(),
                         rid >> 8, (rid >> 3) & 0x1f, rid & 7, port, window_bits_);
    }
    if (fault_put_ - fault_get_ >= NVSOC_NVBR_FAULT_RECORDS) {
        ++faults_lost_;
        br_err_status_ |= NVSOC_NVBR_BR_ERR_FAULT_OVERFLOW;
    } else {
        Fault& f = faults_[fault_put_ % NVSOC_NVBR_FAULT_RECORDS];
        f.address = tx.get_address();
        f.length = tx.get_data_length();
        f.info = rid | (tx.is_write() ? NVSOC_NVBR_FAULT_INFO_WRITE : 0u) |
                 (port << NVSOC_NVBR_FAULT_INFO_PORT_SHIFT & NVSOC_NVBR_FAULT_INFO_PORT_MASK) |
                 (NVSOC_NVBR_FAULT_KIND_DMA_WINDOW << NVSOC_NVBR_FAULT_INFO_KIND_SHIFT) |
                 NVSOC_NVBR_FAULT_INFO_VALID;
        ++fault_put_;
    }
    update_interrupt();
}

void NvlinkPcieBridge::surprise_down(unsigned) {
    br_err_status_ |= NVSOC_NVBR_BR_ERR_SURPRISE_DOWN;
    update_interrupt();
}

void NvlinkPcieBridge::link_corrected(unsigned) {
    br_err_status_ |= NVSOC_NVBR_BR_ERR_LINK_CORRECTED;
    update_interrupt();
}

void NvlinkPcieBridge::config_to_down_port() {
    if (br_err_status_ & NVSOC_NVBR_BR_ERR_CFG_TO_DOWN_PORT) return;
    br_err_status_ |= NVSOC_NVBR_BR_ERR_CFG_TO_DOWN_PORT;
    update_interrupt();
}

void NvlinkPcieBridge::reset() {
    SwitchUpstreamPort::reset();
    mgmt_.reset(ResetKind::PowerOn);
    msi_->reset();
    registers_.reset();
    for (auto& p : ports_)
        p->reset();
    ctrl_ = hold_links_ ? 0 : NVSOC_NVBR_CTRL_PORTS_ENABLE;
    br_err_status_ = br_err_en_ = 0;
    fault_put_ = fault_get_ = 0;
    faults_ = {};
    for (auto& v : vdsps_)
        v->reset();
    set_ports_enabled(ctrl_ & NVSOC_NVBR_CTRL_PORTS_ENABLE);
    update_interrupt();
}

void NvlinkPcieBridge::stats(nlohmann::json& out) const {
    SwitchUpstreamPort::stats(out);
    out["nvlink_id"] = nvlink_id_;
    out["ports_enabled"] = (ctrl_ & NVSOC_NVBR_CTRL_PORTS_ENABLE) != 0;
    out["present"] = present();
    out["br_err_status"] = br_err_status_;
    out["faults_recorded"] = fault_put_;
    out["faults_lost"] = faults_lost_;
    for (unsigned p = 0; p < vdsps_.size(); ++p)
        vdsps_[p]->stats(out["vdsp"][fmt::format("p{}", p)]);
}

namespace {

NvlinkPorts bridge_nvlink_ports(const Params& p) {
    auto [lo, hi] = nvlink::generations(p);
    return NvlinkPorts{static_cast<unsigned>(p.u64("nvlink-ports")), lo, hi};
}

std::vector<ParamSpec> bridge_params() {
    std::vector<ParamSpec> p = pcie_link_params("gen5", "16");
    std::vector<ParamSpec> more = {
        {"vendor-id",
         ParamType::Integer,
         "0x1e5c",
         "Vendor ID of the upstream port and the virtual downstream ports",
         false,
         {},
         0,
         0xffff},
        {"device-id",
         ParamType::Integer,
         "0x0004",
         "Device ID of the upstream port (the vDSPs are 0x0005, the management function 0x0003)",
         false,
         {},
         0,
         0xffff},
        max_payload_param(),
        {"latency", ParamType::Time, "150ns",
         "Time a request takes to cross the bridge, each way (at the upstream port)"},
        {"nvlink-ports",
         ParamType::Integer,
         "4",
         "NVLink ports (nvl0, nvl1, ...), each with a virtual downstream port at the same device "
         "number of the internal bus",
         false,
         {},
         1,
         NVSOC_NVBR_MAX_PORTS},
        {"dma-window-bits",
         ParamType::Integer,
         "47",
         "Inbound DMA window [0, 2^bits): requests from below beyond it are Unsupported Requests "
         "with a FAULT record",
         false,
         {},
         32,
         64},
        {"hold-links", ParamType::Bool, "true",
         "The NVLink links stay OFF until software sets CTRL.PORTS_ENABLE in the management "
         "function's BAR0"},
    };
    p.insert(p.end(), more.begin(), more.end());
    std::vector<ParamSpec> gens = nvlink::generation_params();
    p.insert(p.end(), gens.begin(), gens.end());
    return p;
}

} // namespace

NVSOC_REGISTER_MODEL(ModelInfo{
    .type = "nvlink-pcie-bridge",
    .doc = "NVLink-to-PCIe bridge: a PCIe switch (upstream port, management function 1e5c:0003) "
           "whose virtual downstream ports reach GPUs over NVLink links (docs/nvlink.md)",
    .params = bridge_params(),
    .create = [](const DeviceConfig& c) { return std::make_unique<NvlinkPcieBridge>(c); },
    .on_bus = "PCI",
    .owns_bus = "PCI",
    .nvlink_ports = bridge_nvlink_ports,
});

} // namespace nvsoc
