// One PCI Express function's 4 KiB configuration space, as hardware holds it
// (PCIe Base Specification, chapter 7): storage plus, for every bit, how
// software may change it. Plain C++ with no SystemC, so that root ports,
// switch ports and endpoints can all own one and a bus model can route
// configuration requests to it.
//
// Every bit is one of:
//   RO    read-only: hardware-initialized, hardwired or reserved (reads its
//         stored value; reserved bits are stored as 0 and read 0)
//   RW    written directly by software
//   RW1C  software clears it by writing 1; writing 0 leaves it
//   RW1S  software sets it by writing 1; writing 0 leaves it
// plus "sticky": kept by a conventional (hot/warm/FLR) reset, cleared only by
// a power-on reset. Bits that hardware owns (link status, error status,
// interrupt status) are changed by the owning model through hw_set(), which
// bypasses the software masks.
//
// The registers are declared as data (declare()); the header layouts, BARs
// and the standard capabilities are built on top of that with builders.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

namespace nvsoc::pcie {

// ---------------------------------------------------------------------------
// Register map. Offsets and bit positions are the PCIe Base Specification's
// (the same values as Linux's include/uapi/linux/pci_regs.h).
namespace cfg {
inline constexpr unsigned kSize = 4096;      // PCIe configuration space
inline constexpr unsigned kLegacySize = 256; // the PCI-compatible part
inline constexpr unsigned kExtendedStart = 0x100;

// Common header (both types).
inline constexpr unsigned kVendorId = 0x00, kDeviceId = 0x02, kCommand = 0x04, kStatus = 0x06,
                          kRevisionId = 0x08, kClassCode = 0x09, kCacheLineSize = 0x0c,
                          kLatencyTimer = 0x0d, kHeaderType = 0x0e, kBist = 0x0f, kBar0 = 0x10,
                          kCapabilitiesPointer = 0x34, kInterruptLine = 0x3c, kInterruptPin = 0x3d;
// Type 0 (endpoint).
inline constexpr unsigned kCardbusCis = 0x28, kSubsystemVendorId = 0x2c, kSubsystemId = 0x2e,
                          kRomAddress = 0x30, kMinGnt = 0x3e, kMaxLat = 0x3f;
// Type 1 (PCI-to-PCI bridge: root ports, switch ports).
inline constexpr unsigned kPrimaryBus = 0x18, kSecondaryBus = 0x19, kSubordinateBus = 0x1a,
                          kSecondaryLatencyTimer = 0x1b, kIoBase = 0x1c, kIoLimit = 0x1d,
                          kSecondaryStatus = 0x1e, kMemoryBase = 0x20, kMemoryLimit = 0x22,
                          kPrefetchableBase = 0x24, kPrefetchableLimit = 0x26,
                          kPrefetchableBaseUpper = 0x28, kPrefetchableLimitUpper = 0x2c,
                          kIoBaseUpper = 0x30, kIoLimitUpper = 0x32, kBridgeRomAddress = 0x38,
                          kBridgeControl = 0x3e;

namespace command {
inline constexpr uint16_t kIoSpace = 1u << 0, kMemorySpace = 1u << 1, kBusMaster = 1u << 2,
                          kParityErrorResponse = 1u << 6, kSerrEnable = 1u << 8,
                          kInterruptDisable = 1u << 10;
} // namespace command

// Status and (type 1) Secondary Status share the error bits; bit 14 is
// Signaled System Error in Status and Received System Error in Secondary
// Status.
namespace status {
inline constexpr uint16_t kInterruptStatus = 1u << 3, kCapabilitiesList = 1u << 4,
                          kMasterDataParityError = 1u << 8, kSignaledTargetAbort = 1u << 11,
                          kReceivedTargetAbort = 1u << 12, kReceivedMasterAbort = 1u << 13,
                          kSystemError = 1u << 14, kDetectedParityError = 1u << 15;
inline constexpr uint16_t kErrorBits = kMasterDataParityError | kSignaledTargetAbort |
                                       kReceivedTargetAbort | kReceivedMasterAbort | kSystemError |
                                       kDetectedParityError;
} // namespace status

namespace header_type {
inline constexpr uint8_t kMultiFunction = 0x80;
}

namespace bar {
inline constexpr uint32_t kIo = 1u << 0, kMemory64 = 2u << 1, kPrefetchable = 1u << 3;
inline constexpr uint32_t kRomEnable = 1u << 0;
} // namespace bar

namespace io_range {
inline constexpr uint8_t kType32 = 0x1; // low nibble of I/O Base/Limit
}
namespace pref_range {
inline constexpr uint16_t kType64 = 0x1; // low nibble of Prefetchable Base/Limit
}

namespace bridge_control {
inline constexpr uint16_t kParityErrorResponse = 1u << 0, kSerrEnable = 1u << 1,
                          kIsaEnable = 1u << 2, kVgaEnable = 1u << 3, kVga16Bit = 1u << 4,
                          kSecondaryBusReset = 1u << 6;
}

// Capability IDs.
inline constexpr uint8_t kCapPowerManagement = 0x01, kCapMsi = 0x05, kCapPciExpress = 0x10,
                         kCapMsix = 0x11;
inline constexpr uint16_t kExtCapAer = 0x0001, kExtCapResizableBar = 0x0015;
} // namespace cfg

// Power Management capability (offsets from the capability).
namespace pm {
inline constexpr unsigned kCapabilities = 0x02, kControlStatus = 0x04, kSize = 8;
inline constexpr uint16_t kVersionMask = 0x7;
inline constexpr uint16_t kPowerStateMask = 0x3, kNoSoftReset = 1u << 3;
inline constexpr unsigned kD0 = 0, kD3hot = 3;
} // namespace pm

// MSI capability. The data, mask and pending registers move by 4 bytes when
// the address is 64-bit; msi_layout() gives them.
namespace msi {
inline constexpr unsigned kControl = 0x02, kAddressLow = 0x04, kAddressHigh = 0x08;
inline constexpr uint16_t kEnable = 1u << 0, kMultipleMessageCapableShift = 1,
                          kMultipleMessageEnableShift = 4, kMultipleMessageEnableMask = 0x7u << 4,
                          kAddress64 = 1u << 7, kPerVectorMasking = 1u << 8;
} // namespace msi

// MSI-X capability.
namespace msix {
inline constexpr unsigned kControl = 0x02, kTable = 0x04, kPba = 0x08, kSize = 12;
inline constexpr uint16_t kTableSizeMask = 0x7ff, kFunctionMask = 1u << 14, kEnable = 1u << 15;
inline constexpr uint32_t kBirMask = 0x7;
inline constexpr unsigned kEntryBytes = 16;
} // namespace msix

// PCI Express capability (version 2; offsets from the capability).
namespace pcie_cap {
inline constexpr unsigned kCapabilities = 0x02, kDeviceCapabilities = 0x04, kDeviceControl = 0x08,
                          kDeviceStatus = 0x0a, kLinkCapabilities = 0x0c, kLinkControl = 0x10,
                          kLinkStatus = 0x12, kSlotCapabilities = 0x14, kSlotControl = 0x18,
                          kSlotStatus = 0x1a, kRootControl = 0x1c, kRootCapabilities = 0x1e,
                          kRootStatus = 0x20, kDeviceCapabilities2 = 0x24, kDeviceControl2 = 0x28,
                          kDeviceStatus2 = 0x2a, kLinkCapabilities2 = 0x2c, kLinkControl2 = 0x30,
                          kLinkStatus2 = 0x32, kSlotCapabilities2 = 0x34, kSlotControl2 = 0x38,
                          kSlotStatus2 = 0x3a, kSize = 0x3c;
inline constexpr uint16_t kVersion = 2, kSlotImplemented = 1u << 8,
                          kInterruptMessageMask = 0x1fu << 9;
inline constexpr unsigned kInterruptMessageShift = 9;

namespace devcap {
inline constexpr uint32_t kMaxPayloadMask = 0x7, kExtendedTag = 1u << 5,
                          kRoleBasedErrorReporting = 1u << 15, kFlr = 1u << 28;
}
namespace devctl {
inline constexpr uint16_t kCorrectableReporting = 1u << 0, kNonFatalReporting = 1u << 1,
                          kFatalReporting = 1u << 2, kUnsupportedRequestReporting = 1u << 3,
                          kRelaxedOrdering = 1u << 4, kMaxPayloadMask = 0x7u << 5,
                          kExtendedTagEnable = 1u << 8, kNoSnoop = 1u << 11,
                          kMaxReadRequestMask = 0x7u << 12, kInitiateFlr = 1u << 15;
inline constexpr unsigned kMaxPayloadShift = 5, kMaxReadRequestShift = 12;
} // namespace devctl
namespace devsta {
inline constexpr uint16_t kCorrectableDetected = 1u << 0, kNonFatalDetected = 1u << 1,
                          kFatalDetected = 1u << 2, kUnsupportedRequestDetected = 1u << 3,
                          kTransactionsPending = 1u << 5;
}
namespace lnkcap {
inline constexpr uint32_t kMaxSpeedMask = 0xf, kMaxWidthMask = 0x3fu << 4,
                          kAspmSupportMask = 0x3u << 10, kSurpriseDownReporting = 1u << 19,
                          kDllActiveReporting = 1u << 20, kBandwidthNotification = 1u << 21,
                          kAspmOptionalityCompliance = 1u << 22, kPortNumberMask = 0xffu << 24;
inline constexpr unsigned kMaxWidthShift = 4, kAspmSupportShift = 10, kPortNumberShift = 24;
} // namespace lnkcap
namespace lnkctl {
inline constexpr uint16_t kAspmMask = 0x3, kReadCompletionBoundary = 1u << 3,
                          kLinkDisable = 1u << 4, kRetrainLink = 1u << 5, kCommonClock = 1u << 6,
                          kExtendedSynch = 1u << 7, kBandwidthManagementIrq = 1u << 10,
                          kAutonomousBandwidthIrq = 1u << 11;
}
namespace lnksta {
inline constexpr uint16_t kSpeedMask = 0xf, kWidthMask = 0x3fu << 4, kLinkTraining = 1u << 11,
                          kSlotClock = 1u << 12, kDllLinkActive = 1u << 13,
                          kBandwidthManagement = 1u << 14, kAutonomousBandwidth = 1u << 15;
inline constexpr unsigned kWidthShift = 4;
} // namespace lnksta
namespace sltcap {
inline constexpr uint32_t kAttentionButton = 1u << 0, kPowerController = 1u << 1,
                          kMrlSensor = 1u << 2, kAttentionIndicator = 1u << 3,
                          kPowerIndicator = 1u << 4, kHotPlugSurprise = 1u << 5,
                          kHotPlugCapable = 1u << 6, kNoCommandCompleted = 1u << 18,
                          kPhysicalSlotMask = 0x1fffu << 19;
inline constexpr unsigned kPhysicalSlotShift = 19;
} // namespace sltcap
namespace sltctl {
inline constexpr uint16_t kAttentionButtonEnable = 1u << 0, kPowerFaultEnable = 1u << 1,
                          kMrlChangedEnable = 1u << 2, kPresenceChangedEnable = 1u << 3,
                          kCommandCompletedEnable = 1u << 4, kHotPlugInterruptEnable = 1u << 5,
                          kAttentionIndicatorMask = 0x3u << 6, kPowerIndicatorMask = 0x3u << 8,
                          kPowerControllerOff = 1u << 10, kDllStateChangedEnable = 1u << 12;
}
namespace sltsta {
inline constexpr uint16_t kAttentionButtonPressed = 1u << 0, kPowerFault = 1u << 1,
                          kMrlChanged = 1u << 2, kPresenceChanged = 1u << 3,
                          kCommandCompleted = 1u << 4, kMrlState = 1u << 5,
                          kPresenceDetect = 1u << 6, kDllStateChanged = 1u << 8;
}
namespace rtctl {
inline constexpr uint16_t kSeOnCorrectable = 1u << 0, kSeOnNonFatal = 1u << 1, kSeOnFatal = 1u << 2,
                          kPmeInterruptEnable = 1u << 3, kCrsVisibilityEnable = 1u << 4;
}
namespace rtsta {
inline constexpr uint32_t kPmeRequesterMask = 0xffff, kPmeStatus = 1u << 16, kPmePending = 1u << 17;
}
namespace devcap2 {
inline constexpr uint32_t kCompletionTimeoutDisable = 1u << 4, kAriForwarding = 1u << 5;
}
namespace devctl2 {
inline constexpr uint16_t kCompletionTimeoutDisable = 1u << 4, kAriForwarding = 1u << 5;
}
namespace lnkctl2 {
inline constexpr uint16_t kTargetSpeedMask = 0xf, kEnterCompliance = 1u << 4,
                          kHwAutonomousSpeedDisable = 1u << 5;
}
} // namespace pcie_cap

// Advanced Error Reporting extended capability (version 2).
namespace aer {
inline constexpr unsigned kUncorrectableStatus = 0x04, kUncorrectableMask = 0x08,
                          kUncorrectableSeverity = 0x0c, kCorrectableStatus = 0x10,
                          kCorrectableMask = 0x14, kCapabilitiesControl = 0x18, kHeaderLog = 0x1c,
                          kRootErrorCommand = 0x2c, kRootErrorStatus = 0x30, kErrorSourceId = 0x34,
                          kSize = 0x2c, kRootPortSize = 0x38;
inline constexpr uint16_t kVersion = 2;

// Uncorrectable errors (status, mask and severity registers).
inline constexpr uint32_t kDataLinkProtocol = 1u << 4, kSurpriseDown = 1u << 5,
                          kPoisonedTlp = 1u << 12, kFlowControlProtocol = 1u << 13,
                          kCompletionTimeout = 1u << 14, kCompleterAbort = 1u << 15,
                          kUnexpectedCompletion = 1u << 16, kReceiverOverflow = 1u << 17,
                          kMalformedTlp = 1u << 18, kEcrc = 1u << 19,
                          kUnsupportedRequest = 1u << 20, kAcsViolation = 1u << 21,
                          kUncorrectableInternal = 1u << 22;
inline constexpr uint32_t kUncorrectableImplemented =
    kDataLinkProtocol | kSurpriseDown | kPoisonedTlp | kFlowControlProtocol | kCompletionTimeout |
    kCompleterAbort | kUnexpectedCompletion | kReceiverOverflow | kMalformedTlp | kEcrc |
    kUnsupportedRequest | kAcsViolation | kUncorrectableInternal;
// The specification's power-on severity (1 = fatal) and mask.
inline constexpr uint32_t kDefaultSeverity = kDataLinkProtocol | kSurpriseDown |
                                             kFlowControlProtocol | kReceiverOverflow |
                                             kMalformedTlp | kUncorrectableInternal;
inline constexpr uint32_t kDefaultUncorrectableMask = kUncorrectableInternal;

// Correctable errors (status and mask registers).
inline constexpr uint32_t kReceiverError = 1u << 0, kBadTlp = 1u << 6, kBadDllp = 1u << 7,
                          kReplayNumRollover = 1u << 8, kReplayTimerTimeout = 1u << 12,
                          kAdvisoryNonFatal = 1u << 13, kCorrectedInternal = 1u << 14,
                          kHeaderLogOverflow = 1u << 15;
inline constexpr uint32_t kCorrectableImplemented =
    kReceiverError | kBadTlp | kBadDllp | kReplayNumRollover | kReplayTimerTimeout |
    kAdvisoryNonFatal | kCorrectedInternal | kHeaderLogOverflow;
inline constexpr uint32_t kDefaultCorrectableMask =
    kAdvisoryNonFatal | kCorrectedInternal | kHeaderLogOverflow;

// Capabilities and Control.
inline constexpr uint32_t kFirstErrorPointerMask = 0x1f, kEcrcGenerationCapable = 1u << 5,
                          kEcrcGenerationEnable = 1u << 6, kEcrcCheckCapable = 1u << 7,
                          kEcrcCheckEnable = 1u << 8;
// Root Error Command and Status (root ports).
inline constexpr uint32_t kCorrectableReportingEnable = 1u << 0, kNonFatalReportingEnable = 1u << 1,
                          kFatalReportingEnable = 1u << 2;
inline constexpr uint32_t kErrCorReceived = 1u << 0, kMultipleErrCorReceived = 1u << 1,
                          kErrFatalNonFatalReceived = 1u << 2,
                          kMultipleErrFatalNonFatalReceived = 1u << 3,
                          kFirstUncorrectableFatal = 1u << 4, kNonFatalMessagesReceived = 1u << 5,
                          kFatalMessagesReceived = 1u << 6, kInterruptMessageMask = 0x1fu << 27;
} // namespace aer

// Resizable BAR extended capability (PCIe Base Spec 7.8.6, version 1): one
// Capability and one Control register per resizable BAR. BAR sizes are
// coded n for 2^(n+20) bytes: 0 = 1 MB .. 43 = 8 EB.
namespace rebar {
inline constexpr unsigned kCapability = 0x04, kControl = 0x08, kEntryBytes = 8, kMaxBars = 6;
inline constexpr uint16_t kVersion = 1;
// Capability: bit (n + 4) set = size n supported, for 1 MB (bit 4) .. 128 TB (bit 31).
inline constexpr uint32_t kCapSizesMask = 0xfffffff0u;
inline constexpr unsigned kCapSizesShift = 4, kCapSizeCodes = 28;
// Control: the BAR's index, the number of resizable BARs (in the first
// Control register only), BAR Size, and bit (n - 28 + 16) set = size n
// supported, for 256 TB (bit 16) .. 8 EB (bit 31).
inline constexpr uint32_t kCtrlBarIndexMask = 0x7, kCtrlNumBarsMask = 0x7u << 5,
                          kCtrlBarSizeMask = 0x3fu << 8, kCtrlSizesMask = 0xffff0000u;
inline constexpr unsigned kCtrlNumBarsShift = 5, kCtrlBarSizeShift = 8, kCtrlSizesShift = 16;
inline constexpr unsigned kMaxSizeCode = 43;
inline constexpr uint64_t size_bytes(unsigned code) {
    return 1ull << (code + 20);
}
// The supported-sizes mask (bit n: 2^(n+20) bytes) of every power of two
// from `min_bytes` to `max_bytes` (both powers of two, at least 1 MB).
uint64_t size_mask(uint64_t min_bytes, uint64_t max_bytes);
} // namespace rebar

// ---------------------------------------------------------------------------

enum class HeaderType : uint8_t { Type0 = 0, Type1 = 1 };

// Device/port type of the PCI Express capability.
enum class PortType : uint8_t {
    Endpoint = 0x0,
    RootPort = 0x4,
    UpstreamPort = 0x5,   // of a switch
    DownstreamPort = 0x6, // of a switch
};

enum class BarKind : uint8_t { None, Memory32, Memory64, Io };
enum class Space : uint8_t { Memory, Io };

// Power-on resets every bit; a conventional reset (hot reset, warm reset,
// FLR) keeps the sticky ones.
enum class ResetKind : uint8_t { PowerOn, Conventional };

// The read-only identity of a function.
struct Identity {
    uint16_t vendor_id = 0;
    uint16_t device_id = 0;
    uint8_t revision_id = 0;
    uint32_t class_code = 0; // base class [23:16], subclass [15:8], programming interface [7:0]
    uint16_t subsystem_vendor_id = 0; // type 0 only
    uint16_t subsystem_id = 0;        // type 0 only
    bool multi_function = false;
    uint8_t interrupt_pin = 0; // 0 none, 1..4 INTA..INTD
};

// A base address register. Sizes are powers of two: memory at least 16
// bytes (at most 2 GiB for 32-bit), I/O 4 to 256 bytes. A 64-bit BAR takes
// its slot and the next one.
struct BarSpec {
    uint64_t size = 0;
    BarKind kind = BarKind::None;
    bool prefetchable = false; // memory only
};

// Which optional windows a type 1 function implements (the memory window is
// mandatory).
struct BridgeOptions {
    bool io_window = true;           // I/O Base/Limit (else both read 0)
    bool io_32bit = true;            // 32-bit I/O addressing (Base/Limit Upper 16)
    bool prefetchable_window = true; // Prefetchable Base/Limit (else both read 0)
    bool prefetchable_64bit = true;  // 64-bit prefetchable addressing (Upper 32)
    bool vga = true;                 // VGA Enable and VGA 16-bit Decode writable
};

struct PmOptions {
    bool no_soft_reset = true; // D3hot -> D0 keeps the function's state
};

struct MsiOptions {
    unsigned multiple_message_capable = 0; // log2 of the vectors requested (0..5)
    bool address64 = true;
    bool per_vector_masking = false;
};

struct MsixOptions {
    unsigned table_size = 1;   // vectors, 1..2048
    unsigned table_bar = 0;    // BAR index holding the table
    uint32_t table_offset = 0; // 8-byte aligned
    unsigned pba_bar = 0;
    uint32_t pba_offset = 0;
};

struct SlotOptions {
    uint16_t physical_slot_number = 0; // 13 bits
    bool hot_plug_capable = false;
    bool hot_plug_surprise = false;
    bool attention_button = false;
    bool power_controller = false;
    bool mrl_sensor = false;
    bool attention_indicator = false;
    bool power_indicator = false;
    bool no_command_completed = true;
};

struct PcieOptions {
    PortType type = PortType::Endpoint;
    unsigned max_payload_supported = 256; // bytes: 128..4096
    unsigned max_link_speed = 1;          // generation: 1 (2.5 GT/s) .. 6 (64 GT/s)
    unsigned max_link_width = 1;          // lanes: 1, 2, 4, 8, 12, 16 or 32
    uint8_t port_number = 0;
    unsigned aspm_support = 0; // Link Capabilities ASPM Support: bit 0 L0s, bit 1 L1
    // For downstream-facing ports (root ports, switch downstream ports); the
    // specification requires them above 5 GT/s and for multi-speed ports.
    bool dll_link_active_reporting = true;
    bool bandwidth_notification = true;
    bool surprise_down_reporting = true;
    bool ari_forwarding = false;          // downstream-facing ports
    bool flr = false;                     // endpoints: Function Level Reset
    bool crs_software_visibility = false; // root ports
    std::optional<SlotOptions> slot;      // downstream-facing ports with a slot
};

// One BAR of the Resizable BAR capability.
struct ResizableBarOptions {
    unsigned bar = 0;     // a declared memory BAR (the lower slot of a 64-bit one)
    uint64_t sizes = 0;   // bit n set: 2^(n+20) bytes supported (rebar::size_mask)
    uint64_t initial = 0; // bytes: the BAR's declared size, one of `sizes`
};

struct AerOptions {
    bool ecrc_generation = false;
    bool ecrc_check = false;
};

// What a software write did to one dword of configuration space.
struct WriteEvent {
    unsigned offset = 0;    // the dword's (4-byte aligned) offset
    uint32_t old_value = 0; // the dword before the write
    uint32_t new_value = 0; // after the masks (what reads now return)
    uint32_t data = 0;      // the bits software wrote, in their dword position
    uint32_t lanes = 0;     // 0xff for each byte the access covered
    // Software wrote 1 to one of `bits` (bits of the dword). This is how a
    // model sees write-only actions such as Retrain Link, which read 0.
    bool wrote_one(uint32_t bits) const { return (data & lanes & bits) != 0; }
    bool changed(uint32_t bits) const { return ((old_value ^ new_value) & bits) != 0; }
    // The register at configuration offset `reg` (1, 2 or 4 bytes, inside
    // this dword) before and after.
    uint32_t old_field(unsigned reg, unsigned len) const { return extract(old_value, reg, len); }
    uint32_t new_field(unsigned reg, unsigned len) const { return extract(new_value, reg, len); }
    bool covers(unsigned reg) const {
        return reg / 4 * 4 == offset && ((lanes >> (reg % 4 * 8)) & 1) != 0;
    }

