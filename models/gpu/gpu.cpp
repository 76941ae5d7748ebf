#include "models/gpu/gpu.h"

#include "models/core/model_registry.h"
#include "models/core/pcie_extension.h"
#include "models/gpu/nvsoc_gpu_hw.h"
#include "models/nvlink/nvlink_port_hw.h"

#include <algorithm>
#include <cstring>

namespace nvsoc {

using namespace pcie;
using gpu::Aperture;
using gpu::MemAccess;
using gpu::MemResult;
using gpu::MemStatus;

namespace {

NvlinkPorts gpu_nvlink_ports(const Params& p); // the model's NVLink ports (below)

constexpr uint64_t kMiB = 1ull << 20, kGiB = 1ull << 30;
// BAR1's Resizable BAR sizes run from 64 MiB to the VRAM's size; the
// largest the device advertises is 512 GiB (GA102's range), so VRAM is at
// most that.
constexpr uint64_t kMinAperture = 64 * kMiB, kMaxVram = 512 * kGiB;
constexpr uint64_t kDefaultVramBar = 256 * kMiB;
// The NUMA part of a fabric GPU's VRAM is whole 128 MiB blocks: riscv's
// memory section size (SECTION_SIZE_BITS 27), the granule of memory nodes.
constexpr uint64_t kNumaAlign = 128 * kMiB;

bool power_of_two(uint64_t v) {
    return v != 0 && (v & (v - 1)) == 0;
}

Identity gpu_identity(const DeviceConfig& c) {
    Identity id;
    id.vendor_id = static_cast<uint16_t>(c.params.u64("vendor-id"));
    id.device_id = static_cast<uint16_t>(c.params.u64("device-id"));
    id.class_code = NVSOC_GPU_PCI_CLASS;
    id.subsystem_vendor_id = id.vendor_id;
    id.subsystem_id = id.device_id;
    id.interrupt_pin = 1; // INTA
    return id;
}

// The engines' configuration from the YAML, with the checks a table range
// cannot make (powers of two, one parameter against another).
gpu::EngineConfig read_engine_config(const DeviceConfig& c) {
    const Params& p = c.params;
    gpu::EngineConfig e;
    uint64_t vram = p.u64("vram");
    if (!power_of_two(vram) || vram < kMinAperture)
        throw InputError(p.where("vram"),
                         fmt::format("'{}': vram {} must be a power of two from 64 MiB to 512 GiB "
                                     "(BAR1, its aperture, resizes in powers of two)",
                                     c.name, format_size(vram)));
    if (vram > kMaxVram)
        throw InputError(p.where("vram"),
                         fmt::format("'{}': vram {} is larger than the aperture allows: BAR1 "
                                     "resizes up to 512 GiB, the largest size the device "
                                     "advertises",
                                     c.name, format_size(vram)));
    e.vram_size = vram;
    e.channels = static_cast<unsigned>(p.u64("channels"));
    e.copy_engines = static_cast<unsigned>(p.u64("copy-engines"));
    e.dma_bits = static_cast<unsigned>(p.u64("dma-bits"));
    e.doorbell_latency = p.time_ps("doorbell-latency");
    e.method_time = p.time_ps("method-time");
    e.ce_rate.assign(e.copy_engines, p.u64("ce-rate"));
    e.method_budget = p.u64("method-budget");
    e.max_copy_bytes = p.u64("max-copy");
    e.max_copy_lines = p.u64("max-copy-lines");
    e.channel_error_at_method = p.u64("channel-error-at-method");
    e.ce_hang_at_launch = static_cast<unsigned>(p.u64("ce-hang-at-launch"));
    if (std::string why = gpu::validate(e); !why.empty())
        throw InputError(c.where, fmt::format("'{}': {}", c.name, why));
    return e;
}

uint64_t read_vram_bar(const DeviceConfig& c, uint64_t vram) {
    const Params& p = c.params;
    if (!p.has("vram-bar")) return std::min(vram, kDefaultVramBar);
    uint64_t bar = p.u64("vram-bar");
    if (!power_of_two(bar) || bar < kMinAperture || bar > vram)
        throw InputError(p.where("vram-bar"),
                         fmt::format("'{}': vram-bar {} must be a power of two from 64 MiB up to "
                                     "vram ({}): BAR1's Resizable BAR sizes",
                                     c.name, format_size(bar), format_size(vram)));
    return bar;
}

const char* event_name(gpu::EngineEvent::Kind k) {
    using K = gpu::EngineEvent::Kind;
    switch (k) {
    case K::Doorbell:
        return "doorbell";
    case K::LaunchBegin:
        return "launch begins";
    case K::LaunchEnd:
        return "launch ends";
    case K::Fault:
        return "fault";
    case K::Interrupt:
        return "interrupt";
    }
    return "?";
}

} // namespace

// The PCIe uplink: DMA through the function's link (pcie_sysmem), the
// interrupt as INTx while neither MSI nor MSI-X is on (signal() sends
// those).
class Gpu::PcieUplink : public gpu::Uplink {
  public:
    explicit PcieUplink(Gpu& gpu) : gpu_(gpu) {}
    MemResult sysmem(const MemAccess& a) override { return gpu_.pcie_sysmem(a); }
    void level(bool) override { gpu_.update_intx(); }

