// The lineage service: OpenLineage ingestion into the catalog, and the
// lineage questions (Marquez-compatible graphs, Cadastre's traversals,
// paths, impact, classification propagation). docs/lineage.md explains
// the model. Like every service, it asks the Authorizer before it reads or
// writes; the transports only translate.
#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <shared_mutex>
#include <tuple>
#include <vector>

#include "absl/status/statusor.h"
#include "cadastre/v1/lineage.pb.h"
#include "server/catalog/dataset_hooks.h"
#include "server/common/clock.h"
#include "server/lineage/decorations.h"
#include "server/lineage/graph.h"
#include "server/lineage/resolve.h"
#include "server/policy/authorizer.h"
#include "server/policy/caller.h"
#include "server/store/store.h"

namespace cadastre::lineage {

using policy::Caller;

class LineageService final : public catalog::DatasetHooks {
 public:
  // How many columns an inventory (the personal-data leaks and report)
  // follows downstream of the classified ones; past it, it says truncated.
  // The walk itself is cheap; each column reached then costs a look at
  // its upstream.
  static constexpr int kInventoryNodes = 1000000;
  // The columns an inventory looks at: those downstream of `starts` along
  // the edges classifications follow, up to kInventoryNodes; `truncated`
  // says whether that bound stopped the walk.
  static std::vector<NodeId> InventoryReach(const Graph& columns, const std::vector<NodeId>& starts,
                                            bool* truncated);

  LineageService(store::Store* store, const policy::Authorizer* authorizer, const Clock* clock)
      : store_(store), authorizer_(authorizer), clock_(clock) {}

  // Builds the in-memory graphs from the store. Call once, before serving.
  absl::Status Load();

  // Parses one event (or a JSON array of events) and maps it into the
  // catalog in one transaction: all or nothing. An event seen before is
  // counted as a duplicate and changes nothing.
  absl::StatusOr<v1::IngestLineageResponse> IngestLineage(const Caller& caller,
                                                          const v1::IngestLineageRequest& request);
  absl::StatusOr<v1::ListLineageEventsResponse> ListLineageEvents(
      const Caller& caller, const v1::ListLineageEventsRequest& request);

  absl::StatusOr<v1::LineageGraphResponse> GetMarquezLineage(
      const Caller& caller, const v1::MarquezLineageRequest& request);
  absl::StatusOr<v1::LineageGraphResponse> GetMarquezColumnLineage(
      const Caller& caller, const v1::MarquezLineageRequest& request);

  absl::StatusOr<v1::GetLineageResponse> GetLineage(const Caller& caller,
                                                    const v1::GetLineageRequest& request);
  absl::StatusOr<v1::GetLineagePathsResponse> GetLineagePaths(
      const Caller& caller, const v1::GetLineagePathsRequest& request);
  absl::StatusOr<v1::GetImpactResponse> GetImpact(const Caller& caller,
                                                  const v1::GetImpactRequest& request);
  absl::StatusOr<v1::ListPersonalDataLeaksResponse> ListPersonalDataLeaks(
      const Caller& caller, const v1::ListPersonalDataLeaksRequest& request);

  absl::StatusOr<v1::Job> GetJob(const Caller& caller, const v1::GetJobRequest& request);
  absl::StatusOr<v1::ListJobsResponse> ListJobs(const Caller& caller,
                                                const v1::ListJobsRequest& request);
  absl::StatusOr<v1::ListRunsResponse> ListRuns(const Caller& caller,
                                                const v1::ListRunsRequest& request);

  absl::StatusOr<v1::Dataset> BlockPropagation(const Caller& caller,
                                               const v1::BlockPropagationRequest& request);
  absl::StatusOr<v1::Dataset> UnblockPropagation(const Caller& caller,
                                                 const v1::BlockPropagationRequest& request);

  // The graphs as they stand, for read-only walks by other services (the
  // GDPR reports). A rebuild swaps in new graphs; a pointer keeps the ones
  // it holds alive. Column graph nodes are column row ids (a negated dataset
  // row id for a whole-dataset dependency); dataset graph nodes are dataset
  // row ids.
  std::shared_ptr<const Graph> ColumnGraph() const;
  std::shared_ptr<const Graph> DatasetGraph() const;

