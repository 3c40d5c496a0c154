// The EXPECTED-SUBSET files: integration tests' expected events, which leave
// out what the test cannot predict (eventTime, producer, runId, sometimes
// names) and hold matcher placeholders. Each is completed with plausible
// values, then parsed, and its column lineage checked.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "server/common/status.h"
#include "server/openlineage/event.h"
#include "tests/openlineage/test_util.h"

namespace cadastre::openlineage::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::UnorderedElementsAre;

constexpr char kRunId[] = "0192a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b";

// Replaces the json-unit and Jinja matchers: a runId gets a UUID, a
// match(result, 'prefix.*') its prefix plus a letter, anything else a word.
void FillPlaceholders(json& value, const std::string& key = "") {
  if (value.is_object()) {
    for (auto& [k, v] : value.items()) FillPlaceholders(v, k);
  } else if (value.is_array()) {
    for (json& v : value) FillPlaceholders(v, key);
  } else if (value.is_string()) {
    const std::string text = value.get<std::string>();
    const bool placeholder = text.rfind("${json-unit.", 0) == 0 || text.rfind("{{", 0) == 0;
    if (!placeholder) return;
    if (key == "runId") {
      value = kRunId;
    } else if (key == "clientIp") {
      value = "10.0.0.7";
    } else if (std::size_t at = text.find("match(result, '"); at != std::string::npos) {
      const std::size_t begin = at + 15;
      value = text.substr(begin, text.find(".*", begin) - begin) + "m";
    } else {
      value = "1.0.0";
    }
  }
}

// Completes an expected event as its producer would have sent it.
json Completed(json event) {
  FillPlaceholders(event);
  event["eventTime"] = "2025-03-04T05:06:07.089+01:00";
  event["producer"] = "https://github.com/OpenLineage/OpenLineage/tree/1.34.0/integration";
  if (!event.contains("run")) event["run"] = json::object();
  event["run"]["runId"] = kRunId;
  return event;
}

absl::StatusOr<Event> ParseExpected(const char* file) {
  return ParseEvent(Completed(LoadEventFile(file)).dump());
}

const ColumnLineage& OnlyOutputLineage(const Event& event) {
  EXPECT_EQ(event.outputs.size(), 1u);
  EXPECT_TRUE(event.outputs.at(0).facets.column_lineage.has_value());
  return *event.outputs.at(0).facets.column_lineage;
}

TEST(ExpectedEvents, EveryOneParsesOnceCompleted) {
  for (const char* file :
       {"dbt_postgres_customer_analytics_cll_expected.json",
        "hive_dataproc_aggregate_cll_expected.json",
        "spark_jdbc_cloudsql_postgres_cll_expected.json", "spark_spanner_cll_expected.json",
        "hive_cll_masking_sha1_expected.json", "hive_cll_case_when_conditional_expected.json",
        "hive_cll_window_aggregate_expected.json", "hive_cll_cte_joins_filter_sort_expected.json",
        "hive_cll_union_all_expected.json"}) {
    SCOPED_TRACE(file);
    absl::StatusOr<Event> event = ParseExpected(file);
    ASSERT_TRUE(event.ok()) << event.status();
    EXPECT_EQ(event->type, RunEventType::kComplete);
    EXPECT_EQ(event->run->run_id, kRunId);
    EXPECT_EQ(event->event_time, absl::FromUnixMillis(1741061167089));
    EXPECT_TRUE(event->schema_url.empty());
  }
}

// dbt names sources only, with transformations: [], and no inputs at all.
TEST(ExpectedEvents, DbtPostgresInputOnlyFields) {
  absl::StatusOr<Event> event = ParseExpected("dbt_postgres_customer_analytics_cll_expected.json");
  ASSERT_TRUE(event.ok()) << event.status();
  EXPECT_THAT(event->inputs, IsEmpty());
  EXPECT_EQ(event->outputs.at(0).facets.datasource_name, "postgres://localhost:5432");
  const ColumnLineage& cll = OnlyOutputLineage(*event);
  EXPECT_EQ(cll.fields.size(), 9u);
  for (const FieldLineage& field : cll.fields) {
    SCOPED_TRACE(field.target_field);
    ASSERT_EQ(field.inputs.size(), 1u);
    EXPECT_THAT(Describe(field.inputs[0].transformations), ElementsAre("DIRECT/"));
  }
  const std::string ns = "postgres://localhost:5432";
  EXPECT_THAT(
      TransformationsOf(cll, "avg_order_value", ns, "dbt_test.main.stg_orders", "completed_amount"),
      ElementsAre("DIRECT/"));
  EXPECT_THAT(TransformationsOf(cll, "total_orders", ns, "dbt_test.main.stg_orders", "order_id"),
              ElementsAre("DIRECT/"));
  EXPECT_THAT(cll.dataset, IsEmpty());
}

