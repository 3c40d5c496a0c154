// The lineage service over a real SQLite store, driven by OpenLineage
// events: a multi-hop pipeline (source -> raw -> curated -> warehouse ->
// dashboard) with a join, an aggregation, a hashing step, a leak of an
// e-mail address and a cycle of views. Expected answers are exact.
#include "server/lineage/lineage_service.h"

#include <gmock/gmock.h>

#include <map>
#include <set>

#include "absl/strings/str_join.h"
#include "google/protobuf/util/time_util.h"
#include "nlohmann/json.hpp"
#include "server/common/status.h"
#include "tests/unit/service_fixture.h"

namespace cadastre::lineage {
namespace {

using google::protobuf::util::TimeUtil;
using nlohmann::json;
using ::testing::ElementsAre;

constexpr char kCrm[] = "postgres://crm:5432";
constexpr char kLake[] = "s3://lake";
constexpr char kDwh[] = "warehouse";
constexpr char kBi[] = "bi";

// One output field and its sources: {namespace, dataset, field, type, subtype, masking}.
struct Source {
  std::string ns, dataset, field, type = "DIRECT", subtype = "IDENTITY";
  bool masking = false;
};
using FieldMap = std::vector<std::pair<std::string, std::vector<Source>>>;

json Transformations(const Source& s) {
  return json::array({{{"type", s.type}, {"subtype", s.subtype}, {"masking", s.masking}}});
}

// A RunEvent of job `job` reading `inputs` and writing one output with the
// given column lineage (and dataset-level sources).
json RunEvent(const std::string& job, const std::string& run_id, const std::string& type,
              const std::string& time, std::vector<std::pair<std::string, std::string>> inputs,
              std::pair<std::string, std::string> output, const FieldMap& fields,
              const std::vector<Source>& dataset_level = {}) {
  json columns = json::object();
  json schema = json::array();
  for (const auto& [name, sources] : fields) {
    json input_fields = json::array();
    for (const Source& s : sources) {
      input_fields.push_back({{"namespace", s.ns},
                              {"name", s.dataset},
                              {"field", s.field},
                              {"transformations", Transformations(s)}});
    }
    columns[name] = {{"inputFields", input_fields}};
    schema.push_back({{"name", name}, {"type", "string"}});
  }
  json dataset = json::array();
  for (const Source& s : dataset_level) {
    dataset.push_back({{"namespace", s.ns},
                       {"name", s.dataset},
                       {"field", s.field},
                       {"transformations", Transformations(s)}});
  }
  json in = json::array();
  for (const auto& [ns, name] : inputs) in.push_back({{"namespace", ns}, {"name", name}});
  return {{"eventType", type},
          {"eventTime", time},
          {"producer", "https://example.com/test"},
          {"schemaURL", "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent"},
          {"run", {{"runId", run_id}}},
          {"job", {{"namespace", "airflow"}, {"name", job}}},
          {"inputs", in},
          {"outputs",
           json::array({{{"namespace", output.first},
                         {"name", output.second},
                         {"facets",
                          {{"schema", {{"fields", schema}}},
                           {"columnLineage", {{"fields", columns}, {"dataset", dataset}}}}}}})}};
}

std::string Uuid(int n) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "01890000-0000-7000-8000-%012d", n);
  return buf;
}

class LineageTest : public catalog::ServiceTest {
 protected:
  void SetUp() override {
    catalog::ServiceTest::SetUp();
    lineage_ = std::make_unique<LineageService>(store_.get(), authorizer_.get(), &clock_);
    ASSERT_TRUE(lineage_->Load().ok());
    catalog_->set_hooks(lineage_.get());
  }
  void TearDown() override {
    catalog_->set_hooks(nullptr);
    lineage_.reset();
    catalog::ServiceTest::TearDown();
  }

  absl::StatusOr<v1::IngestLineageResponse> Ingest(const json& event) {
    v1::IngestLineageRequest request;
    request.set_event(event.dump());
    return lineage_->IngestLineage(admin_, request);
  }
  void MustIngest(const json& event) {
    auto result = Ingest(event);
    ASSERT_TRUE(result.ok()) << result.status();
  }

