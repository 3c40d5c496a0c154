#include "server/lineage/decorations.h"

namespace cadastre::lineage {

void Decoration::ApplyTo(v1::Dataset& dataset) const {
  // Merging appends to the repeated fields, which the caller emptied.
  if (!inherited.empty()) {
    for (v1::Field& field : *dataset.mutable_fields()) {
      auto found = inherited.find(field.name());
      if (found != inherited.end()) field.MergeFromString(found->second);
    }
  }
  dataset.MergeFromString(column_lineage);
}

}  // namespace cadastre::lineage