  private:
    uint32_t extract(uint32_t v, unsigned reg, unsigned len) const {
        uint32_t m = len >= 4 ? ~0u : (1u << (8 * len)) - 1;
        return (v >> ((reg - offset) * 8)) & m;
    }
};

struct BarHit {
    unsigned bar = 0;    // 0..5, or ConfigSpace::kRomBar for the expansion ROM
    uint64_t offset = 0; // from the BAR's base
};

// A bridge window [base, limit], both inclusive.
struct Window {
    uint64_t base = 0, limit = 0;
    bool contains(uint64_t a) const { return a >= base && a <= limit; }
};

class ConfigSpace {
  public:
    static constexpr unsigned kRomBar = 6;

    // A type 0 (endpoint) function.
    explicit ConfigSpace(const Identity& id);
    // A type 1 (PCI-to-PCI bridge) function: a root port or a switch port.
    ConfigSpace(const Identity& id, const BridgeOptions& bridge);

    HeaderType header_type() const { return type_; }
    unsigned bar_count() const { return type_ == HeaderType::Type0 ? 6 : 2; }

    // --- Software access (configuration requests) ---------------------------
    // Naturally aligned 1, 2 or 4-byte accesses inside the 4 KiB; anything
    // else is refused (nullopt / false) and changes nothing.
    std::optional<uint32_t> read(unsigned offset, unsigned len) const;
    bool write(unsigned offset, uint32_t value, unsigned len);

