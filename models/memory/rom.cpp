#include "models/memory/rom.h"

#include "models/core/model_registry.h"
#include "models/memory/ram.h"

#include <fstream>
#include <iterator>

namespace nvsoc {

Rom::Rom(const DeviceConfig& config) : Device(config), data_(config.size, 0) {
    access_latency_ = sc_core::SC_ZERO_TIME;
    if (!config.params.has("image")) return;
    const std::string& path = config.params.str("image");
    std::ifstream in(path, std::ios::binary);
    std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)),
                               std::istreambuf_iterator<char>());
    if (!in.good() && !in.eof())
        throw InputError(config.params.where("image"), "cannot read '" + path + "'");
    if (bytes.size() > data_.size())
        throw InputError(config.params.where("image"),
                         fmt::format("image '{}' is {} bytes but '{}' holds only {}: give the "
                                     "ROM a larger size",
                                     path, bytes.size(), config.name, format_size(config.size)));
    program(0, bytes);
}

void Rom::program(uint64_t offset, const std::vector<uint8_t>& bytes) {
    if (offset > data_.size() || bytes.size() > data_.size() - offset)
        throw std::out_of_range(instance() + ": ROM image does not fit");
    std::copy(bytes.begin(), bytes.end(), data_.begin() + static_cast<long>(offset));
}

void Rom::b_transport(tlm::tlm_generic_payload& tx, sc_core::sc_time& delay) {
    delay += access_latency_;
    if (tx.is_write()) {
        log_.guest_error("write of {} bytes to ROM offset 0x{:x} refused", tx.get_data_length(),
                         tx.get_address());
        tx.set_response_status(tlm::TLM_COMMAND_ERROR_RESPONSE);
        return;
    }
    if (copy_payload(data_.data(), data_.size(), tx, false) == 0 && tx.get_data_length() != 0) {
        tx.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
        return;
    }
    tx.set_dmi_allowed(true);
    tx.set_response_status(tlm::TLM_OK_RESPONSE);
}

unsigned Rom::transport_dbg(tlm::tlm_generic_payload& tx) {
    // Debug writes are how loaders place images; guests never get here.
    return copy_payload(data_.data(), data_.size(), tx, true);
}

bool Rom::get_direct_mem_ptr(tlm::tlm_generic_payload&, tlm::tlm_dmi& dmi) {
    dmi.set_dmi_ptr(data_.data());
    dmi.set_start_address(0);
    dmi.set_end_address(data_.size() - 1);
    dmi.set_granted_access(tlm::tlm_dmi::DMI_ACCESS_READ);
    return true;
}

NVSOC_REGISTER_MODEL(ModelInfo{
    .type = "rom",
    .doc = "Read-only memory filled from an image file; guest writes fail",
    .params =
        {
            {"image", ParamType::Path, "", "Raw binary loaded at offset 0 (optional)"},
        },
    .default_size = 0,
    .irq_outputs = 0,
    .create = [](const DeviceConfig& c) { return std::make_unique<Rom>(c); },
});

} // namespace nvsoc
