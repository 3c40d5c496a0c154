#include "access_fixture.h"

#include <atomic>
#include <cstdio>

namespace cadastre::testing {

json DatasetBody(const std::string& domain, const std::string& description) {
  return {
      {"domain", domain},
      {"description", description},
      {"fields", {{{"name", "id"}, {"type", "BIGINT"}}, {{"name", "email"}, {"type", "TEXT"}}}}};
}

std::string RunEvent(const std::string& job, const std::vector<json>& inputs,
                     const std::vector<json>& outputs, const json& job_facets) {
  static std::atomic<int> runs{0};
  char run_id[40];
  std::snprintf(run_id, sizeof run_id, "01930000-0000-7000-8000-%012d", ++runs);
  return json{{"eventType", "COMPLETE"},
              {"eventTime", "2026-11-22T10:00:00Z"},
              {"producer", "https://example.com/cadastre/access-test"},
              {"run", {{"runId", run_id}}},
              {"job", {{"namespace", kJobNs}, {"name", job}, {"facets", job_facets}}},
              {"inputs", inputs},
              {"outputs", outputs}}
      .dump();
}

json EventDataset(const std::string& ns, const std::string& name,
                  const std::map<std::string, std::pair<std::string, std::string>>& columns) {
  json dataset = {{"namespace", ns}, {"name", name}};
  if (columns.empty()) return dataset;
  json fields = json::object();
  for (const auto& [column, from] : columns) {
    fields[column] = {{"inputFields",
                       {{{"namespace", ns},
                         {"name", from.first},
                         {"field", from.second},
                         {"transformations", {{{"type", "DIRECT"}, {"subtype", "IDENTITY"}}}}}}}};
  }
  dataset["facets"] = {{"columnLineage", {{"fields", fields}}}};
  return dataset;
}

std::string ReplaceAll(std::string text, const std::string& from, const std::string& to) {
  for (size_t at = text.find(from); !from.empty() && at != std::string::npos;
       at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
  return text;
}

void AccessTest::SetUpTestSuite() {
  SuiteServerTest<AccessTest>::SetUpTestSuite();
  seed_error_ = server().IsRunning() ? SeedWorld() : "";
}

void AccessTest::SetUp() {
  SuiteServerTest<AccessTest>::SetUp();
  ASSERT_EQ(seed_error_, "") << "seeding the suite's world failed";
}

std::string AccessTest::SeedWorld() {
  std::unique_ptr<RpcTransport> admin = MakeRestTransport(server());
  std::string errors;
  auto must = [&](std::string_view rpc, const json& request) {
    CallResult result = admin->Call(rpc, request);
    if (result.code != "OK" || !result.transport_error.empty()) {
      errors += std::string(rpc) + " " + request.dump().substr(0, 200) + ": " + result.code + " " +
                result.message + result.transport_error + "\n";
    }
    return result.body;
  };
  tokens_["root"] = server().token();

  must("CatalogService.PutTag", {{"name", "PII.Email"}, {"tag", {{"propagate", true}}}});
  must("CatalogService.PutTag", {{"name", "AccSouthOnly"}, {"tag", json::object()}});
  for (const char* term : {"AccMeter", "AccSouthTerm", "AccMatrixTerm"}) {
    must("GlossaryService.PutTerm", {{"name", term}, {"term", {{"definition", "seeded"}}}});
  }

  for (const char* ns : {kNs, kSouthNs}) {
    must("CatalogService.PutNamespace", {{"name", ns}, {"namespace", {{"description", "seeded"}}}});
  }
  auto put = [&](const char* ns, const std::string& name, json body) {
    must("CatalogService.PutDataset", {{"namespace", ns}, {"name", name}, {"dataset", body}});
  };
  put(kNs, kMatrixNorth, DatasetBody("grid.north"));
  put(kNs, kMatrixSouth, DatasetBody("grid.south"));
  json source = DatasetBody("grid.north");
  source["fields"][1]["tags"] = {"PII.Email"};
  put(kNs, "leak.src", source);
  put(kNs, "leak.mid_south", DatasetBody("grid.south"));
  json destination = DatasetBody("grid.north");
  destination["fields"][1]["name"] = "email_hash";
  put(kNs, "leak.dst", destination);
  json only_south = DatasetBody("grid.south");
  only_south["fields"][1]["tags"] = {"AccSouthOnly"};
  put(kSouthNs, kOnlySouth, only_south);

  auto link = [&](const char* ns, const char* dataset, const char* field, const char* term) {
    must("GlossaryService.LinkTerm",
         {{"namespace", ns}, {"dataset", dataset}, {"field", field}, {"term", term}});
  };
  link(kNs, "leak.src", "id", "AccMeter");
  link(kNs, "leak.mid_south", "id", "AccMeter");
  link(kSouthNs, kOnlySouth, "email", "AccSouthTerm");

  // north -> south -> north, column by column.
  const std::string events =
      "[" +
      RunEvent("acc.step1", {EventDataset(kNs, "leak.src")},
               {EventDataset(kNs, "leak.mid_south", {{"email", {"leak.src", "email"}}})}) +
      "," +
      RunEvent("acc.step2", {EventDataset(kNs, "leak.mid_south")},
               {EventDataset(kNs, "leak.dst", {{"email_hash", {"leak.mid_south", "email"}}})}) +
      "]";
  must("LineageService.IngestLineage", {{"event", events}});

  for (const std::string role :
       {"admin", "steward", "engineer", "analyst", "data_scientist", "auditor", "pipeline"}) {
    const std::string name = "m-" + role;
    must("AccessService.PutPrincipal", {{"name", name},
                                        {"principal",
                                         {{"kind", role == "pipeline" ? "service" : "user"},
                                          {"roles", {role}},
                                          {"domains", {"grid.north"}}}}});
    json token = must("AccessService.CreateToken", {{"principal", name}});
    tokens_[name] = token.value("token", "");
    token_ids_[name] = token.value("id", "");
  }
  return errors;
}

CallResult AccessTest::WithToken(const std::string& token, std::string_view rpc,
                                 const json& request) {
  std::unique_ptr<RpcTransport> transport =
      rest() ? MakeRestTransport(server(), token) : MakeGrpcTransport(server(), token);
  CallResult result = transport->Call(rpc, request);
  EXPECT_EQ(result.transport_error, "") << rpc << " " << request.dump().substr(0, 300);
  return result;
}

CallResult AccessTest::As(const std::string& who, std::string_view rpc, const json& request) {
  const auto token = tokens_.find(who);
  if (token == tokens_.end()) {
    ADD_FAILURE() << "no token for " << who;
    return {};
  }
  return WithToken(token->second, rpc, request);
}

int AccessTest::StatusOf(const CallResult& result) const {
  return rest() ? result.http_status : HttpStatusForCode(result.code);
}

std::string AccessTest::MakePrincipal(const std::string& name, const json& principal) {
  CallResult put =
      As("root", "AccessService.PutPrincipal", {{"name", name}, {"principal", principal}});
  EXPECT_EQ(put.code, "OK") << put.message;
  CallResult token = As("root", "AccessService.CreateToken", {{"principal", name}});
  EXPECT_EQ(token.code, "OK") << token.message;
  return token.body.value("token", "");
}

std::vector<json> AccessTest::AccessState() {
  std::vector<json> state;
  for (const auto& [rpc, request] : std::vector<std::pair<std::string, json>>{
           {"AccessService.ListPrincipals", {{"limit", 1000}}},
           {"AccessService.ListRoles", json::object()},
           {"AccessService.ListGrants", json::object()},
           {"AccessService.ListMaskingPolicies", json::object()}}) {
    CallResult result = As("root", rpc, request);
    EXPECT_EQ(result.code, "OK") << rpc << ": " << result.message;
    state.push_back(result.body);
  }
  return state;
}

}  // namespace cadastre::testing
