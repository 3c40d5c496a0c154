// The real events of tests/data/openlineage/events that are complete as
// published: COMPLETE-EVENT files (parsed as is), the STATIC examples, the
// FACET-ONLY spec tests (wrapped into a DatasetEvent) and the Marquez seed.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <set>

#include "absl/strings/str_format.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "server/common/status.h"
#include "server/openlineage/event.h"
#include "tests/openlineage/test_util.h"

namespace cadastre::openlineage::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::UnorderedElementsAre;

absl::Time Utc(int y, int mo, int d, int h, int mi, int s) {
  return absl::FromCivil(absl::CivilSecond(y, mo, d, h, mi, s), absl::UTCTimeZone());
}

// file -> kind, from the table in SOURCES.md ("| `file` | … | KIND. note |").
std::map<std::string, std::string> FileKinds() {
  std::map<std::string, std::string> kinds;
  std::istringstream table(ReadEventFile("SOURCES.md"));
  for (std::string line; std::getline(table, line);) {
    if (line.rfind("| `", 0) != 0) continue;
    const std::string file = line.substr(3, line.find('`', 3) - 3);
    std::size_t note = line.rfind('|', line.find_last_not_of(" |"));
    note = line.find_first_not_of(' ', note + 1);
    const std::size_t end = line.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZ-", note);
    kinds[file] = line.substr(note, end - note);
  }
  return kinds;
}

std::vector<std::string> FilesOfKind(const std::string& kind) {
  std::vector<std::string> files;
  for (const auto& [file, k] : FileKinds()) {
    if (k == kind) files.push_back(file);
  }
  return files;
}

TEST(SourcesTable, NamesEveryFileWithItsKind) {
  std::map<std::string, int> count;
  for (const auto& [file, kind] : FileKinds()) {
    ++count[kind];
    EXPECT_FALSE(ReadEventFile(file).empty()) << file;
  }
  EXPECT_EQ(count["COMPLETE-EVENT"], 8);
  EXPECT_EQ(count["EXPECTED-SUBSET"], 12);
  EXPECT_EQ(count["FACET-ONLY"], 3);
  EXPECT_EQ(count["TEMPLATE"], 1);
  EXPECT_EQ(count["STATIC"], 2);
}

TEST(CompleteEvents, EveryOneParsesAsIs) {
  const std::vector<std::string> files = FilesOfKind("COMPLETE-EVENT");
  ASSERT_EQ(files.size(), 8u);
  for (const std::string& file : files) {
    SCOPED_TRACE(file);
    const std::string text = ReadEventFile(file);
    const json original = json::parse(text);
    absl::StatusOr<Event> event = ParseEvent(text);
    ASSERT_TRUE(event.ok()) << event.status();
    EXPECT_EQ(event->kind, EventKind::kRun);
    EXPECT_EQ(RunEventTypeName(event->type), original["eventType"].get<std::string>());
    EXPECT_EQ(event->run->run_id, original["run"]["runId"].get<std::string>());
    EXPECT_EQ(event->job->ns, original["job"]["namespace"].get<std::string>());
    EXPECT_EQ(event->job->name, original["job"]["name"].get<std::string>());
    EXPECT_EQ(event->producer, original["producer"].get<std::string>());
    EXPECT_EQ(event->schema_url, original["schemaURL"].get<std::string>());
    EXPECT_EQ(event->canonical_json, original.dump());
    ASSERT_EQ(event->inputs.size(), original["inputs"].size());
    ASSERT_EQ(event->outputs.size(), original["outputs"].size());
    for (std::size_t i = 0; i < event->outputs.size(); ++i) {
      const bool has_cll = original["outputs"][i]["facets"].contains("columnLineage");
      EXPECT_EQ(event->outputs[i].facets.column_lineage.has_value(), has_cll);
      EXPECT_TRUE(event->outputs[i].facets.schema.has_value());
    }
    absl::StatusOr<std::vector<Event>> batch = ParseEvents(text);
    ASSERT_TRUE(batch.ok()) << batch.status();
    EXPECT_EQ(batch->size(), 1u);
  }
}

