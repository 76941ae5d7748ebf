// RISC-V ACLINT in its CLINT-compatible layout (MSWI + MTIMER in one 64 KiB
// window, as the SiFive CLINT and QEMU's virt machine place them):
//   0x0000 + 4*h   msip[h]      32-bit, bit 0 drives hart h's MSIP
//   0x4000 + 8*h   mtimecmp[h]  64-bit, MTIP[h] = (mtime >= mtimecmp[h])
//   0xBFF8         mtime        64-bit, counts at `timebase`
// mtime is derived from SystemC time (plus the transaction's annotated delay),
// never stored as a counter, so it costs nothing while nobody looks at it. A
// single event wakes the model at the earliest future compare time.
#pragma once

#include "models/core/device.h"

#include <cstdint>
#include <systemc>
#include <vector>

namespace nvsoc {

class Aclint : public Device, public HartInterruptSource, public TimeSource {
  public:
    static constexpr uint64_t kMsipBase = 0x0;
    static constexpr uint64_t kMtimecmpBase = 0x4000;
    static constexpr uint64_t kMtime = 0xBFF8;
    static constexpr uint64_t kMinSize = 0xC000;
    static constexpr unsigned kMaxHarts = 4095;

    explicit Aclint(const DeviceConfig& config);

    std::vector<IrqOut> msip_out; // one per hart, to HartIrqPins::kMsip
    std::vector<IrqOut> mtip_out; // one per hart, to HartIrqPins::kMtip

    // mtime as seen at the current simulated time.
    uint64_t mtime() const { return mtime_at(sc_core::sc_time_stamp().value()); }

    // TimeSource, for the harts' time CSR and Sstc deadlines.
    uint64_t mtime_at(const sc_core::sc_time& t) const override { return mtime_at(t.value()); }
    sc_core::sc_time time_of(uint64_t value) const override;
    uint64_t mtimecmp(unsigned hart) const { return regs_.value(mtimecmp_id_, hart); }
    uint64_t timebase() const { return timebase_; }

    void reset() override;
    void describe_dt(DtContext& ctx) override;
    // Wires msip_out[h] to harts[h] MSIP and mtip_out[h] to its MTIP.
    void connect_harts(const std::vector<HartIrqPins*>& harts) override;

  protected:
    void b_transport(tlm::tlm_generic_payload& tx, sc_core::sc_time& delay) override;

  private:
    // Times are in SystemC resolution units (sc_time::value()).
    uint64_t ticks_at(uint64_t t) const;
    uint64_t mtime_at(uint64_t t) const { return ticks_at(t) + offset_; }
    // Raises/lowers every MTIP as seen at time `t` (>= now) and arms the
    // timer event for the earliest compare time still in the future.
    void update_timers(uint64_t t);
    void on_timer();

    std::vector<unsigned> hart_ids_; // hart index h is hart hart_ids_[h]
    unsigned harts_;
    uint64_t timebase_;        // Hz
    uint64_t units_per_sec_;   // SystemC time units per second
    uint64_t offset_ = 0;      // mtime = ticks(t) + offset_ (mod 2^64)
    uint64_t access_time_ = 0; // time of the access being decoded
    size_t mtimecmp_id_ = 0;
    size_t mtime_id_ = 0;
    sc_core::sc_event timer_event_;
};

} // namespace nvsoc
