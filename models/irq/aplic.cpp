#include "models/irq/aplic.h"

#include "models/core/model_registry.h"

#include <algorithm>
#include <cstring>

namespace nvsoc {

namespace {

constexpr uint32_t kHartIndexShift = 18; // target, genmsi: hart index in 31:18
constexpr uint32_t kHartIndexMask = 0x3FFF;
constexpr uint32_t kGuestShift = 12; // target (MSI): guest index in 17:12
constexpr uint32_t kEiidMask = 0x7FF;
constexpr uint32_t kIprioMask = 0xFF;
// Writable fields of the MSI address registers (AIA §4.5.3-4.5.4).
constexpr uint32_t kMmsiaddrcfghMask = 0x9F77FFFF; // L, HHXS, LHXS, HHXW, LHXW, PPN[43:32]
constexpr uint32_t kSmsiaddrcfghMask = 0x00700FFF; // LHXS, PPN[43:32]

uint32_t hart_index(uint32_t reg) {
    return reg >> kHartIndexShift;
}

const char* mode_name(uint32_t m) {
    switch (m) {
    case Aplic::kDetached:
        return "detached";
    case Aplic::kEdge1:
        return "edge rising";
    case Aplic::kEdge0:
        return "edge falling";
    case Aplic::kLevel1:
        return "level high";
    case Aplic::kLevel0:
        return "level low";
    default:
        return "inactive";
    }
}

} // namespace

Aplic::Aplic(const DeviceConfig& config)
    : Device(config), msi("msi"), sources_(static_cast<unsigned>(config.params.u64("sources"))),
      words_(sources_ / 32 + 1),
      delivery_(config.params.choice("delivery") == 0 ? Delivery::Msi : Delivery::Direct),
      iprio_mask_((1u << config.params.u64("iprio-bits")) - 1),
      guest_mask_(config.params.u64("geilen") ? 0x3F : 0), s_base_(config.params.u64("s-base")),
      hart_ids_(config.driven_harts()) {
    // The table bounds `sources` too; this guards models built in code.
    if (sources_ < 1 || sources_ > kMaxSources)
        throw InputError(config.params.where("sources"),
                         fmt::format("'{}': an APLIC has 1 to {} sources, not {}", config.name,
                                     kMaxSources, sources_));
    if (config.size < kMinSize || config.size % 0x1000 || config.base % 0x1000)
        throw InputError(config.where,
                         fmt::format("'{}': an APLIC domain's control region is a multiple of 4 "
                                     "KiB, 4 KiB aligned and at least 16 KiB (0x4000)",
                                     config.name));
    if (delivery_ == Delivery::Direct) {
        idcs_ = static_cast<unsigned>(hart_ids_.size());
        uint64_t needed = kIdc + kIdcStride * idcs_;
        if (config.size < needed)
            throw InputError(config.where,
                             fmt::format("'{}': direct delivery to {} harts needs their interrupt "
                                         "delivery controls up to offset 0x{:x}: give it a size "
                                         "of at least 0x{:x}",
                                         config.name, idcs_, needed, (needed + 0xFFF) & ~0xFFFull));
    }
    if (s_base_ != 0) {
        const Location& at = config.params.where("s-base");
        if (s_base_ % 0x1000)
            throw InputError(
                at, fmt::format("'{}': s-base 0x{:x} is not 4 KiB aligned", config.name, s_base_));
        if (s_base_ < config.base + config.size && config.base < s_base_ + config.size)
            throw InputError(at, fmt::format("'{}': the supervisor domain at s-base 0x{:x} "
                                             "overlaps the machine domain at 0x{:x}-0x{:x} (each "
                                             "domain takes `size`, 0x{:x})",
                                             config.name, s_base_, config.base,
                                             config.base + config.size - 1, config.size));
    }

    // Every access is one aligned 32-bit word (AIA §4.5); the rest of each
    // domain's region is reserved, read-only zero, and every access to it
    // is logged.
    access_width_ = 4;
    unmapped_is_reserved_ = true;
    reserved_log_ = ReservedLog::All;
    wire_.assign(words_, 0);
    m_.machine = true;
    if (s_base_ != 0) {
        s_ = std::make_unique<Domain>();
        s_->machine = false;
        s_target_ = std::make_unique<tlm_utils::simple_target_socket<Aplic>>("s_target");
        s_target_->register_b_transport(this, &Aplic::s_transport);
    }
    for (Domain* d : {&m_, s_.get()}) {
        if (!d) continue;
        d->sourcecfg.assign(sources_ + 1, 0);
        d->target.assign(sources_ + 1, 0);
        d->pending.assign(words_, 0);
        d->enabled.assign(words_, 0);
        d->idelivery.assign(idcs_, 0);
        d->iforce.assign(idcs_, 0);
        d->ithreshold.assign(idcs_, 0);
        d->out.resize(idcs_);
        declare_registers(*d);
    }
}

void Aplic::declare_registers(Domain& d) {
    RegisterBank& r = d.regs;
    Domain* dp = &d;
    // A source number or word index the register array covers, in range.
    auto source = [this](unsigned index) { return index + 1 <= sources_ ? index + 1 : 0u; };
    auto word_ok = [this](unsigned w) { return w < words_; };

    // The hottest registers first: the bank decodes in declaration order.
    if (delivery_ == Delivery::Direct) {
        r.add(RegisterSpec{
            .name = "claimi",
            .offset = kIdc + kClaimi,
            .count = idcs_,
            .stride = kIdcStride,
            .write_mask = 0,
            .on_read = [this, dp](unsigned k) -> uint64_t { return claim(*dp, k); },
        });
        r.add(RegisterSpec{
            .name = "topi",
            .offset = kIdc + kTopi,
            .count = idcs_,
            .stride = kIdcStride,
            .write_mask = 0,
            .on_read = [this, dp](unsigned k) -> uint64_t { return topi(*dp, k); },
        });
    }
    r.add(RegisterSpec{
        .name = "setipnum_le",
        .offset = kSetipnumLe,
        .on_read = [](unsigned) -> uint64_t { return 0; },
        .on_write = [this, dp](unsigned, uint64_t v,
                               uint64_t) { set_pending_sw(*dp, static_cast<uint32_t>(v)); },
    });
    auto by_number = [&](const char* name, uint64_t offset,
                         std::function<void(Domain&, unsigned)> act) {
        r.add(RegisterSpec{
            .name = name,
            .offset = offset,
            .on_read = [](unsigned) -> uint64_t { return 0; },
            .on_write = [dp, act = std::move(act)](
                            unsigned, uint64_t v, uint64_t) { act(*dp, static_cast<uint32_t>(v)); },
        });
    };
    by_number("setienum", kSetienum, [this](Domain& x, unsigned s) { set_enable(x, s, true); });
    by_number("clrienum", kClrienum, [this](Domain& x, unsigned s) { set_enable(x, s, false); });
    by_number("setipnum", kSetipnum, [this](Domain& x, unsigned s) { set_pending_sw(x, s); });
    by_number("clripnum", kClripnum, [this](Domain& x, unsigned s) { clear_pending_sw(x, s); });
    by_number("setipnum_be", kSetipnumBe,
              [this](Domain& x, unsigned s) { set_pending_sw(x, __builtin_bswap32(s)); });

    r.add(RegisterSpec{
        .name = "domaincfg",
        .offset = kDomaincfg,
        .on_read = [this, dp](unsigned) -> uint64_t {
            return kDomaincfgFixed | (dp->ie ? kDomaincfgIe : 0) |
                   (delivery_ == Delivery::Msi ? kDomaincfgDm : 0);
        },
        .on_write =
            [this, dp](unsigned, uint64_t v, uint64_t) {
                dp->ie = (v & kDomaincfgIe) != 0;
                update(*dp);
            },
    });
    r.add(RegisterSpec{
        .name = "sourcecfg",
        .offset = kSourcecfg,
        .count = kMaxSources,
        .on_read = [dp, source](unsigned i) -> uint64_t {
            unsigned s = source(i);
            return s ? dp->sourcecfg[s] : 0;
        },
        .on_write =
            [this, dp, source](unsigned i, uint64_t v, uint64_t) {
                if (unsigned s = source(i)) write_sourcecfg(*dp, s, static_cast<uint32_t>(v));
            },
    });
    r.add(RegisterSpec{
        .name = "target",
        .offset = kTarget,
        .count = kMaxSources,
        .on_read = [dp, source](unsigned i) -> uint64_t {
            unsigned s = source(i);
            return s ? dp->target[s] : 0;
        },
        .on_write =
            [this, dp, source](unsigned i, uint64_t v, uint64_t) {
                if (unsigned s = source(i)) write_target(*dp, s, static_cast<uint32_t>(v));
            },
    });
    r.add(RegisterSpec{
        .name = "setip",
        .offset = kSetip,
        .count = 32,
        .on_read = [dp, word_ok](unsigned w) -> uint64_t {
            return word_ok(w) ? dp->pending[w] : 0;
        },
        .on_write =
            [this, dp](unsigned w, uint64_t v, uint64_t) {
                for (unsigned b = 0; b < 32; ++b)
                    if ((v >> b) & 1) set_pending_sw(*dp, 32 * w + b);
            },
    });
    r.add(RegisterSpec{
        .name = "in_clrip",
        .offset = kInClrip,
        .count = 32,
        .on_read = [this, dp, word_ok](unsigned w) -> uint64_t {
            return word_ok(w) ? rectified_word(*dp, w) : 0;
        },
        .on_write =
            [this, dp](unsigned w, uint64_t v, uint64_t) {
                for (unsigned b = 0; b < 32; ++b)
                    if ((v >> b) & 1) clear_pending_sw(*dp, 32 * w + b);
            },
    });
    r.add(RegisterSpec{
        .name = "setie",
        .offset = kSetie,
        .count = 32,
        .on_read = [dp, word_ok](unsigned w) -> uint64_t {
            return word_ok(w) ? dp->enabled[w] : 0;
        },
        .on_write =
            [this, dp](unsigned w, uint64_t v, uint64_t) {
                for (unsigned b = 0; b < 32; ++b)
                    if ((v >> b) & 1) set_enable(*dp, 32 * w + b, true);
            },
    });
    r.add(RegisterSpec{
        .name = "clrie",
        .offset = kClrie,
        .count = 32,
        .on_read = [](unsigned) -> uint64_t { return 0; },
        .on_write =
            [this, dp](unsigned w, uint64_t v, uint64_t) {
                for (unsigned b = 0; b < 32; ++b)
                    if ((v >> b) & 1) set_enable(*dp, 32 * w + b, false);
            },
    });
    r.add(RegisterSpec{
        .name = "genmsi",
        .offset = kGenmsi,
        .on_read = [this, dp](unsigned) -> uint64_t {
            // Busy (bit 12) is never seen set: the MSI leaves during the write.
            return delivery_ == Delivery::Msi ? dp->genmsi : 0;
        },
        .on_write =
            [this, dp](unsigned, uint64_t v, uint64_t) {
                if (delivery_ != Delivery::Msi) return; // read-only zero in direct mode
                dp->genmsi =
                    static_cast<uint32_t>(v) & ((kHartIndexMask << kHartIndexShift) | kEiidMask);
                ++genmsis_;
                // Extempore MSIs ignore domaincfg.IE and go to guest index 0.
                send_msi(*dp, hart_index(dp->genmsi), 0, dp->genmsi & kEiidMask, "genmsi");
            },
    });

    // The root domain configures the MSI addresses of both domains.
    if (d.machine && delivery_ == Delivery::Msi) {
        auto cfg = [&](const char* name, uint64_t offset, uint32_t* reg, uint32_t mask,
                       bool s_only) {
            if (s_only && !s_) return; // only with a supervisor-level domain
            r.add(RegisterSpec{
                .name = name,
                .offset = offset,
                .on_read = [reg](unsigned) -> uint64_t { return *reg; },
                .on_write =
                    [this, reg, mask, name](unsigned, uint64_t v, uint64_t) {
                        if (msi_locked()) {
                            log_.debug("{} is locked: write 0x{:x} ignored", name, v);
                            return;
                        }
                        *reg = static_cast<uint32_t>(v) & mask;
                    },
            });
        };
        cfg("mmsiaddrcfg", kMmsiaddrcfg, &mmsiaddrcfg_, 0xFFFFFFFF, false);
        cfg("mmsiaddrcfgh", kMmsiaddrcfgh, &mmsiaddrcfgh_, kMmsiaddrcfghMask, false);
        cfg("smsiaddrcfg", kSmsiaddrcfg, &smsiaddrcfg_, 0xFFFFFFFF, true);
        cfg("smsiaddrcfgh", kSmsiaddrcfgh, &smsiaddrcfgh_, kSmsiaddrcfghMask, true);
    }

    if (delivery_ == Delivery::Direct) {
        auto idc = [&](const char* name, uint64_t offset, std::vector<uint32_t>* regs,
                       uint32_t mask) {
            r.add(RegisterSpec{
                .name = name,
                .offset = kIdc + offset,
                .count = idcs_,
                .stride = kIdcStride,
                .on_read = [regs](unsigned k) -> uint64_t { return (*regs)[k]; },
                .on_write =
                    [this, dp, regs, mask](unsigned k, uint64_t v, uint64_t) {
                        (*regs)[k] = static_cast<uint32_t>(v) & mask;
                        update(*dp);
                    },
            });
        };
        idc("idelivery", kIdelivery, &d.idelivery, 1);
        idc("iforce", kIforce, &d.iforce, 1);
        idc("ithreshold", kIthreshold, &d.ithreshold, iprio_mask_);
    }
}

std::vector<Device::Window> Aplic::windows() {
    if (!s_) return {};
    return {Window{.name = instance() + ".s",
                   .base = s_base_,
                   .size = size(),
                   .socket = s_target_.get(),
                   .where = config().params.where("s-base")}};
}

void Aplic::b_transport(tlm::tlm_generic_payload& tx, sc_core::sc_time& delay) {
    serve_window(m_.regs, size(), tx, delay);
}

uint32_t Aplic::mode(const Domain& d, unsigned s) const {
    if (s == 0 || s > sources_) return kInactive;
    uint32_t cfg = d.sourcecfg[s];
    return (cfg & kSourcecfgD) ? kInactive : (cfg & 7);
}

bool Aplic::rectified(const Domain& d, unsigned s) const {
    switch (mode(d, s)) {
    case kEdge1:
    case kLevel1:
        return test(wire_, s);
    case kEdge0:
    case kLevel0:
        return !test(wire_, s);
    default:
        return false; // inactive or detached
    }
}

uint32_t Aplic::rectified_word(const Domain& d, unsigned word) const {
    uint32_t v = 0;
    for (unsigned b = 0; b < 32; ++b)
        if (rectified(d, 32 * word + b)) v |= 1u << b;
    return v;
}

Aplic::Domain* Aplic::domain_of(unsigned s) {
    if (active(m_, s)) return &m_;
    if (s_ && active(*s_, s)) return s_.get();
    return nullptr;
}

void Aplic::set_wire(unsigned s, bool level) {
    if (s == 0 || s > sources_) {
        log_.guest_error("interrupt source {} does not exist (sources are 1 to {})", s, sources_);
        return;
    }
    if (test(wire_, s) == level) return;
    Domain* d = domain_of(s);
    bool before = d && rectified(*d, s);
    assign(wire_, s, level);
    if (!d) return;
    bool after = rectified(*d, s);
    uint32_t m = mode(*d, s);
    if (level_mode(m)) {
        // Direct delivery: pending is the rectified input. MSI delivery: it
        // is set on the rising edge and cleared whenever the input is low.
        if (delivery_ == Delivery::Direct || !after)
            assign(d->pending, s, after);
        else if (!before)
            assign(d->pending, s, true);
    } else if (m == kEdge1 || m == kEdge0) {
        if (after && !before) assign(d->pending, s, true);
    }
    update(*d);
}

void Aplic::deactivate(Domain& d, unsigned s) {
    assign(d.pending, s, false);
    assign(d.enabled, s, false);
    d.target[s] = 0;
}

void Aplic::write_sourcecfg(Domain& d, unsigned s, uint32_t value) {
    // A source the root has not delegated does not exist for the child.
    if (!d.machine && !delegated(s)) return;
    bool was_active = active(d, s);
    bool was_delegated = d.machine && delegated(s);
    uint32_t cfg;
    if (value & kSourcecfgD) {
        // The one child has index 0; a leaf (the child, or a root without
        // one) cannot delegate and takes zero instead.
        cfg = (d.machine && s_) ? kSourcecfgD : 0;
    } else {
        cfg = value & 7;
        if (cfg == 2 || cfg == 3) {
            log_.guest_error("{} domain: sourcecfg[{}] = 0x{:x} selects a reserved source mode: "
                             "the source is made inactive",
                             d.machine ? "machine" : "supervisor", s, value);
            cfg = kInactive;
        }
    }
    d.sourcecfg[s] = cfg;
    uint32_t m = mode(d, s);
    if (m == kInactive) {
        deactivate(d, s);
    } else {
        // A newly active source starts neither pending nor enabled, with a
        // valid target (priority 1 in direct mode).
        if (!was_active) {
            deactivate(d, s);
            d.target[s] = delivery_ == Delivery::Direct ? 1 : 0;
        }
        if (level_mode(m)) {
            if (delivery_ == Delivery::Direct)
                assign(d.pending, s, rectified(d, s));
            else if (rectified(d, s))
                assign(d.pending, s, true);
        }
    }
    log_.debug("{} domain: source {} {}", d.machine ? "machine" : "supervisor", s,
               (cfg & kSourcecfgD) ? "delegated" : mode_name(m));
    // Taking a delegation back leaves the child's view of the source at its
    // reset state: sourcecfg zero until written again.
    if (was_delegated && !delegated(s) && s_) {
        s_->sourcecfg[s] = 0;
        deactivate(*s_, s);
        update(*s_);
    }
    update(d);
}

void Aplic::set_pending_sw(Domain& d, unsigned s) {
    uint32_t m = mode(d, s);
    if (m == kInactive) return;
    // A level-sensitive source pends by software only in MSI delivery mode
    // and only while its input is asserted (AIA §4.7): Linux's end of
    // interrupt for level IRQs in MSI mode writes setipnum_le and relies on
    // this to avoid an MSI storm.
    if (level_mode(m) && (delivery_ == Delivery::Direct || !rectified(d, s))) return;
    assign(d.pending, s, true);
    update(d);
}

void Aplic::clear_pending_sw(Domain& d, unsigned s) {
    uint32_t m = mode(d, s);
    if (m == kInactive) return;
    // In direct mode a level source's pending bit is its input.
    if (level_mode(m) && delivery_ == Delivery::Direct) return;
    assign(d.pending, s, false);
    update(d);
}

void Aplic::set_enable(Domain& d, unsigned s, bool on) {
    if (!active(d, s)) return;
    assign(d.enabled, s, on);
    update(d);
}

void Aplic::write_target(Domain& d, unsigned s, uint32_t value) {
    if (!active(d, s)) return; // read-only zero
    uint32_t hart = (value >> kHartIndexShift) & kHartIndexMask;
    if (delivery_ == Delivery::Direct) {
        uint32_t prio = value & iprio_mask_;
        d.target[s] = (hart << kHartIndexShift) | (prio ? prio : 1);
    } else {
        // Guest Index exists only at supervisor level with the H extension.
        uint32_t guest = d.machine ? 0 : (value >> kGuestShift) & guest_mask_;
        d.target[s] = (hart << kHartIndexShift) | (guest << kGuestShift) | (value & kEiidMask);
    }
    update(d);
}

uint32_t Aplic::topi(const Domain& d, unsigned idc) const {
    uint32_t threshold = d.ithreshold[idc];
    unsigned best = 0;
    uint32_t best_prio = 0;
    for (unsigned w = 0; w < words_; ++w) {
        uint32_t bits = d.pending[w] & d.enabled[w];
        while (bits) {
            unsigned s = w * 32 + static_cast<unsigned>(__builtin_ctz(bits));
            bits &= bits - 1;
            uint32_t t = d.target[s];
            if (hart_index(t) != idc) continue;
            uint32_t prio = t & kIprioMask;
            if (threshold && prio >= threshold) continue;
            // Lower numbers win; on a tie the lower source, found first.
            if (!best || prio < best_prio) {
                best = s;
                best_prio = prio;
            }
        }
    }
    return best ? (best << 16) | best_prio : 0;
}

uint32_t Aplic::claim(Domain& d, unsigned idc) {
    uint32_t top = topi(d, idc);
    if (top == 0) {
        d.iforce[idc] = 0; // a spurious claim ends a forced interrupt
        update(d);
        return 0;
    }
    unsigned s = top >> 16;
    ++claims_;
    // Direct mode: a level source stays pending while its input is asserted.
    if (!level_mode(mode(d, s))) assign(d.pending, s, false);
    log_.debug("{} domain: IDC {} claims source {}", d.machine ? "machine" : "supervisor", idc, s);
    update(d);
    return top;
}

void Aplic::update(Domain& d) {
    if (delivery_ == Delivery::Msi) {
        forward();
        return;
    }
    for (unsigned k = 0; k < idcs_; ++k)
        d.out[k].set(d.ie && d.idelivery[k] && (d.iforce[k] || topi(d, k) != 0));
}

void Aplic::forward() {
    if (forwarding_) {
        forward_again_ = true;
        return;
    }
    forwarding_ = true;
    // A guest can make the MSIs land in this APLIC again; a bounded number
    // of passes keeps such a loop from hanging the simulation (what is
    // left stays pending until the next change).
    for (unsigned pass = 0; pass < 64; ++pass) {
        forward_again_ = false;
        for (Domain* x : {&m_, s_.get()}) {
            if (!x || !x->ie) continue;
            for (unsigned w = 0; w < words_; ++w) {
                // What was due when the pass reached this word; sources an
                // MSI re-pends wait for the next pass.
                uint32_t bits = x->pending[w] & x->enabled[w];
                while (bits) {
                    unsigned s = w * 32 + static_cast<unsigned>(__builtin_ctz(bits));
                    bits &= bits - 1;
                    // An earlier MSI of this pass may have changed it.
                    if (!test(x->pending, s) || !test(x->enabled, s)) continue;
                    assign(x->pending, s, false);
                    uint32_t t = x->target[s];
                    send_msi(*x, hart_index(t), (t >> kGuestShift) & 0x3F, t & kEiidMask, "source");
                }
            }
        }
        if (!forward_again_) break;
        if (pass == 63)
            log_.guest_error("MSIs keep re-pending sources of this APLIC: forwarding paused");
    }
    forwarding_ = false;
}

uint64_t Aplic::msi_address(const Domain& d, uint32_t hart, uint32_t guest) const {
    uint32_t h = mmsiaddrcfgh_;
    unsigned lhxw = (h >> 12) & 0xF, hhxw = (h >> 16) & 0x7, lhxs = (h >> 20) & 0x7,
             hhxs = (h >> 24) & 0x1F;
    uint64_t ppn = (uint64_t(h & 0xFFF) << 32) | mmsiaddrcfg_;
    if (!d.machine) {
        // The supervisor level has its own base and hart stride, and the
        // guest files follow each hart's supervisor file (AIA §4.9.1).
        ppn = (uint64_t(smsiaddrcfgh_ & 0xFFF) << 32) | smsiaddrcfg_;
        lhxs = (smsiaddrcfgh_ >> 20) & 0x7;
    } else {
        guest = 0;
    }
    uint64_t group = (hart >> lhxw) & ((1u << hhxw) - 1);
    uint64_t local = hart & ((1u << lhxw) - 1);
    return (ppn | (group << (hhxs + 12)) | (local << lhxs) | guest) << 12;
}

void Aplic::send_msi(const Domain& d, uint32_t hart, uint32_t guest, uint32_t eiid,
                     const char* why) {
    uint64_t addr = msi_address(d, hart, guest);
    uint8_t data[4] = {static_cast<uint8_t>(eiid), static_cast<uint8_t>(eiid >> 8), 0, 0};
    tlm::tlm_generic_payload tx;
    tx.set_command(tlm::TLM_WRITE_COMMAND);
    tx.set_address(addr);
    tx.set_data_ptr(data);
    tx.set_data_length(4);
    tx.set_streaming_width(4);
    tx.set_byte_enable_ptr(nullptr);
    tx.set_dmi_allowed(false);
    tx.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
    // MSIs travel in the simulated time of whatever made them due.
    sc_core::sc_time delay = sc_core::SC_ZERO_TIME;
    if (msi.size() > 0) msi->b_transport(tx, delay);
    if (!tx.is_response_ok()) {
        ++msis_dropped_;
        // Nothing takes the write: the MSI is lost, as on hardware.
        if (!msi_drop_logged_)
            log_.guest_error("{} domain: MSI ({} to hart index {}, EIID {}) to 0x{:x}: nothing "
                             "takes it, dropped (further drops are counted, not shown)",
                             d.machine ? "machine" : "supervisor", why, hart, eiid, addr);
        msi_drop_logged_ = true;
        return;
    }
    ++msis_sent_;
    log_.debug("{} domain: MSI ({}) EIID {} to 0x{:x}", d.machine ? "machine" : "supervisor", why,
               eiid, addr);
}

void Aplic::reset() {
    for (Domain* d : {&m_, s_.get()}) {
        if (!d) continue;
        d->ie = false;
        std::fill(d->sourcecfg.begin(), d->sourcecfg.end(), 0);
        std::fill(d->target.begin(), d->target.end(), 0);
        std::fill(d->pending.begin(), d->pending.end(), 0);
        std::fill(d->enabled.begin(), d->enabled.end(), 0);
        std::fill(d->idelivery.begin(), d->idelivery.end(), 0);
        std::fill(d->iforce.begin(), d->iforce.end(), 0);
        std::fill(d->ithreshold.begin(), d->ithreshold.end(), 0);
        d->genmsi = 0;
        d->regs.reset();
        update(*d);
    }
    mmsiaddrcfg_ = mmsiaddrcfgh_ = smsiaddrcfg_ = smsiaddrcfgh_ = 0;
}

void Aplic::connect_harts(const std::vector<HartIrqPins*>& harts) {
    if (delivery_ != Delivery::Direct) return;
    for (unsigned k = 0; k < idcs_ && k < harts.size(); ++k) {
        m_.out[k].connect(*harts[k], HartIrqPins::kMeip);
        if (s_) s_->out[k].connect(*harts[k], HartIrqPins::kSeip);
    }
}

void Aplic::describe_dt(DtContext& ctx) {
    // QEMU 7.2 names its APLIC nodes "aplic@..." with compatible
    // "riscv,aplic" alone. Linux 6.12's binding asks for a vendor string
    // first ("qemu,aplic" is the only one it lists), but Linux 6.12 and
    // OpenSBI 1.1 match "riscv,aplic" alone, and nvsoc must not claim to be
    // QEMU. Unlike QEMU 7.2 the nodes also carry #address-cells = <0>, which
    // interrupt-map parsing needs (a PCIe host's map points here), and the
    // delegation as riscv,delegation besides riscv,delegate: OpenSBI 1.1
    // reads only the first, 1.5 and later the second (the binding's name).
    auto common = [&](DtNode& node, bool machine) {
        node.set_strings("compatible", {"riscv,aplic"});
        node.set_empty("interrupt-controller");
        node.set_u32("#interrupt-cells", 2);
        node.set_u32("#address-cells", 0);
        node.set_u32("riscv,num-sources", sources_);
        if (delivery_ == Delivery::Msi) {
            if (!config().msi_controller.empty())
                node.set_u32("msi-parent", ctx.msi_parent(config().msi_controller, machine));
        } else {
            std::vector<uint32_t> cells;
            for (unsigned id : hart_ids_)
                if (id < ctx.harts())
                    cells.insert(cells.end(), {ctx.hart_intc(id),
                                               machine ? HartIrqPins::kMeip : HartIrqPins::kSeip});
            node.set_cells("interrupts-extended", std::move(cells));
        }
    };
    DtNode& m = ctx.soc_node("aplic", base(), size());
    common(m, true);
    m.set_u32("phandle", ctx.phandle_of(instance()));
    if (!s_) return;
    uint32_t s_phandle = ctx.phandle_of(s_phandle_name());
    m.set_cells("riscv,children", {s_phandle});
    m.set_cells("riscv,delegate", {s_phandle, 1, sources_});
    m.set_cells("riscv,delegation", {s_phandle, 1, sources_});
    DtNode& s = ctx.soc_node("aplic", s_base_, size());
    common(s, false);
    s.set_u32("phandle", s_phandle);
}

void Aplic::stats(nlohmann::json& out) const {
    out["msis_sent"] = msis_sent_;
    out["msis_dropped"] = msis_dropped_;
    out["genmsi"] = genmsis_;
    out["claims"] = claims_;
    out["guest_errors"] = log_.guest_errors();
}

NVSOC_REGISTER_MODEL(ModelInfo{
    .type = "aplic",
    .doc = "RISC-V AIA APLIC: machine-level root domain and optional supervisor-level child, "
           "delivering by MSI or directly to harts",
    .params =
        {
            ParamSpec{.name = "sources",
                      .type = ParamType::Integer,
                      .default_value = "96",
                      .doc = "number of interrupt sources, numbered 1..N (DT riscv,num-sources)",
                      .min = 1,
                      .max = 1023},
            ParamSpec{.name = "s-base",
                      .type = ParamType::Integer,
                      .default_value = "",
                      .doc = "base address of the supervisor-level domain's control region (as "
                             "large as `size`), child index 0 of the root domain; unset or 0: "
                             "no supervisor-level domain"},
            ParamSpec{.name = "delivery",
                      .type = ParamType::Enum,
                      .default_value = "msi",
                      .doc = "how every domain delivers interrupts (domaincfg.DM, read-only): "
                             "msi, as MSI writes to the MSI controller `msi-parent` names; "
                             "direct, to the MEIP (and, with s-base, SEIP) pins of `harts`",
                      .choices = {"msi", "direct"}},
            ParamSpec{.name = "iprio-bits",
                      .type = ParamType::Integer,
                      .default_value = "3",
                      .doc = "IPRIOLEN: implemented bits of a direct-mode priority and of "
                             "ithreshold",
                      .min = 1,
                      .max = 8},
            ParamSpec{.name = "geilen",
                      .type = ParamType::Integer,
                      .default_value = "0",
                      .doc = "guest interrupt files per hart (the harts' GEILEN): non-zero makes "
                             "target's Guest Index writable in the supervisor domain (MSI mode)",
                      .max = 63},
            msi_parent_param(),
            harts_param(),
        },
    .default_size = 0x8000,
    .irq_outputs = 0,
    .create = [](const DeviceConfig& c) { return std::make_unique<Aplic>(c); },
    .roles = kInterruptController,
    .hart_pins = [](const Params& p) -> std::vector<unsigned> {
        if (p.choice("delivery") == 0) return {}; // MSI delivery drives no pins
        if (p.u64("s-base") != 0) return {HartIrqPins::kMeip, HartIrqPins::kSeip};
        return {HartIrqPins::kMeip};
    },
    .uses_msi =
        [](const Params& p) { return p.choice("delivery") == 0 ? MsiUse::Required : MsiUse::None; },
});

} // namespace nvsoc
