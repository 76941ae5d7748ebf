// The engine's BAR0 registers as data (nvsoc_gpu_hw.h gives the layout).
#include "models/gpu/engine_impl.h"

namespace nvsoc::gpu {

using namespace engine_detail;

// --- Registers ------------------------------------------------------------------------

// Declares a register (array) whose value comes from `read`. After a write
// the bank keeps what a later partial write must merge with: the value for
// read-write registers, 0 for action registers (so that `write` sees
// exactly the bits written).
void Engine::Impl::declare(RegisterBank& b, std::string name, uint64_t offset, unsigned count,
                           uint64_t stride, Kind kind, std::function<uint64_t(unsigned)> read,
                           std::function<void(unsigned, uint32_t)> write) {
    size_t slot = declared.size();
    RegisterSpec spec{
        .name = std::move(name),
        .offset = offset,
        .count = count,
        .stride = stride,
        .write_mask = kind == Kind::ReadOnly ? 0 : ~0ull,
        .on_read = [this, read](unsigned i) -> uint64_t {
            catch_up();
            return read(i);
        },
    };
    if (kind != Kind::ReadOnly)
        spec.on_write = [this, slot, write](unsigned i, uint64_t v, uint64_t) {
            catch_up();
            write(i, static_cast<uint32_t>(v));
            const Declared& d = declared[slot];
            bank->set(d.id, d.kind == Kind::ReadWrite ? d.read(i) : 0, i);
            request_wake();
        };
    size_t id = b.add(std::move(spec));
    declared.push_back(Declared{id, kind, count, std::move(read)});
}

void Engine::Impl::resync() {
    if (!bank) return;
    for (const Declared& d : declared)
        for (unsigned i = 0; i < d.count; ++i)
            bank->set(d.id, d.kind == Kind::ReadWrite ? d.read(i) : 0, i);
}

void Engine::Impl::declare_registers(RegisterBank& b) {
    bank = &b;
    // The hottest first: the bank decodes in declaration order.
    declare(
        b, "usermode", NVSOC_GPU_USERMODE, NVSOC_GPU_USERMODE_SIZE / 4, 4, Kind::Action,
        [this](unsigned i) -> uint64_t {
            uint64_t ns = host.now() / kNs;
            if (i * 4 == NVSOC_GPU_USERMODE_TIME_LO) return static_cast<uint32_t>(ns);
            if (i * 4 == NVSOC_GPU_USERMODE_TIME_HI) return ns >> 32;
            return 0;
        },
        [this](unsigned i, uint32_t v) {
            if (i * 4 == NVSOC_GPU_USERMODE_DOORBELL) doorbell(v);
        });
    userd_id = b.entries().size();
    declare(
        b, "userd", NVSOC_GPU_USERD_BASE, unsigned(ch.size()) * kUserdDwords, 4, Kind::ReadWrite,
        [this](unsigned i) { return read_userd(i); },
        [this](unsigned i, uint32_t v) { write_userd(i, v); });
    declare_channel_registers(b);
    declare_interrupt_registers(b);
    declare_fault_buffer_registers(b);
    declare_engine_registers(b);
    declare(
        b, "engine_reset", NVSOC_GPU_ENGINE_RESET, 1, 4, Kind::Action,
        [](unsigned) -> uint64_t { return 0; },
        [this](unsigned, uint32_t v) {
            if (v & 1) reset_all();
        });
}

uint64_t Engine::Impl::read_userd(unsigned index) const {
    const Channel& c = ch[index / kUserdDwords];
    switch (index % kUserdDwords * 4) {
    case NVSOC_GPU_USERD_GP_PUT:
        return c.gp_put;
    case NVSOC_GPU_USERD_GP_GET:
        return c.gp_get;
    case NVSOC_GPU_USERD_GET:
        return static_cast<uint32_t>(c.pb_get);
    case NVSOC_GPU_USERD_GET_HI:
        return c.pb_get >> 32;
    default:
        return 0;
    }
}

void Engine::Impl::write_userd(unsigned index, uint32_t v) {
    if (index % kUserdDwords * 4 == NVSOC_GPU_USERD_GP_PUT) ch[index / kUserdDwords].gp_put = v;
}

uint32_t Engine::Impl::channel_status(const Channel& c) const {
    bool busy = c.gp_get != c.gp_put ||
                (!c.faulted && (c.due || c.in_entry || c.waiting_launch || c.acquire.active));
    uint32_t s = busy ? NVSOC_GPU_CH_STATUS_BUSY : 0;
    if (c.acquire.active) s |= NVSOC_GPU_CH_STATUS_ACQUIRING;
    if (c.faulted)
        s |= NVSOC_GPU_CH_STATUS_FAULTED | uint32_t(c.xid) << NVSOC_GPU_CH_STATUS_XID_SHIFT |
             uint32_t(c.fault_type) << NVSOC_GPU_CH_STATUS_FAULT_TYPE_SHIFT;
    return s;
}

void Engine::Impl::declare_channel_registers(RegisterBank& b) {
    const unsigned n = unsigned(ch.size());
    auto reg = [&](const char* name, uint64_t offset, Kind kind,
                   std::function<uint64_t(unsigned)> read,
                   std::function<void(unsigned, uint32_t)> write = {}) {
        declare(b, name, NVSOC_GPU_CH(0, offset), n, NVSOC_GPU_CHANNEL_STRIDE, kind,
                std::move(read), std::move(write));
    };
    // A plain read-write field of the channel.
    auto field = [&](const char* name, uint64_t offset, uint32_t Channel::*member, uint32_t mask) {
        reg(
            name, offset, Kind::ReadWrite, [this, member](unsigned i) { return ch[i].*member; },
            [this, member, mask](unsigned i, uint32_t v) { ch[i].*member = v & mask; });
    };
    reg(
        "ch_ctrl", NVSOC_GPU_CH_CTRL, Kind::ReadWrite,
        [this](unsigned i) -> uint64_t { return ch[i].enabled ? NVSOC_GPU_CH_CTRL_ENABLE : 0; },
        [this](unsigned i, uint32_t v) {
            if (v & NVSOC_GPU_CH_CTRL_RESET) reset_channel(ch[i], false);
            ch[i].enabled = v & NVSOC_GPU_CH_CTRL_ENABLE;
        });
    reg("ch_status", NVSOC_GPU_CH_STATUS, Kind::ReadOnly,
        [this](unsigned i) -> uint64_t { return channel_status(ch[i]); });
    field("ch_gpfifo_lo", NVSOC_GPU_CH_GPFIFO_LO, &Channel::gpfifo_lo, ~0u);
    field("ch_gpfifo_hi", NVSOC_GPU_CH_GPFIFO_HI, &Channel::gpfifo_hi, ~0u);
    field("ch_gpfifo_log2", NVSOC_GPU_CH_GPFIFO_LOG2, &Channel::gpfifo_log2, ~0u);
    field("ch_aperture", NVSOC_GPU_CH_APERTURE, &Channel::aperture, 0x3f);
    field("ch_engine", NVSOC_GPU_CH_ENGINE, &Channel::engine, ~0u);
    field("ch_intr_vector", NVSOC_GPU_CH_INTR_VECTOR, &Channel::intr_vector, 0x7ff);
    reg("ch_methods_lo", NVSOC_GPU_CH_METHODS_LO, Kind::ReadOnly,
        [this](unsigned i) -> uint64_t { return static_cast<uint32_t>(ch[i].methods); });
    reg("ch_methods_hi", NVSOC_GPU_CH_METHODS_HI, Kind::ReadOnly,
        [this](unsigned i) -> uint64_t { return ch[i].methods >> 32; });
    reg("ch_error_detail", NVSOC_GPU_CH_ERROR_DETAIL, Kind::ReadOnly,
        [this](unsigned i) -> uint64_t { return ch[i].error_detail; });
}

void Engine::Impl::declare_engine_registers(RegisterBank& b) {
    const unsigned n = unsigned(ce.size());
    auto reg = [&](const char* name, uint64_t offset, std::function<uint64_t(unsigned)> read) {
        declare(b, name, NVSOC_GPU_CE(0, offset), n, NVSOC_GPU_CE_STRIDE, Kind::ReadOnly,
                std::move(read));
    };
    reg("ce_status", NVSOC_GPU_CE_STATUS, [this](unsigned i) -> uint64_t {
        const CopyEngine& e = ce[i];
        if (!e.active) return 0;
        return NVSOC_GPU_CE_STATUS_BUSY | e.active->channel << NVSOC_GPU_CE_STATUS_CHANNEL_SHIFT;
    });
    reg("ce_rate_mbps", NVSOC_GPU_CE_RATE_MBPS,
        [this](unsigned i) -> uint64_t { return ce[i].rate / 1'000'000; });
    reg("ce_bytes_lo", NVSOC_GPU_CE_BYTES_LO,
        [this](unsigned i) -> uint64_t { return static_cast<uint32_t>(ce[i].bytes); });
    reg("ce_bytes_hi", NVSOC_GPU_CE_BYTES_HI,
        [this](unsigned i) -> uint64_t { return ce[i].bytes >> 32; });
    reg("ce_launches", NVSOC_GPU_CE_LAUNCHES,
        [this](unsigned i) -> uint64_t { return ce[i].launches; });
}

void Engine::Impl::declare_interrupt_registers(RegisterBank& b) {
    auto one = [&](const char* name, uint64_t offset, Kind kind,
                   std::function<uint64_t(unsigned)> read,
                   std::function<void(unsigned, uint32_t)> write = {}) {
        declare(b, name, offset, 1, 4, kind, std::move(read), std::move(write));
    };
    // A 64-bit per-channel mask as LO/HI, write 1 to clear.
    auto w1c64 = [&](const char* lo, const char* hi, uint64_t offset, uint64_t Impl::*mask) {
        for (unsigned half = 0; half < 2; ++half)
            one(
                half ? hi : lo, offset + 4 * half, Kind::Action,
                [this, mask, half](unsigned) -> uint64_t {
                    return static_cast<uint32_t>(this->*mask >> (32 * half));
                },
                [this, mask, half](unsigned, uint32_t v) {
                    this->*mask &= ~(uint64_t(v) << (32 * half));
                    update_level();
                });
    };
    one("intr_status", NVSOC_GPU_INTR_STATUS, Kind::ReadOnly,
        [this](unsigned) -> uint64_t { return intr_status(); });
    one(
        "intr_en_set", NVSOC_GPU_INTR_EN_SET, Kind::Action,
        [this](unsigned) -> uint64_t { return intr_enable; },
        [this](unsigned, uint32_t v) { enable_interrupts(v); });
    one(
        "intr_en_clear", NVSOC_GPU_INTR_EN_CLEAR, Kind::Action,
        [this](unsigned) -> uint64_t { return intr_enable; },
        [this](unsigned, uint32_t v) {
            intr_enable &= ~v;
            update_level();
        });
    w1c64("nonstall_pending_lo", "nonstall_pending_hi", NVSOC_GPU_NONSTALL_PENDING_LO,
          &Impl::nonstall);
    w1c64("channel_error_lo", "channel_error_hi", NVSOC_GPU_CHANNEL_ERROR_LO, &Impl::channel_error);
    one(
        "ecc_status", NVSOC_GPU_ECC_STATUS, Kind::Action,
        [this](unsigned) -> uint64_t { return ecc_status; },
        [this](unsigned, uint32_t v) {
            ecc_status &= ~v;
            update_level();
        });
    auto counter = [&](const char* name, uint64_t offset, uint32_t Impl::*count) {
        one(
            name, offset, Kind::Action,
            [this, count](unsigned) -> uint64_t { return this->*count; },
            [this, count](unsigned, uint32_t v) {
                if (v == 0) this->*count = 0;
            });
    };
    counter("ecc_corrected_count", NVSOC_GPU_ECC_CORRECTED_COUNT, &Impl::ecc_corrected);
    counter("ecc_uncorrected_count", NVSOC_GPU_ECC_UNCORRECTED_COUNT, &Impl::ecc_uncorrected);
    one("ecc_addr_lo", NVSOC_GPU_ECC_ADDR_LO, Kind::ReadOnly,
        [this](unsigned) -> uint64_t { return static_cast<uint32_t>(ecc_addr); });
    one("ecc_addr_hi", NVSOC_GPU_ECC_ADDR_HI, Kind::ReadOnly,
        [this](unsigned) -> uint64_t { return ecc_addr >> 32; });
}

void Engine::Impl::declare_fault_buffer_registers(RegisterBank& b) {
    auto field = [&](const char* name, uint64_t offset, uint32_t Impl::*member, uint32_t mask) {
        declare(
            b, name, offset, 1, 4, Kind::ReadWrite,
            [this, member](unsigned) -> uint64_t { return this->*member; },
            [this, member, mask](unsigned, uint32_t v) {
                this->*member = v & mask;
                update_level();
            });
    };
    field("fault_buf_lo", NVSOC_GPU_FAULT_BUF_LO, &Impl::fb_lo, ~31u);
    field("fault_buf_hi", NVSOC_GPU_FAULT_BUF_HI, &Impl::fb_hi, ~0u);
    field("fault_buf_size", NVSOC_GPU_FAULT_BUF_SIZE, &Impl::fb_size, 0x1ffff);
    field("fault_buf_ctrl", NVSOC_GPU_FAULT_BUF_CTRL, &Impl::fb_ctrl, 7);
    declare(
        b, "fault_buf_get", NVSOC_GPU_FAULT_BUF_GET, 1, 4, Kind::ReadWrite,
        [this](unsigned) -> uint64_t { return fb_get; },
        [this](unsigned, uint32_t v) {
            fb_get = v & 0xffff;
            if (v & NVSOC_GPU_FAULT_BUF_GET_CLEAR_OVERFLOW) fb_overflow = false;
            update_level();
        });
    declare(b, "fault_buf_put", NVSOC_GPU_FAULT_BUF_PUT, 1, 4, Kind::ReadOnly,
            [this](unsigned) -> uint64_t {
                return fb_put | (fb_overflow ? NVSOC_GPU_FAULT_BUF_PUT_OVERFLOW : 0);
            });
    declare(b, "fault_count", NVSOC_GPU_FAULT_COUNT, 1, 4, Kind::ReadOnly,
            [this](unsigned) -> uint64_t { return fault_count; });
}

} // namespace nvsoc::gpu
