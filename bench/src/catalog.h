// A synthetic enterprise catalog, deterministic from (scale, seed): the
// data every measurement and every baseline of one run shares.
//
// Shape: sources -> raw -> staging -> curated (4 layers) -> marts (3) ->
// reports -> dashboards, 12 layers. Each non-source dataset is written by
// one job from a few datasets of lower layers (a few views of one layer read
// each other: cycles). Column edges are identity copies, transformations,
// aggregations (wide fan-in) and indirect filter/join edges; a few
// conformed-dimension keys ("hub columns") are joined into a large share of
// the marts and so have thousands of dependents. About 5% of columns carry a
// PII classification; every dataset has a domain and owners; some columns
// are linked to glossary terms.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace cadastre::bench {

struct Scale {
  std::string name;   // "XS", "S", "M", "L"
  int datasets;       // columns ~20x, column edges ~50x
};

// S = 1,000 datasets, M = 10,000, L = 100,000; XS = 200 (the CI smoke test).
bool ParseScale(const std::string& name, Scale* out);

enum class Layer : uint8_t { kSource, kRaw, kStaging, kCurated, kMart, kReport, kDashboard };

struct Column {
  int32_t dataset;
  std::string name;
  std::string type;
  std::string pii;   // "" or a classification such as "PII.Email"
  std::string term;  // "" or a glossary term
};

struct Dataset {
  std::string ns;
  std::string name;
  Layer layer;
  int depth;  // 0..11, the position in the 12-layer pipeline
  bool view = false;
  std::string domain;
  std::vector<std::string> owners;  // "team-…" (TEAM) first, then a user
  std::string job_ns, job_name;     // empty for sources
  std::vector<int32_t> inputs;      // datasets the job reads
  int32_t first_column = 0;
  int32_t column_count = 0;
};

enum class EdgeKind : uint8_t { kIdentity, kTransformation, kAggregation, kMasked, kFilter, kJoin };

struct ColumnEdge {
  int32_t source;  // column index
  int32_t target;  // column index
  EdgeKind kind;
};

const char* TypeOf(EdgeKind kind);     // "DIRECT" / "INDIRECT"
const char* SubtypeOf(EdgeKind kind);  // "IDENTITY", "AGGREGATION", …
bool IsMasking(EdgeKind kind);

struct Catalog {
  Scale scale;
  uint64_t seed = 0;
  std::vector<Dataset> datasets;  // in topological order but for view cycles
  std::vector<Column> columns;    // grouped by dataset
  std::vector<ColumnEdge> edges;  // grouped by target dataset, in dataset order
  std::vector<std::string> classifications;  // the PII tags used
  std::vector<std::string> terms;            // glossary terms
  std::vector<int32_t> hub_columns;          // the conformed-dimension keys

  // [begin, end) of the edges into dataset `d`.
  std::vector<int64_t> edge_begin;  // size datasets + 1

  size_t pii_columns() const;
};

Catalog Generate(const Scale& scale, uint64_t seed);

}  // namespace cadastre::bench
