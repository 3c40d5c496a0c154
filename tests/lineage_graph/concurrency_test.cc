// Readers walk the graph while a writer changes it (with compactions): the
// answers must stay well formed. Meant to be run under TSan/ASan too; the
// loops are bounded so it is quick either way.
#include <gtest/gtest.h>

#include <atomic>
#include <random>
#include <set>
#include <thread>
#include <vector>

#include "server/lineage/graph.h"

namespace cadastre::lineage {
namespace {

constexpr int kNodes = 300;

void ExpectWellFormed(const TraversalResult& r) {
  std::set<NodeId> nodes;
  for (const ReachedNode& n : r.nodes) EXPECT_TRUE(nodes.insert(n.node).second);
  std::set<EdgeId> ids;
  for (const Edge& e : r.edges) {
    EXPECT_TRUE(ids.insert(e.id).second);
    EXPECT_TRUE(nodes.contains(e.source) && nodes.contains(e.target));
    EXPECT_EQ(e.target, e.source + 1 + e.id % 3);  // as written below
  }
}

TEST(LineageGraphConcurrency, ReadersDuringWrites) {
  Graph graph;
  // Edge id i always joins i % kNodes to a node a little downstream.
  const auto edge = [](EdgeId id) {
    Edge e;
    e.id = id;
    e.source = id % kNodes;
    e.target = e.source + 1 + id % 3;
    e.job = id % 5;
    e.subtype = static_cast<uint16_t>(id % 2);
    e.valid_from = id % 7;
    return e;
  };
  for (EdgeId id = 0; id < 500; ++id) graph.Upsert(edge(id));

  std::atomic<bool> done{false};
  std::thread writer([&] {
    std::mt19937 rng(7);
    for (int i = 0; i < 20000; ++i) {
      const EdgeId id = std::uniform_int_distribution<EdgeId>(0, 1500)(rng);
      if (i % 3 == 0) {
        graph.Remove(id);
      } else {
        Edge e = edge(id);
        e.valid_to = i % 4 == 0 ? 100 : kOpenEnd;
        graph.Upsert(e);
      }
      if (i % 1000 == 0) graph.InternSubtype("S" + std::to_string(i));
    }
    done = true;
  });

  std::vector<std::thread> readers;
  std::atomic<int> walks{0};
  for (int t = 0; t < 3; ++t) {
    readers.emplace_back([&, t] {
      std::mt19937 rng(t);
      // At least a few rounds even if the writer is already done.
      for (int round = 0; !done || round < 20; ++round) {
        const NodeId start = std::uniform_int_distribution<NodeId>(0, kNodes - 1)(rng);
        TraversalQuery q;
        q.start = {start};
        q.direction = static_cast<Direction>(round % 3);
        q.max_depth = 6;
        q.max_nodes = 200;
        if (round % 2 == 0) q.filter.as_of = 3;
        ExpectWellFormed(graph.Traverse(q));
        for (const Path& p : graph.ShortestPaths(start, start + 4, 5, 3, {})) {
          EXPECT_EQ(p.front().source, start);
          EXPECT_EQ(p.back().target, start + 4);
        }
        const auto carries = [](NodeId n) { return n % 10 == 0; };
        const auto blocks = [](NodeId n) { return n % 17 == 0; };
        for (const Inheritance& inh :
             graph.InheritedFrom(start, carries, blocks, std::nullopt, 8, 100)) {
          EXPECT_TRUE(carries(inh.origin));
          EXPECT_EQ(inh.path.back().target, start);
        }
        graph.ReachableDirect({start}, blocks, 50);
        EXPECT_LE(graph.node_count(), static_cast<size_t>(kNodes + 3));
        EXPECT_EQ(graph.SubtypeName(0), "");
        ++walks;
      }
    });
  }
  writer.join();
  for (std::thread& r : readers) r.join();
  EXPECT_GE(walks.load(), 60);
}

}  // namespace
}  // namespace cadastre::lineage
