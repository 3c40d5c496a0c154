// The parsing rules one at a time, on small events written for the purpose:
// the lenient readings of docs/lineage.md, facet mapping, precedence of the
// lineage facets, canonical JSON and the input limits.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

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

json RunEvent() {
  return json::parse(R"({
    "eventTime": "2024-06-01T12:00:00Z",
    "eventType": "COMPLETE",
    "run": {"runId": "f47ac10b-58cc-4372-a567-0e02b2c3d479"},
    "job": {"namespace": "jobs", "name": "nightly"},
    "inputs": [{"namespace": "pg", "name": "public.src"}],
    "outputs": [{"namespace": "pg", "name": "public.dst", "facets": {}}]
  })");
}

json& OutputFacets(json& event) { return event["outputs"][0]["facets"]; }

Event MustParse(const json& event) {
  absl::StatusOr<Event> parsed = ParseEvent(event.dump());
  EXPECT_TRUE(parsed.ok()) << parsed.status();
  return parsed.ok() ? *std::move(parsed) : Event{};
}

json Source(const char* name, const char* field, json transformations) {
  json source = {{"namespace", "pg"}, {"name", name}, {"field", field}};
  if (!transformations.is_null()) source["transformations"] = std::move(transformations);
  return source;
}

json T(const char* type, const char* subtype) { return {{"type", type}, {"subtype", subtype}}; }

const ColumnLineage& OutputLineage(const Event& event, std::size_t i = 0) {
  static const ColumnLineage kNone;
  if (i >= event.outputs.size() || !event.outputs[i].facets.column_lineage) {
    ADD_FAILURE() << "output " << i << " has no column lineage";
    return kNone;
  }
  return *event.outputs[i].facets.column_lineage;
}

TEST(Rules, ProducerSchemaUrlAndEventTypeMayBeMissing) {
  json event = RunEvent();
  event.erase("eventType");
  const Event e = MustParse(event);
  EXPECT_EQ(e.kind, EventKind::kRun);
  EXPECT_EQ(e.type, RunEventType::kOther);
  EXPECT_EQ(e.producer, "");
  EXPECT_EQ(e.schema_url, "");
}

TEST(Rules, NullMembersReadAsAbsent) {
  json event = RunEvent();
  event["eventType"] = nullptr;
  event["inputs"] = nullptr;
  event["job"]["facets"] = nullptr;
  OutputFacets(event) = {{"schema", nullptr}};
  const Event e = MustParse(event);
  EXPECT_EQ(e.type, RunEventType::kOther);
  EXPECT_THAT(e.inputs, IsEmpty());
  EXPECT_FALSE(e.outputs.at(0).facets.schema.has_value());
  EXPECT_TRUE(e.outputs.at(0).facets.raw.empty());
}

TEST(Rules, EventTimeOffsetsAndFractions) {
  const absl::Time noon =
      absl::FromCivil(absl::CivilSecond(2024, 6, 1, 12, 0, 0), absl::UTCTimeZone());
  struct Case {
    const char* text;
    absl::Time want;
  };
  for (const Case& c :
       {Case{"2024-06-01T12:00:00Z", noon}, Case{"2024-06-01T14:00:00+02:00", noon},
        Case{"2024-06-01T04:30:00-07:30", noon},
        Case{"2024-06-01T12:00:00.5Z", noon + absl::Milliseconds(500)},
        Case{"2024-06-01T12:00:00.123456789+00:00", noon + absl::Nanoseconds(123456789)}}) {
    json event = RunEvent();
    event["eventTime"] = c.text;
    EXPECT_EQ(MustParse(event).event_time, c.want) << c.text;
  }
}

TEST(Rules, RunIdIsAnyUuidStoredLowerCase) {
  for (const char* id :
       {"0192A1B2-C3D4-7E5F-8A9B-0C1D2E3F4A5B", "00000000-0000-0000-0000-000000000000",
        "6ba7b810-9dad-11d1-80b4-00c04fd430c8"}) {
    json event = RunEvent();
    event["run"]["runId"] = id;
    std::string lower = id;
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    EXPECT_EQ(MustParse(event).run.value().run_id, lower);
  }
}

