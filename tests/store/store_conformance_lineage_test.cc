// The store conformance suite (see store_conformance.h): the lineage side
// of datasets — blocked tags, row ids, column edges, job I/O and renames.
// Jobs, runs and raw events are in store_conformance_jobs_test.cc.
#include <algorithm>

#include "tests/store/store_conformance.h"

namespace cadastre::store::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::UnorderedElementsAre;

class LineageTest : public StoreConformanceTest {
 protected:
  void SetUp() override {
    StoreConformanceTest::SetUp();
    if (HasFatalFailure()) return;
    ASSERT_OK(PutNamespace("ns"));
    ASSERT_OK(PutNamespace("other"));
    for (const char* tag : {"PII", "PII.Email", "Finance"}) ASSERT_OK(PutTag(tag));
    ASSERT_OK(PutDataset(WithFields("ns", "src", {"a", "b", "c"})));
    ASSERT_OK(PutDataset(WithFields("ns", "dst", {"x", "y"})));
    ASSERT_OK_AND_ASSIGN(job_, PutJob("etl", "load"));
    ASSERT_OK_AND_ASSIGN(src_, DatasetId("ns", "src"));
    ASSERT_OK_AND_ASSIGN(dst_, DatasetId("ns", "dst"));
  }

  static v1::Dataset WithFields(const std::string& ns, const std::string& name,
                                std::vector<std::string> fields) {
    v1::Dataset dataset = Dataset(ns, name);
    for (const std::string& field : fields) *dataset.add_fields() = Field(field);
    return dataset;
  }

  absl::StatusOr<int64_t> PutJob(const std::string& ns, const std::string& name) {
    v1::Job job;
    job.set_namespace_(ns);
    job.set_name(name);
    int64_t id = 0;
    absl::Status status = Write([&](WriteTxn& txn) -> absl::Status {
      ASSIGN_OR_RETURN(id, txn.PutJob(job));
      return absl::OkStatus();
    });
    if (!status.ok()) return status;
    return id;
  }

  absl::StatusOr<int64_t> DatasetId(const std::string& ns, const std::string& name) {
    return ReadOne([&](ReadTxn& txn) { return txn.DatasetRowId(ns, name); });
  }

  // The row id of ns:dataset:field; 0 (and a test failure) when missing.
  int64_t FieldId(const std::string& dataset, const std::string& field,
                  const std::string& ns = "ns") {
    absl::StatusOr<std::vector<FieldInfo>> fields =
        ReadOne([&](ReadTxn& txn) -> absl::StatusOr<std::vector<FieldInfo>> {
          ASSIGN_OR_RETURN(int64_t id, txn.DatasetRowId(ns, dataset));
          return txn.FieldsOfDataset(id);
        });
    if (!fields.ok()) {
      ADD_FAILURE() << fields.status();
      return 0;
    }
    for (const FieldInfo& info : *fields) {
      if (info.field == field) return info.id;
    }
    ADD_FAILURE() << "no field " << ns << ":" << dataset << ":" << field;
    return 0;
  }

  // An open DIRECT edge from src.`from` into dst.`to` ("" for the dataset).
  ColumnEdgeRow Edge(const std::string& from, const std::string& to, int64_t seen = 100) {
    ColumnEdgeRow row;
    row.source_field = FieldId("src", from);
    row.target_dataset = dst_;
    row.target_field = to.empty() ? 0 : FieldId("dst", to);
    row.job = job_;
    row.type = "DIRECT";
    row.subtype = "IDENTITY";
    row.first_seen = row.last_seen = row.valid_from = seen;
    return row;
  }

  absl::StatusOr<int64_t> Insert(const ColumnEdgeRow& row) {
    int64_t id = 0;
    absl::Status status = Write([&](WriteTxn& txn) -> absl::Status {
      ASSIGN_OR_RETURN(id, txn.InsertColumnEdge(row));
      return absl::OkStatus();
    });
    if (!status.ok()) return status;
    return id;
  }

  absl::StatusOr<std::vector<ColumnEdgeRow>> AllEdges() {
    return ReadOne([](ReadTxn& txn) -> absl::StatusOr<std::vector<ColumnEdgeRow>> {
      std::vector<ColumnEdgeRow> edges;
      RETURN_IF_ERROR(txn.ScanColumnEdges([&](const ColumnEdgeRow& row) { edges.push_back(row); }));
      return edges;
    });
  }

  absl::StatusOr<std::vector<JobIoRow>> AllJobIo() {
    return ReadOne([](ReadTxn& txn) -> absl::StatusOr<std::vector<JobIoRow>> {
      std::vector<JobIoRow> rows;
      RETURN_IF_ERROR(txn.ScanJobIo([&](const JobIoRow& row) { rows.push_back(row); }));
      return rows;
    });
  }

  absl::Status UpsertJobIo(JobIoRow row) {
    return Write([&](WriteTxn& txn) { return txn.UpsertJobIo(row); });
  }

