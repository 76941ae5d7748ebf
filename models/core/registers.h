// Registers as data. A device declares each register (or array of equally
// spaced registers) once: offset, width, reset value, which bits software can
// write, which bits clear on writing 1, and optional callbacks. The bank
// handles decoding, partial (sub-word) accesses and reset.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace nvsoc {

struct RegisterSpec {
    std::string name;
    uint64_t offset = 0;
    unsigned width = 4;  // bytes: 1, 2, 4 or 8
    unsigned count = 1;  // >1 declares an array
    uint64_t stride = 0; // distance between array elements (default: width)
    uint64_t reset = 0;
    uint64_t write_mask = ~0ull; // bits software writes directly
    uint64_t w1c_mask = 0;       // bits cleared by writing 1
    bool readable = true;
    bool writable = true;
    // Side effects. `on_read` supplies the value (the stored value is
    // ignored); `on_write` sees the merged value after masks were applied and
    // after it was stored, plus the value before.
    std::function<uint64_t(unsigned index)> on_read;
    std::function<void(unsigned index, uint64_t value, uint64_t old)> on_write;
};

enum class AccessResult { Ok, Unmapped, Denied };

class RegisterBank {
  public:
    // Declares a register or array; returns its id for value()/set().
    size_t add(RegisterSpec spec);

    AccessResult read(uint64_t offset, uint8_t* data, unsigned length);
    AccessResult write(uint64_t offset, const uint8_t* data, unsigned length);

    void reset();

    // Direct state access for the owning model (no side effects).
    uint64_t value(size_t id, unsigned index = 0) const { return regs_[id].values[index]; }
    void set(size_t id, uint64_t v, unsigned index = 0) { regs_[id].values[index] = v; }

    // Every declared register, for register references and tests.
    struct Entry {
        RegisterSpec spec;
        std::vector<uint64_t> values;
    };
    const std::vector<Entry>& entries() const { return regs_; }

  private:
    // Finds the register element covering [offset, offset+length).
    bool locate(uint64_t offset, unsigned length, size_t& id, unsigned& index,
                unsigned& shift) const;

    std::vector<Entry> regs_;
};

} // namespace nvsoc
