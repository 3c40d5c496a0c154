// The walks over the lineage graph. What they promise beyond graph.h:
//
// Order. A node's edges are looked at in ascending edge id, downstream
// (out) edges before upstream (in) ones when a walk goes both ways. So every
// answer depends only on the edges in the graph, not on the order in which
// they were written.
//
// Traverse.
// - Starts are deduplicated and kept in the given order; a start that has
//   no edge (or is unknown) is still returned, at depth 0. max_depth < 0
//   counts as 0, max_nodes < 0 as 0.
// - kBoth follows in- and out-edges from every node, so a node reached
//   upstream is walked downstream too (depth counts hops either way).
// - The walk expands nodes in breadth-first order. It stops the first time
//   it finds a node it cannot add because the result holds max_nodes nodes:
//   `truncated` is then true, and only then.
// - `depth_limited` is true iff some returned node at depth max_depth has an
//   edge the filter lets the walk follow to a node that is not returned.
// - `edges` are the edges followed from expanded nodes (those below
//   max_depth) to returned nodes, each once, in the order the walk followed
//   them. Edges that leave a node at max_depth are not followed, and after a
//   truncation the nodes not yet expanded contribute none.
//
// ShortestPaths: `from == to` answers one empty path. Paths come in
// lexicographic order of their edge ids; parallel edges make distinct paths.
//
// InheritedFrom / ReachableDirect: a blocking node is a wall: the walk
// neither passes through it nor takes it as an origin (InheritedFrom) or
// answers it (ReachableDirect); a blocking start passes nothing on. Origins
// and reached nodes come in breadth-first order; the paths of InheritedFrom
// are those of the breadth-first tree, so shortest, and the first in edge
// id order. max_nodes counts the node asked about (InheritedFrom) and the
// answered nodes (ReachableDirect); when it is reached the walk stops.
// Each predicate is called at most once per node and query, under the
// graph's read lock: it must not call back into the Graph.
#include <algorithm>
#include <memory>
#include <mutex>
#include <utility>

#include "server/lineage/graph.h"

namespace cadastre::lineage {
namespace {

constexpr size_t kPrefetchAhead = 8;

}  // namespace

// A pooled Scratch for the life of one query.
class Graph::ScratchLease {
 public:
  explicit ScratchLease(const Graph& graph) : graph_(graph), scratch_(graph.AcquireScratch()) {
    scratch_->Begin(graph.node_ids_.size());
  }
  ~ScratchLease() { graph_.ReleaseScratch(std::move(scratch_)); }
  ScratchLease(const ScratchLease&) = delete;
  ScratchLease& operator=(const ScratchLease&) = delete;

  Scratch* operator->() const { return scratch_.get(); }