  // The pipeline, as of 2026-01-01T00:00:00Z; the clock stands at the same
  // place, so "now" means after all of it.
  void BuildPipeline() {
    v1::PutTagRequest tag;
    tag.set_name("PII.Email");
    tag.mutable_tag()->set_propagate(true);
    ASSERT_TRUE(catalog_->PutTag(admin_, tag).ok());
    tag.set_name("PII.Name");
    ASSERT_TRUE(catalog_->PutTag(admin_, tag).ok());

    const std::string t1 = "2026-01-01T00:00:00Z";
    MustIngest(RunEvent("ingest_customers", Uuid(1), "COMPLETE", t1, {{kCrm, "customers"}},
                        {kLake, "customers"},
                        {{"id", {{kCrm, "customers", "id"}}},
                         {"email", {{kCrm, "customers", "email"}}},
                         {"name", {{kCrm, "customers", "name"}}},
                         {"country", {{kCrm, "customers", "country"}}}}));
    MustIngest(RunEvent("ingest_orders", Uuid(2), "COMPLETE", t1, {{kCrm, "orders"}},
                        {kLake, "orders"},
                        {{"customer_id", {{kCrm, "orders", "customer_id"}}},
                         {"amount", {{kCrm, "orders", "amount"}}}}));
    MustIngest(
        RunEvent("curate_customers", Uuid(3), "COMPLETE", t1, {{kLake, "customers"}},
                 {kDwh, "curated.customers"},
                 {{"customer_id", {{kLake, "customers", "id"}}},
                  {"email_hash", {{kLake, "customers", "email", "DIRECT", "TRANSFORMATION", true}}},
                  {"name", {{kLake, "customers", "name"}}},
                  {"country", {{kLake, "customers", "country"}}}}));
    MustIngest(RunEvent("export_contacts", Uuid(4), "COMPLETE", t1, {{kLake, "customers"}},
                        {kDwh, "curated.contacts"},
                        {{"contact_email", {{kLake, "customers", "email"}}}}));
    MustIngest(RunEvent("build_sales", Uuid(5), "COMPLETE", t1,
                        {{kDwh, "curated.customers"}, {kLake, "orders"}},
                        {kDwh, "marts.sales_by_country"},
                        {{"country", {{kDwh, "curated.customers", "country"}}},
                         {"total_amount", {{kLake, "orders", "amount", "DIRECT", "AGGREGATION"}}},
                         {"contact_key", {{kDwh, "curated.customers", "email_hash"}}}},
                        {{kDwh, "curated.customers", "customer_id", "INDIRECT", "JOIN"},
                         {kLake, "orders", "customer_id", "INDIRECT", "JOIN"}}));
    MustIngest(RunEvent("refresh_dashboard", Uuid(6), "COMPLETE", t1,
                        {{kDwh, "marts.sales_by_country"}}, {kBi, "dashboards.sales"},
                        {{"country", {{kDwh, "marts.sales_by_country", "country"}}},
                         {"revenue", {{kDwh, "marts.sales_by_country", "total_amount"}}}}));

    v1::TagFieldRequest classify;
    classify.set_namespace_(kCrm);
    classify.set_dataset("customers");
    classify.set_field("email");
    classify.set_tag("PII.Email");
    ASSERT_TRUE(catalog_->TagField(admin_, classify).ok());
    classify.set_field("name");
    classify.set_tag("PII.Name");
    ASSERT_TRUE(catalog_->TagField(admin_, classify).ok());
    // A steward classified the raw copy of the e-mail too.
    classify.set_namespace_(kLake);
    classify.set_field("email");
    classify.set_tag("PII.Email");
    ASSERT_TRUE(catalog_->TagField(admin_, classify).ok());
  }

  v1::GetLineageResponse Lineage(const std::string& ns, const std::string& dataset,
                                 const std::string& field, v1::LineageDirection direction,
                                 int depth = 10) {
    v1::GetLineageRequest request;
    request.set_namespace_(ns);
    request.set_dataset(dataset);
    request.set_field(field);
    request.set_direction(direction);
    request.set_depth(depth);
    auto result = lineage_->GetLineage(admin_, request);
    EXPECT_TRUE(result.ok()) << result.status();
    return result.ok() ? *result : v1::GetLineageResponse();
  }

  static std::set<std::string> Ids(const v1::GetLineageResponse& response) {
    std::set<std::string> out;
    for (const auto& node : response.nodes()) out.insert(node.id());
    return out;
  }

  std::unique_ptr<LineageService> lineage_;
};

std::string F(const std::string& ns, const std::string& dataset, const std::string& field) {
  return "datasetField:" + ns + ":" + dataset + ":" + field;
}

TEST_F(LineageTest, UpstreamOfARevenueColumnFollowsTheAggregationToTheSource) {
  BuildPipeline();
  auto response = Lineage(kBi, "dashboards.sales", "revenue", v1::UPSTREAM);
  EXPECT_EQ(Ids(response),
            (std::set<std::string>{F(kBi, "dashboards.sales", "revenue"),
                                   F(kDwh, "marts.sales_by_country", "total_amount"),
                                   F(kLake, "orders", "amount"), F(kCrm, "orders", "amount")}));
  EXPECT_FALSE(response.truncated());
  bool saw_aggregation = false;
  for (const auto& edge : response.edges()) {
    if (edge.transformation().subtype() == "AGGREGATION") {
      saw_aggregation = true;
      EXPECT_EQ(edge.job().name(), "build_sales");
      EXPECT_EQ(edge.source(), F(kLake, "orders", "amount"));
    }
  }
  EXPECT_TRUE(saw_aggregation);
}

