// The in-memory limit: breadth-first walks over a compressed adjacency
// array (CSR) of the same column edges, in this process.
#pragma once

#include <cstdint>
#include <vector>

#include "catalog.h"

namespace cadastre::bench {

class Csr {
 public:
  Csr(size_t nodes, const std::vector<ColumnEdge>& edges);

  // Nodes reached from `start` within `max_depth` hops (start included),
  // at most `max_nodes` of them. Not thread-safe (one scratch array).
  int Walk(int32_t start, bool downstream, int max_depth, int max_nodes);

  // Direct dependents (downstream) or sources (upstream) of `node`.
  int Degree(int32_t node, bool downstream) const;

 private:
  std::vector<int64_t> begin_[2];  // per node, into targets_; [0] down, [1] up
  std::vector<int32_t> targets_[2];
  std::vector<uint32_t> seen_;     // epoch marks
  uint32_t epoch_ = 0;
  std::vector<int32_t> queue_;
};

}  // namespace cadastre::bench
