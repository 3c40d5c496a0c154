// The catalog service: namespaces, datasets, columns and classifications.
// gRPC handlers and REST routes call these methods and nothing else; every
// rule, permission check and history record lives here.
#pragma once

#include "absl/status/statusor.h"
#include "cadastre/v1/catalog.pb.h"
#include "server/catalog/dataset_hooks.h"
#include "server/common/clock.h"
#include "server/policy/authorizer.h"
#include "server/policy/caller.h"
#include "server/store/store.h"

namespace cadastre::catalog {

using policy::Caller;

class CatalogService {
 public:
  CatalogService(store::Store* store, const policy::Authorizer* authorizer, const Clock* clock)
      : store_(store), authorizer_(authorizer), clock_(clock) {}

  // Lineage's additions to dataset reads and writes; none by default.
  void set_hooks(DatasetHooks* hooks) { hooks_ = hooks; }

  absl::StatusOr<v1::Namespace> PutNamespace(const Caller& caller, const v1::PutNamespaceRequest& request);
  absl::StatusOr<v1::Namespace> GetNamespace(const Caller& caller, const v1::GetNamespaceRequest& request);
  absl::StatusOr<v1::ListNamespacesResponse> ListNamespaces(const Caller& caller, const v1::ListNamespacesRequest& request);
  absl::StatusOr<v1::Namespace> DeleteNamespace(const Caller& caller, const v1::DeleteNamespaceRequest& request);

  absl::StatusOr<v1::Dataset> PutDataset(const Caller& caller, const v1::PutDatasetRequest& request);
  absl::StatusOr<v1::Dataset> GetDataset(const Caller& caller, const v1::GetDatasetRequest& request);
  absl::StatusOr<v1::ListDatasetsResponse> ListDatasets(const Caller& caller, const v1::ListDatasetsRequest& request);
  absl::StatusOr<v1::Dataset> DeleteDataset(const Caller& caller, const v1::DeleteDatasetRequest& request);
  absl::StatusOr<v1::Dataset> RestoreDataset(const Caller& caller, const v1::RestoreDatasetRequest& request);
  absl::StatusOr<v1::ListDatasetVersionsResponse> ListDatasetVersions(const Caller& caller, const v1::ListDatasetVersionsRequest& request);

  absl::StatusOr<v1::Dataset> TagDataset(const Caller& caller, const v1::TagDatasetRequest& request);
  absl::StatusOr<v1::Dataset> UntagDataset(const Caller& caller, const v1::TagDatasetRequest& request);
  absl::StatusOr<v1::Dataset> TagField(const Caller& caller, const v1::TagFieldRequest& request);
  absl::StatusOr<v1::Dataset> UntagField(const Caller& caller, const v1::TagFieldRequest& request);

  absl::StatusOr<v1::Tag> PutTag(const Caller& caller, const v1::PutTagRequest& request);
  absl::StatusOr<v1::Tag> GetTag(const Caller& caller, const v1::GetTagRequest& request);
  absl::StatusOr<v1::ListTagsResponse> ListTags(const Caller& caller, const v1::ListTagsRequest& request);
  absl::StatusOr<v1::Tag> DeleteTag(const Caller& caller, const v1::DeleteTagRequest& request);
  absl::StatusOr<v1::ListVersionsResponse> ListTagVersions(const Caller& caller, const v1::ListTagVersionsRequest& request);

 private:
  // Soft-deletes (deleted=true) or restores the dataset.
  absl::StatusOr<v1::Dataset> SetDeleted(const Caller& caller, const std::string& ns,
                                         const std::string& name, bool deleted);
  // Adds (add=true) or removes `tag` on the dataset, or on `field` when
  // not empty; idempotent.
  absl::StatusOr<v1::Dataset> SetTag(const Caller& caller, const std::string& ns,
                                     const std::string& dataset, const std::string& field,
                                     const std::string& tag, bool add);

  store::Store* store_;
  const policy::Authorizer* authorizer_;
  const Clock* clock_;
  DatasetHooks* hooks_ = nullptr;
};

}  // namespace cadastre::catalog
