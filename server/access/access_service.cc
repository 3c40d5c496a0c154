#include "server/access/access_service.h"

#include <algorithm>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "google/protobuf/util/time_util.h"
#include "server/catalog/validation.h"
#include "server/catalog/versioning.h"
#include "server/common/status.h"
#include "server/common/strings.h"
#include "server/policy/authenticator.h"

namespace cadastre::access {
namespace {

using google::protobuf::util::TimeUtil;
using policy::Resource;

constexpr std::string_view kPrincipalEntity = "principal";
constexpr std::string_view kRoleEntity = "role";
constexpr std::string_view kGrantEntity = "grant";
constexpr std::string_view kPolicyEntity = "maskingPolicy";
// Timestamps end with the year 9999, and no token needs to outlive a century.
constexpr absl::Duration kLongestTokenLife = absl::Hours(24 * 36525);

absl::Status NotFound(std::string_view what, const std::string& name, std::string_view field) {
  return WithField(absl::NotFoundError(absl::StrCat(Absl(what), " '", name, "' not found")), field);
}

// Every name in `names` must be a role the snapshot knows.
absl::Status CheckRoles(const policy::AccessSnapshot& snapshot,
                        const google::protobuf::RepeatedPtrField<std::string>& names,
                        std::string_view field) {
  for (int i = 0; i < names.size(); ++i) {
    const std::string path = absl::StrCat(Absl(field), "[", i, "]");
    RETURN_IF_ERROR(catalog::ValidateName(path, names[i]));
    if (snapshot.FindRole(names[i]) == nullptr) {
      return InvalidField(path, absl::StrCat("unknown role '", names[i], "'"));
    }
  }
  return absl::OkStatus();
}

absl::Status CheckDomains(const google::protobuf::RepeatedPtrField<std::string>& domains,
                          std::string_view field) {
  for (int i = 0; i < domains.size(); ++i) {
    RETURN_IF_ERROR(catalog::ValidateName(absl::StrCat(Absl(field), "[", i, "]"), domains[i]));
  }
  return absl::OkStatus();
}

absl::Status CheckPermissions(const google::protobuf::RepeatedField<int>& permissions,
                              std::string_view field) {
  for (int i = 0; i < permissions.size(); ++i) {
    if (permissions[i] == v1::PERMISSION_UNSPECIFIED || !v1::Permission_IsValid(permissions[i])) {
      return InvalidField(absl::StrCat(Absl(field), "[", i, "]"), "unknown permission");
    }
  }
  return absl::OkStatus();
}

// The tag must exist: INVALID_ARGUMENT naming `field` otherwise.
absl::Status CheckTagExists(store::ReadTxn& txn, const std::string& tag, std::string_view field) {
  RETURN_IF_ERROR(catalog::ValidateTagName(field, tag));
  auto found = txn.GetTag(tag);
  if (absl::IsNotFound(found.status())) {
    return InvalidField(field, absl::StrCat("unknown classification '", tag, "'"));
  }
  return found.status();
}

// Who still uses a role: principals holding it and grants of it.
std::vector<std::string> RoleUsers(const policy::AccessSnapshot& snapshot,
                                   std::string_view role, const std::vector<v1::Principal>& all) {
  std::vector<std::string> out;
  for (const v1::Principal& principal : all) {
    if (std::find(principal.roles().begin(), principal.roles().end(), role) !=
        principal.roles().end()) {
      out.push_back(absl::StrCat("principal ", principal.name()));
    }
  }
  for (const v1::Grant& grant : snapshot.grants()) {
    if (grant.role() == role) out.push_back(absl::StrCat("grant ", grant.id()));
  }
  return out;
}

}  // namespace

absl::Status AccessService::WriteRules(
    const std::function<absl::Status(store::WriteTxn&)>& write) {
  RETURN_IF_ERROR(store_->Write(write));
  return model_->Reload();
}

absl::Status AccessService::SelfOrManager(const Caller& caller, const std::string& principal) const {
  if (caller.principal == principal) return absl::OkStatus();
  return authorizer_->Check(caller, v1::MANAGE_PRINCIPALS, Resource::System());
}

absl::StatusOr<v1::WhoAmIResponse> AccessService::WhoAmI(const Caller& caller,
                                                         const v1::WhoAmIRequest&) {
  const policy::Access& access = authorizer_->AccessOf(caller);
  v1::WhoAmIResponse result;
  if (const v1::Principal* self = access.snapshot().FindPrincipal(caller.principal)) {
    *result.mutable_principal() = *self;
  } else {
    result.mutable_principal()->set_name(caller.principal);
  }
  for (const v1::Grant& grant : access.grants()) *result.add_grants() = grant;
  return result;
}

// ---------------------------------------------------------------- principals

absl::StatusOr<v1::Principal> AccessService::PutPrincipal(const Caller& caller,
                                                          const v1::PutPrincipalRequest& request) {
  RETURN_IF_ERROR(catalog::ValidateName("name", request.name()));
  RETURN_IF_ERROR(authorizer_->Check(caller, v1::MANAGE_PRINCIPALS, Resource::System()));
  v1::Principal next = request.principal();
  next.set_name(request.name());
  next.clear_created_at();
  if (next.kind().empty()) next.set_kind("user");
  if (next.kind() != "user" && next.kind() != "team" && next.kind() != "service") {
    return InvalidField("kind", "must be user, team or service");
  }
  std::shared_ptr<const policy::AccessSnapshot> snapshot = model_->Current();
  RETURN_IF_ERROR(CheckRoles(*snapshot, next.roles(), "roles"));
  RETURN_IF_ERROR(CheckDomains(next.domains(), "domains"));
  for (int i = 0; i < next.teams_size(); ++i) {
    const std::string path = absl::StrCat("teams[", i, "]");
    RETURN_IF_ERROR(catalog::ValidateName(path, next.teams(i)));
    const v1::Principal* team = snapshot->FindPrincipal(next.teams(i));
    if (team == nullptr || team->kind() != "team") {
      return InvalidField(path, absl::StrCat("'", next.teams(i), "' is not a team"));
    }
  }
  if (next.kind() == "team" && next.teams_size() > 0) {
    return InvalidField("teams", "a team cannot belong to teams");
  }
  v1::Principal result;
  RETURN_IF_ERROR(WriteRules([&](store::WriteTxn& txn) -> absl::Status {
    const absl::Time now = clock_->Now();
    auto existing = txn.GetPrincipal(request.name());
    if (!existing.ok() && !absl::IsNotFound(existing.status())) return existing.status();
    v1::Principal before;
    if (existing.ok()) {
      before = *existing;
      before.clear_created_at();
    }
    ASSIGN_OR_RETURN(int64_t version,
                     catalog::RecordVersion(txn, caller, now, kPrincipalEntity, request.name(),
                                            existing.ok() ? "UPDATE" : "CREATE",
                                            existing.ok() ? &before : nullptr, next));
    if (version != 0) {
      *next.mutable_created_at() =
          existing.ok() ? existing->created_at() : catalog::TimeToProto(now);
      RETURN_IF_ERROR(txn.PutPrincipal(next));
    }
    ASSIGN_OR_RETURN(result, txn.GetPrincipal(request.name()));
    return absl::OkStatus();
  }));
  return result;
}

absl::StatusOr<v1::Principal> AccessService::GetPrincipal(const Caller& caller,
                                                          const v1::GetPrincipalRequest& request) {
  RETURN_IF_ERROR(catalog::ValidateName("name", request.name()));
  RETURN_IF_ERROR(SelfOrManager(caller, request.name()));
  v1::Principal result;
  RETURN_IF_ERROR(store_->Read([&](store::ReadTxn& txn) -> absl::Status {
    auto found = txn.GetPrincipal(request.name());
    if (absl::IsNotFound(found.status())) return NotFound("principal", request.name(), "name");
    RETURN_IF_ERROR(found.status());
    result = *std::move(found);
    return absl::OkStatus();
  }));
  return result;
}

absl::StatusOr<v1::ListPrincipalsResponse> AccessService::ListPrincipals(
    const Caller& caller, const v1::ListPrincipalsRequest& request) {
  ASSIGN_OR_RETURN(store::Page page,
                   catalog::ValidatePage(catalog::LimitOf(request), request.offset()));
  RETURN_IF_ERROR(authorizer_->Check(caller, v1::MANAGE_PRINCIPALS, Resource::System()));
  v1::ListPrincipalsResponse result;
  RETURN_IF_ERROR(store_->Read([&](store::ReadTxn& txn) -> absl::Status {
    ASSIGN_OR_RETURN(auto listing, txn.ListPrincipals(page));
    for (auto& principal : listing.items) *result.add_principals() = std::move(principal);
    result.set_total_count(listing.total_count);
    return absl::OkStatus();
  }));
  return result;
}

absl::StatusOr<v1::Principal> AccessService::DeletePrincipal(
    const Caller& caller, const v1::DeletePrincipalRequest& request) {
  RETURN_IF_ERROR(catalog::ValidateName("name", request.name()));
  RETURN_IF_ERROR(authorizer_->Check(caller, v1::MANAGE_PRINCIPALS, Resource::System()));
  if (request.name() == caller.principal) {
    return InvalidField("name", "a principal cannot delete itself");
  }
  v1::Principal result;
  RETURN_IF_ERROR(WriteRules([&](store::WriteTxn& txn) -> absl::Status {
    auto found = txn.GetPrincipal(request.name());
    if (absl::IsNotFound(found.status())) return NotFound("principal", request.name(), "name");
    RETURN_IF_ERROR(found.status());
    ASSIGN_OR_RETURN(std::vector<v1::Principal> all, txn.AllPrincipals());
    std::vector<std::string> members;
    for (const v1::Principal& principal : all) {
      if (std::find(principal.teams().begin(), principal.teams().end(), request.name()) !=
          principal.teams().end()) {
        members.push_back(principal.name());
      }
    }
    if (!members.empty()) {
      return WithField(absl::FailedPreconditionError(absl::StrCat(
                           "team '", request.name(), "' still has members: ",
                           absl::StrJoin(members, ", "))),
                       "name");
    }
    v1::Principal before = *found;
    before.clear_created_at();
    v1::Principal gone;
    gone.set_name(request.name());
    RETURN_IF_ERROR(catalog::RecordVersion(txn, caller, clock_->Now(), kPrincipalEntity,
                                           request.name(), "DELETE", &before, gone)
                        .status());
    RETURN_IF_ERROR(txn.DeletePrincipal(request.name()));
    result = *std::move(found);
    return absl::OkStatus();
  }));
  return result;
}

// -------------------------------------------------------------------- tokens

absl::StatusOr<v1::CreateTokenResponse> AccessService::CreateToken(
    const Caller& caller, const v1::CreateTokenRequest& request) {
  RETURN_IF_ERROR(catalog::ValidateName("principal", request.principal()));
  RETURN_IF_ERROR(SelfOrManager(caller, request.principal()));
  const absl::Time now = clock_->Now();
  if (request.has_expires_at() && request.ttl_seconds() != 0) {
    return InvalidField("ttlSeconds", "give expiresAt or ttlSeconds, not both");
  }
  if (request.ttl_seconds() < 0) return InvalidField("ttlSeconds", "must be positive");
  if (request.ttl_seconds() > absl::ToInt64Seconds(kLongestTokenLife)) {
    return InvalidField("ttlSeconds", "must be at most 100 years");
  }
  v1::TokenInfo token;
  token.set_id(policy::NewRandomId());
  token.set_principal(request.principal());
  *token.mutable_created_at() = catalog::TimeToProto(now);
  if (request.has_expires_at()) {
    if (request.expires_at().seconds() > absl::ToUnixSeconds(now + kLongestTokenLife)) {
      return InvalidField("expiresAt", "must be at most 100 years from now");
    }
    if (TimeUtil::TimestampToMicroseconds(request.expires_at()) <= absl::ToUnixMicros(now)) {
      return InvalidField("expiresAt", "must be in the future");
    }
    *token.mutable_expires_at() = request.expires_at();
  } else if (request.ttl_seconds() > 0) {
    *token.mutable_expires_at() = catalog::TimeToProto(now + absl::Seconds(request.ttl_seconds()));
  }
  const std::string secret = policy::NewTokenSecret();
  RETURN_IF_ERROR(store_->Write([&](store::WriteTxn& txn) -> absl::Status {
    auto principal = txn.GetPrincipal(request.principal());
    if (absl::IsNotFound(principal.status())) {
      return NotFound("principal", request.principal(), "principal");
    }
    RETURN_IF_ERROR(principal.status());
    return txn.PutToken(token, policy::HashToken(secret));
  }));
  v1::CreateTokenResponse result;
  result.set_token(secret);
  result.set_id(token.id());
  if (token.has_expires_at()) *result.mutable_expires_at() = token.expires_at();
  return result;
}

absl::StatusOr<v1::ListTokensResponse> AccessService::ListTokens(
    const Caller& caller, const v1::ListTokensRequest& request) {
  RETURN_IF_ERROR(catalog::ValidateName("principal", request.principal()));
  RETURN_IF_ERROR(SelfOrManager(caller, request.principal()));
  v1::ListTokensResponse result;
  RETURN_IF_ERROR(store_->Read([&](store::ReadTxn& txn) -> absl::Status {
    auto principal = txn.GetPrincipal(request.principal());
    if (absl::IsNotFound(principal.status())) {
      return NotFound("principal", request.principal(), "principal");
    }
    RETURN_IF_ERROR(principal.status());
    ASSIGN_OR_RETURN(auto tokens, txn.ListTokens(request.principal()));
    for (auto& token : tokens) *result.add_tokens() = std::move(token);
    return absl::OkStatus();
  }));
  return result;
}

absl::StatusOr<v1::TokenInfo> AccessService::RevokeToken(const Caller& caller,
                                                         const v1::RevokeTokenRequest& request) {
  RETURN_IF_ERROR(catalog::ValidateName("principal", request.principal()));
  RETURN_IF_ERROR(catalog::ValidateName("id", request.id()));
  RETURN_IF_ERROR(SelfOrManager(caller, request.principal()));
  v1::TokenInfo result;
  RETURN_IF_ERROR(store_->Write([&](store::WriteTxn& txn) -> absl::Status {
    ASSIGN_OR_RETURN(auto tokens, txn.ListTokens(request.principal()));
    auto it = std::find_if(tokens.begin(), tokens.end(),
                           [&](const v1::TokenInfo& t) { return t.id() == request.id(); });
    if (it == tokens.end()) return NotFound("token", request.id(), "id");
    if (!it->has_revoked_at()) {
      *it->mutable_revoked_at() = catalog::TimeToProto(clock_->Now());
      RETURN_IF_ERROR(txn.RevokeToken(it->id(), it->revoked_at()));
    }
    result = *it;
    return absl::OkStatus();
  }));
  return result;
}

// --------------------------------------------------------------------- roles

absl::StatusOr<v1::Role> AccessService::PutRole(const Caller& caller,
                                                const v1::PutRoleRequest& request) {
  RETURN_IF_ERROR(catalog::ValidateName("name", request.name()));
  RETURN_IF_ERROR(authorizer_->Check(caller, v1::MANAGE_PRINCIPALS, Resource::System()));
  for (const v1::Role& builtin : policy::BuiltInRoles()) {
    if (builtin.name() == request.name()) {
      return WithField(absl::FailedPreconditionError(absl::StrCat(
                           "role '", request.name(), "' is built in and cannot be changed")),
                       "name");
    }
  }
  v1::Role next = request.role();
  next.set_name(request.name());
  next.set_built_in(false);
  RETURN_IF_ERROR(catalog::ValidateText("description", next.description()));
  RETURN_IF_ERROR(CheckPermissions(next.permissions(), "permissions"));
  RETURN_IF_ERROR(CheckPermissions(next.own_dataset_permissions(), "ownDatasetPermissions"));
  RETURN_IF_ERROR(WriteRules([&](store::WriteTxn& txn) -> absl::Status {
    ASSIGN_OR_RETURN(std::vector<v1::Role> roles, txn.ListRoles());
    auto it = std::find_if(roles.begin(), roles.end(),
                           [&](const v1::Role& r) { return r.name() == request.name(); });
    ASSIGN_OR_RETURN(int64_t version,
                     catalog::RecordVersion(txn, caller, clock_->Now(), kRoleEntity,
                                            request.name(), it == roles.end() ? "CREATE" : "UPDATE",
                                            it == roles.end() ? nullptr : &*it, next));
    return version == 0 ? absl::OkStatus() : txn.PutRole(next);
  }));
  return next;
}

absl::StatusOr<v1::Role> AccessService::GetRole(const Caller& caller,
                                                const v1::GetRoleRequest& request) {
  RETURN_IF_ERROR(catalog::ValidateName("name", request.name()));
  const v1::Role* role = authorizer_->AccessOf(caller).snapshot().FindRole(request.name());
  if (role == nullptr) return NotFound("role", request.name(), "name");
  return *role;
}

absl::StatusOr<v1::ListRolesResponse> AccessService::ListRoles(const Caller& caller,
                                                               const v1::ListRolesRequest&) {
  v1::ListRolesResponse result;
  for (v1::Role& role : authorizer_->AccessOf(caller).snapshot().Roles()) {
    *result.add_roles() = std::move(role);
  }
  return result;
}

absl::StatusOr<v1::Role> AccessService::DeleteRole(const Caller& caller,
                                                   const v1::DeleteRoleRequest& request) {
  RETURN_IF_ERROR(catalog::ValidateName("name", request.name()));
  RETURN_IF_ERROR(authorizer_->Check(caller, v1::MANAGE_PRINCIPALS, Resource::System()));
  v1::Role result;
  RETURN_IF_ERROR(WriteRules([&](store::WriteTxn& txn) -> absl::Status {
    ASSIGN_OR_RETURN(auto snapshot, policy::AccessSnapshot::Load(txn));
    const v1::Role* role = snapshot->FindRole(request.name());
    if (role == nullptr) return NotFound("role", request.name(), "name");
    if (role->built_in()) {
      return WithField(absl::FailedPreconditionError(absl::StrCat(
                           "role '", request.name(), "' is built in and cannot be deleted")),
                       "name");
    }
    ASSIGN_OR_RETURN(std::vector<v1::Principal> all, txn.AllPrincipals());
    std::vector<std::string> users = RoleUsers(*snapshot, request.name(), all);
    if (!users.empty()) {
      return WithField(absl::FailedPreconditionError(absl::StrCat(
                           "role '", request.name(), "' is still used by ",
                           absl::StrJoin(users, ", "))),
                       "name");
    }
    result = *role;
    v1::Role gone;
    gone.set_name(request.name());
    RETURN_IF_ERROR(catalog::RecordVersion(txn, caller, clock_->Now(), kRoleEntity,
                                           request.name(), "DELETE", &result, gone)
                        .status());
    return txn.DeleteRole(request.name());
  }));
  return result;
}

// -------------------------------------------------------------------- grants

absl::StatusOr<v1::Grant> AccessService::CreateGrant(const Caller& caller,
                                                     const v1::CreateGrantRequest& request) {
  RETURN_IF_ERROR(authorizer_->Check(caller, v1::MANAGE_PRINCIPALS, Resource::System()));
  v1::Grant grant = request.grant();
  RETURN_IF_ERROR(catalog::ValidateName("principal", grant.principal()));
  RETURN_IF_ERROR(catalog::ValidateName("role", grant.role()));
  if (!v1::GrantEffect_IsValid(grant.effect())) return InvalidField("effect", "unknown effect");
  RETURN_IF_ERROR(CheckDomains(grant.domains(), "domains"));
  for (int i = 0; i < grant.datasets_size(); ++i) {
    const std::string path = absl::StrCat("datasets[", i, "]");
    RETURN_IF_ERROR(catalog::ValidateName(path + ".namespace", grant.datasets(i).namespace_()));
    RETURN_IF_ERROR(catalog::ValidateName(path + ".name", grant.datasets(i).name()));
  }
  std::shared_ptr<const policy::AccessSnapshot> snapshot = model_->Current();
  if (snapshot->FindRole(grant.role()) == nullptr) {
    return InvalidField("role", absl::StrCat("unknown role '", grant.role(), "'"));
  }
  if (snapshot->FindPrincipal(grant.principal()) == nullptr) {
    return InvalidField("principal", absl::StrCat("unknown principal '", grant.principal(), "'"));
  }
  grant.set_id(policy::NewRandomId());
  grant.set_created_by(caller.principal);
  *grant.mutable_created_at() = catalog::TimeToProto(clock_->Now());
  RETURN_IF_ERROR(WriteRules([&](store::WriteTxn& txn) -> absl::Status {
    for (int i = 0; i < grant.tags_size(); ++i) {
      RETURN_IF_ERROR(CheckTagExists(txn, grant.tags(i), absl::StrCat("tags[", i, "]")));
    }
    v1::Grant recorded = grant;
    recorded.clear_created_at();
    RETURN_IF_ERROR(catalog::RecordVersion(txn, caller, clock_->Now(), kGrantEntity, grant.id(),
                                           "CREATE", nullptr, recorded)
                        .status());
    return txn.PutGrant(grant);
  }));
  return grant;
}

absl::StatusOr<v1::ListGrantsResponse> AccessService::ListGrants(
    const Caller& caller, const v1::ListGrantsRequest& request) {
  if (!request.principal().empty()) {
    RETURN_IF_ERROR(catalog::ValidateName("principal", request.principal()));
  }
  if (request.principal() != caller.principal || request.principal().empty()) {
    RETURN_IF_ERROR(authorizer_->Check(caller, v1::MANAGE_PRINCIPALS, Resource::System()));
  }
  v1::ListGrantsResponse result;
  for (const v1::Grant& grant : model_->Current()->grants()) {
    if (request.principal().empty() || grant.principal() == request.principal()) {
      *result.add_grants() = grant;
    }
  }
  return result;
}

absl::StatusOr<v1::Grant> AccessService::DeleteGrant(const Caller& caller,
                                                     const v1::DeleteGrantRequest& request) {
  RETURN_IF_ERROR(catalog::ValidateName("id", request.id()));
  RETURN_IF_ERROR(authorizer_->Check(caller, v1::MANAGE_PRINCIPALS, Resource::System()));
  v1::Grant result;
  RETURN_IF_ERROR(WriteRules([&](store::WriteTxn& txn) -> absl::Status {
    ASSIGN_OR_RETURN(std::vector<v1::Grant> grants, txn.ListGrants());
    auto it = std::find_if(grants.begin(), grants.end(),
                           [&](const v1::Grant& g) { return g.id() == request.id(); });
    if (it == grants.end()) return NotFound("grant", request.id(), "id");
    result = *it;
    v1::Grant before = *it;
    before.clear_created_at();
    v1::Grant gone;
    gone.set_id(request.id());
    RETURN_IF_ERROR(catalog::RecordVersion(txn, caller, clock_->Now(), kGrantEntity,
                                           request.id(), "DELETE", &before, gone)
                        .status());
    return txn.DeleteGrant(request.id());
  }));
  return result;
}

// ---------------------------------------------------------- masking policies

absl::StatusOr<v1::MaskingPolicy> AccessService::PutMaskingPolicy(
    const Caller& caller, const v1::PutMaskingPolicyRequest& request) {
  RETURN_IF_ERROR(catalog::ValidateName("name", request.name()));
  RETURN_IF_ERROR(authorizer_->Check(caller, v1::MANAGE_POLICIES, Resource::System()));
  v1::MaskingPolicy next = request.policy();
  next.set_name(request.name());
  next.clear_created_at();
  next.clear_updated_at();
  if (next.mask_type() == v1::MASK_TYPE_UNSPECIFIED || !v1::MaskType_IsValid(next.mask_type())) {
    return InvalidField("maskType", "must be one of MASK, MASK_SHOW_LAST_4, MASK_SHOW_FIRST_4, "
                                    "MASK_HASH, MASK_NULL, MASK_NONE, MASK_DATE_SHOW_YEAR, CUSTOM");
  }
  if (next.mask_type() == v1::CUSTOM) {
    if (next.custom_expression().find("{col}") == std::string::npos) {
      return InvalidField("customExpression", "a CUSTOM mask needs an expression using {col}");
    }
  } else if (!next.custom_expression().empty()) {
    return InvalidField("customExpression", "only CUSTOM masks take an expression");
  }
  RETURN_IF_ERROR(catalog::ValidateText("customExpression", next.custom_expression()));
  RETURN_IF_ERROR(catalog::ValidateText("description", next.description()));
  RETURN_IF_ERROR(CheckRoles(*model_->Current(), next.unmasked_roles(), "unmaskedRoles"));
  v1::MaskingPolicy result;
  RETURN_IF_ERROR(WriteRules([&](store::WriteTxn& txn) -> absl::Status {
    RETURN_IF_ERROR(CheckTagExists(txn, next.tag(), "tag"));
    const absl::Time now = clock_->Now();
    ASSIGN_OR_RETURN(std::vector<v1::MaskingPolicy> policies, txn.ListMaskingPolicies());
    auto it = std::find_if(policies.begin(), policies.end(),
                           [&](const v1::MaskingPolicy& p) { return p.name() == request.name(); });
    v1::MaskingPolicy before;
    if (it != policies.end()) {
      before = *it;
      before.clear_created_at();
      before.clear_updated_at();
    }
    ASSIGN_OR_RETURN(int64_t version,
                     catalog::RecordVersion(txn, caller, now, kPolicyEntity, request.name(),
                                            it == policies.end() ? "CREATE" : "UPDATE",
                                            it == policies.end() ? nullptr : &before, next));
    result = it == policies.end() ? next : *it;
    if (version == 0) return absl::OkStatus();
    *next.mutable_created_at() =
        it == policies.end() ? catalog::TimeToProto(now) : it->created_at();
    *next.mutable_updated_at() = catalog::TimeToProto(now);
    result = next;
    return txn.PutMaskingPolicy(next);
  }));
  return result;
}

absl::StatusOr<v1::MaskingPolicy> AccessService::GetMaskingPolicy(
    const Caller& caller, const v1::GetMaskingPolicyRequest& request) {
  RETURN_IF_ERROR(catalog::ValidateName("name", request.name()));
  RETURN_IF_ERROR(authorizer_->Check(caller, v1::READ_METADATA, Resource::System()));
  for (const v1::MaskingPolicy& policy : authorizer_->AccessOf(caller).snapshot().masking_policies()) {
    if (policy.name() == request.name()) return policy;
  }
  return NotFound("masking policy", request.name(), "name");
}

absl::StatusOr<v1::ListMaskingPoliciesResponse> AccessService::ListMaskingPolicies(
    const Caller& caller, const v1::ListMaskingPoliciesRequest&) {
  RETURN_IF_ERROR(authorizer_->Check(caller, v1::READ_METADATA, Resource::System()));
  v1::ListMaskingPoliciesResponse result;
  for (const v1::MaskingPolicy& policy : authorizer_->AccessOf(caller).snapshot().masking_policies()) {
    *result.add_policies() = policy;
  }
  return result;
}

absl::StatusOr<v1::MaskingPolicy> AccessService::DeleteMaskingPolicy(
    const Caller& caller, const v1::DeleteMaskingPolicyRequest& request) {
  RETURN_IF_ERROR(catalog::ValidateName("name", request.name()));
  RETURN_IF_ERROR(authorizer_->Check(caller, v1::MANAGE_POLICIES, Resource::System()));
  v1::MaskingPolicy result;
  RETURN_IF_ERROR(WriteRules([&](store::WriteTxn& txn) -> absl::Status {
    ASSIGN_OR_RETURN(std::vector<v1::MaskingPolicy> policies, txn.ListMaskingPolicies());
    auto it = std::find_if(policies.begin(), policies.end(),
                           [&](const v1::MaskingPolicy& p) { return p.name() == request.name(); });
    if (it == policies.end()) return NotFound("masking policy", request.name(), "name");
    result = *it;
    v1::MaskingPolicy before = *it;
    before.clear_created_at();
    before.clear_updated_at();
    v1::MaskingPolicy gone;
    gone.set_name(request.name());
    RETURN_IF_ERROR(catalog::RecordVersion(txn, caller, clock_->Now(), kPolicyEntity,
                                           request.name(), "DELETE", &before, gone)
                        .status());
    return txn.DeleteMaskingPolicy(request.name());
  }));
  return result;
}

}  // namespace cadastre::access
