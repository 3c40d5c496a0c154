// The access audit log against a real server: every route over both
// transports leaves a record, denials say what denied them, sample reads
// list their columns clear or masked, the file cannot be edited or
// truncated unnoticed, and kill -9 under load loses no record of an
// answered request.
#include <sqlite3.h>

#include <atomic>
#include <filesystem>
#include <mutex>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "cadastre/v1/audit.grpc.pb.h"
#include "cadastre/v1/catalog.grpc.pb.h"
#include "rest_routes.h"
#include "rpc_transport.h"
#include "server_process.h"

namespace cadastre::testing {
namespace {

namespace fs = std::filesystem;
namespace v1 = cadastre::v1;
using nlohmann::json;

constexpr char kNs[] = "audit://crm";

// Runs SQL on a file the server is not running on, as someone with the
// file could.
void ExecSql(const fs::path& file, const std::string& sql) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(file.c_str(), &db), SQLITE_OK);
  char* error = nullptr;
  const int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error);
  const std::string message = error != nullptr ? error : "";
  sqlite3_free(error);
  sqlite3_close(db);
  ASSERT_EQ(rc, SQLITE_OK) << sql << ": " << message;
}

class AuditTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = std::make_unique<ServerProcess>();
    std::string error;
    ASSERT_TRUE(server_->Start(&error)) << error;
  }

  // METHOD path (below /api/v1 unless it starts elsewhere) with `token`
  // ("" for the admin's, "-" for none).
  httplib::Result Http(const std::string& method, const std::string& path,
                       const std::string& body = "", const std::string& token = "") {
    auto client = server_->HttpClient(/*with_token=*/token.empty());
    httplib::Headers headers;
    if (!token.empty() && token != "-") headers.emplace("Authorization", "Bearer " + token);
    const std::string full = path.rfind("/api/", 0) == 0 || path.rfind("/metrics", 0) == 0
                                 ? path
                                 : "/api/v1" + path;
    if (method == "GET") return client->Get(full, headers);
    if (method == "DELETE") return client->Delete(full, headers, body, "application/json");
    if (method == "POST") return client->Post(full, headers, body, "application/json");
    return client->Put(full, headers, body, "application/json");
  }

  json Ok(const std::string& method, const std::string& path, const json& body = nullptr) {
    httplib::Result result = Http(method, path, body.is_null() ? "" : body.dump());
    EXPECT_TRUE(result) << method << " " << path;
    if (!result) return json();
    EXPECT_LT(result->status, 300) << method << " " << path << ": " << result->body;
    return json::parse(result->body, nullptr, false);
  }

  // Every record, read as the admin through the JSON Lines export.
  std::vector<json> Records() {
    httplib::Result result = Http("GET", "/audit/events?format=jsonl");
    EXPECT_TRUE(result && result->status == 200) << (result ? result->body : "no answer");
    std::vector<json> out;
    if (!result) return out;
    std::istringstream lines(result->body);
    for (std::string line; std::getline(lines, line);) {
      if (!line.empty()) out.push_back(json::parse(line));
    }
    return out;
  }

  std::vector<json> RecordsOf(const std::string& principal, const std::string& action) {
    std::vector<json> out;
    for (json& record : Records()) {
      if (record["principal"] == principal && record["action"] == action) out.push_back(record);
    }
    return out;
  }

  // A principal with `role` over `domains`, and its token.
  std::string Principal(const std::string& name, const std::string& role,
                        const std::vector<std::string>& domains) {
    Ok("PUT", "/principals/" + name,
       {{"kind", "user"}, {"roles", {role}}, {"domains", domains}});
    return Ok("POST", "/principals/" + name + "/tokens").value("token", "");
  }

  std::string DatasetPath(const std::string& name) {
    return "/namespaces/" + PercentEncode(kNs) + "/datasets/" + name;
  }

  json Verify() { return Ok("GET", "/audit/verify"); }

  std::unique_ptr<ServerProcess> server_;
};

