// ToJson: the proto3 JSON mapping with defaults printed, written straight
// from reflection into one string.
//
// protobuf's own printer (util::MessageToJsonString) serialises the message
// to the wire format, parses that again through a type resolver and builds
// a tree of default values per message; for a lineage answer of thousands of
// nodes that was ~80% of the request. This writer prints the same JSON value
// (tests/unit/proto_json_test.cc compares the two on every API message):
// lowerCamelCase names, enums by name, 64-bit integers as strings, every
// scalar and list of a message that is present, unset message fields and
// unset oneof members left out. The well-known types the API uses
// (Timestamp, Duration, Struct, Value, ListValue, the wrappers) are written
// in their JSON form; any other (Any, FieldMask, Empty) is left to protobuf.
#include <algorithm>
#include <charconv>
#include <cmath>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/duration.pb.h"
#include "google/protobuf/reflection.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/timestamp.pb.h"
#include "google/protobuf/util/json_util.h"
#include "google/protobuf/util/time_util.h"
#include "server/catalog/proto_json.h"
#include "server/common/json_text.h"

namespace cadastre {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

void AppendString(std::string& out, std::string_view text) { AppendJsonString(out, text); }

// The shortest text that reads back as the same number; NaN and the
// infinities as the strings the mapping uses.
template <typename T>
void AppendFloat(std::string& out, T value) {
  if (std::isnan(value)) {
    out += "\"NaN\"";
  } else if (std::isinf(value)) {
    out += value > 0 ? "\"Infinity\"" : "\"-Infinity\"";
  } else {
    char buffer[64];
    auto [end, ec] = std::to_chars(buffer, buffer + sizeof(buffer), value);
    out.append(buffer, end);
  }
}

void AppendMessage(std::string& out, const Message& message);

bool IsValue(const FieldDescriptor* field) {
  static const Descriptor* const kValue = google::protobuf::Value::descriptor();
  return field->message_type() == kValue;
}

// Whether a google.protobuf.Value holds anything (null included). protobuf
// prints one that holds nothing as nothing: the field, list item or Struct
// entry is left out.
bool HasKind(const Message& value) {
  return value.GetReflection()->GetOneofFieldDescriptor(
             value, value.GetDescriptor()->oneof_decl(0)) != nullptr;
}

// One value of `field`: the field's only value, or element `index` of a
// repeated field. `r` is `message`'s reflection, asked for once per message:
// every GetReflection() is a virtual call and a once-only check.
void AppendValue(std::string& out, const Message& message, const Reflection* r,
                 const FieldDescriptor* field, int index) {
  const bool rep = index >= 0;
  switch (field->cpp_type()) {
    case FieldDescriptor::CPPTYPE_INT32:
      absl::StrAppend(&out, rep ? r->GetRepeatedInt32(message, field, index)
                                : r->GetInt32(message, field));
      break;
    case FieldDescriptor::CPPTYPE_UINT32:
      absl::StrAppend(&out, rep ? r->GetRepeatedUInt32(message, field, index)
                                : r->GetUInt32(message, field));
      break;
    case FieldDescriptor::CPPTYPE_INT64:
      absl::StrAppend(&out, "\"",
                      rep ? r->GetRepeatedInt64(message, field, index) : r->GetInt64(message, field),
                      "\"");
      break;
    case FieldDescriptor::CPPTYPE_UINT64:
      absl::StrAppend(&out, "\"",
                      rep ? r->GetRepeatedUInt64(message, field, index)
                          : r->GetUInt64(message, field),
                      "\"");
      break;
    case FieldDescriptor::CPPTYPE_DOUBLE:
      AppendFloat(out, rep ? r->GetRepeatedDouble(message, field, index)
                           : r->GetDouble(message, field));
      break;
    case FieldDescriptor::CPPTYPE_FLOAT:
      AppendFloat(out, rep ? r->GetRepeatedFloat(message, field, index)
                           : r->GetFloat(message, field));
      break;
    case FieldDescriptor::CPPTYPE_BOOL:
      out += (rep ? r->GetRepeatedBool(message, field, index) : r->GetBool(message, field))
                 ? "true"
                 : "false";
      break;
    case FieldDescriptor::CPPTYPE_ENUM: {
      const int number = rep ? r->GetRepeatedEnumValue(message, field, index)
                             : r->GetEnumValue(message, field);
      if (field->enum_type()->full_name() == "google.protobuf.NullValue") {
        out += "null";
      } else if (const auto* value = field->enum_type()->FindValueByNumber(number)) {
        AppendString(out, value->name());
      } else {
        absl::StrAppend(&out, number);  // a number this build does not know
      }
      break;
    }
    case FieldDescriptor::CPPTYPE_STRING: {
      std::string scratch;
      const std::string& text =
          rep ? r->GetRepeatedStringReference(message, field, index, &scratch)
              : r->GetStringReference(message, field, &scratch);
      if (field->type() == FieldDescriptor::TYPE_BYTES) {
        AppendString(out, absl::Base64Escape(text));
      } else {
        AppendString(out, text);
      }
      break;
    }
    case FieldDescriptor::CPPTYPE_MESSAGE:
      AppendMessage(out, rep ? r->GetRepeatedMessage(message, field, index)
                             : r->GetMessage(message, field));
      break;
  }
}

// A map entry's key as a JSON object key (always a string).
void AppendMapKey(std::string& out, const Message& entry, const FieldDescriptor* key) {
  const Reflection* r = entry.GetReflection();
  if (key->cpp_type() == FieldDescriptor::CPPTYPE_STRING) {
    AppendValue(out, entry, r, key, -1);
    return;
  }
  std::string text;
  AppendValue(text, entry, r, key, -1);
  if (text.front() == '"') {
    out += text;  // 64-bit integers are quoted already
  } else {
    AppendString(out, text);
  }
}

// The entries of a map field ordered by key, so that the same map always
// prints the same text (a map's own order is unspecified).
std::vector<const Message*> SortedEntries(const Message& message, const FieldDescriptor* map) {
  const Reflection* r = message.GetReflection();
  const FieldDescriptor* key = map->message_type()->map_key();
  std::vector<std::pair<std::string, const Message*>> keyed;
  for (int j = 0; j < r->FieldSize(message, map); j++) {
    const Message& entry = r->GetRepeatedMessage(message, map, j);
    std::string text;
    AppendMapKey(text, entry, key);
    keyed.push_back({std::move(text), &entry});
  }
  std::sort(keyed.begin(), keyed.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<const Message*> entries;
  for (const auto& [text, entry] : keyed) entries.push_back(entry);
  return entries;
}

// Whether the mapping prints `field` of `message`: every field that is
// set, and with defaults printed every singular scalar outside a oneof
// (and outside proto3 `optional`) and every list and map.
bool Printed(const Message& message, const Reflection* r, const FieldDescriptor* field) {
  if (field->is_repeated()) return true;
  if (field->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
    return r->HasField(message, field) && (!IsValue(field) || HasKind(r->GetMessage(message, field)));
  }
  if (field->containing_oneof() != nullptr || field->has_presence()) {
    return r->HasField(message, field);
  }
  return true;
}

void AppendFields(std::string& out, const Message& message) {
  const Descriptor* descriptor = message.GetDescriptor();
  const Reflection* r = message.GetReflection();
  out.push_back('{');
  bool first = true;
  for (int i = 0; i < descriptor->field_count(); i++) {
    const FieldDescriptor* field = descriptor->field(i);
    if (!Printed(message, r, field)) continue;
    if (!first) out.push_back(',');
    first = false;
    AppendString(out, field->json_name());
    out.push_back(':');
    if (field->is_map()) {
      const FieldDescriptor* key = field->message_type()->map_key();
      const FieldDescriptor* value = field->message_type()->map_value();
      out.push_back('{');
      bool first_entry = true;
      for (const Message* entry_ptr : SortedEntries(message, field)) {
        const Message& entry = *entry_ptr;
        if (!first_entry) out.push_back(',');
        first_entry = false;
        AppendMapKey(out, entry, key);
        out.push_back(':');
        AppendValue(out, entry, entry.GetReflection(), value, -1);
      }
      out.push_back('}');
    } else if (field->is_repeated()) {
      out.push_back('[');
      const int size = r->FieldSize(message, field);
      bool first_item = true;
      const bool values = IsValue(field);
      for (int j = 0; j < size; j++) {
        if (values && !HasKind(r->GetRepeatedMessage(message, field, j))) continue;
        if (!first_item) out.push_back(',');
        first_item = false;
        AppendValue(out, message, r, field, j);
      }
      out.push_back(']');
    } else {
      AppendValue(out, message, r, field, -1);
    }
  }
  out.push_back('}');
}

// google.protobuf.Value: its one set member, or null.
void AppendStructValue(std::string& out, const Message& value) {
  const Descriptor* descriptor = value.GetDescriptor();
  const Reflection* r = value.GetReflection();
  const FieldDescriptor* kind = r->GetOneofFieldDescriptor(value, descriptor->oneof_decl(0));
  if (kind == nullptr || kind->name() == "null_value") {
    out += "null";
  } else if (kind->name() == "number_value") {
    const double number = r->GetDouble(value, kind);
    // The mapping has no NaN or infinite number in a Value; protobuf
    // refuses to print one, this writes what a parser would accept back.
    AppendFloat(out, number);
  } else {
    AppendValue(out, value, r, kind, -1);
  }
}

}  // namespace

std::optional<std::string> WellKnownTimeText(const Message& message) {
  const Descriptor* descriptor = message.GetDescriptor();
  const std::string& type = descriptor->full_name();
  if (type != "google.protobuf.Timestamp" && type != "google.protobuf.Duration") {
    return std::nullopt;
  }
  const Reflection* r = message.GetReflection();
  const int64_t seconds = r->GetInt64(message, descriptor->FindFieldByName("seconds"));
  const int32_t nanos = r->GetInt32(message, descriptor->FindFieldByName("nanos"));
  using google::protobuf::util::TimeUtil;
  if (type == "google.protobuf.Timestamp") {
    // Answers repeat times (the edges of one run all start when it ran):
    // the last one written is kept, per thread.
    thread_local std::optional<std::pair<int64_t, int32_t>> last;
    thread_local std::string last_text;
    if (last != std::pair{seconds, nanos}) {
      google::protobuf::Timestamp time;
      time.set_seconds(seconds);
      time.set_nanos(nanos);
      last_text = TimeUtil::ToString(time);
      last = {seconds, nanos};
    }
    return last_text;
  }
  google::protobuf::Duration duration;
  duration.set_seconds(seconds);
  duration.set_nanos(nanos);
  return TimeUtil::ToString(duration);
}

namespace {

void AppendMessage(std::string& out, const Message& message) {
  const Descriptor* descriptor = message.GetDescriptor();
  if (descriptor->file()->name().rfind("google/protobuf/", 0) != 0) {
    AppendFields(out, message);
    return;
  }
  const std::string& type = descriptor->full_name();
  const Reflection* r = message.GetReflection();
  if (std::optional<std::string> time = WellKnownTimeText(message)) {
    AppendString(out, *time);
  } else if (type == "google.protobuf.Struct") {
    const FieldDescriptor* fields = descriptor->FindFieldByName("fields");
    const FieldDescriptor* value = fields->message_type()->map_value();
    const FieldDescriptor* key = fields->message_type()->map_key();
    out.push_back('{');
    bool first = true;
    for (const Message* entry_ptr : SortedEntries(message, fields)) {
      const Message& entry = *entry_ptr;
      const Message& item = entry.GetReflection()->GetMessage(entry, value);
      if (!HasKind(item)) continue;  // protobuf leaves out a Value that is nothing
      if (!first) out.push_back(',');
      first = false;
      AppendMapKey(out, entry, key);
      out.push_back(':');
      AppendStructValue(out, item);
    }
    out.push_back('}');
  } else if (type == "google.protobuf.Value") {
    AppendStructValue(out, message);
  } else if (type == "google.protobuf.ListValue") {
    const FieldDescriptor* values = descriptor->FindFieldByName("values");
    out.push_back('[');
    const int size = r->FieldSize(message, values);
    bool first = true;
    for (int j = 0; j < size; j++) {
      const Message& item = r->GetRepeatedMessage(message, values, j);
      if (!HasKind(item)) continue;
      if (!first) out.push_back(',');
      first = false;
      AppendStructValue(out, item);
    }
    out.push_back(']');
  } else if (absl::EndsWith(type, "Value") && descriptor->field_count() == 1 &&
             descriptor->field(0)->name() == "value") {
    AppendValue(out, message, r, descriptor->field(0), -1);  // a wrapper: its value
  } else {
    std::string printed;
    google::protobuf::util::JsonPrintOptions options;
    options.always_print_primitive_fields = true;
    (void)google::protobuf::util::MessageToJsonString(message, &printed, options);
    out += printed;
  }
}

}  // namespace

std::string ToJson(const google::protobuf::Message& message) {
  std::string out;
  out.reserve(1024);
  AppendMessage(out, message);
  return out;
}

}  // namespace cadastre