  private:
    Gpu& gpu_;
};

Gpu::Gpu(const DeviceConfig& config)
    : PcieNode(config), config_(read_engine_config(config)),
      vram_timing_(config.params.u64("vram-bandwidth"), config.params.time_ps("vram-latency")),
      cs_(gpu_identity(config)) {
    const Params& p = config.params;
    try {
        vram_ = std::make_unique<gpu::Vram>(config_.vram_size);
    } catch (const std::runtime_error& e) {
        throw InputError(p.where("vram"),
                         fmt::format("'{}': {}: make vram smaller", instance(), e.what()));
    }
    pcie_uplink_ = std::make_unique<PcieUplink>(*this);
    uplink_ = pcie_uplink_.get();
    if (p.has("numa-node")) numa_node_ = static_cast<unsigned>(p.u64("numa-node"));
    numa_memory_ = p.has("numa-memory") ? p.u64("numa-memory")
                                        : config_.vram_size / 2 / kNumaAlign * kNumaAlign;
    if (numa_memory_ > config_.vram_size || numa_memory_ % kNumaAlign)
        throw InputError(p.where("numa-memory"),
                         fmt::format("'{}': numa-memory {} must be a multiple of 128 MiB and at "
                                     "most vram ({}): the top part of VRAM the OS gets as a "
                                     "NUMA node (memory hot-plug's section size)",
                                     instance(), format_size(numa_memory_),
                                     format_size(config_.vram_size)));
    faults_.poison_read_at = p.u64("poison-read-at");
    faults_.ecc_correctable_at = p.u64("ecc-correctable-at");
    faults_.ecc_uncorrectable_at = p.u64("ecc-uncorrectable-at");

    uint64_t aperture = read_vram_bar(config, config_.vram_size);
    cs_.set_bar(NVSOC_GPU_BAR_REGS, {NVSOC_GPU_BAR0_SIZE, BarKind::Memory32, false});
    cs_.set_bar(NVSOC_GPU_BAR_VRAM, {aperture, BarKind::Memory64, true});
    // The capabilities in the order a GPU lists them.
    cs_.add_pm_capability();
    cs_.add_msi_capability(
        {.multiple_message_capable = 5, .address64 = true, .per_vector_masking = true});
    PcieOptions o;
    o.type = PortType::Endpoint;
    o.max_payload_supported = 256;
    o.max_link_speed = port_.max_speed;
    o.max_link_width = port_.max_width;
    o.flr = true;
    cs_.add_pcie_capability(o);
    cs_.add_msix_capability({.table_size = 1 + config_.channels,
                             .table_bar = NVSOC_GPU_BAR_REGS,
                             .table_offset = NVSOC_GPU_MSIX_TABLE,
                             .pba_bar = NVSOC_GPU_BAR_REGS,
                             .pba_offset = NVSOC_GPU_MSIX_PBA});
    cs_.add_aer_capability();
    cs_.add_resizable_bar(NVSOC_GPU_BAR_VRAM, rebar::size_mask(kMinAperture, config_.vram_size),
                          aperture);

    msi_ = std::make_unique<MsiSignaller>(cs_, log_, msi_wiring(0));
    msi_->declare_msix(registers_, registers_);
    declare_identity();
    try {
        engine_ = std::make_unique<gpu::Engine>(config_, *this, *this, log_);
    } catch (const std::invalid_argument& e) {
        throw InputError(config.where, fmt::format("'{}': {}", instance(), e.what()));
    }
    engine_->declare_registers(registers_);
    declare_nvlink();
    // The engines' doorbells, launches, faults and interrupts, at debug level.
    if (log_.enabled(LogLevel::Debug))
        engine_->set_trace([this](const gpu::EngineEvent& e) {
            log_.debug("engine at {} ps: {} (channel {}, copy engine {}, 0x{:x})", e.time,
                       event_name(e.kind), e.channel, e.engine, e.value);
        });

    map_bar(0, NVSOC_GPU_BAR_REGS,
            {.registers = &registers_, .registers_size = NVSOC_GPU_BAR0_SIZE});
    map_bar(0, NVSOC_GPU_BAR_VRAM, {.memory = vram_->data(), .memory_size = vram_->size()});

    // INTx is the engines' level only while neither MSI nor MSI-X is on.
    cs_.add_write_hook(cs_.msi_offset(), 4, [this](const WriteEvent&) { update_intx(); });
    cs_.add_write_hook(cs_.msix_offset() + msix::kControl, 2,
                       [this](const WriteEvent&) { update_intx(); });
    unsigned devctl = cs_.pcie_offset() + pcie_cap::kDeviceControl;
    cs_.add_write_hook(devctl, 2, [this, devctl](const WriteEvent& e) {
        if (e.wrote_one(uint32_t{pcie_cap::devctl::kInitiateFlr} << (devctl % 4 * 8)))
            function_level_reset();
    });
    watch_interrupt_disable();

    SC_HAS_PROCESS(Gpu);
    SC_METHOD(run_engine);
    sensitive << wake_;
    dont_initialize();
}

Gpu::~Gpu() = default;

// The identity registers at the start of BAR0 (read-only: writes are
// ignored).
void Gpu::declare_identity() {
    auto ro = [this](const char* name, unsigned offset, uint32_t value) {
        registers_.add({.name = name, .offset = offset, .reset = value, .write_mask = 0});
    };
    ro("IDENT", NVSOC_GPU_IDENT, NVSOC_GPU_IDENT_VALUE);
    ro("VERSION", NVSOC_GPU_VERSION, NVSOC_GPU_VERSION_VALUE);
    ro("NUM_CHANNELS", NVSOC_GPU_NUM_CHANNELS, config_.channels);
    ro("NUM_CES", NVSOC_GPU_NUM_CES, config_.copy_engines);
    ro("VRAM_SIZE_LO", NVSOC_GPU_VRAM_SIZE_LO, static_cast<uint32_t>(config_.vram_size));
    ro("VRAM_SIZE_HI", NVSOC_GPU_VRAM_SIZE_HI, static_cast<uint32_t>(config_.vram_size >> 32));
    ro("DMA_BITS", NVSOC_GPU_DMA_BITS, config_.dma_bits);
    ro("NUM_NVLINKS", NVSOC_GPU_NUM_NVLINKS, gpu_nvlink_ports(config().params).count);
    ro("CLASSES", NVSOC_GPU_CLASSES, uint32_t{NVSOC_GPU_COPY_CLASS} << 16 | NVSOC_GPU_HOST_CLASS);
    ro("MSIX_VECTORS", NVSOC_GPU_MSIX_VECTORS, 1 + config_.channels);
}

// BAR0 register callbacks happen at the access's time (EngineHost::now);
// BAR1 counts its traffic, and a read waits for the VRAM's latency.
void Gpu::downstream_request(const PciBus::Claim& claim, Space space, uint64_t address,
                             tlm::tlm_generic_payload& tx, sc_core::sc_time& delay) {
    unsigned bar = claim.bar ? claim.bar->bar : ~0u;
    if (bar == NVSOC_GPU_BAR_REGS) {
        bar0_delay_ = &access_delay();
        PcieNode::downstream_request(claim, space, address, tx, delay);
        bar0_delay_ = nullptr;
        return;
    }
    PcieNode::downstream_request(claim, space, address, tx, delay);
    if (bar != NVSOC_GPU_BAR_VRAM || !tx.is_response_ok()) return;
    uint64_t len = tx.get_data_length();
    if (tx.is_read()) {
        ++bar1_traffic_.reads;
        bar1_traffic_.read_bytes += len;
        delay += sc_core::sc_time::from_value(vram_timing_.latency());
    } else {
        ++bar1_traffic_.writes;
        bar1_traffic_.write_bytes += len;
    }
}

// --- EngineHost ------------------------------------------------------------------

uint64_t Gpu::now() const {
    return now_ps(bar0_delay_ ? *bar0_delay_ : sc_core::SC_ZERO_TIME);
}

void Gpu::register_access(tlm::tlm_generic_payload& tx, sc_core::sc_time& delay) {
    bar0_delay_ = &delay;
    serve_registers(registers_, tx, log_, NVSOC_GPU_BAR0_SIZE);
    bar0_delay_ = nullptr;
}

// --- Uplinks -------------------------------------------------------------------------

void Gpu::set_uplink(gpu::Uplink* uplink) {
    uplink_ = uplink ? uplink : pcie_uplink_.get();
}

// numa-node and numa-memory describe VRAM that a fabric node hands to the
// OS; on PCIe, VRAM is behind BAR1 and no memory node can hold it.
void Gpu::place(PcieUpstream& upstream, PciBus& bus, unsigned device) {
    const Params& p = config().params;
    for (const char* key : {"numa-node", "numa-memory"})
        if (p.has(key))
            throw InputError(p.where(key),
                             fmt::format("'{}': {} is only for a GPU on an nvlink-fabric node "
                                         "(whose VRAM is coherent memory); '{}' sits on a PCI "
                                         "bus: drop {} or place it with bus: <nvlink-fabric>",
                                         instance(), key, instance(), key));
    PcieNode::place(upstream, bus, device);
}

// MSI-X when enabled; else MSI, where a vector beyond those software
// enabled is sent as vector 0; else nothing (INTx follows set_level).
void Gpu::signal(unsigned vector) {
    ++signals_;
    switch (msi_->mode()) {
    case InterruptMode::Msix:
        msi_->raise_msix(vector);
        break;
    case InterruptMode::Msi:
        msi_->raise_msi(vector < msi_->msi_vectors() ? vector : 0);
        break;
    case InterruptMode::Intx:
        break;
    }
}

void Gpu::set_level(bool level) {
    level_ = level;
    uplink_->level(level);
}

void Gpu::update_intx() {
    set_intx(0, level_ && msi_->mode() == InterruptMode::Intx);
}

// An sc_event keeps the earliest of its pending notifications, so a later
// wake_at never delays an earlier one.
void Gpu::wake_at(uint64_t t) {
    uint64_t n = now_ps();
    wake_.notify(sc_core::sc_time::from_value(t > n ? t - n : 0));
}

void Gpu::run_engine() {
    engine_->advance_to(now_ps());
    if (auto next = engine_->next_event_time()) wake_at(*next);
}

// --- NVLink ------------------------------------------------------------------------

// The ports' blocks, the NVLink ID, the interrupt summary and the peer
// table (nvsoc_gpu_hw.h).
void Gpu::declare_nvlink() {
    unsigned ports = static_cast<unsigned>(config().params.u64("nvlink-ports"));
    for (unsigned l = 0; l < ports; ++l) {
        nvlink_ports_.push_back(std::make_unique<nvlink::Port>(
            nvlink::PortIdentity{NVSOC_NVL_DEVICE_GPU, 0, l}, *this));
        nvlink_ports_.back()->declare(registers_, NVSOC_GPU_NVL(l, 0), fmt::format("nvl{}", l));
    }
    registers_.add({.name = "NVLINK_ID",
                    .offset = NVSOC_GPU_NVLINK_ID,
                    .write_mask = 0,
                    .on_read = [this](unsigned) -> uint64_t { return nvlink_id_; }});
    registers_.add({.name = "NVLINK_INTR_PENDING",
                    .offset = NVSOC_GPU_NVLINK_INTR_PENDING,
                    .write_mask = 0,
                    .on_read = [this](unsigned) -> uint64_t {
                        uint32_t bits = 0;
                        for (size_t l = 0; l < nvlink_ports_.size(); ++l)
                            if (nvlink_ports_[l]->pending()) bits |= 1u << l;
                        return bits;
                    }});
    auto peer_reg = [this](const char* name, unsigned offset, uint64_t mask,
                           std::function<uint64_t(Peer&)> read,
                           std::function<void(Peer&, uint32_t)> write) {
        registers_.add(
            {.name = name,
             .offset = NVSOC_GPU_PEER(0, offset),
             .count = NVSOC_GPU_PEERS,
             .stride = NVSOC_GPU_PEER(1, 0) - NVSOC_GPU_PEER(0, 0),
             .write_mask = mask,
             .on_read = [this, read](unsigned i) -> uint64_t { return read(peers_[i]); },
             .on_write = [this, write](unsigned i, uint64_t v,
                                       uint64_t) { write(peers_[i], static_cast<uint32_t>(v)); }});
    };
    peer_reg(
        "PEER_CTRL", NVSOC_GPU_PEER_CTRL, 0x7, [](Peer& p) -> uint64_t { return p.ctrl; },
        [](Peer& p, uint32_t v) { p.ctrl = v & 0x7; });
    peer_reg(
        "PEER_TARGET", NVSOC_GPU_PEER_TARGET, ~0ull, [](Peer& p) -> uint64_t { return p.target; },
        [](Peer& p, uint32_t v) { p.target = v; });
    peer_reg(
        "PEER_BASE_LO", NVSOC_GPU_PEER_BASE_LO, ~0ull,
        [](Peer& p) -> uint64_t { return static_cast<uint32_t>(p.base); },
        [](Peer& p, uint32_t v) { p.base = (p.base & ~0xffffffffull) | v; });
    peer_reg(
        "PEER_BASE_HI", NVSOC_GPU_PEER_BASE_HI, ~0ull,
        [](Peer& p) -> uint64_t { return p.base >> 32; },
        [](Peer& p, uint32_t v) { p.base = (p.base & 0xffffffffull) | uint64_t{v} << 32; });
}

// What a reset clears on the device's side: the ports' command and error
// state and the peer table. The links themselves belong to the fabric and
// stay as they are.
void Gpu::reset_nvlink() {
    for (auto& p : nvlink_ports_)
        p->reset();
    peers_ = {};
}

unsigned Gpu::nvlink_device_type() const {
    return NVSOC_NVL_DEVICE_GPU;
}

void Gpu::attach_nvlink(NvlinkFabric& fabric, uint32_t nvlink_id) {
    fabric_ = &fabric;
    nvlink_id_ = nvlink_id;
    for (auto& p : nvlink_ports_)
        p->set_device_id(nvlink_id);
}

MemResult Gpu::serve_nvlink(const MemAccess& a) {
    MemAccess local = a;
    local.aperture = Aperture::Vram;
    return vram_access(local);
}

void Gpu::port_interrupt_changed() {
    bool any = false;
    for (auto& p : nvlink_ports_)
        any = any || p->pending();
    engine_->set_unit_status(any ? NVSOC_GPU_INTR_NVLINK : 0);
}

// A PEER access: the peer table entry names the path. Over NVLink the
// fabric carries it to the GPU with that NVLink ID; over PCIe it is a
// DMA to the peer's BAR1 through the root complex (peer-to-peer).
MemResult Gpu::peer_access(const MemAccess& a) {
    MemResult r;
    r.done = r.issued = a.time;
    r.fault_address = a.address;
    const Peer* p = a.peer < peers_.size() ? &peers_[a.peer] : nullptr;
    unsigned path = p ? (p->ctrl >> NVSOC_GPU_PEER_CTRL_PATH_SHIFT) & 0x3 : 0;
    if (!p || !(p->ctrl & NVSOC_GPU_PEER_CTRL_VALID) ||
        (path == NVSOC_GPU_PEER_PATH_NVLINK && !fabric_) ||
        (path != NVSOC_GPU_PEER_PATH_NVLINK && path != NVSOC_GPU_PEER_PATH_PCIE)) {
        ++errors_.no_path;
        r.status = MemStatus::NoPath;
        return r;
    }
    if (path == NVSOC_GPU_PEER_PATH_NVLINK) {
        r = fabric_->peer_access(*this, p->target, a);
        if (r.status == MemStatus::NoPath) ++errors_.no_path;
        if (r.status == MemStatus::BusError) ++errors_.bus_errors;
        if (r.status == MemStatus::Ok) peer_bytes_ += a.length;
        if (r.status != MemStatus::Ok && r.fault_address == 0) r.fault_address = a.address;
        return r;
    }
    MemAccess bus = a;
    bus.aperture = Aperture::SysmemCoherent;
    bus.address = p->base + a.address;
    if (bus.address < p->base) { // wrapped
        ++errors_.out_of_range;
        r.status = MemStatus::OutOfRange;
        return r;
    }
    r = sysmem_access(bus);
    if (r.status == MemStatus::Ok) peer_bytes_ += a.length;
    return r;
}

// --- Transports --------------------------------------------------------------------

MemResult Gpu::access(const MemAccess& a) {
    switch (a.aperture) {
    case Aperture::Vram:
        return vram_access(a);
    case Aperture::SysmemCoherent:
    case Aperture::SysmemNoncoherent:
        return sysmem_access(a);
    case Aperture::Peer:
        return peer_access(a);
    }
    ++errors_.no_path;
    MemResult r;
    r.status = MemStatus::NoPath;
    r.done = r.issued = a.time;
    r.fault_address = a.address;
    return r;
}

MemResult Gpu::vram_access(const MemAccess& a) {
    MemResult r;
    r.done = r.issued = a.time;
    if (!vram_->contains(a.address, a.length)) {
        ++errors_.out_of_range;
        r.status = MemStatus::OutOfRange;
        r.fault_address = std::max(a.address, vram_->size());
        return r;
    }
    gpu::VramTiming::Slot slot = vram_timing_.access(a.time, a.length);
    r.issued = slot.issued;
    r.done = slot.done;
    // ECC is checked where stored data is read; a write stores fresh check
    // bits.
    uint64_t n = a.write ? 0 : ++vram_reads_;
    if (n && n == faults_.ecc_correctable_at) {
        ++errors_.ecc_corrected;
        log_.info("fault point {}.vram.ecc_correctable: VRAM read {} at 0x{:x}", instance(), n,
                  a.address);
        engine_->report_ecc(false, a.address);
    }
    if (n && n == faults_.ecc_uncorrectable_at) {
        ++errors_.ecc_uncorrected;
        ++errors_.poisoned;
        log_.info("fault point {}.vram.ecc_uncorrectable: VRAM read {} at 0x{:x}", instance(), n,
                  a.address);
        engine_->report_ecc(true, a.address);
        r.status = MemStatus::Poisoned;
        r.fault_address = a.address;
        return r;
    }
    Traffic& t = vram_traffic_;
    if (a.write) {
        std::memcpy(vram_->data() + a.address, a.data, a.length);
        ++t.writes;
        t.write_bytes += a.length;
    } else {
        std::memcpy(a.data, vram_->data() + a.address, a.length);
        ++t.reads;
        t.read_bytes += a.length;
    }
    return r;
}

MemResult Gpu::sysmem_access(const MemAccess& a) {
    MemResult r;
    r.done = r.issued = a.time;
    // On the fabric every access is coherent (no No Snoop there).
    bool coherent = a.aperture == Aperture::SysmemCoherent || !on_pcie();
    // The device drives dma-bits address bits: an access must end below
    // 2^dma-bits (and not wrap).
    uint64_t limit = config_.dma_bits >= 64 ? ~uint64_t{0} : (1ull << config_.dma_bits) - 1;
    uint64_t last = a.address + (a.length ? a.length - 1 : 0);
    if (a.address > limit || last > limit || last < a.address) {
        ++errors_.out_of_range;
        r.status = MemStatus::OutOfRange;
        r.fault_address = a.address > limit ? a.address : limit + 1;
        return r;
    }
    if (a.length == 0) return r;
    bool poison = false;
    if (!a.write) poison = ++sysmem_reads_ == faults_.poison_read_at;

    r = uplink_->sysmem(a);
    if (r.status != MemStatus::Ok) {
        ++errors_.bus_errors;
        if (r.fault_address == 0) r.fault_address = a.address;
        return r;
    }
    Traffic& t = coherent ? coherent_traffic_ : noncoherent_traffic_;
    if (a.write) {
        ++t.writes;
        t.write_bytes += a.length;
    } else {
        ++t.reads;
        t.read_bytes += a.length;
    }
    if (poison) {
        // The data came back poisoned and is not used. On PCIe the
        // completion had EP set: the function logs a Poisoned TLP Received
        // (AER); the fabric has no AER.
        ++errors_.poisoned;
        log_.info("fault point {}.dma.poison: system-memory read {} at 0x{:x} is poisoned",
                  instance(), sysmem_reads_, a.address);
        if (on_pcie()) report_error(0, {true, aer::kPoisonedTlp});
        r.status = MemStatus::Poisoned;
        r.fault_address = a.address;
    }
    return r;
}

// System memory by DMA through the PCIe link: No Snoop for the
// non-coherent aperture.
MemResult Gpu::pcie_sysmem(const MemAccess& a) {
    MemResult r;
    bool coherent = a.aperture == Aperture::SysmemCoherent;
    tlm::tlm_generic_payload tx;
    tx.set_command(a.write ? tlm::TLM_WRITE_COMMAND : tlm::TLM_READ_COMMAND);
    tx.set_address(a.address);
    tx.set_data_ptr(a.data);
    tx.set_data_length(static_cast<unsigned>(a.length));
    tx.set_streaming_width(static_cast<unsigned>(a.length));
    tx.set_byte_enable_ptr(nullptr);
    // The link above says when the burst's last request left (its tags and
    // completion credits allowing): the engine may send the next then.
    PcieExtension ext;
    tx.set_extension(&ext);
    uint64_t n = now_ps();
    uint64_t at = std::max(a.time, n);
    sc_core::sc_time delay = sc_core::sc_time::from_value(at - n);
    dma(0, tx, delay, coherent ? 0 : kAttrNoSnoop);
    tx.clear_extension(&ext);
    r.done = n + delay.value();
    r.issued = std::clamp(ext.issued_ps, at, r.done);
    if (!tx.is_response_ok()) {
        r.status = MemStatus::BusError;
        r.fault_address = a.address;
    }
    return r;
}

// --- Resets ------------------------------------------------------------------------

// The engines and the interrupt state start again; VRAM keeps its
// contents. The fault points fire once per run, as the engine's do: a
// reset that recovers from one does not bring it back.
void Gpu::link_reset() {
    PcieNode::link_reset();
    msi_->reset();
    engine_->reset();
    reset_nvlink();
    vram_timing_.reset();
    level_ = false;
    set_intx(0, false);
}

// Function Level Reset: the function's state as after a conventional reset,
// but the link stays up (its status is kept).
void Gpu::function_level_reset() {
    log_.debug("function level reset");
    unsigned speed = cs_.link_speed(), width = cs_.link_width();
    cs_.reset(ResetKind::Conventional);
    cs_.set_link_status(speed, width, false);
    msi_->reset();
    engine_->reset();
    reset_nvlink();
    vram_timing_.reset();
    level_ = false;
    set_intx(0, false);
}

void Gpu::reset() {
    cs_.reset(ResetKind::PowerOn);
    registers_.reset();
    msi_->reset();
    engine_->reset();
    reset_nvlink();
    vram_->clear();
    vram_timing_.reset();
    level_ = false;
    set_intx(0, false);
    if (!on_pcie()) uplink_->level(false);
}

void Gpu::stats(nlohmann::json& out) const {
    const gpu::Engine::Stats& e = engine_->stats();
    out["engine"] = {{"methods", e.methods},
                     {"gp_entries", e.gp_entries},
                     {"doorbells", e.doorbells},
                     {"semaphore_releases", e.semaphore_releases},
                     {"semaphore_acquires", e.semaphore_acquires},
                     {"launches", e.launches},
                     {"bytes_copied", e.bytes_copied},
                     {"faults", e.faults},
                     {"faults_dropped", e.faults_dropped},
                     {"interrupts", e.interrupts}};
    auto traffic = [](const Traffic& t) {
        return nlohmann::json{{"reads", t.reads},
                              {"writes", t.writes},
                              {"read_bytes", t.read_bytes},
                              {"write_bytes", t.write_bytes}};
    };
    out["vram"] = traffic(vram_traffic_);
    out["sysmem_coherent"] = traffic(coherent_traffic_);
    out["sysmem_noncoherent"] = traffic(noncoherent_traffic_);
    out["bar1"] = traffic(bar1_traffic_);
    out["errors"] = {
        {"out_of_range", errors_.out_of_range},   {"bus_errors", errors_.bus_errors},
        {"poisoned", errors_.poisoned},           {"no_path", errors_.no_path},
        {"ecc_corrected", errors_.ecc_corrected}, {"ecc_uncorrected", errors_.ecc_uncorrected}};
    out["peer_bytes"] = peer_bytes_;
    out["nvlink_id"] = nvlink_id_;
    out["dma_blocked"] = dma_blocked_;
    out["signals"] = signals_;
    const MsiSignaller::Counters& m = msi_->counters();
    out["messages"] = {{"sent", m.sent},       {"pended", m.pended},   {"blocked", m.blocked},
                       {"refused", m.refused}, {"invalid", m.invalid}, {"intx", m.intx}};
}

// --- Registration --------------------------------------------------------------------

namespace {
std::vector<ParamSpec> gpu_params() {
    std::vector<ParamSpec> p = pcie_link_params("gen5", "16");
    std::vector<ParamSpec> more = {
        {"vendor-id",
         ParamType::Integer,
         "0x1e5c",
         "Vendor ID (the project's own: no in-tree Linux driver claims it)",
         false,
         {},
         0,
         0xffff},
        {"device-id", ParamType::Integer, "0x0001", "Device ID", false, {}, 0, 0xffff},
        {"vram", ParamType::Size, "256MiB",
         "VRAM size: a power of two from 64 MiB to 512 GiB (host memory is used only where "
         "the guest writes)"},
        {"vram-bar", ParamType::Size, "",
         "BAR1's size at reset (the VRAM aperture; Resizable BAR takes it to any power of two "
         "from 64 MiB to vram): a power of two, default min(vram, 256 MiB)"},
        {"channels",
         ParamType::Integer,
         "16",
         "Channels (GPFIFO rings), 1 to 64; MSI-X has 1 + channels vectors",
         false,
         {},
         1,
         NVSOC_GPU_MAX_CHANNELS},
        {"copy-engines",
         ParamType::Integer,
         "2",
         "Copy engines, 1 to 10",
         false,
         {},
         1,
         NVSOC_GPU_MAX_CES},
        {"ce-rate", ParamType::Bandwidth, "128GB/s",
         "Throughput of each copy engine (above a Gen5 x16 link's 63 GB/s, so that the link "
         "limits copies to and from system memory)"},
        {"vram-bandwidth", ParamType::Bandwidth, "900GB/s",
         "VRAM bandwidth, shared by every engine's accesses"},
        {"vram-latency", ParamType::Time, "250ns", "From an access's turn at VRAM to its data"},
        {"doorbell-latency", ParamType::Time, "500ns",
         "From a doorbell write's arrival to the channel's first GPFIFO fetch"},
        {"method-time", ParamType::Time, "2ns", "Time the host takes per pushbuffer method"},
        {"dma-bits",
         ParamType::Integer,
         "64",
         "Address bits the device drives (32 to 64): DMA at or beyond 2^dma-bits faults",
         false,
         {},
         32,
         64},
        {"max-copy",
         ParamType::Size,
         "64GiB",
         "Largest copy one LAUNCH_DMA may ask for; a larger one faults (BAD_LAUNCH)",
         false,
         {},
         1},
        {"max-copy-lines",
         ParamType::Integer,
         "1048576",
         "Most lines one LAUNCH_DMA may ask for (each costs host time); more fault (BAD_LAUNCH)",
         false,
         {},
         1},
        {"method-budget",
         ParamType::Integer,
         "65536",
         "Methods a channel runs per timeslice before the others get their turn",
         false,
         {},
         1},
        {"nvlink-ports",
         ParamType::Integer,
         "0",
         "NVLink ports, 0 to 18 (nvl0, nvl1, ...; the top-level links map joins them)",
         false,
         {},
         0,
         NVSOC_GPU_MAX_NVLINKS},
        {"channel-error-at-method", ParamType::Integer, "0",
         "Fault point <gpu>.channel_error: the Nth method (all channels, from 1) fails as a "
         "bad method; 0: never"},
        {"ce-hang-at-launch",
         ParamType::Integer,
         "0",
         "Fault point <gpu>.ce_hang: the Nth copy launch (from 1) never completes; 0: never",
         false,
         {},
         0,
         UINT32_MAX},
        {"numa-node",
         ParamType::Integer,
         "",
         "On an nvlink-fabric node: the NUMA node ID of the VRAM's top part (numa-memory); "
         "default slot + 1. Refused on PCIe",
         false,
         {},
         1,
         63},
        {"numa-memory", ParamType::Size, "",
         "On an nvlink-fabric node: the top part of VRAM the OS gets as a CPU-less NUMA node (a "
         "multiple of 128 MiB, 0 for none); the driver keeps the rest. Default vram / 2 "
         "rounded down to 128 MiB. "
         "Refused on PCIe"},
        {"poison-read-at", ParamType::Integer, "0",
         "Fault point <gpu>.dma.poison: the Nth system-memory DMA read (from 1) comes back "
         "poisoned (AER Poisoned TLP, the access faults); 0: never"},
        {"ecc-correctable-at", ParamType::Integer, "0",
         "Fault point <gpu>.vram.ecc_correctable: the Nth VRAM read (from 1) has a corrected "
         "ECC error (ECC_STATUS, counter, interrupt); 0: never"},
        {"ecc-uncorrectable-at", ParamType::Integer, "0",
         "Fault point <gpu>.vram.ecc_uncorrectable: the Nth VRAM read (from 1) has an "
         "uncorrectable ECC error (ECC_STATUS, ECC_ADDR, the read faults as poisoned); 0: "
         "never"},
    };
    p.insert(p.end(), more.begin(), more.end());
    std::vector<ParamSpec> gens = nvlink::generation_params();
    p.insert(p.end(), gens.begin(), gens.end());
    return p;
}
NvlinkPorts gpu_nvlink_ports(const Params& p) {
    auto [lo, hi] = nvlink::generations(p);
    return NvlinkPorts{static_cast<unsigned>(p.u64("nvlink-ports")), lo, hi};
}
} // namespace

NVSOC_REGISTER_MODEL(ModelInfo{
    .type = "gpu",
    .doc = "GPU as a PCIe endpoint: channels and copy engines behind NVIDIA-shaped registers "
           "(docs/gpu.md), VRAM behind a resizable BAR1, MSI-X, MSI or INTx, DMA over its link; "
           "or in a slot of an nvlink-fabric node (docs/nvlink.md, \"Native fabric node\")",
    .params = gpu_params(),
    .create = [](const DeviceConfig& c) { return std::make_unique<Gpu>(c); },
    .on_bus = {"PCI", "NVLINK-FABRIC"},
    .nvlink_ports = gpu_nvlink_ports,
});

} // namespace nvsoc
