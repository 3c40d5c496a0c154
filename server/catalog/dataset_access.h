// Datasets on a caller's behalf. A dataset the caller may not see is
// answered exactly as a missing one (and a namespace in which it sees
// nothing as a missing namespace), so that existence never leaks through
// errors, listings or counts.
#pragma once

#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "cadastre/v1/catalog.pb.h"
#include "server/policy/authorizer.h"
#include "server/store/store.h"

namespace cadastre::catalog {

policy::DatasetScope ScopeOf(const v1::Dataset& dataset);
policy::DatasetScope ScopeOf(const store::DatasetInfo& dataset);

// The error a dataset hidden from the caller gets: the one a missing
// dataset gets, or a missing namespace when the caller sees nothing in it.
absl::Status HiddenDatasetError(store::ReadTxn& txn, const policy::Authorizer& authorizer,
                                const policy::Caller& caller, std::string_view ns,
                                std::string_view name, std::string_view name_field = "name");

// LoadLiveDataset (LoadAnyDataset when `include_deleted`), then the caller's
// `permission` on it (see Authorizer::CheckDataset).
absl::StatusOr<v1::Dataset> LoadDatasetFor(store::ReadTxn& txn,
                                           const policy::Authorizer& authorizer,
                                           const policy::Caller& caller,
                                           policy::Permission permission, std::string_view ns,
                                           std::string_view name,
                                           std::string_view name_field = "name",
                                           bool include_deleted = false);

// Whether the caller sees the namespace: it may read every dataset, or one
// live dataset of the namespace.
absl::StatusOr<bool> CanSeeNamespace(store::ReadTxn& txn, const policy::Authorizer& authorizer,
                                     const policy::Caller& caller, std::string_view ns);

// Whether the caller sees the live dataset (ns, name); false when missing.
absl::StatusOr<bool> CanSeeDataset(store::ReadTxn& txn, const policy::Authorizer& authorizer,
                                   const policy::Caller& caller, std::string_view ns,
                                   std::string_view name);

// `status`, or, when the caller does not see every dataset, the same code
// with a message that names no dependents (refusals such as "tag X is
// still used by ds1, ds2" would name datasets hidden from it).
absl::Status WithoutDependents(const absl::Status& status, const policy::Authorizer& authorizer,
                               const policy::Caller& caller, std::string_view what);

// The live datasets of `ns` (of every namespace when empty) the caller sees.
absl::StatusOr<std::vector<store::DatasetInfo>> VisibleDatasets(
    store::ReadTxn& txn, const policy::Authorizer& authorizer, const policy::Caller& caller,
    std::string_view ns);

}  // namespace cadastre::catalog
