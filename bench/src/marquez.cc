#include "marquez.h"

#include <libpq-fe.h>

#include <cstdio>

#include "stats.h"

namespace cadastre::bench {
namespace {

// Marquez keys everything by UUID; ours are derived from the catalog ids.
std::string Uuid(char kind, int64_t id) {
  char buffer[48];
  std::snprintf(buffer, sizeof buffer, "00000000-0000-4000-%c000-%012llx", kind,
                static_cast<unsigned long long>(id));
  return buffer;
}
std::string FieldUuid(int64_t column) { return Uuid('8', column); }
std::string DatasetUuid(int64_t dataset) { return Uuid('9', dataset); }
std::string VersionUuid(int64_t dataset) { return Uuid('a', dataset); }

constexpr char kSchema[] = R"sql(
DROP TABLE IF EXISTS column_lineage, dataset_versions, dataset_fields, datasets;
CREATE TABLE datasets (
  uuid uuid PRIMARY KEY,
  namespace_name varchar(1024) NOT NULL,
  name varchar(1024) NOT NULL);
CREATE TABLE dataset_fields (
  uuid uuid PRIMARY KEY,
  dataset_uuid uuid NOT NULL REFERENCES datasets (uuid),
  name varchar(1024) NOT NULL,
  type varchar(255),
  UNIQUE (dataset_uuid, name, type));
CREATE TABLE dataset_versions (
  uuid uuid PRIMARY KEY,
  dataset_uuid uuid NOT NULL REFERENCES datasets (uuid));
CREATE TABLE column_lineage (
  output_dataset_version_uuid uuid REFERENCES dataset_versions (uuid),
  output_dataset_field_uuid uuid REFERENCES dataset_fields (uuid),
  input_dataset_version_uuid uuid REFERENCES dataset_versions (uuid),
  input_dataset_field_uuid uuid REFERENCES dataset_fields (uuid),
  transformation_description text,
  transformation_type varchar(255),
  created_at timestamp NOT NULL,
  updated_at timestamp NOT NULL,
  UNIQUE (output_dataset_version_uuid, output_dataset_field_uuid,
          input_dataset_version_uuid, input_dataset_field_uuid));
)sql";

constexpr char kIndexes[] = R"sql(
CREATE INDEX column_lineage_output_version ON column_lineage (output_dataset_version_uuid);
CREATE INDEX column_lineage_output_field ON column_lineage (output_dataset_field_uuid);
CREATE INDEX column_lineage_input_version ON column_lineage (input_dataset_version_uuid);
CREATE INDEX column_lineage_input_field ON column_lineage (input_dataset_field_uuid);
ANALYZE;
)sql";

// The query, as Marquez runs it for GET /api/v1/column-lineage: the latest
// row per (output field, input field) over the whole table, then a walk that
// carries the path of (output, input) pairs and stops where it repeats one;
// finally names joined in and inputs aggregated per output field. $1 is the
// field, $2 the depth in hops. %s are the start condition and the step:
// upstream follows a row's input field to rows that output it; downstream
// (Marquez walks both ways when withDownstream=true; here only down, which
// is less work) follows a row's output field to rows that read it.
constexpr char kQuery[] = R"sql(
WITH RECURSIVE
  latest AS (
    SELECT DISTINCT ON (output_dataset_field_uuid, input_dataset_field_uuid) *
    FROM column_lineage
    ORDER BY output_dataset_field_uuid, input_dataset_field_uuid, updated_at DESC),
  fields_view AS (
    SELECT d.namespace_name, d.name AS dataset_name, f.name AS field_name, f.type, f.uuid
    FROM dataset_fields f JOIN datasets d ON d.uuid = f.dataset_uuid),
  walk AS (
    (SELECT l.*, 0 AS depth, false AS is_cycle,
            ARRAY[ROW(l.output_dataset_field_uuid, l.input_dataset_field_uuid)] AS path
     FROM latest l WHERE l.%s = $1::uuid)
    UNION ALL
    SELECT n.output_dataset_version_uuid, n.output_dataset_field_uuid,
           n.input_dataset_version_uuid, n.input_dataset_field_uuid,
           n.transformation_description, n.transformation_type, n.created_at, n.updated_at,
           w.depth + 1,
           ROW(n.output_dataset_field_uuid, n.input_dataset_field_uuid) = ANY (w.path),
           w.path || ROW(n.output_dataset_field_uuid, n.input_dataset_field_uuid)
    FROM latest n, walk w
    WHERE %s AND w.depth < $2::int - 1 AND NOT w.is_cycle)
