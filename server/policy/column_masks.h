// What one principal gets of each column of a dataset, as data (sample
// rows, statistics, and what query engines are told): hidden, clear, or
// masked and how. Follows the column's own classifications, those it
// inherits through lineage and those of its dataset (docs/masking.md).
#pragma once

#include <string>
#include <vector>

#include "cadastre/v1/access.pb.h"
#include "cadastre/v1/catalog.pb.h"
#include "server/policy/access.h"

namespace cadastre::policy {

struct ColumnMask {
  std::string field;
  bool visible = true;  // false: a DENY of READ_SAMPLES covers the column
  v1::MaskType type = v1::MASK_NONE;
  const v1::MaskingPolicy* policy = nullptr;  // the one that decided, if any
  std::string tag;                            // the classification it matched
};

// The policy that applies when no other does: a column classified under
// PII is nulled for principals without READ_UNMASKED.
const v1::MaskingPolicy& DefaultPiiPolicy();

// One entry per field of `dataset`, in order. `dataset` must carry its
// inherited classifications (a decorated read). Columns the principal may
// read unmasked (READ_UNMASKED) are clear; the others get the winning
// masking policy (see DecideMask), DefaultPiiPolicy included.
std::vector<ColumnMask> MasksFor(const Access& access, const v1::Dataset& dataset);

}  // namespace cadastre::policy
