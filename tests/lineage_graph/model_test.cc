// Randomized test in the spirit of LevelDB's ModelDB: a trivially correct
// model (an edge list and naive walks that follow graph_walk.cc's stated
// rules literally) answers the same queries as Graph after random sequences
// of writes, over graphs small enough to check exhaustively and large
// enough to make Graph compact and change its attribute encoding.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <sstream>
#include <vector>

#include "server/lineage/graph.h"
#include "tests/lineage_graph/graph_test_util.h"

namespace cadastre::lineage {
namespace {

class Model {
 public:
  void Upsert(const Edge& e) { edges_[e.id] = e; }
  void Remove(EdgeId id) { edges_.erase(id); }
  size_t edge_count() const { return edges_.size(); }
  size_t node_count() const {
    std::set<NodeId> nodes;
    for (const auto& [id, e] : edges_) nodes.insert({e.source, e.target});
    return nodes.size();
  }
  const std::map<EdgeId, Edge>& edges() const { return edges_; }

  static bool Follows(const Edge& e, const EdgeFilter& f) {
    if (f.type && e.type != *f.type) return false;
    if (f.stop_at_masking && e.masking) return false;
    if (!f.as_of) return e.valid_to == kOpenEnd;
    return e.valid_from <= *f.as_of && *f.as_of < e.valid_to;
  }

  // The edges at `n` in direction dir (0: out, 1: in), by id.
  std::vector<Edge> At(NodeId n, int dir) const {
    std::vector<Edge> out;
    for (const auto& [id, e] : edges_) {
      if ((dir == 0 ? e.source : e.target) == n) out.push_back(e);
    }
    return out;
  }

  TraversalResult Traverse(const TraversalQuery& q) const {
    TraversalResult r;
    const int max_depth = std::max(0, q.max_depth);
    const size_t max_nodes = std::max(0, q.max_nodes);
    const bool both = q.direction == Direction::kBoth;
    std::vector<int> dirs;
    if (q.direction != Direction::kUpstream) dirs.push_back(0);
    if (q.direction != Direction::kDownstream) dirs.push_back(1);
    std::map<NodeId, size_t> pos;
    for (NodeId s : q.start) {
      if (pos.contains(s)) continue;
      if (r.nodes.size() >= max_nodes) {
        r.truncated = true;
        break;
      }
      pos[s] = r.nodes.size();
      r.nodes.push_back({s, 0});
    }
    std::vector<Edge> followed;
    for (size_t head = 0; head < r.nodes.size() && !r.truncated; ++head) {
      const auto [u, depth] = r.nodes[head];
      if (depth >= max_depth) break;
      for (int dir : dirs) {
        for (const Edge& e : At(u, dir)) {
          if (!Follows(e, q.filter)) continue;
          const NodeId v = dir == 0 ? e.target : e.source;
          if (pos.contains(v)) {
            if (!both || pos[v] > head || (pos[v] == head && dir == 0)) followed.push_back(e);
            continue;
          }
          if (r.nodes.size() >= max_nodes) {
            r.truncated = true;
            break;
          }
          pos[v] = r.nodes.size();
          r.nodes.push_back({v, depth + 1});
          followed.push_back(e);
        }
        if (r.truncated) break;
      }
    }
    for (const ReachedNode& n : r.nodes) {
      if (n.depth != max_depth) continue;
      for (int dir : dirs) {
        for (const Edge& e : At(n.node, dir)) {
          if (Follows(e, q.filter) && !pos.contains(dir == 0 ? e.target : e.source)) {
            r.depth_limited = true;
          }
        }
      }
    }
    r.edges = followed;
    return r;
  }

  std::vector<Path> ShortestPaths(NodeId from, NodeId to, int max_depth, int max_paths,
                                  const EdgeFilter& f) const {
    std::vector<Path> paths;
    if (max_paths <= 0) return paths;
    if (from == to) return {Path{}};
    std::map<NodeId, int> dist{{from, 0}};
    std::vector<NodeId> queue{from};
    for (size_t i = 0; i < queue.size(); ++i) {
      for (const Edge& e : At(queue[i], 0)) {
        if (Follows(e, f) && !dist.contains(e.target)) {
          dist[e.target] = dist[queue[i]] + 1;
          queue.push_back(e.target);
        }
      }
    }
    if (!dist.contains(to) || dist[to] > max_depth) return paths;
    // Every walk of dist[to] edges along increasing distance, in id order.
    Path path;
    const auto dfs = [&](auto& self, NodeId u) -> void {
      if (paths.size() == static_cast<size_t>(max_paths)) return;
      if (static_cast<int>(path.size()) == dist[to]) {
        if (u == to) paths.push_back(path);
        return;
      }
      for (const Edge& e : At(u, 0)) {
        if (!Follows(e, f) || !dist.contains(e.target) || dist[e.target] != dist[u] + 1) continue;
        path.push_back(e);
        self(self, e.target);
        path.pop_back();
      }
    };
    dfs(dfs, from);
    return paths;
  }

