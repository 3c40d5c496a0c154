#include "server/catalog/catalog_service.h"

#include <algorithm>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "google/protobuf/util/json_util.h"
#include "server/catalog/dataset_access.h"
#include "server/catalog/dataset_writes.h"
#include "server/catalog/entity_writes.h"
#include "server/catalog/validation.h"
#include "server/catalog/versioning.h"
#include "server/common/status.h"
#include "server/common/strings.h"

namespace cadastre::catalog {
namespace {

using policy::Resource;

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
  RETURN_IF_ERROR(
      authorizer_->Check(caller, v1::EDIT_METADATA, Resource::Namespace(request.name())));
  RETURN_IF_ERROR(ValidateText("description", request.namespace_().description()));
  if (request.namespace_().owner_name().size() > kMaxNameBytes) {
    return InvalidField("ownerName", absl::StrCat("must be at most ", kMaxNameBytes, " bytes"));
  }
  RETURN_IF_ERROR(ValidateText("ownerName", request.namespace_().owner_name()));
  v1::Namespace result;
  RETURN_IF_ERROR(store_->Write([&](store::WriteTxn& txn) -> absl::Status {
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
    RETURN_IF_ERROR(
        SaveNamespace(txn, caller, clock_->Now(), existing.ok() ? &*existing : nullptr, next)
            .status());
    ASSIGN_OR_RETURN(result, txn.GetNamespace(request.name()));
    return absl::OkStatus();
  }));
  return result;
}

absl::StatusOr<v1::Namespace> CatalogService::GetNamespace(const Caller& caller,
                                                           const v1::GetNamespaceRequest& request) {
  RETURN_IF_ERROR(ValidateName("name", request.name()));
  RETURN_IF_ERROR(
      authorizer_->Check(caller, v1::READ_METADATA, Resource::Namespace(request.name())));
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
  RETURN_IF_ERROR(
      authorizer_->Check(caller, v1::EDIT_METADATA, Resource::Namespace(request.name())));
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
      return WithField(absl::FailedPreconditionError(absl::StrCat(
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
    std::string operation = !existing.ok() ? "CREATE" : existing->deleted() ? "RESTORE" : "UPDATE";
    ASSIGN_OR_RETURN(result,
                     SaveDataset(txn, caller, clock_->Now(), existing.ok() ? &*existing : nullptr,
                                 wanted, operation, &removed));
    if (hooks_) RETURN_IF_ERROR(hooks_->Decorate(txn, caller, result, InheritedPaths::kShown));
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
    if (hooks_) RETURN_IF_ERROR(hooks_->Decorate(txn, caller, result, PathsOf(request.view())));
    return absl::OkStatus();
  }));
  return result;
}

absl::StatusOr<v1::ListDatasetsResponse> CatalogService::ListDatasets(
    const Caller& caller, const v1::ListDatasetsRequest& request) {
  RETURN_IF_ERROR(ValidateName("namespace", request.namespace_()));
  ASSIGN_OR_RETURN(store::Page page, ValidatePage(LimitOf(request), request.offset()));
  RETURN_IF_ERROR(
      authorizer_->Check(caller, v1::READ_METADATA, Resource::Namespace(request.namespace_())));
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
    ASSIGN_OR_RETURN(auto visible,
                     VisibleDatasets(txn, *authorizer_, caller, request.namespace_()));
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
    ASSIGN_OR_RETURN(
        v1::Dataset before,
        LoadDatasetFor(txn, *authorizer_, caller, v1::EDIT_METADATA, ns, name, "name", !deleted));
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
    ASSIGN_OR_RETURN(
        auto listing,
        txn.ListVersions(kDatasetEntity, DatasetKey(request.namespace_(), request.name()), page));
    for (const auto& version : listing.items) {
      *result.add_versions() = ToDatasetVersion(version, request.namespace_(), request.name());
    }
    result.set_total_count(listing.total_count);
    return absl::OkStatus();
  }));
  return result;
}

}  // namespace cadastre::catalog
