// The running server: store, services and both transports, wired together.
// main.cc turns flags into a Config and calls Start; tests can do the same.
#pragma once

#include <cstddef>
#include <memory>
#include <string>

#include "absl/status/statusor.h"

namespace cadastre {

struct Config {
  std::string data_dir = "./cadastre-data";
  std::string bind = "127.0.0.1";
  int http_port = 8080;   // 0: any free port
  int grpc_port = 50051;  // 0: any free port
  std::string durability = "full";  // "full" (fsync per commit) or "normal"
  size_t max_body_bytes = 8 << 20;
  std::string admin_token;  // CADASTRE_ADMIN_TOKEN, used at first start only
  // PEM files. tls_cert and tls_key: REST serves HTTPS and gRPC TLS.
  // tls_client_ca: a client may also present a certificate issued by these
  // CAs; its Common Name names the principal it authenticates as.
  std::string tls_cert;
  std::string tls_key;
  std::string tls_client_ca;
  // Audit records older than this are pruned (with a signed checkpoint);
  // 0 keeps them for ever.
  int audit_retention_days = 400;
  // Serves without the audit log, for bench/ to measure what it costs.
  // Never for real use: nothing is recorded.
  bool benchmark_without_audit = false;
};

class App {
 public:
  // Opens (creating and migrating) the database under config.data_dir,
  // creates the admin principal at first start, and starts serving.
  // INVALID_ARGUMENT when the TLS files are incomplete or unusable.
  static absl::StatusOr<std::unique_ptr<App>> Start(const Config& config);
  ~App();

  int http_port() const;
  int grpc_port() const;

  // Stops accepting requests, finishes those in flight, closes the store.
  void Shutdown();

 private:
  struct Impl;
  explicit App(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace cadastre
