#include "csr.h"

namespace cadastre::bench {

Csr::Csr(size_t nodes, const std::vector<ColumnEdge>& edges) : seen_(nodes, 0) {
  for (int dir = 0; dir < 2; ++dir) {
    std::vector<int64_t>& begin = begin_[dir];
    begin.assign(nodes + 1, 0);
    for (const ColumnEdge& e : edges) begin[(dir == 0 ? e.source : e.target) + 1]++;
    for (size_t n = 0; n < nodes; ++n) begin[n + 1] += begin[n];
    targets_[dir].resize(edges.size());
    std::vector<int64_t> fill(begin.begin(), begin.end() - 1);
    for (const ColumnEdge& e : edges) {
      const int32_t from = dir == 0 ? e.source : e.target;
      targets_[dir][fill[from]++] = dir == 0 ? e.target : e.source;
    }
  }
  queue_.reserve(nodes);
}

int Csr::Degree(int32_t node, bool downstream) const {
  const auto& begin = begin_[downstream ? 0 : 1];
  return static_cast<int>(begin[node + 1] - begin[node]);
}

int Csr::Walk(int32_t start, bool downstream, int max_depth, int max_nodes) {
  const int dir = downstream ? 0 : 1;
  const auto& begin = begin_[dir];
  const auto& targets = targets_[dir];
  ++epoch_;
  queue_.clear();
  queue_.push_back(start);
  seen_[start] = epoch_;
  size_t level_end = 1;
  int depth = 0;
  for (size_t head = 0; head < queue_.size(); ++head) {
    if (head == level_end) {
      ++depth;
      level_end = queue_.size();
    }
    if (depth >= max_depth) break;
    const int32_t node = queue_[head];
    for (int64_t i = begin[node]; i < begin[node + 1]; ++i) {
      const int32_t next = targets[i];
      if (seen_[next] == epoch_) continue;
      if (static_cast<int>(queue_.size()) >= max_nodes) return max_nodes;
      seen_[next] = epoch_;
      queue_.push_back(next);
    }
  }
  return static_cast<int>(queue_.size());
}

}  // namespace cadastre::bench
