#include "server/report/paths.h"

#include <algorithm>
#include <map>
#include <set>

namespace cadastre::report {
namespace {

using lineage::Edge;
using lineage::EdgeId;
using lineage::NodeId;
using lineage::Path;

// A node's edges on one side, in edge id order.
using Adjacency = std::map<NodeId, std::vector<const Edge*>>;

Adjacency Index(const std::vector<Edge>& edges, bool by_target) {
  Adjacency adjacency;
  for (const Edge& edge : edges) adjacency[by_target ? edge.target : edge.source].push_back(&edge);
  for (auto& [node, list] : adjacency) {
    std::sort(list.begin(), list.end(), [](const Edge* a, const Edge* b) { return a->id < b->id; });
  }
  return adjacency;
}

// Depth-first from one node to every end on one side; the paths it finds
// are edge sequences leading away from the start (upstream: each edge's
// source is the next node).
class HalfPaths {
 public:
  HalfPaths(const Adjacency& adjacency, bool upstream, const PathLimits& limits)
      : adjacency_(adjacency), upstream_(upstream), limits_(limits) {}

  void From(NodeId start) {
    on_path_.insert(start);
    Walk(start);
  }

  std::vector<Path>& found() { return found_; }
  bool truncated() const { return truncated_; }

 private:
  NodeId Far(const Edge& edge) const { return upstream_ ? edge.source : edge.target; }

  void Emit() {
    if (found_.size() >= limits_.max_paths) {
      full_ = truncated_ = true;
      return;
    }
    found_.push_back(current_);
  }

  void Walk(NodeId node) {
    std::vector<const Edge*> next;
    if (auto it = adjacency_.find(node); it != adjacency_.end()) {
      for (const Edge* edge : it->second) {
        if (!on_path_.count(Far(*edge))) next.push_back(edge);
      }
    }
    if (next.empty()) return Emit();  // an end, or every way on closes a cycle
    if (static_cast<int>(current_.size()) >= limits_.max_hops) {
      truncated_ = true;
      return Emit();
    }
    for (const Edge* edge : next) {
      if (full_) return;
      current_.push_back(*edge);
      on_path_.insert(Far(*edge));
      Walk(Far(*edge));
      on_path_.erase(Far(*edge));
      current_.pop_back();
    }
  }

  const Adjacency& adjacency_;
  const bool upstream_;
  const PathLimits& limits_;
  std::vector<Path> found_;
  Path current_;
  std::set<NodeId> on_path_;
  bool full_ = false;       // max_paths found: stop
  bool truncated_ = false;  // full, or a path was cut at max_hops
};

// Whether up (reversed) followed by down visits a node twice.
bool Repeats(const Path& up, const Path& down) {
  std::set<NodeId> nodes;
  for (const Edge& edge : up) nodes.insert(edge.source);
  for (const Edge& edge : down) {
    if (nodes.count(edge.target)) return true;
  }
  return false;
}

}  // namespace

PathSet PathsThrough(const std::vector<NodeId>& through, const std::vector<Edge>& upstream,
                     const std::vector<Edge>& downstream, const PathLimits& limits) {
  const Adjacency into = Index(upstream, /*by_target=*/true);
  const Adjacency out_of = Index(downstream, /*by_target=*/false);
  PathSet result;
  std::set<std::vector<EdgeId>> seen;
  for (NodeId node : through) {
    HalfPaths ups(into, /*upstream=*/true, limits);
    ups.From(node);
    HalfPaths downs(out_of, /*upstream=*/false, limits);
    downs.From(node);
    result.truncated |= ups.truncated() || downs.truncated();
    for (Path& up : ups.found()) std::reverse(up.begin(), up.end());
    for (const Path& up : ups.found()) {
      for (const Path& down : downs.found()) {
        if ((up.empty() && down.empty()) || Repeats(up, down)) continue;
        Path path = up;
        path.insert(path.end(), down.begin(), down.end());
        std::vector<EdgeId> key;
        for (const Edge& edge : path) key.push_back(edge.id);
        if (!seen.insert(std::move(key)).second) continue;
        if (result.paths.size() >= limits.max_paths) {
          result.truncated = true;
          return result;
        }
        result.paths.push_back(std::move(path));
      }
    }
  }
  return result;
}

}  // namespace cadastre::report