TEST(Rules, KindComesFromRunThenDatasetThenJob) {
  json dataset = {{"namespace", "pg"}, {"name", "public.t"}};
  json run_and_dataset = RunEvent();
  run_and_dataset["dataset"] = dataset;
  EXPECT_EQ(MustParse(run_and_dataset).kind, EventKind::kRun);

  json dataset_and_job = {{"eventTime", "2024-06-01T12:00:00Z"},
                          {"dataset", dataset},
                          {"job", {{"namespace", "jobs"}, {"name", "n"}}}};
  const Event d = MustParse(dataset_and_job);
  EXPECT_EQ(d.kind, EventKind::kDataset);
  EXPECT_FALSE(d.job.has_value());

  json job_event = {{"eventTime", "2024-06-01T12:00:00Z"},
                    {"eventType", "COMPLETE"},  // not a JobEvent member: ignored
                    {"job", {{"namespace", "jobs"}, {"name", "n"}}}};
  const Event j = MustParse(job_event);
  EXPECT_EQ(j.kind, EventKind::kJob);
  EXPECT_EQ(j.type, RunEventType::kNone);
  EXPECT_FALSE(j.run.has_value());
}

TEST(Rules, DeprecatedTransformationTypes) {
  json event = RunEvent();
  OutputFacets(event)["columnLineage"]["fields"] = {
      {"masked",
       {{"inputFields", {Source("public.src", "ssn", json::array())}},
        {"transformationType", "MASKED"},
        {"transformationDescription", "sha256(ssn)"}}},
      {"identity",
       {{"inputFields", {Source("public.src", "id", json::array())}},
        {"transformationType", "identity"}}},
      {"other",
       {{"inputFields", {Source("public.src", "n", json::array())}},
        {"transformationType", "AGGREGATION"}}},
      {"described",
       {{"inputFields", {Source("public.src", "x", nullptr)}},
        {"transformationDescription", "x + 1"}}},
      {"plain", {{"inputFields", {Source("public.src", "y", nullptr)}}}}};
  const ColumnLineage cll = OutputLineage(MustParse(event));
  auto only = [&](const char* field) {
    return FindField(cll, field)->inputs.at(0).transformations;
  };
  ASSERT_EQ(only("masked").size(), 1u);
  EXPECT_EQ(Describe(only("masked")[0]), "DIRECT/+masking");
  EXPECT_EQ(only("masked")[0].description, "sha256(ssn)");
  EXPECT_THAT(Describe(only("identity")), ElementsAre("DIRECT/IDENTITY"));
  EXPECT_THAT(Describe(only("other")), ElementsAre("DIRECT/AGGREGATION"));
  EXPECT_THAT(Describe(only("described")), ElementsAre("DIRECT/"));
  EXPECT_EQ(only("described")[0].description, "x + 1");
  EXPECT_THAT(Describe(only("plain")), ElementsAre("DIRECT/"));
  EXPECT_EQ(only("plain")[0].description, "");
  EXPECT_FALSE(only("plain")[0].masking);
}

TEST(Rules, TransformationTypesAreUpperCased) {
  json event = RunEvent();
  OutputFacets(event)["columnLineage"]["fields"]["f"]["inputFields"] = {Source(
      "public.src", "a",
      {T("indirect", "filter"),
       {{"type", "Direct"}, {"subtype", "identity"}, {"description", "a"}, {"masking", true}}})};
  const ColumnLineage cll = OutputLineage(MustParse(event));
  EXPECT_THAT(TransformationsOf(cll, "f", "pg", "public.src", "a"),
              ElementsAre("INDIRECT/FILTER", "DIRECT/IDENTITY+masking"));
}