    // --- Model-side access ----------------------------------------------------
    // Stored values without access checks (no side effects).
    uint8_t u8(unsigned offset) const;
    uint16_t u16(unsigned offset) const;
    uint32_t u32(unsigned offset) const;
    // Sets the bits in `mask` of the (up to) 4 bytes starting at `offset` to
    // `value`, ignoring the software masks and running no hooks: this is how
    // hardware-owned fields (link status, error status) change.
    void hw_set(unsigned offset, uint32_t mask, uint32_t value);
    void hw_set_bits(unsigned offset, uint32_t bits) { hw_set(offset, bits, bits); }
    void hw_clear_bits(unsigned offset, uint32_t bits) { hw_set(offset, bits, 0); }

    // Declares the register at [offset, offset + len) (len 1..4): its
    // power-on value and which bits are RW, RW1C, RW1S and sticky (bits in
    // none of the first three are read-only). Sets the current value too.
    struct Field {
        uint32_t reset = 0;
        uint32_t rw = 0;
        uint32_t rw1c = 0;
        uint32_t rw1s = 0;
        uint32_t sticky = 0;
    };
    void declare(unsigned offset, unsigned len, const Field& field);

    // Power-on values; a conventional reset keeps sticky bits.
    void reset(ResetKind kind = ResetKind::PowerOn);

