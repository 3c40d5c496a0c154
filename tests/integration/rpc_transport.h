// One way to call any Cadastre RPC by name with a JSON request, over gRPC or
// over REST, and get the answer in one shape. The scenario runner replays
// the same steps over both and compares.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "server_process.h"

namespace cadastre::testing {

struct CallResult {
  std::string code = "OK";  // canonical code name: "OK", "NOT_FOUND", …
  std::string message;
  std::string field;        // the request field an error is about, or ""
  nlohmann::json body;      // the answer (proto JSON mapping) when OK
  int http_status = 0;      // REST only
  std::string raw;          // REST: the body as received; for diagnostics
  // Set when the call could not be made or the answer could not be read at
  // all (a broken connection, an answer that is not JSON, a test mistake).
  std::string transport_error;
};

class RpcTransport {
 public:
  virtual ~RpcTransport() = default;
  virtual std::string_view name() const = 0;
  // Calls `rpc` ("CatalogService.PutDataset") with `request`, the proto JSON
  // of its request message.
  virtual CallResult Call(std::string_view rpc,
                          const nlohmann::json& request) = 0;
};

// Calls through a generic gRPC stub; requests and answers are converted with
// the protobuf JSON mapping (lowerCamelCase, primitive fields always printed,
// like the server's REST adapter). Authenticates with `token`, the admin's
// when empty.
std::unique_ptr<RpcTransport> MakeGrpcTransport(const ServerProcess& server,
                                                std::string token = "");

// Calls the REST route docs/rest-routes.md gives for the RPC, with `token`
// (the admin's when empty).
std::unique_ptr<RpcTransport> MakeRestTransport(const ServerProcess& server,
                                                std::string token = "");

// "INVALID_ARGUMENT" for grpc::StatusCode::INVALID_ARGUMENT, and so on.
std::string CodeName(int grpc_status_code);

// A `bytes` field as the protobuf JSON mapping gives it (base64), decoded;
// "" when it is not base64.
std::string Base64Decode(const std::string& text);

}  // namespace cadastre::testing
