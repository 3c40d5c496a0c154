// The lineage records of an import (docs/sync.md): grouped by (job, target
// dataset), each group the whole truth of what the job writes there, as an
// OpenLineage columnLineage facet is. Internal to server/sync.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "server/lineage/lineage_service.h"
#include "server/policy/authorizer.h"
#include "server/store/store.h"
#include "server/sync/import_results.h"
#include "server/sync/sync_document.h"

namespace cadastre::sync {

class LineageImport {
 public:
  LineageImport(store::WriteTxn& txn, lineage::LineageService::GraphChanges& graph,
                const policy::Authorizer& authorizer, const policy::Caller& caller, absl::Time now,
                v1::ImportMode mode, ImportResults& results)
      : txn_(txn),
        graph_(graph),
        authorizer_(authorizer),
        caller_(caller),
        now_(now),
        mode_(mode),
        results_(results) {}

  // Adds the records' edges (and closes, but in APPEND, the edges of their
  // groups that they lack). Non-OK only when the store fails.
  absl::Status Apply(const std::vector<LineageRecord>& records);
  // FULL with REMOVE: closes the edges of the applied records' jobs into
  // datasets of `scope` whose group the document lacks.
  absl::Status CloseMissing(const std::set<std::string>& scope);

 private:
  struct Group {
    std::string job_ns, job_name, target_ns, target_dataset;
    auto operator<=>(const Group&) const = default;
  };
  using EdgeKey = std::tuple<int64_t, int64_t, std::string, std::string, bool, std::string>;
  using Edges = std::vector<std::pair<const LineageRecord*, store::ColumnEdgeRow>>;

  // The (dataset, column) row ids, or an error naming `where` when the
  // caller does not see the column (missing and hidden alike).
  absl::StatusOr<std::pair<int64_t, int64_t>> Column(const ColumnKey& column,
                                                     const std::string& where);
  absl::StatusOr<int64_t> JobId(const std::string& ns, const std::string& name);
  absl::Status ApplyGroup(const Group& group, Edges& edges);
  absl::Status CloseEdge(store::ColumnEdgeRow row, const std::string& job_ns,
                         const std::string& job_name);

  store::WriteTxn& txn_;
  lineage::LineageService::GraphChanges& graph_;
  const policy::Authorizer& authorizer_;
  const policy::Caller& caller_;
  const absl::Time now_;
  const v1::ImportMode mode_;
  ImportResults& results_;

  std::map<int64_t, std::map<std::string, int64_t>> field_ids_;  // dataset -> field -> id
  // The row id of a dataset when it is live and visible to the caller.
  std::map<std::pair<std::string, std::string>, std::optional<int64_t>> visible_dataset_;
  std::map<std::pair<std::string, std::string>, std::set<int64_t>> source_datasets_;  // per job
  std::map<std::pair<std::string, std::string>, int64_t> jobs_in_document_;
  std::set<std::pair<int64_t, int64_t>> groups_in_document_;  // (job, target dataset)
};

}  // namespace cadastre::sync
