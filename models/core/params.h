// Parameters as declarations: each model lists its parameters once (name,
// type, default, one-line doc). That table drives YAML validation,
// `nvsoc models`, and docs/configuration.md.
#pragma once

#include "models/core/error.h"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace nvsoc {

enum class ParamType {
    Integer,   // 42, 0x2a, 0b101010, 1_000
    Size,      // bytes: 4096, 4KiB, 1GiB (binary suffixes)
    Frequency, // Hz: 10MHz, 3.6864MHz, 1GHz, 1000
    Bandwidth, // bytes per second, decimal units: 500MB/s, 128GB/s, 1.5TB/s, 1000
    Time,      // 1us, 10ns, 0.5ms (stored in picoseconds)
    Bool,      // true/false, yes/no, on/off
    String,
    Enum, // one of `choices`
    Path, // a file that must exist; relative paths are relative to the config file
    // Numbers and ranges: "8-15", "3,5,9-11"; each item may carry one of
    // `choices` as a label ("up:5-8,down:3"). Values lie in min..max.
    Ranges,
};

const char* param_type_name(ParamType type);

struct ParamSpec {
    std::string name;
    ParamType type;
    std::string default_value; // in YAML text; empty with required=false means "unset"
    std::string doc;
    bool required = false;
    std::vector<std::string> choices; // for Enum; for Ranges, the labels items may carry
    uint64_t min = 0;                 // for Integer/Size/Frequency/Bandwidth/Ranges
    uint64_t max = UINT64_MAX;
};

// Text-to-value conversions shared by the config loader and the CLI. Each
// returns false (with a reason) on bad text.
bool parse_integer(const std::string& text, uint64_t& out);
bool parse_size(const std::string& text, uint64_t& out);
bool parse_frequency(const std::string& text, uint64_t& out);
// Bytes per second with decimal units (B/s, kB/s, MB/s, GB/s, TB/s: 1 GB/s
// is 10^9 bytes/s, as link and memory rates are quoted), or a plain number.
bool parse_bandwidth(const std::string& text, uint64_t& out);
bool parse_time_ps(const std::string& text, uint64_t& out);
bool parse_bool(const std::string& text, bool& out);

// One item of a Ranges value: lo..hi (equal for a single number), and the
// label it was written after ("up" in "up:5-8"; empty for none).
struct Range {
    std::string label;
    uint64_t lo = 0, hi = 0;
};
struct Ranges {
    std::vector<Range> items;
    bool empty() const { return items.empty(); }
    // Whether `v` lies in an item (with `label`, or any label when null).
    bool contains(uint64_t v, const char* label = nullptr) const;
    // How many values the items name, counting repeats.
    uint64_t count() const;
};
// Parses ranges text; on failure returns false with `why` saying what is
// wrong with which item. Values must lie in [min, max]; labels, when
// `labels` is not empty, must be one of them.
bool parse_ranges(const std::string& text, const std::vector<std::string>& labels, uint64_t min,
                  uint64_t max, Ranges& out, std::string& why);

// Values formatted for humans and docs ("1 GiB", "10 MHz", "1 us").
std::string format_size(uint64_t bytes);

// One parsed value with the place it came from, so that a model can point at
// the line when it refuses a value at elaboration.
struct ParamValue {
    ParamType type = ParamType::String;
    std::string text;    // as written (or the default)
    uint64_t number = 0; // numbers; for Enum, the index of the choice
    Ranges ranges;       // for Ranges
    bool flag = false;
    bool is_set = false; // false: no value and no default
    Location where;
};

// The parameters of one model instance, checked against its table.
class Params {
  public:
    void put(const std::string& name, ParamValue value) { values_[name] = std::move(value); }
    bool has(const std::string& name) const;
    uint64_t u64(const std::string& name) const;
    bool flag(const std::string& name) const;
    const std::string& str(const std::string& name) const;
    uint64_t time_ps(const std::string& name) const { return u64(name); }
    // An Enum's value as the index of its choice in the spec's `choices`.
    unsigned choice(const std::string& name) const { return static_cast<unsigned>(u64(name)); }
    const Ranges& ranges(const std::string& name) const { return value(name).ranges; }
    const Location& where(const std::string& name) const;
    const ParamValue& value(const std::string& name) const;

  private:
    std::map<std::string, ParamValue> values_;
};

// Checks one text value against its spec and converts it. Throws InputError
// at `where` with a message that says what would be accepted.
ParamValue convert_param(const ParamSpec& spec, const std::string& text, const Location& where,
                         const std::string& base_dir);

// Fills `out` with the defaults of every spec not yet present; throws for a
// missing required one (pointing at `owner`, the place that declares the
// instance).
void apply_defaults(const std::vector<ParamSpec>& specs, Params& out, const Location& owner,
                    const std::string& owner_name);

} // namespace nvsoc
