#include "server/catalog/glossary_service.h"
#include "server/common/strings.h"

#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "server/catalog/dataset_access.h"
#include "server/catalog/dataset_writes.h"
#include "server/catalog/validation.h"
#include "server/catalog/versioning.h"
#include "server/common/status.h"

namespace cadastre::catalog {
namespace {

using policy::Caller;
using policy::Resource;

// A parent chain longer than this is treated as a cycle: no real glossary
// is this deep, and the walk must stay bounded.
constexpr int kMaxTermDepth = 1000;

absl::Status TermNotFound(const std::string& name, std::string_view field) {
  return WithField(absl::NotFoundError(absl::StrCat("glossary term '", name, "' not found")),
                   field);
}

absl::Status ValidateNames(const std::string& prefix,
                           google::protobuf::RepeatedPtrField<std::string>* names) {
  std::set<std::string> seen;
  google::protobuf::RepeatedPtrField<std::string> kept;
  for (int i = 0; i < names->size(); i++) {
    RETURN_IF_ERROR(ValidateName(absl::StrCat(prefix, "[", i, "]"), names->Get(i)));
    if (seen.insert(names->Get(i)).second) *kept.Add() = names->Get(i);
  }
  names->Swap(&kept);
  return absl::OkStatus();
}

// The term a PUT asks for, validated, before references are checked.
absl::StatusOr<v1::GlossaryTerm> TermFromRequest(const v1::PutTermRequest& request) {
  RETURN_IF_ERROR(ValidateName("name", request.name()));
  v1::GlossaryTerm out = request.term();
  out.set_name(request.name());
  out.clear_columns();
  out.clear_created_at();
  out.clear_updated_at();
  RETURN_IF_ERROR(ValidateText("definition", out.definition()));
  RETURN_IF_ERROR(ValidateText("formula", out.formula()));
  if (out.unit().size() > kMaxNameBytes) {
    return InvalidField("unit", absl::StrCat("must be at most ", kMaxNameBytes, " bytes"));
  }
  RETURN_IF_ERROR(ValidateText("unit", out.unit()));
  if (!v1::TermStatus_IsValid(out.status())) return InvalidField("status", "unknown status");
  RETURN_IF_ERROR(ValidateNames("synonyms", out.mutable_synonyms()));
  RETURN_IF_ERROR(ValidateNames("reviewers", out.mutable_reviewers()));
  RETURN_IF_ERROR(ValidateNames("relatedTerms", out.mutable_related_terms()));
  for (int i = 0; i < out.related_terms_size(); i++) {
    if (out.related_terms(i) == out.name()) {
      return InvalidField(absl::StrCat("relatedTerms[", i, "]"),
                          "a term cannot be related to itself");
    }
  }
  if (!out.parent().empty()) {
    RETURN_IF_ERROR(ValidateName("parent", out.parent()));
    if (out.parent() == out.name()) return InvalidField("parent", "a term cannot be its own parent");
  }
  return out;
}

// Parent and related terms exist, and the parent chain does not lead back.
absl::Status CheckTermReferences(store::ReadTxn& txn, const v1::GlossaryTerm& term) {
  for (int i = 0; i < term.related_terms_size(); i++) {
    auto related = txn.GetTerm(term.related_terms(i));
    if (absl::IsNotFound(related.status())) {
      return InvalidField(absl::StrCat("relatedTerms[", i, "]"),
                          absl::StrCat("unknown glossary term '", term.related_terms(i), "'"));
    }
    RETURN_IF_ERROR(related.status());
  }
  std::string ancestor = term.parent();
  for (int depth = 0; !ancestor.empty(); depth++) {
    if (ancestor == term.name() || depth > kMaxTermDepth) {
      return InvalidField("parent", absl::StrCat("parent '", term.parent(), "' would make a cycle"));
    }
    auto found = txn.GetTerm(ancestor);
    if (absl::IsNotFound(found.status())) {
      return InvalidField("parent", absl::StrCat("unknown glossary term '", ancestor, "'"));
    }
    RETURN_IF_ERROR(found.status());
    ancestor = found->parent();
  }
  return absl::OkStatus();
}

v1::GlossaryTerm Comparable(const v1::GlossaryTerm& term) {
  v1::GlossaryTerm out = term;
  out.clear_columns();
  out.clear_created_at();
  out.clear_updated_at();
  return out;
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
    const absl::Time now = clock_->Now();
    auto existing = txn.GetTerm(request.name());
    if (!existing.ok() && !absl::IsNotFound(existing.status())) return existing.status();
    if (next.status() == v1::TERM_STATUS_UNSPECIFIED) {
      next.set_status(existing.ok() ? existing->status() : v1::DRAFT);
    }
    if (existing.ok() && existing->status() != v1::DRAFT && next.status() == v1::DRAFT) {
      return WithField(absl::FailedPreconditionError(absl::StrCat(
                           "glossary term '", request.name(), "' is ",
                           v1::TermStatus_Name(existing->status()), " and cannot return to DRAFT")),
                       "status");
    }
    RETURN_IF_ERROR(CheckTermReferences(txn, next));
    v1::GlossaryTerm before;
    if (existing.ok()) before = Comparable(*existing);
    ASSIGN_OR_RETURN(int64_t version,
                     RecordVersion(txn, caller, now, kTermEntity, request.name(),
                                   existing.ok() ? "UPDATE" : "CREATE",
                                   existing.ok() ? &before : nullptr, next));
    if (version != 0) {
      *next.mutable_created_at() = existing.ok() ? existing->created_at() : TimeToProto(now);
      *next.mutable_updated_at() = TimeToProto(now);
      RETURN_IF_ERROR(txn.PutTerm(next));
    }
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
    ASSIGN_OR_RETURN(auto dependents, txn.TermDependents(request.name(), 10));
    if (!dependents.empty()) {
      return WithoutDependents(
          WithField(absl::FailedPreconditionError(
                        absl::StrCat("glossary term '", request.name(),
                                     "' is still used by: ", absl::StrJoin(dependents, ", "))),
                    "name"),
          *authorizer_, caller, absl::StrCat("glossary term '", request.name(), "'"));
    }
    v1::GlossaryTerm before = Comparable(*found);
    v1::GlossaryTerm gone;
    gone.set_name(request.name());
    RETURN_IF_ERROR(RecordVersion(txn, caller, clock_->Now(), kTermEntity, request.name(),
                                  "DELETE", &before, gone)
                        .status());
    RETURN_IF_ERROR(txn.DeleteTerm(request.name()));
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
