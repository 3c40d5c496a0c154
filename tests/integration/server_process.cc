#include "server_process.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <iterator>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <sstream>
#include <thread>

#include <gtest/gtest.h>

extern char** environ;

#ifndef CADASTRE_SERVER_BIN
#error "CADASTRE_SERVER_BIN must name the cadastre-server binary"
#endif

namespace cadastre::testing {
namespace {

using Clock = std::chrono::steady_clock;
constexpr std::uintmax_t kMaxLogBytesPrinted = 64 * 1024;

// ------------------------------------------------------------ log on failure

// Live servers, so that a failing test can show what each one logged.
std::mutex registry_mutex;
std::set<ServerProcess*>& Registry() {
  static auto* servers = new std::set<ServerProcess*>;
  return *servers;
}
// Per server: the log offset at which the current test started.
std::map<const ServerProcess*, std::uintmax_t>& Marks() {
  static auto* marks = new std::map<const ServerProcess*, std::uintmax_t>;
  return *marks;
}

void PrintLogSinceMark(ServerProcess& server, const std::string& why) {
  std::uintmax_t from;
  {
    std::lock_guard<std::mutex> lock(registry_mutex);
    from = Marks()[&server];
  }
  const std::uintmax_t size = server.LogSize();
  if (size > from + kMaxLogBytesPrinted) from = size - kMaxLogBytesPrinted;
  std::cerr << "\n----- cadastre-server log (" << server.log_path().string()
            << ", " << why << ", running=" << (server.IsRunning() ? "yes" : "no");
  if (!server.IsRunning()) std::cerr << ", " << server.last_exit().ToString();
  std::cerr << ") -----\n"
            << server.ReadLog(from) << "\n----- end of server log -----\n";
  std::lock_guard<std::mutex> lock(registry_mutex);
  Marks()[&server] = size;
}

// Prints the log of every live server after a failed test.
class LogOnFailureListener : public ::testing::EmptyTestEventListener {
 public:
  void OnTestStart(const ::testing::TestInfo&) override {
    std::lock_guard<std::mutex> lock(registry_mutex);
    for (ServerProcess* server : Registry()) Marks()[server] = server->LogSize();
  }
  void OnTestEnd(const ::testing::TestInfo& info) override {
    if (!info.result()->Failed()) return;
    std::vector<ServerProcess*> servers;
    {
      std::lock_guard<std::mutex> lock(registry_mutex);
      servers.assign(Registry().begin(), Registry().end());
    }
    for (ServerProcess* server : servers) {
      PrintLogSinceMark(*server, std::string("after failed test ") +
                                     info.test_suite_name() + "." + info.name());
    }
  }
};

// Installed before main(), so it sees every test.
[[maybe_unused]] const bool kListenerInstalled = [] {
  ::testing::UnitTest::GetInstance()->listeners().Append(
      new LogOnFailureListener);
  return true;
}();

// ------------------------------------------------------------------ helpers

std::string RandomHex(int bytes) {
  std::random_device device;
  std::ostringstream out;
  for (int i = 0; i < bytes; ++i) {
    out << "0123456789abcdef"[device() % 16] << "0123456789abcdef"[device() % 16];
  }
  return out.str();
}

std::filesystem::path MakeTempDir() {
  const char* tmp = std::getenv("TMPDIR");
  std::string pattern =
      std::string(tmp != nullptr && *tmp != '\0' ? tmp : "/tmp") +
      "/cadastre-it-XXXXXX";
  std::vector<char> buffer(pattern.begin(), pattern.end());
  buffer.push_back('\0');
  if (mkdtemp(buffer.data()) == nullptr) {
    std::cerr << "mkdtemp(" << pattern << "): " << std::strerror(errno) << "\n";
    std::abort();
  }
  return std::filesystem::path(buffer.data());
}

// Two distinct ports the kernel considers free on 127.0.0.1. Another process
// may take one before the server binds it; Start() retries on new ports then.
bool PickFreePorts(int* first, int* second) {
  int fds[2] = {-1, -1};
  int ports[2] = {0, 0};
  bool ok = true;
  for (int i = 0; i < 2 && ok; ++i) {
    fds[i] = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = 0;
    socklen_t length = sizeof(address);
    ok = fds[i] >= 0 &&
         bind(fds[i], reinterpret_cast<sockaddr*>(&address), sizeof(address)) ==
             0 &&
         getsockname(fds[i], reinterpret_cast<sockaddr*>(&address), &length) ==
             0;
    if (ok) ports[i] = ntohs(address.sin_port);
  }
  for (int fd : fds) {
    if (fd >= 0) close(fd);
  }
  *first = ports[0];
  *second = ports[1];
  return ok;
}

std::string Tail(const std::string& text, size_t max_bytes) {
  if (text.size() <= max_bytes) return text;
  return "…" + text.substr(text.size() - max_bytes);
}

}  // namespace

std::string ExitStatus::ToString() const {
  std::ostringstream out;
  if (timed_out) out << "did not stop in time, SIGKILLed; ";
  if (exited) {
    out << "exited with code " << exit_code;
  } else if (signal != 0) {
    out << "killed by signal " << signal << " (" << strsignal(signal) << ")";
  } else {
    out << "not ended";
  }
  return out.str();
}

ServerProcess::ServerProcess(ServerOptions options)
    : options_(std::move(options)), token_("it-admin-" + RandomHex(16)) {
  root_dir_ = MakeTempDir();
  data_dir_ = root_dir_ / "data";
  log_path_ = root_dir_ / "server.log";
  std::filesystem::create_directories(data_dir_);
  std::lock_guard<std::mutex> lock(registry_mutex);
  Registry().insert(this);
  Marks()[this] = 0;
}

ServerProcess::~ServerProcess() {
  // A server owned by a test body dies before the listener's OnTestEnd, so
  // show its log here when that test has failed.
  if (::testing::UnitTest::GetInstance()->current_test_info() != nullptr &&
      ::testing::Test::HasFailure()) {
    PrintLogSinceMark(*this, "server destroyed in a failed test");
  }
  if (pid_ > 0) Kill();
  {
    std::lock_guard<std::mutex> lock(registry_mutex);
    Registry().erase(this);
    Marks().erase(this);
  }
  if (std::getenv("CADASTRE_KEEP_TEST_DATA") == nullptr) {
    std::error_code ignored;
    std::filesystem::remove_all(root_dir_, ignored);
  }
}

bool ServerProcess::Start(std::string* error) {
  std::string local_error;
  if (error == nullptr) error = &local_error;
  if (pid_ > 0) {
    *error = "already running";
    return false;
  }
  // A port picked free may be taken by the time the server binds it; the
  // server then exits at once, and we try again on other ports.
  constexpr int kAttempts = 3;
  for (int attempt = 1; attempt <= kAttempts; ++attempt) {
    bool port_problem = false;
    if (StartOnce(error, &port_problem)) return true;
    if (!port_problem) return false;
    http_port_ = grpc_port_ = 0;
  }
  return false;
}

bool ServerProcess::StartOnce(std::string* error, bool* port_problem) {
  *port_problem = false;
  if (http_port_ == 0 || grpc_port_ == 0) {
    if (!PickFreePorts(&http_port_, &grpc_port_)) {
      *error = std::string("cannot pick free ports: ") + std::strerror(errno);
      return false;
    }
  }

  std::vector<std::string> args = {CADASTRE_SERVER_BIN,
                                   "--data-dir",
                                   data_dir_.string(),
                                   "--http-port",
                                   std::to_string(http_port_),
                                   "--grpc-port",
                                   std::to_string(grpc_port_),
                                   "--bind",
                                   "127.0.0.1"};
  if (!options_.durability.empty()) {
    args.insert(args.end(), {"--durability", options_.durability});
  }
  if (options_.max_body_bytes > 0) {
    args.insert(args.end(),
                {"--max-body-bytes", std::to_string(options_.max_body_bytes)});
  }
  args.insert(args.end(), options_.extra_args.begin(),
              options_.extra_args.end());

  std::vector<std::string> env;
  for (char** entry = environ; *entry != nullptr; ++entry) {
    if (std::strncmp(*entry, "CADASTRE_ADMIN_TOKEN=", 21) != 0) {
      env.emplace_back(*entry);
    }
  }
  env.push_back("CADASTRE_ADMIN_TOKEN=" + token_);

  // Everything the child needs is prepared before fork(): after it, only
  // async-signal-safe calls are allowed.
  std::vector<char*> argv;
  for (auto& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);
  std::vector<char*> envp;
  for (auto& entry : env) envp.push_back(entry.data());
  envp.push_back(nullptr);

  {
    std::ofstream log(log_path_, std::ios::app);
    log << "=== test harness: starting";
    for (const auto& arg : args) log << ' ' << arg;
    log << " ===\n";
  }
  const int log_fd =
      open(log_path_.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
  const int null_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (log_fd < 0 || null_fd < 0) {
    *error = std::string("cannot open the log or /dev/null: ") +
             std::strerror(errno);
    if (log_fd >= 0) close(log_fd);
    if (null_fd >= 0) close(null_fd);
    return false;
  }

  const pid_t parent = getpid();
  const pid_t child = fork();
  if (child == 0) {
    // The server dies with the test process, even when that one crashes.
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(126);
    dup2(null_fd, STDIN_FILENO);
    dup2(log_fd, STDOUT_FILENO);
    dup2(log_fd, STDERR_FILENO);
    execve(argv[0], argv.data(), envp.data());
    static const char kMessage[] = "test harness: execve failed\n";
    [[maybe_unused]] ssize_t ignored = write(STDERR_FILENO, kMessage,
                                             sizeof(kMessage) - 1);
    _exit(127);
  }
  close(log_fd);
  close(null_fd);
  if (child < 0) {
    *error = std::string("fork: ") + std::strerror(errno);
    return false;
  }
  pid_ = child;

  if (WaitUntilReady(error)) return true;
  // The server ending during its start is what losing a port race looks like.
  *port_problem = !IsRunning() && last_exit_.exit_code != 127;
  if (pid_ > 0) Kill();
  return false;
}

bool ServerProcess::WaitUntilReady(std::string* error) {
  const auto deadline = Clock::now() + kServerStartDeadline;
  bool http_ready = false;
  while (Clock::now() < deadline) {
    if (!IsRunning()) {
      *error = "server ended during start (" + last_exit_.ToString() +
               "); log tail:\n" + Tail(ReadLog(), 8000);
      return false;
    }
    auto client = HttpClient(/*with_token=*/false);
    client->set_connection_timeout(0, 200000);
    client->set_read_timeout(1, 0);
    if (auto result = client->Get("/healthz"); result && result->status == 200) {
      http_ready = true;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  if (!http_ready) {
    *error = "GET /healthz did not answer 200 within " +
             std::to_string(kServerStartDeadline.count()) + " s; log tail:\n" +
             Tail(ReadLog(), 8000);
    return false;
  }

  grpc::ChannelArguments channel_args;
  // A fresh subchannel per channel: one left in back-off by a killed server
  // must not delay the next one.
  channel_args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  channel_args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 50);
  channel_args.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS, 50);
  channel_args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 500);
  channel_args.SetMaxReceiveMessageSize(64 * 1024 * 1024);
  std::shared_ptr<grpc::ChannelCredentials> credentials =
      grpc::InsecureChannelCredentials();
  if (!options_.tls_ca_file.empty()) {
    grpc::SslCredentialsOptions tls;
    std::ifstream ca(options_.tls_ca_file);
    tls.pem_root_certs.assign(std::istreambuf_iterator<char>(ca), {});
    credentials = grpc::SslCredentials(tls);
    channel_args.SetSslTargetNameOverride("localhost");
  }
  channel_ = grpc::CreateCustomChannel(
      "127.0.0.1:" + std::to_string(grpc_port_), credentials, channel_args);
  if (!channel_->WaitForConnected(std::chrono::system_clock::now() +
                                  (deadline - Clock::now()))) {
    *error = "the gRPC port " + std::to_string(grpc_port_) +
             " did not accept a connection in time; log tail:\n" +
             Tail(ReadLog(), 8000);
    return false;
  }
  return true;
}

ExitStatus ServerProcess::Reap(bool block) {
  ExitStatus status;
  if (pid_ <= 0) return last_exit_;
  int raw = 0;
  pid_t result;
  do {
    result = waitpid(pid_, &raw, block ? 0 : WNOHANG);
  } while (result < 0 && errno == EINTR);
  if (result == 0) return status;  // still running
  if (result == pid_) {
    if (WIFEXITED(raw)) {
      status.exited = true;
      status.exit_code = WEXITSTATUS(raw);
    } else if (WIFSIGNALED(raw)) {
      status.signal = WTERMSIG(raw);
    }
  }
  pid_ = -1;
  last_exit_ = status;
  return status;
}

bool ServerProcess::IsRunning() {
  if (pid_ <= 0) return false;
  Reap(/*block=*/false);
  return pid_ > 0;
}

ExitStatus ServerProcess::Stop() {
  if (pid_ <= 0) return last_exit_;
  kill(pid_, SIGTERM);
  const auto deadline = Clock::now() + kServerStopDeadline;
  while (Clock::now() < deadline) {
    if (!IsRunning()) return last_exit_;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  kill(pid_, SIGKILL);
  Reap(/*block=*/true);
  last_exit_.timed_out = true;
  return last_exit_;
}

ExitStatus ServerProcess::Kill() {
  if (pid_ <= 0) return last_exit_;
  kill(pid_, SIGKILL);
  return Reap(/*block=*/true);
}

bool ServerProcess::Restart(std::string* error) {
  Stop();
  return Start(error);
}

std::unique_ptr<httplib::Client> ServerProcess::HttpClient(
    bool with_token) const {
  const bool tls = !options_.tls_ca_file.empty();
  auto client = std::make_unique<httplib::Client>(
      (tls ? "https://127.0.0.1:" : "http://127.0.0.1:") +
      std::to_string(http_port_));
  if (tls) client->set_ca_cert_path(options_.tls_ca_file);
  client->set_connection_timeout(5, 0);
  client->set_read_timeout(30, 0);
  client->set_write_timeout(30, 0);
  client->set_url_encode(false);
  if (with_token) client->set_bearer_token_auth(token_);
  return client;
}

void ServerProcess::PrepareContext(grpc::ClientContext* context,
                                   bool with_token) const {
  context->set_deadline(std::chrono::system_clock::now() +
                        std::chrono::seconds(30));
  if (with_token) context->AddMetadata("authorization", "Bearer " + token_);
}

std::uintmax_t ServerProcess::LogSize() const {
  std::error_code ignored;
  const auto size = std::filesystem::file_size(log_path_, ignored);
  return ignored ? 0 : size;
}

std::string ServerProcess::ReadLog(std::uintmax_t from) const {
  std::ifstream in(log_path_, std::ios::binary);
  if (!in) return "";
  in.seekg(static_cast<std::streamoff>(from));
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

}  // namespace cadastre::testing
