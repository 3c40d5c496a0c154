// Status helpers shared by the SDK's sources (not part of its public API).
#pragma once

#include <string>

#include "absl/status/status.h"

namespace cadastre::sdk::internal {

// The payload key FieldOf() reads (client.cc).
inline constexpr char kFieldPayload[] = "type.cadastre.dev/field";

// INVALID_ARGUMENT "field: message", naming `field` as the one at fault.
absl::Status InvalidField(const std::string& field, const std::string& message);

}  // namespace cadastre::sdk::internal

#define CADASTRE_SDK_RETURN_IF_ERROR(expr)         \
  do {                                             \
    if (absl::Status _status = (expr); !_status.ok()) return _status; \
  } while (false)
