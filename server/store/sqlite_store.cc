#include "server/store/sqlite_store.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "cadastre_migrations.h"
#include "server/common/status.h"
#include "server/store/sqlite_db.h"
#include "server/store/sqlite_txn.h"

namespace cadastre::store {
namespace {

constexpr int kBusyTimeoutMs = 5000;
constexpr int kWriterCacheKiB = 64 * 1024;  // the writer's page cache

struct Migration {
  int version;
  std::string_view name;
  std::string_view sql;
};

// The embedded migrations in version order. A file without its NNNN prefix
// or two files with one number are build mistakes, reported as INTERNAL.
absl::StatusOr<std::vector<Migration>> SortedMigrations() {
  std::vector<Migration> migrations;
  for (const EmbeddedFile& file : EmbeddedMigrations()) {
    std::string_view name = file.name;
    size_t digits = 0;
    while (digits < name.size() && absl::ascii_isdigit(name[digits])) ++digits;
    int version = 0;
    if (digits == 0 || !absl::SimpleAtoi(Absl(name.substr(0, digits)), &version) || version <= 0) {
      return absl::InternalError(
          absl::StrCat("migration ", Absl(name), " does not start with its number"));
    }
    migrations.push_back({version, name, file.content});
  }
  std::sort(migrations.begin(), migrations.end(),
            [](const Migration& a, const Migration& b) { return a.version < b.version; });
  for (size_t i = 1; i < migrations.size(); ++i) {
    if (migrations[i].version == migrations[i - 1].version) {
      return absl::InternalError(absl::StrCat("migrations ", Absl(migrations[i - 1].name), " and ",
                                              Absl(migrations[i].name), " share a number"));
    }
  }
  return migrations;
}

// Ends the connection's transaction: rolled back on destruction unless
// committed, so an error (or an exception) half way leaves nothing behind.
class TxnScope {
 public:
  explicit TxnScope(SqliteDb& db) : db_(db) {}
  TxnScope(const TxnScope&) = delete;
  TxnScope& operator=(const TxnScope&) = delete;
  ~TxnScope() {
    if (!committed_) db_.Exec("ROLLBACK").IgnoreError();
  }

  absl::Status Commit() {
    absl::Status status = db_.Exec("COMMIT");
    committed_ = status.ok();
    return status;
  }

 private:
  SqliteDb& db_;
  bool committed_ = false;
};

absl::Status NewerSchemaError(int64_t found, int latest) {
  return absl::FailedPreconditionError(absl::StrCat("database schema version ", found,
                                                    " is newer than this server supports (", latest,
                                                    "); upgrade Cadastre to open it"));
}

// Brings the database to the newest embedded schema, one migration per
// transaction so that a failure leaves the last good version in place.
absl::Status Migrate(SqliteDb& db) {
  ASSIGN_OR_RETURN(std::vector<Migration> migrations, SortedMigrations());
  int latest = migrations.empty() ? 0 : migrations.back().version;
  ASSIGN_OR_RETURN(int64_t current, db.QueryInt("PRAGMA user_version"));
  if (current > latest) return NewerSchemaError(current, latest);
  for (const Migration& migration : migrations) {
    if (migration.version <= current) continue;
    RETURN_IF_ERROR(db.Exec("BEGIN IMMEDIATE"));
    TxnScope scope(db);
    absl::Status status = db.Exec(std::string(migration.sql));
    if (status.ok()) {
      // PRAGMA takes no parameters; the number is ours, not user input.
      status = db.Exec(absl::StrCat("PRAGMA user_version = ", migration.version));
    }
    if (!status.ok()) {
      return absl::Status(status.code(),
                          absl::StrCat("migration ", Absl(migration.name), ": ", status.message()));
    }
    RETURN_IF_ERROR(scope.Commit());
  }
  return absl::OkStatus();
}

// Per-connection settings; none of them persist in the file except WAL.
absl::Status Configure(SqliteDb& db, const SqliteOptions& options) {
  RETURN_IF_ERROR(db.Exec("PRAGMA foreign_keys = ON"));
  return db.Exec(options.durability == Durability::kFull ? "PRAGMA synchronous = FULL"
                                                         : "PRAGMA synchronous = NORMAL");
}

class SqliteStore final : public Store {
 public:
  SqliteStore(std::unique_ptr<SqliteDb> writer, std::vector<std::unique_ptr<SqliteDb>> readers)
      : writer_(std::move(writer)), readers_(std::move(readers)) {
    for (auto& reader : readers_) idle_readers_.push_back(reader.get());
  }

  absl::Status Read(const std::function<absl::Status(ReadTxn&)>& fn) override {
    ReaderLease lease(*this);
    const uint64_t generation = generation_.load();
    // The snapshot is taken now, by a first read, and held until the
    // transaction ends: after `generation` was read, as KeptDatasets needs.
    RETURN_IF_ERROR(lease.db().Exec("BEGIN"));
    TxnScope scope(lease.db());
    RETURN_IF_ERROR(TakeSnapshot(lease.db()));
    SqliteTxn txn(lease.db(), generation, &kept_);
    RETURN_IF_ERROR(fn(txn));
    return scope.Commit();
  }

