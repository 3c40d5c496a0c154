#include "server/catalog/history.h"

#include <cfloat>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/reflection.h"
#include "google/protobuf/util/json_util.h"
#include "server/catalog/proto_json.h"

namespace cadastre::catalog {
namespace {

using nlohmann::json;

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

json MessageValue(const Message& message, bool print_defaults);

// Whether a google.protobuf.Value holds anything (null included): protobuf
// prints one that holds nothing as nothing.
bool HasKind(const Message& value) {
  return value.GetReflection()->GetOneofFieldDescriptor(
             value, value.GetDescriptor()->oneof_decl(0)) != nullptr;
}

bool IsValue(const FieldDescriptor* field) {
  return field->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE &&
         field->message_type()->full_name() == "google.protobuf.Value";
}

// A number as protobuf's printer writes it and a parser reads it back: the
// same double (its text round-trips), -0 read as 0, and NaN and the
// infinities as the strings of the mapping.
json Number(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "Infinity" : "-Infinity";
  return value == 0 ? 0.0 : value;
}

// A float is printed with the fewest digits that read back as the same
// float (protobuf's SimpleFtoa), then read as a double.
json FloatNumber(float value) {
  if (!std::isfinite(value)) return Number(value);
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.*g", FLT_DIG, static_cast<double>(value));
  if (std::strtof(buffer, nullptr) != value) {
    std::snprintf(buffer, sizeof buffer, "%.*g", FLT_DIG + 3, static_cast<double>(value));
  }
  return Number(std::strtod(buffer, nullptr));
}

// One value of `field`: its only value, or element `index` of a list.
json FieldValue(const Message& message, const FieldDescriptor* field, int index,
                bool print_defaults) {
  const Reflection* r = message.GetReflection();
  const bool rep = index >= 0;
  switch (field->cpp_type()) {
    case FieldDescriptor::CPPTYPE_INT32:
      return rep ? r->GetRepeatedInt32(message, field, index) : r->GetInt32(message, field);
    case FieldDescriptor::CPPTYPE_UINT32:
      return rep ? r->GetRepeatedUInt32(message, field, index) : r->GetUInt32(message, field);
    case FieldDescriptor::CPPTYPE_INT64:  // 64-bit integers are strings in JSON
      return absl::StrCat(rep ? r->GetRepeatedInt64(message, field, index)
                              : r->GetInt64(message, field));
    case FieldDescriptor::CPPTYPE_UINT64:
      return absl::StrCat(rep ? r->GetRepeatedUInt64(message, field, index)
                              : r->GetUInt64(message, field));
    case FieldDescriptor::CPPTYPE_DOUBLE:
      return Number(rep ? r->GetRepeatedDouble(message, field, index)
                        : r->GetDouble(message, field));
    case FieldDescriptor::CPPTYPE_FLOAT:
      return FloatNumber(rep ? r->GetRepeatedFloat(message, field, index)
                             : r->GetFloat(message, field));
    case FieldDescriptor::CPPTYPE_BOOL:
      return rep ? r->GetRepeatedBool(message, field, index) : r->GetBool(message, field);
    case FieldDescriptor::CPPTYPE_ENUM: {
      const int number = rep ? r->GetRepeatedEnumValue(message, field, index)
                             : r->GetEnumValue(message, field);
      if (field->enum_type()->full_name() == "google.protobuf.NullValue") return nullptr;
      if (const auto* value = field->enum_type()->FindValueByNumber(number)) {
        return value->name();
      }
      return number;  // a number this build does not know
    }
    case FieldDescriptor::CPPTYPE_STRING: {
      std::string scratch;
      const std::string& text = rep ? r->GetRepeatedStringReference(message, field, index, &scratch)
                                    : r->GetStringReference(message, field, &scratch);
      if (field->type() == FieldDescriptor::TYPE_BYTES) return absl::Base64Escape(text);
      return text;
    }
    case FieldDescriptor::CPPTYPE_MESSAGE:
      return MessageValue(rep ? r->GetRepeatedMessage(message, field, index)
                              : r->GetMessage(message, field),
                          print_defaults);
  }
  return nullptr;
}

// A map entry's key as a JSON object key (always a string).
std::string MapKey(const Message& entry, const FieldDescriptor* key) {
  const Reflection* r = entry.GetReflection();
  switch (key->cpp_type()) {
    case FieldDescriptor::CPPTYPE_STRING: return r->GetString(entry, key);
    case FieldDescriptor::CPPTYPE_BOOL: return r->GetBool(entry, key) ? "true" : "false";
    case FieldDescriptor::CPPTYPE_INT32: return absl::StrCat(r->GetInt32(entry, key));
    case FieldDescriptor::CPPTYPE_UINT32: return absl::StrCat(r->GetUInt32(entry, key));
    case FieldDescriptor::CPPTYPE_INT64: return absl::StrCat(r->GetInt64(entry, key));
    case FieldDescriptor::CPPTYPE_UINT64: return absl::StrCat(r->GetUInt64(entry, key));
    default: return "";
  }
}

// Whether the mapping prints `field`: protobuf's printer prints what is
// set (a non-default scalar, a non-empty list, a present message); with
// defaults, also every singular scalar outside a oneof and proto3
// `optional`, and every list and map.
bool Printed(const Message& message, const FieldDescriptor* field, bool print_defaults) {
  const Reflection* r = message.GetReflection();
  if (field->is_repeated()) return print_defaults || r->FieldSize(message, field) > 0;
  if (field->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
    return r->HasField(message, field) && (!IsValue(field) || HasKind(r->GetMessage(message, field)));
  }
  if (!print_defaults || field->containing_oneof() != nullptr || field->has_presence()) {
    return r->HasField(message, field);
  }
  return true;
}

json Fields(const Message& message, bool print_defaults) {
  const Descriptor* descriptor = message.GetDescriptor();
  const Reflection* r = message.GetReflection();
  json out = json::object();
  for (int i = 0; i < descriptor->field_count(); i++) {
    const FieldDescriptor* field = descriptor->field(i);
    if (!Printed(message, field, print_defaults)) continue;
    json& value = out[field->json_name()];
    if (field->is_map()) {
      const FieldDescriptor* key = field->message_type()->map_key();
      const FieldDescriptor* item = field->message_type()->map_value();
      value = json::object();
      const int size = r->FieldSize(message, field);
      for (int j = 0; j < size; j++) {
        const Message& entry = r->GetRepeatedMessage(message, field, j);
        value[MapKey(entry, key)] = FieldValue(entry, item, -1, print_defaults);
      }
    } else if (field->is_repeated()) {
      value = json::array();
      const int size = r->FieldSize(message, field);
      for (int j = 0; j < size; j++) {
        if (IsValue(field) && !HasKind(r->GetRepeatedMessage(message, field, j))) continue;
        value.push_back(FieldValue(message, field, j, print_defaults));
      }
    } else {
      value = FieldValue(message, field, -1, print_defaults);
    }
  }
  return out;
}

// google.protobuf.Value: its one set member, or null.
json StructValue(const Message& value) {
  const Reflection* r = value.GetReflection();
  const FieldDescriptor* kind =
      r->GetOneofFieldDescriptor(value, value.GetDescriptor()->oneof_decl(0));
  if (kind == nullptr || kind->cpp_type() == FieldDescriptor::CPPTYPE_ENUM) return nullptr;
  return FieldValue(value, kind, -1, false);
}

json MessageValue(const Message& message, bool print_defaults) {
  const Descriptor* descriptor = message.GetDescriptor();
  if (descriptor->file()->name().rfind("google/protobuf/", 0) != 0) {
    return Fields(message, print_defaults);
  }
  const std::string& type = descriptor->full_name();
  const Reflection* r = message.GetReflection();
  if (std::optional<std::string> time = WellKnownTimeText(message)) return *time;
  if (type == "google.protobuf.Struct") {
    const FieldDescriptor* fields = descriptor->FindFieldByName("fields");
    const FieldDescriptor* key = fields->message_type()->map_key();
    const FieldDescriptor* value = fields->message_type()->map_value();
    json out = json::object();
    const int size = r->FieldSize(message, fields);
    for (int j = 0; j < size; j++) {
      const Message& entry = r->GetRepeatedMessage(message, fields, j);
      const Message& item = entry.GetReflection()->GetMessage(entry, value);
      if (HasKind(item)) out[MapKey(entry, key)] = StructValue(item);
    }
    return out;
  }
  if (type == "google.protobuf.Value") return StructValue(message);
  if (type == "google.protobuf.ListValue") {
    const FieldDescriptor* values = descriptor->FindFieldByName("values");
    json out = json::array();
    const int size = r->FieldSize(message, values);
    for (int j = 0; j < size; j++) {
      const Message& item = r->GetRepeatedMessage(message, values, j);
      if (HasKind(item)) out.push_back(StructValue(item));
    }
    return out;
  }
  if (absl::EndsWith(type, "Value") && descriptor->field_count() == 1 &&
      descriptor->field(0)->name() == "value") {
    return FieldValue(message, descriptor->field(0), -1, print_defaults);  // a wrapper
  }
  // Any other well-known type (Any, FieldMask, Empty): protobuf's printer.
  std::string printed;
  google::protobuf::util::JsonPrintOptions options;
  options.always_print_primitive_fields = print_defaults;
  (void)google::protobuf::util::MessageToJsonString(message, &printed, options);
  return json::parse(printed, nullptr, false);
}

// The JSON value as a google.protobuf.Value, built directly: what
// JsonStringToMessage(value.dump()) makes, without printing and parsing.
void ToValue(const json& value, google::protobuf::Value* out) {
  switch (value.type()) {
    case json::value_t::null:
      out->set_null_value(google::protobuf::NULL_VALUE);
      break;
    case json::value_t::boolean:
      out->set_bool_value(value.get<bool>());
      break;
    case json::value_t::number_integer:
    case json::value_t::number_unsigned:
    case json::value_t::number_float:
      out->set_number_value(value.get<double>());
      break;
    case json::value_t::string:
      out->set_string_value(value.get<std::string>());
      break;
    case json::value_t::array: {
      google::protobuf::ListValue* list = out->mutable_list_value();
      for (const json& item : value) ToValue(item, list->add_values());
      break;
    }
    case json::value_t::object: {
      auto* fields = out->mutable_struct_value()->mutable_fields();
      for (const auto& [key, item] : value.items()) ToValue(item, &(*fields)[key]);
      break;
    }
    default:  // binary and discarded never come out of the parser
      out->set_null_value(google::protobuf::NULL_VALUE);
  }
}

google::protobuf::Value ToValue(const json& value) {
  google::protobuf::Value out;
  ToValue(value, &out);
  return out;
}

bool IsNamedList(const json& value) {
  if (!value.is_array() || value.empty()) return false;
  for (const json& item : value) {
    if (!item.is_object() || !item.contains("name") || !item["name"].is_string()) return false;
  }
  return true;
}

// An attribute that is a map or a named list and is absent on one side is
// compared with an empty one, so that removing the last custom property
// reads "customProperties.tier" like any other removal. A whole item of a
// named list (a field) stays one change.
const json* EmptyLike(const json* other) {
  static const json kEmptyObject = json::object();
  static const json kEmptyArray = json::array();
  if (other == nullptr) return nullptr;
  if (other->is_object()) return &kEmptyObject;
  if (IsNamedList(*other)) return &kEmptyArray;
  return nullptr;
}

void AddChange(const std::string& path, const json* before, const json* after,
               std::vector<v1::FieldChange>* out) {
  v1::FieldChange change;
  change.set_path(path);
  if (before) *change.mutable_before() = ToValue(*before);
  if (after) *change.mutable_after() = ToValue(*after);
  out->push_back(std::move(change));
}

void DiffValues(const std::string& path, const json* before, const json* after,
                std::vector<v1::FieldChange>* out);

void DiffObjects(const std::string& prefix, const json& before, const json& after,
                 std::vector<v1::FieldChange>* out) {
  auto join = [&](const std::string& key) {
    return prefix.empty() ? key : absl::StrCat(prefix, ".", key);
  };
  for (const auto& [key, value] : before.items()) {
    auto it = after.find(key);
    DiffValues(join(key), &value, it == after.end() ? EmptyLike(&value) : &*it, out);
  }
  for (const auto& [key, value] : after.items()) {
    if (!before.contains(key)) DiffValues(join(key), EmptyLike(&value), &value, out);
  }
}

const json* FindNamed(const json& list, const std::string& name) {
  for (const json& item : list) {
    if (item["name"] == name) return &item;
  }
  return nullptr;
}

void DiffNamedLists(const std::string& path, const json& before, const json& after,
                    std::vector<v1::FieldChange>* out) {
  for (const json& item : before) {
    const std::string name = item["name"];
    DiffValues(absl::StrCat(path, "[", name, "]"), &item, FindNamed(after, name), out);
  }
  for (const json& item : after) {
    const std::string name = item["name"];
    if (!FindNamed(before, name)) {
      DiffValues(absl::StrCat(path, "[", name, "]"), nullptr, &item, out);
    }
  }
}

void DiffValues(const std::string& path, const json* before, const json* after,
                std::vector<v1::FieldChange>* out) {
  if (before && after) {
    if (*before == *after) return;
    if (before->is_object() && after->is_object()) {
      DiffObjects(path, *before, *after, out);
      return;
    }
    auto named_or_empty = [](const json& v) { return IsNamedList(v) || (v.is_array() && v.empty()); };
    if (named_or_empty(*before) && named_or_empty(*after)) {
      DiffNamedLists(path, *before, *after, out);
      return;
    }
  }
  AddChange(path, before, after, out);
}

}  // namespace

google::protobuf::Value JsonToValue(const nlohmann::json& value) { return ToValue(value); }

nlohmann::json MessageJson(const google::protobuf::Message& message, bool print_defaults) {
  return MessageValue(message, print_defaults);
}

std::vector<v1::FieldChange> Diff(const google::protobuf::Message* before,
                                  const google::protobuf::Message& after) {
  std::vector<v1::FieldChange> out;
  json old_json = before ? MessageJson(*before, false) : json::object();
  DiffObjects("", old_json, MessageJson(after, false), &out);
  return out;
}

google::protobuf::Struct Snapshot(const google::protobuf::Message& message) {
  google::protobuf::Value value = ToValue(MessageJson(message, true));
  google::protobuf::Struct out;
  out.Swap(value.mutable_struct_value());
  return out;
}

}  // namespace cadastre::catalog
