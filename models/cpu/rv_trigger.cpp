// Sdtrig address-match triggers (see rv_trigger.h for what is modelled).
#include "models/cpu/rv_trigger.h"

#include <algorithm>
#include <bit>

namespace nvsoc::rv {

namespace {
// tdata1 fields (Debug spec 1.0, mcontrol and mcontrol6, XLEN 64).
constexpr unsigned kTypeShift = 60;
constexpr unsigned kTypeMcontrol = 2, kTypeMcontrol6 = 6, kTypeDisabled = 15;
constexpr uint64_t kMcontrolHit = 1ull << 20;   // mcontrol
constexpr uint64_t kMcontrol6Hit0 = 1ull << 22; // mcontrol6
constexpr unsigned kMatchShift = 7;             // 10:7, both types
constexpr uint64_t kM = 1u << 6, kS = 1u << 4, kU = 1u << 3;
constexpr unsigned kPrivU = 0, kPrivS = 1, kPrivM = 3;
// tinfo: version 1 (the ratified spec) in 31:24, one bit per type.
constexpr uint64_t kTinfo =
    (1ull << 24) | (1u << kTypeMcontrol) | (1u << kTypeMcontrol6) | (1u << kTypeDisabled);
// mcontrol reports maskmax 0 (no NAPOT matches; mcontrol6, which has no
// maskmax, has them), so that a type-2 configuration without match 1 reads
// back exactly as written, which is how riscv-tests' breakpoint test and
// debuggers check that a trigger took it.
bool supported_match(unsigned type, unsigned m) {
    bool napot = (m & 7) == 1;
    return (m <= 3 || m == 8 || m == 9) && !(napot && type == kTypeMcontrol);
}
} // namespace

void TriggerModule::reset() {
    triggers_.fill(Trigger{});
    select_ = 0;
    armed_kinds_ = 0;
}

void TriggerModule::write_tselect(uint64_t value) {
    // WARL: an index past the last trigger leaves the selection as it was,
    // so tselect always names a trigger that exists.
    if (value < kCount) select_ = static_cast<unsigned>(value);
}

uint64_t TriggerModule::tdata1() const {
    const Trigger& t = triggers_[select_];
    uint64_t v = uint64_t{t.type} << kTypeShift;
    if (t.type == kTypeDisabled) return v;
    v |= (uint64_t{t.match} << kMatchShift) | t.kinds;
    if (t.modes & (1u << kPrivM)) v |= kM;
    if (t.modes & (1u << kPrivS)) v |= kS;
    if (t.modes & (1u << kPrivU)) v |= kU;
    v |= t.hit ? (t.type == kTypeMcontrol ? kMcontrolHit : kMcontrol6Hit0) : 0;
    return v;
}

void TriggerModule::write_tdata1(uint64_t value) {
    Trigger& t = triggers_[select_];
    auto type = static_cast<unsigned>(value >> kTypeShift);
    uint64_t tdata2 = t.tdata2;
    t = Trigger{};
    t.tdata2 = tdata2;
    // Writing 0, or any type but the two implemented, disables the trigger
    // (type 15, as the spec asks of triggers that support several types).
    if (type == kTypeMcontrol || type == kTypeMcontrol6) {
        t.type = static_cast<uint8_t>(type);
        auto match = static_cast<unsigned>((value >> kMatchShift) & 0xf);
        t.match = static_cast<uint8_t>(supported_match(type, match) ? match : 0);
        t.modes = static_cast<uint8_t>(((value & kM) ? 1u << kPrivM : 0) |
                                       ((value & kS) ? 1u << kPrivS : 0) |
                                       ((value & kU) ? 1u << kPrivU : 0));
        t.kinds = static_cast<uint8_t>(value & (kLoad | kStore | kExecute));
        t.hit = (value & (type == kTypeMcontrol ? kMcontrolHit : kMcontrol6Hit0)) != 0;
    }
    update_armed();
}

void TriggerModule::write_tdata2(uint64_t value) {
    triggers_[select_].tdata2 = value;
}

uint64_t TriggerModule::tinfo() const {
    return kTinfo;
}

void TriggerModule::update_armed() {
    armed_kinds_ = 0;
    for (const Trigger& t : triggers_)
        if (t.type != kTypeDisabled && t.modes != 0) armed_kinds_ |= t.kinds;
}

bool TriggerModule::matches(const Trigger& t, uint64_t addr, uint64_t last, uint64_t& at) {
    // The addresses the trigger matches, as one range [lo, hi].
    uint64_t lo = 0, hi = ~uint64_t{0};
    switch (t.match & 7) {
    case 0:
        lo = hi = t.tdata2;
        break;
    case 1: {
        // The top bits above the lowest clear bit of tdata2 are compared.
        auto ones = static_cast<unsigned>(std::countr_one(t.tdata2));
        if (ones < 63) {
            uint64_t mask = (uint64_t{2} << ones) - 1;
            lo = t.tdata2 & ~mask;
            hi = lo | mask;
        }
        break;
    }
    case 2:
        lo = t.tdata2;
        break;
    default: // 3: less than
        if (t.tdata2 == 0) return false;
        hi = t.tdata2 - 1;
        break;
    }
    bool overlap = addr <= hi && last >= lo;
    // Matches 8 and 9 fire exactly when 0 and 1 would not.
    if (t.match & 8) {
        at = addr;
        return !overlap;
    }
    at = std::max(addr, lo);
    return overlap;
}

bool TriggerModule::fires(unsigned kinds, uint64_t addr, unsigned len, unsigned priv,
                          uint64_t& tval) {
    if (!(armed_kinds_ & kinds)) return false;
    bool fired = false;
    uint64_t last = addr + len - 1;
    for (Trigger& t : triggers_) {
        if (t.type == kTypeDisabled || !(t.kinds & kinds) || !((t.modes >> priv) & 1)) continue;
        uint64_t at;
        if (!matches(t, addr, last, at)) continue;
        t.hit = true;
        if (!fired || at < tval) tval = at;
        fired = true;
    }
    return fired;
}

} // namespace nvsoc::rv
