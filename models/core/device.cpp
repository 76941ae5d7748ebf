#include "models/core/device.h"

#include <cstring>

namespace nvsoc {

DtContext::DtContext(DeviceTree& tree, std::vector<uint32_t> hart_intc_phandles)
    : tree_(tree), hart_intc_(std::move(hart_intc_phandles)) {}

uint32_t DtContext::phandle_of(const std::string& device_name) {
    auto it = phandles_.find(device_name);
    if (it != phandles_.end()) return it->second;
    uint32_t ph = tree_.new_phandle();
    phandles_[device_name] = ph;
    return ph;
}

void DtContext::add_interrupts(DtNode& node, const std::vector<IrqRef>& irqs) {
    if (irqs.empty()) return;
    node.set_u32("interrupt-parent", interrupt_parent(irqs.front()));
    std::vector<uint32_t> cells;
    for (const auto& irq : irqs) {
        std::vector<uint32_t> spec = interrupt_specifier(irq);
        cells.insert(cells.end(), spec.begin(), spec.end());
    }
    node.set_cells("interrupts", cells);
}

uint32_t DtContext::interrupt_parent(const IrqRef& irq) {
    auto it = controllers_.find(irq.controller);
    return phandle_of(it == controllers_.end() ? irq.controller
                                               : it->second->dt_interrupt_parent());
}

std::vector<uint32_t> DtContext::interrupt_specifier(const IrqRef& irq) {
    auto it = controllers_.find(irq.controller);
    if (it == controllers_.end()) return {irq.number};
    return it->second->dt_specifier(irq.number);
}

uint32_t DtContext::msi_parent(const std::string& name, bool machine_level) {
    auto it = msi_controllers_.find(name);
    return phandle_of(it == msi_controllers_.end() ? name
                                                   : it->second->dt_msi_parent(machine_level));
}

uint32_t DtContext::add_numa_memory(unsigned node, uint64_t base, uint64_t size,
                                    const std::string& owner) {
    DtNode& mem = root().child(fmt::format("memory@{:x}", base));
    mem.set_string("device_type", "memory").set_reg64(base, size).set_u32("numa-node-id", node);
    const uint32_t ph = tree_.new_phandle();
    mem.set_u32("phandle", ph);
    numa_memory_.push_back({node, base, size, owner});
    return ph;
}

DtNode& DtContext::soc_node(const std::string& node_name, uint64_t base, uint64_t size) {
    DtNode& soc = this->soc();
    DtNode& node = soc.child(fmt::format("{}@{:x}", node_name, base));
    node.set_reg64(base, size);
    return node;
}

// The module's name comes from the sc_module_name that ModelRegistry::create
// keeps alive for the whole construction, so members declared by derived
// models (events, sockets) land inside this module's hierarchy.
Model::Model(const DeviceConfig& config)
    : sc_core::sc_module(), log_(config.name, config.type, config.log), config_(config) {}

Device::Device(const DeviceConfig& config) : Model(config), target("target") {
    target.register_b_transport(this, &Device::b_transport);
    target.register_transport_dbg(this, &Device::transport_dbg);
    target.register_get_direct_mem_ptr(this, &Device::get_direct_mem_ptr);
}

void Device::b_transport(tlm::tlm_generic_payload& tx, sc_core::sc_time& delay) {
    serve_window(regs_, size(), tx, delay);
}

void Device::serve_window(RegisterBank& bank, uint64_t window_size, tlm::tlm_generic_payload& tx,
                          sc_core::sc_time& delay) {
    delay += access_latency_;
    if (tx.get_byte_enable_ptr() || tx.get_streaming_width() < tx.get_data_length()) {
        tx.set_response_status(tlm::TLM_BYTE_ENABLE_ERROR_RESPONSE);
        return;
    }
    uint64_t offset = tx.get_address();
    unsigned len = tx.get_data_length();
    if (access_width_ && (len != access_width_ || offset % access_width_ != 0)) {
        log_.guest_error("{} of {} bytes at offset 0x{:x}: only aligned {}-byte accesses are "
                         "supported",
                         tx.is_read() ? "read" : "write", len, offset, access_width_);
        tx.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
        return;
    }
    serve_registers(bank, tx, log_, unmapped_is_reserved_ ? window_size : 0, reserved_log_);
}

ParamSpec harts_param() {
    return {.name = "harts",
            .type = ParamType::Ranges,
            .default_value = "",
            .doc = "The harts (by hart ID) whose interrupt pins it drives, e.g. \"0-3\" or "
                   "\"0,2\"; default: all. No two models may drive the same pin of a hart",
            .max = 63};
}

ParamSpec msi_parent_param() {
    return {.name = "msi-parent",
            .type = ParamType::String,
            .default_value = "",
            .doc =
                "The MSI controller (an imsic) its MSIs go to; default: the platform's only one"};
}

void serve_registers(RegisterBank& bank, tlm::tlm_generic_payload& tx, Logger& log,
                     uint64_t reserved_below, ReservedLog log_reserved) {
    uint64_t offset = tx.get_address();
    unsigned len = tx.get_data_length();
    AccessResult r = tx.is_read()    ? bank.read(offset, tx.get_data_ptr(), len)
                     : tx.is_write() ? bank.write(offset, tx.get_data_ptr(), len)
                                     : AccessResult::Ok;
    switch (r) {
    case AccessResult::Ok:
        tx.set_response_status(tlm::TLM_OK_RESPONSE);
        break;
    case AccessResult::Unmapped:
        if (offset < reserved_below && len <= reserved_below - offset) {
            if (tx.is_read()) std::memset(tx.get_data_ptr(), 0, len);
            if (log_reserved == ReservedLog::All ||
                (log_reserved == ReservedLog::Writes && tx.is_write()))
                log.guest_error("{} of {} bytes at reserved offset 0x{:x} (reads 0, writes "
                                "ignored)",
                                tx.is_read() ? "read" : "write", len, offset);
            tx.set_response_status(tlm::TLM_OK_RESPONSE);
            break;
        }
        log.guest_error("{} of {} bytes at unmapped offset 0x{:x}", tx.is_read() ? "read" : "write",
                        len, offset);
        tx.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
        break;
    case AccessResult::Denied:
        log.guest_error("{} of {} bytes at offset 0x{:x} is not allowed",
                        tx.is_read() ? "read" : "write", len, offset);
        tx.set_response_status(tlm::TLM_COMMAND_ERROR_RESPONSE);
        break;
    }
}

unsigned Device::transport_dbg(tlm::tlm_generic_payload&) {
    return 0;
}

bool Device::get_direct_mem_ptr(tlm::tlm_generic_payload&, tlm::tlm_dmi&) {
    return false;
}

} // namespace nvsoc
