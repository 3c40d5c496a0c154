// Helpers shared by the lineage graph tests.
#pragma once

#include <ostream>
#include <tuple>
#include <vector>

#include "server/lineage/graph.h"

namespace cadastre::lineage {

inline auto Fields(const Edge& e) {
  return std::tie(e.id, e.source, e.target, e.job, e.type, e.subtype, e.masking, e.valid_from,
                  e.valid_to);
}
inline bool operator==(const Edge& a, const Edge& b) { return Fields(a) == Fields(b); }
inline bool operator==(const ReachedNode& a, const ReachedNode& b) {
  return a.node == b.node && a.depth == b.depth;
}
inline bool operator==(const Inheritance& a, const Inheritance& b) {
  return a.origin == b.origin && a.path == b.path;
}

inline std::ostream& operator<<(std::ostream& os, const Edge& e) {
  return os << "{id " << e.id << ": " << e.source << "->" << e.target << " job " << e.job
            << (e.type == EdgeType::kIndirect ? " INDIRECT" : " DIRECT") << " sub " << e.subtype
            << (e.masking ? " masking" : "") << " [" << e.valid_from << ", " << e.valid_to << ")}";
}
inline std::ostream& operator<<(std::ostream& os, const ReachedNode& n) {
  return os << n.node << "@" << n.depth;
}
inline std::ostream& operator<<(std::ostream& os, const Inheritance& i) {
  os << "from " << i.origin << " via";
  for (const Edge& e : i.path) os << " " << e.id;
  return os;
}

}  // namespace cadastre::lineage
