#include "server/common/status.h"
#include "server/common/strings.h"

#include "absl/strings/cord.h"
#include "absl/strings/str_cat.h"

namespace cadastre {
namespace {
constexpr absl::string_view kFieldPayload = "cadastre.dev/field";
}  // namespace

absl::Status WithField(absl::Status status, std::string_view field) {
  if (!status.ok() && !field.empty()) {
    status.SetPayload(kFieldPayload, absl::Cord(Absl(field)));
  }
  return status;
}

std::optional<std::string> FieldOf(const absl::Status& status) {
  absl::optional<absl::Cord> payload = status.GetPayload(kFieldPayload);
  if (!payload) return std::nullopt;
  return std::string(*payload);
}

absl::Status InvalidField(std::string_view field, std::string_view message) {
  return WithField(absl::InvalidArgumentError(absl::StrCat(Absl(field), ": ", Absl(message))),
                   field);
}

absl::Status NotFoundError(std::string_view what) {
  return absl::NotFoundError(absl::StrCat(Absl(what), " not found"));
}

}  // namespace cadastre