  int64_t job_ = 0;
  int64_t src_ = 0;
  int64_t dst_ = 0;
};

std::vector<int64_t> Ids(const std::vector<ColumnEdgeRow>& edges) {
  std::vector<int64_t> ids;
  for (const ColumnEdgeRow& edge : edges) ids.push_back(edge.id);
  return ids;
}

void ExpectSameEdge(const ColumnEdgeRow& got, const ColumnEdgeRow& want) {
  EXPECT_EQ(got.id, want.id);
  EXPECT_EQ(got.source_field, want.source_field);
  EXPECT_EQ(got.target_dataset, want.target_dataset);
  EXPECT_EQ(got.target_field, want.target_field);
  EXPECT_EQ(got.job, want.job);
  EXPECT_EQ(got.type, want.type);
  EXPECT_EQ(got.subtype, want.subtype);
  EXPECT_EQ(got.description, want.description);
  EXPECT_EQ(got.masking, want.masking);
  EXPECT_EQ(got.first_seen, want.first_seen);
  EXPECT_EQ(got.last_seen, want.last_seen);
  EXPECT_EQ(got.valid_from, want.valid_from);
  EXPECT_EQ(got.valid_to, want.valid_to);
}

// --------------------------------------------------------------- blocked tags

TEST_P(LineageTest, BlockedTagsRoundTripAndLineageOutputIsNotStored) {
  v1::Dataset dataset = WithFields("ns", "t", {"email", "name"});
  dataset.mutable_fields(0)->add_tags("PII.Email");
  dataset.mutable_fields(0)->add_blocked_tags("Finance");
  dataset.mutable_fields(0)->add_blocked_tags("PII");
  dataset.mutable_fields(1)->add_blocked_tags("PII.Email");
  ASSERT_OK(PutDataset(dataset));

  v1::Dataset with_output = dataset;
  v1::InheritedTag* inherited = with_output.mutable_fields(1)->add_inherited_tags();
  inherited->set_tag("PII");
  inherited->set_from("datasetField:ns:src:a");
  inherited->add_path("datasetField:ns:src:a");
  v1::ColumnLineageEntry* entry = with_output.add_column_lineage();
  entry->set_name("name");
  entry->add_input_fields()->set_field("a");
  ASSERT_OK(PutDataset(with_output));

  ASSERT_OK_AND_ASSIGN(v1::Dataset got, GetDataset("ns", "t"));
  EXPECT_THAT(got.fields(0).blocked_tags(), ElementsAre("Finance", "PII"));
  EXPECT_THAT(got.fields(0).tags(), ElementsAre("PII.Email"));
  EXPECT_THAT(got.fields(1).blocked_tags(), ElementsAre("PII.Email"));
  EXPECT_THAT(got.fields(1).inherited_tags(), IsEmpty());
  EXPECT_THAT(got.column_lineage(), IsEmpty());

  // Replaced like the other links.
  dataset.mutable_fields(0)->clear_blocked_tags();
  ASSERT_OK(PutDataset(dataset));
  ASSERT_OK_AND_ASSIGN(got, GetDataset("ns", "t"));
  EXPECT_THAT(got.fields(0).blocked_tags(), IsEmpty());
  EXPECT_THAT(got.fields(1).blocked_tags(), ElementsAre("PII.Email"));
}

TEST_P(LineageTest, BlockingAnUnknownTagIsRefused) {
  v1::Dataset dataset = WithFields("ns", "src", {"a"});
  dataset.mutable_fields(0)->add_blocked_tags("Nope");
  EXPECT_THAT(PutDataset(dataset), StatusIs(absl::StatusCode::kFailedPrecondition, "Nope"));
  // Nothing changed: src still has its three fields.
  ASSERT_OK_AND_ASSIGN(v1::Dataset got, GetDataset("ns", "src"));
  EXPECT_EQ(got.fields_size(), 3);
}

TEST_P(LineageTest, ABlockedTagIsADependentOfTheTag) {
  v1::Dataset dataset = WithFields("ns", "t", {"a", "b"});
  dataset.mutable_fields(0)->add_blocked_tags("Finance");
  dataset.mutable_fields(1)->add_tags("Finance");
  dataset.mutable_fields(1)->add_blocked_tags("Finance");  // both: named once
  ASSERT_OK(PutDataset(dataset));
  EXPECT_THAT(ReadOne([](ReadTxn& txn) { return txn.TagDependents("Finance", 10); }),
              IsOkAndHolds(ElementsAre("ns:t:a", "ns:t:b")));
  EXPECT_THAT(Write([](WriteTxn& txn) { return txn.DeleteTag("Finance"); }),
              StatusIs(absl::StatusCode::kFailedPrecondition, "ns:t:a"));

  ASSERT_OK(PutDataset(WithFields("ns", "t", {"a", "b"})));
  EXPECT_OK(Write([](WriteTxn& txn) { return txn.DeleteTag("Finance"); }));
}

// -------------------------------------------------------------------- row ids

