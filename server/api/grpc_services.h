// The gRPC transport: each method translates and calls the service layer
// through the Dispatcher. No rule lives here.
#pragma once

#include <memory>
#include <string>

#include "cadastre/v1/catalog.grpc.pb.h"
#include "cadastre/v1/glossary.grpc.pb.h"
#include "cadastre/v1/lineage.grpc.pb.h"
#include "server/api/dispatcher.h"
#include "server/catalog/catalog_service.h"
#include "server/catalog/glossary_service.h"
#include "server/lineage/lineage_service.h"

namespace cadastre::api {

// Runs one unary call: metadata in, status and trailers out.
class GrpcCall {
 public:
  explicit GrpcCall(const Dispatcher* dispatcher) : dispatcher_(dispatcher) {}

  template <typename Svc, typename Req, typename Resp>
  grpc::Status operator()(grpc::ServerContext* context, std::string_view method, Svc* service,
                          absl::StatusOr<Resp> (Svc::*fn)(const policy::Caller&, const Req&),
                          const Req& request, Resp* response) const {
    return Finish(context, method, [&](const policy::Caller& caller) -> absl::Status {
      absl::StatusOr<Resp> result = (service->*fn)(caller, request);
      if (!result.ok()) return result.status();
      *response = *std::move(result);
      return absl::OkStatus();
    });
  }

 private:
  grpc::Status Finish(grpc::ServerContext* context, std::string_view method,
                      const std::function<absl::Status(const policy::Caller&)>& call) const;

  const Dispatcher* dispatcher_;
};

class GrpcCatalogService final : public v1::CatalogService::Service {
 public:
  GrpcCatalogService(catalog::CatalogService* service, const Dispatcher* dispatcher)
      : service_(service), call_(dispatcher) {}

#define CADASTRE_GRPC_METHOD(Name, Req, Resp)                                        \
  grpc::Status Name(grpc::ServerContext* context, const v1::Req* request,            \
                    v1::Resp* response) override {                                   \
    return call_(context, "CatalogService." #Name, service_,                         \
                 &catalog::CatalogService::Name, *request, response);               \
  }
  CADASTRE_GRPC_METHOD(PutNamespace, PutNamespaceRequest, Namespace)
  CADASTRE_GRPC_METHOD(GetNamespace, GetNamespaceRequest, Namespace)
  CADASTRE_GRPC_METHOD(ListNamespaces, ListNamespacesRequest, ListNamespacesResponse)
  CADASTRE_GRPC_METHOD(DeleteNamespace, DeleteNamespaceRequest, Namespace)
  CADASTRE_GRPC_METHOD(PutDataset, PutDatasetRequest, Dataset)
  CADASTRE_GRPC_METHOD(GetDataset, GetDatasetRequest, Dataset)
  CADASTRE_GRPC_METHOD(ListDatasets, ListDatasetsRequest, ListDatasetsResponse)
  CADASTRE_GRPC_METHOD(DeleteDataset, DeleteDatasetRequest, Dataset)
  CADASTRE_GRPC_METHOD(RestoreDataset, RestoreDatasetRequest, Dataset)
  CADASTRE_GRPC_METHOD(ListDatasetVersions, ListDatasetVersionsRequest, ListDatasetVersionsResponse)
  CADASTRE_GRPC_METHOD(TagDataset, TagDatasetRequest, Dataset)
  CADASTRE_GRPC_METHOD(UntagDataset, TagDatasetRequest, Dataset)
  CADASTRE_GRPC_METHOD(TagField, TagFieldRequest, Dataset)
  CADASTRE_GRPC_METHOD(UntagField, TagFieldRequest, Dataset)
  CADASTRE_GRPC_METHOD(PutTag, PutTagRequest, Tag)
  CADASTRE_GRPC_METHOD(GetTag, GetTagRequest, Tag)
  CADASTRE_GRPC_METHOD(ListTags, ListTagsRequest, ListTagsResponse)
  CADASTRE_GRPC_METHOD(DeleteTag, DeleteTagRequest, Tag)
  CADASTRE_GRPC_METHOD(ListTagVersions, ListTagVersionsRequest, ListVersionsResponse)
#undef CADASTRE_GRPC_METHOD

