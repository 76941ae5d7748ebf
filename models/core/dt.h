// An in-memory device tree. Models fill their own nodes; the platform turns
// the tree into a DTB with libfdt (what the firmware gets) or into DTS text
// (`nvsoc dts`). Both come from the same tree, so they cannot disagree.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace nvsoc {

struct DtProperty {
    enum class Kind { Empty, Cells, Strings, Bytes };
    std::string name;
    Kind kind = Kind::Empty;
    std::vector<uint32_t> cells;
    std::vector<std::string> strings;
    std::vector<uint8_t> bytes;
};

class DtNode {
  public:
    explicit DtNode(std::string name) : name_(std::move(name)) {}

    const std::string& name() const { return name_; }
    // Finds the child with this full name ("serial@10000000") or creates it.
    DtNode& child(const std::string& name);
    const DtNode* find_child(const std::string& name) const;

    DtNode& set_empty(const std::string& prop);
    DtNode& set_u32(const std::string& prop, uint32_t value);
    DtNode& set_cells(const std::string& prop, std::vector<uint32_t> cells);
    DtNode& set_string(const std::string& prop, const std::string& value);
    DtNode& set_strings(const std::string& prop, std::vector<std::string> values);
    DtNode& set_bytes(const std::string& prop, std::vector<uint8_t> bytes);
    // reg = <base size> with #address-cells = #size-cells = 2.
    DtNode& set_reg64(uint64_t base, uint64_t size);

    const DtProperty* prop(const std::string& name) const;
    const std::vector<DtProperty>& props() const { return props_; }
    const std::vector<std::unique_ptr<DtNode>>& children() const { return children_; }

  private:
    DtProperty& slot(const std::string& name);

    std::string name_;
    std::vector<DtProperty> props_;
    std::vector<std::unique_ptr<DtNode>> children_;
};

// Splits a 64-bit value into two cells, high first, as DT cells are ordered.
inline std::vector<uint32_t> cells64(uint64_t v) {
    return {static_cast<uint32_t>(v >> 32), static_cast<uint32_t>(v)};
}

class DeviceTree {
  public:
    DeviceTree() : root_("") {}
    DtNode& root() { return root_; }
    const DtNode& root() const { return root_; }
    uint32_t new_phandle() { return next_phandle_++; }

    std::vector<uint8_t> to_dtb(uint32_t boot_cpuid = 0) const;
    std::string to_dts() const;

  private:
    DtNode root_;
    uint32_t next_phandle_ = 1;
};

} // namespace nvsoc
