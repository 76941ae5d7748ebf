#include "models/irq/plic.h"

#include "models/core/model_registry.h"

#include <cstring>

namespace nvsoc {

Plic::Plic(const DeviceConfig& config)
    : Device(config), sources_(static_cast<unsigned>(config.params.u64("sources"))),
      words_(sources_ / 32 + 1), hart_ids_(config.driven_harts()),
      contexts_(2 * static_cast<unsigned>(hart_ids_.size())) {
    // Every register is 32 bits; the rest of the window is reserved space.
    access_width_ = 4;
    unmapped_is_reserved_ = true;
    if (contexts_ == 0 || contexts_ > kMaxContexts)
        throw InputError(config.where, fmt::format("{}: the PLIC supports 1 to {} harts, not {}",
                                                   config.name, kMaxContexts / 2, contexts_ / 2));
    uint64_t needed = kContextBase + kContextStride * contexts_;
    if (config.size < needed)
        throw InputError(config.where,
                         fmt::format("{}: {} harts need {} contexts; give it a size of at least "
                                     "0x{:x}",
                                     config.name, contexts_ / 2, contexts_, needed));
    unsigned bits = static_cast<unsigned>(config.params.u64("priority-bits"));
    priority_mask_ = bits >= 32 ? ~0u : (1u << bits) - 1;

    edge_.assign(words_, 0);
    level_.assign(words_, 0);
    pending_.assign(words_, 0);
    in_service_.assign(words_, 0);
    edge_saved_.assign(words_, 0);
    parse_edge_sources(config);

    context_out.resize(contexts_);

    // The hottest registers first: the bank decodes in declaration order.
    {
        RegisterSpec r;
        r.name = "claim";
        r.offset = kContextBase + 4;
        r.width = 4;
        r.count = contexts_;
        r.stride = kContextStride;
        r.on_read = [this](unsigned ctx) -> uint64_t { return claim(ctx); };
        r.on_write = [this](unsigned ctx, uint64_t v, uint64_t) {
            complete(ctx, static_cast<uint32_t>(v));
        };
        regs_.add(std::move(r));
    }
    {
        RegisterSpec r;
        r.name = "threshold";
        r.offset = kContextBase;
        r.width = 4;
        r.count = contexts_;
        r.stride = kContextStride;
        r.write_mask = priority_mask_;
        r.on_write = [this](unsigned, uint64_t, uint64_t) { update(); };
        threshold_id_ = regs_.add(std::move(r));
    }
    {
        RegisterSpec r;
        r.name = "pending";
        r.offset = kPendingBase;
        r.width = 4;
        r.count = words_;
        r.write_mask = 0;
        r.on_read = [this](unsigned w) -> uint64_t { return pending_[w]; };
        regs_.add(std::move(r));
    }
    {
        RegisterSpec r;
        r.name = "priority0";
        r.offset = kPriorityBase;
        r.width = 4;
        r.write_mask = 0;
        regs_.add(std::move(r));
    }
    {
        RegisterSpec r;
        r.name = "priority";
        r.offset = kPriorityBase + 4;
        r.width = 4;
        r.count = sources_;
        r.write_mask = priority_mask_;
        r.on_write = [this](unsigned, uint64_t, uint64_t) { update(); };
        priority_id_ = regs_.add(std::move(r));
    }
    {
        RegisterSpec r;
        r.name = "enable";
        r.offset = kEnableBase;
        r.width = 4;
        r.count = contexts_ * kEnableWords;
        r.on_write = [this](unsigned index, uint64_t v, uint64_t) {
            // Source 0 and sources beyond `sources` are hardwired to 0.
            unsigned word = index % kEnableWords;
            uint64_t valid = 0;
            if (word < words_) {
                valid = 0xFFFFFFFFull;
                if (word == 0) valid &= ~1ull;
                if (word == sources_ / 32) valid &= (2ull << (sources_ % 32)) - 1;
            }
            regs_.set(enable_id_, v & valid, index);
            update();
        };
        enable_id_ = regs_.add(std::move(r));
    }
}

void Plic::parse_edge_sources(const DeviceConfig& config) {
    for (const Range& r : config.params.ranges("edge-sources").items) {
        // The table bounds sources by the largest PLIC; this one has fewer.
        if (r.hi > sources_)
            throw InputError(config.params.where("edge-sources"),
                             fmt::format("'{}': edge source {} does not exist: sources are "
                                         "numbered 1 to {}",
                                         config.name, r.hi, sources_));
        for (uint64_t s = r.lo; s <= r.hi; ++s)
            assign(edge_, static_cast<unsigned>(s), true);
    }
}

void Plic::set_source(unsigned source, bool level) {
    if (source == 0 || source > sources_) {
        log_.guest_error("interrupt source {} does not exist (sources are 1 to {})", source,
                         sources_);
        return;
    }
    bool was = test(level_, source);
    if (was == level) return;
    assign(level_, source, level);
    if (test(edge_, source)) {
        if (!level) return; // falling edges do nothing
        if (test(in_service_, source))
            assign(edge_saved_, source, true);
        else
            assign(pending_, source, true);
    } else {
        assign(pending_, source, level && !test(in_service_, source));
    }
    update();
}

unsigned Plic::best(unsigned ctx) const {
    uint64_t best_priority = regs_.value(threshold_id_, ctx);
    unsigned best_source = 0;
    for (unsigned w = 0; w < words_; ++w) {
        uint32_t bits = pending_[w] & enable_word(ctx, w);
        while (bits) {
            unsigned s = w * 32 + static_cast<unsigned>(__builtin_ctz(bits));
            bits &= bits - 1;
            uint64_t p = regs_.value(priority_id_, s - 1);
            if (p > best_priority) {
                best_priority = p;
                best_source = s;
            }
        }
    }
    return best_source;
}

uint32_t Plic::claim(unsigned ctx) {
    unsigned s = best(ctx);
    if (s == 0) return 0;
    assign(pending_, s, false);
    assign(in_service_, s, true);
    log_.debug("context {} claims source {}", ctx, s);
    update();
    return s;
}

void Plic::complete(unsigned ctx, uint32_t source) {
    // The spec leaves completions of sources not enabled for the context
    // without effect.
    if (source == 0 || source > sources_ || !enabled(ctx, source)) {
        log_.debug("context {} completes source {}, which it cannot: ignored", ctx, source);
        return;
    }
    if (!test(in_service_, source)) return;
    assign(in_service_, source, false);
    if (test(edge_, source)) {
        if (test(edge_saved_, source)) {
            assign(edge_saved_, source, false);
            assign(pending_, source, true);
        }
    } else if (test(level_, source)) {
        assign(pending_, source, true);
    }
    log_.debug("context {} completes source {}", ctx, source);
    update();
}

void Plic::update() {
    for (unsigned ctx = 0; ctx < contexts_; ++ctx)
        context_out[ctx].set(best(ctx) != 0);
}

void Plic::reset() {
    regs_.reset();
    for (unsigned w = 0; w < words_; ++w) {
        pending_[w] = level_[w] & ~edge_[w];
        in_service_[w] = 0;
        edge_saved_[w] = 0;
    }
    update();
}

void Plic::connect_harts(const std::vector<HartIrqPins*>& harts) {
    for (unsigned h = 0; 2 * h < contexts_ && h < harts.size(); ++h) {
        context_out[2 * h].connect(*harts[h], HartIrqPins::kMeip);
        context_out[2 * h + 1].connect(*harts[h], HartIrqPins::kSeip);
    }
}

void Plic::describe_dt(DtContext& ctx) {
    DtNode& node = ctx.soc_node("plic", base(), size());
    node.set_strings("compatible", {"sifive,plic-1.0.0", "riscv,plic0"});
    node.set_u32("#address-cells", 0);
    node.set_u32("#interrupt-cells", 1);
    node.set_empty("interrupt-controller");
    node.set_u32("riscv,ndev", sources_);
    std::vector<uint32_t> cells;
    for (unsigned id : hart_ids_)
        if (id < ctx.harts())
            cells.insert(cells.end(), {ctx.hart_intc(id), HartIrqPins::kMeip, ctx.hart_intc(id),
                                       HartIrqPins::kSeip});
    node.set_cells("interrupts-extended", std::move(cells));
    node.set_u32("phandle", ctx.phandle_of(instance()));
}

NVSOC_REGISTER_MODEL(ModelInfo{
    .type = "plic",
    .doc = "RISC-V Platform-Level Interrupt Controller, M and S contexts per hart",
    .params =
        {
            ParamSpec{"sources", ParamType::Integer, "95",
                      "number of interrupt sources, numbered 1..N (DT riscv,ndev)",
                      /*required=*/false, /*choices=*/{}, /*min=*/1, /*max=*/1023},
            ParamSpec{"priority-bits", ParamType::Integer, "3",
                      "implemented priority bits (priorities 0 to 2^bits-1)", /*required=*/false,
                      /*choices=*/{}, /*min=*/1, /*max=*/32},
            ParamSpec{"edge-sources", ParamType::Ranges, "",
                      "edge-triggered sources, e.g. \"3,7-9\" (the others are level-triggered)",
                      /*required=*/false, /*choices=*/{}, /*min=*/1, /*max=*/1023},
            harts_param(),
        },
    .default_size = 0x600000,
    .irq_outputs = 0,
    .create = [](const DeviceConfig& c) { return std::make_unique<Plic>(c); },
    .roles = kInterruptController,
    .hart_pins = [](const Params&) -> std::vector<unsigned> {
        return {HartIrqPins::kMeip, HartIrqPins::kSeip};
    },
});

} // namespace nvsoc
