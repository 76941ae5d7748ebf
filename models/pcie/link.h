// One PCI Express link between a downstream port (the end nearer the root:
// a root port or a switch downstream port) and an upstream port (the
// device's end): link training (the LTSSM), the negotiated speed and width,
// the bandwidth of each direction, and the data link layer's replay on LCRC
// errors. Plain C++ with no SystemC: simulated time is an explicit input in
// picoseconds, so the model is deterministic and can be tested on its own.
// A fabric model wraps it: it calls the inputs at the current simulated
// time, wakes up at next_event_time() to call advance_to(), copies the link
// state into the ports' configuration spaces (publish()) and turns the
// events into AER and slot status (apply_event(), aer_bit()).
//
// Durations, overheads and their sources are listed in docs/pcie.md, "Links
// and timing". What is not modelled: Loopback, Polling.Compliance, L2 and
// the L1 substates, the individual Configuration substates, lane-to-lane
// deskew, SKP ordered sets, the receivers' flow-control credits (each end
// does limit its own reads by its tags and completion buffer), ACK/UpdateFC
// DLLP bandwidth, and flit-mode details beyond the flit's 236 TLP bytes in
// 256.
//
// Bursts cost little wall time: while the link is in L0 with nothing planned
// and no injected error can hit them, write() and read() compute a burst's
// timing arithmetically (reads one request at a time, for their tags),
// with the same results as sending each TLP through schedule().
#pragma once

#include "models/core/random.h"

#include <array>
#include <cstdint>
#include <deque>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace nvsoc::pcie {

class ConfigSpace;

// Simulated time units, in picoseconds.
namespace ps {
inline constexpr uint64_t kNs = 1'000, kUs = 1'000'000, kMs = 1'000'000'000;
}

// --- Rates --------------------------------------------------------------------
// Speeds are generations: 1 (2.5 GT/s), 2 (5), 3 (8), 4 (16), 5 (32) and
// 6 (64 GT/s), the Current Link Speed encoding. Widths are lanes.
inline constexpr unsigned kMinSpeed = 1, kMaxSpeed = 6, kMaxWidth = 16;

// An empty string when `speed` (a generation) or `width` (lanes) is one a
// port can advertise here, else a message that names the allowed values.
std::string check_speed(unsigned speed);
std::string check_width(unsigned width);

// Mega-transfers per second per lane (2500 .. 64000).
uint32_t transfer_rate_mts(unsigned speed);
// Data bits per line bit: 8/10 (8b/10b, Gen1-2), 128/130 (Gen3-5), 1/1
// (Gen6 flit mode, PAM4).
struct Encoding {
    unsigned data_bits, line_bits;
};
Encoding encoding(unsigned speed);
// Whether TLPs travel in 256-byte flits (64 GT/s).
bool flit_mode(unsigned speed);
// Mb/s per lane after encoding: Linux's PCIE_SPEED2MBS_ENC formula
// (transfer rate x encoding), without its integer truncation.
double effective_rate_mbps(unsigned speed);

// Bytes on the wire, per TLP, besides the transaction layer's header and
// payload, in non-flit mode: 8b/10b STP (1) + sequence number (2) + LCRC
// (4) + END (1); 128b/130b STP token (4, carrying the sequence number) +
// LCRC (4). Both are 8.
inline constexpr unsigned kTlpFramingBytes = 8;
// Flit mode (64 GT/s): every 256-byte flit carries 236 bytes of TLPs, 6 of
// DLLP, 8 of CRC and 6 of FEC; no per-TLP framing.
inline constexpr unsigned kFlitBytes = 256, kFlitTlpBytes = 236;
// Transaction-layer header sizes.
inline constexpr unsigned kHeader3Dw = 12, kHeader4Dw = 16;

// Time (ps, rounded to the nearest) that a TLP of `tlp_bytes` (header +
// payload + digest, as the transaction layer builds it) occupies a
// direction of a link of `speed` and `width`, framing included.
uint64_t tlp_time(unsigned tlp_bytes, unsigned speed, unsigned width);

