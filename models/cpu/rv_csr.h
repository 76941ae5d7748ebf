// Control and status registers: their numbers, the fields of mstatus and
// menvcfg, and the table that describes every CSR the hart implements
// (privileged spec 1.12, Zicntr, Zihpm, Sstc, Zicbom/Zicboz, Smaia/Ssaia,
// Sdtrig).
#pragma once

#include "models/cpu/rv_isa.h"

#include <bit>
#include <cstdint>
#include <span>

namespace nvsoc::rv {

enum Priv : unsigned { U = 0, S = 1, M = 3 };

namespace csr {
enum Number : unsigned {
    kFflags = 0x001,
    kFrm = 0x002,
    kFcsr = 0x003,
    kCycle = 0xc00,
    kTime = 0xc01,
    kInstret = 0xc02,
    kHpmcounter3 = 0xc03,
    kSstatus = 0x100,
    kSie = 0x104,
    kStvec = 0x105,
    kScounteren = 0x106,
    kSenvcfg = 0x10a,
    kSscratch = 0x140,
    kSepc = 0x141,
    kScause = 0x142,
    kStval = 0x143,
    kSip = 0x144,
    kStimecmp = 0x14d,
    kSiselect = 0x150,
    kSireg = 0x151,
    kStopei = 0x15c,
    kSatp = 0x180,
    kStopi = 0xdb0,
    kMvendorid = 0xf11,
    kMarchid = 0xf12,
    kMimpid = 0xf13,
    kMhartid = 0xf14,
    kMconfigptr = 0xf15,
    kMstatus = 0x300,
    kMisa = 0x301,
    kMedeleg = 0x302,
    kMideleg = 0x303,
    kMie = 0x304,
    kMtvec = 0x305,
    kMcounteren = 0x306,
    kMvien = 0x308,
    kMvip = 0x309,
    kMenvcfg = 0x30a,
    kMcountinhibit = 0x320,
    kMhpmevent3 = 0x323,
    kMscratch = 0x340,
    kMepc = 0x341,
    kMcause = 0x342,
    kMtval = 0x343,
    kMip = 0x344,
    kMiselect = 0x350,
    kMireg = 0x351,
    kMtopei = 0x35c,
    kPmpcfg0 = 0x3a0,
    kPmpaddr0 = 0x3b0,
    kTselect = 0x7a0,
    kTdata1 = 0x7a1,
    kTdata2 = 0x7a2,
    kTdata3 = 0x7a3,
    kTinfo = 0x7a4,
    kMcycle = 0xb00,
    kMinstret = 0xb02,
    kMhpmcounter3 = 0xb03,
    kMtopi = 0xfb0,
};
} // namespace csr

// A field of a CSR is its mask in place. to_field places a value in it,
// field_get takes it out, field_set replaces it in a register.
constexpr uint64_t to_field(uint64_t field, uint64_t value) {
    return (value << std::countr_zero(field)) & field;
}
constexpr uint64_t field_get(uint64_t reg, uint64_t field) {
    return (reg & field) >> std::countr_zero(field);
}
constexpr uint64_t field_set(uint64_t reg, uint64_t field, uint64_t value) {
    return (reg & ~field) | to_field(field, value);
}

namespace mstatus {
constexpr uint64_t kSie = 1ull << 1;
constexpr uint64_t kMie = 1ull << 3;
constexpr uint64_t kSpie = 1ull << 5;
constexpr uint64_t kMpie = 1ull << 7;
constexpr uint64_t kSpp = 1ull << 8;
constexpr uint64_t kMpp = 3ull << 11;
constexpr uint64_t kFs = 3ull << 13; // 0 off, 1 initial, 2 clean, 3 dirty
constexpr uint64_t kMprv = 1ull << 17;
constexpr uint64_t kSum = 1ull << 18;
constexpr uint64_t kMxr = 1ull << 19;
constexpr uint64_t kTvm = 1ull << 20;
constexpr uint64_t kTw = 1ull << 21;
constexpr uint64_t kTsr = 1ull << 22;
constexpr uint64_t kUxl = 3ull << 32;
constexpr uint64_t kSxl = 3ull << 34;
constexpr uint64_t kSd = 1ull << 63;
constexpr uint64_t kFsDirty = 3;
constexpr uint64_t kXl64 = 2; // UXL/SXL value for 64 bits
} // namespace mstatus

namespace menvcfg { // and senvcfg, which has the low bits
constexpr uint64_t kFiom = 1ull << 0;
constexpr uint64_t kCbie = 3ull << 4;
constexpr uint64_t kCbcfe = 1ull << 6;
constexpr uint64_t kCbze = 1ull << 7;
constexpr uint64_t kStce = 1ull << 63;
} // namespace menvcfg

class RvCore;

// One CSR, or a numbered run of them (hpmcounter3..31, pmpaddr0..63):
// `count` CSRs at number, number + stride, ...; the functions get the
// index in the run. An access traps as an illegal instruction when the
// hart is below `priv`, lacks `ext`, `allowed` says no (counter enables,
// mstatus.TVM/FS, menvcfg.STCE), or it writes a CSR without `write`.
struct CsrSpec {
    const char* name = "";
    uint16_t number = 0;
    uint8_t count = 1;
    uint8_t stride = 1;
    // The lowest privilege that may access it, and the extension that brings
    // it (I: the privileged architecture, which every hart has; the CSR
    // instructions themselves need Zicsr).
    Priv priv = M;
    RvExt ext = RvExt::I;
    // nullptr: no condition beyond priv and ext.
    bool (*allowed)(const RvCore&, unsigned index) = nullptr;
    uint64_t (*read)(const RvCore&, unsigned index) = nullptr;
    // nullptr: read-only.
    void (*write)(RvCore&, unsigned index, uint64_t value) = nullptr;
};

// Every CSR the hart implements.
std::span<const CsrSpec> csr_specs();
// The spec of CSR `number` and its index in the spec's run; nullptr when the
// hart has no such CSR.
const CsrSpec* find_csr(unsigned number, unsigned& index);

} // namespace nvsoc::rv
