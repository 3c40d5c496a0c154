#include "cadastre/client_core.h"

#include <fstream>
#include <random>
#include <sstream>
#include <thread>

#include "absl/strings/str_cat.h"
#include "status_util.h"

namespace cadastre::sdk {
namespace {

using internal::kFieldPayload;

absl::StatusOr<std::string> ReadFile(const std::string& path, const char* what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::InvalidArgumentError(absl::StrCat("cannot read ", what, " ", path));
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

absl::Status ToStatus(const grpc::Status& status, const grpc::ClientContext& context) {
  if (status.ok()) return absl::OkStatus();
  absl::Status out(static_cast<absl::StatusCode>(status.error_code()), status.error_message());
  const auto& trailers = context.GetServerTrailingMetadata();
  if (auto it = trailers.find("cadastre-field"); it != trailers.end()) {
    out.SetPayload(kFieldPayload, absl::Cord(std::string(it->second.data(), it->second.size())));
  }
  return out;
}

}  // namespace

namespace internal {

absl::Status InvalidField(const std::string& field, const std::string& message) {
  absl::Status status = absl::InvalidArgumentError(absl::StrCat(field, ": ", message));
  status.SetPayload(kFieldPayload, absl::Cord(field));
  return status;
}

}  // namespace internal

std::optional<std::string> FieldOf(const absl::Status& status) {
  absl::optional<absl::Cord> field = status.GetPayload(kFieldPayload);
  if (!field) return std::nullopt;
  return std::string(*field);
}

absl::StatusOr<std::unique_ptr<Client>> Client::Connect(ClientOptions options) {
  std::shared_ptr<grpc::ChannelCredentials> credentials = grpc::InsecureChannelCredentials();
  if (!options.tls_ca_file.empty()) {
    grpc::SslCredentialsOptions tls;
    auto ca = ReadFile(options.tls_ca_file, "the TLS CA file");
    if (!ca.ok()) return ca.status();
    tls.pem_root_certs = *ca;
    if (!options.client_cert_file.empty() || !options.client_key_file.empty()) {
      auto cert = ReadFile(options.client_cert_file, "the client certificate");
      if (!cert.ok()) return cert.status();
      auto key = ReadFile(options.client_key_file, "the client key");
      if (!key.ok()) return key.status();
      tls.pem_cert_chain = *cert;
      tls.pem_private_key = *key;
    }
    credentials = grpc::SslCredentials(tls);
  }
  if (options.max_attempts < 1) return absl::InvalidArgumentError("max_attempts must be at least 1");
  // The channel reconnects on the same schedule as the calls retry: gRPC's
  // own default waits up to 120 s between attempts after a restart.
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, static_cast<int>(options.initial_backoff.count()));
  args.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS, static_cast<int>(options.initial_backoff.count()));
  args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, static_cast<int>(options.max_backoff.count()));
  args.SetMaxReceiveMessageSize(options.max_receive_message_bytes);
  auto channel = grpc::CreateCustomChannel(options.target, credentials, args);
  return std::unique_ptr<Client>(new Client(std::move(options), std::move(channel)));
}

Client::Client(ClientOptions options, std::shared_ptr<grpc::Channel> channel)
    : options_(std::move(options)),
      channel_(std::move(channel)) {}

void StreamCanceller::Cancel() {
  std::lock_guard<std::mutex> lock(mutex_);
  cancelled_ = true;
  if (context_ != nullptr) context_->TryCancel();
}

bool StreamCanceller::cancelled() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return cancelled_;
}

void StreamCanceller::Attach(grpc::ClientContext* context) {
  std::lock_guard<std::mutex> lock(mutex_);
  context_ = context;
  if (context_ != nullptr && cancelled_) context_->TryCancel();
}

absl::Status Client::WithRetries(const std::function<grpc::Status(grpc::ClientContext*)>& attempt,
                                 bool deadline, const std::function<bool()>& may_retry) const {
  thread_local std::mt19937 jitter{std::random_device{}()};
  std::chrono::milliseconds backoff = options_.initial_backoff;
  for (int tries = 1;; ++tries) {
    grpc::ClientContext context;
    if (deadline) context.set_deadline(std::chrono::system_clock::now() + options_.deadline);
    if (!options_.token.empty()) context.AddMetadata("authorization", "Bearer " + options_.token);
    const grpc::Status status = attempt(&context);
    if (status.error_code() != grpc::StatusCode::UNAVAILABLE || tries >= options_.max_attempts ||
        (may_retry && !may_retry())) {
      return ToStatus(status, context);
    }
    // Jitter: a random wait between half the backoff and all of it; it doubles.
    std::uniform_int_distribution<int64_t> wait(backoff.count() / 2, backoff.count());
    std::this_thread::sleep_for(std::chrono::milliseconds(wait(jitter)));
    backoff = std::min(backoff * 2, options_.max_backoff);
  }
}

}  // namespace cadastre::sdk
