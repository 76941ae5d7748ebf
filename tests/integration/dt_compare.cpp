// Compares two device trees, nvsoc's and a reference's (QEMU virt's), node
// by node and property by property, as a spec file lists them. Phandles are
// compared by the node they point at (phandle numbers may differ), with the
// reference's node paths translated to nvsoc's where the spec maps a node of
// one name to a node of another.
//
//   dt_compare OURS.dtb REFERENCE.dtb SPEC HARTS
//
// The comparison is exhaustive: every node of either tree must be mapped by
// the spec or listed as present in one tree only, and every property of a
// mapped node must be listed as equal, as differing (with both values), or
// as ignored; each deliberate difference carries its reason. So any new
// difference fails, and so does an expected one that is gone (the spec must
// then be updated). Spec lines ({h} in a node line repeats its block for
// each hart 0..HARTS-1; a line whose first character is '#' followed by a
// space, or that is empty, is a comment):
//
//   node PATH [REF_PATH -- reason]   the node (REF_PATH: its name in the
//                                    reference, when it differs)
//     same PROP...                   equal in both trees
//     ignore PROP... -- reason       may differ in any way
//     differ PROP -- reason          differs, exactly so:
//       nvsoc VALUE                  (values as this program prints them:
//       qemu VALUE                    <cells &{/path}>, "strings", [bytes],
//                                     true for an empty property, (missing))
//   only-qemu PATH -- reason         a node (and its subtree) of the
//   only-nvsoc PATH -- reason        reference only, or of nvsoc's only
//
// Exit status: 0 when the trees match the spec, 1 when they do not, 2 for
// bad input (an unreadable blob, a malformed spec).
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <libfdt.h>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace {

enum class Kind { same, differ, ignore };

struct PropSpec {
    Kind kind;
    std::string name;
    std::string reason;
    std::string ours, ref; // differ only: the expected values
    bool has_ours = false, has_ref = false;
    int line;
};

struct NodeSpec {
    std::string ours, ref, reason;
    std::vector<PropSpec> props;
    int line;
};

struct OnlySpec {
    bool in_ref; // only-qemu
    std::string path, reason;
    int line;
};

struct Spec {
    std::vector<NodeSpec> nodes;
    std::vector<OnlySpec> only;
};

[[noreturn]] void spec_error(const std::string& file, int line, const std::string& what) {
    std::fprintf(stderr, "%s:%d: %s\n", file.c_str(), line, what.c_str());
    std::exit(2);
}

std::string trim(const std::string& s) {
    size_t b = s.find_first_not_of(" \t"), e = s.find_last_not_of(" \t\r");
    return b == std::string::npos ? "" : s.substr(b, e - b + 1);
}

std::vector<std::string> words(const std::string& s) {
    std::istringstream in(s);
    std::vector<std::string> out;
    for (std::string w; in >> w;)
        out.push_back(w);
    return out;
}

// "text -- reason" split in two; the reason is empty when there is none.
std::pair<std::string, std::string> split_reason(const std::string& s) {
    size_t at = s.find(" -- ");
    if (at == std::string::npos) return {trim(s), ""};
    return {trim(s.substr(0, at)), trim(s.substr(at + 4))};
}

std::string replace_all(std::string s, const std::string& from, const std::string& to) {
    for (size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size()))
        s.replace(at, from.size(), to);
    return s;
}

