// The facet maps of datasets and jobs, and the dataset facets the catalog
// maps (schema, documentation, ownership, datasource, tags, lifecycle and
// column lineage). Internal to this folder.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "nlohmann/json.hpp"
#include "server/openlineage/event.h"

namespace cadastre::openlineage::internal {

// Reads the facet map `key` of `owner` (at `path`) into `raw`: each facet
// must be an object (a null one is skipped); one marked {"_deleted": true}
// is named in `deleted` instead. A facet already in `raw` or `deleted` is
// kept as it is, so the first map read wins a name clash.
absl::Status ReadFacetMap(const nlohmann::json& owner, std::string_view key, std::string_view path,
                          nlohmann::json* raw, std::vector<std::string>* deleted);

// The facets of the dataset object at `path`: `facets` (typed and raw), then
// `inputFacets` and `outputFacets` (raw only; that is where quality facets
// usually are). Column lineage comes from the dataset's `lineage` facet,
// else from `from_job` (the job-level lineage facet's entry for it, may be
// null), else from `columnLineage`.
absl::StatusOr<DatasetFacets> ParseDatasetFacets(const nlohmann::json& dataset,
                                                 std::string_view path,
                                                 const ColumnLineage* from_job);

}  // namespace cadastre::openlineage::internal
