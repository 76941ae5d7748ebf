// RISC-V Advanced Platform-Level Interrupt Controller (AIA 1.0, chapter 4)
// with its interrupt-domain hierarchy: the machine-level root domain at
// `base` and, when `s-base` is set, one supervisor-level child domain (child
// index 0) at `s-base`, each with its own control region of `size` bytes:
//   0x0000          domaincfg
//   0x0004 + 4(i-1) sourcecfg[i]                 i = 1..1023
//   0x1BC0..0x1BCC  m/smsiaddrcfg(h)              root domain, MSI delivery only
//   0x1C00 / 0x1CDC setip[0..31] / setipnum
//   0x1D00 / 0x1DDC in_clrip[0..31] / clripnum
//   0x1E00 / 0x1EDC setie[0..31] / setienum
//   0x1F00 / 0x1FDC clrie[0..31] / clrienum
//   0x2000 / 0x2004 setipnum_le / setipnum_be
//   0x3000          genmsi
//   0x3004 + 4(i-1) target[i]
//   0x4000 + 32k    IDC k (direct delivery only): idelivery +0, iforce +4,
//                   ithreshold +8, topi +0x18, claimi +0x1C
// Only aligned 32-bit accesses are taken (others are bus errors, as the spec
// prefers); the rest of each region is reserved: reads 0, writes ignored.
//
// Implementation choices the spec leaves open:
// - Every domain supports one delivery mode, the `delivery` parameter:
//   domaincfg.DM is read-only. MSI delivery has no IDCs; direct delivery has
//   no MSI address registers and genmsi reads zero. IDC k drives the MEIP
//   (root) or SEIP (child) pin of the k-th hart in `harts`.
// - Little-endian only: domaincfg.BE is read-only zero (setipnum_be still
//   takes big-endian numbers).
// - Every source supports every source mode; the reserved modes 2 and 3
//   read back as inactive.
// - A sourcecfg write that leaves a level-sensitive source active sets its
//   pending bit when the rectified input is high.
// - MSI address configuration resets unlocked and zero, and stays visible
//   when locked.
// - An extempore MSI (genmsi) leaves at once, so Busy always reads 0.
//
// Not modelled: domain hierarchies deeper than M → S, MSI travel time
// (MSIs reach their target in the caller's simulated time).
#pragma once

#include "models/core/device.h"

#include <cstdint>
#include <memory>
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/simple_target_socket.h>
#include <vector>

namespace nvsoc {

class Aplic : public Device, public InterruptController, public HartInterruptSource {
  public:
    // Offsets in a domain's control region (AIA 1.0 §4.5).
    static constexpr uint64_t kDomaincfg = 0x0000;
    static constexpr uint64_t kSourcecfg = 0x0004; // sourcecfg[i] at + 4(i-1)
    static constexpr uint64_t kMmsiaddrcfg = 0x1BC0;
    static constexpr uint64_t kMmsiaddrcfgh = 0x1BC4;
    static constexpr uint64_t kSmsiaddrcfg = 0x1BC8;
    static constexpr uint64_t kSmsiaddrcfgh = 0x1BCC;
    static constexpr uint64_t kSetip = 0x1C00;
    static constexpr uint64_t kSetipnum = 0x1CDC;
    static constexpr uint64_t kInClrip = 0x1D00;
    static constexpr uint64_t kClripnum = 0x1DDC;
    static constexpr uint64_t kSetie = 0x1E00;
    static constexpr uint64_t kSetienum = 0x1EDC;
    static constexpr uint64_t kClrie = 0x1F00;
    static constexpr uint64_t kClrienum = 0x1FDC;
    static constexpr uint64_t kSetipnumLe = 0x2000;
    static constexpr uint64_t kSetipnumBe = 0x2004;
    static constexpr uint64_t kGenmsi = 0x3000;
    static constexpr uint64_t kTarget = 0x3004; // target[i] at + 4(i-1)
    static constexpr uint64_t kIdc = 0x4000;
    static constexpr uint64_t kIdcStride = 0x20;
    static constexpr uint64_t kIdelivery = 0x00, kIforce = 0x04, kIthreshold = 0x08;
    static constexpr uint64_t kTopi = 0x18, kClaimi = 0x1C;
    static constexpr uint64_t kMinSize = 0x4000;
    static constexpr unsigned kMaxSources = 1023;

    // domaincfg
    static constexpr uint32_t kDomaincfgFixed = 0x80000000; // bits 31:24 read 0x80
    static constexpr uint32_t kDomaincfgIe = 1u << 8;
    static constexpr uint32_t kDomaincfgDm = 1u << 2;
    // sourcecfg
    static constexpr uint32_t kSourcecfgD = 1u << 10;
    enum SourceMode : uint32_t {
        kInactive = 0,
        kDetached = 1,
        kEdge1 = 4, // rising edge
        kEdge0 = 5, // falling edge
        kLevel1 = 6,
        kLevel0 = 7,
    };
    // mmsiaddrcfgh
    static constexpr uint32_t kMsiaddrcfghL = 1u << 31;

    enum class Delivery { Msi, Direct };

    explicit Aplic(const DeviceConfig& config);

    // Outgoing MSIs (unbound in unit tests that do not look at them: then
    // every MSI is dropped).
    tlm_utils::simple_initiator_socket_optional<Aplic> msi;
    void bind_bus_initiators(tlm::tlm_base_target_socket_b<>& bus) override { msi.bind(bus); }
    // The supervisor-level domain's control region, when it exists.
    tlm::tlm_target_socket<>* s_target() { return s_target_.get(); }
    std::vector<Window> windows() override;

