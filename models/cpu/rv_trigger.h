// Sdtrig: the hart's trigger module as M-mode software sees it (RISC-V Debug
// Specification 1.0, "Sdtrig"): tselect, tdata1-3 and tinfo over a few
// address-match triggers of type 2 (mcontrol) and 6 (mcontrol6) whose only
// action is a breakpoint exception. Plain C++: the core asks it whether an
// instruction fetch or a data access fires a trigger.
//
// What each trigger implements (everything else is WARL and reads back as
// the value in brackets):
//   type 2, 6 or 15 (disabled); a write of any other type disables [15];
//   execute, store, load; m, s, u; match 0 equal, 1 napot (type 6 only:
//   type 2's maskmax is 0), 2 ge, 3 lt, 8 not equal, 9 not napot (type 6
//   only) [an unsupported match writes 0];
//   hit (type 2) / hit0 (type 6), set when the trigger fires;
//   action 0 only [0]; dmode 0 (there is no Debug Mode); chain [0];
//   select 0, address [0]; timing before (type 2) [0]; size any [0];
//   hit1, vs, vu, uncertain, uncertainen [0]; tdata3 (no textra) [0].
// Compare values: the bytes a load or store touches (a trigger fires when
// any of them matches, and tval is the lowest one that matched; matches 8
// and 9 fire when 0 and 1 would not, with tval the access's address); for
// execute, the instruction's address.
// Not modelled: icount, itrigger, etrigger, tmexttrigger, data-value
// matches (select 1), chains, tcontrol (the hart instead keeps action-0
// triggers from firing in M-mode while mstatus.MIE is clear; see RvCore),
// matches on cache-block operations (cbo.*) and on implicit accesses (page
// table walks).
#pragma once

#include <array>
#include <cstdint>

namespace nvsoc::rv {

class TriggerModule {
  public:
    static constexpr unsigned kCount = 4;
    // Kinds of access, as the execute/store/load bits of tdata1.
    static constexpr unsigned kLoad = 1, kStore = 2, kExecute = 4;

    void reset();

    // The CSRs (M-mode only; the core checks privilege and the extension).
    uint64_t tselect() const { return select_; }
    void write_tselect(uint64_t value); // past the last trigger: unchanged
    uint64_t tdata1() const;
    void write_tdata1(uint64_t value);
    uint64_t tdata2() const { return triggers_[select_].tdata2; }
    void write_tdata2(uint64_t value);
    uint64_t tinfo() const;

    // True when some trigger may fire: the core then checks every
    // instruction (and keeps off its decoded-block fast path).
    bool armed() const { return armed_kinds_ != 0; }
    // Whether an access of `kinds` to the bytes [addr, addr + len) at
    // privilege `priv` (0 U, 1 S, 3 M) fires a trigger; if so, sets the hit
    // bit of each trigger that matched and `tval` to the lowest matched
    // address.
    bool fires(unsigned kinds, uint64_t addr, unsigned len, unsigned priv, uint64_t& tval);

  private:
    struct Trigger {
        uint8_t type = 15;
        uint8_t match = 0;
        uint8_t modes = 0; // bit (1 << priv)
        uint8_t kinds = 0;
        bool hit = false;
        uint64_t tdata2 = 0;
    };
    // Whether `t` matches some byte of [addr, last]; `at` is the lowest.
    static bool matches(const Trigger& t, uint64_t addr, uint64_t last, uint64_t& at);
    void update_armed();

    std::array<Trigger, kCount> triggers_{};
    unsigned select_ = 0;
    unsigned armed_kinds_ = 0;
};

} // namespace nvsoc::rv
