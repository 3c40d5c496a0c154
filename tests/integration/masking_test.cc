// Column masking against the real server, over REST and gRPC: sample rows
// and statistics masked by classification (own and inherited through
// lineage), per role, and the policy API engines ask.
#include <gtest/gtest.h>

#include <grpcpp/grpcpp.h>

#include <regex>

#include "cadastre/v1/access.grpc.pb.h"
#include "cadastre/v1/sample.grpc.pb.h"
#include "google/protobuf/util/json_util.h"
#include "nlohmann/json.hpp"
#include "rest_routes.h"
#include "suite_server.h"

namespace cadastre::testing {
namespace {

using nlohmann::json;

struct Answer {
  int status = 0;
  json body;
};

class MaskingTest : public SuiteServerTest<MaskingTest> {
 public:
  static void SetUpTestSuite() {
    SuiteServerTest<MaskingTest>::SetUpTestSuite();
    // Built once: every test reads the same catalog.
    Answer a;
    auto admin = [&](const std::string& method, const std::string& path, json body = json()) {
      a = Send("", method, path, body);
      EXPECT_LT(a.status, 300) << method << " " << path << ": " << a.body.dump();
    };
    admin("PUT", "/api/v1/tags/PII.Email", {{"propagate", true}});
    admin("PUT", "/api/v1/namespaces/crm", json::object());
    admin("PUT", "/api/v1/namespaces/crm/datasets/customers",
          {{"domain", "grid.north"},
           {"fields", {{{"name", "email"}, {"tags", {"PII.Email"}}}, {{"name", "city"}}}}});
    admin("PUT", "/api/v1/namespaces/crm/datasets/hr",
          {{"domain", "grid.south"}, {"fields", {{{"name", "salary"}}}}});
    // customers.email -> contacts.contact: contacts inherits PII.Email.
    json event = {
        {"eventType", "COMPLETE"},
        {"eventTime", "2026-01-01T00:00:00Z"},
        {"producer", "https://example.com/test"},
        {"schemaURL", "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent"},
        {"run", {{"runId", "0195f3c2-7a3e-7c9a-9a57-000000000001"}}},
        {"job", {{"namespace", "etl"}, {"name", "contacts"}}},
        {"inputs", {{{"namespace", "crm"}, {"name", "customers"}}}},
        {"outputs",
         {{{"namespace", "crm"},
           {"name", "contacts"},
           {"facets",
            {{"schema",
              {{"_producer", "x"},
               {"_schemaURL", "x"},
               {"fields", {{{"name", "contact"}, {"type", "string"}}, {{"name", "n"}}}}}},
             {"columnLineage",
              {{"_producer", "x"},
               {"_schemaURL", "x"},
               {"fields",
                {{"contact",
                  {{"inputFields",
                    {{{"namespace", "crm"},
                      {"name", "customers"},
                      {"field", "email"},
                      {"transformations",
                       {{{"type", "DIRECT"}, {"subtype", "IDENTITY"}}}}}}}}}}}}}}}}}}};
    admin("POST", "/api/v1/lineage", event);
    admin("PUT", "/api/v1/namespaces/crm/datasets/contacts", {{"domain", "grid.north"},
          {"fields", {{{"name", "contact"}}, {{"name", "n"}}}}});
    admin("PUT", "/api/v1/masking-policies/email-hash",
          {{"tag", "PII.Email"}, {"maskType", "MASK_HASH"}, {"unmaskedRoles", {"engineer"}},
           {"priority", 10}});
    for (const char* role : {"analyst", "engineer"}) {
      admin("PUT", std::string("/api/v1/principals/") + role,
            {{"roles", {role}}, {"domains", {"grid.north"}}});
      admin("POST", std::string("/api/v1/principals/") + role + "/tokens", json::object());
      tokens_[role] = a.body["token"];
    }
    admin("PUT", "/api/v1/namespaces/crm/datasets/contacts/sample",
          {{"rows", {{{"contact", "zoë@example.com"}, {"n", 5}}}},
           {"columnStats", {{"contact", {{"min", "a@x.io"}, {"max", "z@y.io"}, {"nullCount", 2}}}}}});
    admin("PUT", "/api/v1/namespaces/crm/datasets/customers/sample",
          {{"rows", {{{"email", "zoë@example.com"}, {"city", "Lyon"}}}}});
  }

