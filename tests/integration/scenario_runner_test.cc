// Data-driven scenarios (sqllogictest style): each file in tests/scenarios is
// a list of steps, an RPC with its request and the expected outcome. Every
// scenario runs twice, over gRPC and over REST, each time on a fresh server;
// both runs must meet every expectation and give the same answers (apart
// from timestamps) and the same errors.
//
// A scenario file:
//   {"description": "...",
//    "steps": [
//      {"comment": "optional",
//       "rpc": "CatalogService.PutDataset",
//       "request": {...proto JSON of PutDatasetRequest...},
//       "only": "grpc" | "rest",            (optional: one transport only)
//       "expect": {"code": "OK",            (default OK)
//                  "field": "fields[1].name",
//                  "messageContains": ["PII.Email"],
//                  "response": {...subset, see json_match.h...}}}]}
// Strings "$repeat:N:TEXT" stand for TEXT repeated N times.

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <google/protobuf/descriptor.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "cadastre/v1/access.pb.h"
#include "cadastre/v1/catalog.pb.h"
#include "cadastre/v1/glossary.pb.h"
#include "cadastre/v1/lineage.pb.h"
#include "cadastre/v1/report.pb.h"
#include "cadastre/v1/sample.pb.h"
#include "cadastre/v1/search.pb.h"
#include "cadastre/v1/sync.pb.h"
#include "json_match.h"
#include "rest_routes.h"
#include "rpc_transport.h"
#include "server_process.h"

#ifndef CADASTRE_SCENARIO_DIR
#error "CADASTRE_SCENARIO_DIR must name tests/scenarios"
#endif

namespace cadastre::testing {
namespace {

using nlohmann::json;

struct Step {
  size_t index = 0;  // 1-based, as people count steps
  std::string comment;
  std::string rpc;
  json request;
  std::string only;  // "", "grpc" or "rest"
  std::string code = "OK";
  std::optional<std::string> field;
  std::vector<std::string> message_contains;
  std::optional<json> response;

