// The REST route table: every route names its gRPC twin and is bound to
// the same service method, so the two transports cannot drift apart.
// docs/rest-routes.md documents it; server/api/openapi.json describes it.
#pragma once

#include "server/api/rest_router.h"
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

// Adds every /api/v1 route served by the catalog and glossary services.
void AddCatalogRoutes(catalog::CatalogService* catalog, catalog::GlossaryService* glossary,
                      Router* router);

// Adds the lineage routes: OpenLineage ingestion, Marquez's lineage
// endpoints, jobs and runs, and Cadastre's lineage API.
void AddLineageRoutes(lineage::LineageService* lineage, Router* router);

// Adds the access-control routes: principals, tokens, roles, grants,
// masking policies, the policy API for engines.
void AddAccessRoutes(access::AccessService* access, Router* router);

// Adds the sample routes: a dataset's sample rows and column statistics.
void AddSampleRoutes(catalog::SampleService* samples, Router* router);
void AddAuditRoutes(audit::AuditService* audit, Router* router);

// Adds the GDPR report routes: the personal data inventory, the trace and
// the access report.
void AddReportRoutes(report::ReportService* reports, Router* router);

// Adds search: Cadastre's (facets, highlights) and Marquez's.
void AddSearchRoutes(search::SearchService* search, Router* router);

// Adds sync: the document's import and export, and the change feed.
void AddSyncRoutes(sync::SyncService* sync, Router* router);

// Fills `request` from a REST request: path parameters into the fields of
// the same name, the body (JSON) into `body_field` (a message field; the
// request itself when "*"; none when empty), and query parameters into scalar fields of the same name.
// INVALID_ARGUMENT naming the field on a bad body or query value.
absl::Status FillRequest(const RestRequest& rest, std::string_view body_field,
                         google::protobuf::Message* request);

}  // namespace cadastre::api