TEST(Rules, OnlyExactCopiesOfDatasetDependenciesAreDropped) {
  json event = RunEvent();
  json& cll_json = OutputFacets(event)["columnLineage"];
  cll_json["dataset"] = {Source("public.src", "a", {T("INDIRECT", "FILTER")})};
  cll_json["fields"] = {
      {"own_and_copy",
       {{"inputFields",
         {Source("public.src", "a", {T("DIRECT", "IDENTITY"), T("INDIRECT", "FILTER")})}}}},
      {"only_copy", {{"inputFields", {Source("public.src", "a", {T("INDIRECT", "FILTER")})}}}},
      {"other_subtype", {{"inputFields", {Source("public.src", "a", {T("INDIRECT", "JOIN")})}}}},
      {"other_column", {{"inputFields", {Source("public.src", "b", {T("INDIRECT", "FILTER")})}}}},
      {"other_table", {{"inputFields", {Source("public.other", "a", {T("INDIRECT", "FILTER")})}}}},
      {"direct", {{"inputFields", {Source("public.src", "a", {T("DIRECT", "FILTER")})}}}}};
  const ColumnLineage cll = OutputLineage(MustParse(event));
  EXPECT_THAT(Sources(cll.dataset), ElementsAre("pg|public.src|a"));
  EXPECT_THAT(TransformationsOf(cll, "own_and_copy", "pg", "public.src", "a"),
              ElementsAre("DIRECT/IDENTITY"));
  ASSERT_NE(FindField(cll, "only_copy"), nullptr);
  EXPECT_THAT(FindField(cll, "only_copy")->inputs, IsEmpty());
  EXPECT_THAT(TransformationsOf(cll, "other_subtype", "pg", "public.src", "a"),
              ElementsAre("INDIRECT/JOIN"));
  EXPECT_THAT(TransformationsOf(cll, "other_column", "pg", "public.src", "b"),
              ElementsAre("INDIRECT/FILTER"));
  EXPECT_THAT(TransformationsOf(cll, "other_table", "pg", "public.other", "a"),
              ElementsAre("INDIRECT/FILTER"));
  EXPECT_THAT(TransformationsOf(cll, "direct", "pg", "public.src", "a"),
              ElementsAre("DIRECT/FILTER"));
}

json ExplicitLineage(const char* target_field, const char* source_field) {
  return {{"inputs", {{{"namespace", "pg"}, {"name", "public.src"}, {"type", "DATASET"}}}},
          {"fields",
           {{target_field,
             {{"inputs",
               {{{"namespace", "pg"},
                 {"name", "public.src"},
                 {"type", "DATASET"},
                 {"field", source_field},
                 {"transformations", {T("DIRECT", "IDENTITY")}}},
                {{"type", "JOB"}, {"namespace", "jobs"}, {"name", "upstream"}}}}}}}}};
}

TEST(Rules, ExplicitLineageFacetTakesPrecedenceOverColumnLineage) {
  json event = RunEvent();
  OutputFacets(event)["columnLineage"]["fields"]["from_cll"]["inputFields"] = {
      Source("public.src", "z", nullptr)};
  OutputFacets(event)["lineage"] = ExplicitLineage("from_lineage", "a");
  const Event e = MustParse(event);
  const ColumnLineage& cll = OutputLineage(e);
  EXPECT_THAT(FieldNames(cll), ElementsAre("from_lineage"));
  // The JOB source names no column and is left out.
  EXPECT_THAT(Sources(FindField(cll, "from_lineage")->inputs), ElementsAre("pg|public.src|a"));
  EXPECT_THAT(Sources(cll.dataset), ElementsAre("pg|public.src|"));
  EXPECT_TRUE(e.outputs.at(0).facets.raw.contains("columnLineage"));
  EXPECT_TRUE(e.outputs.at(0).facets.raw.contains("lineage"));
}

