#include "server/policy/access.h"

#include <algorithm>
#include <set>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "server/common/status.h"
#include "server/common/strings.h"
#include "server/policy/crypto.h"

namespace cadastre::policy {
namespace {

v1::Role MakeRole(std::string name, std::string description,
                  std::vector<Permission> permissions,
                  std::vector<Permission> own_dataset_permissions = {}) {
  v1::Role role;
  role.set_name(std::move(name));
  role.set_description(std::move(description));
  for (Permission p : permissions) role.add_permissions(p);
  for (Permission p : own_dataset_permissions) role.add_own_dataset_permissions(p);
  role.set_built_in(true);
  return role;
}

// Deterministic bytes of a message, for the snapshot digest.
void AppendSerialized(const google::protobuf::Message& message, std::string* out) {
  std::string bytes;
  {
    google::protobuf::io::StringOutputStream stream(&bytes);
    google::protobuf::io::CodedOutputStream coded(&stream);
    coded.SetSerializationDeterministic(true);
    message.SerializeToCodedStream(&coded);
  }
  out->append(std::to_string(bytes.size())).append(":").append(bytes);
}

bool Has(const google::protobuf::RepeatedField<int>& permissions, Permission permission) {
  return std::find(permissions.begin(), permissions.end(), permission) != permissions.end();
}

bool NarrowedToTags(const v1::Grant& grant) { return grant.tags_size() > 0; }

bool Unscoped(const v1::Grant& grant) {
  return grant.domains_size() == 0 && grant.datasets_size() == 0 && !NarrowedToTags(grant);
}

bool TagsMatch(const v1::Grant& grant, const std::vector<std::string>& column_tags) {
  for (const std::string& scope : grant.tags()) {
    for (const std::string& tag : column_tags) {
      if (TagWithin(tag, scope)) return true;
    }
  }
  return false;
}

}  // namespace

const std::vector<v1::Role>& BuiltInRoles() {
  using v1::EDIT_METADATA;
  using v1::MANAGE_CLASSIFICATIONS;
  using v1::MANAGE_GLOSSARY;
  using v1::MANAGE_POLICIES;
  using v1::MANAGE_PRINCIPALS;
  using v1::READ_AUDIT;
  using v1::READ_METADATA;
  using v1::READ_SAMPLES;
  using v1::READ_UNMASKED;
  using v1::WRITE_LINEAGE;
  static const auto* roles = new std::vector<v1::Role>{
      MakeRole("admin", "everything",
               {READ_METADATA, EDIT_METADATA, MANAGE_CLASSIFICATIONS, MANAGE_GLOSSARY,
                READ_SAMPLES, READ_UNMASKED, WRITE_LINEAGE, READ_AUDIT, MANAGE_PRINCIPALS,
                MANAGE_POLICIES}),
      MakeRole("steward", "documents and classifies data, curates the glossary",
               {READ_METADATA, EDIT_METADATA, MANAGE_CLASSIFICATIONS, MANAGE_GLOSSARY,
                READ_SAMPLES}),
      MakeRole("engineer", "builds pipelines: edits metadata, writes lineage",
               {READ_METADATA, EDIT_METADATA, READ_SAMPLES, WRITE_LINEAGE}),
      MakeRole("analyst", "reads metadata and masked samples", {READ_METADATA, READ_SAMPLES}),
      MakeRole("data_scientist", "reads metadata and masked (pseudonymised) samples",
               {READ_METADATA, READ_SAMPLES}),
      MakeRole("auditor", "reads the access log and metadata", {READ_METADATA, READ_AUDIT}),
      MakeRole("pipeline", "writes lineage and the datasets it produces", {WRITE_LINEAGE},
               {READ_METADATA, EDIT_METADATA}),
  };
  return *roles;
}

bool TagWithin(std::string_view tag, std::string_view scope) {
  return tag == scope ||
         (tag.size() > scope.size() && absl::StartsWith(Absl(tag), Absl(scope)) &&
          tag[scope.size()] == '.');
}

bool Covers(const v1::Grant& grant, const DatasetScope& dataset) {
  if (grant.domains_size() == 0 && grant.datasets_size() == 0) return true;
  for (const std::string& domain : grant.domains()) {
    if (!dataset.domain.empty() && TagWithin(dataset.domain, domain)) return true;
  }
  for (const v1::DatasetId& id : grant.datasets()) {
    if (id.namespace_() == dataset.ns && id.name() == dataset.name) return true;
  }
  return false;
}

// ------------------------------------------------------------------ snapshot

absl::StatusOr<std::shared_ptr<const AccessSnapshot>> AccessSnapshot::Load(store::ReadTxn& txn) {
  auto snapshot = std::make_shared<AccessSnapshot>();
  std::string digest_input;
  ASSIGN_OR_RETURN(std::vector<v1::Principal> principals, txn.AllPrincipals());
  for (v1::Principal& principal : principals) {
    principal.clear_created_at();
    AppendSerialized(principal, &digest_input);
    std::string name = principal.name();
    snapshot->principals_.emplace(std::move(name), std::move(principal));
  }
  for (const v1::Role& role : BuiltInRoles()) snapshot->roles_.emplace(role.name(), role);
  ASSIGN_OR_RETURN(std::vector<v1::Role> roles, txn.ListRoles());
  for (v1::Role& role : roles) {
    role.set_built_in(false);
    AppendSerialized(role, &digest_input);
    std::string name = role.name();
    snapshot->roles_.emplace(std::move(name), std::move(role));
  }
  ASSIGN_OR_RETURN(snapshot->grants_, txn.ListGrants());
  for (const v1::Grant& grant : snapshot->grants_) AppendSerialized(grant, &digest_input);
  ASSIGN_OR_RETURN(snapshot->policies_, txn.ListMaskingPolicies());
  for (v1::MaskingPolicy policy : snapshot->policies_) {
    policy.clear_created_at();
    policy.clear_updated_at();
    AppendSerialized(policy, &digest_input);
  }
  snapshot->version_ = absl::BytesToHexString(Sha256(digest_input)).substr(0, 16);
  return std::shared_ptr<const AccessSnapshot>(std::move(snapshot));
}

const v1::Principal* AccessSnapshot::FindPrincipal(std::string_view name) const {
  auto it = principals_.find(name);
  return it == principals_.end() ? nullptr : &it->second;
}

const v1::Role* AccessSnapshot::FindRole(std::string_view name) const {
  auto it = roles_.find(name);
  return it == roles_.end() ? nullptr : &it->second;
}

std::vector<v1::Role> AccessSnapshot::Roles() const {
  std::vector<v1::Role> out = BuiltInRoles();
  for (const auto& [name, role] : roles_) {
    if (!role.built_in()) out.push_back(role);
  }
  return out;
}

std::vector<v1::Grant> AccessSnapshot::EffectiveGrants(
    std::string_view principal, const std::vector<std::string>& fallback_roles) const {
  std::vector<v1::Grant> out;
  auto add_member = [&](const v1::Principal& member) {
    for (const std::string& role : member.roles()) {
      v1::Grant& grant = out.emplace_back();
      grant.set_principal(member.name());
      grant.set_role(role);
      *grant.mutable_domains() = member.domains();
    }
    for (const v1::Grant& grant : grants_) {
      if (grant.principal() == member.name()) out.push_back(grant);
    }
  };
  const v1::Principal* self = FindPrincipal(principal);
  if (self == nullptr) {
    for (const std::string& role : fallback_roles) {
      v1::Grant& grant = out.emplace_back();
      grant.set_principal(std::string(principal));
      grant.set_role(role);
    }
    return out;
  }
  add_member(*self);
  for (const std::string& team_name : self->teams()) {
    const v1::Principal* team = FindPrincipal(team_name);
    if (team != nullptr && team->kind() == "team") add_member(*team);
  }
  return out;
}

// -------------------------------------------------------------------- access

Access::Access(std::shared_ptr<const AccessSnapshot> snapshot, std::string principal,
               std::vector<v1::Grant> grants)
    : snapshot_(std::move(snapshot)), principal_(std::move(principal)), grants_(std::move(grants)) {}

bool Access::RoleGives(const v1::Grant& grant, Permission permission,
                       const DatasetScope* dataset) const {
  const v1::Role* role = snapshot_->FindRole(grant.role());
  if (role == nullptr) return false;
  if (Has(role->permissions(), permission)) return true;
  // Own-dataset permissions hold on a dataset the principal created; with
  // no dataset at hand (Anywhere) they count as held somewhere.
  return Has(role->own_dataset_permissions(), permission) &&
         (dataset == nullptr || (!dataset->created_by.empty() && dataset->created_by == principal_));
}

bool Access::OnDataset(Permission permission, const DatasetScope& dataset) const {
  bool allowed = false;
  for (const v1::Grant& grant : grants_) {
    if (NarrowedToTags(grant) || !Covers(grant, dataset) || !RoleGives(grant, permission, &dataset)) {
      continue;
    }
    if (grant.effect() == v1::DENY) return false;
    allowed = true;
  }
  return allowed;
}

bool Access::OnColumn(Permission permission, const DatasetScope& dataset,
                      const std::vector<std::string>& column_tags) const {
  bool allowed = false;
  for (const v1::Grant& grant : grants_) {
    if (!Covers(grant, dataset) || !RoleGives(grant, permission, &dataset)) continue;
    if (NarrowedToTags(grant) && !TagsMatch(grant, column_tags)) continue;
    if (grant.effect() == v1::DENY) return false;
    allowed = true;
  }
  return allowed;
}

bool Access::Anywhere(Permission permission) const {
  bool allowed = false;
  for (const v1::Grant& grant : grants_) {
    if (!RoleGives(grant, permission, nullptr)) continue;
    if (grant.effect() == v1::DENY) {
      if (Unscoped(grant)) return false;
    } else {
      allowed = true;
    }
  }
  return allowed;
}

bool Access::Everywhere(Permission permission) const {
  bool allowed = false;
  for (const v1::Grant& grant : grants_) {
    const v1::Role* role = snapshot_->FindRole(grant.role());
    if (role == nullptr) continue;
    const bool full = Has(role->permissions(), permission);
    if (grant.effect() == v1::DENY) {
      if (!NarrowedToTags(grant) && (full || Has(role->own_dataset_permissions(), permission))) {
        return false;
      }
    } else if (full && Unscoped(grant)) {
      allowed = true;
    }
  }
  return allowed;
}

std::vector<std::string> Access::RolesOn(const DatasetScope& dataset) const {
  std::set<std::string> roles;
  for (const v1::Grant& grant : grants_) {
    if (grant.effect() == v1::ALLOW && !NarrowedToTags(grant) && Covers(grant, dataset)) {
      roles.insert(grant.role());
    }
  }
  return {roles.begin(), roles.end()};
}

// --------------------------------------------------------------------- model

absl::Status AccessModel::Reload() {
  // One reload at a time, so that a slower, older read cannot replace a
  // newer snapshot.
  absl::MutexLock reloading(&reload_mu_);
  std::shared_ptr<const AccessSnapshot> next;
  RETURN_IF_ERROR(store_->Read([&](store::ReadTxn& txn) -> absl::Status {
    ASSIGN_OR_RETURN(next, AccessSnapshot::Load(txn));
    return absl::OkStatus();
  }));
  absl::MutexLock lock(&mu_);
  current_ = std::move(next);
  return absl::OkStatus();
}

std::shared_ptr<const AccessSnapshot> AccessModel::Current() const {
  absl::MutexLock lock(&mu_);
  return current_;
}

}  // namespace cadastre::policy
