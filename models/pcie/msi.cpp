#include "models/pcie/msi.h"

#include <algorithm>
#include <stdexcept>

namespace nvsoc::pcie {

namespace {
// One MSI-X table entry: Message Address [63:0] at +0 (bits 1:0 read 0),
// Message Data at +8, Vector Control at +12 (bit 0: Mask Bit). Declared as
// two 8-byte registers per entry so that DWORD and QWORD accesses both land.
constexpr uint64_t kEntryMaskBit = 1ull << 32; // in the Data / Vector Control QWORD
constexpr uint64_t kControlWritable = 0xffffffffull | kEntryMaskBit;
} // namespace

const char* name(InterruptMode mode) {
    switch (mode) {
    case InterruptMode::Intx:
        return "INTx";
    case InterruptMode::Msi:
        return "MSI";
    case InterruptMode::Msix:
        return "MSI-X";
    }
    return "?";
}

MsiSignaller::MsiSignaller(ConfigSpace& cs, Logger& log, Wiring wiring)
    : cs_(cs), log_(log), wiring_(std::move(wiring)) {
    if (unsigned m = cs_.msi_offset()) {
        // Control: MSI Enable and Multiple Message Enable.
        cs_.add_write_hook(m, 4, [this](const WriteEvent&) { mode_written(); });
        if (unsigned mask = cs_.msi_layout().mask)
            cs_.add_write_hook(mask, 4, [this](const WriteEvent&) { deliver_pending(); });
    }
    if (unsigned x = cs_.msix_offset())
        cs_.add_write_hook(x + msix::kControl, 2, [this](const WriteEvent&) { mode_written(); });
}

void MsiSignaller::declare_msix(RegisterBank& table_bank, RegisterBank& pba_bank) {
    auto x = cs_.msix();
    if (!x) throw std::logic_error("MSI-X table declared without the MSI-X capability");
    if (table_bank_) throw std::logic_error("MSI-X table declared twice");
    table_bank_ = &table_bank;
    pba_bank_ = &pba_bank;
    unsigned n = x->table_size;
    address_id_ = table_bank.add({.name = "MSIX_MSG_ADDR",
                                  .offset = x->table_offset,
                                  .width = 8,
                                  .count = n,
                                  .stride = msix::kEntryBytes,
                                  .write_mask = ~0x3ull});
    control_id_ = table_bank.add({.name = "MSIX_MSG_DATA_VECTOR_CTRL",
                                  .offset = x->table_offset + 8,
                                  .width = 8,
                                  .count = n,
                                  .stride = msix::kEntryBytes,
                                  .reset = kEntryMaskBit,
                                  .write_mask = kControlWritable,
                                  .on_write = [this](unsigned index, uint64_t value, uint64_t old) {
                                      if ((old & kEntryMaskBit) && !(value & kEntryMaskBit) &&
                                          msix_pending(index))
                                          deliver_pending();
                                  }});
    // Read-only: writes complete and change nothing.
    pba_id_ = pba_bank.add({.name = "MSIX_PBA",
                            .offset = x->pba_offset,
                            .width = 8,
                            .count = (n + 63) / 64,
                            .write_mask = 0});
}

// ---------------------------------------------------------------------------
// State.

MsiSignaller::MsiView MsiSignaller::msi_view() const {
    MsiView v;
    auto s = cs_.msi();
    if (!s || !s->enabled) return v;
    unsigned mmc =
        (cs_.u16(cs_.msi_offset() + msi::kControl) >> msi::kMultipleMessageCapableShift) & 0x7;
    v.enabled = true;
    v.vectors = std::min(s->vectors, 1u << std::min(mmc, 5u));
    v.address = s->address;
    v.data = s->data;
    return v;
}

bool MsiSignaller::msix_enabled() const {
    auto x = cs_.msix();
    return x && x->enabled;
}

bool MsiSignaller::msix_function_masked() const {
    auto x = cs_.msix();
    return x && x->function_mask;
}

InterruptMode MsiSignaller::mode() const {
    if (msix_enabled()) return InterruptMode::Msix;
    if (msi_view().enabled) return InterruptMode::Msi;
    return InterruptMode::Intx;
}

unsigned MsiSignaller::msi_vectors() const {
    return msi_view().vectors;
}

unsigned MsiSignaller::msix_vectors() const {
    auto x = cs_.msix();
    return x ? x->table_size : 0;
}

MsiSignaller::MsixEntry MsiSignaller::msix_entry(unsigned vector) const {
    MsixEntry e;
    if (!table_bank_ || vector >= msix_vectors()) return e;
    uint64_t control = table_bank_->value(control_id_, vector);
    e.address = table_bank_->value(address_id_, vector);
    e.data = static_cast<uint32_t>(control);
    e.masked = control & kEntryMaskBit;
    return e;
}

bool MsiSignaller::msix_pending(unsigned vector) const {
    if (!pba_bank_ || vector >= msix_vectors()) return false;
    return (pba_bank_->value(pba_id_, vector / 64) >> (vector % 64)) & 1;
}

void MsiSignaller::set_msix_pending(unsigned vector, bool pending) {
    uint64_t q = pba_bank_->value(pba_id_, vector / 64);
    uint64_t bit = 1ull << (vector % 64);
    pba_bank_->set(pba_id_, pending ? q | bit : q & ~bit, vector / 64);
}

bool MsiSignaller::msi_masked(unsigned vector) const {
    unsigned mask = cs_.msi_layout().mask;
    return mask && vector < 32 && ((cs_.u32(mask) >> vector) & 1);
}

bool MsiSignaller::msi_pending(unsigned vector) const {
    unsigned pending = cs_.msi_layout().pending;
    return pending && vector < 32 && ((cs_.u32(pending) >> vector) & 1);
}

void MsiSignaller::set_msi_pending(unsigned vector, bool pending) {
    cs_.hw_set(cs_.msi_layout().pending, 1u << vector, pending ? 1u << vector : 0u);
}

// ---------------------------------------------------------------------------
// Raising.

InterruptMode MsiSignaller::raise(unsigned vector) {
    InterruptMode m = mode();
    switch (m) {
    case InterruptMode::Msix:
        if (msi_view().enabled)
            once("both", "MSI and MSI-X are both enabled; the function uses MSI-X");
        raise_msix(vector);
        break;
    case InterruptMode::Msi:
        raise_msi(vector);
        break;
    case InterruptMode::Intx:
        ++counters_.intx;
        if (wiring_.intx) wiring_.intx(true);
        break;
    }
    return m;
}

bool MsiSignaller::raise_msi(unsigned vector) {
    MsiView v = msi_view();
    if (!v.enabled) {
        once("msi-off", "an MSI was asked for while MSI is disabled: not sent");
        return false;
    }
    if (vector >= v.vectors) {
        ++counters_.invalid;
        once("msi-vector",
             fmt::format("MSI vector {} asked for with {} enabled: not sent", vector, v.vectors));
        return false;
    }
    if (msi_masked(vector)) {
        ++counters_.pended;
        set_msi_pending(vector, true);
        return true;
    }
    // Multiple Message Enable says how many low bits of the data carry the
    // vector.
    uint32_t data = (v.data & ~(v.vectors - 1)) | vector;
    send(InterruptMode::Msi, vector, v.address, data);
    return true;
}

bool MsiSignaller::raise_msix(unsigned vector) {
    if (!msix_enabled() || !table_bank_) {
        once("msix-off", "an MSI-X message was asked for while MSI-X is disabled: not sent");
        return false;
    }
    if (vector >= msix_vectors()) {
        ++counters_.invalid;
        once("msix-vector", fmt::format("MSI-X vector {} asked for, but the table has {} entries: "
                                        "not sent",
                                        vector, msix_vectors()));
        return false;
    }
    MsixEntry e = msix_entry(vector);
    if (e.masked || msix_function_masked()) {
        ++counters_.pended;
        set_msix_pending(vector, true);
        return true;
    }
    send(InterruptMode::Msix, vector, e.address, e.data);
    return true;
}

void MsiSignaller::send(InterruptMode mode, unsigned vector, uint64_t address, uint32_t data) {
    if (!cs_.bus_master_enabled()) {
        // A function without Bus Master Enable sends no MSI (PCIe Base
        // Specification 7.5.1.1.3).
        ++counters_.blocked;
        once("bme", fmt::format("{} vector {} with Bus Master Enable clear: not sent", name(mode),
                                vector));
        return;
    }
    ++counters_.sent;
    log_.debug("{} vector {}: 0x{:08x} to 0x{:x}", name(mode), vector, data, address);
    if (!wiring_.send || !wiring_.send(address, data)) {
        ++counters_.refused;
        once("refused", fmt::format("{} vector {} (0x{:08x} to 0x{:x}) was refused upstream: is "
                                    "the message address programmed?",
                                    name(mode), vector, data, address));
    }
}

// Sends what unmasking released: MSI pending bits whose mask bit is clear,
// MSI-X pending bits of unmasked entries while the function is not masked.
void MsiSignaller::deliver_pending() {
    if (msix_enabled()) {
        if (!table_bank_ || msix_function_masked()) return;
        unsigned n = msix_vectors();
        for (unsigned q = 0; q < (n + 63) / 64; ++q) {
            uint64_t bits = pba_bank_->value(pba_id_, q);
            while (bits) {
                unsigned vector = q * 64 + static_cast<unsigned>(__builtin_ctzll(bits));
                bits &= bits - 1;
                MsixEntry e = msix_entry(vector);
                if (e.masked) continue;
                set_msix_pending(vector, false);
                send(InterruptMode::Msix, vector, e.address, e.data);
            }
        }
        return;
    }
    MsiView v = msi_view();
    unsigned pending = cs_.msi_layout().pending;
    if (!v.enabled || !pending) return;
    uint32_t bits = cs_.u32(pending);
    for (unsigned vector = 0; vector < v.vectors; ++vector) {
        if (!((bits >> vector) & 1) || msi_masked(vector)) continue;
        set_msi_pending(vector, false);
        send(InterruptMode::Msi, vector, v.address, (v.data & ~(v.vectors - 1)) | vector);
    }
}

// MSI or MSI-X Enable, Function Mask or an MSI register changed.
void MsiSignaller::mode_written() {
    if (auto s = cs_.msi(); s && s->enabled) {
        unsigned mmc =
            (cs_.u16(cs_.msi_offset() + msi::kControl) >> msi::kMultipleMessageCapableShift) & 0x7;
        if (s->vectors > (1u << mmc))
            once("mme", fmt::format("MSI Multiple Message Enable asks for {} vectors, the function "
                                    "is capable of {}: {} used",
                                    s->vectors, 1u << mmc, 1u << mmc));
    }
    deliver_pending();
    if (levels_used_ && wiring_.intx) wiring_.intx(mode() == InterruptMode::Intx && levels_ != 0);
}

void MsiSignaller::set_level(unsigned source, unsigned vector, bool level) {
    if (source >= 32) throw std::logic_error("MSI level condition numbers are 0..31");
    uint32_t bit = 1u << source;
    bool was = levels_ & bit;
    levels_ = level ? levels_ | bit : levels_ & ~bit;
    levels_used_ = true;
    if (mode() == InterruptMode::Intx) {
        if (wiring_.intx) wiring_.intx(levels_ != 0);
        return;
    }
    // A function with MSI or MSI-X enabled does not use INTx.
    if (wiring_.intx) wiring_.intx(false);
    if (level && !was) raise(vector);
}

void MsiSignaller::reset() {
    levels_ = 0;
    if (!table_bank_) return;
    unsigned n = msix_vectors();
    for (unsigned i = 0; i < n; ++i) {
        table_bank_->set(address_id_, 0, i);
        table_bank_->set(control_id_, kEntryMaskBit, i);
    }
    for (unsigned q = 0; q < (n + 63) / 64; ++q)
        pba_bank_->set(pba_id_, 0, q);
}

void MsiSignaller::once(const std::string& key, const std::string& text) {
    if (logged_.insert(key).second) log_.guest_error("{}", text);
}

} // namespace nvsoc::pcie
