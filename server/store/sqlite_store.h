// The embedded SQLite store: one file in WAL mode, one writer connection
// (writes serialised), a pool of reader connections, prepared statements
// only. The schema comes from migrations/NNNN_*.sql, embedded in the binary
// and applied at open, each once and in its own transaction.
#pragma once

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "server/store/store.h"

namespace cadastre::store {

enum class Durability {
  kFull,    // fsync at every commit: survives power loss
  kNormal,  // survives a crash of the process (kill -9), not power loss
};

struct SqliteOptions {
  std::string path;  // the database file; created when missing
  Durability durability = Durability::kFull;
  int readers = 4;  // size of the reader connection pool
};

// Opens (creating if needed) and migrates the database at options.path.
// Fails with FAILED_PRECONDITION when the database was written by a newer
// Cadastre (its schema version is above the highest embedded migration).
absl::StatusOr<std::unique_ptr<Store>> OpenSqliteStore(const SqliteOptions& options);

// The schema version the embedded migrations bring a database to.
int LatestSchemaVersion();

}  // namespace cadastre::store