TEST(SparkCtas, CompleteEventYieldsOutputsAndFieldLineage) {
  absl::StatusOr<Event> event =
      ParseEvent(ReadEventFile("spark_ctas_join_groupby_cll_COMPLETE.json"));
  ASSERT_TRUE(event.ok()) << event.status();
  EXPECT_EQ(event->type, RunEventType::kComplete);
  EXPECT_EQ(event->event_time, Utc(2024, 8, 6, 13, 26, 54) + absl::Milliseconds(340));
  EXPECT_EQ(event->run->run_id, "019127df-0850-72bc-b214-b255290588a6");
  EXPECT_EQ(event->run->parent_run_id, "019127de-fd25-7707-bfa4-3ec02693a531");
  EXPECT_EQ(event->job->parent,
            std::make_pair(std::string("testColumnLevelLineage"),
                           std::string("open_lineage_integration_create_table")));
  EXPECT_EQ(event->job->integration, "SPARK");
  EXPECT_EQ(event->job->job_type, "SQL_JOB");
  EXPECT_EQ(event->job->processing_type, "BATCH");
  EXPECT_TRUE(event->run->raw.contains("spark.logicalPlan"));

  ASSERT_EQ(event->inputs.size(), 2u);
  EXPECT_NE(FindDataset(event->inputs, "file", "/tmp/cll_test/cll_source1"), nullptr);
  EXPECT_NE(FindDataset(event->inputs, "file", "/tmp/cll_test/cll_source2"), nullptr);
  ASSERT_EQ(event->outputs.size(), 1u);
  const Dataset& out = event->outputs[0];
  EXPECT_EQ(out.ns, "file");
  EXPECT_EQ(out.name, "/tmp/cll_test/tbl1");
  EXPECT_THAT(SchemaNames(*out.facets.schema), ElementsAre("ident", "trans", "agg"));
  EXPECT_EQ(out.facets.datasource_name, "file");
  ASSERT_TRUE(out.facets.lifecycle.has_value());
  EXPECT_EQ(out.facets.lifecycle->state, "CREATE");
  EXPECT_FALSE(out.facets.lifecycle->previous.has_value());
  EXPECT_TRUE(out.facets.raw.contains("symlinks"));
  EXPECT_TRUE(out.facets.raw.contains("columnLineage"));

  const ColumnLineage& cll = *out.facets.column_lineage;
  EXPECT_THAT(FieldNames(cll), UnorderedElementsAre("ident", "trans", "agg"));
  const FieldLineage* ident = FindField(cll, "ident");
  ASSERT_NE(ident, nullptr);
  EXPECT_THAT(Sources(ident->inputs),
              ElementsAre("file|/tmp/cll_test/cll_source1|a", "file|/tmp/cll_test/cll_source1|b",
                          "file|/tmp/cll_test/cll_source2|a"));
  EXPECT_THAT(
      TransformationsOf(cll, "ident", "file", "/tmp/cll_test/cll_source1", "a"),
      ElementsAre("DIRECT/IDENTITY", "INDIRECT/GROUP_BY", "INDIRECT/JOIN", "INDIRECT/FILTER"));
  EXPECT_THAT(TransformationsOf(cll, "ident", "file", "/tmp/cll_test/cll_source1", "b"),
              ElementsAre("INDIRECT/GROUP_BY"));
  EXPECT_THAT(TransformationsOf(cll, "ident", "file", "/tmp/cll_test/cll_source2", "a"),
              ElementsAre("INDIRECT/JOIN", "INDIRECT/FILTER"));
  EXPECT_THAT(TransformationsOf(cll, "agg", "file", "/tmp/cll_test/cll_source2", "c"),
              ElementsAre("DIRECT/AGGREGATION"));
  // Spark 1.19 sends no dataset[]: the per-field dependencies are all it
  // says, so none of them is dropped.
  EXPECT_THAT(cll.dataset, IsEmpty());
}

