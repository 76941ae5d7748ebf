#include "models/irq/aclint.h"

#include "models/core/model_registry.h"

#include <cmath>
#include <limits>

namespace nvsoc {

namespace {

using u128 = unsigned __int128;

constexpr uint64_t kNever = std::numeric_limits<uint64_t>::max();

} // namespace

Aclint::Aclint(const DeviceConfig& config)
    : Device(config), hart_ids_(config.driven_harts()),
      harts_(static_cast<unsigned>(hart_ids_.size())), timebase_(config.params.u64("timebase")) {
    msip_out.resize(harts_);
    mtip_out.resize(harts_);
    if (harts_ == 0 || harts_ > kMaxHarts)
        throw InputError(config.where, fmt::format("{}: the CLINT layout supports 1 to {} harts, "
                                                   "not {}",
                                                   config.name, kMaxHarts, harts_));
    if (config.size < kMinSize)
        throw InputError(config.where, fmt::format("{}: give it a size of at least 0x{:x}",
                                                   config.name, kMinSize));

    double resolution = sc_core::sc_get_time_resolution().to_seconds();
    units_per_sec_ = static_cast<uint64_t>(std::llround(1.0 / resolution));

    {
        RegisterSpec r;
        r.name = "msip";
        r.offset = kMsipBase;
        r.width = 4;
        r.count = harts_;
        r.write_mask = 1;
        r.on_write = [this](unsigned h, uint64_t v, uint64_t) { msip_out[h].set(v & 1); };
        regs_.add(std::move(r));
    }
    {
        RegisterSpec r;
        r.name = "mtimecmp";
        r.offset = kMtimecmpBase;
        r.width = 8;
        r.count = harts_;
        r.reset = ~0ull;
        r.on_write = [this](unsigned, uint64_t, uint64_t) { update_timers(access_time_); };
        mtimecmp_id_ = regs_.add(std::move(r));
    }
    {
        RegisterSpec r;
        r.name = "mtime";
        r.offset = kMtime;
        r.width = 8;
        r.on_read = [this](unsigned) { return mtime_at(access_time_); };
        r.on_write = [this](unsigned, uint64_t v, uint64_t) {
            offset_ = v - ticks_at(access_time_);
            update_timers(access_time_);
        };
        mtime_id_ = regs_.add(std::move(r));
    }

    sc_core::sc_spawn_options opts;
    opts.spawn_method();
    opts.set_sensitivity(&timer_event_);
    opts.dont_initialize();
    sc_core::sc_spawn([this] { on_timer(); }, "mtimer", &opts);

    offset_ = 0 - ticks_at(sc_core::sc_time_stamp().value());
}

uint64_t Aclint::ticks_at(uint64_t t) const {
    return static_cast<uint64_t>(u128(t) * timebase_ / units_per_sec_);
}

sc_core::sc_time Aclint::time_of(uint64_t value) const {
    const uint64_t now = sc_core::sc_time_stamp().value();
    const uint64_t current = mtime_at(now);
    if (current >= value) return sc_core::SC_ZERO_TIME;
    // The first time whose tick count reaches the target, as for mtimecmp.
    u128 target = u128(ticks_at(now)) + (value - current);
    u128 when = (target * units_per_sec_ + timebase_ - 1) / timebase_;
    if (when > u128(UINT64_MAX)) return sc_core::sc_max_time();
    return sc_core::sc_time::from_value(static_cast<uint64_t>(when));
}

void Aclint::update_timers(uint64_t t) {
    const uint64_t now = sc_core::sc_time_stamp().value();
    const uint64_t ticks = ticks_at(t);
    const uint64_t current = ticks + offset_;
    uint64_t earliest = kNever;
    for (unsigned h = 0; h < harts_; ++h) {
        uint64_t cmp = regs_.value(mtimecmp_id_, h);
        if (current >= cmp) {
            mtip_out[h].set(true);
            continue;
        }
        mtip_out[h].set(false);
        // The first time whose tick count reaches `target`:
        // ceil(target * units_per_sec / timebase).
        u128 target = u128(ticks) + (cmp - current);
        u128 when = (target * units_per_sec_ + timebase_ - 1) / timebase_;
        if (when < earliest) earliest = static_cast<uint64_t>(when);
    }
    timer_event_.cancel();
    if (earliest != kNever) timer_event_.notify(sc_core::sc_time::from_value(earliest - now));
}

void Aclint::on_timer() {
    update_timers(sc_core::sc_time_stamp().value());
}

void Aclint::b_transport(tlm::tlm_generic_payload& tx, sc_core::sc_time& delay) {
    access_time_ = (sc_core::sc_time_stamp() + delay).value();
    // Partial writes of mtime merge into its current value, not a stale one.
    regs_.set(mtime_id_, mtime_at(access_time_));
    Device::b_transport(tx, delay);
    access_time_ = sc_core::sc_time_stamp().value();
}

void Aclint::reset() {
    regs_.reset();
    const uint64_t now = sc_core::sc_time_stamp().value();
    offset_ = 0 - ticks_at(now);
    access_time_ = now;
    for (auto& line : msip_out)
        line.set(false);
    update_timers(now);
}

void Aclint::connect_harts(const std::vector<HartIrqPins*>& harts) {
    for (unsigned h = 0; h < harts_ && h < harts.size(); ++h) {
        msip_out[h].connect(*harts[h], HartIrqPins::kMsip);
        mtip_out[h].connect(*harts[h], HartIrqPins::kMtip);
    }
}

void Aclint::describe_dt(DtContext& ctx) {
    DtNode& node = ctx.soc_node("clint", base(), size());
    node.set_strings("compatible", {"sifive,clint0", "riscv,clint0"});
    std::vector<uint32_t> cells;
    for (unsigned id : hart_ids_)
        if (id < ctx.harts())
            cells.insert(cells.end(), {ctx.hart_intc(id), HartIrqPins::kMsip, ctx.hart_intc(id),
                                       HartIrqPins::kMtip});
    node.set_cells("interrupts-extended", std::move(cells));
    ctx.root().child("cpus").set_u32("timebase-frequency", static_cast<uint32_t>(timebase_));
}

NVSOC_REGISTER_MODEL(ModelInfo{
    .type = "aclint",
    .doc = "RISC-V ACLINT (MSWI + MTIMER) in the SiFive CLINT-compatible layout",
    .params =
        {
            ParamSpec{"timebase", ParamType::Frequency, "10MHz",
                      "rate at which mtime counts (DT timebase-frequency)", /*required=*/false,
                      /*choices=*/{}, /*min=*/1, /*max=*/0xFFFFFFFF},
            harts_param(),
        },
    .default_size = 0x10000,
    .irq_outputs = 0,
    .create = [](const DeviceConfig& c) { return std::make_unique<Aclint>(c); },
    .roles = kTimeSource,
    .hart_pins = [](const Params&) -> std::vector<unsigned> {
        return {HartIrqPins::kMsip, HartIrqPins::kMtip};
    },
});

} // namespace nvsoc