SELECT o.namespace_name, o.dataset_name, o.field_name, o.type,
       ARRAY_AGG(DISTINCT ARRAY[i.namespace_name, i.dataset_name, i.field_name]) AS input_fields,
       w.transformation_description, w.transformation_type
FROM walk w
JOIN fields_view o ON w.output_dataset_field_uuid = o.uuid
LEFT JOIN fields_view i ON w.input_dataset_field_uuid = i.uuid
WHERE NOT w.is_cycle
GROUP BY o.namespace_name, o.dataset_name, o.field_name, o.type,
         w.transformation_description, w.transformation_type
)sql";

std::string QuerySql(bool downstream) {
  char buffer[sizeof kQuery + 200];
  std::snprintf(buffer, sizeof buffer, kQuery,
                downstream ? "input_dataset_field_uuid" : "output_dataset_field_uuid",
                downstream ? "n.input_dataset_field_uuid = w.output_dataset_field_uuid"
                           : "n.output_dataset_field_uuid = w.input_dataset_field_uuid");
  return buffer;
}

// COPY text format: tab-separated, no value here needs escaping but names,
// which never hold tabs, newlines or backslashes.
class Copy {
 public:
  Copy(PGconn* conn, const std::string& table, std::string* error) : conn_(conn), error_(error) {
    PGresult* res = PQexec(conn, ("COPY " + table + " FROM STDIN").c_str());
    ok_ = PQresultStatus(res) == PGRES_COPY_IN;
    if (!ok_) *error_ = PQerrorMessage(conn);
    PQclear(res);
  }
  void Row(const std::string& line) {
    buffer_ += line;
    buffer_ += '\n';
    if (buffer_.size() > (1 << 20)) Flush();
  }
  bool Finish() {
    Flush();
    if (!ok_) return false;
    if (PQputCopyEnd(conn_, nullptr) != 1) return Fail();
    PGresult* res = PQgetResult(conn_);
    const bool ok = PQresultStatus(res) == PGRES_COMMAND_OK;
    if (!ok) *error_ = PQresultErrorMessage(res);
    PQclear(res);
    while ((res = PQgetResult(conn_)) != nullptr) PQclear(res);
    return ok;
  }

 private:
  void Flush() {
    if (ok_ && !buffer_.empty() && PQputCopyData(conn_, buffer_.data(), static_cast<int>(buffer_.size())) != 1) Fail();
    buffer_.clear();
  }
  bool Fail() {
    ok_ = false;
    *error_ = PQerrorMessage(conn_);
    return false;
  }
  PGconn* conn_;
  std::string* error_;
  std::string buffer_;
  bool ok_ = false;
};

}  // namespace

std::unique_ptr<MarquezBaseline> MarquezBaseline::Connect(const std::string& conninfo, int timeout_ms,
                                                          std::string* error) {
  PGconn* conn = PQconnectdb(conninfo.c_str());
  if (PQstatus(conn) != CONNECTION_OK) {
    *error = PQerrorMessage(conn);
    PQfinish(conn);
    return nullptr;
  }
  std::unique_ptr<MarquezBaseline> out(new MarquezBaseline(conn, timeout_ms));
  if (!out->Exec("SET client_min_messages = warning", error)) return nullptr;
  return out;
}

MarquezBaseline::~MarquezBaseline() { PQfinish(conn_); }