TEST(SparkCtas, StartEventCarriesTheSameLineage) {
  absl::StatusOr<Event> start = ParseEvent(ReadEventFile("spark_ctas_join_groupby_cll_START.json"));
  absl::StatusOr<Event> complete =
      ParseEvent(ReadEventFile("spark_ctas_join_groupby_cll_COMPLETE.json"));
  ASSERT_TRUE(start.ok()) << start.status();
  ASSERT_TRUE(complete.ok()) << complete.status();
  EXPECT_EQ(start->type, RunEventType::kStart);
  EXPECT_EQ(start->run->run_id, complete->run->run_id);
  EXPECT_LT(start->event_time, complete->event_time);
  EXPECT_NE(start->canonical_json, complete->canonical_json);
}

// The same CTAS as Spark sends it with dataset-level lineage: the filter,
// join and group-by dependencies in dataset[], and still copied onto every
// field. The copies go; what is only the field's own stays.
TEST(SparkCtas, PerFieldCopiesOfDatasetDependenciesAreDropped) {
  json event = LoadEventFile("spark_ctas_join_groupby_cll_COMPLETE.json");
  auto dependency = [](const char* name, const char* field, std::vector<const char*> subtypes) {
    json transformations = json::array();
    for (const char* subtype : subtypes) {
      transformations.push_back(
          {{"type", "INDIRECT"}, {"subtype", subtype}, {"description", ""}, {"masking", false}});
    }
    return json{{"namespace", "file"},
                {"name", name},
                {"field", field},
                {"transformations", transformations}};
  };
  event["outputs"][0]["facets"]["columnLineage"]["dataset"] = {
      dependency("/tmp/cll_test/cll_source1", "a", {"GROUP_BY", "JOIN", "FILTER"}),
      dependency("/tmp/cll_test/cll_source1", "b", {"GROUP_BY"}),
      dependency("/tmp/cll_test/cll_source2", "a", {"JOIN", "FILTER"})};
  absl::StatusOr<Event> parsed = ParseEvent(event.dump());
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  const ColumnLineage& cll = *parsed->outputs[0].facets.column_lineage;
  EXPECT_THAT(Sources(cll.dataset),
              ElementsAre("file|/tmp/cll_test/cll_source1|a", "file|/tmp/cll_test/cll_source1|b",
                          "file|/tmp/cll_test/cll_source2|a"));
  EXPECT_THAT(Sources(FindField(cll, "ident")->inputs),
              ElementsAre("file|/tmp/cll_test/cll_source1|a"));
  EXPECT_THAT(TransformationsOf(cll, "ident", "file", "/tmp/cll_test/cll_source1", "a"),
              ElementsAre("DIRECT/IDENTITY"));
  EXPECT_THAT(Sources(FindField(cll, "trans")->inputs),
              ElementsAre("file|/tmp/cll_test/cll_source1|b"));
  EXPECT_THAT(TransformationsOf(cll, "trans", "file", "/tmp/cll_test/cll_source1", "b"),
              ElementsAre("DIRECT/TRANSFORMATION"));
  EXPECT_THAT(Sources(FindField(cll, "agg")->inputs),
              ElementsAre("file|/tmp/cll_test/cll_source2|c"));
  EXPECT_THAT(TransformationsOf(cll, "agg", "file", "/tmp/cll_test/cll_source2", "c"),
              ElementsAre("DIRECT/AGGREGATION"));
}