TEST(ExpectedEvents, HiveMaskingForSha1) {
  absl::StatusOr<Event> event = ParseExpected("hive_cll_masking_sha1_expected.json");
  ASSERT_TRUE(event.ok()) << event.status();
  EXPECT_EQ(event->job->integration, "HIVE");
  EXPECT_EQ(event->job->job_type, "QUERY");
  EXPECT_EQ(event->run->raw["hive_session"]["clientIp"], "10.0.0.7");
  const ColumnLineage& cll = OnlyOutputLineage(*event);
  const std::string ns = "hive://localhost:9083";
  EXPECT_THAT(TransformationsOf(cll, "i", ns, "test.t1", "a"), ElementsAre("DIRECT/IDENTITY"));
  EXPECT_THAT(TransformationsOf(cll, "t", ns, "test.t1", "a"),
              ElementsAre("DIRECT/TRANSFORMATION"));
  EXPECT_THAT(TransformationsOf(cll, "mt", ns, "test.t1", "a"),
              ElementsAre("DIRECT/TRANSFORMATION+masking"));
  EXPECT_THAT(TransformationsOf(cll, "a", ns, "test.t1", "b"), ElementsAre("DIRECT/AGGREGATION"));
  EXPECT_THAT(TransformationsOf(cll, "ma", ns, "test.t1", "b"),
              ElementsAre("DIRECT/AGGREGATION+masking"));
  EXPECT_THAT(Sources(cll.dataset), ElementsAre(ns + "|test.t1|a"));
  EXPECT_THAT(Describe(cll.dataset[0].transformations), ElementsAre("INDIRECT/GROUP_BY"));
}

TEST(ExpectedEvents, HiveCaseWhenIsIndirectConditional) {
  absl::StatusOr<Event> event = ParseExpected("hive_cll_case_when_conditional_expected.json");
  ASSERT_TRUE(event.ok()) << event.status();
  const ColumnLineage& cll = OnlyOutputLineage(*event);
  const std::string ns = "hive://localhost:9083";
  EXPECT_THAT(TransformationsOf(cll, "cond", ns, "test.t1", "b"),
              ElementsAre("INDIRECT/CONDITIONAL", "DIRECT/TRANSFORMATION"));
  EXPECT_THAT(TransformationsOf(cll, "cond", ns, "test.t1", "a"),
              ElementsAre("DIRECT/IDENTITY", "DIRECT/TRANSFORMATION"));
  EXPECT_THAT(cll.dataset, IsEmpty());
}

TEST(ExpectedEvents, HiveWindowIsAggregationPlusWindow) {
  absl::StatusOr<Event> event = ParseExpected("hive_cll_window_aggregate_expected.json");
  ASSERT_TRUE(event.ok()) << event.status();
  const ColumnLineage& cll = OnlyOutputLineage(*event);
  const std::string ns = "hive://localhost:9083";
  EXPECT_THAT(Sources(FindField(cll, "s")->inputs),
              ElementsAre(ns + "|test.t1|b", ns + "|test.t1|c", ns + "|test.t1|a"));
  EXPECT_THAT(TransformationsOf(cll, "s", ns, "test.t1", "a"), ElementsAre("DIRECT/AGGREGATION"));
  EXPECT_THAT(TransformationsOf(cll, "s", ns, "test.t1", "b"), ElementsAre("INDIRECT/WINDOW"));
  EXPECT_THAT(TransformationsOf(cll, "s", ns, "test.t1", "c"), ElementsAre("INDIRECT/WINDOW"));
}

TEST(ExpectedEvents, HiveUnionAllFeedsEachFieldFromBothTables) {
  absl::StatusOr<Event> event = ParseExpected("hive_cll_union_all_expected.json");
  ASSERT_TRUE(event.ok()) << event.status();
  EXPECT_EQ(event->inputs.size(), 2u);
  const ColumnLineage& cll = OnlyOutputLineage(*event);
  const std::string ns = "hive://localhost:9083";
  EXPECT_THAT(Sources(FindField(cll, "a")->inputs),
              UnorderedElementsAre(ns + "|test.t1|a", ns + "|test.t2|a"));
  EXPECT_THAT(Sources(FindField(cll, "b")->inputs),
              UnorderedElementsAre(ns + "|test.t1|b", ns + "|test.t2|c"));
  EXPECT_THAT(TransformationsOf(cll, "b", ns, "test.t2", "c"), ElementsAre("DIRECT/IDENTITY"));
}

