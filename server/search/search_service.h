// Search over the catalog (docs/search.md): full text through the store's
// FTS5 index, exact names first, then BM25 with field weights, boosted by
// how often the audit log saw an asset read; misspelt words corrected from
// the index's vocabulary; facets counted over what the caller may see.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>

#include "absl/status/statusor.h"
#include "cadastre/v1/search.pb.h"
#include "server/audit/audit_log.h"
#include "server/common/clock.h"
#include "server/policy/authorizer.h"
#include "server/policy/caller.h"
#include "server/search/vocabulary.h"
#include "server/store/store.h"

namespace cadastre::search {

using policy::Caller;

class SearchService {
 public:
  SearchService(store::Store* store, const policy::Authorizer* authorizer, const Clock* clock);
  ~SearchService();

  // Needs READ_METADATA. INVALID_ARGUMENT naming the field at fault ("q"
  // over 500 bytes, "limit" outside 1..100, "offset" negative, an unknown
  // "type"). Hidden datasets and their columns are neither returned nor
  // counted.
  absl::StatusOr<v1::SearchResponse> Search(const Caller& caller, const v1::SearchRequest& request);

  // Marquez's search: datasets and jobs, {type, name, updatedAt, namespace,
  // nodeId}. INVALID_ARGUMENT for an unknown "filter" or "sort".
  absl::StatusOr<v1::MarquezSearchResponse> MarquezSearch(const Caller& caller,
                                                          const v1::MarquezSearchRequest& request);

  // Where the usage boost comes from; without it nothing is boosted.
  void set_access_log(const audit::AuditLog* log) { access_log_ = log; }

 private:
  struct Query;
  struct Ranked;
  struct Matches;

  // Every match the caller may see, ranked, with facet counts.
  absl::StatusOr<Matches> Match(const Caller& caller, const Query& query);
  // Reads per dataset from the audit log, last 30 days; refreshed at most
  // once a minute. Searches keep the map they got while a refresh replaces it.
  std::shared_ptr<const audit::AuditLog::DatasetCounts> AccessCounts();

  store::Store* store_;
  const policy::Authorizer* authorizer_;
  const Clock* clock_;
  Vocabulary vocabulary_;
  const audit::AuditLog* access_log_ = nullptr;

  std::mutex counts_mu_;  // guards the four below
  std::shared_ptr<const audit::AuditLog::DatasetCounts> counts_ =
      std::make_shared<const audit::AuditLog::DatasetCounts>();
  int64_t counts_seq_ = 0;
  absl::Time counts_at_ = absl::InfinitePast();
  absl::Time counts_full_at_ = absl::InfinitePast();
};

}  // namespace cadastre::search
