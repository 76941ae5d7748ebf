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

    std::function<void(uint64_t)> on_change;

  private:
    uint64_t pending_ = 0;
};

} // namespace nvsoc
