#include "server/policy/authorizer.h"

namespace cadastre::policy {
namespace {

// Permissions that only make sense unscoped: a domain-scoped grant of them
// does not count.
bool NeedsEverywhere(Permission permission) {
  return permission == v1::READ_AUDIT || permission == v1::READ_UNMASKED ||
         permission == v1::MANAGE_PRINCIPALS || permission == v1::MANAGE_POLICIES;
}

absl::Status Denied() { return absl::PermissionDeniedError("permission denied"); }

}  // namespace

const Access& Authorizer::AccessOf(const Caller& caller) const {
  if (caller.access == nullptr) {
    std::shared_ptr<const AccessSnapshot> snapshot = model_->Current();
    std::vector<v1::Grant> grants = snapshot->EffectiveGrants(caller.principal, caller.roles);
    caller.access = std::make_shared<const Access>(std::move(snapshot), caller.principal,
                                                   std::move(grants));
  }
  return *caller.access;
}

absl::Status Authorizer::Check(const Caller& caller, Permission permission,
                               const Resource& resource) const {
  const Access& access = AccessOf(caller);
  const bool allowed =
      NeedsEverywhere(permission) ? access.Everywhere(permission) : access.Anywhere(permission);
  return allowed ? absl::OkStatus() : Denied();
}

absl::Status Authorizer::CheckDataset(const Caller& caller, Permission permission,
                                      const DatasetScope& dataset,
                                      const absl::Status& hidden) const {
  const Access& access = AccessOf(caller);
  if (!access.OnDataset(v1::READ_METADATA, dataset)) return hidden;
  return access.OnDataset(permission, dataset) ? absl::OkStatus() : Denied();
}

bool Authorizer::CanSee(const Caller& caller, const DatasetScope& dataset) const {
  return AccessOf(caller).OnDataset(v1::READ_METADATA, dataset);
}

}  // namespace cadastre::policy
