// One NVLink link between two ends (a GPU's link, an NVSwitch port, a
// bridge's link): training (software-driven through per-step commands, or
// autonomous from NVLink 4), the negotiated generation and lane count,
// discovery tokens, each direction's serialization, receiver credits,
// per-flit CRC with go-back-N replay, DL recovery, FAULT (Xid 74), and the
// error counters NVML shows. Plain C++ with no SystemC: simulated time is an
// explicit input in picoseconds, so the model is deterministic and tested on
// its own, like models/pcie/link.h. A port model wraps it: it calls the inputs
// at the current simulated time, wakes at next_event_time() to call
// advance_to(), publishes state() and counters() into its registers and turns
// events into interrupts and Xid reports.
//
// Durations, rates, overheads and their sources are in docs/nvlink.md. What
// is not modelled: the individual sublink (TX/RX) states, lane deskew and
// per-lane equalization results, the MINION's own command protocol, the
// link's internal flit formats beyond their count, ACK/credit flit
// bandwidth, and NVLink-C2C.
#pragma once

#include "models/core/random.h"

#include <array>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <vector>

namespace nvsoc::nvlink {

// Simulated time units, in picoseconds.
namespace ps {
inline constexpr uint64_t kNs = 1'000, kUs = 1'000'000, kMs = 1'000'000'000;
}

// --- Generations and rates --------------------------------------------------------
inline constexpr unsigned kMinGeneration = 1, kMaxGeneration = 5;
// Lane numbers run 0..7 (NVLink 1 and 2 have 8 lanes per sublink; the NVML
// per-lane CRC counters go to L7, the ECC counters to L3).
inline constexpr unsigned kMaxLanes = 8, kMaxEccLanes = 4;

struct GenerationInfo {
    unsigned generation;
    unsigned lanes;   // per sublink (one direction)
    double lane_gbps; // raw signalling per lane, Gb/s
    bool ali;         // autonomous link initialization (NVLink 4+)
    bool narrow;      // can train on half its lanes
    bool lane_ecc;    // per-lane ECC/FEC counters (NVLink 3+)
};
// Throws std::invalid_argument outside 1..5.
const GenerationInfo& generation_info(unsigned gen);
// Bytes per picosecond one direction carries on `lanes` lanes of `gen`:
// raw signalling / 8, what nvidia-smi reports per link (docs/nvlink.md).
double link_bytes_per_ps(unsigned gen, unsigned lanes);
// "" or a message naming the allowed values.
std::string check_generation(unsigned gen);

// --- Packets -----------------------------------------------------------------------
// A packet is 1 to 18 flits of 16 bytes: a header flit, an address-extension
// / byte-enable flit for writes, then up to 16 data flits.
inline constexpr unsigned kFlitBytes = 16, kMaxPayload = 256, kMaxFlits = 18;
// Flits of a packet carrying `payload` bytes (0..256); throws beyond 256.
unsigned packet_flits(unsigned payload, bool write);
// Picoseconds `flits` flits take on one direction of `gen` x `lanes`, rounded
// to the nearest picosecond (exact rational arithmetic before rounding).
uint64_t flits_time(uint64_t flits, unsigned gen, unsigned lanes);

// --- States, ends, commands ----------------------------------------------------------
// The open driver's link state encoding (nvlink.h, NVLINK_LINKSTATE_*).
enum class State : uint8_t {
    Off = 0x00,
    Hs = 0x01,
    Safe = 0x02,
    Fault = 0x03,
    Recovery = 0x04,
    Fail = 0x05,
    Detect = 0x06,
    Reset = 0x07,
    Sleep = 0x0a,
    InitPhase1 = 0x13,
    InitNegotiate = 0x14,
    InitOptimize = 0x16,
    InitTl = 0x1a,
};
const char* name(State s); // "OFF", "HS", "SAFE", ... as the open driver names them

// The two ends of a link; also the direction "from A" / "from B".
enum class End : uint8_t { A = 0, B = 1 };
inline End other(End e) {
    return e == End::A ? End::B : End::A;
}
const char* name(End e); // "A", "B"

// Software's requests (docs/nvlink.md, "Training" and "Software-driven
// path"): the training steps, then the state requests.
enum class Command : uint8_t {
    InitPhase1,    // PHY initialisation (NVLink 3+), from OFF; both ends
    RxDet,         // RX termination and receiver detect: DETECT; both ends
    Safe,          // to SWCFG (SAFE): from DETECT both ends, from HS either end
    InitNegotiate, // NVLink 3+: negotiate the generation and width in SAFE; both ends
    InitOptimize,  // NVLink 3+: equalization from SAFE; both ends
    InitTl,        // NVLink 3+: transaction layer set up after INITOPTIMIZE; both ends
    Hs,            // to high speed: last training step (both ends); on ALI links
                   // the request to train autonomously from OFF or SAFE (either end)
    Off,           // to OFF from anywhere; either end
    Sleep,         // HS to SLEEP (L2); both ends
    Wake,          // SLEEP back to HS; either end
    Reset,         // RESET, then OFF (ALI links then train by themselves); either end
};
const char* name(Command c);

// --- Configuration -------------------------------------------------------------------
struct EndConfig {
    unsigned max_generation = 4;
    unsigned lanes = 0; // lanes this end has wired; 0 = the negotiated generation's full count
    std::vector<unsigned> failed_lanes; // lane numbers 0..7 that do not work at this end
    bool ali = true; // train autonomously when the negotiated generation supports it
    uint64_t id = 0; // discovery token: who this end is (device id, link number); opaque
};

// Step durations, driver timeouts and latencies (docs/nvlink.md gives the
// reasoning for each default).
struct LinkTimes {
    // Training steps.
    uint64_t init_phase1 = 10 * ps::kUs;
    uint64_t rx_detect = 50 * ps::kUs;
    uint64_t safe = 100 * ps::kUs; // to SWCFG, discovery tokens exchanged
    uint64_t init_negotiate = 100 * ps::kUs;
    uint64_t init_optimize = 5 * ps::kMs; // equalization
    uint64_t init_tl = 10 * ps::kUs;
    uint64_t high_speed = 10 * ps::kUs; // TX sublinks and DL to HS
    // State requests.
    uint64_t sleep_entry = 10 * ps::kUs;
    uint64_t sleep_exit = 1 * ps::kMs; // L2 exit retrains the PHY
    uint64_t reset = 10 * ps::kUs;
    uint64_t recovery = 10 * ps::kUs; // DL recovery (retrain without software)
    // The open driver's transition timeouts: a step that hangs is abandoned
    // (FAIL) after its bound.
    uint64_t off_timeout = 1 * ps::kMs;      // INITPHASE1
    uint64_t safe_timeout = 300 * ps::kMs;   // DETECT, SAFE, INITNEGOTIATE
    uint64_t hs_timeout = 8'000 * ps::kMs;   // INITOPTIMIZE
    uint64_t post_hs_timeout = 70 * ps::kMs; // INITTL
    // Data link layer.
    uint64_t wire_latency = 10 * ps::kNs; // flight time, each direction
    uint64_t rx_processing = 5 * ps::kNs; // a received flit's CRC check and hand-off
    // From the end of a bad flit at its sender to the sender resending it;
    // 0 = the NAK's round trip, 2 x wire_latency + rx_processing.
    uint64_t replay_round_trip = 0;
};

struct LinkFaults {
    double crc_error_rate = 0;          // per flit transmission, [0, 1), seeded, both directions
    std::vector<uint64_t> crc_error_at; // flit ordinals (each direction counts its own from 1,
                                        // replays included) whose CRC fails
    double ecc_error_rate = 0;          // per flit, NVLink 3+: a corrected lane error, counted only
    // The training step entering this state hangs: the link stays in it
    // until that step's timeout, then FAIL. One of INITPHASE1, DETECT, SAFE,
    // INITNEGOTIATE, INITOPTIMIZE, INITTL.
    std::optional<State> train_fails_in;
    uint64_t link_down_at = 0;           // ps, 0 = never: an up link goes to FAULT (Xid 74)
    uint64_t recovery_storm_at = 0;      // ps, 0 = never: every flit sent from then fails its CRC
                                         // until recovery gives up: FAULT
    uint64_t remote_unresponsive_at = 0; // ps, 0 = never: `unresponsive_end` stops answering
    End unresponsive_end = End::B;
};

struct LinkConfig {
    std::array<EndConfig, 2> ends;
    LinkTimes times;
    LinkFaults faults;
    unsigned replay_threshold = 4;   // consecutive replays of one flit before RECOVERY
    unsigned recovery_threshold = 3; // consecutive failed recoveries before FAULT
    unsigned rx_buffer_flits = 256;  // credits each receiver grants
    // For tests only: transfer() always goes packet by packet, never the
    // closed form, so that tests can compare the two.
    bool force_per_packet = false;
};
// "" or the first problem, naming the field and the allowed values.
std::string validate(const LinkConfig& config);

// --- Events and counters ---------------------------------------------------------------
enum class EventKind : uint8_t {
    StateChange,      // state: the new state
    TrainingComplete, // the link reached HS by training (not after recovery or wake)
    TrainingFailed,   // FAIL: a step timed out, or no usable width
    Replay,           // end: the transmitter that replays; flit: the bad flit's ordinal
    Recovery,         // end: the end whose DL started it
    LinkDown,         // FAULT: one per end (each end's Xid 74)
    CommandRejected,  // end, command: an out-of-order command; state: the state then
};
const char* name(EventKind k);

struct Event {
    uint64_t time = 0;
    EventKind kind = EventKind::StateChange;
    End end = End::A;
    State state = State::Off;       // the link's state after the event
    Command command = Command::Off; // CommandRejected
    uint64_t flit = 0;              // Replay: the ordinal of the bad flit
    bool operator==(const Event&) const = default;
};

// Per end: what that end's receiver counted and its transmitter sent.
struct Counters {
    uint64_t tl_tx_bytes = 0, tl_rx_bytes = 0; // payload bytes of delivered packets
    uint64_t tl_tx_packets = 0, tl_rx_packets = 0;
    uint64_t dl_replay = 0;   // replays this end's transmitter made
    uint64_t dl_recovery = 0; // recoveries this end's DL started
    uint64_t dl_crc_flit = 0; // flits this end's receiver dropped for a bad CRC
    uint64_t dl_crc_data = 0; // ... of them data flits
    std::array<uint64_t, kMaxLanes> crc_lane{};
    std::array<uint64_t, kMaxEccLanes> ecc_lane{};
    bool operator==(const Counters&) const = default;
};

struct PacketTiming {
    bool delivered = false;
    uint64_t start = 0; // the first flit began
    uint64_t end = 0;   // the receiver has the last flit, good
    unsigned flits = 0;
    unsigned replays = 0;
    bool operator==(const PacketTiming&) const = default;
};
struct TransferTiming {
    bool delivered = false; // every packet was
    uint64_t start = 0, end = 0;
    uint64_t issued = 0; // the last packet began
    uint64_t packets = 0, flits = 0, replays = 0;
    bool operator==(const TransferTiming&) const = default;
};

// --- The link ---------------------------------------------------------------------------
class Link {
  public:
    // Throws std::invalid_argument with validate()'s message. The link is
    // unpowered (OFF) until power_on().
    explicit Link(const LinkConfig& config, uint64_t seed = 0);