TEST_F(LineageTest, DownstreamOfAnEmailReachesTheHashAndTheLeak) {
  BuildPipeline();
  auto response = Lineage(kCrm, "customers", "email", v1::DOWNSTREAM);
  EXPECT_EQ(Ids(response),
            (std::set<std::string>{F(kCrm, "customers", "email"), F(kLake, "customers", "email"),
                                   F(kDwh, "curated.customers", "email_hash"),
                                   F(kDwh, "curated.contacts", "contact_email"),
                                   F(kDwh, "marts.sales_by_country", "contact_key")}));
  // Depth bounds the walk and says so.
  auto shallow = Lineage(kCrm, "customers", "email", v1::DOWNSTREAM, 1);
  EXPECT_EQ(shallow.nodes_size(), 2);
  EXPECT_TRUE(shallow.depth_limited());
}

TEST_F(LineageTest, OnlyDirectEdgesWhenAsked) {
  BuildPipeline();
  v1::GetLineageRequest request;
  request.set_namespace_(kLake);
  request.set_dataset("orders");
  request.set_field("customer_id");
  request.set_direction(v1::DOWNSTREAM);
  auto all = lineage_->GetLineage(admin_, request);
  ASSERT_TRUE(all.ok()) << all.status();
  // The join key feeds the whole sales dataset (a dataset-level dependency).
  EXPECT_EQ(Ids(*all), (std::set<std::string>{F(kLake, "orders", "customer_id"),
                                              "dataset:warehouse:marts.sales_by_country"}));
  request.set_transformation_type("DIRECT");
  auto direct = lineage_->GetLineage(admin_, request);
  ASSERT_TRUE(direct.ok());
  EXPECT_EQ(direct->nodes_size(), 1);
  request.set_transformation_type("SIDEWAYS");
  EXPECT_EQ(FieldOf(lineage_->GetLineage(admin_, request).status()), "transformationType");
}

TEST_F(LineageTest, DatasetGranularityWalksDatasetsThroughJobs) {
  BuildPipeline();
  v1::GetLineageRequest request;
  request.set_namespace_(kBi);
  request.set_dataset("dashboards.sales");
  request.set_direction(v1::UPSTREAM);
  auto response = lineage_->GetLineage(admin_, request);
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(Ids(*response),
            (std::set<std::string>{
                "dataset:bi:dashboards.sales", "dataset:warehouse:marts.sales_by_country",
                "dataset:warehouse:curated.customers", "dataset:s3://lake:orders",
                "dataset:s3://lake:customers", "dataset:postgres://crm:5432:orders",
                "dataset:postgres://crm:5432:customers"}));
}

TEST_F(LineageTest, ClassificationsPropagateWithTheirPathAndStopAtMasking) {
  BuildPipeline();
  auto contacts = GetDataset(kDwh, "curated.contacts");
  ASSERT_TRUE(contacts.ok()) << contacts.status();
  const v1::Field& contact = contacts->fields(0);
  ASSERT_GE(contact.inherited_tags_size(), 1) << contacts->DebugString();
  const v1::InheritedTag& nearest = contact.inherited_tags(0);
  EXPECT_EQ(nearest.tag(), "PII.Email");
  EXPECT_EQ(nearest.from(), F(kLake, "customers", "email"));
  EXPECT_EQ(std::vector<std::string>(nearest.path().begin(), nearest.path().end()),
            (std::vector<std::string>{F(kLake, "customers", "email"),
                                      F(kDwh, "curated.contacts", "contact_email")}));

  auto curated = GetDataset(kDwh, "curated.customers");
  ASSERT_TRUE(curated.ok());
  for (const v1::Field& field : curated->fields()) {
    if (field.name() == "email_hash") {
      EXPECT_EQ(field.inherited_tags_size(), 0) << "masking stops propagation";
    }
    if (field.name() == "name") {
      ASSERT_EQ(field.inherited_tags_size(), 1);
      EXPECT_EQ(field.inherited_tags(0).tag(), "PII.Name");
      EXPECT_EQ(field.inherited_tags(0).path_size(), 3);  // crm -> lake -> curated
    }
  }
  // Marquez-style column lineage on the dataset.
  bool found = false;
  for (const auto& entry : curated->column_lineage()) {
    if (entry.name() != "email_hash") continue;
    found = true;
    ASSERT_EQ(entry.input_fields_size(), 1);
    EXPECT_EQ(entry.input_fields(0).field(), "email");
    EXPECT_TRUE(entry.input_fields(0).transformations(0).masking());
    EXPECT_EQ(entry.input_fields(0).transformations(0).job(), "airflow:curate_customers");
  }
  EXPECT_TRUE(found);
}

