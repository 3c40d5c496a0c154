// What a dataset read shows of lineage (each column's inherited
// classifications and its inputs), and a cache of it. Deriving it walks the
// columns' upstream region and reads the region's names and tags, which
// is most of a GetDataset; the answer changes only when the store or the
// graphs do, so it is kept until either changes (docs/lineage.md, "Reading
// a dataset").
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "cadastre/v1/catalog.pb.h"
#include "server/common/stamped_cache.h"
#include "server/store/store.h"

namespace cadastre::lineage {

struct Decoration {
  // In protobuf's wire format, which keeps a kept answer small (about half
  // of the messages' memory): by column name, a Field holding only its
  // inherited_tags; a Dataset holding only column_lineage.
  std::map<std::string, std::string> inherited;
  std::string column_lineage;
  // The live datasets the two name, by row id: a viewer who may see all of
  // them is shown exactly this.
  std::map<int64_t, store::DatasetInfo> named;
  size_t bytes = 0;  // roughly what it holds in memory

  // Puts it into `dataset`, whose derived attributes are empty.
  void ApplyTo(v1::Dataset& dataset) const;
};

// Decorations by dataset, valid for one state of the store and the graphs
// (the stamp's second count is the graphs' changes), costed by `bytes`.
using DecorationCache = StampedCache<Decoration>;

}  // namespace cadastre::lineage