    // --- Write hooks -----------------------------------------------------------
    // Called after every software write that touches [offset, offset + len),
    // once the new value is stored (a hook may hw_set() in response).
    using WriteHook = std::function<void(const WriteEvent&)>;
    void add_write_hook(unsigned offset, unsigned len, WriteHook hook);
    // A filter sees each software write to the dword at `offset` (4-byte
    // aligned) after the masks and returns the value to store: for fields
    // that refuse some values (PowerState keeps its value when software
    // asks for a state the function lacks).
    using WriteFilter = std::function<uint32_t(uint32_t old_value, uint32_t new_value)>;
    void add_write_filter(unsigned offset, WriteFilter filter);

    // --- Command, status and INTx ------------------------------------------
    uint16_t command() const { return u16(cfg::kCommand); }
    uint16_t status() const { return u16(cfg::kStatus); }
    bool memory_enabled() const { return command() & cfg::command::kMemorySpace; }
    bool io_enabled() const { return command() & cfg::command::kIoSpace; }
    bool bus_master_enabled() const { return command() & cfg::command::kBusMaster; }
    // The model's INTx level, shown in Status.Interrupt Status.
    void set_intx(bool asserted);
    // Whether the function's INTx message/pin is asserted now (level set and
    // Command.Interrupt Disable clear).
    bool intx_asserted() const;
    // Sets error bits of Status (status::kErrorBits) as hardware does.
    void set_status_error(uint16_t bits) {
        hw_set_bits(cfg::kStatus, bits & cfg::status::kErrorBits);
    }