// GetDataset's BASIC view (the default) names each inherited
// classification's origin but not its path. Its answers are kept between
// reads, so the test reads again after each kind of change: a store write
// (a block) and new lineage (an ingested edge).
TEST_F(LineageTest, TheBasicViewNamesOriginsAndFollowsEveryChange) {
  BuildPipeline();
  auto inherited = [&](const std::string& ns, const std::string& dataset,
                       const std::string& field) {
    auto read = GetDataset(ns, dataset, v1::GetDatasetRequest::BASIC);
    EXPECT_TRUE(read.ok()) << read.status();
    std::set<std::string> out;
    for (const v1::Field& column : read->fields()) {
      if (column.name() != field) continue;
      for (const v1::InheritedTag& tag : column.inherited_tags()) {
        EXPECT_EQ(tag.path_size(), 0) << tag.DebugString();
        out.insert(tag.tag() + " from " + tag.from());
      }
    }
    return out;
  };
  const std::set<std::string> from_crm = {"PII.Name from " + F(kCrm, "customers", "name")};
  EXPECT_EQ(inherited(kDwh, "curated.customers", "name"), from_crm);
  EXPECT_EQ(inherited(kDwh, "curated.customers", "name"), from_crm);  // kept

  v1::BlockPropagationRequest block;
  block.set_namespace_(kLake);
  block.set_dataset("customers");
  block.set_field("name");
  block.set_tag("PII");
  ASSERT_TRUE(lineage_->BlockPropagation(admin_, block).ok());
  EXPECT_EQ(inherited(kDwh, "curated.customers", "name"), std::set<std::string>{});
  ASSERT_TRUE(lineage_->UnblockPropagation(admin_, block).ok());
  EXPECT_EQ(inherited(kDwh, "curated.customers", "name"), from_crm);

  EXPECT_EQ(inherited(kLake, "orders", "amount"), std::set<std::string>{});
  MustIngest(RunEvent("mix", Uuid(30), "COMPLETE", "2026-01-01T00:00:00Z", {{kCrm, "customers"}},
                      {kLake, "orders"}, {{"amount", {{kCrm, "customers", "email"}}}}));
  EXPECT_EQ(inherited(kLake, "orders", "amount"),
            std::set<std::string>{"PII.Email from " + F(kCrm, "customers", "email")});
}

TEST_F(LineageTest, BlockingAndRemovingChangeInheritanceAtOnce) {
  BuildPipeline();
  v1::BlockPropagationRequest block;
  block.set_namespace_(kLake);
  block.set_dataset("customers");
  block.set_field("name");
  block.set_tag("PII");  // blocks PII.Name too
  auto blocked = lineage_->BlockPropagation(admin_, block);
  ASSERT_TRUE(blocked.ok()) << blocked.status();
  auto curated = GetDataset(kDwh, "curated.customers");
  ASSERT_TRUE(curated.ok());
  for (const v1::Field& field : curated->fields()) {
    if (field.name() == "name") {
      EXPECT_EQ(field.inherited_tags_size(), 0);
    }
  }
  ASSERT_TRUE(lineage_->UnblockPropagation(admin_, block).ok());
  // Removing the classification at the source removes what it gave.
  v1::TagFieldRequest untag;
  untag.set_namespace_(kCrm);
  untag.set_dataset("customers");
  untag.set_field("name");
  untag.set_tag("PII.Name");
  ASSERT_TRUE(catalog_->UntagField(admin_, untag).ok());
  curated = GetDataset(kDwh, "curated.customers");
  ASSERT_TRUE(curated.ok()) << curated.status();
  bool checked = false;
  for (const v1::Field& field : curated->fields()) {
    if (field.name() != "name") continue;
    checked = true;
    EXPECT_EQ(field.inherited_tags_size(), 0);
  }
  EXPECT_TRUE(checked);
}

