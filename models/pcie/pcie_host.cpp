#include "models/pcie/pcie_host.h"

#include "models/core/model_registry.h"

#include <algorithm>
#include <cstring>
#include <functional>

namespace nvsoc {

namespace {
constexpr uint64_t kMiB = 1ull << 20;
constexpr uint64_t k4GiB = 1ull << 32;
constexpr uint32_t kSpaceIo = 0x01000000, kSpaceMem32 = 0x02000000, kSpaceMem64 = 0x03000000;

bool plain_access(const tlm::tlm_generic_payload& tx) {
    return !tx.get_byte_enable_ptr() && tx.get_streaming_width() >= tx.get_data_length();
}
} // namespace

PcieHost::EcamAddress PcieHost::decode_ecam(uint64_t offset) {
    return {static_cast<unsigned>((offset >> 20) & 0xff),
            static_cast<unsigned>((offset >> 15) & 0x1f), static_cast<unsigned>((offset >> 12) & 7),
            static_cast<unsigned>(offset & 0xfff)};
}

PcieHost::PcieHost(const DeviceConfig& config) : Device(config), dma("dma") {
    // ECAM gives each bus 1 MiB; the window's size decides how many exist.
    if (size() % kMiB != 0 || size() > 256 * kMiB)
        throw InputError(config.where,
                         fmt::format("'{}': the ECAM window is {}, but it must be a whole number "
                                     "of MiB (1 MiB per bus) and at most 256 MiB",
                                     instance(), format_size(size())));
    buses_ = static_cast<unsigned>(size() / kMiB);
    if (!config.irqs.empty() && config.irqs.size() != intx_.size())
        throw InputError(config.irqs.front().where,
                         fmt::format("'{}' takes its four INTx lines (INTA..INTD) together: give "
                                     "'irq' four entries, or none",
                                     instance()));

    const Params& p = config.params;
    struct Spec {
        const char* name;
        uint32_t space;
        const char* base;
        const char* size;
    };
    const Spec specs[3] = {{"io", kSpaceIo, "io-base", "io-size"},
                           {"mmio", kSpaceMem32, "mmio-base", "mmio-size"},
                           {"mmio64", kSpaceMem64, "mmio64-base", "mmio64-size"}};
    for (int i = 0; i < 3; ++i) {
        Forward& w = windows_[i];
        w.name = specs[i].name;
        w.space = specs[i].space;
        w.base = p.u64(specs[i].base);
        w.size = p.u64(specs[i].size);
        w.where = p.where(specs[i].base);
        // I/O space starts at bus address 0; memory maps 1:1.
        w.bus_base = w.space == kSpaceIo ? 0 : w.base;
        if (w.size == 0) continue; // the window is absent
        if (w.space == kSpaceMem32 && (w.base >= k4GiB || w.size > k4GiB - w.base))
            throw InputError(w.where, fmt::format("'{}': the 32-bit memory window [0x{:x}, 0x{:x}) "
                                                  "must lie below 4 GiB: lower mmio-base or "
                                                  "mmio-size",
                                                  instance(), w.base, w.base + w.size));
        if (w.space == kSpaceIo && w.size > k4GiB)
            throw InputError(w.where, fmt::format("'{}': the I/O window is {}, but PCI I/O space "
                                                  "is 32-bit: shrink io-size",
                                                  instance(), format_size(w.size)));
        w.socket = std::make_unique<tlm_utils::simple_target_socket_tagged<PcieHost>>(
            fmt::format("{}_window", w.name).c_str());
        w.socket->register_b_transport(this, &PcieHost::window_transport, i);
        w.socket->register_transport_dbg(this, &PcieHost::window_debug, i);
    }
}

std::vector<Device::Window> PcieHost::windows() {
    std::vector<Window> out;
    for (auto& w : windows_)
        if (w.socket)
            out.push_back({fmt::format("{}.{}", instance(), w.name), w.base, w.size, w.socket.get(),
                           w.where});
    return out;
}

std::vector<IrqOut*> PcieHost::irq_outputs() {
    return {&intx_[0], &intx_[1], &intx_[2], &intx_[3]};
}

// Configuration space through ECAM, routed from the root bus. A request no
// function claims completes as an Unsupported Request, which the root
// complex returns to software as all ones (how enumeration learns that a
// slot is empty); such writes are dropped. That is normal enumeration, not
// a guest error.
void PcieHost::b_transport(tlm::tlm_generic_payload& tx, sc_core::sc_time& delay) {
    delay += access_latency_;
    uint64_t offset = tx.get_address();
    unsigned len = tx.get_data_length();
    if (!plain_access(tx)) {
        tx.set_response_status(tlm::TLM_BYTE_ENABLE_ERROR_RESPONSE);
        return;
    }
    // ECAM takes naturally aligned 1, 2 and 4-byte accesses.
    if (!config_access_ok(offset, len)) {
        log_.guest_error("{} of {} bytes at ECAM offset 0x{:x}: configuration accesses are "
                         "aligned 1, 2 or 4 bytes",
                         tx.is_read() ? "read" : "write", len, offset);
        tx.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
        return;
    }
    EcamAddress a = decode_ecam(offset);
    if (tx.is_read()) ++config_reads_;
    if (tx.is_write()) ++config_writes_;
    if (!config_transfer(offset, tx))
        log_.debug("config {} {:02x}:{:02x}.{} reg 0x{:03x} ({} bytes): no function",
                   tx.is_read() ? "read" : "write", a.bus, a.device, a.function, a.reg, len);
    tx.set_response_status(tlm::TLM_OK_RESPONSE);
}

bool PcieHost::config_access_ok(uint64_t offset, unsigned len) const {
    return (len == 1 || len == 2 || len == 4) && offset % len == 0 && offset + len <= size();
}

// Routes one aligned 1/2/4-byte ECAM access to the function it reaches; an
// unclaimed read returns all ones. Returns whether a function claimed it.
bool PcieHost::config_transfer(uint64_t offset, tlm::tlm_generic_payload& tx) {
    EcamAddress a = decode_ecam(offset);
    pcie::ConfigSpace* function = root_bus_.route(0, a.bus, a.device, a.function);
    uint8_t* data = tx.get_data_ptr();
    unsigned len = tx.get_data_length();
    if (tx.is_read()) {
        uint32_t value = 0xffffffff;
        if (function)
            if (auto v = function->read(a.reg, len)) value = *v;
        std::memcpy(data, &value, len); // little-endian host, as the bus
    } else if (tx.is_write() && function) {
        uint32_t value = 0;
        std::memcpy(&value, data, len);
        function->write(a.reg, value, len);
    }
    return function != nullptr;
}

// Debuggers see configuration space as software does, without counting.
unsigned PcieHost::transport_dbg(tlm::tlm_generic_payload& tx) {
    uint64_t offset = tx.get_address();
    unsigned len = tx.get_data_length();
    if (config_access_ok(offset, len))
        config_transfer(offset, tx);
    else if (tx.is_read())
        std::memset(tx.get_data_ptr(), 0xff, len);
    return len;
}

// A window access goes to whichever function or bridge on the root bus
// claims its bus address. What nothing claims is a master abort: reads
// return all ones and writes are dropped, as a root complex does for an
// Unsupported Request to a memory or I/O request.
void PcieHost::window_transport(int index, tlm::tlm_generic_payload& tx, sc_core::sc_time& delay) {
    Forward& w = windows_[index];
    delay += access_latency_;
    if (!plain_access(tx)) {
        tx.set_response_status(tlm::TLM_BYTE_ENABLE_ERROR_RESPONSE);
        return;
    }
    pcie::Space space = w.space == kSpaceIo ? pcie::Space::Io : pcie::Space::Memory;
    route_request(space, w.bus_base + tx.get_address(), tx, delay, w);
}

void PcieHost::route_request(pcie::Space space, uint64_t bus_addr, tlm::tlm_generic_payload& tx,
                             sc_core::sc_time& delay, Forward& w) {
    uint64_t cpu_addr = tx.get_address();
    auto claim = root_bus_.claim(space, bus_addr);
    if (claim && claim->ambiguous && ambiguous_claims_++ == 0)
        log_.guest_error("{} bus address 0x{:x} is decoded by more than one function (overlapping "
                         "BARs or windows): {:02x}.{} takes it",
                         w.name, bus_addr, claim->device, claim->function);
    if (claim && claim->owner) {
        tx.set_address(bus_addr);
        tx.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
        claim->owner->downstream_request(*claim, space, bus_addr, tx, delay);
        tx.set_address(cpu_addr);
        if (tx.is_response_ok()) return;
    }
    ++w.master_aborts;
    log_.guest_error("{} of {} bytes at {} bus address 0x{:x}: no device answers it "
                     "(master abort; reads return all ones)",
                     tx.is_read() ? "read" : "write", tx.get_data_length(), w.name, bus_addr);
    if (tx.is_read()) std::memset(tx.get_data_ptr(), 0xff, tx.get_data_length());
    tx.set_response_status(tlm::TLM_OK_RESPONSE);
}

// DMA from the PCIe hierarchy into the system. This is the root complex's
// one upstream point: the IOMMU will translate and check here, by the
// requester ID in the transaction's PcieExtension; until then bus addresses
// are system physical addresses. What the SoC bus does not decode comes
// back as an error response, which the root port reports as an
// Unsupported Request.
void PcieHost::upstream_request(tlm::tlm_generic_payload& tx, sc_core::sc_time& delay) {
    (tx.is_read() ? dma_reads_ : dma_writes_)++;
    dma_bytes_ += tx.get_data_length();
    tx.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
    if (dma.size() > 0) dma->b_transport(tx, delay);
    if (!tx.is_response_ok()) {
        ++dma_errors_;
        log_.guest_error("DMA {} of {} bytes at 0x{:x}: nothing in the system decodes it",
                         tx.is_read() ? "read" : "write", tx.get_data_length(), tx.get_address());
        tx.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
    }
}

// INTx messages from the root bus: device d's pin p (0 = INTA) is line
// (d + p) mod 4, as the device tree's interrupt-map says. Lines are shared
// and level-triggered: each stays up while any source asserts it.
void PcieHost::upstream_intx(unsigned device, unsigned pin, bool level) {
    record_intx(intx_sources_, device, pin, level);
    unsigned line = (device + pin) % 4;
    bool up = false;
    for (unsigned s : intx_sources_)
        up = up || ((s >> 2) + (s & 3)) % 4 == line;
    intx_[line].set(up);
}

// What the root bus held is gone with the reset (each node resets its own).
void PcieHost::reset() {
    Device::reset();
    intx_sources_.clear();
    for (auto& line : intx_)
        line.set(false);
}

// Error messages reach the host bridge only from functions on the root bus
// that are not root ports (integrated endpoints); without a Root Complex
// Event Collector nothing records them.
void PcieHost::upstream_error(ErrorSeverity severity, uint16_t source) {
    log_.info("{} from {:02x}:{:02x}.{} on the root bus: no event collector records it",
              nvsoc::name(severity), source >> 8, (source >> 3) & 0x1f, source & 7);
}

unsigned PcieHost::window_debug(int, tlm::tlm_generic_payload& tx) {
    if (tx.is_read()) std::memset(tx.get_data_ptr(), 0xff, tx.get_data_length());
    return tx.get_data_length();
}

void PcieHost::describe_dt(DtContext& ctx) {
    DtNode& node = ctx.soc_node("pci", base(), size());
    node.set_u32("#address-cells", 3);
    node.set_u32("#size-cells", 2);
    node.set_u32("#interrupt-cells", 1);
    node.set_string("compatible", "pci-host-ecam-generic");
    node.set_string("device_type", "pci");
    node.set_u32("linux,pci-domain", 0);
    node.set_cells("bus-range", {0, buses_ - 1});
    // The platform's memory system is coherent with device accesses.
    node.set_empty("dma-coherent");
    // Functions' MSI writes go up the root bus into the system, where the
    // MSI controller's supervisor-level files take them.
    if (!config().msi_controller.empty())
        node.set_u32("msi-parent", ctx.msi_parent(config().msi_controller));
    std::vector<uint32_t> ranges;
    for (const auto& w : windows_) {
        if (!w.socket) continue;
        for (uint32_t c :
             {w.space, static_cast<uint32_t>(w.bus_base >> 32), static_cast<uint32_t>(w.bus_base)})
            ranges.push_back(c);
        for (uint64_t v : {w.base, w.size})
            for (uint32_t c : cells64(v))
                ranges.push_back(c);
    }
    node.set_cells("ranges", ranges);
    // INTx routing (PCI-to-PCI bridge spec's swizzle, as QEMU virt wires it):
    // device d's pin p (1 = INTA) goes to line (d + p - 1) mod 4. The mask
    // keeps two device-number bits, so the pattern repeats every 4 devices.
    const auto& irqs = config().irqs;
    if (irqs.size() == intx_.size()) {
        std::vector<uint32_t> map;
        for (uint32_t dev = 0; dev < 4; ++dev)
            for (uint32_t pin = 1; pin <= 4; ++pin) {
                const IrqRef& irq = irqs[(dev + pin - 1) % 4];
                for (uint32_t c : {dev << 11, 0u, 0u, pin, ctx.interrupt_parent(irq)})
                    map.push_back(c);
                // The parent's #address-cells is 0 for every RISC-V
                // interrupt controller, so the specifier follows at once.
                for (uint32_t c : ctx.interrupt_specifier(irq))
                    map.push_back(c);
            }
        node.set_cells("interrupt-map", map);
        node.set_cells("interrupt-map-mask", {0x1800, 0, 0, 7});
    }
}

void PcieHost::stats(nlohmann::json& out) const {
    out["config_reads"] = config_reads_;
    out["config_writes"] = config_writes_;
    for (const auto& w : windows_)
        if (w.socket) out["master_aborts"][w.name] = w.master_aborts;
    out["dma"]["reads"] = dma_reads_;
    out["dma"]["writes"] = dma_writes_;
    out["dma"]["bytes"] = dma_bytes_;
    out["dma"]["errors"] = dma_errors_;
}

namespace {

// What the memory BARs of one kind below a bus need of a window: the
// largest alignment and the bytes from an address aligned to it, packed
// largest alignment first as Linux's resource sizing does (pbus_size_mem);
// a bridge's window is a whole number of MiB.
struct WindowNeed {
    uint64_t size = 0, align = 1;
};

uint64_t align_up(uint64_t v, uint64_t a) {
    return (v + a - 1) / a * a;
}

using Included = std::function<bool(const PcieNode*)>;

WindowNeed bus_need(const pcie::PciBus& bus, bool wants_64bit_window, bool has_64bit_window,
                    const Included& included) {
    std::vector<WindowNeed> items;
    for (const auto& e : bus.entries()) {
        if (e.space->header_type() == pcie::HeaderType::Type0 && !included(e.owner)) continue;
        for (unsigned b = 0; b < e.space->bar_count(); ++b) {
            const pcie::BarSpec& bar = e.space->bar(b);
            if (bar.kind != pcie::BarKind::Memory32 && bar.kind != pcie::BarKind::Memory64)
                continue;
            bool to_64bit =
                has_64bit_window && bar.kind == pcie::BarKind::Memory64 && bar.prefetchable;
            if (to_64bit == wants_64bit_window) items.push_back({bar.size, bar.size});
        }
        if (e.secondary) {
            WindowNeed n = bus_need(*e.secondary, wants_64bit_window, has_64bit_window, included);
            if (n.size) items.push_back({align_up(n.size, kMiB), std::max(n.align, kMiB)});
        }
    }
    std::stable_sort(items.begin(), items.end(),
                     [](const WindowNeed& a, const WindowNeed& b) { return a.align > b.align; });
    WindowNeed total;
    for (const WindowNeed& i : items) {
        total.size = align_up(total.size, i.align) + i.size;
        total.align = std::max(total.align, i.align);
    }
    return total;
}

void collect_endpoints(const pcie::PciBus& bus, std::vector<const PcieNode*>& out) {
    for (const auto& e : bus.entries()) {
        if (e.space->header_type() == pcie::HeaderType::Type0 && e.owner &&
            std::find(out.begin(), out.end(), e.owner) == out.end())
            out.push_back(e.owner);
        if (e.secondary) collect_endpoints(*e.secondary, out);
    }
}

} // namespace

void PcieHost::check_children() const {
    std::vector<const PcieNode*> endpoints;
    collect_endpoints(root_bus_, endpoints);
    const Forward& w64 = windows_[2];
    bool has_64bit = w64.size != 0;
    for (bool wants_64bit : {false, true}) {
        if (wants_64bit && !has_64bit) continue;
        const Forward& w = wants_64bit ? w64 : windows_[1];
        // The first device (in bus order) with which the BARs stop fitting.
        for (size_t k = 0; k <= endpoints.size(); ++k) {
            auto included = [&](const PcieNode* n) {
                auto it = std::find(endpoints.begin(), endpoints.end(), n);
                return it - endpoints.begin() < static_cast<std::ptrdiff_t>(k);
            };
            WindowNeed need = bus_need(root_bus_, wants_64bit, has_64bit, included);
            if (need.size == 0) continue;
            uint64_t start = align_up(w.base, need.align) - w.base;
            if (w.size >= start && w.size - start >= need.size) continue;
            const Model& culprit = k ? static_cast<const Model&>(*endpoints[k - 1]) : *this;
            const char* kind = wants_64bit ? "64-bit prefetchable BARs"
                               : has_64bit ? "32-bit and non-prefetchable memory BARs"
                                           : "memory BARs";
            const char* param = wants_64bit ? "mmio64-size" : "mmio-size";
            throw InputError(culprit.config().where,
                             fmt::format("'{}' does not fit in the {} memory window of '{}': with "
                                         "it, the {} below '{}' need {}{}, but {} is {}: make {} "
                                         "larger or the BARs smaller",
                                         culprit.instance(), wants_64bit ? "64-bit" : "32-bit",
                                         instance(), kind, instance(), format_size(need.size),
                                         start ? fmt::format(" from an address aligned to {}",
                                                             format_size(need.align))
                                               : "",
                                         param, format_size(w.size), param));
        }
    }
}

NVSOC_REGISTER_MODEL(ModelInfo{
    .type = "pcie-host",
    .doc = "PCIe host bridge (pci-host-ecam-generic): ECAM, I/O/32/64-bit windows routed to the "
           "root bus, INTx A-D, DMA into the system",
    .params =
        {
            {"io-base", ParamType::Integer, "0x3000000", "CPU address of the PCI I/O window"},
            {"io-size", ParamType::Size, "64KiB", "Size of the I/O window (0: none)"},
            {"mmio-base", ParamType::Integer, "0x40000000",
             "CPU (and bus) address of the 32-bit memory window"},
            {"mmio-size", ParamType::Size, "1GiB",
             "Size of the 32-bit memory window (0: none; must end below 4 GiB)"},
            {"mmio64-base", ParamType::Integer, "0x400000000",
             "CPU (and bus) address of the 64-bit memory window"},
            {"mmio64-size", ParamType::Size, "16GiB", "Size of the 64-bit memory window (0: none)"},
            {.name = "msi",
             .type = ParamType::Enum,
             .default_value = "auto",
             .doc = "Whether functions may signal by MSI and MSI-X, delivered to the MSI "
                    "controller (an imsic) that `msi-parent` names: on; off (INTx alone); auto "
                    "(on when the platform has an MSI controller)",
             .choices = {"auto", "on", "off"}},
            msi_parent_param(),
        },
    .default_size = 256 * kMiB,
    .irq_outputs = 4,
    .create = [](const DeviceConfig& c) { return std::make_unique<PcieHost>(c); },
    .owns_bus = "PCI",
    .uses_msi =
        [](const Params& p) {
            static constexpr MsiUse kUse[] = {MsiUse::IfPresent, MsiUse::Required, MsiUse::None};
            return kUse[p.choice("msi")];
        },
});

} // namespace nvsoc