  absl::Status Write(const std::function<absl::Status(WriteTxn&)>& fn) override {
    std::lock_guard<std::mutex> lock(write_mu_);
    generation_.fetch_add(1);  // odd: a write is open
    // Even again when it ends: committed, rolled back or thrown through
    // (an odd count would keep every cache off for good).
    struct Ended {
      std::atomic<uint64_t>& generation;
      ~Ended() { generation.fetch_add(1); }
    } ended{generation_};
    return WriteLocked(fn);
  }

  uint64_t Generation() const override { return generation_.load(); }

 private:
  // A reader connection borrowed from the pool for one transaction; waits
  // while all are in use.
  class ReaderLease {
   public:
    explicit ReaderLease(SqliteStore& store) : store_(store) {
      std::unique_lock<std::mutex> lock(store_.readers_mu_);
      store_.readers_cv_.wait(lock, [this] { return !store_.idle_readers_.empty(); });
      db_ = store_.idle_readers_.back();
      store_.idle_readers_.pop_back();
    }
    ReaderLease(const ReaderLease&) = delete;
    ReaderLease& operator=(const ReaderLease&) = delete;
    ~ReaderLease() {
      {
        std::lock_guard<std::mutex> lock(store_.readers_mu_);
        store_.idle_readers_.push_back(db_);
      }
      store_.readers_cv_.notify_one();
    }
    SqliteDb& db() { return *db_; }

   private:
    SqliteStore& store_;
    SqliteDb* db_;
  };

  absl::Status WriteLocked(const std::function<absl::Status(WriteTxn&)>& fn) {
    // IMMEDIATE takes the write lock now, so the transaction cannot fail
    // with SQLITE_BUSY half way through, at its first write.
    RETURN_IF_ERROR(writer_->Exec("BEGIN IMMEDIATE"));
    TxnScope scope(*writer_);
    SqliteTxn txn(*writer_, generation_.load());
    RETURN_IF_ERROR(fn(txn));
    RETURN_IF_ERROR(txn.FinishSearchChanges());
    return scope.Commit();
  }

  // A deferred BEGIN takes its snapshot at the transaction's first read.
  static absl::Status TakeSnapshot(SqliteDb& db) {
    ASSIGN_OR_RETURN(Statement first, db.Prepare("SELECT 1 FROM sqlite_schema LIMIT 1"));
    return first.Step().status();
  }

  std::mutex write_mu_;
  std::unique_ptr<SqliteDb> writer_;  // guarded by write_mu_
  std::atomic<uint64_t> generation_{0};
  KeptDatasets kept_{&generation_};

  std::mutex readers_mu_;
  std::condition_variable readers_cv_;
  std::vector<std::unique_ptr<SqliteDb>> readers_;
  std::vector<SqliteDb*> idle_readers_;  // guarded by readers_mu_
};

}  // namespace

int LatestSchemaVersion() {
  absl::StatusOr<std::vector<Migration>> migrations = SortedMigrations();
  if (!migrations.ok() || migrations->empty()) return 0;
  return migrations->back().version;
}

absl::StatusOr<std::unique_ptr<Store>> OpenSqliteStore(const SqliteOptions& options) {
  if (options.readers < 1) {
    return absl::InvalidArgumentError("the SQLite store needs at least one reader");
  }
  ASSIGN_OR_RETURN(
      std::unique_ptr<SqliteDb> writer,
      SqliteDb::Open(options.path, {.read_only = false, .busy_timeout_ms = kBusyTimeoutMs}));
  // Migrating first means a database from a newer Cadastre is refused
  // before anything about the file (even its journal mode) changes.
  RETURN_IF_ERROR(Migrate(*writer));
  // WAL lets readers keep their snapshot while the writer commits.
  ASSIGN_OR_RETURN(std::string mode, writer->QueryText("PRAGMA journal_mode = WAL"));
  if (absl::AsciiStrToLower(mode) != "wal") {
    return absl::InternalError(
        absl::StrCat("cannot put ", options.path, " in WAL mode (got ", mode, ")"));
  }
  RETURN_IF_ERROR(Configure(*writer, options));
  // A large ingestion transaction touches far more than the default 2 MiB
  // of pages; a cache that small spills them to the WAL mid-transaction.
  RETURN_IF_ERROR(writer->Exec(absl::StrCat("PRAGMA cache_size = -", kWriterCacheKiB)));
  {
    RETURN_IF_ERROR(writer->Exec("BEGIN IMMEDIATE"));
    TxnScope scope(*writer);
    SqliteTxn txn(*writer);
    RETURN_IF_ERROR(txn.BuildSearchIndexIfNeeded());
    RETURN_IF_ERROR(scope.Commit());
  }

  // Readers open after migrating so that they never see an older schema.
  std::vector<std::unique_ptr<SqliteDb>> readers;
  for (int i = 0; i < options.readers; ++i) {
    ASSIGN_OR_RETURN(
        std::unique_ptr<SqliteDb> reader,
        SqliteDb::Open(options.path, {.read_only = true, .busy_timeout_ms = kBusyTimeoutMs}));
    RETURN_IF_ERROR(Configure(*reader, options));
    readers.push_back(std::move(reader));
  }
  return std::make_unique<SqliteStore>(std::move(writer), std::move(readers));
}

}  // namespace cadastre::store
