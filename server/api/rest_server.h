// The REST transport over cpp-httplib. It parses HTTP, finds the route and
// hands the call to the Dispatcher; answers are JSON. httplib.h stays in
// rest_server.cc.
#pragma once

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "server/api/dispatcher.h"
#include "server/api/metrics.h"
#include "server/api/rest_router.h"

namespace cadastre::api {

struct RestOptions {
  std::string bind = "127.0.0.1";
  int port = 8080;            // 0: any free port
  size_t max_body_bytes = 8 << 20;
  int threads = 16;
};

class RestServer {
 public:
  // Binds the port (so a taken port fails here) but serves only after Start.
  static absl::StatusOr<std::unique_ptr<RestServer>> Bind(const RestOptions& options,
                                                          const Router* router,
                                                          const Dispatcher* dispatcher,
                                                          const Metrics* metrics,
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
