// What only the REST transport has: percent-encoded paths, Marquez's JSON
// shapes, authentication on every route, routing errors, /healthz, /metrics
// and the OpenAPI document. Bad input is in rest_input_test.cc.

#include <algorithm>
#include <map>
#include <optional>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "json_match.h"
#include "rest_fixture.h"
#include "rest_routes.h"

namespace cadastre::testing {
namespace {

// ------------------------------------------------------------------- paths

TEST_F(RestTest, PercentEncodedNamespaceAndMarquezShapes) {
  const std::string ns_path = "/api/v1/namespaces/postgres%3A%2F%2Fcrm%3A5432";
  const std::string dataset_path = ns_path + "/datasets/public.customers";
  {
    const Reply reply =
        Send("PUT", ns_path,
             R"({"ownerName":"crm-team","description":"CRM database"})");
    ASSERT_EQ(reply.status, 200) << reply.Describe();
    EXPECT_EQ(reply.parsed.value("name", ""), "postgres://crm:5432");
    EXPECT_EQ(reply.parsed.value("ownerName", ""), "crm-team");
  }
  {
    const Reply reply = Send("PUT", dataset_path, R"({
      "type": "DB_TABLE",
      "physicalName": "public.customers",
      "sourceName": "crm",
      "description": "All customers",
      "fields": [
        {"name": "id", "type": "INTEGER", "tags": [], "description": "Customer id"},
        {"name": "email", "type": "VARCHAR", "tags": [], "description": "E-mail"}
      ],
      "tags": []
    })");
    ASSERT_EQ(reply.status, 200) << reply.Describe();
    EXPECT_TRUE(reply.content_type.rfind("application/json", 0) == 0)
        << "Content-Type: " << reply.content_type;
  }

