// The store conformance suite (see store_conformance.h): classifications
// (tags) and glossary terms, and what depends on them.
#include "tests/store/store_conformance.h"

namespace cadastre::store::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::SizeIs;

class GlossaryTest : public StoreConformanceTest {
 protected:
  absl::StatusOr<std::vector<std::string>> TagDependents(const std::string& tag, int limit = 100) {
    return ReadOne([&](ReadTxn& txn) { return txn.TagDependents(tag, limit); });
  }
  absl::StatusOr<std::vector<std::string>> TermDependents(const std::string& term,
                                                          int limit = 100) {
    return ReadOne([&](ReadTxn& txn) { return txn.TermDependents(term, limit); });
  }
  absl::Status DeleteTag(const std::string& name) {
    return Write([&](WriteTxn& txn) { return txn.DeleteTag(name); });
  }
  absl::Status DeleteTerm(const std::string& name) {
    return Write([&](WriteTxn& txn) { return txn.DeleteTerm(name); });
  }
};

// ---------------------------------------------------------------------- tags

TEST_P(GlossaryTest, GetTagMissingIsNotFound) {
  EXPECT_THAT(ReadOne([](ReadTxn& txn) { return txn.GetTag("Secret"); }),
              StatusIs(absl::StatusCode::kNotFound, "Secret"));
}

TEST_P(GlossaryTest, PutTagRoundTripsWithItsParentDerived) {
  v1::Tag root;
  root.set_name("PII");
  root.set_description("personal data");
  root.set_propagate(true);
  root.set_parent("ignored: the parent comes from the name");
  *root.mutable_created_at() = Micros(100);
  *root.mutable_updated_at() = Micros(200);
  v1::Tag child;
  child.set_name("PII.Contact.Email");
  v1::Tag middle;
  middle.set_name("PII.Contact");
  ASSERT_OK(Write([&](WriteTxn& txn) -> absl::Status {
    RETURN_IF_ERROR(txn.PutTag(root));
    RETURN_IF_ERROR(txn.PutTag(middle));
    return txn.PutTag(child);
  }));

  v1::Tag expected_root = root;
  expected_root.set_parent("");
  EXPECT_THAT(ReadOne([](ReadTxn& txn) { return txn.GetTag("PII"); }),
              IsOkAndHolds(EqualsProto(expected_root)));
  ASSERT_OK_AND_ASSIGN(v1::Tag got,
                       ReadOne([](ReadTxn& txn) { return txn.GetTag("PII.Contact.Email"); }));
  EXPECT_EQ(got.parent(), "PII.Contact");
}

TEST_P(GlossaryTest, PutTagReplacesAllButCreatedAt) {
  v1::Tag first;
  first.set_name("PII");
  first.set_description("one");
  first.set_propagate(true);
  *first.mutable_created_at() = Micros(1);
  *first.mutable_updated_at() = Micros(1);
  ASSERT_OK(Write([&](WriteTxn& txn) { return txn.PutTag(first); }));
  v1::Tag second;
  second.set_name("PII");
  second.set_description("two");
  *second.mutable_created_at() = Micros(2);
  *second.mutable_updated_at() = Micros(2);
  ASSERT_OK(Write([&](WriteTxn& txn) { return txn.PutTag(second); }));

  v1::Tag expected = second;
  *expected.mutable_created_at() = Micros(1);
  EXPECT_THAT(ReadOne([](ReadTxn& txn) { return txn.GetTag("PII"); }),
              IsOkAndHolds(EqualsProto(expected)));
}

TEST_P(GlossaryTest, PutTagRequiresItsParent) {
  EXPECT_THAT(PutTag("PII.Email"), StatusIs(absl::StatusCode::kFailedPrecondition, "\"PII\""));
  EXPECT_THAT(ReadOne([](ReadTxn& txn) { return txn.GetTag("PII.Email"); }),
              StatusIs(absl::StatusCode::kNotFound, ""));
}

TEST_P(GlossaryTest, ListTagsIsOrderedByName) {
  for (const char* name : {"Finance", "PII", "PII.Email", "Confidential"}) {
    ASSERT_OK(PutTag(name));
  }
  ASSERT_OK_AND_ASSIGN(std::vector<v1::Tag> tags,
                       ReadOne([](ReadTxn& txn) { return txn.ListTags(); }));
  std::vector<std::string> names;
  for (const v1::Tag& tag : tags) names.push_back(tag.name());
  EXPECT_THAT(names, ElementsAre("Confidential", "Finance", "PII", "PII.Email"));
}

