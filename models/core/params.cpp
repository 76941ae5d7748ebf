#include "models/core/params.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fmt/format.h>

namespace nvsoc {

const char* param_type_name(ParamType type) {
    switch (type) {
    case ParamType::Integer:
        return "integer";
    case ParamType::Size:
        return "size";
    case ParamType::Frequency:
        return "frequency";
    case ParamType::Bandwidth:
        return "bandwidth";
    case ParamType::Time:
        return "time";
    case ParamType::Bool:
        return "bool";
    case ParamType::String:
        return "string";
    case ParamType::Enum:
        return "enum";
    case ParamType::Path:
        return "path";
    case ParamType::Ranges:
        return "ranges";
    }
    return "?";
}

bool Ranges::contains(uint64_t v, const char* label) const {
    for (const Range& r : items)
        if ((!label || r.label == label) && v >= r.lo && v <= r.hi) return true;
    return false;
}

uint64_t Ranges::count() const {
    uint64_t n = 0;
    for (const Range& r : items)
        n += r.hi - r.lo + 1;
    return n;
}

namespace {
std::string trimmed(const std::string& s) {
    size_t a = s.find_first_not_of(" \t"), b = s.find_last_not_of(" \t");
    return a == std::string::npos ? std::string() : s.substr(a, b - a + 1);
}
} // namespace

bool parse_ranges(const std::string& text, const std::vector<std::string>& labels, uint64_t min,
                  uint64_t max, Ranges& out, std::string& why) {
    out.items.clear();
    size_t pos = 0;
    while (pos <= text.size()) {
        size_t comma = text.find(',', pos);
        std::string item =
            trimmed(text.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos));
        pos = comma == std::string::npos ? text.size() + 1 : comma + 1;
        if (item.empty()) {
            if (comma == std::string::npos && out.items.empty() && trimmed(text).empty())
                return true; // no items at all
            why = "an empty item";
            return false;
        }
        Range r;
        std::string span = item;
        if (size_t colon = item.find(':'); colon != std::string::npos) {
            r.label = trimmed(item.substr(0, colon));
            span = trimmed(item.substr(colon + 1));
            if (std::find(labels.begin(), labels.end(), r.label) == labels.end()) {
                why = labels.empty()
                          ? fmt::format("'{}' carries a label, which this list does not take", item)
                          : fmt::format("'{}' has the label '{}', which is none of {}", item,
                                        r.label, fmt::format("{}", fmt::join(labels, ", ")));
                return false;
            }
        }
        size_t dash = span.find('-');
        bool ok = dash == std::string::npos
                      ? parse_integer(span, r.lo)
                      : parse_integer(trimmed(span.substr(0, dash)), r.lo) &&
                            parse_integer(trimmed(span.substr(dash + 1)), r.hi);
        if (dash == std::string::npos) r.hi = r.lo;
        if (!ok) {
            why = fmt::format("'{}' is not a number or a range such as 8-15", item);
            return false;
        }
        if (r.hi < r.lo) {
            why = fmt::format("'{}' runs backwards: write the lower end first", item);
            return false;
        }
        if (r.lo < min || r.hi > max) {
            why = r.lo < min ? fmt::format("'{}' starts below {}", item, min)
                             : fmt::format("'{}' goes above {}", item, max);
            return false;
        }
        out.items.push_back(r);
    }
    return true;
}

static std::string strip_underscores(const std::string& text) {
    std::string s;
    for (char c : text)
        if (c != '_') s += c;
    return s;
}

bool parse_integer(const std::string& text, uint64_t& out) {
    std::string s = strip_underscores(text);
    if (s.empty()) return false;
    int base = 10;
    size_t pos = 0;
    if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
        base = 16, pos = 2;
    else if (s.size() > 2 && s[0] == '0' && (s[1] == 'b' || s[1] == 'B'))
        base = 2, pos = 2;
    uint64_t value = 0;
    for (; pos < s.size(); ++pos) {
        char c = static_cast<char>(std::tolower(static_cast<unsigned char>(s[pos])));
        int digit;
        if (c >= '0' && c <= '9')
            digit = c - '0';
        else if (c >= 'a' && c <= 'f')
            digit = c - 'a' + 10;
        else
            return false;
        if (digit >= base) return false;
        if (value > (UINT64_MAX - digit) / base) return false; // overflow
        value = value * base + digit;
    }
    out = value;
    return true;
}