TEST_P(LineageTest, DatasetRowIdFindsDeletedDatasetsButNotMissingOnes) {
  EXPECT_GT(src_, 0);
  EXPECT_NE(src_, dst_);
  v1::Dataset deleted = Dataset("ns", "gone");
  deleted.set_deleted(true);
  ASSERT_OK(PutDataset(deleted));
  EXPECT_OK(DatasetId("ns", "gone").status());
  EXPECT_THAT(DatasetId("ns", "never"), StatusIs(absl::StatusCode::kNotFound, "never"));
  EXPECT_THAT(DatasetId("nowhere", "src"), StatusIs(absl::StatusCode::kNotFound, "src"));
}

TEST_P(LineageTest, FieldsOfDatasetAreInOrdinalOrderWithTheirIdentity) {
  v1::Dataset dataset = WithFields("ns", "t", {"second", "first"});
  dataset.mutable_fields(0)->set_ordinal_position(2);
  dataset.mutable_fields(0)->set_type("INT");
  dataset.mutable_fields(1)->set_ordinal_position(1);
  ASSERT_OK(PutDataset(dataset));
  ASSERT_OK_AND_ASSIGN(int64_t t, DatasetId("ns", "t"));
  ASSERT_OK_AND_ASSIGN(std::vector<FieldInfo> fields,
                       ReadOne([&](ReadTxn& txn) { return txn.FieldsOfDataset(t); }));
  ASSERT_EQ(fields.size(), 2u);
  EXPECT_EQ(fields[0].field, "first");
  EXPECT_EQ(fields[1].field, "second");
  EXPECT_EQ(fields[1].type, "INT");
  for (const FieldInfo& info : fields) {
    EXPECT_EQ(info.dataset_id, t);
    EXPECT_EQ(info.ns, "ns");
    EXPECT_EQ(info.dataset, "t");
  }
  EXPECT_NE(fields[0].id, fields[1].id);

  ASSERT_OK(PutDataset(Dataset("ns", "empty")));
  ASSERT_OK_AND_ASSIGN(int64_t empty, DatasetId("ns", "empty"));
  EXPECT_THAT(ReadOne([&](ReadTxn& txn) { return txn.FieldsOfDataset(empty); }),
              IsOkAndHolds(IsEmpty()));
  EXPECT_THAT(ReadOne([](ReadTxn& txn) { return txn.FieldsOfDataset(987654); }),
              StatusIs(absl::StatusCode::kNotFound, ""));
}

TEST_P(LineageTest, LookupsByIdSkipUnknownIds) {
  int64_t a = FieldId("src", "a");
  int64_t x = FieldId("dst", "x");
  ASSERT_OK_AND_ASSIGN(std::vector<FieldInfo> fields, ReadOne([&](ReadTxn& txn) {
                         return txn.FieldsById({x, 987654, a, -1});
                       }));
  EXPECT_THAT(fields, UnorderedElementsAre(::testing::Field(&FieldInfo::field, "a"),
                                           ::testing::Field(&FieldInfo::field, "x")));
  for (const FieldInfo& info : fields) {
    EXPECT_EQ(info.id, info.field == "a" ? a : x);
    EXPECT_EQ(info.dataset_id, info.field == "a" ? src_ : dst_);
    EXPECT_EQ(info.dataset, info.field == "a" ? "src" : "dst");
    EXPECT_EQ(info.ns, "ns");
  }

  v1::Dataset deleted = WithFields("ns", "dst", {"x", "y"});
  deleted.set_deleted(true);
  ASSERT_OK(PutDataset(deleted));
  ASSERT_OK_AND_ASSIGN(std::vector<DatasetInfo> datasets, ReadOne([&](ReadTxn& txn) {
                         return txn.DatasetsById({dst_, 987654, src_});
                       }));
  std::sort(datasets.begin(), datasets.end(),
            [](const DatasetInfo& l, const DatasetInfo& r) { return l.name < r.name; });
  ASSERT_EQ(datasets.size(), 2u);
  EXPECT_EQ(datasets[0].id, dst_);
  EXPECT_EQ(datasets[0].ns, "ns");
  EXPECT_EQ(datasets[0].name, "dst");
  EXPECT_TRUE(datasets[0].deleted);
  EXPECT_EQ(datasets[1].id, src_);
  EXPECT_FALSE(datasets[1].deleted);

  ASSERT_OK_AND_ASSIGN(int64_t other, PutJob("etl", "other"));
  ASSERT_OK_AND_ASSIGN(std::vector<JobInfo> jobs, ReadOne([&](ReadTxn& txn) {
                         return txn.JobsById({987654, other, job_});
                       }));
  EXPECT_THAT(jobs, UnorderedElementsAre(::testing::Field(&JobInfo::name, "load"),
                                         ::testing::Field(&JobInfo::name, "other")));
  for (const JobInfo& info : jobs) {
    EXPECT_EQ(info.id, info.name == "load" ? job_ : other);
    EXPECT_EQ(info.ns, "etl");
  }

  EXPECT_THAT(ReadOne([](ReadTxn& txn) { return txn.FieldsById({}); }), IsOkAndHolds(IsEmpty()));
  EXPECT_THAT(ReadOne([](ReadTxn& txn) { return txn.DatasetsById({42424242}); }),
              IsOkAndHolds(IsEmpty()));
  EXPECT_THAT(ReadOne([](ReadTxn& txn) { return txn.JobsById({}); }), IsOkAndHolds(IsEmpty()));
}

