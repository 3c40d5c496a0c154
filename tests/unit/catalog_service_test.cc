#include "server/catalog/catalog_service.h"

#include "google/protobuf/util/json_util.h"
#include "server/common/status.h"
#include "tests/unit/service_fixture.h"

namespace cadastre::catalog {
namespace {

v1::Dataset Parse(const char* json) {
  v1::Dataset d;
  EXPECT_TRUE(google::protobuf::util::JsonStringToMessage(json, &d).ok()) << json;
  return d;
}

constexpr char kNs[] = "postgres://crm:5432";

TEST_F(ServiceTest, PutDatasetNeedsItsNamespace) {
  auto result = PutDataset("nowhere", "t", Parse("{}"));
  EXPECT_EQ(result.status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(FieldOf(result.status()), "namespace");
}

TEST_F(ServiceTest, PutDatasetAppliesDefaultsAndReadsBack) {
  PutNamespace(kNs);
  auto put = PutDataset(kNs, "public.customers",
                        Parse(R"({"fields":[{"name":"id"},{"name":"email","type":"text"}],
                                  "owners":[{"name":"crm-team","type":"TEAM"}]})"));
  ASSERT_TRUE(put.ok()) << put.status();
  auto got = GetDataset(kNs, "public.customers");
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(got->type(), v1::DB_TABLE);
  EXPECT_EQ(got->id().namespace_(), kNs);
  EXPECT_EQ(got->fields(1).ordinal_position(), 2);
  EXPECT_EQ(got->owners(0).role(), v1::OWNER);
  EXPECT_EQ(got->current_version(), "1");
}

TEST_F(ServiceTest, IdenticalPutAddsNoVersionAndAChangeAddsOne) {
  PutNamespace(kNs);
  v1::Dataset d = Parse(R"({"description":"v1","fields":[{"name":"a"}]})");
  ASSERT_TRUE(PutDataset(kNs, "t", d).ok());
  clock_.Advance(absl::Seconds(1));
  ASSERT_TRUE(PutDataset(kNs, "t", d).ok());
  d.set_description("v2");
  auto updated = PutDataset(kNs, "t", d);
  ASSERT_TRUE(updated.ok());
  EXPECT_EQ(updated->current_version(), "2");

  v1::ListDatasetVersionsRequest request;
  request.set_namespace_(kNs);
  request.set_name("t");
  auto versions = catalog_->ListDatasetVersions(admin_, request);
  ASSERT_TRUE(versions.ok()) << versions.status();
  ASSERT_EQ(versions->total_count(), 2);
  const v1::DatasetVersion& latest = versions->versions(0);
  EXPECT_EQ(latest.version(), "2");
  EXPECT_EQ(latest.operation(), "UPDATE");
  EXPECT_EQ(latest.created_by(), "admin");
  ASSERT_EQ(latest.changes_size(), 1);
  EXPECT_EQ(latest.changes(0).path(), "description");
  EXPECT_EQ(latest.changes(0).before().string_value(), "v1");
  EXPECT_EQ(latest.changes(0).after().string_value(), "v2");
  EXPECT_EQ(versions->versions(1).operation(), "CREATE");
}

TEST_F(ServiceTest, BadReferencesAreNamedAndChangeNothing) {
  PutNamespace(kNs);
  auto result = PutDataset(kNs, "t", Parse(R"({"fields":[{"name":"a","tags":["PII.Nope"]}]})"));
  EXPECT_EQ(result.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(FieldOf(result.status()), "fields[0].tags[0]");
  EXPECT_EQ(GetDataset(kNs, "t").status().code(), absl::StatusCode::kNotFound);

  result = PutDataset(kNs, "t", Parse(R"({"fields":[{"name":"a"},{"name":"a"}]})"));
  EXPECT_EQ(FieldOf(result.status()), "fields[1].name");
}

TEST_F(ServiceTest, TagsAreHierarchicalAndGuardedByDependents) {
  PutNamespace(kNs);
  auto tag = PutTag("PII.Email");
  ASSERT_TRUE(tag.ok()) << tag.status();
  EXPECT_EQ(tag->parent(), "PII");
  v1::GetTagRequest get;
  get.set_name("PII");
  EXPECT_TRUE(catalog_->GetTag(admin_, get).ok());

  ASSERT_TRUE(PutDataset(kNs, "t", Parse(R"({"fields":[{"name":"email"}]})")).ok());
  v1::TagFieldRequest tag_field;
  tag_field.set_namespace_(kNs);
  tag_field.set_dataset("t");
  tag_field.set_field("email");
  tag_field.set_tag("PII.Email");
  auto tagged = catalog_->TagField(admin_, tag_field);
  ASSERT_TRUE(tagged.ok()) << tagged.status();
  EXPECT_EQ(tagged->fields(0).tags(0), "PII.Email");

  v1::DeleteTagRequest del;
  del.set_name("PII.Email");
  auto refused = catalog_->DeleteTag(admin_, del);
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(refused.status().message().find("email"), std::string::npos) << refused.status();
  del.set_name("PII");  // has a child
  EXPECT_EQ(catalog_->DeleteTag(admin_, del).status().code(), absl::StatusCode::kFailedPrecondition);

  tag_field.set_field("missing");
  auto missing = catalog_->TagField(admin_, tag_field);
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(FieldOf(missing.status()), "field");
}

TEST_F(ServiceTest, SoftDeleteHidesAndRestoreBringsBack) {
  PutNamespace(kNs);
  ASSERT_TRUE(PutDataset(kNs, "t", Parse(R"({"description":"keep me"})")).ok());
  v1::DeleteDatasetRequest del;
  del.set_namespace_(kNs);
  del.set_name("t");
  ASSERT_TRUE(catalog_->DeleteDataset(admin_, del).ok());
  EXPECT_EQ(GetDataset(kNs, "t").status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(catalog_->DeleteDataset(admin_, del).status().code(), absl::StatusCode::kNotFound);
  v1::ListDatasetsRequest list;
  list.set_namespace_(kNs);
  EXPECT_EQ(catalog_->ListDatasets(admin_, list)->total_count(), 0);

  v1::DeleteNamespaceRequest del_ns;
  del_ns.set_name(kNs);
  // Only deleted datasets remain, so the namespace may go.
  v1::RestoreDatasetRequest restore;
  restore.set_namespace_(kNs);
  restore.set_name("t");
  auto restored = catalog_->RestoreDataset(admin_, restore);
  ASSERT_TRUE(restored.ok()) << restored.status();
  EXPECT_EQ(restored->description(), "keep me");
  EXPECT_EQ(catalog_->DeleteNamespace(admin_, del_ns).status().code(),
            absl::StatusCode::kFailedPrecondition);
  ASSERT_TRUE(catalog_->DeleteDataset(admin_, del).ok());
  EXPECT_TRUE(catalog_->DeleteNamespace(admin_, del_ns).ok());
  v1::GetNamespaceRequest get_ns;
  get_ns.set_name(kNs);
  EXPECT_EQ(catalog_->GetNamespace(admin_, get_ns).status().code(), absl::StatusCode::kNotFound);
}

TEST_F(ServiceTest, EveryMethodAsksTheAuthorizer) {
  PutNamespace(kNs);
  v1::PutNamespaceRequest put_ns;
  put_ns.set_name("other");
  EXPECT_EQ(catalog_->PutNamespace(stranger_, put_ns).status().code(),
            absl::StatusCode::kPermissionDenied);
  v1::PutDatasetRequest put;
  put.set_namespace_(kNs);
  put.set_name("t");
  EXPECT_EQ(catalog_->PutDataset(stranger_, put).status().code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(GetDataset(kNs, "t").status().code(), absl::StatusCode::kNotFound);
  v1::ListNamespacesRequest list;
  EXPECT_EQ(catalog_->ListNamespaces(stranger_, list).status().code(),
            absl::StatusCode::kPermissionDenied);
  v1::PutTagRequest tag;
  tag.set_name("PII");
  EXPECT_EQ(catalog_->PutTag(stranger_, tag).status().code(), absl::StatusCode::kPermissionDenied);
}

}  // namespace
}  // namespace cadastre::catalog
