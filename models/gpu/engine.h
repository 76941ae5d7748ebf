// The GPU's engines as plain C++ with explicit time (picoseconds): the
// channels (GPFIFO rings of pushbuffer segments, methods, host semaphores),
// the copy engines, the interrupt tree and the fault buffer, with the BAR0
// registers that drive them. No SystemC: the `gpu` model (gpu.cpp) wraps it,
// calling advance_to() at next_event_time() and carrying its memory
// requests through a MemoryPort. The register layout is nvsoc_gpu_hw.h;
// docs/gpu.md is the programming model.
#pragma once

#include "models/core/log.h"
#include "models/core/registers.h"
#include "models/gpu/memory_port.h"

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

namespace nvsoc::gpu {

// Everything a driver would see, and the timing (docs/gpu.md, "Timing").
struct EngineConfig {
    unsigned channels = 16;    // 1..64
    unsigned copy_engines = 2; // 1..10
    uint64_t vram_size = 256ull << 20;
    unsigned dma_bits = 64; // 32..64: addresses beyond them fault
    // Timing.
    uint64_t doorbell_latency = 500'000; // ps: doorbell to the first GP fetch
    uint64_t method_time = 2'000;        // ps per method
    std::vector<uint64_t> ce_rate;       // bytes/s per copy engine (size copy_engines;
                                         // empty: each at 25 GB/s)
    uint64_t ce_chunk = 64 * 1024;       // bytes a copy engine moves per step
    // Limits on what one bad command can cost.
    uint64_t method_budget = 65'536;      // methods per channel per timeslice
    uint64_t max_copy_bytes = 1ull << 36; // a larger launch is refused (a fault)
    // Each line is at least one memory access in host time: a launch of
    // more lines is refused too (LINE_COUNT is 32 bits; 4G one-byte lines
    // would cost hours of host time for 4 GiB).
    uint64_t max_copy_lines = 1ull << 20;
    // Fault points (docs/gpu.md, "Fault points").
    // <gpu>.channel_error: the Nth method (all channels, from 1) fails.
    uint64_t channel_error_at_method = 0;
    // <gpu>.ce_hang: the Nth launch (from 1) never completes.
    unsigned ce_hang_at_launch = 0;
};
// An empty string when usable, else the first problem, naming the field.
std::string validate(const EngineConfig& c);

// What the engines need from the device around them.
class EngineHost {
  public:
    virtual ~EngineHost() = default;
    // The current simulated time (ps): register accesses happen now.
    virtual uint64_t now() const = 0;
    // An edge interrupt message for `vector` (MSI-X table index).
    virtual void signal(unsigned vector) = 0;
    // The level of the legacy interrupt: INTR_STATUS & enable != 0.
    virtual void set_level(bool level) = 0;
    // The engines have work due at `t`: call advance_to(t) then (or earlier).
    virtual void wake_at(uint64_t t) = 0;
};

// What the engines did, for a trace (Engine::set_trace): times are the
// events' own simulated times (ps).
struct EngineEvent {
    enum class Kind : uint8_t {
        Doorbell,    // value: the channel id written (channel: none if it does not exist)
        LaunchBegin, // a copy engine starts a launch; value: the bytes it will move
        LaunchEnd,   // ... finishes, fails or abandons it; value: the bytes it wrote
        Fault,       // value: the fault type (NVSOC_GPU_FAULT_*); engine: the copy engine, if any
        Interrupt,   // an interrupt message; value: its vector
    };
    Kind kind;
    uint64_t time = 0;
    unsigned channel = 0; // 0xffff (NVSOC_GPU_FAULT_NO_CHANNEL) for none
    unsigned engine = 0;  // copy engine index, for launches
    uint64_t value = 0;
};

class Engine {
  public:
    // Throws std::invalid_argument with validate()'s message.
    Engine(const EngineConfig& config, MemoryPort& memory, EngineHost& host, Logger& log);
    ~Engine();

    // Declares the registers the engines own (interrupts, fault buffer,
    // channels, copy engines, ENGINE_RESET, the usermode page and the USERD
    // pages) in `bank`, at their BAR0 offsets.
    void declare_registers(RegisterBank& bank);

    // Runs everything due at or before t; then next_event_time() says when
    // to come back (nothing: idle until a register write).
    void advance_to(uint64_t t);
    std::optional<uint64_t> next_event_time() const;

    // Called with every EngineEvent (an empty function: none).
    void set_trace(std::function<void(const EngineEvent&)> trace);

    // ENGINE_RESET, and a device reset (FLR, link reset, power-on). The
    // engine then asks for wake-ups afresh, as if none were pending.
    void reset();
    // The device's VRAM found an ECC error at `offset` (its ECC fault
    // points): counted in ECC_STATUS and the counters, with the interrupt.
    // An uncorrectable one also makes the access that met it fail with
    // MemStatus::Poisoned, which the transport reports on its own.
    void report_ecc(bool uncorrectable, uint64_t offset);
    // Interrupt sources of the device outside the engines (its NVLink
    // ports): the INTR_STATUS bits they hold now (NVSOC_GPU_INTR_NVLINK).
    // A bit that rises while enabled sends vector 0, like the engines' own.
    void set_unit_status(uint32_t bits);

    // For the device's identity registers, stats and tests.
    const EngineConfig& config() const;
    struct Stats {
        uint64_t methods = 0, gp_entries = 0, doorbells = 0;
        uint64_t semaphore_releases = 0, semaphore_acquires = 0;
        uint64_t launches = 0, bytes_copied = 0;
        uint64_t faults = 0, faults_dropped = 0, interrupts = 0;
        uint64_t faults_unlogged = 0; // beyond the first of its type per channel (not logged)
    };
    const Stats& stats() const;

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

} // namespace nvsoc::gpu
