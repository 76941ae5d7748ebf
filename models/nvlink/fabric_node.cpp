#include "models/nvlink/fabric_node.h"

#include "models/core/error.h"
#include "models/core/model_registry.h"
#include "models/gpu/gpu.h"
#include "models/nvlink/nvlink_fabric_hw.h"

#include <algorithm>
#include <cstring>

namespace nvsoc {

using c2c::Dir;
using c2c::State;
using gpu::Aperture;
using gpu::MemAccess;
using gpu::MemResult;
using gpu::MemStatus;

namespace {

constexpr uint64_t kNever = UINT64_MAX;
constexpr uint64_t kRegsEnd = NVSOC_NVFB_REGS_OFFSET(NVSOC_NVFB_MAX_SLOTS);

uint64_t align_up(uint64_t v, uint64_t a) {
    return (v + a - 1) / a * a;
}

// `link-down-at`: "slot:time" items, e.g. "0:5us,1:2ms".
std::array<uint64_t, NvlinkFabricNode::kSlots> read_link_down_at(const DeviceConfig& c) {
    std::array<uint64_t, NvlinkFabricNode::kSlots> at{};
    const std::string& text = c.params.str("link-down-at");
    size_t pos = 0;
    while (pos < text.size()) {
        size_t comma = text.find(',', pos);
        std::string item = text.substr(pos, comma == std::string::npos ? comma : comma - pos);
        pos = comma == std::string::npos ? text.size() : comma + 1;
        size_t colon = item.find(':');
        uint64_t slot = 0, time = 0;
        if (colon == std::string::npos || !parse_integer(item.substr(0, colon), slot) ||
            slot >= NvlinkFabricNode::kSlots || !parse_time_ps(item.substr(colon + 1), time))
            throw InputError(c.params.where("link-down-at"),
                             fmt::format("'{}': link-down-at item '{}' must be <slot>:<time> "
                                         "with slot 0-7, e.g. 1:5us",
                                         c.name, item));
        at[slot] = std::max<uint64_t>(1, time);
    }
    return at;
}

} // namespace

// --- The GPU's uplink ---------------------------------------------------------------

class NvlinkFabricNode::SlotUplink : public gpu::Uplink {
  public:
    SlotUplink(NvlinkFabricNode& node, Slot& slot) : node_(node), slot_(slot) {}
    MemResult sysmem(const MemAccess& a) override { return node_.gpu_dma(slot_, a); }
    void level(bool level) override { slot_.irq.set(level); }

