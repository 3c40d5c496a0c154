// The emitter's transport to Cadastre over gRPC.
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "cadastre/client.h"
#include "cadastre/lineage_transport.h"

namespace cadastre::sdk {
namespace {

class GrpcTransport : public LineageTransport {
 public:
  explicit GrpcTransport(std::unique_ptr<Client> client) : client_(std::move(client)) {}

  SendResult Send(const std::vector<std::string>& events) override {
    v1::IngestLineageRequest request;
    request.set_event(absl::StrCat("[", absl::StrJoin(events, ","), "]"));
    absl::StatusOr<v1::IngestLineageResponse> response =
        client_->Call(&v1::LineageService::Stub::IngestLineage, request);
    SendResult result;
    if (!response.ok()) {
      result.status = response.status();
      return result;
    }
    result.acknowledged = events.size();
    result.duplicates = static_cast<size_t>(std::max(0, response->duplicates()));
    return result;
  }

  std::string Describe() const override { return "grpc " + client_->options().target; }

 private:
  std::unique_ptr<Client> client_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<LineageTransport>> MakeGrpcTransport(ClientOptions options) {
  options.max_attempts = 1;  // the emitter retries, with its own backoff
  absl::StatusOr<std::unique_ptr<Client>> client = Client::Connect(std::move(options));
  if (!client.ok()) return client.status();
  return std::unique_ptr<LineageTransport>(new GrpcTransport(*std::move(client)));
}

}  // namespace cadastre::sdk
