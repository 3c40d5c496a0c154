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

std::shared_ptr<const Decoration> DecorationCache::Find(const std::string& key,
                                                        const Stamp& stamp) const {
  std::lock_guard<std::mutex> lock(mu_);
  if (!(stamp == stamp_)) return nullptr;
  auto it = entries_.find(key);
  return it == entries_.end() ? nullptr : it->second;
}

void DecorationCache::Put(const std::string& key, const Stamp& stamp,
                          std::shared_ptr<const Decoration> found) {
  std::lock_guard<std::mutex> lock(mu_);
  if (!(stamp == stamp_)) {
    if (stamp.store < stamp_.store || stamp.graphs < stamp_.graphs) return;  // an older read
    entries_.clear();
    bytes_ = 0;
    stamp_ = stamp;
  }
  const size_t bytes = found->bytes;
  if (bytes_ + bytes > max_bytes_) return;
  // Another reader may have put the same first: either will do.
  if (entries_.emplace(key, std::move(found)).second) bytes_ += bytes;
}

}  // namespace cadastre::lineage