  private:
    NvlinkFabricNode& node_;
    Slot& slot_;
};

// --- Construction --------------------------------------------------------------------

NvlinkFabricNode::NvlinkFabricNode(const DeviceConfig& config) : Device(config), dma("dma") {
    const Params& p = config.params;
    link_config_.links = static_cast<unsigned>(p.u64("c2c-links"));
    link_config_.bandwidth = p.u64("c2c-link-bandwidth");
    link_config_.latency = p.time_ps("c2c-latency");
    link_config_.l2_entry = p.time_ps("l2-entry-latency");
    link_config_.l2_exit = p.time_ps("l2-exit-latency");
    if (std::string why = c2c::validate(link_config_); !why.empty())
        throw InputError(config.where, fmt::format("'{}': {}", instance(), why));
    vram_base_offset_ = p.u64("vram-offset");
    auto down_at = read_link_down_at(config);
    for (unsigned s = 0; s < kSlots; ++s) {
        Slot& slot = slots_[s];
        slot.index = s;
        c2c::LinkConfig lc = link_config_;
        lc.down_at = down_at[s];
        slot.link = std::make_unique<c2c::Link>(lc);
        slot.uplink = std::make_unique<SlotUplink>(*this, slot);
        slot.ctrl = NVSOC_NVFB_SLOT_CTRL_AUTO_WAKE;
    }
    unmapped_is_reserved_ = true;
    declare_registers();

    SC_HAS_PROCESS(NvlinkFabricNode);
    SC_METHOD(watch);
    sensitive << change_;
}

NvlinkFabricNode::~NvlinkFabricNode() = default;

uint64_t NvlinkFabricNode::regs_offset(unsigned slot) const {
    return NVSOC_NVFB_REGS_OFFSET(uint64_t{slot});
}

std::vector<IrqOut*> NvlinkFabricNode::irq_outputs() {
    std::vector<IrqOut*> out{&node_irq_};
    for (Slot& s : slots_)
        out.push_back(&s.irq);
    return out;
}

// Only GPUs, one per slot; each gets the node as its uplink.
void NvlinkFabricNode::attach(Model& child, const BusPlacement& at) {
    auto* g = dynamic_cast<Gpu*>(&child);
    if (!g)
        throw InputError(at.where, fmt::format("'{}' (type {}) cannot sit on '{}': an "
                                               "nvlink-fabric node holds only gpu models",
                                               child.instance(), child.config().type, instance()));
    if (at.device >= kSlots)
        throw InputError(at.where,
                         fmt::format("'{}' is placed at device {} of '{}', which has "
                                     "slots 0-{}",
                                     child.instance(), at.device, instance(), kSlots - 1));
    Slot& s = slots_[at.device];
    if (s.gpu)
        throw InputError(at.where, fmt::format("slot {} of '{}' already holds '{}'", at.device,
                                               instance(), s.gpu->instance()));
    s.gpu = g;
    s.vram_size = g->vram().size();
    s.numa_size = g->numa_memory();
    s.numa_node = g->numa_node().value_or(at.device + 1);
    g->set_uplink(s.uplink.get());
    layout();
}

// VRAM windows from `vram-offset` (default: after the register windows),
// each naturally aligned to its size, in slot order.
void NvlinkFabricNode::layout() {
    uint64_t off = vram_base_offset_ ? vram_base_offset_ : kRegsEnd;
    for (Slot& s : slots_) {
        if (!s.gpu) continue;
        off = align_up(off, s.vram_size);
        s.vram_offset = off;
        off += s.vram_size;
    }
}

void NvlinkFabricNode::check_children() const {
    if (vram_base_offset_ && vram_base_offset_ < kRegsEnd)
        throw InputError(config().params.where("vram-offset"),
                         fmt::format("'{}': vram-offset 0x{:x} lies among the GPU register "
                                     "windows (0x{:x}-0x{:x}): give at least 0x{:x}",
                                     instance(), vram_base_offset_, NVSOC_NVFB_REGS_BASE, kRegsEnd,
                                     kRegsEnd));
    for (const Slot& s : slots_) {
        if (!s.gpu) continue;
        if (s.vram_offset + s.vram_size > size())
            throw InputError(config().where,
                             fmt::format("'{}': the GPU windows do not fit its {} aperture: "
                                         "'{}' (slot {}) needs its {} VRAM window at offset "
                                         "0x{:x} (windows: registers to 0x{:x}, then each VRAM "
                                         "naturally aligned, in slot order); make size at "
                                         "least {}",
                                         instance(), format_size(size()), s.gpu->instance(),
                                         s.index, format_size(s.vram_size), s.vram_offset, kRegsEnd,
                                         format_size(s.vram_offset + s.vram_size)));
        if (s.index + 1 >= config().irqs.size())
            throw InputError(config().where,
                             fmt::format("'{}': slot {} holds '{}' but irq gives no line for it: "
                                         "list the node's line, then one per slot (irq: [node, "
                                         "slot0, slot1, ...])",
                                         instance(), s.index, s.gpu->instance()));
    }
}

// --- Registers -----------------------------------------------------------------------

void NvlinkFabricNode::declare_registers() {
    auto ro = [this](const char* name, unsigned offset, std::function<uint64_t()> f) {
        regs_.add({.name = name, .offset = offset, .write_mask = 0, .on_read = [f](unsigned) {
                       return f();
                   }});
    };
    ro("IDENT", NVSOC_NVFB_IDENT, [] { return NVSOC_NVFB_IDENT_VALUE; });
    ro("VERSION", NVSOC_NVFB_VERSION, [] { return NVSOC_NVFB_VERSION_VALUE; });
    ro("NUM_SLOTS", NVSOC_NVFB_NUM_SLOTS, [this] {
        return static_cast<uint64_t>(
            std::count_if(slots_.begin(), slots_.end(), [](const Slot& s) { return s.gpu; }));
    });
    ro("CAPS", NVSOC_NVFB_CAPS,
       [] { return NVSOC_NVFB_CAPS_COHERENT | NVSOC_NVFB_CAPS_ATOMICS | NVSOC_NVFB_CAPS_L2; });
    // SLEEP is accepted only when every slot with a GPU is in L2; writing 0
    // clears it.
    regs_.add({.name = "NODE_CTRL",
               .offset = NVSOC_NVFB_NODE_CTRL,
               .on_read = [this](unsigned) -> uint64_t {
                   return node_asleep_ ? NVSOC_NVFB_NODE_CTRL_SLEEP : 0;
               },
               .on_write =
                   [this](unsigned, uint64_t v, uint64_t) {
                       if (!(v & NVSOC_NVFB_NODE_CTRL_SLEEP)) {
                           node_asleep_ = false;
                           return;
                       }
                       uint64_t t = access_time();
                       bool all = true, any = false;
                       for (Slot& s : slots_) {
                           if (!s.gpu) continue;
                           any = true;
                           all = all && s.link->state(t) == State::L2;
                       }
                       node_asleep_ = any && all;
                       if (!node_asleep_)
                           log_.debug("NODE_CTRL.SLEEP refused: not every slot is in L2");
                   }});
    ro("NODE_STATUS", NVSOC_NVFB_NODE_STATUS,
       [this] { return node_asleep_ ? NVSOC_NVFB_NODE_STATUS_ASLEEP : 0u; });
    ro("INTR_STATUS", NVSOC_NVFB_INTR_STATUS, [this] {
        uint64_t bits = 0;
        for (const Slot& s : slots_)
            if (s.err_status & s.err_en) bits |= 1u << s.index;
        return bits;
    });

    auto slot_reg = [this](const char* name, unsigned reg, std::function<uint64_t(Slot&)> read,
                           std::function<void(Slot&, uint32_t)> write = nullptr) {
        RegisterSpec spec{.name = name,
                          .offset = NVSOC_NVFB_SLOT(0, reg),
                          .count = kSlots,
                          .stride = NVSOC_NVFB_SLOT_STRIDE,
                          .write_mask = write ? ~0ull : 0,
                          .on_read = [this, read](unsigned i) { return read(slots_[i]); }};
        if (write)
            spec.on_write = [this, write](unsigned i, uint64_t v, uint64_t) {
                write(slots_[i], static_cast<uint32_t>(v));
            };
        regs_.add(spec);
    };
    auto lo = [](uint64_t v) -> uint64_t { return static_cast<uint32_t>(v); };
    auto hi = [](uint64_t v) -> uint64_t { return v >> 32; };
    slot_reg("SLOT_STATUS", NVSOC_NVFB_SLOT_STATUS, [this](Slot& s) -> uint64_t {
        if (!s.gpu) return 0;
        State st = s.link->state(access_time());
        uint64_t links = st == State::Failed ? 0 : s.link->config().links;
        return static_cast<uint64_t>(st) | NVSOC_NVFB_SLOT_STATUS_PRESENT |
               links << NVSOC_NVFB_SLOT_STATUS_LINKS_SHIFT;
    });
    slot_reg(
        "SLOT_CTRL", NVSOC_NVFB_SLOT_CTRL, [](Slot& s) -> uint64_t { return s.gpu ? s.ctrl : 0; },
        [this](Slot& s, uint32_t v) {
            if (!s.gpu) return;
            bool sleep = v & NVSOC_NVFB_SLOT_CTRL_SLEEP_REQ;
            s.ctrl = v & (NVSOC_NVFB_SLOT_CTRL_SLEEP_REQ | NVSOC_NVFB_SLOT_CTRL_AUTO_WAKE);
            set_slot_sleep(s, access_time(), sleep);
        });
    uint64_t base = this->base();
    slot_reg("SLOT_REGS_BASE_LO", NVSOC_NVFB_SLOT_REGS_BASE_LO,
             [this, base, lo](Slot& s) { return s.gpu ? lo(base + regs_offset(s.index)) : 0; });
    slot_reg("SLOT_REGS_BASE_HI", NVSOC_NVFB_SLOT_REGS_BASE_HI,
             [this, base, hi](Slot& s) { return s.gpu ? hi(base + regs_offset(s.index)) : 0; });
    slot_reg("SLOT_VRAM_BASE_LO", NVSOC_NVFB_SLOT_VRAM_BASE_LO,
             [base, lo](Slot& s) { return s.gpu ? lo(base + s.vram_offset) : 0; });
    slot_reg("SLOT_VRAM_BASE_HI", NVSOC_NVFB_SLOT_VRAM_BASE_HI,
             [base, hi](Slot& s) { return s.gpu ? hi(base + s.vram_offset) : 0; });
    slot_reg("SLOT_VRAM_SIZE_LO", NVSOC_NVFB_SLOT_VRAM_SIZE_LO,
             [lo](Slot& s) { return lo(s.vram_size); });
    slot_reg("SLOT_VRAM_SIZE_HI", NVSOC_NVFB_SLOT_VRAM_SIZE_HI,
             [hi](Slot& s) { return hi(s.vram_size); });
    slot_reg("SLOT_BANDWIDTH_MBPS", NVSOC_NVFB_SLOT_BANDWIDTH_MBPS,
             [](Slot& s) -> uint64_t { return s.gpu ? s.link->bandwidth() / 1'000'000 : 0; });
    slot_reg("SLOT_LATENCY_NS", NVSOC_NVFB_SLOT_LATENCY_NS,
             [](Slot& s) -> uint64_t { return s.gpu ? s.link->config().latency / 1000 : 0; });
    slot_reg("SLOT_L2_EXIT_NS", NVSOC_NVFB_SLOT_L2_EXIT_NS,
             [](Slot& s) -> uint64_t { return s.gpu ? s.link->config().l2_exit / 1000 : 0; });
    slot_reg("SLOT_WAKE_COUNT", NVSOC_NVFB_SLOT_WAKE_COUNT,
             [](Slot& s) -> uint64_t { return s.wakes; });
    slot_reg(
        "SLOT_ERR_STATUS", NVSOC_NVFB_SLOT_ERR_STATUS,
        [](Slot& s) -> uint64_t { return s.err_status; }, [this](Slot& s, uint32_t v) { // W1C
            s.err_status &= ~v;
            update_irq();
        });
    slot_reg(
        "SLOT_ERR_EN", NVSOC_NVFB_SLOT_ERR_EN, [](Slot& s) -> uint64_t { return s.err_en; },
        [this](Slot& s, uint32_t v) {
            s.err_en = v & 0xf;
            update_irq();
        });
    slot_reg("SLOT_NUMA_SIZE_LO", NVSOC_NVFB_SLOT_NUMA_SIZE_LO,
             [lo](Slot& s) { return lo(s.numa_size); });
    slot_reg("SLOT_NUMA_SIZE_HI", NVSOC_NVFB_SLOT_NUMA_SIZE_HI,
             [hi](Slot& s) { return hi(s.numa_size); });
    slot_reg("SLOT_TX_BYTES_LO", NVSOC_NVFB_SLOT_TX_BYTES_LO,
             [lo](Slot& s) { return lo(s.link->counters().down_bytes); });
    slot_reg("SLOT_TX_BYTES_HI", NVSOC_NVFB_SLOT_TX_BYTES_HI,
             [hi](Slot& s) { return hi(s.link->counters().down_bytes); });
    slot_reg("SLOT_RX_BYTES_LO", NVSOC_NVFB_SLOT_RX_BYTES_LO,
             [lo](Slot& s) { return lo(s.link->counters().up_bytes); });
    slot_reg("SLOT_RX_BYTES_HI", NVSOC_NVFB_SLOT_RX_BYTES_HI,
             [hi](Slot& s) { return hi(s.link->counters().up_bytes); });
    slot_reg("SLOT_L2_TIME_NS_LO", NVSOC_NVFB_SLOT_L2_TIME_NS_LO,
             [this, lo](Slot& s) { return lo(s.link->l2_time(access_time()) / 1000); });
    slot_reg("SLOT_L2_TIME_NS_HI", NVSOC_NVFB_SLOT_L2_TIME_NS_HI,
             [this, hi](Slot& s) { return hi(s.link->l2_time(access_time()) / 1000); });
}

uint64_t NvlinkFabricNode::now() const {
    return sc_core::sc_time_stamp().value();
}

uint64_t NvlinkFabricNode::access_time() const {
    return (sc_core::sc_time_stamp() + (access_delay_ ? *access_delay_ : sc_core::SC_ZERO_TIME))
        .value();
}

void NvlinkFabricNode::set_slot_sleep(Slot& s, uint64_t t, bool sleep) {
    State before = s.link->state(t);
    s.link->request_sleep(t, sleep);
    if (sleep && before == State::L0) invalidate_vram(s);
    if (!sleep) node_asleep_ = false;
    schedule();
}

void NvlinkFabricNode::raise(Slot& s, uint32_t bits) {
    s.err_status |= bits;
    update_irq();
}

void NvlinkFabricNode::update_irq() {
    bool any = false;
    for (const Slot& s : slots_)
        any = any || (s.err_status & s.err_en);
    node_irq_.set(any);
}

// Harts drop their DMI (and their record of pages without it) for the
// window: they ask again, and get it only in L0.
void NvlinkFabricNode::invalidate_vram(const Slot& s) {
    target->invalidate_direct_mem_ptr(s.vram_offset, s.vram_offset + s.vram_size - 1);
}

// Runs when a slot's state changes by itself (a transition ends, a fault
// point fires): STATE_CHANGE and LINK_FAIL, DMI back in L0, NODE_STATUS.
void NvlinkFabricNode::watch() {
    uint64_t t = now();
    for (Slot& s : slots_) {
        if (!s.gpu) continue;
        State st = s.link->state(t);
        if (st == s.seen) continue;
        State was = s.seen;
        s.seen = st;
        log_.debug("slot {} ('{}'): C2C links {} -> {}", s.index, s.gpu->instance(), c2c::name(was),
                   c2c::name(st));
        uint32_t bits = 0;
        if (st == State::L0 || st == State::L2 || st == State::Failed)
            bits |= NVSOC_NVFB_SLOT_ERR_STATE_CHANGE;
        if (st == State::Failed) {
            bits |= NVSOC_NVFB_SLOT_ERR_LINK_FAIL;
            log_.info("slot {} ('{}'): C2C links failed (fault point {}.gpu{}.c2c.link_down)",
                      s.index, s.gpu->instance(), instance(), s.index);
        }
        if (was == State::L0 || st == State::L0 || st == State::Failed) invalidate_vram(s);
        if (bits) raise(s, bits);
    }
    schedule();
}

void NvlinkFabricNode::schedule() {
    uint64_t t = now(), next = kNever;
    for (Slot& s : slots_) {
        if (!s.gpu) continue;
        // A state already reached (an access ahead of the kernel's time
        // advanced it) is reported now.
        if (s.link->state(t) != s.seen) next = t;
        next = std::min(next, s.link->next_change());
    }
    if (next == kNever) return;
    change_.notify(sc_core::sc_time::from_value(next > t ? next - t : 0));
}

uint64_t NvlinkFabricNode::gate(Slot& s, uint64_t t, const char* what, uint64_t address) {
    State st = s.link->state(t);
    bool asleep = st == State::L2 || st == State::EnteringL2;
    if (st == State::Failed || (asleep && !(s.ctrl & NVSOC_NVFB_SLOT_CTRL_AUTO_WAKE))) {
        ++s.bus_errors;
        raise(s, NVSOC_NVFB_SLOT_ERR_BUS_ERROR);
        if (!s.failure_logged) {
            s.failure_logged = true;
            log_.warn("slot {} ('{}'): {} at 0x{:x}: bus error, the C2C links are {}{} (logged "
                      "once)",
                      s.index, s.gpu->instance(), what, address, c2c::name(st),
                      st == State::Failed ? "" : " and AUTO_WAKE is clear");
        }
        return kNever;
    }
    bool woke = false;
    uint64_t ready = s.link->ready_for_access(t, woke);
    if (woke) {
        ++s.wakes;
        s.ctrl &= ~NVSOC_NVFB_SLOT_CTRL_SLEEP_REQ;
        node_asleep_ = false;
        log_.debug("slot {} ('{}'): woken by {} at 0x{:x}", s.index, s.gpu->instance(), what,
                   address);
        raise(s, NVSOC_NVFB_SLOT_ERR_WOKE_BY_ACCESS);
        schedule();
    }
    return ready;
}

// --- The aperture ----------------------------------------------------------------------

NvlinkFabricNode::Slot* NvlinkFabricNode::slot_of_vram(uint64_t offset, uint64_t length) {
    for (Slot& s : slots_)
        if (s.gpu && offset >= s.vram_offset && offset - s.vram_offset < s.vram_size &&
            length <= s.vram_size - (offset - s.vram_offset))
            return &s;
    return nullptr;
}

void NvlinkFabricNode::b_transport(tlm::tlm_generic_payload& tx, sc_core::sc_time& delay) {
    uint64_t off = tx.get_address();
    if (off < NVSOC_NVFB_NODE_REGS_SIZE) {
        access_delay_ = &delay;
        serve_window(regs_, NVSOC_NVFB_NODE_REGS_SIZE, tx, delay);
        access_delay_ = nullptr;
        return;
    }
    if (off >= NVSOC_NVFB_REGS_BASE && off < kRegsEnd) {
        unsigned s = static_cast<unsigned>((off - NVSOC_NVFB_REGS_BASE) / NVSOC_NVFB_REGS_STRIDE);
        if (slots_[s].gpu) {
            regs_transport(slots_[s], off - regs_offset(s), tx, delay);
            return;
        }
    } else if (Slot* s = slot_of_vram(off, tx.get_data_length())) {
        vram_transport(*s, off - s->vram_offset, tx, delay);
        return;
    }
    log_.guest_error("{} of {} bytes at offset 0x{:x}: no register or VRAM window there",
                     tx.is_read() ? "read" : "write", tx.get_data_length(), off);
    tx.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
}

// A register access crosses the slot's links: the request (with a write's
// data) down, a read's data back up.
void NvlinkFabricNode::regs_transport(Slot& s, uint64_t offset, tlm::tlm_generic_payload& tx,
                                      sc_core::sc_time& delay) {
    uint64_t t = now() + delay.value();
    uint64_t ready = gate(s, t, tx.is_read() ? "register read" : "register write",
                          base() + regs_offset(s.index) + offset);
    if (ready == kNever) {
        tx.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
        return;
    }
    uint64_t len = tx.get_data_length();
    c2c::Link::Transfer down = s.link->send(Dir::Down, tx.is_write() ? len : 0, ready);
    sc_core::sc_time at = sc_core::sc_time::from_value(down.done - now());
    uint64_t address = tx.get_address();
    tx.set_address(offset);
    s.gpu->register_access(tx, at);
    tx.set_address(address);
    uint64_t done = down.done;
    if (tx.is_read()) done = s.link->send(Dir::Up, len, down.done).done;
    delay = sc_core::sc_time::from_value(done - now());
}

// CPU access to VRAM through the bus (no DMI: a slot not in L0, a hart
// that asked without it, a debugger): the links' timing, then the bytes.
void NvlinkFabricNode::vram_transport(Slot& s, uint64_t offset, tlm::tlm_generic_payload& tx,
                                      sc_core::sc_time& delay) {
    if (tx.get_byte_enable_ptr() || tx.get_streaming_width() < tx.get_data_length()) {
        tx.set_response_status(tlm::TLM_BYTE_ENABLE_ERROR_RESPONSE);
        return;
    }
    uint64_t t = now() + delay.value();
    uint64_t ready = gate(s, t, tx.is_read() ? "read" : "write", base() + s.vram_offset + offset);
    if (ready == kNever) {
        tx.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
        return;
    }
    uint64_t len = tx.get_data_length();
    uint8_t* bytes = s.gpu->vram().data() + offset;
    uint64_t done;
    if (tx.is_write()) {
        std::memcpy(bytes, tx.get_data_ptr(), len);
        done = s.link->send(Dir::Down, len, ready).done;
    } else {
        uint64_t req = s.link->send(Dir::Down, 0, ready).done;
        std::memcpy(tx.get_data_ptr(), bytes, len);
        done = s.link->send(Dir::Up, len, req).done;
    }
    delay = sc_core::sc_time::from_value(done - now());
    tx.set_response_status(tlm::TLM_OK_RESPONSE);
}

unsigned NvlinkFabricNode::transport_dbg(tlm::tlm_generic_payload& tx) {
    uint64_t off = tx.get_address();
    unsigned len = tx.get_data_length();
    Slot* s = slot_of_vram(off, len);
    if (!s) return 0;
    uint8_t* bytes = s->gpu->vram().data() + (off - s->vram_offset);
    if (tx.is_write())
        std::memcpy(bytes, tx.get_data_ptr(), len);
    else
        std::memcpy(tx.get_data_ptr(), bytes, len);
    return len;
}

// DMI to a VRAM window's bytes while its slot is in L0.
bool NvlinkFabricNode::get_direct_mem_ptr(tlm::tlm_generic_payload& tx, tlm::tlm_dmi& dmi) {
    Slot* s = slot_of_vram(tx.get_address(), 1);
    if (!s || s->link->state(now()) != State::L0) return false;
    dmi.set_dmi_ptr(s->gpu->vram().data());
    dmi.set_start_address(s->vram_offset);
    dmi.set_end_address(s->vram_offset + s->vram_size - 1);
    dmi.set_granted_access(tlm::tlm_dmi::DMI_ACCESS_READ_WRITE);
    dmi.set_read_latency(sc_core::sc_time::from_value(link_config_.latency * 2));
    dmi.set_write_latency(sc_core::sc_time::from_value(link_config_.latency));
    return true;
}

// --- GPU DMA ---------------------------------------------------------------------------

// From the GPU in `s` to a system address: its own VRAM window stays in the
// GPU; another slot's window crosses both slots' links; anything else
// crosses this slot's links to the SoC bus. Reads send a request header up
// and get their data back down; writes send their data up.
MemResult NvlinkFabricNode::gpu_dma(Slot& s, const MemAccess& a) {
    MemResult r;
    r.done = r.issued = a.time;
    uint64_t t = std::max(a.time, now());
    uint64_t addr = a.address;
    bool inside = addr >= base() && addr - base() < size();
    Slot* to = inside ? slot_of_vram(addr - base(), a.length) : nullptr;
    if (to == &s) {
        MemAccess local = a;
        local.aperture = Aperture::Vram;
        local.address = addr - base() - s.vram_offset;
        return s.gpu->access(local);
    }
    auto fail = [&](uint64_t at) {
        r.status = MemStatus::BusError;
        r.fault_address = addr;
        r.done = r.issued = std::max(at, a.time);
        return r;
    };
    uint64_t ready = gate(s, t, a.write ? "DMA write" : "DMA read", addr);
    if (ready == kNever) return fail(t);
    c2c::Link::Transfer up = s.link->send(Dir::Up, a.write ? a.length : 0, ready);
    r.issued = up.issued;
    if (to) {
        uint64_t there = gate(*to, up.done, a.write ? "peer write" : "peer read", addr);
        if (there == kNever) return fail(up.done);
        c2c::Link::Transfer down = to->link->send(Dir::Down, a.write ? a.length : 0, there);
        MemAccess remote = a;
        remote.aperture = Aperture::Vram;
        remote.address = addr - base() - to->vram_offset;
        remote.time = down.done;
        MemResult v = to->gpu->access(remote);
        if (v.status != MemStatus::Ok) return v;
        if (a.write) {
            r.done = v.done;
            return r;
        }
        uint64_t back = to->link->send(Dir::Up, a.length, v.done).done;
        uint64_t ready_back = gate(s, back, "peer read data", addr);
        if (ready_back == kNever) return fail(back);
        r.done = s.link->send(Dir::Down, a.length, ready_back).done;
        return r;
    }
    tlm::tlm_generic_payload tx;
    tx.set_command(a.write ? tlm::TLM_WRITE_COMMAND : tlm::TLM_READ_COMMAND);
    tx.set_address(addr);
    tx.set_data_ptr(a.data);
    tx.set_data_length(static_cast<unsigned>(a.length));
    tx.set_streaming_width(static_cast<unsigned>(a.length));
    tx.set_byte_enable_ptr(nullptr);
    tx.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
    uint64_t n = now();
    sc_core::sc_time delay = sc_core::sc_time::from_value(up.done - n);
    dma->b_transport(tx, delay);
    uint64_t bus_done = n + delay.value();
    if (!tx.is_response_ok()) return fail(bus_done);
    r.done = a.write ? bus_done : s.link->send(Dir::Down, a.length, bus_done).done;
    return r;
}

// --- Reset, DT, stats ------------------------------------------------------------------

void NvlinkFabricNode::reset() {
    Device::reset();
    for (Slot& s : slots_) {
        s.link->reset();
        s.ctrl = NVSOC_NVFB_SLOT_CTRL_AUTO_WAKE;
        s.err_status = s.err_en = s.wakes = 0;
        s.seen = State::L0;
        s.failure_logged = false;
        if (s.gpu) invalidate_vram(s);
    }
    node_asleep_ = false;
    update_irq();
}

void NvlinkFabricNode::describe_dt(DtContext& dt) {
    DtNode& node = dt.soc_node("nvlink-fabric", base(), NVSOC_NVFB_NODE_REGS_SIZE);
    node.set_string("compatible", NVSOC_NVFB_COMPATIBLE);
    node.set_u32("#address-cells", 2).set_u32("#size-cells", 2);
    node.set_empty("ranges"); // the children's addresses are the SoC's
    node.set_empty("dma-coherent");
    const auto& irqs = config().irqs;
    if (!irqs.empty()) dt.add_interrupts(node, {irqs[0]});
    for (const Slot& s : slots_) {
        if (!s.gpu) continue;
        uint64_t regs = base() + regs_offset(s.index);
        uint64_t vram = base() + s.vram_offset;
        uint64_t heap = s.vram_size - s.numa_size;
        // Named by the register window's address: dtc wants a node's unit
        // address to be its first reg entry's.
        DtNode& g = node.child(fmt::format("gpu@{:x}", regs));
        g.set_string("compatible", NVSOC_NVFB_GPU_COMPATIBLE);
        std::vector<uint32_t> reg;
        for (uint64_t v : {regs, uint64_t{NVSOC_NVFB_REGS_SIZE}, vram, heap}) {
            reg.push_back(static_cast<uint32_t>(v >> 32));
            reg.push_back(static_cast<uint32_t>(v));
        }
        if (heap == 0) reg.resize(4); // all of VRAM is the NUMA node's
        g.set_cells("reg", reg);
        if (s.index + 1 < irqs.size()) dt.add_interrupts(g, {irqs[s.index + 1]});
        g.set_u32("nvsoc,slot", s.index);
        if (s.numa_size) {
            uint32_t ph =
                dt.add_numa_memory(s.numa_node, vram + heap, s.numa_size, s.gpu->instance());
            g.set_u32("nvsoc,numa-memory", ph);
        }
    }
}

void NvlinkFabricNode::stats(nlohmann::json& out) const {
    for (const Slot& s : slots_) {
        if (!s.gpu) continue;
        const c2c::Link::Counters& c = s.link->counters();
        out["slots"][std::to_string(s.index)] = {
            {"gpu", s.gpu->instance()},     {"state", c2c::name(s.seen)},
            {"tx_bytes", c.down_bytes},     {"rx_bytes", c.up_bytes},
            {"l2_time_ps", c.l2_time},      {"wakes_by_access", c.wakes_by_access},
            {"transitions", c.transitions}, {"bus_errors", s.bus_errors}};
    }
}

// --- Registration ------------------------------------------------------------------------

NVSOC_REGISTER_MODEL(ModelInfo{
    .type = "nvlink-fabric",
    .doc = "Native NVLink fabric node (NVLink-C2C style) on the SoC bus: up to 8 GPUs in slots "
           "(`bus: <node>, device: <slot>`), their registers and coherent VRAM in its aperture, "
           "GPU DMA over C2C links, L2 sleep (docs/nvlink.md, \"Native fabric node\")",
    .params =
        {
            {"c2c-links",
             ParamType::Integer,
             "10",
             "C2C links per GPU slot (GH200 has 10), 1 to 15",
             false,
             {},
             1,
             15},
            {"c2c-link-bandwidth",
             ParamType::Bandwidth,
             "45GB/s",
             "Each C2C link's bandwidth per direction (GH200: 450 GB/s over 10 links)",
             false,
             {},
             1},
            {"c2c-latency", ParamType::Time, "120ns",
             "One-way latency of a slot's C2C links (assumed: not public)"},
            {"l2-entry-latency", ParamType::Time, "2us",
             "From SLOT_CTRL.SLEEP_REQ to L2 (assumed)"},
            {"l2-exit-latency", ParamType::Time, "20us",
             "From a wake (SLEEP_REQ cleared, or an access) to L0 (assumed)"},
            {"vram-offset", ParamType::Size, "0",
             "Offset of the first VRAM window in the aperture; 0: after the register windows "
             "(0x9000000). Each window is aligned to its VRAM size, in slot order"},
            {"link-down-at", ParamType::String, "",
             "Fault points <node>.gpu<s>.c2c.link_down: \"<slot>:<time>\" items, e.g. "
             "\"1:5us\": the slot's C2C links fail then (accesses bus-error)"},
        },
    .irq_outputs = 1 + NvlinkFabricNode::kSlots,
    .create = [](const DeviceConfig& c) { return std::make_unique<NvlinkFabricNode>(c); },
    .owns_bus = "NVLINK-FABRIC",
});

} // namespace nvsoc