TEST_P(GlossaryTest, TagDependentsNameDatasetsFieldsAndChildren) {
  for (const char* name : {"PII", "PII.Email", "PII.Phone", "Unused"}) {
    ASSERT_OK(PutTag(name));
  }
  ASSERT_OK(PutNamespace("ns"));
  v1::Dataset orders = Dataset("ns", "orders");
  orders.add_tags("PII");
  *orders.add_fields() = Field("buyer", {"PII"});
  ASSERT_OK(PutDataset(orders));
  v1::Dataset customers = Dataset("ns", "customers");
  *customers.add_fields() = Field("name", {"PII"});
  // A deleted dataset still holds its links, and so still counts.
  customers.set_deleted(true);
  ASSERT_OK(PutDataset(customers));

  EXPECT_THAT(TagDependents("PII"),
              IsOkAndHolds(ElementsAre("ns:orders", "ns:customers:name", "ns:orders:buyer",
                                       "PII.Email", "PII.Phone")));
  EXPECT_THAT(TagDependents("PII", 2), IsOkAndHolds(SizeIs(2)));
  EXPECT_THAT(TagDependents("PII", 0), IsOkAndHolds(IsEmpty()));
  EXPECT_THAT(TagDependents("Unused"), IsOkAndHolds(IsEmpty()));
  EXPECT_THAT(TagDependents("Missing"), StatusIs(absl::StatusCode::kNotFound, "Missing"));
}

TEST_P(GlossaryTest, DeleteTagIsRefusedWhileItHasDependents) {
  ASSERT_OK(PutTag("PII"));
  ASSERT_OK(PutTag("PII.Email"));
  ASSERT_OK(PutNamespace("ns"));
  v1::Dataset dataset = Dataset("ns", "customers");
  *dataset.add_fields() = Field("email", {"PII.Email"});
  ASSERT_OK(PutDataset(dataset));

  EXPECT_THAT(DeleteTag("PII.Email"),
              StatusIs(absl::StatusCode::kFailedPrecondition, "ns:customers:email"));
  EXPECT_THAT(DeleteTag("PII"), StatusIs(absl::StatusCode::kFailedPrecondition, "PII.Email"));
  EXPECT_OK(ReadOne([](ReadTxn& txn) { return txn.GetTag("PII.Email"); }).status());

  // Once the field lets go and the child is gone, both can be deleted.
  ASSERT_OK(PutDataset(Dataset("ns", "customers")));
  EXPECT_OK(DeleteTag("PII.Email"));
  EXPECT_OK(DeleteTag("PII"));
  EXPECT_THAT(ReadOne([](ReadTxn& txn) { return txn.GetTag("PII"); }),
              StatusIs(absl::StatusCode::kNotFound, ""));
  EXPECT_THAT(DeleteTag("PII"), StatusIs(absl::StatusCode::kNotFound, "PII"));
}

// --------------------------------------------------------------------- terms

