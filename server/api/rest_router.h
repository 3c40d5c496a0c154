// Matching REST requests to routes. Paths are split on '/' before each
// segment is percent-decoded, so names holding '/' or ':' (namespaces such
// as "postgres://crm:5432") travel encoded in one segment. This is why the
// router sees the raw request target, not the HTTP library's decoded path.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "google/protobuf/message.h"
#include "server/policy/caller.h"

namespace cadastre::api {

// Decodes %XX escapes. INVALID_ARGUMENT on a malformed escape.
absl::StatusOr<std::string> PercentDecode(std::string_view text);

struct RestRequest {
  std::map<std::string, std::string> path_params;  // decoded
  std::multimap<std::string, std::string> query;   // decoded
  std::string body;
};

using RestHandler = std::function<absl::StatusOr<std::unique_ptr<google::protobuf::Message>>(
    const policy::Caller&, const RestRequest&)>;

struct Route {
  std::string method;   // "GET", "PUT", …
  std::string pattern;  // "/api/v1/namespaces/{namespace}/datasets/{name}"
  std::string rpc;      // "CatalogService.PutDataset": names it in logs and metrics
  RestHandler handler;
  int success_status = 200;  // 201 where Marquez answers "created"
};

struct RouteMatch {
  const Route* route = nullptr;
  std::map<std::string, std::string> path_params;
};

class Router {
 public:
  void Add(Route route);

  // The route for `method` and `raw_path` (no query string). NOT_FOUND
  // when no pattern matches the path, UNIMPLEMENTED (HTTP 405) when one
  // does for another method, INVALID_ARGUMENT on a malformed escape.
  absl::StatusOr<RouteMatch> Match(std::string_view method, std::string_view raw_path) const;

  const std::vector<Route>& routes() const { return routes_; }

 private:
  std::vector<Route> routes_;
  std::vector<std::vector<std::string>> segments_;  // per route, parallel to routes_
};

}  // namespace cadastre::api