 private:
  catalog::CatalogService* service_;
  GrpcCall call_;
};

class GrpcGlossaryService final : public v1::GlossaryService::Service {
 public:
  GrpcGlossaryService(catalog::GlossaryService* service, const Dispatcher* dispatcher)
      : service_(service), call_(dispatcher) {}

#define CADASTRE_GRPC_METHOD(Name, Req, Resp)                                        \
  grpc::Status Name(grpc::ServerContext* context, const v1::Req* request,            \
                    v1::Resp* response) override {                                   \
    return call_(context, "GlossaryService." #Name, service_,                        \
                 &catalog::GlossaryService::Name, *request, response);              \
  }
  CADASTRE_GRPC_METHOD(PutTerm, PutTermRequest, GlossaryTerm)
  CADASTRE_GRPC_METHOD(GetTerm, GetTermRequest, GlossaryTerm)
  CADASTRE_GRPC_METHOD(ListTerms, ListTermsRequest, ListTermsResponse)
  CADASTRE_GRPC_METHOD(DeleteTerm, DeleteTermRequest, GlossaryTerm)
  CADASTRE_GRPC_METHOD(ListTermVersions, ListTermVersionsRequest, ListVersionsResponse)
  CADASTRE_GRPC_METHOD(LinkTerm, LinkTermRequest, Dataset)
  CADASTRE_GRPC_METHOD(UnlinkTerm, LinkTermRequest, Dataset)
#undef CADASTRE_GRPC_METHOD

 private:
  catalog::GlossaryService* service_;
  GrpcCall call_;
};

class GrpcLineageService final : public v1::LineageService::Service {
 public:
  GrpcLineageService(lineage::LineageService* service, const Dispatcher* dispatcher)
      : service_(service), call_(dispatcher) {}

#define CADASTRE_GRPC_METHOD(Name, Req, Resp)                                        \
  grpc::Status Name(grpc::ServerContext* context, const v1::Req* request,            \
                    v1::Resp* response) override {                                   \
    return call_(context, "LineageService." #Name, service_,                         \
                 &lineage::LineageService::Name, *request, response);               \
  }
  CADASTRE_GRPC_METHOD(IngestLineage, IngestLineageRequest, IngestLineageResponse)
  CADASTRE_GRPC_METHOD(ListLineageEvents, ListLineageEventsRequest, ListLineageEventsResponse)
  CADASTRE_GRPC_METHOD(GetMarquezLineage, MarquezLineageRequest, LineageGraphResponse)
  CADASTRE_GRPC_METHOD(GetMarquezColumnLineage, MarquezLineageRequest, LineageGraphResponse)
  CADASTRE_GRPC_METHOD(GetLineage, GetLineageRequest, GetLineageResponse)
  CADASTRE_GRPC_METHOD(GetLineagePaths, GetLineagePathsRequest, GetLineagePathsResponse)
  CADASTRE_GRPC_METHOD(GetImpact, GetImpactRequest, GetImpactResponse)
  CADASTRE_GRPC_METHOD(ListPersonalDataLeaks, ListPersonalDataLeaksRequest, ListPersonalDataLeaksResponse)
  CADASTRE_GRPC_METHOD(GetJob, GetJobRequest, Job)
  CADASTRE_GRPC_METHOD(ListJobs, ListJobsRequest, ListJobsResponse)
  CADASTRE_GRPC_METHOD(ListRuns, ListRunsRequest, ListRunsResponse)
  CADASTRE_GRPC_METHOD(BlockPropagation, BlockPropagationRequest, Dataset)
  CADASTRE_GRPC_METHOD(UnblockPropagation, BlockPropagationRequest, Dataset)
#undef CADASTRE_GRPC_METHOD

 private:
  lineage::LineageService* service_;
  GrpcCall call_;
};

}  // namespace cadastre::api