  std::vector<Inheritance> InheritedFrom(NodeId node, const NodePredicate& carries,
                                         const NodePredicate& blocks, std::optional<int64_t> as_of,
                                         int max_depth, int max_nodes) const {
    std::vector<Inheritance> out;
    if (max_nodes <= 0 || blocks(node) || node_count_of(node) == 0) return out;
    const EdgeFilter f{as_of, EdgeType::kDirect, true};
    std::set<NodeId> seen{node};
    std::map<NodeId, Edge> parent;
    std::vector<std::pair<NodeId, int>> queue{{node, 0}};
    bool full = false;
    for (size_t i = 0; i < queue.size() && !full && queue[i].second < max_depth; ++i) {
      for (const Edge& e : At(queue[i].first, 1)) {
        if (!Follows(e, f) || seen.contains(e.source)) continue;
        if (queue.size() >= static_cast<size_t>(max_nodes)) {
          full = true;
          break;
        }
        seen.insert(e.source);
        if (blocks(e.source)) continue;
        parent[e.source] = e;
        queue.push_back({e.source, queue[i].second + 1});
        if (carries(e.source)) {
          Inheritance inh{e.source, {}};
          for (NodeId n = e.source; n != node; n = parent[n].target) inh.path.push_back(parent[n]);
          out.push_back(inh);
        }
      }
    }
    return out;
  }

  std::vector<NodeId> ReachableDirect(const std::vector<NodeId>& starts,
                                      const NodePredicate& blocks, int max_nodes) const {
    std::vector<NodeId> out;
    if (max_nodes <= 0) return out;
    const EdgeFilter f{std::nullopt, EdgeType::kDirect, true};
    std::set<NodeId> seen;
    std::vector<NodeId> queue;
    for (NodeId s : starts) {
      if (node_count_of(s) == 0 || seen.contains(s)) continue;
      seen.insert(s);
      queue.push_back(s);
    }
    std::erase_if(queue, [&](NodeId s) { return blocks(s); });
    bool full = false;
    for (size_t i = 0; i < queue.size() && !full; ++i) {
      for (const Edge& e : At(queue[i], 0)) {
        if (!Follows(e, f) || seen.contains(e.target)) continue;
        if (out.size() >= static_cast<size_t>(max_nodes)) {
          full = true;
          break;
        }
        seen.insert(e.target);
        if (blocks(e.target)) continue;
        out.push_back(e.target);
        queue.push_back(e.target);
      }
    }
    return out;
  }

 private:
  size_t node_count_of(NodeId n) const {
    size_t count = 0;
    for (const auto& [id, e] : edges_) count += (e.source == n) + (e.target == n);
    return count;
  }

  std::map<EdgeId, Edge> edges_;
};

// How a random run is shaped.
struct Shape {
  int nodes;          // node ids drawn from [0, nodes) (times a spread)
  int ops;            // writes
  int check_every;    // writes between comparisons
  bool wide_ids;      // edge and node ids beyond 32 bits, negative too
  bool varied;        // attributes nearly all distinct (raw encoding)
  int removals = 18;  // percent of writes that remove
  bool load = false;  // the first half of the writes between BeginLoad and EndLoad
};

class Runner {
 public:
  Runner(uint32_t seed, Shape shape) : rng_(seed), shape_(shape) {}

  void Run() {
    if (shape_.load) graph_.BeginLoad();
    for (int op = 0; op < shape_.ops; ++op) {
      if (shape_.load && op == shape_.ops / 2) graph_.EndLoad();
      Write();
      if ((op + 1) % shape_.check_every == 0) Check();
      if (::testing::Test::HasFailure()) return;
    }
    Check();
  }