// Splits "3.6864MHz" into a decimal number and a unit, exactly: the mantissa
// is kept as integer digits plus a count of fractional digits so that no
// floating-point rounding reaches a register.
struct Quantity {
    uint64_t digits = 0;
    unsigned fraction_digits = 0;
    std::string unit;
};

static bool split_quantity(const std::string& text, Quantity& q) {
    std::string s = strip_underscores(text);
    size_t i = 0;
    bool seen_digit = false, seen_point = false;
    for (; i < s.size(); ++i) {
        char c = s[i];
        if (c >= '0' && c <= '9') {
            if (q.digits > (UINT64_MAX - 9) / 10) return false;
            q.digits = q.digits * 10 + (c - '0');
            if (seen_point) ++q.fraction_digits;
            seen_digit = true;
        } else if (c == '.' && !seen_point) {
            seen_point = true;
        } else {
            break;
        }
    }
    if (!seen_digit) return false;
    while (i < s.size() && s[i] == ' ')
        ++i;
    q.unit = s.substr(i);
    return true;
}

// digits / 10^fraction_digits * multiplier, refusing fractions that do not
// come out whole.
static bool scale(const Quantity& q, uint64_t multiplier, uint64_t& out) {
    unsigned __int128 v = static_cast<unsigned __int128>(q.digits) * multiplier;
    unsigned __int128 div = 1;
    for (unsigned k = 0; k < q.fraction_digits; ++k)
        div *= 10;
    if (v % div != 0) return false;
    v /= div;
    if (v > UINT64_MAX) return false;
    out = static_cast<uint64_t>(v);
    return true;
}

bool parse_size(const std::string& text, uint64_t& out) {
    if (parse_integer(text, out)) return true;
    Quantity q;
    if (!split_quantity(text, q)) return false;
    static const std::map<std::string, uint64_t> units = {{"B", 1},
                                                          {"K", 1ull << 10},
                                                          {"KiB", 1ull << 10},
                                                          {"M", 1ull << 20},
                                                          {"MiB", 1ull << 20},
                                                          {"G", 1ull << 30},
                                                          {"GiB", 1ull << 30},
                                                          {"T", 1ull << 40},
                                                          {"TiB", 1ull << 40}};
    auto it = units.find(q.unit);
    return it != units.end() && scale(q, it->second, out);
}

bool parse_frequency(const std::string& text, uint64_t& out) {
    if (parse_integer(text, out)) return true;
    Quantity q;
    if (!split_quantity(text, q)) return false;
    static const std::map<std::string, uint64_t> units = {
        {"Hz", 1}, {"kHz", 1000}, {"KHz", 1000}, {"MHz", 1000000}, {"GHz", 1000000000}};
    auto it = units.find(q.unit);
    return it != units.end() && scale(q, it->second, out);
}

bool parse_bandwidth(const std::string& text, uint64_t& out) {
    if (parse_integer(text, out)) return true;
    Quantity q;
    if (!split_quantity(text, q)) return false;
    // Decimal only: a binary GiB/s or a bit rate (Gb/s) would be off by 7 %
    // or 8x if taken for GB/s, so they are refused rather than guessed.
    static const std::map<std::string, uint64_t> units = {
        {"B/s", 1},        {"kB/s", 1000},       {"KB/s", 1000},
        {"MB/s", 1000000}, {"GB/s", 1000000000}, {"TB/s", 1000000000000}};
    auto it = units.find(q.unit);
    return it != units.end() && scale(q, it->second, out);
}

bool parse_time_ps(const std::string& text, uint64_t& out) {
    Quantity q;
    if (!split_quantity(text, q)) return false;
    static const std::map<std::string, uint64_t> units = {
        {"ps", 1}, {"ns", 1000}, {"us", 1000000}, {"ms", 1000000000}, {"s", 1000000000000}};
    auto it = units.find(q.unit);
    return it != units.end() && scale(q, it->second, out);
}

bool parse_bool(const std::string& text, bool& out) {
    if (text == "true" || text == "yes" || text == "on") return out = true, true;
    if (text == "false" || text == "no" || text == "off") return out = false, true;
    return false;
}

std::string format_size(uint64_t bytes) {
    static const char* const units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    int u = 0;
    while (u < 4 && bytes >= 1024 && bytes % 1024 == 0)
        bytes /= 1024, ++u;
    return fmt::format("{} {}", bytes, units[u]);
}

bool Params::has(const std::string& name) const {
    auto it = values_.find(name);
    return it != values_.end() && it->second.is_set;
}