 protected:
  // Over REST, as `who` (a role name of this suite, or "" for admin).
  static Answer Send(const std::string& who, const std::string& method, const std::string& path,
                     const json& body = json()) {
    auto client = server().HttpClient(/*with_token=*/who.empty());
    httplib::Headers headers;
    if (!who.empty()) headers.emplace("Authorization", "Bearer " + tokens_[who]);
    httplib::Result result =
        method == "GET"    ? client->Get(path, headers)
        : method == "PUT"  ? client->Put(path, headers, body.dump(), "application/json")
        : method == "POST" ? client->Post(path, headers, body.dump(), "application/json")
                           : client->Delete(path, headers);
    Answer answer;
    if (!result) return answer;
    answer.status = result->status;
    answer.body = json::parse(result->body, nullptr, false);
    return answer;
  }

  // GetSample over gRPC, as `who`.
  static json GrpcSample(const std::string& who, const std::string& ns, const std::string& ds,
                         grpc::StatusCode* code) {
    auto channel = grpc::CreateChannel("127.0.0.1:" + std::to_string(server().grpc_port()),
                                       grpc::InsecureChannelCredentials());
    auto stub = v1::SampleService::NewStub(channel);
    grpc::ClientContext context;
    context.AddMetadata("authorization", "Bearer " + tokens_[who]);
    v1::GetSampleRequest request;
    request.set_namespace_(ns);
    request.set_dataset(ds);
    v1::DatasetSample reply;
    grpc::Status status = stub->GetSample(&context, request, &reply);
    *code = status.error_code();
    std::string text;
    google::protobuf::util::JsonPrintOptions options;
    options.always_print_primitive_fields = true;
    (void)google::protobuf::util::MessageToJsonString(reply, &text, options);
    return json::parse(text);
  }

