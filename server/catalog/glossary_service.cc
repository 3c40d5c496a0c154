#include "server/catalog/glossary_service.h"
#include "server/common/strings.h"

#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "server/catalog/dataset_access.h"
#include "server/catalog/dataset_writes.h"
#include "server/catalog/entity_writes.h"
#include "server/catalog/validation.h"
#include "server/catalog/versioning.h"
#include "server/common/status.h"

namespace cadastre::catalog {
namespace {

using policy::Caller;
using policy::Resource;

absl::Status TermNotFound(const std::string& name, std::string_view field) {
  return WithField(absl::NotFoundError(absl::StrCat("glossary term '", name, "' not found")),
                   field);
}

// Leaves out the linked columns of datasets the caller does not see.
absl::Status KeepVisibleColumns(store::ReadTxn& txn, const policy::Authorizer& authorizer,
                                const Caller& caller, v1::GlossaryTerm* term) {
  if (authorizer.AccessOf(caller).Everywhere(v1::READ_METADATA)) return absl::OkStatus();
  google::protobuf::RepeatedPtrField<v1::ColumnRef> kept;
  for (const v1::ColumnRef& column : term->columns()) {
    ASSIGN_OR_RETURN(bool visible,
                     CanSeeDataset(txn, authorizer, caller, column.namespace_(), column.dataset()));
    if (visible) *kept.Add() = column;
  }
  term->mutable_columns()->Swap(&kept);
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<v1::GlossaryTerm> GlossaryService::PutTerm(const Caller& caller,
                                                          const v1::PutTermRequest& request) {
  ASSIGN_OR_RETURN(v1::GlossaryTerm next, TermFromRequest(request));
  RETURN_IF_ERROR(authorizer_->Check(caller, v1::MANAGE_GLOSSARY,
                                     Resource::Term(request.name())));
  v1::GlossaryTerm result;
  RETURN_IF_ERROR(store_->Write([&](store::WriteTxn& txn) -> absl::Status {
    auto existing = txn.GetTerm(request.name());
    if (!existing.ok() && !absl::IsNotFound(existing.status())) return existing.status();
    RETURN_IF_ERROR(
        SaveTerm(txn, caller, clock_->Now(), existing.ok() ? &*existing : nullptr, next).status());
    ASSIGN_OR_RETURN(result, txn.GetTerm(request.name()));
    return KeepVisibleColumns(txn, *authorizer_, caller, &result);
  }));
  return result;
}

absl::StatusOr<v1::GlossaryTerm> GlossaryService::GetTerm(const Caller& caller,
                                                          const v1::GetTermRequest& request) {
  RETURN_IF_ERROR(ValidateName("name", request.name()));
  RETURN_IF_ERROR(
      authorizer_->Check(caller, v1::READ_METADATA, Resource::Term(request.name())));
  v1::GlossaryTerm result;
  RETURN_IF_ERROR(store_->Read([&](store::ReadTxn& txn) -> absl::Status {
    auto found = txn.GetTerm(request.name());
    if (absl::IsNotFound(found.status())) return TermNotFound(request.name(), "name");
    RETURN_IF_ERROR(found.status());
    result = *std::move(found);
    return KeepVisibleColumns(txn, *authorizer_, caller, &result);
  }));
  return result;
}

absl::StatusOr<v1::ListTermsResponse> GlossaryService::ListTerms(
    const Caller& caller, const v1::ListTermsRequest& request) {
  RETURN_IF_ERROR(authorizer_->Check(caller, v1::READ_METADATA, Resource::Term("")));
  v1::ListTermsResponse result;
  RETURN_IF_ERROR(store_->Read([&](store::ReadTxn& txn) -> absl::Status {
    ASSIGN_OR_RETURN(auto terms, txn.ListTerms());
    for (auto& term : terms) {
      RETURN_IF_ERROR(KeepVisibleColumns(txn, *authorizer_, caller, &term));
      *result.add_terms() = std::move(term);
    }
    return absl::OkStatus();
  }));
  return result;
}

absl::StatusOr<v1::GlossaryTerm> GlossaryService::DeleteTerm(
    const Caller& caller, const v1::DeleteTermRequest& request) {
  RETURN_IF_ERROR(ValidateName("name", request.name()));
  RETURN_IF_ERROR(authorizer_->Check(caller, v1::MANAGE_GLOSSARY,
                                     Resource::Term(request.name())));
  v1::GlossaryTerm result;
  RETURN_IF_ERROR(store_->Write([&](store::WriteTxn& txn) -> absl::Status {
    auto found = txn.GetTerm(request.name());
    if (absl::IsNotFound(found.status())) return TermNotFound(request.name(), "name");
    RETURN_IF_ERROR(found.status());
    RETURN_IF_ERROR(WithoutDependents(RemoveTerm(txn, caller, clock_->Now(), *found),
                                      *authorizer_, caller,
                                      absl::StrCat("glossary term '", request.name(), "'")));
    result = *std::move(found);
    return absl::OkStatus();
  }));
  return result;
}

absl::StatusOr<v1::ListVersionsResponse> GlossaryService::ListTermVersions(
    const Caller& caller, const v1::ListTermVersionsRequest& request) {
  RETURN_IF_ERROR(ValidateName("name", request.name()));
  ASSIGN_OR_RETURN(store::Page page, ValidatePage(LimitOf(request), request.offset()));
  RETURN_IF_ERROR(
      authorizer_->Check(caller, v1::READ_METADATA, Resource::Term(request.name())));
  v1::ListVersionsResponse result;
  RETURN_IF_ERROR(store_->Read([&](store::ReadTxn& txn) -> absl::Status {
    ASSIGN_OR_RETURN(auto listing, txn.ListVersions(kTermEntity, request.name(), page));
    if (listing.total_count == 0) return TermNotFound(request.name(), "name");
    for (auto& version : listing.items) *result.add_versions() = std::move(version);
    result.set_total_count(listing.total_count);
    return absl::OkStatus();
  }));
  return result;
}

absl::StatusOr<v1::Dataset> GlossaryService::LinkTerm(const Caller& caller,
                                                      const v1::LinkTermRequest& request) {
  return SetLink(caller, request, true);
}

absl::StatusOr<v1::Dataset> GlossaryService::UnlinkTerm(const Caller& caller,
                                                        const v1::LinkTermRequest& request) {
  return SetLink(caller, request, false);
}

absl::StatusOr<v1::Dataset> GlossaryService::SetLink(const Caller& caller,
                                                     const v1::LinkTermRequest& request,
                                                     bool linked) {
  RETURN_IF_ERROR(ValidateName("namespace", request.namespace_()));
  RETURN_IF_ERROR(ValidateName("dataset", request.dataset()));
  RETURN_IF_ERROR(ValidateName("field", request.field()));
  RETURN_IF_ERROR(ValidateName("term", request.term()));
  RETURN_IF_ERROR(authorizer_->Check(caller, v1::MANAGE_GLOSSARY, Resource::System()));
  v1::Dataset result;
  RETURN_IF_ERROR(store_->Write([&](store::WriteTxn& txn) -> absl::Status {
    auto before = LoadDatasetFor(txn, *authorizer_, caller, v1::MANAGE_GLOSSARY,
                                 request.namespace_(), request.dataset(), "dataset");
    RETURN_IF_ERROR(before.status());
    auto term = txn.GetTerm(request.term());
    if (absl::IsNotFound(term.status())) return TermNotFound(request.term(), "term");
    RETURN_IF_ERROR(term.status());
    v1::Dataset after = *before;
    ASSIGN_OR_RETURN(int index, FindField(after, request.field()));
    SetMember(after.mutable_fields(index)->mutable_glossary_terms(), request.term(), linked);
    ASSIGN_OR_RETURN(result, SaveDataset(txn, caller, clock_->Now(), &*before, after, "UPDATE"));
    return absl::OkStatus();
  }));
  return result;
}

}  // namespace cadastre::catalog
