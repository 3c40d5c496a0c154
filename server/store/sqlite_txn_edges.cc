// Lineage: row-id lookups, job I/O, column edges and dataset renames.
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "server/common/status.h"
#include "server/store/sqlite_codec.h"
#include "server/store/sqlite_txn.h"

namespace cadastre::store {
namespace {

constexpr std::string_view kFindDataset =
    "SELECT d.id FROM datasets d JOIN namespaces n ON n.id = d.namespace_id "
    "WHERE n.name = ? AND d.name = ?";

std::string DatasetKey(std::string_view ns, std::string_view name) {
  return Quoted(absl::StrCat(Absl(ns), ":", Absl(name)));
}

// Columns 0..5 of every FieldInfo query, in the order ReadFieldInfo reads.
#define CADASTRE_FIELD_INFO_COLUMNS                               \
  "f.id, f.dataset_id, n.name, d.name, f.name, f.type "           \
  "FROM dataset_fields f JOIN datasets d ON d.id = f.dataset_id " \
  "JOIN namespaces n ON n.id = d.namespace_id "

// Columns 0..5 of every DatasetInfo query, in the order ReadDatasetInfo reads.
#define CADASTRE_DATASET_INFO_COLUMNS                                      \
  "d.id, n.name, d.name, d.deleted, d.domain, d.created_by FROM datasets d " \
  "JOIN namespaces n ON n.id = d.namespace_id "

DatasetInfo ReadDatasetInfo(const Statement& row) {
  return {.id = row.Int(0),
          .ns = row.Text(1),
          .name = row.Text(2),
          .deleted = row.Bool(3),
          .domain = row.Text(4),
          .created_by = row.Text(5)};
}

FieldInfo ReadFieldInfo(const Statement& row) {
  return {.id = row.Int(0),
          .dataset_id = row.Int(1),
          .ns = row.Text(2),
          .dataset = row.Text(3),
          .field = row.Text(4),
          .type = row.Text(5)};
}

// Columns 0..12 of every edge query, in the order ReadEdge reads. The
// stored NULLs (no target field, an edge that holds) become the API's 0 and
// kOpenEnd.
#define CADASTRE_EDGE_COLUMNS                                               \
  "id, source_field, target_dataset, target_field, job_id, type, subtype, " \
  "description, masking, first_seen, last_seen, valid_from, valid_to "      \
  "FROM column_edges "

ColumnEdgeRow ReadEdge(const Statement& row) {
  return {.id = row.Int(0),
          .source_field = row.Int(1),
          .target_dataset = row.Int(2),
          .target_field = row.OptionalInt(3).value_or(0),
          .job = row.Int(4),
          .type = row.Text(5),
          .subtype = row.Text(6),
          .description = row.Text(7),
          .masking = row.Bool(8),
          .first_seen = row.Int(9),
          .last_seen = row.Int(10),
          .valid_from = row.Int(11),
          .valid_to = row.OptionalInt(12).value_or(kOpenEnd)};
}

std::optional<int64_t> StoredValidTo(int64_t valid_to) {
  if (valid_to == kOpenEnd) return std::nullopt;
  return valid_to;
}

absl::StatusOr<std::vector<ColumnEdgeRow>> CollectEdges(Statement& stmt) {
  std::vector<ColumnEdgeRow> edges;
  RETURN_IF_ERROR(stmt.ForEachRow([&](const Statement&) {
    edges.push_back(ReadEdge(stmt));
  }));
  return edges;
}

}  // namespace

// -------------------------------------------------------------------- row ids

absl::StatusOr<int64_t> SqliteTxn::DatasetRowId(std::string_view ns, std::string_view name) {
  ASSIGN_OR_RETURN(std::optional<int64_t> id, FindId(kFindDataset, ns, name));
  if (!id) return NotFoundError(absl::StrCat("dataset ", DatasetKey(ns, name)));
  return *id;
}

absl::StatusOr<std::vector<FieldInfo>> SqliteTxn::FieldsOfDataset(int64_t dataset_id) {
  ASSIGN_OR_RETURN(std::optional<int64_t> found,
                   FindId("SELECT id FROM datasets WHERE id = ?", dataset_id));
  if (!found) return NotFoundError(absl::StrCat("dataset #", dataset_id));
  ASSIGN_OR_RETURN(Statement stmt,
                   db_.Prepare("SELECT " CADASTRE_FIELD_INFO_COLUMNS "WHERE f.dataset_id = ? "
                               "ORDER BY f.ordinal, f.position"));
  stmt.Bind(dataset_id);
  std::vector<FieldInfo> fields;
  RETURN_IF_ERROR(stmt.ForEachRow([&](const Statement&) {
    fields.push_back(ReadFieldInfo(stmt));
  }));
  return fields;
}

absl::StatusOr<std::vector<FieldInfo>> SqliteTxn::FieldsById(const std::vector<int64_t>& ids) {
  std::vector<FieldInfo> fields;
  if (ids.empty()) return fields;
  ASSIGN_OR_RETURN(Statement stmt, db_.Prepare("SELECT " CADASTRE_FIELD_INFO_COLUMNS
                                               "WHERE f.id IN (SELECT value FROM json_each(?))"));
  stmt.Bind(IdsJson(ids));
  RETURN_IF_ERROR(stmt.ForEachRow([&](const Statement&) {
    fields.push_back(ReadFieldInfo(stmt));
  }));
  return fields;
}

absl::StatusOr<std::vector<DatasetInfo>> SqliteTxn::DatasetsById(const std::vector<int64_t>& ids) {
  std::vector<DatasetInfo> datasets;
  if (ids.empty()) return datasets;
  ASSIGN_OR_RETURN(Statement stmt,
                   db_.Prepare("SELECT " CADASTRE_DATASET_INFO_COLUMNS
                               "WHERE d.id IN (SELECT value FROM json_each(?))"));
  stmt.Bind(IdsJson(ids));
  RETURN_IF_ERROR(stmt.ForEachRow(
      [&](const Statement& row) { datasets.push_back(ReadDatasetInfo(row)); }));
  return datasets;
}

absl::StatusOr<std::vector<DatasetInfo>> SqliteTxn::DatasetInfos(std::string_view ns) {
  std::vector<DatasetInfo> datasets;
  ASSIGN_OR_RETURN(Statement stmt, db_.Prepare("SELECT " CADASTRE_DATASET_INFO_COLUMNS
                                               "WHERE ? = '' OR n.name = ? "
                                               "ORDER BY n.name, d.name"));
  stmt.BindAll(ns, ns);
  RETURN_IF_ERROR(stmt.ForEachRow(
      [&](const Statement& row) { datasets.push_back(ReadDatasetInfo(row)); }));
  return datasets;
}

absl::StatusOr<std::vector<JobInfo>> SqliteTxn::JobsById(const std::vector<int64_t>& ids) {
  std::vector<JobInfo> jobs;
  if (ids.empty()) return jobs;
  ASSIGN_OR_RETURN(Statement stmt, db_.Prepare("SELECT id, ns, name FROM jobs "
                                               "WHERE id IN (SELECT value FROM json_each(?))"));
  stmt.Bind(IdsJson(ids));
  RETURN_IF_ERROR(stmt.ForEachRow([&](const Statement&) {
    jobs.push_back({.id = stmt.Int(0), .ns = stmt.Text(1), .name = stmt.Text(2)});
  }));
  return jobs;
}

absl::StatusOr<std::vector<FieldInfo>> SqliteTxn::FieldsTagged(std::string_view tag) {
  // "Below" is by name: the tag itself, or any name that starts with it
  // and a dot (substr, not LIKE, so that '%' or '_' in a name are literal).
  ASSIGN_OR_RETURN(Statement stmt, db_.Prepare("SELECT " CADASTRE_FIELD_INFO_COLUMNS
                                               "WHERE d.deleted = 0 AND f.id IN ("
                                               "SELECT ft.field_id FROM field_tags ft "
                                               "JOIN tags t ON t.id = ft.tag_id "
                                               "WHERE t.name = ?1 "
                                               "OR substr(t.name, 1, length(?1) + 1) = ?1 || '.') "
                                               "ORDER BY n.name, d.name, f.ordinal, f.position"));
  stmt.Bind(tag);
  std::vector<FieldInfo> fields;
  RETURN_IF_ERROR(stmt.ForEachRow([&](const Statement&) {
    fields.push_back(ReadFieldInfo(stmt));
  }));
  return fields;
}

absl::StatusOr<std::vector<FieldTagRow>> SqliteTxn::FieldTagsById(
    const std::vector<int64_t>& ids) {
  std::vector<FieldTagRow> rows;
  if (ids.empty()) return rows;
  ASSIGN_OR_RETURN(Statement stmt,
                   db_.Prepare("WITH wanted(id) AS (SELECT value FROM json_each(?1)) "
                               "SELECT ft.field_id, t.name, 0 FROM field_tags ft "
                               "JOIN tags t ON t.id = ft.tag_id "
                               "WHERE ft.field_id IN wanted "
                               "UNION ALL "
                               "SELECT fb.field_id, t.name, 1 FROM field_tag_blocks fb "
                               "JOIN tags t ON t.id = fb.tag_id "
                               "WHERE fb.field_id IN wanted"));
  stmt.Bind(IdsJson(ids));
  RETURN_IF_ERROR(stmt.ForEachRow([&](const Statement&) {
    rows.push_back({.field_id = stmt.Int(0), .tag = stmt.Text(1), .blocked = stmt.Bool(2)});
  }));
  return rows;
}

// --------------------------------------------------------------------- job io

absl::Status SqliteTxn::UpsertJobIo(const JobIoRow& row) {
  // The foreign keys check the references; only when they refuse is each
  // looked up, to say which one is missing.
  ASSIGN_OR_RETURN(Statement stmt,
                   db_.Prepare("INSERT INTO job_io (job_id, dataset_id, output, first_seen, "
                               "last_seen) VALUES (?, ?, ?, ?, ?) "
                               "ON CONFLICT (job_id, dataset_id, output) DO UPDATE SET "
                               "first_seen = MIN(job_io.first_seen, excluded.first_seen), "
                               "last_seen = MAX(job_io.last_seen, excluded.last_seen)"));
  stmt.BindAll(row.job, row.dataset, row.output, row.first_seen, row.last_seen);
  // (An update of an existing row changes no key, so it is not checked
  // again; nothing deletes a job or a dataset row while job I/O names it.)
  absl::Status status = stmt.Run();
  if (status.ok() || !IsConstraintViolation(status)) return status;
  ASSIGN_OR_RETURN(std::optional<int64_t> job, FindId("SELECT id FROM jobs WHERE id = ?", row.job));
  if (!job) return absl::FailedPreconditionError(absl::StrCat("job #", row.job, " does not exist"));
  ASSIGN_OR_RETURN(std::optional<int64_t> dataset,
                   FindId("SELECT id FROM datasets WHERE id = ?", row.dataset));
  if (!dataset) {
    return absl::FailedPreconditionError(absl::StrCat("dataset #", row.dataset, " does not exist"));
  }
  return status;
}

absl::Status SqliteTxn::ScanJobIo(const std::function<void(const JobIoRow&)>& fn) {
  ASSIGN_OR_RETURN(Statement stmt, db_.Prepare("SELECT job_id, dataset_id, output, first_seen, "
                                               "last_seen FROM job_io"));
  RETURN_IF_ERROR(stmt.ForEachRow([&](const Statement&) {
    fn({.job = stmt.Int(0),
        .dataset = stmt.Int(1),
        .output = stmt.Bool(2),
        .first_seen = stmt.Int(3),
        .last_seen = stmt.Int(4)});
  }));
  return absl::OkStatus();
}

// --------------------------------------------------------------- column edges

absl::StatusOr<int64_t> SqliteTxn::InsertColumnEdge(const ColumnEdgeRow& row) {
  // The insert checks its references itself: the foreign keys, and the
  // guard that a target column belongs to the target dataset. Only when it
  // refuses is each reference looked up, so that a bad row is a clear
  // FAILED_PRECONDITION rather than an opaque foreign-key failure.
  ASSIGN_OR_RETURN(Statement stmt,
                   db_.Prepare("INSERT INTO column_edges (source_field, target_dataset, "
                               "target_field, job_id, type, subtype, description, masking, "
                               "first_seen, last_seen, valid_from, valid_to) "
                               "SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12 "
                               "WHERE ?3 IS NULL OR EXISTS (SELECT 1 FROM dataset_fields "
                               "WHERE id = ?3 AND dataset_id = ?2)"));
  stmt.BindAll(row.source_field, row.target_dataset,
               row.target_field == 0 ? std::nullopt : std::optional<int64_t>(row.target_field),
               row.job, row.type, row.subtype, row.description, row.masking, row.first_seen,
               row.last_seen, row.valid_from, StoredValidTo(row.valid_to));
  absl::Status status = stmt.Run();
  if (status.ok() && db_.Changes() == 1) return db_.LastInsertId();
  // Another failure (I/O, a full disk) may have ended the transaction:
  // what it says is the answer, not what a lookup would find now.
  if (!status.ok() && !IsConstraintViolation(status)) return status;
  RETURN_IF_ERROR(CheckEdgeReferences(row));
  return status.ok() ? absl::InternalError("column edge insert added no row") : status;
}

absl::Status SqliteTxn::CheckEdgeReferences(const ColumnEdgeRow& row) {
  ASSIGN_OR_RETURN(std::optional<int64_t> source,
                   FindId("SELECT id FROM dataset_fields WHERE id = ?", row.source_field));
  if (!source) {
    return absl::FailedPreconditionError(
        absl::StrCat("source field #", row.source_field, " does not exist"));
  }
  ASSIGN_OR_RETURN(std::optional<int64_t> dataset,
                   FindId("SELECT id FROM datasets WHERE id = ?", row.target_dataset));
  if (!dataset) {
    return absl::FailedPreconditionError(
        absl::StrCat("target dataset #", row.target_dataset, " does not exist"));
  }
  if (row.target_field != 0) {
    ASSIGN_OR_RETURN(
        std::optional<int64_t> owner,
        FindId("SELECT dataset_id FROM dataset_fields WHERE id = ?", row.target_field));
    if (!owner) {
      return absl::FailedPreconditionError(
          absl::StrCat("target field #", row.target_field, " does not exist"));
    }
    if (*owner != row.target_dataset) {
      return absl::InvalidArgumentError(absl::StrCat(
          "target field #", row.target_field, " is not a column of dataset #", row.target_dataset));
    }
  }
  ASSIGN_OR_RETURN(std::optional<int64_t> job, FindId("SELECT id FROM jobs WHERE id = ?", row.job));
  if (!job) return absl::FailedPreconditionError(absl::StrCat("job #", row.job, " does not exist"));
  return absl::OkStatus();
}

absl::Status SqliteTxn::UpdateColumnEdge(int64_t id, int64_t last_seen, int64_t valid_to) {
  ASSIGN_OR_RETURN(Statement stmt, db_.Prepare("UPDATE column_edges SET last_seen = ?, "
                                               "valid_to = ? WHERE id = ? RETURNING id"));
  stmt.BindAll(last_seen, StoredValidTo(valid_to), id);
  ASSIGN_OR_RETURN(bool updated, stmt.Step());
  if (!updated) return NotFoundError(absl::StrCat("column edge #", id));
  return stmt.Run();
}

absl::StatusOr<std::vector<ColumnEdgeRow>> SqliteTxn::OpenEdgesInto(int64_t job,
                                                                    int64_t target_dataset) {
  ASSIGN_OR_RETURN(Statement stmt, db_.Prepare("SELECT " CADASTRE_EDGE_COLUMNS
                                               "WHERE job_id = ? AND target_dataset = ? "
                                               "AND valid_to IS NULL ORDER BY id"));
  stmt.BindAll(job, target_dataset);
  return CollectEdges(stmt);
}

absl::StatusOr<std::vector<ColumnEdgeRow>> SqliteTxn::OpenEdgesOfDataset(int64_t dataset_id) {
  // Into the dataset (its columns, or the dataset as a whole), or out of
  // one of its columns; an edge between two of its columns comes once.
  ASSIGN_OR_RETURN(
      Statement stmt,
      db_.Prepare("SELECT " CADASTRE_EDGE_COLUMNS "WHERE target_dataset = ?1 AND valid_to IS NULL "
                  "UNION SELECT " CADASTRE_EDGE_COLUMNS
                  "WHERE valid_to IS NULL AND source_field IN "
                  "(SELECT id FROM dataset_fields WHERE dataset_id = ?1) "
                  "ORDER BY id"));
  stmt.Bind(dataset_id);
  return CollectEdges(stmt);
}

absl::Status SqliteTxn::ScanColumnEdges(const std::function<void(const ColumnEdgeRow&)>& fn) {
  ASSIGN_OR_RETURN(Statement stmt, db_.Prepare("SELECT " CADASTRE_EDGE_COLUMNS "ORDER BY id"));
  RETURN_IF_ERROR(stmt.ForEachRow([&](const Statement&) {
    fn(ReadEdge(stmt));
  }));
  return absl::OkStatus();
}

// ------------------------------------------------------------------- renames

absl::Status SqliteTxn::RenameDataset(std::string_view ns, std::string_view name,
                                      std::string_view new_ns, std::string_view new_name) {
  ASSIGN_OR_RETURN(std::optional<int64_t> id, FindId(kFindDataset, ns, name));
  if (!id) return NotFoundError(absl::StrCat("dataset ", DatasetKey(ns, name)));
  ASSIGN_OR_RETURN(std::optional<int64_t> ns_id,
                   FindId("SELECT id FROM namespaces WHERE name = ?", new_ns));
  if (!ns_id) {
    return absl::FailedPreconditionError(
        absl::StrCat("namespace ", Quoted(new_ns), " does not exist"));
  }
  ASSIGN_OR_RETURN(std::optional<int64_t> existing, FindId(kFindDataset, new_ns, new_name));
  if (existing) {
    if (*existing == *id) return absl::OkStatus();  // renamed to itself: nothing to do
    return absl::AlreadyExistsError(
        absl::StrCat("dataset ", DatasetKey(new_ns, new_name), " already exists"));
  }
  // Only the identity moves: the row id, and with it fields, links, job
  // I/O and edges, stay.
  ASSIGN_OR_RETURN(Statement stmt,
                   db_.Prepare("UPDATE datasets SET namespace_id = ?, name = ? WHERE id = ?"));
  RETURN_IF_ERROR(stmt.BindAll(*ns_id, new_name, *id).Run());
  unindexed_datasets_.insert(*id);
  return absl::OkStatus();
}

#undef CADASTRE_FIELD_INFO_COLUMNS
#undef CADASTRE_EDGE_COLUMNS

}  // namespace cadastre::store
