#include "server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <thread>
#include <vector>

#include "stats.h"

extern char** environ;

namespace cadastre::bench {
namespace {

double StatusMiB(pid_t pid, const char* key) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(key, 0) == 0) return std::stod(line.substr(std::strlen(key))) / 1024.0;
  }
  return 0;
}

}  // namespace

std::string Explain(const httplib::Result& res) {
  return res ? std::to_string(res->status) + " " + res->body.substr(0, 300) : httplib::to_string(res.error());
}

Outline OutlineOf(const std::string& body) {
  using Event = nlohmann::json::parse_event_t;
  Outline out;
  std::string key;     // the top-level key being parsed
  bool array = false;  // whether its value is an array
  auto outline = [&](int depth, Event event, nlohmann::json& parsed) {
    if (depth == 1 && event == Event::key) {
      key = parsed.get<std::string>();
      array = false;
    } else if (depth == 1 && event == Event::array_start) {
      array = true;
      out.sizes[key] = 0;
    } else if (depth == 2 && array && event != Event::array_end && event != Event::object_end) {
      ++out.sizes[key];  // an element starts (or is a scalar); skipped whole
    }
    return depth < 2;
  };
  const nlohmann::json document = nlohmann::json::parse(body, outline, false);
  if (document.is_object()) {
    for (const auto& [name, value] : document.items()) {
      if (value.is_primitive()) out.scalars[name] = value;
    }
  }
  return out;
}

int FreePort() {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return 0;
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  int port = 0;
  if (bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0) {
    port = ntohs(address.sin_port);
  }
  close(fd);
  return port;
}

std::string Encode(const std::string& text) {
  static const char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out += {'%', kHex[c >> 4], kHex[c & 15]};
    }
  }
  return out;
}

Server::~Server() {
  if (pid_ > 0) {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
}

double Server::Start(std::string* error) {
  std::filesystem::create_directories(config_.data_dir);
  http_port_ = FreePort();
  grpc_port_ = FreePort();
  std::vector<std::string> args = {config_.binary,  "--data-dir",    config_.data_dir.string(),
                                   "--bind",        "127.0.0.1",     "--http-port",
                                   std::to_string(http_port_),       "--grpc-port",
                                   std::to_string(grpc_port_),       "--durability",
                                   config_.durability,               "--log-level",
                                   "warn"};
  args.insert(args.end(), config_.extra_args.begin(), config_.extra_args.end());
  std::vector<std::string> env;
  for (char** entry = environ; *entry != nullptr; ++entry) {
    if (std::strncmp(*entry, "CADASTRE_", 9) != 0) env.emplace_back(*entry);
  }
  env.push_back("CADASTRE_ADMIN_TOKEN=" + config_.token);
  std::vector<char*> argv, envp;
  for (auto& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);
  for (auto& entry : env) envp.push_back(entry.data());
  envp.push_back(nullptr);
  const int log_fd = open(config_.log_path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
  if (log_fd < 0) {
    *error = "cannot open " + config_.log_path.string() + ": " + std::strerror(errno);
    return -1;
  }
  const auto started = Clock::now();
  const pid_t parent = getpid();
  const pid_t child = fork();
  if (child == 0) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);  // never outlive the harness
    if (getppid() != parent) _exit(126);
    dup2(log_fd, STDOUT_FILENO);
    dup2(log_fd, STDERR_FILENO);
    execve(argv[0], argv.data(), envp.data());
    _exit(127);
  }
  close(log_fd);
  if (child < 0) {
    *error = std::string("fork: ") + std::strerror(errno);
    return -1;
  }
  pid_ = child;
  // Start-up on a large database includes loading the lineage graph.
  const auto deadline = started + std::chrono::minutes(10);
  while (Clock::now() < deadline) {
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      *error = "the server exited during start; see " + config_.log_path.string();
      return -1;
    }
    httplib::Client client("127.0.0.1", http_port_);
    client.set_connection_timeout(0, 100000);
    if (auto res = client.Get("/healthz"); res && res->status == 200) return MillisSince(started);
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  *error = "GET /healthz did not answer within 10 minutes";
  return -1;
}

bool Server::Stop() {
  if (pid_ <= 0) return true;
  kill(pid_, SIGTERM);
  const auto deadline = Clock::now() + std::chrono::seconds(30);
  while (Clock::now() < deadline) {
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  kill(pid_, SIGKILL);
  waitpid(pid_, nullptr, 0);
  pid_ = -1;
  return false;
}

double Server::RssMiB() const { return StatusMiB(pid_, "VmRSS:"); }
double Server::PeakRssMiB() const { return StatusMiB(pid_, "VmHWM:"); }

double Server::DatabaseMiB() const {
  double bytes = 0;
  for (const char* suffix : {"", "-wal", "-shm"}) {
    std::error_code ignored;
    const auto size = std::filesystem::file_size(config_.data_dir / (std::string("cadastre.db") + suffix), ignored);
    if (!ignored) bytes += static_cast<double>(size);
  }
  return bytes / (1024.0 * 1024.0);
}

std::unique_ptr<httplib::Client> Server::Http() const {
  auto client = std::make_unique<httplib::Client>("127.0.0.1", http_port_);
  client->set_keep_alive(true);
  client->set_tcp_nodelay(true);  // as curl does: no 40 ms Nagle/delayed-ACK stalls
  client->set_url_encode(false);
  client->set_connection_timeout(5, 0);
  // A report at L takes minutes (a 1,000,000-column inventory); a hang
  // still ends the run.
  client->set_read_timeout(1800, 0);
  client->set_write_timeout(120, 0);
  client->set_bearer_token_auth(config_.token);
  return client;
}

std::shared_ptr<grpc::Channel> Server::Channel() const {
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);  // a connection of its own
  args.SetMaxReceiveMessageSize(256 * 1024 * 1024);
  return grpc::CreateCustomChannel("127.0.0.1:" + std::to_string(grpc_port_),
                                   grpc::InsecureChannelCredentials(), args);
}

void Server::Authorize(grpc::ClientContext* context) const {
  context->AddMetadata("authorization", "Bearer " + config_.token);
  context->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(120));
}

}  // namespace cadastre::bench
