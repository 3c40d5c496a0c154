// The emitter's transport to an OpenLineage HTTP endpoint. httplib stays in
// this file.
#include <httplib.h>

#include <regex>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "cadastre/lineage_transport.h"
#include "nlohmann/json.hpp"

namespace cadastre::sdk {
namespace {

// The code an HTTP answer means for the emitter (see SendResult::status).
absl::StatusCode CodeOfHttpStatus(int status) {
  switch (status) {
    case 400:
    case 422: return absl::StatusCode::kInvalidArgument;  // this event is refused
    case 401: return absl::StatusCode::kUnauthenticated;
    case 403: return absl::StatusCode::kPermissionDenied;
    case 404: return absl::StatusCode::kNotFound;  // a wrong URL: keep the events
    case 413: return absl::StatusCode::kResourceExhausted;  // too large
    case 429: return absl::StatusCode::kUnavailable;        // later
    case 503: return absl::StatusCode::kUnavailable;
    case 504: return absl::StatusCode::kDeadlineExceeded;
    default:
      return status >= 500 ? absl::StatusCode::kInternal : absl::StatusCode::kFailedPrecondition;
  }
}

// The server's message: Cadastre's {"error": {"message"}}, else the body's start.
std::string MessageOf(const httplib::Result& result) {
  const nlohmann::json body = nlohmann::json::parse(result->body, nullptr, false);
  if (body.is_object() && body.contains("error") && body["error"].is_object()) {
    return body["error"].value("message", std::string());
  }
  return result->body.substr(0, 300);
}

class HttpTransport : public LineageTransport {
 public:
  HttpTransport(HttpTransportOptions options, std::string origin, std::string path)
      : options_(std::move(options)), path_(std::move(path)), client_(origin) {
    const auto seconds = options_.timeout.count() / 1000;
    const auto micros = (options_.timeout.count() % 1000) * 1000;
    client_.set_connection_timeout(seconds, micros);
    client_.set_read_timeout(seconds, micros);
    client_.set_write_timeout(seconds, micros);
    client_.set_keep_alive(true);
    if (!options_.token.empty()) client_.set_bearer_token_auth(options_.token);
    if (!options_.tls_ca_file.empty()) client_.set_ca_cert_path(options_.tls_ca_file);
    client_.enable_server_certificate_verification(true);
    for (const auto& [name, value] : options_.headers) headers_.emplace(name, value);
  }

  SendResult Send(const std::vector<std::string>& events) override {
    SendResult result;
    if (options_.batch_as_array) {
      result.status = Post(absl::StrCat("[", absl::StrJoin(events, ","), "]"), &result.duplicates);
      if (result.status.ok()) result.acknowledged = events.size();
      return result;
    }
    for (const std::string& event : events) {
      size_t duplicates = 0;
      result.status = Post(event, &duplicates);
      if (!result.status.ok()) break;
      result.acknowledged++;
      result.duplicates += duplicates;
    }
    return result;
  }

  std::string Describe() const override { return options_.url; }

 private:
  absl::Status Post(const std::string& body, size_t* duplicates) {
    httplib::Result result = client_.Post(path_.c_str(), headers_, body, "application/json");
    if (!result) {
      return absl::UnavailableError(
          absl::StrCat("POST ", options_.url, ": ", httplib::to_string(result.error())));
    }
    if (result->status >= 200 && result->status < 300) {
      // Cadastre says how many it had already; other servers say nothing.
      const nlohmann::json answer = nlohmann::json::parse(result->body, nullptr, false);
      if (answer.is_object() && answer.contains("duplicates") && answer["duplicates"].is_number()) {
        *duplicates = answer["duplicates"].get<size_t>();
      }
      return absl::OkStatus();
    }
    return absl::Status(CodeOfHttpStatus(result->status),
                        absl::StrCat("HTTP ", result->status, ": ", MessageOf(result)));
  }

  const HttpTransportOptions options_;
  const std::string path_;
  httplib::Client client_;
  httplib::Headers headers_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<LineageTransport>> MakeHttpTransport(HttpTransportOptions options) {
  static const std::regex kUrl(R"(^(https?)://([^/?#]+)(/[^?#]*)?$)");
  std::smatch match;
  if (!std::regex_match(options.url, match, kUrl)) {
    return absl::InvalidArgumentError(
        absl::StrCat("not an http(s)://host[:port]/path URL: ", options.url));
  }
  const std::string origin = match[1].str() + "://" + match[2].str();
  const std::string path = match[3].matched && !match[3].str().empty() ? match[3].str() : "/";
  if (options.timeout.count() <= 0) return absl::InvalidArgumentError("timeout must be positive");
  return std::unique_ptr<LineageTransport>(new HttpTransport(std::move(options), origin, path));
}

}  // namespace cadastre::sdk