    IrqTarget& irq_input() override { return input_; }
    unsigned num_sources() const override { return sources_; }
    // Devices point at the supervisor-level domain when there is one, as
    // the OS that owns their drivers sees only that domain (QEMU virt does
    // the same); the firmware delegates their sources to it.
    std::string dt_interrupt_parent() const override { return s_ ? s_phandle_name() : instance(); }
    // Source and IRQ_TYPE_LEVEL_HIGH, as QEMU virt gives every device.
    std::vector<uint32_t> dt_specifier(unsigned source) const override { return {source, 4}; }

    Delivery delivery() const { return delivery_; }
    bool has_s_domain() const { return s_ != nullptr; }
    uint64_t s_base() const { return s_base_; }
    std::string s_phandle_name() const { return instance() + ".s"; }

    void reset() override;
    void describe_dt(DtContext& ctx) override;
    void stats(nlohmann::json& out) const override;
    // Direct delivery: IDC k of the root domain drives harts[k] MEIP, IDC k
    // of the supervisor domain its SEIP. MSI delivery drives no pins.
    void connect_harts(const std::vector<HartIrqPins*>& harts) override;

  protected:
    void b_transport(tlm::tlm_generic_payload& tx, sc_core::sc_time& delay) override;

  private:
    class Input : public IrqTarget {
      public:
        explicit Input(Aplic& aplic) : aplic_(aplic) {}
        void set_irq(unsigned line, bool level) override { aplic_.set_wire(line, level); }

      private:
        Aplic& aplic_;
    };

    using Bits = std::vector<uint32_t>; // bit s of word s/32 is source s
    static bool test(const Bits& b, unsigned s) { return (b[s / 32] >> (s % 32)) & 1; }
    static void assign(Bits& b, unsigned s, bool v) {
        uint32_t m = 1u << (s % 32);
        b[s / 32] = v ? (b[s / 32] | m) : (b[s / 32] & ~m);
    }

    // One interrupt domain: its registers and per-source state. A source
    // inactive in the domain has pending, enable and target all zero.
    struct Domain {
        bool machine = true;
        RegisterBank regs;
        bool ie = false;
        std::vector<uint32_t> sourcecfg; // by source number; [0] unused
        std::vector<uint32_t> target;    // by source number; [0] unused
        Bits pending, enabled;
        uint32_t genmsi = 0; // hart index and EIID of the last extempore MSI
        // IDCs (direct delivery), by hart index.
        std::vector<uint32_t> idelivery, iforce, ithreshold;
        std::vector<IrqOut> out;
    };

    void declare_registers(Domain& d);
    void s_transport(tlm::tlm_generic_payload& tx, sc_core::sc_time& delay) {
        serve_window(s_->regs, size(), tx, delay);
    }

    // The source's mode in `d`: Inactive when delegated or out of range.
    uint32_t mode(const Domain& d, unsigned s) const;
    bool active(const Domain& d, unsigned s) const { return mode(d, s) != kInactive; }
    bool delegated(unsigned s) const { return (m_.sourcecfg[s] & kSourcecfgD) != 0; }
    bool rectified(const Domain& d, unsigned s) const;
    uint32_t rectified_word(const Domain& d, unsigned word) const;
    bool level_mode(uint32_t m) const { return m == kLevel1 || m == kLevel0; }
    Domain* domain_of(unsigned s); // where the source is active, or null

    void set_wire(unsigned s, bool level);
    void write_sourcecfg(Domain& d, unsigned s, uint32_t value);
    void deactivate(Domain& d, unsigned s);
    void set_pending_sw(Domain& d, unsigned s);   // setip, setipnum
    void clear_pending_sw(Domain& d, unsigned s); // in_clrip, clripnum
    void set_enable(Domain& d, unsigned s, bool on);
    void write_target(Domain& d, unsigned s, uint32_t value);

    // Direct delivery.
    uint32_t topi(const Domain& d, unsigned idc) const;
    uint32_t claim(Domain& d, unsigned idc);
    // After any change in `d`: forwards what is due by MSI, or drives the
    // IDC outputs.
    void update(Domain& d);
    void forward(); // every domain's pending-and-enabled sources, by MSI

    // MSI delivery.
    uint64_t msi_address(const Domain& d, uint32_t hart, uint32_t guest) const;
    bool msi_locked() const { return (mmsiaddrcfgh_ & kMsiaddrcfghL) != 0; }
    void send_msi(const Domain& d, uint32_t hart, uint32_t guest, uint32_t eiid, const char* why);

    unsigned sources_;
    unsigned words_; // 32-bit words holding bits 0..sources_
    Delivery delivery_;
    unsigned iprio_mask_;
    uint32_t guest_mask_; // target Guest Index bits in the S domain
    uint64_t s_base_;
    std::vector<unsigned> hart_ids_; // IDC k is hart hart_ids_[k]'s
    unsigned idcs_ = 0;

    Bits wire_; // incoming wire levels
    Domain m_;
    std::unique_ptr<Domain> s_;
    std::unique_ptr<tlm_utils::simple_target_socket<Aplic>> s_target_;
    // Root domain's MSI address configuration (AIA §4.5.3-4.5.4).
    uint32_t mmsiaddrcfg_ = 0, mmsiaddrcfgh_ = 0, smsiaddrcfg_ = 0, smsiaddrcfgh_ = 0;

    // Forwarding can re-enter (an MSI written back into this APLIC): the
    // inner call only asks the outer loop for another pass.
    bool forwarding_ = false;
    bool forward_again_ = false;
    bool msi_drop_logged_ = false;

    uint64_t msis_sent_ = 0, msis_dropped_ = 0, genmsis_ = 0, claims_ = 0;
    Input input_{*this};
};

} // namespace nvsoc
