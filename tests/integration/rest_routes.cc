#include "rest_routes.h"

#include <functional>
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
       "/namespaces/{namespace}/datasets/{name}", "", "view"},
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
      {"LineageService.BlockPropagation", "POST",
       "/namespaces/{namespace}/datasets/{dataset}/fields/{field}/"
       "propagation-blocks/{tag}",
       ""},
      {"LineageService.UnblockPropagation", "DELETE",
       "/namespaces/{namespace}/datasets/{dataset}/fields/{field}/"
       "propagation-blocks/{tag}",
       ""},
      {"LineageService.IngestLineage", "POST", "/lineage", "event"},
      {"LineageService.ListLineageEvents", "GET", "/events/lineage", "",
       "before after sortDirection"},
      {"LineageService.GetMarquezLineage", "GET", "/lineage", "",
       "nodeId depth"},
      {"LineageService.GetMarquezColumnLineage", "GET", "/column-lineage", "",
       "nodeId depth withDownstream"},
      {"LineageService.GetLineage", "GET", "/lineage/graph", "",
       "namespace dataset field direction depth granularity "
       "transformationType asOf maxNodes"},
      {"LineageService.GetLineagePaths", "GET", "/lineage/paths", "",
       "from to maxDepth maxPaths transformationType asOf"},
      {"LineageService.GetImpact", "GET", "/lineage/impact", "",
       "namespace dataset field depth asOf maxNodes"},
      {"LineageService.ListPersonalDataLeaks", "GET",
       "/lineage/personal-data-leaks", "", "tag view"},
      {"LineageService.ListJobs", "GET", "/namespaces/{namespace}/jobs", ""},
      {"LineageService.GetJob", "GET", "/namespaces/{namespace}/jobs/{name}",
       ""},
      {"LineageService.ListRuns", "GET",
       "/namespaces/{namespace}/jobs/{job}/runs", ""},
      {"AccessService.WhoAmI", "GET", "/me", ""},
      {"AccessService.ListPrincipals", "GET", "/principals", ""},
      {"AccessService.GetPrincipal", "GET", "/principals/{name}", ""},
      {"AccessService.PutPrincipal", "PUT", "/principals/{name}", "principal"},
      {"AccessService.DeletePrincipal", "DELETE", "/principals/{name}", ""},
      {"AccessService.CreateToken", "POST", "/principals/{principal}/tokens",
       "*"},
      {"AccessService.ListTokens", "GET", "/principals/{principal}/tokens",
       ""},
      {"AccessService.RevokeToken", "DELETE",
       "/principals/{principal}/tokens/{id}", ""},
      {"AccessService.ListRoles", "GET", "/roles", ""},
      {"AccessService.GetRole", "GET", "/roles/{name}", ""},
      {"AccessService.PutRole", "PUT", "/roles/{name}", "role"},
      {"AccessService.DeleteRole", "DELETE", "/roles/{name}", ""},
      {"AccessService.ListGrants", "GET", "/grants", "", "principal"},
      {"AccessService.CreateGrant", "POST", "/grants", "grant"},
      {"AccessService.DeleteGrant", "DELETE", "/grants/{id}", ""},
      {"AccessService.ListMaskingPolicies", "GET", "/masking-policies", ""},
      {"AccessService.GetMaskingPolicy", "GET", "/masking-policies/{name}",
       ""},
      {"AccessService.PutMaskingPolicy", "PUT", "/masking-policies/{name}",
       "policy"},
      {"AccessService.DeleteMaskingPolicy", "DELETE",
       "/masking-policies/{name}", ""},
      {"AccessService.ResolvePolicy", "GET", "/policy/resolve", "",
       "namespace dataset principal dialect"},
      {"SampleService.GetSample", "GET",
       "/namespaces/{namespace}/datasets/{dataset}/sample", ""},
      {"SampleService.PutSample", "PUT",
       "/namespaces/{namespace}/datasets/{dataset}/sample", "sample"},
      {"ReportService.GetPersonalDataReport", "GET", "/reports/personal-data",
       "", "tag format view"},
      {"ReportService.GetTraceReport", "GET", "/reports/trace", "",
       "namespace dataset field tag format"},
      {"ReportService.GetAccessReport", "GET", "/reports/access", "",
       "from to principal tag format"},
      {"SearchService.Search", "GET", "/search/assets", "",
       "q type namespace domain tag owner term"},
      {"SearchService.MarquezSearch", "GET", "/search", "",
       "q filter sort namespace"},
      {"SyncService.Import", "POST", "/sync/import", "document", "mode dryRun onError missing"},
      {"SyncService.Export", "GET", "/sync/export", "",
       "namespace externalSystem includeGlossary includeLineage"},
      {"SyncService.ListChanges", "GET", "/changes", "", "cursor"},
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
  std::function<void(const std::string&, const nlohmann::json&)> add_query =
      [&](const std::string& key, const nlohmann::json& value) {
        if (value.is_object()) {
          for (const auto& [sub, item] : value.items()) {
            add_query(key + "." + sub, item);
          }
          return;
        }
        query += (query.empty() ? "?" : "&") + key + "=" +
                 PercentEncode(value.is_string() ? value.get<std::string>()
                                                 : value.dump());
      };
  std::vector<std::string> query_fields = {"limit", "offset"};
  for (std::string_view rest = route.query; !rest.empty();) {
    const size_t space = rest.find(' ');
    query_fields.emplace_back(rest.substr(0, space));
    rest = space == std::string_view::npos ? "" : rest.substr(space + 1);
  }
  for (const std::string& name : query_fields) {
    const auto value = request.find(name);
    if (value == request.end()) continue;
    used.insert(name);
    add_query(name, *value);
  }
  call.path += query;

  if (route.body_field == "*") {
    nlohmann::json body = nlohmann::json::object();
    for (const auto& [key, value] : request.items()) {
      if (used.insert(key).second) body[key] = value;
    }
    call.body = body.dump();
  } else if (!route.body_field.empty()) {
    const std::string name(route.body_field);
    used.insert(name);
    const auto value = request.find(name);
    call.body = value == request.end() ? "{}"
                : value->is_string()   ? value->get<std::string>()
                                       : value->dump();
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
