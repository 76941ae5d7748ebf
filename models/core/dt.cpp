#include "models/core/dt.h"

#include <fmt/format.h>
#include <libfdt.h>
#include <stdexcept>

namespace nvsoc {

DtNode& DtNode::child(const std::string& name) {
    for (auto& c : children_)
        if (c->name_ == name) return *c;
    children_.push_back(std::make_unique<DtNode>(name));
    return *children_.back();
}

const DtNode* DtNode::find_child(const std::string& name) const {
    for (auto& c : children_)
        if (c->name_ == name) return c.get();
    return nullptr;
}

DtProperty& DtNode::slot(const std::string& name) {
    for (auto& p : props_)
        if (p.name == name) {
            p = DtProperty{};
            p.name = name;
            return p;
        }
    props_.push_back(DtProperty{});
    props_.back().name = name;
    return props_.back();
}

DtNode& DtNode::set_empty(const std::string& prop) {
    slot(prop).kind = DtProperty::Kind::Empty;
    return *this;
}

DtNode& DtNode::set_u32(const std::string& prop, uint32_t value) {
    return set_cells(prop, {value});
}

DtNode& DtNode::set_cells(const std::string& prop, std::vector<uint32_t> cells) {
    DtProperty& p = slot(prop);
    p.kind = DtProperty::Kind::Cells;
    p.cells = std::move(cells);
    return *this;
}

DtNode& DtNode::set_string(const std::string& prop, const std::string& value) {
    return set_strings(prop, {value});
}

DtNode& DtNode::set_strings(const std::string& prop, std::vector<std::string> values) {
    DtProperty& p = slot(prop);
    p.kind = DtProperty::Kind::Strings;
    p.strings = std::move(values);
    return *this;
}

DtNode& DtNode::set_bytes(const std::string& prop, std::vector<uint8_t> bytes) {
    DtProperty& p = slot(prop);
    p.kind = DtProperty::Kind::Bytes;
    p.bytes = std::move(bytes);
    return *this;
}

DtNode& DtNode::set_reg64(uint64_t base, uint64_t size) {
    auto cells = cells64(base);
    auto s = cells64(size);
    cells.insert(cells.end(), s.begin(), s.end());
    return set_cells("reg", std::move(cells));
}

const DtProperty* DtNode::prop(const std::string& name) const {
    for (auto& p : props_)
        if (p.name == name) return &p;
    return nullptr;
}

// The raw bytes of a property as the DTB stores them (cells big-endian,
// strings NUL-terminated and concatenated).
static std::vector<uint8_t> encode(const DtProperty& p) {
    std::vector<uint8_t> out;
    switch (p.kind) {
    case DtProperty::Kind::Empty: break;
    case DtProperty::Kind::Cells:
        for (uint32_t c : p.cells) {
            out.push_back(static_cast<uint8_t>(c >> 24));
            out.push_back(static_cast<uint8_t>(c >> 16));
            out.push_back(static_cast<uint8_t>(c >> 8));
            out.push_back(static_cast<uint8_t>(c));
        }
        break;
    case DtProperty::Kind::Strings:
        for (const auto& s : p.strings) {
            out.insert(out.end(), s.begin(), s.end());
            out.push_back(0);
        }
        break;
    case DtProperty::Kind::Bytes: out = p.bytes; break;
    }
    return out;
}

static void check(int err, const char* what) {
    if (err < 0) throw std::runtime_error(fmt::format("libfdt: {}: {}", what, fdt_strerror(err)));
}

static void write_node(void* fdt, const DtNode& node) {
    check(fdt_begin_node(fdt, node.name().c_str()), "begin node");
    for (const auto& p : node.props()) {
        auto bytes = encode(p);
        check(fdt_property(fdt, p.name.c_str(), bytes.data(), static_cast<int>(bytes.size())),
              "property");
    }
    for (const auto& c : node.children()) write_node(fdt, *c);
    check(fdt_end_node(fdt), "end node");
}

std::vector<uint8_t> DeviceTree::to_dtb(uint32_t boot_cpuid) const {
    for (size_t size = 64 * 1024;; size *= 2) {
        std::vector<uint8_t> buf(size);
        void* fdt = buf.data();
        if (fdt_create(fdt, static_cast<int>(size)) < 0) continue;
        try {
            check(fdt_finish_reservemap(fdt), "reservemap");
            write_node(fdt, root_);
            check(fdt_finish(fdt), "finish");
        } catch (const std::runtime_error&) {
            if (size >= (16u << 20)) throw;
            continue; // the buffer was too small: grow and retry
        }
        fdt_set_boot_cpuid_phys(fdt, boot_cpuid);
        buf.resize(fdt_totalsize(fdt));
        return buf;
    }
}

static std::string quote(const std::string& s) {
    std::string out = "\"";
    for (char c : s) {
        if (c == '"' || c == '\\') out += '\\';
        out += c;
    }
    return out + "\"";
}

static void print_node(std::string& out, const DtNode& node, int depth) {
    std::string indent(static_cast<size_t>(depth), '\t');
    out += indent + (node.name().empty() ? "/" : node.name()) + " {\n";
    for (const auto& p : node.props()) {
        out += indent + "\t" + p.name;
        switch (p.kind) {
        case DtProperty::Kind::Empty: break;
        case DtProperty::Kind::Cells: {
            out += " = <";
            for (size_t i = 0; i < p.cells.size(); ++i)
                out += fmt::format("{}0x{:x}", i ? " " : "", p.cells[i]);
            out += ">";
            break;
        }
        case DtProperty::Kind::Strings:
            out += " = ";
            for (size_t i = 0; i < p.strings.size(); ++i)
                out += (i ? ", " : "") + quote(p.strings[i]);
            break;
        case DtProperty::Kind::Bytes:
            out += " = [";
            for (size_t i = 0; i < p.bytes.size(); ++i)
                out += fmt::format("{}{:02x}", i ? " " : "", p.bytes[i]);
            out += "]";
            break;
        }
        out += ";\n";
    }
    for (const auto& c : node.children()) {
        out += "\n";
        print_node(out, *c, depth + 1);
    }
    out += indent + "};\n";
}

std::string DeviceTree::to_dts() const {
    std::string out = "/dts-v1/;\n\n";
    print_node(out, root_, 0);
    return out;
}

} // namespace nvsoc
