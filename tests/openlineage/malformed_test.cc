// Events the parser refuses, each with the path of the member at fault as
// the status field (none when the problem is the body as a whole).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <functional>
#include <optional>

#include "server/common/status.h"
#include "server/openlineage/event.h"
#include "tests/openlineage/test_util.h"

namespace cadastre::openlineage::testing {
namespace {

// A valid RunEvent that each case breaks in one place.
json Valid() {
  return json::parse(R"({
    "eventTime": "2024-06-01T12:00:00.000Z",
    "eventType": "COMPLETE",
    "producer": "https://example.com/producer",
    "schemaURL": "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent",
    "run": {"runId": "f47ac10b-58cc-4372-a567-0e02b2c3d479",
            "facets": {"parent": {"run": {"runId": "6ba7b810-9dad-11d1-80b4-00c04fd430c8"},
                                  "job": {"namespace": "airflow", "name": "dag"}}}},
    "job": {"namespace": "jobs", "name": "nightly", "facets": {"sql": {"query": "SELECT 1"}}},
    "inputs": [{"namespace": "pg", "name": "public.src"}],
    "outputs": [{"namespace": "pg", "name": "public.dst", "facets": {
      "schema": {"fields": [{"name": "ident", "type": "INT"}]},
      "columnLineage": {"fields": {"ident": {"inputFields": [
        {"namespace": "pg", "name": "public.src", "field": "a",
         "transformations": [{"type": "DIRECT", "subtype": "IDENTITY"}]}]}}}}}]
  })");
}

const char kCll[] = "/outputs/0/facets/columnLineage";
const char kInput[] = "/outputs/0/facets/columnLineage/fields/ident/inputFields/0";
const char kInputPath[] = "outputs[0].facets.columnLineage.fields.ident.inputFields[0]";

struct Case {
  std::string name;
  std::function<void(json&)> edit;
  std::optional<std::string> field;
};

// Sets the member at a JSON pointer, or erases it when `value` is discarded.
std::function<void(json&)> Set(const std::string& pointer, json value) {
  return [pointer, value](json& event) {
    const json::json_pointer at(pointer);
    if (value.is_discarded()) {
      event.at(at.parent_pointer()).erase(at.back());
    } else {
      event[at] = value;
    }
  };
}

std::function<void(json&)> Erase(const std::string& pointer) {
  return Set(pointer, json(json::value_t::discarded));
}

std::string Path(const char* prefix, const char* rest) { return std::string(prefix) + rest; }

std::vector<Case> Cases() {
  return {
      {"valid event (control)", [](json&) {}, "<ok>"},
      {"missing eventTime", Erase("/eventTime"), "eventTime"},
      {"eventTime not a string", Set("/eventTime", 1717243200), "eventTime"},
      {"eventTime not a date", Set("/eventTime", "yesterday"), "eventTime"},
      {"eventTime without seconds", Set("/eventTime", "2024-06-01T12:00Z"), "eventTime"},
      {"eventTime date only", Set("/eventTime", "2024-06-01"), "eventTime"},
      {"eventTime with a space", Set("/eventTime", "2024-06-01 12:00:00Z"), "eventTime"},
      {"eventTime short month", Set("/eventTime", "2024-6-01T12:00:00Z"), "eventTime"},
      {"eventTime month 13", Set("/eventTime", "2024-13-01T12:00:00Z"), "eventTime"},
      {"eventTime trailing text", Set("/eventTime", "2024-06-01T12:00:00Z junk"), "eventTime"},
      {"eventTime infinite", Set("/eventTime", "infinite-future"), "eventTime"},
      {"eventType FINISHED", Set("/eventType", "FINISHED"), "eventType"},
      {"eventType lower case", Set("/eventType", "complete"), "eventType"},
      {"eventType a number", Set("/eventType", 3), "eventType"},
      {"producer not a string", Set("/producer", json::object()), "producer"},
      {"run not an object", Set("/run", "r1"), "run"},
      {"runId missing", Erase("/run/runId"), "run.runId"},
      {"runId not a UUID", Set("/run/runId", "spark-run-1"), "run.runId"},
      {"runId without dashes", Set("/run/runId", "f47ac10b58cc4372a5670e02b2c3d479"), "run.runId"},
      {"runId with braces", Set("/run/runId", "{f47ac10b-58cc-4372-a567-0e02b2c3d479}"),
       "run.runId"},
      {"run facets not an object", Set("/run/facets", "x"), "run.facets"},
      {"parent runId not a UUID", Set("/run/facets/parent/run/runId", "dag-run-7"),
       "run.facets.parent.run.runId"},
      {"parent job without name", Erase("/run/facets/parent/job/name"),
       "run.facets.parent.job.name"},
      {"job missing", Erase("/job"), "job"},
      {"job not an object", Set("/job", json::array()), "job"},
      {"missing job.namespace", Erase("/job/namespace"), "job.namespace"},
      {"empty job.name", Set("/job/name", ""), "job.name"},
      {"job facets not an object", Set("/job/facets", json::array()), "job.facets"},
      {"job facet not an object", Set("/job/facets/sql", "SELECT 1"), "job.facets.sql"},
      {"sql query not a string", Set("/job/facets/sql/query", 1), "job.facets.sql.query"},
      {"inputs not an array", Set("/inputs", json::object()), "inputs"},
      {"input not an object", Set("/inputs/0", "public.src"), "inputs[0]"},
      {"empty dataset name", Set("/outputs/0/name", ""), "outputs[0].name"},
      {"missing dataset namespace", Erase("/inputs/0/namespace"), "inputs[0].namespace"},
      {"dataset namespace not a string", Set("/inputs/0/namespace", 5), "inputs[0].namespace"},
      {"outputs not an array", Set("/outputs", "public.dst"), "outputs"},
      {"facets not an object", Set("/outputs/0/facets", json::array()), "outputs[0].facets"},
      {"facet not an object", Set("/outputs/0/facets/schema", 3), "outputs[0].facets.schema"},
      {"inputFacets not an object", Set("/inputs/0/inputFacets", "x"), "inputs[0].inputFacets"},
      {"schema field without name", Erase("/outputs/0/facets/schema/fields/0/name"),
       "outputs[0].facets.schema.fields[0].name"},
      {"schema fields not an array", Set("/outputs/0/facets/schema/fields", json::object()),
       "outputs[0].facets.schema.fields"},
      {"columnLineage.fields not an object", Set(Path(kCll, "/fields"), json::array()),
       "outputs[0].facets.columnLineage.fields"},
      {"columnLineage field entry not an object", Set(Path(kCll, "/fields/ident"), 1),
       "outputs[0].facets.columnLineage.fields.ident"},
      {"inputFields not an array", Set(Path(kCll, "/fields/ident/inputFields"), json::object()),
       "outputs[0].facets.columnLineage.fields.ident.inputFields"},
      {"inputField without field", Erase(Path(kInput, "/field")), Path(kInputPath, ".field")},
      {"inputField without namespace", Erase(Path(kInput, "/namespace")),
       Path(kInputPath, ".namespace")},
      {"inputField with empty name", Set(Path(kInput, "/name"), ""), Path(kInputPath, ".name")},
      {"transformations not an array", Set(Path(kInput, "/transformations"), json::object()),
       Path(kInputPath, ".transformations")},
      {"transformation without type", Erase(Path(kInput, "/transformations/0/type")),
       Path(kInputPath, ".transformations[0].type")},
      {"transformation type unknown", Set(Path(kInput, "/transformations/0/type"), "SIDEWAYS"),
       Path(kInputPath, ".transformations[0].type")},
      {"masking not a boolean", Set(Path(kInput, "/transformations/0/masking"), "yes"),
       Path(kInputPath, ".transformations[0].masking")},
      {"dataset[] not an array", Set(Path(kCll, "/dataset"), json::object()),
       "outputs[0].facets.columnLineage.dataset"},
      {"dataset[] entry without field",
       Set(Path(kCll, "/dataset"), json::parse(R"([{"namespace": "pg", "name": "public.src"}])")),
       "outputs[0].facets.columnLineage.dataset[0].field"},
      {"lineage input of unknown type",
       Set("/outputs/0/facets/lineage",
           json::parse(R"({"inputs": [{"type": "TABLE", "namespace": "pg", "name": "t"}]})")),
       "outputs[0].facets.lineage.inputs[0].type"},
      {"lineage field entry without inputs array",
       Set("/outputs/0/facets/lineage", json::parse(R"({"fields": {"x": {"inputs": 1}}})")),
       "outputs[0].facets.lineage.fields.x.inputs"},
      {"job lineage entry without name",
       Set("/job/facets/lineage",
           json::parse(R"({"entries": [{"type": "DATASET", "namespace": "pg"}]})")),
       "job.facets.lineage.entries[0].name"},
      {"lifecycle state unknown",
       Set("/outputs/0/facets/lifecycleStateChange", json{{"lifecycleStateChange", "MOVE"}}),
       "outputs[0].facets.lifecycleStateChange.lifecycleStateChange"},
      {"owner without name",
       Set("/outputs/0/facets/ownership", json::parse(R"({"owners": [{"type": "OWNER"}]})")),
       "outputs[0].facets.ownership.owners[0].name"},
      {"tag without key",
       Set("/outputs/0/facets/tags", json::parse(R"({"tags": [{"value": "x"}]})")),
       "outputs[0].facets.tags.tags[0].key"},
      {"nominal start time not RFC 3339",
       Set("/run/facets/nominalTime", json{{"nominalStartTime", "2024-06-01"}}),
       "run.facets.nominalTime.nominalStartTime"},
      {"DatasetEvent with empty namespace",
       [](json& e) {
         e = json{{"eventTime", "2024-06-01T12:00:00Z"},
                  {"dataset", {{"namespace", ""}, {"name", "public.t"}}}};
       },
       "dataset.namespace"},
      {"DatasetEvent dataset not an object",
       [](json& e) {
         e = json{{"eventTime", "2024-06-01T12:00:00Z"}, {"dataset", "t"}};
       },
       "dataset"},
      {"JobEvent inputs not an array",
       [](json& e) {
         e = json{{"eventTime", "2024-06-01T12:00:00Z"},
                  {"job", {{"namespace", "j"}, {"name", "n"}}},
                  {"inputs", 1}};
       },
       "inputs"},
      {"neither run, dataset nor job",
       [](json& e) {
         e = json{{"eventTime", "2024-06-01T12:00:00Z"}, {"producer", "p"}};
       },
       std::nullopt},
      {"not an object", [](json& e) { e = "event"; }, std::nullopt},
  };
}

TEST(Malformed, EachIsRefusedNamingTheField) {
  for (const Case& c : Cases()) {
    SCOPED_TRACE(c.name);
    json event = Valid();
    c.edit(event);
    absl::StatusOr<Event> parsed = ParseEvent(event.dump());
    if (c.field == "<ok>") {
      EXPECT_TRUE(parsed.ok()) << parsed.status();
      continue;
    }
    ASSERT_FALSE(parsed.ok());
    EXPECT_EQ(parsed.status().code(), absl::StatusCode::kInvalidArgument) << parsed.status();
    EXPECT_EQ(FieldOf(parsed.status()), c.field) << parsed.status();
    // Also inside a batch, after a good event.
    absl::StatusOr<std::vector<Event>> batch = ParseEvents(json::array({Valid(), event}).dump());
    ASSERT_FALSE(batch.ok());
    EXPECT_EQ(FieldOf(batch.status()), c.field ? "[1]." + *c.field : "[1]") << batch.status();
  }
}

TEST(Malformed, NotJson) {
  for (const char* text : {"", "{", "{not json}", "{\"eventTime\": }", "[1, 2,]", "nul",
                           "{\"a\": \"\xC3\x28\"}", "{} trailing"}) {
    SCOPED_TRACE(text);
    absl::StatusOr<std::vector<Event>> events = ParseEvents(text);
    ASSERT_FALSE(events.ok());
    EXPECT_EQ(events.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(FieldOf(events.status()), std::nullopt);
    EXPECT_THAT(std::string(events.status().message()), ::testing::HasSubstr("not valid JSON"));
    EXPECT_FALSE(ParseEvent(text).ok());
  }
}

TEST(Malformed, ArrayOfNonObjects) {
  for (const char* text : {"[1, 2]", "[\"event\"]", "[null]", "[[]]"}) {
    SCOPED_TRACE(text);
    absl::StatusOr<std::vector<Event>> events = ParseEvents(text);
    EXPECT_EQ(events.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(FieldOf(events.status()), "[0]");
  }
}

TEST(Malformed, OneBadEventRefusesTheBatch) {
  json bad = Valid();
  bad.erase("eventTime");
  absl::StatusOr<std::vector<Event>> events =
      ParseEvents(json::array({Valid(), bad, Valid()}).dump());
  ASSERT_FALSE(events.ok());
  EXPECT_EQ(events.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(FieldOf(events.status()), "[1].eventTime");
  EXPECT_THAT(std::string(events.status().message()), ::testing::StartsWith("[1].eventTime"));

  json bad_output = Valid();
  bad_output["outputs"][0]["namespace"] = "";
  events = ParseEvents(json::array({Valid(), Valid(), Valid(), bad_output}).dump());
  EXPECT_EQ(FieldOf(events.status()), "[3].outputs[0].namespace");
}

}  // namespace
}  // namespace cadastre::openlineage::testing
