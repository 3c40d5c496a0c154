#include "sqlite_limit.h"

#include <sqlite3.h>

#include <filesystem>
#include <functional>

#include "stats.h"

namespace cadastre::bench {
namespace {

constexpr char kSchema[] = R"sql(
PRAGMA journal_mode = WAL;
PRAGMA synchronous = FULL;
PRAGMA foreign_keys = OFF;  -- view cycles name columns of later events; the limit skips the checks
CREATE TABLE datasets (
  id INTEGER PRIMARY KEY, namespace TEXT NOT NULL, name TEXT NOT NULL,
  description TEXT NOT NULL DEFAULT '', domain TEXT NOT NULL DEFAULT '',
  UNIQUE (namespace, name)) STRICT;
CREATE TABLE dataset_fields (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  dataset_id INTEGER NOT NULL REFERENCES datasets (id) ON DELETE CASCADE,
  name TEXT NOT NULL, type TEXT NOT NULL DEFAULT '', ordinal INTEGER NOT NULL DEFAULT 0,
  UNIQUE (dataset_id, name)) STRICT;
CREATE TABLE jobs (id INTEGER PRIMARY KEY, ns TEXT NOT NULL, name TEXT NOT NULL, UNIQUE (ns, name)) STRICT;
CREATE TABLE lineage_events (
  seq INTEGER PRIMARY KEY AUTOINCREMENT, hash BLOB NOT NULL UNIQUE,
  event_time INTEGER NOT NULL, json TEXT NOT NULL) STRICT;
CREATE TABLE column_edges (
  id INTEGER PRIMARY KEY,
  source_field INTEGER NOT NULL REFERENCES dataset_fields (id) ON DELETE CASCADE,
  target_dataset INTEGER NOT NULL REFERENCES datasets (id),
  target_field INTEGER REFERENCES dataset_fields (id) ON DELETE CASCADE,
  job_id INTEGER NOT NULL REFERENCES jobs (id),
  type TEXT NOT NULL DEFAULT '', subtype TEXT NOT NULL DEFAULT '',
  masking INTEGER NOT NULL DEFAULT 0,
  first_seen INTEGER NOT NULL, last_seen INTEGER NOT NULL,
  valid_from INTEGER NOT NULL, valid_to INTEGER) STRICT;
CREATE INDEX column_edges_open_into ON column_edges (job_id, target_dataset) WHERE valid_to IS NULL;
CREATE INDEX column_edges_by_target_dataset ON column_edges (target_dataset) WHERE valid_to IS NULL;
CREATE INDEX column_edges_by_source ON column_edges (source_field);
CREATE INDEX column_edges_by_target_field ON column_edges (target_field);
)sql";

class Statement {
 public:
  Statement(sqlite3* db, const char* sql) { sqlite3_prepare_v2(db, sql, -1, &stmt_, nullptr); }
  ~Statement() { sqlite3_finalize(stmt_); }
  bool ok() const { return stmt_ != nullptr; }
  Statement& Int(int i, int64_t v) { sqlite3_bind_int64(stmt_, i, v); return *this; }
  Statement& Text(int i, const std::string& v) {
    sqlite3_bind_text(stmt_, i, v.data(), static_cast<int>(v.size()), SQLITE_STATIC);
    return *this;
  }
  Statement& Blob(int i, const void* p, int n) { sqlite3_bind_blob(stmt_, i, p, n, SQLITE_STATIC); return *this; }
  bool Run() {
    const int rc = sqlite3_step(stmt_);
    sqlite3_reset(stmt_);
    return rc == SQLITE_DONE;
  }

 private:
  sqlite3_stmt* stmt_ = nullptr;
};

}  // namespace

std::unique_ptr<SqliteLimit> SqliteLimit::Open(const std::string& path, std::string* error) {
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
  sqlite3* db = nullptr;
  if (sqlite3_open(path.c_str(), &db) != SQLITE_OK) {
    *error = sqlite3_errmsg(db);
    sqlite3_close(db);
    return nullptr;
  }
  char* message = nullptr;
  if (sqlite3_exec(db, kSchema, nullptr, nullptr, &message) != SQLITE_OK) {
    *error = message ? message : "schema";
    sqlite3_free(message);
    sqlite3_close(db);
    return nullptr;
  }
  return std::unique_ptr<SqliteLimit>(new SqliteLimit(db));
}

