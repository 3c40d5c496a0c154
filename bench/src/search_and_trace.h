// Search over a fixed query mix, and the GDPR trace report of every PII
// column: the two measures that came with issues 6 and 5.
#pragma once

#include <nlohmann/json.hpp>

#include "catalog.h"
#include "server.h"

namespace cadastre::bench {

// A fixed mix derived from the catalog — exact dataset names, last name
// segments, prefixes being typed, column names, misspelt words, and words
// with facet filters — each query once per repetition, one client:
// {"latency": Samples::ToJson(), "queries": N, "by_kind": {kind: latency},
//  "errors": N}. `repeat` rounds of the mix.
nlohmann::json MeasureSearch(const Server& server, const Catalog& catalog, int repeat);

// GET /api/v1/reports/trace?tag=PII (every path of every PII column),
// `runs` times: {"latency": Samples::ToJson(), "columns": N, "paths": N,
// "truncated": bool}.
nlohmann::json MeasureGdprTraceReport(const Server& server, int runs);

}  // namespace cadastre::bench
