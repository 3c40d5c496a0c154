// The words of the search index, held in memory to correct misspelt query
// words. Reloaded from the store when the index has changed, but not more
// often than the last load's cost allows (at most every 10 s at scale), so
// a burst of writes does not turn every search into a reload.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "server/common/clock.h"
#include "server/store/store.h"

namespace cadastre::search {

class Words {
 public:
  explicit Words(std::vector<std::string> sorted);

  bool Contains(std::string_view word) const;
  bool HasPrefix(std::string_view prefix) const;
  // The nearest words within `max_edits` (see EditDistance): those at the
  // smallest distance found, alphabetically, at most `limit`. A farther
  // word would only dilute the ranking ("custmers" means "customers", not
  // also "customer").
  std::vector<std::string> Nearest(std::string_view word, int max_edits, size_t limit) const;
  size_t size() const { return sorted_.size(); }

 private:
  std::vector<std::string> sorted_;
  std::vector<std::vector<const std::string*>> by_length_;
};

class Vocabulary {
 public:
  Vocabulary(store::Store* store, const Clock* clock) : store_(store), clock_(clock) {}

  // The current words: reloaded first if the index changed and the last
  // load is old enough.
  absl::StatusOr<std::shared_ptr<const Words>> Get();

 private:
  store::Store* store_;
  const Clock* clock_;
  std::mutex mu_;
  std::shared_ptr<const Words> words_;  // guarded by mu_
  int64_t generation_ = -1;
  absl::Time loaded_at_ = absl::InfinitePast();
  absl::Duration load_cost_ = absl::ZeroDuration();
};

}  // namespace cadastre::search
