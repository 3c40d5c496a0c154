// The one write path of datasets. Every way a dataset changes (PUT, tags,
// glossary links, delete, restore; later OpenLineage and sync) loads it,
// changes a copy and saves it here, so references are checked, history is
// recorded and timestamps are kept in one place.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "cadastre/v1/catalog.pb.h"
#include "cadastre/v1/sample.pb.h"
#include "server/policy/caller.h"
#include "server/store/store.h"

namespace cadastre::catalog {

// NOT_FOUND errors for a missing dataset (naming `field`, the request field
// that holds its name) and a missing namespace (naming "namespace").
absl::Status DatasetNotFound(std::string_view ns, std::string_view name, std::string_view field);
absl::Status NamespaceNotFound(std::string_view ns);

// The dataset, NOT_FOUND when it does not exist, is deleted, or its
// namespace is hidden; the error names "namespace" or `name_field`, the
// request field that holds the dataset's name. current_version is filled in.
absl::StatusOr<v1::Dataset> LoadLiveDataset(store::ReadTxn& txn, std::string_view ns,
                                            std::string_view name,
                                            std::string_view name_field = "name");

// Like LoadLiveDataset but also answers deleted datasets.
absl::StatusOr<v1::Dataset> LoadAnyDataset(store::ReadTxn& txn, std::string_view ns,
                                           std::string_view name,
                                           std::string_view name_field = "name");

// Fills current_version (and id) of a dataset read from the store.
absl::Status Decorate(store::ReadTxn& txn, v1::Dataset& dataset);

// Takes the value statistics (min, max, sum, quantiles) out of the
// dataset's `dataQualityMetrics` facet, answering them with the counts per
// column: values are data, served masked with the sample, never in clear
// with the metadata.
std::map<std::string, v1::ColumnStats> TakeValueStatistics(v1::Dataset* dataset);

// Stores `after` as the new state of the dataset whose previous state is
// `before` (null: new, created by the caller), moves value statistics into
// the sample (TakeValueStatistics) and records the version under `operation`. Tags and
// glossary terms it references must exist (INVALID_ARGUMENT naming the
// path, e.g. "fields[2].tags[0]"). A save that changes nothing writes
// nothing. Answers the dataset as stored; when columns were removed, their
// row ids are appended to `removed_fields` (if given), for the caller to
// pass to DatasetHooks::FieldsRemoved once the write has committed.
absl::StatusOr<v1::Dataset> SaveDataset(store::WriteTxn& txn, const policy::Caller& caller,
                                        absl::Time now, const v1::Dataset* before,
                                        v1::Dataset after, std::string_view operation,
                                        std::vector<int64_t>* removed_fields = nullptr);

// SaveDataset without the answer, for writers that do not read it back
// (OpenLineage ingestion, bulk imports): reading the stored dataset again
// is a good part of a save. Answers whether anything was written (false:
// the save changed nothing).
absl::StatusOr<bool> WriteDataset(store::WriteTxn& txn, const policy::Caller& caller,
                                  absl::Time now, const v1::Dataset* before, v1::Dataset after,
                                  std::string_view operation,
                                  std::vector<int64_t>* removed_fields = nullptr);

// Creates the namespace, or unhides it, recording the version; a live one
// is left alone.
absl::Status EnsureNamespace(store::WriteTxn& txn, const policy::Caller& caller, absl::Time now,
                             const std::string& name);

// Creates the classification and any missing ancestors ("PII" for
// "PII.Email"), recording versions; an existing one is left alone.
absl::Status EnsureTag(store::WriteTxn& txn, const policy::Caller& caller, absl::Time now,
                       const std::string& name);

// The dataset minus what a version does not compare (output-only and
// derived attributes).
v1::Dataset ComparableDataset(const v1::Dataset& dataset);

// Adds (present=true) or removes `value` in `list`, keeping the order of
// the others; answers whether the list changed.
bool SetMember(google::protobuf::RepeatedPtrField<std::string>* list, const std::string& value,
               bool present);

// Index of the field named `field`, NOT_FOUND (naming "field") when absent.
absl::StatusOr<int> FindField(const v1::Dataset& dataset, std::string_view field);

}  // namespace cadastre::catalog
