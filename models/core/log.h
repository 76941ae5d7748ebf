// Per-model logging. Every model logs under its instance name; the level is
// chosen per instance or per model type from `nvsoc run --log NAME=LEVEL`.
// Guest-triggered warnings are rate-limited so a misbehaving guest cannot
// flood the console.
#pragma once

#include <cstdint>
#include <fmt/format.h>
#include <functional>
#include <map>
#include <string>

namespace nvsoc {

enum class LogLevel { Error = 0, Warn = 1, Info = 2, Debug = 3, Trace = 4 };

bool parse_log_level(const std::string& text, LogLevel& out);

// The table of levels. The platform owns one and hands it to its models; a
// model without a table uses the defaults (warnings and errors only).
class LogConfig {
  public:
    void set(const std::string& who, LogLevel level) { levels_[who] = level; }
    LogLevel level_for(const std::string& instance, const std::string& type) const;

  private:
    std::map<std::string, LogLevel> levels_;
};

class Logger {
  public:
    Logger(std::string instance, std::string type, const LogConfig* config = nullptr);

    bool enabled(LogLevel level) const { return level <= level_; }

    // Where the time stamp of each line comes from, in seconds of simulated
    // time. Unset, it is SystemC time; a hart sets its own local time, which
    // runs ahead of SystemC time within its quantum.
    void set_clock(std::function<double()> seconds) { clock_ = std::move(seconds); }

    template <typename... Args>
    void log(LogLevel level, fmt::format_string<Args...> f, Args&&... args) {
        if (enabled(level)) emit(level, fmt::format(f, std::forward<Args>(args)...));
    }
    template <typename... Args>
    void warn(fmt::format_string<Args...> f, Args&&... args) {
        log(LogLevel::Warn, f, std::forward<Args>(args)...);
    }
    template <typename... Args>
    void info(fmt::format_string<Args...> f, Args&&... args) {
        log(LogLevel::Info, f, std::forward<Args>(args)...);
    }
    template <typename... Args>
    void debug(fmt::format_string<Args...> f, Args&&... args) {
        log(LogLevel::Debug, f, std::forward<Args>(args)...);
    }

    // For guest misbehaviour: the first few occurrences are printed, then one
    // line says further ones are suppressed.
    template <typename... Args>
    void guest_error(fmt::format_string<Args...> f, Args&&... args) {
        ++guest_errors_;
        if (guest_errors_ > kGuestErrorBudget || !enabled(LogLevel::Warn)) return;
        emit(LogLevel::Warn, fmt::format(f, std::forward<Args>(args)...));
        if (guest_errors_ == kGuestErrorBudget)
            emit(LogLevel::Warn, "further guest errors from this device are not shown");
    }
    uint64_t guest_errors() const { return guest_errors_; }

    const std::string& instance() const { return instance_; }

  private:
    static constexpr uint64_t kGuestErrorBudget = 10;
    void emit(LogLevel level, const std::string& text);

    std::string instance_;
    LogLevel level_;
    std::function<double()> clock_;
    uint64_t guest_errors_ = 0;
};

} // namespace nvsoc