// Classifications that nothing blocks share one walk upstream; a blocked
// one walks alone. Either way a column inherits each classification from
// every carrier upstream, by its shortest path, classifications in name
// order and origins nearest first, and a block of one classification leaves
// the others as they were.
TEST_F(LineageTest, AColumnInheritsEachClassificationAloneWhetherOrNotAnotherIsBlocked) {
  BuildPipeline();
  MustIngest(RunEvent("build_profiles", Uuid(31), "COMPLETE", "2026-01-01T00:00:00Z",
                      {{kLake, "customers"}}, {kDwh, "curated.profiles"},
                      {{"label", {{kLake, "customers", "name"}, {kLake, "customers", "email"}}}}));
  auto inherited = [&]() {
    auto read = GetDataset(kDwh, "curated.profiles", v1::GetDatasetRequest::FULL);
    EXPECT_TRUE(read.ok()) << read.status();
    std::vector<std::string> out;
    for (const v1::Field& column : read->fields()) {
      for (const v1::InheritedTag& tag : column.inherited_tags()) {
        out.push_back(tag.tag() + " via " + absl::StrJoin(tag.path(), " > "));
      }
    }
    return out;
  };
  const std::string label = F(kDwh, "curated.profiles", "label");
  const std::string lake_email = F(kLake, "customers", "email");
  const std::string email = "PII.Email via " + lake_email + " > " + label;
  const std::string crm_email =
      "PII.Email via " + F(kCrm, "customers", "email") + " > " + lake_email + " > " + label;
  const std::string name = "PII.Name via " + F(kCrm, "customers", "name") + " > " +
                           F(kLake, "customers", "name") + " > " + label;
  EXPECT_THAT(inherited(), ElementsAre(email, crm_email, name));

  v1::BlockPropagationRequest block;
  block.set_namespace_(kLake);
  block.set_dataset("customers");
  block.set_field("name");
  block.set_tag("PII.Name");
  ASSERT_TRUE(lineage_->BlockPropagation(admin_, block).ok());
  EXPECT_THAT(inherited(), ElementsAre(email, crm_email));
  ASSERT_TRUE(lineage_->UnblockPropagation(admin_, block).ok());

  // A block on a carrier: it neither passes its classification on nor
  // gives it.
  block.set_field("email");
  block.set_tag("PII.Email");
  ASSERT_TRUE(lineage_->BlockPropagation(admin_, block).ok());
  EXPECT_THAT(inherited(), ElementsAre(name));
  ASSERT_TRUE(lineage_->UnblockPropagation(admin_, block).ok());
  EXPECT_THAT(inherited(), ElementsAre(email, crm_email, name));

  // A carrier of one classification that blocks another: off the other's
  // paths, it changes neither.
  block.set_tag("PII.Name");
  ASSERT_TRUE(lineage_->BlockPropagation(admin_, block).ok());
  EXPECT_THAT(inherited(), ElementsAre(email, crm_email, name));
}

TEST_F(LineageTest, PersonalDataLeaksAreColumnsThatInheritButCarryNoClassification) {
  BuildPipeline();
  auto leaks = lineage_->ListPersonalDataLeaks(admin_, {});
  ASSERT_TRUE(leaks.ok()) << leaks.status();
  std::set<std::string> columns;
  for (const auto& leak : leaks->leaks()) {
    columns.insert(leak.column().dataset() + ":" + leak.column().field());
  }
  EXPECT_EQ(columns, (std::set<std::string>{"curated.contacts:contact_email",
                                            "curated.customers:name", "customers:name"}));
}

// The inventory reads every column's upstream at once; each leak must say
// what a read of its dataset says the column inherits (in the same view),
// and every column a read shows inheriting PII without carrying it must be
// a leak.
TEST_F(LineageTest, PersonalDataLeaksAgreeWithWhatEachDatasetReadShows) {
  BuildPipeline();
  // A block: the contacts column refuses PII.Email, so it leaks no more.
  v1::BlockPropagationRequest block;
  block.set_namespace_(kDwh);
  block.set_dataset("curated.contacts");
  block.set_field("contact_email");
  block.set_tag("PII.Email");
  ASSERT_TRUE(lineage_->BlockPropagation(admin_, block).ok());

  for (auto view : {v1::GetDatasetRequest::VIEW_UNSPECIFIED, v1::GetDatasetRequest::FULL}) {
    SCOPED_TRACE(v1::GetDatasetRequest::View_Name(view));
    v1::ListPersonalDataLeaksRequest request;
    request.set_view(view);
    auto leaks = lineage_->ListPersonalDataLeaks(admin_, request);
    ASSERT_TRUE(leaks.ok()) << leaks.status();
    std::map<std::string, std::string> reported;  // column -> its inherited tags
    for (const auto& leak : leaks->leaks()) {
      v1::PersonalDataLeak inherited;
      *inherited.mutable_inherited() = leak.inherited();
      reported[leak.column().namespace_() + ":" + leak.column().dataset() + ":" +
               leak.column().field()] = inherited.SerializeAsString();
    }
    std::map<std::string, std::string> read;
    for (auto [ns, name] :
         {std::pair{kCrm, "customers"}, std::pair{kLake, "customers"},
          std::pair{kDwh, "curated.customers"}, std::pair{kDwh, "curated.contacts"},
          std::pair{kDwh, "marts.sales_by_country"}, std::pair{kBi, "dashboards.sales"}}) {
      auto dataset = GetDataset(ns, name, view);
      ASSERT_TRUE(dataset.ok()) << dataset.status();
      for (const v1::Field& field : dataset->fields()) {
        bool carries = false;
        for (const std::string& tag : field.tags()) carries |= tag.rfind("PII", 0) == 0;
        if (carries || field.inherited_tags().empty()) continue;
        v1::PersonalDataLeak inherited;
        *inherited.mutable_inherited() = field.inherited_tags();
        read[std::string(ns) + ":" + name + ":" + field.name()] = inherited.SerializeAsString();
      }
    }
    EXPECT_EQ(reported, read);
    EXPECT_FALSE(reported.count(std::string(kDwh) + ":curated.contacts:contact_email"));
    EXPECT_TRUE(reported.count(std::string(kDwh) + ":curated.customers:name"));
    // Paths only in the FULL view.
    bool any_path = false;
    for (const auto& leak : leaks->leaks()) {
      for (const auto& tag : leak.inherited()) any_path |= tag.path_size() > 0;
    }
    EXPECT_EQ(any_path, view == v1::GetDatasetRequest::FULL);
  }
}