 private:
  const Graph& graph_;
  std::unique_ptr<Scratch> scratch_;
};

bool Graph::Follows(uint32_t slot, uint32_t attr, const EdgeFilter& filter) const {
  if (filter.type.has_value() &&
      ((attr & kIndirectBit) != 0) != (*filter.type == EdgeType::kIndirect)) {
    return false;
  }
  if (filter.stop_at_masking && (attr & kMaskingBit) != 0) return false;
  if (!filter.as_of.has_value()) return (attr & kOpenBit) != 0;
  int64_t from, to;
  GetValidity(slot, &from, &to);
  return from <= *filter.as_of && *filter.as_of < to;
}

// Calls fn(slot, rec) for each live edge of `node` in direction `dir`
// (0: out, 1: in) in ascending id: the base list merged with the delta list.
// Stops and answers false as soon as fn answers false.
template <typename Fn>
bool Graph::ForEachEdge(uint32_t node, int dir, const Fn& fn) const {
  // Base slots: a range of recs_ (out), or of in_edges_ (in).
  const NodeAdj& adj = adj_[node];
  uint32_t base = adj.begin[dir];
  const uint32_t base_end = adj_[node + 1].begin[dir];
  const auto slot_at = [&](uint32_t i) { return dir == 0 ? i : in_edges_[i]; };
  const uint32_t tail = adj.tail[dir];
  if (tail == kNil) {
    for (; base != base_end; ++base) {
      const uint32_t slot = slot_at(base);
      const EdgeRec& rec = recs_[slot];
      if (rec.src != kNil && !fn(slot, rec)) return false;
    }
    return true;
  }
  uint32_t delta = DeltaNext(tail, dir);  // the head
  const auto emit_delta = [&] {
    const uint32_t slot = delta;
    delta = slot == tail ? kNil : DeltaNext(slot, dir);
    return fn(slot, recs_[slot]);
  };
  while (base != base_end) {
    const uint32_t slot = slot_at(base);
    if (delta != kNil && IdAt(delta) < IdAt(slot)) {
      if (!emit_delta()) return false;
      continue;
    }
    ++base;
    const EdgeRec& rec = recs_[slot];
    if (rec.src != kNil && !fn(slot, rec)) return false;
  }
  while (delta != kNil) {
    if (!emit_delta()) return false;
  }
  return true;
}

// Asks the cache for what expanding `node` will read: its adjacency and the
// first edges' far ends (the marks). Walks call it some nodes ahead.
void Graph::Prefetch(uint32_t node, int first_dir, int last_dir) const {
  if (node == kNil) return;
  for (int dir = first_dir; dir <= last_dir; ++dir) {
    const uint32_t from = adj_[node].begin[dir];
    const uint32_t to = std::min(adj_[node + 1].begin[dir], from + 8);
    for (uint32_t i = from; i < to; ++i) {
      const uint32_t slot = dir == 0 ? i : in_edges_[i];
      __builtin_prefetch(&recs_[slot]);
    }
  }
}

TraversalResult Graph::Traverse(const TraversalQuery& query) const {
  TraversalResult result;
  const int max_depth = std::max(0, query.max_depth);
  const auto max_nodes = static_cast<size_t>(std::max(0, query.max_nodes));
  const bool both = query.direction == Direction::kBoth;
  const int first_dir = query.direction == Direction::kUpstream ? 1 : 0;
  const int last_dir = query.direction == Direction::kDownstream ? 0 : 1;

  CompactForReads();
  std::shared_lock lock(mu_);
  ScratchLease scratch(*this);  // value: the node's position in result.nodes
  std::vector<uint32_t> index;  // parallel to result.nodes; kNil: no edges
  std::vector<NodeId> edgeless_starts;
  const auto add = [&](NodeId id, uint32_t n, int depth) {
    if (n != kNil) scratch->Mark(n, static_cast<uint32_t>(result.nodes.size()));
    result.nodes.push_back({id, depth});
    index.push_back(n);
  };
  for (NodeId start : query.start) {
    const uint32_t n = NodeIndex(start);
    if (n == kNil ? std::find(edgeless_starts.begin(), edgeless_starts.end(), start) !=
                        edgeless_starts.end()
                  : scratch->Marked(n)) {
      continue;
    }
    if (result.nodes.size() >= max_nodes) {
      result.truncated = true;
      break;
    }
    if (n == kNil) edgeless_starts.push_back(start);
    add(start, n, 0);
  }

  struct Followed {
    uint32_t slot;
    uint32_t source;  // positions in result.nodes
    uint32_t target;
  };
  std::vector<Followed> followed;
  size_t head = 0;
  for (; head < result.nodes.size() && !result.truncated; ++head) {
    const int depth = result.nodes[head].depth;
    if (depth >= max_depth) break;
    const uint32_t u = index[head];
    if (u == kNil) continue;
    const auto here = static_cast<uint32_t>(head);
    if (head + kPrefetchAhead < index.size()) {
      Prefetch(index[head + kPrefetchAhead], first_dir, last_dir);
    }
    for (int dir = first_dir; dir <= last_dir; ++dir) {
      const bool go_on = ForEachEdge(
          u, dir, [&](uint32_t slot, const EdgeRec& rec) __attribute__((always_inline)) {
            if (!Follows(slot, rec.attr, query.filter)) return true;
            const uint32_t v = dir == 0 ? rec.dst : rec.src;
            uint32_t there;
            if (scratch->Marked(v)) {
              there = scratch->Value(v);
              // kBoth sees an edge from both ends: keep it at the end expanded
              // first (a self-loop: on its out side).
              if (both && (there < here || (there == here && dir == 1))) return true;
            } else {
              if (result.nodes.size() >= max_nodes) {
                result.truncated = true;
                return false;
              }
              there = static_cast<uint32_t>(result.nodes.size());
              add(node_ids_[v], v, depth + 1);
            }
            followed.push_back(dir == 0 ? Followed{slot, here, there}
                                        : Followed{slot, there, here});
            return true;
          });
      if (!go_on) break;
    }
  }

  // Nodes at max_depth come last; does any have somewhere further to go?
  for (size_t i = head; i < result.nodes.size() && !result.depth_limited; ++i) {
    if (result.nodes[i].depth < max_depth || index[i] == kNil) continue;
    for (int dir = first_dir; dir <= last_dir && !result.depth_limited; ++dir) {
      ForEachEdge(index[i], dir, [&](uint32_t slot, const EdgeRec& rec) {
        if (!Follows(slot, rec.attr, query.filter)) return true;
        if (scratch->Marked(dir == 0 ? rec.dst : rec.src)) return true;
        result.depth_limited = true;
        return false;
      });
    }
  }

  result.edges.reserve(followed.size());
  for (size_t i = 0; i < followed.size(); ++i) {
    if (i + 2 * kPrefetchAhead < followed.size()) {
      const uint32_t later = followed[i + 2 * kPrefetchAhead].slot;
      __builtin_prefetch(&recs_[later]);
      __builtin_prefetch(&id_lo_[later]);
    }
    if (i + kPrefetchAhead < followed.size() && !raw_attrs_) {
      __builtin_prefetch(&profiles_[recs_[followed[i + kPrefetchAhead].slot].attr & kCodeMask]);
    }
    const Followed& f = followed[i];
    result.edges.push_back(
        MakeEdge(f.slot, result.nodes[f.source].node, result.nodes[f.target].node));
  }
  return result;
}

std::vector<Path> Graph::ShortestPaths(NodeId from, NodeId to, int max_depth, int max_paths,
                                       const EdgeFilter& filter) const {
  std::vector<Path> paths;
  if (max_paths <= 0) return paths;
  if (from == to) {
    paths.emplace_back();
    return paths;
  }
  if (max_depth <= 0) return paths;

  CompactForReads();
  std::shared_lock lock(mu_);
  const uint32_t source = NodeIndex(from);
  const uint32_t target = NodeIndex(to);
  if (source == kNil || target == kNil) return paths;
  ScratchLease scratch(*this);
  // The distance from `source` of each marked node, | kOnPath for the nodes
  // on a shortest path.
  constexpr uint32_t kOnPath = 1u << 31;
  const auto dist = [&](uint32_t n) -> uint32_t& { return scratch->Value(n); };

  // 1. Breadth-first layers from `source`, until `target` shows up. The
  //    layers before its own are then complete.
  std::vector<uint32_t> queue{source};
  scratch->Mark(source, 0);
  bool found = false;
  for (size_t head = 0; head < queue.size() && !found; ++head) {
    const uint32_t u = queue[head];
    if (dist(u) >= static_cast<uint32_t>(max_depth)) break;
    ForEachEdge(u, 0, [&](uint32_t slot, const EdgeRec& rec) {
      if (!Follows(slot, rec.attr, filter) || scratch->Marked(rec.dst)) return true;
      scratch->Mark(rec.dst, dist(u) + 1);
      queue.push_back(rec.dst);
      found = rec.dst == target;
      return !found;
    });
  }
  if (!found) return paths;

  // 2. Mark the nodes on a shortest path: back from `target` through
  //    predecessors one layer closer to `source`.
  std::vector<uint32_t> back{target};
  dist(target) |= kOnPath;
  for (size_t i = 0; i < back.size(); ++i) {
    const uint32_t v = back[i];
    const uint32_t dv = dist(v) & ~kOnPath;
    if (dv == 0) continue;
    ForEachEdge(v, 1, [&](uint32_t slot, const EdgeRec& rec) {
      const uint32_t u = rec.src;
      if (!Follows(slot, rec.attr, filter) || !scratch->Marked(u) || dist(u) != dv - 1) {
        return true;  // dist(u) != dv - 1 also skips nodes marked already
      }
      dist(u) |= kOnPath;
      back.push_back(u);
      return true;
    });
  }

  // 3. Depth-first from `source` over the marked nodes, edges in id order:
  //    every branch reaches `target`, in lexicographic order of edge ids.
  const auto steps = [&](uint32_t u) {
    std::vector<uint32_t> out;
    const uint32_t next = (dist(u) & ~kOnPath) + 1;
    ForEachEdge(u, 0, [&](uint32_t slot, const EdgeRec& rec) {
      if (Follows(slot, rec.attr, filter) && scratch->Marked(rec.dst) &&
          dist(rec.dst) == (next | kOnPath)) {
        out.push_back(slot);
      }
      return true;
    });
    return out;
  };
  struct Frame {
    std::vector<uint32_t> steps;
    size_t next = 0;
  };
  std::vector<Frame> stack;
  std::vector<uint32_t> path;  // slots; path.size() == stack.size() - 1
  stack.push_back({steps(source)});
  while (!stack.empty() && paths.size() < static_cast<size_t>(max_paths)) {
    Frame& frame = stack.back();
    if (frame.next == frame.steps.size()) {
      stack.pop_back();
      if (!path.empty()) path.pop_back();
      continue;
    }
    const uint32_t slot = frame.steps[frame.next++];
    path.push_back(slot);
    if (recs_[slot].dst == target) {
      Path& out = paths.emplace_back();
      out.reserve(path.size());
      for (uint32_t s : path) out.push_back(MakeEdge(s));
      path.pop_back();
      continue;
    }
    stack.push_back({steps(recs_[slot].dst)});  // invalidates `frame`
  }
  return paths;
}

std::vector<Inheritance> Graph::InheritedFrom(NodeId node, const NodePredicate& carries,
                                              const NodePredicate& blocks,
                                              std::optional<int64_t> as_of, int max_depth,
                                              int max_nodes) const {
  std::vector<Inheritance> inherited;
  if (max_nodes <= 0 || blocks(node)) return inherited;
  const EdgeFilter filter{as_of, EdgeType::kDirect, /*stop_at_masking=*/true};

  CompactForReads();
  std::shared_lock lock(mu_);
  const uint32_t start = NodeIndex(node);
  if (start == kNil) return inherited;
  ScratchLease scratch(*this);  // value: the edge a node was reached by
  std::vector<std::pair<uint32_t, int>> queue{{start, 0}};
  std::vector<uint32_t> origins;
  scratch->Mark(start, kNil);
  bool full = false;
  for (size_t head = 0; head < queue.size() && !full; ++head) {
    const uint32_t u = queue[head].first;
    const int depth = queue[head].second;
    if (depth >= max_depth) break;
    ForEachEdge(u, 1, [&](uint32_t slot, const EdgeRec& rec) {
      const uint32_t v = rec.src;
      if (!Follows(slot, rec.attr, filter) || scratch->Marked(v)) return true;
      if (queue.size() >= static_cast<size_t>(max_nodes)) {
        full = true;
        return false;
      }
      scratch->Mark(v, slot);  // seen: a blocking node is not asked twice
      if (blocks(node_ids_[v])) return true;
      queue.push_back({v, depth + 1});
      if (carries(node_ids_[v])) origins.push_back(v);
      return true;
    });
  }

  inherited.reserve(origins.size());
  for (uint32_t origin : origins) {
    Inheritance& inheritance = inherited.emplace_back();
    inheritance.origin = node_ids_[origin];
    for (uint32_t n = origin; n != start; n = recs_[scratch->Value(n)].dst) {
      inheritance.path.push_back(MakeEdge(scratch->Value(n)));
    }
  }
  return inherited;
}

std::vector<NodeId> Graph::ReachableDirect(const std::vector<NodeId>& starts,
                                           const NodePredicate& blocks, int max_nodes) const {
  std::vector<NodeId> reached;
  if (max_nodes <= 0) return reached;
  const EdgeFilter filter{std::nullopt, EdgeType::kDirect, /*stop_at_masking=*/true};

  CompactForReads();
  std::shared_lock lock(mu_);
  ScratchLease scratch(*this);
  std::vector<uint32_t> queue;
  for (NodeId start : starts) {  // all marked first: starts are never answered
    const uint32_t n = NodeIndex(start);
    if (n == kNil || scratch->Marked(n)) continue;
    scratch->Mark(n, 0);
    queue.push_back(n);
  }
  std::erase_if(queue, [&](uint32_t n) { return blocks(node_ids_[n]); });
  bool full = false;
  for (size_t head = 0; head < queue.size() && !full; ++head) {
    ForEachEdge(queue[head], 0, [&](uint32_t slot, const EdgeRec& rec) {
      const uint32_t v = rec.dst;
      if (!Follows(slot, rec.attr, filter) || scratch->Marked(v)) return true;
      if (reached.size() >= static_cast<size_t>(max_nodes)) {
        full = true;
        return false;
      }
      scratch->Mark(v, 0);
      if (blocks(node_ids_[v])) return true;
      reached.push_back(node_ids_[v]);
      queue.push_back(v);
      return true;
    });
  }
  return reached;
}

}  // namespace cadastre::lineage
