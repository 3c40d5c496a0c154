#include "server/store/sqlite_db.h"

#include <sqlite3.h>

#include <utility>

#include "absl/strings/cord.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace cadastre::store {
namespace {

// Carries SQLite's extended result code on the status, so that callers can
// tell a constraint violation from other failures without parsing text.
constexpr absl::string_view kSqliteCodePayload = "cadastre.dev/sqlite-code";

}  // namespace

// ------------------------------------------------------------------ Statement

Statement::Statement(SqliteDb* db, sqlite3_stmt* stmt, bool* in_use)
    : db_(db), stmt_(stmt), in_use_(in_use) {}

Statement::Statement(Statement&& other) noexcept
    : db_(other.db_),
      stmt_(std::exchange(other.stmt_, nullptr)),
      in_use_(std::exchange(other.in_use_, nullptr)),
      next_param_(other.next_param_),
      bind_error_(other.bind_error_) {}

Statement::~Statement() {
  if (stmt_ == nullptr) return;
  if (in_use_ == nullptr) {
    sqlite3_finalize(stmt_);
    return;
  }
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
  *in_use_ = false;
}

Statement& Statement::Bind(int64_t value) {
  int rc = sqlite3_bind_int64(stmt_, next_param_++, value);
  if (rc != SQLITE_OK && bind_error_ == 0) bind_error_ = rc;
  return *this;
}

Statement& Statement::Bind(std::string_view text) {
  int rc = sqlite3_bind_text64(stmt_, next_param_++, text.data(), text.size(), SQLITE_TRANSIENT,
                               SQLITE_UTF8);
  if (rc != SQLITE_OK && bind_error_ == 0) bind_error_ = rc;
  return *this;
}

Statement& Statement::Bind(Blob blob) {
  // A zero-length blob must still be a BLOB, not NULL: bind_blob64 with a
  // null pointer would store NULL.
  static const char kEmpty = 0;
  const char* data = blob.bytes.empty() ? &kEmpty : blob.bytes.data();
  int rc = sqlite3_bind_blob64(stmt_, next_param_++, data, blob.bytes.size(), SQLITE_TRANSIENT);
  if (rc != SQLITE_OK && bind_error_ == 0) bind_error_ = rc;
  return *this;
}

Statement& Statement::Bind(std::nullopt_t) {
  int rc = sqlite3_bind_null(stmt_, next_param_++);
  if (rc != SQLITE_OK && bind_error_ == 0) bind_error_ = rc;
  return *this;
}

absl::StatusOr<bool> Statement::Step() {
  if (bind_error_ != 0) return db_->Error(bind_error_, "bind");
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return db_->Error(rc, sqlite3_sql(stmt_));
}

absl::Status Statement::ForEachRow(const std::function<void(const Statement&)>& row) {
  while (true) {
    absl::StatusOr<bool> more = Step();
    if (!more.ok()) return more.status();
    if (!*more) return absl::OkStatus();
    row(*this);
  }
}

absl::Status Statement::Run() {
  while (true) {
    absl::StatusOr<bool> row = Step();
    if (!row.ok()) return row.status();
    if (!*row) return absl::OkStatus();
  }
}

bool Statement::IsNull(int column) const {
  return sqlite3_column_type(stmt_, column) == SQLITE_NULL;
}

int64_t Statement::Int(int column) const { return sqlite3_column_int64(stmt_, column); }

std::string Statement::Text(int column) const {
  const unsigned char* text = sqlite3_column_text(stmt_, column);
  if (text == nullptr) return "";
  return std::string(reinterpret_cast<const char*>(text), sqlite3_column_bytes(stmt_, column));
}

std::string Statement::BlobBytes(int column) const {
  const void* data = sqlite3_column_blob(stmt_, column);
  if (data == nullptr) return "";
  return std::string(static_cast<const char*>(data), sqlite3_column_bytes(stmt_, column));
}

double Statement::Double(int column) const { return sqlite3_column_double(stmt_, column); }

std::optional<int64_t> Statement::OptionalInt(int column) const {
  if (IsNull(column)) return std::nullopt;
  return Int(column);
}

// ------------------------------------------------------------------- SqliteDb