bool MarquezBaseline::Exec(const std::string& sql, std::string* error) {
  PGresult* res = PQexec(conn_, sql.c_str());
  const bool ok = PQresultStatus(res) == PGRES_COMMAND_OK || PQresultStatus(res) == PGRES_TUPLES_OK;
  if (!ok) *error = PQresultErrorMessage(res);
  PQclear(res);
  return ok;
}

double MarquezBaseline::Load(const Catalog& catalog, std::string* error) {
  const auto started = Clock::now();
  if (!Exec("SET statement_timeout = 0", error) || !Exec(kSchema, error)) return -1;
  {
    Copy copy(conn_, "datasets", error);
    for (size_t d = 0; d < catalog.datasets.size(); ++d) {
      copy.Row(DatasetUuid(d) + '\t' + catalog.datasets[d].ns + '\t' + catalog.datasets[d].name);
    }
    if (!copy.Finish()) return -1;
  }
  {
    Copy copy(conn_, "dataset_versions", error);
    for (size_t d = 0; d < catalog.datasets.size(); ++d) copy.Row(VersionUuid(d) + '\t' + DatasetUuid(d));
    if (!copy.Finish()) return -1;
  }
  {
    Copy copy(conn_, "dataset_fields", error);
    for (size_t c = 0; c < catalog.columns.size(); ++c) {
      const Column& column = catalog.columns[c];
      copy.Row(FieldUuid(c) + '\t' + DatasetUuid(column.dataset) + '\t' + column.name + '\t' + column.type);
    }
    if (!copy.Finish()) return -1;
  }
  {
    Copy copy(conn_, "column_lineage", error);
    for (const ColumnEdge& e : catalog.edges) {
      const int32_t out_ds = catalog.columns[e.target].dataset;
      const int32_t in_ds = catalog.columns[e.source].dataset;
      copy.Row(VersionUuid(out_ds) + '\t' + FieldUuid(e.target) + '\t' + VersionUuid(in_ds) + '\t' +
               FieldUuid(e.source) + '\t' + SubtypeOf(e.kind) + '\t' + TypeOf(e.kind) +
               "\t2026-01-01 00:00:00\t2026-01-01 00:00:00");
    }
    if (!copy.Finish()) return -1;
  }
  if (!Exec(kIndexes, error)) return -1;
  if (!Exec("SET statement_timeout = " + std::to_string(timeout_ms_), error)) return -1;
  return MillisSince(started) / 1000.0;
}

double MarquezBaseline::Query(int32_t column, bool downstream, int depth, int* rows, std::string* error) {
  const std::string sql = QuerySql(downstream);
  const std::string field = FieldUuid(column);
  const std::string hops = std::to_string(depth);
  const char* params[] = {field.c_str(), hops.c_str()};
  const auto started = Clock::now();
  PGresult* res = PQexecParams(conn_, sql.c_str(), 2, nullptr, params, nullptr, nullptr, 0);
  const double ms = MillisSince(started);
  double answer = ms;
  if (PQresultStatus(res) == PGRES_TUPLES_OK) {
    *rows = PQntuples(res);
  } else {
    const char* state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
    if (state == nullptr || std::string(state) != "57014") *error = PQresultErrorMessage(res);  // 57014: timeout
    answer = -1;
  }
  PQclear(res);
  return answer;
}

nlohmann::json MarquezBaseline::Describe() const {
  nlohmann::json out = {{"server_version", PQserverVersion(conn_)}, {"statement_timeout_ms", timeout_ms_}};
  PGresult* res = PQexec(conn_, "SELECT pg_total_relation_size('column_lineage'), (SELECT count(*) FROM column_lineage)");
  if (PQresultStatus(res) == PGRES_TUPLES_OK) {
    out["column_lineage_mib"] = std::stod(PQgetvalue(res, 0, 0)) / (1024.0 * 1024.0);
    out["column_lineage_rows"] = std::stoll(PQgetvalue(res, 0, 1));
  }
  PQclear(res);
  return out;
}

}  // namespace cadastre::bench
