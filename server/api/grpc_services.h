// The gRPC transport: each method translates and calls the service layer
// through the Dispatcher. No rule lives here.
#pragma once

#include <memory>
#include <string>

#include "cadastre/v1/access.grpc.pb.h"
#include "cadastre/v1/audit.grpc.pb.h"
#include "cadastre/v1/catalog.grpc.pb.h"
#include "cadastre/v1/glossary.grpc.pb.h"
#include "cadastre/v1/lineage.grpc.pb.h"
#include "cadastre/v1/report.grpc.pb.h"
#include "cadastre/v1/search.grpc.pb.h"
#include "cadastre/v1/sample.grpc.pb.h"
#include "cadastre/v1/sync.grpc.pb.h"
#include "server/api/dispatcher.h"
#include "server/access/access_service.h"
#include "server/audit/audit_service.h"
#include "server/catalog/catalog_service.h"
#include "server/catalog/glossary_service.h"
#include "server/catalog/sample_service.h"
#include "server/lineage/lineage_service.h"
#include "server/report/report_service.h"
#include "server/search/search_service.h"
#include "server/sync/sync_service.h"

namespace cadastre::api {

// Runs one unary call: metadata in, status and trailers out.
class GrpcCall {
 public:
  explicit GrpcCall(const Dispatcher* dispatcher) : dispatcher_(dispatcher) {}

  template <typename Svc, typename Req, typename Resp>
  grpc::Status operator()(grpc::ServerContext* context, std::string_view method, Svc* service,
                          absl::StatusOr<Resp> (Svc::*fn)(const policy::Caller&, const Req&),
                          const Req& request, Resp* response) const {
    return Run(context, method, [&](const policy::Caller& caller) -> absl::Status {
      NoteResource(request, &caller.audit);
      absl::StatusOr<Resp> result = (service->*fn)(caller, request);
      if (!result.ok()) return result.status();
      *response = *std::move(result);
      caller.audit.result_size = static_cast<int64_t>(response->ByteSizeLong());
      return absl::OkStatus();
    });
  }

  // Authenticates the call, runs `call` for the caller, and maps its status
  // (streaming methods call this directly).
  grpc::Status Run(grpc::ServerContext* context, std::string_view method,
                   const std::function<absl::Status(const policy::Caller&)>& call) const;

 private:
  const Dispatcher* dispatcher_;
};

// One unary method: `Service.Name` calls catalog/lineage's Service::Name.
#define CADASTRE_GRPC_METHOD(Service, Name, Req, Resp)                              \
  grpc::Status Name(grpc::ServerContext* context, const v1::Req* request,          \
                    v1::Resp* response) override {                                 \
    return call_(context, #Service "." #Name, service_, &ServiceImpl::Name, *request, \
                 response);                                                        \
  }

class GrpcCatalogService final : public v1::CatalogService::Service {
 public:
  using ServiceImpl = catalog::CatalogService;
  GrpcCatalogService(catalog::CatalogService* service, const Dispatcher* dispatcher)
      : service_(service), call_(dispatcher) {}

  CADASTRE_GRPC_METHOD(CatalogService, PutNamespace, PutNamespaceRequest, Namespace)
  CADASTRE_GRPC_METHOD(CatalogService, GetNamespace, GetNamespaceRequest, Namespace)
  CADASTRE_GRPC_METHOD(CatalogService, ListNamespaces, ListNamespacesRequest, ListNamespacesResponse)
  CADASTRE_GRPC_METHOD(CatalogService, DeleteNamespace, DeleteNamespaceRequest, Namespace)
  CADASTRE_GRPC_METHOD(CatalogService, PutDataset, PutDatasetRequest, Dataset)
  CADASTRE_GRPC_METHOD(CatalogService, GetDataset, GetDatasetRequest, Dataset)
  CADASTRE_GRPC_METHOD(CatalogService, ListDatasets, ListDatasetsRequest, ListDatasetsResponse)
  CADASTRE_GRPC_METHOD(CatalogService, DeleteDataset, DeleteDatasetRequest, Dataset)
  CADASTRE_GRPC_METHOD(CatalogService, RestoreDataset, RestoreDatasetRequest, Dataset)
  CADASTRE_GRPC_METHOD(CatalogService, ListDatasetVersions, ListDatasetVersionsRequest, ListDatasetVersionsResponse)
  CADASTRE_GRPC_METHOD(CatalogService, TagDataset, TagDatasetRequest, Dataset)
  CADASTRE_GRPC_METHOD(CatalogService, UntagDataset, TagDatasetRequest, Dataset)
  CADASTRE_GRPC_METHOD(CatalogService, TagField, TagFieldRequest, Dataset)
  CADASTRE_GRPC_METHOD(CatalogService, UntagField, TagFieldRequest, Dataset)
  CADASTRE_GRPC_METHOD(CatalogService, PutTag, PutTagRequest, Tag)
  CADASTRE_GRPC_METHOD(CatalogService, GetTag, GetTagRequest, Tag)
  CADASTRE_GRPC_METHOD(CatalogService, ListTags, ListTagsRequest, ListTagsResponse)
  CADASTRE_GRPC_METHOD(CatalogService, DeleteTag, DeleteTagRequest, Tag)
  CADASTRE_GRPC_METHOD(CatalogService, ListTagVersions, ListTagVersionsRequest, ListVersionsResponse)