  const Reply got = Get(dataset_path);
  ASSERT_EQ(got.status, 200) << got.Describe();
  const json& dataset = got.parsed;
  std::string mismatch;
  EXPECT_TRUE(JsonContains(dataset, json::parse(R"({
      "id": {"namespace": "postgres://crm:5432", "name": "public.customers"},
      "type": "DB_TABLE",
      "name": "public.customers",
      "physicalName": "public.customers",
      "namespace": "postgres://crm:5432",
      "sourceName": "crm",
      "description": "All customers",
      "fields": [
        {"name": "id", "type": "INTEGER", "tags": [], "description": "Customer id"},
        {"name": "email", "type": "VARCHAR", "tags": [], "description": "E-mail"}
      ],
      "tags": [],
      "currentVersion": "1",
      "deleted": false
    })"),
                           &mismatch))
      << mismatch << "\n" << dataset.dump(2);
  // Marquez's timestamps: RFC 3339 strings.
  const std::regex rfc3339(
      R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d))");
  for (const char* key : {"createdAt", "updatedAt"}) {
    ASSERT_TRUE(dataset.contains(key) && dataset[key].is_string())
        << key << " missing: " << dataset.dump();
    EXPECT_TRUE(std::regex_match(dataset[key].get<std::string>(), rfc3339))
        << key << " = " << dataset[key];
  }

  const Reply list = Get(ns_path + "/datasets");
  ASSERT_EQ(list.status, 200) << list.Describe();
  ASSERT_TRUE(list.parsed.contains("datasets") &&
              list.parsed["datasets"].is_array())
      << list.Describe();
  EXPECT_EQ(list.parsed.value("totalCount", -1), 1) << list.Describe();
  ASSERT_EQ(list.parsed["datasets"].size(), 1u) << list.Describe();
  EXPECT_EQ(list.parsed["datasets"][0]["id"],
            json::parse(R"({"namespace":"postgres://crm:5432",
                            "name":"public.customers"})"));

  const Reply namespaces = Get("/api/v1/namespaces?limit=1000");
  ASSERT_EQ(namespaces.status, 200) << namespaces.Describe();
  ASSERT_TRUE(namespaces.parsed["namespaces"].is_array());
  EXPECT_TRUE(JsonContains(
      namespaces.parsed["namespaces"],
      json::parse(R"({"$contains": [{"name": "postgres://crm:5432"}]})")))
      << namespaces.Describe();
  EXPECT_EQ(namespaces.parsed.value("totalCount", -1),
            static_cast<int>(namespaces.parsed["namespaces"].size()));

  const Reply tags = Get("/api/v1/tags");
  ASSERT_EQ(tags.status, 200) << tags.Describe();
  EXPECT_TRUE(tags.parsed.contains("tags") && tags.parsed["tags"].is_array())
      << tags.Describe();
}

TEST_F(RestTest, MarquezInputSpellingsAreAccepted) {
  Seed("rest-marquez");
  // Marquez clients send "TABLE"-style aliases and explicit nulls.
  const Reply reply = Send("PUT", DatasetPath("rest-marquez", "events"), R"({
      "type": "TABLE",
      "physicalName": "events",
      "sourceName": "kafka",
      "fields": [{"name": "ts", "type": "TIMESTAMP", "tags": [], "description": null}],
      "tags": [],
      "description": null,
      "runId": null,
      "schemaLocation": null
    })");
  ASSERT_EQ(reply.status, 200) << reply.Describe();
  EXPECT_EQ(reply.parsed.value("type", ""), "DB_TABLE") << reply.Describe();
  EXPECT_EQ(reply.parsed["fields"][0].value("description", "?"), "")
      << reply.Describe();
}

TEST_F(RestTest, DatasetNamesWithSlashPlusSpaceAndPercent) {
  const std::string ns = "s3://grid-raw";
  PutOk(NamespacePath(ns), json::object());
  for (const std::string name :
       {"raw/2024/01/meter_readings.parquet", "a+b", "my table", "100%",
        "what?#frag", "Zähler/Straße", "kafka:topic:orders"}) {
    SCOPED_TRACE(name);
    const Reply put = Send("PUT", DatasetPath(ns, name), R"({"description":"x"})");
    ASSERT_EQ(put.status, 200) << put.Describe();
    EXPECT_EQ(put.parsed.value("name", ""), name);
    const Reply got = Get(DatasetPath(ns, name));
    ASSERT_EQ(got.status, 200) << got.Describe();
    EXPECT_EQ(got.parsed.value("name", ""), name);
    EXPECT_EQ(got.parsed["id"].value("name", ""), name);
    EXPECT_EQ(got.parsed["id"].value("namespace", ""), ns);
  }
  // '+' is a plus and "%20" a space: "a b" was never created.
  EXPECT_EQ(Get(DatasetPath(ns, "a b")).status, 404);
  const Reply list = Get(NamespacePath(ns) + "/datasets?limit=1000");
  ASSERT_EQ(list.status, 200) << list.Describe();
  EXPECT_EQ(list.parsed.value("totalCount", -1), 7) << list.Describe();
}

TEST_F(RestTest, UnencodedSlashDoesNotReachTheDataset) {
  const std::string ns = "rest-slash";
  PutOk(NamespacePath(ns), json::object());
  PutOk(DatasetPath(ns, "a/b"), json::object());
  // /datasets/a/b is not the route of dataset "a/b" (nor any other route).
  const Reply reply = Get(NamespacePath(ns) + "/datasets/a/b");
  ExpectErrorBody(reply, 404, "NOT_FOUND");
  EXPECT_EQ(Get(DatasetPath(ns, "a/b")).status, 200);
}

// -------------------------------------------------------- authentication

std::string SamplePath(const RestRoute& route) {
  std::string path = "/api/v1";
  const std::string_view tmpl = route.path_template;
  for (size_t i = 0; i < tmpl.size();) {
    if (tmpl[i] == '{') {
      path += "rest-auth";
      i = tmpl.find('}', i) + 1;
    } else {
      path += tmpl[i++];
    }
  }
  return path;
}

TEST_F(RestTest, EveryRouteWithoutOrWithBadTokenIs401) {
  struct Target {
    std::string method, path, body;
  };
  std::vector<Target> targets;
  for (const RestRoute& route : RestRoutes()) {
    targets.push_back({std::string(route.method), SamplePath(route),
                       route.body_field.empty() ? "" : "{}"});
  }
  targets.push_back({"GET", "/api/v1/openapi.json", ""});
  targets.push_back({"GET", "/metrics", ""});

  const std::vector<std::optional<std::string>> authorizations = {
      std::nullopt, "Bearer wrong-token", "Bearer ", "Bearer",
      "Basic YWRtaW46YWRtaW4=", "Bearer " + server().token() + "x",
      server().token()};
  for (const auto& target : targets) {
    for (const auto& authorization : authorizations) {
      SCOPED_TRACE(target.method + " " + target.path + " with Authorization " +
                   authorization.value_or("<none>"));
      const Reply reply =
          SendAs(authorization, target.method, target.path, target.body);
      ExpectErrorBody(reply, 401, "UNAUTHENTICATED");
    }
  }
  ExpectAlive();
}

TEST_F(RestTest, UnauthenticatedWritesChangeNothing) {
  const auto watch = Seed("rest-auth-writes");
  const auto before = Snapshot(watch);
  for (const auto& [method, path] :
       std::vector<std::pair<std::string, std::string>>{
           {"PUT", DatasetPath("rest-auth-writes", "orders")},
           {"DELETE", DatasetPath("rest-auth-writes", "orders")},
           {"PUT", NamespacePath("rest-auth-new")},
           {"PUT", "/api/v1/tags/RestAuth"},
           {"PUT", "/api/v1/glossary/terms/RestAuth"}}) {
    const Reply reply = SendAs("Bearer nope", method, path,
                               method == "PUT" ? R"({"description":"x"})" : "");
    EXPECT_EQ(reply.status, 401) << method << " " << path << ": "
                                 << reply.Describe();
  }
  EXPECT_EQ(Snapshot(watch), before);
  EXPECT_EQ(Get(NamespacePath("rest-auth-new")).status, 404);
  EXPECT_EQ(Get("/api/v1/tags/RestAuth").status, 404);
  EXPECT_EQ(Get("/api/v1/glossary/terms/RestAuth").status, 404);
}

TEST_F(RestTest, HealthzNeedsNoToken) {
  const Reply reply = SendAs(std::nullopt, "GET", "/healthz");
  ASSERT_EQ(reply.status, 200) << reply.Describe();
  EXPECT_EQ(reply.parsed, json::parse(R"({"status":"SERVING"})"))
      << reply.Describe();
}

// --------------------------------------------------------------- routing

TEST_F(RestTest, UnknownRouteIs404WithErrorBody) {
  for (const std::string path :
       {"/api/v1/nope", "/api/v1/namespaces/x/datasets/y/bogus", "/nope",
        "/api/v2/namespaces", "/api/v1/namespaces/x/datasets/y/fields/z",
        "/api/v1/glossary"}) {
    SCOPED_TRACE(path);
    ExpectErrorBody(Get(path), 404, "NOT_FOUND");
  }
  ExpectAlive();
}

TEST_F(RestTest, WrongMethodIs405WithErrorBody) {
  const auto watch = Seed("rest-methods");
  for (const auto& [method, path] :
       std::vector<std::pair<std::string, std::string>>{
           {"PATCH", NamespacePath("rest-methods")},
           {"POST", NamespacePath("rest-methods")},
           {"DELETE", "/api/v1/namespaces"},
           {"PUT", "/api/v1/tags"},
           {"POST", DatasetPath("rest-methods", "orders")},
           {"GET", DatasetPath("rest-methods", "orders") + "/restore"},
           {"PUT", DatasetPath("rest-methods", "orders") + "/tags/PII"},
           {"POST", "/api/v1/glossary/terms"},
           {"DELETE", "/api/v1/openapi.json"},
           {"POST", "/healthz"}}) {
    // 405 has no row in the code table: any code, with the error body.
    ExpectRejected(method, path, method == "GET" ? "" : "{}", 405, "", {},
                   watch);
  }
}

// ----------------------------------------------- metrics and the API doc

TEST_F(RestTest, MetricsArePrometheusText) {
  Seed("rest-metrics");  // some traffic to count
  const Reply reply = Get("/metrics");
  ASSERT_EQ(reply.status, 200) << reply.Describe();
  EXPECT_EQ(reply.content_type.rfind("text/plain", 0), 0u)
      << "Content-Type: " << reply.content_type;
  const std::regex type_line(
      R"(# TYPE [a-zA-Z_:][a-zA-Z0-9_:]* (counter|gauge|histogram|summary|untyped))");
  const std::regex help_line(R"(# HELP [a-zA-Z_:][a-zA-Z0-9_:]* .*)");
  const std::regex sample_line(
      R"([a-zA-Z_:][a-zA-Z0-9_:]*(\{([a-zA-Z_][a-zA-Z0-9_]*="([^"\\]|\\.)*",?)*\})? ([-+]?[0-9.]+([eE][-+]?[0-9]+)?|NaN|[-+]Inf)( -?[0-9]+)?)");
  int types = 0;
  int samples = 0;
  std::istringstream lines(reply.body);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.empty()) continue;
    if (line.rfind("# TYPE", 0) == 0) {
      EXPECT_TRUE(std::regex_match(line, type_line)) << line;
      ++types;
    } else if (line.rfind("# HELP", 0) == 0) {
      EXPECT_TRUE(std::regex_match(line, help_line)) << line;
    } else if (line[0] == '#') {
      continue;  // a comment
    } else {
      EXPECT_TRUE(std::regex_match(line, sample_line)) << line;
      ++samples;
    }
  }
  EXPECT_GT(types, 0) << reply.body.substr(0, 2000);
  EXPECT_GT(samples, 0) << reply.body.substr(0, 2000);
}

