// The base of every model that sits on a PCI bus rather than on the SoC
// bus: root ports, switch ports and endpoints. Such a model is placed with
// `bus` and `device` instead of `base` and `size`; the model `bus` names
// (a host bridge, or a port: a PciBusOwner) attaches its functions to its
// bus. Requests reach it from above by routing (PciBus::claim) and, for an
// endpoint, land in the register banks and memory its BARs declare
// (map_bar); what it sends upstream (DMA, INTx messages, error messages)
// goes to its PcieUpstream, the port or host bridge above it.
#pragma once

#include "models/core/device.h"
#include "models/pcie/config_space.h"
#include "models/pcie/link.h"
#include "models/pcie/msi.h"
#include "models/pcie/pci_bus.h"

#include <array>
#include <map>
#include <set>
#include <systemc>
#include <tlm>

namespace nvsoc {

enum class ErrorSeverity : uint8_t { Correctable, NonFatal, Fatal };
const char* name(ErrorSeverity s);

// What a device sees above it: the downstream port it hangs from, or the
// host bridge for devices on the root bus.
class PcieUpstream {
  public:
    virtual ~PcieUpstream() = default;
    // A memory request travelling upstream (DMA) from a device on this
    // node's secondary bus, issued at sc_time_stamp() + delay; `delay` comes
    // back as the time of its completion (reads) or of its delivery
    // (writes). The response is TLM_OK_RESPONSE, or an error response for
    // an Unsupported Request or Completer Abort (reads then carry no data).
    virtual void upstream_request(tlm::tlm_generic_payload& tx, sc_core::sc_time& delay) = 0;
    // An Assert_INTx / Deassert_INTx message: virtual wire `pin` (0 =
    // INTA) of `device` on the secondary bus changed to `level`.
    virtual void upstream_intx(unsigned device, unsigned pin, bool level) = 0;
    // ERR_COR, ERR_NONFATAL or ERR_FATAL from the function `source`
    // (requester ID).
    virtual void upstream_error(ErrorSeverity severity, uint16_t source) = 0;
    // The bus number software gave the secondary bus (0 for the root bus).
    virtual unsigned secondary_bus_number() const = 0;
};

// Records an Assert_INTx (level) or Deassert_INTx from `device`'s `pin`
// in a set of asserted sources (device << 2 | pin); repeats change nothing.
inline void record_intx(std::set<unsigned>& asserted, unsigned device, unsigned pin, bool level) {
    unsigned source = device << 2 | (pin & 3);
    if (level)
        asserted.insert(source);
    else
        asserted.erase(source);
}

class PcieNode : public Model {
  public:
    explicit PcieNode(const DeviceConfig& config);

    // --- Topology (bus owners call these while the platform is built) -----
    // Attaches this node's functions below `upstream` at `device` of `bus`.
    virtual void place(PcieUpstream& upstream, pcie::PciBus& bus, unsigned device);
    // Function 0 first; a node has at least one.
    virtual std::vector<pcie::ConfigSpace*> functions() = 0;
    // Bridges: the bus behind the node (a PciBusOwner's child_bus()).
    virtual pcie::PciBus* secondary() { return nullptr; }
    // Where a node may sit: a host bridge's root bus, the link below a
    // downstream-facing port, or a switch's internal bus. Endpoints sit on
    // the first two; each kind of port in one place.
    enum class Site : uint8_t { RootBus, Link, SwitchBus };
    virtual std::vector<Site> sites() const { return {Site::RootBus, Site::Link}; }
    // The node's upstream port as its link's upstream end advertises it
    // (max-link-speed, max-link-width).
    const pcie::PortConfig& upstream_port() const { return port_; }
    unsigned device_number() const { return device_; }

    // --- Requests from above ----------------------------------------------
    // A memory or I/O request that `claim` (on the bus above) gave this
    // node: one of its BARs, or (bridges) its forwarding window. Sets the
    // response; `delay` as for b_transport. The default serves the BAR from
    // what map_bar() declared for it.
    virtual void downstream_request(const pcie::PciBus::Claim& claim, pcie::Space space,
                                    uint64_t address, tlm::tlm_generic_payload& tx,
                                    sc_core::sc_time& delay);

    // --- The link above -----------------------------------------------------
    // A conventional reset from the link (Hot Reset, or DL_Down as the
    // upstream port sees it). The default resets every function's
    // configuration space (sticky bits kept).
    virtual void link_reset();
    // Whether the link above is up (DL_Up); devices on the root bus are
    // always up. Set by the port above.
    bool link_up() const { return link_up_; }
    // INTx messages need the link: DL_Down deasserts every virtual wire the
    // node holds (PCIe Base Specification 2.2.8.1), DL_Up asserts again
    // those still held.
    void set_link_up(bool up) {
        link_up_ = up;
        sync_intx();
    }

    // --- Errors -------------------------------------------------------------
    // An error function `f` detected: logged in its AER registers and
    // Device Status, and signalled upstream as the specification's error
    // reporting rules (Device Control enables, SERR#, AER masks and
    // severity) allow.
    void report_error(unsigned f, const pcie::AerBit& error);
    // Function `f`, as completer, answered a request with Unsupported
    // Request. For a non-posted request (a read), whose requester learns of
    // it from the completion, a non-fatal UR is an Advisory Non-Fatal
    // Error (PCIe Base Specification 6.2.3.2.4, Role-Based Error
    // Reporting): logged as UR, signalled as a correctable error.
    void report_unsupported_request(unsigned f, bool non_posted);

    uint16_t requester_id(unsigned f) const;

