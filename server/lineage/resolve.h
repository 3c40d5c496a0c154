// From names in a request to graph node ids, and back from node ids to
// names in an answer.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "cadastre/v1/lineage.pb.h"
#include "server/lineage/graph.h"
#include "server/store/store.h"

namespace cadastre::lineage {

// The dataset's row id; NOT_FOUND naming `field` when it does not exist or
// is deleted (its namespace may not be hidden either).
absl::StatusOr<int64_t> ResolveDataset(store::ReadTxn& txn, std::string_view ns,
                                       std::string_view name, std::string_view field);

// The row id of `field` in the dataset, or of every column when `field` is
// empty. NOT_FOUND naming "field" for an unknown column.
absl::StatusOr<std::vector<int64_t>> ResolveFields(store::ReadTxn& txn, int64_t dataset_id,
                                                   std::string_view field);

// The row id of the column `ref` names; errors name "{prefix}.dataset" or
// "{prefix}.field".
absl::StatusOr<int64_t> ResolveField(store::ReadTxn& txn, const v1::FieldRef& ref,
                                     std::string_view prefix);

// Names of the nodes and jobs of a traversal. Column graph nodes are
// column row ids, or negated dataset row ids for whole-dataset
// dependencies; dataset graph nodes are dataset row ids.
class NodeNames {
 public:
  static absl::StatusOr<NodeNames> Load(store::ReadTxn& txn, const TraversalResult& walk,
                                        bool dataset_graph);

  // "datasetField:{ns}:{ds}:{field}" or "dataset:{ns}:{name}".
  std::string Id(NodeId node) const;
  v1::FieldRef Ref(NodeId node) const;  // field empty for a dataset node
  v1::JobId Job(int64_t job) const;
  v1::LineageEdge ToLineageEdge(const Edge& edge, const Graph& graph) const;
  const store::FieldInfo* Field(NodeId node) const;
  // False for a node of a deleted dataset (or one whose names did not
  // load): answers leave such nodes, and edges touching them, out.
  bool Visible(NodeId node) const;

 private:
  bool dataset_graph_ = false;
  std::map<int64_t, store::FieldInfo> fields_;
  std::map<int64_t, store::DatasetInfo> datasets_;
  std::map<int64_t, store::JobInfo> jobs_;
};

}  // namespace cadastre::lineage
