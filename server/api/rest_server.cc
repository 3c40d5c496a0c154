#include "server/api/rest_server.h"

#include <httplib.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <exception>
#include <thread>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "cadastre/v1/audit.pb.h"
#include "server/api/status_mapping.h"
#include "server/catalog/proto_json.h"
#include "server/common/status.h"
#include "server/common/log.h"
#include "server/web/web_ui.h"

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

absl::Status TlsFileError(const char* what, const std::string& path) {
  char reason[256];
  ERR_error_string_n(ERR_get_error(), reason, sizeof reason);
  ERR_clear_error();
  return absl::InvalidArgumentError(
      absl::StrCat("cannot use the TLS ", what, " file ", path, ": ", reason));
}

// Loads the certificate and key and, with a client CA, asks clients for a
// certificate that, when sent, must verify against it. httplib's own
// client-CA constructor would make the certificate mandatory, shutting out
// clients that authenticate by bearer token.
absl::Status SetUpTls(const RestOptions& options, SSL_CTX* ctx) {
  SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
  SSL_CTX_set_options(ctx, SSL_OP_NO_COMPRESSION | SSL_OP_NO_SESSION_RESUMPTION_ON_RENEGOTIATION);
  if (SSL_CTX_use_certificate_chain_file(ctx, options.tls_cert_file.c_str()) != 1) {
    return TlsFileError("certificate", options.tls_cert_file);
  }
  if (SSL_CTX_use_PrivateKey_file(ctx, options.tls_key_file.c_str(), SSL_FILETYPE_PEM) != 1 ||
      SSL_CTX_check_private_key(ctx) != 1) {
    return TlsFileError("key", options.tls_key_file);
  }
  if (options.tls_client_ca_file.empty()) return absl::OkStatus();
  const char* ca = options.tls_client_ca_file.c_str();
  STACK_OF(X509_NAME)* ca_names = SSL_load_client_CA_file(ca);
  if (ca_names == nullptr || SSL_CTX_load_verify_locations(ctx, ca, nullptr) != 1) {
    sk_X509_NAME_pop_free(ca_names, X509_NAME_free);
    return TlsFileError("client CA", options.tls_client_ca_file);
  }
  SSL_CTX_set_client_CA_list(ctx, ca_names);  // takes ownership
  // Without a session id context OpenSSL fails the resumption of a session
  // that carried a client certificate.
  static constexpr unsigned char kSessionContext[] = "cadastre";
  SSL_CTX_set_session_id_context(ctx, kSessionContext, sizeof kSessionContext - 1);
  SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
  return absl::OkStatus();
}

// The Common Name of the certificate the client presented and OpenSSL
// verified; empty without one.
std::string ClientCertCommonName(const httplib::Request& req) {
  if (req.ssl == nullptr || SSL_get_verify_result(req.ssl) != X509_V_OK) return "";
  const X509* cert = SSL_get0_peer_certificate(req.ssl);
  if (cert == nullptr) return "";
  const X509_NAME* subject = X509_get_subject_name(cert);
  const int index = X509_NAME_get_index_by_NID(subject, NID_commonName, -1);
  if (index < 0) return "";
  unsigned char* utf8 = nullptr;
  const int length =
      ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subject, index)));
  if (length < 0) return "";
  std::string common_name(reinterpret_cast<const char*>(utf8), length);
  OPENSSL_free(utf8);
  return common_name;
}

// The quoted ETag of an answer with a string field `etag`; "" without one.
std::string EtagOf(const google::protobuf::Message& message) {
  const google::protobuf::FieldDescriptor* field = message.GetDescriptor()->FindFieldByName("etag");
  if (field == nullptr || field->type() != google::protobuf::FieldDescriptor::TYPE_STRING ||
      field->is_repeated()) {
    return "";
  }
  const std::string value = message.GetReflection()->GetString(message, field);
  return value.empty() ? "" : absl::StrCat("\"", value, "\"");
}

// An answer's `export` (a CSV or JSON Lines download), written as is
// instead of the JSON of the message; nullptr when it has none.
const v1::HttpBody* ExportOf(const google::protobuf::Message& message) {
  const google::protobuf::FieldDescriptor* field = message.GetDescriptor()->FindFieldByName("export");
  if (field == nullptr || field->message_type() != v1::HttpBody::descriptor() ||
      !message.GetReflection()->HasField(message, field)) {
    return nullptr;
  }
  return static_cast<const v1::HttpBody*>(&message.GetReflection()->GetMessage(message, field));
}

// Whether an If-None-Match header ("*", or a list of tags, weak or strong)
// names `etag` (RFC 9110 13.1.2: weak comparison).
bool IfNoneMatchHolds(const std::string& header, const std::string& etag) {
  for (absl::string_view tag : absl::StrSplit(header, ',')) {
    tag = absl::StripAsciiWhitespace(tag);
    if (absl::StartsWith(tag, "W/")) tag.remove_prefix(2);
    if (tag == "*" || tag == etag) return true;
  }
  return false;
}

