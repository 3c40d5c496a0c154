#include "server/api/rest_server.h"

#include <httplib.h>

#include <exception>
#include <thread>

#include "absl/strings/str_cat.h"
#include "server/api/status_mapping.h"
#include "server/catalog/proto_json.h"
#include "server/common/status.h"
#include "server/common/log.h"

namespace cadastre::api {
namespace {

constexpr char kJson[] = "application/json";

void WriteError(httplib::Response& res, int http_status, const absl::Status& status) {
  res.status = http_status;
  res.set_content(ErrorBody(status).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace),
                  kJson);
}

std::string_view PathOf(const httplib::Request& req) {
  std::string_view target = req.target;
  return target.substr(0, target.find('?'));
}

}  // namespace

struct RestServer::Impl {
  RestOptions options;
  const Router* router;
  const Dispatcher* dispatcher;
  const Metrics* metrics;
  std::string openapi_json;
  httplib::Server server;
  int port = 0;
  std::thread thread;

  void Handle(const httplib::Request& req, const std::string& body, httplib::Response& res);
  void Serve(CallInfo& info, const httplib::Request& req, const std::string& body,
             httplib::Response& res);
  void HandleWithBody(const httplib::Request& req, httplib::Response& res,
                      const httplib::ContentReader& reader);
};

// Bodies are read here rather than by the library, which refuses a POST
// that has neither Content-Length nor a chunked body (curl -X POST without
// -d), although HTTP allows it: such a request simply has no body.
void RestServer::Impl::HandleWithBody(const httplib::Request& req, httplib::Response& res,
                                      const httplib::ContentReader& reader) {
  std::string body;
  const bool has_body = req.has_header("Content-Length") ||
                        req.get_header_value("Transfer-Encoding").find("chunked") != std::string::npos;
  if (has_body) {
    bool too_large = req.get_header_value<uint64_t>("Content-Length") > options.max_body_bytes;
    const bool read = !too_large && reader([&](const char* data, size_t length) {
      if (body.size() + length > options.max_body_bytes) {
        too_large = true;
        return false;
      }
      body.append(data, length);
      return true;
    });
    if (!read) {
      absl::Status status =
          too_large ? WithField(absl::ResourceExhaustedError(absl::StrCat(
                                    "request body exceeds ", options.max_body_bytes, " bytes")),
                                "body")
                    : InvalidField("body", "the request body could not be read");
      CallInfo info{"refused", "rest", "", req.remote_addr, ""};
      dispatcher->Count(info, status, absl::ZeroDuration());
      WriteError(res, too_large ? 413 : 400, status);
      res.set_header("Connection", "close");
      return;
    }
  }
  Handle(req, body, res);
}

void RestServer::Impl::Handle(const httplib::Request& req, const std::string& body,
                              httplib::Response& res) {
  const std::string_view path = PathOf(req);
  if (path == "/healthz") {
    if (req.method != "GET" && req.method != "HEAD") {
      WriteError(res, 405, absl::UnimplementedError("only GET is allowed on /healthz"));
      return;
    }
    res.set_content(R"({"status":"SERVING"})", kJson);
    return;
  }
  const std::string authorization = req.get_header_value("Authorization");
  CallInfo info{"unknown", "rest", authorization, req.remote_addr,
                RequestIdFrom(req.get_header_value("X-Request-Id"))};
  try {
    Serve(info, req, body, res);
  } catch (const std::exception& e) {
    log::Error("unhandled exception", {{"path", path}, {"what", e.what()}});
    WriteError(res, 500, absl::InternalError("internal error"));
  }
  res.set_header("X-Request-Id", info.request_id);
}

