// What a dataset read shows of lineage (each column's inherited
// classifications and its inputs), and a cache of it. Deriving it walks the
// columns' upstream region and reads the region's names and tags, which
// is most of a GetDataset; the answer changes only when the store or the
// graphs do, so it is kept until either changes (docs/lineage.md, "Reading
// a dataset").
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "cadastre/v1/catalog.pb.h"
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
// (a Stamp). A stamp moves only forward, so a newer one empties the cache.
class DecorationCache {
 public:
  struct Stamp {
    uint64_t store = 1;   // Store::Generation(), even when usable
    uint64_t graphs = 0;  // the lineage graphs' changes

    bool operator==(const Stamp& other) const {
      return store == other.store && graphs == other.graphs;
    }
  };

  explicit DecorationCache(size_t max_bytes) : max_bytes_(max_bytes) {}

  std::shared_ptr<const Decoration> Find(const std::string& key, const Stamp& stamp) const;
  // Kept unless the cache is full; then entries wait for the next stamp.
  void Put(const std::string& key, const Stamp& stamp, std::shared_ptr<const Decoration> found);

 private:
  const size_t max_bytes_;
  mutable std::mutex mu_;
  Stamp stamp_{0, 0};  // of every entry
  size_t bytes_ = 0;
  std::unordered_map<std::string, std::shared_ptr<const Decoration>> entries_;
};

}  // namespace cadastre::lineage
