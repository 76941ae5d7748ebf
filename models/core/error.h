// Errors that stop a simulation before it starts: bad configs, images and
// options. Each carries the place the user has to edit.
#pragma once

#include <stdexcept>
#include <string>
#include <vector>

namespace nvsoc {

// A place in an input: a config file position, or a file with no line
// (images), or the command line (line = the option's ordinal).
struct Location {
    std::string file;
    int line = 0; // 1-based; 0 means "the whole file"
    int col = 0;  // 1-based; 0 means "the whole line"

    std::string str() const;
};

// Bad input of any kind. `nvsoc` prints it as one line
// "FILE:LINE:COL: error: MESSAGE" and exits with status 2.
class InputError : public std::runtime_error {
  public:
    InputError(Location loc, const std::string& message);
    const Location& where() const { return loc_; }
    const std::string& message() const { return message_; }
    std::string line() const; // the whole formatted error line

  private:
    Location loc_;
    std::string message_;
};

// Closest candidate to `word` by edit distance, or "" when nothing is close
// enough to be a plausible typo.
std::string did_you_mean(const std::string& word, const std::vector<std::string>& candidates);

// The same as the tail of an error message: " (did you mean 'x'?)" when a
// candidate is close, else `otherwise` (e.g. "; known keys: a, b").
std::string did_you_mean_note(const std::string& word, const std::vector<std::string>& candidates,
                              const std::string& otherwise = "");

} // namespace nvsoc
