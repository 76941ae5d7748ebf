#include "models/cpu/hart.h"

namespace nvsoc {

Hart::Hart(sc_core::sc_module_name name, const HartConfig& config, rv::ReservationSet& reservations,
           const LogConfig* log)
    : sc_core::sc_module(name), bus("bus"), config_(config),
      core_(config.core, *this, reservations), log_(std::string(basename()), "hart", log) {
    cycle_ = sc_core::sc_time::from_value(
        std::max<uint64_t>(1, 1000000000000ull / config_.frequency_hz)); // ps per cycle
    bus.register_invalidate_direct_mem_ptr(this, &Hart::invalidate_direct_mem_ptr);
    pins.on_change = [this](uint64_t pending) {
        core_.set_external_pending(pending);
        wake_.notify(sc_core::SC_ZERO_TIME);
    };
    // A hart's log lines carry its own local time: within a quantum it runs
    // ahead of SystemC time, and traces must show when each thing happened
    // for the hart (and differ from one instruction to the next).
    log_.set_clock([this] { return now().to_seconds(); });
    if (log_.enabled(LogLevel::Trace))
        core_.trace_insn = [this](uint64_t pc, uint32_t raw) {
            log_.log(LogLevel::Trace, "pc 0x{:016x} insn 0x{:08x}", pc, raw);
        };
    if (log_.enabled(LogLevel::Debug))
        core_.trace_trap = [this](uint64_t cause, uint64_t tval, uint64_t epc, rv::Priv to) {
            log_.debug("trap cause 0x{:x} tval 0x{:x} epc 0x{:x} -> {}-mode", cause, tval, epc,
                       to == rv::M ? 'M' : 'S');
        };
    SC_HAS_PROCESS(Hart);
    SC_THREAD(run_thread);
}

void Hart::request_reset() {
    reset_pending_ = true;
    core_.request_stop();
    wake_.notify(sc_core::SC_ZERO_TIME);
}

void Hart::halt() {
    halted_ = true;
    core_.request_stop();
}

sc_core::sc_time Hart::local_time() const {
    return local_ + cycle_ * static_cast<double>(core_.instret - run_start_instret_);
}

sc_core::sc_time Hart::now() const {
    // Until the hart's first quantum, and after a wait for an interrupt,
    // SystemC time is ahead of what the last quantum reached.
    return std::max(quantum_start_ + local_time(), sc_core::sc_time_stamp());
}

void Hart::run_thread() {
    const uint64_t quantum_cycles =
        std::max<uint64_t>(1, config_.quantum.value() / std::max<uint64_t>(1, cycle_.value()));
    // The platform attached the IMSIC files (if any) during elaboration.
    core_.set_interrupt_files(pins.file(HartIrqPins::kMeip), pins.file(HartIrqPins::kSeip));
    while (!halted_) {
        if (reset_pending_) {
            reset_pending_ = false;
            core_.reset();
            core_.set_external_pending(pins.pending());
        }
        run_start_instret_ = core_.instret;
        quantum_start_ = sc_core::sc_time_stamp();
        local_ = sc_core::SC_ZERO_TIME;
        uint64_t done = core_.run(quantum_cycles);
        // Time advances by what ran: one cycle per instruction (CPI 1) plus
        // what MMIO accesses annotated into local_. From here local_ alone
        // is the local time (now() and the log read it while we wait).
        local_ += cycle_ * static_cast<double>(done);
        run_start_instret_ = core_.instret;
        if (halted_) break;
        if (core_.waiting_for_interrupt() && !core_.wfi_wakeup_pending()) {
            ++wfi_sleeps_;
            wait(local_);
            // A line may have changed while we caught up with local time;
            // an event notified then is gone, so look at the pins again.
            if (core_.wfi_wakeup_pending() || halted_ || reset_pending_) {
                core_.timer_tick();
                continue;
            }
            // Sleep until a line changes or the Sstc deadline passes.
            uint64_t deadline = core_.stimecmp_deadline();
            if (timer_ && deadline != ~uint64_t{0}) {
                sc_core::sc_time at = timer_->time_of(deadline);
                sc_core::sc_time now = sc_core::sc_time_stamp();
                if (at <= now) {
                    core_.timer_tick();
                    continue;
                }
                if (at != sc_core::sc_max_time()) {
                    wait(at - now, wake_);
                    core_.timer_tick();
                    continue;
                }
            }
            wait(wake_);
            core_.timer_tick();
            continue;
        }
        wait(local_);
        core_.timer_tick(); // time moved: re-evaluate Sstc's STIP
    }
}

uint8_t* Hart::direct_page(uint64_t paddr, bool write) {
    uint64_t page = paddr & ~uint64_t{0xfff};
    for (const auto& r : dmi_)
        if (page >= r.start && page + 0xfff <= r.end && (!write || r.writable))
            return r.ptr + (page - r.start);
    if (no_dmi_pages_.count(page)) return nullptr;
    tlm::tlm_generic_payload tx;
    tx.set_address(page);
    tx.set_command(write ? tlm::TLM_WRITE_COMMAND : tlm::TLM_READ_COMMAND);
    tlm::tlm_dmi dmi;
    if (bus->get_direct_mem_ptr(tx, dmi) && dmi.get_start_address() <= page &&
        dmi.get_end_address() >= page + 0xfff) {
        bool writable = dmi.is_write_allowed();
        if (dmi.is_read_allowed() && (!write || writable)) {
            dmi_.push_back(DmiRegion{dmi.get_start_address(), dmi.get_end_address(),
                                     dmi.get_dmi_ptr(), writable});
            return dmi.get_dmi_ptr() + (page - dmi.get_start_address());
        }
    }
    if (!write) no_dmi_pages_.insert(page); // MMIO: go through b_transport
    return nullptr;
}

bool Hart::transport(tlm::tlm_command cmd, uint64_t paddr, void* data, unsigned len) {
    tlm::tlm_generic_payload tx;
    tx.set_command(cmd);
    tx.set_address(paddr);
    tx.set_data_ptr(static_cast<unsigned char*>(data));
    tx.set_data_length(len);
    tx.set_streaming_width(len);
    tx.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
    sc_core::sc_time delay = local_time();
    sc_core::sc_time before = delay;
    bus->b_transport(tx, delay);
    local_ += delay - before; // the device's latency
    if (tx.get_response_status() != tlm::TLM_OK_RESPONSE) {
        ++bus_errors_;
        return false;
    }
    return true;
}

bool Hart::read(uint64_t paddr, void* data, unsigned len) {
    return transport(tlm::TLM_READ_COMMAND, paddr, data, len);
}

bool Hart::write(uint64_t paddr, const void* data, unsigned len) {
    return transport(tlm::TLM_WRITE_COMMAND, paddr, const_cast<void*>(data), len);
}

uint64_t Hart::mtime() {
    if (!timer_) return 0;
    return timer_->mtime_at(sc_core::sc_time_stamp() + local_time());
}

void Hart::invalidate_direct_mem_ptr(sc_dt::uint64, sc_dt::uint64) {
    dmi_.clear();
    no_dmi_pages_.clear();
    core_.flush_tlb();
}

void Hart::stats(nlohmann::json& out) const {
    out["instructions"] = core_.instret;
    out["bus_errors"] = bus_errors_;
    out["wfi_sleeps"] = wfi_sleeps_;
}

} // namespace nvsoc
