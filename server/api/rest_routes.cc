#include "server/api/rest_routes.h"

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "google/protobuf/util/time_util.h"
#include "absl/strings/str_cat.h"
#include "server/api/dispatcher.h"
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
    NoteResource(request, &caller.audit);
    absl::StatusOr<Resp> response = (service->*fn)(caller, request);
    if (!response.ok()) return response.status();
    return std::make_unique<Resp>(*std::move(response));
  };
}

absl::Status SetScalar(const FieldDescriptor* field, const std::string& value,
                       google::protobuf::Message* message) {
  const auto* reflection = message->GetReflection();
  if (field->is_repeated()) {
    // A list of strings is a parameter given once per value.
    if (field->cpp_type() != FieldDescriptor::CPPTYPE_STRING) {
      return InvalidField(field->json_name(), "cannot be given as a query parameter");
    }
    reflection->AddString(message, field, value);
    return absl::OkStatus();
  }
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
    case FieldDescriptor::CPPTYPE_ENUM: {
      const auto* named = field->enum_type()->FindValueByName(absl::AsciiStrToUpper(value));
      if (named == nullptr) {
        return InvalidField(field->json_name(), absl::StrCat("unknown value '", value, "'"));
      }
      reflection->SetEnum(message, field, named);
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_MESSAGE:
      if (field->message_type()->full_name() == "google.protobuf.Timestamp") {
        google::protobuf::Timestamp time;
        if (!google::protobuf::util::TimeUtil::FromString(value, &time)) {
          return InvalidField(field->json_name(), "must be an RFC 3339 time such as 2026-01-31T12:00:00Z");
        }
        reflection->MutableMessage(message, field)->CopyFrom(time);
        return absl::OkStatus();
      }
      [[fallthrough]];
    default:
      return InvalidField(field->json_name(), "cannot be given as a query parameter");
  }
}

// The field a query key names: "limit", "asOf", or a dotted path into a
// message field such as "from.namespace". The whole path is resolved on
// descriptors first, so an unknown key changes nothing; then *target is set
// to the message that holds the field. Null when no field has that name.
const FieldDescriptor* FindQueryField(google::protobuf::Message* request, const std::string& key,
                                      google::protobuf::Message** target) {
  std::vector<const FieldDescriptor*> path;
  const google::protobuf::Descriptor* descriptor = request->GetDescriptor();
  size_t start = 0;
  while (true) {
    const size_t dot = key.find('.', start);
    const std::string part =
        key.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    if (descriptor == nullptr) return nullptr;
    const FieldDescriptor* field = descriptor->FindFieldByName(part);
    if (field == nullptr) field = descriptor->FindFieldByCamelcaseName(part);
    if (field == nullptr) return nullptr;
    path.push_back(field);
    if (dot == std::string::npos) break;
    // Only plain messages are walked into; a Timestamp is a leaf.
    if (field->cpp_type() != FieldDescriptor::CPPTYPE_MESSAGE || field->is_repeated() ||
        field->message_type()->full_name() == "google.protobuf.Timestamp") {
      return nullptr;
    }
    descriptor = field->message_type();
    start = dot + 1;
  }
  google::protobuf::Message* message = request;
  for (size_t i = 0; i + 1 < path.size(); i++) {
    message = message->GetReflection()->MutableMessage(message, path[i]);
  }
  *target = message;
  return path.back();
}

}  // namespace