 private:
  catalog::CatalogService* service_;
  GrpcCall call_;
};

class GrpcGlossaryService final : public v1::GlossaryService::Service {
 public:
  using ServiceImpl = catalog::GlossaryService;
  GrpcGlossaryService(catalog::GlossaryService* service, const Dispatcher* dispatcher)
      : service_(service), call_(dispatcher) {}

  CADASTRE_GRPC_METHOD(GlossaryService, PutTerm, PutTermRequest, GlossaryTerm)
  CADASTRE_GRPC_METHOD(GlossaryService, GetTerm, GetTermRequest, GlossaryTerm)
  CADASTRE_GRPC_METHOD(GlossaryService, ListTerms, ListTermsRequest, ListTermsResponse)
  CADASTRE_GRPC_METHOD(GlossaryService, DeleteTerm, DeleteTermRequest, GlossaryTerm)
  CADASTRE_GRPC_METHOD(GlossaryService, ListTermVersions, ListTermVersionsRequest, ListVersionsResponse)
  CADASTRE_GRPC_METHOD(GlossaryService, LinkTerm, LinkTermRequest, Dataset)
  CADASTRE_GRPC_METHOD(GlossaryService, UnlinkTerm, LinkTermRequest, Dataset)

 private:
  catalog::GlossaryService* service_;
  GrpcCall call_;
};

class GrpcLineageService final : public v1::LineageService::Service {
 public:
  using ServiceImpl = lineage::LineageService;
  GrpcLineageService(lineage::LineageService* service, const Dispatcher* dispatcher)
      : service_(service), call_(dispatcher) {}

  CADASTRE_GRPC_METHOD(LineageService, IngestLineage, IngestLineageRequest, IngestLineageResponse)
  CADASTRE_GRPC_METHOD(LineageService, ListLineageEvents, ListLineageEventsRequest, ListLineageEventsResponse)
  CADASTRE_GRPC_METHOD(LineageService, GetMarquezLineage, MarquezLineageRequest, LineageGraphResponse)
  CADASTRE_GRPC_METHOD(LineageService, GetMarquezColumnLineage, MarquezLineageRequest, LineageGraphResponse)
  CADASTRE_GRPC_METHOD(LineageService, GetLineage, GetLineageRequest, GetLineageResponse)
  CADASTRE_GRPC_METHOD(LineageService, GetLineagePaths, GetLineagePathsRequest, GetLineagePathsResponse)
  CADASTRE_GRPC_METHOD(LineageService, GetImpact, GetImpactRequest, GetImpactResponse)
  CADASTRE_GRPC_METHOD(LineageService, ListPersonalDataLeaks, ListPersonalDataLeaksRequest, ListPersonalDataLeaksResponse)
  CADASTRE_GRPC_METHOD(LineageService, GetJob, GetJobRequest, Job)
  CADASTRE_GRPC_METHOD(LineageService, ListJobs, ListJobsRequest, ListJobsResponse)
  CADASTRE_GRPC_METHOD(LineageService, ListRuns, ListRunsRequest, ListRunsResponse)
  CADASTRE_GRPC_METHOD(LineageService, BlockPropagation, BlockPropagationRequest, Dataset)
  CADASTRE_GRPC_METHOD(LineageService, UnblockPropagation, BlockPropagationRequest, Dataset)

 private:
  lineage::LineageService* service_;
  GrpcCall call_;
};

class GrpcAccessService final : public v1::AccessService::Service {
 public:
  using ServiceImpl = access::AccessService;
  GrpcAccessService(access::AccessService* service, const Dispatcher* dispatcher)
      : service_(service), call_(dispatcher) {}