// --- Splitting requests into TLPs ---------------------------------------------
struct Chunk {
    uint64_t address = 0;
    uint32_t length = 0;
    bool operator==(const Chunk&) const = default;
};
// [address, address + length) cut at every multiple of `boundary` (a power
// of two): memory writes at Max_Payload_Size, read requests at
// Max_Read_Request_Size. Neither then crosses a 4 KiB boundary.
std::vector<Chunk> split_aligned(uint64_t address, uint64_t length, uint32_t boundary);
// The completions of one read request: each ends on a multiple of the Read
// Completion Boundary (but the last) and carries at most `max_completion`
// bytes (a multiple of the RCB, at most Max_Payload_Size).
std::vector<Chunk> split_completions(uint64_t address, uint32_t length, uint32_t rcb,
                                     uint32_t max_completion);

// --- Configuration ----------------------------------------------------------------
enum class Direction : uint8_t {
    Downstream = 0, // root -> device, sent by the downstream port
    Upstream = 1,   // device -> root, sent by the upstream port
};
enum class PortSide : uint8_t {
    Downstream = 0, // the port nearer the root (root port, switch downstream port)
    Upstream = 1,   // the device's port (endpoint, switch upstream port)
};

// What an end may have outstanding as the requester of the non-posted
// requests (reads) it sends. 10-bit tags give 768 (Tag[9:8] = 00b is not
// used); 8-bit tags (Extended Tag Field Enable) 256, the default.
inline constexpr unsigned kMaxTags = 768, kDefaultTags = 256;
// A completion buffer must hold one request's completions: a 4096-byte read
// (the largest Max_Read_Request_Size; no request crosses a 4 KiB boundary)
// covers 64 blocks of a 64-byte Read Completion Boundary (a completion
// each, at worst) and 256 16-byte data credits.
inline constexpr unsigned kMinCompletionHeaderCredits = 64, kMaxCompletionHeaderCredits = 65'535;
inline constexpr unsigned kMinCompletionDataCredits = 256, kMaxCompletionDataCredits = 1'048'575;

struct PortConfig {
    unsigned max_speed = 1; // generation 1..6
    unsigned max_width = 1; // x1, x2, x4, x8 or x16
    // As the requester of the reads this end sends (docs/pcie.md, "Tags and
    // completion credits"): its outstanding requests at most, each holding
    // its tag until its last completion has arrived ...
    unsigned tags = kDefaultTags;
    // ... and its own completion buffer, in the spec's CplH (completions)
    // and CplD (16-byte units) credits, reserved for a request's whole
    // completion before it is sent. 0 = unlimited. (Endpoints and root
    // complexes must advertise infinite completion credits to the link; a
    // real requester limits itself to the buffer it has.)
    unsigned completion_header_credits = 0;
    unsigned completion_data_credits = 0;
};
// An empty string when the requester limits of `p` are possible, else a
// message naming the field and the allowed values.
std::string check_requester(const PortConfig& p);

// LTSSM durations in picoseconds (docs/pcie.md gives the reasoning). The
// Recovery substates are counted in training sets (TS1/TS2 ordered sets) at
// the link's current rate: 160 bits at 8b/10b, one 130-bit block at
// 128b/130b, 128 bits in flit mode.
struct TrainingTimes {
    uint64_t detect_quiet = 12 * ps::kMs;             // the spec's Detect.Quiet timeout
    uint64_t detect_active = 10 * ps::kUs;            // receiver detection
    uint64_t polling_active = 65'536 * ps::kNs;       // 1024 TS1 at 2.5 GT/s
    uint64_t polling_configuration = 1'536 * ps::kNs; // 24 TS2 at 2.5 GT/s
    uint64_t configuration = 4'096 * ps::kNs;         // 64 TS at 2.5 GT/s, all substates
    unsigned recovery_rcvrlock_ts = 16;               // 8 consecutive TS1 received, and latency
    unsigned recovery_rcvrcfg_ts = 24;                // 8 TS2 received, 16 sent
    unsigned recovery_idle_ts = 1;                    // 16 idle symbols
    uint64_t recovery_speed = 1 * ps::kUs;            // >= 800 ns Electrical Idle, PLL relock
    uint64_t recovery_speed_failed = 6 * ps::kUs;     // an unsuccessful speed change
    uint64_t equalization = 2 * ps::kMs;              // phases 0-3, per rate >= 8 GT/s
    uint64_t dl_init = 1 * ps::kUs;                   // flow-control initialisation
    uint64_t polling_timeout = 24 * ps::kMs;          // Polling.Active
    uint64_t configuration_timeout = 24 * ps::kMs;    // Configuration.Linkwidth.Start
    uint64_t recovery_timeout = 24 * ps::kMs;         // Recovery.RcvrLock
    uint64_t hot_reset = 2 * ps::kMs;                 // Hot Reset's minimum
    uint64_t l0s_exit = 1 * ps::kUs;                  // FTS
    uint64_t l1_exit = 10 * ps::kUs;                  // through Recovery
};