    // --- BARs ---------------------------------------------------------------
    // Declares BAR `index` (throws std::logic_error on an impossible spec).
    void set_bar(unsigned index, const BarSpec& spec);
    // Declares the expansion ROM BAR (a power of two from 2 KiB to 16 MiB).
    void set_expansion_rom(uint32_t size);
    const BarSpec& bar(unsigned index) const { return bars_.at(index); }
    uint32_t expansion_rom_size() const { return rom_size_; }
    // The address software programmed (0 for an unimplemented BAR or the
    // upper half of a 64-bit one). kRomBar gives the ROM's.
    uint64_t bar_address(unsigned index) const;
    // Whether the BAR currently decodes (its Command enable; for the ROM
    // also its own enable bit).
    bool bar_enabled(unsigned index) const;
    // Which BAR claims a memory or I/O request to `address`, if any.
    std::optional<BarHit> decode(Space space, uint64_t address) const;

    // --- Type 1 ---------------------------------------------------------------
    uint8_t primary_bus() const { return u8(cfg::kPrimaryBus); }
    uint8_t secondary_bus() const { return u8(cfg::kSecondaryBus); }
    uint8_t subordinate_bus() const { return u8(cfg::kSubordinateBus); }
    bool secondary_bus_reset() const;
    // The programmed windows; nullopt when absent or disabled (base > limit).
    std::optional<Window> io_window() const;
    std::optional<Window> memory_window() const;
    std::optional<Window> prefetchable_window() const;
    // Whether the bridge forwards a request downstream (window hit with the
    // Command enable set). VGA and ISA ranges are not decoded.
    bool forwards(Space space, uint64_t address) const;