  protected:
    // What one BAR of a function decodes to: a register bank for its first
    // `registers_size` bytes (served like MMIO registers: offsets the bank
    // does not declare are reserved, reading zero) and memory for the rest
    // (host bytes, `memory_size` long from the BAR's offset 0; offsets past
    // it are reserved too). Either part may be absent.
    struct BarSpace {
        RegisterBank* registers = nullptr;
        uint64_t registers_size = 0;
        uint8_t* memory = nullptr;
        uint64_t memory_size = 0;
    };
    // Declares what BAR `bar` of function `f` serves; the BAR itself (size,
    // kind) is declared in the function's ConfigSpace.
    void map_bar(unsigned f, unsigned bar, BarSpace space);
    // The annotated delay of the BAR access being served: register
    // callbacks that start work "when the write arrives" read it.
    const sc_core::sc_time& access_delay() const { return access_delay_; }

    // Sends an error message upstream; a root port takes its own messages
    // itself.
    virtual void signal_error(ErrorSeverity severity, uint16_t source);
    // Sends a memory request upstream for function `f` (bus mastering).
    // With Bus Master Enable clear the function may not issue requests: the
    // request is not sent and the response is a generic error, logged once.
    // `attributes` are the TLP's Attr bits the function asks for
    // (PcieExtension::attributes); No Snoop and Relaxed Ordering go out only
    // when its Device Control enables them (PCIe Base Specification 2.2.6.4,
    // 2.2.6.5). A PcieExtension the caller attached is put back afterwards
    // with issued_ps filled in: when the caller may send its next request.
    void dma(unsigned f, tlm::tlm_generic_payload& tx, sc_core::sc_time& delay,
             uint8_t attributes = 0);
    // What a function's MsiSignaller needs: its messages go upstream by
    // dma() (requester ID, Bus Master Enable, the link), its INTx by
    // set_intx().
    pcie::MsiSignaller::Wiring msi_wiring(unsigned f);
    // The function's INTx level (its Interrupt Pin); the message goes
    // upstream when the pin's state changes, honouring Interrupt Disable.
    void set_intx(unsigned f, bool level);
    // Sends Assert_INTx / Deassert_INTx for every pin of this device whose
    // state changed: the functions' own interrupts (Interrupt Status and
    // not Interrupt Disable) and, for bridges, the wires swizzled up from
    // the secondary side; all deasserted while the link is down.
    void sync_intx();
    // Hooks Command writes of every function for update_intx; call once the
    // functions exist.
    void watch_interrupt_disable();
    // For bridges: an INTx message from device `device` of the secondary
    // bus, swizzled onto the primary side (pin (p + d) mod 4) and passed up
    // when the wire's state changes; several sources share a wire, and a
    // repeated message changes nothing.
    void bridge_intx(unsigned device, unsigned pin, bool level);
    // For bridges: forget every secondary-side source (a reset of the
    // bridge) and deassert what they held.
    void clear_bridged_intx();
    // For bridges: whether an error message from the secondary side passes
    // (Bridge Control SERR# Enable); ERR_NONFATAL and ERR_FATAL also set
    // Secondary Status' Received System Error.
    bool bridge_passes_error(ErrorSeverity severity);
    // Answers a request the node cannot complete with Unsupported Request
    // (logged as a guest error, counted).
    void unsupported(tlm::tlm_generic_payload& tx, const char* why);
    // Whether the node is attached (place() ran).
    bool placed() const { return upstream_ != nullptr; }
    uint64_t now_ps(const sc_core::sc_time& delay = sc_core::SC_ZERO_TIME) const {
        return (sc_core::sc_time_stamp() + delay).value();
    }

    PcieUpstream* upstream_ = nullptr;
    unsigned device_ = 0;
    pcie::PortConfig port_;
    std::array<bool, 4> intx_sent_{}; // per pin of this device: the level last sent upstream
    std::set<unsigned> bridged_intx_; // bridges: asserted sources, device << 2 | pin
    uint64_t dma_blocked_ = 0, errors_signalled_ = 0, unsupported_requests_ = 0;

  private:
    bool link_up_ = true;
    std::map<std::pair<unsigned, unsigned>, BarSpace> bars_; // (function, bar)
    sc_core::sc_time access_delay_;
};

// The part of a bus owner (BusOwner) that every PCIe bus shares: the host
// bridge's root bus, a port's link, a switch's internal bus. It refuses
// children that are not PCIe nodes, nodes that do not sit on this kind of
// bus, device numbers a link cannot carry and places already taken, each
// with the owner named, then attaches the child's functions.
class PciBusOwner : public BusOwner {
  public:
    void attach(Model& child, const BusPlacement& at) override;

  protected:
    // The owner as a model (its name and type for messages), its bus, the
    // upstream of what sits on it, and the kind of bus it is.
    virtual const Model& owner_model() const = 0;
    virtual pcie::PciBus& child_bus() = 0;
    virtual PcieUpstream& child_upstream() = 0;
    virtual PcieNode::Site child_site() const = 0;
    // After a child is attached (a port connects its link to it).
    virtual void attached(PcieNode& /*child*/) {}
};

// Parameters every PCIe node takes for its link: the maximum speed and
// width of its upstream port (downstream ports: of their downstream port),
// and, as the requester of the reads it sends there, its tags and its
// completion buffer (pcie::PortConfig).
std::vector<ParamSpec> pcie_link_params(const char* default_speed, const char* default_width);
pcie::PortConfig read_port_config(const DeviceConfig& config);
// Ports: `max-payload`, their Max_Payload_Size Supported.
ParamSpec max_payload_param();

} // namespace nvsoc
