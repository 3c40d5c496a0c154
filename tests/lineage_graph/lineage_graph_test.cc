// The lineage graph on small hand-made graphs, one behaviour per test.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>
#include <vector>

#include "server/lineage/graph.h"
#include "tests/lineage_graph/graph_test_util.h"

namespace cadastre::lineage {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::UnorderedElementsAre;

Edge E(EdgeId id, NodeId source, NodeId target) {
  Edge e;
  e.id = id;
  e.source = source;
  e.target = target;
  e.job = 7;
  e.valid_from = 100;
  return e;
}

Edge Indirect(Edge e) {
  e.type = EdgeType::kIndirect;
  return e;
}
Edge Masking(Edge e) {
  e.masking = true;
  return e;
}
Edge Valid(Edge e, int64_t from, int64_t to) {
  e.valid_from = from;
  e.valid_to = to;
  return e;
}

std::vector<NodeId> Nodes(const TraversalResult& r) {
  std::vector<NodeId> out;
  for (const ReachedNode& n : r.nodes) out.push_back(n.node);
  return out;
}
std::vector<int> Depths(const TraversalResult& r) {
  std::vector<int> out;
  for (const ReachedNode& n : r.nodes) out.push_back(n.depth);
  return out;
}
std::vector<EdgeId> Ids(const std::vector<Edge>& edges) {
  std::vector<EdgeId> out;
  for (const Edge& e : edges) out.push_back(e.id);
  return out;
}

TraversalQuery Query(std::vector<NodeId> start, Direction direction, int max_depth = 10,
                     int max_nodes = 10000) {
  TraversalQuery q;
  q.start = std::move(start);
  q.direction = direction;
  q.max_depth = max_depth;
  q.max_nodes = max_nodes;
  return q;
}

NodePredicate In(std::set<NodeId> nodes) {
  return [nodes](NodeId n) { return nodes.contains(n); };
}
const NodePredicate kNone = [](NodeId) { return false; };

TEST(LineageGraph, EmptyGraphAnswersTheStartAlone) {
  Graph g;
  EXPECT_EQ(g.edge_count(), 0u);
  EXPECT_EQ(g.node_count(), 0u);
  TraversalResult r = g.Traverse(Query({5, 5, 6}, Direction::kBoth));
  EXPECT_THAT(Nodes(r), ElementsAre(5, 6));
  EXPECT_THAT(Depths(r), ElementsAre(0, 0));
  EXPECT_THAT(r.edges, IsEmpty());
  EXPECT_FALSE(r.truncated);
  EXPECT_FALSE(r.depth_limited);
  EXPECT_THAT(g.ShortestPaths(1, 2, 5, 5, {}), IsEmpty());
  EXPECT_THAT(g.InheritedFrom(1, kNone, kNone, std::nullopt, 5, 100), IsEmpty());
  EXPECT_THAT(g.ReachableDirect({1}, kNone, 100), IsEmpty());
}

TEST(LineageGraph, ChainInEachDirection) {
  Graph g;
  g.Upsert(E(1, 10, 20));
  g.Upsert(E(2, 20, 30));
  g.Upsert(E(3, 30, 40));
  EXPECT_EQ(g.edge_count(), 3u);
  EXPECT_EQ(g.node_count(), 4u);

  TraversalResult down = g.Traverse(Query({20}, Direction::kDownstream));
  EXPECT_THAT(Nodes(down), ElementsAre(20, 30, 40));
  EXPECT_THAT(Depths(down), ElementsAre(0, 1, 2));
  EXPECT_THAT(Ids(down.edges), ElementsAre(2, 3));

  TraversalResult up = g.Traverse(Query({30}, Direction::kUpstream));
  EXPECT_THAT(Nodes(up), ElementsAre(30, 20, 10));
  EXPECT_THAT(Ids(up.edges), ElementsAre(2, 1));  // in the order followed
  EXPECT_EQ(up.edges[1], E(1, 10, 20));

  TraversalResult both = g.Traverse(Query({20}, Direction::kBoth));
  EXPECT_THAT(Nodes(both), ElementsAre(20, 30, 10, 40));  // out before in
  EXPECT_THAT(Depths(both), ElementsAre(0, 1, 1, 2));
  EXPECT_THAT(Ids(both.edges), ElementsAre(2, 1, 3));
}

TEST(LineageGraph, CycleIsWalkedOnce) {
  Graph g;
  g.Upsert(E(1, 1, 2));
  g.Upsert(E(2, 2, 3));
  g.Upsert(E(3, 3, 1));
  for (Direction d : {Direction::kDownstream, Direction::kUpstream, Direction::kBoth}) {
    TraversalResult r = g.Traverse(Query({1}, d, 100));
    EXPECT_EQ(r.nodes.size(), 3u);
    EXPECT_THAT(Ids(r.edges), UnorderedElementsAre(1, 2, 3));
    EXPECT_FALSE(r.truncated);
    EXPECT_FALSE(r.depth_limited);
  }
}

TEST(LineageGraph, SelfLoopIsOneEdge) {
  Graph g;
  g.Upsert(E(1, 1, 1));
  g.Upsert(E(2, 1, 2));
  EXPECT_EQ(g.node_count(), 2u);
  TraversalResult r = g.Traverse(Query({1}, Direction::kBoth));
  EXPECT_THAT(Nodes(r), ElementsAre(1, 2));
  EXPECT_THAT(Ids(r.edges), ElementsAre(1, 2));
  g.Remove(2);
  EXPECT_EQ(g.node_count(), 1u);
  g.Remove(1);
  EXPECT_EQ(g.node_count(), 0u);
}

TEST(LineageGraph, DiamondDepthsAndPaths) {
  Graph g;
  g.Upsert(E(4, 1, 3));  // a -> c
  g.Upsert(E(1, 1, 2));  // a -> b
  g.Upsert(E(2, 2, 4));  // b -> d
  g.Upsert(E(3, 3, 4));  // c -> d
  TraversalResult r = g.Traverse(Query({1}, Direction::kDownstream));
  EXPECT_THAT(Nodes(r), ElementsAre(1, 2, 3, 4));  // by edge id: 1 before 4
  EXPECT_THAT(Depths(r), ElementsAre(0, 1, 1, 2));
  EXPECT_THAT(Ids(r.edges), ElementsAre(1, 4, 2, 3));

  std::vector<Path> paths = g.ShortestPaths(1, 4, 5, 10, {});
  ASSERT_EQ(paths.size(), 2u);
  EXPECT_THAT(Ids(paths[0]), ElementsAre(1, 2));
  EXPECT_THAT(Ids(paths[1]), ElementsAre(4, 3));
  EXPECT_EQ(g.ShortestPaths(1, 4, 5, 1, {}).size(), 1u);
  EXPECT_THAT(g.ShortestPaths(1, 4, 1, 10, {}), IsEmpty());  // needs 2 hops
  EXPECT_THAT(g.ShortestPaths(4, 1, 5, 10, {}), IsEmpty());  // downstream only
  ASSERT_EQ(g.ShortestPaths(2, 2, 5, 10, {}).size(), 1u);
  EXPECT_THAT(g.ShortestPaths(2, 2, 5, 10, {})[0], IsEmpty());
  EXPECT_THAT(g.ShortestPaths(1, 4, 5, 0, {}), IsEmpty());
}

TEST(LineageGraph, ShortestPathsPreferFewerHopsAndCountParallelEdges) {
  Graph g;
  g.Upsert(E(1, 1, 2));
  g.Upsert(E(2, 2, 3));
  g.Upsert(E(3, 3, 4));
  g.Upsert(E(9, 1, 3));
  g.Upsert(E(8, 1, 3));  // parallel to 9
  std::vector<Path> paths = g.ShortestPaths(1, 4, 10, 10, {});
  ASSERT_EQ(paths.size(), 2u);
  EXPECT_THAT(Ids(paths[0]), ElementsAre(8, 3));
  EXPECT_THAT(Ids(paths[1]), ElementsAre(9, 3));
  EdgeFilter indirect_only;
  indirect_only.type = EdgeType::kIndirect;
  EXPECT_THAT(g.ShortestPaths(1, 4, 10, 10, indirect_only), IsEmpty());
}

TEST(LineageGraph, AsOfWindowIsHalfOpen) {
  Graph g;
  g.Upsert(Valid(E(1, 1, 2), 10, 20));        // closed
  g.Upsert(Valid(E(2, 1, 3), 15, kOpenEnd));  // holds now
  const auto reached = [&](std::optional<int64_t> as_of) {
    TraversalQuery q = Query({1}, Direction::kDownstream);
    q.filter.as_of = as_of;
    return Nodes(g.Traverse(q));
  };
  EXPECT_THAT(reached(std::nullopt), ElementsAre(1, 3));
  EXPECT_THAT(reached(9), ElementsAre(1));
  EXPECT_THAT(reached(10), ElementsAre(1, 2));
  EXPECT_THAT(reached(14), ElementsAre(1, 2));
  EXPECT_THAT(reached(15), ElementsAre(1, 2, 3));
  EXPECT_THAT(reached(19), ElementsAre(1, 2, 3));
  EXPECT_THAT(reached(20), ElementsAre(1, 3));
}

TEST(LineageGraph, TypeAndMaskingFilters) {
  Graph g;
  g.Upsert(E(1, 1, 2));
  g.Upsert(Indirect(E(2, 1, 3)));
  g.Upsert(Masking(E(3, 1, 4)));
  TraversalQuery q = Query({1}, Direction::kDownstream);
  EXPECT_THAT(Nodes(g.Traverse(q)), ElementsAre(1, 2, 3, 4));
  q.filter.type = EdgeType::kDirect;
  EXPECT_THAT(Nodes(g.Traverse(q)), ElementsAre(1, 2, 4));
  q.filter.stop_at_masking = true;
  EXPECT_THAT(Nodes(g.Traverse(q)), ElementsAre(1, 2));
  q.filter.type = EdgeType::kIndirect;
  EXPECT_THAT(Nodes(g.Traverse(q)), ElementsAre(1, 3));
  TraversalResult r = g.Traverse(q);
  ASSERT_EQ(r.edges.size(), 1u);
  EXPECT_EQ(r.edges[0].type, EdgeType::kIndirect);
}

TEST(LineageGraph, TruncatedOnlyWhenANodeIsLeftOut) {
  Graph g;
  g.Upsert(E(1, 1, 2));
  g.Upsert(E(2, 1, 3));
  g.Upsert(E(3, 1, 4));
  g.Upsert(E(4, 2, 3));
  TraversalResult r = g.Traverse(Query({1}, Direction::kDownstream, 10, 3));
  EXPECT_THAT(Nodes(r), ElementsAre(1, 2, 3));
  EXPECT_THAT(Ids(r.edges), ElementsAre(1, 2));  // stopped at edge 3
  EXPECT_TRUE(r.truncated);
  EXPECT_FALSE(r.depth_limited);

  r = g.Traverse(Query({1}, Direction::kDownstream, 10, 4));
  EXPECT_EQ(r.nodes.size(), 4u);
  EXPECT_THAT(Ids(r.edges), ElementsAre(1, 2, 3, 4));
  EXPECT_FALSE(r.truncated);

  r = g.Traverse(Query({1, 2, 3}, Direction::kDownstream, 10, 2));
  EXPECT_THAT(Nodes(r), ElementsAre(1, 2));
  EXPECT_TRUE(r.truncated);

  r = g.Traverse(Query({1}, Direction::kDownstream, 10, 0));
  EXPECT_THAT(r.nodes, IsEmpty());
  EXPECT_TRUE(r.truncated);
}

TEST(LineageGraph, DepthLimitedOnlyWhenTheWalkCouldGoFurther) {
  Graph g;
  g.Upsert(E(1, 1, 2));
  g.Upsert(E(2, 2, 3));
  g.Upsert(E(3, 3, 1));  // back to the start
  TraversalResult r = g.Traverse(Query({1}, Direction::kDownstream, 1));
  EXPECT_THAT(Nodes(r), ElementsAre(1, 2));
  EXPECT_THAT(Ids(r.edges), ElementsAre(1));
  EXPECT_TRUE(r.depth_limited);
  EXPECT_FALSE(r.truncated);

  r = g.Traverse(Query({1}, Direction::kDownstream, 2));
  EXPECT_THAT(Nodes(r), ElementsAre(1, 2, 3));
  EXPECT_THAT(Ids(r.edges), ElementsAre(1, 2));  // 3 leaves a node at max_depth
  EXPECT_FALSE(r.depth_limited);                 // 3's only edge leads back into the result

  r = g.Traverse(Query({1}, Direction::kDownstream, 0));
  EXPECT_THAT(Nodes(r), ElementsAre(1));
  EXPECT_TRUE(r.depth_limited);

  r = g.Traverse(Query({1}, Direction::kBoth, 1));
  EXPECT_THAT(Nodes(r), ElementsAre(1, 2, 3));
  EXPECT_FALSE(r.depth_limited);
  EXPECT_THAT(Ids(r.edges), ElementsAre(1, 3));

  // A filtered-out edge does not count.
  Graph h;
  h.Upsert(E(1, 1, 2));
  h.Upsert(Valid(E(2, 2, 3), 1, 2));
  EXPECT_FALSE(h.Traverse(Query({1}, Direction::kDownstream, 1)).depth_limited);
}

TEST(LineageGraph, BothDirectionsZigZag) {
  Graph g;
  g.Upsert(E(1, 1, 3));  // 1 -> 3 <- 2 -> 4
  g.Upsert(E(2, 2, 3));
  g.Upsert(E(3, 2, 4));
  TraversalResult r = g.Traverse(Query({1}, Direction::kBoth));
  EXPECT_THAT(Nodes(r), ElementsAre(1, 3, 2, 4));
  EXPECT_THAT(Depths(r), ElementsAre(0, 1, 2, 3));
  EXPECT_THAT(Ids(r.edges), ElementsAre(1, 2, 3));
  EXPECT_THAT(Nodes(g.Traverse(Query({1}, Direction::kDownstream))), ElementsAre(1, 3));
}

TEST(LineageGraph, UpsertReplacesAttributesAndEndpoints) {
  Graph g;
  g.Upsert(E(1, 1, 2));
  g.Upsert(E(2, 2, 3));
  Edge moved = E(1, 1, 4);
  moved.job = 99;
  g.Upsert(moved);
  EXPECT_EQ(g.edge_count(), 2u);
  EXPECT_EQ(g.node_count(), 4u);
  TraversalResult r = g.Traverse(Query({1}, Direction::kDownstream));
  EXPECT_THAT(Nodes(r), ElementsAre(1, 4));
  EXPECT_THAT(r.edges, ElementsAre(moved));

  Edge closed = Valid(moved, 100, 200);
  g.Upsert(closed);
  EXPECT_EQ(g.edge_count(), 2u);
  EXPECT_THAT(Nodes(g.Traverse(Query({1}, Direction::kDownstream))), ElementsAre(1));
  TraversalQuery q = Query({1}, Direction::kDownstream);
  q.filter.as_of = 150;
  EXPECT_THAT(g.Traverse(q).edges, ElementsAre(closed));

  g.Upsert(E(2, 7, 8));           // moves edge 2 off nodes 2 and 3
  EXPECT_EQ(g.node_count(), 4u);  // 1, 4, 7, 8
}

TEST(LineageGraph, RemoveForgetsTheEdge) {
  Graph g;
  g.Upsert(E(1, 1, 2));
  g.Upsert(E(2, 2, 3));
  g.Remove(42);  // unknown: no-op
  EXPECT_EQ(g.edge_count(), 2u);
  g.Remove(2);
  g.Remove(2);
  EXPECT_EQ(g.edge_count(), 1u);
  EXPECT_EQ(g.node_count(), 2u);
  EXPECT_THAT(Nodes(g.Traverse(Query({1}, Direction::kDownstream))), ElementsAre(1, 2));
  g.Upsert(E(2, 2, 3));  // back again
  EXPECT_THAT(Nodes(g.Traverse(Query({1}, Direction::kDownstream))), ElementsAre(1, 2, 3));
}

TEST(LineageGraph, WideIdsRoundTrip) {
  Graph g;
  const EdgeId big = (int64_t{1} << 40) + 5;
  Edge a = E(big, -3, int64_t{1} << 50);
  a.job = -(int64_t{1} << 45);
  a.valid_from = -1;
  Edge b = E(-8, int64_t{1} << 50, 4);
  g.Upsert(a);
  g.Upsert(b);
  g.Upsert(E(3, 4, 5));
  TraversalResult r = g.Traverse(Query({-3}, Direction::kDownstream));
  EXPECT_THAT(Nodes(r), ElementsAre(-3, int64_t{1} << 50, 4, 5));
  ASSERT_EQ(r.edges.size(), 3u);
  EXPECT_EQ(r.edges[0], a);
  EXPECT_EQ(r.edges[1], b);
  g.Remove(big);
  EXPECT_EQ(g.edge_count(), 2u);
}

TEST(LineageGraph, SubtypesAreInterned) {
  Graph g;
  EXPECT_EQ(g.InternSubtype(""), 0);
  EXPECT_EQ(g.SubtypeName(0), "");
  const uint16_t identity = g.InternSubtype("IDENTITY");
  const uint16_t join = g.InternSubtype("JOIN");
  EXPECT_NE(identity, 0);
  EXPECT_NE(identity, join);
  EXPECT_EQ(g.InternSubtype("IDENTITY"), identity);
  EXPECT_EQ(g.SubtypeName(identity), "IDENTITY");
  EXPECT_EQ(g.SubtypeName(join), "JOIN");
  EXPECT_EQ(g.SubtypeName(999), "");

  Edge e = E(1, 1, 2);
  e.subtype = join;
  g.Upsert(e);
  EXPECT_EQ(g.Traverse(Query({1}, Direction::kDownstream)).edges.at(0).subtype, join);
}

TEST(LineageGraph, InheritedFromFollowsDirectUnmaskedEdges) {
  // o1 -> x -> n, o2 -> n (masking), o3 -> x (indirect), o4 -> o1
  Graph g;
  g.Upsert(E(1, 101, 50));
  g.Upsert(E(2, 50, 1));
  g.Upsert(Masking(E(3, 102, 1)));
  g.Upsert(Indirect(E(4, 103, 50)));
  g.Upsert(E(5, 104, 101));
  const NodePredicate carries = In({101, 102, 103, 104});
  std::vector<Inheritance> got = g.InheritedFrom(1, carries, kNone, std::nullopt, 10, 100);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].origin, 101);
  EXPECT_THAT(Ids(got[0].path), ElementsAre(1, 2));
  EXPECT_EQ(got[1].origin, 104);  // behind another carrier
  EXPECT_THAT(Ids(got[1].path), ElementsAre(5, 1, 2));

  EXPECT_EQ(g.InheritedFrom(1, carries, kNone, std::nullopt, 2, 100).size(), 1u);
  EXPECT_EQ(g.InheritedFrom(1, carries, kNone, std::nullopt, 10, 3).size(), 1u);  // 1, 50, 101
  EXPECT_THAT(g.InheritedFrom(1, carries, In({50}), std::nullopt, 10, 100), IsEmpty());
  EXPECT_THAT(g.InheritedFrom(1, carries, In({1}), std::nullopt, 10, 100), IsEmpty());
  // A blocking carrier is no origin, and what is behind it does not pass.
  EXPECT_THAT(g.InheritedFrom(1, carries, In({101}), std::nullopt, 10, 100), IsEmpty());
}

