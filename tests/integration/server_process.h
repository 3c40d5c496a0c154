// Runs the real `cadastre-server` binary as a child process, for tests that
// talk to it over real gRPC and HTTP connections.
//
// Each ServerProcess owns a temporary directory holding the data directory
// and the server's log (its stdout and stderr). The log is printed after any
// test that fails while the server is alive (see the listener in
// server_process.cc), so a failure shows what the server said.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <grpcpp/grpcpp.h>
#include <httplib.h>

namespace cadastre::testing {

// How long a start or a graceful stop may take before it counts as a failure.
inline constexpr std::chrono::seconds kServerStartDeadline{15};
inline constexpr std::chrono::seconds kServerStopDeadline{15};

struct ServerOptions {
  std::string durability;         // "full" or "normal"; empty: server default
  std::int64_t max_body_bytes = 0;  // 0: server default
  std::vector<std::string> extra_args;
  // When extra_args turn TLS on: the CA file that issued the server's
  // certificate (for 127.0.0.1 or localhost). Readiness probes, HttpClient()
  // and channel() then speak TLS and trust it.
  std::string tls_ca_file;
};

// How a child process ended.
struct ExitStatus {
  bool exited = false;    // ended by itself (exit or return from main)
  int exit_code = -1;     // when exited
  int signal = 0;         // the signal that ended it, when not exited
  bool timed_out = false;  // did not end within the deadline; was SIGKILLed

  std::string ToString() const;
};

class ServerProcess {
 public:
  explicit ServerProcess(ServerOptions options = {});
  ~ServerProcess();  // SIGKILLs a running server and removes the temp dir

  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;

  // Starts the server and waits (at most kServerStartDeadline) until
  // GET /healthz answers 200 and the gRPC port accepts a connection. Restarts
  // reuse the data directory and, when still free, the ports. Returns false
  // and describes why (including the log's tail) in `error` otherwise.
  [[nodiscard]] bool Start(std::string* error);

  // Sends SIGTERM and waits for the process to end (SIGKILL after
  // kServerStopDeadline). Returns how it ended.
  ExitStatus Stop();

  // Sends SIGKILL and reaps the process.
  ExitStatus Kill();

  // Stop() then Start() on the same data directory.
  [[nodiscard]] bool Restart(std::string* error);

  // True while the child process has not ended. Reaps it when it has.
  bool IsRunning();
  // How the last process ended (valid after it ended).
  const ExitStatus& last_exit() const { return last_exit_; }

  const std::string& token() const { return token_; }
  int http_port() const { return http_port_; }
  int grpc_port() const { return grpc_port_; }
  const std::filesystem::path& data_dir() const { return data_dir_; }
  const std::filesystem::path& log_path() const { return log_path_; }

  // A channel made at the last Start(); obtain it again after a restart.
  std::shared_ptr<grpc::Channel> channel() const { return channel_; }

  // An HTTP client for this server. Paths are sent exactly as given (the
  // caller percent-encodes). With `with_token`, sends the admin's token.
  std::unique_ptr<httplib::Client> HttpClient(bool with_token = true) const;

  // Sets a 30 s deadline and, with `with_token`, the admin's bearer token.
  void PrepareContext(grpc::ClientContext* context,
                      bool with_token = true) const;

  // The log from byte `from` to its end.
  std::string ReadLog(std::uintmax_t from = 0) const;
  std::uintmax_t LogSize() const;

 private:
  bool StartOnce(std::string* error, bool* port_problem);
  bool WaitUntilReady(std::string* error);
  ExitStatus Reap(bool block);

  ServerOptions options_;
  std::string token_;
  std::filesystem::path root_dir_;
  std::filesystem::path data_dir_;
  std::filesystem::path log_path_;
  int http_port_ = 0;
  int grpc_port_ = 0;
  pid_t pid_ = -1;
  ExitStatus last_exit_;
  std::shared_ptr<grpc::Channel> channel_;
};

}  // namespace cadastre::testing
