// Column lineage out of the three facets that carry it: `columnLineage`
// (ColumnLineageDatasetFacet), the explicit dataset-level `lineage`
// (LineageDatasetFacet) and the job-level `lineage` (LineageJobFacet).
// Internal to this folder; event.cc decides which one wins.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "nlohmann/json.hpp"
#include "server/openlineage/event.h"

namespace cadastre::openlineage::internal {

// `path` is where the facet sits, e.g. "outputs[0].facets.columnLineage".
// Reads the deprecated per-field transformationType/-Description, fills in
// {DIRECT, "", "", false} for sources given without transformations, and
// drops Spark's per-field copies of `dataset[]` dependencies.
absl::StatusOr<ColumnLineage> ParseColumnLineageFacet(const nlohmann::json& facet,
                                                      std::string_view path);

// `inputs` are dataset-level sources, `fields` the per-field ones; a DATASET
// source without a `field` is kept with an empty source field (it depends on
// the dataset as a whole). JOB sources name no column and are skipped.
absl::StatusOr<ColumnLineage> ParseLineageDatasetFacet(const nlohmann::json& facet,
                                                       std::string_view path);

// One DATASET entry of a job-level lineage facet.
struct LineageTarget {
  std::string ns;
  std::string name;
  ColumnLineage lineage;
};

// The DATASET entries, in order; JOB entries are skipped.
absl::StatusOr<std::vector<LineageTarget>> ParseLineageJobFacet(const nlohmann::json& facet,
                                                                std::string_view path);

}  // namespace cadastre::openlineage::internal