TEST(Airflow, DeprecatedTransformationTypeAndEmptyTransformations) {
  absl::StatusOr<Event> event =
      ParseEvent(ReadEventFile("airflow_gcs_to_bigquery_cll_COMPLETE.json"));
  ASSERT_TRUE(event.ok()) << event.status();
  EXPECT_EQ(event->event_time, Utc(2024, 11, 26, 13, 5, 29) + absl::Microseconds(606867));
  EXPECT_EQ(event->job->integration, "AIRFLOW");
  EXPECT_EQ(event->job->job_type, "TASK");
  EXPECT_EQ(event->job->parent, std::make_pair(std::string("airflow"), std::string("BQ")));
  EXPECT_EQ(event->run->parent_run_id, "01936893-9751-7a91-a2a0-a51101a3970c");
  EXPECT_TRUE(event->run->raw.contains("airflow"));
  ASSERT_EQ(event->outputs.size(), 1u);
  const Dataset& out = event->outputs[0];
  EXPECT_EQ(out.ns, "bigquery");
  EXPECT_EQ(out.name, "mock-project.test.upload");
  EXPECT_THAT(SchemaNames(*out.facets.schema), ElementsAre("a", "b", "c", "d"));
  const ColumnLineage& cll = *out.facets.column_lineage;
  EXPECT_THAT(FieldNames(cll), ElementsAre("a", "b", "c", "d"));
  EXPECT_THAT(cll.dataset, IsEmpty());
  for (const FieldLineage& field : cll.fields) {
    SCOPED_TRACE(field.target_field);
    EXPECT_THAT(Sources(field.inputs),
                ElementsAre("gs://mock-bucket|copied.csv|" + field.target_field,
                            "gs://mock-bucket|test.csv|" + field.target_field));
    for (const InputLineage& input : field.inputs) {
      // transformations: [] with transformationType IDENTITY,
      // transformationDescription "identical" on the field.
      ASSERT_EQ(input.transformations.size(), 1u);
      EXPECT_EQ(Describe(input.transformations[0]), "DIRECT/IDENTITY");
      EXPECT_EQ(input.transformations[0].description, "identical");
    }
  }
}

TEST(Airflow, BigQueryCopyAndExport) {
  struct Case {
    const char* file;
    const char* out_ns;
    const char* out_name;
    const char* source;
  };
  for (const Case& c : {Case{"airflow_bigquery_copy_cll_COMPLETE.json", "bigquery",
                             "mock-project.test.upload_cp", "mock-project.test.upload"},
                        Case{"airflow_bigquery_to_gcs_cll_COMPLETE.json", "gs://mock-bucket",
                             "result.csv", "mock-project.test.upload_cp"}}) {
    SCOPED_TRACE(c.file);
    absl::StatusOr<Event> event = ParseEvent(ReadEventFile(c.file));
    ASSERT_TRUE(event.ok()) << event.status();
    const Dataset* out = FindDataset(event->outputs, c.out_ns, c.out_name);
    ASSERT_NE(out, nullptr);
    for (const char* field : {"a", "b", "c", "d"}) {
      EXPECT_THAT(
          TransformationsOf(*out->facets.column_lineage, field, "bigquery", c.source, field),
          ElementsAre("DIRECT/IDENTITY"));
    }
  }
}

TEST(SparkDataproc, BigQueryToFileWithOutputFacets) {
  absl::StatusOr<Event> event =
      ParseEvent(ReadEventFile("spark_dataproc_bigquery_to_file_cll_COMPLETE.json"));
  ASSERT_TRUE(event.ok()) << event.status();
  EXPECT_TRUE(event->job->raw.contains("gcp_lineage"));
  const Dataset& in = event->inputs.at(0);
  ASSERT_TRUE(in.facets.schema.has_value());
  EXPECT_EQ(in.facets.schema->at(0).name, "word");
  EXPECT_EQ(in.facets.schema->at(0).type, "string");
  EXPECT_EQ(in.facets.schema->at(0).description,
            "A single unique word (where whitespace is the delimiter) extracted from a corpus.");
  const Dataset& out = event->outputs.at(0);
  EXPECT_TRUE(out.facets.raw.contains("outputStatistics"));  // from outputFacets
  const ColumnLineage& cll = *out.facets.column_lineage;
  EXPECT_THAT(TransformationsOf(cll, "sum(word_count)", "bigquery",
                                "bigquery-public-data.samples.shakespeare", "word_count"),
              ElementsAre("DIRECT/AGGREGATION", "INDIRECT/FILTER"));
  EXPECT_THAT(TransformationsOf(cll, "word", "bigquery", "bigquery-public-data.samples.shakespeare",
                                "word"),
              ElementsAre("DIRECT/IDENTITY", "INDIRECT/GROUP_BY", "INDIRECT/FILTER"));
}

