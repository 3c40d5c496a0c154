// Errors are values: absl::Status everywhere, never exceptions across layers.
// A status may name the request field it is about; the transports show it
// (REST: {"error": {"field": …}}, gRPC: the "cadastre-field" trailer).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace cadastre {

// Attaches the name of the offending request field to `status`.
absl::Status WithField(absl::Status status, std::string_view field);

// The field attached by WithField, if any.
std::optional<std::string> FieldOf(const absl::Status& status);

// Shorthands for the errors services return most.
absl::Status InvalidField(std::string_view field, std::string_view message);
absl::Status NotFoundError(std::string_view what);

}  // namespace cadastre

#define CADASTRE_CONCAT_INNER(a, b) a##b
#define CADASTRE_CONCAT(a, b) CADASTRE_CONCAT_INNER(a, b)

// Returns from the enclosing function when `expr` is not OK. (Nests: the
// expression may hold a lambda that uses it again.)
#define RETURN_IF_ERROR(expr) RETURN_IF_ERROR_IMPL(CADASTRE_CONCAT(_cadastre_status_, __COUNTER__), expr)
#define RETURN_IF_ERROR_IMPL(tmp, expr) \
  do {                                  \
    ::absl::Status tmp = (expr);        \
    if (!tmp.ok()) return tmp;          \
  } while (0)

// Declares `lhs` from a StatusOr, returning the error when there is one.
#define ASSIGN_OR_RETURN(lhs, expr)                                     \
  ASSIGN_OR_RETURN_IMPL(CADASTRE_CONCAT(_cadastre_or_, __COUNTER__), lhs, expr)
#define ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                          \
  if (!tmp.ok()) return tmp.status();         \
  lhs = std::move(*tmp)