TEST_F(LineageTest, PathsAndImpact) {
  BuildPipeline();
  v1::GetLineagePathsRequest paths;
  paths.mutable_from()->set_namespace_(kCrm);
  paths.mutable_from()->set_dataset("customers");
  paths.mutable_from()->set_field("email");
  paths.mutable_to()->set_namespace_(kDwh);
  paths.mutable_to()->set_dataset("marts.sales_by_country");
  paths.mutable_to()->set_field("contact_key");
  auto found = lineage_->GetLineagePaths(admin_, paths);
  ASSERT_TRUE(found.ok()) << found.status();
  ASSERT_EQ(found->paths_size(), 1);
  ASSERT_EQ(found->paths(0).edges_size(), 3);
  EXPECT_EQ(found->paths(0).edges(1).job().name(), "curate_customers");
  EXPECT_TRUE(found->paths(0).edges(1).transformation().masking());

  v1::GetImpactRequest impact;
  impact.set_namespace_(kCrm);
  impact.set_dataset("customers");
  impact.set_field("country");
  auto result = lineage_->GetImpact(admin_, impact);
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->column_count(), 4);
  EXPECT_EQ(result->dataset_count(), 4);
  std::set<std::string> jobs;
  for (const auto& job : result->jobs()) jobs.insert(job.name());
  EXPECT_EQ(jobs, (std::set<std::string>{"ingest_customers", "curate_customers", "build_sales",
                                         "refresh_dashboard"}));
  EXPECT_FALSE(result->truncated());
}

TEST_F(LineageTest, SameEventTwiceChangesNothing) {
  json event = RunEvent("copy", Uuid(10), "COMPLETE", "2026-01-01T00:00:00Z", {{kCrm, "a"}},
                        {kCrm, "b"}, {{"x", {{kCrm, "a", "x"}}}});
  auto first = Ingest(event);
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(first->column_edges_added(), 1);
  auto again = Ingest(event);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->duplicates(), 1);
  EXPECT_EQ(again->column_edges_added(), 0);
  v1::ListLineageEventsRequest list;
  EXPECT_EQ(lineage_->ListLineageEvents(admin_, list)->total_count(), 1);
  auto before = GetDataset(kCrm, "b");
  ASSERT_TRUE(before.ok()) << before.status();
  ASSERT_TRUE(Ingest(event).ok());
  auto after = GetDataset(kCrm, "b");
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(after->current_version(), before->current_version());
}

TEST_F(LineageTest, EdgesHaveAValidityIntervalForAsOfQueries) {
  const std::string t1 = "2026-01-01T00:00:00Z", t2 = "2026-02-01T00:00:00Z";
  ASSERT_TRUE(Ingest(RunEvent("job", Uuid(20), "COMPLETE", t1, {{kCrm, "a"}}, {kCrm, "b"},
                              {{"x", {{kCrm, "a", "x"}}}, {"y", {{kCrm, "a", "y"}}}}))
                  .ok());
  // The next run no longer derives y from a.y: that edge stops holding at t2.
  auto second = Ingest(RunEvent("job", Uuid(21), "COMPLETE", t2, {{kCrm, "a"}}, {kCrm, "b"},
                                {{"x", {{kCrm, "a", "x"}}}}));
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->column_edges_closed(), 1);
  EXPECT_EQ(Lineage(kCrm, "b", "y", v1::UPSTREAM).nodes_size(), 1);
  v1::GetLineageRequest as_of;
  as_of.set_namespace_(kCrm);
  as_of.set_dataset("b");
  as_of.set_field("y");
  as_of.set_direction(v1::UPSTREAM);
  *as_of.mutable_as_of() = TimeUtil::SecondsToTimestamp(1767225600 + 86400);  // 2026-01-02
  auto then = lineage_->GetLineage(admin_, as_of);
  ASSERT_TRUE(then.ok());
  EXPECT_EQ(then->nodes_size(), 2);
  // An older event arriving late closes nothing.
  auto late = Ingest(RunEvent("job", Uuid(22), "COMPLETE", "2025-12-01T00:00:00Z", {{kCrm, "a"}},
                              {kCrm, "b"}, {{"z", {{kCrm, "a", "z"}}}}));
  ASSERT_TRUE(late.ok());
  EXPECT_EQ(late->column_edges_closed(), 0);
  EXPECT_EQ(Lineage(kCrm, "b", "x", v1::UPSTREAM).nodes_size(), 2);
  // What only the late event names held until the newer facet, not now.
  EXPECT_EQ(Lineage(kCrm, "b", "z", v1::UPSTREAM).nodes_size(), 1);
  as_of.set_field("z");
  *as_of.mutable_as_of() = TimeUtil::SecondsToTimestamp(1767225600 - 86400);  // 2025-12-31
  auto history = lineage_->GetLineage(admin_, as_of);
  ASSERT_TRUE(history.ok()) << history.status();
  EXPECT_EQ(history->nodes_size(), 2);
}

