// The fixture of the REST tests (rest_test.cc, rest_input_test.cc): one
// server for the suite, helpers to send requests and to check that a
// rejected request changed nothing.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "rest_routes.h"
#include "suite_server.h"

namespace cadastre::testing {

using nlohmann::json;

struct Reply {
  int status = 0;  // 0 when no answer came
  std::string body;
  std::string content_type;
  json parsed;  // discarded when the body is not JSON
  std::string transport_error;

  std::string Describe() const {
    if (!transport_error.empty()) return "no answer: " + transport_error;
    return "HTTP " + std::to_string(status) + " " + body.substr(0, 1000);
  }
};

inline std::string DatasetPath(const std::string& ns, const std::string& name) {
  return "/api/v1/namespaces/" + PercentEncode(ns) + "/datasets/" +
         PercentEncode(name);
}
inline std::string NamespacePath(const std::string& ns) {
  return "/api/v1/namespaces/" + PercentEncode(ns);
}

class RestTest : public SuiteServerTest<RestTest> {
 public:
  static constexpr std::int64_t kMaxBodyBytes = 16384;
  static ServerOptions Options() {
    ServerOptions options;
    options.max_body_bytes = kMaxBodyBytes;
    return options;
  }

 protected:
  // Sends with the given Authorization header (none when nullopt).
  Reply SendAs(const std::optional<std::string>& authorization,
               const std::string& method, const std::string& path,
               const std::string& body = "") {
    auto client = server().HttpClient(/*with_token=*/false);
    httplib::Request request;
    request.method = method;
    request.path = path;
    if (authorization) request.set_header("Authorization", *authorization);
    if (!body.empty()) {
      request.body = body;
      request.set_header("Content-Type", "application/json");
    }
    Reply reply;
    httplib::Result result = client->send(request);
    if (!result) {
      reply.transport_error = httplib::to_string(result.error());
      return reply;
    }
    reply.status = result->status;
    reply.body = result->body;
    reply.content_type = result->get_header_value("Content-Type");
    reply.parsed = json::parse(reply.body, nullptr, /*allow_exceptions=*/false);
    return reply;
  }

  Reply Send(const std::string& method, const std::string& path,
             const std::string& body = "") {
    return SendAs("Bearer " + server().token(), method, path, body);
  }

  Reply Get(const std::string& path) { return Send("GET", path); }

  void PutOk(const std::string& path, const json& body) {
    const Reply reply = Send("PUT", path, body.dump());
    ASSERT_EQ(reply.status, 200) << "PUT " << path << ": " << reply.Describe();
  }

  // A namespace with one dataset ("orders", fields id and email), and the
  // paths whose answers must not change when a request is rejected.
  std::vector<std::string> Seed(const std::string& ns) {
    PutOk(NamespacePath(ns), {{"description", "seeded"}});
    PutOk(DatasetPath(ns, "orders"), json::parse(R"({
            "description": "Orders",
            "fields": [{"name": "id", "type": "BIGINT"},
                       {"name": "email", "type": "TEXT"}]})"));
    return {DatasetPath(ns, "orders"),
            DatasetPath(ns, "orders") + "/versions",
            NamespacePath(ns) + "/datasets",
            "/api/v1/namespaces?limit=1000",
            "/api/v1/tags",
            "/api/v1/glossary/terms"};
  }

  // The answers to GET `paths`, as JSON (key order in a JSON object carries
  // no meaning, and protobuf prints Struct keys in no fixed order).
  std::vector<json> Snapshot(const std::vector<std::string>& paths) {
    std::vector<json> answers;
    for (const auto& path : paths) {
      const Reply reply = Get(path);
      answers.push_back(
          {{"status", reply.status},
           {"body", reply.parsed.is_discarded() ? json(reply.body) : reply.parsed}});
    }
    return answers;
  }

  // Checks an error answer: the status, the JSON error body, its code (any
  // non-empty one when `code` is empty) and, when `fields` is not empty,
  // that its field is one of `fields`.
  static void ExpectErrorBody(const Reply& reply, int status,
                              const std::string& code,
                              const std::vector<std::string>& fields = {}) {
    ASSERT_EQ(reply.status, status) << reply.Describe();
    ASSERT_FALSE(reply.parsed.is_discarded())
        << "the error body is not JSON: " << reply.Describe();
    ASSERT_TRUE(reply.parsed.contains("error") &&
                reply.parsed["error"].is_object())
        << reply.Describe();
    const json& error = reply.parsed["error"];
    if (code.empty()) {
      EXPECT_FALSE(error.value("code", "").empty()) << reply.Describe();
    } else {
      EXPECT_EQ(error.value("code", ""), code) << reply.Describe();
    }
    EXPECT_FALSE(error.value("message", "").empty()) << reply.Describe();
    if (!fields.empty()) {
      const std::string field = error.value("field", "<no field>");
      EXPECT_NE(std::find(fields.begin(), fields.end(), field), fields.end())
          << "field \"" << field << "\" is not one of "
          << ::testing::PrintToString(fields) << "; " << reply.Describe();
    }
  }

  // Sends a request that must be rejected, then checks that every path in
  // `watch` answers as before and that the server still lives.
  void ExpectRejected(const std::string& method, const std::string& path,
                      const std::string& body, int status,
                      const std::string& code,
                      const std::vector<std::string>& fields,
                      const std::vector<std::string>& watch) {
    SCOPED_TRACE(method + " " + path.substr(0, 300) + " " +
                 body.substr(0, 300));
    const auto before = Snapshot(watch);
    const Reply reply = Send(method, path, body);
    ExpectErrorBody(reply, status, code, fields);
    ExpectAlive();
    const auto after = Snapshot(watch);
    for (size_t i = 0; i < watch.size(); ++i) {
      EXPECT_EQ(before[i], after[i])
          << "GET " << watch[i] << " changed: "
          << json::diff(before[i], after[i]).dump();
    }
  }

  void ExpectAlive() {
    ASSERT_TRUE(server().IsRunning())
        << "the server ended: " << server().last_exit().ToString();
    const Reply health = SendAs(std::nullopt, "GET", "/healthz");
    EXPECT_EQ(health.status, 200) << health.Describe();
  }
};

}  // namespace cadastre::testing