    // --- Time -----------------------------------------------------------------
    uint64_t now() const { return now_; }
    // Applies every state change, event and counter update due at or before t
    // (an earlier t is ignored).
    void advance_to(uint64_t t);
    // The next planned state change, event or timed fault; nothing when the
    // link rests. Counter updates do not wake the wrapper: advance_to before
    // reading counters().
    std::optional<uint64_t> next_event_time() const;

    // --- Inputs (each first advances to t; an earlier t counts as now()) -------
    void power_on(uint64_t t); // both ends out of reset: OFF; ALI links start training
    void power_off(uint64_t t);
    // A software request from end e. An out-of-order one returns false,
    // leaves the state and records CommandRejected. Never throws.
    bool command(uint64_t t, End e, Command c);
    // Lanes (0..7) stop working at end e. An HS link using one goes through
    // RECOVERY, then HS on half its lanes (generations that can) or FAULT.
    void fail_lanes(uint64_t t, End e, const std::vector<unsigned>& lanes);

    // --- State ----------------------------------------------------------------
    State state() const { return cur_.state; }
    bool active() const { return cur_.state == State::Hs; }
    // A step is under way (commands other than Off and Reset are refused).
    bool busy() const { return cur_.busy; }
    unsigned generation() const { return cur_.generation; } // 0 until negotiated
    unsigned lanes() const { return cur_.lanes; }           // 0 until trained
    uint8_t lane_mask() const { return cur_.lane_mask; }    // the lanes in use
    // The generation the ends will train to: the highest both advertise.
    unsigned target_generation() const;
    // Whether training runs autonomously (ALI) rather than by commands.
    bool ali() const;
    // What end e learned of its remote by discovery tokens (nothing before SAFE).
    std::optional<uint64_t> remote_id(End e) const;
    const Counters& counters(End e) const { return counters_[idx(e)]; }
    void reset_counters(uint64_t t, End e);
    // Flit transmissions from end e so far, replays included.
    uint64_t flits_sent(End from) const { return sent_[idx(from)]; }
    uint64_t pipe_free_at(End from) const { return pipe_free_[idx(from)]; }
    const std::vector<Event>& events() const { return events_; }
    // The configuration it was built with: the fabric times a routed
    // packet's first hop from its latencies.
    const LinkConfig& config() const { return cfg_; }
    std::vector<Event> take_events();