 private:
  int Uniform(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }
  bool Chance(int percent) { return Uniform(0, 99) < percent; }

  NodeId RandomNode() {
    const NodeId n = Uniform(0, shape_.nodes - 1);
    return shape_.wide_ids ? (n - shape_.nodes / 2) * (int64_t{1} << 33) + 1 : n;
  }
  EdgeId NewId() {
    // Mostly increasing, sometimes behind, as a store's ids would come.
    next_id_ += Uniform(1, 3);
    EdgeId id = Chance(10) ? Uniform(0, static_cast<int>(next_id_)) : next_id_;
    if (shape_.wide_ids) id = (id - 500) * ((int64_t{1} << 31) + 7);
    return id;
  }
  EdgeId ExistingId() {
    auto it = model_.edges().begin();
    std::advance(it, Uniform(0, static_cast<int>(model_.edges().size()) - 1));
    return it->first;
  }
  int64_t RandomTime() { return shape_.varied ? Uniform(0, 1000000) : Uniform(0, 5) * 10; }

  void RandomAttributes(Edge& e) {
    e.job = shape_.varied ? Uniform(0, 1 << 30) : Uniform(1, 3);
    e.type = Chance(20) ? EdgeType::kIndirect : EdgeType::kDirect;
    e.subtype = static_cast<uint16_t>(Uniform(0, 3));
    e.masking = Chance(15);
    e.valid_from = RandomTime();
    e.valid_to = Chance(70) ? kOpenEnd : e.valid_from + (shape_.varied ? Uniform(1, 1000) : 20);
  }

  void Write() {
    // kind: [0, 55) a new edge, [55, 75) new attributes, [75, 82) new
    // endpoints, 100 a removal.
    const int kind = Chance(shape_.removals) ? 100 : Uniform(0, 81);
    Edge e;
    if (model_.edge_count() == 0 || kind < 55) {  // a new edge
      e.id = NewId();
      e.source = RandomNode();
      e.target = Chance(3) ? e.source : RandomNode();
      RandomAttributes(e);
    } else if (kind < 75) {  // new attributes
      e = model_.edges().at(ExistingId());
      RandomAttributes(e);
    } else if (kind < 82) {  // new endpoints
      e = model_.edges().at(ExistingId());
      (Chance(50) ? e.source : e.target) = RandomNode();
    } else {
      const EdgeId id = Chance(85) ? ExistingId() : NewId();
      log_ << "remove " << id << "\n";
      graph_.Remove(id);
      model_.Remove(id);
      return;
    }
    log_ << "upsert " << e << "\n";
    graph_.Upsert(e);
    model_.Upsert(e);
  }

  EdgeFilter RandomFilter() {
    EdgeFilter f;
    if (Chance(40)) f.as_of = RandomTime() + Uniform(0, 9);
    if (Chance(25)) f.type = Chance(50) ? EdgeType::kDirect : EdgeType::kIndirect;
    f.stop_at_masking = Chance(30);
    return f;
  }
  NodePredicate RandomSet(int percent) {
    std::set<NodeId> set;
    for (int i = 0; i < shape_.nodes * percent / 100 + 1; ++i) set.insert(RandomNode());
    return [set](NodeId n) { return set.contains(n); };
  }