  // Column edges and job I/O rows a write inserted or updated.
  struct GraphChanges {
    std::vector<store::ColumnEdgeRow> column_edges;
    std::vector<store::JobIoRow> job_io;
  };
  // Runs `fn` in one write transaction in which it may also write column
  // edges and job I/O rows, listing them in `changes`; once the transaction
  // commits they enter the graphs, in commit order with ingestion. (How
  // sync writes lineage with the rest of an import.)
  absl::Status WriteLineage(
      const std::function<absl::Status(store::WriteTxn&, GraphChanges& changes)>& fn);

  // catalog::DatasetHooks: inherited classifications and column lineage
  // on every dataset read; removed columns leave the graph.
  // The classifications each column of each group inherits, as answered to
  // `viewer`, a group (say, a dataset's columns) being one answer. The
  // tags of all the groups' upstream regions are read at once, and then
  // the names the answers show: a report over many datasets reads the store
  // a fixed number of times. `named_datasets`, when given, gets the live
  // datasets the answers name.
  using Inheritances = std::vector<std::vector<v1::InheritedTag>>;  // by column
  absl::StatusOr<std::vector<Inheritances>> InheritedByColumn(
      store::ReadTxn& txn, const Viewer& viewer, const std::vector<std::vector<NodeId>>& groups,
      catalog::InheritedPaths paths,
      std::map<int64_t, store::DatasetInfo>* named_datasets = nullptr) const;

  // Without paths, answers are kept (DecorationCache) while nothing changes.
  absl::Status Decorate(store::ReadTxn& txn, const Caller& caller, v1::Dataset& dataset,
                        catalog::InheritedPaths paths) override;
  void FieldsRemoved(const std::vector<int64_t>& field_ids) override;

 private:
  struct Graphs {
    Graph columns;
    Graph datasets;
    // Job I/O seen so far, per job (inputs, outputs): where the dataset
    // graph's edges come from, and their ids. Guarded by io_mu (the graphs
    // guard themselves).
    mutable std::shared_mutex io_mu;
    std::map<int64_t, std::pair<std::set<int64_t>, std::set<int64_t>>> job_io;
    std::map<std::tuple<int64_t, int64_t, int64_t>, EdgeId> dataset_edge_ids;
    // The datasets job `job` reads and writes.
    std::pair<std::vector<int64_t>, std::vector<int64_t>> JobIo(int64_t job) const;
  };
  // The current graphs. Queries hold a shared_ptr for their duration;
  // a rebuild (after columns were removed) swaps in new ones.
  std::shared_ptr<Graphs> graphs() const;
  absl::StatusOr<std::shared_ptr<Graphs>> BuildGraphs() const;

  // What `dataset`'s read shows `viewer` of lineage.
  absl::StatusOr<Decoration> Derive(store::ReadTxn& txn, const v1::Dataset& dataset,
                                    const Viewer& viewer, catalog::InheritedPaths paths) const;

  absl::StatusOr<v1::Dataset> SetBlock(const Caller& caller,
                                       const v1::BlockPropagationRequest& request, bool blocked);
  // Applies committed changes to the in-memory graphs. Caller holds ingest_mu_.
  void ApplyToGraphs(const GraphChanges& changes);
  static void AddColumnEdge(Graphs& graphs, const store::ColumnEdgeRow& row);
  static void AddJobIo(Graphs& graphs, const store::JobIoRow& row);

  store::Store* store_;
  const policy::Authorizer* authorizer_;
  const Clock* clock_;

  // Column graph: nodes are column row ids; a dataset-level dependency's
  // target is the negated dataset row id. Dataset graph: nodes are dataset
  // row ids, one edge per (input, job, output).
  mutable std::mutex graphs_mu_;
  std::shared_ptr<Graphs> graphs_ = std::make_shared<Graphs>();

  // Serialises ingestion (and rebuilds) so the graphs see commits in
  // commit order.
  std::mutex ingest_mu_;

  // Counts changes to the graphs, each counted once it is in them.
  std::atomic<uint64_t> graph_changes_{0};
  // Decorate's answers for a viewer who sees every live dataset.
  DecorationCache decorations_{kDecorationCacheBytes};
  static constexpr size_t kDecorationCacheBytes = 64 << 20;
};

}  // namespace cadastre::lineage