std::string NormalizePathTemplate(const std::string& path) {
  return std::regex_replace(path, std::regex(R"(\{[^}]*\})"), "{}");
}

TEST_F(RestTest, OpenApiDocumentDescribesEveryRoute) {
  const Reply reply = Get("/api/v1/openapi.json");
  ASSERT_EQ(reply.status, 200) << reply.Describe().substr(0, 500);
  ASSERT_FALSE(reply.parsed.is_discarded()) << "not JSON";
  const json& doc = reply.parsed;
  ASSERT_TRUE(doc.contains("openapi") && doc["openapi"].is_string());
  EXPECT_EQ(doc["openapi"].get<std::string>().rfind("3.0", 0), 0u)
      << doc["openapi"];
  ASSERT_TRUE(doc.contains("paths") && doc["paths"].is_object());
  std::map<std::string, json> paths;  // normalized path -> its path item
  for (const auto& [path, item] : doc["paths"].items()) {
    paths[NormalizePathTemplate(path)] = item;
  }
  for (const RestRoute& route : RestRoutes()) {
    const std::string full =
        NormalizePathTemplate("/api/v1" + std::string(route.path_template));
    const std::string relative =
        NormalizePathTemplate(std::string(route.path_template));
    auto it = paths.find(full);
    if (it == paths.end()) it = paths.find(relative);
    if (it == paths.end()) {
      ADD_FAILURE() << "OpenAPI has no path for " << route.method << " "
                    << route.path_template;
      continue;
    }
    std::string method(route.method);
    std::transform(method.begin(), method.end(), method.begin(), ::tolower);
    EXPECT_TRUE(it->second.contains(method))
        << "OpenAPI has no " << method << " for " << route.path_template;
  }
}

TEST_F(RestTest, ErrorsAreJsonWithTheMappedStatus) {
  Seed("rest-errors");
  const Reply missing = Get(DatasetPath("rest-errors", "nothing-here"));
  ExpectErrorBody(missing, 404, "NOT_FOUND");
  EXPECT_EQ(missing.content_type.rfind("application/json", 0), 0u)
      << missing.content_type;
  const Reply conflict = Send("DELETE", NamespacePath("rest-errors"));
  ExpectErrorBody(conflict, 409, "FAILED_PRECONDITION");
  const Reply no_namespace =
      Send("PUT", DatasetPath("rest-errors-missing", "x"), "{}");
  ExpectErrorBody(no_namespace, 404, "NOT_FOUND");
}

}  // namespace
}  // namespace cadastre::testing