  void Check() {
    SCOPED_TRACE(log_.str().substr(log_.str().size() > 4000 ? log_.str().size() - 4000 : 0));
    ASSERT_EQ(graph_.edge_count(), model_.edge_count());
    ASSERT_EQ(graph_.node_count(), model_.node_count());
    for (int i = 0; i < 12; ++i) {
      TraversalQuery q;
      for (int s = Uniform(1, 3); s > 0; --s) q.start.push_back(RandomNode());
      q.direction = static_cast<Direction>(Uniform(0, 2));
      q.max_depth = Chance(10) ? Uniform(-1, 0) : Uniform(1, 6);
      q.max_nodes = Chance(50) ? Uniform(0, 12) : 10000;
      q.filter = RandomFilter();
      const TraversalResult got = graph_.Traverse(q);
      const TraversalResult want = model_.Traverse(q);
      ASSERT_EQ(got.nodes, want.nodes);
      ASSERT_EQ(got.edges, want.edges);
      ASSERT_EQ(got.truncated, want.truncated);
      ASSERT_EQ(got.depth_limited, want.depth_limited);
    }
    for (int i = 0; i < 6; ++i) {
      const NodeId from = RandomNode(), to = Chance(5) ? from : RandomNode();
      const int depth = Uniform(0, 8), count = Uniform(0, 5);
      const EdgeFilter f = RandomFilter();
      ASSERT_EQ(graph_.ShortestPaths(from, to, depth, count, f),
                model_.ShortestPaths(from, to, depth, count, f));
    }
    for (int i = 0; i < 6; ++i) {
      const NodeId node = RandomNode();
      const NodePredicate carries = RandomSet(30), blocks = RandomSet(Chance(50) ? 0 : 15);
      const std::optional<int64_t> as_of =
          Chance(50) ? std::nullopt : std::optional<int64_t>(RandomTime());
      const int depth = Uniform(0, 6), max_nodes = Chance(50) ? Uniform(0, 8) : 1000;
      ASSERT_EQ(graph_.InheritedFrom(node, carries, blocks, as_of, depth, max_nodes),
                model_.InheritedFrom(node, carries, blocks, as_of, depth, max_nodes));
    }
    for (int i = 0; i < 4; ++i) {
      std::vector<NodeId> starts;
      for (int s = Uniform(0, 3); s > 0; --s) starts.push_back(RandomNode());
      const NodePredicate blocks = RandomSet(Chance(50) ? 0 : 15);
      const int max_nodes = Chance(50) ? Uniform(0, 8) : 1000;
      ASSERT_EQ(graph_.ReachableDirect(starts, blocks, max_nodes),
                model_.ReachableDirect(starts, blocks, max_nodes));
    }
  }

  std::mt19937 rng_;
  Shape shape_;
  Graph graph_;
  Model model_;
  EdgeId next_id_ = 0;
  std::ostringstream log_;
};

TEST(LineageGraphModel, SmallDenseGraphs) {
  for (uint32_t seed = 1; seed <= 30; ++seed) {
    SCOPED_TRACE(seed);
    Runner(seed, {.nodes = 6, .ops = 150, .check_every = 5, .wide_ids = false, .varied = false})
        .Run();
  }
}

TEST(LineageGraphModel, SparseGraphsWithCompactions) {
  for (uint32_t seed = 100; seed < 108; ++seed) {
    SCOPED_TRACE(seed);
    Runner(seed, {.nodes = 60, .ops = 1200, .check_every = 40, .wide_ids = false, .varied = false})
        .Run();
  }
}

TEST(LineageGraphModel, HeavyRemovalsDropNodes) {
  for (uint32_t seed = 400; seed < 406; ++seed) {
    SCOPED_TRACE(seed);
    Runner(seed, {.nodes = 400,
                  .ops = 1500,
                  .check_every = 60,
                  .wide_ids = false,
                  .varied = false,
                  .removals = 45})
        .Run();
  }
}

TEST(LineageGraphModel, WideIds) {
  for (uint32_t seed = 200; seed < 205; ++seed) {
    SCOPED_TRACE(seed);
    Runner(seed, {.nodes = 25, .ops = 600, .check_every = 30, .wide_ids = true, .varied = false})
        .Run();
  }
}

// A load defers compaction to its end; answers in the middle of it (a walk
// compacts for itself) and after it must not change.
TEST(LineageGraphModel, AnswersDoNotChangeAcrossALoad) {
  for (uint32_t seed = 500; seed < 506; ++seed) {
    SCOPED_TRACE(seed);
    // Checks every 1,000 writes: the first comes after the load, so that
    // EndLoad, not a walk, compacts a load's 800 writes.
    Runner(seed, {.nodes = 80,
                  .ops = 1600,
                  .check_every = 1000,
                  .wide_ids = seed % 2 == 1,
                  .varied = false,
                  .load = true})
        .Run();
  }
}

TEST(LineageGraphModel, DistinctAttributesSwitchEncoding) {
  // Past 1,024 distinct (job, validity, …) profiles the graph stores
  // attributes per edge; the answers must not change across the switch.
  for (uint32_t seed = 300; seed < 302; ++seed) {
    SCOPED_TRACE(seed);
    Runner(seed, {.nodes = 200, .ops = 3500, .check_every = 250, .wide_ids = false, .varied = true})
        .Run();
  }
}

}  // namespace
}  // namespace cadastre::lineage