TEST(Rules, JobLineageFacetNamesOutputs) {
  json event = RunEvent();
  event["outputs"] = json::parse(R"([
    {"namespace": "pg", "name": "public.dst", "facets": {"columnLineage": {"fields": {
      "old": {"inputFields": [{"namespace": "pg", "name": "public.src", "field": "z"}]}}}}},
    {"namespace": "pg", "name": "public.own", "facets": {}}])");
  event["outputs"][1]["facets"]["lineage"] = ExplicitLineage("mine", "m");
  json dst_entry = ExplicitLineage("x", "a");
  dst_entry.update({{"type", "DATASET"}, {"namespace", "pg"}, {"name", "public.dst"}});
  json dst_more = json::parse(R"({"type": "DATASET", "namespace": "pg", "name": "public.dst",
    "fields": {"y": {"inputs": [{"namespace": "pg", "name": "public.src", "field": "b"}]}}})");
  json own_entry = ExplicitLineage("theirs", "t");
  own_entry.update({{"type", "DATASET"}, {"namespace", "pg"}, {"name", "public.own"}});
  json new_entry = json::parse(R"({"type": "DATASET", "namespace": "pg", "name": "public.new",
    "inputs": [{"namespace": "pg", "name": "public.src", "type": "DATASET"}]})");
  json job_entry = json::parse(R"({"type": "JOB", "inputs": []})");
  event["job"]["facets"]["lineage"]["entries"] = {dst_entry, dst_more, own_entry, new_entry,
                                                  job_entry};

  const Event e = MustParse(event);
  ASSERT_EQ(e.outputs.size(), 3u);
  // The job's entries (two for public.dst, merged) win over columnLineage…
  EXPECT_THAT(FieldNames(OutputLineage(e, 0)), ElementsAre("x", "y"));
  EXPECT_THAT(TransformationsOf(OutputLineage(e, 0), "y", "pg", "public.src", "b"),
              ElementsAre("DIRECT/"));
  // …the dataset's own lineage facet wins over the job's…
  EXPECT_THAT(FieldNames(OutputLineage(e, 1)), ElementsAre("mine"));
  // …and a target the event does not list becomes an output.
  EXPECT_EQ(e.outputs.at(2).ns, "pg");
  EXPECT_EQ(e.outputs.at(2).name, "public.new");
  EXPECT_THAT(FieldNames(OutputLineage(e, 2)), IsEmpty());
  EXPECT_THAT(Sources(OutputLineage(e, 2).dataset), ElementsAre("pg|public.src|"));
  EXPECT_TRUE(e.job.value().raw.contains("lineage"));
}

TEST(Rules, JobEventLineageFacetAddsOutputs) {
  const json event = json::parse(R"({
    "eventTime": "2024-06-01T12:00:00Z",
    "job": {"namespace": "design", "name": "declared", "facets": {"lineage": {"entries": [
      {"type": "DATASET", "namespace": "pg", "name": "public.report", "fields": {
        "total": {"inputs": [{"type": "DATASET", "namespace": "pg", "name": "public.sales",
                              "field": "amount",
                              "transformations": [{"type": "DIRECT", "subtype": "AGGREGATION"}]}]}}}
    ]}}}})");
  const Event e = MustParse(event);
  EXPECT_EQ(e.kind, EventKind::kJob);
  ASSERT_EQ(e.outputs.size(), 1u);
  EXPECT_EQ(e.outputs.at(0).name, "public.report");
  EXPECT_THAT(TransformationsOf(OutputLineage(e), "total", "pg", "public.sales", "amount"),
              ElementsAre("DIRECT/AGGREGATION"));
}

TEST(Rules, NestedSchemaFieldsAreFlattened) {
  json event = RunEvent();
  OutputFacets(event)["schema"] = json::parse(R"({"fields": [
    {"name": "id", "type": "INT"},
    {"name": "address", "type": "STRUCT", "description": "where", "fields": [
      {"name": "city", "type": "STRING"},
      {"name": "zip", "type": "STRUCT", "fields": [{"name": "code", "type": "STRING"}]}]},
    {"name": "tags", "type": "ARRAY", "fields": []}]})");
  const Event e = MustParse(event);
  const std::vector<SchemaField>& schema = *e.outputs.at(0).facets.schema;
  EXPECT_THAT(SchemaNames(schema), ElementsAre("id", "address", "address.city", "address.zip",
                                               "address.zip.code", "tags"));
  EXPECT_EQ(schema[1].type, "STRUCT");
  EXPECT_EQ(schema[1].description, "where");
  EXPECT_EQ(schema[4].type, "STRING");
}