TEST(ExpectedEvents, HiveCteJoinsFilterSortAreDatasetLevel) {
  absl::StatusOr<Event> event = ParseExpected("hive_cll_cte_joins_filter_sort_expected.json");
  ASSERT_TRUE(event.ok()) << event.status();
  EXPECT_EQ(event->inputs.size(), 3u);
  const ColumnLineage& cll = OnlyOutputLineage(*event);
  const std::string ns = "hive://localhost:9083";
  EXPECT_THAT(FieldNames(cll), ElementsAre("a", "d"));
  EXPECT_THAT(TransformationsOf(cll, "d", ns, "test.t3", "d"), ElementsAre("DIRECT/IDENTITY"));
  EXPECT_THAT(Sources(cll.dataset),
              ElementsAre(ns + "|test.t3|d", ns + "|test.t2|a", ns + "|test.t1|b",
                          ns + "|test.t1|a", ns + "|test.t2|c", ns + "|test.t3|a"));
  EXPECT_THAT(Describe(cll.dataset[0].transformations), ElementsAre("INDIRECT/SORT"));
  EXPECT_THAT(Describe(cll.dataset[1].transformations),
              ElementsAre("INDIRECT/JOIN", "INDIRECT/FILTER"));
}

TEST(ExpectedEvents, HiveDataprocAggregate) {
  absl::StatusOr<Event> event = ParseExpected("hive_dataproc_aggregate_cll_expected.json");
  ASSERT_TRUE(event.ok()) << event.status();
  const ColumnLineage& cll = OnlyOutputLineage(*event);
  const std::string ns = "hive://hive-ol-cluster-m:9083";
  EXPECT_THAT(
      TransformationsOf(cll, "totalamount", ns, "default.transactions", "transactionamount"),
      ElementsAre("DIRECT/AGGREGATION"));
  EXPECT_THAT(TransformationsOf(cll, "month", ns, "default.transactions", "submissiondate"),
              ElementsAre("DIRECT/TRANSFORMATION"));
  ASSERT_EQ(cll.dataset.size(), 2u);
  EXPECT_THAT(Describe(cll.dataset[0].transformations),
              ElementsAre("INDIRECT/GROUP_BY", "INDIRECT/SORT"));
}

TEST(ExpectedEvents, SparkJdbcCloudSqlAndSpanner) {
  absl::StatusOr<Event> cloudsql = ParseExpected("spark_jdbc_cloudsql_postgres_cll_expected.json");
  ASSERT_TRUE(cloudsql.ok()) << cloudsql.status();
  const std::string pg = "postgres://localhost:3307";
  EXPECT_THAT(Sources(FindField(OnlyOutputLineage(*cloudsql), "value")->inputs),
              ElementsAre(pg + "|e2etest.jdbc_source2|j2", pg + "|e2etest.jdbc_source1|j",
                          pg + "|e2etest.jdbc_source2|j", pg + "|e2etest.jdbc_source1|j1"));

  absl::StatusOr<Event> spanner = ParseExpected("spark_spanner_cll_expected.json");
  ASSERT_TRUE(spanner.ok()) << spanner.status();
  EXPECT_EQ(spanner->outputs.at(0).ns, "hdfs://dataproc-producer-test-m");
  const std::string sp = "spanner://gcp-open-lineage-testing/spaner-openlineage-testing-instance";
  const ColumnLineage& cll = OnlyOutputLineage(*spanner);
  EXPECT_THAT(TransformationsOf(cll, "Name", sp, "test-database/test_table", "Name"),
              ElementsAre("DIRECT/IDENTITY", "INDIRECT/GROUP_BY"));
  EXPECT_THAT(TransformationsOf(cll, "totalValue", sp, "test-database/test_table", "Value"),
              ElementsAre("DIRECT/AGGREGATION"));
}

// This subset leaves out every namespace, which the spec requires.
TEST(ExpectedEvents, SparkJdbcNeedsItsNamespaces) {
  json event = Completed(LoadEventFile("spark_jdbc_cll_expected.json"));
  absl::StatusOr<Event> as_is = ParseEvent(event.dump());
  EXPECT_EQ(FieldOf(as_is.status()), "inputs[0].namespace");

  const std::string jdbc = "postgres://postgres:5432";
  for (json& d : event["inputs"]) d["namespace"] = jdbc;
  event["outputs"][0]["namespace"] = jdbc;
  for (auto& [name, entry] : event["outputs"][0]["facets"]["columnLineage"]["fields"].items()) {
    for (json& input : entry["inputFields"]) {
      if (!input.contains("namespace")) input["namespace"] = jdbc;
    }
  }
  absl::StatusOr<Event> parsed = ParseEvent(event.dump());
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  const ColumnLineage& cll = OnlyOutputLineage(*parsed);
  EXPECT_THAT(
      Sources(FindField(cll, "value")->inputs),
      ElementsAre("file|/tmp/iceberg/default/v2_source_2|v2", jdbc + "|test.jdbc_source1|j1",
                  jdbc + "|test.jdbc_source2|j2", "file|/tmp/iceberg/default/v2_source_1|v1"));
  EXPECT_THAT(TransformationsOf(cll, "k", "file", "/tmp/iceberg/default/v2_source_1", "k"),
              ElementsAre("DIRECT/"));
}

