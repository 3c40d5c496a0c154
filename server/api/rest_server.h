// The REST transport over cpp-httplib. It parses HTTP, finds the route and
// hands the call to the Dispatcher; answers are JSON. httplib.h (and the
// OpenSSL calls that set up its TLS) stay in rest_server.cc.
#pragma once

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "server/api/dispatcher.h"
#include "server/api/metrics.h"
#include "server/api/rest_router.h"
#include "server/policy/authorizer.h"

namespace cadastre::api {

struct RestOptions {
  std::string bind = "127.0.0.1";
  int port = 8080;            // 0: any free port
  size_t max_body_bytes = 8 << 20;
  int threads = 16;
  // PEM files, loaded at Bind. With a certificate and key the server speaks
  // HTTPS only. With a client CA too, a client may present a certificate,
  // which must verify against it (or the handshake fails); its Common Name
  // reaches the Dispatcher. Without one, no client certificate is asked for.
  std::string tls_cert_file;
  std::string tls_key_file;
  std::string tls_client_ca_file;
};

class RestServer {
 public:
  // Binds the port (so a taken port fails here) but serves only after Start.
  // `/metrics` needs READ_AUDIT, as `authorizer` decides.
  // INVALID_ARGUMENT naming the file when a TLS file cannot be used.
  static absl::StatusOr<std::unique_ptr<RestServer>> Bind(const RestOptions& options,
                                                          const Router* router,
                                                          const Dispatcher* dispatcher,
                                                          const Metrics* metrics,
                                                          const policy::Authorizer* authorizer,
                                                          std::string openapi_json);
  ~RestServer();

  int port() const;
  // Serves on a background thread until Stop.
  void Start();
  void Stop();

 private:
  struct Impl;
  explicit RestServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace cadastre::api
