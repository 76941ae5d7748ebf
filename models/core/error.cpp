#include "models/core/error.h"

#include <algorithm>
#include <fmt/format.h>

namespace nvsoc {

std::string Location::str() const {
    if (line <= 0) return file;
    if (col <= 0) return fmt::format("{}:{}", file, line);
    return fmt::format("{}:{}:{}", file, line, col);
}

InputError::InputError(Location loc, const std::string& message)
    : std::runtime_error(loc.str() + ": error: " + message), loc_(std::move(loc)),
      message_(message) {}

std::string InputError::line() const {
    return what();
}

static size_t edit_distance(const std::string& a, const std::string& b) {
    std::vector<size_t> prev(b.size() + 1), cur(b.size() + 1);
    for (size_t j = 0; j <= b.size(); ++j)
        prev[j] = j;
    for (size_t i = 1; i <= a.size(); ++i) {
        cur[0] = i;
        for (size_t j = 1; j <= b.size(); ++j) {
            size_t subst = prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
            cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, subst});
        }
        std::swap(prev, cur);
    }
    return prev[b.size()];
}

std::string did_you_mean(const std::string& word, const std::vector<std::string>& candidates) {
    std::string best;
    size_t best_distance = SIZE_MAX;
    for (const auto& c : candidates) {
        size_t d = edit_distance(word, c);
        if (d < best_distance) {
            best_distance = d;
            best = c;
        }
    }
    // Allow roughly one typo per three characters.
    size_t limit = std::max<size_t>(2, word.size() / 3);
    return best_distance <= limit ? best : std::string();
}

std::string did_you_mean_note(const std::string& word, const std::vector<std::string>& candidates,
                              const std::string& otherwise) {
    std::string hint = did_you_mean(word, candidates);
    return hint.empty() ? otherwise : " (did you mean '" + hint + "'?)";
}

} // namespace nvsoc