  std::string Describe() const {
    std::ostringstream out;
    out << "step " << index << " " << rpc;
    if (!comment.empty()) out << " (" << comment << ")";
    return out.str();
  }
};

struct Scenario {
  std::string name;
  std::string description;
  std::vector<Step> steps;
};

std::vector<std::filesystem::path> ScenarioFiles() {
  std::vector<std::filesystem::path> files;
  std::error_code error;
  for (const auto& entry :
       std::filesystem::directory_iterator(CADASTRE_SCENARIO_DIR, error)) {
    if (entry.path().extension() == ".json") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

std::string TestNameOf(const std::filesystem::path& file) {
  std::string name = file.stem().string();
  for (char& c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  }
  return name;
}

// Reads a scenario, rejecting keys it does not know (a typo would otherwise
// silently weaken a test).
bool LoadScenario(const std::filesystem::path& file, Scenario* scenario,
                  std::string* error) {
  std::ifstream in(file);
  json document = json::parse(in, nullptr, /*allow_exceptions=*/false,
                              /*ignore_comments=*/true);
  if (document.is_discarded()) {
    *error = "not valid JSON";
    return false;
  }
  if (!document.is_object() || !document.contains("steps") ||
      !document["steps"].is_array()) {
    *error = "expected {\"description\": …, \"steps\": […]}";
    return false;
  }
  for (const auto& [key, value] : document.items()) {
    if (key != "description" && key != "steps") {
      *error = "unknown top-level key '" + key + "'";
      return false;
    }
  }
  scenario->name = file.stem().string();
  scenario->description = document.value("description", "");
  size_t index = 0;
  for (const json& raw : document["steps"]) {
    Step step;
    step.index = ++index;
    const std::string where = "step " + std::to_string(index) + ": ";
    if (!raw.is_object()) {
      *error = where + "not an object";
      return false;
    }
    for (const auto& [key, value] : raw.items()) {
      static const std::set<std::string> kKeys = {"comment", "rpc", "request",
                                                  "only", "expect"};
      if (kKeys.count(key) == 0) {
        *error = where + "unknown key '" + key + "'";
        return false;
      }
    }
    if (!raw.contains("rpc") || !raw["rpc"].is_string()) {
      *error = where + "needs \"rpc\"";
      return false;
    }
    step.rpc = raw["rpc"];
    step.comment = raw.value("comment", "");
    step.request = ExpandMacros(raw.value("request", json::object()));
    step.only = raw.value("only", "");
    if (!step.only.empty() && step.only != "grpc" && step.only != "rest") {
      *error = where + "\"only\" must be \"grpc\" or \"rest\"";
      return false;
    }
    const json expect = raw.value("expect", json::object());
    for (const auto& [key, value] : expect.items()) {
      static const std::set<std::string> kKeys = {"code", "field",
                                                  "messageContains",
                                                  "response"};
      if (kKeys.count(key) == 0) {
        *error = where + "unknown expect key '" + key + "'";
        return false;
      }
    }
    step.code = expect.value("code", "OK");
    if (HttpStatusForCode(step.code) == 0) {
      *error = where + "unknown code '" + step.code + "'";
      return false;
    }
    if (expect.contains("field")) step.field = expect["field"].get<std::string>();
    if (expect.contains("messageContains")) {
      const json& texts = expect["messageContains"];
      if (texts.is_string()) {
        step.message_contains.push_back(texts);
      } else {
        for (const json& text : texts) step.message_contains.push_back(text);
      }
    }
    if (expect.contains("response")) {
      if (step.code != "OK") {
        *error = where + "a response is expected only with code OK";
        return false;
      }
      step.response = ExpandMacros(expect["response"]);
    }
    scenario->steps.push_back(std::move(step));
  }
  return true;
}

std::string Dump(const json& value) {
  std::string text = value.dump(2);
  if (text.size() > 4000) text = text.substr(0, 4000) + "\n…";
  return text;
}

std::string DescribeResult(const CallResult& result) {
  std::ostringstream out;
  if (!result.transport_error.empty()) {
    out << "transport error: " << result.transport_error;
    return out.str();
  }
  out << "code " << result.code;
  if (result.http_status != 0) out << " (HTTP " << result.http_status << ")";
  if (result.code != "OK") {
    out << ", message \"" << result.message << "\", field \"" << result.field
        << "\"";
  } else {
    out << ", response:\n" << Dump(result.body);
  }
  return out.str();
}

// Checks one answer against its step's expectations; reports every miss.
void CheckStep(const Scenario& scenario, const Step& step,
               std::string_view transport, const CallResult& result) {
  const std::string context = "[" + std::string(transport) + "] " +
                              scenario.name + " " + step.Describe() +
                              "\nrequest: " + step.request.dump();
  if (!result.transport_error.empty()) {
    ADD_FAILURE() << context << "\n" << DescribeResult(result);
    return;
  }
  if (result.code != step.code) {
    ADD_FAILURE() << context << "\nexpected code " << step.code << ", got "
                  << DescribeResult(result);
    return;
  }
  if (result.http_status != 0 &&
      result.http_status != HttpStatusForCode(result.code)) {
    ADD_FAILURE() << context << "\ncode " << result.code << " must be HTTP "
                  << HttpStatusForCode(result.code) << ", got HTTP "
                  << result.http_status;
  }
  if (step.field && result.field != *step.field) {
    ADD_FAILURE() << context << "\nexpected error field \"" << *step.field
                  << "\", got " << DescribeResult(result);
  }
  for (const std::string& text : step.message_contains) {
    if (result.message.find(text) == std::string::npos) {
      ADD_FAILURE() << context << "\nexpected the message to contain \"" << text
                    << "\", got " << DescribeResult(result);
    }
  }
  if (step.response) {
    std::string mismatch;
    if (!JsonContains(result.body, *step.response, &mismatch)) {
      ADD_FAILURE() << context << "\nresponse mismatch at " << mismatch
                    << "\nexpected (subset):\n"
                    << Dump(*step.response) << "\ngot:\n"
                    << Dump(result.body);
    }
  }
}

// Runs every step meant for `transport_name` on a fresh server; the answers
// are indexed like the steps (nullopt for a step of the other transport).
std::vector<std::optional<CallResult>> RunScenario(
    const Scenario& scenario, std::string_view transport_name) {
  std::vector<std::optional<CallResult>> results(scenario.steps.size());
  ServerProcess server;
  std::string error;
  if (!server.Start(&error)) {
    ADD_FAILURE() << "[" << transport_name << "] cannot start the server: "
                  << error;
    return results;
  }
  std::unique_ptr<RpcTransport> transport = transport_name == "grpc"
                                                ? MakeGrpcTransport(server)
                                                : MakeRestTransport(server);
  for (size_t i = 0; i < scenario.steps.size(); ++i) {
    const Step& step = scenario.steps[i];
    if (!step.only.empty() && step.only != transport_name) continue;
    results[i] = transport->Call(step.rpc, step.request);
    CheckStep(scenario, step, transport_name, *results[i]);
    if (!server.IsRunning()) {
      ADD_FAILURE() << "[" << transport_name << "] " << scenario.name << " "
                    << step.Describe() << ": the server ended ("
                    << server.last_exit().ToString() << ")";
      break;
    }
  }
  return results;
}

class ScenarioTest : public ::testing::TestWithParam<std::filesystem::path> {};

TEST_P(ScenarioTest, SameOutcomeOverGrpcAndRest) {
  Scenario scenario;
  std::string error;
  ASSERT_TRUE(LoadScenario(GetParam(), &scenario, &error))
      << GetParam() << ": " << error;
  ASSERT_FALSE(scenario.steps.empty()) << GetParam() << " has no steps";

  const auto grpc_results = RunScenario(scenario, "grpc");
  const auto rest_results = RunScenario(scenario, "rest");

  // The two transports must agree, step by step.
  for (size_t i = 0; i < scenario.steps.size(); ++i) {
    const Step& step = scenario.steps[i];
    if (!grpc_results[i] || !rest_results[i]) continue;
    const CallResult& over_grpc = *grpc_results[i];
    const CallResult& over_rest = *rest_results[i];
    if (!over_grpc.transport_error.empty() ||
        !over_rest.transport_error.empty()) {
      continue;  // already reported
    }
    const std::string context = scenario.name + " " + step.Describe() +
                                "\nrequest: " + step.request.dump();
    if (over_grpc.code != over_rest.code ||
        over_grpc.field != over_rest.field ||
        over_grpc.message != over_rest.message) {
      ADD_FAILURE() << "[grpc vs rest] " << context
                    << "\ngRPC: " << DescribeResult(over_grpc)
                    << "\nREST: " << DescribeResult(over_rest);
      continue;
    }
    if (over_grpc.code != "OK") continue;
    const json from_grpc = WithoutTimestamps(over_grpc.body);
    const json from_rest = WithoutTimestamps(over_rest.body);
    if (from_grpc != from_rest) {
      ADD_FAILURE() << "[grpc vs rest] " << context
                    << "\nthe answers differ (JSON patch from gRPC to REST): "
                    << json::diff(from_grpc, from_rest).dump()
                    << "\ngRPC:\n" << Dump(from_grpc) << "\nREST:\n"
                    << Dump(from_rest);
    }
  }
}

INSTANTIATE_TEST_SUITE_P(
    Scenarios, ScenarioTest, ::testing::ValuesIn(ScenarioFiles()),
    [](const ::testing::TestParamInfo<std::filesystem::path>& param_info) {
      return TestNameOf(param_info.param);
    });

// A wrong scenario directory must not pass as "no scenarios, no failures".
TEST(ScenarioFiles, DirectoryHoldsScenarios) {
  EXPECT_GE(ScenarioFiles().size(), 10u) << CADASTRE_SCENARIO_DIR;
}

TEST(ScenarioFiles, EveryFileLoads) {
  for (const auto& file : ScenarioFiles()) {
    Scenario scenario;
    std::string error;
    EXPECT_TRUE(LoadScenario(file, &scenario, &error)) << file << ": " << error;
    for (const Step& step : scenario.steps) {
      EXPECT_NE(FindRestRoute(step.rpc), nullptr)
          << file << " " << step.Describe() << ": no REST route";
    }
  }
}

// The runner's route table covers exactly the RPCs of Cadastre's services.
TEST(RestRouteTable, MatchesTheServices) {
  std::set<std::string> rpcs;
  for (const auto* service :
       {cadastre::v1::Dataset::descriptor()->file()->FindServiceByName("CatalogService"),
        cadastre::v1::GlossaryTerm::descriptor()->file()->FindServiceByName("GlossaryService"),
        cadastre::v1::Job::descriptor()->file()->FindServiceByName("LineageService"),
        cadastre::v1::Grant::descriptor()->file()->FindServiceByName("AccessService"),
        cadastre::v1::DatasetSample::descriptor()->file()->FindServiceByName("SampleService"),
        cadastre::v1::TraceReport::descriptor()->file()->FindServiceByName("ReportService"),
        cadastre::v1::SearchHit::descriptor()->file()->FindServiceByName("SearchService"),
        cadastre::v1::Change::descriptor()->file()->FindServiceByName("SyncService")}) {
    ASSERT_NE(service, nullptr);
    for (int i = 0; i < service->method_count(); ++i) {
      // A stream has no REST twin (ListChanges pages the same changes).
      if (service->method(i)->server_streaming()) continue;
      rpcs.insert(service->name() + "." + service->method(i)->name());
    }
  }
  std::set<std::string> routed;
  for (const RestRoute& route : RestRoutes()) routed.insert(std::string(route.rpc));
  EXPECT_EQ(rpcs, routed);
}

}  // namespace
}  // namespace cadastre::testing
