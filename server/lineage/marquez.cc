// LineageService: Marquez's lineage endpoints, in Marquez's shapes:
//   {"graph": [{"id", "type", "data", "inEdges": [{origin, destination}], "outEdges": [...]}]}
#include <map>
#include <set>

#include "absl/strings/str_cat.h"
#include "google/protobuf/util/json_util.h"
#include "nlohmann/json.hpp"
#include "server/catalog/dataset_writes.h"
#include "server/common/status.h"
#include "server/lineage/lineage_service.h"
#include "server/lineage/node_id.h"
#include "server/lineage/resolve.h"

namespace cadastre::lineage {
namespace {

using policy::Resource;

constexpr int kMarquezDefaultDepth = 20;
constexpr int kMarquezMaxDepth = 100;
constexpr int kMarquezMaxNodes = 10000;

google::protobuf::Struct ToStruct(const google::protobuf::Message& message) {
  std::string json;
  google::protobuf::util::JsonPrintOptions options;
  options.always_print_primitive_fields = true;
  (void)google::protobuf::util::MessageToJsonString(message, &json, options);
  google::protobuf::Struct out;
  (void)google::protobuf::util::JsonStringToMessage(json, &out);
  return out;
}

absl::StatusOr<int> MarquezDepth(int depth) {
  if (depth == 0) return kMarquezDefaultDepth;
  if (depth < 0 || depth > kMarquezMaxDepth) {
    return InvalidField("depth", absl::StrCat("must be between 1 and ", kMarquezMaxDepth));
  }
  return depth;
}

// Builds the graph answer: nodes in insertion order, edges attached to both ends.
class GraphBuilder {
 public:
  void Node(const std::string& id, const std::string& type, google::protobuf::Struct data) {
    if (index_.count(id)) return;
    index_[id] = response_.graph_size();
    v1::GraphNode* node = response_.add_graph();
    node->set_id(id);
    node->set_type(type);
    *node->mutable_data() = std::move(data);
  }
  void Edge(const std::string& origin, const std::string& destination) {
    if (!edges_.insert({origin, destination}).second) return;
    v1::GraphEdge edge;
    edge.set_origin(origin);
    edge.set_destination(destination);
    if (auto it = index_.find(origin); it != index_.end()) {
      *response_.mutable_graph(it->second)->add_out_edges() = edge;
    }
    if (auto it = index_.find(destination); it != index_.end()) {
      *response_.mutable_graph(it->second)->add_in_edges() = edge;
    }
  }
  v1::LineageGraphResponse Take() { return std::move(response_); }

