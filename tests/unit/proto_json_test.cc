#include "server/catalog/proto_json.h"

#include <gtest/gtest.h>

#include <random>

#include "cadastre/v1/catalog.pb.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/descriptor.pb.h"
#include "google/protobuf/util/json_util.h"
#include "nlohmann/json.hpp"
#include "server/catalog/history.h"
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

// ToJson writes JSON itself; protobuf's printer is the oracle. Every message
// of the API, filled at random (reproducibly), must print the same JSON value.

namespace cadastre {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;

class RandomFiller {
 public:
  explicit RandomFiller(uint32_t seed) : rng_(seed) {}

  void Fill(Message* message, int depth) {
    const Descriptor* descriptor = message->GetDescriptor();
    const std::string& type = descriptor->full_name();
    const auto* r = message->GetReflection();
    if (type == "google.protobuf.Any") return;  // left to protobuf, needs a type URL
    if (type == "google.protobuf.Timestamp" || type == "google.protobuf.Duration") {
      r->SetInt64(message, descriptor->FindFieldByName("seconds"), Pick(0, 4000000000LL));
      const int nanos[] = {0, 1000000, 123000, 5, 999999999};
      r->SetInt32(message, descriptor->FindFieldByName("nanos"), nanos[Pick(0, 4)]);
      return;
    }
    if (type == "google.protobuf.Value") {
      if (Pick(0, 5) > 0) FillValue(message, depth);  // sometimes nothing at all
      return;
    }
    for (int i = 0; i < descriptor->field_count(); i++) {
      const FieldDescriptor* field = descriptor->field(i);
      if (field->containing_oneof() != nullptr && r->HasOneof(*message, field->containing_oneof())) {
        continue;
      }
      if (Pick(0, 3) == 0) continue;  // some fields stay unset
      if (field->is_repeated()) {
        const int n = static_cast<int>(Pick(0, 3));
        for (int j = 0; j < n; j++) AddOne(message, field, depth);
      } else {
        SetOne(message, field, depth);
      }
    }
  }

 private:
  int64_t Pick(int64_t low, int64_t high) {
    return std::uniform_int_distribution<int64_t>(low, high)(rng_);
  }
  std::string Text() {
    const char* texts[] = {"", "plain", "quote \" and \\ backslash", "tab\tnew\nline\r\x01\x1f",
                           "unicode é ✓ 𝄞", "</script>", "a:b.c"};
    return texts[Pick(0, 6)];
  }
  double Number() {
    const double numbers[] = {0, 1, -1, 0.1, 1e30, -2.5e-7, 123456789012.0, 3.0};
    return numbers[Pick(0, 7)];
  }

  void FillValue(Message* value, int depth) {
    const Descriptor* d = value->GetDescriptor();
    const auto* r = value->GetReflection();
    switch (depth > 3 ? Pick(0, 3) : Pick(0, 5)) {
      case 0: r->SetEnumValue(value, d->FindFieldByName("null_value"), 0); break;
      case 1: r->SetDouble(value, d->FindFieldByName("number_value"), Number()); break;
      case 2: r->SetString(value, d->FindFieldByName("string_value"), Text()); break;
      case 3: r->SetBool(value, d->FindFieldByName("bool_value"), Pick(0, 1)); break;
      case 4: Fill(r->MutableMessage(value, d->FindFieldByName("struct_value")), depth + 1); break;
      default: Fill(r->MutableMessage(value, d->FindFieldByName("list_value")), depth + 1); break;
    }
  }

  void SetOne(Message* message, const FieldDescriptor* field, int depth) {
    const auto* r = message->GetReflection();
    switch (field->cpp_type()) {
      case FieldDescriptor::CPPTYPE_INT32: r->SetInt32(message, field, Pick(-5, 100000)); break;
      case FieldDescriptor::CPPTYPE_UINT32: r->SetUInt32(message, field, Pick(0, 100000)); break;
      case FieldDescriptor::CPPTYPE_INT64: r->SetInt64(message, field, Pick(-5, 1LL << 60)); break;
      case FieldDescriptor::CPPTYPE_UINT64: r->SetUInt64(message, field, Pick(0, 1LL << 60)); break;
      case FieldDescriptor::CPPTYPE_DOUBLE: r->SetDouble(message, field, Number()); break;
      case FieldDescriptor::CPPTYPE_FLOAT: r->SetFloat(message, field, static_cast<float>(Number())); break;
      case FieldDescriptor::CPPTYPE_BOOL: r->SetBool(message, field, Pick(0, 1)); break;
      case FieldDescriptor::CPPTYPE_ENUM: {
        const auto* e = field->enum_type();
        r->SetEnumValue(message, field, e->value(static_cast<int>(Pick(0, e->value_count() - 1)))->number());
        break;
      }
      case FieldDescriptor::CPPTYPE_STRING: r->SetString(message, field, Text()); break;
      case FieldDescriptor::CPPTYPE_MESSAGE:
        if (depth < 5) Fill(r->MutableMessage(message, field), depth + 1);
        break;
    }
  }

