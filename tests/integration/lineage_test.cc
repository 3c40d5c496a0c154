// OpenLineage ingestion and the lineage endpoints against the real server:
// real events from Spark, Airflow, dbt, Hive and Marquez's seed posted as a
// client would, Marquez-shaped answers, the same answers over gRPC, bad
// events refused, and the graph rebuilt after kill -9.
#include <gtest/gtest.h>

#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "cadastre/v1/lineage.grpc.pb.h"
#include "google/protobuf/util/json_util.h"
#include "nlohmann/json.hpp"
#include "server_process.h"
#include "suite_server.h"

namespace cadastre::testing {
namespace {

using nlohmann::json;

std::string ReadFile(const std::string& name) {
  std::ifstream in(std::string(CADASTRE_OL_EVENTS_DIR) + "/" + name);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// Marquez's seed has time placeholders; expected-subset files omit what a
// matcher ignores. Fill both the way a real producer would.
std::string FillTemplate(std::string text) {
  text = std::regex_replace(text, std::regex(R"(\{\{RUN_START_TIME\}\})"), "2026-01-01T00:00:00Z");
  for (int minutes = 1; minutes <= 59; minutes++) {
    char time[32];
    std::snprintf(time, sizeof time, "2026-01-01T00:%02d:00Z", minutes);
    text = std::regex_replace(
        text, std::regex("\\{\\{RUN_END_TIME_AFTER_" + std::to_string(minutes) + "_MINUTES\\}\\}"),
        time);
  }
  return text;
}

std::string Encode(const std::string& text) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out += {'%', hex[c >> 4], hex[c & 15]};
    }
  }
  return out;
}

// The COMPLETE-EVENT files of tests/data/openlineage/events: real events,
// accepted exactly as the integrations sent them.
const std::vector<std::string> kRealEvents = {
    "spark_ctas_join_groupby_cll_START.json",    "spark_ctas_join_groupby_cll_COMPLETE.json",
    "airflow_gcs_to_bigquery_cll_COMPLETE.json", "airflow_bigquery_copy_cll_COMPLETE.json",
    "airflow_bigquery_to_gcs_cll_COMPLETE.json", "spark_dataproc_bigquery_to_file_cll_COMPLETE.json",
    "spark_dataproc_hive_ctas_cll_RUNNING.json", "spark_dataproc_hive_ctas_cll_COMPLETE.json",
    "static_DatasetEvent_example.json",          "static_JobEvent_example.json",
};

// What an expected-subset file omits or leaves to a matcher, filled in the
// way a producer would: times, run ids, producer, namespaces, and matcher
// placeholders ("${json-unit.any-string}", "{{ any(result) }}").
void FillExpectedEvent(json& value, int& run) {
  if (value.is_object()) {
    for (auto& [key, item] : value.items()) {
      if (item.is_string()) {
        const std::string text = item;
        if (text.find("{{") != std::string::npos || text.find("${json-unit") != std::string::npos) {
          char id[40];
          std::snprintf(id, sizeof id, "01930000-0000-7000-9000-%012d", ++run);
          item = key == "namespace" ? "hdfs://dataproc-producer-test-m"
                 : key == "runId"   ? std::string(id)
                                    : std::string("filled");
        }
      } else {
        FillExpectedEvent(item, run);
      }
    }
  } else if (value.is_array()) {
    for (json& item : value) FillExpectedEvent(item, run);
  }
}

json FillExpected(json event, int& run) {
  FillExpectedEvent(event, run);
  if (!event.contains("eventTime")) event["eventTime"] = "2026-01-02T00:00:00Z";
  if (!event.contains("producer")) event["producer"] = "https://example.com/filled";
  char id[40];
  std::snprintf(id, sizeof id, "01930000-0000-7000-8000-%012d", ++run);
  if (!event["run"].contains("runId")) event["run"]["runId"] = id;
  if (!event["job"].contains("namespace")) event["job"]["namespace"] = "spark";
  if (!event["job"].contains("name")) event["job"]["name"] = std::string("filled_job_") + id;
  // One file leaves out every namespace.
  auto fill_namespace = [](json& dataset) {
    if (!dataset.contains("namespace")) dataset["namespace"] = "postgres://localhost:5432";
  };
  for (const char* side : {"inputs", "outputs"}) {
    for (json& dataset : event[side]) {
      fill_namespace(dataset);
      if (!dataset.contains("facets") || !dataset["facets"].contains("columnLineage")) continue;
      for (auto& [field, lineage] : dataset["facets"]["columnLineage"]["fields"].items()) {
        for (json& input : lineage["inputFields"]) fill_namespace(input);
      }
    }
  }
  return event;
}

