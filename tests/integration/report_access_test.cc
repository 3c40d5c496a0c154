// The GDPR reports for a scoped caller, over REST and gRPC, in the access
// fixture's world: an analyst of grid.north sees no grid.south dataset in
// either report, JSON or CSV (the hidden middle of leak.src -> leak.mid_south
// -> leak.dst is redacted, as lineage answers redact it), and an auditor
// reads both.
#include "access_fixture.h"

namespace cadastre::testing {
namespace {

bool NamesTheSouth(const std::string& text) { return text.find("south") != std::string::npos; }

std::string Field(const std::string& dataset, const std::string& field) {
  return std::string("datasetField:") + kNs + ":" + dataset + ":" + field;
}

// The column `field` of `dataset` in an inventory, or null.
json FindColumn(const json& report, const std::string& dataset, const std::string& field) {
  for (const json& column : report["columns"]) {
    if (column["column"]["namespace"] == kNs && column["column"]["dataset"] == dataset &&
        column["column"]["field"] == field) {
      return column;
    }
  }
  return nullptr;
}

TEST_P(AccessTest, ReportsShowAScopedCallerNoHiddenDataset) {
  const CallResult inventory =
      As("m-analyst", "ReportService.GetPersonalDataReport", {{"view", "FULL"}});
  ASSERT_EQ(inventory.code, "OK") << inventory.message;
  EXPECT_FALSE(NamesTheSouth(inventory.body.dump())) << inventory.body.dump();
  EXPECT_EQ(inventory.body["principal"], "m-analyst");
  EXPECT_NE(FindColumn(inventory.body, "leak.src", "email"), nullptr) << inventory.body.dump();
  // The destination inherits through the hidden dataset, which its path
  // shows redacted; the source's only consumer it may name is the
  // destination.
  const json destination = FindColumn(inventory.body, "leak.dst", "email_hash");
  ASSERT_NE(destination, nullptr) << inventory.body.dump();
  EXPECT_EQ(destination["inherited"],
            json::parse(R"([{"tag": "PII.Email", "from": ")" + Field("leak.src", "email") +
                        R"(", "path": [")" + Field("leak.src", "email") + R"(", "redacted:1", ")" +
                        Field("leak.dst", "email_hash") + R"("]}])"));
  const CallResult basic = As("m-analyst", "ReportService.GetPersonalDataReport", json::object());
  ASSERT_EQ(basic.code, "OK") << basic.message;
  EXPECT_FALSE(NamesTheSouth(basic.body.dump())) << basic.body.dump();
  EXPECT_EQ(
      FindColumn(basic.body, "leak.dst", "email_hash")["inherited"],
      json::parse(R"([{"tag": "PII.Email", "from": ")" + Field("leak.src", "email") +
                  R"(", "path": []}])"));
  const json source = FindColumn(inventory.body, "leak.src", "email");
  EXPECT_EQ(source["consumers"],
            json::parse(R"([{"namespace": ")" + std::string(kNs) +
                        R"(", "dataset": "leak.dst", "field": "email_hash"}])"));
  EXPECT_EQ(source["finalConsumers"],
            json::parse(R"([{"namespace": ")" + std::string(kNs) + R"(", "name": "leak.dst"}])"));
  // The unscoped admin sees the middle: the test would notice a leak.
  const CallResult everything = As("root", "ReportService.GetPersonalDataReport", json::object());
  EXPECT_NE(FindColumn(everything.body, "leak.mid_south", "email"), nullptr);
  EXPECT_GT(everything.body["datasetCount"].get<int>(), inventory.body["datasetCount"].get<int>());

  const json request = {{"namespace", kNs}, {"dataset", "leak.src"}, {"field", "email"}};
  const CallResult trace = As("m-analyst", "ReportService.GetTraceReport", request);
  ASSERT_EQ(trace.code, "OK") << trace.message;
  const std::string text = trace.body.dump();
  EXPECT_FALSE(NamesTheSouth(text)) << text;
  EXPECT_EQ(text.find("acc.step"), std::string::npos) << "a job touching it is named: " << text;
  ASSERT_EQ(trace.body["paths"].size(), 1u) << text;
  const json& hops = trace.body["paths"][0]["hops"];
  ASSERT_EQ(hops.size(), 2u) << text;
  EXPECT_EQ(hops[0]["sourceId"], Field("leak.src", "email"));
  EXPECT_EQ(hops[0]["targetId"], "redacted:1");
  EXPECT_EQ(hops[0]["target"], json({{"namespace", ""}, {"dataset", ""}, {"field", ""}}));
  EXPECT_EQ(hops[1]["sourceId"], "redacted:1");
  EXPECT_EQ(hops[1]["targetId"], Field("leak.dst", "email_hash"));
  EXPECT_EQ(trace.body["hopCount"], 2);
  const std::string root_trace = As("root", "ReportService.GetTraceReport", request).body.dump();
  EXPECT_TRUE(NamesTheSouth(root_trace)) << root_trace;
  EXPECT_NE(root_trace.find("acc.step1"), std::string::npos) << root_trace;

  // A hidden dataset is traced as a missing one is.
  const CallResult hidden = As("m-analyst", "ReportService.GetTraceReport",
                               {{"namespace", kNs}, {"dataset", "leak.mid_south"}});
  const CallResult missing = As("m-analyst", "ReportService.GetTraceReport",
                                {{"namespace", kNs}, {"dataset", "leak.mid_nowhere"}});
  EXPECT_EQ(hidden.code, "NOT_FOUND");
  EXPECT_EQ(hidden.field, missing.field);
  EXPECT_EQ(ReplaceAll(hidden.message, "leak.mid_south", "X"),
            ReplaceAll(missing.message, "leak.mid_nowhere", "X"));

  // CSV: the same, as text.
  for (const auto& [rpc, query] : std::vector<std::pair<std::string, json>>{
           {"ReportService.GetPersonalDataReport", {{"format", "csv"}}},
           {"ReportService.GetTraceReport",
            {{"namespace", kNs},
             {"dataset", "leak.src"},
             {"field", "email"},
             {"format", "csv"}}}}) {
    SCOPED_TRACE(rpc);
    std::string csv;
    if (rest()) {
      auto client = server().HttpClient(/*with_token=*/false);
      client->set_bearer_token_auth(tokens_["m-analyst"]);
      std::string path = std::string("/api/v1/reports/") +
                         (rpc == "ReportService.GetTraceReport" ? "trace" : "personal-data") + "?";
      for (const auto& [key, value] : query.items()) {
        path += key + "=" + PercentEncode(value.get<std::string>()) + "&";
      }
      auto res = client->Get(path.c_str());
      ASSERT_TRUE(res);
      ASSERT_EQ(res->status, 200) << res->body;
      csv = res->body;
    } else {
      const CallResult result = As("m-analyst", rpc, query);
      ASSERT_EQ(result.code, "OK") << result.message;
      csv = Base64Decode(result.body["export"]["data"].get<std::string>());
    }
    EXPECT_NE(csv.find("leak.dst"), std::string::npos) << csv;
    EXPECT_FALSE(NamesTheSouth(csv)) << csv;
    EXPECT_EQ(csv.find("acc.step"), std::string::npos) << csv;
  }
}

