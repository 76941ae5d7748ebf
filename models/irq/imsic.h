// RISC-V Incoming MSI Controller (AIA 1.0, chapter "Incoming MSI
// Controller"): per hart, a machine-level and a supervisor-level interrupt
// file. Each file is a 4 KiB page that takes MSIs (a 32-bit write of an
// interrupt identity to seteipnum_le at +0 or seteipnum_be at +4) and a
// set of registers the hart reaches through its AIA CSRs (miselect/mireg
// and mtopei, siselect/sireg and stopei): eidelivery, eithreshold and the
// eip/eie arrays. A file drives its hart's MEIP or SEIP.
//
// Layout (the spec's recommended arrangement, as QEMU virt uses it): the
// machine-level file of the h-th hart it serves at base + h * 4 KiB, the
// supervisor-level file at s-base + h * 2^D with D = 12 + guest-index
// bits; each region spans 2^hart-index-bits files, and pages without a
// file read as zero.
#pragma once

#include "models/core/device.h"

#include <cstdint>
#include <memory>
#include <vector>

namespace nvsoc {

// One interrupt file: plain C++, driven by MSI writes and by its hart's
// CSRs.
class ImsicFile : public InterruptFile {
  public:
    // Identities 1..num_ids (num_ids = 64k - 1, 63..2047).
    explicit ImsicFile(unsigned num_ids);

    IrqOut out; // to the hart's MEIP or SEIP

    // An MSI: identity `id` becomes pending. Returns false (and changes
    // nothing) when the file implements no such identity.
    bool set_pending(uint32_t id);
    bool pending(uint32_t id) const { return test(eip_, id); }
    bool enabled(uint32_t id) const { return test(eie_, id); }
    unsigned num_ids() const { return num_ids_; }
    void reset();

    // InterruptFile (the hart's CSRs)
    bool read_indirect(unsigned select, uint64_t& value) const override;
    bool write_indirect(unsigned select, uint64_t value) override;
    uint32_t topei() const override;
    void claim_topei() override;

  private:
    static bool test(const std::vector<uint64_t>& bits, uint32_t id) {
        return (bits[id / 64] >> (id % 64)) & 1;
    }
    // The highest-priority (lowest) pending and enabled identity below the
    // threshold, or 0.
    uint32_t top() const;
    void update();

    unsigned num_ids_;
    std::vector<uint64_t> eip_, eie_; // bit i % 64 of word i / 64 is identity i
    uint64_t eidelivery_ = 0, eithreshold_ = 0;
};

class Imsic : public Device, public MsiController, public HartInterruptSource {
  public:
    static constexpr uint64_t kPage = 0x1000;
    static constexpr uint64_t kSetEipNumLe = 0x0, kSetEipNumBe = 0x4;

    explicit Imsic(const DeviceConfig& config);
    ~Imsic() override;

    // The interrupt files of the h-th hart it serves (in its `harts` list).
    ImsicFile& machine_file(unsigned h) { return *m_files_.at(h); }
    ImsicFile& supervisor_file(unsigned h) { return *s_files_.at(h); }
    bool has_supervisor_files() const { return !s_files_.empty(); }
    uint64_t supervisor_base() const { return s_base_; }
    uint64_t supervisor_size() const { return s_size_; }
    unsigned hart_index_bits() const { return hart_bits_; }
    unsigned guest_index_bits() const { return guest_bits_; }

    void reset() override;
    void describe_dt(DtContext& ctx) override;
    void stats(nlohmann::json& out) const override;
    std::vector<Window> windows() override;
    // The h-th hart's MEIP (and SEIP) come from its files; its CSRs reach them.
    void connect_harts(const std::vector<HartIrqPins*>& harts) override;
    std::string dt_msi_parent(bool machine_level) const override;

    // Region sizes for ModelInfo::size_for and the DT.
    static unsigned index_bits(unsigned count);

  private:
    class Region;
    // An MSI to `file`: sets the identity pending, or is ignored (logged).
    void deliver(ImsicFile& file, uint32_t id);
    // The supervisor-level region's socket (the machine-level region is the
    // device's own).
    void s_transport(tlm::tlm_generic_payload& tx, sc_core::sc_time& delay);
    unsigned s_transport_dbg(tlm::tlm_generic_payload& tx);

    std::vector<unsigned> hart_ids_;
    unsigned hart_bits_ = 0, guest_bits_ = 0;
    uint64_t s_base_ = 0, s_size_ = 0;
    std::vector<std::unique_ptr<ImsicFile>> m_files_, s_files_;
    std::unique_ptr<Region> s_region_;
    uint64_t msis_ = 0, ignored_msis_ = 0;
};

} // namespace nvsoc
