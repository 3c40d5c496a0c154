#include "server/search/vocabulary.h"

#include <algorithm>

#include "server/common/status.h"
#include "server/common/words.h"

namespace cadastre::search {

Words::Words(std::vector<std::string> sorted) : sorted_(std::move(sorted)) {
  for (const std::string& word : sorted_) {
    if (by_length_.size() <= word.size()) by_length_.resize(word.size() + 1);
    by_length_[word.size()].push_back(&word);
  }
}

bool Words::Contains(std::string_view word) const {
  return std::binary_search(sorted_.begin(), sorted_.end(), word);
}

bool Words::HasPrefix(std::string_view prefix) const {
  auto it = std::lower_bound(sorted_.begin(), sorted_.end(), prefix);
  return it != sorted_.end() && std::string_view(*it).substr(0, prefix.size()) == prefix;
}

std::vector<std::string> Words::Nearest(std::string_view word, int max_edits,
                                        size_t limit) const {
  std::vector<std::pair<int, const std::string*>> found;
  const size_t low = word.size() > static_cast<size_t>(max_edits) ? word.size() - max_edits : 1;
  for (size_t length = low; length <= word.size() + max_edits && length < by_length_.size();
       ++length) {
    for (const std::string* candidate : by_length_[length]) {
      int distance = EditDistance(word, *candidate, max_edits);
      if (distance <= max_edits && distance > 0) found.emplace_back(distance, candidate);
    }
  }
  std::sort(found.begin(), found.end(), [](const auto& a, const auto& b) {
    return a.first != b.first ? a.first < b.first : *a.second < *b.second;
  });
  std::vector<std::string> out;
  for (size_t i = 0; i < found.size() && i < limit && found[i].first == found[0].first; ++i) {
    out.push_back(*found[i].second);
  }
  return out;
}

absl::StatusOr<std::shared_ptr<const Words>> Vocabulary::Get() {
  std::lock_guard<std::mutex> lock(mu_);
  const absl::Time now = clock_->Now();
  if (words_ != nullptr &&
      now - loaded_at_ < std::min(absl::Seconds(10), load_cost_ * 20)) {
    return words_;
  }
  int64_t generation = 0;
  std::vector<std::string> sorted;
  RETURN_IF_ERROR(store_->Read([&](store::ReadTxn& txn) -> absl::Status {
    ASSIGN_OR_RETURN(generation, txn.SearchGeneration());
    if (words_ != nullptr && generation == generation_) return absl::OkStatus();
    return txn.ScanSearchWords([&](std::string_view word) { sorted.emplace_back(word); });
  }));
  if (words_ == nullptr || generation != generation_) {
    std::sort(sorted.begin(), sorted.end());  // fts5vocab's order is the index's, not bytes'
    words_ = std::make_shared<const Words>(std::move(sorted));
    generation_ = generation;
    load_cost_ = clock_->Now() - now;
  }
  loaded_at_ = now;
  return words_;
}

}  // namespace cadastre::search
