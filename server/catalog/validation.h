// Input rules shared by the services. Each returns INVALID_ARGUMENT naming
// `field` (the request path, e.g. "fields[2].name") when the value breaks it.
#pragma once

#include <optional>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "server/store/store.h"

namespace cadastre::catalog {

inline constexpr size_t kMaxNameBytes = 1024;
inline constexpr size_t kMaxTagBytes = 256;
inline constexpr size_t kMaxTextBytes = 65536;  // descriptions, definitions
inline constexpr int kDefaultPageSize = 100;
inline constexpr int kMaxPageSize = 1000;

// Names of namespaces, datasets, fields, terms and principals: non-empty,
// at most kMaxNameBytes, valid UTF-8, no control characters, no leading or
// trailing white space.
absl::Status ValidateName(std::string_view field, std::string_view value);

// Classification names: dot-separated segments of [A-Za-z0-9_-].
absl::Status ValidateTagName(std::string_view field, std::string_view value);

// Free text (descriptions): at most kMaxTextBytes of valid UTF-8.
absl::Status ValidateText(std::string_view field, std::string_view value);

// An unset limit means kDefaultPageSize; a set one must be in
// 1..kMaxPageSize. offset >= 0.
absl::StatusOr<store::Page> ValidatePage(std::optional<int> limit, int offset);

// The limit of a List*Request: unset when the client did not give one.
template <typename Request>
std::optional<int> LimitOf(const Request& request) {
  return request.has_limit() ? std::optional<int>(request.limit()) : std::nullopt;
}

}  // namespace cadastre::catalog
