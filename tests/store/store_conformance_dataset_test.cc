// The store conformance suite (see store_conformance.h): datasets.
#include "tests/store/store_conformance.h"

namespace cadastre::store::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

std::vector<std::string> FieldNames(const v1::Dataset& dataset) {
  std::vector<std::string> names;
  for (const v1::Field& field : dataset.fields()) names.push_back(field.name());
  return names;
}

std::vector<std::string> DatasetNames(const Listing<v1::Dataset>& listing) {
  std::vector<std::string> names;
  for (const v1::Dataset& dataset : listing.items) names.push_back(dataset.name());
  return names;
}

// What GetDataset answers for `document`: the document plus its identity.
v1::Dataset AsStored(v1::Dataset document) {
  document.mutable_id()->set_namespace_(document.namespace_());
  document.mutable_id()->set_name(document.name());
  return document;
}

class DatasetTest : public StoreConformanceTest {
 protected:
  void SetUp() override {
    StoreConformanceTest::SetUp();
    if (HasFatalFailure()) return;
    ASSERT_OK(PutNamespace("ns"));
    for (const char* tag : {"PII", "PII.Email", "Finance"}) {
      ASSERT_OK(PutTag(tag));
    }
    ASSERT_OK(PutTerm("Customer"));
    ASSERT_OK(PutTerm("Email address"));
  }

  absl::StatusOr<std::vector<std::string>> TagDependents(const std::string& tag) {
    return ReadOne([&](ReadTxn& txn) { return txn.TagDependents(tag, 100); });
  }
  absl::StatusOr<std::vector<std::string>> TermDependents(const std::string& term) {
    return ReadOne([&](ReadTxn& txn) { return txn.TermDependents(term, 100); });
  }
};

