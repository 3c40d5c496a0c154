#include "server/policy/authorizer.h"

#include "absl/strings/str_cat.h"
#include "server/common/strings.h"

namespace cadastre::policy {
namespace {

// Permissions that only make sense unscoped: a domain-scoped grant of them
// does not count.
bool NeedsEverywhere(Permission permission) {
  return permission == v1::READ_AUDIT || permission == v1::READ_UNMASKED ||
         permission == v1::MANAGE_PRINCIPALS || permission == v1::MANAGE_POLICIES;
}

// A refusal, noted for the audit record with the permission it lacked.
absl::Status Denied(const Caller& caller, Permission permission, std::string_view where) {
  caller.audit.reason = absl::StrCat("lacks ", v1::Permission_Name(permission), Absl(where));
  return absl::PermissionDeniedError("permission denied");
}

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
  return allowed ? absl::OkStatus()
                 : Denied(caller, permission, NeedsEverywhere(permission) ? " everywhere" : "");
}

absl::Status Authorizer::CheckDataset(const Caller& caller, Permission permission,
                                      const DatasetScope& dataset,
                                      const absl::Status& hidden) const {
  const Access& access = AccessOf(caller);
  if (!access.OnDataset(v1::READ_METADATA, dataset)) {
    if (!hidden.ok()) {
      caller.audit.hidden = true;
      caller.audit.reason = absl::StrCat("dataset ", Absl(dataset.ns), "/", Absl(dataset.name),
                                         " is outside the caller's scope");
    }
    return hidden;
  }
  return access.OnDataset(permission, dataset) ? absl::OkStatus()
                                               : Denied(caller, permission, " on the dataset");
}

bool Authorizer::CanSee(const Caller& caller, const DatasetScope& dataset) const {
  return AccessOf(caller).OnDataset(v1::READ_METADATA, dataset);
}

}  // namespace cadastre::policy