    // --- Capabilities -------------------------------------------------------
    // Appends a capability of `size` bytes (header included) to the list
    // from 0x34: dword aligned from 0x40, below 0x100. Writes its ID and
    // chains its Next pointer; sets Status.Capabilities List. Returns its
    // offset.
    unsigned add_capability(uint8_t id, unsigned size);
    // Appends an extended capability (from 0x100, below 0x1000) with the
    // header ID [15:0], version [19:16], next [31:20]. Returns its offset.
    unsigned add_extended_capability(uint16_t id, uint8_t version, unsigned size);
    // Walks the lists as software does.
    std::optional<unsigned> find_capability(uint8_t id) const;
    std::optional<unsigned> find_extended_capability(uint16_t id) const;

    unsigned add_pm_capability(const PmOptions& options = {});
    unsigned add_msi_capability(const MsiOptions& options = {});
    unsigned add_msix_capability(const MsixOptions& options);
    unsigned add_pcie_capability(const PcieOptions& options);
    // Needs the PCI Express capability first; root ports get the Root Error
    // registers.
    unsigned add_aer_capability(const AerOptions& options = {});
    // The Resizable BAR capability for 1 to 6 BARs. Writing a supported
    // BAR Size changes the BAR's size: its address bits below the new size
    // become read-only 0, as sizing software expects; an unsupported one
    // leaves the field as it was. A reset (power-on or conventional) brings
    // back the initial size.
    unsigned add_resizable_bar_capability(const std::vector<ResizableBarOptions>& bars);
    unsigned add_resizable_bar(unsigned bar, uint64_t sizes, uint64_t initial) {
        return add_resizable_bar_capability({{bar, sizes, initial}});
    }

