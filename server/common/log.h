// Structured JSON logs, one object per line on stderr:
//   {"ts":"2026-11-22T06:00:00.000Z","level":"info","msg":"listening","http_port":8080}
#pragma once

#include <string_view>

#include "nlohmann/json.hpp"

namespace cadastre::log {

enum class Level { kDebug = 0, kInfo = 1, kWarn = 2, kError = 3 };

// Messages below `level` are dropped. Default kInfo.
void SetLevel(Level level);
// Parses "debug", "info", "warn", "error"; false when unknown.
bool ParseLevel(std::string_view text, Level* level);

// Writes one line; `fields` (an object) is merged into it. Thread-safe.
void Write(Level level, std::string_view msg, const nlohmann::json& fields = {});

inline void Info(std::string_view msg, const nlohmann::json& fields = {}) {
  Write(Level::kInfo, msg, fields);
}
inline void Warn(std::string_view msg, const nlohmann::json& fields = {}) {
  Write(Level::kWarn, msg, fields);
}
inline void Error(std::string_view msg, const nlohmann::json& fields = {}) {
  Write(Level::kError, msg, fields);
}
inline void Debug(std::string_view msg, const nlohmann::json& fields = {}) {
  Write(Level::kDebug, msg, fields);
}

}  // namespace cadastre::log