// The web UI's files. Public, like /healthz: they carry no metadata, so they
// are neither authenticated nor audited; every API call the UI makes is both.
void ServeUi(const httplib::Request& req, httplib::Response& res) {
  for (const auto& [name, value] : web::SecurityHeaders()) res.set_header(name, value);
  if (req.method != "GET" && req.method != "HEAD") {
    WriteError(res, 405, absl::UnimplementedError("only GET is allowed on the web UI's files"));
    return;
  }
  const web::Asset* asset = web::FindAsset(PathOf(req));
  if (asset == nullptr) {
    WriteError(res, 404, absl::NotFoundError("no such file of the web UI"));
    return;
  }
  res.set_header("ETag", asset->etag);
  res.set_header("Cache-Control", std::string(asset->cache_control));
  if (IfNoneMatchHolds(req.get_header_value("If-None-Match"), asset->etag)) {
    res.status = 304;
    return;
  }
  res.set_content(asset->content.data(), asset->content.size(), std::string(asset->content_type));
}

}  // namespace

struct RestServer::Impl {
  RestOptions options;
  const Router* router;
  const Dispatcher* dispatcher;
  const Metrics* metrics;
  const policy::Authorizer* authorizer;
  std::string openapi_json;
  std::unique_ptr<httplib::Server> server;  // an httplib::SSLServer with TLS
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
      dispatcher->Refused(info, status);
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
  if (web::IsUiPath(path)) {
    ServeUi(req, res);
    return;
  }
  const std::string authorization = req.get_header_value("Authorization");
  // Only a server with a client CA asks for (and verifies) certificates.
  const std::string cert_cn =
      options.tls_client_ca_file.empty() ? "" : ClientCertCommonName(req);
  CallInfo info{"unknown", "rest", authorization, req.remote_addr,
                RequestIdFrom(req.get_header_value("X-Request-Id")), cert_cn};
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
    absl::Status status = dispatcher->Run(info, [&](const policy::Caller& caller) {
      if (req.method != "GET") return absl::UnimplementedError("only GET is allowed here");
      if (metrics_path) {
        RETURN_IF_ERROR(authorizer->Check(caller, v1::READ_AUDIT, policy::Resource::System()));
        res.set_content(metrics->Render(), "text/plain; version=0.0.4");
      } else {
        res.set_content(openapi_json, kJson);
      }
      caller.audit.result_size = static_cast<int64_t>(res.body.size());
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
    // An answer that carries an `etag` (the policy API) is cacheable:
    // a poll naming the current one gets 304 and no body.
    if (const std::string etag = EtagOf(**response); !etag.empty()) {
      res.set_header("ETag", etag);
      if (IfNoneMatchHolds(req.get_header_value("If-None-Match"), etag)) {
        res.status = 304;
        return absl::OkStatus();
      }
    }
    res.status = match->route->success_status;
    if (const v1::HttpBody* raw = ExportOf(**response)) {
      res.set_content(raw->data(), raw->content_type());
    } else {
      res.set_content(ToJson(**response), kJson);
    }
    caller.audit.result_size = static_cast<int64_t>(res.body.size());
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
                                                             const policy::Authorizer* authorizer,
                                                             std::string openapi_json) {
  auto impl = std::make_unique<Impl>();
  impl->options = options;
  impl->router = router;
  impl->dispatcher = dispatcher;
  impl->metrics = metrics;
  impl->authorizer = authorizer;
  impl->openapi_json = std::move(openapi_json);
  if (options.tls_cert_file.empty()) {
    impl->server = std::make_unique<httplib::Server>();
  } else {
    absl::Status tls = absl::InternalError("cannot create a TLS context");
    impl->server = std::make_unique<httplib::SSLServer>([&](SSL_CTX& ctx) {
      tls = SetUpTls(options, &ctx);
      return tls.ok();
    });
    if (!impl->server->is_valid()) return tls;
  }
  Impl* self = impl.get();
  httplib::Server& server = *impl->server;
  const int threads = options.threads;
  server.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  // Without it a small answer waits ~40 ms for Nagle and delayed ACKs
  // (measured by bench/: REST p50 42 ms -> 0.6 ms).
  server.set_tcp_nodelay(true);
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
    self->dispatcher->Refused(info, status);
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
  impl_->thread = std::thread([this] { impl_->server->listen_after_bind(); });
}

void RestServer::Stop() {
  impl_->server->stop();
  if (impl_->thread.joinable()) impl_->thread.join();
}

}  // namespace cadastre::api
