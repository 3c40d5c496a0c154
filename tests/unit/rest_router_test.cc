#include "server/api/rest_router.h"

#include <gtest/gtest.h>

namespace cadastre::api {
namespace {

Router MakeRouter() {
  Router router;
  for (auto [method, pattern] : std::vector<std::pair<const char*, const char*>>{
           {"GET", "/api/v1/namespaces/{name}"},
           {"PUT", "/api/v1/namespaces/{name}"},
           {"GET", "/api/v1/namespaces/{namespace}/datasets/{name}"},
           {"POST", "/api/v1/namespaces/{namespace}/datasets/{dataset}/fields/{field}/tags/{tag}"},
       }) {
    router.Add(Route{method, pattern, std::string(method) + " " + pattern, nullptr});
  }
  return router;
}

TEST(PercentDecode, DecodesEscapesAndKeepsTheRest) {
  EXPECT_EQ(*PercentDecode("postgres%3A%2F%2Fcrm%3A5432"), "postgres://crm:5432");
  EXPECT_EQ(*PercentDecode("public.customers"), "public.customers");
  EXPECT_EQ(*PercentDecode("a%2fb"), "a/b");
  EXPECT_EQ(*PercentDecode("caf%C3%A9"), "caf\xC3\xA9");
  EXPECT_EQ(*PercentDecode("a+b"), "a+b");  // '+' is not a space in a path
}

TEST(PercentDecode, RejectsMalformedEscapes) {
  for (const char* bad : {"%", "%2", "%zz", "abc%4"}) {
    EXPECT_EQ(PercentDecode(bad).status().code(), absl::StatusCode::kInvalidArgument) << bad;
  }
}

TEST(Router, EncodedSlashesAndColonsStayInOneSegment) {
  Router router = MakeRouter();
  auto match = router.Match(
      "GET", "/api/v1/namespaces/postgres%3A%2F%2Fcrm%3A5432/datasets/raw%2Fevents%2F2026");
  ASSERT_TRUE(match.ok()) << match.status();
  EXPECT_EQ(match->path_params.at("namespace"), "postgres://crm:5432");
  EXPECT_EQ(match->path_params.at("name"), "raw/events/2026");
}

TEST(Router, AllParametersOfADeepRoute) {
  Router router = MakeRouter();
  auto match =
      router.Match("POST", "/api/v1/namespaces/s3%3A%2F%2Fb/datasets/t/fields/address.city/tags/PII.Address");
  ASSERT_TRUE(match.ok()) << match.status();
  EXPECT_EQ(match->path_params.at("namespace"), "s3://b");
  EXPECT_EQ(match->path_params.at("dataset"), "t");
  EXPECT_EQ(match->path_params.at("field"), "address.city");
  EXPECT_EQ(match->path_params.at("tag"), "PII.Address");
}

TEST(Router, UnknownPathIsNotFoundAndOtherMethodIsUnimplemented) {
  Router router = MakeRouter();
  EXPECT_EQ(router.Match("GET", "/api/v1/nope").status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(router.Match("DELETE", "/api/v1/namespaces/x").status().code(),
            absl::StatusCode::kUnimplemented);
  // An unencoded slash makes a different path, which no route has.
  EXPECT_EQ(router.Match("GET", "/api/v1/namespaces/a/b").status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(router.Match("GET", "/api/v1/namespaces/").status().code(),
            absl::StatusCode::kNotFound);
}

TEST(Router, MalformedEscapeIsInvalidArgument) {
  Router router = MakeRouter();
  EXPECT_EQ(router.Match("GET", "/api/v1/namespaces/%zz").status().code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace cadastre::api
