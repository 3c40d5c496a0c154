// The run event builder: the JSON it writes, and what it refuses (with the
// field at fault). tests/sdk/validate_openlineage.py checks the same event
// against the OpenLineage JSON schemas.
#include <gtest/gtest.h>

#include "cadastre/client.h"
#include "cadastre/openlineage.h"
#include "nlohmann/json.hpp"
#include "sample_event.h"

namespace cadastre::testing {
namespace {

namespace ol = sdk::ol;
using nlohmann::json;

TEST(OpenLineageBuilderTest, WritesARunEventWithSchemaAndColumnLineageFacets) {
  absl::StatusOr<ol::RunEvent> event = SampleEvent();
  ASSERT_TRUE(event.ok()) << event.status();
  const json parsed = json::parse(event->json());
  EXPECT_EQ(parsed["eventType"], "COMPLETE");
  EXPECT_EQ(parsed["eventTime"], "2026-11-22T10:00:00.250Z");
  EXPECT_EQ(parsed["schemaURL"], ol::kSchemaUrl);
  EXPECT_EQ(parsed["producer"], "https://example.com/etl/curate");
  EXPECT_EQ(parsed["run"]["runId"], "01930000-0000-7000-8000-000000000001");
  EXPECT_EQ(event->run_id(), "01930000-0000-7000-8000-000000000001");
  EXPECT_EQ(parsed["run"]["facets"]["parent"]["job"]["name"], "nightly");
  EXPECT_EQ(parsed["job"]["facets"]["sql"]["query"], "SELECT 1");
  EXPECT_EQ(parsed["job"]["facets"]["sql"]["_producer"], "https://example.com/etl/curate");

  const json& output = parsed["outputs"][0];
  EXPECT_EQ(output["namespace"], "warehouse");
  const json& schema = output["facets"]["schema"];
  EXPECT_EQ(schema["fields"][0], (json{{"name", "customer_id"}, {"type", "bigint"}}));
  EXPECT_EQ(schema["fields"][2]["fields"][0]["name"], "city");
  EXPECT_NE(schema["_schemaURL"].get<std::string>().find("SchemaDatasetFacet"), std::string::npos);
  const json& lineage = output["facets"]["columnLineage"];
  EXPECT_EQ(lineage["fields"]["email_hash"]["inputFields"][0],
            (json{{"namespace", "postgres://crm:5432"},
                  {"name", "public.customers"},
                  {"field", "email"},
                  {"transformations",
                   {{{"type", "DIRECT"},
                     {"subtype", "TRANSFORMATION"},
                     {"description", "sha256(email)"},
                     {"masking", true}}}}}));
  EXPECT_EQ(lineage["dataset"][0]["transformations"][0],
            (json{{"type", "INDIRECT"}, {"subtype", "FILTER"}}));
  EXPECT_EQ(output["facets"]["dataQuality"]["rowCount"], 3);
  EXPECT_EQ(output["facets"]["dataQuality"]["_schemaURL"],
            "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/BaseFacet");
}

TEST(OpenLineageBuilderTest, MakesTimeOrderedUuidV7RunIds) {
  const std::string a = ol::NewRunId();
  const std::string b = ol::NewRunId();
  EXPECT_NE(a, b);
  ASSERT_EQ(a.size(), 36u);
  EXPECT_EQ(a[14], '7');
  EXPECT_TRUE(a[19] == '8' || a[19] == '9' || a[19] == 'a' || a[19] == 'b') << a;
  auto event = ol::RunEventBuilder(ol::EventType::kStart).Job("j", "k").Build();
  ASSERT_TRUE(event.ok());
  EXPECT_EQ(event->run_id().size(), 36u);
  EXPECT_EQ(json::parse(event->json())["eventType"], "START");
}

struct Refusal {
  const char* name;
  std::function<ol::RunEventBuilder()> make;
  const char* field;
};

TEST(OpenLineageBuilderTest, RefusesWhatTheSpecMakesFirmAndNamesTheField) {
  auto base = [] { return ol::RunEventBuilder().Job("etl", "job"); };
  const std::vector<Refusal> refusals = {
      {"no job", [] { return ol::RunEventBuilder(); }, "job.namespace"},
      {"job without name", [] { return ol::RunEventBuilder().Job("etl", ""); }, "job.name"},
      {"run id", [&] { return base().RunId("run-1"); }, "run.runId"},
      {"producer", [&] { return base().Producer("etl"); }, "producer"},
      {"dataset name", [&] { return base().Output(ol::Dataset("warehouse", "")); }, "outputs[0].name"},
      {"schema field", [&] { return base().Input(ol::Dataset("a", "b").Field("")); },
       "inputs[0].facets.schema.fields[0].name"},
      {"transformation type",
       [&] {
         ol::Transformation odd;
         odd.type = "SIDEWAYS";
         return base().Output(
             ol::Dataset("w", "t").ColumnLineage("x", ol::InputField("a", "b", "c", odd)));
       },
       "outputs[0].facets.columnLineage.fields.x.inputFields[0].transformations[0].type"},
      {"input field", [&] {
         return base().Output(ol::Dataset("w", "t").DatasetLineage(ol::InputField("a", "b", "")));
       },
       "outputs[0].facets.columnLineage.dataset[0].field"},
      {"facet", [&] { return base().RunFacet("custom", "[1]"); }, "run.facets.custom"},
      {"parent run id", [&] { return base().ParentRun("airflow", "dag", "x"); },
       "run.facets.parent.run.runId"},
  };
  for (const Refusal& refusal : refusals) {
    absl::StatusOr<ol::RunEvent> event = refusal.make().Build();
    EXPECT_EQ(event.status().code(), absl::StatusCode::kInvalidArgument) << refusal.name;
    EXPECT_EQ(sdk::FieldOf(event.status()), refusal.field) << refusal.name << ": " << event.status();
  }
}

}  // namespace
}  // namespace cadastre::testing
