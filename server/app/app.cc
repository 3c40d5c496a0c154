#include "server/app/app.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "cadastre_openapi.h"
#include "grpcpp/health_check_service_interface.h"
#include "grpcpp/security/server_credentials.h"
#include "grpcpp/server.h"
#include "grpcpp/server_builder.h"
#include "server/api/dispatcher.h"
#include "server/api/grpc_reflection.h"
#include "server/api/grpc_services.h"
#include "server/api/metrics.h"
#include "server/api/rest_routes.h"
#include "server/api/rest_server.h"
#include "server/catalog/catalog_service.h"
#include "server/catalog/glossary_service.h"
#include "server/common/clock.h"
#include "server/common/log.h"
#include "server/common/status.h"
#include "server/lineage/lineage_service.h"
#include "server/access/access_service.h"
#include "server/audit/audit_log.h"
#include "server/audit/audit_service.h"
#include "server/catalog/sample_service.h"
#include "server/policy/access.h"
#include "server/policy/authenticator.h"
#include "server/policy/authorizer.h"
#include "server/policy/secrets.h"
#include "server/policy/tls_files.h"
#include "server/report/report_service.h"
#include "server/search/search_service.h"
#include "server/sync/sync_service.h"
#include "server/store/sqlite_store.h"

namespace cadastre {
namespace {

absl::Status EnsureDirectory(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) == 0) {
    if (S_ISDIR(st.st_mode)) return absl::OkStatus();
    return absl::FailedPreconditionError(absl::StrCat(path, " exists and is not a directory"));
  }
  if (::mkdir(path.c_str(), 0700) != 0) {
    return absl::FailedPreconditionError(
        absl::StrCat("cannot create data directory ", path, ": ", std::strerror(errno)));
  }
  return absl::OkStatus();
}

std::string HostPort(const std::string& host, int port) {
  return host.find(':') != std::string::npos ? absl::StrCat("[", host, "]:", port)
                                             : absl::StrCat(host, ":", port);
}

// TLS when the files are given, with client certificates verified against
// the client CA when one is given but not required (bearer tokens still
// work); plaintext otherwise.
std::shared_ptr<grpc::ServerCredentials> GrpcCredentials(const policy::TlsFiles& tls) {
  if (!tls.enabled()) return grpc::InsecureServerCredentials();
  grpc::SslServerCredentialsOptions options(tls.client_ca_pem.empty()
                                                ? GRPC_SSL_DONT_REQUEST_CLIENT_CERTIFICATE
                                                : GRPC_SSL_REQUEST_CLIENT_CERTIFICATE_AND_VERIFY);
  options.pem_root_certs = tls.client_ca_pem;
  options.pem_key_cert_pairs.push_back({tls.key_pem, tls.cert_pem});
  return grpc::SslServerCredentials(options);
}

}  // namespace

struct App::Impl {
  SystemClock clock;
  std::unique_ptr<store::Store> store;
  std::unique_ptr<policy::AccessModel> access_model;
  std::unique_ptr<policy::Authorizer> authorizer;
  std::unique_ptr<policy::Authenticator> authenticator;
  std::unique_ptr<catalog::CatalogService> catalog;
  std::unique_ptr<catalog::GlossaryService> glossary;
  std::unique_ptr<lineage::LineageService> lineage;
  std::unique_ptr<access::AccessService> access;
  std::unique_ptr<catalog::SampleService> samples;
  std::unique_ptr<report::ReportService> reports;
  std::unique_ptr<search::SearchService> search;
  std::unique_ptr<sync::SyncService> sync;
  std::unique_ptr<api::Metrics> metrics;
  std::unique_ptr<audit::AuditLog> audit_log;  // outlives the transports
  std::unique_ptr<audit::AuditService> audit;
  std::unique_ptr<api::Dispatcher> dispatcher;
  api::Router router;
  std::unique_ptr<api::GrpcCatalogService> grpc_catalog;
  std::unique_ptr<api::GrpcGlossaryService> grpc_glossary;
  std::unique_ptr<api::GrpcLineageService> grpc_lineage;
  std::unique_ptr<api::GrpcAccessService> grpc_access;
  std::unique_ptr<api::GrpcSampleService> grpc_samples;
  std::unique_ptr<api::GrpcAuditService> grpc_audit;
  std::unique_ptr<api::GrpcReportService> grpc_reports;
  std::unique_ptr<api::GrpcSearchService> grpc_search;
  std::unique_ptr<api::GrpcSyncService> grpc_sync;
  std::unique_ptr<api::GrpcReflectionService> grpc_reflection;
  std::unique_ptr<grpc::Server> grpc_server;
  std::unique_ptr<api::RestServer> rest_server;
  int grpc_port = 0;
  bool stopped = false;
};

