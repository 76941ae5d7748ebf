// A test bench initiator: drives a model's target socket with plain reads
// and writes, the way a hart or DMA engine would. SystemC cannot restart a
// simulation, so ctest runs every TEST_CASE in its own process; tests must
// not use SECTIONs that rebuild modules.
#pragma once

#include "models/core/irq.h"

#include <cstring>
#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>

namespace nvsoc::test {

class TlmInitiator : public sc_core::sc_module {
  public:
    tlm_utils::simple_initiator_socket<TlmInitiator> socket;
    sc_core::sc_time delay = sc_core::SC_ZERO_TIME; // accumulated annotated delay
    tlm::tlm_response_status last_status = tlm::TLM_INCOMPLETE_RESPONSE;

    explicit TlmInitiator(sc_core::sc_module_name name = "initiator")
        : sc_core::sc_module(name), socket("socket") {}

    tlm::tlm_response_status access(tlm::tlm_command cmd, uint64_t addr, void* data, unsigned len) {
        tlm::tlm_generic_payload tx;
        tx.set_command(cmd);
        tx.set_address(addr);
        tx.set_data_ptr(static_cast<unsigned char*>(data));
        tx.set_data_length(len);
        tx.set_streaming_width(len);
        tx.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
        socket->b_transport(tx, delay);
        last_status = tx.get_response_status();
        return last_status;
    }

    uint64_t read(uint64_t addr, unsigned len = 4) {
        uint64_t v = 0;
        access(tlm::TLM_READ_COMMAND, addr, &v, len);
        return v;
    }
    tlm::tlm_response_status write(uint64_t addr, uint64_t value, unsigned len = 4) {
        return access(tlm::TLM_WRITE_COMMAND, addr, &value, len);
    }
    uint32_t read32(uint64_t addr) { return static_cast<uint32_t>(read(addr, 4)); }
    uint8_t read8(uint64_t addr) { return static_cast<uint8_t>(read(addr, 1)); }
    void write32(uint64_t addr, uint32_t v) { write(addr, v, 4); }
    void write8(uint64_t addr, uint8_t v) { write(addr, v, 1); }
};

// Records the levels a model drives on its interrupt lines.
class IrqProbe : public IrqTarget {
  public:
    void set_irq(unsigned line, bool level) override {
        if (line < 64) {
            levels[line] = level;
            if (level) ++rising[line];
        }
    }
    bool levels[64] = {};
    unsigned rising[64] = {};
};

// Finishes elaboration (binds ports) without advancing time.
inline void elaborate() {
    sc_core::sc_start(sc_core::SC_ZERO_TIME);
}

} // namespace nvsoc::test