TEST(Rules, CatalogFacetsAreMapped) {
  json event = RunEvent();
  OutputFacets(event) = json::parse(R"({
    "ownership": {"owners": [{"name": "team:data", "type": "MAINTAINER"}, {"name": "user:jdoe"}]},
    "dataSource": {"name": "warehouse", "uri": "postgres://db:5432/wh"},
    "documentation": {"description": "Daily sales.", "contentType": "text/markdown"},
    "tags": {"tags": [{"key": "PII", "value": "", "field": "email"},
                      {"key": "tier", "value": "gold", "source": "USER"},
                      {"key": "Confidential"}]},
    "lifecycleStateChange": {"lifecycleStateChange": "RENAME",
                             "previousIdentifier": {"namespace": "pg", "name": "public.old"}}})");
  const DatasetFacets f = MustParse(event).outputs.at(0).facets;
  ASSERT_TRUE(f.ownership.has_value());
  ASSERT_EQ(f.ownership->size(), 2u);
  EXPECT_EQ((*f.ownership)[0].name, "team:data");
  EXPECT_EQ((*f.ownership)[0].type, "MAINTAINER");
  EXPECT_EQ((*f.ownership)[1].type, "");
  EXPECT_EQ(f.datasource_name, "warehouse");
  EXPECT_EQ(f.documentation, "Daily sales.");
  ASSERT_EQ(f.tags.size(), 3u);
  EXPECT_EQ(f.tags[0].tag, "PII");
  EXPECT_EQ(f.tags[0].field, "email");
  EXPECT_EQ(f.tags[1].tag, "tier.gold");
  EXPECT_EQ(f.tags[1].field, "");
  EXPECT_EQ(f.tags[2].tag, "Confidential");
  ASSERT_TRUE(f.lifecycle.has_value());
  EXPECT_EQ(f.lifecycle->state, "RENAME");
  EXPECT_EQ(f.lifecycle->previous, std::make_pair(std::string("pg"), std::string("public.old")));
  EXPECT_FALSE(f.schema.has_value());
  EXPECT_FALSE(f.column_lineage.has_value());
  EXPECT_EQ(f.raw.size(), 5u);
}

TEST(Rules, DeletedFacetsAreListedNotMapped) {
  json event = RunEvent();
  OutputFacets(event) = json::parse(R"({
    "schema": {"_producer": "p", "_schemaURL": "u", "_deleted": true},
    "documentation": {"description": "kept", "_deleted": false}})");
  event["job"]["facets"] = json::parse(R"({"sql": {"_deleted": true},
                                           "documentation": {"description": "job doc"}})");
  const Event e = MustParse(event);
  const DatasetFacets& f = e.outputs.at(0).facets;
  EXPECT_THAT(f.deleted, ElementsAre("schema"));
  EXPECT_FALSE(f.schema.has_value());
  EXPECT_FALSE(f.raw.contains("schema"));
  EXPECT_TRUE(f.raw.contains("documentation"));
  EXPECT_EQ(f.documentation, "kept");
  EXPECT_THAT(e.job.value().deleted, ElementsAre("sql"));
  EXPECT_FALSE(e.job.value().raw.contains("sql"));
  EXPECT_EQ(e.job.value().sql, "");
  EXPECT_EQ(e.job.value().description, "job doc");
}

TEST(Rules, InputAndOutputFacetsJoinTheRawFacets) {
  json event = RunEvent();
  event["inputs"][0]["inputFacets"] = json::parse(
      R"({"dataQualityMetrics": {"rowCount": 10, "columnMetrics": {"a": {"nullCount": 0}}}})");
  OutputFacets(event) = {{"documentation", {{"description", "from facets"}}}};
  event["outputs"][0]["outputFacets"] = json::parse(R"({
    "outputStatistics": {"rowCount": 3},
    "documentation": {"description": "from outputFacets"}})");
  const Event e = MustParse(event);
  EXPECT_EQ(e.inputs.at(0).facets.raw["dataQualityMetrics"]["rowCount"], 10);
  EXPECT_TRUE(e.outputs.at(0).facets.raw.contains("outputStatistics"));
  EXPECT_EQ(e.outputs.at(0).facets.raw["documentation"]["description"], "from facets");
}

