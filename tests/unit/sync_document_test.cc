// The sync document's reading and the modes' merge rules, without a server:
// errors name the record's field, a bad record does not spoil the others,
// DIFF merges attributes and sets relations, FULL replaces, APPEND only
// adds, and what export writes reads back as the same dataset.
#include "server/sync/sync_document.h"

#include <gtest/gtest.h>

#include "google/protobuf/util/message_differencer.h"
#include "server/common/status.h"

namespace cadastre::sync {
namespace {

v1::Dataset Existing() {
  v1::Dataset d;
  d.set_namespace_("crm");
  d.set_name("customers");
  d.set_type(v1::VIEW);
  d.set_description("One row per customer.");
  d.add_tags("Tier.Gold");
  (*d.mutable_custom_properties())["retention"] = "7y";
  v1::Field* id = d.add_fields();
  id->set_name("id");
  id->set_type("bigint");
  id->set_ordinal_position(1);
  v1::Field* email = d.add_fields();
  email->set_name("email");
  email->set_ordinal_position(2);
  email->add_tags("PII.Email");
  return d;
}

DatasetRecord OneDataset(const std::string& json) {
  absl::StatusOr<Document> doc = ParseDocument(R"({"datasets": [)" + json + "]}");
  EXPECT_TRUE(doc.ok()) << doc.status();
  EXPECT_TRUE(doc->bad.empty()) << doc->bad[0].error;
  return doc->datasets.at(0);
}

TEST(SyncDocument, ABadRecordIsNamedAndTheOthersAreRead) {
  absl::StatusOr<Document> doc = ParseDocument(R"({
    "datasets": [
      {"namespace": "a", "name": "ok"},
      {"namespace": "a", "name": "b", "columns": [{"name": "c", "tags": ["x", 3]}]},
      {"namespace": "a", "name": "c", "colour": "red"},
      {"name": "no-namespace"}
    ],
    "lineage": [{"job": {"namespace": "j"}, "source": {}, "target": {}}]})");
  ASSERT_TRUE(doc.ok()) << doc.status();
  EXPECT_EQ(doc->records, 5);
  ASSERT_EQ(doc->datasets.size(), 1u);
  ASSERT_EQ(doc->bad.size(), 4u);
  EXPECT_EQ(FieldOf(doc->bad[0].error), "datasets[1].columns[0].tags[1]");
  EXPECT_EQ(FieldOf(doc->bad[1].error), "datasets[2].colour");
  EXPECT_EQ(FieldOf(doc->bad[2].error), "datasets[3].namespace");
  EXPECT_EQ(FieldOf(doc->bad[3].error), "lineage[0].job.name");
}

TEST(SyncDocument, AMalformedDocumentIsAnErrorNamingTheMember) {
  EXPECT_EQ(FieldOf(ParseDocument("{").status()), "document");
  EXPECT_EQ(FieldOf(ParseDocument(R"({"datasets": 1})").status()), "datasets");
  EXPECT_EQ(FieldOf(ParseDocument(R"({"scope": {"namespaces": "a"}})").status()),
            "scope.namespaces");
  EXPECT_EQ(FieldOf(ParseDocument(R"({"formatVersion": 2})").status()), "formatVersion");
}

TEST(SyncDocument, DiffMergesAttributesAndSetsRelations) {
  const v1::Dataset existing = Existing();
  v1::Dataset merged = MergeDataset(v1::DIFF, &existing, OneDataset(R"(
    {"namespace": "crm", "name": "customers", "tags": ["Tier.Silver"],
     "customProperties": {"tier": "2"},
     "columns": [{"name": "email", "description": "Receipts"}, {"name": "phone"}]})"));
  EXPECT_EQ(merged.type(), v1::VIEW);
  EXPECT_EQ(merged.description(), "One row per customer.");
  ASSERT_EQ(merged.tags_size(), 1);
  EXPECT_EQ(merged.tags(0), "Tier.Silver");
  EXPECT_EQ(merged.custom_properties().at("retention"), "7y");
  EXPECT_EQ(merged.custom_properties().at("tier"), "2");
  ASSERT_EQ(merged.fields_size(), 3);
  EXPECT_EQ(merged.fields(1).description(), "Receipts");
  EXPECT_EQ(merged.fields(1).tags(0), "PII.Email");
  EXPECT_EQ(merged.fields(2).name(), "phone");
  EXPECT_EQ(merged.fields(2).ordinal_position(), 3);
}

TEST(SyncDocument, FullReplacesAndAppendOnlyAdds) {
  const v1::Dataset existing = Existing();
  const DatasetRecord record = OneDataset(R"(
    {"namespace": "crm", "name": "customers", "description": "New",
     "tags": ["Tier.Silver"], "columns": [{"name": "email", "tags": ["PII"]}]})");
  v1::Dataset full = MergeDataset(v1::FULL, &existing, record);
  EXPECT_EQ(full.type(), v1::DATASET_TYPE_UNSPECIFIED);
  EXPECT_TRUE(full.custom_properties().empty());
  ASSERT_EQ(full.fields_size(), 1);
  EXPECT_EQ(full.fields(0).tags_size(), 1);

  v1::Dataset append = MergeDataset(v1::APPEND, &existing, record);
  EXPECT_EQ(append.description(), "One row per customer.");
  EXPECT_EQ(append.tags_size(), 2);
  ASSERT_EQ(append.fields_size(), 2);
  EXPECT_EQ(append.fields(1).tags_size(), 2);
}

TEST(SyncDocument, WhatExportWritesReadsBackAsTheSameDataset) {
  v1::Dataset existing = Existing();
  existing.mutable_fields(1)->set_ordinal_position(5);  // a gap in positions survives
  existing.mutable_fields(1)->set_nullable(false);
  const std::string record = DatasetToRecord(existing, "x-1").dump();
  absl::StatusOr<Document> doc =
      ParseDocument(R"({"externalSystem": "s", "datasets": [)" + record + "]}");
  ASSERT_TRUE(doc.ok());
  ASSERT_EQ(doc->datasets.size(), 1u) << record;
  EXPECT_EQ(doc->datasets[0].external_id, "x-1");
  for (v1::ImportMode mode : {v1::DIFF, v1::FULL, v1::APPEND}) {
    v1::Dataset back = MergeDataset(mode, &existing, doc->datasets[0]);
    EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(back, existing))
        << v1::ImportMode_Name(mode) << ": " << back.DebugString();
  }
}

}  // namespace
}  // namespace cadastre::sync
