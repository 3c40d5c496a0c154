// Internal to the SQLite store: a connection with a prepared-statement
// cache, and a statement handle that binds values instead of splicing them
// into SQL text. sqlite3.h stays in sqlite_db.cc; this header only
// forward-declares its handles.
#pragma once

#include <cstdint>
#include <memory>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "server/common/strings.h"  // Absl(): std -> absl string_view

struct sqlite3;
struct sqlite3_stmt;

namespace cadastre::store {

class SqliteDb;

// Marks a value to be bound as a BLOB rather than TEXT.
struct Blob {
  std::string_view bytes;
};

// A prepared statement borrowed from a connection's cache. It is reset and
// returned to the cache when destroyed, so one handle serves one execution.
// Parameters bind left to right, starting at 1.
class Statement {
 public:
  Statement(Statement&& other) noexcept;
  Statement& operator=(Statement&&) = delete;
  Statement(const Statement&) = delete;
  ~Statement();

  Statement& Bind(int64_t value);
  Statement& Bind(int value) { return Bind(static_cast<int64_t>(value)); }
  Statement& Bind(bool value) { return Bind(static_cast<int64_t>(value)); }
  Statement& Bind(std::string_view text);
  Statement& Bind(const std::string& text) { return Bind(std::string_view(text)); }
  Statement& Bind(const char* text) { return Bind(std::string_view(text)); }
  Statement& Bind(Blob blob);
  Statement& Bind(std::nullopt_t);
  template <typename T>
  Statement& Bind(const std::optional<T>& value) {
    return value.has_value() ? Bind(*value) : Bind(std::nullopt);
  }
  template <typename... Ts>
  Statement& BindAll(const Ts&... values) {
    (Bind(values), ...);
    return *this;
  }

  // Advances to the next row: true when a row is available, false when the
  // statement is done.
  absl::StatusOr<bool> Step();
  // Runs a statement that returns no rows (or whose rows do not matter).
  absl::Status Run();
  // Steps through every row, calling `row` with this statement positioned
  // on it; stops at the first error.
  absl::Status ForEachRow(const std::function<void(const Statement&)>& row);

  // Column accessors for the current row; columns count from 0.
  bool IsNull(int column) const;
  int64_t Int(int column) const;
  bool Bool(int column) const { return Int(column) != 0; }
  std::string Text(int column) const;
  std::string BlobBytes(int column) const;
  std::optional<int64_t> OptionalInt(int column) const;
  double Double(int column) const;

 private:
  friend class SqliteDb;
  Statement(SqliteDb* db, sqlite3_stmt* stmt, bool* in_use);

  SqliteDb* db_;
  sqlite3_stmt* stmt_;
  bool* in_use_;  // the cache slot's flag; nullptr when not from the cache
  int next_param_ = 1;
  int bind_error_ = 0;  // first failed bind, reported by Step
};

// One SQLite connection. Not thread-safe: the store hands each connection
// to one transaction at a time.
class SqliteDb {
 public:
  struct OpenOptions {
    bool read_only = false;
    int busy_timeout_ms = 5000;
  };

  static absl::StatusOr<std::unique_ptr<SqliteDb>> Open(const std::string& path,
                                                        OpenOptions options);
  ~SqliteDb();
  SqliteDb(const SqliteDb&) = delete;
  SqliteDb& operator=(const SqliteDb&) = delete;

  // Runs SQL text that takes no parameters: pragmas, BEGIN/COMMIT and
  // migration scripts (which may hold several statements).
  absl::Status Exec(const std::string& sql);

  // The cached prepared statement for `sql`, prepared on first use. `sql`
  // must be a constant: values always go through Statement::Bind.
  absl::StatusOr<Statement> Prepare(std::string_view sql);

  // Runs a single-row query of one integer column (e.g. a pragma).
  absl::StatusOr<int64_t> QueryInt(std::string_view sql);
  absl::StatusOr<std::string> QueryText(std::string_view sql);
  // Rows changed by the last INSERT, UPDATE or DELETE.
  int Changes() const;
  // The rowid of the last row inserted on this connection.
  int64_t LastInsertId() const;

  // Maps an SQLite result code to a status: SQLITE_BUSY/LOCKED become
  // UNAVAILABLE (retryable), everything else INTERNAL with SQLite's message.
  absl::Status Error(int rc, std::string_view context) const;

 private:
  explicit SqliteDb(sqlite3* db) : db_(db) {}

  struct CachedStatement {
    sqlite3_stmt* stmt = nullptr;
    bool in_use = false;
  };

  sqlite3* db_;
  std::unordered_map<std::string, std::unique_ptr<CachedStatement>> cache_;

  friend class Statement;
};

// `s` in double quotes, for naming things in error messages.
std::string Quoted(std::string_view s);

// True when `status` came from a UNIQUE or PRIMARY KEY violation.
bool IsUniqueViolation(const absl::Status& status);
// True when `status` came from any constraint (foreign key, CHECK, UNIQUE…):
// the statement was refused and undone, the transaction goes on.
bool IsConstraintViolation(const absl::Status& status);

}  // namespace cadastre::store
