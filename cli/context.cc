#include "context.h"

#include "CLI/CLI.hpp"

namespace cadastre::cli {

sdk::ClientOptions Context::ClientOptions() const {
  sdk::ClientOptions options;
  options.target = settings.server;
  options.token = settings.token;
  options.tls_ca_file = settings.tls_ca;
  options.client_cert_file = settings.tls_cert;
  options.client_key_file = settings.tls_key;
  options.deadline = std::chrono::milliseconds(static_cast<int64_t>(timeout_seconds * 1000));
  // A restarting server gets a few quick retries; a dead one fails fast.
  options.max_attempts = 3;
  options.initial_backoff = std::chrono::milliseconds(100);
  options.max_backoff = std::chrono::milliseconds(1000);
  return options;
}

absl::StatusOr<sdk::Client*> Context::Client() {
  if (client_ == nullptr) {
    absl::StatusOr<std::unique_ptr<sdk::Client>> client = sdk::Client::Connect(ClientOptions());
    if (!client.ok()) return client.status();
    client_ = *std::move(client);
  }
  return client_.get();
}

void AddGlobalOptions(CLI::App& app, Context& context) {
  auto* group = app.add_option_group("Connection and output");
  group->add_option("--server", context.flags.server,
                    "gRPC address host:port (env CADASTRE_SERVER; default 127.0.0.1:50051)");
  group->add_option("--token", context.flags.token,
                    "bearer token (env CADASTRE_TOKEN; prefer it or `cadastre login`: flags show in ps)");
  group->add_option("--tls-ca", context.flags.tls_ca,
                    "PEM CA bundle of the server's certificate: speak TLS (env CADASTRE_TLS_CA)");
  group->add_option("--client-cert", context.flags.tls_cert,
                    "PEM client certificate for mutual TLS (env CADASTRE_CLIENT_CERT)");
  group->add_option("--client-key", context.flags.tls_key,
                    "PEM key of --client-cert (env CADASTRE_CLIENT_KEY)");
  group->add_option("--config", context.flags.config_path,
                    "config file (env CADASTRE_CLI_CONFIG; default ~/.config/cadastre/config.toml)");
  group->add_option("--output", context.output, "table (for people) or json (the API's JSON)")
      ->check(CLI::IsMember({"table", "json"}))
      ->capture_default_str();
  group->add_option("--timeout", context.timeout_seconds,
                    "seconds one request may take (import and export: 600 unless given)")
      ->check(CLI::PositiveNumber)
      ->each([&context](const std::string&) { context.timeout_set = true; })
      ->capture_default_str();
}

}  // namespace cadastre::cli