// A dataset with every stored attribute set.
v1::Dataset FullDataset() {
  v1::Dataset dataset = Dataset("ns", "public.customers");
  dataset.set_type(v1::DB_TABLE);
  dataset.set_physical_name("public.customers");
  *dataset.mutable_created_at() = Micros(1'700'000'000'000'001);
  *dataset.mutable_updated_at() = Micros(1'700'000'000'000'002);
  *dataset.mutable_last_modified_at() = Micros(1'700'000'000'000'003);
  dataset.set_source_name("crm");
  dataset.set_description("One row per customer.");
  dataset.set_current_version("3");
  dataset.set_display_name("Customers");
  dataset.set_domain("grid.north");
  dataset.set_update_frequency("daily");
  (*dataset.mutable_custom_properties())["tier"] = "gold";
  (*dataset.mutable_custom_properties())["retention"] = "7y";
  auto& facets = *dataset.mutable_facets()->mutable_fields();
  (*facets["schema"].mutable_struct_value()->mutable_fields())["columns"].set_number_value(3);
  facets["flag"].set_bool_value(true);
  dataset.add_tags("PII");
  dataset.add_tags("Finance");

  v1::Field* id = dataset.add_fields();
  id->set_name("id");
  id->set_type("BIGINT");
  id->set_description("surrogate key");
  id->set_nullable(false);
  id->set_ordinal_position(1);
  id->add_glossary_terms("Customer");
  v1::Field* email = dataset.add_fields();
  email->set_name("email");
  email->set_type("VARCHAR(255)");
  email->set_nullable(true);
  email->set_ordinal_position(2);
  email->add_tags("PII.Email");
  email->add_tags("PII");
  email->add_glossary_terms("Email address");
  email->add_glossary_terms("Customer");
  v1::Field* nested = dataset.add_fields();
  nested->set_name("address.city");  // nullable left unknown
  nested->set_ordinal_position(3);

  v1::Owner* owner = dataset.add_owners();
  owner->set_name("crm-team");
  owner->set_type(v1::TEAM);
  owner->set_role(v1::OWNER);
  v1::Owner* steward = dataset.add_owners();
  steward->set_name("alice");
  steward->set_type(v1::USER);
  steward->set_role(v1::STEWARD);
  dataset.set_deleted(false);
  return dataset;
}

TEST_P(DatasetTest, GetDatasetMissingIsNotFound) {
  EXPECT_THAT(GetDataset("ns", "nothing"), StatusIs(absl::StatusCode::kNotFound, "nothing"));
  EXPECT_THAT(GetDataset("no-such-ns", "nothing"),
              StatusIs(absl::StatusCode::kNotFound, "nothing"));
}

TEST_P(DatasetTest, PutDatasetRoundTripsTheWholeDocument) {
  v1::Dataset dataset = FullDataset();
  ASSERT_OK(PutDataset(dataset));
  ASSERT_OK_AND_ASSIGN(v1::Dataset got, GetDataset("ns", "public.customers"));
  EXPECT_THAT(got, EqualsProto(AsStored(dataset)));
  EXPECT_FALSE(got.fields(2).has_nullable());
}

TEST_P(DatasetTest, PutDatasetReplacesAllButCreatedAt) {
  ASSERT_OK(PutDataset(FullDataset()));
  v1::Dataset smaller = Dataset("ns", "public.customers");
  smaller.set_type(v1::VIEW);
  smaller.set_description("now a view");
  *smaller.mutable_created_at() = Micros(9);
  *smaller.mutable_updated_at() = Micros(10);
  (*smaller.mutable_custom_properties())["tier"] = "silver";
  *smaller.add_fields() = Field("id");
  ASSERT_OK(PutDataset(smaller));

  v1::Dataset expected = AsStored(smaller);
  *expected.mutable_created_at() = FullDataset().created_at();
  EXPECT_THAT(GetDataset("ns", "public.customers"), IsOkAndHolds(EqualsProto(expected)));
}

TEST_P(DatasetTest, PutDatasetRequiresItsNamespace) {
  EXPECT_THAT(PutDataset(Dataset("elsewhere", "t")),
              StatusIs(absl::StatusCode::kFailedPrecondition, "elsewhere"));
  EXPECT_THAT(GetDataset("elsewhere", "t"), StatusIs(absl::StatusCode::kNotFound, ""));
}

TEST_P(DatasetTest, PutDatasetRequiresItsTags) {
  v1::Dataset dataset = Dataset("ns", "t");
  dataset.add_tags("Secret");
  EXPECT_THAT(PutDataset(dataset), StatusIs(absl::StatusCode::kFailedPrecondition, "Secret"));

  v1::Dataset field_tagged = Dataset("ns", "t");
  *field_tagged.add_fields() = Field("a", {"PII", "PII.Phone"});
  EXPECT_THAT(PutDataset(field_tagged),
              StatusIs(absl::StatusCode::kFailedPrecondition, "PII.Phone"));
  EXPECT_THAT(GetDataset("ns", "t"), StatusIs(absl::StatusCode::kNotFound, ""));
}

TEST_P(DatasetTest, PutDatasetRequiresItsGlossaryTerms) {
  v1::Dataset dataset = Dataset("ns", "t");
  *dataset.add_fields() = Field("a", {}, {"Customer", "Revenue"});
  EXPECT_THAT(PutDataset(dataset), StatusIs(absl::StatusCode::kFailedPrecondition, "Revenue"));
  EXPECT_THAT(GetDataset("ns", "t"), StatusIs(absl::StatusCode::kNotFound, ""));
}

TEST_P(DatasetTest, FieldsComeBackInOrdinalOrder) {
  v1::Dataset dataset = Dataset("ns", "t");
  for (auto [name, ordinal] : {std::pair{"c", 3}, {"a", 1}, {"b", 2}}) {
    v1::Field* field = dataset.add_fields();
    field->set_name(name);
    field->set_ordinal_position(ordinal);
  }
  ASSERT_OK(PutDataset(dataset));
  ASSERT_OK_AND_ASSIGN(v1::Dataset got, GetDataset("ns", "t"));
  EXPECT_THAT(FieldNames(got), ElementsAre("a", "b", "c"));
}

TEST_P(DatasetTest, FieldsAreMatchedByNameNotPosition) {
  v1::Dataset before = Dataset("ns", "t");
  *before.add_fields() = Field("a", {"PII"}, {"Customer"});
  *before.add_fields() = Field("b", {"Finance"});
  ASSERT_OK(PutDataset(before));

  // The same columns, swapped: each keeps its own links.
  v1::Dataset after = Dataset("ns", "t");
  *after.add_fields() = Field("b", {"Finance"});
  *after.add_fields() = Field("a", {"PII"}, {"Customer"});
  ASSERT_OK(PutDataset(after));

  ASSERT_OK_AND_ASSIGN(v1::Dataset got, GetDataset("ns", "t"));
  EXPECT_THAT(got, EqualsProto(AsStored(after)));
  EXPECT_THAT(TagDependents("PII"), IsOkAndHolds(ElementsAre("ns:t:a", "PII.Email")));
  EXPECT_THAT(TermDependents("Customer"), IsOkAndHolds(ElementsAre("ns:t:a")));
}

TEST_P(DatasetTest, RemovedFieldsTakeTheirLinksAlong) {
  v1::Dataset before = Dataset("ns", "t");
  *before.add_fields() = Field("gone", {"Finance"}, {"Email address"});
  *before.add_fields() = Field("kept");
  ASSERT_OK(PutDataset(before));

  v1::Dataset after = Dataset("ns", "t");
  *after.add_fields() = Field("kept");
  ASSERT_OK(PutDataset(after));

  ASSERT_OK_AND_ASSIGN(v1::Dataset got, GetDataset("ns", "t"));
  EXPECT_THAT(FieldNames(got), ElementsAre("kept"));
  EXPECT_THAT(TagDependents("Finance"), IsOkAndHolds(IsEmpty()));
  EXPECT_THAT(TermDependents("Email address"), IsOkAndHolds(IsEmpty()));
  ASSERT_OK_AND_ASSIGN(v1::GlossaryTerm term,
                       ReadOne([](ReadTxn& txn) { return txn.GetTerm("Email address"); }));
  EXPECT_THAT(term.columns(), IsEmpty());
  EXPECT_OK(Write([](WriteTxn& txn) -> absl::Status {
    RETURN_IF_ERROR(txn.DeleteTag("Finance"));
    return txn.DeleteTerm("Email address");
  }));

  // A field that comes back later starts without the old links.
  v1::Dataset again = Dataset("ns", "t");
  *again.add_fields() = Field("gone");
  ASSERT_OK(PutDataset(again));
  ASSERT_OK_AND_ASSIGN(got, GetDataset("ns", "t"));
  EXPECT_THAT(got.fields(0).tags(), IsEmpty());
  EXPECT_THAT(got.fields(0).glossary_terms(), IsEmpty());
}

TEST_P(DatasetTest, TagsTermsAndOwnersAreReplaced) {
  ASSERT_OK(PutDataset(FullDataset()));
  v1::Dataset changed = FullDataset();
  changed.clear_tags();
  changed.add_tags("Finance");
  changed.mutable_fields(1)->clear_tags();
  changed.mutable_fields(1)->add_tags("Finance");
  changed.mutable_fields(1)->clear_glossary_terms();
  changed.clear_owners();
  v1::Owner* owner = changed.add_owners();
  owner->set_name("bob");
  owner->set_role(v1::TECHNICAL_OWNER);
  ASSERT_OK(PutDataset(changed));

  EXPECT_THAT(GetDataset("ns", "public.customers"), IsOkAndHolds(EqualsProto(AsStored(changed))));
  EXPECT_THAT(TagDependents("PII"), IsOkAndHolds(ElementsAre("PII.Email")));
  EXPECT_THAT(TermDependents("Email address"), IsOkAndHolds(IsEmpty()));
}

TEST_P(DatasetTest, DeletedDatasetsAreReadButListedOnlyWhenAsked) {
  v1::Dataset deleted = Dataset("ns", "old");
  deleted.set_deleted(true);
  ASSERT_OK(PutDataset(deleted));
  ASSERT_OK(PutDataset(Dataset("ns", "new")));

  ASSERT_OK_AND_ASSIGN(v1::Dataset got, GetDataset("ns", "old"));
  EXPECT_TRUE(got.deleted());

  ASSERT_OK_AND_ASSIGN(auto live,
                       ReadOne([](ReadTxn& txn) { return txn.ListDatasets("ns", Page{}, false); }));
  EXPECT_THAT(DatasetNames(live), ElementsAre("new"));
  EXPECT_EQ(live.total_count, 1);
  ASSERT_OK_AND_ASSIGN(auto all,
                       ReadOne([](ReadTxn& txn) { return txn.ListDatasets("ns", Page{}, true); }));
  EXPECT_THAT(DatasetNames(all), ElementsAre("new", "old"));
  EXPECT_EQ(all.total_count, 2);

  // Putting it again without the flag brings it back.
  ASSERT_OK(PutDataset(Dataset("ns", "old")));
  ASSERT_OK_AND_ASSIGN(got, GetDataset("ns", "old"));
  EXPECT_FALSE(got.deleted());
}

TEST_P(DatasetTest, ListDatasetsIsOrderedPagedCountedAndWhole) {
  ASSERT_OK(PutNamespace("other"));
  ASSERT_OK(PutDataset(Dataset("other", "elsewhere")));
  for (const char* name : {"d3", "d1", "d5", "d2", "d4"}) {
    v1::Dataset dataset = Dataset("ns", name);
    *dataset.add_fields() = Field("f", {"PII"});
    ASSERT_OK(PutDataset(dataset));
  }
  ASSERT_OK_AND_ASSIGN(auto page, ReadOne([](ReadTxn& txn) {
                         return txn.ListDatasets("ns", Page{.limit = 2, .offset = 2}, false);
                       }));
  EXPECT_THAT(DatasetNames(page), ElementsAre("d3", "d4"));
  EXPECT_EQ(page.total_count, 5);
  // Listed datasets are whole documents, like GetDataset's.
  for (const v1::Dataset& dataset : page.items) {
    EXPECT_THAT(dataset, EqualsProto(*GetDataset("ns", dataset.name())));
  }
}

TEST_P(DatasetTest, ListDatasetsOfAnUnknownNamespaceIsNotFound) {
  EXPECT_THAT(ReadOne([](ReadTxn& txn) { return txn.ListDatasets("nowhere", Page{}, true); }),
              StatusIs(absl::StatusCode::kNotFound, "nowhere"));
}

INSTANTIATE_TEST_SUITE_P(Backends, DatasetTest, ::testing::ValuesIn(AllBackends()), BackendName);

}  // namespace
}  // namespace cadastre::store::testing
