// NS16550A UART: the 8250-family serial port of the QEMU virt board, with
// 16-byte receive FIFO, divisor latch, loopback and modem status, one
// interrupt output. Registers are one byte wide at offsets 0..7 (reg-shift 0,
// reg-io-width 1); any other access width is answered with an address error.
//
// Timing: transmission is instant (a byte written to THR goes to the backend
// at once, there is no baud-rate pacing of TX, THRE/TEMT stay set), as in
// QEMU. Reception is paced: one byte enters the receive FIFO per character
// time (start + data + parity + stop bits at clock / (16 * divisor) baud),
// and only when the FIFO has room, so host input never overruns.
#pragma once

#include "models/core/device.h"
#include "models/uart/uart_backend.h"

#include <deque>
#include <memory>

namespace nvsoc {

class Ns16550a : public Device {
  public:
    SC_HAS_PROCESS(Ns16550a);

    // Register offsets.
    static constexpr uint64_t kRbr = 0, kThr = 0, kDll = 0, kIer = 1, kDlm = 1, kIir = 2, kFcr = 2,
                              kLcr = 3, kMcr = 4, kLsr = 5, kMsr = 6, kScr = 7;
    static constexpr unsigned kFifoDepth = 16;

    explicit Ns16550a(const DeviceConfig& config);
    ~Ns16550a() override;

    void reset() override;
    void describe_dt(DtContext& ctx) override;
    void stats(nlohmann::json& out) const override;
    std::vector<IrqOut*> irq_outputs() override { return {&irq_}; }

    // The duration of one character with the current line settings.
    sc_core::sc_time char_time() const;

  protected:
    void b_transport(tlm::tlm_generic_payload& tx, sc_core::sc_time& delay) override;

  private:
    void declare_registers();
    void open_backends();

    // Register side effects.
    uint8_t read_rbr();
    void write_thr(uint8_t value);
    void write_ier(uint8_t value);
    uint8_t read_iir();
    void write_fcr(uint8_t value);
    uint8_t read_lsr();
    uint8_t read_msr();
    void write_mcr(uint8_t value);

    // Receive path.
    size_t rx_capacity() const { return fifo_enabled_ ? kFifoDepth : 1; }
    void receive(uint8_t byte);
    void clear_rx();
    void restart_timeout();
    void kick_rx();
    void retime_rx();
    void schedule_rx(const sc_core::sc_time& after);
    void rx_method();
    void timeout_method();
    void flush_method();
    void schedule_flush();

    // Interrupts.
    uint8_t interrupt_id() const; // IIR bits 3:0
    void update_irq();
    void update_modem_lines();

    uint32_t clock_hz_ = 0;
    IrqOut irq_;
    std::unique_ptr<UartBackend> out_;
    std::unique_ptr<UartBackend> in_owned_;
    UartBackend* in_ = nullptr; // in_owned_, out_ (tcp) or null

    // Register state.
    uint8_t ier_ = 0, lcr_ = 0, mcr_ = 0, scr_ = 0, dll_ = 0, dlm_ = 0;
    uint8_t lsr_errors_ = 0; // OE/PE/FE/BI, cleared by reading LSR
    uint8_t msr_ = 0xb0;
    bool fifo_enabled_ = false;
    unsigned rx_trigger_ = 1;
    std::deque<uint8_t> rx_;
    uint8_t rbr_last_ = 0;
    bool thre_pending_ = false;    // THR-empty interrupt condition
    bool timeout_pending_ = false; // character timeout condition

    // Scheduling.
    sc_core::sc_event rx_ev_, timeout_ev_, flush_ev_;
    bool started_ = false;
    bool rx_scheduled_ = false;
    bool input_done_ = false;
    bool flush_scheduled_ = false;

    uint64_t tx_bytes_ = 0, rx_bytes_ = 0, overruns_ = 0;
};

} // namespace nvsoc