Spec parse_spec(const std::string& file, int harts) {
    std::ifstream in(file);
    if (!in) {
        std::fprintf(stderr, "dt_compare: cannot read %s\n", file.c_str());
        std::exit(2);
    }
    // Lines with their numbers, hart blocks expanded.
    std::vector<std::pair<int, std::string>> raw, lines;
    int n = 0;
    for (std::string l; std::getline(in, l);) {
        ++n;
        std::string t = trim(l);
        if (t.empty() || t == "#" || t.rfind("# ", 0) == 0) continue;
        raw.emplace_back(n, t);
    }
    auto starts_block = [](const std::string& t) {
        auto w = words(t);
        return w[0] == "node" || w[0] == "only-qemu" || w[0] == "only-nvsoc";
    };
    for (size_t i = 0; i < raw.size();) {
        size_t end = i + 1;
        while (end < raw.size() && !starts_block(raw[end].second))
            ++end;
        bool per_hart = raw[i].second.find("{h}") != std::string::npos;
        for (int h = 0; h < (per_hart ? harts : 1); ++h)
            for (size_t j = i; j < end; ++j)
                lines.emplace_back(raw[j].first,
                                   replace_all(raw[j].second, "{h}", std::to_string(h)));
        i = end;
    }

    Spec spec;
    PropSpec* differ = nullptr; // the differ whose values may follow
    for (const auto& [line, text] : lines) {
        auto w = words(text);
        const std::string& key = w[0];
        std::string rest = trim(text.substr(key.size()));
        auto [body, reason] = split_reason(rest);
        if (key == "node") {
            auto paths = words(body);
            if (paths.empty() || paths.size() > 2) spec_error(file, line, "node PATH [REF_PATH]");
            NodeSpec node{paths[0], paths.size() == 2 ? paths[1] : paths[0], reason, {}, line};
            if (node.ours != node.ref && reason.empty())
                spec_error(file, line, "a node named differently needs a reason (-- why)");
            spec.nodes.push_back(node);
            differ = nullptr;
        } else if (key == "only-qemu" || key == "only-nvsoc") {
            if (words(body).size() != 1 || reason.empty())
                spec_error(file, line, key + " PATH -- reason");
            spec.only.push_back({key == "only-qemu", body, reason, line});
            differ = nullptr;
        } else if (key == "same" || key == "ignore" || key == "differ") {
            if (spec.nodes.empty()) spec_error(file, line, key + " before any node");
            auto names = words(body);
            Kind kind = key == "same" ? Kind::same : key == "ignore" ? Kind::ignore : Kind::differ;
            if (names.empty()) spec_error(file, line, key + " names no property");
            if (kind != Kind::same && reason.empty())
                spec_error(file, line, key + " needs a reason (-- why)");
            if (kind == Kind::differ && names.size() != 1)
                spec_error(file, line, "differ takes one property");
            if (kind == Kind::same && !reason.empty())
                spec_error(file, line, "same takes no reason");
            for (const auto& name : names)
                spec.nodes.back().props.push_back({kind, name, reason, "", "", false, false, line});
            differ = kind == Kind::differ ? &spec.nodes.back().props.back() : nullptr;
        } else if (key == "nvsoc" || key == "qemu") {
            if (!differ) spec_error(file, line, key + " value outside a differ");
            (key == "nvsoc" ? differ->ours : differ->ref) = rest;
            (key == "nvsoc" ? differ->has_ours : differ->has_ref) = true;
        } else {
            spec_error(file, line, "unknown line '" + key + "'");
        }
    }
    for (const auto& node : spec.nodes)
        for (const auto& p : node.props)
            if (p.kind == Kind::differ && (!p.has_ours || !p.has_ref))
                spec_error(file, p.line, "differ " + p.name + " needs an nvsoc and a qemu value");
    return spec;
}

