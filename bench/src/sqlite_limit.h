// The ingest limit: the rows an ingestion writes (the raw event, the
// datasets and columns it declares, its column edges), inserted into SQLite
// directly, in large transactions, with the server's durability settings
// (WAL, synchronous=FULL) and a schema like migrations/0001 and 0002. No
// parsing, no lookups by name, no versions: what the disk and SQLite allow.
#pragma once

#include <memory>
#include <string>

#include "workload.h"

struct sqlite3;

namespace cadastre::bench {

class SqliteLimit {
 public:
  // Creates a new database at `path` (removing an old one).
  static std::unique_ptr<SqliteLimit> Open(const std::string& path, std::string* error);
  ~SqliteLimit();

  // Inserts every event of `workload`, `events_per_txn` per transaction.
  // Answers the seconds, or a negative number with `error` set.
  double Insert(const Workload& workload, int events_per_txn, std::string* error);

 private:
  explicit SqliteLimit(sqlite3* db) : db_(db) {}
  sqlite3* db_;
};

}  // namespace cadastre::bench