TEST(SparkDataproc, HiveCtasRunningThenComplete) {
  absl::StatusOr<Event> running =
      ParseEvent(ReadEventFile("spark_dataproc_hive_ctas_cll_RUNNING.json"));
  absl::StatusOr<Event> complete =
      ParseEvent(ReadEventFile("spark_dataproc_hive_ctas_cll_COMPLETE.json"));
  ASSERT_TRUE(running.ok()) << running.status();
  ASSERT_TRUE(complete.ok()) << complete.status();
  EXPECT_EQ(running->kind, EventKind::kRun);
  EXPECT_EQ(running->type, RunEventType::kRunning);
  EXPECT_EQ(RunEventTypeName(running->type), "RUNNING");
  EXPECT_EQ(complete->type, RunEventType::kComplete);
  EXPECT_EQ(running->run->run_id, complete->run->run_id);
  EXPECT_EQ(running->job->sql, "CREATE TABLE IF NOT EXISTS t2 AS SELECT * FROM t1;");
  const Dataset* out =
      FindDataset(complete->outputs, "hdfs://dataproc-producer-test-m", "/user/hive/warehouse/t2");
  ASSERT_NE(out, nullptr);
  for (const char* field : {"a", "b"}) {
    EXPECT_THAT(
        TransformationsOf(*out->facets.column_lineage, field, "hdfs://dataproc-producer-test-m",
                          "/user/hive/warehouse/t1", field),
        ElementsAre("DIRECT/IDENTITY"));
  }
}

// The python client's serde examples write eventTime without an offset
// ("2021-11-03T10:53:52.427343"), which RFC 3339 does not allow; they are
// read as UTC rather than refused, since a real client sends them.
TEST(StaticEvents, ParseAsTheyAreWithTimesWithoutOffsetReadAsUtc) {
  absl::StatusOr<Event> d = ParseEvent(ReadEventFile("static_DatasetEvent_example.json"));
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_EQ(d->kind, EventKind::kDataset);
  EXPECT_EQ(d->type, RunEventType::kNone);
  EXPECT_EQ(RunEventTypeName(d->type), "");
  EXPECT_EQ(d->event_time, Utc(2021, 11, 3, 10, 53, 52) + absl::Microseconds(427343));
  EXPECT_FALSE(d->run.has_value());
  EXPECT_FALSE(d->job.has_value());
  ASSERT_TRUE(d->dataset.has_value());
  EXPECT_EQ(d->dataset->ns, "openlineage");
  EXPECT_EQ(d->dataset->name, "name");
  EXPECT_THAT(SchemaNames(*d->dataset->facets.schema), ElementsAre("a", "b"));
  EXPECT_EQ(d->schema_url,
            "https://openlineage.io/spec/2-0-0/OpenLineage.json#/$defs/DatasetEvent");

  absl::StatusOr<Event> j = ParseEvent(ReadEventFile("static_JobEvent_example.json"));
  ASSERT_TRUE(j.ok()) << j.status();
  EXPECT_EQ(j->kind, EventKind::kJob);
  EXPECT_EQ(j->type, RunEventType::kNone);
  EXPECT_FALSE(j->run.has_value());
  EXPECT_EQ(j->job->ns, "openlineage");
  EXPECT_EQ(j->job->name, "name");
  ASSERT_EQ(j->inputs.size(), 1u);
  EXPECT_EQ(j->inputs[0].name, "dataset_a");
  ASSERT_EQ(j->outputs.size(), 1u);
  EXPECT_EQ(j->outputs[0].name, "dataset_b");
  EXPECT_FALSE(j->outputs[0].facets.column_lineage.has_value());
}

// A FACET-ONLY spec test as the facets of a DatasetEvent.
absl::StatusOr<Event> WrapFacets(const json& facets) {
  json event = {
      {"eventTime", "2025-01-02T03:04:05.678Z"},
      {"producer", "https://example.com/cadastre-tests"},
      {"schemaURL", "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/DatasetEvent"},
      {"dataset", {{"namespace", "warehouse"}, {"name", "public.target"}, {"facets", facets}}}};
  return ParseEvent(event.dump());
}