std::vector<char> load(const char* path) {
    std::ifstream in(path, std::ios::binary);
    std::vector<char> blob{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    if (blob.size() < sizeof(fdt_header) || fdt_check_header(blob.data()) ||
        fdt_totalsize(blob.data()) > blob.size()) {
        std::fprintf(stderr, "dt_compare: %s is not a device tree blob\n", path);
        std::exit(2);
    }
    return blob;
}

// One tree, and how its node paths read in nvsoc's names.
struct Tree {
    std::vector<char> blob;
    std::map<std::string, std::string> to_ours; // reference path -> nvsoc path

    const void* fdt() const { return blob.data(); }

    int node(const std::string& path) const { return fdt_path_offset(fdt(), path.c_str()); }

    std::string path(int node) const {
        char buf[512];
        if (fdt_get_path(fdt(), node, buf, sizeof buf) < 0) return "<no path>";
        auto it = to_ours.find(buf);
        return it == to_ours.end() ? buf : it->second;
    }

    uint32_t cells(int node, const char* name, uint32_t fallback) const {
        int len;
        auto* p = static_cast<const fdt32_t*>(fdt_getprop(fdt(), node, name, &len));
        return p && len == 4 ? fdt32_to_cpu(*p) : fallback;
    }

    int by_phandle(uint32_t phandle) const { return fdt_node_offset_by_phandle(fdt(), phandle); }
};

bool printable_strings(const char* p, int len) {
    if (len == 0 || p[len - 1] != '\0') return false;
    for (int i = 0, start = 0; i < len; ++i) {
        if (p[i] == '\0') {
            if (i == start) return false;
            start = i + 1;
        } else if (!std::isprint(static_cast<unsigned char>(p[i]))) {
            return false;
        }
    }
    return true;
}

// Which cells of a property are phandles, by the bindings of the properties
// these trees use.
std::vector<bool> phandle_cells(const Tree& t, int node, const std::string& name,
                                const fdt32_t* cells, int n) {
    std::vector<bool> is(n, false);
    auto at = [&](int i) { return fdt32_to_cpu(cells[i]); };
    static const std::set<std::string> all = {"interrupt-parent", "regmap", "cpu",
                                              "riscv,children"};
    if (all.count(name)) is.assign(n, true);
    if (name == "riscv,delegate" || name == "riscv,delegation")
        for (int i = 0; i < n; i += 3)
            is[i] = true;
    // A phandle followed by as many cells as its target's #NAME-cells says.
    auto specifiers = [&](const char* count, uint32_t fallback) {
        for (int i = 0; i < n;) {
            is[i] = true;
            i += 1 + static_cast<int>(t.cells(t.by_phandle(at(i)), count, fallback));
        }
    };
    if (name == "interrupts-extended") specifiers("#interrupt-cells", 1);
    if (name == "msi-parent") specifiers("#msi-cells", 0);
    if (name == "interrupt-map") {
        // Entries: child unit address, child interrupt specifier, parent
        // phandle, parent unit address, parent interrupt specifier.
        int child = static_cast<int>(t.cells(node, "#address-cells", 2) +
                                     t.cells(node, "#interrupt-cells", 1));
        for (int i = child; i < n;) {
            is[i] = true;
            int parent = t.by_phandle(at(i));
            i += 1 +
                 static_cast<int>(t.cells(parent, "#address-cells", 0) +
                                  t.cells(parent, "#interrupt-cells", 1)) +
                 child;
        }
    }
    return is;
}

// A property as comparable text: strings as "text", cells as <0x..> with
// phandles replaced by &{path} in nvsoc's names, other bytes as [..].
std::string render(const Tree& t, int node, const std::string& name, const std::string& node_path) {
    int len;
    auto* raw = static_cast<const char*>(fdt_getprop(t.fdt(), node, name.c_str(), &len));
    if (!raw) return "(missing)";
    if (len == 0) return "true";
    static const std::set<std::string> strings = {
        "compatible", "device_type", "status",    "mmu-type",       "stdout-path",
        "model",      "bootargs",    "riscv,isa", "riscv,isa-base", "riscv,isa-extensions"};
    if (printable_strings(raw, len) &&
        (strings.count(name) || len % 4 != 0 || node_path == "/aliases")) {
        std::string out;
        for (const char* s = raw; s < raw + len; s += std::strlen(s) + 1)
            out += (out.empty() ? "\"" : ", \"") + std::string(s) + "\"";
        return out;
    }
    char buf[16];
    if (len % 4 != 0) {
        std::string out = "[";
        for (int i = 0; i < len; ++i) {
            std::snprintf(buf, sizeof buf, "%s%02x", i ? " " : "", static_cast<uint8_t>(raw[i]));
            out += buf;
        }
        return out + "]";
    }
    auto* cells = reinterpret_cast<const fdt32_t*>(raw);
    int n = len / 4;
    auto is_phandle = phandle_cells(t, node, name, cells, n);
    std::string out = "<";
    for (int i = 0; i < n; ++i) {
        uint32_t v = fdt32_to_cpu(cells[i]);
        if (i) out += " ";
        if (is_phandle[i]) {
            int target = t.by_phandle(v);
            out += target < 0 ? "&{<dangling>}" : "&{" + t.path(target) + "}";
        } else {
            std::snprintf(buf, sizeof buf, "0x%x", v);
            out += buf;
        }
    }
    return out + ">";
}

std::set<std::string> property_names(const Tree& t, int node) {
    std::set<std::string> out;
    int prop;
    fdt_for_each_property_offset(prop, t.fdt(), node) {
        const char* name;
        if (fdt_getprop_by_offset(t.fdt(), prop, &name, nullptr) && std::strcmp(name, "phandle") &&
            std::strcmp(name, "linux,phandle"))
            out.insert(name);
    }
    return out;
}

std::vector<std::string> node_paths(const Tree& t) {
    std::vector<std::string> out;
    char buf[512];
    for (int node = 0; node >= 0; node = fdt_next_node(t.fdt(), node, nullptr))
        if (fdt_get_path(t.fdt(), node, buf, sizeof buf) == 0) out.push_back(buf);
    return out;
}

bool under(const std::string& path, const std::string& root) {
    return path == root || (path.rfind(root + "/", 0) == 0);
}

} // namespace

