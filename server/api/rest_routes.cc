#include "server/api/rest_routes.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "server/catalog/proto_json.h"
#include "server/common/status.h"

namespace cadastre::api {
namespace {

using google::protobuf::FieldDescriptor;

// A handler that fills a Req from the REST request and calls fn.
template <typename Svc, typename Req, typename Resp>
RestHandler Bind(Svc* service, absl::StatusOr<Resp> (Svc::*fn)(const policy::Caller&, const Req&),
                 std::string body_field = "") {
  return [service, fn, body_field](const policy::Caller& caller, const RestRequest& rest)
             -> absl::StatusOr<std::unique_ptr<google::protobuf::Message>> {
    Req request;
    RETURN_IF_ERROR(FillRequest(rest, body_field, &request));
    absl::StatusOr<Resp> response = (service->*fn)(caller, request);
    if (!response.ok()) return response.status();
    return std::make_unique<Resp>(*std::move(response));
  };
}

absl::Status SetScalar(const FieldDescriptor* field, const std::string& value,
                       google::protobuf::Message* message) {
  const auto* reflection = message->GetReflection();
  switch (field->cpp_type()) {
    case FieldDescriptor::CPPTYPE_STRING:
      reflection->SetString(message, field, value);
      return absl::OkStatus();
    case FieldDescriptor::CPPTYPE_INT32: {
      int32_t number;
      if (!absl::SimpleAtoi(value, &number)) {
        return InvalidField(field->json_name(), "must be an integer");
      }
      reflection->SetInt32(message, field, number);
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_BOOL: {
      bool flag;
      if (!absl::SimpleAtob(value, &flag)) {
        return InvalidField(field->json_name(), "must be true or false");
      }
      reflection->SetBool(message, field, flag);
      return absl::OkStatus();
    }
    default:
      return InvalidField(field->json_name(), "cannot be given as a query parameter");
  }
}

}  // namespace

absl::Status FillRequest(const RestRequest& rest, std::string_view body_field,
                         google::protobuf::Message* request) {
  const auto* descriptor = request->GetDescriptor();
  if (!body_field.empty()) {
    const FieldDescriptor* field = descriptor->FindFieldByName(std::string(body_field));
    auto* body = request->GetReflection()->MutableMessage(request, field);
    // An empty body is an empty object: `PUT /tags/PII` needs no description.
    if (!rest.body.empty()) RETURN_IF_ERROR(FromJson(rest.body, body));
  }
  for (const auto& [key, value] : rest.query) {
    const FieldDescriptor* field = descriptor->FindFieldByName(key);
    if (field == nullptr) field = descriptor->FindFieldByCamelcaseName(key);
    // Unknown query parameters are ignored, as clients add their own.
    if (field == nullptr || field->is_repeated() || field->name() == body_field ||
        rest.path_params.count(field->name())) {
      continue;
    }
    RETURN_IF_ERROR(SetScalar(field, value, request));
  }
  for (const auto& [key, value] : rest.path_params) {
    const FieldDescriptor* field = descriptor->FindFieldByName(key);
    RETURN_IF_ERROR(SetScalar(field, value, request));
  }
  return absl::OkStatus();
}

void AddCatalogRoutes(catalog::CatalogService* c, catalog::GlossaryService* g, Router* router) {
  using C = catalog::CatalogService;
  using G = catalog::GlossaryService;
  const std::string ns = "/api/v1/namespaces/{name}";
  const std::string datasets = "/api/v1/namespaces/{namespace}/datasets";
  const std::string dataset = datasets + "/{name}";
  const std::string field = datasets + "/{dataset}/fields/{field}";
  auto add = [&](const char* method, std::string pattern, const char* rpc, RestHandler handler) {
    router->Add(Route{method, std::move(pattern), rpc, std::move(handler)});
  };

  add("GET", "/api/v1/namespaces", "CatalogService.ListNamespaces", Bind(c, &C::ListNamespaces));
  add("GET", ns, "CatalogService.GetNamespace", Bind(c, &C::GetNamespace));
  add("PUT", ns, "CatalogService.PutNamespace", Bind(c, &C::PutNamespace, "namespace"));
  add("DELETE", ns, "CatalogService.DeleteNamespace", Bind(c, &C::DeleteNamespace));

  add("GET", datasets, "CatalogService.ListDatasets", Bind(c, &C::ListDatasets));
  add("GET", dataset, "CatalogService.GetDataset", Bind(c, &C::GetDataset));
  add("PUT", dataset, "CatalogService.PutDataset", Bind(c, &C::PutDataset, "dataset"));
  add("DELETE", dataset, "CatalogService.DeleteDataset", Bind(c, &C::DeleteDataset));
  add("POST", dataset + "/restore", "CatalogService.RestoreDataset", Bind(c, &C::RestoreDataset));
  add("GET", dataset + "/versions", "CatalogService.ListDatasetVersions",
      Bind(c, &C::ListDatasetVersions));
  add("POST", datasets + "/{dataset}/tags/{tag}", "CatalogService.TagDataset",
      Bind(c, &C::TagDataset));
  add("DELETE", datasets + "/{dataset}/tags/{tag}", "CatalogService.UntagDataset",
      Bind(c, &C::UntagDataset));
  add("POST", field + "/tags/{tag}", "CatalogService.TagField", Bind(c, &C::TagField));
  add("DELETE", field + "/tags/{tag}", "CatalogService.UntagField", Bind(c, &C::UntagField));
  add("POST", field + "/terms/{term}", "GlossaryService.LinkTerm", Bind(g, &G::LinkTerm));
  add("DELETE", field + "/terms/{term}", "GlossaryService.UnlinkTerm", Bind(g, &G::UnlinkTerm));

  add("GET", "/api/v1/tags", "CatalogService.ListTags", Bind(c, &C::ListTags));
  add("GET", "/api/v1/tags/{name}", "CatalogService.GetTag", Bind(c, &C::GetTag));
  add("PUT", "/api/v1/tags/{name}", "CatalogService.PutTag", Bind(c, &C::PutTag, "tag"));
  add("DELETE", "/api/v1/tags/{name}", "CatalogService.DeleteTag", Bind(c, &C::DeleteTag));
  add("GET", "/api/v1/tags/{name}/versions", "CatalogService.ListTagVersions",
      Bind(c, &C::ListTagVersions));

  const std::string term = "/api/v1/glossary/terms/{name}";
  add("GET", "/api/v1/glossary/terms", "GlossaryService.ListTerms", Bind(g, &G::ListTerms));
  add("GET", term, "GlossaryService.GetTerm", Bind(g, &G::GetTerm));
  add("PUT", term, "GlossaryService.PutTerm", Bind(g, &G::PutTerm, "term"));
  add("DELETE", term, "GlossaryService.DeleteTerm", Bind(g, &G::DeleteTerm));
  add("GET", term + "/versions", "GlossaryService.ListTermVersions", Bind(g, &G::ListTermVersions));
}

}  // namespace cadastre::api
