#include "models/irq/imsic.h"

#include "models/core/error.h"
#include "models/core/model_registry.h"

#include <bit>
#include <tlm_utils/simple_target_socket.h>

namespace nvsoc {

// --- One interrupt file ---------------------------------------------------

ImsicFile::ImsicFile(unsigned num_ids)
    : num_ids_(num_ids), eip_(num_ids / 64 + 1), eie_(num_ids / 64 + 1) {}

void ImsicFile::reset() {
    // The spec leaves the files' state unspecified at reset; nvsoc starts
    // them empty with delivery off (eidelivery may reset to 0 or 1).
    std::fill(eip_.begin(), eip_.end(), 0);
    std::fill(eie_.begin(), eie_.end(), 0);
    eidelivery_ = 0;
    eithreshold_ = 0;
    update();
}

bool ImsicFile::set_pending(uint32_t id) {
    if (id == 0 || id > num_ids_) return false;
    eip_[id / 64] |= 1ull << (id % 64);
    update();
    return true;
}

uint32_t ImsicFile::top() const {
    uint32_t limit = eithreshold_ ? static_cast<uint32_t>(eithreshold_) : num_ids_ + 1;
    for (size_t w = 0; w < eip_.size(); ++w)
        if (uint64_t bits = eip_[w] & eie_[w]) {
            uint32_t id = static_cast<uint32_t>(w * 64 + std::countr_zero(bits));
            return id < limit ? id : 0;
        }
    return 0;
}

void ImsicFile::update() {
    out.set(eidelivery_ == 1 && top() != 0);
}

uint32_t ImsicFile::topei() const {
    uint32_t id = top();
    return id << 16 | id;
}

void ImsicFile::claim_topei() {
    if (uint32_t id = top()) {
        eip_[id / 64] &= ~(1ull << (id % 64));
        update();
    }
}

// Indirect registers (AIA "Indirectly accessed interrupt-file registers"),
// as RV64 sees them: 64-bit eip/eie registers at even selects only.
namespace {
constexpr unsigned kEidelivery = 0x70, kEithreshold = 0x72, kEip0 = 0x80, kEie0 = 0xc0,
                   kLast = 0xff;
} // namespace

bool ImsicFile::read_indirect(unsigned select, uint64_t& value) const {
    value = 0;
    if (select < kEidelivery || select > kLast) return false;
    if (select < kEip0) { // 0x70-0x7f: two registers, the rest reserved (zero)
        if (select == kEidelivery) value = eidelivery_;
        if (select == kEithreshold) value = eithreshold_;
        return true;
    }
    if (select & 1) return false; // odd eip/eie do not exist on RV64
    const auto& bits = select < kEie0 ? eip_ : eie_;
    unsigned word = (select - (select < kEie0 ? kEip0 : kEie0)) / 2;
    if (word < bits.size()) value = bits[word];
    return true;
}

bool ImsicFile::write_indirect(unsigned select, uint64_t value) {
    if (select < kEidelivery || select > kLast) return false;
    if (select < kEip0) {
        // eidelivery is WARL: 0 or 1 (no alternate PLIC/APLIC delivery);
        // eithreshold is WLRL over 0..num_ids.
        if (select == kEidelivery) eidelivery_ = value & 1;
        if (select == kEithreshold && value <= num_ids_) eithreshold_ = value;
        update();
        return true;
    }
    if (select & 1) return false;
    auto& bits = select < kEie0 ? eip_ : eie_;
    unsigned word = (select - (select < kEie0 ? kEip0 : kEie0)) / 2;
    if (word >= bits.size()) return true; // identities beyond num_ids: read-only zero
    uint64_t implemented = ~0ull;
    if (word == 0) implemented &= ~1ull; // identity 0 does not exist
    unsigned last = num_ids_ % 64;       // num_ids = 64k - 1: the last word is full
    if (word == bits.size() - 1 && last != 63) implemented &= (2ull << last) - 1;
    bits[word] = value & implemented;
    update();
    return true;
}

// --- The controller -------------------------------------------------------

// The supervisor-level region: its own socket, its own register bank.
class Imsic::Region {
  public:
    explicit Region(Imsic& owner) : socket("s_files") {
        socket.register_b_transport(&owner, &Imsic::s_transport);
        socket.register_transport_dbg(&owner, &Imsic::s_transport_dbg);
    }
    tlm_utils::simple_target_socket<Imsic> socket;
    RegisterBank regs;
};

unsigned Imsic::index_bits(unsigned count) {
    return count <= 1 ? 0 : static_cast<unsigned>(std::bit_width(count - 1));
}

namespace {

unsigned served_harts(const Params& p, unsigned platform_harts) {
    return p.value("harts").is_set ? static_cast<unsigned>(p.ranges("harts").count())
                                   : platform_harts;
}

unsigned index_bits_for(const Params& p, unsigned harts) {
    return p.has("hart-index-bits") ? static_cast<unsigned>(p.u64("hart-index-bits"))
                                    : Imsic::index_bits(harts);
}

uint64_t machine_region_size(const Params& p, unsigned platform_harts) {
    return Imsic::kPage << index_bits_for(p, served_harts(p, platform_harts));
}

} // namespace

Imsic::Imsic(const DeviceConfig& config) : Device(config), hart_ids_(config.driven_harts()) {
    const Params& p = config.params;
    unsigned ids = static_cast<unsigned>(p.u64("num-ids"));
    if (ids % 64 != 63)
        throw InputError(p.where("num-ids"),
                         fmt::format("num-ids {} is not of the form 64k-1 (the eip/eie arrays "
                                     "come in 64-bit words): use {} or {}",
                                     ids, ids / 64 * 64 - 1 < 63 ? 63 : ids / 64 * 64 - 1,
                                     ids / 64 * 64 + 63));
    unsigned harts = static_cast<unsigned>(hart_ids_.size());
    hart_bits_ = index_bits_for(p, harts);
    if (harts > (1u << hart_bits_))
        throw InputError(p.where("hart-index-bits"),
                         fmt::format("hart-index-bits {} numbers {} harts, but '{}' serves {}: "
                                     "use at least {}",
                                     hart_bits_, 1u << hart_bits_, instance(), harts,
                                     index_bits(harts)));
    guest_bits_ = index_bits(static_cast<unsigned>(p.u64("guests")) + 1);
    if (base() % kPage)
        throw InputError(config.where, fmt::format("'{}' base 0x{:x} is not 4 KiB-aligned: each "
                                                   "interrupt file is a whole page",
                                                   instance(), base()));
    if (size() < (kPage << hart_bits_))
        throw InputError(config.where,
                         fmt::format("'{}' size 0x{:x} is too small for the machine-level files "
                                     "of {} harts: use 0x{:x} or leave size out",
                                     instance(), size(), harts, kPage << hart_bits_));

    // Each file's page holds seteipnum_le and seteipnum_be; reads of them
    // return zero, and the rest of the page (and pages without a file) is
    // read-only zero.
    auto declare = [this](RegisterBank& bank, std::vector<std::unique_ptr<ImsicFile>>& files,
                          uint64_t stride) {
        for (const auto& [name, offset] :
             {std::pair{"seteipnum_le", kSetEipNumLe}, std::pair{"seteipnum_be", kSetEipNumBe}}) {
            bool big_endian = offset == kSetEipNumBe;
            bank.add(RegisterSpec{
                .name = name,
                .offset = offset,
                .width = 4,
                .count = static_cast<unsigned>(files.size()),
                .stride = stride,
                .on_read = [](unsigned) -> uint64_t { return 0; },
                .on_write =
                    [this, &files, big_endian](unsigned h, uint64_t value, uint64_t) {
                        uint32_t id = static_cast<uint32_t>(value);
                        if (big_endian) id = __builtin_bswap32(id);
                        deliver(*files[h], id);
                    },
            });
        }
    };
    for (size_t h = 0; h < hart_ids_.size(); ++h)
        m_files_.push_back(std::make_unique<ImsicFile>(ids));
    declare(regs_, m_files_, kPage);
    // Both regions take only aligned 32-bit accesses (the spec prefers an
    // error to ignoring others); everything but the files' two registers
    // (and pages without a file) reads as zero, and a write there, which
    // the guest meant for something, is logged.
    access_width_ = 4;
    unmapped_is_reserved_ = true;
    reserved_log_ = ReservedLog::Writes;

    if (p.has("s-base") && p.u64("s-base") != 0) {
        s_base_ = p.u64("s-base");
        s_size_ = (kPage << guest_bits_) << hart_bits_;
        if (s_base_ % kPage)
            throw InputError(p.where("s-base"),
                             fmt::format("s-base 0x{:x} is not 4 KiB-aligned: each interrupt file "
                                         "is a whole page",
                                         s_base_));
        if (s_base_ < base() + size() && base() < s_base_ + s_size_)
            throw InputError(p.where("s-base"),
                             fmt::format("the supervisor-level files at 0x{:x}-0x{:x} overlap the "
                                         "machine-level ones at 0x{:x}-0x{:x}: move s-base to "
                                         "0x{:x} or above",
                                         s_base_, s_base_ + s_size_ - 1, base(),
                                         base() + size() - 1, base() + size()));
        for (size_t h = 0; h < hart_ids_.size(); ++h)
            s_files_.push_back(std::make_unique<ImsicFile>(ids));
        // Its socket exists only with the files: an unbound socket would
        // fail elaboration.
        s_region_ = std::make_unique<Region>(*this);
        declare(s_region_->regs, s_files_, kPage << guest_bits_);
    }
}

Imsic::~Imsic() = default;

void Imsic::deliver(ImsicFile& file, uint32_t id) {
    if (file.set_pending(id)) {
        ++msis_;
        return;
    }
    ++ignored_msis_;
    log_.guest_error("MSI with identity {} ignored: the file implements 1-{}", id, file.num_ids());
}

void Imsic::s_transport(tlm::tlm_generic_payload& tx, sc_core::sc_time& delay) {
    serve_window(s_region_->regs, s_size_, tx, delay);
}

unsigned Imsic::s_transport_dbg(tlm::tlm_generic_payload& tx) {
    sc_core::sc_time delay;
    s_transport(tx, delay);
    return tx.is_response_ok() ? tx.get_data_length() : 0;
}

std::vector<Device::Window> Imsic::windows() {
    if (s_files_.empty()) return {};
    return {{fmt::format("{}.s-files", instance()), s_base_, s_size_, &s_region_->socket,
             config().params.where("s-base")}};
}

void Imsic::reset() {
    Device::reset();
    if (s_region_) s_region_->regs.reset();
    for (auto& f : m_files_)
        f->reset();
    for (auto& f : s_files_)
        f->reset();
}

void Imsic::connect_harts(const std::vector<HartIrqPins*>& harts) {
    for (size_t h = 0; h < harts.size() && h < m_files_.size(); ++h) {
        m_files_[h]->out.connect(*harts[h], HartIrqPins::kMeip);
        harts[h]->attach_file(HartIrqPins::kMeip, m_files_[h].get());
        if (h < s_files_.size()) {
            s_files_[h]->out.connect(*harts[h], HartIrqPins::kSeip);
            harts[h]->attach_file(HartIrqPins::kSeip, s_files_[h].get());
        }
    }
}

std::string Imsic::dt_msi_parent(bool machine_level) const {
    return machine_level || s_files_.empty() ? instance() : instance() + ".s";
}

// One node per level, as QEMU virt and the riscv,imsics binding have them.
// The compatible is the generic one alone: Linux 6.12 and OpenSBI match it,
// and the binding's vendor string ("qemu,imsics") would claim nvsoc is QEMU.
void Imsic::describe_dt(DtContext& ctx) {
    auto node_for = [&](uint64_t at, uint64_t size, unsigned pin, const std::string& label,
                        bool guests) {
        DtNode& node = ctx.soc_node("imsics", at, size);
        node.set_string("compatible", "riscv,imsics");
        node.set_u32("#interrupt-cells", 0);
        node.set_empty("interrupt-controller");
        node.set_empty("msi-controller");
        node.set_u32("#msi-cells", 0);
        std::vector<uint32_t> cells;
        for (unsigned id : hart_ids_)
            if (id < ctx.harts()) cells.insert(cells.end(), {ctx.hart_intc(id), pin});
        node.set_cells("interrupts-extended", std::move(cells));
        node.set_u32("riscv,num-ids", m_files_.front()->num_ids());
        if (guests && guest_bits_) node.set_u32("riscv,guest-index-bits", guest_bits_);
        if (hart_bits_ != index_bits(static_cast<unsigned>(hart_ids_.size())))
            node.set_u32("riscv,hart-index-bits", hart_bits_);
        node.set_u32("phandle", ctx.phandle_of(label));
    };
    node_for(base(), size(), HartIrqPins::kMeip, dt_msi_parent(true), false);
    if (!s_files_.empty())
        node_for(s_base_, s_size_, HartIrqPins::kSeip, dt_msi_parent(false), true);
}

void Imsic::stats(nlohmann::json& out) const {
    out["msis"] = msis_;
    out["ignored_msis"] = ignored_msis_;
    out["guest_errors"] = log_.guest_errors();
}

NVSOC_REGISTER_MODEL(ModelInfo{
    .type = "imsic",
    .doc = "RISC-V AIA Incoming MSI Controller: a machine-level and a supervisor-level interrupt "
           "file per hart, reached by MSI writes and the harts' AIA CSRs",
    .params =
        {
            {.name = "s-base",
             .type = ParamType::Integer,
             .default_value = "0",
             .doc = "Address of the supervisor-level files (0: machine-level files only)"},
            {.name = "num-ids",
             .type = ParamType::Integer,
             .default_value = "255",
             .doc = "Interrupt identities per file (DT riscv,num-ids): 64k-1, from 63 to 2047",
             .min = 63,
             .max = 2047},
            {.name = "guests",
             .type = ParamType::Integer,
             .default_value = "0",
             .doc = "Guest interrupt files per hart: they set the supervisor-level page stride "
                    "(DT riscv,guest-index-bits); their pages read as zero until the harts have "
                    "the H extension",
             .min = 0,
             .max = 63},
            {.name = "hart-index-bits",
             .type = ParamType::Integer,
             .default_value = "",
             .doc = "Bits of the hart index in file addresses (default: enough for its harts)",
             .min = 0,
             .max = 14},
            harts_param(),
        },
    .size_for = machine_region_size,
    .create = [](const DeviceConfig& c) { return std::make_unique<Imsic>(c); },
    .roles = kMsiController,
    .hart_pins = [](const Params& p) -> std::vector<unsigned> {
        if (p.u64("s-base") == 0) return {HartIrqPins::kMeip};
        return {HartIrqPins::kMeip, HartIrqPins::kSeip};
    },
    // The harts reach the files through the AIA CSRs: Smaia for the
    // machine level, Ssaia for the supervisor level (Linux also refuses an
    // IMSIC whose harts do not name ssaia).
    .hart_extensions = [](const Params& p) -> std::vector<std::string> {
        if (p.u64("s-base") == 0) return {"smaia"};
        return {"smaia", "ssaia"};
    },
});

} // namespace nvsoc
