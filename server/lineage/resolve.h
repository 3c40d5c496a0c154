// From names in a request to graph node ids, and back from node ids to
// names in an answer.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "absl/status/statusor.h"
#include "cadastre/v1/lineage.pb.h"
#include "server/lineage/graph.h"
#include "server/policy/authorizer.h"
#include "server/store/store.h"

namespace cadastre::lineage {

// Who an answer is for, which decides the datasets it may name.
struct Viewer {
  const policy::Authorizer& authorizer;
  const policy::Caller& caller;
  // Sees every live dataset, whatever the caller's grants: for answers
  // kept and later shown only to callers who see all they name.
  bool everything = false;

  bool CanSee(const store::DatasetInfo& dataset) const;
};

// The dataset's row id; NOT_FOUND naming `field` when it does not exist, is
// deleted or is hidden from the viewer (its namespace may not be hidden
// either).
absl::StatusOr<int64_t> ResolveDataset(store::ReadTxn& txn, const Viewer& viewer,
                                       std::string_view ns, std::string_view name,
                                       std::string_view field);

// The row id of `field` in the dataset, or of every column when `field` is
// empty. NOT_FOUND naming "field" for an unknown column.
absl::StatusOr<std::vector<int64_t>> ResolveFields(store::ReadTxn& txn, int64_t dataset_id,
                                                   std::string_view field);

// The row id of the column `ref` names; errors name "{prefix}.dataset" or
// "{prefix}.field".
absl::StatusOr<int64_t> ResolveField(store::ReadTxn& txn, const Viewer& viewer,
                                     const v1::FieldRef& ref, std::string_view prefix);

// Leaves out the job's inputs and outputs the viewer may not see, and, when
// there were any, the text that could name them (SQL, source, facets).
absl::Status KeepVisibleIo(store::ReadTxn& txn, const Viewer& viewer, v1::Job* job);

// Names of the nodes and jobs of a traversal, as the viewer may see them.
// For one answer on one thread: Id() fills a cache without a lock.
// Column graph nodes are column row ids, or negated dataset row ids for
// whole-dataset dependencies; dataset graph nodes are dataset row ids.
class NodeNames {
 public:
  static absl::StatusOr<NodeNames> Load(store::ReadTxn& txn, const TraversalResult& walk,
                                        bool dataset_graph, const Viewer& viewer);

  // The names of `walk`, a part of the walk `loaded` was loaded for, as
  // one answer about `walk` alone, for the same viewer: the rows and what
  // the viewer may not see are shared, not read or asked again, and
  // redacted nodes are numbered in `walk`'s order, as Load would. For a
  // report that answers many small walks from one read.
  static NodeNames For(const NodeNames& loaded, const TraversalResult& walk);

  // "datasetField:{ns}:{ds}:{field}" or "dataset:{ns}:{name}"; for a
  // redacted node "redacted:{n}", n counting the answer's redacted nodes.
  // Made once per node: an answer names a node again at each edge's end.
  const std::string& Id(NodeId node) const;
  v1::FieldRef Ref(NodeId node) const;  // field empty for a dataset node; empty when redacted
  v1::JobId Job(int64_t job) const;
  // An edge touching a redacted node names no job.
  v1::LineageEdge ToLineageEdge(const Edge& edge, const Graph& graph) const;
  // Null for dataset nodes and redacted ones.
  const store::FieldInfo* Field(NodeId node) const;
  // Like Field but also for redacted nodes: for computing, never for answers.
  const store::FieldInfo* FieldEvenIfRedacted(NodeId node) const;
  // The dataset of a node, redacted or not, null when it did not load: for
  // computing, never for answers.
  const store::DatasetInfo* DatasetEvenIfRedacted(NodeId node) const;
  // False for a node of a deleted dataset (or one whose names did not
  // load): answers leave such nodes, and edges touching them, out.
  bool Visible(NodeId node) const;
  // True for a node of a live dataset hidden from the viewer: answers show
  // it without names, so that the shape of the graph stays honest.
  bool Redacted(NodeId node) const;

 private:
  // The rows a Load read, shared by the answers made For parts of its walk.
  struct Rows {
    std::unordered_map<int64_t, store::FieldInfo> fields;
    std::unordered_map<int64_t, store::DatasetInfo> datasets;
    std::unordered_map<int64_t, store::JobInfo> jobs;
  };

  int64_t DatasetOf(NodeId node) const;
  // Numbers the nodes of `walk` hidden from the viewer, in walk order.
  void NumberRedacted(const TraversalResult& walk);

  bool dataset_graph_ = false;
  std::shared_ptr<const Rows> rows_;
  // The live datasets of rows_ the viewer may not see: their nodes are
  // redacted. Empty for most callers, who then number nothing.
  std::shared_ptr<const std::unordered_set<int64_t>> hidden_;
  std::unordered_map<NodeId, int> redacted_;  // node -> its number in the answer
  mutable std::unordered_map<NodeId, std::string> ids_;  // made by Id
};

}  // namespace cadastre::lineage