TEST_P(AccessTest, AnAuditorReadsBothReports) {
  for (const auto& [rpc, request] : std::vector<std::pair<std::string, json>>{
           {"ReportService.GetPersonalDataReport", json::object()},
           {"ReportService.GetTraceReport", {{"tag", "PII.Email"}}},
           {"ReportService.GetTraceReport", {{"namespace", kNs}, {"dataset", "leak.src"}}}}) {
    SCOPED_TRACE(rpc + " " + request.dump());
    const CallResult result = As("m-auditor", rpc, request);
    EXPECT_EQ(result.code, "OK") << result.message;
    EXPECT_EQ(result.body["principal"], "m-auditor");
    EXPECT_FALSE(NamesTheSouth(result.body.dump())) << result.body.dump();
    EXPECT_EQ(result.body["auditChain"]["ok"], true) << result.body.dump();
  }
  // An unscoped auditor reads everything, the hidden middle included.
  const std::string auditor =
      MakePrincipal(Unique("gdpr-auditor"), {{"kind", "user"}, {"roles", {"auditor"}}});
  const CallResult everything =
      WithToken(auditor, "ReportService.GetPersonalDataReport", json::object());
  ASSERT_EQ(everything.code, "OK") << everything.message;
  EXPECT_NE(FindColumn(everything.body, "leak.mid_south", "email"), nullptr);
  const CallResult trace = WithToken(auditor, "ReportService.GetTraceReport",
                                     {{"namespace", kNs}, {"dataset", "leak.mid_south"}});
  ASSERT_EQ(trace.code, "OK") << trace.message;
  EXPECT_NE(trace.body.dump().find("acc.step2"), std::string::npos) << trace.body.dump();

  // An auditor scoped to grid.north has no READ_AUDIT (it counts only
  // unscoped), so the access report is refused before it is found missing.
  EXPECT_EQ(As("m-auditor", "ReportService.GetAccessReport", json::object()).code,
            "PERMISSION_DENIED");
}

}  // namespace
}  // namespace cadastre::testing
