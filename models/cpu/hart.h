// The SystemC side of a RISC-V hart: a TLM-2.0 initiator around the plain
// C++ RvCore. It runs the core for a quantum at a time (temporal
// decoupling), reaches RAM through DMI pointers and everything else through
// b_transport with the hart's local time as the annotated delay, sleeps on
// WFI until an interrupt line changes, and feeds the core the interrupt pins
// the ACLINT and PLIC drive.
#pragma once

#include "models/core/device.h"
#include "models/cpu/rv_core.h"

#include <set>
#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>
#include <vector>

namespace nvsoc {

struct HartConfig {
    rv::CoreConfig core;
    uint64_t frequency_hz = 1000000000;
    sc_core::sc_time quantum{1, sc_core::SC_US};
};

class Hart : public sc_core::sc_module, public rv::MemoryPort {
  public:
    tlm_utils::simple_initiator_socket<Hart> bus;
    HartIrqPins pins; // driven by the ACLINT and PLIC

    Hart(sc_core::sc_module_name name, const HartConfig& config, rv::ReservationSet& reservations,
         const LogConfig* log);

    void set_time_source(const TimeSource* timer) { timer_ = timer; }
    // Back to the reset state at the next instruction boundary.
    void request_reset();
    // Stop executing (the simulation is ending).
    void halt();

    rv::RvCore& core() { return core_; }
    uint64_t instructions() const { return core_.instret; }
    // How far this hart's execution has reached in simulated time: SystemC
    // time plus the local time it has run ahead within its quantum (never
    // behind SystemC time: a sleeping hart is at the present).
    sc_core::sc_time now() const;
    void stats(nlohmann::json& out) const;

    // rv::MemoryPort
    uint8_t* direct_page(uint64_t paddr, bool write) override;
    bool read(uint64_t paddr, void* data, unsigned len) override;
    bool write(uint64_t paddr, const void* data, unsigned len) override;
    uint64_t mtime() override;

  private:
    void run_thread();
    sc_core::sc_time local_time() const;
    bool transport(tlm::tlm_command cmd, uint64_t paddr, void* data, unsigned len);
    void invalidate_direct_mem_ptr(sc_dt::uint64 start, sc_dt::uint64 end);

    struct DmiRegion {
        uint64_t start, end; // inclusive
        uint8_t* ptr;
        bool writable;
    };

    HartConfig config_;
    rv::RvCore core_;
    Logger log_;
    const TimeSource* timer_ = nullptr;
    sc_core::sc_time cycle_;
    sc_core::sc_event wake_;
    std::vector<DmiRegion> dmi_;
    std::set<uint64_t> no_dmi_pages_;
    // Local time, relative to quantum_start_ (the SystemC time the quantum
    // began at): local_ + (instret - run_start_instret_) cycles. Once run()
    // returns, its cycles are in local_ and run_start_instret_ = instret.
    sc_core::sc_time local_;
    sc_core::sc_time quantum_start_;
    uint64_t run_start_instret_ = 0;
    bool reset_pending_ = false, halted_ = false;
    uint64_t bus_errors_ = 0, wfi_sleeps_ = 0;
};

} // namespace nvsoc
