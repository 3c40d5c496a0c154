#include "server/catalog/dataset_access.h"

#include "server/catalog/dataset_writes.h"
#include "absl/strings/str_cat.h"
#include "server/common/status.h"
#include "server/common/strings.h"

namespace cadastre::catalog {

policy::DatasetScope ScopeOf(const v1::Dataset& dataset) {
  return {dataset.namespace_(), dataset.name(), dataset.domain(), dataset.created_by()};
}

policy::DatasetScope ScopeOf(const store::DatasetInfo& dataset) {
  return {dataset.ns, dataset.name, dataset.domain, dataset.created_by};
}

absl::StatusOr<std::vector<store::DatasetInfo>> VisibleDatasets(
    store::ReadTxn& txn, const policy::Authorizer& authorizer, const policy::Caller& caller,
    std::string_view ns) {
  ASSIGN_OR_RETURN(std::vector<store::DatasetInfo> all, txn.DatasetInfos(ns));
  std::vector<store::DatasetInfo> out;
  for (store::DatasetInfo& info : all) {
    if (!info.deleted && authorizer.CanSee(caller, ScopeOf(info))) out.push_back(std::move(info));
  }
  return out;
}

absl::StatusOr<bool> CanSeeDataset(store::ReadTxn& txn, const policy::Authorizer& authorizer,
                                   const policy::Caller& caller, std::string_view ns,
                                   std::string_view name) {
  auto id = txn.DatasetRowId(ns, name);
  if (absl::IsNotFound(id.status())) return false;
  RETURN_IF_ERROR(id.status());
  ASSIGN_OR_RETURN(std::vector<store::DatasetInfo> infos, txn.DatasetsById({*id}));
  return !infos.empty() && !infos[0].deleted && authorizer.CanSee(caller, ScopeOf(infos[0]));
}

absl::Status WithoutDependents(const absl::Status& status, const policy::Authorizer& authorizer,
                               const policy::Caller& caller, std::string_view what) {
  if (status.ok() || !absl::IsFailedPrecondition(status) ||
      authorizer.AccessOf(caller).Everywhere(v1::READ_METADATA)) {
    return status;
  }
  return WithField(absl::FailedPreconditionError(absl::StrCat(Absl(what), " is still in use")),
                   FieldOf(status).value_or(""));
}

absl::StatusOr<bool> CanSeeNamespace(store::ReadTxn& txn, const policy::Authorizer& authorizer,
                                     const policy::Caller& caller, std::string_view ns) {
  if (authorizer.AccessOf(caller).Everywhere(v1::READ_METADATA)) return true;
  ASSIGN_OR_RETURN(std::vector<store::DatasetInfo> visible,
                   VisibleDatasets(txn, authorizer, caller, ns));
  return !visible.empty();
}

absl::Status HiddenDatasetError(store::ReadTxn& txn, const policy::Authorizer& authorizer,
                                const policy::Caller& caller, std::string_view ns,
                                std::string_view name, std::string_view name_field) {
  ASSIGN_OR_RETURN(bool namespace_visible, CanSeeNamespace(txn, authorizer, caller, ns));
  return namespace_visible ? DatasetNotFound(ns, name, name_field) : NamespaceNotFound(ns);
}

absl::StatusOr<v1::Dataset> LoadDatasetFor(store::ReadTxn& txn,
                                           const policy::Authorizer& authorizer,
                                           const policy::Caller& caller,
                                           policy::Permission permission, std::string_view ns,
                                           std::string_view name,
                                           std::string_view name_field, bool include_deleted) {
  absl::StatusOr<v1::Dataset> dataset = include_deleted
                                            ? LoadAnyDataset(txn, ns, name, name_field)
                                            : LoadLiveDataset(txn, ns, name, name_field);
  if (!dataset.ok()) {
    // A missing dataset in a namespace the caller cannot see must look like
    // a missing namespace too.
    if (absl::IsNotFound(dataset.status()) && FieldOf(dataset.status()) != "namespace") {
      return HiddenDatasetError(txn, authorizer, caller, ns, name, name_field);
    }
    return dataset.status();
  }
  absl::Status hidden = absl::OkStatus();
  if (!authorizer.CanSee(caller, ScopeOf(*dataset))) {
    hidden = HiddenDatasetError(txn, authorizer, caller, ns, name, name_field);
  }
  RETURN_IF_ERROR(authorizer.CheckDataset(caller, permission, ScopeOf(*dataset), hidden));
  return dataset;
}

}  // namespace cadastre::catalog
