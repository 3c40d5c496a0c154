// The report module's pure parts: RFC 4180 quoting, and the enumeration of
// paths through a column (order, cycles, limits).
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "server/common/csv.h"
#include "server/report/paths.h"

namespace cadastre::report {
namespace {

using lineage::Edge;
using lineage::NodeId;

TEST(Csv, QuotesOnlyWhatRfc4180Requires) {
  EXPECT_EQ(CsvField("plain text; with: colons"), "plain text; with: colons");
  EXPECT_EQ(CsvField(""), "");
  EXPECT_EQ(CsvField("a,b"), "\"a,b\"");
  EXPECT_EQ(CsvField("say \"hi\""), "\"say \"\"hi\"\"\"");
  EXPECT_EQ(CsvField("two\nlines"), "\"two\nlines\"");
  EXPECT_EQ(CsvField("cr\r"), "\"cr\r\"");
  CsvWriter csv;
  csv.Row({"a", "b,c", ""});
  csv.Row({"\"", "x"});
  EXPECT_EQ(csv.text(), "a,\"b,c\",\r\n\"\"\"\",x\r\n");
}

Edge E(lineage::EdgeId id, NodeId source, NodeId target) {
  Edge edge;
  edge.id = id;
  edge.source = source;
  edge.target = target;
  return edge;
}

// Path as "1>2>3" (its nodes).
std::vector<std::string> Show(const PathSet& set) {
  std::vector<std::string> out;
  for (const lineage::Path& path : set.paths) {
    std::string text = std::to_string(path.front().source);
    for (const Edge& edge : path) text += ">" + std::to_string(edge.target);
    out.push_back(text);
  }
  return out;
}

// 1 -> 3, 2 -> 3, 3 -> 4, 3 -> 5, 5 -> 6: two sources, two ends.
const std::vector<Edge> kDiamond = {E(10, 1, 3), E(11, 2, 3), E(12, 3, 4), E(13, 3, 5),
                                    E(14, 5, 6)};

TEST(PathsThrough, JoinsEveryWayUpWithEveryWayDown) {
  PathSet set = PathsThrough({3}, kDiamond, kDiamond, PathLimits{});
  EXPECT_EQ(Show(set), (std::vector<std::string>{"1>3>4", "1>3>5>6", "2>3>4", "2>3>5>6"}));
  EXPECT_FALSE(set.truncated);
}

TEST(PathsThrough, APathThroughSeveralTracedNodesComesOnce) {
  PathSet set = PathsThrough({5, 3}, kDiamond, kDiamond, PathLimits{});
  EXPECT_EQ(Show(set), (std::vector<std::string>{"1>3>5>6", "2>3>5>6", "1>3>4", "2>3>4"}));
}

TEST(PathsThrough, ANodeWithoutEdgesMakesNoPath) {
  EXPECT_TRUE(PathsThrough({42}, kDiamond, kDiamond, PathLimits{}).paths.empty());
}

TEST(PathsThrough, CyclesEndAPathInsteadOfLoopingIt) {
  // 1 -> 2 -> 3 -> 2 (a cycle), 3 -> 4.
  const std::vector<Edge> edges = {E(1, 1, 2), E(2, 2, 3), E(3, 3, 2), E(4, 3, 4)};
  // Up from 2: from 1, or from 3 (whose own way up would revisit 2); down:
  // 2 > 3 > 4. Joining 3 > 2 with 2 > 3 > 4 would visit 3 twice.
  PathSet set = PathsThrough({2}, edges, edges, PathLimits{});
  EXPECT_EQ(Show(set), (std::vector<std::string>{"1>2>3>4"}));
  EXPECT_FALSE(set.truncated);
  // A self-loop is not followed.
  const std::vector<Edge> loop = {E(1, 1, 1), E(2, 1, 2)};
  EXPECT_EQ(Show(PathsThrough({1}, loop, loop, PathLimits{})), (std::vector<std::string>{"1>2"}));
}

TEST(PathsThrough, LimitsTruncateAndSaySo) {
  PathSet two = PathsThrough({3}, kDiamond, kDiamond, PathLimits{2, 100});
  EXPECT_EQ(Show(two), (std::vector<std::string>{"1>3>4", "1>3>5>6"}));
  EXPECT_TRUE(two.truncated);
  PathSet four = PathsThrough({3}, kDiamond, kDiamond, PathLimits{4, 100});
  EXPECT_FALSE(four.truncated);
  PathSet short_hops = PathsThrough({3}, kDiamond, kDiamond, PathLimits{100, 1});
  EXPECT_EQ(Show(short_hops), (std::vector<std::string>{"1>3>4", "1>3>5", "2>3>4", "2>3>5"}));
  EXPECT_TRUE(short_hops.truncated);
}

// A chain of diamonds doubles the paths at each: the limit keeps the answer
// small however many there are.
TEST(PathsThrough, AHubWithExponentiallyManyPathsStaysBounded) {
  std::vector<Edge> edges;
  lineage::EdgeId id = 1;
  for (NodeId n = 0; n < 40; n += 3) {
    edges.push_back(E(id++, n, n + 1));
    edges.push_back(E(id++, n, n + 2));
    edges.push_back(E(id++, n + 1, n + 3));
    edges.push_back(E(id++, n + 2, n + 3));
  }
  PathSet set = PathsThrough({0}, edges, edges, PathLimits{1000, 100});
  EXPECT_EQ(set.paths.size(), 1000u);
  EXPECT_TRUE(set.truncated);
}

}  // namespace
}  // namespace cadastre::report
