#include "models/nvlink/port.h"

#include "models/core/error.h"
#include "models/core/model_registry.h"
#include "models/nvlink/nvlink_port_hw.h"

#include <fmt/format.h>

#include <optional>

namespace nvsoc::nvlink {

// Token layout: 63:56 device type, 47:16 NVLink ID, 15:0 port.
uint64_t token(const PortIdentity& id) {
    return uint64_t{id.device_type} << 56 | uint64_t{id.device_id} << 16 | (id.port & 0xffff);
}

PortIdentity from_token(uint64_t t) {
    return PortIdentity{static_cast<unsigned>(t >> 56), static_cast<uint32_t>(t >> 16),
                        static_cast<unsigned>(t & 0xffff)};
}

std::vector<ParamSpec> generation_params() {
    return {
        {"nvlink-gen",
         ParamType::Integer,
         "4",
         "The newest NVLink generation its ports speak (1-5)",
         false,
         {},
         1,
         kMaxNvlinkGeneration},
        {"nvlink-min-gen",
         ParamType::Integer,
         "1",
         "The oldest NVLink generation its ports speak (1 to nvlink-gen)",
         false,
         {},
         1,
         kMaxNvlinkGeneration},
    };
}

std::pair<unsigned, unsigned> generations(const Params& p) {
    auto lo = static_cast<unsigned>(p.u64("nvlink-min-gen"));
    auto hi = static_cast<unsigned>(p.u64("nvlink-gen"));
    if (lo > hi)
        throw InputError(p.where("nvlink-min-gen"),
                         fmt::format("nvlink-min-gen {} is newer than nvlink-gen {}: the oldest "
                                     "generation the ports speak comes first",
                                     lo, hi));
    return {lo, hi};
}

namespace {

std::optional<Command> command_of(unsigned code) {
    switch (code) {
    case NVSOC_NVL_CMD_INITPHASE1:
        return Command::InitPhase1;
    case NVSOC_NVL_CMD_RXDET:
        return Command::RxDet;
    case NVSOC_NVL_CMD_SAFE:
        return Command::Safe;
    case NVSOC_NVL_CMD_INITNEGOTIATE:
        return Command::InitNegotiate;
    case NVSOC_NVL_CMD_INITOPTIMIZE:
        return Command::InitOptimize;
    case NVSOC_NVL_CMD_INITTL:
        return Command::InitTl;
    case NVSOC_NVL_CMD_HS:
        return Command::Hs;
    case NVSOC_NVL_CMD_OFF:
        return Command::Off;
    case NVSOC_NVL_CMD_SLEEP:
        return Command::Sleep;
    case NVSOC_NVL_CMD_WAKE:
        return Command::Wake;
    case NVSOC_NVL_CMD_RESET:
        return Command::Reset;
    }
    return std::nullopt;
}

} // namespace

Port::Port(PortIdentity identity, PortHost& host) : identity_(identity), host_(host) {}

void Port::connect(Link* link, End end, std::function<void()> plan_changed) {
    link_ = link;
    end_ = end;
    plan_changed_ = std::move(plan_changed);
}

void Port::catch_up() {
    if (link_) link_->advance_to(host_.port_now());
}

void Port::raise(uint32_t bits) {
    bool was = pending();
    err_status_ |= bits;
    if (pending() != was) host_.port_interrupt_changed();
}

void Port::on_event(const Event& e) {
    switch (e.kind) {
    case EventKind::StateChange:
        raise(NVSOC_NVL_ERR_STATE);
        break;
    case EventKind::LinkDown:
        if (e.end == end_) raise(NVSOC_NVL_ERR_LINK_DOWN);
        break;
    case EventKind::Recovery:
        raise(NVSOC_NVL_ERR_RECOVERY);
        break;
    case EventKind::TrainingFailed:
        raise(NVSOC_NVL_ERR_TRAIN_FAIL);
        break;
    case EventKind::CommandRejected:
        if (e.end == end_) raise(NVSOC_NVL_ERR_CMD_REFUSED);
        break;
    case EventKind::TrainingComplete:
    case EventKind::Replay:
        break; // counted, not interrupts
    }
}

void Port::reset() {
    last_cmd_ = cmd_status_ = 0;
    bool was = pending();
    err_status_ = err_en_ = 0;
    if (was) host_.port_interrupt_changed();
}

uint32_t Port::status() {
    if (!link_) return NVSOC_NVL_STATE_OFF;
    catch_up();
    uint32_t s = static_cast<uint32_t>(link_->state());
    s |= link_->generation() << NVSOC_NVL_STATUS_GEN_SHIFT;
    s |= link_->lanes() << NVSOC_NVL_STATUS_LANES_SHIFT;
    if (link_->active()) s |= NVSOC_NVL_STATUS_ACTIVE;
    return s;
}

uint32_t Port::remote_device() {
    if (!link_) return 0;
    catch_up();
    std::optional<uint64_t> r = link_->remote_id(end_);
    return r ? from_token(*r).device_id : 0;
}

uint32_t Port::remote_link() {
    if (!link_) return 0;
    catch_up();
    std::optional<uint64_t> r = link_->remote_id(end_);
    if (!r) return 0;
    PortIdentity id = from_token(*r);
    return NVSOC_NVL_REMOTE_VALID | id.device_type << NVSOC_NVL_REMOTE_LINK_TYPE_SHIFT |
           (id.port & 0xffff);
}

uint32_t Port::bandwidth_mbps() {
    if (!link_) return 0;
    catch_up();
    if (!link_->active()) return 0;
    // Bytes per picosecond are 10^6 MB/s; truncated, as nvidia-smi shows
    // 26.562 GB/s for a generation-4 link of 26.5625.
    return static_cast<uint32_t>(link_bytes_per_ps(link_->generation(), link_->lanes()) * 1e6 +
                                 1e-6);
}

const Counters& Port::counters() {
    static const Counters none;
    if (!link_) return none;
    catch_up();
    return link_->counters(end_);
}

bool Port::command(unsigned code) {
    last_cmd_ = code;
    std::optional<Command> c = command_of(code);
    bool ok = false;
    if (c && link_) {
        ok = link_->command(host_.port_now(), end_, *c);
        if (plan_changed_) plan_changed_();
    }
    cmd_status_ = ok ? NVSOC_NVL_CMD_STATUS_DONE : NVSOC_NVL_CMD_STATUS_REFUSED;
    // An unknown code, or a port with no link, refuses like an out-of-order
    // command (the link reports those itself, as an event).
    if (!ok && !(c && link_)) raise(NVSOC_NVL_ERR_CMD_REFUSED);
    return ok;
}

void Port::reset_counters() {
    if (!link_) return;
    link_->reset_counters(host_.port_now(), end_);
}

void Port::declare(RegisterBank& bank, uint64_t base, const std::string& prefix) {
    auto ro = [&](const char* name, uint64_t offset, std::function<uint64_t(unsigned)> read) {
        bank.add(RegisterSpec{.name = prefix + name,
                              .offset = base + offset,
                              .write_mask = 0,
                              .on_read = std::move(read)});
    };
    ro("_status", NVSOC_NVL_STATUS, [this](unsigned) -> uint64_t { return status(); });
    bank.add(RegisterSpec{
        .name = prefix + "_cmd",
        .offset = base + NVSOC_NVL_CMD,
        .on_read = [this](unsigned) -> uint64_t { return last_cmd_; },
        .on_write = [this](unsigned, uint64_t v, uint64_t) { command(static_cast<uint8_t>(v)); }});
    ro("_cmd_status", NVSOC_NVL_CMD_STATUS, [this](unsigned) -> uint64_t {
        if (cmd_status_ == NVSOC_NVL_CMD_STATUS_REFUSED || !link_) return cmd_status_;
        catch_up();
        return link_->busy() ? NVSOC_NVL_CMD_STATUS_BUSY : NVSOC_NVL_CMD_STATUS_DONE;
    });
    ro("_ctrl", NVSOC_NVL_CTRL,
       [this](unsigned) -> uint64_t { return link_ && link_->ali() ? NVSOC_NVL_CTRL_ALI : 0; });
    ro("_remote_device", NVSOC_NVL_REMOTE_DEVICE,
       [this](unsigned) -> uint64_t { return remote_device(); });
    ro("_remote_link", NVSOC_NVL_REMOTE_LINK,
       [this](unsigned) -> uint64_t { return remote_link(); });
    ro("_bandwidth_mbps", NVSOC_NVL_BANDWIDTH_MBPS,
       [this](unsigned) -> uint64_t { return bandwidth_mbps(); });
    struct Counter64 {
        const char* name;
        uint64_t offset;
        uint64_t Counters::*field;
    };
    static const Counter64 counters64[] = {
        {"_tl_tx_bytes", NVSOC_NVL_TL_TX_BYTES, &Counters::tl_tx_bytes},
        {"_tl_rx_bytes", NVSOC_NVL_TL_RX_BYTES, &Counters::tl_rx_bytes},
        {"_tl_tx_packets", NVSOC_NVL_TL_TX_PACKETS, &Counters::tl_tx_packets},
        {"_tl_rx_packets", NVSOC_NVL_TL_RX_PACKETS, &Counters::tl_rx_packets},
        {"_dl_replay", NVSOC_NVL_DL_REPLAY, &Counters::dl_replay},
        {"_dl_recovery", NVSOC_NVL_DL_RECOVERY, &Counters::dl_recovery},
        {"_dl_crc_flit", NVSOC_NVL_DL_CRC_FLIT, &Counters::dl_crc_flit},
        {"_dl_crc_data", NVSOC_NVL_DL_CRC_DATA, &Counters::dl_crc_data},
    };
    for (const Counter64& c : counters64) {
        uint64_t Counters::*field = c.field;
        for (unsigned half = 0; half < 2; ++half)
            ro((std::string(c.name) + (half ? "_hi" : "_lo")).c_str(), c.offset + 4 * half,
               [this, field, half](unsigned) -> uint64_t {
                   return static_cast<uint32_t>(counters().*field >> (32 * half));
               });
    }
    bank.add(RegisterSpec{.name = prefix + "_crc_lane",
                          .offset = base + NVSOC_NVL_CRC_LANE(0),
                          .count = kMaxLanes,
                          .write_mask = 0,
                          .on_read = [this](unsigned i) -> uint64_t {
                              return static_cast<uint32_t>(counters().crc_lane[i]);
                          }});
    bank.add(RegisterSpec{.name = prefix + "_ecc_lane",
                          .offset = base + NVSOC_NVL_ECC_LANE(0),
                          .count = kMaxEccLanes,
                          .write_mask = 0,
                          .on_read = [this](unsigned i) -> uint64_t {
                              return static_cast<uint32_t>(counters().ecc_lane[i]);
                          }});
    bank.add(RegisterSpec{.name = prefix + "_counter_reset",
                          .offset = base + NVSOC_NVL_COUNTER_RESET,
                          .on_read = [](unsigned) -> uint64_t { return 0; },
                          .on_write =
                              [this](unsigned, uint64_t v, uint64_t) {
                                  if (v & 1) reset_counters();
                              }});
    bank.add(RegisterSpec{.name = prefix + "_err_status",
                          .offset = base + NVSOC_NVL_ERR_STATUS,
                          .on_read = [this](unsigned) -> uint64_t { return err_status_; },
                          .on_write =
                              [this](unsigned, uint64_t v, uint64_t) {
                                  bool was = pending();
                                  err_status_ &= ~static_cast<uint32_t>(v);
                                  if (pending() != was) host_.port_interrupt_changed();
                              }});
    bank.add(RegisterSpec{.name = prefix + "_err_en",
                          .offset = base + NVSOC_NVL_ERR_EN,
                          .on_read = [this](unsigned) -> uint64_t { return err_en_; },
                          .on_write =
                              [this](unsigned, uint64_t v, uint64_t) {
                                  bool was = pending();
                                  err_en_ = static_cast<uint32_t>(v) & 0x1f;
                                  if (pending() != was) host_.port_interrupt_changed();
                              }});
}

} // namespace nvsoc::nvlink