    // Offsets of the built capabilities (0 when absent).
    unsigned pm_offset() const { return pm_; }
    unsigned msi_offset() const { return msi_; }
    unsigned msix_offset() const { return msix_; }
    unsigned pcie_offset() const { return pcie_; }
    unsigned aer_offset() const { return aer_; }
    unsigned resizable_bar_offset() const { return rebar_; }
    // The sizes BAR `bar` supports (bit n: 2^(n+20) bytes), 0 when it is not
    // resizable.
    uint64_t resizable_bar_sizes(unsigned bar) const;

    // --- Capability state, as the owning model needs it -------------------
    unsigned power_state() const; // 0 (D0) .. 3 (D3hot)

    // The MSI or MSI-X vector the function's own interrupts use (0..31):
    // the PCI Express capability's Interrupt Message Number (hot-plug,
    // bandwidth notification, PME) and, on root ports, Root Error Status'
    // Advanced Error Interrupt Message Number. Hardware keeps both right for
    // the vectors software enabled.
    void set_interrupt_message_number(unsigned vector);

    struct MsiState {
        bool enabled = false;
        unsigned vectors = 1; // enabled by Multiple Message Enable
        uint64_t address = 0;
        uint16_t data = 0;
        uint32_t mask = 0; // per-vector mask bits (0 without masking)
    };
    std::optional<MsiState> msi() const;
    // Offsets of the MSI data, mask and pending registers (mask/pending 0
    // without per-vector masking).
    struct MsiLayout {
        unsigned data = 0, mask = 0, pending = 0;
    };
    MsiLayout msi_layout() const;