TEST_F(LineageTest, BetweenTwoTerminalStatesTheLaterEventWins) {
  auto event = [](const std::string& type, const std::string& time) {
    return RunEvent("job", Uuid(31), type, time, {{kCrm, "a"}}, {kCrm, "b"}, {});
  };
  ASSERT_TRUE(Ingest(event("RUNNING", "2026-01-01T00:10:00Z")).ok());
  ASSERT_TRUE(Ingest(event("COMPLETE", "2026-01-01T00:05:00Z")).ok());
  ASSERT_TRUE(Ingest(event("FAIL", "2026-01-01T00:07:00Z")).ok());
  v1::ListRunsRequest runs;
  runs.set_namespace_("airflow");
  runs.set_job("job");
  auto listed = lineage_->ListRuns(admin_, runs);
  ASSERT_TRUE(listed.ok()) << listed.status();
  ASSERT_EQ(listed->runs_size(), 1);
  EXPECT_EQ(listed->runs(0).state(), v1::FAILED);
  EXPECT_EQ(TimeUtil::ToString(listed->runs(0).ended_at()), "2026-01-01T00:07:00Z");
}

TEST_F(LineageTest, OutOfOrderRunEventsKeepTheTerminalState) {
  json complete = RunEvent("job", Uuid(30), "COMPLETE", "2026-01-01T00:10:00Z", {{kCrm, "a"}},
                           {kCrm, "b"}, {{"x", {{kCrm, "a", "x"}}}});
  json start =
      RunEvent("job", Uuid(30), "START", "2026-01-01T00:00:00Z", {{kCrm, "a"}}, {kCrm, "b"}, {});
  ASSERT_TRUE(Ingest(complete).ok());
  ASSERT_TRUE(Ingest(start).ok());
  v1::ListRunsRequest runs;
  runs.set_namespace_("airflow");
  runs.set_job("job");
  auto listed = lineage_->ListRuns(admin_, runs);
  ASSERT_TRUE(listed.ok()) << listed.status();
  ASSERT_EQ(listed->runs_size(), 1);
  EXPECT_EQ(listed->runs(0).state(), v1::COMPLETED);
  EXPECT_EQ(TimeUtil::ToString(listed->runs(0).started_at()), "2026-01-01T00:00:00Z");
  EXPECT_EQ(listed->runs(0).duration_ms(), 600000);
}

TEST_F(LineageTest, RunningJobsShowLineageAtOnce) {
  ASSERT_TRUE(Ingest(RunEvent("stream", Uuid(40), "RUNNING", "2026-01-01T00:00:00Z", {{kCrm, "a"}},
                              {kCrm, "b"}, {{"x", {{kCrm, "a", "x"}}}}))
                  .ok());
  EXPECT_EQ(Lineage(kCrm, "b", "x", v1::UPSTREAM).nodes_size(), 2);
}

TEST_F(LineageTest, CyclesAreWalkedOnce) {
  const std::string t = "2026-01-01T00:00:00Z";
  ASSERT_TRUE(Ingest(RunEvent("v2_from_v1", Uuid(50), "COMPLETE", t, {{kDwh, "v1"}}, {kDwh, "v2"},
                              {{"x", {{kDwh, "v1", "x"}}}}))
                  .ok());
  ASSERT_TRUE(Ingest(RunEvent("v1_from_v2", Uuid(51), "COMPLETE", t, {{kDwh, "v2"}}, {kDwh, "v1"},
                              {{"x", {{kDwh, "v2", "x"}}}}))
                  .ok());
  auto both = Lineage(kDwh, "v1", "x", v1::BOTH, 100);
  EXPECT_EQ(Ids(both), (std::set<std::string>{F(kDwh, "v1", "x"), F(kDwh, "v2", "x")}));
  EXPECT_EQ(both.edges_size(), 2);
}