absl::StatusOr<std::unique_ptr<SqliteDb>> SqliteDb::Open(const std::string& path,
                                                         OpenOptions options) {
  // NOMUTEX: the store gives each connection to one thread at a time, so
  // SQLite's own per-connection mutex would only cost.
  int flags =
      SQLITE_OPEN_NOMUTEX |
      (options.read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
  sqlite3* raw = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
  if (rc != SQLITE_OK) {
    std::string message = raw != nullptr ? sqlite3_errmsg(raw) : sqlite3_errstr(rc);
    sqlite3_close_v2(raw);
    return absl::InternalError(absl::StrCat("cannot open ", path, ": ", message));
  }
  std::unique_ptr<SqliteDb> db(new SqliteDb(raw));
  sqlite3_extended_result_codes(raw, 1);
  sqlite3_busy_timeout(raw, options.busy_timeout_ms);
  return db;
}

SqliteDb::~SqliteDb() {
  for (auto& [sql, cached] : cache_) sqlite3_finalize(cached->stmt);
  sqlite3_close_v2(db_);
}

absl::Status SqliteDb::Exec(const std::string& sql) {
  char* message = nullptr;
  int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &message);
  if (rc == SQLITE_OK) return absl::OkStatus();
  // sqlite3_exec also leaves its message on the handle, which Error reads.
  sqlite3_free(message);
  return Error(rc, sql);
}

absl::StatusOr<Statement> SqliteDb::Prepare(std::string_view sql) {
  auto [it, inserted] = cache_.try_emplace(std::string(sql));
  if (inserted) it->second = std::make_unique<CachedStatement>();
  CachedStatement& cached = *it->second;
  if (cached.stmt == nullptr) {
    int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()),
                                SQLITE_PREPARE_PERSISTENT, &cached.stmt, nullptr);
    if (rc != SQLITE_OK) return Error(rc, sql);
  }
  if (!cached.in_use) {
    cached.in_use = true;
    return Statement(this, cached.stmt, &cached.in_use);
  }
  // The cached one is mid-iteration (a query nested in a loop over the same
  // query); give this caller a private statement instead of resetting it.
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &stmt, nullptr);
  if (rc != SQLITE_OK) return Error(rc, sql);
  return Statement(this, stmt, nullptr);
}

int SqliteDb::Changes() const { return sqlite3_changes(db_); }

int64_t SqliteDb::LastInsertId() const { return sqlite3_last_insert_rowid(db_); }

absl::StatusOr<int64_t> SqliteDb::QueryInt(std::string_view sql) {
  absl::StatusOr<Statement> stmt = Prepare(sql);
  if (!stmt.ok()) return stmt.status();
  absl::StatusOr<bool> row = stmt->Step();
  if (!row.ok()) return row.status();
  if (!*row) return absl::InternalError(absl::StrCat("no row from: ", Absl(sql)));
  return stmt->Int(0);
}

absl::StatusOr<std::string> SqliteDb::QueryText(std::string_view sql) {
  absl::StatusOr<Statement> stmt = Prepare(sql);
  if (!stmt.ok()) return stmt.status();
  absl::StatusOr<bool> row = stmt->Step();
  if (!row.ok()) return row.status();
  if (!*row) return absl::InternalError(absl::StrCat("no row from: ", Absl(sql)));
  return stmt->Text(0);
}

absl::Status SqliteDb::Error(int rc, std::string_view context) const {
  // The statement text says which query failed; it is ours, never user data.
  constexpr size_t kMaxContext = 80;
  std::string message = absl::StrCat("sqlite: ", sqlite3_errmsg(db_), " (", sqlite3_errstr(rc),
                                     ") in: ", Absl(context.substr(0, kMaxContext)));
  int primary = rc & 0xff;
  absl::Status status = (primary == SQLITE_BUSY || primary == SQLITE_LOCKED)
                            ? absl::UnavailableError(message)
                            : absl::InternalError(message);
  status.SetPayload(kSqliteCodePayload, absl::Cord(absl::StrCat(rc)));
  return status;
}

std::string Quoted(std::string_view s) {
  std::string quoted;
  quoted.reserve(s.size() + 2);
  quoted.append("\"").append(s).append("\"");
  return quoted;
}

namespace {

// The extended SQLite result code a status carries (Error sets it), or 0.
int SqliteCodeOf(const absl::Status& status) {
  absl::optional<absl::Cord> payload = status.GetPayload(kSqliteCodePayload);
  int rc = 0;
  if (!payload || !absl::SimpleAtoi(std::string(*payload), &rc)) return 0;
  return rc;
}

}  // namespace

bool IsUniqueViolation(const absl::Status& status) {
  const int rc = SqliteCodeOf(status);
  return rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY;
}

bool IsConstraintViolation(const absl::Status& status) {
  return (SqliteCodeOf(status) & 0xff) == SQLITE_CONSTRAINT;
}

}  // namespace cadastre::store