TEST(LineageGraph, InheritedFromAsOfAndShortestPath) {
  Graph g;
  g.Upsert(Valid(E(1, 9, 1), 10, 20));  // 9 -> 1 once
  g.Upsert(E(2, 9, 5));                 // 9 -> 5 -> 6 -> 1 now
  g.Upsert(E(3, 5, 6));
  g.Upsert(E(4, 6, 1));
  g.Upsert(E(5, 5, 1));  // 9 -> 5 -> 1: the shortest now
  const NodePredicate carries = In({9});
  std::vector<Inheritance> now = g.InheritedFrom(1, carries, kNone, std::nullopt, 10, 100);
  ASSERT_EQ(now.size(), 1u);
  EXPECT_THAT(Ids(now[0].path), ElementsAre(2, 5));
  std::vector<Inheritance> then = g.InheritedFrom(1, carries, kNone, 15, 10, 100);
  ASSERT_EQ(then.size(), 1u);
  EXPECT_THAT(Ids(then[0].path), ElementsAre(1));
  EXPECT_THAT(g.InheritedFrom(1, carries, kNone, 5, 10, 100), IsEmpty());
}

TEST(LineageGraph, ReachableDirectStopsAtBlocksAndMasking) {
  // 1 -> 2 -> 3 -> 4, 2 -> 5 (masking), 2 -> 6 (indirect), 7 -> 8 (closed)
  Graph g;
  g.Upsert(E(1, 1, 2));
  g.Upsert(E(2, 2, 3));
  g.Upsert(E(3, 3, 4));
  g.Upsert(Masking(E(4, 2, 5)));
  g.Upsert(Indirect(E(5, 2, 6)));
  g.Upsert(Valid(E(6, 1, 7), 1, 2));
  g.Upsert(E(7, 4, 1));  // back to a start
  EXPECT_THAT(g.ReachableDirect({1}, kNone, 100), ElementsAre(2, 3, 4));
  EXPECT_THAT(g.ReachableDirect({1}, In({3}), 100), ElementsAre(2));
  EXPECT_THAT(g.ReachableDirect({1, 3}, kNone, 100), ElementsAre(2, 4));
  EXPECT_THAT(g.ReachableDirect({1}, kNone, 2), ElementsAre(2, 3));
  EXPECT_THAT(g.ReachableDirect({1}, In({1}), 100), IsEmpty());
  EXPECT_THAT(g.ReachableDirect({1, 1, 404}, kNone, 100), ElementsAre(2, 3, 4));
}

TEST(LineageGraph, ManyWritesKeepAnswersStable) {
  // Enough churn for several compactions, with an old id moved late.
  Graph g;
  for (int i = 0; i < 1000; ++i) g.Upsert(E(i, i, i + 1));
  for (int i = 0; i < 1000; i += 2) g.Remove(i);
  for (int i = 0; i < 1000; i += 2) g.Upsert(E(i, i, i + 1));
  g.Upsert(E(500, 0, 999));  // an old id on new endpoints
  EXPECT_EQ(g.edge_count(), 1000u);
  TraversalResult r = g.Traverse(Query({0}, Direction::kDownstream, 3));
  EXPECT_THAT(Nodes(r), ElementsAre(0, 1, 999, 2, 1000, 3));
  EXPECT_THAT(Ids(r.edges), ElementsAre(0, 500, 1, 999, 2));
  EXPECT_TRUE(r.depth_limited);
  EXPECT_EQ(g.node_count(), 1001u);
}

}  // namespace
}  // namespace cadastre::lineage
