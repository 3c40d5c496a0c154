#include "server/api/status_mapping.h"

#include <gtest/gtest.h>

#include "server/common/status.h"

namespace cadastre::api {
namespace {

TEST(StatusMapping, EveryCodeHasTheDocumentedHttpStatus) {
  // The same table as docs/rest-routes.md; change both together.
  const std::vector<std::pair<absl::StatusCode, int>> table = {
      {absl::StatusCode::kOk, 200},
      {absl::StatusCode::kInvalidArgument, 400},
      {absl::StatusCode::kOutOfRange, 400},
      {absl::StatusCode::kUnauthenticated, 401},
      {absl::StatusCode::kPermissionDenied, 403},
      {absl::StatusCode::kNotFound, 404},
      {absl::StatusCode::kAlreadyExists, 409},
      {absl::StatusCode::kFailedPrecondition, 409},
      {absl::StatusCode::kAborted, 409},
      {absl::StatusCode::kResourceExhausted, 429},
      {absl::StatusCode::kCancelled, 499},
      {absl::StatusCode::kUnimplemented, 501},
      {absl::StatusCode::kUnavailable, 503},
      {absl::StatusCode::kDeadlineExceeded, 504},
      {absl::StatusCode::kInternal, 500},
      {absl::StatusCode::kUnknown, 500},
      {absl::StatusCode::kDataLoss, 500},
  };
  for (const auto& [code, http] : table) {
    EXPECT_EQ(HttpStatusOf(code), http) << absl::StatusCodeToString(code);
  }
}

TEST(StatusMapping, GrpcKeepsCodeAndMessage) {
  for (int c = 0; c <= 16; c++) {
    absl::Status status(static_cast<absl::StatusCode>(c), c == 0 ? "" : "why");
    grpc::Status mapped = ToGrpcStatus(status);
    EXPECT_EQ(static_cast<int>(mapped.error_code()), c);
    if (c != 0) {
      EXPECT_EQ(mapped.error_message(), "why");
    }
  }
}

TEST(StatusMapping, ErrorBodyNamesTheField) {
  nlohmann::json body = ErrorBody(InvalidField("fields[0].name", "must not be empty"));
  EXPECT_EQ(body["error"]["code"], "INVALID_ARGUMENT");
  EXPECT_EQ(body["error"]["message"], "fields[0].name: must not be empty");
  EXPECT_EQ(body["error"]["field"], "fields[0].name");
}

TEST(StatusMapping, ErrorBodyOmitsFieldWhenThereIsNone) {
  nlohmann::json body = ErrorBody(absl::NotFoundError("gone"));
  EXPECT_EQ(body["error"]["code"], "NOT_FOUND");
  EXPECT_FALSE(body["error"].contains("field"));
}

TEST(StatusMapping, BareHttpStatusesMapBack) {
  EXPECT_EQ(CodeOfHttpStatus(413), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(CodeOfHttpStatus(400), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(CodeOfHttpStatus(500), absl::StatusCode::kInternal);
}

}  // namespace
}  // namespace cadastre::api
