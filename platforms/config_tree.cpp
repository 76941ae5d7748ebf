#include "platforms/config_tree.h"

#include <filesystem>
#include <fmt/format.h>
#include <fstream>
#include <set>
#include <sstream>
#include <yaml-cpp/yaml.h>

namespace nvsoc {

const char* kind_name(ConfigNode::Kind kind) {
    switch (kind) {
    case ConfigNode::Kind::Null:
        return "nothing";
    case ConfigNode::Kind::Scalar:
        return "a single value";
    case ConfigNode::Kind::Sequence:
        return "a list";
    case ConfigNode::Kind::Map:
        return "a map of keys";
    }
    return "?";
}

const ConfigNode* ConfigNode::get(const std::string& key) const {
    for (const auto& [k, v] : entries)
        if (k == key) return &v;
    return nullptr;
}

const Location& ConfigNode::key_location(const std::string& key) const {
    for (size_t i = 0; i < entries.size(); ++i)
        if (entries[i].first == key) return key_where[i];
    return where;
}

ConfigNode& ConfigNode::put(const std::string& key, ConfigNode value, const Location& key_at) {
    kind = Kind::Map;
    for (size_t i = 0; i < entries.size(); ++i)
        if (entries[i].first == key) {
            entries[i].second = std::move(value);
            key_where[i] = key_at;
            return entries[i].second;
        }
    entries.emplace_back(key, std::move(value));
    key_where.push_back(key_at);
    return entries.back().second;
}

void ConfigNode::erase(const std::string& key) {
    for (size_t i = 0; i < entries.size(); ++i)
        if (entries[i].first == key) {
            entries.erase(entries.begin() + static_cast<long>(i));
            key_where.erase(key_where.begin() + static_cast<long>(i));
            return;
        }
}

std::vector<std::string> ConfigNode::keys() const {
    std::vector<std::string> out;
    for (const auto& e : entries)
        out.push_back(e.first);
    return out;
}

namespace {

Location at(const YAML::Mark& m, const std::string& file, int line_offset = 0, int col_offset = 0) {
    if (m.is_null()) return Location{file, 0, 0};
    return Location{file, m.line + 1 + line_offset, m.column + 1 + col_offset};
}

ConfigNode convert(const YAML::Node& n, const std::string& file, int line_offset, int col_offset) {
    ConfigNode out;
    out.where = at(n.Mark(), file, line_offset, col_offset);
    switch (n.Type()) {
    case YAML::NodeType::Undefined:
    case YAML::NodeType::Null:
        out.kind = ConfigNode::Kind::Null;
        break;
    case YAML::NodeType::Scalar:
        out.kind = ConfigNode::Kind::Scalar;
        out.scalar = n.Scalar();
        break;
    case YAML::NodeType::Sequence:
        out.kind = ConfigNode::Kind::Sequence;
        for (const auto& item : n)
            out.items.push_back(convert(item, file, line_offset, col_offset));
        break;
    case YAML::NodeType::Map:
        out.kind = ConfigNode::Kind::Map;
        for (const auto& kv : n) {
            Location key_at = at(kv.first.Mark(), file, line_offset, col_offset);
            if (!kv.first.IsScalar()) throw InputError(key_at, "map keys must be plain names");
            std::string key = kv.first.Scalar();
            if (out.get(key))
                throw InputError(key_at, fmt::format("'{}' is given twice in the same map (first "
                                                     "at line {}): remove one",
                                                     key, out.key_location(key).line));
            ConfigNode value = convert(kv.second, file, line_offset, col_offset);
            // A null value has no mark of its own: point at its key.
            if (value.where.line == 0) value.where = key_at;
            out.entries.emplace_back(key, std::move(value));
            out.key_where.push_back(key_at);
        }
        break;
    }
    return out;
}

ConfigNode parse(const std::string& text, const std::string& file, int line_offset,
                 int col_offset) {
    try {
        YAML::Node doc = YAML::Load(text);
        return convert(doc, file, line_offset, col_offset);
    } catch (const YAML::Exception& e) {
        throw InputError(at(e.mark, file, line_offset, col_offset),
                         "invalid YAML: " + e.msg + " (check indentation and quoting)");
    }
}

// Extending wins; null removes.
void merge_into(ConfigNode& base, const ConfigNode& over) {
    if (!(base.is_map() && over.is_map())) {
        base = over;
        return;
    }
    for (size_t i = 0; i < over.entries.size(); ++i) {
        const auto& [key, value] = over.entries[i];
        if (value.kind == ConfigNode::Kind::Null) {
            base.erase(key);
            continue;
        }
        const ConfigNode* existing = base.get(key);
        if (existing && existing->is_map() && value.is_map()) {
            ConfigNode merged = *existing;
            merge_into(merged, value);
            merged.where = value.where;
            base.put(key, std::move(merged), over.key_where[i]);
        } else {
            base.put(key, value, over.key_where[i]);
        }
    }
    base.where = over.where;
}

ConfigNode load_recursive(const std::string& path, const Location& named_at,
                          std::set<std::string>& chain) {
    namespace fs = std::filesystem;
    std::error_code ec;
    if (!fs::is_regular_file(path, ec))
        throw InputError(named_at, fmt::format("cannot open config '{}': no such file", path));
    std::string canonical = fs::weakly_canonical(path, ec).string();
    if (chain.count(canonical))
        throw InputError(named_at, fmt::format("'{}' extends itself (directly or through other "
                                               "files): remove the cycle",
                                               path));
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    ConfigNode node = parse(text.str(), path, 0, 0);
    if (node.kind == ConfigNode::Kind::Null) {
        node.kind = ConfigNode::Kind::Map;
        node.where = Location{path, 1, 1};
    }
    if (!node.is_map())
        throw InputError(node.where, "a platform config must be a map of keys (harts:, memory:, "
                                     "devices:, ...), not " +
                                         std::string(kind_name(node.kind)));
    const ConfigNode* ext = node.get("extends");
    if (!ext) return node;
    if (!ext->is_scalar())
        throw InputError(ext->where, "'extends' takes one file name, e.g. extends: default.yaml");
    fs::path parent = fs::path(ext->scalar);
    if (parent.is_relative()) parent = fs::path(path).parent_path() / parent;
    chain.insert(canonical);
    ConfigNode base = load_recursive(parent.lexically_normal().string(), ext->where, chain);
    chain.erase(canonical);
    node.erase("extends");
    merge_into(base, node);
    return base;
}

} // namespace

ConfigNode parse_config_text(const std::string& text, const std::string& file) {
    return parse(text, file, 0, 0);
}

ConfigNode load_config(const std::string& path) {
    std::set<std::string> chain;
    return load_recursive(path, Location{path, 0, 0}, chain);
}

void apply_override(ConfigNode& root, const std::string& assignment, int ordinal) {
    const std::string file = "<command-line>";
    auto eq = assignment.find('=');
    if (eq == std::string::npos || eq == 0)
        throw InputError(Location{file, ordinal, 1},
                         fmt::format("--set '{}' is not KEY=VALUE: write e.g. --set "
                                     "harts.count=2",
                                     assignment));
    std::string path = assignment.substr(0, eq);
    std::vector<std::string> parts;
    std::vector<int> cols;
    size_t start = 0;
    while (true) {
        size_t dot = path.find('.', start);
        std::string part = path.substr(start, dot - start);
        if (part.empty())
            throw InputError(Location{file, ordinal, static_cast<int>(start) + 1},
                             fmt::format("--set '{}' has an empty key between dots", assignment));
        parts.push_back(part);
        cols.push_back(static_cast<int>(start) + 1);
        if (dot == std::string::npos) break;
        start = dot + 1;
    }
    // The value is YAML, so maps and lists can be given inline.
    ConfigNode value =
        parse(assignment.substr(eq + 1), file, ordinal - 1, static_cast<int>(eq) + 1);
    if (value.where.line == 0) value.where = Location{file, ordinal, static_cast<int>(eq) + 2};
    ConfigNode* node = &root;
    for (size_t i = 0; i < parts.size(); ++i) {
        Location key_at{file, ordinal, cols[i]};
        if (i + 1 == parts.size()) {
            if (value.kind == ConfigNode::Kind::Null)
                node->erase(parts[i]);
            else
                node->put(parts[i], value, key_at);
            break;
        }
        const ConfigNode* next = node->get(parts[i]);
        if (next && !next->is_map())
            throw InputError(key_at, fmt::format("--set: '{}' is {}, not a map: it has no key "
                                                 "'{}'",
                                                 parts[i], kind_name(next->kind), parts[i + 1]));
        if (!next) {
            ConfigNode fresh;
            fresh.kind = ConfigNode::Kind::Map;
            fresh.where = key_at;
            node = &node->put(parts[i], fresh, key_at);
        } else {
            node = const_cast<ConfigNode*>(next);
        }
    }
}

} // namespace nvsoc
