// ReportService: the trace report, every lineage path through the traced
// columns from source to final consumer, hop by hop.
#include <algorithm>
#include <cstdint>
#include <map>
#include <set>

#include "absl/strings/str_cat.h"
#include "google/protobuf/util/time_util.h"
#include "server/catalog/validation.h"
#include "server/common/csv.h"
#include "server/common/status.h"
#include "server/report/paths.h"
#include "server/report/report_internal.h"
#include "server/report/report_service.h"

namespace cadastre::report {
namespace {

using google::protobuf::util::TimeUtil;
using lineage::Edge;
using lineage::NodeId;
using policy::Resource;

constexpr int kMaxHops = 100;
constexpr int kWalkNodes = 100000;

// INVALID_ARGUMENT naming the field at fault unless the request names
// either a classification or a dataset (and maybe a column).
absl::Status ValidateTarget(const v1::TraceReportRequest& request) {
  const bool by_column =
      !request.namespace_().empty() || !request.dataset().empty() || !request.field().empty();
  if (!request.tag().empty()) {
    if (by_column) return InvalidField("tag", "give either tag or namespace and dataset, not both");
    return absl::OkStatus();
  }
  if (!by_column) {
    return InvalidField("namespace", "give namespace and dataset (and field), or tag");
  }
  RETURN_IF_ERROR(catalog::ValidateName("namespace", request.namespace_()));
  RETURN_IF_ERROR(catalog::ValidateName("dataset", request.dataset()));
  if (!request.field().empty()) RETURN_IF_ERROR(catalog::ValidateName("field", request.field()));
  return absl::OkStatus();
}

lineage::TraversalResult Walk(const lineage::Graph& graph, const std::vector<NodeId>& start,
                              lineage::Direction direction) {
  lineage::TraversalQuery query;
  query.start = start;
  query.direction = direction;
  query.max_depth = kMaxHops;
  // The starts count as nodes of the result: the bound is for what lies
  // beyond them (a classification can reach more columns than the bound).
  query.max_nodes = static_cast<int>(std::min<size_t>(start.size() + kWalkNodes, INT32_MAX));
  return graph.Traverse(query);
}

// What a hop says about its job and edge, read once per job and per target
// dataset.
class HopDetails {
 public:
  HopDetails(store::ReadTxn& txn, const lineage::Viewer& viewer) : txn_(txn), viewer_(viewer) {}

  // The job as the viewer may see it: without its SQL and code location
  // when it touches a dataset hidden from the viewer.
  absl::StatusOr<const v1::Job*> Job(const v1::JobId& id) {
    const auto key = std::make_pair(id.namespace_(), id.name());
    if (auto it = jobs_.find(key); it != jobs_.end()) return &it->second;
    ASSIGN_OR_RETURN(v1::Job job, txn_.GetJob(id.namespace_(), id.name()));
    const int io = job.inputs_size() + job.outputs_size();
    RETURN_IF_ERROR(lineage::KeepVisibleIo(txn_, viewer_, &job));
    if (job.inputs_size() + job.outputs_size() != io) job.clear_location();
    return &jobs_.emplace(key, std::move(job)).first->second;
  }

  // The stored edge (first and last seen, description); null when gone.
  absl::StatusOr<const store::ColumnEdgeRow*> Row(int64_t target_dataset, int64_t edge) {
    if (!loaded_.count(target_dataset)) {
      loaded_.insert(target_dataset);
      ASSIGN_OR_RETURN(std::vector<store::ColumnEdgeRow> rows,
                       txn_.OpenEdgesOfDataset(target_dataset));
      for (store::ColumnEdgeRow& row : rows) rows_[row.id] = std::move(row);
    }
    auto it = rows_.find(edge);
    return it == rows_.end() ? nullptr : &it->second;
  }

