// Validation and writes of single catalog entities inside a caller's
// transaction, shared by the services' own calls and by sync, which applies
// thousands of them in one transaction. Datasets are saved by SaveDataset
// (dataset_writes.h).
#pragma once

#include <cstdint>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "cadastre/v1/catalog.pb.h"
#include "cadastre/v1/glossary.pb.h"
#include "server/policy/caller.h"
#include "server/store/store.h"

namespace cadastre::catalog {

// The dataset a PUT asks for, validated (INVALID_ARGUMENT naming the field,
// e.g. "fields[2].name") and with defaults applied: type DB_TABLE, ordinal
// positions from list order, owners' type and role, repeated entries
// dropped.
absl::StatusOr<v1::Dataset> DatasetFromRequest(const v1::PutDatasetRequest& request);

// The term a PUT asks for, validated, before its references are checked.
absl::StatusOr<v1::GlossaryTerm> TermFromRequest(const v1::PutTermRequest& request);

// The term minus its output-only attributes (linked columns, times).
v1::GlossaryTerm ComparableTerm(const v1::GlossaryTerm& term);

// Stores `next` as the namespace whose current state is `existing` (null:
// new; a hidden one is restored), recording the version. Answers the
// version number, 0 when nothing changed (nothing is written then).
absl::StatusOr<int64_t> SaveNamespace(store::WriteTxn& txn, const policy::Caller& caller,
                                      absl::Time now, const v1::Namespace* existing,
                                      const v1::Namespace& next);

// Stores `next` (from TermFromRequest) as the term whose current state is
// `existing` (null: new): an unset status becomes DRAFT on create and is
// kept on update; an approved or deprecated term cannot return to DRAFT
// (FAILED_PRECONDITION naming "status"); parent and related terms must
// exist and the parent chain must not lead back (INVALID_ARGUMENT). Records
// the version; answers its number, 0 when nothing changed.
absl::StatusOr<int64_t> SaveTerm(store::WriteTxn& txn, const policy::Caller& caller, absl::Time now,
                                 const v1::GlossaryTerm* existing, v1::GlossaryTerm next);

// Deletes the term, recording the version; FAILED_PRECONDITION naming
// "name" (and its dependents) while columns link it or terms refer to it.
absl::Status RemoveTerm(store::WriteTxn& txn, const policy::Caller& caller, absl::Time now,
                        const v1::GlossaryTerm& existing);

}  // namespace cadastre::catalog