TEST(Rules, RunFacetsGiveParentAndNominalTimes) {
  json event = RunEvent();
  event["run"]["facets"] = json::parse(R"({
    "parent": {"run": {"runId": "0192A1B2-C3D4-7E5F-8A9B-0C1D2E3F4A5B"},
               "job": {"namespace": "airflow", "name": "dag"}},
    "nominalTime": {"nominalStartTime": "2024-06-01T00:00:00Z",
                    "nominalEndTime": "2024-06-02T00:00:00Z"},
    "custom": {"anything": [1, 2, 3]}})");
  const Event e = MustParse(event);
  EXPECT_EQ(e.run.value().parent_run_id, "0192a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b");
  EXPECT_EQ(e.job.value().parent, std::make_pair(std::string("airflow"), std::string("dag")));
  EXPECT_EQ(e.run.value().nominal_start,
            absl::FromCivil(absl::CivilDay(2024, 6, 1), absl::UTCTimeZone()));
  EXPECT_EQ(e.run.value().nominal_end,
            absl::FromCivil(absl::CivilDay(2024, 6, 2), absl::UTCTimeZone()));
  EXPECT_EQ(e.run.value().raw.size(), 3u);
}

TEST(Rules, JobFacetsAreMapped) {
  json event = RunEvent();
  event["job"]["facets"] = json::parse(R"json({
    "jobType": {"processingType": "STREAMING", "integration": "FLINK", "jobType": "JOB"},
    "sql": {"query": "SELECT 1", "dialect": "ansi"},
    "sourceCode": {"language": "python", "sourceCode": "print(1)"},
    "sourceCodeLocation": {"type": "git", "url": "https://github.com/o/r/blob/main/job.py"},
    "documentation": {"description": "Streams orders."}})json");
  const Job job = *MustParse(event).job;
  EXPECT_EQ(job.processing_type, "STREAMING");
  EXPECT_EQ(job.integration, "FLINK");
  EXPECT_EQ(job.job_type, "JOB");
  EXPECT_EQ(job.sql, "SELECT 1");
  EXPECT_EQ(job.source_code_language, "python");
  EXPECT_EQ(job.source_code, "print(1)");
  EXPECT_EQ(job.source_code_location, "https://github.com/o/r/blob/main/job.py");
  EXPECT_EQ(job.description, "Streams orders.");
  EXPECT_FALSE(job.parent.has_value());
}

TEST(Canonical, SameEventInAnotherKeyOrderGivesTheSameJson) {
  const std::string a = R"({"eventTime":"2024-06-01T12:00:00Z","eventType":"START",
    "run":{"runId":"f47ac10b-58cc-4372-a567-0e02b2c3d479","facets":{"b":{"y":1,"x":[2,{"q":1,"p":2}]}}},
    "job":{"namespace":"jobs","name":"nightly"},"producer":"p"})";
  const std::string b = R"({ "producer" : "p",
    "job" : { "name" : "nightly", "namespace" : "jobs" },
    "run" : { "facets" : { "b" : { "x" : [ 2, { "p" : 2, "q" : 1 } ], "y" : 1 } },
              "runId" : "f47ac10b-58cc-4372-a567-0e02b2c3d479" },
    "eventType" : "START", "eventTime" : "2024-06-01T12:00:00Z" })";
  absl::StatusOr<Event> ea = ParseEvent(a);
  absl::StatusOr<Event> eb = ParseEvent(b);
  ASSERT_TRUE(ea.ok()) << ea.status();
  ASSERT_TRUE(eb.ok()) << eb.status();
  EXPECT_EQ(ea->canonical_json, eb->canonical_json);
  EXPECT_EQ(ea->canonical_json,
            R"({"eventTime":"2024-06-01T12:00:00Z","eventType":"START","job":{"name":"nightly",)"
            R"("namespace":"jobs"},"producer":"p","run":{"facets":{"b":{"x":[2,{"p":2,"q":1}],)"
            R"("y":1}},"runId":"f47ac10b-58cc-4372-a567-0e02b2c3d479"}})");
  // Array order is content: a different order is a different event.
  std::string c = a;
  c.replace(c.find("[2,{\"q\":1,\"p\":2}]"), 17, "[{\"q\":1,\"p\":2},2]");
  absl::StatusOr<Event> ec = ParseEvent(c);
  ASSERT_TRUE(ec.ok()) << ec.status();
  EXPECT_NE(ec->canonical_json, ea->canonical_json);
}