TEST(FacetOnly, SnowflakeJoinPrefersTransformationsOverTheDeprecatedForm) {
  absl::StatusOr<Event> event =
      WrapFacets(LoadEventFile("facet_columnLineage_snowflake_join_spec_test.json"));
  ASSERT_TRUE(event.ok()) << event.status();
  ASSERT_EQ(event->kind, EventKind::kDataset);
  const ColumnLineage& cll = *event->dataset->facets.column_lineage;
  EXPECT_THAT(FieldNames(cll), UnorderedElementsAre("NAME", "AMOUNT_OFF", "STARTS_AT", "ENDS_AT"));
  EXPECT_THAT(TransformationsOf(cll, "NAME", "SnowflakeOpenLineage", "CUSTOMERS", "NAME"),
              ElementsAre("DIRECT/IDENTITY"));
  EXPECT_THAT(TransformationsOf(cll, "NAME", "SnowflakeOpenLineage", "CUSTOMERS", "ID"),
              ElementsAre("INDIRECT/JOIN"));
  const InputLineage* join = FindInput(FindField(cll, "NAME")->inputs, "SnowflakeOpenLineage",
                                       "DISCOUNTS", "CUSTOMERS_ID");
  ASSERT_NE(join, nullptr);
  EXPECT_EQ(join->transformations.at(0).description, "ON (DISCOUNTS.CUSTOMERS_ID=CUSTOMERS.ID)");
  // The field's own transformationDescription does not replace them.
  EXPECT_EQ(FindField(cll, "NAME")->inputs[0].transformations[0].description, "");
}

TEST(FacetOnly, IcebergKeepsDatasetLevelDependencies) {
  absl::StatusOr<Event> event =
      WrapFacets(LoadEventFile("facet_columnLineage_iceberg_s3_spec_test.json"));
  ASSERT_TRUE(event.ok()) << event.status();
  const ColumnLineage& cll = *event->dataset->facets.column_lineage;
  const std::string ns = "s3://test-bucket";
  const std::string table = "/iceberg_warehouse/some-database/people";
  EXPECT_THAT(Sources(cll.dataset),
              ElementsAre(ns + "|" + table + "|last_name", ns + "|" + table + "|first_name",
                          ns + "|" + table + "|age"));
  EXPECT_THAT(Describe(cll.dataset[2].transformations), ElementsAre("INDIRECT/FILTER"));
  EXPECT_THAT(TransformationsOf(cll, "ageNextYear", ns, table, "age"),
              ElementsAre("DIRECT/TRANSFORMATION"));
  EXPECT_THAT(TransformationsOf(cll, "firstName", ns, table, "first_name"),
              ElementsAre("DIRECT/IDENTITY"));
}

TEST(FacetOnly, ExplicitLineageFacet) {
  absl::StatusOr<Event> event =
      WrapFacets(LoadEventFile("facet_lineage_explicit_dataset_to_dataset_spec_test.json"));
  ASSERT_TRUE(event.ok()) << event.status();
  const ColumnLineage& cll = *event->dataset->facets.column_lineage;
  // A DATASET input without a field: the whole source dataset, no column.
  EXPECT_THAT(Sources(cll.dataset), ElementsAre("postgresql://warehouse:5432|public.customers|"));
  EXPECT_THAT(Describe(cll.dataset[0].transformations), ElementsAre("DIRECT/"));
  EXPECT_THAT(TransformationsOf(cll, "customer_id", "postgresql://warehouse:5432",
                                "public.customers", "id"),
              ElementsAre("DIRECT/IDENTITY"));
  EXPECT_TRUE(event->dataset->facets.raw.contains("lineage"));
}