class LineageTest : public SuiteServerTest<LineageTest> {
 protected:
  httplib::Result Post(const std::string& body) {
    return server().HttpClient()->Post("/api/v1/lineage", body, "application/json");
  }
  json Get(const std::string& path, int expected = 200) {
    auto res = server().HttpClient()->Get(path.c_str());
    EXPECT_TRUE(res) << path;
    if (!res) return json();
    EXPECT_EQ(res->status, expected) << path << " " << res->body;
    return json::parse(res->body, nullptr, false);
  }
  static void IngestRealEvents() {
    static bool done = false;
    if (done) return;
    done = true;
    auto client = server().HttpClient();
    for (const std::string& file : kRealEvents) {
      auto res = client->Post("/api/v1/lineage", ReadFile(file), "application/json");
      ASSERT_TRUE(res) << file;
      ASSERT_EQ(res->status, 201) << file << ": " << res->body;
    }
    auto seed = client->Post("/api/v1/lineage",
                             FillTemplate(ReadFile("marquez_seed_food_delivery_26_events.json")),
                             "application/json");
    ASSERT_TRUE(seed);
    ASSERT_EQ(seed->status, 201) << seed->body;
    EXPECT_EQ(json::parse(seed->body)["events"], 26);
  }
};

TEST_F(LineageTest, RealEventsAreAcceptedAndGiveSparkColumnLineage) {
  IngestRealEvents();
  // Spark's CTAS: tbl1.ident = source1.a (DIRECT/IDENTITY) joined with source2.
  json graph = Get("/api/v1/column-lineage?nodeId=" +
                   Encode("datasetField:file:/tmp/cll_test/tbl1:ident") + "&depth=5");
  std::set<std::string> ids;
  for (const json& node : graph["graph"]) {
    ids.insert(node["id"]);
    EXPECT_EQ(node["type"], "DATASET_FIELD");
    EXPECT_TRUE(node["data"].contains("inputFields"));
  }
  EXPECT_TRUE(ids.count("datasetField:file:/tmp/cll_test/tbl1:ident")) << graph.dump();
  EXPECT_TRUE(ids.count("datasetField:file:/tmp/cll_test/cll_source1:a")) << graph.dump();
  for (const json& node : graph["graph"]) {
    if (node["id"] != "datasetField:file:/tmp/cll_test/tbl1:ident") continue;
    std::set<std::string> inputs;
    for (const json& input : node["data"]["inputFields"]) inputs.insert(input["field"]);
    EXPECT_TRUE(inputs.count("a"));
    EXPECT_FALSE(node["inEdges"].empty());
  }
}

TEST_F(LineageTest, ExpectedSubsetEventsAreAcceptedOnceFilledIn) {
  int run = 100;
  for (const char* file :
       {"dbt_postgres_customer_analytics_cll_expected.json", "dbt_bigquery_jaffle_shop_run_events_expected.json",
        "hive_cll_case_when_conditional_expected.json", "hive_cll_cte_joins_filter_sort_expected.json",
        "hive_cll_masking_sha1_expected.json", "hive_cll_union_all_expected.json",
        "hive_cll_window_aggregate_expected.json", "hive_dataproc_aggregate_cll_expected.json",
        "spark_jdbc_cll_expected.json", "spark_jdbc_cloudsql_postgres_cll_expected.json",
        "spark_pyspark_cll_with_descriptions_expected.json", "spark_spanner_cll_expected.json"}) {
    json parsed = json::parse(ReadFile(file));
    json events = json::array();
    for (json& event : parsed.is_array() ? parsed : json::array({parsed})) {
      events.push_back(FillExpected(event, run));
    }
    auto res = Post(events.dump());
    ASSERT_TRUE(res) << file;
    EXPECT_EQ(res->status, 201) << file << ": " << res->body;
  }
  // dbt sends input fields only (no transformations): read as DIRECT.
  json dbt = Get("/api/v1/lineage/graph?namespace=" + Encode("postgres://localhost:5432") +
                 "&dataset=dbt_test.main.customer_analytics&field=avg_order_value&direction=UPSTREAM&depth=1");
  ASSERT_EQ(dbt["edges"].size(), 1u) << dbt.dump();
  EXPECT_EQ(dbt["edges"][0]["source"],
            "datasetField:postgres://localhost:5432:dbt_test.main.stg_orders:completed_amount");
  EXPECT_EQ(dbt["edges"][0]["transformation"]["type"], "DIRECT");
  // Hive's sha1(...) is a masking step.
  json hive = Get("/api/v1/lineage/graph?namespace=" + Encode("hive://localhost:9083") +
                  "&dataset=test.xxx&field=mt&direction=UPSTREAM&depth=1");
  ASSERT_EQ(hive["edges"].size(), 1u) << hive.dump();
  EXPECT_EQ(hive["edges"][0]["transformation"]["masking"], true);
}