void RestServer::Impl::Serve(CallInfo& info, const httplib::Request& req, const std::string& body,
                             httplib::Response& res) {
  const std::string_view path = PathOf(req);
  if (path == "/metrics" || path == "/api/v1/openapi.json") {
    const bool metrics_path = path == "/metrics";
    info.method = metrics_path ? "GetMetrics" : "GetOpenApiDocument";
    absl::Status status = dispatcher->Run(info, [&](const policy::Caller&) {
      if (req.method != "GET") return absl::UnimplementedError("only GET is allowed here");
      if (metrics_path) {
        res.set_content(metrics->Render(), "text/plain; version=0.0.4");
      } else {
        res.set_content(openapi_json, kJson);
      }
      return absl::OkStatus();
    });
    if (!status.ok()) {
      WriteError(res, status.code() == absl::StatusCode::kUnimplemented ? 405 : HttpStatusOf(status.code()),
                 status);
    }
    return;
  }

  absl::StatusOr<RouteMatch> match = absl::NotFoundError("");
  absl::Status status = dispatcher->Run(info, [&](const policy::Caller& caller) -> absl::Status {
    match = router->Match(req.method, path);
    if (!match.ok()) return match.status();
    info.method = match->route->rpc;
    RestRequest rest;
    rest.path_params = std::move(match->path_params);
    for (const auto& [key, value] : req.params) rest.query.emplace(key, value);
    rest.body = body;
    auto response = match->route->handler(caller, rest);
    if (!response.ok()) return response.status();
    res.status = match->route->success_status;
    res.set_content(ToJson(**response), kJson);
    return absl::OkStatus();
  });
  if (status.ok()) return;
  // A path that exists under another method is 405, not 501.
  const bool wrong_method = !match.ok() && match.status().code() == absl::StatusCode::kUnimplemented;
  WriteError(res, wrong_method ? 405 : HttpStatusOf(status.code()), status);
}

absl::StatusOr<std::unique_ptr<RestServer>> RestServer::Bind(const RestOptions& options,
                                                             const Router* router,
                                                             const Dispatcher* dispatcher,
                                                             const Metrics* metrics,
                                                             std::string openapi_json) {
  auto impl = std::make_unique<Impl>();
  impl->options = options;
  impl->router = router;
  impl->dispatcher = dispatcher;
  impl->metrics = metrics;
  impl->openapi_json = std::move(openapi_json);
  Impl* self = impl.get();
  httplib::Server& server = impl->server;
  const int threads = options.threads;
  server.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  server.set_payload_max_length(options.max_body_bytes);
  // Every path goes to the router, including ones holding a decoded
  // newline (which '.' would not match).
  const std::string any = R"([\s\S]*)";
  auto plain = [self](const httplib::Request& req, httplib::Response& res) {
    self->Handle(req, req.body, res);
  };
  auto with_body = [self](const httplib::Request& req, httplib::Response& res,
                          const httplib::ContentReader& reader) {
    self->HandleWithBody(req, res, reader);
  };
  server.Get(any, plain);
  server.Options(any, plain);
  server.Put(any, with_body);
  server.Post(any, with_body);
  server.Delete(any, with_body);
  server.Patch(any, with_body);
  // Requests the library refuses itself (body too large, bad request line)
  // still get Cadastre's error body.
  httplib::Server::HandlerWithResponse on_error = [self](const httplib::Request& req,
                                                        httplib::Response& res) {
    if (!res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
    absl::StatusCode code = CodeOfHttpStatus(res.status);
    std::string message = res.status == 413
                              ? absl::StrCat("request body exceeds ", self->options.max_body_bytes, " bytes")
                              : absl::StrCat("malformed HTTP request (HTTP ", res.status, ")");
    absl::Status status = absl::Status(code, message);
    if (res.status == 413) status = WithField(status, "body");
    res.set_content(ErrorBody(status).dump(), kJson);
    CallInfo info{"refused", "rest", "", req.remote_addr, ""};
    self->dispatcher->Count(info, status, absl::ZeroDuration());
    return httplib::Server::HandlerResponse::Handled;
  };
  server.set_error_handler(std::move(on_error));
  if (options.port == 0) {
    impl->port = server.bind_to_any_port(options.bind);
  } else if (server.bind_to_port(options.bind, options.port)) {
    impl->port = options.port;
  } else {
    impl->port = -1;
  }
  if (impl->port < 0) {
    return absl::UnavailableError(
        absl::StrCat("cannot listen on ", options.bind, ":", options.port, " (HTTP)"));
  }
  return std::unique_ptr<RestServer>(new RestServer(std::move(impl)));
}

RestServer::RestServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

RestServer::~RestServer() { Stop(); }

int RestServer::port() const { return impl_->port; }

void RestServer::Start() {
  impl_->thread = std::thread([this] { impl_->server.listen_after_bind(); });
}

void RestServer::Stop() {
  impl_->server.stop();
  if (impl_->thread.joinable()) impl_->thread.join();
}

}  // namespace cadastre::api
