// RISC-V Platform-Level Interrupt Controller (riscv-plic-spec), two contexts
// per hart it drives (its `harts`, all by default): context 2h is the h-th
// such hart's M-mode (MEIP), 2h+1 its S-mode (SEIP).
//   0x000000 + 4*src        priority[src]  (source 0 reserved)
//   0x001000 + 4*word       pending bits   (read-only)
//   0x002000 + 0x80*ctx     enable bits
//   0x200000 + 0x1000*ctx   threshold (+0), claim/complete (+4)
// Every access is 32 bits wide; the rest of the window is reserved: reads
// return 0 and writes are ignored.
#pragma once

#include "models/core/device.h"

#include <cstdint>
#include <vector>

namespace nvsoc {

class Plic : public Device, public InterruptController, public HartInterruptSource {
  public:
    static constexpr uint64_t kPriorityBase = 0x0;
    static constexpr uint64_t kPendingBase = 0x1000;
    static constexpr uint64_t kEnableBase = 0x2000;
    static constexpr uint64_t kEnableStride = 0x80;
    static constexpr uint64_t kContextBase = 0x200000;
    static constexpr uint64_t kContextStride = 0x1000;
    static constexpr unsigned kMaxContexts = 15872;

    explicit Plic(const DeviceConfig& config);

    std::vector<IrqOut> context_out; // one per context

    IrqTarget& irq_input() override { return input_; }
    unsigned num_sources() const override { return sources_; }
    std::string dt_interrupt_parent() const override { return instance(); }
    unsigned num_contexts() const { return contexts_; }

    bool pending(unsigned source) const { return test(pending_, source); }
    bool in_service(unsigned source) const { return test(in_service_, source); }

    void reset() override;
    void describe_dt(DtContext& ctx) override;
    // Wires context 2h to harts[h] MEIP and context 2h+1 to its SEIP.
    void connect_harts(const std::vector<HartIrqPins*>& harts) override;

  private:
    class Input : public IrqTarget {
      public:
        explicit Input(Plic& plic) : plic_(plic) {}
        void set_irq(unsigned line, bool level) override { plic_.set_source(line, level); }

      private:
        Plic& plic_;
    };

    using Bits = std::vector<uint32_t>; // bit s of word s/32 is source s

    static bool test(const Bits& b, unsigned s) { return (b[s / 32] >> (s % 32)) & 1; }
    static void assign(Bits& b, unsigned s, bool v) {
        uint32_t m = 1u << (s % 32);
        b[s / 32] = v ? (b[s / 32] | m) : (b[s / 32] & ~m);
    }

    void parse_edge_sources(const DeviceConfig& config);
    void set_source(unsigned source, bool level);
    uint32_t enable_word(unsigned ctx, unsigned word) const {
        return static_cast<uint32_t>(regs_.value(enable_id_, ctx * kEnableWords + word));
    }
    bool enabled(unsigned ctx, unsigned source) const {
        return (enable_word(ctx, source / 32) >> (source % 32)) & 1;
    }
    // Highest-priority pending, enabled source above the context's threshold
    // (lowest ID on ties), or 0.
    unsigned best(unsigned ctx) const;
    uint32_t claim(unsigned ctx);
    void complete(unsigned ctx, uint32_t source);
    void update();

    static constexpr unsigned kEnableWords = kEnableStride / 4;

    unsigned sources_;
    unsigned words_;                 // 32-bit words holding bits 0..sources_
    std::vector<unsigned> hart_ids_; // contexts 2h and 2h+1 are hart hart_ids_[h]'s
    unsigned contexts_;
    uint32_t priority_mask_;
    Bits edge_;       // edge-triggered sources
    Bits level_;      // current input line levels
    Bits pending_;    // the core's pending bits (IP)
    Bits in_service_; // claimed, not yet completed
    Bits edge_saved_; // an edge arrived while in service
    size_t priority_id_ = 0;
    size_t enable_id_ = 0;
    size_t threshold_id_ = 0;
    Input input_{*this};
};

} // namespace nvsoc
