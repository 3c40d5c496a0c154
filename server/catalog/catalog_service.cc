#include "server/catalog/catalog_service.h"
#include "server/common/strings.h"

#include <algorithm>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "google/protobuf/util/json_util.h"
#include "server/catalog/dataset_access.h"
#include "server/catalog/dataset_writes.h"
#include "server/catalog/validation.h"
#include "server/catalog/versioning.h"
#include "server/common/status.h"

namespace cadastre::catalog {
namespace {

using policy::Resource;

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

// The dataset a PUT asks for, validated and with defaults applied.
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
  for (auto [field, value] : {std::pair{"physicalName", &out.physical_name()},
                              std::pair{"sourceName", &out.source_name()},
                              std::pair{"displayName", &out.display_name()},
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
      return InvalidField(path + ".type", absl::StrCat("must be at most ", kMaxNameBytes, " bytes"));
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
    if (!v1::OwnerType_IsValid(owner.type())) return InvalidField(path + ".type", "unknown owner type");
    if (!v1::OwnershipRole_IsValid(owner.role())) return InvalidField(path + ".role", "unknown role");
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

v1::DatasetVersion ToDatasetVersion(const v1::EntityVersion& version, std::string_view ns,
                                    std::string_view name) {
  v1::DatasetVersion out;
  v1::Dataset snapshot;
  std::string json;
  (void)google::protobuf::util::MessageToJsonString(version.snapshot(), &json);
  google::protobuf::util::JsonParseOptions lenient;
  lenient.ignore_unknown_fields = true;
  (void)google::protobuf::util::JsonStringToMessage(json, &snapshot, lenient);
  snapshot.set_namespace_(std::string(ns));
  snapshot.set_name(std::string(name));
  snapshot.set_current_version(absl::StrCat(version.version()));
  const std::string number = absl::StrCat(version.version());
  out.mutable_id()->set_namespace_(std::string(ns));
  out.mutable_id()->set_name(std::string(name));
  out.mutable_id()->set_version(number);
  out.set_type(snapshot.type());
  out.set_name(std::string(name));
  out.set_physical_name(snapshot.physical_name());
  *out.mutable_created_at() = version.created_at();
  out.set_version(number);
  out.set_namespace_(std::string(ns));
  out.set_source_name(snapshot.source_name());
  *out.mutable_fields() = snapshot.fields();
  *out.mutable_tags() = snapshot.tags();
  out.set_lifecycle_state(snapshot.deleted() ? "DROP" : "");
  out.set_description(snapshot.description());
  if (snapshot.has_facets()) *out.mutable_facets() = snapshot.facets();
  out.set_created_by(version.actor());
  out.set_operation(version.operation());
  *out.mutable_changes() = version.changes();
  *out.mutable_dataset() = std::move(snapshot);
  return out;
}

}  // namespace

// ---------------------------------------------------------------- namespaces

absl::StatusOr<v1::Namespace> CatalogService::PutNamespace(const Caller& caller,
                                                           const v1::PutNamespaceRequest& request) {
  RETURN_IF_ERROR(ValidateName("name", request.name()));
  RETURN_IF_ERROR(authorizer_->Check(caller, v1::EDIT_METADATA,
                                     Resource::Namespace(request.name())));
  RETURN_IF_ERROR(ValidateText("description", request.namespace_().description()));
  if (request.namespace_().owner_name().size() > kMaxNameBytes) {
    return InvalidField("ownerName", absl::StrCat("must be at most ", kMaxNameBytes, " bytes"));
  }
  RETURN_IF_ERROR(ValidateText("ownerName", request.namespace_().owner_name()));
  v1::Namespace result;
  RETURN_IF_ERROR(store_->Write([&](store::WriteTxn& txn) -> absl::Status {
    const absl::Time now = clock_->Now();
    auto existing = txn.GetNamespace(request.name());
    if (!existing.ok() && !absl::IsNotFound(existing.status())) return existing.status();
    if (existing.ok() && !existing->is_hidden()) {
      // Only a caller who sees the namespace may change it (and see what
      // the answer holds).
      ASSIGN_OR_RETURN(bool visible, CanSeeNamespace(txn, *authorizer_, caller, request.name()));
      if (!visible) return absl::PermissionDeniedError("permission denied");
    }
    v1::Namespace next;
    next.set_name(request.name());
    next.set_owner_name(request.namespace_().owner_name());
    next.set_description(request.namespace_().description());
    std::string operation = "CREATE";
    v1::Namespace before;
    if (existing.ok()) {
      before = *existing;
      before.clear_created_at();
      before.clear_updated_at();
      operation = existing->is_hidden() ? "RESTORE" : "UPDATE";
    }
    ASSIGN_OR_RETURN(int64_t version,
                     RecordVersion(txn, caller, now, kNamespaceEntity, request.name(), operation,
                                   existing.ok() ? &before : nullptr, next));
    if (version == 0) {
      result = *existing;
      return absl::OkStatus();
    }
    *next.mutable_created_at() = existing.ok() ? existing->created_at() : TimeToProto(now);
    *next.mutable_updated_at() = TimeToProto(now);
    RETURN_IF_ERROR(txn.PutNamespace(next));
    ASSIGN_OR_RETURN(result, txn.GetNamespace(request.name()));
    return absl::OkStatus();
  }));
  return result;
}

absl::StatusOr<v1::Namespace> CatalogService::GetNamespace(const Caller& caller,
                                                           const v1::GetNamespaceRequest& request) {
  RETURN_IF_ERROR(ValidateName("name", request.name()));
  RETURN_IF_ERROR(authorizer_->Check(caller, v1::READ_METADATA,
                                     Resource::Namespace(request.name())));
  v1::Namespace result;
  RETURN_IF_ERROR(store_->Read([&](store::ReadTxn& txn) -> absl::Status {
    auto found = txn.GetNamespace(request.name());
    if (absl::IsNotFound(found.status()) || (found.ok() && found->is_hidden())) {
      return WithField(NamespaceNotFound(request.name()), "name");
    }
    RETURN_IF_ERROR(found.status());
    ASSIGN_OR_RETURN(bool visible, CanSeeNamespace(txn, *authorizer_, caller, request.name()));
    if (!visible) return WithField(NamespaceNotFound(request.name()), "name");
    result = *std::move(found);
    return absl::OkStatus();
  }));
  return result;
}

absl::StatusOr<v1::ListNamespacesResponse> CatalogService::ListNamespaces(
    const Caller& caller, const v1::ListNamespacesRequest& request) {
  ASSIGN_OR_RETURN(store::Page page, ValidatePage(LimitOf(request), request.offset()));
  RETURN_IF_ERROR(authorizer_->Check(caller, v1::READ_METADATA, Resource::Namespace("")));
  v1::ListNamespacesResponse result;
  RETURN_IF_ERROR(store_->Read([&](store::ReadTxn& txn) -> absl::Status {
    if (authorizer_->AccessOf(caller).Everywhere(v1::READ_METADATA)) {
      ASSIGN_OR_RETURN(auto listing, txn.ListNamespaces(page, /*include_hidden=*/false));
      for (auto& ns : listing.items) *result.add_namespaces() = std::move(ns);
      result.set_total_count(listing.total_count);
      return absl::OkStatus();
    }
    // A scoped caller sees the namespaces that hold a dataset it sees.
    ASSIGN_OR_RETURN(auto visible, VisibleDatasets(txn, *authorizer_, caller, ""));
    std::vector<std::string> names;
    for (const store::DatasetInfo& info : visible) {
      if (names.empty() || names.back() != info.ns) names.push_back(info.ns);
    }
    result.set_total_count(static_cast<int>(names.size()));
    for (size_t i = page.offset; i < names.size() && i < page.offset + page.limit; ++i) {
      ASSIGN_OR_RETURN(*result.add_namespaces(), txn.GetNamespace(names[i]));
    }
    return absl::OkStatus();
  }));
  return result;
}

absl::StatusOr<v1::Namespace> CatalogService::DeleteNamespace(
    const Caller& caller, const v1::DeleteNamespaceRequest& request) {
  RETURN_IF_ERROR(ValidateName("name", request.name()));
  RETURN_IF_ERROR(authorizer_->Check(caller, v1::EDIT_METADATA,
                                     Resource::Namespace(request.name())));
  v1::Namespace result;
  RETURN_IF_ERROR(store_->Write([&](store::WriteTxn& txn) -> absl::Status {
    auto found = txn.GetNamespace(request.name());
    if (absl::IsNotFound(found.status()) || (found.ok() && found->is_hidden())) {
      return WithField(NamespaceNotFound(request.name()), "name");
    }
    RETURN_IF_ERROR(found.status());
    // The refusal below names datasets, so only a caller who may edit
    // every dataset may delete a namespace.
    ASSIGN_OR_RETURN(bool visible, CanSeeNamespace(txn, *authorizer_, caller, request.name()));
    if (!visible) return WithField(NamespaceNotFound(request.name()), "name");
    if (!authorizer_->AccessOf(caller).Everywhere(v1::EDIT_METADATA)) {
      return absl::PermissionDeniedError("permission denied");
    }
    ASSIGN_OR_RETURN(auto live, txn.ListDatasets(request.name(), store::Page{5, 0},
                                                 /*include_deleted=*/false));
    if (live.total_count > 0) {
      std::vector<std::string> names;
      for (const auto& d : live.items) names.push_back(d.name());
      return WithField(
          absl::FailedPreconditionError(absl::StrCat(
              "namespace '", request.name(), "' still holds ", live.total_count,
              " dataset(s) (", absl::StrJoin(names, ", "),
              live.total_count > static_cast<int>(names.size()) ? ", …" : "",
              "); delete them first")),
          "name");
    }
    v1::Namespace before = *found;
    v1::Namespace after = *found;
    after.set_is_hidden(true);
    before.clear_created_at();
    before.clear_updated_at();
    v1::Namespace compared = after;
    compared.clear_created_at();
    compared.clear_updated_at();
    RETURN_IF_ERROR(RecordVersion(txn, caller, clock_->Now(), kNamespaceEntity, request.name(),
                                  "DELETE", &before, compared)
                        .status());
    *after.mutable_updated_at() = TimeToProto(clock_->Now());
    RETURN_IF_ERROR(txn.PutNamespace(after));
    result = std::move(after);
    return absl::OkStatus();
  }));
  return result;
}

// ------------------------------------------------------------------ datasets

absl::StatusOr<v1::Dataset> CatalogService::PutDataset(const Caller& caller,
                                                       const v1::PutDatasetRequest& request) {
  ASSIGN_OR_RETURN(v1::Dataset wanted, DatasetFromRequest(request));
  RETURN_IF_ERROR(authorizer_->Check(caller, v1::EDIT_METADATA, Resource::System()));
  v1::Dataset result;
  std::vector<int64_t> removed;
  RETURN_IF_ERROR(store_->Write([&](store::WriteTxn& txn) -> absl::Status {
    auto existing = LoadAnyDataset(txn, request.namespace_(), request.name());
    if (!existing.ok() && FieldOf(existing.status()) == "namespace") return existing.status();
    if (!existing.ok() && !absl::IsNotFound(existing.status())) return existing.status();
    // The dataset as it will be must be within the caller's scope (a new
    // one, or one moved to another domain). Checked first, and as if a
    // hidden dataset of that name did not exist, so that the answer does not
    // tell a hidden dataset from a free name.
    const bool visible = existing.ok() && authorizer_->CanSee(caller, ScopeOf(*existing));
    wanted.set_created_by(visible ? existing->created_by() : caller.principal);
    RETURN_IF_ERROR(authorizer_->CheckDataset(caller, v1::EDIT_METADATA, ScopeOf(wanted),
                                              absl::PermissionDeniedError("permission denied")));
    if (existing.ok()) {
      RETURN_IF_ERROR(LoadDatasetFor(txn, *authorizer_, caller, v1::EDIT_METADATA,
                                     request.namespace_(), request.name(), "name", true)
                          .status());
    }
    std::string operation = !existing.ok()           ? "CREATE"
                            : existing->deleted()    ? "RESTORE"
                                                     : "UPDATE";
    ASSIGN_OR_RETURN(result, SaveDataset(txn, caller, clock_->Now(),
                                         existing.ok() ? &*existing : nullptr, wanted, operation,
                                         &removed));
    if (hooks_) RETURN_IF_ERROR(hooks_->Decorate(txn, caller, result));
    return absl::OkStatus();
  }));
  if (hooks_ && !removed.empty()) hooks_->FieldsRemoved(removed);
  return result;
}

absl::StatusOr<v1::Dataset> CatalogService::GetDataset(const Caller& caller,
                                                       const v1::GetDatasetRequest& request) {
  RETURN_IF_ERROR(ValidateName("namespace", request.namespace_()));
  RETURN_IF_ERROR(ValidateName("name", request.name()));
  RETURN_IF_ERROR(authorizer_->Check(caller, v1::READ_METADATA, Resource::System()));
  v1::Dataset result;
  RETURN_IF_ERROR(store_->Read([&](store::ReadTxn& txn) -> absl::Status {
    ASSIGN_OR_RETURN(result, LoadDatasetFor(txn, *authorizer_, caller, v1::READ_METADATA,
                                            request.namespace_(), request.name()));
    if (hooks_) RETURN_IF_ERROR(hooks_->Decorate(txn, caller, result));
    return absl::OkStatus();
  }));
  return result;
}

absl::StatusOr<v1::ListDatasetsResponse> CatalogService::ListDatasets(
    const Caller& caller, const v1::ListDatasetsRequest& request) {
  RETURN_IF_ERROR(ValidateName("namespace", request.namespace_()));
  ASSIGN_OR_RETURN(store::Page page, ValidatePage(LimitOf(request), request.offset()));
  RETURN_IF_ERROR(authorizer_->Check(caller, v1::READ_METADATA,
                                     Resource::Namespace(request.namespace_())));
  v1::ListDatasetsResponse result;
  RETURN_IF_ERROR(store_->Read([&](store::ReadTxn& txn) -> absl::Status {
    auto ns = txn.GetNamespace(request.namespace_());
    if (absl::IsNotFound(ns.status()) || (ns.ok() && ns->is_hidden())) {
      return NamespaceNotFound(request.namespace_());
    }
    RETURN_IF_ERROR(ns.status());
    if (authorizer_->AccessOf(caller).Everywhere(v1::READ_METADATA)) {
      ASSIGN_OR_RETURN(auto listing, txn.ListDatasets(request.namespace_(), page, false));
      for (auto& dataset : listing.items) {
        RETURN_IF_ERROR(Decorate(txn, dataset));
        *result.add_datasets() = std::move(dataset);
      }
      result.set_total_count(listing.total_count);
      return absl::OkStatus();
    }
    ASSIGN_OR_RETURN(auto visible, VisibleDatasets(txn, *authorizer_, caller, request.namespace_()));
    if (visible.empty()) return NamespaceNotFound(request.namespace_());
    result.set_total_count(static_cast<int>(visible.size()));
    for (size_t i = page.offset; i < visible.size() && i < page.offset + page.limit; ++i) {
      ASSIGN_OR_RETURN(*result.add_datasets(),
                       LoadLiveDataset(txn, visible[i].ns, visible[i].name));
    }
    return absl::OkStatus();
  }));
  return result;
}

absl::StatusOr<v1::Dataset> CatalogService::DeleteDataset(const Caller& caller,
                                                          const v1::DeleteDatasetRequest& request) {
  return SetDeleted(caller, request.namespace_(), request.name(), true);
}

absl::StatusOr<v1::Dataset> CatalogService::RestoreDataset(
    const Caller& caller, const v1::RestoreDatasetRequest& request) {
  return SetDeleted(caller, request.namespace_(), request.name(), false);
}

absl::StatusOr<v1::Dataset> CatalogService::SetDeleted(const Caller& caller, const std::string& ns,
                                                       const std::string& name, bool deleted) {
  RETURN_IF_ERROR(ValidateName("namespace", ns));
  RETURN_IF_ERROR(ValidateName("name", name));
  RETURN_IF_ERROR(authorizer_->Check(caller, v1::EDIT_METADATA, Resource::System()));
  v1::Dataset result;
  RETURN_IF_ERROR(store_->Write([&](store::WriteTxn& txn) -> absl::Status {
    // Deleting needs a live dataset; restoring takes either (a no-op when live).
    ASSIGN_OR_RETURN(v1::Dataset before, LoadDatasetFor(txn, *authorizer_, caller,
                                                        v1::EDIT_METADATA, ns, name, "name",
                                                        !deleted));
    v1::Dataset after = before;
    after.set_deleted(deleted);
    ASSIGN_OR_RETURN(result, SaveDataset(txn, caller, clock_->Now(), &before, after,
                                         deleted ? "DELETE" : "RESTORE"));
    return absl::OkStatus();
  }));
  return result;
}

absl::StatusOr<v1::ListDatasetVersionsResponse> CatalogService::ListDatasetVersions(
    const Caller& caller, const v1::ListDatasetVersionsRequest& request) {
  RETURN_IF_ERROR(ValidateName("namespace", request.namespace_()));
  RETURN_IF_ERROR(ValidateName("name", request.name()));
  ASSIGN_OR_RETURN(store::Page page, ValidatePage(LimitOf(request), request.offset()));
  RETURN_IF_ERROR(authorizer_->Check(caller, v1::READ_METADATA, Resource::System()));
  v1::ListDatasetVersionsResponse result;
  RETURN_IF_ERROR(store_->Read([&](store::ReadTxn& txn) -> absl::Status {
    RETURN_IF_ERROR(LoadDatasetFor(txn, *authorizer_, caller, v1::READ_METADATA,
                                   request.namespace_(), request.name(), "name", true)
                        .status());
    ASSIGN_OR_RETURN(auto listing,
                     txn.ListVersions(kDatasetEntity,
                                      DatasetKey(request.namespace_(), request.name()), page));
    for (const auto& version : listing.items) {
      *result.add_versions() = ToDatasetVersion(version, request.namespace_(), request.name());
    }
    result.set_total_count(listing.total_count);
    return absl::OkStatus();
  }));
  return result;
}

}  // namespace cadastre::catalog
