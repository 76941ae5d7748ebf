#include "models/pcie/pcie_node.h"

#include "models/core/pcie_extension.h"

#include <algorithm>
#include <cstring>
#include <tuple>

namespace nvsoc {

using namespace pcie;

const char* name(ErrorSeverity s) {
    switch (s) {
    case ErrorSeverity::Correctable:
        return "ERR_COR";
    case ErrorSeverity::NonFatal:
        return "ERR_NONFATAL";
    case ErrorSeverity::Fatal:
        return "ERR_FATAL";
    }
    return "?";
}

std::vector<ParamSpec> pcie_link_params(const char* default_speed, const char* default_width) {
    return {
        {"max-link-speed",
         ParamType::Enum,
         default_speed,
         "Maximum link speed the port advertises: gen1 (2.5 GT/s), gen2 (5), gen3 (8), gen4 "
         "(16), gen5 (32) or gen6 (64 GT/s)",
         false,
         {"gen1", "gen2", "gen3", "gen4", "gen5", "gen6"}},
        {"max-link-width", ParamType::Integer, default_width,
         "Maximum link width the port advertises, in lanes: 1, 2, 4, 8 or 16"},
        {"read-tags",
         ParamType::Integer,
         "256",
         "Reads this node may have outstanding on the link it sends them over (tags: 256 with "
         "8-bit tags, up to 768 with 10-bit tags); a read waits for a free tag",
         false,
         {},
         1,
         kMaxTags},
        {"completion-header-credits",
         ParamType::Integer,
         "0",
         "This node's completion buffer for its reads, in completions (CplH; 0 = unlimited, else "
         "at least 64); a read reserves one per 64-byte RCB block it covers",
         false,
         {},
         0,
         kMaxCompletionHeaderCredits},
        {"completion-data-credits",
         ParamType::Integer,
         "0",
         "This node's completion buffer for its reads, in 16-byte units (CplD; 0 = unlimited, "
         "else at least 256); a read reserves its whole data before it is sent",
         false,
         {},
         0,
         kMaxCompletionDataCredits},
    };
}

ParamSpec max_payload_param() {
    return {"max-payload", ParamType::Integer,
            "256",         "Max_Payload_Size Supported, in bytes (128 .. 4096)",
            false,         {},
            128,           4096};
}

PortConfig read_port_config(const DeviceConfig& config) {
    const Params& p = config.params;
    PortConfig port;
    port.max_speed = p.choice("max-link-speed") + 1; // gen1 is choice 0
    uint64_t width = p.u64("max-link-width");
    std::string why = width > 64 ? check_width(64) : check_width(static_cast<unsigned>(width));
    if (!why.empty())
        throw InputError(p.where("max-link-width"),
                         fmt::format("'{}': max-link-width {} is not a PCIe link width: use 1, 2, "
                                     "4, 8 or 16",
                                     config.name, width));
    port.max_width = static_cast<unsigned>(width);
    // The table's range holds tags to 1..768; credits are 0 or enough for
    // one read.
    port.tags = static_cast<unsigned>(p.u64("read-tags"));
    for (auto [key, field, least] :
         {std::tuple{"completion-header-credits", &port.completion_header_credits,
                     kMinCompletionHeaderCredits},
          std::tuple{"completion-data-credits", &port.completion_data_credits,
                     kMinCompletionDataCredits}}) {
        uint64_t v = p.u64(key);
        if (v != 0 && v < least)
            throw InputError(p.where(key),
                             fmt::format("'{}': {} {} cannot hold the completions of one 4096-byte "
                                         "read (the largest Max_Read_Request_Size): use 0 "
                                         "(unlimited) or at least {}",
                                         config.name, key, v, least));
        *field = static_cast<unsigned>(v);
    }
    return port;
}

PcieNode::PcieNode(const DeviceConfig& config) : Model(config), port_(read_port_config(config)) {}

void PcieNode::map_bar(unsigned f, unsigned bar, BarSpace space) {
    bars_[{f, bar}] = space;
}

void PcieNode::downstream_request(const PciBus::Claim& claim, Space, uint64_t,
                                  tlm::tlm_generic_payload& tx, sc_core::sc_time& delay) {
    auto it = claim.bar ? bars_.find({claim.function, claim.bar->bar}) : bars_.end();
    if (it == bars_.end()) {
        // Only a BAR that decodes nothing in the model reaches here.
        unsupported(tx, "no register bank or memory behind the BAR");
        return;
    }
    const BarSpace& bar = it->second;
    uint64_t offset = claim.bar->offset;
    unsigned len = tx.get_data_length();
    if (bar.registers && offset < bar.registers_size) {
        // The bank decodes BAR offsets: the request's bus address is
        // swapped for the offset while it is served.
        uint64_t address = tx.get_address();
        tx.set_address(offset);
        access_delay_ = delay;
        serve_registers(*bar.registers, tx, log_, bar.registers_size);
        tx.set_address(address);
        // A Completer Abort is what a function answers an access it cannot
        // serve (a register it forbids in that direction, a width it does
        // not take); hardware never fails a request with a bus error.
        if (!tx.is_response_ok()) tx.set_response_status(tlm::TLM_COMMAND_ERROR_RESPONSE);
        return;
    }
    if (bar.memory && offset < bar.memory_size && len <= bar.memory_size - offset) {
        if (tx.is_read())
            std::memcpy(tx.get_data_ptr(), bar.memory + offset, len);
        else if (tx.is_write())
            std::memcpy(bar.memory + offset, tx.get_data_ptr(), len);
    } else if (tx.is_read()) {
        std::memset(tx.get_data_ptr(), 0, len); // reserved: reads zero, writes ignored
    }
    tx.set_response_status(tlm::TLM_OK_RESPONSE);
}

void PcieNode::place(PcieUpstream& upstream, PciBus& bus, unsigned device) {
    upstream_ = &upstream;
    device_ = device;
    auto fns = functions();
    for (unsigned f = 0; f < fns.size(); ++f)
        bus.attach(device, f, *fns[f], f == 0 ? secondary() : nullptr, this);
}

uint16_t PcieNode::requester_id(unsigned f) const {
    return make_requester_id(upstream_ ? upstream_->secondary_bus_number() : 0, device_, f);
}

void PcieNode::link_reset() {
    auto fns = functions();
    for (ConfigSpace* f : fns)
        f->reset(ResetKind::Conventional);
    sync_intx();
}

void PcieNode::dma(unsigned f, tlm::tlm_generic_payload& tx, sc_core::sc_time& delay,
                   uint8_t attributes) {
    ConfigSpace& cs = *functions().at(f);
    if (!cs.bus_master_enabled()) {
        // A function without Bus Master Enable must not issue requests.
        ++dma_blocked_;
        log_.guest_error("DMA {} of {} bytes at 0x{:x} with Bus Master Enable clear: not sent",
                         tx.is_read() ? "read" : "write", tx.get_data_length(), tx.get_address());
        tx.set_response_status(tlm::TLM_GENERIC_ERROR_RESPONSE);
        return;
    }
    if (!upstream_ || !link_up_) {
        // Nothing answers: a read waits for its Completion Timeout.
        ++dma_blocked_;
        log_.guest_error("DMA {} at 0x{:x} while the link is down", tx.is_read() ? "read" : "write",
                         tx.get_address());
        if (tx.is_read()) report_error(f, {true, aer::kCompletionTimeout});
        tx.set_response_status(tlm::TLM_GENERIC_ERROR_RESPONSE);
        return;
    }
    PcieExtension ext;
    ext.requester_id = requester_id(f);
    // Until the link above says otherwise (root-bus devices have none).
    ext.issued_ps = now_ps(delay);
    ext.kind = tx.is_read() ? TlpKind::MemoryRead : TlpKind::MemoryWrite;
    if (unsigned pc = cs.pcie_offset()) {
        uint16_t devctl = cs.u16(pc + pcie_cap::kDeviceControl);
        auto size = [](unsigned code) { return static_cast<uint16_t>(128u << std::min(code, 5u)); };
        ext.max_payload = size((devctl & pcie_cap::devctl::kMaxPayloadMask) >>
                               pcie_cap::devctl::kMaxPayloadShift);
        ext.max_read_request = size((devctl & pcie_cap::devctl::kMaxReadRequestMask) >>
                                    pcie_cap::devctl::kMaxReadRequestShift);
        if (!(devctl & pcie_cap::devctl::kNoSnoop)) attributes &= ~kAttrNoSnoop;
        if (!(devctl & pcie_cap::devctl::kRelaxedOrdering)) attributes &= ~kAttrRelaxedOrdering;
    }
    ext.attributes = attributes;
    PcieExtension* previous = nullptr;
    tx.get_extension(previous);
    if (previous) tx.clear_extension(previous);
    tx.set_extension(&ext);
    tx.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
    upstream_->upstream_request(tx, delay);
    tx.clear_extension(&ext);
    if (previous) {
        previous->issued_ps = ext.issued_ps;
        tx.set_extension(previous);
    }
    if (!tx.is_response_ok()) {
        // An Unsupported Request or Completer Abort completion.
        cs.set_status_error(tx.get_response_status() == tlm::TLM_COMMAND_ERROR_RESPONSE
                                ? cfg::status::kReceivedTargetAbort
                                : cfg::status::kReceivedMasterAbort);
    }
}

MsiSignaller::Wiring PcieNode::msi_wiring(unsigned f) {
    MsiSignaller::Wiring w;
    w.send = [this, f](uint64_t address, uint32_t data) {
        // A posted DWORD write: the function does not wait for it.
        uint8_t bytes[4] = {static_cast<uint8_t>(data), static_cast<uint8_t>(data >> 8),
                            static_cast<uint8_t>(data >> 16), static_cast<uint8_t>(data >> 24)};
        tlm::tlm_generic_payload tx;
        tx.set_command(tlm::TLM_WRITE_COMMAND);
        tx.set_address(address);
        tx.set_data_ptr(bytes);
        tx.set_data_length(4);
        tx.set_streaming_width(4);
        tx.set_byte_enable_ptr(nullptr);
        sc_core::sc_time delay = sc_core::SC_ZERO_TIME;
        dma(f, tx, delay);
        return tx.is_response_ok();
    };
    w.intx = [this, f](bool level) { set_intx(f, level); };
    return w;
}

void PcieNode::set_intx(unsigned f, bool level) {
    functions().at(f)->set_intx(level);
    sync_intx();
}

void PcieNode::sync_intx() {
    std::array<bool, 4> want{};
    if (link_up_) {
        for (ConfigSpace* cs : functions()) {
            unsigned pin = cs->u8(cfg::kInterruptPin);
            if (pin >= 1 && pin <= 4 && cs->intx_asserted()) want[pin - 1] = true;
        }
        // The PCI-to-PCI bridge swizzle (PCI-to-PCI Bridge Architecture
        // 9.1): device d's pin p (0 = INTA) is pin (p + d) mod 4 here.
        for (unsigned source : bridged_intx_)
            want[((source & 3) + (source >> 2)) % 4] = true;
    }
    for (unsigned p = 0; p < 4; ++p) {
        if (want[p] == intx_sent_[p]) continue;
        intx_sent_[p] = want[p];
        if (upstream_) upstream_->upstream_intx(device_, p, want[p]);
    }
}

void PcieNode::bridge_intx(unsigned device, unsigned pin, bool level) {
    record_intx(bridged_intx_, device, pin, level);
    sync_intx();
}

void PcieNode::clear_bridged_intx() {
    bridged_intx_.clear();
    sync_intx();
}

// Error messages from the secondary side (PCIe Base Specification 6.2.6)
// pass only with SERR# Enable, which Linux sets on every bridge.
bool PcieNode::bridge_passes_error(ErrorSeverity severity) {
    ConfigSpace& cs = *functions().front();
    if (severity != ErrorSeverity::Correctable)
        cs.hw_set_bits(cfg::kSecondaryStatus, cfg::status::kSystemError);
    return cs.u16(cfg::kBridgeControl) & cfg::bridge_control::kSerrEnable;
}

void PcieNode::unsupported(tlm::tlm_generic_payload& tx, const char* why) {
    ++unsupported_requests_;
    log_.guest_error("{} of {} bytes at 0x{:x}: {} (Unsupported Request)",
                     tx.is_read() ? "read" : "write", tx.get_data_length(), tx.get_address(), why);
    tx.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
}

void PcieNode::watch_interrupt_disable() {
    for (ConfigSpace* cs : functions())
        cs->add_write_hook(cfg::kCommand, 2, [this](const WriteEvent&) { sync_intx(); });
}

// PCIe Base Specification 6.2.5 (error signalling): Device Status always
// records the error; AER logs it and may mask it; a message goes upstream
// only when Device Control (or SERR# Enable, for uncorrectable errors)
// allows.
void PcieNode::report_error(unsigned f, const AerBit& error) {
    ConfigSpace& cs = *functions().at(f);
    unsigned pc = cs.pcie_offset();
    if (!pc) return;
    unsigned a = cs.aer_offset();
    uint16_t devctl = cs.u16(pc + pcie_cap::kDeviceControl);
    bool serr = cs.command() & cfg::command::kSerrEnable;
    ErrorSeverity severity = ErrorSeverity::Correctable;
    bool send = false;
    if (!error.uncorrectable) {
        cs.hw_set_bits(pc + pcie_cap::kDeviceStatus, pcie_cap::devsta::kCorrectableDetected);
        bool masked = false;
        if (a) {
            cs.hw_set_bits(a + aer::kCorrectableStatus, error.mask);
            masked = cs.u32(a + aer::kCorrectableMask) & error.mask;
        }
        send = !masked && (devctl & pcie_cap::devctl::kCorrectableReporting);
    } else {
        uint32_t severity_bits =
            a ? cs.u32(a + aer::kUncorrectableSeverity) : aer::kDefaultSeverity;
        bool fatal = severity_bits & error.mask;
        severity = fatal ? ErrorSeverity::Fatal : ErrorSeverity::NonFatal;
        cs.hw_set_bits(pc + pcie_cap::kDeviceStatus, fatal ? pcie_cap::devsta::kFatalDetected
                                                           : pcie_cap::devsta::kNonFatalDetected);
        bool masked = false;
        if (a) {
            uint32_t mask = cs.u32(a + aer::kUncorrectableMask);
            uint32_t before = cs.u32(a + aer::kUncorrectableStatus) & ~mask;
            cs.hw_set_bits(a + aer::kUncorrectableStatus, error.mask);
            masked = mask & error.mask;
            // First Error Pointer: the first unmasked error since software
            // last cleared them all.
            if (!masked && !before)
                cs.hw_set(a + aer::kCapabilitiesControl, aer::kFirstErrorPointerMask,
                          static_cast<uint32_t>(__builtin_ctz(error.mask)));
        }
        if (error.mask == aer::kUnsupportedRequest)
            cs.hw_set_bits(pc + pcie_cap::kDeviceStatus,
                           pcie_cap::devsta::kUnsupportedRequestDetected);
        uint16_t enable =
            fatal ? pcie_cap::devctl::kFatalReporting : pcie_cap::devctl::kNonFatalReporting;
        send = !masked && ((devctl & enable) || serr);
        if (send && serr) cs.set_status_error(cfg::status::kSystemError);
    }
    if (!send) return;
    ++errors_signalled_;
    log_.debug("function {} signals {}", f, nvsoc::name(severity));
    signal_error(severity, requester_id(f));
}

void PcieNode::report_unsupported_request(unsigned f, bool non_posted) {
    ConfigSpace& cs = *functions().at(f);
    unsigned pc = cs.pcie_offset();
    if (!pc) return;
    cs.hw_set_bits(pc + pcie_cap::kDeviceStatus, pcie_cap::devsta::kUnsupportedRequestDetected);
    unsigned a = cs.aer_offset();
    bool fatal = (a ? cs.u32(a + aer::kUncorrectableSeverity) : aer::kDefaultSeverity) &
                 aer::kUnsupportedRequest;
    bool role_based =
        cs.u32(pc + pcie_cap::kDeviceCapabilities) & pcie_cap::devcap::kRoleBasedErrorReporting;
    if (!non_posted || fatal || !role_based) {
        report_error(f, {true, aer::kUnsupportedRequest});
        return;
    }
    if (a) cs.hw_set_bits(a + aer::kUncorrectableStatus, aer::kUnsupportedRequest);
    report_error(f, {false, aer::kAdvisoryNonFatal});
}

void PcieNode::signal_error(ErrorSeverity severity, uint16_t source) {
    if (upstream_) upstream_->upstream_error(severity, source);
}

namespace {
const char* site_text(PcieNode::Site s) {
    switch (s) {
    case PcieNode::Site::RootBus:
        return "on a host bridge's root bus (bus: <a pcie-host>)";
    case PcieNode::Site::Link:
        return "below a root port or a switch downstream port";
    case PcieNode::Site::SwitchBus:
        return "on a switch's internal bus (below a pcie-switch-upstream-port)";
    }
    return "?";
}
} // namespace

void PciBusOwner::attach(Model& child, const BusPlacement& at) {
    const Model& owner = owner_model();
    auto* node = dynamic_cast<PcieNode*>(&child);
    if (!node)
        throw InputError(at.where, fmt::format("'{}' is a {}, which is no PCI device, but '{}' (a "
                                               "{}) carries only PCI devices",
                                               child.instance(), child.config().type, at.bus,
                                               owner.config().type));
    PcieNode::Site site = child_site();
    if (auto ok = node->sites(); std::find(ok.begin(), ok.end(), site) == ok.end()) {
        std::string where;
        for (size_t i = 0; i < ok.size(); ++i)
            where += (i ? " or " : "") + std::string(site_text(ok[i]));
        throw InputError(at.where, fmt::format("'{}' is a {}, which sits {}, not below '{}' (a {})",
                                               child.instance(), child.config().type, where, at.bus,
                                               owner.config().type));
    }
    PciBus& bus = child_bus();
    if (bus.is_link() && at.device != 0)
        throw InputError(at.where, fmt::format("'{}' is device {} below '{}', but a PCIe link "
                                               "carries only device 0: remove 'device'",
                                               child.instance(), at.device, at.bus));
    if (bus.occupied(at.device, 0)) {
        PcieNode* there = bus.owner(at.device);
        std::string holder = there ? there->instance() : "a function";
        throw InputError(at.where,
                         bus.is_link()
                             ? fmt::format("'{}' and '{}' are both below '{}', but a PCIe link "
                                           "carries one device: give each its own port",
                                           holder, child.instance(), at.bus)
                             : fmt::format("'{}' takes device {} on '{}', which '{}' already "
                                           "has: pick another device number",
                                           child.instance(), at.device, at.bus, holder));
    }
    node->place(child_upstream(), bus, at.device);
    attached(*node);
}

} // namespace nvsoc