    // --- Data -----------------------------------------------------------------
    // A packet of `payload` bytes (0..256; throws beyond) from end `from`;
    // `write` adds the address-extension flit. It waits for the direction's
    // pipe, for HS (recovery, ALI training) and for credits; replays on CRC
    // errors. Not delivered when the link is not HS and will not be. A
    // scheduled packet is committed: later inputs do not recall it.
    PacketTiming send(End from, unsigned payload, bool write, uint64_t earliest);
    // `bytes` split into packets of 256 bytes (the last one shorter), one
    // after another. In closed form when the link is HS and stable, credits
    // cannot bind and no injected error can hit it; packet by packet
    // otherwise; the same results either way.
    TransferTiming transfer(End from, uint64_t bytes, bool write, uint64_t earliest);

  private:
    struct Status {
        State state = State::Off;
        bool busy = false;
        unsigned generation = 0, lanes = 0;
        uint8_t lane_mask = 0;
        bool discovered = false, negotiated = false, optimized = false;
        bool dead = false; // the remote stopped answering: nothing is delivered
    };
    enum class Effect : uint8_t { None, Trained, Failed, Fault };
    struct Step {
        uint64_t time = 0;
        Status status;
        Effect effect = Effect::None;
        std::vector<Event> events; // besides StateChange, released with the step
        // Counter updates with the step (recoveries).
        std::array<uint64_t, 2> recoveries{}, replays{};
    };
    // A counter update due at a time: `count` packets `period` apart
    // (bursts in closed form), or one error count.
    struct CounterUpdate {
        uint64_t time = 0, period = 0, count = 1;
        uint64_t key = 0; // the first time: the queue's order
        End from = End::A;
        uint64_t payload = 0; // per packet; 0 with packets = 0 for errors only
        uint64_t packets = 0;
        // Errors at the receiver of `from`'s direction / at `from`.
        uint64_t crc_flit = 0, crc_data = 0, replay = 0;
        int crc_lane = -1, ecc_lane = -1;
    };
    static unsigned idx(End e) { return static_cast<unsigned>(e); }