 private:
  store::ReadTxn& txn_;
  const lineage::Viewer& viewer_;
  std::map<std::pair<std::string, std::string>, v1::Job> jobs_;
  std::set<int64_t> loaded_;
  std::map<int64_t, store::ColumnEdgeRow> rows_;
};

// The dataset row id of a column graph node.
int64_t DatasetOf(const lineage::NodeNames& names, NodeId node) {
  if (node < 0) return -node;
  const store::FieldInfo* field = names.FieldEvenIfRedacted(node);
  return field == nullptr ? 0 : field->dataset_id;
}

absl::StatusOr<v1::TraceHop> Hop(const Edge& edge, const lineage::Graph& graph,
                                 const lineage::NodeNames& names, HopDetails& details) {
  v1::TraceHop hop;
  *hop.mutable_source() = names.Ref(edge.source);
  *hop.mutable_target() = names.Ref(edge.target);
  hop.set_source_id(names.Id(edge.source));
  hop.set_target_id(names.Id(edge.target));
  v1::Transformation* transformation = hop.mutable_transformation();
  transformation->set_type(edge.type == lineage::EdgeType::kDirect ? "DIRECT" : "INDIRECT");
  transformation->set_subtype(graph.SubtypeName(edge.subtype));
  transformation->set_masking(edge.masking);
  ASSIGN_OR_RETURN(const store::ColumnEdgeRow* row,
                   details.Row(DatasetOf(names, edge.target), edge.id));
  if (row != nullptr) {
    transformation->set_description(row->description);
    *hop.mutable_first_seen() = TimeUtil::MicrosecondsToTimestamp(row->first_seen);
    *hop.mutable_last_seen() = TimeUtil::MicrosecondsToTimestamp(row->last_seen);
  }
  // A hop touching a hidden column names no job, as lineage edges do.
  if (names.Redacted(edge.source) || names.Redacted(edge.target)) return hop;
  *hop.mutable_job() = names.Job(edge.job);
  auto job = details.Job(hop.job());
  if (absl::IsNotFound(job.status())) return hop;
  RETURN_IF_ERROR(job.status());
  hop.set_job_version((*job)->latest_run().id());
  hop.set_code_location((*job)->location());
  hop.set_sql((*job)->sql());
  return hop;
}

std::string TimeText(const v1::TraceHop& hop, bool first) {
  if (first ? !hop.has_first_seen() : !hop.has_last_seen()) return "";
  return TimeUtil::ToString(first ? hop.first_seen() : hop.last_seen());
}

// A node as CSV fields: a redacted one reads "redacted:N" as its dataset.
std::vector<std::string> NodeFields(const v1::FieldRef& ref, const std::string& id) {
  if (ref.dataset().empty()) return {"", id, ""};
  return {ref.namespace_(), ref.dataset(), ref.field()};
}

// One record per hop, numbered by path and by hop within it (from 1).
std::string TraceCsv(const v1::TraceReport& report) {
  CsvWriter csv;
  csv.Row({"path", "hop", "source_namespace", "source_dataset", "source_field", "target_namespace",
           "target_dataset", "target_field", "job_namespace", "job_name", "job_version",
           "code_location", "sql", "transformation_type", "transformation_subtype", "masking",
           "first_seen", "last_seen"});
  for (int p = 0; p < report.paths_size(); p++) {
    const v1::TracePath& path = report.paths(p);
    for (int h = 0; h < path.hops_size(); h++) {
      const v1::TraceHop& hop = path.hops(h);
      std::vector<std::string> fields = {absl::StrCat(p + 1), absl::StrCat(h + 1)};
      for (auto& field : NodeFields(hop.source(), hop.source_id())) fields.push_back(field);
      for (auto& field : NodeFields(hop.target(), hop.target_id())) fields.push_back(field);
      for (const std::string& field :
           {hop.job().namespace_(), hop.job().name(), hop.job_version(), hop.code_location(),
            hop.sql(), hop.transformation().type(), hop.transformation().subtype(),
            std::string(hop.transformation().masking() ? "true" : "false"), TimeText(hop, true),
            TimeText(hop, false)}) {
        fields.push_back(field);
      }
      csv.Row(fields);
    }
  }
  return csv.text();
}

}  // namespace

absl::StatusOr<v1::TraceReport> ReportService::GetTraceReport(
    const Caller& caller, const v1::TraceReportRequest& request) {
  RETURN_IF_ERROR(ValidateTarget(request));
  std::string root;
  if (!request.tag().empty()) {
    ASSIGN_OR_RETURN(root, RootTag(request.tag()));
  }
  ASSIGN_OR_RETURN(const Format format, FormatOf(request.format()));
  RETURN_IF_ERROR(authorizer_->Check(caller, v1::READ_METADATA, Resource::System()));
  const lineage::Viewer viewer{*authorizer_, caller};
  std::shared_ptr<const lineage::Graph> graph = lineage_->ColumnGraph();
  v1::TraceReport report;
  *report.mutable_generated_at() =
      TimeUtil::MicrosecondsToTimestamp(absl::ToUnixMicros(clock_->Now()));
  report.set_principal(caller.principal);
  RETURN_IF_ERROR(store_->Read([&](store::ReadTxn& txn) -> absl::Status {
    std::vector<NodeId> traced;
    bool inventory_truncated = false;
    if (!root.empty()) {
      RETURN_IF_ERROR(CheckClassificationExists(txn, root));
      ASSIGN_OR_RETURN(std::vector<PersonalData> found,
                       FindPersonalData(txn, viewer, *lineage_, *graph, root,
                                        catalog::InheritedPaths::kLeftOut, &inventory_truncated));
      for (const PersonalData& data : found) traced.push_back(data.node);
    } else {
      ASSIGN_OR_RETURN(int64_t dataset, lineage::ResolveDataset(txn, viewer, request.namespace_(),
                                                                request.dataset(), "dataset"));
      ASSIGN_OR_RETURN(traced, lineage::ResolveFields(txn, dataset, request.field()));
    }
    lineage::TraversalResult up = Walk(*graph, traced, lineage::Direction::kUpstream);
    lineage::TraversalResult down = Walk(*graph, traced, lineage::Direction::kDownstream);
    PathSet found = PathsThrough(traced, up.edges, down.edges,
                                 PathLimits{static_cast<size_t>(kMaxTracePaths), kMaxHops});
    report.set_truncated(inventory_truncated || found.truncated || up.truncated ||
                         up.depth_limited || down.truncated || down.depth_limited);

    // Names for the traced columns, then the paths' nodes in order, so that
    // redacted nodes are numbered as a reader meets them.
    lineage::TraversalResult touched;
    for (NodeId node : traced) touched.nodes.push_back({node, 0});
    for (const lineage::Path& path : found.paths) {
      for (const Edge& edge : path) {
        touched.nodes.push_back({edge.source, 0});
        touched.nodes.push_back({edge.target, 0});
        touched.edges.push_back(edge);
      }
    }
    ASSIGN_OR_RETURN(lineage::NodeNames names,
                     lineage::NodeNames::Load(txn, touched, false, viewer));
    for (NodeId node : traced) *report.add_traced() = names.Ref(node);
    HopDetails details(txn, viewer);
    std::set<lineage::EdgeId> hops;
    for (const lineage::Path& path : found.paths) {
      // A path through a deleted dataset is left out, as /lineage/paths does.
      bool visible = true;
      for (const Edge& edge : path) {
        visible &= names.Visible(edge.source) && names.Visible(edge.target);
      }
      if (!visible) continue;
      v1::TracePath* out = report.add_paths();
      for (const Edge& edge : path) {
        ASSIGN_OR_RETURN(*out->add_hops(), Hop(edge, *graph, names, details));
        hops.insert(edge.id);
      }
    }
    report.set_hop_count(static_cast<int32_t>(hops.size()));
    return absl::OkStatus();
  }));
  *report.mutable_audit_chain() = AuditChain();
  return InFormat(std::move(report), format, TraceCsv);
}

}  // namespace cadastre::report
