// Measures of features that are not built yet. Each answers NotBuilt(…)
// today, which the report prints as such; when the feature lands, its
// function here does the measuring and the rest of the harness is unchanged
// (report.cc already judges the target from the fields named below).
#pragma once

#include <nlohmann/json.hpp>

#include "catalog.h"
#include "server.h"

namespace cadastre::bench {

// Issue 6. Should run a fixed query mix (exact names, prefixes, column
// names, glossary words, owners) repeatedly and answer
// {"latency": Samples::ToJson(), "queries": N}.
nlohmann::json MeasureSearch(const Server& server, const Catalog& catalog);

// Issue 5. Should ask for the trace report of every PII column and answer
// {"latency": Samples::ToJson(), "columns": N}.
nlohmann::json MeasureGdprTraceReport(const Server& server, const Catalog& catalog);

}  // namespace cadastre::bench