TEST_P(LineageTest, FieldsTaggedFindsTheTagAndItsDescendantsOnLiveDatasets) {
  ASSERT_OK(PutTag("PIIX"));  // shares a prefix with PII but is no child of it
  v1::Dataset customers = WithFields("ns", "customers", {"email", "name", "plain", "both"});
  customers.add_tags("PII");  // a dataset tag is not a column's
  customers.mutable_fields(0)->add_tags("PII.Email");
  customers.mutable_fields(1)->add_tags("PII");
  customers.mutable_fields(2)->add_tags("PIIX");
  customers.mutable_fields(2)->add_blocked_tags("PII");  // blocking is not carrying
  customers.mutable_fields(3)->add_tags("PII");
  customers.mutable_fields(3)->add_tags("PII.Email");  // listed once
  ASSERT_OK(PutDataset(customers));
  v1::Dataset gone = WithFields("other", "gone", {"email"});
  gone.mutable_fields(0)->add_tags("PII");
  gone.set_deleted(true);
  ASSERT_OK(PutDataset(gone));

  auto names = [](const std::vector<FieldInfo>& fields) {
    std::vector<std::string> out;
    for (const FieldInfo& info : fields) out.push_back(info.dataset + ":" + info.field);
    return out;
  };
  ASSERT_OK_AND_ASSIGN(std::vector<FieldInfo> pii,
                       ReadOne([](ReadTxn& txn) { return txn.FieldsTagged("PII"); }));
  EXPECT_THAT(names(pii),
              UnorderedElementsAre("customers:email", "customers:name", "customers:both"));
  ASSERT_OK_AND_ASSIGN(std::vector<FieldInfo> email,
                       ReadOne([](ReadTxn& txn) { return txn.FieldsTagged("PII.Email"); }));
  EXPECT_THAT(names(email), UnorderedElementsAre("customers:email", "customers:both"));
  EXPECT_EQ(email[0].ns, "ns");
  EXPECT_THAT(ReadOne([](ReadTxn& txn) { return txn.FieldsTagged("Finance"); }),
              IsOkAndHolds(IsEmpty()));
  EXPECT_THAT(ReadOne([](ReadTxn& txn) { return txn.FieldsTagged("Unknown"); }),
              IsOkAndHolds(IsEmpty()));
}

TEST_P(LineageTest, FieldTagsByIdAnswersTagsAndBlocksOfTheGivenColumns) {
  ASSERT_OK(PutTag("PIIX"));
  v1::Dataset customers = WithFields("ns", "customers", {"email", "plain", "untagged"});
  customers.add_tags("PII");  // a dataset tag is not a column's
  customers.mutable_fields(0)->add_tags("PII.Email");
  customers.mutable_fields(0)->add_tags("PIIX");
  customers.mutable_fields(1)->add_blocked_tags("PII");
  ASSERT_OK(PutDataset(customers));
  v1::Dataset gone = WithFields("other", "gone", {"email"});
  gone.mutable_fields(0)->add_tags("PII");
  gone.set_deleted(true);  // still answered: propagation decides what counts
  ASSERT_OK(PutDataset(gone));

  std::vector<int64_t> ids = {FieldId("customers", "email"), FieldId("customers", "plain"),
                              FieldId("customers", "untagged"), FieldId("gone", "email", "other")};
  ids.push_back(42424242);  // unknown: skipped
  ASSERT_OK_AND_ASSIGN(std::vector<FieldTagRow> rows,
                       ReadOne([&](ReadTxn& txn) { return txn.FieldTagsById(ids); }));
  std::vector<std::string> seen;
  for (const FieldTagRow& row : rows) {
    seen.push_back(absl::StrCat(row.field_id, row.blocked ? " blocks " : " carries ", row.tag));
  }
  EXPECT_THAT(seen, UnorderedElementsAre(absl::StrCat(ids[0], " carries PII.Email"),
                                         absl::StrCat(ids[0], " carries PIIX"),
                                         absl::StrCat(ids[1], " blocks PII"),
                                         absl::StrCat(ids[3], " carries PII")));
  EXPECT_THAT(ReadOne([](ReadTxn& txn) { return txn.FieldTagsById({}); }),
              IsOkAndHolds(IsEmpty()));
}

// --------------------------------------------------------------- column edges

