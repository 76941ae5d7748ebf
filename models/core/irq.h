// Interrupt wiring. Lines are plain C++ connections, not sc_signals: a level
// change reaches its target at once, in the caller's simulated time, with no
// delta cycle, which keeps loosely-timed models deterministic and cheap.
#pragma once

#include <cstdint>
#include <functional>

namespace nvsoc {

// Anything that receives interrupt lines: an interrupt controller's sources,
// a hart's interrupt pins.
class IrqTarget {
  public:
    virtual ~IrqTarget() = default;
    virtual void set_irq(unsigned line, bool level) = 0;
};

// A device's interrupt output. Unconnected outputs keep their level and go
// nowhere, so a device works the same whether or not it is wired.
class IrqOut {
  public:
    void connect(IrqTarget& target, unsigned line) {
        target_ = &target;
        line_ = line;
        if (level_) target_->set_irq(line_, true);
    }
    void set(bool level) {
        if (level == level_) return;
        level_ = level;
        if (target_) target_->set_irq(line_, level);
    }
    bool level() const { return level_; }
    bool connected() const { return target_ != nullptr; }

  private:
    IrqTarget* target_ = nullptr;
    unsigned line_ = 0;
    bool level_ = false;
};

// An IMSIC interrupt file as its hart reaches it through the AIA CSRs
// (Smaia/Ssaia): the registers behind miselect/siselect 0x70-0xff and
// mtopei/stopei. The file itself drives the hart's MEIP or SEIP pin.
class InterruptFile {
  public:
    virtual ~InterruptFile() = default;
    // The indirectly accessed register `select` (0x70 eidelivery, 0x72
    // eithreshold, 0x80-0xbf eip0-63, 0xc0-0xff eie0-63; RV64 has only the
    // even eip/eie). false: no such register, and the access is an illegal
    // instruction.
    virtual bool read_indirect(unsigned select, uint64_t& value) const = 0;
    virtual bool write_indirect(unsigned select, uint64_t value) = 0;
    // *topei: the highest-priority pending and enabled identity above the
    // threshold, in bits 26:16 and again in 10:0; 0 when there is none.
    virtual uint32_t topei() const = 0;
    // A write to *topei: clears the pending bit of the identity topei()
    // shows now (nothing when it shows none).
    virtual void claim_topei() = 0;
};

// The interrupt pins of one hart as the privileged spec numbers them in mip
// (1 SSIP, 3 MSIP, 5 STIP, 7 MTIP, 9 SEIP, 11 MEIP). Controllers drive them;
// the hart reads `pending()` and is told of changes through `on_change`.
class HartIrqPins : public IrqTarget {
  public:
    static constexpr unsigned kMsip = 3, kMtip = 7, kSeip = 9, kMeip = 11;

    void set_irq(unsigned line, bool level) override {
        uint64_t bit = 1ull << line;
        uint64_t next = level ? (pending_ | bit) : (pending_ & ~bit);
        if (next == pending_) return;
        pending_ = next;
        if (on_change) on_change(pending_);
    }
    uint64_t pending() const { return pending_; }

    // The IMSIC interrupt file behind the pin kMeip (machine level) or
    // kSeip (supervisor level), if the platform has one; set before the
    // simulation starts.
    void attach_file(unsigned pin, InterruptFile* file) {
        (pin == kMeip ? m_file_ : s_file_) = file;
    }
    InterruptFile* file(unsigned pin) const { return pin == kMeip ? m_file_ : s_file_; }

    std::function<void(uint64_t)> on_change;

  private:
    uint64_t pending_ = 0;
    InterruptFile* m_file_ = nullptr;
    InterruptFile* s_file_ = nullptr;
};

} // namespace nvsoc
