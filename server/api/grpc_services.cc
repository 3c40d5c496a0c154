#include "server/api/grpc_services.h"

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

grpc::Status GrpcCall::Finish(grpc::ServerContext* context, std::string_view method,
                              const std::function<absl::Status(const policy::Caller&)>& call) const {
  const std::string peer = context->peer();
  CallInfo info{method, "grpc", Metadata(context, "authorization"), peer,
                RequestIdFrom(Metadata(context, "x-request-id"))};
  absl::Status status = dispatcher_->Run(info, call);
  context->AddTrailingMetadata("x-request-id", info.request_id);
  if (auto field = FieldOf(status)) context->AddTrailingMetadata(kFieldTrailer, MetadataSafe(*field));
  return ToGrpcStatus(status);
}

}  // namespace cadastre::api