    struct MsixState {
        bool enabled = false;
        bool function_mask = false;
        unsigned table_size = 0;
        unsigned table_bar = 0;
        uint32_t table_offset = 0;
        unsigned pba_bar = 0;
        uint32_t pba_offset = 0;
    };
    std::optional<MsixState> msix() const;

    PortType port_type() const { return port_type_; }
    // Root ports and switch downstream ports.
    bool downstream_facing() const {
        return pcie_ &&
               (port_type_ == PortType::RootPort || port_type_ == PortType::DownstreamPort);
    }
    // Link Status as the link model sets it: speed as a generation (1..6),
    // negotiated width in lanes, Data Link Layer Link Active (ports that
    // report it) and Link Training (downstream-facing ports).
    void set_link_status(unsigned speed, unsigned width, bool dll_link_active,
                         bool training = false);
    // Sets Link Bandwidth Management Status (a bandwidth change software or
    // a reliability problem caused) or Link Autonomous Bandwidth Status (a
    // change the hardware made on its own), on ports that report them.
    void signal_bandwidth_change(bool autonomous);
    unsigned link_speed() const;
    unsigned link_width() const;
    bool link_disabled() const;
    unsigned target_link_speed() const;

  private:
    void init_common(const Identity& id);
    void init_type0(const Identity& id);
    void init_type1(const BridgeOptions& bridge);
    unsigned check_offset(unsigned offset, unsigned len) const;
    uint32_t load(unsigned offset, unsigned len) const;
    uint32_t mask_of(const std::array<uint8_t, cfg::kSize>& m, unsigned offset) const;
    void require_pcie(const char* what) const;
    // Gives BAR `index` a new size (a power of two): its address bits below
    // it become read-only 0.
    void resize_bar(unsigned index, uint64_t size);
    void apply_resizable_bar_sizes();

    struct Hook {
        unsigned offset, len;
        WriteHook fn;
    };
    struct Filter {
        unsigned offset;
        WriteFilter fn;
    };

    HeaderType type_;
    BridgeOptions bridge_{};
    std::array<uint8_t, cfg::kSize> data_{};
    std::array<uint8_t, cfg::kSize> reset_{};
    std::array<uint8_t, cfg::kSize> rw_{};
    std::array<uint8_t, cfg::kSize> rw1c_{};
    std::array<uint8_t, cfg::kSize> rw1s_{};
    std::array<uint8_t, cfg::kSize> sticky_{};
    std::array<BarSpec, 6> bars_{};
    std::array<bool, 6> bar_upper_{}; // the upper dword of the 64-bit BAR below it
    uint32_t rom_size_ = 0;
    std::vector<Hook> hooks_;
    std::vector<Filter> filters_;
    unsigned last_cap_ = 0, cap_end_ = 0x40;
    unsigned last_ext_cap_ = 0, ext_cap_end_ = cfg::kExtendedStart;
    unsigned pm_ = 0, msi_ = 0, msix_ = 0, pcie_ = 0, aer_ = 0, rebar_ = 0;
    struct ResizableBar {
        unsigned bar = 0;
        uint64_t sizes = 0;
        unsigned control = 0; // the Control register's offset
    };
    std::vector<ResizableBar> resizable_;
    PortType port_type_ = PortType::Endpoint;
    uint32_t link_status_hw_mask_ = 0; // Link Status bits the model may set
};

} // namespace nvsoc::pcie
