// The real cadastre-server as a child process on 127.0.0.1, and the HTTP
// and gRPC clients the drivers use to reach it.
#pragma once

#include <grpcpp/grpcpp.h>
#include <httplib.h>
#include <sys/types.h>

#include <filesystem>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace cadastre::bench {

struct ServerConfig {
  std::string binary;               // path of cadastre-server
  std::filesystem::path data_dir;   // created if missing; the database lives here
  std::filesystem::path log_path;   // the server's stdout and stderr
  std::string durability = "full";  // acknowledged = durable
  std::string token;                // the admin's bearer token (first start)
  std::vector<std::string> extra_args;  // more server flags
};

class Server {
 public:
  explicit Server(ServerConfig config) : config_(std::move(config)) {}
  ~Server();  // SIGKILLs a server still running

  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Starts the server on free ports and waits until GET /healthz answers
  // 200 (the lineage graph is loaded before the server listens). Answers the
  // milliseconds from fork to that answer, or a negative number with `error`
  // set.
  double Start(std::string* error);
  // SIGTERM, then SIGKILL after 30 s. True when it ended by itself.
  bool Stop();

  pid_t pid() const { return pid_; }
  int http_port() const { return http_port_; }
  int grpc_port() const { return grpc_port_; }
  const ServerConfig& config() const { return config_; }
  // Flags for the next Start().
  void set_extra_args(std::vector<std::string> args) { config_.extra_args = std::move(args); }

  // Resident memory now and at its peak (VmRSS, VmHWM), in MiB.
  double RssMiB() const;
  double PeakRssMiB() const;
  // cadastre.db plus its -wal and -shm, in MiB.
  double DatabaseMiB() const;

  // A keep-alive client with the admin's token; paths are sent as given.
  std::unique_ptr<httplib::Client> Http() const;
  // A new channel (its own connection) to the gRPC port.
  std::shared_ptr<grpc::Channel> Channel() const;
  void Authorize(grpc::ClientContext* context) const;

 private:
  ServerConfig config_;
  pid_t pid_ = -1;
  int http_port_ = 0;
  int grpc_port_ = 0;
};

// What went wrong with a request: "404 {body…}" or the transport error.
std::string Explain(const httplib::Result& res);

// A JSON object answer's top-level scalars, and how many elements each of
// its top-level arrays holds, without keeping the elements: a report's answer
// at L is gigabytes, which a parsed document would multiply.
struct Outline {
  nlohmann::json scalars = nlohmann::json::object();
  std::map<std::string, size_t> sizes;
};
Outline OutlineOf(const std::string& body);

// A port the kernel considers free on 127.0.0.1 (0 when none).
int FreePort();

// Percent-encodes everything but unreserved characters, for a path segment
// or a query value.
std::string Encode(const std::string& text);

}  // namespace cadastre::bench