TEST_P(LineageTest, InsertedEdgesRoundTrip) {
  ColumnEdgeRow to_column = Edge("a", "x");
  to_column.description = "copied";
  to_column.masking = true;
  to_column.first_seen = 10;
  to_column.last_seen = 30;
  to_column.valid_from = 20;
  ASSERT_OK_AND_ASSIGN(to_column.id, Insert(to_column));
  ColumnEdgeRow to_dataset = Edge("b", "");
  to_dataset.type = "INDIRECT";
  to_dataset.subtype = "";
  ASSERT_OK_AND_ASSIGN(to_dataset.id, Insert(to_dataset));
  ColumnEdgeRow closed = Edge("c", "y");
  closed.valid_to = 500;
  ASSERT_OK_AND_ASSIGN(closed.id, Insert(closed));
  EXPECT_GT(to_column.id, 0);
  EXPECT_NE(to_column.id, to_dataset.id);

  ASSERT_OK_AND_ASSIGN(std::vector<ColumnEdgeRow> all, AllEdges());
  std::sort(all.begin(), all.end(),
            [](const ColumnEdgeRow& l, const ColumnEdgeRow& r) { return l.id < r.id; });
  ASSERT_EQ(all.size(), 3u);
  ExpectSameEdge(all[0], to_column);
  ExpectSameEdge(all[1], to_dataset);
  ExpectSameEdge(all[2], closed);
  EXPECT_EQ(all[1].target_field, 0);
  EXPECT_EQ(all[0].valid_to, kOpenEnd);

  ASSERT_OK_AND_ASSIGN(std::vector<ColumnEdgeRow> open,
                       ReadOne([&](ReadTxn& txn) { return txn.OpenEdgesInto(job_, dst_); }));
  EXPECT_THAT(Ids(open), UnorderedElementsAre(to_column.id, to_dataset.id));
}

TEST_P(LineageTest, InsertColumnEdgeChecksItsReferences) {
  ColumnEdgeRow bad = Edge("a", "x");
  bad.source_field = 987654;
  EXPECT_THAT(Insert(bad), StatusIs(absl::StatusCode::kFailedPrecondition, "987654"));
  bad = Edge("a", "x");
  bad.target_dataset = 987654;
  EXPECT_THAT(Insert(bad), StatusIs(absl::StatusCode::kFailedPrecondition, "987654"));
  bad = Edge("a", "x");
  bad.target_field = 987654;
  EXPECT_THAT(Insert(bad), StatusIs(absl::StatusCode::kFailedPrecondition, "987654"));
  bad = Edge("a", "x");
  bad.job = 987654;
  EXPECT_THAT(Insert(bad), StatusIs(absl::StatusCode::kFailedPrecondition, "987654"));
  // The target field must belong to the target dataset.
  bad = Edge("a", "x");
  bad.target_field = FieldId("src", "b");
  EXPECT_THAT(Insert(bad), StatusIs(absl::StatusCode::kInvalidArgument, "not a column"));
  EXPECT_THAT(AllEdges(), IsOkAndHolds(IsEmpty()));
}

TEST_P(LineageTest, UpdateColumnEdgeClosesAndReopens) {
  ASSERT_OK_AND_ASSIGN(int64_t id, Insert(Edge("a", "x")));
  ASSERT_OK(Write([&](WriteTxn& txn) { return txn.UpdateColumnEdge(id, 200, kOpenEnd); }));
  ASSERT_OK_AND_ASSIGN(std::vector<ColumnEdgeRow> open,
                       ReadOne([&](ReadTxn& txn) { return txn.OpenEdgesInto(job_, dst_); }));
  ASSERT_EQ(open.size(), 1u);
  EXPECT_EQ(open[0].last_seen, 200);
  EXPECT_EQ(open[0].first_seen, 100);

  ASSERT_OK(Write([&](WriteTxn& txn) { return txn.UpdateColumnEdge(id, 200, 300); }));
  EXPECT_THAT(ReadOne([&](ReadTxn& txn) { return txn.OpenEdgesInto(job_, dst_); }),
              IsOkAndHolds(IsEmpty()));
  EXPECT_THAT(ReadOne([&](ReadTxn& txn) { return txn.OpenEdgesOfDataset(dst_); }),
              IsOkAndHolds(IsEmpty()));
  ASSERT_OK_AND_ASSIGN(std::vector<ColumnEdgeRow> all, AllEdges());
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].valid_to, 300);
  EXPECT_EQ(all[0].valid_from, 100);

  ASSERT_OK(Write([&](WriteTxn& txn) { return txn.UpdateColumnEdge(id, 400, kOpenEnd); }));
  EXPECT_THAT(ReadOne([&](ReadTxn& txn) { return txn.OpenEdgesInto(job_, dst_); }),
              IsOkAndHolds(ElementsAre(::testing::Field(&ColumnEdgeRow::valid_to, kOpenEnd))));

  EXPECT_THAT(Write([](WriteTxn& txn) { return txn.UpdateColumnEdge(987654, 1, 2); }),
              StatusIs(absl::StatusCode::kNotFound, "987654"));
}

