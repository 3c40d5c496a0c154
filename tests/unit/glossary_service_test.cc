#include "server/catalog/glossary_service.h"

#include "server/common/status.h"
#include "tests/unit/service_fixture.h"

namespace cadastre::catalog {
namespace {

class GlossaryTest : public ServiceTest {
 protected:
  absl::StatusOr<v1::GlossaryTerm> Put(const std::string& name, const std::string& parent = "",
                                       v1::TermStatus status = v1::TERM_STATUS_UNSPECIFIED) {
    v1::PutTermRequest request;
    request.set_name(name);
    request.mutable_term()->set_definition("def of " + name);
    request.mutable_term()->set_parent(parent);
    request.mutable_term()->set_status(status);
    return glossary_->PutTerm(admin_, request);
  }
};

TEST_F(GlossaryTest, NewTermsAreDraftAndKeepTheirStatus) {
  auto created = Put("Customer");
  ASSERT_TRUE(created.ok()) << created.status();
  EXPECT_EQ(created->status(), v1::DRAFT);
  ASSERT_TRUE(Put("Customer", "", v1::APPROVED).ok());
  auto kept = Put("Customer");  // no status: keeps APPROVED
  ASSERT_TRUE(kept.ok());
  EXPECT_EQ(kept->status(), v1::APPROVED);
  auto back = Put("Customer", "", v1::DRAFT);
  EXPECT_EQ(back.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(FieldOf(back.status()), "status");
}

TEST_F(GlossaryTest, ParentsMustExistAndNotLoop) {
  auto orphan = Put("Child", "Missing");
  EXPECT_EQ(FieldOf(orphan.status()), "parent");
  ASSERT_TRUE(Put("A").ok());
  ASSERT_TRUE(Put("B", "A").ok());
  ASSERT_TRUE(Put("C", "B").ok());
  auto loop = Put("A", "C");
  EXPECT_EQ(loop.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(FieldOf(loop.status()), "parent");
  EXPECT_EQ(Put("A", "A").status().code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(GlossaryTest, LinkedTermsCannotBeDeleted) {
  PutNamespace("warehouse");
  v1::Dataset d;
  d.add_fields()->set_name("ltv");
  ASSERT_TRUE(PutDataset("warehouse", "marts.customers", d).ok());
  ASSERT_TRUE(Put("Lifetime Value").ok());
  v1::LinkTermRequest link;
  link.set_namespace_("warehouse");
  link.set_dataset("marts.customers");
  link.set_field("ltv");
  link.set_term("Lifetime Value");
  auto linked = glossary_->LinkTerm(admin_, link);
  ASSERT_TRUE(linked.ok()) << linked.status();
  EXPECT_EQ(linked->fields(0).glossary_terms(0), "Lifetime Value");

  v1::GetTermRequest get;
  get.set_name("Lifetime Value");
  auto term = glossary_->GetTerm(admin_, get);
  ASSERT_TRUE(term.ok());
  ASSERT_EQ(term->columns_size(), 1);
  EXPECT_EQ(term->columns(0).field(), "ltv");

  v1::DeleteTermRequest del;
  del.set_name("Lifetime Value");
  EXPECT_EQ(glossary_->DeleteTerm(admin_, del).status().code(),
            absl::StatusCode::kFailedPrecondition);
  ASSERT_TRUE(glossary_->UnlinkTerm(admin_, link).ok());
  EXPECT_TRUE(glossary_->DeleteTerm(admin_, del).ok());
  EXPECT_EQ(glossary_->GetTerm(admin_, get).status().code(), absl::StatusCode::kNotFound);

  link.set_term("Nope");
  auto unknown = glossary_->LinkTerm(admin_, link);
  EXPECT_EQ(unknown.status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(FieldOf(unknown.status()), "term");
}

}  // namespace
}  // namespace cadastre::catalog