v1::GlossaryTerm FullTerm() {
  v1::GlossaryTerm term;
  term.set_name("Net revenue");
  term.set_definition("Revenue after returns and discounts.");
  term.set_unit("EUR");
  term.set_formula("gross - returns - discounts");
  term.add_synonyms("Net sales");
  term.add_synonyms("Revenue (net)");
  term.add_related_terms("Gross revenue");
  term.set_parent("Revenue");
  term.set_status(v1::APPROVED);
  term.add_reviewers("alice");
  term.add_reviewers("bob");
  *term.mutable_created_at() = Micros(1'000);
  *term.mutable_updated_at() = Micros(2'000);
  return term;
}

TEST_P(GlossaryTest, GetTermMissingIsNotFound) {
  EXPECT_THAT(ReadOne([](ReadTxn& txn) { return txn.GetTerm("Churn"); }),
              StatusIs(absl::StatusCode::kNotFound, "Churn"));
}

TEST_P(GlossaryTest, PutTermRoundTripsAndIgnoresColumns) {
  ASSERT_OK(PutTerm("Revenue"));
  ASSERT_OK(PutTerm("Gross revenue"));
  v1::GlossaryTerm term = FullTerm();
  v1::GlossaryTerm with_columns = term;
  with_columns.add_columns()->set_field("ignored");
  ASSERT_OK(Write([&](WriteTxn& txn) { return txn.PutTerm(with_columns); }));
  EXPECT_THAT(ReadOne([](ReadTxn& txn) { return txn.GetTerm("Net revenue"); }),
              IsOkAndHolds(EqualsProto(term)));
}

TEST_P(GlossaryTest, PutTermReplacesAllButCreatedAt) {
  ASSERT_OK(PutTerm("Revenue"));
  ASSERT_OK(PutTerm("Gross revenue"));
  ASSERT_OK(Write([&](WriteTxn& txn) { return txn.PutTerm(FullTerm()); }));
  v1::GlossaryTerm second;
  second.set_name("Net revenue");
  second.set_definition("changed");
  second.set_status(v1::DEPRECATED);
  *second.mutable_created_at() = Micros(5'000);
  ASSERT_OK(Write([&](WriteTxn& txn) { return txn.PutTerm(second); }));

  v1::GlossaryTerm expected = second;
  *expected.mutable_created_at() = FullTerm().created_at();
  EXPECT_THAT(ReadOne([](ReadTxn& txn) { return txn.GetTerm("Net revenue"); }),
              IsOkAndHolds(EqualsProto(expected)));
}

TEST_P(GlossaryTest, PutTermRequiresItsParentAndRelatedTerms) {
  ASSERT_OK(PutTerm("Revenue"));
  EXPECT_THAT(Write([](WriteTxn& txn) { return txn.PutTerm(FullTerm()); }),
              StatusIs(absl::StatusCode::kFailedPrecondition, "Gross revenue"));
  EXPECT_THAT(PutTerm("Orphan", "No such parent"),
              StatusIs(absl::StatusCode::kFailedPrecondition, "No such parent"));
  EXPECT_THAT(ReadOne([](ReadTxn& txn) { return txn.GetTerm("Orphan"); }),
              StatusIs(absl::StatusCode::kNotFound, ""));
}

TEST_P(GlossaryTest, TermsListLinkedColumnsAndAreOrderedByName) {
  ASSERT_OK(PutTerm("Email"));
  ASSERT_OK(PutTerm("Customer"));
  ASSERT_OK(PutNamespace("b-ns"));
  ASSERT_OK(PutNamespace("a-ns"));
  v1::Dataset crm = Dataset("b-ns", "contacts");
  *crm.add_fields() = Field("mail", {}, {"Email"});
  ASSERT_OK(PutDataset(crm));
  v1::Dataset shop = Dataset("a-ns", "buyers");
  *shop.add_fields() = Field("login", {}, {"Email", "Customer"});
  *shop.add_fields() = Field("email", {}, {"Email"});
  ASSERT_OK(PutDataset(shop));

  auto column = [](const char* ns, const char* dataset, const char* field) {
    v1::ColumnRef ref;
    ref.set_namespace_(ns);
    ref.set_dataset(dataset);
    ref.set_field(field);
    return ref;
  };
  ASSERT_OK_AND_ASSIGN(v1::GlossaryTerm email,
                       ReadOne([](ReadTxn& txn) { return txn.GetTerm("Email"); }));
  EXPECT_THAT(email.columns(), ElementsAre(EqualsProto(column("a-ns", "buyers", "email")),
                                           EqualsProto(column("a-ns", "buyers", "login")),
                                           EqualsProto(column("b-ns", "contacts", "mail"))));

  ASSERT_OK_AND_ASSIGN(std::vector<v1::GlossaryTerm> terms,
                       ReadOne([](ReadTxn& txn) { return txn.ListTerms(); }));
  ASSERT_THAT(terms, SizeIs(2));
  EXPECT_EQ(terms[0].name(), "Customer");
  EXPECT_EQ(terms[1].name(), "Email");
}

TEST_P(GlossaryTest, TermDependentsNameColumnsChildrenAndRelatedTerms) {
  ASSERT_OK(PutTerm("Revenue"));
  ASSERT_OK(PutTerm("Gross revenue", "Revenue"));
  ASSERT_OK(PutTerm("Margin", "", {"Revenue"}));
  ASSERT_OK(PutTerm("Unused"));
  ASSERT_OK(PutNamespace("ns"));
  v1::Dataset sales = Dataset("ns", "sales");
  *sales.add_fields() = Field("amount", {}, {"Revenue"});
  ASSERT_OK(PutDataset(sales));

  EXPECT_THAT(TermDependents("Revenue"),
              IsOkAndHolds(ElementsAre("ns:sales:amount", "Gross revenue", "Margin")));
  EXPECT_THAT(TermDependents("Revenue", 1), IsOkAndHolds(SizeIs(1)));
  EXPECT_THAT(TermDependents("Unused"), IsOkAndHolds(IsEmpty()));
  EXPECT_THAT(TermDependents("Missing"), StatusIs(absl::StatusCode::kNotFound, "Missing"));
}

TEST_P(GlossaryTest, DeleteTermIsRefusedWhileItHasDependents) {
  ASSERT_OK(PutTerm("Revenue"));
  ASSERT_OK(PutTerm("Gross revenue", "Revenue"));
  ASSERT_OK(PutTerm("Margin", "", {"Gross revenue"}));
  ASSERT_OK(PutNamespace("ns"));
  v1::Dataset sales = Dataset("ns", "sales");
  *sales.add_fields() = Field("amount", {}, {"Margin"});
  ASSERT_OK(PutDataset(sales));

  EXPECT_THAT(DeleteTerm("Revenue"),
              StatusIs(absl::StatusCode::kFailedPrecondition, "Gross revenue"));
  EXPECT_THAT(DeleteTerm("Gross revenue"),
              StatusIs(absl::StatusCode::kFailedPrecondition, "Margin"));
  EXPECT_THAT(DeleteTerm("Margin"),
              StatusIs(absl::StatusCode::kFailedPrecondition, "ns:sales:amount"));

  // Unwound from the leaves, every delete succeeds.
  ASSERT_OK(PutDataset(Dataset("ns", "sales")));
  EXPECT_OK(DeleteTerm("Margin"));
  EXPECT_OK(DeleteTerm("Gross revenue"));
  EXPECT_OK(DeleteTerm("Revenue"));
  EXPECT_THAT(ReadOne([](ReadTxn& txn) { return txn.ListTerms(); }), IsOkAndHolds(IsEmpty()));
  EXPECT_THAT(DeleteTerm("Revenue"), StatusIs(absl::StatusCode::kNotFound, "Revenue"));
}

INSTANTIATE_TEST_SUITE_P(Backends, GlossaryTest, ::testing::ValuesIn(AllBackends()), BackendName);

}  // namespace
}  // namespace cadastre::store::testing
