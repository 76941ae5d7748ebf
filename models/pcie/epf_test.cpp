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

} // namespace

namespace {
uint64_t round_up_pow2(uint64_t v) {
    uint64_t p = 1;
    while (p < v)
        p <<= 1;
    return p;
}
} // namespace

EpfTest::EpfTest(const DeviceConfig& config)
    : PcieNode(config), cs_(epf_identity(config)),
      command_latency_(sc_core::sc_time::from_value(config.params.time_ps("command-latency"))),
      data_(random_stream("data")) {
    declare_registers();
    auto vectors = static_cast<unsigned>(config.params.u64("msix-vectors"));
    // BAR0 holds the registers and, with MSI-X, the table and PBA: as
    // pci-epf-test allocates it, a power of two.
    uint64_t bar0_registers = vectors ? msix_end(vectors) : kRegistersEnd;
    for (unsigned b = 0; b < 6; ++b) {
        uint64_t size =
            b == 0 ? std::max<uint64_t>(kBarSizes[0], round_up_pow2(bar0_registers)) : kBarSizes[b];
        cs_.set_bar(b, {size, BarKind::Memory32, false});
        bars_[b].assign(size, 0);
        // BAR0: the registers, then memory (as the endpoint's BAR0 is RAM
        // whose first words the function polls).
        map_bar(0, b,
                {.registers = b == 0 ? &registers_ : nullptr,
                 .registers_size = b == 0 ? bar0_registers : 0,
                 .memory = bars_[b].data(),
                 .memory_size = bars_[b].size()});
    }
    cs_.add_pm_capability();
    // 32 vectors, 64-bit, maskable, as a DesignWare endpoint controller
    // shows pci-epf-test's MSI.
    cs_.add_msi_capability(
        {.multiple_message_capable = 5, .address64 = true, .per_vector_masking = true});
    if (vectors)
        cs_.add_msix_capability({.table_size = vectors,
                                 .table_bar = 0,
                                 .table_offset = kMsixTableOffset,
                                 .pba_bar = 0,
                                 .pba_offset = msix_pba_offset(vectors)});
    PcieOptions o;
    o.type = PortType::Endpoint;
    o.max_payload_supported = 256;
    o.max_link_speed = port_.max_speed;
    o.max_link_width = port_.max_width;
    cs_.add_pcie_capability(o);
    cs_.add_aer_capability();
    msi_ = std::make_unique<MsiSignaller>(cs_, log_, msi_wiring(0));
    if (vectors) msi_->declare_msix(registers_, registers_);
    watch_interrupt_disable();
    SC_HAS_PROCESS(EpfTest);
    SC_THREAD(worker);
}

void EpfTest::declare_registers() {
    static const char* const names[] = {"MAGIC",    "COMMAND",  "STATUS",     "SRC_LOW",
                                        "SRC_HIGH", "DST_LOW",  "DST_HIGH",   "SIZE",
                                        "CHECKSUM", "IRQ_TYPE", "IRQ_NUMBER", "FLAGS"};
    for (unsigned i = 0; i < register_ids_.size(); ++i) {
        RegisterSpec r{.name = names[i], .offset = 4 * i, .width = 4};
        if (4 * i == kStatus)
            // Reading STATUS acknowledges the interrupt: INTx drops and
            // IRQ_RAISED clears. The driver's handler completes its wait
            // when it sees IRQ_RAISED; on an INTx line it shares (with its
            // root port's AER interrupt, say) a stale IRQ_RAISED from the
            // previous command would end the next wait before the transfer
            // ran.
            r.on_read = [this](unsigned) {
                uint32_t status = reg(kStatus);
                set_intx(0, false);
                set_reg(kStatus, status & ~kIrqRaised);
                return status;
            };
        if (4 * i == kCommand)
            // The function picks a command up on its next poll.
            r.on_write = [this](unsigned, uint64_t v, uint64_t) {
                if (v == 0) return;
                command_pending_ = true;
                command_written_.notify(access_delay() + command_latency_);
            };
        register_ids_[i] = registers_.add(std::move(r));
    }
}

