// The access-control service: principals and their tokens, roles, grants,
// masking policies, and the policy API query engines ask. Every change is
// versioned like catalog entities and makes the in-memory access model
// current again before the call answers.
#pragma once

#include "absl/status/statusor.h"
#include "cadastre/v1/access.pb.h"
#include "server/catalog/dataset_hooks.h"
#include "server/common/clock.h"
#include "server/policy/access.h"
#include "server/policy/authorizer.h"
#include "server/policy/caller.h"
#include "server/store/store.h"

namespace cadastre::access {

using policy::Caller;

class AccessService {
 public:
  // `mask_key` keys MASK_HASH in the SQL the policy API hands out.
  AccessService(store::Store* store, policy::AccessModel* model,
                const policy::Authorizer* authorizer, const Clock* clock, std::string mask_key)
      : store_(store), model_(model), authorizer_(authorizer), clock_(clock),
        mask_key_(std::move(mask_key)) {}

  // Lineage's inherited classifications, which masks follow.
  void set_hooks(catalog::DatasetHooks* hooks) { hooks_ = hooks; }

  absl::StatusOr<v1::WhoAmIResponse> WhoAmI(const Caller& caller, const v1::WhoAmIRequest& request);

  absl::StatusOr<v1::Principal> PutPrincipal(const Caller& caller, const v1::PutPrincipalRequest& request);
  absl::StatusOr<v1::Principal> GetPrincipal(const Caller& caller, const v1::GetPrincipalRequest& request);
  absl::StatusOr<v1::ListPrincipalsResponse> ListPrincipals(const Caller& caller, const v1::ListPrincipalsRequest& request);
  absl::StatusOr<v1::Principal> DeletePrincipal(const Caller& caller, const v1::DeletePrincipalRequest& request);

  absl::StatusOr<v1::CreateTokenResponse> CreateToken(const Caller& caller, const v1::CreateTokenRequest& request);
  absl::StatusOr<v1::ListTokensResponse> ListTokens(const Caller& caller, const v1::ListTokensRequest& request);
  absl::StatusOr<v1::TokenInfo> RevokeToken(const Caller& caller, const v1::RevokeTokenRequest& request);

  absl::StatusOr<v1::Role> PutRole(const Caller& caller, const v1::PutRoleRequest& request);
  absl::StatusOr<v1::Role> GetRole(const Caller& caller, const v1::GetRoleRequest& request);
  absl::StatusOr<v1::ListRolesResponse> ListRoles(const Caller& caller, const v1::ListRolesRequest& request);
  absl::StatusOr<v1::Role> DeleteRole(const Caller& caller, const v1::DeleteRoleRequest& request);

  absl::StatusOr<v1::Grant> CreateGrant(const Caller& caller, const v1::CreateGrantRequest& request);
  absl::StatusOr<v1::ListGrantsResponse> ListGrants(const Caller& caller, const v1::ListGrantsRequest& request);
  absl::StatusOr<v1::Grant> DeleteGrant(const Caller& caller, const v1::DeleteGrantRequest& request);

  absl::StatusOr<v1::MaskingPolicy> PutMaskingPolicy(const Caller& caller, const v1::PutMaskingPolicyRequest& request);
  absl::StatusOr<v1::MaskingPolicy> GetMaskingPolicy(const Caller& caller, const v1::GetMaskingPolicyRequest& request);
  absl::StatusOr<v1::ListMaskingPoliciesResponse> ListMaskingPolicies(const Caller& caller, const v1::ListMaskingPoliciesRequest& request);
  absl::StatusOr<v1::MaskingPolicy> DeleteMaskingPolicy(const Caller& caller, const v1::DeleteMaskingPolicyRequest& request);

  // What `principal` (the caller when empty) may see of a dataset, per
  // column, with the SQL that implements each mask in the dialect. Asking
  // for another principal needs READ_UNMASKED everywhere (query engines).
  absl::StatusOr<v1::ResolvePolicyResponse> ResolvePolicy(const Caller& caller, const v1::ResolvePolicyRequest& request);

 private:
  // Runs `write` in a write transaction, then makes the model current.
  absl::Status WriteRules(const std::function<absl::Status(store::WriteTxn&)>& write);
  // OK when the caller is `principal` or may manage principals.
  absl::Status SelfOrManager(const Caller& caller, const std::string& principal) const;

  store::Store* store_;
  policy::AccessModel* model_;
  const policy::Authorizer* authorizer_;
  const Clock* clock_;
  std::string mask_key_;
  catalog::DatasetHooks* hooks_ = nullptr;
};

}  // namespace cadastre::access
