// The Cadastre C++ SDK: a typed client over gRPC for the whole API. This
// header names no service; cadastre/client.h adds the services' headers.
//
//   cadastre::sdk::ClientOptions options;
//   options.target = "127.0.0.1:50051";
//   options.token = token;
//   auto client = cadastre::sdk::Client::Connect(options);
//   cadastre::v1::GetDatasetRequest request;
//   request.set_namespace_("postgres://crm:5432");
//   request.set_name("public.customers");
//   absl::StatusOr<cadastre::v1::Dataset> dataset =
//       (*client)->Call(&cadastre::v1::CatalogService::Stub::GetDataset, request);
//
// Every call carries the token and a deadline, and is retried with
// exponential backoff (and jitter) while the server answers UNAVAILABLE, which
// covers a server that is restarting. Errors come back as absl::Status with
// the server's code and message; the request field at fault, when the server
// names one, is the payload FieldOf() reads.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "grpcpp/grpcpp.h"

namespace cadastre::sdk {

struct ClientOptions {
  std::string target = "127.0.0.1:50051";  // host:port
  std::string token;                       // sent as "authorization: Bearer <token>"
  // TLS: the PEM CA bundle that issued the server's certificate. Empty:
  // plaintext. With client_cert_file and client_key_file, also a client
  // certificate (the server's --tls-client-ca must have issued it).
  std::string tls_ca_file;
  std::string client_cert_file;
  std::string client_key_file;
  std::chrono::milliseconds deadline{30000};  // per attempt
  int max_attempts = 5;                       // 1: no retry
  std::chrono::milliseconds initial_backoff{100};
  std::chrono::milliseconds max_backoff{3000};
  // The largest answer the channel accepts. gRPC's default (4 MiB) is too
  // small for SyncService.Export of a large catalog.
  int max_receive_message_bytes = 256 * 1024 * 1024;
};

// Cancels a server-streaming call (Client::Stream) from another thread, e.g.
// one that noticed SIGINT. Cancel() before the call starts cancels it as soon
// as it starts. Thread-safe; not async-signal-safe (call it from a thread, not
// from a signal handler).
class StreamCanceller {
 public:
  void Cancel();
  bool cancelled() const;

 private:
  friend class Client;
  void Attach(grpc::ClientContext* context);  // nullptr: the call ended
  mutable std::mutex mutex_;
  grpc::ClientContext* context_ = nullptr;
  bool cancelled_ = false;
};

// The request field an error is about ("fields[1].name"), if the server named one.
std::optional<std::string> FieldOf(const absl::Status& status);

class Client {
 public:
  // Makes the channel (it connects lazily). INVALID_ARGUMENT when a TLS
  // file cannot be read.
  static absl::StatusOr<std::unique_ptr<Client>> Connect(ClientOptions options);

  // Calls one unary method of any Cadastre service, e.g.
  // &v1::CatalogService::Stub::GetDataset (include the service's
  // *.grpc.pb.h; client.h includes them all).
  template <typename Stub, typename Request, typename Response>
  absl::StatusOr<Response> Call(
      grpc::Status (Stub::*method)(grpc::ClientContext*, const Request&, Response*),
      const Request& request) const {
    Stub stub(channel_);  // cheap: a stub only names the methods
    Response response;
    absl::Status status = WithRetries([&](grpc::ClientContext* context) {
      response.Clear();
      return (stub.*method)(context, request, &response);
    });
    if (!status.ok()) return status;
    return response;
  }

  // Calls one server-streaming method, e.g.
  // &v1::SyncService::Stub::WatchChanges, and hands each message to
  // `on_message` until the stream ends, `on_message` returns false, or
  // `canceller` (optional) cancels it. The call has no deadline (a watch runs
  // until it is cancelled) and is retried on UNAVAILABLE only while no message
  // has arrived: after that the caller resumes from what it has seen (a
  // cursor). Answers OK when the server ended the stream, when `on_message`
  // stopped it, or when it was cancelled; otherwise the error.
  template <typename Stub, typename Request, typename Response>
  absl::Status Stream(
      std::unique_ptr<grpc::ClientReader<Response>> (Stub::*method)(grpc::ClientContext*, const Request&),
      const Request& request, const std::function<bool(const Response&)>& on_message,
      StreamCanceller* canceller = nullptr) const {
    Stub stub(channel_);
    bool received = false;
    bool stopped = false;
    return WithRetries(
        [&](grpc::ClientContext* context) {
          if (canceller != nullptr) canceller->Attach(context);
          std::unique_ptr<grpc::ClientReader<Response>> reader = (stub.*method)(context, request);
          Response message;
          while (reader->Read(&message)) {
            received = true;
            if (!on_message(message)) {
              stopped = true;
              context->TryCancel();
              break;
            }
          }
          grpc::Status status = reader->Finish();
          if (canceller != nullptr) {
            canceller->Attach(nullptr);
            if (canceller->cancelled()) stopped = true;
          }
          if (stopped) return grpc::Status::OK;
          // Only a stream that never delivered anything may be retried.
          if (received && status.error_code() == grpc::StatusCode::UNAVAILABLE) {
            return grpc::Status(grpc::StatusCode::UNAVAILABLE,
                                "the stream broke: " + status.error_message());
          }
          return status;
        },
        /*deadline=*/false, [&] { return !received; });
  }

  const ClientOptions& options() const { return options_; }

 private:
  explicit Client(ClientOptions options, std::shared_ptr<grpc::Channel> channel);

  // Runs `attempt` with a fresh context per try (the token, and the
  // deadline when `deadline`) until it is not UNAVAILABLE, the attempts run
  // out, or `may_retry` (when given) says no.
  absl::Status WithRetries(const std::function<grpc::Status(grpc::ClientContext*)>& attempt,
                           bool deadline = true,
                           const std::function<bool()>& may_retry = nullptr) const;

  ClientOptions options_;
  std::shared_ptr<grpc::Channel> channel_;
};

}  // namespace cadastre::sdk
