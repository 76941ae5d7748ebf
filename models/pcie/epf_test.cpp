#include "models/pcie/epf_test.h"

#include "models/core/model_registry.h"

#include <cstring>

namespace nvsoc {

using namespace pcie;
using namespace epf_test;

uint32_t epf_test::crc32_le(uint32_t crc, const uint8_t* data, size_t len) {
    static const auto table = [] {
        std::array<uint32_t, 256> t{};
        for (uint32_t i = 0; i < 256; ++i) {
            uint32_t c = i;
            for (int k = 0; k < 8; ++k)
                c = (c >> 1) ^ (0xedb88320u & (0u - (c & 1)));
            t[i] = c;
        }
        return t;
    }();
    for (size_t i = 0; i < len; ++i)
        crc = table[(crc ^ data[i]) & 0xff] ^ (crc >> 8);
    return crc;
}

namespace {

Identity epf_identity(const DeviceConfig& c) {
    Identity id;
    id.vendor_id = static_cast<uint16_t>(c.params.u64("vendor-id"));
    id.device_id = static_cast<uint16_t>(c.params.u64("device-id"));
    id.class_code = 0xff0000; // unassigned class, as pci-epf-test's default header
    id.subsystem_vendor_id = id.vendor_id;
    id.interrupt_pin = 1; // INTA
    return id;
}

uint64_t splitmix(uint64_t& s) {
    uint64_t z = (s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

} // namespace

EpfTest::EpfTest(const DeviceConfig& config)
    : PcieNode(config), cs_(epf_identity(config)),
      command_latency_(sc_core::sc_time::from_value(config.params.time_ps("command-latency"))),
      rng_seed_(config.seed ^ 0x6570662d74657374ull), rng_state_(rng_seed_) {
    for (unsigned b = 0; b < 6; ++b) {
        cs_.set_bar(b, {kBarSizes[b], BarKind::Memory32, false});
        bars_[b].assign(kBarSizes[b], 0);
    }
    cs_.add_pm_capability();
    cs_.add_msi_capability({.multiple_message_capable = 5, .address64 = true});
    PcieOptions o;
    o.type = PortType::Endpoint;
    o.max_payload_supported = 256;
    o.max_link_speed = port_.max_speed;
    o.max_link_width = port_.max_width;
    cs_.add_pcie_capability(o);
    cs_.add_aer_capability();
    watch_interrupt_disable();
    SC_HAS_PROCESS(EpfTest);
    SC_THREAD(worker);
}

uint32_t EpfTest::reg(unsigned offset) const {
    uint32_t v;
    std::memcpy(&v, bars_[0].data() + offset, 4);
    return v;
}

void EpfTest::set_reg(unsigned offset, uint32_t value) {
    std::memcpy(bars_[0].data() + offset, &value, 4);
}

void EpfTest::downstream_request(const PciBus::Claim& claim, Space, uint64_t,
                                 tlm::tlm_generic_payload& tx, sc_core::sc_time& delay) {
    unsigned bar = claim.bar ? claim.bar->bar : 6;
    uint64_t offset = claim.bar ? claim.bar->offset : 0;
    unsigned len = tx.get_data_length();
    if (bar >= 6 || offset + len > bars_[bar].size()) {
        tx.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
        return;
    }
    uint8_t* mem = bars_[bar].data() + offset;
    if (tx.is_read()) {
        std::memcpy(tx.get_data_ptr(), mem, len);
        // Reading STATUS acknowledges the interrupt: INTx drops and
        // IRQ_RAISED clears. The driver's handler completes its wait when
        // it sees IRQ_RAISED; on an INTx line it shares (with its root
        // port's AER interrupt, say) a stale IRQ_RAISED from the previous
        // command would end the next wait before the transfer ran.
        if (bar == 0 && offset < kStatus + 4 && offset + len > kStatus) {
            set_intx(0, false);
            set_reg(kStatus, reg(kStatus) & ~kIrqRaised);
        }
    } else if (tx.is_write()) {
        std::memcpy(mem, tx.get_data_ptr(), len);
        if (bar == 0 && offset < kCommand + 4 && offset + len > kCommand && reg(kCommand) != 0) {
            command_pending_ = true;
            command_written_.notify(delay + command_latency_);
        }
    }
    tx.set_response_status(tlm::TLM_OK_RESPONSE);
}

void EpfTest::worker() {
    for (;;) {
        // (A command written while the previous one ran is picked up next,
        // as the endpoint function's next poll would.)
        while (!command_pending_)
            sc_core::wait(command_written_);
        command_pending_ = false;
        // As the endpoint function does on picking a command up.
        uint32_t command = reg(kCommand);
        set_reg(kCommand, 0);
        set_reg(kStatus, 0);
        if (command) run(command);
    }
}

// One host memory transfer through the link, in MRRS/MPS-sized TLPs
// (the root port cuts them); the thread waits until the last completion
// (reads) or write has arrived.
bool EpfTest::transfer(bool read, uint64_t address, uint8_t* data, uint32_t size) {
    tlm::tlm_generic_payload tx;
    tx.set_command(read ? tlm::TLM_READ_COMMAND : tlm::TLM_WRITE_COMMAND);
    tx.set_address(address);
    tx.set_data_ptr(data);
    tx.set_data_length(size);
    tx.set_streaming_width(size);
    sc_core::sc_time delay = sc_core::SC_ZERO_TIME;
    dma(0, tx, delay);
    sc_core::wait(delay);
    if (tx.is_response_ok()) (read ? bytes_read_ : bytes_written_) += size;
    return tx.is_response_ok();
}

// A reset while a command runs abandons it: no status, no interrupt.
bool EpfTest::aborted(uint64_t generation) const {
    return generation != generation_;
}

// pci-epf-test's command handler: one command at a time, by its exact
// value; an IRQ_TYPE it cannot raise skips the command altogether.
void EpfTest::run(uint32_t command) {
    ++commands_;
    uint64_t generation = generation_;
    uint64_t src = uint64_t{reg(kSrcHigh)} << 32 | reg(kSrcLow);
    uint64_t dst = uint64_t{reg(kDstHigh)} << 32 | reg(kDstLow);
    uint32_t size = reg(kSize);
    if (reg(kIrqType) > kIrqTypeMsix) {
        log_.guest_error("IRQ_TYPE {} is none of INTx (0), MSI (1), MSI-X (2): command 0x{:x} "
                         "ignored",
                         reg(kIrqType), command);
        return;
    }
    bool transfer_command = command == kRead || command == kWrite || command == kCopy;
    if (!transfer_command && command != kRaiseIntx && command != kRaiseMsi &&
        command != kRaiseMsix) {
        log_.guest_error("invalid command 0x{:x} (one of bits 0-5 at a time)", command);
        return;
    }
    uint32_t status = 0;
    if (transfer_command && size > kMaxTransfer) {
        // Beyond the endpoint's buffer: refused, as a failed allocation.
        log_.guest_error("transfer of {} bytes refused: the endpoint buffers at most {}", size,
                         format_size(kMaxTransfer));
        status = command == kRead ? kReadFail : command == kWrite ? kWriteFail : kCopyFail;
    } else if (command == kRead) {
        // The host wrote the data's CRC32; the endpoint reads and checks it.
        buffer_.resize(size);
        if (!transfer(true, src, buffer_.data(), size))
            status = kReadFail | kSrcAddrInvalid;
        else
            status =
                crc32_le(~0u, buffer_.data(), size) == reg(kChecksum) ? kReadSuccess : kReadFail;
    } else if (command == kWrite) {
        buffer_.resize(size);
        for (uint32_t i = 0; i < size; i += 8) {
            uint64_t r = splitmix(rng_state_);
            std::memcpy(buffer_.data() + i, &r, std::min<uint32_t>(8, size - i));
        }
        set_reg(kChecksum, crc32_le(~0u, buffer_.data(), size));
        status = transfer(false, dst, buffer_.data(), size) ? kWriteSuccess
                                                            : kWriteFail | kDstAddrInvalid;
    } else if (command == kCopy) {
        buffer_.resize(size);
        if (!transfer(true, src, buffer_.data(), size))
            status = kCopyFail | kSrcAddrInvalid;
        else if (!aborted(generation))
            status = transfer(false, dst, buffer_.data(), size) ? kCopySuccess
                                                                : kCopyFail | kDstAddrInvalid;
    }
    if (aborted(generation)) return;
    if (status & (kReadFail | kWriteFail | kCopyFail)) ++failures_;
    log_.debug("command 0x{:x}: src 0x{:x} dst 0x{:x} size {}: status 0x{:x}", command, src, dst,
               size, status);
    set_reg(kStatus, status);
    raise_irq();
}

void EpfTest::raise_irq() {
    uint32_t type = reg(kIrqType);
    set_reg(kStatus, reg(kStatus) | kIrqRaised);
    ++irqs_;
    if (type == kIrqTypeIntx) {
        set_intx(0, true);
        return;
    }
    auto msi = cs_.msi();
    unsigned n = reg(kIrqNumber);
    if (type == kIrqTypeMsi && msi && msi->enabled && n >= 1 && n <= msi->vectors) {
        // Message n is the data with its low bits replaced by n - 1.
        uint32_t data = (msi->data & ~(msi->vectors - 1)) | (n - 1);
        tlm::tlm_generic_payload tx;
        tx.set_command(tlm::TLM_WRITE_COMMAND);
        tx.set_address(msi->address);
        tx.set_data_ptr(reinterpret_cast<unsigned char*>(&data));
        tx.set_data_length(4);
        tx.set_streaming_width(4);
        sc_core::sc_time delay = sc_core::SC_ZERO_TIME;
        dma(0, tx, delay);
        return;
    }
    log_.guest_error("interrupt type {} number {} requested, which the function cannot raise "
                     "(MSI {}, no MSI-X)",
                     type, n, msi && msi->enabled ? "enabled" : "disabled");
}

void EpfTest::link_reset() {
    ++generation_;
    command_pending_ = false;
    PcieNode::link_reset();
    set_intx(0, false);
}

void EpfTest::reset() {
    ++generation_;
    rng_state_ = rng_seed_;
    cs_.reset(ResetKind::PowerOn);
    for (auto& b : bars_)
        std::fill(b.begin(), b.end(), 0);
    command_pending_ = false;
    set_intx(0, false);
}

void EpfTest::stats(nlohmann::json& out) const {
    out["commands"] = commands_;
    out["bytes_read"] = bytes_read_;
    out["bytes_written"] = bytes_written_;
    out["interrupts"] = irqs_;
    out["failed_transfers"] = failures_;
    out["dma_blocked"] = dma_blocked_;
}

namespace {
std::vector<ParamSpec> epf_params() {
    std::vector<ParamSpec> p = pcie_link_params("gen5", "16");
    std::vector<ParamSpec> more = {
        {"vendor-id", ParamType::Integer, "0x104c", "Vendor ID (default TI)", false, {}, 0, 0xffff},
        {"device-id",
         ParamType::Integer,
         "0xb500",
         "Device ID (default DRA74x, which pci_endpoint_test matches)",
         false,
         {},
         0,
         0xffff},
        {"command-latency", ParamType::Time, "1us",
         "From a COMMAND write's arrival to the endpoint starting it (its poll)"},
    };
    p.insert(p.end(), more.begin(), more.end());
    return p;
}
} // namespace

NVSOC_REGISTER_MODEL(ModelInfo{
    "pci-epf-test",
    "PCIe endpoint speaking the pci-epf-test protocol (Linux's pci_endpoint_test and pcitest): "
    "six memory BARs, DMA read/write/copy with CRC32, INTx and MSI",
    epf_params(),
    0,
    0,
    [](const DeviceConfig& c) { return std::make_unique<EpfTest>(c); },
    true,
});

} // namespace nvsoc