TEST_F(LineageTest, MalformedEventsAreRefusedAndChangeNothing) {
  json good = RunEvent("job", Uuid(60), "COMPLETE", "2026-01-01T00:00:00Z", {{kCrm, "a"}},
                       {kCrm, "b"}, {{"x", {{kCrm, "a", "x"}}}});
  struct Case {
    std::function<void(json&)> spoil;
    std::string field;
  };
  std::vector<Case> cases = {
      {[](json& e) { e.erase("eventTime"); }, "eventTime"},
      {[](json& e) { e["eventTime"] = "yesterday"; }, "eventTime"},
      {[](json& e) { e["run"]["runId"] = "not-a-uuid"; }, "run.runId"},
      {[](json& e) { e["job"].erase("namespace"); }, "job.namespace"},
      {[](json& e) { e["outputs"][0]["name"] = ""; }, "outputs[0].name"},
      {[](json& e) { e["eventType"] = "FINISHED"; }, "eventType"},
  };
  for (Case& c : cases) {
    json event = good;
    c.spoil(event);
    auto result = Ingest(event);
    EXPECT_EQ(result.status().code(), absl::StatusCode::kInvalidArgument) << event.dump();
    EXPECT_EQ(FieldOf(result.status()), c.field) << result.status();
  }
  v1::IngestLineageRequest not_json;
  not_json.set_event("{nope");
  EXPECT_EQ(lineage_->IngestLineage(admin_, not_json).status().code(),
            absl::StatusCode::kInvalidArgument);
  // A batch with one bad event stores none of it.
  json bad = good;
  bad["eventTime"] = "never";
  EXPECT_FALSE(Ingest(json::array({good, bad})).ok());
  v1::ListLineageEventsRequest list;
  EXPECT_EQ(lineage_->ListLineageEvents(admin_, list)->total_count(), 0);
  EXPECT_EQ(GetDataset(kCrm, "b").status().code(), absl::StatusCode::kNotFound);
}

TEST_F(LineageTest, IngestionNeedsPermission) {
  json event = RunEvent("job", Uuid(70), "COMPLETE", "2026-01-01T00:00:00Z", {{kCrm, "a"}},
                        {kCrm, "b"}, {{"x", {{kCrm, "a", "x"}}}});
  v1::IngestLineageRequest request;
  request.set_event(event.dump());
  EXPECT_EQ(lineage_->IngestLineage(stranger_, request).status().code(),
            absl::StatusCode::kPermissionDenied);
}

}  // namespace
}  // namespace cadastre::lineage

namespace cadastre::lineage {
namespace {

TEST_F(LineageTest, DeletedDatasetsLeaveLineageAnswers) {
  BuildPipeline();
  v1::DeleteDatasetRequest del;
  del.set_namespace_(kDwh);
  del.set_name("curated.contacts");
  ASSERT_TRUE(catalog_->DeleteDataset(admin_, del).ok());
  auto response = Lineage(kCrm, "customers", "email", v1::DOWNSTREAM);
  EXPECT_EQ(Ids(response),
            (std::set<std::string>{F(kCrm, "customers", "email"), F(kLake, "customers", "email"),
                                   F(kDwh, "curated.customers", "email_hash"),
                                   F(kDwh, "marts.sales_by_country", "contact_key")}));
  for (const auto& edge : response.edges()) {
    EXPECT_EQ(edge.target().find("curated.contacts"), std::string::npos) << edge.target();
  }
  // And the answer about the deleted dataset itself is "not found".
  v1::GetLineageRequest request;
  request.set_namespace_(kDwh);
  request.set_dataset("curated.contacts");
  EXPECT_EQ(lineage_->GetLineage(admin_, request).status().code(), absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace cadastre::lineage

namespace cadastre::lineage {
namespace {

TEST_F(LineageTest, NamesInEventsFollowTheCatalogRules) {
  json event = RunEvent("job", Uuid(80), "COMPLETE", "2026-01-01T00:00:00Z", {{kCrm, "a"}},
                        {kCrm, "b"}, {{"x", {{kCrm, "a", "x"}}}});
  json bad = event;
  bad["outputs"][0]["name"] = "line\nbreak";
  auto result = Ingest(bad);
  EXPECT_EQ(result.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(FieldOf(result.status()), "outputs[0].name") << result.status();
  bad = event;
  bad["job"]["name"] = " padded";
  EXPECT_EQ(FieldOf(Ingest(bad).status()), "job.name");
  auto batch = Ingest(json::array({event, bad}));
  EXPECT_EQ(FieldOf(batch.status()), "[1].job.name") << batch.status();
  v1::ListLineageEventsRequest list;
  EXPECT_EQ(lineage_->ListLineageEvents(admin_, list)->total_count(), 0);
}

}  // namespace
}  // namespace cadastre::lineage
