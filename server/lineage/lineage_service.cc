// LineageService: the in-memory graphs, jobs, runs, raw events and
// propagation blocks.
#include "server/lineage/lineage_service.h"

#include "absl/strings/str_cat.h"
#include "google/protobuf/util/json_util.h"
#include "google/protobuf/util/time_util.h"
#include "server/catalog/dataset_access.h"
#include "server/catalog/dataset_writes.h"
#include "server/lineage/resolve.h"
#include "server/catalog/validation.h"
#include "server/common/log.h"
#include "server/common/status.h"

namespace cadastre::lineage {
namespace {

using google::protobuf::util::TimeUtil;
using policy::Resource;

EdgeType TypeOf(const std::string& type) {
  return type == "INDIRECT" ? EdgeType::kIndirect : EdgeType::kDirect;
}

}  // namespace

std::shared_ptr<LineageService::Graphs> LineageService::graphs() const {
  std::lock_guard<std::mutex> lock(graphs_mu_);
  return graphs_;
}

std::shared_ptr<const Graph> LineageService::ColumnGraph() const {
  std::shared_ptr<Graphs> current = graphs();
  return std::shared_ptr<const Graph>(current, &current->columns);
}

std::shared_ptr<const Graph> LineageService::DatasetGraph() const {
  std::shared_ptr<Graphs> current = graphs();
  return std::shared_ptr<const Graph>(current, &current->datasets);
}

void LineageService::AddColumnEdge(Graphs& graphs, const store::ColumnEdgeRow& row) {
  Edge edge;
  edge.id = row.id;
  edge.source = row.source_field;
  // A dependency of the whole target dataset ends at the dataset's node.
  edge.target = row.target_field != 0 ? row.target_field : -row.target_dataset;
  edge.job = row.job;
  edge.type = TypeOf(row.type);
  edge.subtype = graphs.columns.InternSubtype(row.subtype);
  edge.masking = row.masking;
  edge.valid_from = row.valid_from;
  edge.valid_to = row.valid_to;
  graphs.columns.Upsert(edge);
}

std::pair<std::vector<int64_t>, std::vector<int64_t>> LineageService::Graphs::JobIo(
    int64_t job) const {
  std::shared_lock<std::shared_mutex> lock(io_mu);
  auto it = job_io.find(job);
  if (it == job_io.end()) return {};
  return {{it->second.first.begin(), it->second.first.end()},
          {it->second.second.begin(), it->second.second.end()}};
}

void LineageService::AddJobIo(Graphs& graphs, const store::JobIoRow& row) {
  std::unique_lock<std::shared_mutex> lock(graphs.io_mu);
  auto& [inputs, outputs] = graphs.job_io[row.job];
  if (!(row.output ? outputs : inputs).insert(row.dataset).second) return;
  // One dataset edge per (input, job, output) pair that now exists.
  for (int64_t in : inputs) {
    for (int64_t out : outputs) {
      auto key = std::make_tuple(row.job, in, out);
      if (graphs.dataset_edge_ids.count(key)) continue;
      Edge edge;
      edge.id = static_cast<EdgeId>(graphs.dataset_edge_ids.size()) + 1;
      edge.source = in;
      edge.target = out;
      edge.job = row.job;
      graphs.dataset_edge_ids[key] = edge.id;
      graphs.datasets.Upsert(edge);
    }
  }
}

absl::StatusOr<std::shared_ptr<LineageService::Graphs>> LineageService::BuildGraphs() const {
  auto built = std::make_shared<Graphs>();
  built->columns.BeginLoad();
  built->datasets.BeginLoad();
  RETURN_IF_ERROR(store_->Read([&](store::ReadTxn& txn) -> absl::Status {
    RETURN_IF_ERROR(txn.ScanColumnEdges(
        [&](const store::ColumnEdgeRow& row) { AddColumnEdge(*built, row); }));
    return txn.ScanJobIo([&](const store::JobIoRow& row) { AddJobIo(*built, row); });
  }));
  built->columns.EndLoad();
  built->datasets.EndLoad();
  return built;
}

absl::Status LineageService::Load() {
  std::lock_guard<std::mutex> ingest(ingest_mu_);
  ASSIGN_OR_RETURN(std::shared_ptr<Graphs> built, BuildGraphs());
  log::Info("lineage graph loaded", {{"column_edges", built->columns.edge_count()},
                                     {"dataset_edges", built->datasets.edge_count()}});
  std::lock_guard<std::mutex> lock(graphs_mu_);
  graphs_ = std::move(built);
  graph_changes_.fetch_add(1);
  return absl::OkStatus();
}

void LineageService::ApplyToGraphs(const GraphChanges& changes) {
  std::shared_ptr<Graphs> current = graphs();
  for (const store::ColumnEdgeRow& row : changes.column_edges) AddColumnEdge(*current, row);
  for (const store::JobIoRow& row : changes.job_io) AddJobIo(*current, row);
  graph_changes_.fetch_add(1);
}

absl::Status LineageService::WriteLineage(
    const std::function<absl::Status(store::WriteTxn&, GraphChanges&)>& fn) {
  GraphChanges changes;
  std::lock_guard<std::mutex> lock(ingest_mu_);
  RETURN_IF_ERROR(store_->Write([&](store::WriteTxn& txn) -> absl::Status {
    changes = GraphChanges();  // a retried transaction starts afresh
    return fn(txn, changes);
  }));
  ApplyToGraphs(changes);
  return absl::OkStatus();
}

void LineageService::FieldsRemoved(const std::vector<int64_t>& field_ids) {
  // The store dropped the removed columns' edges with them. Columns are
  // rarely removed, so the graphs are rebuilt rather than patched.
  std::lock_guard<std::mutex> ingest(ingest_mu_);
  auto built = BuildGraphs();
  if (!built.ok()) {
    log::Error("lineage graph rebuild failed", {{"error", built.status().ToString()}});
    return;
  }
  std::lock_guard<std::mutex> lock(graphs_mu_);
  graphs_ = *std::move(built);
  graph_changes_.fetch_add(1);
}

// ------------------------------------------------------------ jobs and runs

absl::StatusOr<v1::Job> LineageService::GetJob(const Caller& caller,
                                               const v1::GetJobRequest& request) {
  RETURN_IF_ERROR(catalog::ValidateName("namespace", request.namespace_()));
  RETURN_IF_ERROR(catalog::ValidateName("name", request.name()));
  RETURN_IF_ERROR(authorizer_->Check(caller, v1::READ_METADATA,
                                     Resource::Namespace(request.namespace_())));
  v1::Job result;
  RETURN_IF_ERROR(store_->Read([&](store::ReadTxn& txn) -> absl::Status {
    auto job = txn.GetJob(request.namespace_(), request.name());
    if (absl::IsNotFound(job.status())) {
      return WithField(absl::NotFoundError(absl::StrCat("job '", request.name(),
                                                        "' not found in namespace '",
                                                        request.namespace_(), "'")),
                       "name");
    }
    RETURN_IF_ERROR(job.status());
    result = *std::move(job);
    return KeepVisibleIo(txn, Viewer{*authorizer_, caller}, &result);
  }));
  return result;
}

absl::StatusOr<v1::ListJobsResponse> LineageService::ListJobs(const Caller& caller,
                                                              const v1::ListJobsRequest& request) {
  RETURN_IF_ERROR(catalog::ValidateName("namespace", request.namespace_()));
  ASSIGN_OR_RETURN(store::Page page,
                   catalog::ValidatePage(catalog::LimitOf(request), request.offset()));
  RETURN_IF_ERROR(authorizer_->Check(caller, v1::READ_METADATA,
                                     Resource::Namespace(request.namespace_())));
  v1::ListJobsResponse result;
  RETURN_IF_ERROR(store_->Read([&](store::ReadTxn& txn) -> absl::Status {
    ASSIGN_OR_RETURN(auto listing, txn.ListJobs(request.namespace_(), page));
    for (auto& job : listing.items) {
      RETURN_IF_ERROR(KeepVisibleIo(txn, Viewer{*authorizer_, caller}, &job));
      *result.add_jobs() = std::move(job);
    }
    result.set_total_count(listing.total_count);
    return absl::OkStatus();
  }));
  return result;
}

absl::StatusOr<v1::ListRunsResponse> LineageService::ListRuns(const Caller& caller,
                                                              const v1::ListRunsRequest& request) {
  RETURN_IF_ERROR(catalog::ValidateName("namespace", request.namespace_()));
  RETURN_IF_ERROR(catalog::ValidateName("job", request.job()));
  ASSIGN_OR_RETURN(store::Page page,
                   catalog::ValidatePage(catalog::LimitOf(request), request.offset()));
  RETURN_IF_ERROR(authorizer_->Check(caller, v1::READ_METADATA,
                                     Resource::Namespace(request.namespace_())));
  v1::ListRunsResponse result;
  RETURN_IF_ERROR(store_->Read([&](store::ReadTxn& txn) -> absl::Status {
    auto job = txn.JobRowId(request.namespace_(), request.job());
    if (absl::IsNotFound(job.status())) {
      return WithField(absl::NotFoundError(absl::StrCat("job '", request.job(), "' not found")),
                       "job");
    }
    RETURN_IF_ERROR(job.status());
    ASSIGN_OR_RETURN(auto listing, txn.ListRuns(*job, page));
    for (auto& run : listing.items) *result.add_runs() = std::move(run);
    result.set_total_count(listing.total_count);
    return absl::OkStatus();
  }));
  return result;
}

absl::StatusOr<v1::ListLineageEventsResponse> LineageService::ListLineageEvents(
    const Caller& caller, const v1::ListLineageEventsRequest& request) {
  ASSIGN_OR_RETURN(store::Page page,
                   catalog::ValidatePage(catalog::LimitOf(request), request.offset()));
  if (request.sort_direction() != "" && request.sort_direction() != "asc" &&
      request.sort_direction() != "desc") {
    return InvalidField("sortDirection", "must be asc or desc");
  }
  RETURN_IF_ERROR(authorizer_->Check(caller, v1::READ_METADATA, Resource::System()));
  // Raw events name every dataset they touch, so only a caller who sees
  // every dataset may read them.
  if (!authorizer_->AccessOf(caller).Everywhere(v1::READ_METADATA)) {
    return absl::PermissionDeniedError("raw lineage events need read access to every dataset");
  }
  store::EventQuery query;
  query.page = page;
  query.ascending = request.sort_direction() == "asc";
  if (request.has_before()) query.before = TimeUtil::TimestampToMicroseconds(request.before());
  if (request.has_after()) query.after = TimeUtil::TimestampToMicroseconds(request.after());
  v1::ListLineageEventsResponse result;
  RETURN_IF_ERROR(store_->Read([&](store::ReadTxn& txn) -> absl::Status {
    ASSIGN_OR_RETURN(auto listing, txn.ListLineageEvents(query));
    for (const std::string& json : listing.items) {
      if (!google::protobuf::util::JsonStringToMessage(json, result.add_events()).ok()) {
        return absl::DataLossError("a stored lineage event is not valid JSON");
      }
    }
    result.set_total_count(listing.total_count);
    return absl::OkStatus();
  }));
  return result;
}

// ------------------------------------------------------- propagation blocks

absl::StatusOr<v1::Dataset> LineageService::BlockPropagation(
    const Caller& caller, const v1::BlockPropagationRequest& request) {
  return SetBlock(caller, request, true);
}

absl::StatusOr<v1::Dataset> LineageService::UnblockPropagation(
    const Caller& caller, const v1::BlockPropagationRequest& request) {
  return SetBlock(caller, request, false);
}

absl::StatusOr<v1::Dataset> LineageService::SetBlock(const Caller& caller,
                                                     const v1::BlockPropagationRequest& request,
                                                     bool blocked) {
  RETURN_IF_ERROR(catalog::ValidateName("namespace", request.namespace_()));
  RETURN_IF_ERROR(catalog::ValidateName("dataset", request.dataset()));
  RETURN_IF_ERROR(catalog::ValidateName("field", request.field()));
  RETURN_IF_ERROR(catalog::ValidateTagName("tag", request.tag()));
  RETURN_IF_ERROR(authorizer_->Check(caller, v1::MANAGE_CLASSIFICATIONS, Resource::System()));
  v1::Dataset result;
  RETURN_IF_ERROR(store_->Write([&](store::WriteTxn& txn) -> absl::Status {
    ASSIGN_OR_RETURN(v1::Dataset before,
                     catalog::LoadDatasetFor(txn, *authorizer_, caller, v1::MANAGE_CLASSIFICATIONS,
                                             request.namespace_(), request.dataset(), "dataset"));
    auto tag = txn.GetTag(request.tag());
    if (absl::IsNotFound(tag.status())) {
      return WithField(absl::NotFoundError(absl::StrCat("classification '", request.tag(),
                                                        "' not found")),
                       "tag");
    }
    RETURN_IF_ERROR(tag.status());
    v1::Dataset after = before;
    ASSIGN_OR_RETURN(int index, catalog::FindField(after, request.field()));
    catalog::SetMember(after.mutable_fields(index)->mutable_blocked_tags(), request.tag(), blocked);
    ASSIGN_OR_RETURN(result,
                     catalog::SaveDataset(txn, caller, clock_->Now(), &before, after, "UPDATE"));
    return Decorate(txn, caller, result, catalog::InheritedPaths::kShown);
  }));
  return result;
}

}  // namespace cadastre::lineage
