#include "server/lineage/resolve.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "google/protobuf/util/time_util.h"
#include "server/catalog/dataset_access.h"
#include "server/catalog/dataset_writes.h"
#include "server/common/status.h"
#include "server/common/strings.h"
#include "server/lineage/node_id.h"

namespace cadastre::lineage {

bool Viewer::CanSee(const store::DatasetInfo& dataset) const {
  return !dataset.deleted && (everything || authorizer.CanSee(caller, catalog::ScopeOf(dataset)));
}

absl::StatusOr<int64_t> ResolveDataset(store::ReadTxn& txn, const Viewer& viewer,
                                       std::string_view ns, std::string_view name,
                                       std::string_view field) {
  // LoadDatasetFor applies the catalog's visibility rules (deleted datasets,
  // hidden namespaces and datasets outside the caller's scope are not found).
  RETURN_IF_ERROR(catalog::LoadDatasetFor(txn, viewer.authorizer, viewer.caller, v1::READ_METADATA,
                                          ns, name, field)
                      .status());
  return txn.DatasetRowId(ns, name);
}

absl::StatusOr<std::vector<int64_t>> ResolveFields(store::ReadTxn& txn, int64_t dataset_id,
                                                   std::string_view field) {
  ASSIGN_OR_RETURN(std::vector<store::FieldInfo> fields, txn.FieldsOfDataset(dataset_id));
  std::vector<int64_t> ids;
  for (const store::FieldInfo& info : fields) {
    if (field.empty() || info.field == field) ids.push_back(info.id);
  }
  if (!field.empty() && ids.empty()) {
    return WithField(absl::NotFoundError(absl::StrCat("field '", Absl(field), "' not found")),
                     "field");
  }
  return ids;
}

absl::StatusOr<int64_t> ResolveField(store::ReadTxn& txn, const Viewer& viewer,
                                     const v1::FieldRef& ref, std::string_view prefix) {
  ASSIGN_OR_RETURN(int64_t dataset, ResolveDataset(txn, viewer, ref.namespace_(), ref.dataset(),
                                                   absl::StrCat(Absl(prefix), ".dataset")));
  auto ids = ResolveFields(txn, dataset, ref.field());
  if (!ids.ok()) return WithField(ids.status(), absl::StrCat(Absl(prefix), ".field"));
  return ids->front();
}

absl::Status KeepVisibleIo(store::ReadTxn& txn, const Viewer& viewer, v1::Job* job) {
  if (viewer.authorizer.AccessOf(viewer.caller).Everywhere(v1::READ_METADATA)) {
    return absl::OkStatus();
  }
  bool hid = false;
  for (auto* list : {job->mutable_inputs(), job->mutable_outputs()}) {
    google::protobuf::RepeatedPtrField<v1::DatasetId> kept;
    for (const v1::DatasetId& id : *list) {
      ASSIGN_OR_RETURN(bool visible, catalog::CanSeeDataset(txn, viewer.authorizer, viewer.caller,
                                                            id.namespace_(), id.name()));
      if (visible) {
        *kept.Add() = id;
      } else {
        hid = true;
      }
    }
    list->Swap(&kept);
  }
  // The job's text may name what was just left out.
  if (hid) {
    job->clear_sql();
    job->clear_source_code();
    job->clear_facets();
    job->clear_description();
    job->mutable_latest_run()->clear_facets();
  }
  return absl::OkStatus();
}

absl::StatusOr<NodeNames> NodeNames::Load(store::ReadTxn& txn, const TraversalResult& walk,
                                          bool dataset_graph, const Viewer& viewer) {
  NodeNames names;
  names.dataset_graph_ = dataset_graph;
  std::vector<int64_t> field_ids;
  std::vector<int64_t> dataset_ids;
  auto note = [&](NodeId node) {
    if (dataset_graph) {
      dataset_ids.push_back(node);
    } else if (node < 0) {
      dataset_ids.push_back(-node);
    } else {
      field_ids.push_back(node);
    }
  };
  std::vector<int64_t> job_ids;
  for (const ReachedNode& node : walk.nodes) note(node.node);
  for (const Edge& edge : walk.edges) {
    note(edge.source);
    note(edge.target);
    job_ids.push_back(edge.job);
  }
  // A walk names a node once, its edges name it again at each end: each
  // id is read once.
  auto unique = [](std::vector<int64_t>& ids) {
    std::sort(ids.begin(), ids.end());
    ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  };
  unique(field_ids);
  unique(job_ids);
  auto rows = std::make_shared<Rows>();
  ASSIGN_OR_RETURN(auto fields, txn.FieldsById(field_ids));
  for (auto& info : fields) {
    dataset_ids.push_back(info.dataset_id);  // to know whether it is deleted
    rows->fields[info.id] = std::move(info);
  }
  unique(dataset_ids);
  ASSIGN_OR_RETURN(auto datasets, txn.DatasetsById(dataset_ids));
  for (auto& info : datasets) rows->datasets[info.id] = std::move(info);
  ASSIGN_OR_RETURN(auto jobs, txn.JobsById(job_ids));
  for (auto& info : jobs) rows->jobs[info.id] = std::move(info);
  auto hidden = std::make_shared<std::unordered_set<int64_t>>();
  for (const auto& [id, info] : rows->datasets) {
    if (!info.deleted && !viewer.CanSee(info)) hidden->insert(id);
  }
  names.rows_ = std::move(rows);
  names.hidden_ = std::move(hidden);
  names.NumberRedacted(walk);
  return names;
}

NodeNames NodeNames::For(const NodeNames& loaded, const TraversalResult& walk) {
  NodeNames names;
  names.dataset_graph_ = loaded.dataset_graph_;
  names.rows_ = loaded.rows_;
  names.hidden_ = loaded.hidden_;
  names.NumberRedacted(walk);
  return names;
}

void NodeNames::NumberRedacted(const TraversalResult& walk) {
  if (hidden_->empty()) return;
  // Numbered in the order the walk met them, so answers are deterministic.
  auto redact = [&](NodeId node) {
    if (hidden_->count(DatasetOf(node)) && !redacted_.count(node)) {
      redacted_.emplace(node, static_cast<int>(redacted_.size()) + 1);
    }
  };
  for (const ReachedNode& node : walk.nodes) redact(node.node);
  for (const Edge& edge : walk.edges) {
    redact(edge.source);
    redact(edge.target);
  }
}

int64_t NodeNames::DatasetOf(NodeId node) const {
  if (dataset_graph_) return node;
  if (node < 0) return -node;
  const store::FieldInfo* field = FieldEvenIfRedacted(node);
  return field == nullptr ? 0 : field->dataset_id;
}

const store::FieldInfo* NodeNames::Field(NodeId node) const {
  return Redacted(node) ? nullptr : FieldEvenIfRedacted(node);
}

const store::FieldInfo* NodeNames::FieldEvenIfRedacted(NodeId node) const {
  if (dataset_graph_ || node < 0) return nullptr;
  auto it = rows_->fields.find(node);
  return it == rows_->fields.end() ? nullptr : &it->second;
}

const store::DatasetInfo* NodeNames::DatasetEvenIfRedacted(NodeId node) const {
  auto it = rows_->datasets.find(DatasetOf(node));
  return it == rows_->datasets.end() ? nullptr : &it->second;
}

bool NodeNames::Visible(NodeId node) const {
  auto it = rows_->datasets.find(DatasetOf(node));
  return it != rows_->datasets.end() && !it->second.deleted;
}

bool NodeNames::Redacted(NodeId node) const { return redacted_.count(node) > 0; }

v1::FieldRef NodeNames::Ref(NodeId node) const {
  v1::FieldRef ref;
  if (Redacted(node)) return ref;
  if (const store::FieldInfo* field = Field(node)) {
    ref.set_namespace_(field->ns);
    ref.set_dataset(field->dataset);
    ref.set_field(field->field);
    return ref;
  }
  auto it = rows_->datasets.find(dataset_graph_ ? node : -node);
  if (it != rows_->datasets.end()) {
    ref.set_namespace_(it->second.ns);
    ref.set_dataset(it->second.name);
  }
  return ref;
}

const std::string& NodeNames::Id(NodeId node) const {
  auto [it, made] = ids_.emplace(node, std::string());
  if (!made) return it->second;
  if (auto redacted = redacted_.find(node); redacted != redacted_.end()) {
    return it->second = absl::StrCat("redacted:", redacted->second);
  }
  v1::FieldRef ref = Ref(node);
  return it->second = ref.field().empty()
                          ? DatasetNodeId(ref.namespace_(), ref.dataset())
                          : FieldNodeId(ref.namespace_(), ref.dataset(), ref.field());
}

v1::JobId NodeNames::Job(int64_t job) const {
  v1::JobId id;
  auto it = rows_->jobs.find(job);
  if (it != rows_->jobs.end()) {
    id.set_namespace_(it->second.ns);
    id.set_name(it->second.name);
  }
  return id;
}

v1::LineageEdge NodeNames::ToLineageEdge(const Edge& edge, const Graph& graph) const {
  using google::protobuf::util::TimeUtil;
  v1::LineageEdge out;
  out.set_source(Id(edge.source));
  out.set_target(Id(edge.target));
  if (!Redacted(edge.source) && !Redacted(edge.target)) *out.mutable_job() = Job(edge.job);
  if (!dataset_graph_) {
    out.mutable_transformation()->set_type(edge.type == EdgeType::kDirect ? "DIRECT" : "INDIRECT");
    out.mutable_transformation()->set_subtype(graph.SubtypeName(edge.subtype));
    out.mutable_transformation()->set_masking(edge.masking);
    *out.mutable_valid_from() = TimeUtil::MicrosecondsToTimestamp(edge.valid_from);
    if (edge.valid_to != kOpenEnd) {
      *out.mutable_valid_to() = TimeUtil::MicrosecondsToTimestamp(edge.valid_to);
    }
  }
  return out;
}

}  // namespace cadastre::lineage
