// The store writes and reads facets and history JSON itself (sqlite_codec);
// protobuf's JSON mapping is the oracle: the same values either way.
#include "server/store/sqlite_codec.h"

#include <gtest/gtest.h>

#include <cmath>

#include "google/protobuf/util/json_util.h"
#include "google/protobuf/util/message_differencer.h"
#include "nlohmann/json.hpp"

namespace cadastre::store {
namespace {

using google::protobuf::Struct;
using google::protobuf::util::MessageDifferencer;

constexpr const char* kTexts[] = {
    "{}",
    R"({"a":1,"b":-2.5e-7,"c":1e30,"d":123456789012,"e":0.1,"f":3.0,"g":-0})",
    R"({"s":"quote \" backslash \\ tab\t nl\n ctl\u0001 é ✓ 𝄞 </script>","t":true,"n":null})",
    R"({"schema":{"_producer":"p","fields":[{"name":"a","type":"int"},{"name":"b","tags":[]}]},)"
    R"("nested":{"list":[1,"two",[3,{"four":4}],null,false],"empty":{}}})",
};

TEST(SqliteCodec, StructJsonReadsAndWritesWhatProtobufDoes) {
  for (const char* text : kTexts) {
    Struct expected;
    ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(text, &expected).ok()) << text;
    Struct actual;
    ASSERT_TRUE(JsonToStruct(text, &actual).ok()) << text;
    EXPECT_TRUE(MessageDifferencer::Equals(actual, expected)) << text;

    std::string printed;
    ASSERT_TRUE(google::protobuf::util::MessageToJsonString(expected, &printed).ok());
    absl::StatusOr<std::string> written = StructToJson(expected);
    ASSERT_TRUE(written.ok()) << written.status();
    EXPECT_EQ(nlohmann::json::parse(*written), nlohmann::json::parse(printed)) << *written;
  }
}

TEST(SqliteCodec, AValueThatHoldsNothingIsLeftOutAndNaNIsAnError) {
  Struct value;
  (*value.mutable_fields())["nothing"];
  (*value.mutable_fields())["list"].mutable_list_value()->add_values();
  absl::StatusOr<std::string> written = StructToJson(value);
  ASSERT_TRUE(written.ok());
  EXPECT_EQ(*written, R"({"list":[]})");
  (*value.mutable_fields())["nan"].set_number_value(std::nan(""));
  EXPECT_EQ(StructToJson(value).status().code(), absl::StatusCode::kInternal);
  EXPECT_EQ(JsonToStruct("[1]", &value).code(), absl::StatusCode::kInternal);
  EXPECT_EQ(JsonToStruct("{bad", &value).code(), absl::StatusCode::kInternal);
}

TEST(SqliteCodec, ChangesReadBackAsTheyWere) {
  v1::EntityVersion version;
  v1::FieldChange* added = version.add_changes();
  added->set_path("fields[email].tags");
  added->mutable_after()->mutable_list_value()->add_values()->set_string_value("PII.Email");
  v1::FieldChange* changed = version.add_changes();
  changed->set_path("description");
  changed->mutable_before()->set_string_value("old \"one\"");
  changed->mutable_after()->set_number_value(0.1);
  v1::FieldChange* removed = version.add_changes();
  removed->set_path("customProperties.tier");
  removed->mutable_before()->set_null_value(google::protobuf::NULL_VALUE);
  absl::StatusOr<std::string> written = ChangesToJson(version.changes());
  ASSERT_TRUE(written.ok()) << written.status();
  v1::EntityVersion read;
  ASSERT_TRUE(JsonToMessage("{\"changes\":" + *written + "}", &read).ok()) << *written;
  EXPECT_TRUE(MessageDifferencer::Equals(read, version)) << *written;
}

}  // namespace
}  // namespace cadastre::store
