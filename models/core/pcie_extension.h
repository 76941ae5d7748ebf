// The one TLM extension nvsoc's transactions carry (steering decision 8):
// what a PCIe TLP says about itself beyond address, data and command. DMA
// from a PCIe function reaches the system bus with it attached, so that
// whatever sits at the root complex's upstream point (the IOMMU, when it
// exists) can tell requesters apart.
#pragma once

#include <cstdint>
#include <optional>
#include <tlm>

namespace nvsoc {

enum class TlpKind : uint8_t { MemoryRead, MemoryWrite, IoRead, IoWrite, Message };

// PcieExtension::attributes bits (the TLP's Attr field).
inline constexpr uint8_t kAttrNoSnoop = 1u << 0, kAttrRelaxedOrdering = 1u << 1,
                         kAttrIdBasedOrdering = 1u << 2;

struct PcieExtension : tlm::tlm_extension<PcieExtension> {
    uint16_t requester_id = 0; // bus [15:8], device [7:3], function [2:0]
    TlpKind kind = TlpKind::MemoryRead;
    bool poisoned = false;  // EP bit
    uint8_t attributes = 0; // bit 0 No Snoop, bit 1 Relaxed Ordering, bit 2 ID-Based Ordering
    std::optional<uint32_t> pasid;
    // A TLM transaction from a PCIe function is a whole burst; the function
    // cuts it into TLPs by its own Device Control: writes at
    // Max_Payload_Size, read requests at Max_Read_Request_Size (bytes; 0:
    // not said, the link's defaults apply).
    uint16_t max_payload = 0;
    uint16_t max_read_request = 0;
    // Set on the way back: the absolute simulated time (ps) at which the
    // burst's last request TLP left the requester, on the link directly
    // above it, after waiting for the link and, for reads, for a tag and
    // completion space (pcie::TransferTiming::issued). The requester may
    // send its next burst from then on, without waiting for this one's
    // data. The first hop sets it; the ports beyond leave it. PcieNode::dma
    // starts it at the request's own time, which stays for a device with no
    // link above (on the root bus).
    uint64_t issued_ps = 0;

    tlm::tlm_extension_base* clone() const override { return new PcieExtension(*this); }
    void copy_from(const tlm::tlm_extension_base& other) override {
        *this = static_cast<const PcieExtension&>(other);
    }
};

inline uint16_t make_requester_id(unsigned bus, unsigned device, unsigned function) {
    return static_cast<uint16_t>((bus & 0xff) << 8 | (device & 0x1f) << 3 | (function & 7));
}

} // namespace nvsoc
