// Lineage: jobs, runs and raw OpenLineage events.
#include <climits>
#include <utility>

#include "absl/strings/str_cat.h"
#include "server/common/status.h"
#include "server/store/sqlite_codec.h"
#include "server/store/sqlite_txn.h"

namespace cadastre::store {
namespace {

constexpr std::string_view kFindJob = "SELECT id FROM jobs WHERE ns = ? AND name = ?";

std::string JobKey(std::string_view ns, std::string_view name) {
  return Quoted(absl::StrCat(Absl(ns), ":", Absl(name)));
}

// Facets: NULL when the message has none, so that "no facets" round-trips.
absl::StatusOr<std::optional<std::string>> FacetsJson(bool has_facets,
                                                      const google::protobuf::Struct& facets) {
  if (!has_facets) return std::optional<std::string>();
  ASSIGN_OR_RETURN(std::string json, StructToJson(facets));
  return std::optional<std::string>(std::move(json));
}

// ----------------------------------------------------------------------- jobs

// Columns 0..16 of every job query, in the order ReadJobRow reads.
constexpr std::string_view kJobColumns =
    "id, ns, name, type, description, location, integration, job_type, sql, "
    "source_code_language, source_code, parent_ns, parent_name, facets_json, "
    "created_at, updated_at FROM jobs ";

absl::Status ReadJobRow(const Statement& row, v1::Job* job) {
  job->set_namespace_(row.Text(1));
  job->set_name(row.Text(2));
  job->mutable_id()->set_namespace_(job->namespace_());
  job->mutable_id()->set_name(job->name());
  job->set_type(row.Text(3));
  job->set_description(row.Text(4));
  job->set_location(row.Text(5));
  job->set_integration(row.Text(6));
  job->set_job_type(row.Text(7));
  job->set_sql(row.Text(8));
  job->set_source_code_language(row.Text(9));
  job->set_source_code(row.Text(10));
  // Marquez's simpleName and parentJobName are derived, like a tag's parent:
  // the name without its parent's prefix, and the parent's name.
  std::string simple = job->name();
  if (!row.IsNull(12)) {
    job->mutable_parent()->set_namespace_(row.Text(11));
    job->mutable_parent()->set_name(row.Text(12));
    job->set_parent_job_name(job->parent().name());
    std::string prefix = absl::StrCat(job->parent().name(), ".");
    if (simple.size() > prefix.size() && simple.compare(0, prefix.size(), prefix) == 0) {
      simple = simple.substr(prefix.size());
    }
  }
  job->set_simple_name(simple);
  if (!row.IsNull(13)) RETURN_IF_ERROR(JsonToStruct(row.Text(13), job->mutable_facets()));
  SetTimestamp(row.OptionalInt(14), job, &v1::Job::mutable_created_at);
  SetTimestamp(row.OptionalInt(15), job, &v1::Job::mutable_updated_at);
  return absl::OkStatus();
}

// ----------------------------------------------------------------------- runs

// Columns 0..12 of every run query, in the order ReadRunRow reads.
constexpr std::string_view kRunColumns =
    "r.id, j.ns, j.name, r.state, r.created_at, r.updated_at, r.nominal_start_time, "
    "r.nominal_end_time, r.started_at, r.ended_at, r.last_event_time, r.parent_run_id, "
    "r.facets_json FROM runs r JOIN jobs j ON j.id = r.job_id ";

absl::Status ReadRunRow(const Statement& row, v1::Run* run) {
  run->set_id(row.Text(0));
  run->mutable_job()->set_namespace_(row.Text(1));
  run->mutable_job()->set_name(row.Text(2));
  run->set_state(static_cast<v1::RunState>(row.Int(3)));
  SetTimestamp(row.OptionalInt(4), run, &v1::Run::mutable_created_at);
  SetTimestamp(row.OptionalInt(5), run, &v1::Run::mutable_updated_at);
  SetTimestamp(row.OptionalInt(6), run, &v1::Run::mutable_nominal_start_time);
  SetTimestamp(row.OptionalInt(7), run, &v1::Run::mutable_nominal_end_time);
  SetTimestamp(row.OptionalInt(8), run, &v1::Run::mutable_started_at);
  SetTimestamp(row.OptionalInt(9), run, &v1::Run::mutable_ended_at);
  SetTimestamp(row.OptionalInt(10), run, &v1::Run::mutable_last_event_time);
  run->set_parent_run_id(row.Text(11));
  if (!row.IsNull(12)) RETURN_IF_ERROR(JsonToStruct(row.Text(12), run->mutable_facets()));
  // duration_ms is derived, never stored: ended_at - started_at.
  if (!row.IsNull(8) && !row.IsNull(9)) run->set_duration_ms((row.Int(9) - row.Int(8)) / 1000);
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<int64_t> SqliteTxn::JobRowId(std::string_view ns, std::string_view name) {
  ASSIGN_OR_RETURN(std::optional<int64_t> id, FindId(kFindJob, ns, name));
  if (!id) return NotFoundError(absl::StrCat("job ", JobKey(ns, name)));
  return *id;
}

absl::Status SqliteTxn::LoadJobParts(int64_t job_id, v1::Job* job) {
  {
    ASSIGN_OR_RETURN(Statement io, db_.Prepare("SELECT io.output, n.name, d.name FROM job_io io "
                                               "JOIN datasets d ON d.id = io.dataset_id "
                                               "JOIN namespaces n ON n.id = d.namespace_id "
                                               "WHERE io.job_id = ? ORDER BY n.name, d.name"));
    io.Bind(job_id);
    while (true) {
      ASSIGN_OR_RETURN(bool row, io.Step());
      if (!row) break;
      v1::DatasetId* id = io.Bool(0) ? job->add_outputs() : job->add_inputs();
      id->set_namespace_(io.Text(1));
      id->set_name(io.Text(2));
    }
  }
  // Ties on created_at (or runs without one) go to the run stored last.
  ASSIGN_OR_RETURN(Statement latest,
                   db_.Prepare(absl::StrCat("SELECT ", Absl(kRunColumns),
                                            "WHERE r.job_id = ? "
                                            "ORDER BY r.created_at DESC, r.rowid DESC LIMIT 1")));
  latest.Bind(job_id);
  ASSIGN_OR_RETURN(bool row, latest.Step());
  if (row) RETURN_IF_ERROR(ReadRunRow(latest, job->mutable_latest_run()));
  return absl::OkStatus();
}

absl::StatusOr<v1::Job> SqliteTxn::GetJob(std::string_view ns, std::string_view name) {
  v1::Job job;
  int64_t job_id = 0;
  {
    ASSIGN_OR_RETURN(Statement stmt, db_.Prepare(absl::StrCat("SELECT ", Absl(kJobColumns),
                                                              "WHERE ns = ? AND name = ?")));
    stmt.BindAll(ns, name);
    ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) return NotFoundError(absl::StrCat("job ", JobKey(ns, name)));
    RETURN_IF_ERROR(ReadJobRow(stmt, &job));
    job_id = stmt.Int(0);
  }
  RETURN_IF_ERROR(LoadJobParts(job_id, &job));
  return job;
}

absl::StatusOr<Listing<v1::Job>> SqliteTxn::ListJobs(std::string_view ns, Page page) {
  // A job namespace is not a catalog entity: an unknown one lists nothing.
  Listing<v1::Job> listing;
  {
    ASSIGN_OR_RETURN(Statement count, db_.Prepare("SELECT COUNT(*) FROM jobs WHERE ns = ?"));
    count.Bind(ns);
    ASSIGN_OR_RETURN(bool row, count.Step());
    if (row) listing.total_count = static_cast<int>(count.Int(0));
  }
  std::vector<int64_t> ids;
  {
    ASSIGN_OR_RETURN(Statement stmt,
                     db_.Prepare(absl::StrCat("SELECT ", Absl(kJobColumns),
                                              "WHERE ns = ? ORDER BY name LIMIT ? OFFSET ?")));
    stmt.BindAll(ns, SqlLimit(page), SqlOffset(page));
    while (true) {
      ASSIGN_OR_RETURN(bool row, stmt.Step());
      if (!row) break;
      RETURN_IF_ERROR(ReadJobRow(stmt, &listing.items.emplace_back()));
      ids.push_back(stmt.Int(0));
    }
  }
  for (size_t i = 0; i < ids.size(); ++i) {
    RETURN_IF_ERROR(LoadJobParts(ids[i], &listing.items[i]));
  }
  return listing;
}

absl::StatusOr<int64_t> SqliteTxn::PutJob(const v1::Job& job) {
  ASSIGN_OR_RETURN(std::optional<std::string> facets, FacetsJson(job.has_facets(), job.facets()));
  bool has_parent = job.has_parent() && !job.parent().name().empty();
  ASSIGN_OR_RETURN(
      Statement stmt,
      db_.Prepare("INSERT INTO jobs (ns, name, type, description, location, integration, "
                  "job_type, sql, source_code_language, source_code, parent_ns, parent_name, "
                  "facets_json, created_at, updated_at) "
                  "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                  "ON CONFLICT (ns, name) DO UPDATE SET "
                  "type = excluded.type, description = excluded.description, "
                  "location = excluded.location, integration = excluded.integration, "
                  "job_type = excluded.job_type, sql = excluded.sql, "
                  "source_code_language = excluded.source_code_language, "
                  "source_code = excluded.source_code, parent_ns = excluded.parent_ns, "
                  "parent_name = excluded.parent_name, facets_json = excluded.facets_json, "
                  "created_at = COALESCE(jobs.created_at, excluded.created_at), "
                  "updated_at = excluded.updated_at "
                  "RETURNING id"));
  stmt.BindAll(job.namespace_(), job.name(), job.type(), job.description(), job.location(),
               job.integration(), job.job_type(), job.sql(), job.source_code_language(),
               job.source_code());
  if (has_parent) {
    stmt.BindAll(job.parent().namespace_(), job.parent().name());
  } else {
    stmt.BindAll(std::nullopt, std::nullopt);
  }
  stmt.BindAll(facets, ToMicros(job.has_created_at(), job.created_at()),
               ToMicros(job.has_updated_at(), job.updated_at()));
  ASSIGN_OR_RETURN(bool row, stmt.Step());
  if (!row) return absl::InternalError("job upsert returned no id");
  int64_t id = stmt.Int(0);
  RETURN_IF_ERROR(stmt.Run());  // finish the statement
  unindexed_jobs_.insert(id);
  return id;
}

absl::StatusOr<v1::Run> SqliteTxn::GetRun(std::string_view run_id) {
  ASSIGN_OR_RETURN(Statement stmt,
                   db_.Prepare(absl::StrCat("SELECT ", Absl(kRunColumns), "WHERE r.id = ?")));
  stmt.Bind(run_id);
  ASSIGN_OR_RETURN(bool row, stmt.Step());
  if (!row) return NotFoundError(absl::StrCat("run ", Quoted(run_id)));
  v1::Run run;
  RETURN_IF_ERROR(ReadRunRow(stmt, &run));
  return run;
}

absl::StatusOr<Listing<v1::Run>> SqliteTxn::ListRuns(int64_t job_id, Page page) {
  ASSIGN_OR_RETURN(std::optional<int64_t> job, FindId("SELECT id FROM jobs WHERE id = ?", job_id));
  if (!job) return NotFoundError(absl::StrCat("job #", job_id));
  Listing<v1::Run> listing;
  {
    ASSIGN_OR_RETURN(Statement count, db_.Prepare("SELECT COUNT(*) FROM runs WHERE job_id = ?"));
    count.Bind(job_id);
    ASSIGN_OR_RETURN(bool row, count.Step());
    if (row) listing.total_count = static_cast<int>(count.Int(0));
  }
  ASSIGN_OR_RETURN(Statement stmt,
                   db_.Prepare(absl::StrCat("SELECT ", Absl(kRunColumns),
                                            "WHERE r.job_id = ? "
                                            "ORDER BY r.created_at DESC, r.rowid DESC "
                                            "LIMIT ? OFFSET ?")));
  stmt.BindAll(job_id, SqlLimit(page), SqlOffset(page));
  while (true) {
    ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) break;
    RETURN_IF_ERROR(ReadRunRow(stmt, &listing.items.emplace_back()));
  }
  return listing;
}

absl::Status SqliteTxn::PutRun(const v1::Run& run) {
  ASSIGN_OR_RETURN(std::optional<int64_t> job_id,
                   FindId(kFindJob, run.job().namespace_(), run.job().name()));
  if (!job_id) {
    return absl::FailedPreconditionError(
        absl::StrCat("job ", JobKey(run.job().namespace_(), run.job().name()), " of run ",
                     Quoted(run.id()), " does not exist"));
  }
  ASSIGN_OR_RETURN(std::optional<std::string> facets, FacetsJson(run.has_facets(), run.facets()));
  // DO UPDATE rather than INSERT OR REPLACE keeps the rowid, which breaks
  // ties between runs created at the same time.
  ASSIGN_OR_RETURN(
      Statement stmt,
      db_.Prepare("INSERT INTO runs (id, job_id, state, created_at, updated_at, "
                  "nominal_start_time, nominal_end_time, started_at, ended_at, "
                  "last_event_time, parent_run_id, facets_json) "
                  "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                  "ON CONFLICT (id) DO UPDATE SET "
                  "job_id = excluded.job_id, state = excluded.state, "
                  "created_at = excluded.created_at, updated_at = excluded.updated_at, "
                  "nominal_start_time = excluded.nominal_start_time, "
                  "nominal_end_time = excluded.nominal_end_time, "
                  "started_at = excluded.started_at, ended_at = excluded.ended_at, "
                  "last_event_time = excluded.last_event_time, "
                  "parent_run_id = excluded.parent_run_id, facets_json = excluded.facets_json"));
  stmt.BindAll(run.id(), *job_id, static_cast<int>(run.state()),
               ToMicros(run.has_created_at(), run.created_at()),
               ToMicros(run.has_updated_at(), run.updated_at()),
               ToMicros(run.has_nominal_start_time(), run.nominal_start_time()),
               ToMicros(run.has_nominal_end_time(), run.nominal_end_time()),
               ToMicros(run.has_started_at(), run.started_at()),
               ToMicros(run.has_ended_at(), run.ended_at()),
               ToMicros(run.has_last_event_time(), run.last_event_time()), run.parent_run_id(),
               facets);
  return stmt.Run();
}

// --------------------------------------------------------------------- events

absl::StatusOr<bool> SqliteTxn::AppendLineageEvent(const LineageEventRow& event) {
  ASSIGN_OR_RETURN(Statement stmt,
                   db_.Prepare("INSERT INTO lineage_events (hash, event_time, event_type, "
                               "run_id, job_ns, job_name, producer, json) "
                               "VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
                               "ON CONFLICT (hash) DO NOTHING RETURNING seq"));
  stmt.BindAll(Blob{event.hash}, event.event_time, event.event_type, event.run_id, event.job_ns,
               event.job_name, event.producer, event.json);
  // A duplicate hash inserts nothing and so returns no row. (Only finish
  // the statement after a row: stepping a finished one would rerun it.)
  ASSIGN_OR_RETURN(bool inserted, stmt.Step());
  if (inserted) RETURN_IF_ERROR(stmt.Run());
  return inserted;
}

absl::StatusOr<Listing<std::string>> SqliteTxn::ListLineageEvents(const EventQuery& query) {
  // Exclusive bounds become inclusive ones so that both use the time index
  // as a range; a bound that leaves no room lists nothing.
  Listing<std::string> listing;
  if ((query.after && *query.after == INT64_MAX) || (query.before && *query.before == INT64_MIN)) {
    return listing;
  }
  int64_t from = query.after ? *query.after + 1 : INT64_MIN;
  int64_t to = query.before ? *query.before - 1 : INT64_MAX;
  {
    ASSIGN_OR_RETURN(Statement count, db_.Prepare("SELECT COUNT(*) FROM lineage_events "
                                                  "WHERE event_time BETWEEN ? AND ?"));
    count.BindAll(from, to);
    ASSIGN_OR_RETURN(bool row, count.Step());
    if (row) listing.total_count = static_cast<int>(count.Int(0));
  }
  ASSIGN_OR_RETURN(Statement stmt,
                   db_.Prepare(query.ascending ? "SELECT json FROM lineage_events "
                                                 "WHERE event_time BETWEEN ? AND ? "
                                                 "ORDER BY event_time, seq LIMIT ? OFFSET ?"
                                               : "SELECT json FROM lineage_events "
                                                 "WHERE event_time BETWEEN ? AND ? "
                                                 "ORDER BY event_time DESC, seq DESC "
                                                 "LIMIT ? OFFSET ?"));
  stmt.BindAll(from, to, SqlLimit(query.page), SqlOffset(query.page));
  RETURN_IF_ERROR(stmt.ForEachRow([&](const Statement&) {
    listing.items.push_back(stmt.Text(0));
  }));
  return listing;
}

}  // namespace cadastre::store
