// The store conformance suite (see store_conformance.h): the search index
// follows every write of the things it describes, in the same transaction.
#include <set>

#include "tests/store/store_conformance.h"

namespace cadastre::store::testing {
namespace {

using ::testing::IsEmpty;
using ::testing::UnorderedElementsAre;

class SearchIndexTest : public StoreConformanceTest {
 protected:
  // "kind:title" of every document matching the FTS5 query `match`.
  std::vector<std::string> Matching(const std::string& match) {
    std::vector<std::string> out;
    EXPECT_OK(store().Read([&](ReadTxn& txn) {
      return txn.ScanSearchDocs({match, 0, "", ""}, [&](const SearchDocRow& row) {
        out.push_back(absl::StrCat(row.kind, ":", row.title));
      });
    }));
    return out;
  }
  int64_t Generation() {
    absl::StatusOr<int64_t> generation = ReadOne([](ReadTxn& txn) { return txn.SearchGeneration(); });
    EXPECT_TRUE(generation.ok()) << generation.status();
    return generation.value_or(-1);
  }
};

TEST_P(SearchIndexTest, ADatasetAndItsColumnsAreIndexedWithTheirTagsTermsAndOwners) {
  ASSERT_OK(PutNamespace("crm"));
  ASSERT_OK(PutTag("PII"));
  ASSERT_OK(PutTerm("Customer"));
  v1::Dataset dataset = Dataset("crm", "public.customers");
  dataset.set_description("Everyone who bought");
  dataset.set_domain("sales");
  dataset.add_owners()->set_name("team-crm");
  *dataset.add_fields() = Field("email", {"PII"});
  *dataset.add_fields() = Field("customerId", {}, {"Customer"});
  ASSERT_OK(PutDataset(dataset));

  EXPECT_THAT(Matching("bought"), UnorderedElementsAre("1:public.customers"));
  EXPECT_THAT(Matching("email"), UnorderedElementsAre("1:public.customers", "2:email"));
  // Identifier words: customerId is found by "customer" too (and the term
  // by its name).
  EXPECT_THAT(Matching("customer"),
              UnorderedElementsAre("1:public.customers", "2:customerId", "4:Customer"));

  std::vector<SearchDocRow> rows;
  ASSERT_OK(store().Read([&](ReadTxn& txn) {
    return txn.ScanSearchDocs({"", 0, "crm", ""}, [&](const SearchDocRow& row) { rows.push_back(row); });
  }));
  ASSERT_EQ(rows.size(), 3u);  // the dataset and its two columns
  for (const SearchDocRow& row : rows) {
    EXPECT_EQ(row.ns, "crm");
    EXPECT_EQ(row.dataset, "public.customers");
    EXPECT_EQ(row.domain, "sales");
    EXPECT_EQ(row.owners, "team-crm");
    EXPECT_NE(row.dataset_id, 0);
    if (row.kind == v1::SearchHit::DATASET) {
      EXPECT_EQ(row.tags, "PII");  // from its column
      EXPECT_EQ(row.terms, "Customer");
    }
  }

  ASSERT_OK_AND_ASSIGN(std::vector<SearchDocRow> exact,
                       ReadOne([](ReadTxn& txn) { return txn.SearchDocsByKey("customers"); }));
  ASSERT_EQ(exact.size(), 1u);
  EXPECT_EQ(exact[0].exact, 1);  // the last segment only
  ASSERT_OK_AND_ASSIGN(exact,
                       ReadOne([](ReadTxn& txn) { return txn.SearchDocsByKey("crm.public.customers"); }));
  ASSERT_EQ(exact.size(), 1u);
  EXPECT_EQ(exact[0].exact, 2);
}

TEST_P(SearchIndexTest, RewritesDeletesAndRenamesFollowAtOnce) {
  ASSERT_OK(PutNamespace("crm"));
  v1::Dataset dataset = Dataset("crm", "orders");
  *dataset.add_fields() = Field("amount");
  *dataset.add_fields() = Field("discount");
  ASSERT_OK(PutDataset(dataset));
  EXPECT_THAT(Matching("discount"), UnorderedElementsAre("1:orders", "2:discount"));

  // A column removed is unindexed; the one that stays keeps its document.
  dataset.mutable_fields()->RemoveLast();
  ASSERT_OK(PutDataset(dataset));
  EXPECT_THAT(Matching("discount"), IsEmpty());
  EXPECT_THAT(Matching("amount"), UnorderedElementsAre("1:orders", "2:amount"));

  ASSERT_OK(Write([](WriteTxn& txn) { return txn.RenameDataset("crm", "orders", "crm", "sales_orders"); }));
  EXPECT_THAT(Matching("orders"), UnorderedElementsAre("1:sales_orders", "2:amount"));

  dataset.set_name("sales_orders");
  dataset.set_deleted(true);
  ASSERT_OK(PutDataset(dataset));
  EXPECT_THAT(Matching("amount"), IsEmpty());
  dataset.set_deleted(false);
  ASSERT_OK(PutDataset(dataset));
  EXPECT_THAT(Matching("amount"), UnorderedElementsAre("1:sales_orders", "2:amount"));
}

TEST_P(SearchIndexTest, AFailedWriteLeavesTheIndexAsItWas) {
  ASSERT_OK(PutNamespace("crm"));
  EXPECT_FALSE(Write([](WriteTxn& txn) -> absl::Status {
                 v1::Dataset dataset = Dataset("crm", "ghost_table");
                 RETURN_IF_ERROR(txn.PutDataset(dataset));
                 return absl::AbortedError("changed my mind");
               }).ok());
  EXPECT_THAT(Matching("ghost"), IsEmpty());
}

TEST_P(SearchIndexTest, JobsAndTermsAreIndexedAndAnUnchangedWriteChangesNothing) {
  v1::Job job;
  job.set_namespace_("airflow");
  job.set_name("load_revenue");
  job.set_sql("SELECT sum(amount) FROM orders");
  ASSERT_OK(Write([&](WriteTxn& txn) { return txn.PutJob(job).status(); }));
  EXPECT_THAT(Matching("sum"), UnorderedElementsAre("3:load_revenue"));

  v1::GlossaryTerm term;
  term.set_name("Revenue");
  term.set_definition("Income from sales");
  ASSERT_OK(Write([&](WriteTxn& txn) { return txn.PutTerm(term); }));
  EXPECT_THAT(Matching("income"), UnorderedElementsAre("4:Revenue"));

  const int64_t before = Generation();
  ASSERT_OK(Write([&](WriteTxn& txn) { return txn.PutJob(job).status(); }));
  ASSERT_OK(Write([&](WriteTxn& txn) { return txn.PutTerm(term); }));
  EXPECT_EQ(Generation(), before);

  ASSERT_OK(Write([](WriteTxn& txn) { return txn.DeleteTerm("Revenue"); }));
  EXPECT_THAT(Matching("income"), IsEmpty());
  EXPECT_GT(Generation(), before);

  std::set<std::string> words;
  ASSERT_OK(store().Read([&](ReadTxn& txn) {
    return txn.ScanSearchWords([&](std::string_view word) { words.emplace(word); });
  }));
  EXPECT_TRUE(words.count("revenue"));  // the job's name
  EXPECT_FALSE(words.count("income"));  // only the deleted term said it
}

INSTANTIATE_TEST_SUITE_P(Backends, SearchIndexTest, ::testing::ValuesIn(AllBackends()), BackendName);

}  // namespace
}  // namespace cadastre::store::testing