TEST_P(LineageTest, OpenEdgesIntoFiltersByJobAndTargetDataset) {
  ASSERT_OK(PutDataset(WithFields("ns", "third", {"z"})));
  ASSERT_OK_AND_ASSIGN(int64_t third, DatasetId("ns", "third"));
  ASSERT_OK_AND_ASSIGN(int64_t other_job, PutJob("etl", "other"));

  ASSERT_OK_AND_ASSIGN(int64_t mine, Insert(Edge("a", "x")));
  ASSERT_OK_AND_ASSIGN(int64_t whole, Insert(Edge("b", "")));
  ColumnEdgeRow by_other = Edge("a", "y");
  by_other.job = other_job;
  ASSERT_OK_AND_ASSIGN(int64_t other, Insert(by_other));
  ColumnEdgeRow elsewhere = Edge("a", "");
  elsewhere.target_dataset = third;
  elsewhere.target_field = FieldId("third", "z");
  ASSERT_OK_AND_ASSIGN(int64_t into_third, Insert(elsewhere));
  ColumnEdgeRow closed = Edge("c", "x");
  closed.valid_to = 150;
  ASSERT_OK(Insert(closed).status());

  EXPECT_THAT(ReadOne([&](ReadTxn& txn) { return txn.OpenEdgesInto(job_, dst_); }),
              IsOkAndHolds(::testing::ResultOf(Ids, UnorderedElementsAre(mine, whole))));
  EXPECT_THAT(ReadOne([&](ReadTxn& txn) { return txn.OpenEdgesInto(other_job, dst_); }),
              IsOkAndHolds(::testing::ResultOf(Ids, ElementsAre(other))));
  EXPECT_THAT(ReadOne([&](ReadTxn& txn) { return txn.OpenEdgesInto(job_, third); }),
              IsOkAndHolds(::testing::ResultOf(Ids, ElementsAre(into_third))));
  EXPECT_THAT(ReadOne([&](ReadTxn& txn) { return txn.OpenEdgesInto(other_job, src_); }),
              IsOkAndHolds(IsEmpty()));
}

TEST_P(LineageTest, OpenEdgesOfDatasetTakesEdgesInAndOut) {
  ASSERT_OK(PutDataset(WithFields("ns", "third", {"z"})));
  ASSERT_OK_AND_ASSIGN(int64_t third, DatasetId("ns", "third"));
  ASSERT_OK_AND_ASSIGN(int64_t into_dst, Insert(Edge("a", "x")));
  ASSERT_OK_AND_ASSIGN(int64_t into_dst_whole, Insert(Edge("b", "")));
  // dst.x -> third.z: out of dst.
  ColumnEdgeRow onward;
  onward.source_field = FieldId("dst", "x");
  onward.target_dataset = third;
  onward.target_field = FieldId("third", "z");
  onward.job = job_;
  onward.type = "DIRECT";
  ASSERT_OK_AND_ASSIGN(int64_t out_of_dst, Insert(onward));
  // dst.x -> dst.y: in and out, listed once.
  ColumnEdgeRow internal = onward;
  internal.target_dataset = dst_;
  internal.target_field = FieldId("dst", "y");
  ASSERT_OK_AND_ASSIGN(int64_t within_dst, Insert(internal));
  ColumnEdgeRow closed = Edge("c", "y");
  closed.valid_to = 120;
  ASSERT_OK(Insert(closed).status());

  EXPECT_THAT(ReadOne([&](ReadTxn& txn) { return txn.OpenEdgesOfDataset(dst_); }),
              IsOkAndHolds(::testing::ResultOf(
                  Ids, UnorderedElementsAre(into_dst, into_dst_whole, out_of_dst, within_dst))));
  EXPECT_THAT(
      ReadOne([&](ReadTxn& txn) { return txn.OpenEdgesOfDataset(src_); }),
      IsOkAndHolds(::testing::ResultOf(Ids, UnorderedElementsAre(into_dst, into_dst_whole))));
  EXPECT_THAT(ReadOne([&](ReadTxn& txn) { return txn.OpenEdgesOfDataset(third); }),
              IsOkAndHolds(::testing::ResultOf(Ids, ElementsAre(out_of_dst))));
  EXPECT_THAT(ReadOne([](ReadTxn& txn) { return txn.OpenEdgesOfDataset(987654); }),
              IsOkAndHolds(IsEmpty()));
}