const ParamValue& Params::value(const std::string& name) const {
    auto it = values_.find(name);
    if (it == values_.end())
        throw std::logic_error("model asked for undeclared parameter '" + name + "'");
    return it->second;
}

uint64_t Params::u64(const std::string& name) const {
    return value(name).number;
}
bool Params::flag(const std::string& name) const {
    return value(name).flag;
}
const std::string& Params::str(const std::string& name) const {
    return value(name).text;
}
const Location& Params::where(const std::string& name) const {
    return value(name).where;
}

static std::string join(const std::vector<std::string>& items, const char* sep) {
    std::string s;
    for (size_t i = 0; i < items.size(); ++i)
        s += (i ? sep : "") + items[i];
    return s;
}

ParamValue convert_param(const ParamSpec& spec, const std::string& text, const Location& where,
                         const std::string& base_dir) {
    ParamValue v;
    v.type = spec.type;
    v.text = text;
    v.where = where;
    v.is_set = true;
    auto bad = [&](const std::string& expected) {
        return InputError(where, fmt::format("'{}' is not a valid value for '{}': expected {}",
                                             text, spec.name, expected));
    };
    switch (spec.type) {
    case ParamType::Integer:
        if (!parse_integer(text, v.number)) throw bad("an integer such as 42 or 0x2a");
        break;
    case ParamType::Size:
        if (!parse_size(text, v.number)) throw bad("a size such as 4096, 0x1000, 64KiB or 1GiB");
        break;
    case ParamType::Frequency:
        if (!parse_frequency(text, v.number) || v.number == 0)
            throw bad("a non-zero frequency such as 10MHz or 1GHz");
        break;
    case ParamType::Bandwidth:
        if (!parse_bandwidth(text, v.number) || v.number == 0)
            throw bad("a non-zero rate in bytes per second such as 500MB/s, 128GB/s or 1.5TB/s");
        break;
    case ParamType::Time:
        if (!parse_time_ps(text, v.number)) throw bad("a time such as 1us, 10ns or 2ms");
        break;
    case ParamType::Bool:
        if (!parse_bool(text, v.flag)) throw bad("true or false");
        v.number = v.flag;
        break;
    case ParamType::String:
        break;
    case ParamType::Enum: {
        auto it = std::find(spec.choices.begin(), spec.choices.end(), text);
        if (it == spec.choices.end())
            throw InputError(where, fmt::format("'{}' is not a valid value for '{}': expected one "
                                                "of {}{}",
                                                text, spec.name, join(spec.choices, ", "),
                                                did_you_mean_note(text, spec.choices)));
        v.number = static_cast<uint64_t>(it - spec.choices.begin());
        break;
    }
    case ParamType::Ranges: {
        std::string why;
        if (!parse_ranges(text, spec.choices, spec.min, spec.max, v.ranges, why))
            throw InputError(
                where, fmt::format("'{}' is not a valid value for '{}': {}", text, spec.name, why));
        break;
    }
    case ParamType::Path: {
        std::filesystem::path p(text);
        if (p.is_relative() && !base_dir.empty()) p = std::filesystem::path(base_dir) / p;
        v.text = p.lexically_normal().string();
        std::error_code ec;
        if (!std::filesystem::is_regular_file(p, ec))
            throw InputError(where, fmt::format("'{}': no such file (for '{}'; relative paths are "
                                                "relative to the config file)",
                                                text, spec.name));
        break;
    }
    }
    bool numeric = spec.type == ParamType::Integer || spec.type == ParamType::Size ||
                   spec.type == ParamType::Frequency || spec.type == ParamType::Bandwidth;
    if (numeric && (v.number < spec.min || v.number > spec.max))
        throw InputError(where, fmt::format("'{}' for '{}' is out of range: it must be between {} "
                                            "and {}",
                                            text, spec.name, spec.min, spec.max));
    return v;
}

void apply_defaults(const std::vector<ParamSpec>& specs, Params& out, const Location& owner,
                    const std::string& owner_name) {
    for (const auto& spec : specs) {
        if (out.has(spec.name)) continue;
        if (spec.required)
            throw InputError(owner, fmt::format("'{}' needs a value for '{}' ({})", owner_name,
                                                spec.name, spec.doc));
        if (spec.default_value.empty()) {
            ParamValue unset;
            unset.type = spec.type;
            unset.where = owner;
            out.put(spec.name, unset);
        } else {
            out.put(spec.name, convert_param(spec, spec.default_value, owner, ""));
        }
    }
}

} // namespace nvsoc
