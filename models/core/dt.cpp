#include "models/core/dt.h"

#include <cctype>
#include <fmt/format.h>
#include <libfdt.h>
#include <map>
#include <set>
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
    case DtProperty::Kind::Empty:
        break;
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
    case DtProperty::Kind::Bytes:
        out = p.bytes;
        break;
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
    for (const auto& c : node.children())
        write_node(fdt, *c);
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

namespace {

// DTS printing with phandle references written as &labels, as a person would
// write them and as dtc checks them. Labels come from node paths.
struct DtsPrinter {
    std::map<uint32_t, const DtNode*> by_phandle;
    std::map<const DtNode*, std::string> labels;
    std::string out;

    static std::string sanitize(const std::string& name) {
        std::string label;
        for (char c : name) {
            if (c == '@') continue;
            label += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
        }
        return label;
    }

    // "cpu@0" -> cpu0, "plic@c000000" -> plicc000000, a hart's
    // interrupt-controller -> cpu0_intc; the path when a name repeats.
    void index(const DtNode& node, const std::string& path, const std::string& parent) {
        if (const DtProperty* p = node.prop("phandle"); p && p->cells.size() == 1) {
            by_phandle[p->cells[0]] = &node;
            std::string label = node.name() == "interrupt-controller" ? sanitize(parent) + "_intc"
                                                                      : sanitize(node.name());
            for (const auto& [n, l] : labels)
                if (l == label) label = sanitize(path);
            labels[&node] = label;
        }
        for (const auto& c : node.children())
            index(*c, path + "/" + c->name(), node.name());
    }

    static uint32_t cells_of(const DtNode* node, const char* prop, uint32_t fallback) {
        const DtProperty* p = node ? node->prop(prop) : nullptr;
        return p && p->cells.size() == 1 ? p->cells[0] : fallback;
    }

    std::string cell(uint32_t v) { return fmt::format("0x{:x}", v); }
    std::string ref(uint32_t ph) {
        auto it = by_phandle.find(ph);
        return it == by_phandle.end() ? cell(ph) : "&" + labels[it->second];
    }

    // Which cells of a property are phandles, by the standard bindings.
    std::vector<bool> phandle_cells(const DtNode& node, const DtProperty& p) {
        std::vector<bool> mark(p.cells.size(), false);
        static const std::set<std::string> single = {"interrupt-parent", "regmap", "cpu",
                                                     "msi-parent"};
        if (single.count(p.name)) {
            if (!mark.empty()) mark[0] = true;
        } else if (p.name == "interrupts-extended") {
            for (size_t i = 0; i < p.cells.size();) {
                auto it = by_phandle.find(p.cells[i]);
                if (it == by_phandle.end()) break;
                mark[i] = true;
                i += 1 + cells_of(it->second, "#interrupt-cells", 1);
            }
        } else if (p.name == "interrupt-map") {
            size_t child =
                cells_of(&node, "#address-cells", 2) + cells_of(&node, "#interrupt-cells", 1);
            for (size_t i = child; i < p.cells.size();) {
                auto it = by_phandle.find(p.cells[i]);
                if (it == by_phandle.end()) break;
                mark[i] = true;
                i += 1 + cells_of(it->second, "#address-cells", 0) +
                     cells_of(it->second, "#interrupt-cells", 1) + child;
            }
        }
        return mark;
    }

    void print(const DtNode& node, int depth) {
        std::string indent(static_cast<size_t>(depth), '\t');
        out += indent;
        if (auto it = labels.find(&node); it != labels.end()) out += it->second + ": ";
        out += (node.name().empty() ? "/" : node.name()) + " {\n";
        for (const auto& p : node.props()) {
            out += indent + "\t" + p.name;
            switch (p.kind) {
            case DtProperty::Kind::Empty:
                break;
            case DtProperty::Kind::Cells: {
                auto mark = phandle_cells(node, p);
                out += " = <";
                // Appended piece by piece (here and for strings) rather than
                // as `(i ? " " : "") + str`: GCC 12 at -O3 reports a false
                // -Wrestrict inside that operator+(const char*, string&&).
                for (size_t i = 0; i < p.cells.size(); ++i) {
                    if (i) out += ' ';
                    out += mark[i] ? ref(p.cells[i]) : cell(p.cells[i]);
                }
                out += ">";
                break;
            }
            case DtProperty::Kind::Strings:
                out += " = ";
                for (size_t i = 0; i < p.strings.size(); ++i) {
                    if (i) out += ", ";
                    out += quote(p.strings[i]);
                }
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
            print(*c, depth + 1);
        }
        out += indent + "};\n";
    }
};

} // namespace

std::string DeviceTree::to_dts() const {
    DtsPrinter printer;
    printer.index(root_, "", "");
    printer.out = "/dts-v1/;\n\n";
    printer.print(root_, 0);
    return printer.out;
}

} // namespace nvsoc