TEST(ExpectedEvents, PySparkTransformationsKeepTheirDescriptions) {
  json event = Completed(LoadEventFile("spark_pyspark_cll_with_descriptions_expected.json"));
  event["job"]["name"] =
      "pyspark_cll_test.execute_create_hive_table_as_select_command.default_tbl1";
  absl::StatusOr<Event> parsed = ParseEvent(event.dump());
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  const ColumnLineage& cll = OnlyOutputLineage(*parsed);
  const InputLineage* a =
      FindInput(FindField(cll, "ident")->inputs, "file", "/tmp/cll_test/cll_source1", "a");
  ASSERT_NE(a, nullptr);
  EXPECT_THAT(Describe(a->transformations), ElementsAre("DIRECT/IDENTITY", "INDIRECT/GROUP_BY",
                                                        "INDIRECT/JOIN", "INDIRECT/FILTER"));
  EXPECT_EQ(a->transformations[0].description, "t1.a AS ident");
  EXPECT_EQ(a->transformations[2].description, "INNER JOIN ON (t1.a = t2.a)");
  EXPECT_THAT(TransformationsOf(cll, "trans", "file", "/tmp/cll_test/cll_source1", "b"),
              ElementsAre("DIRECT/TRANSFORMATION", "INDIRECT/GROUP_BY"));
  EXPECT_TRUE(parsed->outputs[0].facets.raw.contains("catalog"));
}

// A JSON array of four events: the dbt-run parent job and one model run.
TEST(ExpectedEvents, DbtBigQueryBatchWithParentRuns) {
  json events = LoadEventFile("dbt_bigquery_jaffle_shop_run_events_expected.json");
  FillPlaceholders(events);
  const std::string parent_run = "0197a9c3-1111-7000-8000-00000000d8e1";
  const std::string model_run = "0197a9c3-2222-7000-8000-00000000d8e2";
  for (json& e : events) {
    const bool parent_job = e["job"]["name"] == "dbt-run-jaffle_shop";
    e["run"]["runId"] = parent_job ? parent_run : model_run;
    if (e["run"]["facets"].contains("parent")) {
      e["run"]["facets"]["parent"]["run"]["runId"] = parent_run;
    }
    e["producer"] = "https://github.com/OpenLineage/OpenLineage/tree/1.38.0/integration/dbt";
  }
  absl::StatusOr<std::vector<Event>> parsed = ParseEvents(events.dump());
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  ASSERT_EQ(parsed->size(), 4u);
  EXPECT_EQ((*parsed)[0].type, RunEventType::kStart);
  EXPECT_EQ((*parsed)[0].job->job_type, "JOB");
  EXPECT_FALSE((*parsed)[0].job->parent.has_value());
  EXPECT_EQ((*parsed)[3].type, RunEventType::kComplete);
  EXPECT_EQ((*parsed)[3].run->run_id, parent_run);

  const Event& model = (*parsed)[2];
  EXPECT_EQ(model.type, RunEventType::kComplete);
  EXPECT_EQ(model.job->integration, "DBT");
  EXPECT_EQ(model.job->job_type, "MODEL");
  EXPECT_EQ(model.run->run_id, model_run);
  EXPECT_EQ(model.run->parent_run_id, parent_run);
  EXPECT_EQ(model.job->parent,
            std::make_pair(std::string("dbt-test-namespace"), std::string("dbt-run-jaffle_shop")));
  const Dataset& out = model.outputs.at(0);
  EXPECT_THAT(SchemaNames(*out.facets.schema), ElementsAre("location_id"));
  // Lineage names columns the schema does not: they are reported all the same.
  const ColumnLineage& cll = *out.facets.column_lineage;
  EXPECT_THAT(FieldNames(cll), ElementsAre("location_id", "location_name", "tax_rate"));
  EXPECT_THAT(TransformationsOf(cll, "location_id", "bigquery",
                                "example-bigquery-project.raw.raw_stores", "id"),
              ElementsAre("DIRECT/"));
  EXPECT_FALSE((*parsed)[1].outputs.at(0).facets.column_lineage.has_value());
  EXPECT_NE((*parsed)[1].canonical_json, (*parsed)[2].canonical_json);
}

}  // namespace
}  // namespace cadastre::openlineage::testing
