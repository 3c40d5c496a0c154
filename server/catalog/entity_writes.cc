#include "server/catalog/entity_writes.h"

#include <algorithm>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "server/catalog/validation.h"
#include "server/catalog/versioning.h"
#include "server/common/status.h"

namespace cadastre::catalog {
namespace {

// A parent chain longer than this is treated as a cycle: no real glossary
// is this deep, and the walk must stay bounded.
constexpr int kMaxTermDepth = 1000;

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
      return InvalidField("parent",
                          absl::StrCat("parent '", term.parent(), "' would make a cycle"));
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

// Removes repeated entries, keeping the first occurrence's position.
void Dedupe(google::protobuf::RepeatedPtrField<std::string>* values) {
  std::set<std::string> seen;
  auto end = std::remove_if(values->begin(), values->end(),
                            [&](const std::string& v) { return !seen.insert(v).second; });
  values->erase(end, values->end());
}

absl::Status ValidateTags(const std::string& prefix,
                          google::protobuf::RepeatedPtrField<std::string>* tags) {
  for (int i = 0; i < tags->size(); i++) {
    RETURN_IF_ERROR(ValidateTagName(absl::StrCat(prefix, "[", i, "]"), tags->Get(i)));
  }
  Dedupe(tags);
  return absl::OkStatus();
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

}  // namespace

absl::StatusOr<v1::Dataset> DatasetFromRequest(const v1::PutDatasetRequest& request) {
  RETURN_IF_ERROR(ValidateName("namespace", request.namespace_()));
  RETURN_IF_ERROR(ValidateName("name", request.name()));
  v1::Dataset out = request.dataset();
  out.clear_id();
  out.clear_created_at();
  out.clear_updated_at();
  out.clear_last_modified_at();
  out.clear_current_version();
  out.clear_run_id();
  out.clear_schema_location();
  out.set_deleted(false);
  out.set_namespace_(request.namespace_());
  out.set_name(request.name());

  if (!v1::DatasetType_IsValid(out.type())) return InvalidField("type", "unknown dataset type");
  if (out.type() == v1::DATASET_TYPE_UNSPECIFIED) out.set_type(v1::DB_TABLE);
  for (auto [field, value] :
       {std::pair{"physicalName", &out.physical_name()},
        std::pair{"sourceName", &out.source_name()}, std::pair{"displayName", &out.display_name()},
        std::pair{"domain", &out.domain()},
        std::pair{"updateFrequency", &out.update_frequency()}}) {
    if (value->size() > kMaxNameBytes) {
      return InvalidField(field, absl::StrCat("must be at most ", kMaxNameBytes, " bytes"));
    }
    RETURN_IF_ERROR(ValidateText(field, *value));
  }
  RETURN_IF_ERROR(ValidateText("description", out.description()));
  RETURN_IF_ERROR(ValidateTags("tags", out.mutable_tags()));

  std::set<std::string> names;
  for (int i = 0; i < out.fields_size(); i++) {
    v1::Field* field = out.mutable_fields(i);
    const std::string path = absl::StrCat("fields[", i, "]");
    RETURN_IF_ERROR(ValidateName(path + ".name", field->name()));
    if (!names.insert(field->name()).second) {
      return InvalidField(path + ".name", absl::StrCat("duplicate field '", field->name(), "'"));
    }
    if (field->type().size() > kMaxNameBytes) {
      return InvalidField(path + ".type",
                          absl::StrCat("must be at most ", kMaxNameBytes, " bytes"));
    }
    RETURN_IF_ERROR(ValidateText(path + ".type", field->type()));
    RETURN_IF_ERROR(ValidateText(path + ".description", field->description()));
    if (field->ordinal_position() < 0) {
      return InvalidField(path + ".ordinalPosition", "must not be negative");
    }
    if (field->ordinal_position() == 0) field->set_ordinal_position(i + 1);
    RETURN_IF_ERROR(ValidateTags(path + ".tags", field->mutable_tags()));
    RETURN_IF_ERROR(ValidateTags(path + ".blockedTags", field->mutable_blocked_tags()));
    for (int t = 0; t < field->glossary_terms_size(); t++) {
      RETURN_IF_ERROR(
          ValidateName(absl::StrCat(path, ".glossaryTerms[", t, "]"), field->glossary_terms(t)));
    }
    Dedupe(field->mutable_glossary_terms());
  }
  std::stable_sort(out.mutable_fields()->begin(), out.mutable_fields()->end(),
                   [](const v1::Field& a, const v1::Field& b) {
                     return a.ordinal_position() < b.ordinal_position();
                   });

  std::set<std::pair<std::string, int>> owners;
  google::protobuf::RepeatedPtrField<v1::Owner> kept;
  for (int i = 0; i < out.owners_size(); i++) {
    v1::Owner owner = out.owners(i);
    const std::string path = absl::StrCat("owners[", i, "]");
    RETURN_IF_ERROR(ValidateName(path + ".name", owner.name()));
    if (!v1::OwnerType_IsValid(owner.type()))
      return InvalidField(path + ".type", "unknown owner type");
    if (!v1::OwnershipRole_IsValid(owner.role()))
      return InvalidField(path + ".role", "unknown role");
    if (owner.type() == v1::OWNER_TYPE_UNSPECIFIED) owner.set_type(v1::USER);
    if (owner.role() == v1::OWNERSHIP_ROLE_UNSPECIFIED) owner.set_role(v1::OWNER);
    if (owners.insert({owner.name(), owner.role()}).second) *kept.Add() = std::move(owner);
  }
  out.mutable_owners()->Swap(&kept);

  for (const auto& [key, value] : out.custom_properties()) {
    if (key.empty() || key.size() > kMaxTagBytes) {
      return InvalidField("customProperties",
                          absl::StrCat("keys must be 1 to ", kMaxTagBytes, " bytes"));
    }
    RETURN_IF_ERROR(ValidateText(absl::StrCat("customProperties.", key), value));
  }
  return out;
}

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
    if (out.parent() == out.name())
      return InvalidField("parent", "a term cannot be its own parent");
  }
  return out;
}

