#include "models/memory/ram.h"

#include "models/core/model_registry.h"

#include <cstring>
#include <sys/mman.h>

namespace nvsoc {

unsigned copy_payload(uint8_t* mem, uint64_t size, tlm::tlm_generic_payload& tx, bool allow_write) {
    uint64_t addr = tx.get_address();
    uint64_t len = tx.get_data_length();
    if (addr >= size || len > size - addr) return 0;
    if (tx.is_read())
        std::memcpy(tx.get_data_ptr(), mem + addr, len);
    else if (tx.is_write() && allow_write)
        std::memcpy(mem + addr, tx.get_data_ptr(), len);
    else if (tx.is_write())
        return 0;
    return static_cast<unsigned>(len);
}

Ram::Ram(const DeviceConfig& config) : Device(config) {
    // MAP_NORESERVE: reserve address space only; the OS allocates on touch.
    void* p = mmap(nullptr, config.size, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED)
        throw InputError(config.where,
                         fmt::format("cannot reserve {} of host address space for '{}': make "
                                     "the memory smaller",
                                     format_size(config.size), config.name));
    // Transparent huge pages where the host gives them for the asking (the
    // common "madvise" setting): bulk DMA into fresh memory then faults per
    // 2 MiB, not per 4 KiB. A Linux boot's footprint barely grows (82 to
    // 93 MiB on configs/default.yaml); docs/performance.md has the figures.
    madvise(p, config.size, MADV_HUGEPAGE);
    mem_ = static_cast<uint8_t*>(p);
    read_latency_ = sc_core::sc_time(static_cast<double>(config.params.time_ps("read-latency")),
                                     sc_core::SC_PS);
    write_latency_ = sc_core::sc_time(static_cast<double>(config.params.time_ps("write-latency")),
                                      sc_core::SC_PS);
}

Ram::~Ram() {
    if (mem_) munmap(mem_, size());
}

void Ram::reset() {
    // Fresh anonymous pages read as zero and cost no memory until touched.
    madvise(mem_, size(), MADV_DONTNEED);
}

void Ram::describe_dt(DtContext& ctx) {
    DtNode& node = ctx.root().child(fmt::format("memory@{:x}", base()));
    node.set_string("device_type", "memory");
    node.set_reg64(base(), size());
}

void Ram::b_transport(tlm::tlm_generic_payload& tx, sc_core::sc_time& delay) {
    if (tx.get_byte_enable_ptr()) {
        tx.set_response_status(tlm::TLM_BYTE_ENABLE_ERROR_RESPONSE);
        return;
    }
    if (copy_payload(mem_, size(), tx, true) == 0 && tx.get_data_length() != 0) {
        tx.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
        return;
    }
    delay += tx.is_read() ? read_latency_ : write_latency_;
    tx.set_dmi_allowed(true);
    tx.set_response_status(tlm::TLM_OK_RESPONSE);
}

unsigned Ram::transport_dbg(tlm::tlm_generic_payload& tx) {
    return copy_payload(mem_, size(), tx, true);
}

bool Ram::get_direct_mem_ptr(tlm::tlm_generic_payload&, tlm::tlm_dmi& dmi) {
    dmi.set_dmi_ptr(mem_);
    dmi.set_start_address(0);
    dmi.set_end_address(size() - 1);
    dmi.set_granted_access(tlm::tlm_dmi::DMI_ACCESS_READ_WRITE);
    dmi.set_read_latency(read_latency_);
    dmi.set_write_latency(write_latency_);
    return true;
}

NVSOC_REGISTER_MODEL(ModelInfo{
    .type = "ram",
    .doc = "Main memory; host pages are allocated only when the guest touches them",
    .params =
        {
            {"read-latency", ParamType::Time, "0ns", "Latency added to each read"},
            {"write-latency", ParamType::Time, "0ns", "Latency added to each write"},
        },
    .default_size = 0,
    .irq_outputs = 0,
    .create = [](const DeviceConfig& c) { return std::make_unique<Ram>(c); },
});

} // namespace nvsoc
