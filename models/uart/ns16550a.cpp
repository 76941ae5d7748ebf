#include "models/uart/ns16550a.h"

#include <filesystem>

#include "models/core/model_registry.h"

#include <fmt/format.h>

namespace nvsoc {

namespace {

// IER
constexpr uint8_t kIerErbfi = 0x01, kIerEtbei = 0x02, kIerElsi = 0x04, kIerEdssi = 0x08;
constexpr uint8_t kIerMask = 0x0f;
// IIR interrupt ids, highest priority first
constexpr uint8_t kIidLineStatus = 0x06, kIidRxData = 0x04, kIidTimeout = 0x0c, kIidThre = 0x02,
                  kIidModem = 0x00, kIidNone = 0x01;
constexpr uint8_t kIirFifoBits = 0xc0;
// FCR
constexpr uint8_t kFcrEnable = 0x01, kFcrClearRx = 0x02; // bit 2 clears TX: nothing to clear
// LCR
constexpr uint8_t kLcrParity = 0x08, kLcrStop2 = 0x04, kLcrDlab = 0x80;
// MCR
constexpr uint8_t kMcrDtr = 0x01, kMcrRts = 0x02, kMcrOut1 = 0x04, kMcrOut2 = 0x08, kMcrLoop = 0x10,
                  kMcrMask = 0x1f;
// LSR
constexpr uint8_t kLsrDr = 0x01, kLsrOe = 0x02, kLsrPe = 0x04, kLsrFe = 0x08, kLsrBi = 0x10,
                  kLsrThre = 0x20, kLsrTemt = 0x40, kLsrFifoErr = 0x80;
constexpr uint8_t kLsrErrors = kLsrOe | kLsrPe | kLsrFe | kLsrBi;
// MSR
constexpr uint8_t kMsrDcts = 0x01, kMsrDdsr = 0x02, kMsrTeri = 0x04, kMsrDdcd = 0x08;
constexpr uint8_t kMsrCts = 0x10, kMsrDsr = 0x20, kMsrRi = 0x40, kMsrDcd = 0x80;
constexpr uint8_t kMsrDeltas = 0x0f;
// Outside loopback the modem inputs read as a connected, ready peer.
constexpr uint8_t kMsrIdle = kMsrCts | kMsrDsr | kMsrDcd;

constexpr uint32_t kFallbackBaud = 115200; // used while the divisor is 0
constexpr unsigned kTimeoutChars = 4;      // character timeout, in character times

sc_core::sc_time poll_interval() {
    return sc_core::sc_time(100, sc_core::SC_US);
}
sc_core::sc_time flush_delay() {
    return sc_core::sc_time(10, sc_core::SC_US);
}

} // namespace

Ns16550a::Ns16550a(const DeviceConfig& config) : Device(config) {
    clock_hz_ = static_cast<uint32_t>(config.params.u64("clock-frequency"));
    open_backends();
    declare_registers();

    SC_METHOD(rx_method); // its first run, at time 0, starts reception
    sensitive << rx_ev_;
    SC_METHOD(timeout_method);
    sensitive << timeout_ev_;
    dont_initialize();
    SC_METHOD(flush_method);
    sensitive << flush_ev_;
    dont_initialize();
}

Ns16550a::~Ns16550a() {
    if (out_) out_->flush();
}

void Ns16550a::open_backends() {
    const DeviceConfig& c = config();
    const Params& p = c.params;
    const std::string& backend = p.str("backend");
    if (backend == "file") {
        if (!p.has("file"))
            throw InputError(c.where, fmt::format("'{}' has backend: file but no 'file' to write "
                                                  "to; add e.g. `file: {}.log`, or choose "
                                                  "another backend (stdout, tcp, none)",
                                                  c.name, c.name));
        // Like every path in a config, a relative one is taken from the
        // directory of the file that names it (the current directory for
        // --set on the command line).
        std::filesystem::path file(p.str("file"));
        const std::string& named_in = p.where("file").file;
        if (file.is_relative() && !named_in.empty() && named_in[0] != '<')
            file = std::filesystem::path(named_in).parent_path() / file;
        out_ = std::make_unique<FileBackend>(file.string(), p.where("file"), &log_);
    } else if (backend == "tcp") {
        if (!p.has("port"))
            throw InputError(c.where, fmt::format("'{}' has backend: tcp but no 'port'; add e.g. "
                                                  "`port: 4444` (a free TCP port; the UART "
                                                  "listens on 127.0.0.1 only), or choose "
                                                  "another backend (stdout, file, none)",
                                                  c.name));
        out_ = std::make_unique<TcpBackend>(static_cast<uint16_t>(p.u64("port")), p.where("port"),
                                            &log_);
        in_ = out_.get();
        if (p.str("input") != "none")
            log_.warn("input: {} is ignored: with backend: tcp, input comes from the TCP client",
                      p.str("input"));
        return;
    } else if (backend == "stdout") {
        out_ = std::make_unique<StdoutBackend>(&log_);
    } else {
        out_ = std::make_unique<NullBackend>();
    }

    const std::string& input = p.str("input");
    if (input == "stdin") {
        in_owned_ = std::make_unique<StdinInput>(
            [this] {
                if (config().system) config().system->request_exit(0, "console escape");
            },
            &log_);
    } else if (input == "file") {
        if (!p.has("input-file"))
            throw InputError(c.where, fmt::format("'{}' has input: file but no 'input-file' to "
                                                  "read; add e.g. `input-file: keys.txt`, or "
                                                  "choose another input (none, stdin)",
                                                  c.name));
        in_owned_ = std::make_unique<FileInput>(p.str("input-file"), p.where("input-file"));
    }
    in_ = in_owned_.get();
}

void Ns16550a::declare_registers() {
    auto reg = [this](const char* name, uint64_t offset, std::function<uint64_t(unsigned)> rd,
                      std::function<void(uint8_t)> wr) {
        RegisterSpec s;
        s.name = name;
        s.offset = offset;
        s.width = 1;
        s.on_read = std::move(rd);
        s.on_write = [wr = std::move(wr)](unsigned, uint64_t v, uint64_t) {
            wr(static_cast<uint8_t>(v));
        };
        regs_.add(std::move(s));
    };
    reg(
        "RBR/THR/DLL", kRbr,
        [this](unsigned) -> uint64_t { return lcr_ & kLcrDlab ? dll_ : read_rbr(); },
        [this](uint8_t v) {
            if (lcr_ & kLcrDlab) {
                dll_ = v;
                retime_rx();
            } else {
                write_thr(v);
            }
        });
    reg(
        "IER/DLM", kIer, [this](unsigned) -> uint64_t { return lcr_ & kLcrDlab ? dlm_ : ier_; },
        [this](uint8_t v) {
            if (lcr_ & kLcrDlab) {
                dlm_ = v;
                retime_rx();
            } else {
                write_ier(v);
            }
        });
    reg(
        "IIR/FCR", kIir, [this](unsigned) -> uint64_t { return read_iir(); },
        [this](uint8_t v) { write_fcr(v); });
    reg(
        "LCR", kLcr, [this](unsigned) -> uint64_t { return lcr_; },
        [this](uint8_t v) {
            lcr_ = v;
            retime_rx();
        });
    reg(
        "MCR", kMcr, [this](unsigned) -> uint64_t { return mcr_; },
        [this](uint8_t v) { write_mcr(v); });
    reg(
        "LSR", kLsr, [this](unsigned) -> uint64_t { return read_lsr(); },
        [this](uint8_t v) { log_.guest_error("write of 0x{:02x} to read-only LSR ignored", v); });
    reg(
        "MSR", kMsr, [this](unsigned) -> uint64_t { return read_msr(); },
        [this](uint8_t v) { log_.guest_error("write of 0x{:02x} to read-only MSR ignored", v); });
    reg(
        "SCR", kScr, [this](unsigned) -> uint64_t { return scr_; },
        [this](uint8_t v) { scr_ = v; });
}

void Ns16550a::b_transport(tlm::tlm_generic_payload& tx, sc_core::sc_time& delay) {
    unsigned len = tx.get_data_length();
    uint64_t offset = tx.get_address();
    if (len != 1 && offset < 8) {
        delay += access_latency_;
        log_.guest_error("{}-byte {} at offset 0x{:x}: the registers are 1 byte wide", len,
                         tx.is_read() ? "read" : "write", offset);
        tx.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
        return;
    }
    Device::b_transport(tx, delay);
}

void Ns16550a::reset() {
    regs_.reset();
    ier_ = lcr_ = mcr_ = scr_ = dll_ = dlm_ = 0;
    lsr_errors_ = 0;
    msr_ = kMsrIdle;
    fifo_enabled_ = false;
    rx_trigger_ = 1;
    rx_.clear();
    rbr_last_ = 0;
    thre_pending_ = false;
    timeout_pending_ = false;
    timeout_ev_.cancel();
    update_irq();
    retime_rx();
    kick_rx();
}

// --- timing --------------------------------------------------------------

sc_core::sc_time Ns16550a::char_time() const {
    // Counted in half bits so that 1.5 stop bits (5-bit words) are exact.
    unsigned word = 5 + (lcr_ & 0x03);
    unsigned half_bits = 2 * (1 + word + ((lcr_ & kLcrParity) ? 1 : 0));
    half_bits += (lcr_ & kLcrStop2) ? (word == 5 ? 3 : 4) : 2;
    uint32_t divisor = dll_ | (static_cast<uint32_t>(dlm_) << 8);
    constexpr unsigned __int128 kPsPerSecond = 1000000000000ull;
    unsigned __int128 num, den;
    if (divisor == 0) {
        num = half_bits * kPsPerSecond;
        den = 2 * static_cast<unsigned __int128>(kFallbackBaud);
    } else {
        num = static_cast<unsigned __int128>(half_bits) * 16 * divisor * kPsPerSecond;
        den = 2 * static_cast<unsigned __int128>(clock_hz_);
    }
    return sc_core::sc_time(static_cast<double>(static_cast<uint64_t>(num / den)), sc_core::SC_PS);
}

// --- transmit ------------------------------------------------------------

void Ns16550a::write_thr(uint8_t value) {
    ++tx_bytes_;
    // THR is full for an instant: its interrupt condition goes away ...
    thre_pending_ = false;
    update_irq();
    // ... and the byte leaves at once. No baud-rate pacing of TX: the
    // transmitter is always idle again by the time the write returns.
    if (mcr_ & kMcrLoop) {
        receive(value);
    } else {
        out_->write(&value, 1);
        schedule_flush();
    }
    thre_pending_ = true;
    update_irq();
}

void Ns16550a::schedule_flush() {
    if (!started_) {
        out_->flush();
        return;
    }
    if (flush_scheduled_) return;
    flush_scheduled_ = true;
    flush_ev_.notify(flush_delay());
}

void Ns16550a::flush_method() {
    flush_scheduled_ = false;
    out_->flush();
}

// --- receive -------------------------------------------------------------

void Ns16550a::receive(uint8_t byte) {
    ++rx_bytes_;
    if (rx_.size() >= rx_capacity()) {
        // Overrun. With FIFOs the new character is lost; without, it
        // overwrites the unread one in the holding register.
        lsr_errors_ |= kLsrOe;
        ++overruns_;
        if (!fifo_enabled_) rx_.back() = byte;
    } else {
        rx_.push_back(byte);
    }
    restart_timeout();
    update_irq();
}

uint8_t Ns16550a::read_rbr() {
    if (!rx_.empty()) {
        rbr_last_ = rx_.front();
        rx_.pop_front();
        kick_rx();
    }
    restart_timeout();
    update_irq();
    return rbr_last_;
}

void Ns16550a::clear_rx() {
    rx_.clear();
    restart_timeout();
    kick_rx();
}

void Ns16550a::restart_timeout() {
    timeout_pending_ = false;
    timeout_ev_.cancel();
    if (started_ && fifo_enabled_ && !rx_.empty())
        timeout_ev_.notify(char_time() * static_cast<double>(kTimeoutChars));
}

void Ns16550a::timeout_method() {
    if (fifo_enabled_ && !rx_.empty()) {
        timeout_pending_ = true;
        update_irq();
    }
}

void Ns16550a::schedule_rx(const sc_core::sc_time& after) {
    rx_scheduled_ = true;
    rx_ev_.cancel();
    rx_ev_.notify(after);
}

// Makes sure the next input byte is on its way (if there is an input, room
// and nothing scheduled yet).
void Ns16550a::kick_rx() {
    if (!started_ || !in_ || input_done_ || rx_scheduled_) return;
    schedule_rx(char_time());
}

// New line settings: the character being received restarts at the new rate.
void Ns16550a::retime_rx() {
    if (started_ && rx_scheduled_) schedule_rx(char_time());
}

void Ns16550a::rx_method() {
    if (!started_) {
        started_ = true;
        kick_rx();
        return;
    }
    rx_scheduled_ = false;
    if (!in_ || input_done_) return;
    if (mcr_ & kMcrLoop) {
        // The serial input is disconnected in loopback. An interactive
        // backend is still serviced (TCP accepts, pending output); a file
        // input waits until loopback ends.
        if (in_->interactive()) {
            out_->flush();
            schedule_rx(poll_interval());
        }
        return;
    }
    if (rx_.size() >= rx_capacity()) return; // reading RBR kicks us again
    uint8_t byte = 0;
    switch (in_->poll(byte)) {
    case UartPoll::Byte:
        receive(byte);
        schedule_rx(char_time());
        break;
    case UartPoll::Later: {
        sc_core::sc_time t = char_time();
        schedule_rx(t > poll_interval() ? t : poll_interval());
        break;
    }
    case UartPoll::Never:
        input_done_ = true;
        break;
    }
}

// --- other registers -----------------------------------------------------

void Ns16550a::write_ier(uint8_t value) {
    uint8_t old = ier_;
    ier_ = value & kIerMask;
    if (value & ~kIerMask)
        log_.guest_error("IER write 0x{:02x} sets reserved bits (ignored)", value);
    // Enabling the THRE interrupt while THR is empty (it always is) raises
    // it at once; Linux's 8250 driver probes for exactly this.
    if (!(old & kIerEtbei) && (ier_ & kIerEtbei)) thre_pending_ = true;
    update_irq();
}

uint8_t Ns16550a::read_iir() {
    uint8_t id = interrupt_id();
    if (id == kIidThre) {
        thre_pending_ = false;
        update_irq();
    }
    return id | (fifo_enabled_ ? kIirFifoBits : 0);
}

void Ns16550a::write_fcr(uint8_t value) {
    bool enable = value & kFcrEnable;
    if (enable != fifo_enabled_) {
        fifo_enabled_ = enable;
        clear_rx(); // the transmit side has nothing to clear
    }
    if (enable) {
        if (value & kFcrClearRx) clear_rx();
        static constexpr unsigned kTriggers[4] = {1, 4, 8, 14};
        rx_trigger_ = kTriggers[value >> 6];
    }
    update_irq();
}

uint8_t Ns16550a::read_lsr() {
    uint8_t v = lsr_errors_ | kLsrThre | kLsrTemt;
    if (!rx_.empty()) v |= kLsrDr;
    if (fifo_enabled_ && (lsr_errors_ & (kLsrPe | kLsrFe | kLsrBi))) v |= kLsrFifoErr;
    lsr_errors_ = 0;
    update_irq();
    return v;
}

uint8_t Ns16550a::read_msr() {
    uint8_t v = msr_;
    msr_ &= static_cast<uint8_t>(~kMsrDeltas);
    update_irq();
    return v;
}

void Ns16550a::write_mcr(uint8_t value) {
    bool was_loop = mcr_ & kMcrLoop;
    if (value & ~kMcrMask)
        log_.guest_error("MCR write 0x{:02x} sets reserved bits (ignored)", value);
    mcr_ = value & kMcrMask;
    update_modem_lines();
    if (was_loop && !(mcr_ & kMcrLoop)) kick_rx();
    update_irq();
}

void Ns16550a::update_modem_lines() {
    uint8_t lines = kMsrIdle;
    if (mcr_ & kMcrLoop) {
        lines = 0;
        if (mcr_ & kMcrRts) lines |= kMsrCts;
        if (mcr_ & kMcrDtr) lines |= kMsrDsr;
        if (mcr_ & kMcrOut1) lines |= kMsrRi;
        if (mcr_ & kMcrOut2) lines |= kMsrDcd;
    }
    uint8_t changed = (msr_ ^ lines) & 0xf0;
    uint8_t deltas = msr_ & kMsrDeltas;
    if (changed & kMsrCts) deltas |= kMsrDcts;
    if (changed & kMsrDsr) deltas |= kMsrDdsr;
    if (changed & kMsrDcd) deltas |= kMsrDdcd;
    if ((changed & kMsrRi) && !(lines & kMsrRi)) deltas |= kMsrTeri; // trailing edge only
    msr_ = lines | deltas;
}

// --- interrupts ----------------------------------------------------------

uint8_t Ns16550a::interrupt_id() const {
    if ((ier_ & kIerElsi) && (lsr_errors_ & kLsrErrors)) return kIidLineStatus;
    if (ier_ & kIerErbfi) {
        bool level_reached = fifo_enabled_ ? rx_.size() >= rx_trigger_ : !rx_.empty();
        if (level_reached) return kIidRxData;
        if (fifo_enabled_ && timeout_pending_ && !rx_.empty()) return kIidTimeout;
    }
    if ((ier_ & kIerEtbei) && thre_pending_) return kIidThre;
    if ((ier_ & kIerEdssi) && (msr_ & kMsrDeltas)) return kIidModem;
    return kIidNone;
}

// Not gated by MCR.OUT2: like QEMU's virt serial port, the line follows the
// interrupt condition alone.
void Ns16550a::update_irq() {
    irq_.set(interrupt_id() != kIidNone);
}

// --- description ---------------------------------------------------------

void Ns16550a::describe_dt(DtContext& ctx) {
    DtNode& node = ctx.soc_node("serial", base(), size());
    node.set_string("compatible", "ns16550a");
    node.set_u32("clock-frequency", clock_hz_);
    ctx.add_interrupts(node, config().irqs);
    std::string path = "/soc/" + node.name();

    DtNode& aliases = ctx.root().child("aliases");
    unsigned n = 0;
    bool listed = false;
    for (const auto& prop : aliases.props()) {
        if (prop.name.rfind("serial", 0) != 0) continue;
        if (prop.kind == DtProperty::Kind::Strings && !prop.strings.empty() &&
            prop.strings.front() == path)
            listed = true;
        ++n;
    }
    if (!listed) {
        while (aliases.prop(fmt::format("serial{}", n)))
            ++n;
        aliases.set_string(fmt::format("serial{}", n), path);
    }
    DtNode& chosen = ctx.root().child("chosen");
    if (!chosen.prop("stdout-path")) chosen.set_string("stdout-path", path);
}

void Ns16550a::stats(nlohmann::json& out) const {
    out["tx_bytes"] = tx_bytes_;
    out["rx_bytes"] = rx_bytes_;
    out["rx_overruns"] = overruns_;
}

NVSOC_REGISTER_MODEL(ModelInfo{
    .type = "ns16550a",
    .doc = "NS16550A UART with 16-byte FIFO; console on stdout, a file or TCP",
    .params =
        {
            {"clock-frequency",
             ParamType::Frequency,
             "3686400",
             "Baud generator input clock (baud = clock / (16 * divisor))",
             false,
             {},
             1,
             UINT32_MAX},
            {"backend",
             ParamType::Enum,
             "stdout",
             "Where transmitted bytes go",
             false,
             {"stdout", "file", "tcp", "none"}},
            {"file", ParamType::String, "",
             "Output file for backend: file (created or truncated; relative to the config file)"},
            {"port",
             ParamType::Integer,
             "",
             "TCP port on 127.0.0.1 for backend: tcp (the client is also the input)",
             false,
             {},
             1,
             65535},
            {"input",
             ParamType::Enum,
             "none",
             "Where received bytes come from (stdin: Ctrl-A x quits; ignored with backend: tcp)",
             false,
             {"none", "stdin", "file"}},
            {"input-file", ParamType::Path, "",
             "File whose bytes are received, in order, for "
             "input: file"},
        },
    .default_size = 0x100,
    .irq_outputs = 1,
    .create = [](const DeviceConfig& c) { return std::make_unique<Ns16550a>(c); },
});

} // namespace nvsoc
