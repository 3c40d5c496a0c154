// The REST route table, the OpenAPI document and docs/rest-routes.md must
// describe the same API: a route added to one and not the others fails here.
#include <gtest/gtest.h>

#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "absl/strings/ascii.h"
#include "cadastre_openapi.h"
#include "nlohmann/json.hpp"
#include "server/api/rest_routes.h"

namespace cadastre::api {
namespace {

// "/api/v1/namespaces/{namespace}/datasets/{name}" -> ".../{}/datasets/{}":
// parameter names may differ between documents, positions may not.
std::string Shape(std::string path) { return std::regex_replace(path, std::regex(R"(\{[^}]*\})"), "{}"); }

std::set<std::string> RouteTable() {
  Router router;
  AddCatalogRoutes(nullptr, nullptr, &router);  // handlers are not called
  AddLineageRoutes(nullptr, &router);
  AddAccessRoutes(nullptr, &router);
  AddSampleRoutes(nullptr, &router);
  AddAuditRoutes(nullptr, &router);
  AddReportRoutes(nullptr, &router);
  AddSearchRoutes(nullptr, &router);
  AddSyncRoutes(nullptr, &router);
  std::set<std::string> out;
  for (const Route& route : router.routes()) out.insert(route.method + " " + Shape(route.pattern));
  return out;
}

std::set<std::string> OpenApi() {
  auto files = EmbeddedOpenApi();
  nlohmann::json doc = nlohmann::json::parse(files.at(0).content);
  std::set<std::string> out;
  for (const auto& [path, item] : doc["paths"].items()) {
    if (path.rfind("/api/v1/", 0) != 0 || path == "/api/v1/openapi.json") continue;
    for (const auto& [method, op] : item.items()) {
      if (method == "parameters") continue;
      out.insert(absl::AsciiStrToUpper(method) + " " + Shape(path));
    }
  }
  return out;
}

std::set<std::string> Markdown() {
  std::ifstream in(std::string(CADASTRE_SOURCE_DIR) + "/docs/rest-routes.md");
  std::stringstream text;
  text << in.rdbuf();
  std::set<std::string> out;
  std::regex row(R"(\| (GET|PUT|POST|DELETE) \| (/[^ |]*) \|)");
  std::string s = text.str();
  for (std::sregex_iterator it(s.begin(), s.end(), row), end; it != end; ++it) {
    if ((*it)[2] == "/openapi.json") continue;
    out.insert((*it)[1].str() + " " + Shape("/api/v1" + (*it)[2].str()));
  }
  return out;
}

TEST(RouteTable, OpenApiDescribesExactlyTheServedRoutes) {
  EXPECT_EQ(OpenApi(), RouteTable());
}

TEST(RouteTable, DocsListExactlyTheServedRoutes) {
  std::set<std::string> served = RouteTable();
  ASSERT_GT(served.size(), 20u);
  EXPECT_EQ(Markdown(), served);
}

}  // namespace
}  // namespace cadastre::api