// Injected TLP errors for one direction. Ordinals count every TLP
// transmission in that direction, replays included, from 1.
struct TlpErrorInjection {
    double lcrc_error_rate = 0;        // per transmission, [0, 1), from the seeded RNG
    uint64_t lcrc_every_nth = 0;       // every Nth transmission (N >= 2); 0 = off
    std::vector<uint64_t> lcrc_at;     // these transmissions
    std::vector<uint64_t> ack_lost_at; // these are received but their Ack is corrupted
};

struct LinkFaults {
    std::vector<unsigned> failed_lanes;   // lane numbers (0..15) that do not train
    unsigned failing_speed = 0;           // this generation and faster fail to train; 0 = none
    bool training_fails = false;          // Polling never completes: the link never reaches L0
    std::array<TlpErrorInjection, 2> tlp; // by Direction
};

// Data link layer timers. 0 takes the value from the specification's
// formula (docs/pcie.md): the Ack latency is ((max_payload + 28) x 1.4 /
// width + 19) symbol times, the replay timeout three times that.
struct DataLinkTimes {
    unsigned max_payload = 256; // Max_Payload_Size the formulas use
    uint64_t ack_latency = 0;
    uint64_t replay_timeout = 0;
};

struct LinkConfig {
    PortConfig downstream; // root port or switch downstream port
    PortConfig upstream;   // the device
    TrainingTimes times;
    DataLinkTimes data_link;
    LinkFaults faults;
    bool lane_reversal = false; // a link may also form on the highest lanes, reversed
    bool device_present = true;
    // For tests only: every transfer goes through schedule() TLP by TLP,
    // never the closed form, so that tests can compare the two.
    bool force_per_tlp = false;
};

// An empty string when the configuration is usable, else the first problem
// (naming the field and the allowed values).
std::string validate(const LinkConfig& config);

// --- State and events -------------------------------------------------------------
enum class LtssmState : uint8_t {
    Off, // fundamental reset asserted or no power: not an LTSSM state
    DetectQuiet,
    DetectActive,
    PollingActive,
    PollingConfiguration,
    Configuration,
    L0,
    RecoveryRcvrLock,
    RecoveryRcvrCfg,
    RecoverySpeed,
    RecoveryEqualization,
    RecoveryIdle,
    L0s,
    L1,
    HotReset,
    Disabled,
};
// The top-level state a substate belongs to.
enum class LtssmMajor : uint8_t {
    Off,
    Detect,
    Polling,
    Configuration,
    L0,
    Recovery,
    L0s,
    L1,
    HotReset,
    Disabled
};
LtssmMajor major(LtssmState s);
const char* name(LtssmState s); // "Detect.Quiet", "Recovery.Equalization", ...

enum class LinkEventKind : uint8_t {
    LinkUp,          // Data Link Layer Link Active set (DL_Up)
    LinkDown,        // DL_Down: the upstream port takes it as a hot reset
    HotReset,        // the upstream port received Hot Reset: reset the device
    BandwidthChange, // a retrain or a speed/width change completed (LBMS or LABS)
    TrainingFailed,  // a training attempt timed out back to Detect
    // Errors for AER (aer_bit()).
    ReceiverError,
    BadTlp,
    BadDllp,
    ReplayNumRollover,
    ReplayTimerTimeout,
    SurpriseDown,
};
const char* name(LinkEventKind k);

struct LinkEvent {
    uint64_t time = 0;
    LinkEventKind kind = LinkEventKind::LinkUp;
    // The port that detects and reports it. Link-wide events are given to
    // the downstream port (which holds Link Training, DLLLA, LBMS, LABS),
    // HotReset to the upstream port.
    PortSide port = PortSide::Downstream;
    bool autonomous = false; // BandwidthChange: true sets LABS, false LBMS
    unsigned speed = 0;      // LinkUp, BandwidthChange: the link afterwards
    unsigned width = 0;
    Direction direction = Direction::Downstream; // TLP errors: the TLP's direction
    uint64_t tlp = 0;                            // TLP errors: the transmission ordinal
    bool operator==(const LinkEvent&) const = default;
};