TEST_P(LineageTest, RemovingAFieldDropsItsEdges) {
  ASSERT_OK_AND_ASSIGN(int64_t from_a, Insert(Edge("a", "x")));
  ASSERT_OK_AND_ASSIGN(int64_t into_y, Insert(Edge("b", "y")));
  ASSERT_OK_AND_ASSIGN(int64_t kept, Insert(Edge("b", "x")));
  ASSERT_OK_AND_ASSIGN(int64_t whole, Insert(Edge("c", "")));
  ColumnEdgeRow closed_from_a = Edge("a", "");
  closed_from_a.valid_to = 150;
  ASSERT_OK(Insert(closed_from_a).status());

  ASSERT_OK(PutDataset(WithFields("ns", "src", {"b", "c"})));  // a goes
  ASSERT_OK(PutDataset(WithFields("ns", "dst", {"x"})));       // y goes
  ASSERT_OK_AND_ASSIGN(std::vector<ColumnEdgeRow> all, AllEdges());
  EXPECT_THAT(Ids(all), UnorderedElementsAre(kept, whole));
  EXPECT_NE(from_a, into_y);

  // A field that comes back is a new column, without the old lineage.
  ASSERT_OK(PutDataset(WithFields("ns", "src", {"a", "b", "c"})));
  EXPECT_THAT(AllEdges(),
              IsOkAndHolds(::testing::ResultOf(Ids, UnorderedElementsAre(kept, whole))));
}

TEST_P(LineageTest, EdgesAndJobIoSurviveASoftDelete) {
  ASSERT_OK_AND_ASSIGN(int64_t edge, Insert(Edge("a", "x")));
  ASSERT_OK(
      UpsertJobIo({.job = job_, .dataset = dst_, .output = true, .first_seen = 1, .last_seen = 2}));
  v1::Dataset deleted = WithFields("ns", "dst", {"x", "y"});
  deleted.set_deleted(true);
  ASSERT_OK(PutDataset(deleted));
  EXPECT_THAT(ReadOne([&](ReadTxn& txn) { return txn.OpenEdgesInto(job_, dst_); }),
              IsOkAndHolds(::testing::ResultOf(Ids, ElementsAre(edge))));
  EXPECT_THAT(AllJobIo(), IsOkAndHolds(ElementsAre(::testing::Field(&JobIoRow::dataset, dst_))));
}

// --------------------------------------------------------------------- job io

TEST_P(LineageTest, UpsertJobIoWidensTheSeenInterval) {
  ASSERT_OK(UpsertJobIo(
      {.job = job_, .dataset = src_, .output = false, .first_seen = 100, .last_seen = 200}));
  ASSERT_OK(UpsertJobIo(
      {.job = job_, .dataset = src_, .output = false, .first_seen = 150, .last_seen = 180}));
  ASSERT_OK(UpsertJobIo(
      {.job = job_, .dataset = src_, .output = false, .first_seen = 50, .last_seen = 50}));
  ASSERT_OK(UpsertJobIo(
      {.job = job_, .dataset = src_, .output = false, .first_seen = 300, .last_seen = 300}));
  // The same pair as an output is a row of its own.
  ASSERT_OK(
      UpsertJobIo({.job = job_, .dataset = src_, .output = true, .first_seen = 7, .last_seen = 8}));

  ASSERT_OK_AND_ASSIGN(std::vector<JobIoRow> rows, AllJobIo());
  std::sort(rows.begin(), rows.end(),
            [](const JobIoRow& l, const JobIoRow& r) { return l.output < r.output; });
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].job, job_);
  EXPECT_EQ(rows[0].dataset, src_);
  EXPECT_FALSE(rows[0].output);
  EXPECT_EQ(rows[0].first_seen, 50);
  EXPECT_EQ(rows[0].last_seen, 300);
  EXPECT_TRUE(rows[1].output);
  EXPECT_EQ(rows[1].first_seen, 7);
  EXPECT_EQ(rows[1].last_seen, 8);
}

TEST_P(LineageTest, UpsertJobIoChecksItsReferences) {
  EXPECT_THAT(UpsertJobIo({.job = 987654, .dataset = src_}),
              StatusIs(absl::StatusCode::kFailedPrecondition, "987654"));
  EXPECT_THAT(UpsertJobIo({.job = job_, .dataset = 987654}),
              StatusIs(absl::StatusCode::kFailedPrecondition, "987654"));
  EXPECT_THAT(AllJobIo(), IsOkAndHolds(IsEmpty()));
}

TEST_P(LineageTest, GetJobListsInputsAndOutputsByDatasetName) {
  ASSERT_OK(PutDataset(Dataset("other", "aaa")));
  ASSERT_OK(PutDataset(Dataset("ns", "zzz")));
  ASSERT_OK_AND_ASSIGN(int64_t aaa, DatasetId("other", "aaa"));
  ASSERT_OK_AND_ASSIGN(int64_t zzz, DatasetId("ns", "zzz"));
  for (int64_t input : {aaa, src_, zzz}) {
    ASSERT_OK(UpsertJobIo({.job = job_, .dataset = input, .first_seen = 1, .last_seen = 1}));
  }
  ASSERT_OK(
      UpsertJobIo({.job = job_, .dataset = dst_, .output = true, .first_seen = 1, .last_seen = 1}));

  ASSERT_OK_AND_ASSIGN(v1::Job job,
                       ReadOne([](ReadTxn& txn) { return txn.GetJob("etl", "load"); }));
  std::vector<std::string> inputs;
  for (const v1::DatasetId& id : job.inputs()) inputs.push_back(id.namespace_() + ":" + id.name());
  EXPECT_THAT(inputs, ElementsAre("ns:src", "ns:zzz", "other:aaa"));
  ASSERT_EQ(job.outputs_size(), 1);
  EXPECT_EQ(job.outputs(0).namespace_(), "ns");
  EXPECT_EQ(job.outputs(0).name(), "dst");
}

