// A PCIe endpoint that speaks the pci-epf-test protocol (`pci-epf-test`):
// the host side of Linux's endpoint test (drivers/misc/pci_endpoint_test.c
// and tools/pci/pcitest) drives it unmodified. It stands in for a Linux
// endpoint-mode controller running the pci-epf-test function, with TI's
// DRA74x IDs by default (104c:b500).
//
// Six 32-bit memory BARs of the sizes pci-epf-test uses (512 B, 512 B,
// 1 KiB, 16 KiB, 128 KiB, 1 MiB) are plain memory; BAR0 starts with the
// test registers (MAGIC, COMMAND, STATUS, source and destination address,
// SIZE, CHECKSUM, IRQ_TYPE, IRQ_NUMBER, FLAGS), declared as a register bank, and, as Linux's
// pci-epf-test lays it out, the MSI-X table at 0x80 (the registers rounded up to 128 bytes) with
// the PBA right after it (`msix-vectors` entries, 1 to 2048, 32 by default; BAR0 grows to the power
// of two that holds them). A COMMAND write is picked up `command-latency` later, as the endpoint
// function's poll would: COMMAND and STATUS are cleared, the transfer runs over the link (READ: the
// endpoint reads host memory and checks the CRC32 the host wrote to CHECKSUM; WRITE: it writes
// pseudo-random data to host memory and puts its CRC32 in CHECKSUM; COPY: host memory to host
// memory through the endpoint), STATUS gets the result and the interrupt IRQ_TYPE asks for is
// raised: INTx (0), MSI (1) or MSI-X (2), vector IRQ_NUMBER - 1. INTx is held until the host reads
// STATUS (a level interrupt that the status read acknowledges); MSI and MSI-X are memory writes
// upstream (pcie::MsiSignaller: masking, pending bits). RAISE_MSI and RAISE_MSIX commands raise
// vector IRQ_NUMBER - 1 only when that kind is enabled with at least IRQ_NUMBER vectors, as the
// endpoint function checks; otherwise the command is skipped (no IRQ_RAISED).
//
// Partial, and said so: FLAGS.USE_DMA and the memcpy path behave alike (one data mover, the link
// sets the pace).
#pragma once

#include "models/pcie/pcie_node.h"

#include <array>
#include <memory>

namespace nvsoc {

namespace epf_test {
// Register offsets in BAR0 (pci_endpoint_test.c, Linux 6.12).
inline constexpr unsigned kMagic = 0x00, kCommand = 0x04, kStatus = 0x08, kSrcLow = 0x0c,
                          kSrcHigh = 0x10, kDstLow = 0x14, kDstHigh = 0x18, kSize = 0x1c,
                          kChecksum = 0x20, kIrqType = 0x24, kIrqNumber = 0x28, kFlags = 0x2c,
                          kRegistersEnd = 0x30;
inline constexpr uint32_t kRaiseIntx = 1u << 0, kRaiseMsi = 1u << 1, kRaiseMsix = 1u << 2,
                          kRead = 1u << 3, kWrite = 1u << 4, kCopy = 1u << 5;
inline constexpr uint32_t kReadSuccess = 1u << 0, kReadFail = 1u << 1, kWriteSuccess = 1u << 2,
                          kWriteFail = 1u << 3, kCopySuccess = 1u << 4, kCopyFail = 1u << 5,
                          kIrqRaised = 1u << 6, kSrcAddrInvalid = 1u << 7,
                          kDstAddrInvalid = 1u << 8;
inline constexpr uint32_t kIrqTypeIntx = 0, kIrqTypeMsi = 1, kIrqTypeMsix = 2;
inline constexpr uint32_t kMaxTransfer = 64u << 20; // the model's buffer
// BAR sizes without MSI-X (BAR0 grows to hold the MSI-X table and PBA).
inline constexpr std::array<uint32_t, 6> kBarSizes = {512, 512, 1024, 16384, 131072, 1048576};
// pci-epf-test's MSI-X table follows the registers rounded up to 128 bytes
// in BAR0; the PBA follows the table, a multiple of 8 bytes.
inline constexpr uint32_t kMsixTableOffset = 0x80;
inline constexpr unsigned kMaxMsixVectors = 2048;
inline constexpr uint32_t msix_pba_offset(unsigned vectors) {
    return kMsixTableOffset + 16 * vectors;
}
inline constexpr uint32_t msix_end(unsigned vectors) {
    return msix_pba_offset(vectors) + (vectors + 63) / 64 * 8;
}
// CRC32 as Linux's crc32_le(~0, data, len): the reflected 0xedb88320
// polynomial from an all-ones seed, without the final inversion.
uint32_t crc32_le(uint32_t crc, const uint8_t* data, size_t len);
} // namespace epf_test

class EpfTest : public PcieNode {
  public:
    explicit EpfTest(const DeviceConfig& config);

    std::vector<pcie::ConfigSpace*> functions() override { return {&cs_}; }
    void link_reset() override;
    void reset() override;
    void stats(nlohmann::json& out) const override;

    pcie::ConfigSpace& config_space() { return cs_; }
    pcie::MsiSignaller& msi() { return *msi_; }
    uint32_t reg(unsigned offset) const;

  private:
    void declare_registers();
    void set_reg(unsigned offset, uint32_t value);
    void worker();
    void run(uint32_t command);
    bool transfer(bool read, uint64_t address, uint8_t* data, uint32_t size);
    bool aborted(uint64_t generation) const;
    void raise_irq(uint32_t type, uint32_t number);
    bool can_raise(uint32_t type, uint32_t number) const;

    pcie::ConfigSpace cs_;
    RegisterBank registers_; // BAR0's test registers (and MSI-X table, PBA)
    std::unique_ptr<pcie::MsiSignaller> msi_;
    std::array<size_t, 12> register_ids_{}; // by offset / 4
    std::array<std::vector<uint8_t>, 6> bars_;
    sc_core::sc_time command_latency_;
    sc_core::sc_event command_written_;
    bool command_pending_ = false;
    RandomStream data_;       // the WRITE command's data, "<instance>.data"
    uint64_t generation_ = 0; // resets so far: a running command checks it
    std::vector<uint8_t> buffer_;
    uint64_t commands_ = 0, bytes_read_ = 0, bytes_written_ = 0, irqs_ = 0, failures_ = 0;
};

} // namespace nvsoc
