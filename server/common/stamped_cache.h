// A cache of values derived from one state of the server, named by a Stamp:
// the store's generation and, for values that depend on more, a second
// count. Counts only move forward, so a newer stamp empties the cache and a
// value derived at an older one is never kept. It is bounded by a cost each
// value declares (roughly its bytes); when full, values wait for the next
// stamp. Thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

namespace cadastre {

struct CacheStamp {
  uint64_t store = 0;  // Store::Generation(): even between writes
  uint64_t other = 0;  // whatever else the values depend on (the lineage graphs' changes)

  bool operator==(const CacheStamp& rhs) const { return store == rhs.store && other == rhs.other; }
  // Some count of `this` is behind `rhs`'s.
  bool Behind(const CacheStamp& rhs) const { return store < rhs.store || other < rhs.other; }
};

template <typename Value>
class StampedCache {
 public:
  explicit StampedCache(size_t max_cost) : max_cost_(max_cost) {}

  // The value kept for `key` at `stamp`; null when none is.
  std::shared_ptr<const Value> Find(const std::string& key, const CacheStamp& stamp) const {
    std::lock_guard<std::mutex> lock(mu_);
    if (!(stamp == stamp_)) return nullptr;
    auto it = entries_.find(key);
    return it == entries_.end() ? nullptr : it->second;
  }

  // Keeps `value`, derived at `stamp`, unless the cache is full or holds a
  // newer stamp. Another reader may have put the same key first: either will do.
  void Put(const std::string& key, const CacheStamp& stamp, std::shared_ptr<const Value> value,
           size_t cost) {
    std::lock_guard<std::mutex> lock(mu_);
    if (!(stamp == stamp_)) {
      if (stamp.Behind(stamp_)) return;
      entries_.clear();
      cost_ = 0;
      stamp_ = stamp;
    }
    if (cost_ + cost > max_cost_) return;
    if (entries_.emplace(key, std::move(value)).second) cost_ += cost;
  }

 private:
  const size_t max_cost_;
  mutable std::mutex mu_;
  CacheStamp stamp_;  // of every entry
  size_t cost_ = 0;
  std::unordered_map<std::string, std::shared_ptr<const Value>> entries_;
};

}  // namespace cadastre