absl::Status FillRequest(const RestRequest& rest, std::string_view body_field,
                         google::protobuf::Message* request) {
  const auto* descriptor = request->GetDescriptor();
  if (body_field == "*") {
    // The body is the request message itself; path parameters win.
    if (!rest.body.empty()) RETURN_IF_ERROR(FromJson(rest.body, request));
  } else if (!body_field.empty()) {
    const FieldDescriptor* field = descriptor->FindFieldByName(std::string(body_field));
    if (field == nullptr) return absl::InternalError("the route names an unknown body field");
    if (field->cpp_type() == FieldDescriptor::CPPTYPE_STRING) {
      // The body is passed on as text (an OpenLineage event).
      request->GetReflection()->SetString(request, field, rest.body);
    } else {
      auto* body = request->GetReflection()->MutableMessage(request, field);
      // An empty body is an empty object: `PUT /tags/PII` needs no description.
      if (!rest.body.empty()) RETURN_IF_ERROR(FromJson(rest.body, body));
    }
  }
  for (const auto& [key, value] : rest.query) {
    google::protobuf::Message* target = nullptr;
    const FieldDescriptor* field = FindQueryField(request, key, &target);
    // Unknown query parameters are ignored, as clients add their own.
    if (field == nullptr || (target == request && (field->name() == body_field ||
                                                   rest.path_params.count(field->name())))) {
      continue;
    }
    RETURN_IF_ERROR(WithField(SetScalar(field, value, target), key));
  }
  for (const auto& [key, value] : rest.path_params) {
    const FieldDescriptor* field = descriptor->FindFieldByName(key);
    if (field == nullptr) return absl::InternalError("the route names an unknown path field");
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

void AddLineageRoutes(lineage::LineageService* l, Router* router) {
  using L = lineage::LineageService;
  auto add = [&](const char* method, std::string pattern, const char* rpc, RestHandler handler,
                 int success_status = 200) {
    router->Add(Route{method, std::move(pattern), rpc, std::move(handler), success_status});
  };
  // Marquez answers 201 to an accepted event.
  add("POST", "/api/v1/lineage", "LineageService.IngestLineage", Bind(l, &L::IngestLineage, "event"),
      201);
  add("GET", "/api/v1/events/lineage", "LineageService.ListLineageEvents",
      Bind(l, &L::ListLineageEvents));
  add("GET", "/api/v1/lineage", "LineageService.GetMarquezLineage", Bind(l, &L::GetMarquezLineage));
  add("GET", "/api/v1/column-lineage", "LineageService.GetMarquezColumnLineage",
      Bind(l, &L::GetMarquezColumnLineage));
  add("GET", "/api/v1/lineage/graph", "LineageService.GetLineage", Bind(l, &L::GetLineage));
  add("GET", "/api/v1/lineage/paths", "LineageService.GetLineagePaths", Bind(l, &L::GetLineagePaths));
  add("GET", "/api/v1/lineage/impact", "LineageService.GetImpact", Bind(l, &L::GetImpact));
  add("GET", "/api/v1/lineage/personal-data-leaks", "LineageService.ListPersonalDataLeaks",
      Bind(l, &L::ListPersonalDataLeaks));
  add("GET", "/api/v1/namespaces/{namespace}/jobs", "LineageService.ListJobs", Bind(l, &L::ListJobs));
  add("GET", "/api/v1/namespaces/{namespace}/jobs/{name}", "LineageService.GetJob",
      Bind(l, &L::GetJob));
  add("GET", "/api/v1/namespaces/{namespace}/jobs/{job}/runs", "LineageService.ListRuns",
      Bind(l, &L::ListRuns));
  const std::string block =
      "/api/v1/namespaces/{namespace}/datasets/{dataset}/fields/{field}/propagation-blocks/{tag}";
  add("POST", block, "LineageService.BlockPropagation", Bind(l, &L::BlockPropagation));
  add("DELETE", block, "LineageService.UnblockPropagation", Bind(l, &L::UnblockPropagation));
}

void AddAccessRoutes(access::AccessService* a, Router* router) {
  using A = access::AccessService;
  auto add = [&](const char* method, std::string pattern, const char* rpc, RestHandler handler,
                 int success_status = 200) {
    router->Add(Route{method, std::move(pattern), rpc, std::move(handler), success_status});
  };
  add("GET", "/api/v1/me", "AccessService.WhoAmI", Bind(a, &A::WhoAmI));
  add("GET", "/api/v1/principals", "AccessService.ListPrincipals", Bind(a, &A::ListPrincipals));
  const std::string principal = "/api/v1/principals/{name}";
  add("GET", principal, "AccessService.GetPrincipal", Bind(a, &A::GetPrincipal));
  add("PUT", principal, "AccessService.PutPrincipal", Bind(a, &A::PutPrincipal, "principal"));
  add("DELETE", principal, "AccessService.DeletePrincipal", Bind(a, &A::DeletePrincipal));
  const std::string tokens = "/api/v1/principals/{principal}/tokens";
  add("POST", tokens, "AccessService.CreateToken", Bind(a, &A::CreateToken, "*"), 201);
  add("GET", tokens, "AccessService.ListTokens", Bind(a, &A::ListTokens));
  add("DELETE", tokens + "/{id}", "AccessService.RevokeToken", Bind(a, &A::RevokeToken));
  add("GET", "/api/v1/roles", "AccessService.ListRoles", Bind(a, &A::ListRoles));
  const std::string role = "/api/v1/roles/{name}";
  add("GET", role, "AccessService.GetRole", Bind(a, &A::GetRole));
  add("PUT", role, "AccessService.PutRole", Bind(a, &A::PutRole, "role"));
  add("DELETE", role, "AccessService.DeleteRole", Bind(a, &A::DeleteRole));
  add("GET", "/api/v1/grants", "AccessService.ListGrants", Bind(a, &A::ListGrants));
  add("POST", "/api/v1/grants", "AccessService.CreateGrant", Bind(a, &A::CreateGrant, "grant"),
      201);
  add("DELETE", "/api/v1/grants/{id}", "AccessService.DeleteGrant", Bind(a, &A::DeleteGrant));
  add("GET", "/api/v1/masking-policies", "AccessService.ListMaskingPolicies",
      Bind(a, &A::ListMaskingPolicies));
  const std::string policy = "/api/v1/masking-policies/{name}";
  add("GET", policy, "AccessService.GetMaskingPolicy", Bind(a, &A::GetMaskingPolicy));
  add("PUT", policy, "AccessService.PutMaskingPolicy", Bind(a, &A::PutMaskingPolicy, "policy"));
  add("DELETE", policy, "AccessService.DeleteMaskingPolicy", Bind(a, &A::DeleteMaskingPolicy));
  add("GET", "/api/v1/policy/resolve", "AccessService.ResolvePolicy", Bind(a, &A::ResolvePolicy));
}

void AddSampleRoutes(catalog::SampleService* s, Router* router) {
  using S = catalog::SampleService;
  const std::string sample = "/api/v1/namespaces/{namespace}/datasets/{dataset}/sample";
  router->Add(Route{"GET", sample, "SampleService.GetSample", Bind(s, &S::GetSample)});
  router->Add(Route{"PUT", sample, "SampleService.PutSample", Bind(s, &S::PutSample, "sample")});
}

void AddAuditRoutes(audit::AuditService* a, Router* router) {
  using A = audit::AuditService;
  router->Add(Route{"GET", "/api/v1/audit/events", "AuditService.ListAuditEvents",
                    Bind(a, &A::ListAuditEvents)});
  router->Add(Route{"GET", "/api/v1/audit/verify", "AuditService.VerifyAudit",
                    Bind(a, &A::VerifyAudit)});
  router->Add(Route{"GET", "/api/v1/audit/checkpoints", "AuditService.ListAuditCheckpoints",
                    Bind(a, &A::ListAuditCheckpoints)});
}

void AddReportRoutes(report::ReportService* r, Router* router) {
  using R = report::ReportService;
  router->Add(Route{"GET", "/api/v1/reports/personal-data", "ReportService.GetPersonalDataReport",
                    Bind(r, &R::GetPersonalDataReport)});
  router->Add(Route{"GET", "/api/v1/reports/trace", "ReportService.GetTraceReport",
                    Bind(r, &R::GetTraceReport)});
  router->Add(Route{"GET", "/api/v1/reports/access", "ReportService.GetAccessReport",
                    Bind(r, &R::GetAccessReport)});
}

void AddSearchRoutes(search::SearchService* s, Router* router) {
  using S = search::SearchService;
  router->Add(Route{"GET", "/api/v1/search", "SearchService.MarquezSearch",
                    Bind(s, &S::MarquezSearch)});
  router->Add(Route{"GET", "/api/v1/search/assets", "SearchService.Search", Bind(s, &S::Search)});
}

void AddSyncRoutes(sync::SyncService* s, Router* router) {
  using S = sync::SyncService;
  router->Add(Route{"POST", "/api/v1/sync/import", "SyncService.Import",
                    Bind(s, &S::Import, "document")});
  router->Add(Route{"GET", "/api/v1/sync/export", "SyncService.Export", Bind(s, &S::Export)});
  router->Add(Route{"GET", "/api/v1/changes", "SyncService.ListChanges", Bind(s, &S::ListChanges)});
}

}  // namespace cadastre::api