TEST_F(AuditTest, EveryRouteOverBothTransportsLeavesARecord) {
  auto grpc = MakeGrpcTransport(*server_);
  std::set<std::string> called;
  for (const RestRoute& route : RestRoutes()) {
    const std::string rpc(route.rpc);
    called.insert(rpc);
    // Over gRPC, an empty request: whatever it answers, it is recorded.
    const CallResult answer = grpc->Call(rpc, json::object());
    EXPECT_TRUE(answer.transport_error.empty()) << rpc << ": " << answer.transport_error;
    // Over REST, every path parameter filled in.
    json request = json::object();
    const std::string path(route.path_template);
    static const std::regex parameter(R"(\{([^}]+)\})");
    for (auto it = std::sregex_iterator(path.begin(), path.end(), parameter);
         it != std::sregex_iterator(); ++it) {
      request[(*it)[1].str()] = "probe";
    }
    std::string error;
    const std::optional<HttpCall> call = ToHttpCall(route, request, &error);
    ASSERT_TRUE(call) << rpc << ": " << error;
    EXPECT_TRUE(Http(call->method, call->path, call->body)) << rpc;
  }
  ASSERT_GT(called.size(), 60u);
  // The routes outside the table, an unknown one, and a caller without a token.
  EXPECT_EQ(Http("GET", "/metrics")->status, 200);
  EXPECT_EQ(Http("GET", "/api/v1/openapi.json")->status, 200);
  EXPECT_EQ(Http("GET", "/no-such-route")->status, 404);
  EXPECT_EQ(Http("GET", "/namespaces", "", "-")->status, 401);

  std::set<std::pair<std::string, std::string>> recorded;  // (action, transport)
  bool anonymous = false;
  for (const json& record : Records()) {
    recorded.emplace(record["action"].get<std::string>(), record["transport"].get<std::string>());
    anonymous |= record["principal"] == "" && record["status"] == "UNAUTHENTICATED" &&
                 record["decision"] == "AUDIT_DENIED";
    EXPECT_EQ(record["hash"].get<std::string>().size(), 64u);
  }
  for (const std::string& rpc : called) {
    EXPECT_TRUE(recorded.count({rpc, "grpc"})) << rpc << " over gRPC left no record";
    EXPECT_TRUE(recorded.count({rpc, "rest"})) << rpc << " over REST left no record";
  }
  for (const char* action : {"GetMetrics", "GetOpenApiDocument", "unknown"}) {
    EXPECT_TRUE(recorded.count({action, "rest"})) << action;
  }
  EXPECT_TRUE(anonymous) << "no record of the request without a token";
  EXPECT_TRUE(Verify()["ok"]) << Verify().dump();
}

