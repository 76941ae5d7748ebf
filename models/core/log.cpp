#include "models/core/log.h"

#include <cstdio>
#include <systemc>

namespace nvsoc {

bool parse_log_level(const std::string& text, LogLevel& out) {
    static const std::map<std::string, LogLevel> names = {
        {"error", LogLevel::Error}, {"warn", LogLevel::Warn},   {"warning", LogLevel::Warn},
        {"info", LogLevel::Info},   {"debug", LogLevel::Debug}, {"trace", LogLevel::Trace}};
    auto it = names.find(text);
    if (it == names.end()) return false;
    out = it->second;
    return true;
}

LogLevel LogConfig::level_for(const std::string& instance, const std::string& type) const {
    if (auto it = levels_.find(instance); it != levels_.end()) return it->second;
    if (auto it = levels_.find(type); it != levels_.end()) return it->second;
    if (auto it = levels_.find("all"); it != levels_.end()) return it->second;
    return LogLevel::Warn;
}

Logger::Logger(std::string instance, std::string type, const LogConfig* config)
    : instance_(std::move(instance)),
      level_(config ? config->level_for(instance_, type) : LogLevel::Warn) {}

void Logger::emit(LogLevel level, const std::string& text) {
    static const char* const names[] = {"error", "warning", "info", "debug", "trace"};
    // Simulated time, never wall time: logs of two runs must compare equal.
    double us = (clock_ ? clock_() : sc_core::sc_time_stamp().to_seconds()) * 1e6;
    std::fprintf(stderr, "[%14.6f us] %s: %s: %s\n", us, instance_.c_str(),
                 names[static_cast<int>(level)], text.c_str());
}

} // namespace nvsoc