// The Marquez seed with its time placeholders filled in (as Marquez's seed
// command does): 13 jobs, each a START and a COMPLETE.
std::string MarquezSeed() {
  std::string text = ReadEventFile("marquez_seed_food_delivery_26_events.json");
  for (std::size_t at; (at = text.find("{{RUN_")) != std::string::npos;) {
    const std::size_t end = text.find("}}", at) + 2;
    const std::string token = text.substr(at, end - at);  // {{RUN_END_TIME_AFTER_8_MINUTES}}
    int minutes = 0;
    if (token != "{{RUN_START_TIME}}") {
      EXPECT_EQ(token.rfind("{{RUN_END_TIME_AFTER_", 0), 0u) << token;
      minutes = std::stoi(token.substr(std::string("{{RUN_END_TIME_AFTER_").size()));
    }
    text.replace(at, end - at, absl::StrFormat("2024-05-01T10:%02d:00Z", minutes));
  }
  EXPECT_EQ(text.find("{{"), std::string::npos);
  return text;
}

TEST(MarquezSeed, TwentySixEventsInOneBatch) {
  absl::StatusOr<std::vector<Event>> events = ParseEvents(MarquezSeed());
  ASSERT_TRUE(events.ok()) << events.status();
  ASSERT_EQ(events->size(), 26u);
  std::set<std::string> jobs;
  std::map<std::string, absl::Time> started;
  int starts = 0;
  for (const Event& e : *events) {
    jobs.insert(e.job->name);
    if (e.type == RunEventType::kStart) {
      ++starts;
      started[e.run->run_id] = e.event_time;
      EXPECT_EQ(e.run->nominal_start, Utc(2020, 2, 22, 22, 0, 0));
      EXPECT_FALSE(e.job->sql.empty()) << e.job->name;
      EXPECT_FALSE(e.job->description.empty()) << e.job->name;
    } else {
      EXPECT_EQ(e.type, RunEventType::kComplete);
      ASSERT_EQ(started.count(e.run->run_id), 1u) << e.job->name;
      EXPECT_GT(e.event_time, started[e.run->run_id]);
    }
  }
  EXPECT_EQ(starts, 13);
  EXPECT_EQ(jobs.size(), 13u);

  const Event& menus = (*events)[0];
  EXPECT_EQ(menus.job->name, "etl_menus");
  EXPECT_EQ(menus.job->description, "Loads newly added restaurant menus daily.");
  EXPECT_EQ(menus.event_time, Utc(2024, 5, 1, 10, 0, 0));
  EXPECT_EQ((*events)[1].event_time, Utc(2024, 5, 1, 10, 8, 0));
  const Dataset& table = menus.outputs.at(0);
  EXPECT_EQ(table.facets.documentation, "A table for menus.");
  EXPECT_EQ(table.facets.datasource_name, "food_delivery_db");
  EXPECT_THAT(SchemaNames(*table.facets.schema),
              ElementsAre("id", "name", "restaurant_id", "description"));
  EXPECT_EQ(table.facets.schema->at(0).type, "INTEGER");
  EXPECT_EQ(table.facets.schema->at(0).description, "The unique ID of the menu.");

  const Event* orders_7_days = nullptr;
  const Event* delivery_7_days = nullptr;
  for (const Event& e : *events) {
    if (e.type != RunEventType::kStart) continue;
    if (e.job->name == "etl_orders_7_days") orders_7_days = &e;
    if (e.job->name == "etl_delivery_7_days") delivery_7_days = &e;
  }
  ASSERT_NE(orders_7_days, nullptr);
  ASSERT_NE(delivery_7_days, nullptr);
  EXPECT_EQ(orders_7_days->inputs.size(), 4u);
  const ColumnLineage& cll = *orders_7_days->outputs.at(0).facets.column_lineage;
  EXPECT_THAT(TransformationsOf(cll, "order_id", "food_delivery", "public.orders", "id"),
              ElementsAre("DIRECT/"));
  const ColumnLineage& delivery = *delivery_7_days->outputs.at(0).facets.column_lineage;
  EXPECT_THAT(Sources(FindField(delivery, "order_id")->inputs),
              ElementsAre("food_delivery|public.orders_7_days|order_id",
                          "food_delivery|public.order_status|order_id"));
  EXPECT_TRUE(delivery_7_days->outputs.at(0).facets.raw.contains("dataQualityAssertions"));
}

}  // namespace
}  // namespace cadastre::openlineage::testing
