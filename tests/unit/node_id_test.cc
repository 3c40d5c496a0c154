#include "server/lineage/node_id.h"

#include <gtest/gtest.h>

#include "server/common/status.h"

namespace cadastre::lineage {
namespace {

TEST(NodeId, FormatsLikeMarquez) {
  EXPECT_EQ(DatasetNodeId("postgres://crm:5432", "public.customers"),
            "dataset:postgres://crm:5432:public.customers");
  EXPECT_EQ(FieldNodeId("bigquery", "p.d.t", "email"), "datasetField:bigquery:p.d.t:email");
  EXPECT_EQ(JobNodeId("airflow", "dag.task"), "job:airflow:dag.task");
}

TEST(NodeId, ColonsInNamespacesGiveEverySplit) {
  auto parsed = ParseNodeId("datasetField:postgres://crm:5432:public.customers:email");
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->kind, NodeKind::kField);
  bool found = false;
  for (const auto& c : parsed->candidates) {
    found |= c.ns == "postgres://crm:5432" && c.name == "public.customers" && c.field == "email";
  }
  EXPECT_TRUE(found);
  EXPECT_EQ(parsed->candidates.front().ns, "postgres");  // shortest namespace first

  auto dataset = ParseNodeId("dataset:s3://lake:raw/events");
  ASSERT_TRUE(dataset.ok());
  EXPECT_EQ(dataset->kind, NodeKind::kDataset);
  EXPECT_EQ(dataset->candidates.back().ns, "s3://lake");
  EXPECT_EQ(dataset->candidates.back().name, "raw/events");
}

TEST(NodeId, RejectsWhatCannotBeSplit) {
  for (const char* bad : {"", "table:a:b", "dataset:", "dataset:onlyname", "datasetField:a:b",
                          "job::x"}) {
    auto parsed = ParseNodeId(bad);
    EXPECT_EQ(parsed.status().code(), absl::StatusCode::kInvalidArgument) << bad;
    EXPECT_EQ(FieldOf(parsed.status()), "nodeId");
  }
}

TEST(NodeId, HostileIdsAreRefusedCheaply) {
  EXPECT_EQ(ParseNodeId("dataset:" + std::string(5000, 'a')).status().code(),
            absl::StatusCode::kInvalidArgument);
  std::string colons = "datasetField:";
  for (int i = 0; i < 2000; i++) colons += "a:";
  EXPECT_EQ(ParseNodeId(colons).status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace cadastre::lineage
