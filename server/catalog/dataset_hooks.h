// What another layer (lineage) adds to the catalog's datasets without the
// catalog depending on it: derived attributes on reads, and word of
// columns that disappeared on writes.
#pragma once

#include <cstdint>
#include <vector>

#include "absl/status/status.h"
#include "cadastre/v1/catalog.pb.h"
#include "server/policy/caller.h"
#include "server/store/store.h"

namespace cadastre::catalog {

// Whether inherited classifications carry their path (GetDataset's FULL
// view, the answers of writes and reports) or only their origin.
enum class InheritedPaths { kShown, kLeftOut };

// What a request's view asks for (GetDataset, and the reports that list
// inherited classifications): paths only in the FULL view.
inline InheritedPaths PathsOf(v1::GetDatasetRequest::View view) {
  return view == v1::GetDatasetRequest::FULL ? InheritedPaths::kShown : InheritedPaths::kLeftOut;
}

class DatasetHooks {
 public:
  virtual ~DatasetHooks() = default;

  // Fills the output-only attributes of a dataset about to be answered to
  // `caller` (inherited classifications, column lineage), inside the read;
  // datasets hidden from the caller are not named.
  virtual absl::Status Decorate(store::ReadTxn& txn, const policy::Caller& caller,
                                v1::Dataset& dataset, InheritedPaths paths) = 0;

  // Called after a committed write removed these columns (by row id).
  virtual void FieldsRemoved(const std::vector<int64_t>& field_ids) = 0;
};

}  // namespace cadastre::catalog