  void AddOne(Message* message, const FieldDescriptor* field, int depth) {
    const auto* r = message->GetReflection();
    if (field->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
      if (depth < 5) {
        Message* item = r->AddMessage(message, field);
        Fill(item, depth + 1);
        if (field->is_map()) {  // distinct keys, or the printers keep different duplicates
          const FieldDescriptor* key = field->message_type()->map_key();
          if (key->cpp_type() == FieldDescriptor::CPPTYPE_STRING) {
            item->GetReflection()->SetString(item, key, absl::StrCat("key", r->FieldSize(*message, field)));
          }
        }
      }
      return;
    }
    switch (field->cpp_type()) {
      case FieldDescriptor::CPPTYPE_INT32: r->AddInt32(message, field, Pick(-5, 100000)); break;
      case FieldDescriptor::CPPTYPE_INT64: r->AddInt64(message, field, Pick(-5, 1LL << 60)); break;
      case FieldDescriptor::CPPTYPE_DOUBLE: r->AddDouble(message, field, Number()); break;
      case FieldDescriptor::CPPTYPE_BOOL: r->AddBool(message, field, Pick(0, 1)); break;
      case FieldDescriptor::CPPTYPE_ENUM: {
        const auto* e = field->enum_type();
        r->AddEnumValue(message, field, e->value(static_cast<int>(Pick(0, e->value_count() - 1)))->number());
        break;
      }
      case FieldDescriptor::CPPTYPE_STRING: r->AddString(message, field, Text()); break;
      default: break;
    }
  }

  std::mt19937 rng_;
};

void CollectMessages(const Descriptor* d, std::vector<const Descriptor*>* out) {
  if (d->options().map_entry()) return;
  out->push_back(d);
  for (int i = 0; i < d->nested_type_count(); i++) CollectMessages(d->nested_type(i), out);
}

// Every message of the API's files linked into this binary.
std::vector<const Descriptor*> ApiMessages() {
  const auto* pool = v1::Dataset::descriptor()->file()->pool();
  std::vector<const Descriptor*> messages;
  for (const char* file : {"cadastre/v1/catalog.proto", "cadastre/v1/lineage.proto",
                           "cadastre/v1/access.proto", "cadastre/v1/glossary.proto",
                           "cadastre/v1/principal.proto", "cadastre/v1/sample.proto",
                           "cadastre/v1/report.proto", "cadastre/v1/audit.proto"}) {
    const auto* fd = pool->FindFileByName(file);
    if (fd == nullptr) continue;  // not linked into this binary
    for (int i = 0; i < fd->message_type_count(); i++) CollectMessages(fd->message_type(i), &messages);
  }
  return messages;
}

TEST(ToJson, PrintsWhatProtobufPrintsForEveryApiMessage) {
  const std::vector<const Descriptor*> messages = ApiMessages();
  ASSERT_GT(messages.size(), 50u);
  google::protobuf::util::JsonPrintOptions options;
  options.always_print_primitive_fields = true;
  int compared = 0;
  for (const Descriptor* d : messages) {
    const Message* prototype = google::protobuf::MessageFactory::generated_factory()->GetPrototype(d);
    ASSERT_NE(prototype, nullptr) << d->full_name();
    for (uint32_t seed = 0; seed < 20; seed++) {
      std::unique_ptr<Message> message(prototype->New());
      if (seed > 0) RandomFiller(seed * 7919 + compared).Fill(message.get(), 0);
      std::string expected;
      ASSERT_TRUE(google::protobuf::util::MessageToJsonString(*message, &expected, options).ok())
          << d->full_name();
      const std::string actual = ToJson(*message);
      const nlohmann::json parsed = nlohmann::json::parse(actual, nullptr, false);
      ASSERT_FALSE(parsed.is_discarded()) << d->full_name() << ": " << actual;
      EXPECT_EQ(parsed, nlohmann::json::parse(expected))
          << d->full_name() << "\nprotobuf: " << expected << "\nToJson:   " << actual;
      compared++;
    }
  }
}

// History's Diff and Snapshot build the JSON value by reflection too
// (catalog::MessageJson); protobuf's printer is the oracle there as well,
// without defaults (what Diff compares) and with them (what a snapshot keeps).
TEST(MessageJson, IsWhatProtobufPrintsForEveryApiMessage) {
  const std::vector<const Descriptor*> messages = ApiMessages();
  ASSERT_GT(messages.size(), 50u);
  int compared = 0;
  for (const Descriptor* d : messages) {
    const Message* prototype = google::protobuf::MessageFactory::generated_factory()->GetPrototype(d);
    for (uint32_t seed = 0; seed < 20; seed++) {
      std::unique_ptr<Message> message(prototype->New());
      if (seed > 0) RandomFiller(seed * 104729 + compared).Fill(message.get(), 0);
      for (bool defaults : {false, true}) {
        google::protobuf::util::JsonPrintOptions options;
        options.always_print_primitive_fields = defaults;
        std::string expected;
        ASSERT_TRUE(google::protobuf::util::MessageToJsonString(*message, &expected, options).ok())
            << d->full_name();
        EXPECT_EQ(catalog::MessageJson(*message, defaults), nlohmann::json::parse(expected))
            << d->full_name() << (defaults ? " with defaults" : "") << "\nprotobuf: " << expected
            << "\nMessageJson: " << catalog::MessageJson(*message, defaults).dump();
      }
      compared++;
    }
  }
}

}  // namespace
}  // namespace cadastre
