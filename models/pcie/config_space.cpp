#include "models/pcie/config_space.h"

#include <stdexcept>
#include <string>

namespace nvsoc::pcie {

namespace {

uint32_t width_mask(unsigned len) {
    return len >= 4 ? ~0u : (1u << (8 * len)) - 1;
}

bool power_of_two(uint64_t v) {
    return v != 0 && (v & (v - 1)) == 0;
}

unsigned align4(unsigned v) {
    return (v + 3) & ~3u;
}

[[noreturn]] void fail(const std::string& what) {
    throw std::logic_error("pcie config: " + what);
}

std::string hex(uint64_t v) {
    static const char* digits = "0123456789abcdef";
    std::string s;
    do {
        s.insert(s.begin(), digits[v & 0xf]);
        v >>= 4;
    } while (v);
    return "0x" + s;
}

// Max_Payload_Size and Max_Read_Request_Size encodings: 128 << n bytes.
unsigned payload_encoding(unsigned bytes) {
    for (unsigned n = 0; n <= 5; ++n)
        if (bytes == 128u << n) return n;
    fail("max payload " + std::to_string(bytes) + " is not a power of two from 128 to 4096");
}

} // namespace

// ---------------------------------------------------------------------------
// Construction: the two header layouts (PCIe Base Spec 7.5.1).

ConfigSpace::ConfigSpace(const Identity& id) : type_(HeaderType::Type0) {
    init_common(id);
    init_type0(id);
}

ConfigSpace::ConfigSpace(const Identity& id, const BridgeOptions& bridge)
    : type_(HeaderType::Type1), bridge_(bridge) {
    init_common(id);
    init_type1(bridge);
}

void ConfigSpace::init_common(const Identity& id) {
    if (id.vendor_id == 0xffff) fail("vendor ID 0xffff is what an empty slot returns");
    if (id.interrupt_pin > 4) fail("interrupt pin must be 0 (none) or 1..4 (INTA..INTD)");
    if (id.class_code > 0xffffff) fail("the class code has 24 bits");
    namespace c = cfg::command;
    declare(cfg::kVendorId, 2, {.reset = id.vendor_id});
    declare(cfg::kDeviceId, 2, {.reset = id.device_id});
    // PCIe hardwires Special Cycles, Memory Write and Invalidate, VGA
    // Palette Snoop, IDSEL Stepping and Fast Back-to-Back to 0.
    declare(cfg::kCommand, 2,
            {.rw = c::kIoSpace | c::kMemorySpace | c::kBusMaster | c::kParityErrorResponse |
                   c::kSerrEnable | c::kInterruptDisable});
    // 66 MHz, Fast Back-to-Back and DEVSEL timing are 0 on PCIe.
    declare(cfg::kStatus, 2, {.rw1c = cfg::status::kErrorBits});
    declare(cfg::kRevisionId, 1, {.reset = id.revision_id});
    declare(cfg::kClassCode, 3, {.reset = id.class_code});
    // Cache Line Size is RW for compatibility and has no effect on PCIe;
    // the Latency Timer is hardwired to 0.
    declare(cfg::kCacheLineSize, 1, {.rw = 0xff});
    declare(cfg::kHeaderType, 1,
            {.reset = static_cast<uint32_t>(type_) |
                      (id.multi_function ? cfg::header_type::kMultiFunction : 0u)});
    declare(cfg::kInterruptLine, 1, {.rw = 0xff});
    declare(cfg::kInterruptPin, 1, {.reset = id.interrupt_pin});
}

void ConfigSpace::init_type0(const Identity& id) {
    declare(cfg::kSubsystemVendorId, 2, {.reset = id.subsystem_vendor_id});
    declare(cfg::kSubsystemId, 2, {.reset = id.subsystem_id});
}

void ConfigSpace::init_type1(const BridgeOptions& b) {
    declare(cfg::kPrimaryBus, 1, {.rw = 0xff});
    declare(cfg::kSecondaryBus, 1, {.rw = 0xff});
    declare(cfg::kSubordinateBus, 1, {.rw = 0xff});
    // Secondary Latency Timer: hardwired to 0 on PCIe.
    if (b.io_window) {
        uint32_t type = b.io_32bit ? cfg::io_range::kType32 : 0;
        declare(cfg::kIoBase, 1, {.reset = type, .rw = 0xf0});
        declare(cfg::kIoLimit, 1, {.reset = type, .rw = 0xf0});
        if (b.io_32bit) {
            declare(cfg::kIoBaseUpper, 2, {.rw = 0xffff});
            declare(cfg::kIoLimitUpper, 2, {.rw = 0xffff});
        }
    }
    declare(cfg::kSecondaryStatus, 2, {.rw1c = cfg::status::kErrorBits});
    declare(cfg::kMemoryBase, 2, {.rw = 0xfff0});
    declare(cfg::kMemoryLimit, 2, {.rw = 0xfff0});
    if (b.prefetchable_window) {
        uint32_t type = b.prefetchable_64bit ? cfg::pref_range::kType64 : 0;
        declare(cfg::kPrefetchableBase, 2, {.reset = type, .rw = 0xfff0});
        declare(cfg::kPrefetchableLimit, 2, {.reset = type, .rw = 0xfff0});
        if (b.prefetchable_64bit) {
            declare(cfg::kPrefetchableBaseUpper, 4, {.rw = ~0u});
            declare(cfg::kPrefetchableLimitUpper, 4, {.rw = ~0u});
        }
    }
    namespace bc = cfg::bridge_control;
    uint32_t rw = bc::kParityErrorResponse | bc::kSerrEnable | bc::kSecondaryBusReset;
    if (b.io_window) rw |= bc::kIsaEnable;
    if (b.vga) rw |= bc::kVgaEnable | bc::kVga16Bit;
    // Master Abort Mode, Fast Back-to-Back and the discard timers are 0 on PCIe.
    declare(cfg::kBridgeControl, 2, {.rw = rw});
}

// ---------------------------------------------------------------------------
// Storage and access.

unsigned ConfigSpace::check_offset(unsigned offset, unsigned len) const {
    if (len == 0 || len > 4 || offset >= cfg::kSize || len > cfg::kSize - offset)
        fail("offset " + hex(offset) + " (+" + std::to_string(len) +
             ") is outside the configuration space");
    return offset;
}

uint32_t ConfigSpace::load(unsigned offset, unsigned len) const {
    check_offset(offset, len);
    uint32_t v = 0;
    for (unsigned i = 0; i < len; ++i)
        v |= uint32_t{data_[offset + i]} << (8 * i);
    return v;
}

uint32_t ConfigSpace::mask_of(const std::array<uint8_t, cfg::kSize>& m, unsigned offset) const {
    uint32_t v = 0;
    for (unsigned i = 0; i < 4; ++i)
        v |= uint32_t{m[offset + i]} << (8 * i);
    return v;
}

uint8_t ConfigSpace::u8(unsigned offset) const {
    return static_cast<uint8_t>(load(offset, 1));
}
uint16_t ConfigSpace::u16(unsigned offset) const {
    return static_cast<uint16_t>(load(offset, 2));
}
uint32_t ConfigSpace::u32(unsigned offset) const {
    return load(offset, 4);
}

std::optional<uint32_t> ConfigSpace::read(unsigned offset, unsigned len) const {
    if ((len != 1 && len != 2 && len != 4) || offset % len != 0 || offset >= cfg::kSize)
        return std::nullopt;
    return load(offset, len);
}

bool ConfigSpace::write(unsigned offset, uint32_t value, unsigned len) {
    if ((len != 1 && len != 2 && len != 4) || offset % len != 0 || offset >= cfg::kSize)
        return false;
    unsigned dword = offset & ~3u;
    unsigned shift = (offset & 3u) * 8;
    WriteEvent ev;
    ev.offset = dword;
    ev.lanes = width_mask(len) << shift;
    ev.data = (value & width_mask(len)) << shift;
    ev.old_value = load(dword, 4);
    uint32_t rw = mask_of(rw_, dword) & ev.lanes;
    uint32_t rw1c = mask_of(rw1c_, dword) & ev.lanes;
    uint32_t rw1s = mask_of(rw1s_, dword) & ev.lanes;
    uint32_t v = (ev.old_value & ~rw) | (ev.data & rw);
    v &= ~(ev.data & rw1c);
    v |= ev.data & rw1s;
    for (const Filter& f : filters_)
        if (f.offset == dword) v = f.fn(ev.old_value, v);
    for (unsigned i = 0; i < 4; ++i)
        data_[dword + i] = static_cast<uint8_t>(v >> (8 * i));
    ev.new_value = v;
    // By index: a hook may add hooks.
    for (size_t i = 0; i < hooks_.size(); ++i) {
        const Hook& h = hooks_[i];
        if (offset < h.offset + h.len && h.offset < offset + len) {
            WriteHook fn = h.fn;
            fn(ev);
        }
    }
    return true;
}

void ConfigSpace::hw_set(unsigned offset, uint32_t mask, uint32_t value) {
    for (unsigned i = 0; i < 4; ++i)
        if (static_cast<uint8_t>(mask >> (8 * i))) check_offset(offset + i, 1);
    for (unsigned i = 0; i < 4; ++i) {
        auto m = static_cast<uint8_t>(mask >> (8 * i));
        if (!m) continue;
        auto v = static_cast<uint8_t>(value >> (8 * i));
        data_[offset + i] = static_cast<uint8_t>((data_[offset + i] & ~m) | (v & m));
    }
}

void ConfigSpace::declare(unsigned offset, unsigned len, const Field& f) {
    check_offset(offset, len);
    uint32_t w = width_mask(len);
    if ((f.rw & f.rw1c) || (f.rw & f.rw1s) || (f.rw1c & f.rw1s))
        fail("register at " + hex(offset) + ": a bit has two write behaviours");
    if ((f.reset | f.rw | f.rw1c | f.rw1s | f.sticky) & ~w)
        fail("register at " + hex(offset) + ": bits beyond its " + std::to_string(len) + " bytes");
    for (unsigned i = 0; i < len; ++i) {
        unsigned s = 8 * i;
        unsigned b = offset + i;
        reset_[b] = data_[b] = static_cast<uint8_t>(f.reset >> s);
        rw_[b] = static_cast<uint8_t>(f.rw >> s);
        rw1c_[b] = static_cast<uint8_t>(f.rw1c >> s);
        rw1s_[b] = static_cast<uint8_t>(f.rw1s >> s);
        sticky_[b] = static_cast<uint8_t>(f.sticky >> s);
    }
}

void ConfigSpace::reset(ResetKind kind) {
    for (unsigned i = 0; i < cfg::kSize; ++i) {
        uint8_t keep = kind == ResetKind::PowerOn ? 0 : sticky_[i];
        data_[i] = static_cast<uint8_t>((reset_[i] & ~keep) | (data_[i] & keep));
    }
    // BAR Size is back at its initial value, and so are the BARs' sizes.
    apply_resizable_bar_sizes();
}

void ConfigSpace::add_write_hook(unsigned offset, unsigned len, WriteHook hook) {
    if (len == 0 || offset >= cfg::kSize || len > cfg::kSize - offset)
        fail("write hook range " + hex(offset) + " (+" + std::to_string(len) +
             ") is outside the configuration space");
    hooks_.push_back({offset, len, std::move(hook)});
}

void ConfigSpace::add_write_filter(unsigned offset, WriteFilter filter) {
    if (offset % 4 != 0 || offset >= cfg::kSize)
        fail("write filter offset " + hex(offset) + " is not a dword in the configuration space");
    filters_.push_back({offset, std::move(filter)});
}

// ---------------------------------------------------------------------------
// INTx.

void ConfigSpace::set_intx(bool asserted) {
    hw_set(cfg::kStatus, cfg::status::kInterruptStatus,
           asserted ? cfg::status::kInterruptStatus : 0u);
}

bool ConfigSpace::intx_asserted() const {
    return (status() & cfg::status::kInterruptStatus) &&
           !(command() & cfg::command::kInterruptDisable);
}

// ---------------------------------------------------------------------------
// BARs.

void ConfigSpace::set_bar(unsigned index, const BarSpec& spec) {
    std::string name = "BAR" + std::to_string(index);
    if (index >= bar_count())
        fail(name + ": a type " + std::to_string(static_cast<int>(type_)) + " header has " +
             std::to_string(bar_count()) + " BARs");
    if (bar_upper_[index]) fail(name + " is the upper half of the 64-bit BAR below it");
    if (bars_[index].kind != BarKind::None) fail(name + " is already declared");
    unsigned off = cfg::kBar0 + 4 * index;
    uint64_t size = spec.size;
    switch (spec.kind) {
    case BarKind::None:
        return;
    case BarKind::Memory32:
        if (!power_of_two(size) || size < 16 || size > (1ull << 31))
            fail(name + ": a 32-bit memory BAR is a power of two from 16 bytes to 2 GiB, not " +
                 hex(size));
        declare(off, 4,
                {.reset = spec.prefetchable ? cfg::bar::kPrefetchable : 0u,
                 .rw = static_cast<uint32_t>(~(size - 1)) & ~0xfu});
        break;
    case BarKind::Memory64:
        if (index + 1 >= bar_count()) fail(name + ": a 64-bit BAR needs the next slot too");
        if (bars_[index + 1].kind != BarKind::None) fail(name + ": the next slot is taken");
        if (!power_of_two(size) || size < 16 || size > (1ull << 63))
            fail(name + ": a 64-bit memory BAR is a power of two of at least 16 bytes, not " +
                 hex(size));
        declare(off, 4,
                {.reset = cfg::bar::kMemory64 | (spec.prefetchable ? cfg::bar::kPrefetchable : 0u),
                 .rw = static_cast<uint32_t>(~(size - 1)) & ~0xfu});
        declare(off + 4, 4, {.rw = static_cast<uint32_t>(~(size - 1) >> 32)});
        bar_upper_[index + 1] = true;
        break;
    case BarKind::Io:
        if (spec.prefetchable) fail(name + ": an I/O BAR cannot be prefetchable");
        if (!power_of_two(size) || size < 4 || size > 256)
            fail(name + ": an I/O BAR is a power of two from 4 to 256 bytes, not " + hex(size));
        declare(off, 4, {.reset = cfg::bar::kIo, .rw = static_cast<uint32_t>(~(size - 1)) & ~0x3u});
        break;
    }
    bars_[index] = spec;
}

void ConfigSpace::set_expansion_rom(uint32_t size) {
    if (!power_of_two(size) || size < 2048 || size > (16u << 20))
        fail("the expansion ROM is a power of two from 2 KiB to 16 MiB, not " + hex(size));
    unsigned off = type_ == HeaderType::Type0 ? cfg::kRomAddress : cfg::kBridgeRomAddress;
    declare(off, 4, {.rw = (~(size - 1) & ~0x7ffu) | cfg::bar::kRomEnable});
    rom_size_ = size;
}

uint64_t ConfigSpace::bar_address(unsigned index) const {
    if (index == kRomBar) {
        if (!rom_size_) return 0;
        unsigned off = type_ == HeaderType::Type0 ? cfg::kRomAddress : cfg::kBridgeRomAddress;
        return u32(off) & ~0x7ffu;
    }
    if (index >= bar_count() || bar_upper_[index]) return 0;
    unsigned off = cfg::kBar0 + 4 * index;
    switch (bars_[index].kind) {
    case BarKind::Memory32:
        return u32(off) & ~0xfu;
    case BarKind::Memory64:
        return (u32(off) & ~0xfu) | (uint64_t{u32(off + 4)} << 32);
    case BarKind::Io:
        return u32(off) & ~0x3u;
    case BarKind::None:
        break;
    }
    return 0;
}

bool ConfigSpace::bar_enabled(unsigned index) const {
    if (index == kRomBar) {
        unsigned off = type_ == HeaderType::Type0 ? cfg::kRomAddress : cfg::kBridgeRomAddress;
        return rom_size_ && memory_enabled() && (u32(off) & cfg::bar::kRomEnable);
    }
    if (index >= bar_count() || bar_upper_[index]) return false;
    switch (bars_[index].kind) {
    case BarKind::Memory32:
    case BarKind::Memory64:
        return memory_enabled();
    case BarKind::Io:
        return io_enabled();
    case BarKind::None:
        break;
    }
    return false;
}

std::optional<BarHit> ConfigSpace::decode(Space space, uint64_t address) const {
    auto hit = [&](unsigned index, uint64_t size) -> std::optional<BarHit> {
        uint64_t base = bar_address(index);
        if (address >= base && address - base < size) return BarHit{index, address - base};
        return std::nullopt;
    };
    for (unsigned i = 0; i < bar_count(); ++i) {
        const BarSpec& b = bars_[i];
        if (b.kind == BarKind::None || bar_upper_[i]) continue;
        if ((b.kind == BarKind::Io) != (space == Space::Io)) continue;
        if (!bar_enabled(i)) continue;
        if (auto h = hit(i, b.size)) return h;
    }
    if (space == Space::Memory && bar_enabled(kRomBar)) return hit(kRomBar, rom_size_);
    return std::nullopt;
}

// ---------------------------------------------------------------------------
// Type 1 windows (PCI-to-PCI Bridge Architecture, 3.2.5).

bool ConfigSpace::secondary_bus_reset() const {
    return type_ == HeaderType::Type1 &&
           (u16(cfg::kBridgeControl) & cfg::bridge_control::kSecondaryBusReset);
}

std::optional<Window> ConfigSpace::io_window() const {
    if (type_ != HeaderType::Type1 || !bridge_.io_window) return std::nullopt;
    uint64_t base = uint64_t{u8(cfg::kIoBase) & 0xf0u} << 8;
    uint64_t limit = (uint64_t{u8(cfg::kIoLimit) & 0xf0u} << 8) | 0xfff;
    if (bridge_.io_32bit) {
        base |= uint64_t{u16(cfg::kIoBaseUpper)} << 16;
        limit |= uint64_t{u16(cfg::kIoLimitUpper)} << 16;
    }
    if (base > limit) return std::nullopt;
    return Window{base, limit};
}

std::optional<Window> ConfigSpace::memory_window() const {
    if (type_ != HeaderType::Type1) return std::nullopt;
    uint64_t base = uint64_t{u16(cfg::kMemoryBase) & 0xfff0u} << 16;
    uint64_t limit = (uint64_t{u16(cfg::kMemoryLimit) & 0xfff0u} << 16) | 0xfffff;
    if (base > limit) return std::nullopt;
    return Window{base, limit};
}

std::optional<Window> ConfigSpace::prefetchable_window() const {
    if (type_ != HeaderType::Type1 || !bridge_.prefetchable_window) return std::nullopt;
    uint64_t base = uint64_t{u16(cfg::kPrefetchableBase) & 0xfff0u} << 16;
    uint64_t limit = (uint64_t{u16(cfg::kPrefetchableLimit) & 0xfff0u} << 16) | 0xfffff;
    if (bridge_.prefetchable_64bit) {
        base |= uint64_t{u32(cfg::kPrefetchableBaseUpper)} << 32;
        limit |= uint64_t{u32(cfg::kPrefetchableLimitUpper)} << 32;
    }
    if (base > limit) return std::nullopt;
    return Window{base, limit};
}

bool ConfigSpace::forwards(Space space, uint64_t address) const {
    if (type_ != HeaderType::Type1) return false;
    if (space == Space::Io) {
        auto w = io_window();
        return io_enabled() && w && w->contains(address);
    }
    if (!memory_enabled()) return false;
    auto m = memory_window();
    auto p = prefetchable_window();
    return (m && m->contains(address)) || (p && p->contains(address));
}

// ---------------------------------------------------------------------------
// Capability lists (PCIe Base Spec 7.5.1.1.11 / 7.6.3).

unsigned ConfigSpace::add_capability(uint8_t id, unsigned size) {
    if (size < 2) fail("a capability has at least its 2-byte header");
    unsigned off = cap_end_;
    if (off + size > cfg::kLegacySize)
        fail("capability " + hex(id) + " of " + std::to_string(size) +
             " bytes does not fit below 0x100");
    declare(off, 1, {.reset = id});
    declare(off + 1, 1, {});
    unsigned link = last_cap_ ? last_cap_ + 1 : cfg::kCapabilitiesPointer;
    declare(link, 1, {.reset = off});
    // Capabilities List: read-only 1 from now on, also after a reset.
    reset_[cfg::kStatus] |= cfg::status::kCapabilitiesList;
    data_[cfg::kStatus] |= cfg::status::kCapabilitiesList;
    last_cap_ = off;
    cap_end_ = align4(off + size);
    return off;
}

unsigned ConfigSpace::add_extended_capability(uint16_t id, uint8_t version, unsigned size) {
    if (size < 4) fail("an extended capability has at least its 4-byte header");
    if (version > 0xf) fail("an extended capability's version has 4 bits");
    unsigned off = ext_cap_end_;
    if (off + size > cfg::kSize)
        fail("extended capability " + hex(id) + " of " + std::to_string(size) +
             " bytes does not fit below 0x1000");
    declare(off, 4, {.reset = id | (uint32_t{version} << 16)});
    if (last_ext_cap_) {
        uint32_t header = mask_of(reset_, last_ext_cap_);
        declare(last_ext_cap_, 4, {.reset = (header & 0xfffff) | (off << 20)});
    }
    last_ext_cap_ = off;
    ext_cap_end_ = align4(off + size);
    return off;
}

std::optional<unsigned> ConfigSpace::find_capability(uint8_t id) const {
    if (!(status() & cfg::status::kCapabilitiesList)) return std::nullopt;
    unsigned off = u8(cfg::kCapabilitiesPointer) & ~3u;
    for (int guard = 0; off >= 0x40 && guard < 48; ++guard) {
        if (u8(off) == id) return off;
        off = u8(off + 1) & ~3u;
    }
    return std::nullopt;
}

std::optional<unsigned> ConfigSpace::find_extended_capability(uint16_t id) const {
    unsigned off = cfg::kExtendedStart;
    for (int guard = 0; off >= cfg::kExtendedStart && guard < 960; ++guard) {
        uint32_t header = u32(off);
        if (header == 0) break;
        if ((header & 0xffff) == id) return off;
        off = (header >> 20) & ~3u;
    }
    return std::nullopt;
}

// ---------------------------------------------------------------------------
// Power Management (PCI Bus Power Management Interface 1.2, version 3).

unsigned ConfigSpace::add_pm_capability(const PmOptions& o) {
    if (pm_) fail("the Power Management capability is already present");
    unsigned off = add_capability(cfg::kCapPowerManagement, pm::kSize);
    // Version 3; no D1, D2, PME or auxiliary power.
    declare(off + pm::kCapabilities, 2, {.reset = 3});
    declare(off + pm::kControlStatus, 2,
            {.reset = o.no_soft_reset ? pm::kNoSoftReset : 0u, .rw = pm::kPowerStateMask});
    // Only D0 and D3hot exist: a write asking for D1 or D2 completes but
    // leaves PowerState as it was.
    add_write_filter(off + pm::kControlStatus, [](uint32_t old_value, uint32_t v) {
        uint32_t state = v & pm::kPowerStateMask;
        if (state == 1 || state == 2) v = (v & ~uint32_t{pm::kPowerStateMask}) | (old_value & 3);
        return v;
    });
    pm_ = off;
    return off;
}

void ConfigSpace::set_interrupt_message_number(unsigned vector) {
    if (vector > 31) fail("an Interrupt Message Number has 5 bits");
    require_pcie("the Interrupt Message Number");
    hw_set(pcie_ + pcie_cap::kCapabilities, pcie_cap::kInterruptMessageMask,
           vector << pcie_cap::kInterruptMessageShift);
    if (aer_ && port_type_ == PortType::RootPort)
        hw_set(aer_ + aer::kRootErrorStatus, aer::kInterruptMessageMask, vector << 27);
}

unsigned ConfigSpace::power_state() const {
    return pm_ ? u16(pm_ + pm::kControlStatus) & pm::kPowerStateMask : pm::kD0;
}

// ---------------------------------------------------------------------------
// MSI (PCIe Base Spec 7.7.1).

unsigned ConfigSpace::add_msi_capability(const MsiOptions& o) {
    if (msi_) fail("the MSI capability is already present");
    if (o.multiple_message_capable > 5)
        fail("MSI Multiple Message Capable is log2 of 1..32 vectors (0..5)");
    unsigned size = (o.address64 ? 14 : 10) + (o.per_vector_masking ? 10 : 0);
    unsigned off = add_capability(cfg::kCapMsi, size);
    uint32_t control = o.multiple_message_capable << msi::kMultipleMessageCapableShift;
    if (o.address64) control |= msi::kAddress64;
    if (o.per_vector_masking) control |= msi::kPerVectorMasking;
    declare(off + msi::kControl, 2,
            {.reset = control, .rw = msi::kEnable | msi::kMultipleMessageEnableMask});
    declare(off + msi::kAddressLow, 4, {.rw = ~0x3u});
    if (o.address64) declare(off + msi::kAddressHigh, 4, {.rw = ~0u});
    msi_ = off;
    MsiLayout l = msi_layout();
    declare(l.data, 2, {.rw = 0xffff});
    if (o.per_vector_masking) {
        unsigned vectors = 1u << o.multiple_message_capable;
        declare(l.mask, 4, {.rw = vectors == 32 ? ~0u : (1u << vectors) - 1});
        declare(l.pending, 4, {}); // set by the function
    }
    return off;
}

ConfigSpace::MsiLayout ConfigSpace::msi_layout() const {
    if (!msi_) return {};
    uint16_t control = u16(msi_ + msi::kControl);
    bool a64 = control & msi::kAddress64;
    MsiLayout l;
    l.data = msi_ + (a64 ? 0x0c : 0x08);
    if (control & msi::kPerVectorMasking) {
        l.mask = msi_ + (a64 ? 0x10 : 0x0c);
        l.pending = l.mask + 4;
    }
    return l;
}

std::optional<ConfigSpace::MsiState> ConfigSpace::msi() const {
    if (!msi_) return std::nullopt;
    uint16_t control = u16(msi_ + msi::kControl);
    MsiLayout l = msi_layout();
    MsiState s;
    s.enabled = control & msi::kEnable;
    s.vectors =
        1u << ((control & msi::kMultipleMessageEnableMask) >> msi::kMultipleMessageEnableShift);
    s.address = u32(msi_ + msi::kAddressLow) & ~0x3u;
    if (control & msi::kAddress64) s.address |= uint64_t{u32(msi_ + msi::kAddressHigh)} << 32;
    s.data = u16(l.data);
    if (l.mask) s.mask = u32(l.mask);
    return s;
}

// ---------------------------------------------------------------------------
// MSI-X (PCIe Base Spec 7.7.2).

unsigned ConfigSpace::add_msix_capability(const MsixOptions& o) {
    if (msix_) fail("the MSI-X capability is already present");
    if (o.table_size < 1 || o.table_size > 2048) fail("an MSI-X table has 1 to 2048 entries");
    auto check = [&](const char* what, unsigned bar, uint32_t offset, uint64_t bytes) {
        std::string w = std::string("MSI-X ") + what;
        if (bar >= bar_count() || bar_upper_[bar] ||
            (bars_[bar].kind != BarKind::Memory32 && bars_[bar].kind != BarKind::Memory64))
            fail(w + ": BAR" + std::to_string(bar) + " is not a declared memory BAR");
        if (offset % 8) fail(w + ": the offset must be 8-byte aligned");
        if (uint64_t{offset} + bytes > bars_[bar].size)
            fail(w + " (" + std::to_string(bytes) + " bytes at " + hex(offset) +
                 ") does not fit in BAR" + std::to_string(bar));
    };
    uint64_t table_bytes = uint64_t{o.table_size} * msix::kEntryBytes;
    uint64_t pba_bytes = (o.table_size + 63) / 64 * 8;
    check("table", o.table_bar, o.table_offset, table_bytes);
    check("PBA", o.pba_bar, o.pba_offset, pba_bytes);
    if (o.table_bar == o.pba_bar && o.table_offset < o.pba_offset + pba_bytes &&
        o.pba_offset < o.table_offset + table_bytes)
        fail("the MSI-X table and PBA overlap");
    unsigned off = add_capability(cfg::kCapMsix, msix::kSize);
    declare(off + msix::kControl, 2,
            {.reset = o.table_size - 1, .rw = msix::kFunctionMask | msix::kEnable});
    declare(off + msix::kTable, 4, {.reset = o.table_offset | o.table_bar});
    declare(off + msix::kPba, 4, {.reset = o.pba_offset | o.pba_bar});
    msix_ = off;
    return off;
}

std::optional<ConfigSpace::MsixState> ConfigSpace::msix() const {
    if (!msix_) return std::nullopt;
    uint16_t control = u16(msix_ + msix::kControl);
    uint32_t table = u32(msix_ + msix::kTable), pba = u32(msix_ + msix::kPba);
    MsixState s;
    s.enabled = control & msix::kEnable;
    s.function_mask = control & msix::kFunctionMask;
    s.table_size = (control & msix::kTableSizeMask) + 1u;
    s.table_bar = table & msix::kBirMask;
    s.table_offset = table & ~msix::kBirMask;
    s.pba_bar = pba & msix::kBirMask;
    s.pba_offset = pba & ~msix::kBirMask;
    return s;
}

// ---------------------------------------------------------------------------
// PCI Express capability, version 2 (PCIe Base Spec 7.5.3).

unsigned ConfigSpace::add_pcie_capability(const PcieOptions& o) {
    using namespace pcie_cap;
    if (pcie_) fail("the PCI Express capability is already present");
    bool port = o.type != PortType::Endpoint;
    if (port != (type_ == HeaderType::Type1))
        fail(port ? "root and switch ports have a type 1 header"
                  : "an endpoint has a type 0 header");
    bool dsf = o.type == PortType::RootPort || o.type == PortType::DownstreamPort;
    bool root = o.type == PortType::RootPort;
    if (o.slot && !dsf) fail("only root ports and switch downstream ports have slots");
    if (o.max_link_speed < 1 || o.max_link_speed > 6)
        fail("the maximum link speed is a generation from 1 (2.5 GT/s) to 6 (64 GT/s)");
    unsigned w = o.max_link_width;
    if (w != 1 && w != 2 && w != 4 && w != 8 && w != 12 && w != 16 && w != 32)
        fail("a link is x1, x2, x4, x8, x12, x16 or x32, not x" + std::to_string(w));
    if (o.aspm_support > 3) fail("ASPM Support has two bits (L0s, L1)");
    if (o.slot && o.slot->physical_slot_number > 0x1fff)
        fail("the physical slot number has 13 bits");
    unsigned mps = payload_encoding(o.max_payload_supported);

    unsigned off = add_capability(cfg::kCapPciExpress, kSize);
    port_type_ = o.type;
    pcie_ = off;

    declare(off + kCapabilities, 2,
            {.reset = kVersion | (uint32_t{static_cast<uint8_t>(o.type)} << 4) |
                      (o.slot ? kSlotImplemented : 0u)});

    // Device Capabilities / Control / Status.
    uint32_t devcap = mps | devcap::kExtendedTag | devcap::kRoleBasedErrorReporting;
    if (o.type == PortType::Endpoint) {
        devcap |= (7u << 6) | (7u << 9); // L0s / L1 acceptable latency: no limit
        if (o.flr) devcap |= devcap::kFlr;
    }
    declare(off + kDeviceCapabilities, 4, {.reset = devcap});
    // Initiate FLR reads 0: it is not stored, a write hook sees it.
    declare(off + kDeviceControl, 2,
            {.reset =
                 devctl::kRelaxedOrdering | devctl::kNoSnoop | (2u << devctl::kMaxReadRequestShift),
             .rw = devctl::kCorrectableReporting | devctl::kNonFatalReporting |
                   devctl::kFatalReporting | devctl::kUnsupportedRequestReporting |
                   devctl::kRelaxedOrdering | devctl::kMaxPayloadMask | devctl::kExtendedTagEnable |
                   devctl::kNoSnoop | devctl::kMaxReadRequestMask});
    declare(off + kDeviceStatus, 2,
            {.rw1c = devsta::kCorrectableDetected | devsta::kNonFatalDetected |
                     devsta::kFatalDetected | devsta::kUnsupportedRequestDetected});

    // Link Capabilities / Control / Status.
    bool dll = dsf && o.dll_link_active_reporting;
    bool lbn = dsf && o.bandwidth_notification;
    uint32_t lnkcap = o.max_link_speed | (w << lnkcap::kMaxWidthShift) |
                      (o.aspm_support << lnkcap::kAspmSupportShift) |
                      lnkcap::kAspmOptionalityCompliance |
                      (uint32_t{o.port_number} << lnkcap::kPortNumberShift);
    if (dsf && o.surprise_down_reporting) lnkcap |= lnkcap::kSurpriseDownReporting;
    if (dll) lnkcap |= lnkcap::kDllActiveReporting;
    if (lbn) lnkcap |= lnkcap::kBandwidthNotification;
    declare(off + kLinkCapabilities, 4, {.reset = lnkcap});
    // Retrain Link is not stored (reads 0); Enable Clock PM and Hardware
    // Autonomous Width Disable are hardwired to 0 (neither is supported).
    uint32_t lnkctl = lnkctl::kAspmMask | lnkctl::kCommonClock | lnkctl::kExtendedSynch;
    if (o.type == PortType::Endpoint) lnkctl |= lnkctl::kReadCompletionBoundary;
    if (dsf) lnkctl |= lnkctl::kLinkDisable;
    if (lbn) lnkctl |= lnkctl::kBandwidthManagementIrq | lnkctl::kAutonomousBandwidthIrq;
    declare(off + kLinkControl, 2, {.rw = lnkctl});
    // The link is down until the link model says otherwise (speed reads as
    // 2.5 GT/s, width 0).
    declare(
        off + kLinkStatus, 2,
        {.reset = 1u | lnksta::kSlotClock,
         .rw1c = lbn ? uint32_t{lnksta::kBandwidthManagement | lnksta::kAutonomousBandwidth} : 0u});
    link_status_hw_mask_ = lnksta::kSpeedMask | lnksta::kWidthMask;
    if (dsf) link_status_hw_mask_ |= lnksta::kLinkTraining;
    if (dll) link_status_hw_mask_ |= lnksta::kDllLinkActive;

    // Slot Capabilities / Control / Status.
    if (o.slot) {
        const SlotOptions& s = *o.slot;
        bool hp = s.hot_plug_capable;
        uint32_t cap = uint32_t{s.physical_slot_number} << sltcap::kPhysicalSlotShift;
        uint32_t ctl = 0, ctl_reset = 0, sta = sltsta::kPresenceChanged;
        if (s.attention_button) {
            cap |= sltcap::kAttentionButton;
            ctl |= sltctl::kAttentionButtonEnable;
            sta |= sltsta::kAttentionButtonPressed;
        }
        if (s.power_controller) {
            cap |= sltcap::kPowerController;
            ctl |= sltctl::kPowerFaultEnable | sltctl::kPowerControllerOff;
            sta |= sltsta::kPowerFault;
        }
        if (s.mrl_sensor) {
            cap |= sltcap::kMrlSensor;
            ctl |= sltctl::kMrlChangedEnable;
            sta |= sltsta::kMrlChanged;
        }
        if (s.attention_indicator) {
            cap |= sltcap::kAttentionIndicator;
            ctl |= sltctl::kAttentionIndicatorMask;
            ctl_reset |= 3u << 6; // off
        }
        if (s.power_indicator) {
            cap |= sltcap::kPowerIndicator;
            ctl |= sltctl::kPowerIndicatorMask;
            ctl_reset |= 1u << 8; // on
        }
        if (s.hot_plug_surprise) cap |= sltcap::kHotPlugSurprise;
        if (hp) {
            cap |= sltcap::kHotPlugCapable;
            ctl |= sltctl::kPresenceChangedEnable | sltctl::kHotPlugInterruptEnable;
        }
        if (s.no_command_completed) {
            cap |= sltcap::kNoCommandCompleted;
        } else if (hp) {
            ctl |= sltctl::kCommandCompletedEnable;
            sta |= sltsta::kCommandCompleted;
        }
        if (dll) {
            ctl |= sltctl::kDllStateChangedEnable;
            sta |= sltsta::kDllStateChanged;
        }
        declare(off + kSlotCapabilities, 4, {.reset = cap});
        declare(off + kSlotControl, 2, {.reset = ctl_reset, .rw = ctl});
        // A card is present until the model says otherwise.
        declare(off + kSlotStatus, 2, {.reset = sltsta::kPresenceDetect, .rw1c = sta});
    } else if (dsf) {
        // Ports without a slot report a card present.
        declare(off + kSlotStatus, 2, {.reset = sltsta::kPresenceDetect});
    }

    // Root Control / Capabilities / Status.
    if (root) {
        uint32_t rw = rtctl::kSeOnCorrectable | rtctl::kSeOnNonFatal | rtctl::kSeOnFatal |
                      rtctl::kPmeInterruptEnable;
        if (o.crs_software_visibility) rw |= rtctl::kCrsVisibilityEnable;
        declare(off + kRootControl, 2, {.rw = rw});
        declare(off + kRootCapabilities, 2, {.reset = o.crs_software_visibility ? 1u : 0u});
        declare(off + kRootStatus, 4, {.rw1c = rtsta::kPmeStatus});
    }

    // Version 2 registers.
    uint32_t devcap2 = 0, devctl2 = 0;
    if (o.type == PortType::Endpoint || root) {
        devcap2 |= devcap2::kCompletionTimeoutDisable;
        devctl2 |= devctl2::kCompletionTimeoutDisable;
    }
    if (dsf && o.ari_forwarding) {
        devcap2 |= devcap2::kAriForwarding;
        devctl2 |= devctl2::kAriForwarding;
    }
    declare(off + kDeviceCapabilities2, 4, {.reset = devcap2});
    declare(off + kDeviceControl2, 2, {.rw = devctl2});
    uint32_t speeds = ((1u << o.max_link_speed) - 1) << 1; // bit 1 = 2.5 GT/s
    declare(off + kLinkCapabilities2, 4, {.reset = speeds});
    uint32_t tls = lnkctl2::kTargetSpeedMask | lnkctl2::kEnterCompliance;
    declare(
        off + kLinkControl2, 2,
        {.reset = o.max_link_speed, .rw = tls | lnkctl2::kHwAutonomousSpeedDisable, .sticky = tls});
    return off;
}

void ConfigSpace::require_pcie(const char* what) const {
    if (!pcie_) fail(std::string(what) + " needs the PCI Express capability");
}

void ConfigSpace::set_link_status(unsigned speed, unsigned width, bool dll_link_active,
                                  bool training) {
    using namespace pcie_cap;
    require_pcie("set_link_status");
    if (speed > 0xf || width > 0x3f) fail("link speed has 4 bits and width 6");
    uint32_t v = speed | (width << lnksta::kWidthShift);
    if (dll_link_active) v |= lnksta::kDllLinkActive;
    if (training) v |= lnksta::kLinkTraining;
    hw_set(pcie_ + kLinkStatus, link_status_hw_mask_, v);
}

void ConfigSpace::signal_bandwidth_change(bool autonomous) {
    using namespace pcie_cap;
    require_pcie("signal_bandwidth_change");
    if (!(u32(pcie_ + kLinkCapabilities) & lnkcap::kBandwidthNotification)) return;
    hw_set_bits(pcie_ + kLinkStatus,
                autonomous ? lnksta::kAutonomousBandwidth : lnksta::kBandwidthManagement);
}

unsigned ConfigSpace::link_speed() const {
    require_pcie("link_speed");
    return u16(pcie_ + pcie_cap::kLinkStatus) & pcie_cap::lnksta::kSpeedMask;
}

unsigned ConfigSpace::link_width() const {
    require_pcie("link_width");
    return (u16(pcie_ + pcie_cap::kLinkStatus) & pcie_cap::lnksta::kWidthMask) >>
           pcie_cap::lnksta::kWidthShift;
}

bool ConfigSpace::link_disabled() const {
    require_pcie("link_disabled");
    return u16(pcie_ + pcie_cap::kLinkControl) & pcie_cap::lnkctl::kLinkDisable;
}

unsigned ConfigSpace::target_link_speed() const {
    require_pcie("target_link_speed");
    return u16(pcie_ + pcie_cap::kLinkControl2) & pcie_cap::lnkctl2::kTargetSpeedMask;
}

// ---------------------------------------------------------------------------
// Advanced Error Reporting, version 2 (PCIe Base Spec 7.8.4). Every error
// register is sticky.

unsigned ConfigSpace::add_aer_capability(const AerOptions& o) {
    require_pcie("AER");
    if (aer_) fail("the AER capability is already present");
    bool root = port_type_ == PortType::RootPort;
    unsigned off = add_extended_capability(cfg::kExtCapAer, aer::kVersion,
                                           root ? aer::kRootPortSize : aer::kSize);
    uint32_t unc = aer::kUncorrectableImplemented, cor = aer::kCorrectableImplemented;
    declare(off + aer::kUncorrectableStatus, 4, {.rw1c = unc, .sticky = unc});
    declare(off + aer::kUncorrectableMask, 4,
            {.reset = aer::kDefaultUncorrectableMask, .rw = unc, .sticky = unc});
    declare(off + aer::kUncorrectableSeverity, 4,
            {.reset = aer::kDefaultSeverity, .rw = unc, .sticky = unc});
    declare(off + aer::kCorrectableStatus, 4, {.rw1c = cor, .sticky = cor});
    declare(off + aer::kCorrectableMask, 4,
            {.reset = aer::kDefaultCorrectableMask, .rw = cor, .sticky = cor});
    uint32_t caps = 0, ctl = 0;
    if (o.ecrc_generation) {
        caps |= aer::kEcrcGenerationCapable;
        ctl |= aer::kEcrcGenerationEnable;
    }
    if (o.ecrc_check) {
        caps |= aer::kEcrcCheckCapable;
        ctl |= aer::kEcrcCheckEnable;
    }
    // First Error Pointer is set by the function.
    declare(off + aer::kCapabilitiesControl, 4,
            {.reset = caps, .rw = ctl, .sticky = aer::kFirstErrorPointerMask | ctl});
    for (unsigned i = 0; i < 4; ++i)
        declare(off + aer::kHeaderLog + 4 * i, 4, {.sticky = ~0u});
    if (root) {
        declare(off + aer::kRootErrorCommand, 4,
                {.rw = aer::kCorrectableReportingEnable | aer::kNonFatalReportingEnable |
                       aer::kFatalReportingEnable});
        uint32_t sta = 0x7f; // bits 0..6
        declare(off + aer::kRootErrorStatus, 4, {.rw1c = sta, .sticky = sta});
        declare(off + aer::kErrorSourceId, 4, {.sticky = ~0u});
    }
    aer_ = off;
    return off;
}

// ---------------------------------------------------------------------------
// Resizable BAR (PCIe Base Spec 7.8.6).

uint64_t rebar::size_mask(uint64_t min_bytes, uint64_t max_bytes) {
    if (!power_of_two(min_bytes) || !power_of_two(max_bytes) || min_bytes < size_bytes(0) ||
        max_bytes < min_bytes || max_bytes > size_bytes(kMaxSizeCode))
        fail("resizable BAR sizes run between powers of two from 1 MB to 8 EB, not " +
             hex(min_bytes) + " .. " + hex(max_bytes));
    uint64_t mask = 0;
    for (unsigned n = 0; n <= kMaxSizeCode; ++n)
        if (size_bytes(n) >= min_bytes && size_bytes(n) <= max_bytes) mask |= 1ull << n;
    return mask;
}

unsigned ConfigSpace::add_resizable_bar_capability(const std::vector<ResizableBarOptions>& bars) {
    using namespace rebar;
    if (rebar_) fail("the Resizable BAR capability is already present");
    if (bars.empty() || bars.size() > kMaxBars)
        fail("the Resizable BAR capability covers 1 to 6 BARs");
    for (size_t i = 0; i < bars.size(); ++i) {
        const ResizableBarOptions& b = bars[i];
        std::string name = "resizable BAR" + std::to_string(b.bar);
        if (b.bar >= bar_count() || bar_upper_[b.bar] ||
            (bars_[b.bar].kind != BarKind::Memory32 && bars_[b.bar].kind != BarKind::Memory64))
            fail(name + ": not a declared memory BAR");
        for (size_t j = 0; j < i; ++j)
            if (bars[j].bar == b.bar) fail(name + " is listed twice");
        if (b.sizes == 0 || b.sizes >> (kMaxSizeCode + 1))
            fail(name + ": the supported sizes are bits 0 (1 MB) to 43 (8 EB), not " +
                 hex(b.sizes));
        if (bars_[b.bar].kind == BarKind::Memory32 && b.sizes >> 12)
            fail(name + ": a 32-bit BAR is at most 2 GiB");
        if (!power_of_two(b.initial) || b.initial < size_bytes(0) ||
            !((b.sizes >> (__builtin_ctzll(b.initial) - 20)) & 1))
            fail(name + ": the initial size " + hex(b.initial) + " is not a supported size");
        if (b.initial != bars_[b.bar].size)
            fail(name + " is declared with " + hex(bars_[b.bar].size) +
                 " bytes, not its initial size " + hex(b.initial));
    }
    auto n = static_cast<unsigned>(bars.size());
    unsigned off = add_extended_capability(cfg::kExtCapResizableBar, kVersion, 4 + n * kEntryBytes);
    for (unsigned i = 0; i < n; ++i) {
        const ResizableBarOptions& b = bars[i];
        unsigned entry = off + i * kEntryBytes;
        uint32_t low_sizes = static_cast<uint32_t>(b.sizes & ((1ull << kCapSizeCodes) - 1));
        uint32_t high_sizes = static_cast<uint32_t>(b.sizes >> kCapSizeCodes);
        declare(entry + kCapability, 4, {.reset = low_sizes << kCapSizesShift});
        auto code = static_cast<uint32_t>(__builtin_ctzll(b.initial) - 20);
        uint32_t control = b.bar | (code << kCtrlBarSizeShift) | (high_sizes << kCtrlSizesShift);
        // Number of Resizable BARs is in the first Control register only.
        if (i == 0) control |= n << kCtrlNumBarsShift;
        declare(entry + kControl, 4, {.reset = control, .rw = kCtrlBarSizeMask});
        // Only supported sizes are taken; another value leaves the field
        // (the specification leaves the result undefined).
        uint64_t sizes = b.sizes;
        add_write_filter(entry + kControl, [sizes](uint32_t old_value, uint32_t v) {
            uint32_t code = (v & kCtrlBarSizeMask) >> kCtrlBarSizeShift;
            if (!((sizes >> code) & 1))
                v = (v & ~kCtrlBarSizeMask) | (old_value & kCtrlBarSizeMask);
            return v;
        });
        unsigned bar = b.bar;
        add_write_hook(entry + kControl, 4, [this, bar](const WriteEvent& e) {
            if (!e.changed(kCtrlBarSizeMask)) return;
            resize_bar(bar, size_bytes((e.new_value & kCtrlBarSizeMask) >> kCtrlBarSizeShift));
        });
        resizable_.push_back({b.bar, b.sizes, entry + kControl});
    }
    rebar_ = off;
    return off;
}

uint64_t ConfigSpace::resizable_bar_sizes(unsigned bar) const {
    for (const ResizableBar& r : resizable_)
        if (r.bar == bar) return r.sizes;
    return 0;
}

void ConfigSpace::resize_bar(unsigned index, uint64_t size) {
    BarSpec& b = bars_.at(index);
    unsigned off = cfg::kBar0 + 4 * index;
    uint64_t mask = ~(size - 1);
    uint32_t low_rw = static_cast<uint32_t>(mask) & ~0xfu;
    uint32_t low = (u32(off) & low_rw) | (u32(off) & 0xfu);
    for (unsigned i = 0; i < 4; ++i)
        rw_[off + i] = static_cast<uint8_t>(low_rw >> (8 * i));
    hw_set(off, ~0u, low);
    if (b.kind == BarKind::Memory64) {
        uint32_t high_rw = static_cast<uint32_t>(mask >> 32);
        for (unsigned i = 0; i < 4; ++i)
            rw_[off + 4 + i] = static_cast<uint8_t>(high_rw >> (8 * i));
        hw_set(off + 4, ~0u, u32(off + 4) & high_rw);
    }
    b.size = size;
}

void ConfigSpace::apply_resizable_bar_sizes() {
    for (const ResizableBar& r : resizable_) {
        uint32_t code = (u32(r.control) & rebar::kCtrlBarSizeMask) >> rebar::kCtrlBarSizeShift;
        resize_bar(r.bar, rebar::size_bytes(code));
    }
}

} // namespace nvsoc::pcie
