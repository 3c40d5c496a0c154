#include "rest_routes.h"

#include <set>

namespace cadastre::testing {

const std::vector<RestRoute>& RestRoutes() {
  static const auto* routes = new std::vector<RestRoute>{
      {"CatalogService.ListNamespaces", "GET", "/namespaces", ""},
      {"CatalogService.GetNamespace", "GET", "/namespaces/{name}", ""},
      {"CatalogService.PutNamespace", "PUT", "/namespaces/{name}", "namespace"},
      {"CatalogService.DeleteNamespace", "DELETE", "/namespaces/{name}", ""},
      {"CatalogService.ListDatasets", "GET", "/namespaces/{namespace}/datasets",
       ""},
      {"CatalogService.GetDataset", "GET",
       "/namespaces/{namespace}/datasets/{name}", ""},
      {"CatalogService.PutDataset", "PUT",
       "/namespaces/{namespace}/datasets/{name}", "dataset"},
      {"CatalogService.DeleteDataset", "DELETE",
       "/namespaces/{namespace}/datasets/{name}", ""},
      {"CatalogService.RestoreDataset", "POST",
       "/namespaces/{namespace}/datasets/{name}/restore", ""},
      {"CatalogService.ListDatasetVersions", "GET",
       "/namespaces/{namespace}/datasets/{name}/versions", ""},
      {"CatalogService.TagDataset", "POST",
       "/namespaces/{namespace}/datasets/{dataset}/tags/{tag}", ""},
      {"CatalogService.UntagDataset", "DELETE",
       "/namespaces/{namespace}/datasets/{dataset}/tags/{tag}", ""},
      {"CatalogService.TagField", "POST",
       "/namespaces/{namespace}/datasets/{dataset}/fields/{field}/tags/{tag}",
       ""},
      {"CatalogService.UntagField", "DELETE",
       "/namespaces/{namespace}/datasets/{dataset}/fields/{field}/tags/{tag}",
       ""},
      {"GlossaryService.LinkTerm", "POST",
       "/namespaces/{namespace}/datasets/{dataset}/fields/{field}/terms/{term}",
       ""},
      {"GlossaryService.UnlinkTerm", "DELETE",
       "/namespaces/{namespace}/datasets/{dataset}/fields/{field}/terms/{term}",
       ""},
      {"CatalogService.ListTags", "GET", "/tags", ""},
      {"CatalogService.GetTag", "GET", "/tags/{name}", ""},
      {"CatalogService.PutTag", "PUT", "/tags/{name}", "tag"},
      {"CatalogService.DeleteTag", "DELETE", "/tags/{name}", ""},
      {"CatalogService.ListTagVersions", "GET", "/tags/{name}/versions", ""},
      {"GlossaryService.ListTerms", "GET", "/glossary/terms", ""},
      {"GlossaryService.GetTerm", "GET", "/glossary/terms/{name}", ""},
      {"GlossaryService.PutTerm", "PUT", "/glossary/terms/{name}", "term"},
      {"GlossaryService.DeleteTerm", "DELETE", "/glossary/terms/{name}", ""},
      {"GlossaryService.ListTermVersions", "GET",
       "/glossary/terms/{name}/versions", ""},
  };
  return *routes;
}

const RestRoute* FindRestRoute(std::string_view rpc) {
  for (const RestRoute& route : RestRoutes()) {
    if (route.rpc == rpc) return &route;
  }
  return nullptr;
}

std::string PercentEncode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    const bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                            (c >= '0' && c <= '9') || c == '-' || c == '.' ||
                            c == '_' || c == '~';
    if (unreserved) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

std::optional<HttpCall> ToHttpCall(const RestRoute& route,
                                   const nlohmann::json& request,
                                   std::string* error) {
  if (!request.is_object()) {
    *error = "the request must be a JSON object";
    return std::nullopt;
  }
  std::set<std::string> used;
  HttpCall call;
  call.method = std::string(route.method);
  call.path = "/api/v1";

  const std::string_view path = route.path_template;
  for (size_t i = 0; i < path.size();) {
    if (path[i] != '{') {
      call.path += path[i++];
      continue;
    }
    const size_t close = path.find('}', i);
    const std::string name(path.substr(i + 1, close - i - 1));
    used.insert(name);
    const auto value = request.find(name);
    if (value != request.end() && !value->is_string()) {
      *error = "path parameter '" + name + "' must be a string";
      return std::nullopt;
    }
    call.path += PercentEncode(value == request.end()
                                   ? std::string()
                                   : value->get<std::string>());
    i = close + 1;
  }

  std::string query;
  for (const char* name : {"limit", "offset"}) {
    const auto value = request.find(name);
    if (value == request.end()) continue;
    used.insert(name);
    query += (query.empty() ? "?" : "&") + std::string(name) + "=" +
             (value->is_string() ? value->get<std::string>() : value->dump());
  }
  call.path += query;

  if (!route.body_field.empty()) {
    const std::string name(route.body_field);
    used.insert(name);
    const auto value = request.find(name);
    call.body = value == request.end() ? "{}" : value->dump();
  }

  for (const auto& [key, value] : request.items()) {
    if (used.count(key) == 0) {
      *error = "request field '" + key + "' has no place in REST route " +
               std::string(route.method) + " " +
               std::string(route.path_template);
      return std::nullopt;
    }
  }
  return call;
}

int HttpStatusForCode(std::string_view code) {
  static const std::pair<std::string_view, int> kTable[] = {
      {"OK", 200},
      {"INVALID_ARGUMENT", 400},
      {"OUT_OF_RANGE", 400},
      {"UNAUTHENTICATED", 401},
      {"PERMISSION_DENIED", 403},
      {"NOT_FOUND", 404},
      {"ALREADY_EXISTS", 409},
      {"FAILED_PRECONDITION", 409},
      {"ABORTED", 409},
      {"RESOURCE_EXHAUSTED", 429},
      {"CANCELLED", 499},
      {"UNIMPLEMENTED", 501},
      {"UNAVAILABLE", 503},
      {"DEADLINE_EXCEEDED", 504},
      {"INTERNAL", 500},
      {"UNKNOWN", 500},
      {"DATA_LOSS", 500},
  };
  for (const auto& [name, status] : kTable) {
    if (name == code) return status;
  }
  return 0;
}

}  // namespace cadastre::testing
