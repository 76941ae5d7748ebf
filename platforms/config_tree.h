// The YAML of a platform as a tree whose every node remembers where it was
// written (file, line, column), so that any later check can point the user at
// the exact place to edit. Handles `extends:` composition and `--set`
// overrides before any schema check runs.
#pragma once

#include "models/core/error.h"

#include <string>
#include <utility>
#include <vector>

namespace nvsoc {

struct ConfigNode {
    enum class Kind { Null, Scalar, Sequence, Map };

    Kind kind = Kind::Null;
    std::string scalar;
    std::vector<ConfigNode> items;                           // Sequence
    std::vector<std::pair<std::string, ConfigNode>> entries; // Map, in written order
    std::vector<Location> key_where;                         // Map: where each key was written
    Location where;

    bool is_map() const { return kind == Kind::Map; }
    bool is_scalar() const { return kind == Kind::Scalar; }
    const ConfigNode* get(const std::string& key) const;
    const Location& key_location(const std::string& key) const;
    // Sets (replacing in place, or appending) a map entry.
    ConfigNode& put(const std::string& key, ConfigNode value, const Location& key_at);
    void erase(const std::string& key);
    std::vector<std::string> keys() const;
};

const char* kind_name(ConfigNode::Kind kind);

// Loads `path` and everything it extends (paths relative to the file that
// names them), merged so that the extending file wins. Maps merge key by
// key; a key set to null (~) in the extending file removes it.
ConfigNode load_config(const std::string& path);

// Applies one `--set path.to.key=value` override (value in YAML syntax).
// `ordinal` is the option's position, used as the line of its location.
void apply_override(ConfigNode& root, const std::string& assignment, int ordinal);

// Parses YAML text (for tests and --set values). `file` names it in errors.
ConfigNode parse_config_text(const std::string& text, const std::string& file);

} // namespace nvsoc