 private:
  v1::LineageGraphResponse response_;
  std::map<std::string, int> index_;
  std::set<std::pair<std::string, std::string>> edges_;
};

// The first candidate split of a node id that names an existing dataset.
absl::StatusOr<std::pair<const NodeIdCandidate*, int64_t>> ResolveCandidate(
    store::ReadTxn& txn, const Viewer& viewer, const ParsedNodeId& parsed) {
  for (const NodeIdCandidate& candidate : parsed.candidates) {
    auto id = parsed.kind == NodeKind::kJob
                  ? txn.JobRowId(candidate.ns, candidate.name)
                  : ResolveDataset(txn, viewer, candidate.ns, candidate.name, "nodeId");
    if (id.ok()) return std::make_pair(&candidate, *id);
    if (!absl::IsNotFound(id.status())) return id.status();
  }
  return WithField(absl::NotFoundError("no dataset or job has this nodeId"), "nodeId");
}

}  // namespace

absl::StatusOr<v1::LineageGraphResponse> LineageService::GetMarquezLineage(
    const Caller& caller, const v1::MarquezLineageRequest& request) {
  ASSIGN_OR_RETURN(ParsedNodeId parsed, ParseNodeId(request.node_id()));
  if (parsed.kind == NodeKind::kField) {
    return InvalidField("nodeId", "use /api/v1/column-lineage for datasetField nodes");
  }
  ASSIGN_OR_RETURN(int depth, MarquezDepth(request.depth()));
  RETURN_IF_ERROR(authorizer_->Check(caller, v1::READ_METADATA, Resource::System()));
  const Viewer viewer{*authorizer_, caller};
  std::shared_ptr<Graphs> graphs = this->graphs();
  GraphBuilder builder;
  RETURN_IF_ERROR(store_->Read([&](store::ReadTxn& txn) -> absl::Status {
    ASSIGN_OR_RETURN(auto resolved, ResolveCandidate(txn, viewer, parsed));
    TraversalQuery query;
    query.direction = Direction::kBoth;
    query.max_depth = depth;
    query.max_nodes = kMarquezMaxNodes;
    std::set<int64_t> jobs;
    const auto [job_inputs, job_outputs] = graphs->JobIo(resolved.second);
    if (parsed.kind == NodeKind::kJob) {
      jobs.insert(resolved.second);
      query.start.insert(query.start.end(), job_inputs.begin(), job_inputs.end());
      query.start.insert(query.start.end(), job_outputs.begin(), job_outputs.end());
    } else {
      query.start = {resolved.second};
    }
    TraversalResult walk = graphs->datasets.Traverse(query);
    ASSIGN_OR_RETURN(NodeNames names, NodeNames::Load(txn, walk, true, viewer));
    // A job is named only on edges between datasets the caller sees; an
    // edge touching a redacted dataset runs through a redacted job node.
    auto named = [&](const Edge& edge) {
      return !names.Redacted(edge.source) && !names.Redacted(edge.target);
    };
    for (const Edge& edge : walk.edges) {
      if (names.Visible(edge.source) && names.Visible(edge.target) && named(edge)) {
        jobs.insert(edge.job);
      }
    }

    for (const ReachedNode& reached : walk.nodes) {
      v1::FieldRef ref = names.Ref(reached.node);
      if (!names.Visible(reached.node)) continue;
      if (names.Redacted(reached.node)) {
        builder.Node(names.Id(reached.node), "DATASET", google::protobuf::Struct());
        continue;
      }
      auto dataset = catalog::LoadLiveDataset(txn, ref.namespace_(), ref.dataset());
      if (!dataset.ok()) continue;
      builder.Node(DatasetNodeId(ref.namespace_(), ref.dataset()), "DATASET", ToStruct(*dataset));
    }
    std::map<int64_t, std::string> job_node_ids;
    ASSIGN_OR_RETURN(auto job_infos, txn.JobsById(std::vector<int64_t>(jobs.begin(), jobs.end())));
    for (const store::JobInfo& info : job_infos) {
      auto job = txn.GetJob(info.ns, info.name);
      if (!job.ok()) continue;
      RETURN_IF_ERROR(KeepVisibleIo(txn, viewer, &*job));
      job_node_ids[info.id] = JobNodeId(info.ns, info.name);
      builder.Node(job_node_ids[info.id], "JOB", ToStruct(*job));
    }
    std::map<int64_t, std::string> redacted_jobs;
    auto job_node = [&](const Edge& edge) -> const std::string& {
      if (named(edge)) return job_node_ids[edge.job];
      auto [it, fresh] = redacted_jobs.try_emplace(edge.job);
      if (fresh) {
        it->second = absl::StrCat("redacted:job:", redacted_jobs.size());
        builder.Node(it->second, "JOB", google::protobuf::Struct());
      }
      return it->second;
    };
    // Marquez draws dataset -> job -> dataset.
    for (const Edge& edge : walk.edges) {
      if (!names.Visible(edge.source) || !names.Visible(edge.target)) continue;
      const std::string& job = job_node(edge);
      builder.Edge(names.Id(edge.source), job);
      builder.Edge(job, names.Id(edge.target));
    }
    // A job's own inputs and outputs, even when depth stopped the walk.
    if (parsed.kind == NodeKind::kJob) {
      TraversalResult own;
      for (int64_t d : job_inputs) own.nodes.push_back({d, 0});
      for (int64_t d : job_outputs) own.nodes.push_back({d, 0});
      ASSIGN_OR_RETURN(NodeNames own_names, NodeNames::Load(txn, own, true, viewer));
      const std::string& job = job_node_ids[resolved.second];
      for (int64_t d : job_inputs) builder.Edge(own_names.Id(d), job);
      for (int64_t d : job_outputs) builder.Edge(job, own_names.Id(d));
    }
    return absl::OkStatus();
  }));
  return builder.Take();
}

absl::StatusOr<v1::LineageGraphResponse> LineageService::GetMarquezColumnLineage(
    const Caller& caller, const v1::MarquezLineageRequest& request) {
  ASSIGN_OR_RETURN(ParsedNodeId parsed, ParseNodeId(request.node_id()));
  if (parsed.kind == NodeKind::kJob) {
    return InvalidField("nodeId", "column lineage starts from a dataset or a datasetField");
  }
  ASSIGN_OR_RETURN(int depth, MarquezDepth(request.depth()));
  RETURN_IF_ERROR(authorizer_->Check(caller, v1::READ_METADATA, Resource::System()));
  const Viewer viewer{*authorizer_, caller};
  std::shared_ptr<Graphs> graphs = this->graphs();
  GraphBuilder builder;
  RETURN_IF_ERROR(store_->Read([&](store::ReadTxn& txn) -> absl::Status {
    ASSIGN_OR_RETURN(auto resolved, ResolveCandidate(txn, viewer, parsed));
    TraversalQuery query;
    ASSIGN_OR_RETURN(query.start, ResolveFields(txn, resolved.second, resolved.first->field));
    query.direction = request.with_downstream() ? Direction::kBoth : Direction::kUpstream;
    query.max_depth = depth;
    query.max_nodes = kMarquezMaxNodes;
    TraversalResult walk = graphs->columns.Traverse(query);
    ASSIGN_OR_RETURN(NodeNames names, NodeNames::Load(txn, walk, false, viewer));

    // Each column node lists its inputs, Marquez style.
    std::map<NodeId, std::vector<const Edge*>> inputs;
    for (const Edge& edge : walk.edges) inputs[edge.target].push_back(&edge);
    std::map<std::pair<std::string, std::string>, std::string> versions;
    auto version_of = [&](const v1::FieldRef& ref) -> std::string {
      auto key = std::make_pair(ref.namespace_(), ref.dataset());
      auto it = versions.find(key);
      if (it != versions.end()) return it->second;
      auto dataset = catalog::LoadAnyDataset(txn, ref.namespace_(), ref.dataset());
      return versions[key] = dataset.ok() ? dataset->current_version() : "";
    };
    for (const ReachedNode& reached : walk.nodes) {
      const store::FieldInfo* field = names.Field(reached.node);
      // Whole-dataset dependencies are not column nodes; deleted datasets are not shown.
      if (field == nullptr || !names.Visible(reached.node)) continue;
      nlohmann::json data = {{"namespace", field->ns},
                             {"dataset", field->dataset},
                             {"datasetVersion", version_of(names.Ref(reached.node))},
                             {"field", field->field},
                             {"fieldType", field->type},
                             {"transformationDescription", nullptr},
                             {"transformationType", nullptr},
                             {"inputFields", nlohmann::json::array()}};
      for (const Edge* edge : inputs[reached.node]) {
        const store::FieldInfo* source = names.Field(edge->source);
        if (source == nullptr || !names.Visible(edge->source)) continue;
        const std::string type = edge->type == EdgeType::kDirect ? "DIRECT" : "INDIRECT";
        data["inputFields"].push_back({{"namespace", source->ns},
                                       {"dataset", source->dataset},
                                       {"datasetVersion", version_of(names.Ref(edge->source))},
                                       {"field", source->field},
                                       {"transformationDescription",
                                        graphs->columns.SubtypeName(edge->subtype)},
                                       {"transformationType", type}});
        if (data["transformationType"].is_null()) data["transformationType"] = type;
      }
      google::protobuf::Struct structured;
      (void)google::protobuf::util::JsonStringToMessage(data.dump(), &structured);
      builder.Node(names.Id(reached.node), "DATASET_FIELD", std::move(structured));
    }
    for (const Edge& edge : walk.edges) {
      if (names.Field(edge.source) && names.Field(edge.target) && names.Visible(edge.source) &&
          names.Visible(edge.target)) {
        builder.Edge(names.Id(edge.source), names.Id(edge.target));
      }
    }
    return absl::OkStatus();
  }));
  return builder.Take();
}

}  // namespace cadastre::lineage
