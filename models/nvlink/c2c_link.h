// One GPU's bundle of NVLink-C2C-style links to the native fabric node
// (`nvlink-fabric`): `links` links of `bandwidth` bytes/s each per
// direction, a one-way latency, and the bundle's power state (L0, L2 and the
// transitions between them, or FAILED). Plain C++ with no SystemC, like
// link.h: simulated time is an explicit input in picoseconds and the state
// advances lazily to the time it is asked about.
//
// Assumed, because the C2C link format is not public (hardware-facts.md: it
// carries AMBA CHI): data moves in 64-byte lines, each with a 16-byte header
// (a CHI-like DAT flit); a request without data (a read request) is one
// 16-byte header. Both directions are independent; each is one pipe over
// all the links (the bundle stripes a transfer over them), so a transfer's
// serialization is its wire bytes / (links x bandwidth). Credits, retries
// and the coherence protocol's snoop traffic are not modelled.
#pragma once

#include <cstdint>
#include <string>

namespace nvsoc::c2c {

inline constexpr uint64_t kLineBytes = 64, kHeaderBytes = 16;

// The wire bytes of `payload` bytes of data (whole lines, each with its
// header); a transfer without data (payload 0) is one header.
uint64_t wire_bytes(uint64_t payload);

enum class State : uint8_t { L0, EnteringL2, L2, Waking, Failed };
// Register codes (nvlink_fabric_hw.h NVSOC_NVFB_STATE_*) are the enum's values.
const char* name(State s);

// node -> GPU (Down: CPU stores, read data the GPU asked for) and GPU ->
// node (Up: GPU DMA writes and read requests, data the CPU asked for).
enum class Dir : uint8_t { Down, Up };

struct LinkConfig {
    unsigned links = 10;
    uint64_t bandwidth = 45'000'000'000; // bytes/s per link per direction
    uint64_t latency = 120'000;          // ps, one way
    uint64_t l2_entry = 2'000'000;       // ps: L0 -> L2
    uint64_t l2_exit = 20'000'000;       // ps: L2 -> L0
    uint64_t down_at = 0;                // ps, 0 = never: the links fail at this time
};
// "" or what is wrong with `c`.
std::string validate(const LinkConfig& c);

class Link {
  public:
    explicit Link(const LinkConfig& config);

    const LinkConfig& config() const { return config_; }

    // The state at time `t` (not before the last time asked about).
    State state(uint64_t t);
    // Software asks for L2 (true) or L0 (false) at `t`. A request made during
    // a transition takes effect when the transition ends. Nothing happens
    // to FAILED links.
    void request_sleep(uint64_t t, bool sleep);
    bool sleep_requested() const { return want_sleep_; }
    // An access at `t` needs the links in L0: from L2 or ENTERING_L2 they
    // wake (the request for L2 is withdrawn); returns when they are in L0
    // (t when already), or nullopt-like UINT64_MAX when FAILED. `woke` says
    // whether this access started a wake.
    uint64_t ready_for_access(uint64_t t, bool& woke);
    // When the state next changes by itself (a transition ends, the fault
    // point fires); UINT64_MAX for never.
    uint64_t next_change() const;
    // Fail the links now (t): FAILED until reset.
    void fail(uint64_t t);

    struct Transfer {
        uint64_t start = 0;  // the first byte goes onto the wire
        uint64_t issued = 0; // the last byte has left: the sender may send again
        uint64_t done = 0;   // the last byte has arrived at the far end
    };
    // Sends `payload` bytes of data (0: a request header) in direction `d`
    // from `t`, the links being in L0 (callers wake them first).
    Transfer send(Dir d, uint64_t payload, uint64_t t);

    struct Counters {
        uint64_t down_bytes = 0, up_bytes = 0; // wire bytes, headers included
        uint64_t l2_time = 0;                  // ps spent in L2 (completed stays)
        uint64_t wakes_by_access = 0;
        uint64_t transitions = 0; // L2 or L0 reached
    };
    const Counters& counters() const { return counters_; }
    // ps in L2 up to `t`, the current stay included.
    uint64_t l2_time(uint64_t t);
    // Bytes/s per direction over all links.
    uint64_t bandwidth() const { return config_.bandwidth * config_.links; }

    // L0, idle, counters cleared (a reset of the fabric node); a fault point
    // that already fired does not fire again.
    void reset();

  private:
    void advance(uint64_t t);

    LinkConfig config_;
    State state_ = State::L0;
    uint64_t until_ = 0;    // the current transition ends
    uint64_t l2_since_ = 0; // L2 entered
    uint64_t now_ = 0;      // the latest time advanced to
    bool want_sleep_ = false;
    uint64_t busy_[2] = {0, 0};
    uint64_t remainder_[2] = {0, 0}; // of bytes x 10^12 / bandwidth, carried
    Counters counters_;
};

} // namespace nvsoc::c2c
