// LineageService: Cadastre's own lineage questions (graph, paths, impact).
#include <set>

#include "absl/strings/str_cat.h"
#include "google/protobuf/util/time_util.h"
#include "server/catalog/validation.h"
#include "server/common/status.h"
#include "server/lineage/lineage_service.h"
#include "server/lineage/node_id.h"
#include "server/lineage/resolve.h"

namespace cadastre::lineage {
namespace {

using google::protobuf::util::TimeUtil;
using policy::Resource;

constexpr int kDefaultDepth = 10;
constexpr int kMaxDepth = 100;
constexpr int kUnboundedDepth = 1000;  // "unbounded": still a bound
constexpr int kDefaultMaxNodes = 1000;
constexpr int kMaxNodes = 100000;

absl::StatusOr<int> Bounded(std::optional<int> value, int unset, int low, int high,
                            std::string_view field) {
  if (!value) return unset;
  if (*value < low || *value > high) {
    return InvalidField(field, absl::StrCat("must be between ", low, " and ", high));
  }
  return *value;
}

std::optional<int> Optional(bool has, int value) {
  return has ? std::optional<int>(value) : std::nullopt;
}

absl::StatusOr<EdgeFilter> FilterOf(const std::string& transformation_type,
                                    const google::protobuf::Timestamp* as_of) {
  EdgeFilter filter;
  if (transformation_type == "DIRECT") {
    filter.type = EdgeType::kDirect;
  } else if (transformation_type == "INDIRECT") {
    filter.type = EdgeType::kIndirect;
  } else if (!transformation_type.empty()) {
    return InvalidField("transformationType", "must be DIRECT or INDIRECT");
  }
  if (as_of) filter.as_of = TimeUtil::TimestampToMicroseconds(*as_of);
  return filter;
}

Direction DirectionOf(v1::LineageDirection direction) {
  switch (direction) {
    case v1::UPSTREAM: return Direction::kUpstream;
    case v1::DOWNSTREAM: return Direction::kDownstream;
    default: return Direction::kBoth;
  }
}

}  // namespace

absl::StatusOr<v1::GetLineageResponse> LineageService::GetLineage(
    const Caller& caller, const v1::GetLineageRequest& request) {
  RETURN_IF_ERROR(catalog::ValidateName("namespace", request.namespace_()));
  RETURN_IF_ERROR(catalog::ValidateName("dataset", request.dataset()));
  if (!request.field().empty()) RETURN_IF_ERROR(catalog::ValidateName("field", request.field()));
  if (!v1::LineageDirection_IsValid(request.direction())) {
    return InvalidField("direction", "unknown direction");
  }
  if (!v1::Granularity_IsValid(request.granularity())) {
    return InvalidField("granularity", "unknown granularity");
  }
  ASSIGN_OR_RETURN(int depth, Bounded(Optional(request.has_depth(), request.depth()),
                                      kDefaultDepth, 0, kMaxDepth, "depth"));
  ASSIGN_OR_RETURN(int max_nodes,
                   Bounded(Optional(request.has_max_nodes(), request.max_nodes()),
                           kDefaultMaxNodes, 1, kMaxNodes, "maxNodes"));
  ASSIGN_OR_RETURN(EdgeFilter filter, FilterOf(request.transformation_type(),
                                               request.has_as_of() ? &request.as_of() : nullptr));
  const bool dataset_level =
      request.granularity() == v1::DATASET ||
      (request.granularity() == v1::GRANULARITY_UNSPECIFIED && request.field().empty());
  if (dataset_level && !request.field().empty()) {
    return InvalidField("granularity", "DATASET lineage starts from a dataset, not a field");
  }
  RETURN_IF_ERROR(authorizer_->Check(caller, v1::READ_METADATA, Resource::System()));
  const Viewer viewer{*authorizer_, caller};
  std::shared_ptr<Graphs> graphs = this->graphs();
  v1::GetLineageResponse result;
  RETURN_IF_ERROR(store_->Read([&](store::ReadTxn& txn) -> absl::Status {
    TraversalQuery query;
    query.direction = DirectionOf(request.direction());
    query.max_depth = depth;
    query.max_nodes = max_nodes;
    query.filter = filter;
    ASSIGN_OR_RETURN(int64_t dataset_id,
                     ResolveDataset(txn, viewer, request.namespace_(), request.dataset(), "dataset"));
    if (dataset_level) {
      query.start = {dataset_id};
    } else {
      ASSIGN_OR_RETURN(query.start, ResolveFields(txn, dataset_id, request.field()));
    }
    const Graph& graph = dataset_level ? graphs->datasets : graphs->columns;
    TraversalResult walk = graph.Traverse(query);
    ASSIGN_OR_RETURN(NodeNames names, NodeNames::Load(txn, walk, dataset_level, viewer));
    for (const ReachedNode& reached : walk.nodes) {
      if (!names.Visible(reached.node)) continue;
      v1::LineageNode* node = result.add_nodes();
      node->set_id(names.Id(reached.node));
      *node->mutable_ref() = names.Ref(reached.node);
      node->set_depth(reached.depth);
      node->set_redacted(names.Redacted(reached.node));
    }
    for (const Edge& edge : walk.edges) {
      if (!names.Visible(edge.source) || !names.Visible(edge.target)) continue;
      *result.add_edges() = names.ToLineageEdge(edge, graph);
    }
    result.set_truncated(walk.truncated);
    result.set_depth_limited(walk.depth_limited);
    return absl::OkStatus();
  }));
  return result;
}

absl::StatusOr<v1::GetLineagePathsResponse> LineageService::GetLineagePaths(
    const Caller& caller, const v1::GetLineagePathsRequest& request) {
  for (auto [prefix, ref] : {std::pair{"from", &request.from()}, std::pair{"to", &request.to()}}) {
    RETURN_IF_ERROR(catalog::ValidateName(absl::StrCat(prefix, ".namespace"), ref->namespace_()));
    RETURN_IF_ERROR(catalog::ValidateName(absl::StrCat(prefix, ".dataset"), ref->dataset()));
    RETURN_IF_ERROR(catalog::ValidateName(absl::StrCat(prefix, ".field"), ref->field()));
  }
  ASSIGN_OR_RETURN(int max_depth,
                   Bounded(Optional(request.has_max_depth(), request.max_depth()), 20, 1,
                           kMaxDepth, "maxDepth"));
  ASSIGN_OR_RETURN(int max_paths,
                   Bounded(Optional(request.has_max_paths(), request.max_paths()), 10, 1, 100,
                           "maxPaths"));
  ASSIGN_OR_RETURN(EdgeFilter filter, FilterOf(request.transformation_type(),
                                               request.has_as_of() ? &request.as_of() : nullptr));
  RETURN_IF_ERROR(authorizer_->Check(caller, v1::READ_METADATA, Resource::System()));
  const Viewer viewer{*authorizer_, caller};
  std::shared_ptr<Graphs> graphs = this->graphs();
  v1::GetLineagePathsResponse result;
  RETURN_IF_ERROR(store_->Read([&](store::ReadTxn& txn) -> absl::Status {
    ASSIGN_OR_RETURN(int64_t from, ResolveField(txn, viewer, request.from(), "from"));
    ASSIGN_OR_RETURN(int64_t to, ResolveField(txn, viewer, request.to(), "to"));
    std::vector<Path> paths = graphs->columns.ShortestPaths(from, to, max_depth, max_paths, filter);
    TraversalResult touched;
    for (const Path& path : paths) {
      for (const Edge& edge : path) {
        touched.nodes.push_back({edge.source, 0});
        touched.nodes.push_back({edge.target, 0});
        touched.edges.push_back(edge);
      }
    }
    ASSIGN_OR_RETURN(NodeNames names, NodeNames::Load(txn, touched, false, viewer));
    for (const Path& path : paths) {
      bool visible = true;
      for (const Edge& edge : path) visible &= names.Visible(edge.source) && names.Visible(edge.target);
      if (!visible) continue;
      v1::LineagePath* out = result.add_paths();
      for (const Edge& edge : path) *out->add_edges() = names.ToLineageEdge(edge, graphs->columns);
    }
    return absl::OkStatus();
  }));
  return result;
}

absl::StatusOr<v1::GetImpactResponse> LineageService::GetImpact(const Caller& caller,
                                                                const v1::GetImpactRequest& request) {
  RETURN_IF_ERROR(catalog::ValidateName("namespace", request.namespace_()));
  RETURN_IF_ERROR(catalog::ValidateName("dataset", request.dataset()));
  if (!request.field().empty()) RETURN_IF_ERROR(catalog::ValidateName("field", request.field()));
  ASSIGN_OR_RETURN(int depth, Bounded(Optional(request.has_depth(), request.depth()),
                                      kUnboundedDepth, 1, kUnboundedDepth, "depth"));
  ASSIGN_OR_RETURN(int max_nodes,
                   Bounded(Optional(request.has_max_nodes(), request.max_nodes()), kMaxNodes,
                           1, kMaxNodes, "maxNodes"));
  ASSIGN_OR_RETURN(EdgeFilter filter,
                   FilterOf("", request.has_as_of() ? &request.as_of() : nullptr));
  RETURN_IF_ERROR(authorizer_->Check(caller, v1::READ_METADATA, Resource::System()));
  const Viewer viewer{*authorizer_, caller};
  std::shared_ptr<Graphs> graphs = this->graphs();
  v1::GetImpactResponse result;
  RETURN_IF_ERROR(store_->Read([&](store::ReadTxn& txn) -> absl::Status {
    ASSIGN_OR_RETURN(int64_t dataset_id,
                     ResolveDataset(txn, viewer, request.namespace_(), request.dataset(), "dataset"));
    TraversalQuery query;
    ASSIGN_OR_RETURN(query.start, ResolveFields(txn, dataset_id, request.field()));
    query.direction = Direction::kDownstream;
    query.max_depth = depth;
    query.max_nodes = max_nodes;
    query.filter = filter;
    TraversalResult walk = graphs->columns.Traverse(query);
    ASSIGN_OR_RETURN(NodeNames names, NodeNames::Load(txn, walk, false, viewer));

    std::set<NodeId> starts(query.start.begin(), query.start.end());
    std::set<std::pair<std::string, std::string>> datasets;
    for (const ReachedNode& reached : walk.nodes) {
      if (starts.count(reached.node) || !names.Visible(reached.node) ||
          names.Redacted(reached.node)) {
        continue;
      }
      v1::FieldRef ref = names.Ref(reached.node);
      if (!ref.field().empty()) *result.add_columns() = ref;
      datasets.insert({ref.namespace_(), ref.dataset()});
    }
    std::set<int64_t> jobs;
    for (const Edge& edge : walk.edges) {
      if (names.Visible(edge.source) && names.Visible(edge.target) &&
          !names.Redacted(edge.source) && !names.Redacted(edge.target)) {
        jobs.insert(edge.job);
      }
    }
    for (int64_t job : jobs) *result.add_jobs() = names.Job(job);

    std::set<std::pair<std::string, std::string>> owners;
    std::set<std::string> domains;
    for (const auto& [ns, name] : datasets) {
      v1::DatasetId* id = result.add_datasets();
      id->set_namespace_(ns);
      id->set_name(name);
      auto dataset = txn.GetDataset(ns, name);
      if (!dataset.ok()) continue;
      if (!dataset->domain().empty()) domains.insert(dataset->domain());
      for (const v1::Owner& owner : dataset->owners()) {
        if (owners.insert({owner.name(), v1::OwnerType_Name(owner.type())}).second) {
          *result.add_owners() = owner;
        }
      }
    }
    for (const std::string& domain : domains) result.add_domains(domain);
    result.set_column_count(result.columns_size());
    result.set_dataset_count(result.datasets_size());
    result.set_job_count(result.jobs_size());
    result.set_owner_count(result.owners_size());
    result.set_domain_count(result.domains_size());
    result.set_truncated(walk.truncated || walk.depth_limited);
    return absl::OkStatus();
  }));
  return result;
}

}  // namespace cadastre::lineage