TEST_F(AuditTest, DenialsAreRecordedWithWhatDecided) {
  Ok("PUT", "/namespaces/" + PercentEncode(kNs), json::object());
  Ok("PUT", DatasetPath("south_salaries"), {{"domain", "grid.south"}});
  const std::string ana = Principal("ana", "analyst", {"grid.north"});

  // A dataset outside the scope answers 404, but the log knows why.
  EXPECT_EQ(Http("GET", DatasetPath("south_salaries"), "", ana)->status, 404);
  std::vector<json> reads = RecordsOf("ana", "CatalogService.GetDataset");
  ASSERT_EQ(reads.size(), 1u);
  EXPECT_EQ(reads[0]["decision"], "AUDIT_DENIED");
  EXPECT_EQ(reads[0]["status"], "NOT_FOUND");
  EXPECT_EQ(reads[0]["namespace"], kNs);
  EXPECT_EQ(reads[0]["dataset"], "south_salaries");
  EXPECT_NE(reads[0]["reason"].get<std::string>().find("outside the caller's scope"),
            std::string::npos)
      << reads[0].dump();
  EXPECT_EQ(reads[0]["roles"], json::array({"analyst"}));

  // A missing dataset is a failure, not a denial.
  EXPECT_EQ(Http("GET", DatasetPath("never_was"), "", ana)->status, 404);
  reads = RecordsOf("ana", "CatalogService.GetDataset");
  ASSERT_EQ(reads.size(), 2u);
  EXPECT_EQ(reads[1]["decision"], "AUDIT_FAILED");

  // The audit log itself is not for analysts.
  EXPECT_EQ(Http("GET", "/audit/events", "", ana)->status, 403);
  const std::vector<json> refused = RecordsOf("ana", "AuditService.ListAuditEvents");
  ASSERT_EQ(refused.size(), 1u);
  EXPECT_EQ(refused[0]["decision"], "AUDIT_DENIED");
  EXPECT_EQ(refused[0]["status"], "PERMISSION_DENIED");
  EXPECT_EQ(refused[0]["reason"], "lacks READ_AUDIT everywhere");

  // An auditor reads it.
  const std::string audrey = Principal("audrey", "auditor", {});
  httplib::Result allowed = Http("GET", "/audit/events?principal=ana", "", audrey);
  ASSERT_EQ(allowed->status, 200) << allowed->body;
  EXPECT_EQ(json::parse(allowed->body)["events"].size(), 3u);
}

TEST_F(AuditTest, SampleReadsListTheirColumnsClearOrMasked) {
  Ok("PUT", "/tags/PII.Email", json::object());
  Ok("PUT", "/namespaces/" + PercentEncode(kNs), json::object());
  Ok("PUT", DatasetPath("customers"),
     {{"domain", "grid.north"},
      {"fields", {{{"name", "email"}, {"tags", {"PII.Email"}}}, {{"name", "city"}}}}});
  Ok("PUT", DatasetPath("customers") + "/sample",
     {{"rows", {{{"email", "zoe@example.com"}, {"city", "Lyon"}}}}});
  const std::string ana = Principal("ana", "analyst", {"grid.north"});
  ASSERT_EQ(Http("GET", DatasetPath("customers") + "/sample", "", ana)->status, 200);
  Ok("GET", DatasetPath("customers") + "/sample");

  const std::vector<json> masked = RecordsOf("ana", "SampleService.GetSample");
  ASSERT_EQ(masked.size(), 1u);
  ASSERT_EQ(masked[0]["columns"].size(), 2u) << masked[0].dump();
  EXPECT_EQ(masked[0]["columns"][0], json({{"field", "city"}, {"maskType", ""}, {"policy", ""}}));
  EXPECT_EQ(masked[0]["columns"][1], json({{"field", "email"},
                                           {"maskType", "MASK_NULL"},
                                           {"policy", "builtin:pii-default"}}));
  EXPECT_GT(std::stoll(masked[0]["resultSize"].get<std::string>()), 0);

  const std::vector<json> clear = RecordsOf("admin", "SampleService.GetSample");
  ASSERT_EQ(clear.size(), 1u);
  EXPECT_EQ(clear[0]["columns"][1], json({{"field", "email"}, {"maskType", ""}, {"policy", ""}}));
}

TEST_F(AuditTest, MetadataChangesLinkToTheVersionTheyMade) {
  Ok("PUT", "/namespaces/" + PercentEncode(kNs), json::object());
  Ok("PUT", DatasetPath("orders"), {{"description", "v1"}});
  Ok("PUT", DatasetPath("orders"), {{"description", "v2"}});
  Ok("PUT", DatasetPath("orders"), {{"description", "v2"}});  // no change, no version
  const std::vector<json> puts = RecordsOf("admin", "CatalogService.PutDataset");
  ASSERT_EQ(puts.size(), 3u);
  const std::string key = std::string("dataset:") + kNs + "/orders";
  EXPECT_EQ(puts[0]["entityVersion"], key + "@1");
  EXPECT_EQ(puts[1]["entityVersion"], key + "@2");
  EXPECT_EQ(puts[2]["entityVersion"], "");
  EXPECT_EQ(puts[1]["decision"], "AUDIT_ALLOWED");
}