int main(int argc, char** argv) {
    if (argc != 5) {
        std::fprintf(stderr, "usage: dt_compare OURS.dtb REFERENCE.dtb SPEC HARTS\n");
        return 2;
    }
    Tree ours{load(argv[1]), {}}, ref{load(argv[2]), {}};
    std::string spec_file = argv[3];
    Spec spec = parse_spec(spec_file, std::atoi(argv[4]));
    std::set<std::string> mapped_ours, mapped_ref;
    for (const auto& n : spec.nodes) {
        if (!mapped_ours.insert(n.ours).second || !mapped_ref.insert(n.ref).second)
            spec_error(spec_file, n.line, "node listed twice");
        if (n.ours != n.ref) ref.to_ours[n.ref] = n.ours;
    }

    int equal = 0, expected = 0, ignored = 0, failures = 0;
    auto fail = [&](const std::string& what) {
        ++failures;
        std::printf("FAIL %s\n", what.c_str());
    };
    for (const auto& n : spec.nodes) {
        int a = ours.node(n.ours), b = ref.node(n.ref);
        if (a < 0 || b < 0) {
            fail(n.ours + (a < 0 ? ": no such node in nvsoc's tree" : "") +
                 (b < 0 ? ": no node " + n.ref + " in the reference's" : ""));
            continue;
        }
        if (n.ours != n.ref)
            std::printf("renamed %s = %s: %s\n", n.ours.c_str(), n.ref.c_str(), n.reason.c_str());
        std::set<std::string> seen;
        for (const auto& p : n.props) {
            std::string where = n.ours + " " + p.name;
            if (!seen.insert(p.name).second)
                spec_error(spec_file, p.line, p.name + " listed twice for " + n.ours);
            std::string va = render(ours, a, p.name, n.ours), vb = render(ref, b, p.name, n.ours);
            if (va == "(missing)" && vb == "(missing)") {
                fail(where + ": in neither tree (spec line " + std::to_string(p.line) + ")");
                continue;
            }
            if (p.kind == Kind::ignore) {
                ++ignored;
            } else if (p.kind == Kind::same) {
                if (va == vb) {
                    ++equal;
                } else {
                    fail(where + " differs\n  nvsoc " + va + "\n  qemu  " + vb);
                }
            } else if (va == p.ours && vb == p.ref) {
                ++expected;
                std::printf("expected %s: %s\n", where.c_str(), p.reason.c_str());
            } else if (va == vb) {
                fail(where + ": the expected difference is gone (spec line " +
                     std::to_string(p.line) + "), both are " + va);
            } else {
                fail(where + " differs otherwise than the spec says (line " +
                     std::to_string(p.line) + ")\n  nvsoc " + va + "\n  qemu  " + vb);
            }
        }
        std::set<std::string> all = property_names(ours, a);
        for (const auto& name : property_names(ref, b))
            all.insert(name);
        for (const auto& name : all)
            if (!seen.count(name))
                fail(n.ours + " " + name + ": not in the spec\n  nvsoc " +
                     render(ours, a, name, n.ours) + "\n  qemu  " + render(ref, b, name, n.ours));
    }

    for (const auto& o : spec.only) {
        const Tree& in = o.in_ref ? ref : ours;
        const Tree& other = o.in_ref ? ours : ref;
        const char* side = o.in_ref ? "the reference's" : "nvsoc's";
        if (in.node(o.path) < 0)
            fail(o.path + ": listed as only in " + side + " tree, but it is not there (spec line " +
                 std::to_string(o.line) + ")");
        else if (other.node(o.path) >= 0)
            fail(o.path + ": listed as only in " + side + " tree, but both have it (spec line " +
                 std::to_string(o.line) + ")");
        else
            std::printf("only in %s tree: %s: %s\n", side, o.path.c_str(), o.reason.c_str());
    }
    auto covered = [&](const std::string& path, bool in_ref) {
        if ((in_ref ? mapped_ref : mapped_ours).count(path)) return true;
        for (const auto& o : spec.only)
            if (o.in_ref == in_ref && under(path, o.path)) return true;
        return false;
    };
    for (const auto& path : node_paths(ours))
        if (!covered(path, false)) fail(path + ": a node of nvsoc's tree that the spec omits");
    for (const auto& path : node_paths(ref))
        if (!covered(path, true))
            fail(path + ": a node of the reference's tree that the spec omits");

    std::printf("%d properties: %d equal, %d differ as expected, %d ignored; %d failures\n",
                equal + expected + ignored, equal, expected, ignored, failures);
    return failures ? 1 : 0;
}
