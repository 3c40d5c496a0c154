// AccessService::ResolvePolicy: what a principal may see of a dataset,
// column by column, with the SQL that implements each mask (Ranger-plugin
// style, for query engines).
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "server/access/access_service.h"
#include "server/catalog/dataset_access.h"
#include "server/catalog/validation.h"
#include "server/common/status.h"
#include "server/policy/column_masks.h"
#include "server/policy/crypto.h"
#include "server/policy/masking.h"

namespace cadastre::access {

absl::StatusOr<v1::ResolvePolicyResponse> AccessService::ResolvePolicy(
    const Caller& caller, const v1::ResolvePolicyRequest& request) {
  RETURN_IF_ERROR(catalog::ValidateName("namespace", request.namespace_()));
  RETURN_IF_ERROR(catalog::ValidateName("dataset", request.dataset()));
  ASSIGN_OR_RETURN(policy::Dialect dialect, policy::ParseDialect(request.dialect()));
  RETURN_IF_ERROR(authorizer_->Check(caller, v1::READ_METADATA, policy::Resource::System()));
  // Engines ask for others and must see everything clear to mask it; a
  // principal may always ask about itself.
  const bool engine = authorizer_->AccessOf(caller).Everywhere(v1::READ_UNMASKED);
  Caller subject = caller;
  if (!request.principal().empty() && request.principal() != caller.principal) {
    RETURN_IF_ERROR(catalog::ValidateName("principal", request.principal()));
    if (!engine) {
      return absl::PermissionDeniedError(
          "resolving the policy of another principal needs READ_UNMASKED everywhere");
    }
    const v1::Principal* found = model_->Current()->FindPrincipal(request.principal());
    if (found == nullptr) {
      return WithField(absl::NotFoundError(absl::StrCat("principal '", request.principal(),
                                                        "' not found")),
                       "principal");
    }
    subject = Caller{};
    subject.principal = found->name();
    subject.roles.assign(found->roles().begin(), found->roles().end());
  }
  const policy::Access& access = authorizer_->AccessOf(subject);

  v1::ResolvePolicyResponse result;
  result.set_namespace_(request.namespace_());
  result.set_dataset(request.dataset());
  result.set_principal(subject.principal);
  result.set_dialect(std::string(policy::DialectName(dialect)));
  result.set_policy_version(access.snapshot().version());
  RETURN_IF_ERROR(store_->Read([&](store::ReadTxn& txn) -> absl::Status {
    ASSIGN_OR_RETURN(v1::Dataset dataset,
                     catalog::LoadDatasetFor(txn, *authorizer_, caller, v1::READ_METADATA,
                                             request.namespace_(), request.dataset(), "dataset"));
    if (hooks_) RETURN_IF_ERROR(hooks_->Decorate(txn, subject, dataset, catalog::InheritedPaths::kLeftOut));
    result.set_readable(access.OnDataset(v1::READ_SAMPLES, catalog::ScopeOf(dataset)));
    for (const policy::ColumnMask& mask : policy::MasksFor(access, dataset)) {
      v1::ColumnPolicy* column = result.add_columns();
      column->set_field(mask.field);
      column->set_visible(result.readable() && mask.visible);
      if (!column->visible()) continue;
      column->set_mask_type(mask.type);
      column->set_tag(mask.tag);
      if (mask.policy) column->set_policy(mask.policy->name());
      // The hash key goes only to engines: with it anyone could test
      // guesses against pseudonyms.
      if (mask.type == v1::MASK_HASH && !engine) continue;
      column->set_expression(policy::MaskExpression(
          mask.type, dialect, policy::QuoteIdentifier(dialect, mask.field),
          mask.policy ? mask.policy->custom_expression() : "", mask_key_));
    }
    return absl::OkStatus();
  }));
  result.set_etag(absl::BytesToHexString(policy::Sha256(result.SerializeAsString())).substr(0, 16));
  return result;
}

}  // namespace cadastre::access