TEST_F(AuditTest, QueriesExportAndRefuseBadInput) {
  Ok("PUT", "/namespaces/" + PercentEncode(kNs), json::object());
  for (int i = 0; i < 5; ++i) Ok("PUT", DatasetPath("t" + std::to_string(i)), json::object());

  // Filters and pages.
  json page = Ok("GET", "/audit/events?action=CatalogService.PutDataset&limit=2");
  ASSERT_EQ(page["events"].size(), 2u);
  EXPECT_EQ(page["events"][0]["dataset"], "t0");
  const std::string cursor = page["nextCursor"];
  page = Ok("GET", "/audit/events?action=CatalogService.PutDataset&limit=2&cursor=" + cursor);
  ASSERT_EQ(page["events"].size(), 2u);
  EXPECT_EQ(page["events"][0]["dataset"], "t2");
  page = Ok("GET", "/audit/events?dataset=t4&decision=AUDIT_ALLOWED");
  ASSERT_EQ(page["events"].size(), 1u);
  EXPECT_FALSE(page.contains("nextCursor") && page["nextCursor"] != "");

  // CSV: a header and one row per record; pseudonyms instead of names.
  httplib::Result csv =
      Http("GET", "/audit/events?format=csv&pseudonymize=true&action=CatalogService.PutDataset");
  ASSERT_EQ(csv->status, 200);
  EXPECT_EQ(csv->get_header_value("Content-Type"), "text/csv; charset=utf-8");
  EXPECT_EQ(csv->body.rfind("seq,time,principal,roles,", 0), 0u) << csv->body;
  EXPECT_EQ(std::count(csv->body.begin(), csv->body.end(), '\n'), 6);
  const std::string row = csv->body.substr(csv->body.find('\n') + 1);
  std::vector<std::string> cells;
  std::istringstream split(row.substr(0, row.find('\r')));
  for (std::string cell; std::getline(split, cell, ',');) cells.push_back(cell);
  ASSERT_GT(cells.size(), 3u) << row;
  EXPECT_EQ(cells[2].rfind("p-", 0), 0u) << row;  // principal
  EXPECT_EQ(cells[3], "admin") << row;            // roles

  // Bad input names the field and is itself recorded.
  for (const auto& [query, field] : std::vector<std::pair<std::string, std::string>>{
           {"format=xml", "format"},
           {"limit=0", "limit"},
           {"cursor=abc", "cursor"},
           {"from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z", "to"}}) {
    httplib::Result bad = Http("GET", "/audit/events?" + query);
    ASSERT_TRUE(bad);
    EXPECT_EQ(bad->status, 400) << query;
    EXPECT_EQ(json::parse(bad->body)["error"]["field"], field) << bad->body;
  }

  // The same over gRPC.
  auto stub = v1::AuditService::NewStub(server_->channel());
  grpc::ClientContext context;
  server_->PrepareContext(&context);
  v1::AuditChainStatus status;
  ASSERT_TRUE(stub->VerifyAudit(&context, v1::VerifyAuditRequest(), &status).ok());
  EXPECT_TRUE(status.ok()) << status.reason();
  EXPECT_GT(status.records(), 10);
  grpc::ClientContext listing;
  server_->PrepareContext(&listing);
  v1::ListAuditEventsRequest request;
  request.set_dataset("t1");
  v1::ListAuditEventsResponse events;
  ASSERT_TRUE(stub->ListAuditEvents(&listing, request, &events).ok());
  ASSERT_EQ(events.events_size(), 1);
  EXPECT_EQ(events.events(0).action(), "CatalogService.PutDataset");
}