  CADASTRE_GRPC_METHOD(AccessService, WhoAmI, WhoAmIRequest, WhoAmIResponse)
  CADASTRE_GRPC_METHOD(AccessService, PutPrincipal, PutPrincipalRequest, Principal)
  CADASTRE_GRPC_METHOD(AccessService, GetPrincipal, GetPrincipalRequest, Principal)
  CADASTRE_GRPC_METHOD(AccessService, ListPrincipals, ListPrincipalsRequest, ListPrincipalsResponse)
  CADASTRE_GRPC_METHOD(AccessService, DeletePrincipal, DeletePrincipalRequest, Principal)
  CADASTRE_GRPC_METHOD(AccessService, CreateToken, CreateTokenRequest, CreateTokenResponse)
  CADASTRE_GRPC_METHOD(AccessService, ListTokens, ListTokensRequest, ListTokensResponse)
  CADASTRE_GRPC_METHOD(AccessService, RevokeToken, RevokeTokenRequest, TokenInfo)
  CADASTRE_GRPC_METHOD(AccessService, PutRole, PutRoleRequest, Role)
  CADASTRE_GRPC_METHOD(AccessService, GetRole, GetRoleRequest, Role)
  CADASTRE_GRPC_METHOD(AccessService, ListRoles, ListRolesRequest, ListRolesResponse)
  CADASTRE_GRPC_METHOD(AccessService, DeleteRole, DeleteRoleRequest, Role)
  CADASTRE_GRPC_METHOD(AccessService, CreateGrant, CreateGrantRequest, Grant)
  CADASTRE_GRPC_METHOD(AccessService, ListGrants, ListGrantsRequest, ListGrantsResponse)
  CADASTRE_GRPC_METHOD(AccessService, DeleteGrant, DeleteGrantRequest, Grant)
  CADASTRE_GRPC_METHOD(AccessService, PutMaskingPolicy, PutMaskingPolicyRequest, MaskingPolicy)
  CADASTRE_GRPC_METHOD(AccessService, GetMaskingPolicy, GetMaskingPolicyRequest, MaskingPolicy)
  CADASTRE_GRPC_METHOD(AccessService, ListMaskingPolicies, ListMaskingPoliciesRequest, ListMaskingPoliciesResponse)
  CADASTRE_GRPC_METHOD(AccessService, DeleteMaskingPolicy, DeleteMaskingPolicyRequest, MaskingPolicy)
  CADASTRE_GRPC_METHOD(AccessService, ResolvePolicy, ResolvePolicyRequest, ResolvePolicyResponse)

 private:
  access::AccessService* service_;
  GrpcCall call_;
};

class GrpcSampleService final : public v1::SampleService::Service {
 public:
  using ServiceImpl = catalog::SampleService;
  GrpcSampleService(catalog::SampleService* service, const Dispatcher* dispatcher)
      : service_(service), call_(dispatcher) {}

  CADASTRE_GRPC_METHOD(SampleService, PutSample, PutSampleRequest, DatasetSample)
  CADASTRE_GRPC_METHOD(SampleService, GetSample, GetSampleRequest, DatasetSample)

 private:
  catalog::SampleService* service_;
  GrpcCall call_;
};

class GrpcAuditService final : public v1::AuditService::Service {
 public:
  using ServiceImpl = audit::AuditService;
  GrpcAuditService(audit::AuditService* service, const Dispatcher* dispatcher)
      : service_(service), call_(dispatcher) {}

  CADASTRE_GRPC_METHOD(AuditService, ListAuditEvents, ListAuditEventsRequest, ListAuditEventsResponse)
  CADASTRE_GRPC_METHOD(AuditService, VerifyAudit, VerifyAuditRequest, AuditChainStatus)
  CADASTRE_GRPC_METHOD(AuditService, ListAuditCheckpoints, ListAuditCheckpointsRequest,
                       ListAuditCheckpointsResponse)

 private:
  audit::AuditService* service_;
  GrpcCall call_;
};

class GrpcReportService final : public v1::ReportService::Service {
 public:
  using ServiceImpl = report::ReportService;
  GrpcReportService(report::ReportService* service, const Dispatcher* dispatcher)
      : service_(service), call_(dispatcher) {}

  CADASTRE_GRPC_METHOD(ReportService, GetPersonalDataReport, PersonalDataReportRequest, PersonalDataReport)
  CADASTRE_GRPC_METHOD(ReportService, GetTraceReport, TraceReportRequest, TraceReport)
  CADASTRE_GRPC_METHOD(ReportService, GetAccessReport, AccessReportRequest, AccessReport)

 private:
  report::ReportService* service_;
  GrpcCall call_;
};

class GrpcSearchService final : public v1::SearchService::Service {
 public:
  using ServiceImpl = search::SearchService;
  GrpcSearchService(search::SearchService* service, const Dispatcher* dispatcher)
      : service_(service), call_(dispatcher) {}

  CADASTRE_GRPC_METHOD(SearchService, Search, SearchRequest, SearchResponse)
  CADASTRE_GRPC_METHOD(SearchService, MarquezSearch, MarquezSearchRequest, MarquezSearchResponse)

 private:
  search::SearchService* service_;
  GrpcCall call_;
};

class GrpcSyncService final : public v1::SyncService::Service {
 public:
  using ServiceImpl = sync::SyncService;
  GrpcSyncService(sync::SyncService* service, const Dispatcher* dispatcher)
      : service_(service), call_(dispatcher) {}

  CADASTRE_GRPC_METHOD(SyncService, Import, ImportRequest, ImportResponse)
  CADASTRE_GRPC_METHOD(SyncService, ListChanges, ListChangesRequest, ListChangesResponse)
  grpc::Status Export(grpc::ServerContext* context, const v1::ExportRequest* request,
                      google::protobuf::Struct* response) override {
    return call_(context, "SyncService.Export", service_, &ServiceImpl::Export, *request, response);
  }
  // Streams until the client cancels or its deadline passes; audited once,
  // when the stream ends.
  grpc::Status WatchChanges(grpc::ServerContext* context, const v1::WatchChangesRequest* request,
                            grpc::ServerWriter<v1::Change>* writer) override;

 private:
  sync::SyncService* service_;
  GrpcCall call_;
};

#undef CADASTRE_GRPC_METHOD

}  // namespace cadastre::api
