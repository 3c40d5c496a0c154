// Every lineage path through given columns, from a source (a node nothing
// flows into) to a final consumer (a node nothing flows out of), over the
// region of the column graph that walks from those columns reached.
#pragma once

#include <cstddef>
#include <vector>

#include "server/lineage/graph.h"

namespace cadastre::report {

struct PathLimits {
  size_t max_paths = 1000;  // in the answer
  int max_hops = 100;       // on each side of the column a path goes through
};

struct PathSet {
  std::vector<lineage::Path> paths;
  bool truncated = false;  // a limit left paths out, or cut one short
};

// The paths through each node of `through`: every way up from it to a
// source along `upstream`, joined with every way down from it to a final
// consumer along `downstream`. `upstream` must hold every edge into each
// node it reaches (an upstream walk's edges), `downstream` every edge out
// of each node it reaches.
//
// A path never visits a node twice: it ends where going on would close a
// cycle. A node with no edge at all makes no path. Paths are distinct as
// edge sequences and come in the order of `through`, then of edge ids
// (upstream side first). A path that went through several nodes of
// `through` is given once, where it was first found.
PathSet PathsThrough(const std::vector<lineage::NodeId>& through,
                     const std::vector<lineage::Edge>& upstream,
                     const std::vector<lineage::Edge>& downstream, const PathLimits& limits);

}  // namespace cadastre::report