// -------------------------------------------------------------------- renames

TEST_P(LineageTest, RenameKeepsIdentityFieldsLinksAndLineage) {
  v1::Dataset dataset = WithFields("ns", "src", {"a", "b", "c"});
  dataset.add_tags("Finance");
  dataset.mutable_fields(0)->add_tags("PII");
  dataset.mutable_fields(1)->add_blocked_tags("PII");
  ASSERT_OK(PutDataset(dataset));
  int64_t a = FieldId("src", "a");
  ASSERT_OK_AND_ASSIGN(int64_t edge, Insert(Edge("a", "x")));
  ASSERT_OK(UpsertJobIo({.job = job_, .dataset = src_, .first_seen = 1, .last_seen = 1}));

  ASSERT_OK(
      Write([](WriteTxn& txn) { return txn.RenameDataset("ns", "src", "other", "renamed"); }));

  EXPECT_THAT(GetDataset("ns", "src"), StatusIs(absl::StatusCode::kNotFound, "src"));
  ASSERT_OK_AND_ASSIGN(v1::Dataset got, GetDataset("other", "renamed"));
  EXPECT_EQ(got.namespace_(), "other");
  EXPECT_EQ(got.name(), "renamed");
  EXPECT_THAT(got.tags(), ElementsAre("Finance"));
  EXPECT_THAT(got.fields(0).tags(), ElementsAre("PII"));
  EXPECT_THAT(got.fields(1).blocked_tags(), ElementsAre("PII"));
  EXPECT_THAT(DatasetId("other", "renamed"), IsOkAndHolds(src_));
  EXPECT_EQ(FieldId("renamed", "a", "other"), a);

  ASSERT_OK_AND_ASSIGN(std::vector<FieldInfo> fields,
                       ReadOne([&](ReadTxn& txn) { return txn.FieldsById({a}); }));
  ASSERT_EQ(fields.size(), 1u);
  EXPECT_EQ(fields[0].ns, "other");
  EXPECT_EQ(fields[0].dataset, "renamed");
  EXPECT_THAT(ReadOne([&](ReadTxn& txn) { return txn.OpenEdgesOfDataset(src_); }),
              IsOkAndHolds(::testing::ResultOf(Ids, ElementsAre(edge))));
  ASSERT_OK_AND_ASSIGN(v1::Job job,
                       ReadOne([](ReadTxn& txn) { return txn.GetJob("etl", "load"); }));
  ASSERT_EQ(job.inputs_size(), 1);
  EXPECT_EQ(job.inputs(0).namespace_(), "other");
  EXPECT_EQ(job.inputs(0).name(), "renamed");

  // The old name is free again, as a new dataset.
  ASSERT_OK(PutDataset(Dataset("ns", "src")));
  EXPECT_THAT(DatasetId("ns", "src"), IsOkAndHolds(::testing::Ne(src_)));
}

TEST_P(LineageTest, RenameRefusals) {
  auto rename = [&](const std::string& ns, const std::string& name, const std::string& new_ns,
                    const std::string& new_name) {
    return Write([&](WriteTxn& txn) { return txn.RenameDataset(ns, name, new_ns, new_name); });
  };
  EXPECT_THAT(rename("ns", "missing", "ns", "anything"),
              StatusIs(absl::StatusCode::kNotFound, "missing"));
  EXPECT_THAT(rename("ns", "src", "ns", "dst"), StatusIs(absl::StatusCode::kAlreadyExists, "dst"));
  v1::Dataset deleted = Dataset("other", "gone");
  deleted.set_deleted(true);
  ASSERT_OK(PutDataset(deleted));
  // A deleted dataset still holds its name.
  EXPECT_THAT(rename("ns", "src", "other", "gone"),
              StatusIs(absl::StatusCode::kAlreadyExists, "gone"));
  EXPECT_THAT(rename("ns", "src", "nowhere", "src"),
              StatusIs(absl::StatusCode::kFailedPrecondition, "nowhere"));
  // Renaming to its own name changes nothing.
  EXPECT_OK(rename("ns", "src", "ns", "src"));
  EXPECT_THAT(DatasetId("ns", "src"), IsOkAndHolds(src_));
  EXPECT_THAT(DatasetId("ns", "dst"), IsOkAndHolds(dst_));
}

INSTANTIATE_TEST_SUITE_P(Backends, LineageTest, ::testing::ValuesIn(AllBackends()), BackendName);

}  // namespace
}  // namespace cadastre::store::testing