// Where an error event is logged in the AER capability: the Uncorrectable or
// Correctable Status register and its bit. Nothing for non-error events.
struct AerBit {
    bool uncorrectable = false;
    uint32_t mask = 0;
};
std::optional<AerBit> aer_bit(LinkEventKind k);

// What one TLP cost.
struct TlpTiming {
    bool delivered = false; // false: the data link layer was down
    uint64_t start = 0;     // first transmission began
    uint64_t end = 0;       // the receiver has it (first good copy)
    unsigned transmissions = 0;
    unsigned replays = 0;
};

// Requests split into TLPs, and the completions of reads.
struct TransferOptions {
    unsigned max_payload = 256;      // MPS: writes and completions
    unsigned max_read_request = 512; // MRRS
    unsigned read_completion_boundary = 64;
    unsigned max_completion = 0;     // the completer's largest completion; 0 = MPS
    uint64_t completion_latency = 0; // a read request's arrival to its first completion
    // A read passed on from further away (by a switch, say): its tags and
    // completion buffer belong to the requester and are counted on the
    // requester's own link, so the sending end's limits do not apply here.
    bool forwarded = false;
};
struct TransferTiming {
    bool delivered = false; // every TLP was
    uint64_t start = 0;     // the first TLP began
    uint64_t end = 0;       // the last TLP (write) or completion (read) arrived
    // The last request TLP began (reads: after waiting for a tag and
    // completion space): a requester may send its next burst from here.
    uint64_t issued = 0;
    unsigned requests = 0; // write or read request TLPs
    unsigned completions = 0;
    unsigned replays = 0;
};

// --- The link ---------------------------------------------------------------------
class Link {
  public:
    // Throws std::invalid_argument with validate()'s message. The link is
    // Off until power_on(). Same configuration, seed and inputs give the same
    // results.
    explicit Link(const LinkConfig& config, uint64_t seed = 0);

    // --- Time -------------------------------------------------------------
    uint64_t now() const { return now_; }
    // Applies every state change and releases every event due at or before
    // t (earlier t is ignored).
    void advance_to(uint64_t t);
    // When the next state change or event is due; nothing when the link is
    // stable (L0, L1, Disabled, Off, ...).
    std::optional<uint64_t> next_event_time() const;

    // --- Inputs -------------------------------------------------------------
    // Each one first advances to t (t earlier than now() counts as now()).
    void power_on(uint64_t t);  // fundamental reset released: Detect
    void power_off(uint64_t t); // fundamental reset asserted or power removed
    // Link Control Retrain Link: Recovery at the target speed, then L0 and
    // LBMS. Ignored while the data link layer is down.
    void retrain(uint64_t t);
    // Link Control 2 Target Link Speed of the downstream port (clamped to
    // 1..6); used by the next training or retrain.
    void set_target_speed(uint64_t t, unsigned speed);
    // Link Control Link Disable: Disabled while set; clearing it trains again.
    void set_link_disable(uint64_t t, bool disable);
    // Bridge Control Secondary Bus Reset: Hot Reset while set (at least 2
    // ms), then Detect and training.
    void set_hot_reset(uint64_t t, bool asserted);
    // Removing the device is a surprise down (Recovery times out, DL_Down,
    // Surprise Down); adding it lets Detect find a receiver again.
    void set_device_present(uint64_t t, bool present);
    // A change the hardware makes on its own (for power, say): sets LABS.
    // Returns whether a change started (the link must be up and idle).
    bool autonomous_bandwidth_change(uint64_t t, unsigned speed, unsigned width);
    // Runtime faults: lanes stop working, or a speed stops working. A link
    // in use falls back through Recovery (24 ms RcvrLock timeout) and sets
    // LBMS (a change to correct unreliable operation); with no lane left it
    // goes down (Surprise Down). Otherwise they apply to the next training.
    void fail_lanes(uint64_t t, const std::vector<unsigned>& lanes);
    void fail_speed(uint64_t t, unsigned speed);
    // ASPM: enter L0s or L1 from an idle L0 (the caller decides when the
    // link is idle); a TLP, retrain or exit_low_power() brings it back.
    bool enter_l0s(uint64_t t);
    bool enter_l1(uint64_t t);
    void exit_low_power(uint64_t t);
    // Records an error that has no timing effect here (Receiver Error, Bad
    // DLLP) at a port.
    void inject_error(uint64_t t, LinkEventKind kind, PortSide port);