TEST_F(LineageTest, MarquezSeedGivesTheDatasetAndJobGraph) {
  IngestRealEvents();
  json graph = Get("/api/v1/lineage?nodeId=" + Encode("dataset:food_delivery:public.orders_7_days") +
                   "&depth=2");
  std::set<std::string> ids;
  for (const json& node : graph["graph"]) {
    ids.insert(node["id"]);
    EXPECT_TRUE(node["type"] == "DATASET" || node["type"] == "JOB") << node.dump();
  }
  EXPECT_TRUE(ids.count("job:food_delivery:etl_orders_7_days")) << graph.dump();
  EXPECT_TRUE(ids.count("dataset:food_delivery:public.orders")) << graph.dump();
  // Marquez clients read the dataset JSON from "data".
  for (const json& node : graph["graph"]) {
    if (node["id"] == "dataset:food_delivery:public.orders_7_days") {
      EXPECT_EQ(node["data"]["name"], "public.orders_7_days");
      EXPECT_EQ(node["data"]["namespace"], "food_delivery");
    }
  }
  json job = Get("/api/v1/namespaces/food_delivery/jobs/etl_orders_7_days");
  EXPECT_EQ(job["id"]["name"], "etl_orders_7_days");
  EXPECT_EQ(job["latestRun"]["state"], "COMPLETED") << job.dump();
  EXPECT_FALSE(job["outputs"].empty());
  json runs = Get("/api/v1/namespaces/food_delivery/jobs/etl_orders_7_days/runs");
  EXPECT_EQ(runs["totalCount"], 1);
}

TEST_F(LineageTest, DatasetReadShowsItsColumnLineage) {
  IngestRealEvents();
  json dataset = Get("/api/v1/namespaces/file/datasets/" + Encode("/tmp/cll_test/tbl1"));
  ASSERT_TRUE(dataset["columnLineage"].is_array()) << dataset.dump();
  bool found = false;
  for (const json& entry : dataset["columnLineage"]) {
    if (entry["name"] != "ident") continue;
    found = true;
    EXPECT_FALSE(entry["inputFields"].empty());
  }
  EXPECT_TRUE(found) << dataset.dump();
  json events = Get("/api/v1/events/lineage?limit=5&sortDirection=asc");
  EXPECT_EQ(events["events"].size(), 5u);
  EXPECT_GE(events["totalCount"].get<int>(), 36);
}

TEST_F(LineageTest, SameAnswersOverGrpc) {
  IngestRealEvents();
  auto stub = v1::LineageService::NewStub(server().channel());
  v1::GetLineageRequest request;
  request.set_namespace_("file");
  request.set_dataset("/tmp/cll_test/tbl1");
  request.set_field("ident");
  request.set_direction(v1::UPSTREAM);
  grpc::ClientContext context;
  server().PrepareContext(&context);
  v1::GetLineageResponse response;
  grpc::Status status = stub->GetLineage(&context, request, &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  std::string grpc_json;
  google::protobuf::util::JsonPrintOptions options;
  options.always_print_primitive_fields = true;
  ASSERT_TRUE(google::protobuf::util::MessageToJsonString(response, &grpc_json, options).ok());
  json rest = Get("/api/v1/lineage/graph?namespace=file&dataset=" + Encode("/tmp/cll_test/tbl1") +
                  "&field=ident&direction=UPSTREAM");
  EXPECT_EQ(json::parse(grpc_json), rest);
  EXPECT_GE(response.nodes_size(), 2);
}

TEST_F(LineageTest, BadEventsAreRefusedWithTheFieldAndChangeNothing) {
  IngestRealEvents();
  const int before = Get("/api/v1/events/lineage?limit=1")["totalCount"];
  json event = json::parse(ReadFile("spark_ctas_join_groupby_cll_COMPLETE.json"));
  event["run"]["runId"] = "42";
  auto res = Post(event.dump());
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 400);
  EXPECT_EQ(json::parse(res->body)["error"]["field"], "run.runId") << res->body;
  res = Post("{not json");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 400);
  EXPECT_EQ(Get("/api/v1/events/lineage?limit=1")["totalCount"], before);
  // The same event again is accepted and changes nothing.
  res = Post(ReadFile("spark_ctas_join_groupby_cll_COMPLETE.json"));
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 201);
  EXPECT_EQ(json::parse(res->body)["duplicates"], 1);
  EXPECT_EQ(Get("/api/v1/events/lineage?limit=1")["totalCount"], before);
  // Unknown node ids and bad parameters.
  Get("/api/v1/lineage?nodeId=dataset:nowhere:nothing", 404);
  Get("/api/v1/lineage?nodeId=table:x:y", 400);
  Get("/api/v1/lineage/graph?namespace=file&dataset=x&direction=SIDEWAYS", 400);
}

TEST(LineageDurability, TheGraphIsRebuiltFromTheStoreAfterKill9) {
  ServerProcess server;
  std::string error;
  ASSERT_TRUE(server.Start(&error)) << error;
  auto res = server.HttpClient()->Post(
      "/api/v1/lineage", ReadFile("spark_ctas_join_groupby_cll_COMPLETE.json"), "application/json");
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 201);
  const std::string path = "/api/v1/lineage/graph?namespace=file&dataset=" +
                           Encode("/tmp/cll_test/tbl1") + "&field=ident&direction=UPSTREAM";
  auto before = server.HttpClient()->Get(path.c_str());
  ASSERT_TRUE(before);
  ASSERT_EQ(before->status, 200);
  server.Kill();
  ASSERT_TRUE(server.Start(&error)) << error;
  auto after = server.HttpClient()->Get(path.c_str());
  ASSERT_TRUE(after);
  EXPECT_EQ(json::parse(after->body), json::parse(before->body));
  EXPECT_GE(json::parse(after->body)["nodes"].size(), 2u);
}

}  // namespace
}  // namespace cadastre::testing
