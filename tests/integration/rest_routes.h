// The test's own copy of docs/rest-routes.md: how each RPC is spelled over
// REST, and how status codes map to HTTP. Kept independent of the server's
// code on purpose, so the tests check the server against the document.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace cadastre::testing {

struct RestRoute {
  std::string_view rpc;            // "CatalogService.PutDataset"
  std::string_view method;         // "PUT"
  std::string_view path_template;  // "/namespaces/{namespace}/datasets/{name}"
  // The request field sent as the body (a string field's text verbatim), ""
  // for none, or "*" for the whole request less its path parameters.
  std::string_view body_field;
  // Request fields sent as query parameters, space-separated ("namespace
  // dataset field"); a message field goes as dotted keys ("from.namespace").
  // limit and offset always may.
  std::string_view query = "";
};

// Every row of the table in docs/rest-routes.md that has a gRPC twin.
const std::vector<RestRoute>& RestRoutes();

// The row for `rpc`, if the document has one.
const RestRoute* FindRestRoute(std::string_view rpc);

struct HttpCall {
  std::string method;
  std::string path;  // below /api/v1 included, percent-encoded, with query
  std::string body;  // JSON; empty for routes without a body
};

// Derives the HTTP call for `request` (the proto JSON of the request
// message): path parameters from the request's fields (percent-encoded),
// the route's query fields and limit/offset as query parameters, the body
// field as the body. Returns
// nullopt and says why in `error` when the request has a field the route
// cannot carry (a mistake in the test, not in the server).
std::optional<HttpCall> ToHttpCall(const RestRoute& route,
                                   const nlohmann::json& request,
                                   std::string* error);

// Percent-encodes every byte except the RFC 3986 unreserved characters.
std::string PercentEncode(std::string_view text);

// The HTTP status docs/rest-routes.md gives for a canonical code name
// ("OK" -> 200). Returns 0 for an unknown name.
int HttpStatusForCode(std::string_view code);

}  // namespace cadastre::testing
