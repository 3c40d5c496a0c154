#include "server/api/grpc_services.h"

#include <grpc/grpc_security_constants.h>

#include "absl/strings/str_format.h"
#include "server/api/status_mapping.h"
#include "server/common/status.h"

namespace cadastre::api {
namespace {

std::string_view Metadata(const grpc::ServerContext* context, const char* key) {
  const auto& metadata = context->client_metadata();
  auto it = metadata.find(key);
  if (it == metadata.end()) return {};
  return std::string_view(it->second.data(), it->second.size());
}

// The Common Name of the client's certificate; empty without one. gRPC
// reports a certificate only after verifying it against --tls-client-ca
// (GRPC_SSL_REQUEST_CLIENT_CERTIFICATE_AND_VERIFY).
std::string ClientCertCommonName(const grpc::ServerContext* context) {
  const std::shared_ptr<const grpc::AuthContext> auth = context->auth_context();
  if (auth == nullptr) return "";
  const std::vector<grpc::string_ref> names = auth->FindPropertyValues(GRPC_X509_CN_PROPERTY_NAME);
  return names.empty() ? "" : std::string(names.front().data(), names.front().size());
}

// gRPC metadata values must be printable ASCII; percent-encode the rest
// (a field path may hold a user's map key).
std::string MetadataSafe(std::string_view value) {
  std::string out;
  for (unsigned char c : value) {
    if (c >= 0x20 && c < 0x7F && c != '%') {
      out.push_back(static_cast<char>(c));
    } else {
      absl::StrAppendFormat(&out, "%%%02X", c);
    }
  }
  return out;
}

}  // namespace

grpc::Status GrpcCall::Run(grpc::ServerContext* context, std::string_view method,
                           const std::function<absl::Status(const policy::Caller&)>& call) const {
  const std::string peer = context->peer();
  const std::string cert_cn = ClientCertCommonName(context);
  CallInfo info{method, "grpc", Metadata(context, "authorization"), peer,
                RequestIdFrom(Metadata(context, "x-request-id")), cert_cn};
  absl::Status status = dispatcher_->Run(info, call);
  context->AddTrailingMetadata("x-request-id", info.request_id);
  if (auto field = FieldOf(status)) context->AddTrailingMetadata(kFieldTrailer, MetadataSafe(*field));
  return ToGrpcStatus(status);
}

grpc::Status GrpcSyncService::WatchChanges(grpc::ServerContext* context,
                                           const v1::WatchChangesRequest* request,
                                           grpc::ServerWriter<v1::Change>* writer) {
  return call_.Run(context, "SyncService.WatchChanges", [&](const policy::Caller& caller) {
    NoteResource(*request, &caller.audit);
    int64_t sent = 0;
    return service_->WatchChanges(
        caller, *request,
        [&](const v1::Change& change) {
          sent += static_cast<int64_t>(change.ByteSizeLong());
          caller.audit.result_size = sent;
          return writer->Write(change);
        },
        [&] { return context->IsCancelled(); });
  });
}

}  // namespace cadastre::api