  static inline std::map<std::string, std::string> tokens_;
};

bool IsPseudonym(const json& value) {
  return value.is_string() && std::regex_match(value.get<std::string>(), std::regex("[0-9a-f]{64}"));
}

TEST_F(MaskingTest, InheritedClassificationMasksForAnalystsOverBothTransports) {
  Answer rest = Send("analyst", "GET", "/api/v1/namespaces/crm/datasets/contacts/sample");
  ASSERT_EQ(rest.status, 200) << rest.body.dump();
  const json& row = rest.body["rows"][0];
  EXPECT_TRUE(IsPseudonym(row["contact"])) << row.dump();
  EXPECT_EQ(row["n"], 5);  // unclassified: clear
  ASSERT_EQ(rest.body["maskedColumns"].size(), 1u);
  EXPECT_EQ(rest.body["maskedColumns"][0]["field"], "contact");
  EXPECT_EQ(rest.body["maskedColumns"][0]["maskType"], "MASK_HASH");
  EXPECT_EQ(rest.body["maskedColumns"][0]["tag"], "PII.Email");
  EXPECT_EQ(rest.body["maskedColumns"][0]["policy"], "email-hash");
  // Statistics' values are masked too, counts are not.
  EXPECT_TRUE(IsPseudonym(rest.body["columnStats"]["contact"]["min"]));
  EXPECT_EQ(rest.body["columnStats"]["contact"]["nullCount"], "2");

  grpc::StatusCode code;
  json grpc = GrpcSample("analyst", "crm", "contacts", &code);
  ASSERT_EQ(code, grpc::StatusCode::OK);
  EXPECT_EQ(grpc["rows"][0]["contact"], row["contact"]);
  EXPECT_EQ(grpc["maskedColumns"], rest.body["maskedColumns"]);
}

TEST_F(MaskingTest, HashedPseudonymsStillJoinAcrossDatasets) {
  Answer source = Send("analyst", "GET", "/api/v1/namespaces/crm/datasets/customers/sample");
  Answer derived = Send("analyst", "GET", "/api/v1/namespaces/crm/datasets/contacts/sample");
  ASSERT_EQ(source.status, 200);
  ASSERT_EQ(derived.status, 200);
  EXPECT_TRUE(IsPseudonym(source.body["rows"][0]["email"]));
  EXPECT_EQ(source.body["rows"][0]["email"], derived.body["rows"][0]["contact"]);
  EXPECT_EQ(source.body["rows"][0]["city"], "Lyon");
}

TEST_F(MaskingTest, UnmaskedRolesAndAdminsSeeClearValues) {
  for (const char* who : {"engineer", ""}) {
    Answer answer = Send(who, "GET", "/api/v1/namespaces/crm/datasets/contacts/sample");
    ASSERT_EQ(answer.status, 200) << who;
    EXPECT_EQ(answer.body["rows"][0]["contact"], "zoë@example.com") << who;
    EXPECT_TRUE(answer.body["maskedColumns"].empty()) << who;
  }
}

TEST_F(MaskingTest, OutOfScopeSampleIsNotFoundLikeAMissingOne) {
  Answer hidden = Send("analyst", "GET", "/api/v1/namespaces/crm/datasets/hr/sample");
  Answer missing = Send("analyst", "GET", "/api/v1/namespaces/crm/datasets/nope/sample");
  EXPECT_EQ(hidden.status, 404);
  EXPECT_EQ(missing.status, 404);
  std::string hidden_message = hidden.body["error"]["message"];
  std::string missing_message = missing.body["error"]["message"];
  EXPECT_EQ(std::regex_replace(hidden_message, std::regex("'hr'"), "'X'"),
            std::regex_replace(missing_message, std::regex("'nope'"), "'X'"));
  grpc::StatusCode code;
  GrpcSample("analyst", "crm", "hr", &code);
  EXPECT_EQ(code, grpc::StatusCode::NOT_FOUND);
}

TEST_F(MaskingTest, ASampleNamingAnUnknownColumnIsRefusedAndChangesNothing) {
  Answer refused = Send("", "PUT", "/api/v1/namespaces/crm/datasets/contacts/sample",
                        {{"rows", {{{"nope", 1}}}}});
  EXPECT_EQ(refused.status, 400);
  EXPECT_EQ(refused.body["error"]["field"], "rows[0].nope");
  Answer kept = Send("", "GET", "/api/v1/namespaces/crm/datasets/contacts/sample");
  EXPECT_EQ(kept.body["rows"][0]["n"], 5);
  // Analysts cannot upload.
  EXPECT_EQ(Send("analyst", "PUT", "/api/v1/namespaces/crm/datasets/contacts/sample",
                 {{"rows", json::array()}})
                .status,
            403);
}

TEST_F(MaskingTest, EnginesGetTheMaskSqlForAPrincipal) {
  Answer answer =
      Send("", "GET",
           "/api/v1/policy/resolve?namespace=crm&dataset=contacts&principal=analyst&dialect=postgres");
  ASSERT_EQ(answer.status, 200) << answer.body.dump();
  EXPECT_TRUE(answer.body["readable"]);
  EXPECT_EQ(answer.body["principal"], "analyst");
  const json& contact = answer.body["columns"][0];
  EXPECT_EQ(contact["field"], "contact");
  EXPECT_EQ(contact["maskType"], "MASK_HASH");
  EXPECT_NE(contact["expression"].get<std::string>().find("sha256"), std::string::npos);
  EXPECT_EQ(answer.body["columns"][1]["expression"], "\"n\"");
  EXPECT_FALSE(answer.body["etag"].get<std::string>().empty());
  // The same question gets the same ETag; the engineer's answer differs.
  Answer again =
      Send("", "GET",
           "/api/v1/policy/resolve?namespace=crm&dataset=contacts&principal=analyst&dialect=postgres");
  EXPECT_EQ(again.body["etag"], answer.body["etag"]);
  Answer engineer =
      Send("", "GET",
           "/api/v1/policy/resolve?namespace=crm&dataset=contacts&principal=engineer&dialect=postgres");
  EXPECT_EQ(engineer.body["columns"][0]["maskType"], "MASK_NONE");
  EXPECT_NE(engineer.body["etag"], answer.body["etag"]);
}

// An engine polls with If-None-Match: 304 and no body while nothing
// changed, the new answer once a policy does.
TEST_F(MaskingTest, EnginesPollThePolicyWithIfNoneMatch) {
  const std::string path =
      "/api/v1/policy/resolve?namespace=crm&dataset=contacts&principal=analyst&dialect=trino";
  auto client = server().HttpClient(/*with_token=*/true);
  auto get = [&](const std::string& if_none_match) {
    httplib::Headers headers;
    if (!if_none_match.empty()) headers.emplace("If-None-Match", if_none_match);
    return client->Get(path, headers);
  };
  httplib::Result first = get("");
  ASSERT_TRUE(first);
  ASSERT_EQ(first->status, 200);
  const std::string etag = first->get_header_value("ETag");
  EXPECT_EQ(etag, "\"" + json::parse(first->body)["etag"].get<std::string>() + "\"");

  httplib::Result unchanged = get(etag);
  ASSERT_TRUE(unchanged);
  EXPECT_EQ(unchanged->status, 304);
  EXPECT_EQ(unchanged->body, "");
  EXPECT_EQ(unchanged->get_header_value("ETag"), etag);
  EXPECT_EQ(get("W/\"other\", " + etag)->status, 304);
  EXPECT_EQ(get("\"other\"")->status, 200);

  // A new policy on the column's tag changes the answer and its ETag.
  ASSERT_LT(Send("", "PUT", "/api/v1/masking-policies/poll-test",
                 {{"tag", "PII.Email"}, {"maskType", "MASK_NULL"}, {"priority", 99}})
                .status,
            300);
  httplib::Result changed = get(etag);
  ASSERT_TRUE(changed);
  EXPECT_EQ(changed->status, 200);
  EXPECT_NE(changed->get_header_value("ETag"), etag);
  EXPECT_EQ(json::parse(changed->body)["columns"][0]["maskType"], "MASK_NULL");
  EXPECT_EQ(Send("", "DELETE", "/api/v1/masking-policies/poll-test").status, 200);
}

TEST_F(MaskingTest, APrincipalMayResolveOnlyItsOwnPolicyAndNeverGetsTheHashKey) {
  Answer own = Send("analyst", "GET", "/api/v1/policy/resolve?namespace=crm&dataset=contacts");
  ASSERT_EQ(own.status, 200) << own.body.dump();
  EXPECT_EQ(own.body["columns"][0]["maskType"], "MASK_HASH");
  EXPECT_EQ(own.body["columns"][0]["expression"], "");
  Answer other = Send("analyst", "GET",
                      "/api/v1/policy/resolve?namespace=crm&dataset=contacts&principal=engineer");
  EXPECT_EQ(other.status, 403);
  Answer bad = Send("", "GET", "/api/v1/policy/resolve?namespace=crm&dataset=contacts&dialect=x");
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(bad.body["error"]["field"], "dialect");
}

TEST_F(MaskingTest, ATagScopedDenyHidesTheColumn) {
  Answer grant = Send("", "POST", "/api/v1/grants",
                      {{"principal", "analyst"}, {"role", "analyst"}, {"effect", "DENY"},
                       {"tags", {"PII"}}});
  ASSERT_EQ(grant.status, 201) << grant.body.dump();
  Answer hidden = Send("analyst", "GET", "/api/v1/namespaces/crm/datasets/contacts/sample");
  Answer resolved =
      Send("", "GET", "/api/v1/policy/resolve?namespace=crm&dataset=contacts&principal=analyst");
  Send("", "DELETE", "/api/v1/grants/" + grant.body["id"].get<std::string>());
  ASSERT_EQ(hidden.status, 200);
  EXPECT_FALSE(hidden.body["rows"][0].contains("contact")) << hidden.body.dump();
  EXPECT_EQ(hidden.body["hiddenColumns"], json::array({"contact"}));
  EXPECT_FALSE(hidden.body["columnStats"].contains("contact"));
  EXPECT_FALSE(resolved.body["columns"][0]["visible"]);
  EXPECT_TRUE(resolved.body["columns"][1]["visible"]);
}

TEST_F(MaskingTest, QualityMetricValuesLeaveTheMetadataAndAreServedMasked) {
  json event = json::parse(R"({
    "eventType": "COMPLETE", "eventTime": "2026-01-02T00:00:00Z",
    "producer": "https://example.com/test",
    "schemaURL": "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent",
    "run": {"runId": "0195f3c2-7a3e-7c9a-9a57-000000000002"},
    "job": {"namespace": "etl", "name": "profile"},
    "inputs": [{"namespace": "crm", "name": "customers", "inputFacets": {"dataQualityMetrics": {
      "_producer": "x", "_schemaURL": "x", "rowCount": 10,
      "columnMetrics": {"email": {"nullCount": 1, "min": "a@x.io", "max": "z@y.io"}}}}}]})");
  ASSERT_EQ(Send("", "POST", "/api/v1/lineage", event).status, 201);
  Answer dataset = Send("analyst", "GET", "/api/v1/namespaces/crm/datasets/customers");
  ASSERT_EQ(dataset.status, 200);
  const json& email = dataset.body["facets"]["dataQualityMetrics"]["columnMetrics"]["email"];
  EXPECT_EQ(email["nullCount"], 1);
  EXPECT_FALSE(email.contains("min")) << dataset.body["facets"].dump();
  EXPECT_EQ(dataset.body.dump().find("a@x.io"), std::string::npos);
  Answer sample = Send("analyst", "GET", "/api/v1/namespaces/crm/datasets/customers/sample");
  EXPECT_TRUE(IsPseudonym(sample.body["columnStats"]["email"]["min"])) << sample.body.dump();
  EXPECT_EQ(sample.body["columnStats"]["email"]["nullCount"], "1");
  EXPECT_EQ(sample.body["rows"][0]["city"], "Lyon");  // the uploaded rows stay
  Answer clear = Send("", "GET", "/api/v1/namespaces/crm/datasets/customers/sample");
  EXPECT_EQ(clear.body["columnStats"]["email"]["min"], "a@x.io");
}

// Not masking, but this suite has the principals: operational metrics are
// for auditors and admins.
TEST_F(MaskingTest, MetricsNeedReadAudit) {
  EXPECT_EQ(Send("analyst", "GET", "/metrics").status, 403);
  EXPECT_EQ(Send("", "GET", "/metrics").status, 200);
}

}  // namespace
}  // namespace cadastre::testing