v1::GlossaryTerm ComparableTerm(const v1::GlossaryTerm& term) {
  v1::GlossaryTerm out = term;
  out.clear_columns();
  out.clear_created_at();
  out.clear_updated_at();
  return out;
}

absl::StatusOr<int64_t> SaveNamespace(store::WriteTxn& txn, const policy::Caller& caller,
                                      absl::Time now, const v1::Namespace* existing,
                                      const v1::Namespace& next) {
  std::string operation = "CREATE";
  v1::Namespace before;
  if (existing != nullptr) {
    before = *existing;
    before.clear_created_at();
    before.clear_updated_at();
    operation = existing->is_hidden() ? "RESTORE" : "UPDATE";
  }
  v1::Namespace stored = next;
  stored.clear_created_at();
  stored.clear_updated_at();
  stored.clear_is_hidden();  // saving a hidden namespace restores it
  ASSIGN_OR_RETURN(int64_t version,
                   RecordVersion(txn, caller, now, kNamespaceEntity, next.name(), operation,
                                 existing != nullptr ? &before : nullptr, stored));
  if (version == 0) return 0;
  *stored.mutable_created_at() = existing != nullptr ? existing->created_at() : TimeToProto(now);
  *stored.mutable_updated_at() = TimeToProto(now);
  RETURN_IF_ERROR(txn.PutNamespace(stored));
  return version;
}

absl::StatusOr<int64_t> SaveTerm(store::WriteTxn& txn, const policy::Caller& caller, absl::Time now,
                                 const v1::GlossaryTerm* existing, v1::GlossaryTerm next) {
  if (next.status() == v1::TERM_STATUS_UNSPECIFIED) {
    next.set_status(existing != nullptr ? existing->status() : v1::DRAFT);
  }
  if (existing != nullptr && existing->status() != v1::DRAFT && next.status() == v1::DRAFT) {
    return WithField(absl::FailedPreconditionError(absl::StrCat(
                         "glossary term '", next.name(), "' is ",
                         v1::TermStatus_Name(existing->status()), " and cannot return to DRAFT")),
                     "status");
  }
  RETURN_IF_ERROR(CheckTermReferences(txn, next));
  v1::GlossaryTerm before;
  if (existing != nullptr) before = ComparableTerm(*existing);
  ASSIGN_OR_RETURN(int64_t version, RecordVersion(txn, caller, now, kTermEntity, next.name(),
                                                  existing != nullptr ? "UPDATE" : "CREATE",
                                                  existing != nullptr ? &before : nullptr, next));
  if (version == 0) return 0;
  *next.mutable_created_at() = existing != nullptr ? existing->created_at() : TimeToProto(now);
  *next.mutable_updated_at() = TimeToProto(now);
  RETURN_IF_ERROR(txn.PutTerm(next));
  return version;
}

absl::Status RemoveTerm(store::WriteTxn& txn, const policy::Caller& caller, absl::Time now,
                        const v1::GlossaryTerm& existing) {
  ASSIGN_OR_RETURN(auto dependents, txn.TermDependents(existing.name(), 10));
  if (!dependents.empty()) {
    return WithField(absl::FailedPreconditionError(
                         absl::StrCat("glossary term '", existing.name(),
                                      "' is still used by: ", absl::StrJoin(dependents, ", "))),
                     "name");
  }
  v1::GlossaryTerm before = ComparableTerm(existing);
  v1::GlossaryTerm gone;
  gone.set_name(existing.name());
  RETURN_IF_ERROR(
      RecordVersion(txn, caller, now, kTermEntity, existing.name(), "DELETE", &before, gone)
          .status());
  return txn.DeleteTerm(existing.name());
}

}  // namespace cadastre::catalog