absl::StatusOr<std::unique_ptr<App>> App::Start(const Config& config) {
  auto impl = std::make_unique<Impl>();
  ASSIGN_OR_RETURN(const policy::TlsFiles tls,
                   policy::LoadTlsFiles(config.tls_cert, config.tls_key, config.tls_client_ca));
  RETURN_IF_ERROR(EnsureDirectory(config.data_dir));

  store::SqliteOptions store_options;
  store_options.path = absl::StrCat(config.data_dir, "/cadastre.db");
  if (config.durability == "full") {
    store_options.durability = store::Durability::kFull;
  } else if (config.durability == "normal") {
    store_options.durability = store::Durability::kNormal;
  } else {
    return absl::InvalidArgumentError(
        absl::StrCat("--durability must be 'full' or 'normal', not '", config.durability, "'"));
  }
  ASSIGN_OR_RETURN(impl->store, store::OpenSqliteStore(store_options));
  log::Info("database open", {{"path", store_options.path},
                              {"schema_version", store::LatestSchemaVersion()},
                              {"durability", config.durability}});

  const std::string token_file = absl::StrCat(config.data_dir, "/admin.token");
  ASSIGN_OR_RETURN(policy::BootstrapResult boot,
                   policy::BootstrapAdmin(impl->store.get(), &impl->clock, config.admin_token,
                                          token_file));
  if (boot.created) {
    log::Info("created the admin principal",
              {{"token_file", boot.token_file.empty() ? "(from CADASTRE_ADMIN_TOKEN)" : boot.token_file}});
  }

  impl->access_model = std::make_unique<policy::AccessModel>(impl->store.get());
  RETURN_IF_ERROR(impl->access_model->Reload());
  impl->authorizer = std::make_unique<policy::Authorizer>(impl->access_model.get());
  impl->authenticator = std::make_unique<policy::Authenticator>(impl->store.get(), &impl->clock);
  impl->catalog = std::make_unique<catalog::CatalogService>(impl->store.get(), impl->authorizer.get(),
                                                            &impl->clock);
  impl->glossary = std::make_unique<catalog::GlossaryService>(impl->store.get(),
                                                              impl->authorizer.get(), &impl->clock);
  impl->lineage = std::make_unique<lineage::LineageService>(impl->store.get(), impl->authorizer.get(),
                                                            &impl->clock);
  RETURN_IF_ERROR(impl->lineage->Load());
  impl->catalog->set_hooks(impl->lineage.get());
  // One master secret beside the database; each use derives its own key.
  ASSIGN_OR_RETURN(std::string master,
                   policy::LoadOrCreateSecret(absl::StrCat(config.data_dir, "/secret.key")));
  const std::string mask_key = policy::DeriveKey(master, policy::kMaskHashKeyLabel);
  impl->access = std::make_unique<access::AccessService>(
      impl->store.get(), impl->access_model.get(), impl->authorizer.get(), &impl->clock, mask_key);
  impl->access->set_hooks(impl->lineage.get());
  impl->samples = std::make_unique<catalog::SampleService>(impl->store.get(),
                                                           impl->authorizer.get(), &impl->clock,
                                                           mask_key);
  impl->samples->set_hooks(impl->lineage.get());
  impl->metrics = std::make_unique<api::Metrics>(impl->clock.Now());
  if (config.audit_retention_days < 0) {
    return absl::InvalidArgumentError("--audit-retention-days must be 0 (keep) or more");
  }
  audit::AuditOptions audit_options;
  audit_options.path = absl::StrCat(config.data_dir, "/audit.db");
  audit_options.head_path = absl::StrCat(config.data_dir, "/audit.head");
  audit_options.key = policy::DeriveKey(master, policy::kAuditKeyLabel);
  audit_options.fsync = config.durability == "full";
  audit_options.retention = absl::Hours(24) * config.audit_retention_days;
  ASSIGN_OR_RETURN(impl->audit_log, audit::AuditLog::Open(audit_options, &impl->clock));
  if (config.benchmark_without_audit) {
    log::Warn("--benchmark-without-audit: requests are NOT audited; for measurements only");
  }
  impl->audit = std::make_unique<audit::AuditService>(impl->audit_log.get(), impl->authorizer.get());
  // Every report states the chain's state when it was produced.
  impl->reports = std::make_unique<report::ReportService>(
      impl->store.get(), impl->authorizer.get(), &impl->clock, impl->lineage.get(),
      [log = impl->audit_log.get()] { return log->Verify(); });
  impl->reports->set_access_log(impl->audit_log.get());
  impl->search = std::make_unique<search::SearchService>(impl->store.get(), impl->authorizer.get(),
                                                         &impl->clock);
  impl->search->set_access_log(impl->audit_log.get());
  impl->sync = std::make_unique<sync::SyncService>(impl->store.get(), impl->lineage.get(),
                                                   impl->authorizer.get(), &impl->clock);
  impl->dispatcher = std::make_unique<api::Dispatcher>(
      impl->authenticator.get(), impl->authorizer.get(),
      config.benchmark_without_audit ? nullptr : impl->audit_log.get(), impl->metrics.get(),
      &impl->clock);
  api::AddCatalogRoutes(impl->catalog.get(), impl->glossary.get(), &impl->router);
  api::AddLineageRoutes(impl->lineage.get(), &impl->router);
  api::AddAccessRoutes(impl->access.get(), &impl->router);
  api::AddSampleRoutes(impl->samples.get(), &impl->router);
  api::AddAuditRoutes(impl->audit.get(), &impl->router);
  api::AddReportRoutes(impl->reports.get(), &impl->router);
  api::AddSearchRoutes(impl->search.get(), &impl->router);
  api::AddSyncRoutes(impl->sync.get(), &impl->router);

  // gRPC: the services, health checking and (authenticated) reflection.
  impl->grpc_catalog =
      std::make_unique<api::GrpcCatalogService>(impl->catalog.get(), impl->dispatcher.get());
  impl->grpc_glossary =
      std::make_unique<api::GrpcGlossaryService>(impl->glossary.get(), impl->dispatcher.get());
  impl->grpc_lineage =
      std::make_unique<api::GrpcLineageService>(impl->lineage.get(), impl->dispatcher.get());
  impl->grpc_access =
      std::make_unique<api::GrpcAccessService>(impl->access.get(), impl->dispatcher.get());
  impl->grpc_samples =
      std::make_unique<api::GrpcSampleService>(impl->samples.get(), impl->dispatcher.get());
  impl->grpc_reports =
      std::make_unique<api::GrpcReportService>(impl->reports.get(), impl->dispatcher.get());
  grpc::EnableDefaultHealthCheckService(true);
  grpc::ServerBuilder builder;
  builder.AddListeningPort(HostPort(config.bind, config.grpc_port), GrpcCredentials(tls),
                           &impl->grpc_port);
  builder.SetMaxReceiveMessageSize(static_cast<int>(config.max_body_bytes));
  builder.RegisterService(impl->grpc_catalog.get());
  builder.RegisterService(impl->grpc_glossary.get());
  builder.RegisterService(impl->grpc_lineage.get());
  builder.RegisterService(impl->grpc_access.get());
  builder.RegisterService(impl->grpc_samples.get());
  impl->grpc_audit =
      std::make_unique<api::GrpcAuditService>(impl->audit.get(), impl->dispatcher.get());
  builder.RegisterService(impl->grpc_audit.get());
  builder.RegisterService(impl->grpc_reports.get());
  impl->grpc_search =
      std::make_unique<api::GrpcSearchService>(impl->search.get(), impl->dispatcher.get());
  builder.RegisterService(impl->grpc_search.get());
  impl->grpc_sync = std::make_unique<api::GrpcSyncService>(impl->sync.get(), impl->dispatcher.get());
  builder.RegisterService(impl->grpc_sync.get());
  impl->grpc_reflection = std::make_unique<api::GrpcReflectionService>(
      impl->dispatcher.get(),
      std::vector<std::string>{
          cadastre::v1::CatalogService::service_full_name(), cadastre::v1::GlossaryService::service_full_name(),
          cadastre::v1::LineageService::service_full_name(), cadastre::v1::AccessService::service_full_name(),
          cadastre::v1::SampleService::service_full_name(),
          cadastre::v1::AuditService::service_full_name(),
          cadastre::v1::ReportService::service_full_name(),
          cadastre::v1::SearchService::service_full_name(),
          cadastre::v1::SyncService::service_full_name(), "grpc.health.v1.Health",
          grpc::reflection::v1alpha::ServerReflection::service_full_name()});
  builder.RegisterService(impl->grpc_reflection.get());
  impl->grpc_server = builder.BuildAndStart();
  if (!impl->grpc_server || impl->grpc_port == 0) {
    return absl::UnavailableError(
        absl::StrCat("cannot listen on ", HostPort(config.bind, config.grpc_port), " (gRPC)"));
  }

  api::RestOptions rest_options;
  rest_options.bind = config.bind;
  rest_options.port = config.http_port;
  rest_options.max_body_bytes = config.max_body_bytes;
  rest_options.tls_cert_file = config.tls_cert;
  rest_options.tls_key_file = config.tls_key;
  rest_options.tls_client_ca_file = config.tls_client_ca;
  std::string openapi;
  for (const EmbeddedFile& file : api::EmbeddedOpenApi()) openapi = std::string(file.content);
  ASSIGN_OR_RETURN(impl->rest_server,
                   api::RestServer::Bind(rest_options, &impl->router, impl->dispatcher.get(),
                                         impl->metrics.get(), impl->authorizer.get(),
                                         std::move(openapi)));
  impl->rest_server->Start();
  log::Info("listening", {{"bind", config.bind},
                          {"http_port", impl->rest_server->port()},
                          {"grpc_port", impl->grpc_port},
                          {"tls", tls.enabled()},
                          {"client_certificates", !tls.client_ca_pem.empty()}});
  return std::unique_ptr<App>(new App(std::move(impl)));
}

App::App(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

App::~App() { Shutdown(); }

int App::http_port() const { return impl_->rest_server->port(); }
int App::grpc_port() const { return impl_->grpc_port; }

void App::Shutdown() {
  if (impl_->stopped) return;
  impl_->stopped = true;
  impl_->rest_server->Stop();
  impl_->grpc_server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(5));
  impl_->grpc_server->Wait();
  impl_->audit_log.reset();  // checkpoints the chain head
  impl_->store.reset();
  log::Info("stopped");
}

}  // namespace cadastre
