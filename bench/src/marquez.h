// The Marquez-style baseline: PostgreSQL with Marquez's column-lineage table
// layout (one row per output field / input field / dataset versions, unique
// over the four ids, a btree index on each) and its recursive query (keep
// the latest row per field pair, then walk, carrying the path to stop at
// cycles). See /work/shared/openlineage/MARQUEZ-NOTES.md.
#pragma once

#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "catalog.h"

struct pg_conn;

namespace cadastre::bench {

class MarquezBaseline {
 public:
  // Connects with a libpq connection string ("host=127.0.0.1 port=… user=…").
  // Each query is cut off after `timeout_ms`.
  static std::unique_ptr<MarquezBaseline> Connect(const std::string& conninfo, int timeout_ms,
                                                  std::string* error);
  ~MarquezBaseline();

  // Creates the tables and COPYs the catalog in (one dataset version per
  // dataset, as after a single run), then ANALYZE. Answers the seconds it
  // took, or a negative number with `error` set.
  double Load(const Catalog& catalog, std::string* error);

  // Runs the column-lineage query for `column` (upstream: Marquez's query;
  // downstream: the same query walking the other way). Answers the
  // milliseconds, or a negative number when it timed out (or failed:
  // `error`). `rows` gets the number of output fields in the answer.
  double Query(int32_t column, bool downstream, int depth, int* rows, std::string* error);

  int timeout_ms() const { return timeout_ms_; }
  nlohmann::json Describe() const;  // table sizes, server version

 private:
  MarquezBaseline(pg_conn* conn, int timeout_ms) : conn_(conn), timeout_ms_(timeout_ms) {}
  bool Exec(const std::string& sql, std::string* error);
  pg_conn* conn_;
  int timeout_ms_;
};

}  // namespace cadastre::bench
