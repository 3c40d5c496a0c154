#include "server/policy/authorizer.h"

#include <algorithm>

namespace cadastre::policy {

absl::Status Authorizer::Check(const Caller& caller, Permission permission,
                               const Resource& resource) const {
  const auto& roles = caller.roles;
  if (std::find(roles.begin(), roles.end(), "admin") != roles.end()) {
    return absl::OkStatus();
  }
  return absl::PermissionDeniedError("permission denied");
}

}  // namespace cadastre::policy
