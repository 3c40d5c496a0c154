// The one table from Cadastre's status codes to gRPC codes and HTTP status,
// and the REST error body. docs/rest-routes.md shows the same table.
#pragma once

#include <string>

#include "absl/status/status.h"
#include "grpcpp/support/status.h"
#include "nlohmann/json.hpp"

namespace cadastre::api {

int HttpStatusOf(absl::StatusCode code);

// The code a bare HTTP error status stands for (used when the HTTP library
// rejects a request before Cadastre sees it, e.g. 413).
absl::StatusCode CodeOfHttpStatus(int http_status);

// {"error": {"code": "INVALID_ARGUMENT", "message": "…", "field": "…"}};
// "field" only when the status names one.
nlohmann::json ErrorBody(const absl::Status& status);

// Same code and message; the field travels in trailing metadata
// (kFieldTrailer), set by the gRPC adapter.
grpc::Status ToGrpcStatus(const absl::Status& status);

inline constexpr char kFieldTrailer[] = "cadastre-field";

}  // namespace cadastre::api
