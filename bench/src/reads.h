// Point reads (GetDataset over REST and gRPC from concurrent clients for a
// fixed time) and the reports that exist today.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "catalog.h"
#include "server.h"
#include "stats.h"

namespace cadastre::bench {

enum class Transport { kRest, kGrpc };

struct ThroughputResult {
  int64_t requests = 0;
  int errors = 0;
  std::string first_error;
  double seconds = 0;
  Samples latency;
  double per_s() const { return seconds > 0 ? requests / seconds : 0; }
};

// `clients` threads, each with its own connection, read datasets in a
// fixed pseudo-random order for `seconds`.
ThroughputResult GetDatasets(const Server& server, const Catalog& catalog, Transport transport,
                             int clients, double seconds);

// GET /api/v1/lineage/personal-data-leaks?tag=PII, `runs` times (the first
// one cold, as a report usually runs): latency and how many columns it lists.
struct ReportResult {
  Samples latency;
  int leaks = -1;
  std::string error;
};
ReportResult PersonalDataLeaks(const Server& server, int runs);

}  // namespace cadastre::bench