uint32_t EpfTest::reg(unsigned offset) const {
    return static_cast<uint32_t>(registers_.value(register_ids_.at(offset / 4)));
}

void EpfTest::set_reg(unsigned offset, uint32_t value) {
    registers_.set(register_ids_.at(offset / 4), value);
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
    if (command == kRaiseIntx) {
        // The legacy interrupt, whatever IRQ_TYPE says.
        set_reg(kStatus, kIrqRaised);
        raise_irq(kIrqTypeIntx, 0);
        return;
    }
    if (command == kRaiseMsi || command == kRaiseMsix) {
        // The function checks the vector against what the host enabled and
        // skips the command when it cannot raise it.
        uint32_t type = command == kRaiseMsi ? kIrqTypeMsi : kIrqTypeMsix;
        uint32_t n = reg(kIrqNumber);
        if (!can_raise(type, n)) {
            log_.guest_error("{} vector {} asked for, which is not enabled (MSI {} vectors, MSI-X "
                             "{}): command skipped",
                             type == kIrqTypeMsi ? "MSI" : "MSI-X", n, msi_->msi_vectors(),
                             msi_->mode() == InterruptMode::Msix ? msi_->msix_vectors() : 0);
            return;
        }
        set_reg(kStatus, kIrqRaised);
        raise_irq(type, n);
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
            uint64_t r = data_.next();
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
    set_reg(kStatus, status | kIrqRaised);
    raise_irq(reg(kIrqType), reg(kIrqNumber));
}

bool EpfTest::can_raise(uint32_t type, uint32_t number) const {
    if (number < 1) return false;
    if (type == kIrqTypeMsi) return number <= msi_->msi_vectors();
    if (type == kIrqTypeMsix)
        return msi_->mode() == InterruptMode::Msix && number <= msi_->msix_vectors();
    return type == kIrqTypeIntx;
}

// IRQ_NUMBER counts from 1; the vector is IRQ_NUMBER - 1.
void EpfTest::raise_irq(uint32_t type, uint32_t number) {
    ++irqs_;
    if (type == kIrqTypeIntx) {
        set_intx(0, true);
        return;
    }
    if (!can_raise(type, number)) {
        log_.guest_error("interrupt type {} number {} requested, which the function cannot raise "
                         "(MSI {} vectors enabled, MSI-X {})",
                         type, number, msi_->msi_vectors(),
                         msi_->mode() == InterruptMode::Msix ? msi_->msix_vectors() : 0);
        return;
    }
    if (type == kIrqTypeMsi)
        msi_->raise_msi(number - 1);
    else
        msi_->raise_msix(number - 1);
}

void EpfTest::link_reset() {
    ++generation_;
    command_pending_ = false;
    PcieNode::link_reset();
    msi_->reset();
    set_intx(0, false);
}

void EpfTest::reset() {
    ++generation_;
    data_ = random_stream("data");
    cs_.reset(ResetKind::PowerOn);
    registers_.reset();
    msi_->reset();
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
    const MsiSignaller::Counters& m = msi_->counters();
    out["messages"] = {{"sent", m.sent},       {"pended", m.pended},   {"blocked", m.blocked},
                       {"refused", m.refused}, {"invalid", m.invalid}, {"intx", m.intx}};
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
        {"msix-vectors",
         ParamType::Integer,
         "32",
         "MSI-X table entries, 1 to 2048 (in BAR0 from 0x80, the PBA after them; BAR0 grows to "
         "hold them); 0: no MSI-X capability",
         false,
         {},
         0,
         kMaxMsixVectors},
    };
    p.insert(p.end(), more.begin(), more.end());
    return p;
}
} // namespace

NVSOC_REGISTER_MODEL(ModelInfo{
    .type = "pci-epf-test",
    .doc = "PCIe endpoint speaking the pci-epf-test protocol (Linux's pci_endpoint_test and "
           "pcitest): six memory BARs, DMA read/write/copy with CRC32, INTx, MSI and MSI-X",
    .params = epf_params(),
    .create = [](const DeviceConfig& c) { return std::make_unique<EpfTest>(c); },
    .on_bus = "PCI",
});

} // namespace nvsoc
