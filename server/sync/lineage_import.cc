#include "server/sync/lineage_import.h"

#include "absl/strings/str_cat.h"
#include "server/catalog/dataset_access.h"
#include "server/catalog/dataset_writes.h"
#include "server/catalog/validation.h"
#include "server/catalog/versioning.h"
#include "server/common/status.h"

namespace cadastre::sync {
namespace {

using policy::Resource;

int64_t Micros(absl::Time t) { return absl::ToUnixMicros(t); }

// What makes two edges of one (job, target dataset) the same edge, as in
// OpenLineage ingestion.
std::tuple<int64_t, int64_t, std::string, std::string, bool, std::string> KeyOf(
    const store::ColumnEdgeRow& row) {
  return {row.source_field, row.target_field, row.type, row.subtype, row.masking, row.description};
}

bool IsRecordError(const absl::Status& status) { return absl::IsInvalidArgument(status); }

std::string EdgeName(const LineageRecord& e) {
  return absl::StrCat(e.job_ns, ":", e.job_name, " ", e.source.ns, ":", e.source.dataset, ":",
                      e.source.field, " -> ", e.target.ns, ":", e.target.dataset, ":",
                      e.target.field);
}

}  // namespace

absl::StatusOr<std::pair<int64_t, int64_t>> LineageImport::Column(const ColumnKey& column,
                                                                  const std::string& where) {
  const auto not_found = InvalidField(where, absl::StrCat("column ", column.ns, ":", column.dataset,
                                                          ":", column.field, " not found"));
  auto cached = visible_dataset_.find({column.ns, column.dataset});
  if (cached == visible_dataset_.end()) {
    std::optional<int64_t> id;
    auto dataset = catalog::LoadLiveDataset(txn_, column.ns, column.dataset);
    if (!dataset.ok() && !absl::IsNotFound(dataset.status())) return dataset.status();
    if (dataset.ok() && authorizer_.CanSee(caller_, catalog::ScopeOf(*dataset))) {
      ASSIGN_OR_RETURN(id, txn_.DatasetRowId(column.ns, column.dataset));
    }
    cached = visible_dataset_.emplace(std::pair{column.ns, column.dataset}, id).first;
  }
  if (!cached->second) return not_found;
  const int64_t dataset_id = *cached->second;
  auto& fields = field_ids_[dataset_id];
  if (fields.empty()) {
    ASSIGN_OR_RETURN(std::vector<store::FieldInfo> rows, txn_.FieldsOfDataset(dataset_id));
    for (const store::FieldInfo& row : rows) fields[row.field] = row.id;
  }
  auto it = fields.find(column.field);
  if (it == fields.end()) return not_found;
  return std::pair{dataset_id, it->second};
}

absl::Status LineageImport::Apply(const std::vector<LineageRecord>& records) {
  std::map<Group, Edges> groups;
  if (!records.empty()) {
    if (absl::Status s = authorizer_.Check(caller_, v1::WRITE_LINEAGE, Resource::System());
        !s.ok()) {
      for (const LineageRecord& record : records) {
        results_.Failed(record.path, "lineage", EdgeName(record), InRecord(record.path, s));
      }
      return absl::OkStatus();
    }
  }
  const int64_t at = Micros(now_);
  for (const LineageRecord& record : records) {
    auto fail = [&](const absl::Status& error) {
      results_.Failed(record.path, "lineage", EdgeName(record), InRecord(record.path, error));
    };
    absl::Status names;
    for (auto [field, value] :
         {std::pair{"job.namespace", &record.job_ns}, {"job.name", &record.job_name}}) {
      if (names.ok()) names = catalog::ValidateName(field, *value);
    }
    if (names.ok()) names = catalog::ValidateText("description", record.description);
    if (!names.ok()) {
      fail(names);
      continue;
    }
    auto source = Column(record.source, "source");
    if (!source.ok()) {
      if (!IsRecordError(source.status())) return source.status();
      fail(source.status());
      continue;
    }
    auto target = Column(record.target, "target");
    if (!target.ok()) {
      if (!IsRecordError(target.status())) return target.status();
      fail(target.status());
      continue;
    }
    store::ColumnEdgeRow row;
    row.source_field = source->second;
    row.target_dataset = target->first;
    row.target_field = target->second;
    row.type = record.type;
    row.subtype = record.subtype;
    row.description = record.description;
    row.masking = record.masking;
    row.first_seen = row.last_seen = row.valid_from = at;
    groups[{record.job_ns, record.job_name, record.target.ns, record.target.dataset}].push_back(
        {&record, row});
    source_datasets_[{record.job_ns, record.job_name}].insert(source->first);
  }
  for (auto& [group, edges] : groups) RETURN_IF_ERROR(ApplyGroup(group, edges));
  return absl::OkStatus();
}

absl::StatusOr<int64_t> LineageImport::JobId(const std::string& ns, const std::string& name) {
  auto id = txn_.JobRowId(ns, name);
  if (id.ok() || !absl::IsNotFound(id.status())) return id;
  v1::Job job;
  job.set_namespace_(ns);
  job.set_name(name);
  *job.mutable_created_at() = catalog::TimeToProto(now_);
  *job.mutable_updated_at() = catalog::TimeToProto(now_);
  return txn_.PutJob(job);
}

absl::Status LineageImport::ApplyGroup(const Group& group, Edges& edges) {
  ASSIGN_OR_RETURN(int64_t job, JobId(group.job_ns, group.job_name));
  const int64_t target_dataset = edges.front().second.target_dataset;
  jobs_in_document_[{group.job_ns, group.job_name}] = job;
  groups_in_document_.insert({job, target_dataset});
  ASSIGN_OR_RETURN(std::vector<store::ColumnEdgeRow> open, txn_.OpenEdgesInto(job, target_dataset));
  std::map<EdgeKey, const store::ColumnEdgeRow*> open_by_key;
  for (const store::ColumnEdgeRow& row : open) open_by_key[KeyOf(row)] = &row;
  std::set<EdgeKey> wanted;
  bool added = false;
  for (auto& [record, row] : edges) {
    if (!wanted.insert(KeyOf(row)).second || open_by_key.count(KeyOf(row))) {
      results_.Done(record->path, "lineage", EdgeName(*record), Result::UNCHANGED);
      continue;
    }
    row.job = job;
    ASSIGN_OR_RETURN(row.id, txn_.InsertColumnEdge(row));
    graph_.column_edges.push_back(row);
    added = true;
    results_.Done(record->path, "lineage", EdgeName(*record), Result::CREATED);
  }
  if (added) {
    const int64_t at = Micros(now_);
    std::vector<store::JobIoRow> io = {{job, target_dataset, true, at, at}};
    for (int64_t source : source_datasets_[{group.job_ns, group.job_name}]) {
      io.push_back({job, source, false, at, at});
    }
    for (const store::JobIoRow& row : io) {
      RETURN_IF_ERROR(txn_.UpsertJobIo(row));
      graph_.job_io.push_back(row);
    }
  }
  // The group is the whole truth of what the job writes into the dataset
  // (APPEND only adds).
  if (mode_ == v1::APPEND) return absl::OkStatus();
  for (const store::ColumnEdgeRow& row : open) {
    if (!wanted.count(KeyOf(row))) RETURN_IF_ERROR(CloseEdge(row, group.job_ns, group.job_name));
  }
  return absl::OkStatus();
}

absl::Status LineageImport::CloseEdge(store::ColumnEdgeRow row, const std::string& job_ns,
                                      const std::string& job_name) {
  row.valid_to = Micros(now_);
  RETURN_IF_ERROR(txn_.UpdateColumnEdge(row.id, row.last_seen, row.valid_to));
  graph_.column_edges.push_back(row);
  ASSIGN_OR_RETURN(std::vector<store::FieldInfo> fields,
                   txn_.FieldsById({row.source_field, row.target_field}));
  std::string source, target;
  for (const store::FieldInfo& f : fields) {
    const std::string name = absl::StrCat(f.ns, ":", f.dataset, ":", f.field);
    if (f.id == row.source_field) source = name;
    if (f.id == row.target_field) target = name;
  }
  results_.Done("", "lineage", absl::StrCat(job_ns, ":", job_name, " ", source, " -> ", target),
                Result::REMOVED);
  return absl::OkStatus();
}

absl::Status LineageImport::CloseMissing(const std::set<std::string>& scope) {
  for (const auto& [name, job] : jobs_in_document_) {
    ASSIGN_OR_RETURN(v1::Job stored, txn_.GetJob(name.first, name.second));
    for (const v1::DatasetId& output : stored.outputs()) {
      if (!scope.count(output.namespace_())) continue;
      ASSIGN_OR_RETURN(int64_t dataset, txn_.DatasetRowId(output.namespace_(), output.name()));
      if (groups_in_document_.count({job, dataset})) continue;
      ASSIGN_OR_RETURN(std::vector<store::ColumnEdgeRow> open, txn_.OpenEdgesInto(job, dataset));
      for (const store::ColumnEdgeRow& row : open) {
        RETURN_IF_ERROR(CloseEdge(row, name.first, name.second));
      }
    }
  }
  return absl::OkStatus();
}

}  // namespace cadastre::sync