    // --- State --------------------------------------------------------------
    LtssmState state() const { return state_; }
    unsigned speed() const { return speed_; } // current link speed (1 while down)
    unsigned width() const { return width_; } // negotiated width (0 until Configuration ends)
    bool dll_active() const { return dl_active_; }
    // Link Status Link Training: the LTSSM is in Configuration or Recovery.
    bool training() const;
    unsigned target_speed() const { return target_speed_; }
    unsigned max_common_speed() const;
    unsigned max_common_width() const;
    unsigned training_failures() const { return training_failures_; }
    unsigned replay_num(Direction d) const { return replay_num_[index(d)]; }
    uint64_t pipe_free_at(Direction d) const { return pipe_free_[index(d)]; }
    // TLP transmissions in direction d so far, replays included (the last
    // error-injection ordinal used).
    uint64_t transmissions(Direction d) const { return sent_[index(d)]; }
    // Reads sent in direction d whose last completion arrives after t: the
    // tags the sending end has in use then, as far as the reads it has
    // sent so far go.
    unsigned reads_outstanding(Direction d, uint64_t t) const;
    // The data link timers at the current speed and width.
    uint64_t ack_latency() const { return ack_latency(speed_, width_); }
    uint64_t replay_timeout() const { return replay_timeout(speed_, width_); }

    // Events released so far (in time order) and not yet taken.
    const std::vector<LinkEvent>& events() const { return events_; }
    std::vector<LinkEvent> take_events();
    // Called at every change of state (time, new state).
    void set_trace(std::function<void(uint64_t, LtssmState)> trace) { trace_ = std::move(trace); }

    // --- Transactions ------------------------------------------------------
    // Sends one TLP of `tlp_bytes` (header + payload) in direction `d`, no
    // earlier than `earliest`, after the TLPs already scheduled in that
    // direction (each direction is a pipe); the other direction is
    // independent. Waits for L0 (Recovery, L0s/L1 exit); replays it on
    // injected LCRC errors. Not delivered when the data link layer is down
    // at that time. `earliest` before now() counts as now(). A scheduled
    // TLP is committed: later inputs do not recall it.
    TlpTiming schedule(Direction d, unsigned tlp_bytes, uint64_t earliest);
    // A memory write split at MPS (3DW headers below 4 GiB, 4DW above).
    // The TLPs take the link one after another (each direction is a pipe).
    TransferTiming write(Direction d, uint64_t address, uint64_t length, uint64_t earliest,
                         const TransferOptions& options = {});
    // A memory read: requests split at MRRS go in direction `d`; each
    // request's completions (split at the RCB, 3DW headers) come back the
    // other way, the first no earlier than completion_latency after the
    // request arrived. Unless `options.forwarded`, each request first waits
    // for a free tag and room for its completions at the sending end
    // (PortConfig), held until its last completion has arrived; these
    // persist across calls.
    TransferTiming read(Direction d, uint64_t address, uint64_t length, uint64_t earliest,
                        const TransferOptions& options = {});

    // --- Configuration space ------------------------------------------------
    // Link Status of a port at this end: speed, width (0 while the link is
    // not trained), DLLLA and Link Training (ConfigSpace shows the last two
    // on downstream-facing ports only).
    void publish(ConfigSpace& cs) const;
    // BandwidthChange sets LBMS or LABS; LinkUp and LinkDown set the slot's
    // Data Link Layer State Changed (ports with a slot and DLLLA reporting).
    // Error events are left to the port model (aer_bit()).
    static void apply_event(const LinkEvent& e, ConfigSpace& cs);

  private:
    enum class Action : uint8_t { None, Restart, HotResetTimeout, DisabledEntered };
    struct Step {
        uint64_t time = 0;
        LtssmState state = LtssmState::Off;
        unsigned speed = 1, width = 0;
        bool dl = false;
        bool reversed = false;
        unsigned equalized = 0; // the rate equalized by this step
        Action action = Action::None;
        std::vector<LinkEvent> events;
    };
    // Where a plan being built stands.
    struct Cursor {
        uint64_t t = 0;
        unsigned speed = 1, width = 0;
        bool dl = false;
        bool reversed = false;
        std::array<bool, kMaxSpeed + 1> equalized{};
    };
    static unsigned index(Direction d) { return static_cast<unsigned>(d); }

