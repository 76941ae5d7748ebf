// How a PCI Express function signals an interrupt vector: as an MSI-X
// message when MSI-X is enabled, else as an MSI message when MSI is enabled,
// else on its INTx virtual wire (PCIe Base Specification 6.1.4, 7.7.1 and
// 7.7.2). Plain C++ over the function's ConfigSpace: endpoints, ports and
// (later) the GPU each own one per function and give it two wires, one that
// sends a memory write upstream and one that sets the INTx level.
//
// MSI: Multiple Message Enable vectors (never more than Multiple Message
// Capable); vector n sends the Message Data with its low log2(vectors) bits
// replaced by n, to the 32- or 64-bit Message Address. With per-vector
// masking, a masked vector sets its bit in the Pending register instead, and
// unmasking it sends the message and clears the bit.
//
// MSI-X: the table (per entry: Message Address, Upper Address, Data, Vector
// Control) and the Pending Bit Array are registers of the banks that serve
// their BARs (declare_msix). Entries reset masked; the PBA is read-only. A
// vector masked by its Vector Control or by the Function Mask sets its
// pending bit; clearing the mask sends the message and clears the bit.
//
// Every message is a 4-byte memory write upstream, the function's own
// request (its requester ID, the path its DMA takes). With Bus Master
// Enable clear the function may not send it: the message is dropped (and a
// pending bit cleared by unmasking is lost too). A vector the function does
// not have, both capabilities enabled at once and a message the system
// refuses are guest errors, each logged once.
//
// Not modelled: Extended Message Data, MSI-X table entries' Steering Tags,
// the "No Soft Reset" subtleties of table contents across D3hot.
#pragma once

#include "models/core/log.h"
#include "models/core/registers.h"
#include "models/pcie/config_space.h"

#include <cstdint>
#include <functional>
#include <set>
#include <string>

namespace nvsoc::pcie {

enum class InterruptMode : uint8_t { Intx, Msi, Msix };
const char* name(InterruptMode mode);

class MsiSignaller {
  public:
    struct Wiring {
        // A 4-byte memory write of `data` to `address`, upstream as the
        // function's request; true when it completed without error.
        std::function<bool(uint64_t address, uint32_t data)> send;
        // The function's INTx level (Interrupt Status; the owner applies
        // Interrupt Disable).
        std::function<void(bool level)> intx;
    };

    // `cs` has its MSI and/or MSI-X capability already (either may be
    // absent). Hooks the capabilities' registers.
    MsiSignaller(ConfigSpace& cs, Logger& log, Wiring wiring);
    MsiSignaller(const MsiSignaller&) = delete;
    MsiSignaller& operator=(const MsiSignaller&) = delete;

    // Declares the MSI-X table in `table_bank` and the PBA in `pba_bank`,
    // the banks that serve the BARs the capability names (a bank decodes
    // offsets from its BAR's start). Needs the MSI-X capability.
    void declare_msix(RegisterBank& table_bank, RegisterBank& pba_bank);

    // MSI-X if enabled, else MSI if enabled, else INTx.
    InterruptMode mode() const;

    // --- Edge events: one interrupt per call --------------------------------
    // Vector `vector` (from 0) in the current mode; in INTx mode the INTx
    // wire is raised (the owner lowers it when software acknowledges).
    InterruptMode raise(unsigned vector);
    // Vector `vector` as MSI or MSI-X only (a function whose protocol names
    // the kind, as pci-epf-test's commands do). False when that kind is not
    // enabled or has no such vector: nothing happens then.
    bool raise_msi(unsigned vector);
    bool raise_msix(unsigned vector);

    // --- Level conditions (a port's AER and PME interrupts) -----------------
    // Condition `source` (0..31, the owner's numbering) on vector `vector`
    // is now `level`. In INTx mode the wire is the OR of every condition; in
    // MSI or MSI-X mode a condition going from false to true sends one
    // message, and INTx stays low.
    void set_level(unsigned source, unsigned vector, bool level);

    // A reset of the function: MSI-X entries masked, no pending bits, no
    // conditions. (The MSI registers are reset with the ConfigSpace.)
    void reset();

    // --- State, for the owner's stats and for tests --------------------------
    unsigned msi_vectors() const;  // enabled and capable (0: MSI disabled)
    unsigned msix_vectors() const; // table size (0: no MSI-X capability)
    struct MsixEntry {
        uint64_t address = 0;
        uint32_t data = 0;
        bool masked = true;
    };
    MsixEntry msix_entry(unsigned vector) const;
    bool msix_pending(unsigned vector) const;
    bool msi_pending(unsigned vector) const;
    struct Counters {
        uint64_t sent = 0;    // messages written upstream
        uint64_t pended = 0;  // masked: pending bit set instead
        uint64_t blocked = 0; // Bus Master Enable clear: dropped
        uint64_t refused = 0; // written, but answered with an error
        uint64_t invalid = 0; // a vector the mode does not have
        uint64_t intx = 0;    // raised on INTx
    };
    const Counters& counters() const { return counters_; }

  private:
    struct MsiView {
        bool enabled = false;
        unsigned vectors = 0;
        uint64_t address = 0;
        uint16_t data = 0;
    };
    MsiView msi_view() const;
    bool msix_enabled() const;
    bool msix_function_masked() const;
    bool msi_masked(unsigned vector) const;
    void set_msi_pending(unsigned vector, bool pending);
    void set_msix_pending(unsigned vector, bool pending);
    void send(InterruptMode mode, unsigned vector, uint64_t address, uint32_t data);
    void deliver_pending();
    void mode_written();
    void once(const std::string& key, const std::string& text);

    ConfigSpace& cs_;
    Logger& log_;
    Wiring wiring_;
    // MSI-X registers in the owner's banks (null until declare_msix).
    RegisterBank* table_bank_ = nullptr;
    RegisterBank* pba_bank_ = nullptr;
    size_t address_id_ = 0, control_id_ = 0, pba_id_ = 0;
    uint32_t levels_ = 0;      // level conditions now true, by source
    bool levels_used_ = false; // set_level was called: the INTx wire is ours
    std::set<std::string> logged_;
    Counters counters_;
};

} // namespace nvsoc::pcie