SqliteLimit::~SqliteLimit() { sqlite3_close(db_); }

double SqliteLimit::Insert(const Workload& w, int events_per_txn, std::string* error) {
  Statement dataset(db_, "INSERT INTO datasets (id, namespace, name, description, domain) VALUES (?, ?, ?, ?, ?)");
  Statement field(db_, "INSERT INTO dataset_fields (id, dataset_id, name, type, ordinal) VALUES (?, ?, ?, ?, ?)");
  Statement job(db_, "INSERT OR IGNORE INTO jobs (id, ns, name) VALUES (?, ?, ?)");
  Statement event(db_, "INSERT INTO lineage_events (hash, event_time, json) VALUES (?, ?, ?)");
  Statement edge(db_,
                 "INSERT INTO column_edges (source_field, target_dataset, target_field, job_id, type, "
                 "subtype, masking, first_seen, last_seen, valid_from) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  if (!dataset.ok() || !field.ok() || !job.ok() || !event.ok() || !edge.ok()) {
    *error = sqlite3_errmsg(db_);
    return -1;
  }
  auto exec = [&](const char* sql) { return sqlite3_exec(db_, sql, nullptr, nullptr, nullptr) == SQLITE_OK; };
  bool ok = true;
  const auto started = Clock::now();
  for (size_t i = 0; i < w.events.size() && ok; ++i) {
    if (i % events_per_txn == 0) ok &= exec("BEGIN");
    const WorkloadEvent& e = w.events[i];
    // The server keys events by SHA-256; any 32 distinct bytes do here.
    uint64_t hash[4] = {std::hash<std::string>{}(w.json[i]), i, static_cast<uint64_t>(w.dataset_base), 0};
    ok &= event.Blob(1, hash, sizeof hash).Int(2, static_cast<int64_t>(i)).Text(3, w.json[i]).Run();
    for (int32_t d = e.dataset_begin; d < e.dataset_end; ++d) {
      const Dataset& ds = w.dataset(d);
      const std::string description = "Synthetic " + ds.domain + " dataset " + ds.name;
      ok &= dataset.Int(1, d + 1).Text(2, ds.ns).Text(3, ds.name).Text(4, description).Text(5, ds.domain).Run();
      for (int32_t c = ds.first_column; c < ds.first_column + ds.column_count; ++c) {
        const Column& column = w.column(c);
        ok &= field.Int(1, c + 1).Int(2, d + 1).Text(3, column.name).Text(4, column.type).Int(5, c - ds.first_column).Run();
      }
      if (!ds.job_name.empty()) ok &= job.Int(1, d + 1).Text(2, ds.job_ns).Text(3, ds.job_name).Run();
    }
    for (int64_t k = e.edge_begin; k < e.edge_end; ++k) {
      const ColumnEdge& ce = (*w.edges)[k];
      const int32_t target_dataset = e.dataset_begin + 1;
      const std::string type = TypeOf(ce.kind), subtype = SubtypeOf(ce.kind);
      ok &= edge.Int(1, ce.source + 1).Int(2, target_dataset).Int(3, ce.target + 1).Int(4, target_dataset)
                .Text(5, type).Text(6, subtype).Int(7, IsMasking(ce.kind)).Int(8, static_cast<int64_t>(i))
                .Int(9, static_cast<int64_t>(i)).Int(10, static_cast<int64_t>(i)).Run();
    }
    if ((i + 1) % events_per_txn == 0 || i + 1 == w.events.size()) ok &= exec("COMMIT");
  }
  if (!ok) {
    *error = sqlite3_errmsg(db_);
    exec("ROLLBACK");
    return -1;
  }
  return MillisSince(started) / 1000.0;
}

}  // namespace cadastre::bench