    void input(uint64_t& t);
    void apply(Step step);
    void push(Cursor& c, LtssmState s, uint64_t duration, Action a = Action::None);
    void attach(LinkEventKind kind, PortSide port = PortSide::Downstream, bool autonomous = false);
    Cursor cursor(uint64_t t) const;
    void cancel_plan();
    void restart(uint64_t t);
    void plan_training(uint64_t t);
    void plan_from_detect_active(uint64_t t);
    void plan_hold(uint64_t t, LtssmState s);
    void plan_link_lost(Cursor& c);
    void plan_exit(uint64_t t);
    bool enter_low_power(uint64_t t, LtssmState state); // L0s or L1, from an idle L0
    void change_speed(Cursor& c, unsigned target);
    void recovery_entry(Cursor& c);
    void recovery_to_l0(Cursor& c);
    uint64_t ts_time(unsigned speed, unsigned count) const;
    struct WidthChoice {
        unsigned width = 0;
        bool reversed = false;
    };
    WidthChoice negotiate_width(unsigned cap) const;
    bool lane_failed(unsigned lane) const;
    bool uses_lane(unsigned lane) const;
    unsigned speed_limit() const; // the fastest speed that trains (0 = none)
    unsigned clamp_target(unsigned speed) const;

    // The plan as seen at a time (x >= now()).
    struct Snapshot {
        LtssmState state = LtssmState::Off;
        unsigned speed = 1, width = 0;
        bool dl = false;
    };
    Snapshot state_at(uint64_t x) const;
    uint64_t tail_time() const;
    std::optional<uint64_t> next_l0_after(uint64_t x) const;
    std::optional<uint64_t> l0_ready(uint64_t x);
    void append_recovery(uint64_t t);
    void push_pending(LinkEvent e);
    bool lcrc_error(unsigned d, uint64_t ordinal);
    bool ack_lost(unsigned d, uint64_t ordinal) const;
    uint64_t ack_latency(unsigned speed, unsigned width) const;
    uint64_t replay_timeout(unsigned speed, unsigned width) const;
    void count_replay(Direction d, uint64_t t, uint64_t tlp, TlpTiming& r);

    // Bursts in closed form (docs/pcie.md, "Bursts in closed form").
    bool stable() const;
    bool error_free(Direction d, uint64_t tlps) const;
    bool write_closed_form(Direction d, uint64_t address, uint64_t length, uint64_t earliest,
                           const TransferOptions& o, TransferTiming& tt);
    struct Run; // equal pieces of a transfer, one after another
    struct Runs;
    bool read_closed_form(Direction d, const Runs& requests, uint64_t earliest,
                          const TransferOptions& o, TransferTiming& tt);
    void read_per_tlp(Direction d, uint64_t address, uint64_t length, uint64_t earliest,
                      const TransferOptions& o, TransferTiming& tt);

    // The reads each end has outstanding: each holds a tag and room in the
    // end's completion buffer until its last completion has arrived.
    struct Credits {
        unsigned headers = 0, data = 0;
    };
    struct Held {
        uint64_t release = 0;
        Credits credits;
    };
    struct Requester {
        std::deque<Held> held; // by release time
        uint64_t headers = 0, data = 0;
    };
    const PortConfig& requester(Direction d) const;
    uint64_t wait_for_room(Direction d, uint64_t t, Credits need);
    void hold(Direction d, uint64_t release, Credits credits);

    LinkConfig cfg_;
    uint64_t now_ = 0;
    LtssmState state_ = LtssmState::Off;
    unsigned speed_ = 1, width_ = 0;
    bool dl_active_ = false;
    bool reversed_ = false;
    std::array<bool, kMaxSpeed + 1> equalized_{};
    unsigned target_speed_;
    bool present_;
    bool link_disable_ = false;
    bool hot_reset_ = false;
    bool hot_reset_expired_ = false;
    unsigned training_failures_ = 0;
    std::deque<Step> plan_;         // future state changes, in time order
    std::deque<LinkEvent> pending_; // future TLP events, in time order
    std::vector<LinkEvent> events_; // released, not yet taken
    std::function<void(uint64_t, LtssmState)> trace_;

    std::array<uint64_t, 2> pipe_free_{};
    std::array<uint64_t, 2> sent_{};
    std::array<unsigned, 2> replay_num_{};
    std::array<RandomStream, 2> rng_{};     // per direction
    std::array<Requester, 2> requesters_{}; // by the direction of their requests
};

} // namespace nvsoc::pcie
