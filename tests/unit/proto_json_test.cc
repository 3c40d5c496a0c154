#include "server/catalog/proto_json.h"

#include <gtest/gtest.h>

#include "cadastre/v1/catalog.pb.h"
#include "server/common/status.h"

namespace cadastre {
namespace {

struct BadBody {
  const char* json;
  const char* field;
};

class FromJsonRejects : public ::testing::TestWithParam<BadBody> {};

TEST_P(FromJsonRejects, NamingTheField) {
  v1::Dataset dataset;
  absl::Status status = FromJson(GetParam().json, &dataset);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << GetParam().json;
  EXPECT_EQ(FieldOf(status), GetParam().field) << status;
  // The field is named once, at the start of the message.
  EXPECT_EQ(status.message().find(GetParam().field), 0u) << status;
}

INSTANTIATE_TEST_SUITE_P(
    Bodies, FromJsonRejects,
    ::testing::Values(BadBody{"{bad", "body"}, BadBody{"", "body"}, BadBody{"[1,2]", "body"},
                      BadBody{"\"text\"", "body"}, BadBody{R"({"type":"NOPE"})", "type"},
                      BadBody{R"({"description":5})", "description"},
                      BadBody{R"({"descriptio":"x"})", "descriptio"},
                      BadBody{R"({"fields":[{"name":"a","nullable":"yes"}]})", "fields[0].nullable"},
                      BadBody{R"({"fields":{"name":"a"}})", "fields"}));

TEST(FromJson, AcceptsAliasesAndPrintsMarquezNames) {
  v1::Dataset dataset;
  ASSERT_TRUE(FromJson(R"({"type":"TABLE","physicalName":"p"})", &dataset).ok());
  EXPECT_EQ(dataset.type(), v1::DB_TABLE);
  const std::string json = ToJson(dataset);
  EXPECT_NE(json.find(R"("type":"DB_TABLE")"), std::string::npos) << json;
  EXPECT_NE(json.find(R"("physicalName":"p")"), std::string::npos) << json;
  EXPECT_NE(json.find(R"("description":"")"), std::string::npos) << json;  // defaults printed
}

}  // namespace
}  // namespace cadastre

namespace cadastre {
namespace {

TEST(FromJson, IntegerTextIsAcceptedButWordsAreNot) {
  v1::Dataset dataset;
  EXPECT_TRUE(FromJson(R"({"fields":[{"name":"a","ordinalPosition":"3"}]})", &dataset).ok());
  EXPECT_EQ(dataset.fields(0).ordinal_position(), 3);
  absl::Status status = FromJson(R"({"fields":[{"name":"a","ordinalPosition":"first"}]})", &dataset);
  EXPECT_EQ(FieldOf(status), "fields[0].ordinalPosition") << status;
}

}  // namespace
}  // namespace cadastre