TEST_F(AuditTest, EditingOrTruncatingTheFileIsFound) {
  for (int i = 0; i < 8; ++i) Ok("GET", "/namespaces");
  EXPECT_TRUE(Verify()["ok"]);
  ASSERT_EQ(server_->Stop().exit_code, 0);  // checkpoints the head
  const fs::path db = server_->data_dir() / "audit.db";
  const fs::path head = server_->data_dir() / "audit.head";
  const fs::path saved = server_->data_dir() / "saved";
  fs::create_directory(saved);
  fs::copy_file(db, saved / "audit.db");
  fs::copy_file(head, saved / "audit.head");
  auto restore = [&] {
    fs::copy_file(saved / "audit.db", db, fs::copy_options::overwrite_existing);
    fs::copy_file(saved / "audit.head", head, fs::copy_options::overwrite_existing);
  };

  // An edited record.
  ExecSql(db, "UPDATE audit_log SET principal = 'nobody' WHERE seq = 3");
  std::string error;
  ASSERT_TRUE(server_->Start(&error)) << error;
  json status = Verify();
  EXPECT_FALSE(status["ok"]) << status.dump();
  EXPECT_EQ(status["firstBrokenSeq"], "3");

  // The untouched copy verifies again.
  server_->Stop();
  restore();
  ASSERT_TRUE(server_->Start(&error)) << error;
  status = Verify();
  EXPECT_TRUE(status["ok"]) << status.dump();

  // A truncated tail: the signed head outside the database remembers it.
  server_->Stop();
  restore();
  ExecSql(db, "DELETE FROM audit_log WHERE seq > 6; DELETE FROM audit_checkpoints;");
  ASSERT_TRUE(server_->Start(&error)) << error;
  status = Verify();
  EXPECT_FALSE(status["ok"]) << status.dump();
  EXPECT_EQ(status["firstBrokenSeq"], "7");
  EXPECT_NE(status["reason"].get<std::string>().find("truncated"), std::string::npos);
}

TEST_F(AuditTest, KillDuringLoadLosesNoRecordOfAnAnsweredRequest) {
  std::mutex mutex;
  std::vector<std::string> answered;
  std::atomic<bool> stop{false};
  auto answer = [&](const std::string& id) {
    std::lock_guard<std::mutex> lock(mutex);
    answered.push_back(id);
  };
  auto count = [&] {
    std::lock_guard<std::mutex> lock(mutex);
    return answered.size();
  };
  std::thread rest([&] {
    auto client = server_->HttpClient();
    for (int i = 0; i < 100000 && !stop.load(); ++i) {
      const std::string id = "kill-rest-" + std::to_string(i);
      httplib::Result result = client->Get("/api/v1/namespaces", {{"X-Request-Id", id}});
      if (!result || result->status != 200) return;
      answer(id);
    }
  });
  std::thread grpc([&] {
    auto stub = v1::CatalogService::NewStub(server_->channel());
    for (int i = 0; i < 100000 && !stop.load(); ++i) {
      const std::string id = "kill-grpc-" + std::to_string(i);
      grpc::ClientContext context;
      server_->PrepareContext(&context);
      context.AddMetadata("x-request-id", id);
      v1::ListNamespacesResponse response;
      const grpc::Status status =
          stub->ListNamespaces(&context, v1::ListNamespacesRequest(), &response);
      if (!status.ok()) return;
      answer(id);
    }
  });
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (count() < 300 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  server_->Kill();  // while both read
  stop.store(true);
  rest.join();
  grpc.join();
  ASSERT_GE(count(), 300u);

  std::string error;
  ASSERT_TRUE(server_->Start(&error)) << error;
  std::set<std::string> recorded;
  for (const json& record : Records()) recorded.insert(record["requestId"].get<std::string>());
  for (const std::string& id : answered) EXPECT_TRUE(recorded.count(id)) << id << " answered, not recorded";
  EXPECT_TRUE(Verify()["ok"]);
}

}  // namespace
}  // namespace cadastre::testing