    void input(uint64_t& t);
    void apply(const Step& s);
    void apply_counter(CounterUpdate& u, uint64_t upto);
    void push_event(Event e);
    void push_counter(CounterUpdate u);
    Status tail_status() const;
    uint64_t tail_time() const;
    void push(uint64_t t, const Status& s, Effect effect = Effect::None);
    void reject(End e, Command c);

    // Training.
    struct Width {
        unsigned lanes = 0;
        uint8_t mask = 0;
    };
    Width negotiate_width() const;
    bool lane_failed(unsigned lane) const;
    uint64_t timeout_for(State s) const;
    // One training step into `into` from status s at t: plans it (hanging
    // if train_fails_in says so) and returns the end time, or nothing if it
    // fails (then FAIL is planned).
    std::optional<uint64_t> plan_step(uint64_t t, Status& s, State into, uint64_t duration);
    void plan_ali(uint64_t t, Status s);
    void software_step(uint64_t t, Command c);
    bool both_needed(Command c) const;
    bool valid_now(Command c) const;

    // Timed faults.
    struct TimedFault {
        uint64_t time = 0;
        bool unresponsive = false;
    };
    std::vector<Step> fault_steps(const TimedFault& f, const Status& at) const;
    static bool up(State s) { return s == State::Hs || s == State::Recovery; }

    // The planned status at x (>= now()), timed faults included.
    Status status_at(uint64_t x) const;
    Status plan_status_at(uint64_t x) const;
    std::optional<uint64_t> usable_from(uint64_t x) const;
    uint64_t usable_until(uint64_t x) const;
    void plan_recovery(uint64_t t, End by);
    void plan_fault(uint64_t t);

    // Data.
    uint64_t replay_round_trip() const;
    uint64_t wait_credits(End from, uint64_t t, unsigned flits);
    bool crc_error(End from, uint64_t ordinal, uint64_t at);
    bool stable() const;
    bool closed_form(End from, uint64_t bytes, bool write, uint64_t earliest, TransferTiming& tt);

    LinkConfig cfg_;
    uint64_t now_ = 0;
    bool powered_ = false;
    Status cur_;
    std::deque<Step> plan_;                       // future status changes, in time order
    std::deque<TimedFault> timed_faults_;         // not yet reached, in time order
    bool storm_over_ = false;                     // the recovery storm ended in FAULT
    bool remote_dead_ = false;                    // remote_unresponsive_at has struck
    std::optional<std::pair<End, Command>> half_; // a both-ends command one end has given
    std::deque<Event> pending_;                   // future data-path events, in time order
    std::deque<CounterUpdate> counter_q_;         // future counter updates, in time order
    std::vector<Event> events_;
    std::array<Counters, 2> counters_{};

    std::array<uint64_t, 2> pipe_free_{};
    std::array<uint64_t, 2> sent_{};
    std::array<unsigned, 2> replays_of_flit_{};         // consecutive, of the flit at the head
    std::array<unsigned, 2> failed_recoveries_{};       // consecutive, without progress
    std::array<std::deque<uint64_t>, 2> credit_back_{}; // per flit outstanding: return time
    std::array<RandomStream, 2> crc_rng_{}, ecc_rng_{};
};

} // namespace nvsoc::nvlink
