// Loading through the public API: OpenLineage events posted by concurrent
// HTTP clients, and the catalog calls that OpenLineage cannot express
// (classifications that propagate, glossary terms, domains).
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "catalog.h"
#include "server.h"
#include "stats.h"
#include "workload.h"

namespace cadastre::bench {

struct IngestResult {
  int64_t events = 0;
  int64_t edges_added = 0;  // columnEdgesAdded, as the server counted them
  int64_t requests = 0;
  int errors = 0;
  std::string first_error;
  double seconds = 0;
  Samples post_ms;  // per POST, acknowledged after the commit

  double events_per_s() const { return seconds > 0 ? events / seconds : 0; }
  double edges_per_s() const { return seconds > 0 ? edges_added / seconds : 0; }
  nlohmann::json ToJson() const;
};

// PUT /tags/{c} (propagate=true) for each classification and
// PUT /glossary/terms/{t} for each term. False (and `error`) on a failure.
bool SetUpVocabulary(const Server& server, const Catalog& catalog, std::string* error);

// Posts events [begin, end) of `workload` as JSON arrays of `batch` events
// from `clients` threads; each takes the next batch in order.
IngestResult PostEvents(const Server& server, const Workload& workload, size_t begin, size_t end,
                        int clients, int batch);

// What OpenLineage has no facet for: each dataset's domain and its columns'
// glossary terms, by PUT of the whole dataset document.
IngestResult PutDomainsAndTerms(const Server& server, const Catalog& catalog, int clients);

}  // namespace cadastre::bench