TEST(Canonical, EachEventOfABatchHasItsOwn) {
  json one = RunEvent();
  json two = RunEvent();
  two["eventType"] = "START";
  absl::StatusOr<std::vector<Event>> events = ParseEvents(json::array({one, two}).dump(2));
  ASSERT_TRUE(events.ok()) << events.status();
  ASSERT_EQ(events->size(), 2u);
  EXPECT_EQ((*events)[0].canonical_json, one.dump());
  EXPECT_EQ((*events)[1].canonical_json, two.dump());
}

TEST(Batches, SingleObjectOrArray) {
  absl::StatusOr<std::vector<Event>> single = ParseEvents(RunEvent().dump());
  ASSERT_TRUE(single.ok()) << single.status();
  EXPECT_EQ(single->size(), 1u);
  absl::StatusOr<std::vector<Event>> none = ParseEvents("[]");
  ASSERT_TRUE(none.ok()) << none.status();
  EXPECT_THAT(*none, IsEmpty());
  // ParseEvent takes one event, not a batch.
  EXPECT_EQ(ParseEvent(json::array({RunEvent()}).dump()).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(Limits, OversizedInputIsRefused) {
  std::string huge = RunEvent().dump();
  huge.insert(huge.size() - 1, ",\"padding\":\"" + std::string(33u << 20, 'x') + "\"");
  absl::StatusOr<Event> event = ParseEvent(huge);
  EXPECT_EQ(event.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(FieldOf(event.status()), std::nullopt);
}

TEST(Limits, DeepNestingIsRefusedWithoutRecursing) {
  for (const std::string& deep :
       {std::string(1'000'000, '['), std::string(100'000, '[') + std::string(100'000, ']')}) {
    EXPECT_EQ(ParseEvents(deep).status().code(), absl::StatusCode::kInvalidArgument);
  }
  auto nested_facet = [](int depth) {
    std::string value = "1";
    for (int i = 0; i < depth; ++i) value = "[" + value + "]";
    json event = RunEvent();
    std::string text = event.dump();
    return text.insert(text.size() - 1, ",\"extra\":" + value);
  };
  EXPECT_TRUE(ParseEvent(nested_facet(200)).ok());
  EXPECT_EQ(ParseEvent(nested_facet(300)).status().code(), absl::StatusCode::kInvalidArgument);
  // Brackets inside strings are not nesting.
  json event = RunEvent();
  event["run"]["facets"]["note"] = {{"text", std::string(5000, '[') + "\\\"{"}};
  EXPECT_TRUE(ParseEvent(event.dump()).ok());
}

TEST(Names, RunEventTypeName) {
  EXPECT_EQ(RunEventTypeName(RunEventType::kNone), "");
  EXPECT_EQ(RunEventTypeName(RunEventType::kStart), "START");
  EXPECT_EQ(RunEventTypeName(RunEventType::kRunning), "RUNNING");
  EXPECT_EQ(RunEventTypeName(RunEventType::kComplete), "COMPLETE");
  EXPECT_EQ(RunEventTypeName(RunEventType::kAbort), "ABORT");
  EXPECT_EQ(RunEventTypeName(RunEventType::kFail), "FAIL");
  EXPECT_EQ(RunEventTypeName(RunEventType::kOther), "OTHER");
}

}  // namespace
}  // namespace cadastre::openlineage::testing
